"""`commonsky coverage` end to end on a small scenario (tests/surveillance/data/coverage-small.yaml)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from commonsky.surveillance.coverage_map import study_scenario
from commonsky.units import FT_M

DATA = Path(__file__).parents[1] / "surveillance" / "data"
SCENARIO = DATA / "coverage-small.yaml"
Run = Callable[..., tuple[int, str, str]]


def test_png_geojson_and_json(cli: Run, tmp_path: Path) -> None:
    png, geo = tmp_path / "cov.png", tmp_path / "cov.geojson"
    code, out, err = cli(
        "coverage",
        str(SCENARIO),
        "--altitude",
        "500ft",
        "--out",
        str(png),
        "--out",
        str(geo),
        "--add-like",
        "Baghdad PSR",
        "--json",
    )
    assert code == 0, err
    summary = json.loads(out)
    study = study_scenario(SCENARIO, 500 * FT_M, add_like="Baghdad PSR")
    assert summary["covered_share"] == round(study.cov.share(), 4)
    assert 0.2 < summary["covered_share"] < 0.9
    assert summary["covered_share_non_cooperative"] <= summary["covered_share"]
    assert summary["lowest_detectable_alt_ft"] > 500
    assert [s["name"] for s in summary["sensors"]] == ["Baghdad PSR", "Baqubah ADS-B", "E-3 radar"]
    assert (
        len(summary["proposed_sites"]) == 1 and summary["proposed_sites"][0]["share_after"] > summary["covered_share"]
    )
    assert "no terrain" in summary["terrain"]
    from PIL import Image

    with Image.open(png) as image:
        assert image.size == (1800, 1200)
    doc = json.loads(geo.read_text())
    names = [f["properties"]["name"] for f in doc["features"]]
    assert "Covered at 500 ft" in names and "Blind at 500 ft" in names and "Proposed site 1" in names
    assert doc["properties"]["covered_share"] == summary["covered_share"]
    import shapely
    from shapely.geometry import shape

    from commonsky.geo.geodesy import geodesic_area_m2

    covered = next(shape(f["geometry"]) for f in doc["features"] if f["properties"]["name"] == "Covered at 500 ft")
    blind = next(shape(f["geometry"]) for f in doc["features"] if f["properties"]["name"] == "Blind at 500 ft")
    assert covered.is_valid and blind.is_valid
    assert shapely.intersection(covered, blind).area < 1e-4 * covered.area
    share = geodesic_area_m2(covered) / (geodesic_area_m2(covered) + geodesic_area_m2(blind))
    assert share == pytest.approx(summary["covered_share"], abs=0.01)


def test_zone_study_text(cli: Run) -> None:
    code, out, err = cli(
        "coverage", str(SCENARIO), "--altitude", "1500 m", "--zone", "Diyala watch area", "--resolution", "4km"
    )
    assert code == 0, err
    assert "Diyala watch area" in out and "unseen below" in out and "no terrain" in out


def test_higher_altitude_sees_more(cli: Run) -> None:
    low = study_scenario(SCENARIO, 500 * FT_M, resolution_m=4000.0)
    high = study_scenario(SCENARIO, 10_000 * FT_M, resolution_m=4000.0)
    assert high.cov.share() > low.cov.share()
    assert not (low.cov.any_covered() & ~high.cov.any_covered()).any()


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--zone", "Nowhere"], "no zone named 'Nowhere'"),
        (["--add-like", "Nobody"], "no sensor named 'Nobody'"),
        (["--add-like", "E-3 radar"], "airborne"),
        (["--orbit", "best"], "--orbit"),
        (["--resolution", "1m"], "too fine"),
        (["--out", "cov.txt"], ".png or .geojson"),
    ],
)
def test_user_mistakes_are_one_line(cli: Run, args: list[str], needle: str) -> None:
    code, _, err = cli("coverage", str(SCENARIO), "--altitude", "500ft", *args)
    assert code == 2
    assert err.startswith("commonsky: error:") and needle in err and err.count("\n") == 1


def test_diyala_scenario(cli: Run, project_root: Path, tmp_path: Path) -> None:
    """The shipped scenario's sensors over the Iraq-Iran buffer zone: low-level gaps near the border, near-full
    cover at FL250, a finite floor under which an aircraft can cross unseen."""
    from commonsky.surveillance.sensor_config import load_sensor_specs

    path = project_root / "scenarios" / "diyala-2014.yaml"
    zone = "Iraq-Iran 20 mi buffer"
    geo = tmp_path / "cov.geojson"
    code, out, err = cli(
        "coverage", str(path), "--altitude", "500ft", "--zone", zone, "--resolution", "5km", "--out", str(geo), "--json"
    )
    assert code == 0, err
    low = json.loads(out)
    code, out, err = cli("coverage", str(path), "--altitude", "FL250", "--zone", zone, "--resolution", "5km", "--json")
    assert code == 0, err
    high = json.loads(out)
    specs = load_sensor_specs(path)
    assert [s["name"] for s in low["sensors"]] == [s.name for s in specs]
    assert low["area"] == zone and low["area_km2"] > 20_000
    assert 0.0 < low["covered_share"] < high["covered_share"]
    assert high["covered_share"] > 0.9
    # Every point of the zone is seen at some altitude, but not down to 500 ft.
    assert low["lowest_detectable_alt_ft"] is not None and low["lowest_detectable_alt_ft"] > 500
    assert low["lowest_detectable_alt_ft"] == high["lowest_detectable_alt_ft"]  # a property of the area, not the level
    by_kind = {s["name"]: s["covered_share"] for s in low["sensors"]}
    # At 500 ft a ground radar sees ~75 km round its mast: the border is further than that from Baghdad.
    assert by_kind["Baghdad PSR"] == 0.0 and by_kind["E-3 radar"] > 0.0
    assert "no terrain" in low["terrain"]
    assert any(f["properties"]["name"] == "Blind at 500 ft" for f in json.loads(geo.read_text())["features"])
