//! The script injected into every HTML page in serve mode.
//!
//! It listens to the event stream: `reload` reloads the page, `changed`
//! reloads it when it is one of the pages named (those that changed again
//! after a reload, such as the lists showing an edited title), `error` shows
//! the build errors over it (as text, never as HTML) until the next good
//! build reloads the page. The page's build token goes with the connection,
//! so a page that missed a rebuild (a tab in the background, a server
//! restart) reloads as soon as it connects.
//!
//! Browsers allow only a few HTTP/1.1 connections per server, and an open
//! event stream holds one; hidden tabs therefore close theirs and reconnect
//! when shown again, so many open tabs never starve the page loads.

pub(crate) const SCRIPT: &str = r#"// tolk serve: live reload and build errors.
(() => {
  "use strict";
  const me = document.currentScript;
  const since = (me && me.dataset.since) || "";
  const eventsUrl = "/__tolk/events?since=" + encodeURIComponent(since);
  let source = null;
  let overlay = null;

  function showErrors(message) {
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = "tolk-serve-errors";
      overlay.setAttribute("role", "alert");
      overlay.style.cssText =
        "position:fixed;inset:0;z-index:2147483647;overflow:auto;margin:0;" +
        "padding:1.5rem 2rem;background:rgba(24,24,27,.95);color:#f4f4f5;" +
        "font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;text-align:left";
      overlay.dir = "ltr";
      const heading = document.createElement("p");
      heading.style.cssText = "margin:0 0 1rem;font-weight:bold;color:#fca5a5";
      heading.textContent =
        "The site did not build. This page is the last good build; save a fix to reload.";
      const hide = document.createElement("button");
      hide.type = "button";
      hide.textContent = "Hide";
      hide.style.cssText = "float:right;font:inherit;cursor:pointer";
      hide.addEventListener("click", () => { overlay.hidden = true; });
      const text = document.createElement("pre");
      text.style.cssText = "margin:0;white-space:pre-wrap;overflow-wrap:anywhere";
      overlay.append(hide, heading, text);
      document.body.append(overlay);
    }
    overlay.querySelector("pre").textContent = message;
    overlay.hidden = false;
  }

  function connect() {
    if (source) return;
    source = new EventSource(eventsUrl);
    source.addEventListener("reload", () => location.reload());
    source.addEventListener("changed", (event) => {
      let urls = [];
      try { urls = JSON.parse(event.data).urls || []; } catch (_) { return; }
      const here = decodeURI(location.pathname).replace(/index\.html$/, "");
      if (urls.includes(here)) location.reload();
    });
    source.addEventListener("error", (event) => {
      // A dropped connection fires "error" too, without data; EventSource
      // reconnects by itself.
      if (typeof event.data !== "string") return;
      let message = event.data;
      try { message = JSON.parse(event.data).message; } catch (_) { /* plain text */ }
      showErrors(String(message));
    });
  }

  function disconnect() {
    if (source) { source.close(); source = null; }
  }

  document.addEventListener("visibilitychange", () => {
    if (document.hidden) disconnect(); else connect();
  });
  window.addEventListener("pagehide", disconnect);
  window.addEventListener("pageshow", () => { if (!document.hidden) connect(); });
  if (!document.hidden) connect();
})();
"#;
