// The periodic task form in the admin (django-celery-beat): under the crontab field, the chosen
// schedule in words, also for the one already chosen; the read-only translation field it replaces
// is hidden.
"use strict";
{
  const label = document.currentScript.dataset.label;
  const readable = JSON.parse(document.getElementById("readable-crontabs").textContent);
  const originalHelp = JSON.parse(document.getElementById("crontab-help").textContent);
  const select = document.getElementById("id_crontab");
  const help = document.querySelector(".field-crontab .help");
  const translation = document.querySelector(".field-crontab_translation");

  if (translation) {
    translation.hidden = true;
  }
  if (select && help) {
    const showWords = () => {
      const words = readable[select.value];
      help.replaceChildren(document.createTextNode(originalHelp));
      if (words) {
        help.append(document.createElement("br"), document.createTextNode(`${label}: ${words}`));
      }
    };
    select.addEventListener("change", showWords);
    showWords();
  }
}
