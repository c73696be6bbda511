//! Who issues a report and how its header reads, for every kind of issuer: the People's
//! Committee of a province, district (city, town) or commune, or an agency under one (a Sở, a
//! district's Phòng, a radio station, a commune's radio). Pure: the units come from the store
//! (`export::mod`), the words are decided here.
//!
//! - A People's Committee prints as "UBND TỈNH QUẢNG NAM" (no line above it), numbers its
//!   reports "BC-UBND" and signs "TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH".
//! - An agency prints its People's Committee above its own name, without the locality its
//!   registry name carries ("UBND TỈNH QUẢNG NAM" / "SỞ THÔNG TIN VÀ TRUYỀN THÔNG"), its code
//!   from the initials of that name ("STTTT", "ĐPTTH").
//! - The place is the issuer's locality ("Tam Kỳ" for the city and its agencies).
//! - "Kính gửi" goes one level up: a province's People's Committee to the ministry; a provincial
//!   agency to its People's Committee and the ministry; a district to the province's People's
//!   Committee and its plan office (the Sở); a commune or a district's agency to the People's
//!   Committee above; and the plan's issuer when it is none of these.

use chrono::NaiveDate;
use kehoach_core::text::fold;

/// A unit as the header needs it (see `store::ReportUnitRow`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Body {
    pub name: String,
    /// Without type word or parent ("Tam Kỳ", "Sở Thông tin và Truyền thông").
    pub short_name: String,
    /// `province`, `district`, `commune` or `agency`.
    pub kind: String,
    /// Administrative type code ("tinh", "tp", "huyen", "thixa", "quan", "phuong", "xa", …).
    pub type_word: Option<String>,
    /// An agency's category ("people_committee", "department", "media", …).
    pub category: Option<String>,
}

impl Body {
    fn is_admin(&self) -> bool {
        matches!(self.kind.as_str(), "province" | "district" | "commune")
    }
}

/// The issuing unit and the administrative units it sits in.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Issuer {
    /// The unit itself (an agency or an administrative unit).
    pub unit: Body,
    /// Its administrative unit: itself when it is one, else the one the agency belongs to.
    pub locality: Option<Body>,
    /// The administrative unit above the locality (a district's province, a commune's district).
    pub upper: Option<Body>,
    /// The province, when the locality is below one.
    pub province: Option<Body>,
}

/// The header fields derived for an issuer.
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    pub parent_body: String,
    pub issuing_body: String,
    pub code: String,
    pub place: String,
    pub recipients: Vec<String>,
    pub authority: Vec<String>,
}

/// "tỉnh", "thành phố", "huyện", … — the lower-case type word of an administrative type code.
pub fn type_word(code: &str) -> &'static str {
    match code {
        "tinh" => "tỉnh",
        "tptw" | "tp" => "thành phố",
        "quan" => "quận",
        "huyen" => "huyện",
        "thixa" => "thị xã",
        "phuong" => "phường",
        "xa" => "xã",
        "thitran" => "thị trấn",
        "dackhu" => "đặc khu",
        _ => "",
    }
}

/// "thành phố Tam Kỳ" for an administrative unit (its name with the type word in lower case).
fn locality_phrase(b: &Body) -> String {
    let word = b.type_word.as_deref().map(type_word).unwrap_or("");
    let short = if b.short_name.is_empty() {
        place_of(&b.name)
    } else {
        b.short_name.clone()
    };
    if word.is_empty() {
        short
    } else {
        format!("{word} {short}")
    }
}

/// "thành phố Tam Kỳ": how a sentence names an administrative unit.
pub fn place_phrase(b: &Body) -> String {
    locality_phrase(b)
}

/// "UBND thành phố Tam Kỳ".
fn committee_short(b: &Body) -> String {
    format!("UBND {}", locality_phrase(b))
}

/// "Ủy ban nhân dân thành phố Tam Kỳ".
pub fn committee_full(b: &Body) -> String {
    format!("Ủy ban nhân dân {}", locality_phrase(b))
}

/// The ministry a province reports this work to on `on`: the Ministry of Information and
/// Communications until its merger into Science and Technology on 1 March 2025.
pub fn ministry(on: NaiveDate) -> &'static str {
    if on < NaiveDate::from_ymd_opt(2025, 3, 1).expect("a date") {
        "Bộ Thông tin và Truyền thông"
    } else {
        "Bộ Khoa học và Công nghệ"
    }
}

/// The province's plan office on `on` (the Sở TT&TT until March 2025, then the Sở KH&CN).
fn plan_office(province: &Body, on: NaiveDate) -> String {
    let name = if on < NaiveDate::from_ymd_opt(2025, 3, 1).expect("a date") {
        "Sở Thông tin và Truyền thông"
    } else {
        "Sở Khoa học và Công nghệ"
    };
    format!("{name} {}", locality_phrase(province))
}

/// Whom a unit's report on a plan goes to: the office of the plan's issuer — a province's
/// plan office (the Sở), a district's Phòng Văn hóa và Thông tin, a commune's People's
/// Committee, or the issuing agency itself.
pub fn plan_office_of(issuer: &Body, on: NaiveDate) -> String {
    match issuer.kind.as_str() {
        "province" => plan_office(issuer, on),
        "district" => format!("Phòng Văn hóa và Thông tin {}", locality_phrase(issuer)),
        "agency" => issuer.name.clone(),
        _ => committee_full(issuer),
    }
}

impl Issuer {
    fn is_committee(&self) -> bool {
        self.unit.is_admin() || self.unit.category.as_deref() == Some("people_committee")
    }

    /// The agency's own name as printed: without a trailing "tỉnh Quảng Nam" (or the locality's
    /// bare name) that the registry adds.
    fn agency_name(&self) -> String {
        let name = self.unit.name.trim();
        if let Some(loc) = &self.locality {
            let phrase = locality_phrase(loc);
            let short = &loc.short_name;
            for tail in [phrase.as_str(), short.as_str()] {
                if tail.is_empty() {
                    continue;
                }
                let folded_name = fold(name);
                let folded_tail = fold(tail);
                if folded_name.ends_with(&format!(" {folded_tail}"))
                    && !fold(name).starts_with("bao ")
                    && !fold(name).starts_with("dai phat thanh")
                {
                    let keep = name.chars().count() - tail.chars().count();
                    return name
                        .chars()
                        .take(keep)
                        .collect::<String>()
                        .trim()
                        .to_string();
                }
            }
        }
        name.to_string()
    }

    /// The header for a report dated `dated`, on a plan issued by `plan_issuer` (as written,
    /// e.g. "UBND tỉnh Quảng Nam").
    pub fn header(&self, plan_issuer: &str, dated: NaiveDate) -> Header {
        let loc = self.locality.clone().unwrap_or_else(|| self.unit.clone());
        let place = if loc.short_name.is_empty() {
            place_of(&loc.name)
        } else {
            loc.short_name.clone()
        };
        let (parent_body, issuing_body, code, authority) = if self.is_committee() {
            (
                String::new(),
                committee_short(&loc),
                "UBND".to_string(),
                vec!["TM. ỦY BAN NHÂN DÂN".into(), "CHỦ TỊCH".into()],
            )
        } else {
            let own = self.agency_name();
            // The code drops the locality's name that media names carry ("… Quảng Nam").
            let for_code = own
                .strip_suffix(loc.short_name.as_str())
                .filter(|_| !loc.short_name.is_empty())
                .unwrap_or(&own)
                .trim()
                .to_string();
            (
                committee_short(&loc),
                own.clone(),
                abbreviation(&for_code),
                authority_for(&own),
            )
        };
        let mut recipients = Vec::new();
        let level = loc.kind.as_str();
        match (self.is_committee(), level) {
            (true, "province") => recipients.push(ministry(dated).to_string()),
            (true, "district") => {
                if let Some(p) = &self.upper {
                    recipients.push(committee_full(p));
                    recipients.push(plan_office(p, dated));
                }
            }
            (true, _) => {
                if let Some(up) = &self.upper {
                    recipients.push(committee_full(up));
                }
            }
            (false, "province") => {
                recipients.push(committee_full(&loc));
                recipients.push(ministry(dated).to_string());
            }
            (false, _) => recipients.push(committee_full(&loc)),
        }
        let issuer_full = expand_ubnd(plan_issuer.trim());
        let own_full = if self.is_committee() {
            committee_full(&loc)
        } else {
            self.unit.name.clone()
        };
        if !issuer_full.is_empty()
            && fold(&issuer_full) != fold(&own_full)
            && !recipients.iter().any(|r| fold(r) == fold(&issuer_full))
        {
            recipients.push(issuer_full);
        }
        Header {
            parent_body,
            issuing_body,
            code,
            place,
            recipients,
            authority,
        }
    }

    /// The issuer as named in the report's prose ("Ủy ban nhân dân thành phố Tam Kỳ").
    pub fn prose_name(&self) -> String {
        match &self.locality {
            Some(loc) if self.is_committee() => committee_full(loc),
            _ if self.is_committee() => committee_full(&self.unit),
            _ => self.unit.name.clone(),
        }
    }
}

/// "UBND tỉnh Quảng Nam" → "Ủy ban nhân dân tỉnh Quảng Nam".
pub fn expand_ubnd(s: &str) -> String {
    match s.strip_prefix("UBND ") {
        Some(rest) => format!("Ủy ban nhân dân {rest}"),
        None => s.to_string(),
    }
}

/// The place printed before the date: a name without its type word
/// ("Tỉnh Quảng Nam" or "UBND tỉnh Quảng Nam" → "Quảng Nam").
pub fn place_of(name: &str) -> String {
    let mut rest = name.trim();
    for prefix in ["UBND ", "Ủy ban nhân dân ", "Uỷ ban nhân dân "] {
        if let Some(r) = rest.strip_prefix(prefix) {
            rest = r;
        }
    }
    let folded = fold(rest);
    for word in [
        "thanh pho ",
        "tinh ",
        "huyen ",
        "thi xa ",
        "thi tran ",
        "xa ",
        "phuong ",
        "quan ",
    ] {
        if folded.starts_with(word) {
            // The type word has as many characters folded as not.
            return rest.chars().skip(word.chars().count()).collect();
        }
    }
    rest.to_string()
}

/// The code of a body in the number ("Số: …/BC-SKHCN"): an acronym it starts with
/// ("UBND tỉnh …" → "UBND"), else the initials of its words but "và" ("Sở Khoa học và Công nghệ"
/// → "SKHCN"), without diacritics except Đ.
pub fn abbreviation(body: &str) -> String {
    let body = expand_ubnd_back(body);
    let first = body.split_whitespace().next().unwrap_or("");
    if first.chars().count() >= 2 && first.chars().all(|c| c.is_uppercase() || c == '&') {
        return fold(first).to_uppercase().replace('&', "");
    }
    body.split(|c: char| c.is_whitespace() || c == '-' || c == ',')
        .filter(|w| {
            !w.is_empty() && fold(w) != "va" && w.chars().next().is_some_and(char::is_alphabetic)
        })
        .filter_map(|w| w.chars().next())
        .map(|c| match c {
            'đ' | 'Đ' => 'Đ',
            c => fold(&c.to_string())
                .chars()
                .next()
                .unwrap_or(c)
                .to_ascii_uppercase(),
        })
        .take(12)
        .collect()
}

fn expand_ubnd_back(s: &str) -> String {
    for long in ["Ủy ban nhân dân ", "Uỷ ban nhân dân "] {
        if let Some(rest) = s.strip_prefix(long) {
            return format!("UBND {rest}");
        }
    }
    s.to_string()
}

/// The signature block's authority lines for a body by what it is: a People's Committee signs
/// collectively, a department or station by its director, a newspaper by its editor-in-chief,
/// a district's office by its head, a mass organisation for its standing board.
pub fn authority_for(body: &str) -> Vec<String> {
    let f = fold(body);
    let one = |s: &str| vec![s.to_string()];
    if f.starts_with("uy ban nhan dan") || f.starts_with("ubnd") {
        vec!["TM. ỦY BAN NHÂN DÂN".into(), "CHỦ TỊCH".into()]
    } else if f.starts_with("so ") || f.starts_with("dai ") || f.starts_with("trung tam") {
        one("GIÁM ĐỐC")
    } else if f.starts_with("bao ") {
        one("TỔNG BIÊN TẬP")
    } else if f.starts_with("phong ") {
        one("TRƯỞNG PHÒNG")
    } else if f.starts_with("ban ") {
        one("TRƯỞNG BAN")
    } else if f.starts_with("van phong") {
        one("CHÁNH VĂN PHÒNG")
    } else if f.starts_with("hoi ") || f.starts_with("lien doan") {
        vec!["TM. BAN THƯỜNG VỤ".into(), "CHỦ TỊCH".into()]
    } else if f.starts_with("tinh doan")
        || f.starts_with("thanh doan")
        || f.starts_with("huyen doan")
    {
        vec!["TM. BAN THƯỜNG VỤ".into(), "BÍ THƯ".into()]
    } else {
        one("THỦ TRƯỞNG CƠ QUAN")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn admin(name: &str, short: &str, kind: &str, ty: &str) -> Body {
        Body {
            name: name.into(),
            short_name: short.into(),
            kind: kind.into(),
            type_word: Some(ty.into()),
            category: None,
        }
    }

    fn agency(name: &str, short: &str, category: &str) -> Body {
        Body {
            name: name.into(),
            short_name: short.into(),
            kind: "agency".into(),
            type_word: None,
            category: Some(category.into()),
        }
    }

    fn quang_nam() -> Body {
        admin("Tỉnh Quảng Nam", "Quảng Nam", "province", "tinh")
    }

    fn tam_ky() -> Body {
        admin("Thành phố Tam Kỳ", "Tam Kỳ", "district", "tp")
    }

    #[test]
    fn a_unit_reports_to_the_office_of_the_plan() {
        assert_eq!(
            plan_office_of(&quang_nam(), d("2024-11-01")),
            "Sở Thông tin và Truyền thông tỉnh Quảng Nam"
        );
        assert_eq!(
            plan_office_of(&quang_nam(), d("2025-11-01")),
            "Sở Khoa học và Công nghệ tỉnh Quảng Nam"
        );
        assert_eq!(
            plan_office_of(&tam_ky(), d("2024-11-01")),
            "Phòng Văn hóa và Thông tin thành phố Tam Kỳ"
        );
        let office = agency(
            "Sở Thông tin và Truyền thông tỉnh Quảng Nam",
            "Sở Thông tin và Truyền thông",
            "department",
        );
        assert_eq!(plan_office_of(&office, d("2024-11-01")), office.name);
    }

    #[test]
    fn a_province_reports_to_the_ministry() {
        let i = Issuer {
            unit: quang_nam(),
            locality: Some(quang_nam()),
            ..Issuer::default()
        };
        let h = i.header("UBND tỉnh Quảng Nam", d("2024-12-20"));
        assert_eq!(h.parent_body, "");
        assert_eq!(h.issuing_body, "UBND tỉnh Quảng Nam");
        assert_eq!(h.code, "UBND");
        assert_eq!(h.place, "Quảng Nam");
        assert_eq!(h.recipients, ["Bộ Thông tin và Truyền thông"]);
        let h = i.header("UBND tỉnh Quảng Nam", d("2025-12-20"));
        assert_eq!(h.recipients, ["Bộ Khoa học và Công nghệ"]);
    }

    #[test]
    fn a_city_is_its_own_place_and_reports_to_the_province() {
        let i = Issuer {
            unit: tam_ky(),
            locality: Some(tam_ky()),
            upper: Some(quang_nam()),
            province: Some(quang_nam()),
        };
        let h = i.header("UBND thành phố Tam Kỳ", d("2024-12-20"));
        assert_eq!(h.issuing_body, "UBND thành phố Tam Kỳ");
        assert_eq!(h.parent_body, "");
        assert_eq!(h.place, "Tam Kỳ");
        assert_eq!(
            h.recipients,
            [
                "Ủy ban nhân dân tỉnh Quảng Nam",
                "Sở Thông tin và Truyền thông tỉnh Quảng Nam"
            ]
        );
        // On the province's plan the issuer is already among them.
        let h = i.header("UBND tỉnh Quảng Nam", d("2024-12-20"));
        assert_eq!(h.recipients.len(), 2);
    }

    #[test]
    fn a_department_prints_its_committee_above_it() {
        let i = Issuer {
            unit: agency(
                "Sở Thông tin và Truyền thông tỉnh Quảng Nam",
                "Sở Thông tin và Truyền thông",
                "department",
            ),
            locality: Some(quang_nam()),
            ..Issuer::default()
        };
        let h = i.header("UBND tỉnh Quảng Nam", d("2024-12-20"));
        assert_eq!(h.parent_body, "UBND tỉnh Quảng Nam");
        assert_eq!(h.issuing_body, "Sở Thông tin và Truyền thông");
        assert_eq!(h.code, "STTTT");
        assert_eq!(h.authority, ["GIÁM ĐỐC"]);
        assert_eq!(
            h.recipients,
            [
                "Ủy ban nhân dân tỉnh Quảng Nam",
                "Bộ Thông tin và Truyền thông"
            ]
        );
        let station = Issuer {
            unit: agency(
                "Đài Phát thanh và Truyền hình Quảng Nam",
                "Đài Phát thanh và Truyền hình",
                "media",
            ),
            locality: Some(quang_nam()),
            ..Issuer::default()
        };
        let h = station.header("UBND tỉnh Quảng Nam", d("2024-12-20"));
        assert_eq!(h.issuing_body, "Đài Phát thanh và Truyền hình Quảng Nam");
        assert_eq!(h.code, "ĐPTTH");
    }

    #[test]
    fn a_commune_radio_station_sits_under_its_commune() {
        let ward = admin("Phường An Mỹ", "An Mỹ", "commune", "phuong");
        let i = Issuer {
            unit: agency("Đài Truyền thanh phường An Mỹ", "Đài Truyền thanh", "media"),
            locality: Some(ward),
            upper: Some(tam_ky()),
            province: Some(quang_nam()),
        };
        let h = i.header("UBND thành phố Tam Kỳ", d("2024-12-20"));
        assert_eq!(h.parent_body, "UBND phường An Mỹ");
        assert_eq!(h.issuing_body, "Đài Truyền thanh");
        assert_eq!(h.code, "ĐTT");
        assert_eq!(h.place, "An Mỹ");
        assert_eq!(
            h.recipients,
            [
                "Ủy ban nhân dân phường An Mỹ",
                "Ủy ban nhân dân thành phố Tam Kỳ"
            ]
        );
    }

    #[test]
    fn places_and_codes() {
        assert_eq!(place_of("Thành phố Đà Nẵng"), "Đà Nẵng");
        assert_eq!(place_of("UBND huyện Sơn Hà"), "Sơn Hà");
        assert_eq!(abbreviation("Sở Khoa học và Công nghệ"), "SKHCN");
        assert_eq!(abbreviation("UBND tỉnh Quảng Nam"), "UBND");
        assert_eq!(abbreviation("Sở Văn hóa, Thể thao và Du lịch"), "SVHTTDL");
    }
}
