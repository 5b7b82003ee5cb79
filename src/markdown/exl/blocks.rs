//! Block quotes that start with a marker: alerts (`>[!NOTE]`), tabs
//! (`>[!BEGINTABS]`, `>[!TAB Title]`, `>[!ENDTABS]`), shade boxes and videos.
//!
//! Alerts wrap the rest of their block quote. Tab, shade box and video markers
//! stand alone in their block quote, which disappears; the content between
//! a BEGIN and its END is ordinary Markdown and is wrapped in a region.
//! Regions never cross the block (list item, block quote...) they start in:
//! an unbalanced one is closed where that block ends, with a warning, so the
//! HTML stays well formed and every word of content is still shown.

use std::collections::VecDeque;
use std::ops::Range;

use pulldown_cmark::{BlockQuoteKind, CowStr, Event, HeadingLevel, Tag, TagEnd};

use super::inline::{closing_bracket, is_inline_token_name};
use super::{Context, Spanned, escape_href, escape_html};

/// Alert markers and the label key / CSS suffix of each.
const ALERTS: &[(&str, &str)] = &[
    ("NOTE", "note"),
    ("TIP", "tip"),
    ("IMPORTANT", "important"),
    ("WARNING", "warning"),
    ("CAUTION", "caution"),
    ("INFO", "info"),
    ("ADMIN", "admin"),
    ("AVAILABILITY", "availability"),
    ("PREREQUISITES", "prerequisites"),
    ("MORELIKETHIS", "morelikethis"),
];

/// `[!NAME]` or `[!NAME argument]` at the start of a text.
#[derive(Debug, Clone, PartialEq, Eq)]
struct MarkerText {
    name: String,
    argument: Option<String>,
    /// Bytes the marker takes in the text.
    len: usize,
}

fn read_marker(text: &str) -> Option<MarkerText> {
    let rest = text.strip_prefix("[!")?;
    let name_len = rest
        .find(|ch: char| !ch.is_ascii_alphabetic())
        .unwrap_or(rest.len());
    if name_len == 0 {
        return None;
    }
    let (name, after) = rest.split_at(name_len);
    if after.starts_with(']') {
        return Some(MarkerText {
            name: name.to_ascii_uppercase(),
            argument: None,
            len: 2 + name_len + 1,
        });
    }
    if !after.starts_with(char::is_whitespace) {
        return None;
    }
    let close = closing_bracket(&after[1..])? + 1;
    Some(MarkerText {
        name: name.to_ascii_uppercase(),
        argument: Some(after[..close].trim().to_string()),
        len: 2 + name_len + close + 1,
    })
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Structure {
    BeginTabs,
    Tab(String),
    EndTabs,
    /// With its title, if any: `>[!BEGINSHADEBOX "Rewrites and redirects"]`.
    BeginShadeBox(Option<String>),
    EndShadeBox,
}

/// What the start of a block quote's first paragraph turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Marker {
    Alert {
        key: &'static str,
        len: usize,
    },
    Structure {
        structure: Structure,
        len: usize,
    },
    Video {
        url: String,
    },
    /// `[!FOO]`: looks like an alert, but no such alert exists.
    Unknown(String),
    /// `[!VIDEO]` without a link, or with a link that is not http(s).
    BadVideo(String),
}

fn classify(marker: MarkerText) -> Option<Marker> {
    let MarkerText {
        name,
        argument,
        len,
    } = marker;
    let structure = match (name.as_str(), argument) {
        ("BEGINTABS", None) => Structure::BeginTabs,
        ("TAB", title) => Structure::Tab(title.unwrap_or_default()),
        ("ENDTABS", None) => Structure::EndTabs,
        ("BEGINSHADEBOX", title) => Structure::BeginShadeBox(title.map(|t| shade_box_title(&t))),
        ("ENDSHADEBOX", None) => Structure::EndShadeBox,
        ("VIDEO", _) => {
            return Some(Marker::BadVideo(
                "`[!VIDEO]` needs a link: `>[!VIDEO](https://...)`".to_string(),
            ));
        }
        (name, None) if is_inline_token_name(name) => return None,
        (name, None) => {
            return Some(match ALERTS.iter().find(|(alert, _)| *alert == name) {
                Some((_, key)) => Marker::Alert { key, len },
                None => Marker::Unknown(name.to_string()),
            });
        }
        // `[!UICONTROL Save]` and the like: inline tokens, for the inline pass.
        _ => return None,
    };
    Some(Marker::Structure { structure, len })
}

/// A shade box's title as plain text: quotes (straight or curly, as
/// translation leaves them) and inline tokens removed.
fn shade_box_title(argument: &str) -> String {
    let quotes: &[char] = &['"', '\'', '“', '”', '«', '»', '„'];
    let bare = argument.trim().trim_matches(quotes).trim();
    super::inline::plain_text_of_inline_tokens(&super::inline::strip_zero_width(bare).0)
        .trim()
        .to_string()
}

/// Reads a marker from the inline events at `queue[at..]`.
fn peek_marker(queue: &VecDeque<Spanned<'_>>, at: usize) -> Option<Marker> {
    match queue.get(at).map(|(event, _)| event) {
        Some(Event::Text(text)) => classify(read_marker(text)?),
        Some(Event::Start(Tag::Link { dest_url, .. })) => {
            let is_video = matches!(queue.get(at + 1), Some((Event::Text(t), _)) if t.trim().eq_ignore_ascii_case("!VIDEO"))
                && matches!(queue.get(at + 2), Some((Event::End(TagEnd::Link), _)));
            if !is_video {
                return None;
            }
            let url = dest_url.trim();
            if url.starts_with("https://") || url.starts_with("http://") {
                Some(Marker::Video {
                    url: url.to_string(),
                })
            } else {
                Some(Marker::BadVideo(format!(
                    "video link `{url}` is not an http(s) URL; shown as a plain block quote"
                )))
            }
        }
        _ => None,
    }
}

/// What an open block quote became.
enum QuoteRole {
    Plain,
    /// Where its content starts in the output, and the marker's offset.
    Alert {
        content_start: usize,
        at: usize,
    },
    /// A marker-only quote: its wrapper is not written. Remembers the
    /// container depth so direct child paragraphs can be recognised.
    Removed {
        depth: usize,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RegionKind {
    Tabs,
    ShadeBox,
}

impl RegionKind {
    fn begin(self) -> &'static str {
        match self {
            RegionKind::Tabs => "[!BEGINTABS]",
            RegionKind::ShadeBox => "[!BEGINSHADEBOX]",
        }
    }

    fn end(self) -> &'static str {
        match self {
            RegionKind::Tabs => "[!ENDTABS]",
            RegionKind::ShadeBox => "[!ENDSHADEBOX]",
        }
    }
}

/// An open tab set or shade box.
struct Region {
    kind: RegionKind,
    depth: usize,
    offset: usize,
    panel_open: bool,
    tabs: usize,
    heading_level: u8,
}

/// Rewrites marker block quotes; see the module documentation.
pub(crate) fn rewrite_blocks<'a>(
    events: Vec<Spanned<'a>>,
    cx: &mut Context<'_>,
) -> Vec<Spanned<'a>> {
    let mut blocks = Blocks {
        out: Vec::with_capacity(events.len()),
        cx,
        quotes: Vec::new(),
        regions: Vec::new(),
        depth: 0,
        last_heading_level: 1,
    };
    let mut queue: VecDeque<Spanned<'a>> = events.into();
    while let Some((event, range)) = queue.pop_front() {
        blocks.step(event, range, &mut queue);
    }
    blocks.finish()
}

struct Blocks<'c, 'x, 'a> {
    out: Vec<Spanned<'a>>,
    cx: &'c mut Context<'x>,
    quotes: Vec<QuoteRole>,
    regions: Vec<Region>,
    /// Open containers that are written: lists, items, kept block quotes...
    depth: usize,
    last_heading_level: u8,
}

impl<'a> Blocks<'_, '_, 'a> {
    fn step(&mut self, event: Event<'a>, range: Range<usize>, queue: &mut VecDeque<Spanned<'a>>) {
        match event {
            Event::Start(Tag::BlockQuote(kind)) => self.open_quote(kind, range, queue),
            Event::End(TagEnd::BlockQuote(kind)) => self.close_quote(kind, range),
            Event::Start(Tag::Paragraph) if self.directly_in_removed_quote() => {
                self.marker_paragraph(range, queue)
            }
            Event::Start(tag) => {
                if let Tag::Heading { level, .. } = &tag {
                    self.last_heading_level = *level as u8;
                }
                if is_container(&tag) {
                    self.depth += 1;
                }
                self.out.push((Event::Start(tag), range));
            }
            Event::End(tag) => {
                if is_container_end(tag) {
                    self.close_regions_in_block(range.end);
                    self.depth = self.depth.saturating_sub(1);
                }
                self.out.push((Event::End(tag), range));
            }
            other => self.out.push((other, range)),
        }
    }

    fn finish(mut self) -> Vec<Spanned<'a>> {
        let end = self.out.last().map_or(0, |(_, range)| range.end);
        self.depth = 0;
        self.close_regions_in_block(end);
        self.out
    }

    fn directly_in_removed_quote(&self) -> bool {
        matches!(self.quotes.last(), Some(QuoteRole::Removed { depth }) if *depth == self.depth)
    }

    fn open_quote(
        &mut self,
        kind: Option<BlockQuoteKind>,
        range: Range<usize>,
        queue: &mut VecDeque<Spanned<'a>>,
    ) {
        let first_is_paragraph = matches!(queue.front(), Some((Event::Start(Tag::Paragraph), _)));
        let marker = if first_is_paragraph {
            peek_marker(queue, 1)
        } else {
            None
        };
        let at = queue.get(1).map_or(range.start, |(_, r)| r.start);
        match marker {
            Some(Marker::Alert { key, len }) => {
                self.depth += 1;
                self.push_html(range.clone(), self.alert_open_html(key));
                self.quotes.push(QuoteRole::Alert {
                    content_start: self.out.len(),
                    at,
                });
                strip_leading(queue, 1, len);
                if let Some((_, paragraph)) = queue.pop_front() {
                    self.paragraph_head(paragraph, queue);
                }
            }
            Some(Marker::Structure { .. } | Marker::Video { .. }) => {
                self.quotes.push(QuoteRole::Removed { depth: self.depth });
            }
            Some(Marker::Unknown(name)) => {
                self.cx.warn(
                    at,
                    format!("unknown alert type `[!{name}]`; shown as a plain block quote"),
                );
                self.open_plain_quote(kind, range);
            }
            Some(Marker::BadVideo(message)) => {
                self.cx.warn(at, message);
                self.open_plain_quote(kind, range);
            }
            None => self.open_plain_quote(kind, range),
        }
    }

    fn open_plain_quote(&mut self, kind: Option<BlockQuoteKind>, range: Range<usize>) {
        self.depth += 1;
        self.quotes.push(QuoteRole::Plain);
        self.out.push((Event::Start(Tag::BlockQuote(kind)), range));
    }

    fn close_quote(&mut self, kind: Option<BlockQuoteKind>, range: Range<usize>) {
        match self.quotes.pop() {
            Some(QuoteRole::Removed { .. }) => {}
            Some(QuoteRole::Alert { content_start, at }) => {
                if self.out.len() == content_start {
                    self.cx.warn(
                        at,
                        "alert has no content: the lines below its marker need `>` too".to_string(),
                    );
                }
                self.close_regions_in_block(range.end);
                self.depth = self.depth.saturating_sub(1);
                self.push_html(range, "</div>\n".to_string());
            }
            Some(QuoteRole::Plain) | None => {
                self.close_regions_in_block(range.end);
                self.depth = self.depth.saturating_sub(1);
                self.out.push((Event::End(TagEnd::BlockQuote(kind)), range));
            }
        }
    }

    /// A paragraph directly inside a marker-only block quote: act on each
    /// marker at its start, then write whatever text is left.
    fn marker_paragraph(&mut self, range: Range<usize>, queue: &mut VecDeque<Spanned<'a>>) {
        loop {
            let at = queue.front().map_or(range.start, |(_, r)| r.start);
            match peek_marker(queue, 0) {
                Some(Marker::Structure { structure, len }) => {
                    strip_leading(queue, 0, len);
                    self.structure(structure, at);
                }
                Some(Marker::Video { url }) => {
                    queue.drain(..3);
                    drop_leading_break(queue);
                    let html = self.video_html(&url);
                    self.push_html(at..at, html);
                }
                _ => break,
            }
        }
        self.paragraph_head(range, queue);
    }

    /// Writes the paragraph start unless nothing is left of the paragraph.
    fn paragraph_head(&mut self, range: Range<usize>, queue: &mut VecDeque<Spanned<'a>>) {
        if matches!(queue.front(), Some((Event::End(TagEnd::Paragraph), _))) {
            queue.pop_front();
        } else {
            self.out.push((Event::Start(Tag::Paragraph), range));
        }
    }

    fn structure(&mut self, structure: Structure, at: usize) {
        match structure {
            Structure::BeginTabs => self.open_region(RegionKind::Tabs, at),
            Structure::Tab(title) => self.open_tab(title, at),
            Structure::EndTabs => self.close_region(RegionKind::Tabs, at),
            Structure::BeginShadeBox(title) => {
                self.open_region(RegionKind::ShadeBox, at);
                if let Some(title) = title.filter(|t| !t.is_empty()) {
                    let html = format!("<p class=\"shadebox-title\">{}</p>\n", escape_html(&title));
                    self.push_html(at..at, html);
                }
            }
            Structure::EndShadeBox => self.close_region(RegionKind::ShadeBox, at),
        }
    }

    fn open_region(&mut self, kind: RegionKind, at: usize) {
        let html = match kind {
            RegionKind::Tabs => "<div class=\"tabs\">\n",
            RegionKind::ShadeBox => "<div class=\"shadebox\">\n",
        };
        self.push_html(at..at, html.to_string());
        self.regions.push(Region {
            kind,
            depth: self.depth,
            offset: at,
            panel_open: false,
            tabs: 0,
            heading_level: (self.last_heading_level + 1).clamp(2, 6),
        });
    }

    fn open_tab(&mut self, title: String, at: usize) {
        let title = if title.is_empty() {
            self.cx.warn(at, "`[!TAB]` has no title".to_string());
            self.cx.label("tab_untitled")
        } else {
            title
        };
        let region = self
            .regions
            .last_mut()
            .filter(|r| r.kind == RegionKind::Tabs && r.depth == self.depth);
        let Some(region) = region else {
            // Wrapping the rest of the page in a tab set would do more harm
            // than good: the title alone is written, as a heading.
            self.cx.warn(
                at,
                "`[!TAB]` without `[!BEGINTABS]` before it in the same block; shown as a heading"
                    .to_string(),
            );
            let level = heading_level((self.last_heading_level + 1).clamp(2, 6));
            self.push_tab_heading(title, level, at);
            return;
        };
        let close_previous = std::mem::replace(&mut region.panel_open, true);
        region.tabs += 1;
        let level = heading_level(region.heading_level);
        let mut html = String::new();
        if close_previous {
            html.push_str("</section>\n");
        }
        html.push_str("<section class=\"tab-panel\">\n");
        self.push_html(at..at, html);
        self.push_tab_heading(title, level, at);
    }

    fn push_tab_heading(&mut self, title: String, level: HeadingLevel, at: usize) {
        self.out.push((
            Event::Start(Tag::Heading {
                level,
                id: None,
                classes: vec![CowStr::Borrowed("tab-title")],
                attrs: Vec::new(),
            }),
            at..at,
        ));
        self.out.push((Event::Text(CowStr::from(title)), at..at));
        self.out.push((Event::End(TagEnd::Heading(level)), at..at));
    }

    fn close_region(&mut self, kind: RegionKind, at: usize) {
        let found = self
            .regions
            .iter()
            .rposition(|r| r.kind == kind && r.depth == self.depth);
        let Some(index) = found else {
            self.cx.warn(
                at,
                format!(
                    "`{}` without a matching `{}` in the same block; ignored",
                    kind.end(),
                    kind.begin()
                ),
            );
            return;
        };
        while self.regions.len() > index + 1 {
            if let Some(inner) = self.regions.pop() {
                let message = format!(
                    "`{}` is not closed before `{}`; closed there",
                    inner.kind.begin(),
                    kind.end()
                );
                self.end_region(inner, at, Some(message));
            }
        }
        if let Some(region) = self.regions.pop() {
            self.end_region(region, at, None);
        }
    }

    /// Closes regions opened inside the block that ends at `end`.
    fn close_regions_in_block(&mut self, end: usize) {
        while self.regions.last().is_some_and(|r| r.depth >= self.depth) {
            if let Some(region) = self.regions.pop() {
                let message = format!(
                    "`{}` is not closed with `{}` in the same block; closed at the end of the block",
                    region.kind.begin(),
                    region.kind.end()
                );
                self.end_region(region, end, Some(message));
            }
        }
    }

    fn end_region(&mut self, region: Region, at: usize, problem: Option<String>) {
        if let Some(message) = problem {
            self.cx.warn(region.offset, message);
        }
        let mut html = String::new();
        if region.kind == RegionKind::Tabs {
            if region.tabs == 0 {
                self.cx.warn(
                    region.offset,
                    "`[!BEGINTABS]` has no `[!TAB Title]`".to_string(),
                );
            }
            if region.panel_open {
                html.push_str("</section>\n");
            }
        }
        html.push_str("</div>\n");
        self.push_html(at..at, html);
    }

    fn alert_open_html(&self, key: &str) -> String {
        format!(
            "<div class=\"alert alert-{key}\" role=\"note\">\n<p class=\"alert-title\">{}</p>\n",
            escape_html(&self.cx.label(&format!("alert_{key}")))
        )
    }

    fn video_html(&self, url: &str) -> String {
        let host = url
            .split("://")
            .nth(1)
            .and_then(|rest| rest.split(['/', '?', '#']).next())
            .unwrap_or_default();
        format!(
            "<p class=\"video\"><a class=\"video-link\" href=\"{}\">{} <span class=\"video-host\">({})</span></a></p>\n",
            escape_href(url),
            escape_html(&self.cx.label("video_link")),
            escape_html(host),
        )
    }

    fn push_html(&mut self, range: Range<usize>, html: String) {
        self.out.push((Event::Html(CowStr::from(html)), range));
    }
}

fn heading_level(level: u8) -> HeadingLevel {
    match level {
        0..=2 => HeadingLevel::H2,
        3 => HeadingLevel::H3,
        4 => HeadingLevel::H4,
        5 => HeadingLevel::H5,
        _ => HeadingLevel::H6,
    }
}

fn is_container(tag: &Tag<'_>) -> bool {
    matches!(
        tag,
        Tag::List(_) | Tag::Item | Tag::FootnoteDefinition(_) | Tag::DefinitionListDefinition
    )
}

fn is_container_end(tag: TagEnd) -> bool {
    matches!(
        tag,
        TagEnd::List(_)
            | TagEnd::Item
            | TagEnd::FootnoteDefinition
            | TagEnd::DefinitionListDefinition
    )
}

/// Removes a marker of `len` bytes (and the blanks after it) from the text
/// event at `queue[at]`; an emptied text goes, and so does the line break
/// that followed it.
fn strip_leading(queue: &mut VecDeque<Spanned<'_>>, at: usize, len: usize) {
    let Some((Event::Text(text), range)) = queue.get_mut(at) else {
        return;
    };
    let rest = text.get(len..).unwrap_or_default().trim_start();
    let removed = text.len() - rest.len();
    range.start = (range.start + removed).min(range.end);
    if rest.is_empty() {
        queue.remove(at);
        if matches!(
            queue.get(at),
            Some((Event::SoftBreak | Event::HardBreak, _))
        ) {
            queue.remove(at);
        }
    } else {
        *text = CowStr::from(rest.to_string());
    }
}

fn drop_leading_break(queue: &mut VecDeque<Spanned<'_>>) {
    if matches!(
        queue.front(),
        Some((Event::SoftBreak | Event::HardBreak, _))
    ) {
        queue.pop_front();
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{render_exl, warnings_of};
    use super::*;

    #[test]
    fn adobe_and_github_alerts_become_labelled_notes() {
        let html =
            render_exl(">[!NOTE]\n>Texte de la note.\n\n> [!WARNING]\n>\n> Attention.\n").html;
        assert_eq!(
            html,
            "<div class=\"alert alert-note\" role=\"note\">\n<p class=\"alert-title\">Remarque</p>\n<p>Texte de la note.</p>\n</div>\n\
             <div class=\"alert alert-warning\" role=\"note\">\n<p class=\"alert-title\">Avertissement</p>\n<p>Attention.</p>\n</div>\n"
        );
    }

    #[test]
    fn every_alert_kind_is_known_and_falls_back_to_english() {
        for (marker, key) in ALERTS {
            let html = render_exl(&format!(">[!{marker}]\n>x\n")).html;
            assert!(
                html.contains(&format!("class=\"alert alert-{key}\"")),
                "{html}"
            );
            assert!(!html.contains("<blockquote>"), "{html}");
        }
        let html = render_exl(">[!MORELIKETHIS]\n>- [a](a.md)\n").html;
        assert!(
            html.contains("<p class=\"alert-title\">Related articles</p>\n<ul>"),
            "{html}"
        );
    }

    #[test]
    fn alerts_nest_in_list_items_and_keep_text_on_the_marker_line() {
        let rendered = render_exl("1. Étape\n\n   >[!TIP] Astuce sur la même ligne\n   >suite\n");
        assert!(
            rendered
                .html
                .contains("<li>\n<p>Étape</p>\n<div class=\"alert alert-tip\" role=\"note\">"),
            "{}",
            rendered.html
        );
        assert!(
            rendered
                .html
                .contains("<p>Astuce sur la même ligne\nsuite</p>\n</div>\n</li>"),
            "{}",
            rendered.html
        );
    }

    #[test]
    fn unknown_alerts_stay_block_quotes_with_their_text() {
        let rendered = render_exl(">[!ERROR]\n>Texte gardé.\n");
        assert_eq!(
            rendered.html,
            "<blockquote>\n<p>[!ERROR]\nTexte gardé.</p>\n</blockquote>\n"
        );
        assert_eq!(
            warnings_of(&rendered),
            ["1:2 unknown alert type `[!ERROR]`; shown as a plain block quote"]
        );
    }

    #[test]
    fn empty_alerts_are_reported() {
        let rendered = render_exl(">[!IMPORTANT]\n\nNot quoted.\n");
        assert!(
            rendered
                .html
                .starts_with("<div class=\"alert alert-important\"")
        );
        assert_eq!(warnings_of(&rendered).len(), 1);
    }

    const TABS: &str = "## Installer\n\n>[!BEGINTABS]\n\n>[!TAB [!UICONTROL Windows]]\n\nSur Windows.\n\n>[!TAB macOS]\n\nSur macOS.\n\n>[!ENDTABS]\n\nAprès.\n";

    #[test]
    fn tabs_are_stacked_sections_with_headings() {
        let rendered = render_exl(TABS);
        assert_eq!(
            rendered.html,
            "<h2 id=\"installer\">Installer</h2>\n<div class=\"tabs\">\n<section class=\"tab-panel\">\n\
             <h3 id=\"windows\" class=\"tab-title\"><span class=\"uicontrol\">Windows</span></h3>\n<p>Sur Windows.</p>\n\
             </section>\n<section class=\"tab-panel\">\n<h3 id=\"macos\" class=\"tab-title\">macOS</h3>\n<p>Sur macOS.</p>\n\
             </section>\n</div>\n<p>Après.</p>\n"
        );
        let titles: Vec<&str> = rendered.headings.iter().map(|h| h.text.as_str()).collect();
        assert_eq!(titles, ["Installer", "Windows", "macOS"]);
        assert!(rendered.warnings.is_empty());
    }

    #[test]
    fn markers_in_one_block_quote_are_read_one_after_another() {
        let html = render_exl(">[!BEGINTABS]\n>[!TAB Un]\n>\n>contenu\n\n>[!ENDTABS]\n").html;
        assert!(html.contains("<div class=\"tabs\">\n<section class=\"tab-panel\">\n<h2 id=\"un\" class=\"tab-title\">Un</h2>\n<p>contenu</p>\n</section>\n</div>"), "{html}");
    }

    #[test]
    fn unbalanced_tabs_are_closed_and_reported() {
        let rendered = render_exl(">[!BEGINTABS]\n\n>[!TAB A]\n\nTexte A.\n");
        assert!(
            rendered
                .html
                .ends_with("<p>Texte A.</p>\n</section>\n</div>\n"),
            "{}",
            rendered.html
        );
        assert_eq!(warnings_of(&rendered).len(), 1);

        let rendered = render_exl(">[!TAB Seul]\n\nTexte.\n\n>[!ENDTABS]\n");
        assert_eq!(
            rendered.html,
            "<h2 id=\"seul\" class=\"tab-title\">Seul</h2>\n<p>Texte.</p>\n"
        );
        let warnings = warnings_of(&rendered);
        assert!(
            warnings[0].starts_with("1:2 `[!TAB]` without `[!BEGINTABS]`"),
            "{warnings:?}"
        );
        assert!(
            warnings[1].starts_with("5:2 `[!ENDTABS]` without"),
            "{warnings:?}"
        );
    }

    #[test]
    fn regions_do_not_cross_the_block_they_start_in() {
        let rendered =
            render_exl("- item\n\n  >[!BEGINSHADEBOX]\n\n  dedans\n\n>[!ENDSHADEBOX]\n\nfin\n");
        assert!(
            rendered
                .html
                .contains("<div class=\"shadebox\">\n<p>dedans</p>\n</div>\n</li>"),
            "{}",
            rendered.html
        );
        assert!(
            rendered.html.ends_with("</ul>\n<p>fin</p>\n"),
            "{}",
            rendered.html
        );
        assert_eq!(warnings_of(&rendered).len(), 2);
    }

    #[test]
    fn shade_boxes_show_their_title() {
        for (marker, title) in [
            ("\"Rewrites and redirects\"", "Rewrites and redirects"),
            (
                "« Réécritures & [!DNL Redirects] »",
                "Réécritures &amp; Redirects",
            ),
            ("“Riscritture”", "Riscritture"),
        ] {
            let rendered = render_exl(&format!(
                ">[!BEGINSHADEBOX {marker}]\n\nGrisé.\n\n>[!ENDSHADEBOX]\n"
            ));
            assert_eq!(
                rendered.html,
                format!(
                    "<div class=\"shadebox\">\n<p class=\"shadebox-title\">{title}</p>\n<p>Grisé.</p>\n</div>\n"
                )
            );
            assert!(rendered.warnings.is_empty(), "{:?}", warnings_of(&rendered));
        }
    }

    #[test]
    fn shade_boxes_wrap_their_content() {
        let rendered = render_exl(">[!BEGINSHADEBOX]\n\nGrisé.\n\n>[!ENDSHADEBOX]\n");
        assert_eq!(
            rendered.html,
            "<div class=\"shadebox\">\n<p>Grisé.</p>\n</div>\n"
        );
        let rendered =
            render_exl(">[!BEGINSHADEBOX]\n\n>[!BEGINTABS]\n\n>[!TAB A]\n\n>[!ENDSHADEBOX]\n");
        assert!(
            rendered.html.ends_with("</section>\n</div>\n</div>\n"),
            "{}",
            rendered.html
        );
        assert_eq!(
            warnings_of(&rendered).len(),
            1,
            "the tabs are closed by the shade box end"
        );
    }

    #[test]
    fn videos_are_plain_links_until_clicked() {
        let rendered = render_exl(">[!VIDEO](https://video.tv.adobe.com/v/3409403/?quality=12)\n");
        assert_eq!(
            rendered.html,
            "<p class=\"video\"><a class=\"video-link\" href=\"https://video.tv.adobe.com/v/3409403/?quality=12\">Regarder la vidéo <span class=\"video-host\">(video.tv.adobe.com)</span></a></p>\n"
        );
        assert!(!rendered.html.contains("iframe"));
        let rendered = render_exl(">[!VIDEO]\n\n>[!VIDEO](javascript:alert(1))\n");
        assert_eq!(rendered.html.matches("<blockquote>").count(), 2);
        assert_eq!(warnings_of(&rendered).len(), 2);
    }

    fn marker(text: &str) -> Option<Marker> {
        classify(read_marker(text)?)
    }

    #[test]
    fn reads_markers() {
        assert_eq!(
            marker("[!NOTE]"),
            Some(Marker::Alert {
                key: "note",
                len: 7
            })
        );
        assert_eq!(
            marker("[!tip] Same line"),
            Some(Marker::Alert { key: "tip", len: 6 })
        );
        assert_eq!(
            marker("[!TAB [!UICONTROL Stores] view]"),
            Some(Marker::Structure {
                structure: Structure::Tab("[!UICONTROL Stores] view".to_string()),
                len: 31
            })
        );
        assert_eq!(marker("[!FOO]"), Some(Marker::Unknown("FOO".to_string())));
        assert!(matches!(marker("[!VIDEO]"), Some(Marker::BadVideo(_))));
        assert_eq!(marker("[!UICONTROL Stores] is a menu"), None);
        assert_eq!(marker("[!DNL]"), None);
        assert_eq!(marker("[!FOO bar]"), None);
        assert_eq!(marker("[!NOTE"), None);
        assert_eq!(marker("[NOTE]"), None);
        assert_eq!(marker("[!NOTE extra]"), None);
    }
}
