//! Finds attribute lists in the event stream and attaches them to their
//! element, so they are never printed as text:
//!
//! * right after a link or an image: `[x](y.md){target=_blank}`,
//!   `![x](y.png){width="350"}`, and `<!-- zoom -->` after an image;
//! * on its own line after a table (read by the parser as a last row, or as
//!   a paragraph when a blank line comes first);
//! * at the end of a paragraph or list item, after a space:
//!   `+ Group {#group}` in a TOC;
//! * heading attributes, which the parser reads itself, are filtered here.
//!
//! An attribute list is recognised only where the source has a literal `{`:
//! `\{` and `&lbrace;` stay text. A list standing alone where nothing can
//! take it is dropped with a warning.

use std::collections::VecDeque;
use std::ops::Range;

use pulldown_cmark::{CowStr, Event, HeadingLevel, Tag, TagEnd};

use super::attributes::{RawAttr, SafeAttrs, Target, parse_attr_list, sanitize};
use super::includes::parse_directive;
use super::inline::plain_text_of_inline_tokens;
use super::{Applied, Context, Element, Spanned};

pub(crate) fn attach_attributes<'a>(
    events: Vec<Spanned<'a>>,
    cx: &mut Context<'_>,
) -> Vec<Spanned<'a>> {
    let mut pass = Attach {
        out: Vec::with_capacity(events.len()),
        cx,
        open: Vec::new(),
        last_row: None,
    };
    let mut queue: VecDeque<Spanned<'a>> = events.into();
    while let Some((event, range)) = queue.pop_front() {
        pass.step(event, range, &mut queue);
    }
    pass.out
}

struct Attach<'c, 'x, 'a> {
    out: Vec<Spanned<'a>>,
    cx: &'c mut Context<'x>,
    /// Indices in `out` of the start events of open elements.
    open: Vec<usize>,
    /// Index in `out` of the start of the last table body row.
    last_row: Option<usize>,
}

impl<'a> Attach<'_, '_, 'a> {
    fn step(&mut self, event: Event<'a>, range: Range<usize>, queue: &mut VecDeque<Spanned<'a>>) {
        match event {
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => {
                let tag = self.heading(level, id, classes, attrs, &range);
                self.open_element(Event::Start(tag), range);
            }
            Event::Start(Tag::TableRow) => {
                self.last_row = Some(self.out.len());
                self.open_element(Event::Start(Tag::TableRow), range);
            }
            Event::Start(tag @ Tag::List(_)) => {
                if let Some(&parent) = self.open.last() {
                    self.item_text_end(parent);
                }
                self.open_element(Event::Start(tag), range);
            }
            Event::Start(tag) => self.open_element(Event::Start(tag), range),
            Event::End(tag) => {
                let start = self.open.pop().unwrap_or(0);
                self.close_element(tag, start, range, queue);
            }
            other => self.out.push((other, range)),
        }
    }

    fn open_element(&mut self, event: Event<'a>, range: Range<usize>) {
        self.open.push(self.out.len());
        self.out.push((event, range));
    }

    fn close_element(
        &mut self,
        tag: TagEnd,
        start: usize,
        range: Range<usize>,
        queue: &mut VecDeque<Spanned<'a>>,
    ) {
        match tag {
            TagEnd::Link => {
                self.out.push((Event::End(tag), range));
                self.after_link(start, queue);
            }
            TagEnd::Image => self.after_image(start, range, queue),
            TagEnd::Table => self.after_table(start, range, queue),
            TagEnd::Paragraph => self.paragraph_end(start, range),
            TagEnd::Item => {
                self.item_text_end(start);
                self.out.push((Event::End(tag), range));
            }
            _ => self.out.push((Event::End(tag), range)),
        }
    }

    fn heading(
        &mut self,
        level: HeadingLevel,
        id: Option<CowStr<'a>>,
        classes: Vec<CowStr<'a>>,
        attrs: Vec<(CowStr<'a>, Option<CowStr<'a>>)>,
        range: &Range<usize>,
    ) -> Tag<'a> {
        let id = id.filter(|id| !id.is_empty());
        let mut raw: Vec<RawAttr> = Vec::new();
        raw.extend(id.iter().map(|id| raw_attr("id", id)));
        raw.extend(classes.iter().map(|class| raw_attr("class", class)));
        raw.extend(
            attrs
                .iter()
                .map(|(name, value)| raw_attr(name, value.as_deref().unwrap_or_default())),
        );
        if raw.is_empty() {
            return Tag::Heading {
                level,
                id: None,
                classes,
                attrs,
            };
        }
        let at = range.start + self.cx.source_of(range).rfind('{').unwrap_or(0);
        let safe = self.sanitized(&raw, Target::Heading, at);
        Tag::Heading {
            level,
            id: safe.id.map(CowStr::from),
            classes: safe.classes.into_iter().map(CowStr::from).collect(),
            attrs: safe
                .pairs
                .into_iter()
                .map(|(name, value)| (CowStr::Borrowed(name), Some(CowStr::from(value))))
                .collect(),
        }
    }

    fn sanitized(&mut self, raw: &[RawAttr], target: Target, at: usize) -> SafeAttrs {
        let (safe, problems) = sanitize(raw, target);
        for problem in problems {
            self.cx.warn(at, problem);
        }
        safe
    }

    fn after_link(&mut self, start: usize, queue: &mut VecDeque<Spanned<'a>>) {
        let Some((raw, at)) = self.leading_attrs(queue) else {
            return;
        };
        let safe = self.sanitized(&raw, Target::Link, at);
        if !safe.is_empty() {
            let key = (Element::Link, self.out[start].1.start);
            self.cx.attrs.insert(key, applied(&safe, String::new()));
        }
    }

    fn after_image(
        &mut self,
        start: usize,
        range: Range<usize>,
        queue: &mut VecDeque<Spanned<'a>>,
    ) {
        let mut raw = Vec::new();
        let mut at = range.end;
        loop {
            if let Some((more, found_at)) = self.leading_attrs(queue) {
                raw.extend(more);
                at = found_at;
            } else if take_zoom_comment(queue) {
                raw.push(raw_attr("zoomable", "yes"));
            } else {
                break;
            }
        }
        let safe = self.sanitized(&raw, Target::Image, at);
        if !safe.is_empty() {
            let alt = plain_alt_text(&self.out[start + 1..]);
            self.out.truncate(start + 1);
            let key = (Element::Image, self.out[start].1.start);
            self.cx.attrs.insert(key, applied(&safe, alt));
        }
        self.out.push((Event::End(TagEnd::Image), range));
    }

    /// An attribute list at the start of the next text (or of the next line
    /// when the list is alone on it): read, removed from the text.
    fn leading_attrs(
        &mut self,
        queue: &mut VecDeque<Spanned<'a>>,
    ) -> Option<(Vec<RawAttr>, usize)> {
        let skip_break = matches!(queue.front(), Some((Event::SoftBreak, _)));
        let index = usize::from(skip_break);
        let (Event::Text(text), range) = queue.get(index)? else {
            return None;
        };
        // Machine translation often puts a space between a link and its
        // list (`](url) {target="_blank"}`): taken only when every name is
        // one of a link's or an image's, so `[x](y) {#id}` stays the
        // paragraph's.
        let gap = text.len() - text.trim_start_matches([' ', '\t']).len();
        let (raw, listed) = parse_attr_list(&text[gap..])?;
        let used = gap + listed;
        let rest = &text[used..];
        if !self.cx.starts_literally(range, &text[..used])
            || (skip_break && !rest.trim().is_empty())
            || (gap > 0 && !raw.iter().all(|a| SPACED_NAMES.contains(&a.name.as_str())))
        {
            return None;
        }
        let at = range.start;
        let rest = CowStr::from(rest.to_string());
        let new_range = (range.start + used).min(range.end)..range.end;
        if rest.is_empty() {
            queue.remove(index);
        } else {
            queue[index] = (Event::Text(rest), new_range);
        }
        if skip_break {
            queue.pop_front();
        }
        Some((raw, at))
    }

    fn after_table(
        &mut self,
        start: usize,
        range: Range<usize>,
        queue: &mut VecDeque<Spanned<'a>>,
    ) {
        let found = self
            .attrs_from_last_row(start)
            .or_else(|| self.attrs_from_next_paragraph(queue));
        if let Some((raw, at)) = found {
            let safe = self.sanitized(&raw, Target::Table, at);
            if !safe.is_empty() {
                let key = (Element::Table, self.out[start].1.start);
                self.cx.attrs.insert(key, applied(&safe, String::new()));
            }
        }
        self.last_row = None;
        self.out.push((Event::End(TagEnd::Table), range));
    }

    /// `{style=...}` right under a table is read as a row whose first cell is
    /// the list and whose other cells are empty; that row is removed.
    fn attrs_from_last_row(&mut self, table_start: usize) -> Option<(Vec<RawAttr>, usize)> {
        let row = self.last_row.filter(|&row| row > table_start)?;
        let cells = &self.out[row + 1..];
        let (first, rest) = match cells {
            [
                (Event::Start(Tag::TableCell), _),
                (Event::Text(text), range),
                (Event::End(TagEnd::TableCell), _),
                rest @ ..,
            ] => ((text, range), rest),
            _ => return None,
        };
        let only_empty_cells = rest.chunks(2).all(|pair| {
            matches!(
                pair,
                [
                    (Event::Start(Tag::TableCell), _),
                    (Event::End(TagEnd::TableCell), _)
                ] | [(Event::End(TagEnd::TableRow), _)]
            )
        });
        if !only_empty_cells {
            return None;
        }
        let found = self.whole_attr_list(first.0, first.1)?;
        self.out.truncate(row);
        Some(found)
    }

    fn attrs_from_next_paragraph(
        &mut self,
        queue: &mut VecDeque<Spanned<'a>>,
    ) -> Option<(Vec<RawAttr>, usize)> {
        let found = match (queue.front(), queue.get(1), queue.get(2)) {
            (
                Some((Event::Start(Tag::Paragraph), _)),
                Some((Event::Text(text), range)),
                Some((Event::End(TagEnd::Paragraph), _)),
            ) => self.whole_attr_list(text, range)?,
            _ => return None,
        };
        queue.drain(..3);
        Some(found)
    }

    /// The text is exactly one attribute list, written with a literal `{`.
    fn whole_attr_list(&self, text: &str, range: &Range<usize>) -> Option<(Vec<RawAttr>, usize)> {
        let trimmed = text.trim();
        let (raw, used) = parse_attr_list(trimmed)?;
        (used == trimmed.len() && self.cx.starts_literally(range, trimmed))
            .then_some((raw, range.start))
    }

    fn paragraph_end(&mut self, start: usize, range: Range<usize>) {
        if let [(Event::Text(text), text_range)] = &self.out[start + 1..] {
            if parse_directive(text.trim()).is_some() {
                self.out[start].0 = Event::Html(CowStr::Borrowed("<p class=\"include-missing\">"));
            } else if let Some((_, at)) = self.whole_attr_list(text, text_range) {
                let message = format!(
                    "attribute list `{}` is not attached to an image, link, table or heading; removed",
                    text.trim()
                );
                self.cx.warn(at, message);
                self.out.truncate(start);
                return;
            }
        }
        if let Some(safe) = self.trailing_block_attrs(start) {
            self.out[start].0 = Event::Html(CowStr::from(format!("<p{}>", safe.to_html())));
        }
        self.out.push((Event::End(TagEnd::Paragraph), range));
    }

    /// The text of a tight list item ends before its nested list or its end.
    fn item_text_end(&mut self, item: usize) {
        if !matches!(self.out[item].0, Event::Start(Tag::Item)) {
            return;
        }
        if let Some(safe) = self.trailing_block_attrs(item) {
            self.out[item].0 = Event::Html(CowStr::from(format!("<li{}>", safe.to_html())));
        }
    }

    /// `Text {#id .class}` at the end of the block started at `start`.
    fn trailing_block_attrs(&mut self, start: usize) -> Option<SafeAttrs> {
        let last = self.out.len().checked_sub(1).filter(|&last| last > start)?;
        let (Event::Text(text), range) = &self.out[last] else {
            return None;
        };
        let (cut, raw) = split_trailing_attrs(text)?;
        let attr_text = text[cut..].trim_end();
        if !self.cx.ends_literally(range, attr_text) {
            return None;
        }
        let kept = text[..cut].trim_end().to_string();
        let at = range.start + self.cx.source_of(range).trim_end().len() - attr_text.len();
        let new_range = range.start..(range.start + kept.len()).min(range.end);
        self.out[last] = (Event::Text(CowStr::from(kept)), new_range);
        let safe = self.sanitized(&raw, Target::Block, at);
        (!safe.is_empty()).then_some(safe)
    }
}

/// Names of a link's or an image's attributes, taken after a space too.
const SPACED_NAMES: &[&str] = &["target", "title", "width", "height", "zoomable"];

/// Names only Experience League attribute lists use: a list of these left in
/// text (machine translation moved it away from its link or image) is never
/// prose, so it is removed, with a warning.
const STRAY_NAMES: &[&str] = &[
    "target", "width", "height", "zoomable", "style", "type", "tooltip", "url",
];

/// Removes attribute lists that nothing took (`zien {target="_blank"}, k`)
/// from text outside code, one warning each.
pub(crate) fn remove_stray_lists<'a>(
    events: Vec<Spanned<'a>>,
    cx: &mut Context<'_>,
) -> Vec<Spanned<'a>> {
    let mut code_depth = 0usize;
    let mut out = Vec::with_capacity(events.len());
    for (event, range) in events {
        match &event {
            Event::Start(Tag::CodeBlock(_)) => code_depth += 1,
            Event::End(TagEnd::CodeBlock) => code_depth = code_depth.saturating_sub(1),
            Event::Text(text) if code_depth == 0 && text.contains('{') => {
                let kept = without_stray_lists(text, &range, cx);
                out.push((Event::Text(CowStr::from(kept)), range));
                continue;
            }
            _ => {}
        }
        out.push((event, range));
    }
    out
}

fn without_stray_lists(text: &str, range: &Range<usize>, cx: &mut Context<'_>) -> String {
    let mut kept = String::with_capacity(text.len());
    let mut rest = 0;
    let mut cursor = 0;
    while let Some(found) = text[cursor..].find('{') {
        let at = cursor + found;
        cursor = at + 1;
        // A badge's list follows its `]`; the token pass reads it.
        let Some((raw, used)) = parse_attr_list(&text[at..]).filter(|_| !text[..at].ends_with(']'))
        else {
            continue;
        };
        let offset = cx.offset_in_text(text, range, at);
        let literal = cx.source.get(offset..).is_some_and(|s| s.starts_with('{'))
            && !cx.is_escaped_at(offset);
        if !literal || !raw.iter().all(|a| STRAY_NAMES.contains(&a.name.as_str())) {
            continue;
        }
        let list = &text[at..at + used];
        cx.warn(
            offset,
            format!("attribute list `{list}` is not attached to a link, image or table; removed"),
        );
        kept.push_str(text[rest..at].trim_end_matches([' ', '\t']));
        rest = at + used;
        cursor = rest;
    }
    kept.push_str(&text[rest..]);
    kept
}

fn raw_attr(name: &str, value: &str) -> RawAttr {
    RawAttr {
        name: name.to_ascii_lowercase(),
        value: value.to_string(),
    }
}

fn applied(safe: &SafeAttrs, alt: String) -> Applied {
    Applied {
        html: safe.to_html(),
        alt,
    }
}

/// `<!-- zoom -->` after an image, possibly after a space.
fn take_zoom_comment(queue: &mut VecDeque<Spanned<'_>>) -> bool {
    let is_zoom = |event: Option<&Spanned<'_>>| {
        matches!(event, Some((Event::InlineHtml(html), _))
            if html.trim().trim_start_matches("<!--").trim_end_matches("-->").trim().eq_ignore_ascii_case("zoom"))
    };
    let blank_first = matches!(queue.front(), Some((Event::Text(t), _)) if t.trim().is_empty());
    if is_zoom(queue.front()) {
        queue.pop_front();
        true
    } else if blank_first && is_zoom(queue.get(1)) {
        queue.drain(..2);
        true
    } else {
        false
    }
}

/// Alt text as the reader gets it: text and code, tokens reduced to text.
fn plain_alt_text(events: &[Spanned<'_>]) -> String {
    let mut alt = String::new();
    for (event, _) in events {
        match event {
            Event::Text(text) | Event::Code(text) => alt.push_str(text),
            Event::SoftBreak | Event::HardBreak => alt.push(' '),
            _ => {}
        }
    }
    plain_text_of_inline_tokens(&alt)
}

/// Finds `{...}` closing the text, preceded by a blank (a badge's list
/// follows its `]` directly and is not a block's). Returns where the blank
/// before the list starts and the attributes.
fn split_trailing_attrs(text: &str) -> Option<(usize, Vec<RawAttr>)> {
    let trimmed = text.trim_end();
    if !trimmed.ends_with('}') {
        return None;
    }
    for (open, _) in trimmed.rmatch_indices('{') {
        let before = &trimmed[..open];
        if !before.is_empty() && !before.ends_with([' ', '\t']) {
            continue;
        }
        if let Some((raw, used)) = parse_attr_list(&trimmed[open..])
            && open + used == trimmed.len()
            && !before.trim().is_empty()
        {
            return Some((before.trim_end().len(), raw));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{render_exl, warnings_of};
    use super::*;

    #[test]
    fn links_open_in_a_new_tab_safely_and_are_still_resolved() {
        let rendered =
            render_exl("[[!UICONTROL Enable Company]](../b2b/x.md){target=_blank} suite\n");
        assert_eq!(
            rendered.html,
            "<p><a href=\"/fr/b2b/x/\" target=\"_blank\" rel=\"noopener noreferrer\"><span class=\"uicontrol\">Enable Company</span></a> suite</p>\n"
        );
    }

    #[test]
    fn images_take_sizes_zoom_and_keep_their_alt_text() {
        let html = render_exl("![Vue [!UICONTROL Stores]](assets/a.png \"Titre\"){width=\"350\" zoomable=\"yes\"}\n\n![b](assets/b.png) <!-- zoom -->\n\n![c](assets/c.png)\n{width=\"20\"}\n").html;
        assert!(html.contains("<img src=\"assets/a.png\" alt=\"Vue Stores\" title=\"Titre\" class=\"zoomable\" width=\"350\" />"), "{html}");
        assert!(
            html.contains("<img src=\"assets/b.png\" alt=\"b\" class=\"zoomable\" />"),
            "{html}"
        );
        assert!(
            html.contains("<img src=\"assets/c.png\" alt=\"c\" width=\"20\" />"),
            "{html}"
        );
        assert!(!html.contains('{'), "{html}");
    }

    #[test]
    fn tables_take_an_allowed_style_from_the_line_below() {
        for source in [
            "| a | b |\n|---|---|\n| 1 | 2 |\n{style=\"table-layout:auto\"}\n",
            "| a | b |\n|---|---|\n| 1 | 2 |\n\n{style=\"table-layout:auto\"}\n",
        ] {
            let rendered = render_exl(source);
            assert!(
                rendered
                    .html
                    .contains("<table style=\"table-layout:auto\">"),
                "{}",
                rendered.html
            );
            assert_eq!(
                rendered.html.matches("<tr>").count(),
                2,
                "{}",
                rendered.html
            );
            assert!(rendered.warnings.is_empty());
        }
        let rendered =
            render_exl("| a |\n|---|\n| 1 |\n{style=\"position:fixed\" onclick=\"x()\"}\n");
        assert!(rendered.html.contains("<table>"), "{}", rendered.html);
        assert!(!rendered.html.contains("position"), "{}", rendered.html);
        assert_eq!(warnings_of(&rendered).len(), 2);
    }

    #[test]
    fn a_table_row_that_is_not_only_a_list_stays() {
        let html = render_exl("| a | b |\n|---|---|\n| {x=1} | 2 |\n").html;
        assert!(
            html.contains("<th scope=\"row\">{x=1}</th><td>2</td>"),
            "{html}"
        );
    }

    #[test]
    fn headings_keep_safe_ids_and_classes_only() {
        let rendered = render_exl(
            "## Activer [!UICONTROL Company] {#enable-company}\n\n## Mal {#a\"b onclick=alert(1) .ok}\n",
        );
        assert_eq!(rendered.headings[0].id, "enable-company");
        assert_eq!(rendered.headings[0].text, "Activer Company");
        assert!(
            rendered
                .html
                .contains("<h2 id=\"mal\" class=\"ok\">Mal</h2>"),
            "{}",
            rendered.html
        );
        let warnings = warnings_of(&rendered);
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(
            warnings.iter().all(|w| w.starts_with("3:8 ")),
            "{warnings:?}"
        );
    }

    #[test]
    fn toc_groups_and_paragraphs_take_trailing_ids() {
        let html = render_exl(
            "+ [Vue](a.md)\n+ Catalogue {#catalog}\n  + [Produits](b.md)\n  + Feuille {#leaf}\n\nTexte final {.lead}\n",
        )
        .html;
        assert!(
            html.contains("<li id=\"catalog\">Catalogue\n<ul>"),
            "{html}"
        );
        assert!(html.contains("<li id=\"leaf\">Feuille</li>"), "{html}");
        assert!(html.contains("<p class=\"lead\">Texte final</p>"), "{html}");
    }

    #[test]
    fn lists_after_a_space_or_closing_a_line_still_attach() {
        for (source, word) in [
            (
                "Zie [PCI](https://x.org) {target=\"_blank\"} voor meer.\n",
                " voor meer.",
            ),
            (
                "Voir [PCI](https://x.org){target=_blank}\nla suite.\n",
                "\nla suite.",
            ),
            ("Se [PCI](https://x.org) {target=_blank}.\n", "."),
        ] {
            let rendered = render_exl(source);
            let link =
                "<a href=\"https://x.org\" target=\"_blank\" rel=\"noopener noreferrer\">PCI</a>";
            assert!(
                rendered.html.contains(&format!("{link}{word}")),
                "{source}: {}",
                rendered.html
            );
            assert!(rendered.warnings.is_empty(), "{:?}", warnings_of(&rendered));
        }
        let kept = render_exl("Voir [a](b.md) {#pas-lien}\n");
        assert!(
            kept.html.contains("<a href=\"b.md\">a</a>"),
            "{}",
            kept.html
        );
    }

    #[test]
    fn lists_moved_away_by_translation_are_removed_with_a_warning() {
        let rendered = render_exl(
            "Zie [PCI](https://x.org) te zien {target=\"_blank\"}, klaar.\n\nSe {width=\"400\" zoomable=\"yes\"} här.\n\n`{target=_blank}` et {placeholder} \\{target=_blank}\n",
        );
        let html = &rendered.html;
        assert!(html.contains("</a> te zien, klaar."), "{html}");
        assert!(html.contains("<p>Se här.</p>"), "{html}");
        assert!(
            html.contains("<code>{target=_blank}</code> et {placeholder} {target=_blank}"),
            "{html}"
        );
        let warnings = warnings_of(&rendered);
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(
            warnings[0].starts_with("1:34 attribute list"),
            "{warnings:?}"
        );
        assert!(
            warnings[1].starts_with("3:4 attribute list"),
            "{warnings:?}"
        );
    }

    #[test]
    fn lone_lists_are_removed_with_a_warning() {
        let rendered = render_exl("Texte.\n\n{width=\"300\"}\n\nSuite.\n");
        assert_eq!(rendered.html, "<p>Texte.</p>\n<p>Suite.</p>\n");
        assert_eq!(warnings_of(&rendered).len(), 1);
        assert!(warnings_of(&rendered)[0].starts_with("3:1 "));
    }

    #[test]
    fn unexpanded_directives_are_marked_placeholders() {
        let html = render_exl("{{b2b-only}}\n\n`{{code}}`\n").html;
        assert_eq!(
            html,
            "<p class=\"include-missing\">{{b2b-only}}</p>\n<p><code>{{code}}</code></p>\n"
        );
    }

    #[test]
    fn trailing_lists_need_a_blank_before_them() {
        let (cut, raw) = split_trailing_attrs("Catalog {#catalog}").unwrap();
        assert_eq!(cut, "Catalog".len());
        assert_eq!(raw, [raw_attr("id", "catalog")]);
        assert!(split_trailing_attrs("[!BADGE Beta]{type=Informative}").is_none());
        assert!(split_trailing_attrs("{#alone}").is_none());
        assert!(split_trailing_attrs("Set {placeholder}").is_none());
        assert!(split_trailing_attrs("A {#b} c").is_none());
    }
}
