r"""The effect of a delay on each claim's own quantity at one (mu, eta, tau) (issue 13).

Every claim of the paper is a statement about a quantity of eq. (5): the mean path against the
ODE of Theorem 3 (C3), the stationary variances of Theorem 5 (C4), the escape law of Theorem 9
at Proposition 10's T1 (C9), the traverse time of Proposition 8 (C7), ... Each is predicted
*without* a delay: the delay enters only through a condition (tau <~ ...). This module measures
how much a delay tau changes the quantity, at one (mu, eta), with the simulator:

* two cells, tau = 0 and tau, with **common random numbers** (``crn=True``: the same data X_k
  in both, so the difference is the delay's and its SE is that of paired runs), the same
  length and the same records;
* per component k of the quantity (a mode, a time point, a probability), the deviation d_k of
  the delayed value from the delay-free one, its paired SE, the scale of the claim's 5 %
  relative band (:data:`BAND`) and the claim check's statistical tolerance ``Z x SE_check``
  (z the suite's Bonferroni z, SE_check the SE the claim's own check has at its run count,
  estimated from these runs and scaled to that count);
* two criteria (:class:`Effect`): ``stat`` = max_k |d_k| / (Z SE_check_k) and ``band`` =
  max_k |d_k| / (0.05 scale_k). The claim's delay-free prediction *still holds at tau* in the
  first sense when stat <= 1 (its own check could not tell the delay from none) and in the
  second when band <= 1 (the quantity moved by at most 5 %).

The delay-free value at finite eta is the tau = 0 simulation, not the printed limit: the
claims' own checks set it beside the printed value (extrapolating eta -> 0), and measuring the
delay against it keeps the delay's effect apart from the O(eta) bias of a diffusion limit.
Extrapolating to eta -> 0 at a *fixed* tau, as those checks do, would remove the delay's effect
too (it is O(tau eta)), which is why they cannot test a delay; the maps of
:mod:`checks.validity` measure at each eta. Each :class:`Effect` also reports the delay-free
value over the printed prediction (``delay_free``), so the finite-eta bias stays visible.

:func:`e1_growth` sets the measured stationary error E||v - v1||^2 (the simulator's
``stationary_error`` record) at tau against tau = 0 beside E1's predicted growth
(:mod:`theory.second_order`, :meth:`theory.stability.Analysis.stationary_error`).

Sizes are arguments; every seed is the explicit ``seed`` passed to the simulator. Cells are
:class:`simulate.cells.Cell` objects, so a caller may compute them through the resumable store
(:func:`simulate.runner.cached_results`) or directly (:func:`run_cells`), with the same bits.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from checks.profile import Profile, Z
from checks.results import Evidence
from checks.stationary_level import LEVEL_DOMAIN, Setting, relaxation_steps
from simulate.cells import Cell
from simulate.config import Config
from simulate.records import ConfigResult, RecordSpec
from theory import complexity, ode, ou, phases, second_order
from theory.distributions import get_model
from theory.problem import Problem
from theory.validation import ParameterError, check_tau

BAND = 0.05  # issue 13: the 5 % relative band
Z95 = 1.959963984540054  # two-sided 95 % normal quantile (CIs of crossings)
BURN_IN = 5.0  # E1 relaxation times dropped before the stationary average
WINDOW = 30.0  # E1 relaxation times averaged
SPACING = 0.5  # h recorded every half relaxation time of C4's slowest mode (as checks.stationary)
CHECK_SAMPLES = 160  # checks.stationary.SAMPLES: the C4 / C14 checks' samples per run
BOOTSTRAP = 200  # paired bootstrap draws for medians (C7)
C_DELTA2 = 20.0  # checks.escape.C_DELTA2: delta^2 = 20 eta at the saddle (C8, C9)
NU = 0.5  # the C9 check's nu
C3_START = np.array([0.2, 0.9, 0.3, 0.25]) / np.linalg.norm([0.2, 0.9, 0.3, 0.25])
C3_HORIZON = 2.5  # the C3 check's horizon and grid (time units)
C3_GRID = 0.1
C7_DELTA = 0.2  # the C7 check's delta
C_ETA = 0.25  # Proposition 6's eta constant (checks.convergence_time.C_ETA)
PHASE3_TARGET = 0.75
KINDS = ("path", "stationary", "escape", "traverse", "phase3")

Runner = Callable[[Sequence[Cell]], list[ConfigResult]]


@dataclass(frozen=True)
class ClaimSetting:
    """What a claim's quantity is and how it is simulated.

    ``kind``: the simulation (``path`` from C3's start, ``stationary`` from e_1, ``escape``
    from the saddle e_2, ``traverse`` from H_1(0)^2 = delta^2, ``phase3`` from near e_1);
    ``quantity``: which statistic of it (per mode, the tangential sum, ...); ``check_runs``:
    the run count of the claim's own check (profile.runs(base)), which sets SE_check;
    ``condition``: the paper's delay condition that governs the claim (a key of
    :data:`theory.delays.CONDITIONS`, None when the claim states none).
    """

    claim: str
    title: str
    kind: str
    quantity: str
    spectrum: tuple[float, ...]
    distribution: str
    check_runs: int
    condition: str | None
    condition_source: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"{self.claim}: unknown kind {self.kind!r}")
        get_model(self.distribution)

    def with_setting(
        self, spectrum: Sequence[float] | None = None, distribution: str | None = None
    ) -> ClaimSetting:
        from dataclasses import replace

        return replace(
            self,
            spectrum=tuple(float(x) for x in (spectrum or self.spectrum)),
            distribution=distribution or self.distribution,
        )

    @property
    def problem(self) -> Problem:
        return Problem.from_eigenvalues(self.spectrum)

    @property
    def level_setting(self) -> Setting:
        return Setting(self.claim, self.spectrum, self.distribution)


SPECTRUM = (4.0, 3.0, 2.0, 1.0)
CLAIMS: dict[str, ClaimSetting] = {
    "C3": ClaimSetting(
        "C3",
        "ODE mean path (Theorem 3)",
        "path",
        "sup_t |E h(t) - H(t)| over the path's excursion",
        SPECTRUM,
        "gaussian",
        2000,
        "C3",
        "Theorem 3",
    ),
    "C4": ClaimSetting(
        "C4",
        "OU stationary variance (Theorem 5)",
        "stationary",
        "modes",
        SPECTRUM,
        "rademacher",
        400,
        "C4",
        "Lemma 4, Theorem 5",
    ),
    "C5": ClaimSetting(
        "C5",
        "Phase III probability at T3 (Proposition 6)",
        "phase3",
        "P(sum_i H_i(T3)^2 <= eps) at the printed T3",
        SPECTRUM,
        "gaussian",
        1500,
        "C4",
        "Proposition 6 (C4's condition)",
    ),
    "C7": ClaimSetting(
        "C7",
        "Phase II traverse time (Proposition 8)",
        "traverse",
        "median first time with H_1^2 >= 1 - delta^2",
        SPECTRUM,
        "gaussian",
        3000,
        "C3",
        "Proposition 8 (C3's condition)",
    ),
    "C8": ClaimSetting(
        "C8",
        "unstable OU variance at a saddle (Theorem 9)",
        "escape",
        "Var U_1 at T1/2 and T1",
        SPECTRUM,
        "gaussian",
        4000,
        "C4",
        "Theorem 9 (C4's condition)",
    ),
    "C9": ClaimSetting(
        "C9",
        "escape law at T1 (Proposition 10)",
        "escape",
        "P(|h_1(T1)| >= delta)",
        SPECTRUM,
        "rademacher",
        4000,
        "C4",
        "Proposition 10 (C4's condition)",
    ),
    "C14": ClaimSetting(
        "C14",
        "stationary error ~ 1/(1-mu) (MSGD paper)",
        "stationary",
        "total",
        SPECTRUM,
        "gaussian",
        300,
        None,
        "none: the MSGD paper is synchronous (tau = 0)",
    ),
    "E1": ClaimSetting(
        "E1",
        "E1's stationary error growth",
        "stationary",
        "level",
        SPECTRUM,
        "gaussian",
        400,
        None,
        "E1's own boundary",
    ),
}


def get_setting(claim: str) -> ClaimSetting:
    try:
        return CLAIMS[claim]
    except KeyError:
        raise ParameterError("claim", claim, "one of " + ", ".join(CLAIMS)) from None


# --- the cells of one (mu, eta, tau) -----------------------------------------------------------


@dataclass(frozen=True)
class Design:
    """The simulation of one (setting, mu, eta, tau): run length, start and records, the same
    for the tau = 0 reference and the delayed cell (so that the pair shares its data)."""

    steps: int
    start: str | tuple[float, ...]
    records: RecordSpec
    extra: dict[str, float] = field(default_factory=dict)


def _c4_relax(s: ClaimSetting, mu: float, eta: float) -> float:
    """C4's relaxation time of the slowest mode in updates, (1-mu)/(eta (lambda_1-lambda_2))."""
    return float(ou.relaxation_steps_formula()(eta, mu, s.spectrum[0], s.spectrum[1]))


def alpha12(s: ClaimSetting) -> float:
    """alpha_{1,2} of the setting's data model (exact, :mod:`theory.distributions`)."""
    return math.sqrt(get_model(s.distribution).alpha2(s.problem)[0, 1])


def phi(s: ClaimSetting) -> float:
    """phi = sum_{j>=2} alpha_{1,j}^2 (Phase III's convention, checks.convergence_time)."""
    return float(get_model(s.distribution).phi(s.problem, "offdiag"))


def phase3_eps(s: ClaimSetting, mu: float, eta: float) -> float:
    """The eps of Proposition 6's eta = c_eta (1-mu) eps (lambda_1-lambda_2)/phi (c_eta 1/4)."""
    return eta * phi(s) / (C_ETA * (1.0 - mu) * (s.spectrum[0] - s.spectrum[1]))


def design(s: ClaimSetting, mu: float, eta: float, tau: int) -> Design:
    """The run length, start and records of the pair at (mu, eta, tau)."""
    tau = check_tau(tau)
    lam1, lam2 = s.spectrum[0], s.spectrum[1]
    if s.kind == "stationary":
        relax = relaxation_steps(s.level_setting, eta, mu, tau)
        if not math.isfinite(relax):
            raise ParameterError("tau", tau, "a delay below E1's boundary at this (mu, eta)")
        lag = max(1, round(SPACING * _c4_relax(s, mu, eta)))
        burn = math.ceil(BURN_IN * relax) + tau
        count = max(20, math.ceil(WINDOW * relax / lag))
        steps = burn + count * lag
        rec = RecordSpec(
            steps=tuple(range(burn + lag, steps + 1, lag)),
            h=True,
            delta=None,
            eps=None,
            window=(steps - burn) / steps,
        )
        return Design(steps, "e1", rec, {"relax": relax, "samples": count})
    if s.kind == "path":
        steps = round(C3_HORIZON / eta)
        every = max(1, round(C3_GRID / eta))
        rec = RecordSpec(steps=tuple(range(0, steps + 1, every)), h=True, delta=None, eps=None)
        return Design(steps, tuple(float(x) for x in _c3_start(s)), rec)
    if s.kind == "escape":
        delta = math.sqrt(C_DELTA2 * eta)
        z = _normal_quantile(NU)
        t1 = float(phases.t1().derived.numpy(mu, lam1, lam2, eta, delta, z, alpha12(s)))
        k = max(2, round(t1 / eta))
        half = max(1, round(0.5 * k))
        rec = RecordSpec(steps=(half, k), h=True, delta=delta, eps=None, saddle=2)
        return Design(k, "e2", rec, {"delta": delta, "T1": k * eta, "half": half * eta})
    if s.kind == "traverse":
        t2 = float(phases.t2().derived.numpy(mu, lam1, lam2, C7_DELTA))
        start = np.zeros(len(s.spectrum))
        start[0], start[1] = C7_DELTA, math.sqrt(1 - C7_DELTA**2)
        rec = RecordSpec(delta=C7_DELTA, eps=None)
        printed = float(phases.t2().printed_formula.numpy(mu, lam1, lam2, C7_DELTA))
        steps = math.ceil(3 * t2 / eta)
        return Design(steps, tuple(start), rec, {"T2": t2, "T2_printed": printed})
    # phase3: Proposition 6's setting at the eps that this eta implies
    eps = phase3_eps(s, mu, eta)
    d2 = 4.0 * eps  # checks.convergence_time.START_RATIO
    if not d2 < 1.0:
        raise ParameterError("eta", eta, f"a step giving eps < 1/4 (here eps = {eps:.3g})")
    delta = math.sqrt(d2)
    t3 = phases.t3()
    args = (mu, lam1, lam2, eps, eta, delta, phi(s))
    k3 = round(float(t3.derived.numpy(*args)) / eta)
    k3p = round(float(t3.printed_formula.numpy(*args)) / eta)
    steps = max(k3, k3p) + 1
    start = np.zeros(len(s.spectrum))
    start[0], start[1] = math.sqrt(1 - d2), math.sqrt(d2)
    rec = RecordSpec(steps=tuple(sorted({k3, k3p})), h=True, delta=None, eps=None)
    return Design(steps, tuple(start), rec, {"eps": eps, "k3": k3, "k3_printed": k3p})


def _c3_start(s: ClaimSetting) -> np.ndarray:
    d = len(s.spectrum)
    if d == C3_START.size:
        return C3_START
    v = np.full(d, 0.25)
    v[0], v[1] = 0.2, 0.9
    return v / np.linalg.norm(v)


def _normal_quantile(nu: float) -> float:
    from scipy.stats import norm

    return float(norm.ppf((1.0 + nu) / 2.0))


def cells(
    s: ClaimSetting,
    mu: float,
    eta: float,
    tau: int,
    *,
    runs: int,
    seed: int,
    design_tau: int = 0,
) -> tuple[Cell, Cell]:
    """The (tau = 0, tau) pair of cells: common random numbers, same length and records.
    ``design_tau``: size the run for this larger delay instead (so that pairs at several
    delays share one tau = 0 cell; :func:`effect` must be told the same)."""
    des = design(s, mu, eta, max(tau, design_tau))
    start = des.start if isinstance(des.start, str) else list(des.start)
    return tuple(  # type: ignore[return-value]
        Cell.from_config(
            s.problem,
            Config(mu, eta, t),
            runs=runs,
            steps=des.steps,
            seed=seed,
            distribution=s.distribution,
            start=start,
            records=des.records,
            crn=True,
        )
        for t in (0, tau)
    )


def run_cells(cells_: Sequence[Cell], engine: str = "auto") -> list[ConfigResult]:
    """Compute cells directly, without a store (bit-for-bit what the store would hold)."""
    from simulate.compute import simulate_cell

    return [simulate_cell(c, engine)[0] for c in cells_]


# --- effects -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Effect:
    """The delay's effect on a claim's quantity at (mu, eta, tau), in the two senses.

    ``stat``: max over components of |d_k| / (Z SE_check_k), <= 1 when the claim's own check
    could not tell the delay from none; ``band``: max_k |d_k| / (0.05 scale_k), <= 1 when the
    quantity moved by at most 5 %. ``*_se``: their SEs over the paired runs (the deciding
    component's). ``delay_free``/``delayed``: the quantity over the claim's printed prediction
    at tau = 0 and at tau (finite eta).
    """

    claim: str
    mu: float
    eta: float
    tau: int
    stat: float
    stat_se: float
    band: float
    band_se: float
    deviation: float  # signed relative deviation of the component deciding the band
    component: str
    delay_free: float
    delayed: float
    runs: int
    check_runs: int
    details: dict[str, object] = field(default_factory=dict)

    @classmethod
    def undecided(
        cls,
        base: dict,
        component: str,
        delay_free: float = math.nan,
        delayed: float = math.nan,
        details: dict[str, object] | None = None,
    ) -> Effect:
        """A pair whose quantity could not be measured (runs diverged, a time not reached):
        infinitely far from holding in both senses."""
        return cls(
            **base,
            stat=math.inf,
            stat_se=0.0,
            band=math.inf,
            band_se=0.0,
            deviation=math.inf,
            component=component,
            delay_free=delay_free,
            delayed=delayed,
            details=details or {},
        )

    def criterion(self, sense: str) -> tuple[float, float]:
        if sense == "stat":
            return self.stat, self.stat_se
        if sense == "band":
            return self.band, self.band_se
        raise ValueError(f"unknown sense {sense!r}")

    def holds(self, sense: str) -> bool:
        g, _ = self.criterion(sense)
        return bool(g <= 1.0)

    def as_dict(self) -> dict[str, object]:
        return {
            "tau": self.tau,
            "stat": self.stat,
            "stat_se": self.stat_se,
            "band": self.band,
            "band_se": self.band_se,
            "deviation": self.deviation,
            "component": self.component,
            "delay_free": self.delay_free,
            "delayed": self.delayed,
        }


def _combine(
    names: Sequence[str],
    d: np.ndarray,
    se: np.ndarray,
    scale: np.ndarray,
    tol: np.ndarray,
    stat_se: np.ndarray | None = None,
) -> tuple[float, float, float, float, float, str]:
    """(stat, stat_se, band, band_se, deviation, component) from per-component deviations.
    ``stat_se``: the SE of each |d|/tol where tol is estimated from the same runs
    (:func:`_stat_se`); without it, se/tol, the tolerance taken as exact (C7's alone: its
    tolerance is a bootstrap SE of a median, whose own noise would need a double bootstrap)."""
    d, se = np.asarray(d, dtype=float), np.asarray(se, dtype=float)
    scale, tol = np.asarray(scale, dtype=float), np.asarray(tol, dtype=float)
    if not np.all(np.isfinite(d)):
        return math.inf, 0.0, math.inf, 0.0, math.inf, "diverged"
    gs = np.abs(d) / tol
    gb = np.abs(d) / (BAND * scale)
    ks, kb = int(np.argmax(gs)), int(np.argmax(gb))
    sse = se / tol if stat_se is None else np.asarray(stat_se, dtype=float)
    return (
        float(gs[ks]),
        float(sse[ks]),
        float(gb[kb]),
        float(se[kb] / (BAND * scale[kb])),
        float(d[kb] / scale[kb]),
        str(names[kb]),
    )


def _paired_ratio(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """mean(y)/mean(x) - 1 over paired runs and its delta-method SE (paired covariance)."""
    n = x.size
    r = float(y.mean() / x.mean())
    se = float(np.std(y - r * x, ddof=1) / math.sqrt(n) / abs(x.mean()))
    return r - 1.0, se


# --- the stat criterion's SE: its tolerance is estimated from the same runs ---------------------
# The stat criterion |d| / tol divides by a tolerance (z x the check's SE) that is itself estimated
# from the delay-free runs. Its SE must carry that noise too: with 50 runs a standard deviation is
# known to about 1/sqrt(2 n) = 10 %, four times the noise of d at C4's validity corner (issue 14's
# calibration: std of the stat over 40 root seeds 0.084, se/tol alone 0.018). These are first-order
# influence functions (the delta method per run), so the covariance of d and tol is kept.


def _se_of(inf: np.ndarray) -> float | np.ndarray:
    """SE of a mean-like statistic from its per-run influence values (axis 0: runs)."""
    inf = np.asarray(inf, dtype=float)
    se = np.std(inf, axis=0, ddof=1) / math.sqrt(inf.shape[0])
    return float(se) if np.ndim(se) == 0 else se


def _ratio_influence(x: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """mean(y)/mean(x) - 1 and its per-run influence (y - r x)/mean(x)."""
    r = float(y.mean() / x.mean())
    return r - 1.0, (y - r * x) / abs(x.mean())


def _log_cv_influence(x: np.ndarray) -> np.ndarray:
    """Per-run influence of log(std(x)/mean(x))."""
    m, v = x.mean(axis=0), x.var(axis=0)
    return ((x - m) ** 2 - v) / (2.0 * v) - (x - m) / m


def _log_sd_influence(x: np.ndarray, floor: float = 0.0) -> np.ndarray:
    """Per-run influence of log max(std(x), floor) (axis 0: runs): zero on the floor."""
    m, v = x.mean(axis=0), np.maximum(x.var(axis=0), 1e-300)
    return np.where(np.sqrt(v) > floor, ((x - m) ** 2 - v) / (2.0 * v), 0.0)


def _log_binomial_sd_influence(i: np.ndarray, floor: float) -> np.ndarray:
    """Per-run influence of log sqrt(max(p (1 - p), floor)), p = mean(i): zero on the floor."""
    p = float(i.mean())
    if p * (1.0 - p) <= floor:
        return np.zeros_like(i, dtype=float)
    return (1.0 - 2.0 * p) / (2.0 * p * (1.0 - p)) * (i - p)


def _stat_se(d_inf: np.ndarray, d: np.ndarray, tol: np.ndarray, log_tol_inf: np.ndarray):
    """SE of |d| / tol, both estimated from the same runs (axis 0: runs; then components)."""
    g = np.abs(d) / tol
    # sign(0) taken as +1: at d = 0 the SE is se(d)/tol, not 0
    sign = np.where(np.asarray(d) >= 0, 1.0, -1.0)
    return _se_of(sign * d_inf / tol - g * log_tol_inf)


def effect(
    s: ClaimSetting,
    mu: float,
    eta: float,
    tau: int,
    ref: ConfigResult,
    delayed: ConfigResult,
    *,
    check_runs: int,
    seed: int = 0,
    design_tau: int = 0,
) -> Effect:
    """The delay's :class:`Effect` from the (tau = 0, tau) pair of :func:`cells`."""
    des = design(s, mu, eta, max(tau, design_tau))
    runs = ref.runs
    base = dict(claim=s.claim, mu=mu, eta=eta, tau=int(tau), runs=runs, check_runs=check_runs)
    if ref.diverged.any() or delayed.diverged.any():
        nd = int(ref.diverged.sum() + delayed.diverged.sum())
        return Effect.undecided(base, "diverged", details={"diverged": nd})
    kind = s.kind
    if kind == "stationary":
        return _stationary_effect(s, des, ref, delayed, base)
    if kind == "path":
        return _path_effect(s, des, ref, delayed, base)
    if kind == "escape":
        return _escape_effect(s, des, ref, delayed, base)
    if kind == "traverse":
        return _traverse_effect(s, des, ref, delayed, base, seed)
    return _phase3_effect(s, des, ref, delayed, base)


def _stationary_effect(s, des, ref, delayed, base) -> Effect:
    """C4 (per mode), C14 (the tangential sum), E1 (the full stationary error)."""
    eta, mu = base["eta"], base["mu"]
    n_check = base["check_runs"]
    samples = int(des.extra["samples"])
    window_scale = math.sqrt(samples / CHECK_SAMPLES)  # per-run variance ~ 1/samples
    x = np.mean(ref.h_at[:, :, 1:] ** 2, axis=1) / eta  # (runs, d-1): time-averaged U_i^2
    y = np.mean(delayed.h_at[:, :, 1:] ** 2, axis=1) / eta
    problem = s.problem
    a2 = get_model(s.distribution).alpha2(problem)[0, 1:]
    var_ou, _ = ou.optimum_values(mu, s.spectrum, a2)
    if s.quantity == "modes":
        names = [f"Var U_{i + 2}" for i in range(x.shape[1])]
        cols = [(x[:, k], y[:, k]) for k in range(x.shape[1])]
        theory = list(var_ou)
    elif s.quantity == "total":
        names = ["sum_i Var U_i"]
        cols = [(x.sum(axis=1), y.sum(axis=1))]
        theory = [float(var_ou.sum())]
    else:  # the full stationary error E||v - v1||^2 (E1's metric)
        names = ["E||v - v1||^2"]
        cols = [(ref.stationary_error, delayed.stationary_error)]
        pred = second_order.predict(problem, s.distribution, eta, mu, 0)
        theory = [pred.second_order]
    d, se, tol, sse, free, late = [], [], [], [], [], []
    for (a, b), th in zip(cols, theory, strict=True):
        dev, dse = _paired_ratio(a, b)
        cv = float(np.std(a, ddof=1) / a.mean())
        d.append(dev)
        se.append(dse)
        tol.append(Z * cv * window_scale / math.sqrt(n_check))
        sse.append(_stat_se(_ratio_influence(a, b)[1], dev, tol[-1], _log_cv_influence(a)))
        free.append(float(a.mean() / th))
        late.append(float(b.mean() / th))
    stat, stat_se, band, band_se, dev, comp = _combine(names, d, se, np.ones(len(d)), tol, sse)
    k = names.index(comp) if comp in names else 0
    worst = int(np.argmax(np.abs(np.array(free) - 1.0)))
    return Effect(
        **base,
        stat=stat,
        stat_se=stat_se,
        band=band,
        band_se=band_se,
        deviation=dev,
        component=comp,
        delay_free=free[worst],
        delayed=late[k],
        details={
            "components": names,
            "deviation": d,
            "se": se,
            "tolerance": tol,
            "delay_free": free,
            "delayed": late,
            "steps": des.steps,
            "samples": samples,
        },
    )


def _path_effect(s, des, ref, delayed, base) -> Effect:
    """C3: the delay's displacement of the mean path, per time point and coordinate."""
    eta, mu = base["eta"], base["mu"]
    times = np.asarray(des.records.steps, dtype=float) * eta
    closed = ode.solution(times, np.asarray(des.start), np.asarray(s.spectrum), mu)
    h0, h1 = ref.h_at[:, 1:, :], delayed.h_at[:, 1:, :]  # t = 0 is the start in both
    diff = h1 - h0
    d = diff.mean(axis=0).ravel()
    se = (diff.std(axis=0, ddof=1) / math.sqrt(diff.shape[0])).ravel()
    sd0 = h0.std(axis=0, ddof=1).ravel()
    tol = Z * np.maximum(sd0, 1e-12) / math.sqrt(base["check_runs"])
    excursion = float(np.max(np.abs(closed - closed[0])))
    names = [f"h_{i + 1}(t = {t:.2f})" for t in times[1:] for i in range(h0.shape[2])]
    flat0, flat = h0.reshape(h0.shape[0], -1), diff.reshape(diff.shape[0], -1)
    sse = _stat_se(flat - d, d, tol, _log_sd_influence(flat0, 1e-12))
    stat, stat_se, band, band_se, dev, comp = _combine(
        names, d, se, np.full(d.size, excursion), tol, sse
    )
    free = float(np.max(np.abs(h0.mean(axis=0) - closed[1:])) / excursion)
    late = float(np.max(np.abs(h1.mean(axis=0) - closed[1:])) / excursion)
    return Effect(
        **base,
        stat=stat,
        stat_se=stat_se,
        band=band,
        band_se=band_se,
        deviation=dev,
        component=comp,
        delay_free=free,
        delayed=late,
        details={"excursion": excursion, "steps": des.steps},
    )


def _escape_effect(s, des, ref, delayed, base) -> Effect:
    """C9: P(|h_1(T1)| >= delta); C8: Var U_1 at T1/2 and T1 (Theorem 9)."""
    eta, mu = base["eta"], base["mu"]
    n, n_check = ref.runs, base["check_runs"]
    delta = des.extra["delta"]
    if s.claim == "C8":
        a12 = alpha12(s)
        var = ou.saddle_variance_formula().numpy
        names, d, se, tol, sse, free, late = [], [], [], [], [], [], []
        for j, t in enumerate((des.extra["half"], des.extra["T1"])):
            x, y = ref.h_at[:, j, 0] ** 2 / eta, delayed.h_at[:, j, 0] ** 2 / eta
            dev, dse = _paired_ratio(x, y)
            th = float(var(t, mu, s.spectrum[0], s.spectrum[1], a12))
            names.append(f"Var U_1(t = {t:.3f})")
            d.append(dev)
            se.append(dse)
            tol.append(Z * float(np.std(x, ddof=1) / x.mean()) / math.sqrt(n_check))
            sse.append(_stat_se(_ratio_influence(x, y)[1], dev, tol[-1], _log_cv_influence(x)))
            free.append(float(x.mean() / th))
            late.append(float(y.mean() / th))
        stat, stat_se, band, band_se, dev, comp = _combine(names, d, se, np.ones(2), tol, sse)
        return Effect(
            **base,
            stat=stat,
            stat_se=stat_se,
            band=band,
            band_se=band_se,
            deviation=dev,
            component=comp,
            delay_free=free[1],
            delayed=late[1],
            details={"delay_free": free, "delayed": late, "steps": des.steps},
        )
    i0 = (ref.h_at[:, 1, 0] ** 2 >= delta**2).astype(float)
    i1 = (delayed.h_at[:, 1, 0] ** 2 >= delta**2).astype(float)
    p0, p1 = float(i0.mean()), float(i1.mean())
    d = np.array([p1 - p0])
    se = np.array([float(np.std(i1 - i0, ddof=1) / math.sqrt(n))])
    tol = np.array([Z * math.sqrt(max(p0 * (1 - p0), 1.0 / n_check) / n_check)])
    sse = [_stat_se((i1 - i0) - d[0], d[0], tol[0], _log_binomial_sd_influence(i0, 1 / n_check))]
    stat, stat_se, band, band_se, dev, comp = _combine(
        ["P(|h_1(T1)| >= delta)"], d, se, np.array([1.0 - NU]), tol, sse
    )
    return Effect(
        **base,
        stat=stat,
        stat_se=stat_se,
        band=band,
        band_se=band_se,
        deviation=dev,
        component=comp,
        delay_free=p0 / (1.0 - NU),
        delayed=p1 / (1.0 - NU),
        details={"p0": p0, "p": p1, "T1": des.extra["T1"], "steps": des.steps},
    )


def _median(t: np.ndarray) -> float:
    return float(np.median(t))


def _traverse_effect(s, des, ref, delayed, base, seed: int) -> Effect:
    """C7: the median traverse time; paired bootstrap over runs for its SE."""
    eta = base["eta"]
    n, n_check = ref.runs, base["check_runs"]
    t0 = np.where(ref.convergence_step >= 0, ref.convergence_step * eta, np.inf)
    t1 = np.where(delayed.convergence_step >= 0, delayed.convergence_step * eta, np.inf)
    m0, m1 = _median(t0), _median(t1)
    if not (math.isfinite(m0) and math.isfinite(m1)):
        return Effect.undecided(
            base,
            "median traverse time (not reached)",
            m0 / des.extra["T2"],
            m1 / des.extra["T2"],
        )
    key = (13, round(base["mu"] * 1e6), round(eta * 1e9), int(base["tau"]))
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=key))
    idx = rng.integers(0, n, size=(BOOTSTRAP, n))
    b0 = np.median(t0[idx], axis=1)
    b1 = np.median(t1[idx], axis=1)
    ok = np.isfinite(b0) & np.isfinite(b1)
    rel = b1[ok] / b0[ok] - 1.0
    se_rel = float(np.std(rel, ddof=1)) if ok.sum() > 10 else math.inf
    se_m0 = float(np.std(b0[np.isfinite(b0)], ddof=1))
    tol = Z * se_m0 * math.sqrt(n / n_check) / m0  # the check's bootstrap SE at its runs
    stat, stat_se, band, band_se, dev, comp = _combine(
        ["median traverse time"], [m1 / m0 - 1.0], [se_rel], [1.0], [tol]
    )
    return Effect(
        **base,
        stat=stat,
        stat_se=stat_se,
        band=band,
        band_se=band_se,
        deviation=dev,
        component=comp,
        delay_free=m0 / des.extra["T2"],
        delayed=m1 / des.extra["T2"],
        details={
            "median0": m0,
            "median": m1,
            "T2_derived": des.extra["T2"],
            "T2_printed": des.extra["T2_printed"],
            "steps": des.steps,
        },
    )


def _phase3_effect(s, des, ref, delayed, base) -> Effect:
    """C5: the fraction inside the eps-ball at the printed T3 (Proposition 6: >= 3/4)."""
    eps = des.extra["eps"]
    n, n_check = ref.runs, base["check_runs"]
    j = list(des.records.steps).index(int(des.extra["k3_printed"]))
    i0 = (np.sum(ref.h_at[:, j, 1:] ** 2, axis=-1) <= eps).astype(float)
    i1 = (np.sum(delayed.h_at[:, j, 1:] ** 2, axis=-1) <= eps).astype(float)
    p0, p1 = float(i0.mean()), float(i1.mean())
    d = np.array([p1 - p0])
    se = np.array([float(np.std(i1 - i0, ddof=1) / math.sqrt(n))])
    tol = np.array([Z * math.sqrt(max(p0 * (1 - p0), 1.0 / n_check) / n_check)])
    sse = [_stat_se((i1 - i0) - d[0], d[0], tol[0], _log_binomial_sd_influence(i0, 1 / n_check))]
    stat, stat_se, band, band_se, dev, comp = _combine(
        ["P(inside the eps-ball at the printed T3)"], d, se, np.array([PHASE3_TARGET]), tol, sse
    )
    return Effect(
        **base,
        stat=stat,
        stat_se=stat_se,
        band=band,
        band_se=band_se,
        deviation=dev,
        component=comp,
        delay_free=p0 / PHASE3_TARGET,
        delayed=p1 / PHASE3_TARGET,
        details={"p0": p0, "p": p1, "eps": eps, "steps": des.steps},
    )


def measure(
    s: ClaimSetting,
    mu: float,
    eta: float,
    tau: int,
    profile: Profile,
    *,
    runs: int,
    runner: Runner | None = None,
    check_runs: int | None = None,
    design_tau: int = 0,
) -> tuple[Effect, ConfigResult, ConfigResult]:
    """Simulate the pair at (mu, eta, tau) and return its :class:`Effect` (and the results).
    ``check_runs``: the claim check's run count that sets the stat tolerance (default: the
    profile's); ``design_tau``: as :func:`cells`."""
    pair = cells(s, mu, eta, tau, runs=runs, seed=profile.seed, design_tau=design_tau)
    res = (runner or (lambda c: run_cells(c, profile.engine)))(list(pair))
    eff = effect(
        s,
        mu,
        eta,
        tau,
        res[0],
        res[1],
        check_runs=check_runs or profile.runs(s.check_runs),
        seed=profile.seed,
        design_tau=design_tau,
    )
    return eff, res[0], res[1]


# --- E1's growth of the stationary error --------------------------------------------------------


@dataclass(frozen=True)
class Growth:
    """The measured E||v - v1||^2 at tau over tau = 0, beside E1's predicted ratio."""

    measured: float
    se: float
    predicted: float  # E1 to second order (theory.second_order)
    predicted_first_order: float  # E1's closure
    tau: int
    fraction: float  # tau over E1's boundary

    correction: float = 0.0  # the larger |second/first - 1| of the two levels

    @property
    def inside(self) -> bool:
        """Inside the second-order expansion's domain (``LEVEL_DOMAIN``, issue 16)."""
        return self.correction <= LEVEL_DOMAIN

    def evidence(self, label: str, **meta: object) -> Evidence:
        """Inside the expansion's domain: E1's ratio (to second order) within z SE, no other
        allowance. Beyond it only the direction is asserted (the error does not fall with the
        delay) and E1's ratio is reported beside it: there the next order matters."""
        basis = f"paired runs (common random numbers) at tau = {self.tau} and 0, delta-method SE"
        ci = (self.measured - Z * self.se, self.measured + Z * self.se)
        if self.inside:
            return Evidence(
                label,
                self.predicted,
                self.measured,
                Z * self.se,
                f"{basis}; z = {Z:.2f} x SE, no other allowance (second-order correction "
                f"{self.correction:.1%} <= {LEVEL_DOMAIN:.1%})",
                se=self.se,
                ci=ci,
                **meta,
            )
        off = self.measured / self.predicted - 1 if math.isfinite(self.measured) else math.inf
        return Evidence(
            f"{label}; beyond the second-order domain: at least 1",
            1.0,
            self.measured,
            Z * self.se,
            f"{basis}; z = {Z:.2f} x SE; beyond the second-order domain (correction "
            f"{self.correction:.1%} > {LEVEL_DOMAIN:.1%}) only the direction is asserted",
            se=self.se,
            ci=ci,
            relation="lower",
            **{**meta, "form": "bound"},
            note=f"E1's ratio to second order {self.predicted:.4g}, measured off by {off:+.1%}",
        )


def e1_growth(
    s: ClaimSetting, mu: float, eta: float, tau: int, ref: ConfigResult, delayed: ConfigResult
) -> Growth:
    """Measured and predicted growth of the full stationary error (a ``stationary`` pair)."""
    from checks.delay_range import e1_tau_max

    if ref.diverged.any() or delayed.diverged.any():
        measured, se = math.inf, 0.0
    else:
        dev, se = _paired_ratio(ref.stationary_error, delayed.stationary_error)
        measured = 1.0 + dev
    p0 = second_order.predict(s.problem, s.distribution, eta, mu, 0)
    pt = second_order.predict(s.problem, s.distribution, eta, mu, int(tau))
    boundary = e1_tau_max(tuple(s.spectrum), s.distribution, eta, mu)
    return Growth(
        measured=measured,
        se=se,
        predicted=pt.second_order / p0.second_order,
        predicted_first_order=pt.first_order / p0.first_order,
        tau=int(tau),
        fraction=tau / max(boundary, 1),
        correction=max(abs(pt.relative_correction), abs(p0.relative_correction)),
    )


def stationary_twin(s: ClaimSetting) -> ClaimSetting:
    """The stationary setting (same spectrum and data) on which E1's growth is measured for a
    claim whose own quantity is transient (C3, C5, C7, C8, C9)."""
    from dataclasses import replace

    return replace(s, kind="stationary", quantity="level")


def relative_to_boundary(s: ClaimSetting, mu: float, eta: float) -> int:
    """E1's boundary tau_E1(mu, eta) of the setting (binding mode, constant delay)."""
    from checks.delay_range import e1_tau_max

    return e1_tau_max(tuple(s.spectrum), s.distribution, eta, mu)


def step_size_phase3(s: ClaimSetting, mu: float, eps: float) -> float:
    """Proposition 6's eta at (mu, eps) with c_eta = 1/4 (for callers that draw eps)."""
    f = complexity.step_size(complexity.PROP6)
    return float(f(C_ETA, mu, eps, s.spectrum[0], s.spectrum[1], phi(s)))
