// Errors shown in the page (a banner over the map), one per source, each cleared when its source recovers.

export class Notices {
  /** @param {HTMLElement} box the element that lists the notices (hidden while there is none) */
  constructor(box) {
    this.box = box;
    this.items = new Map();
  }

  /** Show ``message`` for ``source`` (replacing what that source said before). */
  show(source, message) {
    let item = this.items.get(source);
    if (!item) {
      item = document.createElement("div");
      item.dataset.source = source;
      this.items.set(source, item);
      this.box.append(item);
    }
    item.textContent = message;
    this.box.hidden = false;
  }

  clear(source) {
    const item = this.items.get(source);
    if (!item) return;
    item.remove();
    this.items.delete(source);
    this.box.hidden = this.items.size === 0;
  }

  /** Uncaught errors and rejections of the page's own code are shown too (and still reach the console). */
  catchUncaught(target) {
    target.addEventListener("error", (e) => this.show("page", `error: ${e.message}`));
    target.addEventListener("unhandledrejection", (e) => this.show("page", `error: ${reason(e.reason)}`));
  }
}

function reason(error) {
  return error instanceof Error ? error.message : String(error);
}
