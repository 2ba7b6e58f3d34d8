"""theory.truncated: each recurrence against ``sympy.series``, and E1's small-c asymptote
(:func:`theory.delayed_heavy_ball.tau_crossing_series`) against the same derivation done with
``sympy.series`` throughout."""

from __future__ import annotations

import pytest
import sympy as sp

from theory import delayed_heavy_ball as D
from theory import truncated as ts
from theory.symbols import mu, omu

x = sp.Symbol("x")
a = sp.Symbol("a", positive=True)
N = 7


def _series(expr: sp.Expr, n: int = N) -> sp.Expr:
    return sp.expand(sp.series(expr, x, 0, n).removeO())


def _same(coeffs: list[sp.Expr], expr: sp.Expr) -> bool:
    return sp.simplify(sp.expand(ts.as_expr(coeffs, x)) - _series(expr)) == 0


def test_taylor_and_coefficients():
    assert _same(ts.taylor(sp.sin(x / 2), x, N), sp.sin(x / 2))
    assert ts.coefficients(3 + a * x**2 + x**9, x, 4) == [3, 0, a, 0]
    with pytest.raises(ValueError, match="not a polynomial"):
        ts.coefficients(1 / x, x, 3)


def test_multiply_reciprocal_sqrt_atan_compose():
    p = [a, 2, -(a**2), 1 / a, 0, 3, 1]
    pe = ts.as_expr(p, x)
    assert _same(ts.multiply(p, p, N), pe**2)
    assert _same(ts.reciprocal(p, N), 1 / pe)
    assert _same(ts.sqrt(p, N), sp.sqrt(pe))
    odd = [0, a, 0, -1, 0, a**2, 0]
    assert _same(ts.atan(odd, N), sp.atan(ts.as_expr(odd, x)))
    assert _same(
        ts.compose([1, a, 2, 0, -1], odd, N),
        1 + a * ts.as_expr(odd, x) + 2 * ts.as_expr(odd, x) ** 2 - ts.as_expr(odd, x) ** 4,
    )
    assert _same(ts.power(p, 3, N), pe**3)
    with pytest.raises(ValueError, match="non-zero constant term"):
        ts.reciprocal([0, 1], 3)


def _reference_tau_crossing_series(order: int) -> sp.Expr:
    """The small-c series of tau_0 as first derived, with ``sympy.series`` at every step."""
    theta, c, sin2 = D.theta, D.c, D.sin2
    n_terms = order + 1
    cc = D.crossing_conditions()
    q = sp.Symbol("q", positive=True)
    half = sp.series(sp.sin(theta / 2), theta, 0, 2 * n_terms + 3).removeO()
    c2 = (cc["modulus"] + c**2).subs(sin2, half**2).subs(mu, 1 - omu)
    c2_over = sp.series(sp.expand(c2 / theta**2), theta, 0, 2 * n_terms).removeO()
    c2_over = c2_over.subs(theta, sp.sqrt(q))
    c_of_theta = theta * sp.series(sp.sqrt(sp.expand(c2_over)), q, 0, n_terms).removeO()
    c_of_theta = sp.expand(c_of_theta.subs(q, theta**2))
    b = sp.symbols(f"b0:{n_terms}")
    theta_of_c = sum(b[j] * c ** (2 * j + 1) for j in range(n_terms))
    residual = sp.expand(c_of_theta.subs(theta, theta_of_c)) - c
    sol: dict = {}
    for j in range(n_terms):
        eq = sp.expand(residual.coeff(c, 2 * j + 1).subs(sol))
        sol[b[j]] = sp.factor(-eq.subs(b[j], 0) / sp.diff(eq, b[j]))
    psi_small = sp.atan(sp.sin(theta) / (sp.cos(theta) - (1 - omu)))
    psi_over = sp.series(psi_small / theta, theta, 0, 2 * n_terms).removeO()
    phase = cc["tau_m"].subs(D.m_branch, 0).subs(cc["psi"] / theta, sp.Symbol("P"))
    tau0 = phase.subs(sp.Symbol("P"), psi_over).subs(theta, theta_of_c.subs(sol))
    ser = sp.series(tau0, c, 0, order).removeO()
    return sp.collect(sp.expand(ser), c, sp.factor).subs(omu, 1 - mu)


@pytest.mark.parametrize("order", [1, 2])
def test_tau_crossing_series_matches_sympy_series(order):
    got = D.tau_crossing_series(order)
    assert sp.simplify(got - _reference_tau_crossing_series(order)) == 0
