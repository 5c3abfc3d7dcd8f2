"""STCA filters: which aircraft take part, and how each is predicted vertically.

After the EUROCONTROL Specification for Short Term Conflict Alert (EUROCONTROL-SPEC-0125) and its Guidance
Material, which leave the numbers to each ANSP's tuning but require: eligibility (aircraft on the ground and
other non-relevant tracks take no part), a linear prediction with a look-ahead of the order of two minutes, a
vertical prediction that does not treat the noise of a level aircraft as a climb, alert confirmation, and
parameters per volume of airspace. Here:

- **ground suppression**: an aircraft reporting on the ground, or without an altitude, or a surface movement
  whose feed does not say so (a transponder without an air/ground switch, a feed without the flag) takes no
  part. Such a surface movement is slow (below ``surface_gs_ms``) and low over an aerodrome: on the surface of
  one (`commonsky.geo.aerodromes`, given as ``aerodromes``) and less than ``surface_alt_m`` above its elevation.
  A slow aircraft low away from every aerodrome (a helicopter, a glider, a balloon) is airborne and takes part;
  so does one over a high aerodrome's surface at more than ``surface_alt_m`` above it. Without aerodromes, every
  place is taken for an aerodrome at sea level (the low-and-slow test on the altitude alone);
- **level-flight detection with a dead band**: an aircraft whose filtered vertical rate (20 s altitude slope)
  is inside ``level_band_ms`` is level (the reported rate is not read: its noise and its jumps at the start of
  a manoeuvre are what the dead band is for) and predicted at the level it holds: the IFR cruising level
  (multiple of 1,000 ft) when it is less than 300 ft from one, the height-keeping tolerance of the truth
  (`commonsky.safety.height_keeping`: 300 ft is ICAO's large height deviation), else its altitude to the
  nearest 100 ft, as its label shows it (`commonsky.safety.losses.FLIGHT_LEVEL_QUANTUM_M`). The 25-100 ft
  steps of Mode S altitude of an aircraft holding FL370 are noise, and the STCA and the truth agree on what
  "at a level" means. Two aircraft holding adjacent levels 1,000 ft apart are then never in conflict: the
  vertical boundary is exact (`commonsky.safety.cpa` compares with a 1 micrometre tolerance);
- **parallel runway operations**: a pair whose current states have the geometry of parallel runway operations
  (`commonsky.safety.parallel_runways`: both below ``parallel_ceiling_m``, not both level, tracks within 5 deg,
  each at least 1,035 m from the other's track line) raises no conflict in that picture (`commonsky.safety.batch`);
  the pair takes the lower ceiling of its two aircraft;
- **vertical prediction from the filtered rate** for aircraft that are not level: the altitude slope over the
  last 20 s, not the instantaneous reported rate (whose noise makes level pairs "climb" into each other). An
  aircraft whose filtered rate is not established yet (NaN: a live track younger than the window, see
  `commonsky.safety.track_rates`) takes no part until it is: the Specification's eligibility excludes tracks
  of insufficient quality, and a new track's altitude and rate rest on a few plots (replay never has NaN: it
  falls back on the reported rate).

Replay (`commonsky.safety.batch`) and the live safety net (`stca_picture`, used by `commonsky.safety.pipeline.
SafetyNet`) both go through `stca_states`: one logic, the same parameters.

The numbers are per party and per region through `ProtectionPolicy` (`Protection.level_band_ms`,
``surface_gs_ms``, ``surface_alt_m``; the separation thresholds and look-ahead as before).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from commonsky._typing import BoolArray, FloatArray, IndexArray
from commonsky.geo.aerodromes import Aerodromes
from commonsky.picture.picture import Picture
from commonsky.safety.cpa import BOUNDARY_TOL_M
from commonsky.safety.height_keeping import HEIGHT_KEEPING_TOL_M, Altimetry, nearest_level_m
from commonsky.safety.losses import FLIGHT_LEVEL_QUANTUM_M, quantise
from commonsky.safety.parallel_runways import parallel_pairs_of
from commonsky.safety.params import Protection, ProtectionPolicy, ZoneProtection
from commonsky.units import FT_M, NM_M

STCA_LOOKAHEAD_S = 120.0
"""Default look-ahead of conflict alert: the order of two minutes the STCA guidance describes. Longer
look-aheads warn earlier but alert on aircraft still climbing or descending towards a level below or above an
occupied one (without the cleared level from the flight plan system, nothing tells a level-off from a bust)."""


TERMINAL_LOOKAHEAD_S = 90.0
"""Look-ahead in terminal airspace: shorter than en route, where turns onto final, level-offs and climbs are
frequent (EUROCONTROL's ESSIP objective ATC02.9 asks for STCA tuned to the TMA's lower minima and its "increased
frequency of turns, climbs and descents"). On the Paris sample, 90 s warns the same losses as 120 s with a third
fewer nuisance alerts (docs/stca.md)."""
TERMINAL_CEILING_M = 19500.0 * FT_M
"""Top of the terminal region of `terminal_policy` (FL195, the upper limit of the Paris TMA's lower airspace)."""


def stca_policy() -> ProtectionPolicy:
    """The default policy of replay: 5 NM, 1,000 ft, `STCA_LOOKAHEAD_S`, the default filters."""
    return ProtectionPolicy(default=Protection(lookahead_s=STCA_LOOKAHEAD_S))


def terminal_policy(ceiling_m: float = TERMINAL_CEILING_M) -> ProtectionPolicy:
    """Terminal airspace below ``ceiling_m``: 3 NM (ICAO Doc 4444 8.7.3.2, radar separation in terminal areas)
    and `TERMINAL_LOOKAHEAD_S`; above it, the en-route 5 NM and `STCA_LOOKAHEAD_S` (a zone over the whole earth
    from ``ceiling_m`` up). The truth takes the same minima (`commonsky.safety.losses`, ``regions``)."""
    from shapely.geometry import box  # local: shapely only where a zone is built

    en_route = Protection(lookahead_s=STCA_LOOKAHEAD_S)
    zone = ZoneProtection(box(-180.0, -90.0, 180.0, 90.0), en_route, floor_m=ceiling_m)
    return ProtectionPolicy(default=Protection(radius_m=3.0 * NM_M, lookahead_s=TERMINAL_LOOKAHEAD_S), zones=[zone])


@dataclass(frozen=True, eq=False)
class StcaStates:
    """Per aircraft: ``eligible`` (takes part), ``level``, ``alt_ref_m`` (altitude to predict from: the flight
    level, to 100 ft, for a level aircraft), ``vs_pred_ms`` (vertical rate to predict with) and
    ``parallel_ceiling_m`` (`Protection.parallel_ceiling_m` where it is)."""

    eligible: BoolArray
    level: BoolArray
    alt_ref_m: FloatArray
    vs_pred_ms: FloatArray
    parallel_ceiling_m: FloatArray


def stca_states(
    policy: ProtectionPolicy,
    lat: FloatArray,
    lon: FloatArray,
    alt_m: FloatArray,
    gs_ms: FloatArray,
    vs_ms: FloatArray,
    vs_filt_ms: FloatArray,
    on_ground: BoolArray,
    party: npt.NDArray[np.str_] | None = None,
    level_alt_m: FloatArray | None = None,
    altimetry: Altimetry = Altimetry(),
    aerodromes: Aerodromes | None = None,
) -> StcaStates:
    """Eligibility, level flag and predicted vertical rate of each aircraft (see the module docstring).
    ``level_alt_m``: the altitude a level aircraft's flight level is read from (default ``alt_m``; the live safety
    net gives the tracked altitude's mean over the rate window, see `commonsky.safety.track_rates`);
    ``altimetry``: the QNH offset below the transition altitude, for the IFR levels (as the truth reads them);
    ``aerodromes``: where surface movements can be (None: anywhere, at sea level)."""
    n = lat.shape[0]
    party = np.full(n, "", dtype=np.str_) if party is None else party
    alt = np.where(np.isfinite(alt_m), alt_m, 0.0)
    band, surface_gs, surface_alt, ceiling = policy.filters_per_aircraft(lat, lon, alt, party)
    flagged = on_ground | ~np.isfinite(alt_m)  # out already: no aerodrome lookup for them (most slow rows)
    surface = surface_movements(lat, lon, alt, (gs_ms < surface_gs) & ~flagged, surface_alt, aerodromes)
    eligible = ~flagged & ~surface & np.isfinite(vs_filt_ms)
    level = np.abs(vs_filt_ms) < band
    at_level = alt if level_alt_m is None else np.where(np.isfinite(level_alt_m), level_alt_m, alt)
    ifr = nearest_level_m(at_level, altimetry)
    held = np.where(
        np.abs(at_level - ifr) < HEIGHT_KEEPING_TOL_M - BOUNDARY_TOL_M, ifr, quantise(at_level, FLIGHT_LEVEL_QUANTUM_M)
    )
    alt_ref = np.where(level, held, alt)
    vs_pred = np.where(level, 0.0, vs_filt_ms)
    return StcaStates(eligible=eligible, level=level, alt_ref_m=alt_ref, vs_pred_ms=vs_pred, parallel_ceiling_m=ceiling)


def surface_movements(
    lat: FloatArray,
    lon: FloatArray,
    alt_m: FloatArray,
    slow: BoolArray,
    surface_alt_m: FloatArray,
    aerodromes: Aerodromes | None,
) -> BoolArray:
    """Per aircraft: ``slow`` and less than ``surface_alt_m`` above the elevation of the aerodrome it is over (see
    the module docstring; elevation 0 where unknown; anywhere at sea level without ``aerodromes``)."""
    if aerodromes is None:
        return np.asarray(slow & (alt_m < surface_alt_m), dtype=bool)
    out = np.zeros(lat.shape[0], dtype=bool)
    rows = np.flatnonzero(slow)  # only the slow ones are looked up: few, tick after tick
    on, elevation = aerodromes.at(lat[rows], lon[rows])
    low = alt_m[rows] - np.where(np.isfinite(elevation), elevation, 0.0) < surface_alt_m[rows]
    out[rows] = on & low
    return out


def parallel_pairs(checked: Picture, policy: ProtectionPolicy, i: IndexArray, j: IndexArray) -> BoolArray:
    """Per pair (i, j) of an STCA picture (`stca_picture`: level aircraft have vertical rate 0), whether it has
    the geometry of parallel runway operations below the lower of its two aircraft's ``parallel_ceiling_m``
    (`commonsky.safety.parallel_runways`): the live safety net's filter, as `commonsky.safety.batch` applies it."""
    p = checked
    *_, ceiling = policy.filters_per_aircraft(p.lat_deg, p.lon_deg, p.alt_m, p.party)
    moving = p.vs_ms != 0.0
    return parallel_pairs_of(p.lat_deg, p.lon_deg, p.alt_m, p.trk_deg, moving, ceiling, i, j)


def stca_picture(
    picture: Picture,
    policy: ProtectionPolicy,
    vs_filt_ms: FloatArray,
    on_ground: BoolArray,
    level_alt_m: FloatArray | None = None,
    aerodromes: Aerodromes | None = None,
    altimetry: Altimetry = Altimetry(),
) -> tuple[Picture, IndexArray]:
    """The picture conflict alert checks: the eligible aircraft of ``picture`` (positions in it returned
    beside), each at its predicted altitude (`StcaStates.alt_ref_m`, levels read with ``altimetry``) with its
    predicted vertical rate."""
    p = picture
    states = stca_states(
        policy,
        p.lat_deg,
        p.lon_deg,
        p.alt_m,
        p.gs_ms,
        p.vs_ms,
        vs_filt_ms,
        on_ground,
        p.party,
        level_alt_m,
        altimetry,
        aerodromes,
    )
    keep = np.flatnonzero(states.eligible)
    checked = Picture.from_arrays(
        id=p.id[keep],
        lat_deg=p.lat_deg[keep],
        lon_deg=p.lon_deg[keep],
        alt_m=states.alt_ref_m[keep],
        gs_ms=p.gs_ms[keep],
        trk_deg=p.trk_deg[keep],
        vs_ms=states.vs_pred_ms[keep],
        party=p.party[keep],
        intent=p.intent[keep],
        time_s=p.time_s,
    )
    return checked, keep
