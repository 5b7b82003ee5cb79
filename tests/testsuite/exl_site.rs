//! The Experience League Markdown extensions, built from a fixture site in
//! French, Dutch and Swedish with a snippets file, includes, a TOC.md and
//! images, including deliberately malformed cases.

use std::path::Path;
use std::sync::OnceLock;

use crate::common::*;
use scraper::Html;

fn built() -> &'static BuiltFixture {
    static BUILT: OnceLock<BuiltFixture> = OnceLock::new();
    BUILT.get_or_init(|| build_fixture("exl-site"))
}

fn page(lang: &str, name: &str) -> Html {
    read_html(&built().out.join(format!("{lang}/help/{name}/index.html")))
}

fn raw(lang: &str, name: &str) -> String {
    std::fs::read_to_string(built().out.join(format!("{lang}/help/{name}/index.html"))).unwrap()
}

fn warnings_about(file: &str) -> Vec<String> {
    built()
        .report
        .diagnostics
        .iter()
        .filter(|d| d.file.as_deref() == Some(Path::new(file)))
        .map(|d| d.to_string())
        .collect()
}

fn text_of(html: &Html, css: &str) -> Vec<String> {
    select(html, css)
        .iter()
        .map(|e| e.text().collect::<String>().trim().to_string())
        .collect()
}

#[test]
fn alerts_become_callouts_labelled_in_the_page_language() {
    let fr = page("fr", "alerts");
    assert_eq!(select(&fr, "div.alert[role=note]").len(), 12);
    for kind in [
        "note",
        "tip",
        "important",
        "warning",
        "caution",
        "info",
        "admin",
        "availability",
        "prerequisites",
        "morelikethis",
    ] {
        assert!(
            !select(&fr, &format!("div.alert-{kind}")).is_empty(),
            "{kind}"
        );
    }
    assert!(text_of(&fr, ".alert-note .alert-title").contains(&"Remarque".to_string()));
    assert_eq!(
        text_of(&page("sv", "alerts"), ".alert-warning .alert-title"),
        ["Varning"]
    );
    assert!(
        !select(&fr, "li div.alert-tip").is_empty(),
        "an alert nested in a list item"
    );
    let warnings = warnings_about("content/fr/help/alerts.md");
    assert!(
        warnings
            .iter()
            .any(|w| w.contains(":57:2:") && w.contains("[!ERREUR]")),
        "{warnings:#?}"
    );
    assert!(
        text_of(&fr, "blockquote")
            .iter()
            .any(|t| t.contains("[!ERREUR]")),
        "kept readable"
    );
}

#[test]
fn inline_tokens_render_as_ui_labels_plain_terms_and_badges() {
    let fr = page("fr", "tokens");
    assert!(!select(&fr, "span.uicontrol").is_empty());
    assert!(
        !raw("fr", "tokens").contains("[!DNL"),
        "do-not-localize terms are plain text"
    );
    let badge = select(&fr, "span.badge.badge-informative");
    assert_eq!(
        badge[0].value().attr("title"),
        Some("Prise en charge depuis 2.4")
    );
    assert!(
        !select(
            &fr,
            "a[href='/fr/help/attributes/#custom-id'] span.uicontrol"
        )
        .is_empty(),
        "tokens in link texts"
    );
    assert!(
        !select(&fr, "tbody th span.uicontrol").is_empty(),
        "tokens in table cells"
    );
    assert!(
        !select(&fr, "tbody td br").is_empty(),
        "<br> in a pipe-table cell"
    );
    let title = text_of(&fr, "title");
    assert_eq!(
        title,
        ["Paramètres > Fonctions B2B – Aide EXL"],
        "front matter title as plain text"
    );
    let switcher = text_of(&page("nl", "tokens"), ".lang-switcher summary");
    assert_eq!(switcher, ["Nederlands"]);
    let warnings = warnings_about("content/fr/help/tokens.md");
    assert!(
        warnings
            .iter()
            .any(|w| w.contains(":28:13:") && w.contains("not closed")),
        "{warnings:#?}"
    );
}

#[test]
fn zero_width_debris_is_removed_and_counted() {
    let html = raw("fr", "tokens");
    assert!(!html.contains('\u{200B}') && !html.contains("&#x200B;"));
    assert!(!select(&page("fr", "tokens"), "h2#traduction-automatique").is_empty());
    assert!(built().report.zero_width_removed > 0);
    assert!(
        built()
            .report
            .summary()
            .contains("zero-width spaces removed")
    );
}

#[test]
fn attribute_lists_apply_safe_attributes_and_drop_the_rest() {
    let fr = page("fr", "attributes");
    assert!(!select(&fr, "h2#custom-id").is_empty());
    assert!(!select(&fr, "table[style='table-layout:auto']").is_empty());
    let image = select(&fr, "img.zoomable[width='350']");
    assert_eq!(
        image[0].value().attr("src"),
        Some("/fr/help/assets/store-view.png")
    );
    assert!(
        built().out.join("fr/help/assets/store-view.png").is_file(),
        "images are copied"
    );
    let external = select(&fr, "a[target=_blank]");
    assert_eq!(external[0].value().attr("rel"), Some("noopener noreferrer"));
    let html = raw("fr", "attributes");
    for unsafe_text in ["onclick", "onmouseover", "position:fixed", "_top"] {
        assert!(!html.contains(unsafe_text), "{unsafe_text} must be dropped");
    }
    assert!(
        html.contains("{target=_blank} et {texte}"),
        "escaped braces render as braces"
    );
    let warnings = warnings_about("content/fr/help/attributes.md");
    assert!(
        warnings
            .iter()
            .any(|w| w.contains(":34:35:") && w.contains("onclick")),
        "{warnings:#?}"
    );
}

#[test]
fn tabs_shade_boxes_and_videos_read_without_javascript() {
    let fr = page("fr", "tabs");
    assert_eq!(select(&fr, "div.tabs > section.tab-panel").len(), 3);
    assert!(!select(&fr, "section.tab-panel > h3.tab-title").is_empty());
    assert_eq!(select(&fr, "div.shadebox").len(), 1);
    let video = select(&fr, "p.video a.video-link");
    assert_eq!(
        video[0].value().attr("href"),
        Some("https://video.tv.adobe.com/v/3418712/")
    );
    assert!(
        select(&fr, "iframe").is_empty(),
        "nothing loads from a third party until clicked"
    );
    let warnings = warnings_about("content/fr/help/tabs.md");
    assert!(
        warnings
            .iter()
            .any(|w| w.contains(":39:2:") && w.contains("not closed")),
        "{warnings:#?}"
    );
}

#[test]
fn snippets_and_includes_come_from_the_same_language() {
    let nl = page("nl", "includes");
    assert!(
        !select(&nl, "div.alert-availability").is_empty(),
        "the snippet"
    );
    assert!(
        !select(&nl, "a[href='/nl/help/tokens/']").is_empty(),
        "links of an include are rebased"
    );
    assert_eq!(select(&nl, "p.include-missing").len(), 3);
    assert!(
        raw("nl", "includes").contains("{{"),
        "directives in code stay code"
    );
    let warnings = warnings_about("content/nl/help/includes.md");
    assert!(
        warnings
            .iter()
            .any(|w| w.contains(":27:1:") && w.contains("cycle")),
        "{warnings:#?}"
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.contains(":23:1:") && w.contains("not found")),
        "{warnings:#?}"
    );
    assert!(
        !built().out.join("nl/help/_includes").exists(),
        "snippet files are not pages"
    );
}

#[test]
fn the_sidebar_follows_the_guides_toc_in_each_language() {
    let sv = page("sv", "tokens");
    let entries = text_of(&sv, ".site-nav .current-section li");
    assert_eq!(entries.len(), 7, "{entries:?}");
    assert_eq!(select(&sv, ".site-nav .nav-group").len(), 2);
    assert_eq!(select(&sv, ".site-nav a[aria-current=page]").len(), 1);
    assert!(
        !built().out.join("sv/help/toc").exists(),
        "TOC.md is not a page"
    );
}

#[test]
fn adobe_front_matter_keys_reach_the_head_and_templates() {
    let fr = page("fr", "alerts");
    assert_eq!(
        text_of(&fr, "title"),
        ["Encadrés de l'aide en ligne – Aide EXL"],
        "seo-title wins, decoded once"
    );
    let description = select(&fr, "meta[name=description]")[0]
        .value()
        .attr("content")
        .map(String::from);
    assert_eq!(
        description.as_deref(),
        Some("Remarques, conseils et avertissements de l’aide.")
    );
    assert_eq!(
        text_of(&fr, "h1"),
        ["Les encadrés de l’aide"],
        "the page keeps its own title"
    );
    let (site, _) = tolk::pipeline::load_site(&tolk::pipeline::BuildOptions {
        root: built().out.parent().unwrap().to_path_buf(),
        ..Default::default()
    })
    .unwrap();
    let alerts = site
        .pages
        .iter()
        .find(|p| p.file.logical_path == "help/alerts" && p.lang == "fr")
        .unwrap();
    assert_eq!(alerts.front.all()["role"], "Admin");
    assert_eq!(
        alerts.front.all()["badgePaas"],
        "label=\"PaaS uniquement\" type=\"Informative\" tooltip=\"S’applique au cloud\""
    );
}

/// A guide of 60 pages in English and French: the sidebar of a page in its
/// middle shows a window of its TOC and says, in the page's language, how
/// many pages each cut end leaves out, leading to the guide's list on the
/// home.
#[test]
fn a_long_guides_sidebar_says_how_many_pages_it_leaves_out() {
    let dir = long_guide_site();
    let out = dir.path().join("public");
    let report = build_into(dir.path(), &out);
    assert_eq!(report.errors(), 0, "{:#?}", report.diagnostics);
    for (lang, before, after, one) in [
        ("en", "10 more pages", "9 more pages", "1 more page"),
        ("fr", "10 autres pages", "9 autres pages", "1 autre page"),
    ] {
        let near_the_start = read_html(&out.join(lang).join("help/big/p21/index.html"));
        let first = select(&near_the_start, ".site-nav a.nav-more");
        assert_eq!(first[0].text().collect::<String>(), one, "{lang}");
        let html = read_html(&out.join(lang).join("help/big/p30/index.html"));
        let more: Vec<(String, String)> = select(&html, ".site-nav a.nav-more")
            .iter()
            .map(|a| {
                let href = a.value().attr("href").unwrap_or_default().to_string();
                (a.text().collect(), href)
            })
            .collect();
        let target = format!("/{lang}/#guide-help-big");
        assert_eq!(
            more,
            [
                (before.to_string(), target.clone()),
                (after.to_string(), target)
            ],
            "{lang}"
        );
        let home = read_html(&out.join(lang).join("index.html"));
        assert_eq!(select(&home, "#guide-help-big li").len(), 60, "{lang}");
    }
}
