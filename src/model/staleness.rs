//! What each translation group is measured against, and what tolk can
//! prove about each translation: current, stale (with what changed, block
//! by block) or unknown (with the reason).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

/// What a group's translations are measured against.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GroupSource {
    /// The page in the source language, if the group has one.
    #[serde(skip)]
    pub page: Option<usize>,
    /// The source page's last commit; without a source page, the newest
    /// revision the group's translations name.
    pub revision: Option<String>,
    /// How the revision was chosen, for the report's reader.
    pub determined_by: SourceEvidence,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceEvidence {
    /// The group has no revision information at all.
    #[default]
    Unknown,
    /// The source-language page itself (its last git commit).
    SourcePage,
    /// The commit dates of the revisions, found in the git history.
    CommitDate,
    /// The dates the translations naming each revision were last committed.
    TranslationDate,
    /// Every translation names the same revision.
    Unanimous,
    /// The revision most translations name.
    Majority,
    /// No evidence tells the revisions apart: the greatest hash, so the
    /// answer is at least the same on every machine.
    TieBreak,
}

impl SourceEvidence {
    /// Higher is surer.
    pub fn certainty(self) -> u8 {
        match self {
            SourceEvidence::Unknown | SourceEvidence::TieBreak => 0,
            SourceEvidence::Majority => 1,
            SourceEvidence::TranslationDate => 2,
            SourceEvidence::CommitDate => 3,
            SourceEvidence::Unanimous | SourceEvidence::SourcePage => 4,
        }
    }
}

/// What tolk can prove about a translation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Freshness {
    /// Nothing to translate again.
    Current,
    /// The text to translate changed.
    Stale,
    /// Neither can be proven; the assessment says why.
    Unknown,
}

/// How a translation's freshness was decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Decision {
    /// The source's text at the revision the translation names, read from
    /// git, compared with the source as it is now.
    SourceHistory,
    /// The translation names no revision: the source as it was when the
    /// translation was last committed, compared with the source now.
    CommitDates,
    /// Front matter alone: the revisions the group's translations name.
    FrontMatter,
    /// Nothing to decide with.
    Nothing,
}

/// Why a translation is stale.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum StaleReason {
    /// Another translation of the page names a newer source revision
    /// (decided from front matter, without the source's history).
    Revision {
        translated_from: String,
        source: String,
    },
    /// The text to translate changed since the revision the translation
    /// was made from.
    TextChanged {
        translated_from: String,
        changed_blocks: usize,
        title_changed: bool,
        description_changed: bool,
    },
}

impl StaleReason {
    pub fn describe(&self) -> String {
        match self {
            StaleReason::Revision {
                translated_from,
                source,
            } => format!(
                "translated from {} but the source is at {}",
                short(translated_from),
                short(source)
            ),
            StaleReason::TextChanged {
                translated_from,
                changed_blocks,
                title_changed,
                description_changed,
            } => {
                let mut parts = Vec::new();
                if *changed_blocks > 0 {
                    parts.push(format!(
                        "{changed_blocks} {}",
                        if *changed_blocks == 1 {
                            "block"
                        } else {
                            "blocks"
                        }
                    ));
                }
                if *title_changed {
                    parts.push("the title".to_string());
                }
                if *description_changed {
                    parts.push("the description".to_string());
                }
                format!(
                    "source text changed since {}: {}",
                    short(translated_from),
                    parts.join(", ")
                )
            }
        }
    }
}

pub fn short(revision: &str) -> &str {
    revision.get(..8).unwrap_or(revision)
}

/// What tolk found out about one translation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Assessment {
    pub freshness: Freshness,
    pub decided_by: Decision,
    /// One sentence for the reader of the report: why it is current, stale
    /// or unknown.
    pub explanation: String,
    pub reasons: Vec<StaleReason>,
    /// What else is worth knowing, such as "source metadata changed since".
    pub note: Option<String>,
    /// For a translation stale by its source's history: what changed.
    #[serde(skip)]
    pub changes: Option<Box<SourceChanges>>,
}

impl Assessment {
    pub fn is_stale(&self) -> bool {
        self.freshness == Freshness::Stale
    }
}

/// How a block changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BlockChangeKind {
    Added,
    Removed,
    Changed,
}

/// A title or description that changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    pub old: Option<String>,
    pub new: Option<String>,
}

/// One row of a review: a block of the source then, now, and the
/// translation's block in the same place, each when there is one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewRow {
    /// `None` for an unchanged block.
    pub change: Option<BlockChangeKind>,
    /// `paragraph`, `heading`, `list-item`, `table-row`, `alert`, …
    pub kind: String,
    /// The headings above the block.
    pub headings: Vec<String>,
    /// The source's block at the translation's revision.
    pub then: Option<String>,
    /// The source's block now.
    pub now: Option<String>,
    /// The translation's block in the same place.
    pub translation: Option<String>,
    /// File lines of the translation's block.
    pub translation_lines: Option<(usize, usize)>,
}

/// What changed in a translation's source since its revision.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceChanges {
    /// The revision the translation names, in full.
    pub revision: String,
    /// The source file's path at that revision (renames followed).
    pub path_then: String,
    /// When the source last changed, seconds since the epoch.
    pub source_changed: Option<i64>,
    pub title: Option<FieldChange>,
    pub description: Option<FieldChange>,
    /// Every block of the source then and now, in order, with the
    /// translation's: the changed ones and their context.
    pub rows: Vec<ReviewRow>,
}

impl SourceChanges {
    /// The rows whose source changed.
    pub fn changed_rows(&self) -> impl Iterator<Item = &ReviewRow> {
        self.rows.iter().filter(|row| row.change.is_some())
    }
}

#[derive(Debug, Default)]
pub struct Staleness {
    /// One per group, in group order.
    pub sources: Vec<GroupSource>,
    /// Page index -> what is known of it, for every translation (pages
    /// that are not their group's source page).
    pub translations: HashMap<usize, Assessment>,
}

impl Staleness {
    pub fn is_stale(&self, page: usize) -> bool {
        self.translations
            .get(&page)
            .is_some_and(Assessment::is_stale)
    }
}
