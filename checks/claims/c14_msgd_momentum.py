r"""C14 (the MSGD paper, cited as Liu et al. 2018): momentum helps escape saddles, not converge.

**Statement** (THEORY.md C14). Momentum helps escape saddle points (Phase I and II times scale
with (1-mu) at fixed eta) but does not help near the optimum (the stationary error grows like
1/(1-mu) at fixed eta).

**Source.** Liu, Chen, Zhou, Zhao (arXiv 1802.05155), as the paper cites it.

**Assumptions.** Synchronous MSGD (tau = 0), A1.

**Checks.**
* *escape*: the escape law of Theorem 9 at the momentum's own T1(mu) (C9's measurement, 3000
  runs, mu in {0, 0.5, 0.8}, extrapolated to eta -> 0): the fraction escaped must be 1 - nu at
  every mu, so T1 scales with (1-mu) (log-factor aside). Negative control: "momentum does not
  help" (T1 of mu = 0 used for every mu).
* *stationary*: the stationary error sum_i E h_i^2/eta over C4's law alpha^2/(2(1-mu)gap_i)
  (C4's measurement, 300 runs, extrapolated to eta -> 0) at mu in {0, 0.5, 0.8}. Negative
  control: "momentum does not change the stationary error".
* *joint draws* (issue 13, :func:`checks.joint_draws.check_spread`): the stationary error's
  1/(1-mu) law (spectrum (4, 3, 2, 1) at the corners, (3.3, 1.8, 1) in the middle) at three joint
  (mu, eta, tau) draws over the stable range: the corners (mu = 0 at the largest step, mu = 0.85 at
  the smallest, tau = 0.9 tau_E1) and a middle draw (tau = 0.5 tau_E1). Inside the measured
  validity region (C14's ci map's tau_valid_stat, :data:`checks.validity.PINNED_FITS`) the delay's
  effect on the stationary error must be within the claim check's z SE tolerance; at the drawn tau
  the stationary error E||v - v1||^2 over its tau = 0 value must follow E1's growth (z SE).
  Negative controls: "the delay does not change the stationary error", and a near miss of E1's
  growth at twice its minimum detectable deviation. The property tests (checks/test_properties.py)
  explore other draws.
"""

from __future__ import annotations

import time

import numpy as np

from checks.claims.base import Check, Claim, Statement
from checks.escape import binomial_se, measure_escape
from checks.profile import Profile, Z
from checks.results import CheckResult, Evidence
from checks.stationary import extrapolated, measure_stationary, ou_values
from checks.stats import extrapolate_to_zero
from checks.verdict import Verdict

STATEMENT = Statement(
    id="C14",
    source="Liu et al.\\ 2018 (MSGD paper)",
    title="Momentum helps escape saddles, not convergence",
    latex=r"At fixed $\eta$, Phase I and II times scale with $(1-\mu)$; the stationary error grows "
    r"like $1/(1-\mu)$.",
    text="at fixed eta, Phase I/II times scale with (1-mu); the stationary error grows like "
    "1/(1-mu)",
    kind="asymptotic scaling",
    assumptions=("synchronous MSGD (tau = 0)", "A1"),
)

SPECTRUM = (4.0, 3.0, 2.0, 1.0)
ESCAPE_ETAS = (2e-3, 1e-3, 5e-4, 2.5e-4)
STATIONARY_ETAS = (2e-3, 1e-3, 5e-4)
MUS = (0.0, 0.5, 0.8)


def _escape_item(label: str, data, nu: float, **meta: object) -> Evidence:
    est = extrapolate_to_zero(data.eta, data.p_h1, binomial_se(data.p_h1, data.runs))
    return Evidence(
        label,
        1 - nu,
        est.mean,
        Z * est.se,
        f"fraction of runs at eta = {list(data.eta)} over {data.runs} runs each, extrapolated "
        f"linearly to eta -> 0 (weighted least squares); z = {Z:.2f} x SE",
        se=est.se,
        ci=est.ci(Z),
        **meta,
    )


def check_escape(profile: Profile, mus: tuple[float, ...] = MUS, nu: float = 0.5) -> CheckResult:
    """Momentum speeds up the escape at fixed eta: T1 scales with (1-mu) (via C9's law)."""
    t0 = time.perf_counter()
    runs = profile.runs(3000)
    evidence, controls = [], []
    for mu in mus:
        data = measure_escape(mu, nu, profile, spectrum=SPECTRUM, etas=ESCAPE_ETAS, runs=runs)
        evidence.append(
            _escape_item(
                f"P(|h_1(T1(mu))| >= delta), mu = {mu}",
                data,
                nu,
                origin="claim",
                form="asymptotic",
                mismatch="exponent",
                statement="escape time ~ (1-mu)",
                note=f"the escape at T1(mu) = (1-mu) x T1's log, mu = {mu}",
            )
        )
        if mu > 0:
            wrong = measure_escape(
                mu, nu, profile, spectrum=SPECTRUM, etas=ESCAPE_ETAS, runs=runs, time_of=1.0
            )
            controls.append(
                _escape_item(
                    f"'momentum does not help': P(|h_1(T1(0))| >= delta), mu = {mu}", wrong, nu
                )
            )
    return CheckResult(
        "C14",
        "escape",
        "the escape law holds at T1(mu), which shrinks like (1-mu) log(.): momentum speeds up "
        "Phase I at fixed eta; using T1(0) for mu > 0 is rejected",
        tuple(evidence),
        tuple(controls),
        seconds=time.perf_counter() - t0,
        details={"max_delay_fraction": 0.0},
    )


def check_stationary(profile: Profile, mus: tuple[float, ...] = MUS) -> CheckResult:
    """Momentum does not help near the optimum: the stationary error grows like 1/(1-mu)."""
    t0 = time.perf_counter()
    evidence, controls = [], []
    var0, _ = ou_values(0.0, SPECTRUM)
    for mu in mus:
        data = measure_stationary(
            mu, profile, spectrum=SPECTRUM, etas=STATIONARY_ETAS, runs=profile.runs(300)
        )
        var_ou, _ = ou_values(mu, SPECTRUM)
        total = data.var.sum(axis=1)
        total_se = np.sqrt((data.var_se**2).sum(axis=1))  # modes of one run are independent
        ev = extrapolated(
            f"sum_i E h_i^2 / eta over C4's (1/(1-mu) law), mu = {mu}",
            data,
            total / var_ou.sum(),
            total_se / var_ou.sum(),
            1.0,
            origin="claim",
            form="asymptotic",
            mismatch="exponent",
            statement="stationary error ~ 1/(1-mu)",
            note=f"the stationary error's 1/(1-mu), mu = {mu}",
        )
        evidence.append(ev)
        if mu > 0:
            controls.append(
                Evidence(
                    f"'momentum does not change the stationary error', mu = {mu}",
                    float(var0.sum() / var_ou.sum()),
                    ev.measured,
                    ev.tolerance,
                    ev.basis,
                    se=ev.se,
                )
            )
    return CheckResult(
        "C14",
        "stationary",
        "the stationary error at the optimum follows alpha^2/(2(1-mu)(lambda_1-lambda_i)) across "
        f"mu = {list(mus)}: momentum does not help near the optimum",
        tuple(evidence),
        tuple(controls),
        seconds=time.perf_counter() - t0,
        details={"max_delay_fraction": 0.0},
    )


def check_joint(profile: Profile) -> CheckResult:
    """C14 at joint (mu, eta, tau) draws up to 0.9 tau_E1 (issue 13; module docstring)."""
    from checks.joint_draws import check_spread

    return check_spread(profile, "C14")


CHECKS = (
    Check("escape", check_escape, "simulation"),
    Check("stationary", check_stationary, "simulation"),
    Check("joint draws", check_joint, "simulation"),
)
EXPECTED_VERDICT = Verdict.VERIFIED
CLAIM = Claim(STATEMENT, CHECKS, EXPECTED_VERDICT)
