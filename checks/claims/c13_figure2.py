r"""C13 (Figure 2): the optimal momentum falls with the number of workers (deep network).

**Statement** (THEORY.md C13). SphereResNet34 / WideResNet on CIFAR-100, 8 GPUs, batch 128, lr
0.2 divided by 5 at epochs 60/120/160, 10 repeats: the best momentum by number of workers is
1 -> 0.9, 2 -> 0.7, 4 -> 0.7, 8 -> 0.5; mu = 0.9 is the worst at 8 workers.

**Source.** Section 4.2 and Figure 2 of the paper.

**Not reproducible here.** The original needs GPU-days on 8 Titan XP GPUs and a data download.
A CPU analogue (:mod:`checks.experiments.figure2`: an MLP on scikit-learn's bundled digits,
Async-MSGD behind a simulated parameter server, W = 1, 2, 4, 8, 40 seeds at the ci scale) is
the toolkit's interpretation of the experiment, so everything it shows is a finding, not the
verdict. Every run comes from the profile's root seed (``profile.seed``).

**Checks.** *figure 2*, all items of origin ``interpretation``:

* the direction, at the primary step (eta = 0.1): "the best momentum falls as W grows", by a
  permutation test over seeds (:func:`checks.experiments.figure2.direction`: the slope, per
  doubling of W, of each run's best momentum; null: the W labels exchangeable within seed);
  shown when the one-sided p-value is at most :data:`checks.experiments.figure2.ALPHA`
  (0.001), else the summary says "not shown" with the p-value;
* at the analogue's largest step, W = 8 against W = 1 seed by seed (paired, SE over seeds, z
  the suite's Bonferroni z): mu = 0.9 is hurt by staleness (acc(W=8) + z SE < acc(W=1));
  mu = 0.1 is not (|difference| <= z SE + 1/n_val, one validation image).

Negative controls, theories that could have been true, each judged by the test of its item:

* "the best momentum does not depend on W" (the permutation null; rejected when the
  two-sided p-value is at most ALPHA);
* "the best momentum rises with W" (what averaging out the noise of stale gradients would
  predict; accepted only if the same test shows a rise, p(rises) <= ALPHA);
* "staleness costs mu = 0.9 no more than it costs mu = 0.1" (no momentum-asynchrony
  interaction: the paired difference of the two costs >= -(z SE + 1/n_val));
* near miss: "staleness costs mu = 0.1 twice the resolution of its item" (accuracy at W = 8
  lower by 2 x its minimum detectable deviation, :mod:`checks.power`).
"""

from __future__ import annotations

import math
import time
from dataclasses import replace

import numpy as np

from checks.claims.base import Check, Claim, Statement
from checks.experiments import figure2 as f2
from checks.power import with_power
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
INTERP = {"origin": "interpretation"}


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


def _interaction(label: str, g: f2.Grid, i: int) -> Evidence:
    """The theory "staleness costs mu = 0.9 no more than mu = 0.1": per seed, the cost at 0.9
    minus the cost at 0.1 (cost = acc(W=8) - acc(W=1)), >= -(z SE + one validation image)."""
    k9, k1 = f2.MUS.index(0.9), f2.MUS.index(0.1)
    a = g.acc[i]
    d = (a[-1, k9] - a[0, k9]) - (a[-1, k1] - a[0, k1])
    se = float(d.std(ddof=1) / math.sqrt(d.size))
    return Evidence(
        label,
        0.0,
        float(d.mean()),
        Z * se + 1.0 / g.val_size,
        f"{d.size} seeds, paired by seed: [acc(W=8) - acc(W=1)] at mu = 0.9 minus the same at "
        f"mu = 0.1, >= -(z SE + 1/{g.val_size})",
        se=se,
        relation="lower",
    )


def _direction_items(d: dict, eta: float, seeds: int) -> tuple[Evidence, Evidence, Evidence]:
    """The direction item and its two controls, all judged by the one permutation test."""
    alpha = d["alpha"]
    basis = (
        f"permutation test over {seeds} seeds (scipy.stats.permutation_test: the W labels "
        f"permuted within seed, {d['n_permutations']} resamples) of the slope of each run's "
        f"best momentum against log2 W; level {alpha:g}"
    )
    text = f2.direction_text(d)
    falls = Evidence(
        f"eta = {eta:g}: the best momentum falls as W grows (one-sided p <= {alpha:g})",
        alpha,
        d["p_falls"],
        0.0,
        basis,
        relation="upper",
        form="direction",
        note=f"eta = {eta:g}: {text}",
        **INTERP,
    )
    null = Evidence(
        "control (a theory that could have been true): the best momentum does not depend on W "
        f"(W labels exchangeable within seed; rejected if the two-sided p <= {alpha:g})",
        alpha,
        d["p_two_sided"],
        0.0,
        basis,
        relation="lower-strict",
    )
    rises = Evidence(
        "control (a theory that could have been true): the best momentum rises with W "
        f"(accepted if the test shows a rise, p(rises) <= {alpha:g})",
        alpha,
        d["p_rises"],
        0.0,
        basis,
        relation="upper",
    )
    return falls, null, rises


def _best(per_eta: dict) -> str:
    return ", ".join(f"{c['best_mu']:g}" for c in per_eta["workers"])


def summary_text(analysis: dict) -> str:
    """What the analogue shows, in one paragraph (also printed by ``asyncmsgd figure2``)."""
    p = f2.primary(analysis)
    paper = ", ".join(f"{PAPER_BEST[w]:g}" for w in f2.WORKERS)
    d = p["direction"]
    runs = ", ".join(f"{x:.2f}" for x in d["mean_run_best_mu"])
    others = "; ".join(
        f"eta = {e['eta']:g}: best mu {_best(e)}, {e['direction']['verdict']} "
        f"({f2.p_text(e['direction']['p_falls'], e['direction']['n_permutations'])})"
        for e in analysis["per_eta"]
        if not e["primary"]
    )
    worst = [
        f"{e['eta']:g}"
        for e in analysis["per_eta"]
        if int(np.argmin([a["mean"] for a in e["workers"][-1]["accuracy"]])) == len(f2.MUS) - 1
    ]
    seeds = analysis.get("seeds")
    return (
        f"CPU analogue (MLP on digits, parameter server{f', {seeds} seeds' if seeds else ''}): "
        f"at the primary step eta = {p['eta']:g} the best momentum (highest mean accuracy) for "
        f"W = 1, 2, 4, 8 is {_best(p)} (paper: {paper}); the mean of each run's best momentum "
        f"is {runs}. The paper's direction (the best momentum falls as workers grow): "
        f"{f2.direction_text(d)}."
        + (f" Other steps: {others}." if others else "")
        + f" mu = 0.9 is the worst momentum at W = 8 for eta in "
        f"{{{', '.join(worst) or 'none'}}} (paper: also the worst at 8 workers)."
    )


def check_figure2(profile: Profile) -> CheckResult:
    """C13 at the profile's experiment scale and root seed, reading ``asyncmsgd figure2``'s
    results when they exist (module docstring: items and controls)."""
    t0 = time.perf_counter()
    scale, seed = profile.experiment, profile.seed
    try:
        raw = f2.load_complete(scale, f2.DEFAULT_OUT, seed) or f2.compute(
            scale, f2.DEFAULT_OUT, seed=seed
        )
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
    seeds = g.acc.shape[-1]
    analysis["seeds"] = seeds
    p = f2.primary(analysis)
    falls, null, rises = _direction_items(p["direction"], p["eta"], seeds)
    i = len(g.etas) - 1
    eta = g.etas[i]
    unhurt = with_power(
        _unhurt(
            f"eta = {eta:g}, mu = 0.1: staleness of 8 workers leaves it unchanged",
            g,
            i,
            0.1,
            **INTERP,
        ),
        "absolute",
    )
    evidence = (
        falls,
        _hurt(
            f"eta = {eta:g}, mu = 0.9: staleness of 8 workers lowers the accuracy",
            g,
            i,
            0.9,
            **INTERP,
        ),
        unhurt,
    )
    cost = 2.0 * unhurt.mdd
    controls = (
        null,
        rises,
        _interaction(
            "control (a theory that could have been true): staleness costs mu = 0.9 no more "
            "than it costs mu = 0.1 (no momentum-asynchrony interaction)",
            g,
            i,
        ),
        replace(
            unhurt,
            label=f"near miss: staleness of 8 workers costs mu = 0.1 {cost:.4f} of accuracy (2 x "
            "the item's minimum detectable deviation)",
            theory=unhurt.theory - cost,
            origin="toolkit",
            near_miss=True,
            note="",
        ),
    )
    path = f2.results_path(f2.DEFAULT_OUT, scale, seed)
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
            "seed": seed,
            "seeds": seeds,
            "results_file": str(path),
            "figures": [
                {
                    "path": str(path.with_suffix(".pdf")),
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
