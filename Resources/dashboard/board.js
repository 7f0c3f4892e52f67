// The ECO board: the active tenant's ECOs with their display status, in a table and on the map over the
// pager-list regions, filtered and searched, kept live by /api/stream. The browser's EventSource reconnects by
// itself and sends Last-Event-ID, so nothing is missed; while it is away the bar says so.
import { api } from "/app/api.js";
import { h, slug } from "/app/dom.js";
import { ecoLayer, makeMap, regionsLayer, visiblePagerLists } from "/app/map.js";
import { when } from "/app/words.js";

const STATUSES = ["Pending", "Paging", "Dispatched", "Assigned", "In Progress", "Blocked", "Complete", "Closed", "Needs escalation", "Cancelled"];
const ECO_EVENTS = ["EcoCreated", "EcoDetailsUpdated", "EcoIntegrationStatusChanged", "EcoStatusChanged", "EcoTaskChanged", "EcoLateCloneDetected",
  "EcoGracePeriodStarted", "EcoHardCompleted", "EcoStaleDetected", "EcoCancelled", "PagerRunStarted", "PagerAttemptRecorded", "PagerRunCompleted"];

export function showBoard(view, membership, { onNew, onOpen }) {
  const rows = new Map();
  const shapes = new Map();
  const mapElement = h("div", { class: "map board-map", "aria-label": "Map of the ECOs and the pager-list regions" });
  const search = h("input", { type: "search", name: "q", placeholder: "Job, description…", "aria-label": "Search ECOs" });
  const status = h("select", { name: "displayStatus", "aria-label": "Status" },
    h("option", { value: "" }, "Any status"), ...STATUSES.map((s) => h("option", { value: s }, s)));
  const body = h("tbody");
  const table = h("table", { "aria-label": "ECOs" },
    h("thead", {}, h("tr", {}, h("th", {}, "Job"), h("th", {}, "Status"), h("th", {}, "Description"),
      h("th", { class: "optional" }, "Accepted by"), h("th", { class: "optional" }, "Updated"))),
    body);
  const empty = h("p", { class: "empty" });
  const mayOpen = membership.tenantKind === "NOC" && membership.role !== "viewer";
  view.replaceChildren(
    h("div", { class: "board-head" }, h("h1", {}, `ECOs — ${membership.tenantName}`),
      mayOpen ? h("button", { class: "primary", type: "button", onclick: () => onNew() }, "New ECO") : null),
    h("div", { class: "filters" }, h("label", {}, "Search", search), h("label", {}, "Status", status)),
    mapElement, table, empty);
  let map = null;
  let stopped = false;
  api("GET", "/api/settings").then(async (settings) => {
    if (stopped) return;
    map = makeMap(mapElement, settings, "list");
    regionsLayer(await visiblePagerLists(membership)).addTo(map);
    for (const layer of shapes.values()) layer.addTo(map);
  }).catch((error) => { mapElement.textContent = `The map cannot be shown: ${error.message}`; });

  function row(eco) {
    return h("tr", { "data-eco": eco.id },
      h("td", {}, h("a", { href: `#eco/${eco.id}`, onclick: (event) => { event.preventDefault(); onOpen(eco.id); } }, eco.jobID)),
      h("td", {}, h("span", { class: `chip ${slug(eco.displayStatus)}` }, eco.displayStatus),
        eco.displayReason ? h("span", { class: "reason" }, eco.displayReason) : null),
      h("td", {}, eco.description),
      h("td", { class: "optional" }, eco.acceptedBy ?? ""),
      h("td", { class: "optional" }, when(eco.updatedAt)));
  }

  function matches(eco) {
    const q = search.value.trim().toLowerCase();
    return (!status.value || eco.displayStatus === status.value)
      && (!q || eco.jobID.toLowerCase().includes(q) || eco.description.toLowerCase().includes(q));
  }

  function show(eco) {
    const existing = rows.get(eco.id);
    shapes.get(eco.id)?.remove();
    shapes.delete(eco.id);
    if (!matches(eco)) { existing?.remove(); rows.delete(eco.id); }
    else {
      const fresh = row(eco);
      if (existing) existing.replaceWith(fresh); else body.prepend(fresh);
      rows.set(eco.id, fresh);
      const shape = ecoLayer(eco).bindTooltip(`${eco.jobID} — ${eco.displayStatus}`).on("click", () => onOpen(eco.id));
      shapes.set(eco.id, shape);
      if (map) shape.addTo(map);
    }
    empty.textContent = rows.size ? "" : "No ECOs match.";
  }

  async function load() {
    const query = new URLSearchParams({ limit: "200" });
    if (search.value.trim()) query.set("q", search.value.trim());
    if (status.value) query.set("displayStatus", status.value);
    const page = await api("GET", `/api/ecos?${query}`);
    rows.clear();
    body.replaceChildren();
    for (const shape of shapes.values()) shape.remove();
    shapes.clear();
    for (const eco of page.items.reverse()) show(eco);
    empty.textContent = rows.size ? "" : "No ECOs match.";
  }

  let searching;
  search.addEventListener("input", () => { clearTimeout(searching); searching = setTimeout(load, 250); });
  status.addEventListener("change", load);

  const live = document.getElementById("live");
  const stream = new EventSource(`/api/stream?tenant=${encodeURIComponent(membership.tenantID)}`);
  const refresh = async (message) => {
    const { ecoID } = JSON.parse(message.data);
    try { show((await api("GET", `/api/ecos/${ecoID}`)).eco); } catch { /* gone from view: another tenant's, or deleted */ }
  };
  for (const type of ECO_EVENTS) stream.addEventListener(type, refresh);
  stream.addEventListener("open", () => { live.textContent = "Live"; live.classList.remove("offline"); });
  stream.addEventListener("error", () => { live.textContent = "Offline — reconnecting"; live.classList.add("offline"); });

  load().catch((error) => { empty.textContent = error.message; });
  return () => { stopped = true; stream.close(); map?.remove(); };
}
