// The active tenant's live stream (/api/stream): one EventSource per tab, shared by the board, the ECO page and
// the attention list, so several tabs stay within the browser's few connections to the appliance. The browser's
// EventSource reconnects by itself and sends Last-Event-ID, so nothing is missed; while it is away the bar says so.

/// Every event of an ECO the stream carries.
export const ECO_EVENTS = ["EcoCreated", "EcoDetailsUpdated", "EcoIntegrationStatusChanged", "EcoStatusChanged", "EcoTaskChanged",
  "EcoLateCloneDetected", "EcoGracePeriodStarted", "EcoHardCompleted", "EcoStaleDetected", "EcoCancelled", "EcoInterventionRecorded",
  "EcoAttentionRaised", "EcoAttentionAcknowledged", "PagerRunStarted", "PagerAttemptRecorded", "PagerRunCompleted"];

const listeners = new Set();
let source = null;
let following = null;

/// Follows `tenantID`'s stream; a no-op when it is followed already.
export function follow(tenantID) {
  if (source && following === tenantID) return;
  unfollow();
  following = tenantID;
  const live = document.getElementById("live");
  source = new EventSource(`/api/stream?tenant=${encodeURIComponent(tenantID)}`);
  for (const type of ECO_EVENTS) {
    source.addEventListener(type, (message) => {
      const event = { ...JSON.parse(message.data), type };
      for (const listener of [...listeners]) listener(event);
    });
  }
  source.addEventListener("open", () => { live.textContent = "Live"; live.classList.remove("offline"); });
  source.addEventListener("error", () => { live.textContent = "Offline — reconnecting"; live.classList.add("offline"); });
}

export function unfollow() {
  source?.close();
  source = null;
  following = null;
  const live = document.getElementById("live");
  live.textContent = "";
  live.classList.remove("offline");
}

/// Calls `listener` with each ECO event (`type`, `ecoID`, `at`, `actor`); answers how to stop.
export function onEcoEvent(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
