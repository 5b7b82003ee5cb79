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
