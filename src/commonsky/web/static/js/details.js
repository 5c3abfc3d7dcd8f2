// Click an aircraft: its identity as heard (ICAO address, callsign, squawk) and who sees it, as text.
import { el } from "./dom.js";

const DASH = "—";

function rows(t, units) {
  return [
    ["track", t.id], ["ICAO", t.icao24 ? t.icao24.toUpperCase() : DASH], ["callsign", t.callsign || DASH],
    ["squawk", t.squawk || DASH], ["party", t.party || "unknown"], ["intent", t.intent || DASH],
    ["status", t.status || DASH], ["level", t.onGround ? "on the ground" : units.flightLevel(t.alt_m)], ["speed", `${units.knots(t.gs_ms)} kt`],
    ["climb", `${units.feetPerMinute(t.vs_ms)} ft/min`], ["seen by", t.sources || DASH],
  ];
}

/** A table of the track's fields, built from text nodes only. */
export function detailsTable(t, units) {
  return el("table", { className: "track-details" },
    ...rows(t, units).map(([k, v]) => el("tr", {}, el("th", { text: k }), el("td", { text: v }))));
}

/** Show the details of the clicked track (from ``tracks()``) in a popup. */
export function wireDetails(map, tracks, units) {
  const popup = new maplibregl.Popup({ closeButton: true, closeOnClick: true, maxWidth: "280px" });
  for (const layer of ["tracks-dot", "tracks-icon"]) {
    map.on("click", layer, (e) => {
      const t = e.features.length ? tracks().get(e.features[0].properties.id) : null;
      if (t) popup.setLngLat([t.lon, t.lat]).setDOMContent(detailsTable(t, units)).addTo(map);
    });
  }
}
