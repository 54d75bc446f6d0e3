// Progressive enhancement only: every page works without this file.
import { initAll } from "../govuk/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();

// Components inside content that htmx swaps in need initialising too. An outerHTML swap
// replaces its target: the new content is the element now holding the target's id.
document.body.addEventListener("htmx:afterSwap", (event) => {
  const target = event.detail.target;
  const scope = target.isConnected ? target : document.getElementById(target.id);
  if (scope) initAll({ scope });
});
