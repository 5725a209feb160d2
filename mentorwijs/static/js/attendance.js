// Attendance page: "mark everyone not yet marked as present" (the button stays hidden without JS).
(function () {
  "use strict";
  var button = document.querySelector("[data-all-present]");
  if (!button) return;
  button.classList.remove("d-none");
  button.addEventListener("click", function () {
    document.querySelectorAll(".attendance-row").forEach(function (row) {
      if (!row.querySelector("input[type=radio]:checked")) {
        row.querySelector("input[type=radio][value=present]").checked = true;
      }
    });
  });
})();
