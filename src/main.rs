use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;

use tolk::build::{self, BuildOptions};
use tolk::cli::{BuildArgs, Cli, ColorChoice, Command, ReportArgs, ReportFormat};
use tolk::diagnostics::Diagnostic;
use tolk::read::ReadOptions;
use tolk::report::{self, FailOn};
use tolk::status::{self, Filter};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build(args) => run_build(args),
        Command::Report(args) => run_report(args),
    }
}

fn run_report(args: ReportArgs) -> ExitCode {
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
    let (site, problems) = match build::load_site(&options) {
        Ok(loaded) => loaded,
        Err(problems) => {
            print_diagnostics(&problems, &args.root);
            return ExitCode::from(2);
        }
    };
    // Page problems do not stop the report, but they are not hidden either.
    print_diagnostics(&problems, &args.root);
    let languages: Result<Vec<String>, String> = args
        .lang
        .iter()
        .map(|raw| {
            let tag = tolk::language::normalize_tag(raw)?;
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
        ReportFormat::Table => {
            let color = match args.color {
                ColorChoice::Auto => {
                    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
                }
                ColorChoice::Always => true,
                ColorChoice::Never => false,
            };
            print!("{}", report::to_table(&report, color));
        }
    }
    let failures = fail_on.failures(&report);
    if failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        eprintln!("tolk report: failing on {}", failures.join(", "));
        ExitCode::FAILURE
    }
}

fn print_diagnostics(diagnostics: &[Diagnostic], root: &std::path::Path) {
    let color = std::io::stderr().is_terminal();
    for diagnostic in diagnostics {
        eprintln!("{}", diagnostic.render_with_snippet(root, color));
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
    print_diagnostics(&report.diagnostics, &args.root);
    println!("{}", report.summary());
    if report.errors() > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
