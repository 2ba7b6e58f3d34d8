"""The property checks' draw counts follow the Hypothesis profile, however it is chosen
(issue 13): ``HYPOTHESIS_PROFILE=full`` and ``--hypothesis-profile=full`` both give the full
profile's 50 draws per property, the default (ci) 10."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = "tests/checks/test_property_profiles.py::test_report_draws"
# without the verification suite's plugin (it loads every claim) and its strict claim markers
LIGHT = ("-p", "no:cacheprovider", "-p", "no:checks.suite", "-o", "addopts=", "-W", "ignore")


def test_report_draws():
    """Prints the draw count checks/test_properties.py would use in this session."""
    from checks.test_properties import DRAWS

    print(f"DRAWS={DRAWS}")


@pytest.mark.parametrize(
    "args, env, expected",
    [
        ([], {}, 10),
        (["--hypothesis-profile=full"], {}, 50),
        ([], {"HYPOTHESIS_PROFILE": "full"}, 50),
    ],
)
def test_hypothesis_profile_switches_the_draws(args, env, expected):
    base = {k: v for k, v in os.environ.items() if k not in ("HYPOTHESIS_PROFILE",)}
    base["ASYNCMSGD_PROFILE"] = "ci"
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-s", *LIGHT, *args, PROBE],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert f"DRAWS={expected}" in proc.stdout
