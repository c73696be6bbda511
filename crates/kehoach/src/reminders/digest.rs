//! What a unit is reminded of on a day, and the digest's wording. Pure.
//!
//! Three kinds of item, each with a key that names it for the day (`reminders_sent`): a
//! deliverable past its due date and not done; one due within the next N days; a weekly target
//! whose current week is not met yet.

use chrono::{Days, NaiveDate};
use kehoach_core::compliance::{DeadlineState, PeriodStatus};
use kehoach_core::period::Per;

use crate::compliance::{AssignmentCompliance, TaskCompliance};
use crate::export::vn;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ItemKind {
    Overdue,
    DueSoon,
    MissingThisWeek,
    /// The reporting chain (issue 20): a unit's report waiting for the plan office's review.
    ReportToReview,
    /// Plans that implement plans (issue 22), to the plan office: a unit that owes the plan
    /// its own plan, has none linked and is overdue or due soon.
    PlanMissing,
}

/// One thing to remind a unit of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub kind: ItemKind,
    /// Unique per unit and day: what `reminders_sent` records.
    pub key: String,
    pub text: String,
}

/// The items of one assignment on `at`, looking `days` ahead for deadlines.
pub fn items(
    plan_number: &str,
    task: &TaskCompliance,
    a: &AssignmentCompliance,
    at: NaiveDate,
    days: u32,
) -> Vec<Item> {
    let mut out = Vec::new();
    let title = task.title.trim();
    let plan = if plan_number.is_empty() {
        String::new()
    } else {
        format!(" (Kế hoạch {plan_number})")
    };
    if let (Some(due), Some(state)) = (task.due, a.state) {
        let horizon = at
            .checked_add_days(Days::new(u64::from(days)))
            .unwrap_or(at);
        match state {
            DeadlineState::NotDoneOverdue => out.push(Item {
                kind: ItemKind::Overdue,
                key: format!("overdue:{}", a.assignment_id),
                text: format!("Đã quá hạn: “{title}”{plan}, hạn {}.", vn::short_date(due)),
            }),
            DeadlineState::NotDoneWithinDeadline if due <= horizon => out.push(Item {
                kind: ItemKind::DueSoon,
                key: format!("due:{}", a.assignment_id),
                text: format!(
                    "Sắp đến hạn: “{title}”{plan}, hạn {}{}.",
                    vn::short_date(due),
                    match (due - at).num_days() {
                        0 => " (hôm nay)".to_string(),
                        n => format!(" (còn {n} ngày)"),
                    }
                ),
            }),
            _ => {}
        }
    }
    for (k, t) in a.targets.iter().enumerate() {
        if t.per != Per::Week {
            continue;
        }
        if let Some(p) = t
            .periods
            .iter()
            .find(|p| p.start <= at && at <= p.end && p.status == PeriodStatus::Open)
        {
            let noun = if t.unit.is_empty() { "lần" } else { &t.unit };
            out.push(Item {
                kind: ItemKind::MissingThisWeek,
                key: format!("week:{}:{k}:{}", a.assignment_id, p.start),
                text: format!(
                    "Tuần này ({}) chưa đủ: “{title}”{plan}: đã có {}/{} {noun}.",
                    p.label().to_lowercase(),
                    vn::number(p.achieved, 2),
                    vn::number(p.expected, 2)
                ),
            });
        }
    }
    out
}

/// The plan office's item for plan `plan_id` (`plan_label`: "Kế hoạch 30/KH-UBND", or its
/// title in quotes), whose units `units` owe it their own plan by `due` and have none linked on
/// `at`: one item naming them all, when overdue or due within `days` days; else none. The units
/// of one plan share the deadline (its "issue your own plan" task's), so one state says it.
pub fn plan_missing_item(
    plan_id: i64,
    plan_label: &str,
    units: &[String],
    due: NaiveDate,
    at: NaiveDate,
    days: u32,
) -> Option<Item> {
    if units.is_empty() {
        return None;
    }
    let horizon = at
        .checked_add_days(Days::new(u64::from(days)))
        .unwrap_or(at);
    let (when, state) = if due < at {
        (
            "overdue",
            format!("đã quá hạn, hạn {}", vn::short_date(due)),
        )
    } else if due <= horizon {
        (
            "due",
            format!(
                "hạn {}{}",
                vn::short_date(due),
                match (due - at).num_days() {
                    0 => " (hôm nay)".to_string(),
                    n => format!(", còn {n} ngày"),
                }
            ),
        )
    } else {
        return None;
    };
    Some(Item {
        kind: ItemKind::PlanMissing,
        key: format!("plan-missing:{plan_id}:{when}"),
        text: format!(
            "{plan_label}: {} đơn vị chưa có kế hoạch thực hiện được liên kết ({state}): {}.",
            units.len(),
            units.join("; ")
        ),
    })
}

/// The subject and the plain-text body of a unit's digest.
pub fn digest(unit_name: &str, items: &[Item], at: NaiveDate) -> (String, String) {
    let subject = format!(
        "[Kế hoạch] Nhắc việc {}: {} việc cần chú ý",
        vn::short_date(at),
        items.len()
    );
    let mut body = format!(
        "Kính gửi: {unit_name},\n\nHệ thống theo dõi kế hoạch truyền thông chuyển đổi số nhắc các việc sau ({}):\n",
        vn::long_date(at)
    );
    for (kind, heading) in [
        (ItemKind::Overdue, "Nhiệm vụ đã quá hạn"),
        (ItemKind::DueSoon, "Nhiệm vụ sắp đến hạn"),
        (ItemKind::MissingThisWeek, "Chỉ tiêu tuần này chưa đạt"),
        (ItemKind::ReportToReview, "Báo cáo của đơn vị chờ xem xét"),
        (
            ItemKind::PlanMissing,
            "Đơn vị chưa ban hành kế hoạch thực hiện (chưa liên kết)",
        ),
    ] {
        let of_kind: Vec<&Item> = items.iter().filter(|i| i.kind == kind).collect();
        if of_kind.is_empty() {
            continue;
        }
        body.push_str(&format!("\n{heading}:\n"));
        for item in of_kind {
            body.push_str(&format!("- {}\n", item.text));
        }
    }
    body.push_str(
        "\nĐề nghị đơn vị cập nhật kết quả thực hiện kèm minh chứng trên hệ thống.\n\n\
         Thư này được gửi tự động, mỗi việc được nhắc một lần trong ngày.\n",
    );
    (subject, body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compliance::{Summary, UnitRef};
    use kehoach_core::compliance::{Bucket, PeriodReport, Tally, TargetReport};
    use kehoach_core::period::Period;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn task(due: Option<NaiveDate>, assignments: Vec<AssignmentCompliance>) -> TaskCompliance {
        TaskCompliance {
            task_id: 1,
            reference: "1".into(),
            title: "Báo cáo kết quả".into(),
            due,
            summary: Summary::from(Tally::default()),
            assignments,
        }
    }

    fn assignment(
        state: Option<DeadlineState>,
        targets: Vec<TargetReport>,
    ) -> AssignmentCompliance {
        AssignmentCompliance {
            assignment_id: 9,
            unit: UnitRef {
                code: "X".into(),
                name: "Đơn vị X".into(),
            },
            state,
            done_on: None,
            activity_count: 0,
            last_activity_on: None,
            targets,
        }
    }

    #[test]
    fn deadlines_are_reminded_when_overdue_or_within_the_horizon() {
        let at = d("2024-11-13");
        let a = assignment(Some(DeadlineState::NotDoneWithinDeadline), vec![]);
        let t = task(Some(d("2024-11-15")), vec![]);
        assert_eq!(items("3604/KH-UBND", &t, &a, at, 3)[0].key, "due:9");
        assert!(
            items("", &t, &a, at, 1).is_empty(),
            "15/11 is beyond one day"
        );
        let a = assignment(Some(DeadlineState::NotDoneOverdue), vec![]);
        let i = items("3604/KH-UBND", &t, &a, d("2024-11-20"), 3);
        assert_eq!(i[0].kind, ItemKind::Overdue);
        assert!(i[0].text.contains("hạn 15/11/2024"), "{}", i[0].text);
        let a = assignment(Some(DeadlineState::DoneOnTime), vec![]);
        assert!(items("", &t, &a, at, 30).is_empty());
    }

    #[test]
    fn an_unmet_current_week_is_reminded() {
        let at = d("2024-11-13");
        let week = Period::containing(Per::Week, at).unwrap();
        let target = |achieved: f64| TargetReport {
            count: 2.0,
            per: Per::Week,
            unit: "tin".into(),
            reporting_rate: None,
            on_time_rate: None,
            periods: vec![PeriodReport::new(
                week,
                2.0,
                Bucket {
                    achieved,
                    on_time_achieved: achieved,
                },
                at,
            )],
            pace: None,
        };
        let t = task(None, vec![]);
        let i = items("", &t, &assignment(None, vec![target(1.0)]), at, 3);
        assert_eq!(i.len(), 1);
        assert_eq!(i[0].key, "week:9:0:2024-11-11");
        assert!(
            i[0].text.contains("tuần 46/2024") && i[0].text.contains("1/2 tin"),
            "{}",
            i[0].text
        );
        assert!(items("", &t, &assignment(None, vec![target(2.0)]), at, 3).is_empty());
    }

    #[test]
    fn missing_plans_are_named_when_overdue_or_due_soon() {
        let due = d("2024-03-31");
        let units = vec![
            "UBND huyện Hiệp Đức".to_string(),
            "UBND huyện Núi Thành".to_string(),
        ];
        let soon =
            plan_missing_item(1, "Kế hoạch 30/KH-UBND", &units, due, d("2024-03-29"), 3).unwrap();
        assert_eq!(soon.kind, ItemKind::PlanMissing);
        assert_eq!(soon.key, "plan-missing:1:due");
        assert_eq!(
            soon.text,
            "Kế hoạch 30/KH-UBND: 2 đơn vị chưa có kế hoạch thực hiện được liên kết (hạn 31/03/2024, còn 2 ngày): UBND huyện Hiệp Đức; UBND huyện Núi Thành."
        );
        assert!(plan_missing_item(1, "K", &units, due, d("2024-03-01"), 3).is_none());
        assert!(plan_missing_item(1, "K", &[], due, d("2024-04-02"), 3).is_none());
        let late = plan_missing_item(1, "K", &units, due, d("2024-04-02"), 3).unwrap();
        assert_eq!(late.key, "plan-missing:1:overdue");
        assert!(
            late.text.contains("(đã quá hạn, hạn 31/03/2024)"),
            "{}",
            late.text
        );
    }

    #[test]
    fn the_digest_groups_items_by_kind() {
        let items = vec![
            Item {
                kind: ItemKind::MissingThisWeek,
                key: "w".into(),
                text: "tuần".into(),
            },
            Item {
                kind: ItemKind::Overdue,
                key: "o".into(),
                text: "quá hạn".into(),
            },
        ];
        let (subject, body) = digest("Đài PT-TH", &items, d("2024-11-05"));
        assert_eq!(subject, "[Kế hoạch] Nhắc việc 05/11/2024: 2 việc cần chú ý");
        let overdue = body.find("Nhiệm vụ đã quá hạn").unwrap();
        let weekly = body.find("Chỉ tiêu tuần này chưa đạt").unwrap();
        assert!(overdue < weekly);
        assert!(body.starts_with("Kính gửi: Đài PT-TH,"));
    }
}
