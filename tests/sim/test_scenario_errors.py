"""Bad scenario files get one line naming the file, the path inside it, the field and the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from commonsky.sim.scenario import load_scenario
from commonsky.sim.scenario_yaml import ScenarioError

GOOD = """\
scenario: {name: small, start: 2014-12-02T00:00:00Z, end: 2014-12-03T00:00:00Z}
parties:
  - {name: coalition, kind: military, priority: 30}
  - {name: iran, kind: state, priority: 30}
zones:
  - name: closed
    kind: restricted
    polygon: [[34.0, 45.0], [34.0, 45.6], [34.6, 45.6], [34.6, 45.0]]
    floor: SFC
    ceiling: UNL
    applies_to: [iran]
intents:
  - id: isr
    party: coalition
    orbit:
      circle: {centre: [34.02, 44.80], radius: 8NM}
      floor: FL180
      ceiling: FL230
      start: 2014-12-02T07:00:00Z
      end: 2014-12-02T13:00:00Z
  - id: sortie
    party: iran
    route:
      speed: 450kt
      waypoints:
        - {at: [34.52, 45.58], alt: FL220, time: 2014-12-02T09:00:00Z}
        - {at: [34.12, 44.97], alt: FL220}
sensors: []
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "x.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def error_of(tmp_path: Path, text: str) -> str:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(write(tmp_path, text))
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(str(tmp_path / "x.yaml") + ": ")
    return message.split(": ", 1)[1]


def test_the_good_file_loads(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path, GOOD))
    assert [i.id for i in scenario.intents] == ["isr", "sortie"]
    assert scenario.zones[0].applies_to == ("iran",)
    assert scenario.sensors == ()
    assert len(scenario.intents[1].volumes) == 1


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "      floor: FL180\n      ceiling: FL230",
            "      floor: FL300\n      ceiling: FL200",
            "intents[0].orbit.floor: floor FL300 is not below ceiling FL200 (line 17)",
        ),
        (
            "      end: 2014-12-02T13:00:00Z",
            "      end: 2014-12-02T06:00:00Z",
            "intents[0].orbit.end: end 2014-12-02T06:00:00Z is not after start 2014-12-02T07:00:00Z (line 20)",
        ),
        (
            "    party: iran\n",
            "    party: irn\n",
            "intents[1].party: unknown party 'irn' (known: coalition, iran) (line 22)",
        ),
        (
            "    kind: restricted",
            "    kind: nofly",
            "zones[0].kind: unknown zone kind 'nofly' (use buffer, restricted, prohibited, corridor, advisory)"
            " (line 7)",
        ),
        (
            "    polygon: [[34.0, 45.0], [34.0, 45.6], [34.6, 45.6], [34.6, 45.0]]",
            "    polygon: [[34.0, 45.0], [34.6, 45.6], [34.0, 45.6], [34.6, 45.0]]",
            "zones[0].polygon: invalid geometry: Self-intersection",
        ),
        (
            "    polygon: [[34.0, 45.0], [34.0, 45.6], [34.6, 45.6], [34.6, 45.0]]",
            "    polygon: [[34.0, 45.0], [34.0]]",
            "zones[0].polygon[1]: expected a position [lat, lon] or {lat, lon}, got a list (line 8)",
        ),
        (
            "    polygon: [[34.0, 45.0], [34.0, 45.6], [34.6, 45.6], [34.6, 45.0]]",
            "    geometry: {type: Polygon, coordinates: [[[45.0, 34.0], [45.6]]]}",
            "zones[0].geometry: malformed Polygon coordinates",
        ),
        (
            "      circle: {centre: [34.02, 44.80], radius: 8NM}",
            "      circle: {centre: [94.02, 44.80], radius: 8NM}",
            "intents[0].orbit.circle.centre: position lat 94.02, lon 44.8 is outside lat [-90, 90], lon [-180, 180]",
        ),
        ("    applies_to: [iran]", "    applies_to: [persia]", "zones[0].applies_to[0]: unknown party 'persia'"),
        ("      speed: 450kt", "      sped: 450kt", "intents[1].route.sped: unknown field 'sped'"),
        (
            "        - {at: [34.12, 44.97], alt: FL220}",
            "        - {at: [34.12, 44.97]}",
            "intents[1].route.waypoints[1].alt: missing required field (line 27)",
        ),
        (
            "        - {at: [34.12, 44.97], alt: FL220}",
            "        - {at: [34.12, 44.97], alt: FL22O}",
            "intents[1].route.waypoints[1].alt: cannot read altitude 'FL22O'",
        ),
        ("  - id: sortie", "  - id: isr", "intents[1].id: duplicate intent id 'isr' (first at intents[0])"),
        ("sensors: []", "sensors: {radar: 1}", "sensors: expected a list, got a mapping (line 28)"),
        ("sensors: []", "sensors: [radar]", "sensors[0]: expected a mapping"),
        (
            "        - {at: [34.12, 44.97], alt: FL220}",
            "        - {at: Xyzzyville, alt: FL220}",
            "intents[1].route.waypoints[1].at: unknown place 'Xyzzyville'",
        ),
    ],
)
def test_errors_name_path_field_and_line(tmp_path: Path, old: str, new: str, expected: str) -> None:
    assert old in GOOD
    message = error_of(tmp_path, GOOD.replace(old, new))
    assert message.startswith(expected), message


def test_yaml_syntax_error_has_its_line(tmp_path: Path) -> None:
    message = error_of(tmp_path, GOOD.replace("  - id: sortie\n", "  - id: sortie\n   party: [\n"))
    assert message.startswith("YAML syntax error")
    assert "(line 22" in message


def test_missing_zone_file_and_bad_json(tmp_path: Path) -> None:
    zones = "zones:\n  - file: nowhere.geojson\n"
    text = GOOD.split("zones:\n")[0] + zones + "intents:\n" + GOOD.split("intents:\n")[1]
    message = error_of(tmp_path, text)
    assert message.startswith("zones[0].file: ") and "no such file" in message
    (tmp_path / "nowhere.geojson").write_text("{not json")
    assert "not valid JSON (line 1" in error_of(tmp_path, text)


def test_empty_file_and_top_level_typos(tmp_path: Path) -> None:
    assert error_of(tmp_path, "") == "the file is empty"
    assert error_of(tmp_path, GOOD.replace("parties:", "partys:")).startswith("partys: unknown field 'partys'")
