use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;

use tolk::build::{self, BuildOptions};
use tolk::cli::{
    BuildArgs, Cli, ColorChoice, Command, ImportArgs, ReportArgs, ReportFormat, ServeArgs,
};
use tolk::config::{CONFIG_FILE, SiteConfig};
use tolk::diagnostics::Diagnostic;
use tolk::import::{self, Action, LanguageEvidence};
use tolk::progress::TerminalProgress;
use tolk::read::ReadOptions;
use tolk::report::{self, FailOn};
use tolk::status::{self, Filter};

/// A build shorter than this draws no progress bar.
const PROGRESS_DELAY: std::time::Duration = std::time::Duration::from_millis(500);

/// Rendering allocates many small strings on every thread; mimalloc handles
/// that faster than the system allocator (measured in benches/).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build(args) => run_build(args),
        Command::Report(args) => run_report(args),
        Command::Import(args) => run_import(args),
        Command::Serve(args) => run_serve(args),
    }
}

fn run_serve(args: ServeArgs) -> ExitCode {
    let options = tolk::serve::ServeOptions {
        port: args.port,
        quiet: args.quiet,
    };
    let served = tolk::serve::IncrementalEngine::new(&args.root, ReadOptions::default())
        .and_then(|engine| tolk::serve::run(engine, options));
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run_import(args: ImportArgs) -> ExitCode {
    let config = if args.root.join(CONFIG_FILE).is_file() {
        match SiteConfig::load(&args.root) {
            Ok(config) => config,
            Err(problems) => {
                print_diagnostics(&problems, &args.root);
                return ExitCode::from(2);
            }
        }
    } else {
        SiteConfig::with_languages(&args.root, &tolk::detect::Detector::supported_tags())
    };
    let read = ReadOptions {
        repair_mojibake: !args.no_repair,
    };
    let plan = import::plan(&config, &args.dump, read);
    print_diagnostics(&plan.diagnostics, std::path::Path::new("."));
    let content_dir = args
        .into
        .clone()
        .unwrap_or_else(|| config.content_dir.clone());
    let (actions, problems) = import::write(&plan, &content_dir, args.force, args.dry_run);
    print_diagnostics(&problems, std::path::Path::new("."));
    for (page, action) in plan.pages.iter().zip(&actions) {
        println!("{}", describe_import(page, action, args.dry_run));
    }
    for undecided in &plan.undecided {
        let guess = |g: &Option<(String, f64)>| g.as_ref().map(|(tag, c)| format!("{tag} {c:.2}"));
        let guesses: Vec<String> = [guess(&undecided.best_guess), guess(&undecided.runner_up)]
            .into_iter()
            .flatten()
            .collect();
        println!(
            "{}  undecided ({}): add `lang:` to its front matter or put it in a language folder",
            undecided.source.display(),
            if guesses.is_empty() {
                "no text to judge".to_string()
            } else {
                guesses.join(" or ")
            }
        );
    }
    let written = actions
        .iter()
        .filter(|a| !matches!(a, Action::Skip { .. }))
        .count();
    let skipped = actions.len() - written;
    println!(
        "{} {written} {}, skipped {skipped} existing, {} undecided",
        if args.dry_run {
            "Would import"
        } else {
            "Imported"
        },
        if written == 1 { "file" } else { "files" },
        plan.undecided.len()
    );
    let errors = plan
        .diagnostics
        .iter()
        .chain(&problems)
        .filter(|d| d.is_error())
        .count();
    if errors > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn describe_import(page: &import::ImportedPage, action: &Action, dry_run: bool) -> String {
    let evidence = match &page.evidence {
        LanguageEvidence::FrontMatter => "front matter".to_string(),
        LanguageEvidence::Path => "path".to_string(),
        LanguageEvidence::Detected { confidence } => {
            format!("detected, confidence {confidence:.2}")
        }
        LanguageEvidence::DetectedInGroup {
            confidence,
            ruled_out,
        } => format!(
            "detected, confidence {confidence:.2} with {} ruled out by its translations",
            ruled_out.join(", ")
        ),
    };
    let (verb, to) = match action {
        Action::Write { to, .. } => (if dry_run { "would write" } else { "->" }, to),
        Action::Overwrite { to, .. } => (
            if dry_run {
                "would overwrite"
            } else {
                "overwrote"
            },
            to,
        ),
        Action::Skip { to, .. } => ("exists, skipped (use --force)", to),
    };
    format!(
        "{}  {} ({evidence})  {verb} {}",
        page.source.display(),
        page.page.lang,
        to.display()
    )
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
        content: args.content,
        keep_going: args.keep_going,
        read: ReadOptions {
            repair_mojibake: !args.no_repair,
        },
    };
    let report = if args.quiet || !std::io::stderr().is_terminal() {
        build::build(&options)
    } else {
        let progress = TerminalProgress::new(PROGRESS_DELAY);
        build::build_with_progress(&options, &progress)
    };
    print_diagnostics(&report.diagnostics, &args.root);
    if !args.quiet {
        println!("{}", report.summary());
    }
    if report.errors() > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
