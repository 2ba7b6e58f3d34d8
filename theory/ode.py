"""C3 (Theorem 3 / poster Theorem 1): the ODE limit of Async-MSGD and its closed-form solution.

eq. (7): dV/dt = [Sigma V - (V^T Sigma V) V] / (1 - mu), V(0) = v_0 on the unit sphere. In
eigen-coordinates H = Q^T V the field is F(H) = [Lambda H - (H^T Lambda H) H] / (1 - mu), and the
paper's solution is
H_i(t) = H_i(0) exp(lambda_i t/(1-mu)) / sqrt(sum_j H_j(0)^2 exp(2 lambda_j t/(1-mu))).

Everything here is SymPy for a fixed dimension d (symbolic eigenvalues and initial point); the
numeric solution is lambdified from the same expression in a form that does not overflow.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import sympy as sp

from theory.formula import Formula
from theory.symbols import eta, mu, t


@dataclass(frozen=True)
class OdeSymbols:
    """Symbols of a d-dimensional instance: eigenvalues lambda_i and initial point H_i(0)."""

    d: int
    lam: tuple[sp.Symbol, ...]
    h0: tuple[sp.Symbol, ...]


@cache
def symbols_for(d: int) -> OdeSymbols:
    lam = sp.symbols(f"lambda_1:{d + 1}", positive=True)
    h0 = sp.symbols(f"H0_1:{d + 1}", real=True)
    return OdeSymbols(d, tuple(lam), tuple(h0))


def vector_field(h: Sequence[sp.Expr], lam: Sequence[sp.Expr], mu_: sp.Expr = mu) -> list[sp.Expr]:
    """F(H) = [Lambda H - (H^T Lambda H) H] / (1 - mu), eq. (7) in eigen-coordinates."""
    rayleigh = sum(li * hi**2 for li, hi in zip(lam, h, strict=True))
    return [(li * hi - rayleigh * hi) / (1 - mu_) for li, hi in zip(lam, h, strict=True)]


def closed_form(d: int, rate: Callable[[sp.Expr], sp.Expr] | None = None) -> list[sp.Expr]:
    """The paper's solution H_i(t) for dimension d (Theorem 3).

    ``rate(lambda_i)`` is the exponent's coefficient, lambda_i / (1 - mu) by default; a negative
    control passes a wrong one (e.g. lambda_i without the 1/(1-mu)).
    """
    sym = symbols_for(d)
    rate = rate or (lambda li: li / (1 - mu))
    grow = [h * sp.exp(rate(li) * t) for li, h in zip(sym.lam, sym.h0, strict=True)]
    norm = sp.sqrt(sum(g**2 for g in grow))
    return [g / norm for g in grow]


def residual(d: int, solution: Sequence[sp.Expr] | None = None) -> list[sp.Expr]:
    """dH_i/dt - F_i(H), simplified; all zero exactly when ``solution`` solves eq. (7)."""
    sym = symbols_for(d)
    h = list(solution) if solution is not None else closed_form(d)
    field = vector_field(h, sym.lam)
    return [sp.simplify(sp.diff(hi, t) - fi) for hi, fi in zip(h, field, strict=True)]


def _as_rational(
    h: Sequence[sp.Expr], lam: Sequence[sp.Expr]
) -> tuple[list[sp.Expr], dict[sp.Symbol, sp.Expr]]:
    """dH_i/dt - F_i(H) as rational functions of independent stand-in symbols.

    Each exponential exp(c a(t)) becomes E^c for a positive symbol E standing for exp(a(t)) (SymPy
    writes exp(a)^2 as exp(2a), so the coefficient c is split off), and d/dt acts through the
    chain rule dE/dt = a'(t) E. When every square root has one radicand S (the norm of the
    closed form), each power S^p becomes n^(2p) for a positive symbol n: the residual is then a
    rational function of E, n, the eigenvalues and H(0), which ``cancel`` decides. Returned with
    what each stand-in symbol stands for."""
    exps = {e for x in h for e in x.atoms(sp.exp)}
    split = {e: e.args[0].as_coeff_Mul() for e in exps}
    bases = sorted({b for _, b in split.values()}, key=sp.default_sort_key)
    stand = dict(zip(bases, sp.symbols(f"E_1:{len(bases) + 1}", positive=True), strict=True))
    hs = [x.xreplace({e: stand[b] ** c for e, (c, b) in split.items()}) for x in h]
    dh = [
        sp.diff(x, t) + sum(sp.diff(x, e) * e * sp.diff(b, t) for b, e in stand.items()) for x in hs
    ]
    raw = [a - f for a, f in zip(dh, vector_field(hs, lam), strict=True)]
    meaning = {e: sp.exp(b) for b, e in stand.items()}
    radicands = {p.base for r in raw for p in r.atoms(sp.Pow) if p.exp.is_Rational and p.exp.q == 2}
    if len(radicands) == 1:
        (norm2,) = radicands
        n = sp.Symbol("n", positive=True)
        raw = [
            r.replace(lambda x: x.is_Pow and x.base == norm2, lambda x: n ** (2 * x.exp))
            for r in raw
        ]
        meaning[n] = sp.sqrt(norm2.xreplace({e: sp.exp(b) for b, e in stand.items()}))
    return [sp.cancel(sp.together(r)) for r in raw], meaning


def satisfies_ode(d: int, solution: Sequence[sp.Expr] | None = None) -> bool:
    """SymPy proof that ``solution`` (default: the closed form) satisfies eq. (7).

    Targeted rather than ``simplify`` (:func:`_as_rational`): the residual must cancel as a
    rational function of independent symbols standing for the exponentials and the norm. A
    rational function that is zero with independent symbols is zero for every specialisation,
    so "proved" is sound. A residual that does not cancel is checked at a point; only if it
    vanishes there too does the slow general ``simplify`` decide.
    """
    sym = symbols_for(d)
    h = list(solution) if solution is not None else closed_form(d)
    rational, meaning = _as_rational(h, sym.lam)
    if all(r == 0 for r in rational):
        return True
    # not zero as a rational function; at a point with the stand-ins' true values?
    point = {x: sp.Rational(k + 2, 7) for k, x in enumerate((*sym.lam, *sym.h0, t))}
    point[mu] = sp.Rational(1, 3)
    values = {k: v.subs(point) for k, v in meaning.items()}
    if any(abs(sp.N(r.subs(values).subs(point), 30)) > 1e-20 for r in rational):
        return False
    return all(r == 0 for r in residual(d, solution))


def initial_value_matches(d: int) -> bool:
    """H(0) = H_0 when H_0 is on the unit sphere (t = 0, then sum_j H_j(0)^2 = 1)."""
    sym = symbols_for(d)
    norm2 = sum(x**2 for x in sym.h0)
    at0 = [h.subs(t, 0).subs(norm2, 1) for h in closed_form(d)]
    return all(sp.simplify(a - h) == 0 for a, h in zip(at0, sym.h0, strict=True))


def sphere_is_invariant(d: int) -> bool:
    """d||H||^2/dt = 2 (H^T Lambda H)(1 - ||H||^2)/(1-mu): the unit sphere is invariant."""
    sym = symbols_for(d)
    h = sp.symbols(f"h_1:{d + 1}", real=True)
    field = vector_field(h, sym.lam)
    dnorm = sum(2 * hi * fi for hi, fi in zip(h, field, strict=True))
    rayleigh = sum(li * hi**2 for li, hi in zip(sym.lam, h, strict=True))
    target = 2 * rayleigh * (1 - sum(hi**2 for hi in h)) / (1 - mu)
    return sp.cancel(dnorm - target) == 0  # an identity of rational functions


def converges_to_e1(d: int) -> dict[str, sp.Expr]:
    """The limits t -> oo of the closed form when lambda_1 > lambda_i (i >= 2) and H_1(0) != 0.

    Writes lambda_i = lambda_1 - g_i with g_i > 0 and 1 - mu = m > 0. Each ratio H_i/H_1
    combines to (H_i(0)/H_1(0)) e^{c_i t}; its limit is 0 exactly when SymPy finds c_i < 0 (and
    ``limit`` decides it otherwise). Then H_1^2 = 1/(1 + sum_i (H_i/H_1)^2) -> 1 by continuity.
    """
    sym = symbols_for(d)
    gaps = sp.symbols(f"g_2:{d + 1}", positive=True)
    m = sp.Symbol("m", positive=True)
    sub = {sym.lam[i]: sym.lam[0] - gaps[i - 1] for i in range(1, d)}
    sub[mu] = 1 - m
    h = [x.subs(sub) for x in closed_form(d)]
    out: dict[str, sp.Expr] = {}
    limits = []
    for i in range(1, d):
        ratio = sp.powsimp(sp.cancel(h[i] / h[0]), combine="exp", force=True)
        rate = sp.simplify(sp.diff(sp.log(ratio), t))
        if t not in rate.free_symbols and rate.is_negative:
            lim = sp.Integer(0)
        else:
            lim = sp.limit(ratio, t, sp.oo)
        out[f"H_{i + 1}/H_1"] = lim
        limits.append(lim)
    out["H_1^2"] = 1 / (1 + sum(x**2 for x in limits))
    return out


@cache
def _stable_numeric(d: int) -> Callable[..., np.ndarray]:
    """Lambdified closed form, rescaled by exp(-lambda_1 t/(1-mu)) so it cannot overflow.

    The rescaling multiplies numerator and denominator by the same positive factor;
    :func:`stable_form_is_equal` checks that SymPy agrees.
    """
    sym = symbols_for(d)
    return sp.lambdify((t, mu, sym.lam, sym.h0), stable_closed_form(d), modules="numpy", cse=True)


@cache
def _numeric_field(d: int) -> Callable[..., list[float]]:
    """eq. (7)'s right-hand side, lambdified from :func:`vector_field`."""
    sym = symbols_for(d)
    h = sp.symbols(f"h_1:{d + 1}", real=True)
    return sp.lambdify((mu, sym.lam, h), vector_field(h, sym.lam), modules="numpy", cse=True)


def drift_function(d: int) -> Callable[..., list]:
    """g(h) = Lambda h - (h^T Lambda h) h, the mean field of eq. (5) (eq. (7)'s field at mu = 0),
    lambdified from :func:`vector_field`: ``f(eigenvalues, h_components)`` -> components (NumPy
    arrays broadcast)."""
    field = _numeric_field(d)
    return lambda lam, h: field(0.0, list(lam), list(h))


@cache
def radial_drift() -> Formula:
    """The mean field of eq. (5) on the radial axis h = (1 + x) e_1, as a function of the
    deviation x: lambda_1 ((1 + x) - (1 + x)^3) (eq. (7)'s field at mu = 0, first coordinate of a
    one-dimensional instance; arguments x, lambda_1)."""
    x = sp.Symbol("x", real=True)
    lam1 = symbols_for(1).lam[0]
    g = vector_field([1 + x], [lam1], mu_=sp.Integer(0))[0]
    return Formula("radial mean field", sp.expand(g), (x, lam1))


@cache
def steps_for_ode_time() -> Formula:
    """k = s (1-mu)/eta: the update at which eq. (7) has run for ``s`` units of its own time
    s = t/(1-mu) (t = k eta), where the path no longer depends on mu (arguments s, mu, eta)."""
    s_, k = sp.symbols("s k", positive=True)
    (sol,) = sp.solve(sp.Eq(s_, k * eta / (1 - mu)), k)
    return Formula("updates for ODE time s", sol, (s_, mu, eta))


def stable_closed_form(d: int) -> list[sp.Expr]:
    sym = symbols_for(d)
    shift = sp.exp(-sym.lam[0] * t / (1 - mu))
    grow = [h * sp.exp(li * t / (1 - mu)) * shift for li, h in zip(sym.lam, sym.h0, strict=True)]
    grow = [sp.powsimp(sp.expand_power_exp(g), combine="exp") for g in grow]
    norm = sp.sqrt(sum(g**2 for g in grow))
    return [g / norm for g in grow]


def stable_form_is_equal(d: int) -> bool:
    """The rescaled form equals the closed form: equal squares, and equal signs (both are H_i(0)
    times a positive factor; SymPy will not pull exp() out of the sqrt, so the sign is checked at a
    point)."""
    sym = symbols_for(d)
    point = {x: sp.Rational(k + 2, 7) for k, x in enumerate((*sym.lam, *sym.h0, t))}
    point[mu] = sp.Rational(1, 3)
    return all(
        sp.simplify(a**2 - b**2) == 0 and sp.sign((a * b).subs(point).evalf()) == 1
        for a, b in zip(stable_closed_form(d), closed_form(d), strict=True)
    )


def solution(times: np.ndarray, h0: np.ndarray, eigenvalues: np.ndarray, mu_: float) -> np.ndarray:
    """H(t) at ``times`` (shape (T,)) from the closed form; returns shape (T, d).

    ``h0`` is normalised to the unit sphere (the closed form's own initial value is h0/||h0||).
    """
    lam = np.asarray(eigenvalues, dtype=float)
    h0 = np.asarray(h0, dtype=float)
    h0 = h0 / np.linalg.norm(h0)
    tt = np.asarray(times, dtype=float)[:, None]
    f = _stable_numeric(lam.size)
    cols = f(tt, mu_, list(lam), list(h0))
    return np.column_stack([np.broadcast_to(c, tt.shape)[:, 0] for c in cols])


def solve_numerically(
    times: np.ndarray, h0: np.ndarray, eigenvalues: np.ndarray, mu_: float, rtol: float = 1e-13
) -> np.ndarray:
    """Integrate eq. (7) with ``scipy.integrate.solve_ivp`` (DOP853), for cross-checking."""
    from scipy.integrate import solve_ivp

    lam = np.asarray(eigenvalues, dtype=float)
    h0 = np.asarray(h0, dtype=float)
    h0 = h0 / np.linalg.norm(h0)

    field = _numeric_field(lam.size)

    def rhs(_t: float, h: np.ndarray) -> np.ndarray:
        return np.asarray(field(mu_, list(lam), list(h)), dtype=float)

    times = np.asarray(times, dtype=float)
    span = (0.0, float(times.max()))
    sol = solve_ivp(rhs, span, h0, method="DOP853", t_eval=times, rtol=rtol, atol=rtol * 1e-2)
    if not sol.success:
        raise RuntimeError(sol.message)
    return sol.y.T
