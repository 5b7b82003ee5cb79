//! Stage 3: group pages that are translations of each other.
//!
//! Two pages are linked when they share an `exl-id` (the Experience League
//! convention) or the same logical path under their language folders; groups
//! are the connected pages, so evidence combines transitively.

use std::collections::{BTreeMap, HashMap};

use crate::diagnostics::Diagnostic;
use crate::read::SourcePage;

/// Pages that translate one another: at most one page per language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TranslationGroup {
    /// Language tag -> index into the page list.
    pub pages: BTreeMap<String, usize>,
}

/// The result of alignment: every page belongs to exactly one group.
#[derive(Clone, Debug)]
pub struct Alignment {
    pub groups: Vec<TranslationGroup>,
    /// Page index -> group index.
    pub group_of_page: Vec<usize>,
}

impl Alignment {
    /// The translation of page `page` into `lang`, if there is one.
    pub fn translation(&self, page: usize, lang: &str) -> Option<usize> {
        self.groups[self.group_of_page[page]]
            .pages
            .get(lang)
            .copied()
    }
}

/// Groups the pages; contradictions (two pages of one language in one group)
/// are errors naming every file involved.
pub fn align(pages: &[SourcePage]) -> (Alignment, Vec<Diagnostic>) {
    let mut links = UnionFind::new(pages.len());
    link_shared_values(&mut links, pages, |p| p.front.exl_id.as_deref());
    link_shared_values(&mut links, pages, |p| Some(p.file.logical_path.as_str()));
    collect_groups(pages, &mut links)
}

/// Links every page to the first page with the same value.
fn link_shared_values<'a>(
    links: &mut UnionFind,
    pages: &'a [SourcePage],
    value_of: impl Fn(&'a SourcePage) -> Option<&'a str>,
) {
    let mut first_with: HashMap<&str, usize> = HashMap::new();
    for (index, page) in pages.iter().enumerate() {
        if let Some(value) = value_of(page).filter(|v| !v.is_empty()) {
            let first = *first_with.entry(value).or_insert(index);
            links.union(first, index);
        }
    }
}

fn collect_groups(pages: &[SourcePage], links: &mut UnionFind) -> (Alignment, Vec<Diagnostic>) {
    let mut group_of_root: HashMap<usize, usize> = HashMap::new();
    let mut members: Vec<Vec<usize>> = Vec::new();
    let mut group_of_page = Vec::with_capacity(pages.len());
    for index in 0..pages.len() {
        let root = links.find(index);
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
        .map(|indices| one_page_per_language(pages, indices, &mut problems))
        .collect();
    (
        Alignment {
            groups,
            group_of_page,
        },
        problems,
    )
}

fn one_page_per_language(
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
    let files: Vec<String> = indices
        .iter()
        .map(|&i| pages[i].file.display_path.display().to_string())
        .collect();
    Diagnostic::error(format!(
        "{} pages in `{lang}` are translations of the same page (same exl-id or path): {}",
        files.len(),
        files.join(", ")
    ))
    .in_file(&pages[indices[1]].file.display_path)
    .with_help("give each page its own exl-id, or remove the duplicate")
}

/// Disjoint sets with path halving; near-linear in the number of pages.
struct UnionFind {
    parent: Vec<usize>,
}

impl UnionFind {
    fn new(size: usize) -> Self {
        UnionFind {
            parent: (0..size).collect(),
        }
    }

    fn find(&mut self, mut node: usize) -> usize {
        while self.parent[node] != node {
            self.parent[node] = self.parent[self.parent[node]];
            node = self.parent[node];
        }
        node
    }

    fn union(&mut self, a: usize, b: usize) {
        let (root_a, root_b) = (self.find(a), self.find(b));
        if root_a != root_b {
            // The smaller index stays root so groups are ordered by first page.
            let (keep, merge) = if root_a < root_b {
                (root_a, root_b)
            } else {
                (root_b, root_a)
            };
            self.parent[merge] = keep;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discover::{SourceFile, SourceFormat};
    use crate::frontmatter::FrontMatter;
    use std::path::PathBuf;

    fn page(lang: &str, path: &str, exl_id: Option<&str>) -> SourcePage {
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
                ..Default::default()
            },
            body: String::new(),
            body_line: 1,
            title: path.to_string(),
        }
    }

    #[test]
    fn same_path_links_translations() {
        let pages = [
            page("fr", "a", None),
            page("nl", "a", None),
            page("nl", "b", None),
        ];
        let (alignment, problems) = align(&pages);
        assert!(problems.is_empty());
        assert_eq!(alignment.translation(0, "nl"), Some(1));
        assert_eq!(alignment.translation(2, "fr"), None);
    }

    #[test]
    fn exl_id_links_across_paths_and_combines_with_paths() {
        let id = Some("d66b4a7f-d54b-4902-8791-7a8f67fa4b43");
        let pages = [
            page("nl", "x", id),
            page("sv", "y", id),
            page("fr", "y", None),
        ];
        let (alignment, _) = align(&pages);
        assert_eq!(alignment.translation(0, "sv"), Some(1));
        assert_eq!(
            alignment.translation(0, "fr"),
            Some(2),
            "fr joins through sv's path"
        );
        assert_eq!(alignment.groups.len(), 1);
    }

    #[test]
    fn two_pages_of_one_language_in_a_group_is_an_error_naming_both() {
        let id = Some("d66b4a7f-d54b-4902-8791-7a8f67fa4b43");
        let pages = [page("nl", "x", id), page("nl", "y", id)];
        let (_, problems) = align(&pages);
        assert_eq!(problems.len(), 1);
        assert!(problems[0].message.contains("content/nl/x.md"));
        assert!(problems[0].message.contains("content/nl/y.md"));
    }
}
