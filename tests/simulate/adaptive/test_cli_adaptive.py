"""``asyncmsgd adaptive``: the JSON interface, the text report, the lock-free mode, errors."""

from __future__ import annotations

import json

import pytest

from asyncmsgd.cli import main

INTERFACE_KEYS = ("slope", "slope_ci", "slope_se", "window", "rate_ok", "final_grad2_mean",
                  "diverged", "delay_mean")  # fmt: skip


def test_json_interface(capsys):
    code = main(["adaptive", "--method", "adagrad-norm", "--problem", "pca", "--delay", "ps:4",
                 "--steps", "2048", "--runs", "16", "--boot", "100", "--json"])  # fmt: skip
    out = json.loads(capsys.readouterr().out)  # one JSON object, nothing else on stdout
    assert code == 0
    for key in INTERFACE_KEYS:
        assert key in out
    lo, hi = out["slope_ci"]
    assert lo <= out["slope"] <= hi and out["slope"] < 0
    assert out["window"] == [64.0, 2048.0]
    assert out["diverged"] == 0 and out["delay_mean"] == pytest.approx(3.0, abs=0.3)
    assert out["final_grad2_mean"] < out["start_grad2_mean"]


def test_text_report_and_options(capsys):
    code = main(["adaptive", "--method", "normalized", "--norm-estimate", "noisy", "--problem",
                 "regression", "--delay", "pareto:2.5", "--tau", "4", "--blocks", "overlap:4:4",
                 "--steps", "1024", "--runs", "8", "--boot", "50"])  # fmt: skip
    text = capsys.readouterr().out
    assert code == 0
    assert "slope of log min_(k<=t)" in text and "nu=noisy" in text and "overlap:4:4" in text


def test_lockfree_mode(capsys):
    code = main(["adaptive", "--lockfree", "3", "--steps", "900", "--runs", "4",
                 "--blocks", "overlap:3:3", "--json"])  # fmt: skip
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert out["processes"] == 3 and 900 <= out["updates"] <= 902
    staleness = out["staleness"]
    if staleness["measured"] is None:
        # on a loaded machine no update may run with all three processes active: said so
        assert staleness["note"] and staleness["models"] == []
    else:
        assert staleness["models"][0]["model"] == "ps(W=3,exponential)"
    assert out["replay_runs"] == 4


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["--delay", "geometric"], "needs --tau"),
        (["--blocks", "overlap:2:2"], "window=2"),
        (["--eta", "-1"], "eta=-1.0"),
        (["--beta", "1"], "beta=1.0"),
        (["--steps", "0"], "steps=0"),
        (["--delay", "ps:4", "--tau", "3"], "no --tau with a parameter server"),
    ],
)
def test_errors_are_one_line(capsys, argv, needle):
    code = main(["adaptive", "--steps", "64", "--runs", "2", *argv])
    err = capsys.readouterr().err
    assert code == 2
    assert needle in err and "Traceback" not in err and err.count("\n") == 1
