"""Extract the sample trajectories bundled in the PyPI `traffic` wheel (MIT licence) as plain data files.

`traffic` is an oracle/data source, never a runtime dependency: this downloads its wheel with pip (no install,
no dependencies) and unzips only ``traffic/data/samples/**/*.json.gz`` into the target folder. Usage:
``python scripts/traffic_samples.py [DIR]`` (default ``.cache/traffic-samples``). Provenance: data/README.md.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

VERSION = "2.13"
PREFIX = "traffic/data/samples/"


def extract(target: Path) -> Path:
    """The folder holding the samples (``<category>/<name>.json.gz``), downloaded once."""
    marker = target / f".traffic-{VERSION}"
    if marker.is_file():
        return target
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "-q", "--no-deps", f"traffic=={VERSION}", "-d", tmp],
            check=True,
        )
        wheel = next(Path(tmp).glob("traffic-*.whl"))
        with zipfile.ZipFile(wheel) as archive:
            for name in archive.namelist():
                if name.startswith(PREFIX) and name.endswith(".json.gz"):
                    out = target / name[len(PREFIX) :]
                    out.parent.mkdir(parents=True, exist_ok=True)
                    out.write_bytes(archive.read(name))
    marker.write_text(f"traffic {VERSION} wheel from PyPI, MIT licence\n")
    return target


if __name__ == "__main__":
    print(extract(Path(sys.argv[1] if len(sys.argv) > 1 else ".cache/traffic-samples")))
