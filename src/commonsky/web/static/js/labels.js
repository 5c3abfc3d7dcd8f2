// Labels on a canvas over the map (MapLibre's own text needs glyph files, which are not shipped): aircraft,
// country names and places, each drawn only where it overlaps no label drawn before it.
import { UNKNOWN } from "./palette.js";

const BOLD = "600 11px system-ui, sans-serif", MONO = "10px ui-monospace, monospace";
const COUNTRY = "600 12px system-ui, sans-serif", PLACE = "11px system-ui, sans-serif";
const MAX_AIRCRAFT_LABELS = 250;

export class Labels {
  /** ``layers()`` gives {tracks, countries, places, showPlaces} at each redraw. */
  constructor(map, canvas, units, layers) {
    this.map = map;
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d");
    this.units = units;
    this.layers = layers;
    this.placed = [];
  }

  size(box) {
    const r = window.devicePixelRatio || 1;
    this.canvas.width = box.clientWidth * r;
    this.canvas.height = box.clientHeight * r;
    this.canvas.style.width = box.clientWidth + "px";
    this.canvas.style.height = box.clientHeight + "px";
    this.ctx.setTransform(r, 0, 0, r, 0, 0);
  }

  fits(x, y, w, h) {
    for (const r of this.placed) if (x < r[0] + r[2] && r[0] < x + w && y < r[1] + r[3] && r[1] < y + h) return false;
    this.placed.push([x, y, w, h]);
    return true;
  }

  text(s, x, y, font, fill, align = "left") {
    const g = this.ctx;
    g.font = font; g.textAlign = align; g.lineWidth = 3; g.strokeStyle = "rgba(255,255,255,.9)";
    g.strokeText(s, x, y);
    g.fillStyle = fill;
    g.fillText(s, x, y);
  }

  draw() {
    const w = this.canvas.clientWidth, h = this.canvas.clientHeight;
    const inside = (p) => p.x >= 0 && p.y >= 0 && p.x <= w && p.y <= h;
    const { tracks, countries, places, showPlaces } = this.layers();
    this.ctx.clearRect(0, 0, w, h);
    this.placed = [];
    const visible = [];
    for (const t of tracks.values()) {
      const p = this.map.project([t.lon, t.lat]);
      if (inside(p)) visible.push([t, p]);
    }
    if (visible.length <= MAX_AIRCRAFT_LABELS) for (const [t, p] of visible) this.aircraft(t, p);
    for (const f of countries ? countries.features : []) {
      const p = this.map.project(f.properties.label), name = f.properties.name.toUpperCase();
      if (!inside(p)) continue;
      this.ctx.font = COUNTRY;
      const tw = this.ctx.measureText(name).width;
      if (this.fits(p.x - tw / 2, p.y - 12, tw, 16)) this.text(name, p.x, p.y, COUNTRY, "#8a8174", "center");
    }
    if (!places || !showPlaces) return;
    const zoom = this.map.getZoom(), limit = zoom < 5.5 ? 30 : zoom < 7 ? 80 : 200;
    this.ctx.font = PLACE;
    for (const f of places.features) {
      if (f.properties.rank >= limit) continue;
      const p = this.map.project(f.geometry.coordinates);
      if (!inside(p)) continue;
      const tw = this.ctx.measureText(f.properties.name).width;
      if (this.fits(p.x + 4, p.y - 14, tw + 2, 13)) this.text(f.properties.name, p.x + 5, p.y - 4, PLACE, "#495057");
    }
  }

  /** Two lines: who (party's label, else the callsign or ICAO address heard) and intent; level, speed, squawk. */
  aircraft(t, p) {
    if (!this.fits(p.x + 8, p.y - 13, 110, 27)) return;
    const heard = t.callsign || (t.icao24 ? t.icao24.toUpperCase() : "");
    const who = t.party ? t.label : heard || "UNKNOWN";
    this.text(who + (t.intent && t.intent !== who ? "  " + t.intent : ""), p.x + 9, p.y - 2, BOLD,
      t.party ? "#212529" : UNKNOWN);
    const u = this.units;
    this.text(`${u.flightLevel(t.alt_m)} ${u.knots(t.gs_ms)}kt${t.squawk ? " " + t.squawk : ""}`, p.x + 9, p.y + 10,
      MONO, "#495057");
  }
}
