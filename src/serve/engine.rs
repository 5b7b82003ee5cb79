//! The simplest engine: the whole `tolk build` on every change.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use crate::model::ReadOptions;
use crate::model::{CONFIG_FILE, SiteConfig};
use crate::pipeline::{self, BuildOptions, BuildReport};

use super::{Engine, RebuildReport};

/// Rebuilds the whole site on every change, exactly as `tolk build` does,
/// into a private temporary folder (removed when the engine is dropped).
///
/// Serving from a folder of its own leaves `public/` alone, so `tolk serve`
/// never replaces a site built for publishing with one in progress. Being
/// outside the site, it is never seen by the watcher nor picked up by git or
/// a deploy step, and nothing needs to be ignored.
pub struct FullRebuildEngine {
    root: PathBuf,
    options: BuildOptions,
    output: PathBuf,
    color: bool,
    /// From the last configuration that loaded, so a broken `tolk.toml`
    /// keeps the previous watches.
    watched: Vec<PathBuf>,
    base_path: String,
    _scratch: tempfile::TempDir,
}

impl FullRebuildEngine {
    /// An engine for the site in `root` (the folder holding `tolk.toml`).
    pub fn new(root: impl AsRef<Path>, read: ReadOptions) -> Result<Self, String> {
        let (root, scratch, output) = private_output(root.as_ref())?;
        let mut engine = FullRebuildEngine {
            options: BuildOptions {
                root: root.clone(),
                out: Some(output.clone()),
                read,
                ..Default::default()
            },
            watched: watched(&root, &root.join("content"), &root.join("themes")),
            root,
            output,
            color: std::io::stderr().is_terminal(),
            base_path: "/".to_string(),
            _scratch: scratch,
        };
        engine.follow_config();
        Ok(engine)
    }

    fn build(&mut self, changed: &[PathBuf]) -> RebuildReport {
        let report = pipeline::build(&self.options);
        self.follow_config();
        self.convert(&report, changed)
    }

    fn convert(&self, report: &BuildReport, changed: &[PathBuf]) -> RebuildReport {
        let errors = report
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| crate::console::diagnostics::with_snippet(d, &self.root, self.color))
            .collect();
        let pages_written = match report.published_to {
            Some(_) => report.pages_per_language.values().sum::<usize>() + report.fallback_pages,
            None => 0,
        };
        RebuildReport {
            pages_written,
            errors,
            warnings: report.warnings(),
            elapsed: report.elapsed,
            changed: changed
                .iter()
                .map(|p| p.strip_prefix(&self.root).unwrap_or(p).to_path_buf())
                .collect(),
            reloaded: false,
        }
    }

    /// Takes the folders to watch and the base path from the configuration,
    /// when it loads.
    fn follow_config(&mut self) {
        if let Ok(config) = SiteConfig::load(&self.root) {
            self.watched = watched(&self.root, &config.content_dir, &config.theme_dir());
            self.base_path = config.base_path;
        }
    }
}

/// What a site is made of: its configuration, content, theme, and the
/// site's own templates, static files and UI strings.
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

fn watched(root: &Path, content: &Path, theme: &Path) -> Vec<PathBuf> {
    vec![
        root.join(CONFIG_FILE),
        content.to_path_buf(),
        theme.to_path_buf(),
        root.join("templates"),
        root.join("static"),
        root.join("i18n"),
    ]
}

impl Engine for FullRebuildEngine {
    fn full_build(&mut self) -> RebuildReport {
        self.build(&[])
    }

    fn rebuild(&mut self, changed: &[PathBuf]) -> RebuildReport {
        self.build(changed)
    }

    fn output_dir(&self) -> PathBuf {
        self.output.clone()
    }

    fn watched(&self) -> Vec<PathBuf> {
        self.watched.clone()
    }

    fn base_path(&self) -> String {
        self.base_path.clone()
    }
}

/// The engine `tolk serve` uses: after the first full build, a change
/// re-reads only the changed files and re-renders only what they touch
/// (see `crate::serve::rebuild`); config, template and theme changes rebuild
/// everything. The served folder is private, like [`FullRebuildEngine`]'s.
pub struct IncrementalEngine {
    root: PathBuf,
    options: BuildOptions,
    output: PathBuf,
    color: bool,
    site: Option<crate::serve::rebuild::IncrementalSite>,
    _scratch: tempfile::TempDir,
}

impl IncrementalEngine {
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

    fn report(
        &self,
        diagnostics: &[crate::model::diagnostic::Diagnostic],
        written: usize,
        elapsed: std::time::Duration,
        changed: &[PathBuf],
    ) -> RebuildReport {
        let errors: Vec<String> = diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| crate::console::diagnostics::with_snippet(d, &self.root, self.color))
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
        }
    }
}

impl Engine for IncrementalEngine {
    fn full_build(&mut self) -> RebuildReport {
        match crate::serve::rebuild::IncrementalSite::start(
            self.options.clone(),
            self.output.clone(),
        ) {
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
        let mut report = self.report(
            &rebuild.diagnostics,
            rebuild.files_written,
            rebuild.elapsed,
            changed,
        );
        report.reloaded = rebuild.reloaded_early;
        report
    }

    fn output_dir(&self) -> PathBuf {
        self.output.clone()
    }

    fn watched(&self) -> Vec<PathBuf> {
        match &self.site {
            Some(site) => site.watched(),
            None => watched(
                &self.root,
                &self.root.join("content"),
                &self.root.join("themes"),
            ),
        }
    }

    fn base_path(&self) -> String {
        self.site
            .as_ref()
            .map_or_else(|| "/".to_string(), |s| s.site().config.base_path.clone())
    }
}
