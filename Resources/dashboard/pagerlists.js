// An OSP admin's pager lists: their regions on a map, framed to show them all; a new list; and for each list its name, priority, whether
// it is active and whether it is the default (called where no region covers the place), its region (uploaded as
// GeoJSON, checked by the appliance feature by feature) and its contacts in calling order. A refused upload
// says which feature is wrong and keeps the region as it was.
import { api } from "/app/api.js";
import { h } from "/app/dom.js";
import { field, formError, numberIn, whenSubmitted } from "/app/forms.js";
import { makeMap, regionsLayer } from "/app/map.js";

export async function showPagerLists(view) {
  const [lists, settings] = await Promise.all([api("GET", "/api/pager-lists"), api("GET", "/api/settings")]);
  const mapElement = h("div", { class: "map board-map", "aria-label": "Map of the pager lists' regions" });
  view.replaceChildren(h("h1", {}, "Pager lists"), mapElement, newListForm(refresh), ...lists.map(listCard));
  const map = makeMap(mapElement, settings, "list");
  const regions = regionsLayer(lists).addTo(map);
  if (regions.getLayers().length) map.fitBounds(regions.getBounds(), { padding: [20, 20] });
  async function refresh() { await showPagerLists(view); }

  function listCard(list) {
    const status = h("p", { class: "status", role: "status" });
    const regionProblems = h("ul", { class: "field-error", "data-role": "region-errors", role: "alert" });
    const file = h("input", { type: "file", accept: ".geojson,.json,application/geo+json,application/json", "aria-label": `Region file for ${list.name}` });
    const upload = h("form", { class: "inline", onsubmit: async (event) => {
      event.preventDefault();
      regionProblems.replaceChildren();
      status.textContent = "";
      const chosen = file.files[0];
      if (!chosen) { status.textContent = "Choose a GeoJSON file first."; return; }
      let geojson;
      try { geojson = JSON.parse(await chosen.text()); } catch { status.textContent = "The file is not JSON."; return; }
      try {
        await api("PUT", `/api/pager-lists/${list.id}/region`, geojson);
        await refresh();
      } catch (error) {
        status.textContent = error.message;
        regionProblems.replaceChildren(...(error.fields ?? []).map((f) => h("li", {}, `${f.field}: ${f.message}`)));
      }
    } }, file, h("button", { type: "submit" }, "Upload region"));

    const contacts = h("textarea", { rows: Math.max(3, list.contacts.length + 1), "aria-label": `Contacts of ${list.name}, one per line: name, phone` },
      list.contacts.map((c) => `${c.name}, ${c.phone}`).join("\n"));
    const contactProblems = h("ul", { class: "field-error", role: "alert" });
    const saveContacts = h("form", { class: "contacts", onsubmit: async (event) => {
      event.preventDefault();
      contactProblems.replaceChildren();
      const parsed = contacts.value.split("\n").map((line) => line.trim()).filter(Boolean).map((line) => {
        const comma = line.lastIndexOf(",");
        return comma < 0 ? { name: line, phone: "" } : { name: line.slice(0, comma).trim(), phone: line.slice(comma + 1).trim() };
      });
      try {
        await api("PUT", `/api/pager-lists/${list.id}/contacts`, { contacts: parsed });
        await refresh();
      } catch (error) {
        contactProblems.replaceChildren(...(error.fields?.length ? error.fields : [{ field: "", message: error.message }])
          .map((f) => h("li", {}, `${f.field.replace(/^contacts\[(\d+)\]/, (_, i) => `line ${Number(i) + 1}`)} ${f.message}`)));
      }
    } }, contacts, h("button", { type: "submit" }, "Save contacts"), contactProblems);

    const area = list.areaSquareMetres !== undefined ? `${(list.areaSquareMetres / 1e6).toFixed(1)} km²` : list.isDefault ? "none (called as the default)" : "none";
    return h("section", { class: "card", "data-list": list.id, "aria-label": `Pager list ${list.name}` },
      h("h2", {}, list.name),
      h("p", { class: "muted" }, `Priority ${list.priority} · ${list.active ? "active" : "inactive"}${list.isDefault ? " · default" : ""} · region: ${area}`),
      listSettingsForm(list, refresh),
      h("h3", {}, "Region"), upload, status, regionProblems,
      h("h3", {}, "Contacts, in calling order"), saveContacts);
  }
}

/// A list's name, priority, and whether it is active and the default: what a new list is made with, and what
/// a list's own form changes.
function listFields(list) {
  return h("div", { class: "form-grid" },
    field("Name", h("input", { name: "name", value: list?.name ?? "", autocomplete: "off", required: true })),
    field("Priority", h("input", { name: "priority", type: "number", step: 1, value: list?.priority ?? 0, inputmode: "numeric" }),
      { hint: "Where regions overlap, the highest priority is called." }),
    field("Active", h("input", { name: "active", type: "checkbox", checked: list?.active ?? true }), { hint: "An inactive list is never called." }),
    field("Default", h("input", { name: "isDefault", type: "checkbox", checked: list?.isDefault ?? false }),
      { hint: "Called where no region covers the place; one list at most." }));
}

function listBody(form) {
  const priority = numberIn(form, "priority");
  if (priority === null) return null;
  return { name: form.elements.name.value, priority, active: form.elements.active.checked, isDefault: form.elements.isDefault.checked };
}

function newListForm(onCreated) {
  const form = h("form", { class: "card admin-form", "aria-label": "New pager list", novalidate: true },
    h("h2", {}, "New pager list"), listFields(null), formError(),
    h("div", { class: "actions" }, h("button", { class: "primary", type: "submit" }, "Add list")));
  whenSubmitted(form, async () => {
    const body = listBody(form);
    if (!body) return;
    await api("POST", "/api/pager-lists", body);
    await onCreated();
  });
  return form;
}

function listSettingsForm(list, onSaved) {
  const form = h("form", { class: "admin-form", "aria-label": `Settings of ${list.name}`, novalidate: true },
    listFields(list), formError(), h("div", { class: "actions" }, h("button", { type: "submit" }, "Save list")));
  whenSubmitted(form, async () => {
    const body = listBody(form);
    if (!body) return;
    await api("PATCH", `/api/pager-lists/${list.id}`, body);
    await onSaved();
  });
  return form;
}
