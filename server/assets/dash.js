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

// Symbols: a file chosen or dropped is POSTed as it is, with the session's CSRF token; the answer is shown and the
// lists reload.
(function () {
  var drop = document.getElementById("drop"), input = document.getElementById("file");
  var result = document.getElementById("upload-result");
  if (!drop) return;
  function upload(file) {
    result.textContent = "Uploading " + file.name + " (" + file.size + " bytes)…";
    fetch("/symbols", {method: "POST", body: file, credentials: "same-origin",
                       headers: {"X-CSRF-Token": drop.getAttribute("data-csrf")}})
      .then(function (r) { return r.json().then(function (j) { return {ok: r.ok, j: j}; }); })
      .then(function (a) {
        if (a.ok) {
          result.textContent = file.name + ": build-id " + a.j.build_id + " stored; " + a.j.requeued +
                               " waiting coredump(s) queued for processing.";
          result.className = "done";
          setTimeout(function () { location.reload(); }, 1500);
        } else {
          result.textContent = file.name + ": refused: " + (a.j.error ? a.j.error.message : "HTTP error");
          result.className = "error";
        }
      })
      .catch(function (e) { result.textContent = "The upload failed: " + e; result.className = "error"; });
  }
  input.addEventListener("change", function () { if (input.files.length) upload(input.files[0]); });
  drop.addEventListener("dragover", function (e) { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", function () { drop.classList.remove("over"); });
  drop.addEventListener("drop", function (e) {
    e.preventDefault();
    drop.classList.remove("over");
    if (e.dataTransfer.files.length) upload(e.dataTransfer.files[0]);
  });
})();
