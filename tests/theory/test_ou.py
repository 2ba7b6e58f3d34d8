"""C4 and C8: OU moments derived from the SDE by Ito's formula, and their numeric values."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from theory import ou
from theory.symbols import alpha_i1, alpha_ij, lam1, lam_i, lam_j, mu, s, t


def test_generic_moments_solve_their_odes():
    m = ou.moments()
    a, b = ou.a_, ou.b_
    assert sp.simplify(sp.diff(m["mean"], t) - a * m["mean"]) == 0
    assert sp.simplify(sp.diff(m["second"], t) - (2 * a * m["second"] + b**2)) == 0
    assert m["mean"].subs(t, 0) == ou.u0
    assert sp.simplify(m["second"].subs(t, 0) - ou.u0**2) == 0


def test_theorem5_stationary_variance_and_rate():
    proc = ou.theorem5()
    expected = alpha_i1**2 / (2 * (1 - mu) * (lam1 - lam_i))
    assert sp.simplify(proc.stationary_variance - expected) == 0
    assert sp.simplify(proc.relaxation_rate - (lam1 - lam_i) / (1 - mu)) == 0


def test_negative_control_missing_momentum_factor_changes_variance():
    """An OU process with drift lacking 1/(1-mu) gives a variance that differs from C4's."""
    wrong = ou.OU((lam_i - lam1), alpha_i1 / (1 - mu))
    expected = alpha_i1**2 / (2 * (1 - mu) * (lam1 - lam_i))
    assert sp.simplify(wrong.stationary_variance - expected) != 0


def test_drift_from_jacobian_matches_printed():
    assert sp.simplify(ou.drift_at(1, 2) - (lam_i - lam_j) / (1 - mu)) == 0


def test_alpha_must_be_a_square_root():
    out = ou.diffusion_from_noise()
    assert out["alpha_ij"] == [sp.sqrt(out["m4"])]
    assert sp.simplify(out["momentum_amplification"] - 1 / (1 - mu)) == 0


def test_saddle_variance_against_hand_computation():
    """Var U(t) = b^2 (e^{2at} - 1)/(2a); with mu = 1/2, lambda_i - lambda_j = 1, alpha = 2:
    a = 2, b = 4, so Var(1) = 4 (e^4 - 1) and Var(2)/Var(1) = e^4 + 1 (unstable growth)."""
    f = ou.saddle_variance_formula().numpy  # args: t, mu, lambda_i, lambda_j, alpha_ij
    v1, v2 = f(1.0, 0.5, 4.0, 3.0, 2.0), f(2.0, 0.5, 4.0, 3.0, 2.0)
    assert v1 == pytest.approx(4 * (np.exp(4) - 1), rel=1e-12)
    assert v2 / v1 == pytest.approx(np.exp(4) + 1, rel=1e-12)


@given(
    mu_=st.floats(0.0, 0.99),
    li=st.floats(0.1, 3.0),
    gap=st.floats(0.05, 3.0),
    a=st.floats(0.1, 5.0),
    tt=st.floats(0.0, 5.0),
)
def test_numeric_equals_symbolic(mu_, li, gap, a, tt):
    f = ou.saddle_variance_formula()
    point = {t: tt, mu: mu_, lam_i: li + gap, lam_j: li, alpha_ij: a}
    sym_val = float(f.expr.subs(point).evalf(30))
    num_val = float(f.numpy(tt, mu_, li + gap, li, a))
    assert num_val == pytest.approx(sym_val, rel=1e-9, abs=1e-12)


def test_autocorrelation_is_exponential():
    proc = ou.theorem5()
    assert sp.simplify(proc.autocorrelation - sp.exp(-s * (lam1 - lam_i) / (1 - mu))) == 0
