"""``asyncmsgd figure1``: the paper's Figure 1 (C12) reproduced, beside E1 and the paper.

Example::

    asyncmsgd figure1 --scale paper            # 100 runs per point, delay step 5 (minutes)
    asyncmsgd figure1 --scale ci --out /tmp/f1 # 20 runs, step 10 (under a minute)

Writes into ``--out`` (default reports/build/figure1): ``figure1-SCALE.pdf``/``.png`` (error
||v - v1||^2 against the delay, mean and 10-90% band per momentum, E1's predicted error and
boundary, the paper's and the measured optimal delays), ``figure1-SCALE-angle.pdf``/``.png``
(the same for 1 - (v.v1)^2/||v||^2), ``figure1-SCALE.json`` (per cell and run: parameters,
seed scheme, metric values; package versions; the analysis) and ``figure1-SCALE.md`` (the
table). Simulations go through the store ``figure1.sqlite`` there: a rerun computes only what
is missing, and an interrupted run (Ctrl-C) loses no finished cell.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from asyncmsgd.commands import UsageError
from asyncmsgd.commands._common import dump_json
from checks.experiments import c12
from checks.experiments import figure1 as f1
from checks.experiments import figure1_table as ft
from checks.experiments.common import SCALES, write_json
from simulate.backends import SerialBackend, make_backend
from simulate.store import open_store
from theory import stability as st
from theory.validation import check_positive_int


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "figure1",
        help="reproduce the paper's Figure 1 (C12): error against delay per momentum, vs E1",
        description="Simulate Figure 1's setting (d = 4, Sigma = diag(4,3,2,1), start e2, "
        "eta = 5e-4, mu in {0.7, 0.8, 0.85, 0.9, 0.95}, constant delays over the poster's "
        "ranges, 20,000 updates per run), measure the optimal delay per momentum (the last "
        "delay whose mean error stays within 1.5x the tau = 0 error, bootstrap over runs) and "
        "set it beside E1's boundary and the paper's values; plot, table and raw results.",
    )
    p.add_argument(
        "--scale",
        choices=SCALES,
        default="ci",
        help="ci: 20 runs, delay step 10 (under a minute); paper: 100 runs, step 5 (minutes); "
        "both refine to step 1 at the crossings",
    )
    p.add_argument(
        "--out",
        type=Path,
        default=Path("reports/build/figure1"),
        help="output folder, also holding the result store (default reports/build/figure1; the "
        "checks read the one in the repository)",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=1,
        help="1: compute in this process (default); N > 1: a pool of N processes",
    )
    p.add_argument("--json", action="store_true", help="print the analysis as JSON")
    p.set_defaults(func=run)


@contextlib.contextmanager
def progress_bar(unit: str) -> Iterator[tuple[object, object]]:
    """(plan(n), tick()) driving a tqdm bar on stderr (off when stderr is not a terminal)."""
    from tqdm import tqdm

    with tqdm(total=0, unit=unit, disable=None, leave=False, file=sys.stderr) as bar:

        def plan(n: int) -> None:
            bar.total = (bar.total or 0) + n
            bar.refresh()

        def tick() -> None:
            bar.update(1)

        yield plan, tick


def out_dir(out: Path) -> Path:
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out: {out} exists and is not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--out: cannot create {out}: {exc}") from None
    return out


def run(args: argparse.Namespace) -> int:
    workers = check_positive_int("workers", args.workers)
    out = out_dir(args.out)
    t0 = time.perf_counter()
    backend = SerialBackend() if workers == 1 else make_backend("processes", workers=workers)
    with backend, open_store(out / f1.STORE_NAME) as store, progress_bar("cell") as (plan, tick):
        data = f1.compute(args.scale, store, backend, plan=plan, tick=tick)
    compute_s = time.perf_counter() - t0
    rows = ft.table(data)
    analysis = analysis_dict(data, rows)
    raw = f1.raw_results(data)
    raw["analysis"] = analysis
    raw["compute_seconds"] = compute_s
    files = [write_json(f1.results_path(out, args.scale), raw)]
    table = ft.markdown(rows)
    md = out / f"figure1-{args.scale}.md"
    md.write_text(table)
    files.append(md)
    from reports.plots import plot_figure1

    plot = analysis["plot"]
    base = out / f"figure1-{args.scale}"
    files += plot_figure1(plot, base, "error")
    files += plot_figure1(plot, out / f"figure1-{args.scale}-angle", "misalignment")
    elapsed = time.perf_counter() - t0
    if args.json:
        print(dump_json({"analysis": analysis, "files": [str(f) for f in files]}))
        return 0
    budget = f1.iteration_budget()
    print(
        f"Figure 1 ({args.scale} scale): {data.settings['runs']} runs per point, "
        f"{budget.steps} updates per run (burn-in {budget.burn_in:.0f} = 1.5 x (T1 + T2 + T3') "
        f"at mu = {budget.slowest.mu:g}; error averaged over the second half), "
        f"{sum(c.delays.size for c in data.curves)} points; {elapsed:.1f} s "
        f"({compute_s:.1f} s simulating or reading the store)"
    )
    print(
        "optimal delay = the last delay whose mean error stays within (1 + m) x the tau = 0 "
        "error; 95% bootstrap interval over runs; the plot shows ||v - v1||^2\n"
    )
    print(table)
    print(analysis["summary"])
    print("\nwrote " + ", ".join(str(f) for f in files))
    return 0


def analysis_dict(data: f1.Figure1Data, rows: tuple[ft.Row, ...]) -> dict[str, object]:
    """The analysis written next to the raw results (and printed by --json)."""
    b, b_se = c12.exponent(rows)
    b_e1 = st.fit_exponent([r.mu for r in rows], [r.e1.tau_max for r in rows])
    growth = ft.growth(data, rows)
    plot = ft.plot_summary(data, rows)
    plot["title"] = f"Async-MSGD, streaming PCA (Figure 1), {data.scale} scale"
    return {
        "definition": "optimal delay: the largest grid delay before the first whose mean "
        "(over runs) time-averaged error exceeds (1 + margin) x the tau = 0 mean; diverged "
        "runs count as +inf; 95% percentile bootstrap over runs (paired across delays)",
        "plot_metric": "error = ||v - v1||^2 (the -angle files show 1 - (v.v1)^2/||v||^2)",
        "rows": [r.as_dict() for r in rows],
        "exponent": {"measured": b, "se": b_se, "e1": b_e1},
        "growth_below_boundary": growth,
        "summary": c12.summary_text(rows, growth, b, b_se, b_e1, "see check_c12 for the verdict"),
        "table_markdown": ft.markdown(rows),
        "plot": plot,
    }
