"""C5, C6, C9, C10 (and C7's N2): effective iteration complexities N_k = T_k / (tau eta).

Each phase time T_k = P_k log(A_k) from :mod:`theory.phases`; the proposition's step size
eta ~ ... and delay tau ~ ... go into the prefactor P_k / (tau eta), which SymPy reduces to a
monomial in epsilon, (1 - mu), (lambda_1 - lambda_2), phi and lambda_1 + C_d. The log is kept with
eta and delta inside, as the paper prints it; :attr:`Complexity.log_after_choices` shows what it
becomes once delta = c_delta sqrt(eta) and eta = c_eta (...) are put in too.

The "~" of the paper hides constants: monomials are computed with those constants set to 1
(so comparisons are "up to a constant factor" by construction), while the log's argument keeps
c_eta and c_delta because its value (and sign) depends on them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, cached_property

import sympy as sp

from theory import phases
from theory.compare import Comparison, canonical, compare, scaling_exponents, split_log
from theory.formula import Formula
from theory.symbols import (
    C_d,
    c_delta,
    c_eta,
    delta,
    eps,
    eta,
    from_gap_form,
    gamma,
    gap,
    in_gap_form,
    lam1,
    lam2,
    mu,
    omu,
    phi,
    tau,
)

g12 = lam1 - lam2


@dataclass(frozen=True)
class Choice:
    """A proposition's step size and delay (the 'eta ~' and 'tau ~' of its statement)."""

    source: str
    eta: sp.Expr  # with the unknown constant c_eta
    tau: sp.Expr  # in terms of eta
    gamma_range: str


PROP10 = Choice(
    "Proposition 10",
    c_eta * eps * g12 / phi,
    (1 - mu) ** 2 / ((lam1 + C_d) * eta ** (sp.Rational(1, 2) - gamma)),
    "(0, 1/2]",
)
PROP8 = Choice(
    "Proposition 8",
    c_eta * eps * g12 / phi,
    (1 - mu) ** 2 / (lam1 * eta ** (1 - gamma)),
    "(0, 1]",
)
PROP6 = Choice(
    "Proposition 6",
    c_eta * (1 - mu) * eps * g12 / phi,
    (1 - mu) ** 2 / ((lam1 + C_d) * eta ** (sp.Rational(1, 2) - gamma)),
    "(0, 1/2]",
)


def step_size(choice: Choice) -> Formula:
    """A proposition's step size eta = c_eta (...) as a formula (arguments c_eta, mu, epsilon,
    lambda_1, lambda_2, phi; unused ones are accepted and ignored)."""
    return Formula(f"eta ({choice.source})", choice.eta, (c_eta, mu, eps, lam1, lam2, phi))


SYNC_MSGD = Choice("MSGD (Liu et al. 2018), synchronous: tau = 1", PROP6.eta, sp.Integer(1), "-")


@dataclass(frozen=True)
class Complexity:
    claim: str
    name: str
    phase: phases.PhaseTime
    choice: Choice
    printed: sp.Expr
    printed_source: str
    mu_value: sp.Expr | None = None  # e.g. 0 for Remark 7's Async-SGD

    @cached_property
    def _split(self) -> tuple[sp.Expr, sp.Expr]:
        parts = split_log(self.phase.derived.expr)
        if parts is None:
            raise AssertionError(f"{self.phase.name} is not of the form P log(A)")
        pre, arg = parts
        if self.mu_value is not None:
            pre, arg = pre.subs(mu, self.mu_value), arg.subs(mu, self.mu_value)
        return pre, arg

    @cached_property
    def monomial(self) -> sp.Expr:
        """P / (tau eta) with the proposition's eta and tau (constants set to 1)."""
        pre, _ = self._split
        tau_ = self.choice.tau
        eta_ = self.choice.eta.subs(c_eta, 1)
        if self.mu_value is not None:
            tau_, eta_ = tau_.subs(mu, self.mu_value), eta_.subs(mu, self.mu_value)
        n = (pre / (tau * eta)).subs(tau, tau_).subs(eta, eta_)
        return from_gap_form(sp.factor(canonical(in_gap_form(n))))

    @property
    def log_argument(self) -> sp.Expr:
        return self._split[1]

    @property
    def derived(self) -> sp.Expr:
        return self.monomial * sp.log(self.log_argument)

    @cached_property
    def comparison(self) -> Comparison:
        return compare(self.derived, self.printed)

    @cached_property
    def log_after_choices(self) -> sp.Expr:
        """The log's argument with delta = c_delta sqrt(eta) and eta = c_eta (...) substituted."""
        eta_ = self.choice.eta
        if self.mu_value is not None:
            eta_ = eta_.subs(mu, self.mu_value)
        arg = self.log_argument.subs(delta, c_delta * sp.sqrt(eta)).subs(eta, eta_)
        return from_gap_form(sp.factor(canonical(in_gap_form(arg))))

    @cached_property
    def exponents(self) -> dict[str, sp.Expr]:
        """Powers of epsilon, (1 - mu), the gap, phi ... in the monomial (in gap form, with
        lambda_1 + C_d kept whole: a factor of its own, not a function of the gap)."""
        m = in_gap_form(self.monomial).subs(gap + lam2, lam1)
        return scaling_exponents(sp.powsimp(sp.expand_power_base(m, force=True), force=True))


def _printed_n3() -> sp.Expr:
    return (
        (lam1 + C_d)
        * phi ** (sp.Rational(1, 2) + gamma)
        / (((1 - mu) * g12) ** (sp.Rational(3, 2) + gamma) * eps ** (sp.Rational(1, 2) + gamma))
        * sp.log((1 - mu) * g12 * delta**2 / ((1 - mu) * g12 * eps - 2 * eta * phi))
    )


@cache
def n1() -> Complexity:
    printed = (
        (lam1 + C_d)
        * phi ** (sp.Rational(1, 2) + gamma)
        / (2 * (1 - mu) * g12 ** (sp.Rational(3, 2) + gamma) * eps ** (sp.Rational(1, 2) + gamma))
        * phases.t1().printed.atoms(sp.log).pop()
    )
    return Complexity("C9", "N1", phases.t1(), PROP10, printed, "after Proposition 10")


@cache
def n2() -> Complexity:
    printed = (
        lam1
        * phi**gamma
        / (2 * (1 - mu) * g12 ** (1 + gamma) * eps**gamma)
        * sp.log((1 - delta**2) / delta**2)
    )
    return Complexity("C7", "N2", phases.t2(), PROP8, printed, "after Proposition 8")


@cache
def n3() -> Complexity:
    return Complexity("C5", "N3", phases.t3(), PROP6, _printed_n3(), "after Proposition 6")


@cache
def n3_async_sgd() -> Complexity:
    """Remark 7: N3 with mu = 0 (Async-SGD)."""
    printed = _printed_n3().subs(mu, 0)
    return Complexity("C6", "N3_hat (mu=0)", phases.t3(), PROP6, printed, "Remark 7", mu_value=0)


@cache
def n3_msgd() -> Complexity:
    """Remark 7's comparator: synchronous MSGD, N3_tilde = T3/eta (tau = 1)."""
    printed = phi / (eps * g12**2) * sp.log(g12 * delta**2 / (g12 * eps - 2 * eta * phi))
    return Complexity("C6", "N3_tilde (MSGD)", phases.t3(), SYNC_MSGD, printed, "Remark 7")


def poster_n_async() -> sp.Expr:
    """The poster's conclusion: N_async ~ (lambda_1+C_d) phi^(1/2+gamma) /
    ((1-mu)(lambda_1-lambda_2)^(3/2+gamma) eps^(1/2+gamma)), printed without a log."""
    return (
        (lam1 + C_d)
        * phi ** (sp.Rational(1, 2) + gamma)
        / ((1 - mu) * g12 ** (sp.Rational(3, 2) + gamma) * eps ** (sp.Rational(1, 2) + gamma))
    )


def remark7_ratio() -> dict[str, sp.Expr]:
    """N3_hat / N3_tilde (monomials; the logs agree to leading order) and its power of epsilon.

    Async-SGD is faster than MSGD as eps -> 0 exactly when that power is positive.
    """
    ratio = sp.simplify(in_gap_form(n3_async_sgd().monomial / n3_msgd().monomial))
    eps_power = sp.simplify(eps * sp.diff(sp.log(ratio), eps))
    at_half = sp.simplify(ratio.subs(gamma, sp.Rational(1, 2)))
    return {
        "ratio": from_gap_form(ratio),
        "eps_power": eps_power,
        "faster_when": sp.solve_univariate_inequality(eps_power > 0, gamma, relational=False)
        if eps_power.free_symbols == {gamma}
        else sp.S.EmptySet,
        "ratio_at_gamma_half": from_gap_form(at_half),
    }


def tradeoff() -> dict[str, sp.Expr]:
    """C10: the allowed delay falls with mu, and N = T/(tau eta) is linear in 1/tau."""
    tau_c4 = PROP6.tau
    dtau_dmu = sp.simplify(sp.diff(tau_c4, mu))
    return {
        "tau": tau_c4,
        "dtau_dmu": dtau_dmu,
        "dtau_dmu_negative": sp.simplify(in_gap_form(dtau_dmu)).is_negative,
        "speedup_in_tau": sp.simplify(tau * sp.diff(sp.log(1 / (tau * eta)), tau)),
        "omu": omu,
        "gap": gap,
    }


def all_complexities() -> tuple[Complexity, ...]:
    return (n1(), n2(), n3(), n3_async_sgd(), n3_msgd())
