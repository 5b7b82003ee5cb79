//! Language detection for pages whose language neither front matter nor path
//! gives, as in a flat dump of translated files handed to `tolk import`.
//!
//! The statistics come from the `lingua` crate (n-gram models for each
//! language, compiled into the binary). This module adds what a
//! documentation site needs around it:
//!
//! - Markup and what translations leave in English are stripped before
//!   detection ([`prose_text`]): front matter but its title and
//!   description, code, URLs, e-mail addresses, HTML tags, table pipes,
//!   identifiers, and the UI labels and product names of Adobe's
//!   `[!UICONTROL …]` and `[!DNL …]`. They carry letters that belong to no
//!   language, or to English, and would pull translated pages towards it.
//!   Entities are decoded.
//! - The page is decided by paragraph and vote ([`Detector::detect`]), so an
//!   untranslated note or a list of English names weighs what its words
//!   weigh, no more.
//! - The choice is limited to the site's configured languages, and the
//!   answer is the configured tag (`fr-CA`, not lingua's `French`).
//! - Below a confidence threshold the page is undecided instead of guessed:
//!   an importer that lists a file as undecided costs the user one front
//!   matter line, a wrong guess costs a page published under the wrong
//!   language. Languages known to be another page's can be ruled out
//!   ([`Detector::rule_out`]), as translations of one page are each in a
//!   different language.

use lingua::{Language, LanguageDetector, LanguageDetectorBuilder};
use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};

use crate::config::language::{normalize_tag, primary_subtag};
use crate::read::front_matter;

/// The languages tolk ships a model for, by BCP 47 primary subtag. Each one
/// needs its `lingua` feature in Cargo.toml. A model adds about 5 MB to the
/// release binary (these seven take it from 6 MB to 43 MB), so the list
/// stays limited to the languages tolk's sites use.
const SHIPPED: &[(&str, Language)] = &[
    ("de", Language::German),
    ("en", Language::English),
    ("es", Language::Spanish),
    ("fr", Language::French),
    ("it", Language::Italian),
    ("nl", Language::Dutch),
    ("sv", Language::Swedish),
];

/// The confidence a language needs before a page is said to be written in it.
/// It is used twice: a paragraph votes only when lingua's confidence in it
/// reaches the threshold, and a page is decided only when its best
/// language's share of the vote does.
///
/// Measured on the labelled set in `tests/fixtures/langdetect` (84 files of
/// 20 to 1,190 words of prose in de, en, es, fr, it, nl and sv, the
/// detector restricted to those seven languages):
///
/// - Whole files are too easy to place a threshold: every file of 50 words
///   or more scores at least 0.997, and no best guess is wrong.
/// - So the files were also cut into runs of 3, 5, 8, 12, 20 and 30 words
///   (6,562 runs, each scored as a single paragraph). At 0.95 no run of 3
///   to 12 or of 30 words is decided wrongly. Two runs of 20 words are, at
///   any threshold up to 0.99: a French and an Italian run in which four of
///   the words are quoted English error messages (`Authentication
///   required`, `Gateway timeout`), which is what lingua reads. Below 0.90
///   short runs go wrong: at 0.85 six 3-word runs, at 0.80 thirteen runs of
///   3 to 8 words.
/// - At 0.95 two short files (24 words of English and 22 of Swedish release
///   notes full of product terms, scored 0.81 and 0.75) are undecided;
///   every other file is decided and right.
///
/// `cargo run --release --example detect_accuracy -- --snippets` prints
/// these figures again; `-- --flatten` measures the threshold on a real
/// guide flattened into a dump (see the README).
pub const DEFAULT_THRESHOLD: f64 = 0.95;

/// The outcome of detecting one text.
#[derive(Clone, Debug, PartialEq)]
pub struct Detection {
    /// The configured tag the text is written in (canonical BCP 47, such as
    /// `fr` or `fr-CA`); `None` when undecided: confidence below the
    /// threshold, too little of the text decided (see [`QUORUM`]), no text
    /// to judge, or two configured tags that share a primary language (see
    /// [`Detector::new`]).
    pub language: Option<String>,
    /// Confidence of the best-scoring tag, from 0 to 1: its share of the
    /// vote of the text's paragraphs (see [`Detector::detect`]). For a text
    /// in one language it is how sure lingua is; for a text that mixes
    /// languages it is roughly the share written in this one.
    pub confidence: f64,
    /// The second-best configured tag and its confidence, so an undecided
    /// file can be reported as "fr 0.52 or it 0.44".
    pub runner_up: Option<(String, f64)>,
    /// The best-scoring configured tag even when undecided: what a guess
    /// would have been. Equal to `language` when decided.
    pub best_guess: Option<String>,
    /// Words of prose left after markup was stripped, which is what the
    /// confidence was computed from.
    pub words: usize,
    /// The paragraphs' votes, kept so that the text can be decided again
    /// with some languages ruled out ([`Detector::rule_out`]).
    ballot: Ballot,
}

impl Detection {
    fn undecided(words: usize) -> Detection {
        Detection {
            language: None,
            confidence: 0.0,
            runner_up: None,
            best_guess: None,
            words,
            ballot: Ballot::default(),
        }
    }

    /// The share of the text's words in paragraphs that voted (see
    /// [`QUORUM`]).
    pub fn voting_share(&self) -> f64 {
        self.ballot.voting_words() as f64 / self.words.max(1) as f64
    }
}

/// How much of a text must be decided, as a share of its words, before the
/// text is: paragraphs below the threshold abstain, and a vote in which
/// most of the text abstained says little about the text.
pub const QUORUM: f64 = 0.5;

/// The votes of a text's paragraphs: each paragraph decided at the
/// threshold votes with its words, for every language in proportion to
/// lingua's confidence in it, so a single paragraph's vote is lingua's
/// answer for it.
#[derive(Clone, Debug, Default, PartialEq)]
struct Ballot {
    votes: Vec<Vote>,
}

#[derive(Clone, Debug, PartialEq)]
struct Vote {
    words: usize,
    /// lingua's confidence in each language, best first.
    confidences: Vec<(Language, f64)>,
}

impl Vote {
    /// The language the paragraph was decided as.
    fn language(&self) -> Option<Language> {
        self.confidences.first().map(|(language, _)| *language)
    }
}

impl Ballot {
    fn voting_words(&self) -> usize {
        self.votes.iter().map(|vote| vote.words).sum()
    }

    /// The votes without those of paragraphs decided as an `excluded`
    /// language.
    fn without(&self, excluded: &[Language]) -> Ballot {
        Ballot {
            votes: self
                .votes
                .iter()
                .filter(|vote| vote.language().is_some_and(|l| !excluded.contains(&l)))
                .cloned()
                .collect(),
        }
    }

    /// Each language's share of the vote: its confidences weighted by the
    /// voting paragraphs' words.
    fn shares(&self) -> Vec<(Language, f64)> {
        let words = self.voting_words().max(1) as f64;
        let mut shares: Vec<(Language, f64)> = Vec::new();
        for vote in &self.votes {
            let weight = vote.words as f64 / words;
            for &(language, confidence) in &vote.confidences {
                match shares.iter_mut().find(|(known, _)| *known == language) {
                    Some((_, share)) => *share += confidence * weight,
                    None => shares.push((language, confidence * weight)),
                }
            }
        }
        shares
    }
}

/// A configured tag that the detector can answer with.
#[derive(Clone, Debug)]
struct Target {
    tag: String,
    language: Language,
}

/// Detects which of a site's languages a text is written in. Build it once
/// and share it: it is `Sync`, and the models it loads are kept in memory
/// for the life of the process.
pub struct Detector {
    /// Tags that can be detected, canonical, in configured order (which
    /// breaks ties between tags of equal confidence).
    targets: Vec<Target>,
    /// Configured tags left out: invalid, or no shipped model.
    ignored: Vec<String>,
    /// `None` when no configured tag can be detected.
    lingua: Option<LanguageDetector>,
    threshold: f64,
}

impl std::fmt::Debug for Detector {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let tags: Vec<&str> = self
            .targets
            .iter()
            .map(|target| target.tag.as_str())
            .collect();
        formatter
            .debug_struct("Detector")
            .field("tags", &tags)
            .field("ignored", &self.ignored)
            .field("threshold", &self.threshold)
            .finish()
    }
}

impl Detector {
    /// A detector that chooses between `candidates`, BCP 47 tags such as a
    /// site's configured languages. Empty `candidates` means every language
    /// tolk ships ([`Detector::supported_tags`]).
    ///
    /// - Tags whose primary language has no shipped model (or that are not
    ///   valid tags) are ignored and listed by [`Detector::ignored_tags`]; a
    ///   text in such a language may then be detected as a similar configured
    ///   language, so an importer should warn about them.
    /// - A regional tag uses the model of its primary language (`fr-CA` is
    ///   detected as French) and is what the detection returns.
    /// - Two configured tags with the same primary language (`fr` and
    ///   `fr-CA`) cannot be told apart from text: a text in that language is
    ///   undecided, with the first configured of them as
    ///   [`Detection::best_guess`] and the second as [`Detection::runner_up`],
    ///   both with the same confidence.
    /// - With a single detectable language, lingua would only recognise text
    ///   through n-grams unique to that language, so the text is scored
    ///   against every shipped language instead, and the configured one is
    ///   decided only when it wins that comparison clearly.
    pub fn new(candidates: &[String]) -> Detector {
        let (targets, ignored) = if candidates.is_empty() {
            (all_shipped_targets(), Vec::new())
        } else {
            configured_targets(candidates)
        };
        Detector {
            lingua: build_lingua(&targets),
            targets,
            ignored,
            threshold: DEFAULT_THRESHOLD,
        }
    }

    /// The confidence a language needs for the text to be decided.
    pub fn threshold(&self) -> f64 {
        self.threshold
    }

    /// The same detector with another threshold, clamped to 0..=1. A
    /// threshold of 0.5 or less lets a near tie be decided.
    pub fn with_threshold(mut self, threshold: f64) -> Detector {
        self.threshold = threshold.clamp(0.0, 1.0);
        self
    }

    /// Configured tags that this detector cannot answer with.
    pub fn ignored_tags(&self) -> &[String] {
        &self.ignored
    }

    /// Detects the language of a page's text: Markdown, plain text or HTML
    /// fragments, with or without front matter. Markup is stripped first
    /// ([`prose_text`]).
    ///
    /// lingua's confidence for a whole page is a softmax over summed
    /// log-probabilities, which reaches 1.0 for any text of a few sentences,
    /// even one that is half French and half English; and an untranslated
    /// note or a list of English names in a translated page pulls the whole
    /// page towards English. So the text is decided by paragraph and vote:
    ///
    /// - it is cut into paragraphs of at least [`MIN_PARAGRAPH_WORDS`] words
    ///   (a heading or a two-word table cell joins the blocks after it);
    /// - each paragraph that lingua decides at the threshold votes with its
    ///   words, shared among the languages as lingua's confidences are; the
    ///   others abstain;
    /// - a language's confidence is its share of the vote, and the text is
    ///   decided only when the best share reaches the threshold and the
    ///   paragraphs that voted hold at least [`QUORUM`] of the words.
    ///
    /// When no paragraph reaches the threshold, every paragraph votes, so
    /// that the text still has a best guess; such a vote cannot reach the
    /// threshold, since no paragraph's confidence does.
    pub fn detect(&self, text: &str) -> Detection {
        let paragraphs = paragraphs(&prose_text(text));
        let words = paragraphs.iter().map(|paragraph| paragraph.words).sum();
        let Some(lingua) = &self.lingua else {
            return Detection::undecided(words);
        };
        if words == 0 {
            return Detection::undecided(words);
        }
        let scored = score_paragraphs(lingua, &paragraphs);
        let mut ballot = ballot_at(&scored, self.threshold);
        if ballot.votes.is_empty() {
            ballot = ballot_at(&scored, 0.0);
        }
        self.decide(ballot, words, &[])
    }

    /// Decides a detected text again, with the languages in `ruled_out`
    /// (configured tags) known not to be the text's: their paragraphs'
    /// votes are set aside, and the rest decide. The quorum still counts
    /// every word of the text, so a page mostly written in a ruled-out
    /// language is not placed in the language of its remaining paragraphs.
    ///
    /// This is how a translation group helps: a page whose partners are
    /// known to be in English and French is not in either.
    pub fn rule_out(&self, detection: &Detection, ruled_out: &[String]) -> Detection {
        if detection.ballot.votes.is_empty() {
            return detection.clone();
        }
        self.decide(detection.ballot.clone(), detection.words, ruled_out)
    }

    /// The primary tags of the languages tolk has models for.
    pub fn supported_tags() -> Vec<&'static str> {
        SHIPPED.iter().map(|(tag, _)| *tag).collect()
    }

    /// Configured targets with their confidence, best first; the sort is
    /// stable, so equal confidences keep the configured order.
    fn rank_targets<'a>(
        &self,
        targets: &[&'a Target],
        confidences: &[(Language, f64)],
    ) -> Vec<(&'a Target, f64)> {
        let confidence_of = |language: Language| {
            confidences
                .iter()
                .find(|(scored, _)| *scored == language)
                .map_or(0.0, |(_, confidence)| *confidence)
        };
        let mut ranked: Vec<(&Target, f64)> = targets
            .iter()
            .map(|target| (*target, confidence_of(target.language)))
            .collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
        ranked
    }

    /// Decides among the targets not in `ruled_out`, from the votes not for
    /// a language only they use.
    fn decide(&self, ballot: Ballot, words: usize, ruled_out: &[String]) -> Detection {
        let (remaining, excluded) = self.remaining_targets(ruled_out);
        let ballot = ballot.without(&excluded);
        let ranked = self.rank_targets(&remaining, &ballot.shares());
        let Some(&(best, confidence)) = ranked.first() else {
            return Detection::undecided(words);
        };
        let runner_up = ranked.get(1).copied();
        let shares_model = runner_up.is_some_and(|(second, _)| second.language == best.language);
        let quorate = ballot.voting_words() as f64 >= QUORUM * words as f64;
        let decided = confidence > 0.0 && confidence >= self.threshold && quorate && !shares_model;
        Detection {
            language: decided.then(|| best.tag.clone()),
            confidence,
            runner_up: runner_up.map(|(second, score)| (second.tag.clone(), score)),
            best_guess: (confidence > 0.0).then(|| best.tag.clone()),
            words,
            ballot,
        }
    }

    /// The targets whose tag is not in `ruled_out`, and the languages of
    /// the ruled-out ones that no remaining target uses.
    fn remaining_targets(&self, ruled_out: &[String]) -> (Vec<&Target>, Vec<Language>) {
        let (out, remaining): (Vec<&Target>, Vec<&Target>) = self
            .targets
            .iter()
            .partition(|target| ruled_out.contains(&target.tag));
        let excluded = out
            .iter()
            .map(|target| target.language)
            .filter(|language| !remaining.iter().any(|target| target.language == *language))
            .collect();
        (remaining, excluded)
    }
}

fn all_shipped_targets() -> Vec<Target> {
    SHIPPED
        .iter()
        .map(|(tag, language)| Target {
            tag: (*tag).to_string(),
            language: *language,
        })
        .collect()
}

/// Splits configured tags into detectable targets (canonical, deduplicated)
/// and ignored tags (as written).
fn configured_targets(candidates: &[String]) -> (Vec<Target>, Vec<String>) {
    let mut targets: Vec<Target> = Vec::new();
    let mut ignored = Vec::new();
    for raw in candidates {
        let Some(target) = target_for(raw) else {
            ignored.push(raw.clone());
            continue;
        };
        if !targets.iter().any(|known| known.tag == target.tag) {
            targets.push(target);
        }
    }
    (targets, ignored)
}

fn target_for(raw: &str) -> Option<Target> {
    let tag = normalize_tag(raw).ok()?;
    let primary = primary_subtag(&tag).to_ascii_lowercase();
    let language = shipped_language(&primary)?;
    Some(Target { tag, language })
}

fn shipped_language(primary: &str) -> Option<Language> {
    SHIPPED
        .iter()
        .find(|(tag, _)| *tag == primary)
        .map(|(_, language)| *language)
}

/// Builds lingua over the targets' languages (over every shipped language
/// when there is only one; see [`Detector::new`]). Models are preloaded:
/// they are memory-mapped from the binary, so this is cheap, and detection
/// times stay even across threads.
fn build_lingua(targets: &[Target]) -> Option<LanguageDetector> {
    let mut languages: Vec<Language> = targets.iter().map(|target| target.language).collect();
    languages.sort();
    languages.dedup();
    if languages.is_empty() {
        return None;
    }
    if languages.len() == 1 {
        languages = SHIPPED.iter().map(|(_, language)| *language).collect();
    }
    Some(
        LanguageDetectorBuilder::from_languages(&languages)
            .with_preloaded_language_models()
            .build(),
    )
}

/// Blocks shorter than this are joined to the next ones before scoring: a
/// heading or a table cell of two words says little about its language.
///
/// Measured on the flattened guide in `tests/fixtures/merchant-services`
/// and on the labelled set, with 10, 15, 20 and 25 words: every size
/// places the same pages but one or two, none wrongly. Below about 20
/// words (120 characters) lingua scores with smoother confidences, so
/// lists of short English UI names abstain and a table-heavy page can miss
/// the [`QUORUM`]; the scoring also takes twice as long at 10 words.
/// Longer paragraphs let one English sentence carry more translated words
/// into its vote.
pub const MIN_PARAGRAPH_WORDS: usize = 20;

/// A run of consecutive prose blocks, scored as one.
struct Paragraph {
    text: String,
    words: usize,
}

impl Paragraph {
    fn empty() -> Paragraph {
        Paragraph {
            text: String::new(),
            words: 0,
        }
    }
}

/// Cuts prose (one block a line) into paragraphs of at least
/// [`MIN_PARAGRAPH_WORDS`] words; a short remainder joins the last one.
fn paragraphs(prose: &str) -> Vec<Paragraph> {
    let mut paragraphs: Vec<Paragraph> = Vec::new();
    let mut current = Paragraph::empty();
    for block in prose.lines() {
        let words = count_words(block);
        if words == 0 {
            continue;
        }
        current.text.push_str(block);
        current.text.push('\n');
        current.words += words;
        if current.words >= MIN_PARAGRAPH_WORDS {
            paragraphs.push(std::mem::replace(&mut current, Paragraph::empty()));
        }
    }
    match paragraphs.last_mut() {
        Some(last) if current.words > 0 => {
            last.text.push_str(&current.text);
            last.words += current.words;
        }
        _ if current.words > 0 => paragraphs.push(current),
        _ => {}
    }
    paragraphs
}

/// lingua's confidence in each language for every paragraph, best first,
/// with the paragraph's words.
fn score_paragraphs(lingua: &LanguageDetector, paragraphs: &[Paragraph]) -> Vec<Vote> {
    paragraphs
        .iter()
        .map(|paragraph| Vote {
            words: paragraph.words,
            confidences: lingua.compute_language_confidence_values(paragraph.text.as_str()),
        })
        .collect()
}

/// The votes of the paragraphs whose best confidence reaches `threshold`
/// (and is not zero: lingua had an answer).
fn ballot_at(paragraphs: &[Vote], threshold: f64) -> Ballot {
    let decided = |vote: &&Vote| {
        vote.confidences
            .first()
            .is_some_and(|(_, confidence)| *confidence > 0.0 && *confidence >= threshold)
    };
    Ballot {
        votes: paragraphs.iter().filter(decided).cloned().collect(),
    }
}

/// The prose of a page: Markdown (or plain text, or HTML fragments) without
/// what belongs to no language or to the software rather than the page's
/// language, with entities decoded. Each block (title, description,
/// paragraph, heading, list item, table cell) is one line.
///
/// Left out:
/// - front matter, except the values of `title` and `description`, which
///   are translated with the page;
/// - fenced and inline code, URLs, link destinations, e-mail addresses, HTML
///   tags and table syntax;
/// - the contents of `[!UICONTROL …]` and `[!DNL …]` (Adobe's UI labels and
///   product names, English in every translation), the keywords of other
///   `[!NOTE]`-style markers, and `{…}` attribute lists;
/// - identifiers (`productId`, `catalog.sku`, `SKU`, `v2`), which leaves
///   nothing of the many table cells that name fields.
pub fn prose_text(text: &str) -> String {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let (front_matter, body) = split_front_matter(text);
    let mut prose = String::with_capacity(body.len());
    for field in translated_fields(front_matter) {
        push_prose(
            &mut prose,
            &markdown_to_prose(&strip_extension_markup(&field)),
        );
    }
    push_prose(
        &mut prose,
        &markdown_to_prose(&strip_extension_markup(body)),
    );
    prose
}

/// Appends the blocks of `blocks` one a line, without addresses,
/// identifiers and tokens of punctuation alone (what is left of
/// `**[!UICONTROL Save]**`). A table cell of identifiers leaves nothing.
fn push_prose(prose: &mut String, blocks: &str) {
    for block in blocks.lines() {
        let kept: Vec<&str> = block
            .split_whitespace()
            .filter(|token| token.chars().any(char::is_alphanumeric))
            .filter(|token| !is_address(token) && !is_identifier(token))
            .collect();
        if !kept.is_empty() {
            prose.push_str(&kept.join(" "));
            prose.push('\n');
        }
    }
}

/// Counts the words of `text`: whitespace-separated tokens with at least
/// one letter, so numbers, prices and lone punctuation do not count.
pub fn count_words(text: &str) -> usize {
    text.split_whitespace()
        .filter(|token| token.chars().any(char::is_alphabetic))
        .count()
}

/// A page's front matter, by its syntax.
enum FrontMatter<'a> {
    Yaml(&'a str),
    Toml(&'a str),
}

/// Splits a leading `---` (YAML) or `+++` (TOML) fenced block from the body.
/// Without a closing fence there is no front matter: it was a thematic break.
fn split_front_matter(text: &str) -> (Option<FrontMatter<'_>>, &str) {
    let Some(fence) = ["---", "+++"]
        .into_iter()
        .find(|fence| first_line(text).trim_end() == *fence)
    else {
        return (None, text);
    };
    let start = first_line(text).len();
    let mut offset = start;
    for line in text[start..].split_inclusive('\n') {
        let trimmed = line.trim_end();
        if trimmed == fence || (fence == "---" && trimmed == "...") {
            let inside = &text[start..offset];
            let front_matter = if fence == "---" {
                FrontMatter::Yaml(inside)
            } else {
                FrontMatter::Toml(inside)
            };
            return (Some(front_matter), &text[offset + line.len()..]);
        }
        offset += line.len();
    }
    (None, text)
}

/// The first line including its line end.
fn first_line(text: &str) -> &str {
    text.split_inclusive('\n').next().unwrap_or_default()
}

/// The title and description of a front matter: the only keys written in
/// the page's language (the others are ids, dates and settings). A front
/// matter that does not parse gives none.
fn translated_fields(front_matter: Option<FrontMatter<'_>>) -> Vec<String> {
    let (title, description) = match front_matter {
        None => (None, None),
        Some(FrontMatter::Yaml(yaml)) => match front_matter::parse(yaml, 2) {
            Ok(fields) => (fields.title, fields.description),
            Err(_) => (None, None),
        },
        Some(FrontMatter::Toml(toml)) => match toml.parse::<toml::Table>() {
            Ok(table) => {
                let text = |key: &str| table.get(key)?.as_str().map(str::to_string);
                (text("title"), text("description"))
            }
            Err(_) => (None, None),
        },
    };
    title.into_iter().chain(description).collect()
}

/// Markers whose contents are left out with them: UI labels and product
/// names, which translations keep in English.
const UNTRANSLATED_MARKERS: [&str; 2] = ["UICONTROL", "DNL"];

/// Removes the Markdown extensions of Adobe's documentation, which appear
/// in every translation alike: `[!UICONTROL …]` and `[!DNL …]` with their
/// contents; the keyword of other `[!KEYWORD …]` markers (`[!NOTE]`,
/// `[!BADGE Pris en charge]`, `[!TAB …]`), keeping the translated text
/// that follows it; and `{…}` attribute lists such as
/// `{target="_blank"}` or `{#anchor}`.
fn strip_extension_markup(markdown: &str) -> String {
    let mut kept = String::with_capacity(markdown.len());
    let mut rest = markdown;
    while let Some(start) = rest.find(['[', '{']) {
        kept.push_str(&rest[..start]);
        let from = &rest[start..];
        let (replacement, length) = extension_marker(from)
            .or_else(|| attribute_list(from))
            .unwrap_or((&from[..1], 1));
        kept.push_str(replacement);
        rest = &from[length..];
    }
    kept.push_str(rest);
    kept
}

/// At a `[!KEYWORD …]` marker: the text to keep in its place and the
/// marker's length in bytes.
fn extension_marker(text: &str) -> Option<(&str, usize)> {
    let inner = text.strip_prefix("[!")?;
    let keyword_length = inner
        .find(|c: char| !c.is_ascii_uppercase())
        .unwrap_or(inner.len());
    if keyword_length == 0 {
        return None;
    }
    let close = matching_bracket(inner)?;
    let keyword = &inner[..keyword_length];
    let contents = inner[keyword_length..close].trim();
    let kept = if UNTRANSLATED_MARKERS.contains(&keyword) {
        ""
    } else {
        contents
    };
    Some((kept, "[!".len() + close + 1))
}

/// The offset of the `]` closing a bracket opened just before `text`, on
/// the same line, counting nested brackets.
fn matching_bracket(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (offset, character) in text.char_indices() {
        match character {
            '[' => depth += 1,
            ']' if depth == 0 => return Some(offset),
            ']' => depth -= 1,
            '\n' => return None,
            _ => {}
        }
    }
    None
}

/// At a `{…}` on one line that reads as attributes (empty, `#anchor`,
/// `.class`, `key=value`, or a single token such as a `{placeholder}`):
/// nothing to keep, and its length in bytes. Braces around prose are left
/// alone.
fn attribute_list(text: &str) -> Option<(&str, usize)> {
    let inner = text.strip_prefix('{')?;
    let close = inner
        .find(['}', '{', '\n'])
        .filter(|&i| inner[i..].starts_with('}'))?;
    let attributes = inner[..close].trim();
    let reads_as_attributes = attributes.is_empty()
        || attributes.starts_with(['#', '.'])
        || attributes.contains('=')
        || !attributes.contains(char::is_whitespace);
    reads_as_attributes.then_some(("", close + 2))
}

/// The text events of the Markdown, leaving out code, and turning HTML
/// into its text. Block ends become line breaks so that words of adjacent
/// cells, items and headings stay apart.
///
/// Indented code blocks are kept as text: documentation fences its code,
/// while plain-text articles often indent whole paragraphs.
fn markdown_to_prose(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES;
    let mut prose = String::with_capacity(markdown.len());
    let mut in_fenced_code = false;
    for event in Parser::new_ext(markdown, options) {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(_))) => in_fenced_code = true,
            Event::End(TagEnd::CodeBlock) => in_fenced_code = false,
            Event::Text(text) if !in_fenced_code => prose.push_str(&text),
            Event::Html(html) | Event::InlineHtml(html) => {
                prose.push_str(&html_to_text(&html));
            }
            Event::SoftBreak | Event::HardBreak => prose.push(' '),
            Event::End(tag) if !is_inline(tag) => prose.push('\n'),
            _ => {}
        }
    }
    prose
}

fn is_inline(tag: TagEnd) -> bool {
    matches!(
        tag,
        TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough | TagEnd::Link | TagEnd::Image
    )
}

/// `snake_case`, `camelCase`, `dotted.name`, `kebab-case-name`, `v2`,
/// `SKU`, `get()`: spelled the way code spells names, not the way a
/// language spells words. Punctuation around the token does not count.
fn is_identifier(token: &str) -> bool {
    let called = token.contains("()");
    let token = token.trim_matches(|c: char| !c.is_alphanumeric());
    let letters = token.chars().filter(|c| c.is_alphabetic()).count();
    let has = |pattern: &[char]| token.contains(pattern);
    called
        || has(&[
            '_', '.', '/', '\\', '=', '(', ')', '<', '>', '$', '@', '#', ':',
        ])
        || token.matches('-').count() >= 2
        || (token.chars().any(|c| c.is_ascii_digit()) && letters > 0)
        || (letters >= 2 && token.chars().all(|c| !c.is_lowercase()))
        || is_camel_case(token)
}

/// A lowercase letter followed by an uppercase one, as in `productId` or
/// `GraphQL`.
fn is_camel_case(token: &str) -> bool {
    let characters: Vec<char> = token.chars().collect();
    characters
        .windows(2)
        .any(|pair| pair[0].is_lowercase() && pair[1].is_uppercase())
}

/// The text between HTML tags, entities decoded (Markdown leaves them as
/// written in raw HTML). A tag becomes a space, since block tags separate
/// words.
fn html_to_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for character in html.chars() {
        match character {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(character),
            _ => {}
        }
    }
    html_escape::decode_html_entities(&text).into_owned()
}

/// URLs, e-mail addresses, domain names and paths: letters that belong to
/// no language.
fn is_address(token: &str) -> bool {
    let token = token.trim_matches(|c: char| matches!(c, '(' | ')' | '<' | '>' | ',' | '.' | ';'));
    token.contains("://")
        || token.starts_with("www.")
        || token.starts_with('/')
        || (token.contains('@') && token.contains('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(list: &[&str]) -> Vec<String> {
        list.iter().map(|tag| tag.to_string()).collect()
    }

    const FRENCH: &str = "Votre commande est expédiée sous deux jours ouvrés. \
        Vous recevrez un e-mail avec le numéro de suivi dès que le transporteur \
        aura pris en charge le colis.";

    #[test]
    fn detector_is_shareable_between_threads() {
        fn assert_sync<T: Sync + Send>() {}
        assert_sync::<Detector>();
    }

    #[test]
    fn regional_tag_is_returned_as_configured() {
        let detector = Detector::new(&tags(&["fr-ca", "it", "nl"]));
        let detection = detector.detect(FRENCH);
        assert_eq!(detection.language.as_deref(), Some("fr-CA"));
    }

    #[test]
    fn two_tags_of_one_language_leave_the_text_undecided() {
        let detector = Detector::new(&tags(&["fr", "fr-CA", "it"]));
        let detection = detector.detect(FRENCH);
        assert_eq!(detection.language, None);
        assert_eq!(detection.best_guess.as_deref(), Some("fr"));
        let (runner_up, runner_up_confidence) = detection.runner_up.expect("a runner-up");
        assert_eq!(runner_up, "fr-CA");
        assert_eq!(runner_up_confidence, detection.confidence);
    }

    #[test]
    fn undetectable_and_invalid_tags_are_ignored() {
        let detector = Detector::new(&tags(&["ja", "fr", "not a tag"]));
        assert_eq!(
            detector.ignored_tags(),
            tags(&["ja", "not a tag"]).as_slice()
        );
        assert_eq!(detector.detect(FRENCH).language.as_deref(), Some("fr"));
    }

    #[test]
    fn no_detectable_tag_means_always_undecided() {
        let detector = Detector::new(&tags(&["ja", "ko"]));
        let detection = detector.detect(FRENCH);
        assert_eq!(detection.language, None);
        assert_eq!(detection.confidence, 0.0);
    }

    #[test]
    fn single_language_is_scored_against_all_shipped_languages() {
        let detector = Detector::new(&tags(&["fr"]));
        assert_eq!(detector.detect(FRENCH).language.as_deref(), Some("fr"));
        let english = "Your order ships within two business days, and you will \
            receive an e-mail with the tracking number.";
        assert_eq!(detector.detect(english).language, None);
    }

    #[test]
    fn empty_or_markup_only_text_is_undecided() {
        let detector = Detector::new(&[]);
        for text in [
            "",
            "   \n",
            "---\nexl-id: 0c2b2d4e-9c21-4b6c-8e8e-2f3c3f1f5a77\nfeature: Checkout\n---\n",
            "```\nlet x = 1;\n```\n",
        ] {
            let detection = detector.detect(text);
            assert_eq!(detection.language, None, "{text:?}");
            assert_eq!(detection.words, 0, "{text:?}");
        }
    }

    #[test]
    fn a_threshold_above_the_confidence_leaves_the_text_undecided() {
        let detector = Detector::new(&tags(&["de", "nl"]));
        let text = "Bestellung und Versand";
        let detection = detector.detect(text);
        assert!(detection.confidence < 1.0, "{detection:?}");
        let strict = Detector::new(&tags(&["de", "nl"])).with_threshold(1.0);
        let strict_detection = strict.detect(text);
        assert_eq!(strict_detection.language, None);
        assert_eq!(strict_detection.best_guess, detection.best_guess);
        let lenient = Detector::new(&tags(&["de", "nl"])).with_threshold(0.0);
        assert_eq!(lenient.detect(text).language, detection.best_guess);
    }

    #[test]
    fn a_page_half_in_another_language_is_undecided() {
        let detector = Detector::new(&tags(&["fr", "en"]));
        let text = "Votre commande est préparée dans notre entrepôt de Lyon et remise \
            au transporteur le jour même si vous la validez avant quatorze heures, du \
            lundi au vendredi.\n\n\
            Orders placed before two in the afternoon on a weekday leave our warehouse \
            the same day, and the carrier usually delivers them within two business days.\n";
        let detection = detector.detect(text);
        assert_eq!(detection.language, None, "{detection:?}");
        assert!(detection.confidence < 0.7, "{detection:?}");
        assert!(detection.runner_up.is_some_and(|(_, share)| share > 0.3));
    }

    const ITALIAN: [&str; 2] = [
        "Il pagamento viene registrato non appena il cliente conferma l'ordine, e la \
         ricevuta arriva per posta elettronica entro pochi minuti dalla conferma.",
        "Se la carta viene rifiutata, il negozio mostra un messaggio chiaro e propone \
         di riprovare con un altro metodo di pagamento disponibile sul sito.",
    ];

    const ENGLISH: [&str; 2] = [
        "Refunds are sent back to the original card within five business days, and \
         the customer receives a message when the money is on its way.",
        "Orders placed before two in the afternoon leave the warehouse the same day, \
         and the carrier usually delivers them within two business days.",
    ];

    fn paragraphs_of(texts: &[&str]) -> String {
        texts.join("\n\n")
    }

    #[test]
    fn each_paragraph_votes_with_its_words() {
        let detector = Detector::new(&tags(&["it", "en"]));
        let text = paragraphs_of(&[ITALIAN[0], ITALIAN[1], ENGLISH[0]]);
        let detection = detector.detect(&text);
        assert_eq!(detection.language, None, "{detection:?}");
        assert_eq!(detection.best_guess.as_deref(), Some("it"));
        let (runner_up, english_share) = detection.runner_up.clone().expect("a runner-up");
        assert_eq!(runner_up, "en");
        let english_words = count_words(ENGLISH[0]) as f64;
        let expected = english_words / detection.words as f64;
        assert!((english_share - expected).abs() < 0.05, "{detection:?}");
        assert_eq!(detection.voting_share(), 1.0);
    }

    #[test]
    fn ruling_out_a_language_decides_what_its_paragraphs_left_unsure() {
        let detector = Detector::new(&tags(&["it", "en", "fr"]));
        let text = paragraphs_of(&[ITALIAN[0], ENGLISH[0], ITALIAN[1]]);
        let detection = detector.detect(&text);
        assert_eq!(detection.language, None, "{detection:?}");
        let again = detector.rule_out(&detection, &tags(&["en"]));
        assert_eq!(again.language.as_deref(), Some("it"), "{again:?}");
        assert!(again.confidence >= DEFAULT_THRESHOLD);
        assert_eq!(again.words, detection.words);
        let nothing_known = detector.rule_out(&detection, &tags(&["fr"]));
        assert_eq!(nothing_known.language, None, "{nothing_known:?}");
    }

    #[test]
    fn ruling_out_does_not_place_a_text_mostly_in_the_ruled_out_language() {
        let detector = Detector::new(&tags(&["it", "en"]));
        let text = paragraphs_of(&[ENGLISH[0], ITALIAN[0], ENGLISH[1]]);
        let detection = detector.detect(&text);
        assert_eq!(detection.best_guess.as_deref(), Some("en"));
        let again = detector.rule_out(&detection, &tags(&["en"]));
        assert_eq!(again.language, None, "below the quorum: {again:?}");
        assert_eq!(again.best_guess.as_deref(), Some("it"));
    }

    #[test]
    fn a_text_no_paragraph_decides_still_has_a_best_guess() {
        let detector = Detector::new(&tags(&["it", "en"])).with_threshold(1.0);
        let detection = detector.detect("Il pagamento viene registrato subito.");
        assert_eq!(detection.language, None);
        assert_eq!(detection.best_guess.as_deref(), Some("it"));
        assert!(detection.confidence > 0.5 && detection.confidence < 1.0);
    }

    #[test]
    fn threshold_is_clamped() {
        assert_eq!(Detector::new(&[]).with_threshold(7.0).threshold(), 1.0);
        assert_eq!(Detector::new(&[]).with_threshold(-1.0).threshold(), 0.0);
        assert_eq!(Detector::new(&[]).threshold(), DEFAULT_THRESHOLD);
    }

    #[test]
    fn front_matter_keeps_only_title_and_description() {
        let text = "---\ntitle: Livraison\ndescription: '[!DNL Shop] livre vite'\n\
            exl-id: 0c2b2d4e-9c21-4b6c-8e8e-2f3c3f1f5a77\nfeature: Shipping, Orders\n---\nDélais";
        assert_eq!(prose_text(text), "Livraison\nlivre vite\nDélais\n");
        let toml = "+++\ntitle = \"Livraison\"\nweight = 3\nkind = \"guide\"\n+++\nDélais";
        assert_eq!(prose_text(toml), "Livraison\nDélais\n");
        let broken = "---\ntitle: [unclosed\n---\nDélais";
        assert_eq!(prose_text(broken), "Délais\n");
    }

    #[test]
    fn a_leading_rule_without_closing_fence_is_kept_as_text() {
        assert_eq!(
            prose_text("---\nLivraison gratuite"),
            "Livraison gratuite\n"
        );
    }

    #[test]
    fn code_urls_and_addresses_are_stripped() {
        let text = "Appelez `GET /orders` :\n\n```json\n{\"status\": \"shipped\"}\n```\n\n\
            Voir https://docs.example.org/api, [le guide](https://example.org/guide) \
            ou écrire à support@example.org.";
        assert_eq!(prose_text(text), "Appelez\nVoir le guide ou écrire à\n");
    }

    #[test]
    fn labels_product_names_and_attribute_lists_are_stripped() {
        let text = "Cliquez sur **[!UICONTROL Save Config]** dans [!DNL Adobe Commerce].\n\n\
            >[!NOTE]\n>\n>Le [lien](https://example.org){target=\"_blank\"} s'ouvre à part.\n\n\
            [!BADGE Pris en charge]{type=Informative tooltip=\"Pris en charge\"}\n\n\
            ## Réglages {#settings}\n\nLa clé {root.sku} et {des mots entre accolades} restent.";
        assert_eq!(
            prose_text(text),
            "Cliquez sur dans\nLe lien s'ouvre à part.\nPris en charge\nRéglages\n\
             La clé et {des mots entre accolades} restent.\n"
        );
    }

    #[test]
    fn an_unclosed_marker_keeps_the_text_after_it() {
        assert_eq!(prose_text("Voir [!DNL Live Search"), "Voir Live Search\n");
    }

    #[test]
    fn identifiers_and_identifier_only_cells_are_stripped() {
        let text = "| Champ | Type | Description |\n|---|---|---|\n\
            | productListItems.SKU | String | Le code de l'article |\n\
            | priceTotal | Number | Le prix, taxes comprises |\n\n\
            Appelez getCart() avec le `cart_id` ou le SKU v2.";
        assert_eq!(
            prose_text(text),
            "Champ\nType\nDescription\nString\nLe code de l'article\nNumber\n\
             Le prix, taxes comprises\nAppelez avec le ou le\n"
        );
    }

    #[test]
    fn indented_paragraphs_are_kept_as_text() {
        let text = "    Livraison gratuite dès 60 euros.\n\n```\nlet total = 60;\n```\n";
        assert_eq!(prose_text(text), "Livraison gratuite dès 60 euros.\n");
    }

    #[test]
    fn tables_html_and_entities_are_stripped() {
        let text = "| Pays | Délai |\n|---|---|\n| France | 2 jours |\n\n\
            <div class=\"note\">Retour&nbsp;gratuit, d&eacute;lai 30&nbsp;jours</div>\n\nPrix &amp; taxes";
        assert_eq!(
            prose_text(text),
            "Pays\nDélai\nFrance\n2 jours\nRetour gratuit, délai 30 jours\nPrix taxes\n"
        );
    }

    #[test]
    fn words_are_counted_without_numbers() {
        assert_eq!(count_words("Livraison en 2 jours : 4,90 €"), 3);
    }
}
