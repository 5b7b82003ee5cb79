//! Units as XLIFF: 1.2 (what every translation tool reads) or 2.1.
//! tolk's own facts about a file (the translation's path, the revision and
//! the hashes an import checks) are attributes in tolk's namespace, which
//! both versions allow and tools carry along.

use std::fmt::Write;

use super::segments::{CodeKind, Piece};
use super::{PageExport, Unit};

/// tolk's namespace for its attributes.
pub(crate) const TOLK_NS: &str = "urn:tolk:xliff:1";
pub(crate) const XLIFF12_NS: &str = "urn:oasis:names:tc:xliff:document:1.2";
pub(crate) const XLIFF2_NS: &str = "urn:oasis:names:tc:xliff:document:2.0";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Version {
    V12,
    V21,
}

impl Version {
    pub fn parse(text: &str) -> Option<Version> {
        match text {
            "1.2" => Some(Version::V12),
            "2.1" | "2.0" | "2" => Some(Version::V21),
            _ => None,
        }
    }
}

/// The XLIFF document of these pages.
pub(crate) fn write(pages: &[PageExport], version: Version) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    match version {
        Version::V12 => write_12(&mut out, pages),
        Version::V21 => write_21(&mut out, pages),
    }
    out
}

fn write_12(out: &mut String, pages: &[PageExport]) {
    let _ = writeln!(
        out,
        "<xliff version=\"1.2\" xmlns=\"{XLIFF12_NS}\" xmlns:tolk=\"{TOLK_NS}\">"
    );
    for page in pages {
        let _ = writeln!(
            out,
            "  <file original=\"{}\" source-language=\"{}\" target-language=\"{}\" datatype=\"x-markdown\"{}>",
            attr(&page.source_path),
            attr(&page.source_lang),
            attr(&page.target_lang),
            tolk_attributes(page)
        );
        out.push_str("    <header>\n      <tool tool-id=\"tolk\" tool-name=\"tolk\"/>\n");
        if let Some(note) = &page.source_note {
            let _ = writeln!(out, "      <note>{}</note>", text(note));
        }
        out.push_str("    </header>\n    <body>\n");
        for unit in &page.units {
            write_unit_12(out, unit, page);
        }
        out.push_str("    </body>\n  </file>\n");
    }
    out.push_str("</xliff>\n");
}

fn tolk_attributes(page: &PageExport) -> String {
    let mut attributes = format!(
        " tolk:target=\"{}\" tolk:source-hash=\"{}\"",
        attr(&page.target_path),
        page.source_hash
    );
    if let Some(hash) = &page.target_hash {
        let _ = write!(attributes, " tolk:target-hash=\"{hash}\"");
    }
    if let Some(revision) = &page.revision {
        let _ = write!(attributes, " tolk:revision=\"{}\"", attr(revision));
    }
    attributes
}

fn write_unit_12(out: &mut String, unit: &Unit, page: &PageExport) {
    let locked = if unit.locked { " translate=\"no\"" } else { "" };
    let _ = writeln!(
        out,
        "      <trans-unit id=\"{}\" resname=\"{}\" xml:space=\"preserve\"{locked}>",
        unit.id,
        unit.kind.name()
    );
    let _ = writeln!(
        out,
        "        <source xml:lang=\"{}\">{}</source>",
        attr(&page.source_lang),
        inline_12(&unit.source)
    );
    if let Some(target) = &unit.target {
        let state = if unit.locked { "final" } else { "translated" };
        let _ = writeln!(
            out,
            "        <target xml:lang=\"{}\" state=\"{state}\">{}</target>",
            attr(&page.target_lang),
            inline_12(target)
        );
    }
    let _ = writeln!(
        out,
        "        <context-group purpose=\"location\"><context context-type=\"sourcefile\">{}</context><context context-type=\"linenumber\">{}</context></context-group>",
        text(&page.source_path),
        unit.location
    );
    // `developer`: what tools (and PO converters) show as the author's notes.
    for note in &unit.notes {
        let _ = writeln!(
            out,
            "        <note from=\"developer\">{}</note>",
            text(note)
        );
    }
    out.push_str("      </trans-unit>\n");
}

fn inline_12(pieces: &[Piece]) -> String {
    let mut out = String::new();
    for piece in pieces {
        match piece {
            Piece::Text(t) => out.push_str(&text(t)),
            Piece::Open { id, kind, .. } => {
                let _ = write!(out, "<g id=\"{id}\" ctype=\"{}\">", ctype(*kind));
            }
            Piece::Close { .. } => out.push_str("</g>"),
            Piece::Atom { id, kind, original } => {
                let _ = write!(
                    out,
                    "<x id=\"{id}\" ctype=\"{}\" equiv-text=\"{}\"/>",
                    ctype(*kind),
                    attr(original)
                );
            }
            Piece::Protected { id, text: t, .. } => {
                let _ = write!(
                    out,
                    "<mrk mtype=\"protected\" mid=\"{id}\">{}</mrk>",
                    text(t)
                );
            }
        }
    }
    out
}

/// XLIFF 1.2's types where it has one, else a user-defined `x-` type.
fn ctype(kind: CodeKind) -> String {
    match kind {
        CodeKind::Bold => "bold".into(),
        CodeKind::Italic => "italic".into(),
        CodeKind::Link => "link".into(),
        CodeKind::Image => "image".into(),
        CodeKind::Break => "lb".into(),
        other => format!("x-{}", other.name()),
    }
}

fn write_21(out: &mut String, pages: &[PageExport]) {
    // XLIFF 2 names the languages once per document.
    let source_lang = pages.first().map_or("en", |p| p.source_lang.as_str());
    let target_lang = pages.first().map_or("en", |p| p.target_lang.as_str());
    let _ = writeln!(
        out,
        "<xliff xmlns=\"{XLIFF2_NS}\" xmlns:tolk=\"{TOLK_NS}\" version=\"2.1\" srcLang=\"{}\" trgLang=\"{}\">",
        attr(source_lang),
        attr(target_lang)
    );
    for (index, page) in pages.iter().enumerate() {
        let _ = writeln!(
            out,
            "  <file id=\"f{}\" original=\"{}\"{}>",
            index + 1,
            attr(&page.source_path),
            tolk_attributes(page)
        );
        if let Some(note) = &page.source_note {
            let _ = writeln!(out, "    <notes><note>{}</note></notes>", text(note));
        }
        for unit in &page.units {
            write_unit_21(out, unit);
        }
        out.push_str("  </file>\n");
    }
    out.push_str("</xliff>\n");
}

fn write_unit_21(out: &mut String, unit: &Unit) {
    let locked = if unit.locked { " translate=\"no\"" } else { "" };
    let _ = writeln!(
        out,
        "    <unit id=\"{}\" name=\"{}\"{locked}>",
        unit.id,
        unit.kind.name()
    );
    out.push_str("      <notes>\n");
    for note in &unit.notes {
        let _ = writeln!(out, "        <note>{}</note>", text(note));
    }
    out.push_str("      </notes>\n");
    let data = original_data(&unit.source);
    if !data.is_empty() {
        let _ = writeln!(out, "      <originalData>\n{data}      </originalData>");
    }
    let state = match (&unit.target, unit.locked) {
        (None, _) => "initial",
        (Some(_), false) => "translated",
        (Some(_), true) => "final",
    };
    let _ = writeln!(out, "      <segment state=\"{state}\">");
    let _ = writeln!(
        out,
        "        <source xml:space=\"preserve\">{}</source>",
        inline_21(&unit.source)
    );
    if let Some(target) = &unit.target {
        let _ = writeln!(
            out,
            "        <target xml:space=\"preserve\">{}</target>",
            inline_21(target)
        );
    }
    out.push_str("      </segment>\n    </unit>\n");
}

/// The bytes each code stands for, for tools that show them.
fn original_data(pieces: &[Piece]) -> String {
    let mut out = String::new();
    let mut data = |id: String, original: &str| {
        let _ = writeln!(
            out,
            "        <data id=\"{id}\" xml:space=\"preserve\">{}</data>",
            text(original)
        );
    };
    for piece in pieces {
        match piece {
            Piece::Open { id, original, .. } => data(format!("d{id}s"), original),
            Piece::Close { id, original } => data(format!("d{id}e"), original),
            Piece::Atom { id, original, .. } => data(format!("d{id}"), original),
            Piece::Text(_) | Piece::Protected { .. } => {}
        }
    }
    out
}

fn inline_21(pieces: &[Piece]) -> String {
    let mut out = String::new();
    for piece in pieces {
        match piece {
            Piece::Text(t) => out.push_str(&text(t)),
            Piece::Open { id, kind, .. } => {
                let _ = write!(
                    out,
                    "<pc id=\"{id}\" dataRefStart=\"d{id}s\" dataRefEnd=\"d{id}e\" type=\"{}\" canDelete=\"no\">",
                    type_21(*kind)
                );
            }
            Piece::Close { .. } => out.push_str("</pc>"),
            Piece::Atom { id, kind, .. } => {
                let _ = write!(
                    out,
                    "<ph id=\"{id}\" dataRef=\"d{id}\" type=\"{}\" canDelete=\"no\"/>",
                    type_21(*kind)
                );
            }
            Piece::Protected { id, text: t, .. } => {
                let _ = write!(out, "<mrk id=\"m{id}\" translate=\"no\">{}</mrk>", text(t));
            }
        }
    }
    out
}

/// XLIFF 2's code types: fmt, ui, quote, link, image, other.
fn type_21(kind: CodeKind) -> &'static str {
    match kind {
        CodeKind::Bold | CodeKind::Italic | CodeKind::Strike | CodeKind::Script => "fmt",
        CodeKind::Link => "link",
        CodeKind::Image => "image",
        CodeKind::UiControl | CodeKind::Badge => "ui",
        _ => "other",
    }
}

/// Element content: `&`, `<` and `>` escaped; characters XML 1.0 cannot
/// hold become U+FFFD (they cannot travel in XLIFF at all).
pub(crate) fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\t' | '\n' => out.push(c),
            '\r' => out.push_str("&#13;"),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Attribute values: as text, with quotes and line breaks escaped.
pub(crate) fn attr(value: &str) -> String {
    text(value)
        .replace('"', "&quot;")
        .replace('\n', "&#10;")
        .replace('\t', "&#9;")
}
