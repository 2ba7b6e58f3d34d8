r"""C9 (Proposition 10): Phase I, the escape time T1 from a saddle and the complexity N1.

**Statement** (THEORY.md C9). With nu in (0, 1), eta ~ eps (lambda_1-lambda_2)/phi,
delta ~ sqrt(eta), tau as in C4: T1 = (1-mu)/(2(lambda_1-lambda_2)) log(2(1-mu) eta^-1 delta^2
(lambda_1-lambda_2)/(Phi^-1((1+nu)/2)^2 alpha_12^2) + 1) gives H_2(T1)^2 <= 1 - delta^2 with
probability >= 1 - nu; N1 = T1/(eta tau) ~ (lambda_1+C_d) phi^(1/2+gamma)/(2(1-mu)
(lambda_1-lambda_2)^(3/2+gamma) eps^(1/2+gamma)) log(.).

**Source.** Proposition 10 of the paper and the complexity after it.

**Assumptions.** A1, A2, C4's delay condition, a start at the saddle e_2.

**Derivation** (:mod:`theory.phases`). T1 solves P(|U_1(T1)| >= delta/sqrt(eta)) = 1 - nu for
Theorem 9's unstable OU process started at 0: it equals the printed T1. With delta =
c_delta sqrt(eta) the log no longer depends on eta or eps.

**Checks.** *escape*: from e_2 of Sigma = diag(4, 3, 2, 1), Gaussian data, delta^2 = 20 eta,
mu = 0.6, nu = 1/2, 4000 runs (:mod:`checks.escape`), at eta = 2, 1, 0.5, 0.25 x 1e-3: the
fraction with |h_1(T1)| >= delta (Theorem 9's law: 1 - nu) and the fraction that reached
Proposition 10's event by T1 (>= 1 - nu), each extrapolated linearly to eta -> 0 (binomial
SEs over independent runs, weighted least squares, z the suite's Bonferroni z). Negative
control: the OU law without 1/(1-mu) at the same T1.

*joint draws* (issue 13, :func:`checks.joint_draws.check_spread`): Proposition 10's escape law at
T1 (Rademacher data, A2, at the corners; uniform-ball data in the middle) at three joint (mu, eta,
tau) draws over the stable range: the corners (mu = 0 at the largest step, mu = 0.85 at the
smallest, tau = 0.9 tau_E1) and a middle draw (tau = 0.5 tau_E1). Inside the measured validity
region (C9's ci map's tau_valid_stat, :data:`checks.validity.PINNED_FITS`) the delay's effect on
the escape law must be within the claim check's z SE tolerance; at the drawn tau the stationary
error E||v - v1||^2 over its tau = 0 value must follow E1's growth (z SE). Negative controls: "the
delay does not change the stationary error", and a near miss of E1's growth at twice its minimum
detectable deviation. The property tests (checks/test_properties.py) explore other draws.
"""

from __future__ import annotations

import math
import time

import numpy as np

from checks.claims.base import Check, Claim, Statement
from checks.delay_range import max_fraction
from checks.derivation import Derivation, Item, complexity_items
from checks.escape import C_DELTA2, alpha12, binomial_se, measure_escape
from checks.profile import Profile, Z, require_control_momentum
from checks.results import CheckResult, Evidence
from checks.stats import extrapolate_to_zero
from checks.verdict import Verdict
from theory import complexity, ou, phases

STATEMENT = Statement(
    id="C9",
    source="Proposition 10",
    title="Phase I: escaping a saddle",
    latex=r"$T_1=\frac{1-\mu}{2(\lambda_1-\lambda_2)}\log\left(\frac{2(1-\mu)\eta^{-1}\delta^2"
    r"(\lambda_1-\lambda_2)}{\Phi^{-1}((1+\nu)/2)^2\alpha_{12}^2}+1\right)$ gives "
    r"$H_2(T_1)^2\le1-\delta^2$ w.p.\ $\ge1-\nu$; $N_1\asymp(\lambda_1+C_d)\phi^{1/2+\gamma}/"
    r"(2(1-\mu)(\lambda_1-\lambda_2)^{3/2+\gamma}\epsilon^{1/2+\gamma})\log(\cdot)$.",
    text="at T1 (printed) H_2^2 <= 1 - delta^2 w.p. >= 1 - nu; N1 ~ ... log(.)",
    kind="asymptotic scaling",
    assumptions=("A1", "A2", "tau as in C4", "start at a saddle", "delta ~ sqrt(eta)"),
)


def derive() -> Derivation:
    t1 = phases.t1()
    return Derivation(
        "C9",
        "Phase I: escape time T1 from a saddle, complexity N1",
        STATEMENT.source,
        (
            Item(
                "normal quantile",
                "Phi^{-1}((1+nu)/2) = sqrt(2) erfcinv(1-nu)",
                phases.normal_quantile_identity(),
                proved=phases.normal_quantile_identity() == 0,
                origin="toolkit",
            ),
            Item("T1", t1.name, t1.derived.expr, t1.printed, t1.comparison, note=t1.printed_source),
            *complexity_items(complexity.n1(), "N1", form="asymptotic"),
        ),
        (
            "With delta = c_delta sqrt(eta) the log in T1 and N1 no longer depends on eta or eps: "
            "Phase I's cost comes entirely from 1/(tau eta).",
        ),
    )


EXPECTED_DERIVATION = {"normal quantile": "proved", "T1": "identical", "N1": "identical"}

SPECTRUM = (4.0, 3.0, 2.0, 1.0)
ETAS = (2e-3, 1e-3, 5e-4, 2.5e-4)


def ou_escape_probability(t: float, mu: float) -> float:
    """P(|U_1(t)| >= delta/sqrt(eta)) under Theorem 9 at momentum mu (delta^2/eta fixed)."""
    c = math.sqrt(C_DELTA2)
    f = ou.saddle_escape_probability()
    return float(f.numpy(t, c, mu, SPECTRUM[0], SPECTRUM[1], alpha12(SPECTRUM)))


def check_escape(profile: Profile, mu: float = 0.6, nu: float = 0.5, tau: int = 0) -> CheckResult:
    require_control_momentum(mu)
    t0 = time.perf_counter()
    data = measure_escape(
        mu, nu, profile, spectrum=SPECTRUM, etas=ETAS, runs=profile.runs(4000), tau=tau
    )
    n = data.runs
    basis = (
        f"fraction of runs at eta = {list(data.eta)} over {n} runs each (binomial SE), "
        f"extrapolated linearly to eta -> 0 (weighted least squares); z = {Z:.2f} x SE"
    )
    law = extrapolate_to_zero(data.eta, data.p_h1, binomial_se(data.p_h1, n))
    ev_law = Evidence(
        f"P(|h_1(T1)| >= delta), mu = {mu}, nu = {nu}",
        1 - nu,
        law.mean,
        Z * law.se,
        basis,
        se=law.se,
        ci=law.ci(Z),
        origin="claim",
        form="exact",
        statement="T1",
        note="Theorem 9's escape law at the (printed = derived) T1",
    )
    paper = extrapolate_to_zero(data.eta, data.p_paper, binomial_se(data.p_paper, n))
    ev_paper = Evidence(
        f"P(H_2^2 <= 1 - delta^2 by T1) >= 1 - nu (Proposition 10's event), mu = {mu}",
        1 - nu,
        paper.mean,
        Z * paper.se,
        basis + "; passes when >= 1 - nu - z SE",
        se=paper.se,
        ci=paper.ci(Z),
        relation="lower",
        origin="claim",
        form="bound",
        statement="T1",
        note="Proposition 10's probability at T1",
    )
    wrong = ou_escape_probability(float(np.mean(data.t1)), 0.0)
    control = Evidence(
        f"OU law without 1/(1-mu) at T1: predicts {wrong:.3f}",
        wrong,
        ev_law.measured,
        ev_law.tolerance,
        ev_law.basis,
        se=ev_law.se,
        ci=ev_law.ci,
    )
    return CheckResult(
        "C9",
        "escape",
        f"at the derived (= printed) T1 the fraction of runs with |h_1| >= delta extrapolates to "
        f"{ev_law.measured:.3f} (theory 1 - nu = {1 - nu}); Proposition 10's event has "
        f"probability {ev_paper.measured:.3f} >= 1 - nu",
        (ev_law, ev_paper),
        (control,),
        seconds=time.perf_counter() - t0,
        details={
            "eta": data.eta.tolist(),
            "p_h1": data.p_h1.tolist(),
            "p_paper": data.p_paper.tolist(),
            "T1": data.t1.tolist(),
            "mu": mu,
            "tau": tau,
            "max_delay_fraction": max_fraction(tau, ETAS, SPECTRUM, mu),
        },
    )


def check_joint(profile: Profile) -> CheckResult:
    """C9 at joint (mu, eta, tau) draws up to 0.9 tau_E1 (issue 13; module docstring)."""
    from checks.joint_draws import check_spread

    return check_spread(profile, "C9")


CHECKS = (
    Check("escape", check_escape, "simulation"),
    Check("joint draws", check_joint, "simulation"),
)
EXPECTED_VERDICT = Verdict.VERIFIED
CLAIM = Claim(
    STATEMENT, CHECKS, EXPECTED_VERDICT, derive=derive, expected_derivation=EXPECTED_DERIVATION
)
