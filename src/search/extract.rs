//! What search reads of a rendered page: its text in reading order, with
//! markers where a heading's weight starts and ends and where an element
//! with an `id` (an anchor a result can lead to) begins, and the page's
//! metadata, filters and sort keys.
//!
//! The rules are Pagefind's, so that a theme marks its pages the way
//! Pagefind documents: `data-pagefind-body` (only that part is indexed, and
//! pages without it are left out once any page has one),
//! `data-pagefind-ignore` (`index` or `all`), `data-pagefind-weight`,
//! `data-pagefind-meta`, `data-pagefind-default-meta`,
//! `data-pagefind-filter`, `data-pagefind-sort`, `data-pagefind-title` and
//! `data-pagefind-index-attrs`; headings weigh more (`h1` 7 down to `h6` 2);
//! `head`, `nav`, `footer`, forms, scripts and the like are left out.
//!
//! Elements close into their parent: each open element gathers its text,
//! and at its end tag the text goes to the parent (or nowhere, when ignored).

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use lol_html::html_content::{Element, TextChunk};
use lol_html::{HtmlRewriter, Settings, element, text};

/// A marker word in the text: where an anchor starts. Private-use
/// characters, so that no text of a page can look like one.
pub(super) const ANCHOR_MARK: &str = "\u{F8F0}anchor\u{F8F0}";
/// A marker word: a weight given by the theme starts (`…weight…2.5`).
pub(super) const WEIGHT_MARK: &str = "\u{F8F0}weight\u{F8F0}";
/// A marker word: a heading's own weight starts, unless a weight is set.
pub(super) const AUTO_WEIGHT_MARK: &str = "\u{F8F0}auto\u{F8F0}";
/// A marker word: the last weight that started ends.
pub(super) const WEIGHT_END_MARK: &str = "\u{F8F0}end\u{F8F0}";

/// Block elements: their text is kept apart from the next with a space and,
/// where it does not end a sentence, a full stop (for readable excerpts).
const BLOCKS: [&str; 13] = [
    "h1", "h2", "h3", "h4", "h5", "h6", "p", "td", "div", "ul", "li", "article", "section",
];
/// Inline elements: text in them still belongs to the anchor around them.
const INLINES: [&str; 33] = [
    "a", "abbr", "acronym", "b", "bdo", "big", "br", "button", "cite", "code", "dfn", "em", "i",
    "img", "input", "kbd", "label", "map", "object", "output", "q", "samp", "script", "select",
    "small", "span", "strong", "sub", "sup", "textarea", "time", "tt", "var",
];
/// Left out of the index wherever they are.
const LEFT_OUT: &str = "html head, html style, html script, html noscript, html label, \
                        html form, html svg, html footer, html nav, html iframe, html template";

/// What a page gives search, before its words are counted.
#[derive(Debug, Default)]
pub(super) struct PageText {
    /// `<html lang>`, lowercase; `unknown` without one.
    pub language: String,
    /// The text, entities decoded, spaces collapsed, with the markers above.
    pub digest: String,
    pub meta: BTreeMap<String, String>,
    pub filters: BTreeMap<String, Vec<String>>,
    pub sort: BTreeMap<String, String>,
    /// The text of each anchor (`3:pricing`, its number and `id`).
    pub anchor_text: BTreeMap<String, String>,
    /// `data-pagefind-title` of the anchors that have one.
    pub anchor_titles: BTreeMap<String, String>,
    /// The page has a `data-pagefind-body` element.
    pub has_body: bool,
}

/// Reads the page. Malformed HTML is read as browsers would; only a failure
/// of the parser itself is an error.
pub(super) fn page_text(html: &[u8]) -> Result<PageText, String> {
    let state = Rc::new(RefCell::new(State::default()));
    let handlers = vec![
        element!("html", {
            let state = Rc::clone(&state);
            move |el| {
                let mut state = state.borrow_mut();
                if let Some(lang) = el.get_attribute("lang") {
                    state.language = Some(lang.to_lowercase());
                }
                Ok(())
            }
        }),
        element!("html, html *", {
            let state = Rc::clone(&state);
            move |el| {
                open_element(&state, el);
                Ok(())
            }
        }),
        element!(LEFT_OUT, {
            let state = Rc::clone(&state);
            move |_| {
                if let Some(node) = state.borrow_mut().stack.last_mut() {
                    node.status = Status::Ignored;
                }
                Ok(())
            }
        }),
        text!("html, html *", {
            let state = Rc::clone(&state);
            move |chunk| {
                take_text(&mut state.borrow_mut(), chunk);
                Ok(())
            }
        }),
    ];
    let settings = handlers
        .into_iter()
        .fold(Settings::new().with_strict(false), |settings, handler| {
            settings.append_element_content_handler(handler)
        });
    let mut rewriter = HtmlRewriter::new(settings, |_: &[u8]| {});
    rewriter.write(html).map_err(|err| err.to_string())?;
    rewriter.end().map_err(|err| err.to_string())?;
    let state = Rc::try_unwrap(state)
        .map_err(|_| "the search parser kept its state".to_string())?
        .into_inner();
    Ok(state.finish())
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Status {
    Indexing,
    /// Not indexed; its metadata still counts.
    Ignored,
    /// Not indexed, nor its metadata.
    Excluded,
    Body,
    /// Holds a body: its own text outside the body is dropped.
    ParentOfBody,
}

/// An open element.
#[derive(Debug)]
struct Node {
    /// Tells nodes apart, so an end tag closes its own node.
    serial: usize,
    text: String,
    status: Status,
    filter: Option<Vec<String>>,
    sort: Option<Vec<String>>,
    meta: Option<Vec<String>>,
    default_meta: Option<Vec<String>>,
    weight: Option<String>,
    /// Anchors whose text this element's text belongs to.
    anchors: Option<Vec<String>>,
}

impl Node {
    fn new(serial: usize, status: Status) -> Self {
        Node {
            serial,
            text: String::new(),
            status,
            filter: None,
            sort: None,
            meta: None,
            default_meta: None,
            weight: None,
            anchors: None,
        }
    }

    /// `name:value` gives that value; a bare `name`, the element's text.
    fn pair(&self, spec: &str) -> Option<(String, String)> {
        match spec.split_once(':') {
            Some((name, value)) => Some((name.to_owned(), normalize_text(value))),
            None if self.text.is_empty() => None,
            None => Some((spec.to_owned(), normalize_text(&self.text))),
        }
    }
}

#[derive(Debug)]
struct State {
    /// The open elements; the first is the document itself.
    stack: Vec<Node>,
    serials: usize,
    anchors: usize,
    language: Option<String>,
    meta: BTreeMap<String, String>,
    default_meta: BTreeMap<String, String>,
    filters: BTreeMap<String, Vec<String>>,
    sort: BTreeMap<String, String>,
    anchor_text: BTreeMap<String, String>,
    anchor_titles: BTreeMap<String, String>,
}

impl Default for State {
    fn default() -> Self {
        State {
            stack: vec![Node::new(0, Status::Indexing)],
            serials: 1,
            anchors: 0,
            language: None,
            meta: BTreeMap::new(),
            default_meta: BTreeMap::new(),
            filters: BTreeMap::new(),
            sort: BTreeMap::new(),
            anchor_text: BTreeMap::new(),
            anchor_titles: BTreeMap::new(),
        }
    }
}

fn open_element(shared: &Rc<RefCell<State>>, el: &mut Element) {
    let tag = el.tag_name();
    let mut state = shared.borrow_mut();
    let status = if el.has_attribute("data-pagefind-body") {
        Status::Body
    } else {
        match el.get_attribute("data-pagefind-ignore") {
            Some(flag) => match flag.to_ascii_lowercase().as_str() {
                "" | "index" | "true" => Status::Ignored,
                _ => Status::Excluded,
            },
            None => Status::Indexing,
        }
    };
    let anchor = anchor_of(&mut state, el, &tag, status);
    if status != Status::Excluded {
        push_indexed_attributes(&mut state, el);
        if tag == "br" {
            parent(&mut state).text.push(' ');
        }
    }
    let serial = state.serials;
    state.serials += 1;
    let parent_node = parent(&mut state);
    let mut anchors = match &parent_node.anchors {
        Some(anchors) if INLINES.contains(&tag.as_str()) => Some(anchors.clone()),
        _ => None,
    };
    if let Some(anchor) = anchor {
        anchors.get_or_insert_with(Vec::new).push(anchor);
    }
    let inherited = match parent_node.status {
        Status::Excluded => Status::Excluded,
        _ => status,
    };
    let specs_of = |name: &str| el.get_attribute(name).map(|a| specs(&a, el));
    let mut node = Node::new(serial, inherited);
    node.filter = specs_of("data-pagefind-filter");
    node.sort = specs_of("data-pagefind-sort");
    node.meta = specs_of("data-pagefind-meta");
    node.default_meta = specs_of("data-pagefind-default-meta");
    node.weight = el.get_attribute("data-pagefind-weight");
    node.anchors = anchors;
    state.stack.push(node);
    drop(state);
    match el.end_tag_handlers() {
        Some(handlers) => {
            let shared = Rc::clone(shared);
            handlers.push(Box::new(move |_| {
                close_element(&mut shared.borrow_mut(), serial, &tag);
                Ok(())
            }));
        }
        // A void element (`<img>`) has no end tag: it closes at once, and
        // may give the page its image.
        None => {
            let mut state = shared.borrow_mut();
            if let Some(node) = pop_to(&mut state, serial)
                && node.status != Status::Excluded
            {
                take_metadata(&mut state, &node, &tag);
                take_image(&mut state, el, &tag);
            }
        }
    }
}

/// The element's anchor (`number:id`), when it has an `id` and is indexed:
/// a marker goes into the parent's text where it starts.
fn anchor_of(state: &mut State, el: &Element, tag: &str, status: Status) -> Option<String> {
    if matches!(status, Status::Excluded | Status::Ignored) {
        return None;
    }
    let id: String = el.get_attribute("id")?.split_whitespace().collect();
    let number = state.anchors;
    let parent_node = parent(state);
    let outside_body = parent_node.status == Status::ParentOfBody
        && !matches!(status, Status::Body | Status::ParentOfBody);
    if outside_body {
        return None;
    }
    parent_node
        .text
        .push_str(&format!(" {ANCHOR_MARK}{tag}:{number}:{id} "));
    state.anchors += 1;
    let anchor = format!("{number}:{id}");
    if let Some(title) = el
        .get_attribute("data-pagefind-title")
        .map(|t| normalize_text(&t))
        .filter(|t| !t.is_empty())
    {
        state.anchor_titles.insert(anchor.clone(), title);
    }
    Some(anchor)
}

/// The values of `data-pagefind-index-attrs`' attributes (an image's `alt`)
/// join the text, as sentences.
fn push_indexed_attributes(state: &mut State, el: &Element) {
    let Some(names) = el.get_attribute("data-pagefind-index-attrs") else {
        return;
    };
    for name in names.split(',') {
        let mut value = el.get_attribute(name.trim()).unwrap_or_default();
        if value.chars().last().is_some_and(ends_unfinished) {
            value.push('.');
        }
        let text = &mut parent(state).text;
        text.push(' ');
        text.push_str(&value);
        text.push(' ');
    }
}

fn take_text(state: &mut State, chunk: &TextChunk) {
    let text = chunk.as_str();
    let Some(node) = state.stack.last_mut() else {
        return;
    };
    node.text.push_str(text);
    if matches!(node.status, Status::Ignored | Status::Excluded) {
        return;
    }
    if let Some(anchors) = node.anchors.clone() {
        for anchor in anchors {
            state.anchor_text.entry(anchor).or_default().push_str(text);
        }
    }
}

/// The parent of the element being opened: the top of the stack.
fn parent(state: &mut State) -> &mut Node {
    if state.stack.is_empty() {
        state.stack.push(Node::new(0, Status::Indexing));
    }
    let last = state.stack.len() - 1;
    &mut state.stack[last]
}

/// Closes the node `serial` and any left open inside it (their text is
/// lost, as it never reached them), and returns it.
fn pop_to(state: &mut State, serial: usize) -> Option<Node> {
    let at = state.stack.iter().rposition(|n| n.serial == serial)?;
    // The document node is never closed.
    if at == 0 {
        return None;
    }
    let node = state.stack.swap_remove(at);
    state.stack.truncate(at);
    Some(node)
}

fn close_element(state: &mut State, serial: usize, tag: &str) {
    let Some(mut node) = pop_to(state, serial) else {
        return;
    };
    if node.status == Status::Excluded {
        return;
    }
    take_metadata(state, &node, tag);
    if node.status == Status::Ignored {
        return;
    }
    if BLOCKS.contains(&tag) {
        node.text.insert(0, ' ');
        if node.text.chars().last().is_some_and(ends_unfinished) {
            node.text.push('.');
        }
        node.text.push(' ');
    }
    let weight = match (&node.weight, auto_weight(tag)) {
        (Some(weight), _) => Some((WEIGHT_MARK, weight.as_str())),
        (None, Some(weight)) => Some((AUTO_WEIGHT_MARK, weight)),
        (None, None) => None,
    };
    if let Some((mark, weight)) = weight {
        node.text = [
            " ",
            mark,
            weight,
            " ",
            &node.text,
            " ",
            WEIGHT_END_MARK,
            " ",
        ]
        .concat();
    }
    join_parent(parent(state), node);
}

/// The element's text goes to its parent; a body replaces what the parent
/// held, and from then on the parent keeps only bodies.
fn join_parent(parent: &mut Node, node: Node) {
    let body = matches!(node.status, Status::Body | Status::ParentOfBody);
    if parent.status == Status::ParentOfBody && !body {
        return;
    }
    match node.status {
        Status::Ignored | Status::Excluded => {}
        Status::Indexing => parent.text.push_str(&node.text),
        Status::Body | Status::ParentOfBody => {
            if parent.status != Status::ParentOfBody {
                parent.text.clear();
            }
            parent.text.push_str(&node.text);
            parent.status = Status::ParentOfBody;
        }
    }
}

fn auto_weight(tag: &str) -> Option<&'static str> {
    Some(match tag {
        "h1" => "7",
        "h2" => "6",
        "h3" => "5",
        "h4" => "4",
        "h5" => "3",
        "h6" => "2",
        _ => return None,
    })
}

/// Filters, sort keys and metadata the element gives, and the page's title
/// from its first `h1` (else its `<title>`).
fn take_metadata(state: &mut State, node: &Node, tag: &str) {
    for spec in node.filter.iter().flatten() {
        if let Some((name, value)) = node.pair(spec) {
            state.filters.entry(name).or_default().push(value);
        }
    }
    for spec in node.sort.iter().flatten() {
        if let Some((name, value)) = node.pair(spec) {
            state.sort.insert(name, value);
        }
    }
    for spec in node.meta.iter().flatten() {
        if let Some((name, value)) = node.pair(spec) {
            state.meta.insert(name, value);
        }
    }
    for spec in node.default_meta.iter().flatten() {
        if let Some((name, value)) = node.pair(spec) {
            state.default_meta.insert(name, value);
        }
    }
    let first = |state: &State, key: &str| !state.meta.contains_key(key);
    if tag == "h1" && first(state, "auto_title") && !node.text.trim().is_empty() {
        state
            .meta
            .insert("auto_title".into(), normalize_text(&node.text));
    }
    if tag == "title" && first(state, "auto_page_title") {
        state
            .meta
            .insert("auto_page_title".into(), normalize_text(&node.text));
    }
}

/// The first image after the title is the page's image.
fn take_image(state: &mut State, el: &Element, tag: &str) {
    let titled = state.meta.contains_key("auto_title") || state.meta.contains_key("title");
    if tag != "img" || state.meta.contains_key("auto_image") || !titled {
        return;
    }
    if let Some(src) = el.get_attribute("src") {
        state.meta.insert("auto_image".into(), normalize_text(&src));
        if let Some(alt) = el.get_attribute("alt") {
            state
                .meta
                .insert("auto_image_alt".into(), normalize_text(&alt));
        }
    }
}

impl State {
    /// Closes what is still open and settles the page's metadata.
    fn finish(mut self) -> PageText {
        while self.stack.len() > 1 {
            let node = self.stack.pop().expect("more than one node");
            let parent = parent(&mut self);
            if parent.status != Status::ParentOfBody {
                join_parent(parent, node);
            }
        }
        let mut meta = std::mem::take(&mut self.meta);
        if let Some(image) = meta.remove("auto_image") {
            let alt = meta.remove("auto_image_alt").unwrap_or_default();
            if !meta.contains_key("image") {
                meta.insert("image".into(), image);
                meta.insert("image_alt".into(), alt);
            }
        }
        for auto in ["auto_title", "auto_page_title"] {
            if let Some(title) = meta.remove(auto) {
                meta.entry("title".into()).or_insert(title);
            }
        }
        let mut all_meta = std::mem::take(&mut self.default_meta);
        all_meta.extend(meta);
        let root = self
            .stack
            .pop()
            .unwrap_or_else(|| Node::new(0, Status::Indexing));
        PageText {
            language: self
                .language
                .filter(|lang| !lang.is_empty())
                .unwrap_or_else(|| "unknown".into()),
            digest: normalize_text(&root.text),
            meta: all_meta,
            filters: self.filters,
            sort: self.sort,
            anchor_text: self.anchor_text,
            anchor_titles: self.anchor_titles,
            has_body: root.status == Status::ParentOfBody,
        }
    }
}

/// `data-pagefind-meta="title, image[src], section:Guides"`: names, names
/// whose value is an attribute of the element, and one literal after the
/// first colon.
fn specs(attribute: &str, el: &Element) -> Vec<String> {
    if let Some((names, literal)) = attribute.split_once(':') {
        let mut specs = specs(names, el);
        if let Some(last) = specs.last_mut() {
            last.push(':');
            last.push_str(literal);
        }
        return specs;
    }
    attribute
        .split(',')
        .map(|chunk| {
            let chunk = chunk.trim();
            match attribute_spec(chunk) {
                Some((name, attr)) => {
                    format!("{name}:{}", el.get_attribute(attr).unwrap_or_default())
                }
                None => chunk.to_owned(),
            }
        })
        .collect()
}

/// `image[src]` -> (`image`, `src`).
fn attribute_spec(chunk: &str) -> Option<(&str, &str)> {
    let inner = chunk.strip_suffix(']')?;
    let (name, attr) = inner.split_once('[')?;
    let bad_name = name.is_empty() || name.contains([':', ']']);
    (!bad_name && !attr.is_empty()).then_some((name, attr))
}

/// Ends without a sentence's end: a letter, digit, quote, bracket, `$` or `*`.
fn ends_unfinished(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '\'' | '"' | ')' | '$' | '*')
}

/// Entities decoded, the ends trimmed, line breaks and runs of spaces made
/// one space.
pub(super) fn normalize_text(text: &str) -> String {
    let decoded = html_escape::decode_html_entities(text);
    let trimmed = decoded.trim();
    let mut out = String::with_capacity(trimmed.len());
    let mut chars = trimmed.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_whitespace() {
            let mut run = 1;
            let mut last = c;
            while let Some(&next) = chars.peek().filter(|n| n.is_whitespace()) {
                run += 1;
                last = next;
                chars.next();
            }
            out.push(if run > 1 || c == '\n' || (c == '\r' && last == '\n') {
                ' '
            } else {
                c
            });
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_body_is_read_and_headings_weigh_more() {
        let html = br#"<html lang="FR"><head><title>T</title></head><body>
            <nav>Menu</nav><article data-pagefind-body><h1 id="top">Titre</h1>
            <p>Un texte</p></article><footer>Pied</footer></body></html>"#;
        let page = page_text(html).unwrap();
        assert_eq!(page.language, "fr");
        assert!(page.has_body);
        assert!(!page.digest.contains("Menu") && !page.digest.contains("Pied"));
        assert!(page.digest.contains(AUTO_WEIGHT_MARK), "{}", page.digest);
        assert!(page.digest.contains("Un texte."), "{}", page.digest);
        assert_eq!(page.meta["title"], "Titre");
        assert_eq!(page.anchor_text["0:top"], "Titre");
    }

    #[test]
    fn meta_takes_a_literal_after_the_colon() {
        let html = br#"<html><body><div data-pagefind-body data-pagefind-meta="section:B2B vs B2C">x</div></body></html>"#;
        let page = page_text(html).unwrap();
        assert_eq!(page.meta["section"], "B2B vs B2C");
        assert_eq!(page.language, "unknown");
    }

    #[test]
    fn ignored_parts_are_not_read() {
        let html =
            br#"<html><body><p>keep <span data-pagefind-ignore>drop</span></p></body></html>"#;
        let page = page_text(html).unwrap();
        assert!(page.digest.contains("keep") && !page.digest.contains("drop"));
    }

    #[test]
    fn text_is_normalised_like_the_excerpts_show_it() {
        assert_eq!(normalize_text("  a\n\nb  c&amp;d\te "), "a b c&d\te");
    }

    #[test]
    fn deep_nesting_is_read_without_recursion() {
        let html = format!(
            "<html><body>{}word{}</body></html>",
            "<div>".repeat(20_000),
            "</div>".repeat(20_000)
        );
        let page = page_text(html.as_bytes()).unwrap();
        assert!(page.digest.contains("word"));
    }
}
