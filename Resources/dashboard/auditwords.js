// One configuration change as a sentence: "Maya Chen added as Dispatcher", "Settings changed: ECO list map
// zoom 10 → 12". An entry's before and after are the API's JSON texts of the entity; stored values are put in
// words, and a change of a kind this page does not know yet is still said, in general words, never hidden.
import { everyInWords, KIND, LINK, MODE, ROLE, word } from "/app/adminwords.js";

const FIELD = {
  "mapZoom.create": "new ECO map zoom", "mapZoom.view": "one ECO's map zoom", "mapZoom.list": "ECO list map zoom",
  "mapCenter.longitude": "center longitude", "mapCenter.latitude": "center latitude", contactTimeoutSeconds: "contact timeout (s)",
  listRepeats: "list repeats", gracePeriodHours: "grace period (h)", tileURLTemplate: "tile server", mode: "mode", baseURL: "base URL",
  clientID: "client ID", projectID: "project ID", pollIntervalSeconds: "poll interval (s)", clientSecretSet: "client secret",
  authTokenSet: "auth token", accountSID: "account SID", fromNumber: "calls from", isDefault: "default list", areaSquareMetres: "region",
  enabled: "on schedule", directory: "directory", everyMinutes: "interval", keep: "backups kept",
};
const VALUE = { mode: MODE, status: LINK, role: ROLE, kind: KIND };
/// Bookkeeping that changes with every save, or ids said elsewhere in the sentence.
const UNSAID = new Set(["id", "updatedAt", "createdAt", "ospTenantID", "nocTenantID", "tenantID", "tenantName", "tenantKind", "createdBy", "lastUsedAt"]);

/// `names.user(id)` and `names.tenant(id)` name a user and a tenant, in whatever words the page has for them.
export function describe(entry, names) {
  try {
    return specific(entry, names) ?? general(entry);
  } catch {
    return general(entry); // an entry older or newer than these words: said in general
  }
}

const general = (entry) => `${sayName(entry.entity)}: ${sayName(entry.action)}`.replace(/^./, (first) => first.toUpperCase());

function specific(entry, names) {
  const before = parse(entry.before), after = parse(entry.after);
  const member = () => names.user(entry.entityID.split("/")[0]);
  const [noc, osp] = entry.entityID.split("/").map((id) => names.tenant(id));
  const list = (value) => value?.list ?? value ?? {};
  switch (`${entry.entity}/${entry.action}`) {
    case "tenant/create":
      return `Tenant “${after.name}” added: ${word(KIND, after.kind)}${after.jobPrefix ? `, job prefix ${after.jobPrefix}` : ""}`;
    case "tenant_link/create": return `${noc} linked to ${osp}: ${word(LINK, after.status)}`;
    case "tenant_link/update": return `Link of ${noc} to ${osp}: ${word(LINK, before.status)} → ${word(LINK, after.status)}`;
    case "user/create": return `${after.isOwner ? "Owner account" : "Account"} ${after.displayName} (${after.username}) made`;
    case "user/change-password": return `Password of ${names.user(entry.entityID)} changed; their other sessions ended`;
    case "user/disable": return `Account ${after.displayName} (${after.username}) disabled: its sessions and API tokens stopped`;
    case "user/enable": return `Account ${after.displayName} (${after.username}) enabled again`;
    case "membership/set":
      return before === null ? `${member()} added as ${word(ROLE, after)}` : `${member()}: ${word(ROLE, before)} → ${word(ROLE, after)}`;
    case "membership/remove": return `${member()} removed from the tenant (was ${word(ROLE, before)})`;
    case "api_token/create": return `API token “${after.name}” made (${word(ROLE, after.role)})`;
    case "api_token/revoke": return `API token “${(after ?? before).name}” revoked`;
    case "pager_list/create": return `Pager list “${after.name}” added`;
    case "pager_list/set-region": return `Region of pager list “${list(after).name}” replaced${changes(list(before), list(after), ["areaSquareMetres"])}`;
    case "pager_list/set-contacts":
      return `Contacts of pager list “${list(after).name}” set, in calling order: ${after.contacts.map((c) => c.name).join(", ") || "none"}`;
    case "pager_list/update": return saved(`Pager list “${list(after).name}”`, changes(list(before), list(after)));
    case "render_instance/create": return `Render instance set up (${word(MODE, after.mode)})`;
    case "render_instance/update": return saved("Render instance", changes(before, after));
    case "twilio_account/create": return `Twilio account set up (${word(MODE, after.mode)})`;
    case "twilio_account/update": return saved("Twilio account", changes(before, after));
    case "tenant_settings/update": return saved("Settings", changes(before, after));
    case "backup_schedule/create":
      return `Backup schedule set: ${after.enabled ? everyInWords(after.everyMinutes) : "off"}, into ${after.directory}, keeping ${after.keep}`;
    case "backup_schedule/update": return saved("Backup schedule", changes(before, after));
    default: return null;
  }
}

/// "Twilio account changed: …", or "Twilio account saved" when no field said changed (a secret may have: it is
/// never shown, not even as changed).
const saved = (what, changed) => (changed ? `${what} changed${changed}` : `${what} saved`);

function parse(text) {
  if (text === undefined || text === null) return null;
  try { return JSON.parse(text); } catch { return text; }
}

/// ": mode Simulated → Live; poll interval (s) 10 → 30", or "" when nothing said changed.
function changes(before, after, only = null) {
  const old = flatten(before ?? {}), now = flatten(after ?? {});
  const keys = [...new Set([...Object.keys(old), ...Object.keys(now)])]
    .filter((key) => (only ? only.includes(key) : !UNSAID.has(key)) && JSON.stringify(old[key]) !== JSON.stringify(now[key]));
  return keys.length ? `: ${keys.map((key) => `${FIELD[key] ?? sayName(key)} ${say(key, old[key])} → ${say(key, now[key])}`).join("; ")}` : "";
}

/// `{ mapZoom: { list: 10 } }` → `{ "mapZoom.list": 10 }`.
function flatten(object, prefix = "") {
  return Object.entries(object).reduce((flat, [key, value]) => (value && typeof value === "object" && !Array.isArray(value)
    ? { ...flat, ...flatten(value, `${prefix}${key}.`) } : { ...flat, [`${prefix}${key}`]: value }), {});
}

function say(key, value) {
  if (value === undefined || value === null || value === "") return "none";
  if (key.endsWith("Set")) return value ? "set" : "not set";
  if (key === "areaSquareMetres") return `${(value / 1e6).toFixed(1)} km²`;
  if (key === "everyMinutes") return everyInWords(value);
  if (typeof value === "boolean") return value ? "yes" : "no";
  return VALUE[key] ? word(VALUE[key], value) : String(value);
}

/// "tenant_link" → "tenant link", "pollIntervalSeconds" → "poll interval seconds".
const sayName = (name) => String(name).replace(/[_-]+/g, " ").replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
