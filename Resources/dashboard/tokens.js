// A tenant admin's API tokens, for scripts: each has a name and a role in this tenant, at most the admin's own.
// A new token's secret is shown once, right after it is made — the appliance keeps only its fingerprint — so
// the page says so plainly, offers to copy it, and forgets it when dismissed or left. Revoking works at once;
// revoked tokens are kept apart, for the record.
import { api } from "/app/api.js";
import { h } from "/app/dom.js";
import { ROLE, word } from "/app/adminwords.js";
import { choice, confirmingButton, field, formError, sentence, statusLine, whenSubmitted } from "/app/forms.js";
import { when } from "/app/words.js";

export async function showTokens(view, membership) {
  const status = statusLine();
  const liveRows = h("tbody");
  const revokedRows = h("tbody");
  const revoked = h("details", { class: "card revoked", hidden: true },
    h("summary", {}, "Revoked tokens"),
    h("div", { class: "table-scroll" }, h("table", { "aria-label": "Revoked tokens" },
      h("thead", {}, h("tr", {}, h("th", {}, "Name"), h("th", {}, "Role"), h("th", {}, "Made"), h("th", {}, "Revoked"))), revokedRows)));
  const empty = h("p", { class: "muted" });
  const secretSlot = h("div");
  let names = new Map();
  view.replaceChildren(
    h("h1", {}, `API tokens — ${membership.tenantName}`),
    h("p", { class: "muted" }, `A script signs in with a token instead of a password. It acts in ${membership.tenantName} only, with the token's role.`),
    h("section", { class: "card", "aria-label": "Tokens" },
      h("h2", {}, "Tokens in use"),
      h("div", { class: "table-scroll" }, h("table", { "aria-label": "API tokens" },
        h("thead", {}, h("tr", {}, h("th", {}, "Name"), h("th", {}, "Role"), h("th", {}, "Made"), h("th", {}, "Last used"),
          h("th", {}, h("span", { class: "visually-hidden" }, "Revoke")))),
        liveRows)),
      empty, status),
    revoked,
    newTokenForm(membership, async (created) => {
      // The secret first: should the list fail to load, the one chance to copy it is not lost.
      secretSlot.replaceChildren(secretPanel(created, () => {
        secretSlot.replaceChildren();
        view.querySelector('form [name="name"]').focus();
      }));
      secretSlot.querySelector("input").focus();
      await refresh();
    }),
    secretSlot);

  async function refresh() {
    const [tokens, members] = await Promise.all([api("GET", "/api/tokens"), api("GET", "/api/users")]);
    names = new Map(members.map(({ user }) => [`user:${user.id}`, user.displayName]));
    const inUse = tokens.filter((token) => !token.revokedAt);
    const gone = tokens.filter((token) => token.revokedAt);
    liveRows.replaceChildren(...inUse.map(tokenRow));
    revokedRows.replaceChildren(...gone.reverse().map(revokedRow));
    revoked.hidden = gone.length === 0;
    empty.textContent = inUse.length ? "" : "No token is in use.";
  }

  function made(token) {
    const by = token.createdBy.startsWith("system:") ? "the appliance" : names.get(token.createdBy) ?? "someone no longer in this tenant";
    return [when(token.createdAt), h("span", { class: "reason" }, `by ${by}`)];
  }

  function tokenRow(token) {
    const revoke = confirmingButton("Revoke", "Press again to revoke", `the token ${token.name}`, async () => {
      status.textContent = "";
      try {
        await api("DELETE", `/api/tokens/${encodeURIComponent(token.id)}`);
        if (secretSlot.querySelector(`[data-token="${CSS.escape(token.id)}"]`)) secretSlot.replaceChildren();
        await refresh();
      } catch (error) {
        status.textContent = sentence(error.message);
        return;
      }
      status.textContent = `The token “${token.name}” is revoked: it no longer works.`;
      status.focus();
    });
    return h("tr", { "data-token": token.id },
      h("td", {}, token.name), h("td", {}, word(ROLE, token.role)), h("td", {}, made(token)),
      h("td", {}, token.lastUsedAt ? when(token.lastUsedAt) : h("span", { class: "muted" }, "Never")), h("td", {}, revoke));
  }

  function revokedRow(token) {
    return h("tr", { "data-token": token.id },
      h("td", {}, token.name), h("td", {}, word(ROLE, token.role)), h("td", {}, made(token)), h("td", {}, when(token.revokedAt)));
  }

  await refresh();
}

/// Roles up to the admin's own: a token may not do more than the person who made it.
function rolesUpTo(role) {
  const order = Object.keys(ROLE);
  return Object.fromEntries(order.slice(0, order.indexOf(role) + 1).map((value) => [value, ROLE[value]]));
}

function newTokenForm(membership, onCreated) {
  const form = h("form", { class: "card admin-form", "aria-label": "Make a token", novalidate: true },
    h("h2", {}, "Make a token"),
    h("div", { class: "form-grid" },
      field("Name", h("input", { name: "name", autocomplete: "off", required: true, maxlength: 100 }),
        { hint: "What it is for, such as “Nightly ECO report”." }),
      field("Role", choice("role", rolesUpTo(membership.role), "viewer"))),
    formError(),
    h("div", { class: "actions" }, h("button", { class: "primary", type: "submit" }, "Make token")));
  whenSubmitted(form, async () => {
    const created = await api("POST", "/api/tokens", { name: form.elements.name.value, role: form.elements.role.value });
    form.reset();
    await onCreated(created);
  });
  return form;
}

/// The one time a secret is seen.
function secretPanel({ token, secret }, onDone) {
  const said = statusLine();
  const shown = h("input", { class: "secret", readonly: true, value: secret, "aria-label": `Secret of the token ${token.name}`, spellcheck: "false" });
  return h("section", { class: "card secret-panel", "aria-label": "New token's secret", "data-token": token.id },
    h("h2", {}, `The token “${token.name}” is made (${word(ROLE, token.role)})`),
    h("p", { class: "warning" }, "Copy its secret now: it will not be shown again. The appliance keeps only a fingerprint of it."),
    h("div", { class: "secret-line" }, shown, h("button", { type: "button", onclick: () => copy(shown, said) }, "Copy")),
    said,
    h("p", { class: "muted" }, "A script sends it in the header ", h("code", {}, "Authorization: Bearer <secret>"), "."),
    h("div", { class: "actions" }, h("button", { type: "button", onclick: () => onDone() }, "Done")));
}

async function copy(input, said) {
  input.select();
  try {
    await navigator.clipboard.writeText(input.value);
    said.textContent = "Copied.";
  } catch {
    // The clipboard API needs https or localhost; on a plain-http LAN address the old command still works.
    said.textContent = document.execCommand("copy") ? "Copied." : "Selected: press Ctrl+C (⌘C on a Mac) to copy.";
  }
}
