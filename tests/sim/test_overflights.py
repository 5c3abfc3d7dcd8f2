"""Civil overflights in the Diyala scenario: a few hundred a day above FL320, on RVSM levels by direction, known
to the picture (no unknown alerts for them) and in the air from the first second of a run."""

from __future__ import annotations

import math

import numpy as np
import pytest

from commonsky.errors import InputError
from commonsky.geo.geodesy import LocalFrame
from commonsky.sim.assembly import pipeline_from_scenario, scenario_truth
from commonsky.sim.overflights import overflight_flights, read_overflights
from commonsky.sim.run_config import RunConfig
from commonsky.sim.scenario import Scenario
from commonsky.sim.truth import TruthFlight

FT_M = 0.3048
T0630 = 1_417_501_800.0


@pytest.fixture(scope="module")
def overflights(diyala: Scenario) -> list[TruthFlight]:
    truth = scenario_truth(diyala, RunConfig(unknowns=0))
    return [fl for fl in truth.flights if fl.party == "overflights"]


def test_a_few_hundred_a_day_above_fl320(diyala: Scenario, overflights: list[TruthFlight]) -> None:
    entering = [fl for fl in overflights if diyala.start_s <= fl.start_s < diyala.end_s]
    assert 250 <= len(entering) <= 350  # 300 a day, Poisson: 3 sigma is about 52
    alt_ft = np.array([fl.pos_m[0, 2] / FT_M for fl in overflights])
    assert alt_ft.min() >= 33_000 and alt_ft.max() <= 39_000
    assert all(np.all(fl.pos_m[:, 2] == fl.pos_m[0, 2]) for fl in overflights)  # level crossings
    assert all(fl.adsb_on and fl.icao24 and fl.callsign for fl in overflights)
    assert len({fl.icao24 for fl in overflights}) == len(overflights)


def test_levels_follow_the_semicircular_rule(diyala: Scenario, overflights: list[TruthFlight]) -> None:
    frame = scenario_truth(diyala, RunConfig(unknowns=0)).frame
    for fl in overflights:
        lat, lon = frame.to_geodetic(fl.pos_m[[0, -1], 0], fl.pos_m[[0, -1], 1])
        # course from the geodetic end points, independently of the frame: east if the longitude grows
        eastbound = (
            math.degrees(math.atan2(float(lon[1] - lon[0]) * math.cos(math.radians(33.0)), float(lat[1] - lat[0])))
            % 360
            < 180
        )
        thousands = round(fl.pos_m[0, 2] / FT_M / 1000.0)
        assert (thousands % 2 == 1) == eastbound, (fl.flight_id, thousands, eastbound)


def test_the_sky_is_busy_at_any_hour(diyala: Scenario) -> None:
    truth = scenario_truth(diyala, RunConfig(unknowns=0))
    party = truth.identity()[1]
    for hour in range(0, 24, 3):
        states = truth.states_at(diyala.start_s + hour * 3600.0)
        assert int((party[states.target_id] == "overflights").sum()) >= 5, hour


def test_the_picture_knows_them(diyala: Scenario) -> None:
    pipeline = pipeline_from_scenario(diyala, RunConfig(unknowns=0))
    pipeline.reset(T0630)
    snaps = []
    pipeline.run_until(T0630 + 120.0, snaps.append)
    last = snaps[-1]
    civil = last.picture.party == "overflights"
    assert civil.sum() >= 8
    assert all(label[:3].isalpha() for label in last.label[civil])  # shown by callsign
    unknown = {a.event.track_id for s in snaps for a in s.identity_alerts if a.event.kind == "unknown"}
    tracks = {int(t[1:]) for t in last.picture.id[civil]}
    assert not unknown & tracks


def test_bad_entries_are_one_line_errors() -> None:
    good = {
        "overflights": "x",
        "party": "p",
        "per_day": 10,
        "levels": ["FL330", "FL390"],
        "speed": ["440kt", "490kt"],
        "flows": [{"name": "a", "share": 1, "path": [[30.0, 47.0], [37.0, 42.0]]}],
    }
    assert read_overflights([good], ["p"], "f.yaml")[0].per_day == 10.0
    for change, message in (
        ({"party": "q"}, "truth[0].party"),
        ({"per_day": -1}, "truth[0].per_day"),
        ({"levels": ["FL390"]}, "truth[0].levels"),
        ({"levels": ["FL390", "FL330"]}, "low <= high"),
        ({"speed": ["fast", "490kt"]}, "truth[0].speed"),
        ({"flows": []}, "truth[0].flows"),
        ({"flows": [{"path": [[30.0, 47.0]]}]}, "flows[0].path"),
        ({"flows": [{"path": [[95.0, 47.0], [30.0, 40.0]]}]}, "flows[0].path"),
        ({"colour": "red"}, "unknown field"),
    ):
        with pytest.raises(InputError, match=message.replace("[", r"\[").replace("]", r"\]")):
            read_overflights([{**good, **change}], ["p"], "f.yaml")


def test_flights_fly_their_path_at_their_speed() -> None:
    good = {
        "overflights": "x",
        "party": "p",
        "per_day": 500,
        "levels": ["FL330", "FL330"],
        "speed": ["450kt", "450kt"],
        "flows": [{"name": "a", "path": [[30.0, 47.0], [34.0, 44.0]]}],
    }
    spec = read_overflights([good], ["p"], "f.yaml")[0]
    frame = LocalFrame(32.0, 45.5)
    flights = overflight_flights(spec, frame, 0.0, 86_400.0, np.random.default_rng(3))
    for fl in flights[:20]:
        speed = np.hypot(*np.diff(fl.pos_m[:, :2], axis=0).T) / np.diff(fl.t_s)
        assert speed == pytest.approx(450 * 1852 / 3600, rel=1e-9)
        lat, lon = frame.to_geodetic(fl.pos_m[:, 0], fl.pos_m[:, 1])
        ends = {
            (round(float(lat[0]), 6), round(float(lon[0]), 6)),
            (round(float(lat[-1]), 6), round(float(lon[-1]), 6)),
        }
        assert ends == {(30.0, 47.0), (34.0, 44.0)}
        assert fl.pos_m[0, 2] == pytest.approx(33_000 * FT_M)
