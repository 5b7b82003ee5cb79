//! What the content folder's git history says: when each file last changed,
//! and when a commit named by a translation was made. Uses the `git` command;
//! without git, or outside a repository, every answer is "unknown".

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The last commit of a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LastChange {
    pub commit: String,
    /// Committer time, seconds since the epoch.
    pub time: i64,
}

#[derive(Debug, Default)]
pub struct GitHistory {
    top: PathBuf,
    /// Path relative to the repository top (`/` separated) -> last change.
    last_change: HashMap<String, LastChange>,
}

impl GitHistory {
    /// Reads the history of `dir` in one `git log`; `None` when `dir` is not
    /// in a git repository or git is not installed.
    pub fn load(dir: &Path) -> Option<GitHistory> {
        let top = git(dir, &["rev-parse", "--show-toplevel"], None)?;
        let top = PathBuf::from(top.trim());
        let log = git(
            dir,
            &[
                "log",
                "--format=%x00%H %ct",
                "--name-only",
                "--no-renames",
                "--",
                ".",
            ],
            None,
        )?;
        Some(GitHistory {
            top,
            last_change: parse_log(&log),
        })
    }

    pub fn last_change(&self, file: &Path) -> Option<&LastChange> {
        let absolute = std::path::absolute(file).ok()?;
        let top = self.top.canonicalize().unwrap_or_else(|_| self.top.clone());
        let absolute = absolute.canonicalize().unwrap_or(absolute);
        let relative = absolute.strip_prefix(&top).ok()?;
        let key: Vec<String> = relative
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect();
        self.last_change.get(&key.join("/"))
    }

    /// Commit times of the given revisions (full or abbreviated hashes) that
    /// exist in this repository.
    pub fn commit_times(&self, revisions: &[&str]) -> HashMap<String, i64> {
        let input: String = revisions.iter().map(|r| format!("{r}\n")).collect();
        let Some(types) = git(
            &self.top,
            &["cat-file", "--batch-check=%(objecttype) %(objectname)"],
            Some(&input),
        ) else {
            return HashMap::new();
        };
        let known: Vec<&str> = revisions
            .iter()
            .zip(types.lines())
            .filter(|(_, line)| line.starts_with("commit "))
            .map(|(rev, _)| *rev)
            .collect();
        known
            .into_iter()
            .filter_map(|rev| {
                let out = git(&self.top, &["show", "-s", "--format=%ct", rev], None)?;
                Some((rev.to_string(), out.trim().parse().ok()?))
            })
            .collect()
    }
}

/// When a page last changed: its last commit when the content is in git,
/// else the file's modification time.
pub(crate) fn last_change_of(git: Option<&GitHistory>, path: &Path) -> i64 {
    if let Some(change) = git.and_then(|g| g.last_change(path)) {
        return change.time;
    }
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|time| time.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_secs() as i64)
}

/// Newest commits come first, so the first commit naming a file is its last change.
fn parse_log(log: &str) -> HashMap<String, LastChange> {
    let mut last_change = HashMap::new();
    for entry in log.split('\0').filter(|e| !e.trim().is_empty()) {
        let mut lines = entry.lines();
        let Some((commit, time)) = lines.next().and_then(|header| header.split_once(' ')) else {
            continue;
        };
        let Ok(time) = time.trim().parse::<i64>() else {
            continue;
        };
        for file in lines.filter(|l| !l.is_empty()) {
            last_change
                .entry(file.to_string())
                .or_insert_with(|| LastChange {
                    commit: commit.to_string(),
                    time,
                });
        }
    }
    last_change
}

fn git(dir: &Path, args: &[&str], input: Option<&str>) -> Option<String> {
    let mut child = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    // Feed stdin from another thread: git answers while it reads, and a
    // full output pipe would otherwise block both sides.
    let writer = match (input, child.stdin.take()) {
        (Some(text), Some(mut stdin)) => {
            let text = text.to_string();
            Some(std::thread::spawn(move || stdin.write_all(text.as_bytes())))
        }
        _ => None,
    };
    let output = child.wait_with_output().ok()?;
    if let Some(writer) = writer {
        writer.join().ok()?.ok()?;
    }
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_newest_commit_naming_a_file_is_its_last_change() {
        let log = "\0bbb 200\n\ncontent/nl/a.md\n\0aaa 100\n\ncontent/nl/a.md\ncontent/fr/a.md\n";
        let changes = parse_log(log);
        assert_eq!(
            changes["content/nl/a.md"],
            LastChange {
                commit: "bbb".into(),
                time: 200
            }
        );
        assert_eq!(changes["content/fr/a.md"].time, 100);
    }

    #[test]
    fn outside_a_repository_there_is_no_history() {
        let dir = tempfile_dir();
        assert!(GitHistory::load(&dir).is_none());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    fn tempfile_dir() -> PathBuf {
        let dir = std::env::temp_dir().join(format!("tolk-git-none-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }
}
