// What the administration pages' stored values mean, in people's words: roles, service modes, tenant kinds
// and link statuses. The keys are the API's own values (Resources/openapi.json); only the words reach the
// screen, and a value the dashboard does not know yet is shown as it is rather than hidden.
export const ROLE = { viewer: "Viewer", dispatcher: "Dispatcher", admin: "Admin" };
export const MODE = { live: "Live", simulated: "Simulated" };
export const KIND = { NOC: "NOC", OSP: "OSP (contractor)" };
export const LINK = { active: "Active", suspended: "Suspended", pending: "Pending" };

/// A stored value in words: `word(ROLE, "admin")` → "Admin".
export const word = (words, value) => words[value] ?? String(value ?? "");
