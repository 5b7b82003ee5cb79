//! What each translation group is measured against, and why a translation
//! lags behind its source.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

/// What a group's translations are measured against.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GroupSource {
    /// The page in the source language, if the group has one.
    #[serde(skip)]
    pub page: Option<usize>,
    pub revision: Option<String>,
    pub wordcount: Option<u64>,
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

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum StaleReason {
    Revision {
        translated_from: String,
        source: String,
    },
    Wordcount {
        translated_from: u64,
        source: u64,
    },
    SourceChangedLater {
        source_changed: i64,
        translation_changed: i64,
    },
}

impl StaleReason {
    pub fn describe(&self) -> String {
        match self {
            StaleReason::Revision {
                translated_from,
                source,
            } => {
                format!(
                    "translated from {} but the source is at {}",
                    short(translated_from),
                    short(source)
                )
            }
            StaleReason::Wordcount {
                translated_from,
                source,
            } => {
                format!("source had {translated_from} words, now {source}")
            }
            StaleReason::SourceChangedLater { .. } => {
                "the source page changed after the translation".to_string()
            }
        }
    }
}

pub fn short(revision: &str) -> &str {
    revision.get(..8).unwrap_or(revision)
}

#[derive(Debug, Default)]
pub struct Staleness {
    /// One per group, in group order.
    pub sources: Vec<GroupSource>,
    /// Page index -> why it is stale (absent when up to date).
    pub stale: HashMap<usize, Vec<StaleReason>>,
}
