"""``asyncmsgd figure1``: the paper's Figure 1 (C12) reproduced, beside E1 and the paper.

Example::

    asyncmsgd figure1 --scale full             # 100 runs per point, delay step 5 (minutes)
    asyncmsgd figure1 --scale ci --out /tmp/f1 # 20 runs, step 10 (under a minute)

Writes into ``--out`` (default reports/build/figure1 of the project): ``figure1-SCALE.pdf``/``.png``
(error ||v - v1||^2 against the delay, mean and 10-90% band per momentum, E1's predicted error
and boundary, the paper's and the measured optimal delays), ``figure1-SCALE-angle.pdf``/``.png``
(the same for 1 - (v.v1)^2/||v||^2), ``figure1-SCALE.json`` (per cell and run: parameters, seed
scheme, metric values; package versions; the analysis) and ``figure1-SCALE.md`` (the table).
Simulations go through the store ``figure1.sqlite`` there: a rerun computes only what is
missing, and an interrupted run (Ctrl-C) loses no finished cell. ``--scale paper`` is an alias
of ``full``. ``--update-readme`` (paper scale only) also writes ``docs/figure1-paper.json``, the
summary of these results the README quotes, and rewrites the README's Figure 1 block from it
and E1's theory (:func:`reports.readme.update_figure1`): with the cells in the store nothing is
simulated (the analysis and E1's theory, 1-2 minutes on 2 busy cores) instead of the whole
report.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from asyncmsgd.commands._paths import SCALE_CHOICES, default_build


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "figure1",
        help="reproduce the paper's Figure 1 (C12): error against delay per momentum, vs E1",
        description="Simulate Figure 1's setting (d = 4, Sigma = diag(4,3,2,1), start e2, "
        "eta = 5e-4, mu in {0.7, 0.8, 0.85, 0.9, 0.95}, constant delays over the poster's "
        "ranges, 20,000 updates per run), measure the optimal delay per momentum (the last "
        "delay whose mean error stays within a factor of the tau = 0 error, bootstrap over "
        "runs) and set it beside E1's boundary and the paper's values; plot, table and raw "
        "results.",
    )
    p.add_argument(
        "--scale",
        choices=SCALE_CHOICES,
        default="ci",
        help="ci: 20 runs, delay step 10 (under a minute); full (alias paper): 100 runs, step "
        "5 (minutes); both refine to step 1 at the crossings",
    )
    p.add_argument(
        "--out",
        type=Path,
        default=default_build() / "figure1",
        help="output folder, also holding the result store (default: %(default)s; the checks "
        "read this one)",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=1,
        help="1: compute in this process (default); N > 1: a pool of N processes",
    )
    p.add_argument("--json", action="store_true", help="print the analysis as JSON")
    p.add_argument(
        "--update-readme",
        action="store_true",
        help="(paper scale) also write docs/figure1-paper.json and README.md's Figure 1 block "
        "(E1 beside the measured optimal delays) from these results",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from asyncmsgd.commands import UsageError
    from asyncmsgd.commands._json import dumps
    from asyncmsgd.commands._paths import experiment_scale, out_dir
    from checks.experiments import figure1 as f1
    from theory.validation import check_positive_int

    workers = check_positive_int("workers", args.workers)
    scale = experiment_scale(args.scale)
    if args.update_readme and scale != "paper":
        # the README quotes Figure 1 at the paper's 100 runs, the scale the report draws
        raise UsageError(
            f"--update-readme needs --scale paper (the README quotes Figure 1 at the paper's "
            f"scale), not --scale {args.scale}"
        )
    out = out_dir(args.out)
    t0 = time.perf_counter()
    from asyncmsgd.commands._figures import reproduce_figure1

    files, analysis, data = reproduce_figure1(scale, out, workers)
    elapsed = time.perf_counter() - t0
    readme_note = _update_readme(f1.results_path(out, scale)) if args.update_readme else None
    if args.json:
        print(dumps({"analysis": analysis, "files": [str(f) for f in files]}))
        if readme_note:
            print(readme_note, file=sys.stderr)
        return 0
    budget = f1.iteration_budget()
    print(
        f"Figure 1 ({scale} scale): {data.settings['runs']} runs per point, "
        f"{budget.steps} updates per run (burn-in {budget.burn_in:.0f} = 1.5 x (T1 + T2 + T3') "
        f"at mu = {budget.slowest.mu:g}; error averaged over the second half), "
        f"{sum(c.delays.size for c in data.curves)} points; {elapsed:.1f} s"
    )
    print(
        "optimal delay = the last delay whose mean error stays within (1 + m) x the tau = 0 "
        "error; 95% bootstrap interval over runs; the plot shows ||v - v1||^2\n"
    )
    print(analysis["table_markdown"])
    print("\nwrote " + ", ".join(str(f) for f in files))
    if readme_note:
        print(readme_note)
    return 0


def _update_readme(source: Path) -> str:
    from reports import readme

    changed = readme.update_figure1(source=source)
    return (
        f"README.md Figure 1 block {'updated' if changed else 'already current'}; "
        f"wrote {readme.FIGURE1_SUMMARY}"
    )
