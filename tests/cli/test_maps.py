"""``commonsky map`` (`cli.maps`): each format written from real layers, the ``--bbox`` read as a lon/lat box
(across the antimeridian too) or refused with one line, an unknown format or an empty layer file refused before
anything is written."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from commonsky.cli.maps import _bbox
from commonsky.errors import InputError


@pytest.mark.parametrize("suffix", ["png", "html", "kml"])
def test_map_formats(cli: Callable, national_zone: Path, tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"map.{suffix}"
    result = cli("map", str(national_zone), "--out", str(out))
    assert result.code == 0, result.err
    data = out.read_bytes()
    assert len(data) > 1000
    if suffix == "png":
        assert data.startswith(b"\x89PNG")
    else:
        assert b"within 20" in data


def test_a_bbox_is_a_lon_lat_box() -> None:
    assert _bbox("44,33,46,35") == (44.0, 33.0, 46.0, 35.0)
    assert _bbox("170,-20,-170,-10") == (170.0, -20.0, -170.0, -10.0)  # across the antimeridian
    for bad, needle in (
        ("44,33,46", "expected four numbers"),
        ("a,b,c,d", "expected four numbers"),
        ("44,35,46,33", "not a lon/lat box"),
        ("44,33,44,35", "not a lon/lat box"),
        ("190,33,200,35", "not a lon/lat box"),
        ("44,-95,46,35", "not a lon/lat box"),
    ):
        with pytest.raises(InputError, match=needle):
            _bbox(bad)


def test_a_framed_png(cli: Callable, national_zone: Path, tmp_path: Path) -> None:
    out = tmp_path / "framed.png"
    result = cli("map", str(national_zone), "--out", str(out), "--bbox", "44.5,33.5,46,35", "--title", "Framed")
    assert result.code == 0 and result.out.strip() == f"wrote {out}" and out.read_bytes().startswith(b"\x89PNG")


def test_refused_before_anything_is_written(cli: Callable, national_zone: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty.geojson"
    empty.write_text(json.dumps({"type": "FeatureCollection", "features": []}))
    for args, needle in (
        ((str(national_zone), "--out", str(tmp_path / "m.svg")), "unknown map format '.svg'"),
        ((str(national_zone), "--out", str(tmp_path / "m")), "unknown map format '(none)'"),
        ((str(empty), "--out", str(tmp_path / "m.png")), "contains no features with geometry"),
        ((str(national_zone), "--out", str(tmp_path / "m.png"), "--bbox", "1,2,3"), "--bbox '1,2,3'"),
    ):
        result = cli("map", *args)
        assert result.code == 2 and result.err.startswith("commonsky: error: ") and needle in result.err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.geojson"]
