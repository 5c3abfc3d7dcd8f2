// The legend: zone kinds and layers, then the parties in their map colours (names as text).
import { el } from "./dom.js";
import { UNKNOWN, ZONE } from "./palette.js";

const swatch = (border, background, extra = {}) =>
  el("span", { className: "sw", style: { borderColor: border, background, ...extra } });
const row = (mark, text) => el("div", { className: "row" }, mark, text);

export function drawZoneLegend(box) {
  box.replaceChildren(
    ...Object.entries(ZONE).map(([kind, [line, fill]]) => row(swatch(line, fill + "55"), `${kind} zone`)),
    row(swatch("#0b7285", "#3bc9db22"), "filed intent"),
    row(swatch("#343a40", "none", { borderWidth: "0 0 3px 0", height: ".5em" }), "land border"),
    row(swatch("#5c940d", "#94d82d44"), "radar coverage"),
    row(swatch("#1c7ed6", "#74c0fc44"), "ADS-B coverage"),
  );
}

export function drawPartyLegend(box, colours) {
  const dot = (c) => el("span", { className: "dot", style: { background: c } });
  box.replaceChildren(
    ...colours.entries().map(([party, c]) => row(dot(c), party)),
    row(dot(UNKNOWN), "UNKNOWN (no intent, no identity)"),
  );
}
