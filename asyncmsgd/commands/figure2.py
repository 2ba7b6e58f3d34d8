"""``asyncmsgd figure2``: a CPU-sized analogue of the paper's Figure 2 (C13).

Example::

    asyncmsgd figure2 --scale full       # 40 seeds, 30 epochs, eta in {0.05, 0.1, 0.2}
    asyncmsgd figure2 --scale ci         # 40 seeds, 15 epochs, eta 0.1 (about a minute)

Trains a NumPy MLP on scikit-learn's bundled digits with Async-MSGD behind a simulated parameter
server (W = 1, 2, 4, 8 workers) for mu in {0.1, 0.3, 0.5, 0.7, 0.9}, and reports the validation
accuracy per (W, mu) with 95% CIs over seeds, the best momentum per W with its bootstrap
distribution, and whether the best momentum falls as W grows (the paper's direction: a
permutation test over seeds, "shown" with its p-value at the level 0.001, else "not shown"
with it). Every run comes from the default root seed (the C13 check runs under the profile's
root seed, ``asyncmsgd verify --seed``, into ``figure2-SCALE-seedN.json``). Needs
the optional extra ``figure2`` (scikit-learn). Writes ``figure2-SCALE.json`` (per run:
parameters, seed index, metrics; package versions; the analysis), ``figure2-SCALE.md`` and
``figure2-SCALE.pdf``/``.png`` into ``--out`` (default reports/build/figure2 of the project). The
JSON is rewritten after every (eta, W) group, so an interrupted run resumes where it stopped.
``--scale paper`` is an alias of ``full``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from asyncmsgd.commands._paths import SCALE_CHOICES, default_build


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "figure2",
        help="a CPU analogue of the paper's Figure 2 (C13): best momentum against workers",
        description="Train a small MLP (NumPy) on scikit-learn's bundled digits with "
        "Async-MSGD and W = 1, 2, 4, 8 simulated parameter-server workers, for mu in "
        "{0.1, 0.3, 0.5, 0.7, 0.9} and 40 seeds; report accuracies with CIs, the best "
        "momentum per W (bootstrap over seeds) and whether it falls as W grows (a "
        "permutation test over seeds, with its p-value).",
    )
    p.add_argument(
        "--scale",
        choices=SCALE_CHOICES,
        default="ci",
        help="ci: 40 seeds, 15 epochs, eta 0.1 (about a minute); full (alias paper): 40 "
        "seeds, 30 epochs, eta 0.05, 0.1, 0.2 (5-7 minutes on 2 shared cores)",
    )
    p.add_argument(
        "--out",
        type=Path,
        default=default_build() / "figure2",
        help="output folder (default: %(default)s; the checks read this one)",
    )
    p.add_argument("--json", action="store_true", help="print the analysis as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from asyncmsgd.commands._json import dumps
    from asyncmsgd.commands._paths import experiment_scale, out_dir
    from checks.experiments import figure2 as f2

    out = out_dir(args.out)
    scale = experiment_scale(args.scale)
    t0 = time.perf_counter()
    from asyncmsgd.commands._figures import reproduce_figure2

    files, analysis, raw = reproduce_figure2(scale, out)
    if args.json:
        print(dumps({"analysis": analysis, "files": [str(f) for f in files]}))
        return 0
    s = raw["settings"]
    print(
        f"Figure 2 analogue ({scale} scale): {s['model']} on {s['dataset']} "
        f"({s['train_size']} train / {s['val_size']} validation), batch {s['batch']}, "
        f"{s['epochs']} epochs, {s['seeds']} seeds per (eta, W, mu); "
        f"{time.perf_counter() - t0:.1f} s\n"
    )
    print(f2.markdown(analysis))
    print(analysis["summary"])
    print("\nwrote " + ", ".join(str(f) for f in files))
    return 0
