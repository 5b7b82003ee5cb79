//! `tolk report`: the translation status as a terminal table or as JSON.

use std::fmt::Write;

use unicode_width::UnicodeWidthStr;

use std::collections::BTreeMap;

use crate::model::staleness::{Assessment, BlockChangeKind, short};
use crate::model::status::{Cell, CellStatus, StatusReport};

/// What makes `tolk report` exit non-zero, for CI.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FailOn {
    pub missing: bool,
    pub stale: bool,
    pub unaligned: bool,
}

impl FailOn {
    /// Parses `missing,stale,unaligned` (any subset, comma separated).
    pub fn parse(text: &str) -> Result<FailOn, String> {
        let mut fail_on = FailOn::default();
        for kind in text.split(',').map(str::trim).filter(|k| !k.is_empty()) {
            match kind {
                "missing" => fail_on.missing = true,
                "stale" => fail_on.stale = true,
                "unaligned" => fail_on.unaligned = true,
                other => {
                    return Err(format!(
                        "unknown kind `{other}`: use missing, stale or unaligned"
                    ));
                }
            }
        }
        Ok(fail_on)
    }

    /// The kinds that are both asked for and present, for the exit message.
    pub fn failures(&self, report: &StatusReport) -> Vec<String> {
        let totals = &report.totals;
        let checks = [
            (self.missing, totals.missing, "missing"),
            (self.stale, totals.stale, "stale"),
            (self.unaligned, totals.unaligned, "unaligned"),
        ];
        checks
            .into_iter()
            .filter(|&(asked, count, _)| asked && count > 0)
            .map(|(_, count, kind)| format!("{count} {kind}"))
            .collect()
    }
}

pub fn to_json(report: &StatusReport) -> String {
    serde_json::to_string_pretty(report).unwrap_or_else(|err| format!("{{\"error\": \"{err}\"}}"))
}

const TITLE_WIDTH: usize = 40;

/// The groups × languages table, with coverage, totals and the details a
/// translator acts on (why a page is stale, what to add where).
pub fn to_table(report: &StatusReport, color: bool) -> String {
    let mut rows: Vec<Vec<(String, Style)>> = Vec::new();
    let mut header = vec![("Page".to_string(), Style::Bold)];
    header.extend(report.languages.iter().map(|l| (l.clone(), Style::Bold)));
    rows.push(header);
    for group in &report.groups {
        let mut row = vec![(truncate(&group.title, TITLE_WIDTH), Style::Plain)];
        row.extend(
            report
                .languages
                .iter()
                .map(|lang| cell_text(group.cells.get(lang))),
        );
        rows.push(row);
    }
    let mut coverage = vec![("Coverage".to_string(), Style::Bold)];
    coverage.extend(
        report
            .coverage
            .iter()
            .map(|c| (format!("{}%", c.percent), Style::Bold)),
    );
    rows.push(coverage);
    let mut out = render_rows(&rows, color);
    out.push('\n');
    out.push_str(&totals_line(report));
    out.push_str(&details(report));
    out
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Style {
    Plain,
    Bold,
    Good,
    Warn,
    Bad,
    Hint,
}

impl Style {
    fn code(self) -> &'static str {
        match self {
            Style::Plain => "",
            Style::Bold => "\x1b[1m",
            Style::Good => "\x1b[32m",
            Style::Warn => "\x1b[33m",
            Style::Bad => "\x1b[31m",
            Style::Hint => "\x1b[36m",
        }
    }
}

fn cell_text(cell: Option<&Cell>) -> (String, Style) {
    let Some(cell) = cell else {
        return (String::new(), Style::Plain);
    };
    let (word, style) = match cell.status {
        CellStatus::Source => ("source".to_string(), Style::Good),
        CellStatus::Present => ("✓".to_string(), Style::Good),
        CellStatus::Stale => match cell.changed_blocks.len() {
            0 => ("stale".to_string(), Style::Warn),
            1 => ("stale 1 block".to_string(), Style::Warn),
            n => (format!("stale {n} blocks"), Style::Warn),
        },
        CellStatus::Unknown => ("unknown".to_string(), Style::Hint),
        CellStatus::Missing => ("missing".to_string(), Style::Bad),
        CellStatus::Suggested => {
            let score = cell.suggestion.as_ref().map_or(0.0, |s| s.score);
            (format!("suggested {score:.2}"), Style::Hint)
        }
    };
    let translation = match (&cell.workflow_type, cell.ht_degree) {
        (Some(workflow), Some(ht)) => format!(" {workflow} {ht}%"),
        (Some(workflow), None) => format!(" {workflow}"),
        _ => String::new(),
    };
    (format!("{word}{translation}"), style)
}

fn render_rows(rows: &[Vec<(String, Style)>], color: bool) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|(t, _)| t.width())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|((text, style), width)| {
                let padded = format!("{text}{}", " ".repeat(width - text.width()));
                if color && *style != Style::Plain {
                    format!("{}{padded}\x1b[0m", style.code())
                } else {
                    padded
                }
            })
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

fn truncate(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_string();
    }
    let mut out = String::new();
    for c in text.chars() {
        if out.width() + c.to_string().width() >= width {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

fn totals_line(report: &StatusReport) -> String {
    let t = &report.totals;
    format!(
        "{} groups, {} pages: {} up to date, {} stale, {} unknown, {} missing ({} suggested), {} unaligned, {} machine translated\n",
        t.groups,
        t.pages,
        t.up_to_date,
        t.stale,
        t.unknown,
        t.missing,
        t.suggested,
        t.unaligned,
        t.machine_translated
    )
}

/// Files listed under one reason before the rest are counted.
const FILES_PER_REASON: usize = 5;

fn details(report: &StatusReport) -> String {
    let mut stale = String::new();
    let mut suggested = String::new();
    let mut unknown: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut noted = 0;
    for group in &report.groups {
        for cell in group.cells.values() {
            match cell.status {
                CellStatus::Stale => stale.push_str(&stale_details(cell)),
                CellStatus::Unknown => unknown
                    .entry(cell.explanation.as_deref().unwrap_or("no reason given"))
                    .or_default()
                    .push(&cell.file),
                _ => {}
            }
            noted += usize::from(cell.note.is_some() && cell.status == CellStatus::Present);
            if let Some(s) = &cell.suggestion {
                let _ = writeln!(
                    suggested,
                    "  {} looks like \"{}\" (score {:.2}): {}",
                    s.file, group.title, s.score, s.fix
                );
            }
        }
    }
    let mut unaligned = String::new();
    for page in report.unaligned.iter().filter(|u| u.suggestion.is_none()) {
        let _ = writeln!(
            unaligned,
            "  {} ({}): no translation shares its exl-id, translation-key or path",
            page.file, page.language
        );
    }
    let mut out = String::new();
    for (heading, body) in [
        ("Stale (tolk report --diff FILE shows what changed)", stale),
        ("Unknown", unknown_details(&unknown)),
        ("Suggested alignments", suggested),
        ("Unaligned", unaligned),
    ] {
        if !body.is_empty() {
            let _ = write!(out, "\n{heading}:\n{body}");
        }
    }
    if noted > 0 {
        let _ = writeln!(
            out,
            "\n{noted} up-to-date {}: the source changed since, but not its text to translate.",
            if noted == 1 {
                "translation"
            } else {
                "translations"
            }
        );
    }
    out
}

/// A stale file, why, and the headings of the source blocks that changed.
fn stale_details(cell: &Cell) -> String {
    let mut out = String::new();
    let why = cell.explanation.clone().unwrap_or_else(|| {
        let reasons: Vec<String> = cell.stale_reasons.iter().map(|r| r.describe()).collect();
        reasons.join("; ")
    });
    let _ = writeln!(out, "  {}: {why}", cell.file);
    for block in &cell.changed_blocks {
        let place = if block.headings.is_empty() {
            "(top of the page)".to_string()
        } else {
            block.headings.join(" › ")
        };
        let lines = match block.translation_lines {
            Some((first, last)) if first == last => format!(", translation line {first}"),
            Some((first, last)) => format!(", translation lines {first}-{last}"),
            None => String::new(),
        };
        let change = match block.change {
            BlockChangeKind::Added => "added",
            BlockChangeKind::Removed => "removed",
            BlockChangeKind::Changed => "changed",
        };
        let _ = writeln!(out, "      {place}: {} {change}{lines}", block.kind);
    }
    out
}

/// Unknown translations grouped by their reason: a site without history
/// has hundreds, all for one reason.
fn unknown_details(unknown: &BTreeMap<&str, Vec<&str>>) -> String {
    let mut out = String::new();
    for (reason, files) in unknown {
        let count = files.len();
        let _ = writeln!(
            out,
            "  {count} {}: {reason}",
            if count == 1 {
                "translation"
            } else {
                "translations"
            }
        );
        for file in files.iter().take(FILES_PER_REASON) {
            let _ = writeln!(out, "    {file}");
        }
        if count > FILES_PER_REASON {
            let _ = writeln!(out, "    … and {} more", count - FILES_PER_REASON);
        }
    }
    out
}

/// `tolk report --diff FILE`: one translation's blocks, source then, source
/// now and translation now, changed blocks marked.
pub fn to_diff(file: &str, assessment: &Assessment, color: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{file}: {}", assessment.explanation);
    if let Some(note) = &assessment.note {
        let _ = writeln!(out, "  {note}");
    }
    let Some(changes) = &assessment.changes else {
        return out;
    };
    let _ = writeln!(
        out,
        "source then: {} at {}",
        changes.path_then,
        short(&changes.revision)
    );
    for (name, field) in [
        ("title", &changes.title),
        ("description", &changes.description),
    ] {
        if let Some(field) = field {
            let _ = writeln!(
                out,
                "\n{name}\n  then: {}\n  now:  {}",
                field.old.as_deref().unwrap_or("(none)"),
                field.new.as_deref().unwrap_or("(none)")
            );
        }
    }
    let paint = |text: String, style: Style| {
        if color {
            format!("{}{text}\x1b[0m", style.code())
        } else {
            text
        }
    };
    let mut place: Vec<String> = Vec::new();
    for row in &changes.rows {
        if row.change.is_none() {
            continue;
        }
        if row.headings != place {
            place = row.headings.clone();
            let _ = writeln!(out, "\n§ {}", place.join(" › "));
        }
        let (mark, style) = match row.change {
            Some(BlockChangeKind::Added) => ("added", Style::Good),
            Some(BlockChangeKind::Removed) => ("removed", Style::Bad),
            _ => ("changed", Style::Warn),
        };
        let _ = writeln!(out, "{}", paint(format!("  {} {mark}", row.kind), style));
        let lines = row
            .translation_lines
            .map(|(first, last)| format!(" (lines {first}-{last})"))
            .unwrap_or_default();
        for (label, text) in [
            ("source then", &row.then),
            ("source now ", &row.now),
            (&format!("translation{lines}") as &str, &row.translation),
        ] {
            let _ = writeln!(out, "    {label}: {}", text.as_deref().unwrap_or("—"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_fail_on_kinds() {
        let all = FailOn::parse("missing, stale,unaligned").unwrap();
        assert!(all.missing && all.stale && all.unaligned);
        assert_eq!(FailOn::parse("").unwrap(), FailOn::default());
        assert!(FailOn::parse("missing,late").unwrap_err().contains("late"));
    }

    #[test]
    fn truncates_by_display_width() {
        assert_eq!(truncate("Qu’est-ce que B2B et B2C ?", 10), "Qu’est-ce…");
        assert_eq!(truncate("court", 10), "court");
    }

    #[test]
    fn pads_cells_to_aligned_columns_without_color() {
        let rows = vec![
            vec![
                ("Page".to_string(), Style::Bold),
                ("fr".to_string(), Style::Bold),
            ],
            vec![
                ("Résumé".to_string(), Style::Plain),
                ("✓".to_string(), Style::Good),
            ],
        ];
        assert_eq!(render_rows(&rows, false), "Page    fr\nRésumé  ✓\n");
        assert!(render_rows(&rows, true).contains("\x1b[32m✓"));
    }
}
