//! Relative links in included text, rewritten for the page that includes it.
//!
//! `[x](../tokens.md)` in `help/_includes/note.md` points at `help/tokens.md`;
//! once the text sits in `help/guide/page.md` the same link has to read
//! `../tokens.md` again from there. Only inline links and images whose
//! destination is written as-is in the source are rewritten; absolute URLs,
//! site-absolute paths, anchors and reference-style links are left alone.

use std::ops::Range;

use pulldown_cmark::{Event, LinkType, Tag};

use crate::markdown::syntax::parser;

/// Rewrites the relative destinations of `text`, written in folder `from`,
/// so they point at the same files from folder `to` (both relative to the
/// language folder, `/`-separated, `""` for the language folder itself).
pub(crate) fn rebase_links(text: &str, from: &str, to: &str) -> String {
    if from == to || !text.contains("](") {
        return text.to_string();
    }
    let mut edits: Vec<(Range<usize>, String)> = Vec::new();
    for (event, range) in parser(text).into_offset_iter() {
        let (Event::Start(Tag::Link {
            link_type: LinkType::Inline,
            dest_url,
            ..
        })
        | Event::Start(Tag::Image {
            link_type: LinkType::Inline,
            dest_url,
            ..
        })) = event
        else {
            continue;
        };
        if !is_relative(&dest_url) {
            continue;
        }
        let source = &text[range.clone()];
        let (Some(at), Some(rebased)) = (
            destination_offset(source, &dest_url),
            rebase(&dest_url, from, to),
        ) else {
            continue;
        };
        let start = range.start + at;
        edits.push((start..start + dest_url.len(), rebased));
    }
    edits.sort_by_key(|(range, _)| range.start);
    let mut out = String::with_capacity(text.len() + edits.len() * 3);
    let mut done = 0;
    for (range, rebased) in edits {
        if range.start < done {
            continue;
        }
        out.push_str(&text[done..range.start]);
        out.push_str(&rebased);
        done = range.end;
    }
    out.push_str(&text[done..]);
    out
}

/// A path relative to the current folder: no scheme, not site-absolute,
/// not an anchor or query on the same page.
fn is_relative(dest: &str) -> bool {
    let path_end = dest.find(['/', '?', '#']).unwrap_or(dest.len());
    let has_scheme = dest.find(':').is_some_and(|colon| colon < path_end);
    !(dest.is_empty() || dest.starts_with(['/', '#', '?', '\\']) || has_scheme)
}

/// Where the destination starts in the source of an inline link: after the
/// last `](` (and an optional `<`) that is followed by it as written.
fn destination_offset(link_source: &str, dest: &str) -> Option<usize> {
    link_source.rmatch_indices("](").find_map(|(index, _)| {
        let after = &link_source[index + 2..];
        let trimmed = after.trim_start();
        let bracket = usize::from(trimmed.starts_with('<'));
        trimmed[bracket..]
            .starts_with(dest)
            .then_some(index + 2 + (after.len() - trimmed.len()) + bracket)
    })
}

/// `dest` written in `from`, as seen from `to`; `None` when it climbs out of
/// the language folder (then it is left as written).
fn rebase(dest: &str, from: &str, to: &str) -> Option<String> {
    let split = dest.find(['?', '#']).unwrap_or(dest.len());
    let (path, suffix) = dest.split_at(split);
    if path.is_empty() {
        return None;
    }
    let target = normalize(&format!("{from}/{path}"))?;
    let base = normalize(to)?;
    let common = target.iter().zip(&base).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<&str> = vec![".."; base.len() - common];
    parts.extend(target[common..].iter().map(String::as_str));
    let mut rebased = parts.join("/");
    if path.ends_with('/') && !rebased.is_empty() {
        rebased.push('/');
    }
    if rebased.is_empty() {
        rebased.push('.');
    }
    Some(rebased + suffix)
}

fn normalize(path: &str) -> Option<Vec<String>> {
    let mut parts: Vec<String> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other.to_string()),
        }
    }
    Some(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_links_follow_the_text() {
        let text = "Voir [jetons](../tokens.md#haut) et ![icône](<../assets/i.png> \"t\").\n\n[ext](https://example.org/a.md) [ancre](#x) [abs](/help/a.md) [ref][r]\n\n[r]: ../ref.md\n";
        let rebased = rebase_links(text, "help/_includes", "help/guide");
        assert_eq!(
            rebased,
            "Voir [jetons](../tokens.md#haut) et ![icône](<../assets/i.png> \"t\").\n\n[ext](https://example.org/a.md) [ancre](#x) [abs](/help/a.md) [ref][r]\n\n[r]: ../ref.md\n"
        );
        let rebased = rebase_links(text, "help/_includes", "help");
        assert!(
            rebased.starts_with("Voir [jetons](tokens.md#haut) et ![icône](<assets/i.png> \"t\")"),
            "{rebased}"
        );
        let rebased = rebase_links("[a](x.md) [![i](i.png)](y.md)", "help/_includes", "");
        assert_eq!(
            rebased,
            "[a](help/_includes/x.md) [![i](help/_includes/i.png)](help/_includes/y.md)"
        );
    }

    #[test]
    fn links_that_leave_the_language_folder_are_kept() {
        assert_eq!(rebase("../../x.md", "help", "help/a"), None);
        assert_eq!(
            rebase("../x.md", "help/_includes", "help").as_deref(),
            Some("x.md")
        );
        assert_eq!(rebase("./", "help", "help").as_deref(), Some("."));
        assert!(!is_relative("mailto:a@b.c"));
        assert!(is_relative("a.md#x:y"));
    }
}
