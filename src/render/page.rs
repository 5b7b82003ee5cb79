//! One page through Markdown and the `page.html` template: its own
//! content, or another language's standing in for a missing translation.

use crate::align::status;
use crate::markdown::exl;
use crate::markdown::{self, RenderOptions};
use crate::model::urls::page_url;
use crate::model::urls::{content_relative_path, section_of};
use crate::model::{Diagnostic, Fallback, OutputFile, SourcePage};
use crate::navigation::NavLink;

use super::values::{
    Alternate, PageValue, StaleNotice, TocEntry, iso_date, key_value_pairs, language_value,
};
use super::{PageKind, SiteView};

pub(super) struct PageOutcome {
    pub(super) file: Option<OutputFile>,
    pub(super) notes: Vec<Diagnostic>,
    pub(super) zero_width_removed: usize,
}

/// What a page to render shows: its own content, or another page's content
/// standing in for a missing translation.
pub(super) struct PageJob<'a> {
    /// The page whose Markdown is rendered.
    pub(super) content: usize,
    /// The language the reader browses.
    pub(super) lang: &'a str,
    pub(super) url: &'a str,
    pub(super) group: usize,
    pub(super) fallback: bool,
}

impl PageJob<'_> {
    pub(super) fn kind(&self) -> PageKind {
        if self.fallback {
            PageKind::Fallback
        } else {
            PageKind::Translation
        }
    }
}

impl SiteView<'_> {
    pub(super) fn own_page(&self, index: usize) -> PageJob<'_> {
        PageJob {
            content: index,
            lang: &self.pages[index].lang,
            url: &self.index.urls[index],
            group: self.site.alignment.group_of_page[index],
            fallback: false,
        }
    }

    pub(super) fn fallback_page<'f>(&self, fallback: &'f Fallback) -> PageJob<'f> {
        PageJob {
            content: fallback.reference,
            lang: &fallback.lang,
            url: &fallback.url,
            group: fallback.group,
            fallback: true,
        }
    }

    pub(super) fn render_page(&self, job: &PageJob) -> PageOutcome {
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
        let front_matter = page.front.all();
        let value = PageValue {
            title: &page.title,
            description: shown_description(page),
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
            front_matter: &front_matter,
            seo_title: page
                .front
                .seo_title
                .as_deref()
                .map_or_else(|| page.title.clone(), crate::read::clean_title),
            seo_description: page
                .front
                .seo_description
                .as_deref()
                .map_or_else(|| shown_description(page), crate::read::shown_text),
            attributes: front_matter
                .iter()
                .filter_map(|(key, value)| Some((key.as_str(), key_value_pairs(value.as_str()?)?)))
                .collect(),
            stale: self.stale_notice(job),
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
            context.insert("canonical", &self.permalink(&self.index.urls[job.content]));
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

    /// The notice of a stale translation: when its source changed and
    /// where the source page is.
    fn stale_notice(&self, job: &PageJob) -> Option<StaleNotice<'_>> {
        if job.fallback || !self.config.stale_notice {
            return None;
        }
        let assessment = self.site.staleness.translations.get(&job.content)?;
        if !assessment.is_stale() {
            return None;
        }
        let source = self.site.staleness.sources[job.group].page;
        Some(StaleNotice {
            source_changed: assessment
                .changes
                .as_ref()
                .and_then(|c| c.source_changed)
                .map(iso_date),
            source_url: source.map(|page| self.index.urls[page].as_str()),
            source_lang: &self.config.source_language,
        })
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
            hidden: 0,
        };
        let current = (!job.fallback).then_some(job.content);
        self.index
            .nav
            .page_view(job.lang, current, &self.index.urls, &self.titles, home)
    }
}

/// The page's description as readers see it in lists and `<head>`: inline
/// tokens as their text, zero-width spaces removed; empty when it has none.
pub(super) fn shown_description(page: &SourcePage) -> String {
    page.front
        .description
        .as_deref()
        .map(crate::read::shown_text)
        .unwrap_or_default()
}
