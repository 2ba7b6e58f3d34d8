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

*breakdown* (issue 13, :mod:`checks.speedup`): the same Phase III at a fixed eta = 5e-4 (as in
Figure 1; eps is Proposition 6's at that eta, so the stationary level is the same fraction of
the ball at every mu), Rademacher data (A2, so the paper's condition has a finite C_d), workers
of similar speed (``ps:W:lognormal:0.02``: delays concentrated at W - 1), W doubling from 1
until past 2 x W_E1 = 2 (tau_E1 + 1) and then bisected: U (updates until 3/4 of the runs are
in the ball and stay there to the horizon) and the wall time U/W, each with a bootstrap SE and
interval; the largest W at which U is not significantly beyond 5 % above U(1) (where linear
speed-up ends), for 3 momenta (ci; 4 in full). Items: linear speed-up up to there (the wall
time's exponent in W, -1: claim); larger momentum ends it at a smaller W (the fitted exponent
of (1-mu) is positive: claim, direction); that exponent beside the paper's condition's 2 and
E1's boundary's, the end beside W_E1, and the paper's condition at constant 1 inside the
speed-up range (interpretation: the condition is sufficient, with an unknown constant).
Negative controls: a speed-up that lasts 30 % further (near miss), the opposite direction, and
the exponent moved by twice its minimum detectable deviation (near miss).
"""

from __future__ import annotations

import math
import time

import numpy as np
import sympy as sp

from checks.claims.base import Check, Claim, Reading, Statement
from checks.convergence_time import C_ETA, measure
from checks.convergence_time import SPECTRUM as PHASE3_SPECTRUM
from checks.delay_range import delay_fraction
from checks.derivation import Derivation, Item, compared, exponent_of
from checks.power import near_miss, with_power
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


BREAKDOWN_ETA = 5e-4
BREAKDOWN_MUS = {"ci": (0.5, 0.7, 0.8), "full": (0.3, 0.5, 0.7, 0.8)}
BREAKDOWN_DATA = "rademacher"


def check_breakdown(profile: Profile) -> CheckResult:
    """Where the linear speed-up ends, against E1's boundary and the paper's condition, and
    the tradeoff: the W at which it ends as a function of mu (:mod:`checks.speedup`)."""
    from checks import speedup

    t0 = time.perf_counter()
    runs = profile.runs(150)
    mus = BREAKDOWN_MUS[profile.name]
    curves = [
        speedup.breakdown(
            m,
            BREAKDOWN_ETA,
            runs=runs,
            seed=profile.seed,
            distribution=BREAKDOWN_DATA,
            engine=profile.engine,
        )
        for m in mus
    ]
    evidence: list[Evidence] = []
    controls: list[Evidence] = []
    # linear speed-up below the breakdown: wall time ~ W^-1 over W <= w_linear / 2
    for c in curves:
        pts = [p for p in c.points if p.workers <= max(2, c.w_linear // 2)]
        if len(pts) < 3:
            continue
        fit = loglog_slope([p.workers for p in pts], [p.wall for p in pts],
                           [max(p.wall_se, 1e-9) for p in pts])  # fmt: skip
        basis = (
            f"weighted log-log fit of U/W over W = {[p.workers for p in pts]} (up to half the "
            f"end of the speed-up), {runs} runs each, bootstrap SE; z = {Z:.2f} x SE"
        )
        item = with_power(
            Evidence(
                f"exponent of W in the wall time up to W = {pts[-1].workers}, mu = {c.mu:g}",
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
                note=f"the linear speed-up up to W = {pts[-1].workers} workers, mu = {c.mu:g}",
            ),
            "exponent",
        )
        evidence.append(item)
        controls.append(
            Evidence(
                f"wrong theory: no speed-up (U ~ W) up to W = {pts[-1].workers}, mu = {c.mu:g}",
                0.0,
                fit.slope,
                Z * fit.se,
                basis,
                se=fit.se,
            )
        )
    for c in curves:
        lo, hi = c.w_linear_interval
        se_r = ((hi if math.isfinite(hi) else 2 * c.w_linear) - lo) / (2 * 1.96) / c.w_e1
        evidence.append(
            Evidence(
                f"where linear speed-up ends over W_E1 = tau_E1 + 1 = {c.w_e1}, mu = {c.mu:g}",
                1.0,
                c.w_linear / c.w_e1,
                Z * se_r,
                f"w_linear = {c.w_linear} (95 % interval [{lo:g}, {hi:g}] from the simulated W "
                f"significantly inside / beyond the band); z = {Z:.2f}",
                se=se_r,
                origin="interpretation",
                form="asymptotic",
                mismatch="constant",
                statement="speed-up ends at E1's boundary",
                note=f"the speed-up ends where the typical delay W - 1 reaches E1's boundary "
                f"(mu = {c.mu:g})",
            )
        )
        evidence.append(
            Evidence(
                f"the paper's condition (constant 1, gamma -> 0): W = {c.tau_condition + 1:.3g} "
                f"inside the linear speed-up range (W <= {c.w_linear}), mu = {c.mu:g}",
                c.tau_condition + 1.0,
                float(c.w_linear),
                0.0,
                "the condition tau ~ (1-mu)^2/((lambda_1 + C_d) eta^(1/2)) with C_d of "
                f"{BREAKDOWN_DATA} data against the measured end of the speed-up",
                relation="lower",
                origin="interpretation",
                form="bound",
                statement="delay condition",
                note=f"the paper's delay condition at constant 1 (mu = {c.mu:g})",
            )
        )
        if c.control is not None:
            controls.append(
                Evidence(
                    f"near miss: linear speed-up lasts 30 % further (W = "
                    f"{round(1.3 * c.w_linear)}), mu = {c.mu:g}",
                    1.0,
                    float(c.control),
                    0.0,
                    "(U(W)/U(1) - 1) / 5 % at 1.3 x the measured end (<= 1: still linear)",
                    relation="upper",
                    near_miss=True,
                )
            )
    fit = speedup.tradeoff_exponent(curves)
    fit_e1 = speedup.tradeoff_exponent(curves, "w_e1")
    basis = (
        f"weighted log-log fit of w_linear against 1 - mu over mu = {list(mus)} (weights from "
        f"the 95 % intervals); z = {Z:.2f} x SE"
    )
    direction = Evidence(
        "exponent of (1-mu) in the W where linear speed-up ends > 0",
        0.0,
        fit.slope,
        Z * fit.se,
        basis + "; passes when the slope's lower bound is > 0",
        se=fit.se,
        ci=fit.ci(Z),
        relation="lower-strict",
        origin="claim",
        form="direction",
        statement="larger momentum forces a smaller delay",
        note="larger momentum ends the linear speed-up at fewer workers",
    )
    evidence.append(direction)
    controls.append(
        Evidence(
            "wrong direction: larger momentum allows more workers",
            0.0,
            fit.slope,
            Z * fit.se,
            basis,
            se=fit.se,
            relation="upper-strict",
        )
    )
    for label, theory, note in (
        ("the paper's condition (1-mu)^2", 2.0, "the condition's (1-mu)^2 read as where "
         "speed-up ends"),
        (f"E1's boundary ({fit_e1.slope:.3g})", fit_e1.slope, "the speed-up ends at a fixed "
         "multiple of E1's boundary"),
    ):  # fmt: skip
        item = with_power(
            Evidence(
                f"exponent of (1-mu) in the end of the linear speed-up vs {label}",
                theory,
                fit.slope,
                Z * fit.se,
                basis,
                se=fit.se,
                ci=fit.ci(Z),
                origin="interpretation",
                form="asymptotic",
                mismatch="exponent",
                statement="the tradeoff's exponent",
                note=note,
            ),
            "exponent",
        )
        evidence.append(item)
        controls.append(near_miss(item, f"near miss: {label} moved by 2 x the MDD"))
    summary = (
        "linear speed-up until W = "
        + ", ".join(f"{c.w_linear} (mu = {c.mu:g}, W_E1 = {c.w_e1})" for c in curves)
        + f"; then U jumps (the runs leave the eps-ball): the end scales like (1-mu)^"
        f"{fit.slope:.2f} (E1's boundary: {fit_e1.slope:.2f}, the paper's condition: 2)"
    )
    return CheckResult(
        "C10",
        "breakdown",
        summary,
        tuple(evidence),
        tuple(controls),
        seconds=time.perf_counter() - t0,
        details={
            "curves": [c.as_dict() for c in curves],
            "tradeoff": {
                "exponent": fit.slope,
                "se": fit.se,
                "ci95": [fit.slope - 1.96 * fit.se, fit.slope + 1.96 * fit.se],
                "e1_exponent": fit_e1.slope,
                "paper_exponent": 2.0,
            },
            "eta": BREAKDOWN_ETA,
            "distribution": BREAKDOWN_DATA,
            "runs": runs,
            "max_delay_fraction": max(c.max_delay_fraction for c in curves),
        },
    )


CHECKS = (
    Check("speed-up", check_speedup, "simulation"),
    Check("breakdown", check_breakdown, "simulation"),
)
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
