//! Rebuilds after edits write exactly what a full build writes.

use std::fs;
use std::path::{Path, PathBuf};

use crate::common::*;
use tolk::pipeline::BuildOptions;
use tolk::serve::rebuild::IncrementalSite;

struct Bench {
    site: tempfile::TempDir,
    engine: IncrementalSite,
}

impl Bench {
    fn new() -> Bench {
        Bench::with(|_| {})
    }

    /// The example site, changed by `prepare` before the first build.
    fn with(prepare: impl FnOnce(&Path)) -> Bench {
        let site = tempfile::tempdir().unwrap();
        copy_example_site(site.path());
        prepare(site.path());
        let options = BuildOptions {
            root: site.path().to_path_buf(),
            ..Default::default()
        };
        let (engine, report) = IncrementalSite::start(options, site.path().join("served"))
            .ok()
            .unwrap();
        assert_eq!(report.errors(), 0);
        Bench { site, engine }
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.site.path().join(relative)
    }

    fn change(&mut self, changed: &[&str]) -> tolk::serve::rebuild::Rebuild {
        let paths: Vec<PathBuf> = changed.iter().map(|c| self.path(c)).collect();
        self.engine.rebuild(&paths)
    }

    /// The incremental output equals a fresh full build of the same input.
    fn assert_same_as_full_build(&self, step: &str) {
        let full = tempfile::tempdir().unwrap();
        let report = build_into(self.site.path(), &full.path().join("public"));
        assert_eq!(report.errors(), 0, "{step}: {:#?}", report.diagnostics);
        let (incremental, expected) = (
            snapshot(self.engine.output_dir()),
            snapshot(&full.path().join("public")),
        );
        let differing: Vec<&Path> = expected
            .keys()
            .chain(incremental.keys())
            .filter(|k| expected.get(*k) != incremental.get(*k))
            .map(|k| k.as_path())
            .collect();
        assert!(
            differing.is_empty(),
            "{step}: these files differ from a full build: {differing:?}"
        );
    }
}

const NL: &str = "content/nl/commerce/b2b-and-b2c.md";

#[test]
fn a_sequence_of_edits_gives_the_full_builds_output() {
    let mut bench = Bench::new();

    let text = fs::read_to_string(bench.path(NL)).unwrap();
    fs::write(bench.path(NL), text.replace("Publiek", "Doelpubliek")).unwrap();
    let rebuild = bench.change(&[NL]);
    assert!(
        !rebuild.full,
        "a content edit re-renders only what it touches"
    );
    assert!(rebuild.files_written >= 1);
    let page = fs::read_to_string(
        bench
            .engine
            .output_dir()
            .join("nl/commerce/b2b-and-b2c/index.html"),
    )
    .unwrap();
    assert!(page.contains("Doelpubliek"));
    bench.assert_same_as_full_build("edit a page");

    fs::create_dir_all(bench.path("content/sv/articles")).unwrap();
    fs::create_dir_all(bench.path("content/it/articles")).unwrap();
    fs::write(
        bench.path("content/sv/articles/ny-sida.md"),
        "---\ntitle: Ny sida\n---\n\nText.\n",
    )
    .unwrap();
    bench.change(&["content/sv/articles/ny-sida.md"]);
    bench.assert_same_as_full_build("add a page");

    fs::rename(
        bench.path("content/sv/articles/ny-sida.md"),
        bench.path("content/sv/articles/omdopt.md"),
    )
    .unwrap();
    bench.change(&[
        "content/sv/articles/ny-sida.md",
        "content/sv/articles/omdopt.md",
    ]);
    assert!(
        !bench
            .engine
            .output_dir()
            .join("sv/articles/ny-sida/index.html")
            .exists()
    );
    bench.assert_same_as_full_build("rename a page");

    fs::write(
        bench.path("content/it/articles/b2c-b2b-b2c2b-b2b2c.md"),
        "---\ntitle: Articolo\n---\n\nTesto.\n",
    )
    .unwrap();
    bench.change(&["content/it/articles/b2c-b2b-b2c2b-b2b2c.md"]);
    bench.assert_same_as_full_build("add a translation");

    // The Italian article gets an exl-id: its group (with the French one) now carries it.
    let article = "content/it/articles/b2c-b2b-b2c2b-b2b2c.md";
    fs::write(
        bench.path(article),
        "---\ntitle: Articolo\nexl-id: 0f0e0d0c-0b0a-4909-8807-060504030201\n---\n\nTesto.\n",
    )
    .unwrap();
    bench.change(&[article]);
    bench.assert_same_as_full_build("change an exl-id");

    fs::remove_file(bench.path("content/sv/articles/omdopt.md")).unwrap();
    bench.change(&["content/sv/articles/omdopt.md"]);
    bench.assert_same_as_full_build("delete a page");
}

#[test]
fn a_broken_page_keeps_the_last_good_output_until_it_is_fixed() {
    let mut bench = Bench::new();
    let served = bench
        .engine
        .output_dir()
        .join("nl/commerce/b2b-and-b2c/index.html");
    let good = fs::read(&served).unwrap();
    let text = fs::read_to_string(bench.path(NL)).unwrap();
    fs::write(bench.path(NL), "---\ntitle: 'half written\n").unwrap();
    let rebuild = bench.change(&[NL]);
    assert_eq!(rebuild.errors(), 1, "{:#?}", rebuild.diagnostics);
    assert_eq!(
        fs::read(&served).unwrap(),
        good,
        "the last good page is still served"
    );
    fs::write(bench.path(NL), text.replace("Publiek", "Hersteld")).unwrap();
    let rebuild = bench.change(&[NL]);
    assert_eq!(rebuild.errors(), 0);
    assert!(fs::read_to_string(&served).unwrap().contains("Hersteld"));
    bench.assert_same_as_full_build("recovered");
}

#[test]
fn a_template_change_rebuilds_everything() {
    let mut bench = Bench::new();
    let templates = bench.path("templates");
    fs::create_dir_all(&templates).unwrap();
    let base = fs::read_to_string(bench.path("themes/default/templates/base.html")).unwrap();
    fs::write(
        templates.join("base.html"),
        base.replace("<main id=\"main\"", "<main data-custom id=\"main\""),
    )
    .unwrap();
    let rebuild = bench.change(&["templates/base.html"]);
    assert!(rebuild.full);
    let page = fs::read_to_string(
        bench
            .engine
            .output_dir()
            .join("sv/commerce/b2b-and-b2c/index.html"),
    )
    .unwrap();
    assert!(page.contains("data-custom"));
    bench.assert_same_as_full_build("template override");
}

#[test]
fn a_text_edit_of_a_translation_swaps_the_page_in_and_reloads_early() {
    let mut bench = Bench::new();
    let served = bench
        .engine
        .output_dir()
        .join("nl/commerce/b2b-and-b2c/index.html");
    let text = fs::read_to_string(bench.path(NL)).unwrap();
    fs::write(bench.path(NL), text.replace("Publiek", "Vroegpubliek")).unwrap();
    // `ready` looks at the served page the moment it is called.
    let seen = std::sync::Mutex::new(Vec::new());
    let ready = || {
        let page = fs::read_to_string(&served).unwrap_or_default();
        seen.lock().unwrap().push(page.contains("Vroegpubliek"));
    };
    let rebuild = bench.engine.rebuild_early(&[bench.path(NL)], &ready);
    assert_eq!(rebuild.errors(), 0, "{:#?}", rebuild.diagnostics);
    assert!(
        !rebuild.realigned,
        "only the text changed: no new alignment"
    );
    assert_eq!(
        *seen.lock().unwrap(),
        vec![true],
        "ready is called once, with the edited page already written"
    );
    assert!(rebuild.reloaded_early, "no HTML changed after ready");
    assert_eq!(
        rebuild.search_pages_read, 1,
        "the search index reads the edited page again, and no other"
    );
    bench.assert_same_as_full_build("edit the text of a translation");
}

#[test]
fn front_matter_and_title_edits_align_again() {
    let mut bench = Bench::new();
    let text = fs::read_to_string(bench.path(NL)).unwrap();

    // An older source revision makes the translation stale: the status
    // page changes, so the alignment and staleness must be worked out again.
    let older = text.replace(
        "source-git-commit: e76f101df47116f7b246f21f0fe0fa72769d2776",
        "source-git-commit: 0000000000000000000000000000000000000000",
    );
    assert_ne!(older, text);
    fs::write(bench.path(NL), &older).unwrap();
    let rebuild = bench.change(&[NL]);
    assert!(rebuild.realigned, "a front matter change aligns again");
    assert!(!rebuild.full);
    bench.assert_same_as_full_build("edit the front matter");

    // A new title shows in the navigation of its section: those pages are
    // rendered before browsers reload, nothing is aligned again.
    fs::write(
        bench.path(NL),
        older.replace("title: Wat zijn B2B en B2C?", "title: Nieuwe titel"),
    )
    .unwrap();
    let calls = std::sync::atomic::AtomicUsize::new(0);
    let rebuild = bench.engine.rebuild_early(&[bench.path(NL)], &|| {
        calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    });
    assert!(!rebuild.full && !rebuild.realigned, "{rebuild:?}");
    assert_eq!(
        calls.into_inner(),
        1,
        "browsers told once the section is written"
    );
    bench.assert_same_as_full_build("edit the title");
}

#[test]
fn a_source_page_edit_realigns_its_group_and_equals_a_full_build() {
    const EN: &str = "content/en/commerce/b2b-and-b2c.md";
    let mut bench = Bench::with(|root| {
        let config = fs::read_to_string(root.join("tolk.toml")).unwrap();
        fs::write(
            root.join("tolk.toml"),
            format!("{config}\n[[languages]]\ntag = \"en\"\nname = \"English\"\n"),
        )
        .unwrap();
        fs::create_dir_all(root.join("content/en/commerce")).unwrap();
        fs::write(
            root.join(EN),
            "---\ntitle: What are B2B and B2C?\n\
             exl-id: d66b4a7f-d54b-4902-8791-7a8f67fa4b43\n---\n\n\
             # What are B2B and B2C?\n\nBusinesses sell to businesses or to consumers.\n",
        )
        .unwrap();
    });
    bench.assert_same_as_full_build("with an English source");
    let text = fs::read_to_string(bench.path(EN)).unwrap();

    // The source's text is what its translations are measured against:
    // their staleness is worked out again, and their pages rendered.
    fs::write(bench.path(EN), text.replace("consumers", "shoppers")).unwrap();
    let rebuild = bench.change(&[EN]);
    assert_eq!(rebuild.errors(), 0, "{:#?}", rebuild.diagnostics);
    assert!(rebuild.realigned, "a source edit aligns again");
    assert!(!rebuild.full, "only its group is rendered again");
    bench.assert_same_as_full_build("reword the source");
}

/// A text edit reuses the URLs and navigation of the last rebuild: after a
/// page is added or a title changes, they must be those of the new site.
#[test]
fn text_edits_between_structural_changes_give_the_full_builds_output() {
    let mut bench = Bench::new();
    let text = fs::read_to_string(bench.path(NL)).unwrap();
    let edit_text = |bench: &mut Bench, word: &str, step: &str| {
        let now = fs::read_to_string(bench.path(NL)).unwrap();
        fs::write(bench.path(NL), format!("{now}\n{word}\n")).unwrap();
        let rebuild = bench.change(&[NL]);
        assert!(!rebuild.realigned, "{step}: {rebuild:?}");
        bench.assert_same_as_full_build(step);
    };
    edit_text(&mut bench, "Eerste", "a text edit");

    // A page before the edited one in the section: every later page's
    // index moves, and the section lists one page more.
    fs::write(
        bench.path("content/nl/commerce/aaa-eerst.md"),
        "---\ntitle: Aaa eerst\n---\n\nTekst.\n",
    )
    .unwrap();
    bench.change(&["content/nl/commerce/aaa-eerst.md"]);
    bench.assert_same_as_full_build("add a page");
    edit_text(&mut bench, "Tweede", "a text edit after a page was added");

    // The new page's title now sorts it after the other one.
    fs::write(
        bench.path("content/nl/commerce/aaa-eerst.md"),
        "---\ntitle: Zzz laatst\n---\n\nTekst.\n",
    )
    .unwrap();
    bench.change(&["content/nl/commerce/aaa-eerst.md"]);
    bench.assert_same_as_full_build("retitle the new page");
    edit_text(&mut bench, "Derde", "a text edit after a title changed");
    assert!(
        fs::read_to_string(bench.path(NL))
            .unwrap()
            .starts_with(&text)
    );
}
