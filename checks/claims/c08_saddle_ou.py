r"""C8 (Theorem 9): the unstable OU limit at a saddle.

**Statement** (THEORY.md C8). Near a saddle e_j (h_k - e_j ~ sqrt(eta)), for i != j, with tau as
in C4, U_i converges weakly to dU = (lambda_i - lambda_j)/(1-mu) U dt + alpha_{i,j}/(1-mu) dB_t:
unstable (escaping) when lambda_i > lambda_j.

**Source.** Theorem 9 of the paper; poster Theorem 2.

**Assumptions.** A1, A2, C4's delay condition; conditioned on h_k - e_j ~ sqrt(eta).

**Derivation** (:mod:`theory.ou`). The drift is the Jacobian of eq. (7) at e_j (positive when
lambda_i > lambda_j); Var U_i(t) from U_i(0) = 0 is b^2 (e^{2at} - 1)/(2a).

**Checks.** *saddle variance*: from the saddle e_2 of Sigma = diag(4, 3, 2, 1) (Figure 1's
start), Gaussian data, mu = 0.6, 4000 runs, E h_1(t)^2/eta at t = T1/2 and T1 (Proposition 10's
T1 at nu = 1/2, :mod:`checks.escape`) over Theorem 9's variance, at eta = 2, 1, 0.5, 0.25 x 1e-3,
extrapolated linearly to eta -> 0 (the O(eta) bias of the discretisation, the momentum's warm-up
and the sphere's curvature is removed); the limit must be within z SE of 1 (z: the suite's
Bonferroni z). Negative control: the OU variance without the factors 1/(1-mu).

*joint draws* (issue 13, :func:`checks.joint_draws.check_spread`): Theorem 9's variance at the
saddle at three joint (mu, eta, tau) draws over the stable range: the corners (mu = 0 at the
largest step, mu = 0.85 at the smallest, tau = 0.9 tau_E1) and a middle draw (tau = 0.5 tau_E1).
Inside the measured validity region (C8's ci map's tau_valid_stat,
:data:`checks.validity.PINNED_FITS`) the delay's effect on the saddle variance must be within the
claim check's z SE tolerance; at the drawn tau the stationary error E||v - v1||^2 over its tau = 0
value must follow E1's growth (z SE). Negative controls: "the delay does not change the stationary
error", and a near miss of E1's growth at twice its minimum detectable deviation. The property
tests (checks/test_properties.py) explore other draws.
"""

from __future__ import annotations

import time

import numpy as np
import sympy as sp

from checks.claims.base import Check, Claim, Statement
from checks.delay_range import max_fraction
from checks.derivation import Derivation, Item, compared
from checks.escape import alpha12, measure_escape
from checks.profile import Profile, Z
from checks.results import CheckResult, Evidence
from checks.stats import extrapolate_to_zero
from checks.verdict import Verdict
from theory import ou
from theory import symbols as S

STATEMENT = Statement(
    id="C8",
    source="Theorem 9",
    title="Unstable OU limit at a saddle",
    latex=r"Near $e_j$ ($h_k-e_j\asymp\sqrt\eta$), $U_i$ ($i\ne j$) converges to "
    r"$dU=\frac{\lambda_i-\lambda_j}{1-\mu}U\,dt+\frac{\alpha_{i,j}}{1-\mu}dB_t$, unstable "
    r"when $\lambda_i>\lambda_j$.",
    text="near a saddle e_j, U_i -> OU with drift (lambda_i - lambda_j)/(1-mu), diffusion "
    "alpha_{i,j}/(1-mu)",
    kind="exact limit",
    assumptions=("A1", "A2", "tau as in C4", "h_k - e_j ~ sqrt(eta)"),
)


def derive() -> Derivation:
    proc = ou.theorem9()
    unstable = sp.simplify(proc.a.subs({S.lam_i: S.lam_j + S.gap, S.mu: 1 - S.omu})).is_positive
    return Derivation(
        "C8",
        "OU limit at a saddle e_j: unstable in the directions with lambda_i > lambda_j",
        STATEMENT.source,
        (
            compared(
                "drift",
                "drift a (Jacobian of eq. (7) at e_j)",
                proc.a,
                (S.lam_i - S.lam_j) / (1 - S.mu),
            ),
            Item(
                "unstable",
                "a > 0 when lambda_i > lambda_j (unstable)",
                proc.a,
                proved=bool(unstable),
                form="direction",
            ),
            Item("variance", "Var U_i(t) from U_i(0) = 0", ou.saddle_variance_formula().expr),
            Item("escape probability", "P(|U_i(t)| >= c)", ou.saddle_escape_probability().expr),
        ),
    )


EXPECTED_DERIVATION = {"drift": "identical", "unstable": "proved"}

SPECTRUM = (4.0, 3.0, 2.0, 1.0)
ETAS = (2e-3, 1e-3, 5e-4, 2.5e-4)


def check_saddle_variance(
    profile: Profile, mu: float = 0.6, nu: float = 0.5, tau: int = 0
) -> CheckResult:
    """Var U_1(t) at a saddle grows as b^2 (e^{2at} - 1)/(2a) (Theorem 9), at t = T1/2 and T1."""
    t0 = time.perf_counter()
    data = measure_escape(
        mu, nu, profile, spectrum=SPECTRUM, etas=ETAS, runs=profile.runs(4000), tau=tau
    )
    a12 = alpha12(SPECTRUM)
    var = ou.saddle_variance_formula().numpy  # (t, mu, lambda_i, lambda_j, alpha_ij)
    evidence, controls = [], []
    basis = (
        f"E h_1^2/eta over the OU variance at eta = {list(data.eta)} over {data.runs} runs "
        f"each, extrapolated linearly to eta -> 0 (weighted least squares); z = {Z:.2f} x SE"
    )
    for j, frac in enumerate((0.5, 1.0)):
        times = frac * data.t1
        theory_each = np.array([var(tt, mu, SPECTRUM[0], SPECTRUM[1], a12) for tt in times])
        est = extrapolate_to_zero(
            data.eta, data.var_u[:, j] / theory_each, data.var_u_se[:, j] / theory_each
        )
        evidence.append(
            Evidence(
                f"Var U_1(t)/theory at t = {frac:g} T1 (t ~ {float(np.mean(times)):.3f}), "
                f"mu = {mu}",
                1.0,
                est.mean,
                Z * est.se,
                basis,
                se=est.se,
                ci=est.ci(Z),
                origin="claim",
                form="exact",
                statement="unstable OU variance",
                note=f"Theorem 9's variance at t = {frac:g} T1",
            )
        )
        wrong_each = np.array([var(tt, 0.0, SPECTRUM[0], SPECTRUM[1], a12) for tt in times])
        wrong = extrapolate_to_zero(
            data.eta, data.var_u[:, j] / wrong_each, data.var_u_se[:, j] / wrong_each
        )
        controls.append(
            Evidence(
                f"OU variance without 1/(1-mu) at t = {frac:g} T1",
                1.0,
                wrong.mean,
                Z * wrong.se,
                basis,
                se=wrong.se,
                ci=wrong.ci(Z),
            )
        )
    return CheckResult(
        "C8",
        "saddle variance",
        "E h_1(t)^2/eta from the saddle e_2 follows Theorem 9's unstable OU variance "
        f"(ratios extrapolated to eta -> 0: {', '.join(f'{e.measured:.3f}' for e in evidence)})",
        tuple(evidence),
        tuple(controls),
        seconds=time.perf_counter() - t0,
        details={
            "mu": mu,
            "tau": tau,
            "eta": data.eta.tolist(),
            "max_delay_fraction": max_fraction(tau, ETAS, SPECTRUM, mu),
        },
    )


def check_joint(profile: Profile) -> CheckResult:
    """C8 at joint (mu, eta, tau) draws up to 0.9 tau_E1 (issue 13; module docstring)."""
    from checks.joint_draws import check_spread

    return check_spread(profile, "C8")


CHECKS = (
    Check("saddle variance", check_saddle_variance, "simulation"),
    Check("joint draws", check_joint, "simulation"),
)
EXPECTED_VERDICT = Verdict.VERIFIED
CLAIM = Claim(
    STATEMENT, CHECKS, EXPECTED_VERDICT, derive=derive, expected_derivation=EXPECTED_DERIVATION
)
