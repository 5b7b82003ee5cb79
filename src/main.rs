use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;

use tolk::build::{self, BuildOptions};
use tolk::cli::{BuildArgs, Cli, Command};
use tolk::read::ReadOptions;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build(args) => run_build(args),
    }
}

fn run_build(args: BuildArgs) -> ExitCode {
    let options = BuildOptions {
        root: args.root.clone(),
        out: args.out,
        keep_going: args.keep_going,
        read: ReadOptions {
            repair_mojibake: !args.no_repair,
        },
    };
    let report = build::build(&options);
    let color = std::io::stderr().is_terminal();
    for diagnostic in &report.diagnostics {
        eprintln!("{}", diagnostic.render_with_snippet(&args.root, color));
    }
    println!("{}", report.summary());
    if report.errors() > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
