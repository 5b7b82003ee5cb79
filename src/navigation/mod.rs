//! Per-language navigation: sections (first folders) and their pages in
//! reading order, for the sidebar, breadcrumbs and previous/next links.
//!
//! Built once per language; a page's view of it holds only the list of
//! sections and the pages of its own section, so rendering stays linear in
//! the number of pages however large the site grows.
//!
//! Order within a section: the slugs listed in an optional `_order.txt` in
//! the section folder (`content/<lang>/<section>/_order.txt`, or
//! `content/<section>/_order.txt` for every language), then a `weight` in the
//! front matter (smaller first), then the title.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::Serialize;

use crate::model::SiteConfig;
use crate::model::SourcePage;
use crate::model::urls::section_of;

mod toc;

/// One section of one language.
#[derive(Clone, Debug)]
pub(crate) struct Section {
    /// The folder name; empty for pages at the language root.
    pub name: String,
    /// The title of the section's index page, else the folder name.
    pub title: String,
    /// The section's index page (`<section>/index.md`), if any.
    pub index: Option<usize>,
    /// Pages in reading order (the index page excluded).
    pub pages: Vec<usize>,
    /// The sidebar's entries: the pages, or the tree of the section's
    /// `TOC.md` when it has one (group labels without a page included).
    pub entries: Vec<Entry>,
    /// The folder has a `TOC.md`: a guide, listed as one on the home.
    pub is_guide: bool,
}

impl Section {
    /// The page a link to the section leads to: its index page, else its
    /// first page.
    pub(crate) fn link_page(&self) -> Option<usize> {
        self.index.or(self.pages.first().copied())
    }
}

/// One line of a section's sidebar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Entry {
    pub page: Option<usize>,
    /// Shown instead of the page's title (TOC labels and link texts).
    pub label: Option<String>,
    pub depth: usize,
}

#[derive(Debug, Default)]
pub(crate) struct LanguageNav {
    pub sections: Vec<Section>,
    /// Page -> (section, position in the section) for fast lookups.
    position: HashMap<usize, (usize, usize)>,
}

#[derive(Debug, Default)]
pub(crate) struct Navigation {
    languages: HashMap<String, LanguageNav>,
}

/// A link in the navigation, as templates see it.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub(crate) struct NavLink {
    pub title: String,
    pub url: String,
    pub current: bool,
    /// Nesting level in the section's tree (0 at the top).
    pub depth: usize,
    /// Set on the link standing for the entries a long sidebar leaves out:
    /// how many, so a theme can say so in the reader's language.
    pub hidden: usize,
}

#[derive(Clone, Debug, Serialize)]
pub(crate) struct NavSection {
    pub title: String,
    pub url: String,
    /// The page shown is in this section: its pages are listed.
    pub current: bool,
    pub pages: Vec<NavLink>,
}

/// What one page's templates get.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct PageNav {
    pub sections: Vec<NavSection>,
    pub breadcrumbs: Vec<NavLink>,
    pub prev: Option<NavLink>,
    pub next: Option<NavLink>,
}

impl Navigation {
    pub(crate) fn build(config: &SiteConfig, pages: &[SourcePage]) -> Navigation {
        let mut by_language: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (index, page) in pages.iter().enumerate() {
            by_language
                .entry(page.lang.as_str())
                .or_default()
                .push(index);
        }
        let languages = by_language
            .into_iter()
            .map(|(lang, indices)| {
                (
                    lang.to_string(),
                    language_nav(config, pages, lang, &indices),
                )
            })
            .collect();
        Navigation { languages }
    }

    /// The pages whose previous or next link shows `page` (in `lang`): its
    /// neighbours in reading order, which may be in other sections.
    pub(crate) fn neighbours_of(&self, lang: &str, page: usize) -> Vec<usize> {
        let Some(nav) = self.languages.get(lang) else {
            return Vec::new();
        };
        let Some(&(section, index)) = nav.position.get(&page) else {
            return Vec::new();
        };
        let (prev, next) = nav.neighbour_pages(section, index);
        prev.into_iter().chain(next).collect()
    }

    /// The languages in which `self` and `other` differ in what every page
    /// of the language shows of each section (its title, and the page its
    /// link leads to): a title edit that changes one of these reaches every
    /// page of the language, not only the section's.
    pub(crate) fn languages_with_other_heads(&self, other: &Navigation) -> Vec<String> {
        let languages: std::collections::BTreeSet<&String> = self
            .languages
            .keys()
            .chain(other.languages.keys())
            .collect();
        languages
            .into_iter()
            .filter(|lang| {
                let (mine, theirs) = (self.languages.get(*lang), other.languages.get(*lang));
                mine.map(LanguageNav::heads) != theirs.map(LanguageNav::heads)
            })
            .cloned()
            .collect()
    }

    /// The guides of `lang` (folders with a `TOC.md`), by folder name.
    pub(crate) fn guides(&self, lang: &str) -> impl Iterator<Item = &Section> {
        self.languages
            .get(lang)
            .into_iter()
            .flat_map(|nav| nav.sections.iter().filter(|s| s.is_guide))
    }

    /// The navigation seen from page `current` (its content page), in `lang`.
    /// `urls[page]` is each page's URL; `home` the language's home URL.
    pub(crate) fn page_view(
        &self,
        lang: &str,
        current: Option<usize>,
        urls: &[String],
        titles: &[&str],
        home: NavLink,
    ) -> PageNav {
        let Some(nav) = self.languages.get(lang) else {
            return PageNav {
                sections: Vec::new(),
                breadcrumbs: vec![home],
                prev: None,
                next: None,
            };
        };
        let position = current.and_then(|page| nav.position.get(&page).copied());
        let link = |page: usize, depth: usize| NavLink {
            title: titles[page].to_string(),
            url: urls[page].clone(),
            current: Some(page) == current,
            depth,
            hidden: 0,
        };
        let sections = nav.sections_view(position, &link, &home);
        let mut breadcrumbs = vec![home.clone()];
        if let Some((section, _)) = position {
            let section = &nav.sections[section];
            if !section.name.is_empty() {
                breadcrumbs.push(NavLink {
                    title: section.title.clone(),
                    url: section
                        .link_page()
                        .map_or_else(|| home.url.clone(), |i| urls[i].clone()),
                    current: false,
                    depth: 0,
                    hidden: 0,
                });
            }
        }
        if let Some(page) = current {
            breadcrumbs.push(link(page, 0));
        }
        let (prev, next) = match position {
            Some((section, index)) => nav.neighbours(section, index, &link),
            None => (None, None),
        };
        PageNav {
            sections,
            breadcrumbs,
            prev,
            next,
        }
    }
}

impl LanguageNav {
    /// Each section as the sidebar and the breadcrumbs of every page name
    /// it: its title and the page its link leads to.
    fn heads(&self) -> Vec<(&str, Option<usize>)> {
        self.sections
            .iter()
            .map(|s| (s.title.as_str(), s.link_page()))
            .collect()
    }

    fn sections_view(
        &self,
        position: Option<(usize, usize)>,
        link: &dyn Fn(usize, usize) -> NavLink,
        home: &NavLink,
    ) -> Vec<NavSection> {
        self.sections
            .iter()
            .enumerate()
            .map(|(index, section)| {
                let current = position.is_some_and(|(s, _)| s == index);
                let first = section.link_page();
                NavSection {
                    title: section.title.clone(),
                    url: first.map_or_else(|| home.url.clone(), |page| link(page, 0).url),
                    current,
                    pages: if current {
                        let around = position.map_or(0, |(_, index)| index);
                        window(
                            &section.entries,
                            section.pages.get(around).copied(),
                            &more_url(section, home),
                            link,
                        )
                    } else {
                        Vec::new()
                    },
                }
            })
            .collect()
    }

    /// Previous and next page in reading order, across sections.
    fn neighbours(
        &self,
        section: usize,
        index: usize,
        link: &dyn Fn(usize, usize) -> NavLink,
    ) -> (Option<NavLink>, Option<NavLink>) {
        let (prev, next) = self.neighbour_pages(section, index);
        (prev.map(|p| link(p, 0)), next.map(|p| link(p, 0)))
    }

    /// The pages before and after the one at `index` of `section`.
    fn neighbour_pages(&self, section: usize, index: usize) -> (Option<usize>, Option<usize>) {
        let pages = &self.sections[section].pages;
        let prev = if index > 0 {
            pages.get(index - 1).copied()
        } else {
            self.sections[..section]
                .iter()
                .rev()
                .find_map(|s| s.pages.last().copied())
        };
        let next = pages.get(index + 1).copied().or_else(|| {
            self.sections[section + 1..]
                .iter()
                .find_map(|s| s.pages.first().copied())
        });
        (prev, next)
    }
}

/// Sections longer than this show only the entries around the current page:
/// listing every page of a 900-page section on each of its pages would make
/// the output grow with the square of the section's size.
const MAX_SECTION_ENTRIES: usize = 41;

/// Where a cut sidebar sends its reader for the rest: the guide's list on
/// the language's home, or the home itself, which lists every page.
fn more_url(section: &Section, home: &NavLink) -> String {
    if section.is_guide {
        format!("{}#{}", home.url, guide_anchor(&section.name))
    } else {
        home.url.clone()
    }
}

/// The id of a guide's list on the home: `help/live-search` ->
/// `guide-help-live-search`.
pub(crate) fn guide_anchor(guide: &str) -> String {
    format!("guide-{}", guide.replace('/', "-"))
}

/// The section's entries, or a window of them centred on `current` with a
/// link to the rest (`more_url`) at each cut end.
fn window(
    entries: &[Entry],
    current: Option<usize>,
    more_url: &str,
    link: &dyn Fn(usize, usize) -> NavLink,
) -> Vec<NavLink> {
    if entries.len() <= MAX_SECTION_ENTRIES {
        return entries
            .iter()
            .map(|entry| entry_link(entry, link))
            .collect();
    }
    let at = entries
        .iter()
        .position(|e| e.page.is_some() && e.page == current)
        .unwrap_or(0);
    let half = MAX_SECTION_ENTRIES / 2;
    let start = at
        .saturating_sub(half)
        .min(entries.len() - MAX_SECTION_ENTRIES);
    let end = start + MAX_SECTION_ENTRIES;
    // The title is for themes that do not know `hidden`.
    let more = |count: usize| NavLink {
        title: format!("… {count}"),
        url: more_url.to_string(),
        current: false,
        depth: 0,
        hidden: count,
    };
    let mut links = Vec::with_capacity(MAX_SECTION_ENTRIES + 2);
    if start > 0 {
        links.push(more(start));
    }
    links.extend(
        entries[start..end]
            .iter()
            .map(|entry| entry_link(entry, link)),
    );
    if end < entries.len() {
        links.push(more(entries.len() - end));
    }
    links
}

fn entry_link(entry: &Entry, link: &dyn Fn(usize, usize) -> NavLink) -> NavLink {
    let mut nav_link = match entry.page {
        Some(page) => link(page, entry.depth),
        None => NavLink {
            title: String::new(),
            url: String::new(),
            current: false,
            depth: entry.depth,
            hidden: 0,
        },
    };
    if let Some(label) = &entry.label {
        nav_link.title = label.clone();
    }
    nav_link
}

fn language_nav(
    config: &SiteConfig,
    pages: &[SourcePage],
    lang: &str,
    indices: &[usize],
) -> LanguageNav {
    let mut sections: BTreeMap<&str, Section> = BTreeMap::new();
    let mut guides = Guides::default();
    for &index in indices {
        let path = pages[index].file.logical_path.as_str();
        if path.is_empty() {
            continue; // the language's home
        }
        let is_index = is_section_index(&pages[index]);
        let first_folder = if is_index {
            path.split('/').next().unwrap_or(path)
        } else {
            section_of(path)
        };
        let name = guides
            .of(config, lang, path, is_index)
            .unwrap_or(first_folder);
        let section = sections.entry(name).or_insert_with(|| Section {
            name: name.to_string(),
            title: humanize(name),
            index: None,
            pages: Vec::new(),
            entries: Vec::new(),
            is_guide: false,
        });
        if is_index && path == name {
            section.index = Some(index);
            section.title = pages[index].title.clone();
        } else {
            section.pages.push(index);
        }
    }
    let mut sections: Vec<Section> = sections.into_values().collect();
    let by_source: HashMap<String, usize> = indices
        .iter()
        .map(|&i| {
            (
                crate::model::urls::content_relative_path(config, &pages[i]),
                i,
            )
        })
        .collect();
    for section in &mut sections {
        let order = ordering_file(config, lang, &section.name);
        sort_section(pages, &mut section.pages, &order);
        match toc::read(config, lang, &section.name, &by_source) {
            Some(toc) => {
                section.title = toc.title.unwrap_or_else(|| section.title.clone());
                section.pages = toc.entries.iter().filter_map(|e| e.page).collect();
                section.entries = toc.entries;
                section.is_guide = true;
            }
            None => {
                section.entries = section
                    .pages
                    .iter()
                    .map(|&page| Entry {
                        page: Some(page),
                        label: None,
                        depth: 0,
                    })
                    .collect();
            }
        }
    }
    // Pages at the language root read first.
    sections.sort_by_key(|s| !s.name.is_empty());
    let position = sections
        .iter()
        .enumerate()
        .flat_map(|(s, section)| {
            section
                .pages
                .iter()
                .enumerate()
                .map(move |(i, &page)| (page, (s, i)))
        })
        .collect();
    LanguageNav { sections, position }
}

/// Folders holding a `TOC.md`, each a guide at whatever depth (Adobe keeps
/// one guide per folder: `help/live-search/TOC.md`), looked up once each.
#[derive(Default)]
struct Guides {
    has_toc: HashMap<String, bool>,
}

impl Guides {
    /// The deepest folder around `path` with a `TOC.md` in `lang`: its
    /// pages are the guide's, whatever the first folder is.
    fn of<'p>(
        &mut self,
        config: &SiteConfig,
        lang: &str,
        path: &'p str,
        is_index: bool,
    ) -> Option<&'p str> {
        let mut folder = if is_index {
            Some(path)
        } else {
            path.rsplit_once('/').map(|(folder, _)| folder)
        };
        while let Some(candidate) = folder {
            let found = *self
                .has_toc
                .entry(candidate.to_string())
                .or_insert_with(|| {
                    config
                        .content_dir
                        .join(lang)
                        .join(candidate)
                        .join("TOC.md")
                        .is_file()
                });
            if found {
                return Some(candidate);
            }
            folder = candidate.rsplit_once('/').map(|(parent, _)| parent);
        }
        None
    }
}

/// `index.md`, `_index.md` (or `index.fr.md`) stand for their folder.
fn is_section_index(page: &SourcePage) -> bool {
    let name = page
        .file
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    matches!(name.split('.').next(), Some("index" | "_index"))
}

fn sort_section(pages: &[SourcePage], section: &mut [usize], order: &[String]) {
    let rank = |page: usize| {
        let slug = pages[page]
            .file
            .logical_path
            .rsplit('/')
            .next()
            .unwrap_or_default();
        order
            .iter()
            .position(|listed| listed == slug)
            .unwrap_or(usize::MAX)
    };
    let weight = |page: usize| pages[page].front.weight.unwrap_or(i64::MAX);
    section.sort_by(|&a, &b| {
        (
            rank(a),
            weight(a),
            pages[a].title.to_lowercase(),
            &pages[a].file.logical_path,
        )
            .cmp(&(
                rank(b),
                weight(b),
                pages[b].title.to_lowercase(),
                &pages[b].file.logical_path,
            ))
    });
}

/// Slugs listed in `_order.txt`, one per line (`#` starts a comment).
fn ordering_file(config: &SiteConfig, lang: &str, section: &str) -> Vec<String> {
    let candidates = [
        config.content_dir.join(lang).join(section),
        config.content_dir.join(section),
    ];
    candidates
        .iter()
        .map(|dir| dir.join("_order.txt"))
        .find_map(|path| read_order(&path))
        .unwrap_or_default()
}

fn read_order(path: &Path) -> Option<Vec<String>> {
    let text = std::fs::read_to_string(path).ok()?;
    Some(
        text.lines()
            .map(|line| line.split('#').next().unwrap_or_default().trim())
            .filter(|line| !line.is_empty())
            .map(|line| line.trim_end_matches(".md").to_string())
            .collect(),
    )
}

/// `getting-started` -> `Getting started`.
fn humanize(folder: &str) -> String {
    let words = folder.replace(['-', '_'], " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::FrontMatter;
    use crate::model::{SourceFile, SourceFormat};
    use std::path::PathBuf;

    fn page(path: &str, title: &str, weight: Option<i64>) -> SourcePage {
        let logical = path.strip_suffix("/index").unwrap_or(path);
        let front = FrontMatter {
            weight,
            ..FrontMatter::default()
        };
        SourcePage {
            file: SourceFile {
                path: PathBuf::from(format!("/s/content/fr/{path}.md")),
                display_path: PathBuf::from(format!("content/fr/{path}.md")),
                format: SourceFormat::Markdown,
                folder_language: Some("fr".into()),
                suffix_language: None,
                logical_path: logical.to_string(),
            },
            lang: "fr".into(),
            front,
            body: crate::model::Body::Text(String::new()),
            body_line: 1,
            title: title.to_string(),
        }
    }

    fn config() -> SiteConfig {
        SiteConfig::parse(
            Path::new("/nonexistent"),
            "title='t'\nbase_url='https://x.org/'\n[[languages]]\ntag='fr'\n",
        )
        .unwrap()
    }

    fn view(pages: &[SourcePage], current: usize) -> PageNav {
        view_in(&config(), pages, current)
    }

    fn view_in(config: &SiteConfig, pages: &[SourcePage], current: usize) -> PageNav {
        let nav = Navigation::build(config, pages);
        let urls: Vec<String> = pages
            .iter()
            .map(|p| format!("/fr/{}/", p.file.logical_path))
            .collect();
        let titles: Vec<&str> = pages.iter().map(|p| p.title.as_str()).collect();
        let home = NavLink {
            title: "Accueil".into(),
            url: "/fr/".into(),
            current: false,
            depth: 0,
            hidden: 0,
        };
        nav.page_view("fr", Some(current), &urls, &titles, home)
    }

    #[test]
    fn sections_list_only_the_current_sections_pages() {
        let pages = [
            page("commerce/b", "B", None),
            page("commerce/a", "A", None),
            page("articles/x", "X", None),
            page("commerce/index", "Commerce B2B", None),
        ];
        let nav = view(&pages, 0);
        let titles: Vec<&str> = nav.sections.iter().map(|s| s.title.as_str()).collect();
        assert_eq!(titles, ["Articles", "Commerce B2B"]);
        assert!(nav.sections[0].pages.is_empty());
        let in_commerce: Vec<&str> = nav.sections[1]
            .pages
            .iter()
            .map(|p| p.title.as_str())
            .collect();
        assert_eq!(in_commerce, ["A", "B"]);
        assert!(nav.sections[1].pages[1].current);
    }

    #[test]
    fn breadcrumbs_and_neighbours_follow_reading_order() {
        // A has a weight, so it reads before B; the articles section reads first.
        let pages = [
            page("commerce/b", "B", None),
            page("commerce/a", "A", Some(9)),
            page("articles/x", "X", None),
        ];
        let nav = view(&pages, 1);
        let crumbs: Vec<&str> = nav.breadcrumbs.iter().map(|c| c.title.as_str()).collect();
        assert_eq!(crumbs, ["Accueil", "Commerce", "A"]);
        assert_eq!(
            nav.prev.as_ref().map(|p| p.title.as_str()),
            Some("X"),
            "across sections"
        );
        assert_eq!(nav.next.as_ref().map(|p| p.title.as_str()), Some("B"));
        assert!(view(&pages, 0).next.is_none());
    }

    #[test]
    fn long_sections_show_a_window_around_the_current_page() {
        let pages: Vec<SourcePage> = (0..100)
            .map(|i| page(&format!("big/p{i:03}"), &format!("P{i:03}"), None))
            .collect();
        let nav = view(&pages, 50);
        let shown: Vec<&str> = nav.sections[0]
            .pages
            .iter()
            .map(|p| p.title.as_str())
            .collect();
        assert_eq!(shown.len(), MAX_SECTION_ENTRIES + 2);
        assert_eq!(shown[0], "… 30");
        assert_eq!(shown[shown.len() - 1], "… 29");
        let hidden: Vec<usize> = nav.sections[0].pages.iter().map(|p| p.hidden).collect();
        assert_eq!((hidden[0], hidden[shown.len() - 1]), (30, 29));
        assert_eq!(hidden[1..shown.len() - 1].iter().sum::<usize>(), 0);
        assert!(
            nav.sections[0]
                .pages
                .iter()
                .any(|p| p.current && p.title == "P050")
        );
        let first = view(&pages, 0);
        assert_eq!(first.sections[0].pages[0].title, "P000");
    }

    #[test]
    fn a_folder_with_a_toc_is_a_guide_at_any_depth() {
        let root = std::env::temp_dir().join(format!("tolk-guides-{}", std::process::id()));
        let guide = root.join("content/fr/help/live-search");
        std::fs::create_dir_all(&guide).unwrap();
        std::fs::write(
            guide.join("TOC.md"),
            "# Live Search {#live-search}\n\n+ [Vue d'ensemble](overview.md)\n+ Installer {#installer}\n  + [Installation](install.md)\n",
        )
        .unwrap();
        let config = SiteConfig::parse(
            &root,
            "title='t'\nbase_url='https://x.org/'\n[[languages]]\ntag='fr'\n",
        )
        .unwrap();
        let mut pages = vec![
            page("help/live-search/install", "Installation", None),
            page("help/live-search/overview", "Vue d'ensemble", None),
            page("help/other", "Autre", None),
        ];
        for page in &mut pages {
            page.file.path = root.join(format!("content/fr/{}.md", page.file.logical_path));
        }
        let view = view_in(&config, &pages, 0);
        std::fs::remove_dir_all(&root).unwrap();
        let crumbs: Vec<&str> = view.breadcrumbs.iter().map(|c| c.title.as_str()).collect();
        assert_eq!(crumbs, ["Accueil", "Live Search", "Installation"]);
        let sections: Vec<&str> = view.sections.iter().map(|s| s.title.as_str()).collect();
        assert_eq!(sections, ["Help", "Live Search"]);
        let sidebar: Vec<(&str, usize)> = view.sections[1]
            .pages
            .iter()
            .map(|p| (p.title.as_str(), p.depth))
            .collect();
        assert_eq!(
            sidebar,
            [("Vue d'ensemble", 0), ("Installer", 0), ("Installation", 1)]
        );
    }

    #[test]
    fn humanizes_folder_names() {
        assert_eq!(humanize("getting-started"), "Getting started");
        assert_eq!(humanize(""), "");
    }
}
