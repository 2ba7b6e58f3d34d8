"""``asyncmsgd simulate``: many runs of Async-MSGD (eq. (5)) for one configuration.

Example (Figure 1's setting, C12)::

    asyncmsgd simulate --mu 0.9 --tau 10 --eta 5e-4 --sigma 4,3,2,1 --runs 100 --steps 20000 \\
        --start e2 --delay constant --seed 0 --json

Prints the mean final error with a 95% confidence interval, the stationary error (mean over the
last 10% of the steps), the escape / convergence / eps-ball times, the divergences and the realised
delays. ``--json`` prints one JSON object; its keys ``error_mean``, ``error_ci``,
``stationary_error``, ``diverged``, ``escape_steps_median``, ``delay_mean`` and ``delay_max`` are
an interface (the checks and the report read them).

Before anything is allocated, every value and the memory the run needs are checked (a run that
would not fit is refused, naming --runs, --steps, the delay or --max-delay). A run expected to
take longer than ESTIMATE_SECONDS says so on stderr, with its estimate, and then shows its
progress there: a tqdm bar on a terminal, plain lines in a log (:mod:`simulate.progress`).
"""

from __future__ import annotations

import argparse
import math
import os
import sys

from asyncmsgd.commands._common import dump_json, parse_sigma
from simulate.names import (
    DEFAULT_DIVERGENCE_BOUND,
    DELAY_SPEC_HELP,
    DISTRIBUTIONS,
    ENGINES,
    NOMINAL_RATE,
)
from simulate.resources import format_seconds

# A run expected to take longer than this says so before it starts.
ESTIMATE_SECONDS = 10.0
# The cost model of the estimate, measured here (2 cores): every update of a block costs a fixed
# overhead plus one lane-update per run, at the nominal rate (NumPy: 0.45 of it).
_STEP_OVERHEAD = {"numba": 2e-7, "numpy": 2.5e-5}
_RATE_SHARE = {"numba": 1.0, "numpy": 0.45}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "simulate",
        help="simulate Async-MSGD (eq. (5)) for streaming PCA: errors, phase times, delays",
        description="Run many independent runs of eq. (5) for one configuration and report the "
        "final and stationary errors, the phase hitting times and the realised delays. Error: "
        "||v - v1||^2 with the sign of v1 matching v; second metric 1 - (v.v1)^2/||v||^2.",
    )
    p.add_argument("--mu", type=float, required=True, help="momentum, in [0, 1)")
    p.add_argument("--eta", type=float, required=True, help="step size, > 0")
    p.add_argument(
        "--tau",
        type=float,
        default=None,
        help="delay: the constant delay, the uniform maximum, or the mean (geometric, poisson, "
        "pareto); default 0; not used by ps:W",
    )
    p.add_argument("--delay", default="constant", help=f"delay model: {DELAY_SPEC_HELP}")
    p.add_argument(
        "--max-delay",
        type=int,
        default=None,
        help="ring-buffer cap on the delays (default: the model's bound or its 1e-12 tail "
        "quantile, at most --steps); updates whose read it moves are counted",
    )
    p.add_argument(
        "--sigma",
        default="4,3,2,1",
        help="eigenvalues (comma-separated, Sigma diagonal) or a matrix file (default 4,3,2,1)",
    )
    p.add_argument("--distribution", choices=DISTRIBUTIONS, default="gaussian")
    p.add_argument("--runs", type=int, default=100)
    p.add_argument("--steps", type=int, default=20_000)
    p.add_argument("--start", default="e2", help="e1, e2, ... (eigenvector of Sigma) or random")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--delta", type=float, default=0.1, help="phase threshold delta (default 0.1)")
    p.add_argument("--eps", type=float, default=0.1, help="eps-ball radius (default 0.1)")
    p.add_argument(
        "--crn",
        action="store_true",
        help="common random numbers: data stream keyed by the run only (as across a grid)",
    )
    p.add_argument(
        "--normalize",
        action="store_true",
        help="renormalise v after every update (a variant, NOT the paper's eq. (5))",
    )
    p.add_argument("--divergence-bound", type=float, default=DEFAULT_DIVERGENCE_BOUND)
    p.add_argument("--engine", choices=ENGINES, default="auto")
    p.add_argument(
        "--threads",
        type=int,
        default=2 if (os.cpu_count() or 1) >= 2 else 1,
        help="2: draw samples while computing (same numbers); 1: serial",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run)


def _problem(text: str) -> object:
    """``--sigma``, parsed here rather than as an argparse type so that its errors reach the
    CLI's one-line handler; a rejected matrix is named by the text the user gave (the theory
    message would print the matrix over several lines)."""
    from theory.validation import ParameterError

    try:
        return parse_sigma(text)
    except ParameterError as exc:
        if "\n" not in str(exc):
            raise
        tail = str(exc).split(exc.allowed, 1)[-1].strip()
        hint = tail[1:-1] if tail.startswith("(") and tail.endswith(")") else ""
        raise ParameterError(exc.name, text, exc.allowed, hint) from None


def estimate_seconds(runs: int, steps: int, d: int, engine: str) -> float:
    """Expected duration of ``runs`` x ``steps`` (one configuration): a per-update overhead
    (what makes a few long runs slow per step-run) plus the lane-updates at the nominal rate,
    whose cost grows about linearly with d beyond 4."""
    rate = NOMINAL_RATE * _RATE_SHARE[engine] * 4.0 / max(d, 4)
    return float(steps) * (_STEP_OVERHEAD[engine] + runs / rate)


def run(args: argparse.Namespace) -> int:
    from simulate.delays import parse_delay
    from simulate.engine import Config, resolve_engine, simulate, validate
    from simulate.progress import Progress
    from simulate.records import RecordSpec

    problem = _problem(args.sigma)
    tau = args.tau
    if tau is None and not args.delay.strip().lower().startswith("ps"):
        tau = 0
    config = Config(
        args.mu,
        args.eta,
        parse_delay(args.delay, tau),
        normalize=args.normalize,
        max_delay=args.max_delay,
    )
    records = RecordSpec(delta=args.delta, eps=args.eps, window=0.1)
    kwargs = dict(
        runs=args.runs,
        steps=args.steps,
        seed=args.seed,
        distribution=args.distribution,
        start=args.start,
        records=records,
        engine=args.engine,
        crn=args.crn,
        divergence_bound=args.divergence_bound,
        threads=args.threads,
    )
    # every parameter, and the memory the run needs, is checked before anything is printed
    validate(problem, [config], **kwargs)
    work = float(args.runs) * float(args.steps)
    engine = resolve_engine(args.engine)
    seconds = estimate_seconds(args.runs, args.steps, problem.d, engine)
    if seconds > ESTIMATE_SECONDS:
        print(
            f"asyncmsgd simulate: {args.runs:,} run(s) x {args.steps:,} steps = {work:.3g} "
            f"step-runs, about {format_seconds(seconds)} here ({engine} engine, "
            f"{work / seconds:.2g} step-runs/s expected; progress follows)",
            file=sys.stderr,
            flush=True,
        )
    with Progress(work, unit="step-run", unit_scale=True, prog="asyncmsgd simulate") as bar:
        result = simulate(problem, [config], progress=bar.update, **kwargs)
    summary = result.summary(0)
    summary["delta"] = args.delta
    summary["eps"] = args.eps
    if args.json:
        print(dump_json(summary))
    else:
        print(_text(summary))
    return 0


def _fmt(x: object, spec: str = ".4g") -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "n/a"
    return format(x, spec)


def _hits(s: dict, name: str, runs: int) -> str:
    med = s[f"{name}_steps_median"]
    text = "not reached by half the runs" if med is None else f"median {_fmt(med, '.0f')} steps"
    return f"{text} ({s[f'{name}_reached']}/{runs} runs)"


def _text(s: dict) -> str:
    c = s["config"]
    runs = s["runs"]
    lo, hi = s["error_ci"]
    q = s["delay_quantiles"]
    sigma = ",".join(f"{x:g}" for x in s["eigenvalues"])
    lines = [
        f"Async-MSGD, update {c['update']}: mu={c['mu']:g} eta={c['eta']:g} delay={c['delay']}",
        f"Sigma eigenvalues {sigma} ({'diagonal' if s['sigma_diagonal'] else 'rotated'}), "
        f"{s['distribution']} data (A2 {'holds' if s['A2_bounded'] else 'fails'}), "
        f"start {s['start']}; {runs} runs x {s['steps']} steps, seed {s['seed']}, "
        f"engine {s['engine']}, {s['elapsed_seconds']:.2f} s",
        f"final error ||v - v1||^2:         {_fmt(s['error_mean'])}  "
        f"(95% CI {_fmt(lo)} .. {_fmt(hi)})",
        f"  second metric 1-(v.v1)^2/|v|^2: {_fmt(s['misalignment_mean'])}",
        f"stationary error (last 10%):      {_fmt(s['stationary_error'])}",
        f"escape, H_j^2 <= 1 - delta^2:     {_hits(s, 'escape', runs)}",
        f"convergence, H_1^2 >= 1-delta^2:  {_hits(s, 'convergence', runs)}",
        f"eps-ball, sum_i>=2 H_i^2 <= eps:  {_hits(s, 'eps', runs)}",
        f"  (delta = {s['delta']:g}, eps = {s['eps']:g})",
        f"diverged:                         {s['diverged']} of {runs}",
        f"delays: mean {_fmt(s['delay_mean'])}, max {s['delay_max']}, "
        f"quantiles 50% {q['0.5']}, 90% {q['0.9']}, 99% {q['0.99']}; "
        f"cap {s['delay_cap']}, truncated reads {s['delays_truncated']}",
    ]
    return "\n".join(lines)
