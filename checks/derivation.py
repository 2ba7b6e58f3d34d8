"""A claim's derivation as data (items: derived beside printed, or a proof), and the symbolic
check that turns it into evidence for the verdict rule.

A claim module's ``derive()`` returns a :class:`Derivation` built from :mod:`theory` (the
mathematics lives there; this module only holds the records). Each item says which statement
of the claim it tests (``origin``, ``form``, ``reading``: see :mod:`checks.verdict`), so the
symbolic check needs no per-claim code: an identity that fails, a printed form that differs,
each is an evidence item like any measurement.

Negative control of every symbolic check: the same comparison against a deliberately wrong
printed form (the printed one multiplied by (1 - mu)^(1/10): a near miss that keeps the form
and changes one exponent by 0.1), which the comparator must not call identical or a constant
factor; for proofs, a wrong statement the same proof must reject (supplied by the claim). The
comparator is exact, so its smallest detectable error in an exponent is any non-zero one.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import sympy as sp

from checks.results import CheckResult, Evidence
from theory import symbols as S
from theory.compare import Comparison, compare, scaling_exponents, split_log
from theory.display import latex as show_latex
from theory.display import text as show_text

# comparison kind -> the mismatch the verdict rule reads
MISMATCH = {
    "constant-factor": "constant",
    "log-argument": "log-argument",
    "up-to-log-factor": "log-factor",
    "different-scaling": "exponent",
    "different": "form",
}
NAN = math.nan


@dataclass(frozen=True)
class Item:
    """One step of a derivation: an expression (derived, and the paper's printed form where
    there is one, with their comparison), or an identity (``proved``).

    For a bound (``form == "bound"``) the item holds when ``bound_check(printed)`` says the
    derived, attainable bound never exceeds the printed one (not only when they are identical);
    a bound item must have one. ``control``: the wrong printed form of the item's negative
    control (default: the printed one times (1-mu)^(1/10)).
    """

    key: str  # stable identifier, pinned by the claim module
    label: str
    derived: sp.Expr | None = None
    printed: sp.Expr | None = None
    comparison: Comparison | None = None
    proved: bool | None = None
    note: str = ""
    origin: str = "claim"
    form: str = "exact"
    reading: str = ""
    bound_check: Callable[[sp.Expr], bool] | None = None
    control: sp.Expr | None = None

    def __post_init__(self) -> None:
        bound = self.form == "bound" and self.is_evidence and self.proved is None
        if bound and self.bound_check is None:
            raise ValueError(f"{self.key}: a bound item needs a bound_check")

    @property
    def outcome(self) -> str:
        """``proved``/``failed`` for an identity, the comparison kind, or ``derived``."""
        if self.proved is not None:
            return "proved" if self.proved else "failed"
        if self.comparison is not None:
            return self.comparison.kind
        return "derived"

    @property
    def is_evidence(self) -> bool:
        return self.proved is not None or self.comparison is not None

    @property
    def holds(self) -> bool:
        if self.proved is not None:
            return self.proved
        if self.comparison is None:
            return False  # a derived-only item asserts nothing
        return self.holds_against(self.printed, self.comparison)

    def holds_against(self, printed: sp.Expr, comparison: Comparison | None = None) -> bool:
        """Whether the derived form agrees with ``printed``: as a bound, by ``bound_check``;
        otherwise only when identical."""
        if self.form == "bound" and self.bound_check is not None:
            return bool(self.bound_check(printed))
        cmp = comparison if comparison is not None else compare(self.derived, printed)
        return cmp.kind == "identical"

    def as_dict(self, fmt: str = "text") -> dict[str, object]:
        render: Callable[[sp.Expr], str] = show_latex if fmt == "latex" else show_text
        return {
            "key": self.key,
            "label": self.label,
            "outcome": self.outcome,
            "derived": None if self.derived is None else render(self.derived),
            "printed": None if self.printed is None else render(self.printed),
            "comparison": None if self.comparison is None else self.comparison.as_dict(),
            "note": self.note,
            "origin": self.origin,
            "form": self.form,
            "reading": self.reading,
        }


@dataclass(frozen=True)
class Derivation:
    claim: str
    title: str
    source: str
    items: tuple[Item, ...]
    findings: tuple[str, ...] = field(default=())
    controls: tuple[Evidence, ...] = field(default=())  # wrong statements the proofs reject

    def outcomes(self) -> dict[str, str]:
        return {i.key: i.outcome for i in self.items}

    @property
    def failed(self) -> list[str]:
        return [i.key for i in self.items if i.outcome == "failed"]

    def as_dict(self, fmt: str = "text") -> dict[str, object]:
        return {
            "claim": self.claim,
            "title": self.title,
            "source": self.source,
            "items": [i.as_dict(fmt) for i in self.items],
            "findings": list(self.findings),
        }


def exponent_of(expr: sp.Expr, variable: str) -> sp.Expr:
    """The power of ``variable`` (a name of theory.compare.SCALING_VARIABLES) in the prefactor
    of ``expr`` = prefactor x log(.) (or in ``expr`` itself when it has no log)."""
    parts = split_log(expr)
    monomial = parts[0] if parts is not None else expr
    # scaling_exponents reads powers of any form (a log derivative where they are not plain
    # powers of a symbol): no simplify first (it took 0.6 s per call, issue 12)
    return scaling_exponents(S.in_gap_form(monomial)).get(variable, sp.Integer(0))


def complexity_items(c, key: str, **meta: object) -> list[Item]:
    """A complexity N = T/(tau eta) of :mod:`theory.complexity` as two items: derived vs printed,
    and the log's argument once the proposition's eta and delta are put in."""
    exps = ", ".join(f"{k}: {sp.sstr(v)}" for k, v in c.exponents.items())
    return [
        Item(key, c.name, c.derived, c.printed, c.comparison, note=f"exponents: {exps}", **meta),
        Item(
            f"{key} log argument",
            f"{c.name}: log argument after delta = c_delta sqrt(eta), eta = {c.choice.source}",
            c.log_after_choices,
        ),
    ]


def compared(
    key: str, label: str, derived: sp.Expr, printed: sp.Expr, note: str = "", **meta: object
) -> Item:
    """An item that sets a derived expression beside the printed one (:func:`theory.compare`)."""
    return Item(key, label, derived, printed, compare(derived, printed), note=note, **meta)


def short_text(c: Comparison) -> str:
    """A comparison in a few words, for a verdict's one-line reason."""
    if c.kind == "identical":
        return "identical"
    if c.kind == "constant-factor":
        return f"derived = {S.text(c.factor)} x printed"
    if c.kind == "log-argument":
        return (
            f"log argument derived = {S.text(c.log_factor)} x printed, prefactor x"
            f"{S.text(c.factor)}"
        )
    powers = ", ".join(
        f"({k})^({S.text(v)})" if "-" in k else f"{k}^({S.text(v)})" for k, v in c.exponents.items()
    )
    if c.kind == "up-to-log-factor":
        return "the printed form omits a log factor" + (
            f"; derived/printed ~ {powers}" if powers else ""
        )
    if c.kind == "different-scaling":
        return f"derived/printed ~ {powers}"
    return "a different form"


def _evidence(item: Item) -> Evidence:
    if item.proved is not None:
        return Evidence(
            f"{item.label} (SymPy proof)",
            NAN,
            NAN,
            0.0,
            "symbolic proof (simplifies to 0)" + (f"; {item.note}" if item.note else ""),
            relation="identity",
            holds=item.proved,
            origin=item.origin,
            form=item.form,
            mismatch="" if item.proved else "violated",
            reading=item.reading,
            statement=item.key,
            note=item.label + (f" ({item.note})" if item.note else ""),
        )
    kind = item.comparison.kind
    return Evidence(
        f"{item.label}: derived vs printed",
        NAN,
        NAN,
        0.0,
        item.comparison.text,
        relation="identity",
        holds=item.holds,
        origin=item.origin,
        form=item.form,
        mismatch=MISMATCH.get(kind, ""),
        reading=item.reading,
        statement=item.key,
        note=f"{item.label}: {short_text(item.comparison)}"
        + ("" if kind == "identical" else f" ({kind})"),
    )


def _control(item: Item) -> Evidence:
    """A near-miss wrong printed form (default: times (1-mu)^(1/10), an exponent off by 0.1)
    judged by the item's own logic (its bound check, or the comparator up to a constant): it
    must be rejected."""
    wrong_printed = (
        item.control
        if item.control is not None
        else item.printed * (1 - S.mu) ** sp.Rational(1, 10)
    )
    wrong = compare(item.derived, wrong_printed)
    if item.form == "bound" and item.bound_check is not None:
        holds = bool(item.bound_check(wrong_printed))
    else:
        holds = wrong.kind in ("identical", "constant-factor")
    return Evidence(
        f"{item.label}: against a wrong printed form ({S.text(wrong_printed)})",
        NAN,
        NAN,
        0.0,
        wrong.text,
        relation="identity",
        holds=holds,
        near_miss=True,
        reading=item.reading,
    )


def symbolic_check(
    claim: str,
    derive: Callable[[], Derivation],
    readings: tuple[str, ...] = (),
    *,
    controls: bool = True,
) -> CheckResult:
    """The derivation of ``claim`` as a check: every proof and comparison is an evidence item;
    every comparison gets a near-miss control (module docstring; ``controls=False`` skips them,
    for ``asyncmsgd derive``, which shows the derivation and its verdict only)."""
    t0 = time.perf_counter()
    d = derive()
    evidence = tuple(_evidence(i) for i in d.items if i.is_evidence)
    wrong = (
        tuple(
            _control(i)
            for i in d.items
            if i.comparison is not None and i.derived is not None and i.printed is not None
        )
        + tuple(d.controls)
        if controls
        else ()
    )
    summary = (
        "; ".join(d.findings)
        if d.findings
        else "derivation: " + ", ".join(f"{k} {v}" for k, v in d.outcomes().items())
    )
    return CheckResult(
        claim,
        "symbolic",
        summary,
        evidence,
        wrong,
        seconds=time.perf_counter() - t0,
        details={"outcomes": d.outcomes()},
        readings=readings,
    )


def outcome_mismatches(d: Derivation, expected: Mapping[str, str]) -> dict[str, tuple[str, str]]:
    """Items whose outcome differs from the pinned one: key -> (pinned, now)."""
    now = d.outcomes()
    keys = set(now) | set(expected)
    return {
        k: (expected.get(k, "(not pinned)"), now.get(k, "(missing)"))
        for k in sorted(keys)
        if expected.get(k) != now.get(k) and not (k not in expected and now.get(k) == "derived")
    }
