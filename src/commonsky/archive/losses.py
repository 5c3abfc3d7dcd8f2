"""Losses of separation from grid samples, as episode fragments that merge into the same episodes whatever the
partitioning.

A pair (a, b) is in loss at grid time t exactly as in `commonsky.safety.losses`, whose search
(`commonsky.safety.loss_search.close_samples`) finds the candidates: both have a position at t, their
great-circle distance is below the radius and their altitude difference below the half-height (strictly, with
`BOUNDARY_TOL_M`). An *episode* is a maximal run of consecutive grid
times in loss; a pair is named with the smaller icao24 first (``icao24_a``). A partition reports only the
samples it *owns* (``owned``, chosen by the caller: the pair's first aircraft's sample in its tile and hour),
grouped into fragments; `merge_losses` joins fragments of one pair that touch, which gives exactly the episodes
of the whole data at once.

Each episode gets the `LossKind` of `commonsky.safety.height_keeping`, as the replay's truth does: a fragment
carries, per aircraft, the IFR level held over its grid times and the `LEVEL_WINDOW_S` before them (NaN where
none) and whether both aircraft were level (`held_levels`, computed in the owning partition, whose time halo
covers the look-back: `commonsky.archive.partition`); the merge composes them over the episode's fragments.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from commonsky._typing import BoolArray, FloatArray
from commonsky.archive.reports import Prepared, wrap_deg
from commonsky.archive.schema import hex_ids
from commonsky.safety.cpa import BOUNDARY_TOL_M
from commonsky.safety.height_keeping import LossKind, held_levels
from commonsky.safety.loss_search import close_samples

if TYPE_CHECKING:
    import pandas as pd

Columns = dict[str, npt.NDArray[np.generic]]
"""A fragment table as named arrays (empty dict: no row); `pandas` frames are built once per task."""

LOSS_COLUMNS = (
    "icao24_a",
    "icao24_b",
    "start_s",
    "end_s",
    "samples",
    "min_dist_m",
    "min_dalt_m",
    "alt_m",
    "closest_s",
    "lat",
    "lon",
)
LEVEL_COLUMNS = ("level_a_m", "level_b_m", "level")
"""Fragment columns for the `LossKind`: the level each aircraft held (NaN: none) and whether both were level."""
FRAGMENT_COLUMNS = (*LOSS_COLUMNS, *LEVEL_COLUMNS)


def loss_fragments(
    prepared: Prepared,
    owned: Callable[[FloatArray, FloatArray], BoolArray],
    radius_m: float,
    half_height_m: float,
    step_s: float,
    window_s: tuple[float, float],
) -> Columns:
    """Fragments of loss episodes at grid times in ``window_s`` whose pair this partition owns: ``owned(lat,
    lon)`` of the pair's first aircraft. Columns `FRAGMENT_COLUMNS` (degrees, metres, UNIX seconds); the closest
    point (``closest_s``, ``lat``/``lon`` midway between the two, ``alt_m`` their mean) is the sample of smallest
    horizontal distance, the earliest on a tie; ``min_dalt_m`` is the smallest |altitude difference| on its own,
    as in `commonsky.safety.losses.LossEpisodes`."""
    r = prepared.reports
    if r is None:
        return {}
    tk, ca, cb, dist, dalt, alt = close_samples(r, step_s, window_s, radius_m, half_height_m)
    loss = (dist < radius_m - BOUNDARY_TOL_M) & (dalt < half_height_m - BOUNDARY_TOL_M)
    tk, ca, cb, dist, dalt, alt = tk[loss], ca[loss], cb[loss], dist[loss], dalt[loss], alt[loss]
    _, lat_a, lon_a, _ = r.positions_at(ca, tk, step_s)
    mine = owned(lat_a, lon_a)
    tk, ca, cb = tk[mine], ca[mine], cb[mine]
    dist, dalt, alt, lat_a, lon_a = (x[mine] for x in (dist, dalt, alt, lat_a, lon_a))
    if tk.shape[0] == 0:
        return {}
    order = np.lexsort((tk, cb, ca))
    tk, ca, cb = tk[order], ca[order], cb[order]
    dist, dalt, alt, lat_a, lon_a = (x[order] for x in (dist, dalt, alt, lat_a, lon_a))
    new = np.ones(tk.shape[0], dtype=bool)
    new[1:] = (ca[1:] != ca[:-1]) | (cb[1:] != cb[:-1]) | (tk[1:] - tk[:-1] > 1)
    run = np.cumsum(new) - 1
    starts = np.flatnonzero(new)
    ends = np.append(starts[1:], tk.shape[0]) - 1
    best = np.lexsort((tk, dist, run))
    best = best[np.flatnonzero(np.diff(np.append(-1, run[best])))]
    _, lat_b, lon_b, _ = r.positions_at(cb[best], tk[best], step_s)
    level_a, flat_a = held_levels(r, ca[starts], tk[starts], tk[ends], step_s)
    level_b, flat_b = held_levels(r, cb[starts], tk[starts], tk[ends], step_s)
    return {
        "icao24_a": prepared.names[ca[starts]],
        "icao24_b": prepared.names[cb[starts]],
        "start_s": tk[starts] * step_s,
        "end_s": tk[ends] * step_s,
        "samples": (ends - starts + 1).astype(np.int64),
        "min_dist_m": dist[best],
        "min_dalt_m": np.minimum.reduceat(dalt, starts),
        "alt_m": alt[best],
        "closest_s": tk[best] * step_s,
        "lat": 0.5 * (lat_a[best] + lat_b),
        "lon": wrap_deg(lon_a[best] + 0.5 * wrap_deg(lon_b - lon_a[best])),
        "level_a_m": level_a,
        "level_b_m": level_b,
        "level": flat_a & flat_b,
    }


def empty_losses() -> pd.DataFrame:
    """No fragment (integer addresses)."""
    import pandas as pd

    kinds = {"icao24_a": np.int64, "icao24_b": np.int64, "samples": np.int64, "level": bool}
    return pd.DataFrame({c: np.zeros(0, dtype=kinds.get(c, np.float64)) for c in FRAGMENT_COLUMNS})


def _kinds(frame: pd.DataFrame, half_height_m: float) -> npt.NDArray[np.object_]:
    """`LossKind` value of each episode (``frame["episode"]`` numbers them from 0) from its fragments: height
    keeping when each aircraft held one level over every fragment, both were level throughout, and the two
    levels are at least ``half_height_m`` apart (`commonsky.safety.height_keeping.classify`)."""
    episode = frame["episode"].to_numpy(np.int64)
    count = int(episode.max()) + 1
    ok = np.ones(count, dtype=bool)
    np.logical_and.at(ok, episode, frame["level"].to_numpy(bool))
    held = []
    for column in ("level_a_m", "level_b_m"):
        level = frame[column].to_numpy(np.float64)
        lo, hi = np.full(count, np.inf), np.full(count, -np.inf)
        np.minimum.at(lo, episode, np.where(np.isnan(level), -np.inf, level))  # NaN: no level, never equal
        np.maximum.at(hi, episode, np.where(np.isnan(level), np.inf, level))
        ok &= lo == hi
        held.append(lo)
    apart = np.where(ok, held[0], 0.0) - np.where(ok, held[1], 0.0)  # no inf - inf where there is no level
    ok &= np.abs(apart) >= half_height_m - BOUNDARY_TOL_M
    return np.where(ok, LossKind.HEIGHT_KEEPING.value, LossKind.LOSS.value).astype(object)


def merge_losses(fragments: pd.DataFrame, step_s: float, half_height_m: float) -> pd.DataFrame:
    """Episodes from fragments (of any partitioning): fragments of one pair whose grid times touch are joined;
    the closest point is the fragment's with the smallest distance (earliest on a tie); ``kind`` the episode's
    `LossKind` (``half_height_m`` the vertical minimum)."""
    if len(fragments) == 0:
        empty = empty_losses().astype({"icao24_a": object, "icao24_b": object})[list(LOSS_COLUMNS)]
        empty.insert(4, "duration_s", empty["end_s"])
        empty["kind"] = np.zeros(0, dtype=object)
        return empty
    frame = fragments.sort_values(["icao24_a", "icao24_b", "start_s"], kind="stable").reset_index(drop=True)
    a, b = frame["icao24_a"].to_numpy(), frame["icao24_b"].to_numpy()
    start, end = frame["start_s"].to_numpy(), frame["end_s"].to_numpy()
    new = np.ones(len(frame), dtype=bool)
    new[1:] = (
        (a[1:] != a[:-1]) | (b[1:] != b[:-1]) | (start[1:] - end[:-1] > 1.5 * step_s)
    )  # a pair's fragments never overlap
    frame["episode"] = np.cumsum(new) - 1
    best = frame.sort_values(["episode", "min_dist_m", "closest_s"], kind="stable").drop_duplicates("episode")
    best = best.set_index("episode")
    grouped = frame.groupby("episode")
    out = best.copy()
    out["start_s"] = grouped["start_s"].min()
    out["end_s"] = grouped["end_s"].max()
    out["samples"] = grouped["samples"].sum()
    out["min_dalt_m"] = grouped["min_dalt_m"].min()
    kind = _kinds(frame, half_height_m)
    out = out.reset_index(drop=True)[list(LOSS_COLUMNS)]
    out.insert(4, "duration_s", out["end_s"] - out["start_s"])
    out["kind"] = kind
    out = out.sort_values(["start_s", "icao24_a", "icao24_b"], kind="stable").reset_index(drop=True)
    out["icao24_a"], out["icao24_b"] = hex_ids(out["icao24_a"].to_numpy()), hex_ids(out["icao24_b"].to_numpy())
    return out
