"""`commonsky replay` end to end on the recorded files of tests/safety/conftest.py, including bad inputs (one line,
exit 2); `commonsky detect` is in tests/cli/test_detect.py."""

from __future__ import annotations

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


def test_replay_end_to_end(
    replay_files: tuple[Path, Path, dict[str, int]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tracks, zones, _ = replay_files
    out = tmp_path / "out"
    code, stdout, _ = _run(["replay", str(tracks), "--zones", str(zones), "--out", str(out), "--json"], capsys)
    assert code == 0
    summary = json.loads(stdout)
    assert summary["rows_skipped"] == 7 and summary["quality"]["missed"] == 1
    assert summary["alerts"] == {"conflict": 3, "incursion": 1}
    assert (out / "events.geojson").is_file() and (out / "alerts.csv").is_file()
    code, stdout, _ = _run(["replay", str(tracks), "--out", str(out)], capsys)
    assert (
        code == 0
        and "losses of separation: 2 (0 height keeping, 0 parallel runways, 2 true losses: warned 1, missed 1 "
        "(1 at first sight, 0 from held levels); 1 not warnable"
        in stdout
    )


def test_replay_terminal_policy(
    replay_files: tuple[Path, Path, dict[str, int]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--terminal runs the terminal policy (3 NM below FL195, 5 NM above): no episode longer than under 5 NM
    everywhere, and the same pairs here (the fixture's conflicts are en route)."""
    tracks, _, _ = replay_files
    runs = {}
    for flag in ([], ["--terminal"]):
        out = tmp_path / ("t" if flag else "d")
        code, _, _ = _run(["replay", str(tracks), "--out", str(out), "--json", *flag], capsys)
        assert code == 0
        rows = [r.split(",") for r in (out / "losses.csv").read_text().splitlines()[1:]]
        runs[bool(flag)] = {(r[0], r[1]): float(r[3]) - float(r[2]) for r in rows}
    assert runs[True].keys() == runs[False].keys() and runs[False]
    assert all(runs[True][pair] <= runs[False][pair] for pair in runs[True])


def test_replay_bad_inputs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(["replay", str(tmp_path / "none.csv"), "--out", str(tmp_path / "o")], capsys)
    assert code == 2 and "no such file" in err
    junk = tmp_path / "junk.parquet"
    junk.write_text("not parquet")
    code, _, err = _run(["replay", str(junk), "--out", str(tmp_path / "o")], capsys)
    assert code == 2 and "cannot read tracks" in err and err.count("\n") == 1
    for option, value in (("--alert-end", "0s"), ("--alert-end", "soon"), ("--step", "-5s")):
        code, _, err = _run(["replay", str(junk), "--out", str(tmp_path / "o"), option, value], capsys)
        assert code == 2 and option in err and err.count("\n") == 1, err


def test_replay_file_without_a_usable_row(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "text.csv"
    rows = "".join(f"{k},abc,north,10,30000,400,90,0\n" for k in range(49))
    path.write_text("timestamp,icao24,latitude,longitude,altitude,groundspeed,track,vertical_rate\n" + rows)
    code, stdout, err = _run(["replay", str(path), "--out", str(tmp_path / "o")], capsys)
    assert code == 2 and stdout == "" and err.count("\n") == 1
    assert "no usable row in 49 (missing_position 49)" in err
    assert not (tmp_path / "o").exists()


def test_replay_writes_losses_and_the_report(
    replay_files: tuple[Path, Path, dict[str, int]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tracks, _, _ = replay_files
    out = tmp_path / "out"
    code, _, _ = _run(["replay", str(tracks), "--out", str(out)], capsys)
    assert code == 0
    lines = (out / "losses.csv").read_text().splitlines()
    assert lines[0] == "id_a,id_b,start_s,end_s,min_dist_m,min_dalt_m,alt_m,kind,from_held_levels" and len(lines) == 3
    assert all(line.endswith(",loss,false") for line in lines[1:])  # both pairs at the same level: true losses
    assert (out / "report.html").stat().st_size > 10_000 and (out / "warning_time.png").is_file()


def test_replay_slow_aircraft_away_from_aerodromes_take_part(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two helicopters at 45 kt and 700 ft over the Atlantic, 4 NM apart and closing, no on-ground column: airborne
    by default (no aerodrome there), taken for surface movements with --no-aerodromes (low and slow anywhere)."""
    kt, rows = 1852.0 / 3600.0, ["timestamp,icao24,latitude,longitude,altitude,groundspeed,track,vertical_rate"]
    for k in range(40):
        t = 1_700_000_000 + 5 * k
        east = 45.0 * kt * 5 * k / (111_320.0 * 0.6947)  # degrees of longitude flown at 46 N
        rows.append(f"{t},a00001,46.0,{-20.06 + east:.6f},700,45,90,0")
        rows.append(f"{t},a00002,46.0,{-19.94 - east:.6f},700,45,270,0")
    (tmp_path / "helicopters.csv").write_text("\n".join(rows) + "\n")
    counts = {}
    for flag in ([], ["--no-aerodromes"]):
        code, stdout, _ = _run(
            ["replay", str(tmp_path / "helicopters.csv"), "--out", str(tmp_path / "o"), "--json", *flag], capsys
        )
        assert code == 0
        counts[bool(flag)] = json.loads(stdout)["alerts"]["conflict"]
    assert counts == {False: 1, True: 0}
