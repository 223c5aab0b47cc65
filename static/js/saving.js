// What the questionnaire's parts share in saving answers as they are given
// (questionnaire.js, network.js): sending one save, and showing the progress the
// server counted after it.

// Send a save. Resolves to the response and its JSON; rejects when the server cannot
// be reached (or answers with no JSON), for the caller to try again later.
export async function post(url, body) {
  // keepalive: a save started as the page goes still reaches the server.
  const response = await fetch(url, {
    method: "POST",
    body,
    credentials: "same-origin",
    headers: { "X-Requested-With": "fetch" },
    keepalive: true,
  });
  return { response, result: await response.json() };
}

// How many answers are stored, as the server counted them after a save (a part with
// none stored is not in its count).
export function showProgress(progress) {
  if (!progress) return;
  const bar = document.querySelector("#progress progress");
  const count = document.querySelector("#progress strong");
  if (bar && count) {
    bar.value = progress.answered;
    bar.textContent = `${Math.round((100 * progress.answered) / bar.max)}%`;
    count.textContent = `${progress.answered} of ${bar.max}`;
  }
  for (const part of document.querySelectorAll("[data-section-answered]")) {
    part.textContent = String(progress.sections[part.dataset.sectionAnswered] ?? 0);
  }
}
