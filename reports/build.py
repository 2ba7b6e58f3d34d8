"""Assemble the report: context -> LaTeX (templates) + macros -> PDF (latexmk when available)."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from checks.derivation import Derivation
from reports import prose, provenance
from reports.latex import environment, write_macros
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
        powers = ", ".join(rf"${_base(k)}^{{{sym_latex(v)}}}$" for k, v in c.exponents.items())
        extra = " (and the printed form omits a log factor)" if "omits" in c.text else ""
        return f"different scaling: derived/printed $\\propto$ {powers}{extra}."
    return prose.to_latex(c.text, prose.plain_number) + "."


def _base(name: str) -> str:
    """A scaling variable of :mod:`theory.compare` ("1-mu", "eps", "C_d") as a power's base."""
    tex = prose.math_of(name)
    return f"({tex})" if any(op in name for op in "+-") else tex


DISPLAY_LIMIT = 70  # visible characters of a display formula before it is broken in two


def _visible(tex: str) -> int:
    return len(re.sub(r"\\[A-Za-z]+|[{}^_ ]", "", tex))


def display_lines(expr: object) -> list[str]:
    """A derived or printed expression as display lines: one line (``sympy.latex`` with the
    paper's symbols, :func:`theory.display.latex`), or, when it is longer than
    :data:`DISPLAY_LIMIT`, broken after its prefactor: P on the first line, times log(A) on the
    second (issue 15: long formulas broken, not shrunk)."""
    from theory.compare import split_log
    from theory.display import tidy

    whole = expr_latex(expr)
    if _visible(whole) <= DISPLAY_LIMIT:
        return [whole]
    try:
        parts = split_log(tidy(expr))
    except Exception:  # a form split_log cannot take apart stays whole
        parts = None
    if parts is None:
        return [whole]
    pre, arg = parts
    return [sym_latex(pre), r"\cdot\log\left(" + sym_latex(arg) + r"\right)"]


def derivation_context(d: Derivation, symbolic_verdict: str = "") -> dict[str, object]:
    items = []
    for it in d.items:
        items.append(
            {
                "label": it.label,
                "verdict": it.outcome,
                "derived": None if it.derived is None else display_lines(it.derived),
                "printed": None if it.printed is None else display_lines(it.printed),
                "comparison": None if it.comparison is None else comparison_latex(it.comparison),
                "note": it.note,
                "origin": it.origin,
                "reading": it.reading,
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
    counts: list[dict[str, object]] = field(default_factory=list)
    total: str = ""
    rules: list[dict[str, object]] = field(default_factory=list)
    order: list[str] = field(default_factory=list)
    glossary: list[dict[str, object]] = field(default_factory=list)
    validity: list[dict[str, object]] = field(default_factory=list)
    walls: list[dict[str, object]] = field(default_factory=list)
    rebuild: list[str] = field(default_factory=list)
    seed_study: dict[str, object] | None = None


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
    commit, dirty = provenance.git_state()
    ctx = {
        "title": "Async-MSGD theory, claim by claim",
        "subtitle": "asyncmsgd-verify: Liu, Li, Shi, Zhou, Zhao (NeurIPS 2018) and "
        "Gratton & Toint (2026)",
        "profile": inputs.profile,
        "version": __version__,
        "commit": commit,
        "dirty": {True: "yes", False: "no", None: "unknown"}[dirty],
        "generated": provenance.build_time().strftime("%Y-%m-%d %H:%M UTC"),
        "summary": inputs.summary,
        "claims": inputs.claims,
        "discrepancies": inputs.discrepancies,
        "counts": inputs.counts,
        "total": inputs.total,
        "rules": inputs.rules,
        "order": inputs.order,
        "glossary": inputs.glossary,
        "validity": inputs.validity,
        "walls": inputs.walls,
        "rebuild": inputs.rebuild,
        "seed_study": inputs.seed_study,
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


def compile_pdf(
    tex: Path, timeout: float = 600.0, on_pass: Callable[[str], object] | None = None
) -> PdfResult:
    """latexmk -pdf -halt-on-error in a clean build folder next to the .tex. ``on_pass(line)``
    is called when latexmk starts a pdflatex pass (the command's progress)."""
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
    proc = subprocess.Popen(
        cmd, cwd=tex.parent, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    lines: list[str] = []
    t0 = time.monotonic()
    assert proc.stdout is not None
    for line in proc.stdout:
        lines.append(line)
        m = _PASS.search(line)
        if m and on_pass is not None:
            on_pass(f"pdflatex pass {m.group(1)}")
        if time.monotonic() - t0 > timeout:
            proc.kill()
            break
    returncode = proc.wait()
    pdf = build / (tex.stem + ".pdf")
    if returncode != 0 or not pdf.exists():
        log = build / (tex.stem + ".log")
        tail = log.read_text(errors="replace")[-3000:] if log.exists() else "".join(lines)[-3000:]
        return PdfResult(False, None, "LaTeX failed:\n" + tail)
    final = tex.with_suffix(".pdf")
    shutil.copyfile(pdf, final)
    shutil.copyfile(build / (tex.stem + ".log"), tex.with_suffix(".log"))
    return PdfResult(True, final, f"wrote {final}")


_PASS = re.compile(r"Run number (\d+) of rule '(?:pdf)?latex'")
