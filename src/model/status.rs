//! The translation status of a site: what `tolk report` prints and the
//! status page shows. Field names are the JSON schema documented in the
//! README.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::staleness::{BlockChangeKind, Decision, GroupSource, StaleReason};

/// 2: cells can be `unknown`; cells say how their state was decided
/// (`decided_by`, `explanation`, `note`) and, when stale by the source's
/// history, which blocks changed (`changed_blocks`, `review_url`); the
/// source's `wordcount` and the `wordcount` stale reason are gone; rows
/// have a `kind`: TOC.md files and `_includes/` snippets are rows too.
pub const SCHEMA_VERSION: u32 = 2;

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
    /// A page, or a part translated like one (a guide's TOC.md, a snippet).
    pub kind: GroupKind,
    pub exl_id: Option<String>,
    pub source: SourceStatus,
    /// Language tag -> cell, for every configured language.
    pub cells: BTreeMap<String, Cell>,
}

/// What a row of the status tracks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum GroupKind {
    Page,
    /// A guide's table of contents (`TOC.md`).
    Toc,
    /// A file of an `_includes/` folder.
    Snippet,
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
    /// A translation whose freshness nothing here proves (`explanation`
    /// says why).
    Unknown,
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
    /// How a translation's state was decided, and why it is what it is.
    pub decided_by: Option<Decision>,
    pub explanation: Option<String>,
    /// Worth knowing beside the state, such as "source metadata changed
    /// since".
    pub note: Option<String>,
    /// For a translation stale by its source's history: each source block
    /// that changed since its revision.
    pub changed_blocks: Vec<ChangedBlock>,
    /// The review page of a stale translation: source then, source now and
    /// the translation, block by block.
    pub review_url: Option<String>,
    pub suggestion: Option<SuggestionStatus>,
    /// A fallback page stands in for this missing translation.
    pub fallback: bool,
}

/// A source block that changed, where it is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangedBlock {
    pub change: BlockChangeKind,
    /// `paragraph`, `heading`, `list-item`, `table-row`, `alert note`, …
    pub kind: String,
    /// The headings above it in the source.
    pub headings: Vec<String>,
    /// File lines of the translation's block in the same place, when there
    /// is one.
    pub translation_lines: Option<(usize, usize)>,
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
    /// Translations whose freshness nothing proves.
    pub unknown: usize,
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
    pub unknown: usize,
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

    pub fn recount(&mut self) {
        let groups = std::mem::take(&mut self.groups);
        self.count(groups.iter());
        self.groups = groups;
    }

    /// Sets the coverage and totals from `groups` (the report's own, or
    /// groups made one at a time and not kept) and the unaligned pages.
    pub fn count<G: std::borrow::Borrow<GroupStatus>>(&mut self, groups: impl Iterator<Item = G>) {
        let mut totals = Totals {
            unaligned: self.unaligned.len(),
            ..Totals::default()
        };
        let mut coverage: Vec<Coverage> = self
            .languages
            .iter()
            .map(|lang| Coverage {
                language: lang.clone(),
                ..Coverage::default()
            })
            .collect();
        for group in groups {
            let group = group.borrow();
            totals.groups += 1;
            for (lang, coverage) in self.languages.iter().zip(&mut coverage) {
                if let Some(cell) = group.cells.get(lang) {
                    count_cell(cell, coverage, &mut totals);
                }
            }
        }
        for coverage in &mut coverage {
            coverage.percent = percent(coverage.present, totals.groups);
        }
        self.coverage = coverage;
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
        CellStatus::Unknown => {
            coverage.present += 1;
            coverage.unknown += 1;
            totals.unknown += 1;
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
