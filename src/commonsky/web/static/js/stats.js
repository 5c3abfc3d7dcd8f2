// Frame-time statistics for the browser tests and the live benchmark (window.commonsky.rafStats).

/** Mean, quantiles and max of the intervals between ``times`` (ms); null with fewer than two. */
export function intervalStats(times) {
  const f = times.slice(1).map((t, i) => t - times[i]).sort((a, b) => a - b);
  if (!f.length) return null;
  const q = (p) => f[Math.min(f.length - 1, Math.floor(p * f.length))];
  return { frames: f.length, mean: f.reduce((a, b) => a + b, 0) / f.length, p50: q(0.5), p95: q(0.95), max: f[f.length - 1] };
}

/** Keep the last ``limit`` animation-frame times, even while the map is idle between pictures. */
export function recordFrames(limit = 4000) {
  const times = [];
  const loop = (t) => { times.push(t); if (times.length > limit) times.shift(); requestAnimationFrame(loop); };
  requestAnimationFrame(loop);
  return (sinceMs) => intervalStats(times.filter((t) => t >= (sinceMs || 0)));
}
