//! Problems as people read them at a terminal: the message, and the lines
//! of the source it is about.

use std::path::Path;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, NamedSource};

use crate::model::{Diagnostic, Severity};

/// Prints every problem to standard error, colored on a terminal.
pub(crate) fn print_all(diagnostics: &[Diagnostic], site_root: &Path) {
    use std::io::IsTerminal;
    let color = std::io::stderr().is_terminal();
    for diagnostic in diagnostics {
        eprintln!("{}", with_snippet(diagnostic, site_root, color));
    }
}

/// A report with the offending source lines, read from `site_root/file`.
/// Falls back to the one-line form when the file cannot be read.
pub(crate) fn with_snippet(diagnostic: &Diagnostic, site_root: &Path, color: bool) -> String {
    let (Some(file), Some(line)) = (&diagnostic.file, diagnostic.line) else {
        return diagnostic.to_string();
    };
    let Ok(source) = std::fs::read_to_string(site_root.join(file)) else {
        return diagnostic.to_string();
    };
    let Some(offset) = byte_offset(&source, line, diagnostic.column.unwrap_or(1)) else {
        return diagnostic.to_string();
    };
    if line_too_long_to_show(&source, offset) {
        return diagnostic.to_string();
    }
    report_with_source(diagnostic, file, source, offset, color)
}

fn report_with_source(
    diagnostic: &Diagnostic,
    file: &Path,
    source: String,
    offset: usize,
    color: bool,
) -> String {
    let label_len = source[offset..].chars().next().map_or(0, char::len_utf8);
    let mut report = MietteDiagnostic::new(diagnostic.headline())
        .with_severity(match diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
        .with_label(LabeledSpan::at(offset..offset + label_len, "here"));
    if let Some(help) = &diagnostic.help {
        report = report.with_help(help.clone());
    }
    let report = miette::Report::new(report)
        .with_source_code(NamedSource::new(file.display().to_string(), source));
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let mut out = String::new();
    match GraphicalReportHandler::new_themed(theme).render_report(&mut out, report.as_ref()) {
        Ok(()) => out,
        Err(_) => diagnostic.to_string(),
    }
}

/// Lines longer than this get the one-line form: a snippet of a paragraph
/// written on one line is unreadable, and the report handler cannot pad to a
/// column past 65,535 (it panics).
const MAX_SNIPPET_LINE: usize = 500;

fn line_too_long_to_show(source: &str, offset: usize) -> bool {
    let start = source[..offset].rfind('\n').map_or(0, |i| i + 1);
    let end = source[offset..]
        .find('\n')
        .map_or(source.len(), |i| offset + i);
    source[start..end].chars().count() > MAX_SNIPPET_LINE
}

/// The byte offset of a 1-based line and character column, if it exists.
fn byte_offset(source: &str, line: usize, column: usize) -> Option<usize> {
    let line_start = if line <= 1 {
        0
    } else {
        source
            .match_indices('\n')
            .nth(line - 2)
            .map(|(i, _)| i + 1)?
    };
    let rest = &source[line_start..];
    let within_line = rest
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(rest.len(), |(i, _)| i);
    Some(line_start + within_line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_byte_offsets_of_unicode_columns() {
        let source = "première\nligne é deux\n";
        assert_eq!(byte_offset(source, 2, 7), Some("première\nligne ".len()));
        assert_eq!(byte_offset(source, 1, 1), Some(0));
        assert_eq!(byte_offset(source, 9, 1), None);
    }

    #[test]
    fn snippet_names_the_file_and_shows_the_line() {
        let dir = std::env::temp_dir().join(format!("tolk-diag-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("a.md"), "---\ntitle: [oops\n---\n").unwrap();
        let d = Diagnostic::error("unclosed list").in_file("a.md").at(2, 8);
        let out = with_snippet(&d, &dir, false);
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(out.contains("a.md"), "{out}");
        assert!(out.contains("title: [oops"), "{out}");
    }

    #[test]
    fn a_problem_far_along_a_long_line_is_one_line() {
        let dir = std::env::temp_dir().join(format!("tolk-diag-long-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let line = ">".repeat(70_000) + "[!NOTE]";
        std::fs::write(dir.join("a.md"), format!("{line}\n")).unwrap();
        let d = Diagnostic::warning("empty alert")
            .in_file("a.md")
            .at(1, 70_001);
        let out = with_snippet(&d, &dir, false);
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(out, d.to_string());
    }
}
