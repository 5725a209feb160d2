// Live preview of a newsletter being composed: posts the form (subject and body) to the preview URL
// named by data-newsletter-preview and shows the returned HTML in the sandboxed iframe via srcdoc.
// Without this script the form's "Preview" button renders the same preview on the page.
(function () {
  "use strict";
  var form = document.querySelector("[data-newsletter-preview]");
  var frame = document.querySelector("[data-newsletter-preview-frame]");
  if (!form || !frame || !window.fetch) return;
  var url = form.getAttribute("data-newsletter-preview");
  var timer = null;
  var request = 0;

  function refresh() {
    var mine = ++request;
    var data = new FormData();
    data.append("csrfmiddlewaretoken", form.querySelector("input[name='csrfmiddlewaretoken']").value);
    data.append("subject", form.querySelector("[name='subject']").value);
    data.append("body", form.querySelector("[name='body']").value);
    fetch(url, { method: "POST", body: data, credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (json) { if (json && mine === request) frame.srcdoc = json.html; })
      .catch(function () { /* keep the last preview */ });
  }

  form.addEventListener("input", function (event) {
    var name = event.target.name;
    if (name !== "subject" && name !== "body") return;
    clearTimeout(timer);
    timer = setTimeout(refresh, 400);
  });
  var button = form.querySelector("button[value='preview']");
  if (button) button.classList.add("d-none");
  refresh();
})();
