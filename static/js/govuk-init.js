// Initialise GOV.UK Frontend 5 components (accordion, error summary, etc.).
//
// Loaded as an ES module from the base template:
//   <script type="module" src="/static/js/govuk-init.js"></script>
// It must stay an external file: the Content Security Policy will not allow
// 'unsafe-inline', so no inline <script> may be used anywhere.
//
// GOV.UK Frontend 5 expects the page to carry the class
// "govuk-frontend-supported" on <body>; its template adds it with a small
// inline script. We cannot use that script, so we add the class here instead.
// Module scripts only run in browsers that support ES modules, which is
// exactly the set GOV.UK Frontend 5's JavaScript supports, so adding the class
// here is equivalent. Module scripts are deferred, so document.body exists.
import { initAll } from "../govuk/govuk-frontend.min.js";

document.body.classList.add("govuk-frontend-supported");
initAll();
