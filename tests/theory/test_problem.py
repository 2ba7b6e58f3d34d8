"""A1/A2 problem data: eigen-decomposition, alpha_{i,j} (THEORY.md setting), C_d, validation."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from theory.distributions import MODELS, get_model, phi_from_alpha2
from theory.problem import Problem
from theory.validation import ParameterError, check_gamma, check_mu, check_tau


def test_diagonal_problem_sorted_eigenpairs():
    p = Problem.from_eigenvalues([1.0, 4.0, 2.0, 3.0])
    assert np.allclose(p.eigenvalues, [4, 3, 2, 1])
    assert np.allclose(p.top_eigenvector, [0, 1, 0, 0])
    assert p.gap == 1.0 and p.d == 4


def test_rotated_problem_reconstructs_sigma():
    rng = np.random.default_rng(0)
    p = Problem.random_rotation([4, 3, 2, 1], rng)
    q, lam = p.eigenvectors, p.eigenvalues
    assert not p.is_diagonal
    assert np.allclose(q @ np.diag(lam) @ q.T, p.sigma, atol=1e-12)
    assert np.allclose(q.T @ q, np.eye(4), atol=1e-12)


@pytest.mark.parametrize(
    ("sigma", "fragment"),
    [
        ([[1.0, 0.2], [0.0, 1.0]], "symmetric"),
        ([[1.0, 0.0], [0.0, -1.0]], "positive definite"),
        ([[2.0, 0.0], [0.0, 2.0]], "eigen-gap"),
        ([[1.0, 2.0, 3.0]], "square"),
        ([[np.nan, 0.0], [0.0, 1.0]], "finite"),
    ],
)
def test_bad_covariances_are_named(sigma, fragment):
    with pytest.raises(ParameterError, match=fragment) as info:
        Problem.from_matrix(sigma)
    assert info.value.name == "sigma"


@pytest.mark.parametrize("mu", [-0.1, 1.0, 1.5, float("nan"), "x"])
def test_bad_mu(mu):
    with pytest.raises(ParameterError, match=r"mu.*\[0, 1\)"):
        check_mu(mu)


def test_bad_tau_and_gamma():
    with pytest.raises(ParameterError, match="integer >= 0"):
        check_tau(-1)
    with pytest.raises(ParameterError, match="integer >= 0"):
        check_tau(2.5)
    with pytest.raises(ParameterError, match=r"\(0, 0.5\]"):
        check_gamma(0.7, 0.5)


def _moments_by_enumeration(model_name: str, problem: Problem) -> np.ndarray:
    """E[Y_i^2 Y_j^2] by exact enumeration (Rademacher) or Gauss-Legendre quadrature (box)."""
    model = get_model(model_name)
    b = model.eigen_mixing_matrix(problem)
    if model_name == "rademacher":
        points = np.array(list(itertools.product((-1.0, 1.0), repeat=problem.d)))
        weights = np.full(len(points), 1.0 / len(points))
    else:  # uniform-box: product Gauss-Legendre rule, exact for polynomials of degree 4
        x, w = np.polynomial.legendre.leggauss(3)
        x, w = x * np.sqrt(3.0), w / 2.0
        points = np.array(list(itertools.product(x, repeat=problem.d)))
        weights = np.array([np.prod(c) for c in itertools.product(w, repeat=problem.d)])
    y2 = (points @ b.T) ** 2
    return (y2.T * weights) @ y2


@pytest.mark.parametrize("name", ["rademacher", "uniform-box"])
def test_alpha_exact_against_enumeration(name):
    rng = np.random.default_rng(3)
    problem = Problem.random_rotation([4.0, 3.0, 2.0, 1.0], rng)
    exact = get_model(name).alpha2(problem)
    assert np.allclose(exact, _moments_by_enumeration(name, problem), rtol=1e-12)


def test_gaussian_alpha_closed_form():
    p = Problem.from_eigenvalues([4, 3, 2, 1])
    a2 = get_model("gaussian").alpha2(p)
    lam = p.eigenvalues
    assert np.allclose(a2, np.outer(lam, lam) + 2 * np.diag(lam**2))
    assert phi_from_alpha2(a2, "offdiag") == pytest.approx(4 * (3 + 2 + 1))
    assert phi_from_alpha2(a2, "all") == pytest.approx(4 * (3 + 2 + 1) + 3 * 16)


@pytest.mark.parametrize(
    ("name", "fourth_moment"),
    [("uniform-sphere", lambda d: d**2), ("uniform-ball", lambda d: (d + 2) ** 2 * d / (d + 4))],
)
def test_spherical_models_match_the_radial_fourth_moment(name, fourth_moment):
    # sum_ij alpha_ij^2 / (lambda_i lambda_j) = E|z|^4, known exactly for the sphere (radius
    # sqrt d) and the ball (radius sqrt(d+2): E|z|^4 = R^4 d/(d+4)).
    p = Problem.from_eigenvalues([5.0, 2.0, 1.5, 1.0, 0.5])
    lam = p.eigenvalues
    total = float(np.sum(get_model(name).alpha2(p) / np.outer(lam, lam)))
    assert total == pytest.approx(fourth_moment(p.d), rel=1e-12)


def test_C_d_values():
    p = Problem.from_eigenvalues([4, 3, 2, 1])
    assert get_model("gaussian").C_d(p) == (np.inf, True)
    c, exact = get_model("rademacher").C_d(p)
    assert exact and c == pytest.approx(np.sqrt(10.0))
    c, exact = get_model("uniform-box").C_d(p)
    assert c == pytest.approx(np.sqrt(30.0))
    c, exact = get_model("uniform-ball").C_d(p)
    assert c == pytest.approx(np.sqrt(6 * 4.0))


@given(st.sampled_from(sorted(MODELS)), st.integers(0, 10_000))
def test_alpha_symmetric_positive(name, seed):
    rng = np.random.default_rng(seed)
    lam = np.sort(rng.uniform(0.5, 5.0, size=4))[::-1]
    lam[0] += 0.5
    problem = Problem.random_rotation(lam, rng)
    a2 = get_model(name).alpha2(problem)
    assert np.allclose(a2, a2.T)
    assert np.all(a2 > 0)
