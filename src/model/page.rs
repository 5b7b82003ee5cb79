//! A content file and the page read from it.

use std::borrow::Cow;
use std::path::PathBuf;

use super::front_matter::FrontMatter;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourceFormat {
    Markdown,
    /// Plain text without markup; converted by the `plaintext` module.
    PlainText,
}

/// A content file and what its path tells.
#[derive(Clone, Debug)]
pub struct SourceFile {
    pub path: PathBuf,
    /// Relative to the site root: the form diagnostics show.
    pub display_path: PathBuf,
    pub format: SourceFormat,
    /// Language named by the first folder under the content folder.
    pub folder_language: Option<String>,
    /// Language named by a `.xx` suffix before the extension.
    pub suffix_language: Option<String>,
    /// The path that translations of this page share: no language folder, no
    /// language suffix, no extension, `index` dropped (`commerce/b2b-b2c`).
    pub logical_path: String,
}

/// A page after decoding: plain data for the alignment and render stages.
#[derive(Clone, Debug)]
pub struct SourcePage {
    pub file: SourceFile,
    /// Canonical tag of one of the configured languages.
    pub lang: String,
    pub front: FrontMatter,
    /// Markdown, entities still as written (the Markdown parser decodes them).
    pub body: Body,
    /// 1-based file line where `body` starts, for positions in diagnostics.
    pub body_line: usize,
    /// The title: front matter, else the first heading, else the file name.
    pub title: String,
}

/// A page's Markdown, or where to find it again. A large site's text is not
/// held in memory between reading and rendering: the file is read again
/// (from the page cache) when the page is rendered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Body {
    Text(String),
    File {
        /// Byte offset of the body in the decoded, repaired text.
        offset: usize,
        /// Length of that text, to notice a file changed in between.
        text_len: usize,
        /// A hash of that text: a change that keeps the length (a typo
        /// fixed) must not pair the body of one version with the front
        /// matter of another.
        text_hash: u64,
        /// Plain text, converted to Markdown each time.
        plain: bool,
        options: ReadOptions,
    },
}

impl SourcePage {
    /// The path its URL is made of: the logical path, its last segment
    /// replaced by the front matter `slug` when there is one (translations
    /// still align by the logical path).
    pub fn url_path(&self) -> Cow<'_, str> {
        match &self.front.slug {
            Some(slug) => Cow::Owned(match self.file.logical_path.rsplit_once('/') {
                Some((folder, _)) => format!("{folder}/{slug}"),
                None => slug.clone(),
            }),
            None => Cow::Borrowed(&self.file.logical_path),
        }
    }
}

/// How far a change to a page reaches: which pages must be rendered again
/// to show it (`tolk serve` renders no more than that). Every page is
/// rendered with the pages every site has (homes, status page, feeds, …).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reach {
    /// The page itself, and the fallback pages showing its content.
    Page,
    /// The pages of its section in its language show it (a title: in
    /// their sidebars, breadcrumbs and neighbours).
    Section,
    /// What the site works out from its pages (staleness, fallback pages)
    /// may change: the pages of its translation group show it.
    Group,
    /// Other pages show it (navigation, links, switchers, redirects): every
    /// page.
    Site,
}

impl Reach {
    /// The reach of two changes together: the larger, or every page when
    /// each reaches pages the other does not.
    pub fn and(self, other: Reach) -> Reach {
        match (self, other) {
            (Reach::Section, Reach::Group) | (Reach::Group, Reach::Section) => Reach::Site,
            _ => self.max(other),
        }
    }
}

impl SourcePage {
    /// How far the difference between this page and `new` (the same file,
    /// read again) reaches, judged field by field. Every field of the page
    /// and its front matter is named here, so a field added to the model
    /// does not compile until its reach is said. The body is left to the
    /// caller: what others read of it (word counts, fingerprints) needs
    /// the text, which the model does not hold.
    pub fn reach_of_change(&self, new: &SourcePage) -> Reach {
        let SourcePage {
            file:
                SourceFile {
                    path,
                    display_path,
                    format,
                    folder_language,
                    suffix_language,
                    logical_path,
                },
            lang,
            front,
            body: _,
            body_line: _,
            title,
        } = new;
        let placed_as_before = *path == self.file.path
            && *display_path == self.file.display_path
            && *format == self.file.format
            && *folder_language == self.file.folder_language
            && *suffix_language == self.file.suffix_language
            && *logical_path == self.file.logical_path
            && *lang == self.lang;
        if !placed_as_before {
            return Reach::Site;
        }
        let front = self.front.reach_of_change(front);
        if *title == self.title {
            return front;
        }
        // A section's own page names the section in every sidebar of its
        // language; another page's title shows in its section only.
        let titled = if self.file.logical_path.contains('/') {
            Reach::Section
        } else {
            Reach::Site
        };
        front.and(titled)
    }
}

/// Options of the read stage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReadOptions {
    pub repair_mojibake: bool,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            repair_mojibake: true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(logical_path: &str, title: &str) -> SourcePage {
        SourcePage {
            file: SourceFile {
                path: PathBuf::from(format!("/s/content/fr/{logical_path}.md")),
                display_path: PathBuf::from(format!("content/fr/{logical_path}.md")),
                format: SourceFormat::Markdown,
                folder_language: Some("fr".into()),
                suffix_language: None,
                logical_path: logical_path.into(),
            },
            lang: "fr".into(),
            front: FrontMatter::default(),
            body: Body::Text(String::new()),
            body_line: 1,
            title: title.into(),
        }
    }

    #[test]
    fn a_title_reaches_its_section_and_a_section_page_s_title_everything() {
        let change = |path| page(path, "Old").reach_of_change(&page(path, "New"));
        assert_eq!(change("guide/setup"), Reach::Section);
        assert_eq!(change("guide"), Reach::Site);
        let same = page("guide/setup", "Old").reach_of_change(&page("guide/setup", "Old"));
        assert_eq!(same, Reach::Page);
    }

    #[test]
    fn reaches_that_touch_different_pages_add_up_to_every_page() {
        assert_eq!(Reach::Section.and(Reach::Group), Reach::Site);
        assert_eq!(Reach::Page.and(Reach::Section), Reach::Section);
        assert_eq!(Reach::Group.and(Reach::Page), Reach::Group);
    }
}
