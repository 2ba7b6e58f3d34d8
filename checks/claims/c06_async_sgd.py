r"""C6 (Remark 7): Async-SGD (mu = 0) against synchronous MSGD in Phase III.

**Statement** (THEORY.md C6). With mu = 0 (Async-SGD): N3_hat ~ (lambda_1+C_d) phi^(1/2+gamma) /
((lambda_1-lambda_2)^(3/2+gamma) eps^(1/2+gamma)) log(.), faster than synchronous MSGD's
N3_tilde ~ phi/(eps (lambda_1-lambda_2)^2) log(.): delay is not equivalent to momentum (against a
conjecture of Mitliagkas et al. 2016).

**Source.** Remark 7 of the paper (N3_tilde quoted from Liu et al. 2018).

**Assumptions.** Those of Proposition 6 (C5) with mu = 0, gamma in (0, 1/2].

**Readings.** gamma is the exponent of the delay condition, free in (0, 1/2]. "Faster" is
decided as eps -> 0 (the ratio N3_hat/N3_tilde is a power of eps) in two readings:
``for every gamma`` in (0, 1/2], and ``for some gamma`` (the delay, hence gamma, is the user's
choice).

**Derivation** (:mod:`theory.complexity`). N3_hat/N3_tilde ~ eps^(1/2-gamma): Async-SGD is faster
only for gamma < 1/2. At gamma = 1/2 the ratio is lambda_1 + C_d, a constant: not faster; and
gamma = 1/2 is the endpoint where the admissible delay tau ~ (1-mu)^2/((lambda_1 + C_d) eta^0)
is O(1), i.e. no asynchrony at all. N3_tilde derived from Proposition 6 at tau = 1 differs from
the quoted form inside the log (a mu-dependent factor; the quoted form is another paper's, so
that comparison is an interpretation).

**Checks.** The symbolic check only (a statement about the order in eps of two complexities);
its control is the generic near-miss printed form of :mod:`checks.derivation`.
"""

from __future__ import annotations

import sympy as sp

from checks.claims.base import Claim, Reading, Statement
from checks.derivation import Derivation, Item, complexity_items
from checks.verdict import Verdict
from theory import complexity
from theory import symbols as S

STATEMENT = Statement(
    id="C6",
    source="Remark 7",
    title="Async-SGD versus MSGD in Phase III",
    latex=r"With $\mu=0$, $\hat N_3\asymp(\lambda_1+C_d)\phi^{1/2+\gamma}/((\lambda_1-\lambda_2)"
    r"^{3/2+\gamma}\epsilon^{1/2+\gamma})\log(\cdot)$, faster than MSGD's "
    r"$\tilde N_3\asymp\phi/(\epsilon(\lambda_1-\lambda_2)^2)\log(\cdot)$: delay is not "
    r"equivalent to momentum.",
    text="Async-SGD's N3_hat ~ eps^-(1/2+gamma) is faster than MSGD's N3_tilde ~ eps^-1",
    kind="asymptotic scaling",
    assumptions=("Proposition 6 at mu = 0", "gamma in (0, 1/2]"),
)
EVERY = "for every gamma"
SOME = "for some gamma"
READINGS = (
    Reading(EVERY, "faster as eps -> 0 at every gamma in (0, 1/2]"),
    Reading(SOME, "faster as eps -> 0 at some gamma in (0, 1/2] (the delay is a choice)"),
)
ADMISSIBLE = sp.Interval.Lopen(0, sp.Rational(1, 2))


def interval_text(interval: sp.Set) -> str:
    if isinstance(interval, sp.Interval):
        left = "(" if interval.left_open else "["
        right = ")" if interval.right_open else "]"
        return f"{left}{sp.sstr(interval.start)}, {sp.sstr(interval.end)}{right}"
    return sp.sstr(interval)


def derive() -> Derivation:
    r = complexity.remark7_ratio()
    hat, tilde = complexity.n3_async_sgd(), complexity.n3_msgd()
    faster = r["faster_when"].intersect(ADMISSIBLE)
    half_delay = complexity.PROP6.tau.subs(S.gamma, sp.Rational(1, 2))
    items = (
        *complexity_items(hat, "N3_hat", form="asymptotic"),
        Item(
            "N3_tilde",
            tilde.name,
            tilde.derived,
            tilde.printed,
            tilde.comparison,
            origin="interpretation",
            note="quoted from Liu et al. 2018; derived here from Proposition 6 at tau = 1",
        ),
        Item(
            "ratio",
            "N3_hat / N3_tilde (monomials)",
            r["ratio"],
            note=f"power of eps: {sp.sstr(r['eps_power'])}",
        ),
        Item(
            "faster for every gamma",
            "N3_hat/N3_tilde -> 0 as eps -> 0 for every gamma in (0, 1/2]",
            proved=bool(faster == ADMISSIBLE),
            form="direction",
            reading=EVERY,
            note=f"faster only for gamma in {interval_text(faster)}",
        ),
        Item(
            "faster for some gamma",
            "N3_hat/N3_tilde -> 0 as eps -> 0 for some gamma in (0, 1/2]",
            proved=bool(faster != sp.S.EmptySet),
            form="direction",
            reading=SOME,
            note=f"faster for gamma in {interval_text(faster)}",
        ),
    )
    return Derivation(
        "C6",
        "Remark 7: Async-SGD (mu = 0) versus MSGD in Phase III",
        STATEMENT.source,
        items,
        (
            f"N3_hat/N3_tilde ~ eps^({sp.sstr(r['eps_power'])}): Async-SGD is faster as eps -> 0 "
            f"only for gamma in {interval_text(faster)}; at gamma = 1/2 the ratio is "
            f"{sp.sstr(r['ratio_at_gamma_half'])}, a constant, so it is not faster.",
            f"gamma = 1/2 is also where the admissible delay is tau ~ {sp.sstr(half_delay)} = "
            "O(1) in eta: no asynchrony is left to compare.",
            "The comparison counts tau asynchronous updates as one iteration, so the speed-up "
            "is built into N = T/(tau eta).",
        ),
    )


EXPECTED_DERIVATION = {
    "N3_hat": "log-argument",
    "N3_tilde": "different",
    "faster for every gamma": "failed",
    "faster for some gamma": "proved",
}
EXPECTED_VERDICT = Verdict.DEPENDS_ON_READING

CLAIM = Claim(
    STATEMENT,
    (),
    EXPECTED_VERDICT,
    derive=derive,
    expected_derivation=EXPECTED_DERIVATION,
    readings=READINGS,
    expected_readings={EVERY: Verdict.REFUTED, SOME: Verdict.VERIFIED_UP_TO_CONSTANT},
)
