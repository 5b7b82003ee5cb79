//! Reading an XLIFF file back (1.2 or 2.1, told by its root element) with
//! quick-xml: each `<file>`'s tolk attributes and each unit's target, its
//! codes as ids to be given their bytes again from the page.

use std::path::Path;

use quick_xml::Reader;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};

use crate::model::Diagnostic;

/// Where in the XLIFF file something is: a byte offset.
pub(crate) type Offset = usize;

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum TargetPiece {
    Text(String),
    Open(u32),
    Close(u32),
    Atom(u32),
    Protected(u32, String),
}

#[derive(Debug, Default)]
pub(crate) struct ParsedUnit {
    pub id: String,
    pub at: Offset,
    pub target: Option<Vec<TargetPiece>>,
    /// Where each code of the target is, by its place among the pieces.
    pub code_at: Vec<Offset>,
    pub target_at: Offset,
    pub state: Option<String>,
    pub locked: bool,
}

#[derive(Debug, Default)]
pub(crate) struct ParsedFile {
    pub at: Offset,
    pub source_path: String,
    pub target_lang: String,
    pub target_path: Option<String>,
    pub revision: Option<String>,
    pub source_hash: Option<String>,
    pub target_hash: Option<String>,
    pub units: Vec<ParsedUnit>,
}

/// An XLIFF document, or the first problem in it.
pub(crate) fn parse(path: &Path, xml: &str) -> Result<Vec<ParsedFile>, Diagnostic> {
    let mut parser = Parser {
        reader: Reader::from_str(xml),
        xml,
        path,
        files: Vec::new(),
        document_target_lang: None,
        unit: None,
        inline: None,
        stack: Vec::new(),
    };
    parser.run()?;
    Ok(parser.files)
}

/// 1-based line and column (in characters) of a byte offset.
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..floor_char(text, offset)];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

fn floor_char(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// The target being read: its pieces and the open codes.
struct Inline {
    pieces: Vec<TargetPiece>,
    code_at: Vec<Offset>,
    open: Vec<Option<u32>>,
    /// Inside a `[!DNL]` marker: its text.
    protected: Option<(u32, String)>,
}

struct Parser<'x> {
    reader: Reader<&'x [u8]>,
    xml: &'x str,
    path: &'x Path,
    files: Vec<ParsedFile>,
    document_target_lang: Option<String>,
    unit: Option<ParsedUnit>,
    inline: Option<Inline>,
    /// Names of the open elements: to tell a truncated file.
    stack: Vec<String>,
}

impl Parser<'_> {
    fn error(&self, at: Offset, message: impl Into<String>) -> Diagnostic {
        let (line, column) = line_column(self.xml, at);
        Diagnostic::error(message)
            .in_file(self.path)
            .at(line, column)
    }

    fn run(&mut self) -> Result<(), Diagnostic> {
        loop {
            let at = self.reader.buffer_position() as usize;
            let event = match self.reader.read_event() {
                Ok(event) => event,
                Err(e) => {
                    // Past the event's start: a syntax error is where it was
                    // found, a mismatched end tag at that tag.
                    let at = at.max(self.reader.error_position() as usize);
                    return Err(self.error(at, format!("malformed XML: {e}")));
                }
            };
            match event {
                Event::Start(element) => {
                    self.stack.push(local(&element));
                    self.start(&element, at, false)?;
                }
                Event::Empty(element) => self.start(&element, at, true)?,
                Event::End(element) => {
                    let name = element.local_name().as_ref().to_string();
                    self.stack.pop();
                    self.end(&name, at)?;
                }
                Event::Text(text) => self.text(&text.xml10_content()),
                Event::CData(data) => {
                    let text = data.xml10_content().to_string();
                    self.text(&text);
                }
                Event::GeneralRef(reference) => {
                    let name = reference.xml10_content().to_string();
                    let resolved = match reference.resolve_char_ref() {
                        Ok(Some(c)) => c.to_string(),
                        _ => match resolve_predefined_entity(&name) {
                            Some(text) => text.to_string(),
                            None => {
                                return Err(self.error(at, format!("unknown entity `&{name};`")));
                            }
                        },
                    };
                    self.text(&resolved);
                }
                Event::Eof => break,
                _ => {}
            }
        }
        if let Some(open) = self.stack.last() {
            let at = self.xml.len();
            return Err(self.error(at, format!("malformed XML: the file ends inside <{open}>")));
        }
        if self.files.is_empty() {
            return Err(self.error(0, "no <file> element: is this an XLIFF file?"));
        }
        Ok(())
    }

    fn start(
        &mut self,
        element: &BytesStart<'_>,
        at: Offset,
        empty: bool,
    ) -> Result<(), Diagnostic> {
        let name = local(element);
        if self.inline.is_some() {
            return self.inline_start(&name, element, at, empty);
        }
        match name.as_str() {
            "xliff" => self.document_target_lang = attribute(element, "trgLang"),
            "file" => self.file(element, at)?,
            "trans-unit" | "unit" => self.unit_start(element, at)?,
            "segment" => {
                if let Some(unit) = self.unit.as_mut() {
                    unit.state = attribute(element, "state");
                }
            }
            "target" if self.unit.is_some() => {
                if let Some(unit) = self.unit.as_mut() {
                    unit.target_at = at;
                    if let Some(state) = attribute(element, "state") {
                        unit.state = Some(state);
                    }
                    unit.target = Some(Vec::new());
                }
                if !empty {
                    self.inline = Some(Inline {
                        pieces: Vec::new(),
                        code_at: Vec::new(),
                        open: Vec::new(),
                        protected: None,
                    });
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn file(&mut self, element: &BytesStart<'_>, at: Offset) -> Result<(), Diagnostic> {
        let Some(source_path) = attribute(element, "original") else {
            return Err(self.error(at, "<file> without `original`: which page is it?"));
        };
        let target_lang = attribute(element, "target-language")
            .or_else(|| self.document_target_lang.clone())
            .ok_or_else(|| {
                self.error(
                    at,
                    "no target language: set `target-language` (1.2) or `trgLang` (2.x)",
                )
            })?;
        self.files.push(ParsedFile {
            at,
            source_path,
            target_lang,
            target_path: attribute(element, "target"),
            revision: attribute(element, "revision"),
            source_hash: attribute(element, "source-hash"),
            target_hash: attribute(element, "target-hash"),
            units: Vec::new(),
        });
        Ok(())
    }

    fn unit_start(&mut self, element: &BytesStart<'_>, at: Offset) -> Result<(), Diagnostic> {
        if self.files.is_empty() {
            return Err(self.error(at, "a unit outside any <file>"));
        }
        let Some(id) = attribute(element, "id") else {
            return Err(self.error(at, "a unit without an id"));
        };
        self.unit = Some(ParsedUnit {
            id,
            at,
            locked: attribute(element, "translate").as_deref() == Some("no"),
            ..Default::default()
        });
        Ok(())
    }

    fn inline_start(
        &mut self,
        name: &str,
        element: &BytesStart<'_>,
        at: Offset,
        empty: bool,
    ) -> Result<(), Diagnostic> {
        let id = match name {
            "mrk" => attribute(element, "mid").or_else(|| {
                attribute(element, "id").map(|i| i.trim_start_matches('m').to_string())
            }),
            _ => attribute(element, "id"),
        };
        let protected = name == "mrk"
            && (attribute(element, "mtype").as_deref() == Some("protected")
                || attribute(element, "translate").as_deref() == Some("no"));
        let code = |parser: &Self| -> Result<u32, Diagnostic> {
            id.as_deref()
                .and_then(|i| i.parse().ok())
                .ok_or_else(|| parser.error(at, format!("<{name}> without a number for its id")))
        };
        if self.inline.is_none() {
            return Ok(());
        }
        match (name, empty) {
            ("g" | "pc", false) => {
                let id = code(self)?;
                self.push_code(TargetPiece::Open(id), at, Some(id));
            }
            ("g" | "pc", true) => {
                let id = code(self)?;
                self.push_code(TargetPiece::Open(id), at, None);
                self.push_piece(TargetPiece::Close(id));
            }
            ("x" | "ph", _) => {
                let id = code(self)?;
                self.push_code(TargetPiece::Atom(id), at, None);
                if !empty {
                    // A 2.x <ph> holds nothing; a 1.2 <ph> holds native code, ignored.
                    self.open_plain();
                }
            }
            ("mrk", false) if protected => {
                let id = code(self)?;
                if let Some(inline) = self.inline.as_mut() {
                    inline.code_at.push(at);
                    inline.protected = Some((id, String::new()));
                    inline.open.push(None);
                }
            }
            ("mrk", _) => {
                if !empty {
                    self.open_plain();
                }
            }
            (other, _) => {
                return Err(self.error(
                    at,
                    format!("<{other}> in a target: tolk writes and reads <g>/<x/> (1.2) and <pc>/<ph/> (2.x) codes only"),
                ));
            }
        }
        Ok(())
    }

    /// An element whose end closes no code.
    fn open_plain(&mut self) {
        if let Some(inline) = self.inline.as_mut() {
            inline.open.push(None);
        }
    }

    fn push_code(&mut self, piece: TargetPiece, at: Offset, opens: Option<u32>) {
        if let Some(inline) = self.inline.as_mut() {
            inline.code_at.push(at);
            inline.pieces.push(piece);
            if opens.is_some() {
                inline.open.push(opens);
            }
        }
    }

    fn push_piece(&mut self, piece: TargetPiece) {
        if let Some(inline) = self.inline.as_mut() {
            inline.pieces.push(piece);
        }
    }

    fn text(&mut self, text: &str) {
        let Some(inline) = self.inline.as_mut() else {
            return;
        };
        if let Some((_, protected)) = inline.protected.as_mut() {
            protected.push_str(text);
        } else if let Some(TargetPiece::Text(last)) = inline.pieces.last_mut() {
            last.push_str(text);
        } else {
            inline.pieces.push(TargetPiece::Text(text.to_string()));
        }
    }

    fn end(&mut self, name: &str, at: Offset) -> Result<(), Diagnostic> {
        if let Some(inline) = self.inline.as_mut() {
            if name == "target" && inline.open.is_empty() {
                let inline = self.inline.take().map(|i| (i.pieces, i.code_at));
                if let (Some(unit), Some((pieces, code_at))) = (self.unit.as_mut(), inline) {
                    unit.target = Some(pieces);
                    unit.code_at = code_at;
                }
                return Ok(());
            }
            match inline.open.pop() {
                Some(Some(id)) => inline.pieces.push(TargetPiece::Close(id)),
                Some(None) => {
                    if let Some((id, text)) = inline.protected.take() {
                        inline.pieces.push(TargetPiece::Protected(id, text));
                    }
                }
                None => return Err(self.error(at, format!("</{name}> closes nothing"))),
            }
            return Ok(());
        }
        if name != "trans-unit" && name != "unit" {
            return Ok(());
        }
        if let (Some(unit), Some(file)) = (self.unit.take(), self.files.last_mut()) {
            file.units.push(unit);
        }
        Ok(())
    }
}

fn local(element: &BytesStart<'_>) -> String {
    element.local_name().as_ref().to_string()
}

/// An attribute by its local name (`tolk:target` is `target`), unescaped.
fn attribute(element: &BytesStart<'_>, name: &str) -> Option<String> {
    element.attributes().flatten().find_map(|a| {
        let key = a.key.local_name();
        let is_xml = a.key.prefix().is_some_and(|p| p.as_ref() == "xml");
        (key.as_ref() == name && !is_xml)
            .then(|| {
                a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                    .ok()
                    .map(|v| v.to_string())
            })
            .flatten()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_lines_and_columns() {
        assert_eq!(line_column("ab\ncdé\nf", 7), (2, 4));
        let problem = parse(
            Path::new("x.xlf"),
            "<xliff>\n  <file original=\"a\" target-language=\"fr\">\n</xliff>",
        )
        .expect_err("malformed");
        assert_eq!(problem.line, Some(3), "{problem}");
    }
}
