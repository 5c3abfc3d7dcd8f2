"""`read_intent`: routes timed from speeds and holds (leg lengths from pyproj's geodesic here), orbits and
volumes, the author's expectation, and one-line refusals naming the field and its line."""

from __future__ import annotations

import calendar
import math
from pathlib import Path
from typing import Any

import pytest
from pyproj import Geod

from commonsky.plans.intent import Intent, IntentState
from commonsky.plans.route import RouteBuffers
from commonsky.sim.scenario import Party
from commonsky.sim.scenario_fields import Fields
from commonsky.sim.scenario_intents import read_intent, route_buffers
from commonsky.sim.scenario_yaml import ScenarioError, load_yaml

KT_MS = 1852.0 / 3600.0
PARTIES = {"police": Party("police", "operator", priority=3), "farm": Party("farm", "operator")}
T0 = calendar.timegm((2014, 12, 2, 6, 0, 0))
ROUTE = """\
intent:
  id: early
  party: police
  filed: 2014-12-02T05:00:00Z
  expect: {verdict: rejected, conflicts: ["zone:Base", "intent:other"]}
  route:
    speed: 120
    buffers: {lateral: 1NM, vertical: 0ft, time: 1min, time_growth: 0min/h}
    waypoints:
      - {lat: 33.0, lon: 44.0, alt: 1000ft AGL, time: 2014-12-02T06:00:00Z}
      - {lat: 33.2, lon: 44.1, alt: 1000ft AGL, hold: 10min}
      - {lat: 33.2, lon: 44.3, alt: 1000ft AGL, speed: 60}
      - {lat: 33.0, lon: 44.0, alt: 1000ft AGL}
"""


def _read(tmp_path: Path, text: str) -> tuple[Intent, Any]:
    path = tmp_path / "s.yaml"
    path.write_text(text)
    data, lines = load_yaml(path)
    return read_intent(Fields(path, lines), data["intent"], "intent", PARTIES, RouteBuffers(), -math.inf, {"Base"})


def test_a_route_is_timed_from_its_speeds_and_holds(tmp_path: Path) -> None:
    intent, expect = _read(tmp_path, ROUTE)
    geod = Geod(ellps="WGS84")
    leg = [
        geod.inv(44.0, 33.0, 44.1, 33.2)[2],
        geod.inv(44.1, 33.2, 44.3, 33.2)[2],
        geod.inv(44.3, 33.2, 44.0, 33.0)[2],
    ]
    t1 = T0 + leg[0] / (120 * KT_MS)
    t2 = t1 + 600.0  # the hold: arrive, wait, leave
    t3 = t2 + leg[1] / (120 * KT_MS)  # a waypoint's speed is for the leg leaving it
    t4 = t3 + leg[2] / (60 * KT_MS)
    assert [w.time_s for w in intent.route] == pytest.approx([T0, t1, t2, t3, t4], abs=1e-3)
    assert [(w.lat, w.lon) for w in intent.route] == [
        (33.0, 44.0),
        (33.2, 44.1),
        (33.2, 44.1),
        (33.2, 44.3),
        (33.0, 44.0),
    ]
    assert intent.priority == 3 and intent.state is IntentState.PROPOSED and intent.filed_s == T0 - 3600
    assert expect == ("rejected", frozenset({"zone:Base", "intent:other"}))
    # Buffers: one minute each side, no growth; the volumes cover the route's time and no more.
    assert min(v.window.start_s for v in intent.volumes) == pytest.approx(T0 - 60.0)
    assert max(v.window.end_s for v in intent.volumes) == pytest.approx(t4 + 60.0)


def test_orbit_and_volumes(tmp_path: Path) -> None:
    orbit = (
        "intent:\n  id: o\n  party: farm\n  priority: 1\n  state: accepted\n"
        "  orbit: {circle: {centre: [33.0, 44.0], radius: 2km}, ceiling: 400ft AGL,"
        " start: 2014-12-02T06:00:00Z, end: 2014-12-02T07:00:00Z}\n"
    )
    intent, expect = _read(tmp_path, orbit)
    assert expect is None and intent.priority == 1 and intent.state is IntentState.ACCEPTED
    (volume,) = intent.volumes
    assert (volume.window.start_s, volume.window.end_s) == (T0, T0 + 3600)
    assert volume.shape.radius_m == 2000.0  # type: ignore[union-attr]
    assert intent.route == () and intent.filed_s is None


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("party: police", "party: army", "intent.party: unknown party 'army' \\(known: farm, police\\) \\(line 3\\)"),
        ("  route:\n", "  orbit: {}\n  route:\n", "intent: give exactly one of route, orbit, volumes; found 2"),
        ("hold: 10min", "hold: long", "intent.route.waypoints\\[1\\].hold: .*\\(line 11\\)"),
        (
            "    speed: 120\n",
            "",
            "intent.route.waypoints\\[1\\].time: no time and no speed for the leg to this waypoint \\(line 10\\)",
        ),
        ("zone:Base", "zone:Camp", "intent.expect.conflicts\\[0\\]: unknown zone 'Camp' \\(line 5\\)"),
        ("intent:other", "plan:other", "intent.expect.conflicts\\[1\\]: expected zone:NAME or intent:ID"),
        ("time: 2014-12-02T06:00:00Z", "speed: 90", "intent.route.waypoints\\[0\\]: the first waypoint needs a time"),
        ("alt: 1000ft AGL, hold", "alt: 1000 parsecs, hold", "intent.route.waypoints\\[1\\].alt: .*\\(line 11\\)"),
        ("lateral: 1NM", "lateral: 0NM", "intent.route.buffers.lateral: must be positive"),
        ("verdict: rejected", "verdict: maybe", "intent.expect.verdict: unknown verdict 'maybe'"),
    ],
)
def test_a_bad_field_is_one_line_naming_it(tmp_path: Path, old: str, new: str, message: str) -> None:
    assert old in ROUTE
    with pytest.raises(ScenarioError, match=message) as error:
        _read(tmp_path, ROUTE.replace(old, new, 1))
    assert "\n" not in str(error.value)


def test_route_buffers_default_to_the_scenario_s() -> None:
    base = RouteBuffers(lateral_m=100.0, vertical_m=50.0, time_base_s=30.0, time_growth=0.01)
    f = Fields(Path("s.yaml"), {})
    assert route_buffers(f, None, "b", base) is base
    assert route_buffers(f, {"vertical": "100ft"}, "b", base) == RouteBuffers(100.0, 30.48, 30.0, 0.01)
