//! Counts on the pages written as people read them: "11.880" in Vietnamese, "11,880" in
//! English (`export::vn::group_digits`, the exports' own rule). Templates call `l.n(x)`
//! (`Layout::n`); text built in Rust calls [`count`].

use std::fmt::Display;

use super::i18n::Flows;

/// A whole number with the page language's thousands separator; a negative sign is kept.
pub fn count(f: &Flows, n: impl Display) -> String {
    let text = n.to_string();
    match text.strip_prefix('-') {
        Some(digits) => format!(
            "-{}",
            crate::export::vn::group_digits(digits, f.thousands_sep)
        ),
        None => crate::export::vn::group_digits(&text, f.thousands_sep),
    }
}

#[cfg(test)]
mod tests {
    use super::super::i18n::{EN_FLOWS, VI_FLOWS};
    use super::count;

    #[test]
    fn thousands_are_grouped_in_the_page_language() {
        assert_eq!(count(&VI_FLOWS, 11_880u64), "11.880");
        assert_eq!(count(&EN_FLOWS, 11_880u64), "11,880");
        assert_eq!(count(&VI_FLOWS, 1_234_567usize), "1.234.567");
        assert_eq!(count(&VI_FLOWS, 999), "999");
        assert_eq!(count(&VI_FLOWS, -4_500i64), "-4.500");
        assert_eq!(count(&VI_FLOWS, 0), "0");
    }
}
