"""``commonsky report`` (`cli.report`): every file written and listed; each checked place's standing agrees with
its own numbers (inside exactly when within the distance of the border and on the inner side of the zone's edge);
the focus is the clip province's part of the national zone."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

MI = 1609.344


def test_report_writes_everything(cli: Callable, tmp_path: Path) -> None:
    result = cli("report", "--out", str(tmp_path))
    assert result.code == 0, result.err
    for name in ("zone.geojson", "zone.kml", "map.png", "map.html", "places.csv", "places.geojson"):
        assert (tmp_path / name).stat().st_size > 0, name
    assert "Jalawla" in result.out and "outside by 1.4 km (0.9 mi)" in result.out
    assert "not for As-Sa'diyah" in result.out


def test_the_json_report_agrees_with_itself(cli: Callable, tmp_path: Path) -> None:
    result = cli("report", "--out", str(tmp_path), "--json", "--check", "Jalawla", "--check", "Baqubah")
    assert result.code == 0, result.err
    report = result.json()
    assert all(Path(p).is_file() for p in report["files"]) and len(report["files"]) >= 6
    assert 0 < report["focus"]["area_km2"] < report["zone"]["area_km2"]
    assert [c["name"] for c in report["checks"]] == ["Jalawla", "Baqubah"]
    for check in report["checks"]:
        within = check["distance"]["km"] * 1_000 <= 20 * MI
        assert check["inside"] == within == (check["edge"]["km"] > 0), check
    assert "Jalawla" in report["inside"] and not set(report["inside"]) & set(report["near_outside"])
