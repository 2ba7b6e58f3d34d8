"""``asyncmsgd adaptive``: one configuration of the asynchronous adaptive block methods (D1-D4).

Example (the D3 rate of AdaGrad-Norm on streaming PCA behind a 4-worker parameter server)::

    asyncmsgd adaptive --method adagrad-norm --problem pca --delay ps:4 --steps 8192 --runs 64 \\
        --json

Simulates ``--runs`` independent runs with stale reads, measures ||grad F(x_k)||^2 with the exact
gradient, and fits the slope of log min_{k<=t} E||grad F(x_k)||^2 on log t over t in
[T/32, T] (:mod:`checks.adaptive`); the theory (D3) is -1/2 up to log factors. ``--json`` prints
one object; its keys ``slope``, ``slope_ci``, ``slope_se``, ``window``, ``rate_ok``,
``final_grad2_mean``, ``diverged`` and ``delay_mean`` are an interface. ``--large`` switches the
default sizes from the CI profile (seconds) to the full one (minutes). ``--lockfree P`` runs the
real lock-free multi-process run instead (P processes sharing --steps updates), compares its
measured staleness with the parameter-server model ps:P and replays the measured delays in the
simulator.
"""

from __future__ import annotations

import argparse
import math
from typing import TYPE_CHECKING

from asyncmsgd.commands._common import dump_json, parse_sigma
from simulate.adaptive.names import (
    BLOCKS_SPEC_HELP,
    DEFAULT_EIGENVALUES,
    DEFAULT_MAX_DELAY,
    DEFAULT_PCA_DISTRIBUTION,
    NORM_ESTIMATES,
    PRESETS,
    PROBLEMS,
    SCHEDULES,
)
from simulate.names import DELAY_SPEC_HELP, DISTRIBUTIONS

if TYPE_CHECKING:  # annotations only: the simulator loads when the command runs
    from simulate.adaptive.methods import Method
    from simulate.adaptive.problems import StochasticProblem

DEFAULT_DELAY = "ps:4"
DEFAULT_BOOT = 400


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "adaptive",
        help="asynchronous adaptive block methods (D1-D4): the O(1/sqrt t) rate, lock-free runs",
        description="Simulate one configuration of the asynchronous adaptive block methods "
        "(stale reads from a delay model) and fit the log-log slope of min_(k<=t) "
        "E||grad F(x_k)||^2 against t (D3: -1/2 up to log factors); or, with --lockfree, run "
        "it for real on shared memory without locks.",
    )
    p.add_argument("--method", choices=sorted(PRESETS), default="adagrad-norm")
    p.add_argument("--problem", choices=PROBLEMS, default="pca")
    p.add_argument(
        "--delay", default=None, help=f"delay model (default {DEFAULT_DELAY}): {DELAY_SPEC_HELP}"
    )
    p.add_argument("--tau", type=float, default=None, help="the delay parameter (not for ps:W)")
    p.add_argument("--blocks", default="full", help=f"block choice: {BLOCKS_SPEC_HELP}")
    p.add_argument("--eta", type=float, default=None, help="base step size (method default)")
    p.add_argument("--schedule", choices=SCHEDULES, default=None, help="(method default)")
    p.add_argument(
        "--k0", type=float, default=None, help="schedule scale k0 (default 100; sqrt, horizon)"
    )
    p.add_argument(
        "--beta", type=float, default=None, help="momentum (default 0.9; methods with momentum)"
    )
    p.add_argument(
        "--beta2",
        type=float,
        default=None,
        help="second-moment EMA (default 0.99; rmsprop, adam, the ema norm estimate)",
    )
    p.add_argument(
        "--norm-estimate",
        choices=NORM_ESTIMATES,
        default=None,
        help="the normalized method's estimate of ||m|| (default stale)",
    )
    p.add_argument(
        "--sigma",
        default=None,
        help="pca: eigenvalues of Sigma or a matrix file (default "
        + ",".join(f"{x:g}" for x in DEFAULT_EIGENVALUES)
        + ")",
    )
    p.add_argument(
        "--distribution",
        choices=DISTRIBUTIONS,
        default=None,
        help=f"pca data model (default {DEFAULT_PCA_DISTRIBUTION}: bounded, A2 holds)",
    )
    p.add_argument("--batch", type=int, default=None, help="minibatch (pca 8, regression 1)")
    p.add_argument("--steps", type=int, default=None, help="updates per run (ci 8192)")
    p.add_argument("--runs", type=int, default=None, help="independent runs (ci 64)")
    p.add_argument("--large", action="store_true", help="full-profile sizes (65536 x 128)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--max-delay",
        type=int,
        default=None,
        help=f"cap on the delays an update may use (default {DEFAULT_MAX_DELAY})",
    )
    p.add_argument(
        "--boot",
        type=int,
        default=None,
        help=f"bootstrap resamples for the slope (default {DEFAULT_BOOT})",
    )
    p.add_argument(
        "--lockfree",
        type=int,
        default=None,
        metavar="P",
        help="run P real processes without locks (sharing --steps updates) instead",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run)


def _refuse_what_does_not_apply(args: argparse.Namespace) -> None:
    """Options that would be silently ignored in the chosen mode are errors: the user meant
    something this run would not do."""
    from theory.validation import ParameterError

    momentum, scaling, schedule, _, extra = PRESETS[args.method]
    schedule = args.schedule or schedule
    estimate = args.norm_estimate or extra.get("norm_estimate")
    rules = [
        ("--sigma", args.sigma, args.problem == "pca", "only with --problem pca (the "
         "regression problem has its own data)"),
        ("--distribution", args.distribution, args.problem == "pca", "only with --problem pca "
         "(the regression problem has its own data)"),
        ("--norm-estimate", args.norm_estimate, scaling == "normalized", "only with --method "
         f"normalized ({args.method} does not normalise its step)"),
        ("--beta", args.beta, momentum != "none", "only with a method with momentum "
         f"(heavy-ball, adam, normalized; {args.method} has none)"),
        ("--beta2", args.beta2, scaling == "rmsprop" or estimate == "ema", "only with rmsprop, "
         f"adam or --norm-estimate ema ({args.method} keeps no second moment)"),
        ("--k0", args.k0, schedule != "constant", "only with a sqrt or horizon --schedule "
         f"({args.method} uses a constant step here)"),
    ]  # fmt: skip
    if args.lockfree is not None:
        why = "not with --lockfree (the real run has its own delays; there is no rate fit)"
        rules += [
            ("--delay", args.delay, False, why),
            ("--tau", args.tau, False, why),
            ("--max-delay", args.max_delay, False, why),
            ("--boot", args.boot, False, why),
        ]
    if args.large and args.steps is not None and args.runs is not None:
        rules.append(("--large", True, False, "it only sets the default --steps and --runs, "
                      "and both are given"))  # fmt: skip
    for flag, value, applies, allowed in rules:
        if value is not None and not applies:
            raise ParameterError(flag, value, allowed)


def _problem(args: argparse.Namespace) -> StochasticProblem:
    from simulate.adaptive.problems import make_problem
    from theory.validation import check_positive_int

    if args.batch is not None:
        check_positive_int("batch", args.batch)
    if args.problem == "pca":
        kw: dict[str, object] = {"distribution": args.distribution or DEFAULT_PCA_DISTRIBUTION}
        if args.batch is not None:
            kw["batch"] = args.batch
        sigma = args.sigma or ",".join(f"{x:g}" for x in DEFAULT_EIGENVALUES)
        return make_problem("pca", problem=parse_sigma(sigma), **kw)
    return make_problem("regression", **({"batch": args.batch} if args.batch else {}))


def run(args: argparse.Namespace) -> int:
    from checks.adaptive import SIZES, fit_rate, rate_evidence
    from simulate.adaptive.methods import make_method
    from simulate.adaptive.run import simulate_adaptive
    from simulate.delays import parse_delay
    from theory.validation import ParameterError, check_positive_int

    _refuse_what_does_not_apply(args)
    size = SIZES["full" if args.large else "ci"]
    steps = check_positive_int("steps", size.steps if args.steps is None else args.steps)
    runs = check_positive_int("runs", size.runs if args.runs is None else args.runs)
    problem = _problem(args)
    method = make_method(
        args.method,
        eta=args.eta,
        schedule=args.schedule,
        k0=args.k0,
        beta=args.beta,
        beta2=args.beta2,
        norm_estimate=args.norm_estimate,
    )
    if args.lockfree is not None:
        return _lockfree(args, problem, method, steps, runs)
    delay_text = args.delay or DEFAULT_DELAY
    tau = args.tau
    if tau is None and not delay_text.strip().lower().startswith("ps"):
        raise ParameterError("tau", None, f"the {delay_text} delay model needs --tau")
    delay = parse_delay(delay_text, tau)
    boot = check_positive_int("boot", DEFAULT_BOOT if args.boot is None else args.boot)
    max_delay = DEFAULT_MAX_DELAY if args.max_delay is None else args.max_delay
    result = simulate_adaptive(
        problem,
        method,
        delay,
        blocks=args.blocks,
        runs=runs,
        steps=steps,
        seed=args.seed,
        max_delay=max_delay,
    )
    fit = fit_rate(result, n_boot=boot)
    ev = rate_evidence("slope", fit)
    t, g = result.min_curve()
    stats = result.delay_stats()
    out = {
        "method": result.method,
        "problem": result.problem,
        "delay": result.delay,
        "blocks": result.blocks,
        "steps": steps,
        "runs": runs,
        "seed": args.seed,
        "slope": fit.slope,
        "slope_ci": list(fit.ci),
        "slope_se": fit.se,
        "window": list(fit.window),
        "theory_slope": -0.5,
        "tolerance": ev.tolerance,
        "log_bias": fit.log_bias,
        "tolerance_basis": ev.basis,
        "rate_ok": ev.passed,
        "mean_curve_slope": fit.mean_slope,
        "min_curve": {"t": t, "G": g},
        "final_grad2_mean": float(result.grad2[:, -1].mean()),
        "start_grad2_mean": float(result.grad2[:, 0].mean()),
        "diverged": int(result.diverged.sum()),
        "delay_mean": stats["mean"],
        "delay_max": stats["max"],
        "delay_quantiles": stats["quantiles"],
        "delays_truncated": result.truncated,
        "delay_cap": result.cap,
        "elapsed_seconds": result.elapsed,
    }
    print(dump_json(out) if args.json else _text(out))
    return 0


def _fmt(x: object, spec: str = ".4g") -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "n/a"
    return format(x, spec)


def _text(s: dict) -> str:
    from checks.adaptive import SUITE_Z

    m = s["method"]
    lo, hi = s["slope_ci"]
    q = s["delay_quantiles"]
    verdict = "within" if s["rate_ok"] else "OUTSIDE"
    return "\n".join(
        [
            f"method {m['spec']}",
            f"problem {s['problem']['problem']} (d={s['problem']['d']}), delay {s['delay']}, "
            f"blocks {s['blocks']}; {s['runs']} runs x {s['steps']} updates, seed {s['seed']}, "
            f"{s['elapsed_seconds']:.2f} s",
            f"E||grad F||^2: start {_fmt(s['start_grad2_mean'])}, final "
            f"{_fmt(s['final_grad2_mean'])}; diverged {s['diverged']} of {s['runs']}",
            f"slope of log min_(k<=t) E||grad F(x_k)||^2 on log t, t in "
            f"[{s['window'][0]:g}, {s['window'][1]:g}]: {_fmt(s['slope'], '+.3f')} "
            f"(95% CI {_fmt(lo, '+.3f')} .. {_fmt(hi, '+.3f')}, SE {_fmt(s['slope_se'], '.3f')})",
            f"theory -1/2 up to log factors, one-sided: {verdict} the band slope <= -1/2 + "
            f"{_fmt(s['tolerance'], '.3f')} (z={SUITE_Z:.2f} x SE + the log factor's fitted "
            f"slope over the window {_fmt(s['log_bias'], '.3f')})",
            f"delays: mean {_fmt(s['delay_mean'])}, max {s['delay_max']}, quantiles "
            + ", ".join(f"{k}: {v}" for k, v in q.items())
            + f"; cap {s['delay_cap']}, truncated reads {s['delays_truncated']}",
        ]
    )


# Lock-free processes: each traces its updates in shared memory sized for the whole budget.
MAX_LOCKFREE = 256


def _lockfree(
    args: argparse.Namespace, problem: StochasticProblem, method: Method, steps: int, runs: int
) -> int:
    import numpy as np

    from simulate.adaptive.lockfree import TRACE_FIELDS, run_lockfree
    from simulate.adaptive.replay import compare_with_ps, replay
    from simulate.resources import available_memory, format_bytes
    from theory.validation import ParameterError, check_positive_int

    processes = check_positive_int("lockfree", args.lockfree)
    if processes > MAX_LOCKFREE:
        raise ParameterError(
            "lockfree", processes, f"at most {MAX_LOCKFREE} processes (each one a real process)"
        )
    if steps < processes:
        raise ParameterError(
            "steps",
            steps,
            f"at least --lockfree = {processes}: the {processes} processes share the --steps "
            "updates, at least one each",
        )
    updates = steps // processes
    # the trace: TRACE_FIELDS numbers per update, sized for the whole budget in each process
    need = 8 * TRACE_FIELDS * processes * processes * updates
    have = available_memory()
    if have is not None and need > have:
        raise ParameterError(
            "steps",
            steps,
            f"with --lockfree {processes} the traces take 32 x P x --steps bytes, "
            f"{format_bytes(need)}, more than the {format_bytes(have)} available here; "
            "lower --steps or --lockfree",
        )
    real = run_lockfree(
        problem, method, blocks=args.blocks, processes=processes, updates=updates, seed=args.seed
    )
    comparison = compare_with_ps(real.staleness[real.steady()], processes, seed=args.seed)
    rep = replay(real, problem, method, blocks=args.blocks, runs=runs, seed=args.seed)
    sim = np.log(rep.tail_grad2())
    out = {
        "mode": "lockfree",
        "method": method.describe(),
        "problem": problem.describe(),
        "blocks": args.blocks,
        "processes": processes,
        "updates": real.total,
        "wall_seconds": real.wall,
        "throughput": real.throughput,
        "staleness": comparison,
        "real_log_tail_grad2": math.log(real.tail_grad2()),
        "replay_log_tail_grad2_mean": float(sim.mean()),
        "replay_log_tail_grad2_sd": float(sim.std(ddof=1)) if sim.size > 1 else None,
        "replay_runs": runs,
        "grad2_start": real.grad2_start,
        "grad2_final": real.grad2_final,
        "start_method": real.describe.get("start_method"),
    }
    if args.json:
        print(dump_json(out))
        return 0
    m = comparison["measured"]
    lines = [
        f"lock-free run: {processes} processes, {real.total} updates in {real.wall:.3f} s "
        f"({real.throughput:.0f} updates/s), method {method.spec}, blocks {args.blocks}",
    ]
    if m is None:
        lines.append(f"staleness: {comparison['note']}")
    else:
        lines.append(
            f"staleness (all processes running): mean {m['mean']:.3f} (ps:{processes}: "
            f"{processes - 1}), quantiles "
            + ", ".join(f"{k}: {v:g}" for k, v in m["quantiles"].items())
            + f", max {m['max']}, zero {m['zero_fraction']:.1%}"
        )
    for row in comparison["models"] if m is not None else []:
        qs = ", ".join(f"{v:g}" for v in row["quantiles"].values())
        lines.append(
            f"  {row['model']:<28s} mean {row['mean']:.3f}, quantiles {qs}, max {row['max']}, "
            f"TV distance {row['tv']:.3f}"
        )
    lines.append(
        f"||grad F||^2: start {real.grad2_start:.4g}, final {real.grad2_final:.4g}; log of its "
        f"mean over the second half: real {out['real_log_tail_grad2']:.3f}, trace replay "
        f"{sim.mean():.3f} +- {_fmt(out['replay_log_tail_grad2_sd'], '.3f')} (sd, {runs} runs)"
    )
    print("\n".join(lines))
    return 0
