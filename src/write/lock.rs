//! The lock of an output folder: one build at a time writes beside it.
//!
//! Without it, a second build cleared the staging folder the first was
//! still writing, and one of them swapped in half a site. The lock is an
//! advisory lock on `.NAME.tolk-lock` next to the output, held for the
//! whole write and swap; the operating system releases it when the process
//! ends, however it ends, so a killed build never leaves a stale lock. The
//! file itself stays: deleting a lock file lets a third build lock a new
//! file while a second still waits on the old one.

use std::fs::{File, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::Path;

use super::files::io_error;
use crate::model::Diagnostic;

/// Held while a build writes an output folder; released when dropped.
pub(crate) struct OutputLock {
    _file: File,
}

impl OutputLock {
    /// Locks the output folder `out` whose lock file is `path`, or fails at
    /// once, naming the lock and the process holding it, when another
    /// build has it.
    pub(crate) fn acquire(out: &Path, path: &Path) -> Result<OutputLock, Diagnostic> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| io_error("cannot create folder", parent, e))?;
        }
        let mut file = File::options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(|e| io_error("cannot open the lock", path, e))?;
        match file.try_lock() {
            Ok(()) => {
                note_holder(&mut file, path)?;
                Ok(OutputLock { _file: file })
            }
            Err(TryLockError::WouldBlock) => Err(held_by_another(out, path, &mut file)),
            Err(TryLockError::Error(err)) => Err(io_error("cannot lock", path, err)),
        }
    }
}

/// Writes this process's id into the lock, for the message of a build
/// that finds it taken.
fn note_holder(file: &mut File, path: &Path) -> Result<(), Diagnostic> {
    file.set_len(0)
        .and_then(|()| file.rewind())
        .and_then(|()| writeln!(file, "{}", std::process::id()))
        .map_err(|e| io_error("cannot write the lock", path, e))
}

fn held_by_another(out: &Path, path: &Path, file: &mut File) -> Diagnostic {
    let mut holder = String::new();
    let _ = file.read_to_string(&mut holder);
    let holder = match holder.trim() {
        "" => String::new(),
        pid => format!(" (process {pid})"),
    };
    Diagnostic::error(format!(
        "another build is writing {}: its lock {} is held{holder}",
        out.display(),
        path.display()
    ))
    .with_help("wait for that build to end and build again, or pass --out to build elsewhere")
}
