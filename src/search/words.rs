//! The words a page is found by: each word of its text as the search
//! script will look it up, with the parts of compound words.
//!
//! Pagefind's WebAssembly normalises what the reader types the same way
//! before it looks the words up in the index, so these rules are part of the
//! index format: lowercase, only letters, digits and the connector marks
//! below, accents taken off (the accented form is kept beside it, so an exact
//! match ranks first), then the stem of the page's language.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use convert_case::{Case, Casing};
use pagefind_stem::{Algorithm, Stemmer};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::{decompose_canonical, is_combining_mark};
use unicode_segmentation::UnicodeSegmentation;

/// Characters kept inside a word besides letters and digits: the low line
/// and the other connector punctuation of Unicode. The search script reads
/// the same list from `pagefind-entry.json`.
pub(super) const WORD_SYMBOLS: [char; 10] = [
    '_', '\u{203F}', '\u{2040}', '\u{2054}', '\u{FE33}', '\u{FE34}', '\u{FE4D}', '\u{FE4E}',
    '\u{FE4F}', '\u{FF3F}',
];

/// Longest tail after a dot (`config.is_python_build`) indexed on its own.
const DOTTED_TAIL_CHARS: usize = 64;

/// Longest katakana suffix indexed on its own.
const KATAKANA_SUFFIX_CHARS: usize = 16;

/// One entry of the index for a word of the text.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct IndexWord {
    /// The form looked up: normalised, without accents, stemmed.
    pub stem: String,
    /// A part of a compound word (`b2b` in `B2B-Commerce`): it shares the
    /// word's weight with the other parts.
    pub compound_part: bool,
    /// The word with its accents, when taking them off changed it.
    pub accented: Option<String>,
}

/// The stemmer of a language tag (`fr`, `pt-br`), if Pagefind's search
/// script has one: words are stemmed at indexing only where the reader's
/// query will be stemmed the same way.
pub(super) fn stemmer_for(language: &str) -> Option<Stemmer> {
    let algorithm = match language.split('-').next().unwrap_or(language) {
        "ar" => Algorithm::Arabic,
        "hy" => Algorithm::Armenian,
        "eu" => Algorithm::Basque,
        "ca" => Algorithm::Catalan,
        "da" => Algorithm::Danish,
        "nl" => Algorithm::Dutch,
        "en" => Algorithm::English,
        "eo" => Algorithm::Esperanto,
        "et" => Algorithm::Estonian,
        "fi" => Algorithm::Finnish,
        "fr" => Algorithm::French,
        "de" => Algorithm::German,
        "el" => Algorithm::Greek,
        "hi" => Algorithm::Hindi,
        "hu" => Algorithm::Hungarian,
        "id" => Algorithm::Indonesian,
        "ga" => Algorithm::Irish,
        "it" => Algorithm::Italian,
        "lt" => Algorithm::Lithuanian,
        "nb" | "nn" | "no" => Algorithm::Norwegian,
        "ne" => Algorithm::Nepali,
        "pt" => Algorithm::Portuguese,
        "ro" => Algorithm::Romanian,
        "ru" => Algorithm::Russian,
        "sr" => Algorithm::Serbian,
        "pl" => Algorithm::Polish,
        "es" => Algorithm::Spanish,
        "sv" => Algorithm::Swedish,
        "ta" => Algorithm::Tamil,
        "tr" => Algorithm::Turkish,
        "yi" => Algorithm::Yiddish,
        _ => return None,
    };
    Some(Stemmer::create(algorithm))
}

/// Words a thread has read, and their entries, in one language: a site's
/// pages share most of their words, and working out a word's entries
/// (stemming above all) is most of the work of indexing.
pub(super) struct WordBook {
    stemmer: Option<Stemmer>,
    words: HashMap<Box<str>, Rc<[IndexWord]>>,
}

/// Words a book keeps before it starts again, so that a site of many
/// distinct words (codes, numbers) does not fill the memory.
const BOOK_WORDS: usize = 200_000;

impl WordBook {
    fn new(language: &str) -> Self {
        WordBook {
            stemmer: stemmer_for(language),
            words: HashMap::new(),
        }
    }

    /// [`index_words`] of `raw`, from the book when it was read before.
    pub(super) fn entries_of(&mut self, raw: &str) -> Rc<[IndexWord]> {
        if let Some(words) = self.words.get(raw) {
            return Rc::clone(words);
        }
        if self.words.len() >= BOOK_WORDS {
            self.words.clear();
        }
        let words: Rc<[IndexWord]> = index_words(raw, self.stemmer.as_ref()).into();
        self.words.insert(raw.into(), Rc::clone(&words));
        words
    }
}

thread_local! {
    static BOOKS: RefCell<HashMap<String, WordBook>> = RefCell::new(HashMap::new());
}

/// Runs `read` with this thread's book of words in `language`.
pub(super) fn with_word_book<T>(language: &str, read: impl FnOnce(&mut WordBook) -> T) -> T {
    BOOKS.with(|books| {
        let mut books = books.borrow_mut();
        if !books.contains_key(language) {
            books.insert(language.to_string(), WordBook::new(language));
        }
        let book = books.get_mut(language).expect("inserted above");
        read(book)
    })
}

/// The entries of one whitespace-separated word of the text: the word
/// itself, then katakana suffixes, the parts of a compound word (split at
/// punctuation and case changes) and any emoji in it, then the compound
/// tails after its dots.
pub(super) fn index_words(raw: &str, stemmer: Option<&Stemmer>) -> Vec<IndexWord> {
    let mut words = Vec::new();
    let normalized = normalize(raw);
    if !normalized.is_empty() {
        words.push(stem(&normalized, stemmer, false));
    }
    for suffix in katakana_suffixes(raw) {
        let plain = strip_accents(suffix);
        words.push(IndexWord {
            stem: plain.clone().unwrap_or_else(|| suffix.to_string()),
            compound_part: true,
            accented: plain.map(|_| suffix.to_string()),
        });
    }
    if may_be_compound(raw) {
        push_compound_parts(raw, &normalized, stemmer, &mut words);
    }
    let tails = dotted_tails(raw, stemmer, &words);
    words.extend(tails);
    words
}

/// Punctuation inside, or a capital after the first letter.
fn may_be_compound(word: &str) -> bool {
    word.chars().any(|c| !c.is_alphanumeric()) || word.chars().skip(1).any(char::is_uppercase)
}

/// The parts of a compound word of two characters or more, when splitting
/// gives more than the word itself, and the emoji it holds.
fn push_compound_parts(
    raw: &str,
    normalized: &str,
    stemmer: Option<&Stemmer>,
    words: &mut Vec<IndexWord>,
) {
    let parts = raw
        .replace(|c: char| c.is_ascii_punctuation(), " ")
        .to_case(Case::Lower)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let splits = parts.contains(char::is_whitespace) || !normalized.starts_with(&parts);
    if !normalized.is_empty() && splits {
        for part in parts.split_whitespace().filter(|part| part.len() > 1) {
            let plain = strip_accents(part);
            let looked_up = plain.as_deref().unwrap_or(part);
            words.push(IndexWord {
                stem: stem_form(looked_up, stemmer).into_owned(),
                compound_part: true,
                accented: plain.as_ref().map(|_| part.to_string()),
            });
        }
    }
    if !raw.is_ascii() {
        let emoji = raw.graphemes(true).filter(|g| emojis::get(g).is_some());
        words.extend(emoji.map(|g| IndexWord {
            stem: g.to_string(),
            compound_part: false,
            accented: None,
        }));
    }
}

/// The compound tails after each dot of a word (`is_python_build` of
/// `sysconfig.is_python_build`), when not already an entry.
fn dotted_tails(raw: &str, stemmer: Option<&Stemmer>, existing: &[IndexWord]) -> Vec<IndexWord> {
    let mut tails = Vec::new();
    if !raw.contains('.') {
        return tails;
    }
    let known: HashSet<&str> = existing.iter().map(|w| w.stem.as_str()).collect();
    let mut seen: HashSet<String> = HashSet::new();
    for (at, _) in raw.match_indices('.') {
        let rest = &raw[at + 1..];
        let tail = match rest.char_indices().nth(DOTTED_TAIL_CHARS) {
            Some((end, _)) => &rest[..end],
            None => rest,
        };
        // A plain tail is already an entry, as the last compound part.
        if !may_be_compound(tail) {
            continue;
        }
        let normalized = normalize(tail);
        if normalized.chars().count() < 2 {
            continue;
        }
        let word = stem(&normalized, stemmer, true);
        if !known.contains(word.stem.as_str()) && seen.insert(word.stem.clone()) {
            tails.push(word);
        }
    }
    tails
}

/// Lowercase letters, digits and [`WORD_SYMBOLS`] of a word; the rest goes.
pub(super) fn normalize(raw: &str) -> String {
    let mut word = String::with_capacity(raw.len());
    for c in raw.chars() {
        if c.is_alphanumeric() || WORD_SYMBOLS.contains(&c) {
            if c.is_ascii() {
                word.push(c.to_ascii_lowercase());
            } else if c.is_uppercase() {
                word.extend(c.to_lowercase());
            } else {
                word.push(c);
            }
        }
    }
    word
}

/// The entry of a normalised word: accents off, then stemmed.
fn stem(normalized: &str, stemmer: Option<&Stemmer>, compound_part: bool) -> IndexWord {
    let plain = strip_accents(normalized);
    let looked_up = plain.as_deref().unwrap_or(normalized);
    IndexWord {
        stem: stem_form(looked_up, stemmer).into_owned(),
        compound_part,
        accented: plain.map(|_| normalized.to_string()),
    }
}

fn stem_form<'a>(word: &'a str, stemmer: Option<&Stemmer>) -> Cow<'a, str> {
    match stemmer {
        Some(stemmer) => stemmer.stem(word),
        None => Cow::Borrowed(word),
    }
}

/// Katakana runs have no word breaks the index could use: every suffix of
/// two characters or more is an entry, so a query for a part of the run
/// finds it by prefix.
fn katakana_suffixes(word: &str) -> Vec<&str> {
    if word.chars().count() < 3 || !word.chars().all(is_katakana) {
        return Vec::new();
    }
    let mut seen = HashSet::new();
    let mut suffixes = Vec::new();
    for (at, _) in word.char_indices().skip(1) {
        let rest = &word[at..];
        let suffix = match rest.char_indices().nth(KATAKANA_SUFFIX_CHARS) {
            Some((end, _)) => &rest[..end],
            None => rest,
        };
        if suffix.chars().count() >= 2 && seen.insert(suffix) {
            suffixes.push(suffix);
        }
    }
    suffixes
}

fn is_katakana(c: char) -> bool {
    matches!(c as u32, 0x30A1..=0x30FA | 0x30FC..=0x30FF | 0x31F0..=0x31FF | 0xFF66..=0xFF9F)
}

/// The word without its accents (`café` -> `cafe`), or `None` when it has
/// none. The kana voicing marks stay: they tell words apart.
fn strip_accents(word: &str) -> Option<String> {
    if word.is_ascii() || !has_decomposition(word) {
        return None;
    }
    let is_voicing = |c: char| matches!(c, '\u{3099}' | '\u{309A}');
    let stripped: String = word
        .nfd()
        .filter(|&c| !is_combining_mark(c) || is_voicing(c))
        .collect();
    // Kana are composed again so that バンド and ハンド stay apart; the
    // rest stays decomposed, so a half-typed Hangul syllable is a prefix.
    let stripped = if stripped.chars().any(is_voicing) {
        stripped.nfc().collect()
    } else {
        stripped
    };
    (stripped != word).then_some(stripped)
}

fn has_decomposition(word: &str) -> bool {
    word.chars().any(|c| {
        let mut decomposes = is_combining_mark(c);
        decompose_canonical(c, |part| decomposes |= part != c);
        decomposes
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stems(raw: &str, language: &str) -> Vec<String> {
        let stemmer = stemmer_for(language);
        index_words(raw, stemmer.as_ref())
            .into_iter()
            .map(|w| w.stem)
            .collect()
    }

    #[test]
    fn a_plain_word_is_lowercased_and_stemmed() {
        assert_eq!(stems("Kunden,", "de"), ["kund"]);
        assert_eq!(stems("paiements", "fr"), ["pai"]);
    }

    #[test]
    fn accents_come_off_and_the_accented_form_is_kept() {
        let words = index_words("Kundtjänst", stemmer_for("sv").as_ref());
        assert_eq!(words[0].stem, "kundtjanst");
        assert_eq!(words[0].accented.as_deref(), Some("kundtjänst"));
    }

    #[test]
    fn compound_words_give_their_parts() {
        assert_eq!(
            stems("Self-Service", "en"),
            ["selfservic", "self", "servic"]
        );
        assert_eq!(stems("camelCase", "xx"), ["camelcase", "camel", "case"]);
    }

    #[test]
    fn a_dotted_name_gives_its_compound_tail() {
        let all = stems("sysconfig.is_python_build", "xx");
        assert!(all.contains(&"is_python_build".to_string()), "{all:?}");
    }

    #[test]
    fn punctuation_alone_gives_nothing() {
        assert!(stems("—", "en").is_empty());
    }
}
