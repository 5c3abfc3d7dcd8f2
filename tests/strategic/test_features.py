"""Intents and conflicts as GeoJSON Features (`strategic.features`): one feature per volume and per conflict, with
the volume's own footprint and the conflict's exact geometry, times in ISO 8601 UTC, altitudes in feet."""

from __future__ import annotations

import math

from shapely.geometry import shape

from commonsky.strategic.engine import check
from commonsky.strategic.features import (
    conflict_features,
    feature_collection,
    intent_features,
    iso,
    strategic_layers,
)

from .test_engine import orbit


def test_features_for_maps() -> None:
    first = orbit("a", "coalition", 30)
    result = check(orbit("b", "iran", 30, centre=(34.1, 45.0)), [first])
    [feature] = conflict_features(result)
    assert feature["properties"]["role"] == "conflict"
    assert feature["properties"]["alt_lo_ft"] == 18000 and feature["properties"]["start"] == "2014-12-02T07:00:00Z"
    assert [f["properties"]["role"] for f in intent_features(first)] == ["intent"]
    collection = feature_collection([result])
    assert len(collection["features"]) == 2
    layers = strategic_layers([result])
    assert [(layer.name, layer.role) for layer in layers] == [("Rejected intents", "intent"), ("Conflicts", "conflict")]


def test_each_feature_carries_its_own_geometry() -> None:
    first = orbit("a", "coalition", 30)
    result = check(orbit("b", "iran", 30, centre=(34.1, 45.0)), [first])
    [feature] = intent_features(first)
    assert shape(feature["geometry"]).equals(first.volumes[0].footprint)
    [conflict] = result.conflicts
    assert shape(conflict_features(result)[0]["geometry"]).equals(conflict.geometry)
    assert iso(math.inf) is None and iso(0.0) == "1970-01-01T00:00:00Z"
