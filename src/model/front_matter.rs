//! The front matter of a page: the fields tolk understands, typed, and every
//! key as written for templates.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::page::Reach;

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

impl FrontMatter {
    /// How far a change from this front matter to `new` reaches (see
    /// [`Reach`]). Every field is named, so a new field does not compile
    /// until its reach is said.
    pub fn reach_of_change(&self, new: &FrontMatter) -> Reach {
        let FrontMatter {
            // In the navigation and switchers of other pages (the page's
            // title is compared by the page).
            title: _,
            // Shown in lists, which are rendered on every rebuild.
            description,
            lang,
            exl_id,
            translation_key,
            source_git_commit,
            workflow_type,
            source_wordcount,
            ht_degree,
            weight,
            slug,
            aliases,
            seo_title,
            seo_description,
            all,
            key_lines,
        } = new;
        // What places the page among the others: its language, its group,
        // its order in the navigation, its URL and the redirects to it.
        let placed_as_before = *lang == self.lang
            && *exl_id == self.exl_id
            && *translation_key == self.translation_key
            && *weight == self.weight
            && *slug == self.slug
            && *aliases == self.aliases;
        if !placed_as_before {
            return Reach::Site;
        }
        // What staleness and the choice of a fallback's content read.
        let measured_as_before = *source_git_commit == self.source_git_commit
            && *source_wordcount == self.source_wordcount;
        if !measured_as_before {
            return Reach::Group;
        }
        // What only the page itself shows.
        let _ = (
            description,
            workflow_type,
            ht_degree,
            seo_title,
            seo_description,
            all,
            key_lines,
        );
        Reach::Page
    }
}
