"""E1 under i.i.d. random delays (THEORY.md C11): mean-square stability and second moments."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import norm

from theory import delayed_heavy_ball as D
from theory import random_delays as R
from theory.validation import ParameterError


def kronecker_second_moment(mu_, c_, dist):
    """Reference: the stationary P of P = sum p A P A^T + e0 e0^T by the Kronecker solve."""
    apply, n = R.second_moment_map(mu_, c_, dist)
    big = np.column_stack([apply(e.reshape(n, n)).ravel() for e in np.eye(n * n)])
    q = np.zeros(n * n)
    q[0] = 1.0
    return np.linalg.solve(np.eye(n * n) - big, q).reshape(n, n)


@pytest.mark.parametrize(
    "dist", [R.uniform(4), R.uniform(1), R.geometric(1.5, tail_mass=1e-3), R.constant(2)]
)
def test_reduction_against_the_full_second_moment_equation(dist):
    """Var x = V_mean/(1 - c^2 V_mean (1 - p^T G p)) equals P_00 of the full fixed point, and P
    is gamma_0 times the mean system's autocorrelation (Toeplitz)."""
    mu_, c_ = 0.3, 0.3
    p = kronecker_second_moment(mu_, c_, dist)
    sm = R.second_moments(mu_, c_, dist)
    assert math.isclose(sm.variance, p[0, 0], rel_tol=1e-9)
    n = p.shape[0]
    for k in range(1, n):
        assert np.allclose(np.diag(p, k), p[0, k], rtol=1e-9)


@pytest.mark.parametrize(("mu_", "c_"), [(0.3, 0.3), (0.5, 0.3), (0.2, 0.5), (0.6, 0.15)])
def test_mean_square_criterion_matches_spectral_radius_of_the_map(mu_, c_):
    """ms-stable (mean system stable and c^2 V_mean (1 - p^T G p) < 1) iff rho(L) < 1, where
    rho(L) is computed matrix-free by ARPACK; scanned across the uniform boundary."""
    b = R.ms_boundary(mu_, c_, "uniform")
    for t in range(1, b + 4):
        dist = R.uniform(t)
        assert R.mean_square_stable(mu_, c_, dist) == (R.ms_spectral_radius(mu_, c_, dist) < 1)
        assert R.mean_square_stable(mu_, c_, dist) == (t <= b)  # monotone in T
    for m in range(1, R.ms_boundary(mu_, c_, "geometric") + 3):  # monotone in the mean
        stable = R.mean_square_stable(mu_, c_, R.geometric(m))
        assert stable == (m <= R.ms_boundary(mu_, c_, "geometric"))


def test_truncated_geometric_converges_to_the_untruncated_law():
    exact = R.second_moments(0.3, 0.3, R.geometric(3)).variance
    cut = R.geometric(3, tail_mass=1e-10)
    assert cut.tail_mass <= 1e-10
    assert math.isclose(R.second_moments(0.3, 0.3, cut).variance, exact, rel_tol=1e-7)


def test_constant_law_reduces_to_the_constant_delay():
    for tau in (0, 1, 2):
        assert math.isclose(
            R.stationary_variance(0.3, 0.3, R.constant(tau)),
            D.stationary_variance(0.3, 0.3, tau),
            rel_tol=1e-10,
        )


# Monte Carlo of the jump system x_{k+1} = (1+mu) x_k - mu x_{k-1} - c x_{k-tau_k} + e_k.
# R independent replicates from 0, burn-in, then each replicate's time-average of x^2 is one
# i.i.d. observation; z = (mean - theory)/se must satisfy |z| < z* at family-wise level 1e-3,
# Bonferroni over the 3 cases (z* = 3.59). Negative controls: the same statistic must reject the
# mean (distributed-delay) system's variance, which ignores the delay's randomness, and a constant
# delay of the same mean (|z| > z*).
MC_CASES = [("uniform", 4), ("uniform", 5), ("geometric", 3)]
Z_STAR = norm.ppf(1 - 1e-3 / (2 * len(MC_CASES)))


def simulate_jump_system(mu_, c_, dist, reps=400, burn=400, window=12000, seed=0):
    rng = np.random.default_rng(seed)
    size = int(dist.support.max()) + 2
    buf = np.zeros((size, reps))
    cols = np.arange(reps)
    acc = np.zeros(reps)
    delays = dist.sample(rng, (burn + window, reps))
    noise = rng.standard_normal((burn + window, reps))
    for k in range(burn + window):
        now, prev = buf[k % size], buf[(k - 1) % size]
        delayed = buf[(k - delays[k]) % size, cols]
        new = (1 + mu_) * now - mu_ * prev - c_ * delayed + noise[k]
        buf[(k + 1) % size] = new
        if k >= burn:
            acc += new * new
    obs = acc / window
    return obs.mean(), obs.std(ddof=1) / math.sqrt(reps)


@pytest.mark.parametrize(("family", "param"), MC_CASES)
def test_second_moments_against_monte_carlo(family, param):
    mu_, c_ = 0.3, 0.3
    dist = R.make(family, param, tail_mass=1e-9 if family == "geometric" else None)
    sm = R.second_moments(mu_, c_, dist)
    mean, se = simulate_jump_system(mu_, c_, dist, seed=param)
    assert se / sm.variance < 0.02, "not enough power"
    assert abs(mean - sm.variance) / se < Z_STAR, (mean, sm.variance, se)
    # negative controls
    assert abs(mean - sm.mean_variance) / se > Z_STAR
    tau_bar = round(dist.mean)
    if tau_bar <= D.tau_max(mu_, c_):
        assert abs(mean - D.stationary_variance(mu_, c_, tau_bar)) / se > Z_STAR


def test_random_delays_are_more_stable_than_a_constant_delay_of_the_same_mean():
    """At Figure 1's radial mode (c = 0.004): uniform and geometric boundaries have a mean delay
    far above the constant-delay tau_max (the distributed delay averages the restoring force; the
    randomness costs only a few steps: the mean system's boundary is just above)."""
    for mu_ in (0.7, 0.9):
        for family in ("uniform", "geometric"):
            comp = R.compare_with_constant(mu_, 0.004, family)
            assert comp.boundary_mean > 1.3 * comp.constant_tau_max
            assert comp.verdict.startswith("more stable")
            if comp.mean_system_parameter is not None:
                assert comp.boundary_parameter <= comp.mean_system_parameter


def test_bad_delay_inputs():
    with pytest.raises(ParameterError, match="delay"):
        R.make("poisson", 3)
    with pytest.raises(ParameterError, match="tail_mass"):
        R.geometric(3, tail_mass=2.0)
    with pytest.raises(ParameterError, match="mean delay"):
        R.geometric(-1)
