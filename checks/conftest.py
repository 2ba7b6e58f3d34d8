"""One run of each claim's checks per pytest session, shared by the verification tests and the
report test (which then builds the PDF from the same results, without recomputing them)."""

from __future__ import annotations

from pathlib import Path

import pytest

from checks.profile import get_profile
from checks.registry import ClaimResult
from checks.runner import run_claims


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
