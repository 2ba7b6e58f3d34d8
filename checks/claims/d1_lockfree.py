r"""D1 (Gratton & Toint 2026): a class of asynchronous adaptive first-order methods.

**Statement** (THEORY.md D1). For min_x F(x) = E[f(x, xi)], F smooth and nonconvex: lock-free
Hogwild!-style updates on shared memory; each process picks a block of variables (blocks may
overlap), reads x (possibly stale), computes the block's stochastic gradient and takes a step
with a method-specific adaptive step size.

**Source.** The abstract of Gratton and Toint (2026).

**Assumptions.** The class as the toolkit defines it (:mod:`simulate.adaptive`).

**Checks.** *lock-free run*: P processes update one shared array without locks, with overlapping
blocks and AdaGrad-Norm steps (:mod:`simulate.adaptive.lockfree`). The claim's item: the real
runs make progress (their outcome, the mean log of ||grad F||^2 over the second half of the
updates, falls significantly below the start's; SE over repeats, z the suite's Bonferroni z).
The toolkit's items: the measured mean staleness equals the parameter-server model's W - 1 up to
an exact counting bound (a check of the instrumentation), and the simulator replaying the
measured delays reproduces the real runs' outcome (per trace, the real run minus the mean of its
replays; SE over traces, the Student-t factor at the suite's level). Controls: a synchronous
system (mean staleness 0), twice the workers (2P - 1), and "no progress".
"""

from __future__ import annotations

import math
import time

import numpy as np

from checks.adaptive import LOCKFREE, lockfree_problem, lockfree_runs, log_tail
from checks.claims.base import Check, Claim, Statement
from checks.profile import Profile
from checks.profile import Z as SUITE_Z
from checks.results import CheckResult, Evidence
from checks.stats import cluster_difference, student_factor
from checks.verdict import Verdict
from simulate.adaptive.lockfree import LockFreeResult
from simulate.adaptive.methods import make_method
from simulate.adaptive.replay import compare_with_ps, replay
from simulate.adaptive.run import simulate_adaptive
from simulate.delays import ParameterServer

STATEMENT = Statement(
    id="D1",
    source="Gratton and Toint 2026, abstract",
    title="Asynchronous adaptive first-order methods",
    latex=r"Lock-free Hogwild!-style block updates with stale reads and method-specific adaptive "
    r"step sizes, for smooth nonconvex $\min_x\mathbb{E}f(x,\xi)$.",
    text="lock-free Hogwild!-style block updates with stale reads and adaptive steps",
    kind="experiment",
    assumptions=("F smooth, nonconvex", "the toolkit's instance of the class"),
)


def check_lockfree_run(profile: Profile) -> CheckResult:
    """D1: the class runs lock-free. P processes update one shared array without locks with
    overlapping blocks and AdaGrad-Norm steps; evidence: (1) the measured mean staleness equals
    the parameter-server model's W - 1 up to an exact bound (a counting identity of the tiled
    snapshots, the same as the PS model's: it checks the instrumentation, not the machine);
    (2) the simulator replaying the measured delays reproduces the real runs' outcome
    (mean log of ||grad F||^2 averaged over the second half of the updates; a real run and the
    replays of its trace are one cluster, and the SE is over clusters,
    :func:`checks.stats.cluster_difference`); controls: a
    synchronous system (mean staleness 0), twice the workers (2P - 1), and "no progress" (the
    outcome equal to the start's) must all be rejected. The staleness distribution is compared
    with ps:P (exponential and log-normal compute times) in the details, not asserted: it
    depends on the machine (its load, its cores)."""
    t0 = time.perf_counter()
    name, sz = profile.name, profile.adaptive
    P = sz.lf_processes
    seed = profile.seed
    runs: tuple[LockFreeResult, ...] = lockfree_runs(P, sz.lf_updates, sz.lf_repeats, seed)
    z = SUITE_Z
    # (1) mean staleness in the steady stretch (all P processes running), pooled over repeats:
    # the tiled snapshots pin its sum to (P - 1) n up to an exact bound (not a statistical one)
    # a repeat in which the P processes never ran at once (a loaded machine: the OS ran them one
    # after another) has no steady stretch and no bound: it is left out, never an infinite
    # tolerance (the calibration met one at 1 of 18 seeds under load)
    steady_runs = [r for r in runs if math.isfinite(r.steady_bound())] or list(runs)
    pooled = np.concatenate([r.staleness[r.steady()] for r in steady_runs])
    n = max(pooled.size, 1)
    bound = sum(r.steady_bound() for r in steady_runs) / n
    mean_basis = (
        f"exact counting bound {bound:.3g} per update (LockFreeResult.steady_bound: the others' "
        "updates the steady stretch leaves out at its ends, P^2 straddling updates and 2P(P-1) "
        "for the lock-free sums of the counters); a check of the instrumentation and of the "
        "identity behind ps:P's mean, not of this machine"
    )

    if len(steady_runs) < len(runs):
        mean_basis += (
            f"; {len(steady_runs)} of {len(runs)} repeats had all P processes running at once"
        )

    def mean_ev(label: str, theory: float, **meta: object) -> Evidence:
        # no repeat with a steady stretch: nothing measured, and the item fails rather than
        # pass on an infinite bound
        m = float(pooled.mean()) if pooled.size else math.nan
        return Evidence(
            label, theory, m, bound if math.isfinite(bound) else 0.0, mean_basis, **meta
        )

    ev = [mean_ev(f"mean staleness vs ps:{P} long-run mean W-1", P - 1.0, origin="toolkit")]
    controls = [
        mean_ev("control (must fail): synchronous, mean staleness 0", 0.0),
        mean_ev(f"control (must fail): ps:{2 * P}, mean {2 * P - 1}", 2.0 * P - 1.0),
    ]
    # (2) replay: the simulator with the measured delays of each run
    problem = lockfree_problem()
    method = make_method(LOCKFREE["method"])
    real = log_tail([r.tail_grad2() for r in runs])
    per = max(2, sz.replay_runs // len(runs))
    sims = [
        log_tail(
            replay(
                r, problem, method, blocks=LOCKFREE["blocks"], runs=per, seed=seed + i
            ).tail_grad2()
        )
        for i, r in enumerate(runs)
    ]
    sim = np.concatenate(sims)
    # the SE over traces (a real run and the replays of its trace form one cluster), not a pooled
    # SD over runs: the pooled SD assumed the real runs vary like the replays, and with 4 real
    # runs beside 64 replays it was the replays' SD alone, while the real runs' variance depends
    # on the machine (per seed 0.002 to 0.17; the replays' 0.05-0.09). Measured on 46 seeds x 4
    # traces x 16 replays, the replays of one trace are nearly uncorrelated (the variance of
    # trace means 0.0045, the within-trace variance / 16 = 0.0038): clustering alone was not
    # why the item's |z| ran high (mean 1.14 at 50 seeds); the other cause was the real tail's
    # weighting by wall time (LockFreeResult.tail_grad2, now uniform in k as the replay's). The
    # SE over clusters holds whatever the variances are; with its few degrees of freedom the
    # tolerance takes the Student-t factor, not the normal z
    diff = cluster_difference(real, sims)
    se_diff = diff.se
    factor = student_factor(z, diff.df)
    basis = (
        f"t({diff.df})={factor:.2f} (the two-sided level of z={z:.2f}) x SE {se_diff:.3g} over "
        f"{diff.clusters} traces: per trace, the real run minus the mean of its {per} replays "
        "(the SE of a difference of means clustered by trace; the same law under the hypothesis "
        "that the simulator models the run)"
    )
    ev.append(
        Evidence(
            "lock-free outcome vs trace replay (mean log tail ||grad F||^2)",
            diff.theory,
            diff.measured,
            factor * se_diff,
            basis,
            se=se_diff,
            origin="toolkit",
        )
    )
    start = log_tail([r.grad2_start for r in runs])
    controls.append(
        Evidence(
            "control (must fail): no progress, outcome = log ||grad F(x_0)||^2",
            float(start.mean()),
            float(real.mean()),
            factor * se_diff,
            basis,
            se=se_diff,
        )
    )
    se_real = float(real.std(ddof=1) / math.sqrt(real.size)) if real.size > 1 else math.inf
    ev.append(
        Evidence(
            "the lock-free runs make progress: outcome below log ||grad F(x_0)||^2",
            float(start.mean()),
            float(real.mean()),
            z * se_real,
            f"{real.size} real lock-free repeats, SE over repeats; z = {z:.2f}; significantly "
            "below the start",
            se=se_real,
            relation="upper-strict",
            origin="claim",
            form="direction",
            statement="the class runs lock-free",
            note="the lock-free class converges (its outcome falls below the start's)",
        )
    )
    # reported, not asserted: the distribution against the PS models, the PS-model replay
    comparison = compare_with_ps(pooled, P, n_reference=sz.ps_reference)
    ps_sim = simulate_adaptive(
        problem,
        method,
        ParameterServer(P),
        blocks=LOCKFREE["blocks"],
        runs=sz.replay_runs,
        steps=runs[0].total,
        seed=seed,
    )
    m = comparison["measured"]
    return CheckResult(
        claim="D1",
        check="lock-free run",
        summary=(
            f"{P} processes x {sz.lf_updates} updates, lock-free, {len(runs)} repeats: staleness "
            f"mean {m['mean']:.2f} (ps:{P}: {P - 1}), median {m['quantiles']['0.5']:g}, 99% "
            f"{m['quantiles']['0.99']:g}, max {m['max']} (closest PS model "
            f"{comparison['closest']}, TV {comparison['closest_tv']:.2f}); outcome log tail "
            f"||grad F||^2 real {real.mean():.2f} vs replay {sim.mean():.2f}"
        ),
        evidence=tuple(ev),
        controls=tuple(controls),
        seconds=time.perf_counter() - t0,
        details={
            "profile": name,
            "staleness_vs_ps": comparison,
            "reallog_tail": real.tolist(),
            "replaylog_tail_mean": float(sim.mean()),
            "replay_traces": diff.clusters,
            "replays_per_trace": per,
            "replay_se_over_traces": se_diff,
            "ps_modellog_tail_mean": float(log_tail(ps_sim.tail_grad2()).mean()),
            "grad2_start": [r.grad2_start for r in runs],
            "throughput": [r.throughput for r in runs],
            "start_method": runs[0].describe.get("start_method"),
        },
    )


CHECKS = (Check("lock-free run", check_lockfree_run, "experiment"),)
EXPECTED_VERDICT = Verdict.VERIFIED
CLAIM = Claim(STATEMENT, CHECKS, EXPECTED_VERDICT)
