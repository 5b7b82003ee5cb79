//! Markdown to HTML rendering for a single page.
//!
//! Parsing is delegated to pulldown-cmark; this module adjusts its event
//! stream before handing it to pulldown-cmark's own HTML writer:
//!
//! * every heading gets a unique `id`,
//! * tables are wrapped in a scrollable, labelled region and get header scopes,
//! * footnote ids get a prefix so they cannot collide with heading ids,
//! * link and image destinations go through a caller-supplied resolver,
//! * Adobe Experience League extensions (alerts, tabs, `[!UICONTROL ...]`,
//!   attribute lists...) are applied first by `exl`.
//!
//! Text is never escaped by this module except inside the few HTML fragments it
//! writes itself, and entities are only decoded by the parser, so every piece of
//! text is escaped exactly once.
pub(crate) mod exl;
pub mod sanitize;
mod syntax;

pub use syntax::{MarkdownWarning, parser};
use syntax::{escape_href, escape_html};

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use pulldown_cmark::{Alignment, CowStr, Event, LinkType, Tag, TagEnd, TextMergeWithOffset, html};

use crate::markdown::exl::{Element, ElementAttrs};

/// Where a link found in the Markdown should point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkTarget {
    /// Rewrite the href to this URL (e.g. a `.md` link resolved to a page URL).
    Page(String),
    /// Leave the href as written (external URLs, anchors, mailto:, assets...).
    Keep,
    /// The link points to a Markdown page that does not exist: keep the href, emit a warning.
    Missing,
}

/// Caller-provided hooks for [`render`].
#[derive(Clone, Copy)]
pub struct RenderOptions<'a> {
    /// Called for every link and image destination. Receives the destination exactly as written.
    ///
    /// E-mail autolinks (`<someone@example.com>`) are the one exception: their
    /// destination is an address, not a path, so it is never resolved.
    pub resolve_link: &'a (dyn Fn(&str) -> LinkTarget + Sync),
    /// UI text in the page's language for the labels the extensions write
    /// (`alert_note` -> "Remarque", `video_link`...; see
    /// `exl::LABEL_KEYS`). An empty answer falls back to English.
    pub labels: &'a (dyn Fn(&str) -> String + Sync),
}

/// A heading of the rendered document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    /// 1 to 6.
    pub level: u8,
    /// The final, document-unique `id` attribute.
    pub id: String,
    /// Plain text, markup stripped.
    pub text: String,
}

/// The result of [`render`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub html: String,
    /// Every heading, in document order, with its final unique id.
    pub headings: Vec<Heading>,
    /// Plain text of the first level-1 heading, if the document has one.
    pub first_h1: Option<String>,
    pub warnings: Vec<MarkdownWarning>,
    /// Words of visible text (split on whitespace), not counting markup.
    pub word_count: usize,
    /// Zero-width spaces (machine-translation debris) removed from the text.
    pub zero_width_removed: usize,
    /// Whether the source holds raw HTML (comments included). Without it,
    /// every tag in `html` was written by this renderer.
    pub has_raw_html: bool,
}

/// Renders a Markdown document to HTML and collects what the site needs to know about it.
pub fn render(source: &str, options: &RenderOptions) -> Rendered {
    // Events are buffered once so the survey can know every heading and
    // footnote before ids are handed out; memory stays linear in the input.
    let events: Vec<(Event<'_>, Range<usize>)> =
        TextMergeWithOffset::new(syntax::parser(source).into_offset_iter()).collect();
    let has_raw_html = events
        .iter()
        .any(|(event, _)| matches!(event, Event::Html(_) | Event::InlineHtml(_)));
    let extended = exl::extend(events, source, options.labels);
    let events = extended.events;
    let survey = Survey::of(&events);
    let headings = assign_heading_ids(survey.headings, &survey.footnotes.reserved_ids());
    let lines = LineIndex::new(source);
    let mut rewriter = Rewriter::new(
        options,
        &lines,
        &headings,
        &survey.footnotes,
        &extended.attrs,
    );
    for (offset, message) in extended.warnings {
        rewriter.warn(offset, message);
    }

    let mut html_out = String::with_capacity(source.len() + source.len() / 2);
    html::push_html(
        &mut html_out,
        events
            .into_iter()
            .map(|(event, range)| rewriter.rewrite(event, range)),
    );

    // Extension warnings come first; sorting keeps them in source order.
    let mut warnings = rewriter.warnings;
    warnings.sort_by_key(|warning| (warning.line, warning.column));
    Rendered {
        html: html_out,
        first_h1: first_h1_text(&headings),
        warnings,
        word_count: survey.words.count,
        zero_width_removed: extended.zero_width_removed,
        has_raw_html,
        headings,
    }
}

/// GitHub-style heading slug: lowercase, keep Unicode letters/digits (so
/// "Résumé des différences" -> "résumé-des-différences"), spaces -> '-', drop
/// other punctuation except '-' and '_'; empty result -> "section".
pub fn slugify_heading(text: &str) -> String {
    let slug: String = text
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|ch| {
            if ch.is_whitespace() {
                Some('-')
            } else if ch.is_alphanumeric() || ch == '-' || ch == '_' || is_combining_mark(ch) {
                Some(ch)
            } else {
                None
            }
        })
        .collect();
    if slug.is_empty() {
        "section".to_string()
    } else {
        slug
    }
}

/// Combining accents are not "alphanumeric" to Rust, but text in decomposed
/// form (e + U+0301) must keep its accents just like precomposed text does.
fn is_combining_mark(ch: char) -> bool {
    matches!(
        ch,
        '\u{0300}'..='\u{036F}'
            | '\u{1AB0}'..='\u{1AFF}'
            | '\u{1DC0}'..='\u{1DFF}'
            | '\u{20D0}'..='\u{20FF}'
            | '\u{FE20}'..='\u{FE2F}'
    )
}

fn first_h1_text(headings: &[Heading]) -> Option<String> {
    headings
        .iter()
        .find(|heading| heading.level == 1)
        .map(|heading| heading.text.clone())
}

// ---------------------------------------------------------------------------
// Source positions

/// Byte offsets of line starts, computed once so each warning costs a binary
/// search instead of a scan from the start of the document.
struct LineIndex<'s> {
    source: &'s str,
    starts: Vec<usize>,
}

impl<'s> LineIndex<'s> {
    fn new(source: &'s str) -> Self {
        let bytes = source.as_bytes();
        let mut starts = vec![0];
        for (index, &byte) in bytes.iter().enumerate() {
            // CommonMark accepts "\n", "\r\n" and a lone "\r" as line endings.
            let lone_carriage_return = byte == b'\r' && bytes.get(index + 1) != Some(&b'\n');
            if byte == b'\n' || lone_carriage_return {
                starts.push(index + 1);
            }
        }
        Self { source, starts }
    }

    /// 1-based (line, column), the column counted in characters.
    fn position(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.source.len());
        let line = self.starts.partition_point(|&start| start <= offset).max(1);
        let line_start = self.starts.get(line - 1).copied().unwrap_or(0);
        let column = self
            .source
            .get(line_start..offset)
            .map_or(offset - line_start, |prefix| prefix.chars().count());
        (line, column + 1)
    }
}

// ---------------------------------------------------------------------------
// First pass: what the document contains

/// A heading as found by the survey, before its id is final.
struct HeadingDraft {
    level: u8,
    explicit_id: Option<String>,
    text: String,
}

/// Counts whitespace-separated words across text events; inline markup
/// (`foo**bar**`) does not split a word, block boundaries do.
#[derive(Default)]
struct WordCounter {
    count: usize,
    in_word: bool,
}

impl WordCounter {
    fn feed(&mut self, text: &str) {
        for ch in text.chars() {
            if ch.is_whitespace() {
                self.in_word = false;
            } else if !self.in_word {
                self.in_word = true;
                self.count += 1;
            }
        }
    }

    fn boundary(&mut self) {
        self.in_word = false;
    }
}

/// Footnote numbering and reference counts, keyed by normalised label.
#[derive(Default)]
struct Footnotes {
    numbers: HashMap<String, usize>,
    reference_counts: HashMap<String, usize>,
}

impl Footnotes {
    /// pulldown-cmark matches labels case-insensitively, so ids are built from
    /// a case-folded label; whitespace is not allowed in ids.
    fn key(name: &str) -> String {
        name.to_lowercase()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join("-")
    }

    /// Numbers follow first appearance, reference or definition, like
    /// pulldown-cmark's own writer.
    fn note_label(&mut self, name: &str) -> String {
        let key = Self::key(name);
        let next = self.numbers.len() + 1;
        self.numbers.entry(key.clone()).or_insert(next);
        key
    }

    fn note_reference(&mut self, name: &str) {
        let key = self.note_label(name);
        *self.reference_counts.entry(key).or_insert(0) += 1;
    }

    fn number(&self, key: &str) -> usize {
        self.numbers.get(key).copied().unwrap_or(0)
    }

    fn is_referenced(&self, key: &str) -> bool {
        self.reference_counts.contains_key(key)
    }

    /// Ids the footnote markup will use, so headings can avoid them.
    fn reserved_ids(&self) -> HashSet<String> {
        let definitions = self.numbers.keys().map(|key| definition_id(key));
        let references = self
            .reference_counts
            .iter()
            .flat_map(|(key, &count)| (1..=count).map(move |nth| reference_id(key, nth)));
        definitions.chain(references).collect()
    }
}

fn definition_id(key: &str) -> String {
    format!("fn-{key}")
}

/// The first reference to a footnote is the target of the back link; later
/// references to the same footnote get a numeric suffix to stay unique.
fn reference_id(key: &str, nth: usize) -> String {
    if nth <= 1 {
        format!("fnref-{key}")
    } else {
        format!("fnref-{key}-{nth}")
    }
}

/// Everything that has to be known about the whole document before any HTML
/// is written.
#[derive(Default)]
struct Survey {
    headings: Vec<HeadingDraft>,
    footnotes: Footnotes,
    words: WordCounter,
    open_heading: Option<HeadingDraft>,
    image_depth: usize,
}

impl Survey {
    fn of(events: &[(Event<'_>, Range<usize>)]) -> Self {
        let mut survey = Self::default();
        for (event, _) in events {
            survey.observe(event);
        }
        survey
    }

    fn observe(&mut self, event: &Event<'_>) {
        match event {
            Event::Start(tag) => self.observe_start(tag),
            Event::End(tag) => self.observe_end(*tag),
            Event::Text(text)
            | Event::Code(text)
            | Event::InlineMath(text)
            | Event::DisplayMath(text) => self.observe_text(text),
            Event::SoftBreak | Event::HardBreak => self.observe_line_break(),
            Event::FootnoteReference(name) => {
                self.footnotes.note_reference(name);
                self.words.boundary();
            }
            // Inline HTML such as `<b>` sits inside words rather than between them.
            Event::InlineHtml(_) => {}
            Event::Html(_) | Event::Rule | Event::TaskListMarker(_) => self.words.boundary(),
        }
    }

    fn observe_start(&mut self, tag: &Tag<'_>) {
        if !is_inline_tag(tag) {
            self.words.boundary();
        }
        match tag {
            Tag::Heading { level, id, .. } => {
                self.open_heading = Some(HeadingDraft {
                    level: *level as u8,
                    explicit_id: id
                        .as_ref()
                        .filter(|id| !id.is_empty())
                        .map(|id| id.to_string()),
                    text: String::new(),
                });
            }
            Tag::Image { .. } => self.image_depth += 1,
            Tag::FootnoteDefinition(name) => {
                self.footnotes.note_label(name);
            }
            _ => {}
        }
    }

    fn observe_end(&mut self, tag: TagEnd) {
        if !is_inline_tag_end(tag) {
            self.words.boundary();
        }
        match tag {
            TagEnd::Heading(_) => {
                if let Some(mut heading) = self.open_heading.take() {
                    heading.text = heading.text.trim().to_string();
                    self.headings.push(heading);
                }
            }
            TagEnd::Image => self.image_depth = self.image_depth.saturating_sub(1),
            _ => {}
        }
    }

    fn observe_text(&mut self, text: &str) {
        // Alt text is not visible on the page, so it counts neither as words
        // nor as heading text.
        if self.image_depth > 0 {
            return;
        }
        self.words.feed(text);
        if let Some(heading) = &mut self.open_heading {
            heading.text.push_str(text);
        }
    }

    fn observe_line_break(&mut self) {
        self.words.boundary();
        if let Some(heading) = &mut self.open_heading {
            heading.text.push(' ');
        }
    }
}

fn is_inline_tag(tag: &Tag<'_>) -> bool {
    matches!(
        tag,
        Tag::Emphasis
            | Tag::Strong
            | Tag::Strikethrough
            | Tag::Superscript
            | Tag::Subscript
            | Tag::Link { .. }
            | Tag::Image { .. }
    )
}

fn is_inline_tag_end(tag: TagEnd) -> bool {
    matches!(
        tag,
        TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Superscript
            | TagEnd::Subscript
            | TagEnd::Link
            | TagEnd::Image
    )
}

// ---------------------------------------------------------------------------
// Heading ids

/// Hands out document-unique ids. Explicit ids are reserved up front so an
/// automatic slug never steals one that a later heading asks for.
struct IdAllocator {
    taken: HashSet<String>,
    reserved: HashSet<String>,
    /// Where to resume the suffix search per base, so many duplicates of the
    /// same title do not rescan `-1`, `-2`, ... each time.
    next_suffix: HashMap<String, usize>,
}

impl IdAllocator {
    fn claim_explicit(&mut self, id: &str) -> String {
        if self.taken.contains(id) {
            self.claim_with_suffix(id)
        } else {
            self.take(id.to_string())
        }
    }

    fn claim_automatic(&mut self, base: &str) -> String {
        if self.is_free(base) {
            self.take(base.to_string())
        } else {
            self.claim_with_suffix(base)
        }
    }

    fn claim_with_suffix(&mut self, base: &str) -> String {
        let mut suffix = self.next_suffix.get(base).copied().unwrap_or(1);
        loop {
            let candidate = format!("{base}-{suffix}");
            suffix += 1;
            if self.is_free(&candidate) {
                self.next_suffix.insert(base.to_string(), suffix);
                return self.take(candidate);
            }
        }
    }

    fn is_free(&self, id: &str) -> bool {
        !self.taken.contains(id) && !self.reserved.contains(id)
    }

    fn take(&mut self, id: String) -> String {
        self.taken.insert(id.clone());
        id
    }
}

/// Element ids of the default theme's page chrome.
const THEME_IDS: [&str; 2] = ["main", "tolk-toc-title"];

fn assign_heading_ids(drafts: Vec<HeadingDraft>, footnote_ids: &HashSet<String>) -> Vec<Heading> {
    let mut reserved = footnote_ids.clone();
    // Ids the page template itself uses: a heading "Main" must not take the
    // skip link's target.
    reserved.extend(THEME_IDS.iter().map(|id| id.to_string()));
    reserved.extend(drafts.iter().filter_map(|draft| draft.explicit_id.clone()));
    let mut ids = IdAllocator {
        taken: HashSet::new(),
        reserved,
        next_suffix: HashMap::new(),
    };
    drafts
        .into_iter()
        .map(|draft| {
            let id = match &draft.explicit_id {
                Some(explicit) => ids.claim_explicit(explicit),
                None => ids.claim_automatic(&slugify_heading(&draft.text)),
            };
            Heading {
                level: draft.level,
                id,
                text: draft.text,
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Second pass: rewriting events for the HTML writer

/// Position inside the table being rewritten; GFM tables cannot nest.
#[derive(Default)]
struct TableState {
    alignments: Vec<Alignment>,
    in_head: bool,
    cell_index: usize,
}

impl TableState {
    fn cell_open(&self) -> String {
        let style = alignment_style(self.alignments.get(self.cell_index));
        if self.in_head {
            format!("<th scope=\"col\"{style}>")
        } else if self.cell_index == 0 {
            // Comparison tables name the compared variable in the first column.
            format!("<th scope=\"row\"{style}>")
        } else {
            format!("<td{style}>")
        }
    }

    fn cell_close(&self) -> &'static str {
        if self.in_head || self.cell_index == 0 {
            "</th>"
        } else {
            "</td>"
        }
    }
}

fn alignment_style(alignment: Option<&Alignment>) -> &'static str {
    match alignment {
        Some(Alignment::Left) => " style=\"text-align: left\"",
        Some(Alignment::Center) => " style=\"text-align: center\"",
        Some(Alignment::Right) => " style=\"text-align: right\"",
        Some(Alignment::None) | None => "",
    }
}

/// Maps each parser event to exactly one event for pulldown-cmark's writer,
/// replacing the constructs whose markup tolk customises with raw HTML.
struct Rewriter<'r> {
    resolve_link: &'r (dyn Fn(&str) -> LinkTarget + Sync),
    lines: &'r LineIndex<'r>,
    headings: std::slice::Iter<'r, Heading>,
    last_heading_id: Option<&'r str>,
    table: TableState,
    image_depth: usize,
    footnotes: &'r Footnotes,
    references_seen: HashMap<String, usize>,
    open_footnotes: Vec<String>,
    warnings: Vec<MarkdownWarning>,
    /// Attribute lists the extensions attached to links, images and tables.
    attrs: &'r ElementAttrs,
}

impl<'r> Rewriter<'r> {
    fn new(
        options: &RenderOptions<'r>,
        lines: &'r LineIndex<'r>,
        headings: &'r [Heading],
        footnotes: &'r Footnotes,
        attrs: &'r ElementAttrs,
    ) -> Self {
        Self {
            resolve_link: options.resolve_link,
            lines,
            headings: headings.iter(),
            last_heading_id: None,
            table: TableState::default(),
            image_depth: 0,
            footnotes,
            references_seen: HashMap::new(),
            open_footnotes: Vec::new(),
            warnings: Vec::new(),
            attrs,
        }
    }

    fn rewrite<'a>(&mut self, event: Event<'a>, range: Range<usize>) -> Event<'a> {
        match event {
            Event::Start(tag) => self.rewrite_start(tag, range),
            Event::End(tag) => self.rewrite_end(tag),
            // Inside alt text the writer flattens references to "[n]" itself;
            // raw HTML there would be dropped.
            Event::FootnoteReference(name) if self.image_depth == 0 => {
                raw(self.footnote_reference_html(&name))
            }
            Event::Html(html) => match self.resolve_raw_hrefs(&html, range.start) {
                Some(resolved) => Event::Html(resolved.into()),
                None => Event::Html(html),
            },
            Event::InlineHtml(html) => match self.resolve_raw_hrefs(&html, range.start) {
                Some(resolved) => Event::InlineHtml(resolved.into()),
                None => Event::InlineHtml(html),
            },
            other => other,
        }
    }

    /// Raw HTML's quoted `href` values resolved as link destinations are,
    /// so that `<a href="../x.md">` reaches the page as `[x](../x.md)` does;
    /// `None` when nothing changed. Values holding a character reference
    /// are left as written.
    fn resolve_raw_hrefs(&mut self, html: &str, offset: usize) -> Option<String> {
        let lower = html.to_ascii_lowercase();
        let mut out = String::with_capacity(html.len());
        let mut copied = 0;
        let mut from = 0;
        while let Some(found) = lower[from..].find("href=") {
            let quote_at = from + found + "href=".len();
            from = quote_at;
            let Some(quote) = html[quote_at..]
                .chars()
                .next()
                .filter(|q| *q == '"' || *q == '\'')
            else {
                continue;
            };
            let value_start = quote_at + 1;
            let Some(length) = html[value_start..].find(quote) else {
                break;
            };
            let value = &html[value_start..value_start + length];
            from = value_start + length;
            if value.contains('&') {
                continue;
            }
            let url = match (self.resolve_link)(value) {
                LinkTarget::Page(url) => url,
                LinkTarget::Keep => continue,
                LinkTarget::Missing => {
                    self.warn(offset, format!("link to missing page `{value}`"));
                    continue;
                }
            };
            out.push_str(&html[copied..value_start]);
            out.push_str(&escape_html(&url));
            copied = value_start + length;
        }
        if copied == 0 {
            return None;
        }
        out.push_str(&html[copied..]);
        Some(out)
    }

    fn rewrite_start<'a>(&mut self, tag: Tag<'a>, range: Range<usize>) -> Event<'a> {
        match tag {
            Tag::Heading {
                level,
                id,
                classes,
                attrs,
            } => {
                let id = self.next_heading_id(id);
                Event::Start(Tag::Heading {
                    level,
                    id: Some(id),
                    classes,
                    attrs,
                })
            }
            Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            } => {
                let dest_url = self.resolve_destination(link_type, dest_url, range.start);
                match self.attrs.get(&(Element::Link, range.start)) {
                    Some(applied) => {
                        raw(link_open_html(link_type, &dest_url, &title, &applied.html))
                    }
                    None => Event::Start(Tag::Link {
                        dest_url,
                        link_type,
                        title,
                        id,
                    }),
                }
            }
            Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            } => {
                self.image_depth += 1;
                let dest_url = self.resolve_destination(link_type, dest_url, range.start);
                match self.attrs.get(&(Element::Image, range.start)) {
                    Some(applied) => raw(image_html(&dest_url, &title, applied)),
                    None => Event::Start(Tag::Image {
                        dest_url,
                        link_type,
                        title,
                        id,
                    }),
                }
            }
            Tag::Table(alignments) => {
                let extra = self
                    .attrs
                    .get(&(Element::Table, range.start))
                    .map_or("", |applied| applied.html.as_str());
                raw(self.table_open_html(alignments, extra))
            }
            Tag::TableHead => {
                self.table.in_head = true;
                self.table.cell_index = 0;
                raw("<thead>\n<tr>")
            }
            Tag::TableRow => {
                self.table.cell_index = 0;
                raw("<tr>")
            }
            Tag::TableCell => raw(self.table.cell_open()),
            Tag::FootnoteDefinition(name) => raw(self.footnote_definition_open_html(&name)),
            other => Event::Start(other),
        }
    }

    fn rewrite_end<'a>(&mut self, tag: TagEnd) -> Event<'a> {
        match tag {
            TagEnd::Table => raw("</tbody>\n</table>\n</div>\n"),
            TagEnd::TableHead => {
                self.table.in_head = false;
                raw("</tr>\n</thead>\n<tbody>\n")
            }
            TagEnd::TableRow => raw("</tr>\n"),
            TagEnd::TableCell => {
                let close = self.table.cell_close();
                self.table.cell_index += 1;
                raw(close)
            }
            TagEnd::FootnoteDefinition => raw(self.footnote_definition_close_html()),
            TagEnd::Image => {
                self.image_depth = self.image_depth.saturating_sub(1);
                Event::End(tag)
            }
            other => Event::End(other),
        }
    }

    /// Headings arrive in the same order the survey saw them; the fallback
    /// only guards against that invariant ever breaking.
    fn next_heading_id<'a>(&mut self, parsed_id: Option<CowStr<'a>>) -> CowStr<'a> {
        match self.headings.next() {
            Some(heading) => {
                self.last_heading_id = Some(&heading.id);
                CowStr::from(heading.id.clone())
            }
            None => parsed_id.unwrap_or_else(|| CowStr::from("section")),
        }
    }

    fn resolve_destination<'a>(
        &mut self,
        link_type: LinkType,
        destination: CowStr<'a>,
        offset: usize,
    ) -> CowStr<'a> {
        if link_type == LinkType::Email {
            return destination;
        }
        match (self.resolve_link)(&destination) {
            LinkTarget::Page(url) => CowStr::from(url),
            LinkTarget::Keep => destination,
            LinkTarget::Missing => {
                self.warn(offset, format!("link to missing page `{destination}`"));
                destination
            }
        }
    }

    fn warn(&mut self, offset: usize, message: String) {
        let (line, column) = self.lines.position(offset);
        self.warnings.push(MarkdownWarning {
            line,
            column,
            message,
        });
    }

    fn table_open_html(&mut self, alignments: Vec<Alignment>, extra_attrs: &str) -> String {
        self.table = TableState {
            alignments,
            ..TableState::default()
        };
        let label = match self.last_heading_id {
            Some(id) => format!("aria-labelledby=\"{}\"", escape_html(id)),
            None => "aria-label=\"Table\"".to_string(),
        };
        format!(
            "<div class=\"table-scroll\" role=\"region\" tabindex=\"0\" {label}>\n<table{extra_attrs}>\n"
        )
    }

    fn footnote_reference_html(&mut self, name: &str) -> String {
        let key = Footnotes::key(name);
        let seen = self.references_seen.entry(key.clone()).or_insert(0);
        *seen += 1;
        format!(
            "<sup class=\"footnote-reference\" id=\"{}\"><a href=\"#{}\">{}</a></sup>",
            escape_html(&reference_id(&key, *seen)),
            escape_html(&definition_id(&key)),
            self.footnotes.number(&key),
        )
    }

    fn footnote_definition_open_html(&mut self, name: &str) -> String {
        let key = Footnotes::key(name);
        let html = format!(
            "\n<div class=\"footnote-definition\" id=\"{}\"><sup class=\"footnote-definition-label\">{}</sup>",
            escape_html(&definition_id(&key)),
            self.footnotes.number(&key),
        );
        self.open_footnotes.push(key);
        html
    }

    fn footnote_definition_close_html(&mut self) -> String {
        match self.open_footnotes.pop() {
            Some(key) if self.footnotes.is_referenced(&key) => format!(
                "<a href=\"#{}\" class=\"footnote-backref\" aria-label=\"Back to reference {}\">↩</a></div>\n",
                escape_html(&reference_id(&key, 1)),
                self.footnotes.number(&key),
            ),
            _ => "</div>\n".to_string(),
        }
    }
}

fn raw<'a>(html: impl Into<CowStr<'a>>) -> Event<'a> {
    Event::Html(html.into())
}

/// `<a ...>` for a link carrying an attribute list; the writer closes it.
fn link_open_html(link_type: LinkType, dest: &str, title: &str, attrs: &str) -> String {
    let scheme = if link_type == LinkType::Email {
        "mailto:"
    } else {
        ""
    };
    format!(
        "<a href=\"{scheme}{}\"{}{attrs}>",
        escape_href(dest),
        title_attr(title)
    )
}

/// A whole `<img>` for an image carrying an attribute list; the extensions
/// removed its alt events and kept their text.
fn image_html(dest: &str, title: &str, applied: &exl::Applied) -> String {
    format!(
        "<img src=\"{}\" alt=\"{}\"{}{} />",
        escape_href(dest),
        escape_html(&applied.alt),
        title_attr(title),
        applied.html
    )
}

fn title_attr(title: &str) -> String {
    if title.is_empty() {
        String::new()
    } else {
        format!(" title=\"{}\"", escape_html(title))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_never_take_the_themes_ids() {
        let rendered = render(
            "## Main\n\n## Main\n",
            &RenderOptions {
                resolve_link: &|_| LinkTarget::Keep,
                labels: &|_| String::new(),
            },
        );
        let ids: Vec<&str> = rendered.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["main-1", "main-2"]);
    }

    fn keep_all(_: &str) -> LinkTarget {
        LinkTarget::Keep
    }

    fn no_labels(_: &str) -> String {
        String::new()
    }

    fn render_plain(source: &str) -> Rendered {
        render(
            source,
            &RenderOptions {
                resolve_link: &keep_all,
                labels: &no_labels,
            },
        )
    }

    /// Reads HTML as a browser would show its text: tags dropped, the
    /// handful of entities the writer produces decoded once.
    fn visible_text(html: &str) -> String {
        let mut text = String::new();
        let mut in_tag = false;
        for ch in html.chars() {
            match ch {
                '<' => in_tag = true,
                '>' => in_tag = false,
                _ if !in_tag => text.push(ch),
                _ => {}
            }
        }
        text.replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&")
    }

    fn count(haystack: &str, needle: &str) -> usize {
        haystack.matches(needle).count()
    }

    #[test]
    fn entities_are_decoded_and_escaped_exactly_once() {
        let rendered = render_plain("B2B signifie &quot;business-to-business&quot;, l&#39;achat");
        assert!(!rendered.html.contains("&amp;"), "{}", rendered.html);
        assert_eq!(
            visible_text(&rendered.html).trim(),
            "B2B signifie \"business-to-business\", l'achat"
        );

        let swedish = render_plain("står för&quot;business&quot;");
        assert!(!swedish.html.contains("&amp;"), "{}", swedish.html);
        assert_eq!(visible_text(&swedish.html).trim(), "står för\"business\"");
    }

    #[test]
    fn literal_ampersands_and_entities_in_headings_and_tables_escape_once() {
        let source =
            "# Q&amp;A &quot;x&quot;\n\n| a &amp; b | c |\n|---|---|\n| &lt;tag&gt; | R&D |\n";
        let rendered = render_plain(source);
        for bad in ["&amp;quot;", "&amp;#39;", "&amp;amp;", "&amp;lt;"] {
            assert!(!rendered.html.contains(bad), "{bad} in {}", rendered.html);
        }
        assert_eq!(rendered.first_h1.as_deref(), Some("Q&A \"x\""));
        assert!(rendered.html.contains("a &amp; b"));
        assert!(rendered.html.contains("&lt;tag&gt;"));
    }

    const COMPARISON: &str = "\
## Résumé des différences entre B2B et B2C

| Variable | B2B | B2C |
|----------|-----|-----|
| Audience | Entreprises | Clients individuels |
| Cycle de vente | Long | Court |
| Décideurs | Plusieurs | Un seul |
| Volume | Élevé | Faible |
| Prix | Négocié | Fixe |
| Relation | Durable | Ponctuelle |
| Marketing | Rationnel | Émotionnel |
";

    #[test]
    fn comparison_table_has_scopes_and_labelled_wrapper() {
        let html = render_plain(COMPARISON).html;
        assert_eq!(count(&html, "<thead>"), 1);
        assert_eq!(count(&html, "<tbody>"), 1);
        assert_eq!(count(&html, "scope=\"col\""), 3);
        assert_eq!(count(&html, "scope=\"row\""), 7);
        assert_eq!(count(&html, "<td>"), 14);
        assert!(html.contains(
            "<div class=\"table-scroll\" role=\"region\" tabindex=\"0\" \
             aria-labelledby=\"résumé-des-différences-entre-b2b-et-b2c\">"
        ));
        assert!(html.contains("<th scope=\"row\">Audience</th>"));
        assert!(html.trim_end().ends_with("</table>\n</div>"));
    }

    #[test]
    fn table_without_heading_gets_aria_label_and_alignment() {
        let html = render_plain("| a | b | c |\n|:--|:-:|--:|\n| 1 | 2 | 3 |\n").html;
        assert!(html.contains("aria-label=\"Table\""));
        assert!(html.contains("<th scope=\"col\" style=\"text-align: left\">a</th>"));
        assert!(html.contains("<th scope=\"row\" style=\"text-align: left\">1</th>"));
        assert!(html.contains("<td style=\"text-align: center\">2</td>"));
        assert!(html.contains("<td style=\"text-align: right\">3</td>"));
    }

    #[test]
    fn slugs_keep_unicode_letters() {
        assert_eq!(
            slugify_heading("Résumé des différences entre B2B et B2C"),
            "résumé-des-différences-entre-b2b-et-b2c"
        );
        assert_eq!(slugify_heading("What's new? (v2.0)"), "whats-new-v20");
        assert_eq!(
            slugify_heading("snake_case and-dash"),
            "snake_case-and-dash"
        );
        assert_eq!(slugify_heading("Привет мир"), "привет-мир");
        assert_eq!(
            slugify_heading("Re\u{301}sume\u{301}"),
            "re\u{301}sume\u{301}"
        );
        assert_eq!(slugify_heading("?!"), "section");
        assert_eq!(slugify_heading(""), "section");
    }

    #[test]
    fn heading_ids_in_html_and_list() {
        let rendered = render_plain(COMPARISON);
        assert!(rendered.html.contains(
            "<h2 id=\"résumé-des-différences-entre-b2b-et-b2c\">Résumé des différences entre B2B et B2C</h2>"
        ));
        assert_eq!(rendered.headings.len(), 1);
        assert_eq!(rendered.headings[0].level, 2);
        assert_eq!(rendered.first_h1, None);
    }

    #[test]
    fn duplicate_headings_get_numeric_suffixes() {
        let rendered = render_plain("## Usage\n\n## Usage\n\n## Usage\n");
        let ids: Vec<_> = rendered.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["usage", "usage-1", "usage-2"]);
        assert!(rendered.html.contains("<h2 id=\"usage-1\">Usage</h2>"));
    }

    #[test]
    fn explicit_ids_win_and_are_not_stolen() {
        let rendered = render_plain("## Setup\n\n## Install {#setup}\n\n## Other {#custom-id}\n");
        let ids: Vec<_> = rendered.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["setup-1", "setup", "custom-id"]);
        assert_eq!(rendered.headings[2].text, "Other");
        assert!(rendered.html.contains("<h2 id=\"custom-id\">Other</h2>"));
    }

    #[test]
    fn heading_text_is_plain() {
        let rendered = render_plain("# The `render` *function* [link](x.md)\n\n# Second\n");
        assert_eq!(
            rendered.first_h1.as_deref(),
            Some("The render function link")
        );
        assert_eq!(rendered.headings[0].id, "the-render-function-link");
    }

    #[test]
    fn first_h1_is_the_first_level_one_heading_anywhere() {
        let rendered = render_plain("## Intro\n\ntext\n\n# Title\n\n# Later\n");
        assert_eq!(rendered.first_h1.as_deref(), Some("Title"));
    }

    #[test]
    fn footnote_ids_are_prefixed() {
        let source = "Claim[^1] and again[^1], also[^Note].\n\n[^1]: Source.\n\n[^note]: Other.\n";
        let html = render_plain(source).html;
        assert!(html.contains("id=\"fnref-1\""), "{html}");
        assert!(html.contains("id=\"fnref-1-2\""), "{html}");
        assert!(html.contains("href=\"#fn-1\""), "{html}");
        assert!(html.contains("id=\"fn-1\""), "{html}");
        assert!(html.contains("href=\"#fnref-1\""), "{html}");
        assert!(html.contains("id=\"fn-note\""), "{html}");
        assert!(html.contains("href=\"#fn-note\">2</a>"), "{html}");
        assert!(!html.contains("id=\"1\""), "{html}");
    }

    #[test]
    fn headings_avoid_footnote_ids() {
        let rendered = render_plain("## fn 1\n\nText[^1].\n\n[^1]: Note.\n");
        assert_eq!(rendered.headings[0].id, "fn-1-1");
    }

    #[test]
    fn raw_html_links_are_resolved_as_markdown_links_are() {
        let resolve = |dest: &str| match dest {
            "../guide//overview.md" => LinkTarget::Page("/en/guide/overview/".to_string()),
            "gone.md" => LinkTarget::Missing,
            _ => LinkTarget::Keep,
        };
        let source = "<div class=\"cards\">\n  <a href=\"../guide//overview.md\">\n    <p>Overview</p>\n  </a>\n  <A HREF='gone.md'>x</A> <a href=\"https://example.com\">é</a> <a href=x.md>bare</a> <a href=\"a&amp;b.md\">y</a> href=\n</div>\n\nInline <a href=\"../guide//overview.md\">link</a>.\n";
        let rendered = render(
            source,
            &RenderOptions {
                resolve_link: &resolve,
                labels: &no_labels,
            },
        );
        let html = &rendered.html;
        assert_eq!(
            html.matches("href=\"/en/guide/overview/\"").count(),
            2,
            "{html}"
        );
        assert!(html.contains("HREF='gone.md'"), "{html}");
        assert!(html.contains("href=\"https://example.com\""), "{html}");
        assert!(html.contains("href=x.md"), "{html}");
        assert!(html.contains("href=\"a&amp;b.md\""), "{html}");
        assert_eq!(rendered.warnings.len(), 1, "{:?}", rendered.warnings);
        assert!(rendered.warnings[0].message.contains("gone.md"));
    }

    #[test]
    fn links_are_resolved_kept_or_reported() {
        let resolve = |dest: &str| match dest {
            "guide.md#install" => LinkTarget::Page("/en/guide/#install".to_string()),
            "gone.md" => LinkTarget::Missing,
            _ => LinkTarget::Keep,
        };
        let source = "# Title\n\nSee [guide](guide.md#install) and [site](https://example.com).\n\nÉtape : [old](gone.md) ![pic](img.png)\n";
        let rendered = render(
            source,
            &RenderOptions {
                resolve_link: &resolve,
                labels: &no_labels,
            },
        );
        assert!(rendered.html.contains("href=\"/en/guide/#install\""));
        assert!(rendered.html.contains("href=\"https://example.com\""));
        assert!(rendered.html.contains("href=\"gone.md\""));
        assert!(rendered.html.contains("src=\"img.png\""));
        assert_eq!(
            rendered.warnings,
            [MarkdownWarning {
                line: 5,
                column: 9,
                message: "link to missing page `gone.md`".to_string(),
            }]
        );
    }

    #[test]
    fn resolver_sees_every_destination_except_email_autolinks() {
        let seen = std::sync::Mutex::new(Vec::new());
        let resolve = |dest: &str| {
            if let Ok(mut seen) = seen.lock() {
                seen.push(dest.to_string());
            }
            LinkTarget::Keep
        };
        let source =
            "[a](a.md) ![b](b.png) <https://c.example> <d@e.example>\n\n[ref]: r.md\n\n[f][ref]\n";
        render(
            source,
            &RenderOptions {
                resolve_link: &resolve,
                labels: &no_labels,
            },
        );
        let seen = seen.into_inner().unwrap_or_default();
        assert_eq!(seen, ["a.md", "b.png", "https://c.example", "r.md"]);
    }

    #[test]
    fn word_count_ignores_markup() {
        let source = "# Hello world\n\nOne **two** thr*ee* `four` [five](x.md).\n\n<div class=\"x\">\n</div>\n\n![alt text here](i.png)\n\n- six\n- seven\n";
        assert_eq!(render_plain(source).word_count, 9);
        assert_eq!(
            render_plain("l&#39;achat est &quot;ici&quot;").word_count,
            3
        );
    }

    #[test]
    fn line_index_handles_all_line_endings() {
        let lines = LineIndex::new("ab\r\ncd\ref\nÅÄg");
        assert_eq!(lines.position(0), (1, 1));
        assert_eq!(lines.position(4), (2, 1));
        assert_eq!(lines.position(7), (3, 1));
        assert_eq!(lines.position(14), (4, 3));
        assert_eq!(lines.position(10_000), (4, 4));
    }

    #[test]
    fn weird_input_does_not_panic() {
        let inputs = [
            "",
            "---",
            "---\n---\n",
            "---\ntitle: x\n---\n",
            "| a | b |\n|---|",
            "| a | b |\n|---|---|\n| 1 | 2 | 3 | 4 |\n| only",
            "| a |\n|---|\n",
            "[^]: x\n[^ ]\n[^x]\n",
            "# {#}\n## {#id}\n### {#id}\n",
            "#\n##\n###### \n",
            "[broken](<unclosed\n![](\n",
            "<table><tr><td>raw",
            "\r\r\n\n\u{0}\u{FEFF}é\r",
            "> | a |\n> |---|\n> | b |\n\n- | c |\n  |---|\n",
            "[^a]: | t |\n      |---|\n",
        ];
        for input in inputs {
            let rendered = render_plain(input);
            assert!(!rendered.html.contains("&amp;amp;"));
        }
    }

    #[test]
    fn large_input_stays_fast() {
        let section = "## Same title\n\nSome [link](a.md) text with a table:\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n";
        let source = section.repeat(5_000);
        let rendered = render_plain(&source);
        assert_eq!(rendered.headings.len(), 5_000);
        assert_eq!(rendered.headings[4_999].id, "same-title-4999");
    }
}
