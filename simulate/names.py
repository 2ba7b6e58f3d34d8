"""Names, choices and help texts of the simulator, in a module that imports nothing.

The command line builds its parsers from these (``choices=``, ``--help``) without loading NumPy,
SciPy or the engine, and the modules that implement them (:mod:`simulate.engine`,
:mod:`simulate.delays`, :mod:`simulate.backends`, :mod:`simulate.store`, ...) import them from
here, so each is written once.
"""

from __future__ import annotations

# Part of every stored cell's key: bumped whenever a change to the engine could change a number
# (engine-2: constant delays above the ring-buffer cap count their truncated reads).
ENGINE_VERSION = "engine-2"
ENGINES: tuple[str, ...] = ("auto", "numpy", "numba")
DEFAULT_DIVERGENCE_BOUND = 100.0

# Nominal throughput (step-runs per second at d = 4, Numba engine, one core) used only to size
# sweep tasks and to estimate durations, never to define cells (nothing measured on this machine
# may change a key).
NOMINAL_RATE = 1e7

DELAY_SPEC_HELP = (
    "constant, uniform, geometric, poisson (with --tau: the delay, the maximum, the mean, the "
    "mean), pareto:ALPHA (heavy-tailed, mean --tau, tail index ALPHA > 1), or "
    "ps:W[:lognormal:SIGMA][:straggler:FACTOR] (parameter server with W workers)"
)

# The data laws of theory.distributions.MODELS (theory cannot import this package: a test keeps
# the two lists equal).
DISTRIBUTIONS: tuple[str, ...] = (
    "gaussian",
    "rademacher",
    "uniform-ball",
    "uniform-box",
    "uniform-sphere",
)

BACKENDS: tuple[str, ...] = ("serial", "processes", "dask")
DASK_HINT = "install the optional extra: pip install 'asyncmsgd-verify[dask]'"

# Parameter columns of a sweep store (copied from a cell's canonical JSON) that queries may
# filter on, and every filter (``asyncmsgd results --where KEY=...``).
STORE_PARAM_COLUMNS: tuple[str, ...] = (
    "mu",
    "eta",
    "delay",
    "tau",
    "distribution",
    "start",
    "steps",
    "runs",
    "seed",
    "crn",
    "normalize",
    "max_delay",
    "d",
    "eigenvalues",
)
STORE_FILTERS: tuple[str, ...] = (*STORE_PARAM_COLUMNS, "key", "status", "engine_version")
STORE_STATUSES: tuple[str, ...] = ("done", "failed")
