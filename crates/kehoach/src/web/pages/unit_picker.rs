//! The unit picker: a type-ahead search among the units a filter may choose from (a plan's units,
//! or the caller's subtree), diacritics ignored. Without JavaScript it is a search form: the page
//! lists the matches as links; `static/app.js` enhances the same text field with a `<datalist>`
//! fed by `GET /units/suggest`.

use std::collections::HashSet;

use axum::Json;
use axum::extract::{Query, State};
use kehoach_core::text::fold;
use serde::{Deserialize, Serialize};

use super::{PageError, SignedIn};
use crate::web::AppState;
use crate::web::authz::{Authz, visible_units};

/// Most matches listed or suggested.
pub const MAX_MATCHES: usize = 20;
/// Longest query considered (characters).
const MAX_QUERY: usize = 100;

/// A unit a picker may choose.
#[derive(Debug, Clone, Serialize)]
pub struct Choice {
    pub id: i64,
    pub name: String,
}

/// What a page's unit picker shows: the chosen unit, or the text typed and its matches (each a
/// link to the same page with that unit chosen).
pub struct UnitPicker {
    pub selected: Option<Choice>,
    pub query: String,
    pub matches: Vec<(String, String)>,
    /// Nothing matched the text typed.
    pub none_found: bool,
    /// `GET /units/suggest?…` for the script's suggestions.
    pub suggest: String,
    /// The page without a unit chosen.
    pub clear_href: String,
}

impl UnitPicker {
    /// The picker of the page at `path` (its path and query) over `candidates` (`None`: search the
    /// caller's subtree instead, already done into `found`), with `unit` chosen or `query` typed.
    /// A query naming one unit exactly (as the suggestions fill it in) chooses it.
    pub fn new(
        path: &str,
        selected: Option<Choice>,
        query: &str,
        found: Vec<Choice>,
        suggest: String,
    ) -> UnitPicker {
        let query: String = query.trim().chars().take(MAX_QUERY).collect();
        let (selected, found) = match selected {
            Some(s) => (Some(s), Vec::new()),
            None => {
                let exact = found.iter().position(|c| c.name == query);
                match (exact, found.len()) {
                    (Some(i), _) => (Some(found[i].clone()), Vec::new()),
                    _ => (None, found),
                }
            }
        };
        let none_found = selected.is_none() && !query.is_empty() && found.is_empty();
        UnitPicker {
            matches: found
                .into_iter()
                .map(|c| {
                    let id = c.id.to_string();
                    (
                        c.name,
                        with_params(path, &[("unit", &id)], &["unit_q", "page"]),
                    )
                })
                .collect(),
            clear_href: with_params(path, &[], &["unit", "unit_q", "page"]),
            selected,
            query,
            none_found,
            suggest,
        }
    }

    pub fn selected_id(&self) -> Option<i64> {
        self.selected.as_ref().map(|c| c.id)
    }
}

/// `path` (with its query) with `set` parameters set and `drop` ones removed.
pub fn with_params(path: &str, set: &[(&str, &str)], drop: &[&str]) -> String {
    let (base, query) = path.split_once('?').unwrap_or((path, ""));
    let mut params: Vec<String> = query
        .split('&')
        .filter(|kv| !kv.is_empty())
        .filter(|kv| {
            let key = kv.split('=').next().unwrap_or("");
            !drop.contains(&key) && !set.iter().any(|(k, _)| *k == key)
        })
        .map(str::to_string)
        .collect();
    params.extend(
        set.iter()
            .map(|(k, v)| format!("{k}={}", super::url_encode(v))),
    );
    if params.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", params.join("&"))
    }
}

/// The candidates among `units` (id, name) whose name contains `query`, diacritics ignored;
/// the shortest names first (the closest matches), at most [`MAX_MATCHES`].
pub fn matching<'a>(units: impl Iterator<Item = (i64, &'a str)>, query: &str) -> Vec<Choice> {
    let key = fold(query.trim());
    if key.is_empty() {
        return Vec::new();
    }
    let mut seen = HashSet::new();
    let mut out: Vec<Choice> = units
        .filter(|(id, name)| fold(name).contains(&key) && seen.insert(*id))
        .map(|(id, name)| Choice {
            id,
            name: name.to_string(),
        })
        .collect();
    out.sort_by(|a, b| {
        a.name
            .chars()
            .count()
            .cmp(&b.name.chars().count())
            .then(a.name.cmp(&b.name))
    });
    out.truncate(MAX_MATCHES);
    out
}

/// The units of a plan the caller may see, as (id, name).
pub async fn plan_units(
    state: &AppState,
    page: &SignedIn,
    plan_id: i64,
) -> Result<Vec<(i64, String)>, PageError> {
    let visible = visible_units(state, &page.session.user)
        .await
        .map_err(|e| page.error(e))?;
    let mut seen = HashSet::new();
    Ok(state
        .store
        .assignments_of_plan(plan_id)
        .await
        .map_err(|e| page.error(e))?
        .into_iter()
        .filter(|a| visible.as_ref().is_none_or(|v| v.contains(&a.unit_id)))
        .filter(|a| seen.insert(a.unit_id))
        .map(|a| (a.unit_id, a.unit_name))
        .collect())
}

/// Units of the caller's subtree whose name (or alias) matches `query`, valid on the page's date.
pub async fn subtree_matches(
    state: &AppState,
    page: &SignedIn,
    query: &str,
) -> Result<Vec<Choice>, PageError> {
    let query: String = query.trim().chars().take(MAX_QUERY).collect();
    if fold(&query).is_empty() {
        return Ok(Vec::new());
    }
    let root = Authz::of(state, &page.session.user)
        .scope_root()
        .await
        .map_err(|e| page.error(e))?;
    Ok(state
        .store
        .search_units_within(&query, page.today, MAX_MATCHES as i64, root)
        .await
        .map_err(|e| page.error(e))?
        .into_iter()
        .map(|u| Choice {
            id: u.id,
            name: u.name,
        })
        .collect())
}

#[derive(Deserialize)]
pub struct SuggestQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    plan: Option<i64>,
}

/// `GET /units/suggest?q=…[&plan=ID]`: up to 20 units matching `q` (diacritics ignored) among
/// the plan's units the caller may see, or in the caller's subtree: `[{"id": …, "name": …}]`.
pub async fn suggest(
    State(state): State<AppState>,
    page: SignedIn,
    Query(q): Query<SuggestQuery>,
) -> Result<Json<Vec<Choice>>, PageError> {
    let found = match q.plan {
        Some(plan_id) => {
            super::plan::readable_plan(&state, &page, plan_id).await?;
            let units = plan_units(&state, &page, plan_id).await?;
            matching(units.iter().map(|(id, n)| (*id, n.as_str())), &q.q)
        }
        None => subtree_matches(&state, &page, &q.q).await?,
    };
    Ok(Json(found))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_ignore_diacritics_and_prefer_short_names() {
        let units = [
            (1, "Ủy ban nhân dân phường An Mỹ"),
            (2, "Đài Truyền thanh phường An Mỹ"),
            (3, "Ủy ban nhân dân xã Tam Thăng"),
        ];
        let found = matching(units.iter().map(|(i, n)| (*i, *n)), "an my");
        assert_eq!(found.iter().map(|c| c.id).collect::<Vec<_>>(), vec![1, 2]);
        assert!(matching(units.iter().map(|(i, n)| (*i, *n)), "  ").is_empty());
    }

    #[test]
    fn links_keep_the_other_filters() {
        assert_eq!(
            with_params(
                "/plans/1?status=missed&unit_q=an&page=2",
                &[("unit", "7")],
                &["unit_q", "page"]
            ),
            "/plans/1?status=missed&unit=7"
        );
        assert_eq!(
            with_params("/deadlines?unit=3", &[], &["unit"]),
            "/deadlines"
        );
    }

    #[test]
    fn an_exact_name_chooses_the_unit() {
        let found = vec![Choice {
            id: 4,
            name: "Báo Quảng Nam".into(),
        }];
        let picker = UnitPicker::new("/deadlines", None, "Báo Quảng Nam", found, String::new());
        assert_eq!(picker.selected_id(), Some(4));
        let picker = UnitPicker::new("/deadlines", None, "zzz", Vec::new(), String::new());
        assert!(picker.none_found);
    }
}
