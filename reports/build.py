"""Assemble the report: context -> LaTeX (templates) + macros -> PDF (latexmk when available)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from checks.derivation import Derivation
from reports import provenance
from reports.latex import environment, escape_tex, write_macros
from theory.compare import Comparison
from theory.display import latex as expr_latex
from theory.symbols import latex as sym_latex

DEBIAN_TEX = (
    "latexmk",
    "texlive-latex-recommended",
    "texlive-latex-extra",
    "texlive-fonts-recommended",
)


def comparison_latex(c: Comparison) -> str:
    """A comparison verdict as LaTeX text, from its structured fields."""
    if c.kind == "identical":
        return "identical."
    if c.kind == "constant-factor":
        return rf"equal up to a constant: derived $= {sym_latex(c.factor)}\times$ printed."
    if c.kind == "log-argument":
        return (
            rf"prefactors: derived $= {sym_latex(c.factor)}\times$ printed; log arguments: "
            rf"derived $= {sym_latex(c.log_factor)}\times$ printed (same leading order as the "
            "argument grows, not equal)."
        )
    if c.exponents:
        powers = ", ".join(
            rf"$({escape_tex(k)})^{{{sym_latex(v)}}}$" for k, v in c.exponents.items()
        )
        extra = " (and the printed form omits a log factor)" if "omits" in c.text else ""
        return f"different scaling: derived/printed $\\propto$ {powers}{extra}."
    return escape_tex(c.text) + "."


def derivation_context(d: Derivation, symbolic_verdict: str = "") -> dict[str, object]:
    items = []
    for it in d.items:
        items.append(
            {
                "label": it.label,
                "verdict": it.outcome,
                "derived": None if it.derived is None else expr_latex(it.derived),
                "printed": None if it.printed is None else expr_latex(it.printed),
                "comparison": None if it.comparison is None else comparison_latex(it.comparison),
                "note": it.note,
            }
        )
    return {"verdict": symbolic_verdict, "entries": items, "findings": list(d.findings)}


@dataclass
class ReportInputs:
    """Everything the template needs, gathered by the caller (the CLI edge)."""

    profile: str
    summary: list[dict[str, object]]
    claims: list[dict[str, object]]
    discrepancies: list[dict[str, str]]
    numbers: dict[str, object] = field(default_factory=dict)  # -> macros.tex
    runtimes: dict[str, float] = field(default_factory=dict)
    seeds: str = ""
    verdict_meanings: Sequence[tuple[str, str]] = ()
    extra_provenance: Mapping[str, str] = field(default_factory=dict)


def render(inputs: ReportInputs, out: Path) -> Path:
    """Write ``report.tex`` and ``macros.tex`` into ``out``; returns the .tex path."""
    out.mkdir(parents=True, exist_ok=True)
    numbers = dict(inputs.numbers)
    runtime_rows = []
    for step, seconds in inputs.runtimes.items():
        key = f"runtime {step}"
        numbers[key] = round(float(seconds), 1)
        runtime_rows.append((step, key))
    names = write_macros(out / "macros.tex", numbers)
    from importlib import metadata

    __version__ = metadata.version("asyncmsgd-verify")
    ctx = {
        "title": "Async-MSGD theory, claim by claim",
        "subtitle": "asyncmsgd-verify: Liu, Li, Shi, Zhou, Zhao (NeurIPS 2018) and "
        "Gratton & Toint (2026)",
        "abstract": "Every claim of THEORY.md is re-derived with SymPy and set beside the "
        "paper's printed form; simulation evidence comes with confidence intervals whose "
        "tolerances are stated, and each check is run against a deliberately wrong theory "
        "that it must reject.",
        "profile": inputs.profile,
        "version": __version__,
        "commit": provenance.git_commit(),
        "generated": provenance.build_time().strftime("%Y-%m-%d %H:%M UTC"),
        "summary": inputs.summary,
        "claims": inputs.claims,
        "discrepancies": inputs.discrepancies,
        "verdict_meanings": list(inputs.verdict_meanings),
        "provenance": [
            ("profile", inputs.profile),
            ("machine", provenance.machine()),
            ("seeds", inputs.seeds or "-"),
            *inputs.extra_provenance.items(),
        ],
        "packages": provenance.package_versions(),
        "runtimes": [(step, "\\" + names[key]) for step, key in runtime_rows],
    }
    tex = environment().get_template("report.tex").render(**ctx)
    path = out / "report.tex"
    path.write_text(tex)
    return path


@dataclass(frozen=True)
class PdfResult:
    ok: bool
    pdf: Path | None
    message: str


def latex_available() -> bool:
    return shutil.which("latexmk") is not None and shutil.which("pdflatex") is not None


def compile_pdf(tex: Path, timeout: float = 600.0) -> PdfResult:
    """latexmk -pdf -halt-on-error in a clean build folder next to the .tex."""
    if not latex_available():
        return PdfResult(
            False,
            None,
            "latexmk/pdflatex not found: the .tex and figures are written; for the PDF install "
            "the Debian packages " + " ".join(DEBIAN_TEX),
        )
    tex = tex.resolve()
    build = tex.parent / "latex-build"
    shutil.rmtree(build, ignore_errors=True)
    build.mkdir()
    cmd = [
        "latexmk",
        "-pdf",
        "-halt-on-error",
        "-interaction=nonstopmode",
        "-file-line-error",
        f"-outdir={build}",
        tex.name,
    ]
    proc = subprocess.run(cmd, cwd=tex.parent, capture_output=True, text=True, timeout=timeout)
    pdf = build / (tex.stem + ".pdf")
    if proc.returncode != 0 or not pdf.exists():
        log = build / (tex.stem + ".log")
        tail = log.read_text(errors="replace")[-3000:] if log.exists() else proc.stdout[-3000:]
        return PdfResult(False, None, "LaTeX failed:\n" + tail)
    final = tex.with_suffix(".pdf")
    shutil.copyfile(pdf, final)
    return PdfResult(True, final, f"wrote {final}")
