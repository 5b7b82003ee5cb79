//! The front matter of a page: the fields tolk understands, typed, and every
//! key as written for templates.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

/// The fields tolk understands. Every key, known or not, is also kept in
/// `all` (entities decoded) so templates can use it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FrontMatter {
    pub title: Option<String>,
    pub description: Option<String>,
    pub lang: Option<String>,
    /// Adobe Experience League's translation id, shared by all translations.
    pub exl_id: Option<String>,
    pub translation_key: Option<String>,
    pub source_git_commit: Option<String>,
    /// `tm+mt`: translation memory plus machine translation.
    pub workflow_type: Option<String>,
    /// Words in the source-language page (written as `'266'` by Adobe).
    pub source_wordcount: Option<u64>,
    /// Share of human translation in percent (written as `0%`).
    pub ht_degree: Option<u8>,
    /// Place among the pages of its section (an integer; others are ignored).
    pub weight: Option<i64>,
    /// Replaces the last segment of the page's URL (checked to be one safe
    /// path segment).
    pub slug: Option<String>,
    /// Old paths, relative to the language, that redirect to this page.
    pub aliases: Vec<String>,
    /// For `<head>` in place of the title and description, when not blank.
    pub seo_title: Option<String>,
    pub seo_description: Option<String>,
    pub all: Map<String, Value>,
    /// File line of each top-level key, so later stages (alignment, reports)
    /// can point at the exact line of an `exl-id`.
    pub key_lines: BTreeMap<String, usize>,
}
