// Tracks of the live picture: kept by id with a short trail, and drawn as GeoJSON.

/** The tracks of ``seed`` (/api/picture/tracks?trail=true), their trails timed back from the seed's time. */
export function seedTracks(seed, trail) {
  const tracks = new Map();
  for (const t of seed.tracks) {
    const points = [...t.trail.slice(-trail.points + 1), [t.lon, t.lat]];
    const times = points.map((_, k) => seed.time_s - (points.length - 1 - k) * trail.step_s);
    tracks.set(t.id, { ...t, trail: points, times });
  }
  return tracks;
}

/** The tracks of one stream message (column arrays), trails carried over from ``previous`` unless time jumped.
 * The newest trail point follows the aircraft; a point is pinned every ``trail.step_s`` simulated seconds. */
export function nextTracks(previous, msg, jumped, trail) {
  const c = msg.tracks, next = new Map();
  for (let i = 0; i < c.id.length; i++) {
    const old = jumped ? null : previous.get(c.id[i]);
    const points = old ? old.trail : [], times = old ? old.times : [];
    if (points.length < 2 || msg.time_s - times[times.length - 2] >= trail.step_s) {
      points.push([c.lon[i], c.lat[i]]);
      times.push(msg.time_s);
      if (points.length > trail.points) { points.shift(); times.shift(); }
    } else {
      points[points.length - 1] = [c.lon[i], c.lat[i]];
      times[times.length - 1] = msg.time_s;
    }
    next.set(c.id[i], {
      id: c.id[i], lat: c.lat[i], lon: c.lon[i], alt_m: c.alt_m[i], gs_ms: c.gs_ms[i], trk_deg: c.trk_deg[i],
      vs_ms: c.vs_ms ? c.vs_ms[i] : 0, party: c.party[i], intent: c.intent[i], label: c.label[i],
      callsign: c.callsign[i], icao24: c.icao24 ? c.icao24[i] : "", squawk: c.squawk ? c.squawk[i] : "",
      sources: c.sources ? c.sources[i] : "", status: c.status ? c.status[i] : "",
      onGround: c.on_ground ? c.on_ground[i] : false, trail: points, times,
    });
  }
  return next;
}

const collection = (features) => ({ type: "FeatureCollection", features });
const line = (coordinates, properties = {}) => ({ type: "Feature", geometry: { type: "LineString", coordinates }, properties });

/** Draw ``tracks`` (colour by party, a halo on the alerted), their trails unless ``keepTrails``, and a line
 * between the two aircraft of each conflict. */
export function drawTracks(map, tracks, alerts, colours, { showTrails, keepTrails }) {
  const alerted = new Set(alerts.flatMap((a) => a.kind === "conflict" ? a.subjects : [a.subjects[0]]));
  const points = [], trails = [], links = [];
  for (const t of tracks.values()) {
    const colour = colours.colour(t.party);
    points.push({ type: "Feature", geometry: { type: "Point", coordinates: [t.lon, t.lat] },
      properties: { id: t.id, trk: t.trk_deg, colour, alerted: alerted.has(t.id) } });
    if (!keepTrails && showTrails && t.trail.length > 1) trails.push(line(t.trail, { colour }));
  }
  for (const a of alerts) {
    if (a.kind !== "conflict") continue;
    const p = tracks.get(a.subjects[0]), q = tracks.get(a.subjects[1]);
    if (p && q) links.push(line([[p.lon, p.lat], [q.lon, q.lat]]));
  }
  map.getSource("tracks").setData(collection(points));
  if (!keepTrails) map.getSource("trails").setData(collection(trails));
  map.getSource("alertlinks").setData(collection(links));
}
