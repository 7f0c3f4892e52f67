// The JSON API as the dashboard uses it: the session cookie, the CSRF token on every change, the active
// tenant in X-Tenant-ID, and API problems turned into errors that carry their per-field messages.

const state = { csrf: null, tenant: null };

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `The appliance answered ${status}.`);
    this.status = status;
    this.fields = problem?.errors || [];
  }
}

export function setSession({ csrf, tenant }) {
  if (csrf !== undefined) state.csrf = csrf;
  if (tenant !== undefined) state.tenant = tenant;
}

export const activeTenant = () => state.tenant;

export async function api(method, path, body, extraHeaders = {}) {
  const headers = { Accept: "application/json", ...extraHeaders };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (state.csrf && !["GET", "HEAD"].includes(method)) headers["X-CSRF-Token"] = state.csrf;
  if (state.tenant) headers["X-Tenant-ID"] = state.tenant;
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: "same-origin" });
  } catch {
    throw new ApiError(0, { detail: "The appliance cannot be reached. Check the network and try again." });
  }
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

/// A random key for Idempotency-Key: crypto.getRandomValues works on plain http too (randomUUID does not).
export function randomKey() {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, "0")).join("");
}
