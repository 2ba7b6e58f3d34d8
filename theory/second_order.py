"""E1 to second order: the stationary error level of eq. (5) at the optimum, O(eta^2)-accurate.

E1 (:mod:`theory.stability`) predicts E||h - e_1||^2 from each mode's exact linear recursion with
its additive and multiplicative noise. Its relative error is first order in the small parameter
``delta = eta lambda^2 / ((1 - mu) (lambda_1 - lambda_i))`` (the size of E x_i^2 in units of its
own curvature), because it keeps one O(delta) correction (the multiplicative noise) and drops the
others. This module expands eq. (5) at e_1 consistently to that order, so that the predicted
level is off by O(delta^2) only; E1 is kept as the leading term and both are reported.

**Bookkeeping.** Put h = e_1 + x, w = x_{k - tau_k} (the delayed deviation), and write eq. (5)
mode by mode as ``x_{k+1} = (1+mu) x_k - mu x_{k-1} - c_m w_m + eta (f_m(w) + xi_m(w, Y_k))`` with
c_m the E1 curvature, f the rest of the mean field E_Y G(e_1 + w) (exact: a cubic polynomial)
and xi = G - E_Y G the martingale noise, whose conditional covariance
Sigma(w) = E_Y[xi xi^T] is a polynomial in w. Both are derived here with SymPy from
:func:`theory.linearise.stochastic_term` and the moment rules of :mod:`theory.linearise`
(:func:`expansion`); nothing below is a hand-typed moment. Tangential deviations are of size
eps = sqrt(eta/(1-mu)), the radial one of size eps^2 (its noise vanishes at e_1), and the
stationary E x_i^2 is expanded to O(eps^4) (relative O(eps^2) = O(delta)), E x_1^2 to its leading
order O(eps^4).

**Terms (every O(delta) relative correction).** With V_m the variance per unit noise of mode m's
recursion (exact, any constant delay; the mean-square variance under i.i.d. delays), g_m its
impulse response and gamma_i(l) the autocovariance of the leading tangential process:

1. *Multiplicative noise and noise modulation*: E Sigma_ii(w) = alpha_i1^2 + 2 alpha_i1^2 m_1 +
   sum_n s_in E x_n^2, with s_in the degree-2 coefficients of Sigma_ii. E1 keeps
   K_in = E[DJ_in^2] (the random Jacobian); s_ii = K_ii - 4 alpha_i1^2 adds E[xi_0 DF_2] (the
   noise amplitude modulated by the tangential deviation itself), and 2 alpha_i1^2 m_1 is the
   noise amplitude modulated by the radial bias m_1 = E x_1.
2. *Mean curvature shift*: the quadratic drift -2 lambda_1 w_1 w_i (its mean part, m_1) and the
   cubic -w_i sum_n lambda_n w_n^2 (statistical linearisation, Isserlis) shift c_i by
   delta c_i = -eta (p_i m_1 + sum_{n != i} t_in E x_n^2 + 3 t_ii E x_i^2); with
   m_1 = (eta/c_radial) sum_n q_n E x_n^2 (the radial mean, q_n = -lambda_n) the tangential
   energy cancels and delta c_i = 2 eta lambda_i E x_i^2 (:func:`curvature_shift_identity`).
   Its effect is V_i'(c_i) delta c_i times the noise.
3. *Radial fluctuations against tangential ones* (three-point term): the fluctuating part of
   -2 lambda_1 w_1 w_i correlates x_1 with x_i^2, through the radial drift's response to
   q_i (x_i^2 - E x_i^2) (the sphere's curvature, felt through the quadratic forcing of x_1)
   and through the covariance beta_i w_i of the radial noise with the tangential noise at the
   same step (Sigma_1i). Both are sums over lags of g_1, g_i and gamma_i (FFT convolutions).
4. *Radial second moment*: E x_1^2 = m_1^2 + (martingale part, E1) + the variance driven by the
   fluctuating tangential energy q_n (x_n^2 - E x_n^2) + its covariance with the martingale part.

The metric is the simulator's ``stationary_error`` record (:mod:`simulate.records`):
||v - s v^1||^2 = sum_{i >= 2} h_i^2 + (|h_1| - 1)^2, which near e_1 (h_1 > 0) is exactly
sum_i x_i^2 + x_1^2; the sphere's curvature (||h|| = 1 would force x_1 = -sum x_i^2/2) enters
through x_1's quadratic forcing in items 2-4, not through the metric.

**Symmetry.** G(P w, P Y) = P G(w, Y) for every coordinate reflection P = diag(..., -1, ...), and
the data laws (Gaussian, the spherical models, the i.i.d. models with Sigma diagonal) are
invariant under Y_i -> -Y_i. So the stationary law is invariant under x_i -> -x_i for each
tangential i separately: every moment odd in some tangential coordinate vanishes. This kills
all cross-covariances E x_i x_j (i != j) and E x_1 x_i, the coefficients of f and Sigma that are
odd in a coordinate (checked: :func:`symmetry_identities`), and the odd Isserlis pairings. The
radial coordinate has no such symmetry (its mean m_1 is not 0).

**Delays.** Constant delays enter every read w = x_{k-tau} as a lag shift; i.i.d. delays (C11)
replace each shift by an average over the law (two reads at the same step share their delay).
For i.i.d. delays the leading process is the mean (distributed-delay) system driven by white
noise (:mod:`theory.random_delays`): V_m is the exact mean-square variance (the delay jitter is
a martingale noise, exact there), while the filters of items 3-4 are the mean system's, which
drops the jitter's own O(delta) share of those O(delta) terms: O(delta^2).

Dropped (all O(delta^2) relative, or higher): the fourth cumulant of the leading process (its
non-Gaussianity, relative O(delta) in the cubic term), products of two O(delta) corrections,
E x_1 x_i^2-type terms of order eps^6, the radial drift's own -3 lambda_1 E x_1^2 (O(eps^4) in
the mean m_1, whose square then enters at O(eps^6)). Near a boundary delta grows (V and its
derivative blow up) and the expansion loses its meaning: :attr:`LevelPrediction.relative_correction`
says how large the second-order term is.

Claim id: E1 (THEORY.md), eq. (5) of the paper; the eta -> 0 limit is C4 (Theorem 5).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache

import numpy as np
import sympy as sp

from theory import delayed_heavy_ball as dhb
from theory import linearise
from theory import random_delays as rd
from theory.distributions import DataModel, get_model
from theory.formula import Formula
from theory.lazy import lazy_module
from theory.problem import Problem
from theory.symbols import alpha_i1, alpha_ij, eta, lam1, lam_i, lam_j
from theory.validation import ParameterError, check_eta, check_mu, check_tau

scipy_signal = lazy_module("scipy.signal")

ERROR_METRIC = (
    "E||v - s v^1||^2 = sum_{i>=2} E h_i^2 + E (|h_1| - 1)^2 (simulate's stationary_error "
    "record: the time average of ||v - v1||^2 with the sign of v . v1)"
)

# --- SymPy: eq. (5) expanded at e_1 ----------------------------------------------------------


def _truncate(expr: sp.Expr, x: Sequence[sp.Symbol], degree: int) -> sp.Expr:
    """The part of a polynomial in ``x`` of total degree <= ``degree``."""
    poly = sp.Poly(sp.expand(expr), *x)
    return sp.Add(
        *(
            coef * sp.Mul(*(v**k for v, k in zip(x, mon, strict=True)))
            for mon, coef in poly.terms()
            if sum(mon) <= degree
        )
    )


def _coefficient(expr: sp.Expr, x: Sequence[sp.Symbol], exponents: tuple[int, ...]) -> sp.Expr:
    """The coefficient of the monomial prod x^exponents in a polynomial in ``x``."""
    return sp.factor(sp.Poly(sp.expand(expr), *x).coeff_monomial(exponents))


@dataclass(frozen=True)
class Expansion:
    """eq. (5) at e_1 on the three-mode instance (radial 1, tangential i, tangential j).

    ``drift`` is E_Y G(e_1 + w) (exact, cubic in w); ``noise_cov`` is Sigma(w) = E_Y[xi xi^T],
    xi = G - E_Y G, truncated at degree 2 in w; ``coefficients`` are the named Taylor
    coefficients the second-order level uses (see :func:`expansion`).
    """

    w: tuple[sp.Symbol, ...]
    drift: sp.Matrix
    noise_cov: sp.Matrix
    coefficients: dict[str, sp.Expr] = field(repr=False)


# name: (component, monomial exponents in (w_1, w_i, w_j)) of the drift f = E_Y G
_DRIFT_TERMS = {
    "q_i": (0, (0, 2, 0)),  # radial drift <- w_i^2 (the radial forcing by tangential energy)
    "q_11": (0, (2, 0, 0)),  # radial drift <- w_1^2 (its own; dropped at this order)
    "p_i": (1, (1, 1, 0)),  # tangential drift <- w_1 w_i (curvature shifted by the radial bias)
    "t_ii": (1, (0, 3, 0)),  # tangential drift <- w_i^3
    "t_ij": (1, (0, 1, 2)),  # tangential drift <- w_i w_j^2
}
# name: (row, column, exponents) of Sigma(w)
_NOISE_TERMS = {
    "sigma0_i": (1, 1, (0, 0, 0)),  # additive: E (Y_i Y_1)^2
    "sigma_i_w1": (1, 1, (1, 0, 0)),  # tangential noise variance <- w_1 (radial modulation)
    "sigma_i_wi2": (1, 1, (0, 2, 0)),  # <- w_i^2 (multiplicative noise and self-modulation)
    "sigma_i_wj2": (1, 1, (0, 0, 2)),  # <- w_j^2 (multiplicative noise from mode j)
    "sigma_1_wi2": (0, 0, (0, 2, 0)),  # radial noise variance <- w_i^2 (multiplicative)
    "beta_i": (0, 1, (0, 1, 0)),  # radial-tangential noise covariance <- w_i
}


@cache
def expansion() -> Expansion:
    """Derive f(w) = E_Y G(e_1 + w) and Sigma(w) = E_Y[xi xi^T] (to degree 2) from eq. (5).

    Coefficients (three-mode instance; monomials in w = (w_1, w_i, w_j)):
    ``q_i``, ``q_11`` (radial drift), ``p_i``, ``t_ii``, ``t_ij`` (tangential drift; the linear
    part is E1's curvature, :mod:`theory.linearise`), ``sigma0_i``, ``sigma_i_w1``,
    ``sigma_i_wi2``, ``sigma_i_wj2`` (Sigma_ii), ``sigma_1_wi2`` (Sigma_11), ``beta_i``
    (Sigma_1i), and E1's ``K_ii``, ``K_ij``, ``K_1i`` (:func:`theory.linearise.linearise`) for
    the difference between the two orders.
    """
    lin = linearise.linearise()
    w = lin.x
    e1 = sp.Matrix([1, 0, 0])
    g = linearise.stochastic_term(e1 + sp.Matrix(w), sp.Matrix(linearise.Y))
    drift = lin.mean_field.applyfunc(sp.expand)
    xi = (g - drift).applyfunc(lambda e: _truncate(e, w, 2))
    cov = sp.zeros(3, 3)
    for a in range(3):
        for b in range(a, 3):
            cov[a, b] = linearise.expect(_truncate(xi[a] * xi[b], w, 2))
            cov[b, a] = cov[a, b]
    coeffs: dict[str, sp.Expr] = {}
    for name, (m, mon) in _DRIFT_TERMS.items():
        coeffs[name] = _coefficient(drift[m], w, mon)
    for name, (a, b, mon) in _NOISE_TERMS.items():
        coeffs[name] = _coefficient(cov[a, b], w, mon)
    k = lin.multiplicative
    coeffs |= {"K_ii": k[1, 1], "K_ij": k[1, 2], "K_1i": k[0, 1], "K_i1": k[1, 0]}
    return Expansion(w, drift, cov, coeffs)


def _reflection(k: int) -> sp.Matrix:
    p = sp.eye(3)
    p[k, k] = -1
    return p


@cache
def symmetry_identities() -> dict[str, bool]:
    """The sign symmetry of the module docstring, proved on the three-mode instance.

    For the reflections P of a tangential coordinate (i or j): G(P w, P Y) = P G(w, Y) exactly,
    and hence f(P w) = P f(w) and Sigma(P w) = P Sigma(w) P (the moment rules are invariant
    under Y_i -> -Y_i). Also: Sigma_11 has no constant or linear part (the radial noise is
    multiplicative), Sigma_1i(0) = 0 and Sigma_ij is O(w_i w_j).
    """
    ex = expansion()
    w = ex.w
    y = sp.Matrix(linearise.Y)
    wm = sp.Matrix(w)
    g = linearise.stochastic_term(wm, y)
    out: dict[str, bool] = {}
    for k, label in ((1, "i"), (2, "j")):
        p = _reflection(k)
        flip = dict(zip((*w, *linearise.Y), (*(p * wm), *(p * y)), strict=True))
        out[f"G equivariant under x_{label} -> -x_{label}"] = bool(
            (g.subs(flip, simultaneous=True) - p * g).applyfunc(sp.expand) == sp.zeros(3, 1)
        )
        wflip = dict(zip(w, p * wm, strict=True))
        out[f"drift equivariant under x_{label} -> -x_{label}"] = bool(
            (ex.drift.subs(wflip, simultaneous=True) - p * ex.drift).applyfunc(sp.expand)
            == sp.zeros(3, 1)
        )
        out[f"noise covariance equivariant under x_{label} -> -x_{label}"] = bool(
            (ex.noise_cov.subs(wflip, simultaneous=True) - p * ex.noise_cov * p).applyfunc(
                sp.expand
            )
            == sp.zeros(3, 3)
        )
    at0 = dict.fromkeys(w, 0)
    s11 = ex.noise_cov[0, 0]
    out["radial noise has no constant or linear part"] = bool(
        s11.subs(at0) == 0 and all(sp.diff(s11, v).subs(at0) == 0 for v in w)
    )
    out["radial-tangential noise covariance vanishes at e_1"] = bool(
        ex.noise_cov[0, 1].subs(at0) == 0
    )
    sij = sp.expand(ex.noise_cov[1, 2])
    out["tangential-tangential noise covariance is O(w_i w_j)"] = bool(
        sp.expand(sij - w[1] * w[2] * sp.diff(sij, w[1], w[2])) == 0
    )
    return out


@cache
def curvature_shift_identity() -> sp.Expr:
    """delta c_i / eta with the radial mean m_1 = (eta / c_radial) sum_n q_n S_n substituted,
    minus 2 lambda_i S_i: 0 when the tangential energy cancels (module docstring, item 2).

    Three-mode instance with S_i, S_j the tangential second moments.
    """
    c = expansion().coefficients
    s_i, s_j = sp.symbols("S_i S_j", positive=True)
    lin = linearise.linearise()
    q_j = c["q_i"].subs(lam_i, lam_j)
    m1 = eta / lin.curvature[0] * (c["q_i"] * s_i + q_j * s_j)
    dc = -(c["p_i"] * m1 + c["t_ij"] * s_j + 3 * c["t_ii"] * s_i)
    return sp.simplify(dc - 2 * lam_i * s_i)


def _formula(name: str, expr: sp.Expr) -> Formula:
    syms = (
        eta,
        lam1,
        lam_i,
        lam_j,
        linearise.alpha_11,
        linearise.alpha_ii,
        linearise.alpha_jj,
        alpha_i1,
        linearise.alpha_j1,
        alpha_ij,
    )
    expr = sp.sympify(expr)
    return Formula(name, expr, tuple(s for s in syms if s in expr.free_symbols))


@cache
def formulas() -> dict[str, Formula]:
    """Every coefficient of :func:`expansion` as a lambdified :class:`Formula`."""
    return {name: _formula(name, expr) for name, expr in expansion().coefficients.items()}


@dataclass(frozen=True)
class Coefficients:
    """The coefficients of :func:`expansion` evaluated for a problem and data model (d modes,
    index 0 radial, n >= 1 tangential; entries that do not apply are 0)."""

    q: np.ndarray  # (d,) radial drift coefficient of w_n^2
    p: np.ndarray  # (d,) tangential drift coefficient of w_1 w_n
    t: np.ndarray  # (d, d) tangential drift coefficient of w_n w_m^2 (t[n, n]: w_n^3)
    sigma0: np.ndarray  # (d,) additive noise variance (0 radial)
    sigma_w1: np.ndarray  # (d,) d Sigma_nn / d w_1
    sigma2: np.ndarray  # (d, d) coefficient of w_m^2 in Sigma_nn (row 0: radial)
    beta: np.ndarray  # (d,) coefficient of w_n in Sigma_1n
    K: np.ndarray  # (d, d) E1's multiplicative-noise coefficients (K[0, 0] unused: 0)


def coefficients(problem: Problem, data: DataModel) -> Coefficients:
    """Evaluate the derived coefficients (lambdified) at a problem's eigenvalues and alpha."""
    lam = problem.eigenvalues
    a = np.sqrt(data.alpha2(problem))
    d = problem.d
    f = formulas()

    def ev(name: str, i: int, j: int) -> float:
        vals = {
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

    q, p, s0, s1, beta = (np.zeros(d) for _ in range(5))
    t, s2, k = (np.zeros((d, d)) for _ in range(3))
    for i in range(1, d):
        q[i] = ev("q_i", i, i)
        p[i] = ev("p_i", i, i)
        s0[i] = ev("sigma0_i", i, i)
        s1[i] = ev("sigma_i_w1", i, i)
        beta[i] = ev("beta_i", i, i)
        s2[0, i] = ev("sigma_1_wi2", i, i)
        k[0, i] = ev("K_1i", i, i)
        for j in range(1, d):
            same = i == j
            t[i, j] = ev("t_ii" if same else "t_ij", i, j)
            s2[i, j] = ev("sigma_i_wi2" if same else "sigma_i_wj2", i, j)
            k[i, j] = ev("K_ii" if same else "K_ij", i, j)
    return Coefficients(q, p, t, s0, s1, s2, beta, k)


# --- numerics: filters of the leading recursion ------------------------------------------------

MAX_FILTER_LENGTH = 1 << 22  # impulse responses longer than this: too close to a boundary
FILTER_TOLERANCE = 1e-14  # impulse responses are cut where they have decayed to this (relative)
GEOMETRIC_TAIL = 1e-13  # i.i.d. geometric delays: the filters use the law cut at this tail mass


def _law(delay: int | rd.DelayDistribution) -> rd.DelayDistribution:
    if isinstance(delay, rd.DelayDistribution):
        return delay
    return rd.constant(check_tau(delay, "delay"))


def _filter_law(law: rd.DelayDistribution) -> rd.DelayDistribution:
    """A finite-support version of the law for the filters (geometric: cut, renormalised)."""
    if law.ratio is None:
        return law
    return rd.geometric(law.parameter, GEOMETRIC_TAIL)


def _ar(mu_: float, c: float, law: rd.DelayDistribution) -> np.ndarray:
    if law.family == "constant":
        return dhb.ar_coefficients(mu_, c, int(law.support[0]))
    return rd.mean_ar_coefficients(mu_, c, law)


def _impulse(phi: np.ndarray, n: int) -> np.ndarray:
    """g(0..n-1): x_{k+1} = sum_j phi_j x_{k+1-j} + u_k responds to u_0 = 1 with x_{1+m} = g(m)."""
    unit = np.zeros(n)
    unit[0] = 1.0
    return scipy_signal.lfilter([1.0], np.concatenate(([1.0], -phi)), unit)


def _decayed(g: np.ndarray) -> bool:
    half = g.size // 2
    return bool(np.max(np.abs(g[half:])) <= FILTER_TOLERANCE * np.max(np.abs(g)))


def impulse_responses(phis: Sequence[np.ndarray], start: int = 1 << 12) -> np.ndarray | None:
    """Impulse responses of several stable AR recursions on one common length (doubled until
    every one has decayed to ``FILTER_TOLERANCE``); None when that needs more than
    ``MAX_FILTER_LENGTH`` steps."""
    n = max(start, 4 * max(p.size for p in phis))
    while n <= MAX_FILTER_LENGTH:
        gs = np.array([_impulse(p, n) for p in phis])
        if all(_decayed(g) for g in gs) and np.all(np.isfinite(gs)):
            return gs
        n *= 2
    return None


def _fft_len(n: int) -> int:
    return 1 << math.ceil(math.log2(2 * n))


def correlate(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """sum_n a(n) b(n + s) for s = 0 .. len(b) - 1 (both zero beyond their ends), by FFT."""
    m = _fft_len(max(a.size, b.size))
    out = np.fft.irfft(np.conj(np.fft.rfft(a, m)) * np.fft.rfft(b, m), m)
    return out[: b.size]


def shift_average(f: np.ndarray, law: rd.DelayDistribution, offset: int = 0) -> np.ndarray:
    """F(m) = sum_tau p_tau f(m + offset + tau), m = 0 .. len(f) - 1 (f = 0 beyond its end)."""
    out = np.zeros_like(f)
    n = f.size
    for tau, p in zip(law.support, law.probs, strict=True):
        s = int(tau) + offset
        if s < n:
            out[: n - s] += p * f[s:]
    return out


def lag_difference_law(law: rd.DelayDistribution) -> np.ndarray:
    """P(tau' - tau = delta), delta = 0 .. T, for two independent draws (symmetric in delta)."""
    t = int(law.support.max())
    dense = np.zeros(t + 1)
    dense[law.support] = law.probs
    return np.correlate(dense, dense, mode="full")[t:]


# --- the second-order level -------------------------------------------------------------------


@dataclass(frozen=True)
class ModeLevel:
    """One mode's stationary E x_m^2: E1's value and the second-order corrections."""

    name: str
    first_order: float
    corrections: dict[str, float]

    @property
    def second_order(self) -> float:
        return self.first_order + sum(self.corrections.values())

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "first_order": self.first_order,
            "second_order": self.second_order,
            "corrections": dict(self.corrections),
        }


@dataclass(frozen=True)
class LevelPrediction:
    """E1's stationary error to first and second order at one (setting, delay)."""

    eta: float
    mu: float
    delay: str
    modes: tuple[ModeLevel, ...]  # radial first
    radial_bias: float  # m_1 = E x_1 (leading order)
    filter_length: int  # steps of the impulse responses (0 when not computed)
    note: str = ""

    @property
    def first_order(self) -> float:
        """E1 (:meth:`theory.stability.Analysis.error`): sum of E1's E x_m^2."""
        return float(sum(m.first_order for m in self.modes))

    @property
    def second_order(self) -> float:
        return float(sum(m.second_order for m in self.modes))

    @property
    def relative_correction(self) -> float:
        """second/first - 1: the size of the second-order term (O(delta); the expansion is
        meaningful while it is small, say below 0.3)."""
        return self.second_order / self.first_order - 1.0

    def level(self, order: int) -> float:
        if order == 1:
            return self.first_order
        if order == 2:
            return self.second_order
        raise ParameterError("order", order, "1 (E1) or 2 (second order)")

    def as_dict(self) -> dict[str, object]:
        return {
            "delay": self.delay,
            "first_order": self.first_order,
            "second_order": self.second_order,
            "relative_correction": self.relative_correction,
            "radial_bias": self.radial_bias,
            "modes": [m.as_dict() for m in self.modes],
            "filter_length": self.filter_length,
            "note": self.note,
        }


def _unit_variance(mu_: float, c: float, law: rd.DelayDistribution) -> float:
    if law.family == "constant":
        return dhb.stationary_variance(mu_, c, int(law.support[0]))
    return rd.second_moments(mu_, c, law).variance


def _variance_slope(mu_: float, c: float, law: rd.DelayDistribution) -> float:
    """dV/dc by central differences of the exact variance (relative step 1e-5)."""
    h = 1e-5 * c
    up, down = _unit_variance(mu_, c + h, law), _unit_variance(mu_, c - h, law)
    return (up - down) / (2 * h)


def _describe(law: rd.DelayDistribution) -> str:
    return law.describe()


def _infinite(
    modes_: Sequence[linearise.Mode],
    eta_: float,
    mu_: float,
    law: rd.DelayDistribution,
    note: str,
) -> LevelPrediction:
    modes = tuple(ModeLevel(m.name, math.inf, {}) for m in modes_)
    return LevelPrediction(eta_, mu_, _describe(law), modes, math.nan, 0, note)


def predict(
    problem: Problem,
    data: DataModel | str,
    eta_: float,
    mu_: float,
    delay: int | rd.DelayDistribution = 0,
) -> LevelPrediction:
    """E1's stationary E||v - v1||^2 to first order (E1) and second order, with every term.

    ``delay``: a constant delay tau (int) or an i.i.d. law of :mod:`theory.random_delays` (C11).
    The metric is :data:`ERROR_METRIC` (simulate's ``stationary_error``). Infinite when E1's
    closure is (beyond the boundary); the corrections are those of the module docstring (eq.
    (5) expanded at e_1; claim E1, with C4 / Theorem 5 as its eta -> 0 limit).
    """
    from theory import stability

    dm = get_model(data) if isinstance(data, str) else data
    e, m_ = check_eta(eta_), check_mu(mu_)
    law = _law(delay)
    model = linearise.mode_model(problem, dm, e)
    v = np.array([_unit_variance(m_, mode.c, law) for mode in model.modes])
    s, bias, _ = stability._closure(model, v)
    if not np.all(np.isfinite(s)):
        return _infinite(model.modes, e, m_, law, "beyond E1's boundary (no finite closure)")
    flaw = _filter_law(law)
    d = problem.d
    gs = impulse_responses([_ar(m_, mode.c, flaw) for mode in model.modes])
    if gs is None:
        return _infinite(
            model.modes, e, m_, law, "the filters do not decay within MAX_FILTER_LENGTH steps"
        )
    n = gs.shape[1]
    co = coefficients(problem, dm)
    # the leading process: each tangential recursion with its additive noise only (exact
    # variance, any delay); the corrections are first-order perturbations evaluated on it
    s0 = e**2 * co.sigma0 * v
    s0[0] = 0.0
    bias0 = e / model.radial.c * float(co.q @ s0)
    h = gs[0]
    radial = {"drift-driven variance": 0.0, "drift x noise covariance": 0.0}
    tangential = []
    for i in range(1, d):
        g = gs[i]
        rho = correlate(g, g)
        gam = s0[i] * rho / rho[0]  # autocovariance of the leading tangential process
        # 1. noise modulation beyond E1's K (radial bias; E[xi_0 DF_2])
        noise = co.sigma_w1[i] * bias0 + (co.sigma2[i, 1:] - co.K[i, 1:]) @ s0[1:]
        mod = e**2 * v[i] * noise
        # 2. mean curvature shift: radial bias and statistical linearisation of the cubic
        dc = -e * (co.p[i] * bias0 + co.t[i, 1:] @ s0[1:] + 2 * co.t[i, i] * s0[i])
        curv = e**2 * co.sigma0[i] * _variance_slope(m_, model.modes[i].c, law) * dc
        # 3. three-point term: E[x_i(k) (fluctuating -2 lambda_1 w_1 w_i)], through the radial
        # drift's response to q_i x_i^2 and the radial-tangential noise covariance beta_i w_i
        piece_a, piece_b = three_point_sums(g, h, gam, flaw)
        three_a = 2 * e * co.p[i] * 2 * e * co.q[i] * piece_a
        three_b = 2 * e * co.p[i] * e**2 * co.beta[i] * piece_b
        tangential.append(
            ModeLevel(
                model.modes[i].name,
                float(s[i]),
                {
                    "noise modulation": float(mod),
                    "curvature shift": float(curv),
                    "radial response to x_i^2": float(three_a),
                    "radial noise x tangential noise": float(three_b),
                },
            )
        )
        # 4. radial: variance driven by q_i (x_i^2 - S_i), and its covariance with the noise part
        drift_var, cross = radial_sums(h, g, gam, flaw)
        radial["drift-driven variance"] += float(2 * e**2 * co.q[i] ** 2 * drift_var)
        radial["drift x noise covariance"] += float(4 * e**3 * co.q[i] * co.beta[i] * cross)
    modes = (ModeLevel("radial", float(s[0]), radial), *tangential)
    return LevelPrediction(
        e, m_, _describe(law), modes, float(bias), n, _symmetry_note(problem, dm)
    )


def _symmetry_note(problem: Problem, data: DataModel) -> str:
    """Where the sign symmetry the expansion relies on fails (module docstring)."""
    if data.family == "iid" and data.kurtosis != 3.0 and not problem.is_diagonal:
        return (
            "Sigma is not diagonal and the i.i.d. data model is not Gaussian: odd moments of Y "
            "do not vanish, so the dropped cross-covariances are not zero (an approximation)"
        )
    return ""


def three_point_sums(
    g: np.ndarray, h: np.ndarray, gam: np.ndarray, law: rd.DelayDistribution
) -> tuple[float, float]:
    """The lag sums of the three-point term of a tangential mode (module docstring, item 3).

    ``g``: the mode's impulse response, ``h``: the radial one, ``gam``: the leading
    autocovariance gamma(l) (l >= 0), ``law``: the delay law (finite support). With
    E_tau averages over independent reads:

    A = sum_{n, r >= 0} g(n) h(r) E_{tau, tau'} gamma(n + 2 + r + tau + tau') gamma(1 + r + tau')
    (the radial drift at step q = t - 1 - r reads x_i(q - tau')^2; Isserlis pairs it with
    x_i(k) and x_i(t), t the read of step j = k - 1 - n);

    B = sum_{n, r >= 0} g(n) h(r) E [g(r) gamma(n + 2 + r + tau + tau') + g(n + 1 + tau + r)
    gamma(1 + r + tau')] (the radial noise at step q covaries with the tangential noise at q,
    which reaches x_i(t) or x_i(k)). The term is 2 eta p_i (2 eta q_i A + eta^2 beta_i B).
    Computed by FFT correlations; :func:`three_point_sums_direct` is the plain loop.
    """
    n = g.size
    gbar = shift_average(gam, law)  # E_tau gamma(m + tau)
    gg = correlate(g, gbar)  # sum_n g(n) gbar(n + s)
    ggbar = shift_average(gg, law)
    rg = correlate(g, shift_average(g, law))  # sum_n g(n) E_tau g(n + s + tau)
    a = 0.0
    for tau, p in zip(law.support, law.probs, strict=True):
        t = int(tau)
        if t + 2 < n:
            a += p * float(h[: n - 2 - t] @ (gam[1 + t : n - 1] * gg[2 + t : n]))
    b = float((h * g)[: n - 2] @ ggbar[2:] + h[: n - 1] @ (gbar[1:] * rg[1:]))
    return a, b


def three_point_sums_direct(
    g: np.ndarray, h: np.ndarray, gam: np.ndarray, law: rd.DelayDistribution
) -> tuple[float, float]:
    """:func:`three_point_sums` by explicit loops (O(n^2 |support|^2); for tests)."""
    n = g.size

    def at(f: np.ndarray, k: int) -> float:
        return float(f[k]) if k < n else 0.0

    a = b = 0.0
    for t1, p1 in zip(law.support, law.probs, strict=True):
        for t2, p2 in zip(law.support, law.probs, strict=True):
            w = p1 * p2
            for i in range(n):
                for r in range(n):
                    a += w * g[i] * h[r] * at(gam, i + 2 + r + t1 + t2) * at(gam, 1 + r + t2)
                    b += (
                        w
                        * g[i]
                        * h[r]
                        * (
                            g[r] * at(gam, i + 2 + r + t1 + t2)
                            + at(g, i + 1 + t1 + r) * at(gam, 1 + r + t2)
                        )
                    )
    return a, b


def radial_sums(
    h: np.ndarray, g: np.ndarray, gam: np.ndarray, law: rd.DelayDistribution
) -> tuple[float, float]:
    """The lag sums of the radial second moment's tangential-energy terms (item 4), one mode.

    V = sum_{r, r'} h(r) h(r') E gamma(r' - r + tau' - tau)^2, with one shared read (tau' = tau)
    when r = r': the variance of the radial response to q_n (x_n^2 - S_n) is 2 eta^2 q_n^2 V.
    C = sum_{tau'} p(tau') sum_{u >= 0} rho_h(u + tau' + 1) g(u) E_tau gamma(u + 1 + tau), rho_h
    the radial autocorrelation sum_r h(r) h(r + l): the covariance of that response with the
    radial noise part is 2 eta^3 q_n beta_n C (counted twice in the variance).
    :func:`radial_sums_direct` is the plain loop.
    """
    n = h.size
    rho_h = correlate(h, h)
    diff = lag_difference_law(law)  # P(tau' - tau = delta), delta >= 0
    g2 = gam**2
    two_g2 = np.concatenate((g2[:0:-1], g2))  # gamma^2(|m|), m = -(n-1) .. n-1
    two_rho = np.concatenate((rho_h[:0:-1], rho_h))
    overlap = correlate(two_rho, two_g2)[: diff.size]  # sum_m rho_h(|m|) gamma^2(|m + delta|)
    top = min(diff.size, n)
    v = overlap[0] * diff[0] + 2 * float(diff[1:top] @ overlap[1:top])
    shared = diff[0] * g2[0] + 2 * float(diff[1:top] @ g2[1:top])  # E gamma(tau' - tau)^2
    v += rho_h[0] * (g2[0] - shared)  # r = r': one read, tau' = tau
    gbar = shift_average(gam, law)
    cr = correlate(g[: n - 1] * gbar[1:], rho_h)  # sum_u g(u) gbar(u + 1) rho_h(u + s)
    c = sum(
        p * float(cr[int(tau) + 1])
        for tau, p in zip(law.support, law.probs, strict=True)
        if int(tau) + 1 < cr.size
    )
    return float(v), float(c)


def radial_sums_direct(
    h: np.ndarray, g: np.ndarray, gam: np.ndarray, law: rd.DelayDistribution
) -> tuple[float, float]:
    """:func:`radial_sums` by explicit loops (for tests)."""
    n = h.size

    def gm(k: int) -> float:
        k = abs(k)
        return float(gam[k]) if k < n else 0.0

    v = c = 0.0
    pairs = list(zip(law.support, law.probs, strict=True))
    for r in range(n):
        for r2 in range(n):
            if r == r2:
                v += h[r] * h[r2] * gm(0) ** 2
                continue
            for t1, p1 in pairs:
                for t2, p2 in pairs:
                    v += p1 * p2 * h[r] * h[r2] * gm(r2 - r + t2 - t1) ** 2
    for t2, p2 in pairs:  # tau' = t2: the read of the drift part
        for t1, p1 in pairs:  # tau = t1: the read of the noise part
            for q2 in range(n):  # l = q' - q: the drift step after the noise step
                rho_l = sum(h[r] * h[r + q2] for r in range(n - q2))
                u = q2 - t2 - 1
                if u >= 0:
                    c += p1 * p2 * rho_l * g[u] * gm(q2 - t2 + t1)
    return float(v), float(c)


def stationary_error(
    problem: Problem,
    model: DataModel | str,
    eta_: float,
    mu_: float,
    delay: int | rd.DelayDistribution = 0,
    order: int = 2,
) -> float:
    """E1's predicted stationary E||v - v1||^2 (:data:`ERROR_METRIC`) at order 1 or 2.

    ``order=1`` is E1 (:meth:`theory.stability.Analysis.error`, the closure that keeps the
    multiplicative noise only); ``order=2`` adds every O(eta/(1-mu)) relative correction
    (module docstring), so that the level is accurate to O(eta^2). eq. (5) of the paper, claim
    E1; as eta -> 0 both tend to C4's OU level (Theorem 5). inf beyond the boundary.
    """
    return predict(problem, model, eta_, mu_, delay).level(order)


# --- verification: the truncated moment hierarchy of eq. (5) (brute force, small tau) ----------

HIERARCHY_MAX_TAU = 3


def _gaussian_moment(k: int, lam: sp.Rational) -> sp.Rational:
    """E Y^k for Y ~ N(0, lam): (k-1)!! lam^(k/2) for even k, 0 for odd k."""
    if k % 2:
        return sp.Integer(0)
    return sp.factorial2(k - 1) * lam ** (k // 2)


def _monomials(weights: Sequence[int], budget: int) -> list[tuple[int, ...]]:
    """Every exponent vector with sum(weights * exponents) <= budget."""
    if not weights:
        return [()]
    out = []
    for k in range(budget // weights[0] + 1):
        for rest in _monomials(weights[1:], budget - k * weights[0]):
            out.append((k, *rest))
    return out


def moment_hierarchy(
    eigenvalues: Sequence[object],
    eta_: object,
    mu_: object,
    delay: int | rd.DelayDistribution = 0,
) -> dict[str, object]:
    """Stationary moments of eq. (5) near e_1 from its exact moment recursion, truncated by
    order: an independent check of :func:`predict` (Gaussian data, Sigma diagonal, d <= 3,
    constant tau <= ``HIERARCHY_MAX_TAU``).

    The state is (x_m(k), ..., x_m(k - L)), L = max(tau, 1), per mode, so the delayed read
    w = x(k - tau) is part of it; an i.i.d. delay law with support in 0..L (C11) averages the
    next-state map over tau. Tangential coordinates count order 1, radial ones order 2
    (their noise vanishes at e_1); every moment of order 2 and 4 that the sign symmetry does
    not kill is an unknown, E_Y of each monomial of the next state is expanded from eq. (5)
    (SymPy, exact rationals, Gaussian moments of Y), terms of order > 4 are dropped, and the
    stationary equations M = E_Y[m(next)] are solved exactly. The truncation leaves out
    relative O(eta^2), like :func:`predict`: the two agree to O(eta^2), E1 to O(eta) only.

    Returns ``{"modes": (E x_1^2, E x_2^2, ...), "total": sum, "mean_radial": E x_1}``.
    """
    law = _law(delay)
    if law.ratio is not None or int(law.support.max()) > HIERARCHY_MAX_TAU:
        raise ParameterError(
            "delay", law.describe(), f"delays at most {HIERARCHY_MAX_TAU} (the state grows)"
        )
    taus = [int(v) for v in law.support]
    probs = [sp.Rational(float(v)).limit_denominator(10**6) for v in law.probs]
    t = max(taus)
    lam = [sp.Rational(str(x)) for x in eigenvalues]
    d = len(lam)
    if not 2 <= d <= 3:
        raise ParameterError("eigenvalues", eigenvalues, "two or three eigenvalues")
    e, m = sp.Rational(str(eta_)), sp.Rational(str(mu_))
    lags = max(t, 1) + 1
    # x[lag][k]: mode k at time (current - lag)
    x = [sp.symbols(f"x{lag}_0:{d}", real=True) for lag in range(lags)]
    ys = sp.symbols(f"y0:{d}", real=True)
    state = tuple(v for row in x for v in row)
    weight = tuple(2 if k == 0 else 1 for _ in range(lags) for k in range(d))
    ns = len(state)
    e1 = sp.Matrix([1] + [0] * (d - 1))
    gens = (*state, *ys)
    order = 4

    def poly(expr: sp.Expr) -> dict[tuple[int, ...], sp.Rational]:
        return dict(sp.Poly(sp.expand(expr), *gens).terms())

    def wt(mon: tuple[int, ...]) -> int:
        return sum(a * b for a, b in zip(mon[:ns], weight, strict=True))

    def mul(p: dict, q: dict) -> dict:
        out: dict[tuple[int, ...], sp.Rational] = {}
        for ma, ca in p.items():
            wa = wt(ma)
            for mb, cb in q.items():
                if wa + wt(mb) > order:
                    continue
                key = tuple(a + b for a, b in zip(ma, mb, strict=True))
                out[key] = out.get(key, 0) + ca * cb
        return out

    shift = [poly(x[lag - 1][k]) for lag in range(1, lags) for k in range(d)]
    maps = []
    for tau_ in taus:
        g = linearise.stochastic_term(e1 + sp.Matrix(x[tau_]), sp.Matrix(ys))
        maps.append([poly((1 + m) * x[0][k] - m * x[1][k] + e * g[k]) for k in range(d)] + shift)

    def symmetric(mon: tuple[int, ...]) -> bool:
        """Not killed by the sign symmetry: even in every tangential mode."""
        return all(sum(mon[lag * d + k] for lag in range(lags)) % 2 == 0 for k in range(1, d))

    unknowns = [mon for mon in _monomials(weight, order) if wt(mon) > 0 and symmetric(mon)]
    index = {mon: k for k, mon in enumerate(unknowns)}
    size = len(unknowns)
    a_mat = sp.zeros(size, size)
    rhs = sp.zeros(size, 1)
    one = {(0,) * len(gens): sp.Integer(1)}
    for row, mon in enumerate(unknowns):
        acc: dict[tuple[int, ...], sp.Rational] = {}
        for prob, nxt in zip(probs, maps, strict=True):
            part = one
            for k, power in enumerate(mon):
                for _ in range(power):
                    part = mul(part, nxt[k])
            for key, coef in part.items():
                acc[key] = acc.get(key, 0) + prob * coef
        a_mat[row, row] += 1
        for key, coef in acc.items():
            ey = sp.Integer(1)
            for k in range(d):
                ey *= _gaussian_moment(key[ns + k], lam[k])
            if ey == 0:
                continue
            smon = key[:ns]
            if wt(smon) == 0:
                rhs[row] += coef * ey
            elif symmetric(smon):
                a_mat[row, index[smon]] -= coef * ey
    sol = a_mat.LUsolve(rhs)

    def moment_of(k: int, power: int) -> float:
        mon = tuple(power if j == k else 0 for j in range(ns))
        return float(sol[index[mon]])

    modes = tuple(moment_of(k, 2) for k in range(d))
    return {"modes": modes, "total": float(sum(modes)), "mean_radial": moment_of(0, 1)}
