// commonsky live picture: a MapLibre GL JS map fed by /api/layers/* and the /ws/picture stream, with no tile
// server and no internet. This module wires the parts in js/ together; the state lives here and is handed in.
// Units, trail settings and the first view come from /api/status; errors are shown in the page (#notice).
import { getJSON } from "./js/api.js";
import { AlertList, alertFrame } from "./js/alerts.js";
import { showClock, wireClock } from "./js/clock.js";
import { wireDetails } from "./js/details.js";
import { byId } from "./js/dom.js";
import { Labels } from "./js/labels.js";
import { addLayers, baseStyle, fetchLayers, loadCoverage, refreshPlan, setVisible } from "./js/layers.js";
import { drawPartyLegend, drawZoneLegend } from "./js/legend.js";
import { Notices } from "./js/notices.js";
import { PartyColours } from "./js/palette.js";
import { intervalStats, recordFrames } from "./js/stats.js";
import { connect } from "./js/stream.js";
import { drawTracks, nextTracks, seedTracks } from "./js/tracks.js";
import { makeUnits } from "./js/units.js";

const JUMP_S = 600;  // simulated time moving back, or this far forward at once, is a jump: trails restart
const BUSY_TRACKS = 500, BUSY_DRAW_MS = 400, BUSY_TRAILS_MS = 2000;  // with many tracks, redraw less often

function main() {
  const notices = new Notices(byId("notice"));
  notices.catchUncaught(window);
  const state = {
    seq: -1, time_s: 0, clock: null, tracks: new Map(), alerts: [], alertCount: 0, selected: null, lastFit: null,
    messages: 0, timing: {}, frameTimes: [], drawnAt: 0, trailsAt: 0, planVersion: undefined, planLayers: undefined,
  };
  const hooks = {  // read by the browser tests and the live benchmark
    state,
    positions: () => [...state.tracks.values()].map((t) => [t.id, t.lon, t.lat]),
    frameStats: () => intervalStats(state.frameTimes),
    resetFrames: () => { state.frameTimes = []; },
    rafStats: recordFrames(),
  };
  window.commonsky = hooks;
  getJSON("/api/status").then(
    (status) => start(status, state, hooks, notices),
    (error) => notices.show("status", `cannot open the live picture: ${error.message}`),
  );
}

function start(status, state, hooks, notices) {
  const units = makeUnits(status.units), trail = status.trail, v = status.view;
  byId("scenario").textContent = status.scenario;
  const map = new maplibregl.Map({
    container: "map", style: baseStyle(), bounds: [[v.west, v.south], [v.east, v.north]],
    fitBoundsOptions: { padding: 30 }, attributionControl: false, maxPitch: 0, dragRotate: false,
  });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-left");
  map.addControl(new maplibregl.ScaleControl({ unit: "nautical" }), "bottom-left");
  map.addControl(new maplibregl.AttributionControl({
    compact: true, customAttribution: "Natural Earth (public domain) · GeoNames (CC-BY 4.0) · commonsky",
  }));
  hooks.map = map;
  hooks.bounds = () => { const b = map.getBounds(); return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]; };

  const panel = byId("panel"), toggle = (name) => panel.querySelector(`input[data-layer="${name}"]`);
  const partyLegend = byId("legend-parties");
  const colours = new PartyColours(() => drawPartyLegend(partyLegend, colours));
  const alertList = new AlertList(byId("alerts"), byId("alertcount"), units);
  const drawAlerts = () => alertList.draw(state.alerts, state.alertCount, state.tracks, state.time_s, state.selected);
  const clockUi = { time: byId("simtime"), date: byId("simdate"), playPause: byId("playpause"), speed: byId("speed"),
    jump: byId("jumpto"), jumpForm: byId("jumpform") };
  const onClock = (clock, time_s) => { state.clock = clock; showClock(clockUi, clock, time_s); };
  const fail = (source) => (error) => notices.show(source, error.message);

  hooks.zoomToAlert = (id) => {
    const a = state.alerts.find((x) => x.alert_id === id), frame = a ? alertFrame(a, state.tracks) : null;
    if (!frame) return;
    state.selected = id;
    state.lastFit = { alert: id, ...frame };
    const b = frame.bbox;
    map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: 120, maxZoom: 9, duration: 600 });
    drawAlerts();
  };

  const labels = new Labels(map, byId("labels"), units, () => ({
    tracks: state.tracks, countries: state.countries, places: state.places, showPlaces: toggle("places").checked,
  }));
  const sizeLabels = () => labels.size(byId("map"));
  map.on("render", () => {
    const t0 = performance.now();
    state.frameTimes.push(t0);
    if (state.frameTimes.length > 4000) state.frameTimes.shift();
    labels.draw();
    state.timing.labels_ms = performance.now() - t0;
  });
  map.on("resize", sizeLabels);
  window.addEventListener("resize", sizeLabels);
  sizeLabels();

  const draw = (keepTrails) => {
    drawTracks(map, state.tracks, state.alerts, colours, { showTrails: toggle("trails").checked, keepTrails });
  };

  function onPicture(msg, parse_ms) {
    const t0 = performance.now();
    const jumped = msg.time_s < state.time_s || msg.time_s - state.time_s > JUMP_S;
    state.tracks = nextTracks(state.tracks, msg, jumped, trail);
    state.seq = msg.seq; state.time_s = msg.time_s; state.messages += 1;
    state.alerts = msg.alerts; state.alertCount = msg.alert_count;
    if (state.planVersion !== undefined && msg.plan_version !== state.planVersion) {
      refreshPlan(map, state.planLayers).then(() => notices.clear("plan"), fail("plan"));
    }
    state.planVersion = msg.plan_version;
    onClock(msg.clock, msg.time_s);
    byId("ntracks").textContent = String(msg.tracks.id.length);
    byId("nalerts").textContent = String(msg.alert_count);
    byId("tickms").textContent = msg.stats.work_ms.toFixed(1);
    const now = performance.now(), busy = msg.tracks.id.length > BUSY_TRACKS;
    if (!busy || now - state.drawnAt > BUSY_DRAW_MS) {
      const keepTrails = busy && now - state.trailsAt < BUSY_TRAILS_MS;
      draw(keepTrails);
      state.drawnAt = now;
      if (!keepTrails) state.trailsAt = now;
    }
    drawAlerts();
    state.timing.parse_ms = parse_ms;
    state.timing.picture_ms = performance.now() - t0;
  }

  map.on("load", async () => {
    const data = await fetchLayers((name, error) => notices.show("layer-" + name, `layer ${name}: ${error.message}`));
    addLayers(map, data);
    state.places = data.places;
    state.countries = data.countries;
    state.planLayers = { zones: data.zones, intents: data.intents };
    // Colours by party in a stable order (the filing parties, sorted), whatever appears first on the map.
    [...new Set(data.intents.features.map((f) => f.properties.party))].sort().forEach((p) => colours.colour(p));
    drawZoneLegend(byId("legend-zones"));
    drawPartyLegend(partyLegend, colours);
    wireDetails(map, () => state.tracks, units);
    wirePanel(map, panel, () => byId("covalt").value, fail("coverage"), () => notices.clear("coverage"));
    byId("alerts").addEventListener("click", (e) => {
      const li = e.target.closest("li[data-alert-id]");
      if (li) hooks.zoomToAlert(Number(li.dataset.alertId));
    });
    wireClock(clockUi, { clock: () => state.clock, onClock: (c) => { notices.clear("clock"); onClock(c); },
      onError: fail("clock") });
    onClock(status.clock);
    try {
      const seed = await getJSON("/api/picture/tracks?trail=true");
      state.tracks = seedTracks(seed, trail);
    } catch (error) {
      notices.show("seed", `no earlier positions: ${error.message}`);
    }
    const conn = byId("conn");
    connect({
      onMessage: onPicture,
      onUp: () => { conn.textContent = "live"; conn.className = "up"; notices.clear("stream"); },
      onDown: (ev) => {
        conn.textContent = "offline"; conn.className = "down";
        notices.show("stream", `the live picture stream is down${ev.reason ? " (" + ev.reason + ")" : ""}: reconnecting`);
      },
    });
  });
}

/** The layer check boxes, and the coverage altitude (coverage is computed by the server when first shown). */
function wirePanel(map, panel, altitude, onError, onLoaded) {
  const coverage = () => loadCoverage(map, altitude()).then(onLoaded, onError);
  for (const box of panel.querySelectorAll("input[data-layer]")) {
    box.addEventListener("change", async () => {
      if (box.dataset.layer === "coverage" && box.checked) await coverage();
      setVisible(map, box.dataset.layer, box.checked);
    });
  }
  byId("covalt").addEventListener("change", () => { if (byId("coverage").checked) coverage(); });
}

main();
