"""`commonsky replay`'s flags on a file written here: two aircraft head-on at one level; the loss of separation it
reports is the interval a brute-force scan of the file's own positions (haversine, every second) finds inside the
protected radius given by ``--radius``; the counts it prints are the file's; bad flags are one line and exit 2.
The conflict alert's quality end to end is in tests/safety/test_cli.py."""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

R_E = 6_371_000.0
KT = 1852.0 / 3600.0
T0 = 1_700_000_000
SECONDS = 400
SPEED_KT = 450.0
HALF_GAP_M = 90_000.0  # each starts this far from the meeting point, at 48N 5E


def _position(t_s: float, east: bool) -> tuple[float, float]:
    """Flying east (from the west) or west (from the east) along 48N; meets the other at 48N 5E."""
    x_m = -HALF_GAP_M + SPEED_KT * KT * t_s
    x_m = x_m if east else -x_m
    return 48.0, 5.0 + math.degrees(x_m / (R_E * math.cos(math.radians(48.0))))


def _haversine_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    p1, p2 = math.radians(a[0]), math.radians(b[0])
    dlat, dlon = p2 - p1, math.radians(b[1] - a[1])
    h = math.sin(dlat / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dlon / 2) ** 2
    return 2 * R_E * math.asin(math.sqrt(h))


def _inside_s(radius_m: float) -> tuple[int, int]:
    """The first and last whole second the two are within ``radius_m`` of each other (brute force)."""
    inside = [t for t in range(SECONDS) if _haversine_m(_position(t, True), _position(t, False)) < radius_m]
    return inside[0], inside[-1]


@pytest.fixture(scope="module")
def tracks(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("replay") / "tracks.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "timestamp",
                "icao24",
                "callsign",
                "latitude",
                "longitude",
                "altitude",
                "groundspeed",
                "track",
                "vertical_rate",
            ]
        )
        for t in range(SECONDS):
            for icao, east in (("aaa001", True), ("aaa002", False)):
                lat, lon = _position(t, east)
                writer.writerow([T0 + t, icao, icao.upper(), lat, lon, 30000, SPEED_KT, 90 if east else 270, 0])
    return path


def _losses(out: Path) -> list[dict[str, str]]:
    with (out / "losses.csv").open() as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("radius", ["5NM", "3NM"])
def test_the_loss_is_where_brute_force_puts_it(
    cli: Callable[..., Any], tracks: Path, tmp_path: Path, radius: str
) -> None:
    radius_m = float(radius[:-2]) * 1852.0
    result = cli("replay", str(tracks), "--out", str(tmp_path), "--radius", radius, "--step", "1s", "--json")
    assert result.code == 0, result.err
    summary = result.json()
    assert summary["rows_read"] == summary["rows_used"] == 2 * SECONDS and summary["aircraft"] == 2
    assert summary["out"] == str(tmp_path)
    losses = _losses(tmp_path)
    assert len(losses) == 1 and {losses[0]["id_a"], losses[0]["id_b"]} == {"aaa001", "aaa002"}
    first, last = _inside_s(radius_m)
    assert abs(float(losses[0]["start_s"]) - (T0 + first)) <= 1.0
    assert abs(float(losses[0]["end_s"]) - (T0 + last)) <= 1.0
    assert float(losses[0]["min_dist_m"]) < 500.0 and losses[0]["kind"] == "loss"
    assert summary["alerts"]["conflict"] == 1 and summary["quality"]["warned"] == 1
    assert json.loads((tmp_path / "summary.json").read_text())["rows_read"] == 2 * SECONDS


def test_any_height_band_holds_a_loss_at_one_level(cli: Callable[..., Any], tracks: Path, tmp_path: Path) -> None:
    """--height is the half-height of the protected zone: at one level any positive one holds the loss."""
    result = cli("replay", str(tracks), "--out", str(tmp_path), "--height", "10ft", "--json")
    assert result.code == 0 and len(_losses(tmp_path)) == 1


def test_the_text_summary_counts_the_file(cli: Callable[..., Any], tracks: Path, tmp_path: Path) -> None:
    result = cli("replay", str(tracks), "--out", str(tmp_path))
    assert result.code == 0, result.err
    assert f"{2 * SECONDS}/{2 * SECONDS} rows used (skipped: none;" in result.out
    assert "2 aircraft" in result.out and "alerts: 1 conflict, 0 incursion" in result.out
    assert (
        "losses of separation: 1 (0 height keeping, 0 parallel runways, 1 true losses: warned 1, missed 0" in result.out
    )
    assert f"written to {tmp_path}" in result.out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--step", "0s"], "--step '0s': must be more than 0 s"),
        (["--radius", "five"], "--radius"),
        (["--lookahead", "2 minutes later"], "--lookahead"),
        (["--stale", "x"], "--stale"),
    ],
)
def test_bad_flags_are_one_line_and_exit_2(
    cli: Callable[..., Any], tracks: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    result = cli("replay", str(tracks), "--out", str(tmp_path / "o"), *args)
    assert result.code == 2 and result.err.startswith("commonsky: error:") and message in result.err
    assert result.err.count("\n") == 1 and not (tmp_path / "o").exists()
