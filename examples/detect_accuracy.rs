//! Measures the language detector, in two modes.
//!
//! ```text
//! cargo run --release --example detect_accuracy [DIR] [--files] [--snippets]
//! cargo run --release --example detect_accuracy -- --flatten [SITE_DIR] [--languages=TAGS] [--files]
//! ```
//!
//! **Labelled set** (the default): DIR holds one subfolder per language tag,
//! each with text files in that language; it defaults to
//! `tests/fixtures/langdetect`. The detector is restricted to the tags that
//! name DIR's subfolders, as `tolk import` restricts it to a site's
//! configured languages. `--files` also lists every file with its
//! confidence. `--snippets` cuts every file into runs of a few words and
//! shows, for a range of thresholds, how many runs would be decided and how
//! many of those wrongly: whole files are almost always scored near 1.0, so
//! the threshold was chosen on these harder runs.
//!
//! **Flattened site** (`--flatten`): the pages of a tolk site laid out by
//! language folder (SITE_DIR, default `tests/fixtures/merchant-services`)
//! are copied into a temporary folder the way real dumps arrive: every page
//! renamed to a hash of its path, no language folder or suffix, `lang:`
//! removed from the front matter (which is otherwise kept, `exl-id` and
//! all). That folder is then planned by `tolk::import::plan`, the code
//! behind `tolk import`, with the site's `tolk.toml`, and every placement is
//! checked against the folder the page came from: placed, undecided or
//! wrong, overall, for pages of 50 words or more and per language.
//! `--languages=en,fr` keeps only those languages, in the site and in the
//! dump, as in a two-language dump. `--files` lists every page with the
//! language it was given.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use tolk::import::detect::{Detection, Detector, count_words, prose_text};
use tolk::import::{self, ImportPlan, LanguageEvidence};
use tolk::model::{ReadOptions, SiteConfig};

const DEFAULT_DIR: &str = "tests/fixtures/langdetect";

/// The site `--flatten` flattens unless told another.
const DEFAULT_SITE: &str = "tests/fixtures/merchant-services";

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
    let dir = args.iter().find(|arg| !arg.starts_with("--"));
    if args.iter().any(|arg| arg == "--flatten") {
        let site = dir.map_or_else(|| PathBuf::from(DEFAULT_SITE), PathBuf::from);
        let only = args
            .iter()
            .find_map(|arg| arg.strip_prefix("--languages="))
            .map(|tags| tags.split(',').map(str::to_string).collect());
        return measure_flattened_site(&site, only, list_files);
    }
    let dir = dir.map_or_else(|| PathBuf::from(DEFAULT_DIR), PathBuf::from);
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

/// A page of the flattened site: where it came from and what it is.
struct FlatPage {
    /// Its path in the site, relative to the content folder.
    original: PathBuf,
    /// The language folder it came from.
    label: String,
    /// Words of prose, as the detector counts them.
    words: usize,
}

/// What became of one page of the flattened site.
#[derive(Clone, Copy, PartialEq)]
enum Placement {
    Right,
    Undecided,
    Wrong,
}

#[derive(Default)]
struct PlacementTally {
    pages: usize,
    right: usize,
    undecided: usize,
    wrong: usize,
}

impl PlacementTally {
    fn add(&mut self, placement: Placement) {
        self.pages += 1;
        match placement {
            Placement::Right => self.right += 1,
            Placement::Undecided => self.undecided += 1,
            Placement::Wrong => self.wrong += 1,
        }
    }
}

fn measure_flattened_site(site: &Path, only: Option<Vec<String>>, list_files: bool) -> ExitCode {
    let mut config = match SiteConfig::load(site) {
        Ok(config) => config,
        Err(problems) => {
            let messages: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
            return fail(&messages.join("\n"));
        }
    };
    if let Some(only) = only {
        config
            .languages
            .retain(|language| only.contains(&language.tag));
    }
    let dump = match tempfile::tempdir() {
        Ok(dump) => dump,
        Err(err) => return fail(&format!("cannot make a temporary folder: {err}")),
    };
    let pages = match flatten_site(&config, dump.path()) {
        Ok(pages) if !pages.is_empty() => pages,
        Ok(_) => return fail(&format!("no pages under {}", config.content_dir.display())),
        Err(err) => return fail(&format!("cannot flatten {}: {err}", site.display())),
    };
    let started = Instant::now();
    let plan = import::plan(&config, dump.path(), ReadOptions::default());
    let planned = started.elapsed();
    let placements = placements(&pages, &plan);
    print_flattened_report(site, &config, &pages, &placements, planned);
    print_placed_by_elimination(&config, &pages, &plan);
    print_plan_warnings(&pages, &plan);
    if list_files {
        print_placements(&pages, &placements);
    }
    ExitCode::SUCCESS
}

/// Copies every page under `content/<lang>/` into `dump` under a hash of
/// its path, with `lang:` taken out of its front matter. `TOC.md` and files
/// or folders starting with `_` or `.` are not pages, as in a build.
fn flatten_site(config: &SiteConfig, dump: &Path) -> std::io::Result<BTreeMap<String, FlatPage>> {
    let mut pages = BTreeMap::new();
    for language in &config.languages {
        let folder = config.content_dir.join(&language.tag);
        for entry in walkdir::WalkDir::new(&folder)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|entry| entry.depth() == 0 || !is_hidden_or_partial(entry.file_name()))
        {
            let entry = entry?;
            let path = entry.path();
            if !entry.file_type().is_file() || !is_page(path) {
                continue;
            }
            let original = path
                .strip_prefix(&config.content_dir)
                .unwrap_or(path)
                .to_path_buf();
            let text = without_lang_key(&fs::read_to_string(path)?);
            let name = hashed_name(&original);
            fs::write(dump.join(&name), &text)?;
            let words = count_words(&prose_text(&text));
            let label = language.tag.clone();
            pages.insert(
                name,
                FlatPage {
                    original,
                    label,
                    words,
                },
            );
        }
    }
    Ok(pages)
}

fn is_hidden_or_partial(name: &std::ffi::OsStr) -> bool {
    name.to_string_lossy().starts_with(['_', '.'])
}

fn is_page(path: &Path) -> bool {
    let markdown = path
        .extension()
        .is_some_and(|extension| extension == "md" || extension == "markdown");
    markdown && path.file_name().is_some_and(|name| name != "TOC.md")
}

/// A stable, hash-like file name for a page: FNV-1a of its path, so runs
/// are repeatable and the language folder leaves no trace in the name.
fn hashed_name(original: &Path) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in original.to_string_lossy().bytes() {
        hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}.md")
}

/// The text without a top-level `lang:` line in its front matter: real
/// dumps say nothing about the language.
fn without_lang_key(text: &str) -> String {
    let Some(after_open) = text.strip_prefix("---\n") else {
        return text.to_string();
    };
    let Some(close) = after_open.find("\n---") else {
        return text.to_string();
    };
    let (yaml, rest) = after_open.split_at(close + 1);
    let kept: String = yaml
        .split_inclusive('\n')
        .filter(|line| !line.starts_with("lang:"))
        .collect();
    format!("---\n{kept}{rest}")
}

/// Each page's placement, by its flattened file name.
fn placements(
    pages: &BTreeMap<String, FlatPage>,
    plan: &ImportPlan,
) -> BTreeMap<String, (Placement, String)> {
    let mut placements = BTreeMap::new();
    for page in &plan.pages {
        let name = file_name(&page.source);
        let Some(flat) = pages.get(&name) else {
            continue;
        };
        let placement = if page.page.lang == flat.label {
            Placement::Right
        } else {
            Placement::Wrong
        };
        placements.insert(name, (placement, page.page.lang.clone()));
    }
    for undecided in &plan.undecided {
        let guesses = [&undecided.best_guess, &undecided.runner_up]
            .into_iter()
            .flatten()
            .map(|(tag, confidence)| format!("{tag} {confidence:.2}"))
            .collect::<Vec<_>>()
            .join(" or ");
        placements.insert(
            file_name(&undecided.source),
            (Placement::Undecided, guesses),
        );
    }
    placements
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn print_flattened_report(
    site: &Path,
    config: &SiteConfig,
    pages: &BTreeMap<String, FlatPage>,
    placements: &BTreeMap<String, (Placement, String)>,
    planned: Duration,
) {
    let tags: Vec<&str> = config.languages.iter().map(|l| l.tag.as_str()).collect();
    println!(
        "Flattened site: {} pages of {} in {}, renamed to hashes; threshold {:.2}\n",
        pages.len(),
        site.display(),
        tags.join(", "),
        Detector::new(&[]).threshold()
    );
    let mut by_words: [(&str, PlacementTally); 3] = Default::default();
    by_words[0].0 = ">= 50";
    by_words[1].0 = "< 50";
    by_words[2].0 = "all";
    let mut by_language: BTreeMap<&str, PlacementTally> = BTreeMap::new();
    for (name, page) in pages {
        let placement = placements.get(name).map_or(Placement::Undecided, |p| p.0);
        let short = usize::from(page.words < DECIDED_FROM_WORDS);
        by_words[short].1.add(placement);
        by_words[2].1.add(placement);
        by_language.entry(&page.label).or_default().add(placement);
    }
    print_placement_table("words", by_words.iter().map(|(name, tally)| (*name, tally)));
    println!();
    print_placement_table(
        "language",
        by_language.iter().map(|(name, tally)| (*name, tally)),
    );
    println!(
        "\nPlanned by tolk::import::plan in {:.2} s",
        planned.as_secs_f64()
    );
    for (name, (placement, said)) in placements {
        let page = &pages[name];
        match placement {
            Placement::Right => {}
            Placement::Undecided => println!(
                "undecided: {} ({} words): {said}",
                describe_page(page),
                page.words
            ),
            Placement::Wrong => println!(
                "wrong: {} ({} words): placed as {said}",
                describe_page(page),
                page.words
            ),
        }
    }
}

/// Pages whose own text was not enough: placed once their translations'
/// languages were ruled out.
/// With the page's own detection beside: what its text alone said.
fn print_placed_by_elimination(
    config: &SiteConfig,
    pages: &BTreeMap<String, FlatPage>,
    plan: &ImportPlan,
) {
    let tags: Vec<String> = config.languages.iter().map(|l| l.tag.clone()).collect();
    let detector = Detector::new(&tags);
    let by_elimination: Vec<String> = plan
        .pages
        .iter()
        .filter_map(|page| match &page.evidence {
            LanguageEvidence::DetectedInGroup {
                confidence,
                ruled_out,
            } => {
                let flat = pages.get(&file_name(&page.source))?;
                let own = detector.detect(&page.text);
                Some(format!(
                    "  {} ({} words): {} {confidence:.2} without {}; alone {} {:.2}",
                    describe_page(flat),
                    flat.words,
                    page.page.lang,
                    ruled_out.join(", "),
                    own.best_guess.as_deref().unwrap_or("-"),
                    own.confidence,
                ))
            }
            _ => None,
        })
        .collect();
    println!(
        "Placed once their translations' languages were ruled out: {}",
        by_elimination.len()
    );
    for line in by_elimination {
        println!("{line}");
    }
}

fn describe_page(page: &FlatPage) -> String {
    page.original.display().to_string()
}

fn print_placement_table<'a>(
    heading: &str,
    rows: impl Iterator<Item = (&'a str, &'a PlacementTally)>,
) {
    println!(
        "| {heading:<8} | pages | placed | undecided | wrong | placed % |\n\
         |----------|------:|-------:|----------:|------:|---------:|"
    );
    for (name, tally) in rows {
        let share = 100.0 * tally.right as f64 / tally.pages.max(1) as f64;
        println!(
            "| {name:<8} | {:>5} | {:>6} | {:>9} | {:>5} | {share:>7.1}% |",
            tally.pages, tally.right, tally.undecided, tally.wrong
        );
    }
}

/// The plan's warnings and errors, with flattened names replaced by the
/// pages' paths in the site so they can be read.
fn print_plan_warnings(pages: &BTreeMap<String, FlatPage>, plan: &ImportPlan) {
    for diagnostic in &plan.diagnostics {
        let mut message = diagnostic.to_string();
        for (name, page) in pages {
            message = message.replace(name.as_str(), &describe_page(page));
        }
        println!("plan: {message}");
    }
}

fn print_placements(
    pages: &BTreeMap<String, FlatPage>,
    placements: &BTreeMap<String, (Placement, String)>,
) {
    println!();
    for (name, page) in pages {
        let said = placements.get(name).map_or("-", |p| p.1.as_str());
        println!(
            "{name} {} ({} words): {said}",
            describe_page(page),
            page.words
        );
    }
}
