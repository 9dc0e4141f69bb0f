// Before a quiz is submitted with questions left blank, say how many and ask once more.
// Progressive enhancement: without this file the form submits as it is, and blanks count as wrong.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var form = document.querySelector("form.quiz");
  var warning = document.getElementById("blank-warning");
  if (!form || !warning) return;
  var confirmed = false;

  function blanks() {
    var missing = [];
    form.querySelectorAll("fieldset.question").forEach(function (fieldset, i) {
      if (!fieldset.querySelector("input[type=radio]:checked")) missing.push(i + 1);
    });
    return missing;
  }

  form.addEventListener("change", function () {
    if (!warning.hidden && blanks().length === 0) { warning.hidden = true; confirmed = false; }
  });

  form.addEventListener("submit", function (event) {
    var missing = blanks();
    if (missing.length === 0 || confirmed) return;
    event.preventDefault();
    confirmed = true;
    var list = missing.length > 8 ? missing.slice(0, 8).join(", ") + "…" : missing.join(", ");
    warning.textContent = (missing.length === 1 ? "Question " + list + " has no answer" :
      missing.length + " questions have no answer (" + list + ")") +
      ". Blank questions count as wrong. Press “Submit answers” again to submit anyway.";
    warning.hidden = false;
    // Take the student to the first blank question; the warning (role=alert) is read out.
    var first = form.querySelectorAll("fieldset.question")[missing[0] - 1];
    var radio = first && first.querySelector("input[type=radio]");
    if (radio) { first.scrollIntoView({ block: "center" }); radio.focus({ preventScroll: true }); }
  });
});
