"""Truncated power series by coefficient recurrences (E1's small-c asymptote, issue 12).

``sympy.series`` is general and slow: it expands every function by its own rules at every step.
The series E1 needs are of rational functions, square roots and the arctangent of series that
start at a known order, for which the coefficients follow from the classical recurrences
(the reciprocal of a series, the square root by s^2 = p, atan and composition by truncated
products). Coefficients are
SymPy expressions kept in lowest terms by ``cancel``; a series is a list of coefficients
[a_0, a_1, ...] of x^0, x^1, ...
"""

from __future__ import annotations

import sympy as sp

Coeffs = list[sp.Expr]


def coefficients(expr: sp.Expr, x: sp.Symbol, n: int) -> Coeffs:
    """The coefficients of x^0 ... x^(n-1) of a polynomial in x (higher powers dropped)."""
    out = [sp.Integer(0)] * n
    for term in sp.Add.make_args(sp.expand(expr)):
        coeff, power = term.as_coeff_exponent(x)
        if not power.is_Integer or power < 0 or coeff.has(x):
            raise ValueError(f"{expr} is not a polynomial in {x}")
        if power < n:
            out[int(power)] += coeff
    return [sp.cancel(a) for a in out]


def multiply(a: Coeffs, b: Coeffs, n: int) -> Coeffs:
    """(a * b) to x^(n-1)."""
    return [
        sp.cancel(
            sum(
                (a[i] * b[k - i] for i in range(k + 1) if i < len(a) and k - i < len(b)),
                sp.Integer(0),
            )
        )
        for k in range(n)
    ]


def reciprocal(a: Coeffs, n: int) -> Coeffs:
    """1/a to x^(n-1), for a_0 != 0."""
    if a[0] == 0:
        raise ValueError("the reciprocal of a series needs a non-zero constant term")
    out = [1 / a[0]]
    for k in range(1, n):
        acc = sum((a[i] * out[k - i] for i in range(1, k + 1) if i < len(a)), sp.Integer(0))
        out.append(sp.cancel(-acc / a[0]))
    return out


def sqrt(a: Coeffs, n: int) -> Coeffs:
    """sqrt(a) to x^(n-1) (the branch with sqrt(a_0) > 0), from s^2 = a."""
    s0 = sp.sqrt(a[0])
    out = [s0]
    for k in range(1, n):
        acc = sum((out[i] * out[k - i] for i in range(1, k)), sp.Integer(0))
        ak = a[k] if k < len(a) else sp.Integer(0)
        out.append(sp.cancel((ak - acc) / (2 * s0)))
    return out


def atan(a: Coeffs, n: int) -> Coeffs:
    """atan(a) to x^(n-1), for a_0 = 0: sum_k (-1)^k a^(2k+1)/(2k+1)."""
    if a[0] != 0:
        raise ValueError("atan of a series is composed here only for a zero constant term")
    square = multiply(a, a, n)
    power, out = list(a[:n]), [sp.Integer(0)] * n
    for k in range((n + 1) // 2):
        out = [o + sp.Integer(-1) ** k * p / (2 * k + 1) for o, p in zip(out, power, strict=True)]
        power = multiply(power, square, n)
    return [sp.cancel(o) for o in out]


def compose(a: Coeffs, b: Coeffs, n: int) -> Coeffs:
    """a(b(x)) to x^(n-1) for b_0 = 0 (Horner's scheme on truncated products)."""
    if b[0] != 0:
        raise ValueError("the inner series must vanish at 0")
    out = [sp.Integer(0)] * n
    for coeff in reversed(a):
        out = multiply(out, b, n)
        out[0] = sp.cancel(out[0] + coeff)
    return out


def as_expr(a: Coeffs, x: sp.Expr, shift: int = 0) -> sp.Expr:
    """sum_k a_k x^(k + shift)."""
    return sp.Add(*(coeff * x ** (k + shift) for k, coeff in enumerate(a)))


def taylor(f: sp.Expr, x: sp.Symbol, n: int) -> Coeffs:
    """The Taylor coefficients of f at 0 to x^(n-1) by differentiation (for sin and cos of a
    multiple of x, which are cheap to differentiate)."""
    out, d = [], f
    for k in range(n):
        out.append(sp.cancel(d.subs(x, 0) / sp.factorial(k)))
        d = sp.diff(d, x)
    return out


def power(a: Coeffs, k: int, n: int) -> Coeffs:
    """a^k to x^(n-1) for an integer k >= 0 (k < 0: pass the reciprocal)."""
    out: Coeffs = [sp.Integer(1)] + [sp.Integer(0)] * (n - 1)
    for _ in range(k):
        out = multiply(out, a, n)
    return out
