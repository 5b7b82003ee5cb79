//! Stage 5: write the site. Everything goes into a staging folder beside the
//! output; only a complete site is swapped in, so a failed build never
//! destroys the previous output.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use walkdir::WalkDir;

use crate::diagnostics::Diagnostic;
use crate::discover::relative_to;
use crate::render::OutputFile;

/// A site ready to be written: generated files plus static folders to copy.
pub struct SiteOutput<'a> {
    pub files: &'a [OutputFile],
    /// Copied in order; a later folder's file replaces an earlier one's.
    pub static_dirs: &'a [PathBuf],
    /// Single files to copy: `(source, path in the output)`.
    pub copies: &'a [(PathBuf, String)],
}

/// Refuses output folders whose replacement would delete the user's work.
pub fn check_output_dir(out: &Path, protected: &[&Path]) -> Result<(), Diagnostic> {
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

/// Writes the site into a staging folder, then swaps it in for `out`.
pub fn write_site(out: &Path, site: &SiteOutput) -> Result<(), Diagnostic> {
    let staging = sibling(out, "staging")?;
    remove_if_present(&staging)
        .map_err(|e| io_error("cannot clear the staging folder", &staging, e))?;
    fill(&staging, site).inspect_err(|_| {
        let _ = fs::remove_dir_all(&staging);
    })?;
    swap_in(&staging, out)
}

/// `.NAME.tolk-WHAT` next to `out`: same file system, so renames are atomic.
fn sibling(out: &Path, what: &str) -> Result<PathBuf, Diagnostic> {
    let name = out
        .file_name()
        .ok_or_else(|| Diagnostic::error(format!("invalid output folder {}", out.display())))?;
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    Ok(parent.join(format!(".{}.tolk-{what}", name.to_string_lossy())))
}

fn fill(staging: &Path, site: &SiteOutput) -> Result<(), Diagnostic> {
    let mut targets: BTreeMap<PathBuf, Source> = BTreeMap::new();
    for dir in site.static_dirs {
        for entry in WalkDir::new(dir).into_iter().filter_map(Result::ok) {
            if entry.file_type().is_file() {
                targets.insert(
                    relative_to(dir, entry.path()),
                    Source::Copy(entry.into_path()),
                );
            }
        }
    }
    for (source, target) in site.copies {
        targets.insert(PathBuf::from(target), Source::Copy(source.clone()));
    }
    for file in site.files {
        targets.insert(PathBuf::from(&file.path), Source::Bytes(&file.contents));
    }
    fs::create_dir_all(staging)
        .map_err(|e| io_error("cannot create the staging folder", staging, e))?;
    targets
        .par_iter()
        .try_for_each(|(relative, source)| write_one(&staging.join(relative), source))
}

enum Source<'a> {
    Bytes(&'a [u8]),
    Copy(PathBuf),
}

fn write_one(target: &Path, source: &Source) -> Result<(), Diagnostic> {
    if let Some(parent) = target.parent() {
        fs::create_dir_all(parent).map_err(|e| io_error("cannot create folder", parent, e))?;
    }
    match source {
        Source::Bytes(bytes) => {
            fs::write(target, bytes).map_err(|e| io_error("cannot write", target, e))
        }
        Source::Copy(from) => fs::copy(from, target)
            .map(drop)
            .map_err(|e| io_error("cannot copy", from, e)),
    }
}

/// Moves the old output aside, the new one in, then deletes the old one.
/// Between the two renames `out` is missing for an instant, but never broken.
fn swap_in(staging: &Path, out: &Path) -> Result<(), Diagnostic> {
    let old = sibling(out, "old")?;
    remove_if_present(&old).map_err(|e| io_error("cannot clear", &old, e))?;
    let had_output = out.exists();
    if had_output {
        fs::rename(out, &old)
            .map_err(|e| io_error("cannot move the previous output aside", out, e))?;
    }
    if let Err(err) = fs::rename(staging, out) {
        if had_output {
            let _ = fs::rename(&old, out);
        }
        return Err(io_error("cannot move the new site into place", out, err));
    }
    remove_if_present(&old).map_err(|e| io_error("cannot delete the previous output", &old, e))
}

fn remove_if_present(path: &Path) -> io::Result<()> {
    match fs::remove_dir_all(path) {
        Err(err) if err.kind() != io::ErrorKind::NotFound => Err(err),
        _ => Ok(()),
    }
}

fn io_error(what: &str, path: &Path, err: io::Error) -> Diagnostic {
    Diagnostic::error(format!("{what} {}: {err}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("tolk-write-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn replaces_previous_output_and_leaves_no_staging() {
        let dir = temp_dir("swap");
        let out = dir.join("public");
        fs::create_dir_all(&out).unwrap();
        fs::write(out.join("stale.html"), "old").unwrap();
        let files = vec![OutputFile {
            path: "fr/index.html".into(),
            contents: b"new".to_vec(),
        }];
        write_site(
            &out,
            &SiteOutput {
                files: &files,
                static_dirs: &[],
                copies: &[],
            },
        )
        .unwrap();
        assert_eq!(fs::read(out.join("fr/index.html")).unwrap(), b"new");
        assert!(!out.join("stale.html").exists());
        let leftovers: Vec<_> = fs::read_dir(&dir).unwrap().filter_map(Result::ok).collect();
        assert_eq!(leftovers.len(), 1, "only public/ remains");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn refuses_to_replace_a_folder_holding_the_content() {
        let dir = temp_dir("protect");
        assert!(check_output_dir(&dir, &[&dir.join("content")]).is_err());
        assert!(check_output_dir(&dir.join("public"), &[&dir.join("content")]).is_ok());
        fs::remove_dir_all(&dir).unwrap();
    }
}
