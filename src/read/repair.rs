//! Repair of mojibake: UTF-8 text that was once decoded as Latin-1 or
//! Windows-1252 and saved again, so that `cliënt` reads `cliÃ«nt` and `’`
//! reads `â€™`.
//!
//! The repair works word by word. A word is a run of ASCII letters and digits
//! and non-ASCII characters; every damaged sequence is made of non-ASCII
//! characters only, so it always lies inside one word, and the word is what a
//! [`Repair`] reports.
//!
//! Inside a word:
//! - every character is mapped back to the single byte it came from in
//!   Windows-1252 (C1 controls map to their own byte, as a Latin-1 decoder
//!   would have produced them). A character without such a byte cannot belong
//!   to a damaged sequence.
//! - A UTF-8 lead byte (`0xC2..=0xF4`) followed by the right number of
//!   continuation bytes (`0x80..=0xBF`) that decodes as *strict* UTF-8 is a
//!   candidate sequence.
//! - Some candidates are ordinary text as well: an uppercase accented letter
//!   or `ß` followed by a quote, a dash, `…`, `™`, a no-break space...
//!   (`JOSÉ’S`, `»Fuß«`, `voilà »`), or by a letter of the same case
//!   (`PROHLÍŽEČ`). Those are *weak*. The others are *strong*, because real
//!   text does not write them: an `Ã` or `Â` lead, a C1 control, a symbol such
//!   as `€` or `‚` or a letter of the other case right after an accented
//!   letter (`Ð¸`), an uppercase lead right after a lowercase letter (`siÄ™`),
//!   or a sequence that decodes to a Latin Extended, Greek or Cyrillic letter
//!   inside a word (`Å’uvre`, `È™i`, `POÄŒET`, `Ð\u{AD}Ð»ÑŒ` for `Эль`).
//! - A word is repaired only when it holds a strong candidate, and then all
//!   its candidates are decoded: a word is damaged whole or not at all. So
//!   `PÅ˜EPÃ\u{8D}NAÄŒ` becomes `PŘEPÍNAČ` although `ÄŒ` alone is weak,
//!   while `JOSÉ’S` or `PROHLÍŽEČ`, with weak candidates only, stay.
//! - A repaired word must be less suspicious (hold fewer repairable sequences)
//!   than the word it replaces. The repair is applied again, at most
//!   `MAX_PASSES` times, to undo text that was mis-decoded more than once.
//!
//! Known limit: a damaged word whose only damage is weak stays damaged (for
//! instance the Ukrainian word `є` read as `Ñ”`), the price of never touching
//! correct text.

use std::borrow::Cow;

/// One repaired word. `line` and `column` are 1-based and point at the start
/// of the word in the original text; the column counts characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Repair {
    pub line: usize,
    pub column: usize,
    pub before: String,
    pub after: String,
}

/// How many times a word may be decoded: text mis-decoded twice or three
/// times still comes back, and no input can make the repair loop for long.
const MAX_PASSES: usize = 3;

/// Repairs every damaged word of `text` and reports each repair. Returns the
/// text borrowed when nothing had to change.
pub(super) fn repair_mojibake(text: &str) -> (Cow<'_, str>, Vec<Repair>) {
    if !may_hold_mojibake(text) {
        return (Cow::Borrowed(text), Vec::new());
    }
    let mut repaired = String::new();
    let mut copied_up_to = 0;
    let mut repairs = Vec::new();
    for word in Words::new(text) {
        let Some(after) = repair_word(word.text) else {
            continue;
        };
        repaired.push_str(&text[copied_up_to..word.start]);
        repaired.push_str(&after);
        copied_up_to = word.start + word.text.len();
        repairs.push(Repair {
            line: word.line,
            column: word.column,
            before: word.text.to_string(),
            after,
        });
    }
    if repairs.is_empty() {
        return (Cow::Borrowed(text), repairs);
    }
    repaired.push_str(&text[copied_up_to..]);
    (Cow::Owned(repaired), repairs)
}

/// Every repair starts with a lead byte (0xC2..=0xF4) read as a character
/// and followed by a continuation byte (0x80..=0xBF) read as a character; a
/// text without such a pair, as almost all are, needs no closer look.
fn may_hold_mojibake(text: &str) -> bool {
    let mut previous_is_lead = false;
    for ch in text.chars() {
        if (ch as u32) < 0x80 {
            previous_is_lead = false;
            continue;
        }
        let byte = windows_1252_byte(ch);
        if previous_is_lead && byte.is_some_and(|b| (0x80..=0xBF).contains(&b)) {
            return true;
        }
        previous_is_lead = byte.is_some_and(|b| (0xC2..=0xF4).contains(&b));
    }
    false
}

/// The repaired form of `word`, or `None` when it is not mojibake.
fn repair_word(word: &str) -> Option<String> {
    if word.is_ascii() {
        return None;
    }
    // `current.repaired` is the suspicion of the text `current` was made from.
    let mut current = decode_pass(word);
    let mut accepted = None;
    for _ in 0..MAX_PASSES {
        if current.repaired == 0 {
            break;
        }
        let next = decode_pass(&current.text);
        if next.repaired >= current.repaired {
            // Not less suspicious than before: this step is not a repair.
            break;
        }
        accepted = Some(current.text);
        current = next;
    }
    accepted
}

/// The outcome of decoding one word once.
struct Pass {
    text: String,
    /// How many sequences were decoded: the suspicion of the input word.
    repaired: usize,
}

fn decode_pass(word: &str) -> Pass {
    let chars: Vec<char> = word.chars().collect();
    let candidates = candidates(&chars);
    if !candidates.iter().any(|(_, candidate)| candidate.strong) {
        return Pass {
            text: word.to_string(),
            repaired: 0,
        };
    }
    // A word is damaged whole or not at all, so once one candidate proves
    // the damage, the weak ones are decoded too.
    let mut text = String::with_capacity(word.len());
    let mut next_char = 0;
    for (start, candidate) in &candidates {
        text.extend(&chars[next_char..*start]);
        text.push(candidate.decoded);
        next_char = start + candidate.chars;
    }
    text.extend(&chars[next_char..]);
    Pass {
        text,
        repaired: candidates.len(),
    }
}

/// The candidate sequences of a word with their start, scanning left to
/// right and going on after each sequence found.
fn candidates(chars: &[char]) -> Vec<(usize, Candidate)> {
    let mut found = Vec::new();
    let mut index = 0;
    while index < chars.len() {
        match candidate_at(chars, index) {
            Some(candidate) => {
                let len = candidate.chars;
                found.push((index, candidate));
                index += len;
            }
            None => index += 1,
        }
    }
    found
}

/// A run of characters whose bytes form one valid UTF-8 sequence.
struct Candidate {
    chars: usize,
    decoded: char,
    strong: bool,
}

fn candidate_at(chars: &[char], start: usize) -> Option<Candidate> {
    let lead = windows_1252_byte(*chars.get(start)?)?;
    let len = sequence_len(lead)?;
    let sequence = chars.get(start..start + len)?;
    let mut bytes = [lead, 0, 0, 0];
    for (slot, &ch) in bytes[1..len].iter_mut().zip(&sequence[1..]) {
        *slot = windows_1252_byte(ch).filter(|byte| (0x80..=0xBF).contains(byte))?;
    }
    // A C1 control is a valid result: text damaged twice passes through one
    // (`Á` -> `Ã\u{81}` -> `ÃƒÂ\u{81}`).
    let decoded = std::str::from_utf8(&bytes[..len]).ok()?.chars().next()?;
    Some(Candidate {
        chars: len,
        decoded,
        strong: is_strong(chars, start, len, decoded),
    })
}

/// The length of the UTF-8 sequence a lead byte announces; bytes that never
/// lead a valid sequence (`0xC0`, `0xC1`, `0xF5..`) give `None`.
fn sequence_len(lead: u8) -> Option<usize> {
    match lead {
        0xC2..=0xDF => Some(2),
        0xE0..=0xEF => Some(3),
        0xF0..=0xF4 => Some(4),
        _ => None,
    }
}

/// Whether the candidate at `chars[start..start + len]` cannot be correct
/// text, looking at the sequence itself and at its two neighbours.
fn is_strong(chars: &[char], start: usize, len: usize, decoded: char) -> bool {
    let sequence = &chars[start..start + len];
    let before = start.checked_sub(1).map(|index| chars[index]);
    let after = chars.get(start + len).copied();
    looks_damaged(sequence)
        || breaks_letter_case(before, sequence[0])
        || decodes_inside_word(decoded, after)
}

fn looks_damaged(sequence: &[char]) -> bool {
    // `Ã` and `Â` are almost never followed by a continuation character in
    // real text (`Ãngel`, `SÃO` continue with ASCII), C1 controls never
    // appear in it, and a symbol glued to a letter is not writing.
    let lead = sequence[0];
    matches!(lead, 'Ã' | 'Â')
        || sequence
            .iter()
            .any(|&ch| ('\u{80}'..='\u{9F}').contains(&ch))
        || !sequence[1..]
            .iter()
            .all(|&ch| may_follow_a_word(ch) || continues_word(lead, ch))
}

/// `PROHLÍŽEČ`: a letter of the same case as the lead goes on spelling the
/// same word. The ordinal indicators `ª` and `º` count as lowercase but
/// follow digits, not letters.
fn continues_word(lead: char, ch: char) -> bool {
    let same_case =
        (lead.is_uppercase() && ch.is_uppercase()) || (lead.is_lowercase() && ch.is_lowercase());
    same_case && !matches!(ch, 'ª' | 'º')
}

/// `siÄ™`: words do not switch to an uppercase accented letter mid-word.
fn breaks_letter_case(before: Option<char>, lead: char) -> bool {
    before.is_some_and(char::is_lowercase) && lead.is_uppercase()
}

/// `Å’uvre`, `È™i`, `POÄŒET`, `Ð\u{AD}Ð»ÑŒ`: the sequence becomes a letter
/// of a European alphabet (`Œ`, `ș`, `Č`, `Э`) and the word goes on with a
/// lowercase letter, or with an uppercase one after an uppercase result.
fn decodes_inside_word(decoded: char, after: Option<char>) -> bool {
    let word_goes_on = after
        .is_some_and(|next| next.is_lowercase() || (next.is_uppercase() && decoded.is_uppercase()));
    is_european_letter(decoded) && word_goes_on
}

/// Latin Extended-A and -B, Greek and Cyrillic. IPA, modifier letters and
/// combining marks are left out: they are what correct text such as
/// `JOSÉ’s` or `PROHLÍŽEČ` would decode to.
fn is_european_letter(ch: char) -> bool {
    let latin_extended = ('\u{100}'..='\u{24F}').contains(&ch);
    let greek_or_cyrillic = ('\u{370}'..='\u{4FF}').contains(&ch);
    (latin_extended || greek_or_cyrillic) && ch.is_alphabetic()
}

/// Characters that correct text puts right after a word: quotes, dashes,
/// the ellipsis, a no-break space (French `voilà »`), trademark signs, the
/// acute accent typed as an apostrophe and the soft hyphen.
fn may_follow_a_word(ch: char) -> bool {
    matches!(
        ch,
        '’' | '‘'
            | '”'
            | '“'
            | '»'
            | '«'
            | '›'
            | '‹'
            | '…'
            | '–'
            | '—'
            | '\u{A0}'
            | '™'
            | '®'
            | '©'
            | '´'
            | '\u{AD}'
    )
}

/// The byte that Windows-1252 (or Latin-1, for C1 controls) decodes to `ch`.
fn windows_1252_byte(ch: char) -> Option<u8> {
    if let Ok(byte) = u8::try_from(u32::from(ch)) {
        return Some(byte);
    }
    let byte = match ch {
        '€' => 0x80,
        '‚' => 0x82,
        'ƒ' => 0x83,
        '„' => 0x84,
        '…' => 0x85,
        '†' => 0x86,
        '‡' => 0x87,
        'ˆ' => 0x88,
        '‰' => 0x89,
        'Š' => 0x8A,
        '‹' => 0x8B,
        'Œ' => 0x8C,
        'Ž' => 0x8E,
        '‘' => 0x91,
        '’' => 0x92,
        '“' => 0x93,
        '”' => 0x94,
        '•' => 0x95,
        '–' => 0x96,
        '—' => 0x97,
        '˜' => 0x98,
        '™' => 0x99,
        'š' => 0x9A,
        '›' => 0x9B,
        'œ' => 0x9C,
        'ž' => 0x9E,
        'Ÿ' => 0x9F,
        _ => return None,
    };
    Some(byte)
}

/// A word and where it starts in the original text.
struct Word<'a> {
    text: &'a str,
    start: usize,
    line: usize,
    column: usize,
}

/// Iterates over the words of a text, tracking lines (LF, CRLF or CR) and
/// columns in characters.
struct Words<'a> {
    text: &'a str,
    chars: std::iter::Peekable<std::str::CharIndices<'a>>,
    line: usize,
    column: usize,
    after_cr: bool,
}

impl<'a> Words<'a> {
    fn new(text: &'a str) -> Self {
        Words {
            text,
            chars: text.char_indices().peekable(),
            line: 1,
            column: 1,
            after_cr: false,
        }
    }

    /// Moves past `ch` and returns the position it had.
    fn advance(&mut self, ch: char) -> (usize, usize) {
        let position = (self.line, self.column);
        match ch {
            '\n' if self.after_cr => {}
            '\n' | '\r' => {
                self.line += 1;
                self.column = 1;
            }
            _ => self.column += 1,
        }
        self.after_cr = ch == '\r';
        position
    }
}

fn is_word_char(ch: char) -> bool {
    !ch.is_ascii() || ch.is_ascii_alphanumeric()
}

impl<'a> Iterator for Words<'a> {
    type Item = Word<'a>;

    fn next(&mut self) -> Option<Word<'a>> {
        loop {
            let (start, ch) = self.chars.next()?;
            let (line, column) = self.advance(ch);
            if !is_word_char(ch) {
                continue;
            }
            let mut end = start + ch.len_utf8();
            while let Some(&(index, next)) = self.chars.peek() {
                if !is_word_char(next) {
                    break;
                }
                self.chars.next();
                self.advance(next);
                end = index + next.len_utf8();
            }
            let text = &self.text[start..end];
            return Some(Word {
                text,
                start,
                line,
                column,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Damages text the way a wrong decoder does: UTF-8 bytes read as
    /// Windows-1252, with the five undefined bytes read as C1 controls.
    fn mis_decode(text: &str) -> String {
        text.bytes().map(windows_1252_char).collect()
    }

    fn windows_1252_char(byte: u8) -> char {
        "€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ"
            .chars()
            .find(|&ch| windows_1252_byte(ch) == Some(byte))
            .unwrap_or(char::from(byte))
    }

    fn repaired(text: &str) -> String {
        repair_mojibake(text).0.into_owned()
    }

    fn assert_untouched(text: &str) {
        let (out, repairs) = repair_mojibake(text);
        assert!(
            matches!(out, Cow::Borrowed(_)),
            "changed: {text:?} -> {out:?}"
        );
        assert!(repairs.is_empty(), "repairs for {text:?}: {repairs:?}");
    }

    #[test]
    fn real_table_row_is_repaired_on_its_line() {
        let row = "| Prijs | Dynamische prijswijzigingen per cliÃ«nt, productaantal en/of betalingstermijn | Consistente prijzen |";
        let text = format!("# Prijzen\n\n{row}\n");
        let (out, repairs) = repair_mojibake(&text);
        assert_eq!(out, text.replace("cliÃ«nt", "cliënt"));
        assert_eq!(
            repairs,
            vec![Repair {
                line: 3,
                column: row.find("cliÃ«nt").unwrap() + 1,
                before: "cliÃ«nt".to_string(),
                after: "cliënt".to_string(),
            }]
        );
    }

    #[test]
    fn common_sequences_are_repaired() {
        let cases = [
            ("cafÃ©", "café"),
            ("Ã¨", "è"),
            ("voilÃ\u{A0}", "voilà"),
            ("dÃ©jÃ\u{A0}vu", "déjàvu"),
            ("schÃ¶n", "schön"),
            ("MÃ¥lgrupp", "Målgrupp"),
            ("lâ€™acquisto", "l’acquisto"),
            ("â€œHelloâ€\u{9D}", "“Hello”"),
            ("10Â\u{A0}€", "10\u{A0}€"),
            ("Â«Â\u{A0}citationÂ\u{A0}Â»", "«\u{A0}citation\u{A0}»"),
            ("â‚¬", "€"),
            ("Å’uvre", "Œuvre"),
            ("cÅ“ur", "cœur"),
            ("siÄ™", "się"),
            ("Å\u{A0}koda", "Škoda"),
            ("È™i", "și"),
            ("POÄŒET", "POČET"),
            ("Ð\u{AD}Ð»ÑŒ", "Эль"),
            ("PÅ˜EPÃ\u{8D}NAÄŒ", "PŘEPÍNAČ"),
            ("GRÃ–SSE", "GRÖSSE"),
            ("Ãœbersicht", "Übersicht"),
            ("aÃ±o", "año"),
            ("Â¿QuÃ©?", "¿Qué?"),
            ("ðŸ˜€", "😀"),
        ];
        for (damaged, expected) in cases {
            assert_eq!(repaired(damaged), expected, "for {damaged:?}");
        }
    }

    #[test]
    fn correct_text_is_never_touched() {
        let samples = [
            "Ãngel García vive en São Paulo. SÃO PAULO, ÁNGEL.",
            "Il était déjà là, où est-il ? Qu’est-ce que c’est ? Œuvre, cœur, « citation ».",
            "perché l’acquisto è più caro, È così",
            "De cliënt heeft ideeën over het café en de coördinatie.",
            "Vad är målgruppen? Målgrupp, Tillgänglighet, ÅR, PÅ, Öppna.",
            "Größe, Straße, Übersicht, „Fuß“, »Fuß«, Fuß\u{AD}ball, ÄRGER, MENÜ.",
            "¿Qué? ¡Sí! año, niño, ESPAÑA, AÑO.",
            "“curly” ‘quotes’ and a\u{A0}no-break space, 10\u{A0}€ – 20\u{A0}€ — ok…",
            "« voilà\u{A0}» et «\u{A0}déjà\u{A0}» «È» CAFÉ’S JOSÉ’s JOSÉ´S NESCAFÉ™ CAFÉ®",
            "Klicka på ”SLÅ PÅ” eller ”PÅ”… SÅ – KLART",
            "Привет, мир! Γειά σου κόσμε. 日本語のテキスト. 😀",
            "Zürich, Ærø, Øresund, Þórr, naïve, façade, Ça va.",
            "PROHLÍŽEČ, ŘÍŠE, ČÁST, příští, žluťoučký kůň",
        ];
        for sample in samples {
            assert_untouched(sample);
        }
    }

    #[test]
    fn mixed_line_repairs_only_the_broken_word() {
        let (out, repairs) = repair_mojibake("le café et le cafÃ© du coin");
        assert_eq!(out, "le café et le café du coin");
        assert_eq!(repairs.len(), 1);
        assert_eq!(repairs[0].before, "cafÃ©");
        assert_eq!(repairs[0].column, 15);
    }

    #[test]
    fn repairs_on_several_lines_report_their_positions() {
        let text = "Première ligne correcte\r\nUn Ã©tÃ© chaud\n\nÉ puis Ã\u{A0} la fin\rlâ€™heure";
        let (out, repairs) = repair_mojibake(text);
        assert_eq!(
            out,
            "Première ligne correcte\r\nUn été chaud\n\nÉ puis à la fin\rl’heure"
        );
        let positions: Vec<_> = repairs
            .iter()
            .map(|r| (r.line, r.column, r.before.as_str(), r.after.as_str()))
            .collect();
        assert_eq!(
            positions,
            vec![
                (2, 4, "Ã©tÃ©", "été"),
                (4, 8, "Ã\u{A0}", "à"),
                (5, 1, "lâ€™heure", "l’heure"),
            ]
        );
    }

    #[test]
    fn column_counts_characters_not_bytes() {
        let (_, repairs) = repair_mojibake("ééé Ã©");
        assert_eq!((repairs[0].line, repairs[0].column), (1, 5));
    }

    #[test]
    fn text_damaged_twice_or_three_times_comes_back() {
        let original = "Größe, cliënt, l’acquisto, déjà, Målgrupp, año, 10\u{A0}€";
        let once = mis_decode(original);
        let twice = mis_decode(&once);
        let thrice = mis_decode(&twice);
        assert_eq!(repaired(&once), original);
        assert_eq!(repaired(&twice), original);
        assert_eq!(repaired(&thrice), original);
        assert_eq!(repaired("ÃƒÂ©"), "é");
    }

    #[test]
    fn damaged_sample_texts_round_trip() {
        let samples = [
            "Apprenez les différences entre B2C et B2B. Qu’est-ce que le B2C (ou BtoC) ? Œuvre, cœur, « déjà vu », où, naïve, à côté",
            "Perché l’acquisto è più caro? Così è: caffè, città, È vero",
            "De cliënt heeft ideeën; coördinatie, café, België",
            "Vad är målgruppen? Tillgänglighet, Översikt, ÅTGÄRD",
            "Größe, Straße, Übersicht, „Anführungszeichen“, Äpfel, Öl",
            "¿Qué año? ¡Señor! El niño, la canción, ÁNGEL",
            "Ceny w złotych: zażółć gęślą jaźń, Łódź, Kraków",
            "Привет, мир! Это тестовая страница документации",
            "Καλημέρα κόσμε, Ελληνικά",
            "Prix : 10\u{A0}€ – 20\u{A0}€ — “guillemets” ‘simples’ … ™ © ® ° ½",
            "日本語のテキスト、中文文本、한국어 텍스트 😀🎉",
        ];
        for sample in samples {
            let damaged = mis_decode(sample);
            assert_eq!(repaired(&damaged), sample, "once: {damaged:?}");
            let twice = mis_decode(&damaged);
            assert_eq!(repaired(&twice), sample, "twice: {twice:?}");
        }
    }

    #[test]
    fn weak_only_damage_is_left_alone() {
        // `É’` may be `CAFÉ’S`; alone it is not enough evidence.
        assert_untouched("JOSÉ’S");
        // Ukrainian `є` damaged alone: only weak evidence (known limit).
        assert_untouched("Ñ”");
    }

    #[test]
    fn unchanged_text_is_borrowed() {
        assert_untouched("");
        assert_untouched("plain ASCII text\nwith lines\r\n");
        assert_untouched("Ã");
        assert_untouched("â€");
        assert_untouched("Ã\n©");
    }

    #[test]
    fn arbitrary_input_does_not_panic() {
        let mut alphabet: String = (0..0x300u32).filter_map(char::from_u32).collect();
        alphabet.push_str("€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ\u{FEFF}😀日ÃÂâ€");
        for text in super::super::random_texts(&alphabet, 20_000, 24) {
            let (out, repairs) = repair_mojibake(&text);
            assert_eq!(repairs.is_empty(), out == text);
            let lines = text.replace("\r\n", "\n").replace('\r', "\n");
            let line_count = lines.split('\n').count();
            for repair in repairs {
                assert!(repair.line <= line_count && repair.column >= 1);
            }
        }
    }

    #[test]
    fn long_words_are_handled_in_linear_time() {
        let weak = "É’".repeat(200_000);
        assert_untouched(&weak);
        let strong = "Ã©".repeat(200_000);
        assert_eq!(repaired(&strong), "é".repeat(200_000));
    }
}
