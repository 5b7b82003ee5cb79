//! Where a link in a page's Markdown leads, in the language it is read in.

use crate::discover;
use crate::markdown::LinkTarget;
use crate::model::urls::{
    content_relative_path, is_content_file, is_external_or_anchor, join_relative,
};

use super::SiteView;

impl SiteView<'_> {
    /// Where a link in page `index`, read in `lang`, should point. Links to
    /// Markdown files go to the page in that language when it exists; links
    /// to other files of the content folder (images) to their copy in the
    /// output. Site-absolute links (`/help/x.md`) start in the language folder.
    pub(super) fn resolve_link(&self, index: usize, lang: &str, dest: &str) -> LinkTarget {
        if is_external_or_anchor(dest) {
            return LinkTarget::Keep;
        }
        let (path, fragment) = match dest.find(['#', '?']) {
            Some(at) => (&dest[..at], &dest[at..]),
            None => (dest, ""),
        };
        // `settings.md/#anchor`: a slash after a page's name, common in
        // real guides, still means the page.
        let path = path
            .strip_suffix('/')
            .filter(|page| is_content_file(page))
            .unwrap_or(path);
        let candidates = self.link_candidates(index, lang, path);
        if is_content_file(path) {
            let target = candidates
                .iter()
                .find_map(|c| self.index.by_source_path.get(c))
                .or_else(|| {
                    candidates.iter().find_map(|c| {
                        self.index
                            .by_logical_path
                            .get(&discover::logical_path(self.config, c)?)
                    })
                });
            return match target {
                Some(&target) => {
                    LinkTarget::Page(format!("{}{fragment}", self.page_in_language(target, lang)))
                }
                None => LinkTarget::Missing,
            };
        }
        if !looks_like_file(path) {
            return LinkTarget::Keep;
        }
        match candidates.iter().find(|c| self.assets.contains(c.as_str())) {
            Some(asset) => LinkTarget::Page(format!("{}{asset}{fragment}", self.config.base_path)),
            None => LinkTarget::Missing,
        }
    }

    /// Content-relative paths a link may mean, most likely first.
    pub(super) fn link_candidates(&self, index: usize, lang: &str, path: &str) -> Vec<String> {
        if path.starts_with('/') {
            [
                format!("{lang}{path}"),
                path.trim_start_matches('/').to_string(),
            ]
            .into_iter()
            .filter_map(|candidate| join_relative("", &candidate))
            .collect()
        } else {
            let base = content_relative_path(self.config, &self.pages[index]);
            join_relative(&base, path).into_iter().collect()
        }
    }

    /// The URL of `target`'s translation into `lang`, else its fallback page,
    /// else the page itself.
    pub(super) fn page_in_language(&self, target: usize, lang: &str) -> String {
        let group = self.site.alignment.group_of_page[target];
        match self.site.alignment.groups[group].pages.get(lang) {
            Some(&same_language) => self.index.urls[same_language].clone(),
            None => self
                .index
                .fallback_urls
                .get(&(group, lang.to_string()))
                .cloned()
                .unwrap_or_else(|| self.index.urls[target].clone()),
        }
    }
}

/// A path whose last segment has an extension (`shot.png`), as opposed to
/// a page URL (`../guide/`).
pub(super) fn looks_like_file(path: &str) -> bool {
    path.rsplit('/')
        .next()
        .is_some_and(|last| last.contains('.') && !last.ends_with(".html"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_files_from_page_urls() {
        assert!(looks_like_file("assets/shot.png"));
        assert!(!looks_like_file("../guide/"));
        assert!(!looks_like_file("page.html"));
    }
}
