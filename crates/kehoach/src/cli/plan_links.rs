//! `kehoach plan link | links | coverage | map-task | carry | diff`: plans that implement plans
//! (issue 22), over `crate::plan_links`.

use chrono::NaiveDate;
use clap::Subcommand;

use super::{Cli, InputError};
use crate::plan_links::{self, CascadeError};
use crate::store::Change;

#[derive(Debug, Subcommand)]
pub enum CascadeCommand {
    /// Link a plan to the plan it implements (completes the parent's "issue your own plan"
    /// deliverable for the child's issuer and proposes the coverage of its tasks).
    Link {
        child: i64,
        #[arg(long)]
        parent: i64,
        /// Remove the link instead (and the activity it recorded).
        #[arg(long)]
        unlink: bool,
        #[arg(long)]
        json: bool,
    },
    /// A plan's parents, children, proposed parents, and the units that owe it a plan with
    /// their deadline state.
    Links {
        plan: i64,
        /// The date of the deadline states (default: today).
        #[arg(long)]
        at: Option<NaiveDate>,
        #[arg(long)]
        json: bool,
    },
    /// Per task of a parent plan, the child tasks mapped to it, by plan.
    Coverage {
        parent: i64,
        #[arg(long)]
        json: bool,
    },
    /// Confirm or correct which parent task a child task carries out.
    MapTask {
        child_task: i64,
        /// The parent plan.
        #[arg(long)]
        parent: i64,
        /// The parent task it carries out.
        #[arg(long, conflicts_with = "none", required_unless_present = "none")]
        to: Option<i64>,
        /// It carries out no task of the parent plan.
        #[arg(long)]
        none: bool,
    },
    /// Next year's draft: the same tasks and targets, dates shifted, every lead unit re-resolved
    /// through the 2025 reform's successors (each lead unit's fate listed).
    Carry {
        plan: i64,
        #[arg(long)]
        to: i32,
        /// Import the draft as a new plan (no number nor issue date yet: set them with
        /// `PATCH /api/v1/plans/{id}` when it is issued); the units to confirm stay unresolved
        /// leads of their tasks, to choose with `kehoach task edit --lead`.
        #[arg(long)]
        import: bool,
        #[arg(long)]
        json: bool,
    },
    /// Tasks added, removed and changed from plan A to plan B.
    Diff {
        a: i64,
        b: i64,
        #[arg(long)]
        json: bool,
    },
}

fn input(e: CascadeError) -> anyhow::Error {
    match e {
        CascadeError::Store(e) => match e {
            crate::store::StoreError::NotFound(_) | crate::store::StoreError::Conflict(_) => {
                InputError(e.to_string()).into()
            }
            e => anyhow::Error::from(e),
        },
        other => InputError(other.to_string()).into(),
    }
}

pub async fn run(cli: &Cli, cmd: &CascadeCommand) -> anyhow::Result<()> {
    let store = cli.open_store().await?;
    let by = Change::system("cli");
    let out = run_on(&store, cmd, &by).await;
    store.close().await;
    out
}

async fn run_on(
    store: &crate::store::Store,
    cmd: &CascadeCommand,
    by: &Change,
) -> anyhow::Result<()> {
    match cmd {
        CascadeCommand::Link {
            child,
            parent,
            unlink,
            json,
        } => {
            if *unlink {
                plan_links::unlink(store, *child, *parent, by)
                    .await
                    .map_err(input)?;
                if *json {
                    println!(
                        "{}",
                        serde_json::json!({"child_plan_id": child, "parent_plan_id": parent, "unlinked": true})
                    );
                } else {
                    println!("plan {child} no longer implements plan {parent}");
                }
                return Ok(());
            }
            let done = plan_links::link(store, *child, *parent, by)
                .await
                .map_err(input)?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&done)?);
            } else {
                println!(
                    "plan {child} implements plan {parent} ({})",
                    if done.basis.is_empty() {
                        "by hand"
                    } else {
                        &done.basis
                    }
                );
                if let Some(d) = &done.deliverable {
                    println!("  deliverable done for {} on {}", d.unit_name, d.done_on);
                }
                println!(
                    "  {} tasks mapped to the parent's (to confirm)",
                    done.coverage_proposed
                );
            }
        }
        CascadeCommand::Links { plan, at, json } => {
            let at = at.unwrap_or_else(|| chrono::Local::now().date_naive());
            let view = plan_links::links(store, *plan, at).await.map_err(input)?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&view)?);
            } else {
                for p in &view.parents {
                    println!(
                        "implements {}\t{}\t{}",
                        p.plan_id,
                        p.number.as_deref().unwrap_or("-"),
                        p.title
                    );
                }
                for p in &view.proposed_parents {
                    println!("may implement {}\t(cites {})", p.parent_plan_id, p.basis);
                }
                for c in &view.children {
                    println!(
                        "implemented by {}\t{}\t{}",
                        c.plan_id,
                        c.number.as_deref().unwrap_or("-"),
                        c.title
                    );
                }
                println!("{} of {} units owe a plan", view.missing, view.units.len());
                for u in view.units.iter().filter(|u| u.plans.is_empty()) {
                    println!("  {}\t{}\t{}", u.unit_code, u.unit_name, u.state);
                }
            }
        }
        CascadeCommand::Coverage { parent, json } => {
            let view = plan_links::coverage(store, *parent).await.map_err(input)?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&view)?);
            } else {
                for t in &view.tasks {
                    println!("{} {}", t.reference, t.title);
                    for c in &t.children {
                        let flag = if c.less_than_parent {
                            " (less than asked)"
                        } else {
                            ""
                        };
                        println!(
                            "  plan {}: {} {}{flag}",
                            c.child_plan_id, c.reference, c.title
                        );
                    }
                }
            }
        }
        CascadeCommand::MapTask {
            child_task,
            parent,
            to,
            none: _,
        } => {
            plan_links::map_task(store, *parent, *child_task, *to, by)
                .await
                .map_err(input)?;
            println!(
                "task {child_task}: {}",
                to.map_or(
                    "carries out no task of the parent".to_string(),
                    |t| format!("carries out task {t}")
                )
            );
        }
        CascadeCommand::Carry {
            plan,
            to,
            import: true,
            json,
        } => {
            let prepared = plan_links::carry_as_import(store, *plan, *to, by)
                .await
                .map_err(input)?;
            let imported = crate::import::commit(store, prepared, by).await?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&imported)?);
            } else {
                println!(
                    "plan {}: {} tasks, {} assignments; {} leads to confirm",
                    imported.plan_id,
                    imported.tasks,
                    imported.assignments,
                    imported.unresolved.len()
                );
            }
        }
        CascadeCommand::Carry {
            plan,
            to,
            import: false,
            json,
        } => {
            let draft = plan_links::carry(store, *plan, *to, by)
                .await
                .map_err(input)?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&draft)?);
            } else {
                println!(
                    "{} ({} tasks): {} units kept, {} replaced, {} to confirm",
                    draft.title,
                    draft.tasks.len(),
                    draft.kept,
                    draft.replaced,
                    draft.to_confirm
                );
                for u in &draft.units {
                    println!(
                        "  {}\t{}\t{}",
                        u.code,
                        u.name,
                        serde_json::to_string(&u.fate)?
                    );
                }
            }
        }
        CascadeCommand::Diff { a, b, json } => {
            let d = plan_links::plan_diff(store, *a, *b).await.map_err(input)?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&d)?);
            } else {
                println!(
                    "{} added, {} removed, {} changed, {} unchanged",
                    d.added.len(),
                    d.removed.len(),
                    d.changed.len(),
                    d.unchanged
                );
            }
        }
    }
    Ok(())
}
