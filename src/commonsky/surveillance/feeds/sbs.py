"""SBS-1 BaseStation CSV (port 30003): lines of already-decoded fields, read into `Observation` and written back.

``MSG,3,1,1,4840D6,1,2016/03/15,00:00:01.000,2016/03/15,00:00:01.000,,38000,,,52.2572,3.9194,,,0,0,0,0``: field 1
is the transmission type (1 identity, 2 surface position, 3 airborne position, 4 velocity, 5 altitude, 6 squawk,
7 air-to-air, 8 all-call), field 4 the address, 6-7 the generated date and time (read as UTC: the format has no
time zone), 10 callsign, 11 altitude (ft), 12 ground speed (kt), 13 track (deg), 14-15 latitude/longitude,
16 vertical rate (ft/min), 17 squawk, 21 on-ground (-1 true). Other BaseStation records (SEL, ID, AIR, STA, CLK)
are skipped; malformed lines are counted as garbage.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

from commonsky.surveillance.feeds.avr import HEX_DIGITS
from commonsky.surveillance.feeds.counters import FeedCounters
from commonsky.surveillance.feeds.lines import LineSplitter
from commonsky.surveillance.feeds.records import Observation, StateVector

OTHER_RECORDS = frozenset({"SEL", "ID", "AIR", "STA", "CLK"})
FIELDS = 22


def _number(text: str) -> float | None:
    if not text:
        return None
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def _timestamp(date: str, time: str) -> float | None:
    if not date or not time:
        return None
    try:
        moment = datetime.strptime(f"{date} {time}", "%Y/%m/%d %H:%M:%S.%f")
    except ValueError:
        moment = datetime.strptime(f"{date} {time}", "%Y/%m/%d %H:%M:%S")
    return moment.replace(tzinfo=UTC).timestamp()


def parse_sbs_line(line: str, received_s: float) -> Observation | None:
    """One ``MSG`` line as an observation, or None when malformed. Pure; never raises.

    The generated date/time gives the timestamp; ``received_s`` (UTC epoch s) stands in when it is missing.
    """
    fields = line.strip().split(",")
    if len(fields) < FIELDS - 4 or fields[0] != "MSG" or fields[1] not in {str(i) for i in range(1, 9)}:
        return None
    fields += [""] * (FIELDS - len(fields))
    icao = fields[4].strip().lower()
    if len(icao) != 6 or not HEX_DIGITS.issuperset(icao):
        return None
    try:
        stamp = _timestamp(fields[6].strip(), fields[7].strip())
        lat, lon = _number(fields[14]), _number(fields[15])
        altitude, speed, track, rate = (_number(fields[i]) for i in (11, 12, 13, 16))
    except ValueError:
        return None
    if (lat is None) != (lon is None) or (lat is not None and lon is not None and (abs(lat) > 90 or abs(lon) > 180)):
        return None
    squawk = fields[17].strip()
    ground = fields[21].strip()
    return Observation(
        timestamp_s=received_s if stamp is None else stamp,
        icao24=icao,
        callsign=fields[10].strip() or None,
        altitude_ft=altitude,
        groundspeed_kt=speed,
        track_deg=track,
        vertical_rate_fpm=rate,
        squawk=squawk if len(squawk) == 4 and squawk.isdigit() else None,
        onground=None if ground == "" else ground not in ("0", "false", "False"),
        latitude_deg=lat,
        longitude_deg=lon,
    )


class SbsReader:
    """Stateful SBS stream decoder: `feed` chunks, get observations of complete lines. Not thread-safe."""

    def __init__(self, counters: FeedCounters | None = None, *, received_time: bool = False) -> None:
        """``received_time``: stamp messages with their reception time instead of the generated date/time (SBS
        carries no time zone; receivers not set to UTC write local time)."""
        self.counters = counters if counters is not None else FeedCounters()
        self.received_time = received_time
        self._lines = LineSplitter()

    def feed(self, data: bytes, received_s: float) -> list[Observation]:
        observations = self._parse(self._lines.feed(data), received_s)
        self.counters.garbage_lines += self._lines.overflows
        self._lines.overflows = 0
        return observations

    def flush(self, received_s: float) -> list[Observation]:
        return self._parse([self._lines.flush()], received_s)

    def _parse(self, lines: list[str], received_s: float) -> list[Observation]:
        out = []
        for line in lines:
            if not line or line.split(",", 1)[0] in OTHER_RECORDS:
                continue
            observation = parse_sbs_line(line, received_s)
            if observation is None:
                self.counters.garbage_lines += 1
            else:
                out.append(observation._replace(timestamp_s=received_s) if self.received_time else observation)
        self.counters.frames += len(out)
        self.counters.decoded += len(out)
        return out


def _msg(kind: int, state: StateVector, fields: dict[int, str]) -> str:
    moment = datetime.fromtimestamp(state.timestamp_s, UTC)
    date, time = moment.strftime("%Y/%m/%d"), moment.strftime("%H:%M:%S.%f")[:-3]
    row = ["MSG", str(kind), "1", "1", state.icao24.upper(), "1", date, time, date, time] + [""] * (FIELDS - 10)
    for index, value in fields.items():
        row[index] = value
    return ",".join(row) + "\n"


def format_sbs(state: StateVector) -> str:
    """SBS lines (identity, velocity, squawk, then airborne position) carrying every known field of a state."""
    lines = []
    if state.callsign:
        lines.append(_msg(1, state, {10: state.callsign}))
    if state.groundspeed_kt is not None or state.vertical_rate_fpm is not None:
        values = {12: state.groundspeed_kt, 13: state.track_deg, 16: state.vertical_rate_fpm}
        lines.append(_msg(4, state, {i: "" if v is None else f"{v:.6g}" for i, v in values.items()}))
    if state.squawk:
        lines.append(_msg(6, state, {17: state.squawk}))
    position = {14: f"{state.latitude_deg:.6f}", 15: f"{state.longitude_deg:.6f}"}
    if state.altitude_ft is not None:
        position[11] = f"{state.altitude_ft:.0f}"
    if state.onground is not None:
        position[21] = "-1" if state.onground else "0"
    lines.append(_msg(3, state, position))
    return "".join(lines)
