"""Batched, reproducible simulation of Async-MSGD (eq. (5)) for streaming PCA.

Public API: :func:`simulate` (a batch of configurations x runs -> :class:`BatchResult`),
:class:`Config`, :class:`RecordSpec`, the delay models (:func:`parse_delay`), and
:func:`reference_run` (the transparent per-run loop the engines are tested against).
"""

from simulate.delays import (
    ConstantDelay,
    DelayModel,
    GeometricDelay,
    ParameterServer,
    ParetoDelay,
    PoissonDelay,
    UniformDelay,
    parse_delay,
)
from simulate.engine import BatchResult, Config, resolve_engine, simulate
from simulate.records import ConfigResult, RecordSpec, errors
from simulate.reference import reference_run

__all__ = [
    "BatchResult",
    "Config",
    "ConfigResult",
    "ConstantDelay",
    "DelayModel",
    "GeometricDelay",
    "ParameterServer",
    "ParetoDelay",
    "PoissonDelay",
    "RecordSpec",
    "UniformDelay",
    "errors",
    "parse_delay",
    "reference_run",
    "resolve_engine",
    "simulate",
]
