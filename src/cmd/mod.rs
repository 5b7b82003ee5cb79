//! The command line: parsing only; each command calls into the library.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "tolk",
    version,
    about = "Multilingual documentation sites from localized Markdown"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the site into its output folder (default: public/).
    Build(BuildArgs),
    /// Show which translations are missing, stale or unaligned.
    Report(ReportArgs),
    /// Sort a dump of translated files into content/<lang>/<slug>.md.
    Import(ImportArgs),
    /// Serve the site on 127.0.0.1, rebuilding and reloading on every change.
    Serve(ServeArgs),
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The site folder, holding tolk.toml.
    #[arg(long, value_name = "SITE", default_value = ".")]
    pub root: PathBuf,
    /// The port on 127.0.0.1; 0 picks a free one.
    #[arg(long, value_name = "N", default_value_t = 1111)]
    pub port: u16,
    /// Print only errors and the address, not every rebuild.
    #[arg(long)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The folder of files to import (.md, .markdown, .txt, read recursively).
    #[arg(value_name = "DUMP")]
    pub dump: PathBuf,
    /// The site folder; its tolk.toml, when there is one, limits the
    /// languages to detect.
    #[arg(long, value_name = "SITE", default_value = ".")]
    pub root: PathBuf,
    /// Where to write the pages (default: the site's content folder).
    #[arg(long, value_name = "DIR")]
    pub into: Option<PathBuf>,
    /// Replace files that already exist.
    #[arg(long)]
    pub force: bool,
    /// Print what would be written, and write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Leave mojibake as it is instead of repairing it.
    #[arg(long)]
    pub no_repair: bool,
}

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

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// The site folder, holding tolk.toml.
    #[arg(long, value_name = "SITE", default_value = ".")]
    pub root: PathBuf,
    /// Write the site here instead of the config's output_dir.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Build from this dump of files (placed as `tolk import` would place
    /// them) instead of the content folder; nothing is written into it.
    #[arg(long, value_name = "DUMP")]
    pub content: Option<PathBuf>,
    /// Publish the pages that built even when others failed (the exit status
    /// is still non-zero).
    #[arg(long)]
    pub keep_going: bool,
    /// Leave mojibake (UTF-8 once read as Latin-1) as it is instead of repairing it.
    #[arg(long)]
    pub no_repair: bool,
    /// Print only problems: no progress bar and no summary line. (The bar is
    /// drawn only on a terminal, and only when a build takes a moment.)
    #[arg(long, short)]
    pub quiet: bool,
}
