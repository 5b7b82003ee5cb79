//! The files of the search that run in the reader's browser: Pagefind's
//! `pagefind.js`, its worker, and the WebAssembly that reads the index (one
//! build per language, with that language's stemmer).
//!
//! They ship inside the pagefind crate, which hands them out with an index
//! it builds; tolk asks it for an index of one tiny record per language and
//! keeps only these files (and the version the index must name). Asked once
//! per language and process: `tolk serve` asks again for nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use pagefind::api::PagefindIndex;
use pagefind::options::PagefindServiceConfig;

/// Files every site's bundle has, whatever its languages.
const COMMON: [&str; 3] = ["pagefind.js", "pagefind-worker.js", "wasm.unknown.pagefind"];

/// The browser's part of the search for some languages.
#[derive(Debug, Clone, Default)]
pub(super) struct ClientFiles {
    /// Pagefind's version: the index's metadata names it, and the script
    /// checks.
    pub version: String,
    /// The common files, then `wasm.<language>.pagefind` of each language
    /// that has a stemmer, named under the bundle folder.
    pub files: Vec<(String, Vec<u8>)>,
    /// The languages that have their own WebAssembly.
    pub with_wasm: BTreeSet<String>,
}

#[derive(Default)]
struct Cache {
    version: String,
    common: Vec<(String, Vec<u8>)>,
    /// Each language asked for, with its WebAssembly if it has one.
    wasm: BTreeMap<String, Option<Vec<u8>>>,
}

static CACHE: Mutex<Option<Cache>> = Mutex::new(None);

/// The browser's files for `languages` (`html lang` tags, lowercase).
pub(super) fn client_files(languages: &BTreeSet<String>) -> Result<ClientFiles, String> {
    let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
    let missing: Vec<&String> = languages
        .iter()
        .filter(|lang| {
            cache
                .as_ref()
                .is_none_or(|cache| !cache.wasm.contains_key(*lang))
        })
        .collect();
    if cache.is_none() || !missing.is_empty() {
        let fetched = ask_pagefind(&missing)?;
        let cache = cache.get_or_insert_with(Cache::default);
        cache.version = fetched.version;
        cache.common = fetched.common;
        cache.wasm.extend(fetched.wasm);
    }
    let cache = cache
        .as_ref()
        .ok_or("the search client files are missing")?;
    let mut files = cache.common.clone();
    let mut with_wasm = BTreeSet::new();
    for lang in languages {
        if let Some(Some(wasm)) = cache.wasm.get(lang) {
            files.push((format!("wasm.{lang}.pagefind"), wasm.clone()));
            with_wasm.insert(lang.clone());
        }
    }
    Ok(ClientFiles {
        version: cache.version.clone(),
        files,
        with_wasm,
    })
}

/// Has Pagefind build an index of one record per language and keeps its
/// browser files.
fn ask_pagefind(languages: &[&String]) -> Result<Cache, String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|err| format!("cannot start the search indexer: {err}"))?;
    let options = PagefindServiceConfig::builder()
        .keep_index_url(false)
        .write_playground(false)
        .build();
    let mut index = PagefindIndex::new(Some(options))
        .map_err(|err| format!("cannot configure the search index: {err}"))?;
    let files = runtime.block_on(async {
        let asked = if languages.is_empty() {
            vec!["unknown".to_string()]
        } else {
            languages.iter().map(|l| l.to_string()).collect()
        };
        for (at, lang) in asked.into_iter().enumerate() {
            index
                .add_custom_record(format!("/{at}/"), "tolk".into(), lang, None, None, None)
                .await
                .map_err(|err| format!("cannot build the search client files: {err}"))?;
        }
        index
            .get_files()
            .await
            .map_err(|err| format!("cannot build the search client files: {err}"))
    })?;
    let mut cache = Cache::default();
    let mut by_name: BTreeMap<String, Vec<u8>> = files
        .into_iter()
        .map(|f| (f.filename.to_string_lossy().replace('\\', "/"), f.contents))
        .collect();
    let entry: serde_json::Value = by_name
        .get("pagefind-entry.json")
        .and_then(|e| serde_json::from_slice(e).ok())
        .ok_or("Pagefind wrote no pagefind-entry.json")?;
    cache.version = entry["version"]
        .as_str()
        .ok_or("Pagefind's entry file has no version")?
        .to_string();
    for name in COMMON {
        let bytes = by_name
            .remove(name)
            .ok_or_else(|| format!("Pagefind wrote no {name}"))?;
        cache.common.push((name.to_string(), bytes));
    }
    for lang in languages {
        let wasm = by_name.remove(&format!("wasm.{lang}.pagefind"));
        cache.wasm.insert(lang.to_string(), wasm);
    }
    Ok(cache)
}
