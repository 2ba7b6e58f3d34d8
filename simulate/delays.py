"""Delay models tau_k of eq. (5): fixed, i.i.d. random (C11), and a parameter-server schedule.

Update k (the k-th application of eq. (5), k = 0, 1, ...) reads the iterate written ``tau_k``
updates earlier: w = v_{k - tau_k}, and a read before the start returns v_0 (THEORY.md's history
v_{-i} = v_0). The models:

* ``constant(tau)``: tau_k = tau.
* ``uniform(0..m)``: tau_k uniform on {0, ..., m}.
* ``geometric(mean)``: P(tau = k) = p (1 - p)^k, k >= 0, p = 1 / (1 + mean).
* ``poisson(mean)``.
* ``pareto(mean, alpha)`` (heavy-tailed, C11): the floor of a Lomax (Pareto II) variable,
  P(tau >= k) = (1 + k/s)^(-alpha), k >= 0, with the scale s solved so that E tau = mean
  (E tau = s^alpha zeta(alpha, 1 + s), Hurwitz zeta). E tau^p is finite exactly for p < alpha, so
  alpha > 1 is required (finite mean, the moment condition of C11); alpha in (1, 2] gives a finite
  mean and an infinite variance.
* ``ps(W, ...)``: a parameter server with W workers. Every worker reads the current iterate,
  computes for a random time, then writes its update; the delay of an update is the number of
  updates applied between its read and its write. Compute times are i.i.d. with mean 1,
  exponential or log-normal (exp(sigma N - sigma^2/2)), and worker 0 may be a straggler whose
  times are ``straggler`` times longer. The delays come out of this event simulation, not from a
  formula. Whatever the compute-time laws, each write falls in exactly one compute interval of
  every other worker, so sum(delays of completed updates) + sum_i (k - read_i) = (W - 1) k after
  k updates: the long-run mean delay is W - 1 (equal-speed exponential workers: the delay is then
  geometric with mean W - 1 in steady state, since every write is by a uniformly random worker).

Every i.i.d. model turns exactly one double U = Generator.random() into one delay by its inverse
CDF, and the schedule draws one compute time per update (W more at the start), so a run's delays
do not depend on how its stream is cut into blocks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from simulate.names import DELAY_SPEC_HELP
from theory.lazy import lazy_module
from theory.validation import (
    ParameterError,
    check_positive,
    check_positive_int,
    check_tau,
)

optimize = lazy_module("scipy.optimize")
special = lazy_module("scipy.special")
stats = lazy_module("scipy.stats")

# Unbounded i.i.d. laws get a ring-buffer cap at the smallest k with P(tau > k) <= this.
TAIL_PROBABILITY = 1e-12
# The Poisson inverse CDF is a table of about mean + 40 sqrt(mean) entries.
POISSON_MAX_MEAN = 1e6
# Conversion guard: delays above this are clipped before the integer cast (any cap is far below).
_INT_CEILING = float(2**62)

# the --delay help (simulate.names holds it, for the command line)
SPEC_HELP = DELAY_SPEC_HELP


def _check_mean(value: object, name: str = "tau") -> float:
    allowed = f"{name} (the mean delay) must be a finite number >= 0"
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ParameterError(name, value, allowed) from None
    if not (math.isfinite(x) and x >= 0.0):
        raise ParameterError(name, value, allowed)
    return x


def _uniform_to_int(x: np.ndarray) -> np.ndarray:
    return np.minimum(x, _INT_CEILING).astype(np.int64)


@dataclass(frozen=True)
class DelayModel:
    """Base class. ``kind`` is 'constant', 'iid' or 'schedule'."""

    kind: ClassVar[str] = "iid"

    @property
    def spec(self) -> str:
        """Canonical text: the model's identity in seeds (:func:`simulate.seeds.stable_key`)."""
        raise NotImplementedError

    @property
    def mean(self) -> float:
        """E tau of the model (before any ring-buffer cap); NaN when only the schedule knows."""
        raise NotImplementedError

    @property
    def bound(self) -> int | None:
        """The largest possible delay, or None when unbounded."""
        return None

    def default_cap(self) -> int | None:
        """Ring-buffer cap: the bound, or the (1 - TAIL_PROBABILITY) quantile; None: no cap."""
        return self.bound

    def __str__(self) -> str:
        return self.spec


@dataclass(frozen=True)
class IIDDelay(DelayModel):
    """An i.i.d. delay law with an exact pmf and an inverse CDF on one uniform double."""

    def from_uniform(self, u: np.ndarray) -> np.ndarray:
        """Delays (int64) from U in [0, 1): the inverse CDF."""
        raise NotImplementedError

    def pmf(self, k: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """n delays, consuming exactly n doubles of ``rng``."""
        return self.from_uniform(rng.random(n))

    @property
    def finite_moments(self) -> str:
        return "all moments finite"


@dataclass(frozen=True)
class ConstantDelay(DelayModel):
    tau: int
    kind: ClassVar[str] = "constant"

    def __post_init__(self) -> None:
        object.__setattr__(self, "tau", check_tau(self.tau))

    @property
    def spec(self) -> str:
        return f"constant({self.tau})"

    @property
    def mean(self) -> float:
        return float(self.tau)

    @property
    def bound(self) -> int:
        return self.tau


@dataclass(frozen=True)
class UniformDelay(IIDDelay):
    """tau uniform on {0, ..., tau_max}: floor((tau_max + 1) U)."""

    tau_max: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "tau_max", check_tau(self.tau_max, "tau"))

    @property
    def spec(self) -> str:
        return f"uniform(0..{self.tau_max})"

    @property
    def mean(self) -> float:
        return self.tau_max / 2.0

    @property
    def bound(self) -> int:
        return self.tau_max

    def from_uniform(self, u: np.ndarray) -> np.ndarray:
        # the product can round up to tau_max + 1 when U is within 2^-53 of 1
        return np.minimum(np.floor(u * (self.tau_max + 1)), self.tau_max).astype(np.int64)

    def pmf(self, k: np.ndarray) -> np.ndarray:
        k = np.asarray(k)
        return np.where((k >= 0) & (k <= self.tau_max), 1.0 / (self.tau_max + 1), 0.0)


@dataclass(frozen=True)
class GeometricDelay(IIDDelay):
    """P(tau = k) = p (1-p)^k, k >= 0, p = 1/(1 + mean): floor(log(1-U) / log(1-p))."""

    mean_delay: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "mean_delay", _check_mean(self.mean_delay))

    @property
    def p(self) -> float:
        return 1.0 / (1.0 + self.mean_delay)

    @property
    def spec(self) -> str:
        return f"geometric(mean={self.mean_delay!r})"

    @property
    def mean(self) -> float:
        return self.mean_delay

    def default_cap(self) -> int:
        if self.mean_delay == 0.0:
            return 0
        # P(tau > k) = (1-p)^(k+1)
        return max(0, math.ceil(math.log(TAIL_PROBABILITY) / math.log1p(-self.p)) - 1)

    def from_uniform(self, u: np.ndarray) -> np.ndarray:
        if self.mean_delay == 0.0:
            return np.zeros(np.shape(u), dtype=np.int64)
        # 1 - U lies in (0, 1], so the log is finite: P(tau >= k) = P(1-U <= (1-p)^k) = (1-p)^k
        return _uniform_to_int(np.floor(np.log1p(-u) / math.log1p(-self.p)))

    def pmf(self, k: np.ndarray) -> np.ndarray:
        k = np.asarray(k)
        return np.where(k >= 0, self.p * (1.0 - self.p) ** np.maximum(k, 0), 0.0)


@dataclass(frozen=True)
class PoissonDelay(IIDDelay):
    """tau ~ Poisson(mean): inverse CDF by search in a table that reaches CDF = 1.0 exactly."""

    mean_delay: float
    _cdf: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        lam = _check_mean(self.mean_delay)
        if lam > POISSON_MAX_MEAN:
            raise ParameterError(
                "tau",
                self.mean_delay,
                f"the poisson delay's mean must be <= {POISSON_MAX_MEAN:.0e} (its inverse-CDF "
                "table holds about that many entries); geometric or pareto take longer delays",
            )
        object.__setattr__(self, "mean_delay", lam)
        n = int(lam + 40.0 * math.sqrt(lam) + 50.0)
        while True:
            cdf = stats.poisson.cdf(np.arange(n), lam) if lam > 0 else np.ones(1)
            if cdf[-1] == 1.0:
                break
            n *= 2
        cdf.setflags(write=False)
        object.__setattr__(self, "_cdf", cdf)

    @property
    def spec(self) -> str:
        return f"poisson(mean={self.mean_delay!r})"

    @property
    def mean(self) -> float:
        return self.mean_delay

    def default_cap(self) -> int:
        if self.mean_delay == 0.0:
            return 0
        return int(stats.poisson.isf(TAIL_PROBABILITY, self.mean_delay))

    def from_uniform(self, u: np.ndarray) -> np.ndarray:
        # tau = k exactly when CDF(k-1) <= U < CDF(k); U < 1 = the table's last entry
        return np.searchsorted(self._cdf, u, side="right").astype(np.int64)

    def pmf(self, k: np.ndarray) -> np.ndarray:
        return stats.poisson.pmf(k, self.mean_delay)


@dataclass(frozen=True)
class ParetoDelay(IIDDelay):
    """Heavy-tailed (C11): P(tau >= k) = (1 + k/s)^(-alpha); E tau^p < inf iff p < alpha."""

    mean_delay: float
    alpha: float
    scale: float = field(init=False)

    def __post_init__(self) -> None:
        m = _check_mean(self.mean_delay)
        if not m > 0.0:
            raise ParameterError("tau", self.mean_delay, "the pareto delay needs a mean tau > 0")
        allowed = "the pareto tail index must be a finite number > 1 (a finite mean, C11)"
        try:
            a = float(self.alpha)
        except (TypeError, ValueError):
            raise ParameterError("alpha", self.alpha, allowed) from None
        if not (math.isfinite(a) and a > 1.0):
            raise ParameterError("alpha", self.alpha, allowed)
        object.__setattr__(self, "mean_delay", m)
        object.__setattr__(self, "alpha", a)
        object.__setattr__(self, "scale", _pareto_scale(m, a))

    @property
    def spec(self) -> str:
        return f"pareto(mean={self.mean_delay!r},alpha={self.alpha!r})"

    @property
    def mean(self) -> float:
        return self.mean_delay

    @property
    def finite_moments(self) -> str:
        return f"E tau^p finite exactly for p < alpha = {self.alpha:g}"

    def survival(self, k: np.ndarray) -> np.ndarray:
        """P(tau >= k) for k >= 0."""
        return (1.0 + np.maximum(np.asarray(k, dtype=float), 0.0) / self.scale) ** -self.alpha

    def default_cap(self) -> int:
        # P(tau > k) = P(tau >= k+1) <= TAIL_PROBABILITY
        k = self.scale * (TAIL_PROBABILITY ** (-1.0 / self.alpha) - 1.0)
        return int(min(math.ceil(k), _INT_CEILING))

    def from_uniform(self, u: np.ndarray) -> np.ndarray:
        # 1 - U in (0, 1]: P(s((1-U)^(-1/alpha) - 1) >= k) = P(1-U <= (1 + k/s)^(-alpha))
        x = self.scale * ((1.0 - u) ** (-1.0 / self.alpha) - 1.0)
        return _uniform_to_int(np.floor(x))

    def pmf(self, k: np.ndarray) -> np.ndarray:
        k = np.asarray(k)
        return np.where(k >= 0, self.survival(k) - self.survival(k + 1), 0.0)


def _pareto_mean(scale: float, alpha: float) -> float:
    # sum_{k>=1} (1 + k/s)^(-alpha) = s^alpha zeta(alpha, 1 + s)
    return float(scale**alpha * special.zeta(alpha, 1.0 + scale))


def _pareto_scale(mean: float, alpha: float) -> float:
    """The Lomax scale s whose floored variable has the given mean (monotone in s)."""
    try:
        hi = (mean + 1.0) * (alpha - 1.0) * 4.0 + 10.0
        while _pareto_mean(hi, alpha) < mean:
            hi *= 2.0
        scale = optimize.brentq(lambda s: _pareto_mean(s, alpha) - mean, 1e-12, hi, xtol=1e-14)
    except (OverflowError, ValueError, RuntimeError):
        # s^alpha overflows (a huge mean, or a huge tail index) before the mean is reached
        scale = math.nan
    if not (math.isfinite(scale) and scale > 0.0):
        raise ParameterError(
            "tau",
            mean,
            f"a pareto mean delay whose scale can be computed for alpha = {alpha:g} (this one "
            "overflows a double; a mean delay beyond the run length changes nothing anyway)",
        )
    return float(scale)


@dataclass(frozen=True)
class ParameterServer(DelayModel):
    """W workers, i.i.d. compute times of mean 1 (worker 0 ``straggler`` times slower)."""

    workers: int
    times: str = "exponential"
    sigma: float = 1.0
    straggler: float = 1.0
    kind: ClassVar[str] = "schedule"
    TIMES: ClassVar[tuple[str, ...]] = ("exponential", "lognormal")

    def __post_init__(self) -> None:
        object.__setattr__(self, "workers", check_positive_int("workers", self.workers))
        if self.times not in self.TIMES:
            raise ParameterError("times", self.times, "compute times exponential or lognormal")
        object.__setattr__(self, "sigma", check_positive("sigma", self.sigma))
        allowed = "a slowdown factor >= 1 (a finite number)"
        try:
            f = float(self.straggler)
        except (TypeError, ValueError):
            raise ParameterError("straggler", self.straggler, allowed) from None
        if not (math.isfinite(f) and f >= 1.0):
            raise ParameterError("straggler", self.straggler, allowed)
        object.__setattr__(self, "straggler", f)

    @property
    def spec(self) -> str:
        parts = [f"W={self.workers}"]
        parts.append("exponential" if self.times == "exponential" else f"lognormal({self.sigma!r})")
        if self.straggler != 1.0:
            parts.append(f"straggler={self.straggler!r}")
        return "ps(" + ",".join(parts) + ")"

    @property
    def mean(self) -> float:
        """Long-run mean W - 1 for any compute-time law (see the module docstring)."""
        return float(self.workers - 1)

    def worker_scales(self, width: int | None = None) -> np.ndarray:
        """Mean compute time per worker; padded with 0 up to ``width`` (padding never runs)."""
        scales = np.zeros(width or self.workers)
        scales[: self.workers] = 1.0
        scales[0] = self.straggler
        return scales

    def draw_times(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """n unit-mean compute times: one standard exponential or normal each."""
        if self.times == "exponential":
            return rng.standard_exponential(n)
        return np.exp(self.sigma * rng.standard_normal(n) - 0.5 * self.sigma**2)


def ps_start(
    models: list[ParameterServer], first_times: list[np.ndarray]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Schedule state of several lanes at time 0: every worker has read v_0.

    Returns (finish, read, scale), each (lanes, W_max): the time each worker writes next, the
    iterate index it read (int64) and its mean compute time; missing workers finish at +inf.
    """
    width = max(m.workers for m in models)
    finish = np.full((len(models), width), np.inf)
    scale = np.zeros((len(models), width))
    for i, (m, t) in enumerate(zip(models, first_times, strict=True)):
        scale[i] = m.worker_scales(width)
        finish[i, : m.workers] = scale[i, : m.workers] * t
    read = np.zeros(finish.shape, dtype=np.int64)
    return finish, read, scale


def ps_advance(
    finish: np.ndarray,
    read: np.ndarray,
    scale: np.ndarray,
    times: np.ndarray,
    k0: int,
    out: np.ndarray,
) -> None:
    """Run updates k0 .. k0 + nb - 1 of the schedule (NumPy, all lanes at once), in place.

    At each update the worker with the earliest finish time writes (ties: lowest index); its delay
    is k - (the index it read); it then reads v_{k+1} and computes for scale * times[:, j].
    ``out[:, j]`` receives the delays. :func:`simulate.kernels_numba.ps_advance` is the same loop
    compiled; both consume the same times and agree exactly.
    """
    lanes = np.arange(finish.shape[0])
    for j in range(times.shape[1]):
        k = k0 + j
        who = np.argmin(finish, axis=1)
        out[:, j] = k - read[lanes, who]
        read[lanes, who] = k + 1
        finish[lanes, who] += scale[lanes, who] * times[:, j]


def ps_delays(model: ParameterServer, rng: np.random.Generator, steps: int) -> np.ndarray:
    """One run's delay sequence (NumPy schedule), consuming its delay stream like the engine."""
    finish, read, scale = ps_start([model], [model.draw_times(rng, model.workers)])
    out = np.empty((1, steps), dtype=np.int64)
    ps_advance(finish, read, scale, model.draw_times(rng, steps)[None, :], 0, out)
    return out[0]


def parse_delay(spec: str, tau: float | None = None) -> DelayModel:
    """A delay model from its command-line text (``--delay``) and ``--tau``.

    ``constant``/``uniform`` take tau as the delay/the maximum, ``geometric``/``poisson`` as the
    mean, ``pareto:ALPHA`` as the mean with tail index ALPHA; ``ps:W[:lognormal:SIGMA]
    [:straggler:FACTOR]`` takes no tau (its delays come from the schedule).
    """
    if not isinstance(spec, str) or not spec:
        raise ParameterError("delay", spec, SPEC_HELP)
    parts = spec.strip().lower().split(":")
    name, args = parts[0], parts[1:]
    if name == "ps":
        if tau is not None:
            raise ParameterError(
                "tau", tau, "no --tau with a parameter server: its delays come from the schedule"
            )
        return _parse_ps(spec, args)
    if tau is None:
        raise ParameterError("tau", tau, f"the {name} delay model needs --tau")
    if name == "constant" and not args:
        return ConstantDelay(check_tau(tau))
    if name == "uniform" and not args:
        return UniformDelay(check_tau(tau))
    if name == "geometric" and not args:
        return GeometricDelay(_check_mean(tau))
    if name == "poisson" and not args:
        return PoissonDelay(_check_mean(tau))
    if name == "pareto" and len(args) == 1:
        try:
            alpha = float(args[0])
        except ValueError:
            raise ParameterError(
                "alpha", args[0], "a tail index > 1 (a finite number), as in pareto:2.5"
            ) from None
        return ParetoDelay(_check_mean(tau), alpha)
    raise ParameterError("delay", spec, SPEC_HELP)


def _parse_ps(spec: str, args: list[str]) -> ParameterServer:
    if not args:
        raise ParameterError("delay", spec, "ps:W with W >= 1 workers, e.g. ps:8")
    try:
        workers = int(args[0])
    except ValueError:
        raise ParameterError("workers", args[0], "an integer number of workers >= 1") from None
    kwargs: dict[str, object] = {}
    rest = args[1:]
    while rest:
        key = rest.pop(0)
        if key not in ("lognormal", "straggler") or not rest:
            raise ParameterError("delay", spec, SPEC_HELP)
        try:
            value = float(rest.pop(0))
        except ValueError:
            raise ParameterError("delay", spec, SPEC_HELP) from None
        if key == "lognormal":
            kwargs.update(times="lognormal", sigma=value)
        else:
            kwargs["straggler"] = value
    return ParameterServer(workers, **kwargs)  # type: ignore[arg-type]
