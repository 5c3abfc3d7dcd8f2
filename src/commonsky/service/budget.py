"""The probe budget: every dry run and filing is charged by its size against the caller's daily budget.

Size is counted on the disclosure grid (`service.disclosure`): a volume costs, for each grid cell its footprint
meets, the time steps x altitude bands it occupies there (active time only, altitudes from the surface to
`CEILING_FT`), and at least `CELL_FLOOR_UNITS` per cell. The floor per cell is what bounds inference by yes/no
answers: an answer tells, for each cell a proposal meets, at most one bit about the sky inside that cell (whether
the proposal's own shape there conflicts), so each such bit costs at least the floor whatever the shape, and a day's
default budget (`grants.DEFAULT_BUDGET_UNITS`, 150 cell-probes) cannot map another party's route more finely than
the grid (`tests/service/test_red_team.py`). A filing of a 100 km corridor (about 20 cells) for 2 hours over 3,000
ft costs about 2,000 units: a party that files more than a few a day needs a grant from the authority.

Per-request size limits, as F3548: no volume may end more than `SizeLimits.max_ahead_s` (30 days) from now, nor
cover more than `SizeLimits.max_volume_km2` of ground; a request over them, or costing more than a whole day's
budget, is refused (413) before it is judged. Over budget is 429 with the true wait in ``Retry-After`` (>= 1 s).

Budgets refill continuously (a day's budget over 86,400 s) in a token bucket per party, per service process (as the
rate limiter; each instance keeps its own, and a new process starts every bucket full). Thread-safe.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

from commonsky.airspace.volume import AltitudeModel, Volume
from commonsky.errors import CommonskyError
from commonsky.service.disclosure import DisclosurePolicy
from commonsky.service.errors import TooLargeError
from commonsky.units import FT_M

DAY_S = 86_400.0
CELL_FLOOR_UNITS = 100.0  # what one grid cell of a request costs at least
CEILING_FT = 60_000.0  # an unlimited ceiling is charged up to here
_KM_PER_DEG = 111.32


class OverBudgetError(CommonskyError):
    """The caller's probe budget cannot pay for this request now: 429 with ``retry_after_s`` (>= 1)."""

    def __init__(self, message: str, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


@dataclass(frozen=True)
class SizeLimits:
    max_ahead_s: float = 30 * DAY_S
    max_volume_km2: float = 100_000.0


def check_size(volumes: Sequence[Volume], limits: SizeLimits, now_s: float) -> None:
    """Raise `TooLargeError` (413) naming the first volume over ``limits``."""
    for i, volume in enumerate(volumes):
        if volume.window.end_s > now_s + limits.max_ahead_s:
            raise TooLargeError(f"volumes[{i}]: ends more than {limits.max_ahead_s / DAY_S:.0f} days ahead")
        km2 = area_km2(volume)
        if km2 > limits.max_volume_km2:
            raise TooLargeError(f"volumes[{i}]: covers {km2:,.0f} km², over {limits.max_volume_km2:,.0f}")


def area_km2(volume: Volume) -> float:
    """Ground area of a volume's footprint, km² (lon/lat area scaled at its mean latitude: within 1% below 500 km)."""
    footprint = volume.footprint
    min_lat, max_lat = footprint.bounds[1], footprint.bounds[3]
    scale = math.cos(math.radians((min_lat + max_lat) / 2.0))
    return float(footprint.area) * _KM_PER_DEG**2 * scale


def cost_units(volumes: Sequence[Volume], policy: DisclosurePolicy, model: AltitudeModel) -> float:
    """What a request over ``volumes`` costs: for each volume, its grid cells x max(steps x bands,
    `CELL_FLOOR_UNITS`)."""
    total = 0.0
    ceiling_m = CEILING_FT * FT_M
    for volume in volumes:
        cells = len(policy.cells(volume.footprint))
        window = volume.window
        steps = sum(
            (b - a) / policy.step_s
            for a, b in (
                policy.snap_interval(lo, hi) for lo, hi in volume.active_intervals(window.start_s, window.end_s)
            )
        )
        lo_m = min(max(model.floor_m(volume.band.floor), 0.0), ceiling_m - policy.band_m)
        hi_m = min(max(model.ceiling_m(volume.band.ceiling), lo_m + 1.0), ceiling_m)
        band_lo, band_hi = policy.snap_band(lo_m, hi_m)
        bands = max(1.0, round((band_hi - band_lo) / policy.band_m))
        total += max(cells, 1) * max(steps * bands, CELL_FLOOR_UNITS)
    return total


class Budgets:
    """A token bucket per party: ``daily`` units, refilled at ``daily / DAY_S`` per second."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}  # party id -> (units left, at monotonic s)

    def charge(self, party_id: str, daily: float, cost: float, now: float | None = None) -> None:
        """Take ``cost`` units from the party's bucket, or raise: `TooLargeError` when a whole day cannot pay,
        `OverBudgetError` with the seconds until it can."""
        if cost > daily:
            raise TooLargeError(f"this request costs {cost:,.0f} units, over the party's daily budget {daily:,.0f}")
        now = time.monotonic() if now is None else now
        rate = daily / DAY_S
        with self._lock:
            left, stamp = self._buckets.get(party_id, (daily, now))
            left = min(daily, left + (now - stamp) * rate)
            if left >= cost:
                self._buckets[party_id] = (left - cost, now)
                return
            self._buckets[party_id] = (left, now)
        wait_s = max(1, math.ceil((cost - left) / rate))
        raise OverBudgetError(f"probe budget: this request costs {cost:,.0f} units; retry in {wait_s} s", wait_s)

    def left(self, party_id: str, daily: float, now: float | None = None) -> float:
        now = time.monotonic() if now is None else now
        with self._lock:
            left, stamp = self._buckets.get(party_id, (daily, now))
        return min(daily, left + (now - stamp) * daily / DAY_S)
