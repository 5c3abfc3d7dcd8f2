"""The tally a feed pipeline keeps: what was read, what was rejected and why, and what the link did."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(slots=True)
class FeedCounters:
    """Counts shared by the stages of one feed pipeline (framer, decoder, state builder, source).

    Mutable on purpose: one instance belongs to one pipeline, which is not thread-safe. Take `snapshot()` to hand
    the figures on.
    """

    bytes_read: int = 0
    frames: int = 0  # frames or lines that parsed as a message (Mode S, Mode A/C, SBS)
    mode_ac: int = 0  # Mode A/C frames (counted, not decoded)
    heartbeats: int = 0  # keep-alive frames or lines of an idle link (Beast all-zero '1' frame, AVR *0000;)
    receiver_frames: int = 0  # Beast receiver-id prefixes, status and receiver-position frames
    garbage_bytes: int = 0  # bytes skipped while resynchronising a binary stream
    garbage_lines: int = 0  # text lines that are not a message of the format
    crc_failures: int = 0  # wrong length, bad parity, or an address that contradicts the listed one
    unverified: int = 0  # address/parity replies from an address never seen in a verified frame (dropped)
    unsupported: int = 0  # frames of downlink formats not decoded here
    decoded: int = 0  # messages that passed the checks and were decoded into fields
    undecoded: int = 0  # messages that passed the checks but that the field decoder rejected
    skipped: int = 0  # messages a live picture does not need, not decoded (`FeedOptions.picture_only`)
    positions: int = 0  # accepted position fixes
    position_jumps: int = 0  # position fixes rejected as implausible (speed above the limit between fixes)
    altitude_spikes: int = 0  # altitudes rejected: a step from the previous one faster than the vertical-rate limit
    altitude_out_of_range: int = 0  # altitudes rejected: outside the plausible range
    derived_velocity: int = 0  # state vectors whose groundspeed and track came from positions (missing or stale)
    derived_vertical_rate: int = 0  # state vectors whose vertical rate came from altitudes (missing or stale)
    cpr_unresolved: int = 0  # CPR frames that could not be decoded yet (no pair, no reference, zone straddle)
    states: int = 0  # state vectors emitted
    connections: int = 0  # successful (re)connections of a network source
    reconnects: int = 0  # connections after the first one
    drops: int = 0  # connections lost (closed by peer, reset, or silent beyond the idle timeout)
    silences: int = 0  # drops due to the feed falling silent
    connect_failures: int = 0  # connection attempts that failed

    def rejected(self) -> dict[str, int]:
        """Reports rejected by the state builder's hygiene, by reason (the status line shows the non-zero ones)."""
        return rejected_reports(self.snapshot())

    def snapshot(self) -> dict[str, int]:
        """A copy of the counts as a plain dict (stable keys, in declaration order)."""
        return asdict(self)


REJECTED = ("position_jumps", "altitude_spikes", "altitude_out_of_range")
"""The counters of reports rejected by the state builder's hygiene (`commonsky.surveillance.feeds.state`)."""


def rejected_reports(counts: dict[str, int]) -> dict[str, int]:
    """The non-zero rejection counts of a counters snapshot, by reason."""
    return {k: counts[k] for k in REJECTED if counts.get(k, 0)}
