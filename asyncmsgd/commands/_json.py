"""JSON output of the CLI: NumPy scalars and arrays as plain values, non-finite floats as null
(strict JSON parsers reject NaN). Standard library at import; NumPy only if present in data."""

from __future__ import annotations

import json
import math


def plain(x: object) -> object:
    """``x`` with NumPy types, tuples, enums and non-finite floats turned into JSON values."""
    mod = type(x).__module__
    if mod == "numpy":
        x = x.tolist() if hasattr(x, "tolist") else x.item()
    if isinstance(x, bool) or x is None or isinstance(x, str | int):
        return x
    if isinstance(x, float):
        return x if math.isfinite(x) else None
    if isinstance(x, dict):
        return {str(k): plain(v) for k, v in x.items()}
    if isinstance(x, list | tuple | set | frozenset):
        return [plain(v) for v in x]
    if hasattr(x, "__fspath__"):
        return str(x)
    return str(x)


def dumps(obj: object) -> str:
    return json.dumps(plain(obj), indent=2, allow_nan=False)
