// What the appliance's stored names, job types and times mean in an operator's words: nothing internal reaches the screen.
/// A stored time in the browser's own words and time zone.
export const when = (text) => (text ? new Date(text).toLocaleString() : "");

export const JOB_TYPES = [["CMR", "CMR — corrective maintenance"], ["MFR", "MFR — make fiber ready"], ["FNOL", "FNOL — first notice of loss"]];

export const ATTEMPT = {
  CALLING: "Calling", RINGING: "Ringing", ANSWERED: "Answered", ACCEPTED: "Accepted", DECLINED: "Declined",
  NO_ANSWER: "No answer", BUSY: "Busy", FAILED: "Call failed", TIMEOUT: "No answer in time", NO_RESPONSE: "Answered, no key pressed",
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
const WORK = { OPEN: "Open", IN_PROGRESS: "Work in progress", COMPLETED: "Work complete", HARD_COMPLETE: "Closed", CANCELLED: "Cancelled" };

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
    case "PagerRunStarted": return `Paging started: list ${p.pagerListName ?? ""}`;
    case "PagerAttemptRecorded": return `Call: ${ATTEMPT[p.kind] ?? "update"}`;
    case "PagerRunCompleted": return `Paging finished: ${OUTCOME[p.outcome] ?? ""}${p.reason ? ` (${p.reason})` : ""}`;
    default: return "Recorded";
  }
}
