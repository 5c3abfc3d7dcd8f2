"""Recorded state vectors in the OpenSky / ``traffic`` convention, read and cleaned for replay.

Columns: ``timestamp`` (UNIX seconds or ISO 8601 text), ``icao24``, ``callsign`` (optional), ``latitude``,
``longitude`` (degrees), ``altitude`` (ft), ``groundspeed`` (kt), ``track`` (degrees), ``vertical_rate`` (ft/min).
Rows that cannot be used are skipped and counted, never fatal: missing or non-finite fields, positions out of
range, impossible speeds (ground speed above `MAX_GS_KT`, vertical rate above `MAX_VR_FPM`, or a position jump
implying more than `MAX_GS_KT` from both neighbours), and repeated (icao24, timestamp) rows (the first is kept).
Out-of-order rows are sorted back into time order and counted. A missing vertical rate counts as 0 (and is
counted too): OpenSky leaves it empty often.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from commonsky.errors import InputError
from commonsky.picture.picture import EARTH_RADIUS_M
from commonsky.units import FPM_MS, FT_M, KT_MS

REQUIRED = ("timestamp", "icao24", "latitude", "longitude", "altitude", "groundspeed", "track")
MAX_GS_KT = 1000.0
MAX_VR_FPM = 12000.0

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class Tracks:
    """Clean state vectors sorted by time (then icao24), SI units; ``skipped`` counts rows left out by reason."""

    time_s: FloatArray
    icao24: npt.NDArray[np.str_]
    callsign: npt.NDArray[np.str_]
    lat: FloatArray
    lon: FloatArray
    alt_m: FloatArray
    gs_ms: FloatArray
    trk_deg: FloatArray
    vs_ms: FloatArray
    rows_read: int
    skipped: dict[str, int]
    reordered: int
    vertical_rate_missing: int

    def __len__(self) -> int:
        return int(self.time_s.shape[0])


def _read_table(path: Path) -> dict[str, np.ndarray]:
    import pyarrow as pa  # local: pyarrow is heavy
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    try:
        if path.suffix.lower() in (".parquet", ".pq"):
            table = pq.read_table(path)
        else:
            table = pacsv.read_csv(
                path,
                convert_options=pacsv.ConvertOptions(
                    column_types={"icao24": pa.string(), "callsign": pa.string()}, strings_can_be_null=True
                ),
            )
    except (OSError, pa.ArrowInvalid) as error:
        raise InputError(f"{path}: cannot read tracks ({' '.join(str(error).split())[:200]})") from error
    missing = [c for c in REQUIRED if c not in table.column_names]
    if missing:
        raise InputError(f"{path}: missing column(s) {', '.join(missing)} (need {', '.join(REQUIRED)})")
    out: dict[str, np.ndarray] = {}
    for name in table.column_names:
        column = table.column(name)
        if name == "timestamp":
            out[name] = _seconds(column)
        elif name in ("icao24", "callsign"):
            out[name] = np.array([("" if v is None else str(v).strip()) for v in column.to_pylist()], dtype=np.str_)
        else:
            try:
                out[name] = np.asarray(
                    pc.cast(column, pa.float64(), safe=False).to_numpy(zero_copy_only=False), dtype=np.float64
                )
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                out[name] = np.array([_to_float(v) for v in column.to_pylist()], dtype=np.float64)
    return out


def _to_float(value: object) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return float("nan")


def _seconds(column: Any) -> FloatArray:
    """UNIX seconds from a pyarrow column of numbers, timestamps or ISO text; NaN where unreadable."""
    import pyarrow as pa

    kind = column.type
    if pa.types.is_timestamp(kind):
        ns = column.cast(pa.timestamp("ns", tz=kind.tz)).cast(pa.int64())
        values = ns.to_numpy(zero_copy_only=False).astype(np.float64) / 1e9
        nulls = column.is_null().to_numpy(zero_copy_only=False)
        return np.where(nulls, np.nan, values)
    if pa.types.is_integer(kind) or pa.types.is_floating(kind):
        return np.asarray(column.cast(pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64)
    col = column
    out = np.full(len(col), np.nan)
    for k, value in enumerate(col.to_pylist()):
        if value is None:
            continue
        text = str(value).strip()
        try:
            out[k] = float(text)
            continue
        except ValueError:
            pass
        try:
            stamp = np.datetime64(text.replace("Z", "").split("+")[0], "ns")
            out[k] = stamp.astype(np.int64) / 1e9
        except ValueError:
            continue
    return out


def read_tracks(path: Path | str) -> Tracks:
    """Read and clean a CSV or Parquet file of state vectors. Raises `InputError` only if the file itself is
    unusable (unreadable, a required column missing); bad rows are skipped and counted."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    raw = _read_table(path)
    n = raw["timestamp"].shape[0]
    skipped: Counter[str] = Counter()
    keep = np.ones(n, dtype=bool)

    def drop(mask: npt.NDArray[np.bool_], reason: str) -> None:
        new = mask & keep
        if new.any():
            skipped[reason] += int(new.sum())
            keep[new] = False

    numbers = ("timestamp", "latitude", "longitude", "altitude", "groundspeed", "track")
    drop(np.logical_or.reduce([~np.isfinite(raw[c]) for c in numbers]) | (raw["icao24"] == ""), "missing_or_nan")
    drop((np.abs(raw["latitude"]) > 90.0) | (np.abs(raw["longitude"]) > 180.0), "position_out_of_range")
    vr = raw.get("vertical_rate", np.full(n, np.nan))
    vr_missing = ~np.isfinite(vr)
    vr = np.where(vr_missing, 0.0, vr)
    drop((raw["groundspeed"] > MAX_GS_KT) | (raw["groundspeed"] < 0.0) | (np.abs(vr) > MAX_VR_FPM), "impossible_speed")

    time_s = raw["timestamp"]
    idx = np.flatnonzero(keep)
    reordered = int(np.count_nonzero(np.diff(time_s[idx]) < 0)) if idx.shape[0] > 1 else 0
    order = idx[np.lexsort((idx, time_s[idx], raw["icao24"][idx]))]  # by aircraft, then time, then file order
    ac, t = raw["icao24"][order], time_s[order]
    dup = np.zeros(order.shape[0], dtype=bool)
    dup[1:] = (ac[1:] == ac[:-1]) & (t[1:] == t[:-1])
    drop(np.isin(np.arange(n), order[dup]), "duplicate_id_time")
    order = order[~dup]
    jump = _jumps(raw["icao24"][order], time_s[order], raw["latitude"][order], raw["longitude"][order])
    drop(np.isin(np.arange(n), order[jump]), "impossible_speed")
    order = order[~jump]
    order = order[np.lexsort((raw["icao24"][order], time_s[order]))]
    callsign = raw.get("callsign", np.full(n, "", dtype=np.str_))
    return Tracks(
        time_s=time_s[order],
        icao24=raw["icao24"][order],
        callsign=callsign[order],
        lat=raw["latitude"][order],
        lon=raw["longitude"][order],
        alt_m=raw["altitude"][order] * FT_M,
        gs_ms=raw["groundspeed"][order] * KT_MS,
        trk_deg=np.mod(raw["track"][order], 360.0),
        vs_ms=vr[order] * FPM_MS,
        rows_read=n,
        skipped=dict(skipped),
        reordered=reordered,
        vertical_rate_missing=int(np.count_nonzero(vr_missing & keep)),
    )


def _jumps(ac: np.ndarray, t: FloatArray, lat: FloatArray, lon: FloatArray) -> npt.NDArray[np.bool_]:
    """Rows (sorted by aircraft then time) whose position implies > MAX_GS_KT from both neighbours (a spike)."""
    n = ac.shape[0]
    if n < 2:
        return np.zeros(n, dtype=bool)
    same = ac[1:] == ac[:-1]
    phi1, phi2 = np.radians(lat[:-1]), np.radians(lat[1:])
    dlon = np.radians(np.mod(lon[1:] - lon[:-1] + 180.0, 360.0) - 180.0)
    dist = EARTH_RADIUS_M * np.hypot(phi2 - phi1, dlon * np.cos(0.5 * (phi1 + phi2)))
    dt = np.maximum(t[1:] - t[:-1], 1.0)  # at least 1 s: timestamps are rounded to seconds in OpenSky data
    fast = same & (dist / dt > MAX_GS_KT * KT_MS)
    before = np.concatenate([[False], fast])
    after = np.concatenate([fast, [False]])
    has_next = np.concatenate([same, [False]])
    spike: npt.NDArray[np.bool_] = before & (after | ~has_next)
    return spike
