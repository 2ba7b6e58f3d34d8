"""E1's stationary error level against the simulator (issue 16): measurement, not a verdict.

For a setting (spectrum, data model), a momentum mu, a step eta and a delay (constant, or an
i.i.d. law of :mod:`theory.random_delays`), :func:`measure_level` runs eq. (5) from the optimum
e_1 with the simulator, burns in, and time-averages the simulator's ``stationary_error`` record,
||v - s v^1||^2 = sum_{i>=2} h_i^2 + (|h_1| - 1)^2 (the metric :mod:`theory.second_order`
predicts). The level is the mean over independent runs of the per-run time averages, and its
standard error is their standard deviation / sqrt(runs): runs are independent, each run's time
average is one observation, so the SE needs no model of the autocorrelation.

Sizes are in units of the slowest relaxation time of E1's recursions, 1/(1 - rho) steps with rho
the largest root modulus over every mode (it grows near the delay boundary): ``burn_in``
relaxation times (plus the largest delay) are dropped, ``window`` are averaged.

:func:`compare` sets a measurement beside E1's first- and second-order predictions
(:func:`theory.second_order.predict`); :func:`eta_scan` repeats it over step sizes and fits the
order of the relative residual (log-log slope with its SE, :func:`fit_order`): the second-order
level's residual should shrink like eta^2, E1's like eta.

Every size is an argument (CI passes small ones) and every seed comes from the explicit root
``seed`` passed to ``simulate(..., seed=...)``; the simulator keys each run's random streams by
(configuration, run), so different (mu, eta, delay) never share streams even with one root seed.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from simulate import Config, RecordSpec, simulate
from simulate.delays import DelayModel, GeometricDelay, UniformDelay
from theory import autoregression as ar
from theory import random_delays as rd
from theory import second_order, stability
from theory.distributions import get_model
from theory.linearise import mode_model
from theory.problem import Problem
from theory.validation import ParameterError, check_positive, check_positive_int

# Where the second-order expansion is trusted (issue 16): |second/first - 1| at most this. Inside,
# E1's level is compared with z SE alone; beyond it (near a boundary, large momentum) the next
# order matters and the comparison is reported, not asserted. Set from the expansion's own size,
# before any comparison with the simulator (claim E1).
LEVEL_DOMAIN = 0.035

GOAL = 0.02  # issue 16: the predicted level within 2% of the simulated one


@dataclass(frozen=True)
class Setting:
    """A spectrum (Sigma diagonal) and a data model of :mod:`theory.distributions`."""

    name: str
    eigenvalues: tuple[float, ...]
    distribution: str = "gaussian"

    def __post_init__(self) -> None:
        get_model(self.distribution)  # validates the name

    @property
    def problem(self) -> Problem:
        return Problem.from_eigenvalues(self.eigenvalues)

    def describe(self) -> str:
        lam = ",".join(f"{x:g}" for x in self.eigenvalues)
        return f"{self.name}: diag({lam}), {self.distribution}"


# The tested settings of issue 16 with their step sizes: Figure 1's spectrum (Gaussian and a
# bounded data model), a wide and a narrow gap, and a discrete data model.
SETTINGS: tuple[tuple[Setting, float], ...] = (
    (Setting("figure1", (4.0, 3.0, 2.0, 1.0), "gaussian"), 5e-4),
    (Setting("figure1-ball", (4.0, 3.0, 2.0, 1.0), "uniform-ball"), 5e-4),
    (Setting("d6-wide-gap", (5.0, 2.0, 1.5, 1.0, 0.7, 0.4), "gaussian"), 5e-4),
    (Setting("d3-narrow-gap", (2.0, 1.5, 1.0), "gaussian"), 1e-3),
    (Setting("d5-rademacher", (3.0, 2.0, 1.5, 1.0, 0.5), "rademacher"), 5e-4),
)


def setting(name: str) -> tuple[Setting, float]:
    """A tested setting and its step size, by name."""
    for s, eta_ in SETTINGS:
        if s.name == name:
            return s, eta_
    raise ParameterError("setting", name, "one of " + ", ".join(s.name for s, _ in SETTINGS))


def as_law(delay: int | rd.DelayDistribution) -> rd.DelayDistribution:
    """A constant delay as its (degenerate) law; laws pass through."""
    if isinstance(delay, rd.DelayDistribution):
        return delay
    return rd.constant(delay)


def simulator_delay(delay: int | rd.DelayDistribution) -> int | DelayModel:
    """The simulator's delay model for a delay or law of :mod:`theory.random_delays` (uniform
    on {0..T} and geometric with a mean have the same laws in both packages)."""
    law = as_law(delay)
    if law.family == "constant":
        return int(law.support[0])
    if law.family == "uniform":
        return UniformDelay(int(law.parameter))
    if law.family == "geometric" and law.ratio is not None:
        return GeometricDelay(float(law.parameter))
    raise ParameterError("delay", law.describe(), "constant, uniform or untruncated geometric")


def relaxation_steps(
    setting: Setting, eta: float, mu: float, delay: int | rd.DelayDistribution = 0
) -> float:
    """The slowest e-folding time (in steps) of E1's (mean) recursions over every mode, from
    the envelope of their impulse responses (the decay from the peak to e^-10 of it, / 10):
    1/(1 - rho) for a constant delay, rho the largest root modulus, and a finite answer for long
    i.i.d. delay laws too. inf when some mode does not decay (beyond the boundary)."""
    law = second_order._filter_law(as_law(delay))
    modes = mode_model(setting.problem, get_model(setting.distribution), eta).modes
    phis = [second_order._ar(mu, mode.c, law) for mode in modes]
    if law.family == "constant" and int(law.support[0]) <= 400:
        rho = max(float(np.max(np.abs(np.linalg.eigvals(ar.companion(p))))) for p in phis)
        return math.inf if rho >= 1.0 else 1.0 / (1.0 - rho)
    gs = second_order.impulse_responses(phis)
    if gs is None:
        return math.inf
    slowest = 0.0
    for g in np.abs(gs):
        peak = int(np.argmax(g))
        env = np.maximum.accumulate(g[::-1])[::-1]  # max over m >= n
        below = np.flatnonzero(env[peak:] < math.exp(-10.0) * g[peak])
        if below.size == 0:
            return math.inf
        slowest = max(slowest, below[0] / 10.0)
    return slowest


@dataclass(frozen=True)
class Measurement:
    """The simulated stationary level of one configuration."""

    mean: float  # E||v - v1||^2: mean over runs of the per-run time averages (inf if any diverged)
    se: float  # SD of the per-run time averages / sqrt(runs)
    runs: int
    steps: int
    burn_in: int  # updates dropped
    window: int  # updates averaged
    diverged: int
    seed: int
    seconds: float
    mode_means: tuple[float, ...] = ()  # per mode (radial (|h_1|-1)^2 first), from sampled h
    mode_ses: tuple[float, ...] = ()
    per_run: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False, compare=False)

    @property
    def rel_se(self) -> float:
        return self.se / self.mean if self.mean else math.inf


def measure_level(
    setting: Setting,
    eta: float,
    mu: float,
    delay: int | rd.DelayDistribution = 0,
    *,
    runs: int,
    seed: int,
    burn_in: float = 10.0,
    window: float = 200.0,
    engine: str = "auto",
    mode_samples: int = 0,
) -> Measurement:
    """Simulate eq. (5) from e_1 and measure its stationary E||v - v1||^2 with its SE.

    ``burn_in`` and ``window`` in relaxation times (:func:`relaxation_steps`); the largest delay
    is added to the burn-in. ``mode_samples`` > 0 also records h at that many evenly spaced
    steps of the window, for per-mode means of h_i^2 and (|h_1| - 1)^2 (diagnostics; their
    SE is over runs too).
    """
    runs = check_positive_int("runs", runs)
    check_positive("burn_in", burn_in)
    check_positive("window", window)
    law = as_law(delay)
    relax = relaxation_steps(setting, eta, mu, law)
    if not math.isfinite(relax):
        raise ParameterError("delay", law.describe(), "a delay below E1's boundary")
    top = second_order._filter_law(law).support.max()
    burn = math.ceil(burn_in * relax) + int(top)
    win = math.ceil(window * relax)
    steps = burn + win
    rec_steps: tuple[int, ...] = ()
    if mode_samples:
        rec_steps = tuple(
            int(k) for k in np.unique(np.linspace(burn + 1, steps, mode_samples).round())
        )
    t0 = time.perf_counter()
    res = simulate(
        setting.problem,
        Config(mu, eta, simulator_delay(law)),
        runs=runs,
        steps=steps,
        seed=seed,
        distribution=setting.distribution,
        start="e1",
        records=RecordSpec(
            steps=rec_steps, h=bool(mode_samples), delta=None, eps=None, window=win / steps
        ),
        engine=engine,
    )[0]
    seconds = time.perf_counter() - t0
    x = np.where(res.diverged, np.inf, res.stationary_error)
    mean = float(np.mean(x))
    se = (
        float(np.std(x, ddof=1) / math.sqrt(runs)) if runs > 1 and math.isfinite(mean) else math.nan
    )
    mode_means: tuple[float, ...] = ()
    mode_ses: tuple[float, ...] = ()
    if mode_samples and res.h_at is not None and not res.diverged.any():
        h = res.h_at
        sq = h**2
        sq[:, :, 0] = (np.abs(h[:, :, 0]) - 1.0) ** 2
        per_run = sq.mean(axis=1)  # (runs, d)
        mode_means = tuple(float(v) for v in per_run.mean(axis=0))
        mode_ses = tuple(float(v) for v in per_run.std(axis=0, ddof=1) / math.sqrt(runs))
    return Measurement(
        mean=mean,
        se=se,
        runs=runs,
        steps=steps,
        burn_in=burn,
        window=win,
        diverged=int(res.diverged.sum()),
        seed=int(seed),
        seconds=seconds,
        mode_means=mode_means,
        mode_ses=mode_ses,
        per_run=x,
    )


@dataclass(frozen=True)
class Comparison:
    """E1's predicted level (both orders) beside the simulated one, at one point."""

    setting: Setting
    eta: float
    mu: float
    delay: str  # the law, described
    family: str
    parameter: float  # tau (constant), T (uniform) or the mean (geometric)
    boundary: int  # E1's boundary in the same parameter (binding mode)
    prediction: second_order.LevelPrediction
    measurement: Measurement

    @property
    def fraction(self) -> float:
        """The delay parameter as a fraction of E1's boundary."""
        return self.parameter / self.boundary if self.boundary > 0 else math.nan

    @property
    def predicted_first_order(self) -> float:
        return self.prediction.first_order

    @property
    def predicted_second_order(self) -> float:
        return self.prediction.second_order

    @property
    def simulated(self) -> float:
        return self.measurement.mean

    @property
    def se(self) -> float:
        return self.measurement.se

    @property
    def rel_error(self) -> float:
        """predicted (second order) / simulated - 1."""
        return self.predicted_second_order / self.simulated - 1.0

    @property
    def rel_error_first_order(self) -> float:
        return self.predicted_first_order / self.simulated - 1.0

    @property
    def rel_se(self) -> float:
        """SE of rel_error (delta method: (1 + rel_error) se / simulated)."""
        return (1.0 + self.rel_error) * self.se / self.simulated

    @property
    def z(self) -> float:
        """(simulated - predicted) / SE for the second-order level."""
        return (self.simulated - self.predicted_second_order) / self.se

    def within(self, goal: float = GOAL) -> bool:
        """|rel_error| <= goal (issue 16's 2% goal; the SE is reported beside it)."""
        return bool(abs(self.rel_error) <= goal)

    def consistent(self, z: float) -> bool:
        """|simulated - predicted| <= z SE: no allowance beyond the sampling error."""
        return bool(abs(self.simulated - self.predicted_second_order) <= z * self.se)

    def as_dict(self) -> dict[str, object]:
        m = self.measurement
        return {
            "setting": self.setting.name,
            "eigenvalues": list(self.setting.eigenvalues),
            "distribution": self.setting.distribution,
            "eta": self.eta,
            "mu": self.mu,
            "delay": self.delay,
            "family": self.family,
            "parameter": self.parameter,
            "boundary": self.boundary,
            "fraction_of_boundary": self.fraction,
            "predicted_first_order": self.predicted_first_order,
            "predicted_second_order": self.predicted_second_order,
            "relative_correction": self.prediction.relative_correction,
            "simulated": self.simulated,
            "se": self.se,
            "rel_se": m.rel_se,
            "rel_error": self.rel_error,
            "rel_error_first_order": self.rel_error_first_order,
            "z": self.z,
            "runs": m.runs,
            "steps": m.steps,
            "burn_in": m.burn_in,
            "window": m.window,
            "diverged": m.diverged,
            "seed": m.seed,
            "seconds": m.seconds,
            "predicted_modes": [
                {"name": md.name, "first_order": md.first_order, "second_order": md.second_order}
                for md in self.prediction.modes
            ],
            "simulated_modes": list(m.mode_means),
            "simulated_modes_se": list(m.mode_ses),
        }


def compare(
    setting: Setting,
    eta: float,
    mu: float,
    delay: int | rd.DelayDistribution = 0,
    *,
    runs: int,
    seed: int,
    burn_in: float = 10.0,
    window: float = 200.0,
    engine: str = "auto",
    mode_samples: int = 0,
) -> Comparison:
    """:func:`measure_level` beside :func:`theory.second_order.predict` at one point."""
    law = as_law(delay)
    an = stability.analyse(setting.problem, setting.distribution, eta, mu, law.family)
    pred = second_order.predict(setting.problem, setting.distribution, eta, mu, law)
    meas = measure_level(
        setting,
        eta,
        mu,
        law,
        runs=runs,
        seed=seed,
        burn_in=burn_in,
        window=window,
        engine=engine,
        mode_samples=mode_samples,
    )
    return Comparison(
        setting, eta, mu, law.describe(), law.family, float(law.parameter), an.tau_max, pred, meas
    )


# --- convergence order in eta ----------------------------------------------------------------


@dataclass(frozen=True)
class OrderFit:
    """|residual| ~ A eta^order: weighted least squares of log|r| on log eta."""

    order: float
    se: float
    intercept: float
    n: int

    def ci(self, z: float) -> tuple[float, float]:
        return (self.order - z * self.se, self.order + z * self.se)


def fit_order(
    etas: Sequence[float], residuals: Sequence[float], residual_ses: Sequence[float]
) -> OrderFit:
    """The log-log slope of |residual| against eta, weights the inverse variances of log|r|
    (delta method: se/|r|); SE model-based. Needs every |r| > 0 (points at the noise floor
    should not be passed)."""
    x = np.log(np.asarray(etas, dtype=float))
    r = np.abs(np.asarray(residuals, dtype=float))
    if x.size < 2 or np.any(r <= 0):
        raise ParameterError("residuals", residuals, "at least two nonzero residuals")
    y = np.log(r)
    s = np.asarray(residual_ses, dtype=float) / r
    w = 1.0 / s**2
    design = np.column_stack([x, np.ones_like(x)])
    cov = np.linalg.inv(design.T @ (design * w[:, None]))
    beta = cov @ (design.T @ (w * y))
    return OrderFit(float(beta[0]), float(math.sqrt(cov[0, 0])), float(beta[1]), int(x.size))


@dataclass(frozen=True)
class EtaScan:
    """Comparisons at several eta (same setting, mu, delay) and the fitted residual orders."""

    comparisons: tuple[Comparison, ...]
    second_order: OrderFit
    first_order: OrderFit

    def as_dict(self) -> dict[str, object]:
        return {
            "points": [c.as_dict() for c in self.comparisons],
            "order_second": {"order": self.second_order.order, "se": self.second_order.se},
            "order_first": {"order": self.first_order.order, "se": self.first_order.se},
        }


def eta_scan(
    setting: Setting,
    mu: float,
    etas: Sequence[float],
    delay: int | rd.DelayDistribution = 0,
    *,
    runs: int | Sequence[int],
    seed: int,
    burn_in: float = 10.0,
    window: float | Sequence[float] = 200.0,
    engine: str = "auto",
) -> EtaScan:
    """:func:`compare` at each eta and :func:`fit_order` of both orders' relative residuals.

    ``runs`` and ``window`` may be given per eta (smaller eta: smaller residuals, which need a
    smaller SE to be resolved)."""
    n = len(etas)
    runs_ = [runs] * n if isinstance(runs, int) else list(runs)
    wins = [window] * n if isinstance(window, int | float) else list(window)
    comps = tuple(
        compare(setting, e, mu, delay, runs=r, seed=seed, burn_in=burn_in, window=w, engine=engine)
        for e, r, w in zip(etas, runs_, wins, strict=True)
    )
    second = fit_order(etas, [c.rel_error for c in comps], [c.rel_se for c in comps])
    first = fit_order(
        etas,
        [c.rel_error_first_order for c in comps],
        [(1 + c.rel_error_first_order) * c.se / c.simulated for c in comps],
    )
    return EtaScan(comps, second, first)
