"""Path statistics of eq. (5): the largest step ||v_{k+1} - v_k|| and the largest deviation of
||v_k||^2 from 1 over a run (C1, Lemma 1)."""

from __future__ import annotations

import math

import numpy as np

from checks.profile import Profile
from simulate import Config, RecordSpec, simulate
from theory import tightness
from theory.distributions import get_model
from theory.problem import Problem


def g_max(r: float) -> float:
    """max over the angle of ||(I-ww^T)XX^Tw|| / ||X||^2 at ||w|| = r (the factor G of
    :func:`theory.tightness.step_bound_general`), on a fine grid of the lambdified formula."""
    theta = np.linspace(0.0, math.pi / 2, 20001)
    return float(np.max(tightness.projected_gradient_norm().numpy(r, theta)))


def measure_steps(
    mu: float,
    profile: Profile,
    *,
    spectrum: tuple[float, ...],
    distribution: str,
    eta: float,
    steps: int,
    runs: int,
) -> dict[str, float]:
    """The largest step over ``runs`` runs of ``steps`` updates from e_1 (tau = 0), with the
    data model's exact bound max ||X|| (C_d) and the largest ||w|| seen."""
    problem = Problem.from_eigenvalues(spectrum)
    model = get_model(distribution)
    c_d, exact = model.C_d(problem)
    res = simulate(
        problem,
        Config(mu, eta, 0),
        runs=runs,
        steps=steps,
        seed=profile.seed,
        start="e1",
        distribution=model,
        records=RecordSpec(steps=tuple(range(steps + 1)), h=True, delta=None, eps=None),
        engine=profile.engine,
    )[0]
    h = res.h_at
    step = np.linalg.norm(np.diff(h, axis=1), axis=-1)
    return {
        "max_step": float(step.max()),
        "C_d": float(c_d),
        "C_d_exact": bool(exact),
        "r_max": float(np.max(np.linalg.norm(h, axis=-1))),
        "runs": runs,
        "steps": steps,
        "eta": eta,
        "mu": mu,
    }


def measure_norm_excess(
    mu: float,
    profile: Profile,
    *,
    spectrum: tuple[float, ...],
    etas: tuple[float, ...],
    taus: tuple[int, ...],
    runs: int,
) -> dict[str, list]:
    """Per eta (with its delay), the mean over runs of max_{k <= 1/eta} | ||v_k||^2 - 1 | and
    its SE over the independent runs; runs start at the saddle e_2."""
    problem = Problem.from_eigenvalues(spectrum)
    out: dict[str, list] = {"eta": [], "tau": [], "excess": [], "excess_se": []}
    for eta, tau in zip(etas, taus, strict=True):
        steps = round(1 / eta)
        res = simulate(
            problem,
            Config(mu, eta, tau),
            runs=runs,
            steps=steps,
            seed=profile.seed,
            start="e2",
            records=RecordSpec(steps=tuple(range(steps + 1)), h=True, delta=None, eps=None),
            engine=profile.engine,
        )[0]
        excess = np.max(np.abs(np.sum(res.h_at**2, axis=-1) - 1.0), axis=1)  # per run
        out["eta"].append(eta)
        out["tau"].append(tau)
        out["excess"].append(float(excess.mean()))
        out["excess_se"].append(float(excess.std(ddof=1) / math.sqrt(runs)))
    return out
