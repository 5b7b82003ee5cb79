//! Measures the language detector on a labelled set: a folder with one
//! subfolder per language tag, each holding text files in that language.
//!
//! ```text
//! cargo run --release --example detect_accuracy [DIR] [--files] [--snippets]
//! ```
//!
//! DIR defaults to `tests/fixtures/langdetect`. The detector is restricted to
//! the tags that name DIR's subfolders, as `tolk import` restricts it to a
//! site's configured languages. `--files` also lists every file with its
//! confidence. `--snippets` cuts every file into runs of a few words and
//! shows, for a range of thresholds, how many runs would be decided and how
//! many of those wrongly: whole files are almost always scored near 1.0, so
//! the threshold was chosen on these harder runs.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use tolk::import::detect::{Detection, Detector, prose_text};

const DEFAULT_DIR: &str = "tests/fixtures/langdetect";

/// Below this many words a file may be undecided; from it on, it must not be.
const DECIDED_FROM_WORDS: usize = 50;

struct Sample {
    label: String,
    path: PathBuf,
    text: String,
}

struct Outcome {
    sample: Sample,
    detection: Detection,
    elapsed: Duration,
}

#[derive(Default)]
struct Tally {
    files: usize,
    correct: usize,
    undecided: usize,
    wrong: usize,
}

impl Tally {
    fn add(&mut self, outcome: &Outcome) {
        self.files += 1;
        match outcome.detection.language.as_deref() {
            None => self.undecided += 1,
            Some(tag) if tag == outcome.sample.label => self.correct += 1,
            Some(_) => self.wrong += 1,
        }
    }

    fn accuracy(&self) -> f64 {
        if self.files == 0 {
            return 0.0;
        }
        100.0 * self.correct as f64 / self.files as f64
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let list_files = args.iter().any(|arg| arg == "--files");
    let snippets = args.iter().any(|arg| arg == "--snippets");
    let dir = args
        .iter()
        .find(|arg| !arg.starts_with("--"))
        .map_or_else(|| PathBuf::from(DEFAULT_DIR), PathBuf::from);
    let samples = match read_labelled_set(&dir) {
        Ok(samples) if !samples.is_empty() => samples,
        Ok(_) => return fail(&format!("no labelled files under {}", dir.display())),
        Err(err) => return fail(&format!("cannot read {}: {err}", dir.display())),
    };
    let labels = distinct_labels(&samples);
    let started = Instant::now();
    let detector = Detector::new(&labels);
    let construction = started.elapsed();
    let outcomes = detect_all(&detector, samples);
    print_report(&detector, &labels, &outcomes, construction);
    if list_files {
        print_files(&outcomes);
    }
    if snippets {
        print_snippet_calibration(&detector, &outcomes);
    }
    ExitCode::SUCCESS
}

fn fail(message: &str) -> ExitCode {
    eprintln!("detect_accuracy: {message}");
    ExitCode::FAILURE
}

/// Every `DIR/<label>/*.txt` and `*.md`, sorted by path.
fn read_labelled_set(dir: &Path) -> std::io::Result<Vec<Sample>> {
    let mut samples = Vec::new();
    for language_dir in sorted_entries(dir)? {
        if !language_dir.is_dir() {
            continue;
        }
        let Some(label) = language_dir.file_name().and_then(|name| name.to_str()) else {
            continue;
        };
        for path in sorted_entries(&language_dir)? {
            if is_text_file(&path) {
                samples.push(Sample {
                    label: label.to_string(),
                    text: fs::read_to_string(&path)?,
                    path,
                });
            }
        }
    }
    Ok(samples)
}

fn sorted_entries(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut paths = fs::read_dir(dir)?
        .map(|entry| entry.map(|entry| entry.path()))
        .collect::<std::io::Result<Vec<_>>>()?;
    paths.sort();
    Ok(paths)
}

fn is_text_file(path: &Path) -> bool {
    path.is_file()
        && path
            .extension()
            .is_some_and(|extension| extension == "txt" || extension == "md")
}

fn distinct_labels(samples: &[Sample]) -> Vec<String> {
    let mut labels: Vec<String> = samples.iter().map(|sample| sample.label.clone()).collect();
    labels.dedup();
    labels
}

fn detect_all(detector: &Detector, samples: Vec<Sample>) -> Vec<Outcome> {
    samples
        .into_iter()
        .map(|sample| {
            let started = Instant::now();
            let detection = detector.detect(&sample.text);
            Outcome {
                sample,
                detection,
                elapsed: started.elapsed(),
            }
        })
        .collect()
}

fn words_bucket(words: usize) -> &'static str {
    match words {
        0..=49 => "20-49",
        50..=199 => "50-199",
        200..=999 => "200-999",
        _ => "1000-2000",
    }
}

fn print_report(detector: &Detector, labels: &[String], outcomes: &[Outcome], built: Duration) {
    println!(
        "Labelled set: {} files in {}; threshold {:.2}\n",
        outcomes.len(),
        labels.join(", "),
        detector.threshold()
    );
    let mut by_bucket: BTreeMap<(usize, &str), Tally> = BTreeMap::new();
    let mut by_language: BTreeMap<&str, Tally> = BTreeMap::new();
    for outcome in outcomes {
        let bucket = words_bucket(outcome.detection.words);
        let order = outcomes_bucket_order(bucket);
        by_bucket.entry((order, bucket)).or_default().add(outcome);
        by_language
            .entry(outcome.sample.label.as_str())
            .or_default()
            .add(outcome);
    }
    print_table(
        "words",
        by_bucket
            .iter()
            .map(|((_, bucket), tally)| (*bucket, tally)),
    );
    print_total(outcomes);
    println!();
    print_table(
        "language",
        by_language.iter().map(|(label, tally)| (*label, tally)),
    );
    println!();
    print_confidence_summary(outcomes);
    print_timing(outcomes, built);
    print_misses(outcomes);
}

fn outcomes_bucket_order(bucket: &str) -> usize {
    ["20-49", "50-199", "200-999", "1000-2000"]
        .iter()
        .position(|known| *known == bucket)
        .unwrap_or(usize::MAX)
}

fn print_table<'a>(heading: &str, rows: impl Iterator<Item = (&'a str, &'a Tally)>) {
    println!(
        "| {heading:<10} | files | correct | undecided | wrong | accuracy |\n\
         |------------|------:|--------:|----------:|------:|---------:|"
    );
    for (name, tally) in rows {
        print_row(name, tally);
    }
}

fn print_row(name: &str, tally: &Tally) {
    println!(
        "| {name:<10} | {:>5} | {:>7} | {:>9} | {:>5} | {:>7.1}% |",
        tally.files,
        tally.correct,
        tally.undecided,
        tally.wrong,
        tally.accuracy()
    );
}

fn print_total(outcomes: &[Outcome]) {
    let mut all = Tally::default();
    let mut long_enough = Tally::default();
    for outcome in outcomes {
        all.add(outcome);
        if outcome.detection.words >= DECIDED_FROM_WORDS {
            long_enough.add(outcome);
        }
    }
    print_row(">= 50", &long_enough);
    print_row("all", &all);
}

fn print_confidence_summary(outcomes: &[Outcome]) {
    let right = |outcome: &&Outcome| {
        outcome.detection.best_guess.as_deref() == Some(outcome.sample.label.as_str())
    };
    let lowest = |long_enough: bool| {
        outcomes
            .iter()
            .filter(right)
            .filter(|outcome| !long_enough || outcome.detection.words >= DECIDED_FROM_WORDS)
            .map(|outcome| outcome.detection.confidence)
            .fold(f64::INFINITY, f64::min)
    };
    println!(
        "Lowest confidence of a right best guess: {:.3} (files of 50 words or more: {:.3})",
        lowest(false),
        lowest(true)
    );
    let highest_wrong = outcomes
        .iter()
        .filter(|outcome| !right(outcome))
        .map(|outcome| outcome.detection.confidence)
        .fold(f64::NEG_INFINITY, f64::max);
    if highest_wrong.is_finite() {
        println!("Highest confidence of a wrong best guess: {highest_wrong:.3}");
    } else {
        println!("No best guess was wrong.");
    }
}

fn print_timing(outcomes: &[Outcome], built: Duration) {
    let total: Duration = outcomes.iter().map(|outcome| outcome.elapsed).sum();
    let files = u32::try_from(outcomes.len().max(1)).unwrap_or(u32::MAX);
    let slowest = outcomes.iter().map(|outcome| outcome.elapsed).max();
    println!(
        "Detector built in {:.1} ms; mean detection time {:.2} ms per file (slowest {:.2} ms)",
        built.as_secs_f64() * 1000.0,
        (total / files).as_secs_f64() * 1000.0,
        slowest.unwrap_or_default().as_secs_f64() * 1000.0,
    );
}

fn print_misses(outcomes: &[Outcome]) {
    let misses = outcomes
        .iter()
        .filter(|outcome| outcome.detection.language.as_deref() != Some(&outcome.sample.label));
    for outcome in misses {
        println!("not right: {}", describe(outcome));
    }
}

fn print_files(outcomes: &[Outcome]) {
    println!();
    for outcome in outcomes {
        println!("{}", describe(outcome));
    }
}

fn describe(outcome: &Outcome) -> String {
    let detection = &outcome.detection;
    let runner_up = detection
        .runner_up
        .as_ref()
        .map(|(tag, confidence)| format!(", then {tag} {confidence:.3}"))
        .unwrap_or_default();
    format!(
        "{} ({} words): {} {:.3}{runner_up} -> {}",
        outcome.sample.path.display(),
        detection.words,
        detection.best_guess.as_deref().unwrap_or("-"),
        detection.confidence,
        detection.language.as_deref().unwrap_or("undecided"),
    )
}

/// Lengths of the word runs cut from the files for `--snippets`.
const SNIPPET_WORDS: [usize; 6] = [3, 5, 8, 12, 20, 30];

/// Thresholds compared by `--snippets`.
const CANDIDATE_THRESHOLDS: [f64; 10] = [0.5, 0.7, 0.8, 0.85, 0.9, 0.92, 0.94, 0.95, 0.97, 0.99];

/// At most this many runs of one length from one file, so that the long
/// files do not outweigh the rest.
const SNIPPETS_PER_FILE: usize = 25;

/// Best guesses and confidences of word runs, with whether the guess was
/// right.
struct SnippetScores {
    words: usize,
    scores: Vec<(f64, bool)>,
}

fn print_snippet_calibration(detector: &Detector, outcomes: &[Outcome]) {
    let lenient = Detector::new(&distinct_labels_of(outcomes)).with_threshold(0.0);
    let scored: Vec<SnippetScores> = SNIPPET_WORDS
        .iter()
        .map(|&words| score_snippets(&lenient, outcomes, words))
        .collect();
    println!("\nRuns of N words cut from the files: wrong / decided at each threshold");
    print!("| threshold |");
    for column in &scored {
        let heading = format!("{} words ({})", column.words, column.scores.len());
        print!(" {heading:>17} |");
    }
    print!("\n|----------:|");
    for _ in &scored {
        print!("------------------:|");
    }
    println!();
    for threshold in CANDIDATE_THRESHOLDS {
        let marker = if threshold == detector.threshold() {
            "*"
        } else {
            " "
        };
        print!("| {threshold:>8}{marker} |");
        for column in &scored {
            let (decided, wrong) = decided_and_wrong(&column.scores, threshold);
            print!(" {:>17} |", format!("{wrong} / {decided}"));
        }
        println!();
    }
}

fn distinct_labels_of(outcomes: &[Outcome]) -> Vec<String> {
    let mut labels: Vec<String> = outcomes
        .iter()
        .map(|outcome| outcome.sample.label.clone())
        .collect();
    labels.dedup();
    labels
}

fn score_snippets(detector: &Detector, outcomes: &[Outcome], words: usize) -> SnippetScores {
    let mut scores = Vec::new();
    for outcome in outcomes {
        let prose = prose_text(&outcome.sample.text);
        let tokens: Vec<&str> = prose.split_whitespace().collect();
        for run in tokens.chunks_exact(words).take(SNIPPETS_PER_FILE) {
            let detection = detector.detect(&run.join(" "));
            let right = detection.best_guess.as_deref() == Some(&outcome.sample.label);
            scores.push((detection.confidence, right));
        }
    }
    SnippetScores { words, scores }
}

fn decided_and_wrong(scores: &[(f64, bool)], threshold: f64) -> (usize, usize) {
    let decided: Vec<bool> = scores
        .iter()
        .filter(|(confidence, _)| *confidence >= threshold)
        .map(|(_, right)| *right)
        .collect();
    let wrong = decided.iter().filter(|right| !**right).count();
    (decided.len(), wrong)
}
