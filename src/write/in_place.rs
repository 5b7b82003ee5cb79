//! The folder `tolk serve` serves, updated in place by each rebuild.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::SiteFolder;
use super::files::{Compare, FolderMaker, copy_file, write_file};
use crate::model::Diagnostic;

/// A site folder whose files are replaced one by one, each atomically and
/// only when its bytes changed, while a server may be reading them.
pub(crate) struct InPlace {
    dir: PathBuf,
    folders: FolderMaker,
    /// Output paths written (changed or not) since the last
    /// [`InPlace::remove_unwritten`].
    written: Mutex<HashSet<String>>,
}

impl InPlace {
    pub(crate) fn new(dir: &Path) -> InPlace {
        InPlace {
            dir: dir.to_path_buf(),
            folders: FolderMaker::default(),
            written: Mutex::new(HashSet::new()),
        }
    }

    /// Removes the files of `before` that were not written since the last
    /// call (a page renamed or deleted), except those under `keep` (a
    /// folder replaced whole elsewhere); returns what is there now.
    pub(crate) fn remove_unwritten(&self, before: &HashSet<String>, keep: &str) -> HashSet<String> {
        let written = std::mem::take(
            &mut *self
                .written
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        );
        for gone in before.difference(&written) {
            if !gone.starts_with(keep) {
                let _ = std::fs::remove_file(self.dir.join(gone));
            }
        }
        written
    }

    /// Forgets what was written since the last call (after a rebuild that
    /// wrote only some of the site's files).
    pub(crate) fn forget_written(&self) {
        if let Ok(mut written) = self.written.lock() {
            written.clear();
        }
    }

    fn note(&self, path: &str) {
        if let Ok(mut written) = self.written.lock() {
            written.insert(path.to_string());
        }
    }
}

impl SiteFolder for InPlace {
    fn write(&self, path: &str, bytes: &[u8]) -> Result<bool, Diagnostic> {
        let target = self.folders.target(&self.dir, path)?;
        self.note(path);
        write_file(&target, bytes, Compare::First, true)
    }

    fn copy(&self, path: &str, from: &Path) -> Result<bool, Diagnostic> {
        let target = self.folders.target(&self.dir, path)?;
        self.note(path);
        copy_file(from, &target, Compare::First, true)
    }
}
