"""compile_pdf: latexmk in a clean build folder, from a relative path too."""

from __future__ import annotations

from pathlib import Path

import pytest

from reports.build import compile_pdf, latex_available

MINIMAL = (
    "\\documentclass{article}\\begin{document}Hello \\input{macros.tex}\\Answer\\end{document}\n"
)


@pytest.mark.skipif(not latex_available(), reason="latexmk/pdflatex not installed")
def test_compiles_from_a_relative_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = Path("reports/build")
    out.mkdir(parents=True)
    (out / "macros.tex").write_text("\\newcommand{\\Answer}{42}\n")
    (out / "report.tex").write_text(MINIMAL)
    result = compile_pdf(out / "report.tex")
    assert result.ok, result.message
    assert (tmp_path / "reports/build/report.pdf").exists()


@pytest.mark.skipif(not latex_available(), reason="latexmk/pdflatex not installed")
def test_latex_errors_are_reported(tmp_path):
    (tmp_path / "bad.tex").write_text(
        "\\documentclass{article}\\begin{document}\\undefined\\end{document}\n"
    )
    result = compile_pdf(tmp_path / "bad.tex")
    assert not result.ok and "Undefined control sequence" in result.message


def test_missing_latex_names_the_debian_packages(tmp_path, monkeypatch):
    monkeypatch.setattr("reports.build.latex_available", lambda: False)
    result = compile_pdf(tmp_path / "x.tex")
    assert not result.ok and "texlive-latex-extra" in result.message
