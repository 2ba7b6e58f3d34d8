"""Turn registry results and derivations into the report's template context and macro values.

Every number the text shows is registered here under a key and reaches LaTeX as a macro from
``macros.tex`` (reports.latex.write_macros); the context only carries macro references.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from checks.cache import ResultCache
from checks.registry import ClaimResult, entries
from checks.results import CheckResult, Evidence
from checks.verdict import MEANING, Verdict
from reports.build import ReportInputs, derivation_context

FINDING_VERDICTS = (Verdict.DISCREPANCY, Verdict.REFUTED)


_NUMBER = re.compile(r"(?<![A-Za-z_\\])[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")


@dataclass
class Numbers:
    """Collects numbers under unique keys and hands back macro references."""

    values: dict[str, object] = field(default_factory=dict)

    def text(self, key: str, text: str) -> str:
        """Escape generated text for LaTeX and route every number in it through a macro, so
        that the report's text holds no number that is not in macros.tex."""
        from reports.latex import escape_tex

        out, last = [], 0
        for n, m in enumerate(_NUMBER.finditer(text), start=1):
            out.append(escape_tex(text[last : m.start()]))
            out.append(self.ref(f"{key} n{n}", m.group()) + "{}")
            last = m.end()
        out.append(escape_tex(text[last:]))
        return "".join(out)

    def latex(self, key: str, latex: str) -> str:
        """Like :meth:`text` for a string that is LaTeX already (a claim statement): numbers
        outside $...$ become macros; mathematics and commands are left as they are."""
        parts = re.split(r"(\$[^$]*\$|\\[A-Za-z]+)", latex)
        out = []
        for i, part in enumerate(parts):
            if i % 2 or not part:
                out.append(part)
                continue
            last = 0
            for n, m in enumerate(_NUMBER.finditer(part), start=1):
                out.append(part[last : m.start()])
                out.append(self.ref(f"{key} {i} n{n}", m.group()) + "{}")
                last = m.end()
            out.append(part[last:])
        return "".join(out)

    def ref(self, key: str, value: object) -> str:
        if isinstance(value, float) and not math.isfinite(value):
            value = float("nan")
        base, n = key, 1
        while key in self.values:
            n += 1
            key = f"{base} v{n}"
        self.values[key] = value
        from reports.latex import macro_name

        return "\\" + macro_name(key)


def _evidence_row(e: Evidence, key: str, nums: Numbers) -> dict[str, object]:
    numeric = e.relation != "identity"
    row: dict[str, object] = {
        "label": nums.text(f"{key} label", e.label),
        "basis": nums.text(f"{key} basis", e.basis),
    }
    if numeric:
        row["theory"] = nums.ref(f"{key} theory", float(e.theory))
        row["measured"] = nums.ref(f"{key} measured", float(e.measured))
        row["ci"] = (
            (nums.ref(f"{key} lo", float(e.ci[0])), nums.ref(f"{key} hi", float(e.ci[1])))
            if e.ci is not None
            else None
        )
        rel = {
            "abs-diff": r"$\pm",
            "upper": r"$\le$ theory $+",
            "lower": r"$\ge$ theory $-",
            "lower-strict": r"$>$ theory $+",
            "upper-strict": r"$<$ theory $-",
        }[e.relation]
        row["tolerance_text"] = f"{rel} {nums.ref(f'{key} tol', float(e.tolerance))}$"
    else:
        row["theory"] = r"\text{identity}"
        row["measured"] = r"\text{holds}" if e.passed else r"\text{fails}"
        row["ci"] = None
        row["tolerance_text"] = "symbolic"
    row["passed"] = "yes" if e.passed else "no"
    row["passed_bool"] = e.passed
    row["origin"] = e.origin
    return row


def _first_sentence(text: str, limit: int = 260) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 3].rsplit(" ", 1)[0] + "..."


def claim_context(
    cr: ClaimResult,
    derivation: Mapping[str, object] | None,
    figures: Sequence[Mapping[str, str]],
    nums: Numbers,
) -> dict[str, object]:
    evidence, controls, notes = [], [], []
    cid = cr.id
    st = cr.claim.statement
    for j, res in enumerate(cr.results):
        for k, e in enumerate(res.evidence):
            evidence.append(_evidence_row(e, f"{cid} c{j} e{k}", nums))
        for k, e in enumerate(res.controls):
            controls.append(_evidence_row(e, f"{cid} c{j} n{k}", nums))
        line = f"[{res.check}: {res.decision.verdict}] {res.summary}"
        if res.reason and res.reason not in res.summary:
            line += f" ({res.reason})"
        notes.append(nums.text(f"{cid} c{j} note", line))
        nums.ref(f"{cid} c{j} seconds", round(res.seconds, 1))
    return {
        "id": cid,
        "title": st.title,
        "source": st.source,
        "kind": st.kind,
        "statement": nums.latex(f"{cid} statement", st.latex),
        "reconstructed": st.reconstructed,
        "verdict": cr.verdict,
        "reason": nums.text(f"{cid} reason", cr.decision.reason),
        "derivation": _derivation_text(cid, derivation, nums),
        "evidence": evidence,
        "controls": controls,
        "figures": list(figures),
        "notes": notes,
    }


def _derivation_text(cid: str, d: Mapping[str, object] | None, nums: Numbers):
    """The derivation context with its plain-text parts escaped and macroized."""
    if d is None:
        return None
    entries = []
    for k, it in enumerate(d["entries"]):
        it = dict(it)
        it["label"] = nums.text(f"{cid} d{k} label", str(it["label"]))
        it["note"] = nums.text(f"{cid} d{k} note", str(it["note"])) if it["note"] else ""
        entries.append(it)
    findings = [nums.text(f"{cid} dfind {k}", str(f)) for k, f in enumerate(d["findings"])]
    return {"verdict": d["verdict"], "entries": entries, "findings": findings}


def found_text(cr: ClaimResult) -> str:
    """The verdict's one-line reason, written by the verdict rule."""
    return cr.decision.reason


def inputs(
    results: Sequence[ClaimResult],
    derivations: Mapping[str, Mapping[str, object]],
    *,
    profile: str,
    figures: Mapping[str, Sequence[Mapping[str, str]]] | None = None,
    runtimes: Mapping[str, float] | None = None,
    seeds: str = "",
    extra_provenance: Mapping[str, str] | None = None,
) -> ReportInputs:
    nums = Numbers()
    figures = figures or {}
    summary, claims, discrepancies = [], [], []
    for cr in results:
        d = derivations.get(cr.id)
        claims.append(claim_context(cr, d, figures.get(cr.id, ()), nums))
        st = cr.claim.statement
        summary.append(
            {
                "id": cr.id,
                "title": st.title,
                "source": st.source,
                "found": nums.text(f"{cr.id} found", found_text(cr)),
                "verdict": cr.verdict,
            }
        )
        if cr.decision.verdict in FINDING_VERDICTS or (
            cr.decision.readings
            and any(dd.verdict in FINDING_VERDICTS for _, dd in cr.decision.readings)
        ):
            discrepancies.append(
                {"id": cr.id, "text": nums.text(f"{cr.id} disc", cr.decision.reason)}
            )
            for k, f in enumerate(d["findings"] if d else []):
                discrepancies.append({"id": cr.id, "text": nums.text(f"{cr.id} finding {k}", f)})
    return ReportInputs(
        profile=profile,
        summary=summary,
        claims=claims,
        discrepancies=discrepancies,
        numbers=nums.values,
        runtimes=dict(runtimes or {}),
        seeds=seeds,
        verdict_meanings=[(str(k), v) for k, v in MEANING.items()],
        extra_provenance=dict(extra_provenance or {}),
    )


def derivation_contexts(
    claims: Sequence[str],
    cache: ResultCache | None = None,
) -> dict[str, dict[str, object]]:
    """LaTeX-ready derivations of the claims that have one (cached: SymPy takes seconds)."""
    from checks.derivation import symbolic_check

    known = entries()
    out = {}
    for c in claims:
        claim = known[c].claim
        if claim.derive is None:
            continue
        stored = cache.get(f"derivation-{c}", "any") if cache else None
        if stored is None:
            d = claim.derive()
            verdict = symbolic_check(c, lambda d=d: d, claim.reading_names).decision.verdict
            stored = derivation_context(d, str(verdict))
            if cache:
                cache.put(f"derivation-{c}", "any", stored)
        out[c] = stored
    return out


def verdict_markdown(results: Sequence[ClaimResult]) -> str:
    """The verdict table (README, verdicts.md): claim, source, statement, verdict, the rule's
    one-line reason, and the largest delay tested relative to E1's boundary."""
    lines = [
        "| claim | source | statement | verdict | reason (the verdict rule) | delay / E1 |",
        "|---|---|---|---|---|---|",
    ]
    for cr in results:
        st = cr.claim.statement
        reason = found_text(cr).replace("|", "\\|")
        frac = cr.max_delay_fraction
        lines.append(
            f"| {cr.id} | {st.source} | {st.title} | {cr.verdict} | {reason} | "
            f"{'-' if frac is None else f'{frac:.2f}'} |"
        )
    return "\n".join(lines) + "\n"


def check_result_paths(res: CheckResult) -> list[Path]:
    """Figure files a check reports in its details (key 'figures': list of paths)."""
    return [Path(p) for p in res.details.get("figures", []) if str(p).endswith(".pdf")]
