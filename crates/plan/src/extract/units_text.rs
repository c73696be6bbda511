//! Unit text: the "Đơn vị chủ trì / phối hợp / Thời gian" labels, unit headings in the
//! responsibilities section, and partner phrases inside a duty ("phối hợp với Sở X thẩm định").

use super::lower;

/// What a "Label:" introduces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelKind {
    Lead,
    Partner,
    /// "Thời gian thực hiện:"; `completion` for "Thời gian hoàn thành:", "Thời hạn:" (a due date).
    Time {
        completion: bool,
    },
    /// "Nội dung:", "Đối tượng:", "Hình thức:" … (only recognised at the start of a paragraph).
    Content,
}

const UNIT_PREFIXES: &[&str] = &[
    "đơn vị",
    "cơ quan",
    "cơ quan đơn vị",
    "đơn vị cơ quan",
    "bộ phận",
    "cơ quan đơn vị địa phương",
];
const CONTENT_LABELS: &[&str] = &[
    "nội dung",
    "hình thức",
    "đối tượng",
    "sản phẩm",
    "kết quả",
    "yêu cầu",
    "kinh phí",
    "địa điểm",
    "quy mô",
    "số lượng",
    "chỉ tiêu",
    "mục tiêu",
    "cách thức",
    "phương thức",
    "tần suất",
    "thành phần",
    "phạm vi",
    "mục đích",
    "nguồn kinh phí",
    "dự kiến",
];

/// Classifies the phrase just before a colon, e.g. "Đơn vị chủ trì, thực hiện".
pub fn classify_label(phrase: &str) -> Option<LabelKind> {
    let l = lower(phrase).replace([',', '/'], " ");
    let words: Vec<&str> = l.split_whitespace().collect();
    if words.is_empty() || words.len() > 8 {
        return None;
    }
    let p = words.join(" ");
    if p.starts_with("thời gian")
        || p.starts_with("thời hạn")
        || p.starts_with("tiến độ")
        || p == "hạn hoàn thành"
    {
        if words.len() > 5 {
            return None;
        }
        return Some(LabelKind::Time {
            completion: p.contains("hoàn thành")
                || p.starts_with("thời hạn")
                || p.starts_with("hạn"),
        });
    }
    let (prefixed, core) = match UNIT_PREFIXES
        .iter()
        .filter(|u| p.starts_with(*u) && p[u.len()..].starts_with(' '))
        .max_by_key(|u| u.len())
    {
        Some(u) => (true, p[u.len()..].trim()),
        None => (false, p.as_str()),
    };
    for suffix in [
        "",
        " thực hiện",
        " triển khai",
        " thực hiện chính",
        " chính",
        " tổ chức thực hiện",
    ] {
        for lead in [
            "chủ trì",
            "chịu trách nhiệm",
            "phụ trách",
            "chủ trì thực hiện",
        ] {
            if core == format!("{lead}{suffix}") {
                return Some(LabelKind::Lead);
            }
        }
        if prefixed && core == format!("thực hiện{suffix}") {
            return Some(LabelKind::Lead);
        }
        if core == format!("phối hợp{suffix}") || core == format!("phối hợp thực hiện{suffix}")
        {
            return Some(LabelKind::Partner);
        }
    }
    if p == "trách nhiệm thực hiện" || p == "trách nhiệm chủ trì" {
        return Some(LabelKind::Lead);
    }
    if !prefixed && words.len() <= 4 && CONTENT_LABELS.iter().any(|c| p.starts_with(c)) {
        return Some(LabelKind::Content);
    }
    None
}

/// A paragraph split at its labels: the text before the first label (a title, or empty) and each
/// label with its value. "a) Tổ chức hội nghị (Đơn vị chủ trì: Sở A; phối hợp: Sở B)" →
/// ("a) Tổ chức hội nghị", [(Lead, "Sở A"), (Partner, "Sở B")]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Labelled {
    pub head: String,
    pub labels: Vec<(LabelKind, String)>,
}

pub fn split_labels(text: &str) -> Labelled {
    let mut found: Vec<(usize, usize, LabelKind)> = Vec::new(); // (phrase start, value start, kind)
    for (colon, _) in text.match_indices(':') {
        let before = &text[..colon];
        // The phrase starts after the last delimiter.
        let start = before
            .rfind(['.', ';', '(', '\n', '+', '–', '•', '*', ')'])
            .map_or(0, |i| {
                i + before[i..].chars().next().map_or(1, char::len_utf8)
            });
        let start = match before[start..].find(" - ") {
            Some(i) => start + i + 3,
            None => start,
        };
        let mut phrase = before[start..].trim();
        phrase = phrase.trim_start_matches(['-', ' ']);
        let Some(kind) = classify_label(phrase) else {
            continue;
        };
        if kind == LabelKind::Content && !before[..start].trim().is_empty() {
            continue;
        }
        if found.last().is_some_and(|&(_, v, _)| v > start) {
            continue;
        }
        found.push((start, colon + 1, kind));
    }
    let head = match found.first() {
        Some(&(s, _, _)) => trim_value(&text[..s]),
        None => text.trim().to_string(),
    };
    let labels = found
        .iter()
        .enumerate()
        .map(|(i, &(_, v, kind))| {
            let end = found.get(i + 1).map_or(text.len(), |n| n.0);
            (kind, trim_value(&text[v..end]))
        })
        .collect();
    Labelled { head, labels }
}

/// Trims a label value or title: spaces, trailing ";" "." ",", an unclosed "(", a dangling ")".
pub fn trim_value(s: &str) -> String {
    let mut t = s.trim();
    loop {
        let before = t;
        t = t.trim_end_matches([';', ',', ' ', '-', '–']).trim();
        if let Some(x) = t.strip_suffix('(') {
            t = x.trim();
        }
        if t.ends_with(')') && t.matches('(').count() < t.matches(')').count() {
            t = t[..t.len() - 1].trim();
        }
        if t.ends_with('.') && !t.ends_with("..") {
            t = t[..t.len() - 1].trim();
        }
        if t == before {
            break;
        }
    }
    t = t.trim_start_matches([';', ',', ' ', ')']);
    t.to_string()
}

/// Words that start the name of a unit (a department, an outlet, a people's committee, a group).
const UNIT_STARTS: &[&str] = &[
    "sở",
    "các sở",
    "ban",
    "các ban",
    "phòng",
    "các phòng",
    "ủy ban",
    "uỷ ban",
    "ubnd",
    "các ubnd",
    "hđnd",
    "đài",
    "các đài",
    "báo",
    "các báo",
    "trung tâm",
    "các trung tâm",
    "văn phòng",
    "công an",
    "bộ chỉ huy",
    "bộ đội",
    "hội",
    "các hội",
    "liên đoàn",
    "liên minh",
    "tỉnh đoàn",
    "thành đoàn",
    "huyện đoàn",
    "đoàn",
    "mặt trận",
    "mttq",
    "cổng",
    "tạp chí",
    "cơ quan",
    "các cơ quan",
    "đơn vị",
    "các đơn vị",
    "bưu điện",
    "viễn thông",
    "trường",
    "các trường",
    "học viện",
    "đại học",
    "cục",
    "chi cục",
    "tổng công ty",
    "công ty",
    "các công ty",
    "doanh nghiệp",
    "các doanh nghiệp",
    "hợp tác xã",
    "tỉnh ủy",
    "tỉnh uỷ",
    "huyện ủy",
    "thành ủy",
    "đảng ủy",
    "ban chỉ đạo",
    "tổ công nghệ",
    "các tổ",
    "ngân hàng",
    "kho bạc",
    "bảo hiểm",
    "thủ trưởng",
    "chủ tịch",
    "người đứng đầu",
    "ban quản lý",
    "các ngành",
    "ngành",
    "các địa phương",
    "địa phương",
    "các xã",
    "các huyện",
    "cấp ủy",
    "các cấp",
    "chi nhánh",
    "vnpt",
    "viettel",
    "mobifone",
    "đài phát thanh",
    "nhà xuất bản",
    "thông tấn",
    "quỹ",
    "hiệp hội",
    "câu lạc bộ",
    "bệnh viện",
    "tòa án",
    "viện kiểm sát",
    "thanh tra",
    "cục thuế",
    "chi cục thuế",
];

/// Verbs that end a unit name inside a sentence ("phối hợp Sở X *thẩm định* …").
const VERBS: &[&str] = &[
    "thẩm định",
    "tổ chức",
    "xây dựng",
    "triển khai",
    "thực hiện",
    "tham mưu",
    "hướng dẫn",
    "đề xuất",
    "rà soát",
    "tổng hợp",
    "theo dõi",
    "kiểm tra",
    "đôn đốc",
    "tuyên truyền",
    "cung cấp",
    "biên tập",
    "sản xuất",
    "đăng tải",
    "phát sóng",
    "duy trì",
    "chỉ đạo",
    "báo cáo",
    "trình",
    "bố trí",
    "lập",
    "đảm bảo",
    "bảo đảm",
    "nghiên cứu",
    "phổ biến",
    "cập nhật",
    "hỗ trợ",
    "vận động",
    "để",
    "nhằm",
    "trong",
    "về",
    "tại",
    "mở",
    "thường xuyên",
    "kịp thời",
    "đẩy mạnh",
    "giới thiệu",
    "quản lý",
    "phát hành",
    "in",
    "chuẩn bị",
    "tiếp nhận",
    "phát động",
    "lồng ghép",
    "có",
    "theo",
    "khi",
    "đối với",
    "hoàn thành",
    "gửi",
    "tiếp sóng",
    "khảo sát",
    "biên soạn",
    "quán triệt",
    "chia sẻ",
    "tập huấn",
    "bồi dưỡng",
    "xúc tiến",
    "vận hành",
    "cài đặt",
];

/// Strips a unit heading to the unit: "Đề nghị Ban Tuyên giáo Tỉnh ủy" → "Ban Tuyên giáo Tỉnh ủy",
/// "Giao Phòng X:" → "Phòng X", "Sở Y có trách nhiệm:" → "Sở Y".
pub fn clean_unit(text: &str) -> String {
    // One lowercase copy; `lower` keeps byte offsets, so both strings are cut alike.
    let orig = text.trim().trim_end_matches([':', '.', ';', ' ']).trim();
    let low = lower(orig);
    let (mut start, mut end) = (0, orig.len());
    for prefix in [
        "đề nghị",
        "giao cho",
        "giao",
        "yêu cầu",
        "trách nhiệm của",
        "nhiệm vụ của",
    ] {
        let l = &low[start..end];
        if l.starts_with(prefix) && l[prefix.len()..].starts_with(' ') {
            start += prefix.len();
            start += low[start..end].len() - low[start..end].trim_start().len();
        }
    }
    for suffix in [
        " có trách nhiệm",
        " chịu trách nhiệm",
        " thực hiện các nhiệm vụ sau",
        " thực hiện các nội dung sau",
        " thực hiện",
        " (chủ trì)",
    ] {
        if low[start..end].ends_with(suffix) {
            end -= suffix.len();
            end = start + low[start..end].trim_end_matches([',', ' ']).len();
        }
    }
    orig[start..end].to_string()
}

/// True when a heading names a unit or a group of units rather than a theme.
pub fn looks_like_unit(text: &str) -> bool {
    let c = clean_unit(text);
    let l = lower(&c);
    let words = l.split_whitespace().count();
    if words == 0 || words > 30 {
        return false;
    }
    let starts = UNIT_STARTS.iter().any(|u| {
        l.starts_with(u)
            && l[u.len()..]
                .chars()
                .next()
                .is_none_or(|ch| !ch.is_alphanumeric())
    });
    // "Ban hành …" or "Đoàn kết …" are verbs, not units: a unit name is followed by a capitalised
    // name, a comma-list or a group word; a verb is followed by lowercase text. Check the word
    // after the first one for "ban"/"đoàn"/"hội".
    if starts {
        let first = l.split_whitespace().next().unwrap_or("");
        if matches!(
            first,
            "ban"
                | "đoàn"
                | "hội"
                | "báo"
                | "đài"
                | "phòng"
                | "cổng"
                | "trường"
                | "cục"
                | "ngành"
                | "quỹ"
                | "in"
        ) {
            let second = c.split_whitespace().nth(1).unwrap_or("");
            let ok = second.chars().next().is_some_and(|ch| ch.is_uppercase())
                || matches!(
                    lower(second).as_str(),
                    "chỉ"
                        | "quản"
                        | "tuyên"
                        | "dân"
                        | "thường"
                        | "nông"
                        | "liên"
                        | "phát"
                        | "truyền"
                        | "văn"
                        | "giáo"
                        | "tư"
                        | "nội"
                        | "tài"
                        | "kinh"
                        | "công"
                        | "y"
                        | "lao"
                        | "khoa"
                        | "thông"
                        | "tổ"
                        | "đại"
                        | "cựu"
                        | "nhà"
                );
            return ok;
        }
        return true;
    }
    false
}

/// The unit a duty line starts with, for "Sở Tài chính: chủ trì thẩm định …" → Some(("Sở Tài chính", "chủ trì …")).
pub fn inline_unit(text: &str) -> Option<(String, String)> {
    let colon = text.find(':')?;
    let head = &text[..colon];
    if head.split_whitespace().count() > 20 || head.contains('(') && !head.contains(')') {
        return None;
    }
    if classify_label(head).is_some() || !looks_like_unit(head) {
        return None;
    }
    Some((clean_unit(head), trim_value(&text[colon + 1..])))
}

/// Partners named inside a duty: "Chủ trì, phối hợp với Sở Tài chính và các đơn vị liên quan thẩm
/// định …" → "Sở Tài chính và các đơn vị liên quan". Only a named unit (capitalised) counts:
/// "phối hợp các cơ quan liên quan" in a general duty names nobody in particular.
pub fn partners_in_duty(text: &str) -> String {
    let l = lower(text);
    let mut out: Vec<String> = Vec::new();
    for (pos, m) in l.match_indices("phối hợp") {
        let mut start = pos + m.len();
        let rest = &l[start..];
        for w in [" với ", " cùng ", " chặt chẽ với "] {
            if rest.starts_with(w) {
                start += w.len() - 1;
                break;
            }
        }
        let orig = text[start..].trim_start();
        let offset = text.len() - orig.len();
        // A named unit starts with a capital. A group ("các doanh nghiệp viễn thông, ngân hàng")
        // is a partner only where the duty itself assigns the cooperation: at its start or right
        // after "Chủ trì,"; elsewhere ("tạo điều kiện phối hợp các cơ quan") it is a manner.
        let before = l[..pos]
            .trim_start_matches(['-', '+', '*', '•', ' '])
            .trim_end();
        let assigns = before.is_empty() || before.trim_end_matches([',', ' ']).ends_with("chủ trì");
        let group = assigns && lower(orig).starts_with("các ");
        if !(orig.chars().next().is_some_and(|c| c.is_uppercase()) || group) {
            continue;
        }
        // Take words until a verb, a sentence end or a semicolon.
        let lo = &l[offset..];
        let mut end = lo.len();
        let mut idx = 0;
        for word in lo.split(' ') {
            let at = idx;
            idx += word.len() + 1;
            if at == 0 {
                continue;
            }
            let tail = &lo[at..];
            if tail.starts_with("có liên quan") {
                continue;
            }
            if VERBS.iter().any(|v| {
                tail.starts_with(v)
                    && tail[v.len()..]
                        .chars()
                        .next()
                        .is_none_or(|c| !c.is_alphanumeric())
            }) {
                end = at;
                break;
            }
        }
        if let Some(p) = lo[..end].find([';', '.', ':', '(']) {
            end = p;
        }
        let unit = trim_value(&text[offset..offset + end]);
        if !unit.is_empty() && !out.contains(&unit) {
            out.push(unit);
        }
    }
    out.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_variants() {
        for p in [
            "Đơn vị chủ trì",
            "Đơn vị chủ trì, thực hiện",
            "Cơ quan chủ trì",
            "Chủ trì",
            "Cơ quan thực hiện",
            "Đơn vị thực hiện",
            "Cơ quan, đơn vị chủ trì",
        ] {
            assert_eq!(classify_label(p), Some(LabelKind::Lead), "{p}");
        }
        for p in ["Đơn vị phối hợp", "Phối hợp", "Cơ quan phối hợp thực hiện"]
        {
            assert_eq!(classify_label(p), Some(LabelKind::Partner), "{p}");
        }
        assert_eq!(
            classify_label("Thời gian thực hiện"),
            Some(LabelKind::Time { completion: false })
        );
        assert_eq!(
            classify_label("Thời gian hoàn thành"),
            Some(LabelKind::Time { completion: true })
        );
        assert_eq!(classify_label("Nội dung"), Some(LabelKind::Content));
        assert_eq!(classify_label("Tổ chức thực hiện"), None);
        assert_eq!(classify_label("Sở X chủ trì"), None);
    }

    #[test]
    fn splits_inline_labels() {
        let l = split_labels("Tổ chức hội nghị (Đơn vị chủ trì: Sở A; Đơn vị phối hợp: Sở B).");
        assert_eq!(l.head, "Tổ chức hội nghị");
        assert_eq!(
            l.labels,
            vec![
                (LabelKind::Lead, "Sở A".to_string()),
                (LabelKind::Partner, "Sở B".to_string())
            ]
        );
        let l = split_labels("- Đơn vị chủ trì: Sở Thông tin và Truyền thông.");
        assert_eq!(l.head, "");
        assert_eq!(
            l.labels[0],
            (LabelKind::Lead, "Sở Thông tin và Truyền thông".to_string())
        );
    }

    #[test]
    fn partners_named_inside_duties() {
        for (duty, partners) in [
            (
                "- Chủ trì, phối hợp với Sở Giáo dục và Đào tạo tổ chức cuộc thi cho học sinh.",
                "Sở Giáo dục và Đào tạo",
            ),
            (
                "- Phối hợp với Hội Liên hiệp Phụ nữ tỉnh hướng dẫn hội viên cài đặt VNeID.",
                "Hội Liên hiệp Phụ nữ tỉnh",
            ),
            (
                "Chủ trì, phối hợp với các doanh nghiệp viễn thông, ngân hàng, thương mại điện tử tổ chức hội nghị.",
                "các doanh nghiệp viễn thông, ngân hàng, thương mại điện tử",
            ),
            (
                "Xây dựng chuyên mục; phối hợp với Đài Phát thanh và Truyền hình tỉnh tiếp sóng.",
                "Đài Phát thanh và Truyền hình tỉnh",
            ),
            (
                "Phối hợp Phòng Văn hóa và Thông tin huyện, Huyện đoàn tổ chức tuyên truyền.",
                "Phòng Văn hóa và Thông tin huyện, Huyện đoàn",
            ),
            // Cooperation as a manner, not an assignment: no partner.
            (
                "Xây dựng kế hoạch; tạo điều kiện phối hợp các cơ quan liên quan tổ chức triển khai.",
                "",
            ),
        ] {
            assert_eq!(partners_in_duty(duty), partners, "{duty}");
        }
    }

    #[test]
    fn units_and_partners() {
        assert!(looks_like_unit("Sở Tài chính"));
        assert!(looks_like_unit("Đề nghị Ban Tuyên giáo Tỉnh ủy"));
        assert!(looks_like_unit("UBND các huyện, thị xã, thành phố"));
        assert!(!looks_like_unit("Ban hành kế hoạch"));
        assert!(!looks_like_unit("Mục đích"));
        assert_eq!(
            clean_unit("Giao Phòng Công nghệ thông tin:"),
            "Phòng Công nghệ thông tin"
        );
        assert_eq!(
            partners_in_duty(
                "Chủ trì, phối hợp Sở Thông tin và Truyền thông và các cơ quan, đơn vị có liên quan thẩm định nội dung."
            ),
            "Sở Thông tin và Truyền thông và các cơ quan, đơn vị có liên quan"
        );
        assert_eq!(
            partners_in_duty("tạo điều kiện phối hợp các cơ quan liên quan tổ chức"),
            ""
        );
    }
}
