r"""C10 (Remark 11 and the poster's conclusion): the tradeoff between momentum and asynchrony.

**Statement** (THEORY.md C10). To converge, the delay must satisfy tau ~ (1-mu)^2/((lambda_1 +
C_d) eta^(1/2-gamma)); Async-MSGD then has a linear speed-up in tau over MSGD. Larger momentum
forces a smaller delay. The poster states N_async ~ (lambda_1+C_d) phi^(1/2+gamma) /
((1-mu)(lambda_1-lambda_2)^(3/2+gamma) eps^(1/2+gamma)). Asynchrony speeds up all three phases,
momentum does not speed up Phase III.

**Source.** Remark 11 of the paper; the poster's conclusion.

**Assumptions.** Those of Propositions 6, 8 and 10.

**Readings.** The poster does not say which complexity N_async is: ``N_async is the total``
(Phases I-III; Phase III dominates as mu -> 1) or ``N_async is Phase I's``.

**Derivation** (:mod:`theory.complexity`). d tau/d mu < 0 at C4's delay scale; d log N/d log tau
= -1 (N = T/(tau eta) by definition). The poster's N_async has (1-mu)^-1, which is Phase I's
power; the total is dominated by Phase III's (1-mu)^-(3/2+gamma) as mu -> 1, so N_async
understates the momentum dependence (the comparison with N1 alone is an interpretation: the
poster does not say which phase it means).

**Checks.** *speed-up*: Phase III (C5's setting, mu = 0.5, eps = 0.02, 1500 runs) with W
parameter-server workers (delays from the event schedule, mean about W - 1), W = 1, 2, 4, 8, 16:
the wall-clock time U/W (U: updates until 3/4 of the runs are in the eps-ball, bootstrap SE) must
fall like W^-1 (weighted log-log fit, z the suite's Bonferroni z). Negative control: no speed-up
(U ~ W).
"""

from __future__ import annotations

import time

import numpy as np
import sympy as sp

from checks.claims.base import Check, Claim, Reading, Statement
from checks.convergence_time import C_ETA, measure
from checks.convergence_time import SPECTRUM as PHASE3_SPECTRUM
from checks.delay_range import delay_fraction
from checks.derivation import Derivation, Item, compared, exponent_of
from checks.profile import Profile, Z
from checks.results import CheckResult, Evidence
from checks.stats import loglog_slope
from checks.verdict import Verdict
from simulate import parse_delay
from theory import complexity
from theory import symbols as S

STATEMENT = Statement(
    id="C10",
    source="Remark 11, poster conclusion",
    title="The tradeoff between momentum and asynchrony",
    latex=r"Convergence needs $\tau\asymp(1-\mu)^2/((\lambda_1+C_d)\eta^{1/2-\gamma})$: larger "
    r"momentum forces a smaller delay; linear speed-up in $\tau$; poster: $N_{\rm async}\asymp"
    r"(\lambda_1+C_d)\phi^{1/2+\gamma}/((1-\mu)(\lambda_1-\lambda_2)^{3/2+\gamma}"
    r"\epsilon^{1/2+\gamma})$.",
    text="tau ~ (1-mu)^2/((lambda_1+C_d) eta^(1/2-gamma)); linear speed-up in tau; N_async ~ "
    "(1-mu)^-1 ...",
    kind="asymptotic scaling",
    assumptions=("Propositions 6, 8, 10",),
)


TOTAL = "N_async is the total"
PHASE1 = "N_async is Phase I's"
READINGS = (
    Reading(TOTAL, "the complexity of all three phases, dominated by Phase III as mu -> 1"),
    Reading(PHASE1, "the complexity of Phase I (escaping the saddle)"),
)


def derive() -> Derivation:
    tr = complexity.tradeoff()
    n_async = complexity.poster_n_async()
    poster_power = exponent_of(n_async, "1-mu")
    n1, n3 = complexity.n1(), complexity.n3()
    powers = {c.name: c.exponents.get("1-mu", 0) for c in (n1, n3)}
    worst = min(powers, key=lambda k: float(powers[k].subs(S.gamma, sp.Rational(1, 4))))
    return Derivation(
        "C10",
        "The tradeoff: larger momentum forces a smaller delay; linear speed-up in tau",
        STATEMENT.source,
        (
            Item(
                "delay falls with momentum",
                "d tau/d mu at C4's delay scale",
                tr["dtau_dmu"],
                proved=bool(tr["dtau_dmu_negative"]),
                form="direction",
                note="negative for mu in [0, 1)",
            ),
            Item(
                "linear speed-up",
                "d log N / d log tau",
                tr["speedup_in_tau"],
                sp.Integer(-1),
                proved=tr["speedup_in_tau"] == -1,
            ),
            compared(
                "N_async vs N1",
                "poster N_async vs derived N1 (Phase I)",
                n1.derived,
                n_async,
                form="asymptotic",
                reading=PHASE1,
            ),
            compared(
                "N_async vs N3",
                "poster N_async vs derived N3 (Phase III, which dominates as mu -> 1)",
                n3.derived,
                n_async,
                form="asymptotic",
                reading=TOTAL,
            ),
        ),
        (
            f"The poster's N_async has (1-mu)^({sp.sstr(poster_power)}); the derived powers of "
            "(1-mu) are "
            + ", ".join(f"{k}: {sp.sstr(v)}" for k, v in powers.items())
            + f". As mu -> 1 the total is dominated by {worst}, so N_async "
            + (
                "matches it."
                if sp.simplify(powers[worst] - poster_power) == 0
                else "understates its dependence on momentum."
            ),
            "The linear speed-up is N = T/(tau eta) by definition (tau updates counted as one).",
        ),
    )


EXPECTED_DERIVATION = {
    "delay falls with momentum": "proved",
    "linear speed-up": "proved",
    "N_async vs N1": "up-to-log-factor",
    "N_async vs N3": "different-scaling",
}

WORKERS = (1, 2, 4, 8, 16)


def check_speedup(
    profile: Profile, mu: float = 0.5, eps: float = 0.02, workers: tuple[int, ...] = WORKERS
) -> CheckResult:
    """Linear speed-up: with W parameter-server workers the update count U does not grow, so the
    wall-clock time U/W falls like 1/W."""
    t0 = time.perf_counter()
    runs = profile.runs(1500)
    points = [
        measure(
            mu,
            eps,
            profile,
            spectrum=PHASE3_SPECTRUM,
            c_eta=C_ETA,
            runs=runs,
            delay=parse_delay(f"ps:{w}"),
        )
        for w in workers
    ]
    wall = np.array([p.U / w for p, w in zip(points, workers, strict=True)])
    wall_se = np.array([p.U_se / w for p, w in zip(points, workers, strict=True)])
    fit = loglog_slope(workers, wall, wall_se)
    basis = (
        f"weighted log-log fit of U/W over W = {list(workers)}, {runs} runs each, bootstrap SE; "
        f"z = {Z:.2f} x SE"
    )
    evidence = (
        Evidence(
            "exponent of W in wall-clock time U/W (linear speed-up: -1)",
            -1.0,
            fit.slope,
            Z * fit.se,
            basis,
            se=fit.se,
            ci=fit.ci(Z),
            origin="claim",
            form="asymptotic",
            mismatch="exponent",
            statement="linear speed-up",
            note="the linear speed-up in the number of workers",
        ),
    )
    controls = (
        Evidence(
            "wrong theory: no speed-up (delay costs updates, U ~ W)",
            0.0,
            fit.slope,
            Z * fit.se,
            basis,
            se=fit.se,
        ),
    )
    fractions = [
        delay_fraction(p.max_delay, PHASE3_SPECTRUM, "gaussian", p.eta, mu) for p in points
    ]
    return CheckResult(
        "C10",
        "speed-up",
        f"wall-clock time to the eps-ball ~ W^{fit.slope:.3f} for W = {list(workers)} workers "
        f"(mu = {mu}, eps = {eps}); U = {[int(p.U) for p in points]}",
        evidence,
        controls,
        seconds=time.perf_counter() - t0,
        details={
            "points": [p.__dict__ for p in points],
            "workers": list(workers),
            "max_delay_fraction": max(fractions),
        },
    )


CHECKS = (Check("speed-up", check_speedup, "simulation"),)
EXPECTED_VERDICT = Verdict.DEPENDS_ON_READING
CLAIM = Claim(
    STATEMENT,
    CHECKS,
    EXPECTED_VERDICT,
    derive=derive,
    expected_derivation=EXPECTED_DERIVATION,
    readings=READINGS,
    expected_readings={TOTAL: Verdict.DISCREPANCY, PHASE1: Verdict.VERIFIED_UP_TO_CONSTANT},
)
