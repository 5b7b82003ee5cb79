//! Stage 4: Markdown and templates to HTML, every page in parallel.
//!
//! The values handed to templates are plain serialisable structs; their field
//! names are the template API documented in the README.
pub mod theme;

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;
use serde::Serialize;
use tera::Context;

use crate::align::fallback;

use crate::align::status;
use crate::console::progress::{NoProgress, Progress};
use crate::markdown::exl;
use crate::markdown::{self, LinkTarget, RenderOptions};
use crate::model::Diagnostic;
use crate::model::Fallback;
use crate::model::LoadedSite;
use crate::model::OutputFile;
use crate::model::SourcePage;
use crate::model::status::StatusReport;
pub use crate::model::urls::page_url;
use crate::model::urls::{
    content_relative_path, is_content_file, is_external_or_anchor, join_relative, output_path,
    section_of,
};
use crate::model::{Language, SiteConfig};
use crate::navigation::{NavLink, Navigation};
use crate::render::theme::{Theme, template_error};
use crate::search::SearchIndexer;

/// Where rendered files go: the staging folder, or memory in tests.
pub type Sink<'s> = dyn Fn(&OutputFile) -> Result<(), Diagnostic> + Sync + 's;

/// What rendering the site produced (the files went to the sink).
pub struct RenderOutcome {
    pub problems: Vec<Diagnostic>,
    /// Zero-width spaces (machine-translation debris) removed from link
    /// texts, alt texts and headings.
    pub zero_width_removed: usize,
}

struct PageOutcome {
    file: Option<OutputFile>,
    notes: Vec<Diagnostic>,
    zero_width_removed: usize,
}

/// Where the translation status page is published, under the base path.
const STATUS_PAGE: &str = "translation-status/";
/// Room reserved for a rendered page: the theme writes 30 to 60 KB around a
/// typical page, and growing the buffer by doubling copies it several times.
const PAGE_SIZE_HINT: usize = 64 * 1024;

#[derive(Serialize)]
struct SiteValue<'a> {
    title: &'a str,
    base_url: &'a str,
    base_path: &'a str,
    source_language: &'a str,
    languages: Vec<LanguageValue<'a>>,
    /// The translation status page, empty when the site turned it off.
    status_url: String,
    /// The search box and its index are built (`search = true`).
    search: bool,
}

#[derive(Clone, Serialize)]
struct LanguageValue<'a> {
    tag: &'a str,
    name: &'a str,
    dir: &'static str,
    home_url: String,
    /// The language's Atom feed, empty when feeds are off.
    feed_url: String,
}

#[derive(Serialize)]
struct PageValue<'a> {
    title: &'a str,
    description: &'a str,
    url: &'a str,
    permalink: String,
    content: String,
    toc: Vec<TocEntry>,
    has_h1: bool,
    word_count: usize,
    section: &'a str,
    lang: &'a str,
    /// The language the content is written in: differs from `lang` on a
    /// fallback page, which shows the source's content to another language.
    content_lang: LanguageValue<'a>,
    fallback: bool,
    /// Search engines should not index it (fallback pages duplicate others).
    noindex: bool,
    machine_translated: bool,
    workflow_type: Option<&'a str>,
    ht_degree: Option<u8>,
    front_matter: &'a serde_json::Map<String, serde_json::Value>,
    /// For `<head>`: `seo-title` / `seo-description` when given, else the
    /// title and description.
    seo_title: String,
    seo_description: String,
    /// Front matter strings made of `key="value"` pairs (Adobe's `badgePaas:
    /// label="PaaS" type="Informative"`), as maps: `page.attributes.badgePaas.label`.
    attributes: BTreeMap<&'a str, BTreeMap<String, String>>,
}

#[derive(Serialize)]
struct TocEntry {
    level: u8,
    id: String,
    text: String,
}

/// One entry of the language switcher.
#[derive(Serialize)]
struct TranslationValue<'a> {
    tag: &'a str,
    name: &'a str,
    dir: &'static str,
    /// Where the entry leads; empty when there is no page in that language.
    url: String,
    /// A real translation exists.
    available: bool,
    /// `url` leads to a fallback page (not translated yet).
    fallback: bool,
    current: bool,
}

#[derive(Serialize)]
struct Alternate {
    hreflang: String,
    href: String,
}

#[derive(Serialize)]
struct SectionValue<'a> {
    name: &'a str,
    pages: Vec<ListedPage<'a>>,
}

#[derive(Serialize)]
struct ListedPage<'a> {
    title: &'a str,
    url: &'a str,
    description: &'a str,
}

/// What a page to render shows: its own content, or another page's content
/// standing in for a missing translation.
struct PageJob<'a> {
    /// The page whose Markdown is rendered.
    content: usize,
    /// The language the reader browses.
    lang: &'a str,
    url: &'a str,
    group: usize,
    fallback: bool,
}

/// Everything the render stage reads; built once and shared by all threads.
pub struct SiteView<'a> {
    config: &'a SiteConfig,
    theme: &'a Theme,
    site: &'a LoadedSite,
    pages: &'a [SourcePage],
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
    /// Raw HTML in Markdown passes an allowlist (built once, shared).
    sanitizer: crate::markdown::sanitize::Sanitizer,
    /// Page index -> title, for navigation links.
    titles: Vec<&'a str>,
    /// Content-relative paths of the files copied beside the pages.
    assets: std::collections::HashSet<&'a str>,
    site_value: tera::Value,
    /// Receives every real page (not fallbacks) as soon as it is rendered.
    search: Option<&'a SearchIndexer>,
    progress: &'a dyn Progress,
}

impl<'a> SiteView<'a> {
    pub fn new(site: &'a LoadedSite, theme: &'a Theme) -> Self {
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
            urls,
            by_source_path,
            by_logical_path,
            fallback_urls: fallback::urls_by_group(&site.fallbacks),
            nav: Navigation::build(config, pages),
            sanitizer: crate::markdown::sanitize::Sanitizer::new(),
            titles: pages.iter().map(|p| p.title.as_str()).collect(),
            assets: site.assets.iter().map(String::as_str).collect(),
            site_value,
            search: None,
            progress: &NoProgress,
        }
    }

    /// Hands every real page to `indexer` as it is rendered; fallback pages
    /// (another language's content) stay out of the search.
    pub fn with_search(mut self, indexer: Option<&'a SearchIndexer>) -> Self {
        self.search = indexer;
        self
    }

    /// Counts pages as they are rendered (for `tolk build`'s progress bar).
    pub fn with_progress(mut self, progress: &'a dyn Progress) -> Self {
        self.progress = progress;
        self
    }

    /// Renders every page and fallback page, each language's home, the site
    /// root, the status page and the files for machines, handing each file
    /// to `sink` as soon as it is made (pages in parallel), so the site never
    /// sits in memory whole.
    pub fn render_all(&self, sink: &Sink<'_>) -> RenderOutcome {
        self.render_selected(&|_| true, sink)
    }

    /// Like `render_all`, but only the pages whose content page passes
    /// `wanted` (own pages and the fallbacks showing them); the site-wide
    /// files are always made. For rebuilds that touch a few pages.
    pub fn render_selected(
        &self,
        wanted: &(dyn Fn(usize) -> bool + Sync),
        sink: &Sink<'_>,
    ) -> RenderOutcome {
        let jobs: Vec<PageJob> = (0..self.pages.len())
            .map(|index| self.own_page(index))
            .chain(self.site.fallbacks.iter().map(|f| self.fallback_page(f)))
            .filter(|job| wanted(job.content))
            .collect();
        self.progress.start(jobs.len());
        let outcomes: Vec<(Vec<Diagnostic>, usize)> = jobs
            .par_iter()
            .map(|job| {
                let outcome = self.render_page(job);
                self.progress.advance();
                let mut notes = outcome.notes;
                if let Some(file) = outcome.file {
                    if let (Some(indexer), false) = (self.search, job.fallback) {
                        indexer.add_page(&file.path, &file.contents);
                    }
                    notes.extend(sink(&file).err());
                }
                (notes, outcome.zero_width_removed)
            })
            .collect();
        self.progress.finish();
        let mut problems = Vec::new();
        let mut zero_width_removed = 0;
        for (notes, removed) in outcomes {
            problems.extend(notes);
            zero_width_removed += removed;
        }
        for file in self.site_wide_files() {
            match file.and_then(|file| sink(&file)) {
                Ok(()) => {}
                Err(problem) => problems.push(problem),
            }
        }
        RenderOutcome {
            problems,
            zero_width_removed,
        }
    }

    /// Homes, root, 404 pages, status page, sitemap, robots.txt and feeds.
    fn site_wide_files(&self) -> Vec<Result<OutputFile, Diagnostic>> {
        let languages = &self.config.languages;
        let mut files: Vec<Result<OutputFile, Diagnostic>> = languages
            .iter()
            .map(|language| self.render_home(language))
            .collect();
        files.push(self.render_root());
        files.extend(
            languages
                .iter()
                .map(|language| self.render_not_found(Some(language))),
        );
        files.push(self.render_not_found(None));
        if self.config.translations.status_page {
            files.push(self.render_status(&status::collect(self.site)));
        }
        files.extend(self.redirects());
        files.push(Ok(crate::feeds::sitemap(self.site)));
        files.push(Ok(crate::feeds::robots(self.config)));
        if self.config.feeds {
            let updated = &self.site.updated;
            files.extend(
                languages
                    .iter()
                    .map(|l| Ok(crate::feeds::atom(self.site, &l.tag, updated))),
            );
        }
        files
    }

    fn own_page(&self, index: usize) -> PageJob<'_> {
        PageJob {
            content: index,
            lang: &self.pages[index].lang,
            url: &self.urls[index],
            group: self.site.alignment.group_of_page[index],
            fallback: false,
        }
    }

    fn fallback_page<'f>(&self, fallback: &'f Fallback) -> PageJob<'f> {
        PageJob {
            content: fallback.reference,
            lang: &fallback.lang,
            url: &fallback.url,
            group: fallback.group,
            fallback: true,
        }
    }

    fn render_page(&self, job: &PageJob) -> PageOutcome {
        let page = &self.pages[job.content];
        let resolve = |dest: &str| self.resolve_link(job.content, job.lang, dest);
        // Labels follow the language the text is written in, also on fallbacks.
        let strings = self.theme.strings_for(&page.lang);
        let labels = |key: &str| strings.get(key).cloned().unwrap_or_default();
        let (language_root, page_path) = self.language_root(page);
        let load = |request: &exl::IncludeRequest| {
            std::fs::read_to_string(language_root.join(request.path)).map_err(|err| err.to_string())
        };
        let body = match crate::read::page_body(page) {
            Ok(body) => body,
            Err(problem) => {
                return PageOutcome {
                    file: None,
                    notes: vec![problem],
                    zero_width_removed: 0,
                };
            }
        };
        let expanded = exl::expand_includes(&body, &page_path, &load);
        let options = RenderOptions {
            resolve_link: &resolve,
            labels: &labels,
        };
        let rendered = markdown::render(&expanded.source, &options);
        let (content, removed) = if self.config.trust_html {
            (rendered.html.clone(), false)
        } else {
            self.sanitizer
                .clean_rendered(&rendered.html, rendered.has_raw_html)
        };
        // A fallback shows another page's Markdown: its warnings are that page's own.
        let mut notes: Vec<Diagnostic> = if job.fallback {
            Vec::new()
        } else {
            let mut warnings = expanded.warnings.clone();
            warnings.extend(expanded.remap(rendered.warnings.clone()));
            warnings
                .iter()
                .map(|w| {
                    Diagnostic::warning(w.message.clone())
                        .in_file(&page.file.display_path)
                        .at(page.body_line + w.line - 1, w.column)
                })
                .collect()
        };
        if removed && !job.fallback {
            notes.push(
                Diagnostic::warning(
                    "HTML removed from this page: unsafe markup, or nesting too deep",
                )
                .in_file(&page.file.display_path)
                .with_help("set `trust_html = true` in tolk.toml only if every writer is trusted"),
            );
        }
        let zero_width_removed = if job.fallback {
            0
        } else {
            rendered.zero_width_removed
        };
        let Some(content_language) = self.config.language(&page.lang) else {
            return PageOutcome {
                file: None,
                notes,
                zero_width_removed,
            };
        };
        let value = PageValue {
            title: &page.title,
            description: page.front.description.as_deref().unwrap_or(""),
            url: job.url,
            permalink: self.permalink(job.url),
            has_h1: rendered.first_h1.is_some(),
            word_count: rendered.word_count,
            section: section_of(&page.file.logical_path),
            lang: job.lang,
            content_lang: language_value(self.config, content_language),
            fallback: job.fallback,
            noindex: job.fallback,
            machine_translated: !job.fallback && status::is_machine_translated(page),
            workflow_type: page.front.workflow_type.as_deref(),
            ht_degree: page.front.ht_degree,
            front_matter: &page.front.all,
            seo_title: front_text(page, "seo-title")
                .map_or_else(|| page.title.clone(), |t| crate::read::clean_title(&t)),
            seo_description: front_text(page, "seo-description")
                .or_else(|| page.front.description.clone())
                .unwrap_or_default(),
            attributes: page
                .front
                .all
                .iter()
                .filter_map(|(key, value)| Some((key.as_str(), key_value_pairs(value.as_str()?)?)))
                .collect(),
            toc: rendered
                .headings
                .into_iter()
                .map(|h| TocEntry {
                    level: h.level,
                    id: h.id,
                    text: h.text,
                })
                .collect(),
            content,
        };
        let mut context = self.base_context(job.lang);
        context.insert("nav", &self.page_nav(job));
        context.insert("page", &value);
        context.insert(
            "translations",
            &self.group_translations(job.group, job.lang),
        );
        if job.fallback {
            // Not a translation: no hreflang, and the original is canonical.
            context.insert("alternates", &Vec::<Alternate>::new());
            context.insert("canonical", &self.permalink(&self.urls[job.content]));
        } else {
            context.insert("alternates", &self.group_alternates(job.group));
            context.insert("canonical", &value.permalink);
        }
        match self.render_template("page.html", &context, job.url) {
            Ok(file) => PageOutcome {
                file: Some(file),
                notes,
                zero_width_removed,
            },
            Err(template_problem) => {
                // The template's own error is the same for every page it
                // breaks: the build prints it once (identical diagnostics are
                // merged) and names each page that could not be rendered.
                notes.push(template_problem);
                notes.push(
                    Diagnostic::error("page not rendered because of the template error above")
                        .in_file(&page.file.display_path),
                );
                PageOutcome {
                    file: None,
                    notes,
                    zero_width_removed,
                }
            }
        }
    }

    /// The folder includes are resolved in (the page's language folder, or
    /// the content folder for suffix layouts) and the page's path inside it.
    fn language_root(&self, page: &SourcePage) -> (std::path::PathBuf, String) {
        let relative = content_relative_path(self.config, page);
        match (&page.file.folder_language, relative.split_once('/')) {
            (Some(_), Some((folder, rest))) => {
                (self.config.content_dir.join(folder), rest.to_string())
            }
            _ => (self.config.content_dir.clone(), relative),
        }
    }

    /// The sidebar, breadcrumbs and neighbours of a page; a fallback page
    /// sits in its reader's navigation without a place of its own.
    fn page_nav(&self, job: &PageJob) -> crate::navigation::PageNav {
        let home = NavLink {
            title: self
                .theme
                .strings_for(job.lang)
                .get("home")
                .cloned()
                .unwrap_or_else(|| "Home".to_string()),
            url: page_url(self.config, job.lang, ""),
            current: false,
            depth: 0,
        };
        let current = (!job.fallback).then_some(job.content);
        self.nav
            .page_view(job.lang, current, &self.urls, &self.titles, home)
    }

    fn render_home(&self, language: &Language) -> Result<OutputFile, Diagnostic> {
        let url = page_url(self.config, &language.tag, "");
        let mut context = self.base_context(&language.tag);
        context.insert("sections", &self.sections_of(&language.tag));
        context.insert("translations", &self.home_translations(Some(language)));
        context.insert("alternates", &self.home_alternates());
        context.insert("canonical", &self.permalink(&url));
        self.render_template("home.html", &context, &url)
    }

    fn render_root(&self) -> Result<OutputFile, Diagnostic> {
        let first = &self.config.languages[0];
        let mut context = self.base_context(&first.tag);
        context.insert("translations", &self.home_translations(None));
        context.insert("alternates", &self.home_alternates());
        context.insert("canonical", &self.config.base_url);
        self.render_template("root.html", &context, &self.config.base_path)
    }

    /// A small redirecting page at each alias of a page, unless a real page
    /// already has that URL.
    fn redirects(&self) -> Vec<Result<OutputFile, Diagnostic>> {
        let taken: std::collections::HashSet<&str> = self.urls.iter().map(String::as_str).collect();
        let mut files = Vec::new();
        for (index, page) in self.pages.iter().enumerate() {
            for alias in &page.front.aliases {
                let url = page_url(self.config, &page.lang, alias);
                if taken.contains(url.as_str()) {
                    files.push(Err(Diagnostic::warning(format!(
                        "alias `{alias}` is the URL of another page; not redirected"
                    ))
                    .in_file(&page.file.display_path)));
                    continue;
                }
                let target =
                    html_escape::encode_double_quoted_attribute(&self.urls[index]).into_owned();
                let permalink =
                    html_escape::encode_double_quoted_attribute(&self.permalink(&self.urls[index]))
                        .into_owned();
                let html = format!(
                    "<!doctype html>\n<html lang=\"{}\">\n<meta charset=\"utf-8\">\n<title>{}</title>\n<link rel=\"canonical\" href=\"{permalink}\">\n<meta name=\"robots\" content=\"noindex\">\n<meta http-equiv=\"refresh\" content=\"0; url={target}\">\n<p><a href=\"{target}\">{}</a></p>\n</html>\n",
                    page.lang,
                    html_escape::encode_text(&page.title),
                    html_escape::encode_text(&page.title),
                );
                files.push(Ok(OutputFile {
                    path: output_path(self.config, &url),
                    contents: html.into_bytes(),
                }));
            }
        }
        files
    }

    /// `/<lang>/404.html` for each language, and `/404.html` in the first
    /// language listing every language's home.
    fn render_not_found(&self, language: Option<&Language>) -> Result<OutputFile, Diagnostic> {
        let shown = language.unwrap_or(&self.config.languages[0]);
        let mut context = self.base_context(&shown.tag);
        context.insert("translations", &self.home_translations(language));
        context.insert("alternates", &Vec::<Alternate>::new());
        let html = self
            .theme
            .tera
            .render("404.html", &context)
            .map_err(|err| template_error(&err))?;
        let path = match language {
            Some(language) => format!("{}/404.html", language.tag),
            None => "404.html".to_string(),
        };
        Ok(OutputFile {
            path,
            contents: html.into_bytes(),
        })
    }

    /// The status page speaks the site's first language: it is for the
    /// translators of every language, not for readers of one.
    fn render_status(&self, report: &StatusReport) -> Result<OutputFile, Diagnostic> {
        let first = &self.config.languages[0];
        let url = format!("{}{STATUS_PAGE}", self.config.base_path);
        let mut context = self.base_context(&first.tag);
        context.insert("status", report);
        context.insert("translations", &self.home_translations(None));
        context.insert("alternates", &Vec::<Alternate>::new());
        context.insert("canonical", &self.permalink(&url));
        self.render_template("status.html", &context, &url)
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

    /// Every configured language, in config order: the translation where
    /// there is one, else the fallback page, else an unavailable entry.
    fn group_translations(&self, group: usize, current: &str) -> Vec<TranslationValue<'_>> {
        let members = &self.site.alignment.groups[group].pages;
        self.config
            .languages
            .iter()
            .map(|language| {
                let own = members.get(&language.tag).map(|&i| self.urls[i].clone());
                let fallback = self
                    .fallback_urls
                    .get(&(group, language.tag.clone()))
                    .cloned();
                TranslationValue {
                    tag: &language.tag,
                    name: &language.name,
                    dir: language.dir.as_str(),
                    available: own.is_some(),
                    fallback: own.is_none() && fallback.is_some(),
                    url: own.or(fallback).unwrap_or_default(),
                    current: language.tag == current,
                }
            })
            .collect()
    }

    /// Each language's home; `current` marks the one being rendered.
    fn home_translations(&self, current: Option<&Language>) -> Vec<TranslationValue<'_>> {
        self.config
            .languages
            .iter()
            .map(|language| TranslationValue {
                tag: &language.tag,
                name: &language.name,
                dir: language.dir.as_str(),
                url: page_url(self.config, &language.tag, ""),
                available: true,
                fallback: false,
                current: current == Some(language),
            })
            .collect()
    }

    /// hreflang links for the existing translations, plus x-default: the
    /// source-language page when it exists, else the language chooser.
    fn group_alternates(&self, group: usize) -> Vec<Alternate> {
        let members = &self.site.alignment.groups[group].pages;
        let mut alternates: Vec<Alternate> = self
            .config
            .languages
            .iter()
            .filter_map(|l| {
                let translation = members.get(&l.tag)?;
                Some(Alternate {
                    hreflang: l.tag.clone(),
                    href: self.permalink(&self.urls[*translation]),
                })
            })
            .collect();
        let default = members.get(&self.config.source_language).map_or_else(
            || self.config.base_url.clone(),
            |&i| self.permalink(&self.urls[i]),
        );
        alternates.push(Alternate {
            hreflang: "x-default".to_string(),
            href: default,
        });
        alternates
    }

    fn home_alternates(&self) -> Vec<Alternate> {
        let mut alternates: Vec<Alternate> = self
            .config
            .languages
            .iter()
            .map(|l| Alternate {
                hreflang: l.tag.clone(),
                href: self.permalink(&page_url(self.config, &l.tag, "")),
            })
            .collect();
        alternates.push(Alternate {
            hreflang: "x-default".to_string(),
            href: self.config.base_url.clone(),
        });
        alternates
    }

    /// The pages of one language grouped by their first folder; pages at the
    /// language root come first under the empty name.
    fn sections_of(&self, lang: &str) -> Vec<SectionValue<'_>> {
        let mut sections: BTreeMap<&str, Vec<ListedPage>> = BTreeMap::new();
        for (index, page) in self
            .pages
            .iter()
            .enumerate()
            .filter(|(_, p)| p.lang == lang)
        {
            if page.file.logical_path.is_empty() {
                continue; // the language's own home page
            }
            sections
                .entry(section_of(&page.file.logical_path))
                .or_default()
                .push(ListedPage {
                    title: &page.title,
                    url: &self.urls[index],
                    description: page.front.description.as_deref().unwrap_or(""),
                });
        }
        sections
            .into_iter()
            .map(|(name, pages)| SectionValue { name, pages })
            .collect()
    }

    /// Where a link in page `index`, read in `lang`, should point. Links to
    /// Markdown files go to the page in that language when it exists; links
    /// to other files of the content folder (images) to their copy in the
    /// output. Site-absolute links (`/help/x.md`) start in the language folder.
    fn resolve_link(&self, index: usize, lang: &str, dest: &str) -> LinkTarget {
        if is_external_or_anchor(dest) {
            return LinkTarget::Keep;
        }
        let (path, fragment) = match dest.find(['#', '?']) {
            Some(at) => (&dest[..at], &dest[at..]),
            None => (dest, ""),
        };
        let candidates = self.link_candidates(index, lang, path);
        if is_content_file(path) {
            let target = candidates
                .iter()
                .find_map(|c| self.by_source_path.get(c))
                .or_else(|| {
                    candidates
                        .iter()
                        .find_map(|c| self.by_logical_path.get(&logical_path_of(c)))
                });
            return match target {
                Some(&target) => {
                    LinkTarget::Page(format!("{}{fragment}", self.page_in_language(target, lang)))
                }
                None => LinkTarget::Missing,
            };
        }
        if !looks_like_file(path) {
            return LinkTarget::Keep;
        }
        match candidates.iter().find(|c| self.assets.contains(c.as_str())) {
            Some(asset) => LinkTarget::Page(format!("{}{asset}{fragment}", self.config.base_path)),
            None => LinkTarget::Missing,
        }
    }

    /// Content-relative paths a link may mean, most likely first.
    fn link_candidates(&self, index: usize, lang: &str, path: &str) -> Vec<String> {
        if path.starts_with('/') {
            [
                format!("{lang}{path}"),
                path.trim_start_matches('/').to_string(),
            ]
            .into_iter()
            .filter_map(|candidate| join_relative("", &candidate))
            .collect()
        } else {
            let base = content_relative_path(self.config, &self.pages[index]);
            join_relative(&base, path).into_iter().collect()
        }
    }

    /// The URL of `target`'s translation into `lang`, else its fallback page,
    /// else the page itself.
    fn page_in_language(&self, target: usize, lang: &str) -> String {
        let group = self.site.alignment.group_of_page[target];
        match self.site.alignment.groups[group].pages.get(lang) {
            Some(&same_language) => self.urls[same_language].clone(),
            None => self
                .fallback_urls
                .get(&(group, lang.to_string()))
                .cloned()
                .unwrap_or_else(|| self.urls[target].clone()),
        }
    }
}

fn front_text(page: &SourcePage, key: &str) -> Option<String> {
    page.front
        .all
        .get(key)?
        .as_str()
        .map(str::to_string)
        .filter(|t| !t.trim().is_empty())
}

/// `label="PaaS only" type="Informative"` as a map; `None` unless the whole
/// string is such pairs.
fn key_value_pairs(text: &str) -> Option<BTreeMap<String, String>> {
    let mut pairs = BTreeMap::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        let (key, after) = rest.split_once("=\"")?;
        let key = key.trim();
        if key.is_empty()
            || !key
                .chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
        {
            return None;
        }
        let (value, after) = after.split_once('"')?;
        pairs.insert(key.to_string(), value.to_string());
        rest = after.trim_start();
    }
    (!pairs.is_empty()).then_some(pairs)
}

/// `fr/commerce/b2b.md` (or `commerce/b2b.fr.md`) -> `commerce/b2b`: what a
/// link to a file that does not exist in this language may still mean.
fn logical_path_of(content_path: &str) -> String {
    let mut parts: Vec<&str> = content_path.split('/').collect();
    if parts.len() > 1 && crate::config::language::looks_like_language_tag(parts[0]) {
        parts.remove(0);
    }
    let last = parts.pop().unwrap_or_default();
    let stem = last.rsplit_once('.').map_or(last, |(stem, _)| stem);
    let stem = match stem.rsplit_once('.') {
        Some((base, suffix)) if crate::config::language::looks_like_language_tag(suffix) => base,
        _ => stem,
    };
    if stem != "index" && stem != "_index" {
        parts.push(stem);
    }
    parts.join("/")
}

/// A path whose last segment has an extension (`shot.png`), as opposed to
/// a page URL (`../guide/`).
fn looks_like_file(path: &str) -> bool {
    path.rsplit('/')
        .next()
        .is_some_and(|last| last.contains('.') && !last.ends_with(".html"))
}

fn language_value<'a>(config: &SiteConfig, language: &'a Language) -> LanguageValue<'a> {
    LanguageValue {
        tag: &language.tag,
        name: &language.name,
        dir: language.dir.as_str(),
        home_url: page_url(config, &language.tag, ""),
        feed_url: if config.feeds {
            crate::feeds::feed_url(config, &language.tag)
        } else {
            String::new()
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_key_value_pair_strings() {
        let pairs =
            key_value_pairs(r#"label="PaaS only" type="Informative" tooltip="Applies to cloud""#)
                .unwrap();
        assert_eq!(pairs["label"], "PaaS only");
        assert_eq!(pairs["tooltip"], "Applies to cloud");
        assert!(key_value_pairs("just a sentence").is_none());
        assert!(key_value_pairs(r#"label="open"#).is_none());
        assert!(key_value_pairs("").is_none());
    }

    #[test]
    fn finds_the_logical_path_of_a_link() {
        assert_eq!(logical_path_of("fr/tax/rates.md"), "tax/rates");
        assert_eq!(logical_path_of("tax/rates.sv.md"), "tax/rates");
        assert_eq!(logical_path_of("fr/tax/index.md"), "tax");
    }

    #[test]
    fn tells_files_from_page_urls() {
        assert!(looks_like_file("assets/shot.png"));
        assert!(!looks_like_file("../guide/"));
        assert!(!looks_like_file("page.html"));
    }
}
