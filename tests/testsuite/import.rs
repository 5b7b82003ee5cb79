//! `tolk import` and `tolk build --content`: the sample corpus as it was
//! handed over, a flat folder of hash-named files with no language given.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Command;

use crate::common::*;
use tolk::import::detect::{count_words, prose_text};
use tolk::import::{self, LanguageEvidence};
use tolk::model::ReadOptions;
use tolk::model::SiteConfig;
use tolk::pipeline::BuildOptions;

fn corpus() -> std::path::PathBuf {
    example_site().join("tests/fixtures/corpus")
}

fn tolk(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_tolk"))
        .args(args)
        .output()
        .unwrap()
}

fn files_under(dir: &Path) -> Vec<String> {
    snapshot(dir)
        .keys()
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .collect()
}

#[test]
fn the_flat_corpus_imports_to_fr_it_nl_sv_fr_with_aligned_slugs() {
    let site = tempfile::tempdir().unwrap();
    copy_example_site(site.path());
    fs::remove_dir_all(site.path().join("content")).unwrap();
    let out = tolk(&[
        "import",
        corpus().to_str().unwrap(),
        "--root",
        site.path().to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let content = site.path().join("content");
    assert_eq!(
        files_under(&content),
        [
            "fr/apprenez-les-differences-entre-b2c-et-b2b-et-comment-elles.md",
            "fr/qu-est-ce-que-b2b-et-b2c.md",
            "it/qu-est-ce-que-b2b-et-b2c.md",
            "nl/qu-est-ce-que-b2b-et-b2c.md",
            "sv/qu-est-ce-que-b2b-et-b2c.md",
        ]
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("detected, confidence"),
        "confidence is printed: {stdout}"
    );
    let nl = fs::read_to_string(content.join("nl/qu-est-ce-que-b2b-et-b2c.md")).unwrap();
    assert!(nl.contains("per cliënt,") && nl.starts_with("---\ntitle: Wat zijn B2B en B2C?"));
    let article = fs::read_to_string(
        content.join("fr/apprenez-les-differences-entre-b2c-et-b2b-et-comment-elles.md"),
    )
    .unwrap();
    assert!(
        article.starts_with("---\ntitle: \"Apprenez les différences entre B2C et B2B"),
        "{}",
        &article[..200]
    );
    assert!(article.contains("\n## Qu’est-ce que le B2C (ou BtoC) ?\n"));

    // The imported site builds, and its four pages align by path.
    let public = site.path().join("public");
    assert_eq!(build_into(site.path(), &public).errors(), 0);
    let html = read_html(&public.join("nl/qu-est-ce-que-b2b-et-b2c/index.html"));
    let it = attr(&html, ".lang-switcher a[hreflang=it]", "href");
    assert_eq!(it.as_deref(), Some("/it/qu-est-ce-que-b2b-et-b2c/"));
}

#[test]
fn import_never_overwrites_without_force_and_dry_run_writes_nothing() {
    let site = tempfile::tempdir().unwrap();
    copy_example_site(site.path());
    let into = site.path().join("imported");
    let (root, dump, target) = (
        site.path().to_str().unwrap(),
        corpus(),
        into.to_str().unwrap().to_string(),
    );
    let dry = tolk(&[
        "import",
        dump.to_str().unwrap(),
        "--root",
        root,
        "--into",
        &target,
        "--dry-run",
    ]);
    assert!(String::from_utf8_lossy(&dry.stdout).contains("would write"));
    assert!(!into.exists(), "--dry-run writes nothing");

    tolk(&[
        "import",
        dump.to_str().unwrap(),
        "--root",
        root,
        "--into",
        &target,
    ]);
    let first = snapshot(&into);
    let page = into.join("sv/qu-est-ce-que-b2b-et-b2c.md");
    fs::write(&page, "edited by hand").unwrap();
    let again = tolk(&[
        "import",
        dump.to_str().unwrap(),
        "--root",
        root,
        "--into",
        &target,
    ]);
    assert!(String::from_utf8_lossy(&again.stdout).contains("skipped 5 existing"));
    assert_eq!(fs::read_to_string(&page).unwrap(), "edited by hand");
    tolk(&[
        "import",
        dump.to_str().unwrap(),
        "--root",
        root,
        "--into",
        &target,
        "--force",
    ]);
    assert_eq!(
        snapshot(&into),
        first,
        "the same input gives the same files"
    );
}

#[test]
fn without_a_site_config_every_shipped_language_is_a_candidate() {
    let config = SiteConfig::with_languages(
        Path::new("."),
        &tolk::import::detect::Detector::supported_tags(),
    );
    let plan = import::plan(&config, &corpus(), ReadOptions::default());
    let mut langs: Vec<&str> = plan.pages.iter().map(|p| p.page.lang.as_str()).collect();
    langs.sort();
    assert_eq!(langs, ["fr", "fr", "it", "nl", "sv"]);
    assert!(plan.undecided.is_empty());
    assert!(plan.pages.iter().all(
        |p| matches!(p.evidence, LanguageEvidence::Detected { confidence } if confidence > 0.9)
    ));
}

#[test]
fn front_matter_and_folders_beat_detection_and_short_text_stays_undecided() {
    let dump = tempfile::tempdir().unwrap();
    fs::create_dir_all(dump.path().join("sv")).unwrap();
    // French words, but the front matter says Italian: the writer knows best.
    fs::write(
        dump.path().join("a.md"),
        "---\nlang: it\ntitle: A\n---\nBonjour, ceci est un texte en français.\n",
    )
    .unwrap();
    fs::write(
        dump.path().join("sv/b.md"),
        "# B\n\nCeci est aussi du français.\n",
    )
    .unwrap();
    fs::write(dump.path().join("c.txt"), "OK\n").unwrap();
    let config = SiteConfig::with_languages(Path::new("."), &["fr", "it", "sv"]);
    let plan = import::plan(&config, dump.path(), ReadOptions::default());
    let found: Vec<(String, String)> = plan
        .pages
        .iter()
        .map(|p| {
            (
                p.source.file_name().unwrap().to_string_lossy().into_owned(),
                p.page.lang.clone(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("a.md".to_string(), "it".to_string()),
            ("b.md".to_string(), "sv".to_string())
        ]
    );
    assert_eq!(plan.undecided.len(), 1, "two letters are not guessed");
    assert!(plan.undecided[0].source.ends_with("c.txt"));
}

#[test]
fn invalid_utf8_in_a_dump_is_an_error_naming_the_byte_offset_and_the_rest_imports() {
    let dump = tempfile::tempdir().unwrap();
    copy_dir(&corpus(), dump.path());
    fs::write(
        dump.path().join("broken.md"),
        b"# Titre\n\nCaf\xE9 au lait\n",
    )
    .unwrap();
    let config = SiteConfig::with_languages(Path::new("."), &["fr", "it", "nl", "sv"]);
    let plan = import::plan(&config, dump.path(), ReadOptions::default());
    assert_eq!(plan.pages.len(), 5);
    let error = plan.diagnostics.iter().find(|d| d.is_error()).unwrap();
    assert!(
        error.to_string().contains("broken.md:3:4") && error.message.contains("byte offset 12"),
        "{error}"
    );
}

#[test]
fn build_from_a_dump_writes_nothing_into_it() {
    let dump = tempfile::tempdir().unwrap();
    copy_dir(&corpus(), dump.path());
    let before = snapshot(dump.path());
    let out = tempfile::tempdir().unwrap();
    let report = tolk::pipeline::build(&BuildOptions {
        root: example_site(),
        out: Some(out.path().join("public")),
        content: Some(dump.path().to_path_buf()),
        ..Default::default()
    });
    assert_eq!(report.errors(), 0, "{:#?}", report.diagnostics);
    assert_eq!(snapshot(dump.path()), before);
    let public = out.path().join("public");
    let sv = read_html(&public.join("sv/qu-est-ce-que-b2b-et-b2c/index.html"));
    assert_eq!(
        attr(&sv, ".lang-switcher a[hreflang=fr]", "href").as_deref(),
        Some("/fr/qu-est-ce-que-b2b-et-b2c/")
    );
    let article = read_html(
        &public.join("fr/apprenez-les-differences-entre-b2c-et-b2b-et-comment-elles/index.html"),
    );
    assert!(select(&article, "main h2").len() >= 3);
}

const EXL_ID: &str = "5d0a3c5e-2f4b-4d8e-9a61-3c2b7e0f4a19";

/// A page with front matter naming `exl_id` and a title, then `body`.
fn page_with_exl_id(exl_id: &str, title: &str, body: &str) -> String {
    format!("---\ntitle: {title}\nexl-id: {exl_id}\n---\n\n{body}")
}

const ENGLISH_REFUNDS: &str = "Refunds go back to the card the customer paid with, \
    usually within five business days. The customer receives a message as soon as \
    the money is on its way.\n\nPartial refunds are possible for orders with several \
    items: choose the items to refund and confirm the amount before sending it.\n";

/// Italian, with a note left untranslated, as translated pages often have.
const ITALIAN_REFUNDS_WITH_AN_ENGLISH_NOTE: &str = "I rimborsi tornano sulla carta usata \
    dal cliente per pagare, di solito entro cinque giorni lavorativi. Il cliente riceve \
    un messaggio appena il denaro è in arrivo.\n\n> Note: refunds cannot be cancelled once \
    they are sent, so check the amount and the items twice before you confirm.\n\n\
    Sono possibili rimborsi parziali per gli ordini con più articoli: scegli gli articoli \
    da rimborsare e conferma l'importo prima di inviarlo.\n";

#[test]
fn a_translation_group_places_a_page_its_own_text_leaves_unsure() {
    let dump = tempfile::tempdir().unwrap();
    let italian = page_with_exl_id(EXL_ID, "Rimborsi", ITALIAN_REFUNDS_WITH_AN_ENGLISH_NOTE);
    fs::write(dump.path().join("a1.md"), &italian).unwrap();
    let config = SiteConfig::with_languages(Path::new("."), &["en", "it"]);
    let alone = import::plan(&config, dump.path(), ReadOptions::default());
    assert!(alone.pages.is_empty(), "{:?}", alone.pages);
    assert_eq!(
        alone.undecided[0]
            .best_guess
            .as_ref()
            .map(|(tag, _)| tag.as_str()),
        Some("it")
    );

    fs::write(
        dump.path().join("b2.md"),
        page_with_exl_id(EXL_ID, "Refunds", ENGLISH_REFUNDS),
    )
    .unwrap();
    let plan = import::plan(&config, dump.path(), ReadOptions::default());
    assert!(plan.undecided.is_empty(), "{:?}", plan.undecided);
    let placed: Vec<(&str, &str, &LanguageEvidence)> = plan
        .pages
        .iter()
        .map(|p| {
            let name = p.source.file_name().unwrap().to_str().unwrap();
            (name, p.page.lang.as_str(), &p.evidence)
        })
        .collect();
    assert!(
        matches!(placed[0], ("a1.md", "it", LanguageEvidence::DetectedInGroup { ruled_out, .. }) if ruled_out == &["en"]),
        "{placed:?}"
    );
    assert!(
        matches!(
            placed[1],
            ("b2.md", "en", LanguageEvidence::Detected { .. })
        ),
        "{placed:?}"
    );
}

#[test]
fn two_pages_of_one_group_read_as_one_language_are_a_conflict_and_neither_is_placed() {
    let dump = tempfile::tempdir().unwrap();
    let english = page_with_exl_id(EXL_ID, "Refunds", ENGLISH_REFUNDS);
    fs::write(dump.path().join("refunds.md"), &english).unwrap();
    fs::write(dump.path().join("refunds-copy.md"), &english).unwrap();
    let italian = page_with_exl_id(EXL_ID, "Rimborsi", ITALIAN_REFUNDS_WITH_AN_ENGLISH_NOTE);
    fs::write(dump.path().join("rimborsi.md"), &italian).unwrap();
    let config = SiteConfig::with_languages(Path::new("."), &["en", "it"]);
    let plan = import::plan(&config, dump.path(), ReadOptions::default());
    assert!(plan.pages.is_empty(), "{:?}", plan.pages);
    assert_eq!(plan.undecided.len(), 3);
    let warning = plan
        .diagnostics
        .iter()
        .find(|d| d.message.contains(EXL_ID))
        .expect("a warning about the group");
    assert!(!warning.is_error());
    assert!(
        warning.message.contains("refunds.md") && warning.message.contains("refunds-copy.md"),
        "{warning}"
    );
    assert!(warning.message.contains("come out as en"), "{warning}");
}

#[test]
fn a_page_whose_language_is_given_rules_it_out_for_its_translations() {
    let dump = tempfile::tempdir().unwrap();
    fs::create_dir(dump.path().join("en")).unwrap();
    fs::write(
        dump.path().join("en/refunds.md"),
        page_with_exl_id(EXL_ID, "Refunds", "Refunds.\n"),
    )
    .unwrap();
    let italian = page_with_exl_id(EXL_ID, "Rimborsi", ITALIAN_REFUNDS_WITH_AN_ENGLISH_NOTE);
    fs::write(dump.path().join("x.md"), &italian).unwrap();
    let config = SiteConfig::with_languages(Path::new("."), &["en", "it"]);
    let plan = import::plan(&config, dump.path(), ReadOptions::default());
    let langs: Vec<(&str, &LanguageEvidence)> = plan
        .pages
        .iter()
        .map(|p| (p.page.lang.as_str(), &p.evidence))
        .collect();
    assert!(
        matches!(
            langs[..],
            [
                ("en", LanguageEvidence::Path),
                ("it", LanguageEvidence::DetectedInGroup { .. })
            ]
        ),
        "{langs:?}"
    );
}

/// A page of the flattened fixture: the language folder it came from and
/// its words of prose.
struct FlatPage {
    label: String,
    words: usize,
}

/// Copies the pages under `content/<lang>/` into `dump` as real dumps
/// arrive: hash-like names, no language folder or suffix, no `lang:`.
fn flatten(config: &SiteConfig, dump: &Path, sections: &[&str]) -> BTreeMap<String, FlatPage> {
    let mut pages = BTreeMap::new();
    for language in &config.languages {
        for section in sections {
            let folder = config.content_dir.join(&language.tag).join(section);
            for entry in walkdir::WalkDir::new(&folder).sort_by_file_name() {
                let entry = entry.unwrap();
                let path = entry.path();
                let is_page = path.extension().is_some_and(|e| e == "md")
                    && path.file_name().is_some_and(|n| n != "TOC.md");
                if !is_page {
                    continue;
                }
                let text: String = fs::read_to_string(path)
                    .unwrap()
                    .split_inclusive('\n')
                    .filter(|line| !line.starts_with("lang:"))
                    .collect();
                let name = format!("{:016x}.md", fnv1a(path));
                fs::write(dump.join(&name), &text).unwrap();
                let words = count_words(&prose_text(&text));
                let label = language.tag.clone();
                pages.insert(name, FlatPage { label, words });
            }
        }
    }
    pages
}

fn fnv1a(path: &Path) -> u64 {
    path.to_string_lossy()
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
        })
}

const MERCHANT_SERVICES: &str = "tests/fixtures/merchant-services";

/// One section of the guide, a fifth of its text: the whole guide takes
/// about 20 s in a debug build, and `cargo run --release --example
/// detect_accuracy -- --flatten` measures it all. This section has pages
/// thick with UI labels, tables and code, and one whose untranslated English
/// leaves it to its translation group.
const FLATTENED_SECTIONS: [&str; 1] = ["help/payment-services"];

#[test]
fn the_flattened_merchant_services_guide_places_every_page_of_fifty_words_and_none_wrongly() {
    let config = SiteConfig::load(&example_site().join(MERCHANT_SERVICES)).unwrap();
    let dump = tempfile::tempdir().unwrap();
    let pages = flatten(&config, dump.path(), &FLATTENED_SECTIONS);
    assert!(pages.len() >= 140, "{} pages", pages.len());
    let plan = import::plan(&config, dump.path(), ReadOptions::default());
    let label_of = |source: &Path| &pages[source.file_name().unwrap().to_str().unwrap()];
    let wrong: Vec<String> = plan
        .pages
        .iter()
        .filter(|p| p.page.lang != label_of(&p.source).label)
        .map(|p| format!("{} placed as {}", p.source.display(), p.page.lang))
        .collect();
    assert!(wrong.is_empty(), "{wrong:#?}");
    let undecided: Vec<String> = plan
        .undecided
        .iter()
        .filter(|u| label_of(&u.source).words >= 50)
        .map(|u| {
            format!(
                "{} ({}): {:?}",
                u.source.display(),
                label_of(&u.source).label,
                u.best_guess
            )
        })
        .collect();
    assert!(undecided.is_empty(), "{undecided:#?}");
    let by_group = plan
        .pages
        .iter()
        .filter(|p| matches!(p.evidence, LanguageEvidence::DetectedInGroup { .. }))
        .count();
    assert!(by_group > 0, "some pages need their translation group");
}
