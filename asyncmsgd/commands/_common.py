"""Argument types shared by several subcommands (the CLI is the only place that reads files).

Cheap to import (standard library only): NumPy and the theory modules are loaded by the
functions that need them, when a command runs, so that ``asyncmsgd CMD --help`` loads nothing
heavy.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from asyncmsgd.commands import UsageError

if TYPE_CHECKING:  # annotations only (a leaf of theory/, no cycle with this package)
    from theory.problem import Problem


def parse_sigma(text: str) -> Problem:
    """``--sigma``: comma-separated eigenvalues ("4,3,2,1", Sigma diagonal) or a path to a matrix.

    Eigenvalues must be listed in decreasing order (:mod:`simulate.eigenvalues`: e1, e2, ...
    name them in that order). A matrix file is whitespace/comma separated text (one row per
    line, ``numpy.loadtxt``) or ``.npy``; it must be symmetric positive definite with an
    eigen-gap (A1).
    """
    import numpy as np

    from simulate.eigenvalues import check_order
    from theory.problem import Problem
    from theory.validation import ParameterError

    if not text.strip():
        raise ParameterError(
            "sigma", text, "comma-separated eigenvalues like 4,3,2,1, or a path to a matrix file"
        )
    path = Path(text)
    if path.is_dir():
        raise UsageError(f"--sigma: {text} is a folder; give a matrix file or eigenvalues")
    if path.exists():
        try:
            if path.suffix == ".npy":
                matrix = np.load(path, allow_pickle=False)
            else:
                raw = path.read_text()
                delimiter = "," if "," in raw else None
                matrix = np.loadtxt(path, delimiter=delimiter, ndmin=2)
        except (OSError, ValueError) as exc:
            detail = str(exc).replace("\n", " ")
            raise UsageError(f"--sigma: cannot read a matrix from {path}: {detail}") from None
        return Problem.from_matrix(matrix)
    if any(sep in text for sep in "/\\") or text.endswith((".txt", ".csv", ".npy")):
        raise UsageError(f"--sigma: no such file: {text}")
    try:
        values = [float(x) for x in text.replace(" ", "").split(",") if x]
    except ValueError:
        raise ParameterError(
            "sigma", text, "comma-separated eigenvalues like 4,3,2,1, or a path to a matrix file"
        ) from None
    if any(not math.isfinite(v) for v in values):
        raise ParameterError("sigma", text, "finite eigenvalues")
    check_order(values, "sigma", text)
    return Problem.from_eigenvalues(values)


def dump_json(obj: object) -> str:
    """JSON with NaN/inf written as null (strict JSON parsers reject NaN)."""
    # NumPy values can only exist once NumPy is loaded: do not import it to recognise them
    np = sys.modules.get("numpy")

    def clean(x: object) -> object:
        if isinstance(x, float) or (np is not None and isinstance(x, np.floating)):
            x = float(x)
            return x if math.isfinite(x) else None
        if np is not None and isinstance(x, np.integer):
            return int(x)
        if np is not None and isinstance(x, np.bool_):
            return bool(x)
        if np is not None and isinstance(x, np.ndarray):
            return clean(x.tolist())
        if isinstance(x, dict):
            return {str(k): clean(v) for k, v in x.items()}
        if isinstance(x, list | tuple):
            return [clean(v) for v in x]
        return x

    return json.dumps(clean(obj), indent=2, allow_nan=False)
