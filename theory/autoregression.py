"""Stationary AR(p) processes x_{k+1} = sum_j phi_j x_{k+1-j} + e_{k+1} (numeric tools for E1).

Every mode of linearised eq. (5) is such a process (:mod:`theory.delayed_heavy_ball`), and so is
the mean system of a random delay (:mod:`theory.random_delays`). With A(z) = 1 - sum_j phi_j z^-j
the process is stable iff the p zeros of z^p A(z) lie strictly inside the unit circle. Tools:

* :func:`spectral_radius`: companion-matrix eigenvalues, with roots near the circle polished in
  mpmath (where float eigenvalues cannot decide);
* :func:`schur_cohn`: the Schur-Cohn (Levinson step-down) recursion, O(p^2): the reflection
  coefficients k_1..k_p, stability iff every |k_m| < 1, and the variance
  gamma_0 = Var(e) / prod_m (1 - k_m^2);
* :func:`levinson_autocovariances`: gamma_0..gamma_L from the k_m by the step-up recursion, O(p L);
* :func:`yule_walker_autocovariances`: the same by one dense solve of the Yule-Walker system (the
  structured form of the companion Lyapunov equation, whose solution is Toeplitz(gamma)), O(p^3);
* :func:`lyapunov_variance`: ``scipy.linalg.solve_discrete_lyapunov`` on the companion matrix;
* :func:`spectral_variance`: Var(e)/(2 pi) int |A(e^{iw})|^-2 dw by FFT.
The tests check that all of them agree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import mpmath
import numpy as np

from theory.lazy import lazy_module

scipy_linalg = lazy_module("scipy.linalg")


def companion(phi: np.ndarray) -> np.ndarray:
    """The companion matrix: state (x_k, ..., x_{k-p+1}), first row phi."""
    phi = np.asarray(phi, dtype=float)
    p = phi.size
    a = np.zeros((p, p))
    a[0, :] = phi
    a[np.arange(1, p), np.arange(p - 1)] = 1.0
    return a


def _polish(coeffs: list[mpmath.mpf], root: complex, dps: int) -> mpmath.mpc:
    """Newton's method on the polynomial ``coeffs`` (highest power first) from ``root``."""
    deriv = [a * (len(coeffs) - 1 - i) for i, a in enumerate(coeffs[:-1])]
    with mpmath.workdps(dps):
        x = mpmath.mpc(root)
        for _ in range(60):
            step = mpmath.polyval(coeffs, x) / mpmath.polyval(deriv, x)
            x -= step
            if abs(step) < mpmath.mpf(10) ** (-dps + 5):
                break
        return x


def spectral_radius(
    phi: np.ndarray,
    *,
    exact: list[mpmath.mpf] | None = None,
    near: float = 1e-6,
    dps: int = 40,
) -> mpmath.mpf:
    """max |zero of z^p A(z)|: companion eigenvalues; every root within ``near`` of the unit
    circle is polished by Newton's method in mpmath at ``dps`` digits, on the ``exact``
    coefficients (monic, highest power first) when given."""
    phi = np.asarray(phi, dtype=float)
    eig = np.linalg.eigvals(companion(phi))
    mods = np.abs(eig)
    crowd = np.abs(mods - 1.0) < near
    best = mpmath.mpf(float(mods[~crowd].max())) if (~crowd).any() else mpmath.mpf(0)
    if crowd.any():
        with mpmath.workdps(dps):
            coeffs = exact or [mpmath.mpf(1)] + [-mpmath.mpf(float(x)) for x in phi]
            best = max([best, *(abs(_polish(coeffs, complex(r), dps)) for r in eig[crowd])])
    return best


@dataclass(frozen=True)
class SchurCohn:
    """The outcome of the step-down recursion."""

    stable: bool
    reflection: np.ndarray  # k_1..k_p (up to the first |k| >= 1 when unstable)
    variance: float  # gamma_0 per unit noise variance (inf when unstable)


def schur_cohn(phi: np.ndarray) -> SchurCohn:
    """Levinson step-down: a^(m-1)_j = (a^(m)_j - k_m a^(m)_{m-j}) / (1 - k_m^2), k_m = a^(m)_m,
    starting from A(z) = 1 + sum_j a_j z^-j, a = -phi. Stable iff all |k_m| < 1."""
    a = -np.asarray(phi, dtype=float)
    p = a.size
    ks = np.zeros(p)
    log_gain = 0.0
    for m in range(p, 0, -1):
        k = float(a[m - 1])
        ks[m - 1] = k
        if not abs(k) < 1.0:
            return SchurCohn(False, ks[m - 1 :], math.inf)
        if m > 1:
            a = (a[: m - 1] - k * a[m - 2 :: -1]) / (1.0 - k * k)
        log_gain -= math.log1p(-k * k)
    return SchurCohn(True, ks, math.exp(log_gain))


def levinson_autocovariances(phi: np.ndarray, max_lag: int, noise_var: float = 1.0) -> np.ndarray:
    """gamma_0..gamma_{max_lag} of a stable AR(p) process, by Schur-Cohn then the step-up
    recursion gamma_m = -sum_{j<=m} a^(m)_j gamma_{m-j} (orthogonality of the order-m prediction
    error to x_{t-m}); beyond p the AR(p) recursion itself. Raises ArithmeticError if unstable."""
    sc = schur_cohn(phi)
    if not sc.stable:
        raise ArithmeticError("the AR process is not stable (a reflection coefficient |k| >= 1)")
    p = sc.reflection.size
    gam = np.empty(max_lag + 1)
    gam[0] = noise_var * sc.variance
    a = np.zeros(0)
    for m in range(1, max_lag + 1):
        if m <= p:
            k = sc.reflection[m - 1]
            a = np.concatenate((a + k * a[::-1], [k]))
        gam[m] = -a @ gam[m - 1 :: -1][: a.size] if m <= p else -a @ gam[m - 1 : m - 1 - p : -1]
    return gam


def yule_walker_autocovariances(phi: np.ndarray, noise_var: float = 1.0) -> np.ndarray:
    """gamma_0..gamma_p from gamma_m - sum_j phi_j gamma_{|m-j|} = noise_var [m = 0], m = 0..p
    (one dense solve). Meaningful only for a stable process."""
    phi = np.asarray(phi, dtype=float)
    p = phi.size
    m = np.eye(p + 1)
    rows = np.repeat(np.arange(p + 1), p)
    lags = np.tile(np.arange(1, p + 1), p + 1)
    np.subtract.at(m, (rows, np.abs(rows - lags)), np.tile(phi, p + 1))
    rhs = np.zeros(p + 1)
    rhs[0] = noise_var
    return np.linalg.solve(m, rhs)


def lyapunov_variance(phi: np.ndarray, noise_var: float = 1.0) -> float:
    """Var x from P = A P A^T + noise_var e_0 e_0^T (``solve_discrete_lyapunov``)."""
    a = companion(phi)
    q = np.zeros_like(a)
    q[0, 0] = noise_var
    return float(scipy_linalg.solve_discrete_lyapunov(a, q)[0, 0])


def spectral_variance(
    phi: np.ndarray, noise_var: float = 1.0, *, rtol: float = 1e-9, max_points: int = 1 << 24
) -> float:
    """noise_var/(2 pi) int |A(e^{iw})|^-2 dw on an N-point FFT grid.

    The N-point rule equals the integral up to aliasing of the impulse response (~ rho^N); N is
    doubled until two successive values agree to ``rtol``. Very near the boundary (rho within
    ~1e-6 of 1) this needs more than ``max_points``: use the Levinson or Yule-Walker solvers.
    """
    a = np.concatenate(([1.0], -np.asarray(phi, dtype=float)))
    n = 1 << max(10, int(np.ceil(np.log2(8 * a.size))))
    prev = math.inf
    while n <= max_points:
        val = noise_var * float(np.mean(1.0 / np.abs(np.fft.fft(a, n)) ** 2))
        if abs(val - prev) <= rtol * abs(val):
            return val
        prev, n = val, n * 2
    raise ArithmeticError("spectral variance did not converge (too close to the boundary?)")
