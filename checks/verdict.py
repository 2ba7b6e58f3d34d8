"""The verdict rule: one function and one table from evidence items to a claim's verdict.

Every claim (C1-C14, D1-D4, E1) is decided by :func:`decide`, the same code for all of them;
no check sets a verdict of its own and no claim overrides the rule. The CLI, the report, the
README table and pytest read the verdict from here.

An evidence item (:class:`checks.results.Evidence`) says, besides its numbers:

* ``origin``: ``claim`` (a statement the claim makes: the paper's words, a formula it prints,
  a number it reports; for E1, our own extension, the statement is ours), ``interpretation``
  (a reading of the toolkit's that the claim does not state: a law the paper calls
  "consistent", a CPU analogue, a proof route the toolkit chose) or ``toolkit`` (a result of
  the toolkit's own that the check rests on: a derivation checked against the simulator, an
  identity, a stability computation);
* ``form`` of the statement it tests: ``exact`` (printed as an equality or a limit),
  ``asymptotic`` (stated up to constants: ~, O(.), <~), ``bound`` (an inequality, with a
  probability where stated), ``direction`` (a qualitative ordering: faster, falls, grows) or
  ``reported`` (a number the paper reports from an experiment, with a reading precision);
* when it fails, ``mismatch``: ``constant``, ``log-argument``, ``log-factor``, ``exponent``,
  ``form``, ``value`` or ``violated`` (the statement's conclusion fails: a counterexample inside
  its assumptions). Bound and direction items that fail are always ``violated``;
* ``reading``: the reading of an ambiguous statement it belongs to ("" = every reading).

An item that passes but whose check could not have detected a 20 % error (its minimum
detectable deviation, ``mdd``, above :data:`WEAK_MDD`) is *undecided*.

The table (:data:`RULES`), applied to every item of origin ``claim`` and ``toolkit``: a check
that raised, or a toolkit item that fails, decides first (inconclusive: nothing else it shows
can be trusted); otherwise the claim's verdict is the least favourable over its items in the one
order :data:`ORDER`, and the row that gave it is reported as ``rule``. Interpretation items
never set the verdict: when they fail they are listed as findings. A claim whose statement is
ambiguous is decided once per reading (common items plus the reading's own); when the readings
disagree the verdict is ``depends-on-reading`` and each reading keeps its own.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol


class Verdict(StrEnum):
    """The verdicts, one vocabulary for theory, checks, CLI, report and pytest."""

    VERIFIED = "verified"
    VERIFIED_UP_TO_CONSTANT = "verified-up-to-constant"
    DEPENDS_ON_READING = "depends-on-reading"
    INCONCLUSIVE = "inconclusive"
    DISCREPANCY = "discrepancy-found"
    REFUTED = "refuted"
    NOT_REPRODUCIBLE = "not-reproducible-here"


# The one order, from the most favourable to the least: how verdicts are listed everywhere, and
# how items combine (the least favourable wins). A decided failure outweighs an undecided item;
# a claim of which a part could not run here is not "verified" over that part; a
# reading-dependent verdict is only made from per-reading verdicts (its place is for listing).
ORDER: tuple[Verdict, ...] = (
    Verdict.VERIFIED,
    Verdict.VERIFIED_UP_TO_CONSTANT,
    Verdict.DEPENDS_ON_READING,
    Verdict.INCONCLUSIVE,
    Verdict.NOT_REPRODUCIBLE,
    Verdict.DISCREPANCY,
    Verdict.REFUTED,
)
SEVERITY: dict[Verdict, int] = {
    v: k for k, v in enumerate(ORDER) if v is not Verdict.DEPENDS_ON_READING
}

MEANING: dict[Verdict, str] = {
    Verdict.VERIFIED: "every statement of the claim agrees with the evidence within its tolerance",
    Verdict.VERIFIED_UP_TO_CONSTANT: "a statement made up to constants (~, O(.)) holds; the "
    "constant it hides is not 1 or grows with another parameter (reported)",
    Verdict.DEPENDS_ON_READING: "the statement is ambiguous and its readings get different "
    "verdicts (each reported)",
    Verdict.INCONCLUSIVE: "a check could not decide (an error, a toolkit defect, or too little "
    "power to see a 20% error)",
    Verdict.DISCREPANCY: "a stated formula, exponent or reported number disagrees with the "
    "evidence, while no conclusion of the claim is contradicted",
    Verdict.REFUTED: "a conclusion of the claim fails: a counterexample inside its assumptions",
    Verdict.NOT_REPRODUCIBLE: "a check the claim needs cannot run on this machine (reason given), "
    "and nothing that ran contradicts the claim",
}

ORIGINS = ("claim", "interpretation", "toolkit")
FORMS = ("exact", "asymptotic", "bound", "direction", "reported")
MISMATCHES = ("constant", "log-argument", "log-factor", "exponent", "form", "value", "violated")
WEAK_MDD = 0.2  # relative: a check that cannot see a 20% error decides nothing


@dataclass(frozen=True)
class Rule:
    """One row of the verdict table."""

    id: str
    when: str
    verdict: Verdict
    says: str  # the reason's opening words


RULES: tuple[Rule, ...] = (
    Rule(
        "error",
        "a check raised an error",
        Verdict.INCONCLUSIVE,
        "a check did not complete",
    ),
    Rule(
        "defect",
        "an item of the toolkit's own (an identity, a derivation set against the simulator) fails",
        Verdict.INCONCLUSIVE,
        "a result of the toolkit's own fails (a toolkit defect)",
    ),
    Rule(
        "violated",
        "an item of the claim fails as a counterexample inside its assumptions (an inequality, "
        "a direction, a conclusion that does not hold)",
        Verdict.REFUTED,
        "a conclusion of the claim fails",
    ),
    Rule(
        "exact-differs",
        "an item stated as an exact formula or limit (printed in the paper, or the toolkit's "
        "own E1) differs (a constant factor, a log argument, an exponent, the form)",
        Verdict.DISCREPANCY,
        "an exact formula differs",
    ),
    Rule(
        "scaling-differs",
        "an item stated up to constants (~, O(.)) differs in an exponent or in its form",
        Verdict.DISCREPANCY,
        "a stated scaling differs",
    ),
    Rule(
        "reported-differs",
        "a number the paper reports lies outside its reading precision and the CI",
        Verdict.DISCREPANCY,
        "a reported number differs",
    ),
    Rule(
        "constant",
        "an item stated up to constants (~, O(.)) agrees up to a constant factor, a log "
        "argument or a log factor",
        Verdict.VERIFIED_UP_TO_CONSTANT,
        "holds up to a constant",
    ),
    Rule(
        "weak",
        "an item agrees, but its check could not have detected a 20% error in the theory value "
        "(its minimum detectable deviation, at its run count)",
        Verdict.INCONCLUSIVE,
        "the check is too weak to decide",
    ),
    Rule(
        "not-here",
        "a check of the claim cannot run on this machine (and nothing else decides worse)",
        Verdict.NOT_REPRODUCIBLE,
        "not reproducible here",
    ),
    Rule(
        "untested",
        "the checks ran but none tests a statement of the claim",
        Verdict.INCONCLUSIVE,
        "nothing the claim states was tested",
    ),
    Rule(
        "agrees",
        "every item of the claim agrees within its tolerance",
        Verdict.VERIFIED,
        "every statement agrees",
    ),
    Rule(
        "readings",
        "the statement is ambiguous and its readings get different verdicts",
        Verdict.DEPENDS_ON_READING,
        "depends on the reading",
    ),
)
RULE: dict[str, Rule] = {r.id: r for r in RULES}


class Item(Protocol):
    """What the rule reads from an evidence item (checks.results.Evidence)."""

    label: str
    origin: str
    form: str
    mismatch: str
    reading: str
    note: str
    mdd: float

    @property
    def passed(self) -> bool: ...

    def describe(self) -> str: ...


def is_weak(item: Item) -> bool:
    """A passing item whose check could not have detected a 20% error in the theory value: its
    relative MDD is above :data:`WEAK_MDD` (inf: no error at all). Only estimates of a theory
    value (forms exact and asymptotic) are judged: a number the paper reports with a reading
    precision is judged at that precision (its vagueness is the claim's, not the check's), a
    bound or a direction has no theory value to be off by, and an MDD in an exponent or in
    absolute units is reported, not judged."""
    kind = getattr(item, "mdd_kind", "")
    return (
        kind == "relative"
        and item.form in ("exact", "asymptotic")
        and not math.isnan(item.mdd)
        and item.mdd > WEAK_MDD
    )


def effective_mismatch(item: Item) -> str:
    """The kind of a failing item's mismatch (bounds and directions are always violated)."""
    if item.form in ("bound", "direction"):
        return "violated"
    return item.mismatch or "value"


def classify(item: Item) -> Rule | None:
    """The table row an item falls under (None for an interpretation: a finding at most)."""
    if item.origin == "interpretation":
        return None
    if item.origin == "toolkit":
        return None if item.passed else RULE["defect"]
    if item.passed:
        if is_weak(item):
            return RULE["weak"]
        return RULE["agrees"]
    kind = effective_mismatch(item)
    if kind == "violated":
        return RULE["violated"]
    if item.form == "reported":
        return RULE["reported-differs"]
    if item.form == "exact":
        return RULE["exact-differs"]
    if kind in ("constant", "log-argument", "log-factor"):
        return RULE["constant"]
    return RULE["scaling-differs"]


@dataclass(frozen=True)
class Decision:
    """A verdict, the row of the table that gave it, and its one-line reason."""

    verdict: Verdict
    rule: str
    reason: str
    readings: tuple[tuple[str, Decision], ...] = ()
    findings: tuple[str, ...] = ()
    deciding: tuple[str, ...] = field(default=())  # labels of the items that decided it

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "verdict": str(self.verdict),
            "verdict_reason": self.reason,
            "rule": self.rule,
            "rule_text": RULE[self.rule].when,
            "findings": list(self.findings),
        }
        if self.readings:
            out["readings"] = [
                {
                    "reading": name,
                    "verdict": str(d.verdict),
                    "verdict_reason": d.reason,
                    "rule": d.rule,
                }
                for name, d in self.readings
            ]
        return out


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _decide_items(
    items: Sequence[Item], *, errors: Sequence[str], not_run: Sequence[str]
) -> Decision:
    findings = tuple(
        _one_line(i.describe()) for i in items if i.origin == "interpretation" and not i.passed
    )
    if errors:
        return Decision(
            Verdict.INCONCLUSIVE,
            "error",
            f"{RULE['error'].says}: {_one_line(errors[0])}",
            findings=findings,
        )
    rows: list[tuple[Rule, Item | None]] = []
    for item in items:
        rule = classify(item)
        if rule is not None:
            rows.append((rule, item))
    rows += [(RULE["not-here"], None)] * bool(not_run)
    claim_items = [i for i in items if i.origin == "claim"]
    if not rows or (not claim_items and not not_run and all(r.id != "defect" for r, _ in rows)):
        rule = RULE["untested"]
        return Decision(rule.verdict, rule.id, f"{rule.says}", findings=findings)
    order = {r.id: k for k, r in enumerate(RULES)}
    if any(r.id == "defect" for r, _ in rows):
        # a result of the toolkit's own fails: nothing the check shows can be trusted, whatever
        # else it shows, so the defect decides before any severity
        deciding = [(r, i) for r, i in rows if r.id == "defect"]
    else:
        # the least favourable verdict; among its rows the first of the table decides
        worst = max(SEVERITY[r.verdict] for r, _ in rows)
        deciding = sorted(
            ((r, i) for r, i in rows if SEVERITY[r.verdict] == worst),
            key=lambda ri: order[ri[0].id],
        )
    rule = deciding[0][0]
    # measured items first: a counterexample in numbers reads better than a symbolic one
    same = sorted(
        (i for r, i in deciding if r.id == rule.id and i is not None),
        key=lambda i: getattr(i, "relation", "") == "identity",
    )
    if rule.id == "not-here":
        reason = f"{rule.says}: {_one_line(not_run[0])}"
        if claim_items:
            reason += f" (the {len(claim_items)} item(s) that ran here: {_summary(claim_items)})"
    elif rule.id == "agrees":
        n = len(claim_items)
        reason = (
            f"{rule.says}: {n} item{'s' if n != 1 else ''} of the claim within tolerance, e.g. "
            f"{_one_line(same[0].describe())}"
        )
    else:
        more = f" (and {len(same) - 1} more)" if len(same) > 1 else ""
        reason = f"{rule.says}: {_one_line(same[0].describe())}{more}"
    return Decision(
        rule.verdict, rule.id, reason, findings=findings, deciding=tuple(i.label for i in same)
    )


def _summary(items: Sequence[Item]) -> str:
    held = sum(bool(i.passed) for i in items)
    return f"{held} of {len(items)} hold"


def decide(
    items: Iterable[Item],
    *,
    readings: Sequence[str] = (),
    errors: Sequence[str] = (),
    not_run: Sequence[str] = (),
) -> Decision:
    """The verdict of a claim from all its evidence items (every check's), by :data:`RULES`.

    ``readings``: the names of the readings of an ambiguous statement (items carry one of these
    names, or "" for all). ``errors``: messages of checks that raised. ``not_run``: why checks
    of the claim could not run on this machine.
    """
    items = list(items)
    unknown = {i.reading for i in items if i.reading} - set(readings)
    if unknown:
        raise ValueError(f"items name readings {sorted(unknown)} not among {list(readings)}")
    if not readings:
        return _decide_items(items, errors=errors, not_run=not_run)
    per = tuple(
        (
            name,
            _decide_items(
                [i for i in items if i.reading in ("", name)], errors=errors, not_run=not_run
            ),
        )
        for name in readings
    )
    verdicts = {d.verdict for _, d in per}
    findings = tuple(dict.fromkeys(f for _, d in per for f in d.findings))
    if len(verdicts) == 1:
        first = per[0][1]
        return Decision(
            first.verdict,
            first.rule,
            f"{first.reason} (under every reading)",
            readings=per,
            findings=findings,
            deciding=first.deciding,
        )
    parts = "; ".join(f"{d.verdict} if {name}: {d.reason}" for name, d in per)
    return Decision(
        Verdict.DEPENDS_ON_READING,
        "readings",
        f"{RULE['readings'].says}: {parts}",
        readings=per,
        findings=findings,
    )


def table_markdown() -> str:
    """The verdict table as Markdown (README, docs)."""
    lines = ["| rule | when | verdict |", "|---|---|---|"]
    lines += [f"| `{r.id}` | {r.when} | {r.verdict} |" for r in RULES]
    return "\n".join(lines) + "\n"


def counts(verdicts: Iterable[Verdict | str]) -> dict[Verdict, int]:
    """How many claims got each verdict, in :data:`ORDER` (the report's first page)."""
    vs = [Verdict(v) for v in verdicts]
    return {v: vs.count(v) for v in ORDER}
