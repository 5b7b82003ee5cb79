//! `tolk build`: the whole pipeline, with a progress bar on terminals and
//! a summary line.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use crate::console::diagnostics;
use crate::console::progress::TerminalProgress;
use crate::model::ReadOptions;
use crate::pipeline::{self, BuildOptions};

/// A build shorter than this draws no progress bar.
const PROGRESS_DELAY: std::time::Duration = std::time::Duration::from_millis(500);

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
    /// Build only the pages of these languages (`--lang fr,it`), for a build
    /// sharded by language; links, switchers and sitemaps still name every
    /// translation. The search index is then left to `tolk index`.
    #[arg(long, value_name = "LANGS", value_delimiter = ',')]
    pub lang: Vec<String>,
    /// Print only problems: no progress bar and no summary line. (The bar is
    /// drawn only on a terminal, and only when a build takes a moment.)
    #[arg(long, short)]
    pub quiet: bool,
}

pub(crate) fn run(args: BuildArgs) -> ExitCode {
    let options = BuildOptions {
        root: args.root.clone(),
        out: args.out,
        content: args.content,
        keep_going: args.keep_going,
        read: ReadOptions {
            repair_mojibake: !args.no_repair,
        },
        languages: args.lang,
    };
    let report = if args.quiet || !std::io::stderr().is_terminal() {
        pipeline::build(&options)
    } else {
        let progress = TerminalProgress::new(PROGRESS_DELAY);
        pipeline::build_with_progress(&options, &progress)
    };
    diagnostics::print_all(&report.diagnostics, &args.root);
    if !args.quiet {
        println!("{}", report.summary());
    }
    if report.errors() > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
