"""Exact gradients of the problems (finite differences) and unbiased stochastic gradients."""

from __future__ import annotations

import numpy as np
import pytest

from simulate.adaptive.problems import CauchyRegression, make_problem
from theory.problem import Problem
from theory.validation import ParameterError

PROBLEMS = [
    make_problem("pca"),
    make_problem("pca", problem=Problem.random_rotation([3, 2, 1], np.random.default_rng(1)),
                 distribution="gaussian", batch=1),
    make_problem("regression"),
]  # fmt: skip


@pytest.mark.parametrize("prob", PROBLEMS, ids=lambda p: p.spec[:30])
def test_exact_gradient_matches_central_differences(prob):
    x = np.random.default_rng(2).standard_normal(prob.d)
    h = 1e-6
    fd = np.array([
        (prob.value(x + h * e) - prob.value(x - h * e)) / (2 * h) for e in np.eye(prob.d)
    ])  # fmt: skip
    # central differences: error O(h^2 F''') + rounding O(eps |F| / h) ~ 1e-9
    np.testing.assert_allclose(prob.grad(x), fd, atol=1e-7)


@pytest.mark.parametrize("prob", PROBLEMS, ids=lambda p: p.spec[:30])
def test_stochastic_gradient_is_unbiased(prob):
    """The mean of n stochastic gradients at a fixed x is within 5 SE of grad F in every
    coordinate (5 SE: two-sided p ~ 6e-7 per coordinate, a false alarm is negligible)."""
    rng = np.random.default_rng(3)
    x = rng.standard_normal(prob.d) / np.sqrt(prob.d)
    n = 20_000
    xi = prob.draw(rng, n)
    g = prob.stoch_grad(np.repeat(x[None, :], n, axis=0), xi)
    se = g.std(axis=0, ddof=1) / np.sqrt(n)
    assert np.all(np.abs(g.mean(axis=0) - prob.grad(x)) <= 5 * se + 1e-12)


def test_pca_stationary_points_and_minimum():
    prob = make_problem("pca")
    xs = prob.minimizer()
    np.testing.assert_allclose(prob.grad(xs), 0.0, atol=1e-12)
    assert prob.value(xs) == pytest.approx(prob.f_star)
    # a saddle: r_2 v_2 with r_2^2 = 1 + lambda_2/rho is stationary, and F is higher there
    lam = prob.problem.eigenvalues
    saddle = np.sqrt(1 + lam[1] / prob.rho) * prob.problem.eigenvectors[:, 1]
    np.testing.assert_allclose(prob.grad(saddle), 0.0, atol=1e-12)
    assert prob.value(saddle) > prob.f_star


def test_regression_is_nonconvex_and_fixed_by_its_seed():
    a, b = CauchyRegression(seed=3), CauchyRegression(seed=3)
    np.testing.assert_array_equal(a.A, b.A)
    assert not np.array_equal(a.b, CauchyRegression(seed=4).b)
    # psi' < 0 beyond |r| = c: the loss is not convex
    r = np.array([0.5, 2.0])
    dpsi = (a.psi(r + 1e-6) - a.psi(r - 1e-6)) / 2e-6
    assert dpsi[0] > 0 > dpsi[1]
    with pytest.raises(ParameterError, match="outliers"):
        CauchyRegression(outliers=1.0)
    with pytest.raises(ParameterError, match="problem"):
        make_problem("mnist")
