"""The verification suite's plumbing, a pytest plugin loaded by the root conftest.py: one run
of each claim's checks per pytest session (shared with the report test, which builds the PDF
from the same results), and the verdicts reported in pytest's own vocabulary and at the end of
the run (issue 18 of the project).

* A check's toolkit soundness (it ran, its controls were rejected, the toolkit's own items hold)
  is a plain test: a failure is a defect of the toolkit.
* A claim's verdict is a test too: a claim whose statement holds passes; one that does not
  (discrepancy-found, refuted) is ``xfail(strict=True)``, its reason the verdict's one-line
  reason; not-reproducible-here is a skip. The verdict is pinned in the claim module
  (``Claim.expected_verdict``, and per reading ``Claim.expected_readings``): a finding that
  stops reproducing, or changes, fails the suite until the pin is revisited.
* ``pytest_terminal_summary`` prints the verdict table of the claims the run collected; with
  ``--junitxml`` each claim test carries its verdict as properties.

* The claims the session collected start at once in worker processes (one per CPU,
  ``ASYNCMSGD_TEST_WORKERS``), while pytest runs the other tests; a claim's tests wait for its
  results. D1 and D4 time real processes and run last, in pytest's process, on an idle machine.

Profile: ``ASYNCMSGD_PROFILE=ci`` (default) or ``full``; root seed ``ASYNCMSGD_SEED``.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from checks.profile import get_profile
from checks.registry import ClaimResult
from checks.runner import run_claims

DECISIONS = pytest.StashKey[dict]()


# Claims run together in one worker: D2 and D3 share their simulations within a process
# (checks.adaptive.run_case is memoised).
TOGETHER = (("D2", "D3"),)
# Claims that time real processes (D1's lock-free runs, D4's straggler throughput): they run in
# pytest's own process once the prefetched claims are done, on an otherwise idle machine, as
# their tolerances were measured.
TIMED = ("D1", "D4")
# The prefetch's processes (``ASYNCMSGD_TEST_WORKERS``, default the CPUs here; 1: none, every
# claim runs in pytest's process when a test first asks for it).
WORKERS_ENV = "ASYNCMSGD_TEST_WORKERS"


def _prefetch_task(claims: tuple[str, ...], profile, cache_dir: str) -> None:
    """A worker's share: run the claims; their results land in the shared disk cache."""
    run_claims(list(claims), profile, Path(cache_dir))


def prefetch_workers() -> int:
    import os

    raw = os.environ.get(WORKERS_ENV)
    if raw is None:
        return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    try:
        value = int(raw)
    except ValueError:
        raise pytest.UsageError(f"{WORKERS_ENV}={raw!r}: a positive integer") from None
    if value < 1:
        raise pytest.UsageError(f"{WORKERS_ENV}={raw!r}: a positive integer")
    return value


def tasks(claims) -> list[tuple[str, ...]]:
    """The prefetch's tasks for ``claims``: :data:`TOGETHER` kept together, :data:`TIMED` left
    out, the claims' own order otherwise (the registry's; D2+D3, the longest, first)."""
    wanted = [c for c in claims if c not in TIMED]
    out: list[tuple[str, ...]] = []
    for group in TOGETHER:
        share = tuple(c for c in group if c in wanted)
        if share:
            out.append(share)
    grouped = {c for g in out for c in g}
    return out + [(c,) for c in wanted if c not in grouped]


class ClaimRunner:
    """Each claim's checks, run once per session. With :meth:`prefetch`, the claims a session
    collected run in worker processes from the start of the session, while pytest runs the
    other tests; their results reach this process through the disk cache (a check's result
    does not depend on the process or the order: its seeds are spawned per check)."""

    def __init__(self, cache_dir: Path) -> None:
        self.cache_dir = cache_dir
        self.profile = get_profile()
        self._memo: dict[str, ClaimResult] = {}
        self._futures: dict[str, object] = {}
        self._pool = None

    def prefetch(self, claims, workers: int) -> None:
        work = tasks(claims)
        if workers < 2 or len(work) < 2:
            return
        import gc
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        # fork: the workers start from this process's imports, not a fresh interpreter
        ctx = multiprocessing.get_context("fork")
        gc.collect()
        self._pool = ProcessPoolExecutor(max_workers=min(workers, len(work)), mp_context=ctx)
        for share in work:
            fut = self._pool.submit(_prefetch_task, share, self.profile, str(self.cache_dir))
            for c in share:
                self._futures[c] = fut

    def _wait(self, claims) -> None:
        for c in claims:
            fut = self._futures.pop(c, None)
            if fut is not None:
                # a failed worker: the claim runs here instead, and its error is reported here
                with contextlib.suppress(Exception):
                    fut.result()  # type: ignore[attr-defined]

    def __call__(self, claim: str) -> ClaimResult:
        if claim not in self._memo:
            # a timed claim waits for the prefetch, so that it runs on an idle machine
            self._wait(list(self._futures) if claim in TIMED else [claim])
            self._memo[claim] = run_claims([claim], self.profile, self.cache_dir)[0]
        return self._memo[claim]

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


RUNNER = pytest.StashKey[ClaimRunner]()


def _claims_of(items) -> list[str]:
    """The claims the collected tests ask ``claim_runner`` for: a test's ``claim`` parameter,
    or every claim for a test without one (the report's)."""
    from checks.registry import entries

    known = list(entries())
    wanted: set[str] = set()
    for item in items:
        if "claim_runner" not in getattr(item, "fixturenames", ()):
            continue
        params = getattr(getattr(item, "callspec", None), "params", {})
        cid = params.get("claim") or params.get("cid")
        if cid in known:
            wanted.add(cid)
        else:
            return known
    return [c for c in known if c in wanted]


def pytest_collection_finish(session: pytest.Session) -> None:
    """Start the prefetch of the collected claims (none under ``--collect-only``)."""
    config = session.config
    if config.option.collectonly or not session.items:
        return
    claims = _claims_of(session.items)
    if not claims:
        return
    # the session's own factory (tmp_path_factory's), so that one base directory holds it all
    factory = getattr(config, "_tmp_path_factory", None) or pytest.TempPathFactory.from_config(
        config, _ispytest=True
    )
    runner = ClaimRunner(factory.mktemp("check-cache"))
    config.stash[RUNNER] = runner
    runner.prefetch(claims, prefetch_workers())


def pytest_unconfigure(config: pytest.Config) -> None:
    runner = config.stash.get(RUNNER, None)
    if runner is not None:
        runner.close()


@pytest.fixture(scope="session")
def claim_runner(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    runner = request.config.stash.get(RUNNER, None)
    return runner if runner is not None else ClaimRunner(tmp_path_factory.mktemp("check-cache"))


def pytest_configure(config: pytest.Config) -> None:
    """One marker per claim, from the registry (``pytest -m C7``)."""
    from checks.registry import entries

    config.stash[DECISIONS] = {}
    for cid, entry in entries().items():
        config.addinivalue_line(
            "markers",
            f"{cid}: checks of claim {cid}, {entry.claim.statement.title} (docs/claims.md)",
        )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """An expected failure of a claim shows the verdict's reason measured in this run (the
    marker's reason is only the pinned verdict)."""
    report = yield
    reason = getattr(item, "_verdict_reason", None)
    if reason and getattr(report, "wasxfail", None) is not None:
        report.wasxfail = reason
    return report


def pytest_terminal_summary(terminalreporter, exitstatus, config: pytest.Config) -> None:
    rows = config.stash.get(DECISIONS, {})
    if not rows:
        return
    tr = terminalreporter
    tr.section("verdicts (the verdict rule, this run)")
    tr.write_line(f"{'claim':28s} {'verdict':24s} {'delay/E1':>8s}  reason")
    for key in sorted(rows, key=_order):
        verdict, reason, frac = rows[key]
        shown = "-" if frac is None else f"{frac:.2f}"
        tr.write_line(f"{key:28s} {verdict:24s} {shown:>8s}  {reason}")


def _order(key: str) -> tuple[int, int, str]:
    cid = key.split()[0]
    return "CDE".index(cid[0]), int(cid[1:]), key


def record(config: pytest.Config, key: str, verdict: str, reason: str, frac) -> None:
    config.stash[DECISIONS][key] = (verdict, reason, frac)
