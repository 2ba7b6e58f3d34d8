"""Matplotlib set-up for the report's figures: vector PDF with embedded TrueType fonts and
reproducible bytes (no creation date; SOURCE_DATE_EPOCH honoured), plus a PNG twin."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display; the PDF backend draws without TeX
import matplotlib.pyplot as plt

RC = {
    "pdf.fonttype": 42,  # embed TrueType fonts
    "ps.fonttype": 42,
    "font.family": "DejaVu Sans",
    "figure.dpi": 100,
    "savefig.bbox": "tight",
    "axes.grid": True,
    "grid.alpha": 0.3,
    "svg.hashsalt": "asyncmsgd",
}


def save(fig: plt.Figure, path_without_suffix: Path, png: bool = True) -> list[Path]:
    """Write ``.pdf`` (and ``.png``) with fixed metadata, so the same data give the same bytes."""
    path_without_suffix.parent.mkdir(parents=True, exist_ok=True)
    out = [path_without_suffix.with_suffix(".pdf")]
    fig.savefig(
        out[0],
        metadata={
            "CreationDate": None,
            "ModDate": None,
            "Producer": None,
            "Creator": "asyncmsgd-verify",
        },
    )
    if png:
        out.append(path_without_suffix.with_suffix(".png"))
        fig.savefig(out[1], dpi=150, metadata={"Software": None})
    plt.close(fig)
    return out


def new_figure(width: float = 6.4, height: float = 4.0) -> tuple[plt.Figure, plt.Axes]:
    with plt.rc_context(RC):
        fig, ax = plt.subplots(figsize=(width, height))
    return fig, ax
