//! Rebuilds for `tolk serve`, made of the build's own steps: after a
//! change, read only the changed files, align again when what they change
//! is read by the alignment, and render only the pages the change reaches
//! ([`SourcePage::reach_of_change`], derived from the typed model), plus
//! the pages every site has and the files for machines. A change to the
//! config, templates, theme, UI strings or static files builds everything
//! again. Files are rewritten in place, each atomically, and only when their
//! bytes changed; the output always equals what a full build would write.

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::align::{self, suggest};
use crate::discover;
use crate::model::page::Reach;
use crate::model::{Diagnostic, Fingerprint, LoadedSite, SourcePage};
use crate::pipeline::{self, BuildOptions, BuildReport, Built, Stopwatch};
use crate::read;
use crate::render::{NoProgress, SiteIndex, SiteView};
use crate::search;
use crate::write::{self, InPlace};

/// What one rebuild did.
#[derive(Debug, Default)]
pub struct Rebuild {
    pub files_written: usize,
    pub diagnostics: Vec<Diagnostic>,
    pub elapsed: Duration,
    /// Every page was rendered again (the config, the theme or the site's
    /// structure changed).
    pub full: bool,
    /// The pages were aligned again, and staleness and fallbacks worked out
    /// again. An edit of the text of translated pages only does not need it.
    pub realigned: bool,
    /// `ready` was called: the edited pages were complete in the output
    /// folder.
    pub reloaded_early: bool,
    /// The HTML files (paths under the output folder) that changed after
    /// `ready` was called: homes, lists and status pages showing a title.
    pub html_after_ready: Vec<String>,
    /// Pages the search index read again: those whose indexed text the
    /// rebuild changed (every page when it made the index again).
    pub search_pages_read: usize,
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
    built: Built,
    folder: InPlace,
    /// Every path in the output folder after the last full render.
    produced: HashSet<String>,
    /// Times the stages of the rebuild under way (printed with
    /// `TOLK_TIMINGS` set, as for builds).
    clock: Stopwatch,
    /// The search index of the pages as last written, kept so that a
    /// rebuild reads again only the pages whose text it changed, and
    /// writes again only the files of their languages; `None` without
    /// search.
    search: Option<search::SearchIndexer>,
    /// What the search index last wrote into the output folder.
    search_written: search::WrittenBundle,
    /// The last rebuild failed: what it read or wrote in part is not to be
    /// built on, so the next one builds everything.
    failed: bool,
    /// URLs, lookups and navigation of the site as it stands, kept across
    /// edits of a page's text; `None` after a failed full rebuild (made
    /// again at the next edit).
    index: Option<Arc<SiteIndex>>,
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
        let (report, built) = pipeline::build_site(&options, &NoProgress);
        let Some(mut built) = built.filter(|_| report.published_to.is_some()) else {
            return Err(report);
        };
        let search = built.search.take();
        // Made now rather than at the first edit, which should be quick.
        let index = Some(Arc::new(SiteIndex::of(&built.site)));
        let site = IncrementalSite {
            index,
            produced: discover::files_under(&out).into_iter().collect(),
            folder: InPlace::new(&out),
            options,
            out,
            built,
            clock: Stopwatch::start(),
            search,
            search_written: search::WrittenBundle::default(),
            failed: false,
        };
        Ok((site, report))
    }

    pub fn output_dir(&self) -> &Path {
        &self.out
    }

    pub fn site(&self) -> &LoadedSite {
        &self.built.site
    }

    /// Files and folders whose changes matter.
    pub fn watched(&self) -> Vec<PathBuf> {
        self.built.site.config.sources()
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
        self.clock = Stopwatch::start();
        let site_wide = self.built.site.config.site_wide_sources();
        let config = &self.built.site.config;
        // Parts (TOC.md, `_includes/`) reach every page that shows them.
        let mut rebuild = if self.failed
            || changed.iter().any(|path| {
                site_wide.iter().any(|source| path.starts_with(source))
                    || discover::is_part(config, path)
            }) {
            self.rebuild_everything()
        } else {
            self.rebuild_content(changed, ready)
        };
        crate::model::diagnostic::sort_and_dedup(&mut rebuild.diagnostics);
        // A save during the rebuild (a storm of saves, a checkout) can fail
        // it after some pages were swapped in or written.
        self.failed = rebuild.errors() > 0;
        rebuild.elapsed = started.elapsed();
        self.lap("done");
        rebuild
    }

    fn rebuild_everything(&mut self) -> Rebuild {
        self.index = None;
        let (report, built) = pipeline::build_site(&self.options, &NoProgress);
        let mut rebuild = Rebuild {
            diagnostics: report.diagnostics,
            full: true,
            ..Rebuild::default()
        };
        if let (Some(mut built), Some(_)) = (built, report.published_to) {
            self.search = built.search.take();
            self.search_written = search::WrittenBundle::default();
            self.built = built;
            // Made now rather than at the next edit, which should be quick.
            self.index = Some(Arc::new(SiteIndex::of(&self.built.site)));
            self.produced = discover::files_under(&self.out).into_iter().collect();
            rebuild.files_written = self.produced.len();
            rebuild.realigned = true;
            rebuild.search_pages_read = self.search.as_ref().map_or(0, |s| s.pages_read());
        }
        rebuild
    }

    fn rebuild_content(&mut self, changed: &[PathBuf], ready: &(dyn Fn() + Sync)) -> Rebuild {
        let content_dir = self.built.site.config.content_dir.clone();
        let changed: BTreeSet<PathBuf> = changed
            .iter()
            .filter(|p| p.starts_with(&content_dir))
            .cloned()
            .collect();
        let (fresh, mut diagnostics) = self.read_changed(&changed);
        self.lap("changed files read");
        if diagnostics.iter().any(Diagnostic::is_error) {
            // The last good build keeps being served until the next good save.
            return Rebuild {
                diagnostics,
                ..Rebuild::default()
            };
        }
        let reach = self.reach(&changed, &fresh);
        let before = self
            .index
            .take()
            .unwrap_or_else(|| Arc::new(SiteIndex::of(&self.built.site)));
        let mut rebuild = Rebuild::default();
        let (wanted, index) = match reach {
            Some((Reach::Page, indices)) => {
                self.swap_in(&indices, fresh);
                self.lap("page edit: pages swapped in");
                // Nothing another page shows changed: the same URLs and
                // navigation, and only the page itself to render.
                (Wanted::pages(indices), before)
            }
            Some((Reach::Section, indices)) => {
                self.swap_in(&indices, fresh);
                diagnostics.extend(self.built.alignment_problems.iter().cloned());
                let after = Arc::new(SiteIndex::of(&self.built.site));
                self.lap("title edit: pages swapped in, navigation made again");
                (self.showing_titles(&indices, &before, &after), after)
            }
            _ => {
                let groups_before = self.groups_of(&changed);
                self.realign(&changed, fresh, &mut diagnostics);
                rebuild.realigned = true;
                rebuild.full = reach.is_none_or(|(reach, _)| reach == Reach::Site);
                let wanted = if rebuild.full {
                    Wanted::pages(0..self.built.site.pages.len())
                } else {
                    Wanted::pages(self.pages_in_groups(&groups_before, &changed))
                };
                (wanted, Arc::new(SiteIndex::of(&self.built.site)))
            }
        };
        let rendered = self.render(&wanted, index, rebuild.full, &mut diagnostics, ready);
        rebuild.files_written = rendered.files_written;
        rebuild.search_pages_read = rendered.search_pages_read;
        rebuild.reloaded_early = rendered.reloaded_early;
        rebuild.html_after_ready = rendered.html_after_ready;
        rebuild.diagnostics = diagnostics;
        rebuild
    }

    /// How far the change reaches and the indices of the changed pages,
    /// when every changed path is a page that was there before and still
    /// is; `None` when pages came or went. Beyond what the model says of each
    /// page's fields, the body of a page matters to others when the site
    /// reads it: the source language's word counts (staleness), and the
    /// fingerprints of unaligned pages (suggestions).
    fn reach(
        &mut self,
        changed: &BTreeSet<PathBuf>,
        fresh: &[SourcePage],
    ) -> Option<(Reach, Vec<usize>)> {
        if fresh.len() != changed.len() {
            return None;
        }
        let site = &self.built.site;
        let mut reach = Reach::Page;
        let mut indices = Vec::with_capacity(fresh.len());
        for page in fresh {
            let index = site
                .pages
                .iter()
                .position(|old| old.file.path == page.file.path)?;
            reach = reach.and(site.pages[index].reach_of_change(page));
            indices.push(index);
        }
        if reach < Reach::Group && !self.bodies_keep_what_others_read(&indices, fresh) {
            reach = reach.and(Reach::Group);
        }
        Some((reach, indices))
    }

    /// Whether the changed bodies leave what the site works out from them
    /// as it was: the staleness of translations (a source page's text, or
    /// a stale translation's blocks on its review page), and the
    /// suggestions made from fingerprints. Updates the fingerprints of the
    /// changed pages.
    fn bodies_keep_what_others_read(&mut self, indices: &[usize], fresh: &[SourcePage]) -> bool {
        let site = &mut self.built.site;
        let compared = indices.iter().any(|&index| {
            let reviewed = site
                .staleness
                .translations
                .get(&index)
                .is_some_and(|a| a.changes.is_some());
            site.pages[index].lang == site.config.source_language || reviewed
        });
        if compared {
            return false;
        }
        let fingerprinted = !site.fingerprints.is_empty();
        if !fingerprinted {
            return true;
        }
        if site.config.translations.apply_suggestions {
            return false;
        }
        for (&index, page) in indices.iter().zip(fresh) {
            let Ok(body) = read::page_body(page) else {
                return false;
            };
            site.fingerprints[index] = Fingerprint::of_markdown(&body);
        }
        suggest::suggest(&site.pages, &site.alignment, &site.fingerprints) == site.suggestions
    }

    /// Puts re-read pages in place of their old versions; nothing the
    /// alignment reads changed.
    fn swap_in(&mut self, indices: &[usize], fresh: Vec<SourcePage>) {
        let site = &mut self.built.site;
        for (&index, page) in indices.iter().zip(fresh) {
            // A date that cannot be read was reported when the page was
            // first read; its place in the feed is all that changes here.
            site.updated[index] = align::dates::page_date(&page, &self.built.histories).0;
            site.pages[index] = page;
        }
    }

    /// Replaces the changed pages and aligns the site again.
    fn realign(
        &mut self,
        changed: &BTreeSet<PathBuf>,
        fresh: Vec<SourcePage>,
        diagnostics: &mut Vec<Diagnostic>,
    ) {
        let site = &mut self.built.site;
        let mut pages: Vec<SourcePage> = std::mem::take(&mut site.pages);
        pages.retain(|page| !changed.contains(&page.file.path));
        pages.extend(fresh);
        pages.sort_by(|a, b| a.file.path.cmp(&b.file.path));
        let config = site.config.clone();
        let assets = discover::assets(&config);
        let parts = std::mem::take(&mut site.parts.files);
        let (site, problems) = align::assemble(config, pages, assets, parts, &self.built.histories);
        self.lap("aligned again");
        self.built.alignment_problems = problems.clone();
        diagnostics.extend(problems);
        self.built.site = site;
    }

    /// The pages that show the titles of the pages at `indices`, changed
    /// since `before` was made: the pages of their sections in their
    /// languages, their neighbours in reading order before and after, and
    /// every page of a language whose sections now read or lead elsewhere
    /// (a section's title, or its first page, changed).
    fn showing_titles(&self, indices: &[usize], before: &SiteIndex, after: &SiteIndex) -> Wanted {
        let site = &self.built.site;
        let pages = &site.pages;
        fn section(page: &SourcePage) -> &str {
            let path = &page.file.logical_path;
            path.split_once('/')
                .map_or(path.as_str(), |(first, _)| first)
        }
        let places: HashSet<(&str, &str)> = indices
            .iter()
            .map(|&i| (pages[i].lang.as_str(), section(&pages[i])))
            .collect();
        let mut wanted: HashSet<usize> = (0..pages.len())
            .filter(|&i| places.contains(&(pages[i].lang.as_str(), section(&pages[i]))))
            .collect();
        let edited: HashSet<usize> = indices.iter().copied().collect();
        wanted.extend(before.neighbours(site, &edited));
        wanted.extend(after.neighbours(site, &edited));
        Wanted {
            pages: wanted,
            languages: before.languages_with_other_heads(after),
        }
    }

    /// The files of the pages in the groups of the changed pages.
    fn groups_of(&self, changed: &BTreeSet<PathBuf>) -> HashSet<PathBuf> {
        let site = &self.built.site;
        let alignment = &site.alignment;
        (0..site.pages.len())
            .filter(|&index| changed.contains(&site.pages[index].file.path))
            .flat_map(|index| {
                alignment.groups[alignment.group_of_page[index]]
                    .pages
                    .values()
            })
            .map(|&member| site.pages[member].file.path.clone())
            .collect()
    }

    /// The changed pages, the pages of their groups before the change and
    /// of their groups now.
    fn pages_in_groups(
        &self,
        before: &HashSet<PathBuf>,
        changed: &BTreeSet<PathBuf>,
    ) -> HashSet<usize> {
        let site = &self.built.site;
        let paths: HashSet<&PathBuf> = changed.iter().chain(before).collect();
        let mut wanted: HashSet<usize> = (0..site.pages.len())
            .filter(|&i| paths.contains(&site.pages[i].file.path))
            .collect();
        let groups: HashSet<usize> = wanted
            .iter()
            .map(|&i| site.alignment.group_of_page[i])
            .collect();
        for group in groups {
            wanted.extend(site.alignment.groups[group].pages.values().copied());
        }
        wanted
    }

    /// Reads the changed page files that still exist.
    fn read_changed(&self, changed: &BTreeSet<PathBuf>) -> (Vec<SourcePage>, Vec<Diagnostic>) {
        let config = &self.built.site.config;
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

    /// Renders the wanted pages, then the site-wide files, into the output
    /// folder. After a full render, files no build would write any more are
    /// removed. Otherwise `ready` is called as soon as the wanted pages (and
    /// the fallbacks showing them) are written, when no error was found
    /// before; the site-wide HTML files that changed after are listed, so
    /// that only browsers showing them reload again.
    fn render(
        &mut self,
        wanted: &Wanted,
        index: Arc<SiteIndex>,
        full: bool,
        diagnostics: &mut Vec<Diagnostic>,
        ready: &(dyn Fn() + Sync),
    ) -> Rendered {
        let site = &self.built.site;
        self.index = Some(Arc::clone(&index));
        let view = SiteView::with_index(site, &self.built.theme, index);
        self.lap("site view made");
        if full || !site.config.search {
            // Pages that are gone leave the index with their old files.
            self.search = site.config.search.then(search::SearchIndexer::new);
        }
        let read_before = self.search.as_ref().map_or(0, |s| s.pages_read());
        let pages = pipeline::write_pages(
            &view,
            &self.folder,
            &|page, lang| wanted.contains(page, lang),
            self.search.as_ref(),
            &NoProgress,
        );
        diagnostics.extend(pages.problems);
        let called = !full && !diagnostics.iter().any(Diagnostic::is_error);
        if called {
            self.lap("edited pages written, browsers told");
            ready();
        }
        let site_wide = pipeline::write_site_wide(&view, site, &self.folder);
        self.lap("pages and site-wide files written");
        diagnostics.extend(site_wide.problems);
        let mut count = pages.changed + site_wide.changed;
        if full {
            match write::copy_unrendered(
                &self.folder,
                &site.config.root,
                &self.built.theme.static_dirs,
                &site.config.content_dir,
                &site.assets,
            ) {
                Ok(_) => {}
                Err(problem) => diagnostics.push(problem),
            }
            // The search bundle is replaced whole below.
            let bundle = format!("{}/", search::BUNDLE_DIR);
            self.produced = self.folder.remove_unwritten(&self.produced, &bundle);
        } else {
            self.folder.forget_written();
        }
        // The pages rendered again replaced their old versions in the
        // index; only those whose text changed were read again.
        let mut search_pages_read = 0;
        if let Some(indexer) = &mut self.search {
            search_pages_read = indexer.pages_read() - read_before;
            let replaced = indexer.bundle().and_then(|bundle| {
                (bundle.replace_in(&self.out, &mut self.search_written)).map_err(|e| e.to_string())
            });
            match replaced {
                Ok(files) => count += files,
                Err(why) => diagnostics.push(Diagnostic::error(why)),
            }
            self.lap("search index written");
        }
        Rendered {
            search_pages_read,
            files_written: count,
            reloaded_early: called,
            html_after_ready: if called {
                site_wide.changed_html_paths
            } else {
                Vec::new()
            },
        }
    }

    /// With `TOLK_TIMINGS` set, prints when a stage of the rebuild ended.
    fn lap(&self, stage: &str) {
        self.clock.lap(&format!("rebuild: {stage}"));
    }
}

/// The pages a rebuild renders: pages by their content page (with the
/// fallbacks showing them), and every page of some languages.
#[derive(Default)]
struct Wanted {
    pages: HashSet<usize>,
    languages: Vec<String>,
}

impl Wanted {
    fn pages(pages: impl IntoIterator<Item = usize>) -> Wanted {
        Wanted {
            pages: pages.into_iter().collect(),
            languages: Vec::new(),
        }
    }

    /// Whether the page showing the content of page `content` in `lang` is
    /// rendered.
    fn contains(&self, content: usize, lang: &str) -> bool {
        self.pages.contains(&content) || self.languages.iter().any(|l| l == lang)
    }
}

/// What [`IncrementalSite::render`] wrote.
struct Rendered {
    search_pages_read: usize,
    files_written: usize,
    reloaded_early: bool,
    html_after_ready: Vec<String>,
}
