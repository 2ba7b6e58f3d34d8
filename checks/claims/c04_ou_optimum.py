r"""C4 (Lemma 4 + Theorem 5 = poster Theorem 2 with j = 1): the OU limit at the optimum.

**Statement** (THEORY.md C4). If tau_k ~ (1-mu)^2/((lambda_1 + C_d) eta^(1/2-gamma)), gamma in
(0, 1/2], U_i = h_i/sqrt(eta), i != 1, converges weakly to the stationary solution of
dU = (lambda_i - lambda_1)/(1-mu) U dt + alpha_{i,1}/(1-mu) dB_t: stationary variance
alpha_{i,1}^2/(2(1-mu)(lambda_1 - lambda_i)), relaxation rate (lambda_1 - lambda_i)/(1-mu).
Lemma 4: the delay allowed here is smaller than C3's.

**Source.** Lemma 4 and Theorem 5 of the paper; poster Theorem 2.

**Assumptions.** A1, A2 (C_d), the delay condition; alpha_{i,j} = sqrt(E[Y_i^2 Y_j^2])
(THEORY.md's reconstruction: the square root).

**Derivation** (:mod:`theory.ou`). The drift is the Jacobian of eq. (7) at e_1; the diffusion is
forced by eq. (5)'s noise (this confirms the square root of alpha); Ito's formula and
``dsolve`` give the moments; Lemma 4's ratio of delays is lambda_1 sqrt(eta)/(lambda_1 + C_d) -> 0.

**Checks.** *OU moments*: from e_1 of Sigma = diag(4, 3, 2, 1), Gaussian data, 400 runs, per
mode the time-averaged h_i^2/eta and the relaxation rate (:mod:`checks.stationary`), at
eta = 2, 1, 0.5 x 1e-3, extrapolated linearly to eta -> 0 (the O(eta) bias is removed, not
absorbed); the limit must be within z SE of Theorem 5's value (z: the suite's Bonferroni z).
Negative control: the OU values without the factor 1/(1-mu).

*joint draws* (issue 13, :func:`checks.joint_draws.check_spread`): Theorem 5's stationary variance
(Rademacher data, A2, at the corners; uniform-sphere data and spectrum (4, 3.5, 2, 1) in the
middle) at three joint (mu, eta, tau) draws over the stable range: the corners (mu = 0 at the
largest step, mu = 0.85 at the smallest, tau = 0.9 tau_E1) and a middle draw (tau = 0.5 tau_E1).
Inside the measured validity region (C4's ci map's tau_valid_stat,
:data:`checks.validity.PINNED_FITS`) the delay's effect on the OU variance must be within the claim
check's z SE tolerance; at the drawn tau the stationary error E||v - v1||^2 over its tau = 0 value
must follow E1's growth (z SE). Negative controls: "the delay does not change the stationary
error", and a near miss of E1's growth at twice its minimum detectable deviation. The property
tests (checks/test_properties.py) explore other draws.
"""

from __future__ import annotations

import time

import sympy as sp

from checks.claims.base import Check, Claim, Statement
from checks.derivation import Derivation, Item, compared
from checks.profile import Profile, require_control_momentum
from checks.results import CheckResult, Evidence
from checks.stationary import extrapolated, measure_stationary, ou_values
from checks.verdict import Verdict
from theory import delays, ou
from theory import symbols as S

STATEMENT = Statement(
    id="C4",
    source="Lemma 4 + Theorem 5 (poster Theorem 2, $j=1$)",
    title="OU limit at the optimum",
    latex=r"If $\tau_k \asymp (1-\mu)^2/((\lambda_1+C_d)\eta^{1/2-\gamma})$, $\gamma\in(0,1/2]$, "
    r"$U_i = h_i/\sqrt\eta$ ($i\ne1$) converges to the stationary solution of "
    r"$dU = \frac{\lambda_i-\lambda_1}{1-\mu}U\,dt + \frac{\alpha_{i,1}}{1-\mu}dB_t$: "
    r"$\mathbb{E}h_i^2 \to \eta\alpha_{i,1}^2/(2(1-\mu)(\lambda_1-\lambda_i))$, relaxation "
    r"rate $(\lambda_1-\lambda_i)/(1-\mu)$.",
    text="h_i/sqrt(eta) -> OU with stationary variance alpha_{i,1}^2/(2(1-mu)(lambda_1-lambda_i)) "
    "and rate (lambda_1-lambda_i)/(1-mu)",
    kind="exact limit",
    assumptions=("A1", "A2", "tau ~ (1-mu)^2/((lambda_1 + C_d) eta^(1/2-gamma))"),
    reconstructed=r"$\alpha_{i,j} = \sqrt{\mathbb{E}[Y_i^2Y_j^2]}$ (the square root)",
)

# --- derivation --------------------------------------------------------------------------------


def derive() -> Derivation:
    proc = ou.theorem5()
    diff = ou.diffusion_from_noise()
    ratio = delays.sde_over_ode()
    return Derivation(
        "C4",
        "OU limit at the optimum: stationary variance and relaxation rate",
        STATEMENT.source,
        (
            compared(
                "drift",
                "drift a (Jacobian of eq. (7) at e_1)",
                proc.a,
                (S.lam_i - S.lam1) / (1 - S.mu),
            ),
            Item(
                "alpha",
                "alpha_{i,j} forced by the noise of eq. (5): sqrt(E[Y_i^2 Y_j^2])",
                diff["alpha_ij"][0],
                sp.sqrt(diff["m4"]),
                proved=diff["alpha_ij"] == [sp.sqrt(diff["m4"])],
                note="confirms THEORY.md's reconstruction (the square root)",
            ),
            compared(
                "stationary variance",
                "stationary variance of U_i",
                proc.stationary_variance,
                S.alpha_i1**2 / (2 * (1 - S.mu) * (S.lam1 - S.lam_i)),
            ),
            Item(
                "transient variance",
                "transient variance Var U_i(t) from a fixed U_i(0)",
                proc.variance,
            ),
            compared(
                "relaxation rate",
                "relaxation rate",
                proc.relaxation_rate,
                (S.lam1 - S.lam_i) / (1 - S.mu),
            ),
            Item(
                "Lemma 4 ratio",
                "Lemma 4: C4's delay over C3's (same gamma)",
                ratio["ratio"],
                proved=ratio["limit_eta_0"] == 0 and ratio["below_one_for_eta_le_1"],
                note="-> 0 as eta -> 0: the SDE needs a smaller delay than the ODE",
            ),
            Item(
                "delay condition",
                "delay condition tau ~",
                delays.CONDITIONS["C4"].formula.expr,
                note="gamma in (0, 1/2]",
            ),
        ),
    )


EXPECTED_DERIVATION = {
    "drift": "identical",
    "alpha": "proved",
    "stationary variance": "identical",
    "relaxation rate": "identical",
    "Lemma 4 ratio": "proved",
}

# --- checks ------------------------------------------------------------------------------------

SPECTRUM = (4.0, 3.0, 2.0, 1.0)
ETAS = (2e-3, 1e-3, 5e-4)


def check_ou_moments(
    profile: Profile,
    mu: float = 0.5,
    spectrum: tuple[float, ...] = SPECTRUM,
    distribution: str = "gaussian",
    runs: int | None = None,
    tau: int = 0,
) -> CheckResult:
    require_control_momentum(mu)
    t0 = time.perf_counter()
    data = measure_stationary(
        mu,
        profile,
        spectrum=spectrum,
        etas=ETAS,
        runs=runs or profile.runs(400),
        tau=tau,
        distribution=distribution,
    )
    var_ou, rate_ou = ou_values(mu, spectrum, distribution)
    var_wrong, rate_wrong = ou_values(0.0, spectrum, distribution)  # drops every 1/(1-mu)
    evidence, controls = [], []
    for k in range(len(spectrum) - 1):
        i = k + 2
        ev = extrapolated(
            f"Var U_{i} / C4 value, mu = {mu}",
            data,
            data.var[:, k] / var_ou[k],
            data.var_se[:, k] / var_ou[k],
            1.0,
            origin="claim",
            form="exact",
            statement="stationary variance",
            note=f"Theorem 5's stationary variance of U_{i}",
        )
        evidence.append(ev)
        controls.append(
            Evidence(
                f"Var U_{i} against the value without 1/(1-mu)",
                float(var_wrong[k] / var_ou[k]),
                ev.measured,
                ev.tolerance,
                ev.basis,
                se=ev.se,
            )
        )
        evr = extrapolated(
            f"relaxation rate of U_{i} / C4 value",
            data,
            data.rate[:, k] / rate_ou[k],
            data.rate_se[:, k] / rate_ou[k],
            1.0,
            origin="claim",
            form="exact",
            statement="relaxation rate",
            note=f"Theorem 5's relaxation rate of U_{i}",
        )
        evidence.append(evr)
        controls.append(
            Evidence(
                f"relaxation rate of U_{i} against (lambda_1-lambda_{i}) without 1/(1-mu)",
                float(rate_wrong[k] / rate_ou[k]),
                evr.measured,
                evr.tolerance,
                evr.basis,
                se=evr.se,
            )
        )
    return CheckResult(
        "C4",
        "OU moments",
        "per-mode stationary variances and relaxation rates, extrapolated to eta -> 0, match "
        f"Theorem 5's OU values (ratios {', '.join(f'{e.measured:.3f}' for e in evidence)})",
        tuple(evidence),
        tuple(controls),
        seconds=time.perf_counter() - t0,
        details={
            "eta": data.eta.tolist(),
            "var": data.var.tolist(),
            "rate": data.rate.tolist(),
            "var_ou": var_ou.tolist(),
            "rate_ou": rate_ou.tolist(),
            "mu": mu,
            "tau": tau,
            "runs": data.runs,
        },
    )


def check_joint(profile: Profile) -> CheckResult:
    """C4 at joint (mu, eta, tau) draws up to 0.9 tau_E1 (issue 13; module docstring)."""
    from checks.joint_draws import check_spread

    return check_spread(profile, "C4")


CHECKS = (
    Check("OU moments", check_ou_moments, "simulation"),
    Check("joint draws", check_joint, "simulation"),
)
EXPECTED_VERDICT = Verdict.VERIFIED

CLAIM = Claim(
    STATEMENT, CHECKS, EXPECTED_VERDICT, derive=derive, expected_derivation=EXPECTED_DERIVATION
)
