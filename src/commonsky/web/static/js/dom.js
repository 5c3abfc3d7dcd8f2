// DOM helpers: elements are built with text only (textContent), never from HTML strings.

/** The element with ``id``; an Error naming it when the page lacks it. */
export function byId(id) {
  const node = document.getElementById(id);
  if (!node) throw new Error(`the page has no #${id}`);
  return node;
}

/**
 * A new element: ``attrs`` may hold className, text (its textContent), title, style (an object of CSS
 * properties) and dataset; ``children`` are nodes or strings (strings become text nodes).
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  if (attrs.className) node.className = attrs.className;
  if (attrs.text !== undefined) node.textContent = String(attrs.text);
  if (attrs.title) node.title = attrs.title;
  Object.assign(node.style, attrs.style || {});
  Object.assign(node.dataset, attrs.dataset || {});
  node.append(...children);
  return node;
}
