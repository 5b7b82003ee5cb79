//! One page made ready for the index: the words at each position with their
//! weight, and the fragment the search script shows in a result (the text,
//! the title and other metadata, the anchors with where they start).

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::extract::{ANCHOR_MARK, AUTO_WEIGHT_MARK, PageText, WEIGHT_END_MARK, WEIGHT_MARK};
use super::words::{IndexWord, WordBook, with_word_book};

/// A word's weight is kept in 24ths: a weight of 1 is 24, the most (10) 240.
const WEIGHT_UNIT: f32 = 24.0;
const WEIGHT_MAX: f32 = 10.0;
/// The weight of ordinary text.
pub(super) const PLAIN_WEIGHT: u8 = 24;

/// One occurrence of an entry in the page's text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Occurrence {
    /// The word's number in the page's text, from 0.
    pub position: u32,
    pub weight: u8,
}

/// One occurrence in a metadata field (the title, the section).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct MetaOccurrence {
    /// The field's number among the page's own fields, in name order.
    pub field: u16,
    pub position: u32,
}

/// The occurrences of one entry, apart by the form the text had: `None`
/// for the entry's own form, `Some(form)` for an accented one.
#[derive(Debug, Default)]
pub(super) struct EntryOnPage {
    pub plain: Vec<Occurrence>,
    pub plain_meta: Vec<MetaOccurrence>,
    pub accented: BTreeMap<String, FormOccurrences>,
}

/// An accented form with its occurrences in the text and in metadata.
pub(super) type AccentedForm = (String, FormOccurrences);

impl EntryOnPage {
    /// The accented forms in the order the index lists them: those of the
    /// text first, then those only the metadata has, each in name order.
    pub(super) fn take_forms_in_order(&mut self) -> impl Iterator<Item = AccentedForm> {
        let (in_text, meta_only): (Vec<_>, Vec<_>) = std::mem::take(&mut self.accented)
            .into_iter()
            .partition(|(_, (text, _))| !text.is_empty());
        in_text.into_iter().chain(meta_only)
    }
}

/// An anchor as the fragment lists it.
#[derive(Debug, Clone, Serialize)]
pub(super) struct Anchor {
    pub element: String,
    pub id: String,
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    pub location: u32,
}

/// The fragment: what a search result shows of the page (JSON).
#[derive(Debug, Serialize)]
pub(super) struct Fragment {
    pub url: String,
    pub content: String,
    pub word_count: usize,
    pub filters: BTreeMap<String, Vec<String>>,
    pub meta: BTreeMap<String, String>,
    pub anchors: Vec<Anchor>,
}

/// A page ready for its language's index.
#[derive(Debug)]
pub(super) struct PageRecord {
    pub language: String,
    pub has_body: bool,
    /// The text has words (metadata alone does not make a page findable).
    pub has_words: bool,
    pub fragment: Fragment,
    pub sort: BTreeMap<String, String>,
    pub entries: HashMap<String, EntryOnPage>,
}

/// Counts the words of a page's text. `url` is what results link to.
pub(super) fn record(url: String, page: PageText) -> PageRecord {
    let language = page.language.clone();
    with_word_book(&language, |book| record_with(url, page, book))
}

fn record_with(url: String, page: PageText, book: &mut WordBook) -> PageRecord {
    let mut reader = TextReader {
        book,
        page: &page,
        entries: HashMap::new(),
        anchors: Vec::new(),
        content: String::with_capacity(page.digest.len()),
        weights: vec![PLAIN_WEIGHT],
        position: 0,
        last_position: 0,
    };
    for word in page.digest.split_whitespace() {
        reader.read(word);
    }
    if reader.content.ends_with(' ') {
        reader.content.pop();
    }
    let word_count = reader.last_position as usize + 1;
    let TextReader {
        mut entries,
        anchors,
        content,
        book,
        ..
    } = reader;
    let has_words = !entries.is_empty();
    add_meta_words(&mut entries, &page.meta, book);
    PageRecord {
        has_body: page.has_body,
        has_words,
        sort: page.sort,
        fragment: Fragment {
            url,
            content,
            word_count,
            filters: page.filters,
            meta: page.meta,
            anchors,
        },
        language: page.language,
        entries,
    }
}

struct TextReader<'a> {
    book: &'a mut WordBook,
    page: &'a PageText,
    entries: HashMap<String, EntryOnPage>,
    anchors: Vec<Anchor>,
    content: String,
    /// The weights of the elements the reader is in, innermost last.
    weights: Vec<u8>,
    position: u32,
    last_position: u32,
}

impl TextReader<'_> {
    fn read(&mut self, word: &str) {
        if word.starts_with('\u{F8F0}') && self.read_marker(word) {
            return;
        }
        // Zero-width spaces are boundaries some languages use; never text.
        let word = match word.contains('\u{200B}') {
            true => std::borrow::Cow::Owned(word.replace('\u{200B}', "")),
            false => std::borrow::Cow::Borrowed(word),
        };
        if word.is_empty() {
            return;
        }
        self.content.push_str(&word);
        self.content.push(' ');
        let weight = *self.weights.last().unwrap_or(&1);
        let words = self.book.entries_of(&word);
        let parts = words.iter().filter(|w| w.compound_part).count();
        // The parts of a compound word share its weight.
        let part_weight = if parts > 0 && weight > 0 {
            (weight / u8::try_from(parts).unwrap_or(u8::MAX)).max(1)
        } else {
            0
        };
        for IndexWord {
            stem,
            compound_part,
            accented,
        } in words.iter()
        {
            let weight = if *compound_part { part_weight } else { weight };
            let at = Occurrence {
                position: self.position,
                weight,
            };
            let entry = entry_of(&mut self.entries, stem);
            match accented {
                None => entry.plain.push(at),
                Some(form) => form_of(&mut entry.accented, form).0.push(at),
            }
        }
        self.last_position = self.position;
        self.position += 1;
    }

    /// Handles a marker word; `false` when the word only looks like one.
    fn read_marker(&mut self, word: &str) -> bool {
        if let Some(anchor) = word.strip_prefix(ANCHOR_MARK) {
            self.read_anchor(anchor);
        } else if let Some(weight) = word.strip_prefix(WEIGHT_MARK) {
            let weight = weight.parse::<f32>().unwrap_or(1.0);
            self.weights.push(if weight <= 0.0 {
                0
            } else {
                (scaled(weight)).max(1)
            });
        } else if let Some(weight) = word.strip_prefix(AUTO_WEIGHT_MARK) {
            // A heading inside an element with a weight takes that weight.
            let weight = if self.weights.len() == 1 {
                scaled(weight.parse::<f32>().unwrap_or(1.0))
            } else {
                *self.weights.last().unwrap_or(&0)
            };
            self.weights.push(weight);
        } else if word == WEIGHT_END_MARK {
            self.weights.pop();
        } else {
            return false;
        }
        true
    }

    /// `h2:3:pricing`: an anchor starts at the next word.
    fn read_anchor(&mut self, anchor: &str) {
        let Some((element, key)) = anchor.split_once(':') else {
            return;
        };
        let Some((_, id)) = key.split_once(':') else {
            return;
        };
        // Normalised twice, entities decoded twice, as Pagefind does: the
        // fragment must be the one its indexer writes.
        let text = self
            .page
            .anchor_text
            .get(key)
            .map(|t| super::extract::normalize_text(t))
            .unwrap_or_default();
        self.anchors.push(Anchor {
            element: element.to_string(),
            id: id.to_string(),
            text: super::extract::normalize_text(&text),
            title: self.page.anchor_titles.get(key).cloned(),
            location: self.position,
        });
    }
}

fn scaled(weight: f32) -> u8 {
    (weight.clamp(0.0, WEIGHT_MAX) * WEIGHT_UNIT) as u8
}

/// The words of the metadata fields, so a title or section finds the page.
fn add_meta_words(
    entries: &mut HashMap<String, EntryOnPage>,
    meta: &BTreeMap<String, String>,
    book: &mut WordBook,
) {
    for (field, value) in meta.values().enumerate() {
        for (position, word) in value.split_whitespace().enumerate() {
            for found in book.entries_of(word).iter() {
                let at = MetaOccurrence {
                    field: field as u16,
                    position: position as u32,
                };
                let entry = entry_of(entries, &found.stem);
                match &found.accented {
                    None => entry.plain_meta.push(at),
                    Some(form) => form_of(&mut entry.accented, form).1.push(at),
                }
            }
        }
    }
}

/// The page's entry for `stem`, made if it is the first; the key is copied
/// only then.
fn entry_of<'a>(entries: &'a mut HashMap<String, EntryOnPage>, stem: &str) -> &'a mut EntryOnPage {
    if !entries.contains_key(stem) {
        entries.insert(stem.to_string(), EntryOnPage::default());
    }
    entries.get_mut(stem).expect("inserted above")
}

/// A form's occurrences in the text and in metadata.
pub(super) type FormOccurrences = (Vec<Occurrence>, Vec<MetaOccurrence>);

fn form_of<'a>(
    forms: &'a mut BTreeMap<String, FormOccurrences>,
    form: &str,
) -> &'a mut FormOccurrences {
    if !forms.contains_key(form) {
        forms.insert(form.to_string(), FormOccurrences::default());
    }
    forms.get_mut(form).expect("inserted above")
}

/// Positions as the index stores them: grouped by weight, each group's
/// positions as differences from the previous one; a group starts with its
/// weight as a negative number (`-w - 1`), then its first position itself.
/// The packing takes 25 as the weight a list starts with (so the plain 24
/// is marked too), as Pagefind writes it.
pub(super) fn packed_positions(mut occurrences: Vec<Occurrence>) -> Vec<i32> {
    const START_WEIGHT: u8 = 25;
    occurrences.sort_by_key(|o| {
        let weight = if o.weight == START_WEIGHT {
            0
        } else {
            o.weight
        };
        (weight, o.position)
    });
    let mut packed = Vec::with_capacity(occurrences.len() + 2);
    let mut weight = START_WEIGHT;
    let mut last = 0;
    for o in occurrences {
        if o.weight != weight {
            packed.push(-(i32::from(o.weight)) - 1);
            packed.push(o.position as i32);
            weight = o.weight;
        } else {
            packed.push((o.position - last) as i32);
        }
        last = o.position;
    }
    packed
}

/// Metadata positions as the index stores them: a field's number as a
/// negative number (`-f - 1`), then its positions as differences.
pub(super) fn packed_meta_positions(mut occurrences: Vec<MetaOccurrence>) -> Vec<i32> {
    occurrences.sort_by_key(|o| (o.field, o.position));
    let mut packed = Vec::with_capacity(occurrences.len() + 4);
    let mut field = None;
    let mut last = 0;
    for o in occurrences {
        if field != Some(o.field) {
            packed.push(-(i32::from(o.field)) - 1);
            field = Some(o.field);
            last = 0;
        }
        packed.push((o.position - last) as i32);
        last = o.position;
    }
    packed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::extract::page_text;

    fn page(html: &str) -> PageRecord {
        record("/p/".into(), page_text(html.as_bytes()).unwrap())
    }

    #[test]
    fn headings_weigh_more_and_anchors_start_at_their_word() {
        let record = page(
            r#"<html lang="en"><body><article data-pagefind-body><h1>Pricing</h1><p>Plans and prices.</p><h2 id="b2b">B2B plans</h2></article></body></html>"#,
        );
        let pricing = &record.entries["price"];
        assert_eq!(
            pricing.plain,
            [
                Occurrence {
                    position: 0,
                    weight: 7 * 24
                },
                Occurrence {
                    position: 3,
                    weight: 24
                },
            ]
        );
        assert_eq!(record.fragment.anchors[0].id, "b2b");
        assert_eq!(record.fragment.anchors[0].location, 4);
        assert_eq!(record.fragment.anchors[0].text, "B2B plans");
        assert_eq!(
            record.fragment.content,
            "Pricing. Plans and prices. B2B plans."
        );
        assert_eq!(record.fragment.word_count, 6);
        assert_eq!(record.fragment.meta["title"], "Pricing");
    }

    #[test]
    fn positions_are_packed_with_weight_changes() {
        let at = |position, weight| Occurrence { position, weight };
        assert_eq!(
            packed_positions(vec![at(5, 24), at(0, 168), at(9, 24)]),
            [-25, 5, 4, -169, 0]
        );
    }

    #[test]
    fn meta_positions_are_packed_by_field() {
        let at = |field, position| MetaOccurrence { field, position };
        assert_eq!(
            packed_meta_positions(vec![at(1, 2), at(0, 0), at(0, 5)]),
            [-1, 0, 5, -2, 2]
        );
    }
}
