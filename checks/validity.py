r"""Validity maps (issue 13): the largest delay at which a claim's delay-free prediction holds.

For a claim (C3, C4, C7, C9, C14: :data:`MAP_CLAIMS`) and a grid of momenta and step sizes, the
map measures at each (mu, eta)

* ``tau_e1``: E1's exact stability boundary of eq. (5) (the binding radial mode,
  :func:`checks.delay_range.e1_tau_max`);
* ``tau_valid_stat``: the largest delay at which the claim's own check, at its run count and
  with the suite's Bonferroni z, could not tell the delay's effect on its quantity from none
  (:class:`checks.delay_effect.Effect` ``stat <= 1``);
* ``tau_valid_band``: the largest delay at which the quantity moved by at most 5 %
  (``band <= 1``);

each by bisection on tau with the simulator, over [0, 0.9 tau_e1] (:data:`CAP_FRACTION`: E1's
relaxation time diverges at the boundary, so a stationary average there would need runs without
end; a delay valid up to the cap is reported as censored, a lower bound). The search bisects
geometrically (relative precision :data:`PRECISION`), then simulates 0.7x, 0.85x, 1.15x and
1.3x the crossing. The crossing is interpolated linearly between the last delay that holds and
the first that does not; its 95 % interval runs between the nearest simulated delays whose
criterion is significantly (1.96 paired SEs) below and above the threshold, which assumes only
that the delay's effect grows with the delay.

**Fits.** log tau_valid = log K + a log(1-mu) - b log eta, weighted least squares with weights
from each point's interval (censored and zero points left out), SEs inflated by
sqrt(chi^2/dof) when the power law does not describe the map within its noise; 95 % CIs. The
same fit of tau_e1 gives E1's exponents; the paper's exponents come from its conditions
(:data:`theory.delays.CONDITIONS`, the sup over gamma, gamma -> 0, which admits the largest
delays): C3 and C7 tau <~ (1-mu)^2/(lambda_1 eta^(1-gamma)), a = 2, b -> 1; C4 and C9
tau ~ (1-mu)^2/((lambda_1 + C_d) eta^(1/2-gamma)), a = 2, b -> 1/2. Nothing here assumes
either: the exponents are measured.

**The paper's condition at explicit constants.** The conditions hold "up to a constant" (<~,
~): the toolkit sets the constant to 1 and says so, and reports the constant kappa =
tau_valid/condition at which the condition would meet the measured boundary (its smallest value
over the grid: the largest constant for which the condition stays sufficient at every tested
point). A censored point (valid up to the cap) bounds kappa from below only, and from above by
E1's boundary, beyond which no prediction holds: kappa is then reported as an interval, and the
condition as inside the measured region, outside it, or undecided (:meth:`ValidityMap.kappa`).
With Gaussian data C_d is infinite and C4's condition admits only tau = 0; those maps
are labelled outside A2, and the bounded models of :mod:`theory.distributions` give finite
C_d (||X|| <= C_d, A2 as printed).

**Evidence** (:func:`map_evidence`, :func:`check_validity`): the paper's statement and the
toolkit's measurement are kept apart as the verdict rule says. Whether the condition at
constant 1 is sufficient, and the measured exponents set beside the paper's and E1's, are
``interpretation`` items: the paper states a sufficient condition with an unknown constant, not
where its prediction stops holding, so a failure there adds a finding, never a verdict. Each
map has near-miss negative controls: a validity boundary claimed 30 % larger than measured
must fail at that delay, and the measured exponent moved by twice its minimum detectable
deviation must be rejected (:func:`checks.power.near_miss`).

Runs go through the resumable result store (:func:`simulate.runner.cached_results`) when a
store is given, so an interrupted map resumes; every seed is the profile's root seed.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import sympy as sp

from checks import delay_effect as de
from checks.delay_effect import Z95, ClaimSetting, Effect
from checks.power import near_miss, with_power
from checks.profile import Profile, Z
from checks.results import CheckResult, Evidence
from simulate.records import ConfigResult
from theory import delays
from theory.distributions import get_model
from theory.symbols import eta as eta_sym
from theory.symbols import gamma as gamma_sym
from theory.symbols import mu as mu_sym
from theory.validation import ParameterError, check_eta, check_mu

MAP_CLAIMS = ("C3", "C4", "C7", "C9", "C14")  # the maps of issue 13 (and of the report)
# C8's map: its quantity (Var U_1 at the saddle) reacts to a delay sooner than C9's escape law,
# so its property draws need a region of their own
CLAIMS = (*MAP_CLAIMS, "C8")
SENSES = ("stat", "band")
CAP_FRACTION = 0.9
PRECISION = 0.05  # the bisection stops when the bracket is within 5 % of its lower end
CI_FACTORS = (0.7, 0.85, 1.15)  # extra delays around each crossing, for its interval
CONTROL_FACTOR = 1.3  # the near-miss control: a boundary claimed 30 % larger than measured
MUS = {"ci": (0.0, 0.3, 0.6, 0.8), "full": (0.0, 0.3, 0.6, 0.8, 0.9)}
ETAS = {"ci": (2e-3, 1e-3, 5e-4), "full": (2e-3, 1e-3, 5e-4, 2.5e-4)}
# paired runs per cell at profile scale 1 (common random numbers make paired differences
# precise; the claim check's own SE, which sets the stat tolerance, is scaled to its run count)
MAP_RUNS = {"C3": 400, "C4": 64, "C7": 1500, "C9": 3000, "C14": 64, "C8": 3000}
# the data models each map runs on: the claim's A2 model first (its JSON's top level), then
# Gaussian data, labelled outside A2 where the claim assumes A2
# (kappa on every bounded model is measured at one point, :func:`kappa_by_model`)
MODELS = {
    "ci": {
        "C3": ("gaussian",),
        "C4": ("rademacher", "gaussian"),
        "C7": ("gaussian",),
        "C9": ("rademacher", "gaussian"),
        "C14": ("gaussian",),
        "C8": ("gaussian",),
    },
    "full": {
        "C3": ("gaussian",),
        "C4": ("rademacher", "gaussian"),
        "C7": ("gaussian",),
        "C9": ("rademacher", "gaussian"),
        "C14": ("gaussian",),
        "C8": ("gaussian",),
    },
}
A2_CLAIMS = ("C4", "C9")  # claims whose maps run on bounded data first (A2: ||X|| <= C_d)

Runner = Callable[[Sequence], list[ConfigResult]]
Progress = Callable[[str], object]


def check_claim(claim: str) -> str:
    if claim not in CLAIMS:
        raise ParameterError("claim", claim, "one of " + ", ".join(CLAIMS))
    return claim


def check_grid(mus: Sequence[float], etas: Sequence[float]) -> tuple[tuple, tuple]:
    """Momenta in [0, 1) and step sizes > 0 (clear errors otherwise), sorted, distinct."""
    m = tuple(sorted({check_mu(x) for x in mus}))
    e = tuple(sorted({check_eta(x) for x in etas}, reverse=True))
    if not m or not e:
        raise ParameterError("grid", (mus, etas), "at least one momentum and one step size")
    return m, e


# --- the paper's condition ---------------------------------------------------------------------


def c_d(distribution: str, spectrum: Sequence[float]) -> float:
    """C_d of A2 (||X|| <= C_d) for a data model; inf for Gaussian data."""
    from theory.problem import Problem

    return float(get_model(distribution).C_d(Problem.from_eigenvalues(spectrum))[0])


def condition_delay(s: ClaimSetting, mu: float, eta: float, constant: float = 1.0) -> float:
    """The paper's condition for the claim at constant ``constant`` and gamma -> 0 (the sup
    over gamma: the largest delay it admits at eta < 1); nan when the claim states none, 0
    when it needs A2 and the data are unbounded."""
    if s.condition is None:
        return math.nan
    cond = delays.CONDITIONS[s.condition]
    names = {a.name for a in cond.formula.args}
    values: dict[str, float] = {"mu": mu, "eta": eta, "gamma": 0.0}
    if "lambda_1" in names:
        values["lambda_1"] = s.spectrum[0]
    if "C_d" in names:
        cd = c_d(s.distribution, s.spectrum)
        if not math.isfinite(cd):
            return 0.0
        values["C_d"] = cd
    return constant * float(cond.formula(*cond.formula.kwargs(**values)))


def paper_exponents(s: ClaimSetting) -> dict[str, object] | None:
    """The condition's exponents (a of (1-mu), b of 1/eta) from its SymPy formula: at
    gamma -> 0 and the range over the admissible gamma."""
    if s.condition is None:
        return None
    cond = delays.CONDITIONS[s.condition]
    expr = cond.formula.expr

    def b_at(g: sp.Expr) -> float:
        e = expr.subs(gamma_sym, g)
        return float(sp.simplify(-sp.diff(sp.log(e), eta_sym) * eta_sym))

    a = float(sp.simplify(sp.diff(sp.log(expr), mu_sym) * (mu_sym - 1)))
    return {
        "mu": a,
        "eta": b_at(sp.Integer(0)),
        "eta_range": [b_at(cond.gamma_max), b_at(sp.Integer(0))],
        "gamma": f"-> 0 (gamma in (0, {cond.gamma_max}]; the sup over gamma)",
        "condition": f"tau {cond.relation} {sp.sstr(expr)}",
        "source": cond.source,
        "constant": 1.0,
    }


# --- one point: bisection ----------------------------------------------------------------------


@dataclass
class PointSearch:
    """The bisection state of one (mu, eta): the delays simulated and both brackets."""

    mu: float
    eta: float
    tau_e1: int
    cap: int
    memo: dict[int, Effect] = field(default_factory=dict)
    lo: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SENSES, 0))
    hi: dict[str, int | None] = field(default_factory=lambda: dict.fromkeys(SENSES, None))
    done: dict[str, bool] = field(default_factory=lambda: dict.fromkeys(SENSES, False))
    started: bool = False
    extras: bool = False

    def g(self, tau: int, sense: str) -> tuple[float, float]:
        if tau == 0:
            return 0.0, 0.0  # no delay, no effect
        return self.memo[tau].criterion(sense)

    def proposals(self) -> set[int]:
        """The delays to simulate next (empty when the search is over)."""
        if self.cap <= 0:
            self.done = dict.fromkeys(SENSES, True)
            self.extras = True
            return set()
        if not self.started:
            return {self.cap}
        out: set[int] = set()
        for sense in SENSES:
            if self.done[sense]:
                continue
            lo, hi = self.lo[sense], self.hi[sense]
            if hi is None or hi - lo <= max(1, math.ceil(PRECISION * lo)):
                self.done[sense] = True
                continue
            mid = hi // 2 if lo == 0 else round(math.sqrt(lo * hi))
            mid = min(max(mid, lo + 1), hi - 1)
            if mid in self.memo:  # the other sense simulated it: use it now
                self._update(sense, mid)
                return self.proposals()
            out.add(mid)
        if not out and not self.extras:
            self.extras = True
            for sense in SENSES:
                c = self.crossing(sense)
                if self.hi[sense] is None or not math.isfinite(c):
                    continue
                for f in (*CI_FACTORS, CONTROL_FACTOR):
                    t = round(f * c)
                    if 0 < t <= self.cap and t not in self.memo:
                        out.add(t)
        return out

    def _update(self, sense: str, tau: int) -> None:
        if self.memo[tau].holds(sense):
            self.lo[sense] = max(self.lo[sense], tau)
        else:
            self.hi[sense] = tau if self.hi[sense] is None else min(self.hi[sense], tau)

    def add(self, tau: int, eff: Effect) -> None:
        self.memo[tau] = eff
        if tau == self.cap and not self.started:
            self.started = True
            for sense in SENSES:
                self._update(sense, tau)
            return
        for sense in SENSES:
            lo, hi = self.lo[sense], self.hi[sense]
            if not self.done[sense] and lo < tau and (hi is None or tau < hi):
                self._update(sense, tau)

    def crossing(self, sense: str) -> float:
        """The interpolated delay at which the criterion crosses 1 (the cap when censored)."""
        lo, hi = self.lo[sense], self.hi[sense]
        if hi is None:
            return float(self.cap)
        g_lo, _ = self.g(lo, sense)
        g_hi, _ = self.g(hi, sense)
        if not (math.isfinite(g_hi) and g_hi > g_lo):
            return float(lo)
        return lo + (1.0 - g_lo) / (g_hi - g_lo) * (hi - lo)

    def interval(self, sense: str) -> tuple[float, float]:
        """95 % interval of the crossing: the nearest simulated delays significantly below
        and above the threshold (monotone effect assumed); the upper end is inf if censored."""
        c = self.crossing(sense)
        lower, upper = 0.0, math.inf
        for tau in sorted({0, *self.memo}):
            g, se = self.g(tau, sense)
            if tau <= c and g + Z95 * se < 1.0:
                lower = max(lower, float(tau))
            if tau >= c and g - Z95 * se > 1.0:
                upper = min(upper, float(tau))
        return lower, upper


@dataclass(frozen=True)
class ValidityPoint:
    """One (mu, eta) of a map."""

    mu: float
    eta: float
    tau_e1: int
    cap: int
    tau_valid: dict[str, int]  # largest simulated delay that holds, per sense
    crossing: dict[str, float]
    ci: dict[str, tuple[float, float]]
    censored: dict[str, bool]
    tau_condition: float  # the paper's condition at constant 1, gamma -> 0
    control: dict[str, float | None]  # the criterion at 1.3 x the crossing (None: not simulated)
    delay_free: float
    evaluations: tuple[Effect, ...]

    @property
    def kappa(self) -> dict[str, float]:
        """tau_valid / condition per sense (inf when the condition admits no delay)."""
        out = {}
        for sense in SENSES:
            if not (self.tau_condition > 0):
                out[sense] = math.inf if self.tau_condition == 0 else math.nan
            else:
                out[sense] = self.crossing[sense] / self.tau_condition
        return out

    @property
    def max_delay_fraction(self) -> float:
        taus = [e.tau for e in self.evaluations]
        return max(taus, default=0) / max(self.tau_e1, 1)

    def as_dict(self) -> dict[str, object]:
        return {
            "mu": self.mu,
            "eta": self.eta,
            "tau_e1": self.tau_e1,
            "tau_valid_stat": self.tau_valid["stat"],
            "tau_valid_band": self.tau_valid["band"],
            "ci": {k: list(v) for k, v in self.ci.items()},
            "crossing": dict(self.crossing),
            "censored": dict(self.censored),
            "cap": self.cap,
            "tau_condition": self.tau_condition,
            "kappa": self.kappa,
            "control_1.3x": dict(self.control),
            "delay_free": self.delay_free,
            "fraction_of_e1": {k: v / max(self.tau_e1, 1) for k, v in self.crossing.items()},
            "evaluations": [e.as_dict() for e in self.evaluations],
        }


def _point(s: ClaimSetting, search: PointSearch) -> ValidityPoint:
    control: dict[str, float | None] = {}
    for sense in SENSES:
        t = round(CONTROL_FACTOR * search.crossing(sense))
        ok = search.hi[sense] is not None and t in search.memo
        control[sense] = search.memo[t].criterion(sense)[0] if ok else None
    evals = tuple(search.memo[t] for t in sorted(search.memo))
    free = evals[0].delay_free if evals else math.nan
    return ValidityPoint(
        mu=search.mu,
        eta=search.eta,
        tau_e1=search.tau_e1,
        cap=search.cap,
        tau_valid={k: int(search.lo[k]) for k in SENSES},
        crossing={k: float(search.crossing(k)) for k in SENSES},
        ci={k: search.interval(k) for k in SENSES},
        censored={k: search.hi[k] is None for k in SENSES},
        tau_condition=condition_delay(s, search.mu, search.eta),
        control=control,
        delay_free=free,
        evaluations=evals,
    )


# --- fits --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fit:
    """log tau = log K + a log(1-mu) - b log eta (weighted least squares)."""

    a: float
    a_se: float
    b: float
    b_se: float
    log_k: float
    chi2_dof: float
    n: int
    excluded: int

    def exponent(self, which: str) -> dict[str, object]:
        v, se = (self.a, self.a_se) if which == "mu" else (self.b, self.b_se)
        return {"value": v, "se": se, "ci": [v - Z95 * se, v + Z95 * se]}

    def predict(self, mu: float, eta: float) -> float:
        return math.exp(self.log_k + self.a * math.log(1.0 - mu) - self.b * math.log(eta))

    def as_dict(self) -> dict[str, object]:
        return {
            "exponent_mu": self.exponent("mu"),
            "exponent_eta": self.exponent("eta"),
            "prefactor": math.exp(self.log_k),
            "chi2_dof": self.chi2_dof,
            "points_used": self.n,
            "points_excluded": self.excluded,
        }


NAN_FIT = Fit(math.nan, math.inf, math.nan, math.inf, math.nan, math.nan, 0, 0)


def _log_se(c: float, ci: tuple[float, float]) -> float:
    lo, hi = ci
    floor = 0.3 / max(c, 1.0)  # the integer grid of delays: a fraction of one delay
    if lo > 0 and math.isfinite(hi):
        se = (math.log(hi) - math.log(lo)) / (2 * Z95)
    elif math.isfinite(hi):
        se = (math.log(hi) - math.log(c)) / Z95
    elif lo > 0:
        se = (math.log(c) - math.log(lo)) / Z95
    else:
        se = math.inf
    return max(se, floor)


def fit_power_law(
    mus: Sequence[float],
    etas: Sequence[float],
    taus: Sequence[float],
    log_se: Sequence[float] | None = None,
) -> Fit:
    """Weighted (or, without SEs, ordinary) least squares of log tau on log(1-mu), -log eta.
    Points with tau <= 0 or a non-finite SE are excluded; SEs are inflated by sqrt(chi^2/dof)
    when the model misfits (never deflated)."""
    mus, etas, taus = (np.asarray(x, dtype=float) for x in (mus, etas, taus))
    w = np.ones_like(taus) if log_se is None else 1.0 / np.asarray(log_se, dtype=float) ** 2
    ok = (taus > 0) & np.isfinite(taus) & np.isfinite(w) & (w > 0)
    n = int(ok.sum())
    if n < 3 or np.unique(mus[ok]).size < 2 or np.unique(etas[ok]).size < 2:
        return Fit(**{**NAN_FIT.__dict__, "n": n, "excluded": int((~ok).sum())})
    x = np.column_stack([np.ones(n), np.log(1.0 - mus[ok]), -np.log(etas[ok])])
    y = np.log(taus[ok])
    ww = w[ok]
    cov = np.linalg.inv(x.T @ (x * ww[:, None]))
    beta = cov @ (x.T @ (ww * y))
    dof = n - 3
    resid = y - x @ beta
    chi2 = float(np.sum(ww * resid**2) / dof) if dof > 0 else math.nan
    if log_se is None:
        s2 = float(np.sum(resid**2) / dof) if dof > 0 else 0.0
        cov = cov * s2
    elif dof > 0 and chi2 > 1.0:
        cov = cov * chi2
    se = np.sqrt(np.diag(cov))
    return Fit(
        float(beta[1]),
        float(se[1]),
        float(beta[2]),
        float(se[2]),
        float(beta[0]),
        chi2,
        n,
        int((~ok).sum()),
    )


def e1_fit(points: Sequence[ValidityPoint]) -> Fit:
    """E1's boundary over the map's grid, fitted the same way (deterministic: OLS)."""
    return fit_power_law(
        [p.mu for p in points], [p.eta for p in points], [p.tau_e1 for p in points]
    )


# --- a map -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ValidityMap:
    """A claim's map on one data model: its points and fits."""

    setting: ClaimSetting
    profile: str
    points: tuple[ValidityPoint, ...]
    fits: dict[str, Fit]
    e1: Fit
    runs: int
    check_runs: int
    seconds: float

    @property
    def claim(self) -> str:
        return self.setting.claim

    @property
    def a2(self) -> bool:
        return get_model(self.setting.distribution).bounded

    @property
    def max_delay_fraction(self) -> float:
        return max((p.max_delay_fraction for p in self.points), default=0.0)

    @property
    def headline(self) -> Fit:
        """The band fit, or the stat fit where the band's has too few uncensored points."""
        band = self.fits["band"]
        return band if math.isfinite(band.a) else self.fits["stat"]

    def kappa(self, sense: str) -> dict[str, object]:
        """The constant kappa at which the paper's condition meets the measured validity
        boundary: the smallest tau_valid/condition over the grid (the largest constant for which
        the condition stays inside the measured region at every point), censoring included.

        An uncensored point gives its ratio (``value``, ``ci``, ``at``: the smallest of them,
        ``range``: their span). A censored point (valid up to the searched cap 0.9 tau_E1) gives
        only a lower bound ``at_least`` (``lower_bounds``) and, since no prediction holds beyond
        E1's stability boundary (eq. (5) diverges there), an upper bound (tau_E1 + 1)/condition.
        So the grid's kappa lies in ``bounds`` (the smallest lower end, the smallest upper end
        over every point), and ``status`` says where the condition at constant 1 stands:
        ``inside`` (kappa >= 1 at every point), ``outside`` (kappa < 1 at some point: an
        uncensored one, or a censored one where the condition exceeds E1's boundary:
        ``outside_at``), ``undecided`` (kappa >= 1 wherever it is known, but a censored point's
        searched range ends before the condition: ``undecided_at``)."""
        vals = [(p.kappa[sense], p) for p in self.points if not math.isnan(p.kappa[sense])]
        if not vals:
            return {"value": None, "note": "the claim states no delay condition"}
        if not all(math.isfinite(k) for k, _ in vals):
            return {
                "value": None,
                "note": "C_d = inf (data outside A2): the condition admits only tau = 0",
            }
        exact = [(k, p) for k, p in vals if not p.censored[sense]]
        cens = [(k, p) for k, p in vals if p.censored[sense]]
        bounds = [
            {"mu": p.mu, "eta": p.eta, "at_least": k, "beyond_e1": p.tau_condition > p.tau_e1}
            for k, p in cens
        ]
        # each point's kappa interval: exact, or [at_least, (tau_E1 + 1)/condition] if censored
        upper = [(k, p) for k, p in exact] + [
            ((p.tau_e1 + 1) / p.tau_condition, p) for _, p in cens
        ]
        lo_end = min(k for k, _ in vals)
        hi_end, hi_at = min(upper, key=lambda kp: kp[0])
        if lo_end >= 1.0:
            status = "inside"
        elif hi_end < 1.0:
            status = "outside"
        else:
            status = "undecided"
        out: dict[str, object] = {
            "status": status,
            "bounds": [lo_end, hi_end],
            "censored_points": len(cens),
            "uncensored_points": len(exact),
            "lower_bounds": bounds,
            "condition_beyond_e1": [
                {"mu": q.mu, "eta": q.eta} for _, q in vals if q.tau_condition > q.tau_e1
            ],
            "outside_at": [
                {"mu": p.mu, "eta": p.eta, "censored": p.censored[sense]}
                for k, p in upper
                if k < 1.0
            ],
            "undecided_at": [
                {"mu": p.mu, "eta": p.eta, "at_least": k}
                for k, p in cens
                if k < 1.0 <= (p.tau_e1 + 1) / p.tau_condition
            ],
            "bounded_by": {"mu": hi_at.mu, "eta": hi_at.eta, "censored": hi_at.censored[sense]},
        }
        if not exact:
            return {"value": None, "note": "every point censored", **out}
        k, p = min(exact, key=lambda kp: kp[0])
        lo, hi = p.ci[sense]
        return {
            "value": k,
            "ci": [lo / p.tau_condition, hi / p.tau_condition],
            "at": {"mu": p.mu, "eta": p.eta},
            "range": [k, max(v for v, _ in exact)],
            **out,
        }

    def as_dict(self) -> dict[str, object]:
        s = self.setting
        cd = c_d(s.distribution, s.spectrum)
        fit_stat, fit_band = self.fits["stat"], self.fits["band"]
        return {
            "claim": self.claim,
            "title": s.title,
            "quantity": s.quantity,
            "profile": self.profile,
            "distribution": s.distribution,
            "a2": self.a2,
            "label": "A2 holds (bounded data)" if self.a2 else "outside A2 (unbounded data)",
            "C_d": cd if math.isfinite(cd) else None,
            "spectrum": list(s.spectrum),
            "runs": self.runs,
            "check_runs": self.check_runs,
            "points": [p.as_dict() for p in self.points],
            # the band fit is the headline (a 5 % band does not depend on a run count); where
            # too few points are uncensored for it (the quantity stays within 5 % up to the
            # cap), the stat fit stands in, and exponent_sense says which
            "exponent_mu": self.headline.exponent("mu"),
            "exponent_eta": self.headline.exponent("eta"),
            "exponent_sense": "band" if self.headline is fit_band else "stat",
            "fit_band": fit_band.as_dict(),
            "fit_stat": fit_stat.as_dict(),
            "paper_exponents": paper_exponents(s),
            "e1_exponents": {
                "mu": self.e1.a,
                "eta": self.e1.b,
                "asymptote": {"mu": 1.0, "eta": 1.0},
                "note": "least squares of log tau_E1 over the same grid; the small-c "
                "asymptote pi (1-mu)/(4 lambda_1 eta) has exponents (1, 1)",
            },
            "condition_source": s.condition_source,
            "kappa": {k: self.kappa(k) for k in SENSES},
            "paper_condition_sufficient": {k: self.sufficient(k) for k in SENSES},
            "max_delay_fraction": self.max_delay_fraction,
            "seconds": self.seconds,
            "definitions": {
                "tau_valid_stat": "the largest delay at which the claim check's statistical "
                f"tolerance (z = {Z:.2f} x its SE at {self.check_runs} runs) still contains the "
                "delay's effect on its quantity",
                "tau_valid_band": "the largest delay at which the quantity moved by at most "
                "5 % from its delay-free value",
                "ci": "95 % interval of the interpolated crossing: the nearest simulated delays "
                "significantly below and above the threshold (monotone effect assumed)",
                "cap": "searched up to 0.9 tau_e1; a censored point is valid there",
            },
        }

    def sufficient(self, sense: str) -> bool | None:
        """Whether the condition (constant 1, gamma -> 0) lies inside the measured region at
        every point: :meth:`kappa`'s ``status`` (None when the claim states no condition, or
        when it is undecided: it fails at no uncensored point and stays within E1's boundary,
        but exceeds a censored point's searched range)."""
        if self.setting.condition is None:
            return None
        if any(p.tau_condition > p.crossing[sense] for p in self.points if not p.censored[sense]):
            return False
        # beyond E1's boundary no prediction holds: a condition there is outside the region
        if any(p.tau_condition > p.tau_e1 + 1 for p in self.points if p.censored[sense]):
            return False
        if any(p.tau_condition > p.crossing[sense] for p in self.points):
            return None
        return True


def default_grid(profile: Profile) -> tuple[tuple[float, ...], tuple[float, ...]]:
    return MUS[profile.name], ETAS[profile.name]


FULL_RUNS = 2.0  # the full maps' runs over the ci maps' (paired runs are precise already)


def map_runs(claim: str, profile: Profile) -> int:
    """Paired runs per cell: MAP_RUNS at ci, FULL_RUNS x it at full (at most the profile's
    own scale)."""
    return max(20, round(MAP_RUNS[claim] * min(profile.scale, FULL_RUNS)))


def compute_map(
    claim: str,
    profile: Profile,
    *,
    mus: Sequence[float] | None = None,
    etas: Sequence[float] | None = None,
    distribution: str | None = None,
    runner: Runner | None = None,
    progress: Progress | None = None,
) -> ValidityMap:
    """The claim's map on one data model: all points searched together, one batch of cells per
    bisection round (so a pool computes them in parallel, and a store resumes them)."""
    check_claim(claim)
    t0 = time.perf_counter()
    grid_mus, grid_etas = default_grid(profile)
    mus_, etas_ = check_grid(mus or grid_mus, etas or grid_etas)
    s = de.get_setting(claim).with_setting(distribution=distribution)
    runs = map_runs(claim, profile)
    check_runs = profile.runs(s.check_runs)
    run = runner or (lambda c: de.run_cells(c, profile.engine))
    searches = []
    for m in mus_:
        for e in etas_:
            t_e1 = de.relative_to_boundary(s, m, e)
            searches.append(PointSearch(m, e, t_e1, math.floor(CAP_FRACTION * t_e1)))
    rounds = 0
    while True:
        wanted = [(k, t) for k, sr in enumerate(searches) for t in sorted(sr.proposals())]
        if not wanted:
            break
        rounds += 1
        pairs = [de.cells(s, searches[k].mu, searches[k].eta, t, runs=runs, seed=profile.seed)
                 for k, t in wanted]  # fmt: skip
        flat = [c for p in pairs for c in p]
        if progress:
            progress(f"{claim} ({s.distribution}): round {rounds}, {len(wanted)} delays")
        results = run(flat)
        for j, (k, t) in enumerate(wanted):
            sr = searches[k]
            eff = de.effect(
                s,
                sr.mu,
                sr.eta,
                t,
                results[2 * j],
                results[2 * j + 1],
                check_runs=check_runs,
                seed=profile.seed,
            )
            sr.add(t, eff)
    points = tuple(_point(s, sr) for sr in searches)
    fits = {}
    for sense in SENSES:
        usable = [p for p in points if not p.censored[sense]]
        fits[sense] = fit_power_law(
            [p.mu for p in usable],
            [p.eta for p in usable],
            [p.crossing[sense] for p in usable],
            [_log_se(p.crossing[sense], p.ci[sense]) for p in usable],
        )
        if len(usable) < len(points):
            f = fits[sense]
            fits[sense] = Fit(**{**f.__dict__, "excluded": f.excluded + len(points) - len(usable)})
    return ValidityMap(
        s, profile.name, points, fits, e1_fit(points), runs, check_runs, time.perf_counter() - t0
    )


def kappa_by_model(
    claim: str,
    profile: Profile,
    mu: float,
    eta: float,
    *,
    models: Sequence[str] | None = None,
    runner: Runner | None = None,
) -> list[dict[str, object]]:
    """kappa for each bounded data model (A2), measured at one (mu, eta) (where the primary
    model's map attains its smallest kappa): the same bisection on a one-point grid, so each
    model's C_d meets its own measured boundary."""
    from theory.distributions import MODELS as ALL_MODELS

    names = models or tuple(m for m in ALL_MODELS if get_model(m).bounded)
    out = []
    for m in names:
        vm = compute_map(claim, profile, mus=(mu,), etas=(eta,), distribution=m, runner=runner)
        p = vm.points[0]
        row: dict[str, object] = {
            "distribution": m,
            "C_d": c_d(m, vm.setting.spectrum),
            "mu": mu,
            "eta": eta,
            "tau_e1": p.tau_e1,
            "tau_condition": p.tau_condition,
        }
        for sense in SENSES:
            lo, hi = p.ci[sense]
            row[sense] = {
                "crossing": p.crossing[sense],
                "ci": [lo, hi],
                "censored": p.censored[sense],
                "kappa": p.kappa[sense],
                "kappa_ci": [lo / p.tau_condition, hi / p.tau_condition],
            }
        out.append(row)
    return out


def kappa_point(vmap: ValidityMap, sense: str = "band") -> tuple[float, float] | None:
    """The (mu, eta) at which a map's kappa is smallest (None without one)."""
    k = vmap.kappa(sense)
    return (k["at"]["mu"], k["at"]["eta"]) if k.get("value") is not None else None


def store_runner(store, backend=None, progress=None) -> Runner:
    """Cells through the resumable result store (:func:`simulate.runner.cached_results`)."""
    from simulate.runner import cached_results

    def run(cells):
        return cached_results(list(cells), store, backend, progress=progress)

    return run


# --- evidence ----------------------------------------------------------------------------------


def _exp_item(
    label: str, theory: float, fit: Fit, which: str, relation: str = "abs-diff", **meta: object
) -> Evidence:
    v, se = (fit.a, fit.a_se) if which == "mu" else (fit.b, fit.b_se)
    return Evidence(
        label,
        float(theory),
        float(v),
        float(Z * se),
        f"weighted least-squares fit of log tau_valid on log(1-mu) and log eta over {fit.n} "
        f"points (weights from each point's 95 % interval, SE x sqrt(chi^2/dof) = "
        f"{max(1.0, fit.chi2_dof if math.isfinite(fit.chi2_dof) else 1.0):.2g}); z = {Z:.2f}",
        se=float(se),
        ci=(float(v - Z * se), float(v + Z * se)),
        relation=relation,
        **meta,
    )


def map_evidence(vmap: ValidityMap) -> tuple[list[Evidence], list[Evidence]]:
    """Evidence items and controls of one map (module docstring)."""
    s = vmap.setting
    model = f"{s.distribution} data ({'A2' if vmap.a2 else 'outside A2'})"
    evidence: list[Evidence] = []
    controls: list[Evidence] = []
    paper = paper_exponents(s)
    band = vmap.headline  # the band fit, else the stat fit (ValidityMap.headline)
    sense = "band" if band is vmap.fits["band"] else "stat"
    if paper is not None and all(p.tau_condition > 0 for p in vmap.points):
        worst = max(vmap.points, key=lambda p: p.tau_condition / max(p.tau_e1, 1))
        evidence.append(
            Evidence(
                f"{s.claim}: the paper's condition (constant 1, gamma -> 0) within E1's "
                f"stability boundary at every point, {model}",
                1.0,
                worst.tau_condition / max(worst.tau_e1, 1),
                0.0,
                "the largest condition / tau_E1 over the grid (E1's boundary is exact: no "
                f"tolerance), at mu = {worst.mu:g}, eta = {worst.eta:g}",
                relation="upper",
                origin="interpretation",
                form="bound",
                statement="delay condition",
                note=f"the paper's delay condition at constant 1 against E1's boundary ({model})",
            )
        )
    if paper is not None:
        k = vmap.kappa("band")
        if k.get("value") is not None:
            lo, hi = k["ci"]
            se = (k["value"] - lo) / Z95 if lo > 0 else k["value"] / Z95
            # kappa is measured at the uncensored points only; a censored one bounds it from
            # below (and by E1's boundary from above: the item against E1's boundary above)
            where = (
                f"at every uncensored point ({k['censored_points']} censored: kappa a lower "
                "bound there)"
                if k["censored_points"]
                else "at every point"
            )
            evidence.append(
                Evidence(
                    f"{s.claim}: the paper's condition (constant 1, gamma -> 0) inside the "
                    f"measured 5 % validity region {where}, {model}",
                    1.0,
                    float(k["value"]),
                    float(Z * se),
                    "the smallest tau_valid_band / condition over the grid (kappa), its 95 % "
                    f"interval from the crossing's; passes when kappa >= 1 - z SE, z = {Z:.2f}",
                    se=float(se),
                    ci=(float(lo), float(hi)),
                    relation="lower",
                    origin="interpretation",
                    form="bound",
                    statement="delay condition",
                    note=f"the paper's delay condition at constant 1 ({model}): kappa",
                )
            )
        if math.isfinite(band.a):
            evidence.append(
                with_power(
                    _exp_item(
                        f"{s.claim}: exponent a of (1-mu) in tau_valid_{sense} vs the paper's "
                        f"condition ({paper['mu']:g}), {model}",
                        paper["mu"],
                        band,
                        "mu",
                        origin="interpretation",
                        form="asymptotic",
                        mismatch="exponent",
                        statement="delay condition",
                        note="the condition read as the validity boundary: its power of (1-mu)",
                    ),
                    "exponent",
                )
            )
            evidence.append(
                with_power(
                    _exp_item(
                        f"{s.claim}: exponent b of 1/eta in tau_valid_{sense} vs the paper's "
                        f"condition at gamma -> 0 ({paper['eta']:g}), {model}",
                        paper["eta"],
                        band,
                        "eta",
                        origin="interpretation",
                        form="asymptotic",
                        mismatch="exponent",
                        statement="delay condition",
                        note="the condition read as the validity boundary: its power of 1/eta",
                    ),
                    "exponent",
                )
            )
            # sufficiency in the limits: the condition must shrink at least as fast as the
            # boundary as mu -> 1 (a_cond >= a) and grow at most as fast as eta -> 0 (b_cond <= b)
            evidence.append(
                _exp_item(
                    f"{s.claim}: the condition stays sufficient as mu -> 1 (a <= "
                    f"{paper['mu']:g}), {model}",
                    paper["mu"],
                    band,
                    "mu",
                    relation="upper",
                    origin="interpretation",
                    form="bound",
                    statement="delay condition",
                    note="the condition's (1-mu) power against the fitted boundary's",
                )
            )
            evidence.append(
                _exp_item(
                    f"{s.claim}: the condition stays sufficient as eta -> 0 (b >= "
                    f"{paper['eta']:g}), {model}",
                    paper["eta"],
                    band,
                    "eta",
                    relation="lower",
                    origin="interpretation",
                    form="bound",
                    statement="delay condition",
                    note="the condition's eta power (gamma -> 0) against the fitted boundary's",
                )
            )
    if math.isfinite(band.a):
        for which, e1v in (("mu", vmap.e1.a), ("eta", vmap.e1.b)):
            item = with_power(
                _exp_item(
                    f"{s.claim}: exponent of {'(1-mu)' if which == 'mu' else '1/eta'} in "
                    f"tau_valid_{sense} vs E1's boundary ({e1v:.3g}), {model}",
                    e1v,
                    band,
                    which,
                    origin="interpretation",
                    form="asymptotic",
                    mismatch="exponent",
                    statement="validity vs stability",
                    note="the validity boundary scales like E1's stability boundary",
                ),
                "exponent",
            )
            evidence.append(item)
            controls.append(
                near_miss(
                    item,
                    f"{s.claim}: near miss, the measured {which} exponent moved by 2 x its MDD",
                )
            )
    for p in vmap.points:
        for sense in SENSES:
            g = p.control[sense]
            if g is None:
                continue
            controls.append(
                Evidence(
                    f"{s.claim}: near miss, a validity boundary 30 % larger ({sense}) at "
                    f"mu = {p.mu:g}, eta = {p.eta:g}: the prediction holds at "
                    f"{round(CONTROL_FACTOR * p.crossing[sense])}",
                    1.0,
                    float(g),
                    0.0,
                    f"the {sense} criterion (<= 1 holds) simulated at 1.3 x the crossing",
                    relation="upper",
                    near_miss=True,
                )
            )
    return evidence, controls


def map_result(
    vmaps: Sequence[ValidityMap], seconds: float, by_model: Sequence[dict] = ()
) -> CheckResult:
    """A :class:`CheckResult` ("validity map") from one claim's maps (one per data model) and
    the per-model kappa of :func:`kappa_by_model`."""
    evidence: list[Evidence] = []
    controls: list[Evidence] = []
    for vm in vmaps:
        ev, ct = map_evidence(vm)
        evidence += ev
        controls += ct
    for row in by_model:
        b = row["band"]
        lo = b["kappa_ci"][0]
        se = (b["kappa"] - lo) / Z95 if lo > 0 else b["kappa"] / Z95
        evidence.append(
            Evidence(
                f"{vmaps[0].claim}: the paper's condition (constant 1, gamma -> 0) inside the "
                f"5 % validity boundary on {row['distribution']} data (C_d = {row['C_d']:.4g}) "
                f"at mu = {row['mu']:g}, eta = {row['eta']:g}",
                1.0,
                float(b["kappa"]),
                float(Z * se),
                "tau_valid_band / condition at the primary map's smallest-kappa point; passes "
                f"when kappa >= 1 - z SE, z = {Z:.2f}",
                se=float(se),
                relation="lower",
                origin="interpretation",
                form="bound",
                statement="delay condition",
                note=f"the paper's delay condition at constant 1 on {row['distribution']} data",
            )
        )
    head = vmaps[0]
    band = head.headline
    sense = "band" if band is head.fits["band"] else "stat"
    summary = (
        f"tau_valid_{sense} ~ (1-mu)^{band.a:.2f} eta^-{band.b:.2f} "
        f"({head.setting.distribution}); E1's boundary ~ (1-mu)^{head.e1.a:.2f} "
        f"eta^-{head.e1.b:.2f}"
    )
    if head.setting.condition is not None:
        pe = paper_exponents(head.setting)
        summary += f"; the paper's condition (1-mu)^{pe['mu']:g} eta^-{pe['eta']:g}"
    return CheckResult(
        head.claim,
        "validity map",
        summary,
        tuple(evidence),
        tuple(controls),
        seconds=seconds,
        details={
            "maps": [vm.as_dict() for vm in vmaps],
            "kappa_by_model": list(by_model),
            "max_delay_fraction": max(vm.max_delay_fraction for vm in vmaps),
        },
    )


# --- the registered check ------------------------------------------------------------------------

# The ci maps' boundaries at two reference points per claim, pinned (``asyncmsgd validity --claim
# C --profile ci``): the ci check re-measures the delay's effect at them (a reproduction of the
# map, and a near-miss control at 1.3x) instead of rebuilding the whole map, which the full
# profile does. Filled from the maps of this version (see README).
# (mu, eta, data model, crossing of the band, censored: valid up to the cap 0.9 tau_E1)
PINNED: dict[str, tuple[tuple[float, float, str, float, bool], ...]] = {
    "C3": ((0.3, 1e-3, "gaussian", 91.19, False), (0.6, 5e-4, "gaussian", 114.15, False)),
    "C4": ((0.3, 1e-3, "rademacher", 10.97, False), (0.6, 5e-4, "rademacher", 12.85, False)),
    "C7": ((0.3, 1e-3, "gaussian", 122.0, True), (0.6, 5e-4, "gaussian", 139.0, True)),
    "C9": ((0.3, 1e-3, "rademacher", 24.0, False), (0.6, 5e-4, "rademacher", 35.67, False)),
    "C14": ((0.3, 1e-3, "gaussian", 25.13, False), (0.6, 5e-4, "gaussian", 27.23, False)),
    "C8": ((0.3, 1e-3, "gaussian", 13.78, False), (0.6, 5e-4, "gaussian", 16.62, False)),
}
# Where a pinned band boundary is censored (valid up to the cap, so no boundary 30 % beyond it
# can be claimed inside the stable range: C7's two), the near-miss control is made in the stat
# sense: the ci map's tau_valid_stat at the claim's reference points where the map resolves a
# boundary 30 % larger (the crossing's 95 % CI ends at or below 1.3x the crossing, and 1.3x is
# within the cap). C7 at (0.3, 1e-3) does not: its stat crossing 84.9 has the CI [61, 122] and
# the map's criterion at 1.3x (tau = 110) is 0.998, so it has no near miss there.
# (mu, eta, data model, crossing of the stat tolerance)
PINNED_STAT: dict[str, tuple[tuple[float, float, str, float], ...]] = {
    "C7": ((0.6, 5e-4, "gaussian", 107.03),),
}
# The ci maps' fitted tau_valid_stat (primary data model): (log K, a, b, the rms scatter of the
# points' log crossings about the fit); the property checks draw inside it
# (:mod:`checks.joint_draws`).
PINNED_FITS: dict[str, tuple[float, float, float, float]] = {
    "C3": (-0.8092, 0.5189, 0.5243, 0.0156),
    "C4": (-4.8024, 1.0842, 1.0268, 0.0757),
    "C7": (-2.484, 0.9514, 1.0489, 0.1002),
    "C9": (-3.3852, 0.8546, 1.0641, 0.0533),
    "C14": (-2.9183, 0.8515, 0.8582, 0.0931),
    "C8": (-2.7719, 0.7477, 0.925, 0.0572),
}


def _near_miss_text(controls: Sequence[Evidence]) -> str:
    """What the pinned check's near misses say (band ones, stat ones at censored points)."""
    stat = sum(c.near_miss and "stat boundary" in c.label for c in controls)
    band = sum(c.near_miss for c in controls) - stat
    text = "the 5 % band holds there" + (" and fails 30 % beyond" if band else "")
    if stat:
        text += "; where it holds up to the cap, the stat tolerance fails 30 % beyond its boundary"
    return text


def _stat_pin(claim: str, mu: float, eta: float, dist: str) -> float | None:
    """The pinned stat crossing of a reference point (:data:`PINNED_STAT`), None without one."""
    for m, e, d, crossing in PINNED_STAT.get(claim, ()):
        if math.isclose(m, mu) and math.isclose(e, eta) and d == dist:
            return crossing
    return None


def default_store_path() -> Path:
    from checks.experiments.common import BUILD

    return BUILD / "validity" / "validity.sqlite"


def check_validity(profile: Profile, claim: str, runner: Runner | None = None) -> CheckResult:
    """The claim's validity evidence: the full profile computes its maps (through the shared
    store of ``asyncmsgd validity``); the ci profile re-measures the pinned boundaries."""
    check_claim(claim)
    t0 = time.perf_counter()
    if profile.name == "full":
        from simulate.store import open_store

        path = default_store_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        with open_store(path) as store:
            run = runner or store_runner(store)
            maps = [
                compute_map(claim, profile, distribution=m, runner=run)
                for m in MODELS[profile.name][claim]
            ]
            where = kappa_point(maps[0]) if claim in A2_CLAIMS else None
            by_model = kappa_by_model(claim, profile, *where, runner=run) if where else []
        return map_result(maps, time.perf_counter() - t0, by_model)
    return check_pinned(profile, claim, runner=runner, t0=t0)


def check_pinned(
    profile: Profile, claim: str, runner: Runner | None = None, t0: float | None = None
) -> CheckResult:
    """At each pinned reference point: the 5 % band holds at the pinned boundary (toolkit: the
    map reproduces), fails at 1.3x it (near-miss control), and the paper's condition at
    constant 1 lies inside it (interpretation); at the first, the stationary error at 0.9 tau_E1
    follows E1's growth (toolkit; control: "the delay does not matter")."""
    t0 = time.perf_counter() if t0 is None else t0
    base = de.get_setting(claim)
    runs = map_runs(claim, profile)
    run = runner or (lambda c: de.run_cells(c, profile.engine))
    evidence, controls, fractions, rows = [], [], [], []
    for mu, eta, dist, crossing, censored in PINNED.get(claim, ()):
        s = base.with_setting(distribution=dist)
        t_e1 = de.relative_to_boundary(s, mu, eta)
        tau_v = max(1, math.floor(crossing))
        cap = math.floor(CAP_FRACTION * t_e1)
        tau_c = tau_v if censored else min(round(CONTROL_FACTOR * crossing), cap)
        stat_pin = _stat_pin(claim, mu, eta, dist) if censored else None
        tau_s = min(round(CONTROL_FACTOR * stat_pin), cap) if stat_pin else None
        taus = sorted({tau_v, tau_c} | ({tau_s} if tau_s else set()))
        pairs = [de.cells(s, mu, eta, t, runs=runs, seed=profile.seed) for t in taus]
        res = run([c for p in pairs for c in p])
        effs = {
            t: de.effect(
                s,
                mu,
                eta,
                t,
                res[2 * j],
                res[2 * j + 1],
                check_runs=profile.runs(s.check_runs),
                seed=profile.seed,
            )
            for j, t in enumerate(taus)
        }
        g, se = effs[tau_v].criterion("band")
        where = f"mu = {mu:g}, eta = {eta:g}, {dist}"
        evidence.append(
            Evidence(
                f"{claim}: the 5 % band holds at the pinned tau_valid_band = {tau_v}"
                f"{' (valid up to the searched cap 0.9 tau_E1)' if censored else ''}, {where}",
                1.0,
                g,
                Z * se,
                f"paired runs ({runs}) at tau = {tau_v} and 0; band criterion (|deviation| / "
                f"5 %) <= 1 + z SE, z = {Z:.2f}",
                se=se,
                relation="upper",
                origin="toolkit",
                form="bound",
            )
        )
        if tau_c > tau_v:
            gc, _ = effs[tau_c].criterion("band")
            controls.append(
                Evidence(
                    f"{claim}: near miss, a boundary 30 % larger: the band holds at {tau_c}, "
                    f"{where}",
                    1.0,
                    gc,
                    0.0,
                    "the band criterion simulated at 1.3 x the pinned boundary",
                    relation="upper",
                    near_miss=True,
                )
            )
        if tau_s is not None and stat_pin is not None and tau_s > stat_pin:
            gs, _ = effs[tau_s].criterion("stat")
            controls.append(
                Evidence(
                    f"{claim}: near miss, a stat boundary 30 % larger than the pinned "
                    f"tau_valid_stat = {stat_pin:.4g}: the check's tolerance holds at {tau_s}, "
                    f"{where}",
                    1.0,
                    gs,
                    0.0,
                    "the stat criterion (|deviation| / the check's z SE) simulated at 1.3 x the "
                    "pinned stat boundary (the band's is censored at the cap)",
                    relation="upper",
                    near_miss=True,
                )
            )
        cond = condition_delay(s, mu, eta)
        # a censored boundary is only a lower bound: a condition beyond it is undecided there
        if s.condition is not None and cond > 0 and not (censored and cond > crossing):
            evidence.append(
                Evidence(
                    f"{claim}: the paper's condition (constant 1, gamma -> 0) = {cond:.3g} "
                    f"inside the pinned validity boundary {crossing:.3g}, {where}",
                    cond,
                    crossing,
                    0.0,
                    "the pinned crossing of the ci map (asyncmsgd validity) against the "
                    "condition's delay",
                    relation="lower",
                    origin="interpretation",
                    form="bound",
                    statement="delay condition",
                    note=f"the paper's delay condition at constant 1 ({where})",
                )
            )
        fractions.append(max(taus) / max(t_e1, 1))
        rows.append(
            {
                "mu": mu,
                "eta": eta,
                "distribution": dist,
                "tau_e1": t_e1,
                "crossing": crossing,
                "effects": [e.as_dict() for e in effs.values()],
            }
        )
    if PINNED.get(claim):
        # the stable range beyond the region: E1's growth of the stationary error at 0.9 tau_E1
        mu, eta, dist, _, _ = PINNED[claim][0]
        twin = de.stationary_twin(base.with_setting(distribution=dist))
        t_e1 = de.relative_to_boundary(twin, mu, eta)
        far = math.floor(CAP_FRACTION * t_e1)
        ref, delayed = run(list(de.cells(twin, mu, eta, far, runs=runs, seed=profile.seed)))
        growth = de.e1_growth(twin, mu, eta, far, ref, delayed)
        item = growth.evidence(
            f"{claim}: E||v - v1||^2 at tau = {far} (0.9 tau_E1) over tau = 0 vs E1's growth "
            f"{growth.predicted:.4g}, mu = {mu:g}, eta = {eta:g}, {dist}",
            origin="toolkit",
            form="exact",
        )
        evidence.append(item)
        controls.append(
            Evidence(
                f"{claim}: 'the delay does not change the stationary error' at tau = {far}",
                1.0,
                growth.measured,
                item.tolerance,
                item.basis,
                se=growth.se,
            )
        )
        fractions.append(far / max(t_e1, 1))
    return CheckResult(
        claim,
        "validity map",
        f"the pinned ci validity boundaries of {claim} reproduce at {len(rows)} reference "
        f"points ({_near_miss_text(controls)}); the stationary error follows E1's growth at "
        "0.9 tau_E1; the full profile rebuilds the maps and their fits",
        tuple(evidence),
        tuple(controls),
        seconds=time.perf_counter() - t0,
        details={"points": rows, "max_delay_fraction": max(fractions, default=0.0)},
    )


# One function per claim, for the claim modules' CHECKS (Check("validity map", f, "simulation")).


def check_c3(profile: Profile) -> CheckResult:
    """C3's validity map (the ODE mean path, Theorem 3)."""
    return check_validity(profile, "C3")


def check_c4(profile: Profile) -> CheckResult:
    """C4's validity map (the OU stationary variances, Theorem 5)."""
    return check_validity(profile, "C4")


def check_c7(profile: Profile) -> CheckResult:
    """C7's validity map (the Phase II traverse time, Proposition 8)."""
    return check_validity(profile, "C7")


def check_c9(profile: Profile) -> CheckResult:
    """C9's validity map (the escape law at T1, Proposition 10)."""
    return check_validity(profile, "C9")


def check_c14(profile: Profile) -> CheckResult:
    """C14's validity map (the stationary error's 1/(1-mu) law)."""
    return check_validity(profile, "C14")
