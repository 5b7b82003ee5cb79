//! The translation status of a site: groups × languages, each cell present,
//! stale, missing or suggested. One model feeds the terminal table, the JSON
//! for CI and the status page of the site; its JSON form is a stable schema
//! (documented in the README; `schema_version` changes when it breaks).

use std::collections::HashSet;

use crate::align::fallback::{self, reference_page};
use crate::model::LoadedSite;
use crate::model::SourcePage;
use crate::model::staleness::{Assessment, Freshness, SourceChanges};
use crate::model::status::CellStatus;
use crate::model::status::SCHEMA_VERSION;
use crate::model::status::SourceStatus;
use crate::model::status::StatusReport;
use crate::model::status::SuggestionStatus;
use crate::model::status::Totals;
use crate::model::status::UnalignedPage;
use crate::model::status::{Cell, ChangedBlock};
use crate::model::status::{GroupKind, GroupStatus};
use crate::model::urls::{page_url, review_url};
use crate::model::{Fix, Suggestion};

/// Whether a `workflow-type` such as `tm+mt` includes machine translation.
pub fn is_machine_translated(page: &SourcePage) -> bool {
    page.front.workflow_type.as_deref().is_some_and(|w| {
        w.split(['+', ',', ' '])
            .any(|part| part.trim().eq_ignore_ascii_case("mt"))
    })
}

/// The status of every group of the site.
pub fn collect(site: &LoadedSite) -> StatusReport {
    let mut report = without_groups(site);
    report.groups = groups(site).collect();
    report.recount();
    report
}

/// The report without its groups, but with the coverage and totals of all
/// of them: with [`groups`], the status of a big site a slice at a time,
/// never whole in memory.
pub fn summary(site: &LoadedSite) -> StatusReport {
    let mut report = without_groups(site);
    // One group at a time: the count keeps nothing of them.
    report.count(groups(site));
    report
}

fn without_groups(site: &LoadedSite) -> StatusReport {
    StatusReport {
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
        groups: Vec::new(),
        unaligned: unaligned_pages(site),
    }
}

/// The status of every translation group with pages, and of the tracked
/// parts (TOCs, snippets), made one at a time.
pub fn groups(site: &LoadedSite) -> impl Iterator<Item = GroupStatus> + '_ {
    let fallback_urls = fallback::urls_by_group(&site.fallbacks);
    let anchored: HashSet<usize> = site
        .suggestions
        .iter()
        .filter(|s| s.group.is_some())
        .map(|s| s.page)
        .collect();
    site.alignment
        .groups
        .iter()
        .enumerate()
        .filter(|(_, group)| !group.pages.is_empty())
        .filter(move |(_, group)| !group.pages.values().all(|p| anchored.contains(p)))
        .filter_map(move |(index, _)| group_status(site, index, &fallback_urls))
        .chain(std::iter::once_with(|| part_groups(site)).flatten())
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
        kind: GroupKind::Page,
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
    let assessment = site
        .staleness
        .translations
        .get(&page)
        .filter(|_| !is_source);
    let url = page_url(&site.config, &source_page.lang, &source_page.url_path());
    let review = assessment
        .and_then(|a| a.changes.as_ref())
        .map(|_| review_url(&site.config, &source_page.lang, &source_page.url_path()));
    translation_cell(source_page, assessment, is_source, Some(url), review)
}

/// The cell of a page or part that exists in its language.
fn translation_cell(
    page: &SourcePage,
    assessment: Option<&Assessment>,
    is_source: bool,
    url: Option<String>,
    review_url: Option<String>,
) -> Cell {
    let status = match assessment.map(|a| a.freshness) {
        _ if is_source => CellStatus::Source,
        Some(Freshness::Stale) => CellStatus::Stale,
        Some(Freshness::Unknown) => CellStatus::Unknown,
        Some(Freshness::Current) | None => CellStatus::Present,
    };
    let changes = assessment.and_then(|a| a.changes.as_deref());
    let front = &page.front;
    Cell {
        status,
        file: display(page),
        url,
        title: Some(page.title.clone()),
        source_git_commit: front.source_git_commit.clone(),
        source_wordcount: front.source_wordcount,
        workflow_type: front.workflow_type.clone(),
        ht_degree: front.ht_degree,
        machine_translated: is_machine_translated(page),
        stale_reasons: assessment.map(|a| a.reasons.clone()).unwrap_or_default(),
        decided_by: assessment.map(|a| a.decided_by),
        explanation: assessment.map(|a| a.explanation.clone()),
        note: assessment.and_then(|a| a.note.clone()),
        changed_blocks: changes.map(changed_blocks).unwrap_or_default(),
        review_url,
        suggestion: None,
        fallback: false,
    }
}

/// The rows of the parts: each guide's TOC.md and each `_includes/` file,
/// the same file in every language.
fn part_groups(site: &LoadedSite) -> Vec<GroupStatus> {
    let parts = &site.parts;
    parts
        .groups
        .groups
        .iter()
        .enumerate()
        .filter_map(|(index, group)| {
            let source = &parts.staleness.sources[index];
            let reference = &parts.files[source.page.or(group.pages.values().next().copied())?];
            let path = reference.file.logical_path.clone();
            let cells = site
                .config
                .languages
                .iter()
                .map(|language| {
                    let cell = match group.pages.get(&language.tag) {
                        Some(&file) => translation_cell(
                            &parts.files[file],
                            parts.staleness.translations.get(&file),
                            source.page == Some(file),
                            None,
                            None,
                        ),
                        None => missing_cell(part_file(reference, &language.tag), None),
                    };
                    (language.tag.clone(), cell)
                })
                .collect();
            Some(GroupStatus {
                id: path.clone(),
                title: path.clone(),
                kind: if path.ends_with("TOC.md") {
                    GroupKind::Toc
                } else {
                    GroupKind::Snippet
                },
                path,
                exl_id: None,
                source: SourceStatus {
                    language: source.page.map(|p| parts.files[p].lang.clone()),
                    source: source.clone(),
                },
                cells,
            })
        })
        .collect()
}

/// Where a part belongs in another language.
fn part_file(reference: &SourcePage, lang: &str) -> String {
    let display = display(reference);
    let content_root = display.split('/').next().unwrap_or("content");
    format!("{content_root}/{lang}/{}", reference.file.logical_path)
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
        decided_by: None,
        explanation: None,
        note: None,
        changed_blocks: Vec::new(),
        review_url: None,
        suggestion: None,
    }
}

fn changed_blocks(changes: &SourceChanges) -> Vec<ChangedBlock> {
    changes
        .changed_rows()
        .filter_map(|row| {
            Some(ChangedBlock {
                change: row.change?,
                kind: row.kind.clone(),
                headings: row.headings.clone(),
                translation_lines: row.translation_lines,
            })
        })
        .collect()
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
