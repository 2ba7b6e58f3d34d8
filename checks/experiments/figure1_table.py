"""Figure 1's table (THEORY.md C12, E1, C4): per momentum, the empirical optimal delay beside
E1's prediction and the paper's value, and the small-delay error level beside C4 and E1.

* Empirical optimal delay: :mod:`checks.experiments.optimal_delay` on the per-run time-averaged
  ||v - v1||^2 (primary margin 0.5; margin 1.0 and the angle metric as sensitivity), bootstrap
  over runs.
* E1 (:mod:`theory.stability`): the exact boundary tau_max of the binding (radial) mode, and the
  prediction under the same definition as the data, i.e. the largest delay whose predicted
  E||h - e_1||^2 stays within (1 + m) x its tau = 0 value (``Analysis.onset(1 + m) - 1``).
* A wrong theory for the negative control: E1 with the radial curvature halved
  (c = eta lambda_1 instead of 2 eta lambda_1, i.e. forgetting that ||v|| is restored twice as
  fast as an angle), under the same definition; and the paper's own (1-mu)^2 law anchored at
  mu = 0.7 (:meth:`PaperValues.law`).
* Small-delay level (tau = 0, synchronous MSGD): the mean over runs of the time-averaged metric
  with its SE; C4's OU value eta sum_i alpha_{i,1}^2/(2(1-mu)(lambda_1-lambda_i)) (tangential,
  eta -> 0); E1's exact finite-step value (total and tangential); the level read off the
  paper's plot (THEORY.md C12: 0.02, 0.05, 0.1 at mu = 0.7, 0.9, 0.95).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cache

import numpy as np

from checks.experiments import optimal_delay as od
from checks.experiments.figure1 import (
    DISTRIBUTION,
    ETA,
    MARGINS,
    PRIMARY_MARGIN,
    SPECTRUM,
    Curve,
    Figure1Data,
    get_scale,
    problem,
)
from checks.stationary import ou_values
from checks.stats import Estimate, mean_estimate
from simulate.seeds import generator, stable_key
from theory import stability as st

METRICS = ("error", "misalignment")


@dataclass(frozen=True)
class PaperValues:
    """What the paper reports for Figure 1 (the values live with their claim, C12)."""

    optimal_delays: Mapping[float, int]
    levels: Mapping[float, float]  # read off the plot, where given
    anchor_mu: float  # where its (1-mu)^2 reading is anchored

    def law(self, mu: float) -> float:
        """The (1-mu)^2 scaling the paper calls consistent, anchored at ``anchor_mu``."""
        a = self.anchor_mu
        return self.optimal_delays[a] * ((1.0 - mu) / (1.0 - a)) ** 2


@dataclass(frozen=True)
class E1Prediction:
    mu: float
    tau_max: int  # exact boundary of the binding mode
    binding_mode: str
    same_definition: dict[float, int]  # margin -> largest delay within (1 + margin) x E(0)
    wrong_radial_tau_max: int  # radial curvature halved (negative control)
    wrong_radial_same_definition: dict[float, int]
    level_total: float  # E||h - e_1||^2 at tau = 0, E1's closure (first order)
    level_tangential: float  # sum_{i>=2} E h_i^2 at tau = 0
    level_second_order: float  # E||h - e_1||^2 at tau = 0 to second order (issue 16)

    def same_definition_second_order(self, margin: float) -> int:
        """The same-definition optimal delay from the second-order level (issue 16)."""
        return e1_same_definition_second_order(self.mu, margin)

    def curve(self, delays: np.ndarray, order: int = 1) -> np.ndarray:
        """Predicted E||h - e_1||^2 at the given delays (inf beyond the closure's range), from
        E1's closure (``order=1``) or to second order (``order=2``, issue 16)."""
        an = _analysis(self.mu)
        return np.array([an.stationary_error(int(t), order) for t in delays])


@cache
def _analysis(mu: float) -> st.Analysis:
    return st.analyse(problem(), DISTRIBUTION, ETA, mu)


def _wrong_radial(an: st.Analysis) -> st.Analysis:
    """E1 with the radial curvature halved (everything else unchanged)."""
    radial = replace(an.model.modes[0], c=an.model.modes[0].c / 2.0)
    model = replace(an.model, modes=(radial, *an.model.modes[1:]))
    modes = tuple(
        st.ModeResult(m.name, m.c, m.additive_noise_var, st.mode_boundary(an.mu, m.c, an.family))
        for m in model.modes
    )
    return st.Analysis(an.problem, an.data, an.eta, an.mu, an.family, model, modes)


@cache
def e1_same_definition_second_order(mu: float, margin: float = PRIMARY_MARGIN) -> int:
    """E1's predicted optimal delay at Figure 1's setting under the data's definition: the
    largest delay whose second-order level stays within (1 + margin) x its tau = 0 value.

    Public (and cached) without the rest of :func:`e1_prediction`, so that the README's
    Figure 1 table (:mod:`reports.readme`) costs only this search, not E1's whole table."""
    return _analysis(mu).onset(1.0 + margin, order=2) - 1


@cache
def e1_prediction(mu: float) -> E1Prediction:
    an = _analysis(mu)
    wrong = _wrong_radial(an)
    e0 = an.error(0)
    return E1Prediction(
        mu=mu,
        tau_max=an.tau_max,
        binding_mode=an.binding_mode,
        same_definition={m: an.onset(1.0 + m) - 1 for m in MARGINS},
        wrong_radial_tau_max=wrong.tau_max,
        wrong_radial_same_definition={m: wrong.onset(1.0 + m) - 1 for m in MARGINS},
        level_total=e0.total,
        level_tangential=e0.tangential,
        level_second_order=an.stationary_error(0, order=2),
    )


def c4_level(mu: float) -> float:
    """C4's stationary tangential error at the optimum, eta -> 0 (sum over i >= 2)."""
    return ETA * float(np.sum(ou_values(mu, SPECTRUM)[0]))


@dataclass(frozen=True)
class Row:
    mu: float
    optimal: dict[str, dict[float, od.OptimalDelay]]  # metric -> margin -> estimate
    e1: E1Prediction
    paper: int | None
    paper_law: float | None
    level: dict[str, Estimate]  # metric -> mean over runs at tau = 0
    c4_level: float
    paper_level: float | None
    converged_fraction: float  # smallest over the delays
    diverged_runs: int  # over all delays

    @property
    def primary(self) -> od.OptimalDelay:
        return self.optimal["error"][PRIMARY_MARGIN]

    def as_dict(self) -> dict[str, object]:
        return {
            "mu": self.mu,
            "optimal_delay": {
                metric: {str(m): e.as_dict() for m, e in by.items()}
                for metric, by in self.optimal.items()
            },
            "e1_tau_max": self.e1.tau_max,
            "e1_binding_mode": self.e1.binding_mode,
            "e1_same_definition": {str(m): v for m, v in self.e1.same_definition.items()},
            "e1_wrong_radial_tau_max": self.e1.wrong_radial_tau_max,
            "e1_wrong_radial_same_definition": {
                str(m): v for m, v in self.e1.wrong_radial_same_definition.items()
            },
            "paper": self.paper,
            "paper_law": self.paper_law,
            "level": {
                metric: {"mean": e.mean, "se": e.se, "runs": e.n}
                for metric, e in self.level.items()
            },
            "e1_level_total": self.e1.level_total,
            "e1_level_second_order": self.e1.level_second_order,
            "e1_level_tangential": self.e1.level_tangential,
            "c4_level": self.c4_level,
            "paper_level": self.paper_level,
            "converged_fraction": self.converged_fraction,
            "diverged_runs": self.diverged_runs,
        }


def bootstrap_rng(metric: str, mu: float, margin: float, seed: int) -> np.random.Generator:
    return generator(seed, (stable_key("figure1-bootstrap", metric, mu, margin),))


def row(curve: Curve, n_boot: int, seed: int, paper: PaperValues | None = None) -> Row:
    mu = curve.mu
    optimal = {
        metric: {
            m: od.estimate(
                curve.delays,
                curve.metric(metric),
                m,
                n_boot=n_boot,
                rng=bootstrap_rng(metric, mu, m, seed),
            )
            for m in MARGINS
        }
        for metric in METRICS
    }
    i0 = int(np.flatnonzero(curve.delays == 0)[0])
    return Row(
        mu=mu,
        optimal=optimal,
        e1=e1_prediction(mu),
        paper=None if paper is None else paper.optimal_delays[mu],
        paper_law=None if paper is None else paper.law(mu),
        level={metric: mean_estimate(curve.metric(metric)[:, i0]) for metric in METRICS},
        c4_level=c4_level(mu),
        paper_level=None if paper is None else paper.levels.get(mu),
        converged_fraction=float(curve.converged.mean(axis=0).min()),
        diverged_runs=int(curve.diverged.sum()),
    )


def table(data: Figure1Data, paper: PaperValues | None = None) -> tuple[Row, ...]:
    n_boot = get_scale(data.scale).n_boot
    seed = int(data.settings["seed"])
    return tuple(row(c, n_boot, seed, paper) for c in data.curves)


def plot_summary(data: Figure1Data, rows: tuple[Row, ...]) -> dict[str, object]:
    """Plain numbers for :func:`reports.plots.plot_figure1` (per momentum: mean and 10-90%
    spread per metric, E1's predicted curve and boundary, the paper's and the measured optimal
    delays)."""
    out = []
    for c, r in zip(data.curves, rows, strict=True):
        entry: dict[str, object] = {"mu": c.mu, "delays": c.delays}
        for metric in METRICS:
            v = c.metric(metric)
            with np.errstate(invalid="ignore"):
                entry[metric] = {
                    "mean": v.mean(axis=0),
                    "q10": np.quantile(v, 0.1, axis=0),
                    "q90": np.quantile(v, 0.9, axis=0),
                }
        entry["diverged"] = c.diverged.sum(axis=0)
        e1_delays = np.arange(0, max(r.e1.tau_max, 0) + 1)
        entry["e1_delays"] = e1_delays
        entry["e1_error"] = r.e1.curve(e1_delays)
        # the second-order level (issue 16) where it applies: up to 0.9 of the boundary, at a
        # few delays (each costs a filter computation)
        d2 = np.unique(np.round(np.linspace(0, 0.9 * max(r.e1.tau_max, 0), 7)).astype(int))
        entry["e1_second_order_delays"] = d2
        entry["e1_error_second_order"] = r.e1.curve(d2, order=2)
        entry["e1_tau_max"] = r.e1.tau_max
        entry["paper"] = r.paper
        entry["optimal"] = {
            metric: {"value": e.value, "ci": list(e.ci), "margin": e.margin}
            for metric, e in ((m, r.optimal[m][PRIMARY_MARGIN]) for m in METRICS)
        }
        out.append(entry)
    return {"metric_shown": "error", "curves": out}


def markdown(rows: tuple[Row, ...]) -> str:
    """The table as Markdown (what the command prints and writes)."""

    def tau(e: od.OptimalDelay) -> str:
        lo, hi = e.ci
        mark = ">=" if e.censored else ""
        return f"{mark}{e.value:g} [{lo:g}, {hi:g}]"

    def lev(e: Estimate) -> str:
        return f"{e.mean:.4f} +- {e.se:.4f}"

    head = (
        "| mu | optimal delay, m=0.5 [95% CI] | m=1.0 | angle metric, m=0.5 | E1 same def. "
        "(m=0.5, 1st order) | E1 tau_max | paper | paper (1-mu)^2 law | E1, radial c halved |\n"
        "|---|---|---|---|---|---|---|---|---|\n"
    )
    lines = [
        f"| {r.mu:g} | {tau(r.primary)} | {tau(r.optimal['error'][1.0])} | "
        f"{tau(r.optimal['misalignment'][PRIMARY_MARGIN])} | "
        f"{r.e1.same_definition[PRIMARY_MARGIN]} | {r.e1.tau_max} | {r.paper or '-'} | "
        f"{'-' if r.paper_law is None else f'{r.paper_law:.1f}'} | "
        f"{r.e1.wrong_radial_same_definition[PRIMARY_MARGIN]} |"
        for r in rows
    ]
    head2 = (
        "\n| mu | ||v-v1||^2 at tau=0 (+- SE) | E1, 2nd order | E1 (1st order) | angle metric at "
        "tau=0 | E1 tangential | C4 (OU) | paper (plot) | runs converged before window | "
        "diverged runs |\n|---|---|---|---|---|---|---|---|---|---|\n"
    )
    lines2 = [
        f"| {r.mu:g} | {lev(r.level['error'])} | {r.e1.level_second_order:.4f} | "
        f"{r.e1.level_total:.4f} | "
        f"{lev(r.level['misalignment'])} | {r.e1.level_tangential:.4f} | {r.c4_level:.4f} | "
        f"{'-' if r.paper_level is None else f'{r.paper_level:g}'} | "
        f"{100 * r.converged_fraction:.0f}% | {r.diverged_runs} |"
        for r in rows
    ]
    return head + "\n".join(lines) + "\n" + head2 + "\n".join(lines2) + "\n"


@cache
def e1_level_without_momentum() -> float:
    """E1's stationary error at tau = 0 and mu = 0, to second order (the negative control:
    no 1/(1-mu))."""
    return st.analyse(problem(), DISTRIBUTION, ETA, 0.0).stationary_error(0, order=2)


def growth(data: Figure1Data, rows: tuple[Row, ...]) -> list[dict[str, float]]:
    """How far from flat the error is below the boundary: M(tau)/M(0) at the largest grid delay
    <= 0.9 tau_max, measured and predicted by E1 (mostly its tangential modes)."""
    out = []
    for c, r in zip(data.curves, rows, strict=True):
        ok = c.delays[c.delays <= 0.9 * r.e1.tau_max]
        tau = int(ok[-1])
        j = int(np.flatnonzero(c.delays == tau)[0])
        i0 = int(np.flatnonzero(c.delays == 0)[0])
        an = _analysis(c.mu)
        out.append(
            {
                "mu": c.mu,
                "tau": tau,
                "measured_ratio": float(c.error[:, j].mean() / c.error[:, i0].mean()),
                "e1_ratio": an.stationary_error(tau, order=2) / an.stationary_error(0, order=2),
                "e1_ratio_first_order": an.error(tau).total / an.error(0).total,
            }
        )
    return out
