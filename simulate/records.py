"""What a batch records, per run: errors, H = Q^T v, phase hitting times, delays, divergences.

Error metrics (h = Q^T v, eigenvalues sorted decreasingly, so h_1 is the optimum's coordinate):

* ``error`` = ||v - s v^1||^2 with the sign s = sign(v . v^1) matching v, i.e.
  sum_{i>=2} h_i^2 + (|h_1| - 1)^2 (it also sees the norm of v, which eq. (5) does not fix);
* ``misalignment`` = 1 - (v . v^1)^2 / ||v||^2 = sum_{i>=2} h_i^2 / ||h||^2 (the angle only).

Phase hitting times, in updates (iterate index k of v_k, k = 0 the start), first k with:

* ``escape``: h_j^2 <= 1 - delta^2, j the saddle (Proposition 10, C9: Phase I ends);
* ``convergence``: h_1^2 >= 1 - delta^2 (Proposition 8, C7: Phase II ends);
* ``eps``: sum_{i>=2} h_i^2 <= eps (Proposition 6, C5: the eps-ball of Phase III).

-1 means never within the run (or not before it diverged). The stationary error is the mean of
``error`` over the last ``window`` fraction of the iterates (C4's stationary regime).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from simulate.config import Config
from theory.lazy import lazy_module
from theory.validation import ParameterError, check_open_unit, check_positive

stats = lazy_module("scipy.stats")

QUANTILES: tuple[float, ...] = (0.5, 0.9, 0.99)
NEVER = -1


def off_optimum(h: np.ndarray) -> np.ndarray:
    """sum_{i>=2} h_i^2 (..., d) -> (...), summed in the fixed order the kernels use."""
    h = np.asarray(h, dtype=float)
    tail = h[..., 1] * h[..., 1]
    for i in range(2, h.shape[-1]):
        tail = tail + h[..., i] * h[..., i]
    return tail


def errors(h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(error, misalignment) of h (..., d), computed in the fixed order the kernels use."""
    h = np.asarray(h, dtype=float)
    tail = off_optimum(h)
    q = np.abs(h[..., 0]) - 1.0
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        return tail + q * q, tail / (h[..., 0] * h[..., 0] + tail)


def check_window(window: object) -> float:
    """The stationary window: a fraction of the run in (0, 1] (1: the whole run)."""
    allowed = "window must lie in (0, 1] (the fraction of the run averaged)"
    try:
        x = float(window)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ParameterError("window", window, allowed) from None
    if isinstance(window, bool) or not (math.isfinite(x) and 0.0 < x <= 1.0):
        raise ParameterError("window", window, allowed)
    return x


@dataclass(frozen=True)
class RecordSpec:
    """What to record. ``steps``: iterate indices (0 .. steps) where error (and H) are kept.

    ``delta``/``eps`` set the phase thresholds (None: that hitting time is not tracked);
    ``saddle`` is the 1-based index j of the escape test (default: the start's e_j when it is a
    saddle j >= 2, else 2); ``window`` the fraction of the run averaged as the stationary error.
    """

    steps: tuple[int, ...] = ()
    h: bool = False
    delta: float | None = 0.1
    eps: float | None = 0.1
    saddle: int | None = None
    window: float = 0.1

    @staticmethod
    def grid(n_steps: int, count: int) -> tuple[int, ...]:
        """``count`` + 1 evenly spaced iterate indices from 0 to n_steps (all of them when
        count >= n_steps: the spacing is then <= 1, so rounding hits every index anyway)."""
        count = min(count, n_steps)
        return tuple(int(x) for x in np.unique(np.linspace(0, n_steps, count + 1).round()))

    def resolve(self, n_steps: int, d: int, start_saddle: int | None) -> ResolvedRecords:
        steps = np.unique(np.asarray(self.steps, dtype=np.int64).ravel())
        if steps.size and (steps[0] < 0 or steps[-1] > n_steps):
            raise ParameterError(
                "record steps", self.steps, f"iterate indices between 0 and steps = {n_steps}"
            )
        delta = None if self.delta is None else check_open_unit("delta", self.delta)
        eps = None if self.eps is None else check_positive("eps", self.eps)
        window = check_window(self.window)
        if self.saddle is None:
            saddle = start_saddle if start_saddle is not None and start_saddle >= 1 else 1
        else:
            if not (isinstance(self.saddle, int) and 2 <= self.saddle <= d):
                raise ParameterError("saddle", self.saddle, f"an eigen-index j in 2..{d}")
            saddle = self.saddle - 1
        count = max(1, round(window * n_steps))
        return ResolvedRecords(
            steps=steps,
            h=bool(self.h),
            delta=delta,
            eps=eps,
            saddle=saddle,
            window_start=n_steps - count + 1,
            window_count=count,
        )


@dataclass(frozen=True)
class ResolvedRecords:
    """RecordSpec checked against a run length; thresholds as the kernels use them."""

    steps: np.ndarray  # sorted unique iterate indices
    h: bool
    delta: float | None
    eps: float | None
    saddle: int  # 0-based
    window_start: int  # first iterate index of the stationary window
    window_count: int

    @property
    def escape_threshold(self) -> float:
        """h_saddle^2 <= this ends Phase I; -inf disables."""
        return -math.inf if self.delta is None else 1.0 - self.delta**2

    @property
    def convergence_threshold(self) -> float:
        """h_1^2 >= this ends Phase II; +inf disables."""
        return math.inf if self.delta is None else 1.0 - self.delta**2

    @property
    def eps_threshold(self) -> float:
        """sum_{i>=2} h_i^2 <= this: inside the eps-ball; -inf disables."""
        return -math.inf if self.eps is None else self.eps


@dataclass
class LaneOutputs:
    """Per-lane results that both kernels fill (lane-major, one row per run of the chunk)."""

    final_h: np.ndarray  # (n, d)
    alive: np.ndarray  # (n,) bool
    diverged_step: np.ndarray  # (n,) int64
    escape: np.ndarray  # (n,) int64
    convergence: np.ndarray
    eps: np.ndarray
    sum_error: np.ndarray  # (n,) float: sum over the stationary window
    sum_misalignment: np.ndarray
    error_at: np.ndarray  # (n, R)
    misalignment_at: np.ndarray  # (n, R)
    h_at: np.ndarray  # (n, R, d) or (n, 0, d) when H is not recorded

    @classmethod
    def allocate(cls, n: int, d: int, rec: ResolvedRecords) -> LaneOutputs:
        r = rec.steps.size
        return cls(
            final_h=np.full((n, d), np.nan),
            alive=np.ones(n, dtype=bool),
            diverged_step=np.full(n, NEVER, dtype=np.int64),
            escape=np.full(n, NEVER, dtype=np.int64),
            convergence=np.full(n, NEVER, dtype=np.int64),
            eps=np.full(n, NEVER, dtype=np.int64),
            sum_error=np.zeros(n),
            sum_misalignment=np.zeros(n),
            error_at=np.full((n, r), np.nan),
            misalignment_at=np.full((n, r), np.nan),
            h_at=np.full((n, r if rec.h else 0, d), np.nan),
        )

    def record_start(self, h0: np.ndarray, rec: ResolvedRecords) -> None:
        """Iterate 0: hitting times may already hold at the start; step 0 may be recorded."""
        err, mis = errors(h0)
        if rec.delta is not None:
            self.escape[h0[:, rec.saddle] * h0[:, rec.saddle] <= rec.escape_threshold] = 0
            self.convergence[h0[:, 0] * h0[:, 0] >= rec.convergence_threshold] = 0
        if rec.eps is not None:
            self.eps[off_optimum(h0) <= rec.eps_threshold] = 0
        if rec.window_start <= 0:
            self.sum_error += err
            self.sum_misalignment += mis
        if rec.steps.size and rec.steps[0] == 0:
            self.error_at[:, 0] = err
            self.misalignment_at[:, 0] = mis
            if rec.h:
                self.h_at[:, 0] = h0


@dataclass(frozen=True)
class DelayStats:
    """Realised delays of runs (what the updates used, after the ring-buffer cap)."""

    mean: np.ndarray  # (runs,)
    max: np.ndarray  # (runs,) int
    quantiles: np.ndarray  # (runs, len(QUANTILES)) int
    truncated: np.ndarray  # (runs,) updates whose read the cap moved forward
    pooled: np.ndarray  # histogram over all runs, bins 0 .. cap

    @classmethod
    def from_histograms(cls, hist: np.ndarray, truncated: np.ndarray) -> DelayStats:
        k = np.arange(hist.shape[1])
        total = hist.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = (hist * k).sum(axis=1) / total
        nonzero = hist > 0
        mx = np.where(nonzero.any(axis=1), hist.shape[1] - 1 - np.argmax(nonzero[:, ::-1], 1), -1)
        return cls(
            mean=mean,
            max=mx,
            quantiles=_hist_quantiles(hist),
            truncated=truncated,
            pooled=hist.sum(axis=0),
        )

    def summary(self) -> dict[str, object]:
        h = self.pooled
        total = h.sum()
        nz = np.flatnonzero(h)
        q = _hist_quantiles(h[None, :])[0]
        return {
            "delay_mean": float((h * np.arange(h.size)).sum() / total) if total else math.nan,
            "delay_max": int(nz[-1]) if nz.size else None,
            "delay_quantiles": {f"{p:g}": int(v) for p, v in zip(QUANTILES, q, strict=True)},
            "delays_truncated": int(self.truncated.sum()),
        }


def _hist_quantiles(hist: np.ndarray) -> np.ndarray:
    """Smallest k with P(tau <= k) >= p, per row."""
    cum = np.cumsum(hist, axis=1)
    total = cum[:, -1:]
    out = np.empty((hist.shape[0], len(QUANTILES)), dtype=np.int64)
    for j, p in enumerate(QUANTILES):
        out[:, j] = np.argmax(cum >= p * total, axis=1)
    return out


@dataclass
class ConfigResult:
    """All runs of one configuration. Diverged runs have NaN errors from their divergence on."""

    config: Config
    cap: int  # ring-buffer cap on the delays (see simulate.engine)
    final_h: np.ndarray  # (runs, d): H = Q^T v at the end (at divergence for diverged runs)
    final_error: np.ndarray  # (runs,), NaN if diverged
    final_misalignment: np.ndarray
    error_at: np.ndarray  # (runs, R) at BatchResult.record_steps
    misalignment_at: np.ndarray
    h_at: np.ndarray | None  # (runs, R, d)
    stationary_error: np.ndarray  # (runs,) mean error over the window; NaN if diverged
    stationary_misalignment: np.ndarray
    escape_step: np.ndarray  # (runs,) int, -1 never
    convergence_step: np.ndarray
    eps_step: np.ndarray
    diverged: np.ndarray  # (runs,) bool
    diverged_step: np.ndarray  # (runs,) int, -1 never
    delays: DelayStats = field(repr=False)

    @property
    def runs(self) -> int:
        return int(self.final_error.size)

    def summary(self) -> dict[str, object]:
        """Aggregates over runs; keys ``error_mean`` ... ``delay_max`` are the CLI's interface."""
        ok = ~self.diverged
        mean, ci = mean_ci(self.final_error[ok])
        stat, stat_ci = mean_ci(self.stationary_error[ok])
        out: dict[str, object] = {
            "config": self.config.describe(),
            "runs": self.runs,
            "error_mean": mean,
            "error_ci": ci,
            "misalignment_mean": mean_ci(self.final_misalignment[ok])[0],
            "stationary_error": stat,
            "stationary_error_ci": stat_ci,
            "stationary_misalignment": mean_ci(self.stationary_misalignment[ok])[0],
            "diverged": int(self.diverged.sum()),
        }
        for name, hits in (
            ("escape", self.escape_step),
            ("convergence", self.convergence_step),
            ("eps", self.eps_step),
        ):
            out[f"{name}_steps_median"] = median_hitting(hits)
            out[f"{name}_reached"] = int((hits >= 0).sum())
        out.update(self.delays.summary())
        out["delay_cap"] = self.cap
        return out


def mean_ci(x: np.ndarray, level: float = 0.95) -> tuple[float, list[float]]:
    """Mean and Student-t confidence interval (NaN when fewer than 2 values)."""
    x = np.asarray(x, dtype=float)
    if x.size == 0:
        return math.nan, [math.nan, math.nan]
    m = float(x.mean())
    if x.size < 2:
        return m, [math.nan, math.nan]
    half = float(stats.t.ppf(0.5 + level / 2, x.size - 1) * x.std(ddof=1) / math.sqrt(x.size))
    return m, [m - half, m + half]


def median_hitting(hits: np.ndarray) -> float | None:
    """Median hitting time with 'never' counted as +inf (None when half or more never hit)."""
    if hits.size == 0:
        return None
    t = np.where(hits >= 0, hits.astype(float), math.inf)
    med = float(np.median(t))
    return med if math.isfinite(med) else None
