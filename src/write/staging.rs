//! The staging folder of a build: written beside the output, swapped in
//! whole when the build is complete.

use std::collections::HashSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use walkdir::WalkDir;

use super::SiteFolder;
use super::files::{Compare, FolderMaker, copy_file, io_error, write_file};
use super::lock::OutputLock;
use crate::model::Diagnostic;

/// The folder a build writes into before it is swapped in. Dropped without
/// `commit`, it removes itself: the previous output stays as it was.
pub(crate) struct Staging {
    dir: PathBuf,
    out: PathBuf,
    folders: FolderMaker,
    /// Paths written by this build: everything else in a reused spare goes.
    written: Mutex<HashSet<PathBuf>>,
    /// The staging folder is the previous spare, reused.
    reused: bool,
    committed: bool,
    /// Held until the staging folder is swapped in or given up.
    _lock: OutputLock,
}

impl Staging {
    /// Creates `.NAME.tolk-staging` next to `out` (same file system, so the
    /// final renames are atomic) once the output's lock is taken, clearing
    /// what a killed build left behind.
    pub(crate) fn begin(out: &Path) -> Result<Staging, Diagnostic> {
        let lock = OutputLock::acquire(out, &sibling(out, "lock")?)?;
        finish_interrupted_swap(out)?;
        let dir = sibling(out, "staging")?;
        remove_if_present(&dir)
            .map_err(|e| io_error("cannot clear the staging folder", &dir, e))?;
        let spare = sibling(out, "spare")?;
        let reused = spare.is_dir() && fs::rename(&spare, &dir).is_ok();
        if !reused {
            fs::create_dir_all(&dir)
                .map_err(|e| io_error("cannot create the staging folder", &dir, e))?;
        }
        Ok(Staging {
            dir,
            out: out.to_path_buf(),
            folders: FolderMaker::default(),
            written: Mutex::new(HashSet::new()),
            reused,
            committed: false,
            _lock: lock,
        })
    }

    fn compare(&self) -> Compare {
        // A fresh folder holds nothing to compare with.
        if self.reused {
            Compare::First
        } else {
            Compare::Never
        }
    }

    /// The file for an output path, its folder created; paths that would
    /// leave the output folder are refused.
    fn target(&self, path: &str) -> Result<PathBuf, Diagnostic> {
        let target = self.folders.target(&self.dir, path)?;
        if let Ok(mut written) = self.written.lock() {
            written.insert(target.clone());
        }
        Ok(target)
    }

    /// Swaps the finished site in: the old output moves aside, the new one
    /// takes its place, then the old one is deleted (in the background when
    /// asked, since deleting thousands of files takes as long as writing them).
    pub(crate) fn commit(mut self) -> Result<(), Diagnostic> {
        if self.reused {
            self.remove_unwritten()?;
        }
        let old = sibling(&self.out, "old")?;
        remove_if_present(&old).map_err(|e| io_error("cannot clear", &old, e))?;
        let had_output = self.out.exists();
        if had_output {
            fs::rename(&self.out, &old)
                .map_err(|e| io_error("cannot move the previous output aside", &self.out, e))?;
        }
        if let Err(err) = fs::rename(&self.dir, &self.out) {
            if had_output {
                let _ = fs::rename(&old, &self.out);
            }
            return Err(io_error(
                "cannot move the new site into place",
                &self.out,
                err,
            ));
        }
        self.committed = true;
        if had_output {
            // The previous output is the next build's staging folder.
            let spare = sibling(&self.out, "spare")?;
            fs::rename(&old, &spare)
                .map_err(|e| io_error("cannot keep the previous output", &old, e))?;
        }
        Ok(())
    }

    /// Removes what a reused spare holds that this build did not write.
    fn remove_unwritten(&self) -> Result<(), Diagnostic> {
        let written = self.written.lock().map(|w| w.clone()).unwrap_or_default();
        let mut folders = Vec::new();
        for entry in WalkDir::new(&self.dir)
            .min_depth(1)
            .into_iter()
            .filter_map(Result::ok)
        {
            if entry.file_type().is_dir() {
                folders.push(entry.into_path());
            } else if !written.contains(entry.path()) {
                fs::remove_file(entry.path())
                    .map_err(|e| io_error("cannot remove", entry.path(), e))?;
            }
        }
        // Deepest first, so emptied folders go too.
        for folder in folders.iter().rev() {
            let _ = fs::remove_dir(folder);
        }
        Ok(())
    }
}

impl SiteFolder for Staging {
    fn write(&self, path: &str, bytes: &[u8]) -> Result<bool, Diagnostic> {
        write_file(&self.target(path)?, bytes, self.compare(), false)
    }

    fn copy(&self, path: &str, from: &Path) -> Result<bool, Diagnostic> {
        copy_file(from, &self.target(path)?, self.compare(), false)
    }
}

impl Drop for Staging {
    /// An abandoned build: its folder becomes the spare again (its stray
    /// files are removed by the next build that reuses it).
    fn drop(&mut self) {
        if !self.committed {
            let kept =
                sibling(&self.out, "spare").is_ok_and(|spare| fs::rename(&self.dir, spare).is_ok());
            if !kept {
                let _ = fs::remove_dir_all(&self.dir);
            }
        }
    }
}

/// A build killed while swapping left the previous output as
/// `.NAME.tolk-old`: put back when the output is missing (killed between the
/// two renames), else kept as the spare as the swap would have.
fn finish_interrupted_swap(out: &Path) -> Result<(), Diagnostic> {
    let old = sibling(out, "old")?;
    if !old.is_dir() {
        return Ok(());
    }
    let spare = sibling(out, "spare")?;
    let result = if !out.exists() {
        fs::rename(&old, out)
    } else if !spare.exists() {
        fs::rename(&old, &spare)
    } else {
        fs::remove_dir_all(&old)
    };
    result.map_err(|e| io_error("cannot restore the previous output from", &old, e))
}

/// `.NAME.tolk-WHAT` next to `out`.
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

fn remove_if_present(path: &Path) -> io::Result<()> {
    match fs::remove_dir_all(path) {
        Err(err) if err.kind() != io::ErrorKind::NotFound => Err(err),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::write::check_output_dir;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("tolk-write-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn names_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn replaces_the_output_and_keeps_the_previous_one_as_the_spare() {
        let dir = temp_dir("swap");
        let out = dir.join("public");
        fs::create_dir_all(&out).unwrap();
        fs::write(out.join("stale.html"), "old").unwrap();
        let staging = Staging::begin(&out).unwrap();
        staging.write("fr/index.html", b"new").unwrap();
        staging.commit().unwrap();
        assert_eq!(fs::read(out.join("fr/index.html")).unwrap(), b"new");
        assert!(!out.join("stale.html").exists());
        assert_eq!(
            names_in(&dir),
            [".public.tolk-lock", ".public.tolk-spare", "public"]
        );
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_reused_spare_ends_up_exactly_like_the_new_site() {
        let dir = temp_dir("reuse");
        let out = dir.join("public");
        for (round, files) in [
            ["a.html", "b/c.html"],
            ["a.html", "d/e.html"],
            ["a.html", "b/c.html"],
        ]
        .iter()
        .enumerate()
        {
            let staging = Staging::begin(&out).unwrap();
            for file in files {
                staging
                    .write(file, format!("{file} {}", round % 2).as_bytes())
                    .unwrap();
            }
            staging.commit().unwrap();
        }
        assert_eq!(names_in(&out), ["a.html", "b"]);
        assert_eq!(
            fs::read_to_string(out.join("b/c.html")).unwrap(),
            "b/c.html 0"
        );
        assert_eq!(fs::read_to_string(out.join("a.html")).unwrap(), "a.html 0");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn an_abandoned_build_keeps_the_output() {
        let dir = temp_dir("abandon");
        let out = dir.join("public");
        fs::create_dir_all(&out).unwrap();
        fs::write(out.join("index.html"), "previous").unwrap();
        {
            let staging = Staging::begin(&out).unwrap();
            staging.write("index.html", b"half").unwrap();
        }
        assert_eq!(fs::read(out.join("index.html")).unwrap(), b"previous");
        assert_eq!(
            names_in(&dir),
            [".public.tolk-lock", ".public.tolk-spare", "public"]
        );
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_second_build_of_the_same_output_fails_naming_the_lock() {
        let dir = temp_dir("lock");
        let out = dir.join("public");
        let first = Staging::begin(&out).unwrap();
        first.write("index.html", b"first").unwrap();
        let Err(problem) = Staging::begin(&out) else {
            panic!("two builds at once");
        };
        assert!(
            problem
                .message
                .contains(".public.tolk-lock is held (process "),
            "{}",
            problem.message
        );
        first.commit().unwrap();
        assert_eq!(fs::read(out.join("index.html")).unwrap(), b"first");
        // Released with the first build: the next one may start.
        Staging::begin(&out).unwrap().commit().unwrap();
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_swap_killed_between_its_renames_is_finished_by_the_next_build() {
        let dir = temp_dir("interrupted");
        let out = dir.join("public");
        // The previous output moved aside, the new one not yet in place.
        fs::create_dir_all(dir.join(".public.tolk-old")).unwrap();
        fs::write(dir.join(".public.tolk-old/index.html"), "previous").unwrap();
        fs::create_dir_all(dir.join(".public.tolk-staging")).unwrap();
        let staging = Staging::begin(&out).unwrap();
        assert_eq!(fs::read(out.join("index.html")).unwrap(), b"previous");
        drop(staging);
        assert_eq!(fs::read(out.join("index.html")).unwrap(), b"previous");
        assert_eq!(
            names_in(&dir),
            [".public.tolk-lock", ".public.tolk-spare", "public"]
        );
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn an_image_removed_before_it_is_copied_is_named_and_the_output_stays() {
        let dir = temp_dir("image");
        let out = dir.join("public");
        fs::create_dir_all(dir.join("content/fr")).unwrap();
        fs::create_dir_all(&out).unwrap();
        fs::write(out.join("index.html"), "previous").unwrap();
        let staging = Staging::begin(&out).unwrap();
        let assets = ["fr/gone.png".to_string()];
        let problem =
            crate::write::copy_unrendered(&staging, &dir, &[], &dir.join("content"), &assets)
                .unwrap_err();
        assert_eq!(
            problem.file.as_deref(),
            Some(Path::new("content/fr/gone.png"))
        );
        assert!(
            problem
                .message
                .contains("removed while the site was being built")
        );
        drop(staging);
        assert_eq!(fs::read(out.join("index.html")).unwrap(), b"previous");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn an_output_folder_that_is_a_file_is_refused() {
        let dir = temp_dir("file");
        fs::write(dir.join("notes.txt"), "mine").unwrap();
        let problem = check_output_dir(&dir.join("notes.txt"), &[]).unwrap_err();
        assert!(problem.message.contains("is a file"), "{}", problem.message);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn paths_leaving_the_output_are_refused() {
        let dir = temp_dir("escape");
        let staging = Staging::begin(&dir.join("public")).unwrap();
        for path in ["../x.html", "/etc/x", "a/../../b", "a\\..\\b", "c:/x", ""] {
            assert!(staging.write(path, b"x").is_err(), "{path}");
        }
        drop(staging);
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
