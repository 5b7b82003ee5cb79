//! Character references that are not HTML5 entities (`&nbps;`, `&#xZZ;`).
//! They stay as written, but the writer is told, since a reader would
//! see them literally.

/// An unknown reference and where it is (1-based line, column in chars).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct UnknownEntity {
    pub line: usize,
    pub column: usize,
    pub text: String,
}

/// Every `&…;` outside code that html-escape cannot decode.
pub(super) fn unknown_entities(text: &str) -> Vec<UnknownEntity> {
    let mut found = Vec::new();
    let mut in_fence = false;
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            in_fence = !in_fence;
            continue;
        }
        if !in_fence {
            scan_line(line, index + 1, &mut found);
        }
    }
    found
}

/// Looks at the references of one line, skipping inline code spans.
fn scan_line(line: &str, line_number: usize, found: &mut Vec<UnknownEntity>) {
    let mut in_code = false;
    for (byte, c) in line.char_indices() {
        match c {
            '`' => in_code = !in_code,
            '&' if !in_code => {
                if let Some(reference) = reference_at(&line[byte..])
                    && !is_known(reference)
                {
                    let column = line[..byte].chars().count() + 1;
                    found.push(UnknownEntity {
                        line: line_number,
                        column,
                        text: reference.to_string(),
                    });
                }
            }
            _ => {}
        }
    }
}

/// `&name;`, `&#123;` or `&#x1F;` at the start of `text`, if it has that shape.
fn reference_at(text: &str) -> Option<&str> {
    let end = text.find(';')?;
    let inner = &text[1..end];
    let shaped = match inner.strip_prefix('#') {
        Some(number) => {
            let digits = number.strip_prefix(['x', 'X']).unwrap_or(number);
            !digits.is_empty()
                && digits.len() <= 8
                && digits.chars().all(|c| c.is_ascii_alphanumeric())
        }
        None => {
            inner.len() <= 32
                && inner.starts_with(|c: char| c.is_ascii_alphabetic())
                && inner.chars().all(|c| c.is_ascii_alphanumeric())
        }
    };
    shaped.then(|| &text[..=end])
}

fn is_known(reference: &str) -> bool {
    if let Some(number) = reference
        .strip_prefix("&#")
        .and_then(|r| r.strip_suffix(';'))
    {
        let value = match number.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok(),
            None => number.parse().ok(),
        };
        return value.and_then(char::from_u32).is_some_and(|c| c != '\0');
    }
    html_escape::decode_html_entities(reference) != reference
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_entities_pass() {
        assert!(
            unknown_entities("&quot;a&quot; l&#39;x &eacute; &#x200B; &amp; &lbrace;").is_empty()
        );
    }

    #[test]
    fn unknown_ones_are_found_with_their_position() {
        let found = unknown_entities("ok\nun &nbps; et &#xZZ; puis &#0; fin");
        let texts: Vec<&str> = found.iter().map(|f| f.text.as_str()).collect();
        assert_eq!(texts, ["&nbps;", "&#xZZ;", "&#0;"]);
        assert_eq!((found[0].line, found[0].column), (2, 4));
    }

    #[test]
    fn code_is_not_checked() {
        assert!(unknown_entities("`&nope;`\n```\n&nope;\n```\n").is_empty());
    }

    #[test]
    fn ampersands_that_are_not_references_are_ignored() {
        assert!(unknown_entities("B&B, AT&T and & alone, &123;").is_empty());
    }
}
