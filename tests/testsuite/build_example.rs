//! Builds the example site (the sample corpus) and checks the HTML readers get.

use std::fs;
use std::path::Path;
use std::sync::OnceLock;

use crate::common::*;

const LANGUAGES: [&str; 4] = ["fr", "it", "nl", "sv"];

/// The example site is built once for all read-only tests of this file.
fn built_site() -> &'static Path {
    static OUT: OnceLock<tempfile::TempDir> = OnceLock::new();
    OUT.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let report = build_into(&example_site(), &dir.path().join("public"));
        assert_eq!(report.errors(), 0, "{:#?}", report.diagnostics);
        dir
    })
    .path()
}

fn page(path: &str) -> scraper::Html {
    read_html(&built_site().join("public").join(path))
}

fn b2b_page(lang: &str) -> scraper::Html {
    page(&format!("{lang}/commerce/b2b-and-b2c/index.html"))
}

#[test]
fn switcher_on_the_nl_page_links_to_the_sv_page_of_the_same_group() {
    let html = b2b_page("nl");
    let href = attr(&html, ".lang-switcher a[hreflang=sv]", "href");
    assert_eq!(href.as_deref(), Some("/sv/commerce/b2b-and-b2c/"));
    let target = built_site().join("public/sv/commerce/b2b-and-b2c/index.html");
    assert!(target.is_file());
}

#[test]
fn switcher_lists_every_language_by_autonym_and_marks_the_current_one() {
    let html = b2b_page("nl");
    let text: String = select(&html, ".lang-switcher")
        .iter()
        .flat_map(|e| e.text())
        .collect();
    for name in ["Français", "Italiano", "Nederlands", "Svenska"] {
        assert!(text.contains(name), "{name} missing from switcher: {text}");
    }
    let current = select(&html, ".lang-switcher [aria-current=page]");
    assert_eq!(current.len(), 1);
    assert!(current[0].text().collect::<String>().contains("Nederlands"));
}

#[test]
fn every_comparison_table_has_seven_body_rows_and_accessible_headers() {
    for lang in LANGUAGES {
        let html = b2b_page(lang);
        let tables = select(&html, "main table");
        assert_eq!(tables.len(), 1, "{lang}");
        assert_eq!(select(&html, "main table tbody tr").len(), 7, "{lang}");
        assert_eq!(
            select(&html, "main table thead th[scope=col]").len(),
            3,
            "{lang}"
        );
        assert_eq!(
            select(&html, "main table tbody th[scope=row]").len(),
            7,
            "{lang}"
        );
        assert_eq!(
            select(&html, "main .table-scroll > table").len(),
            1,
            "{lang}: scroll box"
        );
    }
}

#[test]
fn no_entity_text_is_visible_and_nothing_is_double_escaped() {
    for lang in LANGUAGES {
        let path = built_site().join(format!("public/{lang}/commerce/b2b-and-b2c/index.html"));
        let raw = fs::read_to_string(&path).unwrap();
        for double in ["&amp;quot;", "&amp;#39;", "&amp;amp;"] {
            assert!(!raw.contains(double), "{lang}: {double} in the HTML");
        }
        let text = visible_text(&read_html(&path));
        for entity in ["&quot;", "&#39;", "&amp;"] {
            assert!(!text.contains(entity), "{lang}: reader sees {entity}");
        }
    }
    let sv = visible_text(&b2b_page("sv"));
    assert!(sv.contains("står för\"business-to-business\""), "{sv}");
    let it = visible_text(&b2b_page("it"));
    assert!(it.contains("Guide all'acquisto"));
}

#[test]
fn html_lang_dir_and_hreflang_alternates_are_right() {
    for lang in LANGUAGES {
        let html = b2b_page(lang);
        assert_eq!(attr(&html, "html", "lang").as_deref(), Some(lang));
        assert_eq!(attr(&html, "html", "dir").as_deref(), Some("ltr"));
        let mut hreflangs: Vec<String> = select(&html, "link[rel=alternate][hreflang]")
            .iter()
            .map(|l| l.value().attr("hreflang").unwrap().to_string())
            .collect();
        hreflangs.sort();
        assert_eq!(hreflangs, ["fr", "it", "nl", "sv", "x-default"], "{lang}");
        let canonical = attr(&html, "link[rel=canonical]", "href");
        let expected = format!("https://docs.example.org/{lang}/commerce/b2b-and-b2c/");
        assert_eq!(canonical.as_deref(), Some(expected.as_str()));
        let sv = attr(&html, "link[rel=alternate][hreflang=sv]", "href");
        assert_eq!(
            sv.as_deref(),
            Some("https://docs.example.org/sv/commerce/b2b-and-b2c/")
        );
    }
}

#[test]
fn front_matter_title_and_description_reach_the_head() {
    let html = b2b_page("fr");
    let title = select(&html, "title")[0].text().collect::<String>();
    assert!(title.contains("Qu’est-ce que B2B et B2C ?"), "{title}");
    let description = attr(&html, "meta[name=description]", "content");
    assert_eq!(
        description.as_deref(),
        Some("Découvrez les différents modèles commerciaux de Commerce.")
    );
}

#[test]
fn headings_get_readable_unique_ids() {
    let html = b2b_page("fr");
    let ids: Vec<String> = select(&html, "main h2[id]")
        .iter()
        .map(|h| h.value().id().unwrap().to_string())
        .collect();
    assert!(
        ids.contains(&"résumé-des-différences-entre-b2b-et-b2c".to_string()),
        "{ids:?}"
    );
}

#[test]
fn the_site_root_and_each_language_home_list_their_pages() {
    let root = page("index.html");
    let homes: Vec<String> = select(&root, "main a[hreflang]")
        .iter()
        .map(|a| a.value().attr("href").unwrap().to_string())
        .collect();
    assert_eq!(homes, ["/fr/", "/it/", "/nl/", "/sv/"]);
    let fr_home = page("fr/index.html");
    let links: Vec<&str> = select(&fr_home, "main a")
        .iter()
        .filter_map(|a| a.value().attr("href"))
        .collect();
    assert!(links.contains(&"/fr/commerce/b2b-and-b2c/"), "{links:?}");
    assert!(
        links.contains(&"/fr/articles/b2c-b2b-b2c2b-b2b2c/"),
        "{links:?}"
    );
}

#[test]
fn theme_assets_are_copied() {
    assert!(built_site().join("public/assets/tolk.css").is_file());
    assert!(built_site().join("public/assets/tolk.js").is_file());
}

#[test]
fn two_builds_are_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    let (first, second) = (dir.path().join("one"), dir.path().join("two"));
    assert_eq!(build_into(&example_site(), &first).errors(), 0);
    assert_eq!(build_into(&example_site(), &second).errors(), 0);
    let (a, b) = (snapshot(&first), snapshot(&second));
    assert!(a.len() > 5);
    assert_eq!(a, b);
}

#[test]
fn mojibake_is_repaired_for_readers_and_reported() {
    let nl = visible_text(&b2b_page("nl"));
    assert!(nl.contains("per cliënt, productaantal"), "{nl}");
    assert!(!nl.contains("cliÃ«nt"));
    let report = build_into(
        &example_site(),
        &tempfile::tempdir().unwrap().path().join("out"),
    );
    let repair = report
        .diagnostics
        .iter()
        .find(|d| d.message.contains("cliÃ«nt"))
        .expect("the repair is reported");
    assert_eq!(
        repair.location().as_deref(),
        Some("content/nl/commerce/b2b-and-b2c.md:67:43")
    );
    assert!(repair.message.contains("cliënt"));
}

#[test]
fn the_plain_text_article_reads_as_a_page_with_headings() {
    let html = page("fr/articles/b2c-b2b-b2c2b-b2b2c/index.html");
    let h1: String = select(&html, "main h1")
        .iter()
        .flat_map(|h| h.text())
        .collect();
    assert!(
        h1.starts_with("Apprenez les différences entre B2C et B2B"),
        "{h1}"
    );
    let headings: Vec<String> = select(&html, "main h2")
        .iter()
        .map(|h| h.text().collect::<String>())
        .collect();
    for expected in [
        "Qu’est-ce que le B2C (ou BtoC) ?",
        "Qu’est-ce que le B2B (ou BtoB) ?",
        "Comment la technologie impacte-t-elle le B2C et le B2B ?",
    ] {
        assert!(
            headings.iter().any(|h| h == expected),
            "{expected} not in {headings:?}"
        );
    }
    assert!(
        select(&html, "main ul li").len() > 20,
        "the related articles form a list"
    );
}

/// Counts what a build tells its progress display.
#[derive(Default)]
struct CountingProgress {
    started: std::sync::Mutex<Vec<usize>>,
    advanced: std::sync::atomic::AtomicUsize,
    finished: std::sync::atomic::AtomicUsize,
}

impl tolk::render::Progress for CountingProgress {
    fn start(&self, pages: usize) {
        self.started.lock().unwrap().push(pages);
    }
    fn advance(&self) {
        self.advanced
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
    fn finish(&self) {
        self.finished
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
}

#[test]
fn progress_counts_every_page_and_fallback_once() {
    use std::sync::atomic::Ordering::Relaxed;
    let out = tempfile::tempdir().unwrap();
    let progress = CountingProgress::default();
    let report = tolk::pipeline::build_with_progress(
        &tolk::pipeline::BuildOptions {
            root: example_site(),
            out: Some(out.path().join("public")),
            ..Default::default()
        },
        &progress,
    );
    assert_eq!(report.errors(), 0, "{:#?}", report.diagnostics);
    let pages: usize = report.pages_per_language.values().sum::<usize>() + report.fallback_pages;
    assert_eq!(*progress.started.lock().unwrap(), vec![pages]);
    assert_eq!(progress.advanced.load(Relaxed), pages);
    assert_eq!(progress.finished.load(Relaxed), 1);
}

#[test]
fn quiet_build_prints_no_summary_and_piped_output_has_no_progress_bar() {
    let out = tempfile::tempdir().unwrap();
    let run = |quiet: bool| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_tolk"));
        command.args(["build", "--root"]).arg(example_site());
        command.arg("--out").arg(out.path().join("public"));
        if quiet {
            command.arg("--quiet");
        }
        command.output().unwrap()
    };
    let loud = run(false);
    assert!(loud.status.success());
    let stdout = String::from_utf8_lossy(&loud.stdout);
    assert!(stdout.starts_with("Built "), "{stdout}");
    let stderr = String::from_utf8_lossy(&loud.stderr);
    assert!(
        !stderr.contains("Rendering"),
        "no bar when not a terminal: {stderr}"
    );
    let quiet = run(true);
    assert!(quiet.status.success());
    assert!(
        quiet.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&quiet.stdout)
    );
}
