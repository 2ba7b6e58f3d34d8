"""The mean path of eq. (5) against the ODE closed form of Theorem 3 (C3): the sup-error over a
time grid and the coordinates, with its noise level, per step size."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from checks.profile import Profile
from simulate import Config, RecordSpec, simulate
from theory import ode
from theory.problem import Problem


def sup_errors(
    mu: float,
    profile: Profile,
    *,
    spectrum: tuple[float, ...],
    start: np.ndarray,
    etas: tuple[float, ...],
    delay_of: Callable[[float], int],
    horizon: float,
    grid: float,
    runs: int,
    wrong_mu: float = 0.0,
) -> dict[str, np.ndarray]:
    """sup_t |mean h(t) - H(t)| per eta, for the closed form and for a wrong ODE (the closed
    form at momentum ``wrong_mu``: 0 drops the factor 1/(1-mu)); ``delay_of(eta)`` the delay."""
    problem = Problem.from_eigenvalues(spectrum)
    out: dict[str, list] = {"eta": [], "tau": [], "sup": [], "noise": [], "sup_wrong": []}
    for eta in etas:
        tau = int(delay_of(eta))
        steps = round(horizon / eta)
        every = max(1, round(grid / eta))
        rec = RecordSpec(steps=tuple(range(0, steps + 1, every)), h=True, delta=None, eps=None)
        res = simulate(
            problem,
            Config(mu, eta, tau),
            runs=runs,
            steps=steps,
            seed=profile.seed,
            start=start,
            records=rec,
            engine=profile.engine,
        )
        h = res[0].h_at
        times = res.record_steps * eta
        mean = h.mean(axis=0)
        se = h.std(axis=0, ddof=1) / math.sqrt(h.shape[0])
        closed = ode.solution(times, start, problem.eigenvalues, mu)
        wrong = ode.solution(times, start, problem.eigenvalues, wrong_mu)
        out["eta"].append(eta)
        out["tau"].append(tau)
        out["sup"].append(float(np.abs(mean - closed).max()))
        out["noise"].append(float(se.max()))
        out["sup_wrong"].append(float(np.abs(mean - wrong).max()))
    return {k: np.asarray(v) for k, v in out.items()}
