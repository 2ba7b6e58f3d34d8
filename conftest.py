"""Shared pytest configuration: Hypothesis profiles and the --runslow / --profile switches.

Hypothesis profiles: ``ci`` (default; derandomised, no deadline, few examples so CI stays fast)
and ``full`` (randomised, many examples). Choose with ``HYPOTHESIS_PROFILE=full pytest`` or
``pytest --hypothesis-profile=full``: both switch every test's example count. The joint
(mu, tau, eta) property checks of checks/test_properties.py read the active profile's name
(``settings.get_current_profile_name()``, when the module is collected, after the option is
applied) and draw ``checks.profile`` ``examples`` per property (ci 10, full 50), randomised with
a fixed seed (the check profile's root seed) whatever the profile.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

# the verification suite's fixtures and hooks (claim runner, verdict table, JUnit properties),
# and pytester for the tests of the suite's own outcomes
pytest_plugins = ["checks.suite", "pytester"]

settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    max_examples=15,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "full",
    deadline=None,
    max_examples=200,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--runslow", action="store_true", help="run paper-scale (slow) tests")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--runslow"):
        return
    skip = pytest.mark.skip(reason="paper-scale test: run with --runslow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
