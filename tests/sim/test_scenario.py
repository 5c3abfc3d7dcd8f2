"""What a scenario file means: routes with speeds and holds, buffers, zones from files and borders, filing order."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from pyproj import Geod

from commonsky.sim.assembly import pipeline_from_scenario
from commonsky.sim.run_config import RunConfig
from commonsky.sim.scenario import Scenario, load_scenario
from commonsky.sim.scenario_yaml import ScenarioError
from commonsky.units import FT_M, KT_MS, NM_M

from .test_scenario_errors import GOOD

TEXT = """\
scenario: {name: t, start: 2014-12-02T00:00:00Z, end: 2014-12-03T00:00:00Z}
defaults:
  route: {lateral: 3NM, vertical: 1000ft, time: 5min, time_growth: 2min/h}
policy: {ground_max: 300m, mixed_ref_margin: 100ft}
parties:
  - {name: iraq-army, kind: military, priority: 40}
  - {name: iran, kind: state, priority: 30}
zones:
  - file: zones/iraq-iran-20mi.geojson
    name: buffer
    applies_to: [iran]
    ceiling: FL450
  - name: inline border strip
    buffer: {border: IRN:IRQ, distance: 10km, side: IRQ, clip: Diyala}
    daily: [{start: "18:00", end: "06:00"}]
intents:
  - id: late
    party: iran
    filed: 2014-12-02T06:00:00Z
    orbit: {circle: {centre: Jalawla, radius: 5NM}, floor: FL200, ceiling: FL240,
            start: 2014-12-02T09:00:00Z, end: 2014-12-02T10:00:00Z}
  - id: early
    party: iraq-army
    filed: 2014-12-02T05:00:00Z
    route:
      speed: 120kt
      waypoints:
        - {at: Baqubah, alt: 500ft AGL, time: 2014-12-02T08:00:00Z}
        - {at: Jalawla, alt: 500ft AGL, hold: 10min}
        - {at: Baqubah, alt: 500ft AGL, speed: 100kt}
  - id: same-time-higher
    party: iran
    priority: 35
    filed: 2014-12-02T06:00:00Z
    volumes:
      - {polygon: [[34.0, 45.0], [34.0, 45.2], [34.2, 45.2]], floor: FL100, ceiling: FL120,
         start: 2014-12-02T11:00:00Z, end: 2014-12-02T12:00:00Z}
truth:
  - {id: t1, note: read by the picture stage}
"""


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory, project_root: Path) -> Scenario:
    folder = tmp_path_factory.mktemp("scn")
    (folder / "zones").mkdir()
    source = project_root / "scenarios" / "zones" / "iraq-iran-20mi.geojson"
    (folder / "zones" / "iraq-iran-20mi.geojson").write_text(source.read_text())
    path = folder / "t.yaml"
    path.write_text(TEXT)
    return load_scenario(path)


def test_route_times_from_speeds_and_holds(scenario: Scenario) -> None:
    early = next(i for i in scenario.intents if i.id == "early")
    assert len(early.volumes) == 3  # out, the hold at Jalawla, back
    geod = Geod(ellps="WGS84")
    leg_m = geod.inv(44.60518, 33.75403, 45.16806, 34.27194)[2]
    out, hold, back = early.volumes
    filed_s = early.filed_s
    assert filed_s is not None

    def u(t: float) -> float:  # 5 min + 2 min per hour of look-ahead
        return 300.0 + (t - filed_s) * 2 / 60

    t_dep = scenario.start_s + 8 * 3600
    t_arr = t_dep + leg_m / (120 * KT_MS)
    assert out.window.start_s == pytest.approx(t_dep - u(t_dep))
    assert out.window.end_s == pytest.approx(t_arr + u(t_arr))
    assert hold.window.end_s == pytest.approx(t_arr + 600 + u(t_arr + 600))
    t_back = t_arr + 600 + leg_m / (100 * KT_MS)
    assert back.window.end_s == pytest.approx(t_back + u(t_back))
    assert out.band.label() == "SFC-1500 ft AGL"
    assert out.shape.half_width_m == pytest.approx(3 * NM_M)  # type: ignore[union-attr]


def test_policy_zones_and_reserved_sections(scenario: Scenario) -> None:
    assert scenario.policy.altitude.ground_max_m == 300.0
    assert scenario.policy.altitude.mixed_ref_margin_m == pytest.approx(100 * FT_M)
    buffer, strip = scenario.zones
    assert (buffer.name, buffer.applies_to, buffer.ceiling.label()) == ("buffer", ("iran",), "FL450")
    assert strip.extra["daily"] == [{"start": "18:00", "end": "06:00"}]
    assert strip.area_km2() < buffer.area_km2() / 2
    assert scenario.truth == ({"id": "t1", "note": "read by the picture stage"},)


def test_filing_order_is_time_then_priority(scenario: Scenario) -> None:
    assert [i.id for i in scenario.filing_order()] == ["early", "same-time-higher", "late"]


def test_route_intents_keep_their_filed_waypoints(scenario: Scenario) -> None:
    early = next(i for i in scenario.intents if i.id == "early")
    assert [(round(w.lat, 3), round(w.lon, 3)) for w in early.route] == [
        (33.754, 44.605),
        (34.272, 45.168),
        (34.272, 45.168),
        (33.754, 44.605),
    ]
    assert early.route[2].time_s - early.route[1].time_s == 600.0  # the hold
    assert all(i.route == () for i in scenario.intents if i.id != "early")


# -- the area of responsibility ----------------------------------------------------------------------------------------
# A scenario's area of responsibility (``responsibility:``, entries as under ``zones:``) reaches the live run: an
# unknown aircraft inside it raises an alert there, beside those near its intents and binding zones.
SECTOR = """\
responsibility:
  - name: Diyala sector
    circle: {centre: [33.9, 45.0], radius: 30NM}
    floor: SFC
    ceiling: FL450
"""


def test_the_area_of_responsibility_reaches_the_concern_of_unknowns(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text(GOOD + SECTOR, encoding="utf-8")
    scenario = load_scenario(path)
    assert [z.name for z in scenario.responsibility] == ["Diyala sector"]
    pipeline = pipeline_from_scenario(scenario, RunConfig(unknowns=0))
    assert pipeline.config.responsibility == scenario.responsibility
    frame = pipeline.frame
    # 20 NM from the sector's centre (inside), 40 NM (outside), both far from the intents and the closed zone
    inside, outside = (
        frame.to_local(33.9, 45.0 + nm * 1852.0 / (111_320.0 * np.cos(np.radians(33.9)))) for nm in (-20, -40)
    )
    pos = np.array([[*map(float, inside), 9_000.0], [*map(float, outside), 9_000.0]])
    reasons = pipeline.parts.concern(pipeline.intents, pipeline.zones, frame).reasons(pos, scenario.start_s)
    assert reasons.tolist() == ["in the area of responsibility 'Diyala sector'", ""]


def test_a_bad_entry_is_named_with_its_section(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text(GOOD + SECTOR.replace("circle:", "circel:"), encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"responsibility\[0\]"):
        load_scenario(path)
