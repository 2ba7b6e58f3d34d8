"""What this machine offers (CPUs, memory) and how to print sizes and durations.

Standard library only, so that the command line can use it before anything heavy is loaded.

The memory a run may take is the memory *available* now (Linux: ``MemAvailable``), further
bounded by a cgroup limit (containers) and by the environment variable
``ASYNCMSGD_MEMORY_LIMIT`` (bytes, or with a suffix: ``8G``, ``512M``, ``2GiB``), which lets a
user (or a test) lower the bound. It is an estimate for refusing what cannot fit, never a
reservation.
"""

from __future__ import annotations

import math
import os
import re
from pathlib import Path

MEMORY_LIMIT_ENV = "ASYNCMSGD_MEMORY_LIMIT"
_UNITS = {"": 1, "k": 2**10, "m": 2**20, "g": 2**30, "t": 2**40}


def available_cpus() -> int:
    """CPUs this process may use (the affinity mask when the OS has one)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS, Windows
        return max(1, os.cpu_count() or 1)


def parse_bytes(text: str) -> int | None:
    """``"8G"``, ``"512MiB"``, ``"1e9"`` -> bytes; None when the text is not a size."""
    m = re.fullmatch(r"\s*([0-9.eE+]+)\s*([kKmMgGtT]?)(i?[bB])?\s*", text)
    if not m:
        return None
    try:
        value = float(m.group(1)) * _UNITS[m.group(2).lower()]
    except ValueError:
        return None
    return int(value) if math.isfinite(value) and value > 0 else None


def _meminfo_available() -> int | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def _cgroup_available() -> int | None:
    """Room left under a cgroup (v2, then v1) memory limit, if one is set."""
    for limit_file, usage_file in (
        ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),
        (
            "/sys/fs/cgroup/memory/memory.limit_in_bytes",
            "/sys/fs/cgroup/memory/memory.usage_in_bytes",
        ),
    ):
        try:
            raw = Path(limit_file).read_text().strip()
        except OSError:
            continue
        if raw == "max":
            return None
        try:
            limit = int(raw)
            usage = int(Path(usage_file).read_text().strip())
        except (OSError, ValueError):
            continue
        if limit >= 2**60:  # cgroup v1 writes "no limit" as a huge number
            return None
        return max(0, limit - usage)
    return None


def _physical_memory() -> int | None:
    try:
        return int(os.sysconf("SC_PHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (AttributeError, ValueError, OSError):
        return None


def available_memory() -> int | None:
    """Bytes a new allocation may use now (see the module docstring); None when unknown."""
    bounds = [_meminfo_available(), _cgroup_available()]
    if bounds[0] is None:
        bounds[0] = _physical_memory()
    env = os.environ.get(MEMORY_LIMIT_ENV)
    if env:
        bounds.append(parse_bytes(env))
    known = [b for b in bounds if b is not None]
    return min(known) if known else None


def format_bytes(n: float) -> str:
    """1234567 -> '1.2 MiB'."""
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(n) < 1024 or unit == "TiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    raise AssertionError("unreachable")


def format_seconds(s: float) -> str:
    """A duration for people: '42 s', '3.5 min', '2.1 h', '12 days', '3.2e4 years'."""
    if not math.isfinite(s):
        return "forever"
    if s < 90:
        return f"{s:.0f} s" if s >= 1 else f"{s:.2g} s"
    if s < 90 * 60:
        return f"{s / 60:.1f} min"
    if s < 48 * 3600:
        return f"{s / 3600:.1f} h"
    if s < 2 * 365 * 86400:
        return f"{s / 86400:.0f} days"
    return f"{s / (365 * 86400):.2g} years"
