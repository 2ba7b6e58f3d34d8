"""E1's scalar recursion x_{k+1} = (1+mu) x_k - mu x_{k-1} - c x_{k-tau} + noise (THEORY.md E1).

The exact boundary tau_max (closed-form crossing conditions) is checked against brute-force
iteration and mpmath-polished roots; the stationary variance (Yule-Walker / Lyapunov / Levinson /
FFT) against each other and against long simulations, with a stated statistical tolerance.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.optimize
import scipy.signal
import sympy as sp
from scipy.stats import norm

from theory import autoregression as ar
from theory import delayed_heavy_ball as D
from theory.symbols import mu
from theory.validation import ParameterError

# (mu, c) pairs: Async-SGD (mu = 0), Figure 1's radial mode (c = 2 eta lambda_1 = 0.004) where
# the small-c asymptote fails (mu = 0.95), large c (tau_max = 0 or 1)
CASES = [
    (0.0, 0.05),
    (0.5, 0.1),
    (0.3, 0.5),
    (0.85, 0.004),
    (0.9, 0.004),
    (0.95, 0.004),
    (0.5, 1.5),
    (0.9, 0.3),
]


def impulse_response(mu_: float, c_: float, tau: int, steps: int) -> np.ndarray:
    """Brute force: iterate the deterministic recursion from a unit impulse (scipy lfilter)."""
    phi = np.zeros(max(tau, 1) + 1)
    phi[0] += 1 + mu_
    phi[1] -= mu_
    phi[tau] -= c_
    impulse = np.zeros(steps)
    impulse[0] = 1.0
    return scipy.signal.lfilter([1.0], np.concatenate(([1.0], -phi)), impulse)


def grows(h: np.ndarray) -> bool:
    """The envelope over the last tenth against the first tenth (x 1e3 either way)."""
    n = h.size // 10
    first, last = np.max(np.abs(h[:n])), np.max(np.abs(h[-n:]))
    if last > 1e3 * first:
        return True
    if last < 1e-3 * first:
        return False
    raise AssertionError("inconclusive: run longer")


def test_characteristic_polynomial_from_the_recursion():
    z, c = D.z, D.c
    assert sp.expand(D.characteristic_polynomial(0).as_expr() - (z**2 - (1 + mu - c) * z + mu)) == 0
    for tau in range(1, 5):
        expected = z ** (tau + 1) - (1 + mu) * z**tau + mu * z ** (tau - 1) + c
        assert sp.expand(D.characteristic_polynomial(tau).as_expr() - expected) == 0
        generic = D.generic_characteristic().subs(D.tau_r, tau) * z ** (tau - 1)
        assert sp.expand(generic - expected) == 0


def test_crossing_conditions_derived():
    cc = D.crossing_conditions()
    # the positive root, rationalised, equals SymPy's root (no cancellation at small c)
    assert sp.simplify(cc["s_star"] - cc["s_root"]) == 0
    # at theta*, |e^{i th} - 1| |e^{i th} - mu| = c
    for m_, c_ in [(0.5, 0.1), (0.9, 0.004), (0.0, 1.0)]:
        th = float(D.crossing_frequency_formula()(m_, c_))
        z = complex(math.cos(th), math.sin(th))
        assert abs(abs(z - 1) * abs(z - m_) - c_) < 1e-12
        # and at tau_0 the polynomial (generic form) vanishes there: a root on the circle
        t0 = D.tau_crossing(m_, c_)
        assert abs((z - 1) * (z - m_) + c_ * z ** (1 - t0)) < 1e-10


@pytest.mark.parametrize(("mu_", "c_"), CASES)
def test_boundary_against_brute_force_iteration(mu_, c_):
    """Stable (decays) at tau_max, unstable (grows) at tau_max + 1, by iterating the recursion.

    The run length is set so that the predicted decay/growth is e^{+-12}; a wrong boundary makes
    the predicted-stable run grow (or the predicted-unstable one decay) and the test fails.
    """
    t = D.tau_max(mu_, c_)
    for tau, unstable in ((t, False), (t + 1, True)):
        if tau < 0:
            continue
        rate = abs(math.log(float(D.spectral_radius(mu_, c_, tau))))
        h = impulse_response(mu_, c_, tau, steps=int(12 / rate) + 20 * (tau + 2))
        assert grows(h) is unstable, (mu_, c_, tau)


@pytest.mark.parametrize(("mu_", "c_"), CASES)
def test_boundary_against_companion_roots(mu_, c_):
    t = D.tau_max(mu_, c_)
    if t >= 0:
        assert D.is_stable(mu_, c_, t)
    assert not D.is_stable(mu_, c_, t + 1)


@pytest.mark.parametrize("target", [100.0 + 2e-6, 100.0 - 2e-6])
def test_boundary_where_roots_crowd_the_circle(target):
    """c chosen so that tau_0 is within 2e-6 of the integer 100: the critical root is within
    ~1e-9 of |z| = 1, where float eigenvalues cannot decide; the mpmath-polished root must agree
    with the closed form on which side of the circle it lies."""
    mu_ = 0.6
    c_ = scipy.optimize.brentq(lambda c: D.tau_crossing(mu_, c) - target, 1e-4, 1e-1, xtol=1e-15)
    t = D.tau_max(mu_, c_)
    assert t == (100 if target > 100 else 99)
    rho = D.spectral_radius(mu_, c_, 100)
    assert abs(float(rho) - 1.0) < 1e-6  # genuinely crowded
    assert (rho < 1) == (target > 100)


def test_boundary_at_an_integer_crossing_is_decided_in_mpmath():
    """tau_0 = 50 to double precision: the crossing formula (evaluated in mpmath) and the
    mpmath-polished root (60 digits) must agree on whether tau = 50 is stable."""
    c_ = scipy.optimize.brentq(lambda c: D.tau_crossing(0.6, c) - 50.0, 1e-3, 1e-1, xtol=1e-16)
    assert abs(D.tau_crossing(0.6, c_) - 50.0) < 1e-12
    t = D.tau_max(0.6, c_)
    assert t in (49, 50)
    assert D.is_stable(0.6, c_, 50) == (t == 50)


@pytest.mark.parametrize(("mu_", "c_"), [(0.5, 0.1), (0.0, 0.2), (0.9, 0.02), (0.7, 0.05)])
def test_stability_is_monotone_in_tau(mu_, c_):
    """For mu in [0, 1) one crossing frequency, every crossing destabilising: the stable delays
    are exactly 0..tau_max (scanned up to 3 tau_max + 5 by companion roots)."""
    t = D.tau_max(mu_, c_)
    pattern = [D.is_stable(mu_, c_, tau) for tau in range(3 * t + 6)]
    assert pattern == [True] * (t + 1) + [False] * (2 * t + 5)
    assert all(d > 0 for d in D.crossing_directions(mu_, c_, 4))


def test_heavy_ball_tau0_interval():
    """tau = 0: stable iff 0 < c < 2 (1 + mu) (derived Jury conditions, then numerically)."""
    hb = D.heavy_ball_stability_interval()
    assert hb["c_low"] == 0
    assert sp.simplify(hb["c_high"] - 2 * (1 + mu)) == 0
    for mu_ in (0.0, 0.5, 0.9):
        edge = 2 * (1 + mu_)
        assert D.tau_max(mu_, edge * (1 - 1e-6)) >= 0
        assert D.tau_max(mu_, edge * (1 + 1e-6)) == D.NO_STABLE_DELAY
        h_in = impulse_response(mu_, edge * 0.99, 0, 2000)
        h_out = impulse_response(mu_, edge * 1.01, 0, 2000)
        assert not grows(h_in) and grows(h_out)


def test_tau1_closed_case():
    """tau = 1: z^2 - (1+mu) z + mu + c, stable iff c < 1 - mu (Jury): tau_max >= 1 iff so."""
    for mu_ in (0.0, 0.4, 0.8):
        assert D.tau_max(mu_, (1 - mu_) * 0.999) >= 1
        assert D.tau_max(mu_, (1 - mu_) * 1.001) == 0


def test_small_c_asymptote_derived_and_its_accuracy():
    c = D.c
    ser = D.tau_crossing_series(2)
    lead = sp.limit(ser * c, c, 0)
    assert sp.simplify(lead - sp.pi * (1 - mu) / 2) == 0
    const = sp.limit(ser - lead / c, c, 0)
    assert sp.simplify(const - (sp.Rational(1, 2) - 1 / (1 - mu))) == 0
    two, three = D.tau_crossing_asymptote(1), D.tau_crossing_asymptote(2)
    # error of the 2-term form is O(c), of the 3-term form O(c^2): halving c halves / quarters it
    errs2, errs3 = [], []
    for c_ in (0.02, 0.01, 0.005):
        exact = D.tau_crossing(0.5, c_)
        errs2.append(abs(float(two(0.5, c_)) - exact))
        errs3.append(abs(float(three(0.5, c_)) - exact))
    assert 1.7 < errs2[0] / errs2[1] < 2.3 and 1.7 < errs2[1] / errs2[2] < 2.3
    assert 3.4 < errs3[0] / errs3[1] < 4.6
    # and it fails where c ~ (1-mu)^2 (Figure 1's radial mode at mu = 0.95): 0.13 vs 13.76
    assert float(two(0.95, 0.004)) < 0.2 * D.tau_crossing(0.95, 0.004)


@pytest.mark.parametrize(("mu_", "c_", "tau"), [(0.5, 0.1, 0), (0.5, 0.1, 4), (0.9, 0.004, 20)])
def test_variance_methods_agree(mu_, c_, tau):
    vals = [D.stationary_variance(mu_, c_, tau, 2.0, method=m) for m in D.VARIANCE_METHODS]
    assert np.allclose(vals, vals[0], rtol=1e-8)


def test_heavy_ball_variance_closed_form():
    v0 = D.heavy_ball_variance(0)
    assert sp.simplify(v0 - (1 + mu) / ((1 - mu) * D.c * (2 * (1 + mu) - D.c))) == 0
    for tau in (0, 1, 2):
        num = float(D.heavy_ball_variance(tau).subs({mu: 0.6, D.c: 0.07}))
        assert math.isclose(num, D.stationary_variance(0.6, 0.07, tau), rel_tol=1e-10)


def test_small_c_variance_leading_term():
    assert sp.simplify(D.small_c_variance_leading() - 1 / (2 * D.c * (1 - mu))) == 0
    for tau in (0, 10, 50):  # numerically: 2 c (1-mu) V -> 1 with an O(c) error
        r = [2 * c_ * 0.3 * D.stationary_variance(0.7, c_, tau) for c_ in (1e-4, 1e-5)]
        assert abs(r[1] - 1) < 0.2 * abs(r[0] - 1) + 1e-9


# Statistical check of the variances. Each case runs R independent replicates from x = 0; after a
# burn-in making the start's bias < 1e-6 relative, each replicate's time-average of x^2 is one
# observation. The R observations are i.i.d., so z = (mean - V)/(sd/sqrt R) is ~N(0,1) under the
# theory; all cases must pass |z| < z* at family-wise level 1e-3 (Bonferroni over the cases,
# z* = 3.72). Power: the relative standard error must be below 1% (it is 0.4-0.7%), so a variance
# off by more than ~4% fails.
SIM_CASES = [(0.5, 0.1, 0), (0.5, 0.1, 3), (0.5, 0.1, 6), (0.0, 0.3, 2), (0.8, 0.05, 4)]
Z_STAR = norm.ppf(1 - 1e-3 / (2 * len(SIM_CASES)))


def simulate_variance(mu_, c_, tau, reps=400, seed=0):
    rho = float(D.spectral_radius(mu_, c_, tau))
    burn = int(math.log(1e-6) / (2 * math.log(rho))) + 10
    window = 20 * burn
    rng = np.random.default_rng(seed)
    phi = ar.companion(D.ar_coefficients(mu_, c_, tau))[0]
    p = phi.size
    hist = np.zeros((p, reps))  # hist[j] = x_{k-j}
    acc = np.zeros(reps)
    for k in range(burn + window):
        new = phi @ hist + rng.standard_normal(reps)
        hist = np.roll(hist, 1, axis=0)
        hist[0] = new
        if k >= burn:
            acc += new * new
    obs = acc / window
    return obs.mean(), obs.std(ddof=1) / math.sqrt(reps)


@pytest.mark.parametrize(("mu_", "c_", "tau"), SIM_CASES)
def test_lyapunov_variance_against_simulation(mu_, c_, tau):
    v = D.stationary_variance(mu_, c_, tau, method="lyapunov")
    mean, se = simulate_variance(mu_, c_, tau, seed=hash((mu_, c_, tau)) % 2**32)
    assert se / v < 0.01, "not enough power"
    assert abs(mean - v) / se < Z_STAR, (mean, v, se)


def test_variance_is_infinite_beyond_the_boundary_and_inputs_validated():
    t = D.tau_max(0.5, 0.1)
    assert math.isinf(D.stationary_variance(0.5, 0.1, t + 1))
    with pytest.raises(ParameterError, match="mu"):
        D.tau_max(1.0, 0.1)
    with pytest.raises(ParameterError, match="c"):
        D.tau_max(0.5, -0.1)
    with pytest.raises(ParameterError, match="tau"):
        D.stationary_variance(0.5, 0.1, -1)
    with pytest.raises(ParameterError, match="method"):
        D.stationary_variance(0.5, 0.1, 1, method="guess")
