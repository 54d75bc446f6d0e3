// Progressive enhancement only: every page works without this file.
import { initAll } from "../govuk/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();

// Components inside content that htmx swaps in need initialising too.
document.body.addEventListener("htmx:afterSwap", (event) => {
  initAll({ scope: event.detail.target });
});
