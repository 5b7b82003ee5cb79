//! Stage 3: group pages that are translations of each other, then work
//! out what follows from the groups ([`assemble`]): suggestions for pages
//! nothing links, staleness, fallback pages and dates.
//!
//! Evidence, strongest first: the same `exl-id` (the Experience League
//! convention), the same `translation-key`, the same logical path under the
//! language folders. Groups are the pages connected by any of them. Weaker
//! evidence never overrules stronger: a path shared by pages whose exl-ids
//! differ is a contradiction, reported and not followed.
pub(crate) mod blocks;
pub(crate) mod dates;
pub(crate) mod fallback;
pub mod fingerprint;
pub(crate) mod histories;
pub(crate) mod history;
pub(crate) mod staleness;
pub mod status;
pub mod suggest;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rayon::prelude::*;

use crate::model::{
    Alignment, Diagnostic, Fingerprint, LoadedSite, Parts, SiteConfig, SourcePage, TranslationGroup,
};
use histories::Histories;

/// Aligns read pages and works out suggestions, staleness, fallback pages
/// and dates: everything after reading, so a rebuild that re-read only the
/// changed files can redo it.
pub(crate) fn assemble(
    config: SiteConfig,
    pages: Vec<SourcePage>,
    assets: Vec<String>,
    parts: Vec<SourcePage>,
    histories: &Histories,
) -> (LoadedSite, Vec<Diagnostic>) {
    let (mut alignment, mut problems) = align(&pages);
    // Fingerprints only matter when some page is linked to no other.
    let fingerprints: Vec<Fingerprint> = if alignment.groups.iter().any(|g| g.is_unaligned()) {
        pages
            .par_iter()
            .map(|p| Fingerprint::of_markdown(&crate::read::page_body(p).unwrap_or_default()))
            .collect()
    } else {
        Vec::new()
    };
    let suggestions = suggest::suggest(&pages, &alignment, &fingerprints);
    if config.translations.apply_suggestions {
        suggest::apply(&pages, &mut alignment, &suggestions);
    }
    let staleness = staleness::assess(&config, &pages, &alignment, histories);
    let fallbacks = fallback::plan(&config, &pages, &alignment, &staleness.sources);
    let updated = page_dates(&pages, histories, &mut problems);
    let parts = assess_parts(&config, parts, histories);
    let site = LoadedSite {
        config,
        pages,
        alignment,
        fingerprints,
        suggestions,
        staleness,
        fallbacks,
        assets,
        updated,
        parts,
    };
    (site, problems)
}

/// When each page last changed (see [`dates`]), with the problems of
/// `SOURCE_DATE_EPOCH` and of the pages' front matter dates.
fn page_dates(
    pages: &[SourcePage],
    histories: &Histories,
    problems: &mut Vec<Diagnostic>,
) -> Vec<i64> {
    if let Err(problem) = dates::source_date_epoch() {
        problems.push(problem);
    }
    pages
        .iter()
        .map(|page| {
            let (time, problem) = dates::page_date(page, histories);
            problems.extend(problem);
            time
        })
        .collect()
}

/// The parts grouped by logical path (the same file in each language), and
/// their staleness, decided as for pages.
fn assess_parts(config: &SiteConfig, files: Vec<SourcePage>, histories: &Histories) -> Parts {
    let mut by_path: BTreeMap<&str, BTreeMap<String, usize>> = BTreeMap::new();
    for (index, file) in files.iter().enumerate() {
        by_path
            .entry(&file.file.logical_path)
            .or_default()
            .insert(file.lang.clone(), index);
    }
    let mut groups = Alignment {
        groups: Vec::new(),
        group_of_page: vec![0; files.len()],
    };
    for members in by_path.into_values() {
        for &index in members.values() {
            groups.group_of_page[index] = groups.groups.len();
        }
        groups.groups.push(TranslationGroup {
            pages: members,
            exl_id: None,
            translation_key: None,
        });
    }
    let staleness = staleness::assess(config, &files, &groups, histories);
    Parts {
        files,
        groups,
        staleness,
    }
}

/// The kinds of evidence, strongest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Evidence {
    ExlId,
    TranslationKey,
    SamePath,
}

impl Evidence {
    fn value(self, page: &SourcePage) -> Option<&str> {
        let value = match self {
            Evidence::ExlId => page.front.exl_id.as_deref(),
            Evidence::TranslationKey => page.front.translation_key.as_deref(),
            Evidence::SamePath => Some(page.file.logical_path.as_str()),
        };
        value.map(str::trim).filter(|v| !v.is_empty())
    }

    fn describe(self, value: &str) -> String {
        match self {
            Evidence::ExlId => format!("exl-id `{value}`"),
            Evidence::TranslationKey => format!("translation-key `{value}`"),
            Evidence::SamePath => format!("the path `{value}`"),
        }
    }
}

/// Groups the pages; contradictions are errors naming every file involved.
pub fn align(pages: &[SourcePage]) -> (Alignment, Vec<Diagnostic>) {
    let mut problems: Vec<Diagnostic> = pages.iter().filter_map(invalid_exl_id).collect();
    let mut links = Links::new(pages);
    for evidence in [
        Evidence::ExlId,
        Evidence::TranslationKey,
        Evidence::SamePath,
    ] {
        for members in pages_sharing(pages, evidence) {
            if let Err(problem) = links.link_all(pages, &members, evidence) {
                problems.push(problem);
            }
        }
    }
    let (alignment, duplicates) = links.into_alignment(pages);
    problems.extend(duplicates);
    (alignment, problems)
}

/// Experience League ids are UUIDs; anything else is a typo that would
/// silently split a group.
fn invalid_exl_id(page: &SourcePage) -> Option<Diagnostic> {
    let id = page.front.exl_id.as_deref()?;
    if is_uuid(id) {
        return None;
    }
    let line = page.front.key_lines.get("exl-id").unwrap_or(1);
    Some(
        Diagnostic::error(format!("exl-id `{id}` is not a UUID"))
            .in_file(&page.file.display_path)
            .at(line, 1)
            .with_help("an exl-id looks like d66b4a7f-d54b-4902-8791-7a8f67fa4b43"),
    )
}

/// 8-4-4-4-12 hexadecimal digits.
pub fn is_uuid(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    let lengths: Vec<usize> = parts.iter().map(|p| p.len()).collect();
    lengths == [8, 4, 4, 4, 12]
        && parts
            .iter()
            .all(|p| p.chars().all(|c| c.is_ascii_hexdigit()))
}

/// Sets of pages (two or more) that share a value of this evidence, in page order.
fn pages_sharing(pages: &[SourcePage], evidence: Evidence) -> Vec<Vec<usize>> {
    let mut by_value: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (index, page) in pages.iter().enumerate() {
        if let Some(value) = evidence.value(page) {
            by_value.entry(value).or_default().push(index);
        }
    }
    by_value
        .into_values()
        .filter(|members| members.len() > 1)
        .collect()
}

/// Union-find over pages that remembers the identifiers each set carries.
struct Links {
    parent: Vec<usize>,
    /// Root -> the exl-ids and translation keys of its pages.
    exl_ids: HashMap<usize, BTreeSet<String>>,
    keys: HashMap<usize, BTreeSet<String>>,
}

impl Links {
    fn new(pages: &[SourcePage]) -> Self {
        let ids_of = |evidence: Evidence| -> HashMap<usize, BTreeSet<String>> {
            pages
                .iter()
                .enumerate()
                .filter_map(|(i, p)| Some((i, BTreeSet::from([evidence.value(p)?.to_string()]))))
                .collect()
        };
        Links {
            parent: (0..pages.len()).collect(),
            exl_ids: ids_of(Evidence::ExlId),
            keys: ids_of(Evidence::TranslationKey),
        }
    }

    fn find(&mut self, mut node: usize) -> usize {
        while self.parent[node] != node {
            self.parent[node] = self.parent[self.parent[node]];
            node = self.parent[node];
        }
        node
    }

    /// Links all `members`, unless that would join sets whose stronger
    /// identifiers disagree: then nothing is linked and the contradiction is
    /// returned, naming every file involved.
    fn link_all(
        &mut self,
        pages: &[SourcePage],
        members: &[usize],
        evidence: Evidence,
    ) -> Result<(), Diagnostic> {
        let roots: BTreeSet<usize> = members.iter().map(|&m| self.find(m)).collect();
        let exl_ids = self.union_of(&self.exl_ids, &roots);
        let keys = self.union_of(&self.keys, &roots);
        let conflict = match evidence {
            Evidence::ExlId => None,
            Evidence::TranslationKey => (exl_ids.len() > 1).then_some(("exl-ids", exl_ids)),
            Evidence::SamePath if exl_ids.len() > 1 => Some(("exl-ids", exl_ids)),
            Evidence::SamePath => (keys.len() > 1).then_some(("translation keys", keys)),
        };
        if let Some((what, values)) = conflict {
            return Err(contradiction(pages, members, evidence, what, &values));
        }
        let mut roots = roots.into_iter();
        let Some(keep) = roots.next() else {
            return Ok(());
        };
        for merge in roots {
            self.parent[merge] = keep;
            for ids in [&mut self.exl_ids, &mut self.keys] {
                if let Some(moved) = ids.remove(&merge) {
                    ids.entry(keep).or_default().extend(moved);
                }
            }
        }
        Ok(())
    }

    fn union_of(
        &self,
        ids: &HashMap<usize, BTreeSet<String>>,
        roots: &BTreeSet<usize>,
    ) -> BTreeSet<String> {
        roots
            .iter()
            .filter_map(|r| ids.get(r))
            .flatten()
            .cloned()
            .collect()
    }

    fn into_alignment(mut self, pages: &[SourcePage]) -> (Alignment, Vec<Diagnostic>) {
        let mut group_of_root: HashMap<usize, usize> = HashMap::new();
        let mut members: Vec<Vec<usize>> = Vec::new();
        let mut group_of_page = Vec::with_capacity(pages.len());
        for index in 0..pages.len() {
            let root = self.find(index);
            let group = *group_of_root.entry(root).or_insert_with(|| {
                members.push(Vec::new());
                members.len() - 1
            });
            members[group].push(index);
            group_of_page.push(group);
        }
        let mut problems = Vec::new();
        let groups = members
            .iter()
            .map(|indices| build_group(pages, indices, &mut problems))
            .collect();
        (
            Alignment {
                groups,
                group_of_page,
            },
            problems,
        )
    }
}

fn contradiction(
    pages: &[SourcePage],
    members: &[usize],
    evidence: Evidence,
    what: &str,
    values: &BTreeSet<String>,
) -> Diagnostic {
    let first = members
        .iter()
        .map(|&i| &pages[i])
        .find(|p| evidence.value(p).is_some());
    let value = first.and_then(|p| evidence.value(p)).unwrap_or_default();
    let values: Vec<&str> = values.iter().map(String::as_str).collect();
    Diagnostic::error(format!(
        "{} links pages of different {what} ({}): {}",
        evidence.describe(value),
        values.join(", "),
        file_list(pages, members)
    ))
    .in_file(&pages[members[0]].file.display_path)
    .with_help(
        "make the ids agree, or move or rename the pages that are not translations of each other",
    )
}

fn file_list(pages: &[SourcePage], indices: &[usize]) -> String {
    let files: Vec<String> = indices
        .iter()
        .map(|&i| pages[i].file.display_path.display().to_string())
        .collect();
    files.join(", ")
}

fn build_group(
    pages: &[SourcePage],
    indices: &[usize],
    problems: &mut Vec<Diagnostic>,
) -> TranslationGroup {
    let mut by_lang: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for &index in indices {
        by_lang
            .entry(pages[index].lang.clone())
            .or_default()
            .push(index);
    }
    let mut group = TranslationGroup {
        pages: BTreeMap::new(),
        exl_id: indices
            .iter()
            .find_map(|&i| Evidence::ExlId.value(&pages[i]).map(String::from)),
        translation_key: indices
            .iter()
            .find_map(|&i| Evidence::TranslationKey.value(&pages[i]).map(String::from)),
    };
    for (lang, same_lang) in by_lang {
        if same_lang.len() > 1 {
            problems.push(duplicate_language(pages, &lang, &same_lang));
        }
        group.pages.insert(lang, same_lang[0]);
    }
    group
}

fn duplicate_language(pages: &[SourcePage], lang: &str, indices: &[usize]) -> Diagnostic {
    Diagnostic::error(format!(
        "{} pages in `{lang}` are translations of the same page (same exl-id, translation-key or path): {}",
        indices.len(),
        file_list(pages, indices)
    ))
    .in_file(&pages[indices[1]].file.display_path)
    .at(pages[indices[1]].front.key_lines.get("exl-id").unwrap_or(1), 1)
    .with_help("give each page its own exl-id, or remove the duplicate")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::FrontMatter;
    use crate::model::{SourceFile, SourceFormat};
    use std::path::PathBuf;

    const ID_A: &str = "d66b4a7f-d54b-4902-8791-7a8f67fa4b43";
    const ID_B: &str = "0f0e0d0c-0b0a-4909-8807-060504030201";

    pub(crate) fn page(
        lang: &str,
        path: &str,
        exl_id: Option<&str>,
        key: Option<&str>,
    ) -> SourcePage {
        SourcePage {
            file: SourceFile {
                path: PathBuf::from(format!("/s/content/{lang}/{path}.md")),
                display_path: PathBuf::from(format!("content/{lang}/{path}.md")),
                format: SourceFormat::Markdown,
                folder_language: Some(lang.to_string()),
                suffix_language: None,
                logical_path: path.to_string(),
            },
            lang: lang.to_string(),
            front: FrontMatter {
                exl_id: exl_id.map(String::from),
                translation_key: key.map(String::from),
                key_lines: {
                    let mut lines = crate::model::front_matter::KeyLines::default();
                    lines.insert("exl-id", 3);
                    lines
                },
                ..Default::default()
            },
            body: crate::model::Body::Text(String::new()),
            body_line: 1,
            title: path.to_string(),
        }
    }

    #[test]
    fn same_path_links_translations() {
        let pages = [
            page("fr", "a", None, None),
            page("nl", "a", None, None),
            page("nl", "b", None, None),
        ];
        let (alignment, problems) = align(&pages);
        assert!(problems.is_empty());
        assert_eq!(alignment.translation(0, "nl"), Some(1));
        assert_eq!(alignment.translation(2, "fr"), None);
        assert!(alignment.groups[alignment.group_of_page[2]].is_single());
    }

    #[test]
    fn exl_id_links_across_paths_and_combines_with_paths() {
        let pages = [
            page("nl", "x", Some(ID_A), None),
            page("sv", "y", Some(ID_A), None),
            page("fr", "y", None, None),
        ];
        let (alignment, problems) = align(&pages);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(alignment.translation(0, "sv"), Some(1));
        assert_eq!(
            alignment.translation(0, "fr"),
            Some(2),
            "fr joins through sv's path"
        );
        assert_eq!(alignment.groups.len(), 1);
        assert_eq!(alignment.groups[0].exl_id.as_deref(), Some(ID_A));
    }

    #[test]
    fn translation_key_links_across_paths() {
        let pages = [
            page("fr", "a", None, Some("b2b")),
            page("it", "b", None, Some("b2b")),
        ];
        let (alignment, problems) = align(&pages);
        assert!(problems.is_empty());
        assert_eq!(alignment.translation(0, "it"), Some(1));
        assert_eq!(alignment.groups[0].translation_key.as_deref(), Some("b2b"));
    }

    #[test]
    fn two_pages_of_one_language_in_a_group_is_an_error_naming_both() {
        let pages = [
            page("nl", "x", Some(ID_A), None),
            page("nl", "y", Some(ID_A), None),
        ];
        let (_, problems) = align(&pages);
        assert_eq!(problems.len(), 1);
        assert!(problems[0].message.contains("content/nl/x.md"));
        assert!(problems[0].message.contains("content/nl/y.md"));
    }

    #[test]
    fn a_path_pulling_a_page_into_two_exl_id_groups_is_an_error_naming_every_file() {
        let pages = [
            page("nl", "x", Some(ID_A), None),
            page("sv", "x", Some(ID_B), None),
            page("fr", "x", None, None),
        ];
        let (alignment, problems) = align(&pages);
        assert_eq!(problems.len(), 1, "{problems:?}");
        let message = &problems[0].message;
        for file in [
            "content/nl/x.md",
            "content/sv/x.md",
            "content/fr/x.md",
            ID_A,
            ID_B,
        ] {
            assert!(message.contains(file), "{file} missing in {message}");
        }
        assert_eq!(
            alignment.translation(0, "sv"),
            None,
            "the contradiction is not followed"
        );
    }

    #[test]
    fn a_translation_key_joining_two_exl_ids_is_an_error() {
        let pages = [
            page("nl", "x", Some(ID_A), Some("k")),
            page("sv", "y", Some(ID_B), Some("k")),
        ];
        let (_, problems) = align(&pages);
        assert_eq!(problems.len(), 1);
        assert!(problems[0].message.contains("translation-key `k`"));
    }

    #[test]
    fn an_exl_id_that_is_not_a_uuid_is_an_error_at_its_line() {
        let pages = [page("nl", "x", Some("d66b4a7f-nope"), None)];
        let (_, problems) = align(&pages);
        assert_eq!(problems.len(), 1);
        assert_eq!(
            problems[0].location().as_deref(),
            Some("content/nl/x.md:3:1")
        );
        assert!(is_uuid(ID_A));
        assert!(!is_uuid("d66b4a7fd54b49028791-7a8f67fa4b43"));
    }
}
