"""D4's straggler-throughput check: repeated timings in rotated order, the log-retention
statistics, the items and their controls (theories that could have been true, judged with the
repeats' own timing tolerance), on synthetic timings, plus one real run at a smoke size."""

from __future__ import annotations

import dataclasses
import json
import math
from types import SimpleNamespace

import numpy as np
import pytest

from checks.adaptive import ps_retention
from checks.claims import d4_heterogeneous as d4
from checks.profile import Z, get_profile
from checks.results import CheckResult

SLEEP = 2e-3
COMPUTE = 40e-6  # f = 1 + SLEEP / COMPUTE = 51


def _timings(keep_async, keep_sync, none=10_000.0, sync_none=5_000.0):
    return [
        {
            "updates_per_second": {
                "async none": none,
                "async straggler": none * ka,
                "sync none": sync_none,
                "sync straggler": sync_none * ks,
            },
            "median_update_seconds": COMPUTE,
        }
        for ka, ks in zip(keep_async, keep_sync, strict=True)
    ]


def test_retention_statistics_are_log_ratios_over_the_repeats():
    ka, ks = [0.8, 1.2, 0.9, 1.0], [0.2, 0.3, 0.25, 0.22]
    st = d4.retention_stats(_timings(ka, ks), SLEEP)
    assert st["repeats"] == 4
    np.testing.assert_allclose(st["keep_async"], ka)
    np.testing.assert_allclose(st["straggler_factor"], 1 + SLEEP / COMPUTE)
    d = np.log(np.array(ka) / np.array(ks))
    lr = st["log_ratio"]["async over sync"]
    assert lr["mean"] == pytest.approx(d.mean())
    assert lr["se"] == pytest.approx(d.std(ddof=1) / 2)
    model = ps_retention(4, 1 + SLEEP / COMPUTE)
    assert st["geometric_mean"]["ps_async"] == pytest.approx(model["async"])
    assert st["log_ratio"]["sync over PS sync"]["mean"] == pytest.approx(
        np.log(np.array(ks) / model["sync"]).mean()
    )
    assert st["geometric_mean"]["keep_async"] == pytest.approx(math.exp(np.log(ka).mean()))


def test_items_show_the_advantage_and_reject_both_controls():
    """Retentions like those measured here (async ~1, sync ~0.25): both items hold and both
    controls (async paced by the straggler; a barrier that costs nothing) are rejected."""
    st = d4.retention_stats(_timings([0.9, 1.1, 1.0, 0.8, 1.2, 0.95], [0.2, 0.3, 0.25] * 2), SLEEP)
    evidence, controls = d4.items(st)
    assert all(e.origin == "interpretation" for e in evidence)
    assert all(e.passed for e in evidence), [e.describe() for e in evidence]
    assert not any(c.passed for c in controls), [c.describe() for c in controls]
    for e in evidence + controls:  # the tolerance is the repeats' own spread, nothing else
        assert e.tolerance == pytest.approx(Z * e.se) and e.se > 0
    assert "That async keeps more is shown" in d4.summary_text(st, SLEEP)


def test_the_controls_are_theories_the_data_could_support():
    """Had the barrier cost nothing (sync at the PS model's retention) or had a lock paced the
    asynchronous run (async at 1/f), the same items would have accepted those controls."""
    f = 1 + SLEEP / COMPUTE
    ps_sync = ps_retention(4, f)["sync"]
    jitter = np.array([0.97, 1.03, 1.0, 0.99, 1.02, 1.01])
    st = d4.retention_stats(_timings(jitter / f, ps_sync * jitter[::-1]), SLEEP)
    evidence, controls = d4.items(st)
    assert all(c.passed for c in controls), [c.describe() for c in controls]
    assert not evidence[1].passed  # async far below the PS model's (W - 1 + 1/f)/W


def test_noisy_timings_say_not_shown():
    """Async and sync equally hurt, with repeat-to-repeat noise: the direction is not shown,
    and the tolerance widens with the noise."""
    ka = [0.3, 0.9, 0.2, 1.1, 0.4, 0.6]
    st = d4.retention_stats(_timings(ka, ka[::-1]), SLEEP)
    evidence, _ = d4.items(st)
    assert not evidence[0].passed
    assert "That async keeps more is not shown" in d4.summary_text(st, SLEEP)


def test_repeats_per_profile():
    assert d4.repeats(get_profile("ci")) == 6 and d4.repeats(get_profile("full")) == 8
    smoke = dataclasses.replace(get_profile("ci"), name="smoke")
    assert d4.repeats(smoke) == d4.MIN_REPEATS >= 3  # an SE needs at least 3


def test_time_runs_rotates_the_order_and_varies_the_repeat(monkeypatch):
    calls = []

    def fake(problem, method, *, mode, straggler_sleep, repeat, seed, **kw):
        calls.append((repeat, mode, straggler_sleep > 0))
        assert seed == 11
        thr = 1000.0 / (1 + 10 * straggler_sleep) * (2 if mode == "async" else 1)
        return SimpleNamespace(throughput=thr, t_read=np.zeros(5), t_write=np.full(5, COMPUTE))

    monkeypatch.setattr(d4, "run_lockfree", fake)
    out = d4.time_runs(get_profile("ci", seed=11), 3)
    assert len(calls) == 12 and [c[0] for c in calls] == [0] * 4 + [1] * 4 + [2] * 4
    firsts = [calls[4 * r][1:] for r in range(3)]
    assert len(set(firsts)) == 3  # a different configuration opens each repeat
    assert all(set(c[1:] for c in calls[4 * r : 4 * r + 4]) == set(d4.MODES) for r in range(3))
    assert out[0]["median_update_seconds"] == pytest.approx(COMPUTE)
    assert set(out[0]["updates_per_second"]) == {
        "async none",
        "async straggler",
        "sync none",
        "sync straggler",
    }


def test_a_real_run_at_a_smoke_size():
    """Real processes, 3 repeats of 60 updates: a CheckResult of the right shape, JSON-able,
    with the load average recorded. (The verification suite asserts the controls at the ci
    size.)"""
    sizes = dataclasses.replace(get_profile("ci").adaptive, d4_updates=60)
    prof = dataclasses.replace(get_profile("ci"), name="smoke", adaptive=sizes)
    r = d4.check_straggler_throughput(prof)
    assert isinstance(r, CheckResult) and r.claim == "D4"
    assert len(r.evidence) == 2 and len(r.controls) == 2
    assert r.details["retention"]["repeats"] == 3 and len(r.details["timings"]) == 3
    assert "load_average" in r.details
    assert all(math.isfinite(e.measured) and e.se > 0 for e in r.evidence + r.controls)
    json.dumps(r.as_dict(), allow_nan=True)
