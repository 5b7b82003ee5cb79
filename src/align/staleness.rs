//! What each translation is against its source, and how that was decided.
//!
//! A group whose source-language page has a git history: a translation is
//! stale exactly when the text to translate changed between the revision
//! it names (`source-git-commit`) and the source as it is now: the body's
//! blocks, whitespace normalised, and the values of `title` and
//! `description`. A new `exl-id`, other front matter keys, blank lines,
//! line wrapping and commits that touched other files are not changes.
//! Renames are followed. A revision the source repository does not have, or
//! a path that did not exist then, makes the translation unknown, with the
//! reason. A translation naming no revision is compared with the source as
//! it was when the translation was last committed.
//!
//! Without that history, nothing proves a translation stale but its front
//! matter: translations of one group naming different revisions of the
//! source (the newest one found by commit dates, translation dates,
//! majority, else a tie-break, and said). Word counts written by another
//! tool (`source-wordcount`) are never compared with tolk's own count.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use rayon::prelude::*;

use super::blocks::{self, Block, BlockChange, TextChanges, TextToTranslate};
use super::histories::Histories;
use super::history::{CommitId, CommitInfo, RepoPath, Repository, RevisionProblem};
use crate::model::staleness::{
    Assessment, BlockChangeKind, Decision, Freshness, ReviewRow, SourceChanges,
};
use crate::model::{
    Alignment, GroupSource, SiteConfig, SourceEvidence, SourcePage, StaleReason, Staleness,
    TranslationGroup,
};
use crate::read::{self, front_matter};

/// Works out every group's source and every translation's freshness.
pub(crate) fn assess(
    config: &SiteConfig,
    pages: &[SourcePage],
    alignment: &Alignment,
    histories: &Histories,
) -> Staleness {
    let mut staleness = Staleness::default();
    let mut comparisons = Vec::new();
    let worktrees = Worktrees::default();
    let revisions = Revisions::resolve(config, pages, alignment, histories);
    for group in &alignment.groups {
        let source = match group.pages.get(&config.source_language) {
            Some(&page) => {
                let located = histories.locate(&pages[page].file.path);
                match located.filter(|(repository, path)| repository.last_change(path).is_some()) {
                    Some((repository, path)) => {
                        let source = GroupSource {
                            page: Some(page),
                            revision: repository.last_change(&path).map(|c| c.id.to_hex()),
                            determined_by: SourceEvidence::SourcePage,
                        };
                        for &translation in group.pages.values().filter(|&&p| p != page) {
                            match plan(
                                pages,
                                (page, translation),
                                (repository, &path),
                                histories,
                                (&worktrees, &revisions),
                            ) {
                                Ok(comparison) => comparisons.push(comparison),
                                Err(unknown) => {
                                    staleness.translations.insert(translation, unknown);
                                }
                            }
                        }
                        source
                    }
                    None => {
                        let why = histories.why_none(&pages[page].file.path);
                        by_front_matter(pages, group, Some(page), histories, &why, &mut staleness)
                    }
                }
            }
            None => by_front_matter(pages, group, None, histories, "", &mut staleness),
        };
        staleness.sources.push(source);
    }
    let assessed = compare_all(pages, comparisons);
    staleness.translations.extend(assessed);
    staleness
}

// ---------------------------------------------------------------------------
// From the source's history

/// A translation to compare with its source: where the source was at the
/// translation's revision, and what happened to it since.
struct Comparison<'r> {
    source: usize,
    translation: usize,
    /// The source file has uncommitted changes.
    dirty: bool,
    repository: &'r Repository,
    revision: CommitId,
    decided_by: Decision,
    /// How the revision was found, for the explanation.
    found: String,
    path_then: RepoPath,
    /// The source's content at the revision equals HEAD's and the file has
    /// no uncommitted change: nothing to read, nothing changed.
    unchanged: bool,
    /// Commits that touched the source since, newest first.
    changes: Vec<CommitInfo>,
}

/// What to compare a translation with, or why nothing can be.
fn plan<'r>(
    pages: &[SourcePage],
    (source, translation): (usize, usize),
    (repository, path_now): (&'r Repository, &RepoPath),
    histories: &Histories,
    (worktrees, revisions): (&Worktrees, &Revisions),
) -> Result<Comparison<'r>, Assessment> {
    let named = pages[translation].front.source_git_commit.as_deref();
    let (revision, decided_by, found) = match named {
        Some(rev) => match revisions.of(repository, rev) {
            Ok(id) => (
                id,
                Decision::SourceHistory,
                format!("the revision it names, {}", short(rev)),
            ),
            Err(problem) => {
                return Err(unknown(
                    Decision::SourceHistory,
                    format!("unknown revision {}: {problem}", short(rev)),
                ));
            }
        },
        None => revision_by_date(pages, translation, repository, histories)?,
    };
    let since = repository
        .since(path_now, revision)
        .map_err(|problem| unknown(decided_by, format!("unknown revision: {problem}")))?;
    let then = since
        .then
        .map_err(|problem| unknown(decided_by, format!("unknown revision: {problem}")))?;
    let dirty = worktrees.has_changed(repository, path_now);
    Ok(Comparison {
        source,
        translation,
        dirty,
        repository,
        revision,
        decided_by,
        found,
        unchanged: since.head_blob == Some(then.blob) && !dirty,
        path_then: then.path,
        changes: since.changes,
    })
}

/// For a translation naming no revision: the state of the source's main
/// line when the translation was last committed.
fn revision_by_date(
    pages: &[SourcePage],
    translation: usize,
    repository: &Repository,
    histories: &Histories,
) -> Result<(CommitId, Decision, String), Assessment> {
    let no_revision = "names no source revision (`source-git-commit`)";
    let Some(committed) = histories.last_change(&pages[translation].file.path) else {
        return Err(unknown(
            Decision::Nothing,
            format!("{no_revision}, and has no commit of its own to date it"),
        ));
    };
    match repository.mainline_commit_at(committed.time) {
        Some(commit) => Ok((
            commit.id,
            Decision::CommitDates,
            format!("the source when the translation was last committed, as it {no_revision}"),
        )),
        None => Err(unknown(
            Decision::CommitDates,
            format!("{no_revision}, and the source has no commit before the translation's"),
        )),
    }
}

/// Every revision the translations name, resolved in their source's
/// repository: one batch per repository, so that a revision the history
/// lacks is told apart (another branch, not a commit, not there at all).
#[derive(Default)]
struct Revisions {
    resolved: HashMap<(std::path::PathBuf, String), Result<CommitId, RevisionProblem>>,
}

impl Revisions {
    fn resolve(
        config: &SiteConfig,
        pages: &[SourcePage],
        alignment: &Alignment,
        histories: &Histories,
    ) -> Revisions {
        let mut named: BTreeMap<&Path, (&Repository, Vec<&str>)> = BTreeMap::new();
        for group in &alignment.groups {
            let Some(&source) = group.pages.get(&config.source_language) else {
                continue;
            };
            let Some((repository, _)) = histories.locate(&pages[source].file.path) else {
                continue;
            };
            let entry = named
                .entry(repository.top())
                .or_insert_with(|| (repository, Vec::new()));
            entry.1.extend(
                group
                    .pages
                    .values()
                    .filter_map(|&p| pages[p].front.source_git_commit.as_deref()),
            );
        }
        let mut revisions = Revisions::default();
        for (top, (repository, mut revs)) in named {
            revs.sort_unstable();
            revs.dedup();
            for (rev, answer) in revs.iter().zip(repository.resolve_all(&revs)) {
                revisions
                    .resolved
                    .insert((top.to_path_buf(), rev.to_string()), answer);
            }
        }
        revisions
    }

    fn of(&self, repository: &Repository, rev: &str) -> Result<CommitId, RevisionProblem> {
        let key = (repository.top().to_path_buf(), rev.to_string());
        match self.resolved.get(&key) {
            Some(answer) => answer.clone(),
            None => repository.resolve(rev),
        }
    }
}

/// The files with uncommitted changes of each repository, asked once per
/// assessment.
#[derive(Default)]
struct Worktrees {
    changed: std::sync::Mutex<HashMap<std::path::PathBuf, Vec<RepoPath>>>,
}

impl Worktrees {
    fn has_changed(&self, repository: &Repository, path: &RepoPath) -> bool {
        let mut changed = self.changed.lock().unwrap_or_else(|e| e.into_inner());
        changed
            .entry(repository.top().to_path_buf())
            .or_insert_with(|| repository.worktree_changes().unwrap_or_default())
            .contains(path)
    }
}

/// Reads the sources at their revisions (one batch per repository) and
/// compares each with the source now. Translations of one source naming
/// one revision share the reading and the comparison.
fn compare_all(pages: &[SourcePage], comparisons: Vec<Comparison<'_>>) -> Vec<(usize, Assessment)> {
    let mut keys: Vec<usize> = Vec::new();
    let mut key_of: HashMap<(usize, CommitId), usize> = HashMap::new();
    for (index, comparison) in comparisons.iter().enumerate() {
        if !comparison.unchanged {
            key_of
                .entry((comparison.source, comparison.revision))
                .or_insert_with(|| {
                    keys.push(index);
                    keys.len() - 1
                });
        }
    }
    let texts_then = read_sources_then(&comparisons, &keys);
    let mut now: HashMap<usize, Result<TextToTranslate, String>> = HashMap::new();
    for &index in &keys {
        let source = comparisons[index].source;
        now.entry(source)
            .or_insert_with(|| text_now(&pages[source]));
    }
    let compared: Vec<Result<(&TextToTranslate, &TextToTranslate, TextChanges), String>> = keys
        .par_iter()
        .zip(texts_then.par_iter())
        .map(|(&index, then)| {
            let then = then.as_ref().map_err(String::clone)?;
            let now = now[&comparisons[index].source]
                .as_ref()
                .map_err(String::clone)?;
            Ok((then, now, blocks::compare(then, now)))
        })
        .collect();
    comparisons
        .par_iter()
        .map(|comparison| {
            let assessment = if comparison.unchanged {
                current(comparison)
            } else {
                match &compared[key_of[&(comparison.source, comparison.revision)]] {
                    Ok((_, _, changes)) if changes.is_empty() => current(comparison),
                    Ok((then, now, changes)) => judge(pages, comparison, then, now, changes),
                    Err(why) => unknown(comparison.decided_by, why.clone()),
                }
            };
            (comparison.translation, assessment)
        })
        .collect()
}

/// The source's text at the revision of each comparison `keys` names.
fn read_sources_then(
    comparisons: &[Comparison<'_>],
    keys: &[usize],
) -> Vec<Result<TextToTranslate, String>> {
    let mut texts: Vec<Result<TextToTranslate, String>> = keys
        .iter()
        .map(|_| Err("the source at its revision was not read".to_string()))
        .collect();
    let mut by_repository: BTreeMap<&Path, Vec<usize>> = BTreeMap::new();
    for (key, &index) in keys.iter().enumerate() {
        by_repository
            .entry(comparisons[index].repository.top())
            .or_default()
            .push(key);
    }
    for batch in by_repository.into_values() {
        let repository = comparisons[keys[batch[0]]].repository;
        let requests: Vec<(CommitId, RepoPath)> = batch
            .iter()
            .map(|&key| {
                let comparison = &comparisons[keys[key]];
                (comparison.revision, comparison.path_then.clone())
            })
            .collect();
        let read = repository.read_at(&requests);
        for (&key, text) in batch.iter().zip(read) {
            let path = comparisons[keys[key]]
                .path_then
                .to_string_lossy()
                .into_owned();
            texts[key] = text
                .map_err(|problem| format!("the source at its revision cannot be read: {problem}"))
                .and_then(|text| text_of_file(&path, text.as_bytes()));
        }
    }
    texts
}

/// The text to translate in a version of a source file.
fn text_of_file(display_path: &str, bytes: &[u8]) -> Result<TextToTranslate, String> {
    let text = read::decode_bytes(
        Path::new(display_path),
        bytes,
        Default::default(),
        &mut Vec::new(),
    )
    .map_err(|problem| problem.message)?;
    let split = front_matter::split(&text).map_err(|e| e.message)?;
    let front = match split.yaml {
        Some(yaml) => front_matter::parse(yaml, 2).map_err(|e| {
            format!(
                "the source's front matter at its revision cannot be read: {}",
                e.message
            )
        })?,
        None => Default::default(),
    };
    Ok(TextToTranslate::new(
        front.title.as_deref(),
        front.description.as_deref(),
        split.body,
    ))
}

/// The text to translate in the source page as it is now.
fn text_now(page: &SourcePage) -> Result<TextToTranslate, String> {
    let body = read::page_body(page).map_err(|problem| problem.message)?;
    Ok(TextToTranslate::new(
        page.front.title.as_deref(),
        page.front.description.as_deref(),
        &body,
    ))
}

/// Current or stale, from the texts then and now.
fn judge(
    pages: &[SourcePage],
    comparison: &Comparison<'_>,
    then: &TextToTranslate,
    now: &TextToTranslate,
    changes: &TextChanges,
) -> Assessment {
    let translated_from = comparison.revision.to_hex();
    let reason = StaleReason::TextChanged {
        translated_from: translated_from.clone(),
        changed_blocks: changes.blocks.len(),
        title_changed: changes.title.is_some(),
        description_changed: changes.description.is_some(),
    };
    let translation_blocks = read::page_body(&pages[comparison.translation])
        .map(|body| blocks::split(&body))
        .unwrap_or_default();
    let rows = review_rows(
        &then.blocks,
        &now.blocks,
        &changes.blocks,
        &translation_blocks,
        pages[comparison.translation].body_line,
    );
    Assessment {
        freshness: Freshness::Stale,
        decided_by: comparison.decided_by,
        explanation: format!("{}, compared with {}", reason.describe(), comparison.found),
        reasons: vec![reason],
        note: None,
        changes: Some(Box::new(SourceChanges {
            revision: translated_from,
            path_then: comparison.path_then.to_string_lossy().into_owned(),
            source_changed: source_changed(pages, comparison),
            title: changes.title.clone(),
            description: changes.description.clone(),
            rows,
        })),
    }
}

/// Nothing to translate again; says when the source changed otherwise.
fn current(comparison: &Comparison<'_>) -> Assessment {
    let note = (!comparison.changes.is_empty()).then(|| {
        let count = comparison.changes.len();
        format!(
            "source metadata changed since {} ({count} {} touched the file, none its text to translate)",
            comparison.revision.to_hex().get(..8).unwrap_or_default(),
            if count == 1 { "commit" } else { "commits" }
        )
    });
    Assessment {
        freshness: Freshness::Current,
        decided_by: comparison.decided_by,
        explanation: format!(
            "the text to translate is as it was at {} ({})",
            comparison.revision.to_hex().get(..8).unwrap_or_default(),
            comparison.found
        ),
        reasons: Vec::new(),
        note,
        changes: None,
    }
}

/// When the source last changed: its newest commit since the revision, or
/// the file's modification time when it has uncommitted changes (both
/// clamped to `SOURCE_DATE_EPOCH`).
fn source_changed(pages: &[SourcePage], comparison: &Comparison<'_>) -> Option<i64> {
    let committed = comparison.changes.first().map(|c| c.time);
    let modified = super::dates::file_time(&pages[comparison.source].file.path);
    let changed = match (committed, modified) {
        (Some(c), Some(m)) if comparison.dirty => Some(c.max(m)),
        (Some(c), _) => Some(c),
        (None, m) => m,
    };
    changed.map(super::dates::clamped)
}

/// Every block of the source then and now in document order, each with
/// the translation's block in its place (the translation was made from the
/// source then, whose structure it keeps).
fn review_rows(
    then: &[Block],
    now: &[Block],
    changes: &[BlockChange],
    translation: &[Block],
    body_line: usize,
) -> Vec<ReviewRow> {
    let in_translation = blocks::structural_mapping(then, translation);
    let row = |change: Option<BlockChangeKind>, old: Option<usize>, new: Option<usize>| {
        let block = new.map(|n| &now[n]).or(old.map(|o| &then[o]));
        let mapped = old.and_then(|o| in_translation.get(o).copied().flatten());
        let kind = block.map(kind_name).unwrap_or_default();
        ReviewRow {
            change,
            kind,
            headings: block.map(|b| b.headings.to_vec()).unwrap_or_default(),
            then: old.map(|o| then[o].text.clone()),
            now: new.map(|n| now[n].text.clone()),
            translation: mapped.map(|t| translation[t].text.clone()),
            translation_lines: mapped.map(|t| {
                let block = &translation[t];
                (
                    body_line + block.first_line - 1,
                    body_line + block.last_line - 1,
                )
            }),
        }
    };
    let mut rows = Vec::with_capacity(now.len().max(then.len()));
    let (mut o, mut n) = (0, 0);
    let unchanged_until =
        |rows: &mut Vec<ReviewRow>, o: &mut usize, n: &mut usize, to_o: usize, to_n: usize| {
            while *o < to_o && *n < to_n {
                rows.push(row(None, Some(*o), Some(*n)));
                (*o, *n) = (*o + 1, *n + 1);
            }
        };
    for change in changes {
        match change {
            BlockChange::Added { new } => {
                unchanged_until(&mut rows, &mut o, &mut n, then.len(), *new);
                rows.push(row(Some(BlockChangeKind::Added), None, Some(*new)));
                n = new + 1;
            }
            BlockChange::Removed { old } => {
                unchanged_until(&mut rows, &mut o, &mut n, *old, now.len());
                rows.push(row(Some(BlockChangeKind::Removed), Some(*old), None));
                o = old + 1;
            }
            BlockChange::Changed { old, new, .. } => {
                unchanged_until(&mut rows, &mut o, &mut n, *old, *new);
                rows.push(row(Some(BlockChangeKind::Changed), Some(*old), Some(*new)));
                (o, n) = (old + 1, new + 1);
            }
        }
    }
    unchanged_until(&mut rows, &mut o, &mut n, then.len(), now.len());
    rows
}

fn kind_name(block: &Block) -> String {
    use blocks::BlockKind;
    match &block.kind {
        BlockKind::Heading { .. } => "heading".to_string(),
        BlockKind::Paragraph => "paragraph".to_string(),
        BlockKind::ListItem { .. } => "list-item".to_string(),
        BlockKind::TableRow { .. } => "table-row".to_string(),
        BlockKind::Alert { kind } => format!("alert {}", kind.to_lowercase()),
        BlockKind::Quote => "quote".to_string(),
        BlockKind::Footnote { .. } => "footnote".to_string(),
        BlockKind::Code => "code".to_string(),
        BlockKind::Html => "html".to_string(),
        BlockKind::Include => "include".to_string(),
        BlockKind::Marker { name } => name.to_lowercase(),
    }
}

fn unknown(decided_by: Decision, explanation: String) -> Assessment {
    Assessment {
        freshness: Freshness::Unknown,
        decided_by,
        explanation,
        reasons: Vec::new(),
        note: None,
        changes: None,
    }
}

// ---------------------------------------------------------------------------
// From front matter alone

/// A group without a source page, or whose source page has no history:
/// only the revisions its translations name say anything. A translation
/// naming an older one is stale; the others are current when there is no
/// source page to compare with, and unknown when there is one (`why`: why
/// its history is missing).
fn by_front_matter(
    pages: &[SourcePage],
    group: &TranslationGroup,
    source_page: Option<usize>,
    histories: &Histories,
    why: &str,
    staleness: &mut Staleness,
) -> GroupSource {
    let source = newest_named_revision(pages, group, histories);
    for &page in group.pages.values().filter(|&&p| Some(p) != source_page) {
        let assessment = front_matter_assessment(&pages[page], &source, source_page.is_some(), why);
        staleness.translations.insert(page, assessment);
    }
    match source_page {
        Some(page) => GroupSource {
            page: Some(page),
            ..source
        },
        None => source,
    }
}

fn front_matter_assessment(
    page: &SourcePage,
    source: &GroupSource,
    has_source_page: bool,
    why: &str,
) -> Assessment {
    let named = page.front.source_git_commit.as_deref();
    if let (Some(theirs), Some(newest)) = (named, &source.revision)
        && !same_revision(theirs, newest)
    {
        let reason = StaleReason::Revision {
            translated_from: theirs.to_string(),
            source: newest.clone(),
        };
        let by = match source.determined_by {
            SourceEvidence::CommitDate => "by commit date",
            SourceEvidence::TranslationDate => "by the dates its translations were committed",
            SourceEvidence::Majority => "by the number of translations naming it",
            SourceEvidence::TieBreak => "by a tie-break, as nothing else tells the revisions apart",
            _ => "by the translations' front matter",
        };
        return Assessment {
            freshness: Freshness::Stale,
            decided_by: Decision::FrontMatter,
            explanation: format!(
                "translated from {}, but another translation of this page names the newer revision {} (newest {by})",
                short(theirs),
                short(newest)
            ),
            reasons: vec![reason],
            note: None,
            changes: None,
        };
    }
    if !has_source_page {
        return Assessment {
            freshness: Freshness::Current,
            decided_by: Decision::FrontMatter,
            explanation: match named {
                Some(rev) => format!(
                    "no source page here; {} is the newest revision its translations name",
                    short(rev)
                ),
                None => "no source page here, and no translation names a revision".to_string(),
            },
            reasons: Vec::new(),
            note: None,
            changes: None,
        };
    }
    let explanation = match named {
        Some(rev) => format!(
            "cannot tell whether the source changed since {}: {why}",
            short(rev)
        ),
        None => format!("names no source revision, and the source has no history: {why}"),
    };
    unknown(Decision::Nothing, explanation)
}

/// What is known of one revision named by the group's translations.
struct RevisionEvidence<'a> {
    revision: &'a str,
    commit_time: Option<i64>,
    translation_time: Option<i64>,
    pages: usize,
}

/// The newest revision the group's translations name, and how it was
/// told apart from the others.
fn newest_named_revision(
    pages: &[SourcePage],
    group: &TranslationGroup,
    histories: &Histories,
) -> GroupSource {
    let mut evidence: BTreeMap<&str, RevisionEvidence> = BTreeMap::new();
    for &page in group.pages.values() {
        let Some(revision) = pages[page].front.source_git_commit.as_deref() else {
            continue;
        };
        let changed = histories
            .last_change(&pages[page].file.path)
            .map(|c| c.time);
        let entry = evidence
            .entry(revision)
            .or_insert_with(|| RevisionEvidence {
                revision,
                commit_time: histories.revision_time(revision),
                translation_time: None,
                pages: 0,
            });
        entry.pages += 1;
        entry.translation_time = entry.translation_time.max(changed);
    }
    let candidates: Vec<RevisionEvidence> = evidence.into_values().collect();
    match newest(&candidates) {
        Some((newest, determined_by)) => GroupSource {
            page: None,
            revision: Some(newest.revision.to_string()),
            determined_by,
        },
        None => GroupSource::default(),
    }
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

/// Abbreviated hashes match their full form.
fn same_revision(a: &str, b: &str) -> bool {
    let (a, b) = (a.trim().to_ascii_lowercase(), b.trim().to_ascii_lowercase());
    let shortest = a.len().min(b.len());
    shortest >= 7 && a[..shortest] == b[..shortest] || a == b
}

fn short(revision: &str) -> &str {
    crate::model::staleness::short(revision)
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

    #[test]
    fn review_rows_keep_every_block_in_order_with_the_translations() {
        let then = blocks::split("# A\n\nOne.\n\nTwo.\n\nThree.\n");
        let now = blocks::split("# A\n\nOne.\n\nTwo, changed.\n\nNew.\n\nThree.\n");
        let translation = blocks::split("# Un\n\nUn.\n\nDeux.\n\nTrois.\n");
        let changes = blocks::diff(&then, &now);
        let rows = review_rows(&then, &now, &changes, &translation, 5);
        let summary: Vec<(Option<BlockChangeKind>, Option<&str>, Option<&str>)> = rows
            .iter()
            .map(|r| (r.change, r.now.as_deref(), r.translation.as_deref()))
            .collect();
        assert_eq!(
            summary,
            [
                (None, Some("A"), Some("Un")),
                (None, Some("One."), Some("Un.")),
                (
                    Some(BlockChangeKind::Changed),
                    Some("Two, changed."),
                    Some("Deux.")
                ),
                (Some(BlockChangeKind::Added), Some("New."), None),
                (None, Some("Three."), Some("Trois.")),
            ]
        );
        assert_eq!(rows[2].translation_lines, Some((9, 9)));
    }
}
