// Small progressive enhancements. Every page works without this file.
"use strict";

// After a failed submit, move focus to the error summary so screen readers announce it.
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.getElementById("error-summary");
  if (summary) summary.focus();
});

// A print button for pages meant to be printed (referral summary).
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});

// Studio autosave: mark fields whose error slot is filled, and keep the trainer told
// when the connection drops; a change after reconnecting saves everything again.
document.addEventListener("htmx:afterSettle", () => {
  document.querySelectorAll(".cell-errors[id^='errors-']").forEach((slot) => {
    const name = slot.id.slice("errors-".length);
    const invalid = slot.textContent.trim() !== "";
    document.querySelectorAll(`[name="${CSS.escape(name)}"]`).forEach((input) => {
      if (input.type === "hidden") return;
      if (invalid) input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
    });
    slot.closest(".cell, .choices")?.classList.toggle("field--error", invalid);
  });
});

function showUnsaved(message) {
  const status = document.getElementById("save-status");
  if (!status) return;
  status.textContent = message;
  status.classList.add("save-status--error");
}

// Say "Saving…" in the status region itself, so screen readers hear it too.
document.addEventListener("htmx:beforeRequest", (event) => {
  if (event.target.id !== "assessment-form") return;
  const status = document.getElementById("save-status");
  if (!status) return;
  status.textContent = "Saving…";
  status.classList.remove("save-status--error");
});

document.addEventListener("htmx:sendError", () => {
  showUnsaved("Not saved: no connection. Your entries are still here and will save when the connection is back.");
});
document.addEventListener("htmx:responseError", () => {
  showUnsaved("Not saved: the server had a problem. Your entries are still here; try again in a moment.");
});
window.addEventListener("online", () => {
  const form = document.getElementById("assessment-form");
  if (form && document.querySelector(".save-status--error")) htmx.trigger(form, "change");
});

// Copy buttons: <button data-copy="#input-id">.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const input = document.querySelector(button.dataset.copy);
  const status = document.getElementById("copy-status");
  try {
    await navigator.clipboard.writeText(input.value);
    if (status) status.textContent = "Copied.";
  } catch {
    input.select();
    if (status) status.textContent = "Press Ctrl+C (or ⌘C) to copy the selected link.";
  }
});

// After logging a session (or a refused log) the card is swapped in place: bring its message
// to where she looks — scrolled into view and focused; its role=alert announces it.
function revealCardMessage() {
  const message = document.querySelector("#programme [data-reveal]:not([data-revealed])");
  if (!message) return;
  message.setAttribute("data-revealed", "");
  message.scrollIntoView({ block: "center" });
  message.focus({ preventScroll: true });
}
document.addEventListener("htmx:afterSettle", revealCardMessage);
document.addEventListener("DOMContentLoaded", revealCardMessage);
