"""A small on-disk cache of check results, keyed by what could change them.

The key is (name, profile, a fingerprint of the code of theory/, simulate/ and checks/, and the
package versions that compute): a rerun with nothing changed reuses the stored JSON; any edit to
the code or an upgrade of NumPy/SciPy/SymPy invalidates it. Writes are atomic (temp + rename), so
an interrupted run never leaves a half-written entry.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from functools import cache
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CODE_DIRS = ("theory", "simulate", "checks")
VERSIONED = ("numpy", "scipy", "sympy", "mpmath", "numba", "scikit-learn")


@cache
def code_fingerprint() -> str:
    h = hashlib.sha256()
    for d in CODE_DIRS:
        for path in sorted((ROOT / d).rglob("*.py")):
            if path.name.startswith("test_") or path.name == "conftest.py":
                continue  # the suite's own tests do not change a result
            h.update(str(path.relative_to(ROOT)).encode())
            h.update(path.read_bytes())
    for name in VERSIONED:
        try:
            h.update(f"{name}={metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{name}=none".encode())
    return h.hexdigest()[:16]


def _plain(obj: object) -> object:
    """NumPy scalars and arrays (and tuples inside them) as plain JSON values."""
    import numpy as np

    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"cannot store {type(obj).__name__} in the result cache")


class ResultCache:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, name: str, profile: str) -> Path:
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
        return self.folder / f"{safe}--{profile}--{code_fingerprint()}.json"

    def get(self, name: str, profile: str) -> object | None:
        path = self._path(name, profile)
        if not path.exists():
            return None
        try:
            return json.loads(path.read_text())
        except (OSError, json.JSONDecodeError):
            return None

    def put(self, name: str, profile: str, value: object) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self._path(name, profile)
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "w") as fh:
                json.dump(value, fh, allow_nan=True, default=_plain)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
