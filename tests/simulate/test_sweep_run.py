"""Running sweeps: resume after SIGKILL, skip finished cells, survive failing cells, and give
the same stored bits on every backend (serial, process pool, Dask LocalCluster)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

import simulate.compute
from simulate import Config, RecordSpec
from simulate import simulate as simulate_batch
from simulate.backends import ProcessBackend, SerialBackend
from simulate.cells import Cell
from simulate.compute import run_task
from simulate.runner import cached_results, pack_tasks, run_sweep
from simulate.store import open_store
from simulate.sweep import load_spec, parse_spec
from tests.simulate.conftest import assert_bitwise_equal
from tests.simulate.sweep_helpers import (
    KILL_SPEC_TOML,
    SPEC,
    crash_one,
    crashes,
    fail_mu_08,
    store_rows,
)
from theory.problem import Problem
from theory.validation import ParameterError

ROOT = Path(__file__).resolve().parents[2]
CELLS = parse_spec(SPEC).cells


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> dict[str, tuple]:
    """The serial, uninterrupted sweep: every stored value of every cell."""
    path = tmp_path_factory.mktemp("reference") / "serial.sqlite"
    with open_store(path) as store:
        report = run_sweep(CELLS, store, SerialBackend())
        assert store.check() == []
    assert (report.done, report.failed, report.skipped) == (len(CELLS), 0, 0)
    rows = store_rows(path)
    assert len(rows) == len(CELLS)
    assert any(b'"diverged":3' in row[2].encode() for row in rows.values())  # eta = 0.5 diverges
    return rows


def test_rerun_skips_finished_cells(reference, tmp_path):
    calls: list[str] = []

    def counting(task):
        calls.extend(c.key for c in task.cells)
        return run_task(task)

    path = tmp_path / "s.sqlite"
    with open_store(path) as store:
        first = run_sweep(CELLS[:10], store, compute=counting)
        assert (first.done, first.skipped) == (10, 0)
        second = run_sweep(CELLS, store, compute=counting)
        assert (second.done, second.skipped) == (len(CELLS) - 10, 10)
        third = run_sweep(CELLS, store, compute=counting)
        assert (third.computed, third.skipped) == (0, len(CELLS))
    assert sorted(calls) == sorted(c.key for c in CELLS)  # each cell computed exactly once
    assert store_rows(path) == reference
    with ProcessBackend(2) as backend, open_store(path) as store:
        assert run_sweep(CELLS, store, backend).skipped == len(CELLS)
        assert backend._pool is None  # nothing to do: no worker process was started


def test_order_and_packing_never_change_a_number(reference, tmp_path):
    path = tmp_path / "s.sqlite"
    seen = []
    with open_store(path) as store:
        run_sweep(
            CELLS[::-1],
            store,
            task_work=2e4,  # several cells a task, in reverse order
            progress=lambda cell, outcome: seen.append(cell.key),
        )
    assert sorted(seen) == sorted(c.key for c in CELLS)
    assert store_rows(path) == reference


def test_pack_tasks():
    tasks = pack_tasks(CELLS, 1, task_seconds=0.0)
    assert [t.cells for t in tasks] == [(c,) for c in CELLS]
    tasks = pack_tasks(CELLS, 2, task_work=5e3)
    assert [c for t in tasks for c in t.cells] == list(CELLS)  # all, once, in order
    assert all(sum(c.work for c in t.cells[:-1]) < 5e3 for t in tasks)
    # default: at least four tasks per worker, however small the cells
    assert len(pack_tasks(CELLS, 2, task_seconds=100.0)) >= 8
    assert pack_tasks([], 2) == []


def test_a_failing_cell_is_recorded_and_the_sweep_goes_on(reference, tmp_path, monkeypatch):
    real = simulate.compute.simulate

    def flaky(problem, configs, **kw):
        if configs[0].mu == 0.8 and configs[0].eta == 0.5:
            raise FloatingPointError("injected")
        return real(problem, configs, **kw)

    monkeypatch.setattr(simulate.compute, "simulate", flaky)
    path = tmp_path / "s.sqlite"
    bad = {c.key for c in CELLS if c.params["mu"] == 0.8 and c.params["eta"] == 0.5}
    assert 0 < len(bad) < len(CELLS)
    with open_store(path) as store:
        report = run_sweep(CELLS, store)
        assert report.failed == len(bad) and report.done == len(CELLS) - len(bad)
        assert {c.key for c, _ in report.failures} == bad
        failed = store.query(status="failed")
        assert {r.key for r in failed} == bad
        assert all(r.error.startswith("FloatingPointError: injected (at ") for r in failed)
        # a rerun computes only the failed cells, and then the store equals the reference
        monkeypatch.setattr(simulate.compute, "simulate", real)
        again = run_sweep(CELLS, store)
        assert (again.done, again.failed, again.skipped) == (len(bad), 0, len(CELLS) - len(bad))
    assert store_rows(path) == reference


def test_cached_results_read_through(tmp_path, monkeypatch):
    """What figure 1 / verify call: a batch of configurations (with common random numbers) read
    from the store is bit-for-bit the batch simulate() computes, and a second call computes
    nothing."""
    problem = Problem.from_eigenvalues([4.0, 3.0, 2.0, 1.0])
    configs = Config.grid(mu=[0.5, 0.9], tau=[0, 4], eta=1e-3)
    kw = dict(runs=3, steps=300, seed=2, crn=True, records=RecordSpec(steps=(0, 150, 300)))
    cells = [Cell.from_config(problem, c, **kw) for c in configs]
    direct = simulate_batch(problem, configs, start="e2", **kw)
    with open_store(tmp_path / "s.sqlite") as store:
        first = cached_results(cells, store)
        assert_bitwise_equal(direct, SimpleNamespace(configs=first))

        def forbidden(*args, **kwargs):
            raise AssertionError("recomputed a stored cell")

        monkeypatch.setattr(simulate.compute, "simulate", forbidden)
        again = cached_results(cells[::-1], store)
        assert_bitwise_equal(direct, SimpleNamespace(configs=again[::-1]))
        # a cell that cannot be computed is an error here (nothing to return for it)
        extra = Cell.from_config(problem, Config(0.1, 1e-3, 0), **kw)
        with pytest.raises(ParameterError, match="1 failed: AssertionError"):
            cached_results([extra], store)


def test_processes_backend_is_bit_identical(reference, tmp_path):
    path = tmp_path / "s.sqlite"
    with ProcessBackend(2) as backend, open_store(path) as store:
        report = run_sweep(CELLS, store, backend)
    assert report.done == len(CELLS)
    workers = {row.split(":")[-1] for row in _workers(path)}
    assert str(os.getpid()) not in workers  # really computed elsewhere
    assert store_rows(path) == reference


def test_dask_local_cluster_is_bit_identical(reference, tmp_path):
    pytest.importorskip("distributed")
    from simulate.backends import DaskBackend

    path = tmp_path / "s.sqlite"
    with DaskBackend(workers=2) as backend, open_store(path) as store:
        assert backend.workers == 2
        report = run_sweep(CELLS, store, backend)
    assert report.done == len(CELLS)
    assert len(set(_workers(path))) == 2
    assert store_rows(path) == reference


def _workers(path: Path) -> list[str]:
    with open_store(path, readonly=True) as store:
        return [r.worker for r in store.query()]


def test_failing_tasks_in_worker_processes(reference, tmp_path):
    cells = [c for c in CELLS if c.params["delay"] == "constant"]
    bad = {c.key for c in cells if c.params["mu"] == 0.8}
    with ProcessBackend(2) as backend:
        with open_store(tmp_path / "raises.sqlite") as store:
            report = run_sweep(cells, store, backend, compute=fail_mu_08, task_work=0)
        assert {c.key for c, _ in report.failures} == bad
        assert all("RuntimeError: injected failure" in e for _, e in report.failures)
        rows = store_rows(tmp_path / "raises.sqlite")
        assert {k for k, row in rows.items() if row[0] == "failed"} == bad
        assert {k: v for k, v in rows.items() if k not in bad} == {
            k: reference[k] for k in rows if k not in bad
        }
        # a worker process dies: the pool breaks, the tasks in flight are rerun one at a time
        # in a new pool, and only the task that kills its worker fails
        (dead,) = [c.key for c in cells if crashes(c)]
        with open_store(tmp_path / "crash.sqlite") as store:
            crashed = run_sweep(cells, store, backend, compute=crash_one, task_work=0)
        assert [(c.key, "BrokenProcessPool" in e) for c, e in crashed.failures] == [(dead, True)]
        assert crashed.done == len(cells) - 1
    rows = store_rows(tmp_path / "crash.sqlite")
    assert rows[dead][0] == "failed"
    assert {k: v for k, v in rows.items() if k != dead} == {
        k: reference[k] for k in rows if k != dead
    }


def test_sigkill_then_resume_loses_nothing(tmp_path):
    """Kill the sweep process (SIGKILL, twice, at arbitrary moments), resume, and compare with an
    uninterrupted run: the same cells with the same bits, no duplicate, a sound database."""
    spec = tmp_path / "kill.toml"
    spec.write_text(KILL_SPEC_TOML)
    cells = load_spec(spec).cells
    path = tmp_path / "killed.sqlite"
    command = [sys.executable, "-m", "asyncmsgd", "sweep", str(spec), "--store", str(path),
               "--backend", "serial"]  # fmt: skip
    done_at_kill = []
    for _ in range(2):
        proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE)  # fmt: skip
        target = (done_at_kill[-1] if done_at_kill else 0) + 3
        try:
            done = _wait_for_cells(path, target, proc)
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        assert proc.returncode == -signal.SIGKILL
        assert done < len(cells), "the sweep finished before it could be killed"
        done_at_kill.append(done)
    with open_store(path) as store:
        assert store.check() == []
        kept = store.counts()["done"]
        assert kept >= done_at_kill[-1]
        report = run_sweep(cells, store)
        assert (report.skipped, report.done, report.failed) == (kept, len(cells) - kept, 0)
    reference = tmp_path / "reference.sqlite"
    with open_store(reference) as store:
        run_sweep(cells, store)
    assert store_rows(path) == store_rows(reference)
    with open_store(path, readonly=True) as store:
        assert store.check() == []
        assert len(store.query()) == len(cells)


def _wait_for_cells(path: Path, target: int, proc: subprocess.Popen, timeout: float = 60) -> int:
    """Poll the store (read-only, as any reader may) until it holds ``target`` done cells."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the sweep exited early: {proc.stderr.read().decode()}")
        if path.exists():
            try:
                with open_store(path, readonly=True) as store:
                    done = store.counts()["done"]
            except Exception:  # the writer may be creating the schema
                done = 0
            if done >= target:
                return done
        time.sleep(0.02)
    pytest.fail(f"fewer than {target} cells after {timeout} s")
