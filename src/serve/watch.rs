//! Watching the site's sources and rebuilding when they change.
//!
//! File events are debounced per path (notify-debouncer-full), then every
//! batch already waiting is merged, so one save, or a checkout touching many
//! files, makes one rebuild. Events that cannot change the site are dropped
//! first: opening and reading files (the build itself reads the sources),
//! editors' swap, backup and lock files, hidden files, and the output folder.
//!
//! The engine runs on this thread only. Its result goes to the terminal and
//! into the live state the HTTP side reads.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use notify_debouncer_full::notify::event::{
    AccessKind, AccessMode, MetadataKind, ModifyKind, RenameMode,
};
use notify_debouncer_full::notify::{EventKind, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{
    DebounceEventResult, DebouncedEvent, Debouncer, RecommendedCache, new_debouncer,
};

use super::{Engine, RebuildReport, Shared, Tokens, guarded};

/// Age at which a file event is passed on (repeats of one kind on one path
/// merge meanwhile). Editors write a file within it (a save is a few
/// system calls); a rebuild that still catches a file half written fails or
/// shows part of it, and the rest of the write, a later event, rebuilds
/// again. It is short because every millisecond of it is added to the time
/// from a save to the browser showing it.
pub(crate) const DEBOUNCE: Duration = Duration::from_millis(10);
/// How often the debouncer passes on what is due.
const TICK: Duration = Duration::from_millis(5);
/// After a first change, more changes are gathered until none comes for
/// this long (two ticks)...
const SETTLE: Duration = Duration::from_millis(10);
/// ...but never for longer than this.
const MAX_SETTLE: Duration = Duration::from_millis(500);

enum Message {
    Changes(DebounceEventResult),
    Stop,
}

/// The thread that owns the engine and the file watcher.
pub(crate) struct WatcherThread {
    messages: mpsc::Sender<Message>,
    thread: JoinHandle<()>,
}

impl WatcherThread {
    pub(crate) fn spawn<E: Engine>(
        engine: E,
        live: Shared,
        tokens: Tokens,
        quiet: bool,
        needs_full_build: bool,
    ) -> Result<WatcherThread, String> {
        let (messages, inbox) = mpsc::channel();
        let events = messages.clone();
        let debouncer = new_debouncer(DEBOUNCE, Some(TICK), move |result: DebounceEventResult| {
            let _ = events.send(Message::Changes(result));
        })
        .map_err(|err| format!("cannot watch the site's files: {err}"))?;
        let mut watches = Watches {
            debouncer,
            wanted: Vec::new(),
            active: BTreeMap::new(),
            failed: BTreeSet::new(),
            output: PathBuf::new(),
        };
        watches.refresh(&engine.watched(), &engine.output_dir(), &BTreeSet::new());
        let rebuilder = Rebuilder {
            engine,
            live,
            tokens,
            quiet,
            watches,
            needs_full_build,
        };
        let thread = std::thread::Builder::new()
            .name("tolk-serve-watch".to_string())
            .spawn(move || rebuilder.run(inbox))
            .map_err(|err| format!("cannot start the watcher thread: {err}"))?;
        Ok(WatcherThread { messages, thread })
    }

    /// Stops watching once the rebuild under way, if any, is done.
    pub(crate) fn stop(self) {
        let _ = self.messages.send(Message::Stop);
        let _ = self.thread.join();
    }
}

struct Rebuilder<E: Engine> {
    engine: E,
    live: Shared,
    tokens: Tokens,
    quiet: bool,
    watches: Watches,
    /// After the engine panicked its state is suspect: build everything.
    needs_full_build: bool,
}

impl<E: Engine> Rebuilder<E> {
    fn run(mut self, inbox: mpsc::Receiver<Message>) {
        while let Ok(first) = inbox.recv() {
            let mut changed = BTreeSet::new();
            let mut written = BTreeSet::new();
            if self.take(first, &mut changed, &mut written) {
                break;
            }
            if changed.is_empty() {
                continue;
            }
            // The events of one save can straddle two ticks of the
            // debouncer, and a checkout takes a while: gather until quiet.
            // A single file whose writer has closed it, the common save, is
            // complete: the rebuild starts at once.
            let saved = changed.len() == 1 && changed.iter().all(|p| written.contains(p));
            if !saved && self.settle(&inbox, &mut changed, &mut written) {
                break;
            }
            self.rebuild(changed);
        }
    }

    /// Takes more changes until none comes for [`SETTLE`], or for at most
    /// [`MAX_SETTLE`]; true when the watcher is to stop.
    fn settle(
        &self,
        inbox: &mpsc::Receiver<Message>,
        changed: &mut BTreeSet<PathBuf>,
        written: &mut BTreeSet<PathBuf>,
    ) -> bool {
        let deadline = Instant::now() + MAX_SETTLE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let stop = match inbox.recv_timeout(SETTLE.min(left)) {
                Ok(more) => self.take(more, changed, written),
                Err(mpsc::RecvTimeoutError::Timeout) => return false,
                Err(mpsc::RecvTimeoutError::Disconnected) => true,
            };
            if stop {
                return true;
            }
            if left.is_zero() {
                return false;
            }
        }
    }

    /// Adds the relevant paths of a message to `changed`, and to `written`
    /// those whose write is complete; true for [`Message::Stop`].
    fn take(
        &self,
        message: Message,
        changed: &mut BTreeSet<PathBuf>,
        written: &mut BTreeSet<PathBuf>,
    ) -> bool {
        match message {
            Message::Stop => return true,
            Message::Changes(Ok(events)) => {
                for event in &events {
                    let paths: Vec<PathBuf> = self.watches.relevant_paths(event).collect();
                    if completes_write(event.event.kind) {
                        written.extend(paths.iter().cloned());
                    }
                    changed.extend(paths);
                }
            }
            Message::Changes(Err(errors)) => {
                for error in errors {
                    eprintln!("warning: watching files: {error}");
                }
            }
        }
        false
    }

    fn rebuild(&mut self, changed: BTreeSet<PathBuf>) {
        let paths: Vec<PathBuf> = changed.iter().cloned().collect();
        let engine = &mut self.engine;
        // When the engine says the edited pages are written, browsers are
        // told to reload at once, under the next build's token.
        let early_token = self.tokens.peek_next();
        let reloaded_early = AtomicBool::new(false);
        let live = &self.live;
        let ready = || {
            if !reloaded_early.swap(true, Ordering::SeqCst) {
                live.send_modify(|live| {
                    live.token = early_token.clone();
                    live.error = None;
                    live.partial = None;
                });
            }
        };
        let (report, panicked) = if self.needs_full_build {
            guarded("the full build", || engine.full_build())
        } else {
            guarded("the rebuild", || engine.rebuild_early(&paths, &ready))
        };
        if reloaded_early.load(Ordering::SeqCst) {
            self.tokens.next();
        }
        let already_told = reloaded_early.load(Ordering::SeqCst) && report.reloaded;
        let told_token = already_told.then(|| self.tokens.current());
        self.needs_full_build = panicked;
        let error = print_build(&report, Some(&paths), self.quiet);
        let output = self.engine.output_dir();
        let base_path = super::normalize_base_path(&self.engine.base_path());
        let tokens = &mut self.tokens;
        self.live.send_if_modified(|live| {
            live.output = output.clone();
            live.base_path = base_path;
            match (error, told_token) {
                (None, Some(_)) if report.changed_after_ready.is_empty() => {
                    live.error = None;
                    false
                }
                (None, Some(told)) => {
                    // Pages that changed after the early reload (lists and
                    // homes showing a new title): only their readers reload.
                    live.token = tokens.next();
                    live.error = None;
                    live.partial = Some((told, report.changed_after_ready.clone()));
                    true
                }
                (None, None) => {
                    live.token = tokens.next();
                    live.error = None;
                    live.partial = None;
                    true
                }
                (Some(error), _) => {
                    let news = live.error.as_ref() != Some(&error);
                    live.error = Some(error);
                    news
                }
            }
        });
        // The configuration may name other folders now, and a folder that
        // was deleted and made again needs a new watch.
        self.watches
            .refresh(&self.engine.watched(), &output, &changed);
    }
}

/// The watches in place for the paths the engine wants watched.
struct Watches {
    debouncer: Debouncer<RecommendedWatcher, RecommendedCache>,
    /// Absolute paths.
    wanted: Vec<PathBuf>,
    active: BTreeMap<PathBuf, RecursiveMode>,
    /// Watches that could not be set, so their warning is printed once.
    failed: BTreeSet<PathBuf>,
    output: PathBuf,
}

impl Watches {
    fn refresh(&mut self, wanted: &[PathBuf], output: &Path, touched: &BTreeSet<PathBuf>) {
        self.wanted = wanted.iter().map(|p| absolute(p)).collect();
        self.output = absolute(output);
        let plan = plan(&self.wanted);
        let stale: Vec<PathBuf> = self
            .active
            .iter()
            .filter(|(path, mode)| plan.get(*path) != Some(mode) || touched.contains(*path))
            .map(|(path, _)| path.clone())
            .collect();
        for path in stale {
            let _ = self.debouncer.unwatch(&path);
            self.active.remove(&path);
        }
        for (path, mode) in plan {
            if self.active.contains_key(&path) {
                continue;
            }
            match self.debouncer.watch(&path, mode) {
                Ok(()) => {
                    self.failed.remove(&path);
                    self.active.insert(path, mode);
                }
                Err(err) => {
                    if self.failed.insert(path.clone()) {
                        eprintln!("warning: cannot watch {}: {err}", path.display());
                    }
                }
            }
        }
    }

    /// The paths of an event that may change the site.
    fn relevant_paths<'a>(
        &'a self,
        event: &'a DebouncedEvent,
    ) -> impl Iterator<Item = PathBuf> + 'a {
        let kind = event.event.kind;
        event
            .event
            .paths
            .iter()
            .filter(move |path| may_change_site(kind) && self.is_relevant(path, kind))
            .cloned()
    }

    fn is_relevant(&self, path: &Path, kind: EventKind) -> bool {
        if path.starts_with(&self.output) {
            return false;
        }
        if let Some(root) = self.wanted.iter().find(|w| path.starts_with(w)) {
            let below = path.strip_prefix(root).unwrap_or(path);
            return !is_noise(below);
        }
        // A folder on the way to a watched path that does not exist yet.
        let creates = matches!(
            kind,
            EventKind::Create(_) | EventKind::Modify(ModifyKind::Name(_))
        );
        creates && self.wanted.iter().any(|w| w.starts_with(path) && w != path)
    }
}

/// Existing wanted folders are watched recursively (the outermost ones
/// only); the nearest existing folder above each wanted path is watched
/// alone, which sees files replaced by renaming and paths that appear later.
fn plan(wanted: &[PathBuf]) -> BTreeMap<PathBuf, RecursiveMode> {
    let folders: BTreeSet<&PathBuf> = wanted.iter().filter(|p| p.is_dir()).collect();
    let outermost: Vec<&PathBuf> = folders
        .iter()
        .filter(|p| !folders.iter().any(|q| q != *p && p.starts_with(q)))
        .copied()
        .collect();
    let mut plan: BTreeMap<PathBuf, RecursiveMode> = outermost
        .iter()
        .map(|p| ((*p).clone(), RecursiveMode::Recursive))
        .collect();
    for path in wanted {
        let Some(above) = path.ancestors().skip(1).find(|a| a.is_dir()) else {
            continue;
        };
        if !outermost.iter().any(|r| above.starts_with(r)) {
            plan.entry(above.to_path_buf())
                .or_insert(RecursiveMode::NonRecursive);
        }
    }
    plan
}

/// Reading a file (the build does) or touching its access time changes
/// nothing.
fn may_change_site(kind: EventKind) -> bool {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        EventKind::Modify(ModifyKind::Metadata(MetadataKind::AccessTime)) => false,
        _ => true,
    }
}

/// A writer closed the file, or moved a finished file into place: what an
/// editor's save ends with (where the system reports it; elsewhere the
/// rebuild waits for the events to settle).
fn completes_write(kind: EventKind) -> bool {
    matches!(
        kind,
        EventKind::Access(AccessKind::Close(AccessMode::Write))
            | EventKind::Modify(ModifyKind::Name(RenameMode::To | RenameMode::Both))
    )
}

/// Hidden files and folders (which the build skips) and editors' temporary
/// files: swap files, backups, lock files, write probes.
fn is_noise(below_watched: &Path) -> bool {
    let hidden = below_watched
        .components()
        .any(|c| c.as_os_str().to_string_lossy().starts_with('.'));
    let Some(name) = below_watched.file_name().map(|n| n.to_string_lossy()) else {
        return hidden;
    };
    hidden
        || name.ends_with('~')
        || (name.starts_with('#') && name.ends_with('#'))
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || name.ends_with("___jb_tmp___")
        || name.ends_with("___jb_old___")
        || name == "4913"
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Prints a build's outcome; returns its errors as plain text for the
/// browser when it failed. `changed` is `None` for the first, full build.
pub(crate) fn print_build(
    report: &RebuildReport,
    changed: Option<&[PathBuf]>,
    quiet: bool,
) -> Option<String> {
    let shown: Vec<PathBuf> = match changed {
        _ if !report.changed.is_empty() => report.changed.clone(),
        Some(paths) => paths.iter().map(|p| for_display(p)).collect(),
        None => Vec::new(),
    };
    let cause = describe_paths(&shown);
    let time = format_elapsed(report.elapsed);
    if report.errors.is_empty() {
        if !quiet {
            let verb = if changed.is_some() {
                "Rebuilt"
            } else {
                "Built"
            };
            let pages = count(report.pages_written, "page", "pages");
            let warnings = match report.warnings {
                0 => String::new(),
                n => format!(", {}", count(n, "warning", "warnings")),
            };
            println!("{verb} {pages}{warnings} in {time}{cause}");
        }
        return None;
    }
    for error in &report.errors {
        eprintln!("{error}");
    }
    let errors = count(report.errors.len(), "error", "errors");
    let consequence = if changed.is_some() {
        "still serving the last good build"
    } else {
        "nothing to serve until it builds"
    };
    eprintln!("Build failed with {errors} in {time}{cause}; {consequence}");
    let text: Vec<String> = report.errors.iter().map(|e| strip_ansi(e)).collect();
    Some(text.join("\n\n"))
}

fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn format_elapsed(elapsed: Duration) -> String {
    if elapsed < Duration::from_secs(1) {
        format!("{} ms", elapsed.as_millis())
    } else {
        format!("{:.2} s", elapsed.as_secs_f64())
    }
}

/// ` (a, b, c and 2 more)`, or nothing.
fn describe_paths(paths: &[PathBuf]) -> String {
    const SHOWN: usize = 3;
    if paths.is_empty() {
        return String::new();
    }
    let names: Vec<String> = paths
        .iter()
        .take(SHOWN)
        .map(|p| p.display().to_string())
        .collect();
    let more = match paths.len().saturating_sub(SHOWN) {
        0 => String::new(),
        n => format!(" and {n} more"),
    };
    format!(" ({}{more})", names.join(", "))
}

/// Relative to the current folder when the path is under it.
fn for_display(path: &Path) -> PathBuf {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf())
}

/// Removes terminal escape sequences (colours, hyperlinks) from a message.
pub(crate) fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\u{1b}' {
            out.push(c);
            continue;
        }
        match chars.next() {
            // CSI: parameters, then one final byte from @ to ~.
            Some('[') => {
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            }
            // OSC: up to BEL or ESC \.
            Some(']') => {
                while let Some(c) = chars.next() {
                    if c == '\u{7}' {
                        break;
                    }
                    if c == '\u{1b}' {
                        chars.next_if_eq(&'\\');
                        break;
                    }
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_and_links_are_stripped() {
        let text = "\u{1b}[31merror\u{1b}[0m: \u{1b}]8;;file:///x\u{1b}\\x.md\u{1b}]8;;\u{1b}\\ ok";
        assert_eq!(strip_ansi(text), "error: x.md ok");
    }

    #[test]
    fn editor_files_and_hidden_paths_are_noise() {
        for noise in [
            ".a.md.swp",
            "fr/a.md~",
            "#a.md#",
            "4913",
            ".git/index",
            "fr/.#a.md",
        ] {
            assert!(is_noise(Path::new(noise)), "{noise}");
        }
        for real in ["fr/a.md", "fr/b2b.sv.md", "tolk.toml", ""] {
            assert!(!is_noise(Path::new(real)), "{real}");
        }
    }

    #[test]
    fn reading_files_is_not_a_change() {
        assert!(!may_change_site(EventKind::Access(AccessKind::Open(
            AccessMode::Any
        ))));
        assert!(!may_change_site(EventKind::Access(AccessKind::Close(
            AccessMode::Read
        ))));
        assert!(may_change_site(EventKind::Access(AccessKind::Close(
            AccessMode::Write
        ))));
        assert!(may_change_site(EventKind::Modify(ModifyKind::Any)));
    }

    #[test]
    fn closing_a_written_file_or_renaming_one_into_place_ends_a_save() {
        use notify_debouncer_full::notify::event::{CreateKind, DataChange};
        assert!(completes_write(EventKind::Access(AccessKind::Close(
            AccessMode::Write
        ))));
        assert!(completes_write(EventKind::Modify(ModifyKind::Name(
            RenameMode::To
        ))));
        assert!(completes_write(EventKind::Modify(ModifyKind::Name(
            RenameMode::Both
        ))));
        for unfinished in [
            EventKind::Create(CreateKind::File),
            EventKind::Modify(ModifyKind::Data(DataChange::Any)),
            EventKind::Modify(ModifyKind::Name(RenameMode::From)),
            EventKind::Access(AccessKind::Close(AccessMode::Read)),
        ] {
            assert!(!completes_write(unfinished), "{unfinished:?}");
        }
    }

    #[test]
    fn plan_watches_outermost_folders_and_parents_of_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("content/fr")).unwrap();
        std::fs::create_dir_all(root.join("themes/default/i18n")).unwrap();
        let wanted = vec![
            root.join("tolk.toml"),
            root.join("content"),
            root.join("templates"),
            root.join("themes/default"),
            root.join("themes/default/i18n"),
            root.join("missing/deeper/still"),
        ];
        let plan = plan(&wanted);
        let expected: BTreeMap<PathBuf, RecursiveMode> = [
            (root.to_path_buf(), RecursiveMode::NonRecursive),
            (root.join("content"), RecursiveMode::Recursive),
            (root.join("themes"), RecursiveMode::NonRecursive),
            (root.join("themes/default"), RecursiveMode::Recursive),
        ]
        .into_iter()
        .collect();
        assert_eq!(plan, expected);
    }

    #[test]
    fn summaries_name_a_few_paths() {
        let paths: Vec<PathBuf> = ["a", "b", "c", "d", "e"]
            .iter()
            .map(PathBuf::from)
            .collect();
        assert_eq!(describe_paths(&paths[..1]), " (a)");
        assert_eq!(describe_paths(&paths), " (a, b, c and 2 more)");
        assert_eq!(format_elapsed(Duration::from_millis(12)), "12 ms");
        assert_eq!(format_elapsed(Duration::from_millis(1500)), "1.50 s");
    }
}
