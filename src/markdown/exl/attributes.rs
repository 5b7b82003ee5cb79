//! Attribute lists such as `{width="350" zoomable="yes"}`, `{#custom-id}` or
//! `{target=_blank}`: reading them, and keeping only what is safe.
//!
//! Nothing an author writes in braces reaches the page unchecked: every name
//! is looked up in an allowlist for the element it is attached to, and every
//! value must have the shape that name expects. The rest is dropped, and each
//! drop is reported so the author can fix the source.

/// One `name=value` item as written (`#x` is read as `id=x`, `.x` as `class=x`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawAttr {
    pub name: String,
    pub value: String,
}

/// The element an attribute list is attached to; each accepts its own names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    Link,
    Image,
    Table,
    Heading,
    /// A paragraph or a list item (`+ Group {#id}` in a TOC).
    Block,
    /// `[!BADGE text]{type=... tooltip="..."}`.
    Badge,
}

impl Target {
    fn describe(self) -> &'static str {
        match self {
            Target::Link => "a link",
            Target::Image => "an image",
            Target::Table => "a table",
            Target::Heading => "a heading",
            Target::Block => "a paragraph or list item",
            Target::Badge => "a badge",
        }
    }
}

/// Attributes that passed the allowlist, ready to be written into a tag.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct SafeAttrs {
    pub id: Option<String>,
    pub classes: Vec<String>,
    pub pairs: Vec<(&'static str, String)>,
}

impl SafeAttrs {
    pub(super) fn is_empty(&self) -> bool {
        self.id.is_none() && self.classes.is_empty() && self.pairs.is_empty()
    }

    /// ` id="a" class="b c" width="350"`: a leading space before each
    /// attribute, values escaped.
    pub(super) fn to_html(&self) -> String {
        let mut html = String::new();
        if let Some(id) = &self.id {
            push_attr(&mut html, "id", id);
        }
        if !self.classes.is_empty() {
            push_attr(&mut html, "class", &self.classes.join(" "));
        }
        for (name, value) in &self.pairs {
            push_attr(&mut html, name, value);
        }
        html
    }
}

fn push_attr(html: &mut String, name: &str, value: &str) {
    html.push(' ');
    html.push_str(name);
    html.push_str("=\"");
    html.push_str(&super::escape_html(value));
    html.push('"');
}

/// Reads an attribute list at the very start of `text`. Returns the items and
/// the number of bytes the list takes, braces included; `None` when the text
/// does not start with a well-formed, non-empty list (so `{placeholder}` or
/// `{{snippet}}` stay text).
pub(crate) fn parse_attr_list(text: &str) -> Option<(Vec<RawAttr>, usize)> {
    let mut rest = text.strip_prefix('{')?;
    let mut attrs = Vec::new();
    loop {
        rest = rest.trim_start_matches([' ', '\t']);
        if let Some(after) = rest.strip_prefix('}') {
            let used = text.len() - after.len();
            return (!attrs.is_empty()).then_some((attrs, used));
        }
        let (attr, after) = parse_item(rest)?;
        attrs.push(attr);
        // Items must be separated by whitespace or end at the closing brace.
        if !(after.starts_with([' ', '\t', '}'])) {
            return None;
        }
        rest = after;
    }
}

fn parse_item(text: &str) -> Option<(RawAttr, &str)> {
    if let Some(rest) = text.strip_prefix('#') {
        let (value, after) = split_bare(rest);
        return (!value.is_empty()).then(|| (attr("id", value), after));
    }
    if let Some(rest) = text.strip_prefix('.') {
        let (value, after) = split_bare(rest);
        return (!value.is_empty()).then(|| (attr("class", value), after));
    }
    let name_len = text
        .find(|ch: char| !(ch.is_ascii_alphanumeric() || matches!(ch, '-' | '_' | ':')))
        .unwrap_or(text.len());
    if name_len == 0 || !text[..1].chars().all(|ch| ch.is_ascii_alphabetic()) {
        return None;
    }
    let (name, rest) = text.split_at(name_len);
    let rest = rest.strip_prefix('=')?;
    let (value, after) = parse_value(rest)?;
    Some((attr(name, value), after))
}

fn attr(name: &str, value: &str) -> RawAttr {
    RawAttr {
        name: name.to_ascii_lowercase(),
        value: value.to_string(),
    }
}

/// An unquoted value ends at whitespace or the closing brace.
fn split_bare(text: &str) -> (&str, &str) {
    let end = text
        .find(|ch: char| ch.is_whitespace() || matches!(ch, '}' | '"' | '\'' | '{'))
        .unwrap_or(text.len());
    text.split_at(end)
}

fn parse_value(text: &str) -> Option<(&str, &str)> {
    for quote in ['"', '\''] {
        if let Some(rest) = text.strip_prefix(quote) {
            let end = rest.find(quote)?;
            return Some((&rest[..end], &rest[end + 1..]));
        }
    }
    let (value, after) = split_bare(text);
    (!value.is_empty()).then_some((value, after))
}

/// Style declarations known from Experience League pages. Anything else in a
/// `style` attribute is dropped: free CSS can hide or overlay content.
const ALLOWED_STYLES: &[&str] = &["table-layout:auto", "table-layout:fixed"];

/// Badge variants; each becomes a `badge-<variant>` class for the theme.
const BADGE_TYPES: &[&str] = &[
    "informative",
    "positive",
    "negative",
    "neutral",
    "notice",
    "caution",
];

/// Keeps what the allowlist accepts for `target`; returns the kept attributes
/// and one message per dropped item.
pub(crate) fn sanitize(attrs: &[RawAttr], target: Target) -> (SafeAttrs, Vec<String>) {
    let mut safe = SafeAttrs::default();
    let mut problems = Vec::new();
    for attr in attrs {
        if let Err(problem) = accept(&mut safe, attr, target) {
            problems.push(problem);
        }
    }
    (safe, problems)
}

fn accept(safe: &mut SafeAttrs, attr: &RawAttr, target: Target) -> Result<(), String> {
    let value = attr.value.trim();
    match (attr.name.as_str(), target) {
        (name, _) if name.starts_with("on") => Err(format!(
            "event handler attribute `{name}` is never allowed; dropped"
        )),
        ("id", t) if t != Target::Badge => {
            check(
                is_safe_id(value),
                attr,
                "an id of letters, digits, `-`, `_`, `.` or `:`",
            )?;
            safe.id = Some(value.to_string());
            Ok(())
        }
        ("class", t) if t != Target::Badge => accept_classes(safe, attr),
        ("width" | "height", Target::Image) => {
            check(is_dimension(value), attr, "a whole number of pixels")?;
            safe.pairs
                .push((static_name(&attr.name), value.to_string()));
            Ok(())
        }
        ("zoomable", Target::Image) => accept_zoomable(safe, attr),
        ("title", Target::Link | Target::Image) => {
            safe.pairs.push(("title", value.to_string()));
            Ok(())
        }
        ("target", Target::Link) => {
            check(value == "_blank", attr, "`_blank`")?;
            safe.pairs.push(("target", "_blank".to_string()));
            safe.pairs.push(("rel", "noopener noreferrer".to_string()));
            Ok(())
        }
        ("style", Target::Table) => {
            let style = normalize_style(value);
            check(
                style.is_some(),
                attr,
                "a known table layout such as `table-layout:auto`",
            )?;
            safe.pairs.push(("style", style.unwrap_or_default()));
            Ok(())
        }
        ("type", Target::Badge) => {
            let variant = value.to_ascii_lowercase();
            check(
                BADGE_TYPES.contains(&variant.as_str()),
                attr,
                "a badge type such as `Informative`",
            )?;
            safe.classes.push(format!("badge-{variant}"));
            Ok(())
        }
        ("url", Target::Badge) => {
            check(
                is_safe_badge_url(value),
                attr,
                "an `https://` or `http://` address",
            )?;
            safe.pairs.push(("href", value.to_string()));
            Ok(())
        }
        ("tooltip", Target::Badge) => {
            safe.pairs.push(("title", value.to_string()));
            Ok(())
        }
        (name, target) => Err(format!(
            "attribute `{name}` is not allowed on {}; dropped",
            target.describe()
        )),
    }
}

/// A badge's link leaves the page for a web address only: no script,
/// data or relative trickery.
fn is_safe_badge_url(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://"))
        && !value.contains(|ch: char| ch.is_whitespace() || ch.is_control() || ch == '"')
}

/// Badge types as the translation pipeline renders them, with the type
/// meant: a page keeps its badges, and the author hears once per file.
const TRANSLATED_BADGE_TYPES: &[(&str, &str)] = &[
    ("informatif", "informative"),
    ("informativo", "informative"),
    ("informatief", "informative"),
    ("informativ", "informative"),
    ("informativa", "informative"),
    ("positif", "positive"),
    ("positivo", "positive"),
    ("positief", "positive"),
    ("positiv", "positive"),
    ("négatif", "negative"),
    ("negativo", "negative"),
    ("negatief", "negative"),
    ("negativ", "negative"),
    ("neutre", "neutral"),
    ("neutro", "neutral"),
    ("neutraal", "neutral"),
    ("neutral", "neutral"),
    ("avis", "notice"),
    ("avviso", "notice"),
    ("kennisgeving", "notice"),
    ("meddelande", "notice"),
    ("attention", "caution"),
    ("attenzione", "caution"),
    ("voorzichtigheid", "caution"),
    ("försiktighet", "caution"),
];

/// The badge type a translated value stands for (`Informatif` ->
/// `informative`); `None` for known and unknown values alike.
pub(crate) fn untranslated_badge_type(value: &str) -> Option<&'static str> {
    let lower = value.trim().to_lowercase();
    if BADGE_TYPES.contains(&lower.as_str()) {
        return None;
    }
    TRANSLATED_BADGE_TYPES
        .iter()
        .find(|(translated, _)| *translated == lower)
        .map(|(_, meant)| *meant)
}

fn check(ok: bool, attr: &RawAttr, expected: &str) -> Result<(), String> {
    if ok {
        Ok(())
    } else {
        Err(format!(
            "attribute `{}=\"{}\"` dropped: expected {expected}",
            attr.name, attr.value
        ))
    }
}

fn accept_classes(safe: &mut SafeAttrs, attr: &RawAttr) -> Result<(), String> {
    let tokens: Vec<&str> = attr.value.split_whitespace().collect();
    let all_safe = !tokens.is_empty() && tokens.iter().all(|t| is_safe_class(t));
    check(
        all_safe,
        attr,
        "class names of ASCII letters, digits, `-` or `_`",
    )?;
    safe.classes.extend(tokens.into_iter().map(str::to_string));
    Ok(())
}

fn accept_zoomable(safe: &mut SafeAttrs, attr: &RawAttr) -> Result<(), String> {
    match attr.value.trim().to_ascii_lowercase().as_str() {
        "yes" | "true" => {
            safe.classes.push("zoomable".to_string());
            Ok(())
        }
        "no" | "false" => Ok(()),
        _ => Err(format!(
            "attribute `zoomable=\"{}\"` dropped: expected `yes` or `no`",
            attr.value
        )),
    }
}

/// The attribute names kept as pairs, as static strings.
fn static_name(name: &str) -> &'static str {
    match name {
        "width" => "width",
        _ => "height",
    }
}

fn is_safe_id(value: &str) -> bool {
    !value.is_empty()
        && value.chars().count() <= 100
        && value
            .chars()
            .all(|ch| ch.is_alphanumeric() || matches!(ch, '-' | '_' | '.' | ':'))
}

fn is_safe_class(token: &str) -> bool {
    token.len() <= 64
        && token
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '-' | '_'))
}

fn is_dimension(value: &str) -> bool {
    (1..=5).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_digit())
}

/// `table-layout: auto;` -> `table-layout:auto` when every declaration is
/// in the allowlist.
fn normalize_style(value: &str) -> Option<String> {
    let declarations: Vec<String> = value
        .split(';')
        .map(|d| {
            d.chars()
                .filter(|ch| !ch.is_whitespace())
                .collect::<String>()
        })
        .filter(|d| !d.is_empty())
        .map(|d| d.to_ascii_lowercase())
        .collect();
    let known = !declarations.is_empty()
        && declarations
            .iter()
            .all(|d| ALLOWED_STYLES.contains(&d.as_str()));
    known.then(|| declarations.join(";"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> Vec<(String, String)> {
        parse_attr_list(text)
            .map(|(attrs, _)| attrs.into_iter().map(|a| (a.name, a.value)).collect())
            .unwrap_or_default()
    }

    fn pair(name: &str, value: &str) -> (String, String) {
        (name.to_string(), value.to_string())
    }

    #[test]
    fn reads_the_experience_league_forms() {
        assert_eq!(parsed("{#custom-id}"), [pair("id", "custom-id")]);
        assert_eq!(parsed("{target=_blank}"), [pair("target", "_blank")]);
        assert_eq!(
            parsed("{width=\"350\" zoomable=\"yes\"}"),
            [pair("width", "350"), pair("zoomable", "yes")]
        );
        assert_eq!(
            parsed("{style='table-layout:auto'}"),
            [pair("style", "table-layout:auto")]
        );
        assert_eq!(
            parsed("{ .wide #t1 }"),
            [pair("class", "wide"), pair("id", "t1")]
        );
    }

    #[test]
    fn reports_how_much_was_read() {
        let (_, used) = parse_attr_list("{target=_blank} and more").unwrap();
        assert_eq!(used, "{target=_blank}".len());
        let (_, used) = parse_attr_list("{width=1}{x=2}").unwrap();
        assert_eq!(used, "{width=1}".len());
    }

    #[test]
    fn text_in_braces_is_not_an_attribute_list() {
        for text in [
            "{}",
            "{placeholder}",
            "{{snippet}}",
            "{two words}",
            "{width=\"350\"",
            "{a=\"unclosed}",
            "{=x}",
            "{#}",
            "no brace",
        ] {
            assert_eq!(parse_attr_list(text), None, "{text}");
        }
    }

    fn sanitized(text: &str, target: Target) -> (String, Vec<String>) {
        let (attrs, _) = parse_attr_list(text).unwrap();
        let (safe, problems) = sanitize(&attrs, target);
        (safe.to_html(), problems)
    }

    #[test]
    fn links_get_noopener_with_blank_targets() {
        let (html, problems) = sanitized("{target=_blank}", Target::Link);
        assert_eq!(html, " target=\"_blank\" rel=\"noopener noreferrer\"");
        assert!(problems.is_empty());
        let (html, problems) = sanitized("{target=_top}", Target::Link);
        assert_eq!(html, "");
        assert_eq!(problems.len(), 1);
    }

    #[test]
    fn images_keep_sizes_and_zoom() {
        let (html, problems) = sanitized("{width=\"350\" zoomable=\"yes\"}", Target::Image);
        assert_eq!(html, " class=\"zoomable\" width=\"350\"");
        assert!(problems.is_empty());
        let (html, problems) = sanitized("{width=\"35%\" height=\"1e9\"}", Target::Image);
        assert_eq!(html, "");
        assert_eq!(problems.len(), 2);
    }

    #[test]
    fn styles_come_only_from_the_allowlist() {
        let (html, _) = sanitized("{style=\"table-layout: Fixed;\"}", Target::Table);
        assert_eq!(html, " style=\"table-layout:fixed\"");
        for evil in [
            "{style=\"background:url(javascript:alert(1))\"}",
            "{style=\"table-layout:auto;position:fixed\"}",
            "{style=\"\"}",
        ] {
            let (html, problems) = sanitized(evil, Target::Table);
            assert_eq!(html, "", "{evil}");
            assert_eq!(problems.len(), 1, "{evil}");
        }
        let (html, problems) = sanitized("{style=\"table-layout:auto\"}", Target::Image);
        assert_eq!(html, "");
        assert_eq!(problems.len(), 1);
    }

    #[test]
    fn event_handlers_and_unknown_names_are_dropped() {
        let (html, problems) = sanitized(
            "{onclick=\"alert(1)\" onMouseOver=x data-x=1 #ok}",
            Target::Link,
        );
        assert_eq!(html, " id=\"ok\"");
        assert_eq!(problems.len(), 3);
        assert!(problems[0].contains("event handler"));
        assert!(problems[1].contains("event handler"), "{problems:?}");
    }

    #[test]
    fn ids_and_classes_have_a_safe_charset() {
        let (html, problems) = sanitized("{#ok-1 .a-b}", Target::Heading);
        assert_eq!(html, " id=\"ok-1\" class=\"a-b\"");
        assert!(problems.is_empty());
        let (html, problems) = sanitized("{id=\"a b\" class=\"x<y\"}", Target::Block);
        assert_eq!(html, "");
        assert_eq!(problems.len(), 2);
        let (html, _) = sanitized("{#résumé}", Target::Heading);
        assert_eq!(html, " id=\"résumé\"");
    }

    #[test]
    fn badges_take_a_type_and_a_tooltip() {
        let (html, problems) = sanitized("{type=Informative tooltip=\"Say \"}", Target::Badge);
        assert_eq!(html, " class=\"badge-informative\" title=\"Say\"");
        assert!(problems.is_empty());
        let (_, problems) = sanitized("{type=Sparkly}", Target::Badge);
        assert_eq!(problems.len(), 1);
    }

    #[test]
    fn values_are_escaped() {
        let (html, _) = sanitized("{title='say \"hi\" & <b>'}", Target::Link);
        assert_eq!(html, " title=\"say &quot;hi&quot; &amp; &lt;b&gt;\"");
    }
}
