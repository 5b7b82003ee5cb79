//! A guide's `TOC.md` (the Experience League convention): nested `+`/`-`
//! lists of links to the guide's pages, and group labels (`Content {#id}`)
//! without a link. When a section folder has one, its sidebar follows it.

use std::collections::HashMap;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use super::Entry;
use crate::model::SiteConfig;
use crate::model::urls::join_relative;

pub(super) struct Toc {
    /// The TOC's first heading, without its `{#id}`.
    pub title: Option<String>,
    pub entries: Vec<Entry>,
}

/// The TOC of `content/<lang>/<section>/TOC.md`, with its links resolved to
/// pages through `by_source` (content-relative path -> page).
pub(super) fn read(
    config: &SiteConfig,
    lang: &str,
    section: &str,
    by_source: &HashMap<String, usize>,
) -> Option<Toc> {
    if section.is_empty() {
        return None;
    }
    let text =
        std::fs::read_to_string(config.content_dir.join(lang).join(section).join("TOC.md")).ok()?;
    let base = format!("{lang}/{section}/TOC.md");
    let resolve = |dest: &str| {
        let path = dest.split(['#', '?']).next().unwrap_or(dest);
        let relative = match path.strip_prefix('/') {
            Some(absolute) => join_relative("", &format!("{lang}/{absolute}")),
            None => join_relative(&base, path),
        };
        relative.and_then(|r| by_source.get(&r).copied())
    };
    // Adobe's TOCs open with front matter; read as Markdown, its closing
    // `---` would make it a heading and so the guide's title.
    let body = crate::read::front_matter::split(&text).map_or(text.as_str(), |split| split.body);
    Some(parse(body, &resolve))
}

/// Builds the entries from the list items of the TOC's Markdown.
fn parse(text: &str, resolve: &dyn Fn(&str) -> Option<usize>) -> Toc {
    let mut toc = Toc {
        title: None,
        entries: Vec::new(),
    };
    let mut depth: usize = 0;
    let mut item: Option<ItemText> = None;
    let mut in_title = false;
    let mut title = String::new();
    for event in Parser::new_ext(text, Options::ENABLE_HEADING_ATTRIBUTES) {
        match event {
            Event::Start(Tag::Heading { .. }) if toc.title.is_none() && depth == 0 => {
                in_title = true
            }
            Event::End(TagEnd::Heading(_)) if in_title => {
                in_title = false;
                toc.title = Some(clean_label(&title));
            }
            Event::Start(Tag::List(_)) => {
                flush(&mut item, &mut toc.entries, depth, resolve);
                depth += 1;
            }
            Event::End(TagEnd::List(_)) => depth = depth.saturating_sub(1),
            Event::Start(Tag::Item) => item = Some(ItemText::default()),
            Event::End(TagEnd::Item) => flush(&mut item, &mut toc.entries, depth, resolve),
            Event::Start(Tag::Link { dest_url, .. }) => {
                if let Some(item) = &mut item {
                    item.link.get_or_insert_with(|| dest_url.to_string());
                }
            }
            Event::Text(text) | Event::Code(text) => {
                if in_title {
                    title.push_str(&text);
                } else if let Some(item) = &mut item {
                    item.text.push_str(&text);
                }
            }
            _ => {}
        }
    }
    toc
}

#[derive(Default)]
struct ItemText {
    text: String,
    link: Option<String>,
}

/// Ends the current item's own line (before its sublist or at its end).
fn flush(
    item: &mut Option<ItemText>,
    entries: &mut Vec<Entry>,
    depth: usize,
    resolve: &dyn Fn(&str) -> Option<usize>,
) {
    let Some(done) = item.take() else { return };
    let label = clean_label(&done.text);
    if label.is_empty() && done.link.is_none() {
        return;
    }
    let page = done.link.as_deref().and_then(resolve);
    entries.push(Entry {
        page,
        label: Some(label),
        depth: depth.saturating_sub(1),
    });
}

/// Link texts and labels as plain text: no `{#id}`, no inline tokens.
fn clean_label(text: &str) -> String {
    let text = text.trim();
    let text = match text.rsplit_once(" {") {
        Some((label, attributes)) if attributes.ends_with('}') => label,
        _ => text,
    };
    crate::read::clean_title(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOC: &str = "# Aide EXL {#aide-exl}\n\n+ [Les encadrés](alerts.md)\n+ Contenu {#contenu}\n  + [Les [!UICONTROL jetons]](tokens.md)\n  + [Absente](missing.md)\n+ Mise en page {#mise-en-page}\n  - [Onglets](/help/tabs.md)\n";

    #[test]
    fn reads_the_tree_with_groups_and_resolved_links() {
        let resolve = |dest: &str| match dest {
            "alerts.md" => Some(1),
            "tokens.md" => Some(2),
            "/help/tabs.md" => Some(3),
            _ => None,
        };
        let toc = parse(TOC, &resolve);
        assert_eq!(toc.title.as_deref(), Some("Aide EXL"));
        let seen: Vec<(Option<usize>, &str, usize)> = toc
            .entries
            .iter()
            .map(|e| (e.page, e.label.as_deref().unwrap_or(""), e.depth))
            .collect();
        assert_eq!(
            seen,
            [
                (Some(1), "Les encadrés", 0),
                (None, "Contenu", 0),
                (Some(2), "Les jetons", 1),
                (None, "Absente", 1),
                (None, "Mise en page", 0),
                (Some(3), "Onglets", 1),
            ]
        );
    }
}
