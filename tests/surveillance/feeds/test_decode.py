"""Field decoding (rs1090) and state assembly on real messages, cross-checked against rs1090 and pyModeS's docs."""

from __future__ import annotations

import csv
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import rs1090

from commonsky.surveillance.feeds import cpr
from commonsky.surveillance.feeds.counters import FeedCounters
from commonsky.surveillance.feeds.decode import ModeSDecoder, decode_fields
from commonsky.surveillance.feeds.hexcsv import parse_hexcsv_line
from commonsky.surveillance.feeds.modes import RawFrame
from commonsky.surveillance.feeds.pipeline import FeedPipeline
from commonsky.surveillance.feeds.records import Observation, StateVector, states_to_si
from commonsky.surveillance.feeds.source import open_source
from commonsky.surveillance.feeds.state import StateBuilder, StateOptions, haversine_m
from commonsky.units import KT_MS


def _observe(hex_msg: str, t_s: float, decoder: ModeSDecoder | None = None) -> Observation:
    obs = (decoder or ModeSDecoder()).decode(RawFrame(bytes.fromhex(hex_msg), timestamp_s=t_s), t_s)
    assert obs is not None
    return obs


@pytest.fixture(scope="module")
def adsb_lines(reference_dir: Path) -> list[str]:
    return (reference_dir / "adsb" / "pymodes_sample_data_adsb.csv").read_text().splitlines()


@pytest.fixture(scope="module")
def track(adsb_lines: list[str]) -> list[tuple[int, StateVector]]:
    """(line index, state) for every position fix of 406B90."""
    decoder, builder = ModeSDecoder(), StateBuilder()
    out = []
    for i, line in enumerate(adsb_lines):
        frame = parse_hexcsv_line(line)
        assert frame is not None
        obs = decoder.decode(frame, 0.0)
        assert obs is not None
        state = builder.update(obs)
        if state is not None:
            out.append((i, state))
    assert builder.counters.position_jumps == 0
    return out


def test_pymodes_doc_examples() -> None:
    assert _observe("8D4840D6202CC371C32CE0576098", 0.0).callsign == "KLM1023"
    velocity = _observe("8D485020994409940838175B284F", 0.0)
    assert velocity.groundspeed_kt == pytest.approx(159.20, abs=0.01)
    assert velocity.track_deg == pytest.approx(182.88, abs=0.01)
    assert velocity.vertical_rate_fpm == -832
    # airspeed/heading subtype: no ground speed or track, but the vertical rate
    airspeed = _observe("8DA05F219B06B6AF189400CBC33F", 0.0)
    assert airspeed.groundspeed_kt is None and airspeed.track_deg is None and airspeed.vertical_rate_fpm == -2304
    # even/odd pair of the pyModeS docs: the even frame is the latest
    builder = StateBuilder()
    odd = _observe("8D40621D58C386435CC412692AD6", 1457996400.0)
    even = _observe("8D40621D58C382D690C8AC2863A7", 1457996402.0)
    assert odd.cpr is not None and odd.cpr.odd and even.cpr is not None and not even.cpr.odd
    assert builder.update(odd) is None
    state = builder.update(even)
    assert state is not None
    assert (round(state.latitude_deg, 4), round(state.longitude_deg, 5)) == (52.2572, 3.91937)
    assert state.altitude_ft == 38000 and state.onground is False


def test_cpr_functions_against_the_pymodes_doc_and_rs1090() -> None:
    odd_latest = cpr.airborne_global(93000, 51372, 74158, 50194, odd_is_latest=True)
    pair = rs1090.decode(["8D40621D58C382D690C8AC2863A7", "8D40621D58C386435CC412692AD6"], [0.0, 2.0])
    assert odd_latest == pytest.approx((pair[1]["latitude"], pair[1]["longitude"]), abs=1e-9)
    assert odd_latest == pytest.approx((52.26578, 3.938912), abs=1e-5)  # "The 1090 MHz riddle", odd frame latest
    assert cpr.local(93000, 51372, odd=False, ref_lat_deg=52.258, ref_lon_deg=3.918) == pytest.approx(
        (52.2572021484375, 3.91937255859375), abs=1e-9
    )
    surface = rs1090.decode("8c4841753a9a153237aef0f275be", reference=(51.99, 4.375))
    ours = cpr.local(39195, 110320, odd=True, ref_lat_deg=51.99, ref_lon_deg=4.375, surface=True)
    assert ours == pytest.approx((surface["latitude"], surface["longitude"]), abs=1e-9)
    assert [cpr.nl(x) for x in (0.0, 10.47047130, 52.0, 86.53536998, 87.0, 89.9)] == [59, 58, 36, 2, 2, 1]


def test_positions_equal_rs1090_batch_decoding(adsb_lines: list[str], track: list[tuple[int, StateVector]]) -> None:
    rows = list(csv.reader(adsb_lines))
    theirs = {
        i: (d["latitude"], d["longitude"])
        for i, d in enumerate(rs1090.decode([r[1] for r in rows], [float(r[0]) for r in rows]))
        if "latitude" in d
    }
    ours = {i: (s.latitude_deg, s.longitude_deg) for i, s in track}
    common = sorted(set(ours) & set(theirs))
    assert len(common) == len(theirs) > 700  # every fix rs1090 resolves, we resolve identically
    assert np.abs(np.array([ours[i] for i in common]) - np.array([theirs[i] for i in common])).max() < 1e-9


def test_406b90_is_a_plausible_cruise(track: list[tuple[int, StateVector]]) -> None:
    states = [s for _, s in track]
    assert len(states) > 900
    cols = states_to_si(states)
    assert np.all(np.diff(cols["t_s"]) >= 0)
    assert np.all((cols["lat_deg"] > 50.5) & (cols["lat_deg"] < 52.5))  # the Netherlands and western Germany
    assert np.all((cols["lon_deg"] > 3.5) & (cols["lon_deg"] < 8.0))
    assert np.all((states[0].altitude_ft or 0) >= 30000) and np.nanmax(cols["alt_m"]) < 13000
    gs = cols["gs_ms"] / KT_MS
    assert np.nanmin(gs) > 400 and np.nanmax(gs) < 560
    assert {s.callsign for s in states} == {"EZY85MH"}
    # the speed implied by successive fixes agrees with the reported ground speed
    first, last = states[0], states[-1]
    dist = haversine_m(first.latitude_deg, first.longitude_deg, last.latitude_deg, last.longitude_deg)
    implied_kt = dist / (last.timestamp_s - first.timestamp_s) / KT_MS
    assert 400 < implied_kt < 560
    track_to = math.degrees(
        math.atan2(last.longitude_deg - first.longitude_deg, last.latitude_deg - first.latitude_deg)
    )
    assert 270 < track_to % 360 < 320 and 270 < (first.track_deg or 0) < 320  # flying west-north-west


def test_a_corrupted_position_is_rejected_and_the_track_recovers(adsb_lines: list[str]) -> None:
    decoder, builder = ModeSDecoder(), StateBuilder()
    observations = [decoder.decode(parse_hexcsv_line(line) or RawFrame(b""), 0.0) for line in adsb_lines]
    cpr_at = [i for i, o in enumerate(observations) if o is not None and o.cpr is not None]
    bad_index = cpr_at[len(cpr_at) // 2]
    states = []
    for i, obs in enumerate(observations):
        assert obs is not None
        if i == bad_index and obs.cpr is not None:  # a CPR latitude off by a third of a zone: ~120 NM away
            obs = obs._replace(cpr=obs.cpr._replace(lat_cpr=(obs.cpr.lat_cpr + 43690) % 131072))
        state = builder.update(obs)
        if state is not None:
            states.append(state)
    assert builder.counters.position_jumps == 1
    assert len(states) >= 925  # one fix lost, plus the pair needed to decode globally again
    lats = np.array([s.latitude_deg for s in states])
    assert np.all((lats > 50.5) & (lats < 52.5))


def test_sbs_positions_go_through_the_same_plausibility_check() -> None:
    builder = StateBuilder()
    near = Observation(0.0, "abcdef", latitude_deg=50.0, longitude_deg=10.0)
    assert builder.update(near) is not None
    assert builder.update(near._replace(timestamp_s=10.0, latitude_deg=50.03)) is not None  # 3.3 km in 10 s
    assert builder.update(near._replace(timestamp_s=11.0, latitude_deg=51.0)) is None  # 108 km in 1 s
    assert builder.counters.position_jumps == 1 and builder.counters.states == 2


def test_df20_replies_decode_altitudes_with_the_listed_address(
    reference_dir: Path, crc24_remainder: Callable[[bytes], int]
) -> None:
    counters = FeedCounters()
    path = reference_dir / "adsb" / "pymodes_sample_data_commb_df20.csv"
    rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    # the replies whose address overlay contradicts the listed address, by the bitwise CRC-24 oracle
    contradicted = sum(crc24_remainder(bytes.fromhex(msg)) != int(icao, 16) for _, icao, msg in rows)
    assert 0 < contradicted < len(rows)
    pipeline = FeedPipeline("hexcsv", counters)
    for chunk in open_source(str(path), counters):
        pipeline.feed(chunk)
    pipeline.finish(0.0)
    assert counters.frames == len(rows)
    assert counters.crc_failures == contradicted
    assert counters.decoded == len(rows) - contradicted and counters.states == 0  # DF20 carries no position
    assert pipeline.aircraft_seen > 100


def test_comm_b_identification_gives_callsigns(reference_dir: Path) -> None:
    lines = (reference_dir / "adsb" / "pymodes_sample_data_commb_df20.csv").read_text(encoding="utf-8-sig")
    decoder = ModeSDecoder()
    observations = [decoder.decode(parse_hexcsv_line(line) or RawFrame(b""), 0.0) for line in lines.splitlines()]
    callsigns = {(o.icao24, o.callsign) for o in observations if o is not None and o.callsign is not None}
    assert ("484b00", "KLM1489") in callsigns  # BDS 2,0 in A0001338202CC371D38E60A05469
    assert len(callsigns) > 20
    assert all(c.isalnum() and len(c) <= 8 for _, c in callsigns)
    per_aircraft: dict[str, set[str]] = {}
    for icao, callsign in callsigns:
        per_aircraft.setdefault(icao, set()).add(callsign)
    assert sum(len(v) > 1 for v in per_aircraft.values()) <= 0.05 * len(per_aircraft)  # one flight id per aircraft


def test_address_parity_replies_need_a_verified_address() -> None:
    df4 = RawFrame(bytes.fromhex("20000CA8F70AA7"))  # DF4 from 3981e4, altitude 25000 ft
    df11 = RawFrame(bytes.fromhex("5D3981E46DC8EB"))  # DF11 all-call reply from 3981e4
    decoder = ModeSDecoder()
    assert decoder.decode(df4, 0.0) is None and decoder.counters.unverified == 1
    assert decoder.decode(df11, 0.0) == Observation(0.0, "3981e4", onground=False)
    replied = decoder.decode(df4, 1.0)
    assert replied is not None and replied.altitude_ft == 25000 and replied.icao24 == "3981e4"
    assert ModeSDecoder(trust_address_parity=True).decode(df4, 0.0) is not None
    squawk = ModeSDecoder(trust_address_parity=True).decode(RawFrame(bytes.fromhex("2800080069952A")), 0.0)
    assert squawk is not None and squawk.squawk == "1000"


def test_beast_capture_states(reference_dir: Path) -> None:
    counters = FeedCounters()
    pipeline = FeedPipeline("beast", counters)
    states = []
    for chunk in open_source(str(reference_dir / "adsb" / "sample_dump1090.bin"), counters):
        states += pipeline.feed(chunk)
    assert counters.frames == 239 and counters.crc_failures == 0 and counters.garbage_bytes == 0
    assert states and all(42 < s.latitude_deg < 45 and 0 < s.longitude_deg < 3 for s in states)  # near Toulouse
    assert states[-1].callsign == "TRA89M" and states[-1].squawk == "5516"  # squawk from a DF5 reply
    spacing = np.diff([s.timestamp_s for s in states])
    assert np.all(spacing > 0) and spacing.max() < 30  # MLAT ticks give sub-second spacing


@pytest.mark.parametrize("junk", [b"", b"\x8d", b"\x00" * 7, b"\xff" * 14, bytes(range(14)), b"\x1a" * 7])
def test_decode_fields_never_raises(junk: bytes) -> None:
    assert decode_fields(junk) is None or isinstance(decode_fields(junk), dict)


def test_surface_position_needs_a_reference_and_matches_rs1090() -> None:
    surface = "8C4841753A9A153237AEF0F275BE"  # pyModeS docs: surface movement of 484175 near Amsterdam
    obs = _observe(surface, 0.0)
    assert obs.onground is True and obs.groundspeed_kt == 17.0 and obs.cpr is not None and obs.cpr.surface
    plain = StateBuilder()
    assert plain.update(obs) is None and plain.counters.cpr_unresolved == 1  # no reference: cannot resolve
    state = StateBuilder(options=StateOptions(reference_deg=(51.99, 4.375))).update(obs)
    expected = rs1090.decode(surface.lower(), reference=(51.99, 4.375))
    assert state is not None and state.onground is True
    assert (state.latitude_deg, state.longitude_deg) == pytest.approx(
        (expected["latitude"], expected["longitude"]), abs=1e-9
    )


def test_states_to_si_converts_units() -> None:
    state = StateVector(0.0, "abcdef", 50.0, 10.0, altitude_ft=10000, groundspeed_kt=100, vertical_rate_fpm=-1000)
    cols = states_to_si([state, StateVector(1.0, "abcdef", 50.0, 10.0)])
    assert cols["alt_m"][0] == pytest.approx(3048.0) and cols["gs_ms"][0] == pytest.approx(51.4444, abs=1e-4)
    assert cols["vs_ms"][0] == pytest.approx(-5.08) and np.isnan(cols["alt_m"][1]) and np.isnan(cols["trk_deg"][0])
    assert list(cols["icao24"]) == ["abcdef", "abcdef"]
