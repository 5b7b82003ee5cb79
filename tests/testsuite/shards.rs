//! A build sharded by language (`tolk build --lang`): each shard writes its
//! languages' pages and the site-wide files, and the shards put together,
//! indexed by `tolk index`, are the whole build byte for byte.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use tolk::pipeline::{self, BuildOptions, BuildReport};

use crate::common::{build_into, copy_example_site, snapshot};

fn build_shard(root: &Path, out: &Path, languages: &[&str]) -> BuildReport {
    pipeline::build(&BuildOptions {
        root: root.to_path_buf(),
        out: Some(out.to_path_buf()),
        languages: languages.iter().map(|l| l.to_string()).collect(),
        ..Default::default()
    })
}

/// Copies every file of `shard` into `into`; a file both have must be the
/// same bytes (the site-wide files every shard writes).
fn put_together(shard: &BTreeMap<PathBuf, Vec<u8>>, into: &Path) {
    for (path, bytes) in shard {
        let target = into.join(path);
        if let Ok(there) = fs::read(&target) {
            assert!(there == *bytes, "{} differs between shards", path.display());
            continue;
        }
        fs::create_dir_all(target.parent().unwrap()).unwrap();
        fs::write(&target, bytes).unwrap();
    }
}

fn top_folders(files: &BTreeMap<PathBuf, Vec<u8>>) -> Vec<String> {
    let mut tops: Vec<String> = files
        .keys()
        .filter(|p| p.components().count() > 1)
        .map(|p| p.iter().next().unwrap().to_string_lossy().into_owned())
        .collect();
    tops.dedup();
    tops
}

#[test]
fn shards_by_language_put_together_and_indexed_are_the_whole_build() {
    let site = tempfile::tempdir().unwrap();
    copy_example_site(site.path());
    let whole = site.path().join("whole");
    let report = build_into(site.path(), &whole);
    assert_eq!(report.errors(), 0, "{:?}", report.diagnostics);

    let (first, second) = (site.path().join("fr-it"), site.path().join("nl-sv"));
    let report = build_shard(site.path(), &first, &["fr", "it"]);
    assert_eq!(report.errors(), 0, "{:?}", report.diagnostics);
    assert!(build_shard(site.path(), &second, &["nl", "sv"]).errors() == 0);
    let (first, second) = (snapshot(&first), snapshot(&second));

    // Each shard holds its languages' pages, fallbacks and homes only, and
    // no search index: that is made once the shards are together.
    for (shard, langs, others) in [
        (&first, ["fr", "it"], ["nl", "sv"]),
        (&second, ["nl", "sv"], ["fr", "it"]),
    ] {
        let tops = top_folders(shard);
        for lang in langs {
            assert!(tops.iter().any(|t| t == lang), "{tops:?}");
        }
        for lang in others {
            assert!(!tops.iter().any(|t| t == lang), "{tops:?}");
        }
        assert!(!tops.iter().any(|t| t == "pagefind"), "{tops:?}");
        let sitemap = String::from_utf8_lossy(&shard[Path::new("sitemap.xml")]);
        for lang in ["fr", "it", "nl", "sv"] {
            assert!(
                sitemap.contains(&format!("hreflang=\"{lang}\"")),
                "{sitemap}"
            );
        }
    }

    let together = site.path().join("together");
    put_together(&first, &together);
    put_together(&second, &together);
    let indexed = pipeline::index_output(&BuildOptions {
        root: site.path().to_path_buf(),
        out: Some(together.clone()),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(indexed.languages.len(), 4, "{:?}", indexed.languages);

    let (whole, together) = (snapshot(&whole), snapshot(&together));
    let names = |files: &BTreeMap<PathBuf, Vec<u8>>| files.keys().cloned().collect::<Vec<_>>();
    assert_eq!(names(&together), names(&whole));
    for (path, bytes) in &whole {
        assert!(together[path] == *bytes, "{} differs", path.display());
    }
}

#[test]
fn a_language_the_site_does_not_have_is_an_error_and_writes_nothing() {
    let site = tempfile::tempdir().unwrap();
    copy_example_site(site.path());
    let out = site.path().join("out");
    let report = build_shard(site.path(), &out, &["fr", "de"]);
    let message = format!("{:?}", report.diagnostics);
    assert_eq!(report.errors(), 1, "{message}");
    assert!(message.contains("--lang de"), "{message}");
    assert!(message.contains("fr, it, nl, sv"), "{message}");
    assert!(!out.exists());
}

#[test]
fn indexing_a_folder_without_a_site_says_so() {
    let site = tempfile::tempdir().unwrap();
    copy_example_site(site.path());
    let problems = pipeline::index_output(&BuildOptions {
        root: site.path().to_path_buf(),
        out: Some(site.path().join("nothing")),
        ..Default::default()
    })
    .unwrap_err();
    assert!(
        format!("{problems:?}").contains("holds no built site"),
        "{problems:?}"
    );
}
