"""C9, C7, C5: phase times derived from the limit processes, against the printed forms."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from theory import ode, ou, phases
from theory.compare import compare
from theory.symbols import Phi_inv, alpha12, delta, eps, eta, in_gap_form, lam1, lam2, mu, phi


def test_t1_identical_to_printed():
    assert phases.t1().comparison.kind == "identical"


def test_t2_is_twice_the_printed():
    c = phases.t2().comparison
    assert c.kind == "constant-factor" and c.factor == 2


def test_t3_log_argument_is_four_times_printed():
    c = phases.t3().comparison
    assert c.kind == "log-argument" and c.log_factor == 4 and c.factor == 1


def test_negative_control_t1_without_momentum_factor_is_not_identical():
    """A printed T1 missing (1 - mu) in front would be reported, not accepted."""
    wrong = phases.t1().printed / (1 - mu)
    c = compare(phases.t1().derived.expr, wrong)
    assert c.kind == "different-scaling" and c.exponents["1-mu"] == 1


def test_t2_reaches_the_endpoint_on_the_ode():
    """Integrate eq. (7) numerically for T2 from H_1(0)^2 = delta^2: H_1^2 = 1 - delta^2."""
    d2, mu_, lam = 0.01, 0.6, np.array([3.0, 1.5])
    t2 = float(phases.t2().derived.numpy(mu_, lam[0], lam[1], np.sqrt(d2)))
    h = ode.solve_numerically(
        np.array([0.0, t2]), np.array([np.sqrt(d2), np.sqrt(1 - d2)]), lam, mu_
    )
    assert h[-1, 0] ** 2 == pytest.approx(1 - d2, abs=1e-9)
    # the printed T2 (half of it) stops well short
    half = ode.solve_numerically(np.array([0.0, t2 / 2]), h[0], lam, mu_)
    assert half[-1, 0] ** 2 < 0.6


def test_t1_escape_probability_is_one_minus_nu():
    """At T1 the unstable OU law gives P(|U_1| >= delta/sqrt(eta)) = 1 - nu exactly."""
    vals = dict(mu=0.5, l1=4.0, l2=3.0, eta=1e-3, delta=0.05, nu=0.8, a12=np.sqrt(12.0))
    z = float(mpmath.sqrt(2) * mpmath.erfinv(vals["nu"]))
    t1 = float(
        phases.t1().derived.numpy(
            vals["mu"], vals["l1"], vals["l2"], vals["eta"], vals["delta"], z, vals["a12"]
        )
    )
    p = ou.saddle_escape_probability().numpy(
        t1, vals["delta"] / np.sqrt(vals["eta"]), vals["mu"], vals["l1"], vals["l2"], vals["a12"]
    )
    assert p == pytest.approx(1 - vals["nu"], rel=1e-10)


def test_phase3_bound_steps():
    out = phases.phase3_mean_bound()
    # the dropped term is non-negative and the stationary level falls as the gap grows
    assert sp.simplify(in_gap_form(out["slack"])).is_nonnegative is True
    assert sp.simplify(in_gap_form(out["stationary_decreasing_in_gap"])).is_negative is True


def test_t3_near_its_singularity_needs_mpmath():
    """Where (1-mu) g eps ~ 2 eta phi, float64 loses digits; the mpmath evaluation at 50 digits
    agrees with 100 digits to 1e-30, and the float64 value is off by far more."""
    f = phases.t3().derived  # args: mu, lambda_1, lambda_2, eps, eta, delta, phi
    mu_, l1, l2, phi_, delta_, eta_ = 0.5, 2.0, 1.0, 10.0, 0.01, 1e-4
    singular = 2 * eta_ * phi_ / ((1 - mu_) * (l1 - l2))  # where the denominator vanishes
    eps_ = singular * (1 + 1e-13)
    with mpmath.workdps(100):
        eps_mp = mpmath.mpf(singular) * (1 + mpmath.mpf("1e-13"))
    hi = f.mp(mu_, l1, l2, eps_mp, eta_, delta_, phi_, dps=100)
    mid = f.mp(mu_, l1, l2, eps_mp, eta_, delta_, phi_, dps=50)
    assert abs(hi - mid) < mpmath.mpf("1e-30")
    low = f.numpy(mu_, l1, l2, eps_, eta_, delta_, phi_)
    assert abs(float(low) - float(hi)) > 1e-6 * abs(float(hi))


@given(
    mu_=st.floats(0.0, 0.95),
    g=st.floats(0.1, 2.0),
    l2=st.floats(0.1, 3.0),
    eta_=st.floats(1e-5, 1e-2),
    c_delta=st.floats(0.5, 3.0),
    a=st.floats(0.5, 5.0),
    z=st.floats(0.1, 3.0),
)
def test_t1_numeric_matches_symbolic(mu_, g, l2, eta_, c_delta, a, z):
    f = phases.t1().derived
    delta_ = c_delta * np.sqrt(eta_)
    args = (mu_, l2 + g, l2, eta_, delta_, z, a)
    point = dict(zip((mu, lam1, lam2, eta, delta, Phi_inv, alpha12), args, strict=True))
    exact = sp.N(f.expr.subs(point), 30)
    assert float(f.numpy(*args)) == pytest.approx(float(exact), rel=1e-10)


@given(
    mu_=st.floats(0.0, 0.95),
    g=st.floats(0.1, 2.0),
    eps_=st.floats(1e-3, 0.1),
    frac=st.floats(0.05, 0.45),
    c_delta=st.floats(0.5, 3.0),
    phi_=st.floats(1.0, 30.0),
)
def test_t3_numeric_matches_symbolic(mu_, g, eps_, frac, c_delta, phi_):
    f = phases.t3().derived
    eta_ = frac * (1 - mu_) * g * eps_ / phi_  # inside the domain: 2 eta phi < (1-mu) g eps
    args = (mu_, 2.0 + g, 2.0, eps_, eta_, c_delta * np.sqrt(eta_), phi_)
    point = dict(zip((mu, lam1, lam2, eps, eta, delta, phi), args, strict=True))
    exact = sp.N(f.expr.subs(point), 30)
    assert float(f.numpy(*args)) == pytest.approx(float(exact), rel=1e-9)
