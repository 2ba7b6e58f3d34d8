"""The C12 check (THEORY.md C12, Figure 1): the measured optimal delays and error levels beside
E1, the paper's reported values and a wrong theory.

Evidence (the tolerances; z = the suite's Bonferroni z, SE = bootstrap or run-to-run SE):

* per mu, the optimal delay (margin 0.5, :mod:`checks.experiments.optimal_delay`) against E1's
  boundary tau_max: |tau* - tau_max| <= z SE + h + 0.1 tau_max, with h the grid spacing at the
  crossing and 0.1 tau_max the allowance for what E1 leaves out: the linearised radial mode blows
  up at tau_max, the real iteration saturates (its cubic terms bound the oscillation), so the
  error rises continuously past the boundary and crosses the margin a little beyond it
  (measured: 1-2 delays). E1 is claimed to locate the boundary to 10%.
* the exponent b of tau* ~ (1-mu)^b (least squares on log-log; SE from the bootstrap and the
  grid's discretisation) against E1's exponent: |b - b_E1| <= z SE.
* per mu, the paper's reported optimal delay: |log(tau*/paper)| <= log 1.5 + (z SE + h)/tau*;
  1.5 is the precision of values read off a plot (:data:`theory.stability.FIGURE1_FACTOR`).
* per mu, the error level at tau = 0 against E1's exact stationary error: |E - E1| <= z SE +
  E1^2 (E1's closure keeps second order in the deviation x = h - e_1; the neglected terms are of
  relative order E||x||^2, about E1 itself, taken with constant 1); and the angle error
  1 - (v.v1)^2/||v||^2 against C4's OU value (eta -> 0, tangential modes), with the same
  relative allowance: |E - C4| <= z SE + C4 E1.
* at mu = 0.7, 0.9, 0.95, the levels read off the paper's plot: |log(E/paper)| <= log 1.5 +
  z SE/E.
* a finding (expected to fail): the paper's reading of its figure, tau* ~ (1-mu)^2 (C10; "a
  clear tradeoff ... consistent with our theory"): |b - 2| <= z SE.

Negative controls (each must be rejected by the same comparison, over all five momenta at once):
the paper's (1-mu)^2 law anchored at tau* = 120 at mu = 0.7; E1 with the radial curvature halved;
and error levels without the factor 1/(1-mu) (E1 at mu = 0).

Verdict: ``refuted`` if tau* does not fall with mu; ``inconclusive`` if a grid ends before its
crossing; ``discrepancy-found`` if the paper's values are reproduced but a printed detail is not
(a value outside the reading precision, or the (1-mu)^2 form); ``verified`` otherwise.
"""

from __future__ import annotations

import itertools
import math
import time

import numpy as np

from checks.experiments import figure1 as f1
from checks.experiments import figure1_table as ft
from checks.experiments.common import scale_for_profile
from checks.profile import Z
from checks.results import CheckResult, Evidence
from theory import stability as st

E1_ALLOWANCE = 0.1  # relative: E1 locates the boundary to 10% (module docstring)
PAPER_FACTOR = st.FIGURE1_FACTOR


def _delay_tolerance(e, allowance_base: float) -> float:
    return Z * e.se + e.spacing + E1_ALLOWANCE * allowance_base


def _delay_evidence(rows: tuple[ft.Row, ...]) -> list[Evidence]:
    out = []
    for r in rows:
        e = r.primary
        out.append(
            Evidence(
                f"optimal delay at mu = {r.mu:g} (margin {e.margin:g}) vs E1's boundary",
                float(r.e1.tau_max),
                e.value,
                _delay_tolerance(e, r.e1.tau_max),
                f"bootstrap over runs ({e.n_boot}); z SE + grid spacing {e.spacing:g} + "
                f"{E1_ALLOWANCE:g} x tau_max (the saturation past the linear boundary)",
                se=e.se,
                ci=e.ci,
            )
        )
    return out


def _aggregate_control(label: str, rows: tuple[ft.Row, ...], predicted: list[float]) -> Evidence:
    """A wrong theory's delays judged like E1's: the largest deviation in tolerance units."""
    worst = max(
        abs(r.primary.value - p) / _delay_tolerance(r.primary, p)
        for r, p in zip(rows, predicted, strict=True)
    )
    return Evidence(
        label,
        0.0,
        worst,
        1.0,
        "max over mu of |tau* - predicted| / (z SE + spacing + 0.1 predicted): passes iff "
        "every momentum is within the same tolerance as E1",
        relation="upper",
    )


def exponent(rows: tuple[ft.Row, ...]) -> tuple[float, float]:
    """Least-squares exponent b of tau* ~ (1-mu)^b and its SE (bootstrap + discretisation)."""
    x = np.log(1.0 - np.array([r.mu for r in rows]))
    w = (x - x.mean()) / np.sum((x - x.mean()) ** 2)
    y = np.log([r.primary.value for r in rows])
    boot = np.stack([np.log(np.maximum(r.primary.samples, 1.0)) for r in rows], axis=1)
    var_boot = float(np.var(boot @ w, ddof=1))
    var_grid = float(
        np.sum(w**2 * (np.array([r.primary.spacing / r.primary.value for r in rows]) ** 2) / 12)
    )
    return float(w @ y), math.sqrt(var_boot + var_grid)


def _paper_evidence(rows: tuple[ft.Row, ...]) -> list[Evidence]:
    out = []
    for r in rows:
        e = r.primary
        out.append(
            Evidence(
                f"optimal delay at mu = {r.mu:g}: log(measured / paper's {r.paper})",
                0.0,
                math.log(e.value / r.paper),
                math.log(PAPER_FACTOR) + (Z * e.se + e.spacing) / e.value,
                f"reading precision factor {PAPER_FACTOR:g} + (z SE + spacing)/tau*",
                se=e.se / e.value,
            )
        )
    return out


def _level_evidence(
    rows: tuple[ft.Row, ...],
) -> tuple[list[Evidence], list[Evidence], list[Evidence]]:
    e1, c4, paper = [], [], []
    for r in rows:
        lv = r.level["error"]
        e1.append(
            Evidence(
                f"||v - v1||^2 at tau = 0, mu = {r.mu:g}, vs E1's exact stationary error",
                r.e1.level_total,
                lv.mean,
                Z * lv.se + r.e1.level_total**2,
                f"{lv.n} runs, time-averaged; z SE + E1^2 (the closure's neglected order)",
                se=lv.se,
                ci=lv.ci(Z),
            )
        )
        ang = r.level["misalignment"]
        c4.append(
            Evidence(
                f"angle error at tau = 0, mu = {r.mu:g}, vs C4's OU value (tangential)",
                r.c4_level,
                ang.mean,
                Z * ang.se + r.c4_level * r.e1.level_total,
                f"{ang.n} runs, time-averaged; z SE + C4 x E1 (relative order E||x||^2, as E1's)",
                se=ang.se,
                ci=ang.ci(Z),
            )
        )
        if r.paper_level is not None:
            paper.append(
                Evidence(
                    f"level at tau = 0, mu = {r.mu:g}: log(measured / paper's {r.paper_level:g})",
                    0.0,
                    math.log(lv.mean / r.paper_level),
                    math.log(PAPER_FACTOR) + Z * lv.se / lv.mean,
                    f"read off the paper's plot: factor {PAPER_FACTOR:g} + z SE/E",
                    se=lv.se / lv.mean,
                )
            )
    return e1, c4, paper


def _level_control(rows: tuple[ft.Row, ...]) -> Evidence:
    worst = 0.0
    for r in rows:
        wrong = ft.e1_level_without_momentum()
        lv = r.level["error"]
        worst = max(worst, abs(lv.mean - wrong) / (Z * lv.se + wrong**2))
    return Evidence(
        "error levels without the 1/(1-mu) factor (E1 at mu = 0)",
        0.0,
        worst,
        1.0,
        "max over mu of |E - wrong| / (z SE + wrong^2): passes iff every momentum is within the "
        "same tolerance as E1",
        relation="upper",
    )


def verdict(rows: tuple[ft.Row, ...], paper_ok: bool, form_ok: bool) -> tuple[str, str]:
    taus = [r.primary.value for r in rows]
    if any(r.primary.censored for r in rows):
        return "inconclusive", "a delay grid ends before its optimal delay (censored)"
    if any(b >= a for a, b in itertools.pairwise(taus)):
        return "refuted", "the measured optimal delay does not fall as the momentum grows"
    if not paper_ok:
        return "discrepancy-found", "some reported optimal delays are outside the reading precision"
    if not form_ok:
        return "discrepancy-found", ""
    return "verified", ""


def check_c12(profile: object) -> CheckResult:
    """C12 at the profile's scale (``ci``: 20 runs; ``full``: the paper's 100), reading the
    ``asyncmsgd figure1`` results file or the store when they hold the cells."""
    t0 = time.perf_counter()
    scale = scale_for_profile(profile)
    data = f1.load_or_compute(scale)
    rows = ft.table(data)
    delays = _delay_evidence(rows)
    b, b_se = exponent(rows)
    b_e1 = st.fit_exponent([r.mu for r in rows], [r.e1.tau_max for r in rows])
    expo = Evidence(
        "exponent b of tau* ~ (1-mu)^b vs E1's boundaries' exponent",
        b_e1,
        b,
        Z * b_se,
        "least squares on log-log; SE from the bootstrap over runs and the grid spacing",
        se=b_se,
    )
    finding = Evidence(
        "the paper's reading: tau* ~ (1-mu)^2 (C10, 'consistent with our theory')",
        2.0,
        b,
        Z * b_se,
        "same exponent fit",
        se=b_se,
        expected=False,
    )
    paper = _paper_evidence(rows)
    level_e1, level_c4, level_paper = _level_evidence(rows)
    controls = (
        _aggregate_control(
            "the paper's (1-mu)^2 law anchored at 120 at mu = 0.7",
            rows,
            [r.paper_law for r in rows],
        ),
        _aggregate_control(
            "E1 with the radial curvature halved (eta lambda_1)",
            rows,
            [float(r.e1.wrong_radial_tau_max) for r in rows],
        ),
        _level_control(rows),
    )
    paper_ok = all(e.passed for e in paper)
    growth = ft.growth(data, rows)
    v, reason = verdict(rows, paper_ok, finding.passed)
    evidence = (*delays, expo, *paper, *level_e1, *level_c4, *level_paper, finding)
    return CheckResult(
        "C12",
        "figure 1",
        v,
        summary_text(rows, growth, b, b_se, b_e1, v),
        evidence,
        controls,
        reason=reason,
        seconds=time.perf_counter() - t0,
        details={
            "scale": scale,
            "results_file": str(f1.results_path(f1.DEFAULT_OUT, scale)),
            "store": str(f1.DEFAULT_OUT / f1.STORE_NAME),
            "figures": [
                {
                    "path": str(f1.results_path(f1.DEFAULT_OUT, scale).with_suffix(".pdf")),
                    "caption": "Figure 1 reproduced: mean error ||v - v1||^2 (band: spread over "
                    "runs) against the delay, per momentum; E1's predicted boundaries and the "
                    "paper's reported optimal delays are marked.",
                }
            ],
            "rows": [r.as_dict() for r in rows],
            "exponent": {"measured": b, "se": b_se, "e1": b_e1},
            "growth_below_boundary": growth,
        },
    )


def summary_text(
    rows: tuple[ft.Row, ...], growth: list[dict], b: float, b_se: float, b_e1: float, v: str
) -> str:
    taus = ", ".join(f"{r.primary.value:g}" for r in rows)
    e1 = ", ".join(str(r.e1.tau_max) for r in rows)
    paper = ", ".join(str(r.paper) for r in rows)
    levels = ", ".join(f"{r.level['error'].mean:.3f}" for r in rows)
    rel_e1 = [100 * (r.e1.level_total / r.level["error"].mean - 1) for r in rows]
    rel_c4 = [100 * abs(r.c4_level / r.level["misalignment"].mean - 1) for r in rows]
    rise = [100 * (g["measured_ratio"] - 1) for g in growth]
    rise_e1 = [100 * (g["e1_ratio"] - 1) for g in growth]
    return (
        f"measured optimal delays (error within 1.5x its tau = 0 value) {taus} for mu = 0.7..0.95 "
        f"vs the paper's {paper} and E1's boundaries {e1}; they fall as (1-mu)^{b:.2f} "
        f"(+- {b_se:.2f}; E1 {b_e1:.2f}), not as the (1-mu)^2 the paper calls consistent with "
        f"its theory; the error is not flat below them (by 0.9 tau_max it has risen "
        f"{min(rise):.0f}-{max(rise):.0f}%, E1: {min(rise_e1):.0f}-{max(rise_e1):.0f}%); "
        f"levels at tau = 0: {levels}, E1 {min(rel_e1):+.0f}% to {max(rel_e1):+.0f}% off "
        f"(within its closure order), C4's OU value within {max(rel_c4):.0f}% of the angle "
        f"error [{v}]"
    )
