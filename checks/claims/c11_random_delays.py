r"""C11 (poster Remark 3): unbounded random delays.

**Statement** (THEORY.md C11). Unbounded random delays are allowed under moment conditions, e.g.
E tau_k ~ (1-mu)^2/((lambda_1+C_d) eta^(1/2-gamma)).

**Source.** The poster's Remark 3 (no proof is given).

**Assumptions.** A1, A2; i.i.d. delays with the moment condition above (gamma in (0, 1/2]).

**Derivation.** None printed; E1's second-moment recursion for i.i.d. delays
(:mod:`theory.random_delays`) says which delay laws are mean-square stable.

**Checks.** *random delays*: i.i.d. delays (geometric: unbounded; Pareto with tail index 1.5:
unbounded with infinite variance) with mean 40 at mu = 0.9, eta = 5e-4, Sigma = diag(4, 3, 2, 1)
(Figure 1's setting), where E1's constant-delay boundary is 32. "Allowed" is judged by the
stationary error (mean over the second half of 30000 steps, 200 runs, delta-method SE of the
ratio, z the suite's Bonferroni z) staying below twice the no-delay error (E1's onset
convention: the delay at which the predicted error doubles); the constant delay 40 must exceed
it. Its value, and the check's power: the geometric delays' error ratio against E1's predicted
ratio (:func:`theory.second_order.predict` for the i.i.d. law of :mod:`theory.random_delays`,
second order), two-sided, z SE plus the size of the last term kept (the second-order correction
of the ratio, a bound on the expansion's remainder: measured at 12 seeds, the remainder is
-0.022 +- 0.005 against that bound, 0.047). Negative controls: "the mean delay decides" (the
random delays behave like the constant delay of the same mean) and a near miss, E1's ratio off by
1.5 times the value item's minimum detectable deviation.
"""

from __future__ import annotations

import math
import time

from checks.claims.base import Check, Claim, Statement
from checks.delay_range import delay_fraction
from checks.mean_field import stationary_error
from checks.power import near_miss, with_power
from checks.profile import Profile, Z
from checks.results import CheckResult, Evidence
from checks.verdict import Verdict
from simulate import parse_delay
from theory import random_delays, second_order, stability
from theory.problem import Problem

STATEMENT = Statement(
    id="C11",
    source="poster Remark 3",
    title="Random delays",
    latex=r"Unbounded random delays are allowed under moment conditions, e.g.\ "
    r"$\mathbb{E}\tau_k\asymp(1-\mu)^2/((\lambda_1+C_d)\eta^{1/2-\gamma})$.",
    text="unbounded random delays are allowed under moment conditions on E tau_k",
    kind="asymptotic scaling",
    assumptions=(
        "A1",
        "A2",
        "i.i.d. delays",
        "E tau_k ~ (1-mu)^2/((lambda_1+C_d) eta^(1/2-gamma))",
    ),
)

SPECTRUM = (4.0, 3.0, 2.0, 1.0)
ETA = 5e-4
STEPS = 30_000


def check_random_delays(profile: Profile, mu: float = 0.9, mean: int = 40) -> CheckResult:
    t0 = time.perf_counter()
    runs = profile.runs(200)
    analysis = stability.analyse(Problem.from_eigenvalues(SPECTRUM), "gaussian", ETA, mu)
    radial_c = next(m.c for m in analysis.modes if m.name == "radial")
    const_max = analysis.tau_max
    geo_stable = random_delays.mean_square_stable(mu, radial_c, random_delays.geometric(mean))
    e0, s0 = stationary_error(SPECTRUM, mu, ETA, 0, profile, runs=runs, steps=STEPS)
    const_name = f"constant {mean}"
    cases = {
        f"geometric, mean {mean} (unbounded)": parse_delay("geometric", mean),
        f"pareto:1.5, mean {mean} (infinite variance)": parse_delay("pareto:1.5", mean),
        const_name: mean,
    }
    ratios = {}
    for name, delay in cases.items():
        e, s = stationary_error(SPECTRUM, mu, ETA, delay, profile, runs=runs, steps=STEPS)
        r = e / e0
        ratios[name] = (r, r * math.hypot(s / e, s0 / e0))
    basis = (
        f"stationary error (mean over the second half of {STEPS} steps) over {runs} runs, ratio "
        f"to the no-delay error, delta-method SE; z = {Z:.2f}; 'allowed' = below 2x (E1's onset "
        "convention)"
    )
    evidence = [
        Evidence(
            f"E1: geometric delays with mean {mean} are mean-square stable "
            f"(constant-delay boundary {const_max})",
            math.nan,
            math.nan,
            0.0,
            "E1's second-moment recursion (theory.random_delays)",
            relation="identity",
            holds=bool(geo_stable and mean > const_max),
            origin="toolkit",
        ),
    ]
    for name, (r, se) in ratios.items():
        if name == const_name:
            evidence.append(
                Evidence(
                    f"{name}: error ratio above 2 (beyond E1's boundary)",
                    2.0,
                    r,
                    Z * se,
                    basis,
                    se=se,
                    relation="lower-strict",
                    origin="toolkit",
                )
            )
        else:
            evidence.append(
                Evidence(
                    f"{name}: error ratio below 2 (allowed)",
                    2.0,
                    r,
                    Z * se,
                    basis,
                    se=se,
                    relation="upper-strict",
                    origin="claim",
                    form="direction",
                    statement="unbounded random delays allowed",
                    note=f"{name} delays are allowed",
                )
            )
    # the value the one-sided items leave free (issue 14: a bound with slack has no near miss):
    # the geometric law's ratio beside E1's own prediction, which gives the check its MDD
    value = _predicted_ratio_item(mu, mean, *ratios[f"geometric, mean {mean} (unbounded)"])
    evidence.append(value)
    r_const, _ = ratios[const_name]
    controls = [
        Evidence(
            f"'the mean delay decides': {name} behaves like the constant delay",
            r_const,
            r,
            Z * se,
            basis,
            se=se,
        )
        for name, (r, se) in ratios.items()
        if name != const_name
    ]
    controls.append(
        near_miss(
            value,
            f"near miss: E1's geometric ratio off by {NEAR_MISS} x its minimum detectable "
            f"deviation ({value.mdd:.1%})",
            factor=NEAR_MISS,
        )
    )
    return CheckResult(
        "C11",
        "random delays",
        f"geometric and Pareto(1.5) delays with mean {mean} keep the error within 2x of the "
        f"no-delay error, while a constant delay {mean} (> E1's boundary {const_max}) does not: "
        "unbounded delays are allowed, and the mean alone does not decide stability",
        tuple(evidence),
        tuple(controls),
        seconds=time.perf_counter() - t0,
        details={k: v[0] for k, v in ratios.items()}
        | {
            "no_delay_error": e0,
            "predicted_ratio": value.theory,
            "max_delay_fraction": delay_fraction(mean, SPECTRUM, "gaussian", ETA, mu),
        },
    )


NEAR_MISS = 1.5  # the near miss's distance in MDDs (issue 14: 1.5-2x)


def predicted_ratio(mu: float, mean: int) -> tuple[float, float]:
    """E1's ratio of the stationary error under geometric delays with ``mean`` to the no-delay
    error (the simulator's metric, :func:`theory.second_order.predict`), to second and to first
    order, at C11's setting (Figure 1's spectrum, Gaussian data, eta = 5e-4)."""
    problem = Problem.from_eigenvalues(SPECTRUM)
    geo = second_order.predict(problem, "gaussian", ETA, mu, random_delays.geometric(mean))
    none = second_order.predict(problem, "gaussian", ETA, mu, random_delays.constant(0))
    return geo.second_order / none.second_order, geo.first_order / none.first_order


def _predicted_ratio_item(mu: float, mean: int, ratio: float, se: float) -> Evidence:
    """C11 (poster Remark 3): the measured ratio beside E1's second-order prediction,
    two-sided; tolerance z SE plus the second-order correction's size |R2 - R1| (the last term
    kept bounds the remainder of the expansion; a stated bias bound, not noise)."""
    r2, r1 = predicted_ratio(mu, mean)
    bias = abs(r2 - r1)
    return with_power(
        Evidence(
            f"geometric, mean {mean}: error ratio = E1's predicted ratio (second order)",
            r2,
            ratio,
            Z * se + bias,
            f"z = {Z:.2f} x delta-method SE {se:.3g} + the second-order correction's size "
            f"{bias:.3g} (E1's ratio to first order {r1:.4g}, to second {r2:.4g}; "
            "theory.second_order for the geometric law of theory.random_delays)",
            se=se,
            origin="toolkit",
        ),
        "relative",
    )


CHECKS = (Check("random delays", check_random_delays, "simulation"),)
EXPECTED_VERDICT = Verdict.VERIFIED
CLAIM = Claim(STATEMENT, CHECKS, EXPECTED_VERDICT)
