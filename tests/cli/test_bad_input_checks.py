"""Bad input to the claim commands (``verify``, ``report``, ``derive``, ``claims``, ``figure1``,
``figure2``): exit code 2, the parameter named, no traceback, nothing written; and ``verify
--json`` on freshly computed results (NumPy values in them) is valid JSON."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from asyncmsgd.cli import main

CASES = [
    ("verify-claims-empty", ["verify", "--claims", ""], "claims="),
    ("verify-claims-unknown", ["verify", "--claims", "C99"], "claims='C99'"),
    ("verify-claims-comma-only", ["verify", "--claims", ","], "claims="),
    ("verify-profile", ["verify", "--profile", "huge"], "argument --profile"),
    ("verify-seed-text", ["verify", "--claims", "C6", "--seed", "abc"], "seed='abc'"),
    ("verify-seed-negative", ["verify", "--claims", "C6", "--seed", "-5"], "seed="),
    ("verify-cache-file", ["verify", "--claims", "C6", "--cache", "{file}"], "--cache"),
    ("report-claims-empty", ["report", "--claims", "", "--out", "{dir}/out"], "claims="),
    ("report-profile", ["report", "--profile", "huge"], "argument --profile"),
    ("report-out-file", ["report", "--claims", "C6", "--out", "{file}/x"], "--out"),
    ("report-seed", ["report", "--claims", "C6", "--seed", "x", "--out", "{dir}/o"], "seed="),
    ("derive-unknown", ["derive", "C99"], "unknown claim 'C99'"),
    ("derive-without-derivation", ["derive", "C12"], "unknown claim 'C12'"),
    ("derive-format", ["derive", "C7", "--format", "pdf"], "argument --format"),
    ("derive-jobs", ["derive", "C7", "--jobs", "0"], "jobs=0"),
    ("figure1-scale", ["figure1", "--scale", "huge"], "argument --scale"),
    ("figure1-workers", ["figure1", "--workers", "0", "--out", "{dir}/f"], "workers=0"),
    ("figure1-out-file", ["figure1", "--out", "{file}"], "--out"),
    (
        "figure1-update-readme-ci",
        ["figure1", "--scale", "ci", "--update-readme", "--out", "{dir}/f"],
        "--update-readme needs --scale paper",
    ),
    ("figure2-scale", ["figure2", "--scale", "x"], "argument --scale"),
    ("figure2-out-file", ["figure2", "--out", "{file}"], "--out"),
    ("claims-option", ["claims", "--bogus"], "unrecognized arguments"),
]
KINDS = len(CASES)


@pytest.mark.parametrize(("argv", "needle"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_a_clear_error(argv, needle, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    afile = tmp_path / "a-file"
    afile.write_text("x")
    before = sorted(p.name for p in tmp_path.iterdir())
    argv = [a.format(file=afile, dir=tmp_path) for a in argv]
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse
        code = exc.code
    err = capsys.readouterr().err
    assert code == 2, err
    assert needle in err and "Traceback" not in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_verify_json_on_fresh_results(capsys, tmp_path):
    """Freshly computed results (NumPy booleans and floats in their details) print as JSON."""
    assert main(["verify", "--claims", "C6,C1", "--json", "--cache", str(tmp_path / "c")]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [c["claim"] for c in out] == ["C1", "C6"]
    for c in out:
        assert {"verdict", "verdict_reason", "rule", "readings", "checks"} <= set(c)
        assert c["readings"] and all({"reading", "verdict"} <= set(r) for r in c["readings"])
    assert out[0]["max_delay_fraction"] > 0


def test_default_cache_is_the_projects(tmp_path, capsys, monkeypatch):
    """The default cache and build folders do not depend on the working directory."""
    from asyncmsgd.commands._paths import ROOT, default_build, default_cache

    monkeypatch.chdir(tmp_path)
    assert default_cache().is_relative_to(ROOT) and default_build().is_relative_to(ROOT)
    assert Path(os.getcwd()) == tmp_path
