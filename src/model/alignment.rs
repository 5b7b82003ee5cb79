//! Translation groups: which pages translate one another, and the
//! alignments tolk suggests for pages nothing links yet.

use crate::model::SourcePage;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Pages that translate one another: at most one page per language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TranslationGroup {
    /// Language tag -> index into the page list.
    pub pages: BTreeMap<String, usize>,
    pub exl_id: Option<String>,
    pub translation_key: Option<String>,
}

impl TranslationGroup {
    /// A page with nothing linking it to any other page.
    pub fn is_single(&self) -> bool {
        self.pages.len() == 1
    }

    /// A single page without an id of its own: nothing says which page it
    /// translates, so it is unaligned (a lone page with an exl-id or a
    /// translation key is aligned; it is just not translated yet).
    pub fn is_unaligned(&self) -> bool {
        self.is_single() && self.exl_id.is_none() && self.translation_key.is_none()
    }
}

/// The result of alignment: every page belongs to exactly one group.
#[derive(Clone, Debug, Default)]
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

    /// Moves `page` (alone in its group) into `group`; used when the site
    /// asks for suggestions to be applied. Its old group is left empty.
    pub fn join(&mut self, pages: &[SourcePage], page: usize, group: usize) {
        let old = self.group_of_page[page];
        self.groups[old].pages.clear();
        self.groups[group]
            .pages
            .insert(pages[page].lang.clone(), page);
        self.group_of_page[page] = group;
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Suggestion {
    /// The page that nothing links yet.
    pub page: usize,
    /// The group it most likely belongs to; `None` when it pairs with other
    /// unlinked pages only.
    pub group: Option<usize>,
    /// The pages it should be aligned with.
    pub partners: Vec<usize>,
    pub score: f64,
    pub fix: Fix,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fix {
    /// Add this line to the page's front matter, e.g. `exl-id: d66b…`.
    FrontMatter(String),
    /// Move the file here (the group is linked by path only).
    MoveTo(PathBuf),
}

impl Fix {
    pub fn describe(&self) -> String {
        match self {
            Fix::FrontMatter(line) => format!("add `{line}` to its front matter"),
            Fix::MoveTo(path) => format!("move it to {}", path.display()),
        }
    }
}
