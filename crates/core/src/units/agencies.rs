//! The standard agencies plans name under a province, a district or a commune, and a few central
//! bodies. Pure: the same parent always gives the same agencies.
//!
//! Codes: an agency's code is its parent's code, a dot and a slug: `49.STTTT` (Sở TT&TT of
//! Quảng Nam), `502.PVHTT` (Phòng Văn hóa và Thông tin of Tam Kỳ), `20341.UBND`,
//! `67.STTTT.PCNTT` (a division of a department); central bodies are `TW.<slug>`.
//!
//! Validity: an agency lives within its parent's validity and its own: the March 2025
//! reorganisation of departments (Decree 45/2025 and the provinces' decisions) is dated
//! 1 March 2025 for every province (Sở TT&TT merged into Sở KH&CN, Sở KH&ĐT into Sở Tài chính,
//! Sở LĐ-TB&XH into Sở Nội vụ, Sở GTVT into Sở Xây dựng, Sở TN&MT and Sở NN&PTNT into Sở Nông
//! nghiệp và Môi trường, Ban Dân tộc into Sở Dân tộc và Tôn giáo; the district offices alike);
//! the real dates differ by a few days between provinces. From 1 July 2025 a province's newspaper
//! and radio-TV station are one "Báo và Phát thanh, Truyền hình" (except Hà Nội and Hồ Chí Minh
//! City, which kept them apart), and a commune gets the offices of the two-level government.

use chrono::NaiveDate;

use super::{AdminType, AgencyCategory, Unit, UnitKind};

use AgencyCategory::*;

type Ymd = (i32, u32, u32);

const FEB_END: Option<Ymd> = Some((2025, 2, 28));
const MARCH: Option<Ymd> = Some((2025, 3, 1));
const JUNE_END: Option<Ymd> = Some((2025, 6, 30));
const JULY: Option<Ymd> = Some((2025, 7, 1));

#[derive(Clone, Copy, PartialEq, Eq)]
enum Scope {
    Province,
    District,
    /// Districts that are a city, town or urban district (thành phố, thị xã, quận).
    UrbanDistrict,
    /// Rural districts (huyện).
    RuralDistrict,
    Commune,
}

/// One agency template. In names and aliases: `{t}` the parent's type word in lower case
/// ("tỉnh", "thành phố", "huyện", "xã"), `{N}` the parent's short name, `{U}` the party
/// committee ("Tỉnh ủy", "Thành ủy", "Huyện ủy"), `{D}` the youth union ("Tỉnh đoàn", "Huyện đoàn").
struct Template {
    scope: Scope,
    slug: &'static str,
    category: AgencyCategory,
    short: &'static str,
    name: &'static str,
    aliases: &'static [&'static str],
    from: Option<Ymd>,
    to: Option<Ymd>,
}

const fn t(
    scope: Scope,
    slug: &'static str,
    category: AgencyCategory,
    short: &'static str,
    name: &'static str,
    aliases: &'static [&'static str],
) -> Template {
    Template {
        scope,
        slug,
        category,
        short,
        name,
        aliases,
        from: None,
        to: None,
    }
}

const fn until(mut tpl: Template, to: Option<Ymd>) -> Template {
    tpl.to = to;
    tpl
}

const fn since(mut tpl: Template, from: Option<Ymd>) -> Template {
    tpl.from = from;
    tpl
}

use Scope::{Commune as C, District as D, Province as P, RuralDistrict as RD, UrbanDistrict as UD};

#[rustfmt::skip]
static TEMPLATES: &[Template] = &[
    // ---- province ----
    t(P, "UBND", PeopleCommittee, "Ủy ban nhân dân", "Ủy ban nhân dân {t} {N}", &["UBND", "UBND {t} {N}"]),
    t(P, "VPUBND", Department, "Văn phòng Ủy ban nhân dân", "Văn phòng Ủy ban nhân dân {t} {N}", &["Văn phòng UBND", "VP UBND", "Văn phòng Ủy ban"]),
    t(P, "HDND", Other, "Hội đồng nhân dân", "Hội đồng nhân dân {t} {N}", &["HĐND"]),
    t(P, "VPDDBQHHDND", Other, "Văn phòng Đoàn đại biểu Quốc hội và Hội đồng nhân dân", "Văn phòng Đoàn đại biểu Quốc hội và Hội đồng nhân dân {t} {N}", &["Văn phòng Đoàn ĐBQH và HĐND", "Văn phòng HĐND"]),
    t(P, "SNV", Department, "Sở Nội vụ", "Sở Nội vụ {t} {N}", &[]),
    t(P, "STC", Department, "Sở Tài chính", "Sở Tài chính {t} {N}", &[]),
    until(t(P, "SKHDT", Department, "Sở Kế hoạch và Đầu tư", "Sở Kế hoạch và Đầu tư {t} {N}", &["Sở KH&ĐT", "Sở KHĐT"]), FEB_END),
    until(t(P, "STTTT", Department, "Sở Thông tin và Truyền thông", "Sở Thông tin và Truyền thông {t} {N}", &["Sở TT&TT", "Sở TTTT", "STTTT"]), FEB_END),
    t(P, "SKHCN", Department, "Sở Khoa học và Công nghệ", "Sở Khoa học và Công nghệ {t} {N}", &["Sở KH&CN", "Sở KHCN"]),
    t(P, "SGDDT", Department, "Sở Giáo dục và Đào tạo", "Sở Giáo dục và Đào tạo {t} {N}", &["Sở GD&ĐT", "Sở GDĐT"]),
    t(P, "SYT", Department, "Sở Y tế", "Sở Y tế {t} {N}", &[]),
    t(P, "SVHTTDL", Department, "Sở Văn hóa, Thể thao và Du lịch", "Sở Văn hóa, Thể thao và Du lịch {t} {N}", &["Sở VH-TT&DL", "Sở VHTTDL", "Sở VH, TT&DL", "Sở Văn hóa và Thể thao", "Sở VH-TT"]),
    until(t(P, "SNNPTNT", Department, "Sở Nông nghiệp và Phát triển nông thôn", "Sở Nông nghiệp và Phát triển nông thôn {t} {N}", &["Sở NN&PTNT", "Sở NNPTNT", "Sở Nông nghiệp"]), FEB_END),
    since(t(P, "SNNMT", Department, "Sở Nông nghiệp và Môi trường", "Sở Nông nghiệp và Môi trường {t} {N}", &["Sở NN&MT", "Sở Nông nghiệp"]), MARCH),
    until(t(P, "SLDTBXH", Department, "Sở Lao động - Thương binh và Xã hội", "Sở Lao động - Thương binh và Xã hội {t} {N}", &["Sở LĐ-TB&XH", "Sở LĐTBXH", "Sở Lao động"]), FEB_END),
    t(P, "SCT", Department, "Sở Công Thương", "Sở Công Thương {t} {N}", &["Sở Công thương"]),
    t(P, "STP", Department, "Sở Tư pháp", "Sở Tư pháp {t} {N}", &[]),
    t(P, "SXD", Department, "Sở Xây dựng", "Sở Xây dựng {t} {N}", &[]),
    until(t(P, "SGTVT", Department, "Sở Giao thông vận tải", "Sở Giao thông vận tải {t} {N}", &["Sở GTVT", "Sở Giao thông - Vận tải"]), FEB_END),
    until(t(P, "STNMT", Department, "Sở Tài nguyên và Môi trường", "Sở Tài nguyên và Môi trường {t} {N}", &["Sở TN&MT", "Sở TNMT"]), FEB_END),
    until(t(P, "SNGV", Department, "Sở Ngoại vụ", "Sở Ngoại vụ {t} {N}", &[]), FEB_END),
    until(t(P, "BDT", Department, "Ban Dân tộc", "Ban Dân tộc {t} {N}", &[]), FEB_END),
    since(t(P, "SDTTG", Department, "Sở Dân tộc và Tôn giáo", "Sở Dân tộc và Tôn giáo {t} {N}", &["Sở DT&TG"]), MARCH),
    t(P, "TTR", Department, "Thanh tra", "Thanh tra {t} {N}", &[]),
    until(t(P, "BAO", Media, "Báo {N}", "Báo {N}", &["Báo {t} {N}"]), JUNE_END),
    until(t(P, "DPTTH", Media, "Đài Phát thanh và Truyền hình", "Đài Phát thanh và Truyền hình {N}", &["Đài Phát thanh và Truyền hình {N}", "Đài Phát thanh Truyền hình", "Đài PT-TH", "Đài PT-TH {N}", "Đài PTTH", "Đài Truyền hình {N}"]), JUNE_END),
    since(t(P, "BAOPTTH", Media, "Báo và Phát thanh, Truyền hình {N}", "Báo và Phát thanh, Truyền hình {N}", &["Báo {N}", "Đài Phát thanh và Truyền hình", "Đài Phát thanh và Truyền hình {N}", "Đài PT-TH", "Đài PTTH"]), JULY),
    t(P, "CTTDT", Media, "Cổng Thông tin điện tử", "Cổng Thông tin điện tử {t} {N}", &["Cổng TTĐT", "Cổng thông tin", "Cổng Thông tin điện tử UBND"]),
    t(P, "HNB", MassOrg, "Hội Nhà báo", "Hội Nhà báo {t} {N}", &[]),
    t(P, "TU", Party, "{U}", "{U} {N}", &["Ban Thường vụ {U}"]),
    t(P, "VPTU", Party, "Văn phòng {U}", "Văn phòng {U} {N}", &[]),
    until(t(P, "BTG", Party, "Ban Tuyên giáo {U}", "Ban Tuyên giáo {U} {N}", &["Ban Tuyên giáo", "Ban TG {U}"]), FEB_END),
    until(t(P, "BDV", Party, "Ban Dân vận {U}", "Ban Dân vận {U} {N}", &["Ban Dân vận"]), FEB_END),
    since(t(P, "BTGDV", Party, "Ban Tuyên giáo và Dân vận {U}", "Ban Tuyên giáo và Dân vận {U} {N}", &["Ban Tuyên giáo và Dân vận", "Ban Tuyên giáo {U}", "Ban Tuyên giáo", "Ban Dân vận {U}"]), MARCH),
    t(P, "MTTQ", MassOrg, "Ủy ban Mặt trận Tổ quốc Việt Nam", "Ủy ban Mặt trận Tổ quốc Việt Nam {t} {N}", &["Ủy ban MTTQ Việt Nam", "Ủy ban MTTQ", "UBMTTQ", "UBMTTQVN", "Mặt trận Tổ quốc", "MTTQ", "Ủy ban Mặt trận Tổ quốc"]),
    t(P, "DOAN", MassOrg, "{D}", "{D} {N}", &["Đoàn Thanh niên Cộng sản Hồ Chí Minh", "Đoàn TNCS Hồ Chí Minh", "Đoàn Thanh niên", "Đoàn TN"]),
    t(P, "HLHPN", MassOrg, "Hội Liên hiệp Phụ nữ", "Hội Liên hiệp Phụ nữ {t} {N}", &["Hội LHPN", "Hội Phụ nữ"]),
    t(P, "LDLD", MassOrg, "Liên đoàn Lao động", "Liên đoàn Lao động {t} {N}", &["LĐLĐ"]),
    t(P, "HND", MassOrg, "Hội Nông dân", "Hội Nông dân {t} {N}", &[]),
    t(P, "HCCB", MassOrg, "Hội Cựu chiến binh", "Hội Cựu chiến binh {t} {N}", &["Hội CCB"]),
    t(P, "CA", Other, "Công an", "Công an {t} {N}", &[]),
    t(P, "BCHQS", Other, "Bộ Chỉ huy Quân sự", "Bộ Chỉ huy Quân sự {t} {N}", &["Bộ CHQS", "BCHQS"]),
    t(P, "VIETTEL", Enterprise, "Viettel {N}", "Viettel {N}", &["Chi nhánh Viettel {N}", "Viettel {t} {N}", "Viettel"]),
    t(P, "VNPT", Enterprise, "VNPT {N}", "VNPT {N}", &["Viễn thông {N}", "VNPT {t} {N}", "VNPT"]),
    t(P, "MOBIFONE", Enterprise, "MobiFone {N}", "MobiFone {N}", &["MobiFone {t} {N}", "MobiFone", "Mobifone"]),
    t(P, "BUUDIEN", Enterprise, "Bưu điện", "Bưu điện {t} {N}", &["Bưu điện {N}", "VNPost {N}"]),
    // ---- district (they end with the districts on 30 June 2025) ----
    t(D, "UBND", PeopleCommittee, "Ủy ban nhân dân", "Ủy ban nhân dân {t} {N}", &["UBND", "UBND {t} {N}"]),
    t(D, "VP", Department, "Văn phòng Hội đồng nhân dân và Ủy ban nhân dân", "Văn phòng HĐND và UBND {t} {N}", &["Văn phòng HĐND và UBND", "Văn phòng HĐND-UBND", "VP HĐND-UBND", "Văn phòng UBND", "Văn phòng Ủy ban nhân dân"]),
    t(D, "HDND", Other, "Hội đồng nhân dân", "Hội đồng nhân dân {t} {N}", &["HĐND"]),
    t(D, "PNV", Department, "Phòng Nội vụ", "Phòng Nội vụ {t} {N}", &[]),
    t(D, "PTCKH", Department, "Phòng Tài chính - Kế hoạch", "Phòng Tài chính - Kế hoạch {t} {N}", &["Phòng TC-KH", "Phòng Tài chính và Kế hoạch"]),
    until(t(D, "PVHTT", Department, "Phòng Văn hóa và Thông tin", "Phòng Văn hóa và Thông tin {t} {N}", &["Phòng VH&TT", "Phòng VH-TT", "Phòng VHTT", "Phòng Văn hóa - Thông tin"]), FEB_END),
    since(t(D, "PVHKHTT", Department, "Phòng Văn hóa, Khoa học và Thông tin", "Phòng Văn hóa, Khoa học và Thông tin {t} {N}", &["Phòng VH, KH&TT", "Phòng Văn hóa và Thông tin", "Phòng VH&TT"]), MARCH),
    t(D, "PGDDT", Department, "Phòng Giáo dục và Đào tạo", "Phòng Giáo dục và Đào tạo {t} {N}", &["Phòng GD&ĐT", "Phòng GDĐT"]),
    t(D, "PYT", Department, "Phòng Y tế", "Phòng Y tế {t} {N}", &[]),
    until(t(D, "PLDTBXH", Department, "Phòng Lao động - Thương binh và Xã hội", "Phòng Lao động - Thương binh và Xã hội {t} {N}", &["Phòng LĐ-TB&XH", "Phòng LĐTBXH"]), FEB_END),
    t(D, "PTP", Department, "Phòng Tư pháp", "Phòng Tư pháp {t} {N}", &[]),
    until(t(D, "PTNMT", Department, "Phòng Tài nguyên và Môi trường", "Phòng Tài nguyên và Môi trường {t} {N}", &["Phòng TN&MT", "Phòng TNMT"]), FEB_END),
    until(t(RD, "PNNPTNT", Department, "Phòng Nông nghiệp và Phát triển nông thôn", "Phòng Nông nghiệp và Phát triển nông thôn {t} {N}", &["Phòng NN&PTNT", "Phòng Nông nghiệp"]), FEB_END),
    until(t(RD, "PKTHT", Department, "Phòng Kinh tế và Hạ tầng", "Phòng Kinh tế và Hạ tầng {t} {N}", &["Phòng KT&HT", "Phòng KT-HT"]), FEB_END),
    until(t(UD, "PKT", Department, "Phòng Kinh tế", "Phòng Kinh tế {t} {N}", &[]), FEB_END),
    until(t(UD, "PQLDT", Department, "Phòng Quản lý đô thị", "Phòng Quản lý đô thị {t} {N}", &["Phòng QLĐT"]), FEB_END),
    since(t(D, "PNNMT", Department, "Phòng Nông nghiệp và Môi trường", "Phòng Nông nghiệp và Môi trường {t} {N}", &["Phòng NN&MT", "Phòng Nông nghiệp"]), MARCH),
    since(t(D, "PKTHTDT", Department, "Phòng Kinh tế, Hạ tầng và Đô thị", "Phòng Kinh tế, Hạ tầng và Đô thị {t} {N}", &["Phòng Kinh tế", "Phòng KT, HT&ĐT"]), MARCH),
    t(D, "TTR", Department, "Thanh tra", "Thanh tra {t} {N}", &[]),
    t(D, "TTVHTTTT", Media, "Trung tâm Văn hóa - Thể thao và Truyền thông", "Trung tâm Văn hóa - Thể thao và Truyền thông {t} {N}", &["Trung tâm VH-TT&TT", "Trung tâm VHTT&TT", "Trung tâm Văn hóa - Thể thao và Truyền thanh - Truyền hình", "Trung tâm Văn hóa - Thông tin và Thể thao", "Trung tâm Văn hóa - Thông tin - Thể thao", "Trung tâm Văn hóa, Thông tin và Truyền thông", "Trung tâm Truyền thông và Văn hóa", "Trung tâm Văn hóa và Truyền thông", "Đài Truyền thanh - Truyền hình", "Đài TT-TH", "Đài Truyền thanh"]),
    t(D, "CTTDT", Media, "Cổng Thông tin điện tử", "Cổng Thông tin điện tử {t} {N}", &["Cổng TTĐT", "Trang Thông tin điện tử", "Trang TTĐT"]),
    t(D, "TU", Party, "{U}", "{U} {N}", &["Ban Thường vụ {U}"]),
    until(t(D, "BTG", Party, "Ban Tuyên giáo {U}", "Ban Tuyên giáo {U} {N}", &["Ban Tuyên giáo"]), FEB_END),
    until(t(D, "BDV", Party, "Ban Dân vận {U}", "Ban Dân vận {U} {N}", &["Ban Dân vận"]), FEB_END),
    since(t(D, "BTGDV", Party, "Ban Tuyên giáo và Dân vận {U}", "Ban Tuyên giáo và Dân vận {U} {N}", &["Ban Tuyên giáo và Dân vận", "Ban Tuyên giáo {U}", "Ban Tuyên giáo"]), MARCH),
    t(D, "MTTQ", MassOrg, "Ủy ban Mặt trận Tổ quốc Việt Nam", "Ủy ban Mặt trận Tổ quốc Việt Nam {t} {N}", &["Ủy ban MTTQ Việt Nam", "Ủy ban MTTQ", "UBMTTQ", "Mặt trận Tổ quốc", "MTTQ"]),
    t(D, "DOAN", MassOrg, "{D}", "{D} {N}", &["Đoàn Thanh niên", "Đoàn TNCS Hồ Chí Minh"]),
    t(D, "HLHPN", MassOrg, "Hội Liên hiệp Phụ nữ", "Hội Liên hiệp Phụ nữ {t} {N}", &["Hội LHPN", "Hội Phụ nữ"]),
    t(D, "LDLD", MassOrg, "Liên đoàn Lao động", "Liên đoàn Lao động {t} {N}", &["LĐLĐ"]),
    t(D, "HND", MassOrg, "Hội Nông dân", "Hội Nông dân {t} {N}", &[]),
    t(D, "HCCB", MassOrg, "Hội Cựu chiến binh", "Hội Cựu chiến binh {t} {N}", &["Hội CCB"]),
    t(D, "CA", Other, "Công an", "Công an {t} {N}", &[]),
    t(D, "BCHQS", Other, "Ban Chỉ huy Quân sự", "Ban Chỉ huy Quân sự {t} {N}", &["Ban CHQS"]),
    // ---- commune ----
    t(C, "UBND", PeopleCommittee, "Ủy ban nhân dân", "Ủy ban nhân dân {t} {N}", &["UBND", "UBND {t} {N}"]),
    t(C, "DTT", Media, "Đài Truyền thanh", "Đài Truyền thanh {t} {N}", &["Đài truyền thanh cơ sở", "Đài phát thanh", "Đài TT", "Trạm Truyền thanh", "Đài Truyền thanh {N}"]),
    since(t(C, "VP", Department, "Văn phòng Hội đồng nhân dân và Ủy ban nhân dân", "Văn phòng HĐND và UBND {t} {N}", &["Văn phòng HĐND và UBND", "Văn phòng HĐND-UBND", "Văn phòng UBND"]), JULY),
    since(t(C, "PVHXH", Department, "Phòng Văn hóa - Xã hội", "Phòng Văn hóa - Xã hội {t} {N}", &["Phòng VH-XH"]), JULY),
    since(t(C, "PKT", Department, "Phòng Kinh tế", "Phòng Kinh tế {t} {N}", &["Phòng Kinh tế, Hạ tầng và Đô thị"]), JULY),
    since(t(C, "TTPVHCC", Department, "Trung tâm Phục vụ hành chính công", "Trung tâm Phục vụ hành chính công {t} {N}", &[]), JULY),
];

/// Divisions of the provincial Sở TT&TT (the plan office before March 2025), under it.
#[rustfmt::skip]
static STTTT_DIVISIONS: &[(&str, &str, &[&str])] = &[
    ("VP", "Văn phòng Sở", &[]),
    ("TTR", "Thanh tra Sở", &[]),
    ("PTTBCXB", "Phòng Thông tin - Báo chí - Xuất bản", &["Phòng TT-BC-XB", "Phòng Báo chí - Xuất bản", "Phòng Thông tin - Báo chí"]),
    ("PCNTT", "Phòng Công nghệ thông tin", &["Phòng CNTT"]),
    ("PBCVT", "Phòng Bưu chính - Viễn thông", &["Phòng BC-VT", "Phòng Bưu chính, Viễn thông"]),
    ("TTCNTTTT", "Trung tâm Công nghệ thông tin và Truyền thông", &["Trung tâm CNTT&TT", "Trung tâm CNTT-TT"]),
];

fn ymd(d: Option<Ymd>) -> Option<NaiveDate> {
    d.and_then(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d))
}

/// The overlap of two validity spans, or `None` if they don't overlap.
#[allow(clippy::type_complexity)]
fn intersect(
    a: (Option<NaiveDate>, Option<NaiveDate>),
    b: (Option<NaiveDate>, Option<NaiveDate>),
) -> Option<(Option<NaiveDate>, Option<NaiveDate>)> {
    let from = match (a.0, b.0) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, y) => x.or(y),
    };
    let to = match (a.1, b.1) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    };
    match (from, to) {
        (Some(f), Some(t)) if f > t => None,
        _ => Some((from, to)),
    }
}

fn fill(pattern: &str, parent: &Unit, ty: AdminType) -> String {
    let lower_type = ty.word().to_lowercase();
    pattern
        .replace("{t}", &lower_type)
        .replace("{N}", &parent.short_name)
        .replace("{U}", ty.party_committee())
        .replace("{D}", ty.youth_union())
}

fn applies(scope: Scope, ty: AdminType) -> bool {
    match scope {
        Scope::Province => ty.kind() == UnitKind::Province,
        Scope::District => ty.kind() == UnitKind::District,
        Scope::UrbanDistrict => matches!(ty, AdminType::Tp | AdminType::Thixa | AdminType::Quan),
        Scope::RuralDistrict => ty == AdminType::Huyen,
        Scope::Commune => ty.kind() == UnitKind::Commune,
    }
}

/// Every standard agency of `parent` (an administrative unit) over its whole validity, each with
/// its own validity span. Agencies under agencies (the divisions of Sở TT&TT) are included, with
/// that agency as their parent. An agency parent has none.
pub fn all_standard_agencies(parent: &Unit) -> Vec<Unit> {
    let Some(ty) = parent.admin_type else {
        return Vec::new();
    };
    let span = (parent.valid_from, parent.valid_to);
    let separate_media = matches!(parent.code.as_str(), "01" | "79");
    let mut out = Vec::new();
    for tpl in TEMPLATES.iter().filter(|tpl| applies(tpl.scope, ty)) {
        let (from, mut to) = (ymd(tpl.from), ymd(tpl.to));
        if separate_media {
            match tpl.slug {
                "BAO" | "DPTTH" => to = None,
                "BAOPTTH" => continue,
                _ => {}
            }
        }
        let Some((valid_from, valid_to)) = intersect(span, (from, to)) else {
            continue;
        };
        let mut aliases: Vec<String> = Vec::with_capacity(tpl.aliases.len());
        for a in tpl.aliases {
            let a = fill(a, parent, ty);
            if !aliases.contains(&a) {
                aliases.push(a);
            }
        }
        let code = format!("{}.{}", parent.code, tpl.slug);
        if tpl.slug == "STTTT" {
            for (slug, name, div_aliases) in STTTT_DIVISIONS {
                out.push(Unit {
                    code: format!("{code}.{slug}"),
                    kind: UnitKind::Agency,
                    name: format!(
                        "{name} (Sở Thông tin và Truyền thông {} {})",
                        ty.word().to_lowercase(),
                        parent.short_name
                    ),
                    short_name: name.to_string(),
                    admin_type: None,
                    category: Some(Department),
                    parent_code: Some(code.clone()),
                    valid_from,
                    valid_to,
                    aliases: div_aliases.iter().map(|s| s.to_string()).collect(),
                });
            }
        }
        out.push(Unit {
            code,
            kind: UnitKind::Agency,
            name: fill(tpl.name, parent, ty),
            short_name: fill(tpl.short, parent, ty),
            admin_type: None,
            category: Some(tpl.category),
            parent_code: Some(parent.code.clone()),
            valid_from,
            valid_to,
            aliases,
        });
    }
    out
}

/// The standard agencies of `parent` that exist on `on` (see [`all_standard_agencies`]).
pub fn standard_agencies(parent: &Unit, on: NaiveDate) -> Vec<Unit> {
    let mut all = all_standard_agencies(parent);
    all.retain(|u| u.valid_on(on));
    all
}

/// (slug, name, aliases, valid_from, valid_to, category)
type Central = (
    &'static str,
    &'static str,
    &'static [&'static str],
    Option<Ymd>,
    Option<Ymd>,
    AgencyCategory,
);

#[rustfmt::skip]
static CENTRAL: &[Central] = &[
    ("CP", "Chính phủ", &[], None, None, Other),
    ("TTG", "Thủ tướng Chính phủ", &[], None, None, Other),
    ("VPCP", "Văn phòng Chính phủ", &[], None, None, Department),
    ("BTTTT", "Bộ Thông tin và Truyền thông", &["Bộ TT&TT", "Bộ TTTT"], None, FEB_END, Department),
    ("BKHCN", "Bộ Khoa học và Công nghệ", &["Bộ KH&CN", "Bộ KHCN"], None, None, Department),
    ("BNV", "Bộ Nội vụ", &[], None, None, Department),
    ("BTC", "Bộ Tài chính", &[], None, None, Department),
    ("BKHDT", "Bộ Kế hoạch và Đầu tư", &["Bộ KH&ĐT"], None, FEB_END, Department),
    ("BGDDT", "Bộ Giáo dục và Đào tạo", &["Bộ GD&ĐT"], None, None, Department),
    ("BYT", "Bộ Y tế", &[], None, None, Department),
    ("BVHTTDL", "Bộ Văn hóa, Thể thao và Du lịch", &["Bộ VH-TT&DL", "Bộ VHTTDL"], None, None, Department),
    ("BNNPTNT", "Bộ Nông nghiệp và Phát triển nông thôn", &["Bộ NN&PTNT"], None, FEB_END, Department),
    ("BNNMT", "Bộ Nông nghiệp và Môi trường", &["Bộ NN&MT"], MARCH, None, Department),
    ("BTNMT", "Bộ Tài nguyên và Môi trường", &["Bộ TN&MT"], None, FEB_END, Department),
    ("BLDTBXH", "Bộ Lao động - Thương binh và Xã hội", &["Bộ LĐ-TB&XH"], None, FEB_END, Department),
    ("BGTVT", "Bộ Giao thông vận tải", &["Bộ GTVT"], None, FEB_END, Department),
    ("BXD", "Bộ Xây dựng", &[], None, None, Department),
    ("BCT", "Bộ Công Thương", &[], None, None, Department),
    ("BTP", "Bộ Tư pháp", &[], None, None, Department),
    ("BCA", "Bộ Công an", &[], None, None, Other),
    ("BQP", "Bộ Quốc phòng", &[], None, None, Other),
    ("BNG", "Bộ Ngoại giao", &[], None, None, Department),
    ("UBDT", "Ủy ban Dân tộc", &[], None, FEB_END, Department),
    ("BDTTG", "Bộ Dân tộc và Tôn giáo", &[], MARCH, None, Department),
    ("TTCP", "Thanh tra Chính phủ", &[], None, None, Department),
    ("NHNN", "Ngân hàng Nhà nước Việt Nam", &["Ngân hàng Nhà nước"], None, None, Department),
    ("BTGTW", "Ban Tuyên giáo Trung ương", &[], None, FEB_END, Party),
    ("BTGDVTW", "Ban Tuyên giáo và Dân vận Trung ương", &[], MARCH, None, Party),
    ("VTV", "Đài Truyền hình Việt Nam", &["VTV"], None, None, Media),
    ("VOV", "Đài Tiếng nói Việt Nam", &["VOV"], None, None, Media),
    ("TTXVN", "Thông tấn xã Việt Nam", &["TTXVN"], None, None, Media),
    ("NHANDAN", "Báo Nhân Dân", &[], None, None, Media),
    ("VIETTEL", "Tập đoàn Công nghiệp - Viễn thông Quân đội", &["Tập đoàn Viettel"], None, None, Enterprise),
    ("VNPT", "Tập đoàn Bưu chính Viễn thông Việt Nam", &["Tập đoàn VNPT"], None, None, Enterprise),
    ("MOBIFONE", "Tổng công ty Viễn thông MobiFone", &["Tổng công ty MobiFone"], None, None, Enterprise),
    ("VNPOST", "Tổng công ty Bưu điện Việt Nam", &[], None, None, Enterprise),
    ("TWDOAN", "Trung ương Đoàn Thanh niên Cộng sản Hồ Chí Minh", &["Trung ương Đoàn"], None, None, MassOrg),
    ("HLHPNVN", "Hội Liên hiệp Phụ nữ Việt Nam", &[], None, None, MassOrg),
    ("TLDLDVN", "Tổng Liên đoàn Lao động Việt Nam", &[], None, None, MassOrg),
    ("UBTWMTTQ", "Ủy ban Trung ương Mặt trận Tổ quốc Việt Nam", &["Ủy ban Trung ương MTTQ Việt Nam"], None, None, MassOrg),
    ("HNDVN", "Hội Nông dân Việt Nam", &[], None, None, MassOrg),
    ("HNBVN", "Hội Nhà báo Việt Nam", &[], None, None, MassOrg),
];

/// A few ministries and national bodies plans name as partners (code `TW.<slug>`, no parent).
pub fn central_bodies() -> Vec<Unit> {
    CENTRAL
        .iter()
        .map(|(slug, name, aliases, from, to, category)| Unit {
            code: format!("TW.{slug}"),
            kind: UnitKind::Agency,
            name: name.to_string(),
            short_name: name.to_string(),
            admin_type: None,
            category: Some(*category),
            parent_code: None,
            valid_from: ymd(*from),
            valid_to: ymd(*to),
            aliases: aliases.iter().map(|s| s.to_string()).collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn province() -> Unit {
        Unit {
            code: "49".into(),
            kind: UnitKind::Province,
            name: "Tỉnh Quảng Nam".into(),
            short_name: "Quảng Nam".into(),
            admin_type: Some(AdminType::Tinh),
            category: None,
            parent_code: None,
            valid_from: None,
            valid_to: NaiveDate::from_ymd_opt(2025, 6, 30),
            aliases: vec![],
        }
    }

    #[test]
    fn departments_follow_the_march_2025_merger() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let before = standard_agencies(&province(), d(2024, 6, 1));
        let after = standard_agencies(&province(), d(2025, 4, 1));
        let has = |v: &[Unit], code: &str| v.iter().any(|u| u.code == code);
        assert!(has(&before, "49.STTTT") && has(&before, "49.SKHCN"));
        assert!(!has(&after, "49.STTTT") && has(&after, "49.SKHCN") && has(&after, "49.SNNMT"));
        assert!(has(&before, "49.STTTT.PCNTT"));
        let sttt = before.iter().find(|u| u.code == "49.STTTT").unwrap();
        assert_eq!(sttt.name, "Sở Thông tin và Truyền thông tỉnh Quảng Nam");
        assert_eq!(sttt.valid_to, Some(d(2025, 2, 28)));
        let doan = before.iter().find(|u| u.code == "49.DOAN").unwrap();
        assert_eq!(doan.name, "Tỉnh đoàn Quảng Nam");
        // Nothing after the province ends.
        assert!(standard_agencies(&province(), d(2025, 8, 1)).is_empty());
    }
}
