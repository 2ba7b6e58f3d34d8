"""C2 (Lemma 2, the momentum approximation), derived term by term.

Eq. (6) writes the update with m_{k+1} = sum_{i=0}^{k} mu^i g(w_{k-i}), g(v) = Sigma v -
(v^T Sigma v) v, w_j = v_{j - tau_j}, and Lemma 2 bounds its distance to M(v_k) = g(v_k)/(1-mu):

    m_{k+1} - M(v_k) = sum_{i<=k} mu^i [g(w_{k-i}) - g(v_k)] - sum_{i>k} mu^i g(v_k).

* The weights sum to 1/(1-mu) (the drift M of eq. (7)).
* The tail sum_{i>k} mu^i g/(1-mu) = mu^(k+1) g/(1-mu) is O(1) for small k: at k = 1, with the
  history v_{-i} = v_0 = v_1, m_2 - M(v_1) = -mu^2 g(v_0)/(1-mu), whatever eta. It is below eta^2
  only past the momentum's memory K = log(eta^2)/log(mu) steps.
* Past the memory, ||w_{k-i} - v_k|| <= (i + tau) s with s the per-step bound C eta/(1-mu) of
  C1, and g is Lipschitz (constant L) near the sphere, so the error is at most
  L s sum_i mu^i (i + tau) = L C eta [mu/(1-mu)^3 + tau/(1-mu)^2]: a momentum term
  eta mu/(1-mu)^3 (no log(1/eta): summing the exact lag weights sum_i mu^i i = mu/(1-mu)^2
  needs no truncation) and a delay term tau eta/(1-mu)^2 (the printed one).
* Along a smooth path the bound is attained to leading order: v_{k-j} - v_k = -j eta g/(1-mu)
  + O(eta^2), so e_k = eta (mu + tau (1-mu)) ||J(v_k) g(v_k)||/(1-mu)^3 + O(eta^2), J the Jacobian
  of g (:func:`leading_error`).
"""

from __future__ import annotations

from functools import cache

import numpy as np
import sympy as sp

from theory.formula import Formula
from theory.symbols import eta, mu, tau

C = sp.Symbol("C", positive=True)  # C_d^2/2, the per-step bound of one stochastic gradient
L = sp.Symbol("L", positive=True)  # Lipschitz constant of g near the sphere
G = sp.Symbol("G", positive=True)  # ||J(v) g(v)|| along the path
i = sp.Symbol("i", integer=True, nonnegative=True)


def _series(term: sp.Expr) -> sp.Expr:
    s = sp.summation(term, (i, 0, sp.oo))
    return sp.simplify(s.args[0][0] if isinstance(s, sp.Piecewise) else s)


def drift_weight() -> sp.Expr:
    """sum_i mu^i = 1/(1 - mu): the factor of M(v)."""
    return _series(mu**i)


def lag_weight() -> sp.Expr:
    """sum_i mu^i i = mu/(1-mu)^2: the momentum's mean lag, in steps, times 1/(1-mu)."""
    return _series(mu**i * i)


def first_step_coefficient() -> sp.Expr:
    """m_2 - M(v_1) = coefficient x g(v_0) with v_{-i} = v_0 = v_1 and m_2 = g + mu g: the O(1)
    error at k = 1 (-mu^2/(1-mu))."""
    return sp.simplify(1 + mu - drift_weight())


@cache
def error_bound() -> sp.Expr:
    """L s sum_i mu^i (i + tau), s = C eta/(1-mu): the error past the memory (module doc)."""
    step = C * eta / (1 - mu)
    return sp.simplify(L * step * (lag_weight() + tau * drift_weight()))


def momentum_term() -> sp.Expr:
    """The error bound at tau = 0 (C = L = 1): eta mu/(1-mu)^3."""
    return sp.simplify(error_bound().subs({tau: 0, C: 1, L: 1}))


def delay_term() -> sp.Expr:
    """The part of the bound linear in tau (C = L = 1): tau eta/(1-mu)^2."""
    b = sp.expand(error_bound().subs({C: 1, L: 1}))
    return sp.factor(sp.simplify(b.coeff(tau) * tau))


PRINTED_MOMENTUM = eta * sp.log(1 / eta)
PRINTED_DELAY = tau * eta / (1 - mu) ** 2


@cache
def printed_local_slope() -> Formula:
    """d log(eta log(1/eta)) / d log eta = 1 - 1/log(1/eta): the log-log slope the printed
    momentum term has at eta (a fitted exponent at least this is within O(eta log(1/eta)))."""
    return Formula(
        "local slope of eta log(1/eta)",
        sp.simplify(eta * sp.diff(sp.log(PRINTED_MOMENTUM), eta)),
        (eta,),
    )


def bounded_at_fixed_mu(derived: sp.Expr, printed: sp.Expr) -> bool:
    """Whether derived = O(printed) as eta -> 0 at every fixed mu in [0, 1) (the ratio's limit
    is finite)."""
    lim = sp.limit(sp.simplify(derived / printed), eta, 0, "+")
    return bool(lim.is_finite)


def bounded_uniformly_in_mu(derived: sp.Expr, printed: sp.Expr) -> bool:
    """Whether derived = O(printed) with a constant that does not depend on mu: the ratio stays
    bounded as mu -> 1 (at every small eta)."""
    lim = sp.limit(sp.simplify(derived / printed), mu, 1, "-")
    return bool(lim.is_finite)


@cache
def memory_steps() -> Formula:
    """K with mu^K = eta^2: past it the tail mu^(k+1) g/(1-mu) of m_{k+1} - M(v_k) is below
    eta^2 ||g||/(1-mu) (arguments mu, eta; for mu in (0, 1))."""
    k = sp.Symbol("K", positive=True)
    (sol,) = sp.solve(sp.Eq(mu**k, eta**2), k)
    return Formula("momentum memory (steps)", sol, (mu, eta))


@cache
def leading_error() -> Formula:
    """e_k = eta (mu + tau (1-mu)) G/(1-mu)^3 to leading order along a smooth path, G =
    ||J(v_k) g(v_k)||: the bound L s sum mu^i (i + tau) with L s replaced by the exact first-order
    change of g along the path (arguments eta, mu, tau, G)."""
    lag = sp.simplify(lag_weight() + tau * drift_weight())
    expr = sp.simplify(eta * G * lag / (1 - mu))
    return Formula("leading momentum approximation error (C2)", expr, (eta, mu, tau, G))


@cache
def _jg(d: int):
    h = sp.Matrix(sp.symbols(f"h1:{d + 1}", real=True))
    lam = sp.Matrix(sp.symbols(f"l1:{d + 1}", positive=True))
    lam_h = sp.Matrix([lam[k] * h[k] for k in range(d)])
    g = lam_h - (h.T * lam_h)[0] * h
    jg = g.jacobian(h) * g
    return sp.lambdify((tuple(h), tuple(lam)), list(jg), "numpy")


def drift_change(h: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """||J(h) g(h)|| for iterates h (..., d) (eigen-coordinates), lambdified from SymPy's
    Jacobian of g."""
    h = np.asarray(h, dtype=float)
    f = _jg(h.shape[-1])
    parts = f(tuple(np.moveaxis(h, -1, 0)), tuple(np.asarray(lam, dtype=float)))
    return np.sqrt(sum(np.asarray(p, dtype=float) ** 2 for p in parts))
