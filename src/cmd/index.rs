//! `tolk index`: the search index of a site already built, for sites built
//! in shards (`tolk build --lang`) and put together.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use crate::console::diagnostics;
use crate::pipeline::{self, BuildOptions};

#[derive(Debug, Args)]
pub struct IndexArgs {
    /// The site folder, holding tolk.toml.
    #[arg(long, value_name = "SITE", default_value = ".")]
    pub root: PathBuf,
    /// The built site to index, instead of the config's output_dir.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

pub(crate) fn run(args: IndexArgs) -> ExitCode {
    let options = BuildOptions {
        root: args.root.clone(),
        out: args.out,
        ..Default::default()
    };
    match pipeline::index_output(&options) {
        Ok(report) => {
            diagnostics::print_all(&report.warnings, &args.root);
            let languages: Vec<String> = report
                .languages
                .iter()
                .map(|(lang, pages)| format!("{lang} {pages}"))
                .collect();
            let pages: usize = report.languages.values().sum();
            println!(
                "Indexed {pages} pages ({}), {} files written",
                languages.join(", "),
                report.files_written
            );
            ExitCode::SUCCESS
        }
        Err(problems) => {
            diagnostics::print_all(&problems, &args.root);
            ExitCode::FAILURE
        }
    }
}
