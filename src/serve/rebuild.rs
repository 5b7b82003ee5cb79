//! Rebuilds for `tolk serve`: after a change, re-read only the changed
//! files, re-align (cheap), and re-render only what the change touches:
//! the edited pages and the fallbacks showing them, plus the site-wide files
//! (homes, status page, sitemap, feeds). A change to a page's place in the
//! site (added, removed, renamed, new title, language, ids or weight)
//! re-renders every page, and a change to the config, templates, theme,
//! UI strings or static files rebuilds everything. Files are rewritten in
//! place, each atomically, and only when their bytes changed; the output
//! always equals what a full build would write.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::align::history::GitHistory;
use crate::align::suggest;
use crate::discover;
use crate::model::CONFIG_FILE;
use crate::model::Diagnostic;
use crate::model::Fingerprint;
use crate::model::LoadedSite;
use crate::model::OutputFile;
use crate::model::SourcePage;
use crate::pipeline::{self, BuildOptions, BuildReport};
use crate::read;
use crate::render::SiteView;
use crate::render::theme::Theme;

/// What one rebuild did.
#[derive(Debug, Default)]
pub struct Rebuild {
    pub files_written: usize,
    pub diagnostics: Vec<Diagnostic>,
    pub elapsed: Duration,
    /// Everything was rebuilt (config, theme or the site's structure changed).
    pub full: bool,
    /// The pages were aligned again, and staleness and fallbacks worked out
    /// again. An edit of the text of translated pages only does not need it.
    pub realigned: bool,
    /// `ready` was called (the edited pages were complete in the output
    /// folder) and no HTML file changed after that.
    pub reloaded_early: bool,
}

impl Rebuild {
    pub fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }
}

/// The site as last built, kept in memory between rebuilds.
pub struct IncrementalSite {
    options: BuildOptions,
    out: PathBuf,
    site: LoadedSite,
    theme: Theme,
    git: Option<GitHistory>,
    /// Every path the last build wrote, relative to the output folder.
    produced: HashSet<String>,
    /// What the last alignment found (duplicate ids and such): reported
    /// again by rebuilds that do not align again.
    assembly_problems: Vec<Diagnostic>,
    /// Times the stages of the rebuild under way (printed with
    /// `TOLK_TIMINGS` set, as for builds).
    clock: pipeline::Stopwatch,
}

impl IncrementalSite {
    /// A full build into `out`, then the state later rebuilds start from.
    pub fn start(
        options: BuildOptions,
        out: PathBuf,
    ) -> Result<(IncrementalSite, BuildReport), BuildReport> {
        let options = BuildOptions {
            out: Some(out.clone()),
            keep_going: true,
            ..options
        };
        let report = pipeline::build(&options);
        let Ok((site, theme, assembly_problems)) = load(&options) else {
            return Err(report);
        };
        let git = GitHistory::load(&site.config.content_dir);
        let produced = files_under(&out);
        Ok((
            IncrementalSite {
                options,
                out,
                site,
                theme,
                git,
                produced,
                assembly_problems,
                clock: pipeline::Stopwatch::start(),
            },
            report,
        ))
    }

    pub fn output_dir(&self) -> &Path {
        &self.out
    }

    pub fn site(&self) -> &LoadedSite {
        &self.site
    }

    /// Folders and files whose changes matter.
    pub fn watched(&self) -> Vec<PathBuf> {
        let root = &self.site.config.root;
        let mut paths = vec![root.join(CONFIG_FILE), self.site.config.content_dir.clone()];
        for folder in ["templates", "static", "i18n"] {
            paths.push(root.join(folder));
        }
        paths.push(self.site.config.theme_dir());
        paths
    }

    /// Rebuilds after `changed` files (which may no longer exist).
    pub fn rebuild(&mut self, changed: &[PathBuf]) -> Rebuild {
        self.rebuild_early(changed, &|| {})
    }

    /// Like [`IncrementalSite::rebuild`], and calls `ready` once the pages
    /// an edit touches are written, before the site-wide files (homes,
    /// status page, sitemap, feeds, search index), when no error was found
    /// by then. Only edits that leave the site's structure as it was call it.
    pub fn rebuild_early(&mut self, changed: &[PathBuf], ready: &(dyn Fn() + Sync)) -> Rebuild {
        let started = Instant::now();
        self.clock = pipeline::Stopwatch::start();
        let mut rebuild = if changed.iter().any(|path| self.is_site_wide(path)) {
            self.rebuild_everything()
        } else {
            self.rebuild_content(changed, ready)
        };
        crate::model::diagnostic::sort_and_dedup(&mut rebuild.diagnostics);
        rebuild.elapsed = started.elapsed();
        self.lap("done");
        rebuild
    }

    /// Config, templates, theme, UI strings and static files touch every page.
    fn is_site_wide(&self, path: &Path) -> bool {
        let config = &self.site.config;
        let root = &config.root;
        path == root.join(CONFIG_FILE)
            || ["templates", "static", "i18n"]
                .iter()
                .any(|f| path.starts_with(root.join(f)))
            || path.starts_with(config.theme_dir())
    }

    fn rebuild_everything(&mut self) -> Rebuild {
        let report = pipeline::build(&self.options);
        let mut rebuild = Rebuild {
            diagnostics: report.diagnostics,
            full: true,
            ..Rebuild::default()
        };
        match load(&self.options) {
            Ok((site, theme, assembly_problems)) => {
                self.site = site;
                self.theme = theme;
                self.assembly_problems = assembly_problems;
                self.produced = files_under(&self.out);
                rebuild.files_written = self.produced.len();
                rebuild.realigned = true;
            }
            Err(problems) => rebuild.diagnostics.extend(problems),
        }
        rebuild
    }

    fn rebuild_content(&mut self, changed: &[PathBuf], ready: &(dyn Fn() + Sync)) -> Rebuild {
        let config = self.site.config.clone();
        let changed_pages: BTreeSet<PathBuf> = changed
            .iter()
            .filter(|p| p.starts_with(&config.content_dir))
            .cloned()
            .collect();
        let (fresh, mut diagnostics) = self.read_changed(&changed_pages);
        self.lap("changed files read");
        if diagnostics.iter().any(Diagnostic::is_error) {
            // The last good build keeps being served until the next good save.
            return Rebuild {
                diagnostics,
                ..Rebuild::default()
            };
        }
        if let Some(indices) = self.text_only(&changed_pages, &fresh) {
            self.lap("text-only edit: pages swapped in");
            // Nothing the alignment looks at changed: swap the pages in.
            for (&index, page) in indices.iter().zip(fresh) {
                self.site.updated[index] =
                    pipeline::last_change(self.git.as_ref(), &page.file.path);
                self.site.pages[index] = page;
            }
            diagnostics.extend(self.assembly_problems.iter().cloned());
            let wanted: HashSet<usize> = indices.into_iter().collect();
            let (written, reloaded_early) = self.render(&wanted, false, &mut diagnostics, ready);
            return Rebuild {
                files_written: written,
                diagnostics,
                reloaded_early,
                ..Rebuild::default()
            };
        }
        let mut pages: Vec<SourcePage> = std::mem::take(&mut self.site.pages);
        let before: HashMap<PathBuf, Signature> = pages
            .iter()
            .filter(|p| changed_pages.contains(&p.file.path))
            .map(|p| (p.file.path.clone(), Signature::of(p)))
            .collect();
        pages.retain(|page| !changed_pages.contains(&page.file.path));
        let after: HashMap<PathBuf, Signature> = fresh
            .iter()
            .map(|p| (p.file.path.clone(), Signature::of(p)))
            .collect();
        pages.extend(fresh);
        pages.sort_by(|a, b| a.file.path.cmp(&b.file.path));
        let structural = before != after;
        let assets = discover::assets(&config);
        let (site, problems) = pipeline::assemble(config, pages, assets, self.git.as_ref());
        self.lap("aligned again");
        self.assembly_problems = problems.clone();
        diagnostics.extend(problems);
        self.site = site;
        let wanted: HashSet<usize> = if structural {
            (0..self.site.pages.len()).collect()
        } else {
            (0..self.site.pages.len())
                .filter(|&i| changed_pages.contains(&self.site.pages[i].file.path))
                .collect()
        };
        let (written, reloaded_early) = self.render(&wanted, structural, &mut diagnostics, ready);
        Rebuild {
            files_written: written,
            diagnostics,
            full: structural,
            realigned: true,
            reloaded_early,
            ..Rebuild::default()
        }
    }

    /// The indices of the changed pages when every changed path is a page
    /// that was there before and is still there, and only its text changed
    /// (same language, path, title and front matter), in ways the alignment
    /// does not see: the words of a source-language page are as many as
    /// before (their count makes translations stale), and when some pages
    /// are unaligned (matched to others by their text), the suggestions stay
    /// the same and are not applied. The alignment, the staleness and the
    /// fallbacks then stay as they are. The fingerprints of the changed pages
    /// may be updated even when the answer is `None`; the slower path makes
    /// all of them again.
    fn text_only(
        &mut self,
        changed: &BTreeSet<PathBuf>,
        fresh: &[SourcePage],
    ) -> Option<Vec<usize>> {
        let site = &mut self.site;
        if fresh.len() != changed.len() {
            return None;
        }
        let mut indices = Vec::with_capacity(fresh.len());
        for page in fresh {
            let index = site
                .pages
                .iter()
                .position(|old| old.file.path == page.file.path)?;
            let old = &site.pages[index];
            let same = old.lang == page.lang
                && old.file.logical_path == page.file.logical_path
                && old.title == page.title
                && old.front == page.front;
            if !same {
                return None;
            }
            indices.push(index);
        }
        let fingerprinted = !site.fingerprints.is_empty();
        if fingerprinted && site.config.translations.apply_suggestions {
            return None;
        }
        for (&index, page) in indices.iter().zip(fresh) {
            let source = page.lang == site.config.source_language;
            if !source && !fingerprinted {
                continue;
            }
            let fingerprint = Fingerprint::of_markdown(&crate::read::page_body(page).ok()?);
            if source {
                let counted = site
                    .staleness
                    .sources
                    .iter()
                    .find(|s| s.page == Some(index))
                    .and_then(|s| s.wordcount);
                if counted != Some(fingerprint.words as u64) {
                    return None;
                }
            }
            if fingerprinted {
                site.fingerprints[index] = fingerprint;
            }
        }
        if fingerprinted
            && suggest::suggest(&site.pages, &site.alignment, &site.fingerprints)
                != site.suggestions
        {
            return None;
        }
        Some(indices)
    }

    /// Reads the changed page files that still exist.
    fn read_changed(&self, changed: &BTreeSet<PathBuf>) -> (Vec<SourcePage>, Vec<Diagnostic>) {
        let config = &self.site.config;
        let mut pages = Vec::new();
        let mut diagnostics = Vec::new();
        for path in changed.iter().filter(|p| p.is_file()) {
            match discover::source_file(config, path) {
                Some(Ok(file)) => {
                    let (page, notes) = read::read_page(config, file, self.options.read);
                    diagnostics.extend(notes);
                    pages.extend(page);
                }
                Some(Err(problem)) => diagnostics.push(problem),
                None => {}
            }
        }
        (pages, diagnostics)
    }

    /// Renders the wanted pages and the site-wide files into the output
    /// folder. After a structural change, files no build would write any
    /// more are removed. Otherwise `ready` is called as soon as the wanted
    /// pages (and the fallbacks showing them) are written, when no error was
    /// found before; the second value is true when it was, and no HTML
    /// file changed after.
    fn render(
        &mut self,
        wanted: &HashSet<usize>,
        structural: bool,
        diagnostics: &mut Vec<Diagnostic>,
        ready: &(dyn Fn() + Sync),
    ) -> (usize, bool) {
        let view = SiteView::new(&self.site, &self.theme);
        self.lap("site view made");
        // The pages come first, in any order, then the site-wide files.
        let pages_due = if structural || diagnostics.iter().any(Diagnostic::is_error) {
            usize::MAX
        } else {
            wanted.len()
                + self
                    .site
                    .fallbacks
                    .iter()
                    .filter(|f| wanted.contains(&f.reference))
                    .count()
        };
        let pages_done = AtomicUsize::new(0);
        let html_after_ready = AtomicBool::new(false);
        let written = std::sync::Mutex::new(Vec::new());
        let sink = |file: &OutputFile| -> Result<(), Diagnostic> {
            let changed = write_if_changed(&self.out.join(&file.path), &file.contents)?;
            if let Ok(mut written) = written.lock() {
                written.push((file.path.clone(), changed));
            }
            let done = pages_done.fetch_add(1, Ordering::SeqCst);
            if done >= pages_due && changed && file.path.ends_with(".html") {
                html_after_ready.store(true, Ordering::SeqCst);
            }
            if done + 1 == pages_due {
                self.lap("edited pages written, browsers told");
                ready();
            }
            Ok(())
        };
        let outcome = view.render_selected(&|page| wanted.contains(&page), &sink);
        self.lap("pages and site-wide files written");
        diagnostics.extend(outcome.problems);
        let written = written.into_inner().unwrap_or_default();
        if structural {
            self.copy_assets(diagnostics);
            let mut now: HashSet<String> = written.iter().map(|(path, _)| path.clone()).collect();
            now.extend(self.static_and_asset_paths());
            for stale in self.produced.difference(&now) {
                // The search bundle is replaced whole below.
                if !stale.starts_with(&format!("{}/", crate::search::BUNDLE_DIR)) {
                    let _ = std::fs::remove_file(self.out.join(stale));
                }
            }
            self.produced = now;
        }
        let mut count = written.iter().filter(|(_, changed)| *changed).count();
        // The search index covers every page, not only the re-rendered ones:
        // it is made again from the pages now in the output folder.
        if self.site.config.search {
            let replaced = crate::search::index_folder(&self.out)
                .and_then(|bundle| bundle.replace_in(&self.out).map_err(|e| e.to_string()));
            match replaced {
                Ok(files) => count += files,
                Err(why) => diagnostics.push(Diagnostic::error(why)),
            }
        }
        let called = pages_due != usize::MAX && pages_done.into_inner() >= pages_due;
        (count, called && !html_after_ready.into_inner())
    }

    /// With `TOLK_TIMINGS` set, prints when a stage of the rebuild ended.
    fn lap(&self, stage: &str) {
        self.clock.lap(&format!("rebuild: {stage}"));
    }

    fn copy_assets(&self, diagnostics: &mut Vec<Diagnostic>) {
        for asset in &self.site.assets {
            let from = self.site.config.content_dir.join(asset);
            if let Ok(bytes) = std::fs::read(&from)
                && let Err(problem) = write_if_changed(&self.out.join(asset), &bytes)
            {
                diagnostics.push(problem);
            }
        }
    }

    fn static_and_asset_paths(&self) -> Vec<String> {
        let mut paths: Vec<String> = self.site.assets.clone();
        for dir in &self.theme.static_dirs {
            for file in files_under(dir) {
                paths.push(file);
            }
        }
        paths
    }
}

/// The site as a build loads it, its theme, and the problems its alignment
/// alone found (the site is aligned once more for them: `load_site` reports
/// them mixed with every page's reading problems).
fn load(options: &BuildOptions) -> Result<(LoadedSite, Theme, Vec<Diagnostic>), Vec<Diagnostic>> {
    let (loaded, _) = pipeline::load_site(options)?;
    let theme = Theme::load(&loaded.config)?;
    let git = GitHistory::load(&loaded.config.content_dir);
    let (site, problems) =
        pipeline::assemble(loaded.config, loaded.pages, loaded.assets, git.as_ref());
    Ok((site, theme, problems))
}

/// What places a page in the site: when it changes, other pages change too
/// (switchers, navigation, links).
#[derive(Debug, PartialEq, Eq)]
struct Signature {
    lang: String,
    logical_path: String,
    title: String,
    exl_id: Option<String>,
    translation_key: Option<String>,
    weight: Option<String>,
}

impl Signature {
    fn of(page: &SourcePage) -> Signature {
        Signature {
            lang: page.lang.clone(),
            logical_path: page.file.logical_path.clone(),
            title: page.title.clone(),
            exl_id: page.front.exl_id.clone(),
            translation_key: page.front.translation_key.clone(),
            weight: page.front.all.get("weight").map(|w| w.to_string()),
        }
    }
}

/// Writes through a temporary file and a rename, so a reader (the server)
/// never sees half a file; returns whether the bytes changed.
fn write_if_changed(target: &Path, bytes: &[u8]) -> Result<bool, Diagnostic> {
    if std::fs::read(target).is_ok_and(|old| old == bytes) {
        return Ok(false);
    }
    let error =
        |e: std::io::Error| Diagnostic::error(format!("cannot write {}: {e}", target.display()));
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent).map_err(error)?;
    }
    let temporary = target.with_extension("tolk-partial");
    std::fs::write(&temporary, bytes).map_err(error)?;
    std::fs::rename(&temporary, target).map_err(error)?;
    Ok(true)
}

/// Paths of all files under `dir`, relative to it, `/` separated.
fn files_under(dir: &Path) -> HashSet<String> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            let relative = e.path().strip_prefix(dir).ok()?;
            Some(
                relative
                    .iter()
                    .map(|p| p.to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/"),
            )
        })
        .collect()
}
