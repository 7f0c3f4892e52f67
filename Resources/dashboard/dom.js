// Builds elements from data without ever parsing it as HTML: `h("td", { class: "x" }, text, child…)`.
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  element.append(...children.flat().filter((child) => child !== null && child !== undefined && child !== false));
  return element;
}

/// A display status as a CSS class: "Needs escalation" → "needs-escalation".
export const slug = (text) => String(text).toLowerCase().replace(/[^a-z0-9]+/g, "-");
