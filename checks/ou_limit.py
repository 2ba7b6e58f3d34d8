"""C4 (Lemma 4 + Theorem 5) and the stationary half of C14: the OU limit at the optimum.

Runs start at the optimum e_1 of Sigma = diag(4, 3, 2, 1) with Gaussian data, burn in for eight
relaxation times of the slowest mode ((1-mu)/(eta (lambda_1 - lambda_2)) steps), then record h
every half relaxation time. Per mode i >= 2 and per run:
* the time-average of h_i^2 / eta (C4: alpha_{i,1}^2 / (2 (1-mu) (lambda_1 - lambda_i)));
* the lag-L autocorrelation rho = E[h_i(t) h_i(t+L)] / E[h_i^2], whose rate -log(rho)/(L eta)
  is C4's relaxation rate (lambda_1 - lambda_i)/(1 - mu).

Error budget: the per-run time averages are independent across runs, so their SE over R runs is
the sampling error (the autocorrelation is a ratio of means: delta-method SE). The diffusion
limit holds as eta -> 0 and at eta ~ 1e-3 the values differ from it by about a percent (bias,
not noise), so each quantity is measured at three step sizes and extrapolated linearly to
eta -> 0; the limit must be within z SE of the OU value (z: the suite's Bonferroni z).
Negative control: the OU values without the factor 1/(1-mu).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
import sympy as sp

from checks.profile import Profile, Z, require_control_momentum
from checks.results import CheckResult, Evidence
from checks.stats import extrapolate_to_zero
from simulate import Config, RecordSpec, simulate
from theory import ou
from theory.distributions import get_model
from theory.problem import Problem
from theory.symbols import alpha_i1, lam1, lam_i
from theory.symbols import mu as mu_sym

SPECTRUM = (4.0, 3.0, 2.0, 1.0)
ETAS = (2e-3, 1e-3, 5e-4)
BURN_IN = 8.0  # relaxation times of the slowest mode
SAMPLES = 160  # recorded points per run after burn-in


@dataclass(frozen=True)
class StationaryData:
    mu: float
    eta: np.ndarray
    var: np.ndarray  # (eta, d-1): E h_i^2 / eta
    var_se: np.ndarray
    rate: np.ndarray  # (eta, d-1): relaxation rate estimate
    rate_se: np.ndarray
    runs: int


def ou_values(
    mu: float, spectrum: tuple[float, ...] = SPECTRUM, distribution: str = "gaussian"
) -> tuple[np.ndarray, np.ndarray]:
    """C4's stationary variance of U_i and relaxation rate, i >= 2 (lambdified from theory.ou)."""
    problem = Problem.from_eigenvalues(spectrum)
    a2 = get_model(distribution).alpha2(problem)[0, 1:]
    proc = ou.theorem5()
    var_f = sp.lambdify((mu_sym, lam1, lam_i, alpha_i1), proc.stationary_variance, "numpy")
    rate_f = sp.lambdify((mu_sym, lam1, lam_i), proc.relaxation_rate, "numpy")
    lam = np.array(spectrum)
    return var_f(mu, lam[0], lam[1:], np.sqrt(a2)), rate_f(mu, lam[0], lam[1:])


def measure_stationary(
    mu: float,
    profile: Profile,
    *,
    tau: int = 0,
    runs: int | None = None,
    etas: tuple[float, ...] = ETAS,
    spectrum: tuple[float, ...] = SPECTRUM,
    distribution: str = "gaussian",
) -> StationaryData:
    problem = Problem.from_eigenvalues(spectrum)
    runs = runs or profile.runs(400)
    gap = spectrum[0] - spectrum[1]
    rows = []
    for eta in etas:
        relax = (1 - mu) / (eta * gap)
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
        eta=np.array([r[0] for r in rows]),
        var=np.array([r[1] for r in rows]),
        var_se=np.array([r[2] for r in rows]),
        rate=np.array([r[3] for r in rows]),
        rate_se=np.array([r[4] for r in rows]),
        runs=runs,
    )


def _extrapolated(
    label: str, data: StationaryData, values: np.ndarray, se: np.ndarray, theory: float
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
    )


def check_c4(
    profile: Profile,
    mu: float = 0.5,
    spectrum: tuple[float, ...] = SPECTRUM,
    distribution: str = "gaussian",
    runs: int | None = None,
) -> CheckResult:
    require_control_momentum(mu)
    t0 = time.perf_counter()
    data = measure_stationary(mu, profile, spectrum=spectrum, distribution=distribution, runs=runs)
    var_ou, rate_ou = ou_values(mu, spectrum, distribution)
    var_wrong, rate_wrong = ou_values(0.0, spectrum, distribution)  # drops every 1/(1-mu)
    evidence, controls = [], []
    for k in range(len(spectrum) - 1):
        i = k + 2
        ratio = data.var[:, k] / var_ou[k]
        ev = _extrapolated(
            f"Var U_{i} / C4 value, mu = {mu}", data, ratio, data.var_se[:, k] / var_ou[k], 1.0
        )
        evidence.append(ev)
        controls.append(
            Evidence(
                f"Var U_{i} against the value without 1/(1-mu)",
                float(var_wrong[k] / var_ou[k]),
                ev.measured,
                ev.tolerance,
                ev.basis,
                se=ev.se,
            )
        )
        rr = data.rate[:, k] / rate_ou[k]
        evr = _extrapolated(
            f"relaxation rate of U_{i} / C4 value", data, rr, data.rate_se[:, k] / rate_ou[k], 1.0
        )
        evidence.append(evr)
        controls.append(
            Evidence(
                f"relaxation rate of U_{i} against (lambda_1-lambda_{i}) without 1/(1-mu)",
                float(rate_wrong[k] / rate_ou[k]),
                evr.measured,
                evr.tolerance,
                evr.basis,
                se=evr.se,
            )
        )
    ok = all(e.passed for e in evidence)
    return CheckResult(
        "C4",
        "stationary variance and relaxation rate at the optimum",
        "verified" if ok else "refuted",
        "per-mode stationary variances and relaxation rates, extrapolated to eta -> 0, match "
        f"Theorem 5's OU values (ratios {', '.join(f'{e.measured:.3f}' for e in evidence)})",
        tuple(evidence),
        tuple(controls),
        seconds=time.perf_counter() - t0,
        details={
            "eta": data.eta.tolist(),
            "var": data.var.tolist(),
            "rate": data.rate.tolist(),
            "var_ou": var_ou.tolist(),
            "rate_ou": rate_ou.tolist(),
        },
    )


def check_c14_stationary(profile: Profile, mus: tuple[float, ...] = (0.0, 0.5, 0.8)) -> CheckResult:
    """Momentum does not help near the optimum: the stationary error grows like 1/(1-mu) at
    fixed eta (C14); the wrong theory 'the stationary error does not depend on mu' is rejected."""
    t0 = time.perf_counter()
    evidence, controls = [], []
    for mu in mus:
        data = measure_stationary(mu, profile, runs=profile.runs(300))
        var_ou, _ = ou_values(mu)
        var0, _ = ou_values(0.0)
        total = data.var.sum(axis=1)
        total_se = np.sqrt((data.var_se**2).sum(axis=1))  # modes of one run are independent
        ev = _extrapolated(
            f"sum_i E h_i^2 / eta over C4's (1/(1-mu) law), mu = {mu}",
            data,
            total / var_ou.sum(),
            total_se / var_ou.sum(),
            1.0,
        )
        evidence.append(ev)
        if mu > 0:
            controls.append(
                Evidence(
                    f"'momentum does not change the stationary error', mu = {mu}",
                    float(var0.sum() / var_ou.sum()),
                    ev.measured,
                    ev.tolerance,
                    ev.basis,
                    se=ev.se,
                )
            )
    ok = all(e.passed for e in evidence)
    return CheckResult(
        "C14",
        "stationary error grows like 1/(1-mu)",
        "verified" if ok else "refuted",
        "the stationary error at the optimum follows alpha^2/(2(1-mu)(lambda_1-lambda_i)) across "
        f"mu = {list(mus)}: momentum does not help near the optimum",
        tuple(evidence),
        tuple(controls),
        seconds=time.perf_counter() - t0,
    )
