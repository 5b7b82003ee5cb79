//! `tolk xliff import`: each translated unit written into its page, in the
//! place of the block it translates; nothing else of the page changes. A
//! file with an error writes nothing.

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use super::front::{self, Layout};
use super::parse::{self, ParsedFile, ParsedUnit, TargetPiece};
use super::segments::{self, Piece, Segment, SegmentKind};
use super::{PageText, counterparts, group_key, hash_hex, unit_ids};
use crate::config::language;
use crate::model::{Diagnostic, LoadedSite};

/// What an import did.
#[derive(Debug, Default)]
pub struct ImportReport {
    pub written: Vec<WrittenFile>,
    /// Units without a translation, left as they were: file and unit id.
    pub untranslated: Vec<(PathBuf, String)>,
    /// Blocks not written, with the reason (the rest of their file was).
    pub refused: Vec<Diagnostic>,
    /// Problems that stopped a whole file.
    pub errors: Vec<Diagnostic>,
}

#[derive(Debug, Clone)]
pub struct WrittenFile {
    pub page: PathBuf,
    pub created: bool,
    pub units: usize,
}

/// A page's new text, before anything is written.
struct PagePlan {
    path: PathBuf,
    shown: PathBuf,
    contents: String,
    created: bool,
    units: usize,
}

/// Imports every file; a file with errors writes nothing.
pub fn import(site: &LoadedSite, files: &[PathBuf]) -> ImportReport {
    let mut report = ImportReport::default();
    for file in files {
        match plan_file(site, file, &mut report) {
            Ok(plans) => write_plans(plans, &mut report),
            Err(problems) => report.errors.extend(problems),
        }
    }
    report
}

fn write_plans(plans: Vec<PagePlan>, report: &mut ImportReport) {
    for plan in plans {
        let written = plan
            .path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| write_atomically(&plan.path, &plan.contents));
        match written {
            Ok(()) => report.written.push(WrittenFile {
                page: plan.shown,
                created: plan.created,
                units: plan.units,
            }),
            Err(e) => report
                .errors
                .push(Diagnostic::error(format!("cannot write it: {e}")).in_file(&plan.shown)),
        }
    }
}

/// Through a temporary file beside it, so a page is never half written.
fn write_atomically(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut temporary = tempfile::NamedTempFile::new_in(dir)?;
    temporary.write_all(contents.as_bytes())?;
    temporary.persist(path).map_err(|e| e.error)?;
    Ok(())
}

fn plan_file(
    site: &LoadedSite,
    file: &Path,
    report: &mut ImportReport,
) -> Result<Vec<PagePlan>, Vec<Diagnostic>> {
    let xml = std::fs::read_to_string(file).map_err(|e| {
        vec![Diagnostic::error(format!("cannot read it as UTF-8: {e}")).in_file(file)]
    })?;
    let parsed = parse::parse(file, &xml).map_err(|d| vec![d])?;
    let context = FileContext {
        site,
        file,
        xml: &xml,
    };
    let mut plans = Vec::new();
    let mut errors = Vec::new();
    let mut refused = Vec::new();
    let mut untranslated = Vec::new();
    for page in &parsed {
        match context.plan_page(page, &mut refused, &mut untranslated) {
            Ok(Some(plan)) => plans.push(plan),
            Ok(None) => {}
            Err(mut problems) => errors.append(&mut problems),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    report.refused.extend(refused);
    report
        .untranslated
        .extend(untranslated.into_iter().map(|id| (file.to_path_buf(), id)));
    Ok(plans)
}

struct FileContext<'a> {
    site: &'a LoadedSite,
    file: &'a Path,
    xml: &'a str,
}

/// A unit's target checked against its source, ready to be written.
struct Accepted<'u> {
    unit: &'u ParsedUnit,
    pieces: &'u [TargetPiece],
    source: usize,
}

impl FileContext<'_> {
    fn error(&self, at: usize, message: impl Into<String>) -> Diagnostic {
        let (line, column) = parse::line_column(self.xml, at);
        Diagnostic::error(message)
            .in_file(self.file)
            .at(line, column)
    }

    fn warning(&self, at: usize, message: impl Into<String>) -> Diagnostic {
        let (line, column) = parse::line_column(self.xml, at);
        Diagnostic::warning(message)
            .in_file(self.file)
            .at(line, column)
    }

    fn plan_page(
        &self,
        page: &ParsedFile,
        refused: &mut Vec<Diagnostic>,
        untranslated: &mut Vec<String>,
    ) -> Result<Option<PagePlan>, Vec<Diagnostic>> {
        let site = self.site;
        let lang = language::normalize_tag(&page.target_lang)
            .ok()
            .and_then(|tag| site.config.language(&tag).map(|l| l.tag.clone()))
            .ok_or_else(|| {
                vec![self.error(
                    page.at,
                    format!(
                        "target language `{}` is not a language of this site",
                        page.target_lang
                    ),
                )]
            })?;
        let source = site
            .pages
            .iter()
            .position(|p| {
                p.file.display_path.to_string_lossy().replace('\\', "/") == page.source_path
            })
            .ok_or_else(|| {
                vec![self.error(
                    page.at,
                    format!("`{}` is not a page of this site", page.source_path),
                )]
            })?;
        let source_text = PageText::read(&site.pages[source]).map_err(|d| vec![d])?;
        let group = site.alignment.group_of_page[source];
        let key = group_key(site, group, &site.pages[source]);
        let ids: HashMap<String, usize> = unit_ids(&key, &source_text.segments)
            .into_iter()
            .enumerate()
            .map(|(i, id)| (id, i))
            .collect();
        let source_changed =
            page.source_hash.as_deref() != Some(&hash_hex(source_text.text.as_bytes()));
        let mut accepted = Vec::new();
        let mut errors = Vec::new();
        for unit in &page.units {
            match self.check_unit(unit, &ids, &source_text, source_changed) {
                Ok(Some(ok)) => accepted.push(ok),
                Ok(None) if !unit.locked => untranslated.push(unit.id.clone()),
                Ok(None) => {}
                Err(Verdict::Refused(why)) => refused.push(why),
                Err(Verdict::Error(problem)) => errors.push(problem),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let target = site.alignment.groups[group].pages.get(&lang).copied();
        let destination = match target {
            Some(t) => {
                let text = PageText::read(&site.pages[t]).map_err(|d| vec![d])?;
                let changed = page.target_hash.as_deref() != Some(&hash_hex(text.text.as_bytes()));
                Destination {
                    path: site.pages[t].file.path.clone(),
                    shown: site.pages[t].file.display_path.clone(),
                    mapping: counterparts(&source_text.segments, &text.segments),
                    text,
                    created: false,
                    changed_since_export: changed,
                }
            }
            None => self.new_destination(page, &source_text)?,
        };
        Ok(self.plan_writes(page, &source_text, &destination, &accepted, refused, &lang))
    }

    fn new_destination(
        &self,
        page: &ParsedFile,
        source: &PageText,
    ) -> Result<Destination, Vec<Diagnostic>> {
        let config = &self.site.config;
        let Some(shown) = page.target_path.as_deref().map(PathBuf::from) else {
            return Err(vec![self.error(
                page.at,
                "no `tolk:target`: where the new page goes is not said",
            )]);
        };
        let content = config
            .content_dir
            .strip_prefix(&config.root)
            .unwrap_or(&config.content_dir);
        let safe = shown.starts_with(content)
            && shown
                .components()
                .all(|c| matches!(c, std::path::Component::Normal(_)));
        if !safe {
            return Err(vec![self.error(
                page.at,
                format!(
                    "`{}` is not a page path in the content folder",
                    shown.display()
                ),
            )]);
        }
        Ok(Destination {
            path: config.root.join(&shown),
            shown,
            mapping: (0..source.segments.len()).map(Some).collect(),
            text: PageText {
                text: source.text.clone(),
                segments: source.segments.clone(),
            },
            created: true,
            changed_since_export: false,
        })
    }

    /// A unit's target, checked: `None` when it has none to write.
    fn check_unit<'u>(
        &self,
        unit: &'u ParsedUnit,
        ids: &HashMap<String, usize>,
        source: &PageText,
        source_changed: bool,
    ) -> Result<Option<Accepted<'u>>, Verdict> {
        if unit.locked {
            return Ok(None);
        }
        let Some(&index) = ids.get(&unit.id) else {
            if source_changed {
                return Err(Verdict::Refused(self.warning(
                    unit.at,
                    format!(
                        "unit `{}` not written: its block changed in the source since the export",
                        unit.id
                    ),
                )));
            }
            return Err(Verdict::Error(self.error(
                unit.at,
                format!("unit id `{}` matches no block of the page", unit.id),
            )));
        };
        let Some(pieces) = unit.target.as_deref() else {
            return Ok(None);
        };
        let has_text = pieces
            .iter()
            .any(|p| matches!(p, TargetPiece::Text(t) if !t.trim().is_empty()));
        if !has_text {
            return Ok(None);
        }
        self.check_codes(unit, pieces, &source.segments[index])
            .map_err(Verdict::Error)?;
        Ok(Some(Accepted {
            unit,
            pieces,
            source: index,
        }))
    }

    /// Every code of the source once, none other, in an order that can be
    /// written back.
    fn check_codes(
        &self,
        unit: &ParsedUnit,
        pieces: &[TargetPiece],
        source: &Segment,
    ) -> Result<(), Diagnostic> {
        let expected: HashMap<u32, &Piece> = source
            .pieces
            .iter()
            .filter(|p| !matches!(p, Piece::Close { .. }))
            .filter_map(|p| p.code_id().map(|id| (id, p)))
            .collect();
        let mut seen: HashMap<u32, usize> = HashMap::new();
        let mut code_index = 0;
        let mut link_depth = 0usize;
        let mut text_before = false;
        for piece in pieces {
            let (id, opens) = match piece {
                TargetPiece::Text(text) => {
                    text_before |= !text.trim().is_empty();
                    continue;
                }
                TargetPiece::Close(id) => {
                    if matches!(
                        expected.get(id),
                        Some(Piece::Open {
                            kind: segments::CodeKind::Link,
                            ..
                        })
                    ) {
                        link_depth = link_depth.saturating_sub(1);
                    }
                    continue;
                }
                TargetPiece::Open(id) => (*id, true),
                TargetPiece::Atom(id) | TargetPiece::Protected(id, _) => (*id, false),
            };
            let at = unit
                .code_at
                .get(code_index)
                .copied()
                .unwrap_or(unit.target_at);
            code_index += 1;
            let Some(original) = expected.get(&id) else {
                return Err(self.error(
                    at,
                    format!("unit `{}`: code {id} is not in its source", unit.id),
                ));
            };
            let same_shape = matches!(
                (original, piece),
                (Piece::Open { .. }, TargetPiece::Open(_))
                    | (Piece::Atom { .. }, TargetPiece::Atom(_))
                    | (Piece::Protected { .. }, TargetPiece::Protected(..))
            );
            if !same_shape {
                return Err(self.error(at, format!("unit `{}`: code {id} changed its kind (a pair, a placeholder or protected text)", unit.id)));
            }
            if seen.insert(id, at).is_some() {
                return Err(self.error(at, format!("unit `{}`: code {id} appears twice", unit.id)));
            }
            if opens
                && matches!(
                    original,
                    Piece::Open {
                        kind: segments::CodeKind::Link,
                        ..
                    }
                )
            {
                link_depth += 1;
                if link_depth > 1 {
                    return Err(self.error(at, format!("unit `{}`: link {id} moved inside another link, which Markdown cannot write", unit.id)));
                }
            }
            let must_lead = matches!(
                original,
                Piece::Atom {
                    kind: segments::CodeKind::Marker,
                    ..
                } | Piece::Open {
                    kind: segments::CodeKind::Marker,
                    ..
                }
            ) && source.pieces.first().and_then(Piece::code_id) == Some(id);
            if must_lead && (code_index != 1 || text_before) {
                return Err(self.error(
                    at,
                    format!("unit `{}`: the block marker {id} must stay first", unit.id),
                ));
            }
        }
        let mut missing: Vec<u32> = expected
            .keys()
            .filter(|id| !seen.contains_key(id))
            .copied()
            .collect();
        missing.sort_unstable();
        if let Some(id) = missing.first() {
            let at = unit.target_at;
            return Err(self.error(
                at,
                format!(
                    "unit `{}`: code {id} of the source is missing from the target",
                    unit.id
                ),
            ));
        }
        Ok(())
    }

    fn plan_writes(
        &self,
        page: &ParsedFile,
        source: &PageText,
        destination: &Destination,
        accepted: &[Accepted<'_>],
        refused: &mut Vec<Diagnostic>,
        lang: &str,
    ) -> Option<PagePlan> {
        let mut edits: Vec<(Range<usize>, String)> = Vec::new();
        let mut edited_units = Vec::new();
        for unit in accepted {
            let Some(dest_index) = destination.mapping[unit.source] else {
                refused.push(self.warning(
                    unit.unit.at,
                    format!(
                        "unit `{}` not written: the translation has no block in its place",
                        unit.unit.id
                    ),
                ));
                continue;
            };
            let dest = &destination.text.segments[dest_index];
            let ids = segments::id_map(&source.segments[unit.source].pieces, &dest.pieces);
            if same_as(unit.pieces, dest, &ids) {
                continue;
            }
            if destination.changed_since_export {
                refused.push(self.warning(
                    unit.unit.at,
                    format!(
                        "unit `{}` not written: {} changed since the export",
                        unit.unit.id,
                        destination.shown.display()
                    ),
                ));
                continue;
            }
            edits.push((dest.range.clone(), render(unit.pieces, dest, &ids)));
            edited_units.push(unit.unit);
        }
        let (mut edits, misread) = keep_markup(&destination.text.text, edits);
        for index in misread {
            let unit = edited_units[index];
            refused.push(self.warning(
                unit.at,
                format!(
                    "unit `{}` not written: Markdown would read its markup otherwise next to the translated text (try a space beside the codes)",
                    unit.id
                ),
            ));
        }
        let states: Vec<_> = edited_units.iter().map(|u| u.state.clone()).collect();
        // A page with nothing translated stays as it is, or unmade.
        if edits.is_empty() {
            return None;
        }
        let units = edits.len();
        let layout = Layout::of(&destination.text.text)?;
        edits.extend(front_matter_edits(
            &layout,
            page,
            &states,
            destination.created,
            lang,
        ));
        Some(PagePlan {
            path: destination.path.clone(),
            shown: destination.shown.clone(),
            contents: apply_edits(&destination.text.text, edits),
            created: destination.created,
            units,
        })
    }
}

enum Verdict {
    Refused(Diagnostic),
    Error(Diagnostic),
}

struct Destination {
    path: PathBuf,
    shown: PathBuf,
    text: PageText,
    /// Source segment -> the destination's segment in its place.
    mapping: Vec<Option<usize>>,
    created: bool,
    changed_since_export: bool,
}

/// Whether the target says what the destination already says.
fn same_as(target: &[TargetPiece], dest: &Segment, ids: &HashMap<u32, u32>) -> bool {
    let mapped = |id: &u32| ids.get(id).copied().unwrap_or(*id);
    let mut wanted = target
        .iter()
        .filter(|p| !matches!(p, TargetPiece::Text(t) if t.is_empty()));
    let mut have = dest.pieces.iter();
    loop {
        match (wanted.next(), have.next()) {
            (None, None) => return true,
            (Some(TargetPiece::Text(a)), Some(Piece::Text(b))) if a == b => {}
            (Some(TargetPiece::Open(a)), Some(Piece::Open { id, .. }))
            | (Some(TargetPiece::Close(a)), Some(Piece::Close { id, .. }))
            | (Some(TargetPiece::Atom(a)), Some(Piece::Atom { id, .. }))
            | (Some(TargetPiece::Protected(a, _)), Some(Piece::Protected { id, .. }))
                if mapped(a) == *id => {}
            _ => return false,
        }
    }
}

/// The target as Markdown: its text escaped where Markdown would read it
/// as markup, its codes as the destination's bytes.
fn render(target: &[TargetPiece], dest: &Segment, ids: &HashMap<u32, u32>) -> String {
    let original = |id: &u32, closing: bool| -> String {
        let id = ids.get(id).copied().unwrap_or(*id);
        dest.pieces
            .iter()
            .find_map(|p| match p {
                Piece::Close { id: i, original } if closing && *i == id => Some(original.clone()),
                Piece::Open {
                    id: i, original, ..
                }
                | Piece::Atom {
                    id: i, original, ..
                }
                | Piece::Protected {
                    id: i, original, ..
                } if !closing && *i == id => Some(original.clone()),
                _ => None,
            })
            .unwrap_or_default()
    };
    let field = matches!(dest.kind, SegmentKind::Title | SegmentKind::Description);
    let mut out = String::new();
    for (index, piece) in target.iter().enumerate() {
        match piece {
            TargetPiece::Text(text) if field => out.push_str(&text.replace('\n', " ")),
            TargetPiece::Text(text) => out.push_str(&escape_markdown(text, index == 0, dest.kind)),
            TargetPiece::Open(id) | TargetPiece::Atom(id) | TargetPiece::Protected(id, _) => {
                out.push_str(&original(id, false))
            }
            TargetPiece::Close(id) => out.push_str(&original(id, true)),
        }
    }
    if field { front::quote(out.trim()) } else { out }
}

/// Translated text as Markdown reads it back: one line, markup characters
/// escaped, and nothing at the start that would open a block.
fn escape_markdown(text: &str, at_start: bool, kind: SegmentKind) -> String {
    let text = text.replace(['\n', '\r'], " ");
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let entity_like = c == '&'
            && chars
                .peek()
                .is_some_and(|n| n.is_ascii_alphanumeric() || *n == '#');
        let special = matches!(
            c,
            '\\' | '*' | '_' | '`' | '[' | ']' | '<' | '~' | '{' | '}'
        ) || (c == '|' && kind == SegmentKind::TableCell);
        if special || entity_like {
            out.push('\\');
        }
        out.push(c);
    }
    if at_start {
        let leading = out.len() - out.trim_start().len();
        let rest = &out[leading..];
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if matches!(rest.chars().next(), Some('#' | '>' | '-' | '+' | '=' | '!')) {
            out.insert(leading, '\\');
        } else if digits > 0 && rest[digits..].starts_with(['.', ')']) {
            out.insert(leading + digits, '\\');
        }
    }
    out
}

/// `source-git-commit` set to the revision exported; `workflow-type`
/// kept, or set from the units' states; a new page's `lang` its own.
fn front_matter_edits(
    layout: &Layout<'_>,
    page: &ParsedFile,
    states: &[Option<String>],
    created: bool,
    lang: &str,
) -> Vec<(Range<usize>, String)> {
    let mut edits = Vec::new();
    let Some(end) = layout.yaml_end() else {
        return edits;
    };
    let mut set = |key: &str, value: &str, replace: bool| match layout.field(key) {
        Some(field) if replace => edits.push((field.range, front::quote(value))),
        Some(_) => {}
        None => edits.push((end..end, format!("{key}: {}\n", front::quote(value)))),
    };
    if let Some(revision) = &page.revision {
        set("source-git-commit", revision, true);
    }
    let reviewed = !states.is_empty()
        && states
            .iter()
            .all(|s| matches!(s.as_deref(), Some("final" | "signed-off" | "reviewed")));
    set(
        "workflow-type",
        if reviewed {
            "Human Translation"
        } else {
            "tm+mt"
        },
        false,
    );
    if created && layout.field("lang").is_some() {
        set("lang", lang, true);
    }
    edits
}

/// The edits that leave the page's markup read as before (its skeleton
/// unchanged), and the indexes of those that alone change it: translated
/// text beside a delimiter can make Markdown pair `_` or `*` otherwise.
fn keep_markup(
    text: &str,
    edits: Vec<(Range<usize>, String)>,
) -> (Vec<(Range<usize>, String)>, Vec<usize>) {
    let Ok(before) = super::skeleton(text) else {
        return (edits, Vec::new());
    };
    let reads_as_before = |edits: &[(Range<usize>, String)]| {
        super::skeleton(&apply_edits(text, edits.to_vec())).is_ok_and(|after| after == before)
    };
    if reads_as_before(&edits) {
        return (edits, Vec::new());
    }
    let misread: Vec<usize> = (0..edits.len())
        .filter(|&i| !reads_as_before(std::slice::from_ref(&edits[i])))
        .collect();
    let kept: Vec<_> = edits
        .iter()
        .enumerate()
        .filter(|(i, _)| !misread.contains(i))
        .map(|(_, e)| e.clone())
        .collect();
    if reads_as_before(&kept) {
        return (kept, misread);
    }
    (Vec::new(), (0..edits.len()).collect())
}

fn apply_edits(text: &str, mut edits: Vec<(Range<usize>, String)>) -> String {
    edits.sort_by_key(|(range, _)| std::cmp::Reverse((range.start, range.end)));
    let mut out = text.to_string();
    for (range, replacement) in edits {
        out.replace_range(range, &replacement);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn translated_text_cannot_become_markup() {
        let escaped = escape_markdown("1. *not* [a] link & co &amp;", true, SegmentKind::Paragraph);
        assert_eq!(escaped, "1\\. \\*not\\* \\[a\\] link & co \\&amp;");
    }
}
