//! Which translations lag behind their source.
//!
//! Each group has a source: its page in the site's source language when there
//! is one; otherwise the newest source revision its translations name. A
//! translation is stale when it names another revision or another source
//! word count, or (with git) when its source page changed after it.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};

use crate::align::history::GitHistory;
use crate::model::GroupSource;
use crate::model::SourceEvidence;
use crate::model::SourcePage;
use crate::model::StaleReason;
use crate::model::Staleness;
use crate::model::{Alignment, TranslationGroup};

/// `word_counts[page]` is the number of words of each page's text.
pub(crate) fn assess(
    source_language: &str,
    pages: &[SourcePage],
    alignment: &Alignment,
    word_counts: &[usize],
    git: Option<&GitHistory>,
) -> Staleness {
    let mut staleness = Staleness::default();
    let revision_times = revision_commit_times(pages, git);
    for group in &alignment.groups {
        let source = match group.pages.get(source_language) {
            Some(&page) => source_from_page(pages, page, word_counts, git),
            None => source_from_translations(pages, group, &revision_times, git),
        };
        for (lang, &page) in &group.pages {
            if lang == source_language {
                continue;
            }
            let reasons = stale_reasons(pages, page, &source, git);
            if !reasons.is_empty() {
                staleness.stale.insert(page, reasons);
            }
        }
        staleness.sources.push(source);
    }
    staleness
}

fn revision_commit_times(pages: &[SourcePage], git: Option<&GitHistory>) -> HashMap<String, i64> {
    let Some(git) = git else {
        return HashMap::new();
    };
    let mut revisions: Vec<&str> = pages
        .iter()
        .filter_map(|p| p.front.source_git_commit.as_deref())
        .collect();
    revisions.sort_unstable();
    revisions.dedup();
    git.commit_times(&revisions)
}

fn source_from_page(
    pages: &[SourcePage],
    page: usize,
    word_counts: &[usize],
    git: Option<&GitHistory>,
) -> GroupSource {
    let revision = git
        .and_then(|g| g.last_change(&pages[page].file.path))
        .map(|c| c.commit.clone());
    GroupSource {
        page: Some(page),
        revision,
        wordcount: Some(word_counts[page] as u64),
        determined_by: SourceEvidence::SourcePage,
    }
}

/// What is known of one revision named by the group's translations.
struct RevisionEvidence<'a> {
    revision: &'a str,
    commit_time: Option<i64>,
    translation_time: Option<i64>,
    pages: usize,
    wordcount: Option<u64>,
}

fn source_from_translations(
    pages: &[SourcePage],
    group: &TranslationGroup,
    revision_times: &HashMap<String, i64>,
    git: Option<&GitHistory>,
) -> GroupSource {
    let mut evidence: BTreeMap<&str, RevisionEvidence> = BTreeMap::new();
    for &page in group.pages.values() {
        let Some(revision) = pages[page].front.source_git_commit.as_deref() else {
            continue;
        };
        let changed = git
            .and_then(|g| g.last_change(&pages[page].file.path))
            .map(|c| c.time);
        let entry = evidence
            .entry(revision)
            .or_insert_with(|| RevisionEvidence {
                revision,
                commit_time: revision_times.get(revision).copied(),
                translation_time: None,
                pages: 0,
                wordcount: None,
            });
        entry.pages += 1;
        entry.translation_time = entry.translation_time.max(changed);
        entry.wordcount = entry.wordcount.max(pages[page].front.source_wordcount);
    }
    let candidates: Vec<RevisionEvidence> = evidence.into_values().collect();
    match newest(&candidates) {
        Some((newest, determined_by)) => GroupSource {
            page: None,
            revision: Some(newest.revision.to_string()),
            wordcount: newest.wordcount,
            determined_by,
        },
        None => GroupSource {
            wordcount: common_wordcount(pages, group),
            ..GroupSource::default()
        },
    }
}

/// Without revisions, translations can still disagree on the source's size.
fn common_wordcount(pages: &[SourcePage], group: &TranslationGroup) -> Option<u64> {
    group
        .pages
        .values()
        .filter_map(|&p| pages[p].front.source_wordcount)
        .max()
}

/// The newest revision, and the weakest kind of evidence needed to tell it
/// apart from the others (how sure the answer is).
fn newest<'a, 'b>(
    candidates: &'b [RevisionEvidence<'a>],
) -> Option<(&'b RevisionEvidence<'a>, SourceEvidence)> {
    let best = candidates.iter().reduce(|best, candidate| {
        if compare(candidate, best).0 == Ordering::Greater {
            candidate
        } else {
            best
        }
    })?;
    let decided_by = candidates
        .iter()
        .filter(|candidate| !std::ptr::eq(*candidate, best))
        .map(|candidate| compare(best, candidate).1)
        .min_by_key(|evidence| evidence.certainty())
        .unwrap_or(SourceEvidence::Unanimous);
    Some((best, decided_by))
}

fn compare(a: &RevisionEvidence, b: &RevisionEvidence) -> (Ordering, SourceEvidence) {
    let known = |x: Option<i64>, y: Option<i64>| match (x, y) {
        (Some(x), Some(y)) if x != y => Some(x.cmp(&y)),
        _ => None,
    };
    if let Some(order) = known(a.commit_time, b.commit_time) {
        return (order, SourceEvidence::CommitDate);
    }
    if let Some(order) = known(a.translation_time, b.translation_time) {
        return (order, SourceEvidence::TranslationDate);
    }
    if a.pages != b.pages {
        return (a.pages.cmp(&b.pages), SourceEvidence::Majority);
    }
    (a.revision.cmp(b.revision), SourceEvidence::TieBreak)
}

fn stale_reasons(
    pages: &[SourcePage],
    page: usize,
    source: &GroupSource,
    git: Option<&GitHistory>,
) -> Vec<StaleReason> {
    let front = &pages[page].front;
    let mut reasons = Vec::new();
    if let (Some(theirs), Some(source_revision)) = (&front.source_git_commit, &source.revision)
        && !same_revision(theirs, source_revision)
    {
        reasons.push(StaleReason::Revision {
            translated_from: theirs.clone(),
            source: source_revision.clone(),
        });
    }
    if let (Some(theirs), Some(words)) = (front.source_wordcount, source.wordcount)
        && theirs != words
    {
        reasons.push(StaleReason::Wordcount {
            translated_from: theirs,
            source: words,
        });
    }
    if let (Some(source_page), Some(git)) = (source.page, git)
        && let (Some(source_change), Some(own_change)) = (
            git.last_change(&pages[source_page].file.path),
            git.last_change(&pages[page].file.path),
        )
        && source_change.time > own_change.time
    {
        reasons.push(StaleReason::SourceChangedLater {
            source_changed: source_change.time,
            translation_changed: own_change.time,
        });
    }
    reasons
}

/// Abbreviated hashes match their full form.
fn same_revision(a: &str, b: &str) -> bool {
    let (a, b) = (a.trim().to_ascii_lowercase(), b.trim().to_ascii_lowercase());
    let shortest = a.len().min(b.len());
    shortest >= 7 && a[..shortest] == b[..shortest] || a == b
}

#[cfg(test)]
mod tests {
    use super::*;

    fn evidence(
        revision: &str,
        commit: Option<i64>,
        translated: Option<i64>,
        pages: usize,
    ) -> RevisionEvidence<'_> {
        RevisionEvidence {
            revision,
            commit_time: commit,
            translation_time: translated,
            pages,
            wordcount: None,
        }
    }

    #[test]
    fn commit_dates_decide_first() {
        let candidates = [
            evidence("aaa", Some(10), Some(99), 3),
            evidence("bbb", Some(20), Some(1), 1),
        ];
        let (newest, by) = newest(&candidates).unwrap();
        assert_eq!((newest.revision, by), ("bbb", SourceEvidence::CommitDate));
    }

    #[test]
    fn then_translation_dates_then_majority_then_tie_break() {
        let by_date = [
            evidence("aaa", None, Some(5), 3),
            evidence("bbb", None, Some(9), 1),
        ];
        assert_eq!(newest(&by_date).unwrap().0.revision, "bbb");
        let by_count = [
            evidence("aaa", None, None, 3),
            evidence("bbb", None, None, 1),
        ];
        let (winner, by) = newest(&by_count).unwrap();
        assert_eq!((winner.revision, by), ("aaa", SourceEvidence::Majority));
        let tied = [
            evidence("225ead58", None, None, 2),
            evidence("e76f101d", None, None, 2),
        ];
        assert_eq!(newest(&tied).unwrap().0.revision, "e76f101d");
        assert_eq!(newest(&tied).unwrap().1, SourceEvidence::TieBreak);
    }

    #[test]
    fn abbreviated_revisions_match() {
        assert!(same_revision(
            "e76f101df47116f7b246f21f0fe0fa72769d2776",
            "E76F101D"
        ));
        assert!(!same_revision("e76f101d", "225ead58"));
        assert!(!same_revision("e7", "e76f101d"));
    }
}
