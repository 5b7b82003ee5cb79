//! Real-world input: a dump of translated files, flat or in folders, named
//! anyhow, with or without front matter or language. `tolk import` sorts it
//! into `content/<lang>/<slug>.md`; `tolk build --content DUMP` builds from it
//! directly with the same rules, writing nothing into the dump.
//!
//! A file's language comes from its front matter (`lang:`), else from its
//! path (a folder or suffix naming a configured language), else it is
//! detected from the text; below the detector's confidence threshold the file
//! is undecided and left out, never guessed.
//!
//! Files that share an `exl-id` are translations of one page, so each is in
//! a different language: a file whose language is known rules that language
//! out for its partners, whose own detection may then be confident enough
//! (see [`Detector::rule_out`]); two of them read as the same language are a
//! conflict, reported, and neither detected one is placed.
//!
//! Translations of one page (by exl-id, translation-key, path, or
//! fingerprint suggestion) get one slug, so their paths align in every
//! language.
pub mod detect;
mod slug;

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use walkdir::WalkDir;

use crate::align;
use crate::align::suggest;
use crate::config::language;
use crate::discover::relative_to;
use crate::import::detect::{Detection, Detector};
use crate::model::Diagnostic;
use crate::model::Fingerprint;
use crate::model::SiteConfig;
use crate::model::{ReadOptions, SourcePage};
use crate::model::{SourceFile, SourceFormat};
use crate::read;
use crate::read::front_matter;
use crate::read::plaintext;

/// How a file's language was found.
#[derive(Clone, Debug, PartialEq)]
pub enum LanguageEvidence {
    FrontMatter,
    Path,
    Detected {
        confidence: f64,
    },
    /// Detected once the languages of the file's translations (files of
    /// the same exl-id) were ruled out; on its own the text was too unsure.
    DetectedInGroup {
        confidence: f64,
        ruled_out: Vec<String>,
    },
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
    let (paths, mut diagnostics) = dump_files(dump);
    let files = read_dump_files(config, &detector, dump, &paths, options, &mut diagnostics);
    let (placements, conflicts) = place_languages(&detector, &files);
    diagnostics.extend(conflicts);
    let mut pages = build_pages(config, dump, &files, &placements, &mut diagnostics);
    let (slugs, problems) = aligned_slugs(config, &pages);
    diagnostics.extend(problems);
    for (page, slug) in pages.iter_mut().zip(slugs) {
        page.page.file.logical_path = slug;
    }
    ImportPlan {
        pages,
        undecided: files
            .iter()
            .zip(&placements)
            .filter(|(_, placement)| !matches!(placement, Placement::Placed(..)))
            .map(|(file, _)| file.undecided())
            .collect(),
        diagnostics,
    }
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

/// A file of the dump, read, with what is known of its language.
struct DumpFile {
    path: PathBuf,
    /// The path to show: under the dump as given.
    display: PathBuf,
    text: String,
    /// The translation group the front matter names, if any.
    exl_id: Option<String>,
    language: KnownLanguage,
}

/// What the front matter, the path or the text say about a file's language.
enum KnownLanguage {
    Given(String, LanguageEvidence),
    Detected(Detection),
}

impl DumpFile {
    /// The language the file is placed in on its own evidence, before its
    /// translations are considered.
    fn own_placement(&self) -> Placement {
        match &self.language {
            KnownLanguage::Given(lang, evidence) => {
                Placement::Placed(lang.clone(), evidence.clone())
            }
            KnownLanguage::Detected(detection) => match &detection.language {
                Some(lang) => Placement::Placed(
                    lang.clone(),
                    LanguageEvidence::Detected {
                        confidence: detection.confidence,
                    },
                ),
                None => Placement::Open,
            },
        }
    }

    /// The file as listed when left out, with its own detection's guesses.
    fn undecided(&self) -> Undecided {
        let detection = match &self.language {
            KnownLanguage::Detected(detection) => Some(detection),
            KnownLanguage::Given(..) => None,
        };
        Undecided {
            source: self.display.clone(),
            best_guess: detection.and_then(|d| d.best_guess.clone().map(|tag| (tag, d.confidence))),
            runner_up: detection.and_then(|d| d.runner_up.clone()),
        }
    }

    fn is_detected(&self) -> bool {
        matches!(self.language, KnownLanguage::Detected(_))
    }
}

/// The files of the dump that could be read, in the order of `paths`.
fn read_dump_files(
    config: &SiteConfig,
    detector: &Detector,
    dump: &Path,
    paths: &[PathBuf],
    options: ReadOptions,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<DumpFile> {
    let read: Vec<(Option<DumpFile>, Vec<Diagnostic>)> = paths
        .par_iter()
        .map(|path| read_dump_file(config, detector, dump, path, options))
        .collect();
    let mut files = Vec::with_capacity(read.len());
    for (file, notes) in read {
        diagnostics.extend(notes);
        files.extend(file);
    }
    files
}

/// Reads a file and finds what its front matter, path or text say about its
/// language. `None` (with the error in the notes) when it cannot be read.
fn read_dump_file(
    config: &SiteConfig,
    detector: &Detector,
    dump: &Path,
    path: &Path,
    options: ReadOptions,
) -> (Option<DumpFile>, Vec<Diagnostic>) {
    let mut notes = Vec::new();
    let display = dump.join(relative_to(dump, path));
    let file = read::read_text(path, &display, options, &mut notes).and_then(|text| {
        let (exl_id, language) = known_language(config, detector, dump, path, &display, &text)?;
        Ok(DumpFile {
            path: path.to_path_buf(),
            display: display.clone(),
            text,
            exl_id,
            language,
        })
    });
    match file {
        Ok(file) => (Some(file), notes),
        Err(problem) => {
            notes.push(problem);
            (None, notes)
        }
    }
}

/// The file's exl-id and what is known of its language: `lang:`, else a
/// language in its path, else detection over its text (title and
/// description included).
fn known_language(
    config: &SiteConfig,
    detector: &Detector,
    dump: &Path,
    path: &Path,
    display: &Path,
    text: &str,
) -> Result<(Option<String>, KnownLanguage), Diagnostic> {
    let at = |line, column, message| Diagnostic::error(message).in_file(display).at(line, column);
    let split = front_matter::split(text).map_err(|e| at(e.line, e.column, e.message))?;
    let front = match split.yaml {
        Some(yaml) => front_matter::parse(yaml, 2).map_err(|e| at(e.line, e.column, e.message))?,
        None => crate::model::FrontMatter::default(),
    };
    let language = match &front.lang {
        Some(lang) => KnownLanguage::Given(
            language::normalize_tag(lang).map_err(|m| at(1, 1, m))?,
            LanguageEvidence::FrontMatter,
        ),
        None => match language_in_path(config, &relative_to(dump, path)) {
            Some(tag) => KnownLanguage::Given(tag, LanguageEvidence::Path),
            None => KnownLanguage::Detected(detector.detect(text)),
        },
    };
    Ok((front.exl_id, language))
}

/// Where a file's language stands while the translation groups are worked
/// through.
#[derive(Clone, Debug, PartialEq)]
enum Placement {
    Placed(String, LanguageEvidence),
    /// Detection was not confident (yet).
    Open,
    /// Read as the language of another file of its group: left out.
    Conflict,
}

/// Each file's placement: its own, then, within each translation group,
/// conflicts set apart and open files decided again with their partners'
/// languages ruled out, until nothing changes (a file placed that way rules
/// its language out in turn).
fn place_languages(detector: &Detector, files: &[DumpFile]) -> (Vec<Placement>, Vec<Diagnostic>) {
    let mut placements: Vec<Placement> = files.iter().map(DumpFile::own_placement).collect();
    let groups = translation_groups(files);
    let mut conflicts = Vec::new();
    for group in &groups {
        conflicts.extend(set_apart_conflicts(files, group, &mut placements));
    }
    loop {
        let mut changed = false;
        for group in &groups {
            for (member, placement) in
                placements_by_elimination(detector, files, group, &placements)
            {
                placements[member] = placement;
                changed = true;
            }
        }
        if !changed {
            return (placements, conflicts);
        }
    }
}

/// Indices of the files sharing each exl-id, for ids held by two files or
/// more.
fn translation_groups(files: &[DumpFile]) -> Vec<Vec<usize>> {
    let mut by_id: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (index, file) in files.iter().enumerate() {
        if let Some(id) = file.exl_id.as_deref() {
            by_id.entry(id).or_default().push(index);
        }
    }
    by_id
        .into_values()
        .filter(|members| members.len() > 1)
        .collect()
}

/// Files of one group placed in the same language, at least one of them by
/// detection: translations are in different languages, so a detection is
/// wrong (or the exl-id was copied). The detected files are set apart as
/// conflicts, and a warning names every file involved.
fn set_apart_conflicts(
    files: &[DumpFile],
    group: &[usize],
    placements: &mut [Placement],
) -> Vec<Diagnostic> {
    let mut by_language: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for &member in group {
        if let Placement::Placed(lang, _) = &placements[member] {
            by_language.entry(lang.clone()).or_default().push(member);
        }
    }
    let mut warnings = Vec::new();
    for (lang, members) in by_language {
        let detected: Vec<usize> = members
            .iter()
            .copied()
            .filter(|&m| files[m].is_detected())
            .collect();
        if members.len() < 2 || detected.is_empty() {
            continue;
        }
        for &member in &detected {
            placements[member] = Placement::Conflict;
        }
        warnings.push(conflict_warning(files, &members, &detected, &lang));
    }
    warnings
}

fn conflict_warning(
    files: &[DumpFile],
    members: &[usize],
    detected: &[usize],
    lang: &str,
) -> Diagnostic {
    let names: Vec<String> = members
        .iter()
        .map(|&m| format!("`{}`", files[m].display.display()))
        .collect();
    let id = files[members[0]].exl_id.as_deref().unwrap_or_default();
    Diagnostic::warning(format!(
        "{} share exl-id {id}, so each should be in a different language, \
         but all come out as {lang}; left out: {}",
        names.join(" and "),
        if detected.len() == 1 {
            "the detected one"
        } else {
            "the detected ones"
        },
    ))
    .in_file(&files[detected[0]].display)
    .with_help("add `lang:` to the front matter of the files whose language is known")
}

/// Open files of a group that are decided once the languages placed in the
/// group are ruled out. When two of them would take the same language,
/// neither does.
fn placements_by_elimination(
    detector: &Detector,
    files: &[DumpFile],
    group: &[usize],
    placements: &[Placement],
) -> Vec<(usize, Placement)> {
    let mut taken: Vec<String> = group
        .iter()
        .filter_map(|&member| match &placements[member] {
            Placement::Placed(lang, _) => Some(lang.clone()),
            Placement::Open | Placement::Conflict => None,
        })
        .collect();
    taken.sort();
    if taken.is_empty() {
        return Vec::new();
    }
    let decided: Vec<(usize, String, f64)> = group
        .iter()
        .filter(|&&member| placements[member] == Placement::Open)
        .filter_map(|&member| match &files[member].language {
            KnownLanguage::Detected(detection) => {
                let again = detector.rule_out(detection, &taken);
                again.language.map(|lang| (member, lang, again.confidence))
            }
            KnownLanguage::Given(..) => None,
        })
        .collect();
    decided
        .iter()
        .filter(|(_, lang, _)| decided.iter().filter(|(_, other, _)| other == lang).count() == 1)
        .map(|(member, lang, confidence)| {
            let evidence = LanguageEvidence::DetectedInGroup {
                confidence: *confidence,
                ruled_out: taken.clone(),
            };
            (*member, Placement::Placed(lang.clone(), evidence))
        })
        .collect()
}

/// The pages of the placed files, in file order.
fn build_pages(
    config: &SiteConfig,
    dump: &Path,
    files: &[DumpFile],
    placements: &[Placement],
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<ImportedPage> {
    let built: Vec<Result<ImportedPage, Diagnostic>> = files
        .par_iter()
        .zip(placements)
        .filter_map(|(file, placement)| match placement {
            Placement::Placed(lang, evidence) => {
                Some(build_page(config, dump, file, lang, evidence.clone()))
            }
            Placement::Open | Placement::Conflict => None,
        })
        .collect();
    let mut pages = Vec::with_capacity(built.len());
    for page in built {
        match page {
            Ok(page) => pages.push(page),
            Err(problem) => diagnostics.push(problem),
        }
    }
    pages
}

/// The page of a file placed in `lang`.
fn build_page(
    config: &SiteConfig,
    dump: &Path,
    file: &DumpFile,
    lang: &str,
    evidence: LanguageEvidence,
) -> Result<ImportedPage, Diagnostic> {
    let split = front_matter::split(&file.text).map_err(|e| {
        Diagnostic::error(e.message)
            .in_file(&file.display)
            .at(e.line, e.column)
    })?;
    let plain = split.yaml.is_none() && !plaintext::looks_like_markdown(split.body);
    let source = SourceFile {
        path: file.path.clone(),
        display_path: file.display.clone(),
        format: if plain {
            SourceFormat::PlainText
        } else {
            SourceFormat::Markdown
        },
        folder_language: Some(lang.to_string()),
        suffix_language: None,
        logical_path: logical_path_in_dump(config, &relative_to(dump, &file.path)),
    };
    let page = read::parse_page(config, source, &file.text, None)?;
    let text = site_text(&page, split.yaml.is_some(), &file.text);
    Ok(ImportedPage {
        source: file.display.clone(),
        evidence,
        page,
        text,
    })
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
        crate::read::page_body(page).unwrap_or_default()
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
        .map(|p| Fingerprint::of_markdown(&crate::read::page_body(p).unwrap_or_default()))
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
            front_matter::parse(&format!("title: {}\n", yaml_string("a: \"b\" \\ c")), 2).unwrap();
        assert_eq!(parsed.title.as_deref(), Some("a: \"b\" \\ c"));
    }
}
