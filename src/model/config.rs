//! The site's configuration as every stage reads it: validated, with
//! absolute folders and canonical language tags (`crate::config` makes it
//! from `tolk.toml`).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

pub const CONFIG_FILE: &str = "tolk.toml";

/// `[translations]`: what readers get for missing pages, and the status page.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct TranslationSettings {
    pub missing_pages: MissingPages,
    /// Build the translation status page, linked from every page's footer.
    pub status_page: bool,
    /// Align pages by their fingerprint suggestions without asking.
    pub apply_suggestions: bool,
}

impl Default for TranslationSettings {
    fn default() -> Self {
        TranslationSettings {
            missing_pages: MissingPages::Fallback,
            status_page: true,
            apply_suggestions: false,
        }
    }
}

/// What a reader gets for a page that is not translated into their language.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum MissingPages {
    /// The page is built at its own URL with the source page's content and
    /// a notice that it is not translated yet.
    Fallback,
    /// The switcher shows the language as unavailable.
    Unavailable,
}

/// One language the site is published in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Language {
    /// Canonical BCP 47 tag, as used in URLs and `lang` attributes.
    pub tag: String,
    /// The autonym shown in the language switcher.
    pub name: String,
    pub dir: TextDirection,
}

/// The validated site configuration every later stage reads.
#[derive(Clone, Debug)]
pub struct SiteConfig {
    /// The folder holding `tolk.toml`; relative paths in the config start here.
    pub root: PathBuf,
    pub title: String,
    /// Absolute URL of the site, always ending with `/`.
    pub base_url: String,
    /// The path part of `base_url` (`/` or `/docs/`): the prefix of every link.
    pub base_path: String,
    pub source_language: String,
    /// In the order of the config: the switcher and listings keep it.
    pub languages: Vec<Language>,
    pub theme: String,
    pub output_dir: PathBuf,
    /// Build a search index and show the search box.
    pub search: bool,
    pub content_dir: PathBuf,
    pub translations: TranslationSettings,
    pub feeds: bool,
    /// Raw HTML from writers is trusted: no sanitizing (off by default).
    pub trust_html: bool,
}

/// Which way a language's text runs; it becomes the `dir` attribute of its pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TextDirection {
    Ltr,
    Rtl,
}

impl TextDirection {
    pub fn as_str(self) -> &'static str {
        match self {
            TextDirection::Ltr => "ltr",
            TextDirection::Rtl => "rtl",
        }
    }
}

impl SiteConfig {
    /// The configured language whose canonical tag is exactly `tag`.
    pub fn language(&self, tag: &str) -> Option<&Language> {
        self.languages.iter().find(|l| l.tag == tag)
    }

    pub fn theme_dir(&self) -> PathBuf {
        self.root.join("themes").join(&self.theme)
    }
}
