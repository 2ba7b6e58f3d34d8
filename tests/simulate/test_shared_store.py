"""Several sweeps on one store: claims, their expiry and release, and the runner's sharing."""

from __future__ import annotations

import os
import socket
import sqlite3
import threading
import time

import pytest

import simulate.runner
from simulate.backends import ProcessBackend, SerialBackend
from simulate.compute import Task, run_task
from simulate.runner import run_sweep
from simulate.store import new_owner, open_store, owner_alive
from simulate.sweep import parse_spec
from tests.simulate.sweep_helpers import SPEC, store_rows

CELLS = parse_spec(SPEC).cells[:12]


def _other_owner() -> str:
    """An owner id of a live process other than this one (this one's parent)."""
    return f"{socket.gethostname()}:{os.getppid()}:?:other"


def test_owner_ids_and_liveness():
    me = new_owner()
    assert owner_alive(me) and owner_alive(_other_owner())
    host = socket.gethostname()
    assert not owner_alive(f"{host}:999999999:?:dead")  # no such process
    assert owner_alive("elsewhere.example:1:?:x")  # another host: only the lease decides
    assert owner_alive("not an owner id")


def test_claims_in_one_transaction(tmp_path):
    keys = [c.key for c in CELLS[:4]]
    with open_store(tmp_path / "s.sqlite") as store:
        a, b = new_owner(), _other_owner()
        got = store.claim(keys[:2], b)
        assert got.mine == keys[:2]
        found = store.claim(keys, a)
        assert found.mine == keys[2:] and set(found.busy) == set(keys[:2])
        assert set(found.busy.values()) == {b}
        assert store.live_claims(exclude=a) == {b: 2}
        # storing a cell releases its claim; a done cell is never claimed again
        store.put([(CELLS[2], run_task(Task((CELLS[2],)))[0])], a)
        assert store.claim([keys[2]], a).done == [keys[2]]
        store.release(b)
        assert store.claim(keys[:2], a).mine == keys[:2]
        store.release(a)
        assert store.live_claims() == {}


def test_expired_and_dead_claims_are_taken_over(tmp_path):
    keys = [c.key for c in CELLS[:3]]
    host = socket.gethostname()
    with open_store(tmp_path / "s.sqlite") as store:
        store.claim(keys[:1], _other_owner(), lease=-1.0)  # already expired
        store.claim(keys[1:2], f"{host}:999999999:?:dead")  # its process is gone
        store.claim(keys[2:], _other_owner())  # live
        found = store.claim(keys, new_owner())
    assert found.mine == keys[:2] and list(found.busy) == keys[2:]


def test_heartbeat_renews_then_releases(tmp_path):
    path = tmp_path / "s.sqlite"
    with open_store(path) as store:
        owner = new_owner()
        with store.heartbeat(owner, lease=0.4):
            store.claim([CELLS[0].key], owner, lease=0.4)
            time.sleep(0.7)  # beyond the first lease: renewed meanwhile
            with sqlite3.connect(path) as conn:
                (expires,) = conn.execute("SELECT expires FROM claims").fetchone()
            assert expires > time.time()
        assert store.live_claims() == {}


def test_a_sweep_leaves_cells_held_by_another_and_waits_for_them(tmp_path, monkeypatch):
    """Cells claimed by another live sweep are not computed here; when that sweep stores them,
    they count as done elsewhere; when it gives one up, this sweep computes it."""
    monkeypatch.setattr(simulate.runner, "SHARE_POLL", 0.05)
    path = tmp_path / "s.sqlite"
    other = _other_owner()
    held = CELLS[:3]
    with open_store(path) as store:
        store.claim([c.key for c in held], other)

    def the_other_sweep() -> None:
        time.sleep(0.3)
        with open_store(path) as s:
            outcomes = run_task(Task(tuple(held[:2])))
            s.put(list(zip(held[:2], outcomes, strict=True)), other)
            s.release(other)  # gives up the third

    thread = threading.Thread(target=the_other_sweep)
    thread.start()
    seen, notices = [], []
    with open_store(path) as store:
        report = run_sweep(CELLS, store, SerialBackend(), elsewhere=lambda c, ok: seen.append(ok),
                           notice=notices.append)  # fmt: skip
    thread.join()
    assert (report.done, report.done_elsewhere, report.failed) == (len(CELLS) - 2, 2, 0)
    assert seen == [True, True] and report.shared_with == {other}
    assert len(notices) == 1 and "another sweep" in notices[0]
    with open_store(path) as store:
        assert store.counts()["done"] == len(CELLS) and store.live_claims() == {}
        assert store.check() == []


def test_a_sweep_that_fails_releases_its_claims(tmp_path):
    def boom(task):
        raise KeyboardInterrupt

    with open_store(tmp_path / "s.sqlite") as store:
        with pytest.raises(KeyboardInterrupt):
            run_sweep(CELLS, store, compute=boom)
        assert store.live_claims() == {}


def test_shared_results_are_the_same_bits(tmp_path):
    """Two sweeps on one store (two connections) give the store one sweep alone gives."""
    alone, shared = tmp_path / "alone.sqlite", tmp_path / "shared.sqlite"
    with open_store(alone) as store:
        run_sweep(CELLS, store)
    with open_store(shared) as a, open_store(shared) as b:
        first = run_sweep(CELLS[::2], a)
        second = run_sweep(CELLS, b)
    assert first.done + second.done == len(CELLS) and second.skipped == first.done
    assert store_rows(shared) == store_rows(alone)


def test_backends_pull_their_tasks_lazily():
    """A pool takes the next task only when a worker is free (at most 2 x workers ahead), so
    that tasks can be claimed just in time."""
    pulled = []

    def tasks():
        for i in range(6):
            pulled.append(i)
            yield Task((CELLS[i],))

    with ProcessBackend(1) as backend:
        it = backend.map_unordered(run_task, tasks())
        next(it)
        assert len(pulled) <= 3  # two in flight and one to replace the finished one
        rest = list(it)
    assert len(rest) == 5 and pulled == list(range(6))
    assert list(SerialBackend().map_unordered(run_task, iter(()))) == []
    with ProcessBackend(1) as backend:
        assert list(backend.map_unordered(run_task, iter(()))) == []
        assert backend._pool is None  # nothing to do: no pool


def test_a_cell_failed_by_the_other_sweep_is_reported(tmp_path, monkeypatch):
    """While this sweep waits for it, the other sweep fails a cell: it is reported as failed
    there (and not computed again here); cached_results raises, naming it."""
    from simulate.outcome import Outcome
    from simulate.runner import cached_results
    from theory.validation import ParameterError

    monkeypatch.setattr(simulate.runner, "SHARE_POLL", 0.05)
    path = tmp_path / "s.sqlite"
    other, cell = _other_owner(), CELLS[0]
    with open_store(path) as store:
        store.claim([cell.key], other)

    def fail_it() -> None:
        time.sleep(1.2)  # the store's times are whole seconds: later than this sweep's start
        with open_store(path) as s:
            s.put([(cell, Outcome(cell.key, False, None, None, "boom", 0.0, None, "x"))], other)
            s.release(other)

    thread = threading.Thread(target=fail_it)
    thread.start()
    with open_store(path) as store, pytest.raises(ParameterError, match="failed in another"):
        cached_results(CELLS[:2], store)
    thread.join()
