// "Your PDF is being prepared": ask every two seconds whether it is ready, then
// start the download and say so.
//
// A script rather than <meta http-equiv="refresh">: a page that reloads itself
// on a timer fails WCAG 2.2.1 (and axe-core's meta-refresh rule), and the strict
// Content Security Policy allows scripts from this site only. Without
// JavaScript the page has a "Check whether it is ready" link.

const POLL_MS = 2000;
const MAX_BACKOFF_MS = 15000;

function ready(root) {
  const pending = root.querySelector("[data-pdf-pending]");
  const done = root.querySelector("[data-pdf-ready]");
  const announce = root.querySelector("[data-pdf-announce]");
  if (pending) pending.hidden = true;
  if (done) {
    done.hidden = false;
    const heading = done.querySelector("h1");
    if (heading) heading.focus();
  }
  // The tab and the window list say so too: the page changed, not just its text.
  if (root.dataset.readyTitle) document.title = root.dataset.readyTitle;
  if (announce) announce.textContent = "Your PDF is ready. The download has started.";
  // An attachment: the browser saves it and this page stays.
  window.location.assign(root.dataset.downloadUrl);
}

function showSlow(root) {
  const warning = root.querySelector("[data-pdf-slow]");
  const announce = root.querySelector("[data-pdf-announce]");
  if (!warning || !warning.hidden) return;
  warning.hidden = false;
  if (announce) announce.textContent = "This is taking longer than it should.";
}

function watch(root) {
  let delay = POLL_MS;
  const tick = async () => {
    try {
      const response = await fetch(root.dataset.statusUrl, {
        headers: { Accept: "application/json" },
        cache: "no-store",
        credentials: "same-origin",
      });
      const { state, slow } = await response.json();
      if (state === "done") return ready(root);
      if (slow) showSlow(root);
      if (state !== "pending") return window.location.reload(); // the page says what went wrong
      delay = POLL_MS;
    } catch (error) {
      delay = Math.min(delay * 2, MAX_BACKOFF_MS); // network blip: back off, keep trying
    }
    window.setTimeout(tick, delay);
  };
  window.setTimeout(tick, delay);
}

const root = document.querySelector("[data-pdf-status='pending']");
if (root) watch(root);
