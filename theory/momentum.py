"""C2 (Lemma 2, the momentum approximation), derived term by term.

m_{k+1} = sum_i mu^i g(v_{k-i-tau}) approximates M(v) = [Sigma v - v^T Sigma v v]/(1 - mu):
* the weights sum to 1/(1 - mu) (the drift M of eq. (7));
* truncating the sum after K terms with mu^K = eta leaves an O(eta) tail; over K steps the
  iterate moves K times the step bound of C1, which is eta log(1/eta) C/((1-mu) log(1/mu)):
  the printed O(eta log(1/eta)) at fixed mu, with a hidden factor that grows like (1-mu)^-2 as
  mu -> 1;
* a stale read v_{k-tau} differs from v_k by at most tau step bounds, and the weights sum it to
  tau eta C/(1-mu)^2: the printed O(tau eta/(1-mu)^2).
"""

from __future__ import annotations

import sympy as sp

from theory.compare import Comparison, compare
from theory.symbols import eta, mu, tau

C = sp.Symbol("C", positive=True)  # C_d^2/2, the per-step bound of one stochastic gradient
K = sp.Symbol("K", positive=True)
i = sp.Symbol("i", integer=True, nonnegative=True)


def _geometric() -> sp.Expr:
    s = sp.summation(mu**i, (i, 0, sp.oo))
    return sp.simplify(s.args[0][0] if isinstance(s, sp.Piecewise) else s)


def drift_weight() -> sp.Expr:
    """sum_i mu^i = 1/(1 - mu): the factor of M(v)."""
    return _geometric()


def truncation_error() -> dict[str, sp.Expr]:
    step = C * eta / (1 - mu)
    k_trunc = sp.solve(sp.Eq(mu**K, eta), K)[0]
    drift = sp.simplify(k_trunc * step)
    printed = eta * sp.log(1 / eta)
    hidden = sp.simplify(drift / printed)
    near_one = sp.limit(hidden * (1 - mu) ** 2, mu, 1, "-")
    return {
        "K": k_trunc,
        "error": drift,
        "printed": printed,
        "hidden_factor": hidden,
        "hidden_factor_times_(1-mu)^2_at_mu_1": near_one,
    }


def delay_error() -> sp.Expr:
    return sp.simplify(drift_weight() * tau * C * eta / (1 - mu))


def delay_error_comparison() -> Comparison:
    return compare(delay_error().subs(C, 1), tau * eta / (1 - mu) ** 2)
