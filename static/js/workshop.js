// Live workshop screens: poll for changes, count down, vote without reloading.
//
// Each live region names the address it polls (data-live-url) and the ETag
// of what it shows (data-etag). Every second the script asks again with
// If-None-Match: an unchanged workshop answers 304 and nothing happens; a
// change answers 200 with the new HTML for the region. Plain HTTP, so it
// works where WebSockets are blocked. Without JavaScript, the pages work by
// form posts and the "check for the next question" link.

const POLL_MS = 1000;
const MAX_BACKOFF_MS = 15000;

function announce(region) {
  const status = document.querySelector("[data-live-announce]");
  const heading = region.querySelector("[data-announce]");
  if (status && heading) status.textContent = heading.textContent.trim();
}

function replaceRegion(region, html) {
  // Keep keyboard focus on the same control if it is still there after the swap.
  const focused = region.contains(document.activeElement) ? document.activeElement.id : null;
  region.innerHTML = html;
  enhance(region);
  announce(region);
  const again = focused && document.getElementById(focused);
  if (again) again.focus();
}

function poll(region) {
  let delay = POLL_MS;
  const tick = async () => {
    try {
      const response = await fetch(region.dataset.liveUrl, {
        headers: { "If-None-Match": region.dataset.etag || "" },
        cache: "no-store",
        credentials: "same-origin",
      });
      if (response.status === 200) {
        region.dataset.etag = response.headers.get("ETag") || "";
        replaceRegion(region, await response.text());
      } else if (response.status === 403) {
        window.location.reload(); // no longer joined: the page sends them to join
        return;
      }
      delay = POLL_MS;
    } catch (error) {
      delay = Math.min(delay * 2, MAX_BACKOFF_MS); // network blip: back off, keep trying
    }
    window.setTimeout(tick, delay);
  };
  window.setTimeout(tick, delay);
}

function countdown(element) {
  const deadline = Date.parse(element.dataset.deadline);
  if (Number.isNaN(deadline)) return;
  const show = () => {
    if (!element.isConnected) return;
    const left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    const minutes = Math.floor(left / 60);
    const seconds = String(left % 60).padStart(2, "0");
    element.textContent = left ? `Voting closes in ${minutes}:${seconds}` : "Time is up";
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
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      const result = await response.json();
      message.textContent = result.message;
      message.classList.toggle("lsp-error-text", !result.ok);
      if (result.ok) button.textContent = "Change my vote";
    } catch (error) {
      message.textContent = "Your vote could not be sent. Check your connection and try again.";
      message.classList.add("lsp-error-text");
    } finally {
      button.removeAttribute("aria-disabled");
      sending = false;
    }
  });
}

function enhance(root) {
  root.querySelectorAll("[data-deadline]").forEach(countdown);
  root.querySelectorAll("form[data-vote]").forEach(voteInPlace);
}

document.querySelectorAll("[data-live-url]").forEach(poll);
enhance(document);

const fullscreen = document.querySelector("[data-fullscreen]");
if (fullscreen && document.documentElement.requestFullscreen) {
  fullscreen.hidden = false;
  fullscreen.addEventListener("click", () => document.documentElement.requestFullscreen());
}
