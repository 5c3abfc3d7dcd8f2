"""Check results as JSON-ready dicts (CLI ``--json``, the broker's API). Redact before serialising."""

from __future__ import annotations

from typing import Any

from shapely.geometry import mapping

from commonsky.airspace._footprint import geodesic_area_m2
from commonsky.strategic.features import iso
from commonsky.strategic.result import CheckResult, Conflict, Resolution
from commonsky.units import FT_M


def where_text(conflict: Conflict) -> str:
    """``34.12N 44.97E, 123 km²``: a point inside the intersection and its geodesic area."""
    geometry = conflict.geometry
    point = geometry.representative_point()
    ns, ew = ("N" if point.y >= 0 else "S"), ("E" if point.x >= 0 else "W")
    return f"{abs(point.y):.2f}{ns} {abs(point.x):.2f}{ew}, {geodesic_area_m2(geometry) / 1e6:,.0f} km²"


def altitude_text(lo_m: float, hi_m: float) -> str:
    return f"{lo_m / FT_M:,.0f}-{hi_m / FT_M:,.0f} ft"


def conflict_to_json(conflict: Conflict) -> dict[str, Any]:
    geometry = conflict.geometry
    point = geometry.representative_point()
    return {
        "kind": conflict.kind.value,
        "other": conflict.other,
        "other_party": conflict.other_party,
        "other_priority": conflict.other_priority,
        "effect": conflict.effect.value,
        "where": {
            "geometry": mapping(geometry),
            "point": [round(point.y, 5), round(point.x, 5)],
            "area_km2": round(geodesic_area_m2(geometry) / 1e6, 3),
        },
        "when": {"start": iso(conflict.start_s), "end": iso(conflict.end_s)},
        "altitude": {
            "lo_ft": round(conflict.alt_lo_m / FT_M),
            "hi_ft": round(conflict.alt_hi_m / FT_M),
            "lo_m": round(conflict.alt_lo_m, 1),
            "hi_m": round(conflict.alt_hi_m, 1),
        },
    }


def resolution_to_json(resolution: Resolution) -> dict[str, Any]:
    return {
        "kind": resolution.kind,
        "delay_s": resolution.dt_s,
        "climb_m": round(resolution.dz_m, 2),
        "climb_ft": round(resolution.dz_m / FT_M),
        "summary": resolution.summary,
    }


def result_to_json(result: CheckResult) -> dict[str, Any]:
    intent = result.intent
    return {
        "intent": intent.id,
        "party": intent.party,
        "priority": intent.priority,
        "label": intent.label,
        "filed": iso(intent.filed_s) if intent.filed_s is not None else None,
        "start": iso(intent.start_s),
        "end": iso(intent.end_s),
        "verdict": result.verdict.value,
        "conflicts": [conflict_to_json(c) for c in result.conflicts],
        "resolutions": [resolution_to_json(r) for r in result.resolutions],
    }
