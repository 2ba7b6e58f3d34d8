"""Provenance: package versions (numerical, figure and TeX tools), git commit and dirty flag,
machine, time (I/O at the edge: subprocess, env). Issue 15, Build 5: every package that made a
number or a page of the report is listed, scikit-learn, Numba and TeX included."""

from __future__ import annotations

import datetime as dt
import os
import platform
import shutil
import subprocess
from importlib import metadata
from pathlib import Path

PACKAGES = (
    "asyncmsgd-verify",
    "numpy",
    "scipy",
    "sympy",
    "mpmath",
    "numba",
    "llvmlite",
    "scikit-learn",
    "threadpoolctl",
    "hypothesis",
    "pytest",
    "jinja2",
    "matplotlib",
    "tqdm",
)
TEX_TOOLS = ("pdflatex", "latexmk")


def package_versions() -> list[tuple[str, str]]:
    out = []
    for name in PACKAGES:
        try:
            out.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            out.append((name, "not installed"))
    out.append(("python", platform.python_version()))
    out += tex_versions()
    return out


def tex_versions() -> list[tuple[str, str]]:
    """The first line of ``pdflatex --version`` and ``latexmk -v`` (TeX Live's year and the
    engine), or "not installed"."""
    out = []
    for tool in TEX_TOOLS:
        exe = shutil.which(tool)
        if exe is None:
            out.append((tool, "not installed"))
            continue
        try:
            text = subprocess.run(
                [exe, "--version" if tool == "pdflatex" else "-v"],
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
            ).stdout
        except (OSError, subprocess.SubprocessError):
            out.append((tool, "unknown"))
            continue
        lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
        out.append((tool, lines[0] if lines else "unknown"))
    return out


def git_state(root: Path | None = None) -> tuple[str, bool | None]:
    """(commit, dirty): the HEAD commit and whether tracked files differ from it (None when
    this is not a git checkout)."""
    root = root or Path(__file__).resolve().parent.parent
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)", None
    return sha, bool(dirty)


def git_commit(root: Path | None = None) -> str:
    sha, dirty = git_state(root)
    return sha + (" (with uncommitted changes)" if dirty else "")


def build_time() -> dt.datetime:
    """SOURCE_DATE_EPOCH when set (reproducible builds), else now, in UTC."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is not None and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
    return dt.datetime.now(tz=dt.UTC).replace(microsecond=0)


def machine() -> str:
    return f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, {platform.node()}"
