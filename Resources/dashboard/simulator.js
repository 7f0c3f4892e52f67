// The simulators' panel (a NOC's): the scenarios, the default a new ECO gets and the speed (admins), one
// ECO's own scenario (dispatchers), and what each simulated ECO has done so far, refreshed every few seconds.
import { api } from "/app/api.js";
import { h } from "/app/dom.js";
import { CALL, TASK } from "/app/words.js";

export function showSimulator(view, membership) {
  const mayConfigure = membership.role === "admin";
  const mayChoose = membership.role !== "viewer";
  let timer = null;

  async function render() {
    const [state, ecos] = await Promise.all([api("GET", "/api/simulator"), api("GET", "/api/ecos?limit=200")]);
    const jobs = new Map(ecos.items.map((eco) => [eco.id, eco]));
    const names = state.scenarios.map((s) => s.name);
    const problem = h("p", { class: "error", role: "alert" });
    const scenarioPicker = (value, onChange, label) => h("select", { "aria-label": label, disabled: !onChange, onchange: onChange },
      ...names.map((name) => h("option", { value: name, selected: name === value }, name)));
    const speed = h("input", { type: "number", min: 1, max: 1000, step: 1, value: state.speed, "aria-label": "Speed", disabled: !mayConfigure });
    const settings = h("form", { class: "inline", onsubmit: async (event) => {
      event.preventDefault();
      try {
        await api("PATCH", "/api/simulator", { defaultScenario: settings.querySelector("select").value, speed: Number(speed.value) });
        await render();
      } catch (error) { problem.textContent = error.fields?.map((f) => `${f.field}: ${f.message}`).join(" ") || error.message; }
    } },
      h("label", {}, "Default scenario ", scenarioPicker(state.defaultScenario, null, "Default scenario")),
      h("label", {}, "Speed ", speed), mayConfigure ? h("button", { type: "submit" }, "Save") : null);
    if (mayConfigure) settings.querySelector("select").disabled = false;

    view.replaceChildren(
      h("h1", {}, "Simulators"),
      h("p", { class: "muted" }, "They stand in for Render and Twilio for the ECOs whose Render instance or Twilio account is set to simulated."),
      h("section", { class: "card" }, settings, problem,
        h("table", { "aria-label": "Scenarios" }, h("thead", {}, h("tr", {}, h("th", {}, "Scenario"), h("th", {}, "Render"), h("th", {}, "Calls"))),
          h("tbody", {}, ...state.scenarios.map((s) => h("tr", {}, h("td", {}, s.name), h("td", {}, s.render), h("td", {}, s.pager)))))),
      h("section", { class: "card" }, h("h2", {}, "Simulated ECOs"),
        state.ecos.length === 0 ? h("p", { class: "muted" }, "None yet.") :
          h("table", { "aria-label": "Simulated ECOs" },
            h("thead", {}, h("tr", {}, h("th", {}, "ECO"), h("th", {}, "Scenario"), h("th", {}, "Render tasks"), h("th", {}, "Calls"))),
            h("tbody", {}, ...state.ecos.map((eco) => h("tr", { "data-eco": eco.ecoID },
              h("td", {}, jobs.get(eco.ecoID)?.jobID ?? "an older ECO", h("span", { class: "reason" }, jobs.get(eco.ecoID)?.description ?? "")),
              h("td", {}, scenarioPicker(eco.scenario, mayChoose ? async (event) => {
                try { await api("PUT", `/api/simulator/ecos/${eco.ecoID}`, { scenario: event.target.value }); await render(); }
                catch (error) { problem.textContent = error.message; }
              } : null, "Scenario of this ECO")),
              h("td", {}, eco.renderTasks.map((t) => `${t.id}: ${TASK[t.status] ?? "changed"}`).join(", ") || "—"),
              h("td", {}, eco.calls.map((c) => `${c.to}: ${CALL[c.status] ?? "update"}${c.heard ? ` (“${c.heard}”)` : ""}`).join("; ") || "—")))))));
  }

  // A refresh replaces the page: it waits while the operator is in one of its controls.
  const busy = () => view.contains(document.activeElement) && ["SELECT", "INPUT", "BUTTON"].includes(document.activeElement.tagName);
  const loop = async () => {
    try { if (!busy()) await render(); } catch (error) { view.replaceChildren(h("p", { class: "card error", role: "alert" }, error.message)); }
    timer = setTimeout(loop, 3000);
  };
  loop();
  return () => clearTimeout(timer);
}
