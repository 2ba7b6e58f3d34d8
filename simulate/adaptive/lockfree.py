"""A real lock-free run (D1): P processes update one shared NumPy array without locks.

Shared memory (:mod:`multiprocessing.shared_memory`) holds the iterate x, the method's state
(momentum, accumulators: :class:`simulate.adaptive.methods.MethodState` built on views of it),
one update counter per process and each process's trace. The processes share a budget of
P * ``updates`` updates: process i repeats, while the total count is below the budget (so a
fast process does more updates than a slow one, as in a real asynchronous run; up to P - 1
updates may overshoot the budget):

1. snapshot s = sum of all counters (the previous update's closing snapshot; see below);
2. read x (a copy; other processes may be writing it meanwhile: a torn read is possible) and
   the published momentum norm (the ``stale`` normalisation estimate);
3. draw its block and sample, compute the block stochastic gradient at the copy;
4. apply :func:`simulate.adaptive.methods.step` to the shared state and add the displacement to
   the shared x in place (element-wise read-modify-write, no lock: concurrent updates may
   interleave and an increment can be lost, which is the Hogwild! model);
5. bump its own counter (a single-writer int64) and take the closing snapshot s'.

The update's staleness is s' - s - 1: the number of other processes' updates completed between
its read and its write. Each closing snapshot opens the next update, so the intervals tile each
process's lifetime and every other process's update is counted exactly once per process (the
counting identity behind the parameter-server model's mean delay W - 1). The closing snapshots
order the writes for trace replay (ties broken by ``time.perf_counter_ns`` timestamps, taken on
CLOCK_MONOTONIC, system wide, from the parent's reading at the start signal).

``mode="sync"`` is the synchronous baseline for throughput (D4): ``updates`` rounds, with a
barrier before each round's reads and another before its writes, so every round's P updates
read the same x (their staleness is 0..P-1 by write order within the round).
While the processes run, the parent copies x every ``poll`` seconds (without a lock either),
with the total count at that moment: ||grad F||^2 along the real trajectory.

A ``straggler_sleep`` (seconds) makes process 0 a slow worker: it sleeps that long between
computing its gradient and writing (a slow node, not a CPU hog on the shared cores).
"""

from __future__ import annotations

import math
import multiprocessing as mp
import time
from dataclasses import dataclass, field
from multiprocessing import shared_memory

import numpy as np

from simulate.adaptive.blocks import BlockScheme, parse_blocks
from simulate.adaptive.methods import Method, MethodState, step
from simulate.adaptive.problems import StochasticProblem
from simulate.adaptive.run import BLOCK, NOISE
from simulate.seeds import Stream, check_seed, generator, stable_key
from theory.validation import ParameterError, check_positive_int

MODES = ("async", "sync")
TRACE_FIELDS = 4  # staleness, t_read (ns), t_write (ns), opening snapshot (total count)


@dataclass
class LockFreeResult:
    """One lock-free run. Per update (in write order): ``staleness``, ``worker``,
    ``t_read`` / ``t_write`` (seconds since the start signal), ``opened`` (the total count in
    the snapshot that opened it)."""

    mode: str
    processes: int
    updates: int
    staleness: np.ndarray
    worker: np.ndarray
    t_read: np.ndarray
    t_write: np.ndarray
    opened: np.ndarray
    x0: np.ndarray
    final_x: np.ndarray
    grad2_start: float
    grad2_final: float
    wall: float
    straggler_sleep: float
    snap_k: np.ndarray  # total update count when the parent copied x (a lock-free reader too)
    snap_grad2: np.ndarray  # ||grad F||^2 at those copies
    describe: dict[str, object] = field(default_factory=dict)

    def tail_grad2(self, start: float = 0.5) -> float:
        """Mean ||grad F(x_k)||^2 over k in [``start`` * total, total], uniform in k (D1's
        outcome): the parent's copies after ``start`` * total updates, those taken at one count
        averaged, trapezoid weights in k between counts, the same definition as the simulator's
        :meth:`simulate.adaptive.run.AdaptiveResult.tail_grad2`, which the trace replay is set
        beside.

        Not the plain mean of the copies: they are evenly spaced in time, not in k (the
        processes stall while the OS runs others, and the parent keeps copying the same x; the
        coefficient of variation of the k spacing was 3.4 on a loaded 2-core machine), so a
        plain mean weights each stretch of the run by its wall time, which depends on the
        machine's scheduling, and differed from the k-uniform mean by 0.24 (SD, log scale) per
        run."""
        sel = self.snap_k >= start * self.total
        if not sel.any():
            return self.grad2_final
        ks, inverse = np.unique(self.snap_k[sel], return_inverse=True)
        g = np.bincount(inverse, weights=self.snap_grad2[sel]) / np.bincount(inverse)
        if ks.size < 2:
            return float(g.mean())
        k = ks.astype(float)
        return float((0.5 * (g[1:] + g[:-1]) * np.diff(k)).sum() / (k[-1] - k[0]))

    @property
    def total(self) -> int:
        return int(self.staleness.size)

    @property
    def throughput(self) -> float:
        """Updates per second over the whole run (first read to last write)."""
        return self.total / self.wall

    def steady_throughput(self) -> float:
        """Updates per second while all P processes run (:meth:`steady`)."""
        sel = self.steady()
        span = self.t_write[sel].max() - self.t_read[sel].min() if sel.any() else 0.0
        return float(sel.sum() / span) if span > 0 else float("nan")

    @property
    def closed(self) -> np.ndarray:
        """The total count in the snapshot that closed each update."""
        return self.opened + self.staleness + 1

    def _span(self) -> tuple[int, int] | None:
        """[c_lo, c_hi]: from the last process's first opening to the first process's last
        closing (in counts), or None when a process did no update."""
        if np.unique(self.worker).size < self.processes:
            return None
        lo = max(int(self.opened[self.worker == i].min()) for i in range(self.processes))
        hi = min(int(self.closed[self.worker == i].max()) for i in range(self.processes))
        return (lo, hi) if hi > lo else None

    def steady(self) -> np.ndarray:
        """Mask of the updates opened and closed while all P processes were running (counted in
        updates, not in time: the counters order the writes as the processes saw them): the
        parameter-server model's steady state."""
        span = self._span()
        if span is None:
            return np.zeros(self.total, dtype=bool)
        return (self.opened >= span[0]) & (self.closed <= span[1])

    def steady_bound(self) -> float:
        """An exact bound on |sum of the steady updates' staleness - (P - 1) n| (n of them).

        With D = c_hi - c_lo updates closing in the span, of which s <= P are unselected
        (opened before c_lo), and ``miss`` the others' updates each process's steady stretch
        leaves out at the span's ends, the tiled snapshots give sum = P D - n - miss, so the
        difference is P s - miss: at most P^2 + miss. The counters are summed without a lock,
        so each process's first and last snapshot may be off by P - 1 (the ones in between
        telescope): 2 P (P - 1) more.
        """
        span, sel = self._span(), self.steady()
        if span is None:
            return math.inf
        miss = 0
        for i in range(self.processes):
            mine = sel & (self.worker == i)
            if not mine.any():
                return math.inf
            miss += int(self.opened[mine].min() - span[0] + span[1] - self.closed[mine].max())
        p = self.processes
        return float(miss + p * p + 2 * p * (p - 1))

    def per_worker_rate(self) -> np.ndarray:
        """Updates per second of each process over its own lifetime."""
        rates = np.empty(self.processes)
        for i in range(self.processes):
            sel = self.worker == i
            span = self.t_write[sel].max() - self.t_read[sel].min() if sel.any() else 0.0
            rates[i] = sel.sum() / span if span > 0 else np.nan
        return rates


def _layout(d: int) -> dict[str, tuple[int, int]]:
    """(offset, length) of each float64 field of the shared state segment."""
    names = [
        ("x", d),
        ("m", d),
        ("acc", d),
        ("count", d),
        ("b2", 1),
        ("steps", 1),
        ("norm", 1),
        ("published", 1),
    ]
    out, off = {}, 0
    for name, n in names:
        out[name] = (off, n)
        off += n
    return out


def _views(buf: memoryview, d: int) -> dict[str, np.ndarray]:
    lay = _layout(d)
    total = sum(n for _, n in lay.values())
    arr = np.ndarray((total,), dtype=np.float64, buffer=buf)
    return {k: arr[o : o + n] for k, (o, n) in lay.items()}


def _worker(
    i: int,
    names: tuple[str, str, str],
    problem: StochasticProblem,
    method: Method,
    scheme: BlockScheme,
    processes: int,
    updates: int,
    keys: tuple[int, int, int],
    mode: str,
    straggler_sleep: float,
    start: object,
    barrier: object,
) -> None:
    """One process's loop (module docstring). Top level, so that it pickles under spawn."""
    seg = [shared_memory.SharedMemory(name=n) for n in names]
    try:
        d = problem.d
        v = _views(seg[0].buf, d)
        shared_ints = np.ndarray((processes + 1,), dtype=np.int64, buffer=seg[1].buf)
        counters, t0_slot = shared_ints[:processes], shared_ints[processes:]
        budget = processes * updates
        cap = budget if mode == "async" else updates  # rows of this process's trace
        trace = np.ndarray((processes, cap, TRACE_FIELDS), dtype=np.int64, buffer=seg[2].buf)
        x = v["x"]
        state = MethodState(
            m=v["m"].reshape(1, d),
            acc=v["acc"].reshape(1, d),
            count=v["count"].reshape(1, d),
            b2=v["b2"],
            steps=v["steps"],
            norm=v["norm"],
        )
        seed, key, repeat = keys

        def rng(stream: int) -> np.random.Generator:
            return generator(seed, (key, repeat, i, stream))

        xi = problem.draw(rng(int(Stream.DATA)), cap)
        masks = scheme.masks(rng(BLOCK), cap)
        zeta = rng(NOISE).standard_normal(cap)
        sched = method.schedule.for_horizon(budget)
        mine = trace[i]
        start.wait()  # type: ignore[attr-defined]
        # the parent's clock reading at the start signal: one time origin for all processes
        # (perf_counter is CLOCK_MONOTONIC, system wide), so writes can be ordered across them
        t0 = int(t0_slot[0])
        snap = int(counters.sum())
        for u in range(cap):
            if mode == "async" and snap >= budget:
                break
            if mode == "sync":
                barrier.wait()  # type: ignore[attr-defined]
                snap = int(counters.sum())
            t_read = time.perf_counter_ns()
            w = x.copy()
            published = np.array([v["published"][0]])
            mask = masks[u : u + 1]
            g = problem.stoch_grad(w[None, :], xi[u : u + 1]) * mask
            if straggler_sleep > 0.0 and i == 0:
                time.sleep(straggler_sleep)
            if mode == "sync":
                barrier.wait()  # type: ignore[attr-defined]
            dx = step(
                method,
                state,
                g,
                mask,
                sched.eta_at(snap),
                stale_norm=published,
                zeta=zeta[u : u + 1],
            )
            np.add(x, dx[0], out=x)  # in place on the shared array, no lock
            v["published"][0] = state.norm[0]
            counters[i] += 1
            end = int(counters.sum())
            mine[u, 0] = end - snap - 1
            mine[u, 1] = t_read - t0
            mine[u, 2] = time.perf_counter_ns() - t0
            mine[u, 3] = snap
            snap = end
    finally:
        for s in seg:
            s.close()


def run_lockfree(
    problem: StochasticProblem,
    method: Method,
    *,
    blocks: str | BlockScheme = "full",
    processes: int = 4,
    updates: int = 2000,
    seed: int = 0,
    repeat: int = 0,
    mode: str = "async",
    straggler_sleep: float = 0.0,
    poll: float = 2e-4,
    timeout: float = 120.0,
) -> LockFreeResult:
    """Run ``processes`` processes of ``updates`` updates each on one shared iterate.

    x_0 comes from the START stream of (configuration, ``repeat``) as in the simulator. Raises
    RuntimeError if a process fails or does not finish within ``timeout`` seconds (those
    processes are terminated).
    """
    processes = check_positive_int("processes", processes)
    updates = check_positive_int("updates", updates)
    seed = check_seed(seed)
    if mode not in MODES:
        raise ParameterError("mode", mode, "one of " + ", ".join(MODES))
    if not (straggler_sleep >= 0.0 and np.isfinite(straggler_sleep)):
        raise ParameterError("straggler_sleep", straggler_sleep, "a time in seconds >= 0")
    scheme = blocks if isinstance(blocks, BlockScheme) else parse_blocks(blocks, problem.d)
    d = problem.d
    key = stable_key("lockfree", problem.spec, method.spec, scheme.spec, processes, updates, mode)
    ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    n_state = sum(n for _, n in _layout(d).values())
    rows = processes * updates if mode == "async" else updates
    sizes = (8 * n_state, 8 * (processes + 1), 8 * processes * rows * TRACE_FIELDS)
    segs = [shared_memory.SharedMemory(create=True, size=s) for s in sizes]
    procs: list[mp.process.BaseProcess] = []
    try:
        v = _views(segs[0].buf, d)
        for arr in v.values():
            arr[:] = 0.0
        if method.scaling == "adagrad-norm":
            v["b2"][0] = method.b0**2
        v["published"][0] = np.nan  # no momentum yet: the stale estimate falls back
        x0 = problem.start(generator(seed, (key, repeat, 0, int(Stream.START))))
        v["x"][:] = x0
        shared_ints = np.ndarray((processes + 1,), dtype=np.int64, buffer=segs[1].buf)
        shared_ints[:] = 0
        start, barrier = ctx.Event(), ctx.Barrier(processes)
        names = tuple(s.name for s in segs)
        for i in range(processes):
            p = ctx.Process(
                target=_worker,
                args=(
                    i,
                    names,
                    problem,
                    method,
                    scheme,
                    processes,
                    updates,
                    (seed, key, repeat),
                    mode,
                    straggler_sleep,
                    start,
                    barrier,
                ),
                daemon=True,
            )
            p.start()
            procs.append(p)
        counters = shared_ints[:processes]
        snaps: list[tuple[int, np.ndarray]] = []
        shared_ints[processes] = time.perf_counter_ns()
        start.set()
        deadline = time.monotonic() + timeout
        while any(p.is_alive() for p in procs) and time.monotonic() < deadline:
            snaps.append((int(counters.sum()), v["x"].copy()))
            time.sleep(poll)
        for p in procs:
            p.join(max(0.0, deadline - time.monotonic()))
        if any(p.is_alive() or p.exitcode != 0 for p in procs):
            codes = [p.exitcode for p in procs]
            raise RuntimeError(f"lock-free run failed or timed out (exit codes {codes})")
        trace = np.ndarray(
            (processes, rows, TRACE_FIELDS), dtype=np.int64, buffer=segs[2].buf
        ).copy()
        done = counters.copy()
        final = v["x"].copy()
    finally:
        for p in procs:
            if p.is_alive():
                p.terminate()
                p.join(5.0)
        for s in segs:
            s.close()
            s.unlink()
    flat = np.concatenate([trace[i, : done[i]] for i in range(processes)])
    worker = np.repeat(np.arange(processes), done)
    # write order: by the closing snapshot (the count each write saw right after its own bump),
    # timestamps breaking ties; a timestamp alone can lag its bump when the process is preempted
    order = np.lexsort((flat[:, 2], flat[:, 3] + flat[:, 0] + 1))
    t_read, t_write = flat[order, 1] * 1e-9, flat[order, 2] * 1e-9
    g0, g1 = problem.grad(x0), problem.grad(final)
    snap_k = np.array([k for k, _ in snaps], dtype=np.int64)
    snap_x = np.array([x for _, x in snaps]).reshape(-1, d)
    with np.errstate(over="ignore", invalid="ignore"):
        gs = problem.grad(snap_x)
        snap_grad2 = np.nan_to_num(np.einsum("ij,ij->i", gs, gs), nan=np.inf)
    return LockFreeResult(
        mode=mode,
        processes=processes,
        updates=updates,
        staleness=flat[order, 0],
        worker=worker[order],
        t_read=t_read,
        t_write=t_write,
        opened=flat[order, 3],
        x0=x0,
        final_x=final,
        grad2_start=float(g0 @ g0),
        grad2_final=float(g1 @ g1) if np.all(np.isfinite(g1)) else np.inf,
        wall=float(t_write.max() - t_read.min()),
        straggler_sleep=straggler_sleep,
        snap_k=snap_k,
        snap_grad2=snap_grad2,
        describe={
            "problem": problem.spec,
            "method": method.spec,
            "blocks": scheme.spec,
            "start_method": ctx.get_start_method(),
        },
    )
