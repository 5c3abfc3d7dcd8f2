"""`commonsky analyze` on its own LocalCluster prints the Dask dashboard's address, and that address answers
while the run goes on (bokeh is a dependency, so a local run always has a dashboard)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_printed_dashboard_answers_during_the_run(opensky_archive: tuple[Path, pd.DataFrame], tmp_path: Path) -> None:
    folder, _ = opensky_archive
    out = tmp_path / "out"
    options = ["--out", str(out), "--workers", "1", "--tile", "1"]
    command = [sys.executable, "-m", "commonsky.cli", "analyze", str(folder), *options]
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(ROOT / "src")}
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    try:
        assert process.stdout is not None
        link, status, page = None, 0, ""
        for line in process.stdout:  # the address is printed before the analysis starts
            found = re.search(r"Dask dashboard: (http://127\.0\.0\.1:\d+/\S*)", line)
            if found:
                link = found.group(1)
                with urllib.request.urlopen(link, timeout=30) as answer:  # the cluster is still up
                    status, page = answer.status, answer.read().decode("utf-8", "replace")
                break
        rest = process.stdout.read()
        assert process.wait(timeout=300) == 0
    finally:
        if process.poll() is None:
            process.kill()
    assert link is not None, "no dashboard address printed"
    assert status == 200 and "dask" in page.lower()
    assert "losses of separation" in rest  # the run went on to its end after the request
    assert json.loads((out / "summary.json").read_text())["dashboard"] == link
