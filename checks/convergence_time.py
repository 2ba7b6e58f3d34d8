"""Phase III, measured (C5, C10): from just outside the eps-ball, the number of updates after
which a fraction of the runs is inside it, and the fractions at given times.

Setting: Gaussian data, phi = sum_{j>=2} alpha_{1,j}^2 (the convention Phase III's OU sum
produces), Proposition 6's step eta = c_eta (1-mu) eps (lambda_1-lambda_2)/phi
(:func:`theory.complexity.step_size`), start H(0) = (sqrt(1-delta^2), delta, 0, ..., 0) with
delta^2 = START_RATIO eps. Per point: U, the first recorded update at which at least TARGET of
the runs have sum_{i>=2} H_i^2 <= eps, with a bootstrap SE over runs; the fraction inside at the
derived and at the printed T3 (:func:`theory.phases.t3`); and E sum_{i>=2} H_i(T3)^2/eps.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from checks.profile import Profile
from simulate import Config, DelayModel, RecordSpec, simulate
from theory import complexity, phases
from theory.distributions import get_model
from theory.problem import Problem

SPECTRUM = (4.0, 3.0, 2.0, 1.0)  # the Phase III setting of C5 and C10
C_ETA = 0.25  # Proposition 6's eta constant: < 1/2, so T3's log is defined
TARGET = 0.75  # Proposition 6's success probability
GRID = 400
BOOTSTRAP = 200
START_RATIO = 4.0  # delta^2 / eps


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
    mean_delay: float
    max_delay: float


def phi(spectrum: tuple[float, ...], distribution: str = "gaussian") -> float:
    return get_model(distribution).phi(Problem.from_eigenvalues(spectrum), "offdiag")


def step_size(mu: float, eps: float, spectrum: tuple[float, ...], c_eta: float) -> float:
    """Proposition 6's eta at (mu, eps) with the constant c_eta."""
    f = complexity.step_size(complexity.PROP6)
    return float(f(c_eta, mu, eps, spectrum[0], spectrum[1], phi(spectrum)))


def t3_values(
    mu: float, eps: float, spectrum: tuple[float, ...], c_eta: float
) -> tuple[float, float]:
    """(derived T3, printed T3) at this point, from :func:`theory.phases.t3`."""
    eta = step_size(mu, eps, spectrum, c_eta)
    delta = math.sqrt(START_RATIO * eps)
    t3 = phases.t3()
    args = (mu, spectrum[0], spectrum[1], eps, eta, delta, phi(spectrum))
    return float(t3.derived.numpy(*args)), float(t3.printed_formula.numpy(*args))


def measure(
    mu: float,
    eps: float,
    profile: Profile,
    *,
    spectrum: tuple[float, ...],
    c_eta: float,
    runs: int,
    delay: DelayModel | int = 0,
) -> Phase3Point:
    problem = Problem.from_eigenvalues(spectrum)
    eta = step_size(mu, eps, spectrum, c_eta)
    d2 = START_RATIO * eps
    t3, t3_printed = t3_values(mu, eps, spectrum, c_eta)
    k3, k3p = round(t3 / eta), round(t3_printed / eta)
    steps = math.ceil(1.5 * t3 / eta)
    grid = tuple(sorted(set(RecordSpec.grid(steps, GRID)) | {k3, k3p}))
    config = Config(mu, eta, delay)
    start = np.zeros(problem.d)
    start[0], start[1] = math.sqrt(1 - d2), math.sqrt(d2)
    res = simulate(
        problem,
        config,
        runs=runs,
        steps=steps,
        seed=profile.seed,
        start=start,
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
    finite = np.isfinite(boot)
    return Phase3Point(
        mu=mu,
        eps=eps,
        eta=eta,
        delay=config.delay.spec,
        U=u,
        U_se=float(np.std(boot[finite], ddof=1)) if finite.sum() > 10 else math.inf,
        frac_derived=float(inside[:, j3].mean()),
        frac_printed=float(inside[:, j3p].mean()),
        mean_over_eps=float(np.nanmean(at3)),
        mean_over_eps_se=float(np.nanstd(at3, ddof=1) / math.sqrt(runs)),
        runs=runs,
        diverged=int(res.diverged.sum()),
        mean_delay=float(np.nanmean(res.delays.mean)),
        max_delay=float(np.max(res.delays.max)),
    )


def exponents(points: list[Phase3Point]) -> tuple[np.ndarray, np.ndarray]:
    """Weighted regression of log U on (1, log eps, log(1-mu), eps): coefficients and SEs; the
    eps term absorbs the O(eps) = O(delta^2) = O(eta) bias (the sphere's curvature at the start,
    the finite step)."""
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


def derived_exponents(
    mus: tuple[float, ...], epss: tuple[float, ...], spectrum: tuple[float, ...], c_eta: float
) -> tuple[float, float]:
    """The exponents of the derived T3/eta in eps and (1-mu) over the same points."""
    pts = [
        (mu, e, t3_values(mu, e, spectrum, c_eta)[0] / step_size(mu, e, spectrum, c_eta))
        for mu in mus
        for e in epss
    ]
    x = np.column_stack(
        [np.ones(len(pts)), np.log([p[1] for p in pts]), np.log([1 - p[0] for p in pts])]
    )
    beta, *_ = np.linalg.lstsq(x, np.log([p[2] for p in pts]), rcond=None)
    return float(beta[1]), float(beta[2])
