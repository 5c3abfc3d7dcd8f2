// The map's layers: GeoJSON from /api/layers/*, drawn without tiles or glyphs (labels are on a canvas).
import { getJSON } from "./api.js";
import { LAND, SEA, ZONE } from "./palette.js";

/** Layers read from the server once (the plan layers are read again when the broker's plan changes). */
export const SERVED = ["countries", "provinces", "border", "zones", "intents", "places", "sensors"];
export const PLAN = ["zones", "intents"];
/** Layers drawn from the stream. */
const LIVE = ["coverage", "trails", "tracks", "alertlinks"];
/** The check boxes of the panel (data-layer) -> the map layers they show or hide. */
export const TOGGLES = Object.freeze({
  zones: ["zones-fill", "zones-line"], intents: ["intents-fill", "intents-line", "intents-centre"],
  places: ["places-dot"], provinces: ["provinces-line"], coverage: ["coverage-fill", "coverage-line"],
  sensors: ["sensors-dot"], trails: ["trails-line"],
});

export const empty = () => ({ type: "FeatureCollection", features: [] });

/** A style with no remote source: the sea as background, everything else added by `addLayers`. */
export const baseStyle = () => ({
  version: 8, sources: {}, layers: [{ id: "sea", type: "background", paint: { "background-color": SEA } }],
});

/** Every served layer by name; a layer that fails is reported to ``onError`` and drawn empty. */
export async function fetchLayers(onError) {
  const read = (name) => getJSON("/api/layers/" + name).catch((error) => { onError(name, error); return empty(); });
  const data = await Promise.all(SERVED.map(read));
  return Object.fromEntries(SERVED.map((name, i) => [name, data[i]]));
}

/** A heading arrow as an SDF image (coloured per track by the layer). */
function arrowImage() {
  const n = 32, c = document.createElement("canvas");
  c.width = c.height = n;
  const g = c.getContext("2d");
  g.fillStyle = "#000";
  g.beginPath();
  g.moveTo(n / 2, 2); g.lineTo(n - 7, n - 5); g.lineTo(n / 2, n - 11); g.lineTo(7, n - 5);
  g.closePath();
  g.fill();
  return g.getImageData(0, 0, n, n);
}

/** Add the sources (``data``: served layers by name) and the styled layers, bottom to top. */
export function addLayers(map, data) {
  map.addImage("arrow", arrowImage(), { sdf: true, pixelRatio: 2 });
  for (const [name, fc] of Object.entries(data)) map.addSource(name, { type: "geojson", data: fc });
  for (const name of LIVE) map.addSource(name, { type: "geojson", data: empty() });
  const kind = ["get", "kind"], role = ["get", "role"];
  const zoneColour = (i) => ["match", kind, ...Object.entries(ZONE).flatMap(([k, c]) => [k, c[i]]), "#868e96"];
  const hidden = { visibility: "none" };
  for (const layer of [
    { id: "countries-fill", type: "fill", source: "countries", paint: { "fill-color": LAND } },
    { id: "coverage-fill", type: "fill", source: "coverage", layout: hidden,
      paint: { "fill-color": ["match", kind, "adsb", "#74c0fc", "#94d82d"], "fill-opacity": 0.22 } },
    { id: "coverage-line", type: "line", source: "coverage", layout: hidden,
      paint: { "line-color": ["match", kind, "adsb", "#1c7ed6", "#5c940d"], "line-width": 1.2 } },
    { id: "provinces-line", type: "line", source: "provinces",
      paint: { "line-color": "#bfb6a8", "line-width": 0.7, "line-dasharray": [4, 2.5] } },
    { id: "countries-line", type: "line", source: "countries", paint: { "line-color": "#9c958a", "line-width": 0.8 } },
    { id: "zones-fill", type: "fill", source: "zones",
      paint: { "fill-color": zoneColour(1), "fill-opacity": ["case", ["==", kind, "prohibited"], 0.07, 0.28] } },
    { id: "zones-line", type: "line", source: "zones", paint: { "line-color": zoneColour(0), "line-width": 1.6 } },
    { id: "border-line", type: "line", source: "border", paint: { "line-color": "#343a40", "line-width": 2.2 } },
    { id: "intents-fill", type: "fill", source: "intents", filter: ["==", role, "volume"],
      paint: { "fill-color": "#3bc9db", "fill-opacity": 0.10 } },
    { id: "intents-line", type: "line", source: "intents", filter: ["==", role, "volume"],
      paint: { "line-color": "#0b7285", "line-width": 1, "line-opacity": 0.6 } },
    { id: "intents-centre", type: "line", source: "intents", filter: ["==", role, "centreline"],
      paint: { "line-color": "#0b7285", "line-width": 1.4, "line-dasharray": [3, 2] } },
    { id: "places-dot", type: "circle", source: "places",
      filter: ["<", ["get", "rank"], ["step", ["zoom"], 30, 5.5, 80, 7, 200]],
      paint: { "circle-radius": 2.6, "circle-color": "#495057", "circle-stroke-color": "#fff", "circle-stroke-width": 1 } },
    { id: "sensors-dot", type: "circle", source: "sensors", layout: hidden,
      paint: { "circle-radius": 5, "circle-color": "#fff", "circle-stroke-color": "#1864ab", "circle-stroke-width": 2.5 } },
    { id: "trails-line", type: "line", source: "trails",
      paint: { "line-color": ["get", "colour"], "line-width": 2, "line-opacity": 0.7 } },
    { id: "alertlinks-line", type: "line", source: "alertlinks",
      paint: { "line-color": "#e03131", "line-width": 2.2, "line-dasharray": [2, 1.5] } },
    { id: "tracks-halo", type: "circle", source: "tracks", filter: ["get", "alerted"],
      paint: { "circle-radius": 11, "circle-color": "rgba(0,0,0,0)", "circle-stroke-color": "#e03131", "circle-stroke-width": 2.2 } },
    // Circles at every zoom (cheap to draw for thousands); heading arrows only when zoomed in.
    { id: "tracks-dot", type: "circle", source: "tracks", maxzoom: 7,
      paint: { "circle-radius": 3.2, "circle-color": ["get", "colour"], "circle-stroke-color": "#fff", "circle-stroke-width": 0.8 } },
    { id: "tracks-icon", type: "symbol", source: "tracks", minzoom: 7,
      layout: { "icon-image": "arrow", "icon-rotate": ["get", "trk"], "icon-rotation-alignment": "map",
        "icon-allow-overlap": true, "icon-ignore-placement": true, "icon-size": 1.0 },
      paint: { "icon-color": ["get", "colour"], "icon-halo-color": "#fff", "icon-halo-width": 1.2 } },
  ]) map.addLayer(layer);
}

/** Read the plan layers again (the broker's intents or zones changed) into the map and ``planLayers``. */
export async function refreshPlan(map, planLayers) {
  for (const name of PLAN) {
    const data = await getJSON("/api/layers/" + name);
    map.getSource(name).setData(data);
    planLayers[name] = data;
  }
}

/** The coverage at ``alt_ft`` (radars and ADS-B receivers), read from the server. */
export async function loadCoverage(map, alt_ft) {
  map.getSource("coverage").setData(await getJSON("/api/layers/coverage?alt_ft=" + encodeURIComponent(alt_ft)));
}

export function setVisible(map, toggle, visible) {
  for (const id of TOGGLES[toggle]) map.setLayoutProperty(id, "visibility", visible ? "visible" : "none");
  map.triggerRepaint();
}

/** Frame ``view`` ({west, south, east, north}, served by /api/status) at once. */
export function fitView(map, view) {
  map.fitBounds([[view.west, view.south], [view.east, view.north]], { padding: 30, duration: 0 });
}
