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

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

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
    /// that do not go through a staging folder (`tolk serve`, `tolk
    /// index`): files whose bytes did not change are left alone, and the
    /// files of an earlier bundle that this one no longer has (chunk names
    /// change with their content) are removed. `written` is what the last
    /// call wrote there, empty the first time (the files there are read
    /// then). Returns how many files were written.
    pub(crate) fn replace_in(
        &self,
        out: &Path,
        written: &mut WrittenBundle,
    ) -> std::io::Result<usize> {
        let known = !written.0.is_empty();
        let mut now = HashMap::with_capacity(self.files.len());
        let mut count = 0;
        for (path, bytes) in &self.files {
            let hash = hash_of(bytes);
            now.insert(path.clone(), hash);
            let target = out.join(path);
            let unchanged = if known {
                written.0.get(path) == Some(&hash)
            } else {
                std::fs::read(&target).is_ok_and(|old| old == *bytes)
            };
            if unchanged {
                continue;
            }
            if let Some(folder) = target.parent() {
                std::fs::create_dir_all(folder)?;
            }
            // Beside the target, then renamed: a reader never sees half a file.
            let partial = target.with_extension("tolk-partial");
            std::fs::write(&partial, bytes)?;
            std::fs::rename(&partial, &target)?;
            count += 1;
        }
        let before: Vec<String> = if known {
            written.0.keys().cloned().collect()
        } else {
            walkdir::WalkDir::new(out.join(BUNDLE_DIR))
                .into_iter()
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_file())
                .filter_map(|e| {
                    let relative = e.path().strip_prefix(out).ok()?;
                    Some(relative.to_string_lossy().replace('\\', "/"))
                })
                .collect()
        };
        for path in before.iter().filter(|path| !now.contains_key(*path)) {
            match std::fs::remove_file(out.join(path)) {
                Err(err) if err.kind() != std::io::ErrorKind::NotFound => return Err(err),
                _ => {}
            }
        }
        written.0 = now;
        Ok(count)
    }
}

/// The files a bundle wrote into a folder, with a hash of each, so that the
/// next bundle tells which files changed without reading them.
#[derive(Default)]
pub(crate) struct WrittenBundle(HashMap<String, u64>);

/// Collects rendered pages from any number of threads, reading each into
/// its language's index at once, then writes the indexes.
///
/// ```ignore
/// let indexer = SearchIndexer::new();
/// pages.par_iter().for_each(|f| indexer.add_page(&f.path, &f.contents));
/// let bundle = indexer.finish()?;
/// ```
///
/// `tolk serve` keeps its indexer: a rebuild hands it the pages it
/// rendered again, and [`SearchIndexer::bundle`] writes again only the
/// languages whose pages changed.
#[derive(Default)]
pub(crate) struct SearchIndexer {
    languages: Mutex<BTreeMap<String, LanguageIndex>>,
    /// Pages that could not be read, by URL, with the reason.
    skipped: Mutex<BTreeMap<String, String>>,
    /// Pages read into a record since the indexer was made.
    pages_read: AtomicUsize,
    /// Each language's files as last written.
    parts: BTreeMap<String, LanguageFiles>,
}

impl SearchIndexer {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Takes one page for the index, in place of the page of the same URL
    /// if there was one. `path` is the page's file relative to the output
    /// folder (`nl/commerce/b2b-and-b2c/index.html`, as in
    /// `OutputFile::path`); `html` is the whole rendered page (UTF-8, as in
    /// `OutputFile::contents`).
    ///
    /// Only real pages belong here: not fallback pages (another language's
    /// content), nor the home, status or 404 pages. A page is indexed from
    /// its `data-pagefind-body` element; once any page has one, pages
    /// without it are left out of the index. When that element is an
    /// `<article>`, only the article is read (with the `<html>` tag and its
    /// `lang`): the navigation around it is most of a page's bytes. A page
    /// whose indexed part is the one already in the index is not read again.
    pub(crate) fn add_page(&self, path: &str, html: &[u8]) {
        let html = String::from_utf8_lossy(html);
        let url = page_url(path);
        let part = indexed_part(&html);
        let part = part.as_deref().unwrap_or(&html);
        let source = hash_of(part);
        let language = language_of(&html);
        if lock(&self.languages)
            .get(&language)
            .is_some_and(|index| index.holds(&url, source))
        {
            return;
        }
        self.pages_read.fetch_add(1, Ordering::Relaxed);
        let read = extract::page_text(part.as_bytes())
            .and_then(|text| index::ready(record::record(url.clone(), text), source));
        match read {
            Ok(page) => {
                let language = page.language().to_string();
                self.forget_page_at(&url);
                lock(&self.languages).entry(language).or_default().add(page);
            }
            Err(why) => {
                self.forget_page_at(&url);
                lock(&self.skipped).insert(url, why);
            }
        }
    }

    /// Takes the page at `path` (as for [`SearchIndexer::add_page`]) out of
    /// the index: a page that now shows another language's content, or is
    /// gone.
    pub(crate) fn forget_page(&self, path: &str) {
        self.forget_page_at(&page_url(path));
    }

    fn forget_page_at(&self, url: &str) {
        for index in lock(&self.languages).values_mut() {
            index.forget(url);
        }
        lock(&self.skipped).remove(url);
    }

    /// Pages read into a record so far; a page handed in again unchanged
    /// is not read again.
    pub(crate) fn pages_read(&self) -> usize {
        self.pages_read.load(Ordering::Relaxed)
    }

    /// Writes the index of every page taken, the languages side by side,
    /// and returns the bundle. Fails only when an index cannot be built at
    /// all.
    pub(crate) fn finish(mut self) -> Result<SearchBundle, String> {
        self.bundle()
    }

    /// The bundle of the pages taken so far: the files of the languages
    /// whose pages changed since the last call are written again (side by
    /// side), the others' are kept.
    pub(crate) fn bundle(&mut self) -> Result<SearchBundle, String> {
        let parts = &mut self.parts;
        let written = Self::finish_languages(&mut self.languages, parts, Ok)?;
        for (lang, files) in written {
            match files {
                Some(files) => parts.insert(lang, files),
                None => parts.remove(&lang),
            };
        }
        let languages = parts
            .iter()
            .map(|(lang, files)| (lang.clone(), files.summary()));
        let skipped = self.skipped.get_mut().unwrap_or_else(|e| e.into_inner());
        let (client_files, indexed) = client_and_entry(languages.collect(), skipped)?;
        let mut files: BTreeMap<String, Vec<u8>> = client_files.into_iter().collect();
        for part in parts.values() {
            for (path, contents) in &part.files {
                files.insert(format!("{BUNDLE_DIR}/{path}"), contents.clone());
            }
        }
        Ok(SearchBundle {
            files: files.into_iter().collect(),
            languages: indexed.languages,
            skipped: indexed.skipped,
        })
    }

    /// Writes the index of every page taken with `write` (a path under the
    /// output folder, the bytes; it reports its own failures), each
    /// language's files as soon as they are made, the languages side by
    /// side: a build's bundle is written once, and holding it whole would
    /// double the memory the index takes. A later [`SearchIndexer::bundle`]
    /// makes every language's files again.
    pub(crate) fn write_with(
        &mut self,
        write: &(dyn Fn(&str, &[u8]) + Sync),
    ) -> Result<Indexed, String> {
        self.parts.clear();
        let written = Self::finish_languages(&mut self.languages, &self.parts, |files| {
            for (path, contents) in &files.files {
                write(&format!("{BUNDLE_DIR}/{path}"), contents);
            }
            Ok(files.summary())
        })?;
        let languages = written
            .into_iter()
            .filter_map(|(lang, summary)| Some((lang, summary?)));
        let skipped = self.skipped.get_mut().unwrap_or_else(|e| e.into_inner());
        let (client_files, indexed) = client_and_entry(languages.collect(), skipped)?;
        for (path, contents) in &client_files {
            write(path, contents);
        }
        Ok(indexed)
    }

    /// Finishes, side by side, each language whose pages changed or whose
    /// files `parts` does not hold, and hands its files to `keep`; `None`
    /// for a language without a page in the index.
    fn finish_languages<T: Send>(
        languages: &mut Mutex<BTreeMap<String, LanguageIndex>>,
        parts: &BTreeMap<String, LanguageFiles>,
        keep: impl Fn(LanguageFiles) -> Result<T, String> + Sync,
    ) -> Result<Vec<(String, Option<T>)>, String> {
        let languages = languages.get_mut().unwrap_or_else(|e| e.into_inner());
        let asked: BTreeSet<String> = languages.keys().cloned().collect();
        let version = client::client_files(&asked)?.version;
        languages
            .par_iter_mut()
            .filter(|(lang, index)| index.changed || !parts.contains_key(*lang))
            .map(|(lang, index)| {
                index.compact();
                let files = index.finish(lang, &version)?;
                index.changed = false;
                // A language whose every page was left out has no index.
                let kept = match files.page_count {
                    0 => None,
                    _ => Some(keep(files)?),
                };
                Ok((lang.clone(), kept))
            })
            .collect()
    }
}

/// The browser's files and the entry file (paths under the output
/// folder) for the languages with an index, given by their metadata
/// file and page count, and what is in the index.
fn client_and_entry(
    all: BTreeMap<String, (String, usize)>,
    skipped: &BTreeMap<String, String>,
) -> Result<(Vec<BundleFile>, Indexed), String> {
    let names: BTreeSet<String> = all.keys().cloned().collect();
    let client = client::client_files(&names)?;
    let mut files: Vec<(String, Vec<u8>)> = client
        .files
        .iter()
        .map(|(name, bytes)| (format!("{BUNDLE_DIR}/{name}"), bytes.clone()))
        .collect();
    let entry = Entry {
        version: &client.version,
        languages: all
            .iter()
            .map(|(lang, (meta_name, page_count))| {
                let wasm = client.with_wasm.contains(lang).then_some(lang.as_str());
                let language = EntryLanguage {
                    hash: meta_name,
                    wasm,
                    page_count: *page_count,
                };
                (lang.as_str(), language)
            })
            .collect(),
        include_characters: &words::WORD_SYMBOLS,
    };
    let entry = serde_json::to_vec(&entry).map_err(|err| err.to_string())?;
    files.push((format!("{BUNDLE_DIR}/{ENTRY_FILE}"), entry));
    let indexed = Indexed {
        languages: all
            .iter()
            .map(|(lang, (_, n))| (lang.clone(), *n))
            .collect(),
        skipped: skipped
            .iter()
            .map(|(url, why)| format!("{url}: {why}"))
            .collect(),
    };
    Ok((files, indexed))
}

/// A file's path under the output folder, and its bytes.
type BundleFile = (String, Vec<u8>);

/// What the index holds.
#[derive(Debug, Default)]
pub(crate) struct Indexed {
    /// Pages in the index of each language (`html lang`, lowercase).
    pub languages: BTreeMap<String, usize>,
    /// Pages that could not be read, with the reason: they are left out of
    /// the search, the site is built all the same.
    pub skipped: Vec<String>,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A hash of a page's indexed HTML or of a file, to tell whether it
/// changed.
fn hash_of<T: std::hash::Hash + ?Sized>(data: &T) -> u64 {
    use std::hash::Hasher;
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    data.hash(&mut hasher);
    hasher.finish()
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

/// Indexes the pages of a site already written to `out` (the shards of a
/// site built in parts, put together): every `.html` file that has a
/// `data-pagefind-body` element, so the bundle is byte for byte the one the
/// full build made. Fallback pages, homes, status and 404 pages have no
/// such element and stay out. The bundle an earlier build wrote under
/// `pagefind/` is not read.
pub(crate) fn index_folder(out: &Path) -> Result<SearchBundle, String> {
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
            indexer.add_page(&path, &html);
        }
        Ok::<(), String>(())
    })?;
    indexer.finish()
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

        let written = from_folder
            .replace_in(out, &mut WrittenBundle::default())
            .unwrap();
        assert_eq!(written, from_folder.files.len());
        assert!(!out.join("pagefind/index/old.pf_index").exists());
        assert_eq!(
            from_folder
                .replace_in(out, &mut WrittenBundle::default())
                .unwrap(),
            0,
            "unchanged files stay"
        );
    }

    #[test]
    fn a_kept_index_reads_only_the_pages_that_changed_and_equals_a_fresh_one() {
        let mut kept = SearchIndexer::new();
        sample(&kept, false);
        kept.add_page("sv/b/index.html", page("sv", "Borta", "snart").as_bytes());
        let dir = tempfile::tempdir().unwrap();
        let mut written = WrittenBundle::default();
        kept.bundle()
            .unwrap()
            .replace_in(dir.path(), &mut written)
            .unwrap();
        assert_eq!(kept.pages_read(), 5);

        // The same pages again are not read; one edited page is, in place of
        // its old version; one page now shows another language's text.
        for (path, html) in sample_pages() {
            let html = html.replace("Dynamische prijzen", "Vaste prijzen");
            kept.add_page(path, html.as_bytes());
        }
        kept.forget_page("sv/b/index.html");
        assert_eq!(kept.pages_read(), 6, "only the edited page read again");
        let incremental = kept.bundle().unwrap();

        let fresh = SearchIndexer::new();
        for (path, html) in sample_pages() {
            let html = html.replace("Dynamische prijzen", "Vaste prijzen");
            fresh.add_page(path, html.as_bytes());
        }
        let fresh = fresh.finish().unwrap();
        assert_eq!(incremental.files, fresh.files);
        assert_eq!(incremental.languages, fresh.languages);

        // Only the Dutch and Swedish files changed; the old ones are removed.
        let files = incremental.replace_in(dir.path(), &mut written).unwrap();
        assert!(files > 0 && files < incremental.files.len(), "{files}");
        let on_disk = walkdir::WalkDir::new(dir.path().join(BUNDLE_DIR))
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .count();
        assert_eq!(on_disk, incremental.files.len());
    }

    #[test]
    fn replaced_pages_are_dropped_from_memory_once_they_outnumber_the_others() {
        let mut kept = SearchIndexer::new();
        let fresh = SearchIndexer::new();
        for round in 0..70 {
            let body = format!("version {round} of the text");
            kept.add_page("nl/a/index.html", page("nl", "Titel", &body).as_bytes());
            kept.bundle().unwrap();
        }
        fresh.add_page(
            "nl/a/index.html",
            page("nl", "Titel", "version 69 of the text").as_bytes(),
        );
        let index = kept.languages.get_mut().unwrap();
        assert!(
            index["nl"].slot_count() < 70,
            "{}",
            index["nl"].slot_count()
        );
        assert_eq!(kept.bundle().unwrap().files, fresh.finish().unwrap().files);
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
