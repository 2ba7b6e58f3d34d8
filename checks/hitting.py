"""First-passage times of eq. (5) (C7): the median time to H_1^2 >= 1 - delta^2 from a start at
H_1(0)^2 = delta^2, with a bootstrap SE over independent runs, per step size."""

from __future__ import annotations

import math

import numpy as np

from checks.profile import Profile
from simulate import Config, RecordSpec, simulate
from theory.problem import Problem

BOOTSTRAP = 300


def median_with_se(times: np.ndarray, rng: np.random.Generator) -> tuple[float, float]:
    """The median (runs that never hit count as +inf) and its bootstrap SE over runs."""
    med = float(np.median(times))
    boot = np.median(rng.choice(times, size=(BOOTSTRAP, times.size)), axis=1)
    finite = boot[np.isfinite(boot)]
    se = float(np.std(finite, ddof=1)) if finite.size > 10 else math.inf
    return med, se


def traverse_medians(
    mu: float,
    profile: Profile,
    *,
    spectrum: tuple[float, ...],
    delta: float,
    etas: tuple[float, ...],
    horizon: float,
    runs: int,
    tau_of=lambda eta: 0,
) -> dict[str, list[float]]:
    """Per eta: the median first time (in t = k eta) with H_1^2 >= 1 - delta^2 from
    H(0) = (delta, sqrt(1 - delta^2), 0, ...) (the slowest case: the rest on e_2), its SE, and the
    delay used. Runs last ``horizon`` time units."""
    problem = Problem.from_eigenvalues(spectrum)
    start = np.zeros(problem.d)
    start[0], start[1] = delta, math.sqrt(1 - delta**2)
    rng = np.random.default_rng(np.random.SeedSequence(profile.seed, spawn_key=(7, int(mu * 1e6))))
    out: dict[str, list[float]] = {"eta": [], "median": [], "se": [], "tau": []}
    for eta in etas:
        tau = int(tau_of(eta))
        res = simulate(
            problem,
            Config(mu, eta, tau),
            runs=runs,
            steps=math.ceil(horizon / eta),
            seed=profile.seed,
            start=start,
            records=RecordSpec(delta=delta, eps=None),
            engine=profile.engine,
        )[0]
        hit = np.where(res.convergence_step >= 0, res.convergence_step * eta, np.inf)
        m, se = median_with_se(hit, rng)
        out["eta"].append(eta)
        out["median"].append(m)
        out["se"].append(se)
        out["tau"].append(tau)
    return out
