"""`Picture`: the state of N aircraft at one instant, as immutable numpy column arrays.

Units are SI in the names: positions in degrees WGS84 (``lat_deg``/``lon_deg``, as in the states CSV), altitude
in metres, speeds in m/s, track in degrees true (0 = north, clockwise). Every operation returns a new Picture; the
arrays are made read-only so a Picture can be shared between threads and safety nets without copies.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import numpy.typing as npt

from commonsky._typing import FloatArray, StrArray
from commonsky.earth import BLUESKY_EARTH_RADIUS_M
from commonsky.errors import InputError

REFERENCE_COLUMNS = ("id", "lat_deg", "lon_deg", "alt_m", "gs_ms", "trk_deg", "vs_ms")
"""Columns a states CSV must have (``vn_ms``/``ve_ms``, ``party``, ``intent`` are optional)."""
_STATES = ("lat_deg", "lon_deg", "alt_m", "gs_ms", "trk_deg", "vs_ms", "party", "intent", "time_s")
"""What `Picture.with_states` may replace."""


def _floats(values: npt.ArrayLike, name: str, n: int | None) -> FloatArray:
    array = np.array(values, dtype=np.float64, copy=True).reshape(-1)
    if n is not None and array.shape[0] != n:
        raise InputError(f"picture column {name!r} has {array.shape[0]} values, expected {n}")
    array.flags.writeable = False
    return array


def _strings(values: npt.ArrayLike | None, name: str, n: int, default: str) -> StrArray:
    if values is None:
        array = np.full(n, default, dtype=np.str_)
    else:
        array = np.array(values, dtype=np.str_, copy=True).reshape(-1)
    if array.shape[0] != n:
        raise InputError(f"picture column {name!r} has {array.shape[0]} values, expected {n}")
    array.flags.writeable = False
    return array


def _wrap_lon(lon: FloatArray) -> FloatArray:
    """Longitudes into [-180, 180); values already there are kept bit for bit."""
    inside = (lon >= -180.0) & (lon < 180.0)
    return np.where(inside, lon, np.mod(lon + 180.0, 360.0) - 180.0)


@dataclass(frozen=True, eq=False)
class Picture:
    """The current state of N aircraft, one read-only numpy array per column (all of length N).

    - ``id``: unique aircraft identifier (str)
    - ``lat_deg``, ``lon_deg``: WGS84 degrees; ``alt_m``: altitude in metres (pressure or geometric, see safety docs)
    - ``gs_ms``: ground speed m/s; ``trk_deg``: track over ground, degrees true; ``vs_ms``: vertical speed m/s
    - ``party``: who operates the aircraft (str, "" when unknown); ``intent``: id of its accepted 4D intent or ""
    - ``vn_ms``, ``ve_ms``: north and east ground velocity, derived from gs and track
    - ``time_s``: time of validity of the states (seconds, any epoch; 0 when not known)

    Build with `Picture.from_arrays` or `read_states_csv`; never mutate, use `advance` / `with_states`.
    """

    id: StrArray
    lat_deg: FloatArray
    lon_deg: FloatArray
    alt_m: FloatArray
    gs_ms: FloatArray
    trk_deg: FloatArray
    vs_ms: FloatArray
    party: StrArray
    intent: StrArray
    time_s: float = 0.0
    vn_ms: FloatArray = field(init=False)
    ve_ms: FloatArray = field(init=False)

    def __post_init__(self) -> None:
        trk = np.radians(self.trk_deg)
        object.__setattr__(self, "vn_ms", _floats(self.gs_ms * np.cos(trk), "vn_ms", None))
        object.__setattr__(self, "ve_ms", _floats(self.gs_ms * np.sin(trk), "ve_ms", None))

    @classmethod
    def from_arrays(
        cls,
        id: npt.ArrayLike,
        lat_deg: npt.ArrayLike,
        lon_deg: npt.ArrayLike,
        alt_m: npt.ArrayLike,
        gs_ms: npt.ArrayLike,
        trk_deg: npt.ArrayLike,
        vs_ms: npt.ArrayLike,
        party: npt.ArrayLike | None = None,
        intent: npt.ArrayLike | None = None,
        time_s: float = 0.0,
    ) -> Picture:
        """Copy the given columns into a checked, read-only Picture.

        Raises `InputError` if lengths differ, ids repeat, or a value is not finite / out of range
        (|lat| > 90, gs < 0).
        """
        ids = np.array(id, dtype=np.str_, copy=True).reshape(-1)
        n = ids.shape[0]
        ids.flags.writeable = False
        picture = cls(
            id=ids,
            lat_deg=_floats(lat_deg, "lat_deg", n),
            lon_deg=_floats(_wrap_lon(np.asarray(lon_deg, dtype=np.float64)), "lon_deg", n),
            alt_m=_floats(alt_m, "alt_m", n),
            gs_ms=_floats(gs_ms, "gs_ms", n),
            trk_deg=_floats(np.mod(np.asarray(trk_deg, dtype=np.float64), 360.0), "trk_deg", n),
            vs_ms=_floats(vs_ms, "vs_ms", n),
            party=_strings(party, "party", n, ""),
            intent=_strings(intent, "intent", n, ""),
            time_s=float(time_s),
        )
        picture._check()
        return picture

    def _check(self) -> None:
        for name in ("lat_deg", "lon_deg", "alt_m", "gs_ms", "trk_deg", "vs_ms"):
            column: FloatArray = getattr(self, name)
            bad = ~np.isfinite(column)
            if bad.any():
                raise InputError(f"picture column {name!r}: aircraft {str(self.id[bad][0])!r} has a non-finite value")
        polar = np.abs(self.lat_deg) > 90.0
        if polar.any():
            raise InputError(f"picture: aircraft {str(self.id[polar][0])!r} has |lat| > 90 degrees")
        if (self.gs_ms < 0.0).any():
            raise InputError(f"picture: aircraft {str(self.id[self.gs_ms < 0.0][0])!r} has a negative ground speed")
        unique, counts = np.unique(self.id, return_counts=True)
        if (counts > 1).any():
            raise InputError(f"picture: aircraft id {str(unique[counts > 1][0])!r} appears more than once")

    def __len__(self) -> int:
        return int(self.id.shape[0])

    def advance(self, dt_s: float) -> Picture:
        """Dead-reckon every aircraft ``dt_s`` seconds along its track (flat earth per step, 6371 km sphere).

        Meant for small steps (a few seconds): longitude is wrapped into [-180, 180); an aircraft crossing a pole
        keeps its latitude clipped at +/-90 (use short steps near the poles).
        """
        lat_rad = np.radians(self.lat_deg)
        dlat = np.degrees(self.vn_ms * dt_s / BLUESKY_EARTH_RADIUS_M)
        coslat = np.maximum(np.cos(lat_rad), 1e-9)
        dlon = np.degrees(self.ve_ms * dt_s / (BLUESKY_EARTH_RADIUS_M * coslat))
        return self.with_states(
            lat_deg=np.clip(self.lat_deg + dlat, -90.0, 90.0),
            lon_deg=self.lon_deg + dlon,
            alt_m=self.alt_m + self.vs_ms * dt_s,
            time_s=self.time_s + dt_s,
        )

    def with_states(self, **columns: npt.ArrayLike | float) -> Picture:
        """A new Picture with some columns replaced (same aircraft, same order); re-checked."""
        unknown = set(columns) - set(_STATES)
        if unknown:
            raise InputError(f"picture: cannot replace column(s) {sorted(unknown)}")
        current = {name: getattr(self, name) for name in _STATES}
        current.update(columns)
        return Picture.from_arrays(id=self.id, **current)

    def select(self, index: npt.ArrayLike) -> Picture:
        """The aircraft at ``index`` (integer positions or a boolean mask), in that order."""
        idx = np.asarray(index)
        return replace(
            self,
            id=self.id[idx],
            lat_deg=self.lat_deg[idx],
            lon_deg=self.lon_deg[idx],
            alt_m=self.alt_m[idx],
            gs_ms=self.gs_ms[idx],
            trk_deg=self.trk_deg[idx],
            vs_ms=self.vs_ms[idx],
            party=self.party[idx],
            intent=self.intent[idx],
        )

    def index_of(self, ids: Sequence[str]) -> npt.NDArray[np.intp]:
        """Positions of the given ids; raises `InputError` naming the first unknown id."""
        wanted = np.asarray(ids, dtype=np.str_)
        if len(self) == 0:
            if wanted.shape[0]:
                raise InputError(f"picture: unknown aircraft id {str(wanted[0])!r}")
            return np.zeros(0, dtype=np.intp)
        order = np.argsort(self.id)
        pos = np.clip(np.searchsorted(self.id[order], wanted), 0, len(self) - 1)
        found = self.id[order][pos] == wanted
        if not found.all():
            raise InputError(f"picture: unknown aircraft id {str(wanted[~found][0])!r}")
        return np.asarray(order[pos], dtype=np.intp)


def read_states_csv(path: Path | str) -> Picture:
    """Read a states CSV with the reference columns ``id, lat_deg, lon_deg, alt_m, gs_ms, trk_deg, vs_ms``.

    Optional columns ``party`` and ``intent`` are kept; ``vn_ms``/``ve_ms`` are ignored (they are derived from
    gs and track). Raises `InputError` with one line naming the file and the problem (unreadable file, missing
    columns, a value that is not a number, duplicate ids).
    """
    where = str(path)
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            header = reader.fieldnames or []
            missing = [c for c in REFERENCE_COLUMNS if c not in header]
            if missing:
                raise InputError(
                    f"{where}: missing column(s) {', '.join(missing)} (need {', '.join(REFERENCE_COLUMNS)})"
                )
            rows = list(reader)
    except OSError as error:
        raise InputError(f"{where}: cannot read file ({error.strerror or error})") from error
    except (UnicodeDecodeError, csv.Error) as error:
        raise InputError(f"{where}: not a readable CSV file ({error})") from error
    columns: dict[str, list[float]] = {c: [] for c in REFERENCE_COLUMNS[1:]}
    for line, row in enumerate(rows, start=2):
        for name in REFERENCE_COLUMNS[1:]:
            try:
                columns[name].append(float(row[name]))
            except (TypeError, ValueError):
                raise InputError(f"{where}:{line}: column {name!r} is not a number: {row[name]!r}") from None
    try:
        return Picture.from_arrays(
            id=[row["id"] for row in rows],
            lat_deg=columns["lat_deg"],
            lon_deg=columns["lon_deg"],
            alt_m=columns["alt_m"],
            gs_ms=columns["gs_ms"],
            trk_deg=columns["trk_deg"],
            vs_ms=columns["vs_ms"],
            party=[row.get("party") or "" for row in rows] if "party" in header else None,
            intent=[row.get("intent") or "" for row in rows] if "intent" in header else None,
        )
    except InputError as error:
        raise InputError(f"{where}: {error}") from error
