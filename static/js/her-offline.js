// Her pages with no signal (issue 23 §3). It registers her link's service worker (her-sw.js),
// says when the page is a kept copy ("offline — showing what you saw on …"), and keeps a session
// logged with no connection on her phone, with its one-time key (the form's sequence number,
// which the server records once), until it can be sent: when the connection returns and on the
// next open. A log the server refuses on arrival is shown with the reason, never dropped silently.
"use strict";

(() => {
  const root = document.getElementById("offline");
  if (!root) return;
  const scope = root.dataset.scope;
  const logUrl = root.dataset.logUrl;
  const OUTBOX = `restride-outbox:${scope}`;
  const banner = document.getElementById("offline-banner");
  const status = document.getElementById("outbox-status");
  const refusedList = document.getElementById("outbox-refused");
  const hasCaches = "caches" in window;

  if ("serviceWorker" in navigator) {
    // Once her link's worker is in charge of this page, it keeps the files this page used.
    const keepWhatThisPageUsed = () => navigator.serviceWorker.controller?.postMessage({
      keep: [location.href, ...performance.getEntriesByType("resource").map((entry) => entry.name)],
    });
    navigator.serviceWorker.addEventListener("controllerchange", keepWhatThisPageUsed);
    navigator.serviceWorker.register(root.dataset.sw, { scope }).then(keepWhatThisPageUsed)
      .catch(() => {});  // no service worker (a private window, an old phone): the page works as before
  }

  function say(text) {
    status.textContent = text;
    status.hidden = !text;
  }

  function showConnection() {
    banner.hidden = navigator.onLine;
  }

  async function kept() {
    if (!hasCaches) return [];
    const box = await caches.open(OUTBOX);
    const requests = await box.keys();
    return Promise.all(requests.map(async (request) => ({ request, item: await (await box.match(request)).json() })));
  }

  let sentWords = "";  // "Sent: …" after the last sending, until something else waits

  async function showKept() {
    const all = await kept();
    const waiting = all.filter(({ item }) => !item.refused).length;
    say(waiting ? `${waiting === 1 ? "1 session is" : `${waiting} sessions are`} saved on your phone: it will send when you are online.`
      : sentWords);
    refusedList.replaceChildren();
    for (const { request, item } of all.filter(({ item }) => item.refused)) {
      const li = document.createElement("li");
      li.textContent = `A session you logged on ${new Date(item.keptAt).toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric" })} was not saved: ${item.refused} `;
      const dismiss = document.createElement("button");
      dismiss.type = "button";
      dismiss.className = "link-button";
      dismiss.textContent = "OK, remove this message";
      dismiss.addEventListener("click", async () => {
        await (await caches.open(OUTBOX)).delete(request);
        showKept();
      });
      li.append(dismiss);
      refusedList.append(li);
    }
    refusedList.hidden = !refusedList.children.length;
  }

  async function keep(form) {
    const data = new FormData(form);
    const box = await caches.open(OUTBOX);
    await box.put(`${scope}outbox/${data.get("sequence")}`,
      new Response(JSON.stringify({ fields: [...data.entries()], keptAt: new Date().toISOString() })));
    showKept();
  }

  function reasonIn(html) {
    const page = new DOMParser().parseFromString(html, "text/html");
    const found = page.querySelector(".refusal, .field-errors, #error-summary");
    const reason = found ? found.textContent.replace(/\s+/g, " ").trim() : "";
    return reason || "it could not be recorded. Please log it again.";
  }

  let sending = false;
  async function sendKept() {
    if (!navigator.onLine || sending || !hasCaches) return;
    sending = true;
    try {
      let sent = 0;
      for (const { request, item } of await kept()) {
        if (item.refused) continue;
        let response;
        try {
          response = await fetch(logUrl, { method: "POST", body: new URLSearchParams(item.fields), credentials: "same-origin" });
        } catch {
          return;  // no connection after all: kept for the next time
        }
        const box = await caches.open(OUTBOX);
        if (response.status === 404) {  // her link no longer works: nothing is kept on her phone
          await caches.delete(OUTBOX);
          return;
        }
        if (response.redirected && new URL(response.url).searchParams.has("logged")) {
          await box.delete(request);
          sent += 1;
        } else if (response.status !== 429) {  // 429: too many for now, try again later
          await box.put(request, new Response(JSON.stringify({ ...item, refused: reasonIn(await response.text()) })));
        }
      }
      if (sent) sentWords = sent === 1 ? "Sent: your session is logged." : `Sent: ${sent} sessions are logged.`;
    } finally {
      sending = false;
      showKept();
    }
  }

  const form = document.querySelector("form.her-log-form");
  if (form && hasCaches) {
    form.addEventListener("submit", (event) => {
      if (navigator.onLine) return;  // a connection: the form posts as usual
      event.preventDefault();
      keep(form);
    });
  }
  window.addEventListener("online", () => { showConnection(); sendKept(); });
  window.addEventListener("offline", showConnection);
  showConnection();
  showKept().then(sendKept);
})();
