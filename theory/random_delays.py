"""E1 under i.i.d. random delays (C11): mean-square stability and stationary second moments.

The mode recursion with a fresh delay tau_k ~ p at every step,
``x_{k+1} = (1+mu) x_k - mu x_{k-1} - c x_{k-tau_k} + e_k``, is a jump linear system
s_{k+1} = A_{tau_k} s_k + e_k e_0 on the state s_k = (x_k, ..., x_{k-T}); its second moment obeys
``P_{k+1} = L(P_k) + Q``, ``L(P) = sum_tau p_tau A_tau P A_tau^T``, Q = Var(e) e_0 e_0^T, and it is
mean-square stable iff the spectral radius of L is < 1.

Exact reduction (used for every number here). Write c x_{k-tau_k} = c u_k + c (x_{k-tau_k} - u_k)
with u_k = sum_tau p_tau x_{k-tau}. The second part is a martingale difference (tau_k is
independent of the past), so the process is the *mean system* (the distributed-delay recursion
with coefficient c p_tau at lag tau) driven by white noise of variance
Var(e) + c^2 E[Var_tau(x_{k-tau})] = Var(e) + c^2 gamma_0 (1 - p^T G p), where G is the
autocorrelation (Toeplitz) matrix of the mean system. Hence, with V_mean the mean system's
variance per unit noise,

    Var x = Var(e) V_mean / (1 - c^2 V_mean (1 - p^T G p)),

finite iff the mean system is stable and c^2 V_mean (1 - p^T G p) < 1. (Then P = gamma_0 G is a
positive definite solution of P = L(P) + Q, and since Q reaches every coordinate through the shift
this forces rho(L) < 1; conversely rho(L) < 1 gives a stationary P, which must have this form.)
:func:`second_moment_map` applies L without forming the Kronecker product, and
:func:`ms_spectral_radius` gives rho(L) from it (used by the tests to confirm the reduction).

Geometric delays (p_tau = (1-q) q^tau, mean q/(1-q)) have infinite support; without truncation the
mean system is finite-dimensional all the same (u_k = q u_{k-1} + (1-q) x_k), which
:func:`geometric` uses when ``tail_mass`` is None. With a ``tail_mass`` the support is cut at the
smallest T with P(tau > T) <= tail_mass and renormalised.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from theory import autoregression as ar
from theory.delayed_heavy_ball import ar_coefficients, lag_values, tau_max
from theory.lazy import lazy_module
from theory.validation import (
    ParameterError,
    check_mu,
    check_open_unit,
    check_positive,
    check_tau,
)

scipy_linalg = lazy_module("scipy.linalg")

FAMILIES = ("constant", "uniform", "geometric")


@dataclass(frozen=True)
class DelayDistribution:
    """An i.i.d. delay law: P(tau = support[k]) = probs[k] (or an untruncated geometric)."""

    family: str
    parameter: float  # tau (constant), T (uniform on {0..T}), or the mean (geometric)
    support: np.ndarray
    probs: np.ndarray
    tail_mass: float = 0.0  # the mass cut off before renormalising (geometric)
    ratio: float | None = None  # q of an untruncated geometric law (support then unused)

    @property
    def mean(self) -> float:
        if self.ratio is not None:
            return self.ratio / (1.0 - self.ratio)
        return float(self.support @ self.probs)

    @property
    def max_delay(self) -> float:
        return math.inf if self.ratio is not None else int(self.support.max())

    def describe(self) -> str:
        if self.family == "constant":
            return f"constant tau = {int(self.parameter)}"
        if self.family == "uniform":
            return f"uniform on {{0..{int(self.parameter)}}} (mean {self.mean:g})"
        cut = (
            "untruncated"
            if self.ratio is not None
            else f"truncated at {self.max_delay} (tail mass {self.tail_mass:.1e}, renormalised)"
        )
        return f"geometric with mean {self.parameter:g}, {cut}"

    def sample(self, rng: np.random.Generator, size: int | tuple[int, ...]) -> np.ndarray:
        """i.i.d. delays (an untruncated geometric law is sampled exactly)."""
        if self.ratio is not None:
            return rng.geometric(1.0 - self.ratio, size=size) - 1
        return rng.choice(self.support, size=size, p=self.probs)


def constant(tau: object) -> DelayDistribution:
    t = check_tau(tau)
    return DelayDistribution("constant", t, np.array([t]), np.array([1.0]))


def uniform(max_delay: object) -> DelayDistribution:
    """Uniform on {0, 1, ..., T}: mean T/2."""
    t = check_tau(max_delay, "max_delay")
    return DelayDistribution("uniform", t, np.arange(t + 1), np.full(t + 1, 1.0 / (t + 1)))


def geometric(mean: object, tail_mass: float | None = None) -> DelayDistribution:
    """p_tau = (1 - q) q^tau on {0, 1, ...} with q = mean/(1 + mean).

    ``tail_mass`` None: untruncated (exact). Otherwise cut at the smallest T with
    P(tau > T) = q^(T+1) <= tail_mass, and renormalise.
    """
    if isinstance(mean, int | float) and mean == 0:
        return DelayDistribution("geometric", 0.0, np.array([0]), np.array([1.0]))
    m = check_positive("mean delay", mean)
    q = m / (1.0 + m)
    if tail_mass is None:
        return DelayDistribution("geometric", m, np.array([0]), np.array([1.0]), 0.0, q)
    eps = check_open_unit("tail_mass", tail_mass)
    t_cut = max(0, math.ceil(math.log(eps) / math.log(q)) - 1)
    support = np.arange(t_cut + 1)
    w = (1.0 - q) * q**support
    return DelayDistribution("geometric", m, support, w / w.sum(), float(q ** (t_cut + 1)))


def make(family: str, parameter: object, tail_mass: float | None = None) -> DelayDistribution:
    """``constant``/``uniform``/``geometric`` by name."""
    if family == "constant":
        return constant(parameter)
    if family == "uniform":
        return uniform(parameter)
    if family == "geometric":
        return geometric(parameter, tail_mass)
    raise ParameterError("delay", family, "one of " + ", ".join(FAMILIES))


# --- the mean system ----------------------------------------------------------------------------


def mean_ar_coefficients(mu: float, c: float, dist: DelayDistribution) -> np.ndarray:
    """phi of the mean system: E over tau of E1's coefficient vectors (the delayed coefficient
    a_tau = -c spread over the support with weights p_tau)."""
    a0, a1, a_tau = lag_values(mu, c)
    phi = np.zeros(max(int(dist.support.max()), 1) + 1)
    phi[0] += a0
    phi[1] += a1
    np.add.at(phi, dist.support, a_tau * dist.probs)
    return phi


def _geometric_state_matrix(mu: float, c: float, q: float) -> np.ndarray:
    """The mean system of an untruncated geometric law on (x_k, x_{k-1}, u_{k-1}).

    x_{k+1} = (1+mu) x_k - mu x_{k-1} - c u_k, u_k = (1-q) x_k + q u_{k-1} (E1's coefficients with
    the delayed term replaced by its conditional mean u_k).
    """
    a0, a1, a_tau = lag_values(mu, c)
    return np.array(
        [[a0 + a_tau * (1.0 - q), a1, a_tau * q], [1.0, 0.0, 0.0], [1.0 - q, 0.0, q]], dtype=float
    )


def _finite_moments(phi: np.ndarray, dist: DelayDistribution) -> tuple[float, float] | None:
    """(gamma_0, 1 - p^T G p) of the mean system (Schur-Cohn + Levinson), None if unstable."""
    sc = ar.schur_cohn(phi)
    if not sc.stable:
        return None
    t = int(dist.support.max())
    gam = ar.levinson_autocovariances(phi, t)
    gamma0 = float(gam[0])
    dense = np.zeros(t + 1)
    dense[dist.support] = dist.probs
    corr = np.correlate(dense, dense, mode="full")[t:]  # sum_a p_a p_{a+k}, k = 0..T
    ptgp = (corr[0] * gam[0] + 2.0 * corr[1:] @ gam[1 : t + 1]) / gamma0
    return gamma0, max(1.0 - float(ptgp), 0.0)


@dataclass(frozen=True)
class SecondMoments:
    """Stationary second moments of a mode under random delays (per unit noise variance)."""

    mean_stable: bool
    mean_variance: float  # V_mean: the distributed-delay (mean) system's variance
    jitter: float  # 1 - p^T G p = E[Var_tau(x_{k-tau})]/gamma_0
    gain: float  # c^2 V_mean (1 - p^T G p): mean-square stable iff < 1
    variance: float  # Var x per unit noise (inf when not mean-square stable)

    @property
    def mean_square_stable(self) -> bool:
        return self.mean_stable and self.gain < 1.0


def second_moments(mu: float, c: float, dist: DelayDistribution) -> SecondMoments:
    """The exact reduction of the module docstring."""
    mu = check_mu(mu)
    c = check_positive("c", c)
    if dist.ratio is not None:
        q = dist.ratio
        a = _geometric_state_matrix(mu, c, q)
        if np.max(np.abs(np.linalg.eigvals(a))) >= 1.0:
            return SecondMoments(False, math.inf, math.nan, math.inf, math.inf)
        qm = np.zeros((3, 3))
        qm[0, 0] = 1.0
        p = scipy_linalg.solve_discrete_lyapunov(a, qm)
        gamma0 = p[0, 0]
        row = np.array([1.0 - q, 0.0, q])  # u_k from (x_k, x_{k-1}, u_{k-1})
        u2 = row @ p @ row
        jitter = 1.0 - u2 / gamma0
    else:
        moments = _finite_moments(mean_ar_coefficients(mu, c, dist), dist)
        if moments is None:
            return SecondMoments(False, math.inf, math.nan, math.inf, math.inf)
        gamma0, jitter = moments
    gain = c**2 * gamma0 * jitter
    var = gamma0 / (1.0 - gain) if gain < 1.0 else math.inf
    return SecondMoments(True, float(gamma0), float(jitter), float(gain), float(var))


def mean_square_stable(mu: float, c: float, dist: DelayDistribution) -> bool:
    return second_moments(mu, c, dist).mean_square_stable


def stationary_variance(mu: float, c: float, dist: DelayDistribution, noise_var: float = 1.0):
    """Var x with noise of variance ``noise_var`` per step; inf if not mean-square stable."""
    return noise_var * second_moments(mu, c, dist).variance


# --- the second-moment map itself (for verification) --------------------------------------------


def _rows(mu: float, c: float, dist: DelayDistribution) -> tuple[np.ndarray, int]:
    if dist.ratio is not None:
        raise ParameterError("delay", dist.describe(), "a finite support (give a tail_mass)")
    n = max(int(dist.support.max()), 1) + 1
    rows = np.zeros((dist.support.size, n))
    for k, tau in enumerate(dist.support):
        a = ar_coefficients(mu, c, int(tau))
        rows[k, : a.size] = a
    return rows, n


def second_moment_map(
    mu: float, c: float, dist: DelayDistribution
) -> tuple[Callable[[np.ndarray], np.ndarray], int]:
    """(L, n): P -> sum_tau p_tau A_tau P A_tau^T on n x n matrices, without Kronecker products.

    Every A_tau is a shift plus the first row r_tau, so L(P) is P shifted down-right, with first
    row/column rbar^T P[:, :-1] and corner E_tau[r_tau^T P r_tau]: O(n^2 + |support| n^2).
    """
    rows, n = _rows(check_mu(mu), check_positive("c", c), dist)
    w = dist.probs
    rbar = w @ rows

    def apply(p: np.ndarray) -> np.ndarray:
        out = np.empty_like(p)
        out[1:, 1:] = p[:-1, :-1]
        first = rbar @ p[:, :-1]
        out[0, 1:] = first
        out[1:, 0] = first
        out[0, 0] = w @ np.einsum("ki,ij,kj->k", rows, p, rows)
        return out

    return apply, n


def ms_spectral_radius(mu: float, c: float, dist: DelayDistribution) -> float:
    """rho(L) by ARPACK on the n^2-dimensional linear operator (matrix-free)."""
    apply, n = second_moment_map(mu, c, dist)

    def matvec(v: np.ndarray) -> np.ndarray:
        return apply(v.reshape(n, n)).ravel()

    import scipy.sparse.linalg as scipy_sparse_linalg  # 0.2 s to import: only here

    op = scipy_sparse_linalg.LinearOperator((n * n, n * n), matvec=matvec, dtype=float)
    vals = scipy_sparse_linalg.eigs(op, k=1, which="LM", return_eigenvectors=False, tol=1e-10)
    return float(np.abs(vals).max())


# --- boundaries -------------------------------------------------------------------------------


def ms_boundary(mu: float, c: float, family: str, tail_mass: float | None = None) -> int:
    """The largest integer delay parameter (T for uniform, the mean for geometric, tau for
    constant) with mean-square stability; -1 if none. Found by bracketing and bisection, which
    assumes stability is monotone in the parameter (checked by scans in the tests)."""
    mu = check_mu(mu)
    c = check_positive("c", c)
    if family == "constant":
        return tau_max(mu, c)

    def ok(t: int) -> bool:
        return mean_square_stable(mu, c, make(family, t, tail_mass))

    if not ok(0):
        return -1
    lo, hi = 0, max(1, 2 * tau_max(mu, c))
    while ok(hi):
        lo, hi = hi, 2 * hi
        if hi > SEARCH_CAP:
            raise ArithmeticError(f"no mean-square boundary found below {SEARCH_CAP}")
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if ok(mid) else (lo, mid)
    return lo


SEARCH_CAP = 10**6  # boundary searches give up (return None) above this parameter


def mean_system_boundary(mu: float, c: float, family: str) -> int | None:
    """The largest integer parameter at which the mean (distributed-delay) system is stable;
    None when it is stable at every parameter up to ``SEARCH_CAP`` (the geometric mean system,
    a heavy ball driven by an exponential moving average, often never loses stability)."""

    def ok(t: int) -> bool:
        return second_moments(mu, c, make(family, t)).mean_stable

    lo, hi = 0, max(1, tau_max(mu, c))
    if not ok(0):
        return -1
    while ok(hi):
        lo, hi = hi, 2 * hi
        if hi > SEARCH_CAP:
            return None
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if ok(mid) else (lo, mid)
    return lo


@dataclass(frozen=True)
class DelayComparison:
    """Random vs constant delay with the same mean, for one (mu, c)."""

    family: str
    boundary_parameter: int  # largest mean-square stable T (uniform) or mean (geometric)
    boundary_mean: float  # the mean delay there
    mean_system_parameter: int | None  # the mean (distributed-delay) system's boundary
    constant_tau_max: int

    @property
    def verdict(self) -> str:
        if self.boundary_mean > self.constant_tau_max + 0.5:
            return "more stable than a constant delay of the same mean"
        if self.boundary_mean < self.constant_tau_max - 0.5:
            return "less stable than a constant delay of the same mean"
        return "as stable as a constant delay of the same mean"


def compare_with_constant(mu: float, c: float, family: str) -> DelayComparison:
    b = ms_boundary(mu, c, family)
    mean = make(family, b).mean if b >= 0 else math.nan
    return DelayComparison(family, b, mean, mean_system_boundary(mu, c, family), tau_max(mu, c))
