//! What survives translation: the shape of a page (headings, lists, tables)
//! and the tokens translators leave alone (numbers, codes such as `B2B` or
//! `24/7`, link targets, image names). Two translations of one page have
//! nearly the same fingerprint whatever their language.

use std::collections::BTreeMap;

use crate::model::Fingerprint;
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

impl Fingerprint {
    pub fn of_markdown(markdown: &str) -> Fingerprint {
        let mut collector = Collector::default();
        for event in Parser::new_ext(
            markdown,
            Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
        ) {
            collector.take(event);
        }
        collector.fingerprint
    }
}

#[derive(Default)]
struct Collector {
    fingerprint: Fingerprint,
    /// Item counts of the lists currently open (nested lists count apart).
    open_lists: Vec<usize>,
    table_rows: usize,
    table_columns: usize,
    in_table_head: bool,
}

impl Collector {
    fn take(&mut self, event: Event) {
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(text) | Event::Code(text) => self.text(&text),
            _ => {}
        }
    }

    fn start(&mut self, tag: Tag) {
        match tag {
            Tag::Heading { level, .. } => self.fingerprint.headings.push(level as u8),
            Tag::List(_) => self.open_lists.push(0),
            Tag::Item => {
                if let Some(count) = self.open_lists.last_mut() {
                    *count += 1;
                }
            }
            Tag::Table(alignments) => {
                self.table_rows = 0;
                self.table_columns = alignments.len();
            }
            Tag::TableHead => self.in_table_head = true,
            Tag::TableRow if !self.in_table_head => self.table_rows += 1,
            Tag::Link { dest_url, .. } => {
                self.add_token(format!("link:{}", target_name(&dest_url)))
            }
            Tag::Image { dest_url, .. } => {
                self.add_token(format!("image:{}", target_name(&dest_url)))
            }
            _ => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::List(_) => {
                if let Some(count) = self.open_lists.pop() {
                    self.fingerprint.lists.push(count);
                }
            }
            TagEnd::TableHead => self.in_table_head = false,
            TagEnd::Table => self
                .fingerprint
                .tables
                .push((self.table_rows, self.table_columns)),
            _ => {}
        }
    }

    fn text(&mut self, text: &str) {
        for word in text.split(|c: char| c.is_whitespace()) {
            let word = word.trim_matches(|c: char| !c.is_alphanumeric());
            if word.is_empty() {
                continue;
            }
            self.fingerprint.words += 1;
            for part in word.split(['-', '\'', '’', '(', ')']) {
                if is_invariant(part) {
                    self.add_token(part.to_string());
                }
            }
        }
    }

    fn add_token(&mut self, token: String) {
        *self.fingerprint.tokens.entry(token).or_default() += 1;
    }
}

/// Numbers (`24/7`, `2022`, `3.5`) and codes (`B2B`, `CTA`, `SKU`): words
/// with a digit, or two or more capitals and no lowercase letter.
fn is_invariant(word: &str) -> bool {
    let has_digit = word.chars().any(|c| c.is_ascii_digit());
    let capitals = word.chars().filter(|c| c.is_uppercase()).count();
    let has_lower = word.chars().any(char::is_lowercase);
    has_digit || (capitals >= 2 && !has_lower)
}

/// The last path segment of a link, without fragment: `../b2b/x.md#a` -> `x.md`.
fn target_name(dest: &str) -> String {
    let dest = dest.split(['#', '?']).next().unwrap_or(dest);
    let dest = dest.trim_end_matches('/');
    dest.rsplit('/').next().unwrap_or(dest).to_string()
}

/// How alike two fingerprints are, from 0 to 1. Parts that both pages lack
/// (no tables in either) do not count; a part only one has counts as 0.
pub fn similarity(a: &Fingerprint, b: &Fingerprint) -> f64 {
    let parts = [
        (0.35, token_similarity(&a.tokens, &b.tokens)),
        (0.20, sequence_similarity(&a.lists, &b.lists)),
        (0.20, sequence_similarity(&a.tables, &b.tables)),
        (0.10, sequence_similarity(&a.headings, &b.headings)),
        (0.15, length_similarity(a.words, b.words)),
    ];
    let (weight, score) = parts
        .iter()
        .filter_map(|&(weight, score)| score.map(|s| (weight, weight * s)))
        .fold((0.0, 0.0), |(w, s), (dw, ds)| (w + dw, s + ds));
    if weight == 0.0 { 0.0 } else { score / weight }
}

/// Dice coefficient of two multisets.
fn token_similarity(a: &BTreeMap<String, usize>, b: &BTreeMap<String, usize>) -> Option<f64> {
    let (size_a, size_b): (usize, usize) = (a.values().sum(), b.values().sum());
    if size_a + size_b == 0 {
        return None;
    }
    let shared: usize = a
        .iter()
        .map(|(token, &n)| n.min(b.get(token).copied().unwrap_or(0)))
        .sum();
    Some(2.0 * shared as f64 / (size_a + size_b) as f64)
}

/// 1 minus the edit distance over the longer length.
fn sequence_similarity<T: PartialEq>(a: &[T], b: &[T]) -> Option<f64> {
    let longest = a.len().max(b.len());
    if longest == 0 {
        return None;
    }
    Some(1.0 - edit_distance(a, b) as f64 / longest as f64)
}

fn edit_distance<T: PartialEq>(a: &[T], b: &[T]) -> usize {
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, item_a) in a.iter().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, item_b) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(item_a != item_b);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

/// Translations differ in length, but rarely by more than a third.
fn length_similarity(a: usize, b: usize) -> Option<f64> {
    let (short, long) = (a.min(b), a.max(b));
    if long == 0 {
        return None;
    }
    Some(short as f64 / long as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FR: &str = "# Qu’est-ce que B2B ?\n\nB2B et B2C, 24/7.\n\n- un\n- deux\n\n## Résumé\n\n| Variable | B2B | B2C |\n|---|---|---|\n| CTA | a | b |\n| Prix | c | d |\n";
    const NL: &str = "# Wat is B2B?\n\nB2B en B2C, 24/7.\n\n- een\n- twee\n\n## Samenvatting\n\n| Variabele | B2B | B2C |\n|---|---|---|\n| CTA | a | b |\n| Prijs | c | d |\n";

    #[test]
    fn collects_structure_and_invariant_tokens() {
        let fp = Fingerprint::of_markdown(FR);
        assert_eq!(fp.headings, [1, 2]);
        assert_eq!(fp.lists, [2]);
        assert_eq!(fp.tables, [(2, 3)]);
        assert_eq!(fp.tokens.get("B2B"), Some(&3));
        assert_eq!(fp.tokens.get("24/7"), Some(&1));
        assert_eq!(fp.tokens.get("CTA"), Some(&1));
        assert!(!fp.tokens.contains_key("Prix"));
    }

    #[test]
    fn translations_are_alike_and_other_pages_are_not() {
        let (fr, nl) = (Fingerprint::of_markdown(FR), Fingerprint::of_markdown(NL));
        assert!(similarity(&fr, &nl) > 0.9, "{}", similarity(&fr, &nl));
        let other = Fingerprint::of_markdown(
            "## Prix\n\nLe client est roi. Rien à voir, 1998.\n\n## Fin\n\n## Autre\n",
        );
        assert!(similarity(&fr, &other) < 0.4, "{}", similarity(&fr, &other));
    }

    #[test]
    fn link_targets_and_images_count_by_name() {
        let fp = Fingerprint::of_markdown("[x](../a/b.md#top) ![i](img/shot.png)");
        assert_eq!(fp.tokens.get("link:b.md"), Some(&1));
        assert_eq!(fp.tokens.get("image:shot.png"), Some(&1));
    }

    #[test]
    fn edit_distance_counts_changes() {
        assert_eq!(edit_distance(&[1, 2, 3], &[1, 3]), 1);
        assert_eq!(edit_distance::<u8>(&[], &[1, 2]), 2);
        assert_eq!(sequence_similarity::<u8>(&[], &[]), None);
    }
}
