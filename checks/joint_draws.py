r"""One joint (mu, eta, tau) draw of a claim (issue 13), what checks/test_properties.py asserts.

A draw is a point of the unit cube (u_mu, u_eta, f, u_in), mapped to

* mu = :data:`MU_MAX` u_mu;
* eta, log-uniform over [eta_hi/3, eta_hi] with eta_hi = min(the claim's largest step,
  :data:`DELTA_MAX` (1-mu)(lambda_1-lambda_2)/lambda_1^2): E1's expansion parameter
  delta = eta lambda_1^2/((1-mu)(lambda_1-lambda_2)) stays small, where E1's second-order level
  is accurate (:mod:`theory.second_order`), and eta ~ (1-mu) as Propositions 6, 8 and 10 take
  it; for C5, eta_hi = 2e-3 (1-mu), so that Proposition 6's eps stays below 1/4;
* tau = round(f tau_E1(mu, eta)), f in [0, :data:`F_MAX`]: anywhere in the stable range of the
  binding mode (E1's boundary of the drawn spectrum and data model);
* tau_in = floor(u_in region(mu, eta)): inside the claim's measured validity region.

At each draw:

* **inside the region** (tau_in): the delay's effect on the claim's own quantity is within the
  claim check's statistical tolerance, at the check's ci run count (the region's)
  (:class:`checks.delay_effect.Effect`, ``stat <= 1``, up to z SE of these paired runs; the SE
  carries the noise of the tolerance, which is estimated from the same runs). The
  region is the ci map's fitted tau_valid_stat (:data:`checks.validity.PINNED_FITS`, measured
  with ``asyncmsgd validity``, C8's too), lowered by twice the fit's scatter; C5 uses C4's
  (Phase III is Theorem 5's regime). The region is known only where it was measured: this
  item runs on the map's spectrum and data model (the drawn (mu, eta, tau_in) jointly), not on
  the drawn ones. (A transfer to another spectrum by the curvature ratio was tried and is not
  conservative: C4 on uniform-sphere data, spectrum (5.69, 3.79, 2.77, 1), mu = 0, eta = 8.1e-4
  failed at 0.94 of the transferred region);
* **everywhere** (tau): the measured stationary error E||v - v1||^2 at tau over tau = 0 follows
  E1's predicted growth (:func:`checks.delay_effect.e1_growth`); for a transient claim its
  quantity at tau is simulated too and reported (not asserted: outside the region the
  prediction is not expected to hold).

``max_delay_fraction`` is the largest simulated delay over tau_E1 at the draw.

**The registered check** ("joint draws" in the CHECKS of C3, C4, C5, C7, C8, C9, C14 and E1;
:func:`check_spread`): the same per-draw function at a fixed spread of draws (:data:`SPREAD`,
:func:`spread`): the two corners (mu = 0 at the largest step, the largest mu at the smallest
step, both at 0.9 of E1's boundary and at the top of the region) and a middle draw (at half the
boundary, on another spectrum or data model where the claim depends on them), so that every
claim's verdict carries evidence up to 0.9 tau_E1. The property tests of
checks/test_properties.py explore other draws with Hypothesis: the corners are the registered
check's, not simulated twice.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass

from checks import delay_effect as de
from checks.delay_range import e1_tau_max
from checks.profile import Profile, Z
from checks.results import CheckResult, Evidence

MU_MAX = 0.85
F_MAX = 0.9
DELTA_MAX = 0.04
ETA_MAX = {"C3": 4e-3, "C4": 2e-3, "C7": 2e-3, "C8": 2e-3, "C9": 2e-3, "C14": 2e-3, "E1": 3e-3}
PHASE3_ETA = 2e-3  # C5: eta_hi = 2e-3 (1-mu), Proposition 6's eps below 1/4
REGION_OF = {"C3": "C3", "C4": "C4", "C5": "C4", "C7": "C7", "C8": "C8", "C9": "C9", "C14": "C14"}
# paired runs per cell at profile scale 1
RUNS = {"C3": 250, "C4": 50, "C5": 400, "C7": 300, "C8": 1200, "C9": 1200, "C14": 50, "E1": 40}
STATIONARY_RUNS = 32  # the E1-growth pair of a transient claim (its tolerance is E1's bias)
CLAIMS = tuple(RUNS)
ETA_RANGE = 3.0  # eta log-uniform over [eta_hi / 3, eta_hi]


@dataclass(frozen=True)
class Draw:
    claim: str
    mu: float
    eta: float
    tau: int  # anywhere in the stable range
    tau_in: int  # inside the measured validity region
    tau_e1: int
    region: float
    spectrum: tuple[float, ...]
    distribution: str

    @property
    def fraction(self) -> float:
        return self.tau / max(self.tau_e1, 1)


def ratio(spectrum) -> float:
    """2 lambda_1/(lambda_1 - lambda_d): the radial over the largest tangential curvature."""
    return 2.0 * spectrum[0] / (spectrum[0] - spectrum[-1])


def region(claim: str, mu: float, eta: float, spectrum, tau_e1: int) -> float:
    """The pinned validity region (tau_valid_stat) of the claim at (mu, eta), conservative."""
    from checks.validity import PINNED_FITS

    key = REGION_OF.get(claim)
    if key is None or key not in PINNED_FITS:
        return 0.0
    log_k, a, b, scatter = PINNED_FITS[key]
    fit = math.exp(log_k + a * math.log(1.0 - mu) - b * math.log(eta) - 2.0 * scatter)
    transfer = min(1.0, ratio(spectrum) / ratio(de.SPECTRUM))
    return min(fit * transfer, F_MAX * tau_e1)


def from_unit(
    claim: str,
    u_mu: float,
    u_eta: float,
    f: float,
    u_in: float,
    spectrum: tuple[float, ...] | None = None,
    distribution: str | None = None,
) -> Draw:
    """The draw of a point of the unit cube (module docstring)."""
    s = de.get_setting(claim).with_setting(spectrum, distribution)
    lam = s.spectrum
    mu = MU_MAX * min(max(u_mu, 0.0), 1.0)
    if claim == "C5":
        hi = PHASE3_ETA * (1.0 - mu)
    else:
        hi = min(ETA_MAX[claim], DELTA_MAX * (1.0 - mu) * (lam[0] - lam[1]) / lam[0] ** 2)
    eta = hi * ETA_RANGE ** (min(max(u_eta, 0.0), 1.0) - 1.0)
    t_e1 = e1_tau_max(tuple(lam), s.distribution, eta, mu)
    tau = round(min(max(f, 0.0), F_MAX) * t_e1)
    home = de.get_setting(claim)  # where the region was measured
    t_home = e1_tau_max(tuple(home.spectrum), home.distribution, eta, mu)
    reg = region(claim, mu, eta, home.spectrum, t_home)
    tau_in = math.floor(min(max(u_in, 0.0), 1.0) * reg)
    return Draw(claim, mu, eta, tau, tau_in, t_e1, reg, tuple(lam), s.distribution)


def joint_check(profile: Profile, draw: Draw) -> CheckResult:
    """The claim at one draw: the delay's effect inside the region, E1's growth everywhere."""
    t0 = time.perf_counter()
    s = de.get_setting(draw.claim).with_setting(draw.spectrum, draw.distribution)
    runs = profile.runs(RUNS[draw.claim])
    evidence: list[Evidence] = []
    controls: list[Evidence] = []
    details: dict[str, object] = {"draw": asdict(draw)}
    simulated = [0]
    done: dict[str, object] = {}  # cells by key: a pair's tau = 0 cell is simulated once

    def run(cells):
        todo = [c for c in cells if c.key not in done]
        for c, r in zip(todo, de.run_cells(todo, profile.engine), strict=True):
            done[c.key] = r
        return [done[c.key] for c in cells]

    where = f"mu = {draw.mu:.3g}, eta = {draw.eta:.3g}"
    stationary = s.kind == "stationary"
    if draw.claim != "E1":
        # the tolerance at the check's ci run count: the one the pinned region was measured at;
        # a stationary claim's pair is sized for tau, so that it shares the far pair's tau = 0
        home = de.get_setting(draw.claim)  # the region's own spectrum and data model
        same = home.spectrum == s.spectrum and home.distribution == s.distribution
        eff, _, _ = de.measure(
            home,
            draw.mu,
            draw.eta,
            draw.tau_in,
            profile,
            runs=runs,
            runner=run,
            check_runs=home.check_runs,
            design_tau=(draw.tau if same else draw.tau_in) if stationary else 0,
        )
        simulated.append(draw.tau_in)
        g, se = eff.criterion("stat")
        evidence.append(
            Evidence(
                f"{draw.claim}: inside the measured validity region (tau = {draw.tau_in} <= "
                f"{draw.region:.3g}; the map's spectrum and {home.distribution} data), the delay's "
                f"effect within the check's tolerance, {where}",
                1.0,
                g,
                Z * se,
                f"paired runs ({runs}) at tau = {draw.tau_in} and 0; the criterion |effect| / "
                f"(z SE_check) <= 1 + z SE, z = {Z:.2f}; SE with the noise of SE_check, "
                "estimated from the same runs",
                se=se,
                relation="upper",
                origin="claim",
                form="bound",
                statement="the prediction holds inside its validity region",
            )
        )
        details["inside"] = eff.as_dict()
        if s.kind != "stationary":
            far, _, _ = de.measure(s, draw.mu, draw.eta, draw.tau, profile, runs=runs, runner=run)
            simulated.append(draw.tau)
            details["at_tau"] = far.as_dict()
    twin = de.stationary_twin(s)
    st_runs = runs if stationary else profile.runs(STATIONARY_RUNS)
    pair = de.cells(twin, draw.mu, draw.eta, draw.tau, runs=st_runs, seed=profile.seed)
    ref, delayed = run(list(pair))
    simulated.append(draw.tau)
    growth = de.e1_growth(twin, draw.mu, draw.eta, draw.tau, ref, delayed)
    evidence.append(
        growth.evidence(
            f"{draw.claim}: E||v - v1||^2 at tau = {draw.tau} ({draw.fraction:.2f} of tau_E1 = "
            f"{draw.tau_e1}) over tau = 0 vs E1's growth {growth.predicted:.4g}, {where}",
            origin="claim" if draw.claim == "E1" else "toolkit",
            form="exact",
            statement="stationary error growth",
        )
    )
    if draw.tau > 0 and abs(growth.predicted - 1.0) > 3 * growth.evidence("x").tolerance:
        # only where E1's growth is resolved: the delay does matter
        controls.append(
            Evidence(
                f"'the delay does not change the stationary error' at tau = {draw.tau}",
                1.0,
                growth.measured,
                growth.evidence("x").tolerance,
                "as the growth item",
                se=growth.se,
            )
        )
    if stationary and draw.claim != "E1":
        eff_far = de.effect(
            s,
            draw.mu,
            draw.eta,
            draw.tau,
            ref,
            delayed,
            check_runs=s.check_runs,
            seed=profile.seed,
        )
        details["at_tau"] = eff_far.as_dict()
    details["growth"] = asdict(growth)
    details["max_delay_fraction"] = max(simulated) / max(draw.tau_e1, 1)
    return CheckResult(
        draw.claim,
        "joint draw",
        f"{draw.claim} at {where}, tau_in = {draw.tau_in}, tau = {draw.tau} "
        f"({draw.fraction:.2f} of tau_E1)",
        tuple(evidence),
        tuple(controls),
        seconds=time.perf_counter() - t0,
        details=details,
    )


def spectrum_of(gaps) -> tuple[float, ...]:
    """The spectrum (lambda_1 > ... > lambda_d = 1) with the given gaps, largest first."""
    lam = [1.0]
    for g in reversed(list(gaps)):
        lam.insert(0, lam[0] + g)
    return tuple(lam)


# --- the registered check: a fixed spread of draws ---------------------------------------------

# points of the unit cube: the corners at 0.9 tau_E1 (as the property tests had them), the middle
# at half the boundary
CORNERS: tuple[Mapping[str, float], ...] = (
    {"u_mu": 0.0, "u_eta": 1.0, "f": 0.9, "u_in": 1.0},  # mu = 0, the largest step
    {"u_mu": 1.0, "u_eta": 0.0, "f": 0.9, "u_in": 1.0},  # mu = MU_MAX, the smallest step
)
MIDDLE: Mapping[str, float] = {"u_mu": 0.5, "u_eta": 0.5, "f": 0.5, "u_in": 0.6}
SPREAD: tuple[Mapping[str, float], ...] = (*CORNERS, MIDDLE)
# the spectrum and data model of each draw of SPREAD, where the claim depends on them (the
# corners on the claim's own setting, the middle on another; None: the claim's own)
SPREAD_SETTINGS: dict[str, tuple[tuple[tuple[float, ...] | None, str | None], ...]] = {
    "C4": (
        ((4.0, 3.0, 2.0, 1.0), "rademacher"),
        ((4.0, 3.0, 2.0, 1.0), "rademacher"),
        (spectrum_of((0.5, 1.5, 1.0)), "uniform-sphere"),
    ),
    "C9": ((None, "rademacher"), (None, "rademacher"), (None, "uniform-ball")),
    "C14": (
        ((4.0, 3.0, 2.0, 1.0), None),
        ((4.0, 3.0, 2.0, 1.0), None),
        (spectrum_of((1.5, 0.8)), None),
    ),
    "E1": (
        ((4.0, 3.0, 2.0, 1.0), "gaussian"),
        ((4.0, 3.0, 2.0, 1.0), "gaussian"),
        (spectrum_of((2.0, 0.7, 0.5)), "rademacher"),
    ),
}


def spread(claim: str) -> tuple[Draw, ...]:
    """The registered check's draws of ``claim`` (:data:`SPREAD`, :data:`SPREAD_SETTINGS`)."""
    settings = SPREAD_SETTINGS.get(claim, ((None, None),) * len(SPREAD))
    return tuple(
        from_unit(claim, **point, spectrum=lam, distribution=dist)
        for point, (lam, dist) in zip(SPREAD, settings, strict=True)
    )


def failures(result: CheckResult) -> list[str]:
    """What a joint draw's result gets wrong: an error, a failing item, an accepted control."""
    if result.errored:
        return [str(result.details.get("error"))]
    return [e.describe() for e in result.evidence if not e.passed] + [
        f"control accepted: {c.describe()}" for c in result.controls if c.passed
    ]


def _spectra(draws: tuple[Draw, ...]) -> tuple[float, ...] | str:
    """The draws' spectrum, or each distinct one with the draws it is used at."""
    names = ("corner mu = 0", "corner mu = max", "middle")
    spectra = dict.fromkeys(d.spectrum for d in draws)
    if len(spectra) == 1:
        return draws[0].spectrum
    return "; ".join(
        ", ".join(f"{x:g}" for x in lam)
        + " ("
        + ", ".join(n for n, d in zip(names, draws, strict=False) if d.spectrum == lam)
        + ")"
        for lam in spectra
    )


def check_spread(profile: Profile, claim: str) -> CheckResult:
    """The registered "joint draws" check of ``claim`` (issue 13): :func:`joint_check` at each
    draw of :func:`spread`, their evidence and controls together (each item names its draw).
    Inside the claim's measured validity region the claim's prediction holds within its
    statistical tolerance (z SE); at every draw, up to 0.9 tau_E1, the stationary error
    follows E1's growth with the delay."""
    if claim not in CLAIMS:
        raise ValueError(f"no joint draws for {claim!r}: one of {', '.join(CLAIMS)}")
    t0 = time.perf_counter()
    draws = spread(claim)
    where = "; ".join(
        f"mu = {d.mu:.3g}, eta = {d.eta:.3g}, tau = {d.tau} ({d.fraction:.2f} tau_E1)"
        for d in draws
    )
    results = [joint_check(profile, d) for d in draws]
    fractions = [r.max_delay_fraction or 0.0 for r in results]
    inside = (
        "inside the measured validity region the delay's effect is within the check's tolerance; "
        if claim != "E1"
        else ""
    )
    return CheckResult(
        claim,
        "joint draws",
        f"{claim} at {len(results)} joint (mu, eta, tau) draws ({where}): "
        f"{inside}the stationary error follows E1's growth with the delay",
        tuple(e for r in results for e in r.evidence),
        tuple(c for r in results for c in r.controls),
        seconds=time.perf_counter() - t0,
        details={
            # the settings the report's card shows (reports/settings.py reads these keys)
            "mus": [d.mu for d in draws],
            "etas": [float(f"{d.eta:.3g}") for d in draws],
            "taus": [d.tau for d in draws],
            "tau_e1": [d.tau_e1 for d in draws],
            "tau_inside": [d.tau_in for d in draws],
            "spectrum": _spectra(draws),
            "distribution": ", ".join(dict.fromkeys(d.distribution for d in draws)),
            "runs": profile.runs(RUNS[claim]),
            "draws": [r.details for r in results],
            "max_delay_fraction": max(fractions, default=0.0),
        },
    )
