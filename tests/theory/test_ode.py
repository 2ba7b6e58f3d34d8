"""C3 (Theorem 3): the closed form solves eq. (7); negative controls; numeric cross-checks."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from theory import ode
from theory.symbols import mu


@pytest.mark.parametrize("d", [2, 3, 4])
def test_closed_form_satisfies_ode(d):
    assert all(r == 0 for r in ode.residual(d))


@pytest.mark.parametrize(
    "wrong_rate",
    [
        lambda li: li,  # drops the 1/(1-mu) of eq. (7)
        lambda li: li / (1 - mu) ** 2,  # a wrong power of (1 - mu)
        lambda li: 2 * li / (1 - mu),  # a wrong factor in the exponent
    ],
)
def test_perturbed_closed_form_fails_the_same_proof(wrong_rate):
    assert not ode.satisfies_ode(3, ode.closed_form(3, rate=wrong_rate))


def test_initial_value_and_invariant_sphere():
    assert ode.initial_value_matches(3)
    assert ode.sphere_is_invariant(3)


def test_converges_to_e1():
    lims = ode.converges_to_e1(3)
    assert lims == {"H_2/H_1": 0, "H_3/H_1": 0, "H_1^2": 1}


def test_stable_numeric_form_equals_closed_form():
    assert ode.stable_form_is_equal(3)


@given(
    mu_=st.floats(0.0, 0.95),
    h0=st.lists(st.floats(-1, 1), min_size=4, max_size=4).filter(
        lambda h: abs(h[0]) > 1e-2 and np.linalg.norm(h) > 0.1
    ),
)
def test_closed_form_matches_solve_ivp(mu_, h0):
    times = np.linspace(0.0, 12.0, 25)
    lam = np.array([4.0, 3.0, 2.0, 1.0])
    exact = ode.solution(times, np.array(h0), lam, mu_)
    numeric = ode.solve_numerically(times, np.array(h0), lam, mu_)
    assert np.max(np.abs(exact - numeric)) < 1e-9


def test_solve_ivp_rejects_a_wrong_closed_form():
    """The same 1e-9 cross-check detects the lambda_i t (no 1/(1-mu)) form."""
    sym = ode.symbols_for(4)
    wrong = sp.lambdify(
        (ode.t, mu, sym.lam, sym.h0), ode.closed_form(4, rate=lambda li: li), modules="numpy"
    )
    times = np.linspace(0.0, 3.0, 7)
    lam = [4.0, 3.0, 2.0, 1.0]
    h0 = np.array([0.3, 0.8, 0.4, 0.3])
    h0 = h0 / np.linalg.norm(h0)
    bad = np.column_stack([np.broadcast_to(c, times.shape) for c in wrong(times, 0.5, lam, h0)])
    numeric = ode.solve_numerically(times, h0, np.array(lam), 0.5)
    assert np.max(np.abs(bad - numeric)) > 1e-9


def test_solution_does_not_overflow_at_long_times():
    h = ode.solution(
        np.array([1e6]), np.array([1e-3, 1.0, 0.0, 0.0]), np.array([4, 3, 2, 1.0]), 0.9
    )
    assert np.all(np.isfinite(h))
    assert h[0, 0] == pytest.approx(1.0)
