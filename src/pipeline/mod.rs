//! Runs the stages in order for `tolk build`, `tolk report` and `tolk serve`:
//!
//! 1. [`load_site`]: read the config, discover and read the pages (or place
//!    a dump's), align them and work out what follows ([`align::assemble`]);
//! 2. load the theme;
//! 3. write the site: copy static files and images, render the pages into a
//!    staging folder as they come (`write_pages`), then the pages every
//!    site has and the files for machines (`write_site_wide`), the search
//!    index, and swap the staging folder in.
//!
//! `tolk serve` keeps what a build made (`Built`) and runs the same
//! steps again for the pages a change touches (`serve::rebuild`).

mod report;
mod stopwatch;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use crate::align::{self, histories::Histories};
use crate::discover;
use crate::feeds;
use crate::import;
use crate::markdown::exl;
use crate::model::diagnostic;
use crate::model::{Diagnostic, LoadedSite, OutputFile, ReadOptions, SiteConfig, SourcePage};
use crate::read;
use crate::render::theme::Theme;
use crate::render::{NoProgress, PageKind, Progress, SiteView};
use crate::search::{self, SearchIndexer};
use crate::write::{self, SiteFolder, Staging};

pub use report::BuildReport;
pub(crate) use stopwatch::Stopwatch;

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
    /// Build only the pages of these languages (tags as configured), for a
    /// build sharded by language; empty for all.
    pub languages: Vec<String>,
}

/// What a build made and later rebuilds start from.
pub(crate) struct Built {
    pub(crate) site: LoadedSite,
    pub(crate) theme: Theme,
    /// What aligning the pages found (duplicate ids and such), apart from
    /// the problems of single files: a rebuild that does not align again
    /// reports them again.
    pub(crate) alignment_problems: Vec<Diagnostic>,
    /// The content folder's history, read once.
    pub(crate) histories: Histories,
    /// The search index of the pages written, when the site has search
    /// and every language was built.
    pub(crate) search: Option<SearchIndexer>,
}

/// The site read and aligned, with the problems of reading single files
/// and those of aligning them.
pub(crate) struct Loaded {
    pub(crate) site: LoadedSite,
    pub(crate) reading_problems: Vec<Diagnostic>,
    pub(crate) alignment_problems: Vec<Diagnostic>,
    pub(crate) histories: Histories,
}

/// Discovers, reads and aligns the pages, and works out what is stale,
/// suggested and missing. Problems with single pages are returned beside
/// the site; only a broken config stops here.
pub fn load_site(options: &BuildOptions) -> Result<(LoadedSite, Vec<Diagnostic>), Vec<Diagnostic>> {
    let mut loaded = load(options)?;
    loaded
        .reading_problems
        .append(&mut loaded.alignment_problems);
    Ok((loaded.site, loaded.reading_problems))
}

pub(crate) fn load(options: &BuildOptions) -> Result<Loaded, Vec<Diagnostic>> {
    let clock = Stopwatch::start();
    let mut config = SiteConfig::load(&options.root)?;
    let (pages, reading_problems, assets, parts) = match &options.content {
        Some(dump) => {
            config.content_dir = dump.clone();
            let (pages, problems) = read_dump(&config, dump, options.read);
            (pages, problems, Vec::new(), Vec::new())
        }
        None => {
            let (pages, problems) = read::read_content(&config, options.read);
            let parts = read::read_parts(&config, options.read);
            (pages, problems, discover::assets(&config), parts)
        }
    };
    clock.lap("discover and read");
    let histories = Histories::open(&config);
    let (site, alignment_problems) = align::assemble(config, pages, assets, parts, &histories);
    clock.lap("align, staleness and fallbacks");
    Ok(Loaded {
        site,
        reading_problems,
        alignment_problems,
        histories,
    })
}

/// Pages of a dump, placed as `tolk import` would place them.
fn read_dump(
    config: &SiteConfig,
    dump: &Path,
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
    build_site(options, progress).0
}

/// [`build`], and what it made when the site and theme loaded.
pub(crate) fn build_site(
    options: &BuildOptions,
    progress: &dyn Progress,
) -> (BuildReport, Option<Built>) {
    let started = Instant::now();
    let mut report = BuildReport::default();
    let built = match load(options) {
        Ok(loaded) => {
            report.diagnostics = loaded.reading_problems;
            report
                .diagnostics
                .extend(loaded.alignment_problems.iter().cloned());
            match Theme::load(&loaded.site.config) {
                Ok(theme) => {
                    let search = publish(&loaded.site, &theme, options, progress, &mut report);
                    Some(Built {
                        site: loaded.site,
                        theme,
                        alignment_problems: loaded.alignment_problems,
                        histories: loaded.histories,
                        search,
                    })
                }
                Err(problems) => {
                    report.diagnostics.extend(problems);
                    None
                }
            }
        }
        Err(problems) => {
            report.diagnostics = problems;
            None
        }
    };
    diagnostic::sort_and_dedup(&mut report.diagnostics);
    report.elapsed = started.elapsed();
    (report, built)
}

/// Writes the whole site into a staging folder and swaps it in, unless an
/// error was found (and `keep_going` not asked). Returns the search index
/// the pages went into.
fn publish(
    site: &LoadedSite,
    theme: &Theme,
    options: &BuildOptions,
    progress: &dyn Progress,
    report: &mut BuildReport,
) -> Option<SearchIndexer> {
    let config = &site.config;
    if let Some(problem) = unknown_language(config, &options.languages) {
        report.diagnostics.push(problem);
        return None;
    }
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
            Err(problem) => {
                report.diagnostics.push(problem);
                return None;
            }
        };
    if let Err(problem) = write::copy_unrendered(
        &staging,
        &config.root,
        &theme.static_dirs,
        &config.content_dir,
        &site.assets,
    ) {
        report.diagnostics.push(problem);
        return None;
    }
    let clock = Stopwatch::start();
    // A shard's index would know only its own languages: the index of a
    // sharded site is made once the shards are together (`tolk index`).
    let mut search = (config.search && options.languages.is_empty()).then(SearchIndexer::new);
    let view = SiteView::new(site, theme).only_languages(&options.languages);
    let pages = write_pages(&view, &staging, &|_, _| true, search.as_ref(), progress);
    let site_wide = write_site_wide(&view, site, &staging);
    clock.lap("render and write");
    report.diagnostics.extend(pages.problems);
    report.diagnostics.extend(site_wide.problems);
    if let Some(indexer) = &mut search {
        write_search_index(indexer, &staging, &mut report.diagnostics);
        clock.lap("search index");
    }
    let in_titles: usize = site
        .pages
        .iter()
        .filter_map(|p| p.front.title.as_deref())
        .map(|t| exl::strip_zero_width(t).1)
        .sum();
    report.zero_width_removed = pages.zero_width_removed + in_titles;
    if report.errors() > 0 && !options.keep_going {
        return None; // the staging folder removes itself; the previous output stays
    }
    match staging.commit() {
        Ok(()) => report.published_to = Some(out),
        Err(problem) => report.diagnostics.push(problem),
    }
    clock.lap("swap");
    search
}

/// What `index_output` indexed.
#[derive(Debug)]
pub struct IndexReport {
    /// Pages in the index of each language (`html lang`, lowercase).
    pub languages: std::collections::BTreeMap<String, usize>,
    /// Files of the bundle written (unchanged ones are left alone).
    pub files_written: usize,
    /// Pages left out of the index, with the reason.
    pub warnings: Vec<Diagnostic>,
}

/// Makes the search index of a site already written to its output folder
/// (`out`, or the config's `output_dir`), from the pages there: the index
/// of a site built in shards (`languages`) and put together. It is the one
/// a whole build would have made.
pub fn index_output(options: &BuildOptions) -> Result<IndexReport, Vec<Diagnostic>> {
    let config = SiteConfig::load(&options.root)?;
    let out = options.out.clone().unwrap_or(config.output_dir);
    if !out.join("index.html").is_file() {
        return Err(vec![
            Diagnostic::error(format!("{} holds no built site", out.display()))
                .with_help("build it first: `tolk build`, or each shard with `--lang`"),
        ]);
    }
    let fail = |why: String| vec![Diagnostic::error(why)];
    let bundle = search::index_folder(&out).map_err(fail)?;
    let written = &mut search::WrittenBundle::default();
    let files_written = bundle.replace_in(&out, written).map_err(|err| {
        fail(format!(
            "cannot write the search index into {}: {err}",
            out.display()
        ))
    })?;
    Ok(IndexReport {
        languages: bundle.languages,
        files_written,
        warnings: bundle
            .skipped
            .iter()
            .map(|why| Diagnostic::warning(format!("left out of the search index: {why}")))
            .collect(),
    })
}

/// An error for the first language asked for that the site does not have.
fn unknown_language(config: &SiteConfig, asked: &[String]) -> Option<Diagnostic> {
    let unknown = asked.iter().find(|tag| config.language(tag).is_none())?;
    let known: Vec<&str> = config.languages.iter().map(|l| l.tag.as_str()).collect();
    Some(
        Diagnostic::error(format!("--lang {unknown}: the site has no such language"))
            .with_help(format!("its languages are {}", known.join(", "))),
    )
}

fn write_search_index(
    indexer: &mut SearchIndexer,
    folder: &dyn SiteFolder,
    problems: &mut Vec<Diagnostic>,
) {
    // A file that cannot be written is reported as any page would be.
    let failed = std::sync::Mutex::new(Vec::new());
    let write = |path: &str, contents: &[u8]| {
        if let Err(problem) = folder.write(path, contents) {
            failed
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(problem);
        }
    };
    let written = indexer.write_with(&write);
    problems.extend(failed.into_inner().unwrap_or_else(|e| e.into_inner()));
    match written {
        Ok(indexed) => problems.extend(
            indexed
                .skipped
                .iter()
                .map(|why| Diagnostic::warning(format!("left out of the search index: {why}"))),
        ),
        Err(why) => problems.push(
            Diagnostic::error(why)
                .with_help("set `search = false` in tolk.toml to build without search"),
        ),
    }
}

/// What writing a part of the site did.
pub(crate) struct Written {
    pub(crate) problems: Vec<Diagnostic>,
    /// Zero-width spaces removed from link texts, alt texts and headings.
    pub(crate) zero_width_removed: usize,
    /// Files whose bytes changed.
    pub(crate) changed: usize,
    /// The paths of the HTML files among them, when asked for (site-wide
    /// files only: a site has few of them).
    pub(crate) changed_html_paths: Vec<String>,
}

/// Renders the pages whose content page passes `wanted` (and the fallbacks
/// showing them) into `folder`, handing real translations to `search`.
pub(crate) fn write_pages(
    view: &SiteView<'_>,
    folder: &dyn SiteFolder,
    wanted: &(dyn Fn(usize, &str) -> bool + Sync),
    search: Option<&SearchIndexer>,
    progress: &dyn Progress,
) -> Written {
    let counts = ChangeCounter::default();
    let outcome = view.render_pages(wanted, progress, &|file, kind| {
        match (search, kind) {
            (Some(indexer), PageKind::Translation) => indexer.add_page(&file.path, &file.contents),
            // A page that showed its own text before (`tolk serve`).
            (Some(indexer), _) => indexer.forget_page(&file.path),
            (None, _) => {}
        }
        counts.write(folder, file)
    });
    counts.into_written(outcome.problems, outcome.zero_width_removed)
}

/// The pages every site has (homes, root, 404 pages, status page,
/// redirects) and the files for machines (sitemap, robots.txt, feeds);
/// the paths of the HTML files that changed are kept.
pub(crate) fn write_site_wide(
    view: &SiteView<'_>,
    site: &LoadedSite,
    folder: &dyn SiteFolder,
) -> Written {
    let counts = ChangeCounter {
        html_paths: Some(std::sync::Mutex::default()),
        ..ChangeCounter::default()
    };
    let mut problems = Vec::new();
    let mut write = |file: Result<OutputFile, Diagnostic>| {
        if let Err(problem) = file.and_then(|file| counts.write(folder, &file)) {
            problems.push(problem);
        }
    };
    view.site_pages(&mut write);
    for file in feeds::files(site, &|tag| view.renders_language(tag)) {
        write(Ok(file));
    }
    counts.into_written(problems, 0)
}

/// Counts the files whose bytes changed as they are written.
#[derive(Default)]
struct ChangeCounter {
    changed: AtomicUsize,
    /// `Some` to keep the paths of the changed HTML files.
    html_paths: Option<std::sync::Mutex<Vec<String>>>,
}

impl ChangeCounter {
    fn write(&self, folder: &dyn SiteFolder, file: &OutputFile) -> Result<(), Diagnostic> {
        if folder.write(&file.path, &file.contents)? {
            self.changed.fetch_add(1, Ordering::Relaxed);
            if let Some(paths) = self
                .html_paths
                .as_ref()
                .filter(|_| file.path.ends_with(".html"))
            {
                paths
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(file.path.clone());
            }
        }
        Ok(())
    }

    fn into_written(self, problems: Vec<Diagnostic>, zero_width_removed: usize) -> Written {
        Written {
            problems,
            zero_width_removed,
            changed: self.changed.into_inner(),
            changed_html_paths: self
                .html_paths
                .map(|paths| paths.into_inner().unwrap_or_else(|e| e.into_inner()))
                .unwrap_or_default(),
        }
    }
}
