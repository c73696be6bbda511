//! `kehoach task edit|add|remove`: correcting a plan's tasks after import (issue 19). Targets,
//! leads and partners given replace the task's; a removed lead's assignment is closed today
//! (its activities and past figures kept).

use chrono::Utc;
use clap::{Args, Subcommand};
use kehoach_core::period::today_in_vietnam;

use super::{Cli, InputError};
use crate::plan_edit::{
    EditError, TaskFields, TaskView, UnitRef, parse_optional_date, parse_target, parse_window,
};
use crate::store::{Change, PlanEditError, Store};

#[derive(Debug, Subcommand)]
pub enum TaskCommand {
    /// Correct a task: only what is given changes.
    Edit {
        /// The task's id.
        task: i64,
        #[command(flatten)]
        fields: FieldArgs,
        /// Print the task after the edit as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Add a task to a plan by hand.
    Add {
        /// The plan's id.
        #[arg(long)]
        plan: i64,
        #[command(flatten)]
        fields: FieldArgs,
        #[arg(long)]
        json: bool,
    },
    /// Remove a task from its plan: it is closed today, nothing is deleted.
    Remove {
        /// The task's id.
        task: i64,
        #[arg(long)]
        json: bool,
    },
}

/// What `task edit` and `task add` may set.
#[derive(Debug, Args)]
pub struct FieldArgs {
    /// The task's reference in the plan ("3.2"); needed by `task add`.
    #[arg(long = "ref", value_name = "REF")]
    reference: Option<String>,
    #[arg(long)]
    title: Option<String>,
    #[arg(long)]
    content: Option<String>,
    /// The deadline, YYYY-MM-DD, or `none`.
    #[arg(long, value_name = "YYYY-MM-DD|none")]
    due: Option<String>,
    /// The task's own window FROM..TO (within the plan's period), or `none`.
    #[arg(long, value_name = "FROM..TO|none")]
    window: Option<String>,
    /// A target COUNT/PER[/NOUN] (per: day, week, month, quarter, year, plan); repeat for
    /// several. Given targets replace the task's.
    #[arg(long, value_name = "COUNT/PER[/NOUN]")]
    target: Vec<String>,
    /// Remove every target.
    #[arg(long, conflicts_with = "target")]
    no_targets: bool,
    /// A lead unit's code; repeat for several. Given leads replace the task's: a new one gets an
    /// assignment, a missing one's assignment is closed today.
    #[arg(long, value_name = "CODE")]
    lead: Vec<String>,
    /// A partner unit's code; repeat for several. Given partners replace the task's.
    #[arg(long, value_name = "CODE")]
    partner: Vec<String>,
    /// Remove every partner.
    #[arg(long, conflicts_with = "partner")]
    no_partners: bool,
}

fn input(e: EditError) -> anyhow::Error {
    InputError(e.to_string()).into()
}

/// Unit codes to units, today (or the last unit a code named).
async fn units(store: &Store, option: &str, codes: &[String]) -> anyhow::Result<Vec<UnitRef>> {
    let today = today_in_vietnam(Utc::now());
    let mut out = Vec::with_capacity(codes.len());
    for code in codes {
        let code = code.trim();
        let unit = store
            .unit_by_code_latest(code, today)
            .await?
            .ok_or_else(|| InputError(format!("{option} {code}: no unit has this code")))?;
        out.push(UnitRef {
            id: unit.id,
            code: unit.code,
        });
    }
    Ok(out)
}

impl FieldArgs {
    async fn fields(&self, store: &Store) -> anyhow::Result<TaskFields> {
        let mut f = TaskFields {
            reference: self.reference.clone(),
            title: self.title.clone(),
            content: self.content.clone(),
            ..TaskFields::default()
        };
        if let Some(due) = &self.due {
            f.due = Some(parse_optional_date("due", due).map_err(input)?);
        }
        if let Some(window) = &self.window {
            f.window = Some(parse_window(window).map_err(input)?);
        }
        if self.no_targets {
            f.targets = Some(Vec::new());
        } else if !self.target.is_empty() {
            let targets: Result<Vec<_>, _> = self.target.iter().map(|t| parse_target(t)).collect();
            f.targets = Some(targets.map_err(input)?);
        }
        if !self.lead.is_empty() {
            f.leads = Some(units(store, "--lead", &self.lead).await?);
        }
        if self.no_partners {
            f.partners = Some(Vec::new());
        } else if !self.partner.is_empty() {
            f.partners = Some(units(store, "--partner", &self.partner).await?);
        }
        Ok(f)
    }
}

/// A refused edit is the user's to fix: exit 2 with one line.
fn refused(e: PlanEditError) -> anyhow::Error {
    match e {
        PlanEditError::Store(e) => e.into(),
        other => InputError(other.to_string()).into(),
    }
}

fn print(view: &TaskView, json: bool) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(view)?);
        return Ok(());
    }
    let targets: Vec<String> = view
        .targets
        .iter()
        .map(|t| {
            format!(
                "{}/{}{}",
                t.count,
                t.per,
                if t.noun.is_empty() {
                    String::new()
                } else {
                    format!("/{}", t.noun)
                }
            )
        })
        .collect();
    println!(
        "task {} ({}) v{}: {}{}",
        view.id,
        view.reference,
        view.version,
        view.title,
        match view.removed_on {
            Some(d) => format!(" [removed on {d}]"),
            None => String::new(),
        }
    );
    println!(
        "  targets: {}",
        if targets.is_empty() {
            "-".into()
        } else {
            targets.join(", ")
        }
    );
    println!(
        "  leads: {}",
        if view.leads.is_empty() {
            "-".into()
        } else {
            view.leads.join(", ")
        }
    );
    Ok(())
}

pub async fn run(cli: &Cli, cmd: &TaskCommand) -> anyhow::Result<()> {
    let store = cli.open_store().await?;
    let result = run_on(&store, cmd).await;
    store.close().await;
    result
}

async fn run_on(store: &Store, cmd: &TaskCommand) -> anyhow::Result<()> {
    let today = today_in_vietnam(Utc::now());
    let by = Change::system("cli");
    match cmd {
        TaskCommand::Edit { task, fields, json } => {
            let fields = fields.fields(store).await?;
            let view = store
                .edit_task(*task, None, &fields, today, &by)
                .await
                .map_err(refused)?;
            print(&view, *json)
        }
        TaskCommand::Add { plan, fields, json } => {
            let f = fields.fields(store).await?;
            let view = store
                .add_task(*plan, &f, today, &by)
                .await
                .map_err(refused)?;
            print(&view, *json)
        }
        TaskCommand::Remove { task, json } => {
            let view = store
                .remove_task(*task, today, &by)
                .await
                .map_err(refused)?;
            print(&view, *json)
        }
    }
}
