/*
 * tolk default theme: small progressive enhancements, no dependencies.
 * Everything works without this file.
 *
 * - Site root (<body data-tolk-root>): go to the remembered language, or the
 *   best match for the browser's languages; stay on the list when nothing fits.
 *   Add any #fragment to the root URL to see the list without being moved.
 * - Other pages: remember the language the reader picks in the switcher.
 * - Switcher: close it with Escape or a click outside.
 */
(function () {
  "use strict";

  var STORAGE_KEY = "tolk-lang";

  function remembered() {
    try {
      return window.localStorage.getItem(STORAGE_KEY);
    } catch (e) {
      return null; // storage disabled or blocked
    }
  }

  function remember(tag) {
    if (!tag) return;
    try {
      window.localStorage.setItem(STORAGE_KEY, tag);
    } catch (e) {
      /* nothing to do */
    }
  }

  function primarySubtag(tag) {
    return tag.split("-")[0];
  }

  // Best link for the reader: the remembered language, then for each browser
  // language in order of preference an exact tag match, then a match on the
  // primary subtag ("fr-CA" finds "fr", "pt" finds "pt-BR").
  function bestLink(links) {
    var byTag = {};
    links.forEach(function (a) {
      var tag = (a.getAttribute("hreflang") || "").toLowerCase();
      if (tag && !byTag[tag]) byTag[tag] = a;
    });

    var stored = (remembered() || "").toLowerCase();
    if (stored && byTag[stored]) return byTag[stored];

    var wanted = navigator.languages && navigator.languages.length
      ? navigator.languages
      : [navigator.language || ""];
    for (var i = 0; i < wanted.length; i++) {
      var want = String(wanted[i] || "").toLowerCase();
      if (!want) continue;
      if (byTag[want]) return byTag[want];
      var primary = primarySubtag(want);
      for (var tag in byTag) {
        if (primarySubtag(tag) === primary) return byTag[tag];
      }
    }
    return null;
  }

  var body = document.body;

  if (body && body.hasAttribute("data-tolk-root")) {
    var links = Array.prototype.slice.call(
      document.querySelectorAll("[data-tolk-languages] a[hreflang]")
    );
    links.forEach(function (a) {
      a.addEventListener("click", function () {
        remember(a.getAttribute("hreflang"));
      });
    });
    if (!window.location.hash) {
      var target = bestLink(links);
      if (target) window.location.replace(target.href);
    }
  } else {
    document.addEventListener("click", function (event) {
      var link = event.target.closest
        ? event.target.closest(".lang-switcher a[hreflang]")
        : null;
      if (link) remember(link.getAttribute("hreflang"));
    });
  }

  // Close the open switcher on Escape (focus back on its summary) or on a
  // click anywhere outside it.
  function openSwitcher() {
    return document.querySelector(".lang-switcher details[open]");
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var details = openSwitcher();
    if (!details) return;
    details.open = false;
    var summary = details.querySelector("summary");
    if (summary) summary.focus();
  });

  document.addEventListener("click", function (event) {
    var details = openSwitcher();
    if (details && !details.contains(event.target)) details.open = false;
  });
})();
