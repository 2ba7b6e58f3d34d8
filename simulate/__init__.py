"""Batched, reproducible simulation of Async-MSGD (eq. (5)) for streaming PCA.

Public API: :func:`simulate` (a batch of configurations x runs -> :class:`BatchResult`),
:class:`Config`, :class:`RecordSpec`, the delay models (:func:`parse_delay`), and
:func:`reference_run` (the transparent per-run loop the engines are tested against).

The names are loaded on first use (PEP 562): importing a light submodule such as
:mod:`simulate.names` (what the command line reads to build its parsers) must not load NumPy,
SciPy or the engine. ``from simulate import Config, simulate`` works as before.
"""

from __future__ import annotations

import importlib

# name -> the submodule that defines it
_EXPORTS: dict[str, str] = {
    "BatchResult": "simulate.engine",
    "Config": "simulate.config",
    "ConfigResult": "simulate.records",
    "ConstantDelay": "simulate.delays",
    "DelayModel": "simulate.delays",
    "GeometricDelay": "simulate.delays",
    "ParameterServer": "simulate.delays",
    "ParetoDelay": "simulate.delays",
    "PoissonDelay": "simulate.delays",
    "RecordSpec": "simulate.records",
    "UniformDelay": "simulate.delays",
    "errors": "simulate.records",
    "parse_delay": "simulate.delays",
    "reference_run": "simulate.reference",
    "resolve_engine": "simulate.engine",
    "simulate": "simulate.engine",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'simulate' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
