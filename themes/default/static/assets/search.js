/*
 * tolk default theme: the search box (templates/search.html).
 *
 * The build writes a Pagefind bundle under <base path>pagefind/: one index
 * per language, split in small chunks. This script loads Pagefind's own
 * script the first time the reader focuses the box, and Pagefind then
 * fetches only the chunks of the page's language (<html lang>) that a query
 * needs. Results show the page title, its section and a snippet with the
 * matched words marked.
 *
 * Keyboard: type to search (Enter searches at once), Down arrow moves into
 * the results, Up and Down move between them, Escape closes the list and
 * returns to the box.
 */
(function () {
  "use strict";

  var root = document.querySelector("[data-tolk-search]");
  if (!root || typeof window.fetch !== "function") return;

  var form = root.querySelector("form");
  var input = root.querySelector("input[type=search]");
  var panel = root.querySelector(".search-panel");
  var status = root.querySelector(".search-status");
  var list = root.querySelector(".search-results");
  var bundle = root.getAttribute("data-bundle") || "/pagefind/";
  var lang = (document.documentElement.getAttribute("lang") || "").toLowerCase();
  var MAX_RESULTS = 8;

  var engine = null; // a promise of Pagefind's module, or of null without an index for this language
  var unavailable = false;
  var latest = 0; // number of the newest query: older answers are dropped

  root.hidden = false;

  function text(name, values) {
    var template = root.getAttribute("data-" + name) || "";
    return template.replace(/\{(\w+)\}/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? values[key] : whole;
    });
  }

  // Pagefind falls back to the biggest index when the page's language has
  // none; the reader asked for their language only, so look first.
  function hasOwnIndex(entry) {
    var languages = (entry && entry.languages) || {};
    return Object.prototype.hasOwnProperty.call(languages, lang) ||
      Object.prototype.hasOwnProperty.call(languages, lang.split("-")[0]);
  }

  function load() {
    if (engine) return engine;
    engine = fetch(bundle + "pagefind-entry.json")
      .then(function (response) {
        if (!response.ok) throw new Error("no search index at " + bundle);
        return response.json();
      })
      .then(function (entry) {
        if (!hasOwnIndex(entry)) return null;
        return import(bundle + "pagefind.js").then(function (pagefind) {
          return pagefind.options({ excerptLength: 22 }).then(function () {
            pagefind.init();
            return pagefind;
          });
        });
      })
      .catch(function (error) {
        unavailable = true;
        if (window.console) console.warn("tolk search:", error);
        return null;
      });
    return engine;
  }

  function open() {
    panel.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }

  function close() {
    panel.hidden = true;
    input.setAttribute("aria-expanded", "false");
  }

  function clearResults() {
    while (list.firstChild) list.removeChild(list.firstChild);
  }

  // Pagefind's excerpts are HTML: entities as in the page, and <mark>
  // around matches. Keep their text and the marks, nothing else.
  function excerptNodes(html) {
    var parsed = document.createElement("template");
    parsed.innerHTML = html;
    var fragment = document.createDocumentFragment();
    Array.prototype.forEach.call(parsed.content.childNodes, function (node) {
      if (node.nodeType === 1 && node.tagName === "MARK") {
        var mark = document.createElement("mark");
        mark.textContent = node.textContent;
        fragment.appendChild(mark);
      } else {
        fragment.appendChild(document.createTextNode(node.textContent));
      }
    });
    return fragment;
  }

  function resultItem(data) {
    var meta = data.meta || {};
    var item = document.createElement("li");
    item.className = "search-result";
    if (meta.section) {
      var section = document.createElement("p");
      section.className = "search-result-section";
      section.textContent = meta.section;
      item.appendChild(section);
    }
    var link = document.createElement("a");
    link.className = "search-result-title";
    link.href = data.url;
    link.textContent = meta.title || data.url;
    item.appendChild(link);
    if (data.excerpt) {
      var snippet = document.createElement("p");
      snippet.className = "search-result-excerpt";
      snippet.appendChild(excerptNodes(data.excerpt));
      item.appendChild(snippet);
    }
    return item;
  }

  function show(query, results, number, total) {
    if (number !== latest) return;
    clearResults();
    list.setAttribute("data-query", query); // what the list shows results for
    if (unavailable) {
      status.textContent = text("unavailable", {});
    } else if (!results.length) {
      status.textContent = text("no-results", { query: query });
    } else {
      status.textContent = text("results", { count: String(total || results.length) });
      results.forEach(function (data) {
        list.appendChild(resultItem(data));
      });
    }
    open();
  }

  function search(query, now) {
    var number = ++latest;
    query = query.trim();
    if (!query) {
      clearResults();
      status.textContent = "";
      close();
      return;
    }
    load().then(function (pagefind) {
      if (number !== latest) return null;
      if (!pagefind) return show(query, [], number);
      var asked = now ? pagefind.search(query) : pagefind.debouncedSearch(query, {}, 200);
      return asked.then(function (answer) {
        if (!answer || number !== latest) return null; // a newer query took over
        var first = answer.results.slice(0, MAX_RESULTS);
        var total = answer.results.length;
        return Promise.all(first.map(function (r) { return r.data(); })).then(function (found) {
          show(query, found, number, total);
        });
      });
    }).catch(function (error) {
      unavailable = true;
      if (window.console) console.warn("tolk search:", error);
      show(query, [], number);
    });
  }

  function links() {
    return Array.prototype.slice.call(list.querySelectorAll("a"));
  }

  input.setAttribute("aria-expanded", "false");
  input.addEventListener("focus", function () {
    load();
    if (input.value.trim() && list.firstChild) open();
  });
  input.addEventListener("input", function () {
    search(input.value, false);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    search(input.value, true);
  });

  root.addEventListener("keydown", function (event) {
    var all = links();
    var at = all.indexOf(document.activeElement);
    if (event.key === "Escape") {
      if (panel.hidden && event.target === input) return; // the browser clears the box
      event.preventDefault();
      close();
      input.focus();
    } else if (event.key === "ArrowDown" && all.length) {
      event.preventDefault();
      open();
      all[Math.min(at + 1, all.length - 1)].focus();
    } else if (event.key === "ArrowUp" && at >= 0) {
      event.preventDefault();
      if (at === 0) input.focus();
      else all[at - 1].focus();
    }
  });

  document.addEventListener("click", function (event) {
    if (!root.contains(event.target)) close();
  });
  root.addEventListener("focusout", function (event) {
    if (event.relatedTarget && !root.contains(event.relatedTarget)) close();
  });
})();
