// The appliance owner's page: every tenant (adding a NOC, or an OSP with the prefix its job numbers carry), each
// tenant's members (a new account or an existing user added with a role: how a new tenant gets its first
// admin), the links that let a NOC open ECOs for an OSP (made, suspended or resumed here), the appliance's backups
// (backups.js), and the whole appliance's audit log. The owner may belong to no tenant at all: this page needs none.
// `at: "backups"` brings the backups into view (the pinned alert's link).
import { api } from "/app/api.js";
import { h } from "/app/dom.js";
import { KIND, LINK, ROLE, word } from "/app/adminwords.js";
import { auditLog, directory } from "/app/auditlog.js";
import { backupsSection } from "/app/backups.js";
import { choice, field, formError, refocus, statusLine, whenSubmitted } from "/app/forms.js";

export async function showAppliance(view, { me, at }) {
  const tenantRows = h("tbody");
  const linkRows = h("tbody");
  const linkStatus = statusLine();
  const auditSlot = h("div");
  let tenants = [];
  const nameOf = (id) => tenants.find((tenant) => tenant.id === id)?.name ?? id;
  const saidOf = (link) => `${nameOf(link.nocTenantID)} → ${nameOf(link.ospTenantID)}: ${word(LINK, link.status)}.`;
  const linkForm = newLinkForm(async (link) => {
    await refresh();
    linkStatus.textContent = saidOf(link);
  });
  const members = membersSection();
  const backups = backupsSection();

  view.replaceChildren(
    h("h1", {}, "Appliance"),
    h("section", { class: "card", "aria-label": "Tenants" },
      h("h2", {}, "Tenants"),
      h("p", { class: "muted" }, "A NOC opens ECOs; an OSP (a contractor) works them and numbers its jobs with its prefix."),
      h("div", { class: "table-scroll" }, h("table", { "aria-label": "Tenants" },
        h("thead", {}, h("tr", {}, h("th", {}, "Name"), h("th", {}, "Kind"), h("th", {}, "Job prefix"), h("th", {}, "ID"))), tenantRows)),
      newTenantForm(async (tenant) => { await refresh(); members.show(tenant.id); })),
    members.section,
    h("section", { class: "card", "aria-label": "Links" },
      h("h2", {}, "Links between NOCs and OSPs"),
      h("p", { class: "muted" }, "Only an active link lets the NOC open ECOs for the OSP."),
      h("div", { class: "table-scroll" }, h("table", { "aria-label": "Links" },
        h("thead", {}, h("tr", {}, h("th", {}, "NOC"), h("th", {}, "OSP"), h("th", {}, "Status"))), linkRows)),
      linkStatus, linkForm),
    backups.section,
    h("h2", {}, "Audit log of the whole appliance"),
    auditSlot);

  async function refresh() {
    const [all, links] = await Promise.all([api("GET", "/api/tenants"), api("GET", "/api/links")]);
    tenants = all;
    tenantRows.replaceChildren(...all.map(tenantRow));
    linkRows.replaceChildren(...links.map(linkRow));
    offerTenants(linkForm, all);
    members.offer(all);
    const names = directory({ me, tenants: all, formerMember: (id) => `A user (${id.slice(0, 8)})` });
    auditSlot.replaceChildren(auditLog("/api/audit-log", names, { withTenant: true }));
  }

  function linkRow(link) {
    const about = `${nameOf(link.nocTenantID)} to ${nameOf(link.ospTenantID)}`;
    const form = h("form", { class: "inline", "aria-label": `Link of ${about}`, "data-link": `${link.nocTenantID}/${link.ospTenantID}` },
      choice("status", LINK, link.status, { "aria-label": `Status of the link of ${about}` }),
      h("button", { type: "submit" }, "Change"), formError());
    whenSubmitted(form, async () => {
      linkStatus.textContent = "";
      const changed = await api("PUT", "/api/links",
        { nocTenantID: link.nocTenantID, ospTenantID: link.ospTenantID, status: form.elements.status.value });
      await refresh();
      linkStatus.textContent = saidOf(changed);
      refocus(linkRows, `form[data-link="${CSS.escape(`${link.nocTenantID}/${link.ospTenantID}`)}"] button`, linkStatus);
    });
    return h("tr", {}, h("td", {}, nameOf(link.nocTenantID)), h("td", {}, nameOf(link.ospTenantID)), h("td", {}, form));
  }

  const backupsShown = backups.load().then(() => {
    if (at === "backups") {
      backups.section.scrollIntoView({ block: "start" });
      backups.section.focus({ preventScroll: true });
    }
  });
  await Promise.all([refresh(), backupsShown]);
}

function tenantRow(tenant) {
  return h("tr", { "data-tenant": tenant.id },
    h("td", {}, tenant.name), h("td", {}, word(KIND, tenant.kind)), h("td", {}, tenant.jobPrefix ?? h("span", { class: "muted" }, "—")),
    h("td", {}, h("code", {}, tenant.id)));
}

function newTenantForm(onAdded) {
  const kind = choice("kind", KIND, "OSP");
  const prefix = field("Job prefix", h("input", { name: "jobPrefix", autocomplete: "off", spellcheck: "false", maxlength: 8 }),
    { hint: "1 to 8 capital letters or digits, starting with a letter, such as E2. It cannot be changed later." });
  const done = statusLine();
  const form = h("form", { class: "admin-form", "aria-label": "Add a tenant", novalidate: true },
    h("h3", {}, "Add a tenant"),
    h("div", { class: "form-grid" }, field("Kind", kind), field("Name", h("input", { name: "name", autocomplete: "off", required: true })), prefix),
    formError(),
    h("div", { class: "actions" }, h("button", { class: "primary", type: "submit" }, "Add tenant")),
    done);
  kind.addEventListener("change", () => { prefix.hidden = kind.value !== "OSP"; });
  whenSubmitted(form, async () => {
    const body = { kind: kind.value, name: form.elements.name.value };
    if (kind.value === "OSP") body.jobPrefix = form.elements.jobPrefix.value;
    const tenant = await api("POST", "/api/tenants", body);
    form.reset();
    prefix.hidden = false;
    await onAdded(tenant);
    done.textContent = `Added ${tenant.name} (${word(KIND, tenant.kind)}). It has no members yet: add its first admin under Members.`;
  });
  return form;
}

function newLinkForm(onLinked) {
  const form = h("form", { class: "admin-form", "aria-label": "Link a NOC and an OSP", novalidate: true },
    h("h3", {}, "Link a NOC and an OSP"),
    h("p", { class: "muted" }, "An existing link between the two is changed to the status chosen."),
    h("div", { class: "form-grid three" },
      field("NOC", h("select", { name: "nocTenantID" })),
      field("OSP", h("select", { name: "ospTenantID" })),
      field("Status", choice("status", LINK, "active"))),
    formError(),
    h("div", { class: "actions" }, h("button", { class: "primary", type: "submit" }, "Save link")));
  whenSubmitted(form, async () => {
    const link = await api("PUT", "/api/links",
      { nocTenantID: form.elements.nocTenantID.value, ospTenantID: form.elements.ospTenantID.value, status: form.elements.status.value });
    await onLinked(link);
  });
  return form;
}

/// The tenants each select of the link form offers, keeping what was chosen.
function offerTenants(form, tenants) {
  for (const [name, kind] of [["nocTenantID", "NOC"], ["ospTenantID", "OSP"]]) {
    const select = form.elements[name];
    const chosen = select.value;
    select.replaceChildren(...tenants.filter((tenant) => tenant.kind === kind)
      .map((tenant) => h("option", { value: tenant.id, selected: tenant.id === chosen }, tenant.name)));
  }
}

/// One tenant's members, chosen from a list, and the form that adds one: a new account when a display name and
/// a password are given, an existing user when both are left empty.
function membersSection() {
  const tenant = h("select", { name: "tenant", "aria-label": "Tenant whose members are shown" });
  const rows = h("tbody");
  const status = statusLine();
  const form = h("form", { class: "admin-form", "aria-label": "Add a member", novalidate: true },
    h("h3", {}, "Add a member"),
    h("div", { class: "form-grid" },
      field("Username", h("input", { name: "username", autocomplete: "off", spellcheck: "false", required: true })),
      field("Role", choice("role", ROLE, "admin")),
      field("Display name", h("input", { name: "displayName", autocomplete: "off" }), { hint: "For a new account. Leave it and the password empty to add an existing user." }),
      field("Password", h("input", { name: "password", type: "password", autocomplete: "new-password" }), { hint: "For a new account: 10 characters or more." })),
    formError(),
    h("div", { class: "actions" }, h("button", { class: "primary", type: "submit" }, "Add member")),
    status);
  const section = h("section", { class: "card", "aria-label": "Members" },
    h("h2", {}, "Members"),
    h("label", {}, "Tenant ", tenant),
    h("div", { class: "table-scroll" }, h("table", { "aria-label": "Members" },
      h("thead", {}, h("tr", {}, h("th", {}, "Username"), h("th", {}, "Name"), h("th", {}, "Role"))), rows)),
    form);

  /// The chosen tenant's members; an answer for a tenant no longer chosen is dropped.
  async function load() {
    const asked = tenant.value;
    if (!asked) return rows.replaceChildren();
    const members = await api("GET", `/api/tenants/${encodeURIComponent(asked)}/members`);
    if (tenant.value !== asked) return;
    rows.replaceChildren(...(members.length ? members.map(({ user, role }) =>
      h("tr", {}, h("td", {}, user.username), h("td", {}, user.displayName), h("td", {}, word(ROLE, role))))
      : [h("tr", {}, h("td", { colspan: 3, class: "muted" }, "No members yet."))]));
  }

  tenant.addEventListener("change", () => { status.textContent = ""; load().catch((error) => { status.textContent = error.message; }); });
  whenSubmitted(form, async () => {
    const body = { username: form.elements.username.value.trim(), role: form.elements.role.value };
    const displayName = form.elements.displayName.value, password = form.elements.password.value;
    if (displayName !== "" || password !== "") Object.assign(body, { displayName, password });
    const added = await api("POST", `/api/tenants/${encodeURIComponent(tenant.value)}/members`, body);
    form.reset();
    await load();
    status.textContent = `${added.user.displayName} is now ${word(ROLE, added.role)} of ${tenant.selectedOptions[0].textContent}.`;
  });

  return {
    section,
    /// The tenants to choose from, keeping the one chosen.
    offer(tenants) {
      const chosen = tenant.value;
      tenant.replaceChildren(...tenants.map((t) => h("option", { value: t.id, selected: t.id === chosen }, t.name)));
      load().catch((error) => { status.textContent = error.message; });
    },
    show(id) {
      tenant.value = id;
      load().catch((error) => { status.textContent = error.message; });
    },
  };
}
