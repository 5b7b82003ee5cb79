//! The language switcher of every page and the hreflang alternates of its
//! `<head>`.

use crate::model::Language;
use crate::model::urls::page_url;

use super::SiteView;
use super::values::{Alternate, TranslationValue};

impl SiteView<'_> {
    /// Every configured language, in config order: the translation where
    /// there is one, else the fallback page, else an unavailable entry.
    pub(super) fn group_translations(
        &self,
        group: usize,
        current: &str,
    ) -> Vec<TranslationValue<'_>> {
        let members = &self.site.alignment.groups[group].pages;
        self.config
            .languages
            .iter()
            .map(|language| {
                let own = members
                    .get(&language.tag)
                    .map(|&i| self.index.urls[i].clone());
                let fallback = self
                    .index
                    .fallback_urls
                    .get(&(group, language.tag.clone()))
                    .cloned();
                TranslationValue {
                    tag: &language.tag,
                    name: &language.name,
                    dir: language.dir.as_str(),
                    available: own.is_some(),
                    fallback: own.is_none() && fallback.is_some(),
                    url: own.or(fallback).unwrap_or_default(),
                    current: language.tag == current,
                }
            })
            .collect()
    }

    /// Each language's home; `current` marks the one being rendered.
    pub(super) fn home_translations(
        &self,
        current: Option<&Language>,
    ) -> Vec<TranslationValue<'_>> {
        self.config
            .languages
            .iter()
            .map(|language| TranslationValue {
                tag: &language.tag,
                name: &language.name,
                dir: language.dir.as_str(),
                url: page_url(self.config, &language.tag, ""),
                available: true,
                fallback: false,
                current: current == Some(language),
            })
            .collect()
    }

    /// hreflang links for the existing translations, plus x-default: the
    /// source-language page when it exists, else the language chooser.
    pub(super) fn group_alternates(&self, group: usize) -> Vec<Alternate> {
        let members = &self.site.alignment.groups[group].pages;
        let mut alternates: Vec<Alternate> = self
            .config
            .languages
            .iter()
            .filter_map(|l| {
                let translation = members.get(&l.tag)?;
                Some(Alternate {
                    hreflang: l.tag.clone(),
                    href: self.permalink(&self.index.urls[*translation]),
                })
            })
            .collect();
        let default = members.get(&self.config.source_language).map_or_else(
            || self.config.base_url.clone(),
            |&i| self.permalink(&self.index.urls[i]),
        );
        alternates.push(Alternate {
            hreflang: "x-default".to_string(),
            href: default,
        });
        alternates
    }

    pub(super) fn home_alternates(&self) -> Vec<Alternate> {
        let mut alternates: Vec<Alternate> = self
            .config
            .languages
            .iter()
            .map(|l| Alternate {
                hreflang: l.tag.clone(),
                href: self.permalink(&page_url(self.config, &l.tag, "")),
            })
            .collect();
        alternates.push(Alternate {
            hreflang: "x-default".to_string(),
            href: self.config.base_url.clone(),
        });
        alternates
    }
}
