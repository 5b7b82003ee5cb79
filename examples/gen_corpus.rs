//! Benchmark corpus generator: writes the same documentation site twice, once
//! for tolk and once for Hugo, so that both generators can be timed on equal
//! input (see `benches/compare.sh` and `benches/README.md`).
//!
//! ```text
//! cargo run --release --example gen_corpus -- --pages 1000 --languages fr,it,nl,sv --out DIR [--seed 42]
//! ```
//!
//! `DIR/tolk/` holds `tolk.toml` and `content/<lang>/<section>/<slug>.md`; it
//! has no theme of its own: copy the repository's `themes/` into it before
//! building (the bench script does). `DIR/hugo/` holds `hugo.toml`, the same
//! pages under `content/<lang>/` and minimal templates under `layouts/`.
//!
//! Every logical page gets a skeleton (headings, list lengths, table shape,
//! numbers, codes such as B2B or 24/7, links to other pages) that all of its
//! translations share, as real translations do; the words themselves are
//! pseudo-words built from syllables with a letter flavour per language.
//! About one translation in ten is left out, and about one in twenty names an
//! older source revision (so `tolk report` finds stale pages).
//!
//! The output depends only on the arguments: the random numbers come from a
//! small SplitMix64 generator written here, and each page and translation
//! draws from its own stream derived from the seed, so the text of one page
//! never depends on the order in which the others were written.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;

/// Command line of the generator.
#[derive(Parser, Debug)]
#[command(about = "Writes equivalent tolk and Hugo sites for benchmarking")]
struct Args {
    /// Logical pages; each exists in up to every language.
    #[arg(long)]
    pages: usize,
    /// Comma-separated language tags, in switcher order.
    #[arg(long, value_delimiter = ',', default_value = "fr,it,nl,sv")]
    languages: Vec<String>,
    /// Folder that receives `tolk/` and `hugo/`.
    #[arg(long)]
    out: PathBuf,
    /// Seed of the random streams: the same seed gives the same corpus.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Replace `tolk/` and `hugo/` when they already exist in the output folder.
    #[arg(long)]
    force: bool,
}

// ---------------------------------------------------------------------------
// Random numbers

/// SplitMix64: tiny, fast, and identical on every platform.
#[derive(Clone, Debug)]
struct Rng(u64);

const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Rng {
    /// A stream of its own for `parts` (purpose, page index, language key …).
    fn derive(seed: u64, parts: &[u64]) -> Rng {
        let mut state = mix(seed.wrapping_add(GOLDEN));
        for &part in parts {
            state = mix(state ^ mix(part.wrapping_add(GOLDEN)));
        }
        Rng(state)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(GOLDEN);
        mix(self.0)
    }

    /// Uniform in `0..n` (`n > 0`), by multiply-shift.
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `percent` / 100.
    fn percent(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn pick_str(&mut self, items: &[&'static str]) -> &'static str {
        items[self.below(items.len())]
    }

    fn hex(&mut self, digits: usize) -> String {
        let mut out = String::with_capacity(digits + 16);
        while out.len() < digits {
            let _ = write!(out, "{:016x}", self.next_u64());
        }
        out.truncate(digits);
        out
    }

    /// A version-4-shaped UUID, as Experience League ids are.
    fn uuid(&mut self) -> String {
        let hex = self.hex(32);
        let variant = ['8', '9', 'a', 'b'][self.below(4)];
        format!(
            "{}-{}-4{}-{}{}-{}",
            &hex[0..8],
            &hex[8..12],
            &hex[13..16],
            variant,
            &hex[17..20],
            &hex[20..32]
        )
    }
}

/// FNV-1a, to turn a language tag into a stream key.
fn key(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

// Purposes of the streams, so that no two uses share one.
const STREAM_META: u64 = 1;
const STREAM_SKELETON: u64 = 2;
const STREAM_TEXT: u64 = 3;
const STREAM_PRESENCE: u64 = 4;
const STREAM_REVISION: u64 = 5;

// ---------------------------------------------------------------------------
// Languages

/// How a language's pseudo-words look.
struct Flavour {
    onsets: &'static [&'static str],
    vowels: &'static [&'static str],
    codas: &'static [&'static str],
    /// Short real words that glue sentences together.
    function_words: &'static [&'static str],
    /// Elided articles written before a word (`l&#39;`), if the language has them.
    elisions: &'static [&'static str],
    /// Ending written after a word (`&#39;s`), if the language has one.
    apostrophe_suffix: Option<&'static str>,
    /// Autonym for the language switcher; empty: use the tag.
    name: &'static str,
}

const FRENCH: Flavour = Flavour {
    onsets: &[
        "b", "c", "d", "f", "g", "j", "l", "m", "n", "p", "r", "s", "t", "v", "ch", "qu", "pr",
        "tr", "gr", "bl",
    ],
    vowels: &[
        "a", "e", "i", "o", "u", "é", "è", "ou", "ai", "au", "eu", "an", "on", "in", "ê",
    ],
    codas: &["", "", "", "n", "s", "t", "r", "x", "nt"],
    function_words: &[
        "le", "la", "les", "de", "des", "et", "en", "pour", "avec", "une", "un", "du", "sur",
        "dans", "que", "qui",
    ],
    elisions: &["l&#39;", "d&#39;", "qu&#39;"],
    apostrophe_suffix: None,
    name: "Français",
};

const ITALIAN: Flavour = Flavour {
    onsets: &[
        "b", "c", "d", "f", "g", "l", "m", "n", "p", "r", "s", "t", "v", "z", "ch", "gl", "gn",
        "sc", "st", "pr", "tr", "tt", "ll", "zz",
    ],
    vowels: &["a", "e", "i", "o", "u", "ia", "io", "ie", "à", "è"],
    codas: &["", "", "", "", "", "n", "l", "r"],
    function_words: &[
        "il", "la", "le", "di", "e", "per", "con", "un", "una", "del", "che", "nel", "dei", "alla",
    ],
    elisions: &["l&#39;", "dell&#39;", "un&#39;"],
    apostrophe_suffix: None,
    name: "Italiano",
};

const DUTCH: Flavour = Flavour {
    onsets: &[
        "b", "d", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "z", "sch", "st",
        "kr", "gr", "bl", "sp",
    ],
    vowels: &[
        "a", "e", "i", "o", "u", "aa", "ee", "oo", "oe", "ij", "ui", "ei", "ou", "ë",
    ],
    codas: &["", "n", "r", "k", "t", "s", "l", "ng", "cht", "rd"],
    function_words: &[
        "de", "het", "een", "en", "van", "voor", "met", "op", "te", "in", "aan", "bij", "zijn",
        "die",
    ],
    elisions: &[],
    apostrophe_suffix: Some("&#39;s"),
    name: "Nederlands",
};

const SWEDISH: Flavour = Flavour {
    onsets: &[
        "b", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "sj", "sk", "st",
        "tj", "kv", "fr", "gr",
    ],
    vowels: &["a", "e", "i", "o", "u", "y", "å", "ä", "ö"],
    codas: &["", "n", "r", "k", "t", "s", "l", "ng", "st", "ll", "rt"],
    function_words: &[
        "och", "att", "det", "en", "ett", "för", "med", "på", "av", "som", "till", "om", "är", "i",
    ],
    elisions: &[],
    apostrophe_suffix: None,
    name: "Svenska",
};

const GERMAN: Flavour = Flavour {
    onsets: &[
        "b", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "w", "z", "sch", "st",
        "pf", "kr", "gr", "spr",
    ],
    vowels: &[
        "a", "e", "i", "o", "u", "ä", "ö", "ü", "ei", "au", "ie", "eu",
    ],
    codas: &["", "n", "r", "t", "s", "l", "ng", "cht", "rt", "nd", "tz"],
    function_words: &[
        "der", "die", "das", "und", "für", "mit", "von", "ein", "eine", "zu", "im", "auf", "den",
    ],
    elisions: &[],
    apostrophe_suffix: None,
    name: "Deutsch",
};

const SPANISH: Flavour = Flavour {
    onsets: &[
        "b", "c", "d", "f", "g", "j", "l", "m", "n", "p", "r", "s", "t", "v", "ch", "ll", "pr",
        "tr", "br", "ñ",
    ],
    vowels: &["a", "e", "i", "o", "u", "ia", "ue", "io", "á", "é", "ó"],
    codas: &["", "", "", "n", "s", "r", "l", "d"],
    function_words: &[
        "el", "la", "los", "las", "de", "y", "en", "para", "con", "un", "una", "del", "que", "por",
    ],
    elisions: &[],
    apostrophe_suffix: None,
    name: "Español",
};

/// Used for slugs and for any language without a flavour of its own.
const NEUTRAL: Flavour = Flavour {
    onsets: &[
        "b", "c", "d", "f", "g", "h", "l", "m", "n", "p", "r", "s", "t", "w", "st", "tr", "pl",
        "cr",
    ],
    vowels: &["a", "e", "i", "o", "u", "ea", "ou", "ai"],
    codas: &["", "", "n", "r", "t", "s", "ck", "nd", "ll"],
    function_words: &[
        "the", "and", "of", "to", "for", "with", "a", "in", "on", "by",
    ],
    elisions: &[],
    apostrophe_suffix: Some("&#39;s"),
    name: "",
};

fn flavour(tag: &str) -> &'static Flavour {
    let primary = tag
        .split(['-', '_'])
        .next()
        .unwrap_or(tag)
        .to_ascii_lowercase();
    match primary.as_str() {
        "fr" => &FRENCH,
        "it" => &ITALIAN,
        "nl" => &DUTCH,
        "sv" => &SWEDISH,
        "de" => &GERMAN,
        "es" => &SPANISH,
        _ => &NEUTRAL,
    }
}

fn language_name(tag: &str) -> String {
    match flavour(tag).name {
        "" => tag.to_string(),
        name => name.to_string(),
    }
}

// ---------------------------------------------------------------------------
// Words and sentences

fn word(rng: &mut Rng, flavour: &Flavour) -> String {
    let syllables = match rng.below(20) {
        0..=6 => 1,
        7..=16 => 2,
        _ => 3,
    };
    let mut out = String::new();
    for syllable in 0..syllables {
        out.push_str(rng.pick_str(flavour.onsets));
        out.push_str(rng.pick_str(flavour.vowels));
        // Consonant clusters mostly close the word, not its inner syllables.
        if syllable + 1 == syllables || rng.percent(25) {
            out.push_str(rng.pick_str(flavour.codas));
        }
    }
    out
}

/// A running-text word: a function word, a content word, or now and then a
/// content word carrying an apostrophe entity.
fn text_word(rng: &mut Rng, flavour: &Flavour) -> String {
    let roll = rng.below(100);
    if roll < 30 {
        return rng.pick(flavour.function_words).to_string();
    }
    let base = word(rng, flavour);
    if roll < 33 {
        if !flavour.elisions.is_empty() {
            return format!("{}{base}", rng.pick(flavour.elisions));
        }
        if let Some(suffix) = flavour.apostrophe_suffix {
            return format!("{base}{suffix}");
        }
    }
    base
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Words that survive translation unchanged: codes and numbers.
const CODES: &[&str] = &[
    "B2B", "B2C", "CTA", "SKU", "API", "B2B2C", "SEO", "CMS", "PDF", "24/7", "24x7", "R&amp;D",
];

fn number(rng: &mut Rng) -> String {
    match rng.below(5) {
        0 => format!("{}%", rng.range(2, 95)),
        1 => format!("{}", rng.range(2, 500)),
        2 => format!("{},{}", rng.range(1, 9), rng.range(1, 9)),
        3 => format!("{}", rng.range(2000, 2026)),
        _ => format!("{}x{}", rng.range(2, 12), rng.range(2, 12)),
    }
}

/// Something every translation of a page shares.
#[derive(Clone, Debug)]
enum Invariant {
    /// A code or number, written as is.
    Token(String),
    /// A link to another logical page, by its index.
    Link(usize),
    /// A hyphenated phrase of this many words in `&quot;` marks.
    Quote(usize),
}

/// A run of `words` words with `invariants` spread through it; with
/// `sentences`, cut into sentences that end with a full stop.
fn run_of_words(
    rng: &mut Rng,
    flavour: &Flavour,
    words: usize,
    invariants: &[Invariant],
    pages: &[PageMeta],
    sentences: bool,
) -> String {
    let words = words.max(invariants.len() + 1);
    // Positions of the invariants, never the first word (a line that starts
    // with a number could turn into an ordered list).
    let mut slots: Vec<usize> = invariants.iter().map(|_| rng.range(1, words - 1)).collect();
    slots.sort_unstable();
    let mut out = String::new();
    let mut next_invariant = 0;
    let mut sentence_start = true;
    let mut sentence_left = rng.range(6, 16);
    for position in 0..words {
        if position > 0 {
            out.push(' ');
        }
        if next_invariant < invariants.len() && slots[next_invariant] <= position {
            match &invariants[next_invariant] {
                Invariant::Token(token) => out.push_str(token),
                Invariant::Link(target) => {
                    let text: Vec<String> =
                        (0..rng.range(1, 3)).map(|_| word(rng, flavour)).collect();
                    let _ = write!(
                        out,
                        "[{}]({})",
                        text.join(" "),
                        relative_link(&pages[*target])
                    );
                }
                Invariant::Quote(len) => {
                    let quoted: Vec<String> = (0..*len).map(|_| word(rng, flavour)).collect();
                    let _ = write!(out, "&quot;{}&quot;", quoted.join("-"));
                }
            }
            next_invariant += 1;
        } else {
            let w = text_word(rng, flavour);
            if sentence_start {
                out.push_str(&capitalize(&w));
            } else {
                out.push_str(&w);
            }
        }
        sentence_start = false;
        sentence_left = sentence_left.saturating_sub(1);
        if sentences && sentence_left == 0 && position + 1 < words {
            let full_stop = rng.percent(85);
            out.push(if full_stop { '.' } else { ',' });
            sentence_start = full_stop;
            sentence_left = rng.range(6, 16);
        }
    }
    if sentences {
        out.push('.');
    }
    out
}

// ---------------------------------------------------------------------------
// Pages

const SECTIONS: &[&str] = &[
    "commerce",
    "catalog",
    "checkout",
    "payments",
    "shipping",
    "customers",
    "b2b",
    "marketing",
    "content",
    "search",
    "inventory",
    "orders",
    "pricing",
    "promotions",
    "reports",
    "security",
    "integrations",
    "storefront",
    "tax",
    "analytics",
];

/// What every translation of a logical page shares.
#[derive(Clone, Debug)]
struct PageMeta {
    section: &'static str,
    slug: String,
    exl_id: String,
    commit: String,
    /// The revision that stale translations were made from.
    old_commit: String,
    wordcount: usize,
    /// The source's word count at `old_commit`.
    old_wordcount: usize,
}

/// Pages live at `content/<lang>/<section>/<slug>.md`, so one `..` reaches
/// the language folder from any page.
fn relative_link(to: &PageMeta) -> String {
    format!("../{}/{}.md", to.section, to.slug)
}

fn page_metas(seed: u64, pages: usize) -> Vec<PageMeta> {
    let mut seen = HashSet::new();
    let mut metas = Vec::with_capacity(pages);
    for index in 0..pages {
        let mut rng = Rng::derive(seed, &[STREAM_META, index as u64]);
        let section = *rng.pick(SECTIONS);
        let parts = rng.range(2, 3);
        let mut words: Vec<String> = (0..parts).map(|_| word(&mut rng, &NEUTRAL)).collect();
        if rng.percent(20) {
            let code = *rng.pick(&["b2b", "b2c", "cta", "api", "sku"]);
            words.insert(rng.below(words.len() + 1), code.to_string());
        }
        let mut slug = words.join("-");
        if !seen.insert((section, slug.clone())) {
            let mut n = 2;
            while !seen.insert((section, format!("{slug}-{n}"))) {
                n += 1;
            }
            slug = format!("{slug}-{n}");
        }
        metas.push(PageMeta {
            section,
            slug,
            exl_id: rng.uuid(),
            commit: rng.hex(40),
            old_commit: rng.hex(40),
            wordcount: rng.range(300, 600),
            old_wordcount: rng.range(280, 620),
        });
    }
    metas
}

/// Words and invariants of one piece of text.
type Cell = (usize, Vec<Invariant>);

/// One block of a page's body.
#[derive(Clone, Debug)]
enum Block {
    Heading {
        level: usize,
        text: Cell,
    },
    Paragraph {
        text: Cell,
    },
    /// A line ending with a colon, introducing the list after it.
    LeadIn {
        text: Cell,
    },
    /// Items; an item of 0 words holds only its invariants and one word.
    List {
        items: Vec<Cell>,
    },
    /// Rows of three cells; a cell of 0 words holds only its invariants.
    Table {
        rows: Vec<[Cell; 3]>,
    },
}

fn invariant_token(rng: &mut Rng) -> Invariant {
    if rng.percent(60) {
        Invariant::Token(rng.pick(CODES).to_string())
    } else {
        Invariant::Token(number(rng))
    }
}

/// Up to two tokens, each with probability `percent`.
fn maybe_tokens(rng: &mut Rng, percent: usize) -> Vec<Invariant> {
    let mut out = Vec::new();
    while out.len() < 2 && rng.percent(percent) {
        out.push(invariant_token(rng));
    }
    out
}

fn token(text: &str) -> Invariant {
    Invariant::Token(text.to_string())
}

/// The structure shared by all translations of page `index`.
fn skeleton(seed: u64, index: usize, meta: &PageMeta, pages: usize) -> Vec<Block> {
    let mut rng = Rng::derive(seed, &[STREAM_SKELETON, index as u64]);
    let mut links: Vec<usize> = Vec::new();
    if pages > 1 {
        for _ in 0..rng.range(1, 4) {
            let target = rng.below(pages);
            links.push(if target == index {
                (target + 1) % pages
            } else {
                target
            });
        }
    }
    // The opening paragraph quotes the expanded codes, as Adobe's
    // "business-to-business" does.
    let mut blocks = vec![Block::Paragraph {
        text: (
            0,
            vec![
                token("B2B"),
                Invariant::Quote(3),
                token("B2C"),
                Invariant::Quote(3),
            ],
        ),
    }];
    let sections = rng.range(3, 5);
    for section in 0..sections {
        blocks.push(Block::Heading {
            level: 2,
            text: (rng.range(2, 6), maybe_tokens(&mut rng, 30)),
        });
        let mut invariants = maybe_tokens(&mut rng, 50);
        if let Some(link) = links.get(section) {
            invariants.push(Invariant::Link(*link));
        }
        blocks.push(Block::Paragraph {
            text: (0, invariants),
        });
        if rng.percent(70) {
            blocks.push(Block::LeadIn {
                text: (rng.range(3, 7), maybe_tokens(&mut rng, 40)),
            });
            let items = (0..rng.range(3, 7))
                .map(|_| (rng.range(1, 6), maybe_tokens(&mut rng, 15)))
                .collect();
            blocks.push(Block::List { items });
        }
        for _ in 0..rng.range(0, 2) {
            blocks.push(Block::Heading {
                level: 3,
                text: (rng.range(2, 5), maybe_tokens(&mut rng, 20)),
            });
            blocks.push(Block::Paragraph {
                text: (0, maybe_tokens(&mut rng, 40)),
            });
        }
    }
    // Links left over go into a list of related pages.
    if links.len() > sections {
        blocks.push(Block::LeadIn {
            text: (rng.range(2, 4), Vec::new()),
        });
        let items = links[sections..]
            .iter()
            .map(|&l| (0, vec![Invariant::Link(l)]))
            .collect();
        blocks.push(Block::List { items });
    }
    // The summary table: a variable column and the two models compared.
    blocks.push(Block::Heading {
        level: 2,
        text: (rng.range(3, 6), vec![token("B2B"), token("B2C")]),
    });
    let mut rows = vec![[
        (1, Vec::new()),
        (0, vec![token("B2B")]),
        (0, vec![token("B2C")]),
    ]];
    for _ in 0..rng.range(6, 8) {
        rows.push([
            (rng.range(1, 4), Vec::new()),
            (rng.range(1, 7), maybe_tokens(&mut rng, 25)),
            (rng.range(1, 7), maybe_tokens(&mut rng, 25)),
        ]);
    }
    blocks.push(Block::Table { rows });

    // The paragraphs share the words left over.
    let cell_words = |(words, invariants): &Cell| words + invariants.len();
    let fixed: usize = blocks
        .iter()
        .map(|block| match block {
            Block::Heading { text, .. } | Block::LeadIn { text } => cell_words(text),
            Block::Paragraph { .. } => 0,
            Block::List { items } => items.iter().map(cell_words).sum(),
            Block::Table { rows } => rows.iter().flatten().map(cell_words).sum(),
        })
        .sum();
    let paragraphs = blocks
        .iter()
        .filter(|b| matches!(b, Block::Paragraph { .. }))
        .count();
    let left = meta.wordcount.saturating_sub(fixed).max(paragraphs * 20);
    let weights: Vec<usize> = (0..paragraphs).map(|_| rng.range(2, 6)).collect();
    let total: usize = weights.iter().sum();
    let mut weights = weights.into_iter();
    for block in &mut blocks {
        if let Block::Paragraph { text } = block {
            let weight = weights.next().unwrap_or(1);
            text.0 = (left * weight / total).max(15);
        }
    }
    blocks
}

/// One translation of a logical page.
struct Translation {
    title: String,
    description: String,
    body: String,
}

fn translate(
    seed: u64,
    index: usize,
    tag: &str,
    blocks: &[Block],
    pages: &[PageMeta],
) -> Translation {
    let flavour = flavour(tag);
    let mut rng = Rng::derive(seed, &[STREAM_TEXT, index as u64, key(tag)]);
    // Translations run a little longer or shorter than their source.
    let stretch = rng.range(90, 112);
    let scale = |words: usize| (words * stretch / 100).max(1);

    // Front matter strings stay free of entities: Hugo would show them as
    // written, while tolk decodes them.
    let title_codes = if rng.percent(50) {
        vec![token("B2B")]
    } else {
        Vec::new()
    };
    let words = rng.range(3, 7);
    let mut title = run_of_words(&mut rng, flavour, words, &title_codes, pages, false);
    title = capitalize(&title.replace("&#39;", "’"));
    if rng.percent(30) {
        title.push('?');
    }
    let words = rng.range(7, 14);
    let description =
        run_of_words(&mut rng, flavour, words, &[], pages, true).replace("&#39;", "’");

    let mut body = String::with_capacity(8192);
    let _ = writeln!(body, "# {title}\n");
    for block in blocks {
        match block {
            Block::Heading {
                level,
                text: (words, codes),
            } => {
                let text = run_of_words(&mut rng, flavour, scale(*words), codes, pages, false);
                let _ = writeln!(body, "{} {}\n", "#".repeat(*level), capitalize(&text));
            }
            Block::Paragraph {
                text: (words, invariants),
            } => {
                let text = run_of_words(&mut rng, flavour, scale(*words), invariants, pages, true);
                let _ = writeln!(body, "{text}\n");
            }
            Block::LeadIn {
                text: (words, codes),
            } => {
                let text = run_of_words(&mut rng, flavour, scale(*words), codes, pages, false);
                let _ = writeln!(body, "{}:\n", capitalize(&text));
            }
            Block::List { items } => {
                for (words, invariants) in items {
                    let words = if *words == 0 { 0 } else { scale(*words) };
                    let text = run_of_words(&mut rng, flavour, words, invariants, pages, false);
                    let _ = writeln!(body, "- {}", capitalize(&text));
                }
                body.push('\n');
            }
            Block::Table { rows } => {
                for (row_index, row) in rows.iter().enumerate() {
                    body.push('|');
                    for (words, invariants) in row {
                        let text = if *words == 0 {
                            let tokens: Vec<&str> = invariants
                                .iter()
                                .filter_map(|i| match i {
                                    Invariant::Token(t) => Some(t.as_str()),
                                    _ => None,
                                })
                                .collect();
                            tokens.join(" ")
                        } else {
                            capitalize(&run_of_words(
                                &mut rng, flavour, *words, invariants, pages, false,
                            ))
                        };
                        let _ = write!(body, " {text} |");
                    }
                    body.push('\n');
                    if row_index == 0 {
                        body.push_str("|----------|-----|-----|\n");
                    }
                }
            }
        }
    }
    Translation {
        title,
        description,
        body,
    }
}

/// Whether page `index` exists in language number `lang` of `languages`.
/// About 10 % of translations are missing, but never all of a page's.
fn present(seed: u64, index: usize, languages: &[String], lang: usize) -> bool {
    let missing: Vec<bool> = languages
        .iter()
        .map(|tag| Rng::derive(seed, &[STREAM_PRESENCE, index as u64, key(tag)]).percent(10))
        .collect();
    if missing.iter().all(|&m| m) {
        return lang == 0;
    }
    !missing[lang]
}

/// Front matter fields of one translation, Adobe style.
struct Revision {
    commit: String,
    wordcount: usize,
    workflow: &'static str,
    ht_degree: usize,
}

/// About 5 % of translations were made from an older source revision, and
/// about 10 % were translated by people rather than machines.
fn revision(seed: u64, index: usize, tag: &str, meta: &PageMeta) -> Revision {
    let mut rng = Rng::derive(seed, &[STREAM_REVISION, index as u64, key(tag)]);
    let stale = rng.percent(5);
    let human = rng.percent(10);
    let (commit, wordcount) = if stale {
        (meta.old_commit.clone(), meta.old_wordcount)
    } else {
        (meta.commit.clone(), meta.wordcount)
    };
    let (workflow, ht_degree) = if human {
        ("ht", 100)
    } else {
        ("tm+mt", *rng.pick(&[0, 0, 0, 0, 1, 2, 5]))
    };
    Revision {
        commit,
        wordcount,
        workflow,
        ht_degree,
    }
}

// ---------------------------------------------------------------------------
// The two sites

const SITE_TITLE: &str = "Commerce documentation";
const BASE_URL: &str = "https://docs.example.org/";

fn tolk_config(languages: &[String]) -> String {
    let mut out = String::new();
    out.push_str("# Generated by examples/gen_corpus.rs for benches/compare.sh.\n");
    let _ = writeln!(out, "title = \"{SITE_TITLE}\"");
    let _ = writeln!(out, "base_url = \"{BASE_URL}\"");
    out.push_str("# The pages name English sources; no English page ships, as in the sample.\n");
    out.push_str("source_language = \"en\"\n");
    for tag in languages {
        let _ = write!(
            out,
            "\n[[languages]]\ntag = \"{tag}\"\nname = \"{}\"\n",
            language_name(tag)
        );
    }
    out
}

fn hugo_config(languages: &[String]) -> String {
    let mut out = String::new();
    out.push_str(
        "# Generated by examples/gen_corpus.rs for benches/compare.sh: the Hugo twin\n\
         # of the tolk site beside it, for Hugo 0.111 or later.\n",
    );
    let _ = writeln!(out, "baseURL = \"{BASE_URL}\"");
    let _ = writeln!(out, "title = \"{SITE_TITLE}\"");
    let _ = writeln!(out, "defaultContentLanguage = \"{}\"", languages[0]);
    out.push_str(
        "# tolk puts every language under /<lang>/, so Hugo does too.\n\
         defaultContentLanguageInSubdir = true\n\
         # tolk builds the pages (and a fallback page per missing translation),\n\
         # one home per language, the site root, a translation status page,\n\
         # 404 pages, one sitemap with hreflang alternates, robots.txt and an\n\
         # Atom feed of the 50 newest pages per language. Hugo builds the same\n\
         # machine files (a feed per language home only, 50 entries), and one\n\
         # list page per section and language. Taxonomies and terms are\n\
         # disabled: tolk has none, and Hugo would build empty lists for them.\n\
         disableKinds = [\"taxonomy\", \"term\"]\n\
         enableRobotsTXT = true\n\
         # Section titles as tolk shows them: \"Commerce\", not \"Commerces\".\n\
         pluralizeListTitles = false\n\
         # The generated corpus is not in a git repository.\n\
         enableGitInfo = false\n\
         \n\
         [outputs]\n\
         home = [\"HTML\", \"RSS\"]\n\
         section = [\"HTML\"]\n\
         page = [\"HTML\"]\n\
         \n\
         [services.rss]\n\
         limit = 50\n\
         \n\
         [markup.tableOfContents]\n\
         startLevel = 2\n\
         endLevel = 3\n",
    );
    for (weight, tag) in languages.iter().enumerate() {
        let _ = write!(
            out,
            "\n[languages.{tag}]\ncontentDir = \"content/{tag}\"\nweight = {}\nlanguageName = \"{}\"\n",
            weight + 1,
            language_name(tag)
        );
    }
    out
}

const HUGO_BASEOF: &str = r#"<!doctype html>
{{- /* Minimal layout comparable to tolk's default theme: <html lang dir>,
       canonical and hreflang links, a language switcher listing every
       language, the content and a footer. */}}
<html lang="{{ .Site.Language.Lang }}" dir="{{ with .Site.Language.LanguageDirection }}{{ . }}{{ else }}ltr{{ end }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ if not .IsHome }}{{ .Title }} – {{ end }}{{ .Site.Title }}</title>
{{ with .Description }}<meta name="description" content="{{ . }}">
{{ end -}}
<meta name="generator" content="hugo">
<link rel="canonical" href="{{ .Permalink }}">
{{ range .AllTranslations -}}
<link rel="alternate" hreflang="{{ .Language.Lang }}" href="{{ .Permalink }}">
{{ end -}}
{{ range first 1 .AllTranslations -}}
<link rel="alternate" hreflang="x-default" href="{{ .Permalink }}">
{{ end -}}
</head>
<body>
<header class="site-header">
  <a class="site-title" href="{{ .Site.Home.RelPermalink }}">{{ .Site.Title }}</a>
  {{- $page := . }}
  <nav class="language-switcher" aria-label="Language">
    <ul>
    {{- range .Site.Languages }}
      {{- $lang := .Lang }}
      {{- $name := .LanguageName }}
      {{- if eq $lang $page.Language.Lang }}
      <li><a href="{{ $page.RelPermalink }}" lang="{{ $lang }}" aria-current="page">{{ $name }}</a></li>
      {{- else }}
        {{- $found := false }}
        {{- range $page.Translations }}
          {{- if eq .Language.Lang $lang }}
            {{- $found = true }}
      <li><a href="{{ .RelPermalink }}" lang="{{ $lang }}" hreflang="{{ $lang }}">{{ $name }}</a></li>
          {{- end }}
        {{- end }}
        {{- if not $found }}
      <li><span lang="{{ $lang }}">{{ $name }}</span> (not translated yet)</li>
        {{- end }}
      {{- end }}
    {{- end }}
    </ul>
  </nav>
</header>
<main id="main">
{{ block "main" . }}{{ end }}
</main>
<footer class="site-footer">
  <a href="{{ .Site.Home.RelPermalink }}">Home</a>
  <span>{{ .Site.Title }}</span>
</footer>
</body>
</html>
"#;

const HUGO_SINGLE: &str = r#"{{ define "main" }}
{{- /* A page, laid out as in tolk's theme: breadcrumbs; a sidebar with
       every section of the language, the current one opened on at most 41
       of its pages (in weight order) around this one, with a link to the
       home for the rest, as tolk's sidebar; the table of contents (levels 2
       and 3); a machine translation notice; the content, which carries its
       own level-1 heading; previous and next page of the section. The
       generator gives the pages of a section weights 1, 2, 3 … so the
       page's position is its weight less one. */}}
{{- $page := . }}
{{- $section := .CurrentSection }}
{{- $siblings := $section.Pages }}
{{- $count := len $siblings }}
{{- $start := sub (sub .Weight 1) 20 }}
{{- if gt (add $start 41) $count }}{{ $start = sub $count 41 }}{{ end }}
{{- if lt $start 0 }}{{ $start = 0 }}{{ end }}
{{- $window := first 41 (after $start $siblings) }}
{{- $rest := sub $count (add $start (len $window)) }}
<nav class="breadcrumbs" aria-label="Breadcrumbs">
  <ol>
    <li><a href="{{ .Site.Home.RelPermalink }}">Home</a></li>
    <li><a href="{{ $section.RelPermalink }}">{{ $section.Title }}</a></li>
    <li><span aria-current="page">{{ .Title }}</span></li>
  </ol>
</nav>
<div class="page-layout">
  <nav class="site-nav" aria-label="Pages">
    <ul class="nav-sections">
    {{- range .Site.Sections.ByTitle }}
      {{- if eq . $section }}
      <li class="current-section"><a href="{{ .RelPermalink }}">{{ .Title }}</a>
        <ul>
        {{- if gt $start 0 }}
          <li><a href="{{ $page.Site.Home.RelPermalink }}">… {{ $start }}</a></li>
        {{- end }}
        {{- range $window }}
          <li><a href="{{ .RelPermalink }}"{{ if eq . $page }} aria-current="page"{{ end }}>{{ .Title }}</a></li>
        {{- end }}
        {{- if gt $rest 0 }}
          <li><a href="{{ $page.Site.Home.RelPermalink }}">… {{ $rest }}</a></li>
        {{- end }}
        </ul>
      </li>
      {{- else }}
      <li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>
      {{- end }}
    {{- end }}
    </ul>
  </nav>
  <aside class="toc">{{ .TableOfContents }}</aside>
  <article class="content">
  {{- if eq (index .Params "workflow-type") "tm+mt" }}
    <p class="notice notice-mt" role="note">Machine translated ({{ index .Params "ht-degree" }} human).</p>
  {{- end }}
  {{ .Content }}
  </article>
</div>
<nav class="prev-next" aria-label="More pages">
  {{- /* Hugo's Pages.Next is the entry before in list order. */}}
  {{- with $siblings.Next . }}<a class="prev" rel="prev" href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}
  {{- with $siblings.Prev . }}<a class="next" rel="next" href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}
</nav>
{{ end }}
"#;

const HUGO_404: &str = r#"{{ define "main" }}
{{- /* Page not found, per language, as tolk's 404.html. */}}
<h1>Page not found</h1>
<p><a href="{{ .Site.Home.RelPermalink }}">{{ .Site.Title }}</a></p>
{{ end }}
"#;

const HUGO_LIST: &str = r#"{{ define "main" }}
{{- /* A section: its pages in this language. */}}
<h1>{{ .Title }}</h1>
<ul class="page-list">
{{- range .Pages }}
  <li><a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ with .Description }}<p>{{ . }}</p>{{ end }}</li>
{{- end }}
</ul>
{{ end }}
"#;

const HUGO_INDEX: &str = r#"{{ define "main" }}
{{- /* A language's home: every page of the language by section, as tolk's
       home.html lists them. */}}
<div class="home">
  <h1>{{ .Site.Title }}</h1>
  {{- range .Site.Sections }}
  <section class="home-section">
    <h2>{{ .Title }}</h2>
    <ul class="page-list">
    {{- range .Pages }}
      <li><a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ with .Description }}<p>{{ . }}</p>{{ end }}</li>
    {{- end }}
    </ul>
  </section>
  {{- end }}
</div>
{{ end }}
"#;

/// Relative `.md` links lead to the page in the same language, as tolk's do;
/// where that translation is missing the link stays as written (tolk links
/// its fallback page instead).
const HUGO_RENDER_LINK: &str = r#"{{- $href := .Destination -}}
{{- if and (strings.HasSuffix .Destination ".md") (not (strings.Contains .Destination ":")) -}}
  {{- with .Page.Site.GetPage (path.Join "/" .Page.File.Dir .Destination) -}}
    {{- $href = .RelPermalink -}}
  {{- end -}}
{{- end -}}
<a href="{{ $href | safeURL }}"{{ with .Title }} title="{{ . }}"{{ end }}>{{ .Text | safeHTML }}</a>
{{- /* no newline after the link */ -}}
"#;

fn write_file(path: &Path, text: &str) -> io::Result<()> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)?;
    }
    let mut file = io::BufWriter::new(fs::File::create(path)?);
    file.write_all(text.as_bytes())?;
    file.flush()
}

fn prepare(dir: &Path, force: bool) -> Result<(), String> {
    if dir.exists() {
        let empty = fs::read_dir(dir)
            .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
            .next()
            .is_none();
        if !empty {
            if !force {
                return Err(format!(
                    "{} exists and is not empty; pass --force to replace it",
                    dir.display()
                ));
            }
            fs::remove_dir_all(dir).map_err(|e| format!("cannot remove {}: {e}", dir.display()))?;
        }
    }
    fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))
}

fn check_languages(raw: &[String]) -> Result<Vec<String>, String> {
    let languages: Vec<String> = raw
        .iter()
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect();
    if languages.is_empty() {
        return Err("--languages needs at least one tag".into());
    }
    for (i, tag) in languages.iter().enumerate() {
        if !tag.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(format!(
                "language tag `{tag}` has characters other than letters, digits and -"
            ));
        }
        if languages[..i].contains(tag) {
            return Err(format!("language `{tag}` is given twice"));
        }
    }
    Ok(languages)
}

fn run(args: &Args) -> Result<(), String> {
    if args.pages == 0 {
        return Err("--pages must be at least 1".into());
    }
    let languages = check_languages(&args.languages)?;
    let tolk = args.out.join("tolk");
    let hugo = args.out.join("hugo");
    prepare(&tolk, args.force)?;
    prepare(&hugo, args.force)?;
    let write = |path: &Path, text: &str| {
        write_file(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
    };

    write(&tolk.join("tolk.toml"), &tolk_config(&languages))?;
    write(&hugo.join("hugo.toml"), &hugo_config(&languages))?;
    let layouts = hugo.join("layouts/_default");
    write(&layouts.join("baseof.html"), HUGO_BASEOF)?;
    write(&layouts.join("single.html"), HUGO_SINGLE)?;
    write(&layouts.join("list.html"), HUGO_LIST)?;
    write(&hugo.join("layouts/index.html"), HUGO_INDEX)?;
    write(&hugo.join("layouts/404.html"), HUGO_404)?;
    write(&layouts.join("_markup/render-link.html"), HUGO_RENDER_LINK)?;

    let metas = page_metas(args.seed, args.pages);
    let mut per_language = vec![0usize; languages.len()];
    // Each page's place in its section, per language: its `weight`, so that
    // both tools list a section in the same order and Hugo's template can
    // find the page's position without scanning the section.
    let mut section_sizes: std::collections::HashMap<(usize, &str), usize> =
        std::collections::HashMap::new();
    let mut words_total = 0usize;
    for (index, meta) in metas.iter().enumerate() {
        let blocks = skeleton(args.seed, index, meta, metas.len());
        for (lang_index, tag) in languages.iter().enumerate() {
            if !present(args.seed, index, &languages, lang_index) {
                continue;
            }
            let translation = translate(args.seed, index, tag, &blocks, &metas);
            let revision = revision(args.seed, index, tag, meta);
            words_total += translation.body.split_whitespace().count();
            let relative = format!("content/{tag}/{}/{}.md", meta.section, meta.slug);
            let place = section_sizes.entry((lang_index, meta.section)).or_insert(0);
            *place += 1;
            let weight = *place;
            // Adobe's layout: a blank line before the closing `---`.
            let adobe_fields = format!(
                "exl-id: {}\nsource-git-commit: {}\nworkflow-type: {}\n\
                 source-wordcount: '{}'\nht-degree: {}%\n",
                meta.exl_id,
                revision.commit,
                revision.workflow,
                revision.wordcount,
                revision.ht_degree
            );
            let tolk_page = format!(
                "---\ntitle: {}\ndescription: {}\nweight: {weight}\n{adobe_fields}\n---\n\n{}",
                translation.title, translation.description, translation.body
            );
            write(&tolk.join(&relative), &tolk_page)?;
            // Hugo groups translations by translationKey; the Adobe fields
            // are kept as page parameters, so both parse the same YAML.
            let hugo_page = format!(
                "---\ntitle: {}\ndescription: {}\nweight: {weight}\ntranslationKey: {}\n{adobe_fields}---\n\n{}",
                translation.title, translation.description, meta.exl_id, translation.body
            );
            write(&hugo.join(&relative), &hugo_page)?;
            per_language[lang_index] += 1;
        }
    }

    let files: usize = per_language.iter().sum();
    let counts: Vec<String> = languages
        .iter()
        .zip(&per_language)
        .map(|(t, n)| format!("{t} {n}"))
        .collect();
    println!(
        "Wrote {} logical pages as {files} files per site ({}; {} translations missing), \
         about {} words per file, into {} and {}",
        metas.len(),
        counts.join(", "),
        metas.len() * languages.len() - files,
        words_total / files.max(1),
        tolk.display(),
        hugo.display()
    );
    println!("The tolk site has no theme: copy the repository's themes/ into it before building.");
    Ok(())
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("gen_corpus: {message}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_deterministic_and_distinct() {
        let first = Rng::derive(7, &[1, 2]).next_u64();
        assert_eq!(first, Rng::derive(7, &[1, 2]).next_u64());
        assert_ne!(first, Rng::derive(7, &[2, 1]).next_u64());
        assert_ne!(first, Rng::derive(8, &[1, 2]).next_u64());
    }

    #[test]
    fn ids_have_the_shapes_tolk_expects() {
        let mut rng = Rng::derive(1, &[]);
        let id = rng.uuid();
        let lengths: Vec<usize> = id.split('-').map(str::len).collect();
        assert_eq!(lengths, [8, 4, 4, 4, 12]);
        assert!(id.chars().all(|c| c == '-' || c.is_ascii_hexdigit()));
        assert_eq!(rng.hex(40).len(), 40);
    }

    #[test]
    fn slugs_are_unique_within_a_section() {
        let metas = page_metas(3, 3000);
        let mut seen = HashSet::new();
        assert!(
            metas
                .iter()
                .all(|m| seen.insert((m.section, m.slug.clone())))
        );
    }

    #[test]
    fn every_page_keeps_at_least_one_translation() {
        let languages = vec!["fr".to_string(), "it".to_string()];
        for index in 0..2000 {
            assert!((0..2).any(|l| present(5, index, &languages, l)));
        }
    }
}
