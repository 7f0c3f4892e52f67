// An OSP admin's pager lists: each list's region (uploaded as GeoJSON, checked by the appliance feature by
// feature) and its contacts in calling order. A refused upload says which feature is wrong and keeps the
// region as it was.
import { api } from "/app/api.js";
import { h } from "/app/dom.js";

export async function showPagerLists(view) {
  const lists = await api("GET", "/api/pager-lists");
  view.replaceChildren(h("h1", {}, "Pager lists"), ...lists.map(listCard));
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

    const area = list.areaSquareMetres === undefined ? "no region (called only as the default)" : `${(list.areaSquareMetres / 1e6).toFixed(1)} km²`;
    return h("section", { class: "card", "data-list": list.id, "aria-label": `Pager list ${list.name}` },
      h("h2", {}, list.name),
      h("p", { class: "muted" }, `Priority ${list.priority} · ${list.active ? "active" : "inactive"}${list.isDefault ? " · default" : ""} · region: ${area}`),
      upload, status, regionProblems,
      h("h3", {}, "Contacts, in calling order"), saveContacts);
  }
}
