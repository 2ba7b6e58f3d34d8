"""``asyncmsgd stability``: the JSON interface, --figure1, and one-line errors.

(It lives under tests/theory/ with the E1 tests; it may move to tests/cli/.)
"""

from __future__ import annotations

import json

import pytest

from asyncmsgd.cli import main


def test_json_interface_keys(capsys):
    assert main(["stability", "--mu", "0.9", "--eta", "5e-4", "--sigma", "4,3,2,1", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["tau_max"] == 32 and isinstance(out["tau_max"], int)
    assert out["binding_mode"] == "radial"
    assert [m["name"] for m in out["modes"]] == [
        "radial",
        "tangential-2",
        "tangential-3",
        "tangential-4",
    ]
    assert all({"name", "c", "tau_max"} <= set(m) for m in out["modes"])
    assert out["modes"][0]["c"] == pytest.approx(2 * 5e-4 * 4)
    errs = out["stationary_error"]
    assert "0" in errs and all(int(k) <= out["tau_max"] for k in errs)
    assert errs["0"] == pytest.approx(0.0493, rel=1e-2)


def test_text_report_and_random_delay(capsys):
    assert main(["stability", "--delay", "uniform", "--delays", "0,40"]) == 0
    out = capsys.readouterr().out
    assert "binding mode: radial" in out and "more stable than a constant delay" in out
    assert main(["stability", "--delay", "geometric", "--json", "--delays", "0,10"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["comparison_with_constant"]["constant_tau_max"] == 32
    assert set(out["stationary_error"]) == {"0", "10"}


def test_unstable_without_delay(capsys):
    """eta = 0.5, lambda_1 = 2: c_radial = 2 >= 2 (1 + mu) at mu = 0, so no delay is stable."""
    assert main(["stability", "--sigma", "2,1", "--mu", "0", "--eta", "0.5", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["tau_max"] == -1 and out["stationary_error"] == {"0": None}


def test_figure1(capsys):
    assert main(["stability", "--figure1"]) == 0
    out = capsys.readouterr().out
    assert "115" in out and "predicted 1.22" in out and "(1-mu)^2 scaling 2.00" in out
    assert main(["stability", "--figure1", "--json"]) == 0
    f = json.loads(capsys.readouterr().out)
    assert [r["tau_max"] for r in f["rows"]] == [115, 74, 53, 32, 13]
    assert [r["paper"] for r in f["rows"]] == [120, 80, 60, 30, 10]


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["--mu", "1"], "mu="),
        (["--eta", "-1"], "eta="),
        (["--sigma", "1,1"], "eigen-gap"),
        (["--delays", "0,-3"], "delays="),
        (["--figure1", "--delay", "uniform"], "--figure1"),
    ],
)
def test_errors_are_one_line(capsys, argv, fragment):
    assert main(["stability", *argv]) == 2
    err = capsys.readouterr().err
    assert fragment in err and "Traceback" not in err and err.count("\n") == 1
