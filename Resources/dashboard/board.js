// The ECO board: the active tenant's ECOs with their display status, newest first, in a table and on the map
// over the pager-list regions, filtered and searched, a page of 200 at a time, kept live by the tenant's stream.
// The attention list is pinned above it. An ECO a live event changed is put where the order says; one older
// than every page loaded so far waits for "Load more".
import { api } from "/app/api.js";
import { h, slug } from "/app/dom.js";
import { ecoLayer, makeMap, regionsLayer, visiblePagerLists } from "/app/map.js";
import { onEcoEvent } from "/app/stream.js";
import { when } from "/app/words.js";

const STATUSES = ["Pending", "Paging", "Dispatched", "Assigned", "In Progress", "Blocked", "Complete", "Closed", "Needs escalation", "Cancelled"];
const PAGE = 200;

/// A query for the API: URLSearchParams writes a space as "+", which the appliance reads as a plus ("Needs+escalation"
/// is no status); as "%20" it reads right. A plus that was typed is "%2B" already.
const queryString = (query) => query.toString().replaceAll("+", "%20");

/// Whether `a` comes before `b` on the board: newer first, as the API lists them (created, then id, descending).
const before = (a, b) => a.createdAt > b.createdAt || (a.createdAt === b.createdAt && a.id > b.id);

export function showBoard(view, membership, { attention, onNew, onOpen }) {
  const ecos = new Map();
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
  const more = h("button", { type: "button", hidden: true, onclick: () => loadMore().catch((error) => { empty.textContent = error.message; }) }, "Load more");
  const mayOpen = membership.tenantKind === "NOC" && membership.role !== "viewer";
  view.replaceChildren(
    h("div", { class: "board-head" }, h("h1", {}, `ECOs — ${membership.tenantName}`),
      mayOpen ? h("button", { class: "primary", type: "button", onclick: () => onNew() }, "New ECO") : null),
    attention,
    h("div", { class: "filters" }, h("label", {}, "Search", search), h("label", {}, "Status", status)),
    mapElement, table, h("p", { class: "more" }, more), empty);
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
        eco.stale ? h("span", { class: "flag stale", "data-role": "stale", title: "No field change for the Render instance's inactivity limit" }, "Stale") : null,
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

  /// The listing as loaded: its query (the filters when it was read), the cursor of its next page, and the
  /// oldest ECO on it (while there are more pages, an older one belongs to them).
  let listing = { query: null, nextCursor: null, oldest: null, generation: 0 };

  function loaded(eco) {
    return !listing.nextCursor || !listing.oldest || !before(listing.oldest, eco);
  }

  /// Puts `eco` in its place, or takes it off when it no longer matches.
  function show(eco) {
    rows.get(eco.id)?.remove();
    rows.delete(eco.id);
    ecos.delete(eco.id);
    shapes.get(eco.id)?.remove();
    shapes.delete(eco.id);
    if (matches(eco) && loaded(eco)) {
      const fresh = row(eco);
      const next = [...body.children].find((other) => before(eco, ecos.get(other.dataset.eco)));
      body.insertBefore(fresh, next ?? null);
      rows.set(eco.id, fresh);
      ecos.set(eco.id, eco);
      const shape = ecoLayer(eco).bindTooltip(`${eco.jobID} — ${eco.displayStatus}`).on("click", () => onOpen(eco.id));
      shapes.set(eco.id, shape);
      if (map) shape.addTo(map);
    }
    empty.textContent = rows.size ? "" : "No ECOs match.";
  }

  /// Appends a page; the API gives it in the board's order, newest first.
  function append(page, generation) {
    if (generation !== listing.generation) return;
    for (const eco of page.items) {
      if (rows.has(eco.id)) continue; // shown already: a live event put it in place
      const fresh = row(eco);
      body.append(fresh);
      rows.set(eco.id, fresh);
      ecos.set(eco.id, eco);
      const shape = ecoLayer(eco).bindTooltip(`${eco.jobID} — ${eco.displayStatus}`).on("click", () => onOpen(eco.id));
      shapes.set(eco.id, shape);
      if (map) shape.addTo(map);
    }
    listing.nextCursor = page.nextCursor ?? null;
    listing.oldest = page.items.at(-1) ?? listing.oldest;
    more.hidden = !listing.nextCursor;
    empty.textContent = rows.size ? "" : "No ECOs match.";
  }

  async function load() {
    const query = new URLSearchParams({ limit: String(PAGE) });
    if (search.value.trim()) query.set("q", search.value.trim());
    if (status.value) query.set("displayStatus", status.value);
    const generation = listing.generation + 1;
    listing = { query, nextCursor: null, oldest: null, generation };
    const page = await api("GET", `/api/ecos?${queryString(query)}`);
    if (generation !== listing.generation) return;
    rows.clear();
    ecos.clear();
    body.replaceChildren();
    for (const shape of shapes.values()) shape.remove();
    shapes.clear();
    append(page, generation);
  }

  async function loadMore() {
    if (!listing.nextCursor) return;
    const { generation } = listing;
    const query = new URLSearchParams(listing.query);
    query.set("cursor", listing.nextCursor);
    more.disabled = true;
    try {
      append(await api("GET", `/api/ecos?${queryString(query)}`), generation);
    } finally {
      more.disabled = false;
    }
  }

  let searching;
  search.addEventListener("input", () => { clearTimeout(searching); searching = setTimeout(load, 250); });
  status.addEventListener("change", load);

  const stopEvents = onEcoEvent(async ({ ecoID }) => {
    try {
      const eco = (await api("GET", `/api/ecos/${ecoID}`)).eco;
      // Answers can cross: an older one never replaces a newer.
      if (!stopped && !(ecos.get(eco.id)?.version > eco.version)) show(eco);
    } catch { /* gone from view: another tenant's, or deleted */ }
  });

  load().catch((error) => { empty.textContent = error.message; });
  return () => { stopped = true; clearTimeout(searching); stopEvents(); map?.remove(); };
}
