// The improvement plan: deciding drafts, saving dots and moving priorities in place.
//
// Forms marked data-in-place post as they would without JavaScript; the server
// answers with its usual redirect back to the plan, which fetch follows. The new
// page's plan replaces the old one where it stands: the place on the screen, open
// "Show more" lists, ticked drafts and dots typed but not yet saved are kept, the
// outcome is said (and shown beside the part that changed), and focus stays on the
// button pressed or, when it has gone with its draft, on its element's heading.
// A refused form comes back as the page with its error summary (status 400), as it
// would without JavaScript: the summary takes focus and the title starts "Error: ".

import { ErrorSummary } from "../govuk/govuk-frontend.min.js";
import { say } from "./connection.js";

const page = document.querySelector("[data-plan-page]");

function notice(text, problem) {
  const banner = document.createElement("div");
  banner.className = "govuk-notification-banner lsp-plan-notice";
  if (!problem) banner.classList.add("govuk-notification-banner--success");
  banner.dataset.planNotice = "";
  const header = document.createElement("div");
  header.className = "govuk-notification-banner__header";
  const title = document.createElement("p");
  title.className = "govuk-notification-banner__title";
  title.textContent = problem ? "There is a problem" : "Success";
  header.append(title);
  const content = document.createElement("div");
  content.className = "govuk-notification-banner__content";
  const heading = document.createElement("p");
  heading.className = "govuk-notification-banner__heading";
  heading.textContent = text;
  content.append(heading);
  banner.append(header, content);
  return banner;
}

// What the person has on the page but not on the server: kept across the swap.
function unsaved(except) {
  const ticked = [...page.querySelectorAll("input[name=action]:checked")].map((box) => box.id);
  const open = [...page.querySelectorAll("details[id][open]")].map((details) => details.id);
  const typed = [...page.querySelectorAll("#dots-form input[name^=votes-]")]
    .filter((input) => input.form !== except && input.value !== input.defaultValue)
    .map((input) => [input.id, input.value]);
  return { ticked, open, typed };
}

function restore({ ticked, open, typed }) {
  for (const id of ticked) {
    const box = document.getElementById(id);
    if (box) box.checked = true;
  }
  for (const id of open) {
    const details = document.getElementById(id);
    if (details) details.open = true;
  }
  for (const [id, value] of typed) {
    const input = document.getElementById(id);
    if (input) input.value = value;
  }
}

// Where the change happened: the element's drafts, or the section holding the form.
function placeOf(control) {
  const group = control.closest("[data-draft-group]");
  const next = group && group.nextElementSibling?.closest("[data-draft-group]");
  const section = control.closest("section[id]");
  return { group: group?.id, next: next?.id, section: section?.id || "drafts" };
}

function found(place) {
  return (
    (place.group && document.getElementById(place.group)) ||
    (place.next && document.getElementById(place.next)) ||
    document.getElementById(place.section) ||
    page
  );
}

async function submitInPlace(event) {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-in-place")) return;
  event.preventDefault();
  const submitter = event.submitter || form.querySelector("[type=submit]");
  // The attribute, not form.action: the drafts form has inputs named "action".
  const url =
    submitter && submitter.hasAttribute("formaction")
      ? submitter.formAction
      : new URL(form.getAttribute("action") || "", window.location.href).href;
  const body = new FormData(form, submitter || undefined);
  const place = placeOf(submitter || form);
  const focusId = submitter?.id;
  const where = found(place);
  const top = where.getBoundingClientRect().top;
  if (submitter) submitter.disabled = true;

  let response;
  try {
    response = await fetch(url, { method: "POST", body, credentials: "same-origin" });
  } catch {
    if (submitter) submitter.disabled = false;
    say("Nothing was saved: the server is not answering. Try again in a moment.");
    return;
  }
  if (response.redirected && new URL(response.url).pathname !== window.location.pathname) {
    window.location.assign(response.url); // signed out: the sign-in page says so
    return;
  }
  const refused = response.status === 400;
  const fresh =
    response.ok || refused
      ? new DOMParser().parseFromString(await response.text(), "text/html")
      : null;
  const plan = fresh && fresh.querySelector("[data-plan-page]");
  if (!plan) {
    if (submitter) submitter.disabled = false;
    say("Something went wrong and nothing may have been saved. Reload the page to check.");
    return;
  }
  const banners = [...fresh.querySelectorAll("main .govuk-notification-banner")];
  const text = banners
    .map((banner) => banner.querySelector(".govuk-notification-banner__heading").textContent.trim())
    .join(" ");
  const problem = banners.some((banner) => banner.getAttribute("role") === "alert");

  // Dots refused stay as typed, to be put right; dots saved are now the page's own.
  const kept = unsaved(problem || refused ? null : form);
  page.innerHTML = plan.innerHTML;
  document.title = fresh.title;
  restore(kept);
  const summary = page.querySelector(".govuk-error-summary");
  if (summary) {
    new ErrorSummary(summary); // focuses it, and its links focus their fields
    return;
  }
  const target = found(place);
  window.scrollBy(0, target.getBoundingClientRect().top - top);
  if (text) {
    const heading = target.querySelector("h2, h3");
    const banner = notice(text, problem);
    if (heading) heading.after(banner);
    else target.prepend(banner);
    say(text);
  }
  const again = (focusId && document.getElementById(focusId)) || target.querySelector("[tabindex='-1']");
  if (again) again.focus({ preventScroll: true });
}

if (page) page.addEventListener("submit", submitInPlace);
