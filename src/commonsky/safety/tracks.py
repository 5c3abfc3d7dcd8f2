"""Recorded reports cleaned for replay and truth: one table of rows in, clean per-aircraft arrays out.

`tracks_from_columns` takes any table of columns (a dict of arrays, a pandas DataFrame, a pyarrow Table) in the
OpenSky / ``traffic`` convention: ``timestamp`` (UNIX s), ``icao24``, ``latitude``, ``longitude`` (degrees),
``altitude`` (ft), and optionally ``groundspeed`` (kt), ``track`` (degrees), ``vertical_rate`` (ft/min),
``onground``, ``callsign``. OpenSky's raw state-vector names and SI units are read too: ``time``, ``lat``,
``lon``, ``baroaltitude`` (m), ``velocity`` (m/s), ``heading``, ``vertrate`` (m/s).

Hygiene, every skipped row counted by `SkipReason`:
- rows without time, id or position, or with a position out of range, are skipped; airborne rows without an
  altitude too (on-ground rows may lack one: they are kept, marked on the ground);
- altitudes outside [`MIN_ALT_FT`, `MAX_ALT_FT`] and one-row altitude spikes (steps in and out faster than
  `MAX_VR_FPM`) are skipped, and so are one-row position spikes (faster than `MAX_GS_KT` in and out);
- repeated (icao24, time) rows keep the first; airborne rows repeating the previous position exactly are a
  forward-filled position, not a report, and are skipped;
- groundspeed and track are derived from positions where missing, impossible or forward-filled (unchanged for
  more than `STALE_S` while the positions disagree with it); the vertical rate likewise from altitudes. A
  reported track that contradicts the positions on most of the aircraft's recent rows (`WRONG_TRK_DEG`,
  `WRONG_SHARE`) is replaced by theirs (a broken track source; the groundspeed is kept).
  ``vs_filt_ms`` is the altitude slope over the last 20 s (`commonsky.safety.kinematics.filtered_vertical_rate`),
  what level-flight detection and the vertical prediction read.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt

from commonsky._typing import BoolArray, FloatArray
from commonsky.safety import kinematics as kin
from commonsky.units import FPM_MS, FT_M, KT_MS

MAX_GS_KT = 1000.0
MAX_VR_FPM = 12000.0
MIN_ALT_FT = -2000.0
MAX_ALT_FT = 80000.0
STALE_S = 15.0
# A value unchanged for more than STALE_S is forward-filled when the positions (or altitudes) disagree with it by
# more than this.
DISAGREE_GS_KT = 30.0
DISAGREE_TRK_DEG = 15.0
DISAGREE_VR_FPM = 500.0
# A reported track that contradicts the positions: off by more than WRONG_TRK_DEG (a standard-rate turn makes
# the 5 s chord lag the track by 7.5 deg) on at least WRONG_SHARE of the aircraft's rows of the last
# WRONG_WINDOW_S (WRONG_MIN_ROWS of them at least) whose positions give a direction (moving at least
# DIRECTION_GS_KT, the previous report at most DIRECTION_MAX_DT_S older: a longer chord cuts the turns of an
# aircraft reporting sparsely): the source's track is broken (some recorded samples carry a track column off by
# 100 deg on most rows, as do 4 aircraft of the switzerland sample), and the positions' track replaces it.
WRONG_TRK_DEG = 45.0
WRONG_SHARE = 0.5
WRONG_WINDOW_S = 60.0
WRONG_MIN_ROWS = 3
DIRECTION_GS_KT = 50.0
DIRECTION_MAX_DT_S = 15.0
REQUIRED = ("timestamp", "icao24", "latitude", "longitude", "altitude")
# OpenSky's raw state-vector columns: name -> (our name, factor to our file units).
OPENSKY = {
    "time": ("timestamp", 1.0),
    "lat": ("latitude", 1.0),
    "lon": ("longitude", 1.0),
    "baroaltitude": ("altitude", 1.0 / FT_M),
    "velocity": ("groundspeed", 1.0 / KT_MS),
    "heading": ("track", 1.0),
    "vertrate": ("vertical_rate", 1.0 / FPM_MS),
}


class SkipReason(StrEnum):
    """Why a row was left out."""

    MISSING_POSITION = "missing_position"
    MISSING_ALTITUDE = "missing_altitude"
    POSITION_OUT_OF_RANGE = "position_out_of_range"
    ALTITUDE_OUT_OF_RANGE = "altitude_out_of_range"
    DUPLICATE_ID_TIME = "duplicate_id_time"
    REPEATED_POSITION = "repeated_position"
    POSITION_SPIKE = "position_spike"
    ALTITUDE_SPIKE = "altitude_spike"


class Derived(StrEnum):
    """Which reported values were replaced by values derived from positions or altitudes."""

    GROUNDSPEED_TRACK = "groundspeed_track"
    TRACK = "track"
    VERTICAL_RATE = "vertical_rate"


@dataclass(frozen=True, eq=False)
class RecordedTracks:
    """Clean recorded reports sorted by time (then icao24), SI units (the tracker's live state is
    `commonsky.surveillance.tracking.tracks.LiveTracks`).

    ``vs_ms`` reported vertical rate where usable, else derived; ``vs_filt_ms`` the filtered (20 s) altitude
    slope; ``on_ground`` the reported flag; ``skipped`` counts rows left out by `SkipReason` value, ``derived``
    rows whose values were derived, by `Derived` value.
    """

    time_s: FloatArray
    icao24: npt.NDArray[np.str_]
    callsign: npt.NDArray[np.str_]
    lat_deg: FloatArray
    lon_deg: FloatArray
    alt_m: FloatArray
    gs_ms: FloatArray
    trk_deg: FloatArray
    vs_ms: FloatArray
    vs_filt_ms: FloatArray
    on_ground: BoolArray
    rows_read: int
    skipped: dict[str, int]
    derived: dict[str, int]
    reordered: int

    def __len__(self) -> int:
        return int(self.time_s.shape[0])

    @cached_property
    def aircraft(self) -> tuple[npt.NDArray[np.str_], npt.NDArray[np.int64]]:
        """(sorted unique ids, each row's index into them), computed once."""
        names, code = np.unique(self.icao24, return_inverse=True)
        return names, code.astype(np.int64)


def _column_names(table: Any) -> list[str]:
    if hasattr(table, "column_names"):  # pyarrow
        return list(table.column_names)
    if hasattr(table, "columns"):  # pandas
        return [str(c) for c in table.columns]
    return list(table.keys())


def _column(table: Any, name: str) -> np.ndarray:
    value = table[name]
    if hasattr(value, "to_numpy"):
        value = value.to_numpy()
    return np.asarray(value)


def _floats(values: np.ndarray) -> FloatArray:
    try:
        return np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        out = np.full(values.shape[0], np.nan)
        for k, v in enumerate(values.tolist()):
            try:
                out[k] = float(v)
            except (TypeError, ValueError):
                continue
        return out


def _seconds(values: np.ndarray) -> FloatArray:
    if np.issubdtype(values.dtype, np.datetime64):
        ns = values.astype("datetime64[ns]")
        return np.where(np.isnat(ns), np.nan, ns.astype(np.int64) / 1e9)
    if values.dtype.kind in "OUS":
        return np.array([_one_second(v) for v in values.tolist()], dtype=np.float64)
    return _floats(values)


def _one_second(value: object) -> float:
    """UNIX seconds from a number, a datetime or ISO 8601 text; NaN if none of these."""
    if value is None:
        return np.nan
    if hasattr(value, "timestamp"):
        return float(value.timestamp())
    text = str(value).strip()
    try:
        return float(text)
    except ValueError:
        pass
    try:
        return float(np.datetime64(text.replace("Z", "").split("+")[0], "ns").astype(np.int64) / 1e9)
    except ValueError:
        return np.nan


def _strings(values: np.ndarray) -> npt.NDArray[np.str_]:
    return np.array([("" if v is None or v != v else str(v).strip()) for v in values.tolist()], dtype=np.str_)


def normalise(table: Any) -> dict[str, np.ndarray]:
    """The columns of ``table`` under our names and file units (raw OpenSky names converted)."""
    names = _column_names(table)
    out: dict[str, np.ndarray] = {}
    for name in names:
        target, factor = OPENSKY.get(name, (name, 1.0))
        if target in out and name != target:
            continue
        if target in ("icao24", "callsign"):
            out[target] = _strings(_column(table, name))
        elif target == "timestamp":
            out[target] = _seconds(_column(table, name))
        elif target == "onground":
            raw = _column(table, name)
            out[target] = np.array([bool(v) and v == v and str(v).lower() != "false" for v in raw.tolist()])
        elif target in ("latitude", "longitude", "altitude", "groundspeed", "track", "vertical_rate"):
            out[target] = _floats(_column(table, name)) * factor
    return out


def missing_columns(table: Any) -> list[str]:
    """Required columns (under either naming) that ``table`` lacks."""
    present = {OPENSKY.get(n, (n, 1.0))[0] for n in _column_names(table)}
    return [c for c in REQUIRED if c not in present]


def tracks_from_columns(table: Mapping[str, Any] | Any) -> RecordedTracks:
    """Clean reports from a table of columns (see the module docstring). Never raises on bad rows: they are
    skipped and counted; a table with no usable row gives empty `RecordedTracks`."""
    raw = normalise(table)
    n = raw["timestamp"].shape[0] if "timestamp" in raw else 0
    nan = np.full(n, np.nan)
    t = raw.get("timestamp", nan)
    ids = raw.get("icao24", np.full(n, "", dtype=np.str_))
    lat, lon = raw.get("latitude", nan), raw.get("longitude", nan)
    alt_ft = raw.get("altitude", nan)
    ground = raw.get("onground", np.zeros(n, dtype=bool))
    skipped: Counter[str] = Counter()
    keep = np.ones(n, dtype=bool)

    def drop(mask: BoolArray, reason: SkipReason) -> None:
        new = mask & keep
        if new.any():
            skipped[reason.value] += int(new.sum())
            keep[new] = False

    drop(~np.isfinite(t) | ~np.isfinite(lat) | ~np.isfinite(lon) | (ids == ""), SkipReason.MISSING_POSITION)
    drop((np.abs(lat) > 90.0) | (np.abs(lon) > 180.0), SkipReason.POSITION_OUT_OF_RANGE)
    drop(~np.isfinite(alt_ft) & ~ground, SkipReason.MISSING_ALTITUDE)
    drop((alt_ft < MIN_ALT_FT) | (alt_ft > MAX_ALT_FT), SkipReason.ALTITUDE_OUT_OF_RANGE)

    idx = np.flatnonzero(keep)
    reordered = int(np.count_nonzero(np.diff(t[idx]) < 0)) if idx.shape[0] > 1 else 0
    names, codes = np.unique(ids, return_inverse=True)
    codes = codes.astype(np.int64)
    order = idx[np.lexsort((idx, t[idx], codes[idx]))]  # by aircraft, then time, then file order

    def drop_sorted(mask: BoolArray, reason: SkipReason) -> None:
        nonlocal order
        drop(np.isin(np.arange(n), order[mask]), reason)
        order = order[~mask]

    c, tt = codes[order], t[order]
    dup = np.zeros(order.shape[0], dtype=bool)
    dup[1:] = (c[1:] == c[:-1]) & (tt[1:] == tt[:-1])
    drop_sorted(dup, SkipReason.DUPLICATE_ID_TIME)
    c = codes[order]
    drop_sorted(kin.repeated(c, lat[order], lon[order]) & ~ground[order], SkipReason.REPEATED_POSITION)
    c, tt = codes[order], t[order]
    steps = kin.position_steps_m(lat[order], lon[order]) if order.shape[0] > 1 else np.zeros(0)
    drop_sorted(kin.spikes(c, tt, steps, MAX_GS_KT * KT_MS), SkipReason.POSITION_SPIKE)
    c, tt, a = codes[order], t[order], alt_ft[order]
    alt_steps = np.nan_to_num(np.abs(np.diff(a)), nan=0.0) if order.shape[0] > 1 else np.zeros(0)
    drop_sorted(kin.spikes(c, tt, alt_steps, MAX_VR_FPM / 60.0), SkipReason.ALTITUDE_SPIKE)

    c, tt = codes[order], t[order]
    la, lo, alt_m, gr = lat[order], lon[order], alt_ft[order] * FT_M, ground[order]
    gs = raw.get("groundspeed", nan)[order] * KT_MS
    trk = raw.get("track", nan)[order]
    vr = raw.get("vertical_rate", nan)[order] * FPM_MS
    d_gs, d_trk = kin.velocity_from_positions(c, tt, la, lo)
    vs_filt = kin.filtered_vertical_rate(c, tt, alt_m)
    turn = np.abs(np.mod(trk - d_trk + 180.0, 360.0) - 180.0)
    disagree = (np.abs(gs - d_gs) > DISAGREE_GS_KT * KT_MS) | (turn > DISAGREE_TRK_DEG)
    stale_v = (kin.stale_since_change(c, tt, kin.repeated(c, gs, trk)) > STALE_S) & disagree
    bad_v = ~np.isfinite(gs) | ~np.isfinite(trk) | (gs < 0.0) | (gs > MAX_GS_KT * KT_MS) | stale_v
    use_d = bad_v & np.isfinite(d_gs)
    gs = np.where(use_d, d_gs, gs)
    trk = np.where(use_d, d_trk, trk)
    prev_dt = np.full(tt.shape[0], np.inf)
    if tt.shape[0] > 1:
        prev_dt[1:] = np.where(c[1:] == c[:-1], tt[1:] - tt[:-1], np.inf)
    judged = ~use_d & np.isfinite(turn) & (d_gs >= DIRECTION_GS_KT * KT_MS) & (prev_dt <= DIRECTION_MAX_DT_S) & ~gr
    share = kin.recent_share(c, tt, turn > WRONG_TRK_DEG, judged, WRONG_WINDOW_S, WRONG_MIN_ROWS)
    wrong = share >= WRONG_SHARE
    use_dtrk = wrong & ~use_d & np.isfinite(d_trk)
    trk = np.where(use_dtrk, d_trk, trk)
    stale_vr = kin.stale_since_change(c, tt, kin.repeated(c, vr)) > STALE_S
    stale_vr &= np.abs(vr - vs_filt) > DISAGREE_VR_FPM * FPM_MS
    bad_vr = ~np.isfinite(vr) | (np.abs(vr) > MAX_VR_FPM * FPM_MS) | stale_vr
    use_dvr = bad_vr & np.isfinite(vs_filt)
    vr = np.where(use_dvr, vs_filt, vr)
    # Nothing derivable (a lone report): stands still, level.
    gs, trk, vr = np.nan_to_num(gs, nan=0.0), np.mod(np.nan_to_num(trk, nan=0.0), 360.0), np.nan_to_num(vr, nan=0.0)
    vs_filt = np.where(np.isfinite(vs_filt), vs_filt, vr)

    by_time = np.lexsort((c, tt))
    callsign = raw.get("callsign", np.full(n, "", dtype=np.str_))
    derived = {
        Derived.GROUNDSPEED_TRACK.value: int(use_d.sum()),
        Derived.TRACK.value: int(use_dtrk.sum()),
        Derived.VERTICAL_RATE.value: int(use_dvr.sum()),
    }
    return RecordedTracks(
        time_s=tt[by_time],
        icao24=names[c][by_time],
        callsign=callsign[order][by_time],
        lat_deg=la[by_time],
        lon_deg=lo[by_time],
        alt_m=alt_m[by_time],
        gs_ms=gs[by_time],
        trk_deg=trk[by_time],
        vs_ms=vr[by_time],
        vs_filt_ms=vs_filt[by_time],
        on_ground=gr[by_time],
        rows_read=n,
        skipped=dict(skipped),
        derived={k: v for k, v in derived.items() if v},
        reordered=reordered,
    )
