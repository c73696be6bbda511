//! Builds small .docx files for tests: document.xml (+ numbering, footnotes, styles) zipped with
//! the `zip` writer.

#![allow(dead_code)]

pub mod score;

use std::io::{Cursor, Write};
use zip::write::SimpleFileOptions;

pub const W_NS: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main""#;

pub struct Docx<'a> {
    pub body: &'a str,
    pub numbering: Option<&'a str>,
    pub footnotes: Option<&'a str>,
    pub styles: Option<&'a str>,
}

pub fn build(d: &Docx<'_>) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let mut put = |name: &str, content: &str| {
        zip.start_file(name, opts).unwrap();
        zip.write_all(content.as_bytes()).unwrap();
    };
    // A complete package (content types and relationships), so that Word and LibreOffice open
    // it too, not only our reader.
    let wml = "application/vnd.openxmlformats-officedocument.wordprocessingml";
    let mut types = format!(
        r#"<Override PartName="/word/document.xml" ContentType="{wml}.document.main+xml"/>"#
    );
    let mut rels = String::new();
    for (part, kind, present) in [
        ("numbering", "numbering", d.numbering.is_some()),
        ("footnotes", "footnotes", d.footnotes.is_some()),
        ("styles", "styles", d.styles.is_some()),
    ] {
        if present {
            types += &format!(
                r#"<Override PartName="/word/{part}.xml" ContentType="{wml}.{kind}+xml"/>"#
            );
            rels += &format!(
                r#"<Relationship Id="r{part}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/{kind}" Target="{part}.xml"/>"#
            );
        }
    }
    put(
        "[Content_Types].xml",
        &format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>{types}</Types>"#
        ),
    );
    put(
        "_rels/.rels",
        r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#,
    );
    put(
        "word/_rels/document.xml.rels",
        &format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>"#
        ),
    );
    put(
        "word/document.xml",
        &format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {W_NS}><w:body>{}</w:body></w:document>"#,
            d.body
        ),
    );
    if let Some(n) = d.numbering {
        put(
            "word/numbering.xml",
            &format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><w:numbering {W_NS}>{n}</w:numbering>"#
            ),
        );
    }
    if let Some(f) = d.footnotes {
        put(
            "word/footnotes.xml",
            &format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><w:footnotes {W_NS}><w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>{f}</w:footnotes>"#
            ),
        );
    }
    if let Some(s) = d.styles {
        put(
            "word/styles.xml",
            &format!(r#"<?xml version="1.0" encoding="UTF-8"?><w:styles {W_NS}>{s}</w:styles>"#),
        );
    }
    zip.finish().unwrap().into_inner()
}

/// A paragraph; `num` = (numId, ilvl) for automatic numbering.
pub fn p(text: &str, num: Option<(u32, u32)>) -> String {
    let numpr = num
        .map(|(id, l)| {
            format!(
                r#"<w:pPr><w:numPr><w:ilvl w:val="{l}"/><w:numId w:val="{id}"/></w:numPr></w:pPr>"#
            )
        })
        .unwrap_or_default();
    let runs: Vec<String> = text
        .split('\n')
        .map(|t| format!(r#"<w:r><w:t xml:space="preserve">{}</w:t></w:r>"#, esc(t)))
        .collect();
    format!("<w:p>{numpr}{}</w:p>", runs.join("<w:r><w:br/></w:r>"))
}

pub fn esc(t: &str) -> String {
    t.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A table; a cell "<<" continues the cell above (vMerge), a cell starting with "span:N:" spans N columns.
pub fn table(rows: &[&[&str]]) -> String {
    let mut out = String::from("<w:tbl>");
    for row in rows.iter() {
        out.push_str("<w:tr>");
        for cell in row.iter() {
            let (props, text) = if *cell == "<<" {
                (r#"<w:tcPr><w:vMerge/></w:tcPr>"#.to_string(), String::new())
            } else if let Some(rest) = cell.strip_prefix("span:") {
                let (n, t) = rest.split_once(':').unwrap();
                (
                    format!(r#"<w:tcPr><w:gridSpan w:val="{n}"/></w:tcPr>"#),
                    t.to_string(),
                )
            } else if let Some(t) = cell.strip_prefix("vm:") {
                (
                    r#"<w:tcPr><w:vMerge w:val="restart"/></w:tcPr>"#.to_string(),
                    t.to_string(),
                )
            } else {
                (String::new(), cell.to_string())
            };
            out.push_str(&format!("<w:tc>{props}{}</w:tc>", p(&text, None)));
        }
        out.push_str("</w:tr>");
    }
    out.push_str("</w:tbl>");
    out
}

/// Numbering: abstractNum 1 = I. / 1. / a) / - ; num 1 → abstract 1; num 2 → a decimal list
/// restarting at 1 (for a table's STT column).
pub const NUMBERING: &str = r#"
<w:abstractNum w:abstractNumId="1">
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="upperRoman"/><w:lvlText w:val="%1."/></w:lvl>
  <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%2."/></w:lvl>
  <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="%3)"/></w:lvl>
  <w:lvl w:ilvl="3"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val="-"/></w:lvl>
  <w:lvl w:ilvl="4"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val="&#61607;"/></w:lvl>
</w:abstractNum>
<w:abstractNum w:abstractNumId="2">
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1"/></w:lvl>
</w:abstractNum>
<w:num w:numId="1"><w:abstractNumId w:val="1"/></w:num>
<w:num w:numId="2"><w:abstractNumId w:val="2"/></w:num>
"#;
