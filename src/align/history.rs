//! The source repository's history, read once through the `git` command.
//!
//! [`Repository::open`] runs one `git log` over everything reachable from
//! HEAD: each commit's id, committer time and parents, and the files it
//! changed against its first parent, with renames detected and blob ids.
//! Every question a build asks about a translation's `source-git-commit` is
//! answered from that in memory: which commit an abbreviated hash names,
//! what the source page was called then, which commits touched it since.
//! The texts then come from one `git cat-file --batch` for all pages at
//! once ([`Repository::read_blobs`]). Without git, or outside a repository,
//! there is no history and callers treat every answer as unknown.
//!
//! Histories with merges: "after commit C" means reachable from HEAD and not
//! from C. Changes are followed along HEAD's first-parent line, where a merge
//! commit carries everything its branch brought in; that makes the answers
//! exact when C is on that line (the revision a translation names is nearly
//! always a state of the main branch). When C is on a merged branch, the
//! route from HEAD to C enters that branch through a merge's other parent,
//! whose diff the log does not hold: renames made on the main line while
//! the branch was apart are then not followed, and the answer says so.
//!
//! Working-tree changes are not history: callers read the current file
//! themselves and ask about the path it has on disk. A path that has never
//! been committed (new, or renamed but not committed yet) has no history.
//!
//! Needs git 2.31 or newer (`--diff-merges=first-parent`). The log costs
//! about 50 µs a commit on a docs repository (mostly git's tree diffs), so
//! each build pays it once, and every later question costs under a µs.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

/// Above this many added and deleted files in one commit git stops looking
/// for inexact renames (exact ones are always found). Restructuring a docs
/// tree moves thousands of pages in one commit, so the limit is above git's
/// default; it is fixed here so that every machine follows the same renames
/// whatever its `diff.renameLimit`.
const RENAME_LIMIT: &str = "-l8000";

/// A git object name (SHA-1, or SHA-256 in repositories that use it).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct ObjectId {
    len: u8,
    bytes: [u8; 32],
}

/// A commit's object name.
pub(crate) type CommitId = ObjectId;

impl ObjectId {
    /// A full hexadecimal object name (40 or 64 digits).
    pub(crate) fn from_hex(hex: &str) -> Option<ObjectId> {
        Self::from_hex_bytes(hex.as_bytes())
    }

    fn from_hex_bytes(hex: &[u8]) -> Option<ObjectId> {
        if hex.len() != 40 && hex.len() != 64 {
            return None;
        }
        let mut bytes = [0u8; 32];
        for (byte, pair) in bytes.iter_mut().zip(hex.chunks_exact(2)) {
            *byte = (hex_digit(pair[0])? << 4) | hex_digit(pair[1])?;
        }
        Some(ObjectId {
            len: (hex.len() / 2) as u8,
            bytes,
        })
    }

    pub(crate) fn to_hex(self) -> String {
        self.as_bytes().iter().map(|b| format!("{b:02x}")).collect()
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len as usize]
    }

    /// The all-zero name git writes for "no object" (the old side of an
    /// added file).
    fn is_null(&self) -> bool {
        self.as_bytes().iter().all(|&b| b == 0)
    }
}

impl fmt::Display for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ObjectId({})", self.to_hex())
    }
}

fn hex_digit(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// A path inside a repository, relative to its top, `/`-separated, as the
/// bytes git stores: file names need not be UTF-8.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct RepoPath(Box<[u8]>);

impl RepoPath {
    /// `relative` uses `/` between components, like git.
    #[cfg(test)]
    pub(crate) fn new(relative: &str) -> RepoPath {
        RepoPath(relative.as_bytes().into())
    }

    pub(crate) fn from_bytes(bytes: &[u8]) -> RepoPath {
        RepoPath(bytes.into())
    }

    /// A relative filesystem path (`help/a.md` under a folder that is the
    /// top of the repository, like `content/en/` for a source repository
    /// kept elsewhere) as a repository path.
    /// `.` and `..` are resolved; a leading `/` or drive is ignored.
    pub(crate) fn from_relative(relative: &Path) -> RepoPath {
        use std::path::Component;
        let mut parts: Vec<Cow<[u8]>> = Vec::new();
        for component in relative.components() {
            match component {
                Component::Normal(name) => parts.push(os_str_bytes(name)),
                Component::ParentDir => {
                    parts.pop();
                }
                Component::CurDir | Component::RootDir | Component::Prefix(_) => {}
            }
        }
        RepoPath(parts.join(&b'/').into())
    }

    #[cfg(test)]
    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    pub(crate) fn to_string_lossy(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.0)
    }

    /// The file this path names in a checkout whose top is `top`.
    #[cfg(test)]
    pub(crate) fn to_path(&self, top: &Path) -> PathBuf {
        let mut path = top.to_path_buf();
        for component in self.0.split(|&b| b == b'/').filter(|c| !c.is_empty()) {
            path.push(os_str_from_bytes(component));
        }
        path
    }
}

impl fmt::Display for RepoPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_string_lossy())
    }
}

impl fmt::Debug for RepoPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.to_string_lossy())
    }
}

#[cfg(unix)]
fn os_str_from_bytes(bytes: &[u8]) -> Cow<'_, std::ffi::OsStr> {
    use std::os::unix::ffi::OsStrExt;
    Cow::Borrowed(std::ffi::OsStr::from_bytes(bytes))
}

#[cfg(not(unix))]
fn os_str_from_bytes(bytes: &[u8]) -> Cow<'_, std::ffi::OsStr> {
    // git writes UTF-8 paths on other systems.
    Cow::Owned(String::from_utf8_lossy(bytes).into_owned().into())
}

#[cfg(unix)]
fn os_str_bytes(text: &std::ffi::OsStr) -> Cow<'_, [u8]> {
    use std::os::unix::ffi::OsStrExt;
    Cow::Borrowed(text.as_bytes())
}

#[cfg(not(unix))]
fn os_str_bytes(text: &std::ffi::OsStr) -> Cow<'_, [u8]> {
    Cow::Owned(text.to_string_lossy().into_owned().into_bytes())
}

/// A commit and its committer time (seconds since the epoch).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct CommitInfo {
    pub id: CommitId,
    pub time: i64,
}

/// Why there is no history to read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum OpenProblem {
    GitNotInstalled,
    /// `git rev-parse` refused the folder; git's message is kept.
    NotARepository {
        dir: PathBuf,
        git_says: String,
    },
    /// A git command failed or answered something this module cannot read.
    Git {
        command: String,
        detail: String,
    },
}

impl fmt::Display for OpenProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OpenProblem::GitNotInstalled => f.write_str("git is not installed"),
            OpenProblem::NotARepository { dir, git_says } => {
                write!(
                    f,
                    "{} is not in a git repository ({git_says})",
                    dir.display()
                )
            }
            OpenProblem::Git { command, detail } => write!(f, "`{command}` failed: {detail}"),
        }
    }
}

/// Why a revision named by a translation cannot be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum RevisionProblem {
    /// Not a hexadecimal object name of 4 to 64 digits.
    Malformed {
        rev: String,
    },
    NoCommits,
    /// No commit in the history of HEAD starts with these digits. In a
    /// shallow clone the commit may be older than the history goes back.
    NotFound {
        rev: String,
        shallow: bool,
    },
    /// Several commits start with these digits.
    Ambiguous {
        rev: String,
        candidates: Vec<CommitId>,
    },
    /// The commit exists but HEAD does not contain it (another branch, or
    /// history rewritten since); found by [`Repository::resolve_all`].
    NotInHistory {
        rev: String,
        commit: CommitId,
    },
    /// The name is an object of another type (a blob, a tree...).
    NotACommit {
        rev: String,
        kind: String,
    },
}

impl fmt::Display for RevisionProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RevisionProblem::Malformed { rev } => write!(f, "`{rev}` is not a commit hash"),
            RevisionProblem::NoCommits => f.write_str("the source repository has no commits yet"),
            RevisionProblem::NotFound { rev, shallow } => {
                write!(f, "commit {rev} is not in the source repository")?;
                if *shallow {
                    f.write_str(" (a shallow clone: it may be older than the history kept)")?;
                }
                Ok(())
            }
            RevisionProblem::Ambiguous { rev, candidates } => write!(
                f,
                "{rev} is ambiguous: {} commits of the source repository start with it",
                candidates.len()
            ),
            RevisionProblem::NotInHistory { rev, commit } => write!(
                f,
                "commit {rev} ({commit}) exists but is not in the history of the source's current branch"
            ),
            RevisionProblem::NotACommit { rev, kind } => {
                write!(f, "{rev} names a {kind}, not a commit")
            }
        }
    }
}

/// Why a file has no path at a commit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum PathProblem {
    /// No commit of the history has this path: the file is new, or was
    /// renamed in the working tree and not committed.
    NeverCommitted { path: RepoPath },
    /// The commit is not one of this repository's (a `CommitId` from
    /// elsewhere).
    UnknownCommit { commit: CommitId },
    /// The file, followed back to the commit, was not there.
    NotAtCommit {
        /// The path the file had at the commit, after following renames.
        path: RepoPath,
        why: Absence,
        /// Renames across these merges (entered through a parent other than
        /// the first) were not followed.
        unfollowed_merges: Vec<CommitId>,
    },
}

/// What the history says about a path missing at a commit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Absence {
    /// The path appears only in later commits.
    NotYetCreated,
    /// The file as it is now was created after the commit, by `by`.
    CreatedAfter { by: CommitInfo },
    /// The path was removed (deleted or renamed away) before the commit.
    RemovedBefore { by: CommitInfo },
}

impl fmt::Display for PathProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PathProblem::NeverCommitted { path } => {
                write!(
                    f,
                    "{path} has never been committed to the source repository"
                )
            }
            PathProblem::UnknownCommit { commit } => {
                write!(f, "commit {commit} is not in the source repository")
            }
            PathProblem::NotAtCommit {
                path,
                why,
                unfollowed_merges,
            } => {
                write!(f, "{path} did not exist at that commit: ")?;
                match why {
                    Absence::NotYetCreated => f.write_str("it was created later")?,
                    Absence::CreatedAfter { by } => write!(f, "it was created by {}", by.id)?,
                    Absence::RemovedBefore { by } => {
                        write!(f, "it had been removed or renamed by {}", by.id)?
                    }
                }
                if let Some(merge) = unfollowed_merges.first() {
                    write!(f, " (renames across merge {merge} not followed)")?;
                }
                Ok(())
            }
        }
    }
}

/// Why a text could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ReadProblem {
    Path(PathProblem),
    /// The object store lacks the blob (a partial clone); nothing is fetched.
    Missing {
        blob: ObjectId,
    },
    /// The path names a submodule or another non-file entry.
    NotAFile {
        blob: ObjectId,
        kind: String,
    },
    NotUtf8 {
        blob: ObjectId,
    },
    Git {
        detail: String,
    },
}

impl fmt::Display for ReadProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadProblem::Path(problem) => problem.fmt(f),
            ReadProblem::Missing { blob } => write!(
                f,
                "blob {blob} is not in the local object store (a partial clone?)"
            ),
            ReadProblem::NotAFile { blob, kind } => write!(f, "{blob} is a {kind}, not a file"),
            ReadProblem::NotUtf8 { blob } => write!(f, "blob {blob} is not UTF-8 text"),
            ReadProblem::Git { detail } => write!(f, "git cat-file failed: {detail}"),
        }
    }
}

/// Where a file was at a commit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PathAt {
    pub path: RepoPath,
    /// The file's content at the commit, for [`Repository::read_blobs`].
    pub blob: ObjectId,
}

/// A file's story since a commit: where it was then, and the commits of
/// HEAD's first-parent line that touched it since (newest first, renames
/// included).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Since {
    pub then: Result<PathAt, PathProblem>,
    pub changes: Vec<CommitInfo>,
    /// The file's content at HEAD. When it is `then`'s blob and the file is
    /// not among [`Repository::worktree_changes`], the text did not change
    /// and need not be read.
    pub head_blob: Option<ObjectId>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TouchKind {
    Added,
    Modified,
    Deleted,
    /// The file left this path: the partner is where it went.
    RenamedFrom,
    /// The file came to this path: the partner is where it was.
    RenamedTo,
}

/// One commit changing one path, against the commit's first parent.
#[derive(Clone, Copy, Debug)]
struct Touch {
    commit: u32,
    kind: TouchKind,
    /// The content after the commit (null when the path was removed).
    blob: ObjectId,
    partner: u32,
}

const NO_PATH: u32 = u32::MAX;

#[derive(Debug)]
struct Node {
    id: ObjectId,
    time: i64,
    /// Indices into the commit list; git's order, first parent first.
    parents: Vec<u32>,
}

/// A fixed-size set of commit indices.
#[derive(Clone, Debug, Default)]
struct BitSet(Vec<u64>);

impl BitSet {
    fn with_len(len: usize) -> BitSet {
        BitSet(vec![0; len.div_ceil(64)])
    }

    fn insert(&mut self, index: u32) {
        if let Some(word) = self.0.get_mut(index as usize / 64) {
            *word |= 1 << (index % 64);
        }
    }

    fn contains(&self, index: u32) -> bool {
        self.0
            .get(index as usize / 64)
            .is_some_and(|word| word & (1 << (index % 64)) != 0)
    }
}

/// How HEAD reaches a commit that is not on its first-parent line.
#[derive(Debug)]
struct SideRoute {
    /// Commits on the route whose first-parent diff lies between HEAD and
    /// the commit.
    applied: BitSet,
    /// The commit's own first-parent line (itself included): the first
    /// touch of a path found there is the path's state at the commit.
    first_parent_line: BitSet,
    /// Merges the route entered through another parent.
    crossed_merges: Vec<u32>,
}

enum Route {
    /// The commit at this index is on HEAD's first-parent line.
    Mainline(u32),
    Side(Arc<SideRoute>),
}

/// The history of one repository, read once.
#[derive(Debug)]
pub(crate) struct Repository {
    top: PathBuf,
    shallow: bool,
    /// Topological order, HEAD first: every commit before its parents.
    commits: Vec<Node>,
    index_of: HashMap<ObjectId, u32>,
    /// Commit indices sorted by id, for abbreviated hashes.
    sorted_ids: Vec<u32>,
    paths: Vec<RepoPath>,
    path_ids: HashMap<RepoPath, u32>,
    /// Per path id, the commits touching it, newest first.
    touches: Vec<Vec<Touch>>,
    /// HEAD's first-parent line.
    mainline: BitSet,
    side_routes: Mutex<HashMap<u32, Arc<SideRoute>>>,
}

impl Repository {
    /// The repository containing `dir`, its history read; `None` when git
    /// is missing or `dir` is in no repository ([`Repository::try_open`]
    /// says why).
    pub(crate) fn open(dir: &Path) -> Option<Repository> {
        Self::try_open(dir).ok()
    }

    pub(crate) fn try_open(dir: &Path) -> Result<Repository, OpenProblem> {
        let (top, shallow) = locate(dir)?;
        let log = read_log(&top)?;
        let parsed = parse_log(&log).map_err(|detail| OpenProblem::Git {
            command: "git log".into(),
            detail,
        })?;
        Ok(Repository::from_parsed(top, shallow, parsed))
    }

    fn from_parsed(top: PathBuf, shallow: bool, parsed: ParsedLog) -> Repository {
        let index_of: HashMap<ObjectId, u32> = parsed
            .commits
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id, i as u32))
            .collect();
        let commits: Vec<Node> = parsed
            .commits
            .into_iter()
            .map(|c| Node {
                id: c.id,
                time: c.time,
                // A parent outside the log is a shallow clone's boundary.
                parents: c
                    .parents
                    .iter()
                    .filter_map(|p| index_of.get(p).copied())
                    .collect(),
            })
            .collect();
        let mut sorted_ids: Vec<u32> = (0..commits.len() as u32).collect();
        sorted_ids.sort_by_key(|&i| commits[i as usize].id);
        let mainline = first_parent_line(&commits, 0);
        Repository {
            top,
            shallow,
            commits,
            index_of,
            sorted_ids,
            paths: parsed.paths,
            path_ids: parsed.path_ids,
            touches: parsed.touches,
            mainline,
            side_routes: Mutex::new(HashMap::new()),
        }
    }

    /// The top of the working tree.
    pub(crate) fn top(&self) -> &Path {
        &self.top
    }

    #[cfg(test)]
    pub(crate) fn is_shallow(&self) -> bool {
        self.shallow
    }

    #[cfg(test)]
    pub(crate) fn commit_count(&self) -> usize {
        self.commits.len()
    }

    #[cfg(test)]
    pub(crate) fn head(&self) -> Option<CommitInfo> {
        self.info(0)
    }

    /// `file` (a path on disk, absolute or relative to the current folder)
    /// as a path in this repository; `None` when it is outside.
    #[cfg(test)]
    pub(crate) fn repo_path(&self, file: &Path) -> Option<RepoPath> {
        let absolute = std::path::absolute(file).ok()?;
        // Resolve symlinks in the folders only: a linked file is named by
        // its own path in the repository.
        let canonical = match (absolute.parent(), absolute.file_name()) {
            (Some(parent), Some(name)) => parent
                .canonicalize()
                .map(|p| p.join(name))
                .unwrap_or(absolute.clone()),
            _ => absolute.clone(),
        };
        let relative = canonical.strip_prefix(&self.top).ok()?;
        Some(RepoPath::from_relative(relative))
    }

    /// The newest commit of HEAD's first-parent line made at or before
    /// `time`: the state of the main branch then.
    pub(crate) fn mainline_commit_at(&self, time: i64) -> Option<CommitInfo> {
        (0..self.commits.len() as u32)
            .filter(|&index| self.mainline.contains(index))
            .map(|index| self.info_of(index))
            .find(|commit| commit.time <= time)
    }

    /// The commit at `id`'s time, if it is in the history.
    pub(crate) fn commit_time(&self, id: CommitId) -> Option<i64> {
        let index = *self.index_of.get(&id)?;
        Some(self.commits[index as usize].time)
    }

    /// The newest commit of HEAD's first-parent line that touched `path`
    /// (for a merged branch, the merge: when the change reached the branch).
    /// Renames are not followed.
    pub(crate) fn last_change(&self, path: &RepoPath) -> Option<CommitInfo> {
        let id = *self.path_ids.get(path)?;
        let touch = self.touches[id as usize]
            .iter()
            .find(|t| self.mainline.contains(t.commit))?;
        self.info(touch.commit)
    }

    /// The commit a full or abbreviated hash names, from the history read.
    pub(crate) fn resolve(&self, rev: &str) -> Result<CommitId, RevisionProblem> {
        let rev = rev.trim();
        if self.commits.is_empty() {
            return Err(RevisionProblem::NoCommits);
        }
        let id_len = self.commits[0].id.len as usize;
        let Some((low, high)) = prefix_bounds(rev, id_len) else {
            return Err(RevisionProblem::Malformed { rev: rev.into() });
        };
        let start = self
            .sorted_ids
            .partition_point(|&i| self.commits[i as usize].id < low);
        let matching: Vec<CommitId> = self.sorted_ids[start..]
            .iter()
            .map(|&i| self.commits[i as usize].id)
            .take_while(|id| *id <= high)
            .take(8)
            .collect();
        match matching.as_slice() {
            [] => Err(RevisionProblem::NotFound {
                rev: rev.into(),
                shallow: self.shallow,
            }),
            [one] => Ok(*one),
            _ => Err(RevisionProblem::Ambiguous {
                rev: rev.into(),
                candidates: matching,
            }),
        }
    }

    /// [`Repository::resolve`] for many revisions; the ones the history
    /// does not hold are then looked up in the object store by one
    /// `git cat-file --batch-check`, to tell a commit of another branch
    /// from one the repository never had.
    pub(crate) fn resolve_all(&self, revs: &[&str]) -> Vec<Result<CommitId, RevisionProblem>> {
        let mut answers: Vec<_> = revs.iter().map(|rev| self.resolve(rev)).collect();
        let unknown: Vec<usize> = (0..answers.len())
            .filter(|&i| matches!(answers[i], Err(RevisionProblem::NotFound { .. })))
            .collect();
        if unknown.is_empty() {
            return answers;
        }
        let input: Vec<u8> = unknown
            .iter()
            .flat_map(|&i| format!("{}\n", revs[i].trim()).into_bytes())
            .collect();
        let args = [
            "cat-file",
            "--batch-check=%(objectname) %(objecttype)",
            "--buffer",
        ];
        let Ok(output) = run_git(&self.top, &args, Some(input)) else {
            return answers;
        };
        let lines = String::from_utf8_lossy(&output).into_owned();
        for (&i, line) in unknown.iter().zip(lines.lines()) {
            if let Some(problem) = problem_of_object(revs[i].trim(), line) {
                answers[i] = Err(problem);
            }
        }
        answers
    }

    /// The path `path_now` had at `commit`, and the file's content there.
    #[cfg(test)]
    pub(crate) fn path_at(
        &self,
        path_now: &RepoPath,
        commit: CommitId,
    ) -> Result<PathAt, PathProblem> {
        self.since(path_now, commit)?.then
    }

    /// The commits after `commit` on HEAD's first-parent line that touched
    /// the file, renames followed, newest first: when the text to translate
    /// did not change, they are the "source metadata changed since" ones.
    #[cfg(test)]
    pub(crate) fn changed_since(
        &self,
        path_now: &RepoPath,
        commit: CommitId,
    ) -> Result<Vec<CommitInfo>, PathProblem> {
        Ok(self.since(path_now, commit)?.changes)
    }

    /// Both answers of [`Repository::path_at`] and
    /// [`Repository::changed_since`] from one walk. Fails only when the path
    /// or the commit is unknown.
    pub(crate) fn since(
        &self,
        path_now: &RepoPath,
        commit: CommitId,
    ) -> Result<Since, PathProblem> {
        let Some(&target) = self.index_of.get(&commit) else {
            return Err(PathProblem::UnknownCommit { commit });
        };
        let Some(&start) = self.path_ids.get(path_now) else {
            return Err(PathProblem::NeverCommitted {
                path: path_now.clone(),
            });
        };
        let route = self.route(target);
        let walk = self.follow_back(start, &route);
        let changes = walk.touched.iter().map(|&c| self.info_of(c)).collect();
        let then = self.state_at(walk.name, target, &route).map_err(|why| {
            let why = match (why, walk.created_by) {
                (Absence::NotYetCreated, Some(by)) => Absence::CreatedAfter {
                    by: self.info_of(by),
                },
                (why, _) => why,
            };
            PathProblem::NotAtCommit {
                path: self.paths[walk.name as usize].clone(),
                why,
                unfollowed_merges: route.crossed_merges(self),
            }
        });
        let head_blob = self.state_at(start, 0, &Route::Mainline(0)).ok();
        Ok(Since {
            then,
            changes,
            head_blob: head_blob.map(|at| at.blob),
        })
    }

    /// Texts of files as they were at commits: the paths are those the
    /// files had then (see [`Repository::path_at`]). All texts come from one
    /// `git cat-file --batch`.
    pub(crate) fn read_at(
        &self,
        requests: &[(CommitId, RepoPath)],
    ) -> Vec<Result<String, ReadProblem>> {
        let located: Vec<Result<ObjectId, ReadProblem>> = requests
            .iter()
            .map(|(commit, path)| self.blob_at(*commit, path).map_err(ReadProblem::Path))
            .collect();
        let blobs: Vec<ObjectId> = located.iter().filter_map(|b| b.clone().ok()).collect();
        let mut contents = self.read_blobs(&blobs).into_iter();
        located
            .into_iter()
            .map(|blob| {
                let blob = blob?;
                let bytes = contents.next().unwrap_or_else(|| {
                    Err(ReadProblem::Git {
                        detail: "fewer answers than requests".into(),
                    })
                })?;
                String::from_utf8(bytes).map_err(|_| ReadProblem::NotUtf8 { blob })
            })
            .collect()
    }

    /// The contents of blobs, in order, from one `git cat-file --batch`
    /// (each distinct blob read once). Missing blobs are not fetched from a
    /// partial clone's remote.
    pub(crate) fn read_blobs(&self, blobs: &[ObjectId]) -> Vec<Result<Vec<u8>, ReadProblem>> {
        let mut distinct: Vec<ObjectId> = blobs.to_vec();
        distinct.sort();
        distinct.dedup();
        let input: Vec<u8> = distinct
            .iter()
            .flat_map(|id| format!("{id}\n").into_bytes())
            .collect();
        // --buffer: without it cat-file flushes after every object.
        let args = ["cat-file", "--batch", "--buffer"];
        let output = run_git(&self.top, &args, Some(input));
        let by_id: HashMap<ObjectId, Result<Vec<u8>, ReadProblem>> = match output {
            Ok(output) => distinct
                .iter()
                .copied()
                .zip(parse_batch(&output, distinct.len()))
                .collect(),
            Err(problem) => {
                let detail = problem.to_string();
                distinct
                    .iter()
                    .map(|&id| {
                        (
                            id,
                            Err(ReadProblem::Git {
                                detail: detail.clone(),
                            }),
                        )
                    })
                    .collect()
            }
        };
        blobs
            .iter()
            .map(|id| match by_id.get(id) {
                Some(answer) => answer.clone(),
                None => Err(ReadProblem::Missing { blob: *id }),
            })
            .collect()
    }

    /// Files whose working-tree content differs from HEAD (edited, staged,
    /// deleted; untracked files are not listed), from one `git diff`.
    pub(crate) fn worktree_changes(&self) -> Result<Vec<RepoPath>, OpenProblem> {
        if self.commits.is_empty() {
            return Ok(Vec::new());
        }
        let args = [
            "-c",
            "core.quotePath=false",
            "diff",
            "--name-only",
            "-z",
            "--no-renames",
            "--no-relative",
            "--no-ext-diff",
            "HEAD",
            "--",
        ];
        let output = run_git(&self.top, &args, None).map_err(|failure| OpenProblem::Git {
            command: "git diff --name-only HEAD".into(),
            detail: failure.to_string(),
        })?;
        Ok(output
            .split(|&b| b == 0)
            .filter(|p| !p.is_empty())
            .map(RepoPath::from_bytes)
            .collect())
    }

    /// The blob of `path` (as named at `commit`) in `commit`'s tree.
    pub(crate) fn blob_at(
        &self,
        commit: CommitId,
        path: &RepoPath,
    ) -> Result<ObjectId, PathProblem> {
        let Some(&target) = self.index_of.get(&commit) else {
            return Err(PathProblem::UnknownCommit { commit });
        };
        let Some(&id) = self.path_ids.get(path) else {
            return Err(PathProblem::NeverCommitted { path: path.clone() });
        };
        let route = self.route(target);
        self.state_at(id, target, &route)
            .map(|at| at.blob)
            .map_err(|why| PathProblem::NotAtCommit {
                path: path.clone(),
                why,
                unfollowed_merges: Vec::new(),
            })
    }

    fn info(&self, index: u32) -> Option<CommitInfo> {
        let node = self.commits.get(index as usize)?;
        Some(CommitInfo {
            id: node.id,
            time: node.time,
        })
    }

    /// For indices taken from this history's own tables.
    fn info_of(&self, index: u32) -> CommitInfo {
        let node = &self.commits[index as usize];
        CommitInfo {
            id: node.id,
            time: node.time,
        }
    }

    fn route(&self, target: u32) -> Route {
        if self.mainline.contains(target) {
            return Route::Mainline(target);
        }
        let mut cache = match self.side_routes.lock() {
            Ok(cache) => cache,
            // A panic elsewhere cannot leave a half-written route: entries
            // are inserted whole.
            Err(poisoned) => poisoned.into_inner(),
        };
        let route = cache
            .entry(target)
            .or_insert_with(|| Arc::new(side_route(&self.commits, target)));
        Route::Side(route.clone())
    }

    /// Follows the file named `start` at HEAD back along the route to the
    /// target commit, switching names at renames.
    fn follow_back(&self, start: u32, route: &Route) -> Walk {
        let mut walk = Walk {
            name: start,
            touched: Vec::new(),
            created_by: None,
        };
        // Only commits older (later in the list) than the last rename count
        // for the name it had before.
        let mut older_than: Option<u32> = None;
        'names: loop {
            for touch in &self.touches[walk.name as usize] {
                if older_than.is_some_and(|o| touch.commit <= o)
                    || !route.applies(self, touch.commit)
                {
                    continue;
                }
                walk.touched.push(touch.commit);
                match touch.kind {
                    TouchKind::RenamedTo if touch.partner != NO_PATH => {
                        walk.name = touch.partner;
                        older_than = Some(touch.commit);
                        continue 'names;
                    }
                    // Before its creation the path held another file, or
                    // none: the history of this one ends here.
                    TouchKind::Added => {
                        walk.created_by = Some(touch.commit);
                        break 'names;
                    }
                    _ => {}
                }
            }
            break;
        }
        walk
    }

    /// The path's content at the target: the newest touch on the target's
    /// own first-parent line (every commit there is diffed against the one
    /// below it, so that touch wrote the content the target has).
    fn state_at(&self, path: u32, target: u32, route: &Route) -> Result<PathAt, Absence> {
        let touch = self.touches[path as usize]
            .iter()
            .find(|t| route.holds(self, target, t.commit));
        match touch {
            None => Err(Absence::NotYetCreated),
            Some(t) if matches!(t.kind, TouchKind::Deleted | TouchKind::RenamedFrom) => {
                Err(Absence::RemovedBefore {
                    by: self.info_of(t.commit),
                })
            }
            Some(t) => Ok(PathAt {
                path: self.paths[path as usize].clone(),
                blob: t.blob,
            }),
        }
    }
}

struct Walk {
    /// Path id at the target commit.
    name: u32,
    touched: Vec<u32>,
    created_by: Option<u32>,
}

impl Route {
    /// Whether `commit`'s first-parent diff lies between HEAD and the target.
    fn applies(&self, repo: &Repository, commit: u32) -> bool {
        match self {
            Route::Mainline(target) => commit < *target && repo.mainline.contains(commit),
            Route::Side(route) => route.applied.contains(commit),
        }
    }

    /// Whether `commit` is on the target's first-parent line.
    fn holds(&self, repo: &Repository, target: u32, commit: u32) -> bool {
        match self {
            Route::Mainline(_) => commit >= target && repo.mainline.contains(commit),
            Route::Side(route) => route.first_parent_line.contains(commit),
        }
    }

    fn crossed_merges(&self, repo: &Repository) -> Vec<CommitId> {
        match self {
            Route::Mainline(_) => Vec::new(),
            Route::Side(route) => route
                .crossed_merges
                .iter()
                .map(|&m| repo.info_of(m).id)
                .collect(),
        }
    }
}

fn first_parent_line(commits: &[Node], from: u32) -> BitSet {
    let mut line = BitSet::with_len(commits.len());
    let mut current = Some(from);
    // Parents always come later in topological order, so this ends; the
    // step bound guards against a log that broke that promise.
    for _ in 0..commits.len() {
        let Some(index) = current else { break };
        line.insert(index);
        current = commits
            .get(index as usize)
            .and_then(|n| n.parents.first().copied())
            .filter(|&p| p > index);
    }
    line
}

/// The route from HEAD to `target`, preferring first parents.
fn side_route(commits: &[Node], target: u32) -> SideRoute {
    // Commits that reach the target all come before it in the list.
    let mut reaches = BitSet::with_len(target as usize + 1);
    reaches.insert(target);
    for index in (0..target).rev() {
        if commits[index as usize]
            .parents
            .iter()
            .any(|&p| reaches.contains(p))
        {
            reaches.insert(index);
        }
    }
    let mut applied = BitSet::with_len(commits.len());
    let mut crossed_merges = Vec::new();
    let mut current = 0u32;
    for _ in 0..commits.len() {
        if current == target {
            break;
        }
        let parents = &commits[current as usize].parents;
        let next = match parents.first() {
            Some(&first) if reaches.contains(first) => {
                applied.insert(current);
                first
            }
            _ => match parents.iter().skip(1).find(|&&p| reaches.contains(p)) {
                Some(&other) => {
                    crossed_merges.push(current);
                    other
                }
                None => break,
            },
        };
        if next <= current {
            break;
        }
        current = next;
    }
    SideRoute {
        applied,
        first_parent_line: first_parent_line(commits, target),
        crossed_merges,
    }
}

/// The smallest and largest full ids starting with the hex digits `rev`.
fn prefix_bounds(rev: &str, id_len: usize) -> Option<(ObjectId, ObjectId)> {
    let digits = rev.as_bytes();
    if digits.len() < 4 || digits.len() > id_len * 2 || !digits.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    let padded = |fill: u8| {
        let mut hex = digits.to_vec();
        hex.resize(id_len * 2, fill);
        ObjectId::from_hex_bytes(&hex)
    };
    Some((padded(b'0')?, padded(b'f')?))
}

/// A `--batch-check` answer for a revision the history does not hold.
fn problem_of_object(rev: &str, line: &str) -> Option<RevisionProblem> {
    let (name, kind) = line.rsplit_once(' ')?;
    match kind {
        "missing" => None,
        "ambiguous" => Some(RevisionProblem::Ambiguous {
            rev: rev.into(),
            candidates: Vec::new(),
        }),
        "commit" => Some(RevisionProblem::NotInHistory {
            rev: rev.into(),
            commit: ObjectId::from_hex(name)?,
        }),
        other => Some(RevisionProblem::NotACommit {
            rev: rev.into(),
            kind: other.into(),
        }),
    }
}

/// The top of the working tree holding `dir`, and whether it is shallow.
fn locate(dir: &Path) -> Result<(PathBuf, bool), OpenProblem> {
    let args = ["rev-parse", "--show-toplevel", "--is-shallow-repository"];
    let output = run_git(dir, &args, None).map_err(|problem| match problem {
        GitFailure::NotInstalled => OpenProblem::GitNotInstalled,
        GitFailure::Failed { stderr, .. } => OpenProblem::NotARepository {
            dir: dir.to_path_buf(),
            git_says: stderr,
        },
    })?;
    let mut lines = output.split(|&b| b == b'\n');
    let top = lines.next().filter(|t| !t.is_empty());
    let Some(top) = top else {
        return Err(OpenProblem::NotARepository {
            dir: dir.to_path_buf(),
            git_says: "no working tree".into(),
        });
    };
    let shallow = lines.next() == Some(b"true");
    let top = PathBuf::from(os_str_from_bytes(top).into_owned());
    // git prints the real path; canonicalising again matches what
    // `repo_path` does with the files asked about.
    let top = top.canonicalize().unwrap_or(top);
    Ok((top, shallow))
}

/// The whole history reachable from HEAD, or nothing for a repository
/// without commits.
fn read_log(top: &Path) -> Result<Vec<u8>, OpenProblem> {
    let args = [
        "-c",
        "core.quotePath=false",
        "log",
        "-z",
        "--topo-order",
        "--root",
        "--raw",
        "--no-abbrev",
        "-M",
        RENAME_LIMIT,
        "--diff-merges=first-parent",
        "--no-relative",
        "--no-color",
        "--no-show-signature",
        "--no-notes",
        "--format=%H %ct %P",
        "HEAD",
        "--",
    ];
    match run_git(top, &args, None) {
        Ok(log) => Ok(log),
        Err(GitFailure::NotInstalled) => Err(OpenProblem::GitNotInstalled),
        Err(GitFailure::Failed { command, stderr }) => {
            // An unborn HEAD is a repository without history, not an error.
            let verify = ["rev-parse", "-q", "--verify", "HEAD"];
            match run_git(top, &verify, None) {
                Err(GitFailure::Failed { .. }) => Ok(Vec::new()),
                _ => Err(OpenProblem::Git {
                    command,
                    detail: stderr,
                }),
            }
        }
    }
}

struct RawCommit {
    id: ObjectId,
    time: i64,
    parents: Vec<ObjectId>,
}

#[derive(Default)]
struct ParsedLog {
    commits: Vec<RawCommit>,
    paths: Vec<RepoPath>,
    path_ids: HashMap<RepoPath, u32>,
    touches: Vec<Vec<Touch>>,
}

impl ParsedLog {
    fn path_id(&mut self, path: &[u8]) -> u32 {
        if let Some(&id) = self.path_ids.get(path) {
            return id;
        }
        let id = self.paths.len() as u32;
        let path = RepoPath::from_bytes(path);
        self.paths.push(path.clone());
        self.path_ids.insert(path, id);
        self.touches.push(Vec::new());
        id
    }

    fn touch(&mut self, path: u32, kind: TouchKind, blob: ObjectId, partner: u32) {
        let commit = self.commits.len() as u32 - 1;
        self.touches[path as usize].push(Touch {
            commit,
            kind,
            blob,
            partner,
        });
    }
}

// `RepoPath` keys looked up by byte slices.
impl std::borrow::Borrow<[u8]> for RepoPath {
    fn borrow(&self) -> &[u8] {
        &self.0
    }
}

/// Reads `git log -z --raw --format='%H %ct %P'`: NUL-separated fields, a
/// commit's header, then for each changed file a `:modes ids status`
/// record followed by its one path (two for renames and copies).
fn parse_log(log: &[u8]) -> Result<ParsedLog, String> {
    let mut parsed = ParsedLog::default();
    let mut fields = log.split(|&b| b == 0);
    while let Some(field) = fields.next() {
        let field = field.strip_prefix(b"\n").unwrap_or(field);
        if field.is_empty() {
            continue;
        }
        if field[0] == b':' {
            if parsed.commits.is_empty() {
                return Err("a file change before any commit".into());
            }
            let (status, blob) = parse_raw_record(field)?;
            let first = fields.next().ok_or("a change without its path")?;
            let second = if matches!(status, b'R' | b'C') {
                Some(fields.next().ok_or("a rename without its new path")?)
            } else {
                None
            };
            record_change(&mut parsed, status, blob, first, second);
        } else {
            parsed.commits.push(parse_header(field)?);
        }
    }
    Ok(parsed)
}

fn parse_header(field: &[u8]) -> Result<RawCommit, String> {
    let text = std::str::from_utf8(field).map_err(|_| "a commit header that is not text")?;
    let mut words = text.split(' ').filter(|w| !w.is_empty());
    let bad = || format!("an unreadable commit header: {text:?}");
    let id = words.next().and_then(ObjectId::from_hex).ok_or_else(bad)?;
    let time = words.next().and_then(|t| t.parse().ok()).ok_or_else(bad)?;
    let parents = words
        .map(|p| ObjectId::from_hex(p).ok_or_else(bad))
        .collect::<Result<_, _>>()?;
    Ok(RawCommit { id, time, parents })
}

/// `:100644 100644 <old> <new> M` -> (status letter, new blob).
fn parse_raw_record(field: &[u8]) -> Result<(u8, ObjectId), String> {
    let words: Vec<&[u8]> = field[1..].split(|&b| b == b' ').collect();
    let bad = || format!("an unreadable change: {:?}", String::from_utf8_lossy(field));
    let [_, _, _, new, status] = words.as_slice() else {
        return Err(bad());
    };
    let blob = ObjectId::from_hex_bytes(new).ok_or_else(bad)?;
    let letter = *status.first().ok_or_else(bad)?;
    Ok((letter, blob))
}

fn record_change(
    parsed: &mut ParsedLog,
    status: u8,
    blob: ObjectId,
    first: &[u8],
    second: Option<&[u8]>,
) {
    let first = parsed.path_id(first);
    match (status, second) {
        (b'R', Some(second)) => {
            let second = parsed.path_id(second);
            let none = ObjectId {
                len: blob.len,
                bytes: [0; 32],
            };
            parsed.touch(first, TouchKind::RenamedFrom, none, second);
            parsed.touch(second, TouchKind::RenamedTo, blob, first);
        }
        // A copy leaves its source alone and creates the other path.
        (b'C', Some(second)) => {
            let second = parsed.path_id(second);
            parsed.touch(second, TouchKind::Added, blob, NO_PATH);
        }
        (b'A', _) => parsed.touch(first, TouchKind::Added, blob, NO_PATH),
        (b'D', _) => parsed.touch(first, TouchKind::Deleted, blob, NO_PATH),
        // M, T (type change) and anything newer: the path is still there.
        _ if blob.is_null() => parsed.touch(first, TouchKind::Deleted, blob, NO_PATH),
        _ => parsed.touch(first, TouchKind::Modified, blob, NO_PATH),
    }
}

/// Reads `git cat-file --batch` output: for each request a header
/// `<id> <type> <size>` and the content, or `<id> missing`.
fn parse_batch(output: &[u8], expected: usize) -> Vec<Result<Vec<u8>, ReadProblem>> {
    let mut answers = Vec::with_capacity(expected);
    let mut rest = output;
    while answers.len() < expected {
        let Some(end) = rest.iter().position(|&b| b == b'\n') else {
            break;
        };
        let header = String::from_utf8_lossy(&rest[..end]).into_owned();
        rest = &rest[end + 1..];
        let words: Vec<&str> = header.split(' ').collect();
        let blob = words.first().and_then(|w| ObjectId::from_hex(w));
        match (blob, words.as_slice()) {
            (Some(blob), [_, "missing"]) => answers.push(Err(ReadProblem::Missing { blob })),
            (Some(blob), [_, kind, size]) => {
                let Some(size) = size.parse::<usize>().ok().filter(|&s| s <= rest.len()) else {
                    break;
                };
                let content = rest[..size].to_vec();
                rest = rest.get(size + 1..).unwrap_or_default();
                answers.push(if *kind == "blob" {
                    Ok(content)
                } else {
                    Err(ReadProblem::NotAFile {
                        blob,
                        kind: kind.to_string(),
                    })
                });
            }
            _ => break,
        }
    }
    while answers.len() < expected {
        answers.push(Err(ReadProblem::Git {
            detail: "cat-file's answer ended early".into(),
        }));
    }
    answers
}

/// The folders below `folder` that are the top of a repository of their
/// own: they hold a `.git` folder, or a `.git` file (worktrees,
/// submodules). Their insides are not searched, nor are symlinks followed.
pub(crate) fn nested_repositories(folder: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![folder.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
            if !is_dir || entry.file_name() == ".git" {
                continue;
            }
            let sub = entry.path();
            if std::fs::symlink_metadata(sub.join(".git")).is_ok() {
                found.push(sub);
            } else {
                pending.push(sub);
            }
        }
    }
    found.sort();
    found
}

/// The repository among `repositories` holding `file` (the deepest, for
/// nested ones), with the file's path in it. `file` is absolute with its
/// folders' symbolic links resolved, as repository tops are.
pub(crate) fn containing<'r>(
    repositories: &'r [Repository],
    file: &Path,
) -> Option<(&'r Repository, RepoPath)> {
    repositories
        .iter()
        .filter_map(|repo| {
            let relative = file.strip_prefix(&repo.top).ok()?;
            Some((repo, RepoPath::from_relative(relative)))
        })
        .max_by_key(|(repo, _)| repo.top.components().count())
}

#[derive(Debug)]
enum GitFailure {
    NotInstalled,
    Failed { command: String, stderr: String },
}

impl fmt::Display for GitFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GitFailure::NotInstalled => f.write_str("git is not installed"),
            GitFailure::Failed { command, stderr } => write!(f, "`{command}`: {stderr}"),
        }
    }
}

fn run_git(dir: &Path, args: &[&str], input: Option<Vec<u8>>) -> Result<Vec<u8>, GitFailure> {
    run_program("git", dir, args, input)
}

/// `program` is git but for the test that it may be missing.
fn run_program(
    program: &str,
    dir: &Path,
    args: &[&str],
    input: Option<Vec<u8>>,
) -> Result<Vec<u8>, GitFailure> {
    let command_line = format!("{program} {}", args.join(" "));
    let failed = |stderr: String| GitFailure::Failed {
        command: command_line.clone(),
        stderr,
    };
    let mut child = Command::new(program)
        .arg("-C")
        .arg(dir)
        .args(args)
        // Never fetch missing objects of a partial clone, nor prompt, nor
        // take the index lock just to refresh it (a build only reads).
        .env("GIT_NO_LAZY_FETCH", "1")
        .env("GIT_OPTIONAL_LOCKS", "0")
        .env("GIT_TERMINAL_PROMPT", "0")
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => GitFailure::NotInstalled,
            _ => failed(e.to_string()),
        })?;
    // Feed stdin from another thread: git answers while it reads, and a
    // full output pipe would otherwise block both sides.
    let writer = match (input, child.stdin.take()) {
        (Some(bytes), Some(mut stdin)) => Some(std::thread::spawn(move || stdin.write_all(&bytes))),
        _ => None,
    };
    let output = child
        .wait_with_output()
        .map_err(|e| failed(e.to_string()))?;
    if let Some(writer) = writer {
        let written = writer
            .join()
            .map_err(|_| failed("stdin writer panicked".into()))?;
        written.map_err(|e| failed(format!("writing to git: {e}")))?;
    }
    if output.status.success() {
        Ok(output.stdout)
    } else {
        let stderr = String::from_utf8_lossy(&output.stderr);
        Err(failed(
            stderr.lines().next().unwrap_or("").trim().to_string(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Tests that need git skip without it, except in CI, where a missing
    /// git is a broken machine and must not pass silently.
    fn git_available() -> bool {
        let found = Command::new("git")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
        if !found {
            assert!(
                std::env::var_os("CI").is_none(),
                "git is not installed, and CI must run these tests"
            );
            eprintln!("git is not installed: skipping");
        }
        found
    }

    /// A folder of its own under the temp dir, removed afterwards.
    struct Scratch(PathBuf);

    impl Scratch {
        fn new(name: &str) -> Scratch {
            static NEXT: AtomicUsize = AtomicUsize::new(0);
            let n = NEXT.fetch_add(1, Ordering::Relaxed);
            let dir = std::env::temp_dir()
                .join(format!("history-test-{}-{n}-{name}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            Scratch(dir.canonicalize().unwrap())
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// A repository built by the test, commits at fixed, increasing times.
    struct TestRepo {
        dir: PathBuf,
        clock: Cell<i64>,
    }

    impl TestRepo {
        fn init(dir: &Path) -> TestRepo {
            std::fs::create_dir_all(dir).unwrap();
            let repo = TestRepo {
                dir: dir.to_path_buf(),
                clock: Cell::new(1_600_000_000),
            };
            repo.git(&["init", "-q", "-b", "main"]);
            repo
        }

        fn git(&self, args: &[&str]) -> String {
            let time = format!("@{} +0000", self.clock.get());
            let output = Command::new("git")
                .arg("-C")
                .arg(&self.dir)
                .args(["-c", "user.name=t", "-c", "user.email=t@x"])
                .args(["-c", "commit.gpgsign=false", "-c", "merge.ff=false"])
                .args(args)
                .env("GIT_AUTHOR_DATE", &time)
                .env("GIT_COMMITTER_DATE", &time)
                .env("GIT_CONFIG_GLOBAL", "/dev/null")
                .env("GIT_CONFIG_NOSYSTEM", "1")
                .output()
                .unwrap();
            assert!(
                output.status.success(),
                "git {args:?}: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            String::from_utf8(output.stdout).unwrap()
        }

        fn write(&self, path: &str, text: &str) {
            let file = self.dir.join(path);
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(file, text).unwrap();
        }

        fn commit(&self, message: &str) -> CommitId {
            self.git(&["add", "-A"]);
            self.git(&["commit", "-q", "--allow-empty", "-m", message]);
            self.clock.set(self.clock.get() + 60);
            self.head()
        }

        fn head(&self) -> CommitId {
            ObjectId::from_hex(self.git(&["rev-parse", "HEAD"]).trim()).unwrap()
        }

        fn open(&self) -> Repository {
            Repository::try_open(&self.dir).unwrap()
        }
    }

    fn page(words: &str) -> String {
        format!("---\ntitle: A page\n---\n# A page\n\n{words}\n")
    }

    fn p(path: &str) -> RepoPath {
        RepoPath::new(path)
    }

    #[test]
    fn a_changed_page_lists_the_commit_and_reads_the_old_text() {
        if !git_available() {
            return;
        }
        let scratch = Scratch::new("changed");
        let repo = TestRepo::init(&scratch.0);
        repo.write("help/a.md", &page("first words"));
        repo.write("help/b.md", &page("other page"));
        let first = repo.commit("one");
        repo.write("help/a.md", &page("second words"));
        let second = repo.commit("two");
        let history = repo.open();

        let changes = history.changed_since(&p("help/a.md"), first).unwrap();
        assert_eq!(changes.iter().map(|c| c.id).collect::<Vec<_>>(), [second]);
        assert_eq!(changes[0].time, history.commit_time(second).unwrap());
        let then = history.path_at(&p("help/a.md"), first).unwrap();
        assert_eq!(then.path, p("help/a.md"));
        let texts = history.read_at(&[(first, then.path.clone()), (second, then.path)]);
        assert_eq!(texts[0].as_deref().unwrap(), page("first words"));
        assert_eq!(texts[1].as_deref().unwrap(), page("second words"));
        assert_eq!(history.last_change(&p("help/a.md")).unwrap().id, second);
        assert_eq!(history.last_change(&p("help/b.md")).unwrap().id, first);
    }

    #[test]
    fn commits_touching_only_other_files_are_not_changes() {
        if !git_available() {
            return;
        }
        let scratch = Scratch::new("others");
        let repo = TestRepo::init(&scratch.0);
        repo.write("a.md", &page("words"));
        repo.write("b.md", &page("other"));
        let first = repo.commit("one");
        repo.write("b.md", &page("other, changed"));
        repo.commit("two");
        repo.commit("empty");
        let history = repo.open();
        assert_eq!(history.changed_since(&p("a.md"), first).unwrap(), []);
        assert_eq!(history.path_at(&p("a.md"), first).unwrap().path, p("a.md"));
    }

    #[test]
    fn renames_are_followed_back_to_the_old_path() {
        if !git_available() {
            return;
        }
        let scratch = Scratch::new("rename");
        let repo = TestRepo::init(&scratch.0);
        let text = page("a long enough text for rename detection to be sure of itself");
        repo.write("old/name.md", &text);
        let first = repo.commit("one");
        repo.git(&["mv", "old", "new"]);
        let renamed = repo.commit("rename");
        repo.write("new/name.md", &(text.clone() + "\nOne more line.\n"));
        let changed = repo.commit("change");
        let history = repo.open();

        let since = history.since(&p("new/name.md"), first).unwrap();
        assert_eq!(since.then.as_ref().unwrap().path, p("old/name.md"));
        let ids: Vec<CommitId> = since.changes.iter().map(|c| c.id).collect();
        assert_eq!(ids, [changed, renamed]);
        let read = history.read_at(&[(first, p("old/name.md"))]);
        assert_eq!(read[0].as_deref().unwrap(), text);
        // Between the rename and now, only the change counts.
        let since_rename = history.changed_since(&p("new/name.md"), renamed).unwrap();
        assert_eq!(
            since_rename.iter().map(|c| c.id).collect::<Vec<_>>(),
            [changed]
        );
        assert_eq!(
            history.path_at(&p("new/name.md"), renamed).unwrap().path,
            p("new/name.md")
        );
    }

    #[test]
    fn a_path_created_after_the_commit_is_reported_not_guessed() {
        if !git_available() {
            return;
        }
        let scratch = Scratch::new("absent");
        let repo = TestRepo::init(&scratch.0);
        repo.write("other.md", &page("x"));
        let first = repo.commit("one");
        repo.write("a.md", &page("new page"));
        let added = repo.commit("add");
        repo.write("untracked.md", &page("not committed"));
        let history = repo.open();

        let problem = history.path_at(&p("a.md"), first).unwrap_err();
        let PathProblem::NotAtCommit { path, why, .. } = &problem else {
            panic!("{problem:?}");
        };
        assert_eq!(*path, p("a.md"));
        assert_eq!(
            *why,
            Absence::CreatedAfter {
                by: CommitInfo {
                    id: added,
                    time: history.commit_time(added).unwrap()
                }
            }
        );
        assert!(problem.to_string().contains("did not exist at that commit"));
        assert!(matches!(
            history.path_at(&p("untracked.md"), first),
            Err(PathProblem::NeverCommitted { .. })
        ));
    }

    #[test]
    fn a_path_deleted_before_the_commit_and_created_again_did_not_exist_then() {
        if !git_available() {
            return;
        }
        let scratch = Scratch::new("deleted");
        let repo = TestRepo::init(&scratch.0);
        repo.write("a.md", &page("first life"));
        repo.write("keep.md", &page("k"));
        repo.commit("one");
        std::fs::remove_file(scratch.0.join("a.md")).unwrap();
        let deleted = repo.commit("delete");
        repo.write("a.md", &page("second life"));
        let again = repo.commit("again");
        let history = repo.open();
        let problem = history.path_at(&p("a.md"), deleted).unwrap_err();
        let removed = Absence::RemovedBefore {
            by: CommitInfo {
                id: deleted,
                time: history.commit_time(deleted).unwrap(),
            },
        };
        assert!(
            matches!(&problem, PathProblem::NotAtCommit { why, .. } if *why == removed),
            "{problem:?}"
        );
        // The file as it is now starts with its second creation.
        let changes = history.changed_since(&p("a.md"), deleted).unwrap();
        assert_eq!(changes.iter().map(|c| c.id).collect::<Vec<_>>(), [again]);
    }

    #[test]
    fn revisions_resolve_full_abbreviated_or_with_a_reason() {
        if !git_available() {
            return;
        }
        let scratch = Scratch::new("resolve");
        let repo = TestRepo::init(&scratch.0);
        repo.write("a.md", &page("x"));
        let first = repo.commit("one");
        repo.git(&["checkout", "-q", "-b", "elsewhere"]);
        repo.write("a.md", &page("y"));
        let elsewhere = repo.commit("on another branch");
        repo.git(&["checkout", "-q", "main"]);
        let blob = repo.git(&["rev-parse", "HEAD:a.md"]);
        let history = repo.open();

        let full = first.to_hex();
        assert_eq!(history.resolve(&full), Ok(first));
        assert_eq!(history.resolve(&full[..7]), Ok(first));
        assert_eq!(history.resolve(&full.to_uppercase()), Ok(first));
        assert!(matches!(
            history.resolve("0000000000"),
            Err(RevisionProblem::NotFound { shallow: false, .. })
        ));
        assert!(matches!(
            history.resolve("not-a-hash"),
            Err(RevisionProblem::Malformed { .. })
        ));
        assert!(matches!(
            history.resolve("abc"),
            Err(RevisionProblem::Malformed { .. })
        ));
        let other = elsewhere.to_hex();
        let answers = history.resolve_all(&[&full[..8], &other, "0000000000", blob.trim()]);
        assert_eq!(answers[0], Ok(first));
        assert_eq!(
            answers[1],
            Err(RevisionProblem::NotInHistory {
                rev: other.clone(),
                commit: elsewhere
            })
        );
        assert!(matches!(answers[2], Err(RevisionProblem::NotFound { .. })));
        assert!(
            matches!(&answers[3], Err(RevisionProblem::NotACommit { kind, .. }) if kind == "blob")
        );
    }

    #[test]
    fn merges_are_followed_along_the_first_parent_line() {
        if !git_available() {
            return;
        }
        let scratch = Scratch::new("merge");
        let repo = TestRepo::init(&scratch.0);
        let text = page("a text long enough for git to be sure that this is a rename");
        repo.write("a.md", &text);
        repo.write("other.md", &page("o"));
        let base = repo.commit("base");
        repo.git(&["checkout", "-q", "-b", "side"]);
        repo.git(&["mv", "a.md", "b.md"]);
        let renamed = repo.commit("rename on the branch");
        repo.git(&["checkout", "-q", "main"]);
        repo.write("other.md", &page("o2"));
        let main_change = repo.commit("meanwhile on main");
        repo.git(&["merge", "-q", "--no-edit", "side"]);
        let merge = repo.head();
        let history = repo.open();

        // The merge brought the rename to the main line.
        let since_base = history.since(&p("b.md"), base).unwrap();
        assert_eq!(since_base.then.unwrap().path, p("a.md"));
        assert_eq!(
            since_base.changes.iter().map(|c| c.id).collect::<Vec<_>>(),
            [merge]
        );
        let since_main = history.since(&p("b.md"), main_change).unwrap();
        assert_eq!(since_main.then.unwrap().path, p("a.md"));
        // The branch's own commit already has the new name, and nothing
        // touched the file after it.
        let since_branch = history.since(&p("b.md"), renamed).unwrap();
        assert_eq!(since_branch.then.unwrap().path, p("b.md"));
        assert_eq!(since_branch.changes, []);
        assert_eq!(
            history.read_at(&[(renamed, p("b.md"))])[0].as_deref(),
            Ok(text.as_str())
        );
        assert_eq!(history.last_change(&p("b.md")).unwrap().id, merge);
    }

    #[test]
    fn a_rename_on_the_main_line_is_not_followed_into_a_merged_branch() {
        if !git_available() {
            return;
        }
        let scratch = Scratch::new("side");
        let repo = TestRepo::init(&scratch.0);
        repo.write(
            "a.md",
            &page("a text long enough for git to be sure that this is a rename"),
        );
        repo.commit("base");
        repo.git(&["checkout", "-q", "-b", "side"]);
        repo.write("side.md", &page("s"));
        let on_side = repo.commit("side work");
        repo.git(&["checkout", "-q", "main"]);
        repo.git(&["mv", "a.md", "b.md"]);
        repo.commit("rename on main");
        repo.git(&["merge", "-q", "--no-edit", "side"]);
        let merge = repo.head();
        let history = repo.open();
        let problem = history.path_at(&p("b.md"), on_side).unwrap_err();
        let PathProblem::NotAtCommit {
            unfollowed_merges, ..
        } = &problem
        else {
            panic!("{problem:?}");
        };
        assert_eq!(*unfollowed_merges, [merge]);
        assert!(problem.to_string().contains("not followed"), "{problem}");
    }

    #[test]
    fn a_repository_without_commits_has_an_empty_history() {
        if !git_available() {
            return;
        }
        let scratch = Scratch::new("empty");
        let repo = TestRepo::init(&scratch.0);
        repo.write("a.md", "x");
        let history = repo.open();
        assert_eq!(history.commit_count(), 0);
        assert_eq!(history.head(), None);
        assert_eq!(history.resolve("abcdef1"), Err(RevisionProblem::NoCommits));
        assert_eq!(history.last_change(&p("a.md")), None);
    }

    #[test]
    fn outside_a_repository_there_is_no_history() {
        if !git_available() {
            return;
        }
        let scratch = Scratch::new("outside");
        let in_a_repository = Command::new("git")
            .arg("-C")
            .arg(&scratch.0)
            .args(["rev-parse", "--show-toplevel"])
            .output()
            .unwrap()
            .status
            .success();
        if in_a_repository {
            eprintln!("the temp folder is inside a repository: nothing to test");
            return;
        }
        let opened = Repository::try_open(&scratch.0);
        assert!(
            matches!(opened, Err(OpenProblem::NotARepository { .. })),
            "{opened:?}"
        );
        assert!(Repository::open(&scratch.0).is_none());
    }

    #[test]
    fn non_utf8_file_names_are_kept_as_bytes() {
        if !git_available() || !cfg!(unix) {
            return;
        }
        let scratch = Scratch::new("bytes");
        let repo = TestRepo::init(&scratch.0);
        let name: &[u8] = b"caf\xe9 page.md";
        let file = RepoPath::from_bytes(name).to_path(&scratch.0);
        std::fs::write(&file, page("latin-1 name")).unwrap();
        let first = repo.commit("one");
        let history = repo.open();
        let path = history.repo_path(&file).unwrap();
        assert_eq!(path.as_bytes(), name);
        assert_eq!(history.path_at(&path, first).unwrap().path, path);
        assert_eq!(
            history.read_at(&[(first, path)])[0].as_deref(),
            Ok(page("latin-1 name").as_str())
        );
    }

    #[test]
    fn working_tree_changes_are_not_history() {
        if !git_available() {
            return;
        }
        let scratch = Scratch::new("worktree");
        let repo = TestRepo::init(&scratch.0);
        repo.write("a.md", &page("committed"));
        let first = repo.commit("one");
        repo.write("a.md", &page("edited, not committed"));
        let history = repo.open();
        assert_eq!(history.changed_since(&p("a.md"), first).unwrap(), []);
        assert_eq!(
            history.read_at(&[(first, p("a.md"))])[0].as_deref(),
            Ok(page("committed").as_str())
        );
        let file = scratch.0.join("a.md");
        assert_eq!(history.repo_path(&file), Some(p("a.md")));
        assert_eq!(history.worktree_changes().unwrap(), [p("a.md")]);
        let since = history.since(&p("a.md"), first).unwrap();
        assert_eq!(since.head_blob, Some(since.then.unwrap().blob));
    }

    #[test]
    fn nested_repositories_are_found_and_not_entered() {
        if !git_available() {
            return;
        }
        let scratch = Scratch::new("nested");
        let site = TestRepo::init(&scratch.0);
        site.write("content/fr/a.md", &page("fr"));
        site.commit("site");
        let en = TestRepo::init(&scratch.0.join("content/en"));
        en.write("help/a.md", &page("en"));
        let en_first = en.commit("en");
        TestRepo::init(&scratch.0.join("content/en/help/inner"));
        // A worktree or submodule has a `.git` file.
        site.write("content/de/.git", "gitdir: /nowhere\n");
        let found = nested_repositories(&scratch.0.join("content"));
        let names: Vec<&Path> = found
            .iter()
            .map(|d| d.strip_prefix(&scratch.0).unwrap())
            .collect();
        assert_eq!(names, [Path::new("content/de"), Path::new("content/en")]);

        let repositories = vec![site.open(), en.open()];
        let file = scratch.0.join("content/en/help/a.md");
        let (owner, path) = containing(&repositories, &file).unwrap();
        assert_eq!(owner.top(), scratch.0.join("content/en"));
        assert_eq!(path, p("help/a.md"));
        assert!(owner.path_at(&path, en_first).is_ok());
    }

    #[test]
    fn a_shallow_clone_says_an_older_commit_may_be_beyond_its_history() {
        if !git_available() {
            return;
        }
        let scratch = Scratch::new("shallow");
        let origin = TestRepo::init(&scratch.0.join("origin"));
        origin.write("a.md", &page("one"));
        let oldest = origin.commit("one");
        origin.write("a.md", &page("two"));
        origin.commit("two");
        origin.write("a.md", &page("three"));
        let newest = origin.commit("three");
        let url = format!("file://{}", scratch.0.join("origin").display());
        let clone = scratch.0.join("clone");
        origin.git(&["clone", "-q", "--depth", "2", &url, clone.to_str().unwrap()]);
        let history = Repository::try_open(&clone).unwrap();
        assert!(history.is_shallow());
        assert_eq!(history.commit_count(), 2);
        let problem = history.resolve(&oldest.to_hex()).unwrap_err();
        assert!(matches!(
            problem,
            RevisionProblem::NotFound { shallow: true, .. }
        ));
        // The boundary commit has the file, as git shows it.
        assert_eq!(history.resolve(&newest.to_hex()), Ok(newest));
        let boundary = history
            .resolve(origin.git(&["rev-parse", "HEAD~1"]).trim())
            .unwrap();
        assert!(history.path_at(&p("a.md"), boundary).is_ok());
        assert_eq!(
            history.changed_since(&p("a.md"), boundary).unwrap().len(),
            1
        );
    }

    #[test]
    fn a_missing_git_is_told_apart_from_a_failing_one() {
        let missing = run_program("git-that-is-not-installed", Path::new("."), &[], None);
        assert!(matches!(missing, Err(GitFailure::NotInstalled)));
        if !git_available() {
            return;
        }
        let scratch = Scratch::new("failing");
        let failing = run_git(&scratch.0, &["no-such-command"], None);
        assert!(matches!(failing, Err(GitFailure::Failed { .. })));
    }

    #[test]
    fn a_source_repository_elsewhere_is_asked_by_paths_under_the_source_folder() {
        if !git_available() {
            return;
        }
        // `source_repository = "../x"`: x's top is the site's content/en/.
        let scratch = Scratch::new("elsewhere");
        let source = TestRepo::init(&scratch.0.join("x"));
        source.write("help/a.md", &page("en"));
        let first = source.commit("en");
        let site = scratch.0.join("site");
        let on_disk = site.join("content/en/help/a.md");
        let relative = on_disk.strip_prefix(site.join("content/en")).unwrap();
        let path = RepoPath::from_relative(relative);
        assert_eq!(path, p("help/a.md"));
        let history = source.open();
        assert!(history.repo_path(&on_disk).is_none());
        assert_eq!(history.path_at(&path, first).unwrap().path, path);
        assert_eq!(
            RepoPath::from_relative(Path::new("./a/../b/c.md")),
            p("b/c.md")
        );
    }

    #[test]
    fn the_history_can_be_shared_between_threads() {
        fn shareable<T: Send + Sync>() {}
        shareable::<Repository>();
    }

    #[test]
    fn missing_blobs_are_reported() {
        if !git_available() {
            return;
        }
        let scratch = Scratch::new("missing");
        let repo = TestRepo::init(&scratch.0);
        repo.write("a.md", &page("x"));
        repo.commit("one");
        let history = repo.open();
        let nowhere = ObjectId::from_hex(&"ab".repeat(20)).unwrap();
        assert_eq!(
            history.read_blobs(&[nowhere]),
            [Err(ReadProblem::Missing { blob: nowhere })]
        );
    }

    fn hex(digit: char) -> String {
        std::iter::repeat_n(digit, 40).collect()
    }

    #[test]
    fn the_log_is_read_field_by_field() {
        // Two commits; the second renames a file whose name holds a newline.
        let (a, b, blob) = (hex('a'), hex('b'), hex('c'));
        let zero = hex('0');
        let log = format!(
            "{b} 200 {a}\0\n:100644 100644 {blob} {blob} R100\0x\ny.md\0z.md\0\
             {a} 100 \0\n:000000 100644 {zero} {blob} A\0x\ny.md\0"
        );
        let parsed = parse_log(log.as_bytes()).unwrap();
        let repo = Repository::from_parsed(PathBuf::from("/top"), false, parsed);
        let old = ObjectId::from_hex(&a).unwrap();
        let since = repo.since(&p("z.md"), old).unwrap();
        assert_eq!(since.then.unwrap().path, p("x\ny.md"));
        assert_eq!(since.changes.len(), 1);
        assert!(parse_log(b":100644 100644").is_err());
        assert!(parse_log(b"zz 1 \0").is_err());
    }

    #[test]
    fn an_abbreviation_two_commits_share_is_ambiguous() {
        let one = format!("abcd1{}", &hex('0')[5..]);
        let two = format!("abcd2{}", &hex('0')[5..]);
        let log = format!("{one} 2 {two}\0{two} 1 \0");
        let repo =
            Repository::from_parsed(PathBuf::new(), true, parse_log(log.as_bytes()).unwrap());
        let Err(RevisionProblem::Ambiguous { candidates, .. }) = repo.resolve("abcd") else {
            panic!("not ambiguous");
        };
        assert_eq!(candidates.len(), 2);
        assert_eq!(repo.resolve("abcd2").unwrap().to_hex(), two);
        assert_eq!(
            repo.resolve("abce"),
            Err(RevisionProblem::NotFound {
                rev: "abce".into(),
                shallow: true
            })
        );
        assert!(
            repo.resolve("abce")
                .unwrap_err()
                .to_string()
                .contains("shallow")
        );
    }
}
