//! The HTTP side: files of the output folder, the live-reload script, and
//! the stream of build events it listens to.
//!
//! Requests are answered from whatever the output folder holds at that
//! moment; the engine replaces it only with complete builds. Paths are
//! decoded, split and checked segment by segment before they touch the file
//! system, and the file found must still lie inside the output folder once
//! symbolic links are resolved.

use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio::sync::{oneshot, watch};

use super::client;
use super::{Live, Shared};

/// The event stream the injected script connects to.
pub(crate) const EVENTS_PATH: &str = "/__tolk/events";
/// The injected script itself.
pub(crate) const SCRIPT_PATH: &str = "/__tolk/live.js";

/// A comment line is sent this often on an idle event stream, so a closed
/// connection is noticed and nothing between times it out.
const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// How long open connections get to finish once the server stops.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

/// Serves until `shutdown` fires (or Ctrl-C, when asked).
pub(super) async fn serve(
    listener: std::net::TcpListener,
    live: Shared,
    shutdown: oneshot::Receiver<()>,
    until_ctrl_c: bool,
) {
    let listener = match tokio::net::TcpListener::from_std(listener) {
        Ok(listener) => listener,
        Err(err) => {
            eprintln!("error: cannot serve: {err}");
            return;
        }
    };
    let app = Router::new()
        .route(EVENTS_PATH, get(events))
        .route(SCRIPT_PATH, get(script))
        .fallback(site)
        .with_state(live.clone());
    let closing = live.clone();
    let signal = async move {
        if until_ctrl_c {
            tokio::select! {
                _ = shutdown => {}
                _ = interrupted() => {}
            }
        } else {
            let _ = shutdown.await;
        }
        // Ends the event streams, which would otherwise keep their
        // connections open for ever.
        closing.send_modify(|live| live.closing = true);
    };
    let mut deadline = live.subscribe();
    let server = axum::serve(listener, app).with_graceful_shutdown(signal);
    tokio::select! {
        result = server => {
            if let Err(err) = result {
                eprintln!("error: the server stopped: {err}");
            }
        }
        // A client that keeps a request open past the grace period is cut off.
        _ = async {
            let _ = deadline.wait_for(|live| live.closing).await;
            tokio::time::sleep(SHUTDOWN_GRACE).await;
        } => {}
    }
}

/// Ctrl-C, or on Unix a polite `kill` (SIGTERM) as well.
async fn interrupted() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut terminate) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = terminate.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

async fn script() -> Response {
    let mut response = client::SCRIPT.into_response();
    set_header(
        &mut response,
        header::CONTENT_TYPE,
        "text/javascript; charset=utf-8",
    );
    set_header(&mut response, header::CACHE_CONTROL, "no-store");
    response
}

/// `GET /__tolk/events?since=TOKEN`: Server-Sent Events. `reload` when a
/// build succeeded (or at once when `since` is not the last good build),
/// `changed` with `{"token": …, "urls": […]}` when after a reload only
/// those pages changed again (the page reloads if it is one of them),
/// `error` with `{"message": …}` while the last build failed.
async fn events(State(live): State<Shared>, request: Request) -> Response {
    let since = request
        .uri()
        .query()
        .and_then(|query| query_value(query, "since"));
    let stream = EventStream {
        live: live.subscribe(),
        since,
        started: false,
        told: None,
    };
    let body = futures_util::stream::unfold(stream, |mut stream| async move {
        let text = stream.next().await?;
        Some((Ok::<String, Infallible>(text), stream))
    });
    let mut response = Response::new(Body::from_stream(body));
    set_header(&mut response, header::CONTENT_TYPE, "text/event-stream");
    set_header(&mut response, header::CACHE_CONTROL, "no-store");
    response
        .headers_mut()
        .insert("x-accel-buffering", HeaderValue::from_static("no"));
    response
}

struct EventStream {
    live: watch::Receiver<Live>,
    since: Option<String>,
    started: bool,
    /// The build the page was last told of (or was served from).
    told: Option<String>,
}

impl EventStream {
    /// The next piece of the stream; `None` ends it.
    async fn next(&mut self) -> Option<String> {
        if !self.started {
            self.started = true;
            return self.opening();
        }
        match tokio::time::timeout(KEEP_ALIVE, self.live.changed()).await {
            Err(_elapsed) => Some(": keep-alive\n\n".to_string()),
            Ok(Err(_closed)) => None,
            Ok(Ok(())) => {
                let live = self.live.borrow_and_update();
                if live.closing {
                    return None;
                }
                if let Some(error) = &live.error {
                    return Some(error_event(error));
                }
                let told = self.told.replace(live.token.clone());
                Some(match &live.partial {
                    Some((base, urls)) if told.as_ref() == Some(base) => {
                        changed_event(&live.token, urls)
                    }
                    _ => reload_event(&live.token),
                })
            }
        }
    }

    /// Asks for quick reconnection, then tells a page that is already out
    /// of date to reload, or shows the current errors.
    fn opening(&mut self) -> Option<String> {
        let live = self.live.borrow_and_update();
        if live.closing {
            return None;
        }
        let mut text = String::from("retry: 1000\n\n");
        self.told = Some(live.token.clone());
        match (&self.since, &live.error) {
            (Some(since), _) if *since != live.token => text.push_str(&reload_event(&live.token)),
            (_, Some(error)) => text.push_str(&error_event(error)),
            _ => text.push_str(": connected\n\n"),
        }
        Some(text)
    }
}

fn reload_event(token: &str) -> String {
    format!("event: reload\ndata: {token}\n\n")
}

fn changed_event(token: &str, urls: &[String]) -> String {
    let data = serde_json::json!({ "token": token, "urls": urls });
    format!("event: changed\ndata: {data}\n\n")
}

fn error_event(message: &str) -> String {
    // JSON keeps the message on one `data:` line whatever it holds.
    let data = serde_json::json!({ "message": message });
    format!("event: error\ndata: {data}\n\n")
}

/// The value of `key` in a query string, percent-decoded.
fn query_value(query: &str, key: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        (name == key)
            .then(|| percent_decode(&value.replace('+', " ")))
            .flatten()
    })
}

/// Everything else: a file of the site.
async fn site(State(live): State<Shared>, request: Request) -> Response {
    let method = request.method();
    if method != Method::GET && method != Method::HEAD {
        let mut response = plain(StatusCode::METHOD_NOT_ALLOWED, "method not allowed\n");
        set_header(&mut response, header::ALLOW, "GET, HEAD");
        return response;
    }
    let (output, base_path, token) = {
        let live = live.borrow();
        (
            live.output.clone(),
            live.base_path.clone(),
            live.token.clone(),
        )
    };
    let path = request.uri().path().to_string();
    let query = request.uri().query().map(str::to_string);
    let answer = tokio::task::spawn_blocking(move || {
        answer(&output, &base_path, &path, query.as_deref(), &token)
    })
    .await;
    match answer {
        Ok(answer) => answer.into_response(),
        Err(_) => plain(StatusCode::INTERNAL_SERVER_ERROR, "internal error\n"),
    }
}

/// A response worked out away from the async runtime.
#[derive(Debug)]
pub(crate) struct Answer {
    pub status: StatusCode,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    pub location: Option<String>,
}

impl IntoResponse for Answer {
    fn into_response(self) -> Response {
        let mut response = Response::new(Body::from(self.body));
        *response.status_mut() = self.status;
        set_header(&mut response, header::CONTENT_TYPE, self.content_type);
        set_header(&mut response, header::CACHE_CONTROL, "no-store");
        set_header(&mut response, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
        if let Some(location) = self.location
            && let Ok(value) = HeaderValue::from_str(&location)
        {
            response.headers_mut().insert(header::LOCATION, value);
        }
        response
    }
}

/// Answers `GET raw_path` from `output`: a file, a folder's `index.html`, a
/// redirect adding the slash a folder's URL ends with, or a 404 page.
pub(crate) fn answer(
    output: &Path,
    base_path: &str,
    raw_path: &str,
    query: Option<&str>,
    token: &str,
) -> Answer {
    let Some(decoded) = percent_decode(raw_path) else {
        return bad_request();
    };
    let Some(within_site) = decoded.strip_prefix(base_path) else {
        // Outside the base path: `/docs` and `/` lead to the site's home.
        if base_path.trim_end_matches('/') == decoded || decoded == "/" {
            return redirect(base_path.to_string());
        }
        return not_found(output, &[], token);
    };
    let Some(segments) = safe_segments(within_site) else {
        return bad_request();
    };
    let target = segments.iter().fold(output.to_path_buf(), |p, s| p.join(s));
    if target.is_dir() {
        if !decoded.ends_with('/') {
            // Relative links in the page need the folder's URL to end in `/`.
            let mut location = format!("/{}/", raw_path.trim_start_matches('/'));
            if let Some(query) = query {
                location = format!("{location}?{query}");
            }
            return redirect(location);
        }
        let index = target.join("index.html");
        return match read_inside(output, &index) {
            Some(bytes) => file_answer(StatusCode::OK, &index, bytes, token),
            None => not_found(output, &segments, token),
        };
    }
    match read_inside(output, &target) {
        Some(bytes) => file_answer(StatusCode::OK, &target, bytes, token),
        None => not_found(output, &segments, token),
    }
}

/// The segments of a decoded path, or `None` when one of them could step
/// outside the output folder (`..`), name a root or drive, or hide a
/// separator. Empty segments (`//`) are skipped.
pub(crate) fn safe_segments(path: &str) -> Option<Vec<&str>> {
    let mut segments = Vec::new();
    for segment in path.split('/') {
        if segment.is_empty() {
            continue;
        }
        let suspicious = segment == "."
            || segment == ".."
            || segment.contains(['\\', '\0', ':'])
            || Path::new(segment).is_absolute();
        if suspicious {
            return None;
        }
        segments.push(segment);
    }
    Some(segments)
}

/// Percent-decodes a URL path into UTF-8; `None` for a malformed escape or
/// bytes that are not UTF-8.
pub(crate) fn percent_decode(raw: &str) -> Option<String> {
    let bytes = raw.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            decoded.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            decoded.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(decoded).ok()
}

/// Reads `file` if it is a file that, symbolic links resolved, still lies
/// inside `output`.
fn read_inside(output: &Path, file: &Path) -> Option<Vec<u8>> {
    let root = output.canonicalize().ok()?;
    let real = file.canonicalize().ok()?;
    if !real.starts_with(&root) || !real.is_file() {
        return None;
    }
    std::fs::read(real).ok()
}

/// The language's `404.html` when the path starts with a folder that has
/// one, else the site's, else a minimal page. Each one carries the script,
/// so the page reloads once the missing page is written.
fn not_found(output: &Path, segments: &[&str], token: &str) -> Answer {
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Some(first) = segments.first()
        && output.join(first).is_dir()
    {
        candidates.push(output.join(first).join("404.html"));
    }
    candidates.push(output.join("404.html"));
    for candidate in candidates {
        if let Some(bytes) = read_inside(output, &candidate) {
            return file_answer(StatusCode::NOT_FOUND, &candidate, bytes, token);
        }
    }
    let page = b"<!doctype html>\n<meta charset=\"utf-8\">\n<title>Not found</title>\n\
                 <body><h1>Not found</h1><p>No file of the site answers this address.</p></body>\n";
    Answer {
        status: StatusCode::NOT_FOUND,
        content_type: HTML,
        body: inject_script(page, token),
        location: None,
    }
}

const HTML: &str = "text/html; charset=utf-8";

fn file_answer(status: StatusCode, path: &Path, bytes: Vec<u8>, token: &str) -> Answer {
    let content_type = content_type(path);
    let body = if content_type == HTML {
        inject_script(&bytes, token)
    } else {
        bytes
    };
    Answer {
        status,
        content_type,
        body,
        location: None,
    }
}

fn redirect(location: String) -> Answer {
    Answer {
        status: StatusCode::TEMPORARY_REDIRECT,
        content_type: "text/plain; charset=utf-8",
        body: format!("see {location}\n").into_bytes(),
        location: Some(location),
    }
}

fn bad_request() -> Answer {
    Answer {
        status: StatusCode::BAD_REQUEST,
        content_type: "text/plain; charset=utf-8",
        body: b"bad request: this path is not allowed\n".to_vec(),
        location: None,
    }
}

fn plain(status: StatusCode, text: &'static str) -> Response {
    let mut response = Response::new(Body::from(text));
    *response.status_mut() = status;
    set_header(
        &mut response,
        header::CONTENT_TYPE,
        "text/plain; charset=utf-8",
    );
    response
}

fn set_header(response: &mut Response, name: header::HeaderName, value: &'static str) {
    response
        .headers_mut()
        .insert(name, HeaderValue::from_static(value));
}

/// The media type of a file, by its extension.
pub(crate) fn content_type(path: &Path) -> &'static str {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match extension.as_str() {
        "html" | "htm" => HTML,
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" | "map" => "application/json",
        "xml" => "application/xml",
        "txt" => "text/plain; charset=utf-8",
        "md" => "text/markdown; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "wasm" => "application/wasm",
        "pdf" => "application/pdf",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        // Pagefind's index files, and anything unknown.
        _ => "application/octet-stream",
    }
}

/// Inserts the live-reload script before the last `</body>` (any case), or
/// at the end when there is none.
pub(crate) fn inject_script(html: &[u8], token: &str) -> Vec<u8> {
    let tag = format!("<script src=\"{SCRIPT_PATH}\" data-since=\"{token}\"></script>");
    let at = html
        .windows(7)
        .rposition(|w| w.eq_ignore_ascii_case(b"</body>"))
        .unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + tag.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(tag.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traversal_and_odd_segments_are_refused() {
        for path in ["/../x", "/a/../../x", "/./x", "/a\\..\\x", "/c:/x", "/a/\0"] {
            assert_eq!(safe_segments(path), None, "{path}");
        }
        assert_eq!(safe_segments("//fr///a/"), Some(vec!["fr", "a"]));
        assert_eq!(safe_segments("/"), Some(vec![]));
    }

    #[test]
    fn encoded_dots_and_slashes_are_decoded_before_checking() {
        let decoded = percent_decode("/%2e%2E%2fsecret").unwrap();
        assert_eq!(decoded, "/..%2fsecret".replace("%2f", "/"));
        assert_eq!(safe_segments(&decoded), None);
        assert_eq!(percent_decode("/r%C3%A9sum%C3%A9/").unwrap(), "/résumé/");
        assert_eq!(percent_decode("/%zz"), None);
        assert_eq!(percent_decode("/%ff"), None);
    }

    #[test]
    fn script_goes_before_the_last_closing_body() {
        let html = b"<html><body><p>&lt;/body&gt;</p></BODY></html>";
        let out = String::from_utf8(inject_script(html, "t-1")).unwrap();
        assert!(
            out.ends_with("data-since=\"t-1\"></script></BODY></html>"),
            "{out}"
        );
        let bare = String::from_utf8(inject_script(b"<p>x", "t")).unwrap();
        assert!(bare.starts_with("<p>x<script"), "{bare}");
    }

    #[test]
    fn content_types_by_extension() {
        let of = |name: &str| content_type(Path::new(name));
        assert_eq!(of("a/index.HTML"), HTML);
        assert_eq!(of("pagefind/pagefind.js"), "text/javascript; charset=utf-8");
        assert_eq!(of("fr/atom.xml"), "application/xml");
        assert_eq!(of("fonts/x.woff2"), "font/woff2");
        assert_eq!(of("wasm.fr.pagefind"), "application/octet-stream");
        assert_eq!(of("index/fr_1.pf_index"), "application/octet-stream");
        assert_eq!(of("pagefind.wasm"), "application/wasm");
    }

    #[test]
    fn query_values_are_found_and_decoded() {
        assert_eq!(
            query_value("a=1&since=x-2", "since").as_deref(),
            Some("x-2")
        );
        assert_eq!(query_value("since=a%20b", "since").as_deref(), Some("a b"));
        assert_eq!(query_value("other=1", "since"), None);
    }

    #[test]
    fn events_are_well_formed() {
        assert_eq!(reload_event("t-3"), "event: reload\ndata: t-3\n\n");
        let error = error_event("line 1\nline <2>");
        assert!(error.starts_with("event: error\ndata: {"), "{error}");
        assert_eq!(error.matches('\n').count(), 3, "{error}");
        let changed = changed_event("t-4", &["/fr/".to_string()]);
        assert_eq!(
            changed,
            "event: changed\ndata: {\"token\":\"t-4\",\"urls\":[\"/fr/\"]}\n\n"
        );
    }
}
