// Save each answer as soon as it is given, and say so next to the question.
// Without JavaScript the page still works: "Save and continue" posts the form.
const form = document.querySelector("form.lsp-questionnaire");

function statusFor(control) {
  const item = control.closest("[data-item]");
  return item ? item.querySelector(".lsp-saved") : null;
}

function show(status, text, isError) {
  if (!status) return;
  status.textContent = text;
  status.classList.toggle("lsp-saved--error", Boolean(isError));
}

async function save(control) {
  const status = statusFor(control);
  const body = new FormData();
  body.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
  if (control.type === "checkbox") {
    body.append(control.name, control.checked ? "on" : "");
  } else {
    body.append(control.name, control.value);
  }
  show(status, "Saving…");
  try {
    const response = await fetch(form.dataset.saveUrl, {
      method: "POST",
      body,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
    });
    const result = await response.json();
    if (response.ok) {
      const time = new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
      show(status, `Saved at ${time}`);
    } else {
      show(status, `Not saved: ${result.error}`, true);
    }
  } catch {
    show(status, "Not saved: check your connection. Use “Save and continue” to try again.", true);
  }
}

if (form && form.dataset.saveUrl && !form.hasAttribute("data-readonly")) {
  const timers = new Map();
  form.addEventListener("change", (event) => {
    const control = event.target;
    if (!control.name || control.name === "csrfmiddlewaretoken") return;
    clearTimeout(timers.get(control.name));
    save(control);
  });
  // Text is saved when the person pauses typing, as well as when they leave the box.
  form.addEventListener("input", (event) => {
    const control = event.target;
    if (control.tagName !== "TEXTAREA") return;
    clearTimeout(timers.get(control.name));
    timers.set(control.name, setTimeout(() => save(control), 800));
  });
}
