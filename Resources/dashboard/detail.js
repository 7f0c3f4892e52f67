// One ECO: its display status and reason, its place on the map, its Render tasks, every pager run with each
// call, the whole timeline (who, when, what), and the actions the caller's role and the ECO's status allow:
// retry, cancel with a reason, edit the details, and take over by hand (dispatch, complete, close, reopen), each
// with its reason. Kept live, except while the operator is typing or has a form open: then the page waits for them.
import { api } from "/app/api.js";
import { h, slug } from "/app/dom.js";
import { sentence } from "/app/forms.js";
import { ecoLayer, makeMap } from "/app/map.js";
import { onEcoEvent } from "/app/stream.js";
import { ATTEMPT, INTERVENTION, JOB_TYPES, OUTCOME, RUN, describe, statusesInWords, when } from "/app/words.js";

/// The work statuses an ECO is still worked in: it may be cancelled and its details edited.
const WORKING = ["OPEN", "IN_PROGRESS"];
/// Each intervention where the appliance allows it (it refuses the others with a 409), what it does, and the
/// words of its form's button.
const INTERVENTIONS = {
  dispatch: {
    allowed: (eco) => WORKING.includes(eco.status) && ["Paging", "Needs escalation"].includes(eco.displayStatus),
    about: "A supervisor called the NOC back and took the job: the ECO is dispatched to them and the pager stops calling.",
    submit: "Record the dispatch",
  },
  complete: {
    allowed: (eco) => WORKING.includes(eco.status),
    about: "The work is done, whatever Render shows: Render is still watched for new work during the grace period.",
    submit: "Mark complete",
  },
  close: {
    allowed: (eco) => [...WORKING, "COMPLETED"].includes(eco.status),
    about: "Nothing more will happen: the ECO is closed at once and no longer followed.",
    submit: "Close the ECO",
  },
  reopen: {
    allowed: (eco) => ["COMPLETED", "HARD_COMPLETE"].includes(eco.status),
    about: "The work needs doing again: the ECO goes back to work in progress.",
    submit: "Reopen the ECO",
  },
};
const FIELD_NAMES = { reason: "Reason", acceptedBy: "Accepted by", description: "Description", jobType: "Job type" };

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
        h("h1", {}, `${eco.jobID} `, h("span", { class: `chip ${slug(eco.displayStatus)}`, "data-role": "status" }, eco.displayStatus),
          eco.stale ? h("span", { class: "flag stale", title: "No field change for the Render instance's inactivity limit" }, "Stale") : null),
        eco.displayReason ? h("p", { class: "reason", "data-role": "reason" }, eco.displayReason) : null,
        h("p", {}, eco.description),
        h("p", { class: "muted" }, `${Object.fromEntries(JOB_TYPES)[eco.jobType] ?? eco.jobType} · opened ${when(eco.createdAt)}${eco.acceptedBy ? ` · accepted by ${eco.acceptedBy}` : ""}`),
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
    // The appliance refuses a cancel or an edit once the work is complete, closed or cancelled.
    if (WORKING.includes(eco.status)) {
      const reason = h("input", { name: "reason", "aria-label": "Reason for cancelling", placeholder: "Reason for cancelling",
        oninput: () => {
          reasonTyped = reason.value !== "";
          if (behind && !busy()) render().catch(() => {});
        } });
      buttons.push(h("form", { class: "cancel", onsubmit: (event) => { event.preventDefault(); act("POST", "cancel", { reason: reason.value }, problem); } },
        reason, h("button", { type: "submit" }, "Cancel ECO")));
      buttons.push(editForm(eco, problem));
    }
    const offered = Object.keys(INTERVENTIONS).filter((action) => INTERVENTIONS[action].allowed(eco));
    return h("div", { class: "eco-actions" },
      buttons.length ? h("div", { class: "actions" }, ...buttons) : null,
      offered.length ? interventions(offered, problem) : null);
  }

  /// The interventions the status allows, each a button that opens its form; one form open at a time.
  function interventions(offered, problem) {
    const slot = h("div", { class: "intervention-slot" });
    const buttons = offered.map((action) => h("button", { type: "button", onclick: () => {
      problem.textContent = "";
      slot.replaceChildren(interventionForm(action, problem));
      editing = true;
      slot.querySelector("input, textarea").focus();
    } }, INTERVENTION[action].offer));
    return h("div", { class: "interventions" },
      h("div", { class: "actions", role: "group", "aria-label": "Take over by hand" }, h("span", { class: "muted" }, "By hand:"), ...buttons),
      slot);
  }

  function interventionForm(action, problem) {
    const acceptedBy = action === "dispatch"
      ? h("input", { name: "acceptedBy", required: true, maxlength: 200, autocomplete: "off", placeholder: "The supervisor who called back" })
      : null;
    const reason = h("textarea", { name: "reason", rows: 2, required: true, maxlength: 1000 });
    const submit = h("button", { class: "primary", type: "submit" }, INTERVENTIONS[action].submit);
    return h("form", { class: "intervention", "aria-label": INTERVENTION[action].offer, onsubmit: async (event) => {
      event.preventDefault();
      if (submit.disabled) return; // once, however often it is pressed
      const body = { action, reason: reason.value };
      if (acceptedBy) body.acceptedBy = acceptedBy.value;
      submit.disabled = true;
      await act("POST", "interventions", body, problem);
      submit.disabled = false;
    } },
    h("p", { class: "muted" }, INTERVENTIONS[action].about),
    acceptedBy ? h("label", {}, "Accepted by", acceptedBy) : null,
    h("label", {}, "Reason", reason),
    h("div", { class: "actions" }, submit, h("button", { type: "button", onclick: () => render().catch(() => {}) }, "Never mind")));
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

  /// A refusal in words: an edit's 409 is a change made meanwhile, or the work finished while the form was
  /// open; any other 409 says why the status forbids it.
  async function act(method, action, body, problem) {
    try {
      await api(method, `/api/ecos/${ecoID}${action ? `/${action}` : ""}`, body);
      await render();
    } catch (error) {
      if (error.status === 409 && method === "PATCH") problem.textContent = await editRefusal();
      else if (error.fields?.length) problem.textContent = error.fields.map((f) => `${FIELD_NAMES[f.field] ?? f.field}: ${f.message}`).join(" ");
      else problem.textContent = sentence(statusesInWords(error.message));
    }
  }

  async function editRefusal() {
    const latest = await api("GET", `/api/ecos/${ecoID}`).then((detail) => detail.eco, () => null);
    return latest && !WORKING.includes(latest.status)
      ? `This ECO is now “${latest.displayStatus}”: its details can no longer be edited. Discard to see it.`
      : "Someone changed this ECO meanwhile. Discard to see the latest, then make your change again.";
  }

  const stopEvents = onEcoEvent((event) => {
    if (event.ecoID !== ecoID) return;
    if (busy()) { behind = true; return; }
    render().catch(() => {});
  });
  render().catch((error) => view.replaceChildren(h("p", { class: "card error", role: "alert" }, error.message)));
  return () => { stopEvents(); map?.remove(); };
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
