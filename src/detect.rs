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
//! - The choice is limited to the site's configured languages, and the
//!   answer is the configured tag (`fr-CA`, not lingua's `French`).
//! - Below a confidence threshold the page is undecided instead of guessed:
//!   an importer that lists a file as undecided costs the user one front
//!   matter line, a wrong guess costs a page published under the wrong
//!   language.

use lingua::{Language, LanguageDetector, LanguageDetectorBuilder};
use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};

use crate::frontmatter;
use crate::language::{normalize_tag, primary_subtag};

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
///
/// Measured on the labelled set in `tests/fixtures/langdetect` (84 files of
/// 21 to 1,190 words of prose in de, en, es, fr, it, nl and sv, the
/// detector restricted to those seven languages):
///
/// - Whole files are too easy to place a threshold: every file of 50 words
///   or more scores at least 0.999, and no best guess is wrong.
/// - So the files were also cut into runs of 3, 5, 8, 12, 20 and 30 words
///   (6,623 runs, each scored as a single passage). At 0.95 no run is
///   decided wrongly, nor at 0.94; at 0.92 one 3-word run is (of 499
///   decided), at 0.90 two (of 562), at 0.80 thirteen runs of 3 to 8 words.
/// - At 0.95 one short file (25 words of English release notes full of
///   product terms, scored 0.77) is undecided; every other file is decided
///   and right.
///
/// `cargo run --release --example detect_accuracy -- --snippets` prints
/// these figures again.
pub const DEFAULT_THRESHOLD: f64 = 0.95;

/// The outcome of detecting one text.
#[derive(Clone, Debug, PartialEq)]
pub struct Detection {
    /// The configured tag the text is written in (canonical BCP 47, such as
    /// `fr` or `fr-CA`); `None` when undecided: confidence below the
    /// threshold, no text to judge, or two configured tags that share a
    /// primary language (see [`Detector::new`]).
    pub language: Option<String>,
    /// Confidence of the best-scoring tag, from 0 to 1: lingua's
    /// confidence for each passage, averaged with the passages' word counts
    /// as weights (see [`Detector::detect`]). For a text in one language it
    /// is how sure lingua is; for a text that mixes languages it is roughly
    /// the share written in this one. The confidences of all candidate
    /// languages add up to 1.
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
}

impl Detection {
    fn undecided(words: usize) -> Detection {
        Detection {
            language: None,
            confidence: 0.0,
            runner_up: None,
            best_guess: None,
            words,
        }
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
    /// even one that is half French and half English. So the text is cut
    /// into passages of at least [`MIN_PASSAGE_WORDS`] words, each passage
    /// is scored on its own, and a language's confidence is its mean score
    /// weighted by the passages' word counts: roughly the share of the text
    /// that reads as that language.
    pub fn detect(&self, text: &str) -> Detection {
        let passages = passages(&prose_text(text));
        let words = passages.iter().map(|passage| passage.words).sum();
        let Some(lingua) = &self.lingua else {
            return Detection::undecided(words);
        };
        if words == 0 {
            return Detection::undecided(words);
        }
        let confidences = weighted_confidences(lingua, &passages, words);
        self.decide(&self.rank_targets(&confidences), words)
    }

    /// The primary tags of the languages tolk has models for.
    pub fn supported_tags() -> Vec<&'static str> {
        SHIPPED.iter().map(|(tag, _)| *tag).collect()
    }

    /// Configured targets with their confidence, best first; the sort is
    /// stable, so equal confidences keep the configured order.
    fn rank_targets(&self, confidences: &[(Language, f64)]) -> Vec<(&Target, f64)> {
        let confidence_of = |language: Language| {
            confidences
                .iter()
                .find(|(scored, _)| *scored == language)
                .map_or(0.0, |(_, confidence)| *confidence)
        };
        let mut ranked: Vec<(&Target, f64)> = self
            .targets
            .iter()
            .map(|target| (target, confidence_of(target.language)))
            .collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
        ranked
    }

    fn decide(&self, ranked: &[(&Target, f64)], words: usize) -> Detection {
        let Some(&(best, confidence)) = ranked.first() else {
            return Detection::undecided(words);
        };
        let runner_up = ranked.get(1).copied();
        let shares_model = runner_up.is_some_and(|(second, _)| second.language == best.language);
        let decided = confidence > 0.0 && confidence >= self.threshold && !shares_model;
        Detection {
            language: decided.then(|| best.tag.clone()),
            confidence,
            runner_up: runner_up.map(|(second, score)| (second.tag.clone(), score)),
            best_guess: (confidence > 0.0).then(|| best.tag.clone()),
            words,
        }
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
pub const MIN_PASSAGE_WORDS: usize = 25;

/// A run of consecutive prose blocks, scored as one.
struct Passage {
    text: String,
    words: usize,
}

/// Cuts prose (one block a line) into passages of at least
/// [`MIN_PASSAGE_WORDS`] words; a short remainder joins the last passage.
fn passages(prose: &str) -> Vec<Passage> {
    let mut passages: Vec<Passage> = Vec::new();
    let mut current = Passage {
        text: String::new(),
        words: 0,
    };
    for block in prose.lines() {
        let words = count_words(block);
        if words == 0 {
            continue;
        }
        current.text.push_str(block);
        current.text.push('\n');
        current.words += words;
        if current.words >= MIN_PASSAGE_WORDS {
            passages.push(std::mem::replace(
                &mut current,
                Passage {
                    text: String::new(),
                    words: 0,
                },
            ));
        }
    }
    match passages.last_mut() {
        Some(last) if current.words > 0 => {
            last.text.push_str(&current.text);
            last.words += current.words;
        }
        _ if current.words > 0 => passages.push(current),
        _ => {}
    }
    passages
}

/// Each language's confidence averaged over the passages, weighted by their
/// word counts.
fn weighted_confidences(
    lingua: &LanguageDetector,
    passages: &[Passage],
    words: usize,
) -> Vec<(Language, f64)> {
    let mut totals: Vec<(Language, f64)> = Vec::new();
    for passage in passages {
        let weight = passage.words as f64 / words as f64;
        for (language, confidence) in
            lingua.compute_language_confidence_values(passage.text.as_str())
        {
            match totals.iter_mut().find(|(known, _)| *known == language) {
                Some((_, total)) => *total += confidence * weight,
                None => totals.push((language, confidence * weight)),
            }
        }
    }
    totals
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
        Some(FrontMatter::Yaml(yaml)) => match frontmatter::parse(yaml, 2) {
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
