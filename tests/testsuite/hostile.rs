//! Bad input of every kind, built through the library: each case must end
//! with the expected error (file:line:col), warning or safe page, and with no
//! panic, in time, nothing written outside the output folder, and the
//! previous output intact when nothing is published.
//!
//! The cases live in `tests/fixtures/hostile/` (see its README); big and
//! binary inputs are written here. Each test runs in a process of its own
//! (this test binary, started again for that one test), so a stack overflow
//! or an abort fails that case instead of the whole run, and a build that
//! never ends is killed.
//!
//! Tests marked `#[ignore]` describe behaviour tolk does not have yet; run
//! them with `cargo test --test testsuite hostile:: -- --ignored`.

use std::fs;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;
use crate::harness::*;
use serde::Deserialize;

/// How long one build may take: 20 s. Debug builds of tolk and of the
/// parsers it uses run up to 10 times slower than release builds (on a
/// 2-core machine, with the other cases running beside it, the 20 MB page
/// builds in about 5 s in release and 30 to 90 s in a debug build), so a
/// debug build gets more; a build that loops or goes quadratic takes far
/// longer either way. `cargo test --release --test hostile` holds every case
/// to 20 s.
const LIMIT: Duration = if cfg!(debug_assertions) {
    Duration::from_secs(180)
} else {
    Duration::from_secs(20)
};

/// The whole case, in its own process: writing the input, building,
/// checking the output.
const PROCESS_LIMIT: Duration = Duration::from_secs(LIMIT.as_secs() * 2 + 60);

/// Set in the process that runs one case.
const CHILD: &str = "TOLK_HOSTILE_CASE";

// ---------------------------------------------------------------------------
// Expectations

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    #[allow(dead_code)]
    description: String,
    published: bool,
    #[serde(default)]
    keep_going: bool,
    #[serde(default)]
    diagnostic: Vec<ExpectedDiagnostic>,
    #[serde(default)]
    page: Vec<ExpectedPage>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectedDiagnostic {
    severity: String,
    location: String,
    message: String,
    #[serde(default)]
    mentions: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectedPage {
    path: String,
    title: Option<String>,
    #[serde(default)]
    text: Vec<String>,
    #[serde(default)]
    html: Vec<String>,
}

/// How much of an expected location to hold tolk to.
#[derive(Clone, Copy, PartialEq)]
enum Positions {
    /// `file:line:col` as written in `expect.toml`.
    Exact,
    /// Only the file: for the cases where tolk does not give the line yet,
    /// whose exact form is an ignored test of its own.
    FileOnly,
}

struct Case {
    folder: &'static str,
    site: Site,
    expect: Expect,
}

fn fixtures() -> PathBuf {
    example_site().join("tests/fixtures/hostile")
}

impl Case {
    /// The case in `tests/fixtures/hostile/FOLDER`, laid out as a site.
    fn fixture(folder: &'static str) -> Case {
        let dir = fixtures().join(folder);
        let expect_text = fs::read_to_string(dir.join("expect.toml"))
            .unwrap_or_else(|e| panic!("{folder}/expect.toml: {e}"));
        let expect: Expect =
            toml::from_str(&expect_text).unwrap_or_else(|e| panic!("{folder}/expect.toml: {e}"));
        let config = fs::read_to_string(dir.join("tolk.toml"))
            .unwrap_or_else(|_| DEFAULT_CONFIG.to_string());
        let site = Site::new(&config);
        if dir.join("content").is_dir() {
            copy_dir(&dir.join("content"), &site.root().join("content"));
        }
        Case {
            folder,
            site,
            expect,
        }
    }

    fn with_file(self, relative: &str, contents: impl AsRef<[u8]>) -> Case {
        self.site.write(relative, contents);
        self
    }

    fn check(self) {
        self.check_positions(Positions::Exact);
    }

    fn check_positions(self, positions: Positions) {
        let Case {
            folder,
            site,
            expect,
        } = self;
        let built = guarded_build(&site, expect.keep_going, LIMIT)
            .unwrap_or_else(|problem| panic!("{folder}: {problem}"));
        let report = &built.report;
        eprintln!(
            "{folder}: built in {:.2} s, {} errors, {} warnings",
            built.elapsed.as_secs_f64(),
            report.errors(),
            report.warnings()
        );

        let published = report.published_to.is_some();
        assert_eq!(
            published,
            expect.published,
            "{folder}: published {published}, expected {}\n{}",
            expect.published,
            listing(report)
        );
        if expect.published && !expect.keep_going {
            assert_eq!(
                report.errors(),
                0,
                "{folder}: errors in a build expected to succeed\n{}",
                listing(report)
            );
        }
        if !expect.published {
            assert!(
                report.errors() > 0,
                "{folder}: nothing published without an error\n{}",
                listing(report)
            );
        }
        if published {
            let problems = unsafe_output(&site.out());
            assert!(
                problems.is_empty(),
                "{folder}: unsafe HTML published:\n{}",
                problems.join("\n")
            );
        }
        for wanted in &expect.diagnostic {
            assert!(
                report
                    .diagnostics
                    .iter()
                    .any(|d| matches_diagnostic(d, wanted, positions)),
                "{folder}: no {} at `{}` saying `{}`{}; got:\n{}",
                wanted.severity,
                wanted.location,
                wanted.message,
                if wanted.mentions.is_empty() {
                    String::new()
                } else {
                    format!(" and {:?}", wanted.mentions)
                },
                listing(report),
            );
        }
        if published {
            for page in &expect.page {
                check_page(folder, &site, page);
            }
        }
    }
}

fn matches_diagnostic(
    d: &tolk::model::diagnostic::Diagnostic,
    wanted: &ExpectedDiagnostic,
    positions: Positions,
) -> bool {
    let severity = if d.is_error() { "error" } else { "warning" };
    let location = d.location().unwrap_or_default();
    let location_ok = match positions {
        Positions::Exact => location.starts_with(&wanted.location),
        Positions::FileOnly => {
            let file = wanted.location.split(':').next().unwrap_or_default();
            location.split(':').next() == Some(file)
        }
    };
    let message = d.message.to_lowercase();
    severity == wanted.severity
        && location_ok
        && message.contains(&wanted.message.to_lowercase())
        && wanted
            .mentions
            .iter()
            .all(|m| d.message.contains(m.as_str()))
}

fn check_page(folder: &str, site: &Site, page: &ExpectedPage) {
    let path = site.out().join(&page.path);
    let bytes = fs::read(&path).unwrap_or_else(|e| panic!("{folder}: {}: {e}", page.path));
    let text = String::from_utf8_lossy(&bytes);
    for markup in &page.html {
        assert!(
            text.contains(markup.as_str()),
            "{folder}: {} lacks `{markup}`",
            page.path
        );
    }
    if page.title.is_none() && page.text.is_empty() {
        return;
    }
    let (title, visible) = if nesting_depth(&bytes) > DOM_CHECK_DEPTH {
        // Too deep to parse in reasonable time: read the escaped text
        // templates write directly.
        (raw_title(&text), raw_visible_text(&text))
    } else {
        let document = scraper::Html::parse_document(&text);
        let title = scraper::Selector::parse("title").unwrap();
        let body = scraper::Selector::parse("body").unwrap();
        (
            document.select(&title).flat_map(|e| e.text()).collect(),
            document
                .select(&body)
                .flat_map(|e| e.text())
                .collect::<String>(),
        )
    };
    if let Some(wanted) = &page.title {
        assert!(
            title.starts_with(wanted.as_str()),
            "{folder}: {}: title `{title}` should start with `{wanted}`",
            page.path
        );
    }
    for wanted in &page.text {
        assert!(
            visible.contains(wanted.as_str()),
            "{folder}: {} does not show `{wanted}`",
            page.path
        );
    }
}

fn raw_title(html: &str) -> String {
    let start = html.find("<title>").map_or(0, |i| i + "<title>".len());
    let end = html[start..].find("</title>").map_or(start, |i| start + i);
    html_escape::decode_html_entities(&html[start..end]).into_owned()
}

/// The text between tags, entities decoded.
fn raw_visible_text(html: &str) -> String {
    let body = html.find("<body").map_or(html, |i| &html[i..]);
    let mut text = String::with_capacity(body.len() / 2);
    let mut in_tag = false;
    for ch in body.chars() {
        match ch {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => text.push(ch),
            _ => {}
        }
    }
    html_escape::decode_html_entities(&text).into_owned()
}

// ---------------------------------------------------------------------------
// One process per case

/// Runs `body` in a process of its own: this test binary, asked to run only
/// the test `name`, with [`CHILD`] set so that there the body runs.
fn isolated(name: &str, body: impl FnOnce()) {
    if std::env::var_os(CHILD).is_some() {
        return body();
    }
    let logs = tempfile::tempdir().unwrap();
    let (out_path, err_path) = (logs.path().join("stdout"), logs.path().join("stderr"));
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            name,
            "--exact",
            "--nocapture",
            "--include-ignored",
            "--test-threads=1",
        ])
        .env(CHILD, name)
        .stdin(Stdio::null())
        .stdout(fs::File::create(&out_path).unwrap())
        .stderr(fs::File::create(&err_path).unwrap())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if started.elapsed() > PROCESS_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let output = format!(
        "{}{}",
        fs::read_to_string(&out_path).unwrap_or_default(),
        fs::read_to_string(&err_path).unwrap_or_default()
    );
    let tail: String = {
        let lines: Vec<&str> = output.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    };
    match status {
        None => panic!("{name}: killed after {} s\n{tail}", PROCESS_LIMIT.as_secs()),
        Some(status) if status.success() => {
            assert!(
                output.contains("running 1 test"),
                "{name}: the case did not run\n{tail}"
            );
            for line in output.lines().filter(|l| l.contains(": built in ")) {
                eprintln!("{line}");
            }
        }
        Some(status) => panic!("{name}: failed in its own process ({status})\n{tail}"),
    }
}

/// The name libtest knows a test by: its module path without the crate.
fn test_name(module: &str, function: &str) -> String {
    match module.split_once("::") {
        Some((_, path)) => format!("{path}::{function}"),
        None => function.to_string(),
    }
}

/// `hostile!(name: body)` declares a test running `body` in its own process.
macro_rules! hostile {
    ($(#[$meta:meta])* $name:ident: $body:expr) => {
        $(#[$meta])*
        #[test]
        fn $name() {
            isolated(&test_name(module_path!(), stringify!($name)), || $body);
        }
    };
}

// ---------------------------------------------------------------------------
// Generated inputs

/// The sample pages' bodies (no front matter), the material of big pages.
fn sample_bodies() -> String {
    let mut bodies = String::new();
    for lang in ["fr", "it", "nl", "sv"] {
        let text = fs::read_to_string(
            example_site().join(format!("content/{lang}/commerce/b2b-and-b2c.md")),
        )
        .unwrap();
        bodies.push_str(tolk::read::front_matter::split(&text).unwrap().body);
        bodies.push_str("\n\n");
    }
    bodies
}

fn huge_page(bytes: usize) -> String {
    let bodies = sample_bodies();
    let mut page = String::with_capacity(bytes + bodies.len());
    page.push_str("---\ntitle: Énorme\n---\n\n");
    while page.len() < bytes {
        page.push_str(&bodies);
    }
    page
}

fn huge_front_matter(bytes: usize) -> String {
    let mut page = String::from("---\ntitle: Gros en-tête\n");
    page.push_str(&format!("description: {}\n", "mot ".repeat(bytes / 8)));
    let mut key = 0;
    while page.len() < bytes {
        page.push_str(&format!(
            "cle-{key:06}: une valeur assez longue pour peser\n"
        ));
        key += 1;
    }
    page.push_str("---\n\nTexte.\n");
    page
}

// ---------------------------------------------------------------------------
// Front matter

hostile!(front_matter_unclosed: Case::fixture("front-matter/unclosed").check());
hostile!(front_matter_unclosed_quote: Case::fixture("front-matter/unclosed-quote").check());
hostile!(front_matter_tab_indentation: Case::fixture("front-matter/tab-indentation").check());
hostile!(front_matter_duplicate_keys: Case::fixture("front-matter/duplicate-keys").check());
hostile!(front_matter_title_list: Case::fixture("front-matter/title-list").check());
hostile!(front_matter_alias_bomb: Case::fixture("front-matter/alias-bomb").check());
hostile!(front_matter_huge: Case::fixture("front-matter/huge")
    .with_file("content/fr/page.md", huge_front_matter(1_100_000))
    .check());
hostile!(front_matter_only: Case::fixture("front-matter/only").check());
hostile!(front_matter_empty_file: Case::fixture("front-matter/empty").check());

hostile!(
    yaml_error_messages_agree_with_their_location: {
        for folder in ["front-matter/unclosed-quote", "front-matter/tab-indentation", "front-matter/duplicate-keys", "front-matter/title-list"] {
            let case = Case::fixture(folder);
            let built = guarded_build(&case.site, false, LIMIT).unwrap();
            for d in &built.report.diagnostics {
                if let Some((_, after)) = d.message.split_once(" at line ") {
                    let line: String = after.chars().take_while(char::is_ascii_digit).collect();
                    assert_eq!(line.parse::<usize>().ok(), d.line, "{folder}: {d}");
                }
            }
        }
    }
);

// ---------------------------------------------------------------------------
// Text

hostile!(text_invalid_utf8: Case::fixture("text/invalid-utf8")
    .with_file("content/fr/page.md", b"---\ntitle: Octets\n---\nPremi\xe8re ligne\n")
    .check());
hostile!(
    text_nul_bytes: Case::fixture("text/nul-bytes")
    .with_file("content/fr/page.md", b"---\ntitle: Nul\n---\nAvant\0apr\xc3\xa8s\n\n| a\0 | b |\n|---|---|\n| \0 | x |\n\n# \0\n")
    .check());
hostile!(text_bom_in_middle: Case::fixture("text/bom-in-middle").check());
hostile!(text_lone_cr: Case::fixture("text/lone-cr")
    .with_file("content/fr/page.md", "---\rtitle: Retours chariot\rdescription: Fin de ligne CR\r---\r# Titre CR\r\rLigne un\rLigne deux\r")
    .check());
hostile!(text_lone_cr_error_position: Case::fixture("text/lone-cr-error")
    .with_file("content/fr/page.md", "---\rtitle: ok\rdescription: 'ouvert\r---\rTexte\r")
    .check());
hostile!(text_huge_page: Case::fixture("text/huge-page")
    .with_file("content/fr/page.md", huge_page(20 * 1024 * 1024))
    .check());
hostile!(text_deep_lists: Case::fixture("text/deep-lists")
    .with_file("content/fr/page.md", format!("---\ntitle: Listes\n---\n\n{}x\n", "- ".repeat(100_000)))
    .check());
hostile!(text_deep_quotes: Case::fixture("text/deep-quotes")
    .with_file("content/fr/page.md", format!("---\ntitle: Citations\n---\n\n{} x\n", ">".repeat(100_000)))
    .check());
hostile!(text_deep_lists_and_quotes_mixed: Case::fixture("text/deep-quotes")
    .with_file("content/fr/page.md", format!("---\ntitle: Citations\n---\n\n{}x\n", "> - ".repeat(50_000)))
    .check());
hostile!(text_wide_table: {
    let columns = 50_000;
    let header: String = (0..columns).map(|i| format!(" c{i} |")).collect();
    let table = format!("|{header}\n|{}\n|{}\n", "---|".repeat(columns), " 1 |".repeat(columns));
    Case::fixture("text/wide-table")
        .with_file("content/fr/page.md", format!("---\ntitle: Tableau\n---\n\n{table}"))
        .check()
});

// ---------------------------------------------------------------------------
// Languages and alignment

hostile!(language_invalid_tag: Case::fixture("language/invalid-tag").check_positions(Positions::FileOnly));
hostile!(
    language_invalid_tag_position: Case::fixture("language/invalid-tag").check()
);
hostile!(language_unconfigured_folder: Case::fixture("language/unconfigured-folder").check());
hostile!(language_duplicate_exl_id: Case::fixture("language/duplicate-exl-id").check_positions(Positions::FileOnly));
hostile!(
    language_duplicate_exl_id_position: Case::fixture("language/duplicate-exl-id").check()
);
hostile!(language_exl_id_not_uuid: Case::fixture("language/exl-id-not-uuid").check());
hostile!(language_disagreement: Case::fixture("language/disagreement").check_positions(Positions::FileOnly));
hostile!(
    language_disagreement_position: Case::fixture("language/disagreement").check()
);

// ---------------------------------------------------------------------------
// Markup

hostile!(
    markup_raw_html: Case::fixture("markup/raw-html").check()
);
hostile!(
    markup_markdown_links: Case::fixture("markup/markdown-links").check()
);
hostile!(markup_title_and_description: Case::fixture("markup/title-and-description").check());
hostile!(
    markup_headings: Case::fixture("markup/headings").check()
);
hostile!(
    markup_table_cells: Case::fixture("markup/table-cells").check()
);
hostile!(
    markup_link_texts: Case::fixture("markup/link-texts").check()
);
hostile!(markup_plain_text: Case::fixture("markup/plain-text").check());
hostile!(
    markup_plain_text_read_as_markdown: Case::fixture("markup/plain-text-markdown").check()
);

// ---------------------------------------------------------------------------
// Every fixture has a test

#[test]
fn every_fixture_folder_is_a_case_above() {
    let source = fs::read_to_string(example_site().join("tests/testsuite/hostile.rs")).unwrap();
    for entry in walkdir::WalkDir::new(fixtures())
        .into_iter()
        .map(Result::unwrap)
    {
        if entry.file_name() == "expect.toml" {
            let folder = entry
                .path()
                .parent()
                .unwrap()
                .strip_prefix(fixtures())
                .unwrap();
            let folder = folder
                .iter()
                .map(|p| p.to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            assert!(
                source.contains(&format!("Case::fixture(\"{folder}\")")),
                "no test builds {folder}"
            );
        }
    }
}
