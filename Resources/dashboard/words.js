// What the appliance's stored names, job types and times mean in an operator's words: nothing internal reaches the screen.
/// A stored time in the browser's own words and time zone.
export const when = (text) => (text ? new Date(text).toLocaleString() : "");

/// The job types as the seeds define them.
export const JOB_TYPES = [["CMR", "CMR — Claims Management Resource"], ["MFR", "MFR — Maintenance Field Request"], ["FNOL", "FNOL — First Notice of Loss"]];

export const ATTEMPT = {
  CALLING: "Calling", RINGING: "Ringing", ANSWERED: "Answered", ACCEPTED: "Accepted", DECLINED: "Declined",
  NO_ANSWER: "No answer", BUSY: "Busy", FAILED: "Call failed", TIMEOUT: "No answer in time", NO_RESPONSE: "Answered, no key pressed",
  ON_ANOTHER_CALLOUT: "Not rung: on another ECO's callout call",
};
export const RUN = { NOT_STARTED: "Not started", RUNNING: "Calling", COMPLETED: "Finished" };
export const OUTCOME = { DISPATCHED: "Accepted", EXHAUSTED: "Nobody accepted", FAILED: "Could not call", CANCELLED: "Stopped: ECO cancelled" };
const INTEGRATION = { PENDING: "Waiting for Render", TASKED: "Task made in Render; paging", DISPATCHED: "Accepted by the contractor", FAILED: "Failed" };
/// Render's task statuses and Twilio's call statuses, as an operator says them.
export const TASK = {
  blueprinted: "planned", pending: "waiting", tasked: "sent to the field", allocated: "assigned to a crew", releasable: "ready to release",
  released: "work started", jeopardy: "in jeopardy", completed: "complete",
};
export const CALL = {
  queued: "queued", initiated: "dialling", ringing: "ringing", "in-progress": "on the call", completed: "call ended", busy: "busy",
  "no-answer": "no answer", failed: "failed", canceled: "cancelled",
};
/// Why an ECO needs a person now, as the attention list says it.
export const CAUSE = {
  NEEDS_ESCALATION: "Needs escalation", REOPENED: "Work reopened after completion", STALE: "No field change for too long",
  ACCEPTANCE_OVERDUE: "Accepted, but the field has not moved", PAGING_OVERDUE: "Paging for too long",
};
const cause = (code) => CAUSE[code] ?? "Needs attention";
/// What an operator does by hand: the button that offers it, and what the timeline says was done.
export const INTERVENTION = {
  dispatch: { offer: "Dispatch by hand", done: "Dispatched by hand" },
  complete: { offer: "Complete", done: "Completed by hand" },
  close: { offer: "Close", done: "Closed by hand" },
  reopen: { offer: "Reopen", done: "Reopened by hand" },
};
const WORK = { OPEN: "Open", IN_PROGRESS: "Work in progress", COMPLETED: "Work complete", HARD_COMPLETE: "Closed", CANCELLED: "Cancelled" };
/// The work statuses inside a sentence the appliance wrote ("cannot reopen this ECO: it is OPEN"), in words.
const WORK_IN_A_SENTENCE = { OPEN: "open", IN_PROGRESS: "in progress", COMPLETED: "complete", HARD_COMPLETE: "closed", CANCELLED: "cancelled" };
export const statusesInWords = (text) => String(text).replace(/\b(OPEN|IN_PROGRESS|COMPLETED|HARD_COMPLETE|CANCELLED)\b/g, (code) => WORK_IN_A_SENTENCE[code]);

/// One timeline entry as a sentence.
export function describe(entry) {
  const p = entry.payload ?? {};
  switch (entry.type) {
    case "EcoCreated": return "ECO opened";
    case "EcoDetailsUpdated": return "Details edited";
    case "EcoIntegrationStatusChanged": {
      const to = p.to ?? {};
      const stage = to.stage ? ` (${to.stage === "render" ? "Render" : "paging"})` : "";
      return `${INTEGRATION[to.status] ?? "Integration changed"}${stage}${p.reason ? `: ${p.reason}` : ""}`;
    }
    case "EcoStatusChanged": return `${WORK[p.to] ?? "Status changed"}${p.reason ? `: ${p.reason}` : ""}`;
    case "EcoTaskChanged": return `Render task ${p.taskID}: ${TASK[p.status] ?? "changed"}${p.assignee ? `, ${p.assignee}` : ""}`;
    case "EcoLateCloneDetected": return `Follow-on task ${p.taskID} appeared in Render`;
    case "EcoGracePeriodStarted": return "Grace period started: still watching Render for new work";
    case "EcoHardCompleted": return "Closed: the grace period ended with nothing new";
    case "EcoStaleDetected": return "No change in Render for a long time";
    case "EcoCancelled": return `Cancelled${p.reason ? `: ${p.reason}` : ""}`;
    case "EcoInterventionRecorded": return intervention(p);
    case "EcoAttentionRaised": return `Needs attention: ${cause(p.cause)}${p.detail ? ` (${p.detail})` : ""}`;
    case "EcoAttentionAcknowledged": {
      const causes = (p.causes ?? []).map((code) => cause(code).toLowerCase()).join("; ");
      return `Attention acknowledged${causes ? `: ${causes}` : ""}`;
    }
    case "PagerRunStarted": return `Paging started: list ${p.pagerListName ?? ""}`;
    case "PagerAttemptRecorded": return `Call: ${ATTEMPT[p.kind] ?? "update"}`;
    case "PagerRunCompleted": return `Paging finished: ${OUTCOME[p.outcome] ?? ""}${p.reason ? ` (${p.reason})` : ""}`;
    default: return "Recorded";
  }
}

/// "Dispatched by hand: supervisor Bob called back — the reason".
function intervention(p) {
  const done = INTERVENTION[p.action]?.done ?? "Changed by hand";
  const who = p.action === "dispatch" && p.acceptedBy ? `: supervisor ${p.acceptedBy} called back` : "";
  const grace = p.action === "complete" && p.graceUntil ? `; still watched for new work until ${when(p.graceUntil)}` : "";
  return `${done}${who}${grace}${p.reason ? ` — ${p.reason}` : ""}`;
}
