"""Figure 1 (C12): the optimal-delay statistic on known curves, the iteration budget, the
store-backed computation (reruns compute nothing), the results file, the plot, the CLI, and the
C12 check at CI scale with its negative controls."""

from __future__ import annotations

import argparse
import math

import numpy as np
import pytest

from asyncmsgd.commands import figure1 as cli1
from checks.claims import c12_figure1 as c12
from checks.experiments import figure1 as f1
from checks.experiments import figure1_table as ft
from checks.experiments import optimal_delay as od
from checks.experiments.common import read_json, write_json
from checks.profile import get_profile
from simulate.store import open_store
from theory.validation import ParameterError

# --- the statistic ----------------------------------------------------------------------------


def _knee(runs: int = 200, knee: float = 37.0, seed: int = 0):
    """Per-run errors 1 + noise below the knee, growing fast beyond it (delays 0..60)."""
    rng = np.random.default_rng(seed)
    d = np.arange(0, 61)
    mean = 1.0 + 0.002 * d + np.where(d > knee, (d - knee) ** 2 * 0.05, 0.0)
    return d, mean[None, :] * np.exp(0.1 * rng.standard_normal((runs, 1)))  # CRN-like runs


def test_point_estimate_is_the_last_delay_within_the_margin():
    d, v = _knee()
    # 1.5x is crossed where 0.002 d + 0.05 (d - 37)^2 > 0.5, i.e. at d = 40
    assert od.point_estimate(d, v, 0.5) == (39.0, False)
    assert od.bracket(d, v, 0.5) == (39, 40)


def test_censored_when_no_delay_exceeds():
    d = np.arange(0, 5)
    v = np.ones((10, 5))
    assert od.point_estimate(d, v, 0.5) == (4.0, True)
    assert od.bracket(d, v, 0.5) is None


def test_diverged_runs_count_as_infinite():
    d = np.arange(0, 4)
    v = np.ones((10, 4))
    v[3, 2] = np.inf
    assert od.point_estimate(d, v, 0.5) == (1.0, False)


def test_bootstrap_interval_covers_the_knee_and_is_reproducible():
    d, v = _knee()
    a = od.estimate(d, v, 0.5, n_boot=300, rng=np.random.default_rng(1))
    b = od.estimate(d, v, 0.5, n_boot=300, rng=np.random.default_rng(1))
    assert a.value == 39.0 and a.ci[0] <= 39.0 <= a.ci[1] and a.spacing == 1.0
    assert a.samples.size == 300 and np.array_equal(a.samples, b.samples)
    # common-random-number runs (a shared factor per run) make the crossing exact
    assert a.se == 0.0


@pytest.mark.parametrize(
    ("delays", "values"),
    [
        (np.array([1, 2]), np.ones((3, 2))),  # grid must start at 0
        (np.array([0, 2, 1]), np.ones((3, 3))),  # increasing
        (np.array([0, 1]), np.ones((3, 3))),  # shape
        (np.array([0, 1]), np.array([[1.0, np.nan]])),  # NaN: diverged must be inf
    ],
)
def test_bad_input_names_the_parameter(delays, values):
    with pytest.raises(ParameterError):
        od.point_estimate(delays, values, 0.5)


def test_margin_must_be_positive():
    d, v = _knee(runs=5)
    with pytest.raises(ParameterError, match="margin"):
        od.point_estimate(d, v, 0.0)


# --- the iteration budget ---------------------------------------------------------------------


def test_iteration_budget_passes_all_three_phases():
    b = f1.iteration_budget()
    assert b.steps == 20_000 and b.window == 0.5
    assert b.slowest.mu == 0.7
    # T2 is the ODE traverse time (1-mu)/gap ln((1-delta^2)/delta^2) in updates
    assert b.slowest.t2 == pytest.approx(0.3 * math.log(99) / 5e-4)
    assert b.burn_in == pytest.approx(1.5 * b.slowest.total)
    assert b.window_start > b.burn_in and b.window_relaxations >= 10
    # every momentum's phases are shorter than the slowest's
    assert all(p.total <= b.slowest.total for p in b.phases)


def test_coarse_grid_covers_the_poster_range():
    assert f1.coarse_delays(0.9, 5)[-1] == 45 and f1.coarse_delays(0.9, 10)[-2:] == [40, 45]
    assert all(np.diff(f1.coarse_delays(0.7, 5)) <= 5)


# --- computation through the store, results file, plot, CLI --------------------------------------

TINY = f1.Scale("ci", 3, 40, 50)


@pytest.fixture
def tiny(monkeypatch):
    monkeypatch.setitem(f1.SCALES, "ci", TINY)
    monkeypatch.setattr(f1, "MUS", (0.9, 0.95))
    return TINY


def test_compute_reuses_the_store_and_round_trips_through_json(tiny, tmp_path):
    planned = []
    with open_store(tmp_path / "s.sqlite") as store:
        data = f1.compute("ci", store, plan=planned.append)
        again = []
        data2 = f1.compute("ci", store, plan=again.append)
    assert sum(planned) > 0 and again == [0, 0]  # the rerun computes nothing
    c = data.curve(0.9)
    assert c.error.shape == (3, c.delays.size) and c.delays[0] == 0
    assert np.all(np.diff(c.delays) > 0)
    # the step-1 refinement fills the bracket of each margin
    for m in f1.MARGINS:
        br = od.bracket(c.delays, c.error, m)
        if br is not None:
            assert br[1] - br[0] == 1
    assert np.array_equal(c.error, data2.curve(0.9).error)
    path = write_json(tmp_path / "r.json", f1.raw_results(data))
    back = f1.from_raw(read_json(path), "ci")
    assert back is not None
    for a, b in zip(data.curves, back.curves, strict=True):
        assert np.array_equal(a.delays, b.delays) and np.array_equal(a.error, b.error)
        assert np.array_equal(a.diverged, b.diverged) and a.keys == b.keys
    raw = read_json(path)
    raw["settings"]["runs"] = 99
    assert f1.from_raw(raw, "ci") is None  # other settings: not reused
    cell = read_json(path)["cells"][0]
    assert {"mu", "tau", "key", "run_index", "stationary_error", "final_error"} <= set(cell)
    assert "numpy" in read_json(path)["packages"]


def test_plot_writes_reproducible_vector_pdf_and_png(tiny, tmp_path):
    from reports.plots import plot_figure1

    with open_store(tmp_path / "s.sqlite") as store:
        data = f1.compute("ci", store)
    summary = ft.plot_summary(data, ft.table(data))
    files = plot_figure1(summary, tmp_path / "a")
    again = plot_figure1(summary, tmp_path / "b", "misalignment")
    assert [f.suffix for f in files] == [".pdf", ".png"]
    pdf = files[0].read_bytes()
    assert b"/FontFile2" in pdf  # embedded TrueType
    plot_figure1(summary, tmp_path / "c")
    assert (tmp_path / "c.pdf").read_bytes() == pdf  # same data, same bytes
    assert again[0].exists()


def _parser():
    parser = argparse.ArgumentParser()
    cli1.register(parser.add_subparsers())
    return parser


def test_cli_writes_figures_table_and_raw_results(tiny, tmp_path, capsys):
    args = _parser().parse_args(["figure1", "--scale", "ci", "--out", str(tmp_path)])
    assert args.func(args) == 0
    out = capsys.readouterr().out
    assert "optimal delay" in out and "| 0.95 |" in out
    names = {p.name for p in tmp_path.iterdir()}
    assert {"figure1-ci.json", "figure1-ci.md", "figure1-ci.pdf", "figure1-ci.png"} <= names
    assert {"figure1-ci-angle.pdf", "figure1.sqlite"} <= names
    raw = read_json(tmp_path / "figure1-ci.json")
    assert raw["analysis"]["plot_metric"].startswith("error = ||v - v1||^2")
    assert f1.from_raw(raw, "ci") is not None


def test_cli_errors_are_one_line(tmp_path):
    from asyncmsgd.commands import UsageError

    bad = tmp_path / "file"
    bad.write_text("x")
    args = _parser().parse_args(["figure1", "--out", str(bad)])
    with pytest.raises(UsageError, match="not a folder"):
        args.func(args)
    args = _parser().parse_args(["figure1", "--workers", "0", "--out", str(tmp_path)])
    with pytest.raises(ParameterError, match="workers"):
        args.func(args)


# --- the check --------------------------------------------------------------------------------


def test_check_c12_at_ci_scale():
    """The registry's check: every wrong theory rejected; the optimal delay falls with mu."""
    res = c12.check_figure1(get_profile("ci"))
    assert res.claim == "C12" and res.controls and res.controls_rejected
    rows = res.details["rows"]
    assert [r["mu"] for r in rows] == list(f1.MUS)
    taus = [r["optimal_delay"]["error"]["0.5"]["value"] for r in rows]
    assert taus == sorted(taus, reverse=True)
    assert set(res.details["sensitivity"]) == {f"{1 + m:g}x" for m in f1.MARGINS}
    assert {e.reading for e in res.evidence} == {"", *c12.CLAIM.reading_names}


def test_reproduce_figure1_makes_its_folder(tmp_path, monkeypatch):
    """A fresh clone has no reports/build: the report's Figure 1 must create its folder (the
    store refused a path in a missing folder, and the report had no Figure 1)."""
    from asyncmsgd.commands import _figures

    class Stop(Exception):
        pass

    def stop(*a, **k):
        raise Stop

    monkeypatch.setattr(f1, "compute", stop)
    out = tmp_path / "fresh" / "figure1"
    with pytest.raises(Stop):
        _figures.reproduce_figure1("ci", out)
    assert (out / f1.STORE_NAME).exists()
