// SPDX-License-Identifier: Apache-2.0
// faultline's dashboard: the little interactivity it has. Every page reads without it.
"use strict";

// Filters apply as they change (the form's button does the same without a script).
document.querySelectorAll("form.filters select").forEach(function (select) {
  select.addEventListener("change", function () { select.form.submit(); });
});

// The GDB command: a click copies it.
document.querySelectorAll("[data-copy]").forEach(function (button) {
  button.addEventListener("click", function () {
    var text = document.getElementById(button.getAttribute("data-copy")).textContent;
    if (navigator.clipboard) navigator.clipboard.writeText(text);
    button.textContent = "Copied";
  });
});
