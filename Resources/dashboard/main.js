// The dashboard's shell: sign-in, the tenant switcher, sign-out, and the view of the active tenant.
import { api, ApiError, setSession } from "/app/api.js";
import { showBoard } from "/app/board.js";
import { showCreate } from "/app/create.js";
import { showDetail } from "/app/detail.js";
import { showPagerLists } from "/app/pagerlists.js";
import { showSimulator } from "/app/simulator.js";
import { h } from "/app/dom.js";

const view = document.getElementById("view");
const bar = document.querySelector(".bar");
const tenantPicker = document.getElementById("tenant");
let stopView = () => {};

async function start() {
  try {
    if ((await api("GET", "/api/session")).signedIn) enter(await api("GET", "/api/me"));
    else showSignIn();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) showSignIn();
    else showProblem(error);
  }
}

function showSignIn(message) {
  stopView();
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
  setSession({ csrf: me.csrfToken ?? null });
  const memberships = me.memberships;
  if (memberships.length === 0) {
    showProblem(new Error("Your account is not a member of any tenant yet. Ask the appliance owner to add you."));
    return;
  }
  const remembered = localStorage.getItem("strike.tenant");
  const chosen = memberships.find((m) => m.tenantID === remembered) ?? memberships[0];
  tenantPicker.replaceChildren(...memberships.map((m) =>
    h("option", { value: m.tenantID, selected: m.tenantID === chosen.tenantID }, `${m.tenantName} (${m.role})`)));
  tenantPicker.parentElement.hidden = memberships.length < 2;
  document.getElementById("who").textContent = me.user?.displayName ?? me.token?.name ?? "";
  bar.hidden = false;
  open(chosen);
}

function open(membership) {
  stopView();
  localStorage.setItem("strike.tenant", membership.tenantID);
  setSession({ tenant: membership.tenantID });
  showNavigation(membership);
  stopView = showBoard(view, membership, {
    onNew: () => {
      stopView();
      stopView = () => {};
      showCreate(view, { onCreated: () => open(membership), onCancel: () => open(membership) }).catch(showProblem);
    },
    onOpen: (ecoID) => {
      stopView();
      stopView = showDetail(view, membership, ecoID, { onBack: () => open(membership) });
    },
  });
}

/// The sections the active tenant's role may use, beside the board.
function showNavigation(membership) {
  const nav = document.getElementById("sections");
  const sections = [h("button", { type: "button", onclick: () => open(membership) }, "ECOs")];
  if (membership.tenantKind === "OSP" && membership.role === "admin") {
    sections.push(h("button", { type: "button", onclick: () => {
      stopView();
      stopView = () => {};
      showPagerLists(view).catch(showProblem);
    } }, "Pager lists"));
  }
  if (membership.tenantKind === "NOC") {
    sections.push(h("button", { type: "button", onclick: () => { stopView(); stopView = showSimulator(view, membership); } }, "Simulators"));
  }
  nav.replaceChildren(...sections);
}

tenantPicker.addEventListener("change", async () => {
  const me = await api("GET", "/api/me");
  const membership = me.memberships.find((m) => m.tenantID === tenantPicker.value);
  if (membership) open(membership);
});

document.getElementById("sign-out").addEventListener("click", async () => {
  try { await api("DELETE", "/api/session"); } catch { /* signed out already */ }
  setSession({ csrf: null, tenant: null });
  showSignIn("You are signed out.");
});

function showProblem(error) {
  view.replaceChildren(h("p", { class: "card error", role: "alert" }, error.message));
}

start();
