"""One configuration of eq. (5): a value type (imports no simulate module but the leaves
:mod:`simulate.delays` and :mod:`simulate.seeds`), so that the engine, the records, the sample
blocks and the sweep cells can all use it without an import cycle.

``simulate.Config`` and ``simulate.engine.Config`` are this class.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from simulate.delays import ConstantDelay, DelayModel, parse_delay
from simulate.seeds import stable_key
from theory.validation import check_eta, check_mu, check_tau


@dataclass(frozen=True)
class Config:
    """One configuration of eq. (5): momentum mu, step eta, delay model (an int: constant).

    ``normalize=True`` is the renormalised variant v <- v / ||v|| after every update, which is
    NOT the paper's eq. (5) (labelled so in every output). ``max_delay`` caps the ring buffer
    (default: the model's bound or tail quantile; see :mod:`simulate.blocks`).
    """

    mu: float
    eta: float
    delay: DelayModel | int = 0
    normalize: bool = False
    max_delay: int | None = None
    key: int = field(init=False, repr=False, compare=False)
    delay_key: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "mu", check_mu(self.mu))
        object.__setattr__(self, "eta", check_eta(self.eta))
        delay = self.delay
        if not isinstance(delay, DelayModel):
            delay = ConstantDelay(check_tau(delay))
        object.__setattr__(self, "delay", delay)
        if self.max_delay is not None:
            object.__setattr__(self, "max_delay", check_tau(self.max_delay, "max_delay"))
        object.__setattr__(self, "normalize", bool(self.normalize))
        # seeds: a stable hash of what defines the run (not its position in a batch)
        object.__setattr__(
            self, "key", stable_key("config", self.mu, self.eta, delay.spec, self.normalize)
        )
        object.__setattr__(self, "delay_key", stable_key("delay", delay.spec))

    @property
    def update(self) -> str:
        return "renormalised (NOT the paper's eq. (5))" if self.normalize else "eq. (5)"

    def describe(self) -> dict[str, object]:
        return {
            "mu": self.mu,
            "eta": self.eta,
            "delay": self.delay.spec,
            "delay_model_mean": self.delay.mean,
            "update": self.update,
        }

    @classmethod
    def grid(
        cls,
        *,
        mu: float | Iterable[float],
        eta: float | Iterable[float],
        tau: float | Iterable[float] | None = None,
        delay: str = "constant",
        normalize: bool = False,
        max_delay: int | None = None,
    ) -> list[Config]:
        """All combinations (mu outermost, then eta, then tau) for one delay family."""

        def seq(x: object) -> list:
            return list(x) if isinstance(x, Iterable) and not isinstance(x, str) else [x]

        taus = [None] if tau is None else seq(tau)
        return [
            cls(m, e, parse_delay(delay, t), normalize, max_delay)
            for m in seq(mu)
            for e in seq(eta)
            for t in taus
        ]
