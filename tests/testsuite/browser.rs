//! The example site in a real browser: headless Chromium driven through
//! WebDriver (chromedriver) with fantoccini.
//!
//! Each test builds the example site, serves it on 127.0.0.1 with the small
//! file server below, opens a browser of its own and checks what a reader
//! does:
//!
//! - switch from the Dutch to the Swedish B2B/B2C page with the language
//!   switcher, read the page on a 360 px wide phone (nothing scrolls
//!   sideways but the table, inside its own box), and search (the reader's
//!   language only, with a snippet);
//! - the same with the keyboard alone: the header's Tab order, the switcher
//!   opened with Enter, closed with Escape and followed with Enter, and the
//!   search box as a WAI-ARIA combobox (arrow keys move the active result,
//!   Enter follows it, Escape closes the list and leaves the focus in the
//!   box, Tab leaves it);
//! - axe-core audits every kind of page the site has, at 360 and 1280 px, in
//!   the light and the dark scheme, and once more with the switcher open,
//!   with search results open and with a search that finds nothing: any
//!   violation of WCAG 2.0 and 2.1 A and AA or of axe's best practices
//!   fails, naming the rule, the element and the URL.
//!
//! Screenshots of the steps go to `target/browser-screenshots/`.
//!
//! Prerequisites: Debian's `chromium` and `chromium-driver` (or
//! `TOLK_CHROMIUM` and `TOLK_CHROMEDRIVER` naming the programs) and, for the
//! audit, the npm package axe-core: `TOLK_AXE_CORE` names its `axe.min.js`,
//! by default `target/npm/node_modules/axe-core/axe.min.js`, where `.ci/run`
//! installs the pinned version. Under CI (the `CI` variable set) a missing
//! prerequisite fails the test; elsewhere the test is skipped and says so
//! (see `cannot_run`). Nothing is downloaded: the browser runs with its
//! network features off and only talks to the local server.

use std::io::{BufRead, BufReader, IsTerminal, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::wd::TimeoutConfiguration;
use fantoccini::{Client, ClientBuilder, Locator, key::Key};
use serde_json::{Value, json};
use tolk::pipeline::{BuildOptions, build};

/// How long any one wait may take: the page, the switcher, a search.
const PATIENCE: Duration = Duration::from_secs(20);

/// How long one axe-core run may take: a few hundred milliseconds here, but
/// a debug build and two other browsers share two cores.
const AUDIT_PATIENCE: Duration = Duration::from_secs(90);

/// Chromium's switches: headless, no sandbox (CI runs as root), and none of
/// its own network traffic (updates, sync, field trials), since the machine
/// has no network and the test must not depend on one.
const CHROMIUM_SWITCHES: [&str; 10] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1280,900",
];

/// The rules axe-core runs: WCAG 2.0 and 2.1 at levels A and AA, and its
/// best practices.
const AXE_TAGS: [&str; 5] = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"];

/// One page of every kind the example site has: what it is, its path, and
/// an element only that kind of page has (so a wrong page is never audited
/// in its place).
const AUDITED: [(&str, &str, &str); 8] = [
    // The fragment keeps tolk.js from moving the reader to a language the
    // browser prefers, so the list of languages is what gets audited.
    ("the site root", "/#languages", "[data-tolk-languages]"),
    ("a language home", "/nl/", ".home"),
    (
        "a machine-translated page with a table",
        "/nl/commerce/b2b-and-b2c/",
        ".notice-mt",
    ),
    ("a stale page", "/fr/commerce/b2b-and-b2c/", ".notice-stale"),
    (
        "a plain-text page",
        "/fr/articles/b2c-b2b-b2c2b-b2b2c/",
        "article.content",
    ),
    (
        "a fallback page",
        "/it/articles/b2c-b2b-b2c2b-b2b2c/",
        ".notice-fallback",
    ),
    (
        "the translation status",
        "/translation-status/",
        ".status-table",
    ),
    ("a missing page (404)", "/sv/no-such-page/", ".not-found"),
];

/// Pages of the site whose source has a history (see `Tab::history_origin`).
const AUDITED_WITH_HISTORY: [(&str, &str, &str); 2] = [
    (
        "a stale page with the date its source changed",
        "/fr/guide/setup/",
        ".notice-stale",
    ),
    (
        "the review page of a stale translation",
        "/translation-status/review/fr/guide/setup/",
        ".review-page",
    ),
];

/// A site of one guide longer than a sidebar shows (`long_guide_site`):
/// the home's guide list and a sidebar cut at both ends.
const AUDITED_GUIDE: [(&str, &str, &str); 2] = [
    ("a home listing a guide", "/fr/", ".home-guide"),
    ("a page of a long guide", "/fr/help/big/p30/", ".nav-more"),
];

/// The French page: its language's index holds two pages, so a search can
/// show more than one result.
const FRENCH_PAGE: &str = "/fr/commerce/b2b-and-b2c/";

#[test]
fn reader_switches_language_reads_on_a_phone_and_searches() {
    let Some(browser) = browser_for("reader_switches_language_reads_on_a_phone_and_searches")
    else {
        return;
    };
    run_in_browser(&browser, reader_steps);
}

#[test]
fn keyboard_alone_switches_language_and_searches() {
    let Some(browser) = browser_for("keyboard_alone_switches_language_and_searches") else {
        return;
    };
    run_in_browser(&browser, keyboard_steps);
}

#[test]
fn axe_finds_no_violation_on_any_kind_of_page() {
    let Some((browser, axe)) = browser_and_axe_for("axe_finds_no_violation_on_any_kind_of_page")
    else {
        return;
    };
    run_in_browser(&browser, move |tab| audit_steps(tab, axe));
}

/// The steps, each ending with a screenshot named after it.
async fn reader_steps(tab: Tab) {
    let client = &tab.client;
    let shots = Screenshots::folder();

    // 1. The Dutch page.
    tab.goto("/nl/commerce/b2b-and-b2c/").await;
    assert_eq!(page_language(client).await, "nl");
    shots.take(client, "01-nl-page").await;

    // 2. Open the switcher and pick Svenska.
    client
        .find(Locator::Css(".lang-switcher summary"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let svenska = client
        .wait()
        .at_most(PATIENCE)
        .for_element(Locator::Css(".lang-switcher a[hreflang='sv']"))
        .await
        .unwrap();
    assert!(
        svenska.is_displayed().await.unwrap(),
        "the open switcher shows Svenska"
    );
    assert_eq!(svenska.text().await.unwrap().trim(), "Svenska");
    shots.take(client, "02-nl-switcher-open").await;
    svenska.click().await.unwrap();
    let sv_url = tab.url("/sv/commerce/b2b-and-b2c/");
    wait_for_url(client, &sv_url).await;
    assert_eq!(page_language(client).await, "sv");
    shots.take(client, "03-sv-page").await;

    // 3. A phone 360 px wide: the page does not scroll sideways, the table
    //    scrolls inside its own box.
    set_viewport_width(client, 360, 780).await;
    let widths = client
        .execute(
            "const table = document.querySelector('.table-scroll');
             return {
               inner: window.innerWidth,
               page: document.documentElement.scrollWidth,
               tableScroll: table ? table.scrollWidth : -1,
               tableClient: table ? table.clientWidth : -1,
             };",
            vec![],
        )
        .await
        .unwrap();
    let number = |key: &str| widths[key].as_i64().unwrap_or(-1);
    assert_eq!(number("inner"), 360, "viewport: {widths}");
    assert!(
        number("page") <= number("inner"),
        "the page scrolls sideways at 360 px: {widths}"
    );
    assert!(
        number("tableScroll") > number("tableClient"),
        "the table should scroll inside .table-scroll: {widths}"
    );
    shots.take(client, "04-sv-360px").await;
    client
        .execute(
            "document.querySelector('.table-scroll').scrollIntoView({block: 'center', behavior: 'instant'});",
            vec![],
        )
        .await
        .unwrap();
    shots.take(client, "05-sv-360px-table").await;

    // 4. Search on the Dutch page, still on the phone: the page itself comes
    //    back, with its section and a snippet marking the word; no result
    //    is in another language.
    tab.goto("/nl/commerce/b2b-and-b2c/").await;
    let results = search(client, "klantenservice", "/nl/commerce/b2b-and-b2c/").await;
    assert!(
        results
            .iter()
            .all(|r| r["href"].as_str().unwrap_or("").starts_with("/nl/")),
        "only Dutch pages: {results:?}"
    );
    let first = &results[0];
    assert_eq!(first["title"], "Wat zijn B2B en B2C?", "{first}");
    assert_eq!(first["section"], "Commerce", "{first}");
    let marked = first["marked"].as_str().unwrap_or("").to_lowercase();
    assert!(
        marked.contains("klantenservice"),
        "snippet marks the word: {first}"
    );
    let no_sideways = client
        .execute(
            "return document.documentElement.scrollWidth <= window.innerWidth;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(no_sideways, json!(true), "open results fit the phone");
    shots.take(client, "06-nl-search-klantenservice").await;

    // The keyboard reaches the results: Down in the box makes the first one
    // the active option, while the focus stays in the box.
    press(client, Key::Down).await;
    let state = combobox(client).await;
    assert_eq!(state["focused"], json!(true), "{state}");
    assert_eq!(
        state["activeHref"], first["href"],
        "Down arrow makes the first result active: {state}"
    );

    // 5. Swedish on a wide screen: a word typed without its accent
    //    ("kundtjanst" for "Kundtjänst"), then in its definite form
    //    ("kundtjänsten"), which the Swedish stemmer takes back to its stem.
    set_viewport_width(client, 1280, 900).await;
    client.goto(&sv_url).await.unwrap();
    for (query, step) in [
        ("kundtjanst", "07-sv-search-without-accent"),
        ("kundtjänsten", "08-sv-search-other-form"),
    ] {
        let results = search(client, query, "/sv/commerce/b2b-and-b2c/").await;
        assert!(
            results
                .iter()
                .all(|r| r["href"].as_str().unwrap_or("").starts_with("/sv/")),
            "only Swedish pages: {results:?}"
        );
        shots.take(client, step).await;
    }

    // 6. Fallback pages stay out: the French article is shown untranslated
    //    at /it/articles/…, yet its French words do not lead Italian readers
    //    there (Pagefind may still offer near matches in Italian pages),
    //    while French readers find the article itself.
    let article = "/fr/articles/b2c-b2b-b2c2b-b2b2c/";
    tab.goto(article).await;
    search(client, "divertissement", article).await;
    tab.goto("/it/commerce/b2b-and-b2c/").await;
    let results = search_answer(client, "divertissement").await;
    assert!(
        results.iter().all(|r| {
            let href = r["href"].as_str().unwrap_or("");
            href.starts_with("/it/") && !href.starts_with("/it/articles/")
        }),
        "a fallback page, or another language, was found: {results:?}"
    );
    shots.take(client, "09-it-search-no-fallback").await;
}

/// The keyboard alone: no click, no focus set by a script; every key goes
/// to whatever has the focus, as a reader's would.
async fn keyboard_steps(tab: Tab) {
    let client = &tab.client;
    let shots = Screenshots::folder();
    set_viewport_width(client, 1280, 900).await;

    // 1. The header in Tab order: skip link, site title, search box,
    //    switcher; each shows a focus ring.
    tab.goto(FRENCH_PAGE).await;
    let mut order = Vec::new();
    for _ in 0..4 {
        press(client, Key::Tab).await;
        let focus = focused(client).await;
        assert_ne!(
            focus["outline"], "none",
            "no focus ring on {}: {focus}",
            focus["element"]
        );
        order.push(focus["element"].as_str().unwrap_or("").to_string());
    }
    assert_eq!(
        order,
        [
            "a.skip-link",
            "a.site-title",
            "input#tolk-search-input",
            "summary"
        ],
        "Tab order of the header"
    );

    // 2. The switcher: Enter opens it and Tab walks its languages in their
    //    configured order; Escape closes it and gives the focus back to its
    //    button; Enter on a language goes there.
    press(client, Key::Enter).await;
    assert!(switcher_open(client).await, "Enter opens the switcher");
    let mut languages = Vec::new();
    for _ in 0..4 {
        press(client, Key::Tab).await;
        languages.push(focused_element(client).await);
    }
    assert_eq!(
        languages,
        [
            "a[hreflang=fr]",
            "a[hreflang=it]",
            "a[hreflang=nl]",
            "a[hreflang=sv]"
        ],
        "Tab walks the open switcher"
    );
    shots.take(client, "10-keyboard-switcher-open").await;
    press(client, Key::Escape).await;
    assert!(!switcher_open(client).await, "Escape closes the switcher");
    assert_eq!(
        focused_element(client).await,
        "summary",
        "Escape gives the focus back to the switcher's button"
    );
    press(client, Key::Enter).await;
    for _ in 0..4 {
        press(client, Key::Tab).await;
    }
    assert_eq!(focused_element(client).await, "a[hreflang=sv]");
    press(client, Key::Enter).await;
    wait_for_url(client, &tab.url("/sv/commerce/b2b-and-b2c/")).await;
    assert_eq!(page_language(client).await, "sv");

    // 3. The search box, a combobox: typing shows the results without
    //    making any of them active.
    tab.goto(FRENCH_PAGE).await;
    for _ in 0..3 {
        press(client, Key::Tab).await;
    }
    assert_eq!(focused_element(client).await, "input#tolk-search-input");
    for letter in "b2b".chars() {
        press(client, letter).await;
    }
    let results = wait_for_answer(client, "b2b").await;
    assert!(
        results.len() >= 2,
        "the French index has two pages with \"b2b\": {results:?}"
    );
    let state = combobox(client).await;
    assert_eq!(state["role"], "combobox", "{state}");
    assert_eq!(state["listRole"], "listbox", "{state}");
    assert_eq!(state["expanded"], "true", "the list is open: {state}");
    assert_eq!(state["listShown"], json!(true), "{state}");
    assert_eq!(state["active"], Value::Null, "nothing active yet: {state}");
    let ids: Vec<Value> = results.iter().map(|r| r["id"].clone()).collect();
    let last = ids.len() - 1;

    // Down and Up move the active option, wrapping at both ends; the focus
    // stays in the box, where the reader can go on typing.
    for (key, expected) in [
        (Key::Down, 0),
        (Key::Down, 1),
        (Key::Up, 0),
        (Key::Up, last),
        (Key::Down, 0),
    ] {
        press(client, key).await;
        let state = combobox(client).await;
        assert_eq!(state["focused"], json!(true), "{key:?}: {state}");
        assert_eq!(state["active"], ids[expected], "{key:?}: {state}");
        assert_eq!(
            state["selected"],
            json!([ids[expected]]),
            "{key:?}: only the active option is selected: {state}"
        );
        assert_eq!(
            state["activeVisible"],
            json!(true),
            "{key:?}: the active option is marked: {state}"
        );
    }
    shots.take(client, "11-keyboard-search-active").await;

    // Escape closes the list, keeps what was typed and the focus in the box.
    press(client, Key::Escape).await;
    let state = combobox(client).await;
    assert_eq!(state["expanded"], "false", "Escape closes: {state}");
    assert_eq!(state["listShown"], json!(false), "{state}");
    assert_eq!(state["active"], Value::Null, "{state}");
    assert_eq!(
        state["focused"],
        json!(true),
        "focus stays in the box: {state}"
    );
    assert_eq!(state["value"], "b2b", "{state}");

    // Down opens it again on the first result.
    press(client, Key::Down).await;
    let state = combobox(client).await;
    assert_eq!(state["expanded"], "true", "Down opens again: {state}");
    assert_eq!(state["active"], ids[0], "{state}");

    // Tab leaves the box for the switcher (the results are not in the Tab
    // order) and closes the list; Shift+Tab comes back.
    press(client, Key::Tab).await;
    assert_eq!(focused_element(client).await, "summary");
    let state = combobox(client).await;
    assert_eq!(state["listShown"], json!(false), "Tab closes: {state}");
    assert_eq!(state["expanded"], "false", "{state}");
    press_with_shift(client, Key::Tab).await;
    assert_eq!(focused_element(client).await, "input#tolk-search-input");

    // Enter on the active result opens it.
    press(client, Key::Down).await;
    let state = combobox(client).await;
    let target = state["activeHref"].as_str().unwrap_or("").to_string();
    assert_eq!(target, results[0]["href"].as_str().unwrap_or(""), "{state}");
    press(client, Key::Enter).await;
    wait_for_url(client, &tab.url(&target)).await;
}

/// Audits each kind of page in each width and colour scheme, then reports
/// every violation found, with its rule, element and URL.
async fn audit_steps(tab: Tab, axe: String) {
    let client = &tab.client;
    let shots = Screenshots::folder();
    client
        .update_timeouts(TimeoutConfiguration::new(
            Some(AUDIT_PATIENCE),
            Some(PATIENCE),
            Some(Duration::ZERO),
        ))
        .await
        .unwrap();
    let mut audits = Audits::default();
    for scheme in ["light", "dark"] {
        // Chromium's own emulation of the reader's setting, through
        // DevTools: it lasts for the tab, across navigations.
        tab.devtools.send(
            "Emulation.setEmulatedMedia",
            json!({ "features": [{ "name": "prefers-color-scheme", "value": scheme }] }),
        );
        for (width, height) in [(360, 780), (1280, 900)] {
            set_viewport_width(client, width, height).await;
            let setting = format!("{width} px, {scheme}");
            for (kind, path, marker) in AUDITED {
                tab.goto(path).await;
                let shown = client.find(Locator::Css(marker)).await;
                assert!(shown.is_ok(), "{path} is not {kind}: no {marker}");
                assert_scheme(client, scheme, path).await;
                audits
                    .run(client, &axe, &format!("{kind}, {setting}"))
                    .await;
            }
            for (kind, path, marker) in AUDITED_GUIDE {
                tab.goto_guide(path).await;
                let shown = client.find(Locator::Css(marker)).await;
                assert!(shown.is_ok(), "{path} is not {kind}: no {marker}");
                audits
                    .run(client, &axe, &format!("{kind}, {setting}"))
                    .await;
            }
            for (kind, path, marker) in AUDITED_WITH_HISTORY {
                tab.goto_history(path).await;
                let shown = client.find(Locator::Css(marker)).await;
                assert!(shown.is_ok(), "{path} is not {kind}: no {marker}");
                assert_scheme(client, scheme, path).await;
                audits
                    .run(client, &axe, &format!("{kind}, {setting}"))
                    .await;
                shots
                    .take(
                        client,
                        &format!(
                            "13-audit-{}-{width}px-{scheme}",
                            marker.trim_start_matches('.')
                        ),
                    )
                    .await;
            }

            // What only shows after the reader opens it: the switcher's
            // list, the search results with one of them active, and a
            // search that finds nothing.
            tab.goto(FRENCH_PAGE).await;
            client
                .find(Locator::Css(".lang-switcher summary"))
                .await
                .unwrap()
                .click()
                .await
                .unwrap();
            assert!(switcher_open(client).await);
            audits
                .run(client, &axe, &format!("the open switcher, {setting}"))
                .await;
            press(client, Key::Escape).await;
            let results = search_answer(client, "b2b").await;
            assert!(results.len() >= 2, "{results:?}");
            press(client, Key::Down).await;
            press(client, Key::Down).await;
            audits
                .run(client, &axe, &format!("open search results, {setting}"))
                .await;
            shots
                .take(client, &format!("12-audit-search-{width}px-{scheme}"))
                .await;
            let results = search_answer(client, "zzyzx").await;
            assert!(results.is_empty(), "{results:?}");
            audits
                .run(
                    client,
                    &axe,
                    &format!("a search without results, {setting}"),
                )
                .await;
        }
    }
    assert!(
        audits.violations.is_empty(),
        "axe-core {} found violations in {} audits:\n\n{}",
        audits.version,
        audits.count,
        audits.report()
    );
}

/// The audits run so far and the violations they found: for each rule and
/// element, where it was seen.
#[derive(Default)]
struct Audits {
    count: usize,
    version: String,
    violations: Vec<(String, Vec<String>)>,
}

impl Audits {
    /// Runs axe-core on the page as it is now (injected first when the page
    /// does not have it yet); keeps one report per violated rule.
    async fn run(&mut self, client: &Client, axe: &str, what: &str) {
        let url = client.current_url().await.unwrap();
        let loaded = client
            .execute("return typeof window.axe === 'object';", vec![])
            .await
            .unwrap();
        if loaded != json!(true) {
            let version = client
                .execute(
                    &format!("{axe}\n;return window.axe ? window.axe.version : null;"),
                    vec![],
                )
                .await
                .unwrap();
            let Some(version) = version.as_str() else {
                panic!("axe-core did not load on {url}");
            };
            self.version = version.to_string();
        }
        let answer = client
            .execute_async(
                "const [tags, done] = arguments;
                 axe.run(document, {
                   runOnly: { type: 'tag', values: tags },
                   resultTypes: ['violations'],
                 }).then(
                   results => done({ violations: results.violations.map(rule => ({
                     id: rule.id,
                     impact: rule.impact,
                     help: rule.help,
                     helpUrl: rule.helpUrl,
                     nodes: rule.nodes.map(node => ({
                       target: node.target.map(String).join(' '),
                       html: node.html,
                       summary: node.failureSummary,
                     })),
                   })) }),
                   error => done({ error: String(error && error.stack || error) }),
                 );",
                vec![json!(AXE_TAGS)],
            )
            .await
            .unwrap_or_else(|err| panic!("axe-core did not answer on {url} ({what}): {err}"));
        if let Some(error) = answer.get("error") {
            panic!("axe-core failed on {url} ({what}): {error}");
        }
        self.count += 1;
        let place = format!("{url} ({what})");
        for rule in answer["violations"].as_array().into_iter().flatten() {
            for node in rule["nodes"].as_array().into_iter().flatten() {
                let violation = describe_violation(rule, node);
                match self.violations.iter_mut().find(|(v, _)| *v == violation) {
                    Some((_, places)) => places.push(place.clone()),
                    None => self.violations.push((violation, vec![place.clone()])),
                }
            }
        }
    }

    /// Each violation once, with every page and setting it was seen in.
    fn report(&self) -> String {
        let reports: Vec<String> = self
            .violations
            .iter()
            .map(|(violation, places)| {
                format!("{violation}\n  seen on:\n    {}", places.join("\n    "))
            })
            .collect();
        reports.join("\n\n")
    }
}

/// `rule (impact): help`, the rule's page, and the element: its selector,
/// its HTML and what is wrong with it.
fn describe_violation(rule: &Value, node: &Value) -> String {
    let text = |value: &Value| value.as_str().unwrap_or("").to_string();
    format!(
        "{} ({}): {}\n  {}\n  element: {}\n    {}\n    {}",
        text(&rule["id"]),
        text(&rule["impact"]),
        text(&rule["help"]),
        text(&rule["helpUrl"]),
        text(&node["target"]),
        text(&node["html"]),
        text(&node["summary"]).replace('\n', "\n    ")
    )
}

/// Checks that the page is shown in `scheme`: the media query answers, and
/// the page's background is light or dark accordingly.
async fn assert_scheme(client: &Client, scheme: &str, path: &str) {
    let seen = client
        .execute(
            "return {
               dark: matchMedia('(prefers-color-scheme: dark)').matches,
               background: getComputedStyle(document.body).backgroundColor,
             };",
            vec![],
        )
        .await
        .unwrap();
    let dark = scheme == "dark";
    assert_eq!(seen["dark"], json!(dark), "{path} in {scheme}: {seen}");
    let channels: Vec<u32> = seen["background"]
        .as_str()
        .unwrap_or("")
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .take(3)
        .collect();
    let brightness: u32 = channels.iter().sum();
    assert!(
        channels.len() == 3
            && (if dark {
                brightness < 200
            } else {
                brightness > 600
            }),
        "{path} in {scheme} has the background {}",
        seen["background"]
    );
}

/// The search box as assistive technology sees it: its role and ARIA state,
/// the list it controls, the active option, and where the focus is.
async fn combobox(client: &Client) -> Value {
    client
        .execute(
            "const input = document.getElementById('tolk-search-input');
             const list = document.getElementById(input.getAttribute('aria-controls'));
             const activeId = input.getAttribute('aria-activedescendant');
             const active = activeId ? document.getElementById(activeId) : null;
             const inList = active && list && list.contains(active) ? active : null;
             const style = inList ? getComputedStyle(inList) : null;
             return {
               role: input.getAttribute('role'),
               expanded: input.getAttribute('aria-expanded'),
               listRole: list && list.getAttribute('role'),
               listShown: !!list && list.getClientRects().length > 0,
               active: activeId,
               activeHref: inList && inList.getAttribute('role') === 'option'
                 ? inList.getAttribute('href') : null,
               activeVisible: !!style && style.outlineStyle !== 'none'
                 && parseFloat(style.outlineWidth) >= 2,
               selected: list ? Array.from(list.querySelectorAll('[role=option]'))
                 .filter(o => o.getAttribute('aria-selected') === 'true').map(o => o.id) : [],
               focused: document.activeElement === input,
               value: input.value,
             };",
            vec![],
        )
        .await
        .unwrap()
}

/// Whether the language switcher is open.
async fn switcher_open(client: &Client) -> bool {
    client
        .execute(
            "const d = document.querySelector('.lang-switcher details'); return !!d && d.open;",
            vec![],
        )
        .await
        .unwrap()
        == json!(true)
}

/// The focused element, described as `tag#id`, `tag.class` or
/// `tag[hreflang=xx]`, with its computed outline style.
async fn focused(client: &Client) -> Value {
    client
        .execute(
            "const e = document.activeElement;
             if (!e || e === document.body) return { element: 'body', outline: 'none' };
             let name = e.tagName.toLowerCase();
             if (e.id) name += '#' + e.id;
             else if (e.hasAttribute('hreflang')) name += '[hreflang=' + e.getAttribute('hreflang') + ']';
             else if (e.classList.length) name += '.' + Array.from(e.classList).join('.');
             return { element: name, outline: getComputedStyle(e).outlineStyle };",
            vec![],
        )
        .await
        .unwrap()
}

async fn focused_element(client: &Client) -> String {
    focused(client).await["element"]
        .as_str()
        .unwrap_or("")
        .to_string()
}

/// Presses and releases `key` (a character or a `Key`) on whatever has the
/// focus, as a keyboard does.
async fn press(client: &Client, key: impl Into<char>) {
    let key = key.into();
    let keys = KeyActions::new("keyboard".to_string())
        .then(KeyAction::Down { value: key })
        .then(KeyAction::Up { value: key });
    client.perform_actions(keys).await.unwrap();
}

/// `key` with Shift held.
async fn press_with_shift(client: &Client, key: impl Into<char>) {
    let (key, shift) = (key.into(), char::from(Key::Shift));
    let keys = KeyActions::new("keyboard".to_string())
        .then(KeyAction::Down { value: shift })
        .then(KeyAction::Down { value: key })
        .then(KeyAction::Up { value: key })
        .then(KeyAction::Up { value: shift });
    client.perform_actions(keys).await.unwrap();
}

/// Waits until the browser shows `url` (after a click on a link).
async fn wait_for_url(client: &Client, url: &str) {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let now = client.current_url().await.unwrap();
        if now.as_str() == url {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "expected {url}, the browser shows {now}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// `<html lang>` of the current page.
async fn page_language(client: &Client) -> String {
    let lang = client
        .execute("return document.documentElement.lang;", vec![])
        .await
        .unwrap();
    lang.as_str().unwrap_or_default().to_string()
}

/// Types `query` into the search box and waits for a result linking to
/// `expected`; returns every result shown (href, title, section, marked
/// words of the snippet).
async fn search(client: &Client, query: &str, expected: &str) -> Vec<Value> {
    let results = search_answer(client, query).await;
    if !results.iter().any(|r| r["href"] == expected) {
        panic!("no result for {query:?} links to {expected}: {results:?}");
    }
    results
}

/// Types `query` into the search box and returns the results once the list
/// answers that query.
async fn search_answer(client: &Client, query: &str) -> Vec<Value> {
    let input = client
        .wait()
        .at_most(PATIENCE)
        .for_element(Locator::Css("#tolk-search-input"))
        .await
        .unwrap();
    assert!(input.is_displayed().await.unwrap(), "the search box shows");
    input.click().await.unwrap();
    input.clear().await.unwrap();
    input.send_keys(query).await.unwrap();
    wait_for_answer(client, query).await
}

/// Waits until the results answer `query` (the list names the query it
/// shows results for, so an earlier answer never counts) and returns them:
/// id, href, title, section and the marked words of the snippet.
async fn wait_for_answer(client: &Client, query: &str) -> Vec<Value> {
    let answered = format!(".search-results[data-query='{query}']");
    if let Err(err) = client
        .wait()
        .at_most(PATIENCE)
        .for_element(Locator::Css(&answered))
        .await
    {
        let shown = match client.find(Locator::Css(".site-search")).await {
            Ok(element) => element.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        panic!("no answer to {query:?}: {err}; the search box shows {shown:?}");
    }
    let found = client
        .execute(
            "const text = (option, selector) =>
               (option.querySelector(selector) || {}).textContent || '';
             return Array.from(document.querySelectorAll('.search-results [role=option]')).map(option => ({
               id: option.id,
               href: option.getAttribute('href'),
               title: text(option, '.search-result-title'),
               section: text(option, '.search-result-section'),
               marked: Array.from(option.querySelectorAll('mark')).map(m => m.textContent).join(' '),
             }));",
            vec![],
        )
        .await
        .unwrap();
    found.as_array().cloned().unwrap_or_default()
}

/// Resizes the window until the page's viewport is `width` CSS pixels wide
/// (the window may add a frame around it).
async fn set_viewport_width(client: &Client, width: u32, height: u32) {
    let mut window = width;
    for _ in 0..3 {
        client.set_window_size(window, height).await.unwrap();
        let inner = client
            .execute("return window.innerWidth;", vec![])
            .await
            .unwrap()
            .as_u64()
            .unwrap_or(0) as u32;
        if inner == width {
            return;
        }
        window = (window + width).saturating_sub(inner);
    }
}

// ---------------------------------------------------------------------------
// The browser

/// The browser, or `None` when `test` cannot run here (see `cannot_run`).
fn browser_for(test: &str) -> Option<Browser> {
    match Browser::find() {
        Ok(browser) => Some(browser),
        Err(missing) => cannot_run(test, &[missing]),
    }
}

/// The browser and axe-core's script, or `None` when `test` cannot run here.
fn browser_and_axe_for(test: &str) -> Option<(Browser, String)> {
    match (Browser::find(), axe_core()) {
        (Ok(browser), Ok(axe)) => Some((browser, axe)),
        (browser, axe) => {
            let missing: Vec<String> = [browser.err(), axe.err()].into_iter().flatten().collect();
            cannot_run(test, &missing)
        }
    }
}

/// A test whose prerequisites are missing. libtest has no "skipped"
/// outcome: a test that returns early is counted as passed. So under CI
/// (the `CI` variable set) it fails. Elsewhere it is skipped and says so
/// twice on stderr, which the harness does not capture when written to
/// the handle (it captures a test's `print!` and `eprint!` only): at once,
/// on a line of its own next to the test's `... ok`, and, on Linux, again
/// under libtest's summary line, when the process exits (`say_skips`).
pub(crate) fn cannot_run<T>(test: &str, missing: &[String]) -> Option<T> {
    let missing = missing.join("; ");
    if std::env::var_os("CI").is_some() {
        panic!("{test} must run under CI, but {missing}");
    }
    let _ = writeln!(
        std::io::stderr().lock(),
        "{} {test}: not run, though counted as passed: {missing}",
        skipped_label(),
    );
    SKIPPED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .push(test.to_string());
    None
}

/// The tests of this process that `cannot_run` skipped.
static SKIPPED: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

/// `SKIPPED`, in bold yellow on a terminal.
fn skipped_label() -> &'static str {
    if std::io::stderr().is_terminal() {
        "\x1b[1;33mSKIPPED\x1b[0m"
    } else {
        "SKIPPED"
    }
}

/// Runs as the test process exits, after libtest has printed its summary
/// (`test result: ok. 4 passed; …`), so that the skips are said right under
/// the line people read. The C runtime calls what `.fini_array` lists from
/// `exit`, whether libtest returns from `main` or calls `process::exit`.
#[cfg(target_os = "linux")]
#[used]
#[unsafe(link_section = ".fini_array")]
static SAY_SKIPS_AT_EXIT: extern "C" fn() = say_skips;

#[cfg(target_os = "linux")]
extern "C" fn say_skips() {
    // No panic may leave an `extern "C"` function: every error is ignored.
    let skipped = match SKIPPED.lock() {
        Ok(skipped) => skipped.clone(),
        Err(poisoned) => poisoned.into_inner().clone(),
    };
    if !skipped.is_empty() {
        let _ = writeln!(
            std::io::stderr().lock(),
            "{} {} of the tests above ({}) did not run, though counted as passed: {}\n",
            skipped_label(),
            skipped.len(),
            file!(),
            skipped.join(", ")
        );
    }
}

/// axe-core's script: the file `TOLK_AXE_CORE` names, else the one `.ci/run`
/// installs (the pinned npm package under `target/npm/`).
fn axe_core() -> Result<String, String> {
    let path = match std::env::var_os("TOLK_AXE_CORE") {
        Some(path) => PathBuf::from(path),
        None => Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("target/npm/node_modules/axe-core/axe.min.js"),
    };
    match std::fs::read_to_string(&path) {
        Ok(script) if script.contains("axe") => Ok(script),
        Ok(_) => Err(format!("{} is not axe-core", path.display())),
        Err(err) => Err(format!(
            "axe-core is not at {} ({err}; `bash .ci/run` installs it, \
             or set TOLK_AXE_CORE to an axe.min.js)",
            path.display()
        )),
    }
}

/// Builds and serves the example site, opens a browser on it and runs
/// `steps`. Chromium is closed even when a step failed, then the failure
/// shows.
fn run_in_browser<F, Steps>(browser: &Browser, steps: F)
where
    F: FnOnce(Tab) -> Steps,
    Steps: Future<Output = ()> + Send + 'static,
{
    let site = tempfile::tempdir().unwrap();
    let public = site.path().join("public");
    let report = build(&BuildOptions {
        root: PathBuf::from(env!("CARGO_MANIFEST_DIR")),
        out: Some(public.clone()),
        ..Default::default()
    });
    assert_eq!(report.errors(), 0, "{:#?}", report.diagnostics);
    assert!(
        public.join("pagefind/pagefind.js").is_file(),
        "the example site builds its search index"
    );

    let server = StaticServer::start(&public);
    let history = crate::common::stale_site();
    let history_public = history.path().join("public");
    let report = build(&BuildOptions {
        root: history.path().to_path_buf(),
        out: Some(history_public.clone()),
        ..Default::default()
    });
    assert_eq!(report.errors(), 0, "{:#?}", report.diagnostics);
    let history_server = StaticServer::start(&history_public);
    let guide = crate::common::long_guide_site();
    let guide_public = guide.path().join("public");
    let report = crate::common::build_into(guide.path(), &guide_public);
    assert_eq!(report.errors(), 0, "{:#?}", report.diagnostics);
    let guide_server = StaticServer::start(&guide_public);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let session = browser.open().await;
        let tab = Tab {
            client: session.client.clone(),
            origin: server.origin(),
            history_origin: history_server.origin(),
            guide_origin: guide_server.origin(),
            devtools: session.devtools().await,
        };
        let outcome = tokio::spawn(steps(tab)).await;
        session.close().await;
        if let Err(failure) = outcome {
            match failure.try_into_panic() {
                Ok(panic) => std::panic::resume_unwind(panic),
                Err(failure) => panic!("the browser steps did not finish: {failure}"),
            }
        }
    });
}

/// What the steps work with: the browser, the site's address, and DevTools
/// for what WebDriver has no command for.
struct Tab {
    client: Client,
    origin: String,
    /// A second site whose source has a git history: a stale translation
    /// with a dated notice, and its review page.
    history_origin: String,
    /// A third site: one guide longer than a sidebar shows.
    guide_origin: String,
    devtools: DevTools,
}

impl Tab {
    /// The full URL of a path of the site.
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.origin)
    }

    /// Opens a path of the site and waits for it to load.
    async fn goto(&self, path: &str) {
        self.client.goto(&self.url(path)).await.unwrap();
    }

    /// Opens a path of the site of one long guide.
    async fn goto_guide(&self, path: &str) {
        let url = format!("{}{path}", self.guide_origin);
        self.client.goto(&url).await.unwrap();
    }

    /// Opens a path of the site with a history.
    async fn goto_history(&self, path: &str) {
        let url = format!("{}{path}", self.history_origin);
        self.client.goto(&url).await.unwrap();
    }
}

/// Chromium's DevTools protocol through chromedriver's
/// `POST /session/{id}/goog/cdp/execute`: fantoccini has no call for it,
/// and one HTTP/1.1 request on the loopback needs no client library.
struct DevTools {
    port: u16,
    session: String,
}

impl DevTools {
    /// Sends one command and returns its result; panics on an error.
    fn send(&self, command: &str, params: Value) -> Value {
        let body = json!({ "cmd": command, "params": params }).to_string();
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        stream.set_read_timeout(Some(PATIENCE)).unwrap();
        let request = format!(
            "POST /session/{}/goog/cdp/execute HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\
             Content-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\n\
             Connection: close\r\n\r\n{body}",
            self.session,
            self.port,
            body.len()
        );
        stream.write_all(request.as_bytes()).unwrap();
        // chromedriver keeps the connection open: read the head, then as
        // many bytes as it announces.
        let mut reader = BufReader::new(stream);
        let mut head = String::new();
        let mut length = 0;
        loop {
            let mut line = String::new();
            reader
                .read_line(&mut line)
                .unwrap_or_else(|err| panic!("no answer from DevTools to {command}: {err}"));
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap_or(0);
            }
            if line.trim().is_empty() {
                break;
            }
            head.push_str(&line);
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        let body = String::from_utf8_lossy(&body);
        assert!(
            head.starts_with("HTTP/1.1 200"),
            "DevTools {command} failed: {head}\n{body}"
        );
        let answer: Value = serde_json::from_str(&body)
            .unwrap_or_else(|err| panic!("DevTools {command}: {err} in {body:?}"));
        answer["value"].clone()
    }
}

/// Chromium and chromedriver as installed.
struct Browser {
    chromium: PathBuf,
    chromedriver: PathBuf,
}

impl Browser {
    /// The installed programs, or what is missing.
    fn find() -> Result<Browser, String> {
        let chromium = program("TOLK_CHROMIUM", &["chromium", "chromium-browser"]);
        let chromedriver = program("TOLK_CHROMEDRIVER", &["chromedriver"]);
        match (chromium, chromedriver) {
            (Some(chromium), Some(chromedriver)) => Ok(Browser {
                chromium,
                chromedriver,
            }),
            (chromium, chromedriver) => {
                let missing: Vec<&str> = [("chromium", chromium), ("chromedriver", chromedriver)]
                    .into_iter()
                    .filter(|(_, found)| found.is_none())
                    .map(|(name, _)| name)
                    .collect();
                let verb = if missing.len() == 1 { "is" } else { "are" };
                Err(format!(
                    "{} {verb} not installed (apt-get install chromium chromium-driver, \
                     or set TOLK_CHROMIUM and TOLK_CHROMEDRIVER)",
                    missing.join(" and ")
                ))
            }
        }
    }

    /// Starts chromedriver on a free port and a new browser session with a
    /// profile of its own.
    async fn open(&self) -> Session {
        let port = free_port();
        let log = Screenshots::folder().path.join("chromedriver.log");
        let driver = Command::new(&self.chromedriver)
            .arg(format!("--port={port}"))
            .arg(format!("--log-path={}", log.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|err| panic!("cannot start {}: {err}", self.chromedriver.display()));
        let driver = ChildGuard(driver);
        wait_for_port(port);
        let profile = tempfile::tempdir().unwrap();
        let mut args: Vec<String> = CHROMIUM_SWITCHES.iter().map(|s| s.to_string()).collect();
        args.push(format!("--user-data-dir={}", profile.path().display()));
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("browserName".into(), json!("chrome"));
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({ "binary": self.chromium, "args": args }),
        );
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector)
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .unwrap_or_else(|err| panic!("no browser session: {err} (see {})", log.display()));
        // Bounded waits for scripts and page loads (WebDriver's default is
        // a minute or more).
        client
            .update_timeouts(TimeoutConfiguration::new(
                Some(PATIENCE),
                Some(PATIENCE),
                Some(Duration::ZERO),
            ))
            .await
            .unwrap();
        Session {
            client,
            port,
            _driver: driver,
            _profile: profile,
        }
    }
}

/// A browser session; closing it ends Chromium, dropping it ends chromedriver.
struct Session {
    client: Client,
    port: u16,
    _driver: ChildGuard,
    _profile: tempfile::TempDir,
}

impl Session {
    async fn devtools(&self) -> DevTools {
        let session = self.client.session_id().await.unwrap();
        DevTools {
            port: self.port,
            session: session.expect("a WebDriver session has an id"),
        }
    }

    async fn close(self) {
        let _ = self.client.clone().close().await;
    }
}

/// Kills the child process it holds (only that one) when dropped.
struct ChildGuard(Child);

impl Drop for ChildGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `$VARIABLE`, else the first of `names` found on the PATH.
fn program(variable: &str, names: &[&str]) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(variable) {
        return Some(PathBuf::from(path)).filter(|p| p.is_file());
    }
    let path = std::env::var_os("PATH")?;
    names.iter().find_map(|name| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(name))
            .find(|candidate| candidate.is_file())
    })
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap()
}

fn wait_for_port(port: u16) {
    let deadline = Instant::now() + PATIENCE;
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "chromedriver did not start listening"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// PNG screenshots under `<target>/browser-screenshots/`.
struct Screenshots {
    path: PathBuf,
}

impl Screenshots {
    fn folder() -> Screenshots {
        // The test binary lives in <target>/<profile>/deps/.
        let target = std::env::current_exe()
            .ok()
            .and_then(|exe| Some(exe.parent()?.parent()?.parent()?.to_path_buf()))
            .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
        let path = target.join("browser-screenshots");
        std::fs::create_dir_all(&path).unwrap();
        Screenshots { path }
    }

    async fn take(&self, client: &Client, step: &str) {
        let png = client.screenshot().await.unwrap();
        assert!(png.starts_with(b"\x89PNG"), "{step}: not a PNG");
        std::fs::write(self.path.join(format!("{step}.png")), png).unwrap();
    }
}

// ---------------------------------------------------------------------------
// A static file server for the built site

/// Serves a folder on 127.0.0.1 until dropped: GET and HEAD, `index.html`
/// for folders, the site's `404.html` for missing files. One thread per
/// connection, one request per connection.
struct StaticServer {
    port: u16,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl StaticServer {
    fn start(root: &Path) -> StaticServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let root = root.to_path_buf();
        let stopped = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopped.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let root = root.clone();
                std::thread::spawn(move || {
                    let _ = serve(&root, stream);
                });
            }
        });
        StaticServer {
            port,
            stop,
            thread: Some(thread),
        }
    }

    fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port)); // wakes the accept loop
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn serve(root: &Path, stream: TcpStream) -> std::io::Result<()> {
    stream.set_read_timeout(Some(PATIENCE))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    // Headers are read and ignored: nothing here depends on them.
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header.trim().is_empty() {
            break;
        }
    }
    let mut parts = request_line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or("/"));
    let mut stream = stream;
    if method != "GET" && method != "HEAD" {
        return respond(
            &mut stream,
            "405 Method Not Allowed",
            "text/plain",
            b"",
            true,
        );
    }
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let Some(relative) = decode_path(path) else {
        return respond(
            &mut stream,
            "400 Bad Request",
            "text/plain",
            b"bad path",
            method == "GET",
        );
    };
    let mut file = root.join(&relative);
    if file.is_dir() {
        if !path.ends_with('/') {
            let location = format!("{path}/");
            let head = format!(
                "HTTP/1.1 301 Moved Permanently\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
            stream.write_all(head.as_bytes())?;
            return stream.shutdown(Shutdown::Both);
        }
        file = file.join("index.html");
    }
    match std::fs::read(&file) {
        Ok(body) => respond(
            &mut stream,
            "200 OK",
            content_type(&file),
            &body,
            method == "GET",
        ),
        Err(_) => {
            let body = std::fs::read(root.join("404.html")).unwrap_or_default();
            respond(
                &mut stream,
                "404 Not Found",
                "text/html; charset=utf-8",
                &body,
                method == "GET",
            )
        }
    }
}

fn respond(
    stream: &mut TcpStream,
    status: &str,
    content_type: &str,
    body: &[u8],
    with_body: bool,
) -> std::io::Result<()> {
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    if with_body {
        stream.write_all(body)?;
    }
    stream.flush()?;
    // Let the browser read everything before the connection goes.
    let _ = stream.shutdown(Shutdown::Write);
    let _ = stream.read(&mut [0; 64]);
    Ok(())
}

/// `/nl/caf%C3%A9/` -> `nl/café/`; `None` for paths that would leave the
/// site folder or are not UTF-8.
fn decode_path(path: &str) -> Option<PathBuf> {
    let bytes = path.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok()?;
            decoded.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            decoded.push(bytes[i]);
            i += 1;
        }
    }
    let text = String::from_utf8(decoded).ok()?;
    let mut relative = PathBuf::new();
    for segment in text.split('/').filter(|s| !s.is_empty() && *s != ".") {
        if segment == ".." || segment.contains('\\') {
            return None;
        }
        relative.push(segment);
    }
    Some(relative)
}

/// The Content-Type for a file of the site, by its extension.
fn content_type(file: &Path) -> &'static str {
    let extension = file
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match extension.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml",
        "txt" => "text/plain; charset=utf-8",
        "wasm" => "application/wasm",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "svg" => "image/svg+xml",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        // Pagefind's index, fragments, metadata and WebAssembly: gzip
        // streams its script decompresses itself, so no Content-Encoding.
        "pagefind" | "pf_meta" | "pf_index" | "pf_fragment" | "pf_filter" => {
            "application/octet-stream"
        }
        _ => "application/octet-stream",
    }
}

#[test]
fn the_file_server_maps_urls_to_files_safely() {
    assert_eq!(
        decode_path("/nl/caf%C3%A9/"),
        Some(PathBuf::from("nl/café"))
    );
    assert_eq!(decode_path("/"), Some(PathBuf::new()));
    assert_eq!(decode_path("/a/../../etc/passwd"), None);
    assert_eq!(decode_path("/%2e%2e/x"), None);
    assert_eq!(
        content_type(Path::new("pagefind/pagefind.js")),
        "text/javascript; charset=utf-8"
    );
    assert_eq!(
        content_type(Path::new("pagefind/wasm.sv.pagefind")),
        "application/octet-stream"
    );
    assert_eq!(content_type(Path::new("sitemap.xml")), "application/xml");
}
