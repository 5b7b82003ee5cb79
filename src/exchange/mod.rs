//! Translation exchange: a language's text to translate out as XLIFF, for
//! translators and their tools, and their translations back into Markdown.
//!
//! [`export`] cuts each page into units ([`segments`]: one per heading,
//! paragraph, list item, table cell, alert body, title and description),
//! markup kept as codes; [`xliff`] writes them as XLIFF 1.2 or 2.1.
//! [`import`] reads such files ([`parse`]) and writes each translated unit
//! into its page ([`apply`]), all of a file or none of it.
//!
//! A unit's id comes from the page's group, the unit's place (its kind and
//! the headings above it) and its source text, so an id stays when other
//! blocks move. What a code stands for is not trusted to the file: the
//! import reads it again from the page, which is why a page changed since
//! its export is refused.

mod apply;
mod front;
mod parse;
mod segments;
mod xliff;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::align::blocks;
use crate::model::staleness::{BlockChangeKind, SourceChanges};
use crate::model::{Diagnostic, LoadedSite, SourcePage, urls};

pub use apply::{ImportReport, WrittenFile, import};
pub use xliff::Version;

use front::Layout;
use segments::{Piece, Segment, SegmentKind};

/// What `tolk xliff export` was asked for.
#[derive(Clone, Debug)]
pub struct ExportOptions {
    pub lang: String,
    /// Only new pages and the blocks their source changed since.
    pub changed: bool,
    pub version: Version,
    /// One file for the language instead of one per page.
    pub single: bool,
}

/// One page's units, as one `<file>` of an XLIFF document.
#[derive(Clone, Debug)]
pub(crate) struct PageExport {
    /// Relative to the site root, as diagnostics name files.
    pub source_path: String,
    pub target_path: String,
    pub source_lang: String,
    pub target_lang: String,
    /// The source's revision the translation is made from.
    pub revision: Option<String>,
    /// Hashes of both files as exported: an import checks they did not
    /// change since.
    pub source_hash: String,
    pub target_hash: Option<String>,
    /// Why this source was chosen when it is not the site's source language.
    pub source_note: Option<String>,
    pub units: Vec<Unit>,
}

#[derive(Clone, Debug)]
pub(crate) struct Unit {
    pub id: String,
    pub kind: SegmentKind,
    pub source: Vec<Piece>,
    /// The translation there is, when its codes match the source's.
    pub target: Option<Vec<Piece>>,
    /// Context only: its source did not change.
    pub locked: bool,
    pub notes: Vec<String>,
    /// Its line in the source file, `line:column` for the second unit and
    /// later ones of a line (table cells), so tools keep them apart.
    pub location: String,
}

/// A file `export` made: where it goes and its text.
#[derive(Clone, Debug)]
pub struct ExportFile {
    pub path: PathBuf,
    pub contents: String,
    pub units: usize,
}

/// The XLIFF files of one language, and problems with pages left out.
pub fn export(
    site: &LoadedSite,
    options: &ExportOptions,
) -> Result<(Vec<ExportFile>, Vec<Diagnostic>), Diagnostic> {
    let lang = &options.lang;
    if site.config.language(lang).is_none() {
        return Err(Diagnostic::error(format!(
            "`{lang}` is not a language of this site"
        )));
    }
    let mut pages = Vec::new();
    let mut problems = Vec::new();
    for (group, members) in site.alignment.groups.iter().enumerate() {
        let Some(source) = source_page(site, group, lang) else {
            continue;
        };
        let target = members.pages.get(lang).copied();
        match export_page(site, group, source, target, options) {
            Ok(Some(page)) => pages.push(page),
            Ok(None) => {}
            Err(problem) => problems.push(problem),
        }
    }
    let files = if options.single {
        vec![ExportFile {
            path: PathBuf::from(format!("{lang}.xlf")),
            contents: xliff::write(&pages, options.version),
            units: pages.iter().map(|p| p.units.len()).sum(),
        }]
    } else {
        pages
            .iter()
            .map(|page| ExportFile {
                path: PathBuf::from(format!("{}.{lang}.xlf", strip_md(&page.source_path))),
                contents: xliff::write(std::slice::from_ref(page), options.version),
                units: page.units.len(),
            })
            .collect()
    };
    Ok((files, problems))
}

fn strip_md(path: &str) -> &str {
    path.strip_suffix(".md").unwrap_or(path)
}

/// The page a group's translation into `lang` is made from: the site's
/// source language, else the newest other translation.
fn source_page(site: &LoadedSite, group: usize, lang: &str) -> Option<usize> {
    let members = &site.alignment.groups[group].pages;
    let source_lang = &site.config.source_language;
    if let Some(&page) = members.get(source_lang) {
        return (source_lang != lang).then_some(page);
    }
    members
        .iter()
        .filter(|(l, _)| *l != lang)
        .max_by_key(|(_, page)| site.updated.get(**page).copied().unwrap_or(0))
        .map(|(_, page)| *page)
}

/// A page's text, cut: the raw file as it is on disk.
pub(crate) struct PageText {
    pub text: String,
    pub segments: Vec<Segment>,
}

impl PageText {
    pub(crate) fn read(page: &SourcePage) -> Result<PageText, Diagnostic> {
        let unreadable = |why: String| Diagnostic::error(why).in_file(&page.file.display_path);
        let text = std::fs::read_to_string(&page.file.path)
            .map_err(|e| unreadable(format!("cannot read it as UTF-8: {e}")))?;
        PageText::cut(text).map_err(unreadable)
    }

    pub(crate) fn cut(text: String) -> Result<PageText, String> {
        if text.contains('\r') {
            return Err("Windows line ends: save it with LF line ends to exchange it".into());
        }
        let layout = Layout::of(&text).ok_or("its front matter is never closed")?;
        let mut segments = Vec::new();
        for (key, kind) in [
            ("title", SegmentKind::Title),
            ("description", SegmentKind::Description),
        ] {
            if let Some(field) = layout.field(key) {
                segments.push(segments::field_segment(kind, field.range, &field.value));
            }
        }
        segments.extend(segments::split(layout.body(), layout.body_start));
        segments.retain(Segment::is_translatable);
        Ok(PageText { text, segments })
    }
}

fn export_page(
    site: &LoadedSite,
    group: usize,
    source: usize,
    target: Option<usize>,
    options: &ExportOptions,
) -> Result<Option<PageExport>, Diagnostic> {
    let changes = match (options.changed, target) {
        (true, Some(t)) if !site.staleness.is_stale(t) => return Ok(None),
        (true, Some(t)) => Some(
            site.staleness
                .translations
                .get(&t)
                .and_then(|a| a.changes.as_deref()),
        ),
        _ => None,
    };
    let source_page = &site.pages[source];
    let source_text = PageText::read(source_page)?;
    let target_text = target.map(|t| PageText::read(&site.pages[t])).transpose()?;
    let key = group_key(site, group, source_page);
    let ids = unit_ids(&key, &source_text.segments);
    let counterparts = target_text
        .as_ref()
        .map(|t| counterparts(&source_text.segments, &t.segments));
    let changed = changes.map(|c| changed_units(&source_text, c));
    let url = urls::page_url(&site.config, &options.lang, &source_page.url_path());
    let locations = locations(&source_text);
    let mut units = Vec::new();
    for (index, segment) in source_text.segments.iter().enumerate() {
        let target_segment = counterparts
            .as_ref()
            .and_then(|c| c[index])
            .zip(target_text.as_ref())
            .map(|(t, text)| &text.segments[t]);
        let previous = changed.as_ref().and_then(|c| c.get(&index));
        let locked = changed.as_ref().is_some_and(|c| !c.contains_key(&index));
        units.push(Unit {
            id: ids[index].clone(),
            kind: segment.kind,
            source: segment.pieces.clone(),
            target: target_segment.map(|t| renumber(&t.pieces, segment)),
            locked,
            notes: notes(segment, &url, previous),
            location: locations[index].clone(),
        });
    }
    let target_path = match target {
        Some(t) => site.pages[t].file.display_path.clone(),
        None => new_page_path(site, source_page, &options.lang),
    };
    let source_lang = source_page.lang.clone();
    let source_note = (source_lang != site.config.source_language).then(|| {
        format!(
            "The site has no {} page here: this is made from the newest translation, in {source_lang}.",
            site.config.source_language
        )
    });
    Ok(Some(PageExport {
        source_path: slash_path(&source_page.file.display_path),
        target_path: slash_path(&target_path),
        source_lang,
        target_lang: options.lang.clone(),
        revision: site
            .staleness
            .sources
            .get(group)
            .and_then(|s| s.revision.clone()),
        source_hash: hash_hex(source_text.text.as_bytes()),
        target_hash: target_text.map(|t| hash_hex(t.text.as_bytes())),
        source_note,
        units,
    }))
}

/// Each segment's line (and column after the first on a line).
fn locations(text: &PageText) -> Vec<String> {
    let mut previous_line = 0;
    text.segments
        .iter()
        .map(|segment| {
            let (line, column) = parse::line_column(&text.text, segment.range.start);
            let shared = line == previous_line;
            previous_line = line;
            if shared {
                format!("{line}:{column}")
            } else {
                line.to_string()
            }
        })
        .collect()
}

fn slash_path(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// What names a group in every export: its exl-id, else its path.
pub(crate) fn group_key(site: &LoadedSite, group: usize, source: &SourcePage) -> String {
    let group = &site.alignment.groups[group];
    group
        .exl_id
        .clone()
        .or_else(|| group.translation_key.clone())
        .unwrap_or_else(|| source.file.logical_path.clone())
}

/// Ids from the group, each unit's place and its text; the n-th unit with
/// the same place and text is told apart by its n.
pub(crate) fn unit_ids(key: &str, segments: &[Segment]) -> Vec<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    segments
        .iter()
        .map(|segment| {
            let basis = format!(
                "{key}\u{0}{}\u{0}{}\u{0}{}",
                segment.kind.name(),
                segment.headings.join("\u{1}"),
                segments::flatten(&segment.pieces)
            );
            let count = seen.entry(basis.clone()).or_default();
            *count += 1;
            format!("u{}", hash_hex(format!("{basis}\u{0}{count}").as_bytes()))
        })
        .collect()
}

/// FNV-1a: stable across machines and versions, unlike std's hasher.
pub(crate) fn hash_hex(bytes: &[u8]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

/// Where a new translation of `source` goes: its language folder or suffix
/// swapped for `lang`.
fn new_page_path(site: &LoadedSite, source: &SourcePage, lang: &str) -> PathBuf {
    let shown = &source.file.display_path;
    let content = site
        .config
        .content_dir
        .strip_prefix(&site.config.root)
        .unwrap_or(&site.config.content_dir)
        .to_path_buf();
    let inside = shown.strip_prefix(&content).unwrap_or(shown);
    if let Some(rest) =
        (source.file.folder_language.as_ref()).and_then(|f| inside.strip_prefix(f).ok())
    {
        return content.join(lang).join(rest);
    }
    if let Some(suffix) = &source.file.suffix_language {
        let name = shown.file_name().map(|n| n.to_string_lossy().to_string());
        if let Some(name) = name {
            let renamed = name.replacen(&format!(".{suffix}."), &format!(".{lang}."), 1);
            return shown.with_file_name(renamed);
        }
    }
    content.join(lang).join(inside)
}

/// For each source segment, the translation's segment in its place: the
/// segments are matched in order by kind and codes (a longest common
/// subsequence), so a translation that splits or merges blocks loses only
/// the blocks around the difference.
pub(crate) fn counterparts(source: &[Segment], target: &[Segment]) -> Vec<Option<usize>> {
    let shape = |s: &Segment| (s.kind, s.signature());
    let a: Vec<_> = source.iter().map(shape).collect();
    let b: Vec<_> = target.iter().map(shape).collect();
    let mut mapping = vec![None; a.len()];
    // The table is quadratic: past this, pages map only when equal in shape.
    const MAX_CELLS: usize = 4_000_000;
    if a.len().saturating_mul(b.len()) > MAX_CELLS {
        if a == b {
            mapping = (0..a.len()).map(Some).collect();
        }
        return mapping;
    }
    let (n, m) = (a.len(), b.len());
    let mut table = vec![0u32; (n + 1) * (m + 1)];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            table[i * (m + 1) + j] = if a[i] == b[j] {
                table[(i + 1) * (m + 1) + j + 1] + 1
            } else {
                table[(i + 1) * (m + 1) + j].max(table[i * (m + 1) + j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    while i < n && j < m {
        if a[i] == b[j] {
            mapping[i] = Some(j);
            i += 1;
            j += 1;
        } else if table[(i + 1) * (m + 1) + j] >= table[i * (m + 1) + j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    mapping
}

/// A translation's pieces with the source's code ids (their codes are of
/// the same kinds in the same order).
fn renumber(target: &[Piece], source: &Segment) -> Vec<Piece> {
    let ids = segments::id_map(target, &source.pieces);
    target
        .iter()
        .map(|piece| segments::with_id(piece, |id| ids.get(&id).copied().unwrap_or(id)))
        .collect()
}

/// Units whose source changed, with the source text before when it had one.
fn changed_units(
    text: &PageText,
    changes: Option<&SourceChanges>,
) -> HashMap<usize, Option<String>> {
    let every = || (0..text.segments.len()).map(|i| (i, None)).collect();
    let Some(changes) = changes else {
        return every();
    };
    let Some(layout) = Layout::of(&text.text) else {
        return every();
    };
    let blocks_now = blocks::split(layout.body());
    let rows: Vec<_> = changes.rows.iter().filter(|r| r.now.is_some()).collect();
    if rows.len() != blocks_now.len() {
        return every();
    }
    let body_line_of =
        |offset: usize| text.text[layout.body_start..offset].matches('\n').count() + 1;
    let mut changed = HashMap::new();
    for (index, segment) in text.segments.iter().enumerate() {
        let field_change = match segment.kind {
            SegmentKind::Title => Some(changes.title.as_ref().map(|c| c.old.clone())),
            SegmentKind::Description => Some(changes.description.as_ref().map(|c| c.old.clone())),
            _ => None,
        };
        if let Some(change) = field_change {
            if let Some(old) = change {
                changed.insert(index, old);
            }
            continue;
        }
        let line = body_line_of(segment.range.start.max(layout.body_start));
        let block = blocks_now
            .iter()
            .enumerate()
            .filter(|(_, b)| b.first_line <= line && line <= b.last_line)
            .min_by_key(|(_, b)| b.last_line - b.first_line)
            .map(|(i, _)| i);
        match block.map(|b| rows[b]) {
            Some(row) if row.change.is_some() => {
                let then = (row.change == Some(BlockChangeKind::Changed))
                    .then(|| row.then.clone())
                    .flatten();
                changed.insert(index, then);
            }
            Some(_) => {}
            None => {
                changed.insert(index, None);
            }
        }
    }
    changed
}

fn notes(segment: &Segment, url: &str, previous: Option<&Option<String>>) -> Vec<String> {
    let mut notes = Vec::new();
    if !segment.headings.is_empty() {
        notes.push(format!("Under: {}", segment.headings.join(" > ")));
    }
    notes.push(format!("Page: {url}"));
    match previous {
        Some(Some(old)) => notes.push(format!("Changed. The source said before: {old}")),
        Some(None) => notes.push("New or changed in the source.".to_string()),
        None => {}
    }
    notes
}

/// A page's text with the text of every unit taken out and its codes,
/// front matter and everything else kept: what a translation leaves as it
/// is. Two pages with the same skeleton differ in translatable text only.
pub fn skeleton(text: &str) -> Result<String, String> {
    let page = PageText::cut(text.to_string())?;
    let mut out = String::new();
    let mut at = 0;
    for segment in &page.segments {
        out.push_str(&page.text[at..segment.range.start]);
        out.push('\u{1}');
        for piece in &segment.pieces {
            if let Some(original) = segments::original(piece) {
                out.push_str(original);
            }
        }
        at = segment.range.end;
    }
    out.push_str(&page.text[at..]);
    Ok(out)
}
