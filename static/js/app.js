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

// A studio save that could not be made (signed out, no connection, a server error) loses
// nothing: what she typed stays in the boxes, and in this tab's storage until it is saved (so
// a reload, or signing in again in this tab, brings it back and saves it). It is tried again
// every RETRY_SECONDS, when the connection comes back and when she comes back to the tab.
const RETRY_SECONDS = 10;
const studio = { typed: 0, sent: 0, unsaved: "", timer: null };

function studioForm() {
  return document.getElementById("assessment-form");
}

function draftKey(form) {
  return `restride-draft:${form.getAttribute("hx-post")}`;
}

function keepDraft(form) {
  const values = {};
  for (const el of form.elements) {
    if (!el.name || el.name === "csrfmiddlewaretoken" || ["submit", "button"].includes(el.type)) continue;
    if (el.type === "radio" || el.type === "checkbox") {
      if (el.checked) values[el.name] = el.value;
      else if (!(el.name in values)) values[el.name] = null;
    } else {
      values[el.name] = el.value;
    }
  }
  try {
    sessionStorage.setItem(draftKey(form), JSON.stringify(values));
  } catch {
    // Storage full or refused: the boxes still hold what she typed.
  }
}

function restoreDraft(form) {
  let values = null;
  try {
    values = JSON.parse(sessionStorage.getItem(draftKey(form)) || "null");
  } catch {
    values = null;
  }
  if (!values) return false;
  for (const [name, value] of Object.entries(values)) {
    form.querySelectorAll(`[name="${CSS.escape(name)}"]`).forEach((el) => {
      if (el.type === "radio" || el.type === "checkbox") el.checked = value !== null && el.value === value;
      else el.value = value ?? "";
    });
  }
  return true;
}

function forgetDraft(form) {
  try {
    sessionStorage.removeItem(draftKey(form));
  } catch {
    // Nothing kept.
  }
}

function csrfCookie() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

// Signing in again (in another tab, or this one) gives her a new CSRF token: every form and
// request from here on carries the current one, so the retried save is not refused for it.
function freshCsrf() {
  const token = csrfCookie();
  if (token) document.querySelectorAll('input[name="csrfmiddlewaretoken"]').forEach((input) => { input.value = token; });
  return token;
}
document.addEventListener("htmx:configRequest", (event) => {
  const token = freshCsrf();
  if (!token) return;
  event.detail.headers["X-CSRFToken"] = token;
  // htmx's parameters answer get and set, not `in`: a form's field is there when it reads back.
  if (event.detail.parameters?.csrfmiddlewaretoken) event.detail.parameters.csrfmiddlewaretoken = token;
});

// The studio's autosave names the box she just filled in: a carried-over value entered again,
// even unchanged, is confirmed on the server and its mark goes.
document.addEventListener("htmx:configRequest", (event) => {
  const name = event.detail.triggeringEvent?.target?.name;
  if (event.detail.elt?.id === "assessment-form" && name) event.detail.parameters.entered = name;
});

// A carried-over value entered again unchanged fires no change event (the value is what it was):
// send one when she leaves the box she typed in, or clicks the option already chosen, so the
// autosave above confirms it. A value she changed fires its own change, which is enough.
function carriedOver(el) {
  return el?.form?.id === "assessment-form" && el.name && document.getElementById(`carried-${el.name}`);
}
const retyped = new Set();
document.addEventListener("input", (event) => { if (carriedOver(event.target)) retyped.add(event.target); });
document.addEventListener("change", (event) => { retyped.delete(event.target); }, true);
document.addEventListener("focusout", (event) => {
  if (retyped.delete(event.target) && carriedOver(event.target)) {
    event.target.dispatchEvent(new Event("change", { bubbles: true }));
  }
});
document.addEventListener("click", (event) => {
  const radio = event.target;
  if (radio.type !== "radio" || !carriedOver(radio)) return;
  let changed = false;
  const seen = () => { changed = true; };
  radio.addEventListener("change", seen, { once: true });
  // A click that chooses a new option fires change after the click's own listeners.
  window.setTimeout(() => {
    radio.removeEventListener("change", seen);
    if (!changed && carriedOver(radio)) radio.dispatchEvent(new Event("change", { bubbles: true }));
  }, 0);
});

function showUnsaved(message, links = []) {
  const status = document.getElementById("save-status");
  if (!status) return;
  status.replaceChildren(message);
  for (const [text, href, newTab] of links) {
    const link = document.createElement("a");
    link.href = href;
    link.textContent = text;
    if (newTab) link.target = "_blank";
    status.append(" ", link);
  }
  status.classList.remove("save-status--saving");
  status.classList.add("save-status--error");
}

function retrySoon() {
  if (studio.timer) return;
  studio.timer = window.setInterval(retryStudio, RETRY_SECONDS * 1000);
}

function retryStudio() {
  const form = studioForm();
  // Any box's change event posts the whole form.
  const cell = form?.querySelector(".cell");
  if (!cell || !studio.unsaved || form.classList.contains("htmx-request")) return;
  htmx.trigger(cell, "change");
}

function saved(form) {
  window.clearInterval(studio.timer);
  studio.timer = null;
  studio.unsaved = "";
  if (studio.typed === studio.sent) forgetDraft(form);
}

// What she types is counted as she types it (an input event comes before the change that
// saves it), so a save answered after more typing does not forget the newer draft.
document.addEventListener("input", (event) => {
  const form = studioForm();
  if (!form || event.target.form !== form) return;
  studio.typed += 1;
  keepDraft(form);
});

// Say "Saving…" in the status region itself, so screen readers hear it too (not again for each
// retry while she is signed out: the sign-in message stays until a save gets through).
document.addEventListener("htmx:beforeRequest", (event) => {
  if (event.target.id !== "assessment-form") return;
  studio.sent = studio.typed;
  const status = document.getElementById("save-status");
  if (!status || studio.unsaved === "signed-out") return;
  status.textContent = "Saving…";
  status.classList.remove("save-status--error");
  status.classList.add("save-status--saving"); // no "saved" tick while it is on its way
});

document.addEventListener("htmx:afterRequest", (event) => {
  const form = studioForm();
  if (!form || event.target !== form) return;
  const xhr = event.detail.xhr;
  if (event.detail.successful && xhr.status === 200) {
    // A conflict, or an entry that needs correcting, was not saved: keep the draft for it. (The
    // answer says so; the swapped-in status keeps its old classes until htmx settles.)
    if (xhr.responseText.includes('id="save-status" class="save-status save-status--error"')) studio.unsaved = "";
    else saved(form);
    return;
  }
  keepDraft(form);
  retrySoon();
  if (xhr.status === 401) {
    studio.unsaved = "signed-out";
    const here = xhr.getResponseHeader("X-Sign-In") || "/accounts/login/";
    showUnsaved("Not saved: you have been signed out. What you typed is kept on this page and saves by itself once you are signed in again:",
      [["sign in again in a new tab", "/accounts/login/?next=/accounts/signed-in/", true], ["or here", here, false]]);
  } else if (xhr.status === 0) {
    studio.unsaved = "offline";
    showUnsaved(`Not saved: no connection. Your entries are still here and save by themselves when the connection is back (tried every ${RETRY_SECONDS} seconds).`);
  } else {
    studio.unsaved = "error";
    showUnsaved(`Not saved: the server had a problem. Your entries are still here; they are tried again every ${RETRY_SECONDS} seconds.`);
  }
});
// Elsewhere a signed-out htmx request (her session lapsed) goes to the sign-in page, and back.
document.addEventListener("htmx:responseError", (event) => {
  const xhr = event.detail.xhr;
  if (xhr.status === 401 && event.detail.elt.closest("#assessment-form") === null) {
    window.location.assign(xhr.getResponseHeader("X-Sign-In") || "/accounts/login/");
  }
});
window.addEventListener("online", retryStudio);
window.addEventListener("focus", retryStudio);
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible") retryStudio();
});

// A draft this tab kept (the page was reloaded, or she signed in again here) is put back and saved.
document.addEventListener("DOMContentLoaded", () => {
  const form = studioForm();
  if (!form || !restoreDraft(form)) return;
  studio.unsaved = "draft";
  showUnsaved("What you typed before is back in the boxes: saving it now.");
  studio.typed += 1;
  retryStudio();
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

// A message from the page load ("… assigned") is stale once the card has moved on in place.
document.addEventListener("htmx:afterSettle", (event) => {
  if (event.detail.target && event.detail.target.id === "programme") {
    document.querySelectorAll("main > .messages").forEach((messages) => messages.remove());
  }
});
