//! Errors and warnings as values: every problem found in the user's input
//! carries the file, line and column it came from, so a build can go on, collect
//! them all and print them together with a source snippet.

use std::fmt;
use std::path::{Path, PathBuf};

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, NamedSource};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Warning,
    Error,
}

/// One problem with the input, pointing at where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    /// Path as the user should read it: relative to the site root.
    pub file: Option<PathBuf>,
    /// 1-based line and column (column in characters).
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(message: impl Into<String>) -> Self {
        Self::new(Severity::Error, message.into())
    }

    pub fn warning(message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, message.into())
    }

    fn new(severity: Severity, message: String) -> Self {
        Diagnostic {
            severity,
            message,
            file: None,
            line: None,
            column: None,
            help: None,
        }
    }

    pub fn in_file(mut self, file: impl Into<PathBuf>) -> Self {
        self.file = Some(file.into());
        self
    }

    pub fn at(mut self, line: usize, column: usize) -> Self {
        self.line = Some(line);
        self.column = Some(column);
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `file:line:col`, or as much of it as is known.
    pub fn location(&self) -> Option<String> {
        let file = self.file.as_ref()?.display().to_string();
        Some(match (self.line, self.column) {
            (Some(line), Some(column)) => format!("{file}:{line}:{column}"),
            (Some(line), None) => format!("{file}:{line}"),
            _ => file,
        })
    }

    /// A report with the offending source lines, read from `site_root/file`.
    /// Falls back to the one-line form when the file cannot be read.
    pub fn render_with_snippet(&self, site_root: &Path, color: bool) -> String {
        let (Some(file), Some(line)) = (&self.file, self.line) else {
            return self.to_string();
        };
        let Ok(source) = std::fs::read_to_string(site_root.join(file)) else {
            return self.to_string();
        };
        let Some(offset) = byte_offset(&source, line, self.column.unwrap_or(1)) else {
            return self.to_string();
        };
        self.render_report(file, source, offset, color)
    }

    fn render_report(&self, file: &Path, source: String, offset: usize, color: bool) -> String {
        let label_len = source[offset..].chars().next().map_or(0, char::len_utf8);
        let mut report = MietteDiagnostic::new(self.headline())
            .with_severity(match self.severity {
                Severity::Error => miette::Severity::Error,
                Severity::Warning => miette::Severity::Warning,
            })
            .with_label(LabeledSpan::at(offset..offset + label_len, "here"));
        if let Some(help) = &self.help {
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
            Err(_) => self.to_string(),
        }
    }
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

impl Diagnostic {
    /// `error: file:line:col: message`, without the help line.
    pub fn headline(&self) -> String {
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        match self.location() {
            Some(location) => format!("{kind}: {location}: {}", self.message),
            None => format!("{kind}: {}", self.message),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.headline())?;
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

/// Counts for the build summary.
pub fn count(diagnostics: &[Diagnostic]) -> (usize, usize) {
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    (errors, diagnostics.len() - errors)
}

/// Stable order for printing (by file, then position, then message), with
/// exact duplicates merged: a broken template reports once, not per page.
pub fn sort_and_dedup(diagnostics: &mut Vec<Diagnostic>) {
    diagnostics.sort_by(|a, b| {
        (&a.file, a.line, a.column, &a.message).cmp(&(&b.file, b.line, b.column, &b.message))
    });
    diagnostics.dedup();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_file_line_and_column() {
        let d = Diagnostic::error("bad thing")
            .in_file("content/fr/a.md")
            .at(3, 7);
        assert_eq!(d.to_string(), "error: content/fr/a.md:3:7: bad thing");
    }

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
        let out = d.render_with_snippet(&dir, false);
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(out.contains("a.md"), "{out}");
        assert!(out.contains("title: [oops"), "{out}");
    }
}
