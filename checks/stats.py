"""Error budgets for the statistical checks.

A statistical assertion is ``|measured - theory| <= z * SE + bias``: SE from independent runs,
``bias`` a stated bound on the systematic difference (finite eta against an eta -> 0 limit, say),
and z corrected for the number of assertions in the whole suite (Bonferroni), so that a true claim
fails a full suite run with probability below ``SUITE_ALPHA``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from checks.profile import SUITE_ALPHA, bonferroni_z  # noqa: F401  (re-exported)
from theory.lazy import lazy_module

stats = lazy_module("scipy.stats")


@dataclass(frozen=True)
class Estimate:
    """A mean over independent replicates, with its standard error."""

    mean: float
    se: float
    n: int

    def ci(self, z: float) -> tuple[float, float]:
        return (self.mean - z * self.se, self.mean + z * self.se)


def mean_estimate(samples: Sequence[float] | np.ndarray) -> Estimate:
    x = np.asarray(samples, dtype=float)
    x = x[np.isfinite(x)]
    n = int(x.size)
    if n < 2:
        return Estimate(float(x.mean()) if n else math.nan, math.inf, n)
    return Estimate(float(x.mean()), float(x.std(ddof=1) / math.sqrt(n)), n)


def ratio_estimate(num: Estimate, den: Estimate) -> Estimate:
    """num/den with the delta-method SE (independent estimates)."""
    r = num.mean / den.mean
    se = abs(r) * math.hypot(num.se / num.mean, den.se / den.mean)
    return Estimate(r, se, min(num.n, den.n))


def proportion_ci(successes: int, trials: int, confidence: float) -> tuple[float, float]:
    """Clopper-Pearson (exact) interval for a binomial proportion."""
    res = stats.binomtest(successes, trials).proportion_ci(confidence, method="exact")
    return (float(res.low), float(res.high))


@dataclass(frozen=True)
class Slope:
    slope: float
    se: float
    intercept: float
    n: int

    def ci(self, z: float) -> tuple[float, float]:
        return (self.slope - z * self.se, self.slope + z * self.se)


def loglog_slope(
    x: Sequence[float] | np.ndarray,
    y: Sequence[float] | np.ndarray,
    y_se: Sequence[float] | np.ndarray | None = None,
) -> Slope:
    """Weighted least squares of log y on log x. With ``y_se`` the weights are the inverse
    variances of log y (delta method: se/y) and the slope's SE is the model-based one; without,
    the residual SE of ordinary least squares."""
    lx = np.log(np.asarray(x, dtype=float))
    ly = np.log(np.asarray(y, dtype=float))
    design = np.column_stack([lx, np.ones_like(lx)])
    if y_se is None:
        res = stats.linregress(lx, ly)
        return Slope(float(res.slope), float(res.stderr), float(res.intercept), lx.size)
    s = np.asarray(y_se, dtype=float) / np.asarray(y, dtype=float)
    w = 1.0 / s**2
    cov = np.linalg.inv(design.T @ (design * w[:, None]))
    beta = cov @ (design.T @ (w * ly))
    return Slope(float(beta[0]), float(math.sqrt(cov[0, 0])), float(beta[1]), lx.size)


def extrapolate_to_zero(
    x: Sequence[float] | np.ndarray, y: Sequence[float] | np.ndarray, y_se: Sequence[float]
) -> Estimate:
    """Weighted least-squares line y = y0 + b x; returns y0 (the x -> 0 limit) with its SE.

    Used where a finite step size biases a measurement by O(eta): measuring at several eta and
    extrapolating removes that bias instead of absorbing it into the tolerance.
    """
    xs = np.asarray(x, dtype=float)
    ys = np.asarray(y, dtype=float)
    w = 1.0 / np.asarray(y_se, dtype=float) ** 2
    design = np.column_stack([np.ones_like(xs), xs])
    cov = np.linalg.inv(design.T @ (design * w[:, None]))
    beta = cov @ (design.T @ (w * ys))
    return Estimate(float(beta[0]), float(math.sqrt(cov[0, 0])), int(xs.size))


def linear_fit(
    x: np.ndarray, y: np.ndarray, w: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Least squares y ~ x (x: a design matrix with a column of ones): coefficients and their
    SEs, weighted by ``w`` = 1/SE^2 when given (model-based SEs), else from the residuals."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if w is None:
        beta, *_ = np.linalg.lstsq(x, y, rcond=None)
        dof = max(1, x.shape[0] - x.shape[1])
        s2 = float(np.sum((y - x @ beta) ** 2) / dof)
        cov = s2 * np.linalg.inv(x.T @ x)
    else:
        w = np.asarray(w, dtype=float)
        cov = np.linalg.inv(x.T @ (x * w[:, None]))
        beta = cov @ (x.T @ (w * y))
    return beta, np.sqrt(np.diag(cov))


def student_factor(z: float, df: int) -> float:
    """The Student-t quantile with ``df`` degrees of freedom at the two-sided level of the normal
    ``z``: the tolerance factor for an SE that is itself estimated from ``df + 1`` clusters, so
    that the assertion keeps the error budget of ``z`` (a normal z with an SE from few clusters
    would reject a true theory far more often than the Bonferroni share allows)."""
    if df < 1:
        return math.inf
    return float(stats.t.isf(stats.norm.sf(z), df))


@dataclass(frozen=True)
class ClusterDifference:
    """measured - theory from clustered data: its mean over clusters, the SE over clusters and
    the clusters' count (``df`` = clusters - 1)."""

    measured: float
    theory: float
    se: float
    clusters: int

    @property
    def df(self) -> int:
        return self.clusters - 1


def cluster_difference(
    real: Sequence[float] | np.ndarray, replays: Sequence[Sequence[float]] | np.ndarray
) -> ClusterDifference:
    """One real outcome per cluster against the replays of that cluster (D1: a lock-free run and
    the simulator's replays of its recorded delay trace): the mean real outcome, the mean of the
    per-cluster replay means, and the SE of their difference over clusters,
    sd_i(real_i - mean_j replay_ij) / sqrt(k).

    The cluster is the unit of independence: the replays of one trace share its delays, and the
    real run carries noise of its own that the replays do not model (the machine), so neither
    "all replays independent" nor "the real runs vary like the replays" (a pooled SD) may be
    assumed. The SE over clusters needs neither: it holds whatever the between-trace and the
    real-run variances are (it is the cluster-robust SE of the difference of means)."""
    r = np.asarray(real, dtype=float).ravel()
    means = np.array([np.mean(np.asarray(x, dtype=float)) for x in replays])
    if r.size != means.size:
        raise ValueError(f"{r.size} real outcomes for {means.size} clusters of replays")
    k = int(r.size)
    d = r - means
    se = float(d.std(ddof=1) / math.sqrt(k)) if k > 1 else math.inf
    return ClusterDifference(float(r.mean()), float(means.mean()), se, k)
