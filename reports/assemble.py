"""Turn registry results and derivations into the report's template context and macro values.

Every number the text shows is registered here under a key and reaches LaTeX as a macro from
``macros.tex`` (:func:`reports.latex.write_macros`); the context only carries macro references.
Plain text from the checks is typeset by :mod:`reports.prose` (mathematics as LaTeX, SymPy
output through ``sympy.latex``, numbers to stated significant digits).

What a claim's section holds (issue 15, Build 1): an evidence card first (the claim in the
paper's words, the derivation's outcome, the measurements with mean, SE, 95% CI and n, the
tolerance and its source, the check's power, the verdict with the rule's one-line reason, the
settings, the commands that rerun it and the result files), then its figures, then the full
derivation, the supporting items, the negative controls and the checks' summaries.
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
from checks.verdict import MEANING, ORDER, RULE, RULES, Verdict, counts
from reports import glossary, prose
from reports.build import ReportInputs, derivation_context

FINDING_VERDICTS = (Verdict.DISCREPANCY, Verdict.REFUTED)
DERIVATION_CACHE = "derivation-v2-{claim}"  # v2: the report's own format (the key ignores reports/)

_NUMBER = re.compile(r"(?<![A-Za-z_\\])[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")
_Z95 = 1.959963984540054


def _macro_text(value: float | int, digits: int = prose.SIGNIFICANT) -> str:
    """A number as the body of a macro, usable in text and in mathematics."""
    text = prose.format_significant(value, digits)
    return rf"\ensuremath{{{text}}}" if "\\" in text or "^" in text else text


@dataclass
class Numbers:
    """Collects numbers under unique keys and hands back macro references."""

    values: dict[str, object] = field(default_factory=dict)

    def text(self, key: str, text: str) -> str:
        """Typeset generated text (:func:`reports.prose.to_latex`), every number in it through a
        macro, so that the report's text holds no number that is not in macros.tex."""
        counter = iter(range(1, 1_000_000))

        def number(raw: str) -> str:
            return self.number(f"{key} n{next(counter)}", raw)

        return prose.to_latex(text, number)

    def number(self, key: str, raw: str) -> str:
        """A number written ``raw`` in generated text, as a macro to stated digits."""
        try:
            value: float | int = int(raw) if re.fullmatch(r"\d+", raw) else float(raw)
        except ValueError:
            return prose.tidy(raw)
        return self.ref(key, _macro_text(value))

    def value(self, key: str, x: float | int | None) -> str:
        """A measured or theory value as a macro (n/a for a missing one)."""
        if x is None or (isinstance(x, float) and math.isnan(x)):
            return self.ref(key, r"\textrm{n/a}")
        return self.ref(key, _macro_text(x))

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


# ------------------------------------------------------------------------------ evidence rows

_ACCEPT = {
    "abs-diff": r"$\pm\,${tol}",
    "upper": r"$\le t+${tol}",
    "lower": r"$\ge t-${tol}",
    "lower-strict": r"$> t+${tol}",
    "upper-strict": r"$< t-${tol}",
}
_KIND = {
    "abs-diff": "th.",
    "upper": "bound",
    "lower": "bound",
    "lower-strict": "ref.",
    "upper-strict": "ref.",
}


def runs_of(e: Evidence, res: CheckResult) -> int | None:
    """The number of independent runs behind an item: its basis says it ("over 3000 runs",
    "fraction of 1500 runs", "4 seeds"), else the check's details."""
    m = re.search(r"(\d[\d,]*) (?:real |lock-free )*(?:runs|seeds|repeats)\b", e.basis)
    if m:
        return int(m.group(1).replace(",", ""))
    scale = res.details.get("scale")
    if scale and res.claim in ("C12", "E1"):
        from checks.experiments import figure1 as f1

        return int(f1.settings(str(scale))["runs"])
    runs = res.details.get("runs")
    return int(runs) if isinstance(runs, (int, float)) else None


def interval(e: Evidence) -> tuple[float, float, str] | None:
    """The item's 95% CI: its own (bootstrap) interval when it records one that is not merely
    its acceptance band (measured +- tol, or +- z SE), else measured +- 1.96 SE; None without
    an SE."""
    from checks.profile import Z

    if e.ci is not None and all(math.isfinite(x) for x in e.ci):
        bands = [(e.measured - e.tolerance, e.measured + e.tolerance)]
        if math.isfinite(e.se):
            bands.append((e.measured - Z * e.se, e.measured + Z * e.se))
        if not any(_close(b, tuple(e.ci)) for b in bands):
            return float(e.ci[0]), float(e.ci[1]), "bootstrap"
    if math.isfinite(e.se) and e.se > 0:
        return e.measured - _Z95 * e.se, e.measured + _Z95 * e.se, "normal"
    return None


def _close(a: tuple[float, float], b: tuple[float, float]) -> bool:
    scale = max(abs(a[0]), abs(a[1]), abs(b[0]), abs(b[1]), 1e-300)
    return abs(a[0] - b[0]) <= 1e-6 * scale and abs(a[1] - b[1]) <= 1e-6 * scale


def mdd_of(e: Evidence) -> tuple[float, str, bool] | None:
    """(MDD, kind, computed by the report) for a statistical item; the check's own when it
    records one (:mod:`checks.power`), else from its tolerance and SE by the same formula."""
    if e.relation == "identity" or not math.isfinite(e.theory):
        return None
    if math.isfinite(e.mdd):
        return e.mdd, e.mdd_kind or "relative", False
    from checks.power import with_power

    p = with_power(e)
    return p.mdd, p.mdd_kind, True


def evidence_row(
    e: Evidence, res: CheckResult, key: str, nums: Numbers, link: str | None
) -> dict[str, object]:
    """One row of an evidence table (the card's, the supporting items', the controls')."""
    row: dict[str, object] = {
        "label": nums.text(f"{key} label", e.label),
        "basis": nums.text(f"{key} basis", e.basis) if e.basis else "",
        "passed": bool(e.passed),
        "origin": e.origin,
        "reading": e.reading,
        "reading_tex": nums.text(f"{key} reading", e.reading) if e.reading else "",
        "identity": e.relation == "identity",
        "near_miss": e.near_miss,
        "link": link,
    }
    if e.relation == "identity":
        row["note"] = nums.text(f"{key} note", e.note or e.label)
        row["outcome"] = _identity_outcome(e)
        row.update(
            compared="",
            kind="",
            measured="holds" if e.passed else "fails",
            se="",
            ci="",
            ci_kind="",
            n="",
            accept="SymPy",
            mdd="",
        )
        return row
    row["compared"] = nums.value(f"{key} theory", e.theory)
    row["kind"] = _KIND[e.relation]
    row["measured"] = nums.value(f"{key} measured", e.measured)
    row["se"] = nums.value(f"{key} se", e.se) if math.isfinite(e.se) and e.se > 0 else ""
    ci = interval(e)
    if ci is None:
        row["ci"], row["ci_kind"] = "", ""
    else:
        row["ci"] = f"[{nums.value(f'{key} lo', ci[0])}, {nums.value(f'{key} hi', ci[1])}]"
        row["ci_kind"] = ci[2]
    n = runs_of(e, res)
    row["n"] = nums.value(f"{key} n", n) if n else ""
    row["accept"] = _ACCEPT[e.relation].format(tol=nums.value(f"{key} tol", e.tolerance))
    m = mdd_of(e)
    if m is None or not math.isfinite(m[0]):
        row["mdd"] = r"$\infty$" if m else ""
    elif m[1] == "relative":
        row["mdd"] = nums.value(f"{key} mdd", 100 * m[0]) + r"\%" + ("*" if m[2] else "")
    else:
        row["mdd"] = nums.value(f"{key} mdd", m[0]) + ("*" if m[2] else "")
    return row


def _identity_outcome(e: Evidence) -> str:
    """A symbolic item's outcome in words: a proof holds or fails; a comparison agrees (or
    agrees as far as its form requires) or differs."""
    proof = e.label.endswith("(SymPy proof)")
    if e.passed:
        return "proved" if proof else "agrees"
    return "fails" if proof else "differs"


# ----------------------------------------------------------------------------- claim context


def _verdict_text(v: object) -> str:
    """A verdict name that may break at its hyphens in a narrow column."""
    return str(v).replace("-", r"-\allowbreak{}")


def _decision_context(cr: ClaimResult, nums: Numbers) -> dict[str, object]:
    d = cr.decision
    readings = [
        {
            "name": nums.text(f"{cr.id} reading {k} name", name),
            "verdict": str(rd.verdict),
            "verdict_tex": _verdict_text(rd.verdict),
            "rule": rd.rule,
            "reason": nums.text(f"{cr.id} reading {k} reason", rd.reason),
        }
        for k, (name, rd) in enumerate(d.readings)
    ]
    if d.rule == "readings":
        reason = nums.text(f"{cr.id} reason", RULE["readings"].says)
    else:
        reason = nums.text(f"{cr.id} reason", d.reason)
    return {
        "verdict": cr.verdict,
        "verdict_tex": _verdict_text(cr.verdict),
        "rule": d.rule,
        "rule_when": nums.text(f"{cr.id} rule when", RULE[d.rule].when),
        "reason": reason,
        "readings": readings if d.rule == "readings" else [],
        "findings": [nums.text(f"{cr.id} finding {k}", f) for k, f in enumerate(d.findings)],
    }


def claim_context(
    cr: ClaimResult,
    derivation: Mapping[str, object] | None,
    figures: Sequence[Mapping[str, str]],
    nums: Numbers,
    *,
    links: Mapping[str, str] | None = None,
    seed: int | None = None,
    profile: str = "ci",
) -> dict[str, object]:
    """The context of one claim's section (module docstring). ``links``: check -> the result
    file's path relative to the .tex; ``figures``: path, caption (LaTeX), label."""
    from checks.profile import ROOT_SEED
    from reports.settings import claim_settings

    links = links or {}
    cid = cr.id
    st = cr.claim.statement
    measured, support, symbolic, controls, notes, tolerances = [], [], [], [], [], []
    for j, res in enumerate(cr.results):
        link = links.get(res.check)
        for k, e in enumerate(res.evidence):
            row = evidence_row(e, res, f"{cid} c{j} e{k}", nums, link)
            row["check"] = res.check
            if e.relation == "identity":
                symbolic.append(row)
            elif e.origin == "claim":
                measured.append(row)
            else:
                support.append(row)
            if e.relation != "identity" and e.basis:
                mark = _mark(len(tolerances))
                row["mark"] = mark
                tolerances.append({"mark": mark, "basis": row["basis"], "label": row["label"]})
        for k, e in enumerate(res.controls):
            row = evidence_row(e, res, f"{cid} c{j} n{k}", nums, link)
            row["check"] = res.check
            controls.append(row)
        summary = res.summary if res.runnable else (res.reason or res.summary)
        notes.append(
            {
                "check": res.check,
                "verdict": str(res.decision.verdict),
                "summary": nums.text(f"{cid} c{j} note", summary),
                "seconds": nums.value(f"{cid} c{j} seconds", round(res.seconds, 1)),
                "power": _power_text(res, f"{cid} c{j}", nums),
                "link": link,
            }
        )
    settings = [
        {
            "check": nums.text(f"{cid} settings {i} check", check),
            "rows": [
                {
                    "label": nums.text(f"{cid} settings {i} {k} label", s.label),
                    "value": nums.text(f"{cid} settings {i} {k} value", s.value),
                    "source": nums.text(f"{cid} settings {i} {k} source", s.source),
                }
                for k, s in enumerate(rows)
            ],
        }
        for i, (check, rows) in enumerate(claim_settings(cr, ROOT_SEED if seed is None else seed))
    ]
    # the rerun commands reproduce this report's numbers: its profile and root seed
    seed_ = ROOT_SEED if seed is None else seed
    opt = ("" if profile == "ci" else f" --profile {profile}") + (
        "" if seed_ == ROOT_SEED else f" --seed {seed_}"
    )
    env = ("" if profile == "ci" else f"ASYNCMSGD_PROFILE={profile} ") + (
        "" if seed_ == ROOT_SEED else f"ASYNCMSGD_SEED={seed_} "
    )
    commands = [f"asyncmsgd verify --claims {cid}{opt}", f"{env}pytest -m {cid}"]
    if cr.claim.derive is not None:
        commands.append(f"asyncmsgd derive {cid}")
    return {
        "id": cid,
        "title": nums.text(f"{cid} title", st.title),
        "source": nums.latex(f"{cid} source", st.source),
        "kind": st.kind,
        "statement": nums.latex(f"{cid} statement", st.latex),
        "assumptions": nums.text(f"{cid} assumptions", "; ".join(st.assumptions)),
        "reconstructed": nums.latex(f"{cid} reconstructed", st.reconstructed)
        if st.reconstructed
        else "",
        "printed_form": "reconstruction" if st.reconstructed else "paper's text",
        **_decision_context(cr, nums),
        "derivation": _derivation_text(cid, derivation, nums),
        "symbolic": symbolic,
        "measured": measured,
        "support": support,
        "tolerances": tolerances,
        "controls": controls,
        "figures": list(figures),
        "notes": notes,
        "settings": settings,
        "commands": commands,
        "results": [
            {"check": n["check"], "link": n["link"], "seconds": n["seconds"]}
            for n in notes
            if n["link"]
        ],
        "extra_files": _extra_files(cr),
        "delay_fraction": None
        if cr.max_delay_fraction is None
        else nums.value(f"{cid} delay fraction", round(cr.max_delay_fraction, 2)),
    }


def _mark(k: int) -> str:
    letters = "abcdefghijklmnopqrstuvwxyz"
    return letters[k] if k < 26 else letters[k // 26 - 1] + letters[k % 26]


def _power_text(res: CheckResult, key: str, nums: Numbers) -> str:
    p = res.power
    if p is None:
        return ""
    v = p["mdd"]
    shown = (
        nums.value(f"{key} power", 100 * v) + r"\%"
        if p["mdd_kind"] == "relative"
        else nums.value(f"{key} power", v)
    )
    return shown


def _extra_files(cr: ClaimResult) -> list[str]:
    """Results files a check names in its details (Figure 1's and Figure 2's JSON)."""
    out = []
    for res in cr.results:
        f = res.details.get("results_file")
        if isinstance(f, str):
            out.append(f)
    return out


def _derivation_text(cid: str, d: Mapping[str, object] | None, nums: Numbers):
    """The derivation context with its plain-text parts typeset and macroized."""
    if d is None:
        return None
    items = []
    for k, it in enumerate(d["entries"]):  # type: ignore[index]
        it = dict(it)
        it["label"] = nums.text(f"{cid} d{k} label", str(it["label"]))
        it["note"] = nums.text(f"{cid} d{k} note", str(it["note"])) if it["note"] else ""
        items.append(it)
    findings = [nums.text(f"{cid} dfind {k}", str(f)) for k, f in enumerate(d["findings"])]  # type: ignore[index]
    return {"verdict": d["verdict"], "entries": items, "findings": findings}


def found_text(cr: ClaimResult) -> str:
    """The verdict's one-line reason, written by the verdict rule."""
    return cr.decision.reason


def discrepancy_entries(results: Sequence[ClaimResult], nums: Numbers) -> list[dict[str, str]]:
    """Claims whose verdict is discrepancy-found or refuted, and, of a claim decided per
    reading, the readings that get one of these verdicts (issue 15: nothing else)."""
    out = []
    for cr in results:
        d = cr.decision
        if d.verdict in FINDING_VERDICTS:
            out.append(
                {
                    "id": cr.id,
                    "reading": "",
                    "verdict": str(d.verdict),
                    "text": nums.text(f"{cr.id} disc", d.reason),
                }
            )
        elif d.rule == "readings":
            for k, (name, rd) in enumerate(d.readings):
                if rd.verdict in FINDING_VERDICTS:
                    out.append(
                        {
                            "id": cr.id,
                            "reading": nums.text(f"{cr.id} disc reading {k}", name),
                            "verdict": str(rd.verdict),
                            "text": nums.text(f"{cr.id} disc {k}", rd.reason),
                        }
                    )
    return out


def inputs(
    results: Sequence[ClaimResult],
    derivations: Mapping[str, Mapping[str, object]],
    *,
    profile: str,
    figures: Mapping[str, Sequence[Mapping[str, str]]] | None = None,
    runtimes: Mapping[str, float] | None = None,
    seeds: str = "",
    extra_provenance: Mapping[str, str] | None = None,
    links: Mapping[tuple[str, str], str] | None = None,
    seed: int | None = None,
    validity: Sequence[Mapping[str, object]] = (),
    check_seconds: Sequence[tuple[str, str, float, bool]] = (),
    rebuild: Sequence[str] = (),
    seed_study: Mapping[str, object] | None = None,
) -> ReportInputs:
    """Everything the template needs. ``figures``: claim -> figures with a *plain* caption
    (typeset here); ``links``: (claim, check) -> the result file relative to the .tex;
    ``validity``: the validity maps (:func:`reports.validity.load`); ``check_seconds``:
    (claim, check, seconds, cached) per check, for the provenance's wall times."""
    nums = Numbers()
    figures = figures or {}
    links = links or {}
    summary, claims = [], []
    for cr in results:
        d = derivations.get(cr.id)
        figs = [
            {
                "path": f["path"],
                "label": f"fig:{cr.id}-{k}",
                "caption": nums.text(f"{cr.id} fig{k} caption", str(f["caption"])),
                "link": f.get("link"),
            }
            for k, f in enumerate(figures.get(cr.id, ()))
        ]
        ctx = claim_context(
            cr,
            d,
            figs,
            nums,
            links={check: p for (c, check), p in links.items() if c == cr.id},
            seed=seed,
            profile=profile,
        )
        claims.append(ctx)
        summary.append(
            {
                "id": cr.id,
                "title": ctx["title"],
                "source": ctx["source"],
                "printed_form": ctx["printed_form"],
                "verdict": cr.verdict,
                "verdict_tex": ctx["verdict_tex"],
                "reason": ctx["reason"],
                "readings": ctx["readings"],
                "delay_fraction": ctx["delay_fraction"],
            }
        )
    tally = counts(cr.verdict for cr in results)
    count_rows = [
        {
            "verdict": str(v),
            "meaning": nums.text(f"meaning {v}", MEANING[v]),
            "count": nums.value(f"count {v}", n),
        }
        for v, n in tally.items()
    ]
    rules = [
        {"id": r.id, "when": nums.text(f"rule {r.id} when", r.when), "verdict": str(r.verdict)}
        for r in RULES
    ]
    gloss = [
        {
            "title": title,
            "entries": [
                {
                    "term": term if is_tex else nums.text(f"gloss {title} {k} term", term),
                    "text": nums.text(f"gloss {title} {k}", text),
                }
                for k, (term, text) in enumerate(entries_)
            ],
        }
        for title, entries_, is_tex in glossary.sections()
    ]
    walls = [
        {
            "claim": c,
            "check": nums.text(f"wall {c} {chk} name", chk),
            "seconds": nums.value(f"wall {c} {chk}", round(s, 1)),
            "cached": cached,
        }
        for c, chk, s, cached in check_seconds
    ]
    return ReportInputs(
        profile=profile,
        summary=summary,
        claims=claims,
        discrepancies=discrepancy_entries(results, nums),
        numbers=nums.values,
        runtimes=dict(runtimes or {}),
        seeds=seeds,
        verdict_meanings=[(str(k), v) for k, v in MEANING.items()],
        extra_provenance=dict(extra_provenance or {}),
        counts=count_rows,
        total=nums.value("count total", len(results)),
        rules=rules,
        order=[str(v) for v in ORDER],
        glossary=gloss,
        validity=[_validity_context(v, k, nums) for k, v in enumerate(validity)],
        walls=walls,
        rebuild=list(rebuild),
        seed_study=_seed_context(seed_study, nums) if seed_study else None,
    )


def _short_command(cmd: str, width: int = 60) -> str:
    if len(cmd) <= width:
        return cmd
    words = cmd.split(";")[0].split()
    head = " ".join(words[:2] if words[:1] == ["python"] else words[:3])
    return f"{head} (the whole command is in the data file)"


def _seed_context(study: Mapping[str, object], nums: Numbers) -> dict[str, object]:
    """The seed study (issue 14): per claim, how many of K spawned root seeds give the root
    seed's verdict, the |z| of its items over the seeds, and the items that flipped; with the
    calibration's suite-level figures when the study is the calibration benchmark's."""
    claims = study.get("claims") or {}
    rows, flips = [], []
    for c, s in claims.items():  # type: ignore[union-attr]
        zq = s.get("z_quantiles") or {}
        rows.append(
            {
                "claim": str(c),
                "verdict": str(s.get("reference_verdict", "")),
                "same": nums.value(f"seeds {c} same", int(s.get("same_verdict", 0))),
                "of": nums.value(f"seeds {c} of", int(s.get("of", 0))),
                "zmed": nums.value(f"seeds {c} zmed", _float(zq.get("0.5"))),
                "zmax": nums.value(f"seeds {c} zmax", _float(zq.get("max"))),
                "flipped": nums.value(f"seeds {c} flipped", len(s.get("flipped_items") or [])),
            }
        )
        for k, f in enumerate((s.get("flipped_items") or [])[:3]):
            flips.append(nums.text(f"seeds {c} flip {k}", f"{c}, {f}"))
    parts = study.get("parts") or (
        [{**study["calibration"], "claims": list(claims), "seeds": study.get("seeds")}]
        if isinstance(study.get("calibration"), Mapping)
        else []
    )
    cal_ctx = []
    for k, part in enumerate(parts):  # type: ignore[union-attr]
        ctx = {
            key: nums.value(f"calibration {k} {key}", _float(part.get(key)))
            for key in (
                "seeds",
                "asserted_items",
                "assertions_run",
                "false_rejections",
                "ks_p_pure",
                "ks_p_all",
                "near_miss_min_rate",
                "near_miss_items",
                "gross_rejected_rate",
            )
        }
        ctx["claims"] = ", ".join(str(c) for c in part.get("claims", []))
        # claims a later part calibrated again (on newer code): this part's figures predate it
        ctx["superseded"] = nums.text(
            f"calibration {k} superseded", ", ".join(str(c) for c in part.get("superseded") or [])
        )
        cal_ctx.append(ctx)
    return {
        "source": study.get("file"),
        # a long command (comma lists) cannot break in a line: its program, the rest in the file
        "made_by": nums.text("seeds made by", _short_command(str(study.get("command", "")))),
        "seeds": nums.value("seeds k", int(study.get("seeds", 0))),
        "profile": str(study.get("profile", "")),
        "rows": rows,
        "flips": flips,
        "calibration": cal_ctx,
    }


def _validity_context(v: Mapping[str, object], k: int, nums: Numbers) -> dict[str, object]:
    """One validity map (another command's output, read generically): its figure and a table
    of the fitted exponents beside the paper's and E1's."""
    rows = []
    labels = {"mu": "1-mu (a in (1-mu)^a)", "eta": "eta (b in eta^-b)"}
    for name in ("mu", "eta"):
        ex = v.get(f"exponent_{name}") or {}
        ci = ex.get("ci") if isinstance(ex, Mapping) else None
        paper = (
            (v.get("paper_exponents") or {}).get(name)
            if isinstance(v.get("paper_exponents"), Mapping)
            else None
        )
        e1 = (
            (v.get("e1_exponents") or {}).get(name)
            if isinstance(v.get("e1_exponents"), Mapping)
            else None
        )
        rows.append(
            {
                "name": nums.text(f"validity {k} {name} name", labels[name]),
                "value": nums.value(f"validity {k} {name} value", _float(ex.get("value")))
                if isinstance(ex, Mapping)
                else "",
                "ci": (
                    f"[{nums.value(f'validity {k} {name} lo', _float(ci[0]))}, "
                    f"{nums.value(f'validity {k} {name} hi', _float(ci[1]))}]"
                )
                if isinstance(ci, (list, tuple)) and len(ci) == 2
                else "",
                "paper": nums.value(f"validity {k} {name} paper", _float(paper))
                if paper is not None
                else "",
                "e1": nums.value(f"validity {k} {name} e1", _float(e1)) if e1 is not None else "",
            }
        )
    paper = v.get("paper_exponents") if isinstance(v.get("paper_exponents"), Mapping) else {}
    return {
        "claim": str(v.get("claim", "?")),
        "title": nums.text(f"validity {k} title", str(v.get("title", ""))),
        "condition": nums.text(f"validity {k} condition", str(paper.get("condition", "")))
        if paper
        else "",
        "condition_source": nums.text(f"validity {k} source", str(paper.get("source", "")))
        if paper
        else "",
        "data": nums.text(f"validity {k} data", str(v.get("label", ""))),
        "command": nums.text(f"validity {k} command", str(v.get("command", ""))),
        "figure": v.get("figure"),
        "file": v.get("file"),
        "points": nums.value(f"validity {k} points", len(v.get("points") or [])),
        "rows": rows,
    }


def _float(x: object) -> float:
    try:
        return float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan


def derivation_contexts(
    claims: Sequence[str],
    cache: ResultCache | None = None,
    tick=None,
) -> dict[str, dict[str, object]]:
    """LaTeX-ready derivations of the claims that have one (cached: SymPy takes seconds).
    ``tick(claim, cached)`` is called after each claim (the command's progress; ``cached`` is
    None for a claim without a derivation)."""
    from checks.derivation import symbolic_check

    known = entries()
    out = {}
    for c in claims:
        claim = known[c].claim
        if claim.derive is None:
            if tick:
                tick(c, None)  # None: the claim has no derivation
            continue
        name = DERIVATION_CACHE.format(claim=c)
        stored = cache.get(name, "any") if cache else None
        cached = stored is not None
        if stored is None:
            d = claim.derive()
            verdict = symbolic_check(c, lambda d=d: d, claim.reading_names).decision.verdict
            stored = derivation_context(d, str(verdict))
            if cache:
                cache.put(name, "any", stored)
        out[c] = stored
        if tick:
            tick(c, cached)
    return out


def verdict_markdown(results: Sequence[ClaimResult]) -> str:
    """The verdict table (README, verdicts.md): claim, source, statement, verdict, the rule's
    one-line reason, and the largest delay tested relative to E1's boundary."""
    from reports.readme import verdict_table

    return verdict_table(results)


def check_result_paths(res: CheckResult) -> list[Path]:
    """Figure files a check reports in its details (key 'figures': list of paths)."""
    out = []
    for p in res.details.get("figures", []):
        path = p["path"] if isinstance(p, Mapping) else p
        if str(path).endswith(".pdf"):
            out.append(Path(path))
    return out
