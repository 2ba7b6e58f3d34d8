r"""C3 (Theorem 3 = poster Theorem 1): the ODE limit of eq. (5) and its closed-form solution.

**Statement** (THEORY.md C3). If tau_k <~ (1-mu)^2/(lambda_1 eta^(1-gamma)) for some gamma in
(0, 1], V^eta(t) = v_{floor(t/eta)} converges weakly to dV/dt = [Sigma V - (V^T Sigma V) V]/(1-mu),
V(0) = v_0, solved by H_i(t) = H_i(0) e^{lambda_i t/(1-mu)} / sqrt(sum_j H_j(0)^2
e^{2 lambda_j t/(1-mu)}); H(t) -> e_1 whenever H_1(0) != 0.

**Source.** Theorem 3 of the paper; poster Theorem 1 (which writes "asymptotically equal").

**Assumptions.** A1; v_{-i} = v_0 = v_1 on the sphere; the delay condition above.

**Derivation** (:mod:`theory.ode`). SymPy proves that the closed form solves eq. (7) for
d = 2, 3, 4 (each exponential replaced by a positive symbol, the residual cancels as a rational
function), that it starts at H(0), that the sphere is invariant, and that H(t) -> e_1; it agrees
with ``solve_ivp`` (DOP853) to 1e-9. Negative control: the closed form with exponent lambda_i t
(no 1/(1-mu)) fails the same proof.

**Checks.** *mean path*: from a non-saddle start, the run-average of h(t) over 2000 runs against
the closed form on a grid of t = k eta (step 0.1, up to t = 2.5, where H_1^2 goes from 0.04 to
about 1 at mu = 0.5), at eta = 4, 2, 1, 0.5 x 1e-3, with and without a delay inside C3's
condition (gamma = 1/2, constant 1). The claim is convergence, so the statistic is the fitted
log-log slope of the sup-error in eta: its lower confidence bound (slope - z SE, weights from
the per-eta noise levels, z the suite's Bonferroni z) must be > 0. The paper gives no rate; the
fitted one is reported. Negative control: the same statistic against the ODE without the factor
1/(1-mu), which must not shrink. Near misses (issue 14), fixed in the code, not placed from the
measurement: a rate that could have been true, held two-sided to the same fit (|slope - a| <= z
SE, the same SE): without delay, "the error shrinks like eta^(1/2)", the scale of one path's
fluctuations (the diffusion approximation's sqrt(eta)); with delays, "like eta^gamma =
eta^(1/2)", the lag tau eta ~ eta^gamma of a delay at C3's condition. The measured rates are
about 1 (weak order 1), 2 MDD above both (MDD about 0.25 in the exponent, ci profile).

*joint draws* (issue 13, :func:`checks.joint_draws.check_spread`): Theorem 3's mean path (the ODE
limit) at three joint (mu, eta, tau) draws over the stable range: the corners (mu = 0 at the
largest step, mu = 0.85 at the smallest, tau = 0.9 tau_E1) and a middle draw (tau = 0.5 tau_E1).
Inside the measured validity region (C3's ci map's tau_valid_stat,
:data:`checks.validity.PINNED_FITS`) the delay's effect on the mean path must be within the claim
check's z SE tolerance; at the drawn tau the stationary error E||v - v1||^2 over its tau = 0 value
must follow E1's growth (z SE). Negative controls: "the delay does not change the stationary
error", and a near miss of E1's growth at twice its minimum detectable deviation. The property
tests (checks/test_properties.py) explore other draws.
"""

from __future__ import annotations

import time

import numpy as np

from checks.claims.base import Check, Claim, Statement
from checks.delay_range import delay_fraction
from checks.derivation import Derivation, Item
from checks.mean_path import sup_errors
from checks.power import with_power
from checks.profile import Profile, Z, require_control_momentum
from checks.results import CheckResult, Evidence
from checks.stats import loglog_slope
from checks.verdict import Verdict
from theory import delays, ode

STATEMENT = Statement(
    id="C3",
    source="Theorem 3 (poster Theorem 1)",
    title="ODE limit",
    latex=r"If $\tau_k \lesssim (1-\mu)^2/(\lambda_1\eta^{1-\gamma})$, $\gamma\in(0,1]$, then "
    r"$V^\eta(t) = v_{\lfloor t/\eta\rfloor}$ converges weakly to "
    r"$\dot V = [\Sigma V - (V^\top\Sigma V)V]/(1-\mu)$, solved by "
    r"$H_i(t) = H_i(0)e^{\lambda_i t/(1-\mu)}/\sqrt{\sum_j H_j(0)^2 e^{2\lambda_j t/(1-\mu)}}$"
    r"; $H(t)\to e_1$ when $H_1(0)\ne 0$.",
    text="v_{floor(t/eta)} -> the ODE dV/dt = [Sigma V - (V^T Sigma V) V]/(1-mu) (closed form "
    "given) under tau <~ (1-mu)^2/(lambda_1 eta^(1-gamma))",
    kind="exact limit",
    assumptions=(
        "A1",
        "v_{-i} = v_0 = v_1 on the sphere",
        "tau_k <~ (1-mu)^2/(lambda_1 eta^(1-gamma))",
    ),
)

# --- derivation --------------------------------------------------------------------------------

DIMS = (2, 3, 4)


def derive() -> Derivation:
    items = [
        Item(
            f"solves eq. (7), d = {d}",
            f"closed form solves eq. (7), d = {d}",
            proved=ode.satisfies_ode(d),
        )
        for d in DIMS
    ]
    items.append(
        Item(
            "initial value",
            "closed form at t = 0 equals H(0) on the sphere (d = 3)",
            proved=ode.initial_value_matches(3),
        )
    )
    items.append(
        Item(
            "sphere invariant",
            "the unit sphere is invariant under eq. (7) (d = 3)",
            proved=ode.sphere_is_invariant(3),
        )
    )
    lims = ode.converges_to_e1(3)
    items.append(
        Item(
            "converges to e_1",
            "t -> oo: H_i/H_1 -> 0 and H_1^2 -> 1 (d = 3, lambda_1 > lambda_i, H_1(0) != 0)",
            proved=all(v == 0 for k, v in lims.items() if "/" in k) and lims["H_1^2"] == 1,
        )
    )
    times = np.linspace(0.0, 30.0, 61)
    lam = np.array([4.0, 3.0, 2.0, 1.0])
    h0 = np.array([0.05, 0.9, 0.3, 0.2])
    err = float(
        np.max(
            np.abs(ode.solution(times, h0, lam, 0.7) - ode.solve_numerically(times, h0, lam, 0.7))
        )
    )
    items.append(
        Item(
            "closed form vs solve_ivp",
            "closed form vs solve_ivp (DOP853, rtol 1e-12), Sigma = diag(4,3,2,1), mu = 0.7",
            proved=err < 1e-9,
            note=f"max abs difference {err:.2e} (must be < 1e-9)",
            origin="toolkit",
        )
    )
    items.append(
        Item(
            "delay condition",
            "delay condition tau <~",
            delays.CONDITIONS["C3"].formula.expr,
            note="gamma in (0, 1]",
        )
    )
    items.append(Item("closed form d = 2", "closed form, d = 2: H_1(t)", ode.closed_form(2)[0]))
    wrong = ode.closed_form(3, rate=lambda lam: lam)
    control = Evidence(
        "closed form with lambda_i t (no 1/(1-mu)) solves eq. (7), d = 3",
        np.nan,
        np.nan,
        0.0,
        "the same SymPy proof",
        relation="identity",
        holds=ode.satisfies_ode(3, wrong),
        near_miss=True,
    )
    return Derivation(
        "C3",
        "ODE limit and its closed-form solution",
        STATEMENT.source,
        tuple(items),
        controls=(control,),
    )


EXPECTED_DERIVATION = {
    **{f"solves eq. (7), d = {d}": "proved" for d in DIMS},
    "initial value": "proved",
    "sphere invariant": "proved",
    "converges to e_1": "proved",
    "closed form vs solve_ivp": "proved",
}

# --- checks ------------------------------------------------------------------------------------

SPECTRUM = (4.0, 3.0, 2.0, 1.0)
START = np.array([0.2, 0.9, 0.3, 0.25]) / np.linalg.norm([0.2, 0.9, 0.3, 0.25])
ETAS = (4e-3, 2e-3, 1e-3, 5e-4)
HORIZON = 2.5
GRID = 0.1
GAMMA = 0.5
# the near misses' rates (module docstring): eta^(1/2) without delay, eta^gamma with delays
NEAR_MISS_RATES = {
    False: (0.5, "eta^(1/2), the scale sqrt(eta) of one path's fluctuations"),
    True: (GAMMA, "eta^gamma = eta^(1/2), the lag tau eta ~ eta^gamma of C3's delay"),
}


def c3_delay(mu: float, eta: float) -> int:
    """A delay inside C3's condition: (1-mu)^2/(lambda_1 eta^(1/2)) (gamma = 1/2), rounded."""
    return round(delays.get("C3")(mu=mu, eta=eta, gamma=GAMMA, lambda1=SPECTRUM[0]))


def _slope_evidence(label: str, data: dict, key: str, **meta: object) -> Evidence:
    fit = loglog_slope(data["eta"], data[key], data["noise"])
    lower = fit.slope - Z * fit.se
    return Evidence(
        label=label,
        theory=0.0,
        measured=float(fit.slope),
        tolerance=float(Z * fit.se),
        se=float(fit.se),
        ci=fit.ci(Z),
        relation="lower-strict",
        basis=f"weighted log-log fit over eta in {list(data['eta'])}; weights from the largest "
        f"per-point SE over R runs; z = {Z:.2f} (Bonferroni over the suite); passes when the "
        f"slope's lower bound {lower:.3f} > 0",
        **meta,
    )


def _rate_near_miss(item: Evidence, rate: float, theory: str, tag: str) -> Evidence:
    """A claimed rate eta^rate for the sup-error, held two-sided to the item's fit (z SE, the
    same SE): a near miss fixed in the code (module docstring), with its distance in MDDs."""
    mdd = with_power(item, "exponent").mdd
    return Evidence(
        f"near miss: the sup-error shrinks like {theory} ({tag}; "
        f"{(item.measured - rate) / mdd:.2f} x the MDD {mdd:.3f} below the measured rate)",
        rate,
        item.measured,
        item.tolerance,
        f"the same weighted log-log fit; passes when |slope - {rate:g}| <= z SE = "
        f"{item.tolerance:.3f}",
        se=item.se,
        ci=item.ci,
        near_miss=True,
        mdd=mdd,
        mdd_kind="exponent",
    )


def check_mean_path(profile: Profile, mu: float = 0.5) -> CheckResult:
    require_control_momentum(mu)
    t0 = time.perf_counter()
    evidence, controls, details = [], [], {}
    runs = profile.runs(2000)
    fractions = []
    for delayed in (False, True):
        data = sup_errors(
            mu,
            profile,
            spectrum=SPECTRUM,
            start=START,
            etas=ETAS,
            delay_of=(lambda e: c3_delay(mu, e)) if delayed else (lambda e: 0),
            horizon=HORIZON,
            grid=GRID,
            runs=runs,
        )
        tag = "with delays inside C3's condition" if delayed else "no delay"
        evidence.append(
            _slope_evidence(
                f"sup-error rate in eta ({tag})",
                data,
                "sup",
                origin="claim",
                form="direction",
                statement="weak convergence to the ODE",
                note=f"the mean path converges to the closed form as eta -> 0 ({tag})",
            )
        )
        controls.append(
            _slope_evidence(f"wrong ODE (lambda_i t, no 1/(1-mu)), {tag}", data, "sup_wrong")
        )
        controls.append(_rate_near_miss(evidence[-1], *NEAR_MISS_RATES[delayed], tag))
        details[tag] = {k: v.tolist() for k, v in data.items()}
        fractions += [
            delay_fraction(t, SPECTRUM, "gaussian", e, mu)
            for t, e in zip(data["tau"], data["eta"], strict=True)
        ]
    details["max_delay_fraction"] = max(fractions)
    details["runs"] = runs
    rates = ", ".join(f"{e.measured:.2f}" for e in evidence)
    return CheckResult(
        "C3",
        "mean path",
        f"the sup-error between the mean path and the closed form shrinks as eta -> 0 (fitted "
        f"rates {rates}; mu = {mu}); the ODE without 1/(1-mu) does not fit, nor does a rate "
        "eta^(1/2)",
        tuple(evidence),
        tuple(controls),
        seconds=time.perf_counter() - t0,
        details=details,
    )


def check_joint(profile: Profile) -> CheckResult:
    """C3 at joint (mu, eta, tau) draws up to 0.9 tau_E1 (issue 13; module docstring)."""
    from checks.joint_draws import check_spread

    return check_spread(profile, "C3")


CHECKS = (
    Check("mean path", check_mean_path, "simulation"),
    Check("joint draws", check_joint, "simulation"),
)
EXPECTED_VERDICT = Verdict.VERIFIED

CLAIM = Claim(
    STATEMENT, CHECKS, EXPECTED_VERDICT, derive=derive, expected_derivation=EXPECTED_DERIVATION
)
