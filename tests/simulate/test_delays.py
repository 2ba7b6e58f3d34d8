"""Delay models against their definitions (fixed seeds, stated statistical tolerances)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from simulate import Config, RecordSpec, parse_delay, reference_run, simulate
from simulate import delays as dl
from simulate.delays import (
    ConstantDelay,
    GeometricDelay,
    ParameterServer,
    ParetoDelay,
    PoissonDelay,
    UniformDelay,
)
from tests.simulate.conftest import DIAGONAL
from theory.validation import ParameterError

N_DRAWS = 40_000
P_MIN = 1e-3  # chi-square p-value below which a fixed-seed sample rejects the stated pmf

IID_MODELS = [
    UniformDelay(7),
    GeometricDelay(3.0),
    GeometricDelay(0.4),
    PoissonDelay(4.0),
    PoissonDelay(40.0),
    ParetoDelay(5.0, 2.5),
    ParetoDelay(2.0, 1.2),
]


def chi_square_p(sample: np.ndarray, pmf, min_expected: float = 20.0) -> float:
    """Pearson's test on the bins with expected count >= min_expected, the rest pooled."""
    n = sample.size
    top = int(sample.max())
    k = np.arange(top + 1)
    expected = n * pmf(k)
    observed = np.bincount(sample, minlength=top + 1).astype(float)
    keep = expected >= min_expected
    obs = list(observed[keep])
    exp = list(expected[keep])
    obs.append(n - sum(obs))
    exp.append(n - sum(exp))
    if exp[-1] < min_expected:  # merge a thin remainder into the last kept bin
        extra_obs, extra_exp = obs.pop(), exp.pop()
        obs[-1] += extra_obs
        exp[-1] += extra_exp
    return float(stats.chisquare(obs, exp).pvalue)


@pytest.mark.parametrize("model", IID_MODELS, ids=str)
def test_iid_delays_follow_their_pmf(model):
    rng = np.random.default_rng(2024)
    sample = model.draw(rng, N_DRAWS)
    assert sample.dtype == np.int64 and sample.min() >= 0
    assert chi_square_p(sample, model.pmf) > P_MIN
    # the pmf is a distribution, and its mean is the model's stated mean
    k = np.arange(200_000)
    p = model.pmf(k)
    assert p.sum() == pytest.approx(1.0, abs=2e-3 if isinstance(model, ParetoDelay) else 1e-12)
    if not (isinstance(model, ParetoDelay) and model.alpha < 2):
        assert (k * p).sum() == pytest.approx(model.mean, rel=2e-3)


def test_a_wrong_pmf_is_rejected():
    """The statistical test has power: geometric draws are not Poisson of the same mean."""
    rng = np.random.default_rng(2024)
    sample = GeometricDelay(3.0).draw(rng, N_DRAWS)
    assert chi_square_p(sample, PoissonDelay(3.0).pmf) < 1e-12


@pytest.mark.parametrize("alpha", [1.5, 3.5])
def test_pareto_tail_and_mean(alpha):
    """P(tau >= k) = (1 + k/s)^(-alpha): log-log slope -alpha (E tau^p finite iff p < alpha);
    the sample mean is within 5 standard errors of the stated mean when the variance is finite."""
    m = ParetoDelay(6.0, alpha)
    k = np.array([1e4, 1e6])
    slope = np.diff(np.log(m.survival(k))) / np.diff(np.log(k))
    assert slope[0] == pytest.approx(-alpha, rel=1e-2)
    # the scale solves E tau = sum_{k >= 1} P(tau >= k)
    big = np.arange(1, 2_000_000)
    tail = m.scale**alpha * (2_000_000 + m.scale) ** (1 - alpha) / (alpha - 1)  # integral bound
    assert m.survival(big).sum() + tail == pytest.approx(6.0, rel=1e-3)
    if alpha > 2:
        x = m.draw(np.random.default_rng(5), 200_000)
        se = x.std() / math.sqrt(x.size)
        assert abs(x.mean() - 6.0) <= 5 * se


@pytest.mark.parametrize("model", [*IID_MODELS, ParameterServer(3, "lognormal", 0.5)], ids=str)
def test_delay_stream_does_not_depend_on_block_length(model):
    if isinstance(model, ParameterServer):
        # the engine, 7 updates per block, against the whole schedule in one block
        from simulate.seeds import Stream, generator, run_key

        cfg = Config(0.5, 1e-3, model)
        res = simulate(DIAGONAL, [cfg], runs=1, steps=500, block=7, engine="numpy", seed=9)
        key = run_key(Stream.DELAY, config_key=cfg.key, delay_key=cfg.delay_key, run=0, crn=False)
        whole = dl.ps_delays(model, generator(9, key), 500)
        assert np.array_equal(np.bincount(whole, minlength=res[0].cap + 1), res[0].delays.pooled)
        return
    whole = model.draw(np.random.default_rng(9), 1000)
    rng = np.random.default_rng(9)
    parts = np.concatenate([model.draw(rng, n) for n in (1, 6, 250, 743)])
    assert np.array_equal(whole, parts)


@pytest.mark.parametrize(
    "model",
    [
        ParameterServer(5),
        ParameterServer(4, "lognormal", 1.0),
        ParameterServer(3, straggler=10.0),
        ParameterServer(1),
    ],
    ids=str,
)
def test_parameter_server_engines_and_event_queue_agree(model):
    """The vectorised schedule (NumPy), the compiled one (Numba) and the reference's heap."""
    steps = 2000
    numpy_tau = dl.ps_delays(model, np.random.default_rng(1), steps)
    config = Config(0.5, 1e-3, model)
    ref = reference_run(DIAGONAL, config, steps=steps, run=3, seed=8)
    res = simulate(DIAGONAL, [config], runs=4, steps=steps, seed=8, engine="numpy", block=333)
    hist = np.bincount(ref.delays, minlength=res[0].cap + 1)
    assert res[0].delays.mean[3] == pytest.approx(ref.delays.mean(), rel=1e-14)
    assert res[0].delays.max[3] == ref.delays.max()
    assert hist.sum() == steps and numpy_tau.size == steps
    if model.workers == 1:
        assert not numpy_tau.any()  # one worker: synchronous, delay 0
    pytest.importorskip("numba")
    from simulate import kernels_numba

    rng = np.random.default_rng(1)
    finish, read, scale = dl.ps_start([model], [model.draw_times(rng, model.workers)])
    times = model.draw_times(rng, steps)[None, :]
    out = np.empty((1, steps), dtype=np.int64)
    kernels_numba.ps_advance(finish, read, scale, times, 0, steps, out)
    assert np.array_equal(out[0], numpy_tau)


@pytest.mark.parametrize(
    "model",
    [ParameterServer(6), ParameterServer(4, "lognormal", 1.5, straggler=7.0)],
    ids=str,
)
def test_parameter_server_delay_identity(model):
    """Exact: every write lies in one compute interval of each other worker, so after k updates
    sum(delays) + sum_i (k - read_i) = (W - 1) k, for any compute-time law."""
    rng = np.random.default_rng(3)
    finish, read, scale = dl.ps_start([model], [model.draw_times(rng, model.workers)])
    k = 5000
    out = np.empty((1, k), dtype=np.int64)
    dl.ps_advance(finish, read, scale, model.draw_times(rng, k)[None, :], 0, out)
    in_flight = (k - read[0, : model.workers]).sum()
    assert out.sum() + in_flight == (model.workers - 1) * k


@pytest.mark.parametrize("workers", [2, 4, 8])
def test_parameter_server_equal_exponential_workers_mean_delay(workers):
    """W equal-speed exponential workers: mean delay W - 1 (steady state; the first 20 W updates
    are dropped). Tolerance: 4 standard errors of the mean over 40 independent runs."""
    model = ParameterServer(workers)
    means = []
    for run in range(40):
        tau = dl.ps_delays(model, np.random.default_rng([17, run]), 3000)
        means.append(tau[20 * workers :].mean())
    means = np.array(means)
    se = means.std(ddof=1) / math.sqrt(means.size)
    assert abs(means.mean() - (workers - 1)) <= 4 * se
    assert se < 0.05 * workers  # the test is sharp enough to see a wrong mean


def test_straggler_delays_are_heavier():
    slow = dl.ps_delays(ParameterServer(4, straggler=20.0), np.random.default_rng(0), 20_000)
    even = dl.ps_delays(ParameterServer(4), np.random.default_rng(0), 20_000)
    assert slow.max() > 3 * even.max()
    assert slow.mean() == pytest.approx(3.0, rel=0.05)  # the identity still gives W - 1


def test_engine_delay_statistics_and_truncation():
    """Used delays are min(tau, cap); a read is counted as truncated when the cap moved it."""
    model = GeometricDelay(20.0)
    cap, steps = 15, 400
    config = Config(0.3, 1e-3, model, max_delay=cap)
    res = simulate(DIAGONAL, [config], runs=3, steps=steps, seed=6, engine="numpy")[0]
    from simulate.seeds import Stream, generator, run_key

    for run in range(3):
        key = run_key(Stream.DELAY, config_key=config.key, delay_key=config.delay_key, run=run,
                      crn=False)  # fmt: skip
        drawn = model.draw(generator(6, key), steps)
        k = np.arange(steps)
        used = np.minimum(drawn, cap)
        assert res.delays.truncated[run] == int(((drawn > cap) & (k > cap)).sum()) > 0
        assert res.delays.mean[run] == pytest.approx(used.mean(), rel=1e-14)
        assert res.delays.max[run] == used.max() == cap
    assert res.cap == cap
    assert res.delays.pooled.size == cap + 1


def test_default_caps():
    assert ConstantDelay(5).default_cap() == 5
    assert UniformDelay(9).default_cap() == 9
    g = GeometricDelay(10.0)
    assert (1 - g.p) ** (g.default_cap() + 1) <= dl.TAIL_PROBABILITY
    assert (1 - g.p) ** g.default_cap() > dl.TAIL_PROBABILITY
    p = PoissonDelay(10.0)
    assert stats.poisson.sf(p.default_cap(), 10.0) <= dl.TAIL_PROBABILITY
    par = ParetoDelay(3.0, 2.0)
    assert par.survival(par.default_cap() + 1) <= dl.TAIL_PROBABILITY * 1.0001
    assert ParameterServer(4).default_cap() is None
    # and the engine never uses more than the run length
    res = simulate(DIAGONAL, [Config(0.5, 1e-3, par)], runs=1, steps=50)
    assert res[0].cap == 50


@pytest.mark.parametrize(
    ("spec", "tau", "expected"),
    [
        ("constant", 3, ConstantDelay(3)),
        ("uniform", 4, UniformDelay(4)),
        ("geometric", 2.5, GeometricDelay(2.5)),
        ("Poisson", 7, PoissonDelay(7.0)),
        ("pareto:2.5", 3, ParetoDelay(3.0, 2.5)),
        ("ps:8", None, ParameterServer(8)),
        ("ps:8:lognormal:0.5", None, ParameterServer(8, "lognormal", 0.5)),
        ("ps:3:straggler:10", None, ParameterServer(3, straggler=10.0)),
    ],
)
def test_parse_delay(spec, tau, expected):
    assert parse_delay(spec, tau) == expected


@pytest.mark.parametrize(
    ("spec", "tau", "name"),
    [
        ("gamma", 3, "delay"),
        ("constant", -1, "tau"),
        ("constant", 2.5, "tau"),
        ("uniform", None, "tau"),
        ("geometric", -0.5, "tau"),
        ("poisson", float("nan"), "tau"),
        ("pareto:1.0", 3, "alpha"),
        ("pareto:x", 3, "alpha"),
        ("pareto:2", 0, "tau"),
        ("ps:0", None, "workers"),
        ("ps:two", None, "workers"),
        ("ps:4", 3, "tau"),
        ("ps:4:lognormal", None, "delay"),
        ("ps:4:straggler:0.5", None, "straggler"),
        ("ps:4:lognormal:-1", None, "sigma"),
        ("ps", None, "delay"),
    ],
)
def test_bad_delay_specs(spec, tau, name):
    with pytest.raises(ParameterError) as info:
        parse_delay(spec, tau)
    assert info.value.name == name


def test_delay_records_from_engine_match_definition_for_constant():
    res = simulate(DIAGONAL, [Config(0.5, 1e-3, 12)], runs=2, steps=30, records=RecordSpec())
    s = res.summary(0)
    assert s["delay_mean"] == 12 and s["delay_max"] == 12
    assert s["delay_quantiles"] == {"0.5": 12, "0.9": 12, "0.99": 12}
    assert s["delays_truncated"] == 0


@pytest.mark.parametrize("block", [7, 256])
def test_constant_delays_above_their_cap_count_truncated_reads(block):
    """Issue 17: a constant delay above its cap moves every read from update cap + 1 on, and
    those reads are counted, as for the random laws (whatever the block length)."""
    configs = [
        Config(0.5, 1e-3, 10, max_delay=3),
        Config(0.5, 1e-3, 10),
        Config(0.5, 1e-3, parse_delay("geometric", 20.0), max_delay=5),
        Config(0.5, 1e-3, 10, max_delay=0),
    ]
    runs, steps = 2, 300
    res = simulate(DIAGONAL, configs, runs=runs, steps=steps, seed=3, engine="numpy", block=block)
    assert res[0].delays.truncated.tolist() == [steps - 3 - 1] * runs
    assert res[1].delays.truncated.tolist() == [0] * runs
    assert res[3].delays.truncated.tolist() == [steps - 0 - 1] * runs
    assert res[0].summary()["delays_truncated"] == runs * (steps - 4)
    assert res[2].delays.truncated.min() > 0
    other = simulate(DIAGONAL, configs, runs=runs, steps=steps, seed=3, engine="auto")
    for a, b in zip(res.configs, other.configs, strict=True):
        assert a.delays.truncated.tolist() == b.delays.truncated.tolist()
