// The appliance owner's page: every tenant (adding a NOC, or an OSP with the prefix its job numbers carry), the
// links that let a NOC open ECOs for an OSP (made, suspended or resumed here), and the whole appliance's audit
// log. The owner may belong to no tenant at all: this page needs none. A new tenant has no members yet, and the
// API offers the owner no way to add one, so the page says which command adds its first admin.
import { api } from "/app/api.js";
import { h } from "/app/dom.js";
import { KIND, LINK, word } from "/app/adminwords.js";
import { auditLog, directory } from "/app/auditlog.js";
import { choice, field, formError, refocus, statusLine, whenSubmitted } from "/app/forms.js";

export async function showAppliance(view, { me }) {
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

  view.replaceChildren(
    h("h1", {}, "Appliance"),
    h("section", { class: "card", "aria-label": "Tenants" },
      h("h2", {}, "Tenants"),
      h("p", { class: "muted" }, "A NOC opens ECOs; an OSP (a contractor) works them and numbers its jobs with its prefix."),
      h("div", { class: "table-scroll" }, h("table", { "aria-label": "Tenants" },
        h("thead", {}, h("tr", {}, h("th", {}, "Name"), h("th", {}, "Kind"), h("th", {}, "Job prefix"), h("th", {}, "ID"))), tenantRows)),
      newTenantForm(() => refresh())),
    h("section", { class: "card", "aria-label": "Links" },
      h("h2", {}, "Links between NOCs and OSPs"),
      h("p", { class: "muted" }, "Only an active link lets the NOC open ECOs for the OSP."),
      h("div", { class: "table-scroll" }, h("table", { "aria-label": "Links" },
        h("thead", {}, h("tr", {}, h("th", {}, "NOC"), h("th", {}, "OSP"), h("th", {}, "Status"))), linkRows)),
      linkStatus, linkForm),
    h("h2", {}, "Audit log of the whole appliance"),
    auditSlot);

  async function refresh() {
    const [all, links] = await Promise.all([api("GET", "/api/tenants"), api("GET", "/api/links")]);
    tenants = all;
    tenantRows.replaceChildren(...all.map(tenantRow));
    linkRows.replaceChildren(...links.map(linkRow));
    offerTenants(linkForm, all);
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

  await refresh();
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
    await onAdded();
    done.replaceChildren(`Added ${tenant.name} (${word(KIND, tenant.kind)}). It has no members yet: add its first admin on the appliance with `,
      h("code", {}, `strike user add --tenant ${tenant.id} --role admin --username …`), ".");
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
