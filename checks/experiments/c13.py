"""The C13 check (THEORY.md C13, Figure 2): not reproducible here; what the CPU analogue shows.

The original experiment trains SphereResNet34 / WideResNet on CIFAR-100 with 8 Titan XP GPUs,
200 epochs, 10 repeats per (workers, momentum) cell: GPU-days, GPUs this machine does not have,
and a data download. The verdict is therefore ``not-reproducible-here``. The analogue of
:mod:`checks.experiments.figure2` is reported beside it (best momentum per W, and whether it falls
as W grows, per step size), and its robust part is asserted: the mechanism behind the paper's
direction, the interaction of momentum and staleness.

Evidence, at the largest step size of the scale (eta = 0.2), comparing W = 8 with W = 1 seed by
seed (the runs share initialisation and minibatches, so the difference is paired; SE over seeds,
z = the suite's Bonferroni z):

* mu = 0.9 is hurt by staleness: mean acc(W=8) + z SE < mean acc(W=1);
* mu = 0.1 is not: |acc(W=8) - acc(W=1)| <= z SE + 1/n_val (one validation image: the
  resolution of an accuracy).

Negative controls, the same two comparisons with the momenta swapped: "staleness does not affect
mu = 0.9" (no interaction between momentum and asynchrony) and "staleness hurts mu = 0.1 as it
hurts mu = 0.9"; both must be rejected.
"""

from __future__ import annotations

import math
import time

import numpy as np

from checks.experiments import figure2 as f2
from checks.experiments.common import scale_for_profile
from checks.profile import Z
from checks.results import CheckResult, Evidence

REASON = (
    "the original trains SphereResNet34/WideResNet on CIFAR-100 with 8 Titan XP GPUs (200 "
    "epochs, 10 repeats per cell): GPU-days, GPUs this machine does not have, and a data "
    "download; a CPU analogue (an MLP on scikit-learn's bundled digits, Async-MSGD behind a "
    "simulated parameter server) is reported instead"
)


def _paired(g: f2.Grid, eta_i: int, mu: float) -> tuple[float, float, float]:
    """(mean acc at W=1, mean acc at W=8, SE of the paired difference) at one momentum."""
    k = f2.MUS.index(mu)
    a1, a8 = g.acc[eta_i, 0, k], g.acc[eta_i, -1, k]
    diff = a8 - a1
    return float(a1.mean()), float(a8.mean()), float(diff.std(ddof=1) / math.sqrt(diff.size))


def _hurt(label: str, g: f2.Grid, i: int, mu: float) -> Evidence:
    a1, a8, se = _paired(g, i, mu)
    return Evidence(
        label,
        a1,
        a8,
        Z * se,
        f"{g.acc.shape[-1]} seeds, paired by seed; significantly below: acc(W=8) + z SE < acc(W=1)",
        se=se,
        relation="upper-strict",
    )


def _unhurt(label: str, g: f2.Grid, i: int, mu: float) -> Evidence:
    a1, a8, se = _paired(g, i, mu)
    return Evidence(
        label,
        a1,
        a8,
        Z * se + 1.0 / g.val_size,
        f"{g.acc.shape[-1]} seeds, paired by seed; z SE + 1/{g.val_size} (one validation image)",
        se=se,
    )


def _best(per_eta: dict) -> str:
    return ", ".join(f"{c['best_mu']:g}" for c in per_eta["workers"])


def summary_text(analysis: dict) -> str:
    """What the analogue shows, in one paragraph (also printed by ``asyncmsgd figure2``)."""
    p = f2.primary(analysis)
    best = _best(p)
    paper = ", ".join(f"{f2.PAPER_BEST[w]:g}" for w in f2.WORKERS)
    d = p["direction"]
    others = "; ".join(
        f"eta = {e['eta']:g}: best mu {_best(e)}, {e['direction']['verdict']}"
        for e in analysis["per_eta"]
        if not e["primary"]
    )
    worst = []
    for e in analysis["per_eta"]:
        acc8 = [a["mean"] for a in e["workers"][-1]["accuracy"]]
        if int(np.argmin(acc8)) == len(f2.MUS) - 1:
            worst.append(f"{e['eta']:g}")
    return (
        f"CPU analogue (MLP on digits, parameter server): at the primary step eta = "
        f"{p['eta']:g} the best momentum for W = 1, 2, 4, 8 is {best} (paper: {paper}); the "
        f"paper's direction (best momentum falls as workers grow) {d['verdict']} "
        f"(slope of best mu per doubling of W {d['slope_per_doubling']:+.3f}, 95% bootstrap CI "
        f"[{d['slope_ci'][0]:+.3f}, {d['slope_ci'][1]:+.3f}]). Other steps: {others}. "
        f"mu = 0.9 is the worst momentum at W = 8 for eta in {{{', '.join(worst) or 'none'}}} "
        "(paper: also the worst at 8 workers)."
    )


def check_c13(profile: object) -> CheckResult:
    """C13 at the profile's scale, reading ``asyncmsgd figure2``'s results when they exist."""
    t0 = time.perf_counter()
    scale = scale_for_profile(profile)
    try:
        raw = f2.load_complete(scale, f2.DEFAULT_OUT) or f2.compute(scale, f2.DEFAULT_OUT)
    except f2.MissingDependency as exc:
        return CheckResult(
            "C13",
            "pending",
            "not-reproducible-here",
            f"{REASON}; the analogue needs scikit-learn ({exc})",
            reason=REASON,
            seconds=time.perf_counter() - t0,
        )
    analysis = f2.analyse(raw)
    g = f2.grid(raw)
    i = len(g.etas) - 1
    eta = g.etas[i]
    evidence = (
        _hurt(f"eta = {eta:g}, mu = 0.9: staleness of 8 workers lowers the accuracy", g, i, 0.9),
        _unhurt(f"eta = {eta:g}, mu = 0.1: staleness of 8 workers leaves it unchanged", g, i, 0.1),
    )
    controls = (
        _unhurt("no momentum-asynchrony interaction: mu = 0.9 unchanged by staleness", g, i, 0.9),
        _hurt("staleness hurts mu = 0.1 as it hurts mu = 0.9", g, i, 0.1),
    )
    return CheckResult(
        "C13",
        "figure 2",
        "not-reproducible-here",
        summary_text(analysis),
        evidence,
        controls,
        reason=REASON,
        seconds=time.perf_counter() - t0,
        details={
            "scale": scale,
            "results_file": str(f2.results_path(f2.DEFAULT_OUT, scale)),
            "figures": [
                {
                    "path": str(f2.results_path(f2.DEFAULT_OUT, scale).with_suffix(".pdf")),
                    "caption": "CPU analogue of Figure 2: validation accuracy of an MLP on the "
                    "digits data against the momentum, per number of parameter-server workers "
                    "(mean and CI over seeds).",
                }
            ],
            "analysis": analysis,
        },
    )
