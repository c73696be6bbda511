//! The progress bar drawn on the server as SVG text, and the escaping every hand-written piece
//! of markup uses (this module's and `cells.rs`). Colours come from the stylesheet by class: the
//! CSP allows no inline style.

/// Escapes text for HTML and SVG (element content and quoted attributes).
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A horizontal bar filled to `share` (0..=1), with its percentage as text; `None` draws an empty
/// bar labelled "–" (nothing has ended yet). `what` names what the share is of, for screen
/// readers and as the tooltip ("Tỷ lệ đạt: 42%").
pub fn progress_bar(share: Option<f64>, what: &str) -> String {
    let (width, label) = match share {
        Some(s) => {
            let s = s.clamp(0.0, 1.0);
            ((s * 100.0).round(), format!("{:.0}%", s * 100.0))
        }
        None => (0.0, "–".to_string()),
    };
    let name = esc(&format!("{what}: {label}"));
    format!(
        "<svg class=\"bar\" viewBox=\"0 0 140 14\" width=\"140\" height=\"14\" role=\"img\" aria-label=\"{name}\">\
         <title>{name}</title><rect class=\"bar-bg\" width=\"100\" height=\"14\"/>\
         <rect class=\"bar-fill\" width=\"{width}\" height=\"14\"/>\
         <text x=\"104\" y=\"11\" font-size=\"11\">{label}</text></svg>"
    )
}

/// The bar of a rate, or nothing when there is no rate yet (no period has ended, or the task
/// has no recurring target): an empty bar would read as 0 %.
pub fn rate_bar(share: Option<f64>, what: &str) -> String {
    share
        .map(|s| progress_bar(Some(s), what))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bar_is_clamped_and_named() {
        assert!(progress_bar(Some(1.7), "Tỷ lệ đạt").contains("100%"));
        let empty = progress_bar(None, "a<b");
        assert!(empty.contains("–") && empty.contains("aria-label=\"a&lt;b: –\""));
        assert!(
            !empty.contains("fill=\"#"),
            "colours come from the stylesheet"
        );
    }
}
