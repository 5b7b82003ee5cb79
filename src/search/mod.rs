//! Client-side search: a Pagefind index of the site's pages, one per language.
//!
//! Pagefind (<https://pagefind.app>) reads each page's HTML, keeps the part
//! marked `data-pagefind-body` (the article, not the navigation), indexes
//! each page in the language of its `<html lang>` and stems the words of the
//! languages it knows (French, Italian, Dutch, Swedish and about thirty
//! more). In the browser its script loads only the index of the page's own
//! language, in small chunks, as the reader types; accents do not have to
//! match (`kundtjanst` finds `Kundtjänst`).
//!
//! The engine renders pages on many threads and streams them to disk;
//! [`SearchIndexer::add_page`] takes each real page as it is rendered and
//! keeps only what Pagefind reads of it. [`SearchIndexer::finish`] then
//! indexes the pages sorted by URL, so the bundle is the same whatever order
//! the threads finished in, and builds the languages' indexes in parallel
//! (Pagefind's own API indexes one page at a time). It returns the bundle:
//! `pagefind/pagefind.js`, the WebAssembly of each language, the index
//! chunks, as files to write under the output folder.
//!
//! Nothing here touches the network: the WebAssembly and the scripts ship
//! inside the pagefind crate.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Mutex;

use pagefind::api::{PagefindIndex, SyntheticFile};
use pagefind::options::PagefindServiceConfig;
use rayon::prelude::*;

/// Folder of the search bundle inside the output folder.
pub(crate) const BUNDLE_DIR: &str = "pagefind";

/// The file that lists every language's index; Pagefind's script reads it
/// first.
const ENTRY_FILE: &str = "pagefind-entry.json";

/// The attribute that marks the part of a page to index.
const BODY_MARKER: &str = "data-pagefind-body";

/// Files of Pagefind's bundle for its ready-made interfaces (about 430 kB).
/// The default theme's `assets/search.js` talks to `pagefind.js` directly,
/// so these are left out of the output.
const READY_MADE_UI: [&str; 7] = [
    "pagefind-ui.js",
    "pagefind-ui.css",
    "pagefind-modular-ui.js",
    "pagefind-modular-ui.css",
    "pagefind-component-ui.js",
    "pagefind-component-ui.css",
    "pagefind-highlight.js",
];

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

/// A page to index: what Pagefind needs of it.
struct Page {
    /// `<html lang>`, lowercase; `unknown` without one.
    language: String,
    /// The URL under the folder holding `pagefind/` (`/nl/commerce/b2b/`).
    url: String,
    html: String,
}

/// Collects rendered pages from any number of threads, then indexes them.
///
/// ```ignore
/// let indexer = SearchIndexer::new();
/// pages.par_iter().for_each(|f| indexer.add_page(&f.path, &f.contents));
/// let bundle = indexer.finish()?;
/// ```
#[derive(Default)]
pub(crate) struct SearchIndexer {
    pages: Mutex<Vec<Page>>,
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
    /// `<article>`, only the article is kept (with the `<html>` tag and its
    /// `lang`): the navigation around it is most of a page's bytes.
    pub(crate) fn add_page(&self, path: &str, html: &[u8]) {
        self.add_page_of(path, html, None);
    }

    /// [`SearchIndexer::add_page`], when the page's language is one of
    /// `languages` (or `languages` is `None`).
    fn add_page_of(&self, path: &str, html: &[u8], languages: Option<&BTreeSet<String>>) {
        let html = String::from_utf8_lossy(html);
        let language = language_of(&html);
        if languages.is_some_and(|wanted| !wanted.contains(&language)) {
            return;
        }
        let page = Page {
            language,
            url: page_url(path),
            html: indexed_part(&html).unwrap_or_else(|| html.into_owned()),
        };
        self.pages
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push(page);
    }

    /// Indexes every page taken, each language on a thread of its own, and
    /// returns the bundle. Fails only when an index cannot be built at all.
    pub(crate) fn finish(self) -> Result<SearchBundle, String> {
        let mut parts = LanguageParts::default();
        self.index_into(&mut parts)?;
        parts.bundle()
    }

    /// Indexes every page taken, by language, into `parts`: each language
    /// that had pages taken replaces its part there.
    fn index_into(self, parts: &mut LanguageParts) -> Result<(), String> {
        let mut pages = self
            .pages
            .into_inner()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        pages.sort_by(|a, b| (&a.language, &a.url).cmp(&(&b.language, &b.url)));
        let mut by_language: Vec<Vec<Page>> = Vec::new();
        for page in pages {
            match by_language.last_mut() {
                Some(group) if group[0].language == page.language => group.push(page),
                _ => by_language.push(vec![page]),
            }
        }
        let languages: Vec<String> = by_language.iter().map(|g| g[0].language.clone()).collect();
        if by_language.is_empty() && parts.0.is_empty() {
            // No page: the bundle still gets its scripts, so search says
            // "no results" instead of failing to load.
            by_language.push(Vec::new());
        }
        for (at, index) in index_languages(by_language).into_iter().enumerate() {
            let language = languages.get(at).cloned().unwrap_or_default();
            parts.0.insert(language, LanguagePart::from(index?));
        }
        Ok(())
    }
}

/// The search bundle as each language's part, kept by `tolk serve` so that
/// a rebuild indexes again only the languages whose pages it rendered.
#[derive(Default)]
pub(crate) struct LanguageParts(BTreeMap<String, LanguagePart>);

/// One language's files, its `pagefind-entry.json` and the pages left out.
struct LanguagePart {
    files: Vec<(String, Vec<u8>)>,
    entry: Option<Vec<u8>>,
    skipped: Vec<String>,
}

impl From<LanguageIndex> for LanguagePart {
    fn from(index: LanguageIndex) -> Self {
        let mut part = LanguagePart {
            files: Vec::new(),
            entry: None,
            skipped: index.skipped,
        };
        for file in index.files {
            let name = file.filename.to_string_lossy().replace('\\', "/");
            if name == ENTRY_FILE {
                part.entry = Some(file.contents);
            } else if !READY_MADE_UI.contains(&name.as_str()) {
                part.files
                    .push((format!("{BUNDLE_DIR}/{name}"), file.contents));
            }
        }
        part
    }
}

impl LanguageParts {
    /// The whole bundle: every language's files, one entry file for all.
    fn bundle(&self) -> Result<SearchBundle, String> {
        let mut bundle = SearchBundle::default();
        let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
        let mut entries = Vec::new();
        for part in self.0.values() {
            bundle.skipped.extend(part.skipped.iter().cloned());
            entries.extend(part.entry.clone());
            for (path, contents) in &part.files {
                // Files every language's bundle has (pagefind.js, the
                // worker) are the same bytes: one copy.
                files
                    .entry(path.clone())
                    .or_insert_with(|| contents.clone());
            }
        }
        let entry = merge_entries(&entries)?;
        bundle.languages = languages_of_entry(&entry);
        let entry = serde_json::to_vec(&entry).map_err(|err| err.to_string())?;
        files.insert(format!("{BUNDLE_DIR}/{ENTRY_FILE}"), entry);
        bundle.files = files.into_iter().collect();
        Ok(bundle)
    }
}

/// Indexes the pages of a site already written to `out` (for rebuilds that
/// render only some pages, such as `tolk serve`'s): every `.html` file that
/// has a `data-pagefind-body` element, in the order of their paths, so the
/// bundle is byte for byte the one the full build made. Fallback pages,
/// homes, status and 404 pages have no such element and stay out. The
/// bundle an earlier build wrote under `pagefind/` is not read.
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
    indexer.index_into(parts)?;
    parts.bundle()
}

/// Indexes each language's pages, as many languages at once as there are
/// cores (each language's index is held in memory until it is written, so
/// more at once only costs memory). Plain threads, not rayon's pool: each
/// blocks on an async runtime, and a rayon worker waiting there may be
/// handed another language's job, whose runtime would then start inside
/// the first one (which panics).
fn index_languages(by_language: Vec<Vec<Page>>) -> Vec<Result<LanguageIndex, String>> {
    let count = by_language.len();
    let queue = Mutex::new(by_language.into_iter().enumerate().collect::<Vec<_>>());
    let results = Mutex::new((0..count).map(|_| None).collect::<Vec<_>>());
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(count);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let next = queue.lock().unwrap_or_else(|e| e.into_inner()).pop();
                    let Some((index, pages)) = next else { break };
                    let index_result = index_language(pages);
                    results.lock().unwrap_or_else(|e| e.into_inner())[index] = Some(index_result);
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err("the search indexer failed".to_string())))
        .collect()
}

/// One language's index: Pagefind's files and the pages it could not read.
struct LanguageIndex {
    files: Vec<SyntheticFile>,
    skipped: Vec<String>,
}

/// Indexes one language's pages, in the order given, with Pagefind.
fn index_language(pages: Vec<Page>) -> Result<LanguageIndex, String> {
    // Pagefind's API is async; its work is CPU-bound and runs in tokio's
    // blocking pool, so a runtime on this thread is all it needs.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|err| format!("cannot start the search indexer: {err}"))?;
    // URLs are given as they are; Pagefind prints nothing (it runs as a
    // service, not as its command line).
    let options = PagefindServiceConfig::builder()
        .keep_index_url(false)
        .write_playground(false)
        .build();
    let mut index = PagefindIndex::new(Some(options))
        .map_err(|err| format!("cannot configure the search index: {err}"))?;
    runtime.block_on(async {
        let mut skipped = Vec::new();
        for page in pages {
            if let Err(err) = index
                .add_html_file(None, Some(page.url.clone()), page.html)
                .await
            {
                skipped.push(format!("{}: {err}", page.url));
            }
        }
        let files = index
            .get_files()
            .await
            .map_err(|err| format!("cannot build the search index: {err}"))?;
        Ok(LanguageIndex { files, skipped })
    })
}

/// One `pagefind-entry.json` listing the languages of all of them (each
/// language's bundle lists only its own; the rest of the file is the same).
fn merge_entries(entries: &[Vec<u8>]) -> Result<serde_json::Value, String> {
    let mut merged: Option<serde_json::Value> = None;
    for entry in entries {
        let entry: serde_json::Value = serde_json::from_slice(entry)
            .map_err(|err| format!("unexpected {ENTRY_FILE} from Pagefind: {err}"))?;
        let languages = entry.get("languages").and_then(|l| l.as_object()).cloned();
        match (&mut merged, languages) {
            (None, _) => merged = Some(entry),
            (Some(all), Some(languages)) => {
                if let Some(all) = all.get_mut("languages").and_then(|l| l.as_object_mut()) {
                    all.extend(languages);
                }
            }
            (Some(_), None) => {}
        }
    }
    merged.ok_or_else(|| format!("Pagefind wrote no {ENTRY_FILE}"))
}

/// The languages of `pagefind-entry.json` with the pages of each.
fn languages_of_entry(entry: &serde_json::Value) -> BTreeMap<String, usize> {
    let Some(languages) = entry.get("languages").and_then(|l| l.as_object()) else {
        return BTreeMap::new();
    };
    languages
        .iter()
        .map(|(tag, index)| {
            let pages = index
                .get("page_count")
                .and_then(|n| n.as_u64())
                .unwrap_or(0);
            (tag.clone(), pages as usize)
        })
        .collect()
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

    fn sample(indexer: &SearchIndexer, reversed: bool) {
        let mut pages = vec![
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
        ];
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
