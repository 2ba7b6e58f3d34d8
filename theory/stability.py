"""E1: the exact finite-step delay boundary and stationary error of eq. (5) at the optimum.

Puts together :mod:`theory.linearise` (the modes of eq. (5) at e_1, their curvature c and noise),
:mod:`theory.delayed_heavy_ball` (each mode's exact constant-delay boundary and variance) and
:mod:`theory.random_delays` (C11: i.i.d. delays), and sets the result beside the paper's Figure 1
(C12) and the OU limit (C4).

**Binding mode.** The mode with the largest curvature c has the smallest boundary (tau_max falls
with c, ~ pi (1-mu)/(2c)). The radial mode has c = 2 eta lambda_1, more than any tangential
c_i = eta (lambda_1 - lambda_i) < eta lambda_1: the **radial mode always binds**, at every Sigma.
Eq. (5) does not renormalise, and the norm of v, restored at rate 2 eta lambda_1, is the first
thing a delay destabilises.

**Error model (second-order closure).** The radial mode has no additive noise at w = e_1: its
noise is the fluctuation of the random Jacobian times the (delayed) deviations,
sum_n DJ_1n x_n, i.e. multiplicative. The per-step noise variance of mode m is taken as
``eta^2 (E xi_m^2 + sum_n K_mn E x_n^2)`` (K_mn = E DJ_mn^2, cross-covariances between modes
dropped: they vanish under the sign-symmetry of :mod:`theory.linearise`), and the radial mean is
shifted by the second-order drift of the tangential modes: m_1 = eta sum_{n>=2} H_nn E x_n^2 /
(2 c_radial) = -sum_{n>=2} lambda_n E x_n^2 / (2 lambda_1). With V_m the
variance per unit noise of mode m's recursion, the second moments solve the linear system
``S = V * (a + K S) + m_1^2 e_1``, finite iff the spectral radius of diag(V) K is < 1.
Consequences: the radial second moment is O(eta^2) (tangential ones are O(eta)), so it is
invisible until the delay nears the radial boundary, where V_radial and hence the error blow up:
a flat error that turns up sharply near tau_max, the shape of Figure 1. Dropped: terms of third
order in the deviations (among them the radial drift's own -3 lambda_1 E x_1^2), and O(eta)
relative corrections to the tangential modes (the bias cross-terms, the curvature shift
2 eta lambda_1 m_1).

**Second order.** That closure is E1's *first-order* level: it keeps one O(delta) relative
correction (delta = eta lambda^2 / ((1-mu)(lambda_1 - lambda_i)), the multiplicative noise) and
drops the others of the same order, so it sits O(delta) above the simulated level (3-19% at
Figure 1's setting). :mod:`theory.second_order` expands eq. (5) consistently to that order (noise
modulation, curvature shift, the radial-tangential three-point terms, the radial variance driven
by the tangential energy), which leaves O(delta^2): :meth:`Analysis.second_order` and
:meth:`Analysis.stationary_error` (``order=2``, the default there). :meth:`Analysis.error` stays
the first-order closure (its boundary logic and Figure 1's onsets use it).

**Error metric.** E||h - e_1||^2 = sum_{i>=2} E h_i^2 (the Phase III metric, C5) + E (h_1 - 1)^2,
the simulator's ``stationary_error`` record (near e_1, (|h_1| - 1)^2 = (h_1 - 1)^2).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

import numpy as np
import sympy as sp

from theory import delayed_heavy_ball as dhb
from theory import linearise, ou
from theory import random_delays as rd
from theory import second_order as second_order_theory
from theory.distributions import DataModel, get_model
from theory.problem import Problem
from theory.symbols import alpha_i1, eta, lam1, lam_i, mu
from theory.validation import ParameterError, check_eta, check_mu, check_positive, check_tau

FAMILIES = rd.FAMILIES
PARAMETER_MEANING = {
    "constant": "the delay tau",
    "uniform": "the largest delay T of tau ~ uniform{0..T}",
    "geometric": "the mean delay of tau ~ geometric (untruncated)",
}


def delay_law(family: str, parameter: int) -> rd.DelayDistribution:
    """The delay law of a family at an integer parameter (see ``PARAMETER_MEANING``)."""
    if family not in FAMILIES:
        raise ParameterError("delay", family, "one of " + ", ".join(FAMILIES))
    return rd.make(family, check_tau(parameter, "delay parameter"))


@lru_cache(maxsize=4096)
def unit_variance(mu_: float, c: float, family: str, parameter: int) -> float:
    """Stationary Var x of a mode with curvature c, per unit noise variance; inf if unstable."""
    if family == "constant":
        return dhb.stationary_variance(mu_, c, parameter)
    return rd.second_moments(mu_, c, delay_law(family, parameter)).variance


def mode_boundary(mu_: float, c: float, family: str) -> int:
    """A mode's boundary: the largest stable delay parameter (-1 if none)."""
    return dhb.tau_max(mu_, c) if family == "constant" else rd.ms_boundary(mu_, c, family)


@dataclass(frozen=True)
class ModeResult:
    name: str
    c: float
    noise_var: float  # additive per-step noise variance (0 for the radial mode)
    tau_max: int

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "c": self.c,
            "noise_var": self.noise_var,
            "tau_max": self.tau_max,
        }


@dataclass(frozen=True)
class ErrorPrediction:
    """The closure's stationary second moments at one delay parameter."""

    parameter: int
    second_moments: tuple[float, ...]  # E x_m^2 per mode (radial first; inf if unstable)
    radial_bias: float  # m_1 = E x_1
    closure_gain: float  # spectral radius of diag(V) K (< 1 for a finite closure)

    @property
    def tangential(self) -> float:
        return float(sum(self.second_moments[1:]))

    @property
    def radial(self) -> float:
        return float(self.second_moments[0])

    @property
    def total(self) -> float:
        """E||h - e_1||^2."""
        return self.tangential + self.radial

    def as_dict(self) -> dict[str, object]:
        return {
            "total": self.total,
            "tangential": self.tangential,
            "radial": self.radial,
            "radial_bias": self.radial_bias,
            "closure_gain": self.closure_gain,
        }


MAX_BIAS = 0.5  # a radial mean shift this large means the iterate has left the linear regime


def _closure(model: linearise.ModeModel, v: np.ndarray) -> tuple[np.ndarray, float, float]:
    """Solve S = V (a + K S) + m^2 e_1 with the radial bias m = eta sum_{n>=2} H_nn S_n/(2 c_r)
    (its own O(E x_1^2) term dropped), by fixed-point iteration on m (it converges in a few
    steps: m enters only through K_{n1} m^2, O(eta^2) relative)."""
    d = v.size
    if not np.all(np.isfinite(v)):
        return np.full(d, math.inf), math.nan, math.inf
    a = np.array([mode.additive_noise_var for mode in model.modes])
    b = v[:, None] * model.K
    gain = float(np.max(np.abs(np.linalg.eigvals(b))))
    if gain >= 1.0:
        return np.full(d, math.inf), math.nan, gain
    lhs = np.eye(d) - b
    h = model.hessian_radial.copy()
    h[0] = 0.0
    bias = 0.0
    for _ in range(100):
        shift = np.zeros(d)
        shift[0] = bias**2
        s = np.linalg.solve(lhs, v * (a + model.K @ shift)) + shift
        new = model.eta * float(h @ s) / (2.0 * model.radial.c)
        if not abs(new) < MAX_BIAS:
            break  # no closure solution near e_1: the linearisation has lost its meaning
        if abs(new - bias) <= 1e-13 * max(abs(new), 1e-300):
            return s, new, gain
        bias = new
    return np.full(d, math.inf), math.nan, gain


@dataclass(frozen=True)
class Analysis:
    """E1 for one (Sigma, data model, eta, mu, delay family)."""

    problem: Problem
    data: DataModel
    eta: float
    mu: float
    family: str
    model: linearise.ModeModel
    modes: tuple[ModeResult, ...]

    @property
    def binding(self) -> ModeResult:
        """The mode with the smallest boundary (ties: the larger c)."""
        return min(self.modes, key=lambda m: (m.tau_max, -m.c))

    @property
    def binding_mode(self) -> str:
        return self.binding.name

    @property
    def tau_max(self) -> int:
        return self.binding.tau_max

    def unit_variances(self, parameter: int) -> np.ndarray:
        return np.array(
            [unit_variance(self.mu, m.c, self.family, parameter) for m in self.model.modes]
        )

    def error(self, parameter: int) -> ErrorPrediction:
        """The closure's stationary error at a delay parameter."""
        p = check_tau(parameter, "delay parameter")
        s, bias, gain = _closure(self.model, self.unit_variances(p))
        return ErrorPrediction(p, tuple(float(x) for x in s), bias, gain)

    def delay_law(self, parameter: int) -> rd.DelayDistribution:
        """The i.i.d. delay law of this analysis' family at a parameter (constant: tau)."""
        return delay_law(self.family, check_tau(parameter, "delay parameter"))

    def second_order(self, parameter: int) -> second_order_theory.LevelPrediction:
        """E1's stationary level to first and second order, per mode, at a delay parameter
        (:func:`theory.second_order.predict`)."""
        return second_order_theory.predict(
            self.problem, self.data, self.eta, self.mu, self.delay_law(parameter)
        )

    def stationary_error(self, parameter: int, order: int = 2) -> float:
        """Predicted E||h - e_1||^2 at a delay parameter: ``order=1`` is :meth:`error`'s total
        (E1's closure), ``order=2`` the second-order level (:mod:`theory.second_order`)."""
        if order == 1:
            return self.error(parameter).total
        return self.second_order(parameter).level(order)

    def closure_tau_max(self) -> int:
        """The largest parameter with a finite closure error (<= tau_max; the multiplicative
        noise can only move the mean-square boundary down)."""

        def finite(t: int) -> bool:
            return math.isfinite(self.error(t).total)

        if self.tau_max < 0:
            return -1
        lo, hi = -1, self.tau_max + 1
        if finite(self.tau_max):
            return self.tau_max
        while hi - lo > 1:  # bisection: finite below some parameter, infinite above
            mid = (lo + hi) // 2
            lo, hi = (mid, hi) if finite(mid) else (lo, mid)
        return lo

    def onset(self, factor: float = 2.0, order: int = 1) -> int:
        """The smallest parameter at which the predicted error reaches ``factor`` x its value at
        parameter 0 (an "optimal delay" in the paper's sense: where the error starts to grow);
        -1 when even parameter 0 has no finite error.

        ``order=1``: E1's closure, by bisection (the error grows with the delay). ``order=2``:
        the second-order level (:meth:`stationary_error`), searched one delay at a time from the
        first-order onset (the two differ by a few delays, and each second-order level costs a
        filter computation)."""
        check_positive("factor", factor)
        top = self.closure_tau_max()
        if top < 0:
            return -1
        if order == 1:
            base = self.error(0).total
            lo, hi = 0, top + 1
            while hi - lo > 1:
                mid = (lo + hi) // 2
                lo, hi = (mid, hi) if self.error(mid).total < factor * base else (lo, mid)
            return hi
        level = self.stationary_error
        threshold = factor * level(0, order)
        t = min(self.onset(factor, 1), top + 1)
        if t <= top and level(t, order) < threshold:
            while t <= top and level(t, order) < threshold:
                t += 1
            return t
        while t > 1 and level(t - 1, order) >= threshold:
            t -= 1
        return t

    def default_delays(self) -> list[int]:
        """0 and several parameters below the boundary (fractions of tau_max, and tau_max)."""
        t = self.closure_tau_max()
        fr = (0.0, 0.25, 0.5, 0.75, 0.9, 0.95, 1.0)
        return sorted({max(0, math.floor(f * t)) for f in fr}) if t >= 0 else [0]


def analyse(
    problem: Problem, data: DataModel | str, eta_: float, mu_: float, family: str = "constant"
) -> Analysis:
    """Every mode's c and boundary for one setting (E1)."""
    dm = get_model(data) if isinstance(data, str) else data
    e, m = check_eta(eta_), check_mu(mu_)
    if family not in FAMILIES:
        raise ParameterError("delay", family, "one of " + ", ".join(FAMILIES))
    model = linearise.mode_model(problem, dm, e)
    modes = tuple(
        ModeResult(mode.name, mode.c, mode.additive_noise_var, mode_boundary(m, mode.c, family))
        for mode in model.modes
    )
    return Analysis(problem, dm, e, m, family, model, modes)


# --- the eta -> 0 limit: C4 -------------------------------------------------------------------


@cache
def eta_to_zero_limit() -> dict[str, sp.Expr | bool]:
    """E h_i^2 = eta^2 alpha_{i,1}^2 V(c_i) with c_i = eta (lambda_1 - lambda_i) (from
    :mod:`theory.linearise`) and V's leading small-c term 1/(2c(1-mu)) for every fixed tau
    (:func:`theory.delayed_heavy_ball.small_c_variance_leading`): the leading term is compared
    with C4's E h_i^2 (:func:`theory.ou.stationary_error_formula`); at tau = 0 also the exact
    closed form's limit."""
    lin = linearise.linearise()
    c_i = lin.curvature[1]
    noise = eta**2 * lin.additive_noise_var[1]
    leading = sp.simplify(noise * dhb.small_c_variance_leading().subs(dhb.c, c_i))
    c4 = ou.stationary_error_formula().expr
    exact0 = noise * dhb.heavy_ball_variance(0).subs(dhb.c, c_i)
    limit0 = sp.simplify(sp.limit(sp.simplify(exact0 / c4), eta, 0))
    return {
        "E1_leading": leading,
        "C4": c4,
        "identical": sp.simplify(leading - c4) == 0,
        "tau0_exact": sp.factor(exact0),
        "tau0_ratio_limit": limit0,
    }


def eta_to_zero_ratio(
    eta_: float, mu_: float, tau: int, lam_1: float, lam_i_: float, alpha2_i1: float
) -> float:
    """E1's exact tangential E h_i^2 at a finite eta over C4's value (-> 1 as eta -> 0)."""
    lin = linearise.linearise()
    vals = {eta: eta_, lam1: lam_1, lam_i: lam_i_, alpha_i1: math.sqrt(alpha2_i1), mu: mu_}
    c_i = float(lin.curvature[1].subs(vals))
    noise = float((eta**2 * lin.additive_noise_var[1]).subs(vals))
    e1 = dhb.stationary_variance(mu_, c_i, tau, noise)
    c4 = ou.stationary_error_formula()
    return e1 / float(c4(*c4.kwargs(**{s.name: vals[s] for s in c4.args})))


# --- Figure 1 (C12) ---------------------------------------------------------------------------

FIGURE1_EIGENVALUES = (4.0, 3.0, 2.0, 1.0)
FIGURE1_ETA = 5e-4
FIGURE1_MUS = (0.7, 0.8, 0.85, 0.9, 0.95)


def fit_exponent(mus: Sequence[float], taus: Sequence[float]) -> float:
    """The least-squares slope of log tau against log(1 - mu)."""
    x = np.log(1.0 - np.asarray(mus, dtype=float))
    y = np.log(np.asarray(taus, dtype=float))
    if np.any(~np.isfinite(y)):
        return math.nan
    return float(np.polyfit(x, y, 1)[0])


@dataclass(frozen=True)
class Figure1Row:
    mu: float
    tau_max: int  # predicted (binding = radial mode)
    tau_crossing: float  # the real-valued crossing delay of the binding mode
    asymptote: float  # pi (1-mu)/(2c) + 1/2 - 1/(1-mu) (two terms of the small-c series)
    onset: int  # where the predicted error doubles
    tangential_tau_max: int  # the smallest tangential boundary
    binding_mode: str
    error_at_zero: float  # E1's first-order level at tau = 0
    error_at_zero_second_order: float = math.nan  # the second-order level (theory.second_order)


@dataclass(frozen=True)
class Figure1Table:
    distribution: str
    rows: tuple[Figure1Row, ...]

    def exponents(self) -> dict[str, float]:
        mus = [r.mu for r in self.rows]
        return {
            "predicted": fit_exponent(mus, [r.tau_max for r in self.rows]),
            "crossing": fit_exponent(mus, [r.tau_crossing for r in self.rows]),
            "asymptote": fit_exponent(mus, [r.asymptote for r in self.rows]),
        }

    def predicted(self) -> dict[float, int]:
        return {r.mu: r.tau_max for r in self.rows}


def figure1(distribution: str = "gaussian", family: str = "constant") -> Figure1Table:
    """The Figure 1 setting (d = 4, Sigma = diag(4,3,2,1), eta = 5e-4) for each mu."""
    problem = Problem.from_eigenvalues(FIGURE1_EIGENVALUES)
    asym = dhb.tau_crossing_asymptote(1)
    rows = []
    for m in FIGURE1_MUS:
        an = analyse(problem, distribution, FIGURE1_ETA, m, family)
        b = an.binding
        tangential = min(r.tau_max for r in an.modes if r.name != "radial")
        rows.append(
            Figure1Row(
                mu=m,
                tau_max=an.tau_max,
                tau_crossing=dhb.tau_crossing(m, b.c) if family == "constant" else math.nan,
                asymptote=float(asym(m, b.c)),
                onset=an.onset(),
                tangential_tau_max=tangential,
                binding_mode=an.binding_mode,
                error_at_zero=an.error(0).total,
                error_at_zero_second_order=an.stationary_error(0, order=2),
            )
        )
    return Figure1Table(distribution, tuple(rows))
