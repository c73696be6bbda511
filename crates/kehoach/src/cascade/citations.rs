//! Which stored plan a plan implements, and whether a link may be made.

use kehoach_core::text::fold;

/// A document number as compared: folded, without spaces ("3604/KH-UBND" = "3604/kh-ubnd").
pub fn number_key(number: &str) -> String {
    fold(number)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// Whether a cited number is a plan's ("…/KH-…"): the citations two plans share are only
/// evidence of a common parent when that parent is a plan, not a law or a resolution that every
/// plan of the country cites.
pub fn is_plan_number(number: &str) -> bool {
    number_key(number).contains("/kh")
}

/// A stored plan that might be the parent.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub plan_id: i64,
    pub number: Option<String>,
    pub references: Vec<String>,
    /// The code of the plan's owning unit (its issuer's administrative unit).
    pub context_code: Option<String>,
}

/// A proposed parent and why.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Proposal {
    pub parent_plan_id: i64,
    /// The number both plans point at: the parent's own, or a plan both cite.
    pub basis: String,
    /// True when the child cites the parent's own number; false when both cite a third plan.
    pub direct: bool,
}

/// The parents to propose for a child plan.
///
/// `child_units` is the child's owning unit and its ancestors (codes, nearest first): a parent is
/// proposed only when its owning unit is among them — a city's plan implements its province's, not
/// another province's — or when the parent has no owning unit (a national plan).
/// A candidate whose own number the child cites is proposed directly; failing that, one that
/// cites the same *plan* number as the child (both implement "3604/KH-UBND", which may not be
/// stored) is proposed on that shared citation.
pub fn propose(
    child_plan_id: i64,
    child_references: &[String],
    child_units: &[String],
    candidates: &[Candidate],
) -> Vec<Proposal> {
    let cited: Vec<(String, &String)> = child_references
        .iter()
        .map(|r| (number_key(r), r))
        .collect();
    let mut out = Vec::new();
    for c in candidates {
        if c.plan_id == child_plan_id {
            continue;
        }
        let within = match &c.context_code {
            None => true,
            Some(code) => child_units.iter().any(|u| u == code),
        };
        // The child's own unit issuing a plan "for" itself is not a parent either.
        let same_unit = c.context_code.is_some() && child_units.first() == c.context_code.as_ref();
        if !within || same_unit {
            continue;
        }
        if let Some(number) = &c.number {
            let key = number_key(number);
            if cited.iter().any(|(k, _)| *k == key) {
                out.push(Proposal {
                    parent_plan_id: c.plan_id,
                    basis: number.clone(),
                    direct: true,
                });
                continue;
            }
        }
        let shared = c
            .references
            .iter()
            .find(|r| is_plan_number(r) && cited.iter().any(|(k, _)| *k == number_key(r)));
        if let Some(shared) = shared {
            out.push(Proposal {
                parent_plan_id: c.plan_id,
                basis: shared.clone(),
                direct: false,
            });
        }
    }
    // Direct citations first; then the newest candidate (highest id) first.
    out.sort_by(|a, b| {
        b.direct
            .cmp(&a.direct)
            .then(b.parent_plan_id.cmp(&a.parent_plan_id))
    });
    out
}

/// Why a link is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LinkRefusal {
    #[error("a plan cannot implement itself")]
    SelfLink,
    #[error(
        "plan {parent} already implements plan {child} (directly or through others): the link would make a cycle"
    )]
    Cycle { child: i64, parent: i64 },
    #[error(
        "plan {child} belongs to another province than plan {parent}, which is not a national plan"
    )]
    OtherProvince { child: i64, parent: i64 },
}

/// Whether `child` may be linked under `parent`.
///
/// `ancestors_of_parent` are the plans the parent implements, directly or not (the store walks
/// them); `child_province` / `parent_province` the provinces of their owning units, `None` for a
/// national plan (a parent without an owning province may have children anywhere).
pub fn check_link(
    child: i64,
    parent: i64,
    ancestors_of_parent: &[i64],
    child_province: Option<&str>,
    parent_province: Option<&str>,
) -> Result<(), LinkRefusal> {
    if child == parent {
        return Err(LinkRefusal::SelfLink);
    }
    if ancestors_of_parent.contains(&child) {
        return Err(LinkRefusal::Cycle { child, parent });
    }
    if let Some(pp) = parent_province
        && child_province != Some(pp)
    {
        return Err(LinkRefusal::OtherProvince { child, parent });
    }
    Ok(())
}

/// Whether a task is a plan's "issue your own plan" deliverable ("Xây dựng, ban hành kế hoạch
/// tuyên truyền…"): the one a child plan's link completes.
pub fn is_issue_plan_task(title: &str) -> bool {
    let t = fold(title);
    t.contains("ke hoach") && (t.contains("ban hanh") || t.starts_with("xay dung"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand(id: i64, number: &str, refs: &[&str], ctx: Option<&str>) -> Candidate {
        Candidate {
            plan_id: id,
            number: Some(number.into()),
            references: refs.iter().map(|s| s.to_string()).collect(),
            context_code: ctx.map(str::to_string),
        }
    }

    #[test]
    fn a_city_plan_is_proposed_under_its_province_by_number_or_shared_plan() {
        let units = vec!["502".to_string(), "49".to_string()];
        let refs = vec!["04-NQ/TU".to_string(), "3604/KH-UBND".to_string()];
        let cands = vec![
            // the province's 2024 plan: cites 3604 too (shared), and the resolution (ignored)
            cand(1, "30/KH-UBND", &["3604/KH-UBND", "04-NQ/TU"], Some("49")),
            // another province's plan citing the same number: not within
            cand(2, "99/KH-UBND", &["3604/KH-UBND"], Some("48")),
            // shares only a resolution: not proposed
            cand(3, "7/KH-UBND", &["04-NQ/TU"], Some("49")),
            // the cited plan itself, stored
            cand(4, "3604/KH-UBND", &[], Some("49")),
        ];
        let p = propose(9, &refs, &units, &cands);
        assert_eq!(p.len(), 2, "{p:?}");
        assert_eq!((p[0].parent_plan_id, p[0].direct), (4, true));
        assert_eq!(
            (p[1].parent_plan_id, p[1].direct, p[1].basis.as_str()),
            (1, false, "3604/KH-UBND")
        );
    }

    #[test]
    fn links_that_loop_or_cross_provinces_are_refused() {
        assert_eq!(
            check_link(1, 1, &[], None, None),
            Err(LinkRefusal::SelfLink)
        );
        assert!(matches!(
            check_link(1, 2, &[3, 1], Some("49"), Some("49")),
            Err(LinkRefusal::Cycle { .. })
        ));
        assert!(matches!(
            check_link(1, 2, &[], Some("48"), Some("49")),
            Err(LinkRefusal::OtherProvince { .. })
        ));
        assert_eq!(
            check_link(1, 2, &[], Some("48"), None),
            Ok(()),
            "a national parent"
        );
        assert_eq!(check_link(1, 2, &[5], Some("49"), Some("49")), Ok(()));
    }

    #[test]
    fn the_issue_your_plan_task_is_recognised() {
        assert!(is_issue_plan_task(
            "Xây dựng, ban hành kế hoạch tuyên truyền về chuyển đổi số"
        ));
        assert!(!is_issue_plan_task("Tuyên truyền trên Báo Quảng Nam"));
    }
}
