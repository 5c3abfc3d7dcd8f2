"""A whole feed: source chunks -> framer -> Mode S decoder (or SBS reader) -> state builder -> state vectors.

>>> from commonsky.surveillance.feeds.source import Chunk
>>> pipeline = FeedPipeline("avr", options=FeedOptions(trust_address_parity=True))
>>> pipeline.feed(Chunk(b"*8D4840D6202CC371C32CE0576098;\\n", 0.0))
[]
>>> pipeline.counters.decoded, pipeline.aircraft_seen
(1, 1)
"""

from __future__ import annotations

import csv
import gc
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path
from typing import Protocol, TextIO

from commonsky.errors import InputError
from commonsky.surveillance.feeds.avr import AvrFramer
from commonsky.surveillance.feeds.beast import BeastFramer
from commonsky.surveillance.feeds.counters import FeedCounters
from commonsky.surveillance.feeds.decode import ModeSDecoder
from commonsky.surveillance.feeds.hexcsv import HexCsvFramer
from commonsky.surveillance.feeds.modes import RawFrame
from commonsky.surveillance.feeds.records import STATE_COLUMNS, Observation, StateVector
from commonsky.surveillance.feeds.sbs import SbsReader
from commonsky.surveillance.feeds.source import Chunk, LinkEvent
from commonsky.surveillance.feeds.state import StateBuilder, StateOptions

FORMATS = ("beast", "avr", "sbs", "hexcsv")
PRUNE_EVERY = 10_000
GC_YOUNG_OBJECTS = 100_000
"""`ingest`'s threshold of the garbage collector's youngest generation (Python's default: 700)."""


class Framer(Protocol):
    """Stateful splitter of a byte stream into raw Mode S frames (Beast, AVR, hexcsv)."""

    counters: FeedCounters

    def feed(self, data: bytes) -> list[RawFrame]: ...

    def flush(self) -> list[RawFrame]: ...


def make_framer(fmt: str, counters: FeedCounters) -> Framer:
    """The framer of a binary/hex format; raises `InputError` naming the known formats."""
    framers: dict[str, Callable[[FeedCounters], Framer]] = {
        "beast": BeastFramer,
        "avr": AvrFramer,
        "hexcsv": HexCsvFramer,
    }
    if fmt not in framers:
        raise InputError(f"unknown feed format {fmt!r}: expected one of {', '.join(FORMATS)}")
    return framers[fmt](counters)


@dataclass(frozen=True, slots=True)
class FeedOptions:
    """start_s: UTC epoch (s) of the first MLAT tick of a Beast/AVR recording (default: time of reading).
    trust_address_parity: accept DF0/4/5/16/20/21 replies from addresses never verified. sbs_received_time: stamp
    SBS messages with their reception time, not their generated time. state: `StateOptions`. picture_only: decode
    only what a live picture shows (see `ModeSDecoder`).
    """

    start_s: float | None = None
    trust_address_parity: bool = False
    sbs_received_time: bool = False
    state: StateOptions = field(default_factory=StateOptions)
    picture_only: bool = False


class FeedPipeline:
    """One feed of one format, from bytes to state vectors. Stateful, not thread-safe: one per feed."""

    def __init__(
        self,
        fmt: str,
        counters: FeedCounters | None = None,
        options: FeedOptions | None = None,
        tap: Callable[[list[RawFrame]], None] | None = None,
    ) -> None:
        """``tap``, when given, sees every batch of raw frames before decoding (recording, replay, tests)."""
        if fmt not in FORMATS:
            raise InputError(f"unknown feed format {fmt!r}: expected one of {', '.join(FORMATS)}")
        self.format = fmt
        self.counters = counters if counters is not None else FeedCounters()
        options = options if options is not None else FeedOptions()
        self._sbs = SbsReader(self.counters, received_time=options.sbs_received_time) if fmt == "sbs" else None
        self._framer = None if fmt == "sbs" else make_framer(fmt, self.counters)
        self._decoder = ModeSDecoder(
            self.counters,
            start_s=options.start_s,
            trust_address_parity=options.trust_address_parity,
            picture_only=options.picture_only,
        )
        self._builder = StateBuilder(self.counters, options.state)
        self._latest_s = 0.0
        self._tap = tap

    @property
    def aircraft_seen(self) -> int:
        return self._builder.aircraft_seen

    def feed(self, chunk: Chunk) -> list[StateVector]:
        """Process one chunk; returns the state vectors it produced (possibly none)."""
        states = self.finish(chunk.received_s) if chunk.after_gap else []
        if self._sbs is not None:
            states += self._build(self._sbs.feed(chunk.data, chunk.received_s))
        elif self._framer is not None:
            states += self._frames(self._framer.feed(chunk.data), chunk.received_s)
        return states

    def finish(self, now_s: float) -> list[StateVector]:
        """End of stream (or of one connection): flush partial input; returns any last states."""
        if self._sbs is not None:
            return self._build(self._sbs.flush(now_s))
        if self._framer is not None:
            return self._frames(self._framer.flush(), now_s)
        return []

    def _frames(self, frames: list[RawFrame], received_s: float) -> list[StateVector]:
        if self._tap is not None and frames:
            self._tap(frames)
        return self._build(self._decoder.decode_many(frames, received_s))

    def _build(self, observations: list[Observation]) -> list[StateVector]:
        update = self._builder.update
        states = [state for state in map(update, observations) if state is not None]
        if observations:
            self._latest_s = max(self._latest_s, max(map(attrgetter("timestamp_s"), observations)))
        if self.counters.decoded // PRUNE_EVERY != (self.counters.decoded - len(observations)) // PRUNE_EVERY:
            self._builder.prune(self._latest_s)
        return states


@dataclass(frozen=True, slots=True)
class IngestReport:
    """Summary of one ingest: source, format, counters, distinct aircraft, link events, whether it was interrupted."""

    source: str
    format: str
    counters: dict[str, int]
    aircraft: int
    events: tuple[LinkEvent, ...] = ()
    interrupted: bool = False

    def as_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "format": self.format,
            "aircraft": self.aircraft,
            "interrupted": self.interrupted,
            **self.counters,
            "events": [{"kind": e.kind, "time_s": e.time_s, "detail": e.detail} for e in self.events],
        }


def ingest(
    chunks: Iterable[Chunk],
    pipeline: FeedPipeline,
    on_states: Callable[[list[StateVector]], None],
    on_chunk: Callable[[Chunk], None] | None = None,
    description: str = "",
    events: Callable[[], Iterable[LinkEvent]] | None = None,
) -> IngestReport:
    """Run ``pipeline`` over ``chunks``, handing each batch of states to ``on_states``. Ctrl-C ends it cleanly.

    While it runs, the cyclic garbage collector waits for `GC_YOUNG_OBJECTS` new objects instead of Python's 700:
    a chunk makes a few objects per message (frames, observations, states) that refcounting frees with the chunk,
    and none makes a cycle, so collecting every 700 only walked the chunk's live objects again and again (about a
    sixth of ingest's time).
    """
    interrupted = False
    thresholds = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_OBJECTS, *thresholds[1:])
    try:
        for chunk in chunks:
            states = pipeline.feed(chunk)
            if states:
                on_states(states)
            if on_chunk is not None:
                on_chunk(chunk)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        gc.set_threshold(*thresholds)
    states = pipeline.finish(time.time())
    if states:
        on_states(states)
    return IngestReport(
        source=description,
        format=pipeline.format,
        counters=pipeline.counters.snapshot(),
        aircraft=pipeline.aircraft_seen,
        events=tuple(events()) if events is not None else (),
        interrupted=interrupted,
    )


def _cell(value: object, digits: int | None = None) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and digits is not None:
        return f"{value:.{digits}f}"
    return str(value)


class StateCsvWriter:
    """Writes state vectors as CSV in `STATE_COLUMNS` order (empty cell = unknown) to an open text file."""

    DIGITS = (3, None, None, 6, 6, 0, 2, 2, 0, None, None)

    def __init__(self, stream: TextIO) -> None:
        self._writer = csv.writer(stream, lineterminator="\n")
        self._writer.writerow(STATE_COLUMNS)

    def write(self, states: Iterable[StateVector]) -> None:
        self._writer.writerows([_cell(v, d) for v, d in zip(state.row(), self.DIGITS, strict=True)] for state in states)


def read_states_csv(path: Path) -> list[StateVector]:
    """Read a file written by `StateCsvWriter` (or any CSV with the `STATE_COLUMNS` header)."""

    def num(text: str) -> float | None:
        return float(text) if text else None

    try:
        with path.open(newline="") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as error:
        raise InputError(f"cannot read states file {path}: {error.strerror or error}") from error
    try:
        return [
            StateVector(
                timestamp_s=float(r["timestamp"]),
                icao24=r["icao24"],
                latitude_deg=float(r["latitude"]),
                longitude_deg=float(r["longitude"]),
                callsign=r["callsign"] or None,
                altitude_ft=num(r["altitude"]),
                groundspeed_kt=num(r["groundspeed"]),
                track_deg=num(r["track"]),
                vertical_rate_fpm=num(r["vertical_rate"]),
                squawk=r["squawk"] or None,
                onground=None if not r["onground"] else r["onground"] == "True",
            )
            for r in rows
        ]
    except (KeyError, ValueError) as error:
        raise InputError(f"states file {path} is malformed: {error}") from error
