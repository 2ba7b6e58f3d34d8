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

Profile: ``ASYNCMSGD_PROFILE=ci`` (default) or ``full``; root seed ``ASYNCMSGD_SEED``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from checks.profile import get_profile
from checks.registry import ClaimResult
from checks.runner import run_claims

DECISIONS = pytest.StashKey[dict]()


class ClaimRunner:
    def __init__(self, cache_dir: Path) -> None:
        self.cache_dir = cache_dir
        self.profile = get_profile()
        self._memo: dict[str, ClaimResult] = {}

    def __call__(self, claim: str) -> ClaimResult:
        if claim not in self._memo:
            self._memo[claim] = run_claims([claim], self.profile, self.cache_dir)[0]
        return self._memo[claim]


@pytest.fixture(scope="session")
def claim_runner(tmp_path_factory: pytest.TempPathFactory) -> ClaimRunner:
    return ClaimRunner(tmp_path_factory.mktemp("check-cache"))


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
