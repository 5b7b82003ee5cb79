//! Staleness the source's history proves: small repositories built here in
//! the three layouts teams have (one repository for all languages, one per
//! language, the source's repository elsewhere), with commits that change
//! the text, touch other files only, change only metadata, rename the page;
//! translations naming an unknown commit or one before the page existed.
//! And the guide with no history at all: nothing is stale for a word count.

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::common::*;
use tolk::align::status;
use tolk::model::staleness::Decision;
use tolk::model::status::{Cell, CellStatus, GroupKind, StatusReport};
use tolk::pipeline::{BuildOptions, load_site};

fn status_of(root: &Path) -> StatusReport {
    let (site, problems) = load_site(&BuildOptions {
        root: root.to_path_buf(),
        ..Default::default()
    })
    .unwrap();
    assert!(problems.iter().all(|p| !p.is_error()), "{problems:?}");
    status::collect(&site)
}

fn french(report: &StatusReport) -> &Cell {
    &report.groups[0].cells["fr"]
}

const EN: &str = "content/en/guide/setup.md";

#[test]
fn a_translation_of_the_current_text_is_current_by_the_history() {
    let (site, _) = one_repository();
    let fr = status_of(site.path()).groups[0].cells["fr"].clone();
    assert_eq!(fr.status, CellStatus::Present, "{fr:?}");
    assert_eq!(fr.decided_by, Some(Decision::SourceHistory));
    assert!(fr.note.is_none());
}

#[test]
fn commits_to_other_files_change_nothing() {
    let (site, _) = one_repository();
    let root = site.path();
    fs::write(root.join("content/en/other.md"), "# Other\n\nText.\n").unwrap();
    commit(root, "another page", DAY3);
    let report = status_of(root);
    assert_eq!(french(&report).status, CellStatus::Present);
    assert!(
        french(&report).note.is_none(),
        "the page itself was not touched"
    );
}

#[test]
fn metadata_quoting_and_layout_are_not_text_to_translate() {
    let (site, _) = one_repository();
    let root = site.path();
    edit(
        root,
        EN,
        "title: Set up the store",
        "title: \"Set up the store\"",
    );
    edit(
        root,
        EN,
        "---\n\n# Set",
        "feature: Payments\nrole: Admin\n---\n\n\n# Set",
    );
    edit(
        root,
        EN,
        "Open the admin and choose a plan.",
        "Open the admin\nand   choose a plan.",
    );
    commit(root, "metadata and layout", DAY3);
    let report = status_of(root);
    let fr = french(&report);
    assert_eq!(fr.status, CellStatus::Present, "{fr:?}");
    let note = fr.note.as_deref().unwrap();
    assert!(note.contains("source metadata changed since"), "{note}");
}

#[test]
fn a_changed_paragraph_list_item_and_table_row_make_it_stale_block_by_block() {
    let (site, _) = one_repository();
    let root = site.path();
    edit(root, EN, "choose a plan.", "choose a plan and a region.");
    edit(
        root,
        EN,
        "- Add a bank account.\n",
        "- Add a bank account.\n- Add a wallet.\n",
    );
    edit(root, EN, "| Basic | 10 |", "| Basic | 12 |");
    commit(root, "text", DAY3);
    let report = status_of(root);
    let fr = french(&report);
    assert_eq!(fr.status, CellStatus::Stale, "{fr:?}");
    assert_eq!(fr.decided_by, Some(Decision::SourceHistory));
    let blocks: Vec<(String, String)> = fr
        .changed_blocks
        .iter()
        .map(|b| (b.kind.clone(), b.headings.join(" > ")))
        .collect();
    assert_eq!(
        blocks,
        [
            ("paragraph".to_string(), "Set up the store".to_string()),
            (
                "list-item".to_string(),
                "Set up the store > Payments".to_string()
            ),
            (
                "table-row".to_string(),
                "Set up the store > Payments".to_string()
            ),
        ]
    );
    // Mapped to the French blocks in the same place: the paragraph is line
    // 10 of the French file, the table row line 19; the added item has none.
    let lines: Vec<Option<(usize, usize)>> = fr
        .changed_blocks
        .iter()
        .map(|b| b.translation_lines)
        .collect();
    assert_eq!(lines, [Some((10, 10)), None, Some((19, 19))]);
    assert!(fr.review_url.as_deref() == Some("/translation-status/review/fr/guide/setup/"));
}

#[test]
fn a_changed_title_is_text_to_translate_a_new_exl_id_key_is_not() {
    let (site, _) = one_repository();
    let root = site.path();
    edit(
        root,
        EN,
        "title: Set up the store",
        "title: Set up your store",
    );
    commit(root, "title", DAY3);
    let report = status_of(root);
    assert_eq!(french(&report).status, CellStatus::Stale);
    assert!(
        french(&report).stale_reasons[0]
            .describe()
            .contains("the title"),
        "{:?}",
        french(&report).stale_reasons
    );
}

#[test]
fn a_renamed_source_page_is_followed() {
    let (site, _) = one_repository();
    let root = site.path();
    git(root, &["mv", EN, "content/en/guide/store-setup.md"], DAY3);
    commit(root, "rename", DAY3);
    let report = status_of(root);
    assert_eq!(french(&report).status, CellStatus::Present, "{report:#?}");
    edit(
        root,
        "content/en/guide/store-setup.md",
        "choose a plan.",
        "pick a plan.",
    );
    let report = status_of(root);
    let fr = french(&report);
    assert_eq!(fr.status, CellStatus::Stale, "uncommitted edits count too");
}

#[test]
fn an_unknown_revision_and_a_page_not_yet_there_are_unknown_with_the_reason() {
    let (site, first) = one_repository();
    let root = site.path();
    let fr = root.join("content/fr/guide/setup.md");
    fs::write(&fr, translation("0123456789abcdef0123456789abcdef01234567")).unwrap();
    let report = status_of(root);
    let cell = french(&report);
    assert_eq!(cell.status, CellStatus::Unknown);
    let why = cell.explanation.as_deref().unwrap();
    assert!(why.starts_with("unknown revision 01234567"), "{why}");

    // A commit from before the English page existed.
    let before = tempfile::tempdir().unwrap();
    let early = before.path();
    fs::write(early.join("tolk.toml"), config("")).unwrap();
    fs::create_dir_all(early.join("content/en/guide")).unwrap();
    fs::create_dir_all(early.join("content/fr/guide")).unwrap();
    git(early, &["init", "-q"], DAY1);
    commit(early, "empty", DAY1);
    let empty = head_commit(early);
    fs::write(early.join(EN), SOURCE).unwrap();
    fs::write(early.join("content/fr/guide/setup.md"), translation(&empty)).unwrap();
    commit(early, "pages", DAY2);
    let report = status_of(early);
    let cell = french(&report);
    assert_eq!(cell.status, CellStatus::Unknown, "{cell:?}");
    assert!(
        cell.explanation
            .as_deref()
            .unwrap()
            .contains("unknown revision")
    );
    let _ = first;
}

#[test]
fn one_repository_per_language_nested_under_the_content_folder() {
    let site = tempfile::tempdir().unwrap();
    let root = site.path();
    fs::write(root.join("tolk.toml"), config("")).unwrap();
    let (en, fr) = (root.join("content/en"), root.join("content/fr"));
    fs::create_dir_all(en.join("guide")).unwrap();
    fs::create_dir_all(fr.join("guide")).unwrap();
    fs::write(en.join("guide/setup.md"), SOURCE).unwrap();
    git(&en, &["init", "-q"], DAY1);
    commit(&en, "en", DAY1);
    let revision = head_commit(&en);
    fs::write(fr.join("guide/setup.md"), translation(&revision)).unwrap();
    git(&fr, &["init", "-q"], DAY2);
    commit(&fr, "fr", DAY2);
    assert_eq!(
        status_of(root).groups[0].cells["fr"].status,
        CellStatus::Present
    );
    edit(root, EN, "choose a plan.", "choose a plan today.");
    commit(&en, "text", DAY3);
    let report = status_of(root);
    assert_eq!(french(&report).status, CellStatus::Stale);
    assert_eq!(french(&report).changed_blocks.len(), 1);
}

#[test]
fn the_source_repository_kept_elsewhere() {
    let work = tempfile::tempdir().unwrap();
    let (root, source) = (work.path().join("site"), work.path().join("guide.en"));
    fs::create_dir_all(source.join("guide")).unwrap();
    fs::write(source.join("guide/setup.md"), SOURCE).unwrap();
    git(&source, &["init", "-q"], DAY1);
    commit(&source, "en", DAY1);
    let revision = head_commit(&source);
    edit(
        &source,
        "guide/setup.md",
        "choose a plan.",
        "choose a plan now.",
    );
    commit(&source, "text", DAY2);
    fs::create_dir_all(root.join("content/fr/guide")).unwrap();
    fs::write(
        root.join("tolk.toml"),
        config("source_repository = '../guide.en'"),
    )
    .unwrap();
    // The site's English pages are a copy of the source repository's.
    copy_dir(&source.join("guide"), &root.join("content/en/guide"));
    fs::write(
        root.join("content/fr/guide/setup.md"),
        translation(&revision),
    )
    .unwrap();
    let report = status_of(&root);
    let fr = french(&report);
    assert_eq!(fr.status, CellStatus::Stale, "{fr:?}");
    assert_eq!(fr.changed_blocks.len(), 1);
}

#[test]
fn without_history_nothing_is_stale_for_a_word_count_and_unknown_says_why() {
    // A copy outside any repository: the guide as a team gets it.
    let copy = tempfile::tempdir().unwrap();
    copy_dir(
        &example_site().join("tests/fixtures/merchant-services"),
        copy.path(),
    );
    let report = status_of(copy.path());
    assert_eq!(report.totals.stale, 0, "{:?}", report.totals);
    // 142 pages and 10 TOC.md files, each in four translations.
    assert_eq!(report.totals.unknown, (142 + 10) * 4);
    let tocs = report.groups.iter().filter(|g| g.kind == GroupKind::Toc);
    assert_eq!(tocs.count(), 10);
    for group in &report.groups {
        for (lang, cell) in &group.cells {
            if lang == "en" {
                assert_eq!(cell.status, CellStatus::Source);
                continue;
            }
            assert_eq!(cell.status, CellStatus::Unknown, "{}", cell.file);
            let why = cell.explanation.as_deref().unwrap();
            assert!(
                why.starts_with("cannot tell whether the source changed since")
                    && why.contains("no git repository"),
                "{why}"
            );
        }
    }
    // In tolk's own repository the pages have a history, but not the
    // English repository's commits their translations name.
    let report = status_of(&example_site().join("tests/fixtures/merchant-services"));
    assert_eq!(report.totals.stale, 0);
    let fr = &report.groups[0].cells["fr"];
    assert!(
        fr.explanation
            .as_deref()
            .unwrap()
            .ends_with("is not in the source repository"),
        "{fr:?}"
    );
}

#[test]
fn the_site_has_a_review_page_and_a_notice_in_the_reader_s_language() {
    let site = stale_site();
    let root = site.path();
    let out = root.join("public");
    let report = build_into(root, &out);
    assert_eq!(report.errors(), 0, "{:#?}", report.diagnostics);

    let page = read_html(&out.join("fr/guide/setup/index.html"));
    let notice = visible_text(&page);
    assert!(
        notice.contains(
            "Cette traduction n’est peut-être plus à jour : sa page source a changé le 2026-03-01."
        ),
        "{notice}"
    );
    assert_eq!(
        attr(&page, ".notice-stale a", "href").as_deref(),
        Some("/en/guide/setup/")
    );

    let status = read_html(&out.join("translation-status/index.html"));
    assert_eq!(
        attr(&status, "td.status-stale small a", "href").as_deref(),
        Some("/translation-status/review/fr/guide/setup/")
    );
    let review = read_html(&out.join("translation-status/review/fr/guide/setup/index.html"));
    let changed = select(&review, ".review-changed");
    assert_eq!(changed.len(), 1);
    let text: String = changed[0].text().collect();
    assert!(text.contains("Open the admin and choose a plan."), "{text}");
    assert!(text.contains("choose a plan and a region."), "{text}");
    assert!(text.contains("Ouvrez l'administration"), "{text}");
    assert!(
        select(&review, ".review-row").len() >= 6,
        "context rows too"
    );

    // Turned off, the notice goes; the review page stays for translators.
    edit(
        root,
        "tolk.toml",
        "source_language = 'en'",
        "source_language = 'en'\nstale_notice = false",
    );
    assert_eq!(build_into(root, &out).errors(), 0);
    let page = read_html(&out.join("fr/guide/setup/index.html"));
    assert!(select(&page, ".notice-stale").is_empty());
}

#[test]
fn report_diff_prints_the_source_then_now_and_the_translation() {
    let (site, _) = one_repository();
    let root = site.path();
    edit(root, EN, "choose a plan.", "choose a plan and a region.");
    let out = Command::new(env!("CARGO_BIN_EXE_tolk"))
        .args([
            "report",
            "--color",
            "never",
            "--diff",
            "content/fr/guide/setup.md",
            "--root",
        ])
        .arg(root)
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for line in [
        "§ Set up the store",
        "  paragraph changed",
        "    source then: Open the admin and choose a plan.",
        "    source now : Open the admin and choose a plan and a region.",
        "    translation (lines 10-10): Ouvrez l'administration et choisissez une offre.",
    ] {
        assert!(text.contains(line), "{line:?} not in:\n{text}");
    }
    let table = Command::new(env!("CARGO_BIN_EXE_tolk"))
        .args(["report", "--root"])
        .arg(root)
        .output()
        .unwrap();
    let table = String::from_utf8(table.stdout).unwrap();
    assert!(table.contains("stale 1 block"), "{table}");
    assert!(
        table.contains("Set up the store: paragraph changed, translation line 10"),
        "{table}"
    );
}

#[test]
fn a_stale_snippet_marks_its_own_entry_not_the_pages_that_include_it() {
    let (site, _) = one_repository();
    let root = site.path();
    let (en, fr) = (
        "content/en/guide/_includes/note.md",
        "content/fr/guide/_includes/note.md",
    );
    fs::create_dir_all(root.join("content/en/guide/_includes")).unwrap();
    fs::create_dir_all(root.join("content/fr/guide/_includes")).unwrap();
    fs::write(root.join(en), "Keep your receipt.\n").unwrap();
    edit(
        root,
        EN,
        "## Payments",
        "{{$include _includes/note.md}}\n\n## Payments",
    );
    commit(root, "a snippet", DAY2);
    let revision = head_commit(root);
    fs::write(
        root.join(fr),
        format!("---\nsource-git-commit: {revision}\n---\nGardez votre reçu.\n"),
    )
    .unwrap();
    fs::write(
        root.join("content/fr/guide/setup.md"),
        translation(&revision),
    )
    .unwrap();
    commit(root, "fr", DAY2);
    edit(
        root,
        en,
        "Keep your receipt.",
        "Keep your receipt for a year.",
    );
    commit(root, "snippet text", DAY3);

    let report = status_of(root);
    let row = |kind: GroupKind| report.groups.iter().find(|g| g.kind == kind).unwrap();
    let snippet = row(GroupKind::Snippet);
    assert_eq!(snippet.path, "guide/_includes/note.md");
    assert_eq!(snippet.cells["en"].status, CellStatus::Source);
    assert_eq!(snippet.cells["fr"].status, CellStatus::Stale);
    assert_eq!(snippet.cells["fr"].changed_blocks.len(), 1);
    assert_eq!(row(GroupKind::Page).cells["fr"].status, CellStatus::Present);
}
