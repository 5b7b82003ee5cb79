//! Stage 1: find the content files and what their paths say about them.
//!
//! A page's language can be given three ways; when more than one is given they
//! must agree (the read stage checks the front matter against these):
//! 1. the `lang:` key of the front matter,
//! 2. a suffix before the extension: `page.fr.md`,
//! 3. the first folder under `content/`: `content/fr/page.md`.

use std::path::Path;

use walkdir::WalkDir;

use crate::config::language;
use crate::model::Diagnostic;
use crate::model::SiteConfig;
use crate::model::SourceFile;
use crate::model::SourceFormat;
pub(crate) use crate::model::urls::relative_to;
use crate::model::urls::slash_path;

/// Walks the content folder in a stable (sorted) order.
pub(crate) fn discover(config: &SiteConfig) -> (Vec<SourceFile>, Vec<Diagnostic>) {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    let walker = WalkDir::new(&config.content_dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|entry| {
            entry.depth() == 0
                || (!is_hidden(entry.file_name())
                    && is_page_name(entry.file_name(), entry.file_type().is_dir()))
        });
    for entry in walker {
        match entry {
            Ok(entry) if entry.file_type().is_file() => {
                if let Some(format) = format_of(entry.path()) {
                    match classify(config, entry.path(), format) {
                        Ok(file) => files.push(file),
                        Err(problem) => problems.push(problem),
                    }
                }
            }
            Ok(entry) if entry.path_is_symlink() => problems.push(
                Diagnostic::warning(
                    "symbolic link skipped: tolk reads only the files inside the content folder",
                )
                .in_file(relative_to(&config.root, entry.path())),
            ),
            Ok(_) => {}
            Err(err) => problems.push(walk_error(config, &err)),
        }
    }
    problems.extend(colliding_names(&files));
    (files, problems)
}

/// Pages whose output paths differ only by letter case or Unicode
/// normalisation (`Guide.md` and `guide.md`, composed and decomposed `é`)
/// would overwrite each other on many file systems and confuse readers.
fn colliding_names(files: &[SourceFile]) -> Vec<Diagnostic> {
    use unicode_normalization::UnicodeNormalization;
    let mut seen: std::collections::HashMap<(Option<&str>, Option<&str>, String), &SourceFile> =
        std::collections::HashMap::new();
    let mut problems = Vec::new();
    for file in files {
        let folded: String = file.logical_path.nfc().collect::<String>().to_lowercase();
        let key = (
            file.folder_language.as_deref(),
            file.suffix_language.as_deref(),
            folded,
        );
        match seen.get(&key) {
            Some(first) if first.logical_path != file.logical_path => problems.push(
                Diagnostic::error(format!(
                    "`{}` and `{}` differ only by letter case or Unicode normalisation",
                    first.display_path.display(),
                    file.display_path.display()
                ))
                .in_file(&file.display_path)
                .with_help("rename one of them"),
            ),
            Some(_) => {}
            None => {
                seen.insert(key, file);
            }
        }
    }
    problems
}

/// The page file at `path`, when it is one: `None` for files that discovery
/// skips (other extensions, hidden or `_` names, `TOC.md`) or outside the
/// content folder.
pub(crate) fn source_file(
    config: &SiteConfig,
    path: &Path,
) -> Option<Result<SourceFile, Diagnostic>> {
    let relative = path.strip_prefix(&config.content_dir).ok()?;
    let parts: Vec<&std::ffi::OsStr> = relative.iter().collect();
    let (file_name, folders) = parts.split_last()?;
    let skipped = folders
        .iter()
        .any(|f| is_hidden(f) || !is_page_name(f, true))
        || is_hidden(file_name)
        || !is_page_name(file_name, false);
    if skipped {
        return None;
    }
    let format = format_of(path)?;
    Some(classify(config, path, format))
}

/// The files translated like pages that are not pages: each guide's
/// `TOC.md` and the Markdown files of `_includes/` folders. Their logical
/// path keeps the file name (`help/_includes/snippets.md`), so they never
/// meet a page's.
pub(crate) fn parts(config: &SiteConfig) -> Vec<SourceFile> {
    WalkDir::new(&config.content_dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|entry| entry.depth() == 0 || !is_hidden(entry.file_name()))
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_file() && is_part(config, entry.path()))
        .filter_map(|entry| {
            let relative = slash_path(&relative_to(&config.content_dir, entry.path()));
            let (folder_language, rest) = match relative.split_once('/') {
                Some((first, rest)) => match language_of_name(config, first, "folder") {
                    Ok(Some(tag)) => (Some(tag), rest.to_string()),
                    Ok(None) => (None, relative.clone()),
                    Err(_) => return None,
                },
                None => (None, relative.clone()),
            };
            Some(SourceFile {
                path: entry.path().to_path_buf(),
                display_path: relative_to(&config.root, entry.path()),
                format: SourceFormat::Markdown,
                folder_language,
                suffix_language: None,
                logical_path: rest,
            })
        })
        .collect()
}

/// Whether `path` is a part: a `TOC.md`, or a Markdown file in an
/// `_includes/` folder of the content.
pub(crate) fn is_part(config: &SiteConfig, path: &Path) -> bool {
    let Ok(relative) = path.strip_prefix(&config.content_dir) else {
        return false;
    };
    let markdown = format_of(path) == Some(SourceFormat::Markdown);
    let in_includes = relative
        .parent()
        .is_some_and(|folder| folder.iter().any(|part| part == "_includes"));
    relative.file_name().is_some_and(|name| name == "TOC.md") || (markdown && in_includes)
}

/// Files of the content folder that are not pages (images, downloads):
/// content-relative paths with `/` separators, copied to the same place in
/// the output.
pub(crate) fn assets(config: &SiteConfig) -> Vec<String> {
    WalkDir::new(&config.content_dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|entry| entry.depth() == 0 || !is_hidden(entry.file_name()))
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_file() && format_of(entry.path()).is_none())
        .map(|entry| {
            let relative = relative_to(&config.content_dir, entry.path());
            relative
                .iter()
                .map(|p| p.to_string_lossy())
                .collect::<Vec<_>>()
                .join("/")
        })
        .collect()
}

/// Paths of all files under `dir`, relative to it, `/` separated, sorted.
pub(crate) fn files_under(dir: &Path) -> Vec<String> {
    WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_file())
        .filter_map(|entry| {
            let relative = entry.path().strip_prefix(dir).ok()?;
            Some(crate::model::urls::slash_path(relative))
        })
        .collect()
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_str().is_some_and(|n| n.starts_with('.'))
}

/// Files and folders starting with `_` hold parts of pages (`_includes/`,
/// `_order.txt`), not pages, except the section pages `_index.md`; `TOC.md`
/// is a guide's table of contents.
fn is_page_name(name: &std::ffi::OsStr, is_dir: bool) -> bool {
    let name = name.to_string_lossy();
    if is_dir {
        return !name.starts_with('_');
    }
    let stem = name.split('.').next().unwrap_or_default();
    (!name.starts_with('_') || stem == "_index") && name != "TOC.md"
}

fn format_of(path: &Path) -> Option<SourceFormat> {
    match path.extension()?.to_str()? {
        "md" | "markdown" => Some(SourceFormat::Markdown),
        "txt" => Some(SourceFormat::PlainText),
        _ => None,
    }
}

fn walk_error(config: &SiteConfig, err: &walkdir::Error) -> Diagnostic {
    let path = err.path().map(|p| relative_to(&config.root, p));
    let diagnostic = Diagnostic::error(format!("cannot read the content folder: {err}"));
    match path {
        Some(path) => diagnostic.in_file(path),
        None => diagnostic,
    }
}

/// Splits the path into language folder, language suffix and logical path.
fn classify(
    config: &SiteConfig,
    path: &Path,
    format: SourceFormat,
) -> Result<SourceFile, Diagnostic> {
    let display_path = relative_to(&config.root, path);
    let relative = slash_path(&relative_to(&config.content_dir, path));
    let place =
        place_of(config, &relative).map_err(|msg| Diagnostic::error(msg).in_file(&display_path))?;
    Ok(SourceFile {
        path: path.to_path_buf(),
        display_path,
        format,
        folder_language: place.folder_language,
        suffix_language: place.suffix_language,
        logical_path: place.logical_path,
    })
}

/// What a content-relative path (`fr/commerce/b2b.md`) says.
struct Place {
    folder_language: Option<String>,
    suffix_language: Option<String>,
    logical_path: String,
}

/// Splits a content-relative path into language folder, language suffix
/// and logical path; an error when it names a language the site does not
/// have.
fn place_of(config: &SiteConfig, relative: &str) -> Result<Place, String> {
    let mut parts: Vec<&str> = relative.split('/').collect();
    let file_name = parts.pop().unwrap_or_default();
    let folder_language = match parts.first() {
        Some(first) => language_of_name(config, first, "folder")?,
        None => None,
    };
    if folder_language.is_some() {
        parts.remove(0);
    }
    let stem = strip_extension(file_name);
    let (stem, suffix_language) = split_language_suffix(config, stem)?;
    if stem != "index" && stem != "_index" {
        parts.push(stem);
    }
    Ok(Place {
        folder_language,
        suffix_language,
        logical_path: parts.join("/"),
    })
}

/// The logical path a content-relative path stands for, the path its
/// translations share (`fr/commerce/b2b.md` and `commerce/b2b.sv.md` ->
/// `commerce/b2b`); `None` when it names a language the site does not have.
pub(crate) fn logical_path(config: &SiteConfig, relative: &str) -> Option<String> {
    place_of(config, relative)
        .ok()
        .map(|place| place.logical_path)
}

fn strip_extension(file_name: &str) -> &str {
    file_name
        .rsplit_once('.')
        .map_or(file_name, |(stem, _)| stem)
}

fn split_language_suffix<'a>(
    config: &SiteConfig,
    stem: &'a str,
) -> Result<(&'a str, Option<String>), String> {
    let Some((base, suffix)) = stem.rsplit_once('.') else {
        return Ok((stem, None));
    };
    match language_of_name(config, suffix, "file-name suffix")? {
        Some(tag) => Ok((base, Some(tag))),
        None => Ok((stem, None)),
    }
}

/// `Some(tag)` when `name` is a configured language; an error when it has the
/// shape of a language tag that is not configured (a typo or a missing config
/// entry would otherwise turn a language into a section silently).
fn language_of_name(config: &SiteConfig, name: &str, what: &str) -> Result<Option<String>, String> {
    if let Some(tag) = language::normalize_tag(name)
        .ok()
        .filter(|t| config.language(t).is_some())
    {
        return Ok(Some(tag));
    }
    if language::looks_like_language_tag(name) {
        let configured: Vec<&str> = config.languages.iter().map(|l| l.tag.as_str()).collect();
        return Err(format!(
            "the {what} `{name}` names a language that is not configured in tolk.toml \
             (configured: {}); add it to `languages` or rename the {what}",
            configured.join(", ")
        ));
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> SiteConfig {
        let text = "title='t'\nbase_url='https://x.org/'\n[[languages]]\ntag='fr'\n[[languages]]\ntag='nl'\n[[languages]]\ntag='fr-CA'\n";
        SiteConfig::parse(Path::new("/site"), text).unwrap()
    }

    fn classify_path(path: &str) -> Result<SourceFile, Diagnostic> {
        classify(&config(), Path::new(path), SourceFormat::Markdown)
    }

    #[test]
    fn language_from_first_folder() {
        let file = classify_path("/site/content/fr/commerce/b2b.md").unwrap();
        assert_eq!(file.folder_language.as_deref(), Some("fr"));
        assert_eq!(file.suffix_language, None);
        assert_eq!(file.logical_path, "commerce/b2b");
        assert_eq!(file.display_path, Path::new("content/fr/commerce/b2b.md"));
    }

    #[test]
    fn language_from_suffix() {
        let file = classify_path("/site/content/commerce/b2b.nl.md").unwrap();
        assert_eq!(file.suffix_language.as_deref(), Some("nl"));
        assert_eq!(file.logical_path, "commerce/b2b");
    }

    #[test]
    fn regional_folder_matches_only_its_own_tag() {
        let file = classify_path("/site/content/fr-ca/a.md").unwrap();
        assert_eq!(file.folder_language.as_deref(), Some("fr-CA"));
        let err = classify_path("/site/content/fr-be/a.md").unwrap_err();
        assert!(err.message.contains("fr-be"), "{}", err.message);
    }

    #[test]
    fn unconfigured_language_folder_is_an_error() {
        let err = classify_path("/site/content/de/a.md").unwrap_err();
        assert!(err.message.contains("not configured"), "{}", err.message);
        assert_eq!(err.file.as_deref(), Some(Path::new("content/de/a.md")));
    }

    #[test]
    fn links_to_content_files_have_the_logical_path_of_their_page() {
        let config = config();
        assert_eq!(
            logical_path(&config, "fr/tax/rates.md").unwrap(),
            "tax/rates"
        );
        assert_eq!(
            logical_path(&config, "tax/rates.nl.md").unwrap(),
            "tax/rates"
        );
        assert_eq!(logical_path(&config, "fr/tax/index.md").unwrap(), "tax");
        assert_eq!(logical_path(&config, "de/tax/rates.md"), None);
    }

    #[test]
    fn index_files_stand_for_their_folder() {
        assert_eq!(
            classify_path("/site/content/fr/guide/index.md")
                .unwrap()
                .logical_path,
            "guide"
        );
        assert_eq!(
            classify_path("/site/content/fr/_index.md")
                .unwrap()
                .logical_path,
            ""
        );
    }

    #[test]
    fn names_differing_by_case_or_normalisation_collide() {
        let files: Vec<SourceFile> = [
            "fr/Guide.md",
            "fr/guide.md",
            "fr/caf\u{e9}.md",
            "fr/cafe\u{301}.md",
            "nl/guide.md",
        ]
        .iter()
        .map(|p| classify_path(&format!("/site/content/{p}")).unwrap())
        .collect();
        let problems = colliding_names(&files);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].message.contains("content/fr/Guide.md"));
    }

    #[test]
    fn parts_of_pages_are_not_pages() {
        use std::ffi::OsStr;
        assert!(!is_page_name(OsStr::new("_includes"), true));
        assert!(!is_page_name(OsStr::new("_order.txt"), false));
        assert!(!is_page_name(OsStr::new("TOC.md"), false));
        assert!(is_page_name(OsStr::new("_index.md"), false));
        assert!(is_page_name(OsStr::new("_index.fr.md"), false));
        assert!(is_page_name(OsStr::new("guide"), true));
    }

    #[test]
    fn dotted_names_that_are_not_languages_stay_in_the_path() {
        let file = classify_path("/site/content/fr/release.v2.md").unwrap();
        assert_eq!(file.logical_path, "release.v2");
    }
}
