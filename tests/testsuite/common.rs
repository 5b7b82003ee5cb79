//! Helpers shared by the integration tests: a private copy of the example site
//! and small HTML queries.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use scraper::{Html, Selector};
use tolk::pipeline::{self, BuildOptions, BuildReport};

/// The repository root, which is itself the example site.
pub fn example_site() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Copies the example site (config, content, theme) into `dest`, so a test can
/// change it and build it without touching the repository.
pub fn copy_example_site(dest: &Path) {
    let root = example_site();
    fs::copy(root.join("tolk.toml"), dest.join("tolk.toml")).unwrap();
    copy_dir(&root.join("content"), &dest.join("content"));
    copy_dir(&root.join("themes"), &dest.join("themes"));
}

pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            fs::create_dir_all(&target).unwrap();
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A fixture site of `tests/fixtures/` built once into a folder of its own,
/// with the default theme.
pub struct BuiltFixture {
    _dir: tempfile::TempDir,
    pub out: PathBuf,
    pub report: BuildReport,
}

/// Copies the fixture `name` and the themes into a new folder and builds
/// it; panics on any error.
pub fn build_fixture(name: &str) -> BuiltFixture {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(
        &example_site().join("tests/fixtures").join(name),
        dir.path(),
    );
    copy_dir(&example_site().join("themes"), &dir.path().join("themes"));
    let out = dir.path().join("public");
    let report = build_into(dir.path(), &out);
    assert_eq!(report.errors(), 0, "{:#?}", report.diagnostics);
    BuiltFixture {
        _dir: dir,
        out,
        report,
    }
}

pub fn build_into(root: &Path, out: &Path) -> BuildReport {
    pipeline::build(&BuildOptions {
        root: root.to_path_buf(),
        out: Some(out.to_path_buf()),
        ..Default::default()
    })
}

/// Every file under `dir` with its bytes, keyed by relative path (none
/// when `dir` does not exist).
pub fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    if !dir.exists() {
        return BTreeMap::new();
    }
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path().strip_prefix(dir).unwrap().to_path_buf(),
                fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

pub fn read_html(path: &Path) -> Html {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Html::parse_document(&text)
}

pub fn select<'a>(html: &'a Html, css: &str) -> Vec<scraper::ElementRef<'a>> {
    let selector = Selector::parse(css).unwrap();
    html.select(&selector).collect()
}

pub fn attr(html: &Html, css: &str, name: &str) -> Option<String> {
    select(html, css)
        .first()
        .and_then(|e| e.value().attr(name))
        .map(String::from)
}

/// All text a reader sees in the body (text nodes, decoded by the parser).
pub fn visible_text(html: &Html) -> String {
    select(html, "body")
        .iter()
        .flat_map(|b| b.text())
        .collect::<Vec<_>>()
        .join("")
}

/// Runs git in `dir` as a fixed author, at `date` (so histories are the
/// same on every run). Panics when git fails; a machine without git fails
/// these tests (CI has git).
pub fn git(dir: &Path, args: &[&str], date: &str) {
    let status = std::process::Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.org")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.org")
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&status.stderr)
    );
}

/// `git rev-parse HEAD` in `dir`.
pub fn head_commit(dir: &Path) -> String {
    let out = std::process::Command::new("git")
        .current_dir(dir)
        .args(["rev-parse", "HEAD"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git rev-parse HEAD in {}",
        dir.display()
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

// ---------------------------------------------------------------------------
// A two-language site whose source has a git history (staleness, review pages)

pub const EXL_ID: &str = "0f5b4a7f-d54b-4902-8791-7a8f67fa4b43";

pub const SOURCE: &str = "---
title: Set up the store
description: How to set up a store.
exl-id: 0f5b4a7f-d54b-4902-8791-7a8f67fa4b43
---

# Set up the store

Open the admin and choose a plan.

## Payments

- Add a card.
- Add a bank account.

| Plan | Price |
|---|---|
| Basic | 10 |
";

pub fn translation(revision: &str) -> String {
    format!(
        "---
title: Configurer la boutique
description: Comment configurer une boutique.
exl-id: {EXL_ID}
source-git-commit: {revision}
---

# Configurer la boutique

Ouvrez l'administration et choisissez une offre.

## Paiements

- Ajoutez une carte.
- Ajoutez un compte bancaire.

| Offre | Prix |
|---|---|
| Basic | 10 |
"
    )
}

pub fn config(extra: &str) -> String {
    format!(
        "title = 't'\nbase_url = 'https://x.org/'\nsource_language = 'en'\n{extra}\n\
         [[languages]]\ntag = 'en'\n[[languages]]\ntag = 'fr'\n"
    )
}

pub const DAY1: &str = "2026-01-01T00:00:00Z";
pub const DAY2: &str = "2026-02-01T00:00:00Z";
pub const DAY3: &str = "2026-03-01T00:00:00Z";

pub fn commit(dir: &Path, message: &str, date: &str) {
    git(dir, &["add", "-A"], date);
    git(dir, &["commit", "-qm", message, "--allow-empty"], date);
}

/// One repository holding every language: the English page committed, the
/// French translation naming that commit.
pub fn one_repository() -> (tempfile::TempDir, String) {
    let site = tempfile::tempdir().unwrap();
    let root = site.path();
    fs::write(root.join("tolk.toml"), config("")).unwrap();
    fs::create_dir_all(root.join("content/en/guide")).unwrap();
    fs::create_dir_all(root.join("content/fr/guide")).unwrap();
    fs::write(root.join("content/en/guide/setup.md"), SOURCE).unwrap();
    git(root, &["init", "-q"], DAY1);
    commit(root, "en", DAY1);
    let revision = head_commit(root);
    fs::write(
        root.join("content/fr/guide/setup.md"),
        translation(&revision),
    )
    .unwrap();
    commit(root, "fr", DAY2);
    (site, revision)
}

pub fn edit(root: &Path, file: &str, from: &str, to: &str) {
    let path = root.join(file);
    let text = fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{from} not in {file}");
    fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

/// [`one_repository`] with the theme, and the English text changed since
/// the French translation: a stale translation with a review page.
pub fn stale_site() -> tempfile::TempDir {
    let (site, _) = one_repository();
    let root = site.path();
    copy_dir(&example_site().join("themes"), &root.join("themes"));
    edit(
        root,
        "content/en/guide/setup.md",
        "choose a plan.",
        "choose a plan and a region.",
    );
    commit(root, "text", DAY3);
    site
}

/// A site in English and French holding one guide, `help/big/`, whose
/// `TOC.md` lists 60 pages (`p00` to `p59`): longer than a sidebar shows.
pub fn long_guide_site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("tolk.toml"), config("")).unwrap();
    copy_dir(&example_site().join("themes"), &dir.path().join("themes"));
    for (lang, title) in [("en", "Big guide"), ("fr", "Grand guide")] {
        let guide = dir.path().join("content").join(lang).join("help/big");
        std::fs::create_dir_all(&guide).unwrap();
        let mut toc = format!("# {title} {{#big}}\n\n");
        for n in 0..60 {
            toc.push_str(&format!("+ [Page {n}](p{n:02}.md)\n"));
            std::fs::write(guide.join(format!("p{n:02}.md")), format!("# Page {n}\n")).unwrap();
        }
        std::fs::write(guide.join("TOC.md"), toc).unwrap();
    }
    dir
}
