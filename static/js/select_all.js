// "Select all" for a long list of check boxes (the invitation page).
//
// Without JavaScript the page offers a link to itself with every box ticked
// (.lsp-select-all-link). With it, that link gives way to a check box
// ([data-select-all="<name>"]) that ticks or clears every box of that name in place,
// and shows whether all, some or none are ticked as the boxes change one by one.
// The boxes that change are not read out one by one, so the page's status region
// says what happened.
import { say } from "./connection.js";

for (const all of document.querySelectorAll("[data-select-all]")) {
  const boxes = [
    ...all.form.querySelectorAll(`input[type="checkbox"][name="${all.dataset.selectAll}"]`),
  ];
  const wrapper = all.closest(".lsp-select-all");
  const link = all.form.querySelector(".lsp-select-all-link");

  const show = () => {
    const ticked = boxes.filter((box) => box.checked).length;
    all.checked = ticked === boxes.length;
    all.indeterminate = ticked > 0 && ticked < boxes.length;
  };

  all.addEventListener("change", () => {
    for (const box of boxes) box.checked = all.checked;
    all.indeterminate = false;
    say(all.checked ? `All ${boxes.length} selected.` : "None selected.");
  });
  for (const box of boxes) box.addEventListener("change", show);

  if (link) link.hidden = true;
  wrapper.hidden = false;
  show();
}
