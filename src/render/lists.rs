//! The pages every site has besides its content: each language's home,
//! the root, 404 pages, the translation status page and redirects.

use std::collections::{BTreeMap, HashSet};

use crate::align::status;
use crate::model::staleness::{FieldChange, SourceChanges};
use crate::model::urls::{output_path, page_url, review_url, section_of};
use crate::model::{Diagnostic, Language, OutputFile};
use crate::navigation::Section;
use crate::render::theme::template_error;

use super::values::{
    Alternate, FieldRow, GuideValue, ListedPage, ReviewValue, SectionValue, StatusPageLink,
};
use super::{STATUS_GROUPS_PER_PAGE, STATUS_PAGE, SiteView};

impl SiteView<'_> {
    /// Each language's home, the root, the 404 pages, the status page (unless
    /// turned off) and the redirects of aliases.
    /// Each is handed to `sink` as soon as it is made: a big site's homes
    /// and status pages are megabytes each, and were all held at once.
    pub fn site_pages(&self, sink: &mut dyn FnMut(Result<OutputFile, Diagnostic>)) {
        let languages = || {
            self.config
                .languages
                .iter()
                .filter(|l| self.renders_language(&l.tag))
        };
        for language in languages() {
            sink(self.render_home(language));
        }
        sink(self.render_root());
        for language in languages() {
            sink(self.render_not_found(Some(language)));
        }
        sink(self.render_not_found(None));
        if self.config.translations.status_page {
            self.render_status(sink);
        }
        for redirect in self.redirects() {
            sink(redirect);
        }
        if self.config.translations.status_page {
            self.render_reviews(sink);
        }
    }

    /// A review page for every translation stale by its source's history.
    fn render_reviews(&self, sink: &mut dyn FnMut(Result<OutputFile, Diagnostic>)) {
        let mut stale: Vec<(usize, &SourceChanges)> = self
            .site
            .staleness
            .translations
            .iter()
            .filter_map(|(&page, a)| Some((page, a.changes.as_deref()?)))
            .collect();
        stale.sort_by_key(|(page, _)| *page);
        for (page, changes) in stale {
            if let Some(review) = self.render_review(page, changes) {
                sink(review);
            }
        }
    }

    fn render_review(
        &self,
        page: usize,
        changes: &SourceChanges,
    ) -> Option<Result<OutputFile, Diagnostic>> {
        let translation = &self.pages[page];
        let group = self.site.alignment.group_of_page[page];
        let source = &self.pages[self.site.staleness.sources[group].page?];
        let strings = self.theme.strings_for(&self.config.languages[0].tag);
        let label = |key: &str| strings.get(key).map_or("", String::as_str);
        let review = ReviewValue {
            title: &translation.title,
            url: &self.index.urls[page],
            lang: &translation.lang,
            file: translation.file.display_path.display().to_string(),
            source_title: &source.title,
            source_url: &self.index.urls[self.site.staleness.sources[group].page?],
            source_lang: &source.lang,
            source_file: source.file.display_path.display().to_string(),
            revision: &changes.revision,
            path_then: &changes.path_then,
            fields: [
                field_row(
                    label("review_field_title"),
                    &changes.title,
                    &translation.front.title,
                ),
                field_row(
                    label("review_field_description"),
                    &changes.description,
                    &translation.front.description,
                ),
            ]
            .into_iter()
            .flatten()
            .collect(),
            rows: &changes.rows,
        };
        let url = review_url(self.config, &translation.lang, &translation.url_path());
        let first = &self.config.languages[0];
        let mut context = self.base_context(&first.tag);
        context.insert("review", &review);
        context.insert("translations", &self.home_translations(None));
        context.insert("alternates", &Vec::<Alternate>::new());
        context.insert("canonical", &self.permalink(&url));
        Some(self.render_template("review.html", &context, &url))
    }

    pub(super) fn render_home(&self, language: &Language) -> Result<OutputFile, Diagnostic> {
        let url = page_url(self.config, &language.tag, "");
        let mut context = self.base_context(&language.tag);
        context.insert("sections", &self.sections_of(&language.tag));
        context.insert("translations", &self.home_translations(Some(language)));
        context.insert("alternates", &self.home_alternates());
        context.insert("canonical", &self.permalink(&url));
        self.render_template("home.html", &context, &url)
    }

    pub(super) fn render_root(&self) -> Result<OutputFile, Diagnostic> {
        let first = &self.config.languages[0];
        let mut context = self.base_context(&first.tag);
        context.insert("translations", &self.home_translations(None));
        context.insert("alternates", &self.home_alternates());
        context.insert("canonical", &self.config.base_url);
        self.render_template("root.html", &context, &self.config.base_path)
    }

    /// A small redirecting page at each alias of a page, unless a real page
    /// already has that URL.
    pub(super) fn redirects(&self) -> Vec<Result<OutputFile, Diagnostic>> {
        let taken: std::collections::HashSet<&str> =
            self.index.urls.iter().map(String::as_str).collect();
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
                let target = html_escape::encode_double_quoted_attribute(&self.index.urls[index])
                    .into_owned();
                let permalink = html_escape::encode_double_quoted_attribute(
                    &self.permalink(&self.index.urls[index]),
                )
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
    pub(super) fn render_not_found(
        &self,
        language: Option<&Language>,
    ) -> Result<OutputFile, Diagnostic> {
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

    /// The status pages speak the site's first language: they are for the
    /// translators of every language, not for readers of one. A big site's
    /// table is cut into pages of [`STATUS_GROUPS_PER_PAGE`] rows, each with
    /// the whole site's coverage and totals: one page of 20,000 rows is more
    /// than a browser shows well, and its template values alone took 100 MB
    /// to render at 5,000 pages.
    /// The status pages, [`STATUS_GROUPS_PER_PAGE`] groups each. The groups
    /// are made twice, once for the counts and the page links, once a page
    /// at a time to render: the status of a big site is never held whole.
    fn render_status(&self, sink: &mut dyn FnMut(Result<OutputFile, Diagnostic>)) {
        let mut report = status::summary(self.site);
        let unaligned = std::mem::take(&mut report.unaligned);
        let mut bounds: Vec<(String, String)> = Vec::new();
        for (at, group) in status::groups(self.site).enumerate() {
            if at % STATUS_GROUPS_PER_PAGE == 0 {
                bounds.push((group.title.clone(), String::new()));
            }
            if let Some(last) = bounds.last_mut() {
                last.1.clone_from(&group.title);
            }
        }
        if bounds.is_empty() {
            bounds.push(Default::default());
        }
        let urls: Vec<String> = (0..bounds.len()).map(|n| self.status_page_url(n)).collect();
        let pages: Vec<StatusPageLink> = bounds
            .iter()
            .zip(&urls)
            .enumerate()
            .map(|(n, ((first, last), url))| StatusPageLink {
                number: n + 1,
                url,
                first,
                last,
            })
            .collect();
        let first = &self.config.languages[0];
        let mut groups = status::groups(self.site);
        for (n, url) in urls.iter().enumerate() {
            report.groups = groups.by_ref().take(STATUS_GROUPS_PER_PAGE).collect();
            report.unaligned = if n == 0 {
                unaligned.clone()
            } else {
                Vec::new()
            };
            let mut context = self.base_context(&first.tag);
            context.insert("status", &report);
            context.insert("status_pages", &pages);
            context.insert("status_page", &(n + 1));
            context.insert("translations", &self.home_translations(None));
            context.insert("alternates", &Vec::<Alternate>::new());
            context.insert("canonical", &self.permalink(url));
            sink(self.render_template("status.html", &context, url));
        }
    }

    /// `/translation-status/`, then `/translation-status/page/2/` and on.
    fn status_page_url(&self, index: usize) -> String {
        match index {
            0 => format!("{}{STATUS_PAGE}", self.config.base_path),
            n => format!("{}{STATUS_PAGE}page/{}/", self.config.base_path, n + 1),
        }
    }

    /// The pages of one language grouped by their first folder; pages at the
    /// language root come first under the empty name. Pages a guide's TOC
    /// lists (and its index page) are listed under that guide instead, in
    /// the TOC's order: an Experience League repository keeps every guide
    /// under `help/`, which made one section of thousands of pages.
    pub(super) fn sections_of(&self, lang: &str) -> Vec<SectionValue<'_>> {
        let mut sections: BTreeMap<&str, SectionValue> = BTreeMap::new();
        let mut in_a_guide: HashSet<usize> = HashSet::new();
        for guide in self.index.nav.guides(lang) {
            in_a_guide.extend(guide.index.iter().chain(&guide.pages));
            let folder = guide.name.split('/').next().unwrap_or_default();
            section_entry(&mut sections, folder)
                .guides
                .push(self.guide_value(guide));
        }
        for (index, page) in self
            .pages
            .iter()
            .enumerate()
            .filter(|(index, p)| p.lang == lang && !in_a_guide.contains(index))
        {
            if page.file.logical_path.is_empty() {
                continue; // the language's own home page
            }
            section_entry(&mut sections, section_of(&page.file.logical_path))
                .pages
                .push(self.listed_page(index));
        }
        sections.into_values().collect()
    }

    /// A guide as the home lists it: its title, leading to its index page
    /// (else its first page), and its pages in the TOC's order.
    fn guide_value<'v>(&'v self, guide: &'v Section) -> GuideValue<'v> {
        let first = guide.link_page();
        GuideValue {
            anchor: crate::navigation::guide_anchor(&guide.name),
            title: &guide.title,
            url: first.map_or("", |page| self.index.urls[page].as_str()),
            pages: guide.pages.iter().map(|&p| self.listed_page(p)).collect(),
        }
    }

    fn listed_page(&self, index: usize) -> ListedPage<'_> {
        let page = &self.pages[index];
        ListedPage {
            title: &page.title,
            url: &self.index.urls[index],
            description: super::page::shown_description(page),
        }
    }
}

fn section_entry<'s, 'v>(
    sections: &'s mut BTreeMap<&'v str, SectionValue<'v>>,
    name: &'v str,
) -> &'s mut SectionValue<'v> {
    sections.entry(name).or_insert_with(|| SectionValue {
        name,
        pages: Vec::new(),
        guides: Vec::new(),
    })
}

/// A changed title or description of a review page.
fn field_row<'a>(
    name: &'a str,
    change: &'a Option<FieldChange>,
    translated: &'a Option<String>,
) -> Option<FieldRow<'a>> {
    change.as_ref().map(|c| FieldRow {
        name,
        then: c.old.as_deref(),
        now: c.new.as_deref(),
        translation: translated.as_deref(),
    })
}
