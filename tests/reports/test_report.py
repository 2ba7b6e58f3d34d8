"""The report builds: LaTeX compiles without errors (latexmk -halt-on-error) and the PDF has a
section for every claim. Uses the session's check results (the claim runner of checks/suite.py)."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from checks.registry import entries
from reports import assemble
from reports.build import compile_pdf, latex_available, render


@pytest.fixture(scope="module")
def built(claim_runner, tmp_path_factory):
    results = [claim_runner(c) for c in entries()]
    out = tmp_path_factory.mktemp("report")
    derivations = assemble.derivation_contexts(list(entries()))
    tex = render(assemble.inputs(results, derivations, profile="ci (test)"), out)
    return tex, results


def test_every_number_in_the_text_is_a_macro(built):
    """Decimal numbers outside mathematics and layout must come from macros.tex."""
    tex, _ = built
    layout = (
        "\\begin{longtable}",
        "\\begin{tabular}",
        "\\begin{minipage}",
        "\\setlength",
        "{\\small Profile",  # the version string, 0.1.0
    )
    main = tex.read_text().split("\\appendix")[0]  # provenance lists package versions
    body = "\n".join(ln for ln in main.splitlines() if not ln.startswith(layout))
    text = re.sub(r"\$[^$]*\$", "", body)  # mathematics (SymPy output) may hold constants
    text = re.sub(r"\\[A-Za-z]+(\[[^]]*\])?(\{[^}]*\})?", "", text)  # commands and arguments
    stray = [m for m in re.findall(r"\d+\.\d+", text)]
    assert not stray, stray[:10]


def test_every_claim_has_a_section(built):
    tex, _ = built
    body = tex.read_text()
    for cid in entries():
        assert f"\\section{{{cid}:" in body and f"\\label{{sec:{cid}}}" in body


@pytest.mark.skipif(not latex_available(), reason="latexmk/pdflatex not installed")
def test_pdf_builds_with_every_claim(built):
    tex, _ = built
    pdf = compile_pdf(tex)
    assert pdf.ok, pdf.message
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", str(pdf.pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        for cid, entry in entries().items():
            assert f"{cid}: {entry.claim.statement.title}"[:30] in text.replace("\n", " ")
