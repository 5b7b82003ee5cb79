//! The language detector on the labelled set in `tests/fixtures/langdetect`:
//! one folder per language, named by its tag, which is the label of every
//! file in it. The detector is restricted to those languages, as `tolk
//! import` restricts it to a site's configured languages.
//!
//! The bar: every file of 50 words or more is decided, and rightly; shorter
//! files may be undecided; no decided file is wrong. The table is printed
//! with `cargo test --test language_detection -- --nocapture`.

use std::fs;
use std::path::{Path, PathBuf};

use tolk::import::detect::{Detection, Detector};

const LABELLED_SET: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/langdetect");

/// The languages the set must cover, each with at least
/// [`MIN_FILES_PER_LANGUAGE`] files.
const REQUIRED_LANGUAGES: [&str; 7] = ["de", "en", "es", "fr", "it", "nl", "sv"];
const MIN_FILES_PER_LANGUAGE: usize = 8;
const MIN_FILES: usize = 60;

/// From this many words of prose on, a file must be decided.
const DECIDED_FROM_WORDS: usize = 50;

/// Word counts of the files, as [`Detection::words`] counts them.
const WORD_BUCKETS: [(&str, usize, usize); 4] = [
    ("20-49", 20, 49),
    ("50-199", 50, 199),
    ("200-999", 200, 999),
    ("1000-2000", 1000, 2000),
];

struct Outcome {
    label: String,
    path: PathBuf,
    detection: Detection,
}

impl Outcome {
    fn is_right(&self) -> bool {
        self.detection.language.as_deref() == Some(self.label.as_str())
    }

    fn is_wrong(&self) -> bool {
        self.detection.language.is_some() && !self.is_right()
    }
}

fn labelled_files() -> Vec<(String, PathBuf)> {
    let mut files = Vec::new();
    for language_dir in sorted_entries(Path::new(LABELLED_SET)) {
        let label = language_dir
            .file_name()
            .and_then(|name| name.to_str())
            .expect("language folders have UTF-8 names")
            .to_string();
        for path in sorted_entries(&language_dir) {
            files.push((label.clone(), path));
        }
    }
    files
}

fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|err| panic!("cannot read {}: {err}", dir.display()))
        .map(|entry| entry.expect("a readable folder entry").path())
        .collect();
    paths.sort();
    paths
}

fn detect_labelled_set() -> Vec<Outcome> {
    let files = labelled_files();
    let mut labels: Vec<String> = files.iter().map(|(label, _)| label.clone()).collect();
    labels.dedup();
    let detector = Detector::new(&labels);
    files
        .into_iter()
        .map(|(label, path)| {
            let text = fs::read_to_string(&path)
                .unwrap_or_else(|err| panic!("cannot read {}: {err}", path.display()));
            Outcome {
                detection: detector.detect(&text),
                label,
                path,
            }
        })
        .collect()
}

fn print_table(outcomes: &[Outcome]) {
    println!("| words     | files | correct | undecided | wrong | accuracy |");
    println!("|-----------|------:|--------:|----------:|------:|---------:|");
    for (name, low, high) in WORD_BUCKETS {
        let in_bucket: Vec<&Outcome> = outcomes
            .iter()
            .filter(|outcome| (low..=high).contains(&outcome.detection.words))
            .collect();
        print_row(name, &in_bucket);
    }
    let long_enough: Vec<&Outcome> = outcomes
        .iter()
        .filter(|outcome| outcome.detection.words >= DECIDED_FROM_WORDS)
        .collect();
    print_row(">= 50", &long_enough);
    print_row("all", &outcomes.iter().collect::<Vec<_>>());
}

fn print_row(name: &str, outcomes: &[&Outcome]) {
    let files = outcomes.len();
    let correct = outcomes.iter().filter(|outcome| outcome.is_right()).count();
    let wrong = outcomes.iter().filter(|outcome| outcome.is_wrong()).count();
    let accuracy = 100.0 * correct as f64 / files.max(1) as f64;
    println!(
        "| {name:<9} | {files:>5} | {correct:>7} | {:>9} | {wrong:>5} | {accuracy:>7.1}% |",
        files - correct - wrong
    );
}

fn describe(outcome: &Outcome) -> String {
    let detection = &outcome.detection;
    format!(
        "{} ({} words): {:?} at {:.3}, runner-up {:?}",
        outcome.path.display(),
        detection.words,
        detection.language,
        detection.confidence,
        detection.runner_up
    )
}

#[test]
fn every_file_of_fifty_words_or_more_is_decided_rightly_and_no_guess_is_wrong() {
    let outcomes = detect_labelled_set();
    print_table(&outcomes);
    let wrong: Vec<String> = outcomes
        .iter()
        .filter(|outcome| outcome.is_wrong())
        .map(describe)
        .collect();
    assert!(wrong.is_empty(), "wrongly decided:\n{}", wrong.join("\n"));
    let missed: Vec<String> = outcomes
        .iter()
        .filter(|outcome| outcome.detection.words >= DECIDED_FROM_WORDS && !outcome.is_right())
        .map(describe)
        .collect();
    assert!(
        missed.is_empty(),
        "undecided with 50 words or more:\n{}",
        missed.join("\n")
    );
}

#[test]
fn labelled_set_has_the_size_and_spread_it_claims() {
    let outcomes = detect_labelled_set();
    assert!(outcomes.len() >= MIN_FILES, "{} files", outcomes.len());
    for language in REQUIRED_LANGUAGES {
        let files = outcomes
            .iter()
            .filter(|outcome| outcome.label == language)
            .count();
        assert!(files >= MIN_FILES_PER_LANGUAGE, "{language}: {files} files");
    }
    for outcome in &outcomes {
        assert!(
            (20..=2000).contains(&outcome.detection.words),
            "{}",
            describe(outcome)
        );
    }
    for (name, low, high) in WORD_BUCKETS {
        let files = outcomes
            .iter()
            .filter(|outcome| (low..=high).contains(&outcome.detection.words))
            .count();
        assert!(files >= 3, "only {files} files of {name} words");
    }
}
