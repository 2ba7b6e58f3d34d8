"""Default folders of the CLI, resolved from the project (not the working directory)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def default_build() -> Path:
    """The report's build folder: ``reports/build`` of the project."""
    return ROOT / "reports" / "build"


def default_cache() -> Path:
    """Where check results are kept for reuse: ``reports/build/cache`` of the project."""
    return default_build() / "cache"


def check_cache_dir(path: Path) -> Path:
    """``--cache`` must be a folder (or not exist yet): a file there is a clear error."""
    from asyncmsgd.commands import UsageError

    if path.exists() and not path.is_dir():
        raise UsageError(f"--cache: {path} is a file, not a folder")
    return path


def out_dir(out: Path) -> Path:
    """``--out``: a folder, created if needed (a file there is a clear error)."""
    from asyncmsgd.commands import UsageError

    if out.exists() and not out.is_dir():
        raise UsageError(f"--out: {out} exists and is not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--out: cannot create {out}: {exc}") from None
    return out


SCALE_CHOICES = ("ci", "full", "paper")


def experiment_scale(name: str) -> str:
    """The figure reproductions' scale of a profile name (``full`` and ``paper`` -> ``paper``)."""
    return "ci" if name == "ci" else "paper"
