// A phone waiting to be let in: look again every few seconds until the
// facilitator has decided. The page itself does the rest (it sends a phone
// that has been let in on to its room). Without JavaScript, the link on the
// page checks by hand.

const EVERY_MS = 3000;

window.setTimeout(() => window.location.reload(), EVERY_MS);
