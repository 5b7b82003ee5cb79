//! `tolk serve`: a development server with live reload.
//!
//! Three parts, each on a thread of its own:
//!
//! - the build engine ([`Engine`]) runs on the watcher thread (`watch`),
//!   which waits for changed files, debounces them and asks the engine to
//!   rebuild;
//! - the HTTP server (`http`) serves the engine's output folder, injects a
//!   small script into every HTML response and streams build events to it
//!   (Server-Sent Events);
//! - the caller, which gets a [`ServerHandle`] from [`start`], or waits for
//!   Ctrl-C in [`run`].
//!
//! The two threads share one value, the live state: the token of the last
//! good build and the errors of the last build, if it failed. The server
//! always serves whatever is in the output folder, so a build that fails
//! leaves the last good site in place (the engine must not publish a broken
//! build), and the browser shows the errors above it.

mod client;
mod engine;
mod http;
pub mod rebuild;
mod watch;

use std::net::{SocketAddr, TcpListener};
use std::panic::{self, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub use engine::IncrementalEngine;

/// What one build did, as the server reports it.
#[derive(Clone, Debug, Default)]
pub struct RebuildReport {
    /// Pages written to the output folder (0 when the build failed).
    pub pages_written: usize,
    /// Errors, each already formatted for the terminal (colours allowed: the
    /// browser gets them without escape sequences). Any error means that the
    /// output folder still holds the previous good build.
    pub errors: Vec<String>,
    pub warnings: usize,
    pub elapsed: Duration,
    /// The changed files the engine took into account, as they should be
    /// shown (relative to the site root). When empty, the server shows the
    /// paths it passed to [`Engine::rebuild`].
    pub changed: Vec<PathBuf>,
    /// The engine called `ready` (see [`Engine::rebuild_early`]), and wrote
    /// no HTML after that but the pages of `changed_after_ready`: browsers
    /// already reloaded into this build, so the server tells again only
    /// those showing one of these pages.
    pub reloaded: bool,
    /// The site-relative URLs (`/fr/`, `/translation-status/`) of the pages
    /// that changed after `ready` was called.
    pub changed_after_ready: Vec<String>,
}

impl RebuildReport {
    /// A report for an engine that panicked or could not start.
    pub fn failed(message: impl Into<String>) -> Self {
        RebuildReport {
            errors: vec![message.into()],
            ..Default::default()
        }
    }
}

/// What the server needs from a build engine.
pub trait Engine: Send + 'static {
    /// A full build into [`Engine::output_dir`]; called once at start.
    fn full_build(&mut self) -> RebuildReport;
    /// Rebuilds what the changed paths touch: files under the watched folders,
    /// which may have been deleted or renamed since.
    fn rebuild(&mut self, changed: &[PathBuf]) -> RebuildReport;
    /// Like [`Engine::rebuild`], but the engine may call `ready` once, as
    /// soon as the pages the change touches are complete in the output
    /// folder, before it finishes the rest (lists, feeds, the sitemap): the
    /// server then tells browsers to reload at once. It is called from any
    /// thread, never after an error was found. An engine that wrote HTML
    /// after calling it lists those pages in
    /// [`RebuildReport::changed_after_ready`], or leaves
    /// [`RebuildReport::reloaded`] false and every browser reloads again
    /// when the rebuild ends.
    fn rebuild_early(&mut self, changed: &[PathBuf], ready: &(dyn Fn() + Sync)) -> RebuildReport {
        let _ = ready;
        self.rebuild(changed)
    }
    /// The folder the server serves.
    fn output_dir(&self) -> PathBuf;
    /// Folders and files to watch; asked again after every build, so a change
    /// of configuration (another theme, another content folder) is followed.
    /// Paths that do not exist yet are watched for through their parent.
    fn watched(&self) -> Vec<PathBuf>;
    /// The path every link of the site starts with (`/`, or `/docs/` for a
    /// `base_url` of `https://example.org/docs/`): the site is served there.
    fn base_path(&self) -> String {
        "/".to_string()
    }
}

#[derive(Clone, Copy, Debug)]
pub struct ServeOptions {
    /// Port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// Print errors and the address only, not every successful rebuild.
    pub quiet: bool,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            port: 1111,
            quiet: false,
        }
    }
}

/// The state the watcher publishes and the HTTP side reads.
#[derive(Clone, Debug)]
pub(crate) struct Live {
    /// Names the last good build: `<server instance>-<generation>`. A page
    /// carries the token it was served with; when the token moves on, the
    /// page is out of date.
    token: String,
    /// The last build's errors (plain text) when it failed.
    error: Option<String>,
    /// When the token moved on from the one named here with only these
    /// pages (site-relative URLs) changed: browsers already told of that
    /// token reload only when they show one of them.
    partial: Option<(String, Vec<String>)>,
    output: PathBuf,
    base_path: String,
    /// Set when the server stops: event streams end.
    closing: bool,
}

pub(crate) type Shared = Arc<tokio::sync::watch::Sender<Live>>;

/// A running server: its address, and [`ServerHandle::stop`] to end it.
pub struct ServerHandle {
    addr: SocketAddr,
    base_path: String,
    live: Shared,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<JoinHandle<()>>,
    watcher: Option<watch::WatcherThread>,
}

impl ServerHandle {
    /// The address the server listens on (127.0.0.1 and the bound port).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT/` followed by the site's base path.
    pub fn url(&self) -> String {
        format!("http://{}{}", self.addr, self.base_path)
    }

    /// True while the last build failed (the previous good site is served).
    pub fn has_errors(&self) -> bool {
        self.live.borrow().error.is_some()
    }

    /// Stops watching and serving, and waits for both threads to end (a
    /// rebuild under way is finished first). Open event streams are closed.
    pub fn stop(mut self) {
        self.shut_down();
    }

    /// Blocks until the server ends (after Ctrl-C in [`run`]), then stops
    /// the watcher.
    fn wait(mut self) {
        if let Some(server) = self.server.take() {
            let _ = server.join();
        }
        self.shut_down();
    }

    fn shut_down(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = server.join();
        }
        if let Some(watcher) = self.watcher.take() {
            watcher.stop();
        }
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        self.shut_down();
    }
}

/// Builds the site, serves it and rebuilds on every change until Ctrl-C.
/// Prints the address. Fails when the port is taken or watching cannot start.
pub fn run<E: Engine>(engine: E, options: ServeOptions) -> Result<(), String> {
    let handle = launch(engine, options, true)?;
    println!("Serving at {} (Ctrl-C to stop)", handle.url());
    handle.wait();
    if !options.quiet {
        println!("Stopped.");
    }
    Ok(())
}

/// Starts the server in the background: binds the port, runs the full build,
/// starts watching, and returns once requests are being answered.
pub fn start<E: Engine>(engine: E, options: ServeOptions) -> Result<ServerHandle, String> {
    launch(engine, options, false)
}

fn launch<E: Engine>(
    mut engine: E,
    options: ServeOptions,
    until_ctrl_c: bool,
) -> Result<ServerHandle, String> {
    // Bind first: a taken port is reported at once, before any building.
    let listener = TcpListener::bind(("127.0.0.1", options.port)).map_err(|err| {
        if err.kind() == std::io::ErrorKind::AddrInUse {
            format!(
                "port {} is already in use on 127.0.0.1: stop the other server, \
                 or pass --port N (--port 0 picks a free port)",
                options.port
            )
        } else {
            format!("cannot listen on 127.0.0.1:{}: {err}", options.port)
        }
    })?;
    listener
        .set_nonblocking(true)
        .map_err(|err| format!("cannot listen: {err}"))?;
    let addr = listener
        .local_addr()
        .map_err(|err| format!("cannot listen: {err}"))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|err| format!("cannot start the server: {err}"))?;

    let (report, panicked) = guarded("the full build", || engine.full_build());
    let mut tokens = Tokens::new();
    let error = watch::print_build(&report, None, options.quiet);
    let live = Live {
        token: if error.is_none() {
            tokens.next()
        } else {
            tokens.current()
        },
        error,
        partial: None,
        output: engine.output_dir(),
        base_path: normalize_base_path(&engine.base_path()),
        closing: false,
    };
    let base_path = live.base_path.clone();
    let live: Shared = Arc::new(tokio::sync::watch::Sender::new(live));

    let watcher =
        watch::WatcherThread::spawn(engine, live.clone(), tokens, options.quiet, panicked)?;
    let (shutdown, shutdown_rx) = tokio::sync::oneshot::channel();
    let server_live = live.clone();
    let server = std::thread::Builder::new()
        .name("tolk-serve-http".to_string())
        .spawn(move || {
            runtime.block_on(http::serve(
                listener,
                server_live,
                shutdown_rx,
                until_ctrl_c,
            ))
        })
        .map_err(|err| format!("cannot start the server thread: {err}"))?;
    Ok(ServerHandle {
        addr,
        base_path,
        live,
        shutdown: Some(shutdown),
        server: Some(server),
        watcher: Some(watcher),
    })
}

/// `/`, or the base path with one slash at each end.
fn normalize_base_path(raw: &str) -> String {
    let inner = raw.trim_matches('/');
    if inner.is_empty() {
        "/".to_string()
    } else {
        format!("/{inner}/")
    }
}

/// Build tokens: unique to this server run, so a page served by an earlier
/// run reloads when the server comes back.
pub(crate) struct Tokens {
    instance: String,
    generation: u64,
}

impl Tokens {
    fn new() -> Self {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        Tokens {
            instance: format!("{:x}{:x}", std::process::id(), nanos & 0xffff_ffff_ffff),
            generation: 0,
        }
    }

    fn current(&self) -> String {
        format!("{}-{}", self.instance, self.generation)
    }

    fn next(&mut self) -> String {
        self.generation += 1;
        self.current()
    }

    /// The token [`Tokens::next`] will give.
    fn peek_next(&self) -> String {
        format!("{}-{}", self.instance, self.generation + 1)
    }
}

/// Runs one engine call; a panic becomes an error report (and `true`), so a
/// bug in the engine never stops the server.
fn guarded(what: &str, call: impl FnOnce() -> RebuildReport) -> (RebuildReport, bool) {
    match panic::catch_unwind(AssertUnwindSafe(call)) {
        Ok(report) => (report, false),
        Err(payload) => {
            let reason = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown cause".to_string());
            let message = format!("error: {what} panicked: {reason}");
            (RebuildReport::failed(message), true)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_paths_get_one_slash_at_each_end() {
        assert_eq!(normalize_base_path(""), "/");
        assert_eq!(normalize_base_path("/"), "/");
        assert_eq!(normalize_base_path("docs"), "/docs/");
        assert_eq!(normalize_base_path("/docs/v1/"), "/docs/v1/");
    }

    #[test]
    fn tokens_change_with_each_good_build() {
        let mut tokens = Tokens::new();
        let first = tokens.current();
        let peeked = tokens.peek_next();
        let second = tokens.next();
        assert_ne!(first, second);
        assert_eq!(peeked, second);
        assert_eq!(second, tokens.current());
    }

    #[test]
    fn a_panicking_engine_call_becomes_an_error() {
        let (report, panicked) = guarded("the rebuild", || panic!("boom"));
        assert!(panicked);
        assert_eq!(report.errors.len(), 1);
        assert!(report.errors[0].contains("boom"), "{:?}", report.errors);
    }
}
