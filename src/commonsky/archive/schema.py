"""The two archive schemas `commonsky analyze` reads, told apart by their columns, and units converted at the edge.

- ``OPENSKY``: the OpenSky Network's ``state_vectors_data4`` table (Impala/Trino export): ``time`` (UNIX s),
  ``icao24``, ``lat``, ``lon`` (degrees), ``velocity`` (m/s), ``heading`` (degrees), ``vertrate`` (m/s),
  ``callsign``, ``onground``, ``baroaltitude`` (m), ``geoaltitude``, ``lastposupdate``, ``lastcontact``, ``hour``.
- ``TRAFFIC``: the columns `commonsky replay` reads (traffic / OpenSky REST API): ``timestamp`` (UNIX s or a
  timestamp), ``icao24``, ``latitude``, ``longitude`` (degrees), ``altitude`` (ft), ``groundspeed`` (kt),
  ``track`` (degrees), ``vertical_rate`` (ft/min), optional ``callsign``.

Inside, every frame has the columns of `REPORT_COLUMNS` in SI units (`normalise`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

import numpy as np

from commonsky.errors import InputError
from commonsky.units import FPM_MS, FT_M, KT_MS

if TYPE_CHECKING:
    import pandas as pd

REPORT_COLUMNS = ("time_s", "icao24", "lat", "lon", "alt_m", "on_ground")
"""Normalised report columns: UNIX seconds, the 24-bit address as an integer (-1 where it is not 6 hex digits),
degrees, metres, bool. Speeds are not read: losses and infringements come from positions only."""


class ArchiveSchema(StrEnum):
    OPENSKY = "opensky_state_vectors_data4"
    TRAFFIC = "traffic"


@dataclass(frozen=True)
class SchemaSpec:
    """Where each normalised column comes from, and the factor that turns it into SI."""

    schema: ArchiveSchema
    time: str
    columns: dict[str, tuple[str, float]]  # normalised name -> (source column, factor to SI)
    required: tuple[str, ...]
    optional: tuple[str, ...]


SPECS = {
    ArchiveSchema.OPENSKY: SchemaSpec(
        ArchiveSchema.OPENSKY,
        time="time",
        columns={
            "lat": ("lat", 1.0),
            "lon": ("lon", 1.0),
            "alt_m": ("baroaltitude", 1.0),
            "gs_ms": ("velocity", 1.0),
            "trk_deg": ("heading", 1.0),
            "vs_ms": ("vertrate", 1.0),
        },
        required=("time", "icao24", "lat", "lon", "velocity", "heading", "baroaltitude"),
        optional=("vertrate", "callsign", "onground"),
    ),
    ArchiveSchema.TRAFFIC: SchemaSpec(
        ArchiveSchema.TRAFFIC,
        time="timestamp",
        columns={
            "lat": ("latitude", 1.0),
            "lon": ("longitude", 1.0),
            "alt_m": ("altitude", FT_M),
            "gs_ms": ("groundspeed", KT_MS),
            "trk_deg": ("track", 1.0),
            "vs_ms": ("vertical_rate", FPM_MS),
        },
        required=("timestamp", "icao24", "latitude", "longitude", "altitude", "groundspeed", "track"),
        optional=("vertical_rate", "callsign", "onground"),
    ),
}


def detect_schema(columns: list[str], where: str) -> SchemaSpec:
    """The schema whose required columns are all present (OpenSky's first); `InputError` naming what is missing."""
    present = set(columns)
    for spec in SPECS.values():
        if all(c in present for c in spec.required):
            return spec
    near = max(SPECS.values(), key=lambda s: sum(c in present for c in s.required))
    missing = [c for c in near.required if c not in present]
    raise InputError(
        f"{where}: unknown schema (columns {', '.join(columns[:12]) or 'none'}); closest is {near.schema.value}, "
        f"missing {', '.join(missing)}"
    )


def source_columns(spec: SchemaSpec, available: list[str]) -> list[str]:
    """The source columns `normalise` reads: time, id, position, altitude, and ``onground`` when present."""
    wanted = [spec.time, "icao24", *(spec.columns[c][0] for c in ("lat", "lon", "alt_m"))]
    return wanted + ["onground"] * ("onground" in available)


def normalise(frame: pd.DataFrame, spec: SchemaSpec) -> pd.DataFrame:
    """A frame with `REPORT_COLUMNS` in SI units from one in ``spec``'s schema (rows kept as they are).

    ``on_ground`` is false where the schema has no ``onground``."""
    import pandas as pd

    n = len(frame)
    out: dict[str, object] = {"time_s": _seconds(frame[spec.time]), "icao24": addresses(frame["icao24"])}
    for name in ("lat", "lon", "alt_m"):
        source, factor = spec.columns[name]
        values = pd.to_numeric(frame[source], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        out[name] = values * factor if factor != 1.0 else values
    if "onground" in frame.columns:
        out["on_ground"] = frame["onground"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    else:
        out["on_ground"] = np.zeros(n, dtype=bool)
    return pd.DataFrame(out, index=pd.RangeIndex(n))


def addresses(column: pd.Series) -> np.ndarray:
    """24-bit ICAO addresses as integers from hex text (any case, padded or not); -1 where unreadable."""
    import pandas as pd

    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    out: np.ndarray = address_values(list(uniques))[codes]  # the sentinel -1 picks the trailing -1
    return out


def address_values(texts: list[object]) -> np.ndarray:
    """The addresses of distinct ``texts`` (as `addresses` reads them), and a trailing -1 for missing values."""
    return np.array([_hex(u) for u in texts] + [-1], dtype=np.int64)


def _hex(value: object) -> int:
    text = str(value).strip()
    if len(text) != 6:
        return -1
    try:
        return int(text, 16)
    except ValueError:
        return -1


def hex_ids(values: np.ndarray) -> np.ndarray:
    """Integers back to the 6-digit lowercase text of OpenSky's ``icao24``."""
    return np.array([f"{int(v):06x}" for v in values], dtype=object)


def _seconds(column: pd.Series) -> np.ndarray:
    """UNIX seconds (float) from numbers, timestamps or ISO text; NaN where unreadable."""
    import pandas as pd

    if pd.api.types.is_numeric_dtype(column.dtype):
        return np.asarray(column.to_numpy(dtype=np.float64, na_value=np.nan), dtype=np.float64)
    stamps = pd.to_datetime(column, utc=True, errors="coerce", format="mixed")
    seconds = (stamps - pd.Timestamp(0, tz="UTC")).dt.total_seconds()
    return np.asarray(seconds.to_numpy(dtype=np.float64, na_value=np.nan), dtype=np.float64)
