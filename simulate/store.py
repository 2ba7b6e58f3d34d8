"""The sweep result store: one SQLite file, written by one process, read by anyone.

Why SQLite: it is in the standard library (no pyarrow), one file holds the whole sweep, queries
need no manifest, and each write is an ACID transaction. An interrupted transaction leaves no
trace, so a killed sweep resumes with no lost, duplicated or half-written cell: a cell's row
exists completely or not at all, and the cell key is the primary key. WAL mode lets readers
(``asyncmsgd results``, figures) read while a sweep writes. ``synchronous=NORMAL``: a committed
cell survives the writer being killed (SIGKILL; the WAL is then in the operating system's hands),
and after a power cut the database is still consistent, at worst without the last commits,
which a rerun recomputes; it costs ~0.2 ms a commit where ``FULL``'s fsync costs ~5 ms here.
Only a sweep's parent process writes; workers return their outcomes to it
(:mod:`simulate.runner`).

Several sweeps may run on one store at once (two ``asyncmsgd sweep`` commands, a figure and a
report): they share the work through *claims*. Before computing a task a sweep claims its cells
in one transaction (a row per cell in the ``claims`` table: owner and expiry); a cell done, or
claimed by another live sweep, is not claimed again. Storing a cell releases its claim (failed
cells too); a sweep releases the rest when it ends, however it ends, and renews its claims while
it runs (:meth:`Store.heartbeat`). The claims of a sweep that was killed expire after
:data:`CLAIM_LEASE` seconds, or at once when its process is known to be gone (same host).

One row per cell: its key (:func:`simulate.cells.cell_key`), status ``done`` or ``failed``, the
canonical parameters (JSON) with the common ones copied into columns for queries, the summary
(JSON, NaN as null), the per-run arrays (an uncompressed ``.npz`` blob written deterministically,
so equal arrays give equal bytes), a sha256 digest of summary and arrays, or the error of a failed
cell, and provenance (engine used, worker, seconds, time). A done cell is never overwritten; a
failed one is replaced when a rerun computes it.

Python API::

    from simulate.store import open_store
    with open_store("sweep.sqlite", readonly=True) as store:
        for rec in store.query(mu=0.9, tau=[0, 10]):
            rec.params, rec.summary["error_mean"], rec.arrays()["final_error"]
        rec = store.lookup(Cell.from_config(problem, config, runs=100, steps=20_000, seed=0))
        rec.config_result()   # a simulate.records.ConfigResult, as simulate() returns it
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
import secrets
import socket
import sqlite3
import threading
import time
import urllib.request
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from simulate.cells import Cell, canonical_json, cell_key
from simulate.names import ENGINE_VERSION, STORE_FILTERS, STORE_PARAM_COLUMNS, STORE_STATUSES
from simulate.outcome import Outcome
from simulate.records import ConfigResult, DelayStats
from theory.validation import ParameterError

STORE_FORMAT = "1"
STATUSES = STORE_STATUSES
# Parameter columns (copied from the canonical JSON) that query() may filter on, and every
# filter (simulate.names holds them, for the command line).
PARAM_COLUMNS = STORE_PARAM_COLUMNS
FILTERS = STORE_FILTERS

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cells (
    key TEXT PRIMARY KEY,
    engine_version TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('done', 'failed')),
    mu REAL NOT NULL,
    eta REAL NOT NULL,
    delay TEXT NOT NULL,
    tau REAL,
    distribution TEXT NOT NULL,
    start TEXT NOT NULL,
    steps INTEGER NOT NULL,
    runs INTEGER NOT NULL,
    seed INTEGER NOT NULL,
    crn INTEGER NOT NULL,
    normalize INTEGER NOT NULL,
    max_delay INTEGER,
    d INTEGER NOT NULL,
    eigenvalues TEXT NOT NULL,
    params TEXT NOT NULL,
    summary TEXT,
    arrays BLOB,
    digest TEXT,
    error TEXT,
    elapsed REAL,
    engine TEXT,
    worker TEXT,
    updated TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS cells_by_parameters ON cells (mu, eta, tau, delay);
CREATE TABLE IF NOT EXISTS claims (
    key TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    expires REAL NOT NULL
);
"""
_TABLES = {"meta", "cells", "claims"}
# Seconds a claim lives without renewal (a running sweep renews it every quarter of this).
CLAIM_LEASE = 60.0
# SQLite's limit on ? parameters per statement is 999 in old builds.
_BATCH = 500
_COLUMNS: tuple[str, ...] = (
    "key",
    "engine_version",
    "status",
    *PARAM_COLUMNS,
    "params",
    "summary",
    "arrays",
    "digest",
    "error",
    "elapsed",
    "engine",
    "worker",
    "updated",
)
# Insert, or replace a failed row; a done row is final (recomputing it gives the same bits).
_UPSERT = (
    f"INSERT INTO cells ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))}) "
    "ON CONFLICT(key) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in _COLUMNS if c != "key")
    + " WHERE cells.status <> 'done'"
)
_ORDER = "distribution, start, delay, normalize, max_delay, steps, mu, eta, tau, runs, seed, key"
_RECORD_COLUMNS = [c for c in _COLUMNS if c != "arrays"]


# ---- encodings ---------------------------------------------------------------------------


def json_safe(x: object) -> object:
    """NaN/inf as None and NumPy scalars/arrays as Python values, recursively."""
    if isinstance(x, float | np.floating):
        x = float(x)
        return x if math.isfinite(x) else None
    if isinstance(x, np.integer | np.bool_):
        return x.item()
    if isinstance(x, np.ndarray):
        return json_safe(x.tolist())
    if isinstance(x, dict):
        return {str(k): json_safe(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [json_safe(v) for v in x]
    return x


def canonical_summary(summary: dict[str, object]) -> str:
    """A summary as canonical JSON text (strict JSON: NaN becomes null)."""
    return canonical_json(json_safe(summary))


def encode_arrays(arrays: dict[str, np.ndarray]) -> bytes:
    """An uncompressed ``.npz`` (``numpy.load`` reads it) with fixed timestamps and order, so
    that equal arrays always give equal bytes (``numpy.savez`` stamps the current time)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as zf:
        for name in sorted(arrays):
            member = io.BytesIO()
            np.lib.format.write_array(member, np.asarray(arrays[name]), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            zf.writestr(info, member.getvalue())
    return buf.getvalue()


def decode_arrays(blob: bytes) -> dict[str, np.ndarray]:
    with np.load(io.BytesIO(blob), allow_pickle=False) as z:
        return {name: z[name] for name in z.files}


def digest(summary: str, arrays: bytes) -> str:
    """sha256 of a done cell's stored values (summary and arrays)."""
    h = hashlib.sha256(summary.encode())
    h.update(b"\0")
    h.update(arrays)
    return h.hexdigest()


# ---- records -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CellRecord:
    """One stored cell. ``arrays()`` loads the per-run arrays on demand (they may be large)."""

    key: str
    status: str
    engine_version: str
    params_json: str
    summary_json: str | None
    digest: str | None
    error: str | None
    elapsed: float | None
    engine: str | None
    worker: str | None
    updated: str
    _store: Store = field(repr=False, compare=False)

    @property
    def params(self) -> dict[str, Any]:
        return json.loads(self.params_json)

    @property
    def summary(self) -> dict[str, Any] | None:
        return None if self.summary_json is None else json.loads(self.summary_json)

    @property
    def cell(self) -> Cell:
        return Cell(self.params_json, self.key)

    def arrays(self) -> dict[str, np.ndarray]:
        """The per-run arrays (see :func:`simulate.compute.result_arrays`); {} if failed."""
        return self._store.arrays(self.key)

    def config_result(self) -> ConfigResult:
        """The cell as the :class:`ConfigResult` that ``simulate`` returned for it."""
        if self.status != "done":
            raise ParameterError("cell", self.key, "a done cell", f"it failed: {self.error}")
        a = self.arrays()
        return ConfigResult(
            config=self.cell.config(),
            cap=int(a["cap"]),
            final_h=a["final_h"],
            final_error=a["final_error"],
            final_misalignment=a["final_misalignment"],
            error_at=a["error_at"],
            misalignment_at=a["misalignment_at"],
            h_at=a.get("h_at"),
            stationary_error=a["stationary_error"],
            stationary_misalignment=a["stationary_misalignment"],
            escape_step=a["escape_step"],
            convergence_step=a["convergence_step"],
            eps_step=a["eps_step"],
            diverged=a["diverged"],
            diverged_step=a["diverged_step"],
            delays=DelayStats(
                mean=a["delay_mean"],
                max=a["delay_max"],
                quantiles=a["delay_quantiles"],
                truncated=a["delay_truncated"],
                pooled=a["delay_pooled"],
            ),
        )


# ---- the store ---------------------------------------------------------------------------


class Store:
    """A sweep store on disk. Use :func:`open_store`; close it (or use ``with``) when done."""

    def __init__(self, path: str | Path, *, readonly: bool = False) -> None:
        self.path = Path(path)
        self.readonly = readonly
        self._eigen_cache: dict[str, str] = {}
        if self.path.is_dir():
            raise ParameterError(
                "store", str(self.path), "a store file (SQLite), not a folder: give a file name"
            )
        try:
            if readonly:
                if not self.path.is_file():
                    raise ParameterError(
                        "store", str(self.path), "an existing store (run asyncmsgd sweep first)"
                    )
                uri = f"file:{urllib.request.pathname2url(str(self.path.resolve()))}?mode=ro"
                self._conn = sqlite3.connect(uri, uri=True, timeout=30.0, isolation_level=None)
            else:
                if self.path.parent and not self.path.parent.is_dir():
                    raise ParameterError("store", str(self.path), "a path in an existing folder")
                self._conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
        except sqlite3.Error as exc:  # e.g. no permission to create or read the file
            raise ParameterError(
                "store", str(self.path), "a store file this process can open", str(exc)
            ) from None
        try:
            self._setup()
        except sqlite3.DatabaseError as exc:
            self._conn.close()
            if "locked" in str(exc):
                allowed = "a store no other process keeps locked (it was locked for 30 s)"
            else:
                allowed = "a sweep store (SQLite) written by asyncmsgd sweep"
            raise ParameterError("store", str(self.path), allowed, str(exc)) from None

    def _setup(self) -> None:
        if not self.readonly:
            with self._transaction():  # the schema appears whole or not at all
                tables = {
                    name
                    for (name,) in self._conn.execute(
                        "SELECT name FROM sqlite_master WHERE type = 'table'"
                    )
                }
                if tables - _TABLES:
                    # never add our tables to somebody else's database
                    raise sqlite3.DatabaseError("it holds other tables: not a sweep store")
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        self._conn.execute(statement)
                self._conn.execute(
                    "INSERT OR IGNORE INTO meta (name, value) VALUES ('format', ?)",
                    (STORE_FORMAT,),
                )
            # WAL (kept in the file): readers never block the writer; NORMAL: module docstring
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
        row = self._conn.execute("SELECT value FROM meta WHERE name = 'format'").fetchone()
        if row is None or row[0] != STORE_FORMAT:
            found = None if row is None else row[0]
            raise sqlite3.DatabaseError(
                f"store format {found}, this version reads format {STORE_FORMAT}"
            )

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """BEGIN IMMEDIATE ... COMMIT (ROLLBACK on error): all of a batch, or none of it."""
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing --

    def put(self, items: Sequence[tuple[Cell, Outcome]], owner: str | None = None) -> None:
        """Store several cells' outcomes in one transaction (failed cells with their error),
        releasing ``owner``'s claims on them in the same transaction."""
        if self.readonly:
            raise ParameterError("store", str(self.path), "a store opened for writing")
        now = datetime.now(UTC).isoformat(timespec="seconds")
        rows = [self._row(cell, outcome, now) for cell, outcome in items]
        with self._transaction():
            self._conn.executemany(_UPSERT, rows)
            if owner is not None:
                self._conn.executemany(
                    "DELETE FROM claims WHERE key = ? AND owner = ?",
                    [(cell.key, owner) for cell, _ in items],
                )

    # -- claims (several sweeps on one store share the work; see the module docstring) --

    def claim(
        self,
        keys: Sequence[str],
        owner: str,
        *,
        since: str | None = None,
        take: bool = True,
        lease: float = CLAIM_LEASE,
    ) -> Claim:
        """Sort ``keys`` into done, failed since ``since`` (an ISO time: by another sweep
        during this one), busy (claimed by another live sweep) and mine; with ``take``, claim
        the last ones for ``owner`` for ``lease`` seconds, all in one transaction."""
        if self.readonly:
            raise ParameterError("store", str(self.path), "a store opened for writing")
        result = Claim()
        now = time.time()
        alive: dict[str, bool] = {}
        with self._transaction():
            for lo in range(0, len(keys), _BATCH):
                batch = list(keys[lo : lo + _BATCH])
                marks = ", ".join("?" * len(batch))
                status = {
                    k: (st, up)
                    for k, st, up in self._conn.execute(
                        f"SELECT key, status, updated FROM cells WHERE key IN ({marks})", batch
                    )
                }
                claims = {
                    k: (o, e)
                    for k, o, e in self._conn.execute(
                        f"SELECT key, owner, expires FROM claims WHERE key IN ({marks})", batch
                    )
                }
                for key in batch:
                    st, updated = status.get(key, (None, ""))
                    if st == "done":
                        result.done.append(key)
                        continue
                    if st == "failed" and since is not None and updated >= since:
                        result.failed.append(key)
                        continue
                    other, expires = claims.get(key, (owner, 0.0))
                    if other != owner and expires > now:
                        if other not in alive:
                            alive[other] = owner_alive(other)
                        if alive[other]:
                            result.busy[key] = other
                            continue
                    result.mine.append(key)
            if take and result.mine:
                self._conn.executemany(
                    "INSERT INTO claims (key, owner, expires) VALUES (?, ?, ?) ON CONFLICT(key) "
                    "DO UPDATE SET owner = excluded.owner, expires = excluded.expires",
                    [(k, owner, now + lease) for k in result.mine],
                )
        return result

    def release(self, owner: str) -> None:
        """Drop every claim of ``owner`` (a sweep that ends, however it ends)."""
        with self._transaction():
            self._conn.execute("DELETE FROM claims WHERE owner = ?", (owner,))

    def live_claims(self, exclude: str | None = None) -> dict[str, int]:
        """owner -> number of cells it holds, for the claims of live sweeps (not ``exclude``)."""
        rows = self._conn.execute(
            "SELECT owner, COUNT(*) FROM claims WHERE expires > ? GROUP BY owner", (time.time(),)
        )
        return {o: n for o, n in rows if o != exclude and owner_alive(o)}

    @contextmanager
    def heartbeat(self, owner: str, lease: float = CLAIM_LEASE) -> Iterator[None]:
        """Renew ``owner``'s claims every lease / 4 seconds (a thread with its own connection)
        while the block runs, so that a long cell never loses its claim; release them all
        when the block ends."""
        stop = threading.Event()

        def renew() -> None:
            conn = sqlite3.connect(self.path, timeout=lease / 4, isolation_level=None)
            try:
                while not stop.wait(lease / 4):
                    # busy (another writer for lease / 4 seconds): the next beat will do
                    with suppress(sqlite3.OperationalError):
                        conn.execute(
                            "UPDATE claims SET expires = ? WHERE owner = ?",
                            (time.time() + lease, owner),
                        )
            finally:
                conn.close()

        thread = threading.Thread(target=renew, name="store-heartbeat", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()
            self.release(owner)

    def _row(self, cell: Cell, outcome: Outcome, now: str) -> tuple[object, ...]:
        if outcome.key != cell.key:
            raise ValueError(f"outcome for {outcome.key} stored under {cell.key}")
        p = cell.params
        ok = outcome.ok and outcome.summary is not None and outcome.arrays is not None
        values = {
            "key": cell.key,
            "engine_version": ENGINE_VERSION,
            "status": "done" if ok else "failed",
            **self._param_columns(p),
            "params": cell.params_json,
            "summary": outcome.summary if ok else None,
            "arrays": outcome.arrays if ok else None,
            "digest": digest(outcome.summary, outcome.arrays) if ok else None,  # type: ignore[arg-type]
            "error": None if ok else (outcome.error or "unknown error"),
            "elapsed": outcome.elapsed,
            "engine": outcome.engine,
            "worker": outcome.worker,
            "updated": now,
        }
        return tuple(values[c] for c in _COLUMNS)

    def _param_columns(self, p: dict[str, Any]) -> dict[str, object]:
        sigma = canonical_json(p["sigma"])
        if sigma not in self._eigen_cache:
            eig = Cell.from_params(p).problem().eigenvalues
            self._eigen_cache[sigma] = canonical_json([float(x) for x in eig])
        return {
            "mu": p["mu"],
            "eta": p["eta"],
            "delay": p["delay"],
            "tau": p["tau"],
            "distribution": p["distribution"],
            "start": _start_text(p["start"]),
            "steps": p["steps"],
            "runs": p["runs"],
            "seed": seed_column(p["seed"]),
            "crn": int(p["crn"]),
            "normalize": int(p["normalize"]),
            "max_delay": p["max_delay"],
            "d": len(p["sigma"]),
            "eigenvalues": self._eigen_cache[sigma],
        }

    # -- reading --

    def statuses(self) -> dict[str, str]:
        """key -> status of every cell of the current engine version."""
        rows = self._conn.execute(
            "SELECT key, status FROM cells WHERE engine_version = ?", (ENGINE_VERSION,)
        )
        return dict(rows.fetchall())

    def counts(self) -> dict[str, int]:
        """Number of cells by status (current engine version), plus ``stale`` (older ones)."""
        out = dict.fromkeys(STATUSES, 0)
        for version, status, n in self._conn.execute(
            "SELECT engine_version, status, COUNT(*) FROM cells GROUP BY engine_version, status"
        ):
            if version == ENGINE_VERSION:
                out[status] = n
            else:
                out["stale"] = out.get("stale", 0) + n
        return out

    def get(self, key: str) -> CellRecord | None:
        rows = self._select("key = ?", [key])
        return rows[0] if rows else None

    def lookup(self, cell: Cell) -> CellRecord | None:
        """The stored cell with exactly these parameters (and this engine version), if any."""
        return self.get(cell.key)

    def query(
        self,
        *,
        status: str | None = "done",
        engine_version: str | None = ENGINE_VERSION,
        **filters: object,
    ) -> list[CellRecord]:
        """Cells whose columns equal the given values (a list means any of them; floats match
        exactly, as written in the spec). ``status=None`` / ``engine_version=None``: any.

        Filters: mu, eta, delay (e.g. "constant", "ps:4"), tau, distribution, start, steps,
        runs, seed, crn, normalize, max_delay, d, eigenvalues (a list), key (or a prefix).
        """
        where, args = [], []
        if status is not None:
            filters["status"] = status
        if engine_version is not None:
            filters["engine_version"] = engine_version
        for name, value in filters.items():
            if name not in FILTERS:
                raise ParameterError(name, value, "a filter among " + ", ".join(FILTERS))
            values = _filter_values(name, value)
            if values == [None]:
                where.append(f"{name} IS NULL")
            elif name == "key":  # a prefix, as the table prints it (keys are hex: no wildcards)
                where.append("(" + " OR ".join("key LIKE ?" for _ in values) + ")")
                args += [f"{v}%" for v in values]
            else:
                where.append(f"{name} IN ({', '.join('?' * len(values))})")
                args += values
        return self._select(" AND ".join(where) or "1", args)

    def _select(self, where: str, args: list[object]) -> list[CellRecord]:
        sql = f"SELECT {', '.join(_RECORD_COLUMNS)} FROM cells WHERE {where} ORDER BY {_ORDER}"
        out = []
        for row in self._conn.execute(sql, args):
            r = dict(zip(_RECORD_COLUMNS, row, strict=True))
            out.append(
                CellRecord(
                    key=r["key"],
                    status=r["status"],
                    engine_version=r["engine_version"],
                    params_json=r["params"],
                    summary_json=r["summary"],
                    digest=r["digest"],
                    error=r["error"],
                    elapsed=r["elapsed"],
                    engine=r["engine"],
                    worker=r["worker"],
                    updated=r["updated"],
                    _store=self,
                )
            )
        return out

    def arrays(self, key: str) -> dict[str, np.ndarray]:
        row = self._conn.execute("SELECT arrays FROM cells WHERE key = ?", (key,)).fetchone()
        if row is None or row[0] is None:
            return {}
        return decode_arrays(row[0])

    def check(self) -> list[str]:
        """Integrity problems, if any: SQLite's own check, then every row's key (it must be the
        hash of its parameters), digest and arrays. An empty list means a sound store."""
        problems = [
            f"sqlite: {msg}"
            for (msg,) in self._conn.execute("PRAGMA integrity_check")
            if msg != "ok"
        ]
        rows = self._conn.execute(
            "SELECT key, engine_version, status, params, summary, arrays, digest FROM cells"
        )
        for key, version, status, params, summary, blob, dig in rows:
            if cell_key(params, version) != key:
                problems.append(f"{key}: key is not the hash of its parameters")
            if status != "done":
                continue
            if summary is None or blob is None or digest(summary, blob) != dig:
                problems.append(f"{key}: digest mismatch (summary or arrays altered)")
                continue
            try:
                decode_arrays(blob)
            except (ValueError, OSError, zipfile.BadZipFile) as exc:
                problems.append(f"{key}: unreadable arrays ({exc})")
        return problems


@dataclass
class Claim:
    """What :meth:`Store.claim` found for each key."""

    mine: list[str] = field(default_factory=list)  # claimed (or claimable) by this sweep
    done: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # failed since the sweep began
    busy: dict[str, str] = field(default_factory=dict)  # key -> the live sweep holding it


def _process_start(pid: int) -> str:
    """The start time of a process (Linux: /proc/PID/stat field 22), '?' when unknown; 'Z'
    for a zombie (dead, not yet reaped)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return "?"
    return "Z" if fields[0] == "Z" else fields[19]


def new_owner() -> str:
    """An id for one sweep: host, pid, process start time and a random part."""
    pid = os.getpid()
    return f"{socket.gethostname()}:{pid}:{_process_start(pid)}:{secrets.token_hex(4)}"


def owner_alive(owner: str) -> bool:
    """False when the owner's process is known to be gone (same host: no such pid, a zombie,
    or a pid reused by a later process); True otherwise (another host: trust the lease)."""
    try:
        host, pid_text, start, _ = owner.rsplit(":", 3)
        pid = int(pid_text)
    except ValueError:
        return True
    if host != socket.gethostname():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists (another user's)
        return True
    now = _process_start(pid)
    return now != "Z" and (start == "?" or now in ("?", start))


def describe_owner(owner: str) -> str:
    """'pid 123 on host' for messages."""
    try:
        host, pid, _, _ = owner.rsplit(":", 3)
    except ValueError:
        return owner
    return f"pid {pid} on {host}"


def _start_text(start: object) -> str:
    return start if isinstance(start, str) else canonical_json(start)


def seed_column(seed: int) -> int | str:
    """A root seed as the ``seed`` column holds it. SQLite's INTEGER is signed 64-bit, and
    seeds spawned by SeedSequence are 64-bit unsigned (half of them >= 2^63, which SQLite
    cannot take): those are stored in two's complement, negative (no seed is negative), and a
    seed of 2^64 or more as text. The true seed is always in the cell's parameters."""
    seed = int(seed)
    if seed < 2**63:
        return seed
    if seed < 2**64:
        return seed - 2**64
    return f"seed:{seed}"


def _filter_values(name: str, value: object) -> list[object]:
    """A filter's value(s) as stored in the column."""
    if name == "eigenvalues":
        return [canonical_json([float(x) for x in value])]  # type: ignore[attr-defined]
    if (
        name == "start"
        and isinstance(value, list | tuple)
        and value
        and not isinstance(value[0], str)
    ):
        return [canonical_json([float(x) for x in value])]
    values = list(value) if isinstance(value, list | tuple | set | frozenset) else [value]
    out: list[object] = []
    for v in values:
        if isinstance(v, bool | np.bool_):
            v = int(v)
        elif isinstance(v, np.generic):
            v = v.item()
        if name in ("delay", "distribution", "start") and isinstance(v, str):
            v = v.strip().lower()
        if name == "seed" and isinstance(v, int) and v >= 0:
            v = seed_column(v)
        out.append(v)
    return out


def open_store(path: str | Path, *, readonly: bool = False) -> Store:
    """Open (and for writing, create) a sweep store. ``readonly=True`` never creates a file and
    may be used while a sweep is writing."""
    return Store(path, readonly=readonly)
