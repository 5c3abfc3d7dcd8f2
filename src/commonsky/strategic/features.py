"""Intents and conflicts as GeoJSON Features (lon/lat), for maps (`commonsky.render.layers.Layer`) and the API.

Intent features: one per volume, ``properties.role == "intent"``. Conflict features: one per conflict with the
exact intersection geometry, ``properties.role == "conflict"``. Times are ISO 8601 UTC, altitudes in feet with
their labels.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from shapely.geometry import mapping

from commonsky.plans.intent import Intent
from commonsky.strategic.result import CheckResult
from commonsky.units import FT_M

if TYPE_CHECKING:
    from commonsky.render.layers import Layer


def iso(seconds: float) -> str | None:
    """Unix seconds to ``2014-12-02T06:00:00Z`` (None for open ends)."""
    if not math.isfinite(seconds):
        return None
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def intent_features(intent: Intent, verdict: str | None = None) -> list[dict[str, Any]]:
    """One Feature per volume of ``intent``."""
    out = []
    for i, volume in enumerate(intent.volumes):
        props = {
            "role": "intent",
            "id": intent.id,
            "party": intent.party,
            "priority": intent.priority,
            "state": intent.state.value,
            "volume": i,
            "label": intent.label,
            "floor": volume.band.floor.label(),
            "ceiling": volume.band.ceiling.label(),
            "start": iso(volume.window.start_s),
            "end": iso(volume.window.end_s),
        }
        if verdict is not None:
            props["verdict"] = verdict
        out.append({"type": "Feature", "properties": props, "geometry": mapping(volume.footprint)})
    return out


def conflict_features(result: CheckResult) -> list[dict[str, Any]]:
    """One Feature per conflict of ``result`` (redact the result first for a party's view)."""
    out = []
    for conflict in result.conflicts:
        props = {
            "role": "conflict",
            "intent": result.intent.id,
            "party": result.intent.party,
            "verdict": result.verdict.value,
            "kind": conflict.kind.value,
            "other": conflict.other,
            "other_party": conflict.other_party,
            "effect": conflict.effect.value,
            "start": iso(conflict.start_s),
            "end": iso(conflict.end_s),
            "alt_lo_ft": round(conflict.alt_lo_m / FT_M),
            "alt_hi_ft": round(conflict.alt_hi_m / FT_M),
        }
        out.append({"type": "Feature", "properties": props, "geometry": mapping(conflict.geometry)})
    return out


def feature_collection(results: Sequence[CheckResult]) -> dict[str, Any]:
    """Every intent volume and conflict of ``results`` as one FeatureCollection."""
    features = [f for r in results for f in intent_features(r.intent, r.verdict.value)]
    features += [f for r in results for f in conflict_features(r)]
    return {"type": "FeatureCollection", "features": features}


def strategic_layers(results: Iterable[CheckResult]) -> list[Layer]:
    """Map layers: accepted intents, rejected intents, conflicts (roles ``intent`` and ``conflict``)."""
    from commonsky.render.layers import Layer

    results = list(results)
    accepted = tuple(f for r in results if r.accepted for f in intent_features(r.intent, r.verdict.value))
    rejected = tuple(f for r in results if not r.accepted for f in intent_features(r.intent, r.verdict.value))
    conflicts = tuple(f for r in results for f in conflict_features(r))
    layers = [
        Layer("Accepted intents", "intent", accepted),
        Layer("Rejected intents", "intent", rejected),
        Layer("Conflicts", "conflict", conflicts),
    ]
    return [layer for layer in layers if layer.features]
