"""D1's replay item (claim D1, Gratton & Toint 2026, abstract; issue 14 of the project): the SE
of "real runs minus the replays of their traces", on synthetic clustered data whose answer is
known. The 50-seed calibration found the item's |z| high (mean 1.14 against the half-normal's
0.80). One cause was the SE: a pooled SD of 4 real runs and 64 replays, right only if the real
runs vary like the replays (the other was the real tail's weighting by wall time, tested in
tests/simulate/adaptive/test_lockfree.py). These tests would have caught the first: the pooled
SE is too small where the real runs are the noisier side, the SE over clusters is right whatever
the real-run, replay and between-trace variances are."""

from __future__ import annotations

import math

import numpy as np
import pytest

from checks.profile import Z
from checks.stats import cluster_difference, student_factor


def _draw(rng, k, per, sd_real, sd_rep, sd_trace, shared):
    """k clusters: a trace effect b_i (shared by the real run and its replays when ``shared``,
    else in the replays only), real_i = b_i + e_i, replay_ij = b_i + e_ij; true difference 0."""
    b = sd_trace * rng.standard_normal(k)
    real = (b if shared else 0.0) + sd_real * rng.standard_normal(k)
    reps = b[:, None] + sd_rep * rng.standard_normal((k, per))
    return real, reps


def _pooled_se(real, reps):
    """The former SE: pooled SD of the real runs and all replays, sqrt(1/n1 + 1/n2)."""
    sim = reps.ravel()
    n1, n2 = real.size, sim.size
    sd = math.sqrt(((n1 - 1) * real.var(ddof=1) + (n2 - 1) * sim.var(ddof=1)) / (n1 + n2 - 2))
    return sd * math.sqrt(1 / n1 + 1 / n2)


@pytest.mark.parametrize(
    ("sd_real", "sd_rep", "sd_trace", "shared"),
    [
        (0.4, 0.25, 0.0, True),  # the real runs noisier than the replays (the machine's noise)
        (0.2, 0.25, 0.2, False),  # replays of one trace correlated, the real run not
        (0.3, 0.25, 0.3, True),  # a trace effect shared by a run and its replays
    ],
)
def test_the_se_over_clusters_is_the_sd_of_the_difference(sd_real, sd_rep, sd_trace, shared):
    """Over 4000 data sets of D1's CI shape (24 traces x 2 replays): the mean squared SE equals
    the difference's variance (to 6 %), whose exact value is known here."""
    rng = np.random.default_rng(14)
    k, per, n = 24, 2, 4000
    diffs, se2 = np.empty(n), np.empty(n)
    for i in range(n):
        real, reps = _draw(rng, k, per, sd_real, sd_rep, sd_trace, shared)
        d = cluster_difference(real, reps)
        assert d.clusters == k and d.df == k - 1
        diffs[i], se2[i] = d.measured - d.theory, d.se**2
    exact = (sd_real**2 + sd_rep**2 / per + (0.0 if shared else sd_trace**2)) / k
    assert diffs.var() == pytest.approx(exact, rel=0.06)
    assert se2.mean() == pytest.approx(exact, rel=0.06)


def test_the_pooled_se_was_too_small_where_the_real_runs_are_noisier():
    """The former design (4 real runs, 64 replays, pooled SD): with real runs 2.2x as variable
    as the replays (what the calibration's |z| implies) the pooled SE is about 1.4x too small,
    while the SE over clusters is not (it has 3 df there, hence D1's 24 traces)."""
    rng = np.random.default_rng(7)
    n = 4000
    diffs, pooled, clustered = np.empty(n), np.empty(n), np.empty(n)
    for i in range(n):
        real, reps = _draw(rng, 4, 16, 0.25 * math.sqrt(2.2), 0.25, 0.0, True)
        diffs[i] = real.mean() - reps.mean()
        pooled[i] = _pooled_se(real, reps)
        clustered[i] = cluster_difference(real, reps).se
    ratio = diffs.std() / math.sqrt(np.mean(pooled**2))
    assert 1.3 < ratio < 1.5
    assert diffs.std() / math.sqrt(np.mean(clustered**2)) == pytest.approx(1.0, abs=0.06)


def test_the_student_factor_keeps_the_suite_level():
    """t(df) at the two-sided level of the suite's z: above z for few clusters, z in the limit."""
    assert student_factor(Z, 23) > student_factor(Z, 100) > Z
    assert student_factor(Z, 10**6) == pytest.approx(Z, rel=1e-4)
    assert student_factor(Z, 0) == math.inf


def test_cluster_counts_must_match():
    with pytest.raises(ValueError):
        cluster_difference([1.0, 2.0], [[1.0], [2.0], [3.0]])
