//! What every reader of Markdown shares: the one configured parser, the
//! escaping of text and URLs into HTML, and the form of a warning.

use pulldown_cmark::{Options, Parser};

/// The parser every stage reads Markdown with (rendering, includes,
/// fingerprints, the blocks of staleness), so they all see the same
/// structure: GitHub tables, footnotes, strikethrough, task lists and
/// heading attributes (`{#id}`).
pub fn parser(text: &str) -> Parser<'_> {
    Parser::new_ext(text, parser_options())
}

fn parser_options() -> Options {
    // ENABLE_FOOTNOTES is the GitHub-compatible footnote syntax in 0.13
    // (the older syntax lives behind ENABLE_OLD_FOOTNOTES).
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// A problem found while rendering; positions are 1-based, relative to the
/// start of the rendered source, and the column counts characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkdownWarning {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Escapes text for use inside HTML this module writes itself (attribute
/// values in double quotes and element content).
pub(crate) fn escape_html(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            _ => escaped.push(ch),
        }
    }
    escaped
}

/// Writes a URL into a double-quoted attribute: characters that are not
/// allowed in URLs are percent-encoded (existing `%XX` escapes are kept),
/// `&` and `'` become entities.
pub(crate) fn escape_href(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for byte in url.bytes() {
        match byte {
            b'&' => out.push_str("&amp;"),
            b'\'' => out.push_str("&#x27;"),
            b if b.is_ascii_alphanumeric() || b"-_.!~*();/?:@=+$,#%[]".contains(&b) => {
                out.push(char::from(b));
            }
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}
