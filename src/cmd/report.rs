//! `tolk report`: the translation status of the site, as a table or JSON.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;

use crate::align::status;
use crate::config::language;
use crate::console::diagnostics;
use crate::model::LoadedSite;
use crate::model::status::Filter;
use crate::pipeline::{self, BuildOptions};
use crate::report::{self, FailOn};

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The site folder, holding tolk.toml.
    #[arg(long, value_name = "SITE", default_value = ".")]
    pub root: PathBuf,
    /// `table` for people, `json` for CI and other tools (schema in the README).
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
    /// Only these languages (repeat or separate with commas).
    #[arg(long, value_name = "LANG", value_delimiter = ',')]
    pub lang: Vec<String>,
    /// Only pages under this path, such as `commerce/`.
    #[arg(long, value_name = "PATH")]
    pub section: Option<String>,
    /// Exit with status 1 when any of these is found: missing, stale, unaligned.
    #[arg(long, value_name = "KINDS")]
    pub fail_on: Option<String>,
    /// Colour the table: auto (when printing to a terminal), always or never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Show one translation's changes block by block: the source then, the
    /// source now and the translation (FILE as the report names it, such as
    /// `content/fr/guide/page.md`).
    #[arg(long, value_name = "FILE")]
    pub diff: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    Table,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

pub(crate) fn run(args: ReportArgs) -> ExitCode {
    let fail_on = match args.fail_on.as_deref().map(FailOn::parse).transpose() {
        Ok(fail_on) => fail_on.unwrap_or_default(),
        Err(message) => {
            eprintln!("error: --fail-on: {message}");
            return ExitCode::from(2);
        }
    };
    let options = BuildOptions {
        root: args.root.clone(),
        ..Default::default()
    };
    let (site, problems) = match pipeline::load_site(&options) {
        Ok(loaded) => loaded,
        Err(problems) => {
            diagnostics::print_all(&problems, &args.root);
            return ExitCode::from(2);
        }
    };
    // Page problems do not stop the report, but they are not hidden either.
    diagnostics::print_all(&problems, &args.root);
    let color = match args.color {
        ColorChoice::Auto => {
            std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
        }
        ColorChoice::Always => true,
        ColorChoice::Never => false,
    };
    if let Some(file) = &args.diff {
        return print_diff(&site, &args.root, file, color);
    }
    let languages: Result<Vec<String>, String> = args
        .lang
        .iter()
        .map(|raw| {
            let tag = language::normalize_tag(raw)?;
            site.config
                .language(&tag)
                .map(|l| l.tag.clone())
                .ok_or(format!("`{raw}` is not a configured language"))
        })
        .collect();
    let languages = match languages {
        Ok(languages) => languages,
        Err(message) => {
            eprintln!("error: --lang: {message}");
            return ExitCode::from(2);
        }
    };
    let filter = Filter {
        languages,
        section: args.section,
    };
    let report = status::collect(&site).filtered(&filter);
    match args.format {
        ReportFormat::Json => println!("{}", report::to_json(&report)),
        ReportFormat::Table => print!("{}", report::to_table(&report, color)),
    }
    let failures = fail_on.failures(&report);
    if failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        eprintln!("tolk report: failing on {}", failures.join(", "));
        ExitCode::FAILURE
    }
}

/// `--diff FILE`: what changed in one translation's source.
fn print_diff(site: &LoadedSite, root: &Path, file: &Path, color: bool) -> ExitCode {
    let wanted = file.strip_prefix(root).unwrap_or(file);
    let found = [
        (&site.pages, &site.staleness),
        (&site.parts.files, &site.parts.staleness),
    ]
    .into_iter()
    .find_map(|(pages, staleness)| {
        let index = pages
            .iter()
            .position(|p| p.file.display_path == wanted || p.file.path == file)?;
        Some((&pages[index], staleness.translations.get(&index)))
    });
    let Some((page, assessment)) = found else {
        eprintln!(
            "error: --diff: {} is not a page of this site",
            file.display()
        );
        return ExitCode::from(2);
    };
    let Some(assessment) = assessment else {
        eprintln!(
            "error: --diff: {} is a source page, not a translation",
            file.display()
        );
        return ExitCode::from(2);
    };
    let display = page.file.display_path.display().to_string();
    print!("{}", report::to_diff(&display, assessment, color));
    ExitCode::SUCCESS
}
