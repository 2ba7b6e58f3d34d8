"""Asynchronous adaptive block methods (D1, D2): step schedules, update rules, their state.

Notation. Update k (k = 0, 1, ...) writes x_{k+1}. It reads the possibly stale iterate
w_k = x_{k - tau_k} (tau_k from a delay model), picks a block S_k of coordinates (mask
``1_S``), draws xi_k and computes the block stochastic gradient g_k = 1_S * grad f(w_k, xi_k)
(zero off the block). The method state (momentum, accumulators) lives with the shared iterate
and is *current*: it is updated in the order of the writes, only the gradient is stale (the
convention of eq. (5), where the momentum term uses the current iterates and only the gradient
sees the delay). Every per-coordinate quantity is updated on S_k only; n_{k,j} counts the
updates that touched coordinate j.

Step size eta_k (:class:`Schedule`): ``constant`` eta_k = eta; ``sqrt`` (diminishing)
eta_k = eta / sqrt(1 + k/k0); ``horizon`` (a fixed step tuned to the run length T)
eta_k = eta / sqrt(1 + T/k0) for every k < T.

Momentum m_k (on S_k; m_{-1} = 0):

* ``none``: m_k = g_k.
* ``heavy-ball``: m_k = beta m_{k-1} + g_k. With a constant step and full blocks this is
  exactly Polyak's x_{k+1} = x_k - eta g_k + beta (x_k - x_{k-1}).
* ``ema`` (Adam's first moment): m_k = beta m_{k-1} + (1 - beta) g_k, bias-corrected
  per coordinate: mhat_{k,j} = m_{k,j} / (1 - beta^{n_{k,j}}).

Scaling D_k (scalar or diagonal; from the gradients, except the normalised step's, which
estimates the momentum's norm):

* ``none``: D_k = 1 (plain SGD / heavy ball: the non-adaptive reference).
* ``adagrad-norm`` (scalar): b_k^2 = b_{k-1}^2 + ||g_k||^2, b_{-1} = b0; D_k = 1/b_k.
* ``adagrad`` (diagonal): a_{k,j} = a_{k-1,j} + g_{k,j}^2; D_{k,j} = 1/sqrt(b0^2 + a_{k,j}).
* ``rmsprop`` (diagonal, Adam's second moment): v_{k,j} = beta2 v_{k-1,j} + (1-beta2) g_{k,j}^2,
  vhat_{k,j} = v_{k,j} / (1 - beta2^{n_{k,j}}); D_{k,j} = 1/(sqrt(vhat_{k,j}) + eps).
* ``normalized`` (inexact normalisation): D_k = 1/max(nu_k, nu_min), nu_k an estimate of
  ||mhat_k|| (the whole momentum vector; g_k when there is no momentum):

  - ``current``: nu_k = ||mhat_k|| (exact normalisation of the direction);
  - ``stale``: nu_k = ||mhat_{k - tau_k - 1}||, the norm published with the iterate the
    update read (||mhat_k|| when the read is x_0, before any momentum exists);
  - ``noisy``: nu_k = ||mhat_k|| exp(s zeta_k - s^2/2), zeta_k ~ N(0, 1) (a unit-mean
    log-normal relative error of spread s, e.g. an approximate or quantised reduction);
  - ``ema``: nu_k^2 = EMA_{beta2}(||g||^2), bias-corrected: a running estimate of E||g||^2,
    which overestimates ||grad F||^2 by the noise variance.

Update: x_{k+1} = x_k - eta_k 1_S * D_k * mhat_k (mhat = m unless ``ema`` momentum).

Presets (:data:`PRESETS`; defaults chosen so that CI-length runs of the problems of
:mod:`simulate.adaptive.problems` reach their asymptotic regime): ``sgd`` (sqrt, eta 0.1),
``heavy-ball`` (beta 0.9, sqrt, eta 0.01), ``adagrad-norm`` (constant eta 1, b0 1), ``adagrad``
(constant eta 0.5, b0 1), ``rmsprop`` (beta2 0.99, eps 1e-8, sqrt, eta 0.02), ``adam`` (ema
momentum beta 0.9 + rmsprop, sqrt, eta 0.02), ``normalized`` (ema momentum beta 0.9, the stale
estimate, sqrt, eta 0.02; eta 0.05 with the ema estimate). All schedules use k0 = 100.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np

from simulate.adaptive.names import MOMENTA, NORM_ESTIMATES, PRESETS, SCALINGS, SCHEDULES
from theory.validation import ParameterError, check_positive

# MOMENTA ... SCHEDULES and PRESETS live in simulate.adaptive.names (for the command line)
__all__ = [
    "MOMENTA",
    "NORMALIZED_EMA_ETA",
    "NORM_ESTIMATES",
    "PRESETS",
    "SCALINGS",
    "SCHEDULES",
    "Method",
    "MethodState",
    "Schedule",
    "make_method",
    "step",
]


def _check_unit(name: str, value: object, *, closed_low: bool = True) -> float:
    low = "[0, 1)" if closed_low else "(0, 1)"
    allowed = f"{name} must lie in {low}"
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ParameterError(name, value, allowed) from None
    ok = (0.0 <= x < 1.0) if closed_low else (0.0 < x < 1.0)
    if not (math.isfinite(x) and ok):
        raise ParameterError(name, value, allowed)
    return x


def _check_choice(name: str, value: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise ParameterError(name, value, "one of " + ", ".join(choices))
    return value


@dataclass(frozen=True)
class Schedule:
    """eta_k: ``constant`` eta; ``sqrt`` eta/sqrt(1 + k/k0); ``horizon`` eta/sqrt(1 + T/k0)."""

    kind: str = "constant"
    eta: float = 0.1
    k0: float = 100.0
    horizon: int | None = None  # T, for kind "horizon" (set by the run from its length)

    def __post_init__(self) -> None:
        _check_choice("schedule", self.kind, SCHEDULES)
        object.__setattr__(self, "eta", check_positive("eta", self.eta))
        object.__setattr__(self, "k0", check_positive("k0", self.k0))

    def for_horizon(self, steps: int) -> Schedule:
        """The schedule of a run of ``steps`` updates (only ``horizon`` depends on it)."""
        return replace(self, horizon=steps) if self.kind == "horizon" else self

    def eta_at(self, k: int) -> float:
        if self.kind == "constant":
            return self.eta
        if self.kind == "sqrt":
            return self.eta / math.sqrt(1.0 + k / self.k0)
        if self.horizon is None:
            raise ParameterError("horizon", None, "a run length T for the horizon schedule")
        return self.eta / math.sqrt(1.0 + self.horizon / self.k0)

    @property
    def spec(self) -> str:
        if self.kind == "constant":
            return f"constant(eta={self.eta!r})"
        return f"{self.kind}(eta={self.eta!r},k0={self.k0!r})"


@dataclass(frozen=True)
class Method:
    """One method of the class: momentum x scaling x schedule (see the module docstring)."""

    name: str
    momentum: str = "none"
    scaling: str = "none"
    schedule: Schedule = field(default_factory=Schedule)
    beta: float = 0.9
    beta2: float = 0.99
    b0: float = 1.0
    eps: float = 1e-8
    norm_estimate: str = "current"
    noise: float = 0.5  # s of the ``noisy`` norm estimate
    nu_min: float = 1e-8

    def __post_init__(self) -> None:
        _check_choice("momentum", self.momentum, MOMENTA)
        _check_choice("scaling", self.scaling, SCALINGS)
        _check_choice("norm_estimate", self.norm_estimate, NORM_ESTIMATES)
        object.__setattr__(self, "beta", _check_unit("beta", self.beta))
        object.__setattr__(self, "beta2", _check_unit("beta2", self.beta2, closed_low=False))
        for name in ("b0", "eps", "noise", "nu_min"):
            object.__setattr__(self, name, check_positive(name, getattr(self, name)))

    @property
    def spec(self) -> str:
        """Canonical text of everything that defines the dynamics (a seed key)."""
        parts = [self.momentum, self.scaling, self.schedule.spec]
        if self.momentum != "none":
            parts.append(f"beta={self.beta!r}")
        if self.scaling in ("adagrad-norm", "adagrad"):
            parts.append(f"b0={self.b0!r}")
        if self.scaling == "rmsprop" or self.norm_estimate == "ema":
            parts.append(f"beta2={self.beta2!r}")
        if self.scaling == "rmsprop":
            parts.append(f"eps={self.eps!r}")
        if self.scaling == "normalized":
            parts.append(f"nu={self.norm_estimate}")
            if self.norm_estimate == "noisy":
                parts.append(f"s={self.noise!r}")
        return f"{self.name}[" + ",".join(parts) + "]"

    @property
    def needs_stale_norm(self) -> bool:
        return self.scaling == "normalized" and self.norm_estimate == "stale"

    @property
    def needs_noise(self) -> bool:
        return self.scaling == "normalized" and self.norm_estimate == "noisy"

    def describe(self) -> dict[str, object]:
        return {
            "name": self.name,
            "momentum": self.momentum,
            "beta": self.beta if self.momentum != "none" else None,
            "scaling": self.scaling,
            "norm_estimate": self.norm_estimate if self.scaling == "normalized" else None,
            "schedule": self.schedule.kind,
            "eta": self.schedule.eta,
            "k0": self.schedule.k0,
            "spec": self.spec,
        }


NORMALIZED_EMA_ETA = 0.05


def make_method(
    name: str,
    *,
    eta: float | None = None,
    schedule: str | None = None,
    k0: float | None = None,
    **overrides: object,
) -> Method:
    """A preset of :data:`PRESETS`, any :class:`Method` field overridden (None: the preset's).

    The ``normalized`` preset with ``norm_estimate="ema"`` defaults to eta =
    :data:`NORMALIZED_EMA_ETA`: that estimate includes the gradient noise, so at equal eta its
    steps are smaller.
    """
    if name not in PRESETS:
        raise ParameterError("method", name, "one of " + ", ".join(PRESETS))
    momentum, scaling, kind, eta0, extra = PRESETS[name]
    fields: dict[str, object] = {"momentum": momentum, "scaling": scaling, **extra}
    fields.update({k: v for k, v in overrides.items() if v is not None})
    if eta is None and fields["scaling"] == "normalized" and fields.get("norm_estimate") == "ema":
        eta0 = NORMALIZED_EMA_ETA
    fields["schedule"] = Schedule(
        kind=schedule or kind,
        eta=eta0 if eta is None else eta,
        k0=100.0 if k0 is None else k0,
    )
    return Method(name, **fields)  # type: ignore[arg-type]


@dataclass
class MethodState:
    """The state of ``lanes`` independent copies of a method (arrays may be shared memory).

    m (lanes, d): momentum; acc (lanes, d): AdaGrad sums or RMSProp EMA; count (lanes, d): n_{k,j};
    b2 (lanes,): AdaGrad-Norm's b_k^2 (or the EMA of ||g||^2 of the ``ema`` norm estimate);
    steps (lanes,): updates applied; norm (lanes,): ||mhat_k|| of the last update (what the
    ``stale`` estimate publishes with each iterate).
    """

    m: np.ndarray
    acc: np.ndarray
    count: np.ndarray
    b2: np.ndarray
    steps: np.ndarray
    norm: np.ndarray

    @classmethod
    def zeros(cls, method: Method, lanes: int, d: int) -> MethodState:
        b2 = np.full(lanes, method.b0**2 if method.scaling == "adagrad-norm" else 0.0)
        return cls(
            m=np.zeros((lanes, d)),
            acc=np.zeros((lanes, d)),
            count=np.zeros((lanes, d)),
            b2=b2,
            steps=np.zeros(lanes),
            norm=np.zeros(lanes),
        )


def _rows_norm(a: np.ndarray) -> np.ndarray:
    return np.sqrt(np.einsum("ij,ij->i", a, a))


def step(
    method: Method,
    state: MethodState,
    g: np.ndarray,
    mask: np.ndarray,
    eta: float,
    *,
    stale_norm: np.ndarray | None = None,
    zeta: np.ndarray | None = None,
) -> np.ndarray:
    """Update ``state`` in place with the block gradients ``g`` (lanes, d), zero off ``mask``,
    and return the displacement x_{k+1} - x_k (zero off the block).

    ``stale_norm`` (lanes,) is ||mhat|| as published with the iterate read (NaN: none yet), for
    the ``stale`` estimate; ``zeta`` (lanes,) standard normals for the ``noisy`` one.
    """
    on = mask.astype(bool)
    np.add(state.count, on, out=state.count)
    state.steps += 1.0
    # momentum, on the block only; ``full`` is the whole (bias-corrected) momentum vector
    if method.momentum == "none":
        full = g
    elif method.momentum == "heavy-ball":
        state.m[on] = method.beta * state.m[on] + g[on]
        full = state.m
    else:
        state.m[on] = method.beta * state.m[on] + (1.0 - method.beta) * g[on]
        # m_j = 0 wherever n_j = 0, so the clamp only avoids 0/0
        full = state.m / (1.0 - method.beta ** np.maximum(state.count, 1.0))
    direction = full if method.momentum == "none" else full * on
    state.norm[:] = _rows_norm(full)
    # scaling, from the gradient (the normalised step: from the momentum's norm estimate)
    s = method.scaling
    scale: np.ndarray | float
    if s == "none":
        scale = 1.0
    elif s == "adagrad-norm":
        state.b2 += np.einsum("ij,ij->i", g, g)
        scale = (1.0 / np.sqrt(state.b2))[:, None]
    elif s == "adagrad":
        np.add(state.acc, g * g, out=state.acc)
        scale = 1.0 / np.sqrt(method.b0**2 + state.acc)
    elif s == "rmsprop":
        b2 = method.beta2
        state.acc[on] = b2 * state.acc[on] + (1.0 - b2) * g[on] ** 2
        vhat = state.acc / (1.0 - b2 ** np.maximum(state.count, 1.0))
        scale = 1.0 / (np.sqrt(vhat) + method.eps)
    else:
        nu = _norm_estimate(method, state, g, stale_norm, zeta)
        scale = (1.0 / np.maximum(nu, method.nu_min))[:, None]
    return -eta * direction * scale


def _norm_estimate(
    method: Method,
    state: MethodState,
    g: np.ndarray,
    stale_norm: np.ndarray | None,
    zeta: np.ndarray | None,
) -> np.ndarray:
    est = method.norm_estimate
    if est == "ema":
        b2 = method.beta2
        state.b2[:] = b2 * state.b2 + (1.0 - b2) * np.einsum("ij,ij->i", g, g)
        return np.sqrt(state.b2 / (1.0 - b2**state.steps))
    current = state.norm
    if est == "current":
        return current
    if est == "stale":
        if stale_norm is None:
            raise ValueError("the stale norm estimate needs stale_norm")
        return np.where(np.isnan(stale_norm), current, stale_norm)
    if zeta is None:
        raise ValueError("the noisy norm estimate needs zeta")
    s = method.noise
    return current * np.exp(s * zeta - 0.5 * s * s)
