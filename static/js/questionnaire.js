// Save each answer as soon as it is given, and say "Saved" only once the server has
// stored it. Without JavaScript the page still works: "Save and continue" posts the
// form, which carries each answer's value and version as loaded (the hidden was- and
// version- fields), so only what was changed on the page is stored.
//
// Per question: one save in flight at a time, the latest value sent next; each save
// carries the version it was based on, and a refusal (changed in another window or
// device) puts the stored answer back on the page. Saves that could not reach the
// server are tried again when the connection returns.
//
// Each question shows how its save went at once; the page's one live region says it
// once the person pauses, not at every arrow key that moves through a rating scale.
import { post, showProgress } from "./saving.js";

const form = document.querySelector("form.lsp-questionnaire");

const TYPING_PAUSE = 800;
const SAY_AFTER = 1000; // quiet for this long (no change, no save in flight): say the outcome
const SAVING = "Saving…";
const FIRST_RETRY = 2000;
const LONGEST_RETRY = 30000;
const OFFLINE = "Not saved yet: no connection. It will be saved when you are back online.";

const states = new Map();
const toSay = new Map(); // question key: the latest outcome not yet said
let sayTimer = 0;
let leaving = false;

function stateOf(key) {
  if (!states.has(key)) {
    states.set(key, { busy: false, failed: false, refused: false, timer: 0, retry: 0, delay: 0 });
  }
  return states.get(key);
}

function itemOf(key) {
  return form.querySelector(`[data-item="${CSS.escape(key)}"]`);
}

function hidden(prefix, name) {
  return form.querySelector(`input[type=hidden][name="${CSS.escape(prefix + name)}"]`);
}

// The answer slots of a question: the names that have an "as loaded" field.
function slotsOf(key) {
  const item = itemOf(key);
  if (!item) return [];
  const names = [...item.querySelectorAll("input[type=hidden][name^='was-']")];
  return names.map((input) => input.name.slice("was-".length));
}

function controls(name) {
  return [...form.querySelectorAll(`[name="${CSS.escape(name)}"]:not([type=hidden])`)];
}

function valueOf(name) {
  const found = controls(name);
  if (!found.length) return "";
  if (found[0].type === "radio") return found.find((c) => c.checked)?.value ?? "";
  if (found[0].type === "checkbox") return found[0].checked ? "on" : "";
  return found[0].value;
}

function setValue(name, value) {
  for (const control of controls(name)) {
    if (control.type === "radio") control.checked = control.value === value;
    else if (control.type === "checkbox") control.checked = value === "on";
    else control.value = value;
  }
}

// Compared as the server compares: browsers send line breaks as CRLF, text is trimmed.
function canon(value) {
  return (value || "").replace(/\r\n/g, "\n").trim();
}

function isChanged(name) {
  const was = hidden("was-", name);
  return Boolean(was) && canon(valueOf(name)) !== canon(was.value);
}

function show(key, text, isError) {
  const status = itemOf(key)?.querySelector(".lsp-saved");
  if (!status) return;
  // A retry that fails again changes nothing to say: the problem was said once.
  const again = isError && status.textContent === text;
  status.textContent = text;
  status.classList.toggle("lsp-saved--error", Boolean(isError));
  if (text === SAVING || again) return;
  toSay.set(key, { text, isError: Boolean(isError) });
  sayLater();
}

function sayLater() {
  clearTimeout(sayTimer);
  sayTimer = setTimeout(say, SAY_AFTER);
}

// Said only when every save has been answered: "saved" is said once it is true.
function say() {
  const live = form.querySelector("[data-save-status]");
  if (!live || !toSay.size || [...states.values()].some((s) => s.busy)) return;
  const words = [];
  const saved = [];
  let savedAt = "";
  for (const [key, outcome] of toSay) {
    if (outcome.isError) {
      words.push(`Question ${key}: ${outcome.text}`);
    } else {
      saved.push(key);
      savedAt = outcome.text.replace(/^Saved at /, "");
    }
  }
  toSay.clear();
  if (saved.length) {
    const questions = saved.length > 1 ? "Questions" : "Question";
    words.push(`${questions} ${saved.join(", ")} saved at ${savedAt}.`);
  }
  live.textContent = words.join(" ");
}

function unsaved() {
  return [...states.values()].some((s) => s.failed || s.refused);
}

function pending() {
  return [...states.keys()].some((key) => slotsOf(key).some(isChanged));
}

// What the server stored: versions for every slot it reported; values put back where
// the person has not changed them since (and always where the change was refused).
function apply(answers, sent, conflicts) {
  for (const [name, stored] of Object.entries(answers)) {
    const was = hidden("was-", name);
    const version = hidden("version-", name);
    if (!was || !version) continue;
    const untouched = !(name in sent) && !isChanged(name);
    if (conflicts.includes(name) || untouched) setValue(name, stored.value);
    was.value = stored.value;
    version.value = String(stored.version);
  }
}

function retryLater(key) {
  const state = stateOf(key);
  state.failed = true;
  show(key, OFFLINE, true);
  state.delay = Math.min(state.delay ? state.delay * 2 : FIRST_RETRY, LONGEST_RETRY);
  clearTimeout(state.retry);
  state.retry = setTimeout(() => send(key), state.delay);
}

async function send(key) {
  const state = stateOf(key);
  clearTimeout(state.timer);
  if (state.busy) {
    return; // sent when the save in flight is answered, with the version it stored
  }
  let names = slotsOf(key).filter(isChanged);
  if (!names.length) return;
  // "Not applicable" goes with the written answer beside it, as the whole page would
  // send them: the server refuses the two together rather than store "not
  // applicable" and drop text the page still shows.
  if (names.some((name) => name.endsWith(":na"))) {
    names = slotsOf(key).filter((name) => !name.endsWith(":note"));
  }
  const body = new FormData();
  body.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
  const sent = {};
  for (const name of names) {
    sent[name] = valueOf(name);
    body.append(name, sent[name]);
    body.append(`was-${name}`, hidden("was-", name).value);
    body.append(`version-${name}`, hidden("version-", name).value);
  }
  state.busy = true;
  if (!state.failed) show(key, SAVING);
  let response;
  let result;
  try {
    ({ response, result } = await post(form.dataset.saveUrl, body));
  } catch {
    state.busy = false;
    retryLater(key);
    return;
  }
  state.busy = false;
  if (response.status >= 500) {
    retryLater(key);
    return;
  }
  clearTimeout(state.retry);
  state.failed = false;
  state.delay = 0;
  const conflicts = result.conflicts || [];
  apply(result.answers || {}, sent, conflicts);
  showProgress(result.progress);
  if (conflicts.length) {
    state.refused = false;
    show(key, result.error, true);
  } else if (!response.ok) {
    state.refused = true;
    show(key, `Not saved: ${result.error}`, true);
    return;
  } else {
    state.refused = false;
  }
  if (slotsOf(key).some(isChanged)) {
    send(key); // changed while this save was in flight: the latest value goes now
  } else if (!conflicts.length) {
    const time = new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    show(key, `Saved at ${time}`);
  }
}

function sendAll() {
  for (const item of form.querySelectorAll("[data-item]")) {
    if (slotsOf(item.dataset.item).some(isChanged)) send(item.dataset.item);
  }
}

function keyOf(control) {
  return control.closest("[data-item]")?.dataset.item;
}

if (form && form.dataset.saveUrl && !form.hasAttribute("data-readonly")) {
  form.addEventListener("change", (event) => {
    const key = keyOf(event.target);
    if (key && event.target.name) send(key);
    sayLater(); // still choosing: wait for the pause
  });
  // Text is saved when the person pauses typing, as well as when they leave the box.
  form.addEventListener("input", (event) => {
    const key = keyOf(event.target);
    if (event.target.tagName !== "TEXTAREA" || !key) return;
    sayLater();
    const state = stateOf(key);
    clearTimeout(state.timer);
    state.timer = setTimeout(() => send(key), TYPING_PAUSE);
  });
  form.addEventListener("submit", () => {
    leaving = true; // the page itself carries every change
  });
  // Closing, reloading or switching away: send what is waiting for a pause in typing.
  window.addEventListener("pagehide", sendAll);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") sendAll();
  });
  window.addEventListener("online", sendAll);
  window.addEventListener("beforeunload", (event) => {
    if (leaving || !(unsaved() || (!navigator.onLine && pending()))) return;
    event.preventDefault();
    event.returnValue = "";
  });
  // Leaving by a link on the page with answers not saved: say so, and offer to leave anyway.
  const warning = document.querySelector(".lsp-unsaved");
  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[href]");
    if (!link || !warning || link.hash) return;
    if (link.closest(".lsp-unsaved")) {
      leaving = true; // they were told, and chose to go
      return;
    }
    if (!(unsaved() || (!navigator.onLine && pending()))) return;
    event.preventDefault();
    sendAll();
    warning.querySelector("a").href = link.href;
    warning.hidden = false;
    warning.focus();
  });
}
