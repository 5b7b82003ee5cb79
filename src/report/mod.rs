//! `tolk report`: the translation status as a terminal table or as JSON.

use std::fmt::Write;

use unicode_width::UnicodeWidthStr;

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
        CellStatus::Stale => ("stale".to_string(), Style::Warn),
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
        "{} groups, {} pages: {} up to date, {} stale, {} missing ({} suggested), {} unaligned, {} machine translated\n",
        t.groups,
        t.pages,
        t.up_to_date,
        t.stale,
        t.missing,
        t.suggested,
        t.unaligned,
        t.machine_translated
    )
}

fn details(report: &StatusReport) -> String {
    let mut stale = String::new();
    let mut suggested = String::new();
    for group in &report.groups {
        for cell in group.cells.values() {
            if !cell.stale_reasons.is_empty() {
                let reasons: Vec<String> =
                    cell.stale_reasons.iter().map(|r| r.describe()).collect();
                let _ = writeln!(stale, "  {}: {}", cell.file, reasons.join("; "));
            }
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
        ("Stale", stale),
        ("Suggested alignments", suggested),
        ("Unaligned", unaligned),
    ] {
        if !body.is_empty() {
            let _ = write!(out, "\n{heading}:\n{body}");
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
