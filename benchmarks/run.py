"""Run every benchmark in this folder and write their tables into docs/performance.md.

Each ``benchmarks/bench_*.py`` module defines ``run(ctx: BenchContext) -> str`` returning one markdown
section (a ``## Title`` line, what was measured, a table with the peer side by side and the ratio).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import os
import platform
import subprocess
import sys
from pathlib import Path

from benchmarks.context import BenchContext

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "performance.md"


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB, Python {platform.python_version()}, {platform.system()}"


MARK = "<!-- bench:{} -->"


def merge(old: str, fresh: dict[str, str]) -> dict[str, str]:
    """Sections of an existing performance.md keyed by bench module, with the freshly run ones replaced."""
    sections: dict[str, str] = {}
    parts = old.split("<!-- bench:")[1:]
    for part in parts:
        name, _, body = part.partition(" -->")
        sections[name.strip()] = body.strip()
    sections.update(fresh)
    return sections


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--peer-python", default=sys.executable, help="python of the peers' venv")
    parser.add_argument("only", nargs="*", help="run only these bench modules (e.g. bench_buffer)")
    args = parser.parse_args()
    names = args.only or sorted(p.stem for p in Path(__file__).parent.glob("bench_*.py"))
    ctx = BenchContext(peer_python=args.peer_python, root=ROOT)
    fresh: dict[str, str] = {}
    for name in names:
        print(f"== {name}", flush=True)
        module = importlib.import_module(f"benchmarks.{name}")
        section = module.run(ctx)
        print(section, flush=True)
        fresh[name] = section
    write_doc(fresh, partial=bool(args.only))


def write_doc(fresh: dict[str, str], partial: bool = True) -> None:
    """Write ``fresh`` sections (bench module name -> markdown) into docs/performance.md; a partial run replaces its
    own sections and keeps the others (each section states its own run date)."""
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT)
    sections = merge(DOC.read_text(encoding="utf-8"), fresh) if partial and DOC.exists() else fresh
    stamp = f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, commit {commit.stdout.strip() or 'uncommitted'}"
    header = (
        "# Performance\n\n"
        "Written by `make bench` (benchmarks/run.py); do not edit by hand. Peers run in the same session on the "
        "same machine as commonsky, on the same inputs.\n\n"
        f"- Machine: {machine()}\n"
        f"- Last written: {stamp}\n"
    )

    def stamped(name: str, text: str) -> str:
        if name not in fresh:
            return f"{MARK.format(name)}\n{text}"
        title, _, rest = text.partition("\n")
        return f"{MARK.format(name)}\n{title}\n\n_Run {stamp}._\n{rest}"

    body = "\n\n".join(stamped(name, text) for name, text in sorted(sections.items()))
    DOC.write_text(header + "\n" + body + "\n", encoding="utf-8")
    print(f"wrote {DOC}")


if __name__ == "__main__":
    main()
