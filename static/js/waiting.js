// A phone waiting to be let in: look again every few seconds until the
// facilitator has decided. The page itself does the rest (it sends a phone
// that has been let in on to its room). Without JavaScript, the link on the
// page checks by hand.
//
// It asks the health check before reloading: a reload while the phone is
// offline would leave it on the browser's own error page, with nothing left to
// try again. While the server is out of reach the page says so and keeps asking.

import { connectionLost, noAnswer } from "./connection.js";

// Also the pace of retries while the server is out of reach: never slower than
// the most a live screen waits (MAX_BACKOFF_MS in workshop.js).
const EVERY_MS = 3000;

function watch(root) {
  const tick = async () => {
    try {
      const response = await fetch(root.dataset.healthUrl, {
        headers: { Accept: "application/json" },
        cache: "no-store",
        credentials: "omit",
      });
      if (response.ok) {
        window.location.reload();
        return;
      }
      connectionLost("server");
    } catch (error) {
      connectionLost(noAnswer());
    }
    window.setTimeout(tick, EVERY_MS);
  };
  window.setTimeout(tick, EVERY_MS);
}

const root = document.querySelector("[data-wait]");
if (root) watch(root);
