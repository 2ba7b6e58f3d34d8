"""The value types of a claim module: its statement, readings, checks and pinned outcomes.

A claim module (``checks/claims/<id>_<name>.py``) defines ``CLAIM = Claim(...)``; the registry
(:mod:`checks.registry`) discovers them. Value types only, so that every claim module, the
registry, the CLI and the report can import them without a cycle.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from checks.verdict import Verdict

if TYPE_CHECKING:  # annotations only: neither module imports this one
    from checks.derivation import Derivation
    from checks.profile import Profile
    from checks.results import CheckResult

KINDS = ("symbolic identity", "exact limit", "asymptotic scaling", "experiment")
CHECK_KINDS = ("symbolic", "simulation", "experiment")


@dataclass(frozen=True)
class Statement:
    """What the claim says, as THEORY.md transcribes the paper.

    ``latex``: the statement in LaTeX (text mode with inline math); ``text``: one plain line;
    ``assumptions``: what it assumes (A1, A2, the delay condition, ...); ``reconstructed``:
    what THEORY.md could not read with certainty (then the printed form is a reconstruction).
    """

    id: str
    source: str
    title: str
    latex: str
    text: str
    kind: str
    assumptions: tuple[str, ...] = ()
    reconstructed: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"{self.id}: unknown kind {self.kind!r}")


@dataclass(frozen=True)
class Reading:
    """One reading of an ambiguous statement: a short name (used in evidence items and test ids)
    and what it takes the statement to mean."""

    name: str
    meaning: str


@dataclass(frozen=True)
class Check:
    name: str
    func: Callable[[Profile], CheckResult]
    kind: str  # one of CHECK_KINDS

    def __post_init__(self) -> None:
        if self.kind not in CHECK_KINDS:
            raise ValueError(f"check {self.name}: unknown kind {self.kind!r}")


@dataclass(frozen=True)
class Claim:
    """A claim: its statement, the derivation and checks that test it, and what is pinned.

    ``expected_derivation``: item key -> outcome (``proved`` or a comparison kind of
    :mod:`theory.compare`), asserted by the suite so that a change in a derivation fails a
    test. ``expected_verdict``: the verdict this version of the toolkit reaches (a finding
    about the paper is pinned, so a finding that stops reproducing fails the suite);
    ``expected_readings``: the pinned verdict of each reading of an ambiguous statement.
    """

    statement: Statement
    checks: tuple[Check, ...]
    expected_verdict: Verdict
    derive: Callable[[], Derivation] | None = None
    expected_derivation: Mapping[str, str] = field(default_factory=dict)
    readings: tuple[Reading, ...] = ()
    expected_readings: Mapping[str, Verdict] = field(default_factory=dict)

    def __post_init__(self) -> None:
        names = {r.name for r in self.readings}
        if names != set(self.expected_readings):
            raise ValueError(
                f"{self.statement.id}: pin a verdict for every reading ({sorted(names)}), got "
                f"{sorted(self.expected_readings)}"
            )

    @property
    def id(self) -> str:
        return self.statement.id

    @property
    def reading_names(self) -> tuple[str, ...]:
        return tuple(r.name for r in self.readings)
