//! Tests: tolk's index against the one Pagefind's own indexer makes of the
//! same pages. Its search script is what reads the index, so the two must
//! agree file for file once decompressed (gzip levels may differ).

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use pagefind::api::PagefindIndex;
use pagefind::options::PagefindServiceConfig;

use super::{BODY_MARKER, contains, indexed_part, language_of, page_url};

/// The bundle Pagefind makes of `pages` (path under the output folder,
/// HTML), each language indexed apart as tolk does, decompressed.
pub(super) fn pagefind_bundle(pages: &[(String, Vec<u8>)]) -> BTreeMap<String, Vec<u8>> {
    let mut by_language: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for (path, html) in pages {
        let html = String::from_utf8_lossy(html).into_owned();
        let part = indexed_part(&html).unwrap_or_else(|| html.clone());
        by_language
            .entry(language_of(&html))
            .or_default()
            .push((page_url(path), part));
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut bundle = BTreeMap::new();
    for (_, mut pages) in by_language {
        pages.sort();
        let options = PagefindServiceConfig::builder()
            .keep_index_url(false)
            .write_playground(false)
            .build();
        let mut index = PagefindIndex::new(Some(options)).unwrap();
        let files = runtime.block_on(async {
            for (url, html) in pages {
                index.add_html_file(None, Some(url), html).await.unwrap();
            }
            index.get_files().await.unwrap()
        });
        for file in files {
            let name = file.filename.to_string_lossy().replace('\\', "/");
            if is_index_file(&name) {
                bundle.insert(name, decompressed(&file.contents));
            }
        }
    }
    bundle
}

/// The index files of a bundle tolk made, decompressed.
pub(super) fn tolk_bundle(files: &[(String, Vec<u8>)]) -> BTreeMap<String, Vec<u8>> {
    files
        .iter()
        .filter_map(|(path, bytes)| {
            let name = path.strip_prefix("pagefind/")?;
            is_index_file(name).then(|| (name.to_string(), decompressed(bytes)))
        })
        .collect()
}

/// The files of the index itself, not the scripts nor the entry file.
fn is_index_file(name: &str) -> bool {
    name.ends_with(".pf_meta")
        || name.ends_with(".pf_index")
        || name.ends_with(".pf_fragment")
        || name.ends_with(".pf_filter")
}

fn decompressed(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .unwrap();
    out
}

/// The pages of a built site that search reads.
pub(super) fn indexed_pages(out: &Path) -> Vec<(String, Vec<u8>)> {
    walkdir::WalkDir::new(out)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
        .filter_map(|e| {
            let html = std::fs::read(e.path()).ok()?;
            let path = e
                .path()
                .strip_prefix(out)
                .ok()?
                .to_string_lossy()
                .replace('\\', "/");
            contains(&html, BODY_MARKER.as_bytes()).then_some((path, html))
        })
        .collect()
}

/// Where two bundles differ, for an assertion message.
pub(super) fn differences(
    tolk: &BTreeMap<String, Vec<u8>>,
    pagefind: &BTreeMap<String, Vec<u8>>,
) -> Vec<String> {
    let mut out = Vec::new();
    if let Ok(dump) = std::env::var("TOLK_DUMP_SEARCH") {
        for (side, files) in [("tolk", tolk), ("pagefind", pagefind)] {
            for (name, bytes) in files {
                let path = Path::new(&dump).join(side).join(name);
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(path, bytes).unwrap();
            }
        }
    }
    for name in pagefind.keys().filter(|n| !tolk.contains_key(*n)) {
        out.push(format!("only Pagefind has {name}"));
    }
    for name in tolk.keys().filter(|n| !pagefind.contains_key(*n)) {
        let shown = String::from_utf8_lossy(&tolk[name])
            .chars()
            .take(300)
            .collect::<String>();
        out.push(format!("only tolk has {name}: {shown}"));
    }
    out
}

/// Copies the folder `from` to `to`.
pub(super) fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from)
        .into_iter()
        .filter_map(Result::ok)
    {
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}
