//! Reliability: the same sources give the same bytes, two builds at once
//! never lose the site, a killed build leaves the previous site as it was,
//! and faults while building are named with their file.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, SystemTime};

use crate::common::*;

/// 2025-01-01, in seconds since 1970: the `SOURCE_DATE_EPOCH` of the tests.
const EPOCH: u64 = 1_735_689_600;

fn tolk_in(root: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tolk"));
    command.current_dir(root).args(args);
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().unwrap()
}

fn site_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_example_site(dir.path());
    dir
}

/// Sets the modification time of every file under `dir`.
fn touch_all(dir: &Path, time: SystemTime) {
    for entry in walkdir::WalkDir::new(dir) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            fs::File::options()
                .write(true)
                .open(entry.path())
                .and_then(|f| f.set_modified(time))
                .unwrap();
        }
    }
}

fn at(seconds: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(seconds)
}

fn differences(a: &BTreeMap<PathBuf, Vec<u8>>, b: &BTreeMap<PathBuf, Vec<u8>>) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = a.keys().chain(b.keys()).cloned().collect();
    paths.sort();
    paths.dedup();
    paths.retain(|p| a.get(p) != b.get(p));
    paths
}

// ---------------------------------------------------------- reproducible

#[test]
fn copies_made_at_different_times_build_byte_identical_with_source_date_epoch() {
    let epoch = EPOCH.to_string();
    let outputs: Vec<_> = [EPOCH + 86_400, EPOCH + 200 * 86_400]
        .into_iter()
        .map(|time| {
            let site = site_copy();
            touch_all(site.path(), at(time));
            let built = tolk_in(
                site.path(),
                &["build", "--quiet"],
                &[("SOURCE_DATE_EPOCH", &epoch)],
            );
            assert!(built.status.success(), "{built:?}");
            snapshot(&site.path().join("public"))
        })
        .collect();
    for expected in [
        "sitemap.xml",
        "fr/atom.xml",
        "translation-status/index.html",
    ] {
        assert!(
            outputs[0].contains_key(Path::new(expected)),
            "{expected} is built"
        );
    }
    assert!(
        outputs[0].keys().any(|p| p.starts_with("pagefind")),
        "the search index is built"
    );
    assert_eq!(differences(&outputs[0], &outputs[1]), Vec::<PathBuf>::new());
    let feed = String::from_utf8(outputs[0][Path::new("fr/atom.xml")].clone()).unwrap();
    assert!(
        feed.contains("<updated>2025-01-01T00:00:00Z</updated>"),
        "{feed}"
    );
}

/// The `<updated>` of the feed entry linking to `url`.
fn feed_date(out: &Path, lang: &str, url: &str) -> String {
    let feed = fs::read_to_string(out.join(lang).join("atom.xml")).unwrap();
    let entry = feed
        .split("<entry>")
        .find(|entry| entry.contains(&format!("<id>{url}</id>")))
        .unwrap_or_else(|| panic!("no entry for {url} in {feed}"));
    let start = entry.find("<updated>").unwrap() + "<updated>".len();
    entry[start..start + 20].to_string()
}

#[test]
fn page_dates_come_from_front_matter_then_git_then_the_file() {
    let site = site_copy();
    let root = site.path();
    edit(
        root,
        "content/fr/commerce/b2b-and-b2c.md",
        "ht-degree: 1%\n",
        "ht-degree: 1%\nlast-update: 2024-03-01\ndate: 2020-01-01\n",
    );
    edit(
        root,
        "content/nl/commerce/b2b-and-b2c.md",
        "---\n",
        "---\ndate: 2019-02-03T04:05:06Z\n",
    );
    edit(
        root,
        "content/sv/commerce/b2b-and-b2c.md",
        "---\n",
        "---\ndate: sometime\n",
    );
    git(root, &["init", "-q"], DAY1);
    for lang in ["fr", "it", "nl", "sv"] {
        git(root, &["add", &format!("content/{lang}/commerce")], DAY1);
    }
    git(root, &["commit", "-qm", "pages"], DAY1);
    let article = root.join("content/fr/articles/b2c-b2b-b2c2b-b2b2c.txt");
    fs::File::options()
        .write(true)
        .open(&article)
        .and_then(|f| f.set_modified(at(1_683_244_800)))
        .unwrap();

    let out = root.join("public");
    let report = build_into(root, &out);
    assert_eq!(report.errors(), 0, "{:#?}", report.diagnostics);
    let page = "https://docs.example.org/LANG/commerce/b2b-and-b2c/";
    let page_in = |lang: &str| page.replace("LANG", lang);
    assert_eq!(
        feed_date(&out, "fr", &page_in("fr")),
        "2024-03-01T00:00:00Z"
    );
    assert_eq!(
        feed_date(&out, "nl", &page_in("nl")),
        "2019-02-03T04:05:06Z"
    );
    assert_eq!(feed_date(&out, "it", &page_in("it")), DAY1, "git");
    assert_eq!(feed_date(&out, "sv", &page_in("sv")), DAY1, "git");
    let url = "https://docs.example.org/fr/articles/b2c-b2b-b2c2b-b2b2c/";
    assert_eq!(
        feed_date(&out, "fr", url),
        "2023-05-05T00:00:00Z",
        "file time"
    );
    let warning = report
        .diagnostics
        .iter()
        .find(|d| d.message.contains("sometime"))
        .expect("a warning for the date that is not one");
    assert!(
        warning
            .location()
            .unwrap()
            .contains("sv/commerce/b2b-and-b2c.md:2:"),
        "{warning:?}"
    );
}

#[test]
fn a_malformed_source_date_epoch_fails_the_build() {
    let site = site_copy();
    let built = tolk_in(
        site.path(),
        &["build", "--quiet"],
        &[("SOURCE_DATE_EPOCH", "yesterday")],
    );
    assert!(!built.status.success());
    let stderr = String::from_utf8_lossy(&built.stderr);
    assert!(
        stderr.contains("SOURCE_DATE_EPOCH is `yesterday`"),
        "{stderr}"
    );
    assert!(!site.path().join("public").exists());
}

// ------------------------------------------------------ builds at once

/// The example site with `pages` more French pages: a build long enough
/// to be caught in the middle.
fn big_site(pages: usize) -> tempfile::TempDir {
    let site = site_copy();
    let folder = site.path().join("content/fr/generated");
    fs::create_dir_all(&folder).unwrap();
    for n in 0..pages {
        let text = format!(
            "---\ntitle: Page {n}\n---\n\n# Page {n}\n\n{}\n\n## Suite\n\nFin de la page {n}.\n",
            "Du texte pour remplir la page et son index. ".repeat(20)
        );
        fs::write(folder.join(format!("page-{n}.md")), text).unwrap();
    }
    site
}

fn build_command(root: &Path, out: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tolk"));
    command
        .current_dir(root)
        .args(["build", "--quiet", "--out", out])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
    command
}

/// What is beside the output folder `public` apart from it and the source.
fn leftovers(root: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(".public"))
        .collect();
    names.sort();
    names
}

/// The site as a build into a fresh folder makes it.
fn fresh_build(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let built = build_command(root, "fresh").output().unwrap();
    assert!(built.status.success(), "{built:?}");
    let files = snapshot(&root.join("fresh"));
    fs::remove_dir_all(root.join("fresh")).unwrap();
    files
}

#[test]
fn two_builds_at_once_publish_one_complete_site() {
    let site = big_site(150);
    let root = site.path();
    let complete = fresh_build(root);
    for round in 0..3 {
        let builds: Vec<_> = (0..2)
            .map(|_| build_command(root, "public").spawn().unwrap())
            .collect();
        let ended: Vec<Output> = builds
            .into_iter()
            .map(|b| b.wait_with_output().unwrap())
            .collect();
        for output in ended.iter().filter(|o| !o.status.success()) {
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert!(
                stderr.contains("another build is writing public")
                    && stderr.contains(".public.tolk-lock is held"),
                "round {round}: {stderr}"
            );
        }
        assert!(
            ended.iter().any(|o| o.status.success()),
            "round {round}: {ended:?}"
        );
        let published = snapshot(&root.join("public"));
        assert_eq!(differences(&published, &complete), Vec::<PathBuf>::new());
    }
    assert_eq!(leftovers(root), [".public.tolk-lock", ".public.tolk-spare"]);
}

/// HTML pages under `dir` so far (none when it does not exist).
fn count_pages(dir: &Path) -> usize {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "html"))
        .count()
}

#[test]
fn a_build_killed_at_10_50_and_90_percent_leaves_the_previous_site() {
    for percent in [10, 50, 90] {
        let site = big_site(150);
        let root = site.path();
        let first = build_command(root, "public").output().unwrap();
        assert!(first.status.success(), "{first:?}");
        let previous = snapshot(&root.join("public"));
        edit(root, "content/fr/generated/page-1.md", "Fin", "Et la fin");
        fs::remove_file(root.join("content/fr/generated/page-2.md")).unwrap();

        // The output had no spare yet: this build's staging folder starts
        // empty, so the pages in it say how far the build is (the pages
        // are rendered first; the search index and the swap come last).
        let mut build = build_command(root, "public").spawn().unwrap();
        let staging = root.join(".public.tolk-staging");
        let pages = previous
            .keys()
            .filter(|p| p.extension().is_some_and(|x| x == "html"));
        let target = pages.count() * percent / 100;
        while count_pages(&staging) < target {
            assert!(
                build.try_wait().unwrap().is_none(),
                "{percent} %: the build ended before it could be killed"
            );
        }
        build.kill().unwrap();
        build.wait().unwrap();
        assert!(
            snapshot(&root.join("public")) == previous,
            "{percent} %: the previous site changed"
        );

        let next = build_command(root, "public").output().unwrap();
        assert!(next.status.success(), "{percent} %: {next:?}");
        let published = snapshot(&root.join("public"));
        assert_eq!(
            differences(&published, &fresh_build(root)),
            Vec::<PathBuf>::new()
        );
        assert_eq!(
            leftovers(root),
            [".public.tolk-lock", ".public.tolk-spare"],
            "{percent} %"
        );
    }
}

// --------------------------------------------------------------- faults

/// A site copy built once: its output as it is now.
fn built_copy() -> (tempfile::TempDir, BTreeMap<PathBuf, Vec<u8>>) {
    let site = site_copy();
    let report = build_into(site.path(), &site.path().join("public"));
    assert_eq!(report.errors(), 0, "{:#?}", report.diagnostics);
    let before = snapshot(&site.path().join("public"));
    (site, before)
}

#[test]
fn a_template_syntax_error_names_the_template_line_and_column() {
    let (site, before) = built_copy();
    let template = "themes/default/templates/page.html";
    let path = site.path().join(template);
    let text = fs::read_to_string(&path).unwrap();
    // An `if` without a condition, at the end of the first block's line.
    let (number, line) = text
        .lines()
        .enumerate()
        .find(|(_, line)| line.starts_with("{% block "))
        .unwrap();
    fs::write(&path, text.replacen(line, &format!("{line} {{% if %}}"), 1)).unwrap();
    // The column of the `%}` that should have been a condition.
    let at = format!("{template}:{}:{}", number + 1, line.chars().count() + 8);

    let report = build_into(site.path(), &site.path().join("public"));
    assert!(report.published_to.is_none());
    let problem = report
        .diagnostics
        .iter()
        .find(|d| d.is_error())
        .expect("an error");
    assert_eq!(problem.location().as_deref(), Some(&*at), "{problem:?}");
    assert!(
        problem.message.contains("template syntax error"),
        "{problem:?}"
    );
    assert!(snapshot(&site.path().join("public")) == before);
}

#[test]
fn an_output_folder_inside_a_file_or_that_is_a_file_is_an_error_naming_it() {
    // The tests run as root here, and root writes into read-only folders:
    // a folder that cannot be made (its parent is a file) is the
    // unwritable output that holds for every user.
    let (site, before) = built_copy();
    let root = site.path();
    fs::write(root.join("notes.txt"), "mine").unwrap();
    for out in ["notes.txt/public", "notes.txt"] {
        let report = build_into(root, &root.join(out));
        assert!(report.published_to.is_none(), "{out}");
        let errors: Vec<_> = report.diagnostics.iter().filter(|d| d.is_error()).collect();
        assert_eq!(errors.len(), 1, "{out}: {errors:#?}");
        assert!(
            errors[0].headline().contains("notes.txt"),
            "{out}: {errors:?}"
        );
        assert_eq!(fs::read_to_string(root.join("notes.txt")).unwrap(), "mine");
    }
    assert!(snapshot(&root.join("public")) == before);
}

#[test]
fn a_page_changing_while_the_site_builds_is_named_or_built_whole() {
    let (site, mut before) = built_copy();
    let root = site.path().to_path_buf();
    let page = root.join("content/fr/flip.md");
    // The same length, so only the text tells the versions apart.
    let versions = [
        "---\ntitle: Alpha\n---\n\nCorps alpha.\n",
        "---\ntitle: Bravo\n---\n\nCorps bravo.\n",
    ];
    fs::write(&page, versions[0]).unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flipper = {
        let (stop, page) = (stop.clone(), page.clone());
        std::thread::spawn(move || {
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                n += 1;
                // Now and then the page is gone for a moment.
                if n % 7 == 0 {
                    let _ = fs::remove_file(&page);
                }
                fs::write(&page, versions[n % 2]).unwrap();
                std::thread::sleep(Duration::from_micros(200));
            }
        })
    };
    let mut failed = 0;
    for _ in 0..12 {
        let report = build_into(&root, &root.join("public"));
        let published = snapshot(&root.join("public"));
        if report.published_to.is_some() {
            // Absent when it was gone as the content was discovered: the
            // site as the sources were then.
            if let Some(html) = published.get(Path::new("fr/flip/index.html")) {
                let html = String::from_utf8_lossy(html);
                // `fs::write` empties the file before it writes: the
                // empty page (titled after its file) is a version too.
                let whole = (html.contains("<title>Alpha") && html.contains("Corps alpha."))
                    || (html.contains("<title>Bravo") && html.contains("Corps bravo."))
                    || (html.contains("<title>flip") && !html.contains("Corps "));
                assert!(whole, "one version of the page, not two: {html}");
            }
            before = published;
        } else {
            failed += 1;
            let named = report
                .diagnostics
                .iter()
                .filter(|d| d.is_error())
                .all(|d| d.file.as_deref() == Some(Path::new("content/fr/flip.md")));
            assert!(named, "{:#?}", report.diagnostics);
            assert!(published == before, "the previous site stays");
        }
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    flipper.join().unwrap();
    eprintln!("{failed} of 12 builds saw the page change");
}
