r"""C13 (Figure 2): the optimal momentum falls with the number of workers (deep network).

**Statement** (THEORY.md C13). SphereResNet34 / WideResNet on CIFAR-100, 8 GPUs, batch 128, lr
0.2 divided by 5 at epochs 60/120/160, 10 repeats: the best momentum by number of workers is
1 -> 0.9, 2 -> 0.7, 4 -> 0.7, 8 -> 0.5; mu = 0.9 is the worst at 8 workers.

**Source.** Section 4.2 and Figure 2 of the paper.

**Not reproducible here.** The original needs GPU-days on 8 Titan XP GPUs and a data download.
A CPU analogue (:mod:`checks.experiments.figure2`: an MLP on scikit-learn's bundled digits,
Async-MSGD behind a simulated parameter server) is the toolkit's interpretation of the
experiment, so everything it shows is a finding, not the verdict.

**Checks.** *figure 2*: at the analogue's largest step, W = 8 against W = 1 seed by seed (paired,
SE over seeds, z the suite's Bonferroni z): mu = 0.9 is hurt by staleness (acc(W=8) + z SE <
acc(W=1)); mu = 0.1 is not (|difference| <= z SE + 1/n_val, one validation image). Negative
controls: the same comparisons with the momenta swapped.
"""

from __future__ import annotations

import math
import time

import numpy as np

from checks.claims.base import Check, Claim, Statement
from checks.experiments import figure2 as f2
from checks.profile import Profile, Z
from checks.results import CheckResult, Evidence
from checks.verdict import Verdict

STATEMENT = Statement(
    id="C13",
    source="Figure 2",
    title="Optimal momentum falls with the number of workers (deep network)",
    latex=r"SphereResNet34 on CIFAR-100, 8 GPUs: best momentum by workers "
    r"$1\to0.9$, $2\to0.7$, $4\to0.7$, $8\to0.5$.",
    text="best momentum by workers: 1 -> 0.9, 2 -> 0.7, 4 -> 0.7, 8 -> 0.5 (ResNet, CIFAR-100)",
    kind="experiment",
    assumptions=("8 GPUs", "CIFAR-100", "SphereResNet34"),
)
PAPER_BEST = {1: 0.9, 2: 0.7, 4: 0.7, 8: 0.5}

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


def _hurt(label: str, g: f2.Grid, i: int, mu: float, **meta: object) -> Evidence:
    a1, a8, se = _paired(g, i, mu)
    return Evidence(
        label,
        a1,
        a8,
        Z * se,
        f"{g.acc.shape[-1]} seeds, paired by seed; significantly below: acc(W=8) + z SE < acc(W=1)",
        se=se,
        relation="upper-strict",
        **meta,
    )


def _unhurt(label: str, g: f2.Grid, i: int, mu: float, **meta: object) -> Evidence:
    a1, a8, se = _paired(g, i, mu)
    return Evidence(
        label,
        a1,
        a8,
        Z * se + 1.0 / g.val_size,
        f"{g.acc.shape[-1]} seeds, paired by seed; z SE + 1/{g.val_size} (one validation image)",
        se=se,
        **meta,
    )


def _best(per_eta: dict) -> str:
    return ", ".join(f"{c['best_mu']:g}" for c in per_eta["workers"])


def summary_text(analysis: dict) -> str:
    """What the analogue shows, in one paragraph (also printed by ``asyncmsgd figure2``)."""
    p = f2.primary(analysis)
    paper = ", ".join(f"{PAPER_BEST[w]:g}" for w in f2.WORKERS)
    d = p["direction"]
    others = "; ".join(
        f"eta = {e['eta']:g}: best mu {_best(e)}, {e['direction']['verdict']}"
        for e in analysis["per_eta"]
        if not e["primary"]
    )
    worst = [
        f"{e['eta']:g}"
        for e in analysis["per_eta"]
        if int(np.argmin([a["mean"] for a in e["workers"][-1]["accuracy"]])) == len(f2.MUS) - 1
    ]
    return (
        f"CPU analogue (MLP on digits, parameter server): at the primary step eta = "
        f"{p['eta']:g} the best momentum for W = 1, 2, 4, 8 is {_best(p)} (paper: {paper}); the "
        f"paper's direction (best momentum falls as workers grow) {d['verdict']} "
        f"(slope of best mu per doubling of W {d['slope_per_doubling']:+.3f}, 95% bootstrap CI "
        f"[{d['slope_ci'][0]:+.3f}, {d['slope_ci'][1]:+.3f}]). Other steps: {others}. "
        f"mu = 0.9 is the worst momentum at W = 8 for eta in {{{', '.join(worst) or 'none'}}} "
        "(paper: also the worst at 8 workers)."
    )


def check_figure2(profile: Profile) -> CheckResult:
    """C13 at the profile's experiment scale, reading ``asyncmsgd figure2``'s results when they
    exist."""
    t0 = time.perf_counter()
    scale = profile.experiment
    try:
        raw = f2.load_complete(scale, f2.DEFAULT_OUT) or f2.compute(scale, f2.DEFAULT_OUT)
    except f2.MissingDependency as exc:
        return CheckResult(
            "C13",
            "figure 2",
            f"{REASON}; the analogue needs scikit-learn ({exc})",
            reason=REASON,
            runnable=False,
            seconds=time.perf_counter() - t0,
        )
    analysis = f2.analyse(raw, PAPER_BEST)
    g = f2.grid(raw)
    i = len(g.etas) - 1
    eta = g.etas[i]
    interp = {"origin": "interpretation"}
    evidence = (
        _hurt(
            f"eta = {eta:g}, mu = 0.9: staleness of 8 workers lowers the accuracy",
            g,
            i,
            0.9,
            **interp,
        ),
        _unhurt(
            f"eta = {eta:g}, mu = 0.1: staleness of 8 workers leaves it unchanged",
            g,
            i,
            0.1,
            **interp,
        ),
    )
    controls = (
        _unhurt("no momentum-asynchrony interaction: mu = 0.9 unchanged by staleness", g, i, 0.9),
        _hurt("staleness hurts mu = 0.1 as it hurts mu = 0.9", g, i, 0.1),
    )
    return CheckResult(
        "C13",
        "figure 2",
        summary_text(analysis),
        evidence,
        controls,
        reason=REASON,
        runnable=False,
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


CHECKS = (Check("figure 2", check_figure2, "experiment"),)
EXPECTED_VERDICT = Verdict.NOT_REPRODUCIBLE
CLAIM = Claim(STATEMENT, CHECKS, EXPECTED_VERDICT)
