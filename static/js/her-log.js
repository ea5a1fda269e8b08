// Her log form (reports/log.html): the symptom list shows once she answers "Yes" to "Any
// symptoms?", or when something in it is ticked. Without this file the list is simply below.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const list = document.querySelector("[data-symptom-list]");
  const answers = document.querySelectorAll("input[data-symptoms-answer]");
  if (!list || !answers.length) return;
  const show = () => {
    const yes = Array.from(answers).some((answer) => answer.checked && answer.value === "yes");
    list.hidden = !(yes || list.querySelector("input:checked"));
  };
  answers.forEach((answer) => answer.addEventListener("change", show));
  show();
});
