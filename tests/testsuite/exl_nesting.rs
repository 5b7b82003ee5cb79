//! No nesting may crash a build (issues 13 and 14): pages nested up to
//! 100,000 levels deep in every construct that nests (block quotes, lists,
//! alerts, UI labels, includes, TOC entries, HTML), built by the `tolk`
//! binary in a child process, so a stack overflow is a failed test and not
//! a crash of the test runner.
//!
//! Constructs written one level per line (alerts, includes) grow with the
//! square of the depth, so they stop at a few thousand levels.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const DEPTHS: &[usize] = &[1, 100, 10_000, 100_000];

/// Per build; generous for a debug binary on a loaded machine.
const LIMIT: Duration = Duration::from_secs(240);

/// One site in English whose page `deep.md` nests `depth` levels of one
/// construct.
fn write_site(root: &Path, construct: &str, depth: usize) {
    let content = root.join("content/en/help/guide");
    std::fs::create_dir_all(&content).unwrap();
    std::fs::write(
        root.join("tolk.toml"),
        "title = 't'\nbase_url = 'https://x.org/'\nsource_language = 'en'\n[[languages]]\ntag = 'en'\n",
    )
    .unwrap();
    crate::common::copy_dir(
        &crate::common::example_site().join("themes"),
        &root.join("themes"),
    );
    let body = match construct {
        "block quotes" => format!("{} deep\n", ">".repeat(depth)),
        "lists" => format!("{}deep\n", "- ".repeat(depth)),
        "alerts" => (1..=depth.min(2_000))
            .map(|level| format!("{}[!NOTE]\n", ">".repeat(level)))
            .collect::<String>(),
        "labels" => format!(
            "{}Save{}\n\n{}open\n",
            "[!UICONTROL ".repeat(depth),
            "]".repeat(depth),
            "[!UICONTROL **".repeat(depth)
        ),
        "includes" => {
            let chain = depth.min(2_000);
            let includes = content.join("_includes");
            std::fs::create_dir_all(&includes).unwrap();
            for level in 0..chain {
                let text = format!(
                    "Level {level}.\n\n{{{{$include /help/guide/_includes/i{}.md}}}}\n",
                    level + 1
                );
                std::fs::write(includes.join(format!("i{level}.md")), text).unwrap();
            }
            "{{$include /help/guide/_includes/i0.md}}\n".to_string()
        }
        "toc entries" => {
            // At the section folder, where the sidebar reads it today, and
            // at the guide folder.
            let toc = |link: &str| format!("# Guide\n\n{}[Deep]({link})\n", "+ ".repeat(depth));
            std::fs::write(content.join("../TOC.md"), toc("guide/deep.md")).unwrap();
            std::fs::write(content.join("TOC.md"), toc("deep.md")).unwrap();
            "In the TOC.\n".to_string()
        }
        "html" => format!(
            "{}deep{}\n\n<span>{}\n",
            "<div>".repeat(depth),
            "</div>".repeat(depth),
            "<b><i>".repeat(depth)
        ),
        other => panic!("unknown construct {other}"),
    };
    std::fs::write(
        content.join("deep.md"),
        format!("---\ntitle: Deep\n---\n{body}"),
    )
    .unwrap();
}

/// Builds `root` with the binary; `Err` unless it exits normally in time.
fn build_in_child(root: &Path) -> Result<(), String> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tolk"))
        .arg("build")
        .current_dir(root)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            let mut stderr = String::new();
            if let Some(mut pipe) = child.stderr.take() {
                use std::io::Read;
                let _ = pipe.read_to_string(&mut stderr);
            }
            let tail = &stderr[stderr.floor_char_boundary(stderr.len().saturating_sub(600))..];
            return match status.code() {
                Some(0) => Ok(()),
                code => Err(format!("exit {code:?} ({status}): {tail}")),
            };
        }
        if started.elapsed() > LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("still running after {LIMIT:?}"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn exl_nesting_of_every_construct_at_any_depth_builds() {
    let mut failures = Vec::new();
    for construct in [
        "block quotes",
        "lists",
        "alerts",
        "labels",
        "includes",
        "toc entries",
        "html",
    ] {
        for &depth in DEPTHS {
            let dir = tempfile::tempdir().unwrap();
            write_site(dir.path(), construct, depth);
            let started = Instant::now();
            match build_in_child(dir.path()) {
                Ok(()) => {
                    let page = dir.path().join("public/en/help/guide/deep/index.html");
                    if !page.exists() {
                        failures.push(format!("{construct} at {depth}: no page written"));
                    }
                }
                Err(why) => failures.push(format!("{construct} at {depth}: {why}")),
            }
            eprintln!("{construct} at {depth}: {:?}", started.elapsed());
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
