//! What templates receive: plain serialisable values whose field names are
//! the template API documented in the README.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::urls::{feed_url, page_url};
use crate::model::{Language, SiteConfig};

#[derive(Serialize)]
pub(super) struct SiteValue<'a> {
    pub(super) title: &'a str,
    pub(super) base_url: &'a str,
    pub(super) base_path: &'a str,
    pub(super) source_language: &'a str,
    pub(super) languages: Vec<LanguageValue<'a>>,
    /// The translation status page, empty when the site turned it off.
    pub(super) status_url: String,
    /// The search box and its index are built (`search = true`).
    pub(super) search: bool,
}

#[derive(Clone, Serialize)]
pub(super) struct LanguageValue<'a> {
    pub(super) tag: &'a str,
    pub(super) name: &'a str,
    pub(super) dir: &'static str,
    pub(super) home_url: String,
    /// The language's Atom feed, empty when feeds are off.
    pub(super) feed_url: String,
}

#[derive(Serialize)]
pub(super) struct PageValue<'a> {
    pub(super) title: &'a str,
    pub(super) description: String,
    pub(super) url: &'a str,
    pub(super) permalink: String,
    pub(super) content: String,
    pub(super) toc: Vec<TocEntry>,
    pub(super) has_h1: bool,
    pub(super) word_count: usize,
    pub(super) section: &'a str,
    pub(super) lang: &'a str,
    /// The language the content is written in: differs from `lang` on a
    /// fallback page, which shows the source's content to another language.
    pub(super) content_lang: LanguageValue<'a>,
    pub(super) fallback: bool,
    /// Search engines should not index it (fallback pages duplicate others).
    pub(super) noindex: bool,
    pub(super) machine_translated: bool,
    pub(super) workflow_type: Option<&'a str>,
    pub(super) ht_degree: Option<u8>,
    pub(super) front_matter: &'a serde_json::Map<String, serde_json::Value>,
    /// For `<head>`: `seo-title` / `seo-description` when given, else the
    /// title and description.
    pub(super) seo_title: String,
    pub(super) seo_description: String,
    /// Front matter strings made of `key="value"` pairs (Adobe's `badgePaas:
    /// label="PaaS" type="Informative"`), as maps: `page.attributes.badgePaas.label`.
    pub(super) attributes: BTreeMap<&'a str, BTreeMap<String, String>>,
    /// Set on a stale translation (unless the site turned the notice off).
    pub(super) stale: Option<StaleNotice<'a>>,
}

#[derive(Serialize)]
pub(super) struct TocEntry {
    pub(super) level: u8,
    pub(super) id: String,
    pub(super) text: String,
}

/// One entry of the language switcher.
#[derive(Serialize)]
pub(super) struct TranslationValue<'a> {
    pub(super) tag: &'a str,
    pub(super) name: &'a str,
    pub(super) dir: &'static str,
    /// Where the entry leads; empty when there is no page in that language.
    pub(super) url: String,
    /// A real translation exists.
    pub(super) available: bool,
    /// `url` leads to a fallback page (not translated yet).
    pub(super) fallback: bool,
    pub(super) current: bool,
}

#[derive(Serialize)]
pub(super) struct Alternate {
    pub(super) hreflang: String,
    pub(super) href: String,
}

#[derive(Serialize)]
pub(super) struct SectionValue<'a> {
    pub(super) name: &'a str,
    pub(super) pages: Vec<ListedPage<'a>>,
    /// The guides (folders with a `TOC.md`) inside the section.
    pub(super) guides: Vec<GuideValue<'a>>,
}

/// A guide on the home: its title in the page's language, where it starts
/// and its pages in the TOC's order.
#[derive(Serialize)]
pub(super) struct GuideValue<'a> {
    /// Its id on the home, where a cut sidebar leads for the rest.
    pub(super) anchor: String,
    pub(super) title: &'a str,
    pub(super) url: &'a str,
    pub(super) pages: Vec<ListedPage<'a>>,
}

#[derive(Serialize)]
pub(super) struct ListedPage<'a> {
    pub(super) title: &'a str,
    pub(super) url: &'a str,
    pub(super) description: String,
}

/// `label="PaaS only" type="Informative"` as a map; `None` unless the whole
/// string is such pairs.
pub(super) fn key_value_pairs(text: &str) -> Option<BTreeMap<String, String>> {
    let mut pairs = BTreeMap::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        let (key, after) = rest.split_once("=\"")?;
        let key = key.trim();
        if key.is_empty()
            || !key
                .chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
        {
            return None;
        }
        let (value, after) = after.split_once('"')?;
        pairs.insert(key.to_string(), value.to_string());
        rest = after.trim_start();
    }
    (!pairs.is_empty()).then_some(pairs)
}

pub(super) fn language_value<'a>(config: &SiteConfig, language: &'a Language) -> LanguageValue<'a> {
    LanguageValue {
        tag: &language.tag,
        name: &language.name,
        dir: language.dir.as_str(),
        home_url: page_url(config, &language.tag, ""),
        feed_url: if config.feeds {
            feed_url(config, &language.tag)
        } else {
            String::new()
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_key_value_pair_strings() {
        let pairs =
            key_value_pairs(r#"label="PaaS only" type="Informative" tooltip="Applies to cloud""#)
                .unwrap();
        assert_eq!(pairs["label"], "PaaS only");
        assert_eq!(pairs["tooltip"], "Applies to cloud");
        assert!(key_value_pairs("just a sentence").is_none());
        assert!(key_value_pairs(r#"label="open"#).is_none());
        assert!(key_value_pairs("").is_none());
    }
}

/// What a stale translation tells its readers.
#[derive(Serialize)]
pub(super) struct StaleNotice<'a> {
    /// When the source last changed (`2026-02-01`), when known.
    pub(super) source_changed: Option<String>,
    /// The source-language page, when the site has it.
    pub(super) source_url: Option<&'a str>,
    pub(super) source_lang: &'a str,
}

/// The review page of a stale translation (`review.html`).
#[derive(Serialize)]
pub(super) struct ReviewValue<'a> {
    pub(super) title: &'a str,
    pub(super) url: &'a str,
    pub(super) lang: &'a str,
    pub(super) file: String,
    pub(super) source_title: &'a str,
    pub(super) source_url: &'a str,
    pub(super) source_lang: &'a str,
    pub(super) source_file: String,
    pub(super) revision: &'a str,
    pub(super) path_then: &'a str,
    /// The title and description, when they changed.
    pub(super) fields: Vec<FieldRow<'a>>,
    pub(super) rows: &'a [crate::model::staleness::ReviewRow],
}

/// A front matter field of a review: the source's then and now, and the
/// translation's.
#[derive(Serialize)]
pub(super) struct FieldRow<'a> {
    pub(super) name: &'a str,
    pub(super) then: Option<&'a str>,
    pub(super) now: Option<&'a str>,
    pub(super) translation: Option<&'a str>,
}

/// `2026-02-01` for a time in seconds since the epoch.
pub(super) fn iso_date(seconds: i64) -> String {
    let time = std::time::UNIX_EPOCH + std::time::Duration::from_secs(seconds.max(0) as u64);
    humantime::format_rfc3339_seconds(time)
        .to_string()
        .chars()
        .take(10)
        .collect()
}

/// One page of the translation status, for the links between them.
#[derive(Serialize)]
pub(super) struct StatusPageLink<'a> {
    pub(super) number: usize,
    pub(super) url: &'a str,
    /// The titles of its first and last rows.
    pub(super) first: &'a str,
    pub(super) last: &'a str,
}
