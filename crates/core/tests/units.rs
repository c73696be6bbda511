//! The units registry: counts of the shipped data, context lookup, search and resolution.

use std::sync::LazyLock;

use chrono::NaiveDate;
use kehoach_core::units::{
    ContextError, MatchKind, Registry, Resolution, UNITS_DATA, UnitKind, agencies, parse_units_data,
};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// The shipped units, central bodies, and the agencies of Quảng Nam (49), Đà Nẵng (48, which
/// absorbs Quảng Nam on 1 July 2025) and Quảng Ngãi (51).
static REG: LazyLock<Registry> = LazyLock::new(|| {
    let mut r = Registry::builtin().expect("shipped data parses");
    for p in ["49", "48", "51"] {
        assert!(r.add_standard_agencies(p) > 0);
    }
    r
});

fn resolve(text: &str, ctx: &str, on: NaiveDate) -> Resolution {
    let ctx = REG.find_context(ctx, on).expect("context").clone();
    REG.resolve(text, &ctx, on)
}

fn codes(r: &Resolution) -> Vec<&str> {
    r.units.iter().map(|u| u.code.as_str()).collect()
}

#[test]
fn counts_match_the_official_lists() {
    let units = parse_units_data(UNITS_DATA).unwrap();
    let reg = Registry::new(units);
    let old = d(2024, 6, 1);
    let new = d(2025, 8, 1);
    assert_eq!(reg.of_kind(UnitKind::Province, old).len(), 63);
    assert_eq!(reg.of_kind(UnitKind::District, old).len(), 696);
    assert_eq!(reg.of_kind(UnitKind::Commune, old).len(), 10_051);
    assert_eq!(reg.of_kind(UnitKind::Province, new).len(), 34);
    assert_eq!(reg.of_kind(UnitKind::District, new).len(), 0);
    assert_eq!(reg.of_kind(UnitKind::Commune, new).len(), 3_321);
    // The last day before the reform and the first day of it.
    assert_eq!(reg.of_kind(UnitKind::Province, d(2025, 6, 30)).len(), 63);
    assert_eq!(reg.of_kind(UnitKind::Province, d(2025, 7, 1)).len(), 34);
    // Every child's parent exists on a day both are valid.
    for u in reg.units() {
        if let Some(p) = &u.parent_code {
            let on = u.valid_from.unwrap_or(old);
            assert!(reg.get(p, on).is_some(), "{} has no parent {p}", u.code);
        }
    }
}

#[test]
fn codes_are_reused_across_the_reform_but_never_overlap() {
    let reg = &*REG;
    // 80 is Long An until 30 June 2025 and Tây Ninh after.
    assert_eq!(reg.get("80", d(2024, 1, 1)).unwrap().short_name, "Long An");
    assert_eq!(reg.get("80", d(2025, 8, 1)).unwrap().short_name, "Tây Ninh");
    // Hà Nội is one continuous unit.
    let hn = reg.get("01", d(2020, 1, 1)).unwrap();
    assert_eq!(hn.valid_to, None);
    assert_eq!(hn.name, "Thành phố Hà Nội");
}

#[test]
fn context_by_name_type_word_code_and_ambiguity() {
    let on = d(2024, 6, 1);
    let reg = &*REG;
    assert_eq!(reg.find_context("Quảng Nam", on).unwrap().code, "49");
    assert_eq!(reg.find_context("tỉnh Quảng Nam", on).unwrap().code, "49");
    assert_eq!(
        reg.find_context("UBND tỉnh Quảng Nam", on).unwrap().code,
        "49"
    );
    assert_eq!(reg.find_context("49", on).unwrap().code, "49");
    assert_eq!(
        reg.find_context("thành phố Tam Kỳ", on).unwrap().code,
        "502"
    );
    assert_eq!(reg.find_context("quang nam", on).unwrap().code, "49");
    assert!(matches!(
        reg.find_context("Quảng Nam", d(2025, 8, 1)),
        Err(ContextError::NotFound { .. })
    ));
    // "Tam Thanh": communes in several provinces.
    let err = reg.find_context("xã Tam Thanh", on).unwrap_err();
    match &err {
        ContextError::Ambiguous { candidates, .. } => {
            assert!(candidates.len() >= 2);
            assert!(candidates.iter().any(|c| c.contains("Tam Kỳ")));
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("Xã Tam Thanh"));
    // Qualified by an ancestor, it is found.
    assert_eq!(
        reg.find_context("xã Tam Thanh (Tam Kỳ)", on).unwrap().code,
        reg.find_context("xã Tam Thanh, thành phố Tam Kỳ", on)
            .unwrap()
            .code
    );
}

#[test]
fn search_ignores_diacritics_and_ranks_exact_first() {
    let reg = &*REG;
    let hits = reg.search("da nang", d(2024, 6, 1));
    assert_eq!(hits[0].code, "48");
    let hits = reg.search("quảng nam", d(2024, 6, 1));
    assert_eq!(hits[0].code, "49");
    assert!(
        reg.search("sở tt&tt quảng nam", d(2024, 6, 1))
            .iter()
            .any(|u| u.code == "49.STTTT")
    );
    assert!(reg.search("", d(2024, 6, 1)).is_empty());
}

#[test]
fn lists_split_on_names_not_on_commas() {
    let r = resolve(
        "Sở Văn hóa, Thể thao và Du lịch, Sở Tài chính và Đài Phát thanh – Truyền hình tỉnh",
        "Quảng Nam",
        d(2024, 6, 1),
    );
    assert_eq!(codes(&r), ["49.SVHTTDL", "49.STC", "49.DPTTH"]);
    assert!(r.unknown.is_empty() && r.vague.is_empty());
    let r = resolve(
        "Sở Thông tin và Truyền thông; các cơ quan, đơn vị liên quan",
        "Quảng Nam",
        d(2024, 6, 1),
    );
    assert_eq!(codes(&r), ["49.STTTT"]);
    assert_eq!(r.vague, ["các cơ quan, đơn vị liên quan"]);
}

#[test]
fn abbreviations_and_dash_variants() {
    let on = d(2024, 6, 1);
    for (text, code) in [
        ("Sở TT&TT", "49.STTTT"),
        ("Sở GD&ĐT", "49.SGDDT"),
        ("Sở NN&PTNT", "49.SNNPTNT"),
        ("Sở VH-TT&DL", "49.SVHTTDL"),
        ("Sở KH&CN", "49.SKHCN"),
        ("Sở LĐ-TB&XH", "49.SLDTBXH"),
        ("Sở TN&MT", "49.STNMT"),
        ("Sở GTVT", "49.SGTVT"),
        ("Sở KH&ĐT", "49.SKHDT"),
        ("Đài PT-TH Quảng Nam", "49.DPTTH"),
        ("Đài PTTH tỉnh", "49.DPTTH"),
        ("Đài Phát thanh - Truyền hình Quảng Nam", "49.DPTTH"),
        ("Đài Phát thanh – Truyền hình Quảng Nam", "49.DPTTH"),
        ("LĐLĐ tỉnh", "49.LDLD"),
        ("Hội LHPN tỉnh", "49.HLHPN"),
        ("UBMTTQ tỉnh", "49.MTTQ"),
        ("Cổng TTĐT tỉnh", "49.CTTDT"),
        ("UBND tỉnh", "49.UBND"),
        ("HĐND tỉnh", "49.HDND"),
        ("Viettel Quảng Nam", "49.VIETTEL"),
        ("VNPT Quảng Nam", "49.VNPT"),
    ] {
        let r = resolve(text, "Quảng Nam", on);
        assert_eq!(codes(&r), [code], "{text}: {r:?}");
        assert!(r.unknown.is_empty(), "{text}: {r:?}");
    }
    let r = resolve("Sở TT&TT", "Quảng Nam", on);
    assert_eq!(r.units[0].matched, MatchKind::Alias);
    let r = resolve("Sở Thông tin và Truyền thông", "Quảng Nam", on);
    assert_eq!(r.units[0].matched, MatchKind::Exact);
}

#[test]
fn district_people_committees_group_matches_the_data() {
    let on = d(2024, 6, 1);
    let districts = REG
        .children("49", on)
        .into_iter()
        .filter(|u| u.kind == UnitKind::District)
        .count();
    // 17 in the data: Nông Sơn joined Quế Sơn on 1 January 2025, before the list was taken.
    assert_eq!(districts, 17);
    for text in [
        "UBND các huyện, thị xã, thành phố",
        "UBND cấp huyện",
        "Ủy ban nhân dân các huyện, thị xã, thành phố",
        "các huyện, thị xã, thành phố",
    ] {
        let r = resolve(text, "Quảng Nam", on);
        assert_eq!(r.units.len(), districts, "{text}");
        assert!(r.units.iter().all(|u| u.matched == MatchKind::Group));
        assert!(r.units.iter().all(|u| u.code.ends_with(".UBND")));
    }
    let communes = REG
        .descendants("49", on)
        .into_iter()
        .filter(|u| u.kind == UnitKind::Commune)
        .count();
    let r = resolve("UBND cấp xã", "Quảng Nam", on);
    assert_eq!(r.units.len(), communes);
    let r = resolve("các xã, phường, thị trấn", "Quảng Nam", on);
    assert_eq!(r.units.len(), communes);
    // Only the types named: Tam Kỳ has phường and xã, no thị trấn.
    let r = resolve("UBND xã, phường", "thành phố Tam Kỳ", on);
    assert_eq!(
        r.units.len(),
        REG.children("502", on)
            .iter()
            .filter(|u| u.is_admin())
            .count()
    );
    let r = resolve("các Sở, Ban, ngành", "Quảng Nam", on);
    assert!(r.units.len() >= 15 && r.units.iter().any(|u| u.code == "49.STTTT"));
    assert!(r.units.iter().all(|u| u.code.starts_with("49.")));
}

#[test]
fn vague_and_unknown_are_reported_never_dropped() {
    let on = d(2024, 6, 1);
    let r = resolve(
        "Sở Tài chính, Công ty ABC và các cơ quan, đơn vị, địa phương liên quan",
        "Quảng Nam",
        on,
    );
    assert_eq!(codes(&r), ["49.STC"]);
    assert_eq!(r.unknown, ["Công ty ABC"]);
    assert_eq!(r.vague, ["các cơ quan, đơn vị, địa phương liên quan"]);
    let r = resolve("các đơn vị có liên quan", "Quảng Nam", on);
    assert!(r.units.is_empty() && r.unknown.is_empty());
    assert_eq!(r.vague.len(), 1);
    // A ministry is held as a central body.
    let r = resolve("Bộ Thông tin và Truyền thông", "Quảng Nam", on);
    assert_eq!(codes(&r), ["TW.BTTTT"]);
}

#[test]
fn no_number_fragment_or_lone_noun_is_offered_as_a_unit() {
    let on = d(2024, 6, 1);
    // A page number left between two lines.
    let r = resolve(
        "Sở Thông tin và Truyền thông; các đơn vị liên quan. 7",
        "Quảng Nam",
        on,
    );
    assert_eq!(codes(&r), ["49.STTTT"]);
    assert!(r.unknown.is_empty(), "{r:?}");
    // A descriptive group joined by commas: the named part resolves, the rest is vague.
    let r = resolve(
        "các doanh nghiệp viễn thông, ngân hàng, thương mại điện tử",
        "huyện Núi Thành",
        on,
    );
    assert!(r.unknown.is_empty(), "{r:?}");
    assert_eq!(r.vague, ["ngân hàng, thương mại điện tử"]);
    // "huyện, Huyện đoàn" is a unit and another, not a list of districts.
    let r = resolve(
        "Phòng Văn hóa và Thông tin huyện, Huyện đoàn",
        "huyện Núi Thành",
        on,
    );
    assert_eq!(codes(&r), ["517.PVHTT", "517.DOAN"]);
    assert!(r.unknown.is_empty() && r.vague.is_empty(), "{r:?}");
}

#[test]
fn dashed_and_reordered_names_resolve_whole_anywhere_in_a_list() {
    let on = d(2024, 6, 1);
    for name in [
        "Trung tâm Văn hóa - Thông tin - Thể thao huyện",
        "Trung tâm Thông tin - Văn hóa - Thể thao huyện",
        "Trung tâm Văn hóa - Thể thao và Truyền thông huyện",
        "Trung tâm Truyền thông - Văn hóa - Thể thao huyện",
        "Trung tâm VH-TT&TT huyện",
        "Văn phòng HĐND-UBND huyện",
        "Ủy ban MTTQ Việt Nam huyện",
        "Hội LHPN huyện",
    ] {
        for text in [
            name.to_string(),
            format!("Phòng Văn hóa và Thông tin huyện, {name}"),
            format!("{name}, Huyện đoàn và các cơ quan, đơn vị liên quan"),
        ] {
            let r = resolve(&text, "huyện Núi Thành", on);
            assert!(r.unknown.is_empty(), "{text}: {r:?}");
            assert!(
                !r.units.is_empty() && r.units.iter().all(|u| u.code.starts_with("517.")),
                "{text}: {r:?}"
            );
        }
    }
}

#[test]
fn resolution_follows_the_date() {
    // 2024: Sở TT&TT exists, and the districts.
    let r = resolve("UBND huyện Bình Sơn; Sở TT&TT", "Quảng Ngãi", d(2024, 3, 1));
    assert_eq!(r.units.len(), 2, "{r:?}");
    assert!(r.units[0].name.contains("Bình Sơn"));
    assert_eq!(r.units[1].code, "51.STTTT");
    // August 2025: Sở TT&TT is gone (merged into Sở KH&CN), and so are the districts.
    let r = resolve("Sở KH&CN", "Quảng Ngãi", d(2025, 8, 1));
    assert_eq!(codes(&r), ["51.SKHCN"]);
    let r = resolve("Sở TT&TT", "Quảng Ngãi", d(2025, 8, 1));
    assert!(r.units.is_empty());
    assert_eq!(r.unknown, ["Sở TT&TT"]);
    let r = resolve("UBND các huyện", "Quảng Ngãi", d(2025, 8, 1));
    assert!(r.units.is_empty());
    assert_eq!(r.unknown, ["UBND các huyện"], "{r:?}");
    // Đà Nẵng after the merger: its communes include the former Tam Kỳ wards.
    let r = resolve("UBND các xã, phường, đặc khu", "Đà Nẵng", d(2025, 8, 1));
    assert_eq!(
        r.units.len(),
        REG.children("48", d(2025, 8, 1))
            .iter()
            .filter(|u| u.is_admin())
            .count()
    );
}

#[test]
fn agencies_are_pure_and_dated() {
    let on = d(2024, 6, 1);
    let qn = REG.get("49", on).unwrap();
    let a = agencies::standard_agencies(qn, on);
    assert_eq!(a, agencies::standard_agencies(qn, on));
    assert!(a.iter().all(|u| u.code.starts_with("49.")));
    let after = agencies::standard_agencies(REG.get("51", d(2025, 8, 1)).unwrap(), d(2025, 8, 1));
    assert!(after.iter().any(|u| u.code == "51.SKHCN"));
    assert!(!after.iter().any(|u| u.code == "51.STTTT"));
    assert!(after.iter().any(|u| u.code == "51.BAOPTTH"));
}

#[test]
fn resolution_serialises_in_the_documented_shape() {
    let r = resolve("Sở TT&TT, các đơn vị liên quan", "Quảng Nam", d(2024, 6, 1));
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["units"][0]["code"], "49.STTTT");
    assert_eq!(v["units"][0]["match"], "alias");
    assert_eq!(v["units"][0]["kind"], "agency");
    assert!(v["vague"].is_array() && v["unknown"].is_array());
}

#[test]
fn a_centrally_run_city_reads_the_same_rules() {
    let mut reg = Registry::builtin().unwrap();
    reg.add_standard_agencies("01");
    let on = d(2023, 5, 1);
    let ctx = reg.find_context("Thành phố Hà Nội", on).unwrap().clone();
    let r = reg.resolve(
        "Sở TT&TT thành phố chủ trì, phối hợp với Thành đoàn Hà Nội, Ban Tuyên giáo Thành ủy; UBND các quận, huyện, thị xã",
        &ctx,
        on,
    );
    let quan_huyen_thixa = reg
        .children("01", on)
        .iter()
        .filter(|u| u.kind == UnitKind::District)
        .count();
    assert_eq!(r.units.len(), 3 + quan_huyen_thixa, "{r:?}");
    assert_eq!(codes(&r)[..3], ["01.STTTT", "01.DOAN", "01.BTG"]);
    assert!(r.unknown.is_empty() && r.vague.is_empty(), "{r:?}");
    // Only the types named.
    let r = reg.resolve("UBND các quận", &ctx, on);
    let quan = reg
        .children("01", on)
        .iter()
        .filter(|u| u.admin_type == Some(kehoach_core::units::AdminType::Quan))
        .count();
    assert_eq!(r.units.len(), quan);
    // A typo still finds the department, marked fuzzy.
    let r = reg.resolve("Sở Thông tin và Truyền thôg", &ctx, on);
    assert_eq!(codes(&r), ["01.STTTT"]);
    assert_eq!(r.units[0].matched, MatchKind::Fuzzy);
}

mod reordered {
    use super::*;
    use proptest::prelude::*;

    /// District agencies whose names are lists of parts: (type words, parts, code).
    const NAMES: &[(&str, &[&str], &str)] = &[
        (
            "Trung tâm",
            &["Văn hóa", "Thông tin", "Thể thao"],
            "517.TTVHTTTT",
        ),
        (
            "Trung tâm",
            &["Văn hóa", "Thể thao", "Truyền thông"],
            "517.TTVHTTTT",
        ),
        ("Văn phòng", &["HĐND", "UBND"], "517.VP"),
        ("Phòng", &["Văn hóa", "Thông tin"], "517.PVHTT"),
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// A registry name with its parts in any order, joined by dashes, "và" or an en dash,
        /// resolves whole to its agency in any place of a list.
        #[test]
        fn a_name_in_any_order_resolves_whole_inside_a_list(
            which in 0..NAMES.len(),
            order in Just(()).prop_perturb(|_, mut rng| rng.random::<u64>()),
            seps in proptest::collection::vec(prop_oneof![Just(" - "), Just(" và "), Just(" – ")], 3),
            place in 0..3usize,
        ) {
            let (head, parts, code) = NAMES[which];
            let mut parts: Vec<&str> = parts.to_vec();
            // A deterministic shuffle from the drawn number.
            let mut x = order;
            for i in (1..parts.len()).rev() {
                x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                parts.swap(i, (x >> 33) as usize % (i + 1));
            }
            let mut name = format!("{head} {}", parts[0]);
            for (p, sep) in parts[1..].iter().zip(&seps) {
                name.push_str(sep);
                name.push_str(p);
            }
            name.push_str(" huyện");
            let text = match place {
                0 => name.clone(),
                1 => format!("Huyện đoàn, {name}"),
                _ => format!("{name}; Sở Tài chính và các cơ quan, đơn vị liên quan"),
            };
            let r = resolve(&text, "huyện Núi Thành", d(2024, 6, 1));
            prop_assert!(r.unknown.is_empty(), "{}: {:?}", text, r);
            prop_assert!(codes(&r).contains(&code), "{}: {:?}", text, r);
        }
    }
}

#[test]
fn a_unit_is_held_only_with_its_start_and_every_alias() {
    let reg = &*REG;
    let on = d(2024, 6, 1);
    let province = reg.get("49", on).expect("Quảng Nam").clone();
    let agencies = agencies::standard_agencies(&province, on);
    let agency = agencies
        .iter()
        .find(|a| !a.aliases.is_empty())
        .expect("an agency with aliases")
        .clone();
    assert!(reg.holds(&province));
    assert!(reg.holds(&agency));
    // Another start of validity is another record.
    let mut later = agency.clone();
    later.valid_from = Some(d(2030, 1, 1));
    assert!(!reg.holds(&later));
    // An alias the held record lacks would be stored.
    let mut renamed = agency.clone();
    renamed.aliases.push("Tên gọi mới".into());
    assert!(!reg.holds(&renamed));
    let mut unknown = agency;
    unknown.code = "49.KHONG-CO".into();
    assert!(!reg.holds(&unknown));
}
