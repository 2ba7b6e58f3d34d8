"""Leaving the saddle e_2 (C8, C9, C14): the escape fraction and the variance of h_1/sqrt(eta)
at the derived T1 of Proposition 10.

Runs start exactly at the saddle e_2 with delta^2 = C_DELTA2 eta (delta ~ sqrt(eta), as
Proposition 10 takes it). Near e_2 the unstable coordinate is h_1 = sqrt(eta) U_1, with U_1 the
unstable OU process of Theorem 9 started at 0. Per step size, at the derived T1
(:func:`theory.phases.t1`; ``time_of`` scales T1 of mu = 0 instead): P(|h_1(T1)| >= delta)
(Theorem 9's law gives 1 - nu), the fraction that reached Proposition 10's event H_2^2 <=
1 - delta^2 by T1, and Var U_1 = E h_1^2/eta at T1/2 and T1, with their SEs over runs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from checks.profile import Profile
from simulate import Config, RecordSpec, simulate
from theory import phases
from theory.distributions import get_model
from theory.problem import Problem

C_DELTA2 = 20.0  # delta^2 = C_DELTA2 * eta


def normal_quantile(nu: float) -> float:
    """z_nu = Phi^{-1}((1 + nu)/2) (:func:`theory.phases.normal_quantile_identity`)."""
    from scipy.stats import norm

    return float(norm.ppf((1.0 + nu) / 2.0))


@dataclass(frozen=True)
class EscapeData:
    mu: float
    nu: float
    tau: int
    eta: np.ndarray
    t1: np.ndarray  # time of the record per eta (time units)
    p_h1: np.ndarray  # P(|h_1(T1)| >= delta)
    p_paper: np.ndarray  # P(H_2^2 <= 1 - delta^2 reached by T1)
    var_u: np.ndarray  # (eta, 2): E h_1^2/eta at T1/2, T1
    var_u_se: np.ndarray
    runs: int


def alpha12(spectrum: tuple[float, ...], distribution: str = "gaussian") -> float:
    return math.sqrt(get_model(distribution).alpha2(Problem.from_eigenvalues(spectrum))[0, 1])


def measure_escape(
    mu: float,
    nu: float,
    profile: Profile,
    *,
    spectrum: tuple[float, ...],
    etas: tuple[float, ...],
    runs: int,
    tau: int = 0,
    time_of: float | None = None,
) -> EscapeData:
    problem = Problem.from_eigenvalues(spectrum)
    a12 = alpha12(spectrum)
    z = normal_quantile(nu)
    t1f = phases.t1().derived.numpy
    rows = []
    for eta in etas:
        delta = math.sqrt(C_DELTA2 * eta)
        t1 = float(t1f(mu, spectrum[0], spectrum[1], eta, delta, z, a12))
        if time_of is not None:
            t1 = time_of * float(t1f(0.0, spectrum[0], spectrum[1], eta, delta, z, a12))
        k = max(2, round(t1 / eta))
        half = max(1, round(0.5 * t1 / eta))
        rec = RecordSpec(steps=(half, k), h=True, delta=delta, eps=None, saddle=2)
        res = simulate(
            problem,
            Config(mu, eta, tau),
            runs=runs,
            steps=k,
            seed=profile.seed,
            start="e2",
            records=rec,
            engine=profile.engine,
        )[0]
        h1 = res.h_at[:, :, 0]
        u2 = h1**2 / eta
        rows.append(
            (
                eta,
                k * eta,
                float(np.mean(h1[:, 1] ** 2 >= delta**2)),
                float(np.mean((res.escape_step >= 0) & (res.escape_step <= k))),
                u2.mean(axis=0),
                u2.std(axis=0, ddof=1) / math.sqrt(runs),
            )
        )
    return EscapeData(
        mu=mu,
        nu=nu,
        tau=tau,
        eta=np.array([r[0] for r in rows]),
        t1=np.array([r[1] for r in rows]),
        p_h1=np.array([r[2] for r in rows]),
        p_paper=np.array([r[3] for r in rows]),
        var_u=np.array([r[4] for r in rows]),
        var_u_se=np.array([r[5] for r in rows]),
        runs=runs,
    )


def binomial_se(p: np.ndarray, n: int) -> np.ndarray:
    """Binomial SE, floored at 1/n so that an observed 0 or 1 keeps a finite weight."""
    return np.sqrt(np.maximum(p * (1 - p), 1.0 / n) / n)
