"""``asyncmsgd report [--profile ci|full] [--out DIR]``: the toolkit's main job.

Runs (or reuses, from ``OUT/cache``) every registry check, the derivations, E1 and the figure
reproductions; writes ``OUT/report.tex`` + ``macros.tex`` + figures, compiles ``report.pdf`` with
latexmk when TeX is installed (else says which Debian packages give it), prints the verdict table
and writes it as ``OUT/verdicts.md``. A second run with nothing changed reuses every result.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

from asyncmsgd.commands._paths import default_build
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
    p.set_defaults(func=run)


def _reproductions(profile) -> dict[str, float]:
    """Run the Figure 1 and Figure 2 reproductions into the folders the C12/C13 checks read,
    unless their outputs are there already (both reuse their stored results when rerun)."""
    from asyncmsgd.commands._figures import reproduce_figure1, reproduce_figure2
    from checks.experiments import figure1 as f1
    from checks.experiments import figure2 as f2

    times = {}
    for name, mod, reproduce in (
        ("figure1", f1, reproduce_figure1),
        ("figure2", f2, reproduce_figure2),
    ):
        if mod.results_path(mod.DEFAULT_OUT, profile.experiment).with_suffix(".pdf").exists():
            continue
        print(f"{name} ({profile.experiment} scale) ...", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        try:
            reproduce(profile.experiment, mod.DEFAULT_OUT)
        except Exception as exc:  # the claim's own check reports what is missing
            print(f"{name} did not complete ({exc}); its check will say so", file=sys.stderr)
        times[name] = time.perf_counter() - t0
    return times


def _figures(out: Path, results) -> dict[str, list[dict[str, str]]]:
    """Figure PDFs the checks produced (details['figures']), copied next to the .tex."""
    figs: dict[str, list[dict[str, str]]] = {}
    target = out / "figures"
    for cr in results:
        for res in cr.results:
            for item in res.details.get("figures", []) or []:
                path = Path(item["path"] if isinstance(item, dict) else item)
                if path.suffix != ".pdf" or not path.exists():
                    continue
                target.mkdir(parents=True, exist_ok=True)
                dest = target / f"{cr.id}-{path.name}"
                if path.resolve() != dest.resolve():
                    shutil.copyfile(path, dest)
                caption = item.get("caption", "") if isinstance(item, dict) else ""
                figs.setdefault(cr.id, []).append(
                    {"path": f"figures/{dest.name}", "caption": caption or path.stem}
                )
    return figs


def run(args: argparse.Namespace) -> int:
    from asyncmsgd.commands import UsageError
    from asyncmsgd.commands._progress import check_progress
    from checks.cache import ResultCache
    from checks.profile import get_profile
    from checks.runner import parse_claims, run_claims
    from reports import assemble
    from reports.build import compile_pdf, latex_available, render

    profile = get_profile(args.profile, args.seed)
    claims = parse_claims(args.claims)
    out: Path = args.out
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--out: cannot create {out}: {exc}") from None
    cache_dir = None if args.no_cache else out / "cache"
    runtimes: dict[str, float] = {}

    t0 = time.perf_counter()
    print(f"derivations ({len(claims)} claims) ...", file=sys.stderr, flush=True)
    derivations = assemble.derivation_contexts(
        claims, ResultCache(cache_dir) if cache_dir else None
    )
    runtimes["derivations"] = time.perf_counter() - t0

    if {"C12", "C13", "E1"} & set(claims):
        runtimes.update(_reproductions(profile))

    t0 = time.perf_counter()
    with check_progress(claims) as tick:
        results = run_claims(claims, profile, cache_dir, tick)
    runtimes["checks"] = time.perf_counter() - t0

    figures = _figures(out, results)
    inputs = assemble.inputs(
        results,
        derivations,
        profile=profile.name,
        figures=figures,
        runtimes=runtimes,
        seeds=f"root SeedSequence entropy {profile.seed}; per run keyed by (configuration, run)",
    )
    tex = render(inputs, out)
    (out / "verdicts.md").write_text("# Verdicts\n\n" + assemble.verdict_markdown(results))

    print(f"\n{'claim':5s} {'verdict':24s} reason")
    for cr in results:
        print(f"{cr.id:5s} {cr.verdict:24s} {cr.decision.reason}")
    print(f"\nwrote {tex}, {out / 'verdicts.md'}")

    status = 0
    if not args.no_pdf:
        t0 = time.perf_counter()
        if latex_available():
            print("compiling the PDF (latexmk) ...", file=sys.stderr, flush=True)
        pdf = compile_pdf(tex)
        runtimes["pdf"] = time.perf_counter() - t0
        print(pdf.message)
        if not pdf.ok and latex_available():
            status = 1
    errored = [cr.id for cr in results if cr.errored]
    if errored:
        print(f"checks that errored: {', '.join(errored)}", file=sys.stderr)
        status = 1
    return status
