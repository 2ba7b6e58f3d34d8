"""E1 step 1: eq. (5) linearised at e_1, mode by mode (THEORY.md E1, eq. (5), C4)."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from theory import linearise as L
from theory.distributions import GAUSSIAN, RADEMACHER, UNIFORM_SPHERE
from theory.problem import Problem
from theory.symbols import alpha_i1, eta, lam1, lam_i, lam_j, mu


def test_mean_field_is_lambda_w_minus_rayleigh():
    """E (I - w w^T) Y Y^T w = Lambda w - (w^T Lambda w) w, for any w (the hint, derived)."""
    assert L.mean_field_identity() == sp.zeros(3, 1)


def test_modes_decouple_with_the_derived_curvatures():
    lin = L.linearise()
    assert lin.mean_jacobian == sp.diag(-2 * lam1, lam_i - lam1, lam_j - lam1)
    assert sp.simplify(lin.curvature[0] - 2 * eta * lam1) == 0  # radial: 2 eta lambda_1
    assert sp.simplify(lin.curvature[1] - eta * (lam1 - lam_i)) == 0  # tangential
    assert L.recursion_matches_e1()
    for lag in lin.lag_coefficients:
        assert sp.simplify(lag["x_k"] - (1 + mu)) == 0 and sp.simplify(lag["x_{k-1}"] + mu) == 0


def test_noise_additive_tangential_zero_radial():
    lin = L.linearise()
    assert lin.additive_noise_var[0] == 0  # radial noise vanishes at first order at e_1
    assert lin.additive_noise_var[1] == alpha_i1**2  # Y_i Y_1
    assert lin.additive_noise_cov.is_diagonal()  # no cross-mode covariance


def test_multiplicative_noise_and_radial_hessian():
    lin = L.linearise()
    k = lin.multiplicative
    assert sp.simplify(k[0, 0] - 4 * (L.alpha_11**2 - lam1**2)) == 0  # 4 Var(Y_1^2)
    assert k[0, 1] == alpha_i1**2  # Y_1 Y_i x_i drives the radial mode
    assert lin.hessian_radial == sp.diag(-6 * lam1, -2 * lam_i, -2 * lam_j)


def _mean_field(lam: np.ndarray, w: np.ndarray) -> np.ndarray:
    return lam * w - (w @ (lam * w)) * w


def test_curvatures_against_finite_differences_of_eq5_mean_field():
    """Independent of SymPy: the Jacobian of Lambda w - (w^T Lambda w) w at e_1 by central
    differences is diag(-2 lambda_1, lambda_i - lambda_1) (d = 5)."""
    lam = np.array([5.0, 3.0, 2.5, 1.0, 0.5])
    e1 = np.eye(5)[0]
    h = 1e-6
    jac = np.column_stack(
        [(_mean_field(lam, e1 + h * u) - _mean_field(lam, e1 - h * u)) / (2 * h) for u in np.eye(5)]
    )
    assert np.allclose(jac, np.diag([-2 * lam[0], *(lam[1:] - lam[0])]), atol=1e-6)
    mm = L.mode_model(Problem.from_eigenvalues(lam), GAUSSIAN, 1e-3)
    assert np.allclose([m.c for m in mm.modes], -1e-3 * np.diag(jac), rtol=1e-6)


@pytest.mark.parametrize("model", [GAUSSIAN, RADEMACHER, UNIFORM_SPHERE])
def test_mode_model_noise_against_monte_carlo(model):
    """The per-mode additive noise variance and radial K row against samples of Y (diagonal
    Sigma). Tolerance: 6 standard errors of the sample mean (n = 400000)."""
    p = Problem.from_eigenvalues([4.0, 3.0, 2.0, 1.0])
    eta_ = 1e-3
    mm = L.mode_model(p, model, eta_)
    rng = np.random.default_rng(1)
    n = 400_000
    if model.family == "iid":
        z = rng.standard_normal((n, 4)) if model.kurtosis == 3 else rng.choice([-1.0, 1.0], (n, 4))
    else:
        g = rng.standard_normal((n, 4))
        z = 2.0 * g / np.linalg.norm(g, axis=1, keepdims=True)  # radius sqrt(d) = 2
    y = z * np.sqrt(p.eigenvalues)
    samples = {
        "additive": (y[:, 1:] * y[:, :1]) ** 2,  # (Y_i Y_1)^2
        "K_1i": (y[:, :1] * y[:, 1:]) ** 2,  # (Y_1 Y_i)^2
        "K_11": (2 * (y[:, 0] ** 2 - p.eigenvalues[0])) ** 2,
    }
    theory = {
        "additive": np.array([m.additive_noise_var for m in mm.modes[1:]]) / eta_**2,
        "K_1i": mm.K[0, 1:] / eta_**2,
        "K_11": mm.K[0, 0] / eta_**2,
    }
    for key, s in samples.items():
        mean, se = s.mean(axis=0), s.std(axis=0) / np.sqrt(n)
        assert np.all(np.abs(mean - theory[key]) < 6 * se + 1e-12), key
    assert mm.radial.additive_noise_var == 0.0
