// What the administration pages' stored values mean, in people's words: roles, service modes, tenant kinds
// and link statuses. The keys are the API's own values (Resources/openapi.json); only the words reach the
// screen, and a value the dashboard does not know yet is shown as it is rather than hidden.
export const ROLE = { viewer: "Viewer", dispatcher: "Dispatcher", admin: "Admin" };
export const MODE = { live: "Live", simulated: "Simulated" };
export const KIND = { NOC: "NOC", OSP: "OSP (contractor)" };
export const LINK = { active: "Active", suspended: "Suspended", pending: "Pending" };

/// Intervals in minutes, in the largest unit they are a whole number of.
export const INTERVAL_UNITS = [["day", 1440], ["hour", 60], ["minute", 1]];

/// 360 → [6, "hour"].
export function inUnit(minutes) {
  const [unit, size] = INTERVAL_UNITS.find(([, size]) => minutes % size === 0);
  return [minutes / size, unit];
}

/// 360 → "every 6 hours", 1440 → "every day".
export function everyInWords(minutes) {
  const [count, unit] = inUnit(minutes);
  return count === 1 ? `every ${unit}` : `every ${count} ${unit}s`;
}

/// A stored value in words: `word(ROLE, "admin")` → "Admin".
export const word = (words, value) => words[value] ?? String(value ?? "");
