"""What `commonsky replay` writes: alerts, events (CSV, GeoJSON), losses.csv, summary.json, and the alert-quality
report (report.html with its pictures, which are also written as PNG files)."""

from __future__ import annotations

import base64
import csv
import html
import json
from pathlib import Path
from typing import Any

import numpy as np

from commonsky.safety.alerts import Alert, AlertKind
from commonsky.safety.losses import write_losses_csv
from commonsky.safety.replay import NuisanceCause, ReplayResult


def _num(value: float | None) -> float | None:
    return None if value is None or not np.isfinite(value) else float(value)


def _alert_row(alert: Alert) -> dict[str, Any]:
    return {
        "alert_id": alert.alert_id,
        "kind": alert.kind.value,
        "subject": alert.subjects[0],
        "other": alert.subjects[1],
        "raised_s": alert.raised_s,
        "ended_s": alert.ended_s,
        "predicted_s": _num(alert.predicted_s),
        "actual_s": alert.actual_s,
        "warning_time_s": _num(round(alert.warning_time_s, 3)),
        "tcpa_s": _num(alert.tcpa_s),
        "dcpa_m": _num(alert.dcpa_m),
        "lat": _num(alert.lat),
        "lon": _num(alert.lon),
    }


def _blank() -> Alert:
    return Alert(0, AlertKind.CONFLICT, ("", ""), 0.0, 0.0, 0.0)


def _json(value: object) -> object:
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def write_outputs(result: ReplayResult, out_dir: Path | str) -> list[Path]:
    """Write alerts.csv, events.csv, losses.csv, alerts.geojson, events.geojson, summary.json, the report's
    PNG pictures and report.html into ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    alert_rows = [_alert_row(a) for a in result.alerts]
    event_rows = [{"event": e.kind.value, "time_s": e.time_s, **_alert_row(e.alert)} for e in result.events]
    written = []
    for name, rows, header in (
        ("alerts.csv", alert_rows, list(_alert_row(_blank()).keys())),
        ("events.csv", event_rows, ["event", "time_s", *_alert_row(_blank()).keys()]),
    ):
        with open(out / name, "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=header)
            writer.writeheader()
            writer.writerows(rows)
        written.append(out / name)
    write_losses_csv(out / "losses.csv", result.losses)
    written.append(out / "losses.csv")
    for name, rows in (("alerts.geojson", alert_rows), ("events.geojson", event_rows)):
        features = [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [r["lon"], r["lat"]]},
                "properties": {k: v for k, v in r.items() if k not in ("lat", "lon")},
            }
            for r in rows
            if r["lat"] is not None and r["lon"] is not None
        ]
        (out / name).write_text(json.dumps({"type": "FeatureCollection", "features": features}, default=_json))
        written.append(out / name)
    (out / "summary.json").write_text(json.dumps(result.summary, indent=2, default=_json))
    written.append(out / "summary.json")
    written.extend(write_report(result, out))
    return written


def _figures(result: ReplayResult) -> dict[str, Any]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    q = result.summary.get("quality", {})
    figs = {}
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    w = q.get("warning_times_s", [])
    ax.hist(w, bins=np.arange(0.0, max([*w, 300.0]) + 15.0, 15.0).tolist(), color="#3a6ea5")
    ax.set_xlabel("warning time (s) before the loss of separation began")
    ax.set_ylabel("true losses")
    ax.set_title(f"Warning time of true losses: {len(w)} warned, {q.get('missed', 0)} missed")
    figs["warning_time.png"] = fig
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    raised = [a.raised_s for a in result.alerts if a.kind is AlertKind.CONFLICT]
    losses = result.losses
    starts = losses.start_s[losses.true_loss].tolist()
    kept = losses.start_s[losses.height_keeping].tolist()
    parallel = losses.start_s[losses.parallel_runways].tolist()
    times = raised + starts + kept + parallel
    if times:
        t0 = min(times)
        bins = np.arange(0.0, (max(times) - t0) // 600.0 * 600.0 + 1200.0, 600.0)  # one bin at least
        ax.hist(
            [np.array(x) - t0 for x in (raised, starts, kept, parallel)],
            bins=bins.tolist(),
            label=[
                "alerts raised",
                "true losses began",
                "height-keeping episodes began",
                "parallel-runway episodes began",
            ],
        )
        ax.set_xticks(bins[:: max(1, len(bins) // 8)], [f"{b / 60:.0f}" for b in bins[:: max(1, len(bins) // 8)]])
        ax.legend()
    ax.set_xlabel("minutes from the first alert or loss (10-minute bins)")
    ax.set_ylabel("count")
    ax.set_title("Alerts and losses over time")
    figs["over_time.png"] = fig
    fig, ax = plt.subplots(figsize=(6.4, 3.0))
    causes = [c.value for c in NuisanceCause]
    counts = [sum(v is c for v in result.nuisance.values()) for c in NuisanceCause]
    ax.barh(causes, counts, color="#c0504d")
    ax.set_xlabel("nuisance alerts")
    ax.set_title(f"Nuisance alerts by cause ({sum(counts)} in all)")
    fig.tight_layout()
    figs["nuisance_by_cause.png"] = fig
    return figs


def write_report(result: ReplayResult, out: Path) -> list[Path]:
    """report.html (self-contained: pictures inlined) and the same pictures as PNG files."""
    import matplotlib.pyplot as plt

    written = []
    parts = []
    for name, fig in _figures(result).items():
        fig.tight_layout()
        fig.savefig(out / name, dpi=96)
        plt.close(fig)
        written.append(out / name)
        data = base64.b64encode((out / name).read_bytes()).decode("ascii")
        parts.append(f'<figure><img alt="{name}" src="data:image/png;base64,{data}"></figure>')
    q = result.summary.get("quality", {})
    rows = "".join(
        f"<tr><th>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>"
        for k, v in q.items()
        if k != "warning_times_s"
    )
    page = (
        "<!doctype html><html><head><meta charset='utf-8'><title>commonsky replay: alert quality</title>"
        "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}td,th{padding:2px 8px;text-align:left}"
        "</style></head><body><h1>Alert quality</h1>"
        "<p>Loss episodes come from the reports in exact feet (closer than the horizontal AND the vertical "
        "minimum). <em>height_keeping</em>: both aircraft level within 300 ft of IFR flight levels at least the "
        "vertical minimum apart (separation by levels held; 300 ft is ICAO's large height deviation); "
        "<em>parallel_runways</em>: arrivals and departures on parallel runways (both low, climbing or descending "
        "on tracks within 5 degrees, at least 1,035 m apart: separation by the runways, ICAO Doc 9643); "
        "<em>true_losses</em>: all others; <em>not_warnable</em>: true losses that began less than "
        "<em>first_sight_s</em> after one aircraft was first seen. <em>warned</em>, <em>missed</em> and the "
        "warning times count true losses; <em>warned_all</em> counts every episode. Misses by cause: "
        "<em>missed_at_first_sight</em> (not warnable), <em>missed_from_held_levels</em> (both aircraft held "
        "levels at least the vertical minimum apart until one left its level towards the other: without the "
        "cleared level, nothing in surveillance data foretells it), <em>missed_other</em>.</p>"
        f"<table>{rows}</table>{''.join(parts)}</body></html>"
    )
    (out / "report.html").write_text(page, encoding="utf-8")
    written.append(out / "report.html")
    return written
