r"""D3 (Gratton & Toint 2026): convergence at rate O(1/sqrt(t)) up to log factors.

**Statement** (THEORY.md D3). The class of asynchronous adaptive first-order methods converges
to a first-order stationary point at rate O(1/sqrt(t)) up to logarithmic factors, in a fully
stochastic setting, with diminishing step sizes or suitable fixed steps with momentum.

**Source.** The abstract of Gratton and Toint (2026), arXiv 2606.01787 (only the abstract and a
summary are available).

**Assumptions.** F smooth, nonconvex; the class as the toolkit defines it
(:mod:`simulate.adaptive.methods`: the update rules are not available, so the instances are the
toolkit's; the rate is the paper's statement).

**Checks.** *rate slope*: the slope of log min_{k<=t} E||grad F(x_k)||^2 against log t over the
window [T/32, T] (:mod:`checks.adaptive`), for every method across delay models (i.i.d.,
heavy-tailed, parameter server with a straggler) and block schemes, and for fixed
horizon-tuned steps with momentum; tolerance z SE (bootstrap over runs, z the suite's
Bonferroni z) + the log-factor allowance 1/ln(T/32). Negative control: SGD with a fixed large
step, which plateaus.
"""

from __future__ import annotations

import time

from checks.adaptive import (
    CONTROL_D3,
    HORIZON_CASE,
    RateCase,
    cases,
    fit_rate,
    horizon_fit,
    rate_evidence,
    run_case,
)
from checks.claims.base import Check, Claim, Statement
from checks.profile import Profile
from checks.results import CheckResult
from checks.verdict import Verdict

STATEMENT = Statement(
    id="D3",
    source="Gratton and Toint 2026, abstract",
    title="Rate O(1/sqrt(t))",
    latex=r"Convergence to a first-order stationary point at rate $O(1/\sqrt t)$ up to log "
    r"factors, with diminishing steps or suitable fixed steps with momentum.",
    text="convergence to a first-order stationary point at rate O(1/sqrt(t)) up to log factors",
    kind="asymptotic scaling",
    assumptions=("F smooth, nonconvex", "fully stochastic", "the toolkit's instances of the class"),
)


def rate_check(
    claim: str,
    check: str,
    selected: list[RateCase],
    control: RateCase,
    profile: Profile,
    with_horizon: bool,
) -> CheckResult:
    """The rate slope of each selected case as a claim item; the control must be rejected."""
    t0 = time.perf_counter()
    sz, seed = profile.adaptive, profile.seed
    meta = {
        "origin": "claim",
        "form": "asymptotic",
        "mismatch": "exponent",
        "statement": "rate O(1/sqrt t)",
    }
    evidence, fits = [], {}
    for case in selected:
        fit = fit_rate(run_case(case, sz.steps, sz.runs, seed), n_boot=sz.n_boot, seed=seed)
        evidence.append(rate_evidence(case.label, fit, **meta, note=f"the rate of {case.label}"))
        fits[case.label] = fit.as_dict()
    if with_horizon:
        fit, g = horizon_fit(HORIZON_CASE, sz.horizons, sz.runs, sz.n_boot, seed)
        label = f"{HORIZON_CASE.label}: G(T) over horizons {list(sz.horizons)}"
        evidence.append(rate_evidence(label, fit, **meta, note="fixed steps with momentum"))
        fits[label] = {**fit.as_dict(), "G": g}
    cfit = fit_rate(run_case(control, sz.steps, sz.runs, seed), n_boot=sz.n_boot, seed=seed)
    controls = [rate_evidence(f"control (must fail): {control.label}", cfit)]
    fits[controls[0].label] = cfit.as_dict()
    slopes = ", ".join(f"{e.measured:+.3f}" for e in evidence)
    return CheckResult(
        claim,
        check,
        f"log-log slope of min_(k<=t) E||grad F(x_k)||^2 over the last 5 octaves, "
        f"{len(evidence)} configurations (profile {profile.name}): {slopes}; theory -1/2 up to "
        f"log factors; control {cfit.slope:+.3f}",
        tuple(evidence),
        tuple(controls),
        seconds=time.perf_counter() - t0,
        details={
            "profile": profile.name,
            "seed": seed,
            "steps": sz.steps,
            "runs": sz.runs,
            "fits": fits,
        },
    )


def check_rate_slope(profile: Profile) -> CheckResult:
    """Every method (stale norms for the normalised one), every delay model and block scheme,
    and horizon-tuned fixed steps with momentum; control: SGD with a fixed large step."""
    selected = [c for c in cases(profile) if c.method != "normalized" or c.norm_estimate == "stale"]
    return rate_check("D3", "rate slope", selected, CONTROL_D3, profile, with_horizon=True)


CHECKS = (Check("rate slope", check_rate_slope, "simulation"),)
EXPECTED_VERDICT = Verdict.VERIFIED
CLAIM = Claim(STATEMENT, CHECKS, EXPECTED_VERDICT)
