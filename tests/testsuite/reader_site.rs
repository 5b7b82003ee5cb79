//! What the default theme gives readers and machines: navigation, 404 pages,
//! sitemap with hreflang, robots.txt, Atom feeds, Open Graph, right-to-left
//! languages and UI strings per language.

use std::fs;
use std::path::Path;

use crate::common::*;

fn built_example() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    let report = build_into(&example_site(), &out);
    assert_eq!(report.errors(), 0, "{:#?}", report.diagnostics);
    (dir, out)
}

#[test]
fn sitemap_lists_real_pages_with_hreflang_alternates_and_robots_points_to_it() {
    let (_dir, out) = built_example();
    let sitemap = fs::read_to_string(out.join("sitemap.xml")).unwrap();
    assert!(sitemap.contains("<loc>https://docs.example.org/nl/commerce/b2b-and-b2c/</loc>"));
    assert!(sitemap.contains(
        "<xhtml:link rel=\"alternate\" hreflang=\"sv\" href=\"https://docs.example.org/sv/commerce/b2b-and-b2c/\"/>"
    ));
    assert!(
        !sitemap.contains("/it/articles/"),
        "fallback pages are not in the sitemap"
    );
    let robots = fs::read_to_string(out.join("robots.txt")).unwrap();
    assert!(robots.contains("Sitemap: https://docs.example.org/sitemap.xml"));
}

#[test]
fn every_language_has_a_404_page_and_an_atom_feed() {
    let (_dir, out) = built_example();
    let nl = read_html(&out.join("nl/404.html"));
    assert_eq!(attr(&nl, "html", "lang").as_deref(), Some("nl"));
    assert!(
        select(&nl, "h1")[0]
            .text()
            .collect::<String>()
            .contains("niet gevonden")
    );
    assert!(out.join("404.html").is_file());
    let feed = fs::read_to_string(out.join("sv/atom.xml")).unwrap();
    assert!(feed.contains("xml:lang=\"sv\""));
    assert!(feed.contains("<title>Vad är B2B och B2C?</title>"));
    assert!(feed.contains("<id>https://docs.example.org/sv/commerce/b2b-and-b2c/</id>"));
    let page = read_html(&out.join("sv/commerce/b2b-and-b2c/index.html"));
    assert_eq!(
        attr(&page, "link[type='application/atom+xml']", "href").as_deref(),
        Some("/sv/atom.xml")
    );
}

#[test]
fn pages_carry_open_graph_title_and_description() {
    let (_dir, out) = built_example();
    let page = read_html(&out.join("it/commerce/b2b-and-b2c/index.html"));
    assert_eq!(
        attr(&page, "meta[property='og:title']", "content").as_deref(),
        Some("Che cosa sono B2B e B2C?")
    );
    assert_eq!(
        attr(&page, "meta[property='og:description']", "content").as_deref(),
        Some("Scopri i diversi modelli di business Commerce.")
    );
    assert_eq!(
        attr(&page, "meta[property='og:locale']", "content").as_deref(),
        Some("it")
    );
}

#[test]
fn pages_have_breadcrumbs_and_a_sidebar_of_their_language() {
    let (_dir, out) = built_example();
    let page = read_html(&out.join("fr/commerce/b2b-and-b2c/index.html"));
    let crumbs: Vec<String> = select(&page, ".breadcrumbs li")
        .iter()
        .map(|li| li.text().collect::<String>())
        .collect();
    assert_eq!(
        crumbs,
        ["Accueil", "Commerce", "Qu’est-ce que B2B et B2C ?"]
    );
    let current = select(&page, ".site-nav a[aria-current=page]");
    assert_eq!(
        current[0].value().attr("href"),
        Some("/fr/commerce/b2b-and-b2c/")
    );
    let sections: Vec<String> = select(&page, ".site-nav .nav-sections > li > a")
        .iter()
        .map(|a| a.text().collect())
        .collect();
    assert_eq!(sections, ["Articles", "Commerce"]);
}

fn site_with_languages(languages: &str) -> tempfile::TempDir {
    let site = tempfile::tempdir().unwrap();
    copy_dir(&example_site().join("themes"), &site.path().join("themes"));
    let config = format!("title = \"Docs\"\nbase_url = \"https://x.org/\"\n{languages}");
    fs::write(site.path().join("tolk.toml"), config).unwrap();
    site
}

fn write_page(root: &Path, path: &str, text: &str) {
    let file = root.join("content").join(path);
    fs::create_dir_all(file.parent().unwrap()).unwrap();
    fs::write(file, text).unwrap();
}

#[test]
fn right_to_left_languages_get_dir_rtl() {
    let site = site_with_languages("[[languages]]\ntag = \"en\"\n[[languages]]\ntag = \"ar\"\n");
    write_page(site.path(), "en/guide.md", "# Guide\n\nText.\n");
    write_page(site.path(), "ar/guide.md", "# دليل\n\nنص.\n");
    let out = site.path().join("public");
    build_into(site.path(), &out);
    let ar = read_html(&out.join("ar/guide/index.html"));
    assert_eq!(attr(&ar, "html", "dir").as_deref(), Some("rtl"));
    assert_eq!(attr(&ar, "html", "lang").as_deref(), Some("ar"));
    let en = read_html(&out.join("en/guide/index.html"));
    assert_eq!(
        attr(&en, ".lang-switcher a[hreflang=ar] span", "dir").as_deref(),
        Some("rtl")
    );
}

#[test]
fn missing_ui_strings_fall_back_to_english_and_are_reported() {
    let site = site_with_languages("[[languages]]\ntag = \"fr\"\n[[languages]]\ntag = \"pt\"\n");
    write_page(site.path(), "pt/guia.md", "# Guia\n\nTexto.\n");
    let out = site.path().join("public");
    let report = build_into(site.path(), &out);
    let warning = report
        .diagnostics
        .iter()
        .find(|d| d.message.contains("no `pt` translation"));
    assert!(warning.is_some(), "{:#?}", report.diagnostics);
    let pt = read_html(&out.join("pt/guia/index.html"));
    assert_eq!(
        select(&pt, ".skip-link")[0].text().collect::<String>(),
        "Skip to content"
    );
    assert!(
        !report
            .diagnostics
            .iter()
            .any(|d| d.message.contains("`fr` translation")),
        "fr is complete"
    );
}

#[test]
fn feeds_can_be_switched_off() {
    let site = site_with_languages("feeds = false\n[[languages]]\ntag = \"fr\"\n");
    write_page(site.path(), "fr/a.md", "# A\n");
    let out = site.path().join("public");
    build_into(site.path(), &out);
    assert!(!out.join("fr/atom.xml").exists());
    let page = read_html(&out.join("fr/a/index.html"));
    assert!(select(&page, "link[type='application/atom+xml']").is_empty());
}

#[test]
fn slugs_shape_urls_and_aliases_redirect() {
    let site = site_with_languages("[[languages]]\ntag = \"fr\"\n[[languages]]\ntag = \"nl\"\n");
    write_page(
        site.path(),
        "fr/guide/b2b.md",
        "---\ntitle: Le B2B\nslug: le-b2b\naliases: [ancien/b2b/]\n---\n\nTexte.\n",
    );
    write_page(
        site.path(),
        "nl/guide/b2b.md",
        "---\ntitle: B2B\nslug: over-b2b\n---\n\nTekst.\n",
    );
    let out = site.path().join("public");
    let report = build_into(site.path(), &out);
    assert_eq!(report.errors(), 0, "{:#?}", report.diagnostics);
    let fr = read_html(&out.join("fr/guide/le-b2b/index.html"));
    let nl_link = attr(&fr, ".lang-switcher a[hreflang=nl]", "href");
    assert_eq!(
        nl_link.as_deref(),
        Some("/nl/guide/over-b2b/"),
        "translations still align by path"
    );
    let redirect = fs::read_to_string(out.join("fr/ancien/b2b/index.html")).unwrap();
    assert!(redirect.contains("url=/fr/guide/le-b2b/"), "{redirect}");
}

#[test]
fn a_slug_that_would_leave_the_output_is_an_error_at_its_line() {
    let site = site_with_languages("[[languages]]\ntag = \"fr\"\n");
    write_page(
        site.path(),
        "fr/a.md",
        "---\ntitle: A\nslug: ../../../etc\n---\n\nTexte.\n",
    );
    let report = build_into(site.path(), &site.path().join("public"));
    let error = report.diagnostics.iter().find(|d| d.is_error()).unwrap();
    assert_eq!(
        error.location().as_deref(),
        Some("content/fr/a.md:3:1"),
        "{error}"
    );
    assert!(!site.path().join("etc").exists());
}
