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
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// The site folder, holding tolk.toml.
    #[arg(long, value_name = "SITE", default_value = ".")]
    pub root: PathBuf,
    /// Write the site here instead of the config's output_dir.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Publish the pages that built even when others failed (the exit status
    /// is still non-zero).
    #[arg(long)]
    pub keep_going: bool,
    /// Leave mojibake (UTF-8 once read as Latin-1) as it is instead of repairing it.
    #[arg(long)]
    pub no_repair: bool,
}
