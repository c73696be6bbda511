//! `kehoach period …`, `kehoach activity review` and `kehoach plan set`: review of activities and
//! approval of periods from the command line. The CLI is the operator: it acts at the top of
//! every approval chain, as `cli` in the audit log.

use clap::{Args, Subcommand};
use kehoach_core::approval::{PeriodAction, ReviewDecision};

use super::{Cli, InputError};
use crate::export::report_period::ReportPeriod;
use crate::store::{Approver, Change, PlanRow, Store, StoreError, UnitRow};

#[derive(Debug, Subcommand)]
pub enum PeriodCommand {
    /// A unit submits its period of work on a plan (with a note).
    Submit(PeriodArgs),
    /// The plan office approves a submitted period: it is locked.
    Approve(PeriodArgs),
    /// The plan office returns a submitted period (--reason required).
    Return(PeriodArgs),
    /// The plan office reopens an approved period (--reason required): it is unlocked.
    Reopen(PeriodArgs),
    /// Every unit's submitted and approved periods on a plan.
    Status {
        #[arg(long)]
        plan: i64,
        #[arg(long)]
        json: bool,
    },
    /// Let a unit write into the plan's automatically locked periods until a date.
    Except {
        #[arg(long)]
        plan: i64,
        #[arg(long)]
        unit: String,
        /// The last day allowed (YYYY-MM-DD).
        #[arg(long)]
        until: String,
    },
}

#[derive(Debug, Args)]
pub struct PeriodArgs {
    #[arg(long)]
    plan: i64,
    /// The unit's code.
    #[arg(long)]
    unit: String,
    /// 2024 (year), 2024-H1 (half), 2024-Q2 (quarter) or 2024-05 (month).
    #[arg(long)]
    period: String,
    /// The submission's note, or why it is returned or reopened.
    #[arg(long, default_value = "")]
    reason: String,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("decision").required(true).args(["accept", "return_reason"])))]
pub struct ReviewArgs {
    /// The activity's id.
    activity: i64,
    /// Accept it.
    #[arg(long)]
    accept: bool,
    /// Return it with this reason.
    #[arg(long = "return", value_name = "REASON")]
    return_reason: Option<String>,
}

#[derive(Debug, Args)]
pub struct PlanSetArgs {
    /// The plan's id.
    plan: i64,
    /// Count only accepted activities, or all (accepted ones marked).
    #[arg(long, value_parser = ["accepted", "all"])]
    count: Option<String>,
    /// Lock periods automatically N days after they end (0–366; "off" to stop).
    #[arg(long, value_name = "N")]
    auto_lock_days: Option<String>,
}

/// Store errors a user can fix (or must be told about in one line): exit 2.
fn as_input(e: StoreError) -> anyhow::Error {
    match e {
        StoreError::NotFound(what) => InputError(format!("{what} not found")).into(),
        StoreError::Invalid(msg) => InputError(msg).into(),
        StoreError::Locked(lock) => InputError(lock.to_string()).into(),
        StoreError::Closed(why) => InputError(why.to_string()).into(),
        other => other.into(),
    }
}

async fn plan_of(store: &Store, id: i64) -> anyhow::Result<PlanRow> {
    store
        .plan(id)
        .await?
        .ok_or_else(|| InputError(format!("--plan: plan {id} not found")).into())
}

async fn unit_of(
    store: &Store,
    plan: &PlanRow,
    code: &str,
    on: chrono::NaiveDate,
) -> anyhow::Result<UnitRow> {
    crate::export::plan_unit(store, plan, code.trim(), on)
        .await?
        .map(|(u, _)| u)
        .ok_or_else(|| InputError(format!("--unit: no unit with code {code}")).into())
}

fn period_of(plan: &PlanRow, text: &str) -> anyhow::Result<ReportPeriod> {
    let period = ReportPeriod::parse(text).map_err(|e| InputError(format!("--{e}")))?;
    let outside = plan.period_to.is_some_and(|to| period.from > to)
        || plan.period_from.is_some_and(|from| period.to < from);
    if outside {
        return Err(InputError(format!("--period: {text} lies outside the plan's period")).into());
    }
    Ok(period)
}

pub async fn run(cli: &Cli, cmd: &PeriodCommand) -> anyhow::Result<()> {
    let by = Change::system("cli");
    let store = cli.open_store().await?;
    let result = async {
        let (args, action) = match cmd {
            PeriodCommand::Submit(a) => (a, PeriodAction::Submit),
            PeriodCommand::Approve(a) => (a, PeriodAction::Approve),
            PeriodCommand::Return(a) => (a, PeriodAction::Return),
            PeriodCommand::Reopen(a) => (a, PeriodAction::Reopen),
            PeriodCommand::Status { plan, json } => {
                let plan = plan_of(&store, *plan).await?;
                let counting = store.plan_counting(plan.id).await?;
                let periods = store.period_approvals(plan.id, None).await?;
                if *json {
                    let value = serde_json::json!({
                        "plan_id": plan.id,
                        "accepted_only": counting.accepted_only,
                        "auto_lock_days": counting.auto_lock_days,
                        "periods": periods,
                    });
                    println!("{}", serde_json::to_string_pretty(&value)?);
                } else {
                    for p in &periods {
                        println!(
                            "{}\t{}\t{}\t{} ({}/{})",
                            p.unit_code,
                            p.unit_name,
                            p.label,
                            p.state,
                            p.steps_done,
                            p.chain_ids().len()
                        );
                    }
                }
                return Ok(());
            }
            PeriodCommand::Except { plan, unit, until } => {
                let plan = plan_of(&store, *plan).await?;
                let until = chrono::NaiveDate::parse_from_str(until.trim(), "%Y-%m-%d")
                    .map_err(|_| InputError("--until: a date YYYY-MM-DD".into()))?;
                let unit = unit_of(&store, &plan, unit, until).await?;
                store
                    .grant_lock_exception(plan.id, unit.id, until, &by)
                    .await
                    .map_err(as_input)?;
                println!("{} may write into locked periods until {until}", unit.name);
                return Ok(());
            }
        };
        let plan = plan_of(&store, args.plan).await?;
        let period = period_of(&plan, &args.period)?;
        let unit = unit_of(&store, &plan, &args.unit, period.from).await?;
        let row = store
            .period_action(
                plan.id,
                unit.id,
                &period,
                action,
                &args.reason,
                Approver { scope_root: None },
                &by,
            )
            .await
            .map_err(as_input)?;
        println!("{}", serde_json::to_string_pretty(&row)?);
        Ok::<(), anyhow::Error>(())
    }
    .await;
    store.close().await;
    result
}

/// `kehoach activity review ACTIVITY (--accept | --return REASON)`.
pub async fn review(cli: &Cli, args: &ReviewArgs) -> anyhow::Result<()> {
    let (decision, reason) = match &args.return_reason {
        Some(reason) => (ReviewDecision::Return, reason.as_str()),
        None => (ReviewDecision::Accept, ""),
    };
    let store = cli.open_store().await?;
    let result = store
        .review_activities(&[args.activity], decision, reason, &Change::system("cli"))
        .await;
    store.close().await;
    let done = result.map_err(as_input)?;
    for (id, state) in done {
        println!(
            "{}",
            serde_json::json!({"id": id, "review_state": state.as_str()})
        );
    }
    Ok(())
}

/// `kehoach plan set PLAN --count accepted|all [--auto-lock-days N]`.
pub async fn plan_set(cli: &Cli, args: &PlanSetArgs) -> anyhow::Result<()> {
    let days = match args.auto_lock_days.as_deref().map(str::trim) {
        None => None,
        Some("off" | "none") => Some(None),
        Some(n) => Some(Some(
            n.parse::<u32>().ok().filter(|n| *n <= 366).ok_or_else(|| {
                InputError("--auto-lock-days: a number of days from 0 to 366, or off".into())
            })?,
        )),
    };
    let accepted = args.count.as_deref().map(|c| c == "accepted");
    if accepted.is_none() && days.is_none() {
        return Err(InputError("give --count or --auto-lock-days".into()).into());
    }
    let store = cli.open_store().await?;
    let result = store
        .set_plan_counting(args.plan, accepted, days, &Change::system("cli"))
        .await;
    store.close().await;
    let counting = result.map_err(as_input)?;
    println!("{}", serde_json::to_string_pretty(&counting)?);
    Ok(())
}
