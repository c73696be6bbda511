//! The DTI evidence pack: a .zip holding every evidence file of a plan's activities in a period,
//! named readably and uniquely (`NV-<task>/<unit>/<date>_<name>`), and an index workbook
//! (`muc-luc.xlsx`) listing per task the activities, dates, links and the files' names in the
//! archive.
//!
//! Files are copied from the content-addressed store into the archive one at a time through a
//! fixed buffer: memory stays bounded however large the pack. A file used as evidence by several
//! activities is stored once and every row names it. A file missing from the store (a restored
//! database without its files) is listed as missing rather than failing the pack.

use std::collections::{HashMap, HashSet};
use std::io::{Seek, Write};

use zip::write::SimpleFileOptions;

use super::{ActivityRecord, ExportError, xlsx};
use crate::files::{FileStore, sanitize_file_name};
use crate::store::EvidenceRow;

/// The name of the index workbook inside the pack.
pub const INDEX_NAME: &str = "muc-luc.xlsx";

/// What went into a pack.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PackSummary {
    pub activities: usize,
    pub files: usize,
    pub bytes: u64,
    /// Files the index names that the store no longer holds.
    pub missing: usize,
}

/// A path component: no separators, no control characters, not empty.
fn component(s: &str) -> String {
    let clean = sanitize_file_name(&s.replace(['/', '\\'], "-"));
    if clean.is_empty() || clean == "." || clean == ".." {
        "_".into()
    } else {
        clean
    }
}

/// The archive path of every file (by SHA-256), in the order the records list them: the first
/// activity that uses a file names it; a name already taken gets "-2", "-3"… before its extension.
pub fn pack_names(records: &[ActivityRecord]) -> HashMap<String, String> {
    let mut names: HashMap<String, String> = HashMap::new();
    let mut taken: HashSet<String> = HashSet::new();
    for r in records {
        let a = &r.activity;
        for e in &r.evidence {
            let Some(sha) = e.sha256.as_deref() else {
                continue;
            };
            if names.contains_key(sha) {
                continue;
            }
            let file = component(e.file_name.as_deref().unwrap_or("tep"));
            let base = format!(
                "NV-{}/{}/{}_{}",
                component(&a.task_reference),
                component(&a.unit_code),
                a.occurred_on,
                file
            );
            let mut candidate = base.clone();
            let mut n = 2;
            while !taken.insert(candidate.to_lowercase()) {
                candidate = match base.rsplit_once('.') {
                    Some((stem, ext)) if !ext.contains('/') => format!("{stem}-{n}.{ext}"),
                    _ => format!("{base}-{n}"),
                };
                n += 1;
            }
            names.insert(sha.to_string(), candidate);
        }
    }
    names
}

/// Writes the pack of `records` to `out`: the index first, then each file once.
pub fn write_pack<W: Write + Seek>(
    out: W,
    records: &[ActivityRecord],
    files: &FileStore,
    heading: &xlsx::Heading,
) -> Result<PackSummary, ExportError> {
    let names = pack_names(records);
    let mut summary = PackSummary {
        activities: records.len(),
        ..PackSummary::default()
    };
    // Which files are really there decides what the index says.
    let mut present: HashSet<&str> = HashSet::new();
    for sha in names.keys() {
        if files.path_of(sha).is_some_and(|p| p.is_file()) {
            present.insert(sha.as_str());
        } else {
            summary.missing += 1;
        }
    }
    let label = |e: &EvidenceRow| {
        let sha = e.sha256.as_deref().unwrap_or("");
        match names.get(sha) {
            Some(name) if present.contains(sha) => name.clone(),
            _ => format!(
                "{} (thiếu tệp trong kho)",
                e.file_name.as_deref().unwrap_or("tệp")
            ),
        }
    };
    let index = xlsx::activities_workbook(records, &label, heading)?;

    let mut zip = zip::ZipWriter::new(out);
    let deflated =
        SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    // Photos, PDFs and office files are compressed already: stored as they are.
    let stored = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file(INDEX_NAME, deflated)?;
    zip.write_all(&index)?;
    let mut ordered: Vec<(&String, &String)> = names.iter().collect();
    ordered.sort_by(|a, b| a.1.cmp(b.1));
    for (sha, name) in ordered {
        if !present.contains(sha.as_str()) {
            continue;
        }
        let Some(path) = files.path_of(sha) else {
            continue;
        };
        let mut file = std::fs::File::open(&path)?;
        zip.start_file(name.as_str(), stored)?;
        summary.bytes += std::io::copy(&mut file, &mut zip)?;
        summary.files += 1;
    }
    zip.finish()?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::PlanActivityRow;

    fn record(id: i64, task: &str, unit: &str, on: &str, files: &[(&str, &str)]) -> ActivityRecord {
        ActivityRecord {
            activity: PlanActivityRow {
                id,
                assignment_id: 1,
                task_id: 1,
                task_reference: task.into(),
                task_title: "t".into(),
                unit_id: 1,
                unit_code: unit.into(),
                unit_name: "u".into(),
                occurred_on: on.parse().unwrap(),
                kind: String::new(),
                title: "a".into(),
                quantity: 1.0,
                duration_minutes: None,
                attendance: None,
                completes: false,
                note: String::new(),
                recorded_at: chrono::Utc::now(),
            },
            evidence: files
                .iter()
                .enumerate()
                .map(|(i, (sha, name))| EvidenceRow {
                    id: id * 10 + i as i64,
                    activity_id: id,
                    kind: "file".into(),
                    url: None,
                    sha256: Some(sha.to_string()),
                    file_name: Some(name.to_string()),
                    content_type: None,
                    size_bytes: None,
                })
                .collect(),
        }
    }

    #[test]
    fn names_are_readable_and_unique() {
        let records = [
            record(
                1,
                "1.2",
                "49.DAI",
                "2024-01-03",
                &[("aa", "ảnh.png"), ("bb", "ảnh.png")],
            ),
            record(
                2,
                "1.2",
                "49.DAI",
                "2024-01-03",
                &[("cc", "Ảnh.PNG"), ("aa", "lại.png")],
            ),
            record(3, "../x", "a/b", "2024-02-01", &[("dd", "")]),
        ];
        let names = pack_names(&records);
        assert_eq!(names["aa"], "NV-1.2/49.DAI/2024-01-03_ảnh.png");
        assert_eq!(names["bb"], "NV-1.2/49.DAI/2024-01-03_ảnh-2.png");
        // Case-insensitive file systems would merge these: they differ by more than case.
        assert_eq!(names["cc"], "NV-1.2/49.DAI/2024-01-03_Ảnh-3.PNG");
        assert_eq!(
            names.len(),
            4,
            "a file shared by two activities is stored once"
        );
        assert!(!names["dd"].contains(".."), "{}", names["dd"]);
        assert_eq!(names["dd"].matches('/').count(), 2, "{}", names["dd"]);
    }
}
