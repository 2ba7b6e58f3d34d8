"""C4 (Lemma 4 + Theorem 5) and C8 (Theorem 9): Ornstein-Uhlenbeck limits at stationary points.

The rescaled error U_i = h_i / sqrt(eta) obeys dU = a U dt + b dB with
a = (lambda_i - lambda_j)/(1 - mu) and b = alpha_{i,j}/(1 - mu) near e_j (j = 1: the optimum,
stable; j >= 2: a saddle, unstable in the directions with lambda_i > lambda_j).

Nothing below is typed in from the paper: the drift comes from the Jacobian of eq. (7)'s field at
e_j, the diffusion from the noise of eq. (5) at w = e_j summed by the momentum, and every moment
from Ito's formula applied to the SDE and solved with ``sympy.dsolve``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, cached_property

import sympy as sp

from theory import ode
from theory.formula import Formula
from theory.symbols import alpha_i1, alpha_ij, eta, lam1, lam_i, lam_j, mu, s, t

u = sp.Symbol("u", real=True)
u0 = sp.Symbol("u_0", real=True)
a_ = sp.Symbol("a", real=True, nonzero=True)  # the drift rate; a = 0 is not an OU process
b_ = sp.Symbol("b", positive=True)


def generator(f: sp.Expr, drift: sp.Expr, diffusion: sp.Expr) -> sp.Expr:
    """Ito generator of dU = drift dt + diffusion dB applied to f(u)."""
    return sp.expand(drift * sp.diff(f, u) + diffusion**2 / 2 * sp.diff(f, u, 2))


@cache
def moments(a: sp.Expr = a_, b: sp.Expr = b_) -> dict[str, sp.Expr]:
    """E[U(t)] and E[U(t)^2] from U(0) = u_0, for dU = a U dt + b dB (a != 0).

    d/dt E[f(U)] = E[(L f)(U)] with f = u, u^2 gives a closed linear system of moment ODEs,
    which ``dsolve`` solves.
    """
    m1, m2 = sp.Function("m1"), sp.Function("m2")
    to_moments = {u**2: m2(t), u: m1(t)}

    def rhs(f: sp.Expr) -> sp.Expr:
        lf = generator(f, a * u, b)
        return sp.expand(lf).subs(to_moments)

    eq1 = sp.Eq(m1(t).diff(t), rhs(u))
    sol1 = sp.dsolve(eq1, m1(t), ics={m1(0): u0}).rhs
    eq2 = sp.Eq(m2(t).diff(t), rhs(u**2).subs(m1(t), sol1))
    sol2 = sp.dsolve(eq2, m2(t), ics={m2(0): u0**2}).rhs
    return {"mean": sp.simplify(sol1), "second": sp.simplify(sol2)}


@cache
def generic_variance() -> sp.Expr:
    """Var U(t) = E U(t)^2 - (E U(t))^2 of dU = a U dt + b dB from U(0) = u_0, for symbolic a, b."""
    m = moments()
    return sp.simplify(m["second"] - m["mean"] ** 2)


@dataclass(frozen=True)
class OU:
    """dU = a U dt + b dB, with a, b SymPy expressions."""

    a: sp.Expr
    b: sp.Expr

    def _sub(self, e: sp.Expr) -> sp.Expr:
        return sp.simplify(e.subs({a_: self.a, b_: self.b}))

    @cached_property
    def mean(self) -> sp.Expr:
        """E[U(t) | U(0) = u_0]."""
        return self._sub(moments()["mean"])

    @cached_property
    def second_moment(self) -> sp.Expr:
        """E[U(t)^2 | U(0) = u_0] (the transient second moment)."""
        return self._sub(moments()["second"])

    @cached_property
    def variance(self) -> sp.Expr:
        """Var U(t) from a deterministic U(0): b^2 (e^{2at} - 1) / (2a) (the generic process's,
        simplified once, then a and b put in)."""
        return self._sub(generic_variance())

    @cached_property
    def stationary_variance(self) -> sp.Expr:
        """lim_{t->oo} Var U(t), finite only when a < 0 (a stable OU process).

        The limit is taken on the generic process with a = -r, r > 0 (SymPy needs the sign), then
        r = -a is put back; :meth:`is_stable` says whether the sign condition holds.
        """
        r = sp.Symbol("r", positive=True)
        generic = moments()
        var = (generic["second"] - generic["mean"] ** 2).subs(a_, -r)
        limit = sp.limit(sp.simplify(var), t, sp.oo).subs(r, -a_)
        return self._sub(limit)

    def is_stable(self, assumptions: dict[sp.Symbol, sp.Expr]) -> bool | None:
        """Whether a < 0 once ``assumptions`` (e.g. lambda_i -> lambda_1 - g) are substituted."""
        return sp.simplify(self.a.subs(assumptions)).is_negative

    @cached_property
    def autocorrelation(self) -> sp.Expr:
        """Corr(U_t, U_{t+s}) in stationarity: E[U_{t+s} | U_t] = U_t m(s), so it is m(s)/u_0."""
        return sp.simplify(self.mean.subs(t, s) / u0)

    @cached_property
    def relaxation_rate(self) -> sp.Expr:
        """-d/ds log Corr(s): the per-unit-time decay rate of the autocorrelation."""
        return sp.simplify(-sp.diff(sp.log(self.autocorrelation), s))


@cache
def drift_at(j: int, i: int, d: int = 3) -> sp.Expr:
    """Jacobian entry dF_i/dH_i of eq. (7)'s field at H = e_j (i != j), for a d-dim instance.

    Returns it in the generic symbols lambda_i, lambda_j.
    """
    sym = ode.symbols_for(d)
    h = sp.symbols(f"h_1:{d + 1}", real=True)
    field = ode.vector_field(h, sym.lam)
    point = {hk: (1 if k == j - 1 else 0) for k, hk in enumerate(h)}
    jac = sp.simplify(sp.diff(field[i - 1], h[i - 1]).subs(point))
    cross = [sp.simplify(sp.diff(field[i - 1], h[k]).subs(point)) for k in range(d) if k != i - 1]
    if any(c != 0 for c in cross):
        raise AssertionError("the linearisation at e_j does not decouple")
    return jac.subs({sym.lam[i - 1]: lam_i, sym.lam[j - 1]: lam_j})


@cache
def diffusion_from_noise() -> dict[str, sp.Expr]:
    """The diffusion coefficient of U_i near e_j, derived from eq. (5)'s noise.

    At w = e_j (eigen-coordinates) the stochastic term is (I - e_j e_j^T) Y Y^T e_j, whose i-th
    entry (i != j) is Y_i Y_j: mean 0, variance m4 = E[Y_i^2 Y_j^2]. Heavy-ball momentum sums the
    noise with weights mu^k, scaling it by sum_k mu^k = 1/(1-mu). U = h/sqrt(eta) receives
    sqrt(eta) * noise/(1-mu) per step and 1/eta steps per unit time, so b^2 = m4/(1-mu)^2. Matching
    the printed b = alpha_{i,j}/(1-mu) forces alpha_{i,j} = sqrt(m4): THEORY.md's reconstruction.
    """
    k = sp.Symbol("k", integer=True, nonnegative=True)
    m4 = sp.Symbol("m4", positive=True)
    geometric = sp.summation(mu**k, (k, 0, sp.oo))
    amplification = (
        sp.simplify(geometric.args[0][0]) if isinstance(geometric, sp.Piecewise) else geometric
    )
    per_step_var = eta * m4 * amplification**2
    b2 = sp.simplify(per_step_var / eta)
    alpha_needed = sp.solve(sp.Eq(b2, (alpha_ij / (1 - mu)) ** 2), alpha_ij)
    return {
        "momentum_amplification": amplification,
        "b_squared": b2,
        "alpha_ij": [sp.simplify(x) for x in alpha_needed if x.is_positive is not False],
        "m4": m4,
    }


@cache
def theorem5() -> OU:
    """C4: the OU process of U_i = h_i/sqrt(eta), i != 1, at the optimum e_1 (Theorem 5)."""
    return OU(drift_at(1, 2).subs(lam_j, lam1), alpha_i1 / (1 - mu))


@cache
def theorem9() -> OU:
    """C8: the OU process of U_i near the saddle e_j, Theorem 9; unstable if lambda_i > lambda_j"""
    return OU(drift_at(2, 1), alpha_ij / (1 - mu))


@cache
def stationary_error_formula() -> Formula:
    """E[h_i^2] -> eta * alpha_{i,1}^2 / (2 (1-mu) (lambda_1 - lambda_i)) (C4), derived."""
    var = theorem5().stationary_variance
    return Formula("E[h_i^2] (C4)", sp.simplify(eta * var), (eta, mu, lam1, lam_i, alpha_i1))


@cache
def saddle_variance_formula() -> Formula:
    """Var U_i(t) from U_i(0) = 0 at a saddle (C8): b^2 (e^{2at} - 1)/(2a), derived."""
    ou = theorem9()
    var = sp.simplify(ou.variance.subs(u0, 0))
    return Formula("Var U_i(t) at a saddle (C8)", var, (t, mu, lam_i, lam_j, alpha_ij))


@cache
def saddle_escape_probability() -> Formula:
    """P(|U_i(t)| >= c) from U_i(0) = 0: U_i(t) is Gaussian, so it is erfc(c / sqrt(2 Var))."""
    c = sp.Symbol("c", positive=True)
    var = saddle_variance_formula().expr
    expr = sp.erfc(c / sp.sqrt(2 * var))
    return Formula("P(|U_i(t)| >= c) (C8)", expr, (t, c, mu, lam_i, lam_j, alpha_ij))


@cache
def _optimum_functions():
    proc = theorem5()
    var = sp.lambdify((mu, lam1, lam_i, alpha_i1), proc.stationary_variance, "numpy")
    rate = sp.lambdify((mu, lam1, lam_i), proc.relaxation_rate, "numpy")
    return var, rate


def optimum_values(mu_: float, eigenvalues, alpha2_1) -> tuple:
    """C4's stationary variance of U_i and relaxation rate per unit time, for i >= 2, as NumPy
    arrays (lambdified from :func:`theorem5`). ``alpha2_1``: alpha_{1,i}^2 for i >= 2."""
    import numpy as np

    var, rate = _optimum_functions()
    lam = np.asarray(eigenvalues, dtype=float)
    a = np.sqrt(np.asarray(alpha2_1, dtype=float))
    return (
        np.asarray(var(mu_, lam[0], lam[1:], a), dtype=float),
        np.asarray(rate(mu_, lam[0], lam[1:]) * np.ones_like(lam[1:]), dtype=float),
    )


@cache
def relaxation_steps_formula() -> Formula:
    """Updates per relaxation time of mode i at the optimum: 1/(eta x C4's rate), derived from
    :func:`theorem5` (arguments eta, mu, lambda_1, lambda_i)."""
    rate = theorem5().relaxation_rate
    return Formula(
        "relaxation time in updates (C4)", sp.simplify(1 / (eta * rate)), (eta, mu, lam1, lam_i)
    )
