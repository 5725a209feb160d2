// Live progress of a campaign: polls the JSON URL named by data-newsletter-progress every few seconds
// and updates the numbers marked data-progress="sent|failed|remaining". Stops once the campaign is
// sent or cancelled. Without this script the page shows the numbers as they were when it loaded.
(function () {
  "use strict";
  var box = document.querySelector("[data-newsletter-progress]");
  if (!box || !window.fetch) return;
  var url = box.getAttribute("data-newsletter-progress");
  var INTERVAL = 4000;

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (json) {
        if (!json) return;
        ["sent", "failed", "remaining"].forEach(function (key) {
          var element = box.querySelector("[data-progress='" + key + "']");
          if (element) element.textContent = String(json[key]);
        });
        if (json.status === "scheduled" || json.status === "sending") setTimeout(poll, INTERVAL);
      })
      .catch(function () { setTimeout(poll, INTERVAL * 2); });
  }

  setTimeout(poll, INTERVAL);
})();
