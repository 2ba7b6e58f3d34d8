"""Modules imported on first use (``importlib.util.LazyLoader``, the standard library's recipe).

SciPy's ``stats`` and ``signal`` and Numba cost 0.3-1.3 s to import each, and most commands
(``asyncmsgd derive``, ``claims``) never call them: importing them lazily keeps the front door
fast (issue 12) without moving imports into every function that uses them.
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType


def lazy_module(name: str) -> ModuleType:
    """``name`` as a module whose code runs at its first attribute access."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(f"no module named {name!r}", name=name)
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module
