//! What an uploaded workbook may make the server do. An .xlsx is a zip of XML parts; a few
//! hundred bytes of it can claim a million rows, expand to gigabytes or nest without end. Every
//! part is unpacked once here, as a stream with a hard cap (the sizes a zip declares can lie), and
//! its XML is scanned for nesting, shared strings, cells and merged areas, before the reader
//! allocates anything for the sheet. The cells are then read one at a time against the same
//! limits, keeping only those present.

use std::cell::Cell;
use std::io::{self, BufReader, Cursor, Read};
use std::time::{Duration, Instant};

use quick_xml::events::{BytesStart, Event};

use super::ReadError;

/// Parts (files) in the zip: a workbook has a dozen or two.
pub const MAX_PARTS: usize = 1_000;
/// Bytes of all parts together once unpacked.
pub const MAX_EXPANDED_MB: u64 = 64;
/// The longest run of text between two XML tags (a cell holds at most 32,767 characters).
pub const MAX_TEXT_KB: usize = 1024;
/// How deep XML elements may nest (a worksheet needs fewer than ten levels).
pub const MAX_XML_DEPTH: usize = 64;
/// Entries in the shared-string table.
pub const MAX_SHARED_STRINGS: usize = 500_000;
/// Cells in the worksheets, blank or not.
pub const MAX_CELLS: usize = 500_000;
/// Rows and columns a filled cell may lie in (the title and header lines above the data rows,
/// and some blank rows, fit in the margin over the data-row limit).
pub const MAX_SHEET_ROWS: u32 = super::MAX_ROWS as u32 + 1_000;
pub const MAX_COLUMNS: u32 = 200;
/// Cells covered by merged ranges, all ranges together.
pub const MAX_MERGED_CELLS: u64 = 200_000;
/// How long reading one upload may take.
pub const TIME_BUDGET: Duration = Duration::from_secs(5);

/// A limit an upload went over; each names the limit in the refusal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Limit {
    Parts,
    Expanded,
    LongText,
    Nesting,
    SharedStrings,
    Cells,
    /// A filled cell lies beyond the last row or column read (its name, e.g. `XFD1048576`).
    Beyond(String),
    Merged,
    Time,
}

impl Limit {
    /// The i18n key of the refusal and its parameters.
    pub fn message(&self) -> (&'static str, Vec<(&'static str, String)>) {
        match self {
            Limit::Parts => ("err.sheet_parts", vec![("max", MAX_PARTS.to_string())]),
            Limit::Expanded => ("err.sheet_expanded", vec![("mb", MAX_EXPANDED_MB.to_string())]),
            Limit::LongText => ("err.sheet_long_text", vec![("kb", MAX_TEXT_KB.to_string())]),
            Limit::Nesting => ("err.sheet_nesting", vec![("max", MAX_XML_DEPTH.to_string())]),
            Limit::SharedStrings => ("err.sheet_strings", vec![("max", MAX_SHARED_STRINGS.to_string())]),
            Limit::Cells => ("err.sheet_cells", vec![("max", MAX_CELLS.to_string())]),
            Limit::Beyond(cell) => (
                "err.sheet_beyond",
                vec![
                    ("cell", cell.clone()),
                    ("rows", MAX_SHEET_ROWS.to_string()),
                    ("columns", MAX_COLUMNS.to_string()),
                ],
            ),
            Limit::Merged => ("err.sheet_merged", vec![("max", MAX_MERGED_CELLS.to_string())]),
            Limit::Time => ("err.sheet_time", vec![("seconds", TIME_BUDGET.as_secs().to_string())]),
        }
    }
}

impl From<Limit> for ReadError {
    fn from(l: Limit) -> Self {
        ReadError::Limit(l)
    }
}

/// The first bytes of the compound-file format of .xls and .doc.
const CFB_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Checks a zip-based Office file (.xlsx, .docx) part by part: how many parts, how large each
/// really is unpacked, and, in its XML, nesting, long text, shared strings, cells and merges.
pub fn inspect(bytes: &[u8], deadline: Instant) -> Result<(), ReadError> {
    if bytes.starts_with(&CFB_MAGIC) {
        return Err(ReadError::Legacy);
    }
    if !bytes.starts_with(b"PK") {
        return Err(ReadError::NotExcel);
    }
    // The zip reader lists every part the directory declares when it opens the file: refuse a
    // directory of thousands of parts before it does.
    if declared_parts(bytes).is_some_and(|n| n > MAX_PARTS) {
        return Err(Limit::Parts.into());
    }
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| ReadError::NotExcel)?;
    if zip.len() > MAX_PARTS {
        return Err(Limit::Parts.into());
    }
    let budget = Budget {
        expanded: Cell::new(0),
        deadline,
    };
    let mut counts = Counts::default();
    for i in 0..zip.len() {
        let part = zip.by_index(i).map_err(|_| ReadError::NotExcel)?;
        if part.is_dir() {
            continue;
        }
        let name = part.name().to_ascii_lowercase();
        let tripped = Cell::new(None);
        // Cells and merges are counted in every XML part, wherever the workbook says its sheets are.
        let kind = if name.ends_with("sharedstrings.xml") {
            Some(Part::Strings)
        } else if name.ends_with(".xml") || name.ends_with(".rels") || name.ends_with(".vml") {
            Some(Part::Xml)
        } else {
            None
        };
        let mut stream = Capped {
            inner: part,
            budget: &budget,
            tripped: &tripped,
            text: kind.is_some(),
            run: 0,
        };
        let scanned = match kind {
            Some(kind) => scan_xml(&mut stream, kind, &mut counts),
            None => io::copy(&mut stream, &mut io::sink())
                .map(|_| ())
                .map_err(|_| ReadError::NotExcel),
        };
        // A limit met while unpacking explains whatever error the XML reader saw after it.
        if let Some(limit) = tripped.take() {
            return Err(limit.into());
        }
        scanned?;
    }
    Ok(())
}

#[derive(Clone, Copy)]
enum Part {
    Strings,
    Xml,
}

#[derive(Default)]
struct Counts {
    strings: usize,
    cells: usize,
    merged: u64,
}

/// How many parts the zip's end record declares (the last end record in the file).
fn declared_parts(bytes: &[u8]) -> Option<usize> {
    const END: &[u8] = b"PK\x05\x06";
    let tail = &bytes[bytes.len().saturating_sub(65_535 + 22)..];
    let at = memchr::memmem::rfind(tail, END)?;
    let field = tail.get(at + 10..at + 12)?;
    match u16::from_le_bytes([field[0], field[1]]) {
        // Zip64 keeps the real count elsewhere; no workbook needs that many parts.
        u16::MAX => Some(usize::MAX),
        n => Some(n as usize),
    }
}

/// What all parts of one upload share: bytes unpacked so far and the deadline.
struct Budget {
    expanded: Cell<u64>,
    deadline: Instant,
}

/// A part being unpacked: stops at the size cap, at the deadline, and at a run of text without
/// a tag longer than the text limit (which would otherwise be buffered whole by the XML reader).
struct Capped<'a, R> {
    inner: R,
    budget: &'a Budget,
    tripped: &'a Cell<Option<Limit>>,
    /// XML, where runs of text are limited.
    text: bool,
    run: usize,
}

impl<R: Read> Capped<'_, R> {
    fn count(&self, n: usize) -> Result<(), Limit> {
        let total = self.budget.expanded.get() + n as u64;
        self.budget.expanded.set(total);
        if total > MAX_EXPANDED_MB * 1024 * 1024 {
            return Err(Limit::Expanded);
        }
        if Instant::now() > self.budget.deadline {
            return Err(Limit::Time);
        }
        Ok(())
    }

    fn trip(&self, limit: Limit) -> io::Error {
        self.tripped.set(Some(limit));
        io::Error::other("upload limit")
    }
}

impl<R: Read> Read for Capped<'_, R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(out)?;
        self.count(n).map_err(|l| self.trip(l))?;
        if !self.text {
            return Ok(n);
        }
        let chunk = &out[..n];
        match (memchr::memchr2(b'<', b'>', chunk), memchr::memrchr2(b'<', b'>', chunk)) {
            (Some(first), Some(last)) => {
                if self.run + first <= MAX_TEXT_KB * 1024 {
                    self.run = n - last - 1;
                    return Ok(n);
                }
            }
            _ => {
                self.run += n;
                if self.run <= MAX_TEXT_KB * 1024 {
                    return Ok(n);
                }
            }
        }
        // Too long a text: if the part goes on to blow the size cap, that is the limit to name.
        let mut scratch = [0u8; 16 * 1024];
        loop {
            let n = self.inner.read(&mut scratch)?;
            if n == 0 {
                return Err(self.trip(Limit::LongText));
            }
            self.count(n).map_err(|l| self.trip(l))?;
        }
    }
}

fn scan_xml<R: Read>(input: R, kind: Part, counts: &mut Counts) -> Result<(), ReadError> {
    let mut xml = quick_xml::Reader::from_reader(BufReader::with_capacity(64 * 1024, input));
    let mut buf = Vec::with_capacity(1024);
    let mut depth = 0usize;
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf).map_err(|_| ReadError::NotExcel)? {
            Event::Start(e) => {
                depth += 1;
                if depth > MAX_XML_DEPTH {
                    return Err(Limit::Nesting.into());
                }
                count(&e, kind, counts)?;
            }
            Event::Empty(e) => {
                if depth + 1 > MAX_XML_DEPTH {
                    return Err(Limit::Nesting.into());
                }
                count(&e, kind, counts)?;
            }
            Event::End(_) => depth = depth.saturating_sub(1),
            Event::Eof => return Ok(()),
            _ => {}
        }
    }
}

fn count(e: &BytesStart, kind: Part, counts: &mut Counts) -> Result<(), Limit> {
    match (kind, e.local_name().as_ref()) {
        (Part::Strings, b"si") => {
            counts.strings += 1;
            if counts.strings > MAX_SHARED_STRINGS {
                return Err(Limit::SharedStrings);
            }
        }
        (Part::Xml, b"c") => {
            counts.cells += 1;
            if counts.cells > MAX_CELLS {
                return Err(Limit::Cells);
            }
        }
        (Part::Xml, b"mergeCell") => {
            let area = e
                .attributes()
                .flatten()
                .find(|a| a.key.local_name().as_ref() == b"ref")
                .and_then(|a| merged_area(&a.value))
                .unwrap_or(0);
            counts.merged = counts.merged.saturating_add(area);
            if counts.merged > MAX_MERGED_CELLS {
                return Err(Limit::Merged);
            }
        }
        _ => {}
    }
    Ok(())
}

/// The cells a range such as `A1:D3` covers (a single cell covers one).
fn merged_area(reference: &[u8]) -> Option<u64> {
    let text = std::str::from_utf8(reference).ok()?;
    let (a, b) = text.split_once(':').unwrap_or((text, text));
    let (r1, c1) = parse_cell(a)?;
    let (r2, c2) = parse_cell(b)?;
    Some((r1.abs_diff(r2) + 1).saturating_mul(c1.abs_diff(c2) + 1))
}

/// A cell name such as `XFD1048576` as (row, column), both 0-based.
fn parse_cell(name: &str) -> Option<(u64, u64)> {
    let name = name.trim().replace('$', "");
    let split = name.find(|c: char| c.is_ascii_digit())?;
    let (letters, digits) = name.split_at(split);
    if letters.is_empty() || letters.len() > 3 || !letters.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let col = letters
        .chars()
        .fold(0u64, |n, c| n * 26 + (c.to_ascii_uppercase() as u64 - 'A' as u64 + 1));
    let row: u64 = digits.parse().ok()?;
    Some((row.checked_sub(1)?, col - 1))
}

/// The name Excel shows for a 0-based (row, column), e.g. (0, 0) is `A1`.
pub fn cell_name(row: u32, col: u32) -> String {
    let mut letters = vec![];
    let mut n = col as u64 + 1;
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        letters.push((b'A' + rem) as char);
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect::<String>() + &(row as u64 + 1).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_named_as_excel_names_them() {
        assert_eq!(cell_name(0, 0), "A1");
        assert_eq!(cell_name(1_048_575, 16_383), "XFD1048576");
        assert_eq!(parse_cell("XFD1048576"), Some((1_048_575, 16_383)));
        assert_eq!(parse_cell("$B$3"), Some((2, 1)));
        assert_eq!(merged_area(b"A1:XFD1048576"), Some(1_048_576 * 16_384));
        assert_eq!(merged_area(b"C3"), Some(1));
        assert_eq!(merged_area(b"junk"), None);
    }

    #[test]
    fn old_binary_files_and_other_bytes_are_refused_before_unpacking() {
        let later = Instant::now() + TIME_BUDGET;
        assert_eq!(inspect(&CFB_MAGIC, later), Err(ReadError::Legacy));
        assert_eq!(inspect(b"name,phone\n", later), Err(ReadError::NotExcel));
    }
}
