//! Stage 4: Markdown and templates to HTML, every page in parallel.
//!
//! The values handed to templates are plain serialisable structs; their field
//! names are the template API documented in the README.

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;
use serde::Serialize;
use tera::Context;

use crate::build::LoadedSite;
use crate::config::{Language, SiteConfig};
use crate::diagnostics::Diagnostic;
use crate::fallback::{self, Fallback};
use crate::markdown::{self, LinkTarget, RenderOptions};
use crate::nav::{NavLink, Navigation};
use crate::read::SourcePage;
use crate::status::{self, StatusReport};
use crate::templates::{Theme, template_error};
pub use crate::urls::page_url;
use crate::urls::{
    content_relative_path, is_content_file, is_external_or_anchor, join_relative, output_path,
    section_of,
};

/// A file of the finished site, its path relative to the output folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputFile {
    pub path: String,
    pub contents: Vec<u8>,
}

/// Where the translation status page is published, under the base path.
const STATUS_PAGE: &str = "translation-status/";

#[derive(Serialize)]
struct SiteValue<'a> {
    title: &'a str,
    base_url: &'a str,
    base_path: &'a str,
    source_language: &'a str,
    languages: Vec<LanguageValue<'a>>,
    /// The translation status page, empty when the site turned it off.
    status_url: String,
}

#[derive(Clone, Serialize)]
struct LanguageValue<'a> {
    tag: &'a str,
    name: &'a str,
    dir: &'static str,
    home_url: String,
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
    /// `(group, language)` -> URL of the fallback page standing in.
    fallback_urls: HashMap<(usize, String), String>,
    nav: Navigation,
    /// Page index -> title, for navigation links.
    titles: Vec<&'a str>,
    site_value: tera::Value,
}

impl<'a> SiteView<'a> {
    pub fn new(site: &'a LoadedSite, theme: &'a Theme) -> Self {
        let (config, pages) = (&site.config, site.pages.as_slice());
        let urls = pages
            .iter()
            .map(|p| page_url(config, &p.lang, &p.file.logical_path))
            .collect();
        let by_source_path = pages
            .iter()
            .enumerate()
            .map(|(index, page)| (content_relative_path(config, page), index))
            .collect();
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
        });
        SiteView {
            config,
            theme,
            site,
            pages,
            urls,
            by_source_path,
            fallback_urls: fallback::urls_by_group(&site.fallbacks),
            nav: Navigation::build(config, pages),
            titles: pages.iter().map(|p| p.title.as_str()).collect(),
            site_value,
        }
    }

    /// Renders every page and fallback page, each language's home, the site
    /// root and the translation status page.
    pub fn render_all(&self) -> (Vec<OutputFile>, Vec<Diagnostic>) {
        let jobs: Vec<PageJob> = (0..self.pages.len())
            .map(|index| self.own_page(index))
            .chain(self.site.fallbacks.iter().map(|f| self.fallback_page(f)))
            .collect();
        let rendered: Vec<(Option<OutputFile>, Vec<Diagnostic>)> =
            jobs.par_iter().map(|job| self.render_page(job)).collect();
        let mut files = Vec::with_capacity(rendered.len() + self.config.languages.len() + 2);
        let mut problems = Vec::new();
        for (file, notes) in rendered {
            files.extend(file);
            problems.extend(notes);
        }
        let mut singles: Vec<Result<OutputFile, Diagnostic>> = self
            .config
            .languages
            .iter()
            .map(|language| self.render_home(language))
            .collect();
        singles.push(self.render_root());
        if self.config.translations.status_page {
            singles.push(self.render_status(&status::collect(self.site)));
        }
        for single in singles {
            match single {
                Ok(file) => files.push(file),
                Err(problem) => problems.push(problem),
            }
        }
        (files, problems)
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

    fn render_page(&self, job: &PageJob) -> (Option<OutputFile>, Vec<Diagnostic>) {
        let page = &self.pages[job.content];
        let resolve = |dest: &str| self.resolve_link(job.content, job.lang, dest);
        let rendered = markdown::render(
            &page.body,
            &RenderOptions {
                resolve_link: &resolve,
            },
        );
        // A fallback shows another page's Markdown: its warnings are that page's own.
        let mut notes: Vec<Diagnostic> = if job.fallback {
            Vec::new()
        } else {
            rendered
                .warnings
                .iter()
                .map(|w| {
                    Diagnostic::warning(w.message.clone())
                        .in_file(&page.file.display_path)
                        .at(page.body_line + w.line - 1, w.column)
                })
                .collect()
        };
        let Some(content_language) = self.config.language(&page.lang) else {
            return (None, notes);
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
            toc: rendered
                .headings
                .into_iter()
                .map(|h| TocEntry {
                    level: h.level,
                    id: h.id,
                    text: h.text,
                })
                .collect(),
            content: rendered.html,
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
            Ok(file) => (Some(file), notes),
            Err(template_problem) => {
                // The template's own error is the same for every page it
                // breaks: the build prints it once (identical diagnostics are
                // merged) and names each page that could not be rendered.
                notes.push(template_problem);
                notes.push(
                    Diagnostic::error("page not rendered because of the template error above")
                        .in_file(&page.file.display_path),
                );
                (None, notes)
            }
        }
    }

    /// The sidebar, breadcrumbs and neighbours of a page; a fallback page
    /// sits in its reader's navigation without a place of its own.
    fn page_nav(&self, job: &PageJob) -> crate::nav::PageNav {
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
        let html = self
            .theme
            .tera
            .render(name, context)
            .map_err(|err| template_error(&err))?;
        Ok(OutputFile {
            path: output_path(self.config, url),
            contents: html.into_bytes(),
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
    /// Markdown files go to the page in that language when it exists.
    fn resolve_link(&self, index: usize, lang: &str, dest: &str) -> LinkTarget {
        if is_external_or_anchor(dest) {
            return LinkTarget::Keep;
        }
        let (path, fragment) = match dest.split_once('#') {
            Some((path, fragment)) => (path, format!("#{fragment}")),
            None => (dest, String::new()),
        };
        if !is_content_file(path) {
            return LinkTarget::Keep;
        }
        let base = content_relative_path(self.config, &self.pages[index]);
        let Some(target_path) = join_relative(&base, path) else {
            return LinkTarget::Missing;
        };
        let Some(&target) = self.by_source_path.get(&target_path) else {
            return LinkTarget::Missing;
        };
        let group = self.site.alignment.group_of_page[target];
        let url = match self.site.alignment.groups[group].pages.get(lang) {
            Some(&same_language) => self.urls[same_language].clone(),
            None => self
                .fallback_urls
                .get(&(group, lang.to_string()))
                .cloned()
                .unwrap_or_else(|| self.urls[target].clone()),
        };
        LinkTarget::Page(format!("{url}{fragment}"))
    }
}

fn language_value<'a>(config: &SiteConfig, language: &'a Language) -> LanguageValue<'a> {
    LanguageValue {
        tag: &language.tag,
        name: &language.name,
        dir: language.dir.as_str(),
        home_url: page_url(config, &language.tag, ""),
    }
}
