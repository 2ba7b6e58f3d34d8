"""Names, presets and defaults of the adaptive methods, in a module that imports nothing.

The command line builds ``asyncmsgd adaptive`` from these (choices, help texts, which options
apply to which method) without loading NumPy; :mod:`simulate.adaptive.methods`,
:mod:`~simulate.adaptive.problems`, :mod:`~simulate.adaptive.blocks` and
:mod:`~simulate.adaptive.run` import them from here, so each is written once.
"""

from __future__ import annotations

MOMENTA: tuple[str, ...] = ("none", "heavy-ball", "ema")
SCALINGS: tuple[str, ...] = ("none", "adagrad-norm", "adagrad", "rmsprop", "normalized")
NORM_ESTIMATES: tuple[str, ...] = ("current", "stale", "noisy", "ema")
SCHEDULES: tuple[str, ...] = ("constant", "sqrt", "horizon")

# name -> (momentum, scaling, default schedule, default eta, extra fields)
PRESETS: dict[str, tuple[str, str, str, float, dict[str, object]]] = {
    "sgd": ("none", "none", "sqrt", 0.1, {}),
    "heavy-ball": ("heavy-ball", "none", "sqrt", 0.01, {}),
    "adagrad-norm": ("none", "adagrad-norm", "constant", 1.0, {}),
    "adagrad": ("none", "adagrad", "constant", 0.5, {}),
    "rmsprop": ("none", "rmsprop", "sqrt", 0.02, {}),
    "adam": ("ema", "rmsprop", "sqrt", 0.02, {}),
    "normalized": ("ema", "normalized", "sqrt", 0.02, {"norm_estimate": "stale"}),
}

PROBLEMS: tuple[str, ...] = ("pca", "regression")
DEFAULT_EIGENVALUES: tuple[float, ...] = (1.0, 0.25, 0.2, 0.15, 0.1, 0.05)
DEFAULT_PCA_DISTRIBUTION = "uniform-sphere"

BLOCKS_SPEC_HELP = "full, partition:B, random:S or overlap:B:W (B blocks, S or W coordinates each)"
DEFAULT_MAX_DELAY = 2048
