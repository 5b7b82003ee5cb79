//! A page's Markdown cut into the texts a translator translates one by one
//! (headings, paragraphs, list items, table cells, quote and alert bodies),
//! each a run of text and protected codes with the byte range it covers.
//!
//! Codes keep the exact bytes they stand for, so that a translation written
//! back puts the markup where the translator put the code, byte for byte.
//! Everything between two inline events belongs to a code or to a line
//! break: nothing of the source is lost between pieces.

use std::ops::Range;

use pulldown_cmark::{Event, LinkType, Tag, TagEnd};

use crate::markdown;
use crate::markdown::exl::BLOCK_MARKERS;

/// What a code stands for; shown to tools as a type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum CodeKind {
    Bold,
    Italic,
    Strike,
    Script,
    Link,
    Image,
    Code,
    Html,
    UiControl,
    Badge,
    Marker,
    Attributes,
    Include,
    Break,
    Other,
}

impl CodeKind {
    pub(crate) fn name(self) -> &'static str {
        match self {
            CodeKind::Bold => "bold",
            CodeKind::Italic => "italic",
            CodeKind::Strike => "strike",
            CodeKind::Script => "script",
            CodeKind::Link => "link",
            CodeKind::Image => "image",
            CodeKind::Code => "code",
            CodeKind::Html => "html",
            CodeKind::UiControl => "uicontrol",
            CodeKind::Badge => "badge",
            CodeKind::Marker => "marker",
            CodeKind::Attributes => "attributes",
            CodeKind::Include => "include",
            CodeKind::Break => "break",
            CodeKind::Other => "other",
        }
    }
}

/// One piece of a segment. Codes are numbered from 1 in source order; a
/// pair's opening and closing share a number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Piece {
    Text(String),
    Open {
        id: u32,
        kind: CodeKind,
        original: String,
    },
    Close {
        id: u32,
        original: String,
    },
    Atom {
        id: u32,
        kind: CodeKind,
        original: String,
    },
    /// `[!DNL …]`: shown, never translated; written back as it was.
    Protected {
        id: u32,
        text: String,
        original: String,
    },
}

impl Piece {
    pub(crate) fn code_id(&self) -> Option<u32> {
        match self {
            Piece::Text(_) => None,
            Piece::Open { id, .. }
            | Piece::Close { id, .. }
            | Piece::Atom { id, .. }
            | Piece::Protected { id, .. } => Some(*id),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum SegmentKind {
    Title,
    Description,
    Heading(u8),
    Paragraph,
    ListItem,
    TableCell,
    Quote,
    Alert,
}

impl SegmentKind {
    pub(crate) fn name(self) -> &'static str {
        match self {
            SegmentKind::Title => "title",
            SegmentKind::Description => "description",
            SegmentKind::Heading(_) => "heading",
            SegmentKind::Paragraph => "paragraph",
            SegmentKind::ListItem => "list-item",
            SegmentKind::TableCell => "table-cell",
            SegmentKind::Quote => "quote",
            SegmentKind::Alert => "alert",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Segment {
    pub kind: SegmentKind,
    /// Bytes of the file the segment covers.
    pub range: Range<usize>,
    pub pieces: Vec<Piece>,
    /// The texts of the headings above it, outermost first.
    pub headings: Vec<String>,
}

impl Segment {
    /// Whether anything in it is for a translator: words outside codes.
    pub(crate) fn is_translatable(&self) -> bool {
        self.pieces
            .iter()
            .any(|p| matches!(p, Piece::Text(t) if t.chars().any(char::is_alphanumeric)))
    }

    /// The text alone, codes left out (for heading paths and notes).
    pub(crate) fn plain_text(&self) -> String {
        let mut out = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Protected { text, .. } => out.push_str(text),
                _ => {}
            }
        }
        out.trim().to_string()
    }

    /// The codes' kinds in order: what a translation of it must carry.
    pub(crate) fn signature(&self) -> Vec<(u8, CodeKind)> {
        signature(&self.pieces)
    }
}

pub(crate) fn signature(pieces: &[Piece]) -> Vec<(u8, CodeKind)> {
    pieces
        .iter()
        .filter_map(|p| match p {
            Piece::Open { kind, .. } => Some((0, *kind)),
            Piece::Close { .. } => Some((1, CodeKind::Other)),
            Piece::Atom { kind, .. } => Some((2, *kind)),
            Piece::Protected { .. } => Some((3, CodeKind::Other)),
            Piece::Text(_) => None,
        })
        .collect()
}

/// A front matter value as a segment: its text, with the tokens in it.
pub(crate) fn field_segment(kind: SegmentKind, range: Range<usize>, value: &str) -> Segment {
    let raw = Raw::Text {
        decoded: value.to_string(),
        line_break: false,
    };
    Segment {
        kind,
        range,
        pieces: Pieces::build(value, vec![(raw, 0..value.len())]),
        headings: Vec::new(),
    }
}

/// The bytes a code stands for; `None` for text.
pub(crate) fn original(piece: &Piece) -> Option<&str> {
    match piece {
        Piece::Text(_) => None,
        Piece::Open { original, .. }
        | Piece::Close { original, .. }
        | Piece::Atom { original, .. }
        | Piece::Protected { original, .. } => Some(original),
    }
}

/// The pieces as one string, codes with their bytes: what a unit's id is
/// made of.
pub(crate) fn flatten(pieces: &[Piece]) -> String {
    let mut out = String::new();
    for piece in pieces {
        match piece {
            Piece::Text(text) => out.push_str(text),
            Piece::Open { original, .. } => out.push_str(&format!("\u{2}{original}\u{3}")),
            Piece::Close { original, .. } => out.push_str(&format!("\u{4}{original}\u{3}")),
            Piece::Atom { original, .. } | Piece::Protected { original, .. } => {
                out.push_str(&format!("\u{5}{original}\u{3}"))
            }
        }
    }
    out
}

/// Ids of `from`'s codes to those of `to`'s, code by code in order (the
/// opening of a pair and its atoms count; closings follow their opening).
pub(crate) fn id_map(from: &[Piece], to: &[Piece]) -> std::collections::HashMap<u32, u32> {
    let firsts = |pieces: &[Piece]| -> Vec<u32> {
        pieces
            .iter()
            .filter(|p| !matches!(p, Piece::Text(_) | Piece::Close { .. }))
            .filter_map(Piece::code_id)
            .collect()
    };
    firsts(from).into_iter().zip(firsts(to)).collect()
}

/// The piece with its code id changed by `f`.
pub(crate) fn with_id(piece: &Piece, f: impl Fn(u32) -> u32) -> Piece {
    let mut piece = piece.clone();
    match &mut piece {
        Piece::Text(_) => {}
        Piece::Open { id, .. }
        | Piece::Close { id, .. }
        | Piece::Atom { id, .. }
        | Piece::Protected { id, .. } => *id = f(*id),
    }
    piece
}

/// Tokens inside tokens' labels deeper than this are read as text.
const MAX_TOKEN_NESTING: usize = 8;

/// A piece while the events are read: its bytes in the file.
#[derive(Debug)]
enum Raw {
    Text { decoded: String, line_break: bool },
    Open(CodeKind),
    Close,
    Atom(CodeKind),
}

/// The block a run of inline events belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Container {
    Heading(u8),
    Paragraph,
    Item,
    Cell,
    Quote,
    /// A quote whose first text is a marker such as `[!NOTE]`.
    Alert,
    Footnote,
    /// Code and HTML blocks: nothing in them is cut.
    Opaque,
    Other,
}

/// The segments of a body that starts at byte `offset` of its file.
pub(crate) fn split(body: &str, offset: usize) -> Vec<Segment> {
    let mut cutter = Cutter::new(body);
    for (event, range) in markdown::parser(body).into_offset_iter() {
        cutter.feed(event, range);
    }
    cutter.flush();
    let mut segments = cutter.segments;
    for segment in &mut segments {
        segment.range = segment.range.start + offset..segment.range.end + offset;
    }
    segments
}

struct Cutter<'s> {
    source: &'s str,
    containers: Vec<Container>,
    /// Pieces of the run being read, with their byte ranges.
    raws: Vec<(Raw, Range<usize>)>,
    cursor: usize,
    /// Inside an autolink: its events are one code.
    autolink_depth: usize,
    headings: Vec<(u8, String)>,
    segments: Vec<Segment>,
}

impl<'s> Cutter<'s> {
    fn new(source: &'s str) -> Self {
        Cutter {
            source,
            containers: Vec::new(),
            raws: Vec::new(),
            cursor: 0,
            autolink_depth: 0,
            headings: Vec::new(),
            segments: Vec::new(),
        }
    }

    fn feed(&mut self, event: Event<'_>, range: Range<usize>) {
        if self.containers.contains(&Container::Opaque) {
            if let Event::End(TagEnd::CodeBlock | TagEnd::HtmlBlock) = event {
                self.containers.pop();
            }
            return;
        }
        if self.autolink_depth > 0 {
            self.in_autolink(&event);
            return;
        }
        match event {
            Event::Start(tag) => self.start(tag, range),
            Event::End(tag) => self.end(tag, range),
            Event::Text(text) => self.text(text.to_string(), false, range),
            Event::SoftBreak => self.text(" ".to_string(), true, range),
            Event::HardBreak => self.atom(CodeKind::Break, range),
            Event::Code(_) | Event::InlineMath(_) | Event::FootnoteReference(_) => {
                self.atom(CodeKind::Code, range)
            }
            Event::InlineHtml(_) => self.atom(CodeKind::Html, range),
            Event::TaskListMarker(_) => self.atom(CodeKind::Marker, range),
            Event::Html(_) | Event::DisplayMath(_) | Event::Rule => self.flush(),
        }
    }

    fn in_autolink(&mut self, event: &Event<'_>) {
        match event {
            Event::Start(Tag::Link { .. }) => self.autolink_depth += 1,
            Event::End(TagEnd::Link) => self.autolink_depth -= 1,
            _ => {}
        }
    }

    fn start(&mut self, tag: Tag<'_>, range: Range<usize>) {
        let inline = match tag {
            Tag::Emphasis => Some(CodeKind::Italic),
            Tag::Strong => Some(CodeKind::Bold),
            Tag::Strikethrough => Some(CodeKind::Strike),
            Tag::Superscript | Tag::Subscript => Some(CodeKind::Script),
            Tag::Image { .. } => Some(CodeKind::Image),
            Tag::Link {
                link_type: LinkType::Autolink | LinkType::Email,
                ..
            } => {
                self.atom(CodeKind::Link, range);
                self.autolink_depth = 1;
                return;
            }
            Tag::Link { .. } => Some(CodeKind::Link),
            _ => None,
        };
        if let Some(kind) = inline {
            self.attach_gap(range.start);
            self.raws.push((Raw::Open(kind), range.start..range.start));
            self.cursor = range.start;
            return;
        }
        self.flush();
        let container = match tag {
            Tag::Heading { level, .. } => Container::Heading(level as u8),
            Tag::Paragraph => Container::Paragraph,
            Tag::Item => Container::Item,
            Tag::TableCell => Container::Cell,
            Tag::BlockQuote(_) => Container::Quote,
            Tag::FootnoteDefinition(_) => Container::Footnote,
            Tag::CodeBlock(_) | Tag::HtmlBlock | Tag::MetadataBlock(_) => Container::Opaque,
            _ => Container::Other,
        };
        self.containers.push(container);
    }

    fn end(&mut self, tag: TagEnd, range: Range<usize>) {
        match tag {
            TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Superscript
            | TagEnd::Subscript
            | TagEnd::Image
            | TagEnd::Link => {
                let start = self.cursor.min(range.end);
                self.raws.push((Raw::Close, start..range.end));
                self.cursor = range.end;
            }
            _ => {
                self.flush();
                self.containers.pop();
            }
        }
    }

    fn text(&mut self, decoded: String, line_break: bool, mut range: Range<usize>) {
        // The parser leaves the backslash of an escape (`\_`) out of the
        // text after it: it belongs to that text, not to a code.
        if self.escaped_at(range.start) {
            range.start -= 1;
        }
        self.attach_gap(range.start);
        self.cursor = range.end;
        self.raws.push((
            Raw::Text {
                decoded,
                line_break,
            },
            range,
        ));
    }

    fn escaped_at(&self, start: usize) -> bool {
        let before = &self.source.as_bytes()[..start];
        let backslashes = before.iter().rev().take_while(|b| **b == b'\\').count();
        let unclaimed = self.raws.last().is_none_or(|(_, r)| r.end < start);
        let follows_punctuation = self.source[start..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_punctuation());
        backslashes % 2 == 1 && unclaimed && follows_punctuation
    }

    fn atom(&mut self, kind: CodeKind, range: Range<usize>) {
        self.attach_gap(range.start);
        self.cursor = range.end;
        self.raws.push((Raw::Atom(kind), range));
    }

    /// Bytes between the last piece and `start` (markup delimiters, the
    /// prefixes of continued lines) go to the piece before, unless it is
    /// text: then they become a code of their own.
    fn attach_gap(&mut self, start: usize) {
        let Some((raw, range)) = self.raws.last_mut() else {
            self.cursor = start;
            return;
        };
        if start <= self.cursor {
            return;
        }
        match raw {
            Raw::Text {
                line_break: false, ..
            } => {
                let gap = self.cursor..start;
                self.raws.push((Raw::Atom(CodeKind::Other), gap));
            }
            _ => range.end = start,
        }
        self.cursor = start;
    }

    /// Ends the run being read: a segment when it has a block to belong to.
    fn flush(&mut self) {
        let raws = std::mem::take(&mut self.raws);
        let (Some(first), Some(last)) = (raws.first(), raws.last()) else {
            return;
        };
        let range = first.1.start..last.1.end;
        let Some(kind) = self.segment_kind() else {
            return;
        };
        let pieces = Pieces::build(self.source, raws);
        let mut segment = Segment {
            kind,
            range,
            pieces,
            headings: self.headings.iter().map(|(_, t)| t.clone()).collect(),
        };
        if let SegmentKind::Heading(level) = kind {
            while self.headings.last().is_some_and(|(l, _)| *l >= level) {
                self.headings.pop();
            }
            segment.headings = self.headings.iter().map(|(_, t)| t.clone()).collect();
            self.headings.push((level, segment.plain_text()));
        }
        if kind == SegmentKind::Quote && starts_with_marker(&segment.pieces) {
            segment.kind = SegmentKind::Alert;
            if let Some(quote) = self
                .containers
                .iter_mut()
                .rev()
                .find(|c| **c == Container::Quote)
            {
                *quote = Container::Alert;
            }
        }
        self.segments.push(segment);
    }

    fn segment_kind(&self) -> Option<SegmentKind> {
        let innermost = self
            .containers
            .iter()
            .rev()
            .find(|c| **c != Container::Paragraph && **c != Container::Other);
        let paragraph = self.containers.last() == Some(&Container::Paragraph);
        Some(match (self.containers.last()?, innermost) {
            (Container::Heading(level), _) => SegmentKind::Heading(*level),
            (Container::Cell, _) => SegmentKind::TableCell,
            (_, Some(Container::Item)) => SegmentKind::ListItem,
            (_, Some(Container::Alert)) => SegmentKind::Alert,
            (_, Some(Container::Quote | Container::Footnote)) => SegmentKind::Quote,
            (Container::Paragraph, _) => SegmentKind::Paragraph,
            _ if paragraph => SegmentKind::Paragraph,
            _ => return None,
        })
    }
}

fn starts_with_marker(pieces: &[Piece]) -> bool {
    matches!(
        pieces.first(),
        Some(
            Piece::Atom {
                kind: CodeKind::Marker,
                ..
            } | Piece::Open {
                kind: CodeKind::Marker,
                ..
            }
        )
    )
}

/// What opens a UI label in the text.
const LABEL_OPENER: &str = "[!UICONTROL ";

fn not_empty(piece: &Piece) -> bool {
    !matches!(piece, Piece::Text(text) if text.is_empty())
}

/// Turns the raw pieces of a run into numbered pieces, finding the
/// Experience League tokens that the parser hands over as text.
struct Pieces<'s> {
    source: &'s str,
    out: Vec<Piece>,
    next_id: u32,
    /// Ids of the open pairs, innermost last.
    open: Vec<u32>,
}

impl<'s> Pieces<'s> {
    fn build(source: &'s str, raws: Vec<(Raw, Range<usize>)>) -> Vec<Piece> {
        let mut pieces = Pieces {
            source,
            out: Vec::new(),
            next_id: 1,
            open: Vec::new(),
        };
        let mut text_run: Vec<(String, Range<usize>)> = Vec::new();
        for (raw, range) in raws {
            if let Raw::Text { decoded, .. } = raw {
                text_run.push((decoded, range));
                continue;
            }
            pieces.text_run(std::mem::take(&mut text_run));
            match raw {
                Raw::Open(kind) => pieces.open(kind, &range),
                Raw::Close => pieces.close(&range),
                Raw::Atom(kind) => pieces.atom(kind, &range),
                Raw::Text { .. } => {}
            }
        }
        pieces.text_run(text_run);
        pieces.unmark_lone_markers();
        pieces.pair_split_labels();
        pieces.out
    }

    /// `[!UICONTROL **Save**]`: a label holding markup reaches the scan as
    /// text, markup, text. Its opener and its `]` become a pair around the
    /// markup, as the renderer reads it, so that a translator cannot break
    /// the label apart.
    fn pair_split_labels(&mut self) {
        let mut index = 0;
        while index < self.out.len() {
            if let Some((opener, close, at)) = self.split_label_from(index) {
                let id = self.id();
                let Piece::Text(after) = self.out.remove(close) else {
                    unreachable!("split_label_from found text there")
                };
                let closing = [
                    Piece::Text(after[..at].to_string()),
                    Piece::Close {
                        id,
                        original: "]".to_string(),
                    },
                    Piece::Text(after[at + 1..].to_string()),
                ];
                self.out
                    .splice(close..close, closing.into_iter().filter(not_empty));
                let Piece::Text(before) = self.out.remove(index) else {
                    unreachable!("split_label_from starts at text")
                };
                let opening = [
                    Piece::Text(before[..opener].to_string()),
                    Piece::Open {
                        id,
                        kind: CodeKind::UiControl,
                        original: LABEL_OPENER.to_string(),
                    },
                    Piece::Text(before[opener + LABEL_OPENER.len()..].to_string()),
                ];
                self.out
                    .splice(index..index, opening.into_iter().filter(not_empty));
            }
            index += 1;
        }
    }

    /// When the text at `index` ends in an unclosed label opener whose `]`
    /// comes after markup that opens and closes in between: the opener's
    /// place in that text, the index of the text holding the `]` and the
    /// `]`'s place in it.
    fn split_label_from(&self, index: usize) -> Option<(usize, usize, usize)> {
        let Piece::Text(text) = &self.out[index] else {
            return None;
        };
        let opener = text.rfind(LABEL_OPENER)?;
        if text[opener..].contains(']') {
            return None;
        }
        let mut depth = 0usize;
        for (at, piece) in self.out.iter().enumerate().skip(index + 1) {
            match piece {
                Piece::Open { .. } => depth += 1,
                Piece::Close { .. } => depth = depth.checked_sub(1)?,
                Piece::Text(text) if depth == 0 => {
                    let close = text.find(']')?;
                    return (!text[..close].contains('[')).then_some((opener, at, close));
                }
                _ => {}
            }
        }
        None
    }

    fn id(&mut self) -> u32 {
        self.next_id += 1;
        self.next_id - 1
    }

    fn open(&mut self, kind: CodeKind, range: &Range<usize>) {
        let id = self.id();
        self.open.push(id);
        let original = self.source[range.clone()].to_string();
        self.out.push(Piece::Open { id, kind, original });
    }

    fn close(&mut self, range: &Range<usize>) {
        let original = self.source[range.clone()].to_string();
        match self.open.pop() {
            Some(id) => self.out.push(Piece::Close { id, original }),
            None => self.atom_text(CodeKind::Other, original),
        }
    }

    fn atom(&mut self, kind: CodeKind, range: &Range<usize>) {
        let original = self.source[range.clone()].to_string();
        self.atom_text(kind, original);
    }

    fn atom_text(&mut self, kind: CodeKind, original: String) {
        let id = self.id();
        self.out.push(Piece::Atom { id, kind, original });
    }

    /// `!VIDEO` as a link's label is the marker's name, not text.
    fn unmark_lone_markers(&mut self) {
        for index in 1..self.out.len() {
            let is_marker = matches!(&self.out[index], Piece::Text(t)
                if t.strip_prefix('!').is_some_and(|w| BLOCK_MARKERS.contains(&w)));
            let after_link = matches!(
                &self.out[index - 1],
                Piece::Open {
                    kind: CodeKind::Link,
                    ..
                }
            );
            if is_marker && after_link {
                let Piece::Text(text) =
                    std::mem::replace(&mut self.out[index], Piece::Text(String::new()))
                else {
                    continue;
                };
                let id = self.id();
                self.out[index] = Piece::Atom {
                    id,
                    kind: CodeKind::Marker,
                    original: text,
                };
            }
        }
    }

    /// Consecutive text events: scanned for tokens, the rest is text.
    fn text_run(&mut self, run: Vec<(String, Range<usize>)>) {
        if run.is_empty() {
            return;
        }
        let run = TextRun::new(self.source, run);
        let at_segment_start = self.out.is_empty();
        self.scan(&run, 0..run.decoded.len(), at_segment_start, 0);
    }

    /// Tokens and text of `range` of a run; a token's label is scanned in
    /// turn (`[!UICONTROL [!DNL Name]]`), to a bounded depth.
    fn scan(&mut self, run: &TextRun<'_>, range: Range<usize>, at_start: bool, depth: usize) {
        let mut at = range.start;
        let tokens = if depth < MAX_TOKEN_NESTING {
            run.tokens(range.clone(), at_start)
        } else {
            Vec::new()
        };
        for token in tokens {
            self.push_text(&run.decoded[at..token.decoded.start]);
            at = token.decoded.end;
            self.token(run, token, depth);
        }
        self.push_text(&run.decoded[at..range.end]);
    }

    fn push_text(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        if let Some(Piece::Text(last)) = self.out.last_mut() {
            last.push_str(text);
        } else {
            self.out.push(Piece::Text(text.to_string()));
        }
    }

    fn token(&mut self, run: &TextRun<'_>, token: Token, depth: usize) {
        let original = |r: &Range<usize>| run.original(r);
        match token.kind {
            TokenKind::Pair(kind) => {
                let (open, label, close) = (token.open, token.label, token.close);
                let id = self.id();
                self.out.push(Piece::Open {
                    id,
                    kind,
                    original: original(&open),
                });
                self.scan(run, label, false, depth + 1);
                self.out.push(Piece::Close {
                    id,
                    original: original(&close),
                });
            }
            TokenKind::Atom(kind) => {
                let text = original(&token.decoded);
                self.atom_text(kind, text);
            }
            TokenKind::Protected => {
                let id = self.id();
                self.out.push(Piece::Protected {
                    id,
                    text: run.decoded[token.label].to_string(),
                    original: original(&token.decoded),
                });
            }
        }
    }
}

#[derive(Debug)]
enum TokenKind {
    Pair(CodeKind),
    Atom(CodeKind),
    Protected,
}

/// A token found in a run's decoded text: ranges into the decoded text.
#[derive(Debug)]
struct Token {
    kind: TokenKind,
    decoded: Range<usize>,
    open: Range<usize>,
    label: Range<usize>,
    close: Range<usize>,
}

/// Text events in a row: their decoded text, and where each event's text
/// sits in it and in the file, to give a token back its original bytes.
struct TextRun<'s> {
    source: &'s str,
    decoded: String,
    /// Start in `decoded`, byte range in the file, and whether the bytes
    /// are the text itself (no escape, no entity, no line break).
    parts: Vec<(usize, Range<usize>, bool)>,
}

impl<'s> TextRun<'s> {
    fn new(source: &'s str, run: Vec<(String, Range<usize>)>) -> Self {
        let mut decoded = String::new();
        let mut parts = Vec::new();
        for (text, range) in run {
            let verbatim = source[range.clone()] == text;
            parts.push((decoded.len(), range, verbatim));
            decoded.push_str(&text);
        }
        TextRun {
            source,
            decoded,
            parts,
        }
    }

    /// The file offset of a decoded offset, when it can be told: at a part's
    /// boundary or inside a part written as it reads.
    fn file_offset(&self, at: usize) -> Option<usize> {
        let index = self.parts.partition_point(|(start, _, _)| *start <= at);
        let (start, range, verbatim) = self.parts.get(index.checked_sub(1)?)?;
        let inside = at - start;
        if inside == 0 {
            return Some(range.start);
        }
        let length = self.part_len(index - 1);
        if inside == length {
            return Some(range.end);
        }
        verbatim.then_some(range.start + inside)
    }

    fn part_len(&self, index: usize) -> usize {
        let start = self.parts[index].0;
        let end = self
            .parts
            .get(index + 1)
            .map_or(self.decoded.len(), |p| p.0);
        end - start
    }

    /// The file's bytes for a decoded range (both ends mappable, checked by
    /// [`TextRun::tokens`]).
    fn original(&self, range: &Range<usize>) -> String {
        match (self.file_offset(range.start), self.file_offset(range.end)) {
            (Some(start), Some(end)) => self.source[start..end].to_string(),
            _ => self.decoded[range.clone()].to_string(),
        }
    }

    fn mappable(&self, range: &Range<usize>) -> bool {
        self.file_offset(range.start).is_some() && self.file_offset(range.end).is_some()
    }

    /// Tokens of the run, in order, that can be given their bytes back.
    fn tokens(&self, range: Range<usize>, at_segment_start: bool) -> Vec<Token> {
        let mut tokens = Vec::new();
        let text = &self.decoded[..range.end];
        let mut from = range.start;
        while let Some(token) = next_token(text, from, at_segment_start && from == range.start) {
            from = token.decoded.end;
            let ends = [&token.decoded, &token.open, &token.close];
            if ends.iter().all(|r| self.mappable(r)) {
                tokens.push(token);
            }
        }
        tokens
    }
}

/// The next token at or after `from`: `[!NAME …]`, `{…}`, `{{…}}`.
fn next_token(text: &str, from: usize, at_start: bool) -> Option<Token> {
    let mut search = from;
    loop {
        let rest = text.get(search..)?;
        let offset = rest.find(['[', '{'])?;
        let start = search + offset;
        let token = if text[start..].starts_with("[!") {
            bracket_token(text, start, at_start && text[from..start].trim().is_empty())
        } else {
            brace_token(text, start)
        };
        if token.is_some() {
            return token;
        }
        search = start + 1;
    }
}

/// `[!UICONTROL label]`, `[!DNL name]`, `[!BADGE label]`, or a block
/// marker (`[!NOTE]`, `[!TAB title]`) at the start of a quote's text.
fn bracket_token(text: &str, start: usize, at_start: bool) -> Option<Token> {
    let inner_start = start + 2;
    let close = matching_close(text, inner_start)?;
    let inner = &text[inner_start..close];
    let word_len = inner
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(inner.len());
    let word = inner[..word_len].to_ascii_uppercase();
    let label_start =
        inner_start + word_len + inner[word_len..].len() - inner[word_len..].trim_start().len();
    let token = |kind| Token {
        kind,
        decoded: start..close + 1,
        open: start..label_start,
        label: label_start..close,
        close: close..close + 1,
    };
    match word.as_str() {
        "UICONTROL" => Some(token(TokenKind::Pair(CodeKind::UiControl))),
        "BADGE" => Some(token(TokenKind::Pair(CodeKind::Badge))),
        "DNL" => Some(token(TokenKind::Protected)),
        _ if at_start && BLOCK_MARKERS.contains(&word.as_str()) => {
            let has_label = text[label_start..close].chars().any(char::is_alphanumeric);
            Some(token(if has_label {
                TokenKind::Pair(CodeKind::Marker)
            } else {
                TokenKind::Atom(CodeKind::Marker)
            }))
        }
        _ => None,
    }
}

/// The `]` closing a bracket opened before `from`, nested pairs skipped.
fn matching_close(text: &str, from: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (index, c) in text[from..].char_indices() {
        match c {
            '[' => depth += 1,
            ']' if depth == 0 => return Some(from + index),
            ']' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// `{{$include path}}` or `{{snippet}}`, and attribute lists `{#id}`,
/// `{.class}`, `{key="value"}`.
fn brace_token(text: &str, start: usize) -> Option<Token> {
    let rest = &text[start..];
    let (kind, length) = if rest.starts_with("{{") {
        (CodeKind::Include, rest.find("}}")? + 2)
    } else {
        let end = rest.find('}')?;
        let inner = &rest[1..end];
        let looks_like_attributes = inner
            .chars()
            .next()
            .is_some_and(|c| c == '#' || c == '.' || c.is_ascii_alphabetic())
            && !inner.contains('{')
            && (inner.contains('=') || inner.starts_with(['#', '.']));
        if !looks_like_attributes {
            return None;
        }
        (CodeKind::Attributes, end + 1)
    };
    let range = start..start + length;
    Some(Token {
        kind: TokenKind::Atom(kind),
        decoded: range.clone(),
        open: range.clone(),
        label: range.end..range.end,
        close: range.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(body: &str) -> Vec<Vec<Piece>> {
        split(body, 0).into_iter().map(|s| s.pieces).collect()
    }

    #[test]
    fn markup_becomes_codes_holding_its_bytes() {
        let body = "Click **Save** in [the panel](/a.md){target=_blank}.\n";
        let pieces = &texts(body)[0];
        let rebuilt: String = pieces
            .iter()
            .map(|p| match p {
                Piece::Text(t) => t.clone(),
                Piece::Open { original, .. }
                | Piece::Close { original, .. }
                | Piece::Atom { original, .. }
                | Piece::Protected { original, .. } => original.clone(),
            })
            .collect();
        assert_eq!(rebuilt, body.trim_end());
        assert!(pieces.contains(&Piece::Text("Save".into())));
        assert!(pieces.contains(&Piece::Text("the panel".into())));
    }

    #[test]
    fn experience_league_tokens_are_found_in_text() {
        let pieces = &texts("Open [!UICONTROL Stores] in [!DNL Adobe Commerce].\n")[0];
        assert!(
            matches!(&pieces[1], Piece::Open { kind: CodeKind::UiControl, original, .. } if original == "[!UICONTROL ")
        );
        assert!(matches!(&pieces[5], Piece::Protected { text, .. } if text == "Adobe Commerce"));
    }

    #[test]
    fn a_label_holding_markup_is_one_pair_around_it() {
        let pieces = &texts("Click [!UICONTROL **Save**] now.\n")[0];
        assert!(
            matches!(&pieces[1], Piece::Open { kind: CodeKind::UiControl, original, .. } if original == "[!UICONTROL "),
            "{pieces:?}"
        );
        assert!(matches!(&pieces[2], Piece::Open { .. }), "{pieces:?}");
        assert!(
            matches!(&pieces[5], Piece::Close { original, .. } if original == "]"),
            "{pieces:?}"
        );
        assert!(
            matches!(&pieces[6], Piece::Text(t) if t == " now."),
            "{pieces:?}"
        );
        let text = &texts("An [!UICONTROL unclosed **label** here.\n")[0];
        assert!(
            !text.iter().any(|p| matches!(
                p,
                Piece::Open {
                    kind: CodeKind::UiControl,
                    ..
                }
            )),
            "{text:?}"
        );
    }

    #[test]
    fn alerts_and_heading_paths() {
        let segments = split("# Top\n\n## Sub\n\n>[!NOTE]\n>\n>Be careful.\n", 0);
        assert_eq!(segments[1].headings, vec!["Top".to_string()]);
        let alert = segments.iter().find(|s| s.kind == SegmentKind::Alert);
        assert!(alert.is_some(), "{segments:#?}");
        assert_eq!(segments.last().map(|s| s.headings.len()), Some(2));
    }
}
