//! Files for machines: `sitemap.xml` with hreflang alternates, `robots.txt`,
//! and an Atom feed per language.

use std::fmt::Write;
use std::time::{Duration, UNIX_EPOCH};

use crate::model::LoadedSite;
use crate::model::OutputFile;
use crate::model::SiteConfig;
use crate::model::urls::{feed_url, page_url};

/// Entries per feed: the most recently changed pages.
const FEED_ENTRIES: usize = 50;

/// Every file for machines the site has: the sitemap, `robots.txt` and,
/// unless turned off, the feed of each language `renders_language` takes.
pub(crate) fn files<'a>(
    site: &'a LoadedSite,
    renders_language: &'a dyn Fn(&str) -> bool,
) -> impl Iterator<Item = OutputFile> + 'a {
    // Made one at a time as the caller writes them: the sitemap of a big
    // site is tens of megabytes.
    let feeds = site.config.feeds;
    sitemaps(site)
        .chain(std::iter::once_with(|| robots(&site.config)))
        .chain(
            site.config
                .languages
                .iter()
                .filter(move |l| feeds && renders_language(&l.tag))
                .map(|l| atom(site, &l.tag, &site.updated)),
        )
}

/// `https://host` + a site-relative URL.
fn absolute(config: &SiteConfig, url: &str) -> String {
    let origin = config.base_url.trim_end_matches(&config.base_path);
    format!("{origin}{url}")
}

fn xml(text: &str) -> String {
    html_escape::encode_double_quoted_attribute(text).replace('\'', "&apos;")
}

/// URLs per sitemap file. The protocol allows 50,000 and 50 MB; a file of
/// 10,000 URLs with four alternates each is about 6 MB, which is also what
/// the build holds of it at once.
const URLS_PER_SITEMAP: usize = 10_000;

/// Every real page (fallbacks are `noindex`) and every language home, each
/// with its translations as `xhtml:link` alternates: `sitemap.xml`, or for
/// a site of more than [`URLS_PER_SITEMAP`] URLs, `sitemap.xml` as an index
/// of `sitemap-1.xml`, `sitemap-2.xml` … made one at a time.
pub(crate) fn sitemaps(site: &LoadedSite) -> impl Iterator<Item = OutputFile> + '_ {
    sitemaps_of(site, URLS_PER_SITEMAP)
}

fn sitemaps_of(site: &LoadedSite, per_file: usize) -> impl Iterator<Item = OutputFile> + '_ {
    let chunks = sitemap_chunks(site, per_file);
    let index = (chunks.len() > 1).then(|| sitemap_index(&site.config, chunks.len()));
    let single = chunks.len() == 1;
    index
        .into_iter()
        .chain(chunks.into_iter().enumerate().map(move |(at, groups)| {
            let path = if single {
                "sitemap.xml".to_string()
            } else {
                format!("sitemap-{}.xml", at + 1)
            };
            sitemap_file(site, path, at == 0, groups)
        }))
}

/// The groups of each sitemap file (as a range of the site's groups), cut
/// before a file would pass `per_file` URLs; the first file also has the
/// language homes.
fn sitemap_chunks(site: &LoadedSite, per_file: usize) -> Vec<std::ops::Range<usize>> {
    let groups = &site.alignment.groups;
    let mut chunks = Vec::new();
    let (mut start, mut urls) = (0, site.config.languages.len());
    for (at, group) in groups.iter().enumerate() {
        let in_group = group.pages.len();
        if urls > 0 && urls + in_group > per_file {
            chunks.push(start..at);
            (start, urls) = (at, 0);
        }
        urls += in_group;
    }
    chunks.push(start..groups.len());
    chunks
}

fn sitemap_index(config: &SiteConfig, files: usize) -> OutputFile {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for n in 1..=files {
        let url = absolute(config, &format!("{}sitemap-{n}.xml", config.base_path));
        let _ = writeln!(
            out,
            "  <sitemap>\n    <loc>{}</loc>\n  </sitemap>",
            xml(&url)
        );
    }
    out.push_str("</sitemapindex>\n");
    OutputFile {
        path: "sitemap.xml".to_string(),
        contents: out.into_bytes(),
    }
}

/// One sitemap file: the pages of `groups`, after the homes when `homes`.
fn sitemap_file(
    site: &LoadedSite,
    path: String,
    homes: bool,
    groups: std::ops::Range<usize>,
) -> OutputFile {
    let config = &site.config;
    // Each page lists every translation: about 100 bytes per language.
    // Sized once, the megabytes of a sitemap are not copied again and
    // again as the text grows.
    let mut out = String::with_capacity(
        (groups.len() * config.languages.len() + 1) * (config.languages.len() + 2) * 100,
    );
    out.push_str(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">\n",
    );
    if homes {
        let homes: Vec<(String, String)> = config
            .languages
            .iter()
            .map(|l| {
                (
                    l.tag.clone(),
                    absolute(config, &page_url(config, &l.tag, "")),
                )
            })
            .collect();
        for (_, home) in &homes {
            write_url(&mut out, home, &homes);
        }
    }
    for group in site.alignment.groups[groups]
        .iter()
        .filter(|g| !g.pages.is_empty())
    {
        let alternates: Vec<(String, String)> = config
            .languages
            .iter()
            .filter_map(|l| {
                let page = &site.pages[*group.pages.get(&l.tag)?];
                Some((
                    l.tag.clone(),
                    absolute(config, &page_url(config, &page.lang, &page.url_path())),
                ))
            })
            .collect();
        for (_, url) in &alternates {
            write_url(&mut out, url, &alternates);
        }
    }
    out.push_str("</urlset>\n");
    OutputFile {
        path,
        contents: out.into_bytes(),
    }
}

fn write_url(out: &mut String, url: &str, alternates: &[(String, String)]) {
    let _ = writeln!(out, "  <url>\n    <loc>{}</loc>", xml(url));
    if alternates.len() > 1 {
        for (lang, href) in alternates {
            let _ = writeln!(
                out,
                "    <xhtml:link rel=\"alternate\" hreflang=\"{}\" href=\"{}\"/>",
                xml(lang),
                xml(href)
            );
        }
    }
    out.push_str("  </url>\n");
}

pub(crate) fn robots(config: &SiteConfig) -> OutputFile {
    let text = format!(
        "User-agent: *\nAllow: /\n\nSitemap: {}sitemap.xml\n",
        config.base_url
    );
    OutputFile {
        path: "robots.txt".to_string(),
        contents: text.into_bytes(),
    }
}

/// The language's most recently changed pages, newest first. `updated[page]`
/// is when each page last changed (seconds since the epoch).
pub(crate) fn atom(site: &LoadedSite, lang: &str, updated: &[i64]) -> OutputFile {
    let config = &site.config;
    let mut pages: Vec<usize> = (0..site.pages.len())
        .filter(|&p| site.pages[p].lang == lang)
        .collect();
    pages.sort_by(|&a, &b| {
        updated[b].cmp(&updated[a]).then(
            site.pages[a]
                .file
                .logical_path
                .cmp(&site.pages[b].file.logical_path),
        )
    });
    pages.truncate(FEED_ENTRIES);
    let home = absolute(config, &page_url(config, lang, ""));
    let newest = pages.first().map_or(0, |&p| updated[p]);
    let name = config.language(lang).map_or(lang, |l| l.name.as_str());
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">",
        xml(lang)
    );
    let _ = writeln!(
        out,
        "  <title>{} ({})</title>",
        xml(&config.title),
        xml(name)
    );
    let _ = writeln!(out, "  <id>{}</id>", xml(&home));
    let _ = writeln!(out, "  <link href=\"{}\"/>", xml(&home));
    let _ = writeln!(
        out,
        "  <link rel=\"self\" href=\"{}\"/>",
        xml(&absolute(config, &feed_url(config, lang)))
    );
    let _ = writeln!(out, "  <updated>{}</updated>", rfc3339(newest));
    for &page in &pages {
        let source = &site.pages[page];
        let url = absolute(config, &page_url(config, lang, &source.url_path()));
        let _ = writeln!(out, "  <entry>\n    <title>{}</title>", xml(&source.title));
        let _ = writeln!(
            out,
            "    <id>{}</id>\n    <link href=\"{}\"/>",
            xml(&url),
            xml(&url)
        );
        let _ = writeln!(out, "    <updated>{}</updated>", rfc3339(updated[page]));
        if let Some(description) = &source.front.description {
            let summary = crate::read::shown_text(description);
            let _ = writeln!(out, "    <summary>{}</summary>", xml(&summary));
        }
        out.push_str("  </entry>\n");
    }
    out.push_str("</feed>\n");
    let path = feed_url(config, lang);
    let path = path
        .strip_prefix(&config.base_path)
        .unwrap_or(&path)
        .to_string();
    OutputFile {
        path,
        contents: out.into_bytes(),
    }
}

fn rfc3339(seconds: i64) -> String {
    let time = UNIX_EPOCH + Duration::from_secs(seconds.max(0) as u64);
    humantime::format_rfc3339_seconds(time).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_dates_and_escapes_text() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_767_225_600), "2026-01-01T00:00:00Z");
        assert_eq!(
            xml("B2B & \"B2C\" <x> l'a"),
            "B2B &amp; &quot;B2C&quot; &lt;x&gt; l&apos;a"
        );
    }

    fn locs(file: &OutputFile) -> Vec<String> {
        let text = String::from_utf8_lossy(&file.contents);
        text.split("<loc>")
            .skip(1)
            .map(|rest| rest[..rest.find("</loc>").unwrap()].to_string())
            .collect()
    }

    #[test]
    fn a_big_site_gets_a_sitemap_index_and_files_of_bounded_size() {
        let options = crate::pipeline::BuildOptions {
            root: env!("CARGO_MANIFEST_DIR").into(),
            ..Default::default()
        };
        let (site, _) = crate::pipeline::load_site(&options).ok().unwrap();
        let whole: Vec<OutputFile> = sitemaps(&site).collect();
        assert_eq!(whole.len(), 1, "a small site has one sitemap");
        assert_eq!(whole[0].path, "sitemap.xml");

        let cut: Vec<OutputFile> = sitemaps_of(&site, 5).collect();
        assert!(cut.len() > 2, "{}", cut.len());
        assert_eq!(cut[0].path, "sitemap.xml");
        let index = String::from_utf8_lossy(&cut[0].contents).into_owned();
        assert!(index.contains("<sitemapindex"), "{index}");
        let listed = locs(&cut[0]);
        assert_eq!(listed.len(), cut.len() - 1);
        for (n, file) in cut[1..].iter().enumerate() {
            assert_eq!(file.path, format!("sitemap-{}.xml", n + 1));
            assert_eq!(listed[n], format!("https://docs.example.org/{}", file.path));
            let text = String::from_utf8_lossy(&file.contents);
            assert!(text.matches("<url>").count() <= 5, "{text}");
        }
        let single = String::from_utf8_lossy(&whole[0].contents);
        let pages: Vec<String> = single
            .split("<url>\n    <loc>")
            .skip(1)
            .map(|rest| rest[..rest.find("</loc>").unwrap()].to_string())
            .collect();
        let cut_pages: Vec<String> = cut[1..]
            .iter()
            .flat_map(|file| {
                let text = String::from_utf8_lossy(&file.contents).into_owned();
                text.split("<url>\n    <loc>")
                    .skip(1)
                    .map(|rest| rest[..rest.find("</loc>").unwrap()].to_string())
                    .collect::<Vec<_>>()
            })
            .collect();
        assert!(!pages.is_empty());
        assert_eq!(cut_pages, pages, "the same pages, in the same order");
    }
}
