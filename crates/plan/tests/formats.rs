//! The extraction of a plan must not depend on its file format. Every corpus plan is rendered
//! as .txt, .md, .docx (written here) and .pdf (that .docx, and that text, printed by
//! LibreOffice, as an office would), and each rendering must give the same header (title, issuer, number, date of issue,
//! period, references) as the original and score within 0.01 of it on every figure.
//!
//! Needs LibreOffice (`cargo xtask test` installs it). `KEHOACH_KEEP_RENDERINGS=DIR` keeps the
//! renderings there.

mod common;

use common::score::score;
use common::{Docx, build, esc, p};
use kehoach_plan::{Block, Document, Plan, parse, read_document};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The corpus plans with their gold extractions, and a unit-first plan without one whose issuer
/// is named only in its preamble (or only in its header block) and whose duties name their
/// partners.
fn corpus() -> Vec<(String, PathBuf, Option<Value>)> {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut out = vec![
        (
            "unit-first-preamble".to_string(),
            fixtures.join("unit-first-preamble.txt"),
            None,
        ),
        // The same plan under the usual two-column header block (issuer, number, place and
        // date beside the national motto), which no preamble sentence repeats.
        (
            "header-block".to_string(),
            fixtures.join("header-block.txt"),
            None,
        ),
    ];
    out.extend(gold_corpus());
    out
}

fn gold_corpus() -> Vec<(String, PathBuf, Option<Value>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus");
    let mut out = Vec::new();
    let mut golds: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".gold.json"))
        .collect();
    golds.sort();
    for g in golds {
        let name = g
            .file_name()
            .unwrap()
            .to_string_lossy()
            .trim_end_matches(".gold.json")
            .to_string();
        let doc = ["txt", "md", "docx"]
            .iter()
            .map(|e| dir.join(format!("{name}.{e}")))
            .find(|p| p.exists())
            .unwrap();
        let gold = serde_json::from_slice(&std::fs::read(&g).unwrap()).unwrap();
        out.push((name, doc, Some(gold)));
    }
    out
}

fn rows(t: &kehoach_plan::Table) -> Vec<Vec<String>> {
    t.rows
        .iter()
        .map(|r| r.iter().map(|c| c.text()).collect())
        .collect()
}

fn to_text(doc: &Document) -> String {
    let mut out = String::new();
    for b in &doc.blocks {
        match b {
            Block::Paragraph(p) => out += &format!("{}\n\n", p.text),
            Block::Table(t) => {
                for r in rows(t) {
                    out += &format!("{}\n", r.join("\t"));
                }
                out += "\n";
            }
        }
    }
    for f in &doc.footnotes {
        out += &format!("{f}\n\n");
    }
    out
}

fn to_markdown(doc: &Document) -> String {
    let mut out = String::new();
    for b in &doc.blocks {
        match b {
            Block::Paragraph(p) => {
                if let Some(level) = p.heading {
                    out += &"#".repeat(level.min(6) as usize);
                    out += " ";
                }
                // Markdown would read "1." or "-" at a line start as its own list syntax and
                // "*" as emphasis; a backslash keeps the text as written.
                out += &p.text.replace('*', "\\*");
                out += "\n\n";
            }
            Block::Table(t) => {
                for (i, r) in rows(t).iter().enumerate() {
                    out += &format!("| {} |\n", r.join(" | ").replace('\n', " "));
                    if i == 0 {
                        out += &format!("|{}\n", "---|".repeat(r.len()));
                    }
                }
                out += "\n";
            }
        }
    }
    if !doc.footnotes.is_empty() {
        out += "---\n\n";
        for (i, f) in doc.footnotes.iter().enumerate() {
            out += &format!("[^{}]: {f}\n\n", i + 1);
        }
    }
    out
}

fn to_docx(doc: &Document) -> Vec<u8> {
    let mut body = String::new();
    for b in &doc.blocks {
        match b {
            Block::Paragraph(para) => match para.heading {
                Some(level) => {
                    body += &format!(
                        r#"<w:p><w:pPr><w:pStyle w:val="Heading{level}"/></w:pPr><w:r><w:t xml:space="preserve">{}</w:t></w:r></w:p>"#,
                        esc(&para.text)
                    )
                }
                None => body += &p(&para.text, None),
            },
            Block::Table(t) => {
                let rows = rows(t);
                let refs: Vec<Vec<&str>> = rows
                    .iter()
                    .map(|r| r.iter().map(String::as_str).collect())
                    .collect();
                let refs: Vec<&[&str]> = refs.iter().map(Vec::as_slice).collect();
                body += &common::table(&refs);
            }
        }
    }
    // Footnotes as the document's own footnotes, referenced from the last paragraph.
    let mut notes = String::new();
    for (i, f) in doc.footnotes.iter().enumerate() {
        let id = i + 1;
        body += &format!(r#"<w:p><w:r><w:footnoteReference w:id="{id}"/></w:r></w:p>"#);
        notes += &format!(
            r#"<w:footnote w:id="{id}"><w:p><w:r><w:t xml:space="preserve">{}</w:t></w:r></w:p></w:footnote>"#,
            esc(f)
        );
    }
    let styles: String = (1..=6)
        .map(|n| {
            format!(
                r#"<w:style w:type="paragraph" w:styleId="Heading{n}"><w:name w:val="heading {n}"/><w:pPr><w:outlineLvl w:val="{}"/></w:pPr><w:rPr><w:b/></w:rPr></w:style>"#,
                n - 1
            )
        })
        .collect();
    build(&Docx {
        body: &body,
        numbering: None,
        footnotes: (!notes.is_empty()).then_some(notes.as_str()),
        styles: Some(&styles),
    })
}

/// Prints documents to PDF with LibreOffice, all in one run (its start with a fresh profile is
/// most of the time), in a profile of its own: `sources` are (file name, bytes), the PDFs come
/// back in the same order.
fn libreoffice_pdfs(sources: &[(String, Vec<u8>)]) -> Vec<Vec<u8>> {
    let dir = std::env::temp_dir().join(format!("kehoach-formats-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut command = Command::new("libreoffice");
    command
        .arg(format!(
            "-env:UserInstallation=file://{}/profile",
            dir.display()
        ))
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(&dir);
    for (file, bytes) in sources {
        std::fs::write(dir.join(file), bytes).unwrap();
        command.arg(dir.join(file));
    }
    let status = command
        .output()
        .expect("libreoffice is installed (cargo xtask test installs libreoffice-writer-nogui)");
    assert!(
        status.status.success(),
        "libreoffice --convert-to pdf failed"
    );
    let pdfs = sources
        .iter()
        .map(|(file, _)| {
            let stem = Path::new(file).file_stem().unwrap();
            std::fs::read(dir.join(stem).with_extension("pdf"))
                .unwrap_or_else(|e| panic!("libreoffice wrote no PDF of {file}: {e}"))
        })
        .collect();
    let _ = std::fs::remove_dir_all(&dir);
    pdfs
}

/// The header fields that must not depend on the format.
fn header(p: &Plan) -> Value {
    serde_json::json!({
        "title": p.title,
        "issuer": p.issuer,
        "number": p.number,
        "issued_on": p.issued_on,
        "period": p.period,
        "references": p.references,
    })
}

fn tasks(p: &Plan) -> Vec<(String, String, String)> {
    p.tasks
        .iter()
        .map(|t| (t.title.clone(), t.lead.clone(), t.partners.clone()))
        .collect()
}

#[test]
fn every_format_gives_the_same_plan() {
    let mut failures = Vec::new();
    let corpus = corpus();
    let mut originals = Vec::new();
    let mut printed = Vec::new();
    for (name, path, _) in &corpus {
        let bytes = std::fs::read(path).unwrap();
        let file = path.file_name().unwrap().to_string_lossy().to_string();
        let original = parse(&bytes, &file).unwrap();
        let doc = read_document(&bytes, &file).unwrap();
        // The text file is printed as is: lines that are whole paragraphs, wrapped by the
        // printer in a monospaced font. The two printings of a document differ in their stem.
        printed.push((format!("{name}.docx"), to_docx(&doc)));
        printed.push((format!("{name}-txt.txt"), to_text(&doc).into_bytes()));
        originals.push((original, doc));
    }
    let mut pdfs = libreoffice_pdfs(&printed).into_iter();
    let mut printed = printed.into_iter().map(|(_, bytes)| bytes);
    for ((name, _, gold), (original, doc)) in corpus.iter().zip(originals) {
        let (pdf, txt_pdf) = (pdfs.next().unwrap(), pdfs.next().unwrap());
        let (docx, text) = (printed.next().unwrap(), printed.next().unwrap());
        let renderings: Vec<(&str, Vec<u8>)> = vec![
            ("md", to_markdown(&doc).into_bytes()),
            ("pdf", pdf),
            ("txt.pdf", txt_pdf),
            ("txt", text),
            ("docx", docx),
        ];
        for (ext, bytes) in renderings {
            // KEHOACH_KEEP_RENDERINGS=DIR keeps every rendering, to look at.
            if let Some(dir) = std::env::var_os("KEHOACH_KEEP_RENDERINGS") {
                std::fs::write(Path::new(&dir).join(format!("{name}.{ext}")), &bytes).unwrap();
            }
            let plan = match parse(&bytes, &format!("{name}.{ext}")) {
                Ok(p) => p,
                Err(e) => {
                    failures.push(format!("{name}.{ext}: {e}"));
                    continue;
                }
            };
            if header(&plan) != header(&original) {
                failures.push(format!(
                    "{name}.{ext}: header {} differs from the original's {}",
                    header(&plan),
                    header(&original)
                ));
            }
            let Some(gold) = &gold else {
                // No gold: the tasks themselves must be the original's.
                if tasks(&plan) != tasks(&original) {
                    failures.push(format!(
                        "{name}.{ext}: tasks {:#?} differ from the original's {:#?}",
                        tasks(&plan),
                        tasks(&original)
                    ));
                }
                continue;
            };
            let base = score(&serde_json::to_value(&original).unwrap(), gold);
            let s = score(&serde_json::to_value(&plan).unwrap(), gold);
            println!(
                "{name}.{ext}: tasks_f1={:.3} fields={:.3} refs_f1={:.3} (original {:.3} {:.3} {:.3})",
                s.tasks_f1, s.fields, s.refs_f1, base.tasks_f1, base.fields, base.refs_f1
            );
            for (what, a, b) in [
                ("tasks_f1", s.tasks_f1, base.tasks_f1),
                ("fields", s.fields, base.fields),
                ("refs_f1", s.refs_f1, base.refs_f1),
            ] {
                if (a - b).abs() > 0.01 {
                    failures.push(format!("{name}.{ext}: {what} {a:.3}, original {b:.3}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn unit_first_duties_name_their_partners_and_the_preamble_its_issuer() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/unit-first-preamble.txt");
    let plan = parse(&std::fs::read(path).unwrap(), "plan.txt").unwrap();
    assert_eq!(plan.issuer.as_deref(), Some("UBND huyện Núi Thành"));
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/header-block.txt");
    let headed = parse(&std::fs::read(path).unwrap(), "plan.txt").unwrap();
    assert_eq!(
        header(&headed)["issuer"].as_str(),
        Some("UBND huyện Núi Thành")
    );
    assert_eq!(headed.number.as_deref(), Some("45/KH-UBND"));
    let partners: Vec<&str> = plan.tasks.iter().map(|t| t.partners.as_str()).collect();
    assert_eq!(
        partners,
        vec![
            "Phòng Giáo dục và Đào tạo",
            "Hội Liên hiệp Phụ nữ huyện",
            "các doanh nghiệp viễn thông, ngân hàng, thương mại điện tử",
            "Đài Phát thanh và Truyền hình tỉnh",
            "Phòng Văn hóa và Thông tin huyện, Huyện đoàn",
            "Phòng Nội vụ, Ủy ban Mặt trận Tổ quốc Việt Nam huyện và các đơn vị liên quan",
        ]
    );
}
