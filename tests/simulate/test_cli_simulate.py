"""``asyncmsgd simulate``: the JSON interface, the text report, and one-line errors."""

from __future__ import annotations

import json

import numpy as np
import pytest

from asyncmsgd.cli import main

BASE = ["simulate", "--mu", "0.9", "--tau", "10", "--eta", "5e-4", "--sigma", "4,3,2,1"]
INTERFACE_KEYS = (
    "error_mean",
    "error_ci",
    "stationary_error",
    "diverged",
    "escape_steps_median",
    "delay_mean",
    "delay_max",
)


def run_json(capsys, *extra: str) -> dict:
    code = main([*BASE, "--runs", "20", "--steps", "3000", "--start", "e2", "--seed", "0",
                 "--json", *extra])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    return json.loads(out)  # one JSON object, nothing else on stdout


def test_json_interface_keys_and_values(capsys):
    s = run_json(capsys, "--delay", "constant")
    for key in INTERFACE_KEYS:
        assert key in s
    assert s["diverged"] == 0
    assert s["delay_mean"] == 10 and s["delay_max"] == 10
    lo, hi = s["error_ci"]
    assert lo <= s["error_mean"] <= hi
    assert 0 < s["stationary_error"] < 0.5
    assert s["escape_steps_median"] > 0
    assert s["runs"] == 20 and s["steps"] == 3000
    assert s["config"]["update"] == "eq. (5)"


def test_json_is_reproducible_and_engine_independent(capsys):
    a = run_json(capsys, "--engine", "numpy", "--threads", "1")
    b = run_json(capsys, "--engine", "auto", "--threads", "2")
    for key in INTERFACE_KEYS:
        assert a[key] == b[key]


def test_parameter_server_and_other_options(capsys):
    code = main(["simulate", "--mu", "0.5", "--eta", "1e-3", "--delay", "ps:4", "--runs", "5",
                 "--steps", "2000", "--distribution", "rademacher", "--start", "random",
                 "--json", "--normalize"])  # fmt: skip
    s = json.loads(capsys.readouterr().out)
    assert code == 0
    assert s["delay_mean"] == pytest.approx(3.0, abs=0.3)
    assert s["distribution"] == "rademacher" and s["A2_bounded"] is True
    assert "NOT the paper" in s["config"]["update"]


def test_sigma_from_a_matrix_file(capsys, tmp_path):
    rng = np.random.default_rng(0)
    q, _ = np.linalg.qr(rng.standard_normal((3, 3)))
    path = tmp_path / "sigma.txt"
    np.savetxt(path, q @ np.diag([3.0, 2.0, 1.0]) @ q.T)
    code = main(["simulate", "--mu", "0.5", "--eta", "1e-3", "--tau", "2", "--sigma", str(path),
                 "--runs", "3", "--steps", "500", "--json"])  # fmt: skip
    s = json.loads(capsys.readouterr().out)
    assert code == 0 and s["sigma_diagonal"] is False
    assert s["eigenvalues"] == pytest.approx([3.0, 2.0, 1.0])


def test_text_report(capsys):
    code = main([*BASE, "--runs", "10", "--steps", "2000"])
    out = capsys.readouterr().out
    assert code == 0
    for fragment in ("final error", "95% CI", "stationary error", "escape", "convergence",
                     "diverged", "delays: mean 10"):  # fmt: skip
        assert fragment in out


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--mu", "1.0", "--eta", "1e-3"], "mu=1.0"),
        (["--mu", "0.5", "--eta", "0"], "eta=0.0"),
        (["--mu", "0.5", "--eta", "1e-3", "--tau", "-3"], "tau=-3"),
        (["--mu", "0.5", "--eta", "1e-3", "--runs", "0"], "runs=0"),
        (["--mu", "0.5", "--eta", "1e-3", "--delay", "zipf"], "delay='zipf'"),
        (["--mu", "0.5", "--eta", "1e-3", "--start", "e7"], "start='e7'"),
        (["--mu", "0.5", "--eta", "1e-3", "--sigma", "1,1"], "eigen-gap"),
        (["--mu", "0.5", "--eta", "1e-3", "--sigma", "missing/sigma.txt"], "no such file"),
    ],
)
def test_errors_are_one_line_with_exit_code_2(capsys, args, fragment):
    code = main(["simulate", *args])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert "\n" not in err and err.startswith("asyncmsgd simulate: error:")
    assert fragment in err
