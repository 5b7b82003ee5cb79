//! Snippets (`{{name}}`) and includes (`{{$include /help/_includes/x.md}}`).
//!
//! This is a text pass run before rendering. It finds paragraphs that consist
//! of nothing but a directive (the Markdown parser tells which: a directive in
//! a code span or code block is code), asks the caller for the text to put
//! there, and splices it in, repeating the container prefix of the line
//! (`> ` inside a block quote, spaces inside a list item) on every inserted
//! line. The caller owns file access: it only ever receives paths relative to
//! the page language's content folder, already normalised, that cannot climb
//! out of it.
//!
//! A directive that cannot be expanded (unknown snippet, missing file, cycle,
//! nesting too deep) is reported and left in place; the renderer then shows
//! it as a marked placeholder paragraph. [`Expanded::remap`] maps positions
//! of render warnings back to the page, so a problem inside included text is
//! reported at the directive that brought it in.

use std::collections::HashMap;
use std::ops::Range;

use pulldown_cmark::{Event, Tag, TagEnd, TextMergeWithOffset};

use super::rebase::rebase_links;
use crate::markdown::syntax::MarkdownWarning;
use crate::markdown::syntax::parser;

/// How deep includes may nest (an include of an include ... of a snippet).
pub(crate) const MAX_INCLUDE_DEPTH: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IncludeKind {
    /// A file named by `{{$include path}}`.
    File,
    /// A candidate `_includes/snippets.md`, looked for from the page's folder
    /// upwards; an error just means "not here".
    Snippets,
}

/// What the caller is asked to load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct IncludeRequest<'a> {
    /// Relative to the content folder of the page's language, `/`-separated,
    /// without `.`, `..` or a leading `/`: `help/_includes/b2b.md`.
    pub path: &'a str,
    pub kind: IncludeKind,
}

/// A directive paragraph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Directive {
    Snippet(String),
    /// The path as written; empty when missing.
    Include(String),
}

/// Reads `{{name}}` or `{{$include path}}` (the whole text, trimmed).
pub(crate) fn parse_directive(text: &str) -> Option<Directive> {
    let inner = text.strip_prefix("{{")?.strip_suffix("}}")?.trim();
    if let Some(after) = inner.strip_prefix("$include") {
        let path = after.trim();
        let well_formed = path.is_empty()
            || (after.starts_with(char::is_whitespace) && !path.contains(char::is_whitespace));
        return well_formed.then(|| Directive::Include(path.to_string()));
    }
    let is_name = !inner.is_empty()
        && inner
            .chars()
            .all(|ch| ch.is_alphanumeric() || matches!(ch, '-' | '_' | '.'));
    is_name.then(|| Directive::Snippet(inner.to_string()))
}

/// Where a line of the expanded text came from.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Origin {
    /// 1-based line of the page.
    line: usize,
    /// For inserted lines: the column of the directive and what it inserted.
    inserted: Option<(usize, usize)>,
}

/// The page source with its directives expanded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Expanded {
    /// The Markdown to render.
    pub source: String,
    /// Directives that could not be expanded, at their place in the page.
    pub warnings: Vec<MarkdownWarning>,
    /// One entry per line of `source`; empty when nothing was expanded.
    origins: Vec<Origin>,
    /// Names of what was inserted, indexed by `Origin::inserted`.
    names: Vec<String>,
}

impl Expanded {
    fn unchanged(source: String, warnings: Vec<MarkdownWarning>) -> Self {
        Expanded {
            source,
            warnings,
            origins: Vec::new(),
            names: Vec::new(),
        }
    }

    /// Maps warnings about `source` (from rendering it) to the page: lines
    /// of the page keep their column, lines brought in by a directive are
    /// reported at the directive, naming what it included.
    pub(crate) fn remap(&self, warnings: Vec<MarkdownWarning>) -> Vec<MarkdownWarning> {
        warnings
            .into_iter()
            .map(|warning| self.remap_one(warning))
            .collect()
    }

    fn remap_one(&self, warning: MarkdownWarning) -> MarkdownWarning {
        let Some(origin) = warning
            .line
            .checked_sub(1)
            .and_then(|i| self.origins.get(i))
        else {
            return warning;
        };
        match origin.inserted {
            None => MarkdownWarning {
                line: origin.line,
                ..warning
            },
            Some((column, name)) => MarkdownWarning {
                line: origin.line,
                column,
                message: format!(
                    "{} (in {} included here, line {} of the inserted text)",
                    warning.message,
                    self.names.get(name).map_or("?", String::as_str),
                    warning.line - self.first_line_of(name),
                ),
            },
        }
    }

    /// Index (0-based) of the first expanded line an insertion produced.
    fn first_line_of(&self, name: usize) -> usize {
        self.origins
            .iter()
            .position(|o| o.inserted.is_some_and(|(_, n)| n == name))
            .unwrap_or(0)
    }
}

/// Expands the directives of a page.
///
/// `page_path` is the page's path relative to its language's content folder
/// (`help/b2b/overview.md`): relative includes and the snippets file are
/// found from there. `loader` reads a file of the page's language; each
/// [`IncludeRequest::path`] is already normalised.
pub(crate) fn expand_includes(
    source: &str,
    page_path: &str,
    loader: &dyn Fn(&IncludeRequest) -> Result<String, String>,
) -> Expanded {
    let source = normalize_newlines(source);
    if !source.contains("{{") {
        return Expanded::unchanged(source, Vec::new());
    }
    let mut expander = Expander {
        loader,
        page_path: page_path.trim_start_matches('/').to_string(),
        snippets: None,
        stack: Vec::new(),
        names: Vec::new(),
    };
    let page_path = expander.page_path.clone();
    let result = expander.expand(&source, &page_path);
    if result.origins.iter().all(|o| o.inserted.is_none()) {
        return Expanded::unchanged(source, result.warnings);
    }
    Expanded {
        source: result.text,
        warnings: result.warnings,
        origins: result.origins,
        names: expander.names,
    }
}

struct Expansion {
    text: String,
    origins: Vec<Origin>,
    warnings: Vec<MarkdownWarning>,
}

/// A loaded snippets file: its path and its sections.
type SnippetFile = (String, HashMap<String, String>);

struct Expander<'l> {
    loader: &'l dyn Fn(&IncludeRequest) -> Result<String, String>,
    page_path: String,
    /// Loaded on the first snippet; `Err` says why there is none.
    snippets: Option<Result<SnippetFile, String>>,
    /// What is being expanded, outermost first, for cycles and depth.
    stack: Vec<String>,
    names: Vec<String>,
}

/// A directive found in a text: its line (0-based), the prefix before it on
/// that line, and what it asks for.
struct Found {
    line: usize,
    prefix: String,
    directive: Directive,
    blank_before: bool,
}

impl Expander<'_> {
    /// Expands the directives of `text`, a file at `file` (relative includes
    /// resolve against its folder).
    fn expand(&mut self, text: &str, file: &str) -> Expansion {
        let lines: Vec<&str> = text.split('\n').collect();
        let mut found = find_directives(text).into_iter().peekable();
        let mut out = Expansion {
            text: String::with_capacity(text.len()),
            origins: Vec::with_capacity(lines.len()),
            warnings: Vec::new(),
        };
        for (index, line) in lines.iter().enumerate() {
            let here = found.next_if(|f| f.line == index);
            let inserted =
                here.and_then(|f| self.insert(&f, file, lines.get(index + 1), &mut out.warnings));
            match inserted {
                Some((replacement, origin)) => {
                    for new_line in replacement {
                        push_line(&mut out, &new_line, origin.clone());
                    }
                }
                None => push_line(
                    &mut out,
                    line,
                    Origin {
                        line: index + 1,
                        inserted: None,
                    },
                ),
            }
        }
        out
    }

    /// The lines replacing a directive line, or `None` (and a warning) when
    /// the directive cannot be expanded.
    fn insert(
        &mut self,
        found: &Found,
        file: &str,
        next_line: Option<&&str>,
        warnings: &mut Vec<MarkdownWarning>,
    ) -> Option<(Vec<String>, Origin)> {
        let column = found.prefix.chars().count() + 1;
        let (body, name) = match self.resolve(&found.directive, file) {
            Ok(resolved) => resolved,
            Err(message) => {
                warnings.push(MarkdownWarning {
                    line: found.line + 1,
                    column,
                    message,
                });
                return None;
            }
        };
        warnings.extend(body.warnings.into_iter().map(|w| MarkdownWarning {
            line: found.line + 1,
            column,
            message: format!("{} (from {name}, line {})", w.message, w.line),
        }));
        self.names.push(name);
        let origin = Origin {
            line: found.line + 1,
            inserted: Some((column, self.names.len() - 1)),
        };
        Some((indent_lines(found, &body.text, next_line), origin))
    }

    /// The expanded text a directive stands for, and a name for messages.
    fn resolve(
        &mut self,
        directive: &Directive,
        file: &str,
    ) -> Result<(Expansion, String), String> {
        match directive {
            Directive::Snippet(name) => {
                let (snippets_path, body) = self.snippet(name)?;
                let label = format!("snippet `{name}`");
                self.nested(
                    label,
                    format!("snippet:{name}"),
                    &body,
                    &snippets_path,
                    file,
                )
            }
            Directive::Include(written) if written.is_empty() => {
                Err("`{{$include}}` needs a path; left as written".to_string())
            }
            Directive::Include(written) => {
                let path = resolve_path(file, written).ok_or_else(|| {
                    format!("include path `{written}` leaves the language folder; not included")
                })?;
                let request = IncludeRequest {
                    path: &path,
                    kind: IncludeKind::File,
                };
                let text = (self.loader)(&request).map_err(|why| {
                    format!("cannot include `{written}` ({path}): {why}; left as written")
                })?;
                let text = normalize_newlines(strip_front_matter(&text));
                self.nested(format!("`{path}`"), path.clone(), &text, &path, file)
            }
        }
    }

    /// Expands `text` (the content of `file`) for insertion into `into`.
    fn nested(
        &mut self,
        label: String,
        key: String,
        text: &str,
        file: &str,
        into: &str,
    ) -> Result<(Expansion, String), String> {
        if self.stack.contains(&key) {
            let chain: Vec<&str> = self
                .stack
                .iter()
                .map(String::as_str)
                .chain([key.as_str()])
                .collect();
            return Err(format!(
                "include cycle ({}); {label} not included again",
                chain.join(" -> ")
            ));
        }
        if self.stack.len() >= MAX_INCLUDE_DEPTH {
            return Err(format!(
                "includes nest deeper than {MAX_INCLUDE_DEPTH} levels; {label} not included"
            ));
        }
        self.stack.push(key);
        let mut expansion = self.expand(text.trim_matches('\n'), file);
        self.stack.pop();
        expansion.text = rebase_links(&expansion.text, parent_folder(file), parent_folder(into));
        Ok((expansion, label))
    }

    fn snippet(&mut self, name: &str) -> Result<(String, String), String> {
        if self.snippets.is_none() {
            self.snippets = Some(self.load_snippets());
        }
        let (path, sections) = match &self.snippets {
            Some(Ok(file)) => file,
            Some(Err(why)) => return Err(format!("snippet `{name}` not found: {why}")),
            None => return Err(format!("snippet `{name}` not found")),
        };
        let body = sections.get(name).or_else(|| {
            sections
                .iter()
                .find(|(key, _)| key.eq_ignore_ascii_case(name))
                .map(|(_, body)| body)
        });
        match body {
            Some(body) => Ok((path.clone(), body.clone())),
            None => Err(format!(
                "snippet `{name}` not found in `{path}`; left as written"
            )),
        }
    }

    /// The nearest `_includes/snippets.md`, from the page's folder upwards.
    fn load_snippets(&self) -> Result<SnippetFile, String> {
        let mut folder = parent_folder(&self.page_path);
        loop {
            let path = if folder.is_empty() {
                "_includes/snippets.md".to_string()
            } else {
                format!("{folder}/_includes/snippets.md")
            };
            let request = IncludeRequest {
                path: &path,
                kind: IncludeKind::Snippets,
            };
            if let Ok(text) = (self.loader)(&request) {
                let sections = parse_snippets(&normalize_newlines(&text));
                return Ok((path, sections));
            }
            if folder.is_empty() {
                return Err("no `_includes/snippets.md` in the page's folder or above".to_string());
            }
            folder = parent_folder(folder);
        }
    }
}

fn push_line(out: &mut Expansion, line: &str, origin: Origin) {
    if !out.origins.is_empty() {
        out.text.push('\n');
    }
    out.text.push_str(line);
    out.origins.push(origin);
}

/// Directive paragraphs of `text`, in order, one per line at most.
fn find_directives(text: &str) -> Vec<Found> {
    let events: Vec<(Event<'_>, Range<usize>)> =
        TextMergeWithOffset::new(parser(text).into_offset_iter()).collect();
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let mut found = Vec::new();
    for window in events.windows(3) {
        // A whole line of a paragraph (or of a tight list item's text).
        let (Event::Text(content), range) = &window[1] else {
            continue;
        };
        let (Some(line_start), true) = (starts_line(&window[0].0), ends_line(&window[2].0)) else {
            continue;
        };
        let Some(directive) = parse_directive(content.trim()) else {
            continue;
        };
        let line = line_starts.partition_point(|&start| start <= range.start) - 1;
        found.push(Found {
            line,
            prefix: text[line_starts[line]..range.start].to_string(),
            directive,
            // Text above in the same paragraph (`>[!NOTE]` then `>{{x}}`):
            // a blank line makes the inserted blocks blocks of their own.
            blank_before: !line_start,
        });
    }
    found
}

/// `Some(true)` when the event opens a paragraph, `Some(false)` when it ends
/// a line inside one, `None` when text after it does not start a line.
fn starts_line(event: &Event<'_>) -> Option<bool> {
    match event {
        Event::Start(Tag::Paragraph | Tag::Item) => Some(true),
        Event::SoftBreak | Event::HardBreak => Some(false),
        _ => None,
    }
}

fn ends_line(event: &Event<'_>) -> bool {
    matches!(
        event,
        Event::End(TagEnd::Paragraph | TagEnd::Item) | Event::SoftBreak | Event::HardBreak
    )
}

/// Puts `body` where a directive was: the first line after the directive's
/// prefix, the others after the same container prefix with list markers
/// turned into spaces. A blank line closes the insertion when the page
/// continues right below, so an inserted HTML block or list cannot swallow
/// the next line.
fn indent_lines(found: &Found, body: &str, next_line: Option<&&str>) -> Vec<String> {
    let prefix = found.prefix.as_str();
    let continuation: String = prefix
        .chars()
        .map(|ch| {
            if ch == '>' || ch.is_whitespace() {
                ch
            } else {
                ' '
            }
        })
        .collect();
    let blank = continuation.trim_end().to_string();
    let mut lines: Vec<String> = body
        .split('\n')
        .enumerate()
        .map(|(index, line)| match (index, line.trim().is_empty()) {
            (0, _) => format!("{prefix}{line}"),
            (_, true) => blank.clone(),
            _ => format!("{continuation}{line}"),
        })
        .collect();
    let next_is_text = next_line.is_some_and(|line| {
        let inside = line.trim_start().trim_start_matches('>').trim();
        !inside.is_empty()
    });
    if found.blank_before {
        lines.insert(0, blank.clone());
    }
    if next_is_text {
        lines.push(blank);
    }
    lines
}

/// Splits a snippets file into its `## name {#name}` sections: the id names
/// the snippet (the heading text when there is no id), the body runs to the
/// next level-1 or level-2 heading. Headings inside fenced code do not count.
pub(crate) fn parse_snippets(text: &str) -> HashMap<String, String> {
    let mut sections = HashMap::new();
    let mut current: Option<(String, Vec<&str>)> = None;
    let mut fence: Option<(char, usize)> = None;
    for line in strip_front_matter(text).lines() {
        if let Some((ch, len)) = fence {
            if closes_fence(line, ch, len) {
                fence = None;
            }
        } else if let Some(opened) = opens_fence(line) {
            fence = Some(opened);
        } else if let Some(level) = atx_level(line).filter(|&level| level <= 2) {
            finish_section(&mut sections, current.take());
            if level == 2 {
                current = Some((section_name(line), Vec::new()));
            }
            continue;
        }
        if let Some((_, body)) = &mut current {
            body.push(line);
        }
    }
    finish_section(&mut sections, current);
    sections
}

fn finish_section(sections: &mut HashMap<String, String>, section: Option<(String, Vec<&str>)>) {
    if let Some((name, body)) = section {
        let body = body.join("\n");
        sections
            .entry(name)
            .or_insert_with(|| body.trim_matches('\n').trim_end().to_string());
    }
}

/// `## Title {#id}` -> `id`; `## Title` -> `Title`.
fn section_name(line: &str) -> String {
    let title = line.trim().trim_start_matches('#').trim();
    let title = title.trim_end_matches('#').trim_end();
    if let Some(open) = title.rfind("{#")
        && let Some(id) = title[open + 2..].strip_suffix('}')
        && !id.trim().is_empty()
        && !id.contains(char::is_whitespace)
    {
        return id.to_string();
    }
    title.to_string()
}

fn atx_level(line: &str) -> Option<usize> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    if indent > 3 {
        return None;
    }
    let rest = &line[indent..];
    let level = rest.len() - rest.trim_start_matches('#').len();
    let after = &rest[level..];
    ((1..=6).contains(&level) && (after.is_empty() || after.starts_with([' ', '\t'])))
        .then_some(level)
}

fn opens_fence(line: &str) -> Option<(char, usize)> {
    let trimmed = line.trim_start_matches(' ');
    if line.len() - trimmed.len() > 3 {
        return None;
    }
    let ch = trimmed
        .chars()
        .next()
        .filter(|&ch| ch == '`' || ch == '~')?;
    let len = trimmed.len() - trimmed.trim_start_matches(ch).len();
    let info = &trimmed[len..];
    (len >= 3 && !(ch == '`' && info.contains('`'))).then_some((ch, len))
}

fn closes_fence(line: &str, ch: char, len: usize) -> bool {
    let trimmed = line.trim_start_matches(' ');
    let run = trimmed.len() - trimmed.trim_start_matches(ch).len();
    line.len() - trimmed.len() <= 3 && run >= len && trimmed[run..].trim().is_empty()
}

/// Drops a leading `---` ... `---` block.
fn strip_front_matter(text: &str) -> &str {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let Some(rest) = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))
    else {
        return text;
    };
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        offset += line.len();
        if line.trim_end() == "---" {
            return &rest[offset..];
        }
    }
    text
}

fn normalize_newlines(text: &str) -> String {
    if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text.to_string()
    }
}

fn parent_folder(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(folder, _)| folder)
}

/// `written` against the folder of `file`; `/x` starts at the language
/// folder. `None` when the path climbs out of it or names nothing.
fn resolve_path(file: &str, written: &str) -> Option<String> {
    let mut parts: Vec<&str> = if written.starts_with('/') {
        Vec::new()
    } else {
        parent_folder(file)
            .split('/')
            .filter(|p| !p.is_empty())
            .collect()
    };
    for segment in written.split(['/', '\\']) {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SNIPPETS: &str = "---\ntitle: Fragments\n---\n# Fragments\n\n## B2B only {#b2b-only}\n\n>[!NOTE]\n>\n>B2B seulement.\n\n## plain\n\nTexte simple.\n\n```md\n## not a section\n```\n\n## loop {#loop}\n\n{{loop}}\n";

    fn files(request: &IncludeRequest) -> Result<String, String> {
        match request.path {
            "help/_includes/snippets.md" => Ok(SNIPPETS.to_string()),
            "help/_includes/note.md" => {
                Ok("---\nx: 1\n---\nInclus **ici**.\r\n\r\nDeuxième.\n".to_string())
            }
            "help/_includes/linked.md" => {
                Ok("[Jetons](../tokens.md) ![i](../assets/i.png)".to_string())
            }
            "help/_includes/nested.md" => Ok("Avant.\n\n{{$include note.md}}\n".to_string()),
            "help/_includes/a.md" => Ok("{{$include b.md}}".to_string()),
            "help/_includes/b.md" => Ok("{{$include a.md}}".to_string()),
            "help/_includes/bad.md" => Ok("{{missing}}".to_string()),
            _ => Err("no such file".to_string()),
        }
    }

    fn expand(source: &str) -> Expanded {
        expand_includes(source, "help/b2b/page.md", &files)
    }

    #[test]
    fn reads_directives() {
        assert_eq!(
            parse_directive("{{b2b-only}}"),
            Some(Directive::Snippet("b2b-only".into()))
        );
        assert_eq!(
            parse_directive("{{$include /help/_includes/x.md}}"),
            Some(Directive::Include("/help/_includes/x.md".into()))
        );
        assert_eq!(
            parse_directive("{{$include}}"),
            Some(Directive::Include(String::new()))
        );
        assert_eq!(parse_directive("{{two words}}"), None);
        assert_eq!(parse_directive("{{$includex.md}}"), None);
        assert_eq!(parse_directive("{single}"), None);
        assert_eq!(parse_directive("{{}}"), None);
    }

    #[test]
    fn splits_snippet_sections() {
        let sections = parse_snippets(SNIPPETS);
        assert_eq!(sections["b2b-only"], ">[!NOTE]\n>\n>B2B seulement.");
        assert_eq!(
            sections["plain"],
            "Texte simple.\n\n```md\n## not a section\n```"
        );
        assert_eq!(sections.len(), 3);
    }

    #[test]
    fn snippets_and_includes_are_spliced_in() {
        let expanded =
            expand("# Titre\n\n{{b2b-only}}\n\n{{$include /help/_includes/note.md}}\n## Suite\n");
        assert_eq!(
            expanded.source,
            "# Titre\n\n>[!NOTE]\n>\n>B2B seulement.\n\nInclus **ici**.\n\nDeuxième.\n\n## Suite\n"
        );
        assert!(expanded.warnings.is_empty(), "{:?}", expanded.warnings);
    }

    #[test]
    fn container_prefixes_repeat_on_inserted_lines() {
        let expanded = expand("> {{plain}}\n\n- {{$include ../_includes/note.md}}\n");
        assert_eq!(
            expanded.source,
            "> Texte simple.\n>\n> ```md\n> ## not a section\n> ```\n\n- Inclus **ici**.\n\n  Deuxième.\n"
        );
    }

    #[test]
    fn a_directive_line_inside_a_paragraph_splits_it() {
        let expanded =
            expand(">[!NOTE]\n>{{plain}}\n\nAvant\n{{$include /help/_includes/note.md}}\nAprès\n");
        assert_eq!(
            expanded.source,
            ">[!NOTE]\n>\n>Texte simple.\n>\n>```md\n>## not a section\n>```\n\nAvant\n\nInclus **ici**.\n\nDeuxième.\n\nAprès\n"
        );
    }

    #[test]
    fn code_is_never_a_directive() {
        let source =
            "`{{plain}}`\n\n```\n{{plain}}\n```\n\n    {{plain}}\n\nText {{plain}} inline.\n";
        let expanded = expand(source);
        assert_eq!(expanded.source, source);
        assert!(expanded.warnings.is_empty());
    }

    #[test]
    fn failures_are_reported_and_left_in_place() {
        let source = "Intro.\n\n{{nope}}\n\n  {{$include missing.md}}\n\n{{$include ../../../x.md}}\n\n{{$include}}\n";
        let expanded = expand(source);
        assert_eq!(expanded.source, source);
        let places: Vec<(usize, usize)> = expanded
            .warnings
            .iter()
            .map(|w| (w.line, w.column))
            .collect();
        assert_eq!(places, [(3, 1), (5, 3), (7, 1), (9, 1)]);
        assert!(expanded.warnings[0].message.contains("`nope` not found"));
        assert!(expanded.warnings[1].message.contains("help/b2b/missing.md"));
        assert!(
            expanded.warnings[2]
                .message
                .contains("leaves the language folder")
        );
    }

    #[test]
    fn cycles_and_nested_problems_point_at_the_page() {
        let expanded = expand(
            "{{$include /help/_includes/a.md}}\n\n{{loop}}\n\n{{$include /help/_includes/bad.md}}\n",
        );
        let lines: Vec<usize> = expanded.warnings.iter().map(|w| w.line).collect();
        assert_eq!(lines, [1, 3, 5], "{:?}", expanded.warnings);
        assert!(expanded.warnings[0].message.contains("cycle"));
        assert!(expanded.warnings[1].message.contains("cycle"));
        assert!(expanded.warnings[2].message.contains("`missing` not found"));
        assert!(expanded.source.contains("{{$include a.md}}"));
        assert!(expanded.source.contains("{{loop}}"));
    }

    #[test]
    fn nested_includes_resolve_against_their_own_folder() {
        let expanded = expand("{{$include /help/_includes/nested.md}}\n");
        assert_eq!(expanded.source, "Avant.\n\nInclus **ici**.\n\nDeuxième.\n");
    }

    #[test]
    fn relative_links_of_included_files_are_rebased() {
        let expanded = expand("{{$include /help/_includes/linked.md}}\n");
        assert_eq!(
            expanded.source,
            "[Jetons](../tokens.md) ![i](../assets/i.png)\n"
        );
        let expanded =
            expand_includes("{{$include _includes/linked.md}}\n", "help/page.md", &files);
        assert_eq!(expanded.source, "[Jetons](tokens.md) ![i](assets/i.png)\n");
    }

    #[test]
    fn render_warnings_map_back_to_the_page() {
        let expanded = expand("Un.\n\n{{$include /help/_includes/note.md}}\n\nDeux.\n");
        let warnings = vec![
            MarkdownWarning {
                line: 5,
                column: 4,
                message: "inside".into(),
            },
            MarkdownWarning {
                line: 7,
                column: 2,
                message: "after".into(),
            },
        ];
        let mapped = expanded.remap(warnings);
        assert_eq!((mapped[0].line, mapped[0].column), (3, 1));
        assert!(
            mapped[0].message.contains("`help/_includes/note.md`"),
            "{}",
            mapped[0].message
        );
        assert_eq!((mapped[1].line, mapped[1].column), (5, 2));
    }

    #[test]
    fn missing_snippets_file_is_explained() {
        let expanded = expand_includes("{{x}}\n", "other/page.md", &files);
        assert_eq!(expanded.warnings.len(), 1);
        assert!(
            expanded.warnings[0]
                .message
                .contains("_includes/snippets.md")
        );
    }

    #[test]
    fn paths_resolve_inside_the_language_folder() {
        assert_eq!(
            resolve_path("help/b2b/p.md", "x.md").as_deref(),
            Some("help/b2b/x.md")
        );
        assert_eq!(
            resolve_path("help/b2b/p.md", "/help/_includes/x.md").as_deref(),
            Some("help/_includes/x.md")
        );
        assert_eq!(
            resolve_path("help/b2b/p.md", "../../x.md").as_deref(),
            Some("x.md")
        );
        assert_eq!(resolve_path("help/b2b/p.md", "../../../x.md"), None);
        assert_eq!(resolve_path("p.md", "/"), None);
    }
}
