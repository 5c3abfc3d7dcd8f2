"""Malformed sensor configurations: one line naming the file, the path, the field and the line; exit code 2."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from commonsky.cli import main
from commonsky.geo.geodesy import LocalFrame
from commonsky.sim.scenario import load_scenario
from commonsky.sim.scenario_yaml import ScenarioError
from commonsky.surveillance.sensor_config import build_sensor, load_sensor_specs

SCENARIO = Path(__file__).parent / "data" / "coverage-small.yaml"
GOOD = "  - {name: Baghdad PSR, kind: radar, at: [33.26, 44.23], alt: 60m, range: 250km, scan: 10s}\n"


def with_sensors(tmp_path: Path, lines: str) -> Path:
    """The small scenario with its sensors: list replaced by ``lines``."""
    text = SCENARIO.read_text(encoding="utf-8")
    head = text[: text.index("sensors:")]
    path = tmp_path / "x.yaml"
    path.write_text(head + "sensors:\n" + lines, encoding="utf-8")
    return path


def test_good_sensors_are_read() -> None:
    scenario = load_scenario(SCENARIO)
    specs = load_sensor_specs(SCENARIO, scenario.intents)
    assert [(s.name, s.kind) for s in specs] == [
        ("Baghdad PSR", "radar"),
        ("Baqubah ADS-B", "adsb"),
        ("E-3 radar", "aew"),
    ]
    psr, adsb, aew = specs
    assert (psr.lat, psr.lon, psr.alt_m, psr.range_m, psr.scan_s) == (33.26, 44.23, 60.0, 250_000.0, 10.0)
    assert adsb.cooperative and adsb.scan_s == 1.0 and not psr.cooperative
    assert aew.intent == "coalition-aew" and math.isnan(aew.lat) and aew.min_elevation_deg == -10.0
    built = build_sensor(aew, LocalFrame(33.0, 44.0), scenario.intents)
    alts = [float(built.sensor.platform.position_m(float(t))[2]) for t in built.times_s]
    assert alts == pytest.approx([9144.0] * len(alts), abs=1.0)  # middle of FL290-FL310
    assert 32.3 < built.lat < 33.0 and 43.5 < built.lon < 44.2


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("  - {name: X, kind: sonar, at: [33.0, 44.0]}\n", "sensors[1].kind: unknown sensor kind 'sonar'"),
        ("  - {name: X, kind: radar, at: [33.0, 44.0], range: -5km}\n", "sensors[1].range: distance must be positive"),
        (
            "  - {name: X, kind: radar, at: [33.0, 44.0], range: 0km}\n",
            "sensors[1].range: distance must be positive, got '0km'",
        ),
        ("  - {name: X, kind: radar, range: 100km}\n", "sensors[1].at: missing required field"),
        ("  - {name: X, kind: adsb, at: [95.0, 44.0]}\n", "sensors[1].at: position lat 95.0"),
        ("  - {name: X, kind: radar, at: [33.0, 44.0], scan: 0s}\n", "sensors[1].scan: must be positive, got '0s'"),
        ("  - {name: X, kind: radar, at: [33.0, 44.0], scan: fast}\n", "sensors[1].scan: cannot read duration"),
        ("  - {name: X, kind: aew, range: 300km}\n", "sensors[1].intent: an AEW radar needs the intent"),
        ("  - {name: X, kind: aew, intent: nobody}\n", "sensors[1].intent: unknown intent 'nobody'"),
        ("  - {name: X, kind: aew, intent: coalition-aew, at: [33.0, 44.0]}\n", "sensors[1].at: an AEW radar rides"),
        ("  - {name: Baghdad PSR, kind: adsb, at: [33.0, 44.0]}\n", "sensors[1].name: duplicate sensor name"),
        ("  - {name: X, kind: radar, at: [33.0, 44.0], rnage: 5km}\n", "sensors[1].rnage: unknown field 'rnage'"),
        ("  - {name: X, at: [33.0, 44.0]}\n", "sensors[1].kind: missing required field"),
        ("  - {name: X, kind: radar, at: [33.0, 44.0], min_elevation: 60}\n", "sensors[1].min_elevation: minimum"),
        ("  - just a string\n", "sensors[1]: expected a mapping"),
        (
            "  - {name: X, kind: radar, at: [33.0, 44.0],"
            " outages: [{start: 2014-12-02T10:00:00Z, end: 2014-12-02T09:00:00Z}]}\n",
            "sensors[1].outages[0].end: the outage ends before it starts",
        ),
        (
            "  - {name: X, kind: radar, at: [33.0, 44.0], outages: [{end: 2014-12-02T09:00:00Z}]}\n",
            "outages[0].start: missing",
        ),
    ],
)
def test_bad_sensor_is_one_line_naming_file_path_field_and_line(tmp_path: Path, entry: str, message: str) -> None:
    path = with_sensors(tmp_path, GOOD + entry)
    intents = load_scenario(SCENARIO).intents  # the same intents; the scenario loader checks less of sensors
    with pytest.raises(ScenarioError) as caught:
        load_sensor_specs(path, intents)
    text = str(caught.value)
    assert text.startswith(f"{path}: ") and message in text
    line = path.read_text(encoding="utf-8").splitlines().index(entry.rstrip("\n")) + 1
    assert text.endswith(f"(line {line})")


def test_cli_exit_2_on_bad_sensor(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = with_sensors(tmp_path, GOOD + "  - {name: X, kind: radar, at: [33.0, 44.0], range: -5km}\n")
    with pytest.raises(SystemExit) as stop:
        main(["coverage", str(path), "--altitude", "500ft"])
    err = capsys.readouterr().err
    assert stop.value.code == 2
    assert err.startswith(f"commonsky: error: {path}: sensors[1].range:") and err.count("\n") == 1


def test_sensors_not_a_list(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    text = SCENARIO.read_text(encoding="utf-8")
    path.write_text(text[: text.index("sensors:")] + "sensors: {kind: radar}\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="sensors: expected a list"):
        load_sensor_specs(path)


def test_outages(tmp_path: Path) -> None:
    entry = (
        "  - {name: X, kind: radar, at: [33.0, 44.0], outages: [{start: 2014-12-02T12:00:00Z}, "
        "{start: 2014-12-02T10:00:00Z, end: 2014-12-02T10:30:00Z}]}\n"
    )
    path = with_sensors(tmp_path, GOOD + entry)
    psr, x = load_sensor_specs(path, load_scenario(SCENARIO).intents)
    ten = 1417514400.0  # 2014-12-02T10:00:00Z
    assert psr.outages == () and not psr.silent_at(ten)
    assert x.outages == ((ten, ten + 1800.0), (ten + 7200.0, math.inf))
    assert [x.silent_at(ten + dt) for dt in (-1.0, 0.0, 1799.0, 1800.0, 7199.0, 7200.0, 1e9)] == [
        False,
        True,
        True,
        False,
        False,
        True,
        True,
    ]
