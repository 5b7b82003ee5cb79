//! Property-based tests: generated and mutated pages through the whole
//! pipeline. Whatever the input, a build must not panic, must finish in time,
//! must write nothing outside its output folder, must keep the previous
//! output when it publishes nothing, and two builds of the same input (in two
//! different folders) must publish byte-identical files and report the same
//! problems. Published HTML must be safe to open.
//!
//! Each property runs 32 cases by default, so CI stays fast. For a longer
//! search set `PROPTEST_CASES`, e.g.
//!
//! ```text
//! PROPTEST_CASES=2000 cargo test --release --test properties
//! PROPTEST_RNG_SEED=12345 cargo test --test properties   (another fixed seed)
//! PROPTEST_CASES=500 cargo test --test properties -- --include-ignored
//! ```
//!
//! A failing case is shrunk and printed (files and their bytes); nothing is
//! written into the repository (failure persistence is off).

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

use crate::common::*;
use crate::harness::*;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

/// Pages here are small: a build taking longer than this is stuck.
const LIMIT: Duration = if cfg!(debug_assertions) {
    Duration::from_secs(60)
} else {
    Duration::from_secs(20)
};

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(32);
    // A fixed seed keeps CI reproducible; PROPTEST_RNG_SEED explores others.
    let rng_seed = match std::env::var("PROPTEST_RNG_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        Some(seed) => proptest::test_runner::RngSeed::Fixed(seed),
        None => proptest::test_runner::RngSeed::Fixed(0x7015_2026),
    };
    ProptestConfig {
        cases,
        rng_seed,
        failure_persistence: None,
        // Builds are slow next to most properties: keep shrinking bounded.
        max_shrink_iters: 256,
        ..ProptestConfig::default()
    }
}

/// A site to build: its `tolk.toml` and its content files.
#[derive(Clone)]
struct Input {
    config: String,
    /// Path relative to the site root -> bytes.
    files: BTreeMap<String, Vec<u8>>,
}

impl std::fmt::Debug for Input {
    /// The configuration and every file that is not an unchanged sample page.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "tolk.toml:\n{}", self.config)?;
        for (path, bytes) in &self.files {
            if samples().iter().any(|(p, b)| p == path && b == bytes) {
                writeln!(f, "--- {path}: the sample page, unchanged")?;
            } else {
                writeln!(
                    f,
                    "--- {path} ({} bytes)\n{:?}",
                    bytes.len(),
                    String::from_utf8_lossy(bytes)
                )?;
            }
        }
        Ok(())
    }
}

impl Input {
    fn site(&self) -> Site {
        let site = Site::new(&self.config);
        for (path, bytes) in &self.files {
            site.write(path, bytes);
        }
        site
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Safety {
    /// Also require published HTML to be safe.
    Checked,
    /// Everything else only: raw HTML is not sanitized yet.
    NotChecked,
}

/// Builds the input twice, in two different folders (same files, same file
/// times), and checks every property.
fn check(input: &Input, safety: Safety) -> Result<(), TestCaseError> {
    let first_site = input.site();
    let first = guarded_build(&first_site, false, LIMIT).map_err(TestCaseError::fail)?;
    let second_site = input.site();
    let second = guarded_build(&second_site, false, LIMIT).map_err(TestCaseError::fail)?;

    let messages = |built: &Built| {
        built
            .report
            .diagnostics
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
    };
    prop_assert_eq!(
        messages(&first),
        messages(&second),
        "two builds of one input report differently"
    );
    prop_assert_eq!(
        first.report.published_to.is_some(),
        second.report.published_to.is_some()
    );
    if first.report.published_to.is_none() {
        prop_assert!(
            first.report.errors() > 0,
            "nothing published without an error:\n{}",
            listing(&first.report)
        );
        return Ok(());
    }
    let (one, two) = (snapshot(&first_site.out()), snapshot(&second_site.out()));
    prop_assert_eq!(
        one.keys().collect::<Vec<_>>(),
        two.keys().collect::<Vec<_>>(),
        "two builds of one input publish different files"
    );
    for (path, bytes) in &one {
        prop_assert!(
            &two[path] == bytes,
            "two builds of one input differ in {}",
            path.display()
        );
    }
    if safety == Safety::Checked {
        let problems = unsafe_output(&first_site.out());
        prop_assert!(
            problems.is_empty(),
            "unsafe HTML published:\n{}",
            problems.join("\n")
        );
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Material

/// The example site's pages: `content/...` -> bytes.
fn samples() -> &'static Vec<(String, Vec<u8>)> {
    static SAMPLES: OnceLock<Vec<(String, Vec<u8>)>> = OnceLock::new();
    SAMPLES.get_or_init(|| {
        let root = example_site();
        let mut files: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(root.join("content"))
            .sort_by_file_name()
            .into_iter()
            .map(Result::unwrap)
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                let relative = e.path().strip_prefix(&root).unwrap();
                let relative = relative
                    .iter()
                    .map(|p| p.to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/");
                (relative, fs::read(e.path()).unwrap())
            })
            .collect();
        files.sort();
        assert!(!files.is_empty(), "no sample pages in content/");
        files
    })
}

fn example_config() -> String {
    fs::read_to_string(example_site().join("tolk.toml")).unwrap()
}

/// Pieces to insert: hostile markup of every kind, Markdown constructs tolk
/// treats specially, and text-level oddities.
const SNIPPETS: &[&str] = &[
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<a href=\"javascript:alert(1)\">lien</a>",
    "<a href=\"java&#x09;script:alert(1)\">tab</a>",
    "[lien](javascript:alert(1))",
    "[lien]( JAVASCRIPT:alert(1) \"titre\")",
    "![image](data:text/html;base64,PHNjcmlwdD4=)",
    "[données](data:text/html,<script>alert(1)</script>)",
    "<javascript:alert(1)>",
    "[ref][r]\n\n[r]: vbscript:msgbox(1)\n",
    "<iframe src=\"//evil.example/\"></iframe>",
    "<object data=x.swf></object><embed src=x.swf>",
    "<form action=//evil.example/><input name=p><button>ok</button></form>",
    "<svg onload=alert(1)><circle r=1 /></svg>",
    "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
    "<style>*{display:none}</style>",
    "<div style=\"position:fixed;inset:0\" onclick=alert(1)>",
    "</div>",
    "<details open ontoggle=alert(1)><summary>s</summary></details>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>",
    "<meta http-equiv=refresh content=\"0;url=//evil.example/\">",
    "<base href=\"//evil.example/\">",
    "<!-- commentaire",
    "-->",
    "# Titre {#id onclick=alert(1) .classe}",
    "## Titre <img src=x onerror=alert(1)>",
    "| a | b |\n|---|:-:|\n| <script>x</script> | [l](javascript:x) |\n",
    "| x |\n|---|\n",
    "Texte[^n]\n\n[^n]: Note <img src=x onerror=alert(1)>\n",
    "- [x] fait\n- [ ] à faire\n",
    "```html\n<script>alert(1)</script>\n```\n",
    "`<script>`",
    "> > > citation\n",
    "- - - liste\n",
    "***gras***",
    "&quot;&amp;amp;&#39;&lt;script&gt;&bogus;",
    "cliÃ«nt Ã©tÃ©",
    "\r",
    "\r\n",
    "\u{0}",
    "\u{FEFF}",
    "\u{202E}",
    "---",
    "---\ntitle: [non fermé\n---\n",
    "exl-id: d66b4a7f-d54b-4902-8791-7a8f67fa4b43\n",
    "lang: nl\n",
    "title: <script>alert(1)</script>\n",
    "[autre](../it/commerce/b2b-and-b2c.md)",
    "[moi](b2b-and-b2c.md#r%C3%A9sum%C3%A9)",
    "[loin](../../../../../../etc/passwd.md)",
];

#[derive(Clone, Debug)]
enum Mutation {
    /// A snippet at a character boundary near the offset.
    Insert {
        at: usize,
        snippet: usize,
    },
    /// A snippet as a line of its own before line `line`.
    InsertLine {
        line: usize,
        snippet: usize,
    },
    Delete {
        at: usize,
        len: usize,
    },
    /// One byte replaced: the text may stop being UTF-8.
    SetByte {
        at: usize,
        byte: u8,
    },
    DuplicateLine {
        line: usize,
    },
    SwapLines {
        a: usize,
        b: usize,
    },
    Truncate {
        at: usize,
    },
    /// The whole text several times over.
    Repeat {
        times: usize,
    },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let snippet = 0..SNIPPETS.len();
    prop_oneof![
        3 => (any::<usize>(), snippet.clone()).prop_map(|(at, snippet)| Mutation::Insert { at, snippet }),
        3 => (any::<usize>(), snippet).prop_map(|(line, snippet)| Mutation::InsertLine { line, snippet }),
        1 => (any::<usize>(), 1..200usize).prop_map(|(at, len)| Mutation::Delete { at, len }),
        1 => (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Mutation::SetByte { at, byte }),
        1 => any::<usize>().prop_map(|line| Mutation::DuplicateLine { line }),
        1 => (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapLines { a, b }),
        1 => any::<usize>().prop_map(|at| Mutation::Truncate { at }),
        1 => (2..5usize).prop_map(|times| Mutation::Repeat { times }),
    ]
}

fn apply(bytes: &mut Vec<u8>, mutation: &Mutation) {
    let len = bytes.len();
    let boundary = |bytes: &[u8], at: usize| {
        // Back to the start of a UTF-8 sequence (never into one).
        let mut at = at.min(bytes.len());
        while at > 0 && at < bytes.len() && (bytes[at] & 0xC0) == 0x80 {
            at -= 1;
        }
        at
    };
    match mutation {
        Mutation::Insert { at, snippet } => {
            let at = boundary(bytes, at % (len + 1));
            bytes.splice(at..at, SNIPPETS[*snippet].bytes());
        }
        Mutation::InsertLine { line, snippet } => {
            let mut lines = split_lines(bytes);
            let at = line % (lines.len() + 1);
            lines.insert(at, SNIPPETS[*snippet].as_bytes().to_vec());
            *bytes = lines.join(&b'\n');
        }
        Mutation::Delete { at, len: count } => {
            if len > 0 {
                let start = at % len;
                let end = (start + count).min(len);
                bytes.drain(start..end);
            }
        }
        Mutation::SetByte { at, byte } => {
            if len > 0 {
                bytes[at % len] = *byte;
            }
        }
        Mutation::DuplicateLine { line } => {
            let mut lines = split_lines(bytes);
            if !lines.is_empty() {
                let at = line % lines.len();
                let copy = lines[at].clone();
                lines.insert(at, copy);
                *bytes = lines.join(&b'\n');
            }
        }
        Mutation::SwapLines { a, b } => {
            let mut lines = split_lines(bytes);
            if !lines.is_empty() {
                let n = lines.len();
                lines.swap(a % n, b % n);
                *bytes = lines.join(&b'\n');
            }
        }
        Mutation::Truncate { at } => {
            let at = at % (len + 1);
            bytes.truncate(at);
        }
        Mutation::Repeat { times } => {
            let copy = bytes.clone();
            for _ in 1..*times {
                bytes.extend_from_slice(&copy);
            }
        }
    }
}

fn split_lines(bytes: &[u8]) -> Vec<Vec<u8>> {
    bytes.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect()
}

/// The example site with one to four of its pages mutated (a page picked
/// twice becomes a second page beside the first).
fn mutated_site() -> impl Strategy<Value = Input> {
    let count = samples().len();
    proptest::collection::vec(
        (0..count, proptest::collection::vec(mutation(), 0..6)),
        1..5,
    )
    .prop_map(|picks| {
        let mut files: BTreeMap<String, Vec<u8>> = samples().iter().cloned().collect();
        for (copy, (index, mutations)) in picks.iter().enumerate() {
            let (path, original) = &samples()[*index];
            let mut bytes = original.clone();
            for mutation in mutations {
                apply(&mut bytes, mutation);
            }
            let path = if files.get(path) == Some(original) {
                path.clone()
            } else {
                let (stem, extension) = path.rsplit_once('.').unwrap();
                format!("{stem}-{copy}.{extension}")
            };
            files.insert(path, bytes);
        }
        Input {
            config: example_config(),
            files,
        }
    })
}

// ---------------------------------------------------------------------------
// Generated sites

/// YAML scalars as translators and tools write them, and as they break them.
fn yaml_value() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Za-zÀ-ÿ0-9 ,.?!’'-]{0,30}",
        "[ -~\t]{0,30}",
        Just("d66b4a7f-d54b-4902-8791-7a8f67fa4b43".to_string()),
        Just("'266'".to_string()),
        Just("0%".to_string()),
        Just("tm+mt".to_string()),
        Just("[un, deux]".to_string()),
        Just("\n  - un\n  - deux".to_string()),
        Just("&a [x, *a]".to_string()),
        Just("<script>alert(1)</script>".to_string()),
        Just("\"\\u0000\"".to_string()),
        (0..SNIPPETS.len()).prop_map(|i| format!("{:?}", SNIPPETS[i])),
    ]
}

fn front_matter() -> impl Strategy<Value = Option<String>> {
    let key = prop_oneof![
        Just("title"),
        Just("description"),
        Just("exl-id"),
        Just("lang"),
        Just("translation-key"),
        Just("source-git-commit"),
        Just("workflow-type"),
        Just("source-wordcount"),
        Just("ht-degree"),
        Just("feature"),
        Just("\tindent"),
    ];
    proptest::option::weighted(0.8, proptest::collection::vec((key, yaml_value()), 0..8)).prop_map(
        |pairs| {
            pairs.map(|pairs| {
                let mut yaml = String::from("---\n");
                for (key, value) in pairs {
                    yaml.push_str(&format!("{key}: {value}\n"));
                }
                yaml.push_str("---\n");
                yaml
            })
        },
    )
}

fn markdown_body() -> impl Strategy<Value = String> {
    let block = prop_oneof![
        3 => "[A-Za-zÀ-ÿ0-9 ,.:;?!’'()-]{0,60}",
        2 => (0..SNIPPETS.len()).prop_map(|i| SNIPPETS[i].to_string()),
        1 => "[ -~]{0,40}",
        1 => ("[#>*|`-]{1,4}", "[a-z ]{0,12}").prop_map(|(mark, text)| format!("{mark} {text}")),
    ];
    proptest::collection::vec(block, 0..12).prop_map(|blocks| blocks.join("\n\n"))
}

const PAGE_PATHS: &[&str] = &[
    "content/fr/a.md",
    "content/nl/a.md",
    "content/fr/guide/b.md",
    "content/nl/guide/b.md",
    "content/fr/index.md",
    "content/guide/c.nl.md",
    "content/d.md",
    "content/fr/e.txt",
    "content/nl/notes.markdown",
];

fn generated_site() -> impl Strategy<Value = Input> {
    proptest::collection::btree_map(0..PAGE_PATHS.len(), (front_matter(), markdown_body()), 1..5)
        .prop_map(|pages| {
            let files = pages
                .into_iter()
                .map(|(path, (front, body))| {
                    (
                        PAGE_PATHS[path].to_string(),
                        format!("{}{body}\n", front.unwrap_or_default()).into_bytes(),
                    )
                })
                .collect();
            Input {
                config: DEFAULT_CONFIG.to_string(),
                files,
            }
        })
}

// ---------------------------------------------------------------------------
// Properties

proptest! {
    #![proptest_config(config())]

    #[test]
    fn mutated_sample_pages_build_reliably(input in mutated_site()) {
        check(&input, Safety::NotChecked)?;
    }

    #[test]
    fn generated_sites_build_reliably(input in generated_site()) {
        check(&input, Safety::NotChecked)?;
    }

    #[test]
    fn mutated_sample_pages_publish_safe_html(input in mutated_site()) {
        check(&input, Safety::Checked)?;
    }

    #[test]
    fn generated_sites_publish_safe_html(input in generated_site()) {
        check(&input, Safety::Checked)?;
    }

    /// The sanitizer on its own, fed what tolk's Markdown renderer makes of
    /// generated pages: safe, stable, and keeping the visible text of pages
    /// without hostile markup.
    #[test]
    fn sanitized_markdown_is_safe_and_stable(body in markdown_body()) {
        let keep = |_: &str| tolk::markdown::LinkTarget::Keep;
        let english = |_: &str| String::new();
        let rendered = tolk::markdown::render(&body, &tolk::markdown::RenderOptions { resolve_link: &keep, labels: &english });
        let sanitizer = tolk::markdown::sanitize::Sanitizer::new();
        let (clean, _) = sanitizer.clean_and_report(&rendered.html);
        let page = format!("<!doctype html><html><head><title>t</title></head><body>{clean}</body></html>");
        let problems = unsafe_html(page.as_bytes());
        prop_assert!(problems.is_empty(), "unsafe after cleaning:\n{}\nfrom:\n{}", problems.join("\n"), rendered.html);
        prop_assert_eq!(sanitizer.clean(&clean), clean.clone(), "cleaning twice changes the HTML");
        prop_assert!(!sanitizer.clean_and_report(&clean).1, "cleaned HTML reported as changed: {}", clean);
    }
}

#[test]
fn mutations_keep_the_sample_pages_recognisable() {
    // The strategies above rely on the sample corpus being there.
    let paths: Vec<PathBuf> = samples().iter().map(|(p, _)| PathBuf::from(p)).collect();
    assert!(
        paths
            .iter()
            .any(|p| p.extension().is_some_and(|e| e == "md"))
    );
    let mut bytes = b"a\nb\nc".to_vec();
    apply(&mut bytes, &Mutation::SwapLines { a: 0, b: 2 });
    assert_eq!(bytes, b"c\nb\na");
    apply(&mut bytes, &Mutation::Insert { at: 1, snippet: 0 });
    assert!(bytes.starts_with(b"c<script>"));
    let mut accented = "é".as_bytes().to_vec();
    apply(&mut accented, &Mutation::Insert { at: 1, snippet: 2 });
    assert!(
        std::str::from_utf8(&accented).is_ok(),
        "insertions stay on character boundaries"
    );
}
