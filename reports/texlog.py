"""What the report's typesetting is measured by (issue 15, Build 3): overfull boxes in the
LaTeX log, Python reprs and untypeset syntax in the ``.tex``, reasons cut short.

Used by the report's tests on the real build and by anyone checking a build by hand
(``python -m reports.texlog reports/build``).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

_OVERFULL = re.compile(
    r"Overfull \\([hv])box \(([\d.]+)pt too (?:wide|high)\)(?: in paragraph at lines (\d+)--(\d+)"
    r"| detected at line (\d+)| has occurred while \\output is active)?"
)
# what a Python value or SymPy's string printer looks like when it leaks into the text
REPRS = {
    "NumPy scalar repr": re.compile(r"np\.(?:float|int|uint|bool)\w*"),
    "NumPy array repr": re.compile(r"\barray\("),
    "SymPy power **": re.compile(r"\*\*"),
    "untypeset ^ (an exponent outside mathematics)": re.compile(r"\\textasciicircum"),
    "Python None/nan": re.compile(r"(?<![A-Za-z\\])(?:None|nan)(?![A-Za-z])"),
}
CUT = re.compile(r"\.\.\.|\\ldots|\u2026")


@dataclass(frozen=True)
class Overfull:
    kind: str  # h or v
    points: float
    lines: str  # the .tex lines it comes from, when the log says

    def __str__(self) -> str:
        return f"overfull \\{self.kind}box {self.points:.1f} pt (lines {self.lines or '?'})"


def overfull_boxes(log: str, threshold: float = 1.0) -> list[Overfull]:
    """Overfull boxes of more than ``threshold`` pt in a LaTeX log."""
    out = []
    for m in _OVERFULL.finditer(log):
        pts = float(m.group(2))
        if pts <= threshold:
            continue
        lines = f"{m.group(3)}-{m.group(4)}" if m.group(3) else (m.group(5) or "")
        out.append(Overfull(m.group(1), pts, lines))
    return out


def reprs(tex: str) -> dict[str, list[str]]:
    """Leaked Python or SymPy syntax in a ``.tex``: kind -> the lines holding it (comments of
    the template aside)."""
    found: dict[str, list[str]] = {}
    for line in tex.splitlines():
        text = line.split("%", 1)[0] if not line.lstrip().startswith("\\#") else ""
        for kind, pattern in REPRS.items():
            if pattern.search(text):
                found.setdefault(kind, []).append(line.strip()[:160])
    return found


def cut_short(tex: str) -> list[str]:
    """Lines with an ellipsis: a reason, label or caption cut short."""
    return [ln.strip()[:160] for ln in tex.splitlines() if CUT.search(ln)]


def main(argv: list[str] | None = None) -> int:
    folder = Path((argv or sys.argv[1:] or ["reports/build"])[0])
    log = folder / "report.log"
    tex = folder / "report.tex"
    bad = 0
    if log.exists():
        boxes = overfull_boxes(log.read_text(errors="replace"))
        print(f"{len(boxes)} overfull box(es) over 1 pt")
        for b in boxes:
            print(f"  {b}")
        bad += len(boxes)
    if tex.exists():
        text = tex.read_text()
        for kind, lines in reprs(text).items():
            print(f"{kind}: {len(lines)} line(s), e.g. {lines[0]}")
            bad += len(lines)
        for line in cut_short(text):
            print(f"cut short: {line}")
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
