"""Plumbing shared by the experiment reproductions: scales, provenance, raw-results files.

Scales: ``ci`` (seconds to a minute; what CI and ``asyncmsgd verify`` at profile ``ci`` run) and
``paper`` (the paper's sizes; minutes; never in CI). The check profiles map onto them:
profile ``ci`` -> scale ``ci``, profile ``full`` -> scale ``paper``.

Raw-results files are JSON (NaN and infinities written as null), written atomically (temporary
file + rename: an interrupted run never leaves half a file), with the package versions that
produced them, so the report and the registry cite them without recomputing.
"""

from __future__ import annotations

import json
import math
import os
import platform
import tempfile
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

import numpy as np

from theory.validation import ParameterError

SCALES = ("ci", "paper")
PROFILE_SCALE = {"ci": "ci", "full": "paper"}
ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "reports" / "build"
BASE_PACKAGES = ("asyncmsgd-verify", "numpy", "scipy", "sympy", "numba", "matplotlib")


def check_scale(scale: object) -> str:
    """``scale`` must be one of :data:`SCALES`."""
    if scale not in SCALES:
        raise ParameterError("scale", scale, "one of " + ", ".join(SCALES))
    return str(scale)


def scale_for_profile(profile: object) -> str:
    """The experiment scale of a check profile (an object with ``.name``, or a name)."""
    name = getattr(profile, "name", profile)
    if name not in PROFILE_SCALE:
        raise ParameterError("profile", name, "one of " + ", ".join(PROFILE_SCALE))
    return PROFILE_SCALE[str(name)]


def package_versions(extra: Iterable[str] = ()) -> dict[str, str]:
    """Installed versions of the packages that compute (and Python's)."""
    out = {}
    for name in (*BASE_PACKAGES, *extra):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    out["python"] = platform.python_version()
    return out


def json_clean(x: object) -> object:
    """Plain JSON types: NumPy scalars and arrays to Python, non-finite floats to None."""
    if isinstance(x, bool | np.bool_):
        return bool(x)
    if isinstance(x, float | np.floating):
        v = float(x)
        return v if math.isfinite(v) else None
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, np.ndarray):
        return json_clean(x.tolist())
    if isinstance(x, dict):
        return {str(k): json_clean(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [json_clean(v) for v in x]
    return x


def write_json(path: Path, obj: object) -> Path:
    """Write ``obj`` as JSON atomically (temporary file in the same folder, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(json_clean(obj), indent=1, allow_nan=False)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(text + "\n")
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp's 0600 would hide the file from other users
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def read_json(path: Path) -> dict | None:
    """The JSON object in ``path``, or None if it is missing or unreadable."""
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, json.JSONDecodeError):
        return None
    return data if isinstance(data, dict) else None


def floats(values: Iterable[object]) -> np.ndarray:
    """A float array from JSON values (None -> NaN)."""
    return np.array([math.nan if v is None else float(v) for v in values], dtype=float)


def percentile_ci(
    samples: np.ndarray, level: float = 0.95, *, discrete: bool = False
) -> tuple[float, float]:
    """The central ``level`` percentile interval of bootstrap samples (NaN-free input);
    ``discrete``: its ends are sample values (no interpolation between grid points)."""
    q = [(1 - level) / 2, (1 + level) / 2]
    if discrete:
        lo = np.quantile(samples, q[0], method="lower")
        hi = np.quantile(samples, q[1], method="higher")
    else:
        lo, hi = np.quantile(samples, q)
    return float(lo), float(hi)
