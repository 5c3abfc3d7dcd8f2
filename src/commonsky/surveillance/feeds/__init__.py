"""Readers for real Mode S / ADS-B feeds and their decoding into state vectors.

Layers, each usable alone:

- `modes`: pure framing and CRC-24 parity of Mode S messages (`check_parity`, `crc24`, `RawFrame`);
- framers, stateful byte-stream splitters (not thread-safe): `BeastFramer` (Beast binary), `AvrFramer` (AVR raw
  hex), `HexCsvFramer` (epoch,hex[,icao] CSV); `SbsReader` reads SBS-1 BaseStation lines straight into
  observations;
- `ModeSDecoder`: parity and address policy, MLAT time (`tick_clock.TickClock`), field decoding -> `Observation`,
  a chunk at a time column-wise (`columnar`);
- `cpr`: pure CPR position decoding (global pair, local reference);
- `StateBuilder`: per-aircraft assembly into `StateVector`s with implausible jumps rejected;
- `source`: `FileSource` and `TcpSource` (reconnects with backoff, reports drops and silences);
- `pipeline`: `FeedPipeline` ties it together, `ingest` runs it, `StateCsvWriter` writes OpenSky-style CSV;
- `fields`: native decoding of the fields a state vector needs, message by message (rs1090 for the rest);
- live receivers: `url` (``beast://``, ``avr://``, ``sbs://`` addresses), `live.LiveFeed` (a reader thread),
  `process.ProcessFeed` (a reader process), `receiver.ReceiverSource` (a plot source of the live picture);
- `replay.ReplayServer` serves a recording as a live feed; `synthetic` makes traffic for load tests.

Every stage counts what it rejects in one shared `FeedCounters`; no input bytes make any stage raise.
"""

from __future__ import annotations

from commonsky.surveillance.feeds.avr import AvrFramer, format_avr_line, parse_avr_line
from commonsky.surveillance.feeds.beast import BeastFramer, encode_beast
from commonsky.surveillance.feeds.counters import FeedCounters
from commonsky.surveillance.feeds.decode import ModeSDecoder
from commonsky.surveillance.feeds.hexcsv import HexCsvFramer, parse_hexcsv_line
from commonsky.surveillance.feeds.modes import Parity, ParityCheck, RawFrame, check_parity, crc24, crc_residual
from commonsky.surveillance.feeds.pipeline import (
    FORMATS,
    FeedOptions,
    FeedPipeline,
    IngestReport,
    StateCsvWriter,
    ingest,
    read_states_csv,
)
from commonsky.surveillance.feeds.records import STATE_COLUMNS, CprFix, Observation, StateVector, states_to_si
from commonsky.surveillance.feeds.sbs import SbsReader, format_sbs, parse_sbs_line
from commonsky.surveillance.feeds.source import (
    Chunk,
    FileSource,
    LinkEvent,
    ReconnectPolicy,
    TcpSource,
    open_source,
)
from commonsky.surveillance.feeds.state import StateBuilder, StateOptions
from commonsky.surveillance.feeds.tick_clock import TickClock

__all__ = [
    "FORMATS",
    "STATE_COLUMNS",
    "AvrFramer",
    "BeastFramer",
    "Chunk",
    "CprFix",
    "FeedCounters",
    "FeedOptions",
    "FeedPipeline",
    "FileSource",
    "HexCsvFramer",
    "IngestReport",
    "LinkEvent",
    "ModeSDecoder",
    "Observation",
    "Parity",
    "ParityCheck",
    "RawFrame",
    "ReconnectPolicy",
    "SbsReader",
    "StateBuilder",
    "StateCsvWriter",
    "StateOptions",
    "StateVector",
    "TcpSource",
    "TickClock",
    "check_parity",
    "crc24",
    "crc_residual",
    "encode_beast",
    "format_avr_line",
    "format_sbs",
    "ingest",
    "open_source",
    "parse_avr_line",
    "parse_hexcsv_line",
    "parse_sbs_line",
    "read_states_csv",
    "states_to_si",
]
