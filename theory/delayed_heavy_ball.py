"""E1: the delayed heavy-ball recursion x_{k+1} = (1+mu) x_k - mu x_{k-1} - c x_{k-tau} + noise_k.

Every mode of eq. (5) linearised at the optimum is this scalar recursion (see
:mod:`theory.linearise`); this module holds its exact theory, with no asymptotics:

* the characteristic polynomial P_tau(z) = z^(tau+1) - (1+mu) z^tau + mu z^(tau-1) + c (tau >= 1;
  z^2 - (1+mu-c) z + mu at tau = 0, the heavy-ball case), derived from x_k = z^k;
* its unit-circle crossing conditions (modulus and phase), derived with SymPy and solved in
  closed form: one crossing frequency theta*(mu, c) and the crossing delays
  tau_m = (pi/2 + theta*/2 - psi + 2 pi m)/theta*, psi = arg(e^(i theta*) - mu). The exact
  boundary tau_max is the largest integer strictly below tau_0 (:func:`tau_max`), checked
  against companion-matrix eigenvalues polished with mpmath (:func:`spectral_radius`);
* why stability in tau is monotone for mu in [0, 1): the modulus condition is increasing in theta,
  so there is one crossing frequency and every crossing is destabilising
  (:func:`crossing_directions` evaluates d|z|/dtau at each crossing);
* the small-c asymptote tau_0 = pi (1-mu)/(2c) + 1/2 - 1/(1-mu) + O(c), derived by series
  (:func:`tau_crossing_series`);
* the exact stationary variance for unit noise, four ways: the discrete Lyapunov equation of the
  companion matrix (small tau), the Yule-Walker system of the autocovariances (the structured
  form: the Lyapunov solution is their Toeplitz matrix), the Schur-Cohn/Levinson recursion
  (O(tau^2), the default), and the spectral integral (1/2pi) int |1/P(e^{iw})|^2 dw by FFT;
* the leading small-c term of that variance, 1/(2 c (1-mu)) for every fixed tau, derived from the
  spectral integral (the eta -> 0 link to C4, see :mod:`theory.stability`).
"""

from __future__ import annotations

import math
from functools import cache

import mpmath
import numpy as np
import sympy as sp

from theory import autoregression as ar
from theory import truncated as ts
from theory.formula import Formula
from theory.symbols import mu, omu
from theory.validation import ParameterError, check_mu, check_positive, check_tau

z = sp.Symbol("z")  # complex root variable
c = sp.Symbol("c", positive=True)  # the mode's curvature (delayed restoring coefficient)
theta = sp.Symbol("theta", positive=True)  # angle of a unit-circle root, in (0, pi]
sin2 = sp.Symbol("s", positive=True)  # sin^2(theta/2)
tau_r = sp.Symbol("tau", nonnegative=True)  # a real-valued delay in the crossing conditions
m_branch = sp.Symbol("m", integer=True, nonnegative=True)  # which crossing (m = 0: the first)
omega_scaled = sp.Symbol("sigma_w", real=True)  # frequency in units of c: w = c * sigma_w

NO_STABLE_DELAY = -1  # tau_max when even tau = 0 is unstable (c >= 2 (1 + mu))


MOMENTUM_LAGS = (0, 1)


@cache
def generic_lags() -> dict[int | str, sp.Expr]:
    """E1's recursion x_{k+1} = sum_l a_l x_{k-l} - c x_{k-tau} + noise_k as its coefficients:
    the momentum of eq. (5) gives lags 0 and 1 (1 + mu and -mu), the delayed gradient lag "tau"
    (-c). :mod:`theory.linearise` checks that every mode of eq. (5) has exactly these."""
    return {0: 1 + mu, 1: -mu, "tau": -c}


def lag_coefficients(tau: int) -> dict[int, sp.Expr]:
    """{lag: coefficient} at a given delay (SymPy); at tau = 0, 1 the delayed term adds to the
    momentum coefficient of the same lag."""
    t = check_tau(tau)
    g = generic_lags()
    a: dict[int, sp.Expr] = {lag: g[lag] for lag in MOMENTUM_LAGS}
    a[t] = a.get(t, sp.Integer(0)) + g["tau"]
    return a


@cache
def _lag_formulas() -> dict[int | str, Formula]:
    return {key: Formula(f"a_{key}", expr, (mu, c)) for key, expr in generic_lags().items()}


def lag_values(mu_: float, c_: float) -> tuple[float, float, float]:
    """(a_0, a_1, a_tau) as numbers, lambdified from :func:`generic_lags`."""
    f = _lag_formulas()
    return tuple(float(f[key](mu_, c_)) for key in (*MOMENTUM_LAGS, "tau"))  # type: ignore[return-value]


def ar_coefficients(mu_: float, c_: float, tau: int) -> np.ndarray:
    """phi_1..phi_p with x_{k+1} = sum_j phi_j x_{k+1-j} + noise (p = max(tau, 1) + 1), numeric
    (phi_j is the coefficient of lag j - 1)."""
    t = check_tau(tau)
    a0, a1, a_tau = lag_values(mu_, c_)
    phi = np.zeros(max(t, 1) + 1)
    phi[0] += a0
    phi[1] += a1
    phi[t] += a_tau
    return phi


def characteristic_polynomial(tau: int) -> sp.Poly:
    """P_tau(z) from x_k = z^k, normalised to a monic polynomial of degree max(tau, 1) + 1."""
    t = check_tau(tau)
    k = sp.Symbol("k", integer=True)
    a = lag_coefficients(t)
    n = max(t, 1) + 1
    lhs = z ** (k + 1) - sum(coef * z ** (k - lag) for lag, coef in a.items())
    return sp.Poly(sp.powsimp(sp.expand(lhs * z ** (n - 1 - k)), force=True), z)


def generic_characteristic() -> sp.Expr:
    """P_tau(z) / z^(tau-1) for a symbolic delay: (z - 1)(z - mu) + c z^(1 - tau).

    Derived by factoring the momentum part of :func:`characteristic_polynomial` (checked for
    tau = 1..4 in the tests).
    """
    momentum_part = sp.factor(z**2 - (1 + mu) * z + mu)
    return momentum_part + c * z ** (1 - tau_r)


# --- unit-circle crossing conditions -------------------------------------------------------------


def _modulus_squared(w: sp.Expr) -> sp.Expr:
    """|w|^2 for w a polynomial in e^{i theta}, as a polynomial in cos(theta)."""
    re, im = sp.expand_complex(w).as_real_imag()
    return sp.expand(sp.expand(re**2 + im**2).subs(sp.sin(theta) ** 2, 1 - sp.cos(theta) ** 2))


@cache
def crossing_conditions() -> dict[str, sp.Expr]:
    """The modulus and phase conditions for a root z = e^{i theta} of P_tau, derived.

    P_tau(z) = 0 on |z| = 1 means (z - 1)(z - mu) = -c z^(1-tau): equal moduli,
    |e^{i th} - 1|^2 |e^{i th} - mu|^2 = c^2, and phases differing by pi. Writing
    s = sin^2(theta/2) turns the modulus condition into a quadratic in s with one positive root
    s*(mu, c); the phase condition, with arg(e^{i th} - 1) = pi/2 + th/2 (from
    e^{i th} - 1 = 2 i sin(th/2) e^{i th/2}), gives the crossing delays tau_m.
    """
    e = sp.exp(sp.I * theta)
    # Targeted steps (real/imaginary parts, the quadratic formula, a linear solve) instead of
    # trigsimp/solve/simplify: the same closed forms in a fraction of the time (issue 12).
    mod1, mod2 = _modulus_squared(e - 1), _modulus_squared(e - mu)
    modulus = sp.expand((mod1 * mod2).subs(sp.cos(theta), 1 - 2 * sin2)) - c**2
    a, b, c0 = sp.Poly(modulus, sin2).all_coeffs()
    disc = sp.factor_terms(sp.expand(b**2 - 4 * a * c0))
    # a > 0 and c0 = -c^2 < 0: exactly one positive root, the one with +sqrt
    s_root = sp.factor_terms((-b + sp.sqrt(disc)) / (2 * a))
    # its rationalised reciprocal form (times the conjugate) avoids cancellation at small c
    s_star = sp.factor_terms(-2 * c0 / (b + sp.sqrt(disc)))
    if sp.expand((-b + sp.sqrt(disc)) * (b + sp.sqrt(disc)) + 4 * a * c0) != 0:
        raise AssertionError("the rationalised root differs from the quadratic formula's")
    if not s_star.subs({mu: sp.Rational(1, 2), c: 1}).evalf() > 0:
        raise AssertionError(f"the modulus condition's root {s_star} is not positive")
    factor_identity = sp.expand(
        (e - 1 - 2 * sp.I * sp.sin(theta / 2) * sp.exp(sp.I * theta / 2)).rewrite(sp.exp)
    )
    if factor_identity != 0:
        raise AssertionError("e^{i th} - 1 = 2 i sin(th/2) e^{i th/2} failed")
    psi = sp.atan2(sp.sin(theta), sp.cos(theta) - mu)  # arg(e^{i th} - mu)
    phase = (tau_r - 1) * theta + (sp.pi / 2 + theta / 2) + psi - (sp.pi + 2 * sp.pi * m_branch)
    slope = sp.diff(phase, tau_r)
    if sp.diff(slope, tau_r) != 0:
        raise AssertionError("the phase condition is not linear in tau")
    tau_m = tau_r - phase / slope
    return {
        "modulus": modulus,
        "s_star": s_star,
        "s_root": s_root,
        "theta_star": 2 * sp.asin(sp.sqrt(s_star)),
        "psi": psi,
        "phase": phase,
        "tau_m": sp.expand(tau_m),
    }


@cache
def crossing_frequency_formula() -> Formula:
    """theta*(mu, c): the unique angle at which a root of P_tau can sit on the unit circle."""
    return Formula("theta*", crossing_conditions()["theta_star"], (mu, c))


@cache
def crossing_delay_formula() -> Formula:
    """tau_m(mu, c, m): the (real) delays at which a root pair crosses |z| = 1 at theta*."""
    cc = crossing_conditions()
    expr = cc["tau_m"].subs(theta, cc["theta_star"])
    return Formula("tau_m", expr, (mu, c, m_branch))


def _check(mu_: object, c_: object) -> tuple[float, float]:
    return check_mu(mu_), check_positive("c", c_)


def tau_crossing(mu_: float, c_: float, m: int = 0) -> float:
    """tau_m, the m-th crossing delay (real-valued).

    For c >= 2(1+mu) the modulus condition has no solution with s <= 1: no root ever reaches
    the unit circle, and tau = 0 is already unstable; this returns nan.
    """
    m_, c_ = _check(mu_, c_)
    if c_ >= 2.0 * (1.0 + m_):
        return math.nan
    return float(crossing_delay_formula()(m_, c_, m))


def tau_max(mu_: float, c_: float) -> int:
    """The exact constant-delay boundary: the largest integer tau with every root of P_tau
    strictly inside the unit circle (E1). ``NO_STABLE_DELAY`` (-1) when c >= 2 (1 + mu).

    Roots cross |z| = 1 only at tau_0, tau_1, ... (:func:`tau_crossing`), each crossing moving
    a pair outwards (:func:`crossing_directions`), and tau = 0 is stable iff c < 2(1+mu); so the
    stable delays are exactly the integers below tau_0. At an integer tau_0 a root sits on the
    circle, which is not strictly inside: tau_0 - 1 is returned.
    """
    t0 = tau_crossing(mu_, c_)
    if math.isnan(t0):
        return NO_STABLE_DELAY
    if abs(t0 - round(t0)) < 1e-8:  # too close to an integer for float64: decide in mpmath
        exact = crossing_delay_formula().mp(check_mu(mu_), c_, 0, dps=60)
        return max(int(mpmath.ceil(exact)) - 1, NO_STABLE_DELAY)
    return max(math.ceil(t0) - 1, NO_STABLE_DELAY)


def crossing_directions(mu_: float, c_: float, m_max: int = 3) -> list[float]:
    """d|z|/dtau at the crossings tau_0..tau_{m_max} (all > 0: every crossing destabilises).

    Implicit differentiation of F(z, tau) = (z-1)(z-mu) + c z^(1-tau) = 0 at z = e^{i theta*}.
    """
    m_, c_ = _check(mu_, c_)
    th = float(crossing_frequency_formula()(m_, c_))
    zz = complex(math.cos(th), math.sin(th))
    out = []
    for m in range(m_max + 1):
        t = tau_crossing(m_, c_, m)
        f_tau = -c_ * complex(0, th) * zz ** (1 - t)
        f_z = (2 * zz - 1 - m_) + c_ * (1 - t) * zz ** (-t)
        dz = -f_tau / f_z
        out.append((zz.conjugate() * dz).real)
    return out


# --- small-c asymptote -----------------------------------------------------------------------


@cache
def tau_crossing_series(order: int = 2) -> sp.Expr:
    """tau_0 as a series in c up to (and including) c^(order-1), derived from the crossing
    conditions.

    The modulus condition gives c(theta) = theta (1-mu) (1 + O(theta^2)), an odd series; it is
    reverted by undetermined coefficients to theta(c), and put into the phase condition
    tau_0 = pi/(2 theta) + 1/2 - psi(theta)/theta (psi = atan(sin th/(cos th - mu)) for small
    theta). Leading terms: pi (1-mu)/(2c) + 1/2 - 1/(1-mu) + O(c). The natural small parameter
    is c/(1-mu)^2: (1-mu) tau_0 is a series in it with O(1) coefficients, so the asymptote fails
    when c ~ (1-mu)^2 (the Figure 1 radial mode at mu = 0.95).
    """
    n_terms = order + 1  # odd powers c, c^3, ... of theta(c) needed
    cc = crossing_conditions()
    big = 2 * n_terms + 2  # series in theta to theta^(2 n_terms + 1)
    # Series by coefficient recurrences (theory.truncated), not sympy.series: the same
    # coefficients in a fraction of the time (issue 12; checked against series in the tests).
    # The modulus condition: c^2 is a polynomial in s = sin^2(theta/2), s a series in theta.
    half = ts.taylor(sp.sin(theta / 2), theta, big)
    s_of_theta = ts.multiply(half, half, big)
    c2_poly = sp.Poly(sp.expand((cc["modulus"] + c**2).subs(mu, 1 - omu)), sin2)
    c2 = ts.compose([sp.expand(a) for a in reversed(c2_poly.all_coeffs())], s_of_theta, big)
    # c^2/theta^2 is a series in theta^2; its square root is c(theta)/theta
    root = ts.sqrt(c2[2::2][:n_terms], n_terms)
    c_of_theta = sp.expand(theta * ts.as_expr(root, theta**2))
    b = sp.symbols(f"b0:{n_terms}")
    theta_of_c = sum(b[j] * c ** (2 * j + 1) for j in range(n_terms))
    residual = sp.expand(c_of_theta.subs(theta, theta_of_c)) - c
    sol: dict[sp.Symbol, sp.Expr] = {}
    for j in range(n_terms):
        eq = sp.expand(residual.coeff(c, 2 * j + 1).subs(sol))
        slope = sp.diff(eq, b[j])  # each order's equation is linear in its new coefficient
        if slope == 0 or sp.diff(slope, b[j]) != 0:
            raise AssertionError(f"the reversion's equation for {b[j]} is not linear: {eq}")
        sol[b[j]] = sp.factor(-eq.subs(b[j], 0) / slope)
    # psi(theta) = atan(sin theta/(cos theta - mu)) for small theta, composed from the series
    den = ts.taylor(sp.cos(theta), theta, big)
    den[0] = den[0] - (1 - omu)
    quotient = ts.multiply(ts.taylor(sp.sin(theta), theta, big), ts.reciprocal(den, big), big)
    psi = ts.atan(quotient, big)
    # the phase condition is a polynomial in P = psi/theta and w = 1/theta; with theta(c) =
    # c u(c), each monomial w^k P^j is c^(-k) (1/u)^k P(theta(c))^j
    w, p_sym = sp.Symbol("w"), sp.Symbol("P")
    phase = cc["tau_m"].subs(m_branch, 0).subs(cc["psi"] / theta, p_sym)
    poly = sp.Poly(sp.expand(phase.subs(theta, 1 / w)), w, p_sym)
    n = order + max(k for k, _ in poly.monoms())
    u = ts.coefficients(sp.expand(theta_of_c.subs(sol) / c), c, n)
    p_of_c = ts.compose(psi[1 : 2 * n_terms + 1], [sp.Integer(0), *u[: n - 1]], n)
    inv_u = ts.reciprocal(u, n)
    ser = sp.Integer(0)
    for (k, j), coeff in poly.terms():
        part = ts.multiply(ts.power(inv_u, k, n), ts.power(p_of_c, j, n), n)
        ser += coeff * ts.as_expr(part[: order + k], c, -k)
    return sp.collect(sp.expand(ser), c, sp.factor).subs(omu, 1 - mu)


@cache
def tau_crossing_asymptote(order: int = 2) -> Formula:
    """The series of :func:`tau_crossing_series` as a numeric Formula in (mu, c)."""
    return Formula(f"tau_0 to O(c^{order})", tau_crossing_series(order), (mu, c))


# --- roots and variances (numeric tools in theory.autoregression) ----------------------------


def companion(mu_: float, c_: float, tau: int) -> np.ndarray:
    """The companion matrix of E1's recursion at delay tau: state (x_k, ..., x_{k-p+1})."""
    return ar.companion(ar_coefficients(mu_, c_, tau))


def _exact_coefficients(mu_: float, c_: float, tau: int, dps: int) -> list[mpmath.mpf]:
    """The monic coefficients of P_tau in mpmath, from the SymPy lag coefficients."""
    coeffs = [mpmath.mpf(1)] + [mpmath.mpf(0)] * (max(tau, 1) + 1)
    f = _lag_formulas()
    for lag, key in ((0, 0), (1, 1), (tau, "tau")):
        coeffs[lag + 1] -= f[key].mp(mu_, c_, dps=dps)
    return coeffs


def spectral_radius(mu_: float, c_: float, tau: int, *, dps: int = 40) -> mpmath.mpf:
    """max |root of P_tau|: companion eigenvalues, roots near |z| = 1 polished in mpmath."""
    m_, c_ = _check(mu_, c_)
    t = check_tau(tau)
    phi = ar_coefficients(m_, c_, t)
    return ar.spectral_radius(phi, exact=_exact_coefficients(m_, c_, t, dps), dps=dps)


def is_stable(mu_: float, c_: float, tau: int) -> bool:
    """Every root of P_tau strictly inside the unit circle (by :func:`spectral_radius`)."""
    return bool(spectral_radius(mu_, c_, tau, dps=60) < 1)


VARIANCE_METHODS = ("levinson", "yule-walker", "lyapunov", "spectral")


def stationary_variance(
    mu_: float, c_: float, tau: int, noise_var: float = 1.0, method: str = "levinson"
) -> float:
    """Exact stationary Var x of E1's recursion with noise of variance ``noise_var`` per step.

    ``inf`` beyond the boundary (tau > tau_max). Methods (:mod:`theory.autoregression`, checked
    against each other in the tests): "levinson" (default; Schur-Cohn, O(tau^2)), "yule-walker"
    (one dense solve, O(tau^3)), "lyapunov" (dense companion Lyapunov, small tau), "spectral"
    (FFT quadrature).
    """
    m_, c_ = _check(mu_, c_)
    t = check_tau(tau)
    check_positive("noise_var", noise_var)
    if method not in VARIANCE_METHODS:
        raise ParameterError("method", method, "one of " + ", ".join(VARIANCE_METHODS))
    if t > tau_max(m_, c_):
        return math.inf
    phi = ar_coefficients(m_, c_, t)
    if method == "yule-walker":
        return float(ar.yule_walker_autocovariances(phi, noise_var)[0])
    if method == "levinson":
        return noise_var * ar.schur_cohn(phi).variance
    if method == "lyapunov":
        return ar.lyapunov_variance(phi, noise_var)
    return ar.spectral_variance(phi, noise_var)


# --- closed forms and the small-c limit -------------------------------------------------------


@cache
def heavy_ball_variance(tau: int = 0) -> sp.Expr:
    """Var x for unit noise at a fixed small tau, in closed form (symbolic Yule-Walker)."""
    a = lag_coefficients(tau)
    p = max(tau, 1) + 1
    phi = [sum(coef for lag, coef in a.items() if lag == j - 1) for j in range(1, p + 1)]
    g = sp.symbols(f"g0:{p + 1}")
    eqs = [
        sp.Eq(g[m] - sum(phi[j - 1] * g[abs(m - j)] for j in range(1, p + 1)), int(m == 0))
        for m in range(p + 1)
    ]
    sol = sp.solve(eqs, g, dict=True)[0]
    return sp.factor(sp.simplify(sol[g[0]]))


@cache
def heavy_ball_stability_interval() -> dict[str, sp.Expr]:
    """tau = 0 (synchronous heavy ball): the Jury conditions of P_0(z) = z^2 + b z + a, derived.

    Stable iff |a| < 1, P_0(1) > 0 and P_0(-1) > 0. Here a = mu in [0, 1), P_0(1) = c and
    P_0(-1) = 2 (1 + mu) - c: the interval 0 < c < 2 (1 + mu).
    """
    poly = characteristic_polynomial(0)
    _, b, a = poly.all_coeffs()
    p_plus, p_minus = sp.factor(poly.eval(1)), sp.factor(poly.eval(-1))
    return {
        "a": a,
        "b": b,
        "P(1)": p_plus,
        "P(-1)": p_minus,
        "c_low": sp.solve(p_plus, c)[0] if p_plus.has(c) and p_plus != c else sp.Integer(0),
        "c_high": sp.solve(p_minus, c)[0],
    }


@cache
def small_c_variance_leading() -> sp.Expr:
    """The leading small-c term of Var x (unit noise) for a symbolic delay tau: 1/(2c(1-mu)).

    Var x = (1/2pi) int |P_tau(e^{iw})|^{-2} dw and |P_tau(e^{iw})| = |(e^{iw}-1)(e^{iw}-mu) +
    c e^{-i(tau-1)w}|. As c -> 0 the integrand concentrates at w = O(c); with w = c sigma the
    bracket is c (1 + i (1-mu) sigma) + O(c^2) for every fixed tau, and the integral of
    1/(c^2 |1 + i(1-mu) sigma|^2) over c d sigma gives the leading term (the rest of the circle
    contributes O(1)).
    """
    w = c * omega_scaled
    # P_tau(e^{iw}) = e^{i(tau-1)w} x the generic form; 1 - mu > 0 (omu) lets SymPy integrate
    generic = generic_characteristic().subs(z, sp.exp(sp.I * w)) * sp.exp(sp.I * (tau_r - 1) * w)
    # the first two Taylor coefficients in c by differentiation (the series of a product of
    # exponentials; ``sympy.series`` takes 4x longer for the same two numbers)
    zeroth, first = ts.taylor(generic.subs(mu, 1 - omu), c, 2)
    if zeroth != 0:
        raise AssertionError(f"P_tau(e^(i c sigma)) does not vanish at c = 0: {zeroth}")
    lead = sp.expand(first)
    modulus2 = sp.expand(sp.re(lead) ** 2 + sp.im(lead) ** 2)
    integral = sp.integrate(1 / modulus2, (omega_scaled, -sp.oo, sp.oo))
    return sp.cancel(integral / (2 * sp.pi * c)).subs(omu, 1 - mu)
