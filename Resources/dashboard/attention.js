// The attention list: the ECOs that need a person now (needs escalation, work reopened, stale, accepted with no
// field movement, paging too long), oldest first, in a panel pinned above the board and counted in the page's
// title. Until someone acknowledges an item it asks for them: a short tone made in the page (Web Audio, no sound
// file), again at a modest interval, and a desktop notification. Tabs agree through localStorage and a
// BroadcastChannel: one tab sounds at a time, one acknowledgement stops them all, and a notification's tag is
// its ECO's id, so tabs do not show one twice. A page loaded anew alerts again for what is still unacknowledged.
// Only those who may acknowledge (a NOC's dispatchers and admins) are alerted; every member sees the list.
import { api, randomKey } from "/app/api.js";
import { h, slug } from "/app/dom.js";
import { sentence } from "/app/forms.js";
import { onEcoEvent } from "/app/stream.js";
import { CAUSE, when } from "/app/words.js";

const REMIND_EVERY = 60_000;
const REFETCH_AFTER = 400;
const MUTED = "strike.attention.muted";
const ASKED = "strike.notifications.asked";
const BASE_TITLE = document.title;
const tab = randomKey();

// MARK: - Sound

/// Browsers let a page sound only after the person has clicked or typed in it: the AudioContext is made (or
/// resumed) then, and whoever waits for it to be audible is told.
let audio = null;
const whenAudible = new Set();

function wake() {
  const Context = window.AudioContext ?? window.webkitAudioContext;
  if (!Context) return;
  try {
    const first = !audio;
    audio ??= new Context();
    if (audio.state === "running") {
      if (first) for (const listener of whenAudible) listener();
      return;
    }
    audio.resume().then(() => { for (const listener of whenAudible) listener(); }, () => {});
  } catch {
    // No Web Audio here: the list and the notifications still show.
  }
}
for (const type of ["click", "keydown"]) document.addEventListener(type, wake, { capture: true });

const audible = () => audio?.state === "running";
const muted = () => localStorage.getItem(MUTED) === "1";

/// Three short sine tones, high–low–high, each faded in and out so it does not click.
function chime() {
  const start = audio.currentTime + 0.01;
  for (const [offset, frequency] of [[0, 880], [0.2, 660], [0.4, 880]]) {
    const tone = audio.createOscillator();
    const volume = audio.createGain();
    tone.type = "sine";
    tone.frequency.value = frequency;
    volume.gain.setValueAtTime(0.0001, start + offset);
    volume.gain.exponentialRampToValueAtTime(0.3, start + offset + 0.02);
    volume.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.18);
    tone.connect(volume).connect(audio.destination);
    tone.start(start + offset);
    tone.stop(start + offset + 0.2);
  }
}

// MARK: - The list

/// Follows the active tenant's attention list; answers its panel (the board shows it) and how to stop.
export function watchAttention(membership, { onOpen }) {
  const mayAcknowledge = membership.tenantKind === "NOC" && membership.role !== "viewer";
  const alerts = mayAcknowledge; // an alert nobody here could stop would only be noise
  // The tab that sounds holds this lease, renewed each time it sounds; another tab takes it once it lapses.
  const lease = `strike.attention.sounder.${membership.tenantID}`;
  const channel = "BroadcastChannel" in window ? new BroadcastChannel(`strike.attention.${membership.tenantID}`) : null;
  let items = [];
  let heard = new Set(); // the unacknowledged items (ECO and causes) this page has alerted for
  let lastSounded = 0;
  let cannotNotify = false;
  let stopped = false;
  let reading = 0;

  const count = h("span", { class: "count", "data-role": "attention-count" });
  const notice = h("div", { class: "notice", "data-role": "alerts-notice" });
  const problem = h("p", { class: "error", role: "alert" });
  const list = h("ol", { class: "attention-items" });
  const mute = h("input", { type: "checkbox", name: "mute", checked: muted(), onchange: () => {
    if (mute.checked) localStorage.setItem(MUTED, "1"); else localStorage.removeItem(MUTED);
    drawNotice();
  } });
  const panel = h("section", { class: "card attention", "aria-label": "Needs attention" },
    h("div", { class: "attention-head" }, h("h2", {}, "Needs attention ", count),
      alerts ? h("label", { class: "mute" }, mute, " Mute alert sound") : null),
    notice, problem, list);

  const pending = () => items.filter((item) => !item.acknowledged);

  async function refresh() {
    const mine = ++reading;
    try {
      const answer = await api("GET", "/api/attention");
      if (stopped || mine !== reading) return;
      items = answer.items;
      if (problem.dataset.about === "reading") problem.textContent = "";
      draw();
      alertNew();
    } catch (error) {
      if (stopped || mine !== reading) return;
      problem.dataset.about = "reading";
      problem.textContent = `The attention list cannot be read: ${error.message}`;
    }
  }

  function draw() {
    const waiting = pending().length;
    document.title = waiting ? `(${waiting}) ${BASE_TITLE}` : BASE_TITLE;
    count.textContent = waiting ? `— ${waiting} not acknowledged` : "";
    panel.classList.toggle("pending", waiting > 0);
    const focused = document.activeElement?.closest?.("[data-attention]")?.dataset.attention;
    const focusedTag = document.activeElement?.tagName.toLowerCase();
    list.replaceChildren(...(items.length ? items.map(entry) : [h("li", { class: "muted" }, "Nothing needs attention.")]));
    // The focus stays on the item it was in: its button, or its link once the button is gone.
    if (focused) {
      const again = list.querySelector(`[data-attention="${CSS.escape(focused)}"]`);
      (again?.querySelector(focusedTag) ?? again?.querySelector("a"))?.focus();
    }
    drawNotice();
  }

  /// One item: the ECO (its job id opens it), each cause since when and why, and who acknowledged it or the button.
  function entry(item) {
    const eco = item.eco;
    return h("li", { class: item.acknowledged ? "acknowledged" : "unacknowledged", "data-attention": eco.id },
      h("div", { class: "attention-eco" },
        h("p", {}, h("a", { href: `#eco/${eco.id}`, onclick: (event) => { event.preventDefault(); onOpen(eco.id); } }, eco.jobID),
          " ", h("span", { class: `chip ${slug(eco.displayStatus)}` }, eco.displayStatus)),
        h("p", { class: "muted" }, eco.description)),
      h("ul", { class: "causes" }, ...item.causes.map((cause) => h("li", {},
        h("strong", {}, CAUSE[cause.cause] ?? "Needs attention"), h("span", { class: "muted" }, ` since ${when(cause.since)}`),
        cause.detail ? ` — ${cause.detail}` : ""))),
      h("div", { class: "attention-action" }, item.acknowledged
        ? h("p", { class: "acknowledged-by", "data-role": "acknowledged" },
          `Acknowledged by ${item.acknowledgedBy ?? "someone no longer known"} at ${when(item.acknowledgedAt)}`)
        : mayAcknowledge
          ? h("button", { type: "button", class: "primary", onclick: (event) => acknowledge(item, event.currentTarget) },
            "Acknowledge", h("span", { class: "visually-hidden" }, ` ${eco.jobID}`))
          : h("p", { class: "muted" }, "Not acknowledged yet.")));
  }

  async function acknowledge(item, button) {
    button.disabled = true;
    if (problem.dataset.about === "acknowledging") problem.textContent = "";
    try {
      const answer = await api("POST", `/api/attention/${encodeURIComponent(item.eco.id)}/acknowledge`, {});
      items = items.map((listed) => (listed.eco.id === answer.eco.id ? answer : listed));
      draw();
      alertNew();
      channel?.postMessage({ acknowledged: item.eco.id });
    } catch (error) {
      // Someone else was first (409) or the ECO moved on: the list read anew says how it stands.
      problem.dataset.about = "acknowledging";
      problem.textContent = `${item.eco.jobID}: ${sentence(error.message)}`;
      button.disabled = false;
    }
    refresh();
  }

  // MARK: - Alerts

  /// A new unacknowledged item (or one a new cause made unacknowledged again) sounds and is notified.
  function alertNew() {
    const now = new Set();
    const fresh = [];
    for (const item of pending()) {
      const key = `${item.eco.id} ${item.causes.map((cause) => cause.cause).sort().join(",")}`;
      now.add(key);
      if (!heard.has(key)) fresh.push(item);
    }
    heard = now;
    if (!alerts || !fresh.length) return;
    sound();
    for (const item of fresh) notify(item);
  }

  function sound() {
    if (muted() || !audible() || !holdLease()) return;
    lastSounded = Date.now();
    chime();
  }

  function holdLease() {
    const now = Date.now();
    let holder = null;
    try { holder = JSON.parse(localStorage.getItem(lease)); } catch { /* unreadable: take it */ }
    if (holder && holder.tab !== tab && holder.until > now) return false;
    try { localStorage.setItem(lease, JSON.stringify({ tab, until: now + REMIND_EVERY * 2 })); } catch { /* no storage: this tab sounds alone */ }
    return true;
  }

  function releaseLease() {
    try { if (JSON.parse(localStorage.getItem(lease))?.tab === tab) localStorage.removeItem(lease); } catch { /* not ours */ }
  }

  async function remind() {
    await refresh();
    if (alerts && pending().length && Date.now() - lastSounded > REMIND_EVERY / 2) sound();
  }

  const permission = () => {
    if (!("Notification" in window) || cannotNotify) return "unsupported";
    return Notification.permission;
  };

  /// Asked once per browser by itself; afterwards only when the operator presses the panel's button.
  async function askToNotify(again = false) {
    if (permission() !== "default" || (!again && localStorage.getItem(ASKED))) return;
    localStorage.setItem(ASKED, new Date().toISOString());
    try { await Notification.requestPermission(); } catch { /* refused outright: the panel says so */ }
    if (stopped) return;
    drawNotice();
    if (permission() === "granted") for (const item of pending()) notify(item);
  }

  function notify(item) {
    if (permission() !== "granted") return;
    const causes = item.causes.map((cause) => `${CAUSE[cause.cause] ?? "Needs attention"}${cause.detail ? `: ${cause.detail}` : ""}`);
    try {
      const shown = new Notification(`${item.eco.jobID} needs attention`, { body: [...causes, item.eco.description].join("\n"), tag: item.eco.id });
      shown.addEventListener("click", () => {
        window.focus();
        shown.close();
        if (!stopped) onOpen(item.eco.id);
      });
    } catch {
      cannotNotify = true; // a browser that shows notifications only from a service worker
      drawNotice();
    }
  }

  /// What the operator should know about how they are alerted: notifications off, or sound waiting for a click.
  function drawNotice() {
    if (!alerts) { notice.replaceChildren(); return; }
    const lines = [];
    const state = permission();
    if (state === "unsupported" || (state === "denied" && !window.isSecureContext)) {
      lines.push(h("p", { class: "warning" }, window.isSecureContext
        ? "This browser cannot show desktop notifications here: keep this tab open to see and hear new items."
        : "Desktop notifications need the appliance on HTTPS: keep this tab open to see and hear new items."));
    } else if (state === "denied") {
      lines.push(h("p", { class: "warning" },
        "Desktop notifications are blocked for this site: new items show here and sound in an open tab. "
        + "Allow notifications in the browser's site settings to get them on the desktop too."));
    } else if (state === "default") {
      lines.push(h("p", {}, "Desktop notifications are off. ",
        h("button", { type: "button", onclick: () => askToNotify(true) }, "Turn on desktop notifications")));
    }
    if (pending().length && !muted() && !audible()) lines.push(h("p", { class: "warning" }, "Click anywhere on the page to let it sound alerts."));
    notice.replaceChildren(...lines);
  }

  // MARK: - Following

  let soon;
  const later = () => { clearTimeout(soon); soon = setTimeout(refresh, REFETCH_AFTER); };
  const stopEvents = onEcoEvent(later);
  if (channel) channel.onmessage = () => refresh();
  const onStorage = (event) => {
    if (event.key === MUTED) { mute.checked = muted(); drawNotice(); }
  };
  window.addEventListener("storage", onStorage);
  window.addEventListener("pagehide", releaseLease);
  const audibleNow = () => {
    drawNotice();
    if (alerts && pending().length && !lastSounded) sound();
  };
  whenAudible.add(audibleNow);
  const reminder = setInterval(remind, REMIND_EVERY);

  if (alerts) askToNotify();
  refresh();

  return {
    panel,
    stop() {
      stopped = true;
      clearInterval(reminder);
      clearTimeout(soon);
      stopEvents();
      channel?.close();
      whenAudible.delete(audibleNow);
      window.removeEventListener("storage", onStorage);
      window.removeEventListener("pagehide", releaseLease);
      releaseLease();
      document.title = BASE_TITLE;
    },
  };
}
