// Organisation search (the enrolment form, the host organisation of a run): typing shows matching
// organisations; picking one fills the hidden id (named by data-organisation-target) and, on the
// enrolment form, hides the new-organisation fields. Without this script both forms still work.
(function () {
  "use strict";
  var input = document.querySelector("[data-organisation-search]");
  if (!input) return;
  var form = input.form;
  var scope = input.closest("[data-organisation-picker]") || form;
  var target = input.getAttribute("data-organisation-target") || "organisation";
  var hidden = form.querySelector("input[name='" + target + "']");
  var list = scope.querySelector("[data-organisation-suggestions]");
  // Only on the enrolment form: the fields for a new organisation and the "chosen" note.
  var newFields = scope.querySelector("[data-organisation-new]");
  var chosen = scope.querySelector("[data-organisation-chosen]");
  var url = input.getAttribute("data-organisation-search");
  // The public search answers from three letters on (trainings.queries.SEARCH_MIN_LETTERS).
  var minLength = parseInt(input.getAttribute("data-organisation-min-length") || "2", 10);
  var timer = null;
  var active = -1;
  var request = 0;

  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", list.id);
  input.setAttribute("aria-expanded", "false");

  function showPicked(picked) {
    if (newFields) newFields.classList.toggle("d-none", picked);
    if (chosen) chosen.classList.toggle("d-none", !picked);
  }

  function close() {
    list.classList.add("d-none");
    list.innerHTML = "";
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function pick(item) {
    input.value = item.name;
    hidden.value = item.id;
    showPicked(true);
    close();
  }

  function highlight(index) {
    var options = list.querySelectorAll("[role='option']");
    if (!options.length) return;
    active = (index + options.length) % options.length;
    options.forEach(function (option, i) {
      option.classList.toggle("active", i === active);
      option.setAttribute("aria-selected", i === active ? "true" : "false");
    });
    input.setAttribute("aria-activedescendant", options[active].id);
  }

  function render(results) {
    list.innerHTML = "";
    results.forEach(function (item, i) {
      var option = document.createElement("li");
      option.id = "organisation-option-" + i;
      option.className = "list-group-item list-group-item-action";
      option.setAttribute("role", "option");
      option.style.cursor = "pointer";
      var name = document.createElement("span");
      name.textContent = item.name;
      option.appendChild(name);
      if (item.city) {
        var city = document.createElement("span");
        city.className = "small text-body-secondary ms-2";
        city.textContent = item.city;
        option.appendChild(city);
      }
      option.addEventListener("mousedown", function (event) {
        event.preventDefault();
        pick(item);
      });
      option._item = item;
      list.appendChild(option);
    });
    var open = results.length > 0;
    list.classList.toggle("d-none", !open);
    input.setAttribute("aria-expanded", open ? "true" : "false");
    active = -1;
  }

  function search() {
    var q = input.value.trim();
    if (q.length < minLength) {
      close();
      return;
    }
    var mine = ++request;
    fetch(url + "?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
      // A refusal (429: too many searches from this connection) shows no list: the visitor types the name.
      .then(function (response) { return response.ok ? response.json() : { results: [] }; })
      .then(function (data) { if (mine === request) render(data.results || []); })
      .catch(close);
  }

  input.addEventListener("input", function () {
    hidden.value = "";
    showPicked(false);
    clearTimeout(timer);
    timer = setTimeout(search, 200);
  });
  input.addEventListener("keydown", function (event) {
    if (list.classList.contains("d-none")) return;
    if (event.key === "ArrowDown") { event.preventDefault(); highlight(active + 1); }
    else if (event.key === "ArrowUp") { event.preventDefault(); highlight(active - 1); }
    else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      pick(list.querySelectorAll("[role='option']")[active]._item);
    } else if (event.key === "Escape") { close(); }
  });
  input.addEventListener("blur", function () { setTimeout(close, 150); });
  showPicked(Boolean(hidden.value));
})();
