r"""Where the linear speed-up of Remark 11 (C10) ends: Phase III with W parameter-server
workers.

Setting (Proposition 6, C5): from H(0) = (sqrt(1 - delta^2), delta, 0, ...) with delta^2 =
:data:`START_RATIO` eps, the number of updates U after which at least :data:`TARGET` (3/4) of
the runs are in the eps-ball sum_{i>=2} H_i^2 <= eps at every recorded step up to the horizon
(converged: in the ball and staying there; a delay beyond E1's boundary lets the runs reach
the ball and leave it again, which a first passage would not see). The step eta is fixed
across momenta (as in Figure 1) and eps is Proposition 6's at that eta, eps = eta phi/(c_eta
(1-mu)(lambda_1-lambda_2)) with c_eta = 1/4, so the stationary level sits at the same fraction
of the ball at every mu.

Delays come from the parameter-server model ``ps:W`` of :mod:`simulate.delays`: W workers
with i.i.d. compute times of mean 1. The paper assumes workers of similar performance ("all
GPUs are the same"); with lognormal times of small spread (:data:`TIMES`, sigma 0.1) the
realised delays concentrate at W - 1, which E1's constant-delay boundary tau_E1 describes. With
exponential times they are geometric with mean W - 1, far more stable (E1's mean-square
boundary of a geometric law is ~100x the constant one). Sigma 0.02 keeps the delays within a
few per cent of W - 1 (the regime of E1's constant-delay boundary); larger spreads stabilise.
W updates run in parallel, so the wall-clock time is U/W compute times.

Per W: U with a bootstrap SE and percentile 95 % interval over runs, the wall time U/W with
its own, the realised delays. Along W (a doubling grid, then a bisection on integer W): the
largest W at which U is not significantly (1.96 SE) beyond 5 % above U(1) (the linear
speed-up holds, ``w_linear``), the W
of the shortest wall time (``w_fastest``) and the first W at which 3/4 of the runs never
reach the ball within the horizon (``w_break``), set beside W_E1 = tau_E1 + 1 (the W whose
typical delay W - 1 reaches E1's boundary) and the paper's condition at constant 1. Sizes are
arguments; the seed is the explicit root ``seed``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

from checks.delay_range import e1_tau_max
from checks.stats import loglog_slope
from simulate.config import Config
from simulate.delays import parse_delay
from simulate.engine import simulate
from simulate.records import RecordSpec
from theory import complexity, delays, phases
from theory.distributions import get_model
from theory.problem import Problem

SPECTRUM = (4.0, 3.0, 2.0, 1.0)
C_ETA = 0.25
TARGET = 0.75
START_RATIO = 2.0  # delta^2 / eps (below 1 up to eps = 1/2)
HORIZON = 4.0  # derived T3s simulated ...
HORIZON_DELAYS = 20  # ... plus 20 delays W, so that a delay has time to act after its ramp
GRID = 200  # records per derived T3 (the same spacing at every W)
BOOTSTRAP = 200
BAND = 0.05
TIMES = "lognormal:0.02"


@dataclass(frozen=True)
class SpeedupPoint:
    mu: float
    eta: float
    eps: float
    workers: int
    delay: str
    U: float  # updates until 3/4 of the runs are in the eps-ball (inf: not within the horizon)
    U_se: float
    U_ci: tuple[float, float]
    wall: float  # U / W, in compute times
    wall_se: float
    wall_ci: tuple[float, float]
    runs: int
    diverged: int
    mean_delay: float
    max_delay: int
    q99_delay: int

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def phi(distribution: str, spectrum: Sequence[float] = SPECTRUM) -> float:
    return float(get_model(distribution).phi(Problem.from_eigenvalues(spectrum), "offdiag"))


def eps_of(mu: float, eta: float, distribution: str, spectrum=SPECTRUM) -> float:
    """Proposition 6's eps at this eta: eta = c_eta (1-mu) eps (lambda_1-lambda_2)/phi."""
    f = complexity.step_size(complexity.PROP6)
    unit = float(f(C_ETA, mu, 1.0, spectrum[0], spectrum[1], phi(distribution, spectrum)))
    return eta / unit


def t3_derived(mu: float, eta: float, eps: float, distribution: str, spectrum=SPECTRUM) -> float:
    delta = math.sqrt(START_RATIO * eps)
    t3 = phases.t3()
    return float(
        t3.derived.numpy(mu, spectrum[0], spectrum[1], eps, eta, delta, phi(distribution, spectrum))
    )


def measure_point(
    mu: float,
    eta: float,
    workers: int,
    *,
    runs: int,
    seed: int,
    distribution: str = "rademacher",
    times: str = TIMES,
    spectrum: tuple[float, ...] = SPECTRUM,
    engine: str = "auto",
) -> SpeedupPoint:
    problem = Problem.from_eigenvalues(spectrum)
    eps = eps_of(mu, eta, distribution, spectrum)
    d2 = START_RATIO * eps
    t3 = t3_derived(mu, eta, eps, distribution, spectrum)
    steps = math.ceil(HORIZON * t3 / eta) + HORIZON_DELAYS * workers
    every = max(1, round(t3 / eta / GRID))
    grid = tuple(range(0, steps + 1, every))
    spec = f"ps:{workers}" + (f":{times}" if times != "exponential" else "")
    start = np.zeros(problem.d)
    start[0], start[1] = math.sqrt(1 - d2), math.sqrt(d2)
    res = simulate(
        problem,
        Config(mu, eta, parse_delay(spec)),
        runs=runs,
        steps=steps,
        seed=seed,
        distribution=distribution,
        start=start,
        records=RecordSpec(steps=grid, h=True, delta=None, eps=None),
        engine=engine,
    )[0]
    off = np.sum(res.h_at[:, :, 1:] ** 2, axis=-1)
    with np.errstate(invalid="ignore"):
        inside = off <= eps  # NaN (diverged) counts as outside
    rec = np.asarray(grid, dtype=float)

    def crossing(ins: np.ndarray) -> float:
        # the first record from which the fraction inside stays >= 3/4 to the horizon
        frac = ins.mean(axis=0)
        ok = np.minimum.accumulate(frac[::-1])[::-1] >= TARGET
        return float(rec[np.argmax(ok)]) if ok.any() else math.inf

    u = crossing(inside)
    rng = np.random.default_rng(
        np.random.SeedSequence(seed, spawn_key=(17, round(mu * 1e6), round(eta * 1e9), workers))
    )
    boot = np.array([crossing(inside[rng.integers(0, runs, runs)]) for _ in range(BOOTSTRAP)])
    fin = boot[np.isfinite(boot)]
    u_se = float(np.std(fin, ddof=1)) if fin.size > 10 else math.inf
    lo, hi = np.percentile(boot, [2.5, 97.5]) if fin.size == boot.size else (u, math.inf)
    summ = res.delays.summary()
    return SpeedupPoint(
        mu=mu,
        eta=eta,
        eps=eps,
        workers=workers,
        delay=res.config.delay.spec,
        U=u,
        U_se=u_se,
        U_ci=(float(lo), float(hi)),
        wall=u / workers,
        wall_se=u_se / workers,
        wall_ci=(float(lo) / workers, float(hi) / workers),
        runs=runs,
        diverged=int(res.diverged.sum()),
        mean_delay=float(summ["delay_mean"]),
        max_delay=int(summ["delay_max"] or 0),
        q99_delay=int(summ["delay_quantiles"]["0.99"]),
    )


@dataclass(frozen=True)
class Breakdown:
    """One momentum's speed-up curve and where it ends."""

    mu: float
    eta: float
    eps: float
    distribution: str
    times: str
    points: tuple[SpeedupPoint, ...]  # sorted by W
    w_linear: int  # largest W with U not significantly above (1 + 5 %) U(1)
    w_linear_next: int  # the smallest simulated W beyond it that fails (0: none)
    w_fastest: int  # W of the shortest wall time
    w_break: int  # first W with U = inf (0: none simulated)
    tau_e1: int
    w_e1: int  # tau_E1 + 1
    tau_condition: float  # the paper's condition (constant 1, gamma -> 0)
    control: float | None  # U(1.3 w_linear)/U(1) - 1 over the band (> 1: rejected)

    @property
    def u1(self) -> SpeedupPoint:
        return self.points[0]

    def point(self, w: int) -> SpeedupPoint:
        return next(p for p in self.points if p.workers == w)

    @property
    def w_linear_interval(self) -> tuple[float, float]:
        """95 %: the nearest simulated W significantly inside / outside the 5 % band."""
        u1 = self.u1
        lo, hi = 1.0, math.inf
        for p in self.points:
            if not math.isfinite(p.U):
                if p.workers > self.w_linear:
                    hi = min(hi, p.workers)
                continue
            rel = p.U / u1.U - 1.0
            se = math.hypot(p.U_se, u1.U_se) / u1.U
            if p.workers <= self.w_linear and rel + 1.96 * se < BAND:
                lo = max(lo, p.workers)
            if p.workers > self.w_linear and rel - 1.96 * se > BAND:
                hi = min(hi, p.workers)
        return lo, hi

    @property
    def max_delay_fraction(self) -> float:
        return max(p.max_delay for p in self.points) / max(self.tau_e1, 1)

    def as_dict(self) -> dict[str, object]:
        return {
            "mu": self.mu,
            "eta": self.eta,
            "eps": self.eps,
            "distribution": self.distribution,
            "compute_times": self.times,
            "points": [p.as_dict() for p in self.points],
            "w_linear": self.w_linear,
            "w_linear_ci": list(self.w_linear_interval),
            "w_fastest": self.w_fastest,
            "w_break": self.w_break,
            "tau_e1": self.tau_e1,
            "w_e1": self.w_e1,
            "tau_condition": self.tau_condition,
            "w_condition": self.tau_condition + 1.0,
            "control_1.3x": self.control,
            "max_delay_fraction": self.max_delay_fraction,
        }


def condition_delay(mu: float, eta: float, distribution: str, spectrum=SPECTRUM) -> float:
    """C10's condition tau ~ (1-mu)^2/((lambda_1 + C_d) eta^(1/2-gamma)) at constant 1,
    gamma -> 0 (0 for unbounded data: A2 fails)."""
    cd = float(get_model(distribution).C_d(Problem.from_eigenvalues(spectrum))[0])
    if not math.isfinite(cd):
        return 0.0
    cond = delays.CONDITIONS["C10"]
    return float(
        cond.formula(*cond.formula.kwargs(mu=mu, eta=eta, gamma=0.0, lambda_1=spectrum[0], C_d=cd))
    )


def breakdown(
    mu: float,
    eta: float,
    *,
    runs: int,
    seed: int,
    distribution: str = "rademacher",
    times: str = TIMES,
    w_max_factor: float = 2.0,
    engine: str = "auto",
    precision: float = 0.1,
) -> Breakdown:
    """U(W) on W = 1, 2, 4, ... up to past w_max_factor x W_E1, then a bisection on integer W
    for where U leaves the 5 % band around U(1)."""
    t_e1 = e1_tau_max(SPECTRUM, distribution, eta, mu)
    memo: dict[int, SpeedupPoint] = {}

    def at(w: int) -> SpeedupPoint:
        if w not in memo:
            memo[w] = measure_point(
                mu, eta, w, runs=runs, seed=seed, distribution=distribution, times=times,
                engine=engine,
            )  # fmt: skip
        return memo[w]

    def holds(w: int) -> bool:
        """Not significantly (1.96 SE) beyond the 5 % band around U(1)."""
        p, u1 = at(w), at(1)
        if not math.isfinite(p.U):
            return False
        return bool((1 + BAND) * u1.U + 1.96 * math.hypot(p.U_se, u1.U_se) >= p.U)

    w, last_ok, first_bad = 1, 1, 0
    while True:
        if holds(w):
            last_ok = w
        elif first_bad == 0:
            first_bad = w
        if w > w_max_factor * (t_e1 + 1) and not math.isfinite(at(w).U):
            break
        if w >= 8 * (t_e1 + 1):
            break
        w *= 2
    lo, hi = last_ok, first_bad
    if hi:
        lo = max(p for p in memo if p < hi and holds(p))
        while hi - lo > max(1, math.ceil(precision * lo)):
            mid = round(math.sqrt(lo * hi))
            mid = min(max(mid, lo + 1), hi - 1)
            lo, hi = (mid, hi) if holds(mid) else (lo, mid)
    control = None
    if hi:
        wc = round(1.3 * lo)
        pc = at(wc) if wc > lo else None
        if pc is not None:
            control = (pc.U / at(1).U - 1.0) / BAND if math.isfinite(pc.U) else math.inf
    pts = tuple(memo[k] for k in sorted(memo))
    finite = [p for p in pts if math.isfinite(p.wall)]
    fastest = min(finite, key=lambda p: p.wall).workers if finite else 1
    broken = [p.workers for p in pts if not math.isfinite(p.U)]
    return Breakdown(
        mu=mu,
        eta=eta,
        eps=pts[0].eps,
        distribution=distribution,
        times=times,
        points=pts,
        w_linear=lo,
        w_linear_next=hi,
        w_fastest=fastest,
        w_break=min(broken) if broken else 0,
        tau_e1=t_e1,
        w_e1=t_e1 + 1,
        tau_condition=condition_delay(mu, eta, distribution),
        control=control,
    )


def tradeoff_exponent(curves: Sequence[Breakdown], which: str = "w_linear"):
    """The log-log slope of a breakdown W (w_linear, w_e1) against 1 - mu, with its SE (for
    w_linear, weights from the 95 % intervals)."""
    one_minus = [1.0 - c.mu for c in curves]
    if which == "w_e1":
        return loglog_slope(one_minus, [c.w_e1 for c in curves])
    ws = [float(c.w_linear) for c in curves]
    ses = []
    for c in curves:
        lo, hi = c.w_linear_interval
        hi = hi if math.isfinite(hi) else 2.0 * c.w_linear
        ses.append(max((hi - lo) / (2 * 1.96), 0.5))  # at least half a worker
    return loglog_slope(one_minus, ws, ses)
