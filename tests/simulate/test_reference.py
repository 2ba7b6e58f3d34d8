"""The batched engine against the transparent per-run loop, on the same random streams.

Tolerance 1e-12 on v (original coordinates). The two differ only by rounding: the reference
forms (I - w w^T) X X^T w with matrix products in the original coordinates, the engine
c (y - c w) in eigen-coordinates. On a diagonal Sigma (Q a permutation) the rotation is exact;
on a rotated Sigma it adds O(1e-16) per step. With steps inside the C3 delay condition nothing
amplifies rounding, and the observed gap is ~1e-14 (diagonal) and ~1e-13 (rotated) after 2000
steps, so both are tested at 1e-12.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulate import Config, RecordSpec, parse_delay, reference_run, simulate
from simulate.records import QUANTILES
from tests.simulate.conftest import DIAGONAL, ROTATED, stable_eta

TOL = 1e-12
STEPS = 300
RUNS = 2
SEED = 11


def compare_with_reference(
    problem,
    config,
    *,
    distribution="gaussian",
    start="random",
    steps=STEPS,
    runs=RUNS,
    crn=False,
    engine="numpy",
):
    rec = RecordSpec(steps=tuple(range(0, steps + 1, 25)), h=True, delta=0.3, eps=0.2)
    res = simulate(
        problem,
        [config],
        runs=runs,
        steps=steps,
        seed=SEED,
        distribution=distribution,
        start=start,
        records=rec,
        engine=engine,
        crn=crn,
    )[0]
    idx = np.asarray(rec.steps)
    for run in range(runs):
        ref = reference_run(
            problem,
            config,
            steps=steps,
            run=run,
            seed=SEED,
            distribution=distribution,
            start=start,
            crn=crn,
        )
        assert ref.diverged_step == -1 == res.diverged_step[run]
        v_engine = problem.from_eigen(res.h_at[run])
        assert np.max(np.abs(v_engine - ref.v[idx])) <= TOL
        assert np.max(np.abs(problem.from_eigen(res.final_h[run]) - ref.v[-1])) <= TOL
        assert np.max(np.abs(res.error_at[run] - ref.error()[idx])) <= TOL
        assert np.max(np.abs(res.misalignment_at[run] - ref.misalignment()[idx])) <= TOL
        window = ref.error()[steps - round(0.1 * steps) + 1 :]
        assert abs(res.stationary_error[run] - window.mean()) <= TOL
        # phase hitting times from the reference trajectory
        h2 = ref.h**2
        saddle = 1
        assert res.escape_step[run] == ref.first(h2[:, saddle] <= 1 - 0.3**2)
        assert res.convergence_step[run] == ref.first(h2[:, 0] >= 1 - 0.3**2)
        assert res.eps_step[run] == ref.first(h2[:, 1:].sum(axis=1) <= 0.2)
        # realised delays of this run
        assert res.delays.mean[run] == pytest.approx(ref.delays.mean(), rel=1e-14)
        assert res.delays.max[run] == ref.delays.max()
        expected_q = [int(np.quantile(ref.delays, q, method="inverted_cdf")) for q in QUANTILES]
        assert res.delays.quantiles[run].tolist() == expected_q
    return res


@given(
    mu=st.floats(0.0, 0.95),
    tau=st.integers(0, 30),
    fraction=st.floats(0.05, 1.0),
)
def test_engine_matches_reference_diagonal(mu, tau, fraction):
    config = Config(mu, stable_eta(mu, tau, fraction), tau)
    compare_with_reference(DIAGONAL, config)


@given(
    mu=st.floats(0.0, 0.95),
    tau=st.integers(0, 30),
    fraction=st.floats(0.05, 1.0),
)
def test_engine_matches_reference_rotated(mu, tau, fraction):
    config = Config(mu, stable_eta(mu, tau, fraction), tau)
    compare_with_reference(ROTATED, config, start="e2")


@pytest.mark.parametrize(
    "distribution", ["gaussian", "rademacher", "uniform-box", "uniform-ball", "uniform-sphere"]
)
@pytest.mark.parametrize("problem", [DIAGONAL, ROTATED], ids=["diagonal", "rotated"])
def test_every_data_model_matches_reference(problem, distribution):
    config = Config(0.8, stable_eta(0.8, 3, 1.0), 3)
    compare_with_reference(problem, config, distribution=distribution)


@pytest.mark.parametrize(
    ("spec", "tau"),
    [
        ("uniform", 12),
        ("geometric", 4.0),
        ("poisson", 6.0),
        ("pareto:1.5", 3.0),
        ("ps:5", None),
        ("ps:3:lognormal:1.0:straggler:8", None),
    ],
)
def test_random_delays_match_reference(spec, tau):
    config = Config(0.7, stable_eta(0.7, 20, 1.0), parse_delay(spec, tau))
    compare_with_reference(ROTATED, config, crn=True)


def test_renormalised_variant_matches_reference():
    config = Config(0.9, stable_eta(0.9, 4, 1.0), 4, normalize=True)
    res = compare_with_reference(ROTATED, config)
    assert np.allclose(np.linalg.norm(res.h_at, axis=2), 1.0, atol=1e-14)


def test_first_update_has_no_momentum():
    """v_1 = v_0 + eta g(v_0) whatever mu (history v_{-1} = v_0), on the same data."""
    configs = [Config(mu, 0.01, 0) for mu in (0.0, 0.5, 0.99)]
    res = simulate(ROTATED, configs, runs=3, steps=1, seed=3, crn=True, start="random")
    for c in res.configs[1:]:
        assert np.array_equal(c.final_h, res[0].final_h)
    two = simulate(ROTATED, configs, runs=3, steps=2, seed=3, crn=True, start="random")
    assert not np.array_equal(two[1].final_h, two[0].final_h)  # momentum acts from step 2 on


def test_delay_beyond_the_run_always_reads_the_start():
    """tau >= steps: every read is v_0, so with mu = 0 v_K = v_0 + eta sum_k g(v_0, X_k)."""
    from simulate.data import DataSampler
    from simulate.seeds import Stream, generator, run_key

    steps, eta = 40, 0.01
    config = Config(0.0, eta, 1000)
    res = simulate(DIAGONAL, [config], runs=1, steps=steps, seed=4, start="e3")
    sampler = DataSampler.create(DIAGONAL)
    key = run_key(Stream.DATA, config_key=config.key, delay_key=config.delay_key, run=0, crn=False)
    y = sampler.eigen(sampler.draw(generator(4, key), steps))
    h0 = np.array([0.0, 0.0, 1.0, 0.0])
    c = y @ h0
    expected = h0 + eta * np.sum(c[:, None] * (y - c[:, None] * h0), axis=0)
    assert np.max(np.abs(res[0].final_h[0] - expected)) <= 1e-13
    assert res[0].delays.max[0] == steps  # the cap: the run length, which changes no read
    assert res[0].delays.truncated[0] == 0
