"""A theory-versus-measurement figure for every quantitative claim, drawn from stored results.

Issue 15 (Build 2): each figure sets the theory beside the measurement on one plot, and is
drawn only from what the checks recorded (``CheckResult.details`` and the evidence items), so
that it can be redrawn from the result cache without simulating anything. Where a check does
not record what a fuller figure needs, the figure draws what it can and :data:`MISSING` says
which detail key would complete it (for the lead: checks/ is not the report's to edit).

Every function takes the claim's :class:`checks.registry.ClaimResult` and an output stem and
returns :class:`Plot` records: the files written, a plain-text caption (typeset later by
:mod:`reports.prose`, so its numbers reach the macro file) and the check the data came from.
Legends and axes use matplotlib's mathtext, so Greek letters read as in the text.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from checks.registry import ClaimResult
from checks.results import CheckResult, Evidence
from reports.figures import RC, new_figure, save

# What a fuller figure would need, per claim: (check, detail key, what it would show).
MISSING: dict[str, tuple[tuple[str, str, str], ...]] = {
    "C3": (
        (
            "mean path",
            "mean_path: per eta, the grid t and the run-average of H_1(t)^2",
            "the mean path drawn over the closed-form ODE solution (the figure shows the "
            "sup-error's convergence instead)",
        ),
    ),
    "C4": (
        (
            "OU moments",
            "var_se and rate_se: per eta and mode, the SE of the variance and of the rate",
            "error bars per eta and the weighted extrapolation line the check fits",
        ),
    ),
    "C5": (
        (
            "phase III",
            "points[k].hit_quantiles: quantiles of the first time in the eps-ball",
            "the hitting-time distribution with the printed and derived T3 marked",
        ),
    ),
    "C7": (
        (
            "traverse",
            "medians.quantiles: per eta, quantiles (or the ECDF) of the first-passage time",
            "the hitting-time distribution with the printed and derived T2 marked",
        ),
    ),
    "C8": (
        (
            "saddle variance",
            "var_u, var_u_se and T1: per eta, E h_1^2/eta at 0.5 T1 and T1 and the OU value",
            "the per-eta variance ratios and their extrapolation to eta -> 0",
        ),
    ),
    "C9": (
        (
            "escape",
            "escape_quantiles: per eta, quantiles of the escape time from the saddle",
            "the escape-time distribution with T1 marked",
        ),
    ),
    "D3": (
        (
            "rate slope",
            "fits[label].t and fits[label].G: the binned min_{k<=t} E||grad F(x_k)||^2",
            "the measured rate curves (the figure draws the fitted power laws instead)",
        ),
    ),
    "C14": (
        (
            "escape / stationary",
            "per-mu, per-eta escape fractions and stationary errors",
            "the per-mu curves (the figure shows the extrapolated values against theory)",
        ),
    ),
}


@dataclass(frozen=True)
class Plot:
    """One figure of a claim: its PDF, a caption in plain text, the check behind it."""

    path: Path
    caption: str
    check: str
    source: str = ""  # a results file other than the check's cache entry (Figure 1, 2)


def _result(cr: ClaimResult, check: str) -> CheckResult | None:
    return next((r for r in cr.results if r.check == check and not r.errored), None)


def _wls_line(x: np.ndarray, y: np.ndarray, se: np.ndarray) -> tuple[float, float]:
    """Weighted least squares y = a + b x (the checks' extrapolation to eta -> 0)."""
    w = 1.0 / np.asarray(se, dtype=float) ** 2
    design = np.column_stack([np.ones_like(x), x])
    beta = np.linalg.solve(design.T @ (design * w[:, None]), design.T @ (w * y))
    return float(beta[0]), float(beta[1])


def _extrapolation_axes(
    ax: plt.Axes,
    eta: np.ndarray,
    y: np.ndarray,
    se: np.ndarray | None,
    item: Evidence | None,
    colour: str,
    label: str,
) -> None:
    """Points with +-2 SE bars (none when the check records no per-point SE: then the line is
    unweighted), their least-squares line to eta = 0, and the check's extrapolated value there
    with its acceptance band (z SE)."""
    ax.errorbar(
        eta,
        y,
        yerr=None if se is None else 2 * se,
        fmt="o",
        color=colour,
        ms=4,
        capsize=2,
        label=label,
    )
    a, b = _wls_line(eta, y, np.ones_like(y) if se is None else se)
    xs = np.linspace(0.0, float(np.max(eta)) * 1.05, 50)
    ax.plot(xs, a + b * xs, "-", color=colour, lw=0.9, alpha=0.8)
    if item is not None:
        ax.errorbar(
            [0.0],
            [item.measured],
            yerr=[[item.tolerance], [item.tolerance]],
            fmt="s",
            color=colour,
            mfc="white",
            ms=5,
            capsize=3,
        )


def _finish(fig: plt.Figure, ax: plt.Axes, out: Path, legend: bool = True) -> Path:
    if legend:
        ax.legend(fontsize=7, loc="best")
    fig.tight_layout()
    return save(fig, out, png=False)[0]


# --------------------------------------------------------------------------------- per claim


def plot_c1(cr: ClaimResult, out: Path) -> list[Plot]:
    """C1 (Lemma 1): the largest step ||v_{k+1} - v_k|| per momentum beside Lemma 1's printed
    bound under both readings of C_d and the toolkit's derived bound; and the norm excess
    max |‖v_k‖^2 - 1| against eta beside the eta^gamma the lemma allows."""
    res = _result(cr, "paths")
    if res is None:
        return []
    d = res.details
    steps = {k: v for k, v in d.items() if k.startswith("steps mu=") and isinstance(v, Mapping)}
    bounds = [e for e in res.evidence if e.relation == "upper"]
    with plt.rc_context(RC):
        fig, axes = plt.subplots(1, 2, figsize=(7.4, 3.3))
        ax = axes[0]
        mus = [float(k.split("=")[1]) for k in steps]
        x = np.arange(len(mus))
        measured = [v["max_step"] / v["eta"] for v in steps.values()]
        ax.bar(x - 0.3, measured, 0.2, color="C0", label="measured max step / $\\eta$")
        for off, (pattern, col, name) in zip(
            (-0.1, 0.1, 0.3),
            (
                ("bounds ||X||)", "C3", r"printed, $C_d$ bounds $\|X\|$"),
                ("bounds ||X||^2)", "C2", r"printed, $C_d$ bounds $\|X\|^2$"),
                ("derived", "grey", "derived (toolkit)"),
            ),
            strict=True,
        ):
            vals = []
            for mu, v in zip(mus, steps.values(), strict=True):
                e = next(
                    (
                        b
                        for b in bounds
                        if f"mu = {mu}" in b.label and (pattern in b.label or pattern in b.note)
                    ),
                    None,
                )
                vals.append(math.nan if e is None else e.theory / v["eta"])
            ax.bar(x + off, vals, 0.2, color=col, label=name)
        ax.set_xticks(x)
        ax.set_xticklabels([rf"$\mu = {m:g}$" for m in mus])
        ax.set_ylabel(r"step size in units of $\eta$")
        ax.legend(fontsize=6)
        norm = d.get("norm")
        ax = axes[1]
        if isinstance(norm, Mapping):
            eta = np.asarray(norm["eta"], float)
            exc = np.asarray(norm["excess"], float)
            se = np.asarray(norm["excess_se"], float)
            ax.errorbar(
                eta,
                exc,
                yerr=2 * se,
                fmt="o-",
                ms=4,
                capsize=2,
                label=r"max$_k\,|\|v_k\|^2-1|$ (mean over runs)",
            )
            ax.plot(
                eta,
                exc[0] * (eta / eta[0]) ** 0.5,
                "k--",
                lw=1.0,
                label=r"$\propto\eta^{\gamma}$, $\gamma = 1/2$ (allowed)",
            )
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_xlabel(r"step size $\eta$ (with $\tau$ at C1's scale)")
            ax.legend(fontsize=6)
        fig.tight_layout()
        path = save(fig, out, png=False)[0]
    v0 = next(iter(steps.values()), {})
    return [
        Plot(
            path,
            f"C1: left, the largest step over {v0.get('runs')} runs x {v0.get('steps')} steps "
            f"(Rademacher data, eta = {v0.get('eta')}) in units of eta, beside Lemma 1's printed "
            "bound 2 C_d eta/(1-mu) read with C_d bounding ||X|| (exceeded: refuted under that "
            "reading) and ||X||^2 (respected), and the toolkit's derived bound; right, the norm "
            "excess against eta (bars +- 2 SE) beside the eta^gamma Lemma 1 allows: it shrinks "
            "faster.",
            "paths",
        )
    ]


def plot_c3(cr: ClaimResult, out: Path) -> list[Plot]:
    """C3 (Theorem 3): the sup-error between the mean path and the ODE's closed form against
    eta, log-log, with the wrong ODE (no 1/(1-mu)) beside it."""
    res = _result(cr, "mean path")
    if res is None:
        return []
    with plt.rc_context(RC):
        fig, ax = new_figure(5.6, 3.6)
        for (tag, data), col in zip(
            ((k, v) for k, v in res.details.items() if isinstance(v, dict) and "sup" in v),
            ("C0", "C1"),
            strict=False,
        ):
            eta = np.asarray(data["eta"], float)
            ax.errorbar(
                eta,
                data["sup"],
                yerr=2 * np.asarray(data["noise"], float),
                fmt="o-",
                color=col,
                ms=4,
                capsize=2,
                label=f"sup-error, {tag}",
            )
            ax.plot(eta, data["sup_wrong"], "x--", color=col, ms=5, lw=0.8)
        ax.plot([], [], "kx--", lw=0.8, label=r"against the ODE without $1/(1-\mu)$ (control)")
        eta = np.asarray(next(iter(v for v in res.details.values() if isinstance(v, dict)))["eta"])
        ref = 0.5 * float(np.max(eta)) ** -1
        ax.plot(eta, ref * eta * 0.5, ":", color="grey", lw=1.0, label=r"slope 1 (guide)")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel(r"step size $\eta$")
        ax.set_ylabel(r"$\sup_t\, \|\bar h(t) - H(t)\|$")
        path = _finish(fig, ax, out)
    mu = _signature_default(cr, "mean path", "mu")
    return [
        Plot(
            path,
            f"C3: sup-error between the run-averaged path and the closed-form ODE solution "
            f"against eta (mu = {mu}, {res.details.get('runs', '?')} runs per point; bars: +- 2 "
            "SE), without delay and with delays inside C3's condition; crosses: the same "
            "against the ODE without 1/(1-mu), which does not shrink. The claim's items are "
            "the fitted slopes (card above), which must be significantly above 0.",
            "mean path",
        )
    ]


def plot_c4(cr: ClaimResult, out: Path) -> list[Plot]:
    """C4 (Theorem 5): per mode, the stationary variance and the relaxation rate over the OU
    values against eta, extrapolated to eta -> 0, beside the theory value 1."""
    res = _result(cr, "OU moments")
    if res is None:
        return []
    d = res.details
    eta = np.asarray(d["eta"], float)
    var, rate = np.asarray(d["var"], float), np.asarray(d["rate"], float)
    var_ou, rate_ou = np.asarray(d["var_ou"], float), np.asarray(d["rate_ou"], float)
    items = {e.label: e for e in res.evidence}
    with plt.rc_context(RC):
        fig, axes = plt.subplots(1, 2, figsize=(7.2, 3.3))
        for ax, values, theory, name, key in (
            (axes[0], var, var_ou, "stationary variance", "Var U_{i} / C4 value"),
            (axes[1], rate, rate_ou, "relaxation rate", "relaxation rate of U_{i} / C4 value"),
        ):
            for k in range(values.shape[1]):
                i = k + 2
                ratio = values[:, k] / theory[k]
                label = key.format(i=i)
                item = next((e for lbl, e in items.items() if lbl.startswith(label)), None)
                _extrapolation_axes(ax, eta, ratio, None, item, f"C{k}", rf"$U_{i}$")
            ax.axhline(1.0, color="k", lw=1.0, ls="--", label="Theorem 5 (= 1)")
            ax.set_xlabel(r"step size $\eta$")
            ax.set_title(f"{name} / OU value", fontsize=9)
            ax.legend(fontsize=7)
        fig.tight_layout()
        path = save(fig, out, png=False)[0]
    return [
        Plot(
            path,
            f"C4: per mode, the measured stationary variance and relaxation rate of U_i over "
            f"Theorem 5's values against eta (mu = {d.get('mu')}, tau = {d.get('tau')}, "
            f"{d.get('runs')} runs), the weighted line to eta -> 0 and, at eta = 0, the check's "
            "extrapolated value with its acceptance band (z SE); dashed: the theory (1). The "
            "check records no per-point SE, so the points have no bars and the line is "
            "unweighted (the check's own fit is weighted).",
            "OU moments",
        )
    ]


def plot_c5(cr: ClaimResult, out: Path) -> list[Plot]:
    """C5 (Proposition 6): the fraction of runs in the eps-ball at the printed and derived T3
    per (mu, eps) against 3/4; and the update count U against eps, log-log, per mu."""
    res = _result(cr, "phase III")
    if res is None:
        return []
    pts = res.details["points"]
    mus = sorted({p["mu"] for p in pts})
    with plt.rc_context(RC):
        fig, axes = plt.subplots(1, 2, figsize=(7.4, 3.4))
        ax = axes[0]
        x = np.arange(len(pts))
        for key, marker, name in (
            ("frac_printed", "o", "at the printed $T_3$"),
            ("frac_derived", "s", "at the derived $T_3$"),
        ):
            f = np.array([p[key] for p in pts])
            n = np.array([p["runs"] for p in pts])
            se = np.sqrt(np.maximum(f * (1 - f), 1 / n) / n)
            ax.errorbar(x, f, yerr=2 * se, fmt=marker, ms=4, capsize=2, label=name)
        ax.axhline(0.75, color="k", ls="--", lw=1.0, label="Proposition 6: 3/4")
        ax.set_xticks(x)
        ax.set_xticklabels([f"{p['mu']:g}\n{p['eps']:g}" for p in pts], fontsize=6)
        ax.set_xlabel(r"$\mu$ / $\epsilon$")
        ax.set_ylabel(r"P$(\sum_{i\geq 2} H_i^2 \leq \epsilon)$")
        ax.legend(fontsize=7, loc="lower left")
        ax = axes[1]
        for k, mu in enumerate(mus):
            sel = [p for p in pts if p["mu"] == mu]
            eps = np.array([p["eps"] for p in sel])
            u = np.array([p["U"] for p in sel])
            use = np.array([p["U_se"] for p in sel])
            ax.errorbar(
                eps,
                u,
                yerr=2 * use,
                fmt="o-",
                ms=4,
                capsize=2,
                color=f"C{k}",
                label=rf"$\mu = {mu:g}$",
            )
        eps_all = np.array(sorted({p["eps"] for p in pts}))
        u0 = float(np.mean([p["U"] for p in pts if p["eps"] == eps_all[-1]]))
        ax.plot(
            eps_all,
            u0 * (eps_all / eps_all[-1]) ** -1.0,
            "k--",
            lw=1.0,
            label=r"derived: $U \propto \epsilon^{-1}$",
        )
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel(r"$\epsilon$")
        ax.set_ylabel(r"updates $U$ to the $\epsilon$-ball")
        ax.legend(fontsize=7)
        fig.tight_layout()
        path = save(fig, out, png=False)[0]
    runs = pts[0]["runs"]
    return [
        Plot(
            path,
            f"C5: left, the fraction of {runs} runs inside the eps-ball at the printed and at the "
            "derived T3 per (mu, eps) (bars +- 2 binomial SE) against Proposition 6's 3/4; "
            "right, the update count U against eps per mu (+- 2 bootstrap SE) beside the "
            "derived exponent -1 (dashed, through the largest eps); U does not depend on mu, "
            "as derived.",
            "phase III",
        )
    ]


def plot_c7(cr: ClaimResult, out: Path) -> list[Plot]:
    """C7 (Proposition 8): the median traverse time against eta, its extrapolation to
    eta -> 0, and the derived and printed T2."""
    res = _result(cr, "traverse")
    if res is None:
        return []
    d = res.details
    m = d["medians"]
    eta = np.asarray(m["eta"], float)
    item = next((e for e in res.evidence if e.origin == "toolkit"), None)
    with plt.rc_context(RC):
        fig, ax = new_figure(5.6, 3.5)
        _extrapolation_axes(
            ax,
            eta,
            np.asarray(m["median"], float),
            np.asarray(m["se"], float),
            item,
            "C0",
            "median first-passage time (+- 2 SE)",
        )
        ax.axhline(d["T2_derived"], color="C2", lw=1.2, label=r"derived $T_2$ (the ODE)")
        ax.axhline(d["T2_printed"], color="C3", lw=1.2, ls="--", label=r"printed $T_2$")
        ax.set_xlabel(r"step size $\eta$")
        ax.set_ylabel(r"time $t = k\eta$ to $H_1^2 \geq 1-\delta^2$")
        ax.set_ylim(0, max(d["T2_derived"], max(m["median"])) * 1.15)
        path = _finish(fig, ax, out)
    from checks.claims import c07_phase2_traverse as c7

    return [
        Plot(
            path,
            f"C7: median time from H_1(0)^2 = delta^2 to H_1^2 >= 1 - delta^2 against eta "
            f"(mu = {d['mu']}, tau = {d['tau']}, delta = {c7.DELTA}, Sigma = diag"
            f"{tuple(int(x) for x in c7.SPECTRUM)}), the weighted line to eta -> 0 and the "
            f"extrapolated value with its acceptance band (square); the derived T2 = "
            f"{d['T2_derived']:.4f} and the printed T2 = {d['T2_printed']:.4f}.",
            "traverse",
        )
    ]


def plot_c9(cr: ClaimResult, out: Path) -> list[Plot]:
    """C9 (Proposition 10): the escape fractions at T1 against eta, extrapolated, against
    1 - nu."""
    res = _result(cr, "escape")
    if res is None:
        return []
    d = res.details
    eta = np.asarray(d["eta"], float)
    runs = _runs_from_basis(res.evidence[0].basis) or 1000
    law, event = res.evidence[0], res.evidence[1]
    with plt.rc_context(RC):
        fig, ax = new_figure(5.6, 3.5)
        for key, item, col, name in (
            ("p_h1", law, "C0", r"P$(|h_1(T_1)| \geq \delta)$ (Theorem 9's law)"),
            ("p_paper", event, "C1", r"P$(H_2^2 \leq 1-\delta^2$ by $T_1)$ (Prop. 10)"),
        ):
            p = np.asarray(d[key], float)
            se = np.sqrt(np.maximum(p * (1 - p), 1 / runs) / runs)
            _extrapolation_axes(ax, eta, p, se, item, col, name)
        ax.axhline(law.theory, color="k", ls="--", lw=1.0, label=rf"$1-\nu = {law.theory:g}$")
        ax.set_xlabel(r"step size $\eta$")
        ax.set_ylabel("fraction of runs")
        path = _finish(fig, ax, out)
    return [
        Plot(
            path,
            f"C9: at T1 (printed = derived), the fraction of {runs} runs per eta that escaped "
            f"the saddle (|h_1| >= delta) and the fraction for Proposition 10's event, against "
            f"eta (mu = {d['mu']}, tau = {d['tau']}; bars +- 2 binomial SE), their weighted lines "
            "to eta -> 0 and the extrapolated values with their acceptance bands (squares); "
            "dashed: 1 - nu. The first must equal 1 - nu, the second be at least 1 - nu.",
            "escape",
        )
    ]


def plot_c10(cr: ClaimResult, out: Path) -> list[Plot]:
    """C10 (Remark 11): wall-clock time U/W to the eps-ball against the number of workers W,
    log-log, beside the linear speed-up W^-1."""
    res = _result(cr, "speed-up")
    if res is None:
        return []
    d = res.details
    w = np.asarray(d["workers"], float)
    u = np.array([p["U"] for p in d["points"]], float)
    use = np.array([p["U_se"] for p in d["points"]], float)
    with plt.rc_context(RC):
        fig, ax = new_figure(5.4, 3.5)
        ax.errorbar(
            w, u / w, yerr=2 * use / w, fmt="o", ms=5, capsize=2, label="measured $U/W$ (+- 2 SE)"
        )
        ax.plot(w, u[0] / w, "k--", lw=1.0, label=r"linear speed-up $\propto W^{-1}$")
        ax.plot(w, np.full_like(w, u[0]), ":", color="grey", lw=1.0, label="no speed-up (control)")
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("workers $W$ (parameter-server delays ps:W)")
        ax.set_ylabel(r"wall-clock time $U/W$ (updates per worker)")
        path = _finish(fig, ax, out)
    p0 = d["points"][0]
    return [
        Plot(
            path,
            f"C10: updates per worker U/W needed to reach the eps-ball (eps = {p0['eps']}, "
            f"mu = {p0['mu']}, {p0['runs']} runs per point) against the number of workers W, "
            "log-log, beside the linear speed-up W^-1 (dashed) and no speed-up (dotted).",
            "speed-up",
        )
    ]


def plot_c10_breakdown(cr: ClaimResult, out: Path) -> list[Plot]:
    """C10 (Remark 11): where the linear speed-up ends. Per momentum, wall-clock time U/W
    against W (log-log) beside W^-1, with E1's boundary (W = tau_max + 1) and the paper's
    condition (at constant 1) marked: the tradeoff is that a larger momentum ends it sooner."""
    res = _result(cr, "breakdown")
    if res is None or not res.details.get("curves"):
        return []
    curves = res.details["curves"]
    with plt.rc_context(RC):
        fig, ax = new_figure(6.2, 3.8)
        for k, c in enumerate(curves):
            pts = [p for p in c["points"] if math.isfinite(float(p["wall"]))]
            if not pts:
                continue
            w = np.array([p["workers"] for p in pts], float)
            wall = np.array([p["wall"] for p in pts], float)
            se = np.array([p["wall_se"] for p in pts], float)
            col = f"C{k}"
            ax.errorbar(
                w,
                wall,
                yerr=2 * se,
                fmt="o-",
                ms=3,
                lw=1.0,
                capsize=2,
                color=col,
                label=rf"$\mu = {c['mu']:g}$",
            )
            ax.plot(w, wall[0] * w[0] / w, ":", color=col, lw=0.9)
            ax.axvline(float(c["w_e1"]), color=col, ls="--", lw=0.9)
            if c.get("w_condition"):
                ax.axvline(float(c["w_condition"]), color=col, ls="-.", lw=0.8, alpha=0.7)
        keys = [
            plt.Line2D([], [], color="grey", ls=":", lw=0.9),
            plt.Line2D([], [], color="grey", ls="--", lw=0.9),
            plt.Line2D([], [], color="grey", ls="-.", lw=0.8),
        ]
        names = [
            r"linear speed-up $\propto W^{-1}$",
            r"E1's boundary $W = \tau_{\max}+1$",
            "the paper's condition (constant 1)",
        ]
        handles, labels = ax.get_legend_handles_labels()
        ax.legend(handles + keys, labels + names, fontsize=6, loc="lower left")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("workers $W$ (parameter-server delays ps:$W$)")
        ax.set_ylabel(r"wall-clock time $U/W$ to the $\epsilon$-ball")
        fig.tight_layout()
        path = save(fig, out, png=False)[0]
    c0 = curves[0]
    lin = ", ".join(f"{c['w_linear']} (mu = {c['mu']:g}, E1: {c['w_e1']})" for c in curves)
    return [
        Plot(
            path,
            f"C10, where the speed-up ends: per momentum, the updates per worker U/W to the "
            f"eps-ball (eps = {c0['eps']}, eta = {c0['eta']}, {c0['points'][0]['runs']} runs per "
            f"point, {c0['distribution']} data; bars +- 2 SE) against the number of workers W, "
            "beside the linear speed-up (dotted), E1's boundary (dashed) and the paper's delay "
            f"condition at constant 1 (dash-dotted). The speed-up stays linear up to W = {lin}.",
            "breakdown",
        )
    ]


E1_LEVEL_FILE = Path(__file__).resolve().parent.parent / "docs" / "e1-level.json"


def plot_e1(cr: ClaimResult, out: Path, grid_file: Path = E1_LEVEL_FILE) -> list[Plot]:
    """E1 (issue 16): the predicted stationary level against the simulated one at every tested
    point, as predicted/simulated - 1, per setting against the delay's fraction of the
    boundary, one colour per momentum: to second order (filled, solid) and to first order
    (open, dashed), bars 95% (the simulated level's SE), the 2% goal shaded; the check's own
    points (this run) as black diamonds; the grid from ``docs/e1-level.json``
    (``benchmarks/e1_level.py``) where it exists."""
    import json

    res = _result(cr, "stationary level")
    own = list(res.details.get("points", [])) if res is not None else []
    grid: list[Mapping] = []
    command = ""
    if grid_file.exists():
        data = json.loads(grid_file.read_text())
        grid = list(data.get("grid") or [])
        command = str(data.get("command", "")).split(";")[0]
    rows = grid or own
    if not rows:
        return []
    settings = list(dict.fromkeys(str(r["setting"]) for r in rows))
    mus = sorted({float(r["mu"]) for r in rows})
    colours = {
        m: plt.cm.viridis(x) for m, x in zip(mus, np.linspace(0, 0.9, len(mus)), strict=True)
    }
    n = len(settings)
    cols = min(3, n)
    nrows = math.ceil(n / cols)
    with plt.rc_context(RC):
        fig, axes = plt.subplots(
            nrows, cols, figsize=(7.4, 2.3 * nrows + 0.6), squeeze=False, sharey=True
        )
        for ax, name in zip(axes.flat, settings, strict=False):
            pts = [
                r
                for r in rows
                if r["setting"] == name and r.get("family", "constant") == "constant"
            ]
            ax.axhspan(-2, 2, color="grey", alpha=0.15, lw=0)
            ax.axhline(0, color="k", lw=0.6)
            for m in mus:
                sel = sorted(
                    (r for r in pts if float(r["mu"]) == m), key=lambda r: r["fraction_of_boundary"]
                )
                if not sel:
                    continue
                x = np.array([float(r["fraction_of_boundary"]) for r in sel])
                e2 = 100 * np.array([float(r["rel_error"]) for r in sel])
                e1 = 100 * np.array([float(r["rel_error_first_order"]) for r in sel])
                bar = 100 * 1.96 * np.array([float(r["rel_se"]) for r in sel])
                col = colours[m]
                ax.errorbar(x, e2, yerr=bar, fmt="o-", ms=3, lw=1.0, capsize=1.5, color=col,
                            label=rf"$\mu = {m:g}$")  # fmt: skip
                ax.plot(x, e1, "s--", ms=3, lw=0.8, color=col, mfc="none")
            for r in own:
                if r["setting"] == name and r.get("family", "constant") == "constant":
                    ax.plot(float(r["fraction_of_boundary"]), 100 * float(r["rel_error"]), "D",
                            color="k", ms=3.5, mfc="none", mew=0.8)  # fmt: skip
            ax.set_title(name, fontsize=8)
            ax.set_xlim(-0.03, 0.95)
            ax.set_ylim(-6, 22)
        for ax in axes.flat[n:]:
            ax.set_visible(False)
        for ax in axes[-1]:
            ax.set_xlabel(r"delay $\tau / \tau_{\max}$")
        for ax in axes[:, 0]:
            ax.set_ylabel("predicted / simulated - 1 (%)")
        handles, labels = axes.flat[0].get_legend_handles_labels()
        keys = [
            plt.Line2D([], [], color="grey", marker="o", ls="-", ms=3),
            plt.Line2D([], [], color="grey", marker="s", ls="--", ms=3, mfc="none"),
            plt.Line2D([], [], color="k", marker="D", ls="", ms=3.5, mfc="none"),
            plt.Rectangle((0, 0), 1, 1, color="grey", alpha=0.15),
        ]
        names = ["second order", "first order (E1's closure)", "this run's check", "the 2% goal"]
        fig.legend(handles + keys, labels + names, fontsize=6, ncol=4, loc="lower center")
        fig.tight_layout(rect=(0, 0.08, 1, 1))
        path = save(fig, out, png=False)[0]
    inside = [r for r in rows if abs(float(r["rel_error"])) <= 0.02]
    first = [r for r in rows if abs(float(r["rel_error_first_order"])) <= 0.02]
    missed = [r for r in rows if abs(float(r["rel_error"])) > 0.02]
    parts = []
    for m in mus:
        v = [float(r["fraction_of_boundary"]) for r in missed if float(r["mu"]) == m]
        if v:
            parts.append(f"{len(v)} at mu = {m:g} (delays {min(v):.2f}-{max(v):.2f} of tau_max)")
    misses = "the misses: " + ", ".join(parts) if parts else "no miss"
    where = f"the {len(grid)}-point grid of {command.strip()} (docs/e1-level.json)"
    source = where if grid else "this run"
    return [
        Plot(
            path,
            f"E1, the stationary level predicted against the simulated one at every tested "
            f"point ({source}; constant delays; simulated level's relative SE about 0.5%): "
            f"{len(inside)} of {len(rows)} points within the 2% goal to second order, "
            f"{len(first)} to first order; {misses}. The check asserts only the points inside "
            "its domain (second-order correction at most 3.5%).",
            "stationary level",
            source="docs/e1-level.json" if grid else "",
        )
    ]


def plot_c11(cr: ClaimResult, out: Path) -> list[Plot]:
    """C11 (poster Remark 3): the stationary error ratio per delay law against the 2x line."""
    res = _result(cr, "random delays")
    if res is None:
        return []
    items = [e for e in res.evidence if e.relation != "identity"]
    with plt.rc_context(RC):
        fig, ax = new_figure(5.6, 3.0)
        y = np.arange(len(items))
        ax.errorbar(
            [e.measured for e in items],
            y,
            xerr=[e.tolerance for e in items],
            fmt="o",
            ms=5,
            capsize=3,
            label=r"error ratio to $\tau = 0$ ($\pm z$ SE)",
        )
        ax.axvline(items[0].theory, color="k", ls="--", lw=1.0, label="2x (E1's onset)")
        ax.set_yticks(y)
        ax.set_yticklabels(
            [_label(e.label.split(": error ratio")[0], 36) for e in items], fontsize=7
        )
        ax.set_xlabel("stationary error / error without delay")
        path = _finish(fig, ax, out)
    return [
        Plot(
            path,
            "C11: stationary error with random delays (geometric and Pareto, mean 40) and a "
            "constant delay 40, over the error without delay, with the acceptance band "
            "(z SE); dashed: the 2x line that separates allowed from unstable.",
            "random delays",
        )
    ]


def plot_d3(cr: ClaimResult, out: Path) -> list[Plot]:
    """D3: the fitted rate curves min E||grad F||^2 ~ t^slope over their windows (normalised
    at the window's start), beside t^-1/2; and the slopes with their 95% CIs."""
    res = _result(cr, "rate slope")
    if res is None:
        return []
    fits: Mapping[str, Mapping] = res.details["fits"]
    with plt.rc_context(RC):
        fig, axes = plt.subplots(1, 2, figsize=(7.6, 3.6), gridspec_kw={"width_ratios": [1, 1.2]})
        ax = axes[0]
        for k, (label, f) in enumerate(fits.items()):
            lo, hi = f["window"]
            t = np.geomspace(lo, hi, 30)
            ls = ":" if label.startswith("control") else "-"
            ax.plot(t, (t / lo) ** f["slope"], ls, color=f"C{k % 10}", lw=1.0)
        lo, hi = next(iter(fits.values()))["window"]
        t = np.geomspace(lo, hi, 30)
        ax.plot(t, (t / lo) ** -0.5, "k--", lw=1.6, label=r"$t^{-1/2}$ (D3)")
        ax.set_xscale("log")
        ax.set_yscale("log")
        _plain_log_ticks(ax)
        ax.set_xlabel("updates $t$")
        ax.set_ylabel(r"fitted $\min_{k\leq t}\mathbb{E}\|\nabla F\|^2$ (normalised)")
        ax.legend(fontsize=7)
        ax = axes[1]
        labels = list(fits)
        y = np.arange(len(labels))
        slopes = np.array([fits[lb]["slope"] for lb in labels])
        ci = np.array([fits[lb]["ci"] for lb in labels])
        ax.errorbar(
            slopes, y, xerr=[slopes - ci[:, 0], ci[:, 1] - slopes], fmt="o", ms=4, capsize=2
        )
        items = {e.label: e for e in res.evidence}
        for k, lb in enumerate(labels):
            e = items.get(lb)
            if e is not None:
                ax.plot(
                    [e.theory - e.tolerance, e.theory + e.tolerance],
                    [k, k],
                    "-",
                    color="grey",
                    alpha=0.35,
                    lw=5,
                )
        ax.axvline(-0.5, color="k", ls="--", lw=1.0)
        ax.set_yticks(y)
        ax.set_yticklabels([_label(lb, 40) for lb in labels], fontsize=6)
        ax.set_xlabel("log-log slope (95% bootstrap CI); grey: accepted")
        fig.tight_layout()
        path = save(fig, out, png=False)[0]
    d = res.details
    return [
        Plot(
            path,
            f"D3: left, each configuration's fitted power law over its window (normalised to 1 "
            f"at the window's start; dotted: the negative control) beside t^-1/2; right, the "
            f"fitted slopes with their 95% bootstrap CIs and the accepted band (grey, z SE + "
            f"the log-factor allowance) around -1/2. Profile {d.get('profile')}: {d.get('steps')} "
            f"updates, {d.get('runs')} runs per configuration.",
            "rate slope",
        )
    ]


def _plain_log_ticks(ax: plt.Axes) -> None:
    """Log axes spanning less than a few decades: no minor tick labels (they overlap)."""
    from matplotlib.ticker import NullFormatter

    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.yaxis.set_minor_formatter(NullFormatter())


def _label(text: str, width: int = 46) -> str:
    """An item's label for a tick or a legend: the report's notation (mathtext), wrapped, never
    cut; a label matplotlib's mathtext cannot parse is shown as the checks wrote it."""
    import re

    from matplotlib.mathtext import MathTextParser

    from reports.prose import mathtext

    out = mathtext(text, width)
    parser = MathTextParser("path")
    try:
        for span in re.findall(r"\$[^$]*\$", out):
            parser.parse(span)
    except ValueError:
        return "\n".join(textwrap.wrap(text, width))
    return out


def plot_forest(cr: ClaimResult, out: Path, checks: Sequence[str] | None = None) -> list[Plot]:
    """Every numeric claim item of the claim: (measured - theory)/tolerance, so that items of
    any scale share one axis; the accepted region is shaded (|x| <= 1 for a two-sided item,
    one side for a bound)."""
    rows = [
        (r.check, e)
        for r in cr.results
        if not r.errored and (checks is None or r.check in checks)
        for e in r.evidence
        if e.relation != "identity"
        and math.isfinite(e.measured)
        and math.isfinite(e.theory)
        and e.tolerance > 0
    ]
    if not rows:
        return []
    with plt.rc_context(RC):
        lines = sum(_label(e.label, 56).count("\n") + 1 for _, e in rows)
        fig, ax = new_figure(6.4, 0.9 + 0.2 * lines + 0.08 * len(rows))
        y = np.arange(len(rows))[::-1]
        for k, (_check, e) in enumerate(rows):
            x = (e.measured - e.theory) / e.tolerance
            col = "C2" if e.passed else "C3"
            if abs(x) > 6:  # beyond the axis: an arrow at the edge, the value beside it
                edge = math.copysign(5.8, x)
                ax.plot([edge], [y[k]], ">" if x > 0 else "<", color=col, ms=6)
                ax.annotate(
                    f"{x:.0f}",
                    (edge, y[k]),
                    xytext=(-14 if x > 0 else 6, 3),
                    textcoords="offset points",
                    fontsize=5,
                    color=col,
                )
                continue
            ax.plot([x], [y[k]], "o", color=col, ms=4)
            if math.isfinite(e.se) and e.se > 0:
                half = 1.96 * e.se / e.tolerance
                ax.plot([x - half, x + half], [y[k], y[k]], "-", color=col, lw=1.0)
            lo, hi = {
                "abs-diff": (-1, 1),
                "upper": (-50, 1),
                "lower": (-1, 50),
                "lower-strict": (1, 50),
                "upper-strict": (-50, -1),
            }[e.relation]
            ax.plot([max(lo, -6), min(hi, 6)], [y[k], y[k]], "-", color="grey", alpha=0.25, lw=6)
        ax.axvline(0, color="k", lw=0.8)
        ax.set_yticks(y)
        ax.set_yticklabels([_label(e.label, 56) for _, e in rows], fontsize=6)
        ax.set_xlim(-6, 6)
        ax.set_xlabel("(measured - theory) / tolerance; grey: accepted; bar: 95% CI")
        fig.tight_layout()
        path = save(fig, out, png=False)[0]
    return [
        Plot(
            path,
            f"{cr.id}: every numeric item of the claim, measured against its theory in units of "
            "its tolerance (0: the theory; grey: the region the item accepts; green: holds, red: "
            "fails; bars: 95% CI where the item has an SE). Values beyond +-6 tolerances are "
            "arrows at the edge, with their value.",
            rows[0][0],
        )
    ]


def _runs_from_basis(basis: str) -> int | None:
    import re

    m = re.search(r"(\d[\d,]*) runs", basis)
    return int(m.group(1).replace(",", "")) if m else None


def _signature_default(cr: ClaimResult, check: str, name: str) -> object:
    import inspect

    from checks.registry import entries

    for c in entries()[cr.id].checks:
        if c.name == check:
            p = inspect.signature(c.func).parameters.get(name)
            return None if p is None else p.default
    return None


PLOTTERS: dict[str, Callable[[ClaimResult, Path], list[Plot]]] = {
    "C1": plot_c1,
    "C3": plot_c3,
    "C4": plot_c4,
    "C5": plot_c5,
    "C7": plot_c7,
    "C9": plot_c9,
    "C10": plot_c10,
    "C11": plot_c11,
    "D3": plot_d3,
    "E1": plot_e1,
}
# claims whose figure is the generic one (their checks record no series to draw)
FOREST = ("C2", "C8", "C14", "D1", "D2", "D4", "E1")


def claim_plots(cr: ClaimResult, folder: Path) -> list[Plot]:
    """The claim's figures (an empty list for a claim with no numeric evidence)."""
    folder.mkdir(parents=True, exist_ok=True)
    out: list[Plot] = []
    if cr.id in PLOTTERS:
        out += PLOTTERS[cr.id](cr, folder / f"{cr.id}-theory-vs-measured")
    if cr.id == "C10":
        out += plot_c10_breakdown(cr, folder / "C10-breakdown")
    if cr.id in FOREST:
        out += plot_forest(cr, folder / f"{cr.id}-items")
    return out
