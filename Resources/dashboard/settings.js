// A tenant admin's settings, only those that act for the tenant's kind: for every tenant how the maps open (the
// zoom of the new-ECO map, of one ECO's map and of the ECO list's, and the center) and the tile server a site
// may host for a base map; for an OSP also its pager's timing (how long one contact may ring, how many more
// passes over the list) and when an ECO needs a person (accepted with no field movement, paging too long).
// Only what changed is sent; a refused value is said beside its field and nothing is saved.
import { api } from "/app/api.js";
import { h } from "/app/dom.js";
import { errorSlot, field, formError, numberIn, statusLine, whenSubmitted } from "/app/forms.js";

const ZOOMS = [["create", "New ECO map"], ["view", "One ECO's map"], ["list", "ECO list map"]];
const PAGING = [
  ["contactTimeoutSeconds", "Contact timeout (seconds)", "How long one contact's call may go unanswered before the next is called: 10 to 600.", 10, 600],
  ["listRepeats", "List repeats", "How many more times the whole list is called before the run gives up: 0 to 5.", 0, 5],
  ["acceptanceTimeoutMinutes", "Acceptance timeout (minutes)",
    "How long after a supervisor accepts the field may stay still before the ECO needs attention: 5 to 1440.", 5, 1440],
  ["pagingAlertMinutes", "Paging alert (minutes)", "How long the pager may keep calling the list before the ECO needs attention: 1 to 240.", 1, 240],
];
const REPAGE = "repageOnAcceptanceTimeout";

export async function showSettings(view, membership) {
  const paging = membership.tenantKind === "OSP";
  let current = await api("GET", "/api/settings");
  const status = statusLine();
  const form = h("form", { class: "card admin-form settings", "aria-label": "Settings", novalidate: true });
  view.replaceChildren(h("h1", {}, `Settings — ${membership.tenantName}`), form);
  fill();

  function fill() {
    form.replaceChildren(mapFields(current), paging ? pagingFields(current) : null, formError(),
      h("div", { class: "actions" }, h("button", { class: "primary", type: "submit" }, "Save settings")), status);
  }

  whenSubmitted(form, async () => {
    const change = changeIn(form, current, paging);
    if (!change) return;
    if (Object.keys(change).length === 0) { status.textContent = "Nothing to save: no value was changed."; return; }
    current = await api("PATCH", "/api/settings", change);
    fill();
    status.textContent = "tileURLTemplate" in change
      ? "Saved. Reload the page for the maps to use the new tile server."
      : "Saved.";
    status.focus(); // the form was drawn anew: its button, which had the focus, is gone
  });
}

function numberInput(name, value, min, max, step = 1) {
  return h("input", { name, type: "number", inputmode: step === 1 ? "numeric" : "decimal", min, max, step, value, required: true });
}

function mapFields(settings) {
  return h("fieldset", {},
    h("legend", {}, "Maps"),
    h("p", { class: "muted" }, "Zoom levels run from 1 (the whole world) to 20 (a street)."),
    h("div", { class: "form-grid three" },
      ...ZOOMS.map(([context, label]) => field(`${label} zoom`, numberInput(`mapZoom.${context}`, settings.mapZoom[context], 1, 20)))),
    h("div", { class: "form-grid three" },
      field("Center longitude", numberInput("mapCenter.longitude", settings.mapCenter.longitude, -180, 180, "any"), { hint: "−180 to 180, east positive." }),
      field("Center latitude", numberInput("mapCenter.latitude", settings.mapCenter.latitude, -90, 90, "any"), { hint: "−90 to 90, north positive." }),
      errorSlot("mapCenter")),
    field("Tile server", h("input", { name: "tileURLTemplate", type: "text", inputmode: "url", autocomplete: "off", spellcheck: "false",
      value: settings.tileURLTemplate ?? "", placeholder: "https://tiles.example.net/{z}/{x}/{y}.png" }),
    { hint: "Optional: the URL template of a tile server on your network, with {z}, {x} and {y}. Empty: maps have no base map." }));
}

function pagingFields(settings) {
  return h("fieldset", {},
    h("legend", {}, "Paging"),
    h("div", { class: "form-grid three" },
      ...PAGING.map(([name, label, hint, min, max]) => field(label, numberInput(name, settings[name], min, max), { hint }))),
    field("Page again when the acceptance timeout passes", h("input", { name: REPAGE, type: "checkbox", checked: settings[REPAGE] === true }),
      { hint: "On: when an accepted ECO's field has not moved within the acceptance timeout, the pager calls the list again. Off: the ECO only needs attention." }));
}

/// The PATCH body: only what differs from `settings` (zoom and center go whole), or null when a number is missing.
function changeIn(form, settings, paging) {
  const number = (name) => numberIn(form, name);
  const zoom = Object.fromEntries(ZOOMS.map(([context]) => [context, number(`mapZoom.${context}`)]));
  const center = { longitude: number("mapCenter.longitude"), latitude: number("mapCenter.latitude") };
  const timing = paging ? Object.fromEntries(PAGING.map(([name]) => [name, number(name)])) : {};
  if ([...Object.values(zoom), ...Object.values(center), ...Object.values(timing)].includes(null)) return null;
  const change = {};
  if (ZOOMS.some(([context]) => zoom[context] !== settings.mapZoom[context])) change.mapZoom = zoom;
  if (center.longitude !== settings.mapCenter.longitude || center.latitude !== settings.mapCenter.latitude) change.mapCenter = center;
  for (const [name, value] of Object.entries(timing)) if (value !== settings[name]) change[name] = value;
  if (paging && form.elements[REPAGE].checked !== (settings[REPAGE] === true)) change[REPAGE] = form.elements[REPAGE].checked;
  // The answer leaves the tile server out when there is none: it is sent only when it differs.
  const tiles = form.elements.tileURLTemplate.value.trim();
  if (tiles !== (settings.tileURLTemplate ?? "")) change.tileURLTemplate = tiles || null;
  return change;
}
