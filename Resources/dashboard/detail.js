// One ECO: its display status and reason, its place on the map, its Render tasks, every pager run with each
// call, the whole timeline (who, when, what), and the actions the caller's role allows. Kept live.
import { circleMarker, geoJSON } from "/app/vendor/leaflet/leaflet.esm.js";
import { api } from "/app/api.js";
import { h, slug } from "/app/dom.js";
import { makeMap } from "/app/map.js";
import { ATTEMPT, OUTCOME, RUN, describe } from "/app/words.js";

const when = (text) => new Date(text).toLocaleString();

export function showDetail(view, membership, ecoID, { onBack }) {
  const mayAct = membership.tenantKind === "NOC" && membership.role !== "viewer";
  let map = null;

  async function render() {
    const [detail, runs, timeline, settings] = await Promise.all([
      api("GET", `/api/ecos/${ecoID}`), api("GET", `/api/ecos/${ecoID}/pager-runs`), api("GET", `/api/ecos/${ecoID}/timeline`),
      api("GET", "/api/settings"),
    ]);
    const eco = detail.eco;
    const mapElement = h("div", { class: "map small", "aria-label": "Where the ECO is" });
    const problem = h("p", { class: "error", role: "alert" });
    view.replaceChildren(
      h("p", {}, h("button", { type: "button", onclick: () => onBack() }, "← All ECOs")),
      h("section", { class: "card", "aria-label": "ECO" },
        h("h1", {}, `${eco.jobID} `, h("span", { class: `chip ${slug(eco.displayStatus)}`, "data-role": "status" }, eco.displayStatus)),
        eco.displayReason ? h("p", { class: "reason", "data-role": "reason" }, eco.displayReason) : null,
        h("p", {}, eco.description),
        h("p", { class: "muted" }, `${eco.jobType} · opened ${when(eco.createdAt)}${eco.acceptedBy ? ` · accepted by ${eco.acceptedBy}` : ""}`),
        mayAct ? actions(eco, problem) : null, problem),
      h("div", { class: "detail-grid" },
        h("section", { class: "card" }, h("h2", {}, "Location"), mapElement),
        h("section", { class: "card" }, h("h2", {}, "Render tasks"), tasks(detail.tasks))),
      h("section", { class: "card", "aria-label": "Pager runs" }, h("h2", {}, "Paging"), ...pagerRuns(runs)),
      h("section", { class: "card", "aria-label": "Timeline" }, h("h2", {}, "Timeline"), timelineList(timeline.entries)));
    map?.remove();
    map = makeMap(mapElement, settings, "view");
    const layer = geoJSON(eco.location, {
      pointToLayer: (_, latlng) => circleMarker(latlng, { radius: 8, color: "#b42318" }),
      style: { color: "#b42318", weight: 4 },
    }).addTo(map);
    if (eco.location.type === "Point") map.setView(layer.getBounds().getCenter(), settings.mapZoom.view);
    else map.fitBounds(layer.getBounds(), { padding: [20, 20] });
  }

  function actions(eco, problem) {
    const buttons = [];
    if (eco.displayStatus === "Needs escalation") {
      buttons.push(h("button", { class: "primary", type: "button", onclick: () => act("retry", {}, problem) }, "Retry"));
    }
    if (!["Cancelled", "Closed"].includes(eco.displayStatus)) {
      const reason = h("input", { name: "reason", "aria-label": "Reason for cancelling", placeholder: "Reason for cancelling" });
      buttons.push(h("form", { class: "cancel", onsubmit: (event) => { event.preventDefault(); act("cancel", { reason: reason.value }, problem); } },
        reason, h("button", { type: "submit" }, "Cancel ECO")));
    }
    return h("div", { class: "actions" }, ...buttons);
  }

  async function act(action, body, problem) {
    try {
      await api("POST", `/api/ecos/${ecoID}/${action}`, body);
      await render();
    } catch (error) {
      problem.textContent = error.fields?.length ? error.fields.map((f) => f.message).join(" ") : error.message;
    }
  }

  const stream = new EventSource(`/api/stream?tenant=${encodeURIComponent(membership.tenantID)}`);
  const refresh = (message) => { if (JSON.parse(message.data).ecoID === ecoID) render().catch(() => {}); };
  for (const type of ["EcoIntegrationStatusChanged", "EcoStatusChanged", "EcoTaskChanged", "EcoLateCloneDetected", "EcoGracePeriodStarted",
    "EcoHardCompleted", "EcoStaleDetected", "EcoCancelled", "EcoDetailsUpdated", "PagerRunStarted", "PagerAttemptRecorded", "PagerRunCompleted"]) {
    stream.addEventListener(type, refresh);
  }
  render().catch((error) => view.replaceChildren(h("p", { class: "card error", role: "alert" }, error.message)));
  return () => { stream.close(); map?.remove(); };
}

function tasks(list) {
  if (!list.length) return h("p", { class: "muted" }, "No task seen in Render yet.");
  return h("table", {}, h("thead", {}, h("tr", {}, h("th", {}, "Task"), h("th", {}, "Status"), h("th", {}, "Crew"), h("th", {}, "Updated"))),
    h("tbody", {}, ...list.map((task) => h("tr", {}, h("td", {}, task.taskID), h("td", {}, task.displayStatus),
      h("td", {}, task.assignee ?? ""), h("td", {}, when(task.updatedAt))))));
}

function pagerRuns(runs) {
  if (!runs.length) return [h("p", { class: "muted" }, "No pager run.")];
  return runs.map((run, index) => h("article", { class: "run", "data-role": "pager-run" },
    h("h3", {}, `Run ${index + 1}: list ${run.pagerListName} — ${run.outcome ? OUTCOME[run.outcome] : RUN[run.status]}`),
    run.reason ? h("p", { class: "reason" }, run.reason) : null,
    h("ol", {}, ...run.attempts.map((attempt) =>
      h("li", {}, `${when(attempt.at)} — ${attempt.contactName}: ${ATTEMPT[attempt.kind] ?? "update"}`)))));
}

function timelineList(entries) {
  return h("ol", { class: "timeline" }, ...entries.map((entry) =>
    h("li", {}, h("time", { datetime: entry.at }, when(entry.at)), " ", describe(entry), h("span", { class: "muted" }, ` — ${entry.actorName ?? "someone no longer known"}`))));
}
