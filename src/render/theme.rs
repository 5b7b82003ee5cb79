//! The theme: Tera templates (the site's own `templates/` overrides the
//! theme's by file name), static files and per-language UI strings.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::discover::files_under;
use crate::model::Diagnostic;
use crate::model::SiteConfig;
use crate::model::urls::relative_to;
use tera::Tera;

/// UI strings of one language: `key -> text`.
pub(crate) type Strings = BTreeMap<String, String>;

/// Templates parsed once, and the UI strings of every configured language.
pub struct Theme {
    pub tera: Tera,
    /// Language tag -> strings, English filled in for missing keys.
    pub strings: BTreeMap<String, Strings>,
    /// Folders whose files are copied as they are into the output, theme first
    /// so the site's own files win.
    pub static_dirs: Vec<PathBuf>,
    /// UI strings a language lacks (English is shown instead).
    pub warnings: Vec<Diagnostic>,
}

impl Theme {
    pub fn load(config: &SiteConfig) -> Result<Theme, Vec<Diagnostic>> {
        let theme_dir = config.theme_dir();
        if !theme_dir.is_dir() {
            let message = format!("theme `{}` not found in themes/", config.theme);
            return Err(vec![Diagnostic::error(message).in_file("tolk.toml")]);
        }
        let tera = load_templates(config)?;
        let (strings, warnings) = load_strings(config)?;
        let static_dirs = config
            .static_dirs()
            .into_iter()
            .filter(|dir| dir.is_dir())
            .collect();
        Ok(Theme {
            tera,
            strings,
            static_dirs,
            warnings,
        })
    }

    pub fn strings_for(&self, lang: &str) -> &Strings {
        static EMPTY: Strings = BTreeMap::new();
        self.strings.get(lang).unwrap_or(&EMPTY)
    }
}

/// Reads all templates first and adds them in one call, so that `extends`
/// and `include` resolve whatever the order of the files.
fn load_templates(config: &SiteConfig) -> Result<Tera, Vec<Diagnostic>> {
    let mut sources: BTreeMap<String, (PathBuf, String)> = BTreeMap::new();
    let mut problems = Vec::new();
    for dir in config.template_dirs() {
        for name in files_under(&dir) {
            let path = dir.join(&name);
            match std::fs::read_to_string(&path) {
                Ok(text) => {
                    sources.insert(name, (path, text));
                }
                Err(err) => problems.push(
                    Diagnostic::error(format!("cannot read template: {err}"))
                        .in_file(relative_to(&config.root, &path)),
                ),
            }
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut tera = Tera::new();
    let templates = sources
        .iter()
        .map(|(name, (_, text))| (name.as_str(), text.as_str()));
    tera.add_raw_templates(templates)
        .map_err(|err| vec![syntax_error(&err, &sources, &config.root)])?;
    Ok(tera)
}

/// A template that does not parse, placed at its file, line and column
/// (Tera knows the template by its name only, and counts columns from 0).
fn syntax_error(
    err: &tera::Error,
    sources: &BTreeMap<String, (PathBuf, String)>,
    root: &Path,
) -> Diagnostic {
    let tera::ErrorKind::SyntaxError(report) = err.kind() else {
        return template_error(err);
    };
    let Some((path, _)) = sources.get(report.filename()) else {
        return template_error(err);
    };
    let span = report.span();
    Diagnostic::error(format!("template syntax error: {}", report.message()))
        .in_file(relative_to(root, path))
        .at(span.start_line, span.start_col + 1)
}

/// Tera reports the template and position in its own message.
pub(crate) fn template_error(err: &tera::Error) -> Diagnostic {
    let mut message = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        message.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    Diagnostic::error(format!("template error: {message}"))
}

/// English is the fallback for every missing key; a site's `i18n/` folder
/// overrides the theme's strings key by key.
type AllStrings = (BTreeMap<String, Strings>, Vec<Diagnostic>);

fn load_strings(config: &SiteConfig) -> Result<AllStrings, Vec<Diagnostic>> {
    let dirs = config.string_dirs();
    let mut problems = Vec::new();
    let mut load = |tag: &str| -> Strings {
        let mut strings = Strings::new();
        for dir in &dirs {
            match read_bundle(config, &dir.join(format!("{tag}.toml"))) {
                Ok(bundle) => strings.extend(bundle),
                Err(problem) => problems.push(problem),
            }
        }
        strings
    };
    let english = load("en");
    let mut all = BTreeMap::new();
    let mut warnings = Vec::new();
    for language in &config.languages {
        let mut own = Strings::new();
        let primary = crate::config::language::primary_subtag(&language.tag);
        if primary != language.tag {
            own.extend(load(primary));
        }
        own.extend(load(&language.tag));
        let missing: Vec<&str> = english
            .keys()
            .filter(|k| !own.contains_key(*k))
            .map(String::as_str)
            .collect();
        if !missing.is_empty() && primary != "en" {
            warnings.push(missing_strings(&language.tag, &missing));
        }
        let mut strings = english.clone();
        strings.extend(own);
        all.insert(language.tag.clone(), strings);
    }
    if problems.is_empty() {
        Ok((all, warnings))
    } else {
        Err(problems)
    }
}

fn missing_strings(tag: &str, missing: &[&str]) -> Diagnostic {
    let shown: Vec<&str> = missing.iter().take(8).copied().collect();
    let more = if missing.len() > shown.len() {
        format!(" and {} more", missing.len() - shown.len())
    } else {
        String::new()
    };
    Diagnostic::warning(format!(
        "{} UI strings have no `{tag}` translation, English is shown: {}{more}",
        missing.len(),
        shown.join(", ")
    ))
    .with_help(format!(
        "add them to i18n/{tag}.toml in the site (or the theme)"
    ))
}

fn read_bundle(config: &SiteConfig, path: &Path) -> Result<Strings, Diagnostic> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Ok(Strings::new());
    };
    toml::from_str(&text).map_err(|err| {
        let diagnostic = Diagnostic::error(format!("invalid UI strings: {}", err.message()))
            .in_file(relative_to(&config.root, path));
        match err.span() {
            Some(span) => {
                let (line, column) = crate::config::line_and_column(&text, span.start);
                diagnostic.at(line, column)
            }
            None => diagnostic,
        }
    })
}
