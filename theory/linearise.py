"""E1, step 1: eq. (5) linearised at the optimum v = e_1, mode by mode (SymPy).

In eigen-coordinates (h = Q^T v, Y = Q^T X) eq. (5) reads
``h_{k+1} = h_k + mu (h_k - h_{k-1}) + eta G(h_{k-tau}, Y_k)``, G(w, Y) = (I - w w^T) Y Y^T w.
Put h = e_1 + x. Each coordinate of x is a mode: x_1 is the **radial** mode (eq. (5) does not
renormalise, so ||v|| moves on its own) and x_i, i >= 2, are the **tangential** modes. Everything
below is derived on a three-mode instance with coordinates (1, i, j) (radial, a tangential mode,
another tangential mode), which contains every pattern of a d-dimensional problem:

* the mean field E G(w) = Lambda w - (w^T Lambda w) w (proved);
* its Jacobian at e_1 is diagonal, diag(-2 lambda_1, lambda_i - lambda_1, lambda_j - lambda_1): the
  modes decouple and each is E1's recursion x_{k+1} = (1+mu) x_k - mu x_{k-1} - c x_{k-tau} +
  noise_k with c_radial = 2 eta lambda_1 and c_i = eta (lambda_1 - lambda_i);
* the additive noise G(e_1, Y) - E G(e_1): Y_i Y_1 in mode i (variance alpha_{i,1}^2) and exactly 0
  in the radial mode;
* the first-order noise: the fluctuation of the random Jacobian, DJ = J(Y) - E J, multiplies the
  delayed deviation. Its second moments K_mn = E[DJ_mn^2] drive the radial mode (whose additive
  noise vanishes) and give O(eta) relative corrections elsewhere;
* the second-order mean drift of the radial mode, (1/2) sum_n H_nn x_n^2 with H the Hessian of
  E G_1 at e_1 (H_nn = -2 lambda_n for n >= 2): it shifts the mean of x_1 (a bias).

Moments of Y: E Y_a Y_b = lambda_a [a = b], E Y_a^2 Y_b^2 = alpha_{a,b}^2, E Y_a^4 = alpha_{a,a}^2,
and every moment in which some index appears an odd number of times vanishes (sign symmetry).
That holds for Gaussian data (any Sigma), the spherical models, and the i.i.d. models when Sigma
is diagonal; for a rotated non-Gaussian i.i.d. model the neglected odd moments make the closure
of :mod:`theory.stability` an approximation.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import sympy as sp

from theory.delayed_heavy_ball import c as c_sym
from theory.delayed_heavy_ball import lag_coefficients
from theory.distributions import DataModel
from theory.formula import Formula
from theory.problem import Problem
from theory.symbols import alpha_i1, alpha_ij, eta, lam1, lam_i, lam_j, mu
from theory.validation import check_eta

Y = sp.symbols("Y_1 Y_i Y_j", real=True)
LAMBDAS = (lam1, lam_i, lam_j)
alpha_11 = sp.Symbol("alpha_11", positive=True)  # sqrt(E Y_1^4)
alpha_ii = sp.Symbol("alpha_ii", positive=True)  # sqrt(E Y_i^4)
alpha_jj = sp.Symbol("alpha_jj", positive=True)
alpha_j1 = sp.Symbol("alpha_j1", positive=True)
# alpha_{a,b}^2 = E[Y_a^2 Y_b^2] for the index pairs of the three-mode instance
ALPHA2 = {
    (0, 0): alpha_11**2,
    (1, 1): alpha_ii**2,
    (2, 2): alpha_jj**2,
    (0, 1): alpha_i1**2,
    (0, 2): alpha_j1**2,
    (1, 2): alpha_ij**2,
}
MODE_NAMES = ("radial", "tangential i", "tangential j")


def moment(exponents: tuple[int, ...]) -> sp.Expr:
    """E[Y_1^e1 Y_i^e2 Y_j^e3] up to degree 4, under the moment rules of the module docstring."""
    if any(e % 2 for e in exponents):
        return sp.Integer(0)
    deg = sum(exponents)
    nz = [k for k, e in enumerate(exponents) if e]
    if deg == 0:
        return sp.Integer(1)
    if deg == 2:
        return LAMBDAS[nz[0]]
    if deg == 4:
        pair = (nz[0], nz[0]) if len(nz) == 1 else (nz[0], nz[1])
        return ALPHA2[pair]
    raise ValueError(f"moment of degree {deg} not modelled")


def expect(expr: sp.Expr) -> sp.Expr:
    """E over Y of a polynomial in Y (coefficients may hold other symbols)."""
    poly = sp.Poly(sp.expand(expr), *Y)
    return sp.expand(sum(coef * moment(mon) for mon, coef in poly.terms()))


def stochastic_term(w: sp.Matrix, y: sp.Matrix) -> sp.Matrix:
    """G(w, Y) = (I - w w^T) Y Y^T w, the stochastic gradient step of eq. (5)."""
    return (sp.eye(len(w)) - w * w.T) * y * y.T * w


@dataclass(frozen=True)
class Linearisation:
    """The SymPy objects of the linearisation at e_1 (three-mode instance)."""

    x: tuple[sp.Symbol, ...]  # deviations (x_1, x_i, x_j) of the delayed iterate
    mean_field: sp.Matrix  # E G(e_1 + x)
    mean_jacobian: sp.Matrix  # d E G / dx at x = 0
    lag_coefficients: tuple[dict[str, sp.Expr], ...]  # per mode: x_k, x_{k-1}, x_{k-tau}
    curvature: tuple[sp.Expr, ...]  # c per mode
    additive_noise_var: tuple[sp.Expr, ...]  # E[xi_m^2] per mode, xi = G(e_1) - E G(e_1)
    additive_noise_cov: sp.Matrix  # E[xi xi^T]
    multiplicative: sp.Matrix  # K_mn = E[(J_mn - E J_mn)^2]
    hessian_radial: sp.Matrix  # Hessian of E G_1 at e_1


@cache
def linearise() -> Linearisation:
    """Derive the mode recursions of eq. (5) at e_1 (see the module docstring)."""
    x = sp.symbols("x_1 x_i x_j", real=True)
    xk = sp.symbols("u_1 u_i u_j", real=True)  # x at time k
    xk1 = sp.symbols("p_1 p_i p_j", real=True)  # x at time k-1
    e1 = sp.Matrix([1, 0, 0])
    y = sp.Matrix(Y)
    w = e1 + sp.Matrix(x)
    g = stochastic_term(w, y)
    mean_field = g.applyfunc(expect)
    at0 = dict.fromkeys(x, 0)
    # eq. (5), minus e_1, with h_k = e_1 + xk, h_{k-1} = e_1 + xk1 and w = h_{k-tau}
    rhs = (e1 + sp.Matrix(xk)) + mu * (sp.Matrix(xk) - sp.Matrix(xk1)) + eta * mean_field - e1
    lin = list(rhs)
    lags = []
    for m in range(3):
        coeff_k = sp.factor(sp.diff(lin[m], xk[m]))
        coeff_k1 = sp.factor(sp.diff(lin[m], xk1[m]))
        coeff_tau = sp.factor(sp.diff(lin[m], x[m]).subs(at0))
        cross = [sp.factor(sp.diff(lin[m], x[n]).subs(at0)) for n in range(3) if n != m]
        if any(cc != 0 for cc in cross):
            raise AssertionError("the linearisation at e_1 does not decouple")
        lags.append({"x_k": coeff_k, "x_{k-1}": coeff_k1, "x_{k-tau}": coeff_tau})
    jac = mean_field.jacobian(x).subs(at0).applyfunc(sp.factor)
    curvature = tuple(sp.factor(-lag["x_{k-tau}"]) for lag in lags)
    xi = (g.subs(at0) - mean_field.subs(at0)).applyfunc(sp.expand)
    xi_cov = (xi * xi.T).applyfunc(expect)
    rand_jac = g.jacobian(x).subs(at0)
    fluct = (rand_jac - jac).applyfunc(sp.expand)
    k_mat = fluct.applyfunc(lambda e: sp.factor(expect(e**2)))
    hess = sp.hessian(mean_field[0], x).subs(at0).applyfunc(sp.factor)
    return Linearisation(
        x=x,
        mean_field=mean_field,
        mean_jacobian=jac,
        lag_coefficients=tuple(lags),
        curvature=curvature,
        additive_noise_var=tuple(sp.factor(xi_cov[m, m]) for m in range(3)),
        additive_noise_cov=xi_cov,
        multiplicative=k_mat,
        hessian_radial=hess,
    )


def mean_field_identity() -> sp.Expr:
    """E G(w) - [Lambda w - (w^T Lambda w) w] for a general w (three-mode instance); 0 if proved."""
    w = sp.Matrix(sp.symbols("w_1 w_i w_j", real=True))
    lam = sp.diag(*LAMBDAS)
    g = stochastic_term(w, sp.Matrix(Y)).applyfunc(expect)
    target = lam * w - (w.T * lam * w)[0, 0] * w
    return (g - target).applyfunc(sp.expand)  # a polynomial identity: expansion decides it


def recursion_matches_e1() -> bool:
    """Each mode's (x_k, x_{k-1}, x_{k-tau}) coefficients are E1's (1+mu, -mu, -c), tau >= 2."""
    generic = lag_coefficients(5)
    lin = linearise()
    for lag, cm in zip(lin.lag_coefficients, lin.curvature, strict=True):
        expected = (generic[0], generic[1], generic[5].subs(c_sym, cm))
        got = (lag["x_k"], lag["x_{k-1}"], lag["x_{k-tau}"])
        # polynomials in the symbols: expansion decides the identity exactly
        if any(sp.expand(a - b) != 0 for a, b in zip(got, expected, strict=True)):
            return False
    return True


# --- numeric mode models ----------------------------------------------------------------------


def _formula(name: str, expr: sp.Expr) -> Formula:
    syms = (eta, lam1, lam_i, lam_j, alpha_11, alpha_ii, alpha_jj, alpha_i1, alpha_j1, alpha_ij)
    return Formula(name, sp.sympify(expr), tuple(s for s in syms if s in expr.free_symbols))


@cache
def formulas() -> dict[str, Formula]:
    """Numeric Formulas for the per-mode quantities, named by index pattern.

    ``c_radial``, ``c_tangential`` (mode i), ``noise_tangential`` (E xi_i^2), ``noise_radial``,
    ``K_11`` (radial-radial), ``K_1i`` (radial row, tangential column), ``K_i1``, ``K_ii``,
    ``K_ij`` (two distinct tangential modes), ``H_11``, ``H_ii`` (radial Hessian diagonal).
    """
    lin = linearise()
    k = lin.multiplicative
    return {
        "c_radial": _formula("c radial", lin.curvature[0]),
        "c_tangential": _formula("c tangential", lin.curvature[1]),
        "noise_radial": _formula("E xi_1^2", lin.additive_noise_var[0]),
        "noise_tangential": _formula("E xi_i^2", lin.additive_noise_var[1]),
        "K_11": _formula("K_11", k[0, 0]),
        "K_1i": _formula("K_1i", k[0, 1]),
        "K_i1": _formula("K_i1", k[1, 0]),
        "K_ii": _formula("K_ii", k[1, 1]),
        "K_ij": _formula("K_ij", k[1, 2]),
        "H_11": _formula("H_11", lin.hessian_radial[0, 0]),
        "H_ii": _formula("H_ii", lin.hessian_radial[1, 1]),
    }


@dataclass(frozen=True)
class Mode:
    """One mode of eq. (5) at e_1: its E1 recursion and noise (numbers)."""

    index: int  # 0 = radial, i - 1 for tangential mode i (eigen order)
    name: str  # "radial" or "tangential-i"
    c: float  # curvature: x_{k+1} = (1+mu) x_k - mu x_{k-1} - c x_{k-tau} + noise
    additive_noise_var: float  # eta^2 E xi^2 per step (0 for the radial mode)


@dataclass(frozen=True)
class ModeModel:
    """All d modes of a problem: curvatures, additive noise, and the second-order terms."""

    eta: float
    modes: tuple[Mode, ...]
    K: np.ndarray  # eta^2 K_mn: per-step noise variance of mode m per unit E x_n^2
    hessian_radial: np.ndarray  # diag H_nn of E G_1 at e_1 (times eta: the radial forcing)

    @property
    def radial(self) -> Mode:
        return self.modes[0]


def mode_model(problem: Problem, data: DataModel, eta_: float) -> ModeModel:
    """Evaluate the derived formulas for a problem (eigenvalues) and data model (alpha)."""
    e = check_eta(eta_)
    lam = problem.eigenvalues
    a2 = data.alpha2(problem)
    a = np.sqrt(a2)
    d = problem.d
    f = formulas()

    def ev(name: str, i: int, j: int) -> float:
        vals = {
            "eta": e,
            "lambda_1": lam[0],
            "lambda_i": lam[i],
            "lambda_j": lam[j],
            "alpha_11": a[0, 0],
            "alpha_ii": a[i, i],
            "alpha_jj": a[j, j],
            "alpha_i1": a[i, 0],
            "alpha_j1": a[j, 0],
            "alpha_ij": a[i, j],
        }
        form = f[name]
        return float(form(*form.kwargs(**{s.name: vals[s.name] for s in form.args})))

    modes = [Mode(0, "radial", ev("c_radial", 1, 1), e**2 * ev("noise_radial", 1, 1))]
    modes += [
        Mode(
            i, f"tangential-{i + 1}", ev("c_tangential", i, i), e**2 * ev("noise_tangential", i, i)
        )
        for i in range(1, d)
    ]
    k = np.zeros((d, d))
    k[0, 0] = ev("K_11", 1, 1)
    for i in range(1, d):
        k[0, i] = ev("K_1i", i, i)
        k[i, 0] = ev("K_i1", i, i)
        for j in range(1, d):
            k[i, j] = ev("K_ii", i, i) if i == j else ev("K_ij", i, j)
    h = np.array([ev("H_11", 1, 1)] + [ev("H_ii", i, i) for i in range(1, d)])
    return ModeModel(e, tuple(modes), e**2 * k, h)
