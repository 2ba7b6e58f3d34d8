"""From stored results to the report's inputs: figures, links to result files, validity maps.

One function, :func:`report_inputs`, used by ``asyncmsgd report`` and by the report's tests
(which build the real PDF from the session's results), so that what CI checks is what the
command writes. Every figure is drawn from stored results only (the check results, the Figure 1
and Figure 2 results files, the validity files); nothing here simulates.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from checks.registry import ClaimResult
from reports import assemble, claim_plots
from reports.build import ReportInputs

Tick = Callable[[str, bool], object]

FIGURE1_PAPER_SCALE = "paper"  # the default report draws Figure 1 at the paper's 100 runs


def rel(path: Path | str, out: Path) -> str:
    """A path as the report links it: relative to the folder of the .tex (where the PDF is)."""
    return Path(os.path.relpath(Path(path).resolve(), out.resolve())).as_posix()


def result_links(
    results: Sequence[ClaimResult], out: Path, cache_dir: Path | None, profile
) -> dict[tuple[str, str], str]:
    """(claim, check) -> the cached result file of that check, relative to ``out`` (only the
    files that exist: a check that was not cached, or errored, has none)."""
    if cache_dir is None:
        return {}
    from checks.cache import ResultCache
    from checks.runner import cache_key

    cache = ResultCache(cache_dir)
    links = {}
    for cr in results:
        for res in cr.results:
            # the cache's own naming (ResultCache._path), so the link is the file it reads
            path = cache._path(cache_key(cr.id, res.check, profile), profile.name)
            if path.exists():
                links[(cr.id, res.check)] = rel(path, out)
    return links


def figure1_file(build: Path, profile_scale: str) -> tuple[Path | None, str]:
    """The Figure 1 results file the report draws: the paper scale's when it exists, else the
    profile's; and its scale."""
    from checks.experiments import figure1 as f1

    for scale in (FIGURE1_PAPER_SCALE, profile_scale):
        path = f1.results_path(build / "figure1", scale)
        if path.exists():
            return path, scale
    return None, profile_scale


def _figure1(out: Path, build: Path, profile_scale: str, folder: Path) -> list[dict[str, str]]:
    from checks.claims import c12_figure1 as c12
    from checks.experiments import figure1 as f1
    from reports.plots import plot_figure1

    path, scale = figure1_file(build, profile_scale)
    if path is None:
        return []
    raw = json.loads(path.read_text())
    plot = raw.get("analysis", {}).get("plot")
    if not plot:
        return []
    plot = dict(plot)
    s = raw.get("settings") or f1.settings(scale)
    plot["title"] = f"Async-MSGD, streaming PCA (the paper's Figure 1), {scale} scale"
    margin = f1.PRIMARY_MARGIN
    pdf = plot_figure1(plot, folder / f"C12-figure1-{scale}", "error", png=False, margin=margin)[0]
    paper = ", ".join(f"{v} (mu = {k:g})" for k, v in c12.PAPER_OPTIMAL_DELAYS.items())
    note = _figure1_numbers(raw, scale) + (
        f" The C12 card above is measured at the {profile_scale} scale "
        f"({f1.get_scale(profile_scale).runs} runs per point); this figure at the {scale} scale."
        if scale != profile_scale
        else ""
    )
    caption = (
        f"C12, the paper's Figure 1 at the {scale} scale: {s['runs']} runs per point, eta = "
        f"{s['eta']}, Sigma = diag{tuple(int(x) for x in s['sigma_eigenvalues'])}, start e_2, "
        f"{s['distribution']} data, {s['steps']} updates per run, constant delays. Mean error "
        "||v - v_1||^2 (time average over the second half of each run) against the delay, per "
        "momentum, with the 10-90% band over runs; short dashed lines: the threshold "
        f"{1 + margin:g} x E(tau = 0), below which the error counts as similar; diamonds: the "
        "measured optimal delay, the last delay below the threshold; stars: the paper's optimal "
        f"delays {paper}; dotted verticals: E1's stability boundaries tau_max; thin dashed "
        "curves: E1's predicted error to first order; open circles, where drawn: E1 to second "
        "order, up to 0.9 tau_max. Crosses at the top mark delays at which some runs "
        "diverged: their mean error is infinite, so the curve stops there."
        + note
        + f" Made by asyncmsgd figure1 --scale {'full' if scale == 'paper' else scale}, "
        "redrawn by asyncmsgd report."
    )
    return [{"path": str(pdf), "caption": caption, "link": str(path), "check": "figure 1"}]


def _figure1_numbers(raw: Mapping[str, object], scale: str) -> str:
    """The caption's measured optimal delays, through the summary the README's Figure 1 table
    is generated from (:func:`reports.readme.figure1_summary`), so the two quote one source."""
    from reports import readme

    try:
        summary = readme.figure1_summary(raw)
    except (ValueError, KeyError, TypeError):  # an older results file: the plot still stands
        return ""
    same = (
        " The README's Figure 1 table quotes the same (docs/figure1-paper.json, the summary of "
        "this file)."
        if scale == readme.FIGURE1_SCALE
        else ""
    )
    return " " + readme.figure1_measured_sentence(summary) + same


def _figure2(out: Path, build: Path, profile_scale: str, folder: Path) -> list[dict[str, str]]:
    from checks.claims import c13_figure2 as c13
    from checks.experiments import figure2 as f2
    from reports.plots import plot_figure2

    path = f2.results_path(build / "figure2", profile_scale)
    if not path.exists():
        return []
    raw = json.loads(path.read_text())
    plot = (raw.get("analysis") or {}).get("plot")
    if not plot:
        return []
    pdf = plot_figure2(
        plot, folder / f"C13-figure2-{profile_scale}", png=False, paper_best=c13.PAPER_BEST
    )[0]
    s = raw.get("settings") or f2.settings(profile_scale)
    best = ", ".join(f"W = {w}: {m:g}" for w, m in c13.PAPER_BEST.items())
    caption = (
        f"C13, the CPU analogue of the paper's Figure 2 ({profile_scale} scale): validation "
        f"accuracy of an MLP on scikit-learn's digits ({s['seeds']} seeds per cell, "
        f"{s['epochs']} epochs, batch {s['batch']}, ps:W delays) against the momentum, one line "
        "per number of workers W, mean and 95% CI over seeds; stars: the best momentum measured; "
        f"rings: the paper's best momentum ({best}). Made by asyncmsgd figure2 --scale "
        f"{profile_scale}, redrawn by asyncmsgd report."
    )
    return [{"path": str(pdf), "caption": caption, "link": str(path), "check": "figure 2"}]


_CAPTION_SETTINGS = ("sigma", "data", "mu", "eta", "tau", "delay", "delta", "eps", "runs")


def _setting_text(cr: ClaimResult, check: str) -> str:
    """The figure's setting in one sentence (the card's settings table has the sources)."""
    from checks.profile import ROOT_SEED
    from reports.settings import check_settings

    res = next((r for r in cr.results if r.check == check), None)
    if res is None:
        return ""
    rows = [
        s
        for s in check_settings(cr, check, res.details, res.evidence, ROOT_SEED)
        if s.key in _CAPTION_SETTINGS
    ]
    if not rows:
        return ""
    import re

    def short(label: str) -> str:
        return re.sub(r"\s*\(.*\)$", "", label)

    return " Setting: " + "; ".join(f"{short(s.label)} = {s.value}" for s in rows) + "."


def figures(
    results: Sequence[ClaimResult],
    out: Path,
    *,
    build: Path,
    profile_scale: str,
    links: Mapping[tuple[str, str], str] | None = None,
    tick: Tick | None = None,
) -> dict[str, list[dict[str, str]]]:
    """claim -> its figures (path relative to ``out``, plain caption, data link)."""
    folder = out / "figures"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.pdf"):  # the figures are ours: none left from an earlier build
        old.unlink()
    links = links or {}
    figs: dict[str, list[dict[str, str]]] = {}
    for cr in results:
        entries = []
        if cr.id == "C12":
            entries += _figure1(out, build, profile_scale, folder)
        if cr.id == "C13":
            entries += _figure2(out, build, profile_scale, folder)
        for p in claim_plots.claim_plots(cr, folder):
            entries.append(
                {
                    "path": str(p.path),
                    "caption": p.caption
                    + _setting_text(cr, p.check)
                    + f" Made by asyncmsgd report from the {p.check} check's stored result; "
                    f"rerun: asyncmsgd verify --claims {cr.id}.",
                    "link": "",
                    "check": p.check,
                }
            )
        for e in entries:
            e["path"] = rel(e["path"], out)
            e["link"] = rel(e["link"], out) if e["link"] else links.get((cr.id, e["check"]), "")
        if entries:
            figs[cr.id] = entries
        if tick:
            tick(cr.id, False)
    return figs


DOCS_VALIDITY = Path(__file__).resolve().parent.parent / "docs" / "validity"


def _read_validity_folder(folder: Path, out: Path, profile: str) -> list[dict[str, object]]:
    """The maps of one folder (``validity-*.json``), each with its figure copied beside the
    report."""
    maps = []
    for path in sorted(folder.glob("validity-*.json")):
        try:
            data = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError):
            continue
        if not isinstance(data, dict):
            continue
        claim = str(data.get("claim", path.stem.removeprefix("validity-")))
        fig = folder / f"validity-{claim}-{profile}.pdf"
        if not fig.exists():
            candidates = sorted(folder.glob(f"validity-{claim}-*.pdf"))
            fig = candidates[0] if candidates else fig
        entry = dict(data)
        entry["claim"] = claim
        entry["file"] = rel(path, out)
        if fig.exists():
            target = out / "figures" / fig.name
            target.parent.mkdir(parents=True, exist_ok=True)
            if fig.resolve() != target.resolve():
                shutil.copyfile(fig, target)
            entry["figure"] = rel(target, out)
        maps.append(entry)
    return maps


def validity_maps(
    build: Path, out: Path, profile: str, docs: Path | None = None
) -> list[dict[str, object]]:
    """Every ``validity/validity-*.json`` (another command's output, read generically: keys
    claim, points, exponent_mu, exponent_eta, paper_exponents, e1_exponents) with the figure
    ``validity-<CLAIM>-<profile>.pdf`` next to it, copied beside the report. A claim with no map
    in the build folder falls back to the committed maps (``docs/validity``, made by
    ``benchmarks/validity_maps.py``; ``docs`` overrides the folder): a map in the build folder
    wins."""
    maps = _read_validity_folder(build / "validity", out, profile)
    built = {m["claim"] for m in maps}
    folder = DOCS_VALIDITY if docs is None else docs
    if folder.resolve() != (build / "validity").resolve():
        committed = _read_validity_folder(folder, out, profile)
        maps += [m for m in committed if m["claim"] not in built]
    # a map of this profile wins over another profile's of the same claim
    mine = {m["claim"] for m in maps if m.get("profile") == profile}
    kept = [m for m in maps if m.get("profile") in (profile, None) or m["claim"] not in mine]
    return sorted(kept, key=lambda m: _claim_order(str(m["claim"])))


def _claim_order(claim: str) -> tuple[str, int, str]:
    """C3 before C14 (the claims' own order, not the file names')."""
    head = claim.rstrip("0123456789")
    digits = claim[len(head) :]
    return (head, int(digits) if digits else -1, claim)


def seed_study(build: Path, out: Path, profile: str) -> dict[str, object] | None:
    """The seed study the report shows (issue 14): ``asyncmsgd verify --seeds K`` of this
    profile (``seed-stability-<profile>.json`` in the build folder) when it exists, else the
    committed calibration (``docs/calibration.json``, made by ``benchmarks/calibration.py``)
    when it was run at this profile; None when neither exists."""
    from checks.profile import ROOT_SEED

    mine = build / f"seed-stability-{profile}.json"
    docs = Path(__file__).resolve().parent.parent / "docs" / "calibration.json"
    for path in (mine, docs):
        try:
            data = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError):
            continue
        if not isinstance(data, dict) or data.get("profile") != profile:
            continue
        claims = data.get("claims") or {}
        k = max((int(c.get("of", 0)) for c in claims.values()), default=0)
        seed = data.get("root_seed", ROOT_SEED)
        seed_opt = "" if seed == ROOT_SEED else f" --seed {seed}"
        return {
            **data,
            "file": rel(path, out),
            "seeds": data.get("seeds", k),
            "command": data.get("command")
            or f"asyncmsgd verify --profile {profile}{seed_opt} --seeds {k}",
        }
    return None


def rebuild_commands(profile: str, seed: int) -> list[str]:
    from checks.profile import ROOT_SEED

    seed_opt = "" if seed == ROOT_SEED else f" --seed {seed}"
    return [
        'python -m pip install -e ".[report]"',
        "asyncmsgd figure1 --scale full  (Figure 1 at the paper's scale; the report runs it "
        "when missing)",
        f"asyncmsgd report --profile {profile}{seed_opt}  (writes reports/build/report.pdf)",
        f"asyncmsgd report --profile {profile}{seed_opt} --update-readme  (also the README's "
        "verdict table)",
    ]


def report_inputs(
    results: Sequence[ClaimResult],
    derivations: Mapping[str, Mapping[str, object]],
    *,
    out: Path,
    build: Path,
    profile,
    cache_dir: Path | None,
    runtimes: Mapping[str, float] | None = None,
    cached: Mapping[tuple[str, str], bool] | None = None,
    tick: Tick | None = None,
) -> ReportInputs:
    """The report's inputs from stored results (module docstring)."""
    links = result_links(results, out, cache_dir, profile)
    figs = figures(
        results, out, build=build, profile_scale=profile.experiment, links=links, tick=tick
    )
    cached = cached or {}
    walls = [
        (cr.id, res.check, float(res.seconds), bool(cached.get((cr.id, res.check), False)))
        for cr in results
        for res in cr.results
    ]
    return assemble.inputs(
        results,
        derivations,
        profile=profile.name,
        figures=figs,
        runtimes=runtimes,
        seeds=f"root SeedSequence entropy {profile.seed}; per run keyed by (configuration, run)",
        links=links,
        seed=profile.seed,
        validity=validity_maps(build, out, profile.name),
        check_seconds=walls,
        rebuild=rebuild_commands(profile.name, profile.seed),
        seed_study=seed_study(build, out, profile.name),
        extra_provenance={
            "root seed": str(profile.seed),
            "engine": str(profile.engine),
            "Figure 1 drawn at": figure1_file(build, profile.experiment)[1] + " scale",
        },
    )
