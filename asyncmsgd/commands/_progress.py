"""Progress of the claim checks: a tqdm bar on a terminal (with ETA), and one line per finished
check where tqdm cannot draw (a pipe, a CI log)."""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterator, Sequence


@contextlib.contextmanager
def check_progress(claims: Sequence[str]) -> Iterator[object]:
    """Yields ``tick(claim, check, cached, result)`` for :func:`checks.runner.run_claims`."""
    from tqdm import tqdm

    from checks.registry import entries

    known = entries()
    total = sum(len(known[c].checks) for c in claims)
    bar = tqdm(total=total, desc="checks", unit="check", disable=None, file=sys.stderr)
    t0 = time.perf_counter()
    done = 0

    def tick(claim: str, check: str, cached: bool, result: object) -> None:
        nonlocal done
        done += 1
        where = " (cached)" if cached else f" ({getattr(result, 'seconds', 0.0):.1f} s)"
        if bar.disable:
            elapsed = time.perf_counter() - t0
            print(
                f"[{done}/{total}] {claim} {check}{where}, {elapsed:.0f} s so far",
                file=sys.stderr,
                flush=True,
            )
        else:
            bar.set_postfix_str(f"{claim} {check}{where}")
            bar.update()

    try:
        yield tick
    finally:
        bar.close()


@contextlib.contextmanager
def progress_bar(unit: str) -> Iterator[tuple[object, object]]:
    """(plan(n), tick()) driving a tqdm bar on stderr, and a plain line every tenth of the work
    where tqdm cannot draw (stderr not a terminal)."""
    from tqdm import tqdm

    with tqdm(total=0, unit=unit, disable=None, leave=False, file=sys.stderr) as bar:
        state = {"done": 0, "t0": time.perf_counter()}

        def plan(n: int) -> None:
            bar.total = (bar.total or 0) + n
            bar.refresh()
            if bar.disable and n:
                print(f"{n} {unit}(s) to compute", file=sys.stderr, flush=True)

        def tick() -> None:
            bar.update(1)
            state["done"] += 1
            total = bar.total or 0
            if bar.disable and total and state["done"] % max(1, total // 10) == 0:
                elapsed = time.perf_counter() - state["t0"]
                eta = elapsed / state["done"] * (total - state["done"])
                print(
                    f"{state['done']}/{total} {unit}s, {elapsed:.0f} s, about {eta:.0f} s left",
                    file=sys.stderr,
                    flush=True,
                )

        yield plan, tick


@contextlib.contextmanager
def seed_progress(n_seeds: int, claims: Sequence[str] | None) -> Iterator[tuple[object, object]]:
    """(on_seed(seed), on_check(...)) for :func:`checks.seeds.run_seeds`: a bar over the seeds
    (a line per seed where tqdm cannot draw); ``on_check`` is None when seeds run in workers."""
    from tqdm import tqdm

    bar = tqdm(total=n_seeds, desc="seeds", unit="seed", disable=None, file=sys.stderr)
    t0 = time.perf_counter()
    done = 0

    def on_seed(seed: int) -> None:
        nonlocal done
        done += 1
        bar.update()
        if bar.disable:  # a disabled bar counts nothing: the line keeps its own count
            elapsed = time.perf_counter() - t0
            left = elapsed / done * (n_seeds - done)
            print(
                f"[seed {done}/{n_seeds}] root {seed} done, {elapsed:.0f} s so far, "
                f"about {left:.0f} s left",
                file=sys.stderr,
                flush=True,
            )

    def on_check(claim: str, check: str, cached: bool, result: object) -> None:
        if not bar.disable:
            bar.set_postfix_str(f"{claim} {check}{' (cached)' if cached else ''}")

    try:
        yield on_seed, (on_check if claims is not None else None)
    finally:
        bar.close()
