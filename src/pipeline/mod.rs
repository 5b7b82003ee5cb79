//! The whole pipeline: discover -> read -> align -> render -> write.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::align::fallback;

use crate::align;
use crate::align::history::GitHistory;
use crate::align::staleness;
use crate::align::suggest;
use crate::console::progress::{NoProgress, Progress};
use crate::discover;
use crate::import;
use crate::model::Diagnostic;
use crate::model::Fingerprint;
use crate::model::LoadedSite;
use crate::model::SiteConfig;
use crate::model::diagnostic;
use crate::model::{ReadOptions, SourcePage};
use crate::read;
use crate::render::SiteView;
use crate::render::theme::Theme;
use crate::search::SearchIndexer;
use crate::write::{self, Staging};

#[derive(Clone, Debug, Default)]
pub struct BuildOptions {
    /// The site folder, holding `tolk.toml`.
    pub root: PathBuf,
    /// Overrides `output_dir` of the config.
    pub out: Option<PathBuf>,
    /// Build from this dump of files (as `tolk import` reads it) instead of
    /// the content folder; nothing is written into it.
    pub content: Option<PathBuf>,
    /// Publish the pages that built even when others failed.
    pub keep_going: bool,
    pub read: ReadOptions,
}

/// What a build did, for the summary line and the exit status.
#[derive(Debug, Default)]
pub struct BuildReport {
    pub pages_per_language: BTreeMap<String, usize>,
    /// Pages built in place of missing translations.
    pub fallback_pages: usize,
    /// Zero-width spaces removed from titles, headings, link and alt texts.
    pub zero_width_removed: usize,
    pub diagnostics: Vec<Diagnostic>,
    /// Where the site was written; `None` when nothing was published.
    pub published_to: Option<PathBuf>,
    pub elapsed: Duration,
}

impl BuildReport {
    pub fn errors(&self) -> usize {
        diagnostic::count(&self.diagnostics).0
    }

    pub fn warnings(&self) -> usize {
        diagnostic::count(&self.diagnostics).1
    }

    /// `Built 5 pages (fr 2, it 1, nl 1, sv 1), 1 warning, 0 errors in 0.04 s -> public/`
    pub fn summary(&self) -> String {
        let total: usize = self.pages_per_language.values().sum();
        let per_language: Vec<String> = self
            .pages_per_language
            .iter()
            .map(|(lang, n)| format!("{lang} {n}"))
            .collect();
        let destination = match &self.published_to {
            Some(path) => format!("-> {}", path.display()),
            None => "; nothing written, the previous output is untouched".to_string(),
        };
        let fallbacks = match self.fallback_pages {
            0 => String::new(),
            n => format!(" and {n} {}", plural(n, "fallback page", "fallback pages")),
        };
        let zero_width = match self.zero_width_removed {
            0 => String::new(),
            n => format!(", {n} zero-width {} removed", plural(n, "space", "spaces")),
        };
        format!(
            "Built {total} {} ({}){fallbacks}{zero_width}, {} {}, {} {} in {:.2} s {destination}",
            plural(total, "page", "pages"),
            per_language.join(", "),
            self.warnings(),
            plural(self.warnings(), "warning", "warnings"),
            self.errors(),
            plural(self.errors(), "error", "errors"),
            self.elapsed.as_secs_f64(),
        )
    }
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

/// Discovers, reads and aligns the pages, and works out what is stale,
/// suggested and missing. Problems with single pages are returned beside
/// the site; only a broken config stops here.
pub fn load_site(options: &BuildOptions) -> Result<(LoadedSite, Vec<Diagnostic>), Vec<Diagnostic>> {
    let clock = Stopwatch::start();
    let mut config = SiteConfig::load(&options.root)?;
    let (pages, mut problems, assets) = match &options.content {
        Some(dump) => {
            config.content_dir = dump.clone();
            let (pages, problems) = read_dump(&config, dump, options.read);
            (pages, problems, Vec::new())
        }
        None => {
            let (pages, problems) = read_content(&config, options.read);
            (pages, problems, discover::assets(&config))
        }
    };
    clock.lap("discover and read");
    let git = GitHistory::load(&config.content_dir);
    let (site, more_problems) = assemble(config, pages, assets, git.as_ref());
    problems.extend(more_problems);
    clock.lap("align, staleness and fallbacks");
    Ok((site, problems))
}

/// Aligns read pages and works out suggestions, staleness, fallback pages
/// and dates: everything after reading, so a rebuild that re-read only the
/// changed files can redo it.
pub fn assemble(
    config: SiteConfig,
    pages: Vec<SourcePage>,
    assets: Vec<String>,
    git: Option<&GitHistory>,
) -> (LoadedSite, Vec<Diagnostic>) {
    let (mut alignment, problems) = align::align(&pages);
    // Fingerprints only matter when some page is linked to no other.
    let fingerprints: Vec<Fingerprint> = if alignment.groups.iter().any(|g| g.is_unaligned()) {
        pages
            .par_iter()
            .map(|p| Fingerprint::of_markdown(&crate::read::page_body(p).unwrap_or_default()))
            .collect()
    } else {
        Vec::new()
    };
    let suggestions = suggest::suggest(&pages, &alignment, &fingerprints);
    if config.translations.apply_suggestions {
        suggest::apply(&pages, &mut alignment, &suggestions);
    }
    let word_counts = source_word_counts(&config, &pages, &fingerprints);
    let staleness = staleness::assess(
        &config.source_language,
        &pages,
        &alignment,
        &word_counts,
        git,
    );
    let fallbacks = fallback::plan(&config, &pages, &alignment, &staleness.sources);
    let updated = pages
        .iter()
        .map(|p| last_change(git, &p.file.path))
        .collect();
    let site = LoadedSite {
        config,
        pages,
        alignment,
        fingerprints,
        suggestions,
        staleness,
        fallbacks,
        assets,
        updated,
    };
    (site, problems)
}

/// Prints how long each stage took when `TOLK_TIMINGS` is set: the
/// benchmark's way to see where a build's time goes.
pub(crate) struct Stopwatch {
    started: Instant,
    /// A mutex, not a cell: the serve engine's stopwatch is reached from
    /// rendering threads.
    last: std::sync::Mutex<Instant>,
    enabled: bool,
}

impl Stopwatch {
    pub(crate) fn start() -> Stopwatch {
        let now = Instant::now();
        Stopwatch {
            started: now,
            last: std::sync::Mutex::new(now),
            enabled: std::env::var_os("TOLK_TIMINGS").is_some(),
        }
    }

    /// Prints how long `stage` took and how long since the start.
    pub(crate) fn lap(&self, stage: &str) {
        if self.enabled {
            let now = Instant::now();
            let ms = |since: Instant| (now - since).as_secs_f64() * 1000.0;
            let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
            eprintln!(
                "timing: {stage}: {:.1} ms (at {:.1} ms)",
                ms(*last),
                ms(self.started)
            );
            *last = now;
        }
    }
}

/// Words of each page in the source language (the others are not needed:
/// staleness compares translations with their source only).
fn source_word_counts(
    config: &SiteConfig,
    pages: &[SourcePage],
    fingerprints: &[Fingerprint],
) -> Vec<usize> {
    pages
        .par_iter()
        .enumerate()
        .map(|(index, page)| match fingerprints.get(index) {
            Some(fingerprint) => fingerprint.words,
            None if page.lang == config.source_language => {
                Fingerprint::of_markdown(&crate::read::page_body(page).unwrap_or_default()).words
            }
            None => 0,
        })
        .collect()
}

/// When a page last changed: its last commit when the content is in git,
/// else the file's modification time.
pub(crate) fn last_change(git: Option<&GitHistory>, path: &std::path::Path) -> i64 {
    if let Some(change) = git.and_then(|g| g.last_change(path)) {
        return change.time;
    }
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|time| time.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_secs() as i64)
}

pub fn read_content(
    config: &SiteConfig,
    options: ReadOptions,
) -> (Vec<SourcePage>, Vec<Diagnostic>) {
    let (files, mut problems) = discover::discover(config);
    let read_results: Vec<_> = files
        .into_par_iter()
        .map(|file| read::read_page(config, file, options))
        .collect();
    let mut pages = Vec::with_capacity(read_results.len());
    for (page, notes) in read_results {
        pages.extend(page);
        problems.extend(notes);
    }
    (pages, problems)
}

/// Pages of a dump, placed as `tolk import` would place them.
fn read_dump(
    config: &SiteConfig,
    dump: &std::path::Path,
    options: ReadOptions,
) -> (Vec<SourcePage>, Vec<Diagnostic>) {
    let plan = import::plan(config, dump, options);
    let mut problems = plan.diagnostics;
    problems.extend(plan.undecided.iter().map(|u| {
        Diagnostic::warning("left out: its language could not be told with confidence".to_string())
            .in_file(&u.source)
            .with_help(
                "add `lang:` to its front matter or put it in a folder named after its language",
            )
    }));
    (plan.pages.into_iter().map(|p| p.page).collect(), problems)
}

/// Builds the site. All problems are collected; the output is replaced only
/// when there are no errors (or with `keep_going`).
pub fn build(options: &BuildOptions) -> BuildReport {
    build_with_progress(options, &NoProgress)
}

/// [`build`], telling `progress` how rendering advances.
pub fn build_with_progress(options: &BuildOptions, progress: &dyn Progress) -> BuildReport {
    let started = Instant::now();
    let mut report = BuildReport::default();
    match load_site(options) {
        Ok((site, problems)) => {
            report.diagnostics = problems;
            render_and_write(&site, options, progress, &mut report);
        }
        Err(problems) => report.diagnostics = problems,
    }
    diagnostic::sort_and_dedup(&mut report.diagnostics);
    report.elapsed = started.elapsed();
    report
}

fn render_and_write(
    site: &LoadedSite,
    options: &BuildOptions,
    progress: &dyn Progress,
    report: &mut BuildReport,
) {
    let config = &site.config;
    let theme = match Theme::load(config) {
        Ok(theme) => theme,
        Err(problems) => return report.diagnostics.extend(problems),
    };
    report.diagnostics.extend(theme.warnings.iter().cloned());
    for page in &site.pages {
        *report
            .pages_per_language
            .entry(page.lang.clone())
            .or_default() += 1;
    }
    report.fallback_pages = site.fallbacks.len();
    let out = options
        .out
        .clone()
        .unwrap_or_else(|| config.output_dir.clone());
    let protected = [
        config.root.as_path(),
        config.content_dir.as_path(),
        &config.theme_dir(),
    ];
    let staging =
        match write::check_output_dir(&out, &protected).and_then(|()| Staging::begin(&out)) {
            Ok(staging) => staging,
            Err(problem) => return report.diagnostics.push(problem),
        };
    if let Err(problem) = copy_files(site, &theme, &staging) {
        return report.diagnostics.push(problem);
    }
    let clock = Stopwatch::start();
    let search = config.search.then(SearchIndexer::new);
    let view = SiteView::new(site, &theme)
        .with_search(search.as_ref())
        .with_progress(progress);
    let outcome = view.render_all(&|file| staging.write(&file.path, &file.contents));
    clock.lap("render and write");
    report.diagnostics.extend(outcome.problems);
    if let Some(indexer) = search {
        match indexer.finish() {
            Ok(bundle) => {
                report.diagnostics.extend(bundle.skipped.iter().map(|why| {
                    Diagnostic::warning(format!("left out of the search index: {why}"))
                }));
                for (path, contents) in &bundle.files {
                    if let Err(problem) = staging.write(path, contents) {
                        report.diagnostics.push(problem);
                    }
                }
            }
            Err(why) => report.diagnostics.push(
                Diagnostic::error(why)
                    .with_help("set `search = false` in tolk.toml to build without search"),
            ),
        }
        clock.lap("search index");
    }
    let in_titles: usize = site
        .pages
        .iter()
        .filter_map(|p| p.front.title.as_deref())
        .map(|t| crate::markdown::exl::strip_zero_width(t).1)
        .sum();
    report.zero_width_removed = outcome.zero_width_removed + in_titles;
    if report.errors() > 0 && !options.keep_going {
        return; // the staging folder removes itself; the previous output stays
    }
    match staging.commit() {
        Ok(()) => report.published_to = Some(out),
        Err(problem) => report.diagnostics.push(problem),
    }
    clock.lap("swap");
}

/// The theme's and site's static files, then the content folder's images.
fn copy_files(site: &LoadedSite, theme: &Theme, staging: &Staging) -> Result<(), Diagnostic> {
    for dir in &theme.static_dirs {
        staging.copy_tree(dir)?;
    }
    site.assets
        .par_iter()
        .try_for_each(|asset| staging.copy(asset, &site.config.content_dir.join(asset)))
}
