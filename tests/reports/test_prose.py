"""The checks' plain text, typeset: one notation, SymPy syntax through sympy.latex, numbers to
stated significant digits and through the macro callback, nothing dropped."""

from __future__ import annotations

import math
import re

import pytest

from reports.prose import format_significant, math_of, mathtext, tidy, to_latex


def numbers(log: list[str]):
    def number(raw: str) -> str:
        log.append(raw)
        return rf"\N{chr(ord('A') + len(log) - 1)}"

    return number


def _math(tex: str) -> str:
    return " ".join(re.findall(r"\$([^$]*)\$", tex))


def test_greek_names_and_subscripts_are_typeset():
    tex = to_latex("the ODE's T2 at mu = 0.6 with lambda_1 - lambda_2 and C_d", numbers([]))
    assert r"\mu" in tex and r"\lambda_{1}" in tex and "C_{d}" in tex and "T_2" in tex
    assert "mu =" not in re.sub(r"\$[^$]*\$", "", tex)


def test_sympy_syntax_goes_through_sympy_latex():
    tex = to_latex("against a wrong printed form (2*C_d*eta/(1 - mu)**(9/10))", numbers([]))
    assert "**" not in tex and r"\frac" in tex and r"\eta" in _math(tex)


def test_numbers_go_through_the_callback_outside_and_inside_mathematics():
    log: list[str] = []
    tex = to_latex("measured 1.268 vs 0.6356, within +- 0.0227 at eta = 0.002", numbers(log))
    assert log == ["1.268", "0.6356", "0.0227", "0.002"]
    assert not re.search(r"\d\.\d", tex)


def test_numpy_reprs_and_joined_sentences_are_cleaned():
    assert tidy("eta = [np.float64(0.002), np.float64(0.001)]") == "eta = [0.002, 0.001]"
    assert tidy("log(mu).; Past the memory") == "log(mu); Past the memory"


def test_prose_words_and_claim_ids_stay_text():
    tex = to_latex("a check of C7 (Phase II) uses E1's boundary and A2 data", numbers([]))
    assert "$" not in tex.replace("$_", "")


def test_times_and_relations():
    tex = to_latex("derived = 4 x printed; within 1.5x E(0); t -> oo, x <= y", numbers([]))
    assert r"\times" in tex and r"\to" in tex and r"\infty" in tex and r"\le" in tex


def test_code_identifiers_are_typewriter():
    tex = to_latex("LockFreeResult.steady_bound and r_max", numbers([]))
    assert r"\texttt{LockFreeResult.steady\_bound}" in tex and r"r_{\max}" in tex


def test_paths_are_typewriter_and_ratios_stay_mathematics():
    tex = to_latex("python benchmarks/e1_level.py (docs/e1-level.json), tau/tau_max", numbers([]))
    assert r"\texttt{benchmarks/e1\_level.py}" in tex and r"\texttt{docs/e1-level.json}" in tex
    assert r"\tau_{\max}" in tex and "$" in tex


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (3, "3"),
        (0.012345678, "0.01235"),
        (1.2681501167470315, "1.268"),
        (-2.554649307193477e-15, "0"),
        (2.5e-5, r"2.5\times 10^{-5}"),
        (123456.0, "123456"),
        (math.nan, r"\textrm{n/a}"),
        (math.inf, r"\infty"),
    ],
)
def test_significant_digits_and_float_noise(value, text):
    assert format_significant(value) == text


def test_math_of_a_scaling_variable():
    assert math_of("1-mu") == r"1-\mu"
    assert math_of("eps") == r"\epsilon"


def test_figure_labels_use_the_same_notation_and_parse_in_mathtext():
    import re as _re

    from matplotlib.mathtext import MathTextParser

    label = mathtext("exponent of eta past the memory >= that of eta log(1/eta), mu = 0.5", 30)
    assert "\n" in label and r"\eta" in label and "eta" not in _re.sub(r"\$[^$]*\$", "", label)
    parser = MathTextParser("path")
    for span in _re.findall(r"\$[^$]*\$", label):
        parser.parse(span)
