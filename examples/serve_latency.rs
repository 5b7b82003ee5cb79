//! Save-to-browser latency of `tolk serve`, and of `hugo server` on the same
//! site as a baseline (see `benches/serve_latency.sh` and `benches/README.md`).
//!
//! ```text
//! cargo run --release --example serve_latency -- --site DIR --tolk target/release/tolk [--runs 10] [--hugo]
//! ```
//!
//! `DIR` is a folder written by `gen_corpus` (`DIR/tolk/` with the
//! repository's `themes/` copied in, and `DIR/hugo/`). For each server the
//! program starts it on a free port, waits for its first build, then R
//! times appends a unique marker to one page's body (one `write` of the whole
//! file, as an editor saves it) and measures from just before the write:
//!
//! - `event`: until tolk's live-reload event arrives on the event stream
//!   (`/__tolk/events`), which is when a browser starts reloading;
//! - `browser`: until the GET sent as soon as that event arrived (as the
//!   browser does) has returned; the page must hold the marker;
//! - `poll`: until a GET of the page's URL, repeated every `--poll-ms`
//!   milliseconds (2 by default) from the write on, returns HTML holding the
//!   marker. Hugo is measured this way only: it is the one method that
//!   works the same for both servers.
//!
//! With `--edit title` the marker goes into the page's front matter title
//! instead: every page's navigation shows titles, so tolk renders the
//! whole site again (its worst case for one edit).
//!
//! Each server gets raw HTTP/1.1 over `std::net`, one connection per
//! request. Between runs the program waits `--pause-ms` (1500 by default) so
//! that every rebuild, including work done after the reload, is over. Every
//! wait has a deadline; a run that misses it fails the benchmark.
//!
//! The last lines are machine-readable:
//! `RESULT <tool> <measure> <runs> <min_ms> <median_ms> <max_ms>`.

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use clap::Parser;

#[derive(Parser, Debug)]
#[command(about = "Measures save-to-browser latency of tolk serve (and hugo server)")]
struct Args {
    /// Folder written by gen_corpus, with `tolk/` (themes copied in) and `hugo/`.
    #[arg(long)]
    site: PathBuf,
    /// The tolk binary to measure.
    #[arg(long)]
    tolk: PathBuf,
    /// Edits measured per server.
    #[arg(long, default_value_t = 10)]
    runs: usize,
    /// Also measure `hugo server` on `SITE/hugo` (the baseline).
    #[arg(long)]
    hugo: bool,
    /// The hugo binary.
    #[arg(long, default_value = "hugo")]
    hugo_bin: PathBuf,
    /// Milliseconds between the end of one polling GET and the next.
    #[arg(long, default_value_t = 2)]
    poll_ms: u64,
    /// Milliseconds of quiet between two edits.
    #[arg(long, default_value_t = 1500)]
    pause_ms: u64,
    /// The page to edit, relative to the content folder (default: the first
    /// French page that both sites have).
    #[arg(long)]
    page: Option<PathBuf>,
    /// What each edit changes: `text` appends the marker to the body;
    /// `title` puts it in the front matter title, which every page's
    /// navigation shows (tolk then renders the whole site again).
    #[arg(long, value_enum, default_value_t = Edit::Text)]
    edit: Edit,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Edit {
    Text,
    Title,
}

impl Edit {
    /// The page's text with `marker` in it.
    fn apply(self, original: &str, marker: &str) -> String {
        match self {
            Edit::Text => format!("{}\n\n{marker}\n", original.trim_end()),
            Edit::Title => {
                let mut done = false;
                let lines: Vec<String> = original
                    .lines()
                    .map(|line| {
                        if !done && line.starts_with("title:") {
                            done = true;
                            format!("title: {marker}")
                        } else {
                            line.to_string()
                        }
                    })
                    .collect();
                lines.join("\n") + "\n"
            }
        }
    }
}

/// The longest a server may take to start, and a page to show an edit.
const START_DEADLINE: Duration = Duration::from_secs(600);
const EDIT_DEADLINE: Duration = Duration::from_secs(60);

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("serve_latency: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<(), String> {
    let tolk_site = args.site.join("tolk");
    let hugo_site = args.site.join("hugo");
    let page = match &args.page {
        Some(page) => page.clone(),
        None => first_page(&tolk_site.join("content").join("fr"))?
            .strip_prefix(tolk_site.join("content"))
            .map_err(|e| e.to_string())?
            .to_path_buf(),
    };
    // content/fr/section/slug.md is served at /fr/section/slug/ by both.
    let url = format!("/{}/", page.with_extension("").to_string_lossy());
    println!("page: {} at {url}", page.display());
    println!(
        "runs: {}; {:?} edits; polling every {} ms; {} ms between edits",
        args.runs, args.edit, args.poll_ms, args.pause_ms
    );

    let mut results = Vec::new();
    {
        let started = Instant::now();
        let server = Server::tolk(&args.tolk, &tolk_site)?;
        println!(
            "tolk: serving at {} after {:.1} s (first build)",
            server.addr,
            started.elapsed().as_secs_f64()
        );
        let file = tolk_site.join("content").join(&page);
        let runs = measure(args, &server, &file, &url, true)?;
        results.extend(summarize("tolk", &runs));
        server.stop();
    }
    if args.hugo {
        let started = Instant::now();
        let server = Server::hugo(&args.hugo_bin, &hugo_site)?;
        println!(
            "hugo: serving at {} after {:.1} s (first build)",
            server.addr,
            started.elapsed().as_secs_f64()
        );
        let file = hugo_site.join("content").join(&page);
        let runs = measure(args, &server, &file, &url, false)?;
        results.extend(summarize("hugo", &runs));
        server.stop();
    }
    for line in &results {
        println!("{line}");
    }
    Ok(())
}

/// The first Markdown file under `dir`, in name order, folders first.
fn first_page(dir: &Path) -> Result<PathBuf, String> {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(|e| format!("cannot list {}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for entry in &entries {
        if entry.is_dir()
            && let Ok(found) = first_page(entry)
        {
            return Ok(found);
        }
    }
    entries
        .into_iter()
        .find(|e| e.extension().is_some_and(|x| x == "md"))
        .ok_or_else(|| format!("no page under {}", dir.display()))
}

// ---------------------------------------------------------------- servers

struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Server {
    fn tolk(tolk: &Path, site: &Path) -> Result<Server, String> {
        let mut command = Command::new(tolk);
        command
            .arg("serve")
            .arg("--root")
            .arg(site)
            .args(["--port", "0", "--quiet"]);
        // "Serving at http://127.0.0.1:PORT/ (Ctrl-C to stop)", printed
        // once the first build is done and files are being watched.
        Server::start(command, "Serving at http://", |line| {
            let rest = line.split_once("http://")?.1;
            rest.split('/').next()?.parse().ok()
        })
    }

    fn hugo(hugo: &Path, site: &Path) -> Result<Server, String> {
        let port = free_port()?;
        let mut command = Command::new(hugo);
        command.arg("server").arg("--source").arg(site).args([
            "--bind",
            "127.0.0.1",
            "--port",
            &port.to_string(),
        ]);
        // "Web Server is available at http://localhost:PORT/ (bind address
        // 127.0.0.1)", printed after the first build, with the watcher on.
        Server::start(command, "Web Server is available at", move |_| {
            Some(SocketAddr::from(([127, 0, 0, 1], port)))
        })
    }

    fn start(
        mut command: Command,
        ready: &str,
        addr_of: impl Fn(&str) -> Option<SocketAddr>,
    ) -> Result<Server, String> {
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("cannot start {command:?}: {e}"))?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let (lines, inbox) = mpsc::channel();
        // Keeps reading, so the server never blocks on a full pipe.
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                // Once nobody listens, lines are dropped.
                let _ = lines.send(line);
            }
        });
        let deadline = Instant::now() + START_DEADLINE;
        let mut server = Server {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        };
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match inbox.recv_timeout(left) {
                Ok(line) if line.contains(ready) => {
                    server.addr = addr_of(&line).ok_or(format!("no address in {line:?}"))?;
                    return Ok(server);
                }
                Ok(_) => {}
                Err(_) => {
                    let status = server.child.try_wait().ok().flatten();
                    server.stop();
                    return Err(format!(
                        "{command:?} did not start in time (exit status: {status:?})"
                    ));
                }
            }
        }
    }

    /// Ctrl-C (so tolk removes its private output folder), then a kill if
    /// the server is still there after a while. Deleting the output of a
    /// large site can take a minute on a slow disk: a kill in the middle
    /// would leave the rest behind.
    fn stop(mut self) {
        let _ = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(300);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(listener.local_addr().map_err(|e| e.to_string())?.port())
}

// ---------------------------------------------------------------- HTTP

/// One GET on a new connection: the status and the body.
fn get(addr: SocketAddr, path: &str) -> Result<(u16, Vec<u8>), String> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5))
        .map_err(|e| format!("connect {addr}: {e}"))?;
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .map_err(|e| e.to_string())?;
    let _ = stream.set_nodelay(true);
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .map_err(|e| format!("GET {path}: {e}"))?;
    let mut raw = Vec::new();
    stream
        .read_to_end(&mut raw)
        .map_err(|e| format!("GET {path}: {e}"))?;
    let split = find(&raw, b"\r\n\r\n").ok_or(format!("GET {path}: incomplete response"))?;
    let head = String::from_utf8_lossy(&raw[..split]).to_ascii_lowercase();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or(format!("GET {path}: no status"))?;
    let mut body = raw[split + 4..].to_vec();
    if head.contains("transfer-encoding: chunked") {
        body = dechunk(&body);
    }
    Ok((status, body))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn dechunk(mut bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(end) = find(bytes, b"\r\n") {
        let size = std::str::from_utf8(&bytes[..end])
            .ok()
            .and_then(|s| usize::from_str_radix(s.trim(), 16).ok())
            .unwrap_or(0);
        let start = end + 2;
        if size == 0 || bytes.len() < start + size {
            break;
        }
        out.extend_from_slice(&bytes[start..start + size]);
        bytes = &bytes[(start + size + 2).min(bytes.len())..];
    }
    out
}

/// Reads tolk's event stream on a thread of its own. For every `reload`
/// event it sends when it came, then GETs `url` at once, as the browser
/// does, and sends when that answer was complete and whether it held the
/// marker that is current at that moment.
struct Events {
    reloads: mpsc::Receiver<Reload>,
    marker: std::sync::Arc<std::sync::Mutex<String>>,
}

struct Reload {
    event: Instant,
    page: Instant,
    had_marker: bool,
}

impl Events {
    fn connect(addr: SocketAddr, url: &str) -> Result<Events, String> {
        let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5))
            .map_err(|e| format!("connect {addr}: {e}"))?;
        let _ = stream.set_nodelay(true);
        write!(
            stream,
            "GET /__tolk/events HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n"
        )
        .map_err(|e| format!("events: {e}"))?;
        let (sender, reloads) = mpsc::channel();
        let marker = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let current = marker.clone();
        let url = url.to_string();
        thread::spawn(move || {
            let mut seen = Vec::new();
            let mut buffer = [0u8; 8192];
            let needle = b"event: reload";
            loop {
                let n = match stream.read(&mut buffer) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => n,
                };
                let event = Instant::now();
                seen.extend_from_slice(&buffer[..n]);
                // Each event arrives whole, in one chunk of the stream.
                while let Some(at) = find(&seen, needle) {
                    seen.drain(..at + needle.len());
                    let wanted = current.lock().map(|m| m.clone()).unwrap_or_default();
                    let answer = get(addr, &url);
                    let page = Instant::now();
                    let had_marker = matches!(&answer, Ok((200, body)) if !wanted.is_empty() && find(body, wanted.as_bytes()).is_some());
                    let reload = Reload {
                        event,
                        page,
                        had_marker,
                    };
                    if sender.send(reload).is_err() {
                        return;
                    }
                }
                // Keep a tail in case a name straddles two reads.
                let keep = seen.len().saturating_sub(needle.len());
                seen.drain(..keep);
            }
        });
        Ok(Events { reloads, marker })
    }
}

// ---------------------------------------------------------------- runs

#[derive(Default)]
struct Run {
    /// Milliseconds from the write, when measured.
    event: Option<f64>,
    browser: Option<f64>,
    poll: f64,
}

fn measure(
    args: &Args,
    server: &Server,
    file: &Path,
    url: &str,
    events: bool,
) -> Result<Vec<Run>, String> {
    let original = fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let (status, _) = get(server.addr, url)?;
    if status != 200 {
        return Err(format!("GET {url} answered {status} before any edit"));
    }
    let stream = if events {
        Some(Events::connect(server.addr, url)?)
    } else {
        None
    };
    thread::sleep(Duration::from_millis(args.pause_ms));
    let mut runs = Vec::new();
    let mut extra_reloads = 0;
    for run in 1..=args.runs {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let marker = format!("latencymarker{run}x{nanos}");
        if let Some(stream) = &stream {
            while stream.reloads.try_recv().is_ok() {}
            if let Ok(mut current) = stream.marker.lock() {
                *current = marker.clone();
            }
        }
        let text = args.edit.apply(&original, &marker);
        if !text.contains(&marker) {
            return Err(format!("{}: no title to edit", file.display()));
        }
        let start = Instant::now();
        fs::write(file, &text).map_err(|e| format!("{}: {e}", file.display()))?;
        let deadline = start + EDIT_DEADLINE;
        let poll = loop {
            let (status, body) = get(server.addr, url)?;
            if status == 200 && find(&body, marker.as_bytes()).is_some() {
                break ms(start.elapsed());
            }
            if Instant::now() > deadline {
                restore(file, &original);
                return Err(format!("run {run}: {url} did not show the edit in time"));
            }
            thread::sleep(Duration::from_millis(args.poll_ms));
        };
        let mut result = Run {
            poll,
            ..Run::default()
        };
        if let Some(stream) = &stream {
            // The first reload whose page holds the marker.
            loop {
                let left = deadline.saturating_duration_since(Instant::now());
                let reload = stream.reloads.recv_timeout(left).map_err(|_| {
                    restore(file, &original);
                    format!("run {run}: no reload event showing the edit")
                })?;
                if reload.had_marker {
                    result.event = Some(ms(reload.event - start));
                    result.browser = Some(ms(reload.page - start));
                    break;
                }
                extra_reloads += 1;
            }
        }
        thread::sleep(Duration::from_millis(args.pause_ms));
        if let Some(stream) = &stream {
            extra_reloads += stream.reloads.try_iter().count();
        }
        println!(
            "  run {run}: poll {poll:.1} ms{}",
            match (result.event, result.browser) {
                (Some(e), Some(b)) => format!(", event {e:.1} ms, browser {b:.1} ms"),
                _ => String::new(),
            }
        );
        let _ = std::io::stdout().flush();
        runs.push(result);
    }
    restore(file, &original);
    if events {
        println!("  reload events that did not show the edit, or came after it: {extra_reloads}");
    }
    Ok(runs)
}

fn restore(file: &Path, original: &str) {
    let _ = fs::write(file, original);
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

fn summarize(tool: &str, runs: &[Run]) -> Vec<String> {
    let mut lines = Vec::new();
    let series: [(&str, Vec<f64>); 3] = [
        ("event", runs.iter().filter_map(|r| r.event).collect()),
        ("browser", runs.iter().filter_map(|r| r.browser).collect()),
        ("poll", runs.iter().map(|r| r.poll).collect()),
    ];
    for (measure, mut values) in series {
        if values.is_empty() {
            continue;
        }
        values.sort_by(f64::total_cmp);
        let n = values.len();
        let median = if n % 2 == 1 {
            values[n / 2]
        } else {
            (values[n / 2 - 1] + values[n / 2]) / 2.0
        };
        lines.push(format!(
            "RESULT {tool} {measure} {n} {:.1} {median:.1} {:.1}",
            values[0],
            values[n - 1]
        ));
    }
    lines
}
