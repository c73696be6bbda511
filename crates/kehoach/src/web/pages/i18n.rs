//! Every word the pages show, once per language. Vietnamese is the default; English is chosen with
//! `?lang=en` or the language cookie (set by `/lang`).

use chrono::Datelike;
use kehoach_core::compliance::{DeadlineState, PeriodStatus};
use kehoach_core::period::{Per, Period};

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

#[derive(Debug)]
pub struct Strings {
    pub app: &'static str,
    pub other_lang: &'static str,
    pub other_lang_code: &'static str,
    pub sign_in: &'static str,
    pub sign_out: &'static str,
    pub username: &'static str,
    pub password: &'static str,
    pub bad_credentials: &'static str,
    /// Followed by the number of seconds to wait and [`Strings::seconds`].
    pub too_many_attempts: &'static str,
    pub seconds: &'static str,
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
    // Accounts (pages/account.rs, pages/users.rs).
    pub account: &'static str,
    pub change_password: &'static str,
    pub must_change_notice: &'static str,
    pub current_password: &'static str,
    pub new_password: &'static str,
    pub repeat_password: &'static str,
    pub password_help: &'static str,
    pub password_changed: &'static str,
    pub pw_too_short: &'static str,
    pub pw_too_long: &'static str,
    pub pw_contains_name: &'static str,
    pub pw_common: &'static str,
    pub pw_mismatch: &'static str,
    pub pw_wrong_current: &'static str,
    pub api_tokens: &'static str,
    pub revoke: &'static str,
    pub revoked: &'static str,
    pub other_sessions: &'static str,
    pub end_other_sessions: &'static str,
    pub sessions_ended: &'static str,
    pub token_revoked: &'static str,
    pub users: &'static str,
    pub create_user: &'static str,
    pub display_name: &'static str,
    pub unit_code: &'static str,
    pub role: &'static str,
    pub one_time_password: &'static str,
    pub reset_password: &'static str,
    pub disable: &'static str,
    pub enable: &'static str,
    pub disabled: &'static str,
    pub none_yet: &'static str,
    pub user_saved: &'static str,
    pub role_admin: &'static str,
    pub role_plan_office: &'static str,
    pub role_reporter: &'static str,
    pub role_finance: &'static str,
    pub role_viewer: &'static str,
    pub back: &'static str,
    pub not_signed_in_unit: &'static str,
    pub legend: &'static str,
    pub task_not_in_plan: &'static str,
    pub bad_year: &'static str,
    pub view: &'static str,
    pub pages: &'static str,
    pub heatmap_empty: &'static str,
    pub heatmap_coarser: &'static str,
    pub by_quarter: &'static str,
    pub by_year: &'static str,
    pub menu: &'static str,
    pub home: &'static str,
    pub csrf_stale: &'static str,
    pub context_label: &'static str,
    pub plan_file: &'static str,
    pub plan_file_hint: &'static str,
    pub file_chosen: &'static str,
    pub file_keep_hint: &'static str,
    pub choose_candidate: &'static str,
    pub import_file_required: &'static str,
    pub import_file_gone: &'static str,
    pub import_too_large: &'static str,
    pub form_unreadable: &'static str,
    pub assignment_required: &'static str,
    pub import_not_yours: &'static str,
    pub import_gone: &'static str,
    pub fix_gone: &'static str,
    pub fix_no_unit: &'static str,
    pub new_unit_name_required: &'static str,
    pub unit_code_taken: &'static str,
    pub no_units_found: &'static str,
    pub rate_of: &'static str,
    pub heatmap_no_cells: &'static str,
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
    too_many_attempts: "Đăng nhập sai nhiều lần từ địa chỉ này. Vui lòng thử lại sau",
    seconds: "giây",
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
    context_hint: "Không bắt buộc khi văn bản ghi rõ cơ quan ban hành. Ví dụ: Quảng Nam, Tam Kỳ.",
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
    account: "Tài khoản",
    change_password: "Đổi mật khẩu",
    must_change_notice: "Bạn đăng nhập bằng mật khẩu một lần: hãy đặt mật khẩu mới để tiếp tục.",
    current_password: "Mật khẩu hiện tại",
    new_password: "Mật khẩu mới",
    repeat_password: "Nhập lại mật khẩu mới",
    password_help: "Ít nhất 10 ký tự, không phải tên đăng nhập, không phải mật khẩu phổ biến.",
    password_changed: "Đã đổi mật khẩu; các phiên đăng nhập khác đã kết thúc.",
    pw_too_short: "Mật khẩu mới quá ngắn (ít nhất 10 ký tự).",
    pw_too_long: "Mật khẩu mới quá dài (nhiều nhất 200 ký tự).",
    pw_contains_name: "Mật khẩu mới không được chứa tên đăng nhập.",
    pw_common: "Mật khẩu mới quá phổ biến, dễ bị đoán.",
    pw_mismatch: "Hai lần nhập mật khẩu mới không khớp.",
    pw_wrong_current: "Mật khẩu hiện tại không đúng.",
    api_tokens: "Khóa API",
    revoke: "Thu hồi",
    revoked: "đã thu hồi",
    other_sessions: "Phiên đăng nhập khác",
    end_other_sessions: "Đăng xuất các phiên khác",
    sessions_ended: "Các phiên khác đã kết thúc.",
    token_revoked: "Đã thu hồi khóa API.",
    users: "Người dùng",
    create_user: "Tạo người dùng",
    display_name: "Tên hiển thị",
    unit_code: "Mã đơn vị",
    role: "Vai trò",
    one_time_password: "Mật khẩu một lần (chỉ hiện lần này; người dùng phải đổi khi đăng nhập):",
    reset_password: "Cấp lại mật khẩu",
    disable: "Khóa",
    enable: "Mở khóa",
    disabled: "đã khóa",
    none_yet: "Chưa có.",
    user_saved: "Đã lưu.",
    role_admin: "Quản trị hệ thống",
    role_plan_office: "Cơ quan chủ trì kế hoạch",
    role_reporter: "Đơn vị báo cáo",
    role_finance: "Tài chính",
    role_viewer: "Chỉ xem",
    back: "Quay lại",
    not_signed_in_unit: "Tài khoản chưa gắn với đơn vị nào.",
    legend: "Chú giải",
    task_not_in_plan: "Nhiệm vụ này không thuộc kế hoạch đang xem. Hãy mở bản đồ nhiệt từ trang của kế hoạch.",
    bad_year: "Năm không hợp lệ: hãy chọn một năm trong thời gian của kế hoạch.",
    view: "Cách xem",
    pages: "Trang",
    heatmap_empty: "Không có đơn vị nào được giao nhiệm vụ này mà bạn được xem.",
    heatmap_coarser: "Một số chỉ tiêu tính theo kỳ dài hơn (quý, năm): chọn cách xem tương ứng để thấy các kỳ đó.",
    by_quarter: "Theo quý",
    by_year: "Theo năm",
    menu: "Trình đơn chính",
    home: "Về trang đầu",
    csrf_stale: "Biểu mẫu đã cũ (phiên làm việc đã thay đổi). Hãy tải lại trang rồi gửi lại.",
    context_label: "Địa bàn ban hành",
    plan_file: "Tệp kế hoạch",
    plan_file_hint: ".docx, .pdf, .txt hoặc .md, tối đa 20 MB",
    file_chosen: "Tệp đã chọn",
    file_keep_hint: "Không cần chọn lại; chọn tệp khác nếu muốn thay.",
    choose_candidate: "Có nhiều đơn vị trùng tên: bấm chọn đúng đơn vị ban hành.",
    import_file_required: "Tệp kế hoạch: chưa chọn tệp. Hãy chọn văn bản kế hoạch (.docx, .pdf, .txt hoặc .md).",
    import_file_gone: "Tệp kế hoạch: tệp đã chọn lần trước không còn được giữ (quá 30 phút). Hãy chọn lại tệp.",
    import_too_large: "Tệp kế hoạch quá lớn: tối đa 20 MB.",
    form_unreadable: "Không đọc được biểu mẫu gửi lên. Hãy tải lại trang rồi gửi lại.",
    assignment_required: "Nhiệm vụ: hãy chọn nhiệm vụ cần ghi nhận.",
    import_not_yours: "Kế hoạch này do một đơn vị ngoài phạm vi của bạn ban hành: chỉ cơ quan chủ trì của đơn vị đó (hoặc cấp trên) được nhập. Hãy kiểm tra ô “Địa bàn ban hành”.",
    import_gone: "Bản xem trước này không còn (đã xác nhận, hoặc quá 2 giờ). Hãy tải văn bản lên lại.",
    fix_gone: "Đơn vị chưa xác định này không còn trong danh sách (có thể đã được sửa). Hãy tải lại trang xem trước.",
    fix_no_unit: "Đơn vị đã chọn không có trong danh mục. Hãy tìm và chọn lại.",
    new_unit_name_required: "Tên đơn vị mới: bắt buộc, tối đa 300 ký tự.",
    unit_code_taken: "Đã có đơn vị với mã này. Hãy tìm đơn vị đó trong danh mục và chọn nó.",
    no_units_found: "Không tìm thấy đơn vị nào. Hãy thử từ khóa ngắn hơn (ví dụ chỉ tên riêng), hoặc tạo đơn vị mới bên dưới.",
    rate_of: "Tỷ lệ đạt = số kỳ đạt ÷ số kỳ đã kết thúc",
    heatmap_no_cells: "Không có kỳ báo cáo nào ở cách xem này trong năm đã chọn: các chỉ tiêu tính theo kỳ dài hơn. Hãy chọn “Theo tháng”, “Theo quý” hoặc “Theo năm”.",
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
    too_many_attempts: "Too many failed sign-ins from this address. Try again in",
    seconds: "seconds",
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
    context_hint: "Optional when the document names its issuer. E.g. Quảng Nam, Tam Kỳ.",
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
    account: "Account",
    change_password: "Change password",
    must_change_notice: "You signed in with a one-time password: choose a new password to continue.",
    current_password: "Current password",
    new_password: "New password",
    repeat_password: "Repeat the new password",
    password_help: "At least 10 characters, not your user name, not a common password.",
    password_changed: "Password changed; your other sessions have ended.",
    pw_too_short: "The new password is too short (at least 10 characters).",
    pw_too_long: "The new password is too long (at most 200 characters).",
    pw_contains_name: "The new password must not contain your user name.",
    pw_common: "The new password is too common to be safe.",
    pw_mismatch: "The two new passwords differ.",
    pw_wrong_current: "The current password is wrong.",
    api_tokens: "API tokens",
    revoke: "Revoke",
    revoked: "revoked",
    other_sessions: "Other sessions",
    end_other_sessions: "Sign out the other sessions",
    sessions_ended: "The other sessions have ended.",
    token_revoked: "The API token is revoked.",
    users: "Users",
    create_user: "Create a user",
    display_name: "Display name",
    unit_code: "Unit code",
    role: "Role",
    one_time_password: "One-time password (shown only now; it must be changed at sign-in):",
    reset_password: "Reset password",
    disable: "Disable",
    enable: "Enable",
    disabled: "disabled",
    none_yet: "None yet.",
    user_saved: "Saved.",
    role_admin: "Administrator",
    role_plan_office: "Plan office",
    role_reporter: "Reporting unit",
    role_finance: "Finance",
    role_viewer: "Viewer",
    back: "Back",
    not_signed_in_unit: "Your account has no unit.",
    legend: "Legend",
    task_not_in_plan: "This task is not in the plan shown. Open the heatmap from the plan's page.",
    bad_year: "Invalid year: choose a year within the plan's period.",
    view: "View",
    pages: "Pages",
    heatmap_empty: "No unit you may see is assigned this.",
    heatmap_coarser: "Some targets recur less often (quarter, year): choose that view to see their periods.",
    by_quarter: "By quarter",
    by_year: "By year",
    menu: "Main menu",
    home: "Go to the start page",
    csrf_stale: "The form is out of date (your session changed). Reload the page and send it again.",
    context_label: "Issuing place",
    plan_file: "Plan document",
    plan_file_hint: ".docx, .pdf, .txt or .md, at most 20 MB",
    file_chosen: "File chosen",
    file_keep_hint: "No need to choose it again; choose another file to replace it.",
    choose_candidate: "Several units have this name: choose the issuing one.",
    import_file_required: "Plan document: no file chosen. Choose the plan document (.docx, .pdf, .txt or .md).",
    import_file_gone: "Plan document: the file chosen before is no longer held (over 30 minutes). Choose it again.",
    import_too_large: "The plan document is too large: at most 20 MB.",
    form_unreadable: "The form sent could not be read. Reload the page and send it again.",
    assignment_required: "Task: choose the task to log for.",
    import_not_yours: "This plan is issued by a unit outside yours: only the plan office of that unit (or above) may import it. Check “Issuing place”.",
    import_gone: "This preview is gone (confirmed, or over 2 hours old). Upload the document again.",
    fix_gone: "This unresolved unit is no longer listed (perhaps fixed already). Reload the preview.",
    fix_no_unit: "The unit chosen is not in the registry. Search and choose again.",
    new_unit_name_required: "New unit's name: required, at most 300 characters.",
    unit_code_taken: "A unit with that code exists. Search for it and choose it.",
    no_units_found: "No unit found. Try a shorter word (e.g. just the proper name), or create a new unit below.",
    rate_of: "Met rate = periods met ÷ periods ended",
    heatmap_no_cells: "No period in this view for the year chosen: the targets recur less often. Choose “By month”, “By quarter” or “By year”.",
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
        (Lang::Vi, "to_confirm") => "cần xác nhận đơn vị kế thừa",
        (Lang::En, "to_confirm") => "successor to confirm",
        (Lang::Vi, _) => "không có trong danh mục",
        (Lang::En, "vague") => "vague",
        (Lang::En, _) => "not in the registry",
    };
    (role, reason)
}

impl Lang {
    /// The words of the overview, the downloads, the deadlines and the unit picker.
    pub fn flows(self) -> &'static Flows {
        match self {
            Lang::Vi => &VI_FLOWS,
            Lang::En => &EN_FLOWS,
        }
    }
}

/// A period's name: "Tuần 45/2024", "Tháng 11/2024", "Quý 4/2024", "Năm 2024" (English: "Week
/// 45/2024", "11/2024", "Q4 2024", "2024"); a day as dd/mm/yyyy.
pub fn period_name(lang: Lang, period: &Period) -> String {
    let s = period.start;
    match (lang, period.kind()) {
        (_, Some(Per::Day)) => s.format("%d/%m/%Y").to_string(),
        (Lang::Vi, Some(Per::Week)) => {
            format!("Tuần {:02}/{}", s.iso_week().week(), s.iso_week().year())
        }
        (Lang::En, Some(Per::Week)) => {
            format!("Week {:02}/{}", s.iso_week().week(), s.iso_week().year())
        }
        (Lang::Vi, Some(Per::Month)) => format!("Tháng {:02}/{}", s.month(), s.year()),
        (Lang::En, Some(Per::Month)) => format!("{:02}/{}", s.month(), s.year()),
        (Lang::Vi, Some(Per::Quarter)) => format!("Quý {}/{}", s.month0() / 3 + 1, s.year()),
        (Lang::En, Some(Per::Quarter)) => format!("Q{} {}", s.month0() / 3 + 1, s.year()),
        (Lang::Vi, Some(Per::Year)) => format!("Năm {}", s.year()),
        (Lang::En, Some(Per::Year)) => s.year().to_string(),
        (_, Some(Per::Plan) | None) => {
            format!("{}–{}", s.format("%d/%m/%Y"), period.end.format("%d/%m/%Y"))
        }
    }
}

/// The words of the overview (`/overview`), the plan's downloads, `/deadlines` grouped by task,
/// the unit picker and the evidence previews.
#[derive(Debug)]
pub struct Flows {
    pub nav_overview: &'static str,
    pub overview: &'static str,
    /// "{pct} — {met} of {ended} ended periods met" is built from these three.
    pub of: &'static str,
    pub ended_periods_met: &'static str,
    pub no_ended_periods: &'static str,
    pub plans_in_scope: &'static str,
    pub units_behind: &'static str,
    pub units_behind_hint: &'static str,
    pub show_all_units: &'static str,
    pub show_worst: &'static str,
    pub rank: &'static str,
    pub ended: &'static str,
    pub met: &'static str,
    pub missed: &'static str,
    pub on_time_rate: &'static str,
    pub overdue_deliverables: &'static str,
    pub trend: &'static str,
    pub trend_hint: &'static str,
    pub month: &'static str,
    pub tasks_behind: &'static str,
    pub open_plan: &'static str,
    pub details: &'static str,
    pub own_part_only: &'static str,
    pub downloads: &'static str,
    pub downloads_hint: &'static str,
    pub report_docx: &'static str,
    pub compliance_xlsx: &'static str,
    pub activities_xlsx: &'static str,
    pub evidence_zip: &'static str,
    pub calendar: &'static str,
    pub calendar_hint: &'static str,
    pub calendar_make: &'static str,
    pub calendar_made: &'static str,
    pub calendar_replaced: &'static str,
    pub plan: &'static str,
    pub all_plans: &'static str,
    pub state: &'static str,
    pub all_open: &'static str,
    pub any_state: &'static str,
    pub worst_state: &'static str,
    pub units_count: &'static str,
    pub days_overdue: &'static str,
    pub more_units: &'static str,
    pub unit_search_hint: &'static str,
    pub pick: &'static str,
    pub clear: &'static str,
    pub no_unit_found: &'static str,
    pub older_overdue: &'static str,
    pub choose_other_task: &'static str,
    pub previous: &'static str,
    pub next: &'static str,
    pub file_kind: &'static str,
    // (G) web polish: numbers.
    /// Between thousands in counts: "11.880" / "11,880".
    pub thousands_sep: char,
}

pub static VI_FLOWS: Flows = Flows {
    nav_overview: "Tổng quan",
    overview: "Tổng quan",
    of: "trên",
    ended_periods_met: "kỳ đã kết thúc đạt chỉ tiêu",
    no_ended_periods: "Chưa có kỳ báo cáo nào kết thúc.",
    plans_in_scope: "Các kế hoạch",
    units_behind: "Đơn vị chậm nhất",
    units_behind_hint: "Xếp theo tỷ lệ đạt rồi tỷ lệ đúng hạn, thấp nhất trước; chỉ tính các kỳ định kỳ đã kết thúc.",
    show_all_units: "Xem tất cả đơn vị",
    show_worst: "Chỉ xem các đơn vị chậm nhất",
    rank: "#",
    ended: "Kỳ đã kết thúc",
    met: "Đạt",
    missed: "Không đạt",
    on_time_rate: "Tỷ lệ đúng hạn",
    overdue_deliverables: "Nhiệm vụ quá hạn",
    trend: "Diễn biến theo tháng",
    trend_hint: "Tỷ lệ đạt của các kỳ kết thúc trong tháng.",
    month: "Tháng",
    tasks_behind: "Nhiệm vụ chậm nhất",
    open_plan: "Mở kế hoạch",
    details: "Chi tiết",
    own_part_only: "Chỉ hiển thị phần việc của đơn vị bạn.",
    downloads: "Tải về",
    downloads_hint: "Báo cáo và bảng biểu của năm",
    report_docx: "Báo cáo (.docx)",
    compliance_xlsx: "Bảng theo dõi thực hiện (.xlsx)",
    activities_xlsx: "Danh sách hoạt động (.xlsx)",
    evidence_zip: "Bộ minh chứng (.zip)",
    calendar: "Lịch của đơn vị",
    calendar_hint: "Đăng ký liên kết này trong ứng dụng lịch để thấy các thời hạn của đơn vị. Tạo liên kết mới thì liên kết cũ ngừng hoạt động.",
    calendar_make: "Tạo liên kết lịch",
    calendar_made: "Liên kết lịch của đơn vị (chỉ hiện một lần, hãy sao chép ngay):",
    calendar_replaced: "Liên kết cũ (nếu có) đã ngừng hoạt động.",
    plan: "Kế hoạch",
    all_plans: "Tất cả kế hoạch",
    state: "Tình trạng",
    all_open: "Chưa hoàn thành",
    any_state: "Mọi tình trạng",
    worst_state: "Tình trạng xấu nhất",
    units_count: "đơn vị",
    days_overdue: "ngày quá hạn",
    more_units: "đơn vị khác: xem trang nhiệm vụ",
    unit_search_hint: "Gõ tên đơn vị (không dấu cũng được)",
    pick: "Chọn",
    clear: "Bỏ chọn",
    no_unit_found: "Không tìm thấy đơn vị nào khớp.",
    older_overdue: "việc quá hạn từ các năm trước: xem trang Thời hạn",
    choose_other_task: "Chọn việc khác",
    previous: "Trang trước",
    next: "Trang sau",
    file_kind: "Tệp",
    // (G) web polish: numbers.
    thousands_sep: '.',
};

pub static EN_FLOWS: Flows = Flows {
    nav_overview: "Overview",
    overview: "Overview",
    of: "of",
    ended_periods_met: "ended periods met",
    no_ended_periods: "No reporting period has ended yet.",
    plans_in_scope: "Plans",
    units_behind: "Units furthest behind",
    units_behind_hint: "Ranked by met rate, then on-time rate, lowest first; recurring periods that have ended only.",
    show_all_units: "Show every unit",
    show_worst: "Show only the units furthest behind",
    rank: "#",
    ended: "Ended periods",
    met: "Met",
    missed: "Missed",
    on_time_rate: "On-time rate",
    overdue_deliverables: "Overdue deliverables",
    trend: "Trend by month",
    trend_hint: "Met rate of the periods ending in the month.",
    month: "Month",
    tasks_behind: "Tasks furthest behind",
    open_plan: "Open the plan",
    details: "Details",
    own_part_only: "Only your unit's part is shown.",
    downloads: "Downloads",
    downloads_hint: "The year's report and tables",
    report_docx: "Report (.docx)",
    compliance_xlsx: "Compliance table (.xlsx)",
    activities_xlsx: "Activities (.xlsx)",
    evidence_zip: "Evidence pack (.zip)",
    calendar: "The unit's calendar",
    calendar_hint: "Subscribe to this link in a calendar app to see the unit's deadlines. Making a new link stops the old one.",
    calendar_make: "Make a calendar link",
    calendar_made: "The unit's calendar link (shown once: copy it now):",
    calendar_replaced: "The previous link, if any, no longer works.",
    plan: "Plan",
    all_plans: "All plans",
    state: "State",
    all_open: "Not done",
    any_state: "Any state",
    worst_state: "Worst state",
    units_count: "units",
    days_overdue: "days overdue",
    more_units: "more units: see the task's page",
    unit_search_hint: "Type a unit's name (diacritics optional)",
    pick: "Choose",
    clear: "Clear",
    no_unit_found: "No unit matches.",
    older_overdue: "overdue items from earlier years: see Deadlines",
    choose_other_task: "Choose another item",
    previous: "Previous",
    next: "Next",
    file_kind: "File",
    // (G) web polish: numbers.
    thousands_sep: ',',
};

/// A number as people write it: whole numbers without decimals, else one decimal.
pub fn number(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.1}")
    }
}

/// The text of a status cell: "Tuần 45/2024: Đạt một phần (1/2)" — the period, its status and
/// achieved/expected.
pub fn cell_text(
    lang: Lang,
    period: &Period,
    status: PeriodStatus,
    achieved: f64,
    expected: f64,
) -> String {
    format!(
        "{}: {} ({}/{})",
        period_name(lang, period),
        status_name(lang, status),
        number(achieved),
        number(expected)
    )
}

impl Strings {
    /// The heatmap's view switch: "Theo tuần", "Theo tháng", "Theo quý", "Theo năm".
    pub fn view_per(&self, per: Per) -> &'static str {
        match per {
            Per::Day | Per::Week => self.by_week,
            Per::Month => self.by_month,
            Per::Quarter => self.by_quarter,
            Per::Year | Per::Plan => self.by_year,
        }
    }
}

/// An error page's heading and advice for an HTTP status: what happened and what to do.
pub fn error_texts(lang: Lang, status: axum::http::StatusCode) -> (&'static str, &'static str) {
    match (lang, status.as_u16()) {
        (Lang::Vi, 400) => (
            "Yêu cầu không hợp lệ",
            "Hãy kiểm tra lại những gì đã nhập rồi gửi lại.",
        ),
        (Lang::En, 400) => (
            "Invalid request",
            "Check what you entered and send it again.",
        ),
        (Lang::Vi, 403) => (
            "Không có quyền",
            "Tài khoản của bạn không được làm việc này. Nếu cần, hãy liên hệ cơ quan chủ trì kế hoạch hoặc quản trị viên.",
        ),
        (Lang::En, 403) => (
            "Not allowed",
            "Your account may not do this. If you need to, ask the plan office or an administrator.",
        ),
        (Lang::Vi, 404) => (
            "Không tìm thấy",
            "Không có trang hoặc dữ liệu này, hoặc nó không thuộc phạm vi của đơn vị bạn. Hãy mở lại từ trình đơn phía trên.",
        ),
        (Lang::En, 404) => (
            "Not found",
            "This page or record does not exist, or is outside your unit. Open it again from the menu above.",
        ),
        (Lang::Vi, 405) => (
            "Thao tác không được hỗ trợ",
            "Trang này không nhận thao tác đó. Hãy mở trang từ trình đơn phía trên.",
        ),
        (Lang::En, 405) => (
            "Action not supported",
            "This page does not accept that action. Open it from the menu above.",
        ),
        (Lang::Vi, 408) => (
            "Quá thời gian chờ",
            "Yêu cầu mất quá lâu. Hãy thử lại; nếu gửi tệp, hãy chọn tệp nhỏ hơn.",
        ),
        (Lang::En, 408) => (
            "Timed out",
            "The request took too long. Try again; with a file, choose a smaller one.",
        ),
        (Lang::Vi, 409) => (
            "Dữ liệu đã tồn tại",
            "Đã có một bản ghi như vậy. Hãy kiểm tra lại danh sách trước khi tạo mới.",
        ),
        (Lang::En, 409) => (
            "Already exists",
            "Such a record exists already. Check the list before creating another.",
        ),
        (Lang::Vi, 413) => (
            "Tệp quá lớn",
            "Tệp hoặc biểu mẫu gửi lên vượt quá giới hạn. Hãy chọn tệp nhỏ hơn (ví dụ ảnh chụp với độ phân giải thấp hơn).",
        ),
        (Lang::En, 413) => (
            "File too large",
            "The file or form is over the limit. Choose a smaller file (e.g. a photo at a lower resolution).",
        ),
        (Lang::Vi, 415) => (
            "Loại tệp không được hỗ trợ",
            "Hãy gửi tệp ở định dạng được nêu cạnh ô chọn tệp.",
        ),
        (Lang::En, 415) => (
            "File type not supported",
            "Send a file in one of the formats named beside the file field.",
        ),
        (Lang::Vi, 429) => ("Thử quá nhiều lần", "Hãy chờ vài phút rồi thử lại."),
        (Lang::En, 429) => ("Too many attempts", "Wait a few minutes and try again."),
        (Lang::Vi, 400..=499) => (
            "Yêu cầu không được chấp nhận",
            "Hãy kiểm tra lại rồi thử lại.",
        ),
        (Lang::En, 400..=499) => ("Request refused", "Check and try again."),
        (Lang::Vi, _) => (
            "Lỗi hệ thống",
            "Máy chủ gặp lỗi; dữ liệu của bạn không bị thay đổi. Hãy thử lại sau ít phút; nếu vẫn lỗi, hãy báo quản trị viên.",
        ),
        (Lang::En, _) => (
            "Server error",
            "The server failed; nothing of yours was changed. Try again in a few minutes; if it persists, tell an administrator.",
        ),
    }
}

/// Why a plan document could not be imported, naming the field and what to do (never a command
/// line option: the page's field is "Địa bàn ban hành").
pub fn import_error(lang: Lang, file_name: &str, e: &crate::import::ImportError) -> String {
    use crate::import::ImportError;
    use kehoach_core::units::ContextError;
    use kehoach_plan::{ExtractError, PlanError, ReadError};
    let vi = lang == Lang::Vi;
    match e {
        ImportError::NoIssuer => if vi {
            "Văn bản không ghi cơ quan ban hành. Hãy nhập “Địa bàn ban hành” (tên tỉnh, huyện hoặc xã, ví dụ: Quảng Nam) rồi bấm Tải lên."
        } else {
            "The document does not name its issuer. Fill in “Issuing place” (a province, district or commune, e.g. Quảng Nam) and upload again."
        }
        .into(),
        ImportError::UnknownContext(ContextError::NotFound { text, .. }) => if vi {
            format!("Địa bàn ban hành: không tìm thấy đơn vị “{text}” trong danh mục. Hãy nhập tên tỉnh, huyện hoặc xã (ví dụ: Quảng Nam) rồi bấm Tải lên.")
        } else {
            format!("Issuing place: no unit named “{text}”. Enter a province, district or commune (e.g. Quảng Nam) and upload again.")
        },
        ImportError::UnknownContext(ContextError::Ambiguous { text, .. }) => if vi {
            format!("Địa bàn ban hành: “{text}” là tên của nhiều đơn vị. Hãy bấm chọn đúng đơn vị bên dưới.")
        } else {
            format!("Issuing place: “{text}” names several units. Choose the right one below.")
        },
        ImportError::Context(_) => if vi {
            "Địa bàn ban hành: đơn vị này không còn hiệu lực vào ngày ban hành kế hoạch. Hãy nhập đơn vị đúng vào thời điểm đó (ví dụ tên huyện trước sáp nhập)."
        } else {
            "Issuing place: this unit was not valid on the plan's date. Enter the unit of that time (e.g. the district before the merger)."
        }
        .into(),
        ImportError::Document(PlanError::Read(r)) => {
            let why = match (r, vi) {
                (ReadError::TooLarge { .. }, true) => "tệp quá lớn (tối đa 20 MB).",
                (ReadError::TooLarge { .. }, false) => "the file is too large (at most 20 MB).",
                (ReadError::UnsupportedExtension(_), true) => "chỉ nhận tệp .docx, .pdf, .txt hoặc .md (tệp .doc cũ: mở bằng Word và lưu lại dạng .docx).",
                (ReadError::UnsupportedExtension(_), false) => "only .docx, .pdf, .txt or .md files are read (an old .doc: open it in Word and save it as .docx).",
                (ReadError::PdfNoText { .. }, true) => "tệp PDF không có lớp chữ, có lẽ là bản quét: kehoach không nhận dạng chữ trong ảnh. Hãy tải lên bản .docx hoặc bản PDF xuất từ Word.",
                (ReadError::PdfNoText { .. }, false) => "the PDF has no text layer, probably a scan: kehoach does not read text in images. Upload the .docx, or a PDF exported from Word.",
                (ReadError::PdfEncrypted, true) => "tệp PDF được mã hóa (có mật khẩu). Hãy tải lên bản không mã hóa.",
                (ReadError::PdfEncrypted, false) => "the PDF is encrypted (password-protected). Upload an unencrypted copy.",
                (ReadError::PdfTooManyPages { .. }, true) => "tệp PDF có hơn 1.000 trang: đây không phải một văn bản kế hoạch.",
                (ReadError::PdfTooManyPages { .. }, false) => "the PDF has more than 1,000 pages: this is not a plan document.",
                (ReadError::Pdf(_) | ReadError::PdfTooManyObjects { .. } | ReadError::PdfUnpackedTooLarge { .. }, true) => "không đọc được tệp PDF này (tệp hỏng hoặc quá phức tạp). Hãy xuất lại PDF hoặc tải lên bản .docx.",
                (ReadError::Pdf(_) | ReadError::PdfTooManyObjects { .. } | ReadError::PdfUnpackedTooLarge { .. }, false) => "this PDF cannot be read (damaged or too complex). Export the PDF again or upload the .docx.",
                (ReadError::Empty, true) => "tệp rỗng.",
                (ReadError::Empty, false) => "the file is empty.",
                (_, true) => "không đọc được tệp .docx này (tệp hỏng hoặc không phải văn bản Word). Hãy mở bằng Word, lưu lại dạng .docx rồi tải lên lại.",
                (_, false) => "this .docx cannot be read (damaged, or not a Word document). Open it in Word, save it as .docx and upload again.",
            };
            if vi { format!("Tệp kế hoạch “{file_name}”: {why}") } else { format!("Plan document “{file_name}”: {why}") }
        }
        ImportError::Document(PlanError::Extract(x)) => {
            let why = match (x, vi) {
                (ExtractError::NoTasks, true) => "không tìm thấy nhiệm vụ nào có đơn vị chủ trì. Tệp này có phải văn bản kế hoạch không?".to_string(),
                (ExtractError::NoTasks, false) => "no task with a lead unit found. Is this a plan document?".to_string(),
                (ExtractError::TooManyTasks { count, max }, true) => format!("tìm thấy {count} nhiệm vụ, nhiều hơn mức tối đa {max}: cấu trúc văn bản có thể bị lỗi."),
                (ExtractError::TooManyTasks { count, max }, false) => format!("{count} tasks found, more than the {max} allowed: the document's structure may be broken."),
                (ExtractError::FieldTooLong { task, .. }, true) => format!("nhiệm vụ {task} có một đoạn quá dài: cấu trúc văn bản có thể bị lỗi."),
                (ExtractError::FieldTooLong { task, .. }, false) => format!("task {task} has an overlong part: the document's structure may be broken."),
            };
            if vi { format!("Tệp kế hoạch “{file_name}”: {why}") } else { format!("Plan document “{file_name}”: {why}") }
        }
        ImportError::Store(_) => if vi { "Lỗi hệ thống khi đọc danh mục đơn vị. Hãy thử lại." } else { "A server error occurred reading the units. Try again." }.into(),
    }
}

/// The problems of the activity form, one per field, naming the field as the form labels it and
/// what it accepts.
pub fn activity_errors(lang: Lang, errors: &[crate::activity_input::FieldError]) -> String {
    let mut fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
    fields.dedup();
    fields
        .into_iter()
        .map(|field| activity_field_error(lang, field))
        .collect::<Vec<_>>()
        .join(" ")
}

/// What to do about one field of the activity form, said next to it (and in the summary).
pub fn activity_field_error(lang: Lang, field: &str) -> &'static str {
    match (lang, field) {
        (Lang::Vi, "date") => {
            "Ngày: hãy chọn ngày diễn ra hoạt động (dd/mm/yyyy), không sau hôm nay."
        }
        (Lang::En, "date") => "Date: choose the day of the activity (dd/mm/yyyy), not after today.",
        (Lang::Vi, "title") => "Tiêu đề: bắt buộc, tối đa 500 ký tự.",
        (Lang::En, "title") => "Title: required, at most 500 characters.",
        (Lang::Vi, "urls") => {
            "Đường dẫn: phải là địa chỉ đầy đủ bắt đầu bằng http:// hoặc https://."
        }
        (Lang::En, "urls") => "Link: a full address starting with http:// or https://.",
        (Lang::Vi, "attendance") => "Số người tham dự: một số nguyên từ 0 trở lên.",
        (Lang::En, "attendance") => "Attendance: a whole number, 0 or more.",
        (Lang::Vi, "file") => "Ảnh hoặc tệp minh chứng: tối đa 10 tệp.",
        (Lang::En, "file") => "Photo or evidence file: at most 10 files.",
        (Lang::Vi, "quantity") => "Số lượng: một số lớn hơn 0.",
        (Lang::En, "quantity") => "Quantity: a number above 0.",
        (Lang::Vi, "completes") => "Hoàn thành nhiệm vụ: đánh dấu hoặc để trống.",
        (Lang::En, "completes") => "Completes the task: tick it or leave it empty.",
        (Lang::Vi, _) => "Biểu mẫu có ô không hợp lệ: hãy kiểm tra lại.",
        (Lang::En, _) => "A field of the form is not valid: check it.",
    }
}

/// A problem with an evidence file of the "Việc của tôi" form, said next to the file field.
pub(super) fn file_problem_text(
    lang: Lang,
    problem: &super::my_work::FileProblem,
    max_bytes: u64,
) -> String {
    use super::my_work::FileProblem;
    use crate::files::FileError;
    let vi = lang == Lang::Vi;
    let limit = if max_bytes >= 1024 * 1024 {
        format!("{} MB", max_bytes.div_ceil(1024 * 1024))
    } else {
        format!("{} KB", max_bytes.div_ceil(1024))
    };
    let why = match problem {
        FileProblem::Refused(FileError::TooLarge { name, .. }) => {
            if vi {
                format!(
                    "tệp “{name}” quá lớn (tối đa {limit}). Hãy chọn tệp nhỏ hơn hoặc chụp ảnh với độ phân giải thấp hơn."
                )
            } else {
                format!(
                    "“{name}” is too large (at most {limit}). Choose a smaller file or take the photo at a lower resolution."
                )
            }
        }
        FileProblem::Refused(FileError::Unsupported { name, .. }) => {
            if vi {
                format!(
                    "không nhận loại tệp của “{name}”. Hãy gửi ảnh (JPEG, PNG, GIF, WebP), PDF hoặc tệp Word, Excel, PowerPoint."
                )
            } else {
                format!(
                    "the type of “{name}” is not accepted. Send a photo (JPEG, PNG, GIF, WebP), a PDF or a Word, Excel or PowerPoint file."
                )
            }
        }
        FileProblem::Refused(FileError::Empty { name }) => {
            if vi {
                format!("tệp “{name}” rỗng. Hãy chọn lại tệp.")
            } else {
                format!("“{name}” is empty. Choose the file again.")
            }
        }
        FileProblem::Refused(_) => {
            if vi {
                "tên tệp không hợp lệ. Hãy đổi tên tệp rồi chọn lại.".to_string()
            } else {
                "the file name is not valid. Rename the file and choose it again.".to_string()
            }
        }
        FileProblem::TooMany => {
            if vi {
                format!("tối đa {} tệp.", crate::files::MAX_FILES_PER_ACTIVITY)
            } else {
                format!("at most {} files.", crate::files::MAX_FILES_PER_ACTIVITY)
            }
        }
        FileProblem::BodyTooLarge => {
            if vi {
                "các tệp gửi lên vượt quá giới hạn. Hãy chọn ít tệp hơn hoặc tệp nhỏ hơn."
                    .to_string()
            } else {
                "the files sent are over the limit. Choose fewer or smaller files.".to_string()
            }
        }
    };
    if vi {
        format!("Ảnh hoặc tệp minh chứng: {why}")
    } else {
        format!("Photo or evidence file: {why}")
    }
}

// Issue 18 (H): pages read from a replica.
/// The note on a page answered by a read replica: how current its figures are.
pub fn as_of_note(lang: Lang, at: &str) -> String {
    match lang {
        Lang::Vi => {
            format!("Số liệu tính đến {at} (bản sao chỉ đọc; thay đổi mới nhất có thể chưa hiện).")
        }
        Lang::En => {
            format!("Figures as of {at} (read-only copy; the latest changes may not show yet).")
        }
    }
}
// ---- Editing plans after import (issue 19, plan edits): the words of `pages/plan_edit.rs`. ----

/// The words of the task edit form, the plan's archive button and the refused edits.
#[derive(Debug)]
pub struct PlanEditWords {
    pub edit_task: &'static str,
    pub add_task: &'static str,
    pub reference: &'static str,
    pub title: &'static str,
    pub content: &'static str,
    pub window: &'static str,
    pub window_hint: &'static str,
    pub from: &'static str,
    pub to: &'static str,
    pub due: &'static str,
    pub due_hint: &'static str,
    pub targets: &'static str,
    pub targets_hint: &'static str,
    pub count: &'static str,
    pub per: &'static str,
    pub noun: &'static str,
    pub leads: &'static str,
    pub leads_hint: &'static str,
    pub partners: &'static str,
    pub add_by_code: &'static str,
    pub add_by_code_hint: &'static str,
    pub removed_leads: &'static str,
    pub removed_on: &'static str,
    pub save: &'static str,
    pub cancel: &'static str,
    pub remove_task: &'static str,
    pub remove_hint: &'static str,
    pub archive: &'static str,
    pub archive_hint: &'static str,
    pub archived: &'static str,
    pub archived_note: &'static str,
    pub stale: &'static str,
    pub no_targets: &'static str,
}

pub static VI_PLAN_EDIT: PlanEditWords = PlanEditWords {
    edit_task: "Sửa nhiệm vụ",
    add_task: "Thêm nhiệm vụ",
    reference: "Số thứ tự (mục)",
    title: "Tên nhiệm vụ",
    content: "Nội dung",
    window: "Thời gian thực hiện",
    window_hint: "Để trống cả hai ô nếu nhiệm vụ thực hiện suốt thời gian của kế hoạch.",
    from: "Từ ngày",
    to: "Đến ngày",
    due: "Thời hạn hoàn thành",
    due_hint: "Để trống nếu nhiệm vụ không có thời hạn.",
    targets: "Chỉ tiêu",
    targets_hint: "Mỗi dòng một chỉ tiêu: số lượng, theo kỳ nào, đơn vị tính. Để trống số lượng để bỏ chỉ tiêu.",
    count: "Số lượng",
    per: "Kỳ",
    noun: "Đơn vị tính",
    leads: "Đơn vị chủ trì",
    leads_hint: "Bỏ chọn để gỡ đơn vị: việc đã báo cáo của đơn vị vẫn được giữ và vẫn tính vào kết quả đã qua.",
    partners: "Đơn vị phối hợp",
    add_by_code: "Thêm đơn vị (mã)",
    add_by_code_hint: "Nhập mã đơn vị, cách nhau bằng dấu phẩy.",
    removed_leads: "Đơn vị đã gỡ",
    removed_on: "gỡ ngày",
    save: "Lưu thay đổi",
    cancel: "Hủy",
    remove_task: "Gỡ nhiệm vụ khỏi kế hoạch",
    remove_hint: "Nhiệm vụ được đóng từ hôm nay; việc đã báo cáo và kết quả đã qua vẫn được giữ.",
    archive: "Lưu trữ kế hoạch",
    archive_hint: "Kế hoạch lưu trữ chỉ để xem: không sửa được, không còn trong “Việc của tôi”, vẫn có trong báo cáo và tìm kiếm.",
    archived: "Lưu trữ",
    archived_note: "Kế hoạch đã lưu trữ ngày",
    stale: "Nhiệm vụ vừa được người khác sửa (mục đã đổi: {}). Dưới đây là nội dung mới nhất; hãy sửa lại rồi lưu.",
    no_targets: "Chưa có chỉ tiêu.",
};

pub static EN_PLAN_EDIT: PlanEditWords = PlanEditWords {
    edit_task: "Edit task",
    add_task: "Add a task",
    reference: "Number (item)",
    title: "Task title",
    content: "Content",
    window: "Period of the task",
    window_hint: "Leave both empty if the task runs over the whole plan.",
    from: "From",
    to: "To",
    due: "Deadline",
    due_hint: "Leave empty if the task has no deadline.",
    targets: "Targets",
    targets_hint: "One target per row: count, per which period, unit of measure. Empty the count to drop a target.",
    count: "Count",
    per: "Per",
    noun: "Unit of measure",
    leads: "Lead units",
    leads_hint: "Untick to remove a unit: what it reported is kept and still counts in past results.",
    partners: "Partner units",
    add_by_code: "Add units (code)",
    add_by_code_hint: "Unit codes, separated by commas.",
    removed_leads: "Removed units",
    removed_on: "removed on",
    save: "Save changes",
    cancel: "Cancel",
    remove_task: "Remove the task from the plan",
    remove_hint: "The task is closed from today; what was reported and past results are kept.",
    archive: "Archive the plan",
    archive_hint: "An archived plan is read-only: no edits, gone from “My work”, still in reports and search.",
    archived: "Archived",
    archived_note: "Plan archived on",
    stale: "Someone else just edited this task (changed: {}). The latest version is below; make your change again and save.",
    no_targets: "No targets yet.",
};

pub fn plan_edit_words(lang: Lang) -> &'static PlanEditWords {
    match lang {
        Lang::Vi => &VI_PLAN_EDIT,
        Lang::En => &EN_PLAN_EDIT,
    }
}

/// A field of an edit, as the form names it.
fn edit_field_name(lang: Lang, field: &str) -> String {
    let w = plan_edit_words(lang);
    let vi = lang == Lang::Vi;
    if let Some(rest) = field.strip_prefix("targets[") {
        let (index, part) = rest.split_once("].").unwrap_or((rest, ""));
        let n = index.trim_end_matches(']').parse::<usize>().unwrap_or(0) + 1;
        let part = match part {
            "count" => w.count,
            "per" => w.per,
            "noun" => w.noun,
            _ => "",
        };
        return if vi {
            format!("Chỉ tiêu {n} – {}", part.to_lowercase())
        } else {
            format!("Target {n} – {}", part.to_lowercase())
        };
    }
    match field {
        "ref" => w.reference.to_string(),
        "title" => w.title.to_string(),
        "content" => w.content.to_string(),
        "window" => w.window.to_string(),
        "due" => w.due.to_string(),
        "targets" | "target" => w.targets.to_string(),
        "leads" => w.leads.to_string(),
        "partners" => w.partners.to_string(),
        "period" if vi => "Thời gian của kế hoạch".into(),
        "period" => "The plan's period".into(),
        "task" if vi => "Nhiệm vụ".into(),
        "task" => "Task".into(),
        other => other.to_string(),
    }
}

/// A refused edit, in words: the field, then what is wrong and what to do.
pub fn edit_error_text(lang: Lang, e: &crate::plan_edit::EditError) -> String {
    use crate::plan_edit::Problem;
    let field = edit_field_name(lang, &e.field);
    let d = |date: &chrono::NaiveDate| date.format("%d/%m/%Y").to_string();
    let why = match (lang, &e.problem) {
        (Lang::En, p) => p.to_string(),
        (Lang::Vi, Problem::Empty) => "không được để trống.".into(),
        (Lang::Vi, Problem::TooLong(n)) => format!("dài quá {n} ký tự."),
        (Lang::Vi, Problem::TargetSyntax(t)) => format!("“{t}” không đúng dạng SỐ/KỲ/ĐƠN VỊ TÍNH."),
        (Lang::Vi, Problem::NotANumber(t)) => format!("“{t}” không phải là số."),
        (Lang::Vi, Problem::NotPositive) => "phải là số lớn hơn 0.".into(),
        (Lang::Vi, Problem::TooLarge(n)) => format!("tối đa {n}."),
        (Lang::Vi, Problem::UnknownPer(t)) => {
            format!("“{t}” không phải là kỳ: ngày, tuần, tháng, quý, năm hoặc cả kế hoạch.")
        }
        (Lang::Vi, Problem::NotADate(t)) => format!("“{t}” không phải là ngày hợp lệ."),
        (Lang::Vi, Problem::OutOfYears(t)) => format!("{t} phải trong khoảng năm 2000–2100."),
        (Lang::Vi, Problem::WindowSyntax(_) | Problem::OneEnd) => {
            "cần cả ngày bắt đầu và ngày kết thúc (hoặc để trống cả hai).".into()
        }
        (Lang::Vi, Problem::Reversed(a, b)) => {
            format!("ngày bắt đầu ({}) sau ngày kết thúc ({}).", d(a), d(b))
        }
        (Lang::Vi, Problem::BeforePlan(a, p)) => format!(
            "bắt đầu ({}) trước khi kế hoạch bắt đầu ({}): thời gian thực hiện phải nằm trong thời gian của kế hoạch.",
            d(a),
            d(p)
        ),
        (Lang::Vi, Problem::AfterPlan(a, p)) => format!(
            "kết thúc ({}) sau khi kế hoạch kết thúc ({}): thời gian thực hiện phải nằm trong thời gian của kế hoạch.",
            d(a),
            d(p)
        ),
        (Lang::Vi, Problem::TooMany(n)) => format!("nhiều hơn {n}."),
        (Lang::Vi, Problem::Removed(on)) => format!("đã được gỡ khỏi kế hoạch ngày {}.", d(on)),
        (Lang::Vi, Problem::TaskOutside(r)) => format!(
            "thời gian thực hiện của nhiệm vụ {r} sẽ nằm ngoài thời gian của kế hoạch; hãy sửa nhiệm vụ đó trước."
        ),
        (Lang::Vi, Problem::UnknownUnit(c)) => format!("không có đơn vị nào có mã “{c}”."),
        (Lang::Vi, Problem::OutsideScope(c)) => {
            format!("đơn vị {c} không thuộc phạm vi đơn vị của bạn.")
        }
    };
    format!("{field}: {why}")
}

// ---------------------------------------------------------------------------------------------
// The reporting chain (issue 20): report requests, drafts, submission, review, compilation.

#[derive(Debug)]
pub struct Reporting {
    pub reports: &'static str,
    pub requests: &'static str,
    pub no_requests: &'static str,
    pub new_request: &'static str,
    pub title: &'static str,
    pub due: &'static str,
    pub period: &'static str,
    pub period_hint: &'static str,
    pub calendar: &'static str,
    pub repeat: &'static str,
    pub units: &'static str,
    pub units_hint: &'static str,
    pub questions: &'static str,
    pub questions_hint: &'static str,
    pub create: &'static str,
    pub kind_deliverable: &'static str,
    pub kind_ad_hoc: &'static str,
    pub kind_recurring: &'static str,
    pub board: &'static str,
    pub unit: &'static str,
    pub state: &'static str,
    pub deadline_state: &'static str,
    pub submission: &'static str,
    pub open: &'static str,
    pub history: &'static str,
    pub st_not_started: &'static str,
    pub st_draft: &'static str,
    pub st_submitted_on_time: &'static str,
    pub st_submitted_late: &'static str,
    pub st_returned: &'static str,
    pub st_accepted: &'static str,
    pub st_overdue: &'static str,
    pub results: &'static str,
    pub shortcomings: &'static str,
    pub proposals: &'static str,
    pub answers: &'static str,
    pub sections_hint: &'static str,
    pub save: &'static str,
    pub saved: &'static str,
    pub stale: &'static str,
    pub their_version: &'static str,
    pub autosave_hint: &'static str,
    pub sent_up_to: &'static str,
    pub autosaved: &'static str,
    pub autosave_stale: &'static str,
    pub autosave_failed: &'static str,
    pub live_figures: &'static str,
    pub submitted_figures: &'static str,
    pub download_docx: &'static str,
    pub download_frozen: &'static str,
    pub submit: &'static str,
    pub number: &'static str,
    pub date: &'static str,
    pub signer: &'static str,
    pub scan: &'static str,
    pub frozen: &'static str,
    pub review: &'static str,
    pub accept: &'static str,
    pub give_back: &'static str,
    pub reason: &'static str,
    pub returned_because: &'static str,
    pub compiled: &'static str,
    pub compiled_hint: &'static str,
    pub targets: &'static str,
    pub met: &'static str,
    pub partly: &'static str,
    pub not_met: &'static str,
    pub deliverables: &'static str,
    pub my_reports: &'static str,
    pub period_from_to: &'static str,
    pub asked_units: &'static str,
    pub draft_of: &'static str,
    pub version: &'static str,
    pub not_asked: &'static str,
}

pub static VI_REPORTING: Reporting = Reporting {
    reports: "Báo cáo",
    requests: "Yêu cầu báo cáo",
    no_requests: "Chưa có yêu cầu báo cáo nào.",
    new_request: "Yêu cầu báo cáo mới",
    title: "Tên báo cáo",
    due: "Hạn gửi",
    period: "Kỳ báo cáo",
    period_hint: "Ví dụ 2024, 2024-H1, 2024-Q3, 2024-05; để trống: năm của hạn gửi. Số liệu chốt theo Nghị định 09/2019/NĐ-CP (tháng: từ ngày 15 tháng trước đến ngày 14).",
    calendar: "Tính theo kỳ dương lịch (không theo mốc chốt số liệu)",
    repeat: "Số kỳ (báo cáo định kỳ)",
    units: "Đơn vị được yêu cầu",
    units_hint: "Mã đơn vị, mỗi dòng một mã; để trống: các đơn vị chủ trì của kế hoạch.",
    questions: "Nội dung đề nghị trả lời",
    questions_hint: "Mỗi dòng một nội dung.",
    create: "Gửi yêu cầu",
    kind_deliverable: "Theo kế hoạch",
    kind_ad_hoc: "Đột xuất",
    kind_recurring: "Định kỳ",
    board: "Tình hình gửi báo cáo",
    unit: "Đơn vị",
    state: "Tình trạng",
    deadline_state: "Thời hạn",
    submission: "Văn bản",
    open: "Mở",
    history: "Các lần gửi trước",
    st_not_started: "Chưa soạn",
    st_draft: "Đang soạn",
    st_submitted_on_time: "Đã gửi đúng hạn",
    st_submitted_late: "Đã gửi trễ hạn",
    st_returned: "Bị trả lại",
    st_accepted: "Đã tiếp nhận",
    st_overdue: "Quá hạn, chưa gửi",
    results: "Kết quả nổi bật và đánh giá chung",
    shortcomings: "Tồn tại, hạn chế và nguyên nhân",
    proposals: "Đề xuất, kiến nghị",
    answers: "Trả lời nội dung đề nghị",
    sections_hint: "Văn bản thường: dòng trống ngăn đoạn; dòng bắt đầu bằng “- ” là một ý; bảng: các ô cách nhau bởi “|”. Số liệu do hệ thống tự tổng hợp.",
    save: "Lưu bản nháp",
    saved: "Đã lưu, phiên bản",
    stale: "Bản nháp vừa được người khác lưu trước. Nội dung bạn gõ vẫn còn trong các ô bên dưới; bản của họ ở cuối trang. Hãy đối chiếu rồi lưu lại.",
    their_version: "Bản đã lưu của người khác",
    sent_up_to: "Báo cáo tổng hợp này được gửi lên làm báo cáo của đơn vị theo yêu cầu của cấp trên:",
    autosave_hint: "Bản nháp tự động được lưu vài giây sau mỗi thay đổi.",
    autosaved: "Đã tự động lưu, phiên bản",
    autosave_stale: "Bản nháp vừa được người khác lưu trước. Nội dung bạn gõ vẫn còn trong các ô; bản của họ ở cuối trang. Tự động lưu đã dừng: hãy đối chiếu rồi bấm “Lưu bản nháp”.",
    autosave_failed: "Chưa lưu được bản nháp (mất kết nối hoặc phiên đăng nhập đã hết). Nội dung vẫn còn trong các ô; hãy bấm “Lưu bản nháp”.",
    live_figures: "Số liệu hiện tại (tự động từ dữ liệu của đơn vị)",
    submitted_figures: "Số liệu trong báo cáo đã gửi",
    download_docx: "Tải bản nháp (.docx)",
    download_frozen: "Tải báo cáo đã gửi (.docx)",
    submit: "Gửi báo cáo",
    number: "Số văn bản",
    date: "Ngày văn bản",
    signer: "Người ký",
    scan: "Bản có chữ ký (PDF, không bắt buộc)",
    frozen: "Báo cáo đã gửi; nội dung đã khóa.",
    review: "Xem xét báo cáo",
    accept: "Tiếp nhận",
    give_back: "Trả lại",
    reason: "Lý do trả lại",
    returned_because: "Bị trả lại vì",
    compiled: "Báo cáo tổng hợp",
    compiled_hint: "Báo cáo của cơ quan thường trực: số liệu toàn kế hoạch và nội dung các báo cáo đã tiếp nhận.",
    targets: "Chỉ tiêu",
    met: "đạt",
    partly: "đạt một phần",
    not_met: "không đạt",
    deliverables: "Nhiệm vụ có thời hạn",
    my_reports: "Báo cáo của đơn vị tôi",
    period_from_to: "Số liệu từ",
    asked_units: "đơn vị",
    draft_of: "Báo cáo của",
    version: "phiên bản",
    not_asked: "Đơn vị này không được yêu cầu báo cáo.",
};

pub static EN_REPORTING: Reporting = Reporting {
    reports: "Reports",
    requests: "Report requests",
    no_requests: "No report requests yet.",
    new_request: "New report request",
    title: "Report title",
    due: "Due",
    period: "Period",
    period_hint: "For example 2024, 2024-H1, 2024-Q3, 2024-05; empty: the due date's year. Data cut-off per Decree 09/2019/NĐ-CP (a month runs from the 15th of the month before to the 14th).",
    calendar: "Calendar periods (no data cut-off)",
    repeat: "Periods (recurring report)",
    units: "Units asked",
    units_hint: "Unit codes, one per line; empty: the plan's lead units.",
    questions: "Questions to answer",
    questions_hint: "One per line.",
    create: "Send the request",
    kind_deliverable: "In the plan",
    kind_ad_hoc: "Ad hoc",
    kind_recurring: "Recurring",
    board: "Who has reported",
    unit: "Unit",
    state: "State",
    deadline_state: "Deadline",
    submission: "Document",
    open: "Open",
    history: "Earlier submissions",
    st_not_started: "Not started",
    st_draft: "Drafting",
    st_submitted_on_time: "Submitted on time",
    st_submitted_late: "Submitted late",
    st_returned: "Returned",
    st_accepted: "Accepted",
    st_overdue: "Overdue, not submitted",
    results: "Highlights and overall assessment",
    shortcomings: "Shortcomings and causes",
    proposals: "Proposals",
    answers: "Answers to the questions asked",
    sections_hint: "Plain text: a blank line between paragraphs; a line starting with “- ” is a point; a table: cells separated by “|”. Figures are compiled automatically.",
    save: "Save draft",
    saved: "Saved, version",
    stale: "Someone else saved this draft first. What you typed is still in the boxes below; their version is at the end of the page. Compare, then save again.",
    their_version: "The other person's saved version",
    sent_up_to: "This compiled report goes up as the unit's report to the request above:",
    autosave_hint: "The draft saves itself a few seconds after each change.",
    autosaved: "Saved automatically, version",
    autosave_stale: "Someone else saved this draft first. What you typed is still in the boxes; their version is at the end of the page. Automatic saving has stopped: compare, then press “Save draft”.",
    autosave_failed: "The draft could not be saved (no connection, or the session ended). What you typed is still in the boxes; press “Save draft”.",
    live_figures: "Current figures (from the unit's own data)",
    submitted_figures: "Figures in the submitted report",
    download_docx: "Download the draft (.docx)",
    download_frozen: "Download the submitted report (.docx)",
    submit: "Submit the report",
    number: "Document number",
    date: "Document date",
    signer: "Signed by",
    scan: "Signed copy (PDF, optional)",
    frozen: "The report is submitted; its content is locked.",
    review: "Review",
    accept: "Accept",
    give_back: "Return",
    reason: "Reason for returning",
    returned_because: "Returned because",
    compiled: "Compiled report",
    compiled_hint: "The plan office's own report: the whole plan's figures and the accepted units' reports.",
    targets: "Targets",
    met: "met",
    partly: "partly met",
    not_met: "not met",
    deliverables: "Deliverables",
    my_reports: "My unit's reports",
    period_from_to: "Figures from",
    asked_units: "units",
    draft_of: "Report of",
    version: "version",
    not_asked: "This unit is not asked to report.",
};

impl Lang {
    pub fn reporting(self) -> &'static Reporting {
        match self {
            Lang::Vi => &VI_REPORTING,
            Lang::En => &EN_REPORTING,
        }
    }
}

impl Reporting {
    pub fn unit_state(&self, s: crate::reporting::state::UnitState) -> &'static str {
        use crate::reporting::state::UnitState::*;
        match s {
            NotStarted => self.st_not_started,
            Draft => self.st_draft,
            SubmittedOnTime => self.st_submitted_on_time,
            SubmittedLate => self.st_submitted_late,
            Returned => self.st_returned,
            Accepted => self.st_accepted,
            Overdue => self.st_overdue,
        }
    }

    pub fn kind(&self, kind: &str) -> &'static str {
        match kind {
            "deliverable" => self.kind_deliverable,
            "recurring" => self.kind_recurring,
            _ => self.kind_ad_hoc,
        }
    }
}

/// A refused step of the reporting chain, said to a person: the field named, what to do.
pub fn chain_error(lang: Lang, e: &crate::reporting::ChainError) -> String {
    use crate::reporting::ChainError;
    use crate::reporting::sections::{Field, SectionError};
    let vi = lang == Lang::Vi;
    let field = |f: Field| -> String {
        let r = lang.reporting();
        match f {
            Field::Results => r.results.into(),
            Field::Shortcomings => r.shortcomings.into(),
            Field::Proposals => r.proposals.into(),
            Field::Answer(n) => format!("{} {n}", r.answers),
            Field::Question(n) => format!("{} {n}", r.questions),
        }
    };
    match e {
        ChainError::Section(SectionError::TooLong { field: f, max }) => {
            if vi {
                format!("{}: dài quá {max} ký tự. Hãy rút gọn.", field(*f))
            } else {
                format!("{}: longer than {max} characters. Shorten it.", field(*f))
            }
        }
        ChainError::Section(SectionError::TooManyLines { field: f, max }) => {
            if vi {
                format!("{}: quá {max} dòng.", field(*f))
            } else {
                format!("{}: more than {max} lines.", field(*f))
            }
        }
        ChainError::Section(SectionError::TableTooLarge { field: f }) => {
            if vi {
                format!("{}: bảng quá lớn (tối đa 50 dòng, 10 cột).", field(*f))
            } else {
                format!(
                    "{}: the table is too large (at most 50 rows, 10 columns).",
                    field(*f)
                )
            }
        }
        ChainError::BadInput(m) if vi => {
            let (name, _) = m.split_once(':').unwrap_or((m.as_str(), ""));
            let what = match name {
                "title" => "Tên báo cáo",
                "due" => "Hạn gửi",
                "period" => "Kỳ báo cáo: nhập dạng 2024, 2024-H1, 2024-Q3 hoặc 2024-05",
                "unit" => "Đơn vị: không tìm thấy mã đơn vị, hoặc đơn vị không được yêu cầu",
                "number" => "Số văn bản: bắt buộc, tối đa 50 ký tự",
                "signer" => "Người ký: bắt buộc, tối đa 100 ký tự",
                "date" => "Ngày văn bản: không được sau ngày hôm nay",
                "scan" => "Bản có chữ ký: phải là tệp PDF",
                "reason" => "Lý do trả lại: bắt buộc",
                _ => "Dữ liệu không hợp lệ",
            };
            format!("{what}. ({m})")
        }
        ChainError::Conflict(_) if vi => {
            "Báo cáo đã được gửi hoặc đã được tiếp nhận; không thể thực hiện thao tác này.".into()
        }
        other => other.to_string(),
    }
}

// Budget cycle (issue 21): the budget page's words, in their own struct so the branch's changes
// stay in one block.

/// Every word of the budget page (`pages/budget.rs`, `templates/budget.html`).
#[derive(Debug)]
pub struct BudgetWords {
    pub title: &'static str,
    pub link: &'static str,
    pub stage: &'static str,
    pub stage_estimating: &'static str,
    pub stage_sent: &'static str,
    pub stage_approved: &'static str,
    pub deadline: &'static str,
    pub decision: &'static str,
    pub units: &'static str,
    pub unit: &'static str,
    pub task: &'static str,
    pub state: &'static str,
    pub state_none: &'static str,
    /// The folded list of the units that have not started their estimate, and its count's noun
    /// (one, several).
    pub not_started_units: &'static str,
    pub unit_one: &'static str,
    pub unit_many: &'static str,
    pub state_draft: &'static str,
    pub state_submitted: &'static str,
    pub state_returned: &'static str,
    pub version: &'static str,
    pub estimated: &'static str,
    pub proposed: &'static str,
    pub appraised: &'static str,
    pub approved: &'static str,
    pub spent: &'static str,
    pub left: &'static str,
    pub over: &'static str,
    pub total: &'static str,
    pub lines: &'static str,
    pub no_lines: &'static str,
    pub content: &'static str,
    pub measure: &'static str,
    pub quantity: &'static str,
    pub price: &'static str,
    pub amount: &'static str,
    pub source: &'static str,
    pub basis: &'static str,
    pub note: &'static str,
    pub source_tinh: &'static str,
    pub source_huyen: &'static str,
    pub source_xa: &'static str,
    pub source_khac: &'static str,
    pub add_line: &'static str,
    pub add_line_hint: &'static str,
    pub assignment: &'static str,
    pub submit: &'static str,
    pub return_: &'static str,
    pub reason: &'static str,
    pub returned_because: &'static str,
    pub propose: &'static str,
    pub appraise: &'static str,
    pub comment: &'static str,
    pub not_appraised: &'static str,
    pub send: &'static str,
    pub send_hint: &'static str,
    pub approve: &'static str,
    pub decision_number: &'static str,
    pub decision_date: &'static str,
    pub spending: &'static str,
    pub record_spending: &'static str,
    pub date: &'static str,
    pub voucher: &'static str,
    pub no_spending: &'static str,
    pub settlement: &'static str,
    pub settle: &'static str,
    pub accept: &'static str,
    pub settle_none: &'static str,
    pub settle_submitted: &'static str,
    pub settle_office: &'static str,
    pub settle_finance: &'static str,
    pub settle_accepted: &'static str,
    pub downloads: &'static str,
    pub workbook: &'static str,
    pub to_trinh: &'static str,
    pub saved: &'static str,
    pub over_warning: &'static str,
    pub amount_hint: &'static str,
    pub history: &'static str,
    pub not_submitted_yet: &'static str,
    pub no_assignment: &'static str,
}

pub static VI_BUDGET: BudgetWords = BudgetWords {
    title: "Kinh phí",
    link: "Kinh phí (dự toán, thẩm định, phân bổ)",
    stage: "Giai đoạn",
    stage_estimating: "Các đơn vị lập dự toán",
    stage_sent: "Đã gửi thẩm định",
    stage_approved: "Đã phê duyệt",
    deadline: "Hạn gửi dự toán",
    decision: "Quyết định phê duyệt",
    units: "Dự toán theo đơn vị",
    unit: "Đơn vị",
    task: "Nhiệm vụ",
    state: "Trạng thái",
    state_none: "Chưa lập",
    not_started_units: "Chưa lập dự toán",
    unit_one: "đơn vị",
    unit_many: "đơn vị",
    state_draft: "Đang lập",
    state_submitted: "Đã gửi",
    state_returned: "Bị trả lại",
    version: "Lần",
    estimated: "Dự toán",
    proposed: "Đề nghị",
    appraised: "Thẩm định",
    approved: "Phân bổ",
    spent: "Đã chi",
    left: "Còn lại",
    over: "Vượt",
    total: "Tổng cộng",
    lines: "Các dòng dự toán",
    no_lines: "Chưa có dòng dự toán nào.",
    content: "Nội dung chi",
    measure: "Đơn vị tính",
    quantity: "Số lượng",
    price: "Đơn giá (đồng)",
    amount: "Thành tiền",
    source: "Nguồn kinh phí",
    basis: "Căn cứ",
    note: "Ghi chú",
    source_tinh: "Ngân sách tỉnh",
    source_huyen: "Ngân sách huyện",
    source_xa: "Ngân sách xã",
    source_khac: "Nguồn hợp pháp khác",
    add_line: "Thêm dòng dự toán",
    add_line_hint: "Số tiền viết bằng đồng, dấu chấm ngăn cách hàng nghìn (ví dụ 1.500.000); không dùng dấu phẩy hay \"triệu\".",
    assignment: "Nhiệm vụ được giao",
    submit: "Gửi dự toán",
    return_: "Trả lại",
    reason: "Lý do",
    returned_because: "Bị trả lại",
    propose: "Điều chỉnh đề nghị",
    appraise: "Thẩm định",
    comment: "Ý kiến",
    not_appraised: "Chưa thẩm định",
    send: "Gửi Sở Tài chính thẩm định",
    send_hint: "Chỉ dự toán đã gửi được tổng hợp; đơn vị chưa gửi được ghi rõ trong Tờ trình.",
    approve: "Ghi nhận phê duyệt",
    decision_number: "Số quyết định",
    decision_date: "Ngày quyết định",
    spending: "Tình hình chi",
    record_spending: "Ghi khoản chi",
    date: "Ngày chi",
    voucher: "Số chứng từ",
    no_spending: "Chưa có khoản chi nào.",
    settlement: "Quyết toán",
    settle: "Gửi quyết toán",
    accept: "Chấp nhận quyết toán",
    settle_none: "Chưa gửi",
    settle_submitted: "Đã gửi, chờ chấp nhận",
    settle_office: "Cơ quan tổng hợp đã chấp nhận",
    settle_finance: "Cơ quan tài chính đã chấp nhận",
    settle_accepted: "Đã chấp nhận",
    downloads: "Tải về",
    workbook: "Bảng tính kinh phí (.xlsx)",
    to_trinh: "Tờ trình thẩm định (.docx)",
    saved: "Đã lưu.",
    over_warning: "Lưu ý: đã chi vượt kinh phí được phân bổ",
    amount_hint: "đồng",
    history: "Các lần trả lại",
    not_submitted_yet: "chưa gửi dự toán",
    no_assignment: "Đơn vị của bạn không có nhiệm vụ nào trong kế hoạch này.",
};

pub static EN_BUDGET: BudgetWords = BudgetWords {
    title: "Budget",
    link: "Budget (estimates, appraisal, allocations)",
    stage: "Stage",
    stage_estimating: "Units are estimating",
    stage_sent: "Sent for appraisal",
    stage_approved: "Approved",
    deadline: "Estimates due",
    decision: "Approval decision",
    units: "Estimates by unit",
    unit: "Unit",
    task: "Task",
    state: "State",
    state_none: "Not started",
    not_started_units: "No estimate yet",
    unit_one: "unit",
    unit_many: "units",
    state_draft: "Draft",
    state_submitted: "Submitted",
    state_returned: "Returned",
    version: "Version",
    estimated: "Estimated",
    proposed: "Proposed",
    appraised: "Appraised",
    approved: "Allocated",
    spent: "Spent",
    left: "Left",
    over: "Over",
    total: "Total",
    lines: "Estimate lines",
    no_lines: "No estimate lines yet.",
    content: "Expense",
    measure: "Measure",
    quantity: "Quantity",
    price: "Unit price (VND)",
    amount: "Amount",
    source: "Source of funds",
    basis: "Basis",
    note: "Note",
    source_tinh: "Provincial budget",
    source_huyen: "District budget",
    source_xa: "Commune budget",
    source_khac: "Other lawful sources",
    add_line: "Add an estimate line",
    add_line_hint: "Amounts in whole dong, dots between thousands (e.g. 1.500.000); no commas, no \"triệu\".",
    assignment: "Assigned task",
    submit: "Submit the estimate",
    return_: "Return",
    reason: "Reason",
    returned_because: "Returned",
    propose: "Adjust the proposal",
    appraise: "Appraise",
    comment: "Comment",
    not_appraised: "Not appraised",
    send: "Send to finance for appraisal",
    send_hint: "Only submitted estimates are consolidated; the Tờ trình names the units that have not submitted.",
    approve: "Record the approval",
    decision_number: "Decision number",
    decision_date: "Decision date",
    spending: "Spending",
    record_spending: "Record spending",
    date: "Date",
    voucher: "Voucher number",
    no_spending: "No spending recorded.",
    settlement: "Settlement",
    settle: "Submit the settlement",
    accept: "Accept the settlement",
    settle_none: "Not submitted",
    settle_submitted: "Submitted, awaiting acceptance",
    settle_office: "Accepted by the plan office",
    settle_finance: "Accepted by finance",
    settle_accepted: "Accepted",
    downloads: "Downloads",
    workbook: "Budget workbook (.xlsx)",
    to_trinh: "Submission to finance (.docx)",
    saved: "Saved.",
    over_warning: "Note: spending is over the allocation by",
    amount_hint: "VND",
    history: "Returned versions",
    not_submitted_yet: "has not submitted",
    no_assignment: "Your unit has no task in this plan.",
};

impl Lang {
    /// The budget page's words.
    pub fn budget(self) -> &'static BudgetWords {
        match self {
            Lang::Vi => &VI_BUDGET,
            Lang::En => &EN_BUDGET,
        }
    }
}

/// The plan page's link to the budget page, by language code.
pub fn budget_link(lang_code: &str) -> &'static str {
    Lang::parse(lang_code).unwrap_or(Lang::Vi).budget().link
}

// Plans that implement plans (issue 22): `/plans/{id}/cascade` and `/plans/{id}/carry`.

impl Lang {
    /// The words of the plan links, coverage and carry pages.
    pub fn cascade(self) -> &'static Cascade {
        match self {
            Lang::Vi => &VI_CASCADE,
            Lang::En => &EN_CASCADE,
        }
    }
}

#[derive(Debug)]
pub struct Cascade {
    pub open: &'static str,
    pub title: &'static str,
    pub parents: &'static str,
    pub no_parents: &'static str,
    pub proposed: &'static str,
    pub both_cite: &'static str,
    pub cites: &'static str,
    pub confirm_link: &'static str,
    pub link_other: &'static str,
    pub choose_plan: &'static str,
    pub link: &'static str,
    pub unlink: &'static str,
    pub children: &'static str,
    pub no_children: &'static str,
    pub units_owing: &'static str,
    pub units_owing_hint: &'static str,
    pub without_plan: &'static str,
    pub with_plan: &'static str,
    pub no_issue_task: &'static str,
    pub more: &'static str,
    pub done: &'static str,
    pub not_done: &'static str,
    pub coverage: &'static str,
    pub coverage_hint: &'static str,
    pub task: &'static str,
    pub child_tasks: &'static str,
    pub not_covered: &'static str,
    pub less_than_asked: &'static str,
    pub proposed_mark: &'static str,
    pub confirmed_mark: &'static str,
    pub leaves_out: &'static str,
    pub carries_out: &'static str,
    pub none_of_parent: &'static str,
    pub save: &'static str,
    pub carry: &'static str,
    pub carry_hint: &'static str,
    pub year: &'static str,
    pub see_draft: &'static str,
    pub draft_for: &'static str,
    pub kept: &'static str,
    pub replaced: &'static str,
    pub to_confirm: &'static str,
    pub unit_changes: &'static str,
    pub unit_changes_hint: &'static str,
    pub change: &'static str,
    pub successors: &'static str,
    pub suggestions: &'static str,
    pub source_untouched: &'static str,
    pub new_dates: &'static str,
    pub leads: &'static str,
    pub rule_province: &'static str,
    pub rule_district: &'static str,
    pub rule_commune: &'static str,
    pub rule_agency: &'static str,
    pub rule_unit: &'static str,
    pub reason_no_successor: &'static str,
    pub reason_ends: &'static str,
    pub reason_unknown: &'static str,
    pub err_cycle: &'static str,
    pub err_province: &'static str,
    pub err_self: &'static str,
    pub err_exists: &'static str,
    pub err_year: &'static str,
    pub err_choose_plan: &'static str,
    pub err_task: &'static str,
    pub saved: &'static str,
    /// The import preview's choice of the plan the new one implements.
    pub import_parent: &'static str,
    pub import_parent_hint: &'static str,
    pub import_no_proposal: &'static str,
    pub implements: &'static str,
    pub no_link: &'static str,
    pub other_plans: &'static str,
    pub err_imported_not_linked: &'static str,
    /// The implementing plans' results on the tasks mapped to this plan's.
    pub child_results: &'static str,
    pub child_results_hint: &'static str,
    pub mapped_tasks: &'static str,
    pub no_rate: &'static str,
    pub draft_import: &'static str,
    pub draft_import_hint: &'static str,
    pub implementing_count: &'static str,
}

pub static VI_CASCADE: Cascade = Cascade {
    open: "Liên kết kế hoạch",
    title: "Liên kết kế hoạch",
    parents: "Kế hoạch cấp trên mà kế hoạch này thực hiện",
    no_parents: "Chưa liên kết với kế hoạch cấp trên nào.",
    proposed: "Đề xuất liên kết",
    both_cite: "cùng thực hiện",
    cites: "trích dẫn số",
    confirm_link: "Xác nhận liên kết",
    link_other: "Liên kết với kế hoạch khác",
    choose_plan: "Chọn kế hoạch",
    link: "Liên kết",
    unlink: "Bỏ liên kết",
    children: "Kế hoạch cấp dưới thực hiện kế hoạch này",
    no_children: "Chưa có kế hoạch cấp dưới nào được liên kết.",
    units_owing: "Đơn vị phải ban hành kế hoạch",
    units_owing_hint: "Các đơn vị được giao nhiệm vụ “xây dựng, ban hành kế hoạch”: đã có kế hoạch được liên kết hay chưa, và tình trạng theo thời hạn.",
    without_plan: "chưa có kế hoạch",
    with_plan: "Đã có kế hoạch",
    no_issue_task: "Kế hoạch này không có nhiệm vụ “xây dựng, ban hành kế hoạch”.",
    more: "và còn",
    done: "Đã hoàn thành",
    not_done: "Chưa hoàn thành",
    coverage: "Mức độ bao phủ nhiệm vụ",
    coverage_hint: "Mỗi nhiệm vụ của kế hoạch này và các nhiệm vụ của kế hoạch cấp dưới thực hiện nó, kèm chỉ tiêu. Hệ thống đề xuất theo nội dung; phòng kế hoạch xác nhận hoặc sửa.",
    task: "Nhiệm vụ",
    child_tasks: "Nhiệm vụ của kế hoạch cấp dưới",
    not_covered: "Chưa có kế hoạch cấp dưới nào thực hiện",
    less_than_asked: "Chỉ tiêu thấp hơn yêu cầu",
    proposed_mark: "đề xuất",
    confirmed_mark: "đã xác nhận",
    leaves_out: "Nhiệm vụ chưa được thực hiện trong",
    carries_out: "Thực hiện nhiệm vụ",
    none_of_parent: "Không thực hiện nhiệm vụ nào",
    save: "Lưu",
    carry: "Chuyển sang năm sau",
    carry_hint: "Bản nháp kế hoạch năm mới: cùng nhiệm vụ và chỉ tiêu, thời hạn dời theo năm, đơn vị được xác định lại theo sắp xếp đơn vị hành chính năm 2025.",
    year: "Năm",
    see_draft: "Xem bản nháp",
    draft_for: "Bản nháp năm",
    kept: "Giữ nguyên",
    replaced: "Thay bằng đơn vị kế thừa",
    to_confirm: "Cần xác nhận",
    unit_changes: "Đơn vị chủ trì và thay đổi",
    unit_changes_hint: "Mọi đơn vị chủ trì của kế hoạch gốc, mỗi đơn vị một lần. Phòng kế hoạch kiểm tra từng thay đổi trước khi ban hành.",
    change: "Thay đổi",
    successors: "Đơn vị kế thừa",
    suggestions: "Gợi ý",
    source_untouched: "Kế hoạch gốc không thay đổi.",
    new_dates: "Thời hạn mới",
    leads: "Đơn vị chủ trì",
    rule_province: "Tỉnh hợp nhất (Nghị quyết 202/2025/QH15)",
    rule_district: "Cấp huyện kết thúc hoạt động từ 01/7/2025",
    rule_commune: "Xã, phường sau sắp xếp",
    rule_agency: "Cơ quan hợp nhất từ 01/3/2025",
    rule_unit: "Đơn vị hành chính thay đổi",
    reason_no_successor: "Chưa xác định được đơn vị kế thừa",
    reason_ends: "Kết thúc hoạt động trong năm, ngày",
    reason_unknown: "Không tìm thấy đơn vị tại ngày của kế hoạch",
    err_cycle: "Không thể liên kết: kế hoạch được chọn đã thực hiện kế hoạch này, liên kết sẽ tạo thành vòng lặp.",
    err_province: "Không thể liên kết: hai kế hoạch thuộc hai tỉnh khác nhau và kế hoạch cấp trên không phải kế hoạch của trung ương.",
    err_self: "Không thể liên kết: một kế hoạch không thể thực hiện chính nó.",
    err_exists: "Hai kế hoạch này đã được liên kết.",
    err_year: "Năm: hãy chọn một năm trong 10 năm sau năm của kế hoạch.",
    err_choose_plan: "Kế hoạch: hãy chọn kế hoạch cấp trên.",
    err_task: "Nhiệm vụ: không thuộc kế hoạch cấp dưới đã liên kết.",
    saved: "Đã lưu.",
    import_parent: "Kế hoạch cấp trên",
    import_parent_hint: "Khi xác nhận nhập, kế hoạch được liên kết với kế hoạch chọn dưới đây; nhiệm vụ “ban hành kế hoạch” của đơn vị trong kế hoạch cấp trên được ghi là đã hoàn thành.",
    import_no_proposal: "Không có kế hoạch đã lưu nào mà kế hoạch này trích dẫn hoặc cùng thực hiện.",
    implements: "Kế hoạch này thực hiện",
    no_link: "Không liên kết",
    other_plans: "Kế hoạch khác",
    err_imported_not_linked: "Đã nhập kế hoạch nhưng chưa liên kết được với kế hoạch cấp trên; hãy liên kết tại trang “Liên kết kế hoạch”.",
    child_results: "Kết quả của kế hoạch cấp dưới",
    child_results_hint: "Tỷ lệ đạt và tỷ lệ đúng hạn của kế hoạch cấp dưới, tính trên các nhiệm vụ tương ứng với nhiệm vụ của kế hoạch này (hoạt động được tính ở kế hoạch cấp dưới, không sao chép).",
    mapped_tasks: "Nhiệm vụ tương ứng",
    no_rate: "chưa có kỳ nào kết thúc",
    draft_import: "Nhập bản dự thảo",
    draft_import_hint: "Mở bản dự thảo ở trang xem trước khi nhập: sửa số, ngày ban hành, chọn đơn vị cần xác nhận, rồi xác nhận nhập như một văn bản mới.",
    implementing_count: "kế hoạch cấp dưới",
};

pub static EN_CASCADE: Cascade = Cascade {
    open: "Linked plans",
    title: "Linked plans",
    parents: "Plans this plan implements",
    no_parents: "Not linked to any plan it implements.",
    proposed: "Proposed links",
    both_cite: "both implement",
    cites: "cites number",
    confirm_link: "Confirm the link",
    link_other: "Link to another plan",
    choose_plan: "Choose a plan",
    link: "Link",
    unlink: "Unlink",
    children: "Plans implementing this plan",
    no_children: "No plan implementing this one is linked yet.",
    units_owing: "Units that must issue a plan",
    units_owing_hint: "The units assigned the task “issue your own plan”: whether a plan of theirs is linked, and the deadline state.",
    without_plan: "without a plan",
    with_plan: "Has a plan",
    no_issue_task: "This plan has no “issue your own plan” task.",
    more: "and",
    done: "Done",
    not_done: "Not done",
    coverage: "Coverage of the tasks",
    coverage_hint: "Each task of this plan and the tasks of the implementing plans that carry it out, with their targets. Proposed from their wording; the plan office confirms or corrects.",
    task: "Task",
    child_tasks: "Tasks of the implementing plans",
    not_covered: "Carried out by no implementing plan",
    less_than_asked: "Commits less than asked",
    proposed_mark: "proposed",
    confirmed_mark: "confirmed",
    leaves_out: "Tasks left out by",
    carries_out: "Carries out task",
    none_of_parent: "None of this plan's tasks",
    save: "Save",
    carry: "Carry into next year",
    carry_hint: "A draft of next year's plan: the same tasks and targets, dates shifted by the years, every unit re-resolved through the 2025 administrative reform.",
    year: "Year",
    see_draft: "See the draft",
    draft_for: "Draft for",
    kept: "Kept",
    replaced: "Replaced by successors",
    to_confirm: "To confirm",
    unit_changes: "Lead units and what becomes of them",
    unit_changes_hint: "Every lead unit of the source plan, each once. The plan office checks each change before the plan is issued.",
    change: "Change",
    successors: "Successors",
    suggestions: "Suggestions",
    source_untouched: "The source plan is not changed.",
    new_dates: "New dates",
    leads: "Lead units",
    rule_province: "Provinces merged (Resolution 202/2025/QH15)",
    rule_district: "Districts abolished on 1 July 2025",
    rule_commune: "Communes rearranged",
    rule_agency: "Agencies merged on 1 March 2025",
    rule_unit: "Administrative unit changed",
    reason_no_successor: "No successor found",
    reason_ends: "Ends during the year, on",
    reason_unknown: "Unit not found on the plan's date",
    err_cycle: "Cannot link: the chosen plan already implements this one; the link would make a cycle.",
    err_province: "Cannot link: the plans belong to different provinces and the parent is not a national plan.",
    err_self: "Cannot link: a plan cannot implement itself.",
    err_exists: "These plans are already linked.",
    err_year: "Year: choose one of the 10 years after the plan's year.",
    err_choose_plan: "Plan: choose the plan this one implements.",
    err_task: "Task: not a task of a linked implementing plan.",
    saved: "Saved.",
    import_parent: "Plan this one implements",
    import_parent_hint: "On confirming the import, the plan is linked to the plan chosen below; the unit's “issue a plan” task in that plan is recorded as done.",
    import_no_proposal: "No stored plan is cited by this plan or implemented with it.",
    implements: "This plan implements",
    no_link: "No link",
    other_plans: "Other plans",
    err_imported_not_linked: "The plan was imported but could not be linked to the plan it implements; link it on its “Linked plans” page.",
    child_results: "Results of the implementing plans",
    child_results_hint: "Met and on-time rates of each implementing plan, over its tasks mapped to this plan's (activities count in the implementing plan, never copied).",
    mapped_tasks: "Mapped tasks",
    no_rate: "no period has ended",
    draft_import: "Import the draft",
    draft_import_hint: "Opens the draft in the import preview: set its number and issue date, choose the units to confirm, then confirm the import as a new document.",
    implementing_count: "implementing plans",
};

// ---- Review of activities and approval of periods (issue 19, parts 3–4) ----

/// The words of the review queue, the periods page and the returned items of "Việc của tôi".
#[derive(Debug)]
pub struct ReviewWords {
    pub nav_review: &'static str,
    pub review_title: &'static str,
    pub review_hint: &'static str,
    pub plan: &'static str,
    pub unit: &'static str,
    pub task: &'static str,
    pub all: &'static str,
    pub state: &'static str,
    pub filter: &'static str,
    pub pending: &'static str,
    pub accepted: &'static str,
    pub returned: &'static str,
    pub confirmed_mark: &'static str,
    pub nothing_to_review: &'static str,
    pub evidence: &'static str,
    pub no_evidence: &'static str,
    pub accept: &'static str,
    pub return_it: &'static str,
    pub accept_selected: &'static str,
    pub return_selected: &'static str,
    pub reason: &'static str,
    pub reason_hint: &'static str,
    pub reason_required: &'static str,
    pub choose_some: &'static str,
    pub reviewed: &'static str,
    pub select: &'static str,
    pub reported_on: &'static str,
    pub returned_title: &'static str,
    pub returned_hint: &'static str,
    pub resubmit: &'static str,
    pub resubmitted: &'static str,
    pub periods_title: &'static str,
    pub periods_hint: &'static str,
    pub period: &'static str,
    pub period_hint: &'static str,
    pub note: &'static str,
    pub submit_period: &'static str,
    pub approve: &'static str,
    pub return_period: &'static str,
    pub reopen: &'static str,
    pub st_open: &'static str,
    pub st_submitted: &'static str,
    pub st_approved: &'static str,
    pub st_returned: &'static str,
    pub st_reopened: &'static str,
    pub locked: &'static str,
    pub approvals: &'static str,
    pub no_periods: &'static str,
    pub period_saved: &'static str,
    pub counting_all: &'static str,
    pub counting_accepted: &'static str,
    pub auto_lock: &'static str,
    pub days: &'static str,
    pub periods_link: &'static str,
    pub review_link: &'static str,
    pub updated_by: &'static str,
}

pub fn review_words(lang: Lang) -> &'static ReviewWords {
    match lang {
        Lang::Vi => &VI_REVIEW,
        Lang::En => &EN_REVIEW,
    }
}

static VI_REVIEW: ReviewWords = ReviewWords {
    nav_review: "Duyệt báo cáo",
    review_title: "Duyệt hoạt động đã báo cáo",
    review_hint: "Xác nhận hoặc trả lại từng hoạt động (kèm lý do), hoặc chọn nhiều hoạt động để xử lý cùng lúc. Hoạt động mới nhất ở trên cùng.",
    plan: "Kế hoạch",
    unit: "Đơn vị",
    task: "Nhiệm vụ",
    all: "Tất cả",
    state: "Trạng thái",
    filter: "Lọc",
    pending: "Chờ duyệt",
    accepted: "Đã xác nhận",
    returned: "Bị trả lại",
    confirmed_mark: "đã xác nhận",
    nothing_to_review: "Không có hoạt động nào phù hợp.",
    evidence: "Minh chứng",
    no_evidence: "Không có minh chứng",
    accept: "Xác nhận",
    return_it: "Trả lại",
    accept_selected: "Xác nhận các mục đã chọn",
    return_selected: "Trả lại các mục đã chọn",
    reason: "Lý do",
    reason_hint: "Nêu rõ cần sửa gì (bắt buộc khi trả lại)",
    reason_required: "Lý do: hãy nêu cần sửa gì khi trả lại hoạt động.",
    choose_some: "Hãy chọn ít nhất một hoạt động.",
    reviewed: "Đã cập nhật trạng thái duyệt.",
    select: "Chọn",
    reported_on: "Báo cáo lúc",
    returned_title: "Hoạt động bị trả lại",
    returned_hint: "Văn phòng kế hoạch đã trả lại các hoạt động dưới đây. Hãy sửa theo lý do rồi gửi lại để duyệt.",
    resubmit: "Sửa và gửi lại",
    resubmitted: "Đã gửi lại hoạt động để duyệt.",
    periods_title: "Phê duyệt kỳ báo cáo",
    periods_hint: "Đơn vị gửi kết quả của một kỳ (tháng, quý, 6 tháng, năm); văn phòng kế hoạch phê duyệt hoặc trả lại. Kỳ đã phê duyệt bị khóa: không thêm, sửa, xóa hay duyệt lại hoạt động trong kỳ cho đến khi được mở lại.",
    period: "Kỳ",
    period_hint: "Ví dụ: 2024-05 (tháng), 2024-Q2 (quý), 2024-H1 (6 tháng), 2024 (năm)",
    note: "Ghi chú",
    submit_period: "Gửi kỳ để phê duyệt",
    approve: "Phê duyệt",
    return_period: "Trả lại",
    reopen: "Mở lại",
    st_open: "Chưa gửi",
    st_submitted: "Đã gửi, chờ phê duyệt",
    st_approved: "Đã phê duyệt (khóa)",
    st_returned: "Bị trả lại",
    st_reopened: "Đã mở lại",
    locked: "Đã khóa",
    approvals: "Cấp phê duyệt",
    no_periods: "Chưa có kỳ nào được gửi.",
    period_saved: "Đã cập nhật kỳ báo cáo.",
    counting_all: "Số liệu tính mọi hoạt động (hoạt động đã xác nhận được đánh dấu).",
    counting_accepted: "Số liệu chỉ tính hoạt động đã xác nhận.",
    auto_lock: "Tự động khóa sau khi kỳ kết thúc",
    days: "ngày",
    periods_link: "Phê duyệt kỳ",
    review_link: "Duyệt hoạt động",
    updated_by: "Cập nhật bởi",
};

static EN_REVIEW: ReviewWords = ReviewWords {
    nav_review: "Review",
    review_title: "Review reported activities",
    review_hint: "Accept or return each activity (with a reason), or select several to decide at once. Newest first.",
    plan: "Plan",
    unit: "Unit",
    task: "Task",
    all: "All",
    state: "State",
    filter: "Filter",
    pending: "Pending",
    accepted: "Accepted",
    returned: "Returned",
    confirmed_mark: "accepted",
    nothing_to_review: "No activity matches.",
    evidence: "Evidence",
    no_evidence: "No evidence",
    accept: "Accept",
    return_it: "Return",
    accept_selected: "Accept selected",
    return_selected: "Return selected",
    reason: "Reason",
    reason_hint: "Say what to correct (required to return)",
    reason_required: "Reason: say what to correct when returning an activity.",
    choose_some: "Select at least one activity.",
    reviewed: "Review state updated.",
    select: "Select",
    reported_on: "Reported",
    returned_title: "Returned activities",
    returned_hint: "The plan office returned the activities below. Correct them as the reason says and send them again for review.",
    resubmit: "Correct and resubmit",
    resubmitted: "Activity sent again for review.",
    periods_title: "Period approval",
    periods_hint: "A unit submits a period of its work (month, quarter, half-year, year); the plan office approves or returns it. An approved period is locked: no activity in it can be added, edited, deleted or reviewed until it is reopened.",
    period: "Period",
    period_hint: "For example 2024-05 (month), 2024-Q2 (quarter), 2024-H1 (half-year), 2024 (year)",
    note: "Note",
    submit_period: "Submit the period",
    approve: "Approve",
    return_period: "Return",
    reopen: "Reopen",
    st_open: "Not submitted",
    st_submitted: "Submitted, awaiting approval",
    st_approved: "Approved (locked)",
    st_returned: "Returned",
    st_reopened: "Reopened",
    locked: "Locked",
    approvals: "Approval levels",
    no_periods: "No period submitted yet.",
    period_saved: "Period updated.",
    counting_all: "Figures count every activity (accepted ones are marked).",
    counting_accepted: "Figures count accepted activities only.",
    auto_lock: "Locks automatically after a period ends",
    days: "days",
    periods_link: "Period approval",
    review_link: "Review activities",
    updated_by: "Updated by",
};

impl ReviewWords {
    /// A review state's name (`pending`, `accepted`, `returned`/`rejected`).
    pub fn review_state(&self, state: &str) -> &'static str {
        match state {
            "accepted" => self.accepted,
            "returned" | "rejected" => self.returned,
            _ => self.pending,
        }
    }

    /// A period state's name.
    pub fn period_state(&self, state: &str) -> &'static str {
        match state {
            "submitted" => self.st_submitted,
            "approved" => self.st_approved,
            "returned" => self.st_returned,
            "reopened" => self.st_reopened,
            _ => self.st_open,
        }
    }
}

/// Why a write was refused by a locked period, and who may reopen it.
pub fn locked_text(lang: Lang, lock: &crate::store::PeriodLock) -> String {
    match (lang, lock.automatic) {
        (Lang::Vi, false) => format!(
            "Kỳ {} của {} đã được phê duyệt và bị khóa: không thể thêm, sửa, xóa hay duyệt lại hoạt động trong kỳ này. Chỉ văn phòng kế hoạch của {} có thể mở lại kỳ.",
            lock.period, lock.unit_name, lock.reopen_by
        ),
        (Lang::Vi, true) => format!(
            "Kỳ {} của {} đã tự động khóa sau khi kết thúc: không thể thêm, sửa, xóa hay duyệt lại hoạt động trong kỳ này. Văn phòng kế hoạch của {} có thể cho phép ngoại lệ.",
            lock.period, lock.unit_name, lock.reopen_by
        ),
        (Lang::En, false) => format!(
            "Period {} of {} is approved and locked: activities in it cannot be added, edited, deleted or reviewed. Only the plan office of {} may reopen it.",
            lock.period, lock.unit_name, lock.reopen_by
        ),
        (Lang::En, true) => format!(
            "Period {} of {} locked automatically after it ended: activities in it cannot be added, edited, deleted or reviewed. The plan office of {} may grant an exception.",
            lock.period, lock.unit_name, lock.reopen_by
        ),
    }
}

/// Why no activity may be written there (an archived plan, a unit removed from the task), in the
/// reader's words.
pub fn closed_text(lang: Lang, why: &crate::store::Closed) -> String {
    use crate::store::Closed;
    let day = |d: &chrono::NaiveDate| d.format("%d/%m/%Y").to_string();
    match (lang, why) {
        (Lang::Vi, Closed::Archived { on, .. }) => format!(
            "Kế hoạch đã được lưu trữ ngày {}: chỉ xem, không thể thêm, sửa, xóa hay duyệt hoạt động.",
            day(on)
        ),
        (Lang::Vi, Closed::Removed { on, .. }) => format!(
            "Đơn vị đã được gỡ khỏi nhiệm vụ này ngày {}: không thể ghi hoạt động sau ngày đó.",
            day(on)
        ),
        (Lang::En, Closed::Archived { on, .. }) => format!(
            "The plan was archived on {}: read-only, activities cannot be added, edited, deleted or reviewed.",
            day(on)
        ),
        (Lang::En, Closed::Removed { on, .. }) => format!(
            "The unit was removed from this task on {}: no activity after that day can be recorded.",
            day(on)
        ),
    }
}

/// Why an action on a period was refused, in the reader's words: the period's state (`None`:
/// never submitted) and the action tried; `not_on_chain`: the caller's unit does not approve it.
pub fn period_refused(
    lang: Lang,
    label: &str,
    unit: &str,
    state: Option<&str>,
    action: kehoach_core::approval::PeriodAction,
    not_on_chain: bool,
) -> String {
    use kehoach_core::approval::PeriodAction::*;
    let w = review_words(lang);
    let state = w.period_state(state.unwrap_or("open"));
    match lang {
        Lang::Vi if not_on_chain => format!(
            "Đơn vị của bạn không thuộc cấp phê duyệt kỳ {label} của {unit} trên kế hoạch này."
        ),
        Lang::En if not_on_chain => {
            format!("Your unit does not approve period {label} of {unit} on this plan.")
        }
        Lang::Vi => {
            let verb = match action {
                Submit => "gửi",
                Approve => "phê duyệt",
                Return => "trả lại",
                Reopen => "mở lại",
            };
            format!("Kỳ {label} của {unit} đang ở trạng thái “{state}”: không thể {verb}.")
        }
        Lang::En => {
            let verb = match action {
                Submit => "submitted",
                Approve => "approved",
                Return => "returned",
                Reopen => "reopened",
            };
            format!("Period {label} of {unit} is “{state}”: it cannot be {verb}.")
        }
    }
}
