"""Eq. (5) under its mean-field map and its stationary error (E1, C11).

* :func:`mean_field_growth`: on the radial axis h = (1 + x) e_1 the mean-field map (X X^T
  replaced by its mean Sigma) is a scalar delayed recursion whose linearisation is E1's radial
  mode; iterated deterministically, its per-step growth rate is measured between envelopes.
* :func:`stationary_error`: the time-averaged ||v - v1||^2 over the second half of a run from e_1,
  mean and SE over runs (a diverged run counts as an infinite error).
"""

from __future__ import annotations

import math

import numpy as np

from checks.profile import Profile
from simulate import Config, RecordSpec, simulate
from theory import ode
from theory.problem import Problem


def mean_field_growth(mu: float, eta: float, lam1: float, tau: int, steps: int) -> float:
    """Per-step growth rate of the radial deviation under eq. (5)'s mean-field map.

    On h = (1 + x) e_1: x_{k+1} = x_k + mu (x_k - x_{k-1}) + eta g_1(x_{k-tau}), g_1 the mean field
    of eq. (5) on the e_1 axis (:func:`theory.ode.radial_drift`).
    The rate is measured between the envelopes (max |x| over a window of several periods) at
    half-time and at the end, so the initial transient cancels. The deviation starts at 1e-12;
    callers choose ``steps`` <= 20/|rate| so that it stays below ~1e-3 (the linear regime).
    """
    drift = _radial_drift()
    x0 = 1e-12
    size = tau + 2
    hist = np.full(size, x0)  # deviations; v_{-i} = v_0
    prev, cur = x0, x0
    window = max(4 * size, 200)
    half = steps // 2
    env_half = env_end = 0.0
    for k in range(steps):
        w = hist[(k - tau) % size]
        # the drift kept exact (not linearised): lambda_1 ((1 + w) - (1 + w)^3)
        nxt = cur + mu * (cur - prev) + eta * drift(w, lam1)
        prev, cur = cur, nxt
        hist[(k + 1) % size] = cur
        if half - window <= k < half:
            env_half = max(env_half, abs(cur))
        if k >= steps - window:
            env_end = max(env_end, abs(cur))
    return math.log(env_end / env_half) / (steps - half)


def _radial_drift():
    """:func:`theory.ode.radial_drift` for scalars (math, not NumPy: the loop is scalar)."""
    import sympy as sp

    f = ode.radial_drift()
    return sp.lambdify(f.args, f.expr, "math")


def stationary_error(
    spectrum: tuple[float, ...],
    mu: float,
    eta: float,
    delay: object,
    profile: Profile,
    *,
    runs: int,
    steps: int,
) -> tuple[float, float]:
    """Mean and SE over runs of the time-averaged ||v - v1||^2 over the second half of a run."""
    res = simulate(
        Problem.from_eigenvalues(spectrum),
        Config(mu, eta, delay),
        runs=runs,
        steps=steps,
        seed=profile.seed,
        start="e1",
        records=RecordSpec(delta=None, eps=None, window=0.5),
        engine=profile.engine,
    )[0]
    x = res.stationary_error
    x = np.where(np.isfinite(x), x, np.inf)  # a diverged run counts as an infinite error
    return float(np.mean(x)), float(np.std(x, ddof=1) / math.sqrt(runs))
