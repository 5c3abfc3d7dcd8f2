"""A process's resident memory and CPU time, read from Linux's /proc (the benches watch servers and readers)."""

from __future__ import annotations

import os
from pathlib import Path


def rss_mb(pid: int | None = None) -> float:
    """Resident set size of ``pid`` (default: this process), in MiB; NaN when it is gone."""
    try:
        status = Path(f"/proc/{pid or 'self'}/status").read_text(encoding="ascii")
    except OSError:
        return float("nan")
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_s(pid: int | None = None) -> float:
    """User + system CPU time of ``pid`` (default: this process) so far, in seconds; NaN when it is gone."""
    try:
        fields = Path(f"/proc/{pid or 'self'}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
