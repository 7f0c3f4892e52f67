// What every administration form shares: a labelled field with its hint and, beside it, the slot for its
// error; the API's per-field problems put beside the fields they name (a path such as `mapZoom.list` falls
// back to `mapZoom` when there is no nearer slot), anything else in the form's own error line; a status line
// that says what was saved; a choice among stored values shown in words; and a button that asks once more.
import { h } from "/app/dom.js";

let described = 0;

/// A field: its label, its control, an optional hint and the slot for the error of `name`, the last two tied
/// to the control for screen readers.
export function field(label, control, { name = control.name, hint } = {}) {
  const id = `field-${++described}`;
  control.id = id;
  const hintLine = hint ? h("span", { class: "hint", id: `${id}-hint` }, hint) : null;
  control.setAttribute("aria-describedby", [hintLine ? `${id}-hint` : null, `${id}-error`].filter(Boolean).join(" "));
  return h("div", { class: "field" }, h("label", { class: "field-label", for: id }, label), control, hintLine, errorSlot(name, `${id}-error`));
}

/// Where the problem of `name` is shown when no single control holds it (a pair such as the map center).
export function errorSlot(name, id) {
  return h("span", { class: "field-error", "data-for": name, role: "alert", id });
}

/// The form's line for a problem no field holds (a conflict, a lost connection).
export const formError = () => h("p", { class: "error form-error", role: "alert" });

/// The line that says what was saved; it can take the focus when what had it is gone.
export const statusLine = () => h("p", { class: "status", role: "status", tabindex: -1 });

/// After a table is drawn anew, the focus goes back to `selector` in it, or to `fallback` when that is gone:
/// a keyboard user is not thrown back to the top of the page.
export function refocus(container, selector, fallback) {
  (container.querySelector(selector) ?? fallback).focus();
}

/// A select among stored values, each shown by its word: `choice("role", ROLE, "viewer")`.
export function choice(name, words, selected, attributes = {}) {
  return h("select", { name, ...attributes },
    ...Object.entries(words).map(([value, word]) => h("option", { value, selected: value === selected }, word)));
}

/// "must be 1 to 20" → "Must be 1 to 20."
export function sentence(text) {
  const trimmed = String(text ?? "").trim();
  if (!trimmed) return "";
  const capital = trimmed[0].toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

export function clearProblems(container) {
  for (const slot of container.querySelectorAll(".field-error, .form-error")) slot.textContent = "";
}

/// An API refusal shown where it belongs; the first field in trouble gets the focus.
export function showProblems(form, error) {
  clearProblems(form);
  const unplaced = [];
  let first = null;
  for (const { field: name, message } of error.fields ?? []) {
    const slot = slotFor(form, name);
    if (!slot) { unplaced.push(sentence(message)); continue; }
    slot.textContent = slot.textContent ? `${slot.textContent} ${sentence(message)}` : sentence(message);
    first ??= slot;
  }
  const general = form.querySelector(".form-error");
  if (general) general.textContent = error.fields?.length ? unplaced.join(" ") : sentence(error.message);
  first?.closest(".field, .form-grid, form")?.querySelector("input, select, textarea")?.focus();
}

function slotFor(form, path) {
  const slots = [...form.querySelectorAll(".field-error[data-for]")];
  let name = path;
  while (name) {
    const slot = slots.find((candidate) => candidate.dataset.for === name);
    if (slot) return slot;
    const shorter = name.replace(/(\.[^.[\]]+|\[\d+\])$/, "");
    name = shorter === name ? "" : shorter;
  }
  return null;
}

/// A number typed in a field, or null (with the field's error said) when it is empty or not a number.
export function numberIn(form, name) {
  const input = form.elements.namedItem(name);
  const value = input.value.trim() === "" ? NaN : Number(input.value);
  if (Number.isFinite(value)) return value;
  const slot = slotFor(form, name);
  if (slot) slot.textContent = "Enter a number.";
  return null;
}

/// Runs `action` when the form is submitted, one at a time: what the last try said is cleared first, and a
/// refusal is shown beside the fields it names.
export function whenSubmitted(form, action) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const submits = [...form.querySelectorAll("button[type=submit]")];
    if (submits.some((button) => button.disabled)) return;
    clearProblems(form);
    for (const line of form.querySelectorAll(".status")) line.textContent = "";
    for (const button of submits) button.disabled = true;
    try {
      await action();
    } catch (error) {
      showProblems(form, error);
    } finally {
      for (const button of submits) button.disabled = false;
    }
  });
}

/// A button that acts only when pressed twice: the first press asks, in the button's own words. `about`
/// names what it acts on for screen readers (every row's button reads "Remove" on screen).
export function confirmingButton(label, question, about, action) {
  const words = h("span", {}, label);
  const button = h("button", { type: "button", class: "danger" }, words, h("span", { class: "visually-hidden" }, ` ${about}`));
  let asking = false;
  const reset = () => { asking = false; words.textContent = label; button.classList.remove("asking"); };
  button.addEventListener("click", () => {
    if (!asking) { asking = true; words.textContent = question; button.classList.add("asking"); return; }
    reset();
    action();
  });
  button.addEventListener("blur", reset);
  return button;
}
