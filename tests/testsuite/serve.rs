//! `tolk serve` end to end: a server on a free port, spoken to over raw TCP
//! (no browser), with the real engine on a copy of the example site and with
//! a fake engine. Every wait has a deadline, so no test can hang.

use std::fs;
use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tolk::model::ReadOptions;
use tolk::serve::{self, Engine, IncrementalEngine, RebuildReport, ServeOptions, ServerHandle};

/// The longest any single wait may take.
const WAIT: Duration = Duration::from_secs(5);

const QUIET: ServeOptions = ServeOptions {
    port: 0,
    quiet: true,
};

const PAGE: &str = "content/fr/commerce/b2b-and-b2c.md";
const PAGE_URL: &str = "/fr/commerce/b2b-and-b2c/";

// ---------------------------------------------------------------- helpers

/// A private copy of the example site (the repository root).
fn example_site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    fs::copy(repo.join("tolk.toml"), dir.path().join("tolk.toml")).unwrap();
    for folder in ["content", "themes"] {
        for entry in walkdir::WalkDir::new(repo.join(folder)) {
            let entry = entry.unwrap();
            let target = dir.path().join(entry.path().strip_prefix(repo).unwrap());
            if entry.file_type().is_dir() {
                fs::create_dir_all(&target).unwrap();
            } else {
                fs::copy(entry.path(), &target).unwrap();
            }
        }
    }
    dir
}

struct Reply {
    status: u16,
    headers: String,
    body: Vec<u8>,
}

impl Reply {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    fn header(&self, name: &str) -> Option<String> {
        self.headers.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name)
                .then(|| value.trim().to_string())
        })
    }
}

/// One request on a new connection, the target sent exactly as given.
fn request(addr: SocketAddr, method: &str, target: &str) -> Reply {
    let mut stream = TcpStream::connect_timeout(&addr, WAIT).unwrap();
    stream.set_read_timeout(Some(WAIT)).unwrap();
    write!(
        stream,
        "{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    stream
        .read_to_end(&mut raw)
        .unwrap_or_else(|e| panic!("{method} {target}: {e}"));
    let split = find(&raw, b"\r\n\r\n").expect("a complete response head");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let (status_line, headers) = head.split_once("\r\n").unwrap_or((&head, ""));
    let status = status_line.split(' ').nth(1).unwrap().parse().unwrap();
    let mut body = raw[split + 4..].to_vec();
    if headers
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body = Dechunker::default().feed(&body);
    }
    Reply {
        status,
        headers: headers.to_string(),
        body,
    }
}

fn get(addr: SocketAddr, target: &str) -> Reply {
    request(addr, "GET", target)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Undoes chunked transfer encoding, however the bytes arrive.
#[derive(Default)]
struct Dechunker {
    pending: Vec<u8>,
}

impl Dechunker {
    fn feed(&mut self, bytes: &[u8]) -> Vec<u8> {
        self.pending.extend_from_slice(bytes);
        let mut out = Vec::new();
        while let Some(line_end) = find(&self.pending, b"\r\n") {
            let size_text = String::from_utf8_lossy(&self.pending[..line_end]).into_owned();
            let size = usize::from_str_radix(size_text.trim(), 16).unwrap();
            let start = line_end + 2;
            if self.pending.len() < start + size + 2 {
                break;
            }
            out.extend_from_slice(&self.pending[start..start + size]);
            self.pending.drain(..start + size + 2);
        }
        out
    }
}

/// A client of the event stream, as the injected script is.
struct Events {
    stream: TcpStream,
    dechunker: Dechunker,
    text: String,
}

#[derive(Debug)]
struct Event {
    name: String,
    data: String,
}

impl Events {
    fn connect(addr: SocketAddr, since: Option<&str>) -> Events {
        let mut stream = TcpStream::connect_timeout(&addr, WAIT).unwrap();
        let query = since.map(|s| format!("?since={s}")).unwrap_or_default();
        write!(
            stream,
            "GET /__tolk/events{query} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"
        )
        .unwrap();
        let mut events = Events {
            stream,
            dechunker: Dechunker::default(),
            text: String::new(),
        };
        // The head, then the opening `retry:` line: once it is here, the
        // stream is subscribed and no later build can be missed.
        let deadline = Instant::now() + WAIT;
        let mut head = Vec::new();
        while find(&head, b"\r\n\r\n").is_none() {
            head.extend(events.read_some(deadline).expect("response head"));
        }
        let split = find(&head, b"\r\n\r\n").unwrap();
        let head_text = String::from_utf8_lossy(&head[..split]).to_ascii_lowercase();
        assert!(head_text.starts_with("http/1.1 200"), "{head_text}");
        assert!(
            head_text.contains("content-type: text/event-stream"),
            "{head_text}"
        );
        let rest = events.dechunker.feed(&head[split + 4..]);
        events.text.push_str(&String::from_utf8_lossy(&rest));
        while !events.text.contains("retry:") {
            let bytes = events
                .read_some(deadline)
                .expect("the opening of the stream");
            let decoded = events.dechunker.feed(&bytes);
            events.text.push_str(&String::from_utf8_lossy(&decoded));
        }
        events
    }

    fn read_some(&mut self, deadline: Instant) -> Option<Vec<u8>> {
        let left = deadline.checked_duration_since(Instant::now())?;
        self.stream
            .set_read_timeout(Some(left.max(Duration::from_millis(1))))
            .unwrap();
        let mut buffer = [0u8; 8192];
        match self.stream.read(&mut buffer) {
            Ok(0) => None,
            Ok(n) => Some(buffer[..n].to_vec()),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => None,
            Err(e) => panic!("event stream: {e}"),
        }
    }

    /// The next event with a name (comments and `retry:` are skipped), or
    /// `None` when the deadline passes or the stream ends.
    fn next(&mut self, timeout: Duration) -> Option<Event> {
        let deadline = Instant::now() + timeout;
        loop {
            while let Some(end) = self.text.find("\n\n") {
                let block: String = self.text.drain(..end + 2).collect();
                let mut event = Event {
                    name: String::new(),
                    data: String::new(),
                };
                for line in block.lines() {
                    if let Some(name) = line.strip_prefix("event: ") {
                        event.name = name.to_string();
                    } else if let Some(data) = line.strip_prefix("data: ") {
                        event.data.push_str(data);
                    }
                }
                if !event.name.is_empty() {
                    return Some(event);
                }
            }
            let bytes = self.read_some(deadline)?;
            let decoded = self.dechunker.feed(&bytes);
            self.text.push_str(&String::from_utf8_lossy(&decoded));
        }
    }

    /// Waits for an event named `name`; panics on any other or on timeout.
    /// `changed` events (pages that changed again after a reload) are
    /// passed over unless asked for.
    fn expect(&mut self, name: &str) -> Event {
        loop {
            let event = self
                .next(WAIT)
                .unwrap_or_else(|| panic!("no `{name}` event within {WAIT:?}"));
            if event.name == "changed" && name != "changed" {
                continue;
            }
            assert_eq!(event.name, name, "{event:?}");
            return event;
        }
    }

    /// Reads events until the page at `url`, served under build `token`,
    /// would reload: a `reload`, or a `changed` naming `url`. Returns the
    /// build it reloads into, and the `changed` events naming other pages.
    fn until_reloaded(&mut self, url: &str) -> (String, usize) {
        let mut passed_over = 0;
        loop {
            let event = self
                .next(WAIT)
                .unwrap_or_else(|| panic!("{url} not told to reload within {WAIT:?}"));
            match event.name.as_str() {
                "reload" => return (event.data, passed_over),
                "changed" => {
                    let data: serde_json::Value = serde_json::from_str(&event.data).unwrap();
                    let names_url = data["urls"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|u| u.as_str() == Some(url));
                    if names_url {
                        return (data["token"].as_str().unwrap().to_string(), passed_over);
                    }
                    passed_over += 1;
                }
                other => panic!("unexpected `{other}` event: {event:?}"),
            }
        }
    }
}

/// The build token a served page carries.
fn token_of(html: &str) -> String {
    let start = html.find("data-since=\"").expect("the live-reload script") + 12;
    let end = start + html[start..].find('"').unwrap();
    html[start..end].to_string()
}

fn title_of(html: &str) -> &str {
    let start = html.find("<title>").expect("a title") + 7;
    &html[start..start + html[start..].find("</title>").unwrap()]
}

// ------------------------------------------------- the real engine, end to end

#[test]
fn edits_reload_errors_overlay_and_the_last_good_site_stays() {
    let site = example_site();
    let engine = IncrementalEngine::new(site.path(), ReadOptions::default()).unwrap();
    edits_reload_scenario(site, engine);
}

fn edits_reload_scenario<E: Engine>(site: tempfile::TempDir, engine: E) {
    let server = serve::start(engine, QUIET).unwrap();
    let addr = server.addr();
    assert!(!server.has_errors());
    assert_eq!(server.url(), format!("http://{addr}/"));

    let first = get(addr, PAGE_URL);
    assert_eq!(first.status, 200);
    let html = first.text();
    assert!(
        title_of(&html).starts_with("Qu’est-ce que B2B et B2C ?"),
        "{html}"
    );
    assert_eq!(html.matches("/__tolk/live.js").count(), 1);
    let script_at = html.find("/__tolk/live.js").unwrap();
    assert!(script_at < html.rfind("</body>").unwrap());
    let mut events = Events::connect(addr, Some(&token_of(&html)));
    let home = get(addr, "/fr/").text();
    let mut home_events = Events::connect(addr, Some(&token_of(&home)));

    // An edit: `reload`, and the new page is served.
    let source = fs::read_to_string(site.path().join(PAGE)).unwrap();
    let edited = source.replacen(
        "title: Qu’est-ce que B2B et B2C ?",
        "title: Titre modifié en direct",
        1,
    );
    assert_ne!(source, edited);
    let saved = Instant::now();
    fs::write(site.path().join(PAGE), &edited).unwrap();
    let reload = events.expect("reload");
    let latency = saved.elapsed();
    let second = get(addr, PAGE_URL).text();
    assert!(
        title_of(&second).starts_with("Titre modifié en direct"),
        "{second}"
    );
    assert_eq!(token_of(&second), reload.data);
    eprintln!("save to reload event: {latency:?}");
    // The French home lists the title: it reloads again once it is
    // written, into the build that has it, whether or not it reloaded
    // early with the edited page.
    let (home_build, _) = home_events.until_reloaded("/fr/");
    let home_now = get(addr, "/fr/").text();
    assert!(home_now.contains("Titre modifié en direct"), "{home_now}");
    assert_eq!(token_of(&home_now), home_build);

    // Broken front matter: `error` with the file and line, while the last
    // good page is still served.
    let broken = edited.replacen("title: Titre modifié en direct", "title: [Titre <cassé>", 1);
    fs::write(site.path().join(PAGE), &broken).unwrap();
    let error = events.expect("error");
    let message: serde_json::Value = serde_json::from_str(&error.data).unwrap();
    let message = message["message"].as_str().unwrap();
    assert!(message.contains("b2b-and-b2c.md:2"), "{message}");
    assert!(message.contains("[Titre <cassé>"), "{message}");
    assert!(
        !message.contains('\u{1b}'),
        "no terminal escapes: {message}"
    );
    assert!(server.has_errors());
    let during = get(addr, PAGE_URL);
    assert_eq!(during.status, 200);
    assert!(title_of(&during.text()).starts_with("Titre modifié en direct"));

    // A page loaded now (the last good build) gets the errors on connecting.
    let mut late = Events::connect(addr, Some(&token_of(&during.text())));
    assert_eq!(late.expect("error").data, error.data);

    // The fix: `reload` for everyone, and the fixed page.
    let fixed = edited.replacen("Titre modifié en direct", "Titre réparé", 1);
    fs::write(site.path().join(PAGE), &fixed).unwrap();
    events.expect("reload");
    late.expect("reload");
    assert!(!server.has_errors());
    let after = get(addr, PAGE_URL).text();
    assert!(title_of(&after).starts_with("Titre réparé"), "{after}");

    // A page from an older build reloads as soon as it connects.
    let mut stale = Events::connect(addr, Some(&token_of(&html)));
    assert_eq!(stale.expect("reload").data, token_of(&after));

    let stopping = Instant::now();
    server.stop();
    assert!(stopping.elapsed() < WAIT);
    // Stopping ends the open event streams.
    assert!(events.next(WAIT).is_none());
}

#[test]
fn half_written_renamed_and_deleted_content_never_stops_the_server() {
    let site = example_site();
    let engine = IncrementalEngine::new(site.path(), ReadOptions::default()).unwrap();
    let server = serve::start(engine, QUIET).unwrap();
    let addr = server.addr();
    let mut events = Events::connect(addr, None);
    let article = site
        .path()
        .join("content/fr/articles/b2c-b2b-b2c2b-b2b2c.txt");
    let old_url = "/fr/articles/b2c-b2b-b2c2b-b2b2c/";
    assert_eq!(get(addr, old_url).status, 200);

    // Renamed: the old address is the French 404 page, the new one is served.
    let renamed = site.path().join("content/fr/articles/renamed.txt");
    fs::rename(&article, &renamed).unwrap();
    events.expect("reload");
    let gone = get(addr, old_url);
    assert_eq!(gone.status, 404);
    assert!(gone.text().contains("<html lang=\"fr\""), "{}", gone.text());
    assert!(gone.text().contains("/__tolk/live.js"));
    assert_eq!(get(addr, "/fr/articles/renamed/").status, 200);

    // Half written: front matter opened and not closed yet.
    let page = site.path().join(PAGE);
    let full = fs::read_to_string(&page).unwrap();
    let cut = full.find("ht-degree").unwrap();
    fs::write(&page, &full[..cut]).unwrap();
    events.expect("error");
    assert_eq!(get(addr, PAGE_URL).status, 200, "the last good page stays");
    fs::write(&page, &full).unwrap();
    events.expect("reload");

    // Deleted: served no more, and the server goes on.
    fs::remove_file(&renamed).unwrap();
    events.expect("reload");
    assert_eq!(get(addr, "/fr/articles/renamed/").status, 404);
    assert_eq!(get(addr, PAGE_URL).status, 200);

    // A broken tolk.toml is an error too, and its fix recovers.
    let config = site.path().join("tolk.toml");
    let good = fs::read_to_string(&config).unwrap();
    fs::write(&config, format!("{good}\ntitel = \"typo\"\n")).unwrap();
    let error = events.expect("error");
    assert!(error.data.contains("titel"), "{}", error.data);
    fs::write(&config, &good).unwrap();
    events.expect("reload");
    server.stop();
}

// ------------------------------------------------------------- a fake engine

/// Writes `pages/*.txt` of its source folder as HTML pages, plus a fixed set
/// of files; `BROKEN` in a page is an error, `PANIC` a panic.
struct FakeEngine {
    source: PathBuf,
    output: PathBuf,
    base_path: String,
    calls: Arc<Mutex<Vec<String>>>,
}

impl FakeEngine {
    fn new(dir: &Path, base_path: &str) -> (FakeEngine, Arc<Mutex<Vec<String>>>) {
        let source = dir.join("src");
        fs::create_dir_all(source.join("pages")).unwrap();
        fs::write(source.join("pages/index.txt"), "Home").unwrap();
        let calls = Arc::new(Mutex::new(Vec::new()));
        let engine = FakeEngine {
            source,
            output: dir.join("out"),
            base_path: base_path.to_string(),
            calls: calls.clone(),
        };
        (engine, calls)
    }

    fn build(&mut self) -> RebuildReport {
        let mut pages = Vec::new();
        for entry in fs::read_dir(self.source.join("pages")).unwrap() {
            let path = entry.unwrap().path();
            let text = fs::read_to_string(&path).unwrap_or_default();
            if text.contains("PANIC") {
                panic!("the fake engine was told to panic");
            }
            if text.contains("BROKEN") {
                return RebuildReport::failed(format!(
                    "error: {} is <broken> & \"bad\"",
                    path.display()
                ));
            }
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            pages.push((name, text));
        }
        let out = &self.output;
        let files: &[(&str, &[u8])] = &[
            ("404.html", b"<html><body>site 404</body></html>"),
            ("fr/index.html", b"<html><body>accueil</body></html>"),
            ("fr/404.html", b"<html><body>fr 404</body></html>"),
            ("en/index.html", b"<html><body>home</body></html>"),
            ("assets/site.css", b"body { color: red } /* </body> */"),
            ("assets/site.js", b"console.log('</body>')"),
            ("data.json", b"{\"html\": \"</body>\"}"),
            ("feed.xml", b"<feed/>"),
            ("logo.svg", b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>"),
            ("font.woff2", b"wOF2"),
            ("robots.txt", b"User-agent: *"),
            ("pagefind/pagefind.js", b"export {}"),
            ("pagefind/wasm.fr.pagefind", b"\0asm"),
            ("pagefind/fragment/fr_1.pf_fragment", b"\x1f\x8b"),
            ("pagefind/index/fr_1.pf_index", b"\x1f\x8b"),
            ("pagefind/pagefind.fr_1.pf_meta", b"\x1f\x8b"),
        ];
        for (path, bytes) in files {
            let target = out.join(path);
            fs::create_dir_all(target.parent().unwrap()).unwrap();
            fs::write(target, bytes).unwrap();
        }
        for (name, text) in &pages {
            let html = format!("<!doctype html><html><body><p>{text}</p></body></html>");
            let target = if name == "index" {
                out.join("index.html")
            } else {
                out.join(name).join("index.html")
            };
            fs::create_dir_all(target.parent().unwrap()).unwrap();
            fs::write(target, html).unwrap();
        }
        RebuildReport {
            pages_written: pages.len(),
            ..Default::default()
        }
    }
}

impl Engine for FakeEngine {
    fn full_build(&mut self) -> RebuildReport {
        self.calls.lock().unwrap().push("full".to_string());
        self.build()
    }

    fn rebuild(&mut self, changed: &[PathBuf]) -> RebuildReport {
        self.calls.lock().unwrap().push(format!("{changed:?}"));
        self.build()
    }

    fn output_dir(&self) -> PathBuf {
        self.output.clone()
    }

    fn watched(&self) -> Vec<PathBuf> {
        vec![self.source.clone()]
    }

    fn base_path(&self) -> String {
        self.base_path.clone()
    }
}

fn fake_server(base_path: &str) -> (tempfile::TempDir, ServerHandle, Arc<Mutex<Vec<String>>>) {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("secret.txt"), "TOP SECRET").unwrap();
    let (engine, calls) = FakeEngine::new(dir.path(), base_path);
    let server = serve::start(engine, QUIET).unwrap();
    (dir, server, calls)
}

#[test]
fn paths_outside_the_output_folder_are_never_served() {
    let (dir, server, _) = fake_server("/");
    let addr = server.addr();
    #[cfg(unix)]
    std::os::unix::fs::symlink(
        dir.path().join("secret.txt"),
        dir.path().join("out/link.txt"),
    )
    .unwrap();
    let secret = dir.path().join("secret.txt");
    let absolute = secret.to_string_lossy().replace('\\', "/");
    let attempts = [
        "/../secret.txt".to_string(),
        "/fr/../../secret.txt".to_string(),
        "/%2e%2e/secret.txt".to_string(),
        "/%2E%2E/%2e%2e/secret.txt".to_string(),
        "/..%2fsecret.txt".to_string(),
        "/%2e%2e%2fsecret.txt".to_string(),
        "/fr/..%5c..%5csecret.txt".to_string(),
        "/.%2e/secret.txt".to_string(),
        format!("/{absolute}"),
        format!("/{}", absolute.trim_start_matches('/')),
        "http://127.0.0.1/../secret.txt".to_string(),
        "/link.txt".to_string(),
        "/%00".to_string(),
        "/%ff".to_string(),
    ];
    for target in &attempts {
        let reply = get(addr, target);
        assert_ne!(reply.status, 200, "{target}");
        assert!(!reply.text().contains("TOP SECRET"), "{target}");
    }
    assert_eq!(get(addr, "/../secret.txt").status, 400);
    assert_eq!(get(addr, "/%2e%2e/secret.txt").status, 400);
    server.stop();
}

#[test]
fn files_folders_404_pages_and_content_types() {
    let (dir, server, _) = fake_server("/");
    let addr = server.addr();
    let expected = [
        ("/", "text/html; charset=utf-8"),
        ("/fr/", "text/html; charset=utf-8"),
        ("/assets/site.css", "text/css; charset=utf-8"),
        ("/assets/site.js", "text/javascript; charset=utf-8"),
        ("/data.json", "application/json"),
        ("/feed.xml", "application/xml"),
        ("/logo.svg", "image/svg+xml"),
        ("/font.woff2", "font/woff2"),
        ("/robots.txt", "text/plain; charset=utf-8"),
        ("/pagefind/pagefind.js", "text/javascript; charset=utf-8"),
        ("/pagefind/wasm.fr.pagefind", "application/octet-stream"),
        (
            "/pagefind/fragment/fr_1.pf_fragment",
            "application/octet-stream",
        ),
        ("/pagefind/index/fr_1.pf_index", "application/octet-stream"),
        (
            "/pagefind/pagefind.fr_1.pf_meta",
            "application/octet-stream",
        ),
    ];
    for (target, content_type) in expected {
        let reply = get(addr, target);
        assert_eq!(reply.status, 200, "{target}");
        assert_eq!(reply.header("content-type").as_deref(), Some(content_type));
        let is_html = content_type.starts_with("text/html");
        assert_eq!(
            reply.text().contains("/__tolk/live.js"),
            is_html,
            "the script is injected into HTML only: {target}"
        );
        if !is_html {
            let file = dir.path().join("out").join(target.trim_start_matches('/'));
            assert_eq!(reply.body, fs::read(file).unwrap(), "{target} unchanged");
        }
    }
    let home = get(addr, "/fr/").text();
    assert!(
        home.ends_with("</script></body></html>"),
        "before </body>: {home}"
    );

    // A folder without its slash is redirected, its query kept.
    let redirect = get(addr, "/fr?x=1");
    assert_eq!(redirect.status, 307);
    assert_eq!(redirect.header("location").as_deref(), Some("/fr/?x=1"));
    assert_eq!(
        get(addr, "//fr").header("location").as_deref(),
        Some("/fr/")
    );

    // 404: the language's page, else the site's, else a minimal one.
    let french = get(addr, "/fr/nope/");
    assert_eq!(french.status, 404);
    assert!(french.text().contains("fr 404") && french.text().contains("/__tolk/live.js"));
    let english = get(addr, "/en/nope/");
    assert_eq!(english.status, 404);
    assert!(
        english.text().contains("site 404"),
        "en has no 404.html of its own"
    );
    assert!(get(addr, "/nope.css").text().contains("site 404"));
    fs::remove_file(dir.path().join("out/404.html")).unwrap();
    let plain = get(addr, "/nope/");
    assert_eq!(plain.status, 404);
    assert!(plain.text().contains("Not found"));

    // HEAD answers without a body; other methods are refused.
    let head = request(addr, "HEAD", "/fr/");
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(request(addr, "POST", "/fr/").status, 405);

    // The script itself.
    let script = get(addr, "/__tolk/live.js");
    assert_eq!(
        script.header("content-type").as_deref(),
        Some("text/javascript; charset=utf-8")
    );
    assert!(script.text().contains("EventSource"));
    assert!(
        script.text().contains("textContent"),
        "errors shown as text"
    );
    server.stop();
}

#[test]
fn a_base_path_is_where_the_site_is_served() {
    let (_dir, server, _) = fake_server("/docs/");
    let addr = server.addr();
    assert_eq!(server.url(), format!("http://{addr}/docs/"));
    assert!(get(addr, "/docs/fr/").text().contains("accueil"));
    assert_eq!(get(addr, "/").header("location").as_deref(), Some("/docs/"));
    assert_eq!(
        get(addr, "/docs").header("location").as_deref(),
        Some("/docs/")
    );
    assert_eq!(get(addr, "/fr/").status, 404);
    assert!(get(addr, "/docs/fr/nope").text().contains("fr 404"));
    server.stop();
}

#[test]
fn engine_errors_and_panics_are_reported_and_survived() {
    let (dir, server, calls) = fake_server("/");
    let addr = server.addr();
    let mut events = Events::connect(addr, None);
    let pages = dir.path().join("src/pages");

    fs::write(pages.join("guide.txt"), "Guide v1").unwrap();
    events.expect("reload");
    assert!(get(addr, "/guide/").text().contains("Guide v1"));
    let last = calls.lock().unwrap().last().cloned().unwrap();
    assert!(
        last.contains("guide.txt"),
        "the changed path is passed: {last}"
    );

    // An error: escaped as JSON; the browser script shows it as text.
    fs::write(pages.join("guide.txt"), "BROKEN").unwrap();
    let error = events.expect("error");
    let message: serde_json::Value = serde_json::from_str(&error.data).unwrap();
    assert!(
        message["message"]
            .as_str()
            .unwrap()
            .contains("is <broken> & \"bad\"")
    );
    assert!(get(addr, "/guide/").text().contains("Guide v1"));

    // A panic is an error too; the next change gets a full build.
    fs::write(pages.join("guide.txt"), "PANIC").unwrap();
    let panic = events.expect("error");
    assert!(panic.data.contains("panicked"), "{}", panic.data);
    fs::write(pages.join("guide.txt"), "Guide v2").unwrap();
    events.expect("reload");
    assert!(get(addr, "/guide/").text().contains("Guide v2"));
    assert_eq!(calls.lock().unwrap().last().unwrap(), "full");

    // Editors' swap and backup files change nothing.
    let before = calls.lock().unwrap().len();
    fs::write(pages.join(".guide.txt.swp"), "x").unwrap();
    fs::write(pages.join("guide.txt~"), "x").unwrap();
    assert!(events.next(Duration::from_millis(600)).is_none());
    assert_eq!(calls.lock().unwrap().len(), before);
    server.stop();
}

#[test]
fn a_taken_port_is_an_error() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let dir = tempfile::tempdir().unwrap();
    let (engine, calls) = FakeEngine::new(dir.path(), "/");
    let options = ServeOptions { port, quiet: true };
    let error = serve::start(engine, options)
        .err()
        .expect("the port is taken");
    assert!(error.contains("already in use"), "{error}");
    assert!(calls.lock().unwrap().is_empty(), "nothing is built");
}

// ------------------------------------------------- reloading before the end

/// Writes `src/page.txt` as the site's home page, calls `ready`, then waits
/// for the test's word before it returns, as an engine busy with the rest of
/// the site would. `AGAIN` in the page makes it write more HTML after
/// `ready`.
struct EarlyEngine {
    source: PathBuf,
    output: PathBuf,
    release: std::sync::mpsc::Receiver<()>,
}

impl EarlyEngine {
    fn write_page(&self) -> String {
        let text = fs::read_to_string(self.source.join("page.txt")).unwrap_or_default();
        fs::create_dir_all(&self.output).unwrap();
        let html = format!("<!doctype html><html><body><p>{text}</p></body></html>");
        fs::write(self.output.join("index.html"), html).unwrap();
        text
    }
}

impl Engine for EarlyEngine {
    fn full_build(&mut self) -> RebuildReport {
        self.write_page();
        RebuildReport::default()
    }

    fn rebuild(&mut self, changed: &[PathBuf]) -> RebuildReport {
        self.rebuild_early(changed, &|| {})
    }

    fn rebuild_early(&mut self, _changed: &[PathBuf], ready: &(dyn Fn() + Sync)) -> RebuildReport {
        let text = self.write_page();
        ready();
        let _ = self.release.recv_timeout(WAIT);
        let again = text.contains("AGAIN");
        if again {
            fs::write(self.output.join("other.html"), &text).unwrap();
        }
        RebuildReport {
            reloaded: !again,
            ..Default::default()
        }
    }

    fn output_dir(&self) -> PathBuf {
        self.output.clone()
    }

    fn watched(&self) -> Vec<PathBuf> {
        vec![self.source.clone()]
    }
}

fn generation(token: &str) -> u64 {
    token.rsplit_once('-').unwrap().1.parse().unwrap()
}

#[test]
fn browsers_reload_as_soon_as_the_engine_says_the_pages_are_ready() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("src");
    fs::create_dir_all(&source).unwrap();
    fs::write(source.join("page.txt"), "zero").unwrap();
    let (release, waiting) = std::sync::mpsc::channel();
    let engine = EarlyEngine {
        source: source.clone(),
        output: dir.path().join("out"),
        release: waiting,
    };
    let server = serve::start(engine, QUIET).unwrap();
    let addr = server.addr();
    let mut events = Events::connect(addr, None);

    fs::write(source.join("page.txt"), "one").unwrap();
    let early = events.expect("reload");
    // The engine is still waiting for the word to finish: the reload came
    // before the end of the rebuild, and the page is already new.
    let page = get(addr, "/").text();
    assert!(page.contains("one"), "{page}");
    assert_eq!(token_of(&page), early.data);
    release.send(()).unwrap();

    // Nothing changed after `ready`, so the end of that rebuild told no
    // one to reload again: this edit's reload is the very next build.
    fs::write(source.join("page.txt"), "two AGAIN").unwrap();
    let second = events.expect("reload");
    assert_eq!(generation(&second.data), generation(&early.data) + 1);
    assert!(get(addr, "/").text().contains("two"));
    release.send(()).unwrap();
    // HTML was written after `ready`: browsers reload once more at the end.
    let last = events.expect("reload");
    assert_eq!(generation(&last.data), generation(&second.data) + 1);
    let page = get(addr, "/").text();
    assert_eq!(token_of(&page), last.data);
    server.stop();
}

// ------------------------------------------------- started twice, under load

/// Every file under `dir` with its bytes.
fn files_of(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files: Vec<_> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().to_path_buf(), fs::read(e.path()).unwrap()))
        .collect();
    files.sort();
    files
}

#[test]
fn serve_started_twice_on_one_site_serves_both_without_writing_into_it() {
    let site = example_site();
    let before = files_of(site.path());
    let engine = |root: &Path| IncrementalEngine::new(root, ReadOptions::default()).unwrap();
    let first = serve::start(engine(site.path()), QUIET).unwrap();
    let second = serve::start(engine(site.path()), QUIET).unwrap();
    for server in [&first, &second] {
        assert_eq!(get(server.addr(), PAGE_URL).status, 200);
    }

    // On the port of the first: one line naming the port, and an exit.
    let port = first.addr().port().to_string();
    let taken = std::process::Command::new(env!("CARGO_BIN_EXE_tolk"))
        .args(["serve", "--quiet", "--port", &port, "--root"])
        .arg(site.path())
        .output()
        .unwrap();
    assert!(!taken.status.success());
    let stderr = String::from_utf8_lossy(&taken.stderr);
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains(&format!("port {port} is already in use")),
        "{stderr}"
    );

    first.stop();
    second.stop();
    assert!(files_of(site.path()) == before, "serve wrote into the site");
}

/// The real engine, telling the test which changed files each finished
/// rebuild took in.
struct Recording {
    engine: IncrementalEngine,
    rebuilt: Arc<Mutex<Vec<PathBuf>>>,
}

impl Recording {
    fn note(&self, changed: &[PathBuf], report: RebuildReport) -> RebuildReport {
        self.rebuilt.lock().unwrap().extend(changed.iter().cloned());
        report
    }
}

impl Engine for Recording {
    fn full_build(&mut self) -> RebuildReport {
        self.engine.full_build()
    }

    fn rebuild(&mut self, changed: &[PathBuf]) -> RebuildReport {
        let report = self.engine.rebuild(changed);
        self.note(changed, report)
    }

    fn rebuild_early(&mut self, changed: &[PathBuf], ready: &(dyn Fn() + Sync)) -> RebuildReport {
        let report = self.engine.rebuild_early(changed, ready);
        self.note(changed, report)
    }

    fn output_dir(&self) -> PathBuf {
        self.engine.output_dir()
    }

    fn watched(&self) -> Vec<PathBuf> {
        self.engine.watched()
    }

    fn base_path(&self) -> String {
        self.engine.base_path()
    }
}

/// Files under `dir` by relative path.
fn tree(dir: &Path) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
    files_of(dir)
        .into_iter()
        .map(|(path, bytes)| (path.strip_prefix(dir).unwrap().to_path_buf(), bytes))
        .collect()
}

fn generated_page(n: usize, version: usize) -> String {
    // Every fourth version renames the page: its title is in the
    // navigation of the others.
    let title = if version % 4 == 3 {
        format!("Page {n}, titre {version}")
    } else {
        format!("Page {n}")
    };
    format!("---\ntitle: {title}\n---\n\n# {title}\n\nVersion {version} du texte de la page {n}.\n")
}

#[test]
fn a_storm_of_saves_ends_byte_identical_to_a_full_build() {
    let site = example_site();
    let folder = site.path().join("content/fr/storm");
    fs::create_dir_all(&folder).unwrap();
    let page = |n: usize| folder.join(format!("page-{n}.md"));
    for n in 0..50 {
        fs::write(page(n), generated_page(n, 0)).unwrap();
    }
    let rebuilt = Arc::new(Mutex::new(Vec::new()));
    let engine = Recording {
        engine: IncrementalEngine::new(site.path(), ReadOptions::default()).unwrap(),
        rebuilt: rebuilt.clone(),
    };
    let served = engine.output_dir();
    let server = serve::start(engine, QUIET).unwrap();

    // 200 saves, four to each of the 50 files, over about two seconds.
    for save in 0..200 {
        fs::write(page(save % 50), generated_page(save % 50, save / 50 + 1)).unwrap();
        std::thread::sleep(Duration::from_millis(10));
    }
    // A last save, after all the others: once a rebuild has taken it in,
    // the served folder is what the final files give.
    let marker = site.path().join(PAGE);
    let text = fs::read_to_string(&marker).unwrap();
    fs::write(&marker, text.replacen("B2B", "B2B (fin)", 1)).unwrap();
    // A generous bound: on a busy machine a debug build takes its time.
    let deadline = Instant::now() + 12 * WAIT;
    let marker_dir = marker.parent().unwrap().canonicalize().unwrap();
    let takes_in_marker = |p: &PathBuf| {
        p.file_name() == marker.file_name()
            || p.canonicalize().is_ok_and(|p| marker_dir.starts_with(p))
    };
    while !rebuilt.lock().unwrap().iter().any(takes_in_marker) {
        assert!(
            Instant::now() < deadline,
            "the last save was never rebuilt; rebuilt: {:?}",
            rebuilt.lock().unwrap()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(!server.has_errors());
    let after_storm = tree(&served);
    server.stop();

    let full = site.path().join("full");
    let report = crate::common::build_into(site.path(), &full);
    assert_eq!(report.errors(), 0, "{:#?}", report.diagnostics);
    let built = tree(&full);
    let differing: std::collections::BTreeSet<_> = built
        .keys()
        .chain(after_storm.keys())
        .filter(|p| built.get(*p) != after_storm.get(*p))
        .collect();
    assert!(
        differing.is_empty(),
        "served and built differ: {differing:?}"
    );
}

#[test]
fn a_template_error_during_serve_shows_the_overlay_and_the_last_good_site_stays() {
    let site = example_site();
    let engine = IncrementalEngine::new(site.path(), ReadOptions::default()).unwrap();
    let server = serve::start(engine, QUIET).unwrap();
    let addr = server.addr();
    let good = get(addr, PAGE_URL).text();
    let mut events = Events::connect(addr, Some(&token_of(&good)));

    let template = site.path().join("themes/default/templates/page.html");
    let text = fs::read_to_string(&template).unwrap();
    let line = text.lines().find(|l| l.starts_with("{% block ")).unwrap();
    fs::write(
        &template,
        text.replacen(line, &format!("{line} {{% if %}}"), 1),
    )
    .unwrap();
    let error = events.expect("error");
    let message: serde_json::Value = serde_json::from_str(&error.data).unwrap();
    let message = message["message"].as_str().unwrap();
    assert!(
        message.contains("themes/default/templates/page.html:"),
        "{message}"
    );
    let during = get(addr, PAGE_URL);
    assert_eq!(during.status, 200);
    assert_eq!(title_of(&during.text()), title_of(&good));

    fs::write(&template, &text).unwrap();
    events.expect("reload");
    assert!(!server.has_errors());
    server.stop();
}

#[test]
fn two_thousand_requests_from_fifty_clients_are_all_answered() {
    let site = example_site();
    let engine = IncrementalEngine::new(site.path(), ReadOptions::default()).unwrap();
    let server = serve::start(engine, QUIET).unwrap();
    let addr = server.addr();
    let targets = [
        PAGE_URL,
        "/",
        "/fr/",
        "/sitemap.xml",
        "/assets/tolk.css",
        "/nope/",
    ];
    let clients: Vec<_> = (0..50)
        .map(|client| {
            std::thread::spawn(move || {
                (0..40)
                    .map(|n| {
                        let target = targets[(client + n) % targets.len()];
                        (target, get(addr, target).status)
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let answers: Vec<(&str, u16)> = clients
        .into_iter()
        .flat_map(|c| c.join().unwrap())
        .collect();
    assert_eq!(answers.len(), 2_000);
    for (target, status) in answers {
        let expected = if target == "/nope/" { 404 } else { 200 };
        assert_eq!(status, expected, "{target}");
    }
    server.stop();
}
