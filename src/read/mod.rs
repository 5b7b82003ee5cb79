//! Stage 2: read each file and decode it: bytes to text (BOM, line ends,
//! mojibake), front matter, and the page's language.
mod entities;
pub mod front_matter;
pub mod plaintext;
mod repair;

use std::borrow::Cow;
use std::path::Path;

use rayon::prelude::*;

use crate::config::language;
use crate::config::line_and_column;
use crate::markdown::exl;
use crate::model::Body;
use crate::model::Diagnostic;
use crate::model::FrontMatter;
use crate::model::ReadOptions;
use crate::model::SiteConfig;
use crate::model::SourcePage;
use crate::model::{SourceFile, SourceFormat};

/// The Markdown of a read page: kept in memory, or read again from its file
/// (see [`Body`]).
pub fn page_body(page: &SourcePage) -> Result<Cow<'_, str>, Diagnostic> {
    let (offset, text_len, text_hash, plain, options) = match &page.body {
        Body::Text(text) => return Ok(Cow::Borrowed(text)),
        Body::File {
            offset,
            text_len,
            text_hash,
            plain,
            options,
        } => (*offset, *text_len, *text_hash, *plain, *options),
    };
    let mut text = decode_file(&page.file.path, &page.file.display_path, options, None)?;
    if text.len() != text_len || hash_of(&text) != text_hash || !text.is_char_boundary(offset) {
        return Err(
            Diagnostic::error("the file changed while the site was being built")
                .in_file(&page.file.display_path)
                .with_help("build again"),
        );
    }
    let body = text.split_off(offset);
    Ok(Cow::Owned(if plain {
        plaintext::to_markdown(&body).markdown
    } else {
        body
    }))
}

/// A hash of a file's text, compared when the file is read again. Only
/// compared within one process, so the standard hasher is stable enough.
fn hash_of(text: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::hash::DefaultHasher::new();
    text.hash(&mut hasher);
    hasher.finish()
}

/// Discovers the content folder's pages and reads them, in parallel.
pub fn read_content(
    config: &SiteConfig,
    options: ReadOptions,
) -> (Vec<SourcePage>, Vec<Diagnostic>) {
    let (files, mut problems) = crate::discover::discover(config);
    let read_results: Vec<_> = files
        .into_par_iter()
        .map(|file| read_page(config, file, options))
        .collect();
    let mut pages = Vec::with_capacity(read_results.len());
    for (page, notes) in read_results {
        pages.extend(page);
        problems.extend(notes);
    }
    (pages, problems)
}

/// Reads the parts (see `discover::parts`) like pages; their reading
/// problems are the pages' business (they are read again when included),
/// so only what can be read comes back.
pub fn read_parts(config: &SiteConfig, options: ReadOptions) -> Vec<SourcePage> {
    crate::discover::parts(config)
        .into_par_iter()
        .filter_map(|file| read_page(config, file, options).0)
        .collect()
}

/// Reads one file. Warnings (repairs) come back with the page; an error means
/// the page cannot be built.
pub fn read_page(
    config: &SiteConfig,
    file: SourceFile,
    options: ReadOptions,
) -> (Option<SourcePage>, Vec<Diagnostic>) {
    let mut notes = Vec::new();
    let page = read_text(&file.path, &file.display_path, options, &mut notes)
        .and_then(|text| parse_page(config, file, &text, Some(options)));
    match page {
        Ok(page) => (Some(page), notes),
        Err(problem) => {
            notes.push(problem);
            (None, notes)
        }
    }
}

/// The decoded (and, unless turned off, repaired) text of a file, with a
/// warning for each repair and each unknown character reference.
pub fn read_text(
    path: &Path,
    display_path: &Path,
    options: ReadOptions,
    notes: &mut Vec<Diagnostic>,
) -> Result<String, Diagnostic> {
    let text = decode_file(path, display_path, options, Some(notes))?;
    notes.extend(
        entities::unknown_entities(&text)
            .into_iter()
            .map(|unknown| {
                Diagnostic::warning(format!(
                    "`{}` is not an HTML entity; it is shown as written",
                    unknown.text
                ))
                .in_file(display_path)
                .at(unknown.line, unknown.column)
                .with_help("check its spelling, or write `&amp;` for a literal ampersand")
            }),
    );
    Ok(text)
}

/// Bytes to text: decoding and, unless turned off, repairs (reported into
/// `notes` when given).
fn decode_file(
    path: &Path,
    display_path: &Path,
    options: ReadOptions,
    notes: Option<&mut Vec<Diagnostic>>,
) -> Result<String, Diagnostic> {
    let bytes = std::fs::read(path).map_err(|err| {
        let why = if err.kind() == std::io::ErrorKind::NotFound {
            "it was removed while the site was being built".to_string()
        } else {
            err.to_string()
        };
        Diagnostic::error(format!("cannot read the file: {why}"))
            .in_file(display_path)
            .with_help("build again once the content folder is as it should be")
    })?;
    let mut ignored = Vec::new();
    decode_bytes(display_path, &bytes, options, notes.unwrap_or(&mut ignored))
}

/// Bytes of a file (read from disk, or from git for an earlier version) to
/// the text tolk reads: UTF-8 checked, line ends normalised and, unless
/// turned off, mojibake repaired (each repair reported into `notes`).
pub(crate) fn decode_bytes(
    display_path: &Path,
    bytes: &[u8],
    options: ReadOptions,
    notes: &mut Vec<Diagnostic>,
) -> Result<String, Diagnostic> {
    let text = decode_text(display_path, bytes)?;
    if !options.repair_mojibake {
        return Ok(text);
    }
    Ok(repair_text(display_path, text, notes))
}

/// UTF-8 with or without BOM; CRLF and lone CR become LF. Invalid UTF-8 is an
/// error naming the byte offset, never a silent replacement character.
fn decode_text(display_path: &Path, bytes: &[u8]) -> Result<String, Diagnostic> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|err| {
        let offset = err.valid_up_to();
        let valid = std::str::from_utf8(&bytes[..offset]).unwrap_or_default();
        let (line, column) = line_and_column(valid, offset);
        Diagnostic::error(format!(
            "the file is not valid UTF-8 (byte offset {offset})"
        ))
        .in_file(display_path)
        .at(line, column)
        .with_help("save the file as UTF-8")
    })?;
    Ok(normalize_line_ends(text).into_owned())
}

fn normalize_line_ends(text: &str) -> Cow<'_, str> {
    if text.contains('\r') {
        Cow::Owned(text.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        Cow::Borrowed(text)
    }
}

/// Repairs UTF-8 that was once decoded as Latin-1 or Windows-1252, and reports
/// every repair so the translator can fix the source.
fn repair_text(display_path: &Path, text: String, notes: &mut Vec<Diagnostic>) -> String {
    let (repaired, repairs) = repair::repair_mojibake(&text);
    if repairs.is_empty() {
        return text;
    }
    for fix in repairs {
        notes.push(
            Diagnostic::warning(format!(
                "repaired mojibake: `{}` -> `{}`",
                fix.before, fix.after
            ))
            .in_file(display_path)
            .at(fix.line, fix.column)
            .with_help("the file was saved with a wrong encoding once; fix the source text"),
        );
    }
    repaired.into_owned()
}

/// Parses a decoded file: front matter, language, body and title. With
/// `reread` (the options it was read with) the body is read again from the
/// file when needed instead of being kept.
pub fn parse_page(
    config: &SiteConfig,
    file: SourceFile,
    text: &str,
    reread: Option<ReadOptions>,
) -> Result<SourcePage, Diagnostic> {
    let at = |line: usize, column: usize, message: String| {
        Diagnostic::error(message)
            .in_file(&file.display_path)
            .at(line, column)
    };
    let split = front_matter::split(text).map_err(|e| at(e.line, e.column, e.message))?;
    let front = match split.yaml {
        Some(yaml) => front_matter::parse(yaml, 2).map_err(|e| at(e.line, e.column, e.message))?,
        None => FrontMatter::default(),
    };
    check_paths(&file, &front)?;
    let lang = resolve_language(config, &file, &front)?;
    let plain = file.format == SourceFormat::PlainText
        && split.yaml.is_none()
        && !plaintext::looks_like_markdown(split.body);
    let (markdown, derived_title) = if plain {
        let converted = plaintext::to_markdown(split.body);
        (
            Cow::Owned(converted.markdown),
            Some(converted.title).filter(|t| !t.is_empty()),
        )
    } else {
        (Cow::Borrowed(split.body), first_heading(split.body))
    };
    let body = match reread {
        Some(options) => Body::File {
            offset: text.len() - split.body.len(),
            text_len: text.len(),
            text_hash: hash_of(text),
            plain,
            options,
        },
        None => Body::Text(markdown.into_owned()),
    };
    let title = front
        .title
        .as_deref()
        .map(clean_title)
        .or(derived_title)
        .unwrap_or_else(|| file_title(&file));
    Ok(SourcePage {
        file,
        lang,
        front,
        body,
        body_line: split.body_line,
        title,
    })
}

/// `slug` must be one safe path segment and each alias a relative path of
/// safe segments: a page can never place a file outside the output folder.
fn check_paths(file: &SourceFile, front: &FrontMatter) -> Result<(), Diagnostic> {
    let error = |key: &str, message: String| {
        Diagnostic::error(message)
            .in_file(&file.display_path)
            .at(front.key_lines.get(key).unwrap_or(1), 1)
            .with_help(
                "use plain names: letters, digits, `-`, `_` and `.`, separated by `/` for aliases",
            )
    };
    if let Some(slug) = front.extra.get("slug") {
        let valid = slug.as_str().is_some_and(is_safe_segment);
        if !valid {
            return Err(error(
                "slug",
                format!("`slug: {slug}` is not a single safe path segment"),
            ));
        }
    }
    let aliases: Vec<&serde_json::Value> = match front.extra.get("aliases") {
        Some(serde_json::Value::Array(items)) => items.iter().collect(),
        Some(one) => vec![one],
        None => Vec::new(),
    };
    for alias in aliases {
        let text = alias.as_str().map(|a| a.trim_matches('/'));
        let valid = text.is_some_and(|a| !a.is_empty() && a.split('/').all(is_safe_segment));
        if !valid {
            return Err(error(
                "aliases",
                format!("alias `{alias}` is not a relative path of safe segments"),
            ));
        }
    }
    Ok(())
}

fn is_safe_segment(segment: &str) -> bool {
    !segment.is_empty()
        && segment != "."
        && segment != ".."
        && !segment
            .chars()
            .any(|c| matches!(c, '/' | '\\' | ':' | '\0') || c.is_control())
}

/// The language from front matter, file-name suffix and folder: whichever are
/// given must agree; with none, the source language when it is configured.
fn resolve_language(
    config: &SiteConfig,
    file: &SourceFile,
    front: &FrontMatter,
) -> Result<String, Diagnostic> {
    let error = |message: String| Diagnostic::error(message).in_file(&file.display_path);
    let front_lang = match &front.lang {
        Some(raw) => Some(configured_tag(config, raw).map_err(error)?),
        None => None,
    };
    let claims = [
        ("front matter `lang`", front_lang),
        ("file-name suffix", file.suffix_language.clone()),
        ("language folder", file.folder_language.clone()),
    ];
    let given: Vec<(&str, String)> = claims
        .into_iter()
        .filter_map(|(what, tag)| Some((what, tag?)))
        .collect();
    if let Some((_, first)) = given.first()
        && given.iter().any(|(_, tag)| tag != first)
    {
        let detail: Vec<String> = given
            .iter()
            .map(|(what, tag)| format!("{what} says `{tag}`"))
            .collect();
        let line = front.key_lines.get("lang").unwrap_or(1);
        return Err(error(format!("conflicting languages: {}", detail.join(", "))).at(line, 1));
    }
    if let Some((_, tag)) = given.into_iter().next() {
        return Ok(tag);
    }
    if config.language(&config.source_language).is_some() {
        return Ok(config.source_language.clone());
    }
    Err(error("cannot tell the language of this page".to_string()).with_help(
        "put it under content/<lang>/, name it page.<lang>.md, or add `lang:` to its front matter",
    ))
}

fn configured_tag(config: &SiteConfig, raw: &str) -> Result<String, String> {
    let tag = language::normalize_tag(raw).map_err(|msg| format!("front matter `lang`: {msg}"))?;
    match config.language(&tag) {
        Some(_) => Ok(tag),
        None => Err(format!(
            "front matter `lang: {raw}` is not a language configured in tolk.toml"
        )),
    }
}

/// The text of the first ATX level-1 heading, a cheap look before rendering.
fn first_heading(body: &str) -> Option<String> {
    body.lines()
        .find_map(|line| line.strip_prefix("# "))
        .map(|title| {
            clean_title(&front_matter::decode_entities(without_attributes(
                title.trim(),
            )))
        })
        .filter(|title| !title.is_empty())
}

/// A title as readers see it in `<title>`, the switcher and lists: inline
/// tokens (`[!UICONTROL Stores]`) as plain text, zero-width spaces removed.
pub fn clean_title(title: &str) -> String {
    shown_text(title)
}

/// Any front matter string a reader sees (a description, an SEO title) as
/// plain text, the same way as titles: `Use [!DNL Live Search]` reads
/// `Use Live Search` in lists, `<meta>` tags and feeds.
pub fn shown_text(text: &str) -> String {
    single_spaced(exl::plain_text_of_inline_tokens(&exl::strip_zero_width(text).0).trim())
}

/// Runs of spaces, tabs and line breaks as one space. Machine-translated
/// Experience League sources leave two spaces where a `[!DNL …]` term was
/// moved (`Qu'est-ce que  [!DNL Live Search] ?`); HTML hides them in the
/// page, but titles also go to feeds, the search index and `<title>`.
/// Non-breaking spaces are kept: French puts one before `?`.
fn single_spaced(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut after_space = false;
    for c in text.chars() {
        let is_space = matches!(c, ' ' | '\t' | '\n' | '\r');
        if !(is_space && after_space) {
            out.push(if is_space { ' ' } else { c });
        }
        after_space = is_space;
    }
    out
}

/// `Title {#custom-id}` -> `Title`.
fn without_attributes(heading: &str) -> &str {
    match heading.rsplit_once(" {") {
        Some((text, attributes)) if attributes.ends_with('}') => text.trim_end(),
        _ => heading,
    }
}

fn file_title(file: &SourceFile) -> String {
    let last = file.logical_path.rsplit('/').next().unwrap_or_default();
    if last.is_empty() {
        "Home".to_string()
    } else {
        last.replace(['-', '_'], " ")
    }
}

/// Repeatable pseudo-random texts over `alphabet` (xorshift with a fixed
/// seed), each at most `max_len` characters long, for the decoders' tests.
#[cfg(test)]
pub(crate) fn random_texts(alphabet: &str, count: usize, max_len: u64) -> Vec<String> {
    let alphabet: Vec<char> = alphabet.chars().collect();
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..count)
        .map(|_| {
            let len = next() % (max_len + 1);
            (0..len)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn config() -> SiteConfig {
        let text = "title='t'\nbase_url='https://x.org/'\n[[languages]]\ntag='fr'\n[[languages]]\ntag='nl'\n";
        SiteConfig::parse(Path::new("/site"), text).unwrap()
    }

    fn file(folder: Option<&str>, suffix: Option<&str>) -> SourceFile {
        SourceFile {
            path: PathBuf::from("/site/content/x.md"),
            display_path: PathBuf::from("content/x.md"),
            format: SourceFormat::Markdown,
            folder_language: folder.map(String::from),
            suffix_language: suffix.map(String::from),
            logical_path: "guide/b2b-and-b2c".to_string(),
        }
    }

    /// A page file in a folder of its own, as discovery finds it.
    fn file_on_disk(text: &str) -> (tempfile::TempDir, SourceFile) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.md");
        std::fs::write(&path, text).unwrap();
        let file = SourceFile {
            path,
            folder_language: Some("fr".to_string()),
            ..file(None, None)
        };
        (dir, file)
    }

    #[test]
    fn a_page_removed_after_discovery_is_an_error_naming_it() {
        let (_dir, file) = file_on_disk("# Titre\n");
        std::fs::remove_file(&file.path).unwrap();
        let (page, notes) = read_page(&config(), file, ReadOptions::default());
        assert!(page.is_none());
        assert_eq!(notes.len(), 1);
        assert_eq!(notes[0].file.as_deref(), Some(Path::new("content/x.md")));
        assert!(
            notes[0]
                .message
                .contains("removed while the site was being built")
        );
    }

    #[test]
    fn a_page_changed_or_removed_after_reading_is_an_error_naming_it() {
        for change in ["same length", "longer text", "removed"] {
            let (_dir, file) = file_on_disk("---\ntitle: Un\n---\nCorps un.\n");
            let path = file.path.clone();
            let (page, _) = read_page(&config(), file, ReadOptions::default());
            let page = page.unwrap();
            match change {
                "same length" => std::fs::write(&path, "---\ntitle: Un\n---\nCorps deux\n"),
                "longer text" => std::fs::write(&path, "---\ntitle: Un\n---\nCorps 2 plus long.\n"),
                _ => std::fs::remove_file(&path),
            }
            .unwrap();
            let err = page_body(&page).unwrap_err();
            assert_eq!(
                err.file.as_deref(),
                Some(Path::new("content/x.md")),
                "{change}"
            );
            assert!(err.is_error(), "{change}");
        }
    }

    #[test]
    fn decodes_bom_and_crlf() {
        let text = decode_text(
            Path::new("content/x.md"),
            b"\xEF\xBB\xBF---\r\ntitle: A\r\n---\r\nx\r",
        )
        .unwrap();
        assert_eq!(text, "---\ntitle: A\n---\nx\n");
    }

    #[test]
    fn invalid_utf8_names_the_byte_offset() {
        let err = decode_text(Path::new("content/x.md"), b"ok\nab\xFFcd").unwrap_err();
        assert!(err.message.contains("byte offset 5"), "{}", err.message);
        assert_eq!((err.line, err.column), (Some(2), Some(3)));
    }

    #[test]
    fn agreeing_languages_are_fine_and_conflicts_name_all_sources() {
        let config = config();
        let front = FrontMatter {
            lang: Some("fr".into()),
            ..Default::default()
        };
        assert_eq!(
            resolve_language(&config, &file(Some("fr"), None), &front).unwrap(),
            "fr"
        );
        let err = resolve_language(&config, &file(Some("fr"), Some("nl")), &front).unwrap_err();
        assert!(
            err.message.contains("file-name suffix says `nl`"),
            "{}",
            err.message
        );
        assert!(
            err.message.contains("language folder says `fr`"),
            "{}",
            err.message
        );
    }

    #[test]
    fn no_language_and_no_configured_source_language_is_an_error() {
        let err =
            resolve_language(&config(), &file(None, None), &FrontMatter::default()).unwrap_err();
        assert!(err.help.unwrap().contains("content/<lang>/"));
    }

    #[test]
    fn slugs_and_aliases_cannot_leave_the_output() {
        let config = config();
        for bad in [
            "slug: ../../etc",
            "slug: a/b",
            "slug: 'C:'",
            "aliases: [../x]",
            "aliases: /etc/passwd/../..",
            "aliases: ['a\\0b']",
        ] {
            let text = format!("---\n{bad}\n---\nx\n");
            let err = parse_page(&config, file(Some("fr"), None), &text, None).unwrap_err();
            assert_eq!(err.line, Some(2), "{bad}: {err}");
        }
        let ok = parse_page(
            &config,
            file(Some("fr"), None),
            "---\nslug: court\naliases: [ancien/chemin/]\n---\nx\n",
            None,
        )
        .unwrap();
        assert_eq!(ok.url_path(), "guide/court");
        assert_eq!(ok.front.aliases, ["ancien/chemin"]);
    }

    #[test]
    fn titles_read_as_plain_text() {
        assert_eq!(
            clean_title("[!UICONTROL General] > [!UICONTROL B2B\u{200B} Features]"),
            "General > B2B Features"
        );
        assert_eq!(
            first_heading("# Aide EXL {#aide-exl}\n").as_deref(),
            Some("Aide EXL")
        );
    }

    #[test]
    fn descriptions_read_as_plain_text_in_every_language() {
        for (description, shown) in [
            (
                "Découvrez [!DNL Live Search] et [!UICONTROL Enregistrer].",
                "Découvrez Live Search et Enregistrer.",
            ),
            (
                "Scopri [!DNL Adobe Commerce B2B]&#x200B; ",
                "Scopri Adobe Commerce B2B",
            ),
            (
                "Qu'est-ce que  [!DNL Live Search]\u{a0}?",
                "Qu'est-ce que Live Search\u{a0}?",
            ),
            ("Wat is  [!DNL Live Search]\t\n?", "Wat is Live Search ?"),
        ] {
            assert_eq!(shown_text(description), shown);
        }
    }

    #[test]
    fn title_falls_back_to_heading_then_file_name() {
        let config = config();
        let page =
            parse_page(&config, file(Some("fr"), None), "# L&#39;essentiel\n", None).unwrap();
        assert_eq!(page.title, "L'essentiel");
        let page = parse_page(&config, file(Some("fr"), None), "text\n", None).unwrap();
        assert_eq!(page.title, "b2b and b2c");
    }
}
