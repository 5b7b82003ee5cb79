//! Stage 5: every page through its Markdown and the theme's templates,
//! pages in parallel, and the pages every site has (language homes, the
//! root, 404 pages, the translation status page, redirects).
//!
//! - `page`: one page, or a fallback page standing in for a missing
//!   translation;
//! - `links`: where a link in a page's Markdown leads;
//! - `switcher`: the language switcher and hreflang alternates;
//! - `lists`: homes, root, 404 and status pages, redirects;
//! - `values`: what templates receive; their field names are the template
//!   API documented in the README;
//! - `theme`: templates, static files and UI strings, loaded once.

mod links;
mod lists;
mod page;
mod progress;
mod switcher;
pub(crate) mod theme;
mod values;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use rayon::prelude::*;
use tera::Context;

use crate::align::fallback;
use crate::model::urls::{content_relative_path, output_path, page_url};
use crate::model::{Diagnostic, LoadedSite, OutputFile, SiteConfig, SourcePage};
use crate::navigation::Navigation;
use crate::render::theme::{Theme, template_error};

use page::PageJob;
pub use progress::{NoProgress, Progress};
use values::{SiteValue, language_value};

/// What a rendered page shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PageKind {
    /// The page's own content, in its language.
    Translation,
    /// Another language's content standing in for a missing translation.
    Fallback,
}

/// Where rendered pages go, as soon as each is made.
pub type PageSink<'s> = dyn Fn(&OutputFile, PageKind) -> Result<(), Diagnostic> + Sync + 's;

/// What rendering pages produced (the files went to the sink).
pub struct RenderOutcome {
    pub problems: Vec<Diagnostic>,
    /// Zero-width spaces (machine-translation debris) removed from link
    /// texts, alt texts and headings.
    pub zero_width_removed: usize,
}

/// Where the translation status page is published, under the base path.
const STATUS_PAGE: &str = "translation-status/";
/// Rows of one translation status page.
const STATUS_GROUPS_PER_PAGE: usize = 200;
/// Room reserved for a rendered page: the theme writes 30 to 60 KB around a
/// typical page, and growing the buffer by doubling copies it several times.
const PAGE_SIZE_HINT: usize = 64 * 1024;

/// What the render stage works out from the site's structure: URLs,
/// lookups and navigation. Only pages coming, going or changing a field
/// other pages show (a title, a weight) change it, so `tolk serve` keeps it
/// across edits of a page's text.
pub struct SiteIndex {
    /// Page index -> site-relative URL (`/fr/commerce/b2b/`).
    urls: Vec<String>,
    /// Content-relative source path (`fr/commerce/b2b.md`) -> page index.
    by_source_path: HashMap<String, usize>,
    /// Logical path (`commerce/b2b`) -> a page there in some language, for
    /// links to pages not translated into the linking page's language.
    by_logical_path: HashMap<String, usize>,
    /// `(group, language)` -> URL of the fallback page standing in.
    fallback_urls: HashMap<(usize, String), String>,
    nav: Navigation,
}

impl SiteIndex {
    /// The pages whose previous or next links show one of `pages`.
    pub(crate) fn neighbours(&self, site: &LoadedSite, pages: &HashSet<usize>) -> HashSet<usize> {
        pages
            .iter()
            .flat_map(|&page| self.nav.neighbours_of(&site.pages[page].lang, page))
            .collect()
    }

    /// The languages whose every page shows sections other than `other`
    /// has them: titles or the pages their links lead to.
    pub(crate) fn languages_with_other_heads(&self, other: &SiteIndex) -> Vec<String> {
        self.nav.languages_with_other_heads(&other.nav)
    }

    pub fn of(site: &LoadedSite) -> Self {
        let (config, pages) = (&site.config, site.pages.as_slice());
        let urls = pages
            .iter()
            .map(|p| page_url(config, &p.lang, &p.url_path()))
            .collect();
        let by_source_path = pages
            .iter()
            .enumerate()
            .map(|(index, page)| (content_relative_path(config, page), index))
            .collect();
        let mut by_logical_path = HashMap::new();
        for (index, page) in pages.iter().enumerate() {
            by_logical_path
                .entry(page.file.logical_path.clone())
                .or_insert(index);
        }
        SiteIndex {
            urls,
            by_source_path,
            by_logical_path,
            fallback_urls: fallback::urls_by_group(&site.fallbacks),
            nav: Navigation::build(config, pages),
        }
    }
}

/// Everything the render stage reads; built once and shared by all threads.
pub struct SiteView<'a> {
    config: &'a SiteConfig,
    theme: &'a Theme,
    site: &'a LoadedSite,
    pages: &'a [SourcePage],
    index: Arc<SiteIndex>,
    /// Raw HTML in Markdown passes an allowlist (built once, shared).
    sanitizer: crate::markdown::sanitize::Sanitizer,
    /// Page index -> title, for navigation links.
    titles: Vec<&'a str>,
    /// Content-relative paths of the files copied beside the pages.
    assets: std::collections::HashSet<&'a str>,
    site_value: tera::Value,
    /// The languages whose pages are rendered (a shard of the build); empty
    /// for all.
    shard: &'a [String],
}

impl<'a> SiteView<'a> {
    pub fn new(site: &'a LoadedSite, theme: &'a Theme) -> Self {
        Self::with_index(site, theme, Arc::new(SiteIndex::of(site)))
    }

    /// A view of `site` taking `index` as [`SiteIndex::of`] would make it:
    /// the caller knows the site's structure is the one `index` was made
    /// from.
    pub fn with_index(site: &'a LoadedSite, theme: &'a Theme, index: Arc<SiteIndex>) -> Self {
        let (config, pages) = (&site.config, site.pages.as_slice());
        let status_url = if config.translations.status_page {
            format!("{}{STATUS_PAGE}", config.base_path)
        } else {
            String::new()
        };
        let site_value = tera::Value::from_serializable(&SiteValue {
            title: &config.title,
            base_url: &config.base_url,
            base_path: &config.base_path,
            source_language: &config.source_language,
            languages: config
                .languages
                .iter()
                .map(|l| language_value(config, l))
                .collect(),
            status_url,
            search: config.search,
        });
        SiteView {
            config,
            theme,
            site,
            pages,
            index,
            sanitizer: crate::markdown::sanitize::Sanitizer::new(),
            titles: pages.iter().map(|p| p.title.as_str()).collect(),
            assets: site.assets.iter().map(String::as_str).collect(),
            site_value,
            shard: &[],
        }
    }

    /// The structure this view renders with, to make the next view of the
    /// same structure with.
    pub fn index(&self) -> Arc<SiteIndex> {
        Arc::clone(&self.index)
    }

    /// Renders only the pages, homes and 404 pages of these languages (with
    /// the site-wide pages, the same in every shard); the links, switchers
    /// and lists still name every language.
    pub(crate) fn only_languages(mut self, tags: &'a [String]) -> Self {
        self.shard = tags;
        self
    }

    /// Whether pages in the language `tag` belong to this build.
    pub(crate) fn renders_language(&self, tag: &str) -> bool {
        self.shard.is_empty() || self.shard.iter().any(|t| t == tag)
    }

    /// Renders the pages that pass `wanted`, given the index of the page
    /// whose content they show and the language they are in (own pages
    /// and the fallbacks showing them), in parallel, handing each to `sink` as
    /// soon as it is made, so the site never sits in memory whole.
    pub fn render_pages(
        &self,
        wanted: &(dyn Fn(usize, &str) -> bool + Sync),
        progress: &dyn Progress,
        sink: &PageSink<'_>,
    ) -> RenderOutcome {
        let jobs: Vec<PageJob> = (0..self.pages.len())
            .map(|index| self.own_page(index))
            .chain(self.site.fallbacks.iter().map(|f| self.fallback_page(f)))
            .filter(|job| wanted(job.content, job.lang) && self.renders_language(job.lang))
            .collect();
        progress.start(jobs.len());
        let outcomes: Vec<(Vec<Diagnostic>, usize)> = jobs
            .par_iter()
            .map(|job| {
                let outcome = self.render_page(job);
                progress.advance();
                let mut notes = outcome.notes;
                if let Some(file) = outcome.file {
                    notes.extend(sink(&file, job.kind()).err());
                }
                (notes, outcome.zero_width_removed)
            })
            .collect();
        progress.finish();
        let mut problems = Vec::new();
        let mut zero_width_removed = 0;
        for (notes, removed) in outcomes {
            problems.extend(notes);
            zero_width_removed += removed;
        }
        RenderOutcome {
            problems,
            zero_width_removed,
        }
    }

    fn base_context(&self, lang: &str) -> Context {
        let mut context = Context::new();
        context.insert_value("site", self.site_value.clone());
        if let Some(language) = self.config.language(lang) {
            context.insert("lang", &language_value(self.config, language));
        }
        context.insert("t", self.theme.strings_for(lang));
        context
    }

    fn render_template(
        &self,
        name: &str,
        context: &Context,
        url: &str,
    ) -> Result<OutputFile, Diagnostic> {
        // Straight into bytes: every value in the context is a Rust string,
        // so the output is UTF-8 already and needs no second check.
        let mut html = Vec::with_capacity(PAGE_SIZE_HINT);
        self.theme
            .tera
            .render_to(name, context, &mut html)
            .map_err(|err| template_error(&err))?;
        Ok(OutputFile {
            path: output_path(self.config, url),
            contents: html,
        })
    }

    fn permalink(&self, url: &str) -> String {
        let origin = self
            .config
            .base_url
            .trim_end_matches(&self.config.base_path);
        format!("{origin}{url}")
    }
}
