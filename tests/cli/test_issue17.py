"""Issue 17: the bad inputs that did not get a clear answer, one test (or a few) per row.

Each asserts the exit code and the message; the broad sweep over every kind of bad input is
``test_bad_input.py``.
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import asyncmsgd.commands.simulate as simulate_cmd
import simulate.progress
import simulate.sweep
from asyncmsgd.cli import main
from simulate.progress import Progress

ROOT = Path(__file__).resolve().parents[2]
SIM = ["simulate", "--mu", "0.5", "--eta", "1e-3"]

SMALL = """\
[problem]
sigma = [4, 3, 2, 1]

[grid]
mu = [0.5, 0.8]
tau = [0, 2]
eta = 1e-3

[run]
runs = 3
steps = 300
"""


def _grid(cells_per_axis: int) -> str:
    """A spec with 20 n^5 cells: n values of mu, eta, tau, steps and max_delay, five data
    laws, four delay models."""
    n = cells_per_axis
    mus = ", ".join(f"{0.9 * i / n:.6f}" for i in range(n))
    etas = ", ".join(f"{1e-4 * (i + 1):.6g}" for i in range(n))
    taus = ", ".join(str(i) for i in range(n))
    steps = ", ".join(str(1000 + i) for i in range(n))
    caps = ", ".join(str(100 + i) for i in range(n))
    dists = '["gaussian", "rademacher", "uniform-box", "uniform-ball", "uniform-sphere"]'
    return (
        "[problem]\nsigma = [4, 3, 2, 1]\n[grid]\n"
        f"mu = [{mus}]\neta = [{etas}]\ntau = [{taus}]\nsteps = [{steps}]\n"
        f"max_delay = [{caps}]\ndistribution = {dists}\n"
        'delay = ["constant", "uniform", "geometric", "poisson"]\n'
        "[run]\nruns = 10\n"
    )


class _Terminal(io.StringIO):
    """A stream tqdm takes for a terminal."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def here(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


# ---- simulate --steps 1000000000000 --runs 1: an estimate up front, progress on the way -----


def test_long_run_says_how_long_up_front_and_logs_progress(capsys, monkeypatch):
    """Where tqdm cannot draw (stderr is not a terminal), a long run prints its estimate, then
    a plain line per stretch of work, then a closing line; stdout holds only the result."""
    monkeypatch.setattr(simulate_cmd, "ESTIMATE_SECONDS", 0.0)
    monkeypatch.setattr(simulate.progress, "FIRST_LINE_SECONDS", 0.0)
    monkeypatch.setattr(simulate.progress, "MIN_INTERVAL", 0.0)
    code = main([*SIM, "--runs", "2", "--steps", "5000", "--engine", "numpy", "--json"])
    out, err = capsys.readouterr()
    assert code == 0 and json.loads(out)["runs"] == 2
    lines = err.strip().splitlines()
    assert lines[0].startswith("asyncmsgd simulate: 2 run(s) x 5,000 steps = 1e+04 step-runs")
    assert "about" in lines[0] and "expected" in lines[0]
    progress = [x for x in lines[1:] if " of 10,000 step-runs (" in x]
    assert len(progress) >= 2 and "elapsed" in progress[0]
    assert lines[-1].endswith("finished")


def test_short_run_prints_nothing_on_stderr(capsys):
    assert main([*SIM, "--runs", "2", "--steps", "500", "--json"]) == 0
    assert capsys.readouterr().err == ""


def test_progress_draws_a_bar_on_a_terminal():
    stream = _Terminal()
    with Progress(100, unit="cell", prog="test", stream=stream) as bar:
        assert bar.drawing
        time.sleep(0.2)  # tqdm redraws at most every 0.1 s
        bar.note("failed", 1)
        bar.update(40)
    assert "40/100" in stream.getvalue() or "40%" in stream.getvalue()


def test_the_trillion_step_run_announces_itself(here):
    """The row itself, as a user runs it: within seconds, stderr says how long it will take
    (days); the run is then stopped (SIGINT: exit 130, one line, no traceback)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "asyncmsgd", *SIM, "--steps", "1000000000000", "--runs", "1"],
        cwd=here, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        # a suite started in the background (`cmd &`) ignores SIGINT, and children inherit
        # that: the run then never sees the interrupt; the user's shell does not ignore it
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    try:
        first = proc.stderr.readline()  # type: ignore[union-attr]
    finally:
        proc.send_signal(signal.SIGINT)
        _, rest = proc.communicate(timeout=60)
    assert first.startswith("asyncmsgd simulate: 1 run(s) x 1,000,000,000,000 steps")
    assert "days" in first or "years" in first
    assert proc.returncode == 130 and "Traceback" not in rest
    assert rest.strip().endswith("asyncmsgd simulate: interrupted")


# ---- a 10^7-cell grid: the dry run answers at once; the real sweep shows progress at once ---


def test_dry_run_of_ten_million_cells_answers_in_seconds(capsys, here):
    (here / "huge.toml").write_text(_grid(14))  # 14^5 x 5 distributions x 4 delays: 1.1e7
    t0 = time.perf_counter()
    code = main(["sweep", "huge.toml", "--dry-run"])
    elapsed = time.perf_counter() - t0
    out = capsys.readouterr().out
    assert code == 0
    count = int(out.split(" cells")[0].split()[-1].replace(",", ""))
    assert count >= 10**7
    assert "counted from the axes, not built" in out and "warning:" in out
    listed = [x for x in out.splitlines() if x.startswith("  ") and " mu=" in x]
    assert len(listed) == 20 and out.rstrip().endswith("more")  # the first cells, then a count
    assert elapsed < 10, elapsed  # about a second here; a 10^5-cell grid used to take 25 s
    assert sorted(p.name for p in here.iterdir()) == ["huge.toml"]  # nothing written


def test_large_grid_sweep_warns_and_plans_with_a_bar(capsys, here, monkeypatch):
    monkeypatch.setattr(simulate.sweep, "LARGE_GRID", 2)
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    (here / "small.toml").write_text(SMALL)
    code = main(["sweep", "small.toml", "--backend", "serial"])
    assert code == 0
    shown = terminal.getvalue()
    assert "warning: 4 cells is a large grid" in shown
    assert "planning" in shown  # the planning bar, drawn from the start
    assert "4 computed" in capsys.readouterr().out


def test_a_grid_whose_plan_exceeds_memory_is_refused(capsys, here, monkeypatch):
    monkeypatch.setattr(simulate.sweep, "LARGE_GRID", 2)
    monkeypatch.setattr(simulate.sweep.Sweep, "planning_bytes", lambda self: 10**15)
    monkeypatch.setenv("ASYNCMSGD_MEMORY_LIMIT", "8G")
    (here / "small.toml").write_text(SMALL)
    code = main(["sweep", "small.toml", "--backend", "serial"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("asyncmsgd sweep: warning: 4 cells")
    assert "asyncmsgd sweep: error: grid='4 cells' is not allowed: a sweep holds every cell" in err
    assert "split the grid" in err
    assert not (here / "small.sqlite").exists()


# ---- simulate --runs 1000000000: refused before allocating ---------------------------------


def test_runs_beyond_memory_are_refused_before_allocating(capsys, monkeypatch):
    monkeypatch.setenv("ASYNCMSGD_MEMORY_LIMIT", "8G")
    t0 = time.perf_counter()
    code = main([*SIM, "--runs", "1000000000"])
    err = capsys.readouterr().err
    assert code == 2 and time.perf_counter() - t0 < 5
    assert err.startswith("asyncmsgd simulate: error: runs=1000000000 is not allowed: ")
    assert "GiB of memory" in err and "8.0 GiB available" in err and "lower --runs" in err
    assert err.count("\n") == 1


def test_steps_and_delay_beyond_memory_name_the_ring_buffer(capsys, monkeypatch):
    monkeypatch.setenv("ASYNCMSGD_MEMORY_LIMIT", "8G")
    code = main([*SIM, "--delay", "uniform", "--tau", "1e12", "--steps", "1000000000000",
                 "--runs", "1"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2 and "ring buffer" in err and "--max-delay" in err


# ---- sweep --store DIR; --scheduler notanaddress --------------------------------------------


def test_store_that_is_a_folder(capsys, here):
    (here / "ok.toml").write_text(SMALL)
    (here / "DIR").mkdir()
    assert main(["sweep", "ok.toml", "--store", "DIR"]) == 2
    err = capsys.readouterr().err
    assert err == (
        "asyncmsgd sweep: error: store='DIR' is not allowed: a store file (SQLite), not a "
        "folder: give a file name\n"
    )
    assert list((here / "DIR").iterdir()) == []
    assert main(["results", "--store", "DIR"]) == 2
    assert "not a folder" in capsys.readouterr().err


def test_scheduler_that_is_not_an_address(capsys, here):
    (here / "ok.toml").write_text(SMALL)
    code = main(["sweep", "ok.toml", "--backend", "dask", "--scheduler", "notanaddress"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("asyncmsgd sweep: error: scheduler='notanaddress' is not allowed: ")
    assert "tcp://host:8786" in err and err.count("\n") == 1
    assert not (here / "ok.sqlite").exists()


# ---- adaptive --lockfree 64 --steps 512 (or 8 / 4) -----------------------------------------


def test_lockfree_with_fewer_steps_than_processes(capsys):
    code = main(["adaptive", "--lockfree", "8", "--steps", "4"])
    err = capsys.readouterr().err
    assert code == 2
    assert err == (
        "asyncmsgd adaptive: error: steps=4 is not allowed: at least --lockfree = 8: the 8 "
        "processes share the --steps updates, at least one each\n"
    )


def test_lockfree_64_processes_on_512_steps_reports_honestly(capsys):
    code = main(["adaptive", "--lockfree", "64", "--steps", "512", "--runs", "4", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["processes"] == 64
    staleness = out["staleness"]
    if staleness["measured"] is None:  # the usual case: 8 updates each never overlap
        assert "no update ran while all 64 processes were running" in staleness["note"]
    else:
        assert staleness["models"] and staleness["closest"]


def test_empty_staleness_has_a_note_not_a_zero_size_error():
    import numpy as np

    from simulate.adaptive.replay import compare_with_ps, total_variation
    from theory.validation import ParameterError

    out = compare_with_ps(np.array([], dtype=np.int64), 8)
    assert out["measured"] is None and out["models"] == [] and "give more --steps" in out["note"]
    with pytest.raises(ParameterError):
        total_variation(np.array([], dtype=np.int64), np.array([1, 2]))


# ---- simulate --tau 10 --max-delay 0 (or 5): truncated reads counted for a constant delay ---


@pytest.mark.parametrize("cap", [0, 5])
@pytest.mark.parametrize("engine", ["numpy", "auto"])
def test_constant_delay_above_its_cap_counts_truncated_reads(capsys, cap, engine):
    runs, steps = 3, 400
    argv = [*SIM, "--tau", "10", "--max-delay", str(cap), "--delay", "constant", "--json"]
    code = main([*argv, "--runs", str(runs), "--steps", str(steps), "--engine", engine])
    s = json.loads(capsys.readouterr().out)
    assert code == 0
    # update k reads v_{k-10}; the cap moves it to v_{k-cap} for every k > cap
    assert s["delays_truncated"] == runs * (steps - cap - 1)
    assert s["delay_max"] == cap and s["delay_cap"] == cap


def test_constant_delay_within_its_cap_truncates_nothing(capsys):
    assert main([*SIM, "--tau", "10", "--max-delay", "10", "--runs", "2", "--steps", "300",
                 "--json"]) == 0  # fmt: skip
    assert json.loads(capsys.readouterr().out)["delays_truncated"] == 0


# ---- --sigma 1,2,3,4 and sigma = [1, 2, 3, 4]: refused, with the rule -----------------------


def test_increasing_eigenvalues_are_refused_on_the_command_line(capsys):
    assert main([*SIM, "--sigma", "1,2,3,4"]) == 2
    assert capsys.readouterr().err == (
        "asyncmsgd simulate: error: sigma='1,2,3,4' is not allowed: eigenvalues in decreasing "
        "order, l1 > l2 >= ... >= ld > 0 (l1 = 1 < l2 = 2; did you mean 4, 3, 2, 1?)\n"
    )


def test_increasing_eigenvalues_are_refused_in_a_sweep(capsys, here):
    (here / "s.toml").write_text(SMALL.replace("[4, 3, 2, 1]", "[1, 2, 3, 4]"))
    assert main(["sweep", "s.toml"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("asyncmsgd sweep: error: problem.sigma=[1, 2, 3, 4] is not allowed: ")
    assert "decreasing order" in err and "did you mean 4, 3, 2, 1?" in err
    assert not (here / "s.sqlite").exists()


# ---- adaptive: options that do not apply to the chosen mode ---------------------------------


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--problem", "regression", "--sigma", "4,3"],
         "--sigma='4,3' is not allowed: only with --problem pca"),
        (["--method", "adam", "--norm-estimate", "noisy"],
         "--norm-estimate='noisy' is not allowed: only with --method normalized"),
        (["--method", "sgd", "--beta", "0.5"], "--beta=0.5 is not allowed: only with a method"),
        (["--lockfree", "2", "--delay", "ps:2"], "--delay='ps:2' is not allowed: not with"),
    ],
)  # fmt: skip
def test_options_that_do_not_apply_are_refused(capsys, argv, expected):
    assert main(["adaptive", "--steps", "64", "--runs", "2", *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"asyncmsgd adaptive: error: {expected}") and err.count("\n") == 1


def test_options_that_apply_are_accepted(capsys):
    code = main(["adaptive", "--method", "normalized", "--norm-estimate", "ema", "--beta2",
                 "0.95", "--beta", "0.8", "--k0", "50", "--steps", "256", "--runs", "4",
                 "--boot", "20", "--json"])  # fmt: skip
    assert code == 0 and "nu=ema" in json.loads(capsys.readouterr().out)["method"]["spec"]


# ---- results --where mu=abc ------------------------------------------------------------------


def test_where_values_are_checked(capsys, here):
    (here / "ok.toml").write_text(SMALL)
    assert main(["sweep", "ok.toml", "--backend", "serial"]) == 0
    capsys.readouterr()
    assert main(["results", "--store", "ok.sqlite", "--where", "mu=abc"]) == 2
    assert capsys.readouterr().err == (
        "asyncmsgd results: error: --where mu='abc' is not allowed: a momentum in [0, 1), "
        "like 0.9\n"
    )
    # equivalent spellings of a delay find the cells they name
    assert main(["results", "--store", "ok.sqlite", "--where", "delay= Constant"]) == 0
    assert "4 shown" in capsys.readouterr().out


# ---- two sweeps on one store: the work is shared --------------------------------------------

SHARED = """\
[problem]
sigma = [4, 3, 2, 1]

[grid]
mu = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]
eta = 1e-3
tau = [0, 1, 2, 3]

[run]
runs = 20
steps = 40000
"""


def test_two_sweeps_on_one_store_share_the_cells(here):
    (here / "shared.toml").write_text(SHARED)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "asyncmsgd", "sweep", "shared.toml", "--backend", "serial"]
    procs = [
        subprocess.Popen(
            command, cwd=here, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    results = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    computed = [int(out.split(" computed")[0].split()[-1]) for out, _ in results]
    assert sum(computed) == 32  # every cell computed once, by one of them
    if min(computed) > 0:  # they overlapped (the usual case): each was told of the other
        for out, err in results:
            assert "another sweep" in err and "computed by another sweep" in out
    from simulate.store import open_store

    with open_store(here / "shared.sqlite", readonly=True) as store:
        assert store.counts()["done"] == 32 and store.check() == []
        assert store.live_claims() == {}  # both released their claims


# ---- the small ones ---------------------------------------------------------------------------


def test_window_of_one_is_allowed_and_the_rule_says_so():
    from simulate.records import RecordSpec
    from theory.validation import ParameterError

    assert RecordSpec(window=1.0).resolve(100, 4, None).window_count == 100
    with pytest.raises(ParameterError, match=r"window must lie in \(0, 1\]"):
        RecordSpec(window=0.0).resolve(100, 4, None)


def test_pareto_nan_names_the_real_rule(capsys):
    assert main([*SIM, "--delay", "pareto:nan", "--tau", "3"]) == 2
    assert "a finite number > 1" in capsys.readouterr().err


def test_spec_without_run_names_runs_and_steps(capsys, here):
    (here / "s.toml").write_text(SMALL.split("[run]")[0])
    assert main(["sweep", "s.toml"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("asyncmsgd sweep: error: run=None is not allowed: required: a [run]")
    assert "runs" in err and "steps" in err
