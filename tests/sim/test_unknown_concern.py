"""A picture of real receivers only: every aircraft nobody filed is shown as unknown, but an UNKNOWN alert is raised
only where it matters to the coordination -- near a live filed intent's volume (altitude band and time included)
or a binding zone, or inside the configured area of responsibility. Five synthetic aircraft are served as a Beast
feed over loopback; which of them should alert is computed in the test from their flown positions (a flat-earth
distance to the volumes, the bands and windows), independently of the product's projection and buffers."""

from __future__ import annotations

import math
import time
from collections.abc import Iterator

import pytest
import shapely
from shapely.geometry import Polygon

from commonsky.airspace.volume import AltitudeBand, CorridorShape, TimeWindow, Volume
from commonsky.airspace.zone import Zone, ZoneKind
from commonsky.plans.intent import Intent, IntentState
from commonsky.sim.live_feeds import feeds_pipeline, feeds_scenario
from commonsky.sim.pipeline import LivePlan
from commonsky.sim.run_config import RunConfig
from commonsky.surveillance.correlation import IdentityRegistry
from commonsky.surveillance.feeds.live import LiveFeed
from commonsky.surveillance.feeds.replay import ReplayServer
from commonsky.surveillance.feeds.source import ReconnectPolicy
from commonsky.surveillance.feeds.synthetic import SyntheticAircraft, synthetic_recording
from commonsky.surveillance.feeds.url import parse_feed_url
from commonsky.units import Altitude, AltitudeRef

pytestmark = pytest.mark.slow
QUICK = ReconnectPolicy(max_retries=None, initial_backoff_s=0.1, max_backoff_s=0.5, idle_timeout_s=5.0)
FT_M = 0.3048
NEAR_M, NEAR_ALT_M = 10_000.0, 600.0  # the documented defaults of "near" (docs/stca.md, "Unknown aircraft")

# Receiver at 50N 8E. A binding zone (a box, SFC-FL200), an intent's corridor (3 km half-width, 3,000-5,000 m,
# live now), an area of responsibility (a box, all altitudes), and five aircraft at 300 kt.
ZONE = Polygon([(8.45, 49.93), (8.75, 49.93), (8.75, 50.07), (8.45, 50.07)])
FAR_BOX = Polygon([(6.0, 50.7), (7.0, 50.7), (7.0, 51.1), (6.0, 51.1)])  # advisory: binds nobody
AOR = Polygon([(8.8, 50.5), (9.3, 50.5), (9.3, 50.8), (8.8, 50.8)])
LEG = ((49.5, 7.0), (49.5, 8.0))
HALF_WIDTH_M, BAND_M = 3_000.0, (3_000.0, 5_000.0)
FLEET = {
    "far": SyntheticAircraft(0xA00001, "FAR1", "1001", 50.9, 6.5, 35_000.0, 300.0, 270.0),
    "zone": SyntheticAircraft(0xA00002, "ZONE1", "1002", 50.0, 8.5, 10_000.0, 300.0, 90.0),
    "intent": SyntheticAircraft(0xA00003, "NEAR1", "1003", 49.563, 7.3, 13_000.0, 300.0, 90.0),  # 7 km N of it
    "below": SyntheticAircraft(0xA00004, "LOW1", "1004", 49.437, 7.3, 5_000.0, 300.0, 90.0),  # 7 km S, too low
    "aor": SyntheticAircraft(0xA00005, "AOR1", "1005", 50.65, 8.9, 30_000.0, 300.0, 90.0),
}
SECONDS = 90.0


def _xy_km(lat: float, lon: float) -> tuple[float, float]:
    """Flat earth around 50N, km (enough at these distances, and independent of the product's frames)."""
    return lon * 111.32 * math.cos(math.radians(50.0)), lat * 110.57


def _expected(plane: SyntheticAircraft, now_s: float, start_s: float) -> bool:
    """Whether ``plane`` should be alerted at some point of the recording (module docstring)."""
    hits = []
    for t in range(0, int(SECONDS), 5):
        lat, lon, alt_ft = plane.position(float(t))
        x, y = _xy_km(lat, lon)
        alt_m = alt_ft * FT_M
        zone = shapely.Polygon([_xy_km(la, lo) for lo, la in ZONE.exterior.coords])
        near_zone = zone.distance(shapely.Point(x, y)) * 1e3 <= NEAR_M and alt_m <= 20_000 * FT_M + NEAR_ALT_M
        leg = shapely.LineString([_xy_km(*p) for p in LEG])
        near_leg = leg.distance(shapely.Point(x, y)) * 1e3 <= HALF_WIDTH_M + NEAR_M
        in_band = BAND_M[0] - NEAR_ALT_M <= alt_m <= BAND_M[1] + NEAR_ALT_M and start_s <= now_s + t
        aor = shapely.Polygon([_xy_km(la, lo) for lo, la in AOR.exterior.coords]).contains(shapely.Point(x, y))
        hits.append(near_zone or (near_leg and in_band) or aor)
    assert all(hits) or not any(hits), "each aircraft is designed to stay on one side of the rule"
    return hits[0]


@pytest.fixture
def server() -> Iterator[ReplayServer]:
    with ReplayServer(synthetic_recording(list(FLEET.values()), SECONDS), speed=1.0) as replay:
        yield replay


def test_unknown_alerts_only_where_the_aircraft_matters(server: ReplayServer) -> None:
    now = time.time()
    intent = Intent(
        "survey-1", "coalition",
        (Volume(CorridorShape(LEG, HALF_WIDTH_M), AltitudeBand(Altitude(BAND_M[0]), Altitude(BAND_M[1])),
                TimeWindow(now - 600.0, now + 3_600.0)),),
        state=IntentState.ACCEPTED,
    )  # fmt: skip
    zone = Zone("Test box", ZoneKind.RESTRICTED, ZONE, ceiling=Altitude(200 * 100 * FT_M, AltitudeRef.STD))
    advisory = Zone("Advisory round the far one", ZoneKind.ADVISORY, FAR_BOX, binding=False)
    area = Zone("Our sector", ZoneKind.ADVISORY, AOR, binding=False)
    feed = LiveFeed(parse_feed_url(f"beast://127.0.0.1:{server.port}?lat=50.0&lon=8.0&name=roof"), QUICK, poll_s=0.05)
    feed.start()
    try:
        pipeline = feeds_pipeline(feeds_scenario(now), [feed], RunConfig(responsibility=(area,)))
        # what the broker would hand the picture: one live intent, one binding zone, one advisory zone
        pipeline.apply_plan(LivePlan((intent,), (zone, advisory), IdentityRegistry.build(), version=1))
        pipeline.reset(time.time())
        alerted: dict[str, str] = {}
        status: dict[str, str] = {}
        end = time.monotonic() + 40.0
        settled_at = math.inf
        while time.monotonic() < min(end, settled_at + 6.0):
            snap = pipeline.step(max(time.time(), pipeline.time_s))
            for ident in snap.identity_alerts:
                if ident.event.kind == "unknown":
                    alerted.setdefault(ident.event.icao24, ident.event.reason)
            status.update(zip(snap.icao24.tolist(), snap.status.tolist(), strict=True))
            if settled_at == math.inf and len(status) == len(FLEET) and set(status.values()) == {"unknown"}:
                settled_at = time.monotonic()  # every track shown as unknown: a few more scans for late alerts
            time.sleep(0.2)
    finally:
        feed.stop()
    addresses = {name: f"{plane.icao24:06x}" for name, plane in FLEET.items()}
    assert {name: status.get(a) for name, a in addresses.items()} == dict.fromkeys(FLEET, "unknown")
    expected = {name for name, plane in FLEET.items() if _expected(plane, now, intent.start_s)}
    assert expected == {"zone", "intent", "aor"}  # the geometry is as designed
    assert {name for name, a in addresses.items() if a in alerted} == expected
    assert alerted[addresses["zone"]].endswith("near zone 'Test box'")
    assert alerted[addresses["intent"]].endswith("near intent survey-1")
    assert alerted[addresses["aor"]].endswith("in the area of responsibility 'Our sector'")
