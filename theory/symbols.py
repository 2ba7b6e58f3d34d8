"""The SymPy symbols of THEORY.md, declared once with the assumptions the paper makes.

Assumptions matter: they are what lets SymPy simplify sqrt(eta^2) to eta or decide the sign of
lambda_1 - lambda_2. ``gap`` (lambda_1 - lambda_2 > 0) and ``omu`` (1 - mu > 0) are separate
positive symbols for scaling analysis; :func:`in_gap_form` rewrites expressions onto them.
"""

from __future__ import annotations

import sympy as sp

t = sp.Symbol("t", nonnegative=True)  # continuous time t = k eta
s = sp.Symbol("s", nonnegative=True)  # a time lag
mu = sp.Symbol("mu", nonnegative=True)  # momentum, in [0, 1)
omu = sp.Symbol("omu", positive=True)  # 1 - mu
eta = sp.Symbol("eta", positive=True)  # step size
eps = sp.Symbol("epsilon", positive=True)  # target accuracy of Phase III
delta = sp.Symbol("delta", positive=True)  # the phase boundary, delta ~ sqrt(eta)
nu = sp.Symbol("nu", positive=True)  # failure probability of Proposition 10
gamma = sp.Symbol("gamma", positive=True)  # exponent in the delay conditions
tau = sp.Symbol("tau", positive=True)  # delay (number of workers)
phi = sp.Symbol("phi", positive=True)  # sum_j alpha_{1,j}^2
C_d = sp.Symbol("C_d", positive=True)  # bound on ||X|| (A2)
lam1 = sp.Symbol("lambda_1", positive=True)
lam2 = sp.Symbol("lambda_2", positive=True)
lam_i = sp.Symbol("lambda_i", positive=True)
lam_j = sp.Symbol("lambda_j", positive=True)
gap = sp.Symbol("g", positive=True)  # lambda_1 - lambda_2
alpha_i1 = sp.Symbol("alpha_i1", positive=True)  # alpha_{i,1}
alpha_ij = sp.Symbol("alpha_ij", positive=True)  # alpha_{i,j}
alpha12 = sp.Symbol("alpha_12", positive=True)  # alpha_{1,2}
Phi_inv = sp.Symbol("z_nu", positive=True)  # Phi^{-1}((1 + nu)/2), the normal quantile
c_eta = sp.Symbol("c_eta", positive=True)  # the unknown constant in eta ~ ...
c_delta = sp.Symbol("c_delta", positive=True)  # the unknown constant in delta ~ sqrt(eta)

NAMES: dict[sp.Symbol, str] = {
    mu: r"\mu",
    omu: r"(1-\mu)",
    eta: r"\eta",
    eps: r"\epsilon",
    delta: r"\delta",
    nu: r"\nu",
    gamma: r"\gamma",
    tau: r"\tau",
    phi: r"\phi",
    C_d: r"C_d",
    lam1: r"\lambda_1",
    lam2: r"\lambda_2",
    lam_i: r"\lambda_i",
    lam_j: r"\lambda_j",
    gap: r"(\lambda_1-\lambda_2)",
    alpha_i1: r"\alpha_{i,1}",
    alpha_ij: r"\alpha_{i,j}",
    alpha12: r"\alpha_{1,2}",
    Phi_inv: r"\Phi^{-1}\left(\tfrac{1+\nu}{2}\right)",
    c_eta: r"c_\eta",
    c_delta: r"c_\delta",
}


def latex(expr: sp.Basic) -> str:
    """``sympy.latex`` with the paper's notation for our symbols."""
    return sp.latex(expr, symbol_names=NAMES)


def in_gap_form(expr: sp.Expr) -> sp.Expr:
    """Rewrite lambda_1 -> lambda_2 + g and mu -> 1 - omu, so gaps are positive symbols."""
    return sp.sympify(expr).subs({lam1: lam2 + gap, mu: 1 - omu})


def from_gap_form(expr: sp.Expr) -> sp.Expr:
    """Inverse of :func:`in_gap_form` (g -> lambda_1 - lambda_2, omu -> 1 - mu)."""
    return sp.sympify(expr).subs({gap: lam1 - lam2, omu: 1 - mu})


# Display-only stand-ins, so text output reads (1 - mu) and (lambda_1 - lambda_2), not omu and g.
TEXT_NAMES: dict[sp.Symbol, sp.Symbol] = {
    omu: sp.Symbol("(1 - mu)", positive=True),
    gap: sp.Symbol("(lambda_1 - lambda_2)", positive=True),
}


def text(expr: sp.Basic) -> str:
    """``sympy.sstr`` with the display names of the gap-form symbols."""
    return sp.sstr(sp.sympify(expr).subs(TEXT_NAMES))
