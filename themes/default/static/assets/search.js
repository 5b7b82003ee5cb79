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
 * The box is a WAI-ARIA combobox with a listbox popup (the APG pattern
 * with manual selection): the results are options, and the focus stays in
 * the box while Down and Up move the active option (aria-activedescendant,
 * wrapping at both ends); Enter opens the active result, or searches at
 * once when none is active; Escape closes the list and keeps the focus in
 * the box (a second Escape clears it, as browsers do); Tab leaves the box,
 * and the results are not in the Tab order. Each result is a real link
 * with role=option, so a click, a middle click or "open in a new tab" work
 * as on any link.
 */
(function () {
  "use strict";

  var root = document.querySelector("[data-tolk-search]");
  if (!root || typeof window.fetch !== "function") return;

  var form = root.querySelector("form");
  var input = root.querySelector("input[type=search]");
  var panel = root.querySelector(".search-panel");
  var status = root.querySelector("[role=status]"); // said by screen readers
  var shownStatus = root.querySelector(".search-status"); // the same, seen
  var list = root.querySelector("[role=listbox]");
  var bundle = root.getAttribute("data-bundle") || "/pagefind/";
  var lang = (document.documentElement.getAttribute("lang") || "").toLowerCase();
  var MAX_RESULTS = 8;

  var engine = null; // a promise of Pagefind's module, or of null without an index for this language
  var unavailable = false;
  var latest = 0; // number of the newest query: older answers are dropped
  var active = -1; // index of the active option, -1 for none

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

  function options() {
    return Array.prototype.slice.call(list.querySelectorAll("[role=option]"));
  }

  // The list is expanded only while it shows results: "no results" is a
  // status, not an empty listbox.
  function open() {
    var any = options().length > 0;
    panel.hidden = false;
    list.hidden = !any;
    input.setAttribute("aria-expanded", any ? "true" : "false");
  }

  function close() {
    panel.hidden = true;
    input.setAttribute("aria-expanded", "false");
    activate(-1);
  }

  function isOpen() {
    return !panel.hidden && !list.hidden;
  }

  // Makes option `index` the active one (-1: none), for assistive
  // technology through aria-activedescendant and aria-selected, and for the
  // eyes through the style of [aria-selected=true].
  function activate(index) {
    var all = options();
    active = index >= 0 && index < all.length ? index : -1;
    all.forEach(function (option, i) {
      option.setAttribute("aria-selected", i === active ? "true" : "false");
    });
    if (active < 0) {
      input.removeAttribute("aria-activedescendant");
      return;
    }
    input.setAttribute("aria-activedescendant", all[active].id);
    all[active].scrollIntoView({ block: "nearest" });
  }

  function setStatus(message) {
    status.textContent = message;
    shownStatus.textContent = message;
  }

  function clearResults() {
    activate(-1);
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

  // One result: a link with the option role. Its name is all of its text,
  // section, title and snippet, as seen (a name reduced to the title would
  // hide words a reader sees, and voice control users say). Options show
  // their content as plain text to assistive technology, so the parts are
  // spans, each on a line of its own.
  function resultItem(data, index) {
    var meta = data.meta || {};
    var option = document.createElement("a");
    option.className = "search-result";
    option.id = "tolk-search-option-" + index;
    option.href = data.url;
    option.setAttribute("role", "option");
    option.setAttribute("aria-selected", "false");
    option.setAttribute("tabindex", "-1"); // the focus stays in the box
    function part(name) {
      var span = document.createElement("span");
      span.className = "search-result-" + name;
      option.appendChild(span);
      return span;
    }
    if (meta.section) part("section").textContent = meta.section;
    part("title").textContent = meta.title || data.url;
    if (data.excerpt) part("excerpt").appendChild(excerptNodes(data.excerpt));
    return option;
  }

  function show(query, results, number, total) {
    if (number !== latest) return;
    clearResults();
    list.setAttribute("data-query", query); // what the list shows results for
    if (unavailable) {
      setStatus(text("unavailable", {}));
    } else if (!results.length) {
      setStatus(text("no-results", { query: query }));
    } else {
      setStatus(text("results", { count: String(total || results.length) }));
      results.forEach(function (data, index) {
        list.appendChild(resultItem(data, index));
      });
    }
    open();
  }

  function search(query, now) {
    var number = ++latest;
    query = query.trim();
    if (!query) {
      clearResults();
      setStatus("");
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

  input.addEventListener("focus", function () {
    load();
    if (input.value.trim() && list.firstChild) open();
  });
  input.addEventListener("input", function () {
    activate(-1);
    search(input.value, false);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    search(input.value, true);
  });

  // Arrow keys move the active option from wherever the focus is in the
  // search (a result focused by a pointer, say), and bring the focus back
  // to the box.
  root.addEventListener("keydown", function (event) {
    var all = options();
    if (event.key === "Escape") {
      if (panel.hidden && event.target === input) return; // the browser clears the box
      event.preventDefault();
      close();
      input.focus();
    } else if ((event.key === "ArrowDown" || event.key === "ArrowUp") && all.length) {
      event.preventDefault();
      var down = event.key === "ArrowDown";
      if (!isOpen()) {
        open();
        activate(down ? 0 : all.length - 1);
      } else if (active < 0) {
        activate(down ? 0 : all.length - 1);
      } else {
        activate((active + (down ? 1 : all.length - 1)) % all.length);
      }
      if (document.activeElement !== input) input.focus();
    } else if (event.key === "Enter" && event.target === input && isOpen() && active >= 0) {
      // Instead of the form's search: the link's own activation, so the
      // browser goes there as after a click.
      event.preventDefault();
      all[active].click();
    }
  });

  document.addEventListener("click", function (event) {
    if (!root.contains(event.target)) close();
  });
  root.addEventListener("focusout", function (event) {
    if (event.relatedTarget && !root.contains(event.relatedTarget)) close();
  });
})();
