//! Importing a plan: the document is parsed (kehoach-plan), its lead and partner texts are
//! resolved to units on the plan's date (kehoach-core), and the plan is stored with one
//! assignment per lead unit. Unresolved or vague text is kept on its task for review.

use std::collections::HashMap;

use chrono::NaiveDate;
use kehoach_core::period::Per;
use kehoach_core::units::{Registry, Resolution, Unit, UnitKind};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::store::{Change, NewPlan, NewTarget, NewTask, Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{0}")]
    Document(#[from] kehoach_plan::PlanError),
    #[error("{0}")]
    Context(String),
    /// Neither a context was given nor does the document name its issuer.
    #[error("the document names no issuer: give the plan's unit with --context")]
    NoIssuer,
    /// The context (given, or the issuer's text) names no unit, or several (the web page offers
    /// the candidates to choose from).
    #[error("{0}")]
    UnknownContext(kehoach_core::units::ContextError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Debug, Serialize)]
pub struct Imported {
    pub plan_id: i64,
    pub tasks: usize,
    pub assignments: usize,
    /// Lead or partner text that named no unit, per task.
    pub unresolved: Vec<UnresolvedText>,
    /// What the plan office should know about the source (characters it lost, …).
    pub warnings: Vec<String>,
}

/// The warnings about a plan's text: characters the source lost (U+FFFD), which every document
/// kehoach writes shows mended (`kehoach_core::text::mend_lost_chars`: "–" between words,
/// quotes against them).
pub fn warnings(plan: &NewPlan) -> Vec<String> {
    let lost: usize = std::iter::once(plan.title.as_str())
        .chain(plan.tasks.iter().flat_map(|t| {
            [
                t.title.as_str(),
                t.content.as_str(),
                t.lead_text.as_str(),
                t.partner_text.as_str(),
            ]
        }))
        .map(|text| kehoach_core::text::mend_lost_chars(text).1)
        .sum();
    if lost == 0 {
        Vec::new()
    } else {
        vec![format!(
            "the source lost {lost} characters (U+FFFD, shown as \u{FFFD}): reports show them as \"–\" between words and as quotes next to a word"
        )]
    }
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct UnresolvedText {
    #[serde(rename = "ref")]
    pub task_ref: String,
    /// "lead" or "partner".
    pub role: String,
    pub text: String,
    /// "vague" or "unknown".
    pub reason: String,
}

fn date(d: kehoach_plan::Date) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(d.year, d.month, d.day)
}

fn per(p: kehoach_plan::Per) -> Per {
    match p {
        kehoach_plan::Per::Day => Per::Day,
        kehoach_plan::Per::Week => Per::Week,
        kehoach_plan::Per::Month => Per::Month,
        kehoach_plan::Per::Quarter => Per::Quarter,
        kehoach_plan::Per::Year => Per::Year,
        kehoach_plan::Per::Plan => Per::Plan,
    }
}

/// The date a plan's unit names are read on: its issue date, else the start of its period.
pub fn plan_date(plan: &kehoach_plan::Plan, today: NaiveDate) -> NaiveDate {
    plan.issued_on
        .and_then(date)
        .or_else(|| plan.period.and_then(|p| date(p.from)))
        .unwrap_or(today)
}

/// The unit whose plan it is: the `--context` given, else the issuer named in the document.
fn context_unit<'r>(
    registry: &'r Registry,
    plan: &kehoach_plan::Plan,
    context: Option<&str>,
    on: NaiveDate,
) -> Result<&'r Unit, ImportError> {
    let text = match (context, plan.issuer.as_deref()) {
        (Some(c), _) => c,
        (None, Some(issuer)) => issuer,
        (None, None) => return Err(ImportError::NoIssuer),
    };
    // An issuer may be an agency not yet set up ("Sở Thông tin và Truyền thông tỉnh Đắk Nông"):
    // then the place it names, the longest tail of the text that is a unit, is the context.
    let unit = match registry.find_context(text, on) {
        Ok(unit) => unit,
        Err(first) => {
            let words: Vec<&str> = text.split_whitespace().collect();
            (1..words.len())
                .find_map(|i| registry.find_context(&words[i..].join(" "), on).ok())
                .filter(|_| context.is_none())
                .ok_or(ImportError::UnknownContext(first))?
        }
    };
    // "UBND tỉnh X" names the people's committee; the context is the administrative unit.
    let mut current = unit;
    while current.kind == UnitKind::Agency {
        match registry.parent(current, on) {
            Some(parent) => current = parent,
            None => break,
        }
    }
    Ok(current)
}

/// A plan read and resolved, not yet stored: what the import page previews (and lets the plan
/// office fix) before [`commit`] stores it.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Prepared {
    pub plan: NewPlan,
    /// Lead or partner text that named no unit, per task.
    pub unresolved: Vec<UnresolvedText>,
    /// Names of the units the resolved texts bound to, by unit id.
    pub unit_names: HashMap<i64, String>,
    /// The date the plan's unit names were read on.
    pub on: NaiveDate,
    /// The plan's own unit (province, district or commune): fixes are searched under it.
    pub context_unit_id: Option<i64>,
    /// Garbled characters the importer repaired or left, for the officer to check.
    #[serde(default)]
    pub warnings: Vec<kehoach_plan::Warning>,
}

/// Parses, resolves and stores a plan document.
pub async fn import_plan(
    store: &Store,
    bytes: &[u8],
    file_name: &str,
    context: Option<&str>,
    by: &Change,
) -> Result<Imported, ImportError> {
    let prepared = prepare(store, bytes, file_name, context, by).await?;
    commit(store, prepared, by).await
}

/// Stores a prepared plan: its tasks, targets and one assignment per lead unit.
pub async fn commit(
    store: &Store,
    prepared: Prepared,
    by: &Change,
) -> Result<Imported, ImportError> {
    let created = store.create_plan(&prepared.plan, by).await?;
    Ok(Imported {
        plan_id: created.plan_id,
        tasks: created.tasks,
        assignments: created.assignments,
        unresolved: prepared.unresolved,
        warnings: warnings(&prepared.plan),
    })
}

/// Parses the document and resolves its unit text on the plan's date, storing nothing but the
/// standard agencies of the plan's province (set up when missing, as every import does).
pub async fn prepare(
    store: &Store,
    bytes: &[u8],
    file_name: &str,
    context: Option<&str>,
    by: &Change,
) -> Result<Prepared, ImportError> {
    let plan = kehoach_plan::parse(bytes, file_name)?;
    let today = kehoach_core::period::today_in_vietnam(chrono::Utc::now());
    let on = plan_date(&plan, today);

    // The context's province gets its standard agencies on the plan's date when missing.
    let (mut registry, mut ids) = store.registry_and_ids().await?;
    let context_code = context_unit(&registry, &plan, context, on)?.code.clone();
    let province_code = crate::units::province_of(&registry, &context_code, on);
    let held = registry.units().len();
    crate::units::init_agencies(store, &mut registry, &province_code, on, by).await?;
    if registry.units().len() > held {
        // Agencies the registry lacked are stored now (by this import or another): their ids.
        ids = store.unit_ids().await?;
    }
    let context_unit = registry
        .get(&context_code, on)
        .ok_or_else(|| ImportError::Context(format!("unit {context_code} is not valid on {on}")))?
        .clone();
    let id_of = |code: &str, from: Option<NaiveDate>| ids.get(&(code.to_string(), from)).copied();

    let mut unresolved = Vec::new();
    let mut unit_names = HashMap::new();
    let mut tasks = Vec::with_capacity(plan.tasks.len());
    let mut cache: HashMap<String, Resolution> = HashMap::new();
    for task in &plan.tasks {
        let mut new = NewTask {
            reference: task.ref_.clone(),
            title: task.title.clone(),
            content: task.content.clone().unwrap_or_default(),
            lead_text: task.lead.clone(),
            partner_text: task.partners.clone(),
            window_from: task.window.and_then(|w| date(w.from)),
            window_to: task.window.and_then(|w| w.to.and_then(date)),
            due: task.due.and_then(date),
            targets: task
                .targets
                .iter()
                .map(|t| NewTarget {
                    count: f64::from(t.count),
                    per: per(t.per),
                    noun: t.unit.clone(),
                })
                .collect(),
            ..NewTask::default()
        };
        for (role, text) in [("lead", &task.lead), ("partner", &task.partners)] {
            if text.trim().is_empty() {
                continue;
            }
            let resolution = cache
                .entry(text.clone())
                .or_insert_with(|| registry.resolve(text, &context_unit, on));
            for unit in &resolution.units {
                let Some(id) = id_of(&unit.code, unit.valid_from) else {
                    continue;
                };
                unit_names.entry(id).or_insert_with(|| unit.name.clone());
                let matched = serde_json::to_value(unit.matched)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default();
                if role == "lead" {
                    new.leads.push((id, matched));
                } else {
                    new.partners.push((id, matched));
                }
            }
            for (texts, reason) in [
                (&resolution.vague, "vague"),
                (&resolution.unknown, "unknown"),
            ] {
                for text in texts {
                    new.unresolved
                        .push((role.into(), text.clone(), reason.into()));
                    unresolved.push(UnresolvedText {
                        task_ref: task.ref_.clone(),
                        role: role.to_string(),
                        text: text.clone(),
                        reason: reason.to_string(),
                    });
                }
            }
        }
        tasks.push(new);
    }

    let context_id = id_of(&context_unit.code, context_unit.valid_from);
    let new_plan = NewPlan {
        number: plan.number.clone(),
        title: plan.title.clone(),
        issuer: plan.issuer.clone(),
        issued_on: plan.issued_on.and_then(date),
        period_from: plan.period.and_then(|p| date(p.from)),
        period_to: plan.period.and_then(|p| p.to.and_then(date)),
        context_unit_id: context_id,
        grace_days: i64::from(kehoach_core::compliance::DEFAULT_GRACE_DAYS),
        source_name: file_name.to_string(),
        source_sha256: Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
        source_size: bytes.len() as i64,
        extraction: serde_json::to_value(&plan).unwrap_or_default(),
        references: plan.references.clone(),
        tasks,
    };
    Ok(Prepared {
        plan: new_plan,
        unresolved,
        unit_names,
        on,
        context_unit_id: context_id,
        warnings: plan.warnings.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::NewTask;

    #[test]
    fn lost_characters_are_a_warning() {
        let mut plan = NewPlan {
            title: "Kế hoạch truyền thông".into(),
            ..NewPlan::default()
        };
        assert!(warnings(&plan).is_empty());
        plan.tasks.push(NewTask {
            title: "Tuyên truyền trên Đài Phát thanh \u{FFFD} Truyền hình".into(),
            ..NewTask::default()
        });
        let w = warnings(&plan);
        assert_eq!(w.len(), 1);
        assert!(w[0].contains("lost 1 characters"), "{w:?}");
    }
}
