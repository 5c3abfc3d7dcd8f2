"""Files of an analysis: losses and infringements (Parquet, CSV, GeoJSON), counts per day and per region, the
heat map PNG and summary.json. Times are UNIX seconds plus ISO 8601 UTC text; distances and altitudes metres.

Every loss episode has its ``kind`` (`LossKind`, as `commonsky replay` reports them): counts are given per kind
(``true_losses``, ``height_keeping``), and the heat map shows true losses only (height keeping left out, said in
its title)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from commonsky.archive.engine import Analysis
from commonsky.archive.regions import regions_of
from commonsky.safety.height_keeping import LossKind

if TYPE_CHECKING:
    import pandas as pd

    from commonsky.render.basemap import WorldLike
    from commonsky.render.layers import BBox


def _with_utc(frame: pd.DataFrame, lat: str, lon: str, world: WorldLike) -> pd.DataFrame:
    import pandas as pd

    out = frame.copy()
    for c in ("start_s", "end_s"):
        out[c.replace("_s", "_utc")] = pd.to_datetime(out[c], unit="s", utc=True).dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    out["region"] = regions_of(out[lat].to_numpy(np.float64), out[lon].to_numpy(np.float64), world)
    return out


def _geojson(frame: pd.DataFrame, lat: str, lon: str) -> dict[str, Any]:
    features = []
    for row in frame.to_dict(orient="records"):
        props = {k: (v.item() if isinstance(v, np.generic) else v) for k, v in row.items() if k not in (lat, lon)}
        geometry = {"type": "Point", "coordinates": [float(row[lon]), float(row[lat])]}
        features.append({"type": "Feature", "geometry": geometry, "properties": props})
    return {"type": "FeatureCollection", "features": features}


KIND_COUNTS = {LossKind.LOSS: "true_losses", LossKind.HEIGHT_KEEPING: "height_keeping"}
"""The name each `LossKind` is counted under (as in `commonsky replay`'s summary)."""


def _counts(losses: pd.DataFrame, zones: pd.DataFrame, by: str) -> pd.DataFrame:
    import pandas as pd

    kinds = [
        losses.loc[losses["kind"] == kind.value].groupby(by).size().rename(name) for kind, name in KIND_COUNTS.items()
    ]
    b = zones.groupby(by).size().rename("infringements")
    columns = [*KIND_COUNTS.values(), "infringements"]
    both = pd.concat([*kinds, b], axis=1).reindex(columns=columns).fillna(0).astype(np.int64)
    return both.sort_index().reset_index().rename(columns={"index": by})


def write_analysis(
    analysis: Analysis, out_dir: Path, summary: dict[str, Any], world: WorldLike, bbox: BBox
) -> list[Path]:
    """Write every output into ``out_dir``; ``summary`` (settings, timings) is completed and written last."""
    from commonsky.render.heatmap import render_heatmap

    out_dir.mkdir(parents=True, exist_ok=True)
    losses = _with_utc(analysis.losses, "lat", "lon", world)
    zones = _with_utc(analysis.infringements, "entry_lat", "entry_lon", world)
    written: list[Path] = []
    for name, frame, lat, lon in (("losses", losses, "lat", "lon"), ("infringements", zones, "entry_lat", "entry_lon")):
        frame.to_parquet(out_dir / f"{name}.parquet", index=False)
        frame.to_csv(out_dir / f"{name}.csv", index=False)
        (out_dir / f"{name}.geojson").write_text(json.dumps(_geojson(frame, lat, lon)), encoding="utf-8")
        written += [out_dir / f"{name}.{ext}" for ext in ("parquet", "csv", "geojson")]
    losses["day"] = losses["start_utc"].str[:10]
    zones["day"] = zones["start_utc"].str[:10]
    for by in ("day", "region"):
        path = out_dir / f"counts_per_{by}.csv"
        _counts(losses, zones, by).to_csv(path, index=False)
        written.append(path)
    heat = out_dir / "heatmap.png"
    true = losses.loc[losses["kind"] == LossKind.LOSS.value]
    render_heatmap(
        {
            "true losses of separation": (true["lon"].to_numpy(np.float64), true["lat"].to_numpy(np.float64)),
            "zone infringements": (zones["entry_lon"].to_numpy(np.float64), zones["entry_lat"].to_numpy(np.float64)),
        },
        heat,
        title="True losses of separation (height keeping left out) and zone infringements",
        bbox=bbox,
        world=world,
    )
    written.append(heat)
    duration = analysis.losses["end_s"] - analysis.losses["start_s"]
    full = {
        **summary,
        "reports": analysis.reports,
        "samples": analysis.samples,
        "partitions": analysis.partitions,
        "tasks": analysis.tasks,
        "segments_faster_than_halo": analysis.fast_segments,
        "losses": len(analysis.losses),
        **{name: int((analysis.losses["kind"] == kind.value).sum()) for kind, name in KIND_COUNTS.items()},
        "loss_seconds": float((analysis.losses["end_s"] - analysis.losses["start_s"]).sum()),
        "loss_seconds_by_kind": {
            kind.value: float(duration.loc[analysis.losses["kind"] == kind.value].sum()) for kind in KIND_COUNTS
        },
        "infringements": len(analysis.infringements),
        "infringements_by_zone": {str(k): int(v) for k, v in analysis.infringements.groupby("zone").size().items()},
        "outputs": [p.name for p in [*written, out_dir / "summary.json"]],
    }
    (out_dir / "summary.json").write_text(json.dumps(full, indent=2, allow_nan=False), encoding="utf-8")
    written.append(out_dir / "summary.json")
    return written


def auto_bbox(analysis: Analysis, pad_deg: float = 2.0) -> BBox:
    """A view around every event (the world when there is none or they span most of it)."""
    lat = np.concatenate([analysis.losses["lat"], analysis.infringements["entry_lat"]]).astype(np.float64)
    lon = np.concatenate([analysis.losses["lon"], analysis.infringements["entry_lon"]]).astype(np.float64)
    if lat.size == 0:
        return (-180.0, -75.0, 180.0, 80.0)
    w, e = float(lon.min()) - pad_deg, float(lon.max()) + pad_deg
    s, n = max(float(lat.min()) - pad_deg, -85.0), min(float(lat.max()) + pad_deg, 85.0)
    if e - w > 300.0:
        return (-180.0, s, 180.0, n)
    return (max(w, -180.0), s, min(e, 180.0), n)
