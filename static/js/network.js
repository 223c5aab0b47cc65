// The network section: save each organisation's answers as soon as they are given, and
// say "Saved" only once the server has stored them (as questionnaire.js does for the
// questions). Without JavaScript the page still works: "Save and continue" posts every
// organisation with its answers as loaded (was-) and their version, so only what was
// changed is stored.
//
// The two 1 to 4 questions about an organisation are asked only where the two work
// together: they are hidden until "a few times a year" or more is chosen, and cleared
// when "never" or "don't know" is, so the page never sends what the server refuses.
import { post, showProgress } from "./saving.js";

const form = document.querySelector("form.lsp-network");
const SAVING = "Saving…";
const OFFLINE = "Not saved yet: no connection. It will be saved when you are back online.";
const TOGETHER = ["1", "2", "3"];
const states = new Map();

function partnerOf(control) {
  return control.closest("[data-partner]");
}

function checked(partner, part) {
  const name = `${part}-${partner.dataset.partner}`;
  return partner.querySelector(`input[name="${name}"]:checked`)?.value ?? "";
}

function hidden(partner, part) {
  return partner.querySelector(`input[name="${part}-${partner.dataset.partner}"]`);
}

function code(partner) {
  return ["freq", "rely", "contrib"].map((part) => checked(partner, part)).join("|");
}

function setCode(partner, value) {
  const [freq, rely, contrib] = value.split("|");
  const wanted = { freq, rely, contrib };
  for (const part of Object.keys(wanted)) {
    for (const radio of partner.querySelectorAll(`input[name="${part}-${partner.dataset.partner}"]`)) {
      radio.checked = radio.value === wanted[part];
    }
  }
  reveal(partner);
}

function show(partner, text, isError) {
  const status = partner.querySelector(".lsp-saved");
  status.textContent = text;
  status.classList.toggle("lsp-saved--error", Boolean(isError));
  if (text !== SAVING) {
    const name = partner.querySelector("h3").textContent;
    form.querySelector("[data-save-status]").textContent = `${name}: ${text}`;
  }
}

// The ratings only where the organisations work together; cleared otherwise.
function reveal(partner) {
  const together = TOGETHER.includes(checked(partner, "freq"));
  const ratings = partner.querySelector(".lsp-network__ratings");
  ratings.classList.toggle("lsp-network__ratings--hidden", !together);
  if (!together && checked(partner, "freq")) {
    for (const radio of ratings.querySelectorAll("input:checked")) radio.checked = false;
  }
}

async function send(partner) {
  const key = partner.dataset.partner;
  const state = states.get(key) ?? { busy: false, delay: 0, retry: 0 };
  states.set(key, state);
  if (state.busy || code(partner) === hidden(partner, "was").value) return;
  const sent = code(partner);
  const [freq, rely, contrib] = sent.split("|");
  const body = new FormData();
  body.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
  body.append(`freq-${key}`, freq);
  body.append(`rely-${key}`, rely);
  body.append(`contrib-${key}`, contrib);
  body.append(`was-${key}`, hidden(partner, "was").value);
  body.append(`version-${key}`, hidden(partner, "version").value);
  state.busy = true;
  show(partner, SAVING);
  let response;
  let result;
  try {
    ({ response, result } = await post(form.dataset.saveUrl, body));
  } catch {
    response = null;
  }
  state.busy = false;
  if (!response || response.status >= 500) {
    show(partner, OFFLINE, true);
    state.delay = Math.min(state.delay ? state.delay * 2 : 2000, 30000);
    clearTimeout(state.retry);
    state.retry = setTimeout(() => send(partner), state.delay);
    return;
  }
  state.delay = 0;
  const stored = result.answers?.[key];
  if (stored) {
    hidden(partner, "was").value = stored.value;
    hidden(partner, "version").value = String(stored.version);
  }
  showProgress(result.progress);
  if (result.conflicts?.length) {
    setCode(partner, stored.value);
    show(partner, result.error, true);
  } else if (!response.ok) {
    show(partner, `Not saved: ${result.error}`, true);
  } else if (code(partner) !== sent) {
    send(partner); // changed while this save was in flight: the latest goes now
  } else {
    const time = new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    show(partner, `Saved at ${time}`);
  }
}

if (form) {
  for (const partner of form.querySelectorAll("[data-partner]")) {
    const ratings = partner.querySelector(".lsp-network__ratings");
    for (const radio of partner.querySelectorAll(`input[name^="freq-"]`)) {
      radio.setAttribute("aria-controls", ratings.id);
    }
    reveal(partner);
  }
  window.addEventListener("pageshow", () => form.querySelectorAll("[data-partner]").forEach(reveal));
  if (form.dataset.saveUrl && !form.hasAttribute("data-readonly")) {
    form.addEventListener("change", (event) => {
      const partner = partnerOf(event.target);
      if (!partner) return;
      reveal(partner);
      send(partner);
    });
    window.addEventListener("online", () => form.querySelectorAll("[data-partner]").forEach(send));
  }
}
