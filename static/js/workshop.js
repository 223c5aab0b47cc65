// Live workshop screens: poll for changes, count down, vote without reloading.
//
// Each live region names the address it polls (data-live-url) and the ETag
// of what it shows (data-etag). Every second the script asks again with
// If-None-Match: an unchanged workshop answers 304 and nothing happens; a
// change answers 200 with the new HTML for the region. Plain HTTP, so it
// works where WebSockets are blocked. Without JavaScript, the pages work by
// form posts and the "check for the next question" link.
//
// What changed is said once, in words, through the page's status region: each
// region names what its state means to say ([data-announce="Voting has closed"]),
// and only words it did not hold before are said, so a poll that changed nothing
// for this person (another phone's vote, on the projector) says nothing.
//
// Only what changed is put in place. A part the server names ([data-part]) stays
// as it is while the new HTML names it the same: the phone's ballot, with a rating
// chosen and not yet sent and the focus on it, outlives a countdown started or the
// agenda edited. A heading that arrives new ([data-takes-focus]), because the
// question changed, takes the focus.
//
// A poll that fails (no answer, or a 5xx while the database is down) puts up
// the "connection lost" banner and the script tries again, waiting longer each
// time but never more than MAX_BACKOFF_MS: a room of phones does not hammer a
// struggling server, and each catches up within 3 s of its return.

import { connectionBack, connectionLost, noAnswer, say } from "./connection.js";

const POLL_MS = 1000;
const MAX_BACKOFF_MS = 3000;

// What a phone says when its vote did not get through, by whose problem it was.
// (Refusals, such as voting closed or no longer in the workshop, come with their own.)
const NOT_COUNTED = {
  server: (press) =>
    "Your vote has not been counted yet. The problem is on our side, not with your phone: " +
    `press ${press} to try again.`,
  offline: (press) =>
    `Your vote has not been sent: this phone is offline. Press ${press} again once it is back online.`,
  unreachable: (press) =>
    `Your vote has not been sent: the server is not answering. Press ${press} to try again in a moment.`,
  garbled: () => "Your vote has not been counted. Reload the page and vote again.",
};

// The words a region's state has to say, in the order they appear. An element
// marked without words (data-announce="") says its text.
function announcements(region) {
  return [...region.querySelectorAll("[data-announce]")]
    .map((element) => element.dataset.announce || element.textContent.trim())
    .filter(Boolean);
}

const heard = new WeakMap(); // region -> the announcements it held when last said

function announce(region, before = "") {
  const earlier = heard.get(region) || [];
  const now = announcements(region);
  heard.set(region, now);
  const words = [before, ...now.filter((said) => !earlier.includes(said))].filter(Boolean);
  if (words.length) say(words.join(". "));
}

// The elements under root that match, root itself included.
function within(root, selector) {
  const found = [...root.querySelectorAll(selector)];
  return root.matches && root.matches(selector) ? [root, ...found] : found;
}

function replaceRegion(region, html, before = "") {
  const focused = region.contains(document.activeElement) ? document.activeElement : null;
  const fresh = document.createElement("template");
  fresh.innerHTML = html;
  const parts = new Map();
  for (const child of region.children) {
    if (child.dataset.part) parts.set(child.dataset.part, child);
  }
  const wanted = [...fresh.content.childNodes].map(
    (node) => (node.nodeType === Node.ELEMENT_NODE && parts.get(node.dataset.part)) || node,
  );
  // Take away what goes first, so that no part kept is ever moved: moving an
  // element takes the focus from it.
  const keep = new Set(wanted);
  for (const node of [...region.childNodes]) if (!keep.has(node)) node.remove();
  let cursor = region.firstChild;
  for (const node of wanted) {
    if (node === cursor) cursor = cursor.nextSibling;
    else region.insertBefore(node, cursor);
  }
  const arrived = wanted.filter(
    (node) => node.nodeType === Node.ELEMENT_NODE && !parts.has(node.dataset.part),
  );
  arrived.forEach(enhance);
  announce(region, before);
  const heading = arrived.flatMap((node) => within(node, "[data-takes-focus]"))[0];
  if (heading) {
    heading.focus();
  } else if (focused && !focused.isConnected) {
    // Keep keyboard focus on the same control if it is there again after the swap.
    const again = focused.id && document.getElementById(focused.id);
    if (again) again.focus();
  }
}

// The console's and presenter's polls need the facilitator signed in. When the
// session has ended (idle too long, signed out on another device, the password
// changed) the poll is answered 401 with the reason, or, from a server that
// does not say, redirected to the sign-in page. Either way the page says so in
// place of the live panel, with a way back, rather than freezing silently;
// whatever is typed on the page stays where it is.
const SIGNED_OUT = "You have been signed out. Sign in again to carry on.";

async function signedOut(region, response) {
  let message = SIGNED_OUT;
  let signIn = response.url;
  if (response.status === 401) {
    const body = await response.json().catch(() => ({}));
    message = body.message || message;
    signIn = body.sign_in || signIn;
  }
  const link = new URL(signIn, window.location.href);
  link.searchParams.set("next", window.location.pathname + window.location.search);

  // Where the region held the page's heading (the projector's question), the
  // message takes its place as the heading, and the banner's title is not one:
  // headings still start at the first level and follow in order.
  const inPlaceOfHeading = Boolean(region.querySelector("h1"));
  const banner = document.createElement("div");
  banner.className = "govuk-notification-banner";
  // An alert is read out as it appears: said once, not also through the status
  // region, and not again where the page has already put the same up (a press on
  // the console that found the session over first).
  if (!document.querySelector("[data-signed-out]")) banner.setAttribute("role", "alert");
  banner.setAttribute("aria-labelledby", "signed-out-title");
  banner.dataset.signedOut = "";
  const header = document.createElement("div");
  header.className = "govuk-notification-banner__header";
  const title = document.createElement(inPlaceOfHeading ? "p" : "h2");
  title.className = "govuk-notification-banner__title";
  title.id = "signed-out-title";
  title.textContent = "Important";
  header.append(title);
  const content = document.createElement("div");
  content.className = "govuk-notification-banner__content";
  const heading = document.createElement(inPlaceOfHeading ? "h1" : "p");
  heading.className = "govuk-notification-banner__heading";
  heading.textContent = message;
  const again = document.createElement("a");
  again.className = "govuk-notification-banner__link";
  again.href = link.pathname + link.search;
  again.textContent = "Sign in again";
  const para = document.createElement("p");
  para.className = "govuk-body";
  para.append(again);
  content.append(heading, para);
  banner.append(header, content);

  connectionBack(); // not a lost connection: take that banner down
  region.replaceChildren(banner);
}

function poll(region) {
  heard.set(region, announcements(region)); // what the page arrived with is not news
  let delay = POLL_MS;
  const tick = async () => {
    let failed = "";
    try {
      const response = await fetch(region.dataset.liveUrl, {
        headers: { "If-None-Match": region.dataset.etag || "" },
        cache: "no-store",
        credentials: "same-origin",
      });
      if (response.status === 401 || response.redirected) {
        await signedOut(region, response);
        return; // nothing more to poll for until they sign in again
      } else if (response.status >= 500) {
        failed = "server";
      } else if (response.status === 200) {
        const html = await response.text();
        region.dataset.etag = response.headers.get("ETag") || "";
        replaceRegion(region, html, connectionBack() ? "Connected again" : "");
      } else if (response.status === 403) {
        window.location.reload(); // no longer joined: the page sends them to join
        return;
      } else if (connectionBack()) {
        say("Connected again");
      }
    } catch (error) {
      failed = noAnswer();
    }
    if (failed) {
      connectionLost(failed);
      delay = Math.min(delay * 2, MAX_BACKOFF_MS);
    } else {
      delay = POLL_MS;
    }
    window.setTimeout(tick, delay);
  };
  window.setTimeout(tick, delay);
}

// A polite warning once, as the countdown passes WARN_AT seconds: only to a page
// that saw more time than that left, and once for each deadline however often
// its element is drawn again. The ticking words are not in a live region, which
// would read them out every second.
const WARN_AT = 10;
const farFrom = new Set();
const warned = new Set();

function countdown(element) {
  const deadline = Date.parse(element.dataset.deadline);
  if (Number.isNaN(deadline)) return;
  const show = () => {
    if (!element.isConnected) return;
    const left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    const minutes = Math.floor(left / 60);
    const seconds = String(left % 60).padStart(2, "0");
    element.textContent = left ? `Voting closes in ${minutes}:${seconds}` : "Time is up";
    if (left > WARN_AT) {
      farFrom.add(deadline);
    } else if (left && farFrom.has(deadline) && !warned.has(deadline)) {
      warned.add(deadline);
      say(`${WARN_AT} seconds left to vote`);
    }
    if (left) window.setTimeout(show, 1000);
  };
  show();
}

function voteInPlace(form) {
  // While a vote is on its way the button refuses a second press. It is marked
  // aria-disabled rather than disabled: disabling the focused button would drop
  // a keyboard user's focus to the top of the page.
  let sending = false;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (sending) return;
    sending = true;
    const message = form.querySelector("[data-vote-message]");
    const button = form.querySelector("button[type=submit]");
    button.setAttribute("aria-disabled", "true");
    const show = (ok, text) => {
      message.textContent = text;
      message.classList.toggle("lsp-error-text", !ok);
    };
    // Sending the same vote again is safe: the server keeps one answer per
    // participant and item, so a vote that did arrive is never counted twice.
    const label = button.textContent.trim();
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (response.status >= 500) {
        show(false, NOT_COUNTED.server(label)); // the outage page, not our JSON
        return;
      }
      const result = await response
        .json()
        .catch(() => ({ ok: false, message: NOT_COUNTED.garbled() }));
      show(result.ok, result.message);
      if (result.ok) button.textContent = "Change my vote";
    } catch (error) {
      show(false, NOT_COUNTED[noAnswer()](label));
    } finally {
      button.removeAttribute("aria-disabled");
      sending = false;
    }
  });
}

// The phone's Vote button stays at the foot of the screen while a long ballot
// scrolls. The page's scroll padding follows the bar's height (which grows with
// what the vote said), so an option reached by Tab or the arrow keys is scrolled
// clear of the bar rather than left under it (WCAG 2.4.11).
const voteBar = new ResizeObserver(() => {
  const bar = document.querySelector("[data-vote-bar]");
  document.documentElement.style.scrollPaddingBottom = bar ? `${bar.offsetHeight + 10}px` : "";
});

export function enhance(root) {
  within(root, "[data-deadline]").forEach(countdown);
  within(root, "form[data-vote]").forEach(voteInPlace);
  within(root, "[data-vote-bar]").forEach((bar) => voteBar.observe(bar));
}

document.querySelectorAll("[data-live-url]").forEach(poll);
enhance(document);

const fullscreen = document.querySelector("[data-fullscreen]");
if (fullscreen && document.documentElement.requestFullscreen) {
  fullscreen.hidden = false;
  fullscreen.addEventListener("click", () => document.documentElement.requestFullscreen());
}
