//! The git histories a site's files live in, opened once per build:
//!
//! - the repository holding the content folder, when there is one;
//! - repositories nested under the content folder, found by themselves
//!   (Adobe publishes each language of a guide as a repository of its own,
//!   which a team clones into `content/<lang>/`);
//! - the source language's repository kept elsewhere, named by
//!   `source_repository` in `tolk.toml`: its top stands for the folder
//!   `content/<source language>/`.
//!
//! A file is answered for by the deepest repository that holds it.

use std::path::{Path, PathBuf};

use super::history::{self, CommitInfo, OpenProblem, RepoPath, Repository};
use crate::model::SiteConfig;

/// Every repository of the site, with the reason when a file has none.
#[derive(Debug, Default)]
pub(crate) struct Histories {
    repositories: Vec<Repository>,
    /// The configured `source_repository` (an index into `repositories`)
    /// and the folder it stands for.
    source: Option<(usize, PathBuf)>,
    /// Why the content folder is in no repository.
    content_problem: Option<String>,
    /// The content folder as given and with its symbolic links resolved:
    /// files under it are located without resolving each one's folders
    /// again (a system call per folder of every page).
    content_dir: PathBuf,
    canonical_content_dir: PathBuf,
    /// Why the configured source repository cannot be read.
    source_problem: Option<(PathBuf, String)>,
}

impl Histories {
    /// Opens the content folder's repository, the repositories nested in
    /// it and the configured source repository.
    pub(crate) fn open(config: &SiteConfig) -> Histories {
        let mut histories = Histories {
            content_dir: config.content_dir.clone(),
            canonical_content_dir: config
                .content_dir
                .canonicalize()
                .unwrap_or_else(|_| config.content_dir.clone()),
            ..Histories::default()
        };
        match Repository::try_open(&config.content_dir) {
            Ok(repository) => histories.repositories.push(repository),
            Err(problem @ OpenProblem::GitNotInstalled) => {
                histories.content_problem = Some(problem.to_string());
                return histories;
            }
            Err(OpenProblem::NotARepository { .. }) => {
                // Without its folder: the reason appears in the report
                // and on the status page, which must not depend on where
                // the site is.
                histories.content_problem =
                    Some("the content folder is in no git repository".to_string());
            }
            Err(problem) => histories.content_problem = Some(problem.to_string()),
        }
        let nested = history::nested_repositories(&config.content_dir);
        histories
            .repositories
            .extend(nested.iter().filter_map(|top| Repository::open(top)));
        if let Some(dir) = &config.source_repository {
            let folder = config.content_dir.join(&config.source_language);
            match Repository::try_open(dir) {
                Ok(repository) => {
                    histories.source = Some((histories.repositories.len(), folder));
                    histories.repositories.push(repository);
                }
                Err(problem) => {
                    let why = match problem {
                        OpenProblem::NotARepository { .. } => {
                            "`source_repository` is not a git repository".to_string()
                        }
                        other => format!("`source_repository` cannot be read: {other}"),
                    };
                    histories.source_problem = Some((folder, why));
                }
            }
        }
        histories
    }

    /// The repository that answers for `file`, and the file's path in it:
    /// for the source language's pages, the configured source repository
    /// when there is one; else the deepest repository holding the file.
    pub(crate) fn locate(&self, file: &Path) -> Option<(&Repository, RepoPath)> {
        if let Some((index, folder)) = &self.source
            && let Ok(relative) = file.strip_prefix(folder)
        {
            return Some((
                &self.repositories[*index],
                RepoPath::from_relative(relative),
            ));
        }
        history::containing(&self.repositories, &self.canonical(file))
    }

    /// `file` absolute, its folders' symbolic links resolved.
    fn canonical(&self, file: &Path) -> PathBuf {
        if let Ok(relative) = file.strip_prefix(&self.content_dir) {
            return self.canonical_content_dir.join(relative);
        }
        let absolute = std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf());
        match (absolute.parent(), absolute.file_name()) {
            (Some(parent), Some(name)) => parent
                .canonicalize()
                .map_or_else(|_| absolute.clone(), |p| p.join(name)),
            _ => absolute,
        }
    }

    /// The last commit that changed `file`.
    pub(crate) fn last_change(&self, file: &Path) -> Option<CommitInfo> {
        let (repository, path) = self.locate(file)?;
        repository.last_change(&path)
    }

    /// Why `file` has no history: no repository holds it, git is missing,
    /// the source repository cannot be read.
    pub(crate) fn why_none(&self, file: &Path) -> String {
        if let Some((folder, why)) = &self.source_problem
            && file.starts_with(folder)
        {
            return why.clone();
        }
        match (self.locate(file), &self.content_problem) {
            (Some(_), _) => "the file has never been committed".to_string(),
            (None, Some(why)) => why.clone(),
            (None, None) => "the file is in no git repository".to_string(),
        }
    }

    /// When a revision of the source was committed, when the source
    /// language's repository has it.
    pub(crate) fn revision_time(&self, revision: &str) -> Option<i64> {
        let repository = match &self.source {
            Some((index, _)) => &self.repositories[*index],
            None => self.repositories.first()?,
        };
        let commit = repository.resolve(revision).ok()?;
        repository.commit_time(commit)
    }
}
