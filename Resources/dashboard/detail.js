// One ECO: its display status and reason, its place on the map, its Render tasks, every pager run with each
// call, the whole timeline (who, when, what), and the actions the caller's role allows (retry, cancel with a
// reason, edit the details). Kept live, except while the operator is typing: then the page waits for them.
import { api } from "/app/api.js";
import { h, slug } from "/app/dom.js";
import { ecoLayer, makeMap } from "/app/map.js";
import { ATTEMPT, JOB_TYPES, OUTCOME, RUN, describe, when } from "/app/words.js";

export function showDetail(view, membership, ecoID, { onBack }) {
  const mayAct = membership.tenantKind === "NOC" && membership.role !== "viewer";
  let map = null;
  /// While the operator edits the details or has typed a reason, a live update waits (`behind`) until they are
  /// done, so what they typed is never wiped.
  let editing = false;
  let reasonTyped = false;
  let behind = false;
  const busy = () => editing || reasonTyped;
  // The map's zoom and centre do not change while the page is open: read once, not on every live update.
  const settings = api("GET", "/api/settings");

  async function render() {
    const [detail, runs, timeline, mapSettings] = await Promise.all([
      api("GET", `/api/ecos/${ecoID}`), api("GET", `/api/ecos/${ecoID}/pager-runs`), api("GET", `/api/ecos/${ecoID}/timeline`), settings,
    ]);
    const eco = detail.eco;
    const mapElement = h("div", { class: "map small", "aria-label": "Where the ECO is" });
    const problem = h("p", { class: "error", role: "alert" });
    editing = false;
    reasonTyped = false;
    behind = false;
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
    map = makeMap(mapElement, mapSettings, "view");
    const layer = ecoLayer(eco).addTo(map);
    if (eco.location.type === "Point") map.setView(layer.getBounds().getCenter(), mapSettings.mapZoom.view);
    else map.fitBounds(layer.getBounds(), { padding: [20, 20] });
  }

  function actions(eco, problem) {
    const buttons = [];
    if (eco.displayStatus === "Needs escalation") {
      buttons.push(h("button", { class: "primary", type: "button", onclick: () => act("POST", "retry", {}, problem) }, "Retry"));
    }
    if (!["Cancelled", "Closed"].includes(eco.displayStatus)) {
      const reason = h("input", { name: "reason", "aria-label": "Reason for cancelling", placeholder: "Reason for cancelling",
        oninput: () => {
          reasonTyped = reason.value !== "";
          if (behind && !busy()) render().catch(() => {});
        } });
      buttons.push(h("form", { class: "cancel", onsubmit: (event) => { event.preventDefault(); act("POST", "cancel", { reason: reason.value }, problem); } },
        reason, h("button", { type: "submit" }, "Cancel ECO")));
      buttons.push(editForm(eco, problem));
    }
    return h("div", { class: "actions" }, ...buttons);
  }

  /// Job type and description, sent with the version they were read at: a change made meanwhile is a 409.
  function editForm(eco, problem) {
    const jobType = h("select", { name: "jobType" }, ...JOB_TYPES.map(([value, label]) => h("option", { value, selected: value === eco.jobType }, label)));
    const description = h("textarea", { name: "description", rows: 3 }, eco.description);
    const fields = h("div", { class: "edit-fields", hidden: true },
      h("label", {}, "Job type", jobType), h("label", {}, "Description", description),
      h("div", { class: "actions" }, h("button", { class: "primary", type: "submit" }, "Save details"),
        h("button", { type: "button", onclick: () => render().catch(() => {}) }, "Discard")));
    const open = h("button", { type: "button", onclick: () => {
      fields.hidden = false;
      open.hidden = true;
      editing = true;
      description.focus();
    } }, "Edit details");
    return h("form", { class: "edit", "aria-label": "Edit details", onsubmit: (event) => {
      event.preventDefault();
      act("PATCH", "", { jobType: jobType.value, description: description.value, expectedVersion: eco.version }, problem);
    } }, open, fields);
  }

  async function act(method, action, body, problem) {
    try {
      await api(method, `/api/ecos/${ecoID}${action ? `/${action}` : ""}`, body);
      await render();
    } catch (error) {
      problem.textContent = error.status === 409
        ? "Someone changed this ECO meanwhile. Discard to see the latest, then make your change again."
        : error.fields?.length ? error.fields.map((f) => `${f.field}: ${f.message}`).join(" ") : error.message;
    }
  }

  const stream = new EventSource(`/api/stream?tenant=${encodeURIComponent(membership.tenantID)}`);
  const refresh = (message) => {
    if (JSON.parse(message.data).ecoID !== ecoID) return;
    if (busy()) { behind = true; return; }
    render().catch(() => {});
  };
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
