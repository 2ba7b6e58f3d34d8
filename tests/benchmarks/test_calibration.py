"""benchmarks/calibration.py's docs (issue 14): a new run appended to the committed calibration
keeps the earlier parts, and a claim calibrated again supersedes its earlier row."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _module():
    spec = importlib.util.spec_from_file_location(
        "calibration", ROOT / "benchmarks" / "calibration.py"
    )
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _full(claims: dict[str, int], command: str) -> dict:
    return {
        "meta": {"profile": "ci", "root": 1, "seeds": 3, "command": command, "fingerprint": "f"},
        "verdicts": {c: {"same_verdict": same, "of": 3} for c, same in claims.items()},
        "near_miss": [{"claim": "C4", "rejected": 3, "of": 3}],
        "gross_controls": {"rejected": 5, "of": 5},
        "asserted_items": 2,
        "assertions_run": 6,
        "false_rejections": 0,
        "z_pure": {"p": 0.5},
        "z_all": {"p": 0.1},
        "_z_pure_values": [0.1, 0.7, 1.2],
        "_z_all_values": [0.1, 0.7, 1.2],
    }


def test_append_keeps_the_earlier_parts_and_supersedes_rows(tmp_path):
    cal = _module()
    docs = tmp_path / "docs"
    first = tmp_path / "a.json"
    first.write_text(json.dumps(_full({"C1": 3, "C4": 2}, "first")))
    cal.write_docs([first], docs)
    again = tmp_path / "b.json"
    again.write_text(json.dumps(_full({"C4": 3, "C12": 3}, "second")))
    cal.write_docs([again], docs, append=True)
    merged = json.loads((docs / "calibration.json").read_text())
    assert [p["command"] for p in merged["parts"]] == ["first", "second"]
    assert merged["parts"][0]["superseded"] == ["C4"]
    assert merged["claims"]["C4"]["same_verdict"] == 3  # the new row
    assert set(merged["claims"]) == {"C1", "C4", "C12"}
    assert (docs / "calibration-qq.png").exists() and (docs / "calibration-qq-2.png").exists()
