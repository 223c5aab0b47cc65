// Saying that a live screen has lost the server, and that it is back.
//
// A page that polls shows its hidden banner ([data-connection-lost]) after a failed
// poll and takes it down after the first good one. Screen readers hear of each change
// once, through the page's status region ([data-live-announce]): the banner itself is
// not a live region, or every failed poll would be read out again.

export const LOST = "Connection to the server lost — retrying";

// Whose problem it is, by how the poll failed.
const DETAILS = {
  server: "The problem is on our side, not with this device. This page catches up by itself.",
  offline: "This device is offline. This page catches up by itself once it is back online.",
  unreachable: "The server is not answering. This page catches up by itself once it does.",
};

let lost = false;

// Words are set only when they differ from what the region last said: the same
// words set again are skipped by some screen readers and read twice by others,
// and either way nothing new has happened.
export function say(text) {
  const status = document.querySelector("[data-live-announce]");
  if (status && status.textContent !== text) status.textContent = text;
}

// Why a request that got no answer failed: the browser knows when it is offline.
export function noAnswer() {
  return navigator.onLine === false ? "offline" : "unreachable";
}

export function connectionLost(reason) {
  const banner = document.querySelector("[data-connection-lost]");
  const detail = banner && banner.querySelector("[data-connection-detail]");
  if (detail) detail.textContent = DETAILS[reason] || DETAILS.unreachable;
  if (banner) banner.hidden = false;
  if (!lost) say(LOST);
  lost = true;
}

// Takes the banner down; returns whether it was up, so the caller can say so.
export function connectionBack() {
  if (!lost) return false;
  lost = false;
  const banner = document.querySelector("[data-connection-lost]");
  if (banner) banner.hidden = true;
  return true;
}
