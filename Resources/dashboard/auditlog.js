// The configuration audit log: when, who, what, newest first, a page at a time (the API pages by entry id:
// `before` is the oldest id already shown). A tenant admin reads the tenant's log on its own page; the
// appliance owner reads every entry on the Appliance page. The log names an actor only by id, so who acted is
// named from what the page may read: the caller, the tenant's members and tokens, the tenants.
import { api } from "/app/api.js";
import { h } from "/app/dom.js";
import { describe } from "/app/auditwords.js";
import { sentence } from "/app/forms.js";
import { when } from "/app/words.js";

const PAGE = 50;
const SYSTEM = { "system:cli": "The strike command", "system:demo-seed": "Demo set-up", "system:setup": "First set-up" };

export async function showAuditLog(view, membership, { me }) {
  const [members, tokens] = await Promise.all([api("GET", "/api/users"), api("GET", "/api/tokens")]);
  const names = directory({
    me, members, tokens, tenants: me.memberships.map((m) => ({ id: m.tenantID, name: m.tenantName })),
    formerMember: () => "A former member", outsider: () => `Someone outside ${membership.tenantName}`,
  });
  view.replaceChildren(
    h("h1", {}, `Audit log — ${membership.tenantName}`),
    h("p", { class: "muted" }, "Every change to this tenant's users, tokens, accounts, pager lists and settings."),
    auditLog("/api/tenant-audit-log", names));
}

/// Who is who, in words. `formerMember(id)` and `outsider(id)` name users the page cannot look up.
export function directory({ me, members = [], tokens = [], tenants = [], formerMember, outsider = formerMember }) {
  const users = new Map(members.map(({ user }) => [user.id, user.displayName]));
  if (me.user) users.set(me.user.id, me.user.displayName);
  const tokenNames = new Map(tokens.map((token) => [token.id, token.name]));
  const tenantNames = new Map(tenants.map((tenant) => [tenant.id, tenant.name]));
  return {
    user: (id) => users.get(id) ?? formerMember(id),
    tenant: (id) => tenantNames.get(id) ?? "a tenant no longer listed",
    actor(entry) {
      if (entry.actorName) return entry.actorName;
      const colon = entry.actor.indexOf(":");
      const kind = entry.actor.slice(0, colon), id = entry.actor.slice(colon + 1);
      if (kind === "user") return users.get(id) ?? outsider(id);
      if (kind === "token") return tokenNames.has(id) ? `API token “${tokenNames.get(id)}”` : "An API token";
      return SYSTEM[entry.actor] ?? "The appliance";
    },
  };
}

/// The log as a section that loads its own pages; `withTenant` adds whose change each entry was.
export function auditLog(path, names, { withTenant = false } = {}) {
  const rows = h("tbody");
  const note = h("p", { class: "muted", role: "status" });
  const older = h("button", { type: "button", hidden: true }, "Show older entries");
  let oldest = null;

  async function load() {
    const query = new URLSearchParams({ limit: String(PAGE) });
    if (oldest !== null) query.set("before", String(oldest));
    const entries = await api("GET", `${path}?${query}`);
    rows.append(...entries.map(row));
    if (entries.length) oldest = entries[entries.length - 1].id;
    older.hidden = entries.length < PAGE;
    note.textContent = rows.childElementCount === 0 ? "No change is recorded yet." : entries.length < PAGE ? "That is the whole log." : "";
  }

  function row(entry) {
    return h("tr", { "data-audit": entry.id },
      h("td", { class: "nowrap" }, h("time", { datetime: entry.at }, when(entry.at))),
      h("td", { "data-role": "who" }, names.actor(entry)),
      withTenant ? h("td", {}, entry.tenantID ? names.tenant(entry.tenantID) : h("span", { class: "muted" }, "Whole appliance")) : null,
      h("td", { "data-role": "what" }, describe(entry, names)));
  }

  const fail = (error) => { note.textContent = sentence(error.message); };
  older.addEventListener("click", () => load().catch(fail));
  load().catch(fail);
  return h("section", { class: "card audit", "aria-label": "Audit log" },
    h("div", { class: "table-scroll" }, h("table", { "aria-label": "Audit log" },
      h("thead", {}, h("tr", {}, h("th", {}, "When"), h("th", {}, "Who"), withTenant ? h("th", {}, "Tenant") : null, h("th", {}, "What"))),
      rows)),
    note, older);
}
