//! The translation status of a site: groups × languages, each cell present,
//! stale, missing or suggested. One model feeds the terminal table, the JSON
//! for CI and the status page of the site; its JSON form is a stable schema
//! (documented in the README; `schema_version` changes when it breaks).

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::align::fallback::{self, reference_page};
use crate::align::staleness::{GroupSource, StaleReason};
use crate::align::suggest::{Fix, Suggestion};
use crate::pipeline::LoadedSite;
use crate::read::SourcePage;
use crate::render::page_url;

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StatusReport {
    pub schema_version: u32,
    pub source_language: String,
    /// Configured languages, in the site's order.
    pub languages: Vec<String>,
    pub groups: Vec<GroupStatus>,
    pub coverage: Vec<Coverage>,
    pub totals: Totals,
    /// Pages nothing links to any other page.
    pub unaligned: Vec<UnalignedPage>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupStatus {
    /// Stable id: the exl-id, else the translation key, else the path.
    pub id: String,
    /// Title in the source language, else of the group's reference page.
    pub title: String,
    /// Logical path of the reference page (`commerce/b2b-and-b2c`).
    pub path: String,
    pub exl_id: Option<String>,
    pub source: SourceStatus,
    /// Language tag -> cell, for every configured language.
    pub cells: BTreeMap<String, Cell>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SourceStatus {
    /// The language of the source page, when the group has one.
    pub language: Option<String>,
    #[serde(flatten)]
    pub source: GroupSource,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CellStatus {
    /// The source-language page itself.
    Source,
    /// A translation, up to date.
    Present,
    Stale,
    Missing,
    /// Missing, but an unlinked page looks like this translation.
    Suggested,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    pub status: CellStatus,
    /// The file, relative to the site root (for missing cells: where the
    /// translation should be created).
    pub file: String,
    /// The page's URL; for missing cells the fallback page's URL, if built.
    pub url: Option<String>,
    pub title: Option<String>,
    pub source_git_commit: Option<String>,
    pub source_wordcount: Option<u64>,
    pub workflow_type: Option<String>,
    pub ht_degree: Option<u8>,
    pub machine_translated: bool,
    pub stale_reasons: Vec<StaleReason>,
    pub suggestion: Option<SuggestionStatus>,
    /// A fallback page stands in for this missing translation.
    pub fallback: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SuggestionStatus {
    /// The unlinked page that looks like this translation.
    pub file: String,
    pub score: f64,
    /// The front matter line to add, when that is the fix.
    pub front_matter: Option<String>,
    /// Where to move the file, when that is the fix.
    pub move_to: Option<String>,
    pub fix: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Coverage {
    pub language: String,
    /// Groups with a page in this language (up to date, stale or source).
    pub present: usize,
    pub stale: usize,
    pub missing: usize,
    pub suggested: usize,
    /// `present` over all groups, in percent.
    pub percent: f64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Totals {
    pub groups: usize,
    pub pages: usize,
    pub up_to_date: usize,
    pub stale: usize,
    pub missing: usize,
    pub suggested: usize,
    pub unaligned: usize,
    pub machine_translated: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UnalignedPage {
    pub file: String,
    /// Logical path (`articles/b2c`), shared by translations placed alike.
    pub path: String,
    pub language: String,
    pub title: String,
    pub suggestion: Option<SuggestionStatus>,
}

/// Whether a `workflow-type` such as `tm+mt` includes machine translation.
pub fn is_machine_translated(page: &SourcePage) -> bool {
    page.front.workflow_type.as_deref().is_some_and(|w| {
        w.split(['+', ',', ' '])
            .any(|part| part.trim().eq_ignore_ascii_case("mt"))
    })
}

/// The status of every group of the site.
pub fn collect(site: &LoadedSite) -> StatusReport {
    let fallback_urls = fallback::urls_by_group(&site.fallbacks);
    let anchored: HashSet<usize> = site
        .suggestions
        .iter()
        .filter(|s| s.group.is_some())
        .map(|s| s.page)
        .collect();
    let groups: Vec<GroupStatus> = site
        .alignment
        .groups
        .iter()
        .enumerate()
        .filter(|(_, group)| !group.pages.is_empty())
        .filter(|(_, group)| !group.pages.values().all(|p| anchored.contains(p)))
        .filter_map(|(index, _)| group_status(site, index, &fallback_urls))
        .collect();
    let unaligned = unaligned_pages(site);
    let mut report = StatusReport {
        schema_version: SCHEMA_VERSION,
        source_language: site.config.source_language.clone(),
        languages: site
            .config
            .languages
            .iter()
            .map(|l| l.tag.clone())
            .collect(),
        coverage: Vec::new(),
        totals: Totals::default(),
        groups,
        unaligned,
    };
    report.recount();
    report
}

fn group_status(
    site: &LoadedSite,
    index: usize,
    fallback_urls: &std::collections::HashMap<(usize, String), String>,
) -> Option<GroupStatus> {
    let (config, pages) = (&site.config, &site.pages);
    let group = &site.alignment.groups[index];
    let source = &site.staleness.sources[index];
    let reference = reference_page(config, pages, group, source)?;
    let reference_page = &pages[reference];
    let cells = config
        .languages
        .iter()
        .map(|language| {
            let cell = match group.pages.get(&language.tag) {
                Some(&page) => present_cell(site, page, source.page == Some(page)),
                None => {
                    let file = expected_file(
                        reference_page,
                        &language.tag,
                        &reference_page.file.logical_path,
                    );
                    let mut cell = missing_cell(
                        file,
                        fallback_urls.get(&(index, language.tag.clone())).cloned(),
                    );
                    if let Some(suggestion) = suggestion_into(site, index, &language.tag) {
                        cell.status = CellStatus::Suggested;
                        cell.suggestion = Some(suggestion);
                    }
                    cell
                }
            };
            (language.tag.clone(), cell)
        })
        .collect();
    Some(GroupStatus {
        id: group
            .exl_id
            .clone()
            .or_else(|| group.translation_key.clone())
            .unwrap_or_else(|| reference_page.file.logical_path.clone()),
        title: reference_page.title.clone(),
        path: reference_page.file.logical_path.clone(),
        exl_id: group.exl_id.clone(),
        source: SourceStatus {
            language: source.page.map(|p| pages[p].lang.clone()),
            source: source.clone(),
        },
        cells,
    })
}

fn present_cell(site: &LoadedSite, page: usize, is_source: bool) -> Cell {
    let source_page = &site.pages[page];
    let stale_reasons = site.staleness.stale.get(&page).cloned().unwrap_or_default();
    let status = match (is_source, stale_reasons.is_empty()) {
        (true, _) => CellStatus::Source,
        (false, true) => CellStatus::Present,
        (false, false) => CellStatus::Stale,
    };
    let front = &source_page.front;
    Cell {
        status,
        file: display(source_page),
        url: Some(page_url(
            &site.config,
            &source_page.lang,
            &source_page.url_path(),
        )),
        title: Some(source_page.title.clone()),
        source_git_commit: front.source_git_commit.clone(),
        source_wordcount: front.source_wordcount,
        workflow_type: front.workflow_type.clone(),
        ht_degree: front.ht_degree,
        machine_translated: is_machine_translated(source_page),
        stale_reasons,
        suggestion: None,
        fallback: false,
    }
}

fn missing_cell(file: String, fallback_url: Option<String>) -> Cell {
    Cell {
        status: CellStatus::Missing,
        file,
        fallback: fallback_url.is_some(),
        url: fallback_url,
        title: None,
        source_git_commit: None,
        source_wordcount: None,
        workflow_type: None,
        ht_degree: None,
        machine_translated: false,
        stale_reasons: Vec::new(),
        suggestion: None,
    }
}

/// A suggestion of a page in `lang` into this group, or pairing with one of
/// its pages when the group is a single unlinked page itself.
fn suggestion_into(site: &LoadedSite, group: usize, lang: &str) -> Option<SuggestionStatus> {
    site.suggestions
        .iter()
        .filter(|s| site.pages[s.page].lang == lang)
        .find(|s| {
            s.group == Some(group)
                || (s.group.is_none()
                    && s.partners
                        .iter()
                        .any(|&p| site.alignment.group_of_page[p] == group))
        })
        .map(|s| suggestion_status(&site.pages, s))
}

fn suggestion_status(pages: &[SourcePage], suggestion: &Suggestion) -> SuggestionStatus {
    let (front_matter, move_to) = match &suggestion.fix {
        Fix::FrontMatter(line) => (Some(line.clone()), None),
        Fix::MoveTo(path) => (None, Some(path.display().to_string())),
    };
    SuggestionStatus {
        file: display(&pages[suggestion.page]),
        score: (suggestion.score * 100.0).round() / 100.0,
        front_matter,
        move_to,
        fix: suggestion.fix.describe(),
    }
}

fn unaligned_pages(site: &LoadedSite) -> Vec<UnalignedPage> {
    site.alignment
        .groups
        .iter()
        .filter(|g| g.is_unaligned())
        .filter_map(|g| g.pages.values().next().copied())
        .map(|page| UnalignedPage {
            file: display(&site.pages[page]),
            path: site.pages[page].file.logical_path.clone(),
            language: site.pages[page].lang.clone(),
            title: site.pages[page].title.clone(),
            suggestion: site
                .suggestions
                .iter()
                .find(|s| s.page == page)
                .map(|s| suggestion_status(&site.pages, s)),
        })
        .collect()
}

fn display(page: &SourcePage) -> String {
    page.file.display_path.to_string_lossy().replace('\\', "/")
}

/// Where a translation into `lang` of a page at `logical_path` belongs,
/// following the reference page's layout (language folder or suffix).
pub fn expected_file(reference: &SourcePage, lang: &str, logical_path: &str) -> String {
    let extension = reference
        .file
        .path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("md");
    let display = display(reference);
    let content_root = display.split('/').next().unwrap_or("content");
    let name = if logical_path.is_empty() {
        "index"
    } else {
        logical_path
    };
    if reference.file.folder_language.is_some() || reference.file.suffix_language.is_none() {
        format!("{content_root}/{lang}/{name}.{extension}")
    } else {
        format!("{content_root}/{name}.{lang}.{extension}")
    }
}

/// Which cells count, for filters and `--fail-on`.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub languages: Vec<String>,
    /// Logical path prefix, such as `commerce/`.
    pub section: Option<String>,
}

impl StatusReport {
    /// Keeps only the given languages and the groups under the section.
    pub fn filtered(mut self, filter: &Filter) -> StatusReport {
        if let Some(section) = &filter.section {
            let prefix = section.trim_matches('/');
            let in_section = |path: &str| path == prefix || path.starts_with(&format!("{prefix}/"));
            self.groups.retain(|g| in_section(&g.path));
            self.unaligned.retain(|u| in_section(&u.path));
        }
        if !filter.languages.is_empty() {
            let keep = |lang: &String| filter.languages.contains(lang);
            self.languages.retain(keep);
            for group in &mut self.groups {
                group.cells.retain(|lang, _| keep(lang));
            }
            self.unaligned.retain(|u| keep(&u.language));
        }
        self.recount();
        self
    }

    fn recount(&mut self) {
        let mut totals = Totals {
            groups: self.groups.len(),
            unaligned: self.unaligned.len(),
            ..Totals::default()
        };
        self.coverage = self
            .languages
            .iter()
            .map(|lang| {
                let mut coverage = Coverage {
                    language: lang.clone(),
                    ..Coverage::default()
                };
                for cell in self.groups.iter().filter_map(|g| g.cells.get(lang)) {
                    count_cell(cell, &mut coverage, &mut totals);
                }
                coverage.percent = percent(coverage.present, self.groups.len());
                coverage
            })
            .collect();
        self.totals = totals;
    }
}

fn count_cell(cell: &Cell, coverage: &mut Coverage, totals: &mut Totals) {
    match cell.status {
        CellStatus::Source | CellStatus::Present => {
            coverage.present += 1;
            totals.up_to_date += 1;
        }
        CellStatus::Stale => {
            coverage.present += 1;
            coverage.stale += 1;
            totals.stale += 1;
        }
        CellStatus::Missing => coverage.missing += 1,
        CellStatus::Suggested => {
            coverage.missing += 1;
            coverage.suggested += 1;
            totals.suggested += 1;
        }
    }
    if matches!(cell.status, CellStatus::Missing | CellStatus::Suggested) {
        totals.missing += 1;
    } else {
        totals.pages += 1;
    }
    totals.machine_translated += usize::from(cell.machine_translated);
}

fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        100.0
    } else {
        (1000.0 * part as f64 / whole as f64).round() / 10.0
    }
}
