"""Where a sweep's tasks run: in this process, in a local process pool, or on Dask.

Every backend offers one operation, :meth:`Backend.map_unordered`: apply a module-level function
to each item and yield ``(index, result)`` as results arrive, where a task that raised yields its
exception instead (the caller records it; one bad task never stops the others). At most
``2 x workers`` tasks are in flight, so progress is timely, memory stays bounded, and a stop
(Ctrl-C, SIGKILL) loses at most that much work. Backends only compute: the caller, in the
parent process, is the only writer of the store.

* :class:`SerialBackend`: a plain loop (no pickling; debugging, tiny sweeps).
* :class:`ProcessBackend`: ``concurrent.futures.ProcessPoolExecutor`` with the *spawn* start
  method (no state inherited through fork: safe with threads, Numba and SQLite handles, and the
  same on Linux, macOS and Windows). If a worker dies (the pool breaks), the tasks that were in
  flight are rerun one at a time in a fresh pool, so that only the task that kills a worker on
  its own is reported as failed (with BrokenProcessPool), and the others complete. If the
  parent dies (SIGKILL), its workers exit within a second instead of lingering: they hold both
  ends of the pool's pipe, so they would never see it close.
* :class:`DaskBackend`: ``dask.distributed`` (the optional extra ``dask``): a ``LocalCluster``
  of single-threaded worker processes, or an existing cluster by scheduler address. Dask itself
  reschedules the tasks of a lost worker.

Numbers never depend on the backend: tasks are pure functions of the cells they carry.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import re
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from simulate.names import BACKENDS, DASK_HINT
from simulate.resources import available_cpus
from theory.validation import ParameterError, check_positive_int

# BACKENDS, DASK_HINT (simulate.names) and available_cpus (simulate.resources) live in
# standard-library leaf modules for the command line; re-exported here.
__all__ = [
    "BACKENDS",
    "DASK_HINT",
    "Backend",
    "DaskBackend",
    "ProcessBackend",
    "SerialBackend",
    "available_cpus",
    "check_scheduler_address",
    "make_backend",
]

T = TypeVar("T")
SCHEDULER_HELP = "the address of a running Dask scheduler, like tcp://host:8786 or host:8786"
# scheme://host:port (tcp, tls, ws, wss, ucx) or host:port; inproc:// addresses have no port
_ADDRESS = re.compile(
    r"((tcp|tls|ws|wss|ucx)://)?(\[[0-9a-fA-F:.]+\]|[\w.-]+):\d{1,5}"  # [scheme://]host:port
    r"|inproc://\S+"
)


def check_scheduler_address(address: str) -> str:
    """A Dask scheduler address as Dask parses it (checked before anything is started)."""
    text = address.strip() if isinstance(address, str) else address
    if not isinstance(text, str) or not _ADDRESS.fullmatch(text):
        raise ParameterError("scheduler", address, SCHEDULER_HELP)
    port = re.search(r":(\d+)$", text)
    if port and not 0 < int(port.group(1)) < 65536:
        raise ParameterError("scheduler", address, SCHEDULER_HELP + " (port 1..65535)")
    return text


class Backend(ABC):
    """Runs tasks; use as a context manager so that pools and clusters are shut down."""

    name: str = ""
    workers: int = 1
    # Nominal seconds of work per task: enough to hide the per-task overhead (pickling, IPC,
    # scheduling). In-process, a task costs nothing, so each cell is its own task (and is
    # stored as soon as it is done).
    task_seconds: float = 0.0

    @abstractmethod
    def map_unordered(
        self, fn: Callable[[T], Any], items: Iterable[T]
    ) -> Iterator[tuple[int, Any]]:
        """Yield (index, fn(item) or the exception it raised), in completion order; index is
        the item's position in ``items``. ``items`` may be a lazy iterable: it is pulled only
        as workers free up (at most 2 x workers in flight), so its items may be made (or, in
        a shared sweep, claimed) just in time."""

    def start(self) -> None:  # noqa: B027 (optional hook: nothing to start by default)
        """Start the workers now (so that ``workers`` is known before tasks are packed)."""

    def close(self) -> None:  # noqa: B027 (optional hook: nothing to release by default)
        """Release workers (idempotent)."""

    def describe(self) -> str:
        return f"{self.name} ({self.workers} worker{'s' if self.workers != 1 else ''})"

    def __enter__(self) -> Backend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class SerialBackend(Backend):
    name = "serial"

    def map_unordered(
        self, fn: Callable[[T], Any], items: Iterable[T]
    ) -> Iterator[tuple[int, Any]]:
        for i, item in enumerate(items):
            try:
                result: Any = fn(item)
            except Exception as exc:
                result = exc
            yield i, result


def _exit_with_parent(parent: int) -> None:
    """Pool initializer: a daemon thread ends this worker once ``parent`` is gone (it is then
    re-parented, so getppid() changes)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


class ProcessBackend(Backend):
    name = "processes"
    task_seconds = 1.0

    def __init__(self, workers: int | None = None) -> None:
        self.workers = check_positive_int("workers", workers or available_cpus())
        self._pool: ProcessPoolExecutor | None = None

    def _new_pool(self) -> ProcessPoolExecutor:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
        self._pool = ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_exit_with_parent,
            initargs=(os.getpid(),),
        )
        return self._pool

    def map_unordered(
        self, fn: Callable[[T], Any], items: Iterable[T]
    ) -> Iterator[tuple[int, Any]]:
        source = enumerate(items)
        first = next(source, None)
        if first is None:  # nothing to do: do not spawn a pool
            return
        ahead: list[tuple[int, T]] = [first]

        def pull() -> tuple[int, T] | None:
            return ahead.pop() if ahead else next(source, None)

        pool = self._pool or self._new_pool()
        held: dict[int, T] = {}  # items in flight or suspected, by index
        exhausted = False
        # Tasks in flight when a worker died: any of them may have killed it, so each is rerun
        # alone, and only a task that breaks the pool while alone is reported as failed.
        suspects: list[int] = []
        running: dict[Future, int] = {}
        alone: int | None = None
        while not exhausted or suspects or running or ahead:
            broken = False
            if suspects and not running:
                alone = suspects.pop()
                running[pool.submit(fn, held[alone])] = alone
            while not suspects and alone is None and len(running) < 2 * self.workers:
                nxt = pull()
                if nxt is None:
                    exhausted = True
                    break
                i, item = nxt
                try:
                    running[pool.submit(fn, item)] = i
                except BrokenProcessPool:
                    # the pool broke since the last wait: this item never ran, so it is
                    # innocent; it goes back to the queue and the pool is replaced below
                    ahead.append((i, item))
                    broken = True
                    break
                held[i] = item
            if running:
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for fut in done:
                    i = running.pop(fut)
                    exc = fut.exception()
                    if isinstance(exc, BrokenProcessPool):
                        broken = True
                        if i != alone:
                            suspects.append(i)
                            continue
                    if i == alone:
                        alone = None
                    del held[i]
                    yield i, exc if exc is not None else fut.result()
            if broken:
                # the pool is unusable: whatever else was in flight becomes a suspect
                suspects.extend(running.values())
                running.clear()
                pool = self._new_pool()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


class DaskBackend(Backend):
    """A Dask client: a LocalCluster of ``workers`` single-threaded processes (default: one per
    CPU) or, with ``scheduler``, an existing cluster (its workers need this package installed)."""

    name = "dask"
    task_seconds = 2.0  # a scheduler round trip is ~ms, plus network transfer on a real cluster

    def __init__(self, workers: int | None = None, scheduler: str | None = None) -> None:
        try:
            import distributed  # noqa: F401 (fail early, with the install hint)
        except ImportError:
            raise ParameterError("backend", "dask", DASK_HINT) from None
        self._scheduler = scheduler
        self._cluster: Any = None
        self._client: Any = None
        self.workers = check_positive_int("workers", workers or available_cpus())

    def start(self) -> None:
        self._connect()

    def _connect(self) -> Any:
        """The client, started on first use (a rerun with nothing to do starts no cluster)."""
        if self._client is not None:
            return self._client
        from distributed import Client, LocalCluster

        if self._scheduler:
            try:
                self._client = Client(self._scheduler, timeout="10s")
            except (OSError, ValueError, TypeError) as exc:
                # OSError: nothing listens there; ValueError/TypeError: Dask cannot parse it
                raise ParameterError(
                    "scheduler",
                    self._scheduler,
                    "the address of a running Dask scheduler",
                    str(exc).replace("\n", " "),
                ) from None
            self.workers = max(1, len(self._client.scheduler_info()["workers"]))
        else:
            self._cluster = LocalCluster(
                n_workers=self.workers,
                threads_per_worker=1,  # a cell is single-threaded NumPy/Numba work
                processes=True,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
            self._client = Client(self._cluster)
        return self._client

    def map_unordered(
        self, fn: Callable[[T], Any], items: Iterable[T]
    ) -> Iterator[tuple[int, Any]]:
        source = enumerate(items)
        first = next(source, None)
        if first is None:  # nothing to do: do not start a cluster
            return
        ahead: list[tuple[int, T]] = [first]
        from distributed import as_completed

        client = self._connect()
        index: dict[Any, int] = {}

        def submit() -> Any | None:
            nxt = ahead.pop() if ahead else next(source, None)
            if nxt is None:
                return None
            i, item = nxt
            fut = client.submit(fn, item, pure=False)
            index[fut] = i
            return fut

        first_batch = []
        for _ in range(2 * self.workers):
            fut = submit()
            if fut is None:
                break
            first_batch.append(fut)
        queue = as_completed(first_batch)
        for fut in queue:
            i = index.pop(fut)
            if fut.status == "error":
                result: Any = fut.exception()
            else:
                try:
                    result = fut.result()
                except Exception as exc:  # cancelled, lost
                    result = exc
            fut.release()
            yield i, result
            nxt = submit()
            if nxt is not None:
                queue.add(nxt)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None


def make_backend(name: str, *, workers: int | None = None, scheduler: str | None = None) -> Backend:
    """A backend by name; ``workers`` applies to processes and a local Dask cluster."""
    if name not in BACKENDS:
        raise ParameterError("backend", name, "one of " + ", ".join(BACKENDS))
    if scheduler is not None and name != "dask":
        raise ParameterError("scheduler", scheduler, "a scheduler address needs --backend dask")
    if scheduler is not None:
        scheduler = check_scheduler_address(scheduler)
    if scheduler and workers:
        raise ParameterError(
            "workers", workers, "not with a scheduler address (the cluster has its own workers)"
        )
    if workers is not None:
        check_positive_int("workers", workers)
    if name == "serial":
        if workers not in (None, 1):
            raise ParameterError("workers", workers, "1 for the serial backend")
        return SerialBackend()
    if name == "processes":
        return ProcessBackend(workers)
    return DaskBackend(workers, scheduler)
