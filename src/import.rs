//! Real-world input: a dump of translated files, flat or in folders, named
//! anyhow, with or without front matter or language. `tolk import` sorts it
//! into `content/<lang>/<slug>.md`; `tolk build --content DUMP` builds from it
//! directly with the same rules, writing nothing into the dump.
//!
//! A file's language comes from its front matter (`lang:`), else from its
//! path (a folder or suffix naming a configured language), else it is
//! detected from the text; below the detector's confidence threshold the file
//! is undecided and left out, never guessed. Translations of one page (by
//! exl-id, translation-key, path, or fingerprint suggestion) get one slug, so
//! their paths align in every language.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use walkdir::WalkDir;

use crate::align;
use crate::config::SiteConfig;
use crate::detect::Detector;
use crate::diagnostics::Diagnostic;
use crate::discover::{SourceFile, SourceFormat, relative_to};
use crate::fingerprint::Fingerprint;
use crate::frontmatter;
use crate::language;
use crate::plaintext;
use crate::read::{self, ReadOptions, SourcePage};
use crate::slug;
use crate::suggest;

/// How a file's language was found.
#[derive(Clone, Debug, PartialEq)]
pub enum LanguageEvidence {
    FrontMatter,
    Path,
    Detected { confidence: f64 },
}

/// A file of the dump, ready to become a page.
#[derive(Clone, Debug)]
pub struct ImportedPage {
    /// Where it is in the dump.
    pub source: PathBuf,
    pub evidence: LanguageEvidence,
    /// The page as the build sees it; its logical path is the aligned slug.
    pub page: SourcePage,
    /// The text to write into the site: Markdown with front matter.
    pub text: String,
}

impl ImportedPage {
    /// `content/<lang>/<slug>.md` under `content_dir`.
    pub fn destination(&self, content_dir: &Path) -> PathBuf {
        content_dir
            .join(&self.page.lang)
            .join(format!("{}.md", self.page.file.logical_path))
    }
}

/// A file whose language could not be told with confidence.
#[derive(Clone, Debug, PartialEq)]
pub struct Undecided {
    pub source: PathBuf,
    /// The best guess and its confidence, had it been taken.
    pub best_guess: Option<(String, f64)>,
    pub runner_up: Option<(String, f64)>,
}

#[derive(Debug, Default)]
pub struct ImportPlan {
    pub pages: Vec<ImportedPage>,
    pub undecided: Vec<Undecided>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads every `.md`, `.markdown` and `.txt` file under `dump` and decides
/// its language, format and slug.
pub fn plan(config: &SiteConfig, dump: &Path, options: ReadOptions) -> ImportPlan {
    let tags: Vec<String> = config.languages.iter().map(|l| l.tag.clone()).collect();
    let detector = Detector::new(&tags);
    let (files, mut diagnostics) = dump_files(dump);
    let results: Vec<FileOutcome> = files
        .par_iter()
        .map(|file| import_file(config, &detector, dump, file, options))
        .collect();
    let mut plan = ImportPlan::default();
    for outcome in results {
        diagnostics.extend(outcome.notes);
        match outcome.result {
            Ok(Some(page)) => plan.pages.push(page),
            Ok(None) => {}
            Err(undecided) => plan.undecided.push(undecided),
        }
    }
    let (slugs, problems) = aligned_slugs(config, &plan.pages);
    diagnostics.extend(problems);
    for (page, slug) in plan.pages.iter_mut().zip(slugs) {
        page.page.file.logical_path = slug;
    }
    plan.diagnostics = diagnostics;
    plan
}

fn dump_files(dump: &Path) -> (Vec<PathBuf>, Vec<Diagnostic>) {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    let walker = WalkDir::new(dump)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walker {
        match entry {
            Ok(entry) if entry.file_type().is_file() && has_text_extension(entry.path()) => {
                files.push(entry.into_path());
            }
            Ok(_) => {}
            Err(err) => problems.push(Diagnostic::error(format!("cannot read the dump: {err}"))),
        }
    }
    if !dump.is_dir() {
        problems.push(Diagnostic::error(format!(
            "{} is not a folder",
            dump.display()
        )));
    }
    (files, problems)
}

fn has_text_extension(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("md" | "markdown" | "txt")
    )
}

struct FileOutcome {
    /// `Ok(None)`: the file had an error (in `notes`).
    result: Result<Option<ImportedPage>, Undecided>,
    notes: Vec<Diagnostic>,
}

fn import_file(
    config: &SiteConfig,
    detector: &Detector,
    dump: &Path,
    path: &Path,
    options: ReadOptions,
) -> FileOutcome {
    let mut notes = Vec::new();
    let display = dump.join(relative_to(dump, path));
    let result = read::read_text(path, &display, options, &mut notes)
        .and_then(|text| decide(config, detector, dump, path, &display, &text));
    match result {
        Ok(Decision::Page(page)) => FileOutcome {
            result: Ok(Some(*page)),
            notes,
        },
        Ok(Decision::Undecided(undecided)) => FileOutcome {
            result: Err(undecided),
            notes,
        },
        Err(problem) => {
            notes.push(problem);
            FileOutcome {
                result: Ok(None),
                notes,
            }
        }
    }
}

enum Decision {
    Page(Box<ImportedPage>),
    Undecided(Undecided),
}

fn decide(
    config: &SiteConfig,
    detector: &Detector,
    dump: &Path,
    path: &Path,
    display: &Path,
    text: &str,
) -> Result<Decision, Diagnostic> {
    let at = |line, column, message| Diagnostic::error(message).in_file(display).at(line, column);
    let split = frontmatter::split(text).map_err(|e| at(e.line, e.column, e.message))?;
    let front = match split.yaml {
        Some(yaml) => frontmatter::parse(yaml, 2).map_err(|e| at(e.line, e.column, e.message))?,
        None => frontmatter::FrontMatter::default(),
    };
    let plain = split.yaml.is_none() && !plaintext::looks_like_markdown(split.body);
    let given = match &front.lang {
        Some(lang) => Some((
            language::normalize_tag(lang).map_err(|m| at(1, 1, m))?,
            LanguageEvidence::FrontMatter,
        )),
        None => language_in_path(config, &relative_to(dump, path))
            .map(|tag| (tag, LanguageEvidence::Path)),
    };
    let (lang, evidence) = match given {
        Some(given) => given,
        None => {
            let detection = detector.detect(text);
            match detection.language {
                Some(tag) => (
                    tag,
                    LanguageEvidence::Detected {
                        confidence: detection.confidence,
                    },
                ),
                None => {
                    return Ok(Decision::Undecided(Undecided {
                        source: display.to_path_buf(),
                        best_guess: detection.best_guess.map(|tag| (tag, detection.confidence)),
                        runner_up: detection.runner_up,
                    }));
                }
            }
        }
    };
    let file = SourceFile {
        path: path.to_path_buf(),
        display_path: display.to_path_buf(),
        format: if plain {
            SourceFormat::PlainText
        } else {
            SourceFormat::Markdown
        },
        folder_language: Some(lang),
        suffix_language: None,
        logical_path: logical_path_in_dump(config, &relative_to(dump, path)),
    };
    let page = read::parse_page(config, file, text, None)?;
    let text = site_text(&page, split.yaml.is_some(), text);
    Ok(Decision::Page(Box::new(ImportedPage {
        source: display.to_path_buf(),
        evidence,
        page,
        text,
    })))
}

/// A folder or file-name suffix naming a configured language.
fn language_in_path(config: &SiteConfig, relative: &Path) -> Option<String> {
    let mut names: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let file_name = names.pop()?;
    let stem = file_name
        .rsplit_once('.')
        .map_or(file_name.as_str(), |(stem, _)| stem);
    let suffix = stem.rsplit_once('.').map(|(_, suffix)| suffix.to_string());
    suffix
        .into_iter()
        .chain(names)
        .find_map(|name| configured(config, &name))
}

fn configured(config: &SiteConfig, name: &str) -> Option<String> {
    let tag = language::normalize_tag(name).ok()?;
    config.language(&tag).map(|l| l.tag.clone())
}

/// The path in the dump without language folders or suffix: pages placed
/// alike in the dump (`fr/a.md`, `nl/a.md`) align by it.
fn logical_path_in_dump(config: &SiteConfig, relative: &Path) -> String {
    let mut names: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .filter(|name| configured(config, name).is_none())
        .collect();
    if let Some(last) = names.pop() {
        let stem = last
            .rsplit_once('.')
            .map_or(last.as_str(), |(stem, _)| stem);
        let stem = match stem.rsplit_once('.') {
            Some((base, suffix)) if configured(config, suffix).is_some() => base,
            _ => stem,
        };
        names.push(stem.to_string());
    }
    names.join("/")
}

/// The file to write: the text as it is when it has front matter; else a
/// title in new front matter, and plain text turned into Markdown.
fn site_text(page: &SourcePage, has_front_matter: bool, original: &str) -> String {
    if has_front_matter {
        return original.to_string();
    }
    format!(
        "---\ntitle: {}\n---\n\n{}",
        yaml_string(&page.title),
        page.body().unwrap_or_default()
    )
}

/// A double-quoted YAML string, safe for any title.
fn yaml_string(text: &str) -> String {
    let escaped = text.replace('\\', "\\\\").replace('"', "\\\"");
    format!("\"{escaped}\"")
}

/// One slug per translation group, from the title of its page in the source
/// language, else in the first configured language; unique across groups.
fn aligned_slugs(config: &SiteConfig, imported: &[ImportedPage]) -> (Vec<String>, Vec<Diagnostic>) {
    let pages: Vec<SourcePage> = imported.iter().map(|p| p.page.clone()).collect();
    let (mut alignment, problems) = align::align(&pages);
    let fingerprints: Vec<Fingerprint> = pages
        .par_iter()
        .map(|p| Fingerprint::of_markdown(&p.body().unwrap_or_default()))
        .collect();
    let suggestions = suggest::suggest(&pages, &alignment, &fingerprints);
    suggest::apply(&pages, &mut alignment, &suggestions);
    let mut taken = HashSet::new();
    let mut slug_of_group: BTreeMap<usize, String> = BTreeMap::new();
    for (index, group) in alignment.groups.iter().enumerate() {
        let naming = std::iter::once(config.source_language.as_str())
            .chain(config.languages.iter().map(|l| l.tag.as_str()))
            .find_map(|tag| group.pages.get(tag));
        if let Some(&page) = naming {
            slug_of_group.insert(
                index,
                slug::unique(slug::slugify(&pages[page].title), &mut taken),
            );
        }
    }
    let slugs = (0..pages.len())
        .map(|page| {
            slug_of_group
                .get(&alignment.group_of_page[page])
                .cloned()
                .unwrap_or_default()
        })
        .collect();
    (slugs, problems)
}

/// What `write` did, or would do with `dry_run`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    Write {
        from: PathBuf,
        to: PathBuf,
    },
    Overwrite {
        from: PathBuf,
        to: PathBuf,
    },
    /// The destination exists and `--force` was not given.
    Skip {
        from: PathBuf,
        to: PathBuf,
    },
}

/// Writes the planned pages into `content_dir`. Existing files are kept
/// unless `force`; nothing is written with `dry_run`.
pub fn write(
    plan: &ImportPlan,
    content_dir: &Path,
    force: bool,
    dry_run: bool,
) -> (Vec<Action>, Vec<Diagnostic>) {
    let mut actions = Vec::new();
    let mut problems = Vec::new();
    for page in &plan.pages {
        let to = page.destination(content_dir);
        let from = page.source.clone();
        let exists = to.exists();
        let writes = force || !exists;
        if !dry_run
            && writes
            && let Err(err) = write_file(&to, &page.text)
        {
            problems.push(Diagnostic::error(format!(
                "cannot write {}: {err}",
                to.display()
            )));
            continue;
        }
        actions.push(match (exists, force) {
            (true, false) => Action::Skip { from, to },
            (true, true) => Action::Overwrite { from, to },
            (false, _) => Action::Write { from, to },
        });
    }
    (actions, problems)
}

fn write_file(to: &Path, text: &str) -> std::io::Result<()> {
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(to, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> SiteConfig {
        let text = "title='t'\nbase_url='https://x.org/'\n[[languages]]\ntag='fr'\n[[languages]]\ntag='nl'\n";
        SiteConfig::parse(Path::new("/site"), text).unwrap()
    }

    #[test]
    fn finds_languages_in_folders_and_suffixes() {
        let config = config();
        assert_eq!(
            language_in_path(&config, Path::new("nl/a.md")).as_deref(),
            Some("nl")
        );
        assert_eq!(
            language_in_path(&config, Path::new("x/a.fr.md")).as_deref(),
            Some("fr")
        );
        assert_eq!(language_in_path(&config, Path::new("000_8bb1.txt")), None);
        assert_eq!(language_in_path(&config, Path::new("de/a.md")), None);
    }

    #[test]
    fn logical_paths_drop_language_folders_and_suffixes() {
        let config = config();
        assert_eq!(
            logical_path_in_dump(&config, Path::new("nl/guide/a.md")),
            "guide/a"
        );
        assert_eq!(
            logical_path_in_dump(&config, Path::new("guide/a.fr.txt")),
            "guide/a"
        );
        assert_eq!(
            logical_path_in_dump(&config, Path::new("000_8bb1.txt")),
            "000_8bb1"
        );
    }

    #[test]
    fn titles_are_quoted_safely() {
        assert_eq!(
            yaml_string("Qu'est-ce que \"B2B\" ?"),
            "\"Qu'est-ce que \\\"B2B\\\" ?\""
        );
        let parsed =
            frontmatter::parse(&format!("title: {}\n", yaml_string("a: \"b\" \\ c")), 2).unwrap();
        assert_eq!(parsed.title.as_deref(), Some("a: \"b\" \\ c"));
    }
}
