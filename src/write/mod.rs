//! Stage 8: write the site. Pages stream into a staging folder beside the
//! output as they are rendered (nothing waits in memory); only a complete
//! site is swapped in, so a failed build never destroys the previous output.
//!
//! The output before last is kept as a spare (`.public.tolk-spare`) and
//! becomes the next staging folder: files whose bytes did not change are not
//! touched, files that are gone are removed, and nothing is deleted or
//! created in bulk. On these file systems, creating thousands of files right
//! after deleting thousands is two to three times slower than either alone;
//! a rebuild over an existing output is therefore no slower than a build
//! into an empty folder.

//!
//! One build at a time writes beside an output folder: a second one fails
//! at once, naming the lock the first holds ([`lock`]). A build killed at
//! any moment leaves the previous site in place; the next one clears what
//! it left, and finishes a swap it interrupted.
//!
//! `tolk serve` writes into a folder of its own instead, in place
//! ([`InPlace`]): each file atomically, and only when its bytes changed.
//! Both are a [`SiteFolder`], so the render stages and the copier of static
//! files and images work the same for either.

mod files;
mod in_place;
mod lock;
mod staging;

use std::path::{Path, PathBuf};

use crate::discover::files_under;
use crate::model::Diagnostic;
use crate::model::urls::relative_to;

pub(crate) use in_place::InPlace;
pub(crate) use staging::Staging;

/// A folder the site is written into.
pub(crate) trait SiteFolder: Sync {
    /// Writes one file; `path` is relative to the folder, `/` separated.
    /// Returns whether the file's bytes changed. Safe to call from many
    /// threads at once.
    fn write(&self, path: &str, bytes: &[u8]) -> Result<bool, Diagnostic>;

    /// Copies a file (an image, a theme asset) to `path`; returns whether
    /// the copy's bytes changed.
    fn copy(&self, path: &str, from: &Path) -> Result<bool, Diagnostic>;
}

/// Copies what is not rendered: every file of the theme's and the site's
/// static folders, then the content folder's other files (images). Returns
/// the output paths copied; a file that cannot be copied (one removed since
/// it was found) is an error naming it relative to the site `root`.
pub(crate) fn copy_unrendered(
    folder: &dyn SiteFolder,
    root: &Path,
    static_dirs: &[PathBuf],
    content_dir: &Path,
    assets: &[String],
) -> Result<Vec<String>, Diagnostic> {
    use rayon::prelude::*;
    let relative = |mut problem: Diagnostic| {
        problem.file = problem.file.map(|file| relative_to(root, &file));
        problem
    };
    let mut copied = Vec::new();
    for dir in static_dirs {
        for path in files_under(dir) {
            folder.copy(&path, &dir.join(&path)).map_err(relative)?;
            copied.push(path);
        }
    }
    assets
        .par_iter()
        .try_for_each(|asset| folder.copy(asset, &content_dir.join(asset)).map(drop))
        .map_err(relative)?;
    copied.extend(assets.iter().cloned());
    Ok(copied)
}

/// Refuses output folders whose replacement would delete the user's work.
pub(crate) fn check_output_dir(out: &Path, protected: &[&Path]) -> Result<(), Diagnostic> {
    if out.exists() && !out.is_dir() {
        return Err(Diagnostic::error(format!(
            "the output folder {} is a file: refusing to replace it",
            out.display()
        ))
        .with_help("choose an output folder of its own, such as public/"));
    }
    let out = absolute(out);
    for dir in protected {
        let dir = absolute(dir);
        if dir.starts_with(&out) {
            return Err(Diagnostic::error(format!(
                "the output folder {} would contain {}: refusing to replace it",
                out.display(),
                dir.display()
            ))
            .with_help("choose an output folder of its own, such as public/"));
        }
    }
    Ok(())
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}
