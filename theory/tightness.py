"""C1 (Lemma 1, tightness): the step bound and the norm bound of Async-MSGD, derived.

* One stochastic step: for ||w|| = 1, ||(I - w w^T) X X^T w|| = ||X||^2 |cos t sin t| (t the angle
  between X and w), whose maximum SymPy finds to be ||X||^2 / 2 <= C_d^2 / 2.
* With momentum, Delta_{k+1} = mu Delta_k + eta g_k gives ||Delta|| <= eta (C_d^2/2) sum_k mu^k
  = eta C_d^2 / (2 (1 - mu)) (to leading order in eta, as ||w||^2 = 1 + O(eta^gamma)).
  Lemma 1 prints 2 C_d eta / (1 - mu): linear in C_d where the update is quadratic in X.
* The norm bound 1 + O(tau eta/(1-mu)^2) becomes 1 + O(eta^gamma) under C1's delay condition.
"""

from __future__ import annotations

from functools import cache

import sympy as sp

from theory.compare import Comparison, compare
from theory.delays import CONDITIONS
from theory.formula import Formula
from theory.symbols import C_d, eta, mu, tau

theta = sp.Symbol("theta", real=True)


@cache
def projected_gradient_max() -> sp.Expr:
    """max over the angle of |cos(theta) sin(theta)|, i.e. of ||(I - ww^T) x x^T w|| / ||x||^2."""
    f = sp.sin(theta) * sp.cos(theta)
    crit = sp.solve(sp.diff(f, theta), theta)
    return sp.Max(*[sp.Abs(sp.simplify(f.subs(theta, c))) for c in crit])


@cache
def step_bound() -> Formula:
    k = sp.Symbol("k", integer=True, nonnegative=True)
    per_step = eta * C_d**2 * projected_gradient_max()
    series = sp.summation(mu**k, (k, 0, sp.oo))
    if isinstance(series, sp.Piecewise):
        series = series.args[0][0]  # the |mu| < 1 branch; mu in [0, 1)
    return Formula("||v_{k+1} - v_k|| bound (C1)", sp.simplify(per_step * series), (eta, mu, C_d))


PRINTED_STEP_BOUND = 2 * C_d * eta / (1 - mu)
G = sp.Symbol("G", positive=True)  # max over the angle of ||(I-ww^T)XX^Tw|| / ||X||^2 at ||w||


def printed_step_bound() -> Formula:
    """Lemma 1's printed bound 2 C_d eta/(1-mu), as a formula (arguments eta, mu, C_d)."""
    return Formula("printed step bound (Lemma 1)", PRINTED_STEP_BOUND, (eta, mu, C_d))


@cache
def step_bound_general() -> Formula:
    """eta C_d^2 G/(1-mu): the derived bound with G the projected-gradient factor at the largest
    ||w|| of a path (G = 1/2 at ||w|| = 1, :func:`step_bound`); arguments eta, mu, C_d, G."""
    k = sp.Symbol("k", integer=True, nonnegative=True)
    series = sp.summation(mu**k, (k, 0, sp.oo))
    if isinstance(series, sp.Piecewise):
        series = series.args[0][0]
    return Formula("derived step bound at ||w|| (C1)", eta * C_d**2 * G * series, (eta, mu, C_d, G))


def squared_reading(expr: sp.Expr) -> sp.Expr:
    """The same bound when A2's C_d bounds ||X||^2 instead of ||X|| (C_d -> sqrt(C_d))."""
    return sp.simplify(expr.subs(C_d, sp.sqrt(C_d)))


def step_comparison(reading: str = "norm") -> Comparison:
    """Derived vs printed step bound; ``reading`` ``norm`` (C_d bounds ||X||) or ``square``
    (C_d bounds ||X||^2)."""
    derived = step_bound().expr if reading == "norm" else squared_reading(step_bound().expr)
    return compare(derived, PRINTED_STEP_BOUND)


def printed_bound_holds(reading: str = "norm") -> bool:
    """Whether the printed bound is at least the derived (attainable) one for every C_d > 0:
    their ratio derived/printed (a monomial in C_d, so its supremum is its limit at 0 or oo)
    must stay <= 1."""
    derived = step_bound().expr if reading == "norm" else squared_reading(step_bound().expr)
    ratio = sp.simplify(derived / PRINTED_STEP_BOUND)
    sup = sp.limit(ratio, C_d, sp.oo) if C_d in ratio.free_symbols else ratio
    return bool(sp.simplify(sup - 1).is_nonpositive)


def printed_bound_violated_when() -> sp.Expr:
    """The C_d above which the derived bound (attainable to leading order) exceeds the printed."""
    return sp.solve(sp.Eq(step_bound().expr, PRINTED_STEP_BOUND), C_d)[0]


def norm_excess_under_condition() -> sp.Expr:
    """tau eta/(1-mu)^2 with tau at C1's delay scale: simplifies to eta^gamma."""
    return sp.simplify((tau * eta / (1 - mu) ** 2).subs(tau, CONDITIONS["C1"].formula.expr))


r_norm = sp.Symbol("r", positive=True)  # ||w||, which eq. (5) does not fix at 1


def projected_gradient_norm() -> Formula:
    """||(I - w w^T) X X^T w|| / ||X||^2 for ||w|| = r at angle theta between X and w.

    With X = |X| (cos t u + sin t u_perp), u = w/r: X^T w = |X| r cos t and
    X - w w^T X = |X| (cos t (1 - r^2) u + sin t u_perp), so the norm is
    r |cos t| sqrt(cos^2 t (1 - r^2)^2 + sin^2 t); at r = 1 it is |cos t sin t| <= 1/2.
    """
    c, s_ = sp.cos(theta), sp.sin(theta)
    expr = r_norm * sp.Abs(c) * sp.sqrt(c**2 * (1 - r_norm**2) ** 2 + s_**2)
    return Formula("||(I-ww^T)XX^Tw|| / ||X||^2", expr, (r_norm, theta))
