//! Pages for readers of languages a page is not translated into: built at
//! the URL the translation would have, with the source's content and a notice
//! (when `missing_pages = "fallback"`, the default).

use std::collections::{HashMap, HashSet};

use crate::model::Fallback;
use crate::model::GroupSource;
use crate::model::SourcePage;
use crate::model::urls::page_url;
use crate::model::{Alignment, TranslationGroup};
use crate::model::{MissingPages, SiteConfig};

/// The page that best stands for a group: its source page, else a page
/// translated from the group's newest source revision, else the first page,
/// in the order the site lists its languages.
pub(crate) fn reference_page(
    config: &SiteConfig,
    pages: &[SourcePage],
    group: &TranslationGroup,
    source: &GroupSource,
) -> Option<usize> {
    if let Some(page) = source.page {
        return Some(page);
    }
    let in_config_order = || {
        config
            .languages
            .iter()
            .filter_map(|l| group.pages.get(&l.tag).copied())
    };
    let up_to_date = in_config_order().find(|&p| {
        source.revision.is_some() && pages[p].front.source_git_commit == source.revision
    });
    up_to_date.or_else(|| in_config_order().next())
}

/// Every fallback page to build. None when the site shows missing languages
/// as unavailable; never one whose URL a real page already has.
pub(crate) fn plan(
    config: &SiteConfig,
    pages: &[SourcePage],
    alignment: &Alignment,
    sources: &[GroupSource],
) -> Vec<Fallback> {
    if config.translations.missing_pages == MissingPages::Unavailable {
        return Vec::new();
    }
    let taken: HashSet<String> = pages
        .iter()
        .map(|p| page_url(config, &p.lang, &p.url_path()))
        .collect();
    let mut planned = HashSet::new();
    let mut fallbacks = Vec::new();
    for (index, group) in alignment.groups.iter().enumerate() {
        let Some(reference) = reference_page(config, pages, group, &sources[index]) else {
            continue;
        };
        for language in &config.languages {
            if group.pages.contains_key(&language.tag) {
                continue;
            }
            let url = page_url(config, &language.tag, &pages[reference].file.logical_path);
            if taken.contains(&url) || !planned.insert(url.clone()) {
                continue;
            }
            fallbacks.push(Fallback {
                group: index,
                lang: language.tag.clone(),
                reference,
                url,
            });
        }
    }
    fallbacks
}

/// `(group, language) -> fallback URL`, for switchers and reports.
pub(crate) fn urls_by_group(fallbacks: &[Fallback]) -> HashMap<(usize, String), String> {
    fallbacks
        .iter()
        .map(|f| ((f.group, f.lang.clone()), f.url.clone()))
        .collect()
}
