"""Readable text and LaTeX for derived expressions (1 - mu and lambda_1 - lambda_2 kept whole)."""

from __future__ import annotations

from functools import cache

import sympy as sp

from theory import symbols as S
from theory.compare import factored, log_form


@cache  # pure in an immutable expression; text and LaTeX both ask for it
def tidy(expr: sp.Expr) -> sp.Expr:
    """Gap form (1 - mu -> omu, lambda_1 - lambda_2 -> g), one log, simplified."""
    e = sp.sympify(expr)
    if isinstance(e, sp.Eq):
        return sp.Eq(tidy(e.lhs), tidy(e.rhs))
    e = S.in_gap_form(e)
    if e.atoms(sp.log) and not e.atoms(sp.exp):
        e = log_form(e)  # a prefactor times one log: log_form tidies both parts itself
    else:
        # exponentials need simplify's care to read well; the rest only powers
        e = sp.simplify(e) if e.atoms(sp.exp) else factored(e)
        e = log_form(e) if e.atoms(sp.log) else e
    # lambda_1 is a constant of its own in the paper (lambda_1 + C_d): put it back.
    return e.subs(S.gap + S.lam2, S.lam1)


def text(expr: sp.Expr) -> str:
    return S.text(tidy(expr))


def latex(expr: sp.Expr) -> str:
    return S.latex(tidy(expr))
