//! Stage 4: Markdown and templates to HTML, every page in parallel.
//!
//! The values handed to templates are plain serialisable structs; their field
//! names are the template API documented in the README.

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;
use serde::Serialize;
use tera::Context;

use crate::align::Alignment;
use crate::config::{Language, SiteConfig};
use crate::diagnostics::Diagnostic;
use crate::markdown::{self, LinkTarget, RenderOptions};
use crate::read::SourcePage;
use crate::templates::{Theme, template_error};

/// A file of the finished site, its path relative to the output folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputFile {
    pub path: String,
    pub contents: Vec<u8>,
}

#[derive(Serialize)]
struct SiteValue<'a> {
    title: &'a str,
    base_url: &'a str,
    base_path: &'a str,
    source_language: &'a str,
    languages: Vec<LanguageValue<'a>>,
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
    url: String,
    available: bool,
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

/// Everything the render stage reads; built once and shared by all threads.
pub struct SiteView<'a> {
    config: &'a SiteConfig,
    theme: &'a Theme,
    pages: &'a [SourcePage],
    alignment: &'a Alignment,
    /// Page index -> site-relative URL (`/fr/commerce/b2b/`).
    urls: Vec<String>,
    /// Content-relative source path (`fr/commerce/b2b.md`) -> page index.
    by_source_path: HashMap<String, usize>,
    site_value: tera::Value,
}

impl<'a> SiteView<'a> {
    pub fn new(
        config: &'a SiteConfig,
        theme: &'a Theme,
        pages: &'a [SourcePage],
        alignment: &'a Alignment,
    ) -> Self {
        let urls = pages
            .iter()
            .map(|p| page_url(config, &p.lang, &p.file.logical_path))
            .collect();
        let by_source_path = pages
            .iter()
            .enumerate()
            .map(|(index, page)| (content_relative_path(config, page), index))
            .collect();
        let site = SiteValue {
            title: &config.title,
            base_url: &config.base_url,
            base_path: &config.base_path,
            source_language: &config.source_language,
            languages: config
                .languages
                .iter()
                .map(|l| language_value(config, l))
                .collect(),
        };
        let site_value = tera::Value::from_serializable(&site);
        SiteView {
            config,
            theme,
            pages,
            alignment,
            urls,
            by_source_path,
            site_value,
        }
    }

    /// Renders every page, each language's home and the site root.
    pub fn render_all(&self) -> (Vec<OutputFile>, Vec<Diagnostic>) {
        let rendered: Vec<(Option<OutputFile>, Vec<Diagnostic>)> = (0..self.pages.len())
            .into_par_iter()
            .map(|index| self.render_page(index))
            .collect();
        let mut files = Vec::with_capacity(rendered.len() + self.config.languages.len() + 1);
        let mut problems = Vec::new();
        for (file, notes) in rendered {
            files.extend(file);
            problems.extend(notes);
        }
        for language in &self.config.languages {
            self.collect(self.render_home(language), &mut files, &mut problems);
        }
        self.collect(self.render_root(), &mut files, &mut problems);
        (files, problems)
    }

    fn collect(
        &self,
        result: Result<OutputFile, Diagnostic>,
        files: &mut Vec<OutputFile>,
        problems: &mut Vec<Diagnostic>,
    ) {
        match result {
            Ok(file) => files.push(file),
            Err(problem) => problems.push(problem),
        }
    }

    fn render_page(&self, index: usize) -> (Option<OutputFile>, Vec<Diagnostic>) {
        let page = &self.pages[index];
        let resolve = |dest: &str| self.resolve_link(index, dest);
        let rendered = markdown::render(
            &page.body,
            &RenderOptions {
                resolve_link: &resolve,
            },
        );
        let mut notes: Vec<Diagnostic> = rendered
            .warnings
            .iter()
            .map(|w| {
                Diagnostic::warning(w.message.clone())
                    .in_file(&page.file.display_path)
                    .at(page.body_line + w.line - 1, w.column)
            })
            .collect();
        let value = PageValue {
            title: &page.title,
            description: page.front.description.as_deref().unwrap_or(""),
            url: &self.urls[index],
            permalink: self.permalink(&self.urls[index]),
            has_h1: rendered.first_h1.is_some(),
            word_count: rendered.word_count,
            section: section_of(&page.file.logical_path),
            lang: &page.lang,
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
        let mut context = self.base_context(&page.lang);
        context.insert("page", &value);
        context.insert("translations", &self.page_translations(index));
        context.insert("alternates", &self.page_alternates(index));
        context.insert("canonical", &value.permalink);
        match self.render_template("page.html", &context, &self.urls[index]) {
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

    fn render_home(&self, language: &Language) -> Result<OutputFile, Diagnostic> {
        let url = page_url(self.config, &language.tag, "");
        let mut context = self.base_context(&language.tag);
        context.insert("sections", &self.sections_of(&language.tag));
        let translations: Vec<TranslationValue> = self
            .config
            .languages
            .iter()
            .map(|l| {
                self.translation_entry(l, Some(page_url(self.config, &l.tag, "")), l == language)
            })
            .collect();
        context.insert("translations", &translations);
        context.insert("alternates", &self.home_alternates());
        context.insert("canonical", &self.permalink(&url));
        self.render_template("home.html", &context, &url)
    }

    fn render_root(&self) -> Result<OutputFile, Diagnostic> {
        let first = &self.config.languages[0];
        let mut context = self.base_context(&first.tag);
        let translations: Vec<TranslationValue> = self
            .config
            .languages
            .iter()
            .map(|l| self.translation_entry(l, Some(page_url(self.config, &l.tag, "")), false))
            .collect();
        context.insert("translations", &translations);
        context.insert("alternates", &self.home_alternates());
        context.insert("canonical", &self.config.base_url);
        self.render_template("root.html", &context, &self.config.base_path)
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

    /// Every configured language, in config order: the translation's URL where
    /// there is one, an unavailable entry where there is none.
    fn page_translations(&self, index: usize) -> Vec<TranslationValue<'_>> {
        let current = &self.pages[index].lang;
        self.config
            .languages
            .iter()
            .map(|language| {
                let url = self
                    .alignment
                    .translation(index, &language.tag)
                    .map(|i| self.urls[i].clone());
                self.translation_entry(language, url, &language.tag == current)
            })
            .collect()
    }

    fn translation_entry<'l>(
        &self,
        language: &'l Language,
        url: Option<String>,
        current: bool,
    ) -> TranslationValue<'l> {
        TranslationValue {
            tag: &language.tag,
            name: &language.name,
            dir: language.dir.as_str(),
            available: url.is_some(),
            url: url.unwrap_or_default(),
            current,
        }
    }

    /// hreflang links for the existing translations, plus x-default: the
    /// source-language page when it exists, else the language chooser.
    fn page_alternates(&self, index: usize) -> Vec<Alternate> {
        let mut alternates: Vec<Alternate> = self
            .config
            .languages
            .iter()
            .filter_map(|l| {
                let translation = self.alignment.translation(index, &l.tag)?;
                Some(Alternate {
                    hreflang: l.tag.clone(),
                    href: self.permalink(&self.urls[translation]),
                })
            })
            .collect();
        let default = self
            .alignment
            .translation(index, &self.config.source_language)
            .map_or_else(
                || self.config.base_url.clone(),
                |i| self.permalink(&self.urls[i]),
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

    /// Where a link in page `index` should point. Links to Markdown files go
    /// to the page in the same language when that translation exists.
    fn resolve_link(&self, index: usize, dest: &str) -> LinkTarget {
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
        let page = &self.pages[index];
        let base = content_relative_path(self.config, page);
        let Some(target_path) = join_relative(&base, path) else {
            return LinkTarget::Missing;
        };
        let Some(&target) = self.by_source_path.get(&target_path) else {
            return LinkTarget::Missing;
        };
        let same_language = self
            .alignment
            .translation(target, &page.lang)
            .unwrap_or(target);
        LinkTarget::Page(format!("{}{fragment}", self.urls[same_language]))
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

/// Pretty, stable URLs: `/fr/commerce/b2b/` (under the base path).
pub fn page_url(config: &SiteConfig, lang: &str, logical_path: &str) -> String {
    if logical_path.is_empty() {
        format!("{}{lang}/", config.base_path)
    } else {
        format!("{}{lang}/{logical_path}/", config.base_path)
    }
}

/// The file behind a URL: `/fr/commerce/b2b/` -> `fr/commerce/b2b/index.html`.
fn output_path(config: &SiteConfig, url: &str) -> String {
    let relative = url
        .strip_prefix(&config.base_path)
        .unwrap_or(url.trim_start_matches('/'));
    format!("{relative}index.html")
}

fn section_of(logical_path: &str) -> &str {
    match logical_path.split_once('/') {
        Some((section, _)) => section,
        None => "",
    }
}

fn content_relative_path(config: &SiteConfig, page: &SourcePage) -> String {
    let path = page
        .file
        .path
        .strip_prefix(&config.content_dir)
        .unwrap_or(&page.file.path);
    path.iter()
        .map(|p| p.to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

fn is_external_or_anchor(dest: &str) -> bool {
    let scheme_end = dest.find(':');
    let path_start = dest.find(['/', '?', '#']).unwrap_or(dest.len());
    dest.is_empty()
        || dest.starts_with('#')
        || dest.starts_with("//")
        || scheme_end.is_some_and(|i| i < path_start)
}

fn is_content_file(path: &str) -> bool {
    let path = path.split('?').next().unwrap_or(path);
    [".md", ".markdown", ".txt"]
        .iter()
        .any(|ext| path.ends_with(ext))
}

/// Resolves `link` against the folder of `from` (both content-relative, `/`
/// separated). `None` when the link climbs out of the content folder.
fn join_relative(from: &str, link: &str) -> Option<String> {
    let mut parts: Vec<&str> = if link.starts_with('/') {
        Vec::new()
    } else {
        let mut base: Vec<&str> = from.split('/').collect();
        base.pop();
        base
    };
    for segment in link.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_relative_links() {
        assert_eq!(
            join_relative("fr/a/b.md", "c.md").as_deref(),
            Some("fr/a/c.md")
        );
        assert_eq!(
            join_relative("fr/a/b.md", "../x/y.md").as_deref(),
            Some("fr/x/y.md")
        );
        assert_eq!(join_relative("fr/b.md", "../../y.md"), None);
        assert_eq!(
            join_relative("fr/a/b.md", "/fr/z.md").as_deref(),
            Some("fr/z.md")
        );
    }

    #[test]
    fn tells_external_links_apart() {
        assert!(is_external_or_anchor("https://example.org/a.md"));
        assert!(is_external_or_anchor("mailto:a@b.c"));
        assert!(is_external_or_anchor("#top"));
        assert!(!is_external_or_anchor("../a.md"));
        assert!(!is_external_or_anchor("a.md#x:y"));
    }

    #[test]
    fn output_paths_follow_urls() {
        let config = SiteConfig::parse(
            std::path::Path::new("/s"),
            "title='t'\nbase_url='https://x.org/docs/'\n[[languages]]\ntag='fr'\n",
        )
        .unwrap();
        let url = page_url(&config, "fr", "commerce/b2b");
        assert_eq!(url, "/docs/fr/commerce/b2b/");
        assert_eq!(output_path(&config, &url), "fr/commerce/b2b/index.html");
        assert_eq!(output_path(&config, &config.base_path), "index.html");
    }
}
