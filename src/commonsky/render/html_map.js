// The script of the self-contained HTML map (commonsky.render.html inlines it): pan, zoom, label decluttering,
// scale bar and tooltips. A classic script: everything stays inside the IIFE; the data comes from #data as JSON.
(() => {
const svg = document.getElementById('map'), wrap = document.getElementById('wrap');
const tip = document.getElementById('tip');
const data = JSON.parse(document.getElementById('data').textContent);
const init = svg.getAttribute('viewBox').split(' ').map(Number);
const strokes = [...svg.querySelectorAll('#layers [data-w]')], points = [...svg.querySelectorAll('circle.pt')];
const labels = [...svg.querySelectorAll('#labels text')];
let cx = init[0] + init[2] / 2, cy = init[1] + init[3] / 2, k0 = 1, k = 1, pinned = false, queued = false;
const nice = v => { const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const s of [5, 2, 1]) if (s * p <= v) return s * p; return p; };
const fmt = v => (v >= 1 ? v.toFixed(0) : v.toPrecision(1));
function fit() { k0 = Math.max(init[2] / svg.clientWidth, init[3] / svg.clientHeight); }
// Label positions around a point (px, baseline): right-up, right-down, left-up, left-down, above, below; then the
// same farther out, for crowded spots.
const SPOTS = [1, 2.2, 3.6].flatMap(r => [[6, -4, 'start'], [6, 12, 'start'], [-6, -4, 'end'], [-6, 12, 'end'],
  [0, -9, 'middle'], [0, 18, 'middle']].map(([dx, dy, a]) => [dx * r, dy < 0 ? dy * r : dy + 8 * (r - 1), a]));
function declutter() {
  const boxes = [], overlaps = b => boxes.some(o => b.x < o.x + o.width && o.x < b.x + b.width
    && b.y < o.y + o.height && o.y < b.y + b.height);
  for (const c of points) { const r = c.dataset.r * k;
    boxes.push({ x: +c.getAttribute('cx') - r, y: +c.getAttribute('cy') - r, width: 2 * r, height: 2 * r }); }
  for (const t of labels) {
    t.classList.remove('hide');
    const minor = t.classList.contains('lc') || t.classList.contains('lp');
    // a country or province is named when it covers enough of the screen (data-a: its area in units²)
    if (minor && +t.dataset.a / (k * k) < (t.classList.contains('lc') ? 6000 : 9000)) {
      t.classList.add('hide'); continue; }
    if (minor) {
      t.setAttribute('x', t.dataset.x); t.setAttribute('y', t.dataset.y);
      const b = t.getBBox();
      if (overlaps(b)) t.classList.add('hide'); else boxes.push(b);
      continue;
    }
    let chosen = null, spot = SPOTS[0];
    for (const candidate of SPOTS) {
      const [dx, dy, anchor] = candidate;
      t.setAttribute('x', +t.dataset.x + dx * k); t.setAttribute('y', +t.dataset.y + dy * k);
      t.setAttribute('text-anchor', anchor);
      const b = t.getBBox();
      if (!overlaps(b)) { chosen = b; spot = candidate; break; }
    }
    if (!chosen) { const [dx, dy, anchor] = spot; t.setAttribute('x', +t.dataset.x + dx * k);
      t.setAttribute('y', +t.dataset.y + dy * k); t.setAttribute('text-anchor', anchor); chosen = t.getBBox(); }
    // a label set far from its point gets a leader line to the nearest corner of its box
    const lead = t.previousElementSibling, far = Math.abs(spot[0]) > 7 || Math.abs(spot[1]) > 18;
    if (lead && lead.tagName === 'line') {
      lead.classList.toggle('hide', !far);
      if (far) { const px = +t.dataset.x, py = +t.dataset.y;
        const ex = Math.min(Math.max(px, chosen.x), chosen.x + chosen.width);
        const ey = Math.min(Math.max(py, chosen.y), chosen.y + chosen.height);
        lead.setAttribute('x1', px); lead.setAttribute('y1', py); lead.setAttribute('x2', ex);
        lead.setAttribute('y2', ey); lead.setAttribute('stroke-width', 0.8 * k); }
    }
    boxes.push(chosen);
  }
}
function draw() {
  queued = false;
  const w = svg.clientWidth, h = svg.clientHeight;
  svg.setAttribute('viewBox', [cx - w * k / 2, cy - h * k / 2, w * k, h * k].join(' '));
  for (const e of strokes) {
    e.setAttribute('stroke-width', e.dataset.w * k);
    if (e.dataset.dash) e.setAttribute('stroke-dasharray', e.dataset.dash.split(',').map(d => d * k).join(','));
  }
  for (const c of points) { c.setAttribute('r', c.dataset.r * k); c.setAttribute('stroke-width', c.dataset.w * k); }
  for (const t of labels) {
    const px = t.classList.contains('lc') ? 13 : t.classList.contains('lp') ? 10 : 12;
    t.setAttribute('font-size', px * k); t.setAttribute('stroke-width', 3 * k);
  }
  declutter();
  const kmpx = k * data.unit_km, km = nice(120 * kmpx), mi = nice(120 * kmpx / 1.609344);
  document.getElementById('bkm').style.width = (km / kmpx) + 'px';
  document.getElementById('tkm').textContent = fmt(km) + ' km';
  document.getElementById('bmi').style.width = (mi * 1.609344 / kmpx) + 'px';
  document.getElementById('tmi').textContent = fmt(mi) + ' mi';
}
const redraw = () => { if (!queued) { queued = true; requestAnimationFrame(draw); } };
function zoom(factor, ox, oy) {
  const w = svg.clientWidth, h = svg.clientHeight, mx = cx + (ox - w / 2) * k, my = cy + (oy - h / 2) * k;
  k = Math.min(Math.max(k * factor, k0 / 400), k0 * 4);
  cx = mx - (ox - w / 2) * k; cy = my - (oy - h / 2) * k; redraw();
}
svg.addEventListener('wheel', e => { e.preventDefault(); zoom(Math.exp(e.deltaY * 0.0015), e.offsetX, e.offsetY); },
  { passive: false });
let drag = null;
svg.addEventListener('pointerdown', e => { drag = { x: e.clientX, y: e.clientY, cx, cy, moved: false };
  svg.setPointerCapture(e.pointerId); svg.classList.add('drag'); });
svg.addEventListener('pointermove', e => {
  if (drag) { const dx = e.clientX - drag.x, dy = e.clientY - drag.y;
    if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
    cx = drag.cx - dx * k; cy = drag.cy - dy * k; redraw(); }
  else if (!pinned && !tip.hidden) place(e);
});
svg.addEventListener('pointerup', e => {
  const click = drag && !drag.moved; drag = null; svg.classList.remove('drag');
  if (!click) return;
  const el = document.elementFromPoint(e.clientX, e.clientY);
  if (el && el.dataset && el.dataset.i !== undefined) { show(+el.dataset.i); place(e); pinned = true;
    tip.classList.add('pinned'); }
  else { pinned = false; tip.classList.remove('pinned'); tip.hidden = true; }
});
svg.addEventListener('pointerover', e => {
  if (pinned || drag) return; const i = e.target.dataset && e.target.dataset.i;
  if (i !== undefined) { show(+i); place(e); } });
svg.addEventListener('pointerout', e => {
  if (!pinned && e.target.dataset && e.target.dataset.i !== undefined) tip.hidden = true; });
function show(i) {
  const p = data.props[i]; tip.replaceChildren();
  const h = document.createElement('h3'); h.textContent = p.t; tip.append(h);
  if (p.l !== p.t) { const l = document.createElement('div'); l.className = 'layer'; l.textContent = p.l;
    tip.append(l); }
  const table = document.createElement('table');
  for (const [key, value] of p.r) { const tr = table.insertRow(); tr.insertCell().textContent = key;
    tr.insertCell().textContent = value; }
  tip.append(table); tip.hidden = false;
}
function place(e) {
  const r = wrap.getBoundingClientRect();
  let x = e.clientX - r.left + 14, y = e.clientY - r.top + 14;
  if (x + tip.offsetWidth > r.width) x = Math.max(0, x - tip.offsetWidth - 28);
  if (y + tip.offsetHeight > r.height) y = Math.max(0, y - tip.offsetHeight - 28);
  tip.style.left = x + 'px'; tip.style.top = y + 'px';
}
document.addEventListener('keydown', e => {
  const w = svg.clientWidth / 2, h = svg.clientHeight / 2;
  if (e.key === '+' || e.key === '=') zoom(1 / 1.4, w, h);
  else if (e.key === '-') zoom(1.4, w, h);
  else if (e.key === '0') { cx = init[0] + init[2] / 2; cy = init[1] + init[3] / 2; k = k0; redraw(); }
});
window.addEventListener('resize', () => { const r = k / k0; fit(); k = k0 * r; redraw(); });
fit(); k = k0; draw();
})();
