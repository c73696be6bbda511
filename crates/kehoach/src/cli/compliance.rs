use chrono::NaiveDate;
use clap::Args;

use super::{Cli, InputError};
use crate::compliance::plan_compliance;

#[derive(Debug, Args)]
pub struct ComplianceArgs {
    /// The plan's id (see `kehoach plan list`).
    #[arg(long)]
    plan: i64,
    /// Only the assignments of this unit and the units under it (code).
    #[arg(long)]
    unit: Option<String>,
    /// The date to evaluate on (default: today in Vietnam).
    #[arg(long)]
    at: Option<NaiveDate>,
    #[arg(long)]
    json: bool,
}

pub async fn run(cli: &Cli, args: &ComplianceArgs) -> anyhow::Result<()> {
    let at = args
        .at
        .unwrap_or_else(|| kehoach_core::period::today_in_vietnam(chrono::Utc::now()));
    let store = cli.open_store().await?;
    let result = async {
        let only = match &args.unit {
            Some(code) => Some(
                store
                    .unit_subtree_ids(code, at)
                    .await?
                    .ok_or_else(|| InputError(format!("no unit with code {code} on {at}")))?,
            ),
            None => None,
        };
        let report = plan_compliance(&store, args.plan, at, only.as_ref())
            .await
            .map_err(|e| match e {
                crate::store::StoreError::NotFound(what) => {
                    anyhow::Error::from(InputError(format!("{what} not found")))
                }
                other => other.into(),
            })?;
        anyhow::Ok(report)
    }
    .await;
    store.close().await;
    let report = result?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        let pct = |r: Option<f64>| r.map_or("—".to_string(), |r| format!("{:.0}%", r * 100.0));
        println!(
            "plan {} at {}: reporting {}, on time {}",
            report.plan_id,
            report.at,
            pct(report.summary.reporting_rate),
            pct(report.summary.on_time_rate)
        );
        for task in &report.tasks {
            println!(
                "{:>8}  {:>5}  {}",
                task.reference,
                pct(task.summary.reporting_rate),
                task.title
            );
        }
    }
    Ok(())
}
