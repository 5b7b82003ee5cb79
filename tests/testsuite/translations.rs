//! Alignment, staleness, suggestions and the translators' report, on the
//! sample corpus laid out two ways: same paths, and different paths where
//! only the exl-id and the fingerprint can align the pages.

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::common::*;
use tolk::align::status;
use tolk::model::status::{CellStatus, StatusReport};
use tolk::pipeline::{BuildOptions, load_site};

const EXL_ID: &str = "d66b4a7f-d54b-4902-8791-7a8f67fa4b43";
const NEW_REVISION: &str = "e76f101df47116f7b246f21f0fe0fa72769d2776";
const CORPUS: &str = "tests/fixtures/corpus";

fn status_of(root: &Path) -> StatusReport {
    let (site, _) = load_site(&BuildOptions {
        root: root.to_path_buf(),
        ..Default::default()
    })
    .unwrap();
    status::collect(&site)
}

fn seed(name: &str) -> String {
    let file = fs::read_dir(example_site().join(CORPUS))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(name))
        .unwrap();
    fs::read_to_string(file).unwrap()
}

/// The corpus with every page at a different path.
fn site_with_different_paths(extra_config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let config = fs::read_to_string(example_site().join("tolk.toml")).unwrap();
    fs::write(dir.path().join("tolk.toml"), config + extra_config).unwrap();
    copy_dir(&example_site().join("themes"), &dir.path().join("themes"));
    for (lang, path, seed_name) in [
        ("fr", "commerce/quest-ce-que-b2b-et-b2c.md", "000"),
        ("it", "commerce/che-cosa-sono-b2b-e-b2c.md", "001"),
        ("nl", "commerce/wat-zijn-b2b-en-b2c.md", "002"),
        ("sv", "handel/vad-ar-b2b-och-b2c.md", "004"),
        ("fr", "articles/b2c-b2b.txt", "003"),
    ] {
        let target = dir.path().join("content").join(lang).join(path);
        fs::create_dir_all(target.parent().unwrap()).unwrap();
        fs::write(target, seed(seed_name)).unwrap();
    }
    dir
}

fn cell<'a>(
    report: &'a StatusReport,
    path_part: &str,
    lang: &str,
) -> &'a tolk::model::status::Cell {
    let group = report
        .groups
        .iter()
        .find(|g| g.path.contains(path_part))
        .expect("group");
    &group.cells[lang]
}

#[test]
fn same_paths_align_and_fr_it_are_stale_against_nl_sv() {
    let report = status_of(&example_site());
    assert_eq!(report.groups.len(), 2);
    let b2b = report
        .groups
        .iter()
        .find(|g| g.exl_id.as_deref() == Some(EXL_ID))
        .unwrap();
    assert_eq!(b2b.source.source.revision.as_deref(), Some(NEW_REVISION));
    for lang in ["fr", "it"] {
        let cell = &b2b.cells[lang];
        assert_eq!(cell.status, CellStatus::Stale, "{lang}");
        let reasons: Vec<String> = cell.stale_reasons.iter().map(|r| r.describe()).collect();
        assert!(
            reasons[0].contains("225ead58") && reasons[0].contains("e76f101d"),
            "{reasons:?}"
        );
        assert_eq!(
            reasons.len(),
            1,
            "word counts are not compared: {reasons:?}"
        );
    }
    for lang in ["nl", "sv"] {
        assert_eq!(b2b.cells[lang].status, CellStatus::Present, "{lang}");
        assert!(b2b.cells[lang].machine_translated);
        assert_eq!(b2b.cells[lang].ht_degree, Some(0));
    }
    let article = cell(&report, "articles/", "nl");
    assert_eq!(article.status, CellStatus::Missing);
    assert!(article.fallback);
    assert_eq!(article.file, "content/nl/articles/b2c-b2b-b2c2b-b2b2c.txt");
    assert_eq!(report.totals.stale, 2);
    assert_eq!(report.coverage[1].percent, 50.0);
}

#[test]
fn different_paths_fr_and_it_are_suggested_into_the_nl_sv_group_and_the_article_is_not() {
    let site = site_with_different_paths("");
    let report = status_of(site.path());
    let b2b = report
        .groups
        .iter()
        .find(|g| g.exl_id.as_deref() == Some(EXL_ID))
        .unwrap();
    for lang in ["fr", "it"] {
        let cell = &b2b.cells[lang];
        assert_eq!(cell.status, CellStatus::Suggested, "{lang}");
        let suggestion = cell.suggestion.as_ref().unwrap();
        assert_eq!(
            suggestion.front_matter.as_deref(),
            Some(format!("exl-id: {EXL_ID}").as_str())
        );
        assert!(suggestion.score >= 0.6, "{}", suggestion.score);
        assert!(
            suggestion
                .file
                .starts_with(&format!("content/{lang}/commerce/"))
        );
    }
    let article = report
        .unaligned
        .iter()
        .find(|u| u.file.ends_with("b2c-b2b.txt"))
        .unwrap();
    assert!(
        article.suggestion.is_none(),
        "the French article must not be suggested"
    );
    assert!(report.groups.iter().all(|g| g.cells.values().all(|c| {
        c.suggestion
            .as_ref()
            .is_none_or(|s| !s.file.ends_with("b2c-b2b.txt"))
    })));
    assert_eq!(
        report.groups.len(),
        2,
        "suggested pages appear in their target group's row"
    );
}

#[test]
fn suggestions_are_applied_only_when_the_site_asks() {
    let site = site_with_different_paths("\n[translations]\napply_suggestions = true\n");
    let report = status_of(site.path());
    let b2b = report
        .groups
        .iter()
        .find(|g| g.exl_id.as_deref() == Some(EXL_ID))
        .unwrap();
    assert_eq!(b2b.cells["fr"].status, CellStatus::Stale);
    assert_eq!(b2b.cells["it"].status, CellStatus::Stale);
    let out = site.path().join("public");
    assert_eq!(build_into(site.path(), &out).errors(), 0);
    let nl = read_html(&out.join("nl/commerce/wat-zijn-b2b-en-b2c/index.html"));
    let fr = attr(&nl, ".lang-switcher a[hreflang=fr]", "href");
    assert_eq!(fr.as_deref(), Some("/fr/commerce/quest-ce-que-b2b-et-b2c/"));
}

#[test]
fn the_json_schema_round_trips() {
    let report = status_of(&example_site());
    let json = tolk::report::to_json(&report);
    let parsed: StatusReport = serde_json::from_str(&json).unwrap();
    assert_eq!(parsed, report);
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["schema_version"], 2);
    let group = &value["groups"][1];
    for key in ["id", "title", "path", "exl_id", "source", "cells"] {
        assert!(group.get(key).is_some(), "{key} missing: {group}");
    }
    assert_eq!(group["cells"]["fr"]["stale_reasons"][0]["kind"], "revision");
    assert_eq!(group["source"]["determined_by"], "tie-break");
}

fn tolk_report(root: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_tolk"))
        .arg("report")
        .arg("--root")
        .arg(root)
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn fail_on_sets_the_exit_status_and_filters_narrow_it() {
    let root = example_site();
    assert_eq!(tolk_report(&root, &[]).status.code(), Some(0));
    assert_eq!(
        tolk_report(&root, &["--fail-on", "stale"]).status.code(),
        Some(1)
    );
    assert_eq!(
        tolk_report(&root, &["--fail-on", "missing,unaligned"])
            .status
            .code(),
        Some(1)
    );
    let narrow = [
        "--fail-on",
        "missing,stale",
        "--lang",
        "nl",
        "--section",
        "commerce/",
    ];
    assert_eq!(tolk_report(&root, &narrow).status.code(), Some(0));
    assert_eq!(
        tolk_report(&root, &["--fail-on", "late"]).status.code(),
        Some(2)
    );
    assert_eq!(tolk_report(&root, &["--lang", "de"]).status.code(), Some(2));
}

#[test]
fn the_terminal_table_is_plain_when_piped_and_json_is_valid() {
    let root = example_site();
    let table = String::from_utf8(tolk_report(&root, &[]).stdout).unwrap();
    assert!(!table.contains('\x1b'), "no colour codes when piped");
    assert!(table.lines().next().unwrap().starts_with("Page"));
    assert!(table.contains("stale tm+mt 1%"), "{table}");
    assert!(table.contains("Coverage"), "{table}");
    assert!(
        table.contains("content/fr/commerce/b2b-and-b2c.md: translated from 225ead58"),
        "{table}"
    );
    let coloured = String::from_utf8(tolk_report(&root, &["--color", "always"]).stdout).unwrap();
    assert!(coloured.contains('\x1b'));
    let json = tolk_report(&root, &["--format", "json", "--lang", "sv"]).stdout;
    let value: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(value["languages"], serde_json::json!(["sv"]));
}

/// A site with two languages, its content folder a fresh git repository.
fn git_site(first: &str, second: &str) -> tempfile::TempDir {
    let site = tempfile::tempdir().unwrap();
    let root = site.path();
    let config = format!(
        "title='t'\nbase_url='https://x.org/'\n[[languages]]\ntag='{first}'\n[[languages]]\ntag='{second}'\n"
    );
    fs::write(root.join("tolk.toml"), config).unwrap();
    fs::create_dir_all(root.join(format!("content/{first}"))).unwrap();
    fs::create_dir_all(root.join(format!("content/{second}"))).unwrap();
    git(root, &["init", "-q"], "2026-01-01T00:00:00Z");
    site
}

fn page_naming(revision: &str, title: &str) -> String {
    format!("---\ntitle: {title}\nsource-git-commit: {revision}\n---\n\nText 24/7.\n")
}

#[test]
fn with_git_the_most_recently_committed_translation_names_the_newest_revision() {
    let site = git_site("fr", "nl");
    let root = site.path();
    // Without git the greater hash would win the tie; the commit dates must beat that.
    fs::write(
        root.join("content/nl/a.md"),
        page_naming("9999999999999999999999999999999999999999", "Oud"),
    )
    .unwrap();
    git(root, &["add", "."], "2026-01-01T00:00:00Z");
    git(root, &["commit", "-qm", "nl"], "2026-01-01T00:00:00Z");
    fs::write(
        root.join("content/fr/a.md"),
        page_naming("1111111111111111111111111111111111111111", "Neuf"),
    )
    .unwrap();
    git(root, &["add", "."], "2026-03-01T00:00:00Z");
    git(root, &["commit", "-qm", "fr"], "2026-03-01T00:00:00Z");

    let report = status_of(root);
    let group = &report.groups[0];
    assert_eq!(
        group.source.source.revision.as_deref(),
        Some("1111111111111111111111111111111111111111")
    );
    assert_eq!(group.cells["nl"].status, CellStatus::Stale);
    assert_eq!(group.cells["fr"].status, CellStatus::Present);
}

#[test]
fn with_git_a_source_page_changed_after_its_translation_makes_it_stale() {
    let site = git_site("en", "sv");
    let root = site.path();
    fs::write(root.join("content/en/a.md"), "# Hello\n\nOne two.\n").unwrap();
    fs::write(root.join("content/sv/a.md"), "# Hej\n\nEtt två.\n").unwrap();
    git(root, &["add", "."], "2026-01-01T00:00:00Z");
    git(root, &["commit", "-qm", "both"], "2026-01-01T00:00:00Z");
    assert_eq!(
        status_of(root).groups[0].cells["sv"].status,
        CellStatus::Present
    );

    fs::write(root.join("content/en/a.md"), "# Hello\n\nOne two three.\n").unwrap();
    git(
        root,
        &["commit", "-qam", "en changed"],
        "2026-02-01T00:00:00Z",
    );
    let report = status_of(root);
    assert_eq!(report.groups[0].cells["en"].status, CellStatus::Source);
    let sv = &report.groups[0].cells["sv"];
    assert_eq!(sv.status, CellStatus::Stale);
    assert!(
        sv.stale_reasons[0]
            .describe()
            .starts_with("source text changed since"),
        "{:?}",
        sv.stale_reasons
    );
    assert_eq!(
        sv.decided_by,
        Some(tolk::model::staleness::Decision::CommitDates)
    );
    assert_eq!(sv.changed_blocks.len(), 1);
}

#[test]
fn the_build_writes_a_status_page_linked_from_the_footer() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    assert_eq!(build_into(&example_site(), &out).errors(), 0);
    let nl = read_html(&out.join("nl/commerce/b2b-and-b2c/index.html"));
    assert_eq!(
        attr(&nl, "footer a[href='/translation-status/']", "href").as_deref(),
        Some("/translation-status/")
    );
    let status = read_html(&out.join("translation-status/index.html"));
    assert_eq!(select(&status, "tbody tr").len(), 2);
    let links: Vec<&str> = select(&status, "tbody td a")
        .iter()
        .filter_map(|a| a.value().attr("href"))
        .collect();
    assert!(links.contains(&"/sv/commerce/b2b-and-b2c/"), "{links:?}");
    assert!(
        links.contains(&"/it/articles/b2c-b2b-b2c2b-b2b2c/"),
        "missing cells lead to the fallback: {links:?}"
    );
    assert_eq!(select(&status, "td.status-stale").len(), 2);
}

#[test]
fn the_status_page_can_be_switched_off() {
    let site = tempfile::tempdir().unwrap();
    copy_example_site(site.path());
    let config = fs::read_to_string(site.path().join("tolk.toml")).unwrap();
    fs::write(
        site.path().join("tolk.toml"),
        config + "\n[translations]\nstatus_page = false\n",
    )
    .unwrap();
    let out = site.path().join("public");
    assert_eq!(build_into(site.path(), &out).errors(), 0);
    assert!(!out.join("translation-status").exists());
    let nl = read_html(&out.join("nl/commerce/b2b-and-b2c/index.html"));
    assert!(select(&nl, "footer a[href='/translation-status/']").is_empty());
}

#[test]
fn missing_translations_get_a_fallback_page_with_a_notice_and_noindex() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    assert_eq!(build_into(&example_site(), &out).errors(), 0);
    let it = read_html(&out.join("it/articles/b2c-b2b-b2c2b-b2b2c/index.html"));
    assert_eq!(attr(&it, "html", "lang").as_deref(), Some("it"));
    assert_eq!(
        attr(&it, "meta[name=robots]", "content").as_deref(),
        Some("noindex")
    );
    assert_eq!(
        attr(&it, "article", "lang").as_deref(),
        Some("fr"),
        "the content is French"
    );
    let notice: String = select(&it, ".notice-fallback")
        .iter()
        .flat_map(|n| n.text())
        .collect();
    assert!(notice.contains("non è ancora tradotta"), "{notice}");
    assert!(
        select(&it, "link[rel=alternate][hreflang]").is_empty(),
        "a fallback is not a translation"
    );
    let fr = read_html(&out.join("fr/articles/b2c-b2b-b2c2b-b2b2c/index.html"));
    let link = select(&fr, ".lang-switcher a.fallback[hreflang=sv]");
    assert_eq!(
        link[0].value().attr("href"),
        Some("/sv/articles/b2c-b2b-b2c2b-b2b2c/")
    );
    let note: String = link[0].text().collect();
    assert!(
        note.contains("Svenska") && note.contains("pas encore traduite"),
        "{note}"
    );
}

#[test]
fn machine_translated_pages_carry_a_notice_in_their_language() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    assert_eq!(build_into(&example_site(), &out).errors(), 0);
    let sv = read_html(&out.join("sv/commerce/b2b-and-b2c/index.html"));
    let notice: String = select(&sv, ".notice-mt")
        .iter()
        .flat_map(|n| n.text())
        .collect();
    assert!(
        notice.contains("maskinöversatt") || notice.contains("maskin"),
        "{notice}"
    );
    assert!(notice.contains("0"), "{notice}");
    let article = read_html(&out.join("fr/articles/b2c-b2b-b2c2b-b2b2c/index.html"));
    assert!(
        select(&article, ".notice-mt").is_empty(),
        "the article names no workflow"
    );
}

#[test]
fn with_missing_pages_unavailable_the_switcher_shows_no_link() {
    let site = tempfile::tempdir().unwrap();
    copy_example_site(site.path());
    let config = fs::read_to_string(site.path().join("tolk.toml")).unwrap();
    fs::write(
        site.path().join("tolk.toml"),
        config + "\n[translations]\nmissing_pages = \"unavailable\"\n",
    )
    .unwrap();
    let out = site.path().join("public");
    let report = build_into(site.path(), &out);
    assert_eq!(report.fallback_pages, 0);
    let html = read_html(&out.join("fr/articles/b2c-b2b-b2c2b-b2b2c/index.html"));
    for lang in ["it", "nl", "sv"] {
        assert!(
            select(&html, &format!(".lang-switcher a[hreflang={lang}]")).is_empty(),
            "{lang}"
        );
    }
    assert_eq!(select(&html, ".lang-switcher .unavailable").len(), 3);
    assert!(!out.join("it/articles").exists());
}

#[test]
fn the_article_does_not_look_like_the_b2b_page_even_without_a_language_clash() {
    use tolk::align::fingerprint::similarity;
    use tolk::model::Fingerprint;
    let body = |seed_name: &str| {
        let text = seed(seed_name);
        text.split("\n---\n")
            .nth(1)
            .map(String::from)
            .unwrap_or(text)
    };
    let article =
        Fingerprint::of_markdown(&tolk::read::plaintext::to_markdown(&seed("003")).markdown);
    let (fr, it, nl, sv) = (body("000"), body("001"), body("002"), body("004"));
    let nl = Fingerprint::of_markdown(&nl);
    for other in [&fr, &it, &sv] {
        let score = similarity(&Fingerprint::of_markdown(other), &nl);
        assert!(score >= 0.9, "translations score {score}");
    }
    let score = similarity(&article, &nl);
    assert!(
        score < tolk::align::suggest::MIN_SCORE / 2.0,
        "article scores {score}"
    );
}

#[test]
fn a_big_site_s_status_is_cut_into_pages_with_the_whole_site_s_coverage() {
    let site = tempfile::tempdir().unwrap();
    let root = site.path();
    fs::write(
        root.join("tolk.toml"),
        "title='t'\nbase_url='https://x.org/'\n[[languages]]\ntag='fr'\n[[languages]]\ntag='nl'\n",
    )
    .unwrap();
    copy_dir(&example_site().join("themes"), &root.join("themes"));
    fs::create_dir_all(root.join("content/fr/guide")).unwrap();
    for n in 0..450 {
        fs::write(
            root.join(format!("content/fr/guide/page-{n:03}.md")),
            format!("# Page {n:03}\n\nTexte.\n"),
        )
        .unwrap();
    }
    let out = root.join("public");
    assert_eq!(build_into(root, &out).errors(), 0);
    let rows = |path: &str| select(&read_html(&out.join(path)), ".status-table tbody tr").len();
    assert_eq!(rows("translation-status/index.html"), 200);
    assert_eq!(rows("translation-status/page/2/index.html"), 200);
    assert_eq!(rows("translation-status/page/3/index.html"), 50);
    assert!(!out.join("translation-status/page/4").exists());
    let first = read_html(&out.join("translation-status/page/3/index.html"));
    let links: Vec<String> = select(&first, ".status-pages a")
        .iter()
        .filter_map(|a| a.value().attr("href").map(str::to_string))
        .collect();
    assert_eq!(
        links,
        ["/translation-status/", "/translation-status/page/2/"]
    );
    let coverage = visible_text(&first);
    assert!(
        coverage.contains("100.0%") && coverage.contains("0.0%"),
        "{coverage}"
    );
}
