// Live preview of a newsletter being composed. The form's "Preview" button posts the form to the
// preview URL (its formaction) into the sandboxed iframe (its formtarget), which shows the mail under
// the mail's own Content-Security-Policy; that works without this script. This script does the same
// while the writer types (debounced; the preview shows the version being typed in) or switches between
// the Dutch and the English version, and hides the button.
// Each preview goes into a fresh iframe that takes the shown one's place once it has loaded: posting
// into the same iframe again would add an entry to the browser's history per preview (Back would step
// through them); the first navigation of a new iframe adds none, and the old preview stays in view
// until the new one is there.
(function () {
  "use strict";
  var form = document.querySelector("[data-newsletter-preview]");
  var button = form && form.querySelector("[data-newsletter-preview-button]");
  var frame = document.querySelector("[data-newsletter-preview-frame]");
  if (!form || !button || !frame || !form.requestSubmit) return;
  var hint = document.querySelector("[data-newsletter-preview-hint]");
  var base = frame.name;
  var timer = null;
  var pending = null;
  var count = 0;

  function refresh() {
    if (pending) pending.remove();
    var next = frame.cloneNode(false);
    next.removeAttribute("src");
    next.name = base + "-" + ++count;
    next.hidden = true;
    frame.after(next);
    pending = next;
    button.formTarget = next.name;
    form.requestSubmit(button);
    next.addEventListener("load", function () {
      if (pending !== next) return;
      pending = null;
      frame.remove();
      next.hidden = false;
      frame = next;
    });
  }

  var TEXTS = ["subject", "body", "subject_en", "body_en"];
  form.addEventListener("input", function (event) {
    var name = event.target.name;
    if (TEXTS.indexOf(name) === -1) return;
    // The preview follows the version being written.
    var version = document.querySelector('[name="preview_language"][value="' + (/_en$/.test(name) ? "en" : "nl") + '"]');
    if (version) version.checked = true;
    clearTimeout(timer);
    timer = setTimeout(refresh, 400);
  });
  // The Dutch/English switch sits beside the preview, outside the form (form="…"): its events do not
  // pass through the form.
  document.querySelectorAll('[name="preview_language"]').forEach(function (radio) {
    radio.addEventListener("change", function () {
      clearTimeout(timer);
      refresh();
    });
  });
  button.classList.add("d-none");
  if (hint) hint.classList.add("d-none");
  refresh();
})();
