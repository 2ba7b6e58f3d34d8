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
    # both orders (issue 16): second order (default key) and E1's first-order closure
    first = out["stationary_error_first_order"]
    assert set(first) == set(errs) == set(out["stationary_error_detail"])
    assert first["0"] == pytest.approx(0.0493, rel=1e-2)
    assert errs["0"] == pytest.approx(0.04635, rel=1e-3)
    detail = out["stationary_error_second_order_detail"]["0"]
    assert detail["first_order"] == pytest.approx(first["0"], rel=1e-12)
    assert detail["second_order"] == pytest.approx(errs["0"], rel=1e-12)
    assert [m["name"] for m in detail["modes"]] == [m["name"] for m in out["modes"]]
    assert out["stationary_error_detail"]["0"]["total"] == pytest.approx(first["0"])


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
    assert out["stationary_error_first_order"] == {"0": None}


def test_figure1(capsys):
    assert main(["stability", "--figure1"]) == 0
    out = capsys.readouterr().out
    assert "115" in out and "predicted 1.22" in out and "(1-mu)^2 scaling 2.00" in out
    assert main(["stability", "--figure1", "--json"]) == 0
    f = json.loads(capsys.readouterr().out)
    assert [r["tau_max"] for r in f["rows"]] == [115, 74, 53, 32, 13]
    assert [r["paper"] for r in f["rows"]] == [120, 80, 60, 30, 10]
    # the second-order level sits below E1's first-order one, more so at larger mu
    rel = [r["error_at_zero_second_order"] / r["error_at_zero"] - 1 for r in f["rows"]]
    assert all(-0.15 < x < 0 for x in rel) and rel == sorted(rel, reverse=True)
    # the options --figure1 uses are still accepted
    assert (
        main(["stability", "--figure1", "--delay", "constant", "--distribution", "rademacher"]) == 0
    )


@pytest.mark.parametrize(
    ("option", "value"),
    [("--mu", "0.3"), ("--eta", "1e-3"), ("--sigma", "3,2,1"), ("--delays", "0,10")],
)
def test_figure1_refuses_options_it_would_ignore(capsys, option, value):
    """Issue 17: --figure1 fixes Figure 1's setting; an option it does not use is an error
    (exit code 2, the option named, one line, no traceback), not silently ignored."""
    assert main(["stability", "--figure1", option, value]) == 2
    err = capsys.readouterr().err
    assert f"{option} does not apply with --figure1" in err
    assert "Traceback" not in err and err.count("\n") == 1


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
