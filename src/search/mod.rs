//! Client-side search: an index of the site's pages, one per language, in
//! the format of Pagefind (<https://pagefind.app>), whose script and
//! WebAssembly search it in the reader's browser.
//!
//! Each page is read from its `data-pagefind-body` element (the article,
//! not the navigation) in the language of its `<html lang>`; words are
//! stemmed in the languages Pagefind's WebAssembly stems (French, Italian,
//! Dutch, Swedish and about thirty more) and accents need not match
//! (`kundtjanst` finds `Kundtjänst`). In the browser the script loads only
//! the index of the page's own language, in small chunks, as the reader
//! types.
//!
//! The engine renders pages on many threads and streams them to disk;
//! [`SearchIndexer::add_page`] reads each real page as it is rendered, on
//! the thread that rendered it, and keeps only its postings and its
//! compressed fragment (`extract` reads the HTML, `record` counts the words,
//! `index` holds and writes a language's index). [`SearchIndexer::finish`]
//! numbers the pages in URL order, so the bundle is the same whatever order
//! the threads finished in, and writes the languages side by side.
//!
//! The index is the one Pagefind's own indexer makes of the same pages,
//! file for file (the tests compare them, on a real guide too): Pagefind
//! kept every page's parsed data until the end, and took four times the
//! memory and three times the time. The browser's files come from the
//! pagefind crate (`client`). Nothing here touches the network.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Mutex;

use rayon::prelude::*;

use index::{LanguageFiles, LanguageIndex};

mod client;
mod extract;
mod index;
mod record;
#[cfg(test)]
mod reference;
mod words;

/// Folder of the search bundle inside the output folder.
pub(crate) const BUNDLE_DIR: &str = "pagefind";

/// The file that lists every language's index; Pagefind's script reads it
/// first.
const ENTRY_FILE: &str = "pagefind-entry.json";

/// The attribute that marks the part of a page to index.
const BODY_MARKER: &str = "data-pagefind-body";

/// What indexing produced.
#[derive(Debug, Default)]
pub(crate) struct SearchBundle {
    /// The files of the bundle, their paths relative to the output folder,
    /// sorted: `pagefind/pagefind.js` and its worker, `pagefind-entry.json`,
    /// and for each language its WebAssembly (`wasm.sv.pagefind`), metadata
    /// (`pagefind.sv_….pf_meta`), index chunks (`index/sv_….pf_index`) and
    /// page fragments (`fragment/sv_….pf_fragment`).
    pub files: Vec<(String, Vec<u8>)>,
    /// Pages in the index of each language (`html lang`, lowercase).
    pub languages: BTreeMap<String, usize>,
    /// Pages Pagefind could not read, with its reason: they are left out of
    /// the search, the site is built all the same.
    pub skipped: Vec<String>,
}

impl SearchBundle {
    /// Pages in the index, all languages together.
    #[cfg(test)]
    pub(crate) fn pages(&self) -> usize {
        self.languages.values().sum()
    }

    /// Writes the bundle into the site folder `out` in place, for rebuilds
    /// that do not go through a staging folder (`tolk serve`): files whose
    /// bytes did not change are left alone, and the files of an earlier
    /// bundle that this one no longer has (chunk names change with their
    /// content) are removed. Returns how many files were written.
    pub(crate) fn replace_in(&self, out: &Path) -> std::io::Result<usize> {
        let mut written = 0;
        for (path, bytes) in &self.files {
            let target = out.join(path);
            if std::fs::read(&target).is_ok_and(|old| old == *bytes) {
                continue;
            }
            if let Some(folder) = target.parent() {
                std::fs::create_dir_all(folder)?;
            }
            // Beside the target, then renamed: a reader never sees half a file.
            let partial = target.with_extension("tolk-partial");
            std::fs::write(&partial, bytes)?;
            std::fs::rename(&partial, &target)?;
            written += 1;
        }
        let keep: std::collections::HashSet<std::path::PathBuf> =
            self.files.iter().map(|(path, _)| out.join(path)).collect();
        for entry in walkdir::WalkDir::new(out.join(BUNDLE_DIR))
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
        {
            if !keep.contains(entry.path()) {
                std::fs::remove_file(entry.path())?;
            }
        }
        Ok(written)
    }
}

/// Collects rendered pages from any number of threads, reading each into
/// its language's index at once, then writes the indexes.
///
/// ```ignore
/// let indexer = SearchIndexer::new();
/// pages.par_iter().for_each(|f| indexer.add_page(&f.path, &f.contents));
/// let bundle = indexer.finish()?;
/// ```
#[derive(Default)]
pub(crate) struct SearchIndexer {
    languages: Mutex<BTreeMap<String, LanguageIndex>>,
    skipped: Mutex<Vec<String>>,
}

impl SearchIndexer {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Takes one page for the index. `path` is the page's file relative to
    /// the output folder (`nl/commerce/b2b-and-b2c/index.html`, as in
    /// `OutputFile::path`); `html` is the whole rendered page (UTF-8, as in
    /// `OutputFile::contents`).
    ///
    /// Only real pages belong here: not fallback pages (another language's
    /// content), nor the home, status or 404 pages. A page is indexed from
    /// its `data-pagefind-body` element; once any page has one, pages
    /// without it are left out of the index. When that element is an
    /// `<article>`, only the article is read (with the `<html>` tag and its
    /// `lang`): the navigation around it is most of a page's bytes.
    pub(crate) fn add_page(&self, path: &str, html: &[u8]) {
        self.add_page_of(path, html, None);
    }

    /// [`SearchIndexer::add_page`], when the page's language is one of
    /// `languages` (or `languages` is `None`).
    fn add_page_of(&self, path: &str, html: &[u8], languages: Option<&BTreeSet<String>>) {
        let html = String::from_utf8_lossy(html);
        if languages.is_some_and(|wanted| !wanted.contains(&language_of(&html))) {
            return;
        }
        let url = page_url(path);
        let part = indexed_part(&html);
        let read = extract::page_text(part.as_deref().unwrap_or(&html).as_bytes())
            .and_then(|text| index::ready(record::record(url.clone(), text)));
        match read {
            Ok(page) => {
                let language = page.language().to_string();
                lock(&self.languages).entry(language).or_default().add(page);
            }
            Err(why) => lock(&self.skipped).push(format!("{url}: {why}")),
        }
    }

    /// Writes the index of every page taken, the languages side by side,
    /// and returns the bundle. Fails only when an index cannot be built at
    /// all.
    pub(crate) fn finish(self) -> Result<SearchBundle, String> {
        let mut parts = LanguageParts::default();
        self.index_into(&mut parts)?;
        parts.bundle()
    }

    /// Writes the index of each language that had pages taken into `parts`,
    /// replacing that language's part there.
    fn index_into(self, parts: &mut LanguageParts) -> Result<(), String> {
        let languages = self
            .languages
            .into_inner()
            .unwrap_or_else(|e| e.into_inner());
        let mut skipped = self.skipped.into_inner().unwrap_or_else(|e| e.into_inner());
        skipped.sort();
        let asked: BTreeSet<String> = languages.keys().cloned().collect();
        let version = client::client_files(&asked)?.version;
        let written: Vec<(String, Result<LanguageFiles, String>)> = languages
            .into_par_iter()
            .map(|(lang, index)| {
                let files = index.finish(&lang, &version);
                (lang, files)
            })
            .collect();
        for (lang, files) in written {
            let files = files?;
            // A language whose every page was left out has no index.
            if files.page_count > 0 {
                parts.0.insert(
                    lang,
                    LanguagePart {
                        files,
                        skipped: Vec::new(),
                    },
                );
            }
        }
        if let Some(first) = parts.0.values_mut().next() {
            first.skipped = skipped;
        } else if !skipped.is_empty() {
            parts.1 = skipped;
        }
        Ok(())
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The search bundle as each language's part, kept by `tolk serve` so that
/// a rebuild indexes again only the languages whose pages it rendered.
#[derive(Default)]
pub(crate) struct LanguageParts(BTreeMap<String, LanguagePart>, Vec<String>);

/// One language's files and the pages left out.
struct LanguagePart {
    files: LanguageFiles,
    skipped: Vec<String>,
}

/// `pagefind-entry.json`: the version and the languages, each with its
/// metadata file, its WebAssembly and its page count.
#[derive(serde::Serialize)]
struct Entry<'a> {
    version: &'a str,
    languages: BTreeMap<&'a str, EntryLanguage<'a>>,
    include_characters: &'a [char],
}

#[derive(serde::Serialize)]
struct EntryLanguage<'a> {
    hash: &'a str,
    wasm: Option<&'a str>,
    page_count: usize,
}

impl LanguageParts {
    /// The whole bundle: every language's files, the browser's files, one
    /// entry file for all.
    fn bundle(&self) -> Result<SearchBundle, String> {
        let mut bundle = SearchBundle::default();
        let languages: BTreeSet<String> = self.0.keys().cloned().collect();
        let client = client::client_files(&languages)?;
        let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
        for (name, bytes) in &client.files {
            files.insert(format!("{BUNDLE_DIR}/{name}"), bytes.clone());
        }
        let mut entry = Entry {
            version: &client.version,
            languages: BTreeMap::new(),
            include_characters: &words::WORD_SYMBOLS,
        };
        bundle.skipped.extend(self.1.iter().cloned());
        for (lang, part) in &self.0 {
            bundle.skipped.extend(part.skipped.iter().cloned());
            bundle.languages.insert(lang.clone(), part.files.page_count);
            for (path, contents) in &part.files.files {
                files.insert(format!("{BUNDLE_DIR}/{path}"), contents.clone());
            }
            entry.languages.insert(
                lang,
                EntryLanguage {
                    hash: &part.files.meta_name,
                    wasm: client.with_wasm.contains(lang).then_some(lang.as_str()),
                    page_count: part.files.page_count,
                },
            );
        }
        let entry = serde_json::to_vec(&entry).map_err(|err| err.to_string())?;
        files.insert(format!("{BUNDLE_DIR}/{ENTRY_FILE}"), entry);
        bundle.files = files.into_iter().collect();
        Ok(bundle)
    }
}

/// Indexes the pages of a site already written to `out` (for rebuilds that
/// render only some pages, such as `tolk serve`'s): every `.html` file that
/// has a `data-pagefind-body` element, so the bundle is byte for byte the
/// one the full build made. Fallback pages, homes, status and 404 pages
/// have no such element and stay out. The bundle an earlier build wrote
/// under `pagefind/` is not read.
pub(crate) fn index_folder(out: &Path) -> Result<SearchBundle, String> {
    let mut parts = LanguageParts::default();
    reindex_folder(out, None, &mut parts)
}

/// Like [`index_folder`], indexing only the pages in `languages` (`html
/// lang`, lowercase; `None` for all) and keeping the other languages' parts
/// as `parts` holds them. With `parts` empty, every language is indexed.
pub(crate) fn reindex_folder(
    out: &Path,
    languages: Option<&BTreeSet<String>>,
    parts: &mut LanguageParts,
) -> Result<SearchBundle, String> {
    let languages = languages.filter(|_| !parts.0.is_empty());
    let indexer = SearchIndexer::new();
    let pages: Vec<walkdir::DirEntry> = walkdir::WalkDir::new(out)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() != 1 || e.file_name() != BUNDLE_DIR)
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "html"))
        .collect();
    pages.par_iter().try_for_each(|entry| {
        let html = std::fs::read(entry.path())
            .map_err(|err| format!("cannot read {}: {err}", entry.path().display()))?;
        if contains(&html, BODY_MARKER.as_bytes()) {
            let relative = entry.path().strip_prefix(out).unwrap_or(entry.path());
            let path = relative.to_string_lossy().replace('\\', "/");
            indexer.add_page_of(&path, &html, languages);
        }
        Ok::<(), String>(())
    })?;
    match languages {
        // A language whose pages are all gone has no part any more.
        Some(languages) => parts.0.retain(|lang, _| !languages.contains(lang)),
        None => parts.0.clear(),
    }
    parts.1.clear();
    indexer.index_into(parts)?;
    parts.bundle()
}

/// `nl/commerce/b2b/index.html` -> `/nl/commerce/b2b/`: the URL Pagefind
/// gives in results, relative to the folder that holds `pagefind/` (its
/// script prefixes the site's base path itself).
fn page_url(path: &str) -> String {
    let path = path.trim_start_matches('/');
    let folder = path.strip_suffix("index.html").unwrap_or(path);
    format!("/{folder}")
}

/// The `<html …>` start tag, if the page has one.
fn html_tag(html: &str) -> Option<&str> {
    let start = html.find("<html")?;
    let end = start + html[start..].find('>')? + 1;
    Some(&html[start..end])
}

/// `lang` of the `<html>` tag, lowercase, as Pagefind reads it.
fn language_of(html: &str) -> String {
    html_tag(html)
        .and_then(|tag| {
            let at = tag.find(" lang=")? + " lang=".len();
            let quote = tag[at..]
                .chars()
                .next()
                .filter(|c| *c == '"' || *c == '\'')?;
            let value = &tag[at + 1..];
            Some(value[..value.find(quote)?].to_lowercase())
        })
        .filter(|lang| !lang.is_empty())
        .unwrap_or_else(|| "unknown".to_string())
}

/// The page cut down to what Pagefind reads of it: the `<html>` tag (its
/// `lang`) and the `<article data-pagefind-body>` element, from its start
/// tag to the page's last `</article>`. `None` (keep the whole page) when
/// the marked element is not an article.
fn indexed_part(html: &str) -> Option<String> {
    let marker = html.find(BODY_MARKER)?;
    let start = html[..marker].rfind('<')?;
    if !html[start..].starts_with("<article") {
        return None;
    }
    let end = html.rfind("</article>")? + "</article>".len();
    if end <= marker {
        return None;
    }
    let tag = html_tag(html).unwrap_or("<html>");
    Some(format!(
        "<!doctype html>\n{tag}<body>{}</body></html>",
        &html[start..end]
    ))
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(lang: &str, title: &str, body: &str) -> String {
        format!(
            "<!doctype html>\n<html lang=\"{lang}\" dir=\"ltr\"><head><title>{title}</title></head>\
             <body><nav>Navigation words everywhere</nav>\
             <article class=\"content\" data-pagefind-body data-pagefind-meta=\"section:Commerce, B2B\">\
             <h1>{title}</h1><p>{body}</p></article><nav>More navigation</nav></body></html>"
        )
    }

    fn file<'a>(bundle: &'a SearchBundle, name: &str) -> Option<&'a [u8]> {
        bundle
            .files
            .iter()
            .find(|(path, _)| path == name)
            .map(|(_, bytes)| bytes.as_slice())
    }

    /// Four pages in three languages, one with a regional tag.
    fn sample_pages() -> Vec<(&'static str, String)> {
        vec![
            (
                "nl/a/index.html",
                page("nl", "Wat zijn B2B en B2C?", "24x7 klantenservice"),
            ),
            (
                "nl/b/index.html",
                page("nl", "Prijzen", "Dynamische prijzen per klant"),
            ),
            (
                "sv/a/index.html",
                page("sv", "Vad är B2B och B2C?", "Kundtjänst dygnet runt"),
            ),
            (
                "fr/a/index.html",
                page("fr-FR", "Qu'est-ce que le B2B ?", "Les différences"),
            ),
        ]
    }

    fn sample(indexer: &SearchIndexer, reversed: bool) {
        let mut pages = sample_pages();
        if reversed {
            pages.reverse();
        }
        std::thread::scope(|scope| {
            for (path, html) in &pages {
                scope.spawn(move || indexer.add_page(path, html.as_bytes()));
            }
        });
    }

    #[test]
    fn indexes_each_language_apart_and_lists_them_all_in_the_entry() {
        let indexer = SearchIndexer::new();
        sample(&indexer, false);
        let bundle = indexer.finish().unwrap();
        assert!(bundle.skipped.is_empty(), "{:?}", bundle.skipped);
        assert_eq!(
            bundle.languages,
            BTreeMap::from([
                ("fr-fr".to_string(), 1),
                ("nl".to_string(), 2),
                ("sv".to_string(), 1)
            ])
        );
        assert_eq!(bundle.pages(), 4);
        let entry: serde_json::Value =
            serde_json::from_slice(file(&bundle, "pagefind/pagefind-entry.json").unwrap()).unwrap();
        assert_eq!(entry["languages"]["nl"]["page_count"], 2);
        assert_eq!(entry["languages"]["sv"]["wasm"], "sv");
        // A regional tag gets its primary language's stemmer, under its own name.
        assert_eq!(entry["languages"]["fr-fr"]["wasm"], "fr-fr");
        assert!(file(&bundle, "pagefind/wasm.fr-fr.pagefind").is_some());
        for name in [
            "pagefind.js",
            "pagefind-worker.js",
            "wasm.nl.pagefind",
            "wasm.sv.pagefind",
        ] {
            assert!(
                file(&bundle, &format!("pagefind/{name}")).is_some(),
                "{name}"
            );
        }
        assert!(file(&bundle, "pagefind/pagefind-ui.js").is_none());
        assert!(
            bundle
                .files
                .iter()
                .all(|(path, _)| path.starts_with("pagefind/"))
        );
        assert!(
            bundle.files.windows(2).all(|w| w[0].0 < w[1].0),
            "sorted, no duplicates"
        );
    }

    #[test]
    fn the_bundle_does_not_depend_on_the_order_pages_arrive_in() {
        let (first, second) = (SearchIndexer::new(), SearchIndexer::new());
        sample(&first, false);
        sample(&second, true);
        assert_eq!(
            first.finish().unwrap().files,
            second.finish().unwrap().files
        );
    }

    /// Pages with what themes and real content put in them: anchors,
    /// tables, code, accents, compound words, emoji, ignored parts, weights,
    /// filters, sort keys, indexed attributes, entities.
    fn tricky_pages() -> Vec<(String, Vec<u8>)> {
        let article = |lang: &str, body: &str| {
            format!(
                "<!doctype html>\n<html lang=\"{lang}\"><head><title>T</title></head><body><nav>Nav</nav>\
                 <article class=\"content\" data-pagefind-body data-pagefind-meta=\"section:Guides &amp; B2B\">{body}</article></body></html>"
            )
        };
        let pages = [
            (
                "sv/a/index.html",
                article(
                    "sv",
                    "<h1 id=\"top\">Vad är <em>B2B-handel</em>?</h1><p>Kundtjänst dygnet runt. Café, naïve, ÉCOLE.</p>\
              <h2 id=\"pris\" data-pagefind-title=\"Priser\">Priser &amp; villkor</h2><table><tr><th>B2B</th><td>Ja&#39;</td><td>&quot;Nej&quot;</td></tr></table>\
              <pre><code>config.is_python_build = camelCaseWord; snake_case</code></pre><p>Emoji 🎉 here😀x, 24x7, e-mail, U.S.A.</p>",
                ),
            ),
            (
                "sv/b/index.html",
                article(
                    "sv",
                    "<h1>Andra</h1><p data-pagefind-ignore>hidden words</p><div data-pagefind-weight=\"3\"><h3>Tung</h3> vikt</div>\
              <span data-pagefind-filter=\"typ\">guide</span><span data-pagefind-filter=\"typ:ref\"></span><span data-pagefind-sort=\"datum:2024-01-02\"></span>\
              <img src=\"/a.png\" alt=\"Bild text\" data-pagefind-index-attrs=\"alt\"><p>Line<br>break and\u{00a0}nbsp\u{200b}zero</p><ul><li>ett</li><li>två</li></ul>",
                ),
            ),
            (
                "fr/a/index.html",
                article(
                    "fr-FR",
                    "<h1>Qu&#39;est-ce que le B2B ?</h1><p>Les différences entre «&nbsp;B2B&nbsp;» et B2C — paiements, élève.</p>\
              <h2 id=\"a b\">Résumé</h2><p><a href=\"#x\" id=\"lien\">lien <strong>fort</strong></a> fin</p><span data-pagefind-sort=\"datum:10\"></span>",
                ),
            ),
            (
                "fr/b/index.html",
                article(
                    "fr-FR",
                    "<h1>Deux</h1><p>Des paiements et des élèves; Élève.</p><span data-pagefind-sort=\"datum:9\"></span>",
                ),
            ),
            (
                "xx/a/index.html",
                article(
                    "xx",
                    "<h1>Unknown tongue</h1><p>Words wordsmith ワードプレス</p>",
                ),
            ),
        ];
        pages
            .into_iter()
            .map(|(path, html)| (path.to_string(), html.into_bytes()))
            .collect()
    }

    fn assert_same_as_pagefind(pages: &[(String, Vec<u8>)]) {
        let indexer = SearchIndexer::new();
        for (path, html) in pages {
            indexer.add_page(path, html);
        }
        let ours = reference::tolk_bundle(&indexer.finish().unwrap().files);
        let theirs = reference::pagefind_bundle(pages);
        let differences = reference::differences(&ours, &theirs);
        assert!(
            differences.is_empty(),
            "{} differences:\n{}",
            differences.len(),
            differences.join("\n")
        );
        assert!(!ours.is_empty());
    }

    #[test]
    fn the_index_is_the_one_pagefind_makes_of_the_same_pages() {
        assert_same_as_pagefind(&tricky_pages());
        let pages: Vec<(String, Vec<u8>)> = sample_pages()
            .into_iter()
            .map(|(p, h)| (p.to_string(), h.into_bytes()))
            .collect();
        assert_same_as_pagefind(&pages);
    }

    #[test]
    fn pages_without_a_body_are_left_out_once_another_has_one() {
        let pages: Vec<(String, Vec<u8>)> = [
            ("en/a/index.html", page("en", "Kept", "with a body")),
            (
                "en/b/index.html",
                "<html lang=\"en\"><body><h1>Left out</h1><p>no body here</p></body></html>"
                    .to_string(),
            ),
        ]
        .into_iter()
        .map(|(p, h)| (p.to_string(), h.into_bytes()))
        .collect();
        assert_same_as_pagefind(&pages);
    }

    #[test]
    fn the_index_of_a_real_guide_is_the_one_pagefind_makes() {
        // The guide with the default theme beside it, as a team has it.
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        let site = tempfile::tempdir().unwrap();
        reference::copy_dir(&repo.join("tests/fixtures/merchant-services"), site.path());
        reference::copy_dir(&repo.join("themes"), &site.path().join("themes"));
        let config = site.path().join("tolk.toml");
        let text = std::fs::read_to_string(&config).unwrap();
        std::fs::write(&config, format!("search = true\n{text}")).unwrap();
        let out = tempfile::tempdir().unwrap();
        let options = crate::pipeline::BuildOptions {
            root: site.path().to_path_buf(),
            out: Some(out.path().to_path_buf()),
            content: None,
            keep_going: false,
            read: Default::default(),
            languages: Vec::new(),
        };
        let report = crate::pipeline::build(&options);
        assert!(
            out.path().join("pagefind/pagefind-entry.json").is_file(),
            "{:?}",
            report.diagnostics
        );
        let pages = reference::indexed_pages(out.path());
        assert!(pages.len() > 500, "{}", pages.len());
        let ours = reference::tolk_bundle(&index_folder(out.path()).unwrap().files);
        let theirs = reference::pagefind_bundle(&pages);
        let differences = reference::differences(&ours, &theirs);
        assert!(
            differences.is_empty(),
            "{} differences, first:\n{}",
            differences.len(),
            differences
                .iter()
                .take(6)
                .cloned()
                .collect::<Vec<_>>()
                .join("\n")
        );
    }

    #[test]
    fn an_empty_site_still_gets_the_scripts() {
        let bundle = SearchIndexer::new().finish().unwrap();
        assert_eq!(bundle.pages(), 0);
        assert!(file(&bundle, "pagefind/pagefind.js").is_some());
        assert!(file(&bundle, "pagefind/pagefind-entry.json").is_some());
    }

    #[test]
    fn a_folder_gives_the_same_bundle_as_its_pages_and_replaces_an_old_one() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        let fallback =
            "<html lang=\"it\"><body><article class=\"content\">Testo</article></body></html>";
        for (path, html) in [
            (
                "nl/a/index.html",
                page("nl", "Wat zijn B2B en B2C?", "24x7 klantenservice"),
            ),
            (
                "sv/a/index.html",
                page("sv", "Vad är B2B och B2C?", "Kundtjänst dygnet runt"),
            ),
            ("it/a/index.html", fallback.to_string()),
        ] {
            std::fs::create_dir_all(out.join(path).parent().unwrap()).unwrap();
            std::fs::write(out.join(path), html).unwrap();
        }
        std::fs::create_dir_all(out.join("pagefind/index")).unwrap();
        std::fs::write(out.join("pagefind/index/old.pf_index"), b"old").unwrap();
        let from_folder = index_folder(out).unwrap();
        assert_eq!(
            from_folder.languages.keys().collect::<Vec<_>>(),
            ["nl", "sv"]
        );
        let indexer = SearchIndexer::new();
        indexer.add_page(
            "sv/a/index.html",
            page("sv", "Vad är B2B och B2C?", "Kundtjänst dygnet runt").as_bytes(),
        );
        indexer.add_page(
            "nl/a/index.html",
            page("nl", "Wat zijn B2B en B2C?", "24x7 klantenservice").as_bytes(),
        );
        assert_eq!(from_folder.files, indexer.finish().unwrap().files);

        let written = from_folder.replace_in(out).unwrap();
        assert_eq!(written, from_folder.files.len());
        assert!(!out.join("pagefind/index/old.pf_index").exists());
        assert_eq!(
            from_folder.replace_in(out).unwrap(),
            0,
            "unchanged files stay"
        );
    }

    #[test]
    fn a_rebuild_indexes_again_only_the_languages_asked_and_keeps_the_others() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        let write = |path: &str, html: String| {
            std::fs::create_dir_all(out.join(path).parent().unwrap()).unwrap();
            std::fs::write(out.join(path), html).unwrap();
        };
        write(
            "nl/a/index.html",
            page("nl", "Wat is B2B?", "klantenservice"),
        );
        write("sv/a/index.html", page("sv", "Vad är B2B?", "Kundtjänst"));
        let mut parts = LanguageParts::default();
        let first = reindex_folder(out, Some(&BTreeSet::from(["nl".to_string()])), &mut parts);
        assert_eq!(first.unwrap().languages.len(), 2, "with nothing kept, all");

        write("nl/a/index.html", page("nl", "Wat is B2C?", "bestellingen"));
        write(
            "sv/a/index.html",
            page("sv", "Vad är B2C?", "Beställningar"),
        );
        let only_nl = BTreeSet::from(["nl".to_string()]);
        let rebuilt = reindex_folder(out, Some(&only_nl), &mut parts).unwrap();
        let fresh = index_folder(out).unwrap();
        let nl_files = |bundle: &SearchBundle| -> Vec<String> {
            bundle
                .files
                .iter()
                .map(|(path, _)| path.clone())
                .filter(|path| path.contains("nl_"))
                .collect()
        };
        assert_eq!(nl_files(&rebuilt), nl_files(&fresh), "Dutch indexed again");
        assert_ne!(rebuilt.files, fresh.files, "Swedish kept as it was");

        std::fs::remove_file(out.join("nl/a/index.html")).unwrap();
        let without_nl = reindex_folder(out, Some(&only_nl), &mut parts).unwrap();
        assert_eq!(without_nl.languages.keys().collect::<Vec<_>>(), ["sv"]);
    }

    #[test]
    fn keeps_the_html_tag_and_the_article_only() {
        let html = page("sv", "Titel", "Text <b>fet</b>");
        let part = indexed_part(&html).unwrap();
        assert!(part.starts_with("<!doctype html>\n<html lang=\"sv\" dir=\"ltr\"><body><article"));
        assert!(part.ends_with("</article></body></html>"));
        assert!(part.contains("Text <b>fet</b>"));
        assert!(!part.contains("Navigation"));
        assert!(
            indexed_part("<html><body><main data-pagefind-body>x</main></body></html>").is_none()
        );
        assert!(indexed_part("<html><body>no marker</body></html>").is_none());
    }

    #[test]
    fn reads_the_language_and_the_url() {
        assert_eq!(
            language_of("<!doctype html><html lang=\"fr-FR\" dir=\"ltr\">"),
            "fr-fr"
        );
        assert_eq!(language_of("<html lang='sv'>"), "sv");
        assert_eq!(language_of("<html><body>"), "unknown");
        assert_eq!(page_url("nl/commerce/b2b/index.html"), "/nl/commerce/b2b/");
        assert_eq!(page_url("index.html"), "/");
        assert_eq!(page_url("fr/a/page.html"), "/fr/a/page.html");
    }
}
