//! The engine `tolk serve` runs: the build's own steps, kept between
//! rebuilds (see `rebuild`), writing into a private folder.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::rebuild::IncrementalSite;
use super::{Engine, RebuildReport};
use crate::console::diagnostics::with_snippet;
use crate::model::{CONFIG_FILE, Diagnostic, ReadOptions, SiteConfig};
use crate::pipeline::BuildOptions;

/// The URL a file under the output folder is served at: `fr/index.html`
/// is `/fr/` (under the site's base path), `fr/404.html` is `/fr/404.html`.
fn url_of_output(base_path: &str, path: &str) -> String {
    let page = path.strip_suffix("index.html").unwrap_or(path);
    format!("{}/{page}", base_path.trim_end_matches('/'))
}

/// After the first full build, a change re-reads only the changed files and
/// re-renders only what they reach; config, template and theme changes
/// build everything again.
///
/// The site is built into a private temporary folder (removed when the
/// engine is dropped): serving from a folder of its own leaves `public/`
/// alone, so `tolk serve` never replaces a site built for publishing with
/// one in progress. Being outside the site, it is never seen by the watcher
/// nor picked up by git or a deploy step, and nothing needs to be ignored.
pub struct IncrementalEngine {
    root: PathBuf,
    options: BuildOptions,
    output: PathBuf,
    color: bool,
    site: Option<IncrementalSite>,
    _scratch: tempfile::TempDir,
}

impl IncrementalEngine {
    /// An engine for the site in `root` (the folder holding `tolk.toml`).
    pub fn new(root: impl AsRef<Path>, read: ReadOptions) -> Result<Self, String> {
        let (root, scratch, output) = private_output(root.as_ref())?;
        let options = BuildOptions {
            root: root.clone(),
            read,
            ..Default::default()
        };
        Ok(IncrementalEngine {
            root,
            options,
            output,
            color: std::io::stderr().is_terminal(),
            site: None,
            _scratch: scratch,
        })
    }

    /// What the server shows of a build's problems and its files.
    fn report(
        &self,
        diagnostics: &[Diagnostic],
        written: usize,
        elapsed: Duration,
        changed: &[PathBuf],
    ) -> RebuildReport {
        let errors: Vec<String> = diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| with_snippet(d, &self.root, self.color))
            .collect();
        RebuildReport {
            pages_written: if errors.is_empty() { written } else { 0 },
            warnings: diagnostics.len() - errors.len(),
            errors,
            elapsed,
            changed: changed
                .iter()
                .map(|p| p.strip_prefix(&self.root).unwrap_or(p).to_path_buf())
                .collect(),
            reloaded: false,
            changed_after_ready: Vec::new(),
        }
    }
}

/// The site folder (absolute, holding tolk.toml) and the private temporary
/// folder the served site is built into, deleted with the engine.
fn private_output(root: &Path) -> Result<(PathBuf, tempfile::TempDir, PathBuf), String> {
    let root =
        std::path::absolute(root).map_err(|err| format!("cannot find the site folder: {err}"))?;
    if !root.join(CONFIG_FILE).is_file() {
        return Err(format!(
            "no {CONFIG_FILE} in {}: run tolk serve in the site folder, or pass --root SITE",
            root.display()
        ));
    }
    let scratch = tempfile::Builder::new()
        .prefix("tolk-serve-")
        .tempdir()
        .map_err(|err| format!("cannot create a folder for the served site: {err}"))?;
    let output = scratch.path().join("site");
    Ok((root, scratch, output))
}

impl Engine for IncrementalEngine {
    fn full_build(&mut self) -> RebuildReport {
        match IncrementalSite::start(self.options.clone(), self.output.clone()) {
            Ok((site, report)) => {
                self.site = Some(site);
                let written =
                    report.pages_per_language.values().sum::<usize>() + report.fallback_pages;
                self.report(&report.diagnostics, written, report.elapsed, &[])
            }
            Err(report) => {
                self.site = None;
                self.report(&report.diagnostics, 0, report.elapsed, &[])
            }
        }
    }

    fn rebuild(&mut self, changed: &[PathBuf]) -> RebuildReport {
        self.rebuild_early(changed, &|| {})
    }

    fn rebuild_early(&mut self, changed: &[PathBuf], ready: &(dyn Fn() + Sync)) -> RebuildReport {
        let Some(site) = self.site.as_mut() else {
            return self.full_build();
        };
        let rebuild = site.rebuild_early(changed, ready);
        let base_path = site.site().config.base_path.clone();
        let mut report = self.report(
            &rebuild.diagnostics,
            rebuild.files_written,
            rebuild.elapsed,
            changed,
        );
        report.reloaded = rebuild.reloaded_early;
        report.changed_after_ready = rebuild
            .html_after_ready
            .iter()
            .map(|path| url_of_output(&base_path, path))
            .collect();
        report
    }

    fn output_dir(&self) -> PathBuf {
        self.output.clone()
    }

    /// The sources of the last build; before a build succeeded, those of the
    /// configuration if it loads, else `tolk.toml` alone (its repair starts
    /// a full build).
    fn watched(&self) -> Vec<PathBuf> {
        match &self.site {
            Some(site) => site.watched(),
            None => SiteConfig::load(&self.root)
                .map(|config| config.sources())
                .unwrap_or_else(|_| vec![self.root.join(CONFIG_FILE)]),
        }
    }

    fn base_path(&self) -> String {
        self.site
            .as_ref()
            .map_or_else(|| "/".to_string(), |s| s.site().config.base_path.clone())
    }
}
