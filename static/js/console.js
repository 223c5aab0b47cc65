// The facilitator's console: every press updates the console in place.
//
// The console's forms are sent with fetch. The server answers as it does without
// JavaScript (a redirect back to the console, or the console with the form's
// mistakes), and the parts of that page ([data-console-part]) take the place of the
// parts shown: nothing reloads, the page stays where it was scrolled, and what the
// console says happened ([data-console-said], a status region) is read out once.
// Focus stays on the button pressed, and its status region says what happened; when
// the button is gone (a step for the room), focus moves to what the console says
// happened, which is read as it takes focus.
//
// Text typed into the agreed form or an action and not yet sent is carried over
// when the parts are swapped, and a step that moves the room on sends the item
// being written about, so the console keeps showing it. Leaving the page with such
// text asks first.
//
// If the server cannot take a press (a 5xx, no answer), the form is sent the
// ordinary way, to the outage page that leads back to the console.

import { initAll } from "../govuk/govuk-frontend.min.js";
import { say } from "./connection.js";
import { enhance } from "./workshop.js";

const work = document.querySelector("[data-console]");
let sending = false;
let sentPlainly = null; // the form sent the ordinary way: its text is not being lost

// --- What the live panel says as it changes (WCAG 4.1.3) ---------------------------
//
// The live panel is drawn again by its poll (workshop.js) whenever anything in the
// room changes, and in place after each press here. Of all it shows, the page's
// status region (connection.js's say) reads out, politely:
// - where the room is (the state and the item, [data-console-now]), once, when it
//   changes by something other than a press on this console: another window, or the
//   countdown running out. A press says what it did itself ([data-console-said]).
// - how many have voted ([data-console-count]), while voting is open, and rarely: at
//   once when everyone who has joined has voted; otherwise at most once every
//   COUNT_EVERY_MS, and only if the count has changed since it was last said. A count
//   held back is said when its time comes, as it then stands.
// Nothing else is read out as the panel is redrawn: a vote is not the question again.
const COUNT_EVERY_MS = 15000;
const panel = work && work.querySelector('[data-console-part="status"]');
const spoken = document.querySelector("[data-live-announce]");
let room = null; // where the room was when last heard
let countSaid = ""; // the count last said, or taken as heard: "voted/joined"
let countSaidAt = 0;
let held = 0; // the timer of a count held back

function readRoom() {
  const now = panel.querySelector("[data-console-now]");
  if (!now) return null; // signed out: the poll says so itself
  const count = panel.querySelector("[data-console-count]");
  return {
    now: now.textContent.replace(/\s+/g, " ").trim(),
    voting: Boolean(panel.querySelector('[data-state="voting"]')),
    voted: count ? Number(count.dataset.voted) : 0,
    joined: count ? Number(count.dataset.joined) : 0,
    item: count ? count.dataset.item : "",
    count: count ? `${count.dataset.voted}/${count.dataset.joined}` : "",
  };
}

// The room as it is now, taken as heard without a word: after a press, which says
// what it did, and when the room moves on (its count starts again).
function heard() {
  window.clearTimeout(held);
  held = 0;
  room = readRoom();
  countSaid = room ? room.count : "";
}

function sayCount(before = "") {
  window.clearTimeout(held);
  held = 0;
  const now = readRoom();
  if (!now || !now.voting || !now.joined || now.count === countSaid) return;
  countSaid = now.count;
  countSaidAt = Date.now();
  const everyone = now.voted === now.joined ? ": everyone who has joined" : "";
  say(`${before}${now.voted} of ${now.joined} have voted on ${now.item}${everyone}.`);
}

function redrawn(records) {
  const before = room;
  const now = readRoom();
  if (!now || !before || sending) {
    heard(); // a press on its way says what it did once it is back
    return;
  }
  room = now;
  // What the poll said as it drew this panel ("Connected again"), said first as a
  // sentence of its own rather than cut short.
  const also = records.some((record) => spoken.contains(record.target));
  const polled = also ? spoken.textContent.trim() : "";
  const first = polled ? `${polled.replace(/\.?$/, ".")} ` : "";
  if (now.now !== before.now) {
    heard();
    say(first + now.now);
  } else if (now.voting && now.joined && now.count !== countSaid) {
    if (now.voted === now.joined) {
      sayCount(first);
    } else if (!held) {
      const wait = Math.max(0, countSaidAt + COUNT_EVERY_MS - Date.now());
      held = window.setTimeout(() => sayCount(), wait);
    }
  }
}

// The countdown's length, once chosen and until started, stays chosen when the panel is
// drawn again (which would otherwise show the length last started).
let chosenLength = "";

function keepLength() {
  const select = document.getElementById("timer-seconds");
  if (select && [...select.options].some((option) => option.value === chosenLength)) {
    select.value = chosenLength;
  }
}

// A field whose value is not what the page was served with.
function isChanged(field) {
  if (field.type === "checkbox" || field.type === "radio") {
    return field.checked !== field.defaultChecked;
  }
  if (field.tagName === "SELECT") {
    const served = [...field.options].find((option) => option.defaultSelected) || field.options[0];
    return Boolean(served) && field.value !== served.value;
  }
  if (field.tagName === "TEXTAREA" || (field.tagName === "INPUT" && field.type !== "hidden")) {
    return field.value !== field.defaultValue;
  }
  return false;
}

// Fields typed into and not yet sent, in the forms that keep text.
function unsent() {
  const fields = [];
  document.querySelectorAll("form[data-keeps-text]").forEach((form) => {
    for (const field of form.elements) {
      if (field.id && form !== sentPlainly && isChanged(field)) fields.push(field);
    }
  });
  return fields;
}

function remember(fields) {
  return fields.map((field) => ({ id: field.id, value: field.value, checked: field.checked }));
}

function restore(kept) {
  for (const { id, value, checked } of kept) {
    const field = document.getElementById(id);
    if (!field) continue;
    if (field.type === "checkbox" || field.type === "radio") field.checked = checked;
    else field.value = value;
  }
}

// A status region is read out when what is in it changes, not when it arrives
// already holding words: so it arrives empty and the words follow. The one whose
// words have taken focus (``read``) has been read out already.
function speak(read) {
  document.querySelectorAll("[data-console-said]").forEach((region) => {
    if (region === read) return;
    const words = region.innerHTML;
    if (!words.trim()) return;
    region.innerHTML = "";
    window.setTimeout(() => {
      region.innerHTML = words;
    }, 100);
  });
}

function swap(page) {
  document.querySelectorAll("[data-console-part]").forEach((part) => {
    const fresh = page.querySelector(`[data-console-part="${part.dataset.consolePart}"]`);
    if (!fresh) return;
    part.innerHTML = fresh.innerHTML;
    // The polled panel's ETag, and which item the item panel is about.
    for (const name of ["data-etag", "data-console-item"]) {
      if (fresh.hasAttribute(name)) part.setAttribute(name, fresh.getAttribute(name));
      else part.removeAttribute(name);
    }
    initAll({ scope: part });
    enhance(part);
  });
  heard();
}

// Where focus goes after a press; returns the status region whose words it took.
function focusAfter(form, pressed, partName) {
  const problem = work.querySelector(".govuk-error-summary");
  if (problem) return null; // GOV.UK's error summary takes focus itself
  if (form.id && !form.hasAttribute("data-control")) {
    const again = document.getElementById(form.id);
    const button =
      again &&
      [...again.querySelectorAll("button")].find(
        (b) => pressed && b.name === pressed.name && b.value === pressed.value,
      );
    if (button) {
      button.focus({ preventScroll: true });
      return null;
    }
  }
  // The press changed what it was about: focus goes to what the console says happened,
  // beside the part pressed or at the top, read as it takes focus (and so not said
  // again). Not to the next step's button, which a second Enter would press.
  const part = document.querySelector(`[data-console-part="${partName}"]`);
  const places = [
    ...part.querySelectorAll("[data-console-said]"),
    ...document.querySelectorAll("#console-said [data-console-said]"),
  ];
  const place = places.find((region) => region.textContent.trim());
  if (place) {
    const words = place.querySelector(".lsp-console__message") || place;
    words.setAttribute("tabindex", "-1");
    words.focus({ preventScroll: true });
    return place;
  }
  const where = part.querySelector("[data-console-focus]");
  if (where) where.focus({ preventScroll: true });
  return null;
}

// Signed out (idle too long, or signed out elsewhere): the press is not sent the
// ordinary way, which would lose what is typed; the console says so and how to
// sign in again, and its poll puts up the same in place of the live panel.
async function signedOut(response) {
  const body = await response.json().catch(() => ({}));
  const message = document.createElement("p");
  message.className = "govuk-body lsp-console__message lsp-console__message--error";
  message.setAttribute("role", "alert");
  message.dataset.signedOut = ""; // the poll's notice then is not a second alert
  message.textContent = `${body.message || "You have been signed out."} `;
  const again = document.createElement("a");
  again.className = "govuk-link";
  const link = new URL(body.sign_in || "/accounts/login/", window.location.href);
  link.searchParams.set("next", window.location.pathname + window.location.search);
  again.href = link.pathname + link.search;
  again.textContent = "Sign in again";
  message.append(again);
  document.getElementById("console-said").replaceChildren(message);
}

function sendPlainly(form, pressed) {
  if (pressed && pressed.name) {
    const press = document.createElement("input");
    press.type = "hidden";
    press.name = pressed.name;
    press.value = pressed.value;
    form.append(press);
  }
  sentPlainly = form;
  form.submit();
}

async function sendInPlace(form, pressed) {
  const body = new FormData(form);
  if (pressed && pressed.name) body.append(pressed.name, pressed.value);
  const typed = unsent().filter((field) => field.form !== form);
  const shown = document.querySelector("[data-console-item]");
  // The room's steps follow the room to its item, unless that would leave typed text.
  if (shown && !body.has("item") && (!form.hasAttribute("data-control") || typed.length)) {
    body.set("item", shown.dataset.consoleItem);
  }
  const partName = form.closest("[data-console-part]").dataset.consolePart;
  // Not form.action: the controls' buttons are named "action", which that would find.
  const response = await fetch(form.getAttribute("action") || window.location.href, {
    method: "POST",
    body,
    credentials: "same-origin",
    headers: { Accept: "text/html" },
  });
  if (response.status === 401) {
    await signedOut(response);
    return true;
  }
  if (!response.ok && response.status !== 400) return false;
  const page = new DOMParser().parseFromString(await response.text(), "text/html");
  if (!page.querySelector("[data-console]")) return false; // not the console: a sign-in page
  const kept = remember(typed);
  swap(page);
  restore(kept);
  work.removeAttribute("aria-busy"); // done: what takes focus next is not part of a busy area
  if (response.redirected) {
    const url = new URL(response.url);
    window.history.replaceState(window.history.state, "", url.pathname + url.search);
  }
  speak(focusAfter(form, pressed, partName));
  return true;
}

if (work) {
  document.addEventListener("submit", async (event) => {
    const form = event.target;
    if (!form.closest("[data-console-part]")) return;
    event.preventDefault();
    if (sending) return; // a second press while the first is on its way does nothing
    sending = true;
    work.setAttribute("aria-busy", "true");
    let done = false;
    try {
      done = await sendInPlace(form, event.submitter);
    } catch (error) {
      done = false;
    } finally {
      work.removeAttribute("aria-busy");
      sending = false;
    }
    if (!done) sendPlainly(form, event.submitter);
  });

  heard();
  const watch = new MutationObserver((records) => {
    keepLength();
    redrawn(records);
  });
  watch.observe(panel, { childList: true }); // the poll and a press put in a new panel
  watch.observe(spoken, { childList: true, characterData: true, subtree: true });
  document.addEventListener("change", (event) => {
    if (event.target.id === "timer-seconds") chosenLength = event.target.value;
  });

  window.addEventListener("beforeunload", (event) => {
    if (unsent().length) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
}
