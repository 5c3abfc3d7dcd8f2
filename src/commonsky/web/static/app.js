// commonsky live picture: MapLibre GL JS map fed by /api/layers/* and the /ws/picture stream.
// No tile server and no internet: the style has no remote sources; labels are drawn on a canvas overlay
// (MapLibre text needs glyph PBFs, which are not shipped).
"use strict";

(function () {
  const SEA = "#dce9f3", LAND = "#f6f3ec";
  const ZONE = {
    buffer: ["#d9480f", "#fd7e14"], restricted: ["#c92a2a", "#fa5252"], prohibited: ["#862e9c", "#be4bdb"],
    corridor: ["#1864ab", "#339af0"], advisory: ["#e67700", "#fcc419"],
  };
  const PARTY = ["#1c7ed6", "#2b8a3e", "#7048e8", "#c2255c", "#495057", "#862e9c", "#364fc7", "#5c940d"];
  const FIXED = { traffic: "#74828f" };  // synthetic background traffic of load tests
  const UNKNOWN = "#e8590c";
  const TRAIL_POINTS = 30, TRAIL_STEP_S = 10;  // a trail point every 10 s of simulated time: 5 minutes shown

  const state = {
    seq: -1, time_s: 0, clock: null, tracks: new Map(), alerts: [], alertCount: 0, parties: new Map(),
    frameTimes: [], lastFit: null, selected: null, messages: 0, timing: {}, drawnAt: 0, trailsAt: 0,
  };
  window.commonsky = {
    state,
    positions() { return Array.from(state.tracks.values()).map((t) => [t.id, t.lon, t.lat]); },
    frameStats() {
      const f = state.frameTimes.slice(1).map((t, i) => t - state.frameTimes[i]).sort((a, b) => a - b);
      if (!f.length) return null;
      const q = (p) => f[Math.min(f.length - 1, Math.floor(p * f.length))];
      return { frames: f.length, mean: f.reduce((a, b) => a + b, 0) / f.length, p50: q(0.5), p95: q(0.95), max: f[f.length - 1] };
    },
    resetFrames() { state.frameTimes = []; },
    bounds() { const b = map.getBounds(); return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]; },
  };

  const $ = (id) => document.getElementById(id);
  const map = new maplibregl.Map({
    container: "map",
    style: { version: 8, sources: {}, layers: [{ id: "sea", type: "background", paint: { "background-color": SEA } }] },
    center: [44.5, 33.8], zoom: 5.3, attributionControl: false, maxPitch: 0, dragRotate: false,
  });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-left");
  map.addControl(new maplibregl.ScaleControl({ unit: "nautical" }), "bottom-left");
  map.addControl(new maplibregl.AttributionControl({
    compact: true, customAttribution: "Natural Earth (public domain) · GeoNames (CC-BY 4.0) · commonsky",
  }));
  window.commonsky.map = map;

  function partyColour(party) {
    if (!party) return UNKNOWN;
    if (!state.parties.has(party)) {
      state.parties.set(party, FIXED[party] || PARTY[[...state.parties.keys()].filter((p) => !FIXED[p]).length % PARTY.length]);
      drawPartyLegend();
    }
    return state.parties.get(party);
  }

  const empty = () => ({ type: "FeatureCollection", features: [] });
  async function getJSON(url) {
    const r = await fetch(url);
    if (!r.ok) throw new Error(url + ": " + r.status);
    return r.json();
  }
  async function post(url, body) {
    const r = await fetch(url, {
      method: "POST", headers: { "content-type": "application/json" }, body: body ? JSON.stringify(body) : null,
    });
    const data = await r.json();
    if (!r.ok) { alert(typeof data.detail === "string" ? data.detail : JSON.stringify(data.detail)); return null; }
    showClock(data);
    return data;
  }

  function arrowImage() {
    const n = 32, c = document.createElement("canvas"); c.width = c.height = n;
    const g = c.getContext("2d");
    g.fillStyle = "#000"; g.beginPath();
    g.moveTo(n / 2, 2); g.lineTo(n - 7, n - 5); g.lineTo(n / 2, n - 11); g.lineTo(7, n - 5); g.closePath(); g.fill();
    return g.getImageData(0, 0, n, n);
  }

  map.on("load", async () => {
    map.addImage("arrow", arrowImage(), { sdf: true, pixelRatio: 2 });
    const layers = {};
    for (const name of ["countries", "provinces", "border", "zones", "intents", "places", "sensors"]) {
      layers[name] = getJSON("/api/layers/" + name).catch(() => empty());
    }
    const data = Object.fromEntries(await Promise.all(Object.entries(layers).map(async ([k, v]) => [k, await v])));
    for (const [k, v] of Object.entries(data)) map.addSource(k, { type: "geojson", data: v });
    state.places = data.places; state.countries = data.countries;
    state.planLayers = { zones: data.zones, intents: data.intents };
    // Colours by party in a stable order (the filing parties, sorted), whatever appears first on the map.
    [...new Set(data.intents.features.map((f) => f.properties.party))].sort().forEach(partyColour);
    map.addSource("coverage", { type: "geojson", data: empty() });
    for (const k of ["trails", "tracks", "alertlinks"]) map.addSource(k, { type: "geojson", data: empty() });

    map.addLayer({ id: "countries-fill", type: "fill", source: "countries", paint: { "fill-color": LAND } });
    map.addLayer({ id: "coverage-fill", type: "fill", source: "coverage", layout: { visibility: "none" },
      paint: { "fill-color": ["match", ["get", "kind"], "adsb", "#74c0fc", "#94d82d"], "fill-opacity": 0.22 } });
    map.addLayer({ id: "coverage-line", type: "line", source: "coverage", layout: { visibility: "none" },
      paint: { "line-color": ["match", ["get", "kind"], "adsb", "#1c7ed6", "#5c940d"], "line-width": 1.2 } });
    map.addLayer({ id: "provinces-line", type: "line", source: "provinces",
      paint: { "line-color": "#bfb6a8", "line-width": 0.7, "line-dasharray": [4, 2.5] } });
    map.addLayer({ id: "countries-line", type: "line", source: "countries",
      paint: { "line-color": "#9c958a", "line-width": 0.8 } });
    const kind = ["get", "kind"];
    const zoneColour = (i) => ["match", kind, ...Object.entries(ZONE).flatMap(([k, c]) => [k, c[i]]), "#868e96"];
    map.addLayer({ id: "zones-fill", type: "fill", source: "zones",
      paint: { "fill-color": zoneColour(1), "fill-opacity": ["case", ["==", kind, "prohibited"], 0.07, 0.28] } });
    map.addLayer({ id: "zones-line", type: "line", source: "zones",
      paint: { "line-color": zoneColour(0), "line-width": 1.6 } });
    map.addLayer({ id: "border-line", type: "line", source: "border",
      paint: { "line-color": "#343a40", "line-width": 2.2 } });
    map.addLayer({ id: "intents-fill", type: "fill", source: "intents", filter: ["==", ["get", "role"], "volume"],
      paint: { "fill-color": "#3bc9db", "fill-opacity": 0.10 } });
    map.addLayer({ id: "intents-line", type: "line", source: "intents", filter: ["==", ["get", "role"], "volume"],
      paint: { "line-color": "#0b7285", "line-width": 1, "line-opacity": 0.6 } });
    map.addLayer({ id: "intents-centre", type: "line", source: "intents", filter: ["==", ["get", "role"], "centreline"],
      paint: { "line-color": "#0b7285", "line-width": 1.4, "line-dasharray": [3, 2] } });
    map.addLayer({ id: "places-dot", type: "circle", source: "places",
      filter: ["<", ["get", "rank"], ["step", ["zoom"], 30, 5.5, 80, 7, 200]],
      paint: { "circle-radius": 2.6, "circle-color": "#495057", "circle-stroke-color": "#fff", "circle-stroke-width": 1 } });
    map.addLayer({ id: "sensors-dot", type: "circle", source: "sensors", layout: { visibility: "none" },
      paint: { "circle-radius": 5, "circle-color": "#fff", "circle-stroke-color": "#1864ab", "circle-stroke-width": 2.5 } });
    map.addLayer({ id: "trails-line", type: "line", source: "trails",
      paint: { "line-color": ["get", "colour"], "line-width": 2, "line-opacity": 0.7 } });
    map.addLayer({ id: "alertlinks-line", type: "line", source: "alertlinks",
      paint: { "line-color": "#e03131", "line-width": 2.2, "line-dasharray": [2, 1.5] } });
    map.addLayer({ id: "tracks-halo", type: "circle", source: "tracks", filter: ["get", "alerted"],
      paint: { "circle-radius": 11, "circle-color": "rgba(0,0,0,0)", "circle-stroke-color": "#e03131", "circle-stroke-width": 2.2 } });
    // Circles at every zoom (cheap to draw for thousands); heading arrows only when zoomed in.
    map.addLayer({ id: "tracks-dot", type: "circle", source: "tracks", maxzoom: 7,
      paint: { "circle-radius": 3.2, "circle-color": ["get", "colour"], "circle-stroke-color": "#fff", "circle-stroke-width": 0.8 } });
    map.addLayer({ id: "tracks-icon", type: "symbol", source: "tracks", minzoom: 7, layout: {
      "icon-image": "arrow", "icon-rotate": ["get", "trk"], "icon-rotation-alignment": "map",
      "icon-allow-overlap": true, "icon-ignore-placement": true, "icon-size": 1.0 },
      paint: { "icon-color": ["get", "colour"], "icon-halo-color": "#fff", "icon-halo-width": 1.2 } });

    // Click an aircraft: its identity as heard (ICAO address, callsign, squawk) and who sees it.
    const details = new maplibregl.Popup({ closeButton: true, closeOnClick: true, maxWidth: "280px" });
    for (const layer of ["tracks-dot", "tracks-icon"]) {
      map.on("click", layer, (e) => {
        const t = e.features.length ? state.tracks.get(e.features[0].properties.id) : null;
        if (!t) return;
        const rows = [["track", t.id], ["ICAO", t.icao24 ? t.icao24.toUpperCase() : "—"], ["callsign", t.callsign || "—"],
          ["squawk", t.squawk || "—"], ["party", t.party || "unknown"], ["intent", t.intent || "—"],
          ["FL", String(Math.max(0, Math.round(t.alt_m / 30.48))).padStart(3, "0")],
          ["seen by", t.sources || "—"]];
        const html = rows.map(([k, v]) => `<tr><th>${k}</th><td>${String(v).replace(/[<&>]/g, "")}</td></tr>`).join("");
        details.setLngLat([t.lon, t.lat]).setHTML(`<table class="track-details">${html}</table>`).addTo(map);
      });
    }
    const b = data.zones.features.length ? bboxOf(data.intents) : null;
    const r = data.intents.features.length ? null : bboxOf(data.sensors);  // receivers only: frame their reach
    if (b) map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: 30, duration: 0 });
    else if (r) map.fitBounds([[r[0] - 3, r[1] - 3], [r[2] + 3, r[3] + 3]], { padding: 30, duration: 0 });
    drawZoneLegend();
    wireControls();
    const status = await getJSON("/api/status");
    $("scenario").textContent = status.scenario;
    showClock(status.clock);
    const seed = await getJSON("/api/picture/tracks?trail=true");
    for (const t of seed.tracks) {
      const trail = [...t.trail.slice(-TRAIL_POINTS + 1), [t.lon, t.lat]];
      state.tracks.set(t.id, { ...t, trail, times: trail.map((_, k) => seed.time_s - (trail.length - 1 - k) * TRAIL_STEP_S) });
    }
    connect();
  });

  function bboxOf(fc) {
    let w = 180, s = 90, e = -180, n = -90;
    const walk = (c) => {
      if (typeof c[0] === "number") { w = Math.min(w, c[0]); e = Math.max(e, c[0]); s = Math.min(s, c[1]); n = Math.max(n, c[1]); }
      else c.forEach(walk);
    };
    fc.features.forEach((f) => walk(f.geometry.coordinates));
    return w <= e ? [w, s, e, n] : null;
  }

  // ---- stream --------------------------------------------------------------------------------------------
  function connect() {
    const ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws/picture");
    ws.onopen = () => { $("conn").textContent = "live"; $("conn").className = "up"; };
    ws.onclose = () => { $("conn").textContent = "offline"; $("conn").className = "down"; setTimeout(connect, 1000); };
    ws.onmessage = (ev) => {
      const t0 = performance.now(), msg = JSON.parse(ev.data), t1 = performance.now();
      onPicture(msg);
      const t2 = performance.now();
      state.timing.parse_ms = t1 - t0; state.timing.picture_ms = t2 - t1;
    };
  }

  function onPicture(msg) {
    const jumped = msg.time_s < state.time_s || msg.time_s - state.time_s > 600;
    state.seq = msg.seq; state.time_s = msg.time_s; state.messages += 1;
    const c = msg.tracks, next = new Map();
    for (let i = 0; i < c.id.length; i++) {
      const old = jumped ? null : state.tracks.get(c.id[i]);
      const trail = old ? old.trail : [], times = old ? old.times : [];
      // The newest point follows the aircraft; a new point is pinned every TRAIL_STEP_S simulated seconds.
      if (trail.length < 2 || msg.time_s - times[times.length - 2] >= TRAIL_STEP_S) {
        trail.push([c.lon[i], c.lat[i]]); times.push(msg.time_s);
        if (trail.length > TRAIL_POINTS) { trail.shift(); times.shift(); }
      } else {
        trail[trail.length - 1] = [c.lon[i], c.lat[i]]; times[times.length - 1] = msg.time_s;
      }
      next.set(c.id[i], { id: c.id[i], lat: c.lat[i], lon: c.lon[i], alt_m: c.alt_m[i], gs_ms: c.gs_ms[i],
        trk_deg: c.trk_deg[i], party: c.party[i], intent: c.intent[i], label: c.label[i], trail, times,
        callsign: c.callsign[i], icao24: c.icao24 ? c.icao24[i] : "", squawk: c.squawk ? c.squawk[i] : "",
        sources: c.sources ? c.sources[i] : "" });
    }
    state.tracks = next; state.alerts = msg.alerts; state.alertCount = msg.alert_count; state.clock = msg.clock;
    if (state.planVersion !== undefined && msg.plan_version !== state.planVersion) refreshPlan();
    state.planVersion = msg.plan_version;
    showClock(msg.clock, msg.time_s);
    $("ntracks").textContent = c.id.length; $("nalerts").textContent = msg.alert_count;
    $("tickms").textContent = msg.stats.work_ms.toFixed(1);
    // With many tracks, redraw at most a few times a second (each redraw re-tiles the GeoJSON in a worker).
    const now = performance.now(), busy = c.id.length > 500;
    if (!busy || now - state.drawnAt > 400) { drawTracks(busy && now - state.trailsAt < 2000); state.drawnAt = now; }
    drawAlerts();
  }

  // The broker's intents and zones changed (filed, preempted, ended; zones created, changed, withdrawn): redraw them.
  async function refreshPlan() {
    for (const name of ["zones", "intents"]) {
      const data = await getJSON("/api/layers/" + name).catch(() => null);
      if (data && map.getSource(name)) { map.getSource(name).setData(data); state.planLayers[name] = data; }
    }
  }

  function drawTracks(keepTrails) {
    const alerted = new Set(state.alerts.flatMap((a) => a.kind === "conflict" ? a.subjects : [a.subjects[0]]));
    const pts = [], lines = [], links = [];
    const showTrails = $("panel").querySelector('[data-layer="trails"]').checked;
    for (const t of state.tracks.values()) {
      const colour = partyColour(t.party);
      pts.push({ type: "Feature", geometry: { type: "Point", coordinates: [t.lon, t.lat] },
        properties: { id: t.id, trk: t.trk_deg, colour, alerted: alerted.has(t.id) } });
      if (!keepTrails && showTrails && t.trail.length > 1) {
        lines.push({ type: "Feature", geometry: { type: "LineString", coordinates: t.trail }, properties: { colour } });
      }
    }
    for (const a of state.alerts) {
      if (a.kind !== "conflict") continue;
      const p = state.tracks.get(a.subjects[0]), q = state.tracks.get(a.subjects[1]);
      if (p && q) links.push({ type: "Feature", geometry: { type: "LineString", coordinates: [[p.lon, p.lat], [q.lon, q.lat]] }, properties: {} });
    }
    map.getSource("tracks").setData({ type: "FeatureCollection", features: pts });
    if (!keepTrails) { map.getSource("trails").setData({ type: "FeatureCollection", features: lines }); state.trailsAt = performance.now(); }
    map.getSource("alertlinks").setData({ type: "FeatureCollection", features: links });
  }

  // ---- alerts list -----------------------------------------------------------------------------------------
  const fmtTime = (s) => new Date(s * 1000).toISOString().slice(11, 19);
  function describe(a) {
    const name = (id) => { const t = state.tracks.get(id); return t ? `${t.label} (${id})` : id; };
    if (a.kind === "conflict") {
      const inS = Math.max(0, a.predicted_s - state.time_s);
      return { what: `${name(a.subjects[0])} × ${name(a.subjects[1])}`,
        when: a.actual_s !== null ? "LOSS" : `in ${Math.round(inS)} s`,
        detail: `conflict · CPA ${a.dcpa_m === null ? "?" : (a.dcpa_m / 1852).toFixed(1)} NM in ${a.tcpa_s === null ? "?" : Math.round(a.tcpa_s)} s` };
    }
    if (a.kind === "unknown") {
      return { what: `UNKNOWN aircraft ${name(a.subjects[0])}`, when: "UNKNOWN", detail: a.reason || "no intent, no identity" };
    }
    if (a.kind === "coverage-loss") {
      return { what: `SENSOR ${a.subjects[0]} silent`, when: "NO COVER", detail: a.reason || "coverage loss" };
    }
    if (a.kind === "non-conforming") {
      return { what: `${name(a.subjects[0])} off ${a.subjects[1] || "its intent"}`, when: "OFF PLAN", detail: a.reason };
    }
    const inS = Math.max(0, a.predicted_s - state.time_s);
    return { what: `${name(a.subjects[0])} → ${a.subjects[1]}`, when: a.actual_s !== null ? "INSIDE" : `in ${Math.round(inS)} s`,
      detail: "zone incursion" };
  }
  // The list is updated in place (one <li> per alert id), so a click never lands on a node being replaced.
  const alertItems = new Map();
  function drawAlerts() {
    const list = $("alerts");
    $("alertcount").textContent = state.alertCount;
    $("alertcount").className = state.alertCount ? "count hot" : "count";
    const shown = state.alerts.slice(0, 100), keep = new Set(shown.map((a) => a.alert_id));
    for (const [id, li] of alertItems) if (!keep.has(id)) { li.remove(); alertItems.delete(id); }
    const none = list.querySelector("li.none");
    if (!shown.length) { if (!none) list.innerHTML = '<li class="none">no alert</li>'; return; }
    if (none) none.remove();
    let prev = null;
    for (const a of shown) {
      let li = alertItems.get(a.alert_id);
      if (!li) {
        li = document.createElement("li");
        li.dataset.alertId = a.alert_id;
        li.innerHTML = `<span class="when"></span><div class="what"></div><div class="detail"></div>`;
        alertItems.set(a.alert_id, li);
      }
      const d = describe(a);
      const safety = a.kind === "conflict" || a.kind === "incursion";
      li.className = a.kind + (safety && a.actual_s !== null ? " los" : "") + (state.selected === a.alert_id ? " sel" : "");
      li.querySelector(".when").textContent = d.when;
      li.querySelector(".what").textContent = d.what;
      li.querySelector(".detail").textContent = `${d.detail} · raised ${fmtTime(a.raised_s)}`;
      const want = prev ? prev.nextSibling : list.firstChild;
      if (want !== li) list.insertBefore(li, want);
      prev = li;
    }
  }
  function zoomToAlert(id) {
    const a = state.alerts.find((x) => x.alert_id === id);
    if (!a) return;
    state.selected = id;
    const pts = [];
    const p = state.tracks.get(a.subjects[0]);
    if (p) pts.push([p.lon, p.lat]);
    if (a.kind === "conflict") { const q = state.tracks.get(a.subjects[1]); if (q) pts.push([q.lon, q.lat]); }
    if (a.lat !== null && a.lon !== null && pts.length < 2) pts.push([a.lon, a.lat]);
    if (!pts.length) return;
    const lons = pts.map((x) => x[0]), lats = pts.map((x) => x[1]);
    const b = [Math.min(...lons), Math.min(...lats), Math.max(...lons), Math.max(...lats)];
    state.lastFit = { alert: id, points: pts, bbox: b };
    map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: 120, maxZoom: 9, duration: 600 });
    drawAlerts();
  }
  window.commonsky.zoomToAlert = zoomToAlert;

  // ---- clock and controls ------------------------------------------------------------------------------------
  function showClock(clock, time_s) {
    if (!clock) return;
    state.clock = clock;
    const t = new Date((time_s ?? clock.time_s) * 1000).toISOString();
    $("simtime").textContent = t.slice(11, 19) + "Z";
    $("simdate").textContent = t.slice(0, 10) + (clock.paused ? " · paused" : ` · ${clock.speed}×`);
    $("playpause").textContent = clock.paused ? "▶" : "❚❚";
    const sel = $("speed");
    if (![...sel.options].some((o) => Number(o.value) === clock.speed)) {
      sel.add(new Option(clock.speed + "×", clock.speed));
    }
    if (document.activeElement !== sel) sel.value = String(clock.speed);
    const jump = $("jumpto");
    jump.min = clock.start_iso.slice(0, 16); jump.max = clock.end_iso.slice(0, 16);
    if (!jump.value) jump.value = t.slice(0, 16);
  }
  function wireControls() {
    $("playpause").addEventListener("click", () => post(state.clock && state.clock.paused ? "/api/clock/resume" : "/api/clock/pause"));
    $("speed").addEventListener("change", (e) => post("/api/clock/speed", { speed: Number(e.target.value) }));
    $("jumpform").addEventListener("submit", (e) => {
      e.preventDefault();
      const v = $("jumpto").value;
      if (v) post("/api/clock/jump", { time: (v.length === 16 ? v + ":00" : v) + "Z" });
    });
    document.addEventListener("keydown", (e) => {
      if (e.code === "Space" && e.target === document.body) { e.preventDefault(); $("playpause").click(); }
    });
    const ids = { zones: ["zones-fill", "zones-line"], intents: ["intents-fill", "intents-line", "intents-centre"],
      places: ["places-dot"], provinces: ["provinces-line"], coverage: ["coverage-fill", "coverage-line"],
      sensors: ["sensors-dot"], trails: ["trails-line"] };
    for (const box of $("panel").querySelectorAll("input[data-layer]")) {
      const apply = async () => {
        const name = box.dataset.layer;
        if (name === "coverage" && box.checked) await loadCoverage();
        for (const id of ids[name]) map.setLayoutProperty(id, "visibility", box.checked ? "visible" : "none");
        map.triggerRepaint();
      };
      box.addEventListener("change", apply);
    }
    $("covalt").addEventListener("change", () => { if ($("coverage").checked) loadCoverage(); });
    $("alerts").addEventListener("click", (e) => {
      const li = e.target.closest("li[data-alert-id]");
      if (li) zoomToAlert(Number(li.dataset.alertId));
    });
  }
  async function loadCoverage() {
    const data = await getJSON("/api/layers/coverage?alt_ft=" + $("covalt").value);
    map.getSource("coverage").setData(data);
  }

  // ---- legend --------------------------------------------------------------------------------------------------
  function drawZoneLegend() {
    $("legend-zones").innerHTML = Object.entries(ZONE).map(([k, c]) =>
      `<div class="row"><span class="sw" style="border-color:${c[0]};background:${c[1]}55"></span>${k} zone</div>`).join("") +
      `<div class="row"><span class="sw" style="border-color:#0b7285;background:#3bc9db22"></span>filed intent</div>` +
      `<div class="row"><span class="sw" style="border-color:#343a40;border-width:0 0 3px 0;height:.5em"></span>land border</div>` +
      `<div class="row"><span class="sw" style="border-color:#5c940d;background:#94d82d44"></span>radar coverage</div>` +
      `<div class="row"><span class="sw" style="border-color:#1c7ed6;background:#74c0fc44"></span>ADS-B coverage</div>`;
    drawPartyLegend();
  }
  function drawPartyLegend() {
    const rows = [...state.parties.entries()].map(([p, c]) => `<div class="row"><span class="dot" style="background:${c}"></span>${p}</div>`);
    rows.push(`<div class="row"><span class="dot" style="background:${UNKNOWN}"></span>UNKNOWN (no intent, no identity)</div>`);
    $("legend-parties").innerHTML = rows.join("");
  }

  // ---- labels: a canvas overlay (no glyphs needed) -------------------------------------------------------
  const canvas = $("labels"), ctx = canvas.getContext("2d");
  function sizeCanvas() {
    const m = $("map"), r = window.devicePixelRatio || 1;
    canvas.width = m.clientWidth * r; canvas.height = m.clientHeight * r;
    canvas.style.width = m.clientWidth + "px"; canvas.style.height = m.clientHeight + "px";
    ctx.setTransform(r, 0, 0, r, 0, 0);
  }
  let placed = [];
  function fits(x, y, w, h) {
    for (const r of placed) if (x < r[0] + r[2] && r[0] < x + w && y < r[1] + r[3] && r[1] < y + h) return false;
    placed.push([x, y, w, h]);
    return true;
  }
  function text(s, x, y, font, fill, align) {
    ctx.font = font; ctx.textAlign = align || "left"; ctx.lineWidth = 3; ctx.strokeStyle = "rgba(255,255,255,.9)";
    ctx.strokeText(s, x, y); ctx.fillStyle = fill; ctx.fillText(s, x, y);
  }
  function drawLabels() {
    const w = canvas.clientWidth, h = canvas.clientHeight;
    ctx.clearRect(0, 0, w, h);
    placed = [];
    const zoom = map.getZoom();
    const visible = [];
    for (const t of state.tracks.values()) {
      const p = map.project([t.lon, t.lat]);
      if (p.x >= 0 && p.y >= 0 && p.x <= w && p.y <= h) visible.push([t, p]);
    }
    if (visible.length <= 250) {
      for (const [t, p] of visible) {
        if (!fits(p.x + 8, p.y - 13, 110, 27)) continue;
        const fl = "FL" + String(Math.max(0, Math.round(t.alt_m / 30.48))).padStart(3, "0");
        // A real aircraft without a party is named by its callsign, else its ICAO address (still drawn as unknown).
        const heard = t.callsign || (t.icao24 ? t.icao24.toUpperCase() : "");
        const who = t.party ? t.label : heard || "UNKNOWN";
        text(who + (t.intent && t.intent !== who ? "  " + t.intent : ""), p.x + 9, p.y - 2,
          "600 11px system-ui, sans-serif", t.party ? "#212529" : UNKNOWN);
        text(`${fl} ${Math.round(t.gs_ms / 0.5144)}kt${t.squawk ? " " + t.squawk : ""}`, p.x + 9, p.y + 10,
          "10px ui-monospace, monospace", "#495057");
      }
    }
    if (state.countries) {
      ctx.textAlign = "center";
      for (const f of state.countries.features) {
        const p = map.project(f.properties.label), name = f.properties.name.toUpperCase();
        if (p.x < 0 || p.y < 0 || p.x > w || p.y > h) continue;
        ctx.font = "600 12px system-ui, sans-serif";
        const tw = ctx.measureText(name).width;
        if (fits(p.x - tw / 2, p.y - 12, tw, 16)) text(name, p.x, p.y, "600 12px system-ui, sans-serif", "#8a8174", "center");
      }
    }
    if (state.places && $("panel").querySelector('[data-layer="places"]').checked) {
      const limit = zoom < 5.5 ? 30 : zoom < 7 ? 80 : 200;
      ctx.font = "11px system-ui, sans-serif";
      for (const f of state.places.features) {
        if (f.properties.rank >= limit) continue;
        const p = map.project(f.geometry.coordinates);
        if (p.x < 0 || p.y < 0 || p.x > w || p.y > h) continue;
        const tw = ctx.measureText(f.properties.name).width;
        if (fits(p.x + 4, p.y - 14, tw + 2, 13)) text(f.properties.name, p.x + 5, p.y - 4, "11px system-ui, sans-serif", "#495057");
      }
    }
  }
  map.on("render", () => {
    const t0 = performance.now();
    state.frameTimes.push(t0);
    if (state.frameTimes.length > 4000) state.frameTimes.shift();
    drawLabels();
    state.timing.labels_ms = performance.now() - t0;
  });
  map.on("resize", sizeCanvas);
  window.addEventListener("resize", sizeCanvas);
  sizeCanvas();
  // rAF loop: measures frame time even when the map is idle between pictures.
  const rafTimes = [];
  (function loop(t) { rafTimes.push(t); if (rafTimes.length > 4000) rafTimes.shift(); requestAnimationFrame(loop); })(performance.now());
  window.commonsky.rafStats = function (sinceMs) {
    const ts = rafTimes.filter((t) => t >= (sinceMs || 0));
    const f = ts.slice(1).map((t, i) => t - ts[i]).sort((a, b) => a - b);
    if (!f.length) return null;
    const q = (p) => f[Math.min(f.length - 1, Math.floor(p * f.length))];
    return { frames: f.length, mean: f.reduce((a, b) => a + b, 0) / f.length, p50: q(0.5), p95: q(0.95), max: f[f.length - 1] };
  };
})();
