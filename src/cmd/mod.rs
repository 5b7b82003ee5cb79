//! The command line: each command parses its arguments and calls the
//! stages (or `pipeline`, which runs them), then prints what they return.

mod build;
mod import;
mod index;
mod report;
mod serve;
mod xliff;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub use build::BuildArgs;
pub use import::ImportArgs;
pub use index::IndexArgs;
pub use report::{ColorChoice, ReportArgs, ReportFormat};
pub use serve::ServeArgs;
pub use xliff::XliffArgs;

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
    /// Make the search index of a built site (one built in shards with
    /// `build --lang` and put together).
    Index(IndexArgs),
    /// Exchange translations as XLIFF: export the text to translate, import
    /// what translators send back.
    Xliff(XliffArgs),
}

/// Runs the command the user asked for.
pub fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Build(args) => build::run(args),
        Command::Report(args) => report::run(args),
        Command::Import(args) => import::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Index(args) => index::run(args),
        Command::Xliff(args) => xliff::run(args),
    }
}
