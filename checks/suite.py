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


def _prefetch_task(claims: tuple[str, ...], profile, cache_dir: str) -> dict[str, list[dict]]:
    """A worker's share: run the claims (results also land in the shared disk cache) and return
    them as dicts, the errored and not-runnable ones included (the cache keeps neither)."""
    return {
        cr.id: [r.as_dict() for r in cr.results]
        for cr in run_claims(list(claims), profile, Path(cache_dir))
    }


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
    other tests (a check's result does not depend on the process or the order: its seeds are
    spawned per check). A claim whose task has not started when a test asks for it runs here."""

    def __init__(self, cache_dir: Path) -> None:
        self.cache_dir = cache_dir
        self.profile = get_profile()
        self._memo: dict[str, ClaimResult] = {}
        self._futures: dict[str, object] = {}
        self._pool = None
        self.prefetched: set[str] = set()  # claims whose results came from a worker
        self.errors: dict[str, str] = {}  # claim: a worker's failure (the claim then runs here)

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

    def _collect(self, claims) -> None:
        """Take the workers' results of ``claims`` (waiting for started tasks; a task not yet
        started is cancelled and its claims run here)."""
        from checks.registry import entries
        from checks.results import CheckResult

        for c in claims:
            fut = self._futures.pop(c, None)
            if fut is None or fut.cancel():  # type: ignore[attr-defined]
                continue
            try:
                done = fut.result()  # type: ignore[attr-defined]
            except Exception as exc:  # a broken worker: run the claim here
                self.errors[c] = f"{type(exc).__name__}: {exc}"
                continue
            for cid, rows in done.items():
                if cid not in self._memo:
                    results = [CheckResult.from_dict(r) for r in rows]
                    self._memo[cid] = ClaimResult(entries()[cid].claim, results)
                    self.prefetched.add(cid)

    def __call__(self, claim: str) -> ClaimResult:
        if claim not in self._memo:
            # a timed claim waits for the whole prefetch, so that it runs on an idle machine
            self._collect(list(self._futures) if claim in TIMED else [claim])
        if claim not in self._memo:
            self._memo[claim] = run_claims([claim], self.profile, self.cache_dir)[0]
        return self._memo[claim]

    def close(self) -> None:
        """Stop the workers at once: a session that ends early (-x, -k, Ctrl-C) does not wait
        for claims nobody will read."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        for proc in list(getattr(pool, "_processes", {}).values()):
            proc.terminate()
        pool.shutdown(wait=True, cancel_futures=True)
        self._futures.clear()


RUNNER = pytest.StashKey[ClaimRunner]()


def _claims_of(items) -> list[str]:
    """The claims the collected tests ask this plugin's ``claim_runner`` for: a test's
    ``claim`` (or ``cid``) parameter, else its ``uses_claims`` marker, else every claim (the
    report's tests). A test whose ``claim_runner`` is another (a conftest's stub) asks none."""
    from checks.registry import entries

    known = list(entries())
    wanted: set[str] = set()
    for item in items:
        defs = getattr(getattr(item, "_fixtureinfo", None), "name2fixturedefs", {})
        chain = defs.get("claim_runner")
        if not chain or getattr(chain[-1], "func", None) is not claim_runner.__wrapped__:
            continue
        params = getattr(getattr(item, "callspec", None), "params", {})
        cid = params.get("claim") or params.get("cid")
        marker = item.get_closest_marker("uses_claims")
        if cid in known:
            wanted.add(cid)
        elif marker is not None:
            wanted.update(c for c in marker.args if c in known)
        else:
            return known
    return [c for c in known if c in wanted]


def pytest_collection_finish(session: pytest.Session) -> None:
    """Start the prefetch of the collected claims (none under ``--collect-only``)."""
    config = session.config
    # an xdist worker (each would start a pool of its own) or nothing to run: no prefetch
    if config.option.collectonly or not session.items or hasattr(config, "workerinput"):
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
    config.addinivalue_line(
        "markers", "uses_claims(*ids): the claims a test reads from claim_runner (the prefetch)"
    )
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
