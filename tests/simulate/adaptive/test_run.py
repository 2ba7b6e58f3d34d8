"""The batched stale-read simulation: reads, delays, seeds, checkpoints and bins."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from simulate.adaptive.methods import make_method
from simulate.adaptive.problems import make_problem
from simulate.adaptive.replay import TraceDelay
from simulate.adaptive.run import (
    checkpoint_grid,
    octave_bins,
    simulate_adaptive,
)
from simulate.delays import ParameterServer, parse_delay, ps_delays
from simulate.seeds import Stream, generator
from theory.validation import ParameterError


@dataclass(frozen=True)
class Linear:
    """F(x) = ||x||^2/2 with a noise-free 'stochastic' gradient: grad f(x, xi) = x. Each draw
    consumes one double, so the delay/seed plumbing is exercised while the path is exact."""

    d: int = 2
    spec: str = "linear"

    def draw(self, rng, n):
        return rng.random(n)

    def start(self, rng):
        return np.array([1.0, -0.5])

    def stoch_grad(self, x, xi):
        return x.copy()

    def grad(self, x):
        return np.asarray(x, dtype=float)

    def describe(self):
        return {"problem": "linear", "d": self.d}


def _sgd(eta=0.1):
    return make_method("sgd", eta=eta, schedule="constant")


def test_constant_delay_reads_the_stale_iterate():
    """x_{k+1} = x_k - eta x_{k-tau} (x_{<0} = x_0), recomputed by hand."""
    tau, steps, eta = 3, 40, 0.1
    res = simulate_adaptive(Linear(), _sgd(eta), parse_delay("constant", tau), runs=2,
                            steps=steps, checkpoints=np.arange(steps + 1))  # fmt: skip
    xs = [np.array([1.0, -0.5])]
    for k in range(steps):
        xs.append(xs[k] - eta * xs[max(k - tau, 0)])
    expect = np.array([x @ x for x in xs])
    np.testing.assert_allclose(res.grad2[0], expect, rtol=1e-12)
    np.testing.assert_array_equal(res.grad2[0], res.grad2[1])
    assert res.truncated == 0 and res.delay_stats()["max"] == tau


def test_cap_truncates_and_counts():
    """max_delay below the delay: reads move to x_{k-cap} once k > cap; each is counted."""
    steps = 20
    res = simulate_adaptive(Linear(), _sgd(), parse_delay("constant", 5), runs=1, steps=steps,
                            max_delay=2, checkpoints=np.arange(steps + 1))  # fmt: skip
    assert res.truncated == steps - 3  # k = 3 .. 19 have min(5, k) > 2
    xs = [np.array([1.0, -0.5])]
    for k in range(steps):
        xs.append(xs[k] - 0.1 * xs[max(k - 2, 0)])
    np.testing.assert_allclose(res.grad2[0, -1], xs[-1] @ xs[-1], rtol=1e-12)


def test_a_run_is_the_same_alone_in_a_batch_and_in_any_chunking():
    prob = make_problem("pca")
    method = make_method("normalized", norm_estimate="noisy")
    delay = ParameterServer(3, straggler=2.0)
    kw = {"blocks": "random:3", "steps": 700, "seed": 11}
    batch = simulate_adaptive(prob, method, delay, runs=5, chunk=64, **kw)
    alone = simulate_adaptive(prob, method, delay, run_ids=[3], chunk=1000, **kw)
    np.testing.assert_array_equal(batch.grad2[3], alone.grad2[0])
    np.testing.assert_array_equal(batch.final_x[3], alone.final_x[0])
    other = simulate_adaptive(prob, method, delay, run_ids=[3], seed=12, steps=700,
                              blocks="random:3")  # fmt: skip
    assert not np.array_equal(other.final_x[0], alone.final_x[0])


def test_parameter_server_delays_are_the_models():
    """The lanes' delays are exactly ps_delays of their own delay streams."""
    model = ParameterServer(4)
    res = simulate_adaptive(Linear(), _sgd(0.01), model, runs=3, steps=500, seed=4)
    from simulate.adaptive.run import config_key

    key = config_key(Linear(), _sgd(0.01), model, "full")
    expect = np.zeros_like(res.delay_hist)
    for r in range(3):
        d = np.minimum(ps_delays(model, generator(4, (key, r, int(Stream.DELAY))), 500),
                       np.arange(500))  # fmt: skip
        expect += np.bincount(d, minlength=expect.size)
    np.testing.assert_array_equal(res.delay_hist, expect)


def test_trace_replay_uses_the_trace_in_every_run():
    trace = TraceDelay(np.array([0, 1, 5, 2, 0, 7, 3, 3, 1, 0]))
    res = simulate_adaptive(Linear(), _sgd(), trace, runs=4, steps=10)
    used = np.minimum(trace.delays, np.arange(10))
    np.testing.assert_array_equal(res.delay_hist, 4 * np.bincount(used, minlength=res.cap + 1))
    with pytest.raises(ParameterError, match="steps"):
        simulate_adaptive(Linear(), _sgd(), trace, runs=1, steps=11)
    with pytest.raises(ParameterError, match="delays"):
        TraceDelay(np.array([1, -1]))


def test_divergence_is_flagged():
    res = simulate_adaptive(Linear(), _sgd(3.0), parse_delay("constant", 0), runs=2, steps=200)
    assert res.diverged.all() and np.isinf(res.grad2[:, -1]).all()


def test_checkpoints_bins_and_min_curve():
    g = checkpoint_grid(4096)
    assert g[0] == 0 and g[-1] == 4096 and np.all(np.diff(g) > 0)
    assert set(range(1, 40)) <= set(g.tolist())  # every k while the ratio is below 1 + 1/k
    # bins of a pure power law: bin means follow the same power law (slope -1/2)
    values = np.concatenate([[1.0], g[1:] ** -0.5])[None, :]
    t, m = octave_bins(g, values, per_octave=4)
    assert np.all(np.diff(t) > 0) and m.shape == (1, t.size)
    sel = t > 16
    slope = np.polyfit(np.log(t[sel]), np.log(m[0, sel]), 1)[0]
    assert slope == pytest.approx(-0.5, abs=0.01)  # only the last, partial bin deviates


def test_horizon_schedule_depends_on_the_length():
    prob = make_problem("regression")
    m = make_method("heavy-ball", schedule="horizon")
    a = simulate_adaptive(prob, m, parse_delay("constant", 0), runs=1, steps=256)
    b = simulate_adaptive(prob, m, parse_delay("constant", 0), runs=1, steps=512)
    assert a.method["schedule_spec"] == b.method["schedule_spec"]  # spec names the rule ...
    assert not np.array_equal(a.grad2[0, :5], b.grad2[0, :5])  # ... the step (and seed) differ


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [({"steps": 0}, "steps"), ({"runs": 0}, "runs"), ({"seed": -1}, "seed"),
     ({"blocks": "rows"}, "blocks"), ({"checkpoints": [5, 3]}, "checkpoints")],
)  # fmt: skip
def test_bad_arguments(kwargs, name):
    base = {"runs": 1, "steps": 10}
    with pytest.raises(ParameterError, match=name):
        simulate_adaptive(Linear(), _sgd(), parse_delay("constant", 0), **{**base, **kwargs})
