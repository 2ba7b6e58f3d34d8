r"""E1 (ours, not in the papers): the exact finite-step linear theory of eq. (5).

**Statement** (THEORY.md E1). Linearised at the optimum, in every eigen-direction including the
radial one (eq. (5) does not renormalise, so ||v|| is a mode of its own), each mode is a delayed
heavy-ball recursion x_{k+1} = (1+mu) x_k - mu x_{k-1} - c x_{k-tau} + noise_k, with an exact
stability boundary tau_max(mu, c), an exact stationary variance and mean-square stability under
random delays; the radial mode (c = 2 eta lambda_1) binds.

**Source.** The toolkit's own extension (:mod:`theory.stability`, :mod:`theory.linearise`,
:mod:`theory.delayed_heavy_ball`, :mod:`theory.random_delays`). Here the claim's statement is
ours, and it is held to the same rule as the paper's.

**Derivation.** SymPy: the mean field of eq. (5) is Lambda w - (w^T Lambda w) w; at e_1 the modes
decouple into E1's recursion, with the radial curvature 2 eta lambda_1 and no additive radial
noise; the boundary's small-c expansion is pi(1-mu)/(2c) + 1/2 - 1/(1-mu) + O(c); as eta -> 0 the
tangential stationary variance is C4's OU value.

**Checks.**
* *boundary*: on the radial axis the mean-field map of eq. (5) is iterated deterministically at
  Figure 1's setting (mu = 0.8, 0.9); its per-step growth rate must match log rho (rho: E1's
  spectral radius) within 5% of |log rho| (deterministic: the 5% is what the transient of the
  other roots leaves), at E1's tau_max (decay) and at tau_max + 1 (growth). Negative control:
  the boundary a wrong radial curvature lambda_1 predicts, where the iteration grows. Near miss
  (issue 14), fixed in the code: the boundary's small-c expansion to order c^0 (the derivation's
  asymptote, O(c) dropped), floor(pi(1-mu)/(2c) + 1/2 - 1/(1-mu)), wherever it differs from
  E1's tau_max: at mu = 0.9 it gives 29, 3 delays (9.4%, about twice the 5% read on the
  boundary) short of E1's 32, and predicts growth at 30, where the same iteration must decay
  (beyond 5% of E1's |log rho| there); at mu = 0.8 it gives E1's 74. In the rate's own units
  the items resolve the boundary to 0.02-0.03 of a delay, so any integer boundary one delay
  off is rejected by far (here by 20 tolerances).
* *delay growth*: per tangential mode, E1's Var(tau)/Var(0) at tau = 0.8 tau_max (mu = 0.5,
  eta = 1e-3) against the simulated ratio (400 runs each, delta-method SE, z the suite's
  Bonferroni z). Negative control: "the delay does not matter" (ratio 1).
* *figure 1 boundaries*: Figure 1's measured optimal delay (error within 1.5x its tau = 0 value,
  :mod:`checks.experiments.figure1`) against E1's prediction under the same definition (the
  largest delay whose second-order level stays within 1.5x), z SE (bootstrap) + grid spacing,
  no other allowance. Negative control: E1 with the radial curvature halved.
* *stationary level* (issue 16): the second-order level (:mod:`theory.second_order`) against
  the simulated E||v - v1||^2 (:mod:`checks.stationary_level`; 300 runs per point in the ci
  profile, SE over runs) at six points inside the expansion's domain (|2nd/E1 - 1| <= 3.5%,
  fixed before any run: there the third-order term, about 4 c^2, is below 0.5%): Figure 1's
  spectrum with Gaussian and uniform-ball data, a wide and a narrow gap, mu 0.5-0.9, delays 0
  to 0.75 of the boundary and one uniform random delay (C11). Tolerance z SE, nothing else.
  Two points beyond the domain (mu = 0.95; 0.88 of the boundary at mu = 0.9) are reported as
  findings. Near-miss control: E1 alone (first order), whose error there is 1-1.5x the check's
  minimum detectable deviation.
* *level order* (issue 16): an eta scan (Figure 1's spectrum, mu = 0.7, eta = 4e-3 .. 1.41e-3):
  the fitted order of the second-order level's relative residual must lie in [1.5, 2.5] (a
  convergence-order window), and the fit must resolve it (z SE <= 0.5). Near-miss control: E1
  alone, whose residual shrinks like eta^1.
* *joint draws* (issue 13, :func:`checks.joint_draws.check_spread`): E1's growth of the stationary
  error with the delay, E||v - v1||^2 at tau over its tau = 0 value against E1's ratio
  (:mod:`theory.second_order`; z SE of paired runs, nothing else; beyond the second-order domain
  only the direction), at three joint (mu, eta, tau) draws over the stable range: the corners (mu =
  0 at the largest step, mu = 0.85 at the smallest, tau = 0.9 tau_E1; spectrum (4, 3, 2, 1),
  Gaussian data) and a middle draw (tau = 0.5 tau_E1; spectrum (4.2, 2.2, 1.5, 1), Rademacher
  data). Negative controls: "the delay does not change the stationary error" where E1's growth is
  resolved, and a near miss at twice the minimum detectable deviation. The property tests
  (checks/test_properties.py) explore other draws.
"""

from __future__ import annotations

import math
import time

import sympy as sp

from checks import stationary_level as sl
from checks.claims.base import Check, Claim, Statement
from checks.delay_range import delay_fraction
from checks.derivation import Derivation, Item, compared
from checks.experiments import figure1 as f1
from checks.experiments import figure1_table as ft
from checks.mean_field import mean_field_growth
from checks.profile import Profile, Z
from checks.results import CheckResult, Evidence
from checks.stationary import measure_stationary
from checks.verdict import Verdict
from theory import delayed_heavy_ball as dhb
from theory import linearise, stability
from theory.problem import Problem
from theory.symbols import eta, lam1, mu

LEVEL_DOMAIN_TEXT = "3.5%"
STATEMENT = Statement(
    id="E1",
    source="ours (not in the papers)",
    title="Exact finite-step linear theory",
    latex=r"Linearised at the optimum, every mode (the radial one included) is a delayed "
    r"heavy-ball recursion $x_{k+1}=(1+\mu)x_k-\mu x_{k-1}-c\,x_{k-\tau}+\xi_k$ with an exact "
    r"stability boundary, stationary variance and mean-square stability under random delays; "
    r"to second order in $\eta/(1-\mu)$ its stationary level is exact up to $O(\eta^2)$.",
    text="each mode of eq. (5) at the optimum is a delayed heavy ball with an exact boundary and "
    "variance; the radial mode (c = 2 eta lambda_1) binds; to second order the stationary level "
    "is exact up to O(eta^2)",
    kind="exact limit",
    assumptions=(
        "A1",
        "linearisation at e_1",
        "second-order closure for the radial noise",
        f"the level: inside the expansion's domain (|2nd/E1 - 1| <= {LEVEL_DOMAIN_TEXT})",
    ),
)


def derive() -> Derivation:
    lin = linearise.linearise()
    limit = stability.eta_to_zero_limit()
    series = dhb.tau_crossing_series(1)
    stated = sp.pi * (1 - mu) / (2 * dhb.c) + sp.Rational(1, 2) - 1 / (1 - mu)
    return Derivation(
        "E1",
        STATEMENT.title,
        STATEMENT.source,
        (
            Item(
                "mean field",
                "E G(w) = Lambda w - (w^T Lambda w) w (three-mode instance)",
                proved=linearise.mean_field_identity() == sp.zeros(3, 1),
            ),
            Item(
                "modes decouple",
                "each mode's coefficients are E1's (1 + mu, -mu, -c) at x_k, x_{k-1}, x_{k-tau}",
                proved=linearise.recursion_matches_e1(),
            ),
            compared(
                "radial curvature",
                "the radial mode's curvature c",
                lin.curvature[0],
                2 * eta * lam1,
            ),
            Item(
                "no additive radial noise",
                "the additive noise of the radial mode vanishes",
                lin.additive_noise_var[0],
                proved=sp.simplify(lin.additive_noise_var[0]) == 0,
            ),
            compared(
                "boundary asymptote",
                "tau_max's small-c expansion (terms to c^0)",
                series,
                stated,
            ),
            Item(
                "eta -> 0 limit",
                "E1's tangential variance -> C4's OU value as eta -> 0",
                limit["E1_leading"],
                limit["C4"],
                proved=bool(limit["identical"]),
            ),
        ),
    )


EXPECTED_DERIVATION = {
    "mean field": "proved",
    "modes decouple": "proved",
    "radial curvature": "identical",
    "no additive radial noise": "proved",
    "boundary asymptote": "identical",
    "eta -> 0 limit": "proved",
}

FIG1 = (4.0, 3.0, 2.0, 1.0)
FIG1_ETA = 5e-4
GROWTH_SPECTRUM = (4.0, 3.0, 2.0, 1.0)
BOUNDARY_TOLERANCE = 0.05  # of |log rho|: what the transient of the other roots leaves


def _boundary_evidence(mu_: float, tau: int, c: float, label: str, **meta: object) -> Evidence:
    rho = float(dhb.spectral_radius(mu_, c, tau))
    rate = math.log(rho)
    steps = int(min(4e6, 20 / max(abs(rate), 1e-7)))
    measured = mean_field_growth(mu_, FIG1_ETA, FIG1[0], tau, steps)
    return Evidence(
        label,
        rate,
        measured,
        BOUNDARY_TOLERANCE * abs(rate),
        f"deterministic mean-field iteration over {steps} steps (rate between the envelopes at "
        "half-time and at the end) vs the log of E1's spectral radius; tolerance 5% of "
        "|log rho| (what is left of the other roots)",
        **meta,
    )


def _expansion_near_miss(mu_: float, c: float, tmax: int) -> Evidence | None:
    """The boundary's expansion to order c^0 as a wrong theory (module docstring): where it
    differs from E1's tau_max, the delay at which it predicts the other sign of the rate,
    judged by the boundary items' tolerance there; None where it gives E1's boundary."""
    asymptote = float(dhb.tau_crossing_asymptote(1)(mu_, c))  # the two-term series, derived
    wrong = math.floor(asymptote)
    if wrong == tmax:
        return None
    # the first delay where the two theories disagree on the sign: growth predicted at
    # wrong + 1 <= tmax, or decay predicted at wrong > tmax
    tau, relation, sign = (
        (wrong + 1, "lower", "growth") if wrong < tmax else (wrong, "upper", "decay")
    )
    rate = math.log(float(dhb.spectral_radius(mu_, c, tau)))
    steps = int(min(4e6, 20 / max(abs(rate), 1e-7)))
    measured = mean_field_growth(mu_, FIG1_ETA, FIG1[0], tau, steps)
    off = abs(wrong - tmax) / tmax
    return Evidence(
        f"near miss: the boundary's expansion to order c^0, pi(1-mu)/(2c) + 1/2 - 1/(1-mu) = "
        f"{asymptote:.2f} (O(c) dropped): tau_max = {wrong}, {abs(wrong - tmax)} delays "
        f"({off:.1%}, {off / BOUNDARY_TOLERANCE:.1f} x the items' {BOUNDARY_TOLERANCE:.0%}, read "
        f"on the boundary) from E1's {tmax}; predicts {sign} at tau = {tau}, mu = {mu_}",
        0.0,
        measured,
        BOUNDARY_TOLERANCE * abs(rate),
        f"the same deterministic iteration; the sign the expansion predicts, within "
        f"{BOUNDARY_TOLERANCE:.0%} of E1's |log rho| = {abs(rate):.3g} there",
        relation=relation,
        near_miss=True,
        mdd=BOUNDARY_TOLERANCE,
        mdd_kind="relative",
    )


def check_boundary(profile: Profile, mus: tuple[float, ...] = (0.8, 0.9)) -> CheckResult:
    t0 = time.perf_counter()
    problem = Problem.from_eigenvalues(FIG1)
    evidence, controls, fractions = [], [], []
    meta = {"origin": "claim", "form": "exact", "statement": "delay boundary"}
    for m in mus:
        a = stability.analyse(problem, "gaussian", FIG1_ETA, m)
        radial = next(md for md in a.modes if md.name == "radial")
        tmax = a.tau_max
        fractions.append((tmax + 1) / tmax)
        evidence.append(
            _boundary_evidence(
                m,
                tmax,
                radial.c,
                f"growth rate at E1's tau_max = {tmax}, mu = {m}",
                **meta,
                note=f"E1's rate at its boundary tau_max = {tmax}, mu = {m}",
            )
        )
        evidence.append(
            _boundary_evidence(
                m,
                tmax + 1,
                radial.c,
                f"growth rate at tau_max + 1 = {tmax + 1}, mu = {m}",
                **meta,
                note=f"E1's rate one delay past its boundary, mu = {m}",
            )
        )
        wrong_c = radial.c / 2  # lambda_1 instead of 2 lambda_1
        wrong_tmax = dhb.tau_max(m, wrong_c)
        rho_wrong = float(dhb.spectral_radius(m, wrong_c, wrong_tmax))
        steps = int(min(4e6, 20 / abs(math.log(rho_wrong))))
        measured = mean_field_growth(m, FIG1_ETA, FIG1[0], wrong_tmax, steps)
        controls.append(
            Evidence(
                f"wrong radial curvature lambda_1: predicts decay at tau = {wrong_tmax}, mu = {m}",
                math.log(rho_wrong),
                measured,
                0.05 * abs(math.log(rho_wrong)),
                "as above",
            )
        )
        if (near := _expansion_near_miss(m, radial.c, tmax)) is not None:
            controls.append(near)
    return CheckResult(
        "E1",
        "boundary",
        "the mean-field map of eq. (5) decays at E1's tau_max and grows one step later, at the "
        "rates E1's spectral radius gives; the radial curvature 2 eta lambda_1 is confirmed",
        tuple(evidence),
        tuple(controls),
        seconds=time.perf_counter() - t0,
        details={"max_delay_fraction": max(fractions)},
    )


def check_delay_growth(
    profile: Profile, mu_: float = 0.5, eta_: float = 1e-3, fraction: float = 0.8
) -> CheckResult:
    t0 = time.perf_counter()
    problem = Problem.from_eigenvalues(GROWTH_SPECTRUM)
    a = stability.analyse(problem, "gaussian", eta_, mu_)
    tau = int(fraction * a.tau_max)
    runs = profile.runs(400)
    base = measure_stationary(mu_, profile, spectrum=GROWTH_SPECTRUM, etas=(eta_,), runs=runs)
    delayed = measure_stationary(
        mu_, profile, spectrum=GROWTH_SPECTRUM, etas=(eta_,), runs=runs, tau=tau
    )
    evidence, controls = [], []
    for k, mode in enumerate(md for md in a.modes if md.name != "radial"):
        pred = dhb.stationary_variance(mu_, mode.c, tau) / dhb.stationary_variance(mu_, mode.c, 0)
        r = delayed.var[0, k] / base.var[0, k]
        se = r * math.hypot(
            delayed.var_se[0, k] / delayed.var[0, k], base.var_se[0, k] / base.var[0, k]
        )
        basis = (
            f"ratio of time-averaged h_i^2 at tau = {tau} and tau = 0 over {runs} runs each "
            f"(independent), delta-method SE; z = {Z:.2f}"
        )
        evidence.append(
            Evidence(
                f"Var({mode.name}) at tau = {tau} / at tau = 0 (E1: {pred:.4f})",
                pred,
                r,
                Z * se,
                basis,
                se=se,
                origin="claim",
                form="exact",
                statement="stationary variance growth",
                note=f"E1's growth of Var({mode.name}) with the delay",
            )
        )
        controls.append(
            Evidence(f"'the delay does not matter' for {mode.name}", 1.0, r, Z * se, basis, se=se)
        )
    return CheckResult(
        "E1",
        "delay growth",
        f"at tau = {tau} ({fraction:g} of E1's tau_max = {a.tau_max}) each tangential variance "
        "grows by the factor E1's exact recursion predicts",
        tuple(evidence),
        tuple(controls),
        seconds=time.perf_counter() - t0,
        details={
            "mu": mu_,
            "eta": eta_,
            "tau": tau,
            "max_delay_fraction": delay_fraction(tau, GROWTH_SPECTRUM, "gaussian", eta_, mu_),
        },
    )


def check_figure1_boundaries(profile: Profile) -> CheckResult:
    t0 = time.perf_counter()
    data = f1.load_or_compute(profile.experiment, seed=profile.seed)
    rows = ft.table(data)
    m = f1.PRIMARY_MARGIN
    evidence, worst_wrong = [], 0.0
    for r in rows:
        e = r.primary
        pred = r.e1.same_definition_second_order(m)
        tol = Z * e.se + e.spacing
        evidence.append(
            Evidence(
                f"Figure 1's optimal delay at mu = {r.mu:g} vs E1's same-definition prediction",
                float(pred),
                e.value,
                tol,
                f"bootstrap over runs ({e.n_boot} resamples): z SE + the grid spacing "
                f"{e.spacing:g}; E1's prediction: the largest delay whose second-order level "
                f"stays within {1 + m:g}x its tau = 0 value",
                se=e.se,
                ci=e.ci,
                origin="claim",
                form="exact",
                statement="where the error starts to grow",
                note=f"E1's predicted optimal delay {pred} at mu = {r.mu:g}",
            )
        )
        wrong = r.e1.wrong_radial_same_definition[m]
        worst_wrong = max(worst_wrong, abs(e.value - wrong) / tol)
    controls = (
        Evidence(
            "E1 with the radial curvature halved (eta lambda_1), all momenta",
            0.0,
            worst_wrong,
            1.0,
            "max over mu of |tau* - predicted| / (z SE + spacing): passes iff every momentum is "
            "within the same tolerance",
            relation="upper",
        ),
    )
    # a stationary onset and a finite run differ where the radial mode relaxes more slowly
    # than the averaging window: its relaxation time at the predicted onset, reported
    window = f1.iteration_budget().steps * f1.WINDOW
    relax = {}
    for r in rows:
        c_radial = 2 * f1.ETA * f1.SPECTRUM[0]
        rho = float(dhb.spectral_radius(r.mu, c_radial, r.e1.same_definition_second_order(m)))
        relax[r.mu] = 1.0 / (1.0 - rho) if rho < 1 else math.inf
    return CheckResult(
        "E1",
        "figure 1 boundaries",
        "Figure 1's measured optimal delays "
        + ", ".join(f"{r.primary.value:g}" for r in rows)
        + " against E1's same-definition predictions (second order) "
        + ", ".join(str(r.e1.same_definition_second_order(m)) for r in rows)
        + " (E1's boundaries "
        + ", ".join(str(r.e1.tau_max) for r in rows)
        + "); at E1's predicted onsets the radial mode relaxes in "
        + ", ".join(f"{v:.0f}" for v in relax.values())
        + f" updates (Figure 1 averages {window:.0f})",
        tuple(evidence),
        controls,
        seconds=time.perf_counter() - t0,
        details={
            "scale": profile.experiment,
            "radial_relaxation_at_onset": {str(k): v for k, v in relax.items()},
            "averaging_window": window,
            "max_delay_fraction": max(
                float(c.delays.max()) / max(r.e1.tau_max, 1)
                for c, r in zip(data.curves, rows, strict=True)
            ),
        },
    )


# --- the stationary level to second order (issue 16) -----------------------------------------

# The expansion's domain, stated before looking at a run: the relative correction c = 2nd/E1 - 1
# small enough that the third-order term (about 4 c^2 in the benchmark's fit, 0.5% at |c| =
# 0.035) stays below the full profile's tolerance. Points beyond it are reported as findings.
LEVEL_DOMAIN = sl.LEVEL_DOMAIN  # LEVEL_DOMAIN_TEXT in the statement
# (setting, mu, delay as a fraction of E1's boundary, family): Figure 1's spectrum with Gaussian
# and bounded data, a wide and a narrow gap, and a random (uniform) delay of C11
LEVEL_POINTS: tuple[tuple[str, float, float, str], ...] = (
    ("figure1", 0.5, 0.0, "constant"),
    ("figure1", 0.7, 0.5, "constant"),
    ("figure1-ball", 0.7, 0.75, "constant"),
    ("d6-wide-gap", 0.9, 0.5, "constant"),
    ("d3-narrow-gap", 0.5, 0.75, "constant"),
    ("figure1", 0.7, 0.5, "uniform"),
)
# beyond the domain: strong momentum, and close to the boundary
OUTSIDE_POINTS: tuple[tuple[str, float, float, str], ...] = (
    ("figure1", 0.95, 0.0, "constant"),
    ("figure1", 0.9, 0.88, "constant"),
)
# the eta scan: Figure 1's spectrum at mu = 0.7, no delay; runs per eta (the smallest residual
# needs the most); window 1000 relaxation times per run
SCAN = ("figure1", 0.7, (4e-3, 2.83e-3, 2e-3, 1.41e-3), (400, 400, 800, 1600), 1000.0)
ORDER_WINDOW = 0.5  # order in [1.5, 2.5]: separates eta^2 from E1's eta^1 and from eta^3


def _law(setting_name: str, mu_: float, fraction: float, family: str) -> object:
    from theory import random_delays as rd

    s, eta_ = sl.setting(setting_name)
    a = stability.analyse(s.problem, s.distribution, eta_, mu_, family)
    p = round(fraction * a.tau_max)
    return s, eta_, (p if family == "constant" else rd.uniform(p)), p, a.tau_max


def _level_item(c: sl.Comparison, fraction: float, **meta: object) -> Evidence:
    pred = c.predicted_second_order
    m = c.measurement
    return Evidence(
        f"level at {c.setting.name}, mu = {c.mu:g}, {c.delay} ({fraction:.2f} of the boundary "
        f"{c.boundary}): second order {pred:.5g} (E1 {c.predicted_first_order:.5g}, correction "
        f"{c.prediction.relative_correction:+.1%})",
        pred,
        c.simulated,
        Z * c.se,
        f"mean over {m.runs} independent runs of the time-averaged ||v - v1||^2 ({m.window} "
        f"updates after {m.burn_in}), SE over runs; z = {Z:.2f}, no other allowance",
        se=c.se,
        **meta,
    )


def check_level(profile: Profile) -> CheckResult:
    """E1's stationary level to second order against the simulation (issue 16), z SE only."""
    t0 = time.perf_counter()
    runs = profile.runs(300)
    evidence, findings, fractions, rows = [], [], [], []
    for group, points in (("claim", LEVEL_POINTS), ("interpretation", OUTSIDE_POINTS)):
        for name, mu_, frac, family in points:
            s, eta_, delay, p, tmax = _law(name, mu_, frac, family)
            c = sl.compare(s, eta_, mu_, delay, runs=runs, seed=profile.seed)
            corr = abs(c.prediction.relative_correction)
            inside = corr <= LEVEL_DOMAIN
            if group == "claim" and not inside:
                raise RuntimeError(f"{name} mu = {mu_}: correction {corr:.3f} outside the domain")
            meta = (
                {"origin": "claim", "form": "exact", "statement": "stationary level"}
                if inside
                else {
                    "origin": "interpretation",
                    "note": f"beyond the expansion's domain (|correction| {corr:.1%} > "
                    f"{LEVEL_DOMAIN:.1%}): off by {c.rel_error:+.1%}",
                }
            )
            item = _level_item(c, p / tmax if tmax else 0.0, **meta)
            (evidence if inside else findings).append(item)
            fractions.append(p / tmax if tmax else 0.0)
            rows.append(c.as_dict())
    worst = max(evidence, key=lambda e: abs(e.measured / e.theory - 1))
    claim_rows = rows[: len(evidence)]
    first_off = max(
        abs(r["simulated"] - r["predicted_first_order"]) / (Z * r["se"]) for r in claim_rows
    )
    controls = (
        Evidence(
            "E1 alone (first order) at every point of the domain",
            0.0,
            first_off,
            1.0,
            "max over the points of |simulated - E1| / (z SE): passes iff E1 alone is within "
            "the claim's tolerance everywhere (E1's error there is 1-1.5x the check's MDD)",
            relation="upper",
            near_miss=True,
        ),
    )
    return CheckResult(
        "E1",
        "stationary level",
        f"E1's second-order level at {len(evidence)} points inside the expansion's domain "
        f"(|correction| <= {LEVEL_DOMAIN:.1%}; 4 settings, mu 0.5-0.9, delays 0-0.75 of the "
        f"boundary, one uniform random delay): largest relative error "
        f"{worst.measured / worst.theory - 1:+.2%}; beyond the domain "
        + ", ".join(
            f"{r['setting']} mu = {r['mu']:g}, {r['delay']}: {r['rel_error']:+.1%}"
            for r in rows[len(evidence) :]
        )
        + f" ({runs} runs per point)",
        tuple(evidence) + tuple(findings),
        controls,
        seconds=time.perf_counter() - t0,
        details={"points": rows, "max_delay_fraction": max(fractions), "domain": LEVEL_DOMAIN},
    )


def check_level_order(profile: Profile) -> CheckResult:
    """The second-order level's residual shrinks like eta^2 (a convergence-order check: the
    fitted order in a window, as diffrax's SDE tests do); E1's own residual is the near miss."""
    t0 = time.perf_counter()
    name, mu_, etas, runs, window = SCAN
    s, _ = sl.setting(name)
    scan = sl.eta_scan(
        s, mu_, etas, 0, runs=[profile.runs(r) for r in runs], seed=profile.seed, window=window
    )
    second, first = scan.second_order, scan.first_order
    used = [c.measurement.runs for c in scan.comparisons]
    basis = (
        f"weighted least squares of log|predicted/simulated - 1| on log eta over eta = "
        f"{', '.join(f'{e:g}' for e in etas)} ({'/'.join(str(n) for n in used)} runs; "
        f"{window:g} relaxation times each); window: order within {ORDER_WINDOW} of 2"
    )
    evidence = (
        Evidence(
            f"order of the second-order level's residual at {name}, mu = {mu_:g}",
            2.0,
            second.order,
            ORDER_WINDOW,
            basis,
            se=second.se,
            origin="claim",
            form="asymptotic",
            mismatch="exponent",
            mdd_kind="exponent",
            statement="stationary level",
            note="the second-order level is accurate to O(eta^2)",
        ),
        Evidence(
            "the fit resolves the order: z SE <= the window",
            ORDER_WINDOW,
            Z * second.se,
            0.0,
            f"z = {Z:.2f} times the fit's SE {second.se:.3f}",
            relation="upper",
        ),
    )
    controls = (
        Evidence(
            "E1 alone: its residual shrinks like eta^2 too",
            2.0,
            first.order,
            ORDER_WINDOW,
            basis,
            se=first.se,
            mdd_kind="exponent",
            near_miss=True,
        ),
    )
    return CheckResult(
        "E1",
        "level order",
        f"the second-order level's relative residual shrinks like eta^{second.order:.2f} +- "
        f"{second.se:.2f} (E1 alone: eta^{first.order:.2f} +- {first.se:.2f}) at {name}, "
        f"mu = {mu_:g}",
        evidence,
        controls,
        seconds=time.perf_counter() - t0,
        details={"scan": scan.as_dict()},
    )


def check_joint(profile: Profile) -> CheckResult:
    """E1 at joint (mu, eta, tau) draws up to 0.9 tau_E1 (issue 13; module docstring)."""
    from checks.joint_draws import check_spread

    return check_spread(profile, "E1")


CHECKS = (
    Check("boundary", check_boundary, "simulation"),
    Check("delay growth", check_delay_growth, "simulation"),
    Check("figure 1 boundaries", check_figure1_boundaries, "experiment"),
    Check("stationary level", check_level, "simulation"),
    Check("level order", check_level_order, "simulation"),
    Check("joint draws", check_joint, "simulation"),
)
EXPECTED_VERDICT = Verdict.DISCREPANCY
CLAIM = Claim(
    STATEMENT, CHECKS, EXPECTED_VERDICT, derive=derive, expected_derivation=EXPECTED_DERIVATION
)
