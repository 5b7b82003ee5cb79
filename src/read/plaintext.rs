//! Plain-text articles (no markup at all) turned into Markdown.
//!
//! Rules:
//! 1. Line ends may be LF, CRLF or a lone CR; a UTF-8 byte order mark at the
//!    start is ignored. Every line is trimmed of surrounding whitespace.
//! 2. The first non-empty line is the title. It is returned as plain text in
//!    [`PlainTextPage::title`] (the page template shows it as the `h1` and
//!    escapes it) and is not repeated in the Markdown.
//! 3. A line starting with `- `, `• ` or `* ` is a list item; consecutive
//!    items (blank lines between them allowed) form one list, emitted as
//!    `- item` lines with a blank line before and after. A list item stays a
//!    list item even when it ends with `?`.
//! 4. A line that is not a list item, has at most
//!    [`MAX_HEADING_CHARS`] characters and ends with `?` or `:` (French
//!    writes ` ?` and ` :`) is a heading, emitted as `## line`.
//!    Exception: a line ending with `:` whose next non-blank line is a list
//!    item introduces that list, so it stays a paragraph (a lead-in such as
//!    `Articles similaires :`).
//! 5. Every other line is a paragraph of its own: source files put one
//!    paragraph per line. Blank lines only separate blocks.
//! 6. Text stays text: characters that Markdown would read as markup are
//!    backslash-escaped. Everywhere: `\` `` ` `` `*` `_` `[` `]` `<` `>` `|`
//!    `~`. At the start of a paragraph, heading or list item: `#`, `+`, `-`,
//!    `=`, and the `.` or `)` of an ordered-list lookalike (`3. Foo` becomes
//!    `3\. Foo`). `&` is kept as is, so entities such as `&quot;` still
//!    decode.

/// A plain-text article converted to Markdown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlainTextPage {
    /// The first non-empty line, unescaped; empty when the text is empty.
    pub title: String,
    /// The rest of the article as Markdown, ending with a newline unless
    /// empty.
    pub markdown: String,
}

/// Headings are short: a longer line ending with `?` or `:` is a sentence.
pub const MAX_HEADING_CHARS: usize = 120;

/// Markers that start a list item, each followed by a space.
const LIST_MARKERS: [&str; 3] = ["- ", "• ", "* "];

/// Characters escaped wherever they appear.
const ALWAYS_ESCAPED: [char; 10] = ['\\', '`', '*', '_', '[', ']', '<', '>', '|', '~'];

/// Characters escaped only at the start of a block, where they would open a
/// heading, a list, or a setext underline.
const LEADING_ESCAPED: [char; 4] = ['#', '+', '-', '='];

/// Whether a text uses Markdown markup that plain text never has: ATX
/// headings, pipe tables, links, strong emphasis or code fences. (Lists of
/// `- ` lines are common in plain text, so they do not count.)
pub fn looks_like_markdown(text: &str) -> bool {
    text.lines().any(|line| {
        let line = line.trim_start();
        let hashes = line.chars().take_while(|&c| c == '#').count();
        (1..=6).contains(&hashes) && line[hashes..].starts_with(' ')
            || line.starts_with('|') && line.trim_end().ends_with('|')
            || line.starts_with("```")
            || line.contains("](")
            || line.contains("**")
    })
}

/// Turns a plain-text article (no markup) into Markdown. `text` has no front
/// matter.
pub fn to_markdown(text: &str) -> PlainTextPage {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let lines: Vec<&str> = split_lines(text).map(str::trim).collect();
    let Some(title_index) = lines.iter().position(|line| !line.is_empty()) else {
        return PlainTextPage {
            title: String::new(),
            markdown: String::new(),
        };
    };
    let blocks = blocks(&lines[title_index + 1..]);
    PlainTextPage {
        title: lines[title_index].to_string(),
        markdown: render(&blocks),
    }
}

/// Splits on LF, CRLF and lone CR alike.
fn split_lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let current = rest?;
        match current.find(['\r', '\n']) {
            Some(end) => {
                let line_end = if current[end..].starts_with("\r\n") {
                    2
                } else {
                    1
                };
                rest = Some(&current[end + line_end..]);
                Some(&current[..end])
            }
            None => {
                rest = None;
                Some(current)
            }
        }
    })
}

enum Block<'a> {
    Heading(&'a str),
    Paragraph(&'a str),
    List(Vec<&'a str>),
}

fn blocks<'a>(lines: &[&'a str]) -> Vec<Block<'a>> {
    let mut blocks = Vec::new();
    for (index, &line) in lines.iter().enumerate() {
        if line.is_empty() {
            continue;
        }
        if let Some(item) = list_item(line) {
            // Blank lines make no block, so a list last means the previous
            // non-blank line was an item: blank lines do not split a list.
            match blocks.last_mut() {
                Some(Block::List(items)) => items.push(item),
                _ => blocks.push(Block::List(vec![item])),
            }
        } else if is_heading(line, &lines[index + 1..]) {
            blocks.push(Block::Heading(line));
        } else {
            blocks.push(Block::Paragraph(line));
        }
    }
    blocks
}

/// The text of a list item line, without its marker.
fn list_item(line: &str) -> Option<&str> {
    LIST_MARKERS
        .iter()
        .find_map(|marker| line.strip_prefix(marker))
        .map(str::trim_start)
}

fn is_heading(line: &str, following: &[&str]) -> bool {
    let short = line.chars().count() <= MAX_HEADING_CHARS;
    let introduces_list = line.ends_with(':') && next_is_list_item(following);
    short && (line.ends_with('?') || line.ends_with(':')) && !introduces_list
}

fn next_is_list_item(following: &[&str]) -> bool {
    following
        .iter()
        .find(|line| !line.is_empty())
        .is_some_and(|line| list_item(line).is_some())
}

fn render(blocks: &[Block]) -> String {
    let rendered: Vec<String> = blocks.iter().map(render_block).collect();
    let mut markdown = rendered.join("\n\n");
    if !markdown.is_empty() {
        markdown.push('\n');
    }
    markdown
}

fn render_block(block: &Block) -> String {
    match block {
        Block::Heading(text) => format!("## {}", escape(text)),
        Block::Paragraph(text) => escape(text),
        Block::List(items) => items
            .iter()
            .map(|item| format!("- {}", escape(item)))
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

/// Backslash-escapes what Markdown would otherwise read as markup in `text`,
/// which starts a block.
fn escape(text: &str) -> String {
    let list_punctuation = ordered_list_punctuation(text);
    let mut escaped = String::with_capacity(text.len() + 8);
    for (index, ch) in text.char_indices() {
        let at_start = index == 0 && LEADING_ESCAPED.contains(&ch);
        if ALWAYS_ESCAPED.contains(&ch) || at_start || list_punctuation == Some(index) {
            escaped.push('\\');
        }
        escaped.push(ch);
    }
    escaped
}

/// The byte index of the `.` or `)` when `text` starts like an ordered list
/// item (`3. Foo`, `12)`): up to nine digits, the punctuation, then a space,
/// a tab or nothing.
fn ordered_list_punctuation(text: &str) -> Option<usize> {
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    let bytes = text.as_bytes();
    let punctuation = *bytes.get(digits)?;
    let then = bytes.get(digits + 1);
    let is_marker = (1..=9).contains(&digits)
        && matches!(punctuation, b'.' | b')')
        && matches!(then, None | Some(b' ' | b'\t'));
    is_marker.then_some(digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_markdown_from_plain_text() {
        assert!(looks_like_markdown("intro\n# Title\n"));
        assert!(looks_like_markdown("| a | b |\n|---|---|\n"));
        assert!(looks_like_markdown("see [x](y.md)"));
        assert!(!looks_like_markdown(
            "Titre\nQu’est-ce que le B2C ?\n- un\n- deux\n#hashtag\n"
        ));
    }

    const ARTICLE: &str = "Apprenez les différences entre B2C et B2B et comment elles affectent la stratégie marketing de votre entreprise.
La segmentation de vos profils clients
Une bonne segmentation des profils clients commence, si vous être sur un marché mixte, pas une segmentation claire entre le B2C et le B2B.
Si ces notions ne sont pas claires pour vous, voici les définitions indispensables.
Qu’est-ce que le B2C (ou BtoC) ?
Le B2C, ou Business-to-Consumer, est un modèle commercial dans lequel une entreprise vend ses produits ou services directement aux consommateurs finaux.
Qu’est-ce que le B2B (ou BtoB) ?
Le B2B, ou Business-to-Business, est un modèle commercial.
Comment la technologie impacte-t-elle le B2C et le B2B ?
La technologie a un impact.
Articles similaires :
- Les techniques de vente
- Organiser la force de vente : 3 modèles d’organisation de vos équipes commerciales
- Pourquoi dit-on que le client est roi ?
- Zoom sur les canaux de distribution
";

    const ARTICLE_MARKDOWN: &str = "La segmentation de vos profils clients

Une bonne segmentation des profils clients commence, si vous être sur un marché mixte, pas une segmentation claire entre le B2C et le B2B.

Si ces notions ne sont pas claires pour vous, voici les définitions indispensables.

## Qu’est-ce que le B2C (ou BtoC) ?

Le B2C, ou Business-to-Consumer, est un modèle commercial dans lequel une entreprise vend ses produits ou services directement aux consommateurs finaux.

## Qu’est-ce que le B2B (ou BtoB) ?

Le B2B, ou Business-to-Business, est un modèle commercial.

## Comment la technologie impacte-t-elle le B2C et le B2B ?

La technologie a un impact.

Articles similaires :

- Les techniques de vente
- Organiser la force de vente : 3 modèles d’organisation de vos équipes commerciales
- Pourquoi dit-on que le client est roi ?
- Zoom sur les canaux de distribution
";

    #[test]
    fn french_article_becomes_markdown() {
        let page = to_markdown(ARTICLE);
        assert_eq!(
            page.title,
            "Apprenez les différences entre B2C et B2B et comment elles affectent la stratégie marketing de votre entreprise."
        );
        assert_eq!(page.markdown, ARTICLE_MARKDOWN);
    }

    #[test]
    fn crlf_lone_cr_and_bom_give_the_same_page() {
        let expected = to_markdown(ARTICLE);
        let crlf = format!("\u{FEFF}{}", ARTICLE.replace('\n', "\r\n"));
        assert_eq!(to_markdown(&crlf), expected);
        assert_eq!(to_markdown(&ARTICLE.replace('\n', "\r")), expected);
    }

    #[test]
    fn title_is_first_non_empty_line_and_kept_raw() {
        let page = to_markdown("\n  \n  *Stars* & <b>bold</b>  \nBody");
        assert_eq!(page.title, "*Stars* & <b>bold</b>");
        assert_eq!(page.markdown, "Body\n");
    }

    #[test]
    fn empty_and_title_only_inputs() {
        for text in ["", "\n\n", " \r\n\t", "\u{FEFF}"] {
            let page = to_markdown(text);
            assert_eq!(page.title, "");
            assert_eq!(page.markdown, "");
        }
        let page = to_markdown("Only a title\n");
        assert_eq!(page.title, "Only a title");
        assert_eq!(page.markdown, "");
    }

    #[test]
    fn headings_need_a_short_line_ending_with_question_or_colon() {
        let long_question = format!("{} ?", "mot ".repeat(40));
        let text = format!(
            "T\nPourquoi ?\nExemple :\nWhy:\nShort line\nEnds with a period.\n{long_question}"
        );
        let page = to_markdown(&text);
        let expected = format!(
            "## Pourquoi ?\n\n## Exemple :\n\n## Why:\n\nShort line\n\nEnds with a period.\n\n{}\n",
            long_question.trim()
        );
        assert_eq!(page.markdown, expected);
    }

    #[test]
    fn colon_before_a_list_is_a_lead_in_even_across_a_blank_line() {
        let page = to_markdown("T\nVoir aussi :\n\n- un\n- deux ?\nNotes :\nFin.");
        assert_eq!(
            page.markdown,
            "Voir aussi :\n\n- un\n- deux ?\n\n## Notes :\n\nFin.\n"
        );
    }

    #[test]
    fn question_before_a_list_stays_a_heading() {
        let page = to_markdown("T\nPourquoi ?\n- parce que");
        assert_eq!(page.markdown, "## Pourquoi ?\n\n- parce que\n");
    }

    #[test]
    fn all_list_markers_become_dashes_in_one_tight_list() {
        let page = to_markdown("T\n- a\n• b\n\n* c\n\n\n- d\nafter\n- e");
        assert_eq!(page.markdown, "- a\n- b\n- c\n- d\n\nafter\n\n- e\n");
    }

    #[test]
    fn markdown_significant_characters_are_escaped() {
        let text = "T\n3. Foo\n12) Bar\n3.5 million\n*stars* and _under_\n<b>bold</b> & &quot;\n# not heading\n+ plus\n= equals\n-dash\n---\n> quote\n`code` [link](x) a|b ~~strike~~ back\\slash\nC# stays";
        let expected = "3\\. Foo\n\n12\\) Bar\n\n3.5 million\n\n\\*stars\\* and \\_under\\_\n\n\\<b\\>bold\\</b\\> & &quot;\n\n\\# not heading\n\n\\+ plus\n\n\\= equals\n\n\\-dash\n\n\\---\n\n\\> quote\n\n\\`code\\` \\[link\\](x) a\\|b \\~\\~strike\\~\\~ back\\\\slash\n\nC# stays\n";
        assert_eq!(to_markdown(text).markdown, expected);
    }

    #[test]
    fn list_items_and_headings_are_escaped_too() {
        let page = to_markdown("T\n- 1. first\n- # hash\n- <x>\n#1 pourquoi ?");
        assert_eq!(
            page.markdown,
            "- 1\\. first\n- \\# hash\n- \\<x\\>\n\n## \\#1 pourquoi ?\n"
        );
    }

    #[test]
    fn indentation_is_trimmed_so_nothing_becomes_code() {
        let page = to_markdown("T\n        indented text\n\t- item");
        assert_eq!(page.markdown, "indented text\n\n- item\n");
    }

    /// What pulldown-cmark, with the options the site renders with, reads
    /// in `markdown`: the text of every block, failing on any markup other
    /// than `h2` headings, paragraphs and flat bullet lists.
    fn rendered_blocks(markdown: &str) -> Vec<String> {
        use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};
        let options = Options::ENABLE_TABLES
            | Options::ENABLE_FOOTNOTES
            | Options::ENABLE_STRIKETHROUGH
            | Options::ENABLE_TASKLISTS
            | Options::ENABLE_HEADING_ATTRIBUTES;
        let mut blocks = Vec::new();
        // A paragraph or a list inside an item would be a loose or nested list.
        let mut in_item = false;
        for event in Parser::new_ext(markdown, options) {
            match event {
                Event::Start(Tag::Item) if !in_item => {
                    in_item = true;
                    blocks.push(String::new());
                }
                Event::End(TagEnd::Item) => in_item = false,
                Event::Start(Tag::Paragraph) | Event::Start(Tag::List(None)) if in_item => {
                    panic!("loose or nested list in {markdown:?}")
                }
                Event::Start(Tag::Paragraph)
                | Event::Start(Tag::Heading {
                    level: HeadingLevel::H2,
                    ..
                }) => blocks.push(String::new()),
                Event::Start(Tag::List(None)) => {}
                Event::End(TagEnd::Paragraph | TagEnd::List(false))
                | Event::End(TagEnd::Heading(HeadingLevel::H2)) => {}
                Event::Text(text) => blocks.last_mut().unwrap().push_str(&text),
                other => panic!("unexpected markup {other:?} in {markdown:?}"),
            }
        }
        blocks
    }

    /// The blocks the rules promise: every non-empty line after the title,
    /// list markers removed.
    fn expected_blocks(text: &str) -> Vec<String> {
        let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
        split_lines(text)
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .skip(1)
            .map(|line| list_item(line).unwrap_or(line).to_string())
            .collect()
    }

    #[test]
    #[should_panic(expected = "loose or nested list")]
    fn the_reader_rejects_loose_lists() {
        rendered_blocks("- a\n\n- b\n");
    }

    #[test]
    fn markdown_reads_back_as_the_same_text() {
        let text = "T\n3. Foo\n*stars* <b>x</b> [^1]: [a](b) | ~~s~~ `c` \\\n---\n- [ ] task\n- * nested\n===\n    code?\n> quote :\n#tag\n```\n~~~\n<div>\n[ref]: /url\n1)\n";
        let page = to_markdown(text);
        assert_eq!(rendered_blocks(&page.markdown), expected_blocks(text));
    }

    #[test]
    fn random_lines_read_back_as_the_same_text() {
        let alphabet = " \t\r\n\n-•*#?:.)09aZé’\u{A0}\u{FEFF}<>[]\\`|_~+=!{}()^$%&\"'/";
        for text in super::super::random_texts(alphabet, 5000, 80) {
            let page = to_markdown(&text);
            assert!(!page.title.contains(['\n', '\r']));
            assert_eq!(
                rendered_blocks(&page.markdown),
                expected_blocks(&text),
                "for {text:?}"
            );
        }
    }
}
