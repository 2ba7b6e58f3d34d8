"""``asyncmsgd derive``: formats, errors, exit codes."""

from __future__ import annotations

import json

from asyncmsgd.cli import main


def test_derive_json(capsys):
    assert main(["derive", "C7", "C9", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [d["claim"] for d in out] == ["C7", "C9"]
    t2 = out[0]["items"][0]
    assert t2["label"] == "T2" and t2["comparison"]["factor"] == "2"


def test_derive_text_says_how_they_differ(capsys):
    assert main(["derive", "c7"]) == 0
    out = capsys.readouterr().out
    assert "derived = 2 x printed" in out


def test_unknown_claim_is_a_clean_error(capsys):
    assert main(["derive", "C99"]) == 2
    err = capsys.readouterr().err
    assert "unknown claim 'C99'" in err and "Traceback" not in err


def test_latex_format(capsys):
    assert main(["derive", "C4", "--format", "latex"]) == 0
    assert r"\alpha_{i,1}" in capsys.readouterr().out


def test_jobs_do_not_change_the_output(capsys):
    """Worker processes (the default on a multi-core machine) print exactly what one process
    prints, in the claims' order."""
    assert main(["derive", "C7", "C1", "C8", "--jobs", "1"]) == 0
    one = capsys.readouterr().out
    assert main(["derive", "C7", "C1", "C8", "--jobs", "2"]) == 0
    assert capsys.readouterr().out == one
    assert one.index("C7 ") < one.index("C1 ") < one.index("C8 ")
