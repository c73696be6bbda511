//! Every word the pages show, once per language. Vietnamese is the default; English is chosen with
//! `?lang=en` or the language cookie (set by `/lang`).

use kehoach_core::compliance::{DeadlineState, PeriodStatus};
use kehoach_core::period::Per;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Vi,
    En,
}

impl Lang {
    pub fn parse(code: &str) -> Option<Lang> {
        match code {
            "vi" => Some(Lang::Vi),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    pub fn strings(self) -> &'static Strings {
        match self {
            Lang::Vi => &VI,
            Lang::En => &EN,
        }
    }
}

pub struct Strings {
    pub app: &'static str,
    pub other_lang: &'static str,
    pub other_lang_code: &'static str,
    pub sign_in: &'static str,
    pub sign_out: &'static str,
    pub username: &'static str,
    pub password: &'static str,
    pub bad_credentials: &'static str,
    pub too_many_attempts: &'static str,
    pub demo_accounts: &'static str,
    pub demo_password: &'static str,
    pub nav_plans: &'static str,
    pub nav_my_work: &'static str,
    pub nav_deadlines: &'static str,
    pub nav_search: &'static str,
    pub plans: &'static str,
    pub no_plans: &'static str,
    pub import_plan: &'static str,
    pub import_hint: &'static str,
    pub upload: &'static str,
    pub context_hint: &'static str,
    pub preview: &'static str,
    pub unresolved: &'static str,
    pub none_unresolved: &'static str,
    pub import_warnings: &'static str,
    pub repaired_automatically: &'static str,
    pub fix: &'static str,
    pub choose_unit: &'static str,
    pub search_unit: &'static str,
    pub find: &'static str,
    pub use_unit: &'static str,
    pub new_unit: &'static str,
    pub new_unit_name: &'static str,
    pub parent_unit: &'static str,
    pub create_unit: &'static str,
    pub confirm_import: &'static str,
    pub fixed_as: &'static str,
    pub number: &'static str,
    pub issued: &'static str,
    pub period: &'static str,
    pub tasks: &'static str,
    pub task: &'static str,
    pub lead: &'static str,
    pub partners: &'static str,
    pub targets: &'static str,
    pub progress: &'static str,
    pub statuses: &'static str,
    pub deadline_states: &'static str,
    pub due: &'static str,
    pub unit: &'static str,
    pub all_units: &'static str,
    pub status: &'static str,
    pub all_statuses: &'static str,
    pub filter: &'static str,
    pub heatmap: &'static str,
    pub by_week: &'static str,
    pub by_month: &'static str,
    pub rows_capped: &'static str,
    pub assignments: &'static str,
    pub activities: &'static str,
    pub no_activities: &'static str,
    /// Before "N" when a list shows only the latest N of its activities.
    pub latest_only: &'static str,
    pub last_activity: &'static str,
    pub reporting_rate: &'static str,
    pub as_of: &'static str,
    pub my_work: &'static str,
    pub due_this_week: &'static str,
    pub nothing_due: &'static str,
    pub log_activity: &'static str,
    pub date: &'static str,
    pub title: &'static str,
    pub link: &'static str,
    pub photo_or_file: &'static str,
    pub take_photo: &'static str,
    pub attendance: &'static str,
    pub completes: &'static str,
    pub save: &'static str,
    pub saved: &'static str,
    pub logged: &'static str,
    pub no_assignments: &'static str,
    pub deadlines: &'static str,
    pub overdue: &'static str,
    pub next_14_days: &'static str,
    pub nothing: &'static str,
    pub search: &'static str,
    pub search_hint: &'static str,
    pub units: &'static str,
    pub no_results: &'static str,
    pub evidence: &'static str,
    pub error: &'static str,
    pub back: &'static str,
    pub not_signed_in_unit: &'static str,
    pub legend: &'static str,
}

pub static VI: Strings = Strings {
    app: "Kế hoạch truyền thông chuyển đổi số",
    other_lang: "English",
    other_lang_code: "en",
    sign_in: "Đăng nhập",
    sign_out: "Đăng xuất",
    username: "Tên đăng nhập",
    password: "Mật khẩu",
    bad_credentials: "Tên đăng nhập hoặc mật khẩu không đúng.",
    too_many_attempts: "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau 15 phút.",
    demo_accounts: "Tài khoản dùng thử",
    demo_password: "mật khẩu",
    nav_plans: "Kế hoạch",
    nav_my_work: "Việc của tôi",
    nav_deadlines: "Thời hạn",
    nav_search: "Tìm kiếm",
    plans: "Các kế hoạch",
    no_plans: "Chưa có kế hoạch nào.",
    import_plan: "Nhập kế hoạch",
    import_hint: "Tải lên văn bản kế hoạch (.docx, .pdf, .txt, .md) để xem các nhiệm vụ trích xuất được.",
    upload: "Tải lên",
    context_hint: "Địa bàn ban hành (không bắt buộc, ví dụ: Quảng Nam)",
    preview: "Xem trước",
    unresolved: "Đơn vị chưa xác định",
    none_unresolved: "Mọi đơn vị đều đã xác định.",
    import_warnings: "Ký tự lỗi trong văn bản",
    repaired_automatically: "Đã tự động sửa",
    fix: "Sửa",
    choose_unit: "Chọn đơn vị",
    search_unit: "Tìm đơn vị",
    find: "Tìm",
    use_unit: "Dùng đơn vị này",
    new_unit: "Hoặc tạo đơn vị mới",
    new_unit_name: "Tên đơn vị mới",
    parent_unit: "Thuộc đơn vị",
    create_unit: "Tạo và dùng",
    confirm_import: "Xác nhận nhập kế hoạch",
    fixed_as: "đã gán cho",
    number: "Số",
    issued: "Ngày ban hành",
    period: "Thời gian",
    tasks: "Nhiệm vụ",
    task: "Nhiệm vụ",
    lead: "Chủ trì",
    partners: "Phối hợp",
    targets: "Chỉ tiêu",
    progress: "Tiến độ",
    statuses: "Kỳ báo cáo",
    deadline_states: "Thời hạn",
    due: "Hạn",
    unit: "Đơn vị",
    all_units: "Tất cả đơn vị",
    status: "Trạng thái",
    all_statuses: "Mọi trạng thái",
    filter: "Lọc",
    heatmap: "Bản đồ nhiệt",
    by_week: "Theo tuần",
    by_month: "Theo tháng",
    rows_capped: "Chỉ hiển thị một phần đơn vị; hãy lọc theo đơn vị.",
    assignments: "Đơn vị được giao",
    activities: "Hoạt động",
    no_activities: "Chưa có hoạt động.",
    latest_only: "Chỉ hiển thị các hoạt động gần nhất:",
    last_activity: "Hoạt động gần nhất",
    reporting_rate: "Tỷ lệ đạt",
    as_of: "Tính đến",
    my_work: "Việc của tôi",
    due_this_week: "Cần làm trong tuần này",
    nothing_due: "Không có việc đến hạn.",
    log_activity: "Ghi nhận hoạt động",
    date: "Ngày",
    title: "Tiêu đề",
    link: "Đường dẫn",
    photo_or_file: "Ảnh hoặc tệp minh chứng",
    take_photo: "Chụp ảnh",
    attendance: "Số người tham dự",
    completes: "Hoàn thành nhiệm vụ",
    save: "Lưu",
    saved: "Đã lưu hoạt động.",
    logged: "Đã ghi nhận",
    no_assignments: "Đơn vị của bạn chưa được giao nhiệm vụ nào.",
    deadlines: "Thời hạn",
    overdue: "Quá hạn",
    next_14_days: "Đến hạn trong 14 ngày tới",
    nothing: "Không có.",
    search: "Tìm kiếm",
    search_hint: "Kế hoạch, nhiệm vụ, đơn vị (gõ không dấu cũng được)",
    units: "Đơn vị",
    no_results: "Không tìm thấy kết quả.",
    evidence: "Minh chứng",
    error: "Lỗi",
    back: "Quay lại",
    not_signed_in_unit: "Tài khoản chưa gắn với đơn vị nào.",
    legend: "Chú giải",
};

pub static EN: Strings = Strings {
    app: "Digital transformation communication plans",
    other_lang: "Tiếng Việt",
    other_lang_code: "vi",
    sign_in: "Sign in",
    sign_out: "Sign out",
    username: "Username",
    password: "Password",
    bad_credentials: "Wrong username or password.",
    too_many_attempts: "Too many failed sign-ins. Try again in 15 minutes.",
    demo_accounts: "Demo accounts",
    demo_password: "password",
    nav_plans: "Plans",
    nav_my_work: "My work",
    nav_deadlines: "Deadlines",
    nav_search: "Search",
    plans: "Plans",
    no_plans: "No plans yet.",
    import_plan: "Import a plan",
    import_hint: "Upload the plan document (.docx, .pdf, .txt, .md) to preview the tasks found in it.",
    upload: "Upload",
    context_hint: "Issuing place (optional, e.g. Quảng Nam)",
    preview: "Preview",
    unresolved: "Unresolved units",
    none_unresolved: "Every unit is resolved.",
    import_warnings: "Garbled characters in the document",
    repaired_automatically: "Repaired automatically",
    fix: "Fix",
    choose_unit: "Choose a unit",
    search_unit: "Search units",
    find: "Find",
    use_unit: "Use this unit",
    new_unit: "Or create a new unit",
    new_unit_name: "New unit's name",
    parent_unit: "Under",
    create_unit: "Create and use",
    confirm_import: "Confirm the import",
    fixed_as: "assigned to",
    number: "Number",
    issued: "Issued",
    period: "Period",
    tasks: "Tasks",
    task: "Task",
    lead: "Lead",
    partners: "Partners",
    targets: "Targets",
    progress: "Progress",
    statuses: "Periods",
    deadline_states: "Deadline",
    due: "Due",
    unit: "Unit",
    all_units: "All units",
    status: "Status",
    all_statuses: "Any status",
    filter: "Filter",
    heatmap: "Heatmap",
    by_week: "By week",
    by_month: "By month",
    rows_capped: "Only some units are shown; filter by unit.",
    assignments: "Assigned units",
    activities: "Activities",
    no_activities: "No activities yet.",
    latest_only: "Showing only the latest activities:",
    last_activity: "Last activity",
    reporting_rate: "Met rate",
    as_of: "As of",
    my_work: "My work",
    due_this_week: "Due this week",
    nothing_due: "Nothing due.",
    log_activity: "Log an activity",
    date: "Date",
    title: "Title",
    link: "Link",
    photo_or_file: "Photo or evidence file",
    take_photo: "Take a photo",
    attendance: "Attendance",
    completes: "Completes the task",
    save: "Save",
    saved: "Activity saved.",
    logged: "Logged",
    no_assignments: "Your unit has no assignments.",
    deadlines: "Deadlines",
    overdue: "Overdue",
    next_14_days: "Due in the next 14 days",
    nothing: "Nothing.",
    search: "Search",
    search_hint: "Plans, tasks, units (diacritics optional)",
    units: "Units",
    no_results: "Nothing found.",
    evidence: "Evidence",
    error: "Error",
    back: "Back",
    not_signed_in_unit: "Your account has no unit.",
    legend: "Legend",
};

/// A period status's name.
pub fn status_name(lang: Lang, status: PeriodStatus) -> &'static str {
    match (lang, status) {
        (Lang::Vi, PeriodStatus::Met) => "Đạt",
        (Lang::Vi, PeriodStatus::Partial) => "Đạt một phần",
        (Lang::Vi, PeriodStatus::Missed) => "Không đạt",
        (Lang::Vi, PeriodStatus::Open) => "Đang diễn ra",
        (Lang::Vi, PeriodStatus::Future) => "Chưa đến",
        (Lang::En, PeriodStatus::Met) => "Met",
        (Lang::En, PeriodStatus::Partial) => "Partial",
        (Lang::En, PeriodStatus::Missed) => "Missed",
        (Lang::En, PeriodStatus::Open) => "Open",
        (Lang::En, PeriodStatus::Future) => "Future",
    }
}

/// The four official deadline states' names (Vietnamese as in the reporting forms).
pub fn deadline_name(lang: Lang, state: DeadlineState) -> &'static str {
    match (lang, state) {
        (Lang::Vi, DeadlineState::DoneOnTime) => "Hoàn thành đúng hạn",
        (Lang::Vi, DeadlineState::DoneLate) => "Hoàn thành quá hạn",
        (Lang::Vi, DeadlineState::NotDoneWithinDeadline) => "Chưa hoàn thành, trong hạn",
        (Lang::Vi, DeadlineState::NotDoneOverdue) => "Chưa hoàn thành, quá hạn",
        (Lang::En, DeadlineState::DoneOnTime) => "Done on time",
        (Lang::En, DeadlineState::DoneLate) => "Done late",
        (Lang::En, DeadlineState::NotDoneWithinDeadline) => "Not done, within deadline",
        (Lang::En, DeadlineState::NotDoneOverdue) => "Not done, overdue",
    }
}

/// "tuần" / "week".
pub fn per_name(lang: Lang, per: Per) -> &'static str {
    match lang {
        Lang::Vi => per.vi(),
        Lang::En => per.as_str(),
    }
}

/// "lead"/"partner" and "vague"/"unknown" of an unresolved unit text, in words.
/// One line of the import preview about a garbled character the importer repaired or left.
pub fn warning_text(lang: Lang, w: &kehoach_plan::Warning) -> String {
    use kehoach_plan::Warning;
    let mark = |c: char| match (lang, c) {
        (Lang::Vi, '–') => "dấu gạch ngang (–)".to_string(),
        (Lang::Vi, '“') => "dấu ngoặc kép mở (“)".to_string(),
        (Lang::Vi, '”') => "dấu ngoặc kép đóng (”)".to_string(),
        (Lang::En, '–') => "an en dash (–)".to_string(),
        (Lang::En, '“') => "an opening quotation mark (“)".to_string(),
        (Lang::En, '”') => "a closing quotation mark (”)".to_string(),
        (_, c) => format!("“{c}”"),
    };
    match (lang, w) {
        (
            Lang::Vi,
            Warning::Repaired {
                replacement,
                excerpt,
            },
        ) => {
            format!("Đã sửa ký tự lỗi thành {}: «{excerpt}»", mark(*replacement))
        }
        (
            Lang::En,
            Warning::Repaired {
                replacement,
                excerpt,
            },
        ) => {
            format!(
                "Garbled character repaired as {}: «{excerpt}»",
                mark(*replacement)
            )
        }
        (Lang::Vi, Warning::Garbled { excerpt }) => {
            format!("Ký tự lỗi (�) chưa sửa được, hãy kiểm tra: «{excerpt}»")
        }
        (Lang::En, Warning::Garbled { excerpt }) => {
            format!("Garbled character (�) left as is, please check: «{excerpt}»")
        }
        (Lang::Vi, Warning::More { count }) => format!("… và {count} chỗ khác"),
        (Lang::En, Warning::More { count }) => format!("… and {count} more"),
    }
}

pub fn unresolved_words(lang: Lang, role: &str, reason: &str) -> (&'static str, &'static str) {
    let role = match (lang, role) {
        (Lang::Vi, "lead") => "chủ trì",
        (Lang::Vi, _) => "phối hợp",
        (Lang::En, "lead") => "lead",
        (Lang::En, _) => "partner",
    };
    let reason = match (lang, reason) {
        (Lang::Vi, "vague") => "chung chung",
        (Lang::Vi, _) => "không có trong danh mục",
        (Lang::En, "vague") => "vague",
        (Lang::En, _) => "not in the registry",
    };
    (role, reason)
}
