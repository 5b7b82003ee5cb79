//! Broken input: every problem is listed with its position, the build fails,
//! and the previous output survives.

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::common::*;

fn site_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_example_site(dir.path());
    dir
}

fn break_pages(root: &Path) {
    fs::write(
        root.join("content/fr/broken.md"),
        "---\ntitle: Cassé\n# never closed\n",
    )
    .unwrap();
    fs::write(
        root.join("content/nl/wrong.md"),
        "---\ntitle: 'unclosed\n---\nTekst\n",
    )
    .unwrap();
}

#[test]
fn a_broken_page_fails_the_build_and_the_previous_output_survives() {
    let site = site_copy();
    let out = site.path().join("public");
    assert_eq!(build_into(site.path(), &out).errors(), 0);
    let before = snapshot(&out);

    break_pages(site.path());
    let report = build_into(site.path(), &out);

    assert_eq!(report.errors(), 2, "{:#?}", report.diagnostics);
    assert!(report.published_to.is_none());
    assert_eq!(snapshot(&out), before, "previous output must be untouched");
    let mut leftovers: Vec<_> = fs::read_dir(site.path())
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains("tolk-"))
        .collect();
    // Only the spare that the next build reuses and the lock stay beside
    // the output.
    leftovers.sort();
    assert_eq!(
        leftovers,
        [".public.tolk-lock", ".public.tolk-spare"],
        "no staging folder left behind"
    );
}

#[test]
fn every_failure_is_listed_with_file_and_position() {
    let site = site_copy();
    break_pages(site.path());
    let report = build_into(site.path(), &site.path().join("public"));
    let messages: Vec<String> = report.diagnostics.iter().map(|d| d.to_string()).collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("content/fr/broken.md:1:1") && m.contains("never closed")),
        "{messages:#?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("content/nl/wrong.md:2:") && m.contains("front matter")),
        "{messages:#?}"
    );
}

#[test]
fn keep_going_publishes_the_pages_that_built() {
    let site = site_copy();
    break_pages(site.path());
    let out = site.path().join("public");
    let report = tolk::pipeline::build(&tolk::pipeline::BuildOptions {
        root: site.path().to_path_buf(),
        out: Some(out.clone()),
        keep_going: true,
        ..Default::default()
    });
    assert_eq!(report.errors(), 2);
    assert!(out.join("nl/commerce/b2b-and-b2c/index.html").is_file());
    assert!(!out.join("fr/broken/index.html").exists());
}

#[test]
fn conflicting_languages_name_the_file() {
    let site = site_copy();
    fs::write(site.path().join("content/fr/page.nl.md"), "# Hallo\n").unwrap();
    let report = build_into(site.path(), &site.path().join("public"));
    let messages: Vec<String> = report.diagnostics.iter().map(|d| d.to_string()).collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("content/fr/page.nl.md") && m.contains("conflicting languages")),
        "{messages:#?}"
    );
}

#[test]
fn a_wrong_config_key_is_named() {
    let site = site_copy();
    let config = fs::read_to_string(site.path().join("tolk.toml")).unwrap();
    fs::write(
        site.path().join("tolk.toml"),
        config.replace("base_url", "baseurl"),
    )
    .unwrap();
    let report = build_into(site.path(), &site.path().join("public"));
    let messages: Vec<String> = report.diagnostics.iter().map(|d| d.to_string()).collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("tolk.toml:") && m.contains("baseurl")),
        "{messages:#?}"
    );
}

fn tolk(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_tolk"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn cli_prints_a_summary_and_fails_with_a_snippet_on_errors() {
    let site = site_copy();
    let root = site.path().to_str().unwrap();
    let ok = tolk(&["build", "--root", root]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let summary = String::from_utf8_lossy(&ok.stdout);
    assert!(
        summary.contains("Built 5 pages (fr 2, it 1, nl 1, sv 1)"),
        "{summary}"
    );
    assert!(summary.contains("0 errors"), "{summary}");
    assert!(
        site.path()
            .join("public/nl/commerce/b2b-and-b2c/index.html")
            .is_file()
    );

    break_pages(site.path());
    let failed = tolk(&["build", "--root", root]);
    assert_eq!(failed.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert!(stderr.contains("content/nl/wrong.md"), "{stderr}");
    assert!(
        stderr.contains("title: 'unclosed"),
        "snippet of the source: {stderr}"
    );
    assert!(String::from_utf8_lossy(&failed.stdout).contains("2 errors"));
}

#[test]
fn cli_help_describes_build() {
    let help = tolk(&["build", "--help"]);
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(text.contains("--root") && text.contains("--out"), "{text}");
}

#[test]
fn a_site_template_overrides_the_theme_and_suffix_pages_align_with_folder_pages() {
    let site = site_copy();
    let templates = site.path().join("templates");
    fs::create_dir_all(&templates).unwrap();
    let home = "{% extends \"base.html\" %}{% block content %}<p id=\"custom\">{{ lang.name }}</p>{% endblock content %}";
    fs::write(templates.join("home.html"), home).unwrap();
    fs::create_dir_all(site.path().join("content/commerce")).unwrap();
    fs::write(
        site.path().join("content/commerce/b2b-and-b2c.it.md"),
        "# Doppione\n",
    )
    .unwrap();
    let out = site.path().join("public");
    let report = build_into(site.path(), &out);
    let messages: Vec<String> = report.diagnostics.iter().map(|d| d.to_string()).collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("2 pages in `it`") && m.contains("b2b-and-b2c.it.md")),
        "the suffix page joins the group by path and clashes with the folder page: {messages:#?}"
    );
    fs::remove_file(site.path().join("content/commerce/b2b-and-b2c.it.md")).unwrap();
    assert_eq!(build_into(site.path(), &out).errors(), 0);
    let html = read_html(&out.join("sv/index.html"));
    assert_eq!(
        select(&html, "#custom")[0].text().collect::<String>(),
        "Svenska"
    );
}
