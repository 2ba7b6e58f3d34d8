"""The delay conditions of C1, C3, C4 (= C8, C9), C10 and C11 as formulas and functions.

The paper states them with "<~" (C1, C3: an upper bound up to a constant) or "asymptotically
equal" (C4, C10, C11: a scaling with an unknown constant). ``constant`` is that unknown constant
(1 by default), so a value returned here is a scale, not a sharp threshold; theory/stability.py
(E1) gives sharp finite-eta thresholds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import sympy as sp

from theory.formula import Formula
from theory.symbols import C_d, eta, gamma, lam1, mu
from theory.validation import (
    ParameterError,
    check_eta,
    check_gamma,
    check_mu,
    check_positive,
)

HALF = sp.Rational(1, 2)


@dataclass(frozen=True)
class DelayCondition:
    claim: str
    source: str
    relation: str  # "<~" (upper bound) or "~" (asymptotically equal)
    formula: Formula  # tau as a function of (mu, eta, gamma[, lambda_1][, C_d])
    gamma_max: sp.Rational
    on_mean: bool = False  # C11: a condition on E tau_k rather than on every tau_k

    def __call__(
        self,
        *,
        mu: float,
        eta: float,
        gamma: float,
        lambda1: float | None = None,
        C_d: float | None = None,
        constant: float = 1.0,
    ) -> float:
        """The delay scale constant * formula, with every argument validated."""
        values = {
            "mu": check_mu(mu),
            "eta": check_eta(eta),
            "gamma": check_gamma(gamma, float(self.gamma_max)),
        }
        check_positive("constant", constant)
        names = {a.name for a in self.formula.args}
        if "lambda_1" in names:
            if lambda1 is None:
                raise ParameterError("lambda1", lambda1, f"{self.claim}'s condition needs lambda_1")
            values["lambda_1"] = check_positive("lambda1", lambda1)
        if "C_d" in names:
            if C_d is None:
                raise ParameterError("C_d", C_d, f"{self.claim}'s condition needs C_d (A2)")
            if C_d == math.inf:
                return 0.0  # unbounded data (A2 fails): the condition admits no delay
            values["C_d"] = check_positive("C_d", C_d)
        return constant * float(self.formula(*self.formula.kwargs(**values)))


def _condition(claim: str, source: str, relation: str, expr: sp.Expr, gmax, on_mean=False):
    args = tuple(a for a in (mu, eta, gamma, lam1, C_d) if a in expr.free_symbols)
    return DelayCondition(
        claim, source, relation, Formula(f"tau ({claim})", expr, args), sp.S(gmax), on_mean
    )


_ODE = (1 - mu) ** 2 / (lam1 * eta ** (1 - gamma))
_SDE = (1 - mu) ** 2 / ((lam1 + C_d) * eta ** (HALF - gamma))

CONDITIONS: dict[str, DelayCondition] = {
    "C1": _condition("C1", "Lemma 1", "<~", (1 - mu) ** 2 / eta ** (1 - gamma), 1),
    "C3": _condition("C3", "Theorem 3 (poster Theorem 1)", "<~", _ODE, 1),
    "C4": _condition("C4", "Lemma 4, Theorem 5 (poster Theorem 2)", "~", _SDE, HALF),
    "C10": _condition("C10", "Remark 11, poster conclusion", "~", _SDE, HALF),
    "C11": _condition("C11", "poster Remark 3 (on E tau_k)", "~", _SDE, HALF, on_mean=True),
}


def get(claim: str) -> DelayCondition:
    try:
        return CONDITIONS[claim]
    except KeyError:
        raise ParameterError("claim", claim, "one of " + ", ".join(CONDITIONS)) from None


def sde_over_ode() -> dict[str, sp.Expr]:
    """Lemma 4's remark: with the same gamma in (0, 1/2], the SDE delay (C4) over the ODE delay
    (C3) is lambda_1 sqrt(eta)/(lambda_1 + C_d) < 1, and tends to 0 as eta -> 0."""
    ratio = sp.simplify(_SDE / _ODE)
    increasing = sp.simplify(sp.diff(ratio, eta)).is_positive
    return {
        "ratio": ratio,
        "limit_eta_0": sp.limit(ratio, eta, 0, "+"),
        # increasing in eta and below 1 at eta = 1, hence below 1 for every eta <= 1
        "below_one_for_eta_le_1": bool(
            increasing and sp.simplify(ratio.subs(eta, 1) - 1).is_negative
        ),
    }
