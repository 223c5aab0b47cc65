// "Importing the file": ask every two seconds how far the import has got, show
// it, and load the page again (which then shows the outcome) once it is over.
//
// A script rather than <meta http-equiv="refresh">, as for plan PDFs
// (pdf_status.js): a page reloading itself on a timer fails WCAG 2.2.1, and the
// Content Security Policy allows scripts from this site only. Without
// JavaScript the page has a "Check progress" link.

const POLL_MS = 2000;
const MAX_BACKOFF_MS = 15000;

function watch(root) {
  const progress = root.querySelector("[data-import-progress]");
  const slow = root.querySelector("[data-import-slow]");
  let delay = POLL_MS;
  const tick = async () => {
    try {
      const response = await fetch(root.dataset.statusUrl, {
        headers: { Accept: "application/json" },
        cache: "no-store",
        credentials: "same-origin",
      });
      // Signed out (idle or elsewhere): the page itself then asks to sign in.
      if (response.status === 401) return window.location.reload();
      const status = await response.json();
      if (status.state === "done" || status.state === "failed") {
        return window.location.reload();
      }
      if (progress) progress.textContent = status.progress;
      if (slow && status.slow) slow.hidden = false;
      delay = POLL_MS;
    } catch (error) {
      delay = Math.min(delay * 2, MAX_BACKOFF_MS); // network blip: back off, keep trying
    }
    window.setTimeout(tick, delay);
  };
  window.setTimeout(tick, delay);
}

for (const state of ["pending", "running"]) {
  const root = document.querySelector(`[data-import-status='${state}']`);
  if (root) watch(root);
}
