//! Suggested partners for pages that nothing links to: the groups whose
//! fingerprints match theirs. A suggestion names the exact fix (the front
//! matter line to add, or where to move the file); it changes the alignment
//! only when the site asks for it (`apply_suggestions`).

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;

use crate::align::fingerprint::similarity;
use crate::model::Alignment;
use crate::model::Fingerprint;
use crate::model::Fix;
use crate::model::SourcePage;
use crate::model::Suggestion;

/// Fingerprints closer than this are worth a translator's look.
pub const MIN_SCORE: f64 = 0.6;

/// Tokens found in more pages than this are too common to pick candidates.
const MAX_TOKEN_PAGES: usize = 200;

/// Suggestions for every page alone in its group, best matches first.
pub fn suggest(
    pages: &[SourcePage],
    alignment: &Alignment,
    fingerprints: &[Fingerprint],
) -> Vec<Suggestion> {
    let edges = candidate_edges(pages, alignment, fingerprints);
    let components = join_greedily(pages, alignment, edges);
    let mut suggestions: Vec<Suggestion> = components
        .into_iter()
        .flat_map(|component| component.suggestions(pages, alignment))
        .collect();
    suggestions.sort_by_key(|s| s.page);
    suggestions
}

/// A possible link between an unlinked page's group and another group.
struct Edge {
    score: f64,
    single: usize,
    other: usize,
}

fn candidate_edges(
    pages: &[SourcePage],
    alignment: &Alignment,
    fingerprints: &[Fingerprint],
) -> Vec<Edge> {
    let index = TokenIndex::new(fingerprints);
    let mut edges = Vec::new();
    for (single, group) in alignment
        .groups
        .iter()
        .enumerate()
        .filter(|(_, g)| g.is_unaligned())
    {
        let Some((lang, &page)) = group.pages.iter().next() else {
            continue;
        };
        let mut best: HashMap<usize, f64> = HashMap::new();
        for candidate in index.candidates(page) {
            let other = alignment.group_of_page[candidate];
            if other == single
                || alignment.groups[other].pages.contains_key(lang)
                || pages[candidate].lang == *lang
            {
                continue;
            }
            let score = similarity(&fingerprints[page], &fingerprints[candidate]);
            let entry = best.entry(other).or_insert(0.0);
            *entry = entry.max(score);
        }
        edges.extend(
            best.into_iter()
                .filter(|&(_, score)| score >= MIN_SCORE)
                .map(|(other, score)| Edge {
                    score,
                    single,
                    other,
                }),
        );
    }
    edges.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(a.single.cmp(&b.single))
            .then(a.other.cmp(&b.other))
    });
    edges
}

/// Pages sharing a distinctive token: comparing only those keeps suggestion
/// finding far from quadratic on large sites.
struct TokenIndex<'a> {
    pages_with: HashMap<&'a str, Vec<usize>>,
    fingerprints: &'a [Fingerprint],
}

impl<'a> TokenIndex<'a> {
    fn new(fingerprints: &'a [Fingerprint]) -> Self {
        let mut pages_with: HashMap<&str, Vec<usize>> = HashMap::new();
        for (page, fingerprint) in fingerprints.iter().enumerate() {
            for token in fingerprint.tokens.keys() {
                pages_with.entry(token.as_str()).or_default().push(page);
            }
        }
        pages_with.retain(|_, pages| pages.len() <= MAX_TOKEN_PAGES);
        TokenIndex {
            pages_with,
            fingerprints,
        }
    }

    fn candidates(&self, page: usize) -> BTreeSet<usize> {
        self.fingerprints[page]
            .tokens
            .keys()
            .filter_map(|token| self.pages_with.get(token.as_str()))
            .flatten()
            .copied()
            .filter(|&other| other != page)
            .collect()
    }
}

/// Groups joined by the best edges first, never two pages of one language
/// and never two groups that are already linked (anchored) together.
struct Component {
    groups: Vec<usize>,
    /// Score of the edge through which each group joined.
    joined_with: HashMap<usize, f64>,
}

fn join_greedily(pages: &[SourcePage], alignment: &Alignment, edges: Vec<Edge>) -> Vec<Component> {
    let mut sets = GroupSets::new(pages, alignment);
    let mut joined_with = HashMap::new();
    for edge in edges {
        if sets.try_join(edge.single, edge.other) {
            joined_with.insert(edge.single, edge.score);
        }
    }
    sets.components()
        .into_iter()
        .filter(|groups| groups.len() > 1)
        .map(|groups| {
            let joined_with = groups
                .iter()
                .filter_map(|g| Some((*g, *joined_with.get(g)?)))
                .collect();
            Component {
                groups,
                joined_with,
            }
        })
        .collect()
}

impl Component {
    fn suggestions(&self, pages: &[SourcePage], alignment: &Alignment) -> Vec<Suggestion> {
        let anchor = self
            .groups
            .iter()
            .copied()
            .find(|&g| !alignment.groups[g].is_single());
        let all_pages: Vec<usize> = self
            .groups
            .iter()
            .flat_map(|&g| alignment.groups[g].pages.values().copied())
            .collect();
        let first_page = all_pages.iter().copied().min().unwrap_or_default();
        self.groups
            .iter()
            .filter(|&&g| Some(g) != anchor)
            .filter_map(|&g| alignment.groups[g].pages.values().next().copied())
            .map(|page| Suggestion {
                page,
                group: anchor,
                partners: all_pages.iter().copied().filter(|&p| p != page).collect(),
                score: self.score_of(alignment.group_of_page[page]),
                fix: match anchor {
                    Some(group) => fix_for_group(pages, alignment, page, group),
                    None => Fix::FrontMatter(format!(
                        "translation-key: {}",
                        pages[first_page].file.logical_path
                    )),
                },
            })
            .collect()
    }

    /// The score of the edge a group joined by; the first group of an
    /// unanchored pair joined nothing itself, so it shares its partner's.
    fn score_of(&self, group: usize) -> f64 {
        self.joined_with
            .get(&group)
            .copied()
            .unwrap_or_else(|| self.joined_with.values().copied().fold(0.0, f64::max))
    }
}

fn fix_for_group(pages: &[SourcePage], alignment: &Alignment, page: usize, group: usize) -> Fix {
    let group = &alignment.groups[group];
    if let Some(id) = &group.exl_id {
        return Fix::FrontMatter(format!("exl-id: {id}"));
    }
    if let Some(key) = &group.translation_key {
        return Fix::FrontMatter(format!("translation-key: {key}"));
    }
    let member = group.pages.values().next().map_or(page, |&m| m);
    Fix::MoveTo(path_in_group(
        &pages[page],
        &pages[member].file.logical_path,
    ))
}

/// Where `page` would sit to share `logical_path`, keeping its own layout
/// (language folder or suffix) and extension.
fn path_in_group(page: &SourcePage, logical_path: &str) -> PathBuf {
    let extension = page
        .file
        .path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("md");
    let display = page.file.display_path.to_string_lossy();
    let content_root = display.split('/').next().unwrap_or("content");
    let file = if page.file.folder_language.is_some() {
        format!("{content_root}/{}/{logical_path}.{extension}", page.lang)
    } else {
        format!("{content_root}/{logical_path}.{}.{extension}", page.lang)
    };
    PathBuf::from(file)
}

/// Union-find over groups that tracks each set's languages and whether it
/// already holds a linked group.
struct GroupSets {
    parent: Vec<usize>,
    languages: Vec<BTreeSet<String>>,
    anchored: Vec<bool>,
}

impl GroupSets {
    fn new(pages: &[SourcePage], alignment: &Alignment) -> Self {
        GroupSets {
            parent: (0..alignment.groups.len()).collect(),
            languages: alignment
                .groups
                .iter()
                .map(|g| g.pages.values().map(|&p| pages[p].lang.clone()).collect())
                .collect(),
            anchored: alignment
                .groups
                .iter()
                .map(|g| !g.is_single() && !g.pages.is_empty())
                .collect(),
        }
    }

    fn find(&mut self, mut node: usize) -> usize {
        while self.parent[node] != node {
            self.parent[node] = self.parent[self.parent[node]];
            node = self.parent[node];
        }
        node
    }

    fn try_join(&mut self, a: usize, b: usize) -> bool {
        let (root_a, root_b) = (self.find(a), self.find(b));
        let clash = root_a == root_b
            || (self.anchored[root_a] && self.anchored[root_b])
            || !self.languages[root_a].is_disjoint(&self.languages[root_b]);
        if clash {
            return false;
        }
        let (keep, merge) = (root_a.min(root_b), root_a.max(root_b));
        self.parent[merge] = keep;
        let moved = std::mem::take(&mut self.languages[merge]);
        self.languages[keep].extend(moved);
        self.anchored[keep] |= self.anchored[merge];
        true
    }

    fn components(&mut self) -> Vec<Vec<usize>> {
        let mut by_root: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
        for group in 0..self.parent.len() {
            let root = self.find(group);
            by_root.entry(root).or_default().push(group);
        }
        by_root.into_values().collect()
    }
}

/// Applies suggestions that point into a group, for sites that ask for it.
pub fn apply(pages: &[SourcePage], alignment: &mut Alignment, suggestions: &[Suggestion]) {
    for suggestion in suggestions {
        let target = suggestion.group.or_else(|| {
            suggestion
                .partners
                .iter()
                .map(|&p| alignment.group_of_page[p])
                .min()
        });
        if let Some(group) = target
            && !alignment.groups[group]
                .pages
                .contains_key(&pages[suggestion.page].lang)
        {
            alignment.join(pages, suggestion.page, group);
        }
    }
}
