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
  // Any box's change event posts the whole form.
  const cell = document.querySelector("#assessment-form .cell");
  if (cell && document.querySelector(".save-status--error")) htmx.trigger(cell, "change");
});

// Finish submits the whole studio form: when a box's autosave is still on its way (it fires as
// the box loses focus to the button), wait for it, so the two saves never race each other.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form.id !== "assessment-form" || !form.classList.contains("htmx-request")) return;
  event.preventDefault();
  const submitter = event.submitter;
  form.addEventListener("htmx:afterRequest", () => form.requestSubmit(submitter), { once: true });
});

// In a form marked data-enter-moves-on, Enter (a tablet keyboard's Go or Next key) moves to the
// next field instead of submitting: the studio saves each box as it changes, and a submit
// would reload the page at the top. The field's change event still fires as it loses focus.
const NOT_ENTRY = ["submit", "button", "reset", "image", "file", "hidden"];
function nextField(form, field) {
  const fields = [...form.elements].filter((el) =>
    ["INPUT", "SELECT", "TEXTAREA"].includes(el.tagName) && !NOT_ENTRY.includes(el.type) && !el.disabled &&
    el.tabIndex >= 0 && el.getClientRects().length > 0);
  const after = fields.slice(fields.indexOf(field) + 1);
  // A yes/no group is one stop: its checked option, else its first.
  return after.find((el) => el.type !== "radio" || el.name !== field.name && (el.checked ||
    !form.querySelector(`input[type="radio"][name="${CSS.escape(el.name)}"]:checked`)));
}
document.addEventListener("keydown", (event) => {
  if (event.key !== "Enter" || event.isComposing || event.altKey || event.ctrlKey || event.metaKey) return;
  const field = event.target;
  const form = field.form;
  if (field.tagName !== "INPUT" || NOT_ENTRY.includes(field.type) || !form?.hasAttribute("data-enter-moves-on")) return;
  event.preventDefault();
  const next = nextField(form, field);
  if (!next) return field.blur();
  next.focus();
  if (next.type === "number" || next.type === "text") next.select();
});

// The studio's section index: jump to the section and put focus there (closing the sheet the
// verdict bar opened on a narrow screen first), so the next Tab starts in that section.
document.addEventListener("click", (event) => {
  const link = event.target.closest(".section-index__link");
  const target = link && document.querySelector(link.hash);
  if (!target) return;
  event.preventDefault();
  const sheet = link.closest("[popover]");
  if (sheet?.matches(":popover-open")) sheet.hidePopover();
  target.scrollIntoView({ block: "start" });
  target.focus({ preventScroll: true });
});

// The sticky verdict panel beside the form never hides its end behind an inner scroll: when it
// is taller than the window, it scrolls with the page until its end is in view, then stays.
function fitStudioPanel() {
  const panel = document.getElementById("studio-panel");
  if (!panel) return;
  const gap = 16;
  panel.style.setProperty("--panel-top", `${Math.min(gap, window.innerHeight - panel.offsetHeight - gap)}px`);
}
document.addEventListener("DOMContentLoaded", () => {
  const panel = document.getElementById("studio-panel");
  if (!panel) return;
  new ResizeObserver(fitStudioPanel).observe(panel);
  window.addEventListener("resize", fitStudioPanel);
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
