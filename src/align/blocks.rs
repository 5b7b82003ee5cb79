//! What changed in a Markdown body, block by block.
//!
//! [`split`] cuts a body (front matter removed) into the blocks a
//! translator translates one by one: headings, paragraphs, list items,
//! table rows, alert bodies, code blocks, HTML blocks, and the Experience
//! League markers (tabs, shade boxes, videos, includes). Each block keeps a
//! normalised text: what a translation has to say again, and nothing of how
//! the source happens to be typed. [`diff`] aligns two versions of a body by
//! those texts; [`map_to_translation`] finds a source block's counterpart in
//! a translation by structure alone, since the texts differ by language.
//!
//! What the normalised text keeps and drops:
//! * whitespace runs become one space, so re-wrapped lines, trailing spaces
//!   (even the two that make a hard break), blank lines and indentation are
//!   not changes; zero-width spaces left by machine translation go too;
//! * inline markup is kept in one spelling (`*em*`, `**strong**`,
//!   `` `code` ``, `[text](url)`): a new link target or a word set in bold
//!   is something the translation must also get, `_em_` vs `*em*` is not;
//! * attribute lists are dropped: `{#id}` on headings, `{target="_blank"}`
//!   after links, `{style="table-layout:auto"}` under tables. Heading ids
//!   stay in English in every translation and the others are presentation:
//!   none of them is text to translate;
//! * code blocks keep their lines (indentation matters there) but not
//!   trailing spaces, surrounding blank lines or the info string.
//!
//! Everything here is iterative: nesting depth never becomes stack depth,
//! and containers deeper than [`MAX_NESTING`] are folded into the deepest
//! one kept (its block says so in `nesting_capped`).

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::Hash;
use std::ops::Range;
use std::sync::Arc;

use pulldown_cmark::{Event, Tag, TagEnd};

use crate::markdown;
use crate::model::staleness::FieldChange;

/// Containers (list items, quotes, footnotes) nested deeper than this are
/// read as part of the deepest kept one.
pub(crate) const MAX_NESTING: usize = 32;

/// What a block is, as far as comparison and alignment care.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum BlockKind {
    Heading {
        level: u8,
    },
    Paragraph,
    /// The item's own text; its nested items are blocks of their own.
    ListItem {
        ordered: bool,
    },
    TableRow {
        header: bool,
        cells: usize,
    },
    /// `>[!NOTE]` and the like: `kind` is the word in capitals.
    Alert {
        kind: String,
    },
    /// A block quote that is not an alert.
    Quote,
    Footnote {
        label: String,
    },
    Code,
    Html,
    /// `{{$include /help/_includes/x.md}}`: the text is the included path.
    Include,
    /// `>[!BEGINTABS]`, `>[!TAB title]` (the title is the text),
    /// `>[!ENDTABS]`, `>[!BEGINSHADEBOX]`, `>[!VIDEO](url)` (the url)...
    Marker {
        name: String,
    },
}

/// What a block sits in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum ContainerKind {
    ListItem,
    Quote,
    Alert,
    Footnote,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Block {
    pub kind: BlockKind,
    /// The texts of the headings above the block, outermost first (shared
    /// by the blocks of a section).
    pub headings: Arc<[String]>,
    /// The containers the block is in, outermost first.
    pub containers: Vec<ContainerKind>,
    /// For blocks in lists: the 0-based position of each enclosing item in
    /// its list, outermost first (a list item's own position last).
    pub list_path: Vec<usize>,
    /// Position among the blocks since the last heading (a heading is 0 of
    /// its own section).
    pub index: usize,
    /// The normalised text (see the module's documentation).
    pub text: String,
    /// 1-based lines of the body, inclusive.
    pub first_line: usize,
    pub last_line: usize,
    /// Containers deeper than [`MAX_NESTING`] were folded into this block.
    pub nesting_capped: bool,
}

/// The blocks of a Markdown body, in document order.
pub(crate) fn split(text: &str) -> Vec<Block> {
    let mut splitter = Splitter::new(text);
    for (event, range) in markdown::parser(text).into_offset_iter() {
        splitter.feed(event, range);
    }
    splitter.finish()
}

/// Marks where a link or image ended, so an attribute list right after it
/// can be told from text; removed when the text is normalised.
const LINK_END: char = '\u{E000}';

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FrameKind {
    List { ordered: bool },
    Item,
    Quote,
    Footnote,
}

/// An open container.
struct Frame {
    kind: FrameKind,
    /// The block this container's own text fills (items, quotes, footnotes).
    block: Option<usize>,
    text: String,
    /// End offset of the last text that went into `text`.
    text_end: Option<usize>,
    /// For lists: items opened so far.
    items: usize,
    /// For quotes: whether the first paragraph (where an alert's marker
    /// stands) has been read.
    first_paragraph_read: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LeafKind {
    Heading(u8),
    Paragraph,
    Code,
    Html,
    Row { header: bool },
}

/// A block being read that holds no other blocks.
struct Leaf {
    kind: LeafKind,
    text: String,
    range: Range<usize>,
    /// Table rows: finished cells, and whether a cell is open.
    cells: Vec<String>,
    in_cell: bool,
}

struct Splitter<'s> {
    source: &'s str,
    line_starts: Vec<usize>,
    blocks: Vec<Block>,
    frames: Vec<Frame>,
    /// Containers opened past [`MAX_NESTING`] and not closed yet.
    overflow: usize,
    leaf: Option<Leaf>,
    /// Open headings of the page: level and text.
    headings: Vec<(u8, String)>,
    /// Their texts, as blocks get them.
    heading_path: Arc<[String]>,
    section_index: usize,
    /// Destinations of the open links and images, innermost last.
    links: Vec<(String, String)>,
}

impl<'s> Splitter<'s> {
    fn new(source: &'s str) -> Self {
        let line_starts = std::iter::once(0)
            .chain(source.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Splitter {
            source,
            line_starts,
            blocks: Vec::new(),
            frames: Vec::new(),
            overflow: 0,
            leaf: None,
            headings: Vec::new(),
            heading_path: Arc::from([]),
            section_index: 0,
            links: Vec::new(),
        }
    }

    fn feed(&mut self, event: Event<'_>, range: Range<usize>) {
        match event {
            Event::Start(tag) => self.start(tag, range),
            Event::End(tag) => self.end(tag, range),
            Event::Text(text) => self.push_text(&text, &range),
            Event::Code(code) => self.push_wrapped("`", &code, "`", &range),
            Event::InlineMath(math) => self.push_wrapped("$", &math, "$", &range),
            Event::DisplayMath(math) => self.push_wrapped("$$", &math, "$$", &range),
            // Inline HTML comes one tag (or one comment) an event.
            Event::InlineHtml(html) => self.push_text(&strip_comments(&html), &range),
            Event::Html(html) => self.push_text(&html, &range),
            Event::FootnoteReference(label) => self.push_wrapped("[^", &label, "]", &range),
            Event::SoftBreak | Event::HardBreak => self.push_text(" ", &range),
            Event::TaskListMarker(done) => {
                self.push_text(if done { "[x] " } else { "[ ] " }, &range)
            }
            // A thematic break has nothing to translate.
            Event::Rule => {}
        }
    }

    fn start(&mut self, tag: Tag<'_>, range: Range<usize>) {
        match tag {
            Tag::Paragraph if self.text_owner().is_none() => {
                self.open_leaf(LeafKind::Paragraph, range)
            }
            Tag::Paragraph => {}
            Tag::Heading { level, .. } => self.open_leaf(LeafKind::Heading(level as u8), range),
            Tag::CodeBlock(_) => self.open_leaf(LeafKind::Code, range),
            Tag::HtmlBlock => self.open_leaf(LeafKind::Html, range),
            Tag::TableHead => self.open_leaf(LeafKind::Row { header: true }, range),
            Tag::TableRow => self.open_leaf(LeafKind::Row { header: false }, range),
            Tag::TableCell => {
                if let Some(leaf) = self.leaf.as_mut() {
                    leaf.in_cell = true;
                }
            }
            Tag::List(first) => {
                let ordered = first.is_some();
                self.open_frame(FrameKind::List { ordered }, range);
            }
            Tag::Item => {
                self.open_frame(FrameKind::Item, range);
            }
            Tag::BlockQuote(kind) => {
                let block = self.open_frame(FrameKind::Quote, range);
                // With GitHub alerts enabled the parser names the kind.
                if let (Some(kind), Some(block)) = (kind, block) {
                    let kind = format!("{kind:?}").to_uppercase();
                    self.blocks[block].kind = BlockKind::Alert { kind };
                }
            }
            Tag::FootnoteDefinition(label) => {
                if let Some(block) = self.open_frame(FrameKind::Footnote, range) {
                    self.blocks[block].kind = BlockKind::Footnote {
                        label: label.to_string(),
                    };
                }
            }
            Tag::Emphasis => self.push_markup("*"),
            Tag::Strong => self.push_markup("**"),
            Tag::Strikethrough => self.push_markup("~~"),
            Tag::Superscript => self.push_markup("^"),
            Tag::Subscript => self.push_markup("~"),
            Tag::Link {
                dest_url, title, ..
            } => {
                self.links.push((dest_url.to_string(), title.to_string()));
                self.push_markup("[");
            }
            Tag::Image {
                dest_url, title, ..
            } => {
                self.links.push((dest_url.to_string(), title.to_string()));
                self.push_markup("![");
            }
            Tag::Table(_)
            | Tag::DefinitionList
            | Tag::DefinitionListTitle
            | Tag::DefinitionListDefinition
            | Tag::MetadataBlock(_) => {}
        }
    }

    fn end(&mut self, tag: TagEnd, range: Range<usize>) {
        match tag {
            TagEnd::Paragraph => self.end_paragraph(),
            TagEnd::Heading(_)
            | TagEnd::CodeBlock
            | TagEnd::HtmlBlock
            | TagEnd::TableHead
            | TagEnd::TableRow => self.close_leaf(),
            TagEnd::TableCell => {
                if let Some(leaf) = self.leaf.as_mut().filter(|l| l.in_cell) {
                    let cell = std::mem::take(&mut leaf.text);
                    leaf.cells.push(normalise(&cell));
                    leaf.in_cell = false;
                }
            }
            TagEnd::List(_) | TagEnd::Item | TagEnd::BlockQuote(_) | TagEnd::FootnoteDefinition => {
                self.close_frame(range)
            }
            TagEnd::Emphasis => self.push_markup("*"),
            TagEnd::Strong => self.push_markup("**"),
            TagEnd::Strikethrough => self.push_markup("~~"),
            TagEnd::Superscript => self.push_markup("^"),
            TagEnd::Subscript => self.push_markup("~"),
            TagEnd::Link | TagEnd::Image => {
                let (url, title) = self.links.pop().unwrap_or_default();
                self.push_markup("](");
                self.push_markup(&url);
                if !title.is_empty() {
                    self.push_markup(" \"");
                    self.push_markup(&title);
                    self.push_markup("\"");
                }
                self.push_markup(")");
                self.push_markup(LINK_END.encode_utf8(&mut [0; 4]));
            }
            TagEnd::Table
            | TagEnd::DefinitionList
            | TagEnd::DefinitionListTitle
            | TagEnd::DefinitionListDefinition
            | TagEnd::MetadataBlock(_) => {}
        }
    }

    /// The innermost container whose own text gets paragraphs and loose
    /// inline text (tight list items have no paragraph events). Only past
    /// the nesting cap can a list be the innermost frame with text coming.
    fn text_owner(&self) -> Option<usize> {
        self.frames
            .iter()
            .rposition(|f| !matches!(f.kind, FrameKind::List { .. }))
    }

    fn push_text(&mut self, text: &str, range: &Range<usize>) {
        if let Some(leaf) = self.leaf.as_mut() {
            leaf.text.push_str(text);
            leaf.range.end = leaf.range.end.max(range.end);
        } else if let Some(owner) = self.text_owner() {
            let frame = &mut self.frames[owner];
            frame.text.push_str(text);
            frame.text_end = Some(frame.text_end.unwrap_or(0).max(range.end));
        }
    }

    fn push_wrapped(&mut self, open: &str, text: &str, close: &str, range: &Range<usize>) {
        self.push_markup(open);
        self.push_text(text, range);
        self.push_markup(close);
    }

    /// Markup has no source range of its own worth recording.
    fn push_markup(&mut self, markup: &str) {
        if let Some(leaf) = self.leaf.as_mut() {
            leaf.text.push_str(markup);
        } else if let Some(owner) = self.text_owner() {
            self.frames[owner].text.push_str(markup);
        }
    }

    fn open_leaf(&mut self, kind: LeafKind, range: Range<usize>) {
        // Leaves never nest; a parser surprise closes the open one first.
        self.close_leaf();
        self.leaf = Some(Leaf {
            kind,
            text: String::new(),
            range,
            cells: Vec::new(),
            in_cell: false,
        });
    }

    fn end_paragraph(&mut self) {
        if self.leaf.is_some() {
            self.close_leaf();
            return;
        }
        let Some(owner) = self.text_owner() else {
            return;
        };
        self.frames[owner].text.push(' ');
        if self.frames[owner].kind == FrameKind::Quote && !self.frames[owner].first_paragraph_read {
            self.frames[owner].first_paragraph_read = true;
            self.classify_quote(owner);
        }
    }

    /// A quote whose first paragraph starts with `[!WORD]` is an alert or
    /// a marker; known before its nested blocks are read, so they know
    /// what they sit in.
    fn classify_quote(&mut self, owner: usize) {
        let Some(block) = self.frames[owner].block else {
            return;
        };
        if !matches!(self.blocks[block].kind, BlockKind::Quote) {
            return;
        }
        let Some(marker) = Marker::parse(&self.frames[owner].text) else {
            return;
        };
        let Some(kind) = marker.block_kind() else {
            return;
        };
        let rest = format!("{} {}", marker.argument, marker.rest);
        self.frames[owner].text = rest;
        self.blocks[block].kind = kind;
    }

    fn close_leaf(&mut self) {
        let Some(leaf) = self.leaf.take() else {
            return;
        };
        let (kind, text) = match leaf.kind {
            LeafKind::Heading(level) => (BlockKind::Heading { level }, normalise(&leaf.text)),
            LeafKind::Paragraph => match paragraph_kind(&normalise(&leaf.text)) {
                Some(classified) => classified,
                None => return,
            },
            LeafKind::Code => (BlockKind::Code, normalise_code(&leaf.text)),
            LeafKind::Html => match normalise(&strip_comments(&leaf.text)) {
                // A comment is for the authors: nothing to translate.
                html if html.is_empty() => return,
                html => (BlockKind::Html, html),
            },
            LeafKind::Row { header } => {
                if is_attribute_row(&leaf.cells) {
                    return;
                }
                let kind = BlockKind::TableRow {
                    header,
                    cells: leaf.cells.len(),
                };
                (kind, leaf.cells.join(" | "))
            }
        };
        let is_page_heading = matches!(kind, BlockKind::Heading { .. }) && self.frames.is_empty();
        if let (true, BlockKind::Heading { level }) = (is_page_heading, &kind) {
            let level = *level;
            while self.headings.last().is_some_and(|(l, _)| *l >= level) {
                self.headings.pop();
            }
            self.heading_path = self.headings.iter().map(|(_, t)| t.clone()).collect();
            self.section_index = 0;
            self.add_block(kind, text.clone(), leaf.range);
            self.headings.push((level, text));
            self.heading_path = self.headings.iter().map(|(_, t)| t.clone()).collect();
            self.section_index = 1;
            return;
        }
        self.add_block(kind, text, leaf.range);
    }

    fn add_block(&mut self, kind: BlockKind, text: String, range: Range<usize>) -> usize {
        let (first_line, last_line) = self.lines(&range);
        let block = Block {
            kind,
            headings: self.heading_path.clone(),
            containers: self.container_kinds(),
            list_path: self.list_path(),
            index: self.section_index,
            text,
            first_line,
            last_line,
            nesting_capped: self.overflow > 0,
        };
        self.section_index += 1;
        self.blocks.push(block);
        self.blocks.len() - 1
    }

    fn container_kinds(&self) -> Vec<ContainerKind> {
        self.frames
            .iter()
            .filter_map(|f| {
                let block = f.block?;
                Some(match (&f.kind, &self.blocks[block].kind) {
                    (_, BlockKind::Alert { .. }) => ContainerKind::Alert,
                    (FrameKind::Item, _) => ContainerKind::ListItem,
                    (FrameKind::Footnote, _) => ContainerKind::Footnote,
                    _ => ContainerKind::Quote,
                })
            })
            .collect()
    }

    fn list_path(&self) -> Vec<usize> {
        let mut path = Vec::new();
        for pair in self.frames.windows(2) {
            if let (FrameKind::List { .. }, FrameKind::Item) = (pair[0].kind, pair[1].kind) {
                path.push(pair[0].items.saturating_sub(1));
            }
        }
        path
    }

    /// Opens a container; its own block, if it has one and was not folded
    /// into an outer one past the nesting cap.
    fn open_frame(&mut self, kind: FrameKind, range: Range<usize>) -> Option<usize> {
        if self.frames.len() >= MAX_NESTING {
            self.overflow += 1;
            if let Some(block) = self.frames.iter().rev().find_map(|f| f.block) {
                self.blocks[block].nesting_capped = true;
            }
            return None;
        }
        // A container opened in the middle of a leaf (the parser never
        // does this) would otherwise swallow its text.
        self.close_leaf();
        let block = match kind {
            FrameKind::List { .. } => None,
            FrameKind::Item => {
                let ordered = match self.frames.last_mut() {
                    Some(list) => {
                        list.items += 1;
                        matches!(list.kind, FrameKind::List { ordered: true })
                    }
                    None => false,
                };
                // Pushed first: the item's list path ends with its own
                // position, and it is not among its own containers.
                self.frames.push(new_frame(kind));
                let block = self.add_block(BlockKind::ListItem { ordered }, String::new(), range);
                if let Some(frame) = self.frames.last_mut() {
                    frame.block = Some(block);
                }
                return Some(block);
            }
            FrameKind::Quote | FrameKind::Footnote => {
                Some(self.add_block(BlockKind::Quote, String::new(), range))
            }
        };
        let mut frame = new_frame(kind);
        frame.block = block;
        self.frames.push(frame);
        block
    }

    fn close_frame(&mut self, range: Range<usize>) {
        if self.overflow > 0 {
            self.overflow -= 1;
            return;
        }
        self.close_leaf();
        let Some(frame) = self.frames.pop() else {
            return;
        };
        if let Some(block) = frame.block {
            self.fill_container(block, frame, range);
        }
    }

    fn fill_container(&mut self, block: usize, frame: Frame, range: Range<usize>) {
        let start = range.start;
        let end = frame.text_end.unwrap_or(start + 1).max(start + 1);
        let (first_line, last_line) = self.lines(&(start..end));
        let target = &mut self.blocks[block];
        target.text = normalise(&frame.text);
        target.first_line = first_line;
        target.last_line = last_line;
    }

    fn lines(&self, range: &Range<usize>) -> (usize, usize) {
        let line_of = |offset: usize| self.line_starts.partition_point(|&s| s <= offset).max(1);
        let first = line_of(range.start);
        let last = line_of(range.end.saturating_sub(1)).max(first);
        (first, last)
    }

    fn finish(mut self) -> Vec<Block> {
        self.close_leaf();
        while !self.frames.is_empty() {
            let end = self.source.len();
            self.overflow = 0;
            self.close_frame(end..end);
        }
        self.blocks
    }
}

fn new_frame(kind: FrameKind) -> Frame {
    Frame {
        kind,
        block: None,
        text: String::new(),
        text_end: None,
        items: 0,
        first_paragraph_read: false,
    }
}

/// `[!WORD argument]rest` or `[!WORD](url)rest` at the start of a text.
struct Marker<'t> {
    word: &'t str,
    argument: &'t str,
    rest: &'t str,
}

impl<'t> Marker<'t> {
    fn parse(text: &'t str) -> Option<Marker<'t>> {
        let after = text.trim_start().strip_prefix("[!")?;
        let word_end = after
            .find(|c: char| !(c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_' || c == '-'))
            .unwrap_or(after.len());
        let (word, tail) = after.split_at(word_end);
        if word.is_empty() {
            return None;
        }
        if let Some(link) = tail.strip_prefix("](") {
            let close = link.find(')')?;
            let rest = link[close + 1..].trim_start_matches(LINK_END);
            return Some(Marker {
                word,
                argument: &link[..close],
                rest,
            });
        }
        if let Some(rest) = tail.strip_prefix(']') {
            return Some(Marker {
                word,
                argument: "",
                rest,
            });
        }
        let argument_and_rest = tail.strip_prefix(' ')?;
        let close = argument_and_rest.find(']')?;
        Some(Marker {
            word,
            argument: &argument_and_rest[..close],
            rest: &argument_and_rest[close + 1..],
        })
    }

    /// What a quote starting with this marker is; `None` for inline tokens
    /// (`[!DNL ...]`, `[!UICONTROL ...]`) that merely open a plain quote.
    fn block_kind(&self) -> Option<BlockKind> {
        const MARKERS: &[&str] = &[
            "BEGINTABS",
            "TAB",
            "ENDTABS",
            "BEGINSHADEBOX",
            "ENDSHADEBOX",
            "VIDEO",
        ];
        const INLINE: &[&str] = &["DNL", "UICONTROL", "BADGE"];
        if MARKERS.contains(&self.word) {
            Some(BlockKind::Marker {
                name: self.word.to_string(),
            })
        } else if INLINE.contains(&self.word) || !self.argument.is_empty() {
            None
        } else {
            Some(BlockKind::Alert {
                kind: self.word.to_string(),
            })
        }
    }
}

/// What a top-level paragraph is: `None` for an attribute list alone on
/// its line (it styles the table above), an include, or a paragraph.
fn paragraph_kind(text: &str) -> Option<(BlockKind, String)> {
    if is_attribute_list(text) {
        return None;
    }
    if let Some(path) = text
        .strip_prefix("{{$include ")
        .and_then(|t| t.strip_suffix("}}"))
    {
        return Some((BlockKind::Include, path.trim().to_string()));
    }
    Some((BlockKind::Paragraph, text.to_string()))
}

/// `{#id}`, `{.class}`, `{key="value" ...}`: one brace pair, not a
/// snippet's `{{...}}`.
fn is_attribute_list(text: &str) -> bool {
    let Some(inner) = text.strip_prefix('{').and_then(|t| t.strip_suffix('}')) else {
        return false;
    };
    let inner = inner.trim();
    !inner.is_empty()
        && !inner.contains(['{', '}'])
        && (inner.starts_with(['#', '.']) || inner.contains('='))
}

/// A row an attribute list became when it followed a table directly.
fn is_attribute_row(cells: &[String]) -> bool {
    let mut filled = cells.iter().filter(|c| !c.is_empty());
    matches!((filled.next(), filled.next()), (Some(only), None) if is_attribute_list(only))
}

/// Collapses whitespace, drops zero-width characters and the attribute
/// lists written right after links and images.
fn normalise(raw: &str) -> String {
    let mut cleaned = Cow::Borrowed(raw);
    if cleaned.contains(LINK_END) {
        cleaned = Cow::Owned(drop_link_attributes(&cleaned));
    }
    // Most text is ASCII: bytes then suffice (a vertical tab is the one
    // whitespace character the ASCII split does not know).
    if cleaned.is_ascii() && !cleaned.contains('\x0B') {
        return join_words(cleaned.split_ascii_whitespace(), cleaned.len());
    }
    if cleaned.contains(is_invisible) {
        cleaned = Cow::Owned(cleaned.replace(is_invisible, ""));
    }
    join_words(cleaned.split_whitespace(), cleaned.len())
}

fn join_words<'t>(words: impl Iterator<Item = &'t str>, capacity: usize) -> String {
    let mut out = String::with_capacity(capacity);
    for word in words {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}'
    )
}

fn drop_link_attributes(text: &str) -> String {
    let mut pieces = text.split(LINK_END);
    let mut out = pieces.next().unwrap_or_default().to_string();
    for piece in pieces {
        out.push_str(skip_attribute_list(piece));
    }
    out
}

fn skip_attribute_list(text: &str) -> &str {
    if !text.starts_with('{') {
        return text;
    }
    match text.find('}') {
        Some(close) if is_attribute_list(&text[..=close]) => &text[close + 1..],
        _ => text,
    }
}

/// HTML without its `<!-- comments -->` (an unclosed one runs to the end).
fn strip_comments(html: &str) -> Cow<'_, str> {
    if !html.contains("<!--") {
        return Cow::Borrowed(html);
    }
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find("<!--") {
        out.push_str(&rest[..open]);
        rest = match rest[open + 4..].find("-->") {
            Some(close) => &rest[open + 4 + close + 3..],
            None => "",
        };
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Code keeps its lines and indentation: only trailing spaces, Windows line
/// ends and blank lines around the code go.
fn normalise_code(raw: &str) -> String {
    let lines: Vec<&str> = raw.lines().map(str::trim_end).collect();
    let first = lines
        .iter()
        .position(|l| !l.is_empty())
        .unwrap_or(lines.len());
    let last = lines
        .iter()
        .rposition(|l| !l.is_empty())
        .map_or(first, |l| l + 1);
    lines[first..last.max(first)].join("\n")
}

/// One difference between two versions of a body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum BlockChange {
    Added {
        new: usize,
    },
    Removed {
        old: usize,
    },
    /// The same kind of block at the same place, with another text.
    Changed {
        old: usize,
        new: usize,
        old_text: String,
        new_text: String,
    },
}

/// The kind of a block as comparison sees it: heading levels, header rows
/// and cell counts are layout, an alert's kind or a marker's name is not.
fn comparison_class(kind: &BlockKind) -> (u8, &str) {
    match kind {
        BlockKind::Heading { .. } => (0, ""),
        BlockKind::Paragraph => (1, ""),
        BlockKind::ListItem { .. } => (2, ""),
        BlockKind::TableRow { .. } => (3, ""),
        BlockKind::Alert { kind } => (4, kind),
        BlockKind::Quote => (5, ""),
        BlockKind::Footnote { .. } => (6, ""),
        BlockKind::Code => (7, ""),
        BlockKind::Html => (8, ""),
        BlockKind::Include => (9, ""),
        BlockKind::Marker { name } => (10, name),
    }
}

/// The changes from `old` to `new`, in document order. Blocks with equal
/// normalised texts are aligned first (a longest common subsequence), so an
/// inserted block is one addition, not a shift of everything after it;
/// what is left between two aligned blocks is paired by kind and likeness
/// into changes, the rest are additions and removals.
pub(crate) fn diff(old: &[Block], new: &[Block]) -> Vec<BlockChange> {
    let old_keys: Vec<_> = old.iter().map(comparison_key).collect();
    let new_keys: Vec<_> = new.iter().map(comparison_key).collect();
    let (old_ids, new_ids) = intern(&old_keys, &new_keys);
    let anchors = common_subsequence(&old_ids, &new_ids);
    let mut changes = Vec::new();
    let (mut o, mut n) = (0, 0);
    for (next_o, next_n) in anchors
        .into_iter()
        .chain(std::iter::once((old.len(), new.len())))
    {
        pair_gap(old, new, o..next_o, n..next_n, &mut changes);
        (o, n) = (next_o + 1, next_n + 1);
    }
    changes
}

fn comparison_key(block: &Block) -> ((u8, &str), &str) {
    (comparison_class(&block.kind), &block.text)
}

/// Numbers for keys, equal where the keys are: the alignment then compares
/// numbers, not texts.
fn intern<K: Eq + Hash>(a: &[K], b: &[K]) -> (Vec<u32>, Vec<u32>) {
    let mut ids: HashMap<&K, u32> = HashMap::with_capacity(a.len() + b.len());
    let mut number = |key| {
        let next = ids.len() as u32;
        *ids.entry(key).or_insert(next)
    };
    let a_ids = a.iter().map(&mut number).collect();
    let b_ids = b.iter().map(&mut number).collect();
    (a_ids, b_ids)
}

/// Pairs the removed and added blocks between two aligned ones.
fn pair_gap(
    old: &[Block],
    new: &[Block],
    removed: Range<usize>,
    added: Range<usize>,
    changes: &mut Vec<BlockChange>,
) {
    let pairs = pair_by_likeness(old, new, removed.clone(), added.clone());
    let (mut o, mut n) = (removed.start, added.start);
    for (po, pn) in pairs
        .into_iter()
        .chain(std::iter::once((removed.end, added.end)))
    {
        changes.extend((o..po).map(|old| BlockChange::Removed { old }));
        changes.extend((n..pn).map(|new| BlockChange::Added { new }));
        if po < removed.end && pn < added.end {
            changes.push(BlockChange::Changed {
                old: po,
                new: pn,
                old_text: old[po].text.clone(),
                new_text: new[pn].text.clone(),
            });
        }
        (o, n) = (po + 1, pn + 1);
    }
}

/// Above this many candidate pairs in one gap, blocks are paired in order
/// of kind instead of by the weighted alignment.
const LIKENESS_CELLS: usize = 250_000;

/// An order-keeping pairing of same-kind blocks that favours similar texts
/// (any same-kind pair beats none: it is the block "at the same place").
fn pair_by_likeness(
    old: &[Block],
    new: &[Block],
    removed: Range<usize>,
    added: Range<usize>,
) -> Vec<(usize, usize)> {
    let (rows, cols) = (removed.len(), added.len());
    if rows == 0 || cols == 0 {
        return Vec::new();
    }
    if rows == 1 {
        return pair_one(&old[removed.start], new, added)
            .map(|n| vec![(removed.start, n)])
            .unwrap_or_default();
    }
    if cols == 1 {
        return pair_one(&new[added.start], old, removed)
            .map(|o| vec![(o, added.start)])
            .unwrap_or_default();
    }
    if rows.saturating_mul(cols) > LIKENESS_CELLS {
        return pair_in_order(old, new, removed, added);
    }
    let words_old: Vec<WordSet> = removed.clone().map(|i| WordSet::of(&old[i].text)).collect();
    let words_new: Vec<WordSet> = added.clone().map(|i| WordSet::of(&new[i].text)).collect();
    let score = |r: usize, c: usize| -> u32 {
        let (a, b) = (&old[removed.start + r], &new[added.start + c]);
        if comparison_class(&a.kind) != comparison_class(&b.kind) {
            return 0;
        }
        10 + (words_old[r].likeness(&words_new[c]) * 1000.0) as u32
    };
    // best[r][c]: the best total for removed[r..] and added[c..].
    let width = cols + 1;
    let mut best = vec![0u32; (rows + 1) * width];
    for r in (0..rows).rev() {
        for c in (0..cols).rev() {
            let pair = score(r, c);
            let take = if pair > 0 {
                pair + best[(r + 1) * width + c + 1]
            } else {
                0
            };
            best[r * width + c] = take
                .max(best[(r + 1) * width + c])
                .max(best[r * width + c + 1]);
        }
    }
    let mut pairs = Vec::new();
    let (mut r, mut c) = (0, 0);
    while r < rows && c < cols {
        let pair = score(r, c);
        if pair > 0 && best[r * width + c] == pair + best[(r + 1) * width + c + 1] {
            pairs.push((removed.start + r, added.start + c));
            (r, c) = (r + 1, c + 1);
        } else if best[r * width + c] == best[(r + 1) * width + c] {
            r += 1;
        } else {
            c += 1;
        }
    }
    pairs
}

/// The block of `others[range]` most like `block`, among those of its kind.
fn pair_one(block: &Block, others: &[Block], range: Range<usize>) -> Option<usize> {
    let class = comparison_class(&block.kind);
    let candidates: Vec<usize> = range
        .filter(|&i| comparison_class(&others[i].kind) == class)
        .collect();
    if candidates.len() < 2 {
        return candidates.first().copied();
    }
    let words = WordSet::of(&block.text);
    let mut best: Option<(usize, f64)> = None;
    for i in candidates {
        let likeness = words.likeness(&WordSet::of(&others[i].text));
        if best.is_none_or(|(_, b)| likeness > b) {
            best = Some((i, likeness));
        }
    }
    best.map(|(i, _)| i)
}

/// The k-th removed block of a kind with the k-th added one, in order.
fn pair_in_order(
    old: &[Block],
    new: &[Block],
    removed: Range<usize>,
    added: Range<usize>,
) -> Vec<(usize, usize)> {
    let mut pairs = Vec::new();
    let mut c = added.start;
    for r in removed {
        let class = comparison_class(&old[r].kind);
        if let Some(found) = (c..added.end).find(|&i| comparison_class(&new[i].kind) == class) {
            pairs.push((r, found));
            c = found + 1;
        }
    }
    pairs
}

/// Lowercased words, for a likeness between 0 and 1 (Dice's coefficient).
struct WordSet(HashMap<String, u32>, u32);

impl WordSet {
    fn of(text: &str) -> WordSet {
        let mut words = HashMap::new();
        let mut total = 0;
        for word in text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
        {
            *words.entry(word.to_lowercase()).or_insert(0) += 1;
            total += 1;
        }
        WordSet(words, total)
    }

    fn likeness(&self, other: &WordSet) -> f64 {
        if self.1 + other.1 == 0 {
            return 1.0;
        }
        let shared: u32 = self
            .0
            .iter()
            .map(|(w, n)| (*n).min(other.0.get(w).copied().unwrap_or(0)))
            .sum();
        2.0 * f64::from(shared) / f64::from(self.1 + other.1)
    }
}

/// Above this many cells a gap is aligned on the elements it holds once on
/// each side (patience diff) instead of by the quadratic table.
const TABLE_CELLS: usize = 2_000_000;

/// Index pairs of a longest common subsequence of `a` and `b` (exact for
/// gaps up to [`TABLE_CELLS`], anchored on unique elements above), in
/// increasing order.
fn common_subsequence<K: Eq + Hash>(a: &[K], b: &[K]) -> Vec<(usize, usize)> {
    let mut pairs = Vec::new();
    let mut pending = vec![(0..a.len(), 0..b.len())];
    while let Some((mut ra, mut rb)) = pending.pop() {
        while !ra.is_empty() && !rb.is_empty() && a[ra.start] == b[rb.start] {
            pairs.push((ra.start, rb.start));
            (ra.start, rb.start) = (ra.start + 1, rb.start + 1);
        }
        while !ra.is_empty() && !rb.is_empty() && a[ra.end - 1] == b[rb.end - 1] {
            pairs.push((ra.end - 1, rb.end - 1));
            (ra.end, rb.end) = (ra.end - 1, rb.end - 1);
        }
        if ra.is_empty() || rb.is_empty() {
            continue;
        }
        if ra.len().saturating_mul(rb.len()) <= TABLE_CELLS {
            pairs.extend(table_subsequence(a, b, ra, rb));
            continue;
        }
        let anchors = unique_anchors(a, b, ra.clone(), rb.clone());
        let (mut sa, mut sb) = (ra.start, rb.start);
        for (x, y) in anchors.into_iter().chain(std::iter::once((ra.end, rb.end))) {
            if x < ra.end {
                pairs.push((x, y));
            }
            if sa < x && sb < y {
                pending.push((sa..x, sb..y));
            }
            (sa, sb) = (x + 1, y + 1);
        }
    }
    pairs.sort_unstable();
    pairs
}

/// The classic dynamic-programming LCS over one gap.
fn table_subsequence<K: Eq>(
    a: &[K],
    b: &[K],
    ra: Range<usize>,
    rb: Range<usize>,
) -> Vec<(usize, usize)> {
    let (rows, cols) = (ra.len(), rb.len());
    let width = cols + 1;
    // Lengths fit: rows * cols <= TABLE_CELLS bounds the shorter side.
    let mut length = vec![0u32; (rows + 1) * width];
    for r in (0..rows).rev() {
        for c in (0..cols).rev() {
            length[r * width + c] = if a[ra.start + r] == b[rb.start + c] {
                length[(r + 1) * width + c + 1] + 1
            } else {
                length[(r + 1) * width + c].max(length[r * width + c + 1])
            };
        }
    }
    let mut pairs = Vec::new();
    let (mut r, mut c) = (0, 0);
    while r < rows && c < cols {
        if a[ra.start + r] == b[rb.start + c] {
            pairs.push((ra.start + r, rb.start + c));
            (r, c) = (r + 1, c + 1);
        } else if length[(r + 1) * width + c] >= length[r * width + c + 1] {
            r += 1;
        } else {
            c += 1;
        }
    }
    pairs
}

/// Elements found exactly once in each range, aligned by the longest
/// increasing run of their positions.
fn unique_anchors<K: Eq + Hash>(
    a: &[K],
    b: &[K],
    ra: Range<usize>,
    rb: Range<usize>,
) -> Vec<(usize, usize)> {
    // Element -> (times in a, its position in a, times in b).
    let mut seen: HashMap<&K, (usize, usize, usize)> = HashMap::new();
    for i in ra {
        seen.entry(&a[i]).or_insert((0, i, 0)).0 += 1;
    }
    for j in rb.clone() {
        if let Some(entry) = seen.get_mut(&b[j]) {
            entry.2 += 1;
        }
    }
    let mut candidates: Vec<(usize, usize)> = rb
        .filter_map(|j| {
            let &(in_a, i, in_b) = seen.get(&b[j])?;
            (in_a == 1 && in_b == 1).then_some((i, j))
        })
        .collect();
    candidates.sort_unstable_by_key(|&(_, j)| j);
    longest_increasing(&candidates)
}

/// The longest run of pairs (already in increasing second index) whose
/// first indices increase too (patience sorting, O(n log n)).
fn longest_increasing(pairs: &[(usize, usize)]) -> Vec<(usize, usize)> {
    let mut tails: Vec<usize> = Vec::new();
    let mut previous: Vec<Option<usize>> = vec![None; pairs.len()];
    for (k, &(i, _)) in pairs.iter().enumerate() {
        let place = tails.partition_point(|&t| pairs[t].0 < i);
        previous[k] = place.checked_sub(1).map(|p| tails[p]);
        if place == tails.len() {
            tails.push(k);
        } else {
            tails[place] = k;
        }
    }
    let mut run = Vec::new();
    let mut cursor = tails.last().copied();
    while let Some(k) = cursor {
        run.push(pairs[k]);
        cursor = previous[k];
    }
    run.reverse();
    run
}

/// For each block of `new`, the block of `old` it is (unchanged, or
/// changed in place), as [`diff`] aligns them; `None` for added blocks.
#[cfg(test)]
pub(crate) fn counterparts(old: &[Block], new: &[Block]) -> Vec<Option<usize>> {
    let mut map = vec![None; new.len()];
    let (mut o, mut n) = (0, 0);
    for change in diff(old, new) {
        let (next_o, next_n) = match change {
            BlockChange::Added { new } => (o, new),
            BlockChange::Removed { old } => (old, n),
            BlockChange::Changed { old, new, .. } => (old, new),
        };
        // Between two changes, the blocks are the same on both sides.
        while o < next_o && n < next_n {
            map[n] = Some(o);
            (o, n) = (o + 1, n + 1);
        }
        match change {
            BlockChange::Added { new } => n = new + 1,
            BlockChange::Removed { old } => o = old + 1,
            BlockChange::Changed { old, new, .. } => {
                map[new] = Some(old);
                (o, n) = (old + 1, new + 1);
            }
        }
    }
    while o < old.len() && n < new.len() {
        map[n] = Some(o);
        (o, n) = (o + 1, n + 1);
    }
    map
}

/// Like [`map_to_translation`], through the source as it was at the
/// translation's revision: the translation mirrors that structure, so
/// blocks added to the source since do not make their neighbours
/// unmappable. Blocks added since map to `None`.
#[cfg(test)]
pub(crate) fn map_through_revision(
    source_now: &[Block],
    source_then: &[Block],
    translation: &[Block],
    changed: &[usize],
) -> Vec<Option<usize>> {
    let then_of_now = counterparts(source_then, source_now);
    let translation_of_then = structural_mapping(source_then, translation);
    changed
        .iter()
        .map(|&i| {
            let then = then_of_now.get(i).copied().flatten()?;
            translation_of_then.get(then).copied().flatten()
        })
        .collect()
}

/// A block's shape, which survives translation: its kind with the details
/// a translator keeps (heading level, row cells, alert kind, the code
/// itself), what it sits in and how deep under headings.
#[derive(PartialEq, Eq, Hash)]
struct Shape<'b> {
    kind: &'b BlockKind,
    code: Option<&'b str>,
    containers: &'b [ContainerKind],
    heading_depth: usize,
}

impl<'b> Shape<'b> {
    fn of(block: &'b Block) -> Shape<'b> {
        Shape {
            kind: &block.kind,
            code: matches!(block.kind, BlockKind::Code).then_some(block.text.as_str()),
            containers: &block.containers,
            heading_depth: block.headings.len(),
        }
    }
}

/// For each index of `changed` (into `source_now`), the block of
/// `translation` at the same place, found by structure, not by text: runs
/// of blocks of one shape are aligned between the two, and a run maps
/// block by block when it has the same length on both sides. `None` where
/// the structure differs (a paragraph missing in a run of paragraphs makes
/// the whole run unmappable: which one is missing cannot be known without
/// reading both languages).
#[cfg(test)]
pub(crate) fn map_to_translation(
    source_now: &[Block],
    translation: &[Block],
    changed: &[usize],
) -> Vec<Option<usize>> {
    let mapping = structural_mapping(source_now, translation);
    changed
        .iter()
        .map(|&i| mapping.get(i).copied().flatten())
        .collect()
}

/// For every source block, its translation's counterpart.
pub(crate) fn structural_mapping(source: &[Block], translation: &[Block]) -> Vec<Option<usize>> {
    let source_runs = runs(source);
    let translation_runs = runs(translation);
    let source_shapes: Vec<&Shape> = source_runs.iter().map(|r| &r.0).collect();
    let translation_shapes: Vec<&Shape> = translation_runs.iter().map(|r| &r.0).collect();
    let (source_ids, translation_ids) = intern(&source_shapes, &translation_shapes);
    let mut mapping = vec![None; source.len()];
    for (s, t) in common_subsequence(&source_ids, &translation_ids) {
        let (source_run, translation_run) = (&source_runs[s].1, &translation_runs[t].1);
        if source_run.len() == translation_run.len() {
            for (i, j) in source_run.clone().zip(translation_run.clone()) {
                mapping[i] = Some(j);
            }
        }
    }
    mapping
}

/// Consecutive blocks of one shape.
fn runs(blocks: &[Block]) -> Vec<(Shape<'_>, Range<usize>)> {
    let mut runs: Vec<(Shape, Range<usize>)> = Vec::new();
    for (i, block) in blocks.iter().enumerate() {
        let shape = Shape::of(block);
        match runs.last_mut() {
            Some((last, range)) if *last == shape => range.end = i + 1,
            _ => runs.push((shape, i..i + 1)),
        }
    }
    runs
}

/// The text to translate of one page: title and description (YAML values,
/// parsed by the caller) and the body's blocks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TextToTranslate {
    pub title: Option<String>,
    pub description: Option<String>,
    pub blocks: Vec<Block>,
}

impl TextToTranslate {
    pub(crate) fn new(
        title: Option<&str>,
        description: Option<&str>,
        body: &str,
    ) -> TextToTranslate {
        TextToTranslate {
            title: normalise_field(title),
            description: normalise_field(description),
            blocks: split(body),
        }
    }
}

/// An empty value says as little as a missing one.
fn normalise_field(value: Option<&str>) -> Option<String> {
    value.map(normalise).filter(|v| !v.is_empty())
}

/// What changed in the text to translate between two versions of a page.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub(crate) struct TextChanges {
    pub title: Option<FieldChange>,
    pub description: Option<FieldChange>,
    pub blocks: Vec<BlockChange>,
}

impl TextChanges {
    pub(crate) fn is_empty(&self) -> bool {
        self.title.is_none() && self.description.is_none() && self.blocks.is_empty()
    }
}

pub(crate) fn compare(old: &TextToTranslate, new: &TextToTranslate) -> TextChanges {
    let field = |old: &Option<String>, new: &Option<String>| {
        (old != new).then(|| FieldChange {
            old: old.clone(),
            new: new.clone(),
        })
    };
    TextChanges {
        title: field(&old.title, &new.title),
        description: field(&old.description, &new.description),
        blocks: diff(&old.blocks, &new.blocks),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(blocks: &[Block]) -> Vec<&str> {
        blocks.iter().map(|b| b.text.as_str()).collect()
    }

    fn changes(old: &str, new: &str) -> Vec<BlockChange> {
        diff(&split(old), &split(new))
    }

    // Excerpts of Adobe's merchant services guide (tests/fixtures of tolk,
    // MIT licence, (c) Adobe): `help/payment-services/create-order.md` in
    // English and French.
    const CREATE_ORDER_EN: &str = "\
# Create an Order with [!DNL Payment Services]

You can customize Payment Services to your needs using [[!DNL Payment Services] settings](settings.md).

## Hosted credit card fields

[!DNL Payment Services] is available in the Admin as a payment method when creating an order:

1. On the _Admin_ sidebar, expand **[!UICONTROL Sales]** and choose **[!UICONTROL Orders]**.
1. Click **[!UICONTROL Create New Order]**.
1. Click **[!UICONTROL Submit Order]**.
";

    const CREATE_ORDER_FR: &str = "\
# Création d’une commande avec [!DNL Payment Services]

Vous pouvez personnaliser les services de paiement selon vos besoins à l’aide de [[!DNL Payment Services] settings](settings.md).

## Champs de carte de crédit hébergés

[!DNL Payment Services] est disponible dans l’administrateur en tant que méthode de paiement lors de la création d’une commande :

1. Dans la barre latérale _Admin_, développez **[!UICONTROL Sales]** et choisissez **[!UICONTROL Orders]**.
1. Cliquez sur **[!UICONTROL Create New Order]**.
1. Cliquez sur **[!UICONTROL Submit Order]**.
";

    #[test]
    fn blocks_have_kinds_headings_positions_and_lines() {
        let blocks = split(CREATE_ORDER_EN);
        let kinds: Vec<&BlockKind> = blocks.iter().map(|b| &b.kind).collect();
        let item = BlockKind::ListItem { ordered: true };
        assert_eq!(
            kinds,
            [
                &BlockKind::Heading { level: 1 },
                &BlockKind::Paragraph,
                &BlockKind::Heading { level: 2 },
                &BlockKind::Paragraph,
                &item,
                &item,
                &item,
            ]
        );
        let first_item = &blocks[4];
        assert_eq!(
            first_item.text,
            "On the *Admin* sidebar, expand **[!UICONTROL Sales]** and choose **[!UICONTROL Orders]**."
        );
        assert_eq!(
            *first_item.headings,
            [
                "Create an Order with [!DNL Payment Services]".to_string(),
                "Hosted credit card fields".to_string()
            ]
        );
        assert_eq!(
            (first_item.index, first_item.list_path.as_slice()),
            (2, &[0][..])
        );
        assert_eq!((first_item.first_line, first_item.last_line), (9, 9));
        assert_eq!(blocks[2].index, 0);
        assert_eq!(
            blocks[1].text,
            "You can customize Payment Services to your needs using [[!DNL Payment Services] settings](settings.md)."
        );
    }

    #[test]
    fn a_reflowed_paragraph_is_unchanged() {
        let old = "# T\n\nOne two three four five six seven.\n";
        let new = "# T\n\nOne two\nthree   four five  \nsix\tseven.\n";
        assert_eq!(changes(old, new), []);
    }

    #[test]
    fn removed_blank_lines_are_unchanged() {
        let old = "# T\n\n\n\nText.\n\n## Part\n\n- one\n\n- two\n\n>[!NOTE]\n>\n>Careful.\n";
        let new = "# T\nText.\n## Part\n- one\n- two\n\n>[!NOTE]\n>Careful.\n";
        assert_eq!(changes(old, new), []);
    }

    #[test]
    fn a_changed_word_is_a_change_of_that_block_only() {
        let old = "# T\n\nFirst paragraph.\n\nThe quick brown fox.\n\nLast one.\n";
        let new = "# T\n\nFirst paragraph.\n\nThe quick red fox.\n\nLast one.\n";
        assert_eq!(
            changes(old, new),
            [BlockChange::Changed {
                old: 2,
                new: 2,
                old_text: "The quick brown fox.".into(),
                new_text: "The quick red fox.".into(),
            }]
        );
    }

    #[test]
    fn an_inserted_paragraph_is_one_addition_and_shifts_nothing() {
        let old = "# T\n\nAlpha.\n\nBeta.\n\nGamma.\n";
        let new = "# T\n\nAlpha.\n\nNew words here.\n\nBeta.\n\nGamma.\n";
        assert_eq!(changes(old, new), [BlockChange::Added { new: 2 }]);
        let removed = changes(new, old);
        assert_eq!(removed, [BlockChange::Removed { old: 2 }]);
    }

    #[test]
    fn among_several_edits_similar_blocks_pair_up() {
        let old = "Alpha.\n\nThe old second paragraph talks about payments.\n\nOmega.\n";
        let new = "Alpha.\n\nSomething entirely new.\n\nThe second paragraph talks about payments.\n\nOmega.\n";
        let found = changes(old, new);
        assert_eq!(found[0], BlockChange::Added { new: 1 });
        assert!(matches!(
            found[1],
            BlockChange::Changed { old: 1, new: 2, .. }
        ));
        assert_eq!(found.len(), 2);
    }

    #[test]
    fn a_changed_table_row_is_that_row() {
        let old = "\
| Field | Scope |
|---|---|
| **[!UICONTROL Out of Stock Threshold]** | Global |
| **[!UICONTROL Allow Store Pickup]** | Global |

{style=\"table-layout:auto\"}
";
        let new = "\
| Field   | Scope |
|:--------|-------|
| **[!UICONTROL Out of Stock Threshold]** | Global |
| **[!UICONTROL Allow Store Pickup]** | Website |

{style=\"table-layout:fixed\"}
";
        let blocks = split(old);
        assert_eq!(blocks.len(), 3, "{blocks:#?}");
        assert_eq!(
            blocks[0].kind,
            BlockKind::TableRow {
                header: true,
                cells: 2
            }
        );
        assert_eq!(blocks[0].text, "Field | Scope");
        assert_eq!(
            changes(old, new),
            [BlockChange::Changed {
                old: 2,
                new: 2,
                old_text: "**[!UICONTROL Allow Store Pickup]** | Global".into(),
                new_text: "**[!UICONTROL Allow Store Pickup]** | Website".into(),
            }]
        );
        // An attribute list right under a table is parsed as a row: still
        // not text to translate.
        let glued = "| a | b |\n|---|---|\n| c | d |\n{style=\"table-layout:auto\"}\n";
        assert_eq!(texts(&split(glued)), ["a | b", "c | d"]);
    }

    #[test]
    fn an_added_list_item_is_one_addition_with_its_path() {
        let old = "- one\n- two\n  - two.a\n- three\n";
        let new = "- one\n- two\n  - two.a\n  - two.b\n- three\n";
        let blocks = split(new);
        assert_eq!(texts(&blocks), ["one", "two", "two.a", "two.b", "three"]);
        assert_eq!(blocks[3].list_path, [1, 1]);
        assert_eq!(blocks[3].containers, [ContainerKind::ListItem]);
        assert_eq!(changes(old, new), [BlockChange::Added { new: 3 }]);
    }

    #[test]
    fn an_alert_body_is_a_block_that_keeps_its_kind() {
        let old = ">[!NOTE]\n>\n>You can only void a transaction if payment is not yet captured.\n";
        let new = ">[!NOTE]\n>\n>You can only void a transaction if payment is not captured.\n";
        let blocks = split(old);
        assert_eq!(blocks.len(), 1);
        assert_eq!(
            blocks[0].kind,
            BlockKind::Alert {
                kind: "NOTE".into()
            }
        );
        assert_eq!(
            blocks[0].text,
            "You can only void a transaction if payment is not yet captured."
        );
        assert_eq!((blocks[0].first_line, blocks[0].last_line), (1, 3));
        assert!(matches!(
            changes(old, new).as_slice(),
            [BlockChange::Changed { old: 0, new: 0, .. }]
        ));
        // Another kind is another block.
        let tip = ">[!TIP]\n>\n>You can only void a transaction if payment is not yet captured.\n";
        assert_eq!(
            changes(old, tip),
            [
                BlockChange::Removed { old: 0 },
                BlockChange::Added { new: 0 }
            ]
        );
    }

    #[test]
    fn ids_attributes_and_markup_spelling_are_not_text() {
        let old = "## Install [!DNL Product Recommendations] {#install}\n\n\
                   See [the guide](https://x.test/a){target=\"_blank\"} and _this_.\n";
        let new = "## Install [!DNL Product Recommendations] {#installation}\n\n\
                   See [the guide](https://x.test/a) and *this*.\n";
        assert_eq!(changes(old, new), []);
        assert_eq!(
            texts(&split(old)),
            [
                "Install [!DNL Product Recommendations]",
                "See [the guide](https://x.test/a) and *this*."
            ]
        );
        // A new link target is something the translation must get too.
        let moved = "## Install [!DNL Product Recommendations]\n\nSee [the guide](https://x.test/b) and _this_.\n";
        assert_eq!(changes(old, moved).len(), 1);
    }

    #[test]
    fn tabs_videos_and_includes_are_blocks_of_their_own() {
        let page = "\
>[!BEGINTABS]

>[!TAB Cloud infrastructure]

Use this method.

>[!TAB On-premises]

{{$include /help/_includes/install.md}}

>[!ENDTABS]

>[!VIDEO](https://video.tv/v/3419113)
";
        let blocks = split(page);
        let summary: Vec<(String, &str)> = blocks
            .iter()
            .map(|b| (format!("{:?}", b.kind), b.text.as_str()))
            .collect();
        let marker = |name: &str| format!("{:?}", BlockKind::Marker { name: name.into() });
        assert_eq!(
            summary,
            [
                (marker("BEGINTABS"), ""),
                (marker("TAB"), "Cloud infrastructure"),
                ("Paragraph".into(), "Use this method."),
                (marker("TAB"), "On-premises"),
                ("Include".into(), "/help/_includes/install.md"),
                (marker("ENDTABS"), ""),
                (marker("VIDEO"), "https://video.tv/v/3419113"),
            ]
        );
        // A quote opening with an inline token is a quote.
        let quote = split(">[!UICONTROL Save] saves.\n");
        assert_eq!(quote[0].kind, BlockKind::Quote);
        assert_eq!(quote[0].text, "[!UICONTROL Save] saves.");
    }

    #[test]
    fn code_keeps_its_lines_and_indentation() {
        let old = "```yaml\nkey:\n  value: 1   \n```\n";
        let reindented = "```yaml\nkey:\n    value: 1\n```\n";
        let other_info = "~~~ yml\n\nkey:\n  value: 1\n~~~\n";
        assert_eq!(split(old)[0].text, "key:\n  value: 1");
        assert_eq!(changes(old, other_info), []);
        assert_eq!(changes(old, reindented).len(), 1);
    }

    #[test]
    fn a_translation_of_the_same_structure_maps_block_by_block() {
        let source = split(CREATE_ORDER_EN);
        let translation = split(CREATE_ORDER_FR);
        let all: Vec<usize> = (0..source.len()).collect();
        let mapped = map_to_translation(&source, &translation, &all);
        assert_eq!(mapped, all.iter().map(|&i| Some(i)).collect::<Vec<_>>());
        let changed_item = 5;
        let target = mapped[changed_item].unwrap();
        assert_eq!(
            translation[target].text,
            "Cliquez sur **[!UICONTROL Create New Order]**."
        );
    }

    #[test]
    fn a_missing_paragraph_leaves_only_its_run_unmapped() {
        let source =
            split("# T\n\nOne.\n\nTwo.\n\n## Part\n\nThree.\n\n- a\n- b\n\n```\ncode\n```\n");
        let translation =
            split("# T\n\nUn.\n\n## Partie\n\nTrois.\n\n- a\n- b\n\n```\ncode\n```\n");
        let all: Vec<usize> = (0..source.len()).collect();
        let mapped = map_to_translation(&source, &translation, &all);
        assert_eq!(
            mapped,
            [
                Some(0),
                None,
                None,
                Some(2),
                Some(3),
                Some(4),
                Some(5),
                Some(6)
            ]
        );
        // Code must be byte-equal to anchor.
        let other_code =
            split("# T\n\nUn.\n\n## Partie\n\nTrois.\n\n- a\n- b\n\n```\nautre\n```\n");
        assert_eq!(map_to_translation(&source, &other_code, &[7]), [None]);
    }

    #[test]
    fn the_real_french_page_maps_its_alerts() {
        let en = "\
# Voids

With [!DNL Payment Services], you can use existing Commerce functionality for voiding transactions.

>[!NOTE]
>
>You can only void a transaction if payment is not yet captured.

You can also [cancel an order](https://experienceleague.adobe.com/x){target=\"_blank\"} that is not invoiced.
";
        let fr = "\
# Voix

Avec [!DNL Payment Services], vous pouvez utiliser la fonctionnalité Commerce existante pour annuler les transactions.

>[!NOTE]
>
>Vous ne pouvez annuler une transaction que si le paiement n’est pas encore capturé.

Vous pouvez également [annuler une commande](https://experienceleague.adobe.com/x){target=\"_blank\"} qui n’est pas facturée.
";
        let source = split(en);
        let translation = split(fr);
        assert_eq!(map_to_translation(&source, &translation, &[2]), [Some(2)]);
        assert!(translation[2].text.starts_with("Vous ne pouvez annuler"));
    }

    #[test]
    fn a_block_added_since_the_revision_maps_its_neighbours_through_it() {
        let then = split("# T\n\nOne.\n\nTwo.\n");
        let now = split("# T\n\nOne, changed.\n\nInserted.\n\nTwo.\n");
        let translation = split("# T\n\nUn.\n\nDeux.\n");
        assert_eq!(counterparts(&then, &now), [Some(0), Some(1), None, Some(2)]);
        // Directly, the run of paragraphs differs in length: unmappable.
        assert_eq!(
            map_to_translation(&now, &translation, &[1, 2, 3]),
            [None, None, None]
        );
        assert_eq!(
            map_through_revision(&now, &then, &translation, &[1, 2, 3]),
            [Some(1), None, Some(2)]
        );
    }

    #[test]
    fn comments_are_not_text_to_translate() {
        let old =
            "Text <!-- note to self --> here.\n\n<!--\nA block comment\n-->\n\n<div>Kept</div>\n";
        let new = "Text here.\n\n<div>Kept</div>\n";
        assert_eq!(changes(old, new), []);
        assert_eq!(texts(&split(old)), ["Text here.", "<div>Kept</div>"]);
    }

    #[test]
    fn titles_and_descriptions_compare_as_values_with_whitespace_normalised() {
        let old = TextToTranslate::new(Some("Voids"), Some("Free the  funds."), "Body.\n");
        let same = TextToTranslate::new(Some(" Voids "), Some("Free the\nfunds."), "Body.\n");
        assert!(compare(&old, &same).is_empty());
        let retitled = TextToTranslate::new(Some("Void a payment"), None, "Body.\n");
        let found = compare(&old, &retitled);
        assert_eq!(
            found.title,
            Some(FieldChange {
                old: Some("Voids".into()),
                new: Some("Void a payment".into())
            })
        );
        assert!(found.description.is_some() && found.blocks.is_empty());
        let empty = TextToTranslate::new(Some(""), None, "Body.\n");
        let missing = TextToTranslate::new(None, None, "Body.\n");
        assert!(compare(&empty, &missing).is_empty());
    }

    #[test]
    fn deep_nesting_is_folded_not_recursed() {
        let quotes = ">".repeat(100_000) + " deep\n";
        let blocks = split(&quotes);
        assert!(blocks.len() <= MAX_NESTING + 1);
        assert!(blocks.iter().any(|b| b.nesting_capped));
        assert!(blocks.iter().any(|b| b.text.contains("deep")));

        let lists = "- ".repeat(100_000) + "deep\n";
        let blocks = split(&lists);
        assert!(blocks.iter().any(|b| b.nesting_capped && b.text == "deep"));
        assert!(blocks.iter().all(|b| b.containers.len() <= MAX_NESTING));

        let mixed = "> - ".repeat(50_000) + "x\n";
        assert!(!split(&mixed).is_empty());
        let emphasis = "*".repeat(50_000) + "x" + &"*".repeat(50_000);
        assert_eq!(split(&emphasis).len(), 1);
        let links = "[".repeat(50_000) + "x" + &"](u)".repeat(50_000);
        assert_eq!(split(&links).len(), 1);
    }

    #[test]
    fn every_kind_of_whitespace_collapses_alike() {
        assert_eq!(normalise(" a\t\x0B b\r\n c "), "a b c");
        assert_eq!(normalise(" é\t\x0B b\u{a0}\u{200B}c "), "é b c");
        assert_eq!(normalise("[x](u)\u{E000}{target=\"_blank\"} y"), "[x](u) y");
    }

    #[test]
    fn odd_input_never_panics() {
        let pieces = [
            "#",
            " ",
            "\n",
            ">",
            "- ",
            "1. ",
            "|",
            "---",
            "`",
            "```",
            "*",
            "_",
            "[",
            "]",
            "(",
            ")",
            "{",
            "}",
            "!",
            "[!NOTE]",
            "[!TAB x]",
            "<div>",
            "</div>",
            "\t",
            "\r\n",
            "é",
            "\u{200B}",
            "[^1]",
            "[^1]: ",
            "{{$include ",
            "}}",
            "\\",
            "~~",
            "  ",
        ];
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        for _ in 0..3_000 {
            let mut text = String::new();
            for _ in 0..(state % 40) {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                text.push_str(pieces[(state % pieces.len() as u64) as usize]);
            }
            let blocks = split(&text);
            let lines = text.lines().count().max(1);
            for block in &blocks {
                assert!(block.first_line >= 1 && block.first_line <= block.last_line);
                assert!(block.last_line <= lines + 1, "{text:?}: {block:?}");
            }
            let other = split(&text.replace('x', "y"));
            let _ = diff(&blocks, &other);
            let _ = structural_mapping(&blocks, &other);
        }
    }

    #[test]
    fn long_bodies_align_exactly_past_the_table_limit() {
        let old: String = (0..3_000)
            .map(|i| format!("Paragraph number {i}.\n\n"))
            .collect();
        let new = old
            .replace("Paragraph number 100.", "Paragraph number one hundred.")
            .replace(
                "Paragraph number 2900.\n\n",
                "Paragraph number 2900.\n\nInserted.\n\n",
            );
        let found = changes(&old, &new);
        assert!(matches!(
            found[0],
            BlockChange::Changed {
                old: 100,
                new: 100,
                ..
            }
        ));
        assert_eq!(found[1..], [BlockChange::Added { new: 2901 }]);
    }

    #[test]
    fn diff_is_deterministic_and_complete() {
        let old = split("A.\n\nB.\n\nC.\n\nD.\n");
        let new = split("B.\n\nX.\n\nD.\n\nA.\n");
        let first = diff(&old, &new);
        assert_eq!(first, diff(&old, &new));
        // Every block is accounted for once: unchanged, changed, removed or
        // added.
        let touched_old = first
            .iter()
            .filter(|c| !matches!(c, BlockChange::Added { .. }))
            .count();
        let touched_new = first
            .iter()
            .filter(|c| !matches!(c, BlockChange::Removed { .. }))
            .count();
        let unchanged = 4 - touched_old;
        assert_eq!(unchanged, 4 - touched_new);
    }
}
