"""What each party is told of the live alerts: its own aircraft and intents in full, of others nothing identifying."""

from __future__ import annotations

import json

import numpy as np

from commonsky.geo.geodesy import LocalFrame
from commonsky.picture.picture import Picture
from commonsky.safety.alerts import Alert, AlertKind
from commonsky.sim.clock import ClockState
from commonsky.sim.party_alerts import PartyAlerts
from commonsky.sim.snapshot import IdentityAlert, LiveSnapshot
from commonsky.surveillance.correlation import CorrelationEvent

T0 = 1_417_501_800.0
FRAME = LocalFrame(33.5, 44.5)
# T1 usaf (callsign RCH1), T2 iqaf (IQF7), T3 usaf (RCH2), T4 unknown
IDS, PARTY, INTENT = ["T1", "T2", "T3", "T4"], ["usaf", "iqaf", "usaf", ""], ["usaf-1", "iqaf-9", "usaf-2", ""]
CALLSIGN, ICAO = ["RCH1", "IQF7", "RCH2", ""], ["ae0001", "730abc", "ae0002", ""]
LAT = [33.5, 33.52, 33.6, 33.7]


def _snapshot(alerts: tuple[Alert, ...], identity: tuple[IdentityAlert, ...] = (), t_s: float = T0) -> LiveSnapshot:
    picture = Picture.from_arrays(
        id=IDS,
        lat_deg=LAT,
        lon_deg=[44.5, 44.52, 44.6, 44.7],
        alt_m=[9000.0, 9100.0, 9000.0, 200.0],
        gs_ms=[200.0] * 4,
        trk_deg=[90.0] * 4,
        vs_ms=[0.0] * 4,
        party=PARTY,
        intent=INTENT,
        time_s=t_s,
    )
    return LiveSnapshot(
        seq=1,
        clock=ClockState(t_s, 1.0, False, T0, T0 + 3600.0),
        picture=picture,
        callsign=np.array(CALLSIGN),
        label=np.array(CALLSIGN),
        alerts=alerts,
        events=(),
        trails=(),
        n_truth=4,
        n_plots=0,
        work_ms=0.0,
        identity_alerts=identity,
        icao24=np.array(ICAO),
        sources=np.array([""] * 4),
    )


def _conflict(a: str, b: str, alert_id: int = 1) -> Alert:
    return Alert(alert_id, AlertKind.CONFLICT, (a, b), T0, T0, T0 + 60.0, tcpa_s=60.0, dcpa_m=900.0, lat=33.5, lon=44.5)


def _identity(kind: str, track: int, party: str, intent: str) -> IdentityAlert:
    event = CorrelationEvent(T0, kind, "raised", track, intent, party, "left its route", "", "", 33.6, 44.6, 9000.0)
    return IdentityAlert(event, T0)


def test_a_conflict_tells_each_owner_of_its_own_aircraft_only() -> None:
    told = PartyAlerts(FRAME).step(_snapshot((_conflict("T1", "T2"),)), ())
    by_party = {party: event for party, event in told}
    assert set(by_party) == {"usaf", "iqaf"}
    usaf, iqaf = by_party["usaf"], by_party["iqaf"]
    assert usaf["aircraft"]["track"] == "T1" and usaf["aircraft"]["callsign"] == "RCH1" and usaf["action"] == "raised"
    assert iqaf["aircraft"]["track"] == "T2" and iqaf["aircraft"]["icao24"] == "730abc"
    assert usaf["other"] == iqaf["other"] == {"party": None, "note": "another aircraft"}
    assert usaf["tcpa_s"] == 60.0 and usaf["dcpa_m"] == 900.0
    # nothing of the other side anywhere in the message: id, callsign, address, party, intent, position
    for text, other in ((json.dumps(usaf), 1), (json.dumps(iqaf), 0)):
        for secret in (IDS[other], CALLSIGN[other], ICAO[other], PARTY[other], INTENT[other], f'"lat": {LAT[other]},'):
            assert secret not in text, secret
    assert usaf["key"] == "conflict:T1:1" and iqaf["key"] == "conflict:T2:1"


def test_a_conflict_between_a_partys_own_aircraft_shows_both() -> None:
    told = PartyAlerts(FRAME).step(_snapshot((_conflict("T1", "T3"),)), ())
    assert [p for p, _ in told] == ["usaf", "usaf"]
    assert {e["other"]["callsign"] for _, e in told} == {"RCH1", "RCH2"}


def test_unknown_aircraft_are_told_of_nobody_and_alerts_end() -> None:
    alerts = PartyAlerts(FRAME)
    told = alerts.step(_snapshot((_conflict("T4", "T1"),)), ())
    assert [(p, e["aircraft"]["track"], e["other"]["party"]) for p, e in told] == [("usaf", "T1", None)]
    assert alerts.step(_snapshot((_conflict("T4", "T1"),), t_s=T0 + 1), ()) == []  # still up: said once
    ended = alerts.step(_snapshot((), t_s=T0 + 2), ())
    assert [(p, e["action"], e["key"]) for p, e in ended] == [("usaf", "ended", "conflict:T1:1")]
    assert set(ended[0][1]) == {"type", "kind", "key", "action", "time"}


def test_incursion_and_non_conforming_go_to_the_owner() -> None:
    incursion = Alert(2, AlertKind.INCURSION, ("T2", "Closed west"), T0, T0, T0 + 30.0, lat=33.5, lon=44.5)
    told = PartyAlerts(FRAME).step(_snapshot((incursion,), (_identity("non-conforming", 3, "usaf", "usaf-2"),)), ())
    kinds = sorted((p, e["kind"]) for p, e in told)
    assert kinds == [("iqaf", "incursion"), ("usaf", "non-conforming")]
    event = dict(told)["usaf"]
    assert event["intent"] == "usaf-2" and event["reason"] == "left its route" and event["aircraft"]["track"] == "T3"
    assert dict(told)["iqaf"]["zone"] == "Closed west" and dict(told)["iqaf"]["inside"] is False
