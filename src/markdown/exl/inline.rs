//! Inline tokens (`[!UICONTROL Stores]`, `[!DNL Commerce]`,
//! `[!BADGE Beta]{type=Informative}`) and zero-width spaces left by machine
//! translation.
//!
//! The parser hands these tokens over as plain text (they have no link
//! destination), so they are found here by scanning text events.

use pulldown_cmark::{CowStr, Event, Tag, TagEnd};

use super::attributes::{self, Target};
#[cfg(test)]
use super::escape_html;
use super::{Context, Spanned};

/// Block markers: understood only at the start of a block quote.
pub(crate) const BLOCK_MARKERS: &[&str] = &[
    "NOTE",
    "TIP",
    "IMPORTANT",
    "WARNING",
    "CAUTION",
    "INFO",
    "ADMIN",
    "AVAILABILITY",
    "PREREQUISITES",
    "MORELIKETHIS",
    "BEGINTABS",
    "TAB",
    "ENDTABS",
    "BEGINSHADEBOX",
    "ENDSHADEBOX",
    "VIDEO",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TokenKind {
    UiControl,
    DoNotLocalize,
    Badge,
}

fn token_kind(name: &str) -> Option<TokenKind> {
    match name.to_ascii_uppercase().as_str() {
        "UICONTROL" => Some(TokenKind::UiControl),
        "DNL" => Some(TokenKind::DoNotLocalize),
        "BADGE" => Some(TokenKind::Badge),
        _ => None,
    }
}

pub(crate) fn is_inline_token_name(name: &str) -> bool {
    token_kind(name).is_some()
}

/// Whether tokens become markup or only their text (alt text, titles).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Html,
    Plain,
}

/// A stretch of expanded text: plain text to escape, or markup to keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Piece {
    Text(String),
    Html(String),
}

/// Something wrong with a token, at a byte offset of the scanned text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Problem {
    pub at: usize,
    pub message: String,
    /// Said once per file however often it occurs.
    pub once_per_file: bool,
}

/// The plain text of a string with inline tokens, for titles and the
/// language switcher: `[!UICONTROL General] > [!DNL B2B]` -> `General > B2B`.
/// Malformed tokens are kept as written.
pub(crate) fn plain_text_of_inline_tokens(text: &str) -> String {
    let mut plain = String::with_capacity(text.len());
    for piece in expand_tokens(text, Mode::Plain).0 {
        if let Piece::Text(part) = piece {
            plain.push_str(&part);
        }
    }
    plain
}

/// Spellings of U+200B that machine translation leaves behind; the Markdown
/// parser decodes the entities itself, but front matter titles keep them.
const ZERO_WIDTH_SPELLINGS: &[&str] = &["\u{200B}", "&#x200B;", "&#8203;", "&ZeroWidthSpace;"];

/// Removes zero-width spaces (the character and its entity spellings) and
/// says how many were removed.
pub(crate) fn strip_zero_width(text: &str) -> (String, usize) {
    let mut kept = String::with_capacity(text.len());
    let mut removed = 0;
    let mut rest = text;
    'scan: while let Some(ch) = rest.chars().next() {
        for spelling in ZERO_WIDTH_SPELLINGS {
            if starts_with_ignoring_ascii_case(rest, spelling) {
                rest = &rest[spelling.len()..];
                removed += 1;
                continue 'scan;
            }
        }
        kept.push(ch);
        rest = &rest[ch.len_utf8()..];
    }
    (kept, removed)
}

fn starts_with_ignoring_ascii_case(text: &str, prefix: &str) -> bool {
    text.get(..prefix.len())
        .is_some_and(|start| start.eq_ignore_ascii_case(prefix))
}

/// Labels nested deeper than this keep their text but lose their markup:
/// thousands of nested spans help no reader and strain every HTML reader.
const MAX_TOKEN_DEPTH: usize = 16;

/// At most this many problems are reported for one stretch of text; a line
/// of thousands of unclosed tokens gets one summary instead of a flood.
const MAX_PROBLEMS_PER_TEXT: usize = 20;

/// A token being expanded: where its content ends and where to go on after.
struct OpenToken {
    content_end: usize,
    resume: usize,
    close: Option<&'static str>,
}

/// Expands every token of `text`; malformed ones stay as written and are
/// reported. Iterative, with brackets matched once, so any nesting depth
/// takes linear time and no stack.
pub(crate) fn expand_tokens(text: &str, mode: Mode) -> (Vec<Piece>, Vec<Problem>) {
    let pairs = bracket_pairs(text);
    let mut pieces = Vec::new();
    let mut problems = Vec::new();
    let mut open: Vec<OpenToken> = Vec::new();
    let mut plain_start = 0;
    let mut cursor = 0;
    loop {
        let limit = open.last().map_or(text.len(), |token| token.content_end);
        let Some(found) = text[cursor..limit].find("[!") else {
            push_text(&mut pieces, &text[plain_start..limit]);
            let Some(done) = open.pop() else { break };
            if let Some(close) = done.close {
                pieces.push(Piece::Html(close.to_string()));
            }
            cursor = done.resume;
            plain_start = cursor;
            continue;
        };
        let at = cursor + found;
        match read_token(text, at, &pairs) {
            Scan::Token(token) => {
                push_text(&mut pieces, &text[plain_start..at]);
                let deep = open.len() >= MAX_TOKEN_DEPTH;
                if deep && open.len() == MAX_TOKEN_DEPTH {
                    problems.push(problem(
                        at,
                        format!("tokens nested deeper than {MAX_TOKEN_DEPTH} levels are shown as their text"),
                    ));
                }
                let wrapper = if deep {
                    None
                } else {
                    wrapper_of(&token, mode, &mut problems)
                };
                let raw = &text[token.content.clone()];
                let content_start = token.content.start + (raw.len() - raw.trim_start().len());
                let content_end = content_start.max(token.content.start + raw.trim_end().len());
                let close = wrapper.map(|(open_html, close)| {
                    pieces.push(Piece::Html(open_html));
                    close
                });
                open.push(OpenToken {
                    content_end,
                    resume: token.end,
                    close,
                });
                cursor = content_start;
                plain_start = cursor;
            }
            Scan::Literal(found) => {
                problems.extend(found);
                cursor = at + 2;
            }
        }
    }
    (pieces, capped(problems))
}

/// Keeps the first problems and says how many more there were.
fn capped(mut problems: Vec<Problem>) -> Vec<Problem> {
    if problems.len() > MAX_PROBLEMS_PER_TEXT {
        let more = problems.len() - MAX_PROBLEMS_PER_TEXT;
        problems.truncate(MAX_PROBLEMS_PER_TEXT);
        let at = problems[MAX_PROBLEMS_PER_TEXT - 1].at;
        problems.push(problem(
            at,
            format!("{more} more problems with tokens in this text are not listed"),
        ));
    }
    problems
}

/// For each `[` that is closed, the offset of its `]`, nested brackets
/// counted (`[!UICONTROL Save [draft]]`).
fn bracket_pairs(text: &str) -> std::collections::HashMap<usize, usize> {
    let mut pairs = std::collections::HashMap::new();
    let mut stack = Vec::new();
    for (index, byte) in text.bytes().enumerate() {
        match byte {
            b'[' => stack.push(index),
            b']' => {
                if let Some(open) = stack.pop() {
                    pairs.insert(open, index);
                }
            }
            _ => {}
        }
    }
    pairs
}

fn push_text(pieces: &mut Vec<Piece>, text: &str) {
    if text.is_empty() {
        return;
    }
    match pieces.last_mut() {
        Some(Piece::Text(last)) => last.push_str(text),
        _ => pieces.push(Piece::Text(text.to_string())),
    }
}

struct Token {
    kind: TokenKind,
    /// Byte range of the content between the name and the closing bracket.
    content: std::ops::Range<usize>,
    /// Attribute list of a badge, already read.
    attrs: Vec<attributes::RawAttr>,
    /// Offset just past the token (and its attribute list).
    end: usize,
}

enum Scan {
    Token(Token),
    /// Not a token: keep the text; maybe say why.
    Literal(Option<Problem>),
}

/// Reads `[!NAME content]` starting at `at` (which points at `[!`).
fn read_token(text: &str, at: usize, pairs: &std::collections::HashMap<usize, usize>) -> Scan {
    let after_bang = at + 2;
    let name_len = text[after_bang..]
        .find(|ch: char| !ch.is_ascii_alphabetic())
        .unwrap_or(text.len() - after_bang);
    if name_len == 0 {
        return Scan::Literal(None);
    }
    let name = &text[after_bang..after_bang + name_len];
    let rest = &text[after_bang + name_len..];
    let kind = token_kind(name);
    if rest.starts_with(']') {
        return Scan::Literal(empty_token_problem(name, kind, at));
    }
    if !rest.starts_with(char::is_whitespace) {
        return Scan::Literal(None);
    }
    let content_start = after_bang + name_len + 1;
    let Some(close) = pairs.get(&at).map(|&end| end - content_start) else {
        let problem = kind.map(|_| {
            problem(
                at,
                format!("`[!{name}` is not closed with `]`; kept as text"),
            )
        });
        return Scan::Literal(problem);
    };
    let Some(kind) = kind else {
        return Scan::Literal(Some(unknown_token_problem(name, at)));
    };
    let content = content_start..content_start + close;
    let mut end = content.end + 1;
    let mut attrs = Vec::new();
    if kind == TokenKind::Badge
        && let Some((list, used)) = attributes::parse_attr_list(&text[end..])
    {
        attrs = list;
        end += used;
    }
    Scan::Token(Token {
        kind,
        content,
        attrs,
        end,
    })
}

fn empty_token_problem(name: &str, kind: Option<TokenKind>, at: usize) -> Option<Problem> {
    let upper = name.to_ascii_uppercase();
    if kind.is_some() {
        Some(problem(
            at,
            format!("`[!{name}]` has no text; kept as written"),
        ))
    } else if BLOCK_MARKERS.contains(&upper.as_str()) && upper != "VIDEO" {
        // (`[!VIDEO]` without its link is reported by the block pass.)
        Some(problem(
            at,
            format!(
                "`[!{name}]` works only at the start of a block quote (`>[!{upper}]`); kept as text"
            ),
        ))
    } else {
        // `[!FOO]` at the start of a block quote is reported by the block
        // pass; elsewhere it is ordinary text.
        None
    }
}

fn unknown_token_problem(name: &str, at: usize) -> Problem {
    let upper = name.to_ascii_uppercase();
    if BLOCK_MARKERS.contains(&upper.as_str()) {
        problem(
            at,
            format!(
                "`[!{name} …]` is a block marker: write it alone at the start of a block quote; kept as text"
            ),
        )
    } else {
        problem(
            at,
            format!("unknown inline token `[!{name} …]`; kept as text"),
        )
    }
}

fn problem(at: usize, message: String) -> Problem {
    Problem {
        at,
        message,
        once_per_file: false,
    }
}

/// Offset of the `]` closing a token whose content starts `text`, counting
/// nested brackets (`[!UICONTROL Save [draft]]`).
pub(crate) fn closing_bracket(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (index, byte) in text.bytes().enumerate() {
        match byte {
            b'[' => depth += 1,
            b']' if depth == 0 => return Some(index),
            b']' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// The opening markup of a token, `None` when it is only its text.
fn wrapper_of(
    token: &Token,
    mode: Mode,
    problems: &mut Vec<Problem>,
) -> Option<(String, &'static str)> {
    match (mode, token.kind) {
        (Mode::Plain, _) | (_, TokenKind::DoNotLocalize) => None,
        (Mode::Html, TokenKind::UiControl) => {
            Some(("<span class=\"uicontrol\">".to_string(), "</span>"))
        }
        (Mode::Html, TokenKind::Badge) => Some(badge_open(token, problems)),
    }
}

/// A badge's opening tag: a link when it has a safe `url`, else a span. A
/// machine-translated type (`Informatif`) is read as the type it renders.
fn badge_open(token: &Token, problems: &mut Vec<Problem>) -> (String, &'static str) {
    let at = token.content.end + 1;
    let mut attrs = token.attrs.clone();
    for attr in attrs.iter_mut().filter(|a| a.name == "type") {
        if let Some(meant) = attributes::untranslated_badge_type(&attr.value) {
            problems.push(Problem {
                at,
                message: format!(
                    "badge type `{}` is a translation of `{meant}`; read as `{meant}` (write the English name; reported once per file)",
                    attr.value
                ),
                once_per_file: true,
            });
            attr.value = meant.to_string();
        }
    }
    let (mut safe, dropped) = attributes::sanitize(&attrs, Target::Badge);
    problems.extend(dropped.into_iter().map(|message| problem(at, message)));
    safe.classes.insert(0, "badge".to_string());
    if safe.pairs.iter().any(|(name, _)| *name == "href") {
        (format!("<a{}>", safe.to_html()), "</a>")
    } else {
        (format!("<span{}>", safe.to_html()), "</span>")
    }
}

/// Tokens in raw HTML (Experience League pages have HTML tables full of
/// `[!UICONTROL ...]`): between tags they become markup, the text around is
/// already HTML and stays as it is; inside a tag (an attribute value) only
/// their text is kept, so the tag cannot break.
pub(crate) fn expand_tokens_in_raw_html(html: &str) -> (String, Vec<Problem>) {
    let mut out = String::with_capacity(html.len());
    let mut problems = Vec::new();
    let mut start = 0;
    while start < html.len() {
        if html[start..].starts_with("<!--") {
            // A comment is copied as written, whatever it holds.
            let end = html[start..]
                .find("-->")
                .map_or(html.len(), |i| start + i + 3);
            out.push_str(&html[start..end]);
            start = end;
            continue;
        }
        let in_tag = html[start..].starts_with('<');
        let end = if in_tag {
            html[start..]
                .find('>')
                .map_or(html.len(), |i| start + i + 1)
        } else {
            html[start..].find('<').map_or(html.len(), |i| start + i)
        };
        let segment = &html[start..end];
        let mode = if in_tag { Mode::Plain } else { Mode::Html };
        let (pieces, found) = expand_tokens(segment, mode);
        for piece in pieces {
            match piece {
                Piece::Text(text) | Piece::Html(text) => out.push_str(&text),
            }
        }
        problems.extend(found.into_iter().map(|p| Problem {
            at: p.at + start,
            ..p
        }));
        start = end;
    }
    (out, problems)
}

/// Raw HTML blocks whose content is code or script: tokens stay as written.
fn is_verbatim_html(html: &str) -> bool {
    let head = html
        .trim_start()
        .get(..9)
        .unwrap_or(html.trim_start())
        .to_ascii_lowercase();
    if head.starts_with("<!--") {
        // `<!-- WMTP-880--> Fixed … [!DNL Store Fulfillment]`: a comment
        // that ends on its line leads ordinary text.
        return html
            .split_once("-->")
            .is_none_or(|(_, after)| after.trim().is_empty());
    }
    ["<pre", "<code", "<script", "<style", "<textarea"]
        .iter()
        .any(|tag| head.starts_with(tag))
}

/// Where the token pass is in the document.
#[derive(Default)]
struct Position {
    code_depth: usize,
    image_depth: usize,
    /// Inside a raw HTML block: `Some(verbatim)` once its first line is seen.
    html_block: Option<Option<bool>>,
}

impl Position {
    fn observe(&mut self, event: &Event<'_>) {
        match event {
            Event::Start(Tag::CodeBlock(_)) => self.code_depth += 1,
            Event::End(TagEnd::CodeBlock) => self.code_depth = self.code_depth.saturating_sub(1),
            Event::Start(Tag::Image { .. }) => self.image_depth += 1,
            Event::End(TagEnd::Image) => self.image_depth = self.image_depth.saturating_sub(1),
            Event::Start(Tag::HtmlBlock) => self.html_block = Some(None),
            Event::End(TagEnd::HtmlBlock) => self.html_block = None,
            Event::Html(html) => {
                if let Some(verbatim @ None) = &mut self.html_block {
                    *verbatim = Some(is_verbatim_html(html));
                }
            }
            _ => {}
        }
    }

    fn raw_html_is_verbatim(&self) -> bool {
        self.code_depth > 0 || matches!(self.html_block, Some(Some(true)))
    }
}

/// How far a label's `]` is looked for in the events after its start.
const LABEL_LOOKAHEAD: usize = 64;

/// Joins labels whose content holds markup, which the parser splits into
/// several events: `[!UICONTROL **Save**]`, `[!UICONTROL [Save](x.md)]`,
/// `[!UICONTROL `code`]`, and `_[!UICONTROL Max_]` where the emphasis ends
/// just before the `]` (the label then closes with the emphasis).
pub(crate) fn join_split_labels<'a>(events: Vec<Spanned<'a>>) -> Vec<Spanned<'a>> {
    let mut out = Vec::with_capacity(events.len());
    let mut queue: std::collections::VecDeque<Spanned<'a>> = events.into();
    let mut position = Position::default();
    while let Some((event, range)) = queue.pop_front() {
        position.observe(&event);
        let start = match &event {
            Event::Text(text) if position.code_depth == 0 => unclosed_label(text),
            _ => None,
        };
        let Some((at, content, wrapped)) = start else {
            out.push((event, range));
            continue;
        };
        let Event::Text(text) = &event else { continue };
        let Some(close) = find_label_close(&queue) else {
            out.push((event, range));
            continue;
        };
        let piece = |part: &str| (Event::Text(CowStr::from(part.to_string())), range.clone());
        out.push(piece(&text[..at]));
        if wrapped {
            out.push((
                Event::InlineHtml(CowStr::Borrowed("<span class=\"uicontrol\">")),
                range.clone(),
            ));
        }
        out.push(piece(text[content..].trim_start()));
        out.extend(queue.drain(..close.index));
        let (close_event, close_range) = queue
            .pop_front()
            .unwrap_or((Event::Text(CowStr::Borrowed("")), range.clone()));
        let Event::Text(closing) = close_event else {
            continue;
        };
        if close.after_element {
            // `…_]`: the label closes with the element it opened in.
            let end = out.pop();
            push_close(&mut out, wrapped, &range);
            out.extend(end);
        } else {
            out.push((
                Event::Text(CowStr::from(closing[..close.at].trim_end().to_string())),
                close_range.clone(),
            ));
            push_close(&mut out, wrapped, &range);
        }
        let rest = closing[close.at + 1..].to_string();
        queue.push_front((Event::Text(CowStr::from(rest)), close_range));
    }
    out
}

fn push_close<'a>(out: &mut Vec<Spanned<'a>>, wrapped: bool, range: &std::ops::Range<usize>) {
    if wrapped {
        out.push((
            Event::InlineHtml(CowStr::Borrowed("</span>")),
            range.clone(),
        ));
    }
}

/// The first `[!UICONTROL ` or `[!DNL ` of `text` not closed in it: where
/// it starts, where its content starts, and whether it gets a span.
fn unclosed_label(text: &str) -> Option<(usize, usize, bool)> {
    if !text.contains("[!") {
        return None;
    }
    let pairs = bracket_pairs(text);
    text.match_indices("[!").find_map(|(at, _)| {
        let rest = &text[at + 2..];
        let name_len = rest
            .find(|ch: char| !ch.is_ascii_alphabetic())
            .unwrap_or(rest.len());
        let kind = token_kind(&rest[..name_len])?;
        let opens = rest[name_len..].starts_with(char::is_whitespace);
        (opens && kind != TokenKind::Badge && !pairs.contains_key(&at)).then_some((
            at,
            at + 2 + name_len,
            kind == TokenKind::UiControl,
        ))
    })
}

struct LabelClose {
    /// Index in the queue of the text holding the `]`.
    index: usize,
    /// Byte offset of the `]` in that text.
    at: usize,
    /// The `]` follows the end of the element the label opened in.
    after_element: bool,
}

/// Where the label opened just before `queue` closes, within its block.
fn find_label_close(queue: &std::collections::VecDeque<Spanned<'_>>) -> Option<LabelClose> {
    let mut depth = 0usize;
    let mut brackets = 0usize;
    for (index, (event, _)) in queue.iter().enumerate().take(LABEL_LOOKAHEAD) {
        match event {
            Event::Start(_) => depth += 1,
            Event::End(_) if depth == 0 => {
                let next_closes =
                    matches!(queue.get(index + 1), Some((Event::Text(t), _)) if t.starts_with(']'));
                return (next_closes && brackets == 0).then_some(LabelClose {
                    index: index + 1,
                    at: 0,
                    after_element: true,
                });
            }
            Event::End(_) => depth -= 1,
            Event::Text(text) => {
                for (at, byte) in text.bytes().enumerate() {
                    match byte {
                        b'[' => brackets += 1,
                        b']' if brackets == 0 => {
                            return (depth == 0).then_some(LabelClose {
                                index,
                                at,
                                after_element: false,
                            });
                        }
                        b']' => brackets -= 1,
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    None
}

/// Replaces tokens in text events with their markup (only their text inside
/// alt text, which cannot hold markup), leaving code untouched.
pub(crate) fn expand_token_events<'a>(
    events: Vec<Spanned<'a>>,
    cx: &mut Context<'_>,
) -> Vec<Spanned<'a>> {
    let mut out = Vec::with_capacity(events.len());
    let mut position = Position::default();
    for (event, range) in events {
        position.observe(&event);
        let in_code = position.code_depth > 0;
        let in_alt_text = position.image_depth > 0;
        match event {
            Event::Html(html) if !position.raw_html_is_verbatim() && html.contains("[!") => {
                let (expanded, problems) = expand_tokens_in_raw_html(&html);
                for problem in problems {
                    let offset = cx.offset_in_text(&html, &range, problem.at);
                    cx.warn_problem(offset, problem);
                }
                out.push((Event::Html(CowStr::from(expanded)), range));
            }
            Event::Text(text) if !in_code && text.contains("[!") => {
                let mode = if in_alt_text { Mode::Plain } else { Mode::Html };
                let (pieces, problems) = expand_tokens(&text, mode);
                for problem in problems {
                    let offset = cx.offset_in_text(&text, &range, problem.at);
                    cx.warn_problem(offset, problem);
                }
                out.extend(
                    pieces
                        .into_iter()
                        .map(|piece| (piece_event(piece), range.clone())),
                );
            }
            other => out.push((other, range)),
        }
    }
    out
}

fn piece_event<'a>(piece: Piece) -> Event<'a> {
    match piece {
        Piece::Text(text) => Event::Text(CowStr::from(text)),
        Piece::Html(html) => Event::InlineHtml(CowStr::from(html)),
    }
}

/// Removes zero-width spaces from every text event outside code, counting them.
pub(crate) fn strip_zero_width_events<'a>(
    events: Vec<Spanned<'a>>,
    cx: &mut Context<'_>,
) -> Vec<Spanned<'a>> {
    let mut code_depth = 0usize;
    events
        .into_iter()
        .map(|(event, range)| match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                code_depth += 1;
                (Event::Start(Tag::CodeBlock(kind)), range)
            }
            Event::End(TagEnd::CodeBlock) => {
                code_depth = code_depth.saturating_sub(1);
                (Event::End(TagEnd::CodeBlock), range)
            }
            Event::Text(text) if code_depth == 0 && text.contains('\u{200B}') => {
                let kept: String = text.chars().filter(|&ch| ch != '\u{200B}').collect();
                cx.zero_width_removed += text.chars().count() - kept.chars().count();
                (Event::Text(CowStr::from(kept)), range)
            }
            other => (other, range),
        })
        .collect()
}

/// Trims the whitespace at the edges of link texts and headings, which
/// zero-width debris leaves there (`[&#x200B; individu &#x200B;](x.md)`): an
/// underline running past the word.
pub(crate) fn trim_element_edges<'a>(events: Vec<Spanned<'a>>) -> Vec<Spanned<'a>> {
    let mut out: Vec<Spanned<'a>> = Vec::with_capacity(events.len());
    let mut trim_next = false;
    for (event, range) in events {
        match event {
            Event::Start(tag @ (Tag::Link { .. } | Tag::Heading { .. })) => {
                out.push((Event::Start(tag), range));
                trim_next = true;
            }
            Event::End(end @ (TagEnd::Link | TagEnd::Heading(_))) => {
                trim_last_text(&mut out);
                out.push((Event::End(end), range));
                trim_next = false;
            }
            Event::Text(text) if trim_next => {
                let kept = text.trim_start();
                trim_next = kept.is_empty();
                if !kept.is_empty() {
                    out.push((Event::Text(CowStr::from(kept.to_string())), range));
                }
            }
            other => {
                trim_next = false;
                out.push((other, range));
            }
        }
    }
    out
}

/// Trims the end of the text events just before an element's end.
fn trim_last_text(out: &mut Vec<Spanned<'_>>) {
    while let Some((Event::Text(text), _)) = out.last_mut() {
        let kept = text.trim_end();
        if !kept.is_empty() {
            if kept.len() != text.len() {
                *text = CowStr::from(kept.to_string());
            }
            return;
        }
        out.pop();
    }
}

/// The HTML the writer would make of some pieces.
#[cfg(test)]
fn pieces_to_html(pieces: &[Piece]) -> String {
    pieces
        .iter()
        .map(|piece| match piece {
            Piece::Text(text) => escape_html(text),
            Piece::Html(html) => html.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn html(text: &str) -> (String, Vec<Problem>) {
        let (pieces, problems) = expand_tokens(text, Mode::Html);
        (pieces_to_html(&pieces), problems)
    }

    #[test]
    fn uicontrol_becomes_a_span_and_dnl_plain_text() {
        let (out, problems) = html("Go to [!UICONTROL Stores] in [!DNL Adobe Commerce].");
        assert_eq!(
            out,
            "Go to <span class=\"uicontrol\">Stores</span> in Adobe Commerce."
        );
        assert!(problems.is_empty());
    }

    #[test]
    fn badges_take_their_attributes() {
        let (out, problems) =
            html("[!BADGE Supported]{type=Informative tooltip=\"Supported\"} now");
        assert_eq!(
            out,
            "<span class=\"badge badge-informative\" title=\"Supported\">Supported</span> now"
        );
        assert!(problems.is_empty());
        let (out, problems) = html("[!BADGE Beta]{type=Informative onclick=x}");
        assert_eq!(out, "<span class=\"badge badge-informative\">Beta</span>");
        assert_eq!(problems.len(), 1);
        assert_eq!(html("[!BADGE Beta]").0, "<span class=\"badge\">Beta</span>");
    }

    #[test]
    fn tokens_nest_and_keep_inner_brackets() {
        let (out, _) = html("[!UICONTROL Save [!DNL B2B] [draft]]");
        assert_eq!(out, "<span class=\"uicontrol\">Save B2B [draft]</span>");
    }

    #[test]
    fn deep_nesting_is_linear_and_keeps_its_text() {
        for depth in [1, 16, 17, 6_000, 100_000] {
            let text = format!("{}x{}", "[!UICONTROL ".repeat(depth), "]".repeat(depth));
            let (out, problems) = html(&text);
            let spans = depth.min(MAX_TOKEN_DEPTH);
            assert_eq!(out.matches("<span").count(), spans, "{depth}");
            assert!(out.contains(">x<"), "{depth}");
            assert_eq!(
                problems.len(),
                usize::from(depth > MAX_TOKEN_DEPTH),
                "{depth}"
            );
        }
        let unclosed = "[!DNL ".repeat(100_000);
        let (out, problems) = html(&unclosed);
        assert_eq!(out, unclosed);
        assert_eq!(problems.len(), MAX_PROBLEMS_PER_TEXT + 1);
    }

    #[test]
    fn badges_link_to_safe_addresses_only() {
        let (out, problems) = html(
            "[!BADGE PaaS uniquement]{type=Informatif url=\"https://x.org/paas\" tooltip=\"Cloud\"}",
        );
        assert_eq!(
            out,
            "<a class=\"badge badge-informative\" href=\"https://x.org/paas\" title=\"Cloud\">PaaS uniquement</a>"
        );
        assert_eq!(problems.len(), 1, "the translated type is reported");
        for (text, badge_type) in [
            (
                "[!BADGE Solo PaaS]{type=Informativo url=\"javascript:alert(1)\"}",
                "informative",
            ),
            (
                "[!BADGE Alleen PaaS]{type=Informatief url=\"/relatief\"}",
                "informative",
            ),
            ("[!BADGE Endast PaaS]{type=Positiv}", "positive"),
        ] {
            let (out, _) = html(text);
            assert!(
                out.starts_with(&format!("<span class=\"badge badge-{badge_type}\">")),
                "{out}"
            );
        }
    }

    #[test]
    fn translated_badge_types_are_reported_once_per_file() {
        use super::super::test_support::{render_exl, warnings_of};
        let rendered = render_exl(
            "[!BADGE A]{type=Informatif} [!BADGE B]{type=Informatif}\n\n[!BADGE C]{type=Informatif}\n",
        );
        assert_eq!(rendered.html.matches("badge-informative").count(), 3);
        let warnings = warnings_of(&rendered);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].starts_with("1:11 badge type `Informatif`"),
            "{warnings:?}"
        );
    }

    #[test]
    fn labels_hold_markup_links_and_code() {
        use super::super::test_support::{render_exl, warnings_of};
        for (source, expected) in [
            (
                "Klicka på [!UICONTROL **Spara**].",
                "Klicka på <span class=\"uicontrol\"><strong>Spara</strong></span>.",
            ),
            (
                "Cliquez [!UICONTROL **&#x200B;**] ici",
                "Cliquez <span class=\"uicontrol\"><strong></strong></span> ici",
            ),
            (
                "un _[!UICONTROL Importo massimo_].",
                "un <em><span class=\"uicontrol\">Importo massimo</span></em>.",
            ),
            (
                "Open [!UICONTROL [Instellingen](https://x.org) ] nu",
                "Open <span class=\"uicontrol\"><a href=\"https://x.org\">Instellingen</a></span> nu",
            ),
            (
                "Voir [!DNL `bin/magento` [x]] et [!UICONTROL Y]",
                "Voir <code>bin/magento</code> [x] et <span class=\"uicontrol\">Y</span>",
            ),
        ] {
            let rendered = render_exl(&format!("{source}\n"));
            assert_eq!(rendered.html, format!("<p>{expected}</p>\n"), "{source}");
            assert!(
                rendered.warnings.is_empty(),
                "{source}: {:?}",
                warnings_of(&rendered)
            );
        }
        let open = render_exl("Cliquez [!UICONTROL **Enregistrer** sans fin\n");
        assert_eq!(warnings_of(&open).len(), 1);
    }

    #[test]
    fn text_is_escaped_once() {
        let (out, _) = html("[!UICONTROL A & <B>]");
        assert_eq!(out, "<span class=\"uicontrol\">A &amp; &lt;B&gt;</span>");
    }

    #[test]
    fn malformed_tokens_stay_visible_and_are_reported() {
        let (out, problems) = html("Click [!UICONTROL Save and go");
        assert_eq!(out, "Click [!UICONTROL Save and go");
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].at, 6);

        let (out, problems) = html("[!FOO bar] and [!UICONTROL] and [!NOTE] and [!WHATEVER]");
        assert_eq!(
            out,
            "[!FOO bar] and [!UICONTROL] and [!NOTE] and [!WHATEVER]"
        );
        assert_eq!(problems.len(), 3, "{problems:?}");

        let (out, problems) = html("[!] [!1] [!x");
        assert_eq!(out, "[!] [!1] [!x");
        assert!(problems.is_empty());
    }

    #[test]
    fn raw_html_gets_markup_between_tags_and_text_inside_them() {
        let (out, problems) = expand_tokens_in_raw_html(
            "<td title=\"[!UICONTROL T]\">[!UICONTROL Raw] &amp; [!DNL X]</td>",
        );
        assert_eq!(
            out,
            "<td title=\"T\"><span class=\"uicontrol\">Raw</span> &amp; X</td>"
        );
        assert!(problems.is_empty());
        let (_, problems) = expand_tokens_in_raw_html("<p>[!FOO x]</p>");
        assert_eq!(problems[0].at, 3);
        let (out, _) = expand_tokens_in_raw_html("<!-- [!DNL a] --> Corrigé [!DNL Store]\n");
        assert_eq!(out, "<!-- [!DNL a] --> Corrigé Store\n");
        assert!(!is_verbatim_html("<!-- WMTP-880--> Fixed [!DNL X]"));
        assert!(is_verbatim_html("<!--\n[!NOTE]\n-->"));
        assert!(is_verbatim_html("  <PRE class=x>"));
        assert!(!is_verbatim_html("<table>"));
    }

    #[test]
    fn tokens_render_in_paragraphs_headings_cells_and_alt_text() {
        use super::super::test_support::{render_exl, warnings_of};
        let rendered = render_exl(
            "## [!DNL Adobe Commerce] et [!UICONTROL Stores]\n\n| [!UICONTROL Champ] |\n|---|\n| [!BADGE Bêta]{type=Informative tooltip=\"Bientôt\"} |\n\n![Icône [!UICONTROL Save]](i.png)\n\nCliquez [!UICONTROL Save et [!FOO x].\n",
        );
        assert_eq!(rendered.headings[0].text, "Adobe Commerce et Stores");
        assert_eq!(rendered.headings[0].id, "adobe-commerce-et-stores");
        let html = &rendered.html;
        assert!(html.contains("<h2 id=\"adobe-commerce-et-stores\">Adobe Commerce et <span class=\"uicontrol\">Stores</span></h2>"), "{html}");
        assert!(
            html.contains("<th scope=\"col\"><span class=\"uicontrol\">Champ</span></th>"),
            "{html}"
        );
        assert!(
            html.contains("<span class=\"badge badge-informative\" title=\"Bientôt\">Bêta</span>"),
            "{html}"
        );
        assert!(html.contains("alt=\"Icône Save\""), "{html}");
        assert!(
            html.contains("<p>Cliquez [!UICONTROL Save et [!FOO x].</p>"),
            "{html}"
        );
        let warnings = warnings_of(&rendered);
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(
            warnings[0].starts_with("9:9 `[!UICONTROL` is not closed"),
            "{warnings:?}"
        );
        assert!(
            warnings[1].starts_with("9:29 unknown inline token"),
            "{warnings:?}"
        );
        assert_eq!(rendered.word_count, 12);
    }

    #[test]
    fn plain_text_of_titles() {
        assert_eq!(
            plain_text_of_inline_tokens("[!UICONTROL General] > [!UICONTROL B2B Features]"),
            "General > B2B Features"
        );
        assert_eq!(
            plain_text_of_inline_tokens("[!BADGE Beta]{type=Positive} [!DNL Commerce]"),
            "Beta Commerce"
        );
        assert_eq!(
            plain_text_of_inline_tokens("Broken [!UICONTROL x"),
            "Broken [!UICONTROL x"
        );
    }

    #[test]
    fn zero_width_spaces_in_every_spelling() {
        assert_eq!(
            strip_zero_width("a\u{200B}b&#x200B;c&#X200b;d&#8203;e&ZeroWidthSpace;f"),
            ("abcdef".to_string(), 5)
        );
        assert_eq!(strip_zero_width("plain é"), ("plain é".to_string(), 0));
        assert_eq!(
            strip_zero_width("&amp; &#x200C;"),
            ("&amp; &#x200C;".to_string(), 0)
        );
    }
}
