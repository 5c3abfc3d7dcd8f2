// Colours of the map: base, zones by kind, and one colour per party in a stable order.

export const SEA = "#dce9f3";
export const LAND = "#f6f3ec";
/** Zone kind -> [outline, fill]. */
export const ZONE = Object.freeze({
  buffer: ["#d9480f", "#fd7e14"], restricted: ["#c92a2a", "#fa5252"], prohibited: ["#862e9c", "#be4bdb"],
  corridor: ["#1864ab", "#339af0"], advisory: ["#e67700", "#fcc419"],
});
export const UNKNOWN = "#e8590c";
const PARTY = ["#1c7ed6", "#2b8a3e", "#7048e8", "#c2255c", "#495057", "#862e9c", "#364fc7", "#5c940d"];
const FIXED = Object.freeze({ traffic: "#74828f" });  // synthetic background traffic of load tests

/** Party -> colour, given in the order parties are first asked for; ``onNew`` hears of each new party. */
export class PartyColours {
  constructor(onNew = () => {}) {
    this.colours = new Map();
    this.onNew = onNew;
  }

  colour(party) {
    if (!party) return UNKNOWN;
    let c = this.colours.get(party);
    if (!c) {
      const n = [...this.colours.keys()].filter((p) => !FIXED[p]).length;
      c = FIXED[party] || PARTY[n % PARTY.length];
      this.colours.set(party, c);
      this.onNew();
    }
    return c;
  }

  entries() {
    return [...this.colours.entries()];
  }
}
