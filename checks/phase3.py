"""C5 (Proposition 6), C6 (Remark 7), C10 (linear speed-up): Phase III, measured.

Setting: Sigma = diag(4, 3, 2, 1), Gaussian data, phi = sum_{j>=2} alpha_{1,j}^2 (the convention
Phase III's OU sum produces), Proposition 6's step eta = c_eta (1-mu) eps (lambda_1-lambda_2)/phi
with c_eta = 1/4 (< 1/2, needed for T3's log to be defined), start H(0) = (sqrt(1-delta^2), delta,
0, 0) with delta^2 = 4 eps (outside the eps-ball, delta ~ sqrt(eta) with a constant).

Measured per (mu, eps, delay):
* U = the number of updates after which at least 3/4 of the runs have sum_{i>=2} H_i^2 <= eps
  (the iteration count behind N3 = U/tau), with a bootstrap SE over runs;
* the fraction inside the eps-ball at the derived T3 and at the printed T3 (must be >= 3/4);
* E sum_{i>=2} H_i(T3)^2 / eps at the derived T3 (the derivation bounds it by 1/4).

Error budget: fractions have binomial SEs over R independent runs; U's log-log exponents in eps
and (1-mu) come from a weighted regression log U = a + b_eps log eps + b_mu log(1-mu) + c eps,
whose c eps term absorbs the O(eps) = O(delta^2) = O(eta) bias (the sphere's curvature at the
start, the finite step); the exponents must lie within z SE of the derived ones (z: the suite's
Bonferroni z). Negative controls: exponents of wrong theories (momentum accelerating Phase III,
U ~ (1-mu); a delay that costs updates, U ~ tau).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from checks.profile import Profile, Z
from checks.results import CheckResult, Evidence
from checks.stats import extrapolate_to_zero, loglog_slope
from simulate import Config, DelayModel, RecordSpec, parse_delay, simulate
from theory import phases
from theory.distributions import get_model
from theory.problem import Problem

SPECTRUM = (4.0, 3.0, 2.0, 1.0)
C_ETA = 0.25
START_RATIO = 4.0  # delta^2 / eps
TARGET = 0.75  # Proposition 6's success probability
GRID = 400
BOOTSTRAP = 200


@dataclass(frozen=True)
class Phase3Point:
    mu: float
    eps: float
    eta: float
    delay: str
    U: float
    U_se: float
    frac_derived: float
    frac_printed: float
    mean_over_eps: float
    mean_over_eps_se: float
    runs: int
    diverged: int


def _problem() -> tuple[Problem, float]:
    problem = Problem.from_eigenvalues(SPECTRUM)
    return problem, get_model("gaussian").phi(problem, "offdiag")


def step_size(mu: float, eps: float) -> float:
    _, phi = _problem()
    return C_ETA * (1 - mu) * eps * (SPECTRUM[0] - SPECTRUM[1]) / phi


def t3_values(mu: float, eps: float) -> tuple[float, float]:
    """(derived T3, printed T3) at this point, from theory.phases."""
    _, phi = _problem()
    eta = step_size(mu, eps)
    delta = math.sqrt(START_RATIO * eps)
    t3 = phases.t3()
    derived = float(t3.derived.numpy(mu, SPECTRUM[0], SPECTRUM[1], eps, eta, delta, phi))
    printed = float(t3.printed_formula.numpy(mu, SPECTRUM[0], SPECTRUM[1], eps, eta, delta, phi))
    return derived, printed


def measure(
    mu: float, eps: float, profile: Profile, delay: DelayModel | int = 0, runs: int | None = None
) -> Phase3Point:
    problem, _ = _problem()
    runs = runs or profile.runs(1500)
    eta = step_size(mu, eps)
    d2 = START_RATIO * eps
    t3, t3_printed = t3_values(mu, eps)
    k3, k3p = round(t3 / eta), round(t3_printed / eta)
    steps = math.ceil(1.5 * t3 / eta)
    grid = tuple(sorted(set(RecordSpec.grid(steps, GRID)) | {k3, k3p}))
    config = Config(mu, eta, delay)
    res = simulate(
        problem,
        config,
        runs=runs,
        steps=steps,
        seed=profile.seed,
        start=np.array([math.sqrt(1 - d2), math.sqrt(d2), 0.0, 0.0]),
        records=RecordSpec(steps=grid, h=True, delta=None, eps=None),
        engine=profile.engine,
    )[0]
    off = np.sum(res.h_at[:, :, 1:] ** 2, axis=-1)  # (runs, R); NaN after a divergence
    inside = off <= eps
    rec = np.asarray(grid)
    rng = np.random.default_rng(
        np.random.SeedSequence(profile.seed, spawn_key=(11, round(mu * 1e6), round(eps * 1e9)))
    )

    def crossing(ins: np.ndarray) -> float:
        ok = ins.mean(axis=0) >= TARGET
        return float(rec[np.argmax(ok)]) if ok.any() else math.inf

    u = crossing(inside)
    boot = np.array([crossing(inside[rng.integers(0, runs, runs)]) for _ in range(BOOTSTRAP)])
    j3, j3p = int(np.searchsorted(rec, k3)), int(np.searchsorted(rec, k3p))
    at3 = off[:, j3] / eps
    return Phase3Point(
        mu=mu,
        eps=eps,
        eta=eta,
        delay=config.delay.spec,
        U=u,
        U_se=float(np.std(boot[np.isfinite(boot)], ddof=1))
        if np.isfinite(boot).sum() > 10
        else math.inf,
        frac_derived=float(inside[:, j3].mean()),
        frac_printed=float(inside[:, j3p].mean()),
        mean_over_eps=float(np.nanmean(at3)),
        mean_over_eps_se=float(np.nanstd(at3, ddof=1) / math.sqrt(runs)),
        runs=runs,
        diverged=int(res.diverged.sum()),
    )


def exponents(points: list[Phase3Point]) -> tuple[np.ndarray, np.ndarray]:
    """Weighted regression of log U on (1, log eps, log(1-mu), eps): coefficients and SEs."""
    u = np.array([p.U for p in points])
    s = np.array([p.U_se for p in points]) / u
    x = np.column_stack(
        [
            np.ones(len(points)),
            np.log([p.eps for p in points]),
            np.log([1 - p.mu for p in points]),
            [p.eps for p in points],
        ]
    )
    w = 1 / s**2
    cov = np.linalg.inv(x.T @ (x * w[:, None]))
    beta = cov @ (x.T @ (w * np.log(u)))
    return beta, np.sqrt(np.diag(cov))


def derived_exponents(mus: tuple[float, ...], epss: tuple[float, ...]) -> tuple[float, float]:
    """The exponents of T3/eta in eps and (1-mu) over the same points (log slopes)."""
    pts = [(mu, e, t3_values(mu, e)[0] / step_size(mu, e)) for mu in mus for e in epss]
    x = np.column_stack(
        [np.ones(len(pts)), np.log([p[1] for p in pts]), np.log([1 - p[0] for p in pts])]
    )
    beta, *_ = np.linalg.lstsq(x, np.log([p[2] for p in pts]), rcond=None)
    return float(beta[1]), float(beta[2])


def check_c5(
    profile: Profile,
    mus: tuple[float, ...] = (0.0, 0.5, 0.8),
    epss: tuple[float, ...] = (0.02, 0.01, 0.005),
) -> CheckResult:
    t0 = time.perf_counter()
    points = [measure(mu, e, profile) for mu in mus for e in epss]
    beta, se = exponents(points)
    d_eps, d_mu = derived_exponents(mus, epss)
    basis = (
        f"weighted regression over {len(points)} (mu, eps) points, {points[0].runs} runs "
        f"each, bootstrap SE of U, O(eps) bias term; z = {Z:.2f} x SE"
    )
    evidence = [
        Evidence(
            "exponent of eps in the update count U",
            d_eps,
            beta[1],
            Z * se[1],
            basis,
            se=se[1],
            ci=(beta[1] - Z * se[1], beta[1] + Z * se[1]),
        ),
        Evidence(
            "exponent of (1-mu) in U (Proposition 6's eta)",
            d_mu,
            beta[2],
            Z * se[2],
            basis,
            se=se[2],
            ci=(beta[2] - Z * se[2], beta[2] + Z * se[2]),
        ),
    ]
    # Proposition 6's probability statement, at every point, at the derived and printed T3
    worst_d = min(points, key=lambda p: p.frac_derived)
    worst_p = min(points, key=lambda p: p.frac_printed)
    for label, p, frac in (
        ("derived", worst_d, worst_d.frac_derived),
        ("printed", worst_p, worst_p.frac_printed),
    ):
        se_f = math.sqrt(max(frac * (1 - frac), 1 / p.runs) / p.runs)
        evidence.append(
            Evidence(
                f"P(sum_i H_i^2 <= eps at the {label} T3) >= 3/4 (worst point mu = "
                f"{p.mu}, eps = {p.eps})",
                TARGET,
                frac,
                Z * se_f,
                f"fraction of {p.runs} runs, binomial SE; z = {Z:.2f}",
                se=se_f,
                relation="lower",
            )
        )
    # the derivation's bound E sum H_i^2 <= eps/4 at the derived T3, extrapolated in eta
    for mu in mus:
        pts = [p for p in points if p.mu == mu]
        est = extrapolate_to_zero(
            [p.eta for p in pts], [p.mean_over_eps for p in pts], [p.mean_over_eps_se for p in pts]
        )
        evidence.append(
            Evidence(
                f"E sum_i H_i(T3)^2 / eps <= 1/4 (the derivation's bound), mu = {mu}",
                0.25,
                est.mean,
                Z * est.se,
                f"mean over runs, extrapolated linearly to eta -> 0; z = {Z:.2f} x SE",
                se=est.se,
                ci=est.ci(Z),
                relation="upper",
            )
        )
    controls = (
        Evidence(
            "wrong theory: momentum accelerates Phase III, U ~ (1-mu)^1",
            d_mu + 1,
            beta[2],
            Z * se[2],
            basis,
            se=se[2],
        ),
        Evidence(
            "wrong theory: U ~ eps^-(1/2+gamma) at gamma = 1/4 (N3's exponent taken as U's)",
            -0.75,
            beta[1],
            Z * se[1],
            basis,
            se=se[1],
        ),
    )
    ok = all(e.passed for e in evidence)
    return CheckResult(
        "C5",
        "Phase III: probability at T3, update-count exponents",
        "verified" if ok else "refuted",
        f"U ~ eps^{beta[1]:.3f} (1-mu)^{beta[2]:.3f} (derived {d_eps:.3f}, {d_mu:.3f}): with "
        "Proposition 6's eta the update count does not depend on mu; with tau ~ (1-mu)^2 "
        "eta^-(1/2-gamma) this gives N3's (1-mu)^-(3/2+gamma). At T3 at least "
        f"{worst_d.frac_derived:.3f} (derived) / {worst_p.frac_printed:.3f} (printed) of the runs "
        "are in the eps-ball",
        tuple(evidence),
        controls,
        seconds=time.perf_counter() - t0,
        details={"points": [p.__dict__ for p in points]},
    )


def check_c10(
    profile: Profile,
    mu: float = 0.5,
    eps: float = 0.02,
    workers: tuple[int, ...] = (1, 2, 4, 8, 16),
) -> CheckResult:
    """Linear speed-up: with W parameter-server workers (delays from the schedule, mean W-1)
    the update count U does not grow, so wall-clock time U/W falls like 1/W."""
    t0 = time.perf_counter()
    points = [measure(mu, eps, profile, delay=parse_delay(f"ps:{w}")) for w in workers]
    wall = np.array([p.U / w for p, w in zip(points, workers, strict=True)])
    wall_se = np.array([p.U_se / w for p, w in zip(points, workers, strict=True)])
    fit = loglog_slope(workers, wall, wall_se)
    basis = (
        f"weighted log-log fit of U/W over W = {list(workers)}, {points[0].runs} runs each, "
        f"bootstrap SE; z = {Z:.2f} x SE"
    )
    evidence = (
        Evidence(
            "exponent of W in wall-clock time U/W (linear speed-up: -1)",
            -1.0,
            fit.slope,
            Z * fit.se,
            basis,
            se=fit.se,
            ci=fit.ci(Z),
        ),
    )
    controls = (
        Evidence(
            "wrong theory: no speed-up (delay costs updates, U ~ W)",
            0.0,
            fit.slope,
            Z * fit.se,
            basis,
            se=fit.se,
        ),
    )
    ok = evidence[0].passed
    return CheckResult(
        "C10",
        "linear speed-up with parameter-server workers",
        "verified" if ok else "refuted",
        f"wall-clock time to the eps-ball ~ W^{fit.slope:.3f} for W = {list(workers)} workers "
        f"(mu = {mu}, eps = {eps}); U = {[int(p.U) for p in points]}",
        evidence,
        controls,
        seconds=time.perf_counter() - t0,
        details={"points": [p.__dict__ for p in points], "workers": list(workers)},
    )
