// The outage page: ask the health check every few seconds whether the service is back,
// then go back to the page the person was on.
//
// A script rather than <meta http-equiv="refresh">: a page that reloads itself on a
// timer fails WCAG 2.2.1, and the strict Content Security Policy allows scripts from
// this site only. Without JavaScript the page has a "Go back" link.

const POLL_MS = 3000;

function watch(root) {
  const status = root.querySelector("[data-outage-status]");
  let tries = 0;
  const tick = async () => {
    tries += 1;
    try {
      const response = await fetch(root.dataset.healthUrl, {
        headers: { Accept: "application/json" },
        cache: "no-store",
        credentials: "omit",
      });
      if (response.ok) {
        if (status) status.textContent = "The service is back. Taking you back to the page you were on.";
        window.location.assign(root.dataset.backUrl);
        return;
      }
    } catch (error) {
      // No answer at all: keep trying at the same pace.
    }
    if (status && tries === 1) status.textContent = "Trying again every few seconds…";
    window.setTimeout(tick, POLL_MS);
  };
  window.setTimeout(tick, POLL_MS);
}

const root = document.querySelector("[data-outage]");
if (root) watch(root);
