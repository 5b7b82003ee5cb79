//! `tolk xliff export` and `tolk xliff import`: a language's text out to
//! translators as XLIFF, and their translations back into the pages.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};

use crate::config::language;
use crate::console::diagnostics;
use crate::exchange::{self, ExportOptions, Version};
use crate::model::LoadedSite;
use crate::pipeline::{self, BuildOptions};

#[derive(Debug, Args)]
pub struct XliffArgs {
    #[command(subcommand)]
    pub command: XliffCommand,
}

#[derive(Debug, Subcommand)]
pub enum XliffCommand {
    /// Write the text to translate into LANG as XLIFF files.
    Export(ExportArgs),
    /// Write translated XLIFF files back into the pages.
    Import(ImportXliffArgs),
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The site folder, holding tolk.toml.
    #[arg(long, value_name = "SITE", default_value = ".")]
    pub root: PathBuf,
    /// The language to translate into.
    #[arg(long, value_name = "LANG")]
    pub lang: String,
    /// Only new pages and the blocks their source changed since the
    /// translation's revision (the others travel as locked context).
    #[arg(long)]
    pub changed: bool,
    /// Where the files go.
    #[arg(long, value_name = "DIR", default_value = "xliff")]
    pub out: PathBuf,
    /// One file for the whole language instead of one per page.
    #[arg(long)]
    pub single: bool,
    /// XLIFF version: 1.2 (read by every translation tool) or 2.1.
    #[arg(long, value_name = "VERSION", default_value = "1.2")]
    pub xliff: String,
}

#[derive(Debug, Args)]
pub struct ImportXliffArgs {
    /// The site folder, holding tolk.toml.
    #[arg(long, value_name = "SITE", default_value = ".")]
    pub root: PathBuf,
    /// Translated XLIFF files.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

pub(crate) fn run(args: XliffArgs) -> ExitCode {
    match args.command {
        XliffCommand::Export(args) => export(args),
        XliffCommand::Import(args) => import(args),
    }
}

fn load(root: &Path) -> Option<LoadedSite> {
    let options = BuildOptions {
        root: root.to_path_buf(),
        ..Default::default()
    };
    match pipeline::load_site(&options) {
        Ok((site, _)) => Some(site),
        Err(problems) => {
            diagnostics::print_all(&problems, root);
            None
        }
    }
}

fn export(args: ExportArgs) -> ExitCode {
    let Some(version) = Version::parse(&args.xliff) else {
        eprintln!("error: --xliff: `{}` is not 1.2 or 2.1", args.xliff);
        return ExitCode::from(2);
    };
    let lang = match language::normalize_tag(&args.lang) {
        Ok(lang) => lang,
        Err(why) => {
            eprintln!("error: --lang: {why}");
            return ExitCode::from(2);
        }
    };
    let Some(site) = load(&args.root) else {
        return ExitCode::from(2);
    };
    let options = ExportOptions {
        lang,
        changed: args.changed,
        version,
        single: args.single,
    };
    let (files, problems) = match exchange::export(&site, &options) {
        Ok(exported) => exported,
        Err(problem) => {
            diagnostics::print_all(&[problem], &args.root);
            return ExitCode::from(2);
        }
    };
    diagnostics::print_all(&problems, &args.root);
    let mut units = 0;
    for file in &files {
        let path = args.out.join(&file.path);
        let written = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&path, &file.contents));
        if let Err(e) = written {
            eprintln!("error: {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
        units += file.units;
    }
    println!(
        "tolk xliff export: {} files, {units} units, into {}",
        files.len(),
        args.out.display()
    );
    ExitCode::SUCCESS
}

fn import(args: ImportXliffArgs) -> ExitCode {
    let Some(site) = load(&args.root) else {
        return ExitCode::from(2);
    };
    let report = exchange::import(&site, &args.files);
    for written in &report.written {
        let verb = if written.created {
            "created"
        } else {
            "updated"
        };
        println!(
            "{verb} {} ({} units)",
            written.page.display(),
            written.units
        );
    }
    for (file, id) in &report.untranslated {
        println!("untranslated, kept as it was: {} unit {id}", file.display());
    }
    diagnostics::print_all(&report.refused, &args.root);
    diagnostics::print_all(&report.errors, &args.root);
    println!(
        "tolk xliff import: {} pages written, {} units untranslated, {} refused, {} errors",
        report.written.len(),
        report.untranslated.len(),
        report.refused.len(),
        report.errors.len()
    );
    if report.errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
