"""Where a delay sits in eq. (5)'s stable range: E1's exact boundary tau_max(mu, eta) of the
binding (radial) mode, and a delay's fraction of it (``max_delay_fraction`` in check results)."""

from __future__ import annotations

from functools import lru_cache

from theory import stability
from theory.problem import Problem


@lru_cache(maxsize=1024)
def e1_tau_max(
    spectrum: tuple[float, ...], distribution: str, eta: float, mu: float, family: str = "constant"
) -> int:
    """E1's boundary: the largest stable delay (parameter) of the binding mode at (mu, eta)."""
    problem = Problem.from_eigenvalues(spectrum)
    return int(stability.analyse(problem, distribution, eta, mu, family).tau_max)


def delay_fraction(
    tau: float,
    spectrum: tuple[float, ...],
    distribution: str,
    eta: float,
    mu: float,
    family: str = "constant",
) -> float:
    """``tau`` over E1's boundary at (mu, eta) (0 for no delay)."""
    if tau <= 0:
        return 0.0
    return float(tau) / max(e1_tau_max(tuple(spectrum), distribution, eta, mu, family), 1)


def max_fraction(
    tau: float,
    etas,
    spectrum: tuple[float, ...],
    mu: float,
    distribution: str = "gaussian",
    family: str = "constant",
) -> float:
    """The largest fraction of E1's boundary that one delay ``tau`` reaches over ``etas``."""
    return max(delay_fraction(tau, spectrum, distribution, e, mu, family) for e in etas)
