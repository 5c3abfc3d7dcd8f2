// The scenario clock: shown in the header, driven by its controls through /api/clock/*.
import { postJSON } from "./api.js";

/** Show ``clock`` (a ClockOut) at ``time_s`` (default: the clock's own time) in the header controls. */
export function showClock(ui, clock, time_s) {
  const t = new Date((time_s ?? clock.time_s) * 1000).toISOString();
  ui.time.textContent = t.slice(11, 19) + "Z";
  ui.date.textContent = t.slice(0, 10) + (clock.paused ? " · paused" : ` · ${clock.speed}×`);
  ui.playPause.textContent = clock.paused ? "▶" : "❚❚";
  if (![...ui.speed.options].some((o) => Number(o.value) === clock.speed)) {
    ui.speed.add(new Option(clock.speed + "×", String(clock.speed)));
  }
  if (document.activeElement !== ui.speed) ui.speed.value = String(clock.speed);
  ui.jump.min = clock.start_iso.slice(0, 16);
  ui.jump.max = clock.end_iso.slice(0, 16);
  if (!ui.jump.value) ui.jump.value = t.slice(0, 16);
}

/** Wire the controls: each request's new clock goes to ``onClock``, a refusal to ``onError`` (its reason). */
export function wireClock(ui, { clock, onClock, onError }) {
  const post = (url, body) => postJSON(url, body).then(onClock, onError);
  ui.playPause.addEventListener("click", () => post(clock()?.paused ? "/api/clock/resume" : "/api/clock/pause"));
  ui.speed.addEventListener("change", () => post("/api/clock/speed", { speed: Number(ui.speed.value) }));
  ui.jumpForm.addEventListener("submit", (e) => {
    e.preventDefault();
    const v = ui.jump.value;
    if (v) post("/api/clock/jump", { time: (v.length === 16 ? v + ":00" : v) + "Z" });
  });
  document.addEventListener("keydown", (e) => {
    if (e.code === "Space" && e.target === document.body) { e.preventDefault(); ui.playPause.click(); }
  });
}
