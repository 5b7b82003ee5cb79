//! YAML front matter: splitting it from the body (keeping line numbers) and
//! parsing it with serde-saphyr, the maintained successor to serde_yaml.

use std::collections::BTreeMap;

use std::fmt;

use crate::model::FrontMatter;
use crate::model::front_matter::KeyLines;
use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::{Map, Value};

/// Where the front matter and the body are in a file's text.
#[derive(Debug, PartialEq, Eq)]
pub struct Split<'a> {
    /// The YAML between the fences, `None` when the file has no front matter.
    pub yaml: Option<&'a str>,
    pub body: &'a str,
    /// 1-based line of the file where `body` starts.
    pub body_line: usize,
}

/// A problem with the front matter, at a 1-based line and column of the file.
#[derive(Debug, PartialEq, Eq)]
pub struct FrontMatterError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Splits `---` fenced front matter from the body. The text has LF line ends.
pub fn split(text: &str) -> Result<Split<'_>, FrontMatterError> {
    let Some(after_open) = text
        .strip_prefix("---\n")
        .or_else(|| (text == "---").then_some(""))
    else {
        return Ok(Split {
            yaml: None,
            body: text,
            body_line: 1,
        });
    };
    let mut offset = 0;
    for (index, line) in after_open.split_inclusive('\n').enumerate() {
        let content = line.trim_end_matches('\n').trim_end();
        if content == "---" || content == "..." {
            let body_start = offset + line.len();
            return Ok(Split {
                yaml: Some(&after_open[..offset]),
                body: &after_open[body_start..],
                body_line: index + 3,
            });
        }
        offset += line.len();
    }
    Err(FrontMatterError {
        line: 1,
        column: 1,
        message: "the front matter opened here is never closed".to_string(),
    })
}

/// The fields tolk reads, each as the text of its scalar: serde-saphyr hands
/// a `String` the scalar as written, so `'266'` and `266`, or a commit hash
/// made of digits, arrive alike.
#[derive(Default)]
struct KnownFields {
    title: Option<String>,
    description: Option<String>,
    lang: Option<String>,
    exl_id: Option<String>,
    translation_key: Option<String>,
    source_git_commit: Option<String>,
    workflow_type: Option<String>,
    source_wordcount: Option<String>,
    ht_degree: Option<String>,
}

impl KnownFields {
    fn slot(&mut self, key: &str) -> Option<&mut Option<String>> {
        Some(match key {
            "title" => &mut self.title,
            "description" => &mut self.description,
            "lang" => &mut self.lang,
            "exl-id" => &mut self.exl_id,
            "translation-key" => &mut self.translation_key,
            "source-git-commit" => &mut self.source_git_commit,
            "workflow-type" => &mut self.workflow_type,
            "source-wordcount" => &mut self.source_wordcount,
            "ht-degree" => &mut self.ht_degree,
            _ => return None,
        })
    }
}

/// Both views of a front matter from one parse: the known fields as text
/// (serde-saphyr reports a wrong type, such as a list where a title should
/// be, with its exact position) and every key as a template value. Known
/// fields go into `all` as the text they hold, so an id made of digits never
/// reaches a template as a rounded number.
#[derive(Default)]
struct Fields {
    known: KnownFields,
    all: Map<String, Value>,
}

impl<'de> Deserialize<'de> for Fields {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Fields, D::Error> {
        deserializer.deserialize_map(FieldsVisitor)
    }
}

struct FieldsVisitor;

impl<'de> Visitor<'de> for FieldsVisitor {
    type Value = Fields;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a mapping of front matter keys")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Fields, A::Error> {
        let mut fields = Fields::default();
        while let Some(key) = map.next_key::<String>()? {
            let value = match fields.known.slot(&key) {
                Some(slot) => {
                    *slot = map.next_value::<Option<String>>()?;
                    slot.clone().map_or(Value::Null, Value::String)
                }
                None => map.next_value::<Value>()?,
            };
            fields.all.insert(key, value);
        }
        Ok(fields)
    }
}

/// Parses the YAML of a front matter. `first_line` is the file line of the
/// YAML's first line, so errors point into the file, not into the fragment.
pub fn parse(yaml: &str, first_line: usize) -> Result<FrontMatter, FrontMatterError> {
    if yaml.trim().is_empty() {
        return Ok(FrontMatter::default());
    }
    let Fields { known, mut all } =
        serde_saphyr::from_str(yaml).map_err(|e| yaml_error(&e, first_line))?;
    all.values_mut().for_each(decode_entities_in_value);
    let text = |field: Option<String>| field.map(|s| decode_entities(&s));
    let source_wordcount = text(known.source_wordcount);
    let ht_degree = text(known.ht_degree);
    let mut front = FrontMatter {
        title: text(known.title),
        description: text(known.description),
        lang: text(known.lang),
        exl_id: text(known.exl_id),
        translation_key: text(known.translation_key),
        source_git_commit: text(known.source_git_commit),
        workflow_type: text(known.workflow_type),
        source_wordcount: parse_count(
            source_wordcount.as_deref(),
            "source-wordcount",
            yaml,
            first_line,
        )?,
        ht_degree: parse_percent(ht_degree.as_deref(), yaml, first_line)?,
        weight: all.get("weight").and_then(Value::as_i64),
        slug: all.get("slug").and_then(Value::as_str).map(str::to_string),
        aliases: aliases(&all),
        seo_title: non_blank_text(&all, "seo-title"),
        seo_description: non_blank_text(&all, "seo-description"),
        extra: all,
        key_lines: key_lines(yaml, first_line),
    };
    front.drop_duplicates();
    Ok(front)
}

/// The lines of the keys later stages point at.
fn key_lines(yaml: &str, first_line: usize) -> KeyLines {
    let mut lines = KeyLines::default();
    for (key, line) in top_level_key_lines(yaml, first_line) {
        lines.insert(&key, line);
    }
    lines
}

/// `aliases:` as one path or a list of paths, without surrounding slashes.
fn aliases(all: &Map<String, Value>) -> Vec<String> {
    match all.get("aliases") {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(|a| a.trim_matches('/').to_string())
            .collect(),
        Some(Value::String(one)) => vec![one.trim_matches('/').to_string()],
        _ => Vec::new(),
    }
}

fn non_blank_text(all: &Map<String, Value>, key: &str) -> Option<String> {
    all.get(key)?
        .as_str()
        .filter(|text| !text.trim().is_empty())
        .map(str::to_string)
}

/// `key -> file line` for every top-level `key:` line of the YAML.
fn top_level_key_lines(yaml: &str, first_line: usize) -> BTreeMap<String, usize> {
    yaml.lines()
        .enumerate()
        .filter(|(_, line)| !line.starts_with([' ', '\t', '-', '#']))
        .filter_map(|(index, line)| {
            let (key, _) = line.split_once(':')?;
            let key = key.trim().trim_matches(['"', '\'']);
            (!key.is_empty()).then(|| (key.to_string(), first_line + index))
        })
        .collect()
}

fn parse_count(
    value: Option<&str>,
    key: &str,
    yaml: &str,
    first_line: usize,
) -> Result<Option<u64>, FrontMatterError> {
    let Some(value) = value else { return Ok(None) };
    value
        .trim()
        .parse()
        .map(Some)
        .map_err(|_| FrontMatterError {
            message: format!("`{key}` must be a whole number, found `{value}`"),
            ..key_position(yaml, key, first_line)
        })
}

/// `0%`, `12 %` or `12` as a percentage from 0 to 100.
fn parse_percent(
    value: Option<&str>,
    yaml: &str,
    first_line: usize,
) -> Result<Option<u8>, FrontMatterError> {
    let Some(value) = value else { return Ok(None) };
    let number = value.trim().trim_end_matches('%').trim();
    match number.parse::<u8>() {
        Ok(percent) if percent <= 100 => Ok(Some(percent)),
        _ => Err(FrontMatterError {
            message: format!("`ht-degree` must be a percentage from 0% to 100%, found `{value}`"),
            ..key_position(yaml, "ht-degree", first_line)
        }),
    }
}

/// The file position of a top-level key, for errors found after parsing.
fn key_position(yaml: &str, key: &str, first_line: usize) -> FrontMatterError {
    let line = top_level_key_lines(yaml, first_line)
        .get(key)
        .copied()
        .unwrap_or(first_line);
    FrontMatterError {
        line,
        column: 1,
        message: String::new(),
    }
}

fn yaml_error(err: &serde_saphyr::Error, first_line: usize) -> FrontMatterError {
    let (line, column) = err
        .location()
        .map_or((0, 1), |loc| (loc.line() as usize, loc.column() as usize));
    FrontMatterError {
        line: first_line + line.saturating_sub(1),
        column: column.max(1),
        message: format!(
            "invalid front matter: {}",
            first_line_of(&err.without_snippet().to_string())
        ),
    }
}

/// The first line of the parser's message, without the position it gives
/// inside the YAML fragment: the diagnostic carries the file's position.
fn first_line_of(text: &str) -> String {
    let line = text.lines().next().unwrap_or(text).trim();
    match line.find(" at line ") {
        Some(at) => {
            let rest = &line[at + " at line ".len()..];
            let after_position = rest
                .split_once(", column ")
                .map(|(_, tail)| tail.trim_start_matches(|c: char| c.is_ascii_digit()))
                .unwrap_or("");
            format!("{}{after_position}", &line[..at])
        }
        None => line.to_string(),
    }
}

/// Translated front matter carries `&quot;` and `&#39;`: decode them once
/// here; templates escape once on output.
pub fn decode_entities(text: &str) -> String {
    html_escape::decode_html_entities(text).into_owned()
}

fn decode_entities_in_value(value: &mut Value) {
    match value {
        Value::String(text) => *text = decode_entities(text),
        Value::Array(items) => items.iter_mut().for_each(decode_entities_in_value),
        Value::Object(map) => map.values_mut().for_each(decode_entities_in_value),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ADOBE: &str = "title: Qu&#39;est-ce que B2B et B2C ?\ndescription: D&eacute;couvrez &quot;Commerce&quot;.\nexl-id: d66b4a7f-d54b-4902-8791-7a8f67fa4b43\nsource-git-commit: e76f101df47116f7b246f21f0fe0fa72769d2776\nworkflow-type: tm+mt\nsource-wordcount: '266'\nht-degree: 0%\nfeature: B2B\n";

    #[test]
    fn splits_and_counts_body_line() {
        let text = "---\ntitle: A\n---\n# Body\n";
        let split = split(text).unwrap();
        assert_eq!(split.yaml, Some("title: A\n"));
        assert_eq!(split.body, "# Body\n");
        assert_eq!(split.body_line, 4);
    }

    #[test]
    fn no_front_matter_means_whole_body() {
        let split = split("# Title\n---\n").unwrap();
        assert_eq!(split.yaml, None);
        assert_eq!(split.body_line, 1);
    }

    #[test]
    fn unclosed_front_matter_is_an_error() {
        let err = split("---\ntitle: A\n# Body\n").unwrap_err();
        assert_eq!((err.line, err.column), (1, 1));
    }

    #[test]
    fn reads_adobe_fields_and_decodes_entities_once() {
        let fm = parse(ADOBE, 2).unwrap();
        assert_eq!(fm.title.as_deref(), Some("Qu'est-ce que B2B et B2C ?"));
        assert_eq!(fm.description.as_deref(), Some("Découvrez \"Commerce\"."));
        assert_eq!(fm.source_wordcount, Some(266));
        assert_eq!(fm.ht_degree, Some(0));
        assert_eq!(fm.workflow_type.as_deref(), Some("tm+mt"));
        assert_eq!(
            fm.exl_id.as_deref(),
            Some("d66b4a7f-d54b-4902-8791-7a8f67fa4b43")
        );
        assert_eq!(fm.all()["feature"], Value::String("B2B".into()));
        assert_eq!(fm.key_lines.get("exl-id"), Some(4));
        assert_eq!(
            fm.key_lines.get("source-wordcount"),
            None,
            "no later stage points at it"
        );
        assert!(!fm.extra.contains_key("title"), "held once, as the title");
        assert_eq!(
            fm.all()["title"],
            Value::String("Qu'est-ce que B2B et B2C ?".into())
        );
    }

    #[test]
    fn digit_only_revisions_keep_every_digit() {
        let fm = parse(
            "source-git-commit: 1111111111111111111111111111111111111111\nsource-wordcount: 266\n",
            2,
        )
        .unwrap();
        assert_eq!(
            fm.source_git_commit.as_deref(),
            Some("1111111111111111111111111111111111111111")
        );
        assert_eq!(
            fm.all()["source-git-commit"],
            Value::String("1111111111111111111111111111111111111111".into())
        );
        assert_eq!(fm.source_wordcount, Some(266));
    }

    #[test]
    fn encoded_ampersand_decodes_only_once() {
        let fm = parse("title: Fish &amp;amp; chips\n", 2).unwrap();
        assert_eq!(fm.title.as_deref(), Some("Fish &amp; chips"));
    }

    #[test]
    fn wrong_type_points_at_the_file_line() {
        let err = parse("description: ok\ntitle:\n  - a\n  - b\n", 2).unwrap_err();
        assert!(err.line >= 3 && err.line <= 4, "{err:?}");
        assert!(err.message.contains("invalid front matter"), "{err:?}");
    }

    #[test]
    fn syntax_error_has_line_and_column() {
        let err = parse("title: 'unclosed\ndescription: x\n", 2).unwrap_err();
        assert!(err.line >= 2, "{err:?}");
    }

    #[test]
    fn other_keys_keep_their_yaml_types_and_known_keys_their_text() {
        let fm = parse("title: 2024\nweight: 3\ndraft: true\ntags: [a, b]\n", 2).unwrap();
        assert_eq!(fm.title.as_deref(), Some("2024"));
        assert_eq!(fm.all()["title"], Value::String("2024".into()));
        assert_eq!(fm.all()["weight"], serde_json::json!(3));
        assert_eq!(fm.all()["draft"], Value::Bool(true));
        assert_eq!(fm.all()["tags"], serde_json::json!(["a", "b"]));
    }

    #[test]
    fn front_matter_that_is_not_a_mapping_is_an_error() {
        let err = parse("- title\n- description\n", 2).unwrap_err();
        assert_eq!(err.line, 2, "{err:?}");
        assert!(err.message.contains("mapping"), "{err:?}");
    }

    #[test]
    fn bad_percentage_is_reported_at_its_key() {
        let err = parse("title: a\nht-degree: lots\n", 2).unwrap_err();
        assert_eq!(err.line, 3);
        assert!(err.message.contains("ht-degree"));
    }
}
