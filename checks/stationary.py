"""Stationary moments of eq. (5) at the optimum (C4, C14, E1): per-mode time-averaged h_i^2 and
the lag autocorrelation, per run, with SEs over independent runs.

Runs start at the optimum e_1, burn in for eight relaxation times of the slowest mode (C4's
(1-mu)/(eta (lambda_1 - lambda_2)) updates, :func:`theory.ou.relaxation_steps_formula`) plus the
delay, then record h every half relaxation time. Per mode i >= 2 and per run: the time average
of h_i^2 / eta, and the lag-L autocorrelation rho = E[h_i(t) h_i(t+L)]/E[h_i^2], whose rate
-log(rho)/(L eta) is C4's relaxation rate. The per-run time averages are independent across runs,
so their SE over R runs is the sampling error (the autocorrelation is a ratio of means:
delta-method SE).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from checks.profile import Profile, Z
from checks.results import Evidence
from checks.stats import extrapolate_to_zero
from simulate import Config, RecordSpec, simulate
from theory import ou
from theory.distributions import get_model
from theory.problem import Problem

BURN_IN = 8.0  # relaxation times of the slowest mode
SAMPLES = 160  # recorded points per run after burn-in


@dataclass(frozen=True)
class StationaryData:
    mu: float
    tau: int
    eta: np.ndarray
    var: np.ndarray  # (eta, d-1): E h_i^2 / eta
    var_se: np.ndarray
    rate: np.ndarray  # (eta, d-1): relaxation rate estimate
    rate_se: np.ndarray
    runs: int


def ou_values(
    mu: float, spectrum: tuple[float, ...], distribution: str = "gaussian"
) -> tuple[np.ndarray, np.ndarray]:
    """C4's stationary variance of U_i and relaxation rate, i >= 2 (:func:`theory.ou.optimum_values`
    with the data model's exact alpha_{1,i}^2)."""
    problem = Problem.from_eigenvalues(spectrum)
    a2 = get_model(distribution).alpha2(problem)[0, 1:]
    return ou.optimum_values(mu, spectrum, a2)


def measure_stationary(
    mu: float,
    profile: Profile,
    *,
    spectrum: tuple[float, ...],
    etas: tuple[float, ...],
    runs: int,
    tau: int = 0,
    distribution: str = "gaussian",
) -> StationaryData:
    problem = Problem.from_eigenvalues(spectrum)
    relax_f = ou.relaxation_steps_formula()
    rows = []
    for eta in etas:
        relax = float(relax_f(eta, mu, spectrum[0], spectrum[1]))
        lag = max(1, round(0.5 * relax))
        burn = int(BURN_IN * relax) + tau
        steps = burn + lag * SAMPLES
        res = simulate(
            problem,
            Config(mu, eta, tau),
            runs=runs,
            steps=steps,
            seed=profile.seed,
            start="e1",
            records=RecordSpec(
                steps=tuple(range(burn, steps + 1, lag)), h=True, delta=None, eps=None
            ),
            distribution=distribution,
            engine=profile.engine,
        )[0]
        h = res.h_at[:, :, 1:]  # (runs, R, d-1)
        sq = np.mean(h**2, axis=1)  # per run
        prod = np.mean(h[:, :-1] * h[:, 1:], axis=1)
        var = sq.mean(axis=0) / eta
        var_se = sq.std(axis=0, ddof=1) / math.sqrt(runs) / eta
        rho = prod.mean(axis=0) / sq.mean(axis=0)
        # ratio of means: Var(rho) ~ Var(prod - rho sq) / (n mean(sq)^2)
        rho_se = (prod - rho * sq).std(axis=0, ddof=1) / math.sqrt(runs) / sq.mean(axis=0)
        rate = -np.log(rho) / (lag * eta)
        rate_se = rho_se / (rho * lag * eta)
        rows.append((eta, var, var_se, rate, rate_se))
    return StationaryData(
        mu=mu,
        tau=tau,
        eta=np.array([r[0] for r in rows]),
        var=np.array([r[1] for r in rows]),
        var_se=np.array([r[2] for r in rows]),
        rate=np.array([r[3] for r in rows]),
        rate_se=np.array([r[4] for r in rows]),
        runs=runs,
    )


def extrapolated(
    label: str, data: StationaryData, values, se, theory: float, **meta: object
) -> Evidence:
    est = extrapolate_to_zero(data.eta, values, se)
    return Evidence(
        label,
        float(theory),
        est.mean,
        Z * est.se,
        f"{data.runs} runs at eta = {list(data.eta)}, time-averaged after burn-in, "
        f"extrapolated linearly to eta -> 0; z = {Z:.2f} x SE",
        se=est.se,
        ci=est.ci(Z),
        **meta,
    )
