//! `tolk import`: sorts a dump of translated files into the content folder.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;

use crate::console::diagnostics;
use crate::import::detect::Detector;
use crate::import::{self, Action, LanguageEvidence};
use crate::model::{CONFIG_FILE, ReadOptions, SiteConfig};

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

pub(crate) fn run(args: ImportArgs) -> ExitCode {
    let config = if args.root.join(CONFIG_FILE).is_file() {
        match SiteConfig::load(&args.root) {
            Ok(config) => config,
            Err(problems) => {
                diagnostics::print_all(&problems, &args.root);
                return ExitCode::from(2);
            }
        }
    } else {
        SiteConfig::with_languages(&args.root, &Detector::supported_tags())
    };
    let read = ReadOptions {
        repair_mojibake: !args.no_repair,
    };
    let plan = import::plan(&config, &args.dump, read);
    diagnostics::print_all(&plan.diagnostics, Path::new("."));
    let content_dir = args
        .into
        .clone()
        .unwrap_or_else(|| config.content_dir.clone());
    let (actions, problems) = import::write(&plan, &content_dir, args.force, args.dry_run);
    diagnostics::print_all(&problems, Path::new("."));
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
