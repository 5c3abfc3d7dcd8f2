"""The resolution search of a refused intent: the earliest free slot (a delay) and the nearest free level (a climb
or a descent) the strategic engine finds (`strategic.resolve`), then rounded to the disclosure grid so that they say
no more of the others than the grid does, and verified again.

The engine searches against every live intent, zone and DSS reference over the same lon/lat box as the intent, at
any altitude and up to its time horizon (`strategic.policy.Policy.max_time_shift_s`). Advice needs no lock: it is
re-verified when filed. Pure functions of the session they are given.
"""

from __future__ import annotations

import math
from dataclasses import replace

from sqlalchemy.orm import Session

from commonsky.plans.intent import Intent
from commonsky.service.disclosure import DisclosurePolicy
from commonsky.service.dss import world
from commonsky.service.engine import Bounds
from commonsky.service.surroundings import Surroundings
from commonsky.service.views import ResolutionView
from commonsky.strategic.engine import StrategicEngine
from commonsky.strategic.policy import Policy
from commonsky.units import FT_M

RESOLUTION_STEPS = 12  # a resolution rounded to the grid is verified at up to this many further steps


def resolutions(
    session: Session, surroundings: Surroundings, candidate: Intent, box: Bounds, policy: DisclosurePolicy
) -> tuple[ResolutionView, ...]:
    """Verified resolutions of ``candidate`` (enveloped by ``box``), each rounded to ``policy``'s grid; empty when
    none is found within the horizon."""
    horizon = Policy().max_time_shift_s
    wide = replace(box, alt_lo_m=-math.inf, alt_hi_m=math.inf, t1_s=box.t1_s + horizon)
    intents = surroundings.intents(session, candidate.id, wide, 0.0)
    zones = surroundings.zones(session, wide, 0.0)
    engine = surroundings.engine(intents, zones, world.obstacles(session, wide, 0.0))
    result = engine.check(candidate, resolve=True)
    found = (coarse_resolution(engine, candidate, r.dt_s, r.dz_m, policy) for r in result.resolutions)
    return tuple(r for r in found if r is not None)


def coarse_resolution(
    engine: StrategicEngine, candidate: Intent, dt_s: float, dz_m: float, policy: DisclosurePolicy
) -> ResolutionView | None:
    """A resolution rounded away from the conflict to whole steps (delay) or bands (level), verified again;
    ``None`` when none of the `RESOLUTION_STEPS` rounded ones is free."""
    for more in range(RESOLUTION_STEPS):
        if dz_m == 0.0:
            dt = (math.ceil(round(dt_s / policy.step_s, 6)) + more) * policy.step_s
            moved, summary = candidate.shifted(dt_s=dt), f"delay {dt / 60:.0f} min"
            view = ResolutionView("time", dt, 0.0, summary)
        else:
            bands = math.ceil(round(abs(dz_m) / policy.band_m, 6)) + more
            dz = math.copysign(bands * policy.band_m, dz_m)
            verb = "climb" if dz > 0 else "descend"
            moved, summary = candidate.shifted(dz_m=dz), f"{verb} {abs(dz) / FT_M:,.0f} ft"
            view = ResolutionView("altitude", 0.0, dz, summary)
        if not engine.blocking(moved):
            return view
    return None
