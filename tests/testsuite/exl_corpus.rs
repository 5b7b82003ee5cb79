//! A real Experience League guide end to end: Adobe's Commerce merchant
//! services guide in five languages (`tests/fixtures/merchant-services`).
//! Built once; every output file is read the way a reader sees it, and no
//! extension syntax may show anywhere. Every warning left is a defect of
//! the source, listed below by file and line.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::common::*;
use scraper::{Html, Node};

fn built() -> &'static BuiltFixture {
    static BUILT: OnceLock<BuiltFixture> = OnceLock::new();
    BUILT.get_or_init(|| build_fixture("merchant-services"))
}

const LANGUAGES: &[&str] = &["en", "fr", "it", "nl", "sv"];

/// What a reader must never see: Experience League syntax, attribute lists
/// and entities escaped twice.
const VISIBLE_SYNTAX: &[&str] = &[
    "[!UICONTROL",
    "[!DNL",
    "[!BADGE",
    "[!NOTE",
    "[!TIP",
    "[!IMPORTANT",
    "[!WARNING",
    "[!CAUTION",
    "[!INFO",
    "[!ADMIN",
    "[!AVAILABILITY",
    "[!PREREQUISITES",
    "[!MORELIKETHIS",
    "[!BEGINTABS",
    "[!TAB ",
    "[!ENDTABS",
    "[!BEGINSHADEBOX",
    "[!ENDSHADEBOX",
    "[!VIDEO",
    "{style=",
    "{width=",
    "{target=",
    "{type=",
    "{url=",
    "{tooltip=",
    "zoomable=",
    "{{$include",
    "&quot;",
    "&#39;",
    "&amp;",
];

/// The syntax tokens found in `text`, with some context.
fn syntax_in(text: &str) -> Vec<String> {
    let mut found: Vec<String> = VISIBLE_SYNTAX
        .iter()
        .filter_map(|needle| text.find(needle).map(|at| context(text, at)))
        .collect();
    if let Some(at) = snippet_reference(text) {
        found.push(context(text, at));
    }
    found
}

/// `{{name}}`: a snippet reference left unexpanded.
fn snippet_reference(text: &str) -> Option<usize> {
    text.match_indices("{{").map(|(at, _)| at).find(|&at| {
        let rest = &text[at + 2..];
        let name_len = rest
            .find(|ch: char| !(ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-'))
            .unwrap_or(rest.len());
        name_len > 0 && rest[name_len..].starts_with("}}")
    })
}

fn context(text: &str, at: usize) -> String {
    let start = text.floor_char_boundary(at.saturating_sub(40));
    let end = text.ceil_char_boundary((at + 40).min(text.len()));
    text[start..end].to_string()
}

/// A page as a reader meets it: the text outside code, the title, and every
/// `<meta>` content (description, Open Graph).
fn reader_text(html: &Html) -> String {
    let mut parts = Vec::new();
    for node in html.tree.root().descendants() {
        let Node::Text(text) = node.value() else {
            continue;
        };
        let in_code = node.ancestors().any(|a| {
            a.value()
                .as_element()
                .is_some_and(|e| matches!(e.name(), "code" | "pre" | "script" | "style"))
        });
        if !in_code {
            parts.push(text.to_string());
        }
    }
    for meta in select(html, "meta[content]") {
        parts.push(meta.value().attr("content").unwrap_or_default().to_string());
    }
    parts.join(" ")
}

fn output_files(extension: &str) -> Vec<PathBuf> {
    walkdir::WalkDir::new(&built().out)
        .into_iter()
        .map(|entry| entry.unwrap().into_path())
        .filter(|path| path.extension().is_some_and(|e| e == extension))
        .collect()
}

fn relative(path: &Path) -> String {
    path.strip_prefix(&built().out)
        .unwrap()
        .display()
        .to_string()
}

#[test]
fn exl_corpus_shows_no_extension_syntax_in_any_page_list_or_head() {
    let pages = output_files("html");
    assert!(pages.len() >= 710, "{} pages", pages.len());
    let mut seen = Vec::new();
    for page in &pages {
        let text = reader_text(&read_html(page));
        seen.extend(
            syntax_in(&text)
                .into_iter()
                .map(|found| format!("{}: {found}", relative(page))),
        );
    }
    assert!(
        seen.is_empty(),
        "{} found:\n{}",
        seen.len(),
        seen.join("\n")
    );
}

/// Where a link of the page in `page` (a file of the output) leads: its
/// file, or its folder's `index.html`; `None` for links out of the site
/// and anchors.
fn target_of(page: &Path, href: &str) -> Option<PathBuf> {
    let path = href.split(['#', '?']).next().unwrap_or_default();
    if path.is_empty() || path.starts_with("//") || path.contains(':') {
        return None;
    }
    let file = match path.strip_prefix('/') {
        Some(site_relative) => built().out.join(site_relative),
        None => page.parent().unwrap().join(path),
    };
    Some(if path.ends_with('/') {
        file.join("index.html")
    } else {
        file
    })
}

#[test]
fn exl_corpus_internal_links_all_lead_to_a_page() {
    let selector = scraper::Selector::parse("article a[href]").unwrap();
    let mut dead = Vec::new();
    for page in output_files("html") {
        let html = read_html(&page);
        for link in html.select(&selector) {
            let href = link.value().attr("href").unwrap_or_default();
            if target_of(&page, href).is_some_and(|target| !target.exists()) {
                dead.push(format!("{}: {href}", relative(&page)));
            }
        }
    }
    assert!(dead.is_empty(), "{} dead links: {dead:#?}", dead.len());
}

#[test]
fn exl_corpus_feeds_carry_plain_titles_and_summaries() {
    let feeds = output_files("xml");
    assert!(feeds.iter().any(|f| f.ends_with("fr/atom.xml")));
    for feed in feeds {
        let xml = std::fs::read_to_string(&feed).unwrap();
        // XML escapes `&` itself; only Experience League syntax is wrong here.
        let found: Vec<String> = syntax_in(&xml)
            .into_iter()
            .filter(|found| !found.contains("&amp;"))
            .collect();
        assert!(found.is_empty(), "{}: {found:?}", relative(&feed));
    }
}

#[test]
fn exl_corpus_every_translation_is_in_the_switcher() {
    let english = built().out.join("en/help");
    let mut checked = 0;
    for page in walkdir::WalkDir::new(&english)
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .filter(|p| p.ends_with("index.html"))
    {
        let html = read_html(&page);
        for lang in &LANGUAGES[1..] {
            let href = attr(&html, &format!(".lang-switcher a[hreflang={lang}]"), "href");
            let href = href.unwrap_or_else(|| panic!("{}: no {lang} link", relative(&page)));
            let target = built()
                .out
                .join(href.trim_start_matches('/'))
                .join("index.html");
            assert!(target.exists(), "{}: {href} leads nowhere", relative(&page));
        }
        checked += 1;
    }
    assert!(checked >= 142, "{checked} English pages");
}

/// Every warning the guide deserves: a defect of its source at a file and
/// line, by the start of the message.
const EXPECTED_WARNINGS: &[(&str, Option<usize>, &str)] = &[
    // Raw HTML on the landing page that tolk does not trust by default.
    ("en/help/landing/home.md", None, "HTML removed"),
    ("fr/help/landing/home.md", None, "HTML removed"),
    ("it/help/landing/home.md", None, "HTML removed"),
    ("nl/help/landing/home.md", None, "HTML removed"),
    ("sv/help/landing/home.md", None, "HTML removed"),
    // Machine-translated badge types, once per file.
    (
        "fr/help/live-search/release-notes.md",
        Some(209),
        "badge type `Informatif`",
    ),
    (
        "it/help/live-search/release-notes.md",
        Some(209),
        "badge type `Informativo`",
    ),
    (
        "nl/help/live-search/release-notes.md",
        Some(209),
        "badge type `Informatief`",
    ),
    (
        "sv/help/live-search/release-notes.md",
        Some(209),
        "badge type `Informativ`",
    ),
    // Links broken by machine translation, their attribute list left behind.
    (
        "nl/help/live-search/plp-styling.md",
        Some(139),
        "attribute list `{width",
    ),
    (
        "nl/help/payment-services/line-items.md",
        Some(126),
        "attribute list `{target",
    ),
    (
        "nl/help/payment-services/line-items.md",
        Some(130),
        "attribute list `{target",
    ),
    (
        "nl/help/payment-services/order-payment-status.md",
        Some(248),
        "attribute list `{target",
    ),
    (
        "nl/help/payment-services/refunds.md",
        Some(33),
        "attribute list `{target",
    ),
    (
        "nl/help/payment-services/release-notes.md",
        Some(382),
        "attribute list `{target",
    ),
    (
        "nl/help/payment-services/security.md",
        Some(28),
        "attribute list `{target",
    ),
    (
        "nl/help/payment-services/settings.md",
        Some(270),
        "attribute list `{width",
    ),
    (
        "nl/help/payment-services/transactions.md",
        Some(135),
        "attribute list `{target",
    ),
    (
        "sv/help/payment-services/release-notes.md",
        Some(382),
        "attribute list `{target",
    ),
];

#[test]
fn exl_corpus_warns_only_about_defects_of_its_source() {
    let seen: BTreeSet<(String, Option<usize>, String)> = built()
        .report
        .diagnostics
        .iter()
        .map(|d| {
            let file = d.file.as_deref().map(|f| f.display().to_string());
            let file = file.unwrap_or_default();
            let file = file.trim_start_matches("content/").to_string();
            (file, d.line, d.message.clone())
        })
        .collect();
    let expected = |(file, line, message): &(String, Option<usize>, String)| {
        EXPECTED_WARNINGS
            .iter()
            .any(|(f, l, m)| f == file && l == line && message.starts_with(m))
    };
    let unexpected: Vec<_> = seen.iter().filter(|w| !expected(w)).collect();
    assert!(unexpected.is_empty(), "{unexpected:#?}");
    for (file, line, message) in EXPECTED_WARNINGS {
        assert!(
            seen.iter()
                .any(|(f, l, m)| f == file && l == line && m.starts_with(message)),
            "no longer warned: {file}:{line:?} {message}"
        );
    }
}

#[test]
fn exl_corpus_sidebars_follow_each_guides_toc_in_its_language() {
    let mut missing = Vec::new();
    for lang in LANGUAGES {
        for page in walkdir::WalkDir::new(built().out.join(lang).join("help"))
            .into_iter()
            .map(|e| e.unwrap().into_path())
            .filter(|p| p.ends_with("index.html"))
        {
            let html = read_html(&page);
            let guide = relative(&page);
            let guide: Vec<&str> = guide.split('/').take(3).collect();
            let prefix = format!("/{}/", guide.join("/"));
            // A page its guide's TOC does not list (two in this guide) has
            // the guide's sidebar without a current entry.
            let toc = example_site()
                .join("tests/fixtures/merchant-services/content")
                .join(&prefix[1..])
                .join("TOC.md");
            let slug = page
                .parent()
                .unwrap()
                .file_name()
                .unwrap()
                .to_string_lossy();
            let listed = std::fs::read_to_string(toc)
                .unwrap()
                .contains(&format!("{slug}.md"));
            let sidebar = select(&html, "li[class^=nav-depth] a[href]");
            let current = select(&html, "li[class^=nav-depth] a[aria-current=page]");
            let in_guide = sidebar
                .iter()
                .filter(|a| {
                    a.value()
                        .attr("href")
                        .is_some_and(|h| h.starts_with(&prefix))
                })
                .count();
            if (listed && current.is_empty()) || in_guide * 2 < sidebar.len() {
                missing.push(relative(&page));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "{} pages:\n{}",
        missing.len(),
        missing.join("\n")
    );
}

/// Each language's home lists the guides (one per folder under `help/`,
/// each with a `TOC.md`) under their TOC's title in that language, each
/// leading into its folder, and every page exactly once.
#[test]
fn exl_corpus_home_lists_each_guide_by_its_title_in_the_language() {
    let expected = [
        ("en", "live-search", "Live Search for Commerce"),
        ("fr", "live-search", "Live Search pour Commerce"),
        (
            "fr",
            "store-fulfillment",
            "Exécution de la boutique pour Commerce",
        ),
        ("it", "price-index", "Indicizzatore prezzi Saas"),
        (
            "sv",
            "catalog-service",
            "Catalog Service för Adobe Commerce",
        ),
        (
            "nl",
            "landing",
            "Data Services voor Adobe Commerce-documentatie",
        ),
    ];
    for lang in LANGUAGES {
        let home = read_html(&built().out.join(lang).join("index.html"));
        let guides: Vec<(String, String)> = select(&home, ".home-guide h3 a")
            .iter()
            .map(|a| {
                let href = a.value().attr("href").unwrap_or_default().to_string();
                (href, a.text().collect())
            })
            .collect();
        assert_eq!(guides.len(), 10, "{lang}: {guides:?}");
        for (guide_lang, folder, title) in expected.iter().filter(|e| e.0 == *lang) {
            let prefix = format!("/{guide_lang}/help/{folder}/");
            assert!(
                guides.contains(&(guides_href(&guides, &prefix), title.to_string())),
                "{lang}: no guide {title:?} leading into {prefix}: {guides:?}"
            );
        }
        let listed: Vec<String> = select(&home, ".home a[href]")
            .iter()
            .filter_map(|a| a.value().attr("href").map(str::to_string))
            .collect();
        let unique: BTreeSet<&String> = listed.iter().collect();
        let pages = walkdir::WalkDir::new(built().out.join(lang))
            .into_iter()
            .filter(|e| e.as_ref().unwrap().file_name() == "index.html")
            .count();
        // Every page but the home itself; a guide's heading may repeat
        // the first page of its list.
        assert_eq!(unique.len(), pages - 1, "{lang}");
    }
}

fn guides_href(guides: &[(String, String)], prefix: &str) -> String {
    guides
        .iter()
        .map(|(href, _)| href)
        .find(|href| href.starts_with(prefix))
        .cloned()
        .unwrap_or_default()
}

/// Machine-translated sources leave two spaces where a `[!DNL …]` term
/// moved (`Qu'est-ce que  [!DNL Live Search] ?`): no title a reader sees
/// (the `<title>`, the home's lists) keeps them, in any language.
#[test]
fn exl_corpus_titles_have_no_doubled_spaces() {
    let overview = read_html(&built().out.join("fr/help/live-search/overview/index.html"));
    let title: String = select(&overview, "title")[0].text().collect();
    assert!(title.starts_with("Qu'est-ce que Live Search"), "{title:?}");
    let mut doubled = Vec::new();
    for page in output_files("html") {
        let html = read_html(&page);
        for element in select(&html, "title, .home a, .site-nav a") {
            let text: String = element.text().collect();
            if text.contains("  ") {
                doubled.push(format!("{}: {text:?}", relative(&page)));
            }
        }
    }
    assert!(doubled.is_empty(), "{}", doubled.join("\n"));
}
