"""The experiment figures (THEORY.md C12: Figure 1, C13: Figure 2), drawn from plain numbers.

Both functions take the ``plot`` section of a raw-results file (lists of numbers; see
:func:`checks.experiments.figure1_table.plot_summary` and
:func:`checks.experiments.figure2.plot_summary`), so a figure can be redrawn from its JSON
without recomputing. Figures go through :mod:`reports.figures` (vector PDF with embedded
TrueType fonts, reproducible bytes, PNG twin); drawing and saving happen inside its rc context.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from reports.figures import RC, new_figure, save

METRIC_LABELS = {
    "error": r"error $\|v - v_1\|^2$ (time average, second half of the run)",
    "misalignment": r"angle error $1 - (v^\top v_1)^2/\|v\|^2$ (time average)",
}
_CAP = 1.0  # errors are drawn up to this (a diverged run makes a mean infinite)
_ACC_SPAN = 0.06  # accuracy axes span at most this below the top (collapses are annotated)


def _arr(x: object) -> np.ndarray:
    return np.array([math.nan if v is None else v for v in x], dtype=float)  # type: ignore[union-attr]


def plot_figure1(
    summary: Mapping[str, object],
    out: Path,
    metric: str = "error",
    png: bool = True,
    margin: float = 0.5,
) -> list[Path]:
    """Figure 1 (C12): mean error against the delay per momentum, with the 10-90% spread over
    runs (shaded), the similar-error threshold (1 + margin) x E(0) (short dashed line at the
    curve's tau = 0 level; the optimal delay is the last delay below it), E1's predicted error
    (thin dashed, error metric only; open circles: to second order, issue 16, up to 0.9 of the
    boundary) and boundary tau_max (dotted vertical), the paper's reported
    optimal delay (star on the curve), the measured one (diamond), and delays at which some runs
    diverged (crosses at the top: their mean is infinite, so the curve is cut there). ``out`` is
    the path without suffix; returns the files written."""
    with plt.rc_context(RC):
        fig, ax = new_figure(7.0, 4.8)
        curves: Sequence[Mapping] = summary["curves"]  # type: ignore[assignment]
        colours = plt.cm.viridis(np.linspace(0.0, 0.9, len(curves)))
        any_div = False
        has_second = any(c.get("e1_error_second_order") is not None for c in curves)
        for c, col in zip(curves, colours, strict=True):
            d = _arr(c["delays"])
            m = c[metric]
            raw_mean = _arr(m["mean"])
            mean = np.where(np.isfinite(raw_mean), np.minimum(raw_mean, _CAP), np.nan)
            lo, hi = np.minimum(_arr(m["q10"]), _CAP), np.minimum(_arr(m["q90"]), _CAP)
            ax.fill_between(d, lo, hi, color=col, alpha=0.18, lw=0)
            ax.plot(d, mean, "-", color=col, lw=1.4, label=rf"$\mu = {c['mu']:g}$")
            div = _arr(c["diverged"]) > 0
            if div.any():
                any_div = True
                ax.plot(d[div], np.full(div.sum(), _CAP), "x", color=col, ms=4)
            if metric == "error":
                e1 = _arr(c["e1_error"])
                ok = np.isfinite(e1) & (e1 < _CAP)
                ax.plot(_arr(c["e1_delays"])[ok], e1[ok], "--", color=col, lw=0.8)
                if c.get("e1_error_second_order") is not None:
                    e2 = _arr(c["e1_error_second_order"])
                    ok2 = np.isfinite(e2) & (e2 < _CAP)
                    ax.plot(
                        _arr(c["e1_second_order_delays"])[ok2],
                        e2[ok2],
                        "o",
                        color=col,
                        mfc="none",
                        ms=3.5,
                        mew=0.8,
                    )
            ax.axvline(float(c["e1_tau_max"]), color=col, ls=":", lw=1.0)
            ok = np.isfinite(mean)
            if ok.any() and np.isfinite(mean[0]):
                level = (1.0 + margin) * float(mean[0])
                x_end = float(c["optimal"][metric]["value"])
                ax.plot([0.0, x_end], [level, level], color=col, ls=(0, (4, 2)), lw=0.9)
            if c.get("paper") is not None:
                paper = float(c["paper"])
                ax.plot(
                    paper,
                    np.interp(paper, d[ok], mean[ok]),
                    "*",
                    color=col,
                    ms=10,
                    mec="k",
                    mew=0.5,
                )
            opt = float(c["optimal"][metric]["value"])
            ax.plot(opt, np.interp(opt, d[ok], mean[ok]), "D", color=col, ms=5, mec="k", mew=0.5)
        ax.set_yscale("log")
        ax.set_xlabel(r"delay $\tau$ (updates)")
        ax.set_ylabel(METRIC_LABELS[metric])
        handles, labels = ax.get_legend_handles_labels()
        keys = [
            plt.Line2D([], [], color="grey", lw=6, alpha=0.3),
            plt.Line2D([], [], color="grey", ls=(0, (4, 2)), lw=0.9),
            plt.Line2D([], [], color="grey", ls="--", lw=0.8),
            plt.Line2D([], [], color="grey", marker="o", ls="", mfc="none", ms=3.5),
            plt.Line2D([], [], color="grey", ls=":", lw=1.0),
            plt.Line2D([], [], color="grey", marker="*", ls="", ms=10, mec="k"),
            plt.Line2D([], [], color="grey", marker="D", ls="", ms=5, mec="k"),
            plt.Line2D([], [], color="grey", marker="x", ls="", ms=5),
        ]
        names = [
            "10-90% of runs",
            rf"threshold ${1 + margin:g}\times E(\tau = 0)$",
            "E1 predicted error",
            "E1 to second order",
            r"E1 boundary $\tau_{\max}$",
            "paper's optimal delay",
            rf"measured optimal delay (${1 + margin:g}\times$)",
            "runs diverged (mean infinite)",
        ]
        keep = [
            i
            for i, n in enumerate(names)
            if (metric == "error" or not n.startswith("E1 predicted error"))
            and (n != "E1 to second order" or (metric == "error" and has_second))
            and (any_div or not n.startswith("runs diverged"))
        ]
        ax.legend(
            handles + [keys[i] for i in keep],
            labels + [names[i] for i in keep],
            fontsize=7,
            ncol=2,
            loc="upper right",
        )
        ax.set_title(str(summary.get("title", "Async-MSGD, streaming PCA (Figure 1)")), fontsize=9)
        return save(fig, Path(out), png=png)


def plot_figure2(
    summary: Mapping[str, object],
    out: Path,
    png: bool = True,
    paper_best: Mapping[int, float] | None = None,
) -> list[Path]:
    """Figure 2's analogue: mean validation accuracy against the momentum, one line per number
    of workers, 95% confidence intervals over seeds, the best momentum starred; with
    ``paper_best`` (workers -> momentum, C13's reading of the paper's Figure 2) the paper's best
    momentum of each line is ringed; one panel per step size (``summary["panels"]``)."""
    panels: Sequence[Mapping] = summary["panels"]  # type: ignore[assignment]
    with plt.rc_context(RC):
        fig, _ = new_figure(4.2 * len(panels), 3.9)
        fig.clf()
        axes = fig.subplots(1, len(panels), squeeze=False)[0]
        for ax, panel in zip(axes, panels, strict=True):
            mus = _arr(panel["mus"])
            series: Sequence[Mapping] = panel["workers"]  # type: ignore[assignment]
            colours = plt.cm.plasma(np.linspace(0.0, 0.8, len(series)))
            offsets = np.linspace(-0.012, 0.012, len(series))
            for s, col, off in zip(series, colours, offsets, strict=True):
                mean, lo, hi = _arr(s["mean"]), _arr(s["ci_low"]), _arr(s["ci_high"])
                ax.errorbar(
                    mus + off,
                    mean,
                    yerr=[mean - lo, hi - mean],
                    fmt="-o",
                    color=col,
                    ms=3.5,
                    capsize=2,
                    lw=1.1,
                    label=f"$W = {s['W']}$",
                )
                k = int(np.argmin(np.abs(mus - float(s["best_mu"]))))
                ax.plot(mus[k] + off, mean[k], "*", color=col, ms=11, mec="k", mew=0.5)
                if paper_best and int(s["W"]) in paper_best:
                    j = int(np.argmin(np.abs(mus - float(paper_best[int(s["W"])]))))
                    ax.plot(mus[j] + off, mean[j], "o", ms=12, mfc="none", mec=col, mew=1.4)
            top = max(float(np.nanmax(_arr(s["ci_high"]))) for s in series) + 0.002
            floor = max(
                min(float(np.nanmin(_arr(s["ci_low"]))) for s in series) - 0.002, top - _ACC_SPAN
            )
            ax.set_ylim(floor, top)
            below = np.zeros(mus.size, dtype=int)  # annotations stacked per momentum
            for s, col, off in zip(series, colours, offsets, strict=True):
                for i, (m, a) in enumerate(zip(mus, _arr(s["mean"]), strict=True)):
                    if a < floor:  # off the axis (a collapse): an arrow and the value
                        ax.annotate(
                            f"W={s['W']}: {a:.2f}",
                            (m + off, floor),
                            xytext=(-4, 8 + 9 * below[i]),
                            textcoords="offset points",
                            ha="right",
                            fontsize=6,
                            color=col,
                            arrowprops={"arrowstyle": "->", "color": col, "lw": 0.6},
                        )
                        below[i] += 1
            ax.set_xlabel(r"momentum $\mu$")
            ax.set_xticks(mus)
            ax.set_title(_greek(str(panel["title"])), fontsize=9)
        axes[0].set_ylabel("validation accuracy (mean, 95% CI over seeds)")
        handles, labels = axes[0].get_legend_handles_labels()
        handles.append(plt.Line2D([], [], color="grey", marker="*", ls="", ms=10, mec="k"))
        labels.append("best momentum (measured)")
        if paper_best:
            handles.append(
                plt.Line2D([], [], color="grey", marker="o", ls="", ms=10, mfc="none", mew=1.4)
            )
            labels.append("paper's best momentum")
        axes[0].legend(
            handles, labels, fontsize=7, loc="lower left", title="workers", title_fontsize=7
        )
        fig.suptitle(str(summary.get("title", "Figure 2 analogue")), fontsize=10)
        return save(fig, Path(out), png=png)


def _greek(title: str) -> str:
    """A panel title such as "eta = 0.1 (primary)" with its Greek name typeset."""
    import re

    return re.sub(r"\b(eta|mu)\b", lambda m: f"$\\{m.group(1)}$", title)
