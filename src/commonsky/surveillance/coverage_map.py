"""Coverage of a scenario's sensors as a study: numbers (JSON), polygons (GeoJSON) and a map (PNG).

`study_scenario` reads a scenario file, builds its ``sensors:`` (`commonsky.surveillance.sensor_config`), lays a
grid over the scenario's area (the envelope of its intents and sensor sites) or over one of its zones, and runs
`commonsky.surveillance.coverage`. Grid masks become polygons exactly along cell edges (runs of cells per row,
merged), then go back to lon/lat. Smooth earth, no terrain: every output says so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from numpy.typing import ArrayLike
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from commonsky.errors import InputError, NotFoundError
from commonsky.surveillance.coverage import (
    Coverage,
    Grid,
    OrbitMode,
    SiteChoice,
    best_new_sites,
    coverage,
)
from commonsky.surveillance.sensor_config import SensorKind, build_sensor, load_sensor_specs
from commonsky.units import FT_M

TERRAIN_NOTE = "smooth earth (4/3-earth refraction), no terrain masking: real low-level coverage is worse"


@dataclass(frozen=True)
class CoverageStudy:
    """What `study_scenario` found. ``area_name`` is the zone's name or "scenario area"."""

    scenario: str
    area_name: str
    area_lonlat: BaseGeometry
    cov: Coverage
    cooperative: bool
    sites: tuple[SiteChoice, ...] = ()
    template: str = ""

    def summary(self) -> dict[str, Any]:
        """The numbers, JSON-ready (metres, feet, km², fractions)."""
        c, grid = self.cov, self.cov.grid
        low = c.lowest_detectable_alt_m(cooperative=self.cooperative)
        low_primary = c.lowest_detectable_alt_m(cooperative=False) if len(c.select(False)) else math.inf
        area_km2 = float(grid.inside.sum()) * grid.cell_area_m2 / 1e6
        return {
            "scenario": self.scenario,
            "area": self.area_name,
            "area_km2": round(area_km2, 1),
            "altitude_m": round(c.alt_m, 1),
            "altitude_ft": round(c.alt_m / FT_M),
            "resolution_m": grid.resolution_m,
            "orbit_mode": c.mode.value,
            "counts_adsb": self.cooperative,
            "covered_share": round(c.share(cooperative=self.cooperative), 4),
            "covered_share_non_cooperative": round(c.share(cooperative=False), 4),
            "lowest_detectable_alt_m": _finite(low),
            "lowest_detectable_alt_ft": _finite(low / FT_M, 0),
            "lowest_detectable_alt_non_cooperative_ft": _finite(low_primary / FT_M, 0),
            "sensors": [
                {
                    "name": s.spec.name,
                    "kind": s.spec.kind,
                    "lat": round(s.lat, 5),
                    "lon": round(s.lon, 5),
                    "covered_share": round(float((c.covered[i] & grid.inside).sum() / max(1, grid.inside.sum())), 4),
                }
                for i, s in enumerate(c.sensors)
            ],
            "proposed_sites": [
                {
                    "like": self.template,
                    "lat": round(s.lat, 5),
                    "lon": round(s.lon, 5),
                    "new_area_km2": round(s.new_area_m2 / 1e6, 1),
                    "share_after": round(s.share_after, 4),
                }
                for s in self.sites
            ],
            "terrain": TERRAIN_NOTE,
        }

    def text(self) -> str:
        """Human-readable lines."""
        s = self.summary()
        low = s["lowest_detectable_alt_ft"]
        lines = [
            f"{s['scenario']}: coverage of {s['area']} ({s['area_km2']:,.0f} km²) at {s['altitude_ft']:,} ft "
            f"({s['altitude_m']:,.0f} m), {s['resolution_m'] / 1000:g} km grid, AEW orbits: {s['orbit_mode']}",
            f"  covered: {100 * s['covered_share']:.1f} % (radars only, for aircraft without ADS-B: "
            f"{100 * s['covered_share_non_cooperative']:.1f} %)",
            "  lowest detectable altitude: "
            + (
                f"an aircraft can cross this area unseen below {low:,.0f} ft"
                if low is not None
                else "part of the area is seen by no sensor at any altitude"
            ),
        ]
        lines += [f"  {x['name']} ({x['kind']}): {100 * x['covered_share']:.1f} %" for x in s["sensors"]]
        for i, site in enumerate(s["proposed_sites"], 1):
            lines.append(
                f"  new site {i} (like {site['like']}): {site['lat']:.4f}, {site['lon']:.4f} covers "
                f"{site['new_area_km2']:,.0f} km² more, {100 * site['share_after']:.1f} % covered after"
            )
        if self.template and not s["proposed_sites"]:
            lines.append(f"  no new site like {self.template} would cover more at this altitude")
        lines.append(f"  terrain: {TERRAIN_NOTE}")
        return "\n".join(lines)


def study_scenario(
    path: Path | str,
    alt_m: float,
    *,
    zone: str | None = None,
    resolution_m: float = 2000.0,
    mode: OrbitMode = OrbitMode.WORST,
    cooperative: bool = True,
    add_like: str | None = None,
    add_count: int = 1,
    site_spacing_m: float | None = None,
) -> CoverageStudy:
    """Coverage of the scenario at ``path`` at ``alt_m`` over its area or ``zone``; with ``add_like`` (a sensor
    name), the best ``add_count`` new sites of that sensor's kind on a ``site_spacing_m`` grid (default 5 cells)."""
    from commonsky.sim.scenario import load_scenario

    scenario = load_scenario(path)
    specs = load_sensor_specs(path, scenario.intents)
    if not specs:
        raise InputError(f"{path}: the scenario has no sensors (add a sensors: list; see docs/scenario-format.md)")
    if zone is not None:
        found = [z for z in scenario.zones if z.name == zone]
        if not found:
            names = ", ".join(repr(z.name) for z in scenario.zones) or "none"
            raise NotFoundError(f"{path}: no zone named {zone!r} (zones: {names})")
        area, area_name = found[0].geometry, zone
    else:
        area, area_name = scenario_area(scenario.intents, specs, [z.geometry for z in scenario.zones]), "scenario area"
    grid = Grid.over(area, resolution_m)
    built = tuple(build_sensor(s, grid.frame, scenario.intents) for s in specs)
    cov = coverage(grid, built, alt_m, mode)
    sites: tuple[SiteChoice, ...] = ()
    if add_like is not None:
        template = next((b for b in built if b.spec.name == add_like), None)
        if template is None:
            raise NotFoundError(f"no sensor named {add_like!r} (sensors: {', '.join(s.name for s in specs)})")
        sites = best_new_sites(cov, template, site_spacing_m or 5 * resolution_m, add_count, cooperative=cooperative)
    return CoverageStudy(scenario.name, area_name, area, cov, cooperative, sites, add_like or "")


def scenario_area(intents: Any, specs: Any, zones: Any = ()) -> BaseGeometry:
    """The envelope of the intents' footprints, the zones and the ground sensors' sites; a scenario without
    intents or zones gets the envelope of its sensors' range circles (lon/lat)."""
    from commonsky.airspace._footprint import circle_footprint

    parts: list[BaseGeometry] = [v.footprint for i in intents for v in i.volumes] + list(zones)
    sites = [shapely.Point(s.lon, s.lat) for s in specs if s.kind != "aew"]
    if not parts:
        parts = [circle_footprint(s.lat, s.lon, s.range_m) for s in specs if s.kind != "aew"]
    return shapely.union_all([*parts, *sites]).envelope


def mask_polygons(grid: Grid, mask: ArrayLike, simplify_m: float | None = None) -> BaseGeometry:
    """The cells of ``mask`` (ny, nx booleans) as one lon/lat (Multi)Polygon, exact along cell edges in the frame
    (runs of cells per row, merged), simplified by ``simplify_m`` in the frame if given."""
    r = grid.resolution_m / 2
    cells = np.broadcast_to(np.asarray(mask, dtype=bool), grid.shape)
    padded = np.pad(cells.astype(np.int8), ((0, 0), (1, 1)))
    edges = np.diff(padded, axis=1)
    rows, starts = np.nonzero(edges == 1)
    _, stops = np.nonzero(edges == -1)
    if not len(rows):
        return shapely.Polygon()
    x0 = grid.east_m[rows, starts] - r
    x1 = grid.east_m[rows, stops - 1] + r
    y = grid.north_m[rows, 0]
    boxes = shapely.box(x0, y - r, x1, y + r)
    merged = shapely.union_all(boxes, grid_size=1.0)
    if simplify_m:
        merged = shapely.simplify(merged, simplify_m)
    return grid.frame.unproject(merged, max_segment_m=20_000.0)


def features(study: CoverageStudy) -> list[dict[str, Any]]:
    """GeoJSON features: covered and blind areas, the studied area, sensors, AEW orbits, proposed sites."""
    c, grid = study.cov, study.cov.grid
    seen = c.any_covered(study.cooperative) & grid.inside
    blind = ~c.any_covered(study.cooperative) & grid.inside
    simplify = grid.resolution_m / 4
    alt_ft = round(c.alt_m / FT_M)
    common = {"altitude_m": round(c.alt_m, 1), "altitude_ft": alt_ft, "terrain": TERRAIN_NOTE}
    out = [
        _feature(
            mask_polygons(grid, seen, simplify),
            role="coverage",
            name=f"Covered at {alt_ft:,} ft",
            covered=True,
            share=round(c.share(cooperative=study.cooperative), 4),
            **common,
        ),
        _feature(
            mask_polygons(grid, blind, simplify),
            role="coverage",
            name=f"Blind at {alt_ft:,} ft",
            covered=False,
            **common,
        ),
        _feature(study.area_lonlat, role="other", name=study.area_name),
    ]
    for s in c.sensors:
        out.append(
            _feature(
                shapely.Point(s.lon, s.lat),
                role="place",
                name=s.spec.name,
                kind=s.spec.kind,
                range_km=round(s.spec.range_m / 1000, 1),
            )
        )
        if s.spec.kind is SensorKind.AEW:
            xy = np.array([s.sensor.platform.position_m(float(t))[:2] for t in s.times_s])
            ring = shapely.LineString(np.vstack([xy, xy[:1]]))
            out.append(_feature(grid.frame.unproject(ring), role="track", name=f"{s.spec.name} orbit"))
    for i, site in enumerate(study.sites, 1):
        out.append(
            _feature(
                shapely.Point(site.lon, site.lat),
                role="place",
                name=f"Proposed site {i}",
                like=study.template,
                new_area_km2=round(site.new_area_m2 / 1e6, 1),
            )
        )
    return [f for f in out if f["geometry"] is not None]


def write_geojson(study: CoverageStudy, out: Path | str) -> None:
    """A FeatureCollection of `features` with the summary in its top-level ``properties``."""
    from commonsky.airspace.geojson import write_json

    doc = {
        "type": "FeatureCollection",
        "name": f"Coverage: {study.scenario}",
        "properties": study.summary(),
        "features": features(study),
    }
    write_json(Path(out), doc)


def write_png(study: CoverageStudy, out: Path | str) -> None:
    """The coverage map over the bundled base map."""
    from commonsky.geo.world import load_world
    from commonsky.render.layers import Layer
    from commonsky.render.png import render_png

    feats = features(study)
    s = study.summary()
    covered = [f for f in feats if f["properties"].get("covered") is True]
    blind = [f for f in feats if f["properties"].get("covered") is False]
    sensors = [f for f in feats if f["properties"]["role"] == "place" and "kind" in f["properties"]]
    proposed = [f for f in feats if f["properties"]["role"] == "place" and "like" in f["properties"]]
    orbits = [f for f in feats if f["properties"]["role"] == "track"]
    area = [f for f in feats if f["properties"]["role"] == "other"]
    layers = [
        Layer(f"Seen at {s['altitude_ft']:,} ft ({100 * s['covered_share']:.0f} %)", "coverage", tuple(covered)),
        Layer(f"Blind at {s['altitude_ft']:,} ft", "conflict", tuple(blind)),
        Layer(f"{study.area_name} (smooth earth, no terrain)", "other", tuple(area), muted=True),
        Layer("AEW orbits", "track", tuple(orbits)),
        Layer("Sensors", "place", tuple(sensors)),
        Layer(f"Proposed sites (like {study.template})", "intent", tuple(proposed)),
    ]
    low = s["lowest_detectable_alt_ft"]
    low_text = f"unseen below {low:,.0f} ft" if low is not None else "part seen by no sensor"
    seen = f"{100 * s['covered_share']:.0f} % seen at {s['altitude_ft']:,} ft"
    title = f"{study.scenario}, {study.area_name}: {seen}, {low_text}"
    x0, y0, x1, y1 = study.area_lonlat.bounds
    pad = 0.05 * max(x1 - x0, y1 - y0)
    render_png(
        [layer for layer in layers if layer.features],
        out,
        title=title,
        bbox=(x0 - pad, y0 - pad, x1 + pad, y1 + pad),
        world=load_world(),
    )


def _feature(geom: BaseGeometry, **props: Any) -> dict[str, Any]:
    return {"type": "Feature", "properties": props, "geometry": None if geom.is_empty else mapping(geom)}


def _finite(value: float, digits: int = 1) -> float | None:
    return round(value, digits) if math.isfinite(value) else None


__all__ = [
    "TERRAIN_NOTE",
    "CoverageStudy",
    "features",
    "mask_polygons",
    "scenario_area",
    "study_scenario",
    "write_geojson",
    "write_png",
]
