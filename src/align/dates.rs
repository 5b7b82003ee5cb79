//! When each page last changed (the dates of the feeds), taken from what
//! is the same on every machine before what is not: the page's front matter
//! (`last-update`, else `date`), then its last commit, then its file's
//! modification time.
//!
//! File times differ between two checkouts of the same sources. Following
//! the reproducible-builds convention, `SOURCE_DATE_EPOCH` (seconds since
//! 1970) is the latest date any output may carry: every date later than it
//! is clamped to it, so copies of a site made at different times build the
//! same bytes.

use std::path::Path;
use std::sync::OnceLock;
use std::time::UNIX_EPOCH;

use super::histories::Histories;
use crate::model::{Diagnostic, SourcePage};

/// The front matter keys of a page's date, the first present wins.
pub(crate) use crate::model::front_matter::DATE_KEYS;

const VARIABLE: &str = "SOURCE_DATE_EPOCH";

/// `SOURCE_DATE_EPOCH` when set: `Ok(None)` when it is not, an error when
/// it is set to something other than seconds since 1970.
pub(crate) fn source_date_epoch() -> Result<Option<i64>, Diagnostic> {
    // Read once: the environment does not change during a run, and every
    // date of a build must be clamped to the same moment.
    static EPOCH: OnceLock<Result<Option<i64>, String>> = OnceLock::new();
    EPOCH
        .get_or_init(|| match std::env::var(VARIABLE) {
            Err(_) => Ok(None),
            Ok(value) => parse_epoch(&value),
        })
        .clone()
        .map_err(|why| {
            Diagnostic::error(why).with_help(format!(
                "set {VARIABLE} to whole seconds since 1970, such as the time of the last commit"
            ))
        })
}

fn parse_epoch(value: &str) -> Result<Option<i64>, String> {
    match value.trim().parse::<i64>() {
        Ok(seconds) if seconds >= 0 => Ok(Some(seconds)),
        _ => Err(format!("{VARIABLE} is `{value}`, not a number of seconds")),
    }
}

/// `time`, no later than `SOURCE_DATE_EPOCH` when that is set (and valid).
pub(crate) fn clamped(time: i64) -> i64 {
    match source_date_epoch() {
        Ok(Some(latest)) => time.min(latest),
        _ => time,
    }
}

/// When `path` was last modified, clamped; `None` when it cannot be read.
pub(crate) fn file_time(path: &Path) -> Option<i64> {
    let modified = std::fs::metadata(path).and_then(|m| m.modified()).ok()?;
    let seconds = modified.duration_since(UNIX_EPOCH).ok()?.as_secs();
    Some(clamped(i64::try_from(seconds).ok()?))
}

/// When `page` last changed, with a warning when its front matter names a
/// date that cannot be read (the next source is used instead).
pub(crate) fn page_date(page: &SourcePage, histories: &Histories) -> (i64, Option<Diagnostic>) {
    let (written, problem) = match front_matter_date(page) {
        Some(Ok(time)) => (Some(time), None),
        Some(Err(problem)) => (None, Some(problem)),
        None => (None, None),
    };
    let time = written
        .or_else(|| histories.last_change(&page.file.path).map(|c| c.time))
        .or_else(|| file_time(&page.file.path))
        .unwrap_or(0);
    (clamped(time), problem)
}

/// The first of [`DATE_KEYS`] the front matter has, read.
fn front_matter_date(page: &SourcePage) -> Option<Result<i64, Diagnostic>> {
    let (key, value) = DATE_KEYS
        .iter()
        .find_map(|&key| Some((key, page.front.extra.get(key)?)))?;
    let text = match value {
        serde_json::Value::String(text) => text.clone(),
        other => other.to_string(),
    };
    Some(parse_date(&text).ok_or_else(|| {
        let line = page.front.key_lines.get(key).unwrap_or(1);
        Diagnostic::warning(format!(
            "`{key}: {text}` is not a date: the page's date is taken from git or the file"
        ))
        .in_file(&page.file.path)
        .at(line, 1)
        .with_help("write dates as 2026-01-31 or 2026-01-31T12:00:00Z")
    }))
}

/// Seconds since 1970 of `2026-01-31`, `2026-01-31T12:00:00Z` or
/// `2026-01-31 12:00:00` (times without a zone are UTC).
fn parse_date(text: &str) -> Option<i64> {
    let text = text.trim();
    let full = if text.len() == 10 {
        format!("{text}T00:00:00Z")
    } else {
        text.to_string()
    };
    let time = humantime::parse_rfc3339_weak(&full).ok()?;
    i64::try_from(time.duration_since(UNIX_EPOCH).ok()?.as_secs()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_dates_with_and_without_a_time() {
        assert_eq!(parse_date("2026-01-01"), Some(1_767_225_600));
        assert_eq!(parse_date("2026-01-01T00:00:10Z"), Some(1_767_225_610));
        assert_eq!(parse_date(" 2026-01-01 00:01:00 "), Some(1_767_225_660));
        assert_eq!(parse_date("yesterday"), None);
        assert_eq!(parse_date("2026-13-01"), None);
    }

    #[test]
    fn source_date_epoch_is_whole_seconds() {
        assert_eq!(parse_epoch("1735689600"), Ok(Some(1_735_689_600)));
        assert!(parse_epoch("-1").is_err());
        assert!(parse_epoch("2025-01-01").is_err());
    }
}
