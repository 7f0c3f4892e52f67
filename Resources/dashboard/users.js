// A tenant admin's members: who belongs to the tenant with which role, adding a user (a new account that is a
// member at once), changing a member's role, and removing someone from the tenant (the account remains, for
// their other tenants and the record). The appliance refuses to leave a tenant without an admin: that refusal
// is said on the member's own row. Changing one's own role or membership reopens the dashboard as it now is.
import { api } from "/app/api.js";
import { h } from "/app/dom.js";
import { ROLE, word } from "/app/adminwords.js";
import { choice, confirmingButton, field, formError, refocus, sentence, statusLine, whenSubmitted } from "/app/forms.js";

/// What each role may do, by the kind of tenant (a contractor's dispatcher has nothing more than its viewer).
const ROLE_MEANING = {
  NOC: "Viewer: follows ECOs. Dispatcher: also opens, edits, cancels and retries them. Admin: also manages users, tokens, the Twilio account and settings.",
  OSP: "Viewer and Dispatcher: follow the ECOs given to this contractor. Admin: also manages pager lists, users, tokens, the Render instance and settings.",
};

export async function showUsers(view, membership, { me, onSelfChanged }) {
  const status = statusLine();
  const rows = h("tbody");
  view.replaceChildren(
    h("h1", {}, `Users — ${membership.tenantName}`),
    h("section", { class: "card", "aria-label": "Members" },
      h("h2", {}, "Members"),
      h("div", { class: "table-scroll" },
        h("table", { "aria-label": "Members" },
          h("thead", {}, h("tr", {}, h("th", {}, "Name"), h("th", {}, "Username"), h("th", {}, "Role"), h("th", {}, h("span", { class: "visually-hidden" }, "Remove")))),
          rows)),
      status),
    addUserForm(membership, () => refresh()));

  async function refresh() {
    const members = await api("GET", "/api/users");
    rows.replaceChildren(...members.map(memberRow));
  }

  function memberRow({ user, role }) {
    const isMe = user.id === me.user?.id;
    const problem = formError();
    const roleForm = h("form", { class: "inline role", "aria-label": `Role of ${user.displayName}` },
      choice("role", ROLE, role, { "aria-label": `Role of ${user.displayName}` }),
      h("button", { type: "submit" }, "Change role"), h("span", { class: "field-error", "data-for": "role", role: "alert" }), problem);
    whenSubmitted(roleForm, async () => {
      status.textContent = "";
      const chosen = roleForm.elements.role.value;
      if (chosen === role) { problem.textContent = `${user.displayName} is already ${word(ROLE, role)}.`; return; }
      try {
        await api("PUT", `/api/users/${encodeURIComponent(user.id)}/role`, { role: chosen });
      } catch (error) {
        roleForm.elements.role.value = role;
        throw error;
      }
      if (isMe) return onSelfChanged();
      await refresh();
      status.textContent = `${user.displayName} is now ${word(ROLE, chosen)}.`;
      refocus(rows, `tr[data-user="${CSS.escape(user.id)}"] button[type=submit]`, status);
    });
    const remove = confirmingButton("Remove", "Press again to remove", `${user.displayName} from ${membership.tenantName}`, async () => {
      status.textContent = "";
      problem.textContent = "";
      try {
        await api("DELETE", `/api/users/${encodeURIComponent(user.id)}/membership`);
        if (isMe) return onSelfChanged();
        await refresh();
      } catch (error) {
        problem.textContent = sentence(error.message);
        return;
      }
      status.textContent = `${user.displayName} no longer belongs to ${membership.tenantName}.`;
      status.focus();
    });
    return h("tr", { "data-user": user.id },
      h("td", {}, user.displayName, isMe ? h("span", { class: "muted" }, " (you)") : null),
      h("td", {}, user.username),
      h("td", {}, roleForm),
      h("td", {}, remove));
  }

  await refresh();
}

function addUserForm(membership, onAdded) {
  const submit = h("button", { class: "primary", type: "submit" }, "Add user");
  const done = statusLine();
  const form = h("form", { class: "card admin-form", "aria-label": "Add a user", novalidate: true },
    h("h2", {}, "Add a user"),
    h("p", { class: "muted" }, `A new account, a member of ${membership.tenantName} at once. Tell the person their password yourself.`),
    h("div", { class: "form-grid" },
      field("Username", h("input", { name: "username", autocomplete: "off", spellcheck: "false", required: true }),
        { hint: "Used to sign in: letters, digits, . _ - or @." }),
      field("Display name", h("input", { name: "displayName", autocomplete: "off", required: true }),
        { hint: "Shown to others, as on an ECO's timeline." }),
      field("Password", h("input", { name: "password", type: "password", autocomplete: "new-password", required: true }),
        { hint: "At least 10 characters." }),
      field("Role", choice("role", ROLE, "viewer"), { hint: ROLE_MEANING[membership.tenantKind] })),
    formError(),
    h("div", { class: "actions" }, submit),
    done);
  whenSubmitted(form, async () => {
    const fields = new FormData(form);
    const added = await api("POST", "/api/users", {
      username: fields.get("username"), displayName: fields.get("displayName"), password: fields.get("password"), role: fields.get("role"),
    });
    form.reset();
    await onAdded();
    done.textContent = `Added ${added.user.displayName} (${added.user.username}) as ${word(ROLE, added.role)}.`;
  });
  return form;
}
