//! `tolk.toml`: the site's title, address, languages and theme.
pub(crate) mod language;

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::model::Diagnostic;
use crate::model::config::{CONFIG_FILE, Language, SiteConfig, TextDirection, TranslationSettings};

/// The configuration as written in `tolk.toml`. Unknown keys are errors, so a
/// misspelt key is reported instead of silently ignored.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    title: String,
    base_url: String,
    #[serde(default = "default_source_language")]
    source_language: String,
    languages: Vec<RawLanguage>,
    #[serde(default = "default_theme")]
    theme: String,
    #[serde(default = "default_output_dir")]
    output_dir: PathBuf,
    #[serde(default = "default_content_dir")]
    content_dir: PathBuf,
    #[serde(default)]
    translations: TranslationSettings,
    /// An Atom feed per language.
    #[serde(default = "yes")]
    feeds: bool,
    /// Client-side full-text search: a Pagefind index per language. Off
    /// unless asked for: it makes builds several times slower.
    #[serde(default)]
    search: bool,
    /// Pass raw HTML in Markdown through unchanged instead of sanitizing it.
    #[serde(default)]
    trust_html: bool,
    /// The source language's git repository, when it is not the content's.
    source_repository: Option<PathBuf>,
    /// A notice on stale translations telling readers the source changed.
    #[serde(default = "yes")]
    stale_notice: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLanguage {
    tag: toml::Spanned<String>,
    name: Option<String>,
    dir: Option<TextDirection>,
}

fn default_source_language() -> String {
    "en".to_string()
}
fn default_theme() -> String {
    "default".to_string()
}
fn default_output_dir() -> PathBuf {
    PathBuf::from("public")
}
fn default_content_dir() -> PathBuf {
    PathBuf::from("content")
}

impl SiteConfig {
    /// Reads `tolk.toml` from the site root.
    pub fn load(root: &Path) -> Result<SiteConfig, Vec<Diagnostic>> {
        let path = root.join(CONFIG_FILE);
        let text = std::fs::read_to_string(&path).map_err(|err| {
            vec![
                Diagnostic::error(format!("cannot read the site configuration: {err}"))
                    .in_file(CONFIG_FILE)
                    .with_help("run tolk in the folder that holds tolk.toml, or pass --root SITE"),
            ]
        })?;
        Self::parse(root, &text)
    }

    /// Parses and validates the text of `tolk.toml`.
    pub fn parse(root: &Path, text: &str) -> Result<SiteConfig, Vec<Diagnostic>> {
        let raw: RawConfig = toml::from_str(text).map_err(|err| vec![toml_error(text, &err)])?;
        let mut problems = Vec::new();
        let languages = validate_languages(&raw.languages, text, &mut problems);
        let source_language = language::normalize_tag(&raw.source_language).unwrap_or_else(|msg| {
            problems.push(config_error("source_language", msg));
            raw.source_language.clone()
        });
        let (base_url, base_path) = validate_base_url(&raw.base_url).unwrap_or_else(|msg| {
            problems.push(config_error("base_url", msg));
            (String::from("/"), String::from("/"))
        });
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(SiteConfig {
            root: root.to_path_buf(),
            title: raw.title,
            base_url,
            base_path,
            source_language,
            languages,
            search: raw.search,
            theme: raw.theme,
            output_dir: root.join(raw.output_dir),
            content_dir: root.join(raw.content_dir),
            translations: raw.translations,
            feeds: raw.feeds,
            trust_html: raw.trust_html,
            source_repository: raw.source_repository.map(|dir| root.join(dir)),
            stale_notice: raw.stale_notice,
        })
    }

    /// The configuration of a folder without `tolk.toml` (a dump to import):
    /// the given languages with their usual names, everything else default.
    pub fn with_languages(root: &Path, tags: &[&str]) -> SiteConfig {
        let languages = tags
            .iter()
            .filter_map(|raw| {
                let tag = language::normalize_tag(raw).ok()?;
                let name = language::default_autonym(&tag).unwrap_or(raw).to_string();
                let dir = language::default_direction(&tag);
                Some(Language { tag, name, dir })
            })
            .collect();
        SiteConfig {
            root: root.to_path_buf(),
            title: String::new(),
            base_url: "http://localhost/".to_string(),
            base_path: "/".to_string(),
            source_language: default_source_language(),
            search: false,
            languages,
            theme: default_theme(),
            output_dir: root.join(default_output_dir()),
            content_dir: root.join(default_content_dir()),
            translations: TranslationSettings::default(),
            feeds: true,
            trust_html: false,
            source_repository: None,
            stale_notice: true,
        }
    }
}

fn validate_languages(
    raw: &[RawLanguage],
    text: &str,
    problems: &mut Vec<Diagnostic>,
) -> Vec<Language> {
    if raw.is_empty() {
        problems.push(config_error(
            "languages",
            "at least one language must be configured",
        ));
    }
    let mut languages: Vec<Language> = Vec::new();
    for (index, entry) in raw.iter().enumerate() {
        let key = format!("languages[{index}].tag");
        let (line, column) = line_and_column(text, entry.tag.span().start);
        let tag = match language::normalize_tag(entry.tag.get_ref()) {
            Ok(tag) => tag,
            Err(msg) => {
                problems.push(config_error(&key, msg).at(line, column));
                continue;
            }
        };
        if languages.iter().any(|l| l.tag == tag) {
            let message = format!("language `{tag}` is configured twice");
            problems.push(config_error(&key, message).at(line, column));
            continue;
        }
        let name = entry
            .name
            .clone()
            .or_else(|| language::default_autonym(&tag).map(String::from));
        let Some(name) = name else {
            let key = format!("languages[{index}].name");
            problems.push(config_error(
                &key,
                format!("no built-in name for `{tag}`: give its name"),
            ));
            continue;
        };
        let dir = entry
            .dir
            .unwrap_or_else(|| language::default_direction(&tag));
        languages.push(Language { tag, name, dir });
    }
    languages
}

/// Accepts `https://host/` or `https://host/path`; returns the URL with a
/// trailing slash and its path part.
fn validate_base_url(raw: &str) -> Result<(String, String), String> {
    let rest = raw
        .strip_prefix("https://")
        .or_else(|| raw.strip_prefix("http://"))
        .ok_or_else(|| format!("`{raw}` must start with https:// or http://"))?;
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    if host.is_empty() || host.contains(char::is_whitespace) {
        return Err(format!("`{raw}` has no valid host name"));
    }
    let path = path.trim_end_matches('/');
    let base_path = if path.is_empty() {
        "/".to_string()
    } else {
        format!("/{path}/")
    };
    let scheme = if raw.starts_with("https://") {
        "https"
    } else {
        "http"
    };
    Ok((format!("{scheme}://{host}{base_path}"), base_path))
}

fn config_error(key: &str, message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(format!("{}: {}", key, message.into())).in_file(CONFIG_FILE)
}

fn toml_error(text: &str, err: &toml::de::Error) -> Diagnostic {
    let message = err.message().to_string();
    let diagnostic = Diagnostic::error(message).in_file(CONFIG_FILE);
    match err.span() {
        Some(span) => {
            let (line, column) = line_and_column(text, span.start);
            diagnostic.at(line, column)
        }
        None => diagnostic,
    }
}

/// 1-based line and character column of a byte offset.
pub(crate) fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
title = "Docs"
base_url = "https://docs.example.org/guide"
[[languages]]
tag = "fr"
[[languages]]
tag = "nl"
name = "Vlaams"
"#;

    fn parse(text: &str) -> Result<SiteConfig, Vec<Diagnostic>> {
        SiteConfig::parse(Path::new("site"), text)
    }

    #[test]
    fn fills_defaults_and_autonyms() {
        let config = parse(MINIMAL).unwrap();
        assert_eq!(config.source_language, "en");
        assert_eq!(config.base_url, "https://docs.example.org/guide/");
        assert_eq!(config.base_path, "/guide/");
        assert_eq!(config.languages[0].name, "Français");
        assert_eq!(config.languages[1].name, "Vlaams");
        assert_eq!(config.output_dir, Path::new("site/public"));
        assert_eq!(
            config.translations.missing_pages,
            crate::model::MissingPages::Fallback
        );
        assert!(config.translations.status_page);
    }

    #[test]
    fn unknown_key_is_named_with_its_line() {
        let errors = parse("titel = \"x\"\n").unwrap_err();
        let text = errors[0].to_string();
        assert!(text.contains("titel"), "{text}");
        assert!(text.contains("tolk.toml:1:1"), "{text}");
    }

    #[test]
    fn invalid_and_duplicate_tags_name_their_key() {
        let text = MINIMAL
            .replace("tag = \"nl\"", "tag = \"fr\"")
            .replace("\"Docs\"", "\"D\"")
            + "[[languages]]\ntag = \"not a tag\"\n";
        let errors = parse(&text).unwrap_err();
        let all: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        assert!(
            all.iter()
                .any(|e| e.contains("languages[1].tag") && e.contains("twice")),
            "{all:?}"
        );
        assert!(
            all.iter().any(|e| e.contains("languages[2].tag")),
            "{all:?}"
        );
    }

    #[test]
    fn regional_and_plain_tags_are_different_languages() {
        let text = MINIMAL.replace("tag = \"nl\"", "tag = \"fr-fr\"");
        let config = parse(&text).unwrap();
        assert_eq!(config.languages[1].tag, "fr-FR");
        assert!(config.language("fr").is_some());
        assert_ne!(config.language("fr"), config.language("fr-FR"));
    }

    #[test]
    fn translation_settings_are_read_and_checked() {
        let text = format!(
            "{MINIMAL}[translations]\nmissing_pages = \"unavailable\"\nstatus_page = false\n"
        );
        let config = parse(&text).unwrap();
        assert_eq!(
            config.translations.missing_pages,
            crate::model::MissingPages::Unavailable
        );
        assert!(!config.translations.status_page);
        let wrong = format!("{MINIMAL}[translations]\nmissing_pages = \"hide\"\n");
        assert!(parse(&wrong).unwrap_err()[0].to_string().contains("hide"));
    }

    #[test]
    fn base_url_must_be_absolute() {
        let errors = parse(&MINIMAL.replace("https://docs.example.org/guide", "docs")).unwrap_err();
        assert!(errors[0].to_string().contains("base_url"));
    }
}
