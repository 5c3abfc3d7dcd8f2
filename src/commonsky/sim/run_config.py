"""`RunConfig`: how a live run is built (`commonsky.sim.assembly`), stepped (`LivePipeline`) and paced."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from commonsky.airspace.zone import Zone
from commonsky.errors import InputError
from commonsky.safety.alerts import ALERT_END_S
from commonsky.safety.stca import STCA_LOOKAHEAD_S
from commonsky.surveillance.concern import NearPolicy
from commonsky.surveillance.health import HealthPolicy
from commonsky.units import FT_M, NM_M

MIN_TICK_S = 0.1
MAX_TICK_S = 10.0
FEEDS_TICK_S = 0.5
"""The tick of a run with real receivers (``commonsky run --feed``): a report waits at most this long for the
picture that shows it, plus the tick's work (one tick a second left the 99th percentile above 1 s at an
aggregator's 50,000 messages/s; docs/performance.md)."""


def check_tick(tick_s: float) -> float:
    """``tick_s`` when it is a usable picture tick; else `InputError` in one line."""
    if not (math.isfinite(tick_s) and MIN_TICK_S <= tick_s <= MAX_TICK_S):
        raise InputError(f"--tick {tick_s:g}: a picture tick lasts from {MIN_TICK_S:g} to {MAX_TICK_S:g} s")
    return tick_s


@dataclass(frozen=True)
class RunConfig:
    """How a live run is built and paced.

    ``tick_s``: simulated seconds per tick (the picture rate is 1 / tick_s in simulated time; `check_tick`);
    ``unknowns``: unknown aircraft added to the truth; ``synthetic``: extra aircraft on circles (load tests),
    within ``synthetic_radius_m`` of the frame centre, heard by an ADS-B network (`network_slot`);
    ``trail_step_s``/``trail_len``: a trail point every so many simulated seconds, this many kept;
    ``max_lag_s``: when the pipeline falls further behind the clock than this, it skips ahead (tracks coast);
    ``events_kept``: how many recent alert events a snapshot carries; ``seed``: noise and unknowns;
    ``alert_raise_s``/``alert_end_s``: alert hysteresis in simulated seconds (a condition must hold this long to
    raise an alert, and be gone this long to end it): radar tracks update every 10 s and their velocities
    jitter, so a pair near the edge of the protected zone would otherwise flicker;
    ``tracker_q_m2s3``: the tracker's process noise: orbits turn at 2-3 m/s², and with the tracker's default
    (1 m²/s³) turning aircraft spawn duplicate tracks that then "conflict" with themselves (69 nuisance alerts an
    hour on the Diyala orbits at 1, 16 alerts at 10, all real). ``tracker_coast_s``: how long a confirmed track
    coasts without a plot before it is deleted: longer than the health monitor takes to call a 10 s radar silent
    (3 scans), so the coverage-loss alert can name the tracks the silent sensor alone was feeding before they
    drop (the tracker's own default, 12 s, also drops a radar-only track on a single missed detection).
    ``health``: when the sensor health monitor calls a sensor silent; ``coverage_alt_m``/``coverage_res_m``: the
    altitude and grid of the area a coverage-loss alert says the silent sensor covered (computed once per run).
    ``lateral_tol_m``/``vertical_tol_m``: how far outside its intent's volumes a track still correlates: radar
    heights (from elevation) are coarse, a km off at long range, so the vertical tolerance is wide.
    ``conflict_radius_m``/``conflict_half_height_m``/``conflict_lookahead_s``: the conflict alert's protected zone
    and look-ahead (replay's defaults, `commonsky.safety.stca.stca_policy`); the rest of the STCA (ground
    suppression, level-flight dead band, vertical prediction) is replay's too (`commonsky.safety.stca`): two
    aircraft holding adjacent levels 1,000 ft apart never alert.
    ``unknown_near``/``responsibility``: where an unknown aircraft raises an UNKNOWN alert (it is shown as unknown
    everywhere): near a live filed intent or a binding zone (``unknown_near``'s distances, altitudes and times),
    or anywhere inside one of the ``responsibility`` zones (the area of responsibility; none by default), see
    `commonsky.surveillance.concern`.
    """

    tick_s: float = 1.0
    unknowns: int = 3
    synthetic: int = 0
    synthetic_radius_m: float = 700_000.0
    trail_step_s: float = 10.0
    trail_len: int = 30
    max_lag_s: float = 30.0
    events_kept: int = 50
    tracker_q_m2s3: float = 10.0
    tracker_coast_s: float = 40.0
    alert_raise_s: float = 3.0
    alert_end_s: float = ALERT_END_S
    seed: int = 1
    health: HealthPolicy = field(default_factory=HealthPolicy)
    coverage_alt_m: float = 3_000.0
    coverage_res_m: float = 5_000.0
    lateral_tol_m: float = 2_000.0
    vertical_tol_m: float = 1_500.0
    conflict_radius_m: float = 5.0 * NM_M
    conflict_half_height_m: float = 1000.0 * FT_M
    conflict_lookahead_s: float = STCA_LOOKAHEAD_S
    unknown_near: NearPolicy = field(default_factory=NearPolicy)
    responsibility: tuple[Zone, ...] = ()

    def __post_init__(self) -> None:
        check_tick(self.tick_s)


__all__ = ["FEEDS_TICK_S", "MAX_TICK_S", "MIN_TICK_S", "RunConfig", "check_tick"]
