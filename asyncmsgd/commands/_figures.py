"""The figure reproductions behind ``asyncmsgd figure1``, ``figure2`` and ``report``: compute (or
read from their stores), analyse, and write the raw results, tables and plots."""

from __future__ import annotations

import time
from pathlib import Path


def analysis_dict(data, rows) -> dict[str, object]:
    """The analysis written next to the raw results (and printed by --json)."""
    from checks.claims import c12_figure1 as c12
    from checks.experiments import figure1 as f1
    from checks.experiments import figure1_table as ft
    from theory import stability as st

    b, b_se = c12.exponent(rows, f1.PRIMARY_MARGIN)
    b_e1 = st.fit_exponent([r.mu for r in rows], [r.e1.tau_max for r in rows])
    plot = ft.plot_summary(data, rows)
    plot["title"] = f"Async-MSGD, streaming PCA (Figure 1), {data.scale} scale"
    return {
        "definition": "optimal delay: the largest grid delay before the first whose mean "
        "(over runs) time-averaged error exceeds (1 + margin) x the tau = 0 mean; diverged "
        "runs count as +inf; 95% percentile bootstrap over runs (paired across delays)",
        "plot_metric": "error = ||v - v1||^2 (the -angle files show 1 - (v.v1)^2/||v||^2)",
        "rows": [r.as_dict() for r in rows],
        "exponent": {"measured": b, "se": b_se, "e1": b_e1},
        "growth_below_boundary": ft.growth(data, rows),
        "table_markdown": ft.markdown(rows),
        "plot": plot,
    }


def reproduce_figure1(scale: str, out: Path, workers: int = 1) -> tuple[list[Path], dict, object]:
    """Compute (or read from the store) Figure 1 at an experiment scale; write its files."""
    from asyncmsgd.commands._progress import progress_bar
    from checks.claims import c12_figure1 as c12
    from checks.experiments import figure1 as f1
    from checks.experiments import figure1_table as ft
    from checks.experiments.common import write_json
    from reports.plots import plot_figure1
    from simulate.backends import SerialBackend, make_backend
    from simulate.store import open_store

    t0 = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)  # a fresh clone has no build folder yet
    backend = SerialBackend() if workers == 1 else make_backend("processes", workers=workers)
    with backend, open_store(out / f1.STORE_NAME) as store, progress_bar("cell") as (plan, tick):
        data = f1.compute(scale, store, backend, plan=plan, tick=tick)
    compute_s = time.perf_counter() - t0
    rows = ft.table(data, c12.PAPER)
    analysis = analysis_dict(data, rows)
    raw = f1.raw_results(data)
    raw["analysis"] = analysis
    raw["compute_seconds"] = compute_s
    files = [write_json(f1.results_path(out, scale), raw)]
    md = out / f"figure1-{scale}.md"
    md.write_text(analysis["table_markdown"])
    files.append(md)
    plot = analysis["plot"]
    files += plot_figure1(plot, out / f"figure1-{scale}", "error")
    files += plot_figure1(plot, out / f"figure1-{scale}-angle", "misalignment")
    return files, analysis, data


def reproduce_figure2(scale: str, out: Path) -> tuple[list[Path], dict, dict]:
    """Train (or read) the analogue at an experiment scale; write its files."""
    from asyncmsgd.commands import UsageError
    from asyncmsgd.commands._progress import progress_bar
    from checks.claims import c13_figure2 as c13
    from checks.experiments import figure2 as f2
    from checks.experiments.common import write_json
    from reports.plots import plot_figure2

    try:
        with progress_bar("group") as (plan, tick):
            raw = f2.compute(scale, out, plan=plan, tick=tick)
    except f2.MissingDependency as exc:
        raise UsageError(str(exc)) from None
    analysis = f2.analyse(raw, c13.PAPER_BEST)
    analysis["summary"] = c13.summary_text(analysis)
    plot = f2.plot_summary(analysis, scale)
    analysis["plot"] = plot
    raw["analysis"] = analysis
    files = [write_json(f2.results_path(out, scale), raw)]
    md = out / f"figure2-{scale}.md"
    md.write_text(f2.markdown(analysis))
    files.append(md)
    files += plot_figure2(plot, out / f"figure2-{scale}")
    return files, analysis, raw
