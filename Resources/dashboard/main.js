// The dashboard's shell: the first run's setup (while the appliance has no owner), sign-in, the tenant switcher,
// sign-out, and the sections the caller's role in the active tenant may use: the ECOs for everyone, and for admins
// the tenant's administration. The appliance owner also has the Appliance section, and lands there when they
// belong to no tenant; above every section they are shown when backups are failing. While a tenant is open, its
// live stream and its attention list are followed whatever section is shown.
import { api, ApiError, setSession } from "/app/api.js";
import { ROLE, word } from "/app/adminwords.js";
import { showAppliance } from "/app/appliance.js";
import { watchAttention } from "/app/attention.js";
import { showAuditLog } from "/app/auditlog.js";
import { watchBackups } from "/app/backups.js";
import { showBoard } from "/app/board.js";
import { showCreate } from "/app/create.js";
import { showDetail } from "/app/detail.js";
import { fieldAccountTitle, showFieldAccount } from "/app/fieldaccount.js";
import { field, formError, whenSubmitted } from "/app/forms.js";
import { showPagerLists } from "/app/pagerlists.js";
import { showSettings } from "/app/settings.js";
import { showSimulator } from "/app/simulator.js";
import { showTokens } from "/app/tokens.js";
import { showUsers } from "/app/users.js";
import { follow, unfollow } from "/app/stream.js";
import { h } from "/app/dom.js";

const view = document.getElementById("view");
const bar = document.querySelector(".bar");
const tenantPicker = document.getElementById("tenant");
const pinned = document.getElementById("pinned");
let stopView = () => {};
let caller = null;
/// The open tenant's attention list: { key, panel, stop }.
let attention = null;
/// How to stop watching the backups (the owner's alert).
let stopBackups = () => {};
/// The Appliance section's button, while there is one.
let applianceButton = null;
/// Where the Appliance page opens next: "backups" when the backups alert's link was followed.
let applianceAt = null;

async function start() {
  try {
    if (await setupOpen()) return showSetup();
    if ((await api("GET", "/api/session")).signedIn) enter(await api("GET", "/api/me"));
    else showSignIn();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) showSignIn();
    else showProblem(error);
  }
}

/// Whether the appliance still waits for its first owner; an appliance that cannot say is taken as set up.
async function setupOpen() {
  try {
    return (await api("GET", "/api/setup")).open === true;
  } catch {
    return false;
  }
}

/// The first run: the owner's account and, if named, the first NOC with the owner as its admin; then signed in.
function showSetup() {
  stopView();
  leaveTenant();
  stopBackups();
  bar.hidden = true;
  const form = h("form", { class: "card sign-in setup", "aria-label": "Set up the appliance", novalidate: true },
    h("h1", {}, "Set up Osprey Strike"),
    h("p", { class: "muted" }, "This appliance has no owner yet. The owner looks after the appliance: its tenants and their first admins, "
      + "the links between NOCs and contractors, and the backups."),
    field("Username", h("input", { name: "username", autocomplete: "username", spellcheck: "false", required: true }),
      { hint: "Letters, digits, '.', '_', '-' or '@'." }),
    field("Display name", h("input", { name: "displayName", autocomplete: "name", required: true })),
    field("Password", h("input", { name: "password", type: "password", autocomplete: "new-password", required: true }),
      { hint: "10 characters or more." }),
    field("Confirm password", h("input", { name: "confirmation", type: "password", autocomplete: "new-password", required: true })),
    field("First NOC (optional)", h("input", { name: "nocName", autocomplete: "off" }),
      { name: "noc.name", hint: "The NOC that opens ECOs, with you as its admin. Leave it empty to add tenants later on the Appliance page." }),
    formError(),
    h("button", { class: "primary", type: "submit" }, "Set up and sign in"));
  whenSubmitted(form, async () => {
    const fields = form.elements;
    if (fields.password.value !== fields.confirmation.value) {
      form.querySelector('.field-error[data-for="confirmation"]').textContent = "The two passwords differ.";
      fields.confirmation.focus();
      return;
    }
    const body = { username: fields.username.value.trim(), displayName: fields.displayName.value.trim(), password: fields.password.value };
    if (fields.nocName.value.trim() !== "") body.noc = { name: fields.nocName.value.trim() };
    try {
      await api("POST", "/api/setup", body);
    } catch (error) {
      if (error.status !== 404) throw error;
      showSignIn("The appliance was set up meanwhile: sign in.");
      return;
    }
    const signedIn = await api("POST", "/api/session", { username: body.username, password: body.password });
    setSession({ csrf: signedIn.csrfToken });
    enter(await api("GET", "/api/me"));
  });
  view.replaceChildren(form);
  form.querySelector("input").focus();
}

function showSignIn(message) {
  stopView();
  leaveTenant();
  stopBackups();
  bar.hidden = true;
  const problem = h("p", { class: "error", role: "alert" }, message || "");
  const form = h("form", { class: "card sign-in", "aria-label": "Sign in" },
    h("h1", {}, "Osprey Strike"),
    h("label", {}, "Username", h("input", { name: "username", autocomplete: "username", required: true, autofocus: true })),
    h("label", {}, "Password", h("input", { name: "password", type: "password", autocomplete: "current-password", required: true })),
    problem,
    h("button", { class: "primary", type: "submit" }, "Sign in"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const fields = new FormData(form);
    try {
      const signedIn = await api("POST", "/api/session", { username: fields.get("username"), password: fields.get("password") });
      setSession({ csrf: signedIn.csrfToken });
      enter(await api("GET", "/api/me"));
    } catch (error) {
      problem.textContent = error.status === 401 ? "The username or password is wrong." : error.message;
    }
  });
  view.replaceChildren(form);
  form.querySelector("input").focus();
}

function enter(me) {
  caller = me;
  setSession({ csrf: me.csrfToken ?? null });
  const memberships = me.memberships;
  document.getElementById("who").textContent = me.user?.displayName ?? me.token?.name ?? "";
  stopBackups();
  stopBackups = me.user?.isOwner ? watchBackups(pinned, { onOpen: openBackups }) : () => {};
  if (memberships.length === 0) {
    if (me.user?.isOwner) return enterAsOwnerOnly();
    showProblem(new Error("Your account is not a member of any tenant yet. Ask the appliance owner to add you."));
    return;
  }
  const remembered = localStorage.getItem("strike.tenant");
  const chosen = memberships.find((m) => m.tenantID === remembered) ?? memberships[0];
  tenantPicker.replaceChildren(...memberships.map((m) =>
    h("option", { value: m.tenantID, selected: m.tenantID === chosen.tenantID }, `${m.tenantName} (${word(ROLE, m.role)})`)));
  tenantPicker.parentElement.hidden = memberships.length < 2;
  bar.hidden = false;
  open(chosen);
}

/// An owner who belongs to no tenant has the appliance to look after, and nothing else.
function enterAsOwnerOnly() {
  leaveTenant();
  setSession({ tenant: null });
  tenantPicker.parentElement.hidden = true;
  bar.hidden = false;
  const nav = document.getElementById("sections");
  nav.replaceChildren(applianceSection());
  nav.firstChild.click();
}

function applianceSection() {
  applianceButton = section("Appliance", () => {
    const at = applianceAt;
    applianceAt = null;
    return showAppliance(view, { me: caller, at });
  });
  return applianceButton;
}

/// The backups alert's link: the Appliance page, at its backups.
function openBackups() {
  if (!applianceButton?.isConnected) return;
  applianceAt = "backups";
  applianceButton.click();
}

function open(membership) {
  stopView();
  localStorage.setItem("strike.tenant", membership.tenantID);
  setSession({ tenant: membership.tenantID });
  showNavigation(membership);
  followTenant(membership);
  stopView = showBoard(view, membership, {
    attention: attention.panel,
    onNew: () => {
      stopView();
      stopView = () => {};
      showCreate(view, { onCreated: () => open(membership), onCancel: () => open(membership) }).catch(showProblem);
    },
    onOpen: (ecoID) => openEco(membership, ecoID),
  });
}

function openEco(membership, ecoID) {
  stopView();
  stopView = showDetail(view, membership, ecoID, { onBack: () => open(membership) });
}

/// The tenant's stream and attention list, started once per tenant and role, not on every return to the board.
function followTenant(membership) {
  const key = `${membership.tenantID} ${membership.role}`;
  if (attention?.key === key) return;
  leaveTenant();
  follow(membership.tenantID);
  attention = { key, ...watchAttention(membership, { onOpen: (ecoID) => openEco(membership, ecoID) }) };
}

function leaveTenant() {
  attention?.stop();
  attention = null;
  unfollow();
}

/// The sections the active tenant's role may use, beside the board.
function showNavigation(membership) {
  const isAdmin = membership.role === "admin";
  const board = h("button", { type: "button", "aria-current": "page", onclick: () => open(membership) }, "ECOs");
  const sections = [board];
  if (membership.tenantKind === "OSP" && isAdmin) sections.push(section("Pager lists", () => showPagerLists(view)));
  if (membership.tenantKind === "NOC") sections.push(section("Simulators", () => showSimulator(view, membership)));
  if (isAdmin) {
    sections.push(
      section("Users", () => showUsers(view, membership, { me: caller, onSelfChanged: start })),
      section("API tokens", () => showTokens(view, membership)),
      section(fieldAccountTitle(membership), () => showFieldAccount(view, membership)),
      section("Settings", () => showSettings(view, membership)),
      section("Audit log", () => showAuditLog(view, membership, { me: caller })));
  }
  if (caller?.user?.isOwner) sections.push(applianceSection());
  document.getElementById("sections").replaceChildren(...sections);
}

/// A section's button: it stops the current view and shows its own, which either answers with how to stop it
/// (a live view) or is a page that loads once (a promise).
function section(label, show) {
  return h("button", { type: "button", onclick: (event) => {
    stopView();
    stopView = () => {};
    for (const button of document.querySelectorAll("#sections button")) button.removeAttribute("aria-current");
    event.currentTarget.setAttribute("aria-current", "page");
    try {
      const shown = show();
      if (typeof shown === "function") stopView = shown;
      else Promise.resolve(shown).catch(showProblem);
    } catch (error) {
      showProblem(error);
    }
  } }, label);
}

tenantPicker.addEventListener("change", async () => {
  const me = await api("GET", "/api/me");
  caller = me;
  const membership = me.memberships.find((m) => m.tenantID === tenantPicker.value);
  if (membership) open(membership);
});

document.getElementById("sign-out").addEventListener("click", async () => {
  try { await api("DELETE", "/api/session"); } catch { /* signed out already */ }
  setSession({ csrf: null, tenant: null });
  caller = null;
  showSignIn("You are signed out.");
});

function showProblem(error) {
  view.replaceChildren(h("p", { class: "card error", role: "alert" }, error.message));
}

start();
