//! `tolk xliff export` and `import`: an unchanged round trip leaves every
//! page as it was, a pseudo-translation changes the translatable text and
//! nothing else, bad files are refused whole with a position, and a real
//! client (the Python translate-toolkit) reads what tolk writes.
//!
//! The toolkit is found through `TOLK_TRANSLATE_TOOLKIT` (a folder holding
//! its commands, such as a virtual environment's `bin`), by default
//! `target/translate-toolkit/bin`, where `.ci/run` installs the pinned
//! version, else on `PATH`. Under CI (the `CI` variable set) a missing
//! toolkit fails its test; elsewhere the test is skipped and says so.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use tolk::exchange::{self, ExportOptions, ImportReport, Version};
use tolk::pipeline::{self, BuildOptions};

use crate::common::{build_into, copy_dir, copy_example_site, example_site, read_html, select};

const MERCHANT_SERVICES: &str = "tests/fixtures/merchant-services";

/// A page with every inline code tolk protects.
const RICH_PAGE: &str = r#"---
title: Set up the [!DNL Commerce] store
description: How to set up a store, step by step.
exl-id: 1a2b3c4d-0000-4000-8000-00000000abcd
---
# Set up the store

Open **Stores** > [!UICONTROL Settings] > *Configuration* in [!DNL Adobe Commerce], then read [the guide](other.md){target="_blank"}.

![A diagram of the store](diagram.png)

## Options

Options marked [!BADGE Beta]{type=Informative} may change.

- Use `bin/magento` to deploy.
- Read the <b>notes</b> first.

| Option | Meaning |
|---|---|
| `cache` | Keeps pages for later |

>[!NOTE]
>
>Back up the database before you start.

>[!TIP] Keep a backup.

Read [the first](other.md) and [the second](other.md) page.
"#;

const OTHER_PAGE: &str = "---\ntitle: Other page\nexl-id: 5e6f7a8b-0000-4000-8000-0000000000ef\n---\n# Other page\n\nSee the [setup](setup.md).\n";

/// A throw-away site: English source pages, French to translate.
fn small_site(with_translation: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::write(root.join("tolk.toml"), crate::common::config("")).unwrap();
    copy_dir(&example_site().join("themes"), &root.join("themes"));
    let write = |path: &str, text: &str| {
        let path = root.join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    };
    write("content/en/setup.md", RICH_PAGE);
    write("content/en/other.md", OTHER_PAGE);
    if with_translation {
        write(
            "content/fr/other.md",
            "---\ntitle: Autre page\nexl-id: 5e6f7a8b-0000-4000-8000-0000000000ef\nworkflow-type: tm+mt\n---\n# Autre page\n\nVoir la [configuration](setup.md).\n",
        );
    }
    dir
}

fn merchant_services() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&example_site().join(MERCHANT_SERVICES), dir.path());
    copy_dir(&example_site().join("themes"), &dir.path().join("themes"));
    dir
}

fn example_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_example_site(dir.path());
    dir
}

fn options(version: Version) -> ExportOptions {
    ExportOptions {
        lang: "fr".into(),
        changed: false,
        version,
        single: false,
    }
}

/// The files of an export written under `out`, and the units they hold.
fn export_into(root: &Path, options: &ExportOptions, out: &Path) -> (Vec<PathBuf>, usize) {
    let site = load(root);
    let (files, problems) = exchange::export(&site, options).expect("export");
    assert!(problems.is_empty(), "{problems:?}");
    let mut paths = Vec::new();
    let mut units = 0;
    for file in files {
        let path = out.join(&file.path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, &file.contents).unwrap();
        paths.push(path);
        units += file.units;
    }
    (paths, units)
}

fn load(root: &Path) -> tolk::model::LoadedSite {
    let options = BuildOptions {
        root: root.to_path_buf(),
        ..Default::default()
    };
    pipeline::load_site(&options).expect("site loads").0
}

fn import(root: &Path, files: &[PathBuf]) -> ImportReport {
    exchange::import(&load(root), files)
}

/// Every content file with its bytes.
fn content(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    crate::common::snapshot(&root.join("content"))
}

fn assert_unchanged_round_trip(root: &Path, version: Version) {
    let before = content(root);
    let out = tempfile::tempdir().unwrap();
    let (files, units) = export_into(root, &options(version), out.path());
    assert!(units > 0, "nothing exported from {}", root.display());
    let report = import(root, &files);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert!(report.refused.is_empty(), "{:?}", report.refused);
    let changed: Vec<_> = report.written.iter().map(|w| &w.page).collect();
    assert!(changed.is_empty(), "written: {changed:?}");
    assert_eq!(content(root), before, "a page changed");
}

#[test]
fn an_unchanged_round_trip_leaves_every_page_byte_identical() {
    for version in [Version::V12, Version::V21] {
        assert_unchanged_round_trip(example_copy().path(), version);
        assert_unchanged_round_trip(merchant_services().path(), version);
        assert_unchanged_round_trip(small_site(true).path(), version);
    }
}

/// Every translatable text of an export (1.2 or 2.1) wrapped in ⟦ ⟧ as the target,
/// protected text left alone: what a translator's tool would send back.
fn pseudo_translate(xliff: &str) -> String {
    let mut out = String::new();
    for line in xliff.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("<target") {
            continue;
        }
        out.push_str(line);
        out.push('\n');
        let Some(rest) = trimmed.strip_prefix("<source ") else {
            continue;
        };
        let inner_start = rest.find('>').unwrap() + 1;
        let inner = &rest[inner_start..rest.rfind("</source>").unwrap()];
        // 1.2 puts the state on the target, 2.x on the segment.
        let open = if rest.starts_with("xml:lang") {
            "<target xml:lang=\"fr\" state=\"translated\">"
        } else {
            "<target xml:space=\"preserve\">"
        };
        out.push_str(&format!("        {open}{}</target>\n", wrap_texts(inner)));
    }
    out
}

fn wrap_texts(inner: &str) -> String {
    let mut out = String::new();
    let mut protected = 0usize;
    let mut rest = inner;
    while !rest.is_empty() {
        if rest.starts_with('<') {
            let end = rest.find('>').unwrap() + 1;
            let tag = &rest[..end];
            if tag.starts_with("<mrk") {
                protected += 1;
            } else if tag.starts_with("</mrk") {
                protected -= 1;
            }
            out.push_str(tag);
            rest = &rest[end..];
            continue;
        }
        let end = rest.find('<').unwrap_or(rest.len());
        let text = &rest[..end];
        if protected == 0 && text.chars().any(char::is_alphanumeric) {
            // Spaces stay outside, as a translation keeps them beside codes.
            let words = text.trim();
            let (lead, rest) = text.split_at(text.find(words).unwrap());
            let trail = &rest[words.len()..];
            out.push_str(&format!("{lead}⟦{words}⟧{trail}"));
        } else {
            out.push_str(text);
        }
        rest = &rest[end..];
    }
    out
}

fn pseudo_export(root: &Path, out: &Path) -> Vec<PathBuf> {
    pseudo_export_as(root, out, Version::V12)
}

fn pseudo_export_as(root: &Path, out: &Path, version: Version) -> Vec<PathBuf> {
    let (files, _) = export_into(root, &options(version), out);
    for file in &files {
        let text = fs::read_to_string(file).unwrap();
        fs::write(file, pseudo_translate(&text)).unwrap();
    }
    files
}

/// The page with its translatable text taken out and the front matter keys
/// an import sets dropped.
fn skeleton(text: &str) -> String {
    let skeleton = exchange::skeleton(text).expect("page cuts");
    skeleton
        .lines()
        .filter(|l| !l.starts_with("source-git-commit:") && !l.starts_with("workflow-type:"))
        .filter(|l| !l.starts_with("lang:"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Rendered extensions and codes in a page's article, counted.
fn rendered_codes(html: &Path) -> Vec<usize> {
    let css = [
        ".uicontrol",
        ".badge",
        ".alert",
        ".tabs",
        ".video",
        ".shadebox",
        "code",
        "a[href]",
        "img",
        "strong",
        "em",
    ];
    let html = read_html(html);
    let article = select(&html, "article.content");
    let inner = scraper::Html::parse_fragment(&article.first().expect("an article").html());
    css.iter().map(|c| select(&inner, c).len()).collect()
}

/// The article's text as readers see it, code left out (code shows its
/// syntax on purpose).
fn visible_main_text(path: &Path) -> String {
    let html = read_html(path);
    let mut text = String::new();
    for article in select(&html, "article.content") {
        for node in article.descendants() {
            let Some(words) = node.value().as_text() else {
                continue;
            };
            let in_code = node.ancestors().any(|a| {
                a.value()
                    .as_element()
                    .is_some_and(|e| e.name() == "code" || e.name() == "pre")
            });
            if !in_code {
                text.push_str(words);
            }
        }
    }
    text
}

fn assert_pseudo_translation(root: &Path, version: Version) {
    let before_out = tempfile::tempdir().unwrap();
    let built = build_into(root, before_out.path());
    assert_eq!(built.errors(), 0, "{:?}", built.diagnostics);
    let before = content(root);
    let xliff = tempfile::tempdir().unwrap();
    let files = pseudo_export_as(root, xliff.path(), version);
    let report = import(root, &files);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert!(!report.written.is_empty(), "nothing written");
    for written in &report.written {
        let text = fs::read_to_string(root.join(&written.page)).unwrap();
        let was = match before.get(written.page.strip_prefix("content").unwrap()) {
            Some(bytes) => String::from_utf8(bytes.clone()).unwrap(),
            // A new page: made from its source.
            None => {
                let source = written
                    .page
                    .to_string_lossy()
                    .replace("content/fr/", "content/en/");
                fs::read_to_string(root.join(source)).unwrap()
            }
        };
        let (now, then) = (skeleton(&text), skeleton(&was));
        let first_difference = now.lines().zip(then.lines()).find(|(a, b)| a != b);
        assert!(
            now == then,
            "{} changed outside its text: {first_difference:?}",
            written.page.display()
        );
    }
    let after_out = tempfile::tempdir().unwrap();
    let built = build_into(root, after_out.path());
    assert_eq!(built.errors(), 0, "{:?}", built.diagnostics);
    for written in &report.written {
        let then = html_before(before_out.path(), &written.page);
        if let (Some(then), Some(now)) = (then, html_of(after_out.path(), &written.page)) {
            assert_eq!(
                rendered_codes(&now),
                rendered_codes(&then),
                "{} renders other codes",
                now.display()
            );
        }
    }
    let mut pseudo_pages = 0;
    for written in &report.written {
        let Some(html) = html_of(after_out.path(), &written.page) else {
            continue;
        };
        let text = visible_main_text(&html);
        pseudo_pages += usize::from(text.contains('⟦'));
        // Syntax the page showed before (a broken translation's `****`) may
        // stay; the import adds none.
        let then = html_before(before_out.path(), &written.page)
            .map(|page| visible_main_text(&page))
            .unwrap_or_default();
        for syntax in [
            "[!UICONTROL",
            "[!DNL",
            "[!BADGE",
            "{{",
            "](",
            "**",
            "{target",
            "\\⟦",
            "⟦\\",
        ] {
            assert!(
                text.matches(syntax).count() <= then.matches(syntax).count(),
                "{} shows `{syntax}`: {text}",
                html.display()
            );
        }
    }
    assert!(pseudo_pages > 0, "no page shows the pseudo-translation");
}

/// The built page of a content file (`content/fr/a/b.md` -> `fr/a/b/index.html`).
fn html_of(out: &Path, page: &Path) -> Option<PathBuf> {
    let relative = page.strip_prefix("content").ok()?.with_extension("");
    let html = out.join(relative).join("index.html");
    html.exists().then_some(html)
}

/// The page a written translation `page` had before the import: its own,
/// or for a new page the source it was made from.
fn html_before(out: &Path, page: &Path) -> Option<PathBuf> {
    let source = PathBuf::from(page.to_string_lossy().replace("content/fr/", "content/en/"));
    html_of(out, page).or_else(|| html_of(out, &source))
}

#[test]
fn a_pseudo_translation_changes_the_translatable_text_and_nothing_else() {
    assert_pseudo_translation(small_site(false).path(), Version::V12);
    assert_pseudo_translation(small_site(true).path(), Version::V21);
    assert_pseudo_translation(example_copy().path(), Version::V12);
    assert_pseudo_translation(merchant_services().path(), Version::V12);
}

#[test]
fn a_new_page_is_created_where_its_language_keeps_pages() {
    let site = small_site(false);
    let xliff = tempfile::tempdir().unwrap();
    let files = pseudo_export(site.path(), xliff.path());
    let report = import(site.path(), &files);
    let created: Vec<_> = report
        .written
        .iter()
        .filter(|w| w.created)
        .map(|w| w.page.clone())
        .collect();
    assert!(
        created.contains(&PathBuf::from("content/fr/setup.md")),
        "{created:?}"
    );
    let page = fs::read_to_string(site.path().join("content/fr/setup.md")).unwrap();
    assert!(
        page.contains("exl-id: 1a2b3c4d-0000-4000-8000-00000000abcd"),
        "{page}"
    );
    assert!(
        page.contains("title: ⟦Set up the⟧ [!DNL Commerce] ⟦store⟧"),
        "{page}"
    );
    assert!(page.contains("[!UICONTROL ⟦Settings⟧]"), "{page}");
    assert!(
        page.contains("[⟦the guide⟧](other.md){target=\"_blank\"}"),
        "{page}"
    );
    assert!(page.contains("workflow-type: tm+mt"), "{page}");
}

#[test]
fn changed_blocks_travel_alone_and_are_replaced_in_place() {
    let site = crate::common::stale_site();
    let root = site.path();
    let changed = ExportOptions {
        changed: true,
        ..options(Version::V12)
    };
    let out = tempfile::tempdir().unwrap();
    let (files, _) = export_into(root, &changed, out.path());
    assert_eq!(files.len(), 1);
    let text = fs::read_to_string(&files[0]).unwrap();
    assert!(
        text.contains("translate=\"no\""),
        "unchanged blocks are locked context: {text}"
    );
    assert!(
        text.contains("The source said before: Open the admin and choose a plan."),
        "{text}"
    );
    assert_eq!(
        text.matches("<trans-unit").count() - text.matches("translate=\"no\"").count(),
        1
    );
    fs::write(&files[0], pseudo_translate(&text)).unwrap();
    let page = root.join("content/fr/guide/setup.md");
    let before = fs::read_to_string(&page).unwrap();
    let report = import(root, &files);
    assert!(
        report.errors.is_empty() && report.refused.is_empty(),
        "{report:?}"
    );
    let after = fs::read_to_string(&page).unwrap();
    let revision = crate::common::head_commit(root);
    let expected = before
        .replace(
            "Ouvrez l'administration et choisissez une offre.",
            "⟦Open the admin and choose a plan and a region.⟧",
        )
        .replace(
            &format!(
                "source-git-commit: {}",
                before
                    .split("source-git-commit: ")
                    .nth(1)
                    .unwrap()
                    .lines()
                    .next()
                    .unwrap()
            ),
            &format!("source-git-commit: {revision}"),
        );
    let expected = expected.replace(
        "---\n\n# Configurer",
        "workflow-type: tm+mt\n---\n\n# Configurer",
    );
    assert_eq!(after, expected);
}

/// A small site exported, for the error cases: the file's text.
fn exported_setup(version: Version) -> (tempfile::TempDir, tempfile::TempDir, PathBuf, String) {
    let site = small_site(false);
    let xliff = tempfile::tempdir().unwrap();
    let files = match version {
        Version::V12 => pseudo_export(site.path(), xliff.path()),
        Version::V21 => export_into(site.path(), &options(version), xliff.path()).0,
    };
    let file = files
        .into_iter()
        .find(|f| f.to_string_lossy().contains("setup"))
        .unwrap();
    let text = fs::read_to_string(&file).unwrap();
    (site, xliff, file, text)
}

/// Imports `text` as the setup page's file: the one error, and that
/// nothing was written.
fn import_error(text: &str) -> tolk::model::Diagnostic {
    let (site, _xliff, file, _) = exported_setup(Version::V12);
    fs::write(&file, text).unwrap();
    let before = content(site.path());
    let report = import(site.path(), &[file]);
    assert!(report.written.is_empty(), "{:?}", report.written);
    assert_eq!(content(site.path()), before);
    assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
    let error = report.errors[0].clone();
    assert!(error.line.is_some() && error.column.is_some(), "{error}");
    error
}

fn setup_text() -> String {
    exported_setup(Version::V12).3
}

#[test]
fn malformed_xml_is_refused_with_its_position() {
    let text = setup_text();
    let cut = &text[..text.len() / 2];
    let error = import_error(cut);
    assert!(error.message.contains("malformed XML"), "{error}");
    let error = import_error(&text.replacen("</source>", "</sorce>", 1));
    assert!(error.message.contains("malformed XML"), "{error}");
    assert_eq!(error.line, Some(9), "{error}");
}

#[test]
fn a_target_language_the_site_lacks_is_refused() {
    let text = setup_text().replace("target-language=\"fr\"", "target-language=\"de\"");
    let error = import_error(&text);
    assert!(
        error
            .message
            .contains("`de` is not a language of this site"),
        "{error}"
    );
}

#[test]
fn a_unit_id_matching_no_block_is_refused() {
    let text = setup_text();
    let at = text.find("<trans-unit id=\"u").unwrap() + "<trans-unit id=\"u".len();
    let forged = format!("{}0000000000000000{}", &text[..at], &text[at + 16..]);
    let error = import_error(&forged);
    assert!(error.message.contains("matches no block"), "{error}");
}

/// The target line of the unit whose source contains `needle`.
fn edit_target(text: &str, needle: &str, edit: impl Fn(&str) -> String) -> String {
    let mut out = Vec::new();
    let mut armed = false;
    for line in text.lines() {
        if line.contains("<source") && line.contains(needle) {
            armed = true;
        }
        if armed && line.trim_start().starts_with("<target") {
            out.push(edit(line));
            armed = false;
        } else {
            out.push(line.to_string());
        }
    }
    out.join("\n")
}

#[test]
fn inline_codes_missing_duplicated_or_misplaced_are_refused() {
    let text = setup_text();
    let code = "<x id=\"1\" ctype=\"x-code\" equiv-text=\"`bin/magento`\"/>";
    assert!(text.contains(code), "{text}");
    let missing = edit_target(&text, "bin/magento", |l| l.replace(code, ""));
    let error = import_error(&missing);
    assert!(error.message.contains("missing"), "{error}");
    let twice = edit_target(&text, "bin/magento", |l| {
        l.replace(code, &format!("{code}{code}"))
    });
    let error = import_error(&twice);
    assert!(error.message.contains("twice"), "{error}");
    let unknown = edit_target(&text, "bin/magento", |l| l.replace(code, "<x id=\"9\"/>"));
    let error = import_error(&unknown);
    assert!(error.message.contains("not in its source"), "{error}");
}

#[test]
fn a_block_marker_moved_from_the_start_is_refused() {
    let text = setup_text();
    let marker = "<x id=\"1\" ctype=\"x-marker\" equiv-text=\"[!TIP]\"/>";
    assert!(text.contains(marker), "{text}");
    let moved = edit_target(&text, "Keep a backup", |l| {
        l.replace(marker, "")
            .replace("</target>", &format!("{marker}</target>"))
    });
    let error = import_error(&moved);
    assert!(error.message.contains("must stay first"), "{error}");
}

#[test]
fn a_link_moved_inside_another_link_is_refused() {
    let text = setup_text();
    let nested = edit_target(&text, "the second", |_| {
        "<target xml:lang=\"fr\" state=\"translated\">Lisez <g id=\"1\" ctype=\"link\">la première <g id=\"2\" ctype=\"link\">et la seconde</g></g> page.</target>".to_string()
    });
    let error = import_error(&nested);
    assert!(error.message.contains("inside another link"), "{error}");
}

#[test]
fn untranslated_units_are_kept_as_they_were_and_listed() {
    let (site, _xliff, file, text) = exported_setup(Version::V12);
    let untranslated: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("<target"))
        .map(|l| format!("{l}\n"))
        .collect();
    fs::write(&file, untranslated).unwrap();
    let report = import(site.path(), &[file]);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert!(report.untranslated.len() >= 8, "{:?}", report.untranslated);
    // Nothing translated: the new page is not made.
    assert!(report.written.is_empty(), "{:?}", report.written);
    assert!(!site.path().join("content/fr/setup.md").exists());
}

#[test]
fn blocks_of_a_page_changed_since_the_export_are_refused_with_the_reason() {
    let site = small_site(true);
    let xliff = tempfile::tempdir().unwrap();
    let files = pseudo_export(site.path(), xliff.path());
    let page = site.path().join("content/fr/other.md");
    let edited = fs::read_to_string(&page)
        .unwrap()
        .replace("Voir la", "Voyez la");
    fs::write(&page, &edited).unwrap();
    let report = import(site.path(), &files);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert!(
        report
            .refused
            .iter()
            .any(|r| r.message.contains("changed since the export")),
        "{:?}",
        report.refused
    );
    assert_eq!(fs::read_to_string(&page).unwrap(), edited);
}

#[test]
fn a_file_with_one_bad_unit_writes_nothing_of_its_pages() {
    let site = small_site(false);
    let xliff = tempfile::tempdir().unwrap();
    let single = ExportOptions {
        single: true,
        ..options(Version::V12)
    };
    let (files, _) = export_into(site.path(), &single, xliff.path());
    assert_eq!(files.len(), 1);
    let text = pseudo_translate(&fs::read_to_string(&files[0]).unwrap());
    let broken = edit_target(&text, "bin/magento", |l| {
        l.replace(
            "<x id=\"1\" ctype=\"x-code\" equiv-text=\"`bin/magento`\"/>",
            "",
        )
    });
    fs::write(&files[0], broken).unwrap();
    let report = import(site.path(), &files);
    assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
    assert!(report.written.is_empty());
    assert!(!site.path().join("content/fr/other.md").exists());
}

/// The folder holding translate-toolkit's commands, or why there is none.
fn translate_toolkit() -> Result<PathBuf, String> {
    let folder = match std::env::var_os("TOLK_TRANSLATE_TOOLKIT") {
        Some(folder) => PathBuf::from(folder),
        None => example_site().join("target/translate-toolkit/bin"),
    };
    if folder.join("pocount").exists() {
        return Ok(folder);
    }
    let on_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .find(|dir| dir.join("pocount").exists() && dir.join("xliff2po").exists());
    on_path.ok_or(format!(
        "translate-toolkit is neither in {} nor on PATH (set TOLK_TRANSLATE_TOOLKIT, or run .ci/run)",
        folder.display()
    ))
}

fn run(command: &mut Command) -> String {
    let output = command.output().expect("runs");
    assert!(
        output.status.success(),
        "{command:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).to_string()
}

/// Units the toolkit reads in each file, one count per line.
const COUNT_UNITS: &str = r#"
import sys
from translate.storage import factory, xliff2
for path in sys.argv[1:]:
    with open(path, "rb") as f:
        text = f.read()
    store = xliff2.Xliff2File.parsestring(text) if b'version="2.1"' in text[:300] else factory.getobject(path)
    print(len([u for u in store.units if not u.isheader()]))
"#;

#[test]
fn translate_toolkit_reads_every_exported_file() {
    let test = "xliff::translate_toolkit_reads_every_exported_file";
    let toolkit = match translate_toolkit() {
        Ok(folder) => folder,
        Err(why) => return crate::browser::cannot_run(test, &[why]).unwrap_or(()),
    };
    let site = merchant_services();
    let python = if toolkit.join("python").exists() {
        toolkit.join("python")
    } else {
        PathBuf::from("python3")
    };
    for version in [Version::V12, Version::V21] {
        let out = tempfile::tempdir().unwrap();
        let (files, units) = export_into(site.path(), &options(version), out.path());
        let counts = run(Command::new(&python)
            .arg("-c")
            .arg(COUNT_UNITS)
            .args(&files));
        let read: usize = counts
            .lines()
            .map(|l| l.trim().parse::<usize>().unwrap())
            .sum();
        assert_eq!(
            read, units,
            "{version:?}: the toolkit reads another number of units"
        );
        if version == Version::V12 {
            let po = tempfile::tempdir().unwrap();
            run(Command::new(toolkit.join("xliff2po"))
                .arg("-i")
                .arg(out.path())
                .arg("-o")
                .arg(po.path()));
            let csv = run(Command::new(toolkit.join("pocount"))
                .arg("--csv")
                .arg(po.path()));
            let messages: usize = csv
                .lines()
                .skip(1)
                .filter_map(|l| l.split(',').nth(8)?.trim().parse::<usize>().ok())
                .sum();
            assert_eq!(messages, units, "pocount counts another number of messages");
        }
    }
}
