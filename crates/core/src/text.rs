//! Text normalisation shared by every input path and every search.
//!
//! Vietnamese text arrives in both NFC and NFD (Word, PDF copy-paste, phones). Everything stored is
//! NFC; everything searched is *folded*: diacritics dropped, đ → d, lower-cased, whitespace collapsed,
//! so that "chuyen doi so" finds "Chuyển đổi số" the same way on SQLite and PostgreSQL.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// The canonical stored form of any text from outside: NFC, without invisible controls, trimmed.
///
/// Every path that stores text from outside (API, forms, CLI, import sheets, plan documents)
/// goes through here, so this is the one rule for control characters: they are **stripped**, not
/// refused. C0 controls other than tab and newline (NUL included: PostgreSQL cannot store it),
/// DEL, C1 controls, bidirectional controls (`U+202E` would show `fdp\u{202e}exe.pdf` as
/// `fdpexe.pdf` reversed) and zero-width spaces carry nothing a reader sees; a carriage return
/// is dropped so `\r\n` becomes `\n`. Text that shows nothing at all (only spaces, joiners,
/// soft hyphens…) becomes empty, so a required field's "required" check refuses it.
pub fn nfc(text: &str) -> String {
    let kept: String = text.chars().filter(|&c| !is_stripped(c)).nfc().collect();
    if kept.chars().all(is_blank) {
        return String::new();
    }
    kept.trim().to_string()
}

/// Whether `nfc()` removes this character (see there).
pub fn is_stripped(c: char) -> bool {
    (c.is_control() && c != '\t' && c != '\n') || is_bidi_control(c) || is_zero_width_space(c)
}

/// Bidirectional formatting characters (embeddings, overrides, isolates, marks).
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fn is_zero_width_space(c: char) -> bool {
    matches!(c, '\u{200B}' | '\u{2060}' | '\u{FEFF}')
}

/// Characters that show nothing on their own: whitespace and the invisible format characters
/// (joiners, soft hyphen, invisible operators, the Mongolian vowel separator).
fn is_blank(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{00AD}' | '\u{034F}' | '\u{180E}' | '\u{200C}' | '\u{200D}' | '\u{2061}'
                ..='\u{2064}'
        )
}

/// The search key of a text: no diacritics, đ folded to d, lower case, single spaces.
///
/// ```
/// assert_eq!(kehoach_core::text::fold("Đường  Nguyễn Trãi"), "duong nguyen trai");
/// assert_eq!(kehoach_core::text::fold("Ủy ban"), kehoach_core::text::fold("Uỷ ban"));
/// ```
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        let c = match c {
            'đ' | 'Đ' => 'd',
            _ => c,
        };
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// Text with the characters a broken source lost put back where the context tells what they
/// were, and how many were mended. Documents saved in a legacy code page reach us with U+FFFD
/// (the replacement character) where a typographic character could not be decoded: between two
/// words ("Phát thanh \u{FFFD} Truyền hình") it was an en dash; against a word it was a curly
/// quote (opening before the word, closing after it). Any other U+FFFD carries nothing and is
/// dropped. One rule for the importer's warning and for every document kehoach writes.
///
/// ```
/// use kehoach_core::text::mend_lost_chars;
/// assert_eq!(mend_lost_chars("Phát thanh \u{FFFD} Truyền hình").0, "Phát thanh – Truyền hình");
/// assert_eq!(mend_lost_chars("Đề án \u{FFFD}Chuyển đổi số\u{FFFD};").0, "Đề án “Chuyển đổi số”;");
/// assert_eq!(mend_lost_chars("không đổi"), ("không đổi".to_string(), 0));
/// ```
pub fn mend_lost_chars(text: &str) -> (String, usize) {
    if !text.contains('\u{FFFD}') {
        return (text.to_string(), 0);
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut mended = 0;
    for (i, &c) in chars.iter().enumerate() {
        if c != '\u{FFFD}' {
            out.push(c);
            continue;
        }
        mended += 1;
        let before = i.checked_sub(1).and_then(|j| chars.get(j)).copied();
        let after = chars.get(i + 1).copied();
        let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
        let gap = |c: Option<char>| c.is_none_or(char::is_whitespace);
        if gap(before) && gap(after) && before.is_some() && after.is_some() {
            out.push('–');
        } else if gap(before) && word(after) {
            out.push('“');
        } else if word(before) || before.is_some_and(|c| ".,!?)".contains(c)) {
            out.push('”');
        }
    }
    (out, mended)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn folds_vietnamese_to_ascii_search_key() {
        assert_eq!(fold("Chuyển đổi số"), "chuyen doi so");
        assert_eq!(fold("ĐÀ NẴNG"), "da nang");
        // NFD input (as Word and PDF copy-paste produce) folds the same as NFC.
        let nfd: String = "Quảng Nam".nfd().collect();
        assert_eq!(fold(&nfd), "quang nam");
    }

    #[test]
    fn nfc_composes_decomposed_input() {
        let nfd: String = "Bình Sơn".nfd().collect();
        assert_ne!(nfd, "Bình Sơn");
        assert_eq!(nfc(&nfd), "Bình Sơn");
    }

    #[test]
    fn nfc_strips_controls_and_empties_invisible_text() {
        assert_eq!(nfc("Chuy\u{0}ên mục\u{7}\u{85}"), "Chuyên mục");
        assert_eq!(nfc("dòng 1\r\ndòng 2\tcột"), "dòng 1\ndòng 2\tcột");
        assert_eq!(nfc("fdp\u{202E}exe.pdf"), "fdpexe.pdf");
        assert_eq!(nfc("\u{200B}\u{200C}\u{200D}\u{FEFF} \u{00AD}"), "");
        // A joiner inside visible text is kept (emoji sequences, some scripts need it).
        assert_eq!(nfc("a\u{200D}b"), "a\u{200D}b");
    }

    proptest! {
        #[test]
        fn nfc_output_has_no_stripped_character(s in "\\PC*|[\\x00-\\x1f\\u{202a}-\\u{202e}a ]*") {
            let out = nfc(&s);
            prop_assert!(!out.chars().any(is_stripped));
            prop_assert_eq!(nfc(&out), out.clone());
        }

        #[test]
        fn fold_is_idempotent_and_never_panics(s in "\\PC*") {
            let once = fold(&s);
            prop_assert_eq!(fold(&once), once.clone());
            prop_assert!(!once.starts_with(' ') && !once.ends_with(' '));
        }
    }
}
