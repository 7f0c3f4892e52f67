// The appliance's backups, for its owner: on the Appliance page the schedule (editable unless the service's command
// line sets it), the last good backup and the last failure, the next one due, the backups in the directory, "Back up
// now" and a download; and, pinned above every section, an alert while backups are failing, read when the page
// loads, every minute, and whenever the Appliance page learns something new, until a later backup succeeds. What
// one part reads, every part shows.
import { api } from "/app/api.js";
import { everyInWords, INTERVAL_UNITS, inUnit } from "/app/adminwords.js";
import { h } from "/app/dom.js";
import { errorSlot, field, formError, sentence, statusLine, whenSubmitted } from "/app/forms.js";
import { when } from "/app/words.js";

const READ_EVERY = 60_000;

/// Whoever shows the backups' state hears each new one the page reads.
const listeners = new Set();
const announce = (status) => { for (const listener of listeners) listener(status); };

// MARK: - Words

/// A recorded failure without the "the backup failed:" it may start with: where it is shown says so already.
const failureWords = (error) => sentence(String(error ?? "").replace(/^(the )?backup failed:\s*/i, ""));

const sizeFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });

/// 7912345 → "7.9 MB".
function sizeInWords(bytes) {
  for (const [unit, size] of [["GB", 1e9], ["MB", 1e6], ["kB", 1e3]]) {
    if (bytes >= size) return `${sizeFormat.format(bytes / size)} ${unit}`;
  }
  return `${bytes} bytes`;
}

/// "Every 6 hours into /var/backups/strike, keeping the newest 28."
function scheduleInWords(schedule) {
  const keeping = `keeping the newest ${schedule.keep === 1 ? "one" : schedule.keep}`;
  const every = everyInWords(schedule.everyMinutes);
  return schedule.enabled
    ? `${every[0].toUpperCase()}${every.slice(1)} into ${schedule.directory}, ${keeping}.`
    : `Off: a backup is made only when someone presses Back up now (into ${schedule.directory}, ${keeping}).`;
}

const SET_BY = {
  "command line": "Set on the service's command line (--backup-dir, --backup-every, --backup-keep): change it there and restart the service.",
  owner: "Saved on this page.",
  default: "Not saved yet: the appliance's default schedule.",
};

// MARK: - The alert above every section

/// Keeps `container` showing an alert while backups are failing; answers how to stop. The alert is drawn anew only
/// when what it says changes, so a screen reader does not hear it again every minute.
export function watchBackups(container, { onOpen }) {
  let stopped = false;
  let shown = "";
  const show = (status) => {
    const now = status.failing ? JSON.stringify([status.lastFailure, status.lastSuccess]) : "";
    if (stopped || now === shown) return;
    shown = now;
    container.replaceChildren(...(status.failing ? [failingAlert(status, onOpen)] : []));
  };
  const read = () => api("GET", "/api/backups").then(announce, () => { /* unreadable now: what was shown stays until the next read */ });
  listeners.add(show);
  read();
  const timer = setInterval(read, READ_EVERY);
  return () => {
    stopped = true;
    clearInterval(timer);
    listeners.delete(show);
    container.replaceChildren();
  };
}

function failingAlert(status, onOpen) {
  const failure = status.lastFailure;
  const good = status.lastSuccess;
  return h("section", { class: "backup-alert", role: "alert", "aria-label": "Backups are failing", "data-role": "backup-alert" },
    h("h2", {}, "Backups are failing"),
    h("p", {}, failure ? `The last backup, at ${when(failure.at)}, failed: ${failureWords(failure.error)}` : "The last backup failed."),
    h("p", {}, good ? `The newest good backup is from ${when(good.at)} (${good.file}).` : "There is no good backup yet.",
      " ", h("a", { href: "#appliance/backups", onclick: (event) => { event.preventDefault(); onOpen(); } }, "See the backups on the Appliance page")));
}

// MARK: - The Appliance page's section

/// The section, and `load()` which reads the backups and draws it.
export function backupsSection() {
  const section = h("section", { class: "card backups", "aria-label": "Backups", tabindex: -1 });
  const summary = h("dl", { class: "facts" });
  const failing = h("p", { class: "warning", "data-role": "backups-failing" });
  const schedule = h("div");
  const files = h("tbody");
  const nowButton = h("button", { type: "button", class: "primary", onclick: () => backUpNow() }, "Back up now");
  const nowStatus = h("p", { class: "status", role: "status", "data-role": "backup-now" });
  const nowError = h("p", { class: "error", role: "alert", "data-role": "backup-now-error" });
  section.append(
    h("h2", {}, "Backups"),
    h("p", { class: "muted" }, "The appliance copies its database into a directory on a schedule: a consistent copy, checked before it is kept, "
      + "made while the appliance goes on working. Only the newest are kept."),
    failing, summary,
    h("div", { class: "actions" }, nowButton), nowStatus, nowError,
    schedule,
    h("h3", {}, "Backups in the directory"),
    h("div", { class: "table-scroll" }, h("table", { "aria-label": "Backup files" },
      h("thead", {}, h("tr", {}, h("th", {}, "File"), h("th", {}, "Size"), h("th", {}, "Made"))), files)),
    h("h3", {}, "Download"),
    h("p", {}, h("a", { href: "/api/backup", download: "", class: "button", "data-role": "download-backup" }, "Download a backup")),
    h("p", { class: "muted", "data-role": "key-file-note" },
      "A copy of the database made when you ask, while the appliance goes on working. The key file is not in it "
      + "(strike.db.key beside the database, or the file the service's --key-file names): back the key file up separately, once, "
      + "and keep it as private as the database. Without it the Render and Twilio credentials in a backup cannot be read; with it they can."));

  /// What changes with every backup: the summary, the alert's words here and the files.
  function showState(status) {
    failing.textContent = status.failing
      ? "Backups are failing: the last attempt made no backup. Put right what the last failure says, then press Back up now."
      : "";
    const good = status.lastSuccess, bad = status.lastFailure;
    summary.replaceChildren(
      ...fact("Schedule", scheduleInWords(status.schedule), "schedule"),
      ...fact("Next backup", status.nextAt ? when(status.nextAt) : "None scheduled.", "next"),
      ...fact("Last good backup", good ? `${when(good.at)}: ${good.file} (${sizeInWords(good.bytes)})` : "None yet.", "last-success"),
      ...fact("Last failure", bad ? `${when(bad.at)}: ${failureWords(bad.error)}` : "None.", "last-failure"));
    files.replaceChildren(...(status.files.length
      ? status.files.map((file) => h("tr", { "data-file": file.name },
        h("td", {}, h("code", {}, file.name)), h("td", { class: "nowrap" }, sizeInWords(file.bytes)), h("td", {}, when(file.createdAt))))
      : [h("tr", {}, h("td", { colspan: 3, class: "muted" }, "No backups in the directory yet."))]));
  }

  async function backUpNow() {
    nowButton.disabled = true;
    nowStatus.textContent = "Backing up…";
    nowError.textContent = "";
    try {
      const status = await api("POST", "/api/backups");
      nowStatus.textContent = status.lastSuccess
        ? `Backed up: ${status.lastSuccess.file} (${sizeInWords(status.lastSuccess.bytes)}).` : "Backed up.";
      announce(status);
    } catch (error) {
      nowStatus.textContent = "";
      nowError.textContent = `The backup failed: ${failureWords(error.message)}`;
      try { announce(await api("GET", "/api/backups")); } catch { /* the failure is said above */ }
    } finally {
      nowButton.disabled = false;
    }
  }

  /// What anyone reads (this section, the alert's minutely read) is shown here while the section is on the page.
  const hear = (status) => {
    if (section.isConnected) showState(status);
    else listeners.delete(hear);
  };

  /// Reads the backups and draws the section; a failure to read is said in it, the rest of the page stays.
  async function load() {
    let status;
    try {
      status = await api("GET", "/api/backups");
    } catch (error) {
      nowError.textContent = `The backups cannot be read: ${sentence(error.message)}`;
      return;
    }
    listeners.add(hear);
    announce(status);
    schedule.replaceChildren(scheduleForm(status.schedule, (saved) => {
      announce(saved);
      return saved.schedule;
    }));
  }

  return { section, load };
}

function fact(term, text, role) {
  return [h("dt", {}, term), h("dd", { "data-role": role }, text)];
}

/// The schedule: a form, or its words when the command line sets it. `onSaved` takes the answer and gives the
/// schedule it holds.
function scheduleForm(schedule, onSaved) {
  if (schedule.setBy === "command line") {
    return h("div", { class: "admin-form", "aria-label": "Backup schedule", role: "group" },
      h("h3", {}, "Schedule"),
      h("p", { "data-role": "schedule-fixed" }, SET_BY["command line"]),
      h("p", { class: "muted" }, scheduleInWords(schedule)));
  }
  const [count, unit] = inUnit(schedule.everyMinutes);
  const setBy = h("p", { class: "muted", "data-role": "schedule-set-by" }, SET_BY[schedule.setBy] ?? "");
  const every = h("input", { name: "everyCount", type: "number", inputmode: "numeric", min: 1, step: 1, value: count, required: true });
  const everyUnit = h("select", { name: "everyUnit", "aria-label": "Unit of the interval between backups" },
    ...[...INTERVAL_UNITS].reverse().map(([name, size]) => h("option", { value: size, selected: name === unit }, `${name}s`)));
  const everyID = `backup-every-${Math.random().toString(36).slice(2)}`;
  every.id = everyID;
  every.setAttribute("aria-describedby", `${everyID}-hint ${everyID}-error`);
  const directory = field("Directory", h("input", { name: "directory", value: schedule.directory, autocomplete: "off", spellcheck: "false", required: true }),
    { hint: "An absolute path on the appliance, such as /var/backups/strike; it is made when missing. Another disk than the database's is best." });
  directory.classList.add("whole-row");
  const done = statusLine();
  const form = h("form", { class: "admin-form", "aria-label": "Backup schedule", novalidate: true },
    h("h3", {}, "Schedule"),
    setBy,
    h("div", { class: "form-grid" },
      field("Back up on this schedule", h("input", { name: "enabled", type: "checkbox", checked: schedule.enabled })),
      directory,
      h("div", { class: "field" },
        h("label", { class: "field-label", for: everyID }, "Every"),
        h("div", { class: "every" }, every, everyUnit),
        h("span", { class: "hint", id: `${everyID}-hint` }, "15 minutes to 7 days."),
        errorSlot("everyMinutes", `${everyID}-error`)),
      field("Keep", h("input", { name: "keep", type: "number", inputmode: "numeric", min: 1, max: 1000, step: 1, value: schedule.keep, required: true }),
        { hint: "How many of the newest backups stay in the directory: 1 to 1000. Older ones are removed after each good backup." })),
    formError(),
    h("div", { class: "actions" }, h("button", { class: "primary", type: "submit" }, "Save schedule")),
    done);
  whenSubmitted(form, async () => {
    const typed = (name) => (form.elements[name].value.trim() === "" ? NaN : Number(form.elements[name].value));
    const everyMinutes = typed("everyCount") * Number(everyUnit.value);
    const keep = typed("keep");
    let wrong = false;
    if (!Number.isInteger(everyMinutes)) { form.querySelector('[data-for="everyMinutes"]').textContent = "Enter a whole number."; wrong = true; }
    if (!Number.isInteger(keep)) { form.querySelector('[data-for="keep"]').textContent = "Enter a whole number."; wrong = true; }
    if (wrong) return;
    const saved = await api("PUT", "/api/backups/schedule",
      { enabled: form.elements.enabled.checked, directory: form.elements.directory.value.trim(), everyMinutes, keep });
    const now = onSaved(saved);
    setBy.textContent = SET_BY[now.setBy] ?? "";
    done.textContent = `Saved. ${scheduleInWords(now)}`;
  });
  return form;
}
