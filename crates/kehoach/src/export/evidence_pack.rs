//! The DTI evidence pack: a .zip holding every evidence file of a plan's activities in a period,
//! named readably and uniquely (`NV-<task ref> <task title>/<unit name>/<date>_<name>`, each part
//! cut at a word, every path under 150 characters and valid on Windows), under each assignment
//! that uses it, with the time its activity was reported; and an index workbook (`muc-luc.xlsx`)
//! listing per task the activities, dates, links and the files' paths in the archive.
//!
//! Files are copied from the content-addressed store into the archive one at a time through a
//! fixed buffer: memory stays bounded however large the pack. A file used by several activities
//! of one assignment is stored once and every row names it; used by several assignments, it is
//! under each (a unit reading its own folder finds all its evidence). A file missing from the store (a restored
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

/// Longest archive path: Windows' Explorer and older unzip tools fail past 260 characters with
/// the folder it is extracted into, so the pack's own paths stay well below.
pub const MAX_PATH_CHARS: usize = 149;

/// Names Windows keeps for devices, whatever the extension.
const RESERVED: [&str; 22] = [
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];

/// A path component valid on Windows as on Unix, of at most `max` characters cut at a word: no
/// separators, none of `<>:"|?*`, no control characters, no trailing dot or space, not a device
/// name, not empty.
fn component(s: &str, max: usize) -> String {
    let out = cut_clean(s, max);
    let stem = out.split('.').next().unwrap_or("").to_ascii_uppercase();
    if RESERVED.contains(&stem.as_str()) {
        format!("_{out}")
    } else {
        out
    }
}

/// [`component`] but for the device names (a part of a name, not a name).
fn cut_clean(s: &str, max: usize) -> String {
    let (mended, _) = kehoach_core::text::mend_lost_chars(s);
    let clean: String = sanitize_file_name(&mended.replace(['/', '\\'], "-"))
        .chars()
        .map(|c| {
            if "<>:\"|?*".contains(c) || c.is_control() {
                '-'
            } else {
                c
            }
        })
        .collect();
    let mut out = String::new();
    for word in clean.split_whitespace() {
        let next = if out.is_empty() {
            word.to_string()
        } else {
            format!("{out} {word}")
        };
        if next.chars().count() > max {
            if out.is_empty() {
                out = word.chars().take(max).collect();
            }
            break;
        }
        out = next;
    }
    let out = out.trim_end_matches(['.', ' ']).to_string();
    if out.is_empty() { "_".into() } else { out }
}

/// The folder of an activity's assignment: "NV-II.2.b Tuyên truyền trên Đài…/Đài Phát thanh…".
pub fn folder_of(a: &crate::store::PlanActivityRow) -> String {
    format!(
        "{}/{}",
        component(&format!("NV-{} {}", a.task_reference, a.task_title), 44),
        component(&a.unit_name, 40)
    )
}

/// A file's name in its folder: "2024-01-03_ảnh hiện trường.png", the stem cut to fit.
fn file_component(on: chrono::NaiveDate, name: &str, room: usize) -> String {
    let name = cut_clean(name, 200);
    let (stem, ext) = match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() && ext.chars().count() <= 8 => {
            (stem, format!(".{ext}"))
        }
        _ => (name.as_str(), String::new()),
    };
    let room = room.saturating_sub(11 + ext.chars().count()).max(8);
    format!("{on}_{}{ext}", cut_clean(stem, room))
}

/// The archive path of every file under every assignment that uses it, keyed by (folder,
/// SHA-256), in the order the records list them; a name already taken in a folder gets "-2",
/// "-3"… before its extension. Every path is at most [`MAX_PATH_CHARS`] characters.
pub fn pack_names(records: &[ActivityRecord]) -> HashMap<(String, String), String> {
    let mut names: HashMap<(String, String), String> = HashMap::new();
    let mut taken: HashSet<String> = HashSet::new();
    for r in records {
        let a = &r.activity;
        let folder = folder_of(a);
        for e in &r.evidence {
            let Some(sha) = e.sha256.as_deref() else {
                continue;
            };
            let key = (folder.clone(), sha.to_string());
            if names.contains_key(&key) {
                continue;
            }
            // Room for the folder, the slash and a "-NN" suffix.
            let room = MAX_PATH_CHARS - folder.chars().count() - 1 - 4;
            let file = file_component(a.occurred_on, e.file_name.as_deref().unwrap_or("tep"), room);
            let base = format!("{folder}/{file}");
            let mut candidate = base.clone();
            let mut n = 2;
            while !taken.insert(candidate.to_lowercase()) {
                candidate = match base.rsplit_once('.') {
                    Some((stem, ext)) if !ext.contains('/') => format!("{stem}-{n}.{ext}"),
                    _ => format!("{base}-{n}"),
                };
                n += 1;
            }
            names.insert(key, candidate);
        }
    }
    names
}

/// A zip entry's time from a moment (Vietnam's clock, as the user's file manager shows it).
fn zip_time(t: chrono::DateTime<chrono::Utc>) -> Option<zip::DateTime> {
    use chrono::{Datelike, Timelike};
    let local = t.with_timezone(&kehoach_core::period::vietnam_offset());
    zip::DateTime::from_date_and_time(
        u16::try_from(local.year()).ok()?,
        local.month() as u8,
        local.day() as u8,
        local.hour() as u8,
        local.minute() as u8,
        local.second() as u8,
    )
    .ok()
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
    let shas: HashSet<&str> = names.keys().map(|(_, sha)| sha.as_str()).collect();
    let mut present: HashSet<&str> = HashSet::new();
    for sha in shas {
        if files.open_blocking(sha)?.is_some() {
            present.insert(sha);
        } else {
            summary.missing += 1;
        }
    }
    let folders: HashMap<i64, String> = records
        .iter()
        .map(|r| (r.activity.id, folder_of(&r.activity)))
        .collect();
    // When a file entered the archive: when its first activity was reported.
    let mut times: HashMap<&str, chrono::DateTime<chrono::Utc>> = HashMap::new();
    for r in records {
        for e in &r.evidence {
            if let Some(sha) = e.sha256.as_deref() {
                times.entry(sha).or_insert(r.activity.recorded_at);
            }
        }
    }
    let label = |e: &EvidenceRow| {
        let sha = e.sha256.as_deref().unwrap_or("");
        let folder = folders.get(&e.activity_id).cloned().unwrap_or_default();
        match names.get(&(folder, sha.to_string())) {
            Some(name) if present.contains(sha) => name.clone(),
            _ => format!(
                "{} (thiếu tệp trong kho)",
                e.file_name.as_deref().unwrap_or("tệp")
            ),
        }
    };
    let index = xlsx::activities_workbook(records, &label, heading, true)?;

    let mut zip = zip::ZipWriter::new(out);
    let newest = records.iter().map(|r| r.activity.recorded_at).max();
    let mut deflated =
        SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    if let Some(t) = newest.and_then(zip_time) {
        deflated = deflated.last_modified_time(t);
    }
    // Photos, PDFs and office files are compressed already: stored as they are.
    let stored = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file(INDEX_NAME, deflated)?;
    zip.write_all(&index)?;
    let mut ordered: Vec<(&(String, String), &String)> = names.iter().collect();
    ordered.sort_by(|a, b| a.1.cmp(b.1));
    for ((_, sha), name) in ordered {
        if !present.contains(sha.as_str()) {
            continue;
        }
        let Some(mut file) = files.open_blocking(sha)? else {
            continue;
        };
        let mut options = stored;
        if let Some(t) = times.get(sha.as_str()).copied().and_then(zip_time) {
            options = options.last_modified_time(t);
        }
        zip.start_file(name.as_str(), options)?;
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
                unit_name: format!("Đơn vị {unit}"),
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
    fn names_are_readable_unique_and_valid_on_windows() {
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
            record(4, "1.2", "49.BAO", "2024-01-04", &[("aa", "con.png")]),
            record(
                5,
                "2",
                "49.DAI",
                "2024-01-05",
                &[("ee", &format!("{}. ", "x".repeat(300)))],
            ),
        ];
        let names = pack_names(&records);
        let folder = "NV-1.2 t/Đơn vị 49.DAI";
        assert_eq!(
            names[&(folder.into(), "aa".into())],
            format!("{folder}/2024-01-03_ảnh.png")
        );
        assert_eq!(
            names[&(folder.into(), "bb".into())],
            format!("{folder}/2024-01-03_ảnh-2.png")
        );
        // Case-insensitive file systems would merge these: they differ by more than case.
        assert_eq!(
            names[&(folder.into(), "cc".into())],
            format!("{folder}/2024-01-03_Ảnh-3.PNG")
        );
        // A file of two assignments is under each; a device name is not a file name on Windows.
        assert_eq!(
            names[&("NV-1.2 t/Đơn vị 49.BAO".into(), "aa".into())],
            "NV-1.2 t/Đơn vị 49.BAO/2024-01-04_con.png"
        );
        for path in names.values() {
            assert!(path.chars().count() <= MAX_PATH_CHARS, "{path}");
            for part in path.split('/') {
                assert!(part != ".." && part != ".", "{path}");
                assert!(
                    !part.ends_with('.') && !part.ends_with(' ') && !part.is_empty(),
                    "{path}"
                );
                assert!(
                    !part.contains(['<', '>', ':', '"', '|', '?', '*', '\\']),
                    "{path}"
                );
            }
        }
        assert_eq!(component("CON", 10), "_CON");
        assert_eq!(component("aux.txt", 10), "_aux.txt");
    }
}
