"""Map layers of a live run as GeoJSON FeatureCollections (lon/lat degrees), built on first use and cached.

Base layers come from the bundled world (`commonsky.geo.world`), clipped to the run's view (the intents' and
zones' extent plus a margin) and simplified to about 1 km, which is finer than a pixel at the zoom levels where
the whole view fits a screen. Layers: countries, provinces, places, border (land borders between the countries
in view), zones (by kind), intents (volumes and route centre lines), sensors, coverage (per altitude).

`LayerStore` is thread-safe: every layer is a pure function of the run, computed at most once per key under a
lock; the cached dictionaries are never mutated after they are stored.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from typing import Any

import numpy as np
import shapely
from shapely.geometry import LineString, box, mapping
from shapely.geometry.base import BaseGeometry

from commonsky.airspace.volume import CorridorShape
from commonsky.errors import NoSharedBorderError, NotFoundError
from commonsky.geo.world import load_world
from commonsky.sim.clock import iso_utc
from commonsky.sim.pipeline import LivePipeline, LivePlan
from commonsky.surveillance.coverage import Grid, OrbitMode, coverage
from commonsky.surveillance.coverage_map import mask_polygons
from commonsky.surveillance.sensor_config import build_sensor

LAYERS = ("countries", "provinces", "places", "border", "zones", "intents", "sensors", "coverage")
PLAN_LAYERS = ("zones", "intents")
"""Layers drawn from the live plan: redrawn when the broker's intents or zones change (`LivePlan.version`)."""
SIMPLIFY_DEG = 0.01
"""Tolerance (degrees, ~1 km) for base-layer outlines."""
VIEW_MARGIN_DEG = 3.0
RECEIVER_VIEW_DEG = 5.0
"""Half-width of the view around a receiver when nothing else places the run."""
COVERAGE_CELL_M = 8_000.0

Feature = dict[str, Any]


def collection(features: list[Feature]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features}


def _feature(geometry: BaseGeometry, **properties: Any) -> Feature:
    return {"type": "Feature", "properties": properties, "geometry": mapping(geometry)}


def _rounded(geometry: BaseGeometry, tolerance: float = SIMPLIFY_DEG) -> BaseGeometry:
    """Simplified (topology kept) and rounded to 1e-4 degrees (~10 m) to keep the JSON small."""
    return shapely.set_precision(geometry.simplify(tolerance, preserve_topology=True), 1e-4)


class LayerStore:
    """The GeoJSON layers of one pipeline (see module docstring)."""

    def __init__(self, pipeline: LivePipeline) -> None:
        self.pipeline = pipeline
        self._lock = threading.Lock()
        self._cache: dict[str, dict[str, Any]] = {}
        self._fit = self._plan_bbox()
        m = VIEW_MARGIN_DEG
        self._bbox = (self._fit[0] - m, self._fit[1] - m, self._fit[2] + m, self._fit[3] + m)

    def _plan_bbox(self) -> tuple[float, float, float, float]:
        plan = self.pipeline.plan
        shapes = [v.footprint for i in plan.intents for v in i.volumes]
        shapes += [z.geometry for z in plan.zones if z.area_km2() < 1e6]
        if not shapes:  # a run fed by real receivers only: around the placed ones (their reach is a few degrees)
            reach = RECEIVER_VIEW_DEG - VIEW_MARGIN_DEG
            shapes = [
                box(s.lon - reach, s.lat - reach, s.lon + reach, s.lat + reach)
                for s in self.pipeline.sources
                if math.isfinite(s.lat) and math.isfinite(s.lon)
            ]
        bounds = np.array([g.bounds for g in shapes]) if shapes else np.array([[-180.0, -80.0, 180.0, 80.0]])
        return (
            float(bounds[:, 0].min()),
            float(bounds[:, 1].min()),
            float(bounds[:, 2].max()),
            float(bounds[:, 3].max()),
        )

    def fit_bbox(self) -> tuple[float, float, float, float]:
        """(west, south, east, north) the map frames when it opens, degrees: the extent of the run's intents and
        zones (not the continent-wide ones), or of the receivers' reach when nothing else places the run."""
        return self._fit

    def view_bbox(self) -> tuple[float, float, float, float]:
        """(west, south, east, north) of what the run covered when it started (its intents' and zones' extent),
        degrees, with `VIEW_MARGIN_DEG` around: fixed for the run, so the base layers are drawn once."""
        return self._bbox

    def get(self, name: str, **params: Any) -> dict[str, Any]:
        """Layer ``name`` (one of `LAYERS`); `NotFoundError` for another name."""
        builders: dict[str, Callable[..., dict[str, Any]]] = {
            "countries": self._countries,
            "provinces": self._provinces,
            "places": self._places,
            "border": self._border,
            "zones": self._zones,
            "intents": self._intents,
            "sensors": self._sensors,
            "coverage": self._coverage,
        }
        if name not in builders:
            raise NotFoundError(f"unknown layer {name!r} (layers: {', '.join(LAYERS)})")
        plan = self.pipeline.plan
        if name in PLAN_LAYERS:
            params = {**params, "plan": plan}
        key = name + "".join(f":{k}={v.version if k == 'plan' else v}" for k, v in sorted(params.items()))
        with self._lock:
            if key not in self._cache:
                if name in PLAN_LAYERS:  # an older plan's layer will not be asked for again
                    self._cache = {k: v for k, v in self._cache.items() if not k.startswith(name + ":")}
                self._cache[key] = builders[name](**params)
            return self._cache[key]

    # -- builders (called under the lock, once per key) --------------------------------------------------------
    def _view(self) -> BaseGeometry:
        return box(*self.view_bbox())

    def _countries(self) -> dict[str, Any]:
        view = self._view()
        out = []
        for c in load_world().countries():
            if c.geometry.intersects(view):
                shape = _rounded(c.geometry.intersection(view.buffer(5.0)))
                label = shape.intersection(view).representative_point() if shape.intersects(view) else shape.centroid
                out.append(_feature(shape, iso3=c.iso3, name=c.name, label=[round(label.x, 3), round(label.y, 3)]))
        return collection(out)

    def _provinces(self) -> dict[str, Any]:
        view = self._view()
        out = [
            _feature(_rounded(p.geometry.intersection(view)), name=p.name, country=p.country_iso3)
            for p in load_world().provinces()
            if p.geometry.intersects(view)
        ]
        return collection(out)

    def _places(self, limit: int = 400) -> dict[str, Any]:
        places = load_world().places(self.view_bbox())
        ranked = sorted(places, key=lambda p: (not p.source.startswith("cited"), -p.population))[:limit]
        return collection(
            [
                _feature(
                    shapely.Point(round(p.lon_deg, 4), round(p.lat_deg, 4)),
                    name=p.name,
                    country=p.country_iso3,
                    population=p.population,
                    rank=i,
                )
                for i, p in enumerate(ranked)
            ]
        )

    def _border(self) -> dict[str, Any]:
        world = load_world()
        view = self._view()
        inside = sorted(c.iso3 for c in world.countries() if c.geometry.intersects(view))
        out = []
        for i, a in enumerate(inside):
            for b in inside[i + 1 :]:
                try:
                    line = world.border(a, b)
                except (NoSharedBorderError, NotFoundError):
                    continue
                out.append(_feature(_rounded(line, 0.002), a=a, b=b))
        return collection(out)

    def _zones(self, plan: LivePlan) -> dict[str, Any]:
        out = []
        for zone in plan.zones:
            feature = zone.to_feature()
            feature["geometry"] = mapping(_rounded(zone.geometry, 0.002))
            out.append(feature)
        return collection(out)

    def _intents(self, plan: LivePlan) -> dict[str, Any]:
        out = []
        for intent in plan.intents:
            for volume in intent.volumes:
                props = dict(
                    intent=intent.id,
                    party=intent.party,
                    label=intent.label,
                    band=volume.band.label(),
                    start=_iso(volume.window.start_s),
                    end=_iso(volume.window.end_s),
                )
                out.append(_feature(_rounded(volume.footprint, 0.002), role="volume", **props))
                if isinstance(volume.shape, CorridorShape):
                    line = LineString([(lon, lat) for lat, lon in volume.shape.points])
                    out.append(_feature(line, role="centreline", intent=intent.id, party=intent.party))
        return collection(out)

    def _sensors(self) -> dict[str, Any]:
        return collection(
            [
                _feature(
                    shapely.Point(round(s.lon, 4), round(s.lat, 4)),
                    name=s.spec.name,
                    kind=s.spec.kind,
                    range_km=round(s.spec.range_m / 1000.0, 1),
                )
                for s in self.pipeline.sources
                if math.isfinite(s.lat) and math.isfinite(s.lon)
            ]
        )

    def _coverage(self, alt_m: float = 304.8) -> dict[str, Any]:
        """Where an aircraft at ``alt_m`` is seen, by radars and by ADS-B receivers (one polygon each), from the
        surveillance stage's `coverage` on a `COVERAGE_CELL_M` grid over the view (an AEW radar counts where it
        sees from every point of its orbit)."""
        grid = Grid.over(self._view(), COVERAGE_CELL_M)
        specs = [
            s.spec for s in self.pipeline.sources if s.spec.kind == "aew" or math.isfinite(s.spec.lat + s.spec.lon)
        ]
        built = tuple(build_sensor(spec, grid.frame, self.pipeline.intents) for spec in specs)
        cov = coverage(grid, built, alt_m, OrbitMode.WORST)
        out = []
        for kind in ("radar", "adsb"):
            rows = [k for k, spec in enumerate(specs) if (spec.kind == "adsb") == (kind == "adsb")]
            if not rows:
                continue
            mask = cov.covered[rows].any(axis=0)
            area = mask_polygons(grid, mask, simplify_m=COVERAGE_CELL_M / 2)
            if not area.is_empty:
                out.append(_feature(_rounded(area, 0.005), kind=kind, alt_ft=round(alt_m / 0.3048)))
        return collection(out)


def _iso(t_s: float) -> str | None:
    return iso_utc(t_s) if math.isfinite(t_s) else None


__all__ = ["LAYERS", "LayerStore", "collection"]
