"""LaTeX helpers: the escape filter, macro names and number formatting."""

from __future__ import annotations

import math

import pytest

from reports.latex import environment, escape_tex, format_number, macro_name, write_macros


def test_escape_every_special():
    raw = r"a_b & 50% $x$ #1 {y} ~ ^ \ <>|"
    out = escape_tex(raw)
    for ch in "_&%$#{}":
        assert f"\\{ch}" in out
    assert r"\textbackslash{}" in out and r"\textasciitilde{}" in out
    # nothing unescaped is left: removing the escapes leaves no special character
    stripped = out
    for rep in (
        r"\textbackslash{}",
        r"\textasciitilde{}",
        r"\textasciicircum{}",
        r"\textless{}",
        r"\textgreater{}",
        r"\textbar{}",
    ):
        stripped = stripped.replace(rep, "")
    for ch in "_&%$#{}":
        stripped = stripped.replace("\\" + ch, "")
    assert not set(stripped) & set("\\&%$#_{}~^<>|")


def test_template_delimiters_do_not_clash_with_latex():
    env = environment()
    tpl = env.from_string(r"\section{\VAR{title|tex}} \BLOCK{for x in xs}\VAR{x}\BLOCK{endfor} {}")
    assert tpl.render(title="a_b", xs=[1, 2]) == r"\section{a\_b} 12 {}"


def test_macro_names():
    assert macro_name("C4 stationary var mode 2") == "CFourStationaryVarModeTwo"
    with pytest.raises(ValueError):
        macro_name("--")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (3, "3"),
        (0.012345, "0.0123"),
        (123.456, "123"),
        (1.5e-7, r"1.50\times 10^{-7}"),
        (math.nan, r"\textrm{n/a}"),
        (math.inf, r"\infty"),
        (True, "yes"),
    ],
)
def test_format_number(value, text):
    assert format_number(value) == text


def test_write_macros_rejects_collisions(tmp_path):
    names = write_macros(tmp_path / "m.tex", {"a b": 1.0, "x": "\\alpha"})
    assert names == {"a b": "AB", "x": "X"}
    assert r"\newcommand{\AB}{1.00}" in (tmp_path / "m.tex").read_text()
    with pytest.raises(ValueError, match="macro"):
        write_macros(tmp_path / "n.tex", {"a b": 1, "a-b": 2})
