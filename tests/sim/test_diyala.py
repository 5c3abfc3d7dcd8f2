"""scenarios/diyala-2014.yaml: the check finds exactly the conflicts its author wrote down, for the right reasons."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import shapely
from pyproj import Geod
from shapely.geometry import shape

from commonsky.sim.scenario import Scenario, load_scenario
from commonsky.strategic.batch import check_in_order
from commonsky.strategic.result import CheckResult, Effect
from commonsky.units import FT_M, NM_M

GEOD = Geod(ellps="WGS84")


@pytest.fixture(scope="module")
def scenario(project_root: Path) -> Scenario:
    return load_scenario(project_root / "scenarios" / "diyala-2014.yaml")


@pytest.fixture(scope="module")
def results(scenario: Scenario) -> dict[str, CheckResult]:
    return {r.intent.id: r for r in check_in_order(scenario.filing_order(), scenario.zones, scenario.policy)}


def test_every_intent_has_an_expectation_and_it_is_met(scenario: Scenario, results: dict[str, CheckResult]) -> None:
    assert set(scenario.expectations) == set(results)
    for intent_id, result in results.items():
        expected = scenario.expectations[intent_id]
        got = {f"{c.kind.value}:{c.other}" for c in result.conflicts}
        assert (result.verdict.value, got) == (expected.verdict, expected.conflicts), intent_id
    rejected = sorted(i for i, r in results.items() if not r.accepted)
    assert rejected == ["iran-sortie-1", "iran-sortie-2", "iraq-helo-3", "us-civil-east-west"]


def test_buffer_zone_is_the_reference_20_mile_strip(scenario: Scenario, reference_dir: Path) -> None:
    data = json.loads((reference_dir / "geo" / "iran_iraq_border_ne10m_diyala.geojson").read_text())
    reference = shape(data["features"][2]["geometry"])
    buffer_zone = next(z for z in scenario.zones if z.name == "Iraq-Iran 20 mi buffer")
    assert abs(GEOD.geometry_area_perimeter(buffer_zone.geometry)[0]) / 1e6 == pytest.approx(
        abs(GEOD.geometry_area_perimeter(reference)[0]) / 1e6, rel=0.005
    )
    assert buffer_zone.applies_to == ("coalition", "iran")


def test_iranian_sortie_conflicts_where_when_and_at_which_levels(
    scenario: Scenario, results: dict[str, CheckResult]
) -> None:
    result = results["iran-sortie-1"]
    zone_conflict = next(c for c in result.conflicts if c.kind.value == "zone")
    buffer_zone = next(z for z in scenario.zones if z.name == zone_conflict.other)
    # where: inside the buffer zone and inside the sortie's own footprint; Jalawla lies in it
    footprint = shapely.union_all([v.footprint for v in result.intent.volumes])
    assert shapely.area(shapely.difference(zone_conflict.geometry, buffer_zone.geometry)) < 1e-6
    assert shapely.area(shapely.difference(zone_conflict.geometry, footprint)) < 1e-6
    assert zone_conflict.geometry.contains(shapely.Point(45.16806, 34.27194))
    # the ISR orbit: FL210-FL230 in common, inside both time windows
    isr = next(c for c in result.conflicts if c.other == "coalition-isr-diyala")
    assert (isr.alt_lo_m / FT_M, isr.alt_hi_m / FT_M) == pytest.approx((21_000, 23_000))
    orbit = scenario.intents[[i.id for i in scenario.intents].index("coalition-isr-diyala")]
    assert orbit.start_s <= isr.start_s < isr.end_s <= orbit.end_s
    assert result.intent.start_s <= isr.start_s
    assert result.resolutions == ()  # the buffer covers every level and has no end


def test_resolutions_are_verified_and_sensible(results: dict[str, CheckResult]) -> None:
    civil = results["us-civil-east-west"].resolutions
    assert [(r.kind, r.intent.volumes[0].band.floor.value_m >= 32_000 * FT_M) for r in civil] == [("altitude", True)]
    helo = {r.kind: r for r in results["iraq-helo-3"].resolutions}
    assert set(helo) == {"time", "altitude"}
    assert 0 < helo["time"].dt_s < 3600
    superseded = results["iraq-medevac"].superseded
    assert [(c.other, c.effect) for c in superseded] == [("iraq-helo-2", Effect.SUPERSEDES)]


def test_realistic_numbers(scenario: Scenario) -> None:
    by_id = {i.id: i for i in scenario.intents}
    for tanker in ("coalition-tanker-west", "coalition-tanker-north"):
        track = by_id[tanker].volumes[0].shape  # a racetrack: turn centres + width; ~50 x 15 NM overall
        (a, b), width_m = track.points, 2 * track.half_width_m  # type: ignore[union-attr]
        assert (GEOD.inv(a[1], a[0], b[1], b[0])[2] + width_m) / NM_M == pytest.approx(50, abs=6)
        assert width_m / NM_M == pytest.approx(15)
        assert by_id[tanker].volumes[0].band.label() == "FL250-FL300"
    for helo in ("iraq-helo-1", "iraq-helo-2", "iraq-helo-3", "iraq-medevac"):
        for leg in by_id[helo].volumes:
            assert leg.band.ceiling.value_m <= 2000 * FT_M
    for civil in ("us-civil-north-south",):
        assert all(v.band.floor.value_m > 32_000 * FT_M for v in by_id[civil].volumes)


def test_cli_check_json_table_party_view_and_geojson(cli: Callable, project_root: Path, tmp_path: Path) -> None:
    path = str(project_root / "scenarios" / "diyala-2014.yaml")
    result = cli("check", path, "--json", "--geojson", str(tmp_path / "out.geojson"))
    assert result.code == 0, result.err
    doc = result.json()
    assert doc["expectations_unmet"] == []
    assert len(doc["results"]) == 14
    sortie = next(r for r in doc["results"] if r["intent"] == "iran-sortie-1")
    assert {c["other"] for c in sortie["conflicts"]} == {"Iraq-Iran 20 mi buffer", "coalition-isr-diyala"}
    roles = {f["properties"]["role"] for f in json.loads((tmp_path / "out.geojson").read_text())["features"]}
    assert roles == {"intent", "conflict"}
    iran = cli("check", path, "--json", "--as", "iran")
    assert iran.code == 0
    assert {r["party"] for r in iran.json()["results"]} == {"iran"}
    assert "coalition" not in iran.out and "isr" not in iran.out
    table = cli("check", path)
    assert "14 of 14 met" in table.out and "rejected" in table.out
    unknown = cli("check", path, "--as", "nobody")
    assert unknown.code == 2 and "unknown party 'nobody'" in unknown.err


def test_cli_reports_bad_files_in_one_line(cli: Callable, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("parties:\n  - {name: a, kind: pirate}\n")
    result = cli("check", str(bad))
    assert result.code == 2
    assert result.err.strip() == (
        f"commonsky: error: {bad}: parties[0].kind: unknown party kind 'pirate' (use military, state, civil) (line 2)"
    )
