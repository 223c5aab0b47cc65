// Questions revealed under a radio when it is picked (crispy-forms-gds's
// ConditionalRadios, drawn by templates/gds/layout/_conditional_radios.html).
//
// GOV.UK Frontend's Radios script does the same, but marks each such radio
// aria-expanded, which ARIA does not allow on a radio (axe's aria-allowed-attr,
// a known issue of GOV.UK Frontend's: alphagov/govuk-frontend#979). Here the
// revealed part follows its radio in the page and the radio names it with
// aria-controls, set only now that the part can be hidden. Without JavaScript
// every part is shown: the hiding class applies only under
// .govuk-frontend-supported, which govuk-init.js sets.
for (const group of document.querySelectorAll("[data-lsp-reveal]")) {
  const radios = [...group.querySelectorAll('input[type="radio"]')];
  const revealing = radios.filter((radio) => radio.dataset.reveals);

  const sync = () => {
    for (const radio of revealing) {
      const part = document.getElementById(radio.dataset.reveals);
      part?.classList.toggle("govuk-radios__conditional--hidden", !radio.checked);
    }
  };

  for (const radio of revealing) radio.setAttribute("aria-controls", radio.dataset.reveals);
  for (const radio of radios) radio.addEventListener("change", sync);
  // A page restored from the back-forward cache keeps its ticks but not this state.
  window.addEventListener("pageshow", sync);
  sync();
}
