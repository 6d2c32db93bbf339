//! Hostile spreadsheets, made in code: small files that claim a huge sheet, expand to a lot of
//! bytes, or hold far more cells, texts, merges or nesting than any form. Shared by the upload
//! tests and the upload benchmark.
#![allow(dead_code)]

use std::io::{Cursor, Result, Write};

use zip::write::SimpleFileOptions;

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#;
const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#;
const SHEET_START: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#;

type Part<'a> = &'a dyn Fn(&mut dyn Write) -> Result<()>;

/// A one-sheet workbook whose sheet (and shared-string table, if given) the closures write.
pub fn workbook(sheet: Part, strings: Option<Part>) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(9));
    for (name, text) in [
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", RELS),
        ("xl/workbook.xml", WORKBOOK),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
    ] {
        zip.start_file(name, opts).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    let mut parts: Vec<(&str, Part)> = vec![("xl/worksheets/sheet1.xml", sheet)];
    if let Some(s) = strings {
        parts.push(("xl/sharedStrings.xml", s));
    }
    for (name, write) in parts {
        zip.start_file(name, opts).unwrap();
        let mut out = std::io::BufWriter::with_capacity(1 << 16, &mut zip);
        write(&mut out).unwrap();
        out.flush().unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// A header cell and a text cell at the far corner of the sheet (`XFD1048576`): read densely,
/// 17 billion cells.
pub fn far_corner() -> Vec<u8> {
    workbook(
        &|w| {
            write!(
                w,
                r#"{SHEET_START}<dimension ref="A1:XFD1048576"/><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c></row><row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData></worksheet>"#
            )
        },
        None,
    )
}

/// `count` merged ranges each covering the whole sheet.
pub fn giant_merges(count: usize) -> Vec<u8> {
    workbook(
        &|w| {
            write!(
                w,
                r#"{SHEET_START}<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c></row></sheetData><mergeCells count="{count}">"#
            )?;
            for _ in 0..count {
                w.write_all(br#"<mergeCell ref="A1:XFD1048576"/>"#)?;
            }
            w.write_all(b"</mergeCells></worksheet>")
        },
        None,
    )
}

/// A sheet padded with `mb` MB of spaces: a few hundred KB that unpack to `mb` MB.
pub fn whitespace_bomb(mb: usize) -> Vec<u8> {
    workbook(
        &|w| {
            write!(w, "{SHEET_START}<sheetData>")?;
            let spaces = vec![b' '; 1 << 20];
            for _ in 0..mb {
                w.write_all(&spaces)?;
            }
            w.write_all(b"</sheetData></worksheet>")
        },
        None,
    )
}

/// `cells` tiny number cells, 100 to a row.
pub fn cell_bomb(cells: usize) -> Vec<u8> {
    workbook(
        &|w| {
            write!(w, "{SHEET_START}<sheetData>")?;
            let row = format!("<row>{}</row>", "<c><v>1</v></c>".repeat(100));
            for _ in 0..cells / 100 {
                w.write_all(row.as_bytes())?;
            }
            w.write_all(b"</sheetData></worksheet>")
        },
        None,
    )
}

/// A shared-string table of `count` one-letter texts.
pub fn shared_strings(count: usize) -> Vec<u8> {
    workbook(
        &|w| {
            write!(
                w,
                r#"{SHEET_START}<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>"#
            )
        },
        Some(&|w| {
            write!(
                w,
                r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{count}" uniqueCount="{count}">"#
            )?;
            for _ in 0..count {
                w.write_all(b"<si><t>s</t></si>")?;
            }
            w.write_all(b"</sst>")
        }),
    )
}

/// A sheet whose XML nests `depth` elements deep.
pub fn deep_nesting(depth: usize) -> Vec<u8> {
    workbook(
        &|w| {
            write!(w, "{SHEET_START}<sheetData></sheetData>")?;
            for _ in 0..depth {
                w.write_all(b"<x>")?;
            }
            for _ in 0..depth {
                w.write_all(b"</x>")?;
            }
            w.write_all(b"</worksheet>")
        },
        None,
    )
}

/// A workbook followed by `count` empty parts (a zip directory of that many entries).
pub fn many_parts(count: usize) -> Vec<u8> {
    let book = far_corner();
    let mut zip = zip::ZipWriter::new_append(Cursor::new(book)).unwrap();
    let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for i in 0..count {
        zip.start_file(format!("x/{i}"), opts).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// The first bytes of an old binary .xls (a compound file), padded.
pub fn legacy_xls() -> Vec<u8> {
    let mut bytes = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    bytes.resize(4096, 0);
    bytes
}

/// Each hostile file with its name and the refusal it must get.
pub fn all() -> Vec<(&'static str, Vec<u8>, &'static str)> {
    vec![
        ("far-corner cell", far_corner(), "err.sheet_beyond"),
        ("whole-sheet merges", giant_merges(1_000), "err.sheet_merged"),
        ("whitespace bomb", whitespace_bomb(100), "err.sheet_expanded"),
        ("cell bomb", cell_bomb(2_000_000), "err.sheet_cells"),
        ("shared-string table", shared_strings(1_000_000), "err.sheet_strings"),
        ("deep nesting", deep_nesting(100_000), "err.sheet_nesting"),
        ("many parts", many_parts(20_000), "err.sheet_parts"),
        ("legacy .xls", legacy_xls(), "err.xls_legacy"),
    ]
}
