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
horizon-tuned steps with momentum; a one-sided band: slope <= -1/2 + the log-factor allowance
(the fitted slope of log log t over the window) + z SE (bootstrap over runs, z the suite's
Bonferroni z). Controls: SGD with a fixed large step, which plateaus, and the near misses
t^(-1/3) and t^(-1/4) in every configuration.
"""

from __future__ import annotations

from checks.adaptive import CONTROL_D3, cases, rate_check
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


def check_rate_slope(profile: Profile) -> CheckResult:
    """Every method (stale norms for the normalised one), every delay model and block scheme,
    and horizon-tuned fixed steps with momentum; control: SGD with a fixed large step."""
    selected = [c for c in cases(profile) if c.method != "normalized" or c.norm_estimate == "stale"]
    return rate_check("D3", "rate slope", selected, CONTROL_D3, profile, with_horizon=True)


CHECKS = (Check("rate slope", check_rate_slope, "simulation"),)
EXPECTED_VERDICT = Verdict.VERIFIED
CLAIM = Claim(STATEMENT, CHECKS, EXPECTED_VERDICT)
