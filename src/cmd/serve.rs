//! `tolk serve`: the development server.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use crate::model::ReadOptions;
use crate::serve;

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

pub(crate) fn run(args: ServeArgs) -> ExitCode {
    let options = serve::ServeOptions {
        port: args.port,
        quiet: args.quiet,
    };
    let served = serve::IncrementalEngine::new(&args.root, ReadOptions::default())
        .and_then(|engine| serve::run(engine, options));
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
