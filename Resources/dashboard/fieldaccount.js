// A tenant admin's outside service: an OSP's Render instance, a NOC's Twilio account. Their secrets are
// write-only: the appliance answers only whether one is stored, so the secret's field always starts empty and
// says "set — leave empty to keep" or "not set", and saving with it empty leaves it out of the request, which
// keeps the stored one. A tenant with no account yet (404) gets the same form, empty, to set one up. The NOC's
// Twilio account can be checked from where Twilio stands: its public address, its credentials, the numbers called.
import { api, ApiError } from "/app/api.js";
import { h } from "/app/dom.js";
import { MODE } from "/app/adminwords.js";
import { choice, field, formError, numberIn, sentence, statusLine, whenSubmitted } from "/app/forms.js";
import { when } from "/app/words.js";

/// Each service's fields after its mode, as its API names them; the write-only one says which answer field
/// tells whether it is set (`isSet`).
const RENDER = {
  title: "Render instance",
  path: "/api/render-instance",
  about: "Where this contractor's field work is created and watched. Simulated uses the appliance's own Render simulator.",
  fields: [
    { name: "baseURL", label: "Base URL", hint: "The Render API's address, such as https://api.render.example. Needed in Live mode.", type: "url", optional: true },
    { name: "clientID", label: "Client ID" },
    { name: "clientSecret", label: "Client secret", isSet: "clientSecretSet" },
    { name: "projectID", label: "Project ID" },
    { name: "pollIntervalSeconds", label: "Poll interval (seconds)", hint: "How often Render is asked for changes: 10 to 3600; empty means 60.",
      type: "number", min: 10, max: 3600, optional: true },
    { name: "inactivityHours", label: "Inactivity limit (hours)",
      hint: "An ECO with no change in the field for this long is flagged stale and needs attention: 1 to 720; empty means 24.",
      type: "number", min: 1, max: 720, optional: true },
    { name: "gracePeriodHours", label: "Grace period (hours)",
      hint: "How long a completed ECO is still watched for new work in Render before it is closed: 1 to 720; empty means 24.",
      type: "number", min: 1, max: 720, optional: true },
    { name: "defaultTaskType", label: "Task type",
      hint: "The type of the Render task made for each ECO: 1 to 100 characters; empty means “ECO investigation”.", maxlength: 100, optional: true },
  ],
};

const TWILIO = {
  title: "Twilio account",
  path: "/api/twilio-account",
  about: "The account the pager calls contractors' supervisors through. Simulated uses the appliance's own Twilio simulator.",
  fields: [
    { name: "accountSID", label: "Account SID", hint: "AC followed by 32 hexadecimal digits." },
    { name: "authToken", label: "Auth token", isSet: "authTokenSet" },
    { name: "fromNumber", label: "Calls come from", hint: "A number of the account, in E.164 form such as +14155550100.", type: "tel" },
  ],
  check: "/api/twilio-account/check",
};

/// The setup check's names, as an operator says them.
const CHECK = {
  "public URL": "Public address (Twilio's callbacks reach this appliance)",
  credentials: "Credentials (Twilio accepts the account)",
  "contact numbers": "Numbers called (the account's and every contact's, in E.164 form)",
};

const secretOf = (service) => service.fields.find((spec) => spec.isSet);

export const fieldAccountTitle = (membership) => (membership.tenantKind === "OSP" ? RENDER : TWILIO).title;

export async function showFieldAccount(view, membership) {
  const service = membership.tenantKind === "OSP" ? RENDER : TWILIO;
  const account = await stored(service);
  const status = statusLine();
  const form = h("form", { class: "card admin-form", "aria-label": service.title, novalidate: true });
  view.replaceChildren(h("h1", {}, `${service.title} — ${membership.tenantName}`), form, service.check ? setupCheck(service.check) : "");
  fill(account);

  function fill(current) {
    form.replaceChildren(
      h("p", { class: "muted" }, service.about),
      h("p", { "data-role": "last-change" }, current ? `Last changed ${when(current.updatedAt)}.` : "Not set up yet: fill in the form to set it up."),
      h("div", { class: "form-grid wide" },
        field("Mode", choice("mode", MODE, current?.mode ?? "simulated")),
        ...service.fields.map((spec) => (spec.isSet
          ? secretField(spec, current?.[spec.isSet] === true)
          : field(spec.label, input(spec, current?.[spec.name]), { hint: spec.hint })))),
      formError(),
      h("div", { class: "actions" }, h("button", { class: "primary", type: "submit" }, "Save")),
      status);
  }

  whenSubmitted(form, async () => {
    const body = requestBody(service, form);
    if (!body) return;
    const saved = await api("PUT", service.path, body);
    fill(saved);
    const secret = secretOf(service);
    status.textContent = `Saved. The ${secret.label.toLowerCase()} is ${saved[secret.isSet] ? "set" : "not set"}.`;
    status.focus(); // the form was drawn anew: its button, which had the focus, is gone
  });
}

/// "Check setup": each check named in words, whether it passed, and what was found.
function setupCheck(path) {
  const summary = h("p", { class: "check-summary", role: "status", "data-role": "check-summary" });
  const problem = h("p", { class: "error", role: "alert" });
  const results = h("ul", { class: "checks", "aria-label": "Checks" });
  const button = h("button", { type: "button", class: "primary", onclick: () => run() }, "Check setup");

  async function run() {
    button.disabled = true;
    summary.textContent = "Checking…";
    problem.textContent = "";
    results.replaceChildren();
    try {
      const report = await api("POST", path);
      const failed = report.checks.filter((check) => !check.ok).length;
      const verdict = report.ok ? "Ready: every check passed." : `${failed} of ${report.checks.length} checks failed.`;
      summary.textContent = `${verdict} Checked at ${new Date().toLocaleTimeString()}.`;
      results.replaceChildren(...report.checks.map((check) => h("li", { class: check.ok ? "ok" : "failed", "data-check": check.name },
        h("strong", {}, CHECK[check.name] ?? sentence(check.name).slice(0, -1)), ": ",
        h("span", { class: "verdict" }, check.ok ? "OK" : "Failed"), ". ", detailInWords(check.detail))));
    } catch (error) {
      summary.textContent = "";
      problem.textContent = `The check could not be made: ${sentence(error.message)}`;
    } finally {
      button.disabled = false;
    }
  }

  return h("section", { class: "card", "aria-label": "Check the setup" },
    h("h2", {}, "Check the setup"),
    h("p", { class: "muted" }, "Checks what paging needs, from where Twilio stands: that the appliance's public address reaches it, "
      + "that Twilio accepts the saved credentials, and that the account's number and every contact of the linked contractors' pager lists "
      + "are written in E.164 form. It only reads: nobody is called and nothing is changed."),
    h("div", { class: "actions" }, button), summary, problem, results);
}

/// A check's detail as a sentence, unless it starts with an address, which keeps its case.
const detailInWords = (detail) => {
  const text = String(detail ?? "").trim();
  if (!/^[a-z]+:\/\//.test(text)) return sentence(text);
  return /[.!?]$/.test(text) ? text : `${text}.`;
};

async function stored(service) {
  try {
    return await api("GET", service.path);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

function input(spec, value) {
  const attributes = { name: spec.name, value: value ?? "", autocomplete: "off", spellcheck: "false", required: !spec.optional };
  if (spec.type === "number") return h("input", { ...attributes, type: "number", inputmode: "numeric", min: spec.min, max: spec.max, step: 1 });
  return h("input", { ...attributes, type: spec.type ?? "text", maxlength: spec.maxlength });
}

/// Always empty: what is stored is never sent to the browser, only whether there is one.
function secretField(secret, isSet) {
  const control = h("input", { name: secret.name, type: "password", autocomplete: "new-password", spellcheck: "false", value: "" });
  return field(secret.label, control, { hint: isSet ? "Set — leave empty to keep it." : "Not set." });
}

/// The PUT body: every field as typed, the optional ones empty as null (the default), the secret only when typed.
function requestBody(service, form) {
  const body = { mode: form.elements.mode.value };
  for (const spec of service.fields) {
    if (spec.isSet) continue;
    const typed = form.elements[spec.name].value.trim();
    if (spec.type === "number") {
      const number = typed === "" ? null : numberIn(form, spec.name);
      if (typed !== "" && number === null) return null;
      body[spec.name] = number;
    } else {
      body[spec.name] = spec.optional && typed === "" ? null : form.elements[spec.name].value;
    }
  }
  const secret = secretOf(service);
  if (form.elements[secret.name].value !== "") body[secret.name] = form.elements[secret.name].value;
  return body;
}
