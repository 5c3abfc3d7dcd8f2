"""``hexcsv`` framing: CSV lines of an epoch, a hex message and optionally the aircraft address, any column order.

The pyModeS sample files are of this kind: ``1457996400,"8D406B909945DE10000405999BE4","406B90",19`` (epoch, hex,
icao, typecode) and ``1495353600,4D010D,A00015B7C26E1370AA00005DD34A`` (epoch, icao, hex). The first column is the UTC
epoch in seconds; the message is the first other column of 14 or 28 hex digits; a column of 6 hex digits is the
listed address, against which address/parity replies (DF20/21...) are checked. A header line is skipped.
"""

from __future__ import annotations

import csv
import math

from commonsky.surveillance.feeds.avr import HEX_DIGITS
from commonsky.surveillance.feeds.lines import LineFramer
from commonsky.surveillance.feeds.modes import RawFrame

BOM = "\ufeff"


def parse_hexcsv_line(line: str) -> RawFrame | None:
    """One CSV line as a frame, or None when it holds no epoch and message. Pure; never raises."""
    try:
        if '""' in line:  # an escaped quote: only a CSV reader reads that right (the fields here never need one)
            fields = [field.strip() for field in next(csv.reader([line.lstrip(BOM).lstrip("ï»¿")]))]
        else:
            fields = [field.strip().strip('"').strip() for field in line.lstrip(BOM).lstrip("ï»¿").split(",")]
        epoch_s = float(fields[0])
    except (ValueError, StopIteration, IndexError, csv.Error):
        return None
    if not math.isfinite(epoch_s):
        return None
    message = next((f for f in fields[1:] if len(f) in (14, 28) and HEX_DIGITS.issuperset(f)), None)
    if message is None:
        return None
    icao = next((f.lower() for f in fields[1:] if len(f) == 6 and HEX_DIGITS.issuperset(f)), None)
    return RawFrame(msg=bytes.fromhex(message), timestamp_s=epoch_s, expected_icao24=icao)


class HexCsvFramer(LineFramer):
    """Stateful hexcsv stream decoder: `feed` chunks, get the frames of complete lines. Not thread-safe."""

    def parse_line(self, line: str) -> RawFrame | None:
        return parse_hexcsv_line(line)

    def ignorable(self, line: str) -> bool:
        """A header on the stream's first line is skipped, not counted as garbage."""
        return self._lines_seen == 0 and _is_header(line)


def _is_header(line: str) -> bool:
    first = line.lstrip(BOM).lstrip("ï»¿").split(",")[0].strip().strip('"')
    return first.isidentifier()
