"""``asyncmsgd validity`` (issue 13): bad input is one clear line (exit 2), a small map writes the
agreed files with the agreed keys, and a rerun resumes from the store."""

from __future__ import annotations

import json

import pytest

from asyncmsgd.cli import main
from asyncmsgd.commands import COMMANDS

SMALL = ["--mus", "0,0.6", "--etas", "4e-3,2e-3", "--distribution", "gaussian"]


def test_listed_with_one_line_help():
    assert "validity" in COMMANDS and "\n" not in COMMANDS["validity"]


@pytest.mark.parametrize(
    "args, words",
    [
        (["--claim", "C5"], "one of C3, C4, C7, C9, C14, C8"),
        (["--claim", "C99"], "one of C3, C4, C7, C9, C14, C8"),
        (["--claim", "C4", "--mus", "0.5,1.0"], "mu"),
        (["--claim", "C4", "--mus", "-0.1"], "mu"),
        (["--claim", "C4", "--etas", "0"], "eta"),
        (["--claim", "C4", "--etas=-1e-3"], "eta"),
        (["--claim", "C4", "--etas", "fast"], "etas"),
        (["--claim", "C4", "--profile", "huge"], "profile"),
        (["--claim", "C4", "--distribution", "cauchy"], "cauchy"),
        (["--claim", "C4", "--workers", "0"], "workers"),
    ],
)
def test_bad_input_is_one_line(args, words, capsys, tmp_path):
    assert main(["validity", *args, "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("asyncmsgd validity: error:") and "\n" not in err
    assert words in err
    assert not (tmp_path / "validity.sqlite").exists()  # refused before anything ran


def test_small_map_files_keys_and_resume(capsys, tmp_path, monkeypatch):
    from checks import validity as v
    from simulate.store import open_store

    monkeypatch.setitem(v.MAP_RUNS, "C3", 60)
    args = ["validity", "--claim", "C3", *SMALL, "--out", str(tmp_path), "--json"]
    assert main(args) == 0
    out = json.loads(capsys.readouterr().out)
    files = {p.name for p in tmp_path.iterdir()}
    assert {"validity-C3-ci.json", "validity-C3-ci.pdf", "validity.sqlite"} <= files
    on_disk = json.loads((tmp_path / "validity-C3-ci.json").read_text())
    for obj in (out, on_disk):
        assert obj["claim"] == "C3" and len(obj["points"]) == 4
        assert {"points", "exponent_mu", "exponent_eta", "paper_exponents", "e1_exponents"} <= set(
            obj
        )
        for p in obj["points"]:
            assert {"mu", "eta", "tau_e1", "tau_valid_stat", "tau_valid_band", "ci"} <= set(p)
        assert {"value", "ci"} <= set(obj["exponent_mu"]) and {"value", "ci"} <= set(
            obj["exponent_eta"]
        )
        assert obj["paper_exponents"]["mu"] == 2.0
    with open_store(tmp_path / "validity.sqlite", readonly=True) as store:
        before = store.counts()
    assert main(args) == 0  # the rerun reads every cell from the store
    again = json.loads(capsys.readouterr().out)
    with open_store(tmp_path / "validity.sqlite", readonly=True) as store:
        assert store.counts() == before
    assert again["points"] == out["points"]


def test_a_one_point_map_prints_without_a_fit(capsys, tmp_path, monkeypatch):
    """One (mu, eta) point (as when one full-size point is timed): no exponent can be fitted,
    and the text output says so instead of failing."""
    from checks import validity as v

    monkeypatch.setitem(v.MAP_RUNS, "C3", 60)
    args = ["validity", "--claim", "C3", "--mus", "0.6", "--etas", "4e-3"]
    assert main([*args, "--distribution", "gaussian", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "not enough uncensored points" in out and "E1's boundary: no fit" in out
    assert (tmp_path / "validity-C3-ci.json").exists()
