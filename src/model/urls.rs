//! URLs and links: where a page is published, and where a link in a page's
//! Markdown leads.

use std::path::{Path, PathBuf};

use super::{SiteConfig, SourcePage};

/// Pretty, stable URLs: `/fr/commerce/b2b/` (under the base path).
pub fn page_url(config: &SiteConfig, lang: &str, logical_path: &str) -> String {
    if logical_path.is_empty() {
        format!("{}{lang}/", config.base_path)
    } else {
        format!("{}{lang}/{logical_path}/", config.base_path)
    }
}

/// The file behind a URL: `/fr/commerce/b2b/` -> `fr/commerce/b2b/index.html`.
pub fn output_path(config: &SiteConfig, url: &str) -> String {
    let relative = url
        .strip_prefix(&config.base_path)
        .unwrap_or(url.trim_start_matches('/'));
    format!("{relative}index.html")
}

/// `path` relative to `root` (or `path` itself when it is not under it).
pub fn relative_to(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_path_buf()
}

/// A relative path with `/` separators, whatever the platform's.
pub fn slash_path(path: &Path) -> String {
    path.iter()
        .map(|part| part.to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Where the translation status page is published.
pub fn status_url(config: &SiteConfig) -> String {
    format!("{}translation-status/", config.base_path)
}

/// The review page of a stale translation (`url_path` is its page's, in
/// `lang`): source then, source now and the translation side by side.
pub fn review_url(config: &SiteConfig, lang: &str, url_path: &str) -> String {
    let path = url_path.trim_matches('/');
    if path.is_empty() {
        format!("{}review/{lang}/", status_url(config))
    } else {
        format!("{}review/{lang}/{path}/", status_url(config))
    }
}

/// The Atom feed of a language.
pub fn feed_url(config: &SiteConfig, lang: &str) -> String {
    format!("{}atom.xml", page_url(config, lang, ""))
}

pub fn section_of(logical_path: &str) -> &str {
    match logical_path.split_once('/') {
        Some((section, _)) => section,
        None => "",
    }
}

pub fn content_relative_path(config: &SiteConfig, page: &SourcePage) -> String {
    slash_path(&relative_to(&config.content_dir, &page.file.path))
}

pub fn is_external_or_anchor(dest: &str) -> bool {
    let scheme_end = dest.find(':');
    let path_start = dest.find(['/', '?', '#']).unwrap_or(dest.len());
    dest.is_empty()
        || dest.starts_with('#')
        || dest.starts_with("//")
        || scheme_end.is_some_and(|i| i < path_start)
}

pub fn is_content_file(path: &str) -> bool {
    let path = path.split('?').next().unwrap_or(path);
    [".md", ".markdown", ".txt"]
        .iter()
        .any(|ext| path.ends_with(ext))
}

/// Resolves `link` against the folder of `from` (both content-relative, `/`
/// separated). `None` when the link climbs out of the content folder.
pub fn join_relative(from: &str, link: &str) -> Option<String> {
    let mut parts: Vec<&str> = if link.starts_with('/') {
        Vec::new()
    } else {
        let mut base: Vec<&str> = from.split('/').collect();
        base.pop();
        base
    };
    for segment in link.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_relative_links() {
        assert_eq!(
            join_relative("fr/a/b.md", "c.md").as_deref(),
            Some("fr/a/c.md")
        );
        assert_eq!(
            join_relative("fr/a/b.md", "../x/y.md").as_deref(),
            Some("fr/x/y.md")
        );
        assert_eq!(join_relative("fr/b.md", "../../y.md"), None);
        assert_eq!(
            join_relative("fr/a/b.md", "/fr/z.md").as_deref(),
            Some("fr/z.md")
        );
    }

    #[test]
    fn tells_external_links_apart() {
        assert!(is_external_or_anchor("https://example.org/a.md"));
        assert!(is_external_or_anchor("mailto:a@b.c"));
        assert!(is_external_or_anchor("#top"));
        assert!(!is_external_or_anchor("../a.md"));
        assert!(!is_external_or_anchor("a.md#x:y"));
    }

    #[test]
    fn output_paths_follow_urls() {
        let config = SiteConfig::parse(
            std::path::Path::new("/s"),
            "title='t'\nbase_url='https://x.org/docs/'\n[[languages]]\ntag='fr'\n",
        )
        .unwrap();
        let url = page_url(&config, "fr", "commerce/b2b");
        assert_eq!(url, "/docs/fr/commerce/b2b/");
        assert_eq!(output_path(&config, &url), "fr/commerce/b2b/index.html");
        assert_eq!(output_path(&config, &config.base_path), "index.html");
    }
}
