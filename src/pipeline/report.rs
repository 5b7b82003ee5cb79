//! What a build did: the summary line and the exit status.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use crate::model::Diagnostic;
use crate::model::diagnostic;

/// What a build did, for the summary line and the exit status.
#[derive(Debug, Default)]
pub struct BuildReport {
    pub pages_per_language: BTreeMap<String, usize>,
    /// Pages built in place of missing translations.
    pub fallback_pages: usize,
    /// Zero-width spaces removed from titles, headings, link and alt texts.
    pub zero_width_removed: usize,
    pub diagnostics: Vec<Diagnostic>,
    /// Where the site was written; `None` when nothing was published.
    pub published_to: Option<PathBuf>,
    pub elapsed: Duration,
}

impl BuildReport {
    pub fn errors(&self) -> usize {
        diagnostic::count(&self.diagnostics).0
    }

    pub fn warnings(&self) -> usize {
        diagnostic::count(&self.diagnostics).1
    }

    /// `Built 5 pages (fr 2, it 1, nl 1, sv 1), 1 warning, 0 errors in 0.04 s -> public/`
    pub fn summary(&self) -> String {
        let total: usize = self.pages_per_language.values().sum();
        let per_language: Vec<String> = self
            .pages_per_language
            .iter()
            .map(|(lang, n)| format!("{lang} {n}"))
            .collect();
        let destination = match &self.published_to {
            Some(path) => format!("-> {}", path.display()),
            None => "; nothing written, the previous output is untouched".to_string(),
        };
        let fallbacks = match self.fallback_pages {
            0 => String::new(),
            n => format!(" and {n} {}", plural(n, "fallback page", "fallback pages")),
        };
        let zero_width = match self.zero_width_removed {
            0 => String::new(),
            n => format!(", {n} zero-width {} removed", plural(n, "space", "spaces")),
        };
        format!(
            "Built {total} {} ({}){fallbacks}{zero_width}, {} {}, {} {} in {:.2} s {destination}",
            plural(total, "page", "pages"),
            per_language.join(", "),
            self.warnings(),
            plural(self.warnings(), "warning", "warnings"),
            self.errors(),
            plural(self.errors(), "error", "errors"),
            self.elapsed.as_secs_f64(),
        )
    }
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}
