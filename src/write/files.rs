//! Writing and copying single files, for both kinds of site folder.

use std::collections::HashSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::model::Diagnostic;

/// Whether a file is compared with what is already there before writing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Compare {
    /// The folder is fresh: nothing to compare with.
    Never,
    /// The folder holds an earlier site: unchanged files are not touched.
    First,
}

/// Writes `bytes` to `target` unless it holds them already (when asked to
/// compare); returns whether the file changed. Atomic writes go through a
/// temporary file and a rename, so a reader (the server) never sees half a
/// file.
pub(super) fn write_file(
    target: &Path,
    bytes: &[u8],
    compare: Compare,
    atomic: bool,
) -> Result<bool, Diagnostic> {
    if compare == Compare::First && same_bytes(target, bytes) {
        return Ok(false);
    }
    let result = if atomic {
        let temporary = target.with_extension("tolk-partial");
        fs::write(&temporary, bytes).and_then(|()| fs::rename(&temporary, target))
    } else {
        fs::write(target, bytes)
    };
    result.map_err(|e| io_error("cannot write", target, e))?;
    Ok(true)
}

/// Copies `from` to `target` unless it holds the same bytes already (when
/// asked to compare); returns whether the copy changed. Atomic as for
/// [`write_file`].
pub(super) fn copy_file(
    from: &Path,
    target: &Path,
    compare: Compare,
    atomic: bool,
) -> Result<bool, Diagnostic> {
    if compare == Compare::First && same_file(from, target) {
        return Ok(false);
    }
    let result = if atomic {
        let temporary = target.with_extension("tolk-partial");
        fs::copy(from, &temporary).and_then(|_| fs::rename(&temporary, target))
    } else {
        fs::copy(from, target).map(drop)
    };
    result.map_err(|e| copy_error(from, e))?;
    Ok(true)
}

/// Makes the folders of the files written, each once, and refuses paths
/// that would leave the site folder.
#[derive(Default)]
pub(super) struct FolderMaker {
    made: Mutex<HashSet<PathBuf>>,
}

impl FolderMaker {
    /// `dir/path`, its folder created.
    pub(super) fn target(&self, dir: &Path, path: &str) -> Result<PathBuf, Diagnostic> {
        let safe = !path.is_empty()
            && !path.starts_with('/')
            && path.split('/').all(|part| {
                !part.is_empty() && part != "." && part != ".." && !part.contains(['\\', '\0', ':'])
            });
        if !safe {
            return Err(Diagnostic::error(format!(
                "refusing to write `{path}`: it would leave the output folder"
            )));
        }
        let target = dir.join(path);
        if let Some(parent) = target.parent() {
            // Created under the lock: another thread must not write into a
            // folder that is still being made.
            let mut made = self
                .made
                .lock()
                .map_err(|_| Diagnostic::error("a writer thread failed"))?;
            if !made.contains(parent) {
                fs::create_dir_all(parent)
                    .map_err(|e| io_error("cannot create folder", parent, e))?;
                made.insert(parent.to_path_buf());
            }
        }
        Ok(target)
    }
}

/// Whether `path` already holds exactly `bytes` (cheap: sizes first).
fn same_bytes(path: &Path, bytes: &[u8]) -> bool {
    fs::metadata(path).is_ok_and(|m| m.len() == bytes.len() as u64)
        && fs::read(path).is_ok_and(|old| old == bytes)
}

fn same_file(from: &Path, to: &Path) -> bool {
    let (Ok(a), Ok(b)) = (fs::metadata(from), fs::metadata(to)) else {
        return false;
    };
    a.len() == b.len() && fs::read(from).ok() == fs::read(to).ok()
}

/// A source file that could not be copied, named as other sources are.
fn copy_error(from: &Path, err: io::Error) -> Diagnostic {
    let why = if err.kind() == io::ErrorKind::NotFound {
        "it was removed while the site was being built".to_string()
    } else {
        err.to_string()
    };
    Diagnostic::error(format!("cannot copy the file: {why}"))
        .in_file(from)
        .with_help("build again once the files are as they should be")
}

pub(super) fn io_error(what: &str, path: &Path, err: io::Error) -> Diagnostic {
    Diagnostic::error(format!("{what} {}: {err}", path.display()))
}
