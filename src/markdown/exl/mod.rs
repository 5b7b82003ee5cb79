//! Adobe Experience League Markdown extensions.
//!
//! Experience League pages are CommonMark with a few additions, all of which
//! degrade to readable text in a plain Markdown viewer. This module gives
//! them their meaning:
//!
//! * alerts: a block quote starting with `[!NOTE]`, `[!TIP]`, `[!INFO]`...
//!   ([`blocks`]);
//! * tabs, shade boxes and videos: `>[!BEGINTABS]`, `>[!TAB Title]`,
//!   `>[!ENDTABS]`, `>[!BEGINSHADEBOX]`, `>[!VIDEO](url)` ([`blocks`]);
//! * inline tokens: `[!UICONTROL Stores]`, `[!DNL Commerce]`,
//!   `[!BADGE Beta]{type=Informative}` ([`inline`]);
//! * attribute lists after an image, link, table or heading:
//!   `{width="350"}`, `{target=_blank}`, `{style="table-layout:auto"}`
//!   ([`attributes`] reads and filters them, [`attach`] finds them);
//! * snippets and includes: `{{name}}`, `{{$include /help/_includes/x.md}}`,
//!   expanded by a text pass before rendering ([`includes`]), relative links
//!   of included text rewritten for the including page ([`rebase`]);
//! * zero-width spaces left by machine translation, removed from text.
//!
//! [`crate::markdown::render`] runs [`extend`] on the parsed events before it
//! surveys headings, so heading ids and texts see the plain text of tokens.
//! Every problem becomes a warning with a source position, and the text the
//! author wrote stays visible.

mod attach;
mod attributes;
mod blocks;
mod includes;
mod inline;
mod rebase;

use std::collections::HashMap;
use std::ops::Range;

use pulldown_cmark::Event;

pub(crate) use includes::{IncludeRequest, expand_includes};
pub(crate) use inline::{BLOCK_MARKERS, plain_text_of_inline_tokens, strip_zero_width};

pub(crate) use super::syntax::{escape_href, escape_html};

/// A parser event with the source range it came from.
pub(crate) type Spanned<'a> = (Event<'a>, Range<usize>);

/// Elements whose start tag [`crate::markdown`] writes itself when an
/// attribute list applies to them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Element {
    Link,
    Image,
    Table,
}

/// Attributes for one element: the safe attribute HTML (` width="350"`) and,
/// for images, the alt text (its events are removed from the stream).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Applied {
    pub html: String,
    pub alt: String,
}

/// Attributes by element kind and the source offset of the element's start.
pub(crate) type ElementAttrs = HashMap<(Element, usize), Applied>;

/// The events after the extensions, and what the renderer needs besides.
pub(crate) struct Extended<'a> {
    pub events: Vec<Spanned<'a>>,
    pub attrs: ElementAttrs,
    /// Byte offset in the source, message.
    pub warnings: Vec<(usize, String)>,
    pub zero_width_removed: usize,
}

/// English text for each label key, used when the caller's labels have none.
pub(crate) fn default_label(key: &str) -> &'static str {
    match key {
        "alert_note" => "Note",
        "alert_tip" => "Tip",
        "alert_important" => "Important",
        "alert_warning" => "Warning",
        "alert_caution" => "Caution",
        "alert_info" => "Information",
        "alert_admin" => "Administrators",
        "alert_availability" => "Availability",
        "alert_prerequisites" => "Prerequisites",
        "alert_morelikethis" => "Related articles",
        "video_link" => "Watch the video",
        "tab_untitled" => "Tab",
        _ => "",
    }
}

/// Every label key the extensions ask for, for themes and their translators.
#[cfg(test)]
pub(crate) const LABEL_KEYS: &[&str] = &[
    "alert_note",
    "alert_tip",
    "alert_important",
    "alert_warning",
    "alert_caution",
    "alert_info",
    "alert_admin",
    "alert_availability",
    "alert_prerequisites",
    "alert_morelikethis",
    "video_link",
    "tab_untitled",
];

/// Shared state of the passes.
pub(crate) struct Context<'s> {
    source: &'s str,
    labels: &'s (dyn Fn(&str) -> String + Sync),
    warnings: Vec<(usize, String)>,
    attrs: ElementAttrs,
    zero_width_removed: usize,
}

impl Context<'_> {
    fn warn(&mut self, offset: usize, message: String) {
        self.warnings.push((offset, message));
    }

    /// The caller's text for `key`; English when it has none.
    fn label(&self, key: &str) -> String {
        let text = (self.labels)(key);
        if text.trim().is_empty() || text == key {
            default_label(key).to_string()
        } else {
            text
        }
    }

    /// The source behind an event.
    fn source_of(&self, range: &Range<usize>) -> &str {
        self.source.get(range.clone()).unwrap_or_default()
    }

    /// Source offset of byte `at` of an event's text: exact when the text is
    /// the source as written, else the event's start (entities or escapes
    /// make the two differ).
    fn offset_in_text(&self, text: &str, range: &Range<usize>, at: usize) -> usize {
        if self.source_of(range) == text {
            range.start + at
        } else {
            range.start
        }
    }

    /// Whether the event's source starts with `prefix` as written: `\{` and
    /// `&lbrace;` decode to `{` but are not the start of an attribute list.
    fn starts_literally(&self, range: &Range<usize>, prefix: &str) -> bool {
        // The parser starts the text of `\{` after the backslash.
        self.source_of(range).starts_with(prefix) && !self.is_escaped_at(range.start)
    }

    /// Whether the event's source ends with `suffix` as written, unescaped.
    fn ends_literally(&self, range: &Range<usize>, suffix: &str) -> bool {
        let source = self.source_of(range).trim_end();
        source.ends_with(suffix) && !self.is_escaped_at(range.start + source.len() - suffix.len())
    }

    /// Whether the character at `offset` follows an odd run of backslashes.
    fn is_escaped_at(&self, offset: usize) -> bool {
        let before = self.source.get(..offset).unwrap_or_default();
        let run = before.len() - before.trim_end_matches('\\').len();
        run % 2 == 1
    }
}

/// Applies every extension to the parsed events of `source`.
pub(crate) fn extend<'a>(
    events: Vec<Spanned<'a>>,
    source: &str,
    labels: &(dyn Fn(&str) -> String + Sync),
) -> Extended<'a> {
    let mut cx = Context {
        source,
        labels,
        warnings: Vec::new(),
        attrs: ElementAttrs::new(),
        zero_width_removed: 0,
    };
    let events = inline::strip_zero_width_events(events, &mut cx);
    let events = blocks::rewrite_blocks(events, &mut cx);
    let events = attach::attach_attributes(events, &mut cx);
    let events = attach::remove_stray_lists(events, &mut cx);
    let events = inline::expand_token_events(events, &mut cx);
    Extended {
        events,
        attrs: cx.attrs,
        warnings: cx.warnings,
        zero_width_removed: cx.zero_width_removed,
    }
}

/// Rendering through [`crate::markdown::render`] for the tests of every pass.
#[cfg(test)]
pub(crate) mod test_support {
    use crate::markdown::{LinkTarget, RenderOptions, Rendered, render};

    fn french(key: &str) -> String {
        match key {
            "alert_note" => "Remarque",
            "alert_warning" => "Avertissement",
            "video_link" => "Regarder la vidéo",
            _ => "",
        }
        .to_string()
    }

    pub(crate) fn render_exl(source: &str) -> Rendered {
        let resolve = |dest: &str| match dest {
            "../b2b/x.md" => LinkTarget::Page("/fr/b2b/x/".to_string()),
            _ => LinkTarget::Keep,
        };
        render(
            source,
            &RenderOptions {
                resolve_link: &resolve,
                labels: &french,
            },
        )
    }

    /// The warnings as `line:column message` lines.
    pub(crate) fn warnings_of(rendered: &Rendered) -> Vec<String> {
        rendered
            .warnings
            .iter()
            .map(|w| format!("{}:{} {}", w.line, w.column, w.message))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::{render_exl, warnings_of};
    use super::*;

    #[test]
    fn zero_width_spaces_leave_headings_links_and_alt_text() {
        let rendered = render_exl(
            "## Config&#x200B;uration\u{200B}\n\n[li&ZeroWidthSpace;en](a.md) ![al&#8203;t](i.png){width=\"10\"}\n\n`co\u{200B}de`\n",
        );
        assert_eq!(rendered.headings[0].text, "Configuration");
        assert_eq!(rendered.headings[0].id, "configuration");
        assert!(rendered.html.contains(">lien</a>"), "{}", rendered.html);
        assert!(rendered.html.contains("alt=\"alt\""), "{}", rendered.html);
        assert!(
            rendered.html.contains("<code>co\u{200B}de</code>"),
            "code is kept as written"
        );
        assert_eq!(rendered.zero_width_removed, 4);
    }

    #[test]
    fn escaped_and_entity_braces_are_text() {
        let rendered = render_exl(
            "[a](b.md)\\{target=_blank} &lbrace;x&rbrace; [c](d.md)&lbrace;target=_blank&rbrace;\n\nFin \\{#pas-un-id}\n",
        );
        assert!(
            rendered
                .html
                .contains("<a href=\"b.md\">a</a>{target=_blank} {x}"),
            "{}",
            rendered.html
        );
        assert!(
            rendered
                .html
                .contains("<a href=\"d.md\">c</a>{target=_blank}"),
            "{}",
            rendered.html
        );
        assert!(
            rendered.html.contains("<p>Fin {#pas-un-id}</p>"),
            "{}",
            rendered.html
        );
        let table = render_exl("| a |\n|---|\n| b |\n\n\\{style=\"table-layout:auto\"}\n");
        assert!(table.html.contains("<table>"), "{}", table.html);
        assert!(
            table.html.contains("<p>{style=\"table-layout:auto\"}</p>"),
            "{}",
            table.html
        );
        // A visible backslash stands between: the list is not the link's,
        // and as a stray list it is removed with a warning.
        let stray = render_exl("[a](b.md)\\\\{target=_blank}\n");
        assert!(stray.html.contains("</a>\\</p>"), "{}", stray.html);
        assert_eq!(stray.warnings.len(), 1);
        assert!(rendered.warnings.is_empty(), "{:?}", warnings_of(&rendered));
    }

    #[test]
    fn inline_html_in_table_cells_survives() {
        let html = render_exl("| a | b |\n|---|---|\n| [!UICONTROL x]<br>y | <b>z</b> |\n").html;
        assert!(
            html.contains("<span class=\"uicontrol\">x</span><br>y"),
            "{html}"
        );
        assert!(html.contains("<td><b>z</b></td>"), "{html}");
    }

    #[test]
    fn malformed_input_never_panics() {
        for input in [
            ">[!",
            ">[!]",
            ">[!TAB",
            ">[!TAB ]",
            ">[!BEGINTABS]\n>[!ENDTABS]\n>[!ENDTABS]",
            "- >[!BEGINTABS]\n\n>[!ENDTABS]",
            ">[!VIDEO]()",
            "![](x.png){",
            "![](x.png){width=1}{height=2}<!-- zoom -->",
            "[x](y){target=_blank",
            "| a |\n|---|\n{style=\"table-layout:auto\"}",
            "| a |\n|---|\n\n{}",
            "{{}}\n\n{{ x }}\n\n{{$include}}",
            "[!BADGE]{type=x}",
            "[!UICONTROL [!DNL [!BADGE x]{type=",
            "# {#}\n## {onclick=x}\n",
            ">>[!NOTE]\n>>[!TIP]\n",
            "\u{200B}>[!NOTE]",
        ] {
            let rendered = render_exl(input);
            assert!(!rendered.html.contains("&amp;amp;"), "{input}");
        }
    }

    #[test]
    fn hrefs_are_encoded_for_attributes() {
        assert_eq!(
            escape_href("https://example.org/a b?x=1&y='2'#é\""),
            "https://example.org/a%20b?x=1&amp;y=&#x27;2&#x27;#%C3%A9%22"
        );
        assert_eq!(escape_href("a%20b<c>"), "a%20b%3Cc%3E");
    }

    #[test]
    fn labels_fall_back_to_english() {
        let none = |_: &str| String::new();
        let echo = |key: &str| key.to_string();
        let french = |key: &str| match key {
            "alert_note" => "Remarque".to_string(),
            _ => String::new(),
        };
        for (labels, expected) in [
            (&none as &(dyn Fn(&str) -> String + Sync), "Note"),
            (&echo, "Note"),
            (&french, "Remarque"),
        ] {
            let cx = Context {
                source: "",
                labels,
                warnings: Vec::new(),
                attrs: ElementAttrs::new(),
                zero_width_removed: 0,
            };
            assert_eq!(cx.label("alert_note"), expected);
        }
        assert!(LABEL_KEYS.iter().all(|key| !default_label(key).is_empty()));
    }
}
