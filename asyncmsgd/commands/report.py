"""``asyncmsgd report [--profile ci|full] [--out DIR]``: the toolkit's main job.

Says first what it will do and roughly how long it takes (from the wall times stored by earlier
runs), then runs (or reuses, from ``OUT/cache``) every registry check, the derivations, E1 and
the figure reproductions (Figure 1 also at the paper's scale, for the report's plot), each phase
with a progress bar (a line per step when stderr is not a terminal); draws a theory-versus-
measurement figure per quantitative claim from the stored results; writes ``OUT/report.tex`` +
``macros.tex`` + figures, compiles ``report.pdf`` with latexmk when TeX is installed (else says
which Debian packages give it), prints the verdict table and writes it as ``OUT/verdicts.md``
(with ``OUT/verdicts.json``, what it shows). ``--update-readme`` also rewrites the README's
verdict block and ``reports/verdicts.json`` from the same results (and docs/report-page1.png
from the PDF), and its Figure 1 block and ``docs/figure1-paper.json`` from the paper-scale
Figure 1 the report drew, so README and report cannot disagree. A second run with nothing
changed reuses every result.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

from asyncmsgd.commands._paths import ROOT, default_build
from checks.profile import PROFILE_NAMES


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report",
        help="run every check and write the LaTeX/PDF report (the main job)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--profile",
        choices=PROFILE_NAMES,
        default="ci",
        help="ci: minutes on 2 cores; full (alias paper): paper-scale figures and checks "
        "(default: %(default)s)",
    )
    p.add_argument(
        "--out",
        type=Path,
        default=default_build(),
        help="output folder (default: %(default)s)",
    )
    p.add_argument("--claims", default=None, help="comma-separated claim ids (default: all)")
    p.add_argument("--seed", default=None, help="root seed of every check (default: 20181203)")
    p.add_argument("--no-pdf", action="store_true", help="write the .tex only")
    p.add_argument("--no-cache", action="store_true", help="recompute every result")
    p.add_argument(
        "--no-paper-figure1",
        action="store_true",
        help="draw Figure 1 at the profile's scale (default: at the paper's 100 runs, computed "
        "with `asyncmsgd figure1 --scale full` when missing, about half a minute with Numba)",
    )
    p.add_argument(
        "--update-readme",
        action="store_true",
        help="also rewrite README.md's verdict and Figure 1 blocks, reports/verdicts.json, "
        "docs/figure1-paper.json and docs/report-page1.png from these results",
    )
    p.set_defaults(func=run)


def _reproductions(profile, paper_figure1: bool, tick) -> dict[str, float]:
    """Run the Figure 1 and Figure 2 reproductions into the folders the C12/C13 checks read,
    unless their outputs are there already (both reuse their stored results when rerun), and
    Figure 1 at the paper's scale for the report's plot."""
    from asyncmsgd.commands._figures import reproduce_figure1, reproduce_figure2
    from checks.experiments import figure1 as f1
    from checks.experiments import figure2 as f2

    jobs = [("figure1", f1, reproduce_figure1, profile.experiment)]
    if paper_figure1 and profile.experiment != "paper":
        jobs.append(("figure1", f1, reproduce_figure1, "paper"))
    jobs.append(("figure2", f2, reproduce_figure2, profile.experiment))
    times = {}
    for name, mod, reproduce, scale in jobs:
        label = f"{name} ({scale} scale)"
        if mod.results_path(mod.DEFAULT_OUT, scale).with_suffix(".pdf").exists():
            tick(label, cached=True)
            continue
        t0 = time.perf_counter()
        try:
            reproduce(scale, mod.DEFAULT_OUT)
        except Exception as exc:  # the claim's own check reports what is missing
            print(f"{label} did not complete ({exc}); its check will say so", file=sys.stderr)
        times[label] = time.perf_counter() - t0
        tick(label, seconds=times[label])
    return times


def _reproductions_todo(profile, paper_figure1: bool) -> list[str]:
    from checks.experiments import figure1 as f1
    from checks.experiments import figure2 as f2

    todo = []
    scales = [profile.experiment] + (
        ["paper"] if paper_figure1 and profile.experiment != "paper" else []
    )
    for scale in scales:
        if not f1.results_path(f1.DEFAULT_OUT, scale).with_suffix(".pdf").exists():
            todo.append(f"figure1 ({scale} scale)")
    if not f2.results_path(f2.DEFAULT_OUT, profile.experiment).with_suffix(".pdf").exists():
        todo.append(f"figure2 ({profile.experiment} scale)")
    return todo


def _page1_png(pdf: Path, target: Path) -> bool:
    """docs/report-page1.png: the PDF's first page (pdftoppm), for the README."""
    exe = shutil.which("pdftoppm")
    if exe is None:
        return False
    stem = target.with_suffix("")
    proc = subprocess.run(
        [exe, "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(stem)],
        capture_output=True,
        text=True,
        check=False,
    )
    return proc.returncode == 0


def _figure1_stale(readme) -> bool:
    """Whether the committed Figure 1 summary is not that of the paper-scale results here (the
    README test's rule: the same optimal delays and CIs); False when either is missing."""
    import json

    source = readme.figure1_source()
    if not source.exists():
        return False
    try:
        stored = readme.load_figure1_summary()
        now = readme.figure1_summary(json.loads(source.read_text()))
    except (ValueError, OSError, KeyError):
        return True
    return bool(readme.figure1_differences(stored, now))


def run(args: argparse.Namespace) -> int:
    from asyncmsgd.commands import UsageError
    from asyncmsgd.commands._report_progress import (
        describe_plan,
        load_timings,
        phase,
        plan_checks,
        save_timings,
    )
    from checks.cache import ResultCache
    from checks.profile import get_profile
    from checks.registry import entries
    from checks.runner import parse_claims, run_claims
    from reports import assemble, pipeline, readme
    from reports.build import compile_pdf, latex_available, render

    t_start = time.perf_counter()
    profile = get_profile(args.profile, args.seed)
    claims = parse_claims(args.claims)
    out: Path = args.out
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--out: cannot create {out}: {exc}") from None
    cache_dir = None if args.no_cache else out / "cache"
    cache = ResultCache(cache_dir) if cache_dir else None
    build = default_build()
    paper_figure1 = not args.no_paper_figure1
    runtimes: dict[str, float] = {}
    timings = load_timings(out)

    # --- the plan ---------------------------------------------------------------------------
    plans = plan_checks(claims, profile, cache_dir)
    with_derivation = [c for c in claims if entries()[c].claim.derive is not None]
    der_cached = sum(
        bool(cache and cache.get(assemble.DERIVATION_CACHE.format(claim=c), "any") is not None)
        for c in with_derivation
    )
    reproductions = (
        _reproductions_todo(profile, paper_figure1) if {"C12", "C13", "E1"} & set(claims) else []
    )
    text, _ = describe_plan(
        plans,
        profile=profile.name,
        seed=profile.seed,
        derivations_cached=der_cached,
        derivations_total=len(with_derivation),
        timings=timings,
        extra=[(f"reproduce {r}", timings.get(r)) for r in reproductions],
    )
    print(text, file=sys.stderr, flush=True)

    # --- derivations ------------------------------------------------------------------------
    t0 = time.perf_counter()
    with phase("derivations", len(claims), "claim") as tick:
        derivations = assemble.derivation_contexts(
            claims,
            cache,
            tick=lambda c, cached: tick(
                c if cached is not None else f"{c} (no derivation)", cached=bool(cached)
            ),
        )
    runtimes["derivations"] = time.perf_counter() - t0

    # --- figure reproductions ---------------------------------------------------------------
    if {"C12", "C13", "E1"} & set(claims):
        n = 2 + (paper_figure1 and profile.experiment != "paper")
        with phase("reproductions", n, "figure") as tick:
            runtimes.update(_reproductions(profile, paper_figure1, tick))

    # --- checks -----------------------------------------------------------------------------
    t0 = time.perf_counter()
    cached_now: dict[tuple[str, str], bool] = {}
    estimate = sum(p.estimate or 0.0 for p in plans if not p.cached)
    with phase("checks", len(plans), "check", estimate or None) as tick:

        def on_check(claim: str, check: str, cached: bool, result) -> None:
            cached_now[(claim, check)] = cached
            tick(f"{claim} {check}", cached=cached, seconds=getattr(result, "seconds", None))

        results = run_claims(claims, profile, cache_dir, on_check)
    runtimes["checks"] = time.perf_counter() - t0

    # --- figures and the .tex -----------------------------------------------------------------
    t0 = time.perf_counter()
    with phase("figures", len(results), "claim") as tick:
        inputs = pipeline.report_inputs(
            results,
            derivations,
            out=out,
            build=build,
            profile=profile,
            cache_dir=cache_dir,
            runtimes=runtimes,
            cached=cached_now,
            tick=lambda c, _cached: tick(c),
        )
    runtimes["figures"] = time.perf_counter() - t0
    tex = render(inputs, out)
    (out / "verdicts.md").write_text("# Verdicts\n\n" + assemble.verdict_markdown(results))
    from reports.provenance import git_commit

    snap = readme.snapshot(results, profile=profile.name, seed=profile.seed, commit=git_commit())
    readme.write_snapshot(snap, out / "verdicts.json")

    print(f"\n{'claim':5s} {'verdict':24s} reason")
    for cr in results:
        print(f"{cr.id:5s} {cr.verdict:24s} {cr.decision.reason}")
    print(f"\nwrote {tex}, {out / 'verdicts.md'}")

    # --- LaTeX ------------------------------------------------------------------------------
    status = 0
    pdf = None
    if not args.no_pdf:
        t0 = time.perf_counter()
        passes = int(timings.get("pdf_passes", 3)) or 3
        with phase("LaTeX", passes, "pass", timings.get("pdf")) as tick:
            counter = {"n": 0}

            def on_pass(line: str) -> None:
                counter["n"] += 1
                tick(line)

            pdf = compile_pdf(tex, on_pass=on_pass)
        runtimes["pdf"] = time.perf_counter() - t0
        if pdf.ok:  # a failed build stops early: its pass count says nothing of the next
            timings["pdf_passes"] = float(max(counter["n"], 1))
        print(pdf.message)
        if not pdf.ok and latex_available():
            status = 1

    # --- the README -------------------------------------------------------------------------
    full_run = set(claims) == set(entries())
    if args.update_readme:
        if not full_run:
            print(
                "--update-readme needs every claim (no --claims): README's verdict block left "
                "as it is",
                file=sys.stderr,
            )
        else:
            changed = readme.update_readme(snap)
            print(
                f"README.md verdict block {'updated' if changed else 'already current'}; "
                f"stored {readme.SNAPSHOT}"
            )
            ok = pdf is not None and pdf.ok and pdf.pdf is not None
            if ok and _page1_png(pdf.pdf, ROOT / "docs" / "report-page1.png"):
                print("wrote docs/report-page1.png")
        # Figure 1's block needs only the paper-scale results the report drew, not every claim
        if readme.figure1_source().exists():
            try:
                changed = readme.update_figure1()
            except ValueError as exc:  # results of other settings than the code's
                print(f"README's Figure 1 block left as it is: {exc}", file=sys.stderr)
                status = 1
            else:
                print(
                    f"README.md Figure 1 block {'updated' if changed else 'already current'}; "
                    f"stored {readme.FIGURE1_SUMMARY}"
                )
        else:
            print(
                f"no {readme.figure1_source()} (--no-paper-figure1?): README's Figure 1 block "
                f"left as it is; `{readme.FIGURE1_COMMAND}` writes it",
                file=sys.stderr,
            )
    elif full_run and readme.README.exists():
        try:
            # the rule of the README test: verdicts, and digits except the timing claims'
            stored = readme.load_snapshot()
            same_run = (stored.get("profile"), stored.get("seed")) == (
                snap.get("profile"),
                snap.get("seed"),
            )
            stale = same_run and bool(readme.differences(stored, snap))
        except (ValueError, OSError):
            stale = False
        if stale:
            print(
                "note: README.md's verdict table differs from these results; "
                "`asyncmsgd report --update-readme` regenerates it",
                file=sys.stderr,
            )
    if not args.update_readme and _figure1_stale(readme):
        print(
            "note: docs/figure1-paper.json (the README's Figure 1 table) differs from the "
            f"paper-scale Figure 1 this report drew; `{readme.FIGURE1_COMMAND}` regenerates it",
            file=sys.stderr,
        )

    errored = [cr.id for cr in results if cr.errored]
    if errored:
        print(f"checks that errored: {', '.join(errored)}", file=sys.stderr)
        status = 1
    timings.update({k: v for k, v in runtimes.items()})
    save_timings(out, timings)
    print(f"done in {time.perf_counter() - t_start:.0f} s", file=sys.stderr)
    return status
