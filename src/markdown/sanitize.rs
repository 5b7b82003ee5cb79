//! Allowlist sanitizing of a page's rendered HTML.
//!
//! Markdown lets authors write raw HTML, and translated content arrives from
//! outside the team, so the HTML of every page goes through [`Sanitizer`]
//! before it reaches a template. The sanitizer parses the fragment the way a
//! browser would (ammonia, built on html5ever), keeps only the elements and
//! attributes listed here, and serialises the result again.
//!
//! What stays is what tolk's own Markdown renderer writes (see
//! `markdown.rs`) plus the ordinary HTML of documentation:
//!
//! * headings with `id`s, paragraphs, lists, quotes, code (`class="language-…"`),
//!   emphasis, `<br>`, rules, `<kbd>`, `<abbr>`, `<details>` and the like;
//! * tables with `thead`/`tbody`, `scope`, `colspan`/`rowspan`, the scroll box
//!   `<div class="table-scroll" role="region" tabindex="0" aria-labelledby=…>`,
//!   and of `style` exactly `text-align: left|center|right` on `th`/`td` and
//!   `table-layout: auto|fixed` on `table`;
//! * footnote references, definitions and back links with their ids and
//!   classes;
//! * task-list checkboxes: `<input type="checkbox" disabled checked>` (every
//!   `input` is forced to `disabled`);
//! * the Experience League extensions (`exl`): alerts
//!   `<div class="alert alert-…" role="note">`, tabs, shade boxes, videos,
//!   the `uicontrol` and `badge` spans, and what attribute lists such as
//!   `{#id .class width="350" target=_blank}` add;
//! * images with `src`, `alt`, `title`, `width`, `height`, `loading`;
//! * links with `href`, `title`, `target="_blank"` and `rel`.
//!
//! What goes: `<script>`, `<style>`, `<iframe>`, `<object>`, `<embed>`,
//! `<form>` and the other embedding or form elements (with their content),
//! every unknown element (its text stays), every unknown attribute and so every
//! event handler (`on…`), `style` beyond the values above, class names of any
//! other shape than tolk's attribute lists accept, `data-*` attributes (the
//! theme's script reads some), and comments.
//!
//! URLs in `href` and `src` may be relative (`../x/`, `/fr/a/`, `#id`,
//! `?q`) or use `http`, `https`, `mailto` or `tel`. Anything else, including
//! `javascript:`, `vbscript:` and `data:` links, is removed, however it is
//! spelled (case, entities, embedded tabs or newlines). One exception:
//! `<img src="data:image/png|gif|jpeg|webp;base64,…">`. An image element never
//! runs script, whatever its bytes are, and browsers refuse to navigate a
//! top-level window to a `data:` URL, so inline raster images are safe; SVG
//! (`data:image/svg+xml`), which is a document with scripting of its own when
//! opened directly, is not in the list, nor are `data:` URLs anywhere but in
//! an image's `src`.
//!
//! `rel="noopener noreferrer"` is added to links that open a new window
//! (`target="_blank"`) and to no other; `rel` keeps only link types that
//! cannot weaken that (`opener`, for one, is removed).
//!
//! Elements nested more than [`MAX_DEPTH`] levels deep lose their tags (not
//! their text) before parsing, which keeps hostile nesting from making the
//! parser quadratic.
//!
//! Cleaning is idempotent: cleaning cleaned HTML changes nothing. It costs one
//! html5ever parse and serialisation of the page (about 5 MB of HTML a second
//! in a release build); [`Sanitizer::clean_and_report`] parses a second time
//! only when the page holds something outside the allowlist.

use std::borrow::Cow;
use std::collections::HashSet;

use ammonia::{Builder, UrlRelative};

/// Elements kept (their disallowed attributes removed).
#[rustfmt::skip]
const ALLOWED_ELEMENTS: &[&str] = &[
    // text and structure
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "div", "span", "section", "blockquote",
    "pre", "code", "kbd", "samp", "var", "em", "strong", "b", "i", "u", "s", "del", "ins",
    "mark", "small", "sub", "sup", "abbr", "cite", "q", "dfn", "time", "data", "bdi", "bdo",
    "wbr", "ruby", "rt", "rp",
    // lists
    "ul", "ol", "li", "dl", "dt", "dd",
    // tables
    "table", "caption", "colgroup", "col", "thead", "tbody", "tfoot", "tr", "th", "td",
    // media, disclosure
    "img", "figure", "figcaption", "details", "summary",
    // links and task-list checkboxes
    "a", "input",
];

/// Elements removed together with everything inside them: what runs code,
/// embeds other documents or collects input, and elements whose content the
/// HTML parser reads as raw text.
#[rustfmt::skip]
const REMOVED_WITH_CONTENT: &[&str] = &[
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "form",
    "textarea", "select", "noscript", "noembed", "noframes", "template", "xmp", "title",
];

/// Attributes allowed on every kept element; values are checked by
/// [`filter_attribute`].
#[rustfmt::skip]
const GLOBAL_ATTRIBUTES: &[&str] = &[
    "id", "class", "lang", "dir", "title", "role", "aria-label", "aria-labelledby",
    "aria-describedby", "aria-hidden",
];

/// Attributes allowed on one element each.
const ELEMENT_ATTRIBUTES: &[(&str, &[&str])] = &[
    ("a", &["href", "target", "rel"]),
    ("img", &["src", "alt", "width", "height", "loading"]),
    ("input", &["type", "disabled", "checked"]),
    ("div", &["tabindex"]),
    ("table", &["style"]),
    (
        "th",
        &["scope", "colspan", "rowspan", "headers", "abbr", "style"],
    ),
    ("td", &["colspan", "rowspan", "headers", "style"]),
    ("col", &["span"]),
    ("colgroup", &["span"]),
    ("ol", &["start", "reversed"]),
    ("li", &["value"]),
    ("time", &["datetime"]),
    ("del", &["datetime"]),
    ("ins", &["datetime"]),
    ("data", &["value"]),
    ("details", &["open"]),
];

/// URL schemes ammonia lets through to [`filter_attribute`]; `data` is then
/// narrowed to raster images in `<img src>`.
const URL_SCHEMES: &[&str] = &["http", "https", "mailto", "tel", "data"];

/// Link types kept in `rel`.
#[rustfmt::skip]
const LINK_TYPES: &[&str] = &[
    "noopener", "noreferrer", "nofollow", "ugc", "sponsored", "external",
];

/// ARIA roles kept in `role`.
#[rustfmt::skip]
const ROLES: &[&str] = &[
    "note", "region", "presentation", "none", "img", "group", "doc-footnote", "doc-noteref",
    "doc-backlink", "doc-endnotes",
];

/// Cleans page HTML with a fixed allowlist. Build it once and share it: it is
/// `Send + Sync`, so rayon's threads can all use one.
pub struct Sanitizer {
    builder: Builder<'static>,
}

impl Default for Sanitizer {
    fn default() -> Self {
        Self::new()
    }
}

impl Sanitizer {
    pub fn new() -> Sanitizer {
        let mut builder = Builder::default();
        builder
            .tags(ALLOWED_ELEMENTS.iter().copied().collect())
            .clean_content_tags(REMOVED_WITH_CONTENT.iter().copied().collect())
            .generic_attributes(GLOBAL_ATTRIBUTES.iter().copied().collect())
            .tag_attributes(
                ELEMENT_ATTRIBUTES
                    .iter()
                    .map(|(element, attributes)| (*element, attributes.iter().copied().collect()))
                    .collect(),
            )
            .url_schemes(URL_SCHEMES.iter().copied().collect())
            // Relative links stay exactly as written.
            .url_relative(UrlRelative::PassThrough)
            // `rel` is handled here: only links opening a new window get one.
            .link_rel(None)
            .strip_comments(true)
            // A checkbox in a page is a display of state, never an input.
            .set_tag_attribute_value("input", "disabled", "")
            .attribute_filter(filter_attribute);
        Sanitizer { builder }
    }

    /// Cleans rendered page HTML (a fragment, as it goes inside `<article>`).
    pub fn clean(&self, html: &str) -> String {
        let html = limit_nesting(html);
        protect_new_windows(&self.builder.clean(&html.html).to_string())
    }

    /// Cleans like [`clean`](Self::clean) and tells whether anything was
    /// removed or changed, so the build can warn about the page.
    ///
    /// The answer compares the cleaned fragment with the same fragment parsed
    /// and serialised with every element, attribute and URL scheme it contains
    /// allowed, so differences of spelling alone (`<br />` and `<br>`, quotes,
    /// entities) are not reported; only removals and rewritten values are.
    /// Adding `rel` to a link that opens a new window does not count;
    /// flattening nesting deeper than [`MAX_DEPTH`] does. A linear scan
    /// first looks for anything outside the allowlist; only when it finds some
    /// is the HTML parsed a second time for the comparison, so HTML that tolk
    /// wrote itself costs one parse, as in [`clean`](Self::clean).
    pub fn clean_and_report(&self, html: &str) -> (String, bool) {
        let limited = limit_nesting(html);
        let cleaned = self.builder.clean(&limited.html).to_string();
        let removed = limited.flattened
            || (might_change(&limited.html) && cleaned != keep_everything(&limited.html));
        (protect_new_windows(&cleaned), removed)
    }

    /// Cleans a page the Markdown renderer wrote, like
    /// [`clean_and_report`](Self::clean_and_report), but skips the parse when
    /// it cannot change anything.
    ///
    /// Without raw HTML in the source (`has_raw_html` false), every tag was
    /// written by the renderer: text and attribute values are escaped, every
    /// value is quoted, there are no comments or raw-text elements. In that
    /// shape the linear scan reads the tags exactly as a browser does, so when
    /// it finds every element, attribute and URL inside the allowlist and
    /// unchanged by the filter, no link opening a new window, and no nesting
    /// to flatten, and no character the parser replaces, cleaning would
    /// return the same markup spelled ammonia's way. Most documentation pages are like that, and the parse and
    /// serialisation they skip was a third of a build's CPU time.
    pub fn clean_rendered(&self, html: &str, has_raw_html: bool) -> (String, bool) {
        if !has_raw_html && is_left_unchanged(html) {
            return (html.to_string(), false);
        }
        self.clean_and_report(html)
    }
}

/// Whether renderer-written HTML (see [`Sanitizer::clean_rendered`]) would
/// come out of cleaning with the same elements, attributes and values.
/// NUL and carriage returns, which the parser replaces, take the long way too.
/// One pass does the work of [`limit_nesting`] and [`might_change`]: no tag
/// outside the allowlist gets through it, so raw-text elements, whose
/// content the scan would have to skip, end it at once.
fn is_left_unchanged(html: &str) -> bool {
    if html.contains(['\0', '\r']) || html.contains("target=") {
        return false;
    }
    let mut nesting = NestingScanner::default();
    let mut position = 0;
    while let Some(found) = html[position..].find('<') {
        let token = scan_token(html, position + found);
        position = token.end;
        if let Some(tag) = token.tag
            && (nesting.observe(&tag) || tag_might_change(html, &tag))
        {
            return false;
        }
    }
    true
}

// ---------------------------------------------------------------------------
// Nesting depth

/// Elements nested deeper than this lose their tags (their text stays).
///
/// html5ever, like the HTML standard's tree builder it implements, scans the
/// stack of open elements for many start and end tags, so a fragment of `n`
/// nested elements costs time in `n²`: 100,000 nested `<blockquote>` take
/// tens of seconds in a release build and many minutes in a debug one.
/// Browsers cap the depth too (Chromium at 512). Real documents stay far below
/// this limit; Markdown nested 100,000 levels deep (`> > > …`, `- - - …`)
/// does not.
pub const MAX_DEPTH: usize = 256;

/// The fragment to parse, and whether tags had to go to get it there.
struct Limited<'h> {
    html: Cow<'h, str>,
    flattened: bool,
}

/// Removes the start and end tags of elements nested deeper than
/// [`MAX_DEPTH`], keeping everything else byte for byte.
///
/// This is a linear scan that follows the tokenizing rules of HTML closely
/// enough to track nesting: comments, attributes and their quoted or
/// unquoted values, raw-text elements (`script`, `style`, `textarea`, `title`, `xmp`,
/// `iframe`, `noembed`, `noframes`, outside SVG and MathML) and end tags that
/// close the nearest open element of their name. It does not count elements
/// whose end tag is optional (`p`, `li`, `td`…): the parser closes those by
/// itself. Wherever it cannot tell, it errs towards seeing more nesting, not
/// less. Whatever it removes, the result is still parsed and sanitized like
/// any other input, so this pass can cost fidelity at worst, never safety.
fn limit_nesting(html: &str) -> Limited<'_> {
    let mut scanner = NestingScanner::default();
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut position = 0;
    while let Some(found) = html[position..].find('<') {
        let start = position + found;
        let token = scan_token(html, start);
        position = token.end;
        let Some(tag) = token.tag else { continue };
        let drop = scanner.observe(&tag);
        if drop {
            let out = out.get_or_insert_with(|| String::with_capacity(html.len()));
            out.push_str(&html[copied..start]);
            copied = token.end;
        }
        if !tag.is_end && !scanner.in_foreign() && is_raw_text(&tag.name) {
            position = find_end_tag(html, position, &tag.name);
        }
    }
    match out {
        None => Limited {
            html: Cow::Borrowed(html),
            flattened: false,
        },
        Some(mut out) => {
            out.push_str(&html[copied..]);
            Limited {
                html: Cow::Owned(out),
                flattened: true,
            }
        }
    }
}

/// A start or end tag found by [`scan_token`]; the name in lowercase.
struct Tag {
    name: String,
    is_end: bool,
    self_closing: bool,
    /// Byte ranges of each attribute's name and raw value.
    attributes: Vec<(std::ops::Range<usize>, std::ops::Range<usize>)>,
}

struct Token {
    /// Byte offset just after the token.
    end: usize,
    /// `None` for comments, doctypes and a `<` that starts no tag.
    tag: Option<Tag>,
}

/// Reads the token starting with the `<` at `start`.
fn scan_token(html: &str, start: usize) -> Token {
    let bytes = html.as_bytes();
    let rest = &html[start..];
    if let Some(comment) = rest.strip_prefix("<!--") {
        let end = if comment.starts_with('>') {
            start + 5
        } else if comment.starts_with("->") {
            start + 6
        } else {
            // The first `>` that ends `-->` or `--!>`, found in one pass.
            let close = comment
                .match_indices('>')
                .map(|(i, _)| i)
                .find(|&i| comment[..i].ends_with("--") || comment[..i].ends_with("--!"))
                .map(|i| i + 1);
            close.map_or(html.len(), |i| start + 4 + i)
        };
        return Token { end, tag: None };
    }
    let (is_end, name_start) = if rest.starts_with("</") {
        (true, start + 2)
    } else {
        (false, start + 1)
    };
    if !bytes.get(name_start).is_some_and(u8::is_ascii_alphabetic) {
        // `<!doctype>`, `<?x>`, `</ x>` are bogus comments up to `>`; a lone
        // `<` is text.
        let bogus = rest.starts_with("<!") || rest.starts_with("<?") || is_end;
        let end = if bogus {
            rest.find('>').map_or(html.len(), |i| start + i + 1)
        } else {
            start + 1
        };
        return Token { end, tag: None };
    }
    let name_end = name_start
        + bytes[name_start..]
            .iter()
            .position(|b| b.is_ascii_whitespace() || matches!(b, b'/' | b'>'))
            .unwrap_or(bytes.len() - name_start);
    let name = html[name_start..name_end].to_ascii_lowercase();
    // The attribute states of the HTML tokenizer: a name runs to a space,
    // `/`, `>` or `=` (an `=` first is part of it); a value is quoted, or
    // runs to a space or `>`.
    let space = |b: u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0C');
    let len = bytes.len();
    let mut attributes = Vec::new();
    let mut index = name_end;
    let end = loop {
        while index < len && (space(bytes[index]) || bytes[index] == b'/') {
            index += 1;
        }
        if index >= len {
            break len;
        }
        if bytes[index] == b'>' {
            break index + 1;
        }
        let attribute_start = index;
        index += 1;
        while index < len && !(space(bytes[index]) || matches!(bytes[index], b'/' | b'>' | b'=')) {
            index += 1;
        }
        let attribute_name = attribute_start..index;
        while index < len && space(bytes[index]) {
            index += 1;
        }
        let mut value = index..index;
        if index < len && bytes[index] == b'=' {
            index += 1;
            while index < len && space(bytes[index]) {
                index += 1;
            }
            if index < len && matches!(bytes[index], b'"' | b'\'') {
                let quote = bytes[index];
                let value_start = index + 1;
                let value_end = bytes[value_start..]
                    .iter()
                    .position(|&b| b == quote)
                    .map_or(len, |i| value_start + i);
                value = value_start..value_end;
                index = (value_end + 1).min(len);
            } else {
                let value_start = index;
                while index < len && !(space(bytes[index]) || bytes[index] == b'>') {
                    index += 1;
                }
                value = value_start..index;
            }
        }
        attributes.push((attribute_name, value));
    };
    let self_closing = end >= 2 && bytes[end - 1] == b'>' && bytes[end - 2] == b'/';
    Token {
        end,
        tag: Some(Tag {
            name,
            is_end,
            self_closing,
            attributes,
        }),
    }
}

/// The offset of the end tag closing a raw-text element (or the end of the
/// text): `</name` followed by a space, `/` or `>`, in any case.
fn find_end_tag(html: &str, from: usize, name: &str) -> usize {
    let bytes = html.as_bytes();
    let mut position = from;
    while let Some(found) = html[position..].find("</") {
        let at = position + found;
        let name_end = at + 2 + name.len();
        let matches = bytes
            .get(at + 2..name_end)
            .is_some_and(|n| n.eq_ignore_ascii_case(name.as_bytes()))
            && bytes
                .get(name_end)
                .is_none_or(|b| b.is_ascii_whitespace() || matches!(b, b'/' | b'>'));
        if matches {
            return at;
        }
        position = at + 2;
    }
    html.len()
}

/// The open elements as far as nesting goes, each with whether its tags
/// are being removed.
#[derive(Default)]
struct NestingScanner {
    open: Vec<(String, bool)>,
    /// How many of each name are in `open`, so an end tag with nothing to
    /// close is recognised without searching the stack.
    counts: std::collections::HashMap<String, usize>,
}

impl NestingScanner {
    /// Takes a tag into account; `true` if it is to be removed.
    fn observe(&mut self, tag: &Tag) -> bool {
        if !adds_nesting(&tag.name) {
            return false;
        }
        if tag.is_end {
            if self.counts.get(&tag.name).copied().unwrap_or(0) == 0 {
                return false;
            }
            while let Some((name, dropped)) = self.open.pop() {
                if let Some(count) = self.counts.get_mut(&name) {
                    *count -= 1;
                }
                if name == tag.name {
                    return dropped;
                }
            }
            false
        } else if tag.self_closing && self.in_foreign() {
            false
        } else {
            let dropped = self.open.len() >= MAX_DEPTH;
            *self.counts.entry(tag.name.clone()).or_insert(0) += 1;
            self.open.push((tag.name.clone(), dropped));
            dropped
        }
    }

    fn in_foreign(&self) -> bool {
        ["svg", "math"]
            .iter()
            .any(|name| self.counts.get(*name).is_some_and(|&n| n > 0))
    }
}

/// Whether an element makes the tree deeper until its end tag: not void
/// elements, not those the parser closes by itself, not raw-text elements
/// (they hold no elements) and not the document's own.
fn adds_nesting(name: &str) -> bool {
    !matches!(
        name,
        "area"
            | "base"
            | "basefont"
            | "bgsound"
            | "br"
            | "col"
            | "embed"
            | "frame"
            | "hr"
            | "image"
            | "img"
            | "input"
            | "keygen"
            | "link"
            | "meta"
            | "param"
            | "source"
            | "track"
            | "wbr"
            | "p"
            | "li"
            | "dt"
            | "dd"
            | "tr"
            | "td"
            | "th"
            | "thead"
            | "tbody"
            | "tfoot"
            | "caption"
            | "colgroup"
            | "option"
            | "optgroup"
            | "rb"
            | "rt"
            | "rp"
            | "rtc"
            | "html"
            | "head"
            | "body"
    ) && !is_raw_text(name)
}

fn is_raw_text(name: &str) -> bool {
    matches!(
        name,
        "script" | "style" | "textarea" | "title" | "xmp" | "iframe" | "noembed" | "noframes"
    )
}

// ---------------------------------------------------------------------------
// Attribute values

/// ammonia's attribute filter: `None` removes the attribute, `Some` keeps it
/// (borrowed: unchanged) or replaces its value (owned).
fn filter_attribute<'v>(element: &str, attribute: &str, value: &'v str) -> Option<Cow<'v, str>> {
    let keep = |ok: bool| ok.then_some(Cow::Borrowed(value));
    match attribute {
        // Nothing allowed starts with "on": a second line of defence against
        // event handlers, should the lists above ever grow one by mistake.
        name if name.starts_with("on") => None,
        "href" | "src" => keep(is_safe_url(element, attribute, value)),
        "style" => keep(is_allowed_style(element, value)),
        "class" => filter_classes(element, value),
        "rel" => filter_link_types(value),
        "target" => keep(element == "a" && value.eq_ignore_ascii_case("_blank")),
        "type" => keep(element == "input" && value.eq_ignore_ascii_case("checkbox")),
        "role" => keep(ROLES.iter().any(|role| value.eq_ignore_ascii_case(role))),
        "tabindex" => keep(matches!(value.trim(), "0" | "-1")),
        "dir" => keep(
            ["ltr", "rtl", "auto"]
                .iter()
                .any(|d| value.eq_ignore_ascii_case(d)),
        ),
        "scope" => keep(
            ["row", "col", "rowgroup", "colgroup"]
                .iter()
                .any(|s| value.eq_ignore_ascii_case(s)),
        ),
        "aria-hidden" => keep(
            ["true", "false"]
                .iter()
                .any(|s| value.eq_ignore_ascii_case(s)),
        ),
        "loading" => keep(
            ["lazy", "eager"]
                .iter()
                .any(|s| value.eq_ignore_ascii_case(s)),
        ),
        "width" | "height" => keep(is_dimension(value)),
        "colspan" | "rowspan" | "span" | "start" | "value" => keep(is_small_integer(value)),
        _ => Some(Cow::Borrowed(value)),
    }
}

/// Relative URLs and the allowed schemes; `data:` only for raster images in
/// `<img src>`. The scheme is read the way URL parsers read it: leading and
/// trailing spaces and control characters, and tabs and newlines anywhere,
/// do not count, and case does not matter. Anything that only looks like a
/// scheme after removing all spaces and controls is treated as one, which
/// errs on the side of removing.
fn is_safe_url(element: &str, attribute: &str, value: &str) -> bool {
    let compact: String = value
        .chars()
        .filter(|&c| c > ' ' && !c.is_control())
        .collect::<String>()
        .to_ascii_lowercase();
    match scheme_of(&compact) {
        None => true,
        Some("http" | "https" | "mailto" | "tel") => true,
        Some("data") => element == "img" && attribute == "src" && is_raster_data_url(&compact),
        Some(_) => false,
    }
}

/// The scheme of a (compacted, lowercase) URL, `None` for a relative URL. A
/// colon after `/`, `?` or `#` belongs to the path, query or fragment.
fn scheme_of(url: &str) -> Option<&str> {
    let end = url.find([':', '/', '?', '#'])?;
    if !url[end..].starts_with(':') {
        return None;
    }
    let scheme = &url[..end];
    // Not scheme-shaped (`1:`, `:x`): still not a relative path a browser
    // would follow safely everywhere, so report something that is refused.
    let well_formed = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    Some(if well_formed { scheme } else { "invalid" })
}

fn is_raster_data_url(compact: &str) -> bool {
    let Some(rest) = compact.strip_prefix("data:image/") else {
        return false;
    };
    let Some((media, payload)) = rest.split_once(";base64,") else {
        return false;
    };
    matches!(media, "png" | "gif" | "jpeg" | "jpg" | "webp")
        && payload
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '='))
}

/// Declarations of `text-align: left|center|right` on table cells and
/// `table-layout: auto|fixed` on tables, and nothing else; spaces, case and
/// `;` separators are free.
fn is_allowed_style(element: &str, value: &str) -> bool {
    let mut declarations = value
        .split(';')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .peekable();
    declarations.peek().is_some()
        && declarations.all(|declaration| {
            let Some((property, setting)) = declaration.split_once(':') else {
                return false;
            };
            let property = property.trim().to_ascii_lowercase();
            let setting = setting.trim().to_ascii_lowercase();
            match (element, property.as_str()) {
                ("th" | "td", "text-align") => {
                    matches!(setting.as_str(), "left" | "center" | "right")
                }
                ("table", "table-layout") => matches!(setting.as_str(), "auto" | "fixed"),
                _ => false,
            }
        })
}

/// Keeps the allowed classes of the element, in their order.
fn filter_classes<'v>(element: &str, value: &'v str) -> Option<Cow<'v, str>> {
    keep_tokens(value, |class| is_allowed_class(element, class))
}

/// The space-separated tokens of `value` that `keep` accepts, in their
/// order: `None` when none is left, the value itself when all are.
fn keep_tokens<'v>(value: &'v str, keep: impl Fn(&str) -> bool) -> Option<Cow<'v, str>> {
    let tokens: Vec<&str> = value.split_ascii_whitespace().collect();
    let kept: Vec<&str> = tokens.iter().copied().filter(|token| keep(token)).collect();
    if kept.is_empty() {
        None
    } else if kept.len() == tokens.len() {
        Some(Cow::Borrowed(value))
    } else {
        Some(Cow::Owned(kept.join(" ")))
    }
}

/// Class names of the shape tolk's attribute lists accept (`{.lead}`,
/// `{class="a-b"}`: ASCII letters, digits, `-`, `_`, at most 64), which also
/// covers every class tolk writes itself (`table-scroll`, `alert-note`,
/// `uicontrol`, `badge-informative`, `tab-panel`…), plus the `language-…`
/// class of code blocks, which keeps the fence's info word (`c++`, `c#`).
/// Classes only select styles: none of these can run anything.
fn is_allowed_class(element: &str, class: &str) -> bool {
    let plain = |name: &str, extra: &[char]| {
        !name.is_empty()
            && name.len() <= 64
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || extra.contains(&c))
    };
    plain(class, &[])
        || (matches!(element, "code" | "pre")
            && class
                .strip_prefix("language-")
                .is_some_and(|name| plain(name, &['+', '#', '.'])))
}

fn filter_link_types(value: &str) -> Option<Cow<'_, str>> {
    keep_tokens(value, |token| {
        LINK_TYPES.iter().any(|t| token.eq_ignore_ascii_case(t))
    })
}

/// `120`, `50%`: what `width` and `height` of an image may say.
fn is_dimension(value: &str) -> bool {
    let number = value.strip_suffix('%').unwrap_or(value);
    is_small_integer(number)
}

fn is_small_integer(value: &str) -> bool {
    let digits = value.strip_prefix('-').unwrap_or(value);
    (1..=6).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
}

// ---------------------------------------------------------------------------
// rel on links opening a new window

/// Adds `noopener noreferrer` to the `rel` of every `<a target="_blank">`.
///
/// The input is ammonia's serialisation, whose shape is fixed: outside tags
/// `<` only ever starts a tag (text has `&lt;`, comments are stripped, no
/// raw-text element survives), attributes are `name="value"` with `"`, `<`
/// and `>` escaped in values. So a small scanner finds every start tag.
fn protect_new_windows(html: &str) -> String {
    if !html.contains("target=\"") {
        return html.to_string();
    }
    let mut out = String::with_capacity(html.len() + 64);
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        let end = rest.find('>').map_or(rest.len(), |i| i + 1);
        let tag = &rest[..end];
        match with_protected_rel(tag) {
            Some(fixed) => out.push_str(&fixed),
            None => out.push_str(tag),
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// The `<a …>` start tag with `rel` completed, when it opens a new window and
/// lacks `noopener` or `noreferrer`.
fn with_protected_rel(tag: &str) -> Option<String> {
    let inner = tag.strip_prefix("<a ")?.strip_suffix('>')?;
    let attributes = parse_serialized_attributes(inner)?;
    let opens_window = attributes
        .iter()
        .any(|(name, value)| *name == "target" && value.eq_ignore_ascii_case("_blank"));
    if !opens_window {
        return None;
    }
    let rel = attributes
        .iter()
        .find(|(name, _)| *name == "rel")
        .map(|(_, v)| *v);
    let mut tokens: Vec<&str> = rel
        .map(|r| r.split_ascii_whitespace().collect())
        .unwrap_or_default();
    let before = tokens.len();
    for needed in ["noopener", "noreferrer"] {
        if !tokens.iter().any(|t| t.eq_ignore_ascii_case(needed)) {
            tokens.push(needed);
        }
    }
    if tokens.len() == before {
        return None;
    }
    let rel = tokens.join(" ");
    let mut fixed = String::from("<a");
    let mut placed = false;
    for (name, value) in &attributes {
        if *name == "rel" {
            fixed.push_str(&format!(" rel=\"{rel}\""));
            placed = true;
        } else {
            fixed.push_str(&format!(" {name}=\"{value}\""));
        }
    }
    if !placed {
        fixed.push_str(&format!(" rel=\"{rel}\""));
    }
    fixed.push('>');
    Some(fixed)
}

/// `name="value"` pairs of a serialised start tag, values still escaped.
/// `None` if the text is not in that exact shape (then it is left alone).
fn parse_serialized_attributes(mut inner: &str) -> Option<Vec<(&str, &str)>> {
    let mut attributes = Vec::new();
    loop {
        inner = inner.trim_start_matches(' ');
        if inner.is_empty() {
            return Some(attributes);
        }
        let (name, after) = inner.split_once("=\"")?;
        let (value, after) = after.split_once('"')?;
        if name.is_empty() || name.contains([' ', '"', '<', '>']) {
            return None;
        }
        attributes.push((name, value));
        inner = after;
    }
}

// ---------------------------------------------------------------------------
// Reporting removals

/// Whether cleaning could remove or change anything: an element or
/// attribute outside the allowlist, a value the attribute filter refuses or
/// rewrites, a URL ammonia would refuse, an `input` to disable. It reads tags
/// the way [`limit_nesting`] does; where it misreads, it can only make the
/// comparison run when it was not needed, or miss a warning, never let
/// anything through (cleaning does not depend on it).
fn might_change(html: &str) -> bool {
    let mut position = 0;
    while let Some(found) = html[position..].find('<') {
        let token = scan_token(html, position + found);
        position = token.end;
        if token.tag.is_some_and(|tag| tag_might_change(html, &tag)) {
            return true;
        }
    }
    false
}

/// [`might_change`] for one tag.
fn tag_might_change(html: &str, tag: &Tag) -> bool {
    if !ALLOWED_ELEMENTS.contains(&tag.name.as_str()) {
        return true;
    }
    if tag.is_end {
        return false;
    }
    let mut disabled = false;
    for (name, value) in &tag.attributes {
        let name = html[name.clone()].to_ascii_lowercase();
        let value = html_escape::decode_html_entities(&html[value.clone()]);
        if !is_allowed_attribute(&tag.name, &name) || !url_passes_ammonia(&name, &value) {
            return true;
        }
        match filter_attribute(&tag.name, &name, &value) {
            Some(Cow::Borrowed(kept)) if kept == value.as_ref() => {}
            _ => return true,
        }
        disabled |= name == "disabled";
    }
    tag.name == "input" && !disabled
}

fn is_allowed_attribute(element: &str, attribute: &str) -> bool {
    GLOBAL_ATTRIBUTES.contains(&attribute)
        || ELEMENT_ATTRIBUTES
            .iter()
            .any(|(tag, attributes)| *tag == element && attributes.contains(&attribute))
}

/// ammonia's own test of `href` and `src`: a relative URL, or one that parses
/// with an allowed scheme.
fn url_passes_ammonia(attribute: &str, value: &str) -> bool {
    if !matches!(attribute, "href" | "src") {
        return true;
    }
    match ammonia::Url::parse(value) {
        Ok(url) => URL_SCHEMES.contains(&url.scheme()),
        Err(error) => error == ammonia::url::ParseError::RelativeUrlWithoutBase,
    }
}

/// Every HTML element, so the comparison in `clean_and_report` never sees a
/// difference because of an element the parser adds by itself (`tbody`).
#[rustfmt::skip]
const HTML_ELEMENTS: &[&str] = &[
    "a", "abbr", "acronym", "address", "applet", "area", "article", "aside", "audio", "b",
    "base", "basefont", "bdi", "bdo", "bgsound", "big", "blink", "blockquote", "body", "br",
    "button", "canvas", "caption", "center", "cite", "code", "col", "colgroup", "data",
    "datalist", "dd", "del", "details", "dfn", "dialog", "dir", "div", "dl", "dt", "em",
    "embed", "fieldset", "figcaption", "figure", "font", "footer", "form", "frame", "frameset",
    "h1", "h2", "h3", "h4", "h5", "h6", "head", "header", "hgroup", "hr", "html", "i", "iframe",
    "image", "img", "input", "ins", "isindex", "kbd", "keygen", "label", "legend", "li", "link",
    "listing", "main", "map", "mark", "marquee", "math", "menu", "menuitem", "meta", "meter",
    "nav", "nobr", "noembed", "noframes", "noscript", "object", "ol", "optgroup", "option",
    "output", "p", "param", "picture", "plaintext", "pre", "progress", "q", "rb", "rp", "rt",
    "rtc", "ruby", "s", "samp", "script", "search", "section", "select", "selectedcontent",
    "slot", "small", "source", "span", "strike", "strong", "style", "sub", "summary", "sup",
    "svg", "table", "tbody", "td", "template", "textarea", "tfoot", "th", "thead", "time",
    "title", "tr", "track", "tt", "u", "ul", "var", "video", "wbr", "xmp",
];

/// Schemes the reference keeps even when the scan below misses them.
#[rustfmt::skip]
const KNOWN_SCHEMES: &[&str] = &[
    "http", "https", "mailto", "tel", "data", "javascript", "vbscript", "file", "blob", "about",
    "ftp", "livescript", "mocha", "ms-its", "mhtml", "jar", "view-source",
];

/// The fragment parsed and serialised by ammonia with every element,
/// attribute and URL scheme it mentions allowed: the reference `clean`'s
/// output is compared with. Comments are stripped in both, as they are not
/// content.
fn keep_everything(html: &str) -> String {
    let names = element_names(html);
    let schemes = scheme_names(html);
    let mut elements: HashSet<&str> = HTML_ELEMENTS.iter().copied().collect();
    elements.extend(names.iter().map(String::as_str));
    let mut all_schemes: HashSet<&str> = KNOWN_SCHEMES.iter().copied().collect();
    all_schemes.extend(schemes.iter().map(String::as_str));
    let mut builder = Builder::default();
    builder
        .tags(elements)
        .clean_content_tags(HashSet::new())
        .tag_attributes(Default::default())
        .generic_attributes(HashSet::new())
        // Every attribute name starts with "".
        .generic_attribute_prefixes(std::iter::once("").collect())
        .url_schemes(all_schemes)
        .url_relative(UrlRelative::PassThrough)
        .link_rel(None)
        .strip_comments(true);
    builder.clean(html).to_string()
}

/// Names after `<` or `</`, as written and in lowercase.
fn element_names(html: &str) -> Vec<String> {
    let mut names = HashSet::new();
    for (index, _) in html.match_indices('<') {
        let after = html[index + 1..]
            .strip_prefix('/')
            .unwrap_or(&html[index + 1..]);
        let len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == ':' || c == '_'))
            .unwrap_or(after.len());
        let name = &after[..len];
        if name.starts_with(|c: char| c.is_ascii_alphabetic()) {
            names.insert(name.to_string());
            names.insert(name.to_ascii_lowercase());
        }
    }
    names.into_iter().collect()
}

/// Every `word:` of the text once entities are decoded and tabs and newlines
/// removed, in lowercase: a superset of the URL schemes the parser will see.
fn scheme_names(html: &str) -> Vec<String> {
    let decoded = html_escape::decode_html_entities(html);
    let text: String = decoded
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let mut schemes = HashSet::new();
    for (index, _) in text.match_indices(':') {
        let before = &text[..index];
        // Scheme characters are ASCII, so the byte after the last other
        // byte is a character boundary.
        let start = before
            .bytes()
            .rposition(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.')))
            .map_or(0, |i| i + 1);
        let word = &before[start..];
        if word.starts_with(|c: char| c.is_ascii_alphabetic()) {
            schemes.insert(word.to_ascii_lowercase());
        }
    }
    schemes.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::{self, LinkTarget, RenderOptions};

    fn clean(html: &str) -> String {
        Sanitizer::new().clean(html)
    }

    fn render(source: &str) -> String {
        render_full(source).html
    }

    /// Markup as a browser reads it: tag names, attribute names and values,
    /// text; so `<br />` and `<br>` compare equal.
    fn normalized(html: &str) -> String {
        // Parsed and serialised with everything kept: spelling differences go.
        keep_everything(html)
    }

    fn assert_kept(html: &str) {
        let cleaned = clean(html);
        assert_eq!(
            normalized(&cleaned),
            normalized(html),
            "\ninput:   {html}\ncleaned: {cleaned}"
        );
        let (_, removed) = Sanitizer::new().clean_and_report(html);
        assert!(!removed, "nothing should be reported removed from {html}");
    }

    fn assert_removed(html: &str, needles: &[&str]) {
        let (cleaned, removed) = Sanitizer::new().clean_and_report(html);
        assert!(removed, "removal should be reported for {html}");
        let lower = cleaned.to_ascii_lowercase();
        for needle in needles {
            assert!(
                !lower.contains(&needle.to_ascii_lowercase()),
                "`{needle}` left in {cleaned} (from {html})"
            );
        }
    }

    #[test]
    fn sanitizer_is_send_and_sync() {
        fn shared<T: Send + Sync>() {}
        shared::<Sanitizer>();
    }

    // --- tolk's own markup is kept -------------------------------------

    #[test]
    fn keeps_headings_with_ids_and_inline_markup() {
        let html = render(
            "# Résumé des différences\n\n## Q&amp;A {#custom}\n\nSome *em*, **strong**, `code`, ~~gone~~ and a  \nhard break.\n\n---\n\n> quote\n",
        );
        assert!(
            html.contains("<h1 id=\"résumé-des-différences\">"),
            "{html}"
        );
        assert!(html.contains("<br />"), "{html}");
        assert_kept(&html);
    }

    #[test]
    fn keeps_tables_with_scopes_alignment_and_scroll_box() {
        let html = render(
            "## Summary\n\n| Variable | B2B | B2C |\n|:--|:-:|--:|\n| Audience | Firms | People |\n",
        );
        assert!(html.contains("<div class=\"table-scroll\" role=\"region\" tabindex=\"0\" aria-labelledby=\"summary\">"), "{html}");
        assert!(html.contains("style=\"text-align: center\""), "{html}");
        assert_kept(&html);
        let cleaned = clean(&html);
        assert!(
            cleaned.contains("<th scope=\"row\" style=\"text-align: left\">Audience</th>"),
            "{cleaned}"
        );
        assert!(
            cleaned.contains("<td style=\"text-align: right\">People</td>"),
            "{cleaned}"
        );
        assert!(cleaned.contains("aria-labelledby=\"summary\""), "{cleaned}");
        let unlabelled = render("| a |\n|---|\n| 1 |\n");
        assert!(unlabelled.contains("aria-label=\"Table\""));
        assert_kept(&unlabelled);
    }

    #[test]
    fn keeps_footnotes() {
        let html = render("Claim[^1] and again[^1].\n\n[^1]: Source.\n");
        assert!(html.contains("footnote-backref"), "{html}");
        assert_kept(&html);
        let cleaned = clean(&html);
        for needle in [
            "class=\"footnote-reference\" id=\"fnref-1\"",
            "href=\"#fn-1\"",
            "class=\"footnote-definition\" id=\"fn-1\"",
            "class=\"footnote-backref\"",
            "aria-label=\"Back to reference 1\"",
        ] {
            assert!(cleaned.contains(needle), "{needle} missing from {cleaned}");
        }
    }

    #[test]
    fn keeps_task_lists_code_blocks_images_and_links() {
        let html = render(
            "- [x] done\n- [ ] todo\n\n```rust\nfn main() {}\n```\n\n![A chart](img/chart.png \"Chart\")\n\n[next](../b2b/) [fr](/fr/a/) [top](#top) [mail](mailto:a@example.org) [web](https://example.org/?q=1&r=2)\n",
        );
        assert!(html.contains("type=\"checkbox\""), "{html}");
        assert_kept(&html);
        let cleaned = clean(&html);
        for needle in [
            "checked=\"\"",
            "class=\"language-rust\"",
            "src=\"img/chart.png\"",
            "alt=\"A chart\"",
            "title=\"Chart\"",
            "href=\"../b2b/\"",
            "href=\"/fr/a/\"",
            "href=\"#top\"",
            "href=\"mailto:a@example.org\"",
            "href=\"https://example.org/?q=1&amp;r=2\"",
        ] {
            assert!(cleaned.contains(needle), "{needle} missing from {cleaned}");
        }
        assert!(
            !cleaned.contains("rel="),
            "no rel on ordinary links: {cleaned}"
        );
    }

    #[test]
    fn keeps_alerts_badges_ui_controls_and_raw_tables() {
        let html = "<div class=\"alert alert-note\" role=\"note\"><p class=\"alert-title\">Note</p><p>Click <span class=\"uicontrol\">Save</span> <span class=\"badge badge-beta\">Beta</span></p></div>\n<table style=\"table-layout: fixed\"><caption>Plans</caption><thead><tr><th scope=\"col\" colspan=\"2\">Plan</th></tr></thead><tbody><tr><td rowspan=\"2\" style=\"text-align: center\">A</td><td>B<br>C</td></tr></tbody></table>\n<p><img src=\"/assets/x.png\" alt=\"X\" title=\"An X\" width=\"120\" height=\"80\" loading=\"lazy\"> <a href=\"https://example.org/\" title=\"Ex\" target=\"_blank\" rel=\"noopener noreferrer\">out</a></p>\n<details><summary>More</summary><p><kbd>Ctrl</kbd>+<kbd>S</kbd>, <abbr title=\"Business to business\">B2B</abbr></p></details>";
        assert_kept(html);
    }

    /// Every Markdown page of the example site and of the Experience League
    /// fixture site, rendered by tolk, goes through unchanged.
    #[test]
    fn keeps_the_sample_and_experience_league_pages() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut seen = 0;
        for folder in ["content", "tests/fixtures/exl-site/content"] {
            for entry in walkdir::WalkDir::new(root.join(folder))
                .into_iter()
                .filter_map(Result::ok)
            {
                if entry.path().extension().is_some_and(|e| e == "md") {
                    let text = std::fs::read_to_string(entry.path()).unwrap();
                    let Ok(split) = crate::read::front_matter::split(&text) else {
                        continue;
                    };
                    let html = render(split.body);
                    let name = entry.path().display();
                    assert!(!might_change(&html), "{name}: {html}");
                    assert_kept(&html);
                    // Void elements lose their slash and comments go; the
                    // rest is kept byte for byte.
                    if !html.contains(" />") && !html.contains("<!--") {
                        assert_eq!(clean(&html), html, "{name}");
                    }
                    seen += 1;
                }
            }
        }
        assert!(seen > 5, "{seen} pages");
    }

    fn render_full(source: &str) -> markdown::Rendered {
        let keep = |_: &str| LinkTarget::Keep;
        let english = |_: &str| String::new();
        markdown::render(
            source,
            &RenderOptions {
                resolve_link: &keep,
                labels: &english,
            },
        )
    }

    #[test]
    fn renderer_tells_whether_the_source_holds_raw_html() {
        assert!(!render_full("**B2B** and `<b>` in code\n\n    <i>indented</i>\n").has_raw_html);
        assert!(render_full("a <b>bold</b> word\n").has_raw_html);
        assert!(render_full("<div>\nblock\n</div>\n").has_raw_html);
        assert!(render_full("![x](a.png)\n<!-- zoom -->\n").has_raw_html);
    }

    /// Skipping the parse is only allowed where it makes no difference: on
    /// every sample and Experience League page the result reads exactly as
    /// the cleaned one.
    #[test]
    fn skipping_the_parse_reads_as_cleaning_would() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let sanitizer = Sanitizer::new();
        let mut skipped = 0;
        for folder in ["content", "tests/fixtures/exl-site/content"] {
            for entry in walkdir::WalkDir::new(root.join(folder))
                .into_iter()
                .filter_map(Result::ok)
                .filter(|e| e.path().extension().is_some_and(|e| e == "md"))
            {
                let text = std::fs::read_to_string(entry.path()).unwrap();
                let Ok(split) = crate::read::front_matter::split(&text) else {
                    continue;
                };
                let rendered = render_full(split.body);
                let (fast, removed) =
                    sanitizer.clean_rendered(&rendered.html, rendered.has_raw_html);
                let (slow, slow_removed) = sanitizer.clean_and_report(&rendered.html);
                let name = entry.path().display();
                assert_eq!(normalized(&fast), normalized(&slow), "{name}");
                assert_eq!(removed, slow_removed, "{name}");
                if fast == rendered.html {
                    skipped += 1;
                }
            }
        }
        assert!(skipped >= 4, "the sample pages skip the parse ({skipped})");
    }

    #[test]
    fn skipping_the_parse_never_keeps_what_cleaning_removes() {
        let sanitizer = Sanitizer::new();
        for source in [
            "[click](javascript:alert(1))\n",
            "[click](JaVaScRiPt:alert(1))\n",
            "![x](data:image/svg+xml;base64,PHN2Zz4=)\n",
            "[data](data:text/html;base64,PHNjcmlwdD4=)\n",
            "[vb](vbscript:msgbox)\n",
        ] {
            let rendered = render_full(source);
            assert!(!rendered.has_raw_html, "{source}");
            let (cleaned, removed) = sanitizer.clean_rendered(&rendered.html, false);
            assert!(removed, "{source}: {cleaned}");
            let lower = cleaned.to_ascii_lowercase();
            for needle in ["javascript:", "data:", "vbscript:"] {
                assert!(!lower.contains(needle), "{source}: {cleaned}");
            }
        }
        let rendered = render_full("[out](https://example.org/){target=_blank}\n");
        let (cleaned, _) = sanitizer.clean_rendered(&rendered.html, rendered.has_raw_html);
        assert!(cleaned.contains("rel=\"noopener noreferrer\""), "{cleaned}");
        let deep = render_full(&format!("{}deep\n", "> ".repeat(MAX_DEPTH + 10)));
        assert!(!deep.has_raw_html);
        let (cleaned, removed) = sanitizer.clean_rendered(&deep.html, false);
        assert!(removed, "deep nesting is flattened and reported");
        assert!(cleaned.matches("<blockquote>").count() <= MAX_DEPTH);
        let (cleaned, removed) = sanitizer.clean_rendered("<p>a\0b</p>", false);
        assert!(!cleaned.contains('\0') && !removed, "{cleaned:?}");
    }

    #[test]
    fn keeps_experience_league_markup() {
        let html = render(
            ">[!NOTE]\n>\n>Texte de la note.\n\n\
             Cliquez sur [!UICONTROL Enregistrer] [!BADGE Bêta]{type=Informative tooltip=\"Bientôt\"}.\n\n\
             [lien](https://example.org/){target=_blank}\n\n\
             ![Vue](assets/a.png){width=\"350\" zoomable=\"yes\"}\n\n\
             Paragraphe.{.lead #p1}\n\n\
             | a | b |\n|---|---|\n| 1 | 2 |\n{style=\"table-layout:auto\"}\n",
        );
        assert!(html.contains("class=\"alert alert-note\""), "{html}");
        assert!(html.contains("class=\"uicontrol\""), "{html}");
        assert!(html.contains("badge-informative"), "{html}");
        assert!(html.contains("target=\"_blank\""), "{html}");
        assert!(html.contains("zoomable"), "{html}");
        assert!(!might_change(&html), "{html}");
        assert_kept(&html);
    }

    #[test]
    fn void_elements_lose_only_their_slash() {
        // pulldown-cmark writes XHTML-style void elements; the HTML
        // serialiser does not. Nothing else changes.
        assert_eq!(clean("<p>a<br />b</p>"), "<p>a<br>b</p>");
        assert_eq!(
            clean("<li><input disabled=\"\" type=\"checkbox\" checked=\"\"/>\ndone</li>"),
            "<li><input disabled=\"\" type=\"checkbox\" checked=\"\">\ndone</li>"
        );
    }

    #[test]
    fn nul_bytes_do_not_survive() {
        let cleaned = clean("<p>a\u{0}b</p><p title=\"x\u{0}y\">c</p>");
        assert!(!cleaned.contains('\u{0}'), "{cleaned:?}");
    }

    // --- dangerous markup is removed -----------------------------------

    #[test]
    fn removes_script_style_and_embedding_elements_with_their_content() {
        assert_removed(
            "<p>a</p><script>alert(1)</script>",
            &["<script", "alert(1)"],
        );
        assert_removed(
            "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
            &["<script", "evil"],
        );
        assert_removed(
            "<style>body{display:none}</style><p>x</p>",
            &["<style", "display"],
        );
        assert_removed(
            "<iframe src=\"https://evil.example/\">inner</iframe>",
            &["<iframe", "evil"],
        );
        assert_removed(
            "<object data=\"x.swf\"><param name=a value=b>fallback</object>",
            &["<object", "x.swf", "<param"],
        );
        assert_removed("<embed src=\"x.swf\">", &["<embed", "x.swf"]);
        assert_removed(
            "<form action=\"https://evil.example/\"><input name=\"password\"><button>Go</button></form>",
            &["<form", "evil", "password", "<button"],
        );
        assert_removed(
            "<svg><script>alert(1)</script></svg>",
            &["<svg", "<script", "alert"],
        );
        assert_removed(
            "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
            &["javascript", "<math"],
        );
        assert_removed(
            "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>",
            &["onerror"],
        );
        assert_removed(
            "<meta http-equiv=\"refresh\" content=\"0;url=https://evil.example/\">",
            &["<meta", "refresh"],
        );
        assert_removed("<base href=\"https://evil.example/\">", &["<base", "evil"]);
        assert_removed(
            "<link rel=\"stylesheet\" href=\"https://evil.example/x.css\">",
            &["<link", "evil"],
        );
    }

    #[test]
    fn removes_event_handlers() {
        assert_removed("<p onclick=\"alert(1)\">x</p>", &["onclick", "alert"]);
        assert_removed("<img src=\"x.png\" onerror=\"alert(1)\">", &["onerror"]);
        assert_removed(
            "<a href=\"#\" OnMouseOver=\"alert(1)\">x</a>",
            &["onmouseover"],
        );
        assert_removed("<details open ontoggle=alert(1)>x</details>", &["ontoggle"]);
        assert_removed(
            "<h2 id=\"a\" onfocus=\"alert(1)\" tabindex=\"1\" autofocus>x</h2>",
            &["onfocus", "autofocus", "tabindex"],
        );
        // Heading attribute lists `{…}` are filtered by the renderer too;
        // whatever it lets through, no handler comes out.
        let html = render("# Title {#t onclick=alert(1) .x}\n");
        let cleaned = clean(&html);
        assert!(!cleaned.contains("onclick"), "{cleaned}");
        assert!(cleaned.contains("<h1 id=\"t\""), "{cleaned}");
        assert_removed("<h1 id=\"t\" onclick=\"alert(1)\">Title</h1>", &["onclick"]);
    }

    #[test]
    fn removes_script_urls_however_spelled() {
        for href in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            " javascript:alert(1)",
            "java\tscript:alert(1)",
            "java&#x09;script:alert(1)",
            "&#106;avascript:alert(1)",
            "javascript&colon;alert(1)",
            "\u{1}javascript:alert(1)",
            "vbscript:msgbox(1)",
            "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
            "DATA:text/html,<script>alert(1)</script>",
            "data:image/png;base64,iVBORw0KGgo=",
            "file:///etc/passwd",
        ] {
            let html = format!("<a href=\"{href}\">x</a>");
            let (cleaned, removed) = Sanitizer::new().clean_and_report(&html);
            assert!(removed, "{href}");
            assert_eq!(cleaned, "<a>x</a>", "{href}");
        }
        assert_removed("<img src=\"javascript:alert(1)\">", &["javascript"]);
        assert_removed(
            "<img src=\"data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=\">",
            &["data:"],
        );
        assert_removed("<img src=\"data:text/html,hi\">", &["data:"]);
        assert_removed("<img src=\"data:image/png,%3Cscript%3E\">", &["data:"]);
        let markdown = render(
            "[click](javascript:alert(1)) ![i](javascript:alert(2)) <javascript:alert(3)>\n",
        );
        assert_removed(
            &markdown,
            &[
                "javascript:alert(1)",
                "javascript:alert(2)",
                "href=\"javascript",
            ],
        );
    }

    #[test]
    fn keeps_raster_data_images_only_in_img_src() {
        let png = "<img src=\"data:image/png;base64,iVBORw0KGgoAAAANSUhEUg==\" alt=\"dot\">";
        assert_kept(png);
        assert_kept("<img src=\"DATA:image/WEBP;base64,UklGRg==\">");
    }

    #[test]
    fn style_only_allows_alignment_and_table_layout() {
        assert_kept(
            "<table style=\"table-layout: auto\"><tbody><tr><td style=\"text-align:left;\">x</td></tr></tbody></table>",
        );
        assert_removed("<p style=\"color: red\">x</p>", &["style"]);
        assert_removed(
            "<table><tr><td style=\"text-align: center; background: url(javascript:alert(1))\">x</td></tr></table>",
            &["style", "javascript"],
        );
        assert_removed(
            "<table><tr><th style=\"text-align: expression(alert(1))\">x</th></tr></table>",
            &["style"],
        );
        assert_removed(
            "<div style=\"position: fixed; inset: 0\">overlay</div>",
            &["style"],
        );
        assert_removed(
            "<table style=\"text-align: left\"><tbody><tr><td>x</td></tr></tbody></table>",
            &["style"],
        );
    }

    #[test]
    fn classes_keep_the_attribute_list_shape_and_data_attributes_go() {
        assert_kept("<p class=\"lead\">x</p><h2 id=\"a\" class=\"tab-title ok_2\">t</h2>");
        assert_kept(
            "<pre><code class=\"language-c++\">x</code></pre><code class=\"language-c#\">y</code>",
        );
        let (cleaned, removed) = Sanitizer::new()
            .clean_and_report("<div class=\"alert a&quot;b x<y language-c++\">x</div>");
        assert!(removed);
        assert_eq!(cleaned, "<div class=\"alert\">x</div>");
        assert_removed(
            "<div data-tolk-languages data-x=\"1\"><a hreflang=\"fr\" href=\"/fr/\" name=\"n\">fr</a></div>",
            &["data-tolk", "data-x", "hreflang", "name="],
        );
    }

    #[test]
    fn links_opening_a_window_get_rel_and_nothing_else_does() {
        assert_eq!(clean("<a href=\"/x/\">x</a>"), "<a href=\"/x/\">x</a>");
        assert_eq!(
            clean("<a href=\"https://e.example/\" target=\"_blank\">x</a>"),
            "<a href=\"https://e.example/\" target=\"_blank\" rel=\"noopener noreferrer\">x</a>"
        );
        assert_eq!(
            clean("<a href=\"https://e.example/\" rel=\"nofollow opener\" target=\"_blank\">x</a>"),
            "<a href=\"https://e.example/\" rel=\"nofollow noopener noreferrer\" target=\"_blank\">x</a>"
        );
        assert_eq!(
            clean("<a href=\"/x/\" target=\"_top\">x</a>"),
            "<a href=\"/x/\">x</a>"
        );
        // The added rel is not a removal.
        let (_, removed) =
            Sanitizer::new().clean_and_report("<a href=\"/x/\" target=\"_blank\">x</a>");
        assert!(!removed);
        // A title that looks like a tag does not confuse the rel pass.
        let tricky = "<a title=\"<a target=&quot;_blank&quot;>\" href=\"/y/\">y</a>";
        assert_eq!(clean(tricky), clean(&clean(tricky)));
        assert!(!clean(tricky).contains("rel="), "{}", clean(tricky));
    }

    #[test]
    fn inputs_are_always_disabled_checkboxes() {
        assert_kept("<input disabled=\"\" type=\"checkbox\" checked=\"\">");
        let (cleaned, removed) =
            Sanitizer::new().clean_and_report("<input type=\"text\" name=\"q\" value=\"x\">");
        assert!(removed);
        assert_eq!(cleaned, "<input disabled=\"\">");
    }

    #[test]
    fn harmless_differences_are_not_reported() {
        for html in [
            "<br />",
            "<p>a &amp; b &lt;c&gt; &quot;d&quot;</p>",
            "<P CLASS=alert-x>x</P>",
            "<table><tr><td>x</td></tr></table>",
            "<!-- a comment -->text",
            "<p>unclosed",
        ] {
            let (_, removed) = Sanitizer::new().clean_and_report(html);
            assert!(!removed, "{html}");
        }
    }

    #[test]
    fn the_quick_look_agrees_with_the_comparison() {
        let sanitizer = Sanitizer::new();
        let cases = [
            render(
                "# T\n\n| a | b |\n|:-:|---|\n| 1 | 2 |\n\nx[^1]\n\n[^1]: n\n\n- [x] t\n\n[l](https://e.example/?a=1&b=2 \"t\") ![i](/i.png)\n",
            ),
            "<p title='a > b' class=\"alert-x\">x</p>".to_string(),
            "<a href=\"http://[bad\">x</a>".to_string(),
            "<p class=\"alert&#32;evil\">x</p>".to_string(),
            "<a href=\"java&#x0A;script:x\">x</a>".to_string(),
            "<div\ttabindex=0 role=region>x</div><input\ndisabled type=checkbox>".to_string(),
        ];
        for html in cases {
            let exact = sanitizer.builder.clean(&html).to_string() != keep_everything(&html);
            if exact {
                assert!(
                    might_change(&html),
                    "the quick look missed a change in {html}"
                );
            }
            assert_eq!(sanitizer.clean_and_report(&html).1, exact, "{html}");
        }
    }

    #[test]
    fn cleaning_is_idempotent() {
        let samples = [
            render("# T {onclick=x}\n\n| a | b |\n|:-:|---|\n| 1 | 2 |\n\nx[^1]\n\n[^1]: n\n\n- [x] t\n\n<script>alert(1)</script>\n\n<a href=\"x\" target=\"_blank\">x</a>\n"),
            "<a title=\"<a target=&quot;_blank&quot;>\" href=\"/y/\" target=\"_blank\" rel=\"opener\">y</a>".to_string(),
            "<svg><style><img src=x onerror=alert(1)></style></svg><math><mtext><table><mglyph><style><img src=x onerror=alert(1)>".to_string(),
            "<div class=\"alert  alert-tip\" role=\"NOTE\" tabindex=\" 0\">x</div><input type=CHECKBOX>".to_string(),
            "<p>unclosed <b>bold <i>both</b> italic".to_string(),
        ];
        let sanitizer = Sanitizer::new();
        for html in samples {
            let once = sanitizer.clean(&html);
            let twice = sanitizer.clean(&once);
            assert_eq!(once, twice, "from {html}");
            assert!(
                !sanitizer.clean_and_report(&once).1,
                "cleaned HTML reports no removal: {once}"
            );
        }
    }

    #[test]
    fn deep_and_large_input_stays_fast() {
        let started = std::time::Instant::now();
        let cases = [
            ("<blockquote>", "</blockquote>", 100_000),
            ("<ul><li>", "</li></ul>", 30_000),
            ("<div>", "</div>", 30_000),
            ("<b>", "</b>", 30_000),
        ];
        for (open, close, depth) in cases {
            let deep = format!("{}x{}", open.repeat(depth), close.repeat(depth));
            let (cleaned, removed) = Sanitizer::new().clean_and_report(&deep);
            assert!(cleaned.contains('x'));
            assert!(removed, "flattening is reported");
            assert_eq!(clean(&cleaned), cleaned, "idempotent after flattening");
        }
        let wide = format!("<table><tr>{}</tr></table>", "<td>c</td>".repeat(50_000));
        assert_eq!(clean(&wide).matches("<td>").count(), 50_000);
        // Debug builds are slow; quadratic behaviour would take minutes.
        assert!(started.elapsed().as_secs() < 60, "{:?}", started.elapsed());
    }

    #[test]
    fn nesting_limit_counts_what_the_parser_nests() {
        let depth = |html: &str| {
            let limited = limit_nesting(html);
            (limited.flattened, limited.html.matches("<div>").count())
        };
        let n = MAX_DEPTH + 50;
        // Within the limit: untouched, borrowed.
        assert!(matches!(
            limit_nesting(&"<div>".repeat(MAX_DEPTH)).html,
            Cow::Borrowed(_)
        ));
        // Siblings never add up.
        assert_eq!(depth(&"<div>x</div>".repeat(n)), (false, n));
        assert_eq!(depth(&"<p>x".repeat(n)), (false, 0));
        assert_eq!(
            depth(&format!("<ul>{}</ul>", "<li>x".repeat(n))),
            (false, 0)
        );
        // Nested: flattened to the limit.
        assert_eq!(depth(&"<div>".repeat(n)), (true, MAX_DEPTH));
        // Tricks that hide end tags from a naive count do not hide nesting.
        for trick in [
            "<div><!--</div>-->",
            "<div></span>",
            "<div><script></div></script>",
            "<div title=\"</div>\">",
            "<div><textarea></div></textarea>",
        ] {
            assert!(depth(&trick.repeat(n)).0, "{trick}");
        }
        // A quote not after `=` does not start a value (`<a b">`).
        assert!(depth(&format!("<i b\">{}", "<div>".repeat(n))).0);
        // Unterminated comments and tags run to the end, as in the parser.
        assert_eq!(depth(&format!("<!--{}", "<div>".repeat(n))), (false, n));
        // Comments end at the first `-->` or `--!>`, overlapping dashes too.
        for comment in [
            "<!---->",
            "<!--->",
            "<!-->",
            "<!-- a --->",
            "<!-- a --!>",
            "<!-- - -- ->-->",
        ] {
            assert!(
                depth(&format!("{comment}{}", "<div>".repeat(n))).0,
                "{comment}"
            );
        }
    }
}
