"""`commonsky detect` end to end: BlueSky's reference pairs, options that change the result, bad files and
options (one line, exit 2)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from commonsky.cli import main


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        main(argv)
        code = 0
    except SystemExit as stop:
        code = int(stop.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_detect_writes_the_reference_pairs(
    reference_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "pairs.csv"
    code, stdout, _ = _run(
        ["detect", str(reference_dir / "bluesky" / "scenario_2000.csv"), "--out", str(out), "--json"], capsys
    )
    assert code == 0
    summary = json.loads(stdout)
    assert summary["aircraft"] == 2000 and summary["conflicts"] == 259
    with open(out, newline="") as handle:
        rows = list(csv.DictReader(handle))
    with open(reference_dir / "bluesky" / "pairs_2000.csv", newline="") as handle:
        ref = {(r["ownship"], r["intruder"]): float(r["tcpa_s"]) for r in csv.DictReader(handle)}
    assert list(rows[0]) == ["ownship", "intruder", "tcpa_s", "tin_s", "dcpa_m", "dist_m"]
    assert all(r["ownship"] < r["intruder"] for r in rows)
    assert {(r["ownship"], r["intruder"]) for r in rows} == {k for k in ref if k[0] < k[1]}
    assert all(abs(float(r["tcpa_s"]) - ref[(r["ownship"], r["intruder"])]) < 0.01 for r in rows)


def test_detect_options_change_the_result(
    reference_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = str(reference_dir / "bluesky" / "scenario_500.csv")
    code, stdout, _ = _run(
        [
            "detect",
            scenario,
            "--radius",
            "3NM",
            "--height",
            "500ft",
            "--lookahead",
            "2min",
            "--out",
            str(tmp_path / "p.csv"),
            "--json",
        ],
        capsys,
    )
    small = json.loads(stdout)
    assert code == 0 and small["radius_m"] == 3 * 1852.0 and small["lookahead_s"] == 120.0
    assert small["conflicts"] < 14


@pytest.mark.parametrize(
    ("content", "message"),
    [("id,lat_deg\nA,1\n", "missing column"), (None, "cannot read file"), ("\x00\xff\xfe", "")],
)
def test_detect_bad_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, message: str
) -> None:
    path = tmp_path / "states.csv"
    if content is not None:
        path.write_bytes(content.encode("latin-1"))
    code, _, err = _run(["detect", str(path), "--out", str(tmp_path / "p.csv")], capsys)
    assert code == 2 and err.startswith("commonsky: error:") and message in err and err.count("\n") == 1


def test_detect_bad_option(reference_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(
        [
            "detect",
            str(reference_dir / "bluesky" / "scenario_500.csv"),
            "--radius",
            "five",
            "--out",
            str(tmp_path / "p.csv"),
        ],
        capsys,
    )
    assert code == 2 and "--radius" in err
