//! Synthetic plan snippets covering ways of writing plans that the corpus does not show:
//! "Cơ quan chủ trì", inline "(Chủ trì: …; Phối hợp: …)", "Đơn vị thực hiện", bullets "•",
//! unit headings "Sở X:" and "Sở Y: duty", time labels, quarters, month windows, "trước 30/6",
//! "02 (hai) lớp", "hằng tháng", "định kỳ hằng quý"; encodings and NFD.

use kehoach_plan::{Per, Plan, parse};
use unicode_normalization::UnicodeNormalization;

const BINH_SON: &str = include_str!("fixtures/synthetic-binhson.txt");

fn task<'a>(plan: &'a Plan, title_start: &str) -> &'a kehoach_plan::Task {
    plan.tasks
        .iter()
        .find(|t| t.title.starts_with(title_start))
        .unwrap_or_else(|| {
            panic!(
                "no task {title_start:?}: {:#?}",
                plan.tasks.iter().map(|t| &t.title).collect::<Vec<_>>()
            )
        })
}

fn pairs(t: &kehoach_plan::Task) -> Vec<(u32, Per)> {
    t.targets.iter().map(|x| (x.count, x.per)).collect()
}

#[test]
fn district_plan_variants() {
    let plan = parse(BINH_SON.as_bytes(), "binhson.txt").unwrap();
    assert_eq!(plan.issuer.as_deref(), Some("UBND huyện Bình Sơn"));
    assert_eq!(plan.number.as_deref(), Some("215/KH-UBND"));
    assert_eq!(plan.place.as_deref(), Some("Bình Sơn"));
    assert_eq!(
        plan.references,
        vec!["88/KH-UBND", "47/2020/NĐ-CP"],
        "own number excluded"
    );
    assert_eq!(plan.tasks.len(), 9);

    let t = task(&plan, "Tuyên truyền trên Đài Truyền thanh huyện");
    assert_eq!(t.lead, "Trung tâm Văn hóa, Thông tin và Thể thao huyện");
    assert_eq!(t.partners, "Phòng Văn hóa và Thông tin huyện");
    assert_eq!(pairs(t), vec![(1, Per::Month)]);
    assert_eq!(t.window.unwrap().to.unwrap().to_string(), "2025-03-31");

    let t = task(&plan, "Tổ chức tập huấn kỹ năng số");
    assert_eq!(t.title, "Tổ chức tập huấn kỹ năng số cho cán bộ xã");
    assert_eq!(
        (t.lead.as_str(), t.partners.as_str()),
        ("Phòng Nội vụ", "UBND các xã, thị trấn")
    );
    assert_eq!(
        pairs(t),
        vec![(2, Per::Plan)],
        "02 (hai) lớp; 50 học viên per class is not a target"
    );
    assert_eq!(t.due.unwrap().to_string(), "2025-06-30");

    let t = task(&plan, "In và phát hành tờ rơi");
    assert_eq!(t.lead, "Phòng Văn hóa và Thông tin huyện");
    assert_eq!(t.window.unwrap().from.to_string(), "2025-10-01");

    let t = task(&plan, "Đăng tin, bài");
    assert_eq!(pairs(t), vec![(4, Per::Month), (1, Per::Quarter)]);
    assert_eq!(t.window.unwrap().to.unwrap().to_string(), "2025-09-30");

    let t = task(&plan, "Chủ trì, phối hợp với Phòng Văn hóa");
    assert_eq!(t.lead, "Phòng Tài chính - Kế hoạch");
    assert_eq!(t.partners, "Phòng Văn hóa và Thông tin huyện");

    let t = task(&plan, "Tổng hợp báo cáo kết quả");
    assert_eq!(t.due.unwrap().to_string(), "2025-12-15");
    let t = task(&plan, "Xây dựng kế hoạch tuyên truyền của đơn vị");
    assert_eq!(t.lead, "Các cơ quan, đơn vị, UBND các xã, thị trấn");
    assert_eq!(t.due.unwrap().to_string(), "2025-04-30");
}

const UNIT_FIRST: &str = "KẾ HOẠCH
Tuyên truyền chuyển đổi số giai đoạn 2024 - 2026

I. NỘI DUNG TUYÊN TRUYỀN
1. Tuyên truyền về lợi ích của chuyển đổi số.
2. Phổ biến kỹ năng số cho người dân.

II. TỔ CHỨC THỰC HIỆN
1. Sở Thông tin và Truyền thông
a) Chủ trì, hướng dẫn triển khai Kế hoạch.
b) Tổ chức 02 hội nghị sơ kết vào tháng 6 hằng năm.
2. Các sở, ban, ngành
Căn cứ chức năng, nhiệm vụ, chủ động tuyên truyền về chuyển đổi số trên Trang thông tin điện tử, mỗi tháng ít nhất 02 tin, bài.
3. UBND các huyện, thị xã, thành phố
* Chỉ đạo Trung tâm Văn hóa - Thể thao và Truyền thanh phát sóng chuyên mục chuyển đổi số 01 lần/tuần.
* Báo cáo kết quả thực hiện trước ngày 15/11 hằng năm.
4. Đề nghị Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh và các tổ chức chính trị - xã hội
Phối hợp tuyên truyền, vận động đoàn viên, hội viên tham gia.
- Sở Tài chính: bố trí kinh phí thực hiện Kế hoạch.

Nơi nhận:
- Như trên;
";

#[test]
fn unit_first_variants() {
    let plan = parse(UNIT_FIRST.as_bytes(), "a.md").unwrap();
    let p = plan.period.unwrap();
    assert_eq!(
        (p.from.to_string(), p.to.unwrap().to_string()),
        ("2024-01-01".into(), "2026-12-31".into())
    );
    let leads: Vec<&str> = plan.tasks.iter().map(|t| t.lead.as_str()).collect();
    assert_eq!(
        leads,
        vec![
            "Sở Thông tin và Truyền thông",
            "Sở Thông tin và Truyền thông",
            "Các sở, ban, ngành",
            "UBND các huyện, thị xã, thành phố",
            "UBND các huyện, thị xã, thành phố",
            "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh và các tổ chức chính trị - xã hội",
            "Sở Tài chính",
        ],
        "{:#?}",
        plan.tasks
    );
    assert_eq!(
        pairs(&plan.tasks[1]),
        vec![(2, Per::Year)],
        "02 hội nghị … hằng năm"
    );
    assert_eq!(pairs(&plan.tasks[2]), vec![(2, Per::Month)]);
    assert_eq!(pairs(&plan.tasks[3]), vec![(1, Per::Week)]);
    assert_eq!(plan.tasks[4].due.unwrap().to_string(), "2024-11-15");
    assert_eq!(plan.tasks[6].title, "bố trí kinh phí thực hiện Kế hoạch.");
    // Content themes in section I assign nobody: not tasks.
    assert!(
        plan.tasks
            .iter()
            .all(|t| !t.title.starts_with("Tuyên truyền về lợi ích"))
    );
}

#[test]
fn same_plan_in_any_encoding() {
    let expected = parse(BINH_SON.as_bytes(), "a.txt").unwrap();
    let nfd: String = BINH_SON.nfd().collect();
    assert_eq!(
        parse(nfd.as_bytes(), "a.txt").unwrap(),
        expected,
        "NFD input"
    );
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend(BINH_SON.as_bytes());
    assert_eq!(parse(&bom, "a.txt").unwrap(), expected, "UTF-8 BOM");
    let mut le = vec![0xFF, 0xFE];
    le.extend(BINH_SON.encode_utf16().flat_map(|u| u.to_le_bytes()));
    assert_eq!(parse(&le, "a.txt").unwrap(), expected, "UTF-16 LE");
    let mut be = vec![0xFE, 0xFF];
    be.extend(BINH_SON.encode_utf16().flat_map(|u| u.to_be_bytes()));
    assert_eq!(parse(&be, "a.txt").unwrap(), expected, "UTF-16 BE");
    let bomless: Vec<u8> = BINH_SON
        .encode_utf16()
        .flat_map(|u| u.to_le_bytes())
        .collect();
    assert_eq!(
        parse(&bomless, "a.txt").unwrap(),
        expected,
        "UTF-16 LE without BOM"
    );
    let crlf = BINH_SON.replace('\n', "\r\n");
    assert_eq!(parse(crlf.as_bytes(), "a.txt").unwrap(), expected, "CRLF");
}

#[test]
fn hard_wrapped_pdf_paste() {
    let text = "KẾ HOẠCH
Tuyên truyền chuyển đổi số năm 2024
II. NỘI DUNG
1. Tổ chức Hội thi tìm hiểu về chuyển đổi số dành cho đoàn viên thanh niên trên
địa bàn tỉnh, tổ chức vào Quý III/2024 tại các huyện, thị xã và thành phố của
tỉnh, kết hợp với các hoạt động hưởng ứng Ngày Chuyển đổi số quốc gia 10/10.
- Đơn vị chủ trì: Tỉnh Đoàn; Đơn vị phối hợp: Sở Thông tin và Truyền thông,
Sở Giáo dục và Đào tạo, các cơ quan, đơn vị, địa phương có liên quan trong tỉnh.
2. Phát hành bản tin chuyển đổi số hằng quý, mỗi số in 500 bản gửi các xã, phường
và thị trấn trên địa bàn tỉnh để tuyên truyền đến người dân và doanh nghiệp.
- Cơ quan thực hiện: Sở Thông tin và Truyền thông
3. Tập huấn cho Tổ công nghệ số cộng đồng các xã, phường, thị trấn trên địa bàn
tỉnh với nội dung phù hợp thực tiễn của từng địa phương, từng nhóm đối tượng.
- Chủ trì: UBND các huyện, thị xã, thành phố
";
    let plan = parse(text.as_bytes(), "a.txt").unwrap();
    assert_eq!(plan.tasks.len(), 3, "{:#?}", plan.tasks);
    let t = &plan.tasks[0];
    assert!(
        t.title.ends_with("Ngày Chuyển đổi số quốc gia 10/10"),
        "{}",
        t.title
    );
    assert_eq!(t.lead, "Tỉnh Đoàn");
    assert!(
        t.partners
            .starts_with("Sở Thông tin và Truyền thông, Sở Giáo dục và Đào tạo"),
        "{}",
        t.partners
    );
    assert_eq!(t.window.unwrap().from.to_string(), "2024-07-01");
    assert_eq!(pairs(&plan.tasks[1]), vec![(1, Per::Quarter)]);
    assert_eq!(plan.tasks[2].lead, "UBND các huyện, thị xã, thành phố");
}

#[test]
fn summary_is_readable() {
    let plan = parse(BINH_SON.as_bytes(), "a.txt").unwrap();
    let s = kehoach_plan::summary(&plan);
    assert!(s.contains("Kế hoạch / Plan: Truyền thông về chuyển đổi số"));
    assert!(s.contains("Chủ trì / Lead: Phòng Nội vụ"));
    assert!(s.contains("Nhiệm vụ / Tasks: 9"));
}

#[test]
fn json_round_trips() {
    let plan = parse(BINH_SON.as_bytes(), "a.txt").unwrap();
    let json = serde_json::to_string_pretty(&plan).unwrap();
    assert!(json.contains("\"schema\": \"kehoach.plan/1\"") && json.contains("\"ref\": \"II.1\""));
    let back: Plan = serde_json::from_str(&json).unwrap();
    assert_eq!(back, plan);
}

/// A hostile document (tens of thousands of numbered items, each with a lead line) is answered
/// quickly with an error naming the problem, not with megabyte-long unit texts.
#[test]
fn runaway_structure_is_bounded() {
    let text: String = (1..=20_000)
        .map(|i| {
            format!("{i}. Nhiệm vụ {i} tổ chức 02 lớp\nĐơn vị chủ trì: UBND các huyện, thị xã\n")
        })
        .collect();
    let err = parse(text.as_bytes(), "hostile.txt")
        .unwrap_err()
        .to_string();
    assert!(err.contains("is the document's structure broken?"), "{err}");
    assert_eq!(err.lines().count(), 1);
}
