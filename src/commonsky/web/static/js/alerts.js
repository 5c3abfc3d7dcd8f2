// The alerts list: one <li> per alert id, updated in place (a click never lands on a node being replaced);
// a click frames the alert's aircraft.
import { el } from "./dom.js";

const clockTime = (t_s) => new Date(t_s * 1000).toISOString().slice(11, 19);

/** What to say about alert ``a`` at ``now_s``: {what, when, detail}, plain text. */
export function describe(a, tracks, now_s, units) {
  const name = (id) => { const t = tracks.get(id); return t ? `${t.label} (${id})` : id; };
  const inS = `in ${Math.round(Math.max(0, a.predicted_s - now_s))} s`;
  switch (a.kind) {
  case "conflict": {
    const cpa = a.dcpa_m === null ? "?" : units.nauticalMiles(a.dcpa_m).toFixed(1);
    const tcpa = a.tcpa_s === null ? "?" : Math.round(a.tcpa_s);
    return { what: `${name(a.subjects[0])} × ${name(a.subjects[1])}`, when: a.actual_s !== null ? "LOSS" : inS,
      detail: `conflict · CPA ${cpa} NM in ${tcpa} s` };
  }
  case "unknown":
    return { what: `UNKNOWN aircraft ${name(a.subjects[0])}`, when: "UNKNOWN", detail: a.reason || "no intent, no identity" };
  case "coverage-loss":
    return { what: `SENSOR ${a.subjects[0]} silent`, when: "NO COVER", detail: a.reason || "coverage loss" };
  case "non-conforming":
    return { what: `${name(a.subjects[0])} off ${a.subjects[1] || "its intent"}`, when: "OFF PLAN", detail: a.reason };
  default:
    return { what: `${name(a.subjects[0])} → ${a.subjects[1]}`, when: a.actual_s !== null ? "INSIDE" : inS,
      detail: "zone incursion" };
  }
}

export class AlertList {
  /** @param {HTMLOListElement} list @param {HTMLElement} count the badge with the number of alerts up */
  constructor(list, count, units) {
    this.list = list;
    this.count = count;
    this.units = units;
    this.items = new Map();
    this.none = el("li", { className: "none", text: "no alert" });
  }

  /** Show the first 100 of ``alerts`` (``total`` up), ``selected`` highlighted. */
  draw(alerts, total, tracks, now_s, selected) {
    this.count.textContent = String(total);
    this.count.className = total ? "count hot" : "count";
    const shown = alerts.slice(0, 100), keep = new Set(shown.map((a) => a.alert_id));
    for (const [id, li] of this.items) if (!keep.has(id)) { li.remove(); this.items.delete(id); }
    if (!shown.length) { this.list.replaceChildren(this.none); return; }
    this.none.remove();
    let prev = null;
    for (const a of shown) {
      let li = this.items.get(a.alert_id);
      if (!li) {
        li = el("li", { dataset: { alertId: a.alert_id } },
          el("span", { className: "when" }), el("div", { className: "what" }), el("div", { className: "detail" }));
        this.items.set(a.alert_id, li);
      }
      const d = describe(a, tracks, now_s, this.units);
      const safety = a.kind === "conflict" || a.kind === "incursion";
      li.className = a.kind + (safety && a.actual_s !== null ? " los" : "") + (selected === a.alert_id ? " sel" : "");
      li.querySelector(".when").textContent = d.when;
      li.querySelector(".what").textContent = d.what;
      li.querySelector(".detail").textContent = `${d.detail} · raised ${clockTime(a.raised_s)}`;
      const want = prev ? prev.nextSibling : this.list.firstChild;
      if (want !== li) this.list.insertBefore(li, want);
      prev = li;
    }
  }
}

/** Where to look for alert ``a``: its aircraft, or its aircraft and where it happens; null when none is known.
 * Returns {points: [[lon, lat], ...], bbox: [w, s, e, n]}. */
export function alertFrame(a, tracks) {
  const points = [];
  const p = tracks.get(a.subjects[0]);
  if (p) points.push([p.lon, p.lat]);
  if (a.kind === "conflict") { const q = tracks.get(a.subjects[1]); if (q) points.push([q.lon, q.lat]); }
  if (a.lat !== null && a.lon !== null && points.length < 2) points.push([a.lon, a.lat]);
  if (!points.length) return null;
  const lons = points.map((x) => x[0]), lats = points.map((x) => x[1]);
  return { points, bbox: [Math.min(...lons), Math.min(...lats), Math.max(...lons), Math.max(...lats)] };
}
