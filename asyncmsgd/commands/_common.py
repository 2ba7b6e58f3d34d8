"""Argument types shared by several subcommands (the CLI is the only place that reads files)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from asyncmsgd.commands import UsageError
from theory.problem import Problem
from theory.validation import ParameterError


def parse_sigma(text: str) -> Problem:
    """``--sigma``: comma-separated eigenvalues ("4,3,2,1", Sigma diagonal) or a path to a matrix.

    A matrix file is whitespace/comma separated text (one row per line, ``numpy.loadtxt``) or
    ``.npy``; it must be symmetric positive definite with an eigen-gap (A1).
    """
    path = Path(text)
    if path.exists():
        try:
            if path.suffix == ".npy":
                matrix = np.load(path, allow_pickle=False)
            else:
                raw = path.read_text()
                delimiter = "," if "," in raw else None
                matrix = np.loadtxt(path, delimiter=delimiter, ndmin=2)
        except (OSError, ValueError) as exc:
            raise UsageError(f"--sigma: cannot read a matrix from {path}: {exc}") from None
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
    return Problem.from_eigenvalues(values)


def dump_json(obj: object) -> str:
    """JSON with NaN/inf written as null (strict JSON parsers reject NaN)."""

    def clean(x: object) -> object:
        if isinstance(x, float | np.floating):
            x = float(x)
            return x if math.isfinite(x) else None
        if isinstance(x, np.integer):
            return int(x)
        if isinstance(x, np.ndarray):
            return clean(x.tolist())
        if isinstance(x, dict):
            return {str(k): clean(v) for k, v in x.items()}
        if isinstance(x, list | tuple):
            return [clean(v) for v in x]
        return x

    return json.dumps(clean(obj), indent=2, allow_nan=False)
