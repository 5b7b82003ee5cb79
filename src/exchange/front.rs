//! The front matter fields a translator translates (title, description)
//! and those an import sets (`source-git-commit`, `workflow-type`),
//! found and replaced line by line so that every other byte stays.

use std::ops::Range;

/// A page's text cut into front matter and body (LF line ends).
pub(crate) struct Layout<'t> {
    pub text: &'t str,
    /// Bytes of the YAML between the fences, when there is front matter.
    pub yaml: Option<Range<usize>>,
    pub body_start: usize,
}

impl<'t> Layout<'t> {
    /// `None` for front matter that is never closed.
    pub(crate) fn of(text: &'t str) -> Option<Layout<'t>> {
        let split = crate::read::front_matter::split(text).ok()?;
        let body_start = text.len() - split.body.len();
        let yaml = split.yaml.map(|yaml| {
            let start = yaml.as_ptr() as usize - text.as_ptr() as usize;
            start..start + yaml.len()
        });
        Some(Layout {
            text,
            yaml,
            body_start,
        })
    }

    pub(crate) fn body(&self) -> &'t str {
        &self.text[self.body_start..]
    }

    /// A top-level key written on one line: its value's bytes and text.
    pub(crate) fn field(&self, key: &str) -> Option<Field> {
        let yaml = self.yaml.clone()?;
        let mut offset = yaml.start;
        for line in self.text[yaml].split_inclusive('\n') {
            let content = line.trim_end_matches('\n');
            if let Some(field) = field_on_line(content, key, offset) {
                return Some(field);
            }
            offset += line.len();
        }
        None
    }

    /// Where a new key goes: the end of the YAML.
    pub(crate) fn yaml_end(&self) -> Option<usize> {
        self.yaml.as_ref().map(|y| y.end)
    }
}

/// A one-line scalar value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Field {
    /// Bytes of the value as written (quotes included).
    pub range: Range<usize>,
    /// The value as YAML reads it.
    pub value: String,
}

fn field_on_line(line: &str, key: &str, offset: usize) -> Option<Field> {
    let rest = line.strip_prefix(key)?.strip_prefix(':')?;
    let value = rest.trim();
    if value.is_empty() || value.starts_with(['|', '>', '&', '*', '!', '[', '{']) {
        return None;
    }
    let start = offset + key.len() + 1 + (rest.len() - rest.trim_start().len());
    let range = start..start + value.len();
    Some(Field {
        range,
        value: unquote(value)?,
    })
}

/// The value of a plain, single- or double-quoted scalar; `None` for what
/// this does not read (a comment after it, an escape it does not know).
fn unquote(value: &str) -> Option<String> {
    if let Some(inner) = value.strip_prefix('\'') {
        return Some(inner.strip_suffix('\'')?.replace("''", "'"));
    }
    if let Some(inner) = value.strip_prefix('"') {
        return unescape_double(inner.strip_suffix('"')?);
    }
    if value.contains(" #") {
        return None;
    }
    Some(value.to_string())
}

fn unescape_double(inner: &str) -> Option<String> {
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        out.push(match chars.next()? {
            '"' => '"',
            '\\' => '\\',
            '/' => '/',
            'n' => '\n',
            't' => '\t',
            _ => return None,
        });
    }
    Some(out)
}

/// A value written as YAML reads it back: plain when nothing in it could
/// be read otherwise, else double-quoted.
pub(crate) fn quote(value: &str) -> String {
    let plain = !value.is_empty()
        && value.trim() == value
        && !value.starts_with(|c: char| "-?:,[]{}#&*!|>'\"%@`".contains(c))
        && !value.contains(": ")
        && !value.contains(" #")
        && !value.ends_with(':')
        && !value.contains(['\n', '\t', '\\']);
    if plain {
        return value.to_string();
    }
    let mut out = String::from("\"");
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            _ => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_one_line_values_and_writes_them_back_alike() {
        let text = "---\ntitle: 'It''s here'\ndescription: Plain words\n---\n# Body\n";
        let layout = Layout::of(text).expect("front matter");
        let title = layout.field("title").expect("title");
        assert_eq!(title.value, "It's here");
        assert_eq!(&text[title.range.clone()], "'It''s here'");
        assert_eq!(
            layout.field("description").map(|f| f.value),
            Some("Plain words".into())
        );
        assert_eq!(layout.body(), "# Body\n");
        assert_eq!(quote("a: b"), "\"a: b\"");
        assert_eq!(quote("Plain"), "Plain");
    }
}
