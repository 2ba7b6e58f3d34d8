r"""C1 (Lemma 1): tightness of the iterates, the norm bound and the step bound.

**Statement** (THEORY.md C1). For k <= O(1/eta): ||v_k||^2 <= 1 + O(max_i tau_i eta/(1-mu)^2);
with tau_k <~ (1-mu)^2/eta^(1-gamma), gamma in (0, 1]: ||v_k||^2 <= 1 + O(eta^gamma) and
||v_{k+1} - v_k|| <= 2 C_d eta/(1-mu).

**Source.** Lemma 1 of the paper (Section 3.1).

**Assumptions.** A1; A2 (||X|| <= C_d, "a constant (possibly dependent on d)"); v_0 on the
sphere; the delay condition above.

**Readings.** What C_d bounds is ambiguous. A2 prints ||X|| <= C_d, but one update
eta (I - ww^T) X X^T w is quadratic in X, and the paper's own (lambda_1 + C_d) (Lemma 4) adds C_d
to an eigenvalue, which only makes sense if C_d bounds ||X||^2. Both readings are decided:
``C_d bounds ||X||`` (as printed) and ``C_d bounds ||X||^2``.

**Derivation** (:mod:`theory.tightness`). max over the angle of ||(I-ww^T)XX^Tw||/||X||^2 is 1/2
at ||w|| = 1; with momentum the step is at most eta (max ||X||^2) / (2 (1-mu)): eta C_d^2/(2(1-mu))
in the first reading (larger than the printed bound when C_d > 4), eta C_d/(2(1-mu)) in the second
(a quarter of it). The norm bound becomes 1 + O(eta^gamma) under the delay condition (an identity).

**Checks.**
* *paths*: bounded (A2) data with C_d > 4, X = Sigma^(1/2) s, s Rademacher, Sigma = diag(16, 4, 2,
  1), so ||X||^2 = 23 for every sample. At w = e_1 every step is eta 4 sqrt(7) = 10.58 eta >
  2 C_d eta = 9.59 eta: under the first reading the printed bound is exceeded deterministically,
  not by chance; under the second it is 46 eta and holds. The measured maximum step over
  100 runs x 2000 steps (mu = 0 and 0.5, eta = 1e-3) must stay below the derived bound at the
  largest ||w|| seen (deterministic: no tolerance). The norm bound: with tau at C1's delay scale
  (gamma = 1/2, constant 1) the per-run maximum of | ||v_k||^2 - 1 | over k <= 1/eta is averaged
  over 200 runs (SE over runs) at eta = 2e-3, 1e-3, 5e-4; O(eta^gamma) means a fitted log-log
  slope >= gamma - z SE (z: the suite's Bonferroni z).
* Negative controls: a norm excess O(eta^3) (slope 3), and the step bound eta C_d/(2(1-mu)) with
  C_d = max ||X|| (the second reading's bound applied with the first reading's constant). Near
  miss: a norm excess O(eta^(4/3)), 2 MDD above the measured exponent (1.14).
"""

from __future__ import annotations

import time

import sympy as sp

from checks.claims.base import Check, Claim, Reading, Statement
from checks.delay_range import delay_fraction
from checks.derivation import Derivation, Item
from checks.paths import g_max, measure_norm_excess, measure_steps
from checks.power import with_power
from checks.profile import Profile, Z
from checks.results import CheckResult, Evidence
from checks.stats import loglog_slope
from checks.verdict import Verdict
from theory import symbols as S
from theory import tightness
from theory.compare import bounded_by
from theory.delays import CONDITIONS
from theory.symbols import eta, gamma

STATEMENT = Statement(
    id="C1",
    source="Lemma 1",
    title="Tightness of the iterates",
    latex=r"For $k \le O(1/\eta)$, $\|v_k\|^2 \le 1 + O(\max_i \tau_i \eta/(1-\mu)^2)$; with "
    r"$\tau_k \lesssim (1-\mu)^2/\eta^{1-\gamma}$, $\|v_k\|^2 \le 1 + O(\eta^\gamma)$ and "
    r"$\|v_{k+1}-v_k\| \le 2 C_d \eta/(1-\mu)$.",
    text="||v_k||^2 <= 1 + O(eta^gamma) and ||v_{k+1} - v_k|| <= 2 C_d eta/(1-mu) under "
    "tau <~ (1-mu)^2/eta^(1-gamma)",
    kind="asymptotic scaling",
    assumptions=("A1", "A2: ||X|| <= C_d", "v_0 on the sphere", "tau_k <~ (1-mu)^2/eta^(1-gamma)"),
)
NORM = "C_d bounds ||X||"
SQUARE = "C_d bounds ||X||^2"
READINGS = (
    Reading(NORM, "A2 as printed: ||X|| <= C_d"),
    Reading(SQUARE, "C_d bounds ||X||^2, as the paper's own lambda_1 + C_d (Lemma 4) suggests"),
)

# --- derivation --------------------------------------------------------------------------------


def derive() -> Derivation:
    pg = tightness.projected_gradient_max()
    excess = tightness.norm_excess_under_condition()
    items = [
        Item(
            "projected gradient max",
            "max |cos sin| (one projected stochastic gradient over ||X||^2)",
            pg,
            sp.Rational(1, 2),
            proved=sp.simplify(pg - sp.Rational(1, 2)) == 0,
            origin="toolkit",
        ),
        Item(
            "norm bound under the delay condition",
            "tau eta/(1-mu)^2 at C1's delay scale = eta^gamma",
            excess,
            eta**gamma,
            proved=sp.simplify(excess - eta**gamma) == 0,
            note="the norm bound 1 + O(tau eta/(1-mu)^2) is 1 + O(eta^gamma), as printed",
        ),
    ]
    for reading, key in ((NORM, "norm"), (SQUARE, "square")):
        cmp = tightness.step_comparison(key)
        derived = tightness.step_bound().expr
        if key == "square":
            derived = tightness.squared_reading(derived)
        items.append(
            Item(
                f"step bound [{reading}]",
                f"step bound ||v_(k+1) - v_k|| ({reading})",
                derived,
                tightness.PRINTED_STEP_BOUND,
                cmp,
                form="bound",
                reading=reading,
                bound_check=lambda printed, d=derived: bounded_by(d, printed),
                note="the derived bound is attained at w = e_1 with X at 45 degrees to w; the "
                "printed one holds iff derived/printed <= 1 for every C_d",
            )
        )
    crit = tightness.printed_bound_violated_when()
    return Derivation(
        "C1",
        STATEMENT.title,
        STATEMENT.source,
        tuple(items),
        (
            "One update eta (I - ww^T) X X^T w is quadratic in X: with C_d bounding ||X|| the "
            f"step is up to eta C_d^2/(2(1-mu)), above Lemma 1's 2 C_d eta/(1-mu) when C_d > "
            f"{crit}; with C_d bounding ||X||^2 the printed bound holds with room (4x).",
        ),
    )


EXPECTED_DERIVATION = {
    "projected gradient max": "proved",
    "norm bound under the delay condition": "proved",
    f"step bound [{NORM}]": "different-scaling",
    f"step bound [{SQUARE}]": "constant-factor",
}

# --- checks ------------------------------------------------------------------------------------

STEP_SPECTRUM = (16.0, 4.0, 2.0, 1.0)
STEP_DATA = "rademacher"
STEP_ETA = 1e-3
STEP_STEPS = 2000
NORM_SPECTRUM = (4.0, 3.0, 2.0, 1.0)
NORM_MU = 0.5
GAMMA = 0.5
NORM_ETAS = (2e-3, 1e-3, 5e-4)


NEAR_MISS_EXPONENT = 4.0 / 3.0  # the norm excess's near miss (issue 14)


def check_paths(profile: Profile, mus: tuple[float, ...] = (0.0, 0.5)) -> CheckResult:
    t0 = time.perf_counter()
    printed = tightness.printed_step_bound()
    general = tightness.step_bound_general()
    evidence, controls, details = [], [], {}
    for mu in mus:
        m = measure_steps(
            mu,
            profile,
            spectrum=STEP_SPECTRUM,
            distribution=STEP_DATA,
            eta=STEP_ETA,
            steps=STEP_STEPS,
            runs=profile.runs(100),
        )
        details[f"steps mu={mu}"] = m
        basis = (
            f"maximum over {m['runs']} runs x {m['steps']} steps of ||v_(k+1) - v_k||; "
            f"max ||X|| = {m['C_d']:.4f} (exact: ||X||^2 = 23 for every Rademacher sample); "
            "deterministic, no tolerance"
        )
        c_norm, c_square = m["C_d"], m["C_d"] ** 2
        for reading, c_d in ((NORM, c_norm), (SQUARE, c_square)):
            evidence.append(
                Evidence(
                    f"max step <= printed 2 C_d eta/(1-mu) with C_d = {c_d:.4g}, mu = {mu}",
                    float(printed(STEP_ETA, mu, c_d)),
                    m["max_step"],
                    0.0,
                    basis,
                    relation="upper",
                    origin="claim",
                    form="bound",
                    reading=reading,
                    statement="step bound",
                    note=f"the step bound 2 C_d eta/(1-mu) ({reading}), mu = {mu}",
                )
            )
        evidence.append(
            Evidence(
                f"max step <= derived eta C_d^2 G(r_max)/(1-mu), mu = {mu}",
                float(general(STEP_ETA, mu, c_norm, g_max(m["r_max"]))),
                m["max_step"],
                0.0,
                basis,
                relation="upper",
                origin="toolkit",
                form="bound",
            )
        )
        if mu == mus[0]:
            wrong = tightness.squared_reading(tightness.step_bound().expr)
            wrong_f = sp.lambdify((S.eta, S.mu, S.C_d), wrong, "math")
            controls.append(
                Evidence(
                    "wrong theory: the step bound eta C_d/(2(1-mu)) with C_d = max ||X||",
                    float(wrong_f(STEP_ETA, mu, c_norm)),
                    m["max_step"],
                    0.0,
                    "deterministic",
                    relation="upper",
                )
            )
    taus = tuple(int(CONDITIONS["C1"](mu=NORM_MU, eta=eta, gamma=GAMMA)) for eta in NORM_ETAS)
    norm = measure_norm_excess(
        NORM_MU,
        profile,
        spectrum=NORM_SPECTRUM,
        etas=NORM_ETAS,
        taus=taus,
        runs=profile.runs(200),
    )
    details["norm"] = norm
    fit = loglog_slope(norm["eta"], norm["excess"], norm["excess_se"])
    nbasis = (
        f"per-run max of | ||v_k||^2 - 1 | over k <= 1/eta, mean over {profile.runs(200)} runs, "
        f"weighted log-log fit over eta = {list(NORM_ETAS)} with tau = {list(taus)}; z = {Z:.2f}"
    )
    evidence.append(
        Evidence(
            f"exponent of eta in max | ||v_k||^2 - 1 | >= gamma = {GAMMA}",
            GAMMA,
            fit.slope,
            Z * fit.se,
            nbasis,
            se=fit.se,
            ci=fit.ci(Z),
            relation="lower",
            origin="claim",
            form="bound",
            statement="norm bound",
            note="the norm bound ||v_k||^2 <= 1 + O(eta^gamma)",
        )
    )
    controls.append(
        Evidence(
            "wrong theory: | ||v_k||^2 - 1 | = O(eta^3)",
            3.0,
            fit.slope,
            Z * fit.se,
            nbasis,
            se=fit.se,
            relation="lower",
        )
    )
    # a near miss fixed in the code, not placed from the measurement (a bound put 2 MDD beyond
    # the measurement is rejected by construction): eta^(4/3), the nearest simple exponent above
    # the measured one (1.14 at the root seed, MDD 0.097: 2 MDD above it); rejected while the
    # fitted exponent stays below 4/3 - z SE, so across seeds it tests the fit's own spread
    item = with_power(evidence[-1], "exponent")
    controls.append(
        Evidence(
            f"near miss: | ||v_k||^2 - 1 | = O(eta^(4/3)) "
            f"({(NEAR_MISS_EXPONENT - fit.slope) / item.mdd:.2f} x the MDD {item.mdd:.3f} above "
            "the measured exponent)",
            NEAR_MISS_EXPONENT,
            fit.slope,
            Z * fit.se,
            nbasis,
            se=fit.se,
            relation="lower",
            near_miss=True,
            mdd=item.mdd,
            mdd_kind="exponent",
        )
    )
    details["max_delay_fraction"] = max(
        delay_fraction(t, NORM_SPECTRUM, "gaussian", e, NORM_MU)
        for t, e in zip(taus, NORM_ETAS, strict=True)
    )
    m0 = details[f"steps mu={mus[0]}"]
    in_eta = {
        "step": m0["max_step"] / STEP_ETA,
        "norm": float(printed(STEP_ETA, mus[0], m0["C_d"])) / STEP_ETA,
        "square": float(printed(STEP_ETA, mus[0], m0["C_d"] ** 2)) / STEP_ETA,
    }
    return CheckResult(
        "C1",
        "paths",
        f"with ||X|| <= {m0['C_d']:.3f} (A2 data, ||X||^2 = 23) steps reach "
        f"{in_eta['step']:.2f} eta at mu = {mus[0]}: above the printed 2 C_d eta = "
        f"{in_eta['norm']:.2f} eta if C_d bounds ||X||, below it ({in_eta['square']:.1f} eta) "
        f"if C_d bounds ||X||^2; the norm excess shrinks like eta^{fit.slope:.2f}",
        tuple(evidence),
        tuple(controls),
        seconds=time.perf_counter() - t0,
        details=details,
    )


CHECKS = (Check("paths", check_paths, "simulation"),)

EXPECTED_VERDICT = Verdict.DEPENDS_ON_READING

CLAIM = Claim(
    STATEMENT,
    CHECKS,
    EXPECTED_VERDICT,
    derive=derive,
    expected_derivation=EXPECTED_DERIVATION,
    readings=READINGS,
    expected_readings={NORM: Verdict.REFUTED, SQUARE: Verdict.VERIFIED},
)
