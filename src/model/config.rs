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
    /// The source language's git repository when it is not the one holding
    /// the content (absolute); its top stands for `content/<source>/`.
    pub source_repository: Option<PathBuf>,
    /// Stale translations tell readers that their source changed.
    pub stale_notice: bool,
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

    /// Template folders, the theme's first: the site's own `templates/`
    /// overrides the theme's by file name.
    pub fn template_dirs(&self) -> [PathBuf; 2] {
        self.theme_and_site("templates")
    }

    /// Folders copied as they are into the output, the theme's first so the
    /// site's own files win.
    pub fn static_dirs(&self) -> [PathBuf; 2] {
        self.theme_and_site("static")
    }

    /// UI string folders, the theme's first: the site's override key by key.
    pub fn string_dirs(&self) -> [PathBuf; 2] {
        self.theme_and_site("i18n")
    }

    fn theme_and_site(&self, folder: &str) -> [PathBuf; 2] {
        [self.theme_dir().join(folder), self.root.join(folder)]
    }

    /// Everything a build reads that is not a page: `tolk.toml`, the theme and
    /// the site's own templates, static files and UI strings. A change to any
    /// of them can change every page.
    pub fn site_wide_sources(&self) -> Vec<PathBuf> {
        let mut sources = vec![self.root.join(CONFIG_FILE), self.theme_dir()];
        sources.extend(
            [self.template_dirs(), self.static_dirs(), self.string_dirs()]
                .into_iter()
                .map(|[_, site]| site),
        );
        sources
    }

    /// Every file and folder a build reads: the content and the site-wide
    /// sources (what `tolk serve` watches).
    pub fn sources(&self) -> Vec<PathBuf> {
        let mut sources = self.site_wide_sources();
        sources.insert(1, self.content_dir.clone());
        sources
    }
}
