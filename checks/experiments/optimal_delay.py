"""The empirical "optimal delay" of Figure 1 (THEORY.md C12), with its uncertainty over runs.

Definition (the paper's words, made operational): for one momentum, with a grid of delays
0 = tau_0 < tau_1 < ... and per-run errors e_r(tau), let M(tau) = mean_r e_r(tau) (a diverged run
counts as +inf). The optimal delay at relative margin m is the **largest grid delay before the
first one whose mean error exceeds (1 + m) M(0)**: "Async-MSGD achieves an error similar to that
of MSGD (tau = 0) below the threshold". When no grid delay exceeds, the value is the grid's last
delay and it is marked censored (a lower bound).

Uncertainty: a bootstrap over runs. Runs are resampled jointly across the delays of a momentum
(the same resampled run indices for every delay), which is valid for independent runs and keeps
the pairing of common random numbers (the figure shares data streams across configurations);
SE = the bootstrap SD and the interval = the 2.5-97.5% percentiles. The grid's spacing at the
crossing bounds the discretisation error (the crossing lies between the value and the next grid
delay): callers add it to their tolerances.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from checks.experiments.common import percentile_ci
from theory.validation import ParameterError, check_positive, check_positive_int


def _check(delays: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    d = np.asarray(delays, dtype=float)
    v = np.asarray(values, dtype=float)
    if d.ndim != 1 or d.size < 2 or d[0] != 0.0 or np.any(np.diff(d) <= 0):
        raise ParameterError("delays", delays, "an increasing grid of >= 2 delays starting at 0")
    if v.ndim != 2 or v.shape[1] != d.size or v.shape[0] < 1:
        raise ParameterError("values", v.shape, f"an array (runs, {d.size}) of per-run errors")
    if np.any(np.isnan(v)) or np.any(v < 0):
        raise ParameterError("values", "NaN or < 0", "errors >= 0 (diverged runs as +inf)")
    return d, v


def first_exceedance(means: np.ndarray, margin: float) -> np.ndarray:
    """Index of the first delay whose mean exceeds (1 + margin) x the tau = 0 mean, per row of
    ``means`` (..., D); D when none does."""
    m = np.asarray(means, dtype=float)
    with np.errstate(invalid="ignore"):
        exc = m > (1.0 + margin) * m[..., :1]
    any_ = exc.any(axis=-1)
    return np.where(any_, np.argmax(exc, axis=-1), m.shape[-1])


@dataclass(frozen=True)
class OptimalDelay:
    """The optimal delay at one margin, with its bootstrap SE and 95% interval."""

    margin: float
    value: float
    se: float
    ci: tuple[float, float]
    censored: bool  # no grid delay exceeded: value is a lower bound
    spacing: float  # grid step from the value to the next delay (the discretisation bound)
    n_boot: int
    samples: np.ndarray = field(repr=False, compare=False, default_factory=lambda: np.zeros(0))

    def as_dict(self) -> dict[str, object]:
        return {
            "margin": self.margin,
            "value": self.value,
            "se": self.se,
            "ci": list(self.ci),
            "censored": self.censored,
            "spacing": self.spacing,
            "n_boot": self.n_boot,
        }


def point_estimate(delays: np.ndarray, values: np.ndarray, margin: float) -> tuple[float, bool]:
    """(optimal delay, censored) from the full sample."""
    d, v = _check(delays, values)
    check_positive("margin", margin)
    k = int(first_exceedance(v.mean(axis=0), margin))
    return (float(d[-1]), True) if k == d.size else (float(d[k - 1]), False)


def estimate(
    delays: np.ndarray,
    values: np.ndarray,
    margin: float,
    *,
    n_boot: int,
    rng: np.random.Generator,
) -> OptimalDelay:
    """The optimal delay with its bootstrap over runs (see the module docstring)."""
    d, v = _check(delays, values)
    value, censored = point_estimate(d, v, margin)
    n_boot = check_positive_int("n_boot", n_boot)
    runs = v.shape[0]
    idx = rng.integers(0, runs, size=(n_boot, runs))
    means = v[idx].mean(axis=1)  # (n_boot, D)
    k = first_exceedance(means, margin)
    boot = np.where(k == d.size, d[-1], d[np.maximum(k - 1, 0)])
    i = int(np.searchsorted(d, value))
    spacing = float(d[i + 1] - d[i]) if i + 1 < d.size else math.inf
    return OptimalDelay(
        margin=float(margin),
        value=value,
        se=float(boot.std(ddof=1)) if n_boot > 1 else math.inf,
        ci=percentile_ci(boot, discrete=True),
        censored=censored,
        spacing=spacing,
        n_boot=n_boot,
        samples=boot,
    )


def bracket(delays: np.ndarray, values: np.ndarray, margin: float) -> tuple[int, int] | None:
    """(last delay within the margin, first delay beyond it) of the full-sample means, or None
    when no delay exceeds: the interval a finer grid should fill."""
    d, v = _check(delays, values)
    k = int(first_exceedance(v.mean(axis=0), check_positive("margin", margin)))
    if k == d.size:
        return None
    return int(d[k - 1]), int(d[k])
