//! The site as the stages after reading see it: every page, its translation
//! group, staleness, fallback pages and dates.

use super::alignment::{Alignment, Suggestion};
use super::config::SiteConfig;
use super::fingerprint::Fingerprint;
use super::page::SourcePage;
use super::staleness::Staleness;

/// Everything up to rendering, shared by `build` and `report`.
pub struct LoadedSite {
    pub config: SiteConfig,
    pub pages: Vec<SourcePage>,
    pub alignment: Alignment,
    pub fingerprints: Vec<Fingerprint>,
    pub suggestions: Vec<Suggestion>,
    pub staleness: Staleness,
    pub fallbacks: Vec<Fallback>,
    /// Content-relative paths of the content folder's other files (images).
    pub assets: Vec<String>,
    /// When each page last changed, in seconds since the epoch: its last
    /// commit when the content is in git, else the file's modification time.
    pub updated: Vec<i64>,
    /// The files translated like pages that are not pages.
    pub parts: Parts,
}

/// Files translated like pages but not pages themselves: each guide's
/// `TOC.md` and the files of `_includes/` folders. Translators track them
/// like pages (a stale snippet is its own entry, not every page that
/// includes it); readers see them through the pages.
#[derive(Debug, Default)]
pub struct Parts {
    /// Read like pages; their logical path keeps the file name
    /// (`help/live-search/TOC.md`).
    pub files: Vec<SourcePage>,
    /// The same file in each language, grouped by logical path.
    pub groups: Alignment,
    pub staleness: Staleness,
}

/// One page to build in place of a missing translation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fallback {
    pub group: usize,
    pub lang: String,
    /// The page whose content is shown.
    pub reference: usize,
    pub url: String,
}
