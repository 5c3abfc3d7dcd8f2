"""Where an unknown aircraft raises an alert (`ConcernArea`) and the correlator's alert hysteresis with it: shown as
unknown everywhere, alerted only near a live intent's volume (band and window included) or a binding zone, or in
the area of responsibility. Distances are set up in a frame centred on the volumes, so the expected answers are
plain arithmetic on the test's own numbers."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from shapely.geometry import box

from commonsky.airspace.volume import AltitudeBand, CircleShape, TimeWindow, Volume
from commonsky.airspace.zone import Zone, ZoneKind
from commonsky.geo.geodesy import LocalFrame
from commonsky.plans.intent import Intent
from commonsky.surveillance.concern import ConcernArea, NearPolicy
from commonsky.surveillance.correlation import AlertPolicy, Correlator, IdentityRegistry, IntentIndex
from commonsky.surveillance.tracking.tracks import LiveTracks
from commonsky.units import FT_M, parse_altitude

FRAME = LocalFrame(33.0, 44.0)  # the orbit's centre
T0 = 10_000.0
ORBIT = Intent(
    "orbit-b",
    "coalition",
    (
        Volume(
            CircleShape((33.0, 44.0), 20_000.0),
            AltitudeBand(parse_altitude("FL200"), parse_altitude("FL220")),
            TimeWindow(T0 - 3600, T0 + 7200),
        ),
    ),
)
FL200_M = 200 * 100 * FT_M
BINDING = Zone("closed box", ZoneKind.RESTRICTED, box(45.0, 33.0, 45.2, 33.2), ceiling=parse_altitude("FL100"))
ADVISORY = Zone("advice", ZoneKind.ADVISORY, box(43.0, 32.0, 43.2, 32.2), binding=False)
SECTOR = Zone("sector", ZoneKind.ADVISORY, box(43.0, 34.0, 43.5, 34.5), binding=False)
NEAR = NearPolicy()


def _north(km: float, alt_m: float = 6_500.0) -> list[float]:
    return [0.0, km * 1e3, alt_m]


@pytest.fixture(scope="module")
def area() -> ConcernArea:
    return ConcernArea.build((ORBIT,), (BINDING, ADVISORY), FRAME, NEAR, responsibility=(SECTOR,))


def test_near_an_intent_means_laterally_vertically_and_in_time(area: ConcernArea) -> None:
    edge_km = 20.0 + NEAR.near_m / 1e3  # 30 km from the centre
    pos = np.array(
        [
            _north(edge_km - 1),
            _north(edge_km + 1),
            _north(5, FL200_M - NEAR.alt_m + 50),
            _north(5, FL200_M - NEAR.alt_m - 50),
        ]
    )
    assert area.reasons(pos, T0).tolist() == ["near intent orbit-b", "", "near intent orbit-b", ""]
    assert area.reasons(pos[:1], T0 + 7200 + NEAR.time_s - 1).tolist() == ["near intent orbit-b"]
    assert area.reasons(pos[:1], T0 + 7200 + NEAR.time_s + 1).tolist() == [""]


def test_binding_zones_and_the_area_of_responsibility_count_advisory_zones_do_not(area: ConcernArea) -> None:
    def at(lat: float, lon: float, alt_m: float) -> list[float]:
        x, y = FRAME.to_local(lat, lon)
        return [float(x), float(y), alt_m]

    pos = np.array(
        [
            at(33.1, 45.1, 3_000.0),  # inside the closed box, below its ceiling
            at(33.1, 44.95, 3_000.0),  # 0.05 deg of longitude west of it: 4.7 km, inside 10 km
            at(33.1, 44.8, 3_000.0),  # 18.6 km west: not near
            at(33.1, 45.1, 100 * 100 * FT_M + NEAR.alt_m + 100),  # above its ceiling and the margin
            at(32.1, 43.1, 3_000.0),  # inside the advisory zone
            at(34.2, 43.2, 11_000.0),  # inside the sector
            at(34.2, 42.9, 11_000.0),  # just outside the sector: the area is not widened
        ]
    )
    assert area.reasons(pos, T0).tolist() == [
        "near zone 'closed box'",
        "near zone 'closed box'",
        "",
        "",
        "",
        "in the area of responsibility 'sector'",
        "",
    ]


def _track(t: float, north_km: float) -> LiveTracks:
    x = np.array([[0.0, north_km * 1e3, 6_500.0, 0.0, -200.0, 0.0]])
    return replace(LiveTracks.new(t, [7], x, np.eye(6)[None] * 100.0), confirmed=np.ones(1, dtype=bool))


def test_an_unknown_is_shown_everywhere_and_alerted_only_while_it_matters(area: ConcernArea) -> None:
    index = IntentIndex.build((ORBIT,), FRAME)
    policy = AlertPolicy(unknown_after_scans=3, clear_after_scans=2)
    corr = Correlator(index, IdentityRegistry.build(), policy, area)
    # 59 km north, flying south at 200 m/s, one scan every 10 s: 2 km a scan, into the orbit's "near" ring (30 km
    # from the centre) at 29 km, and stopping at 25 km, before the orbit's volume (20 km) would match it.
    log = []
    for k in range(18):
        north_km = 59.0 - 2.0 * k
        shown, events = corr.step(_track(T0 + 10.0 * k, north_km))
        log.append((north_km, str(shown.status[0]), [(e.action.value, e.reason) for e in events]))
    assert [s for _, s, _ in log[:3]] == ["pending", "pending", "unknown"]
    raised = [(km, ev) for km, _, ev in log if ev]
    assert raised == [(29.0, [("raised", "no intent and no known identity, near intent orbit-b")])]
    assert all(s == "unknown" for _, s, _ in log[2:])
    # it turns back north: of no concern for 2 scans, then the alert ends, the status stays unknown
    out = [corr.step(_track(T0 + 200.0 + 10.0 * k, 31.0 + 2.0 * k)) for k in range(3)]
    assert [[(e.action.value, e.reason) for e in ev] for _, ev in out] == [
        [],
        [("ended", "left the area of concern")],
        [],
    ]
    assert [str(s.status[0]) for s, _ in out] == ["unknown"] * 3 and corr.active == ()
