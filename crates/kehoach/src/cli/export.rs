//! `kehoach export`: the .xlsx tables of a plan (compliance, activities) and the DTI evidence pack.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, Subcommand};

use super::report::{input_or_internal, write_output};
use super::{Cli, InputError};
use crate::export::report::parse_year;

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// The compliance table (.xlsx): units × periods with a status and colour per cell, and a
    /// summary sheet.
    Compliance(ExportArgs),
    /// The activities with their evidence links and file names (.xlsx).
    Activities(ExportArgs),
    /// The DTI evidence pack (.zip): every evidence file of the period, named by task, unit and
    /// date, with an index workbook.
    EvidencePack(ExportArgs),
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The plan's id (see `kehoach plan list`).
    #[arg(long)]
    plan: i64,
    /// Only this unit and the units under it (code).
    #[arg(long)]
    unit: Option<String>,
    /// The year: its periods (compliance; default: the year of --at) or only activities dated
    /// in it (activities and evidence pack; default: all).
    #[arg(long)]
    period: Option<String>,
    /// The date compliance is evaluated on (default: today in Vietnam, or the day after
    /// --period's year when that is earlier).
    #[arg(long)]
    at: Option<NaiveDate>,
    /// Where to write the file.
    #[arg(short = 'o', long = "output")]
    output: PathBuf,
    /// Evidence pack: only the activities the plan office accepted.
    #[arg(long)]
    accepted_only: bool,
}

pub async fn run(cli: &Cli, cmd: &ExportCommand) -> anyhow::Result<()> {
    let today = kehoach_core::period::today_in_vietnam(chrono::Utc::now());
    let (ExportCommand::Compliance(args)
    | ExportCommand::Activities(args)
    | ExportCommand::EvidencePack(args)) = cmd;
    let year = args
        .period
        .as_deref()
        .map(parse_year)
        .transpose()
        .map_err(InputError)?;
    let store = cli.open_store().await?;
    let unit = args.unit.as_deref();
    if let ExportCommand::EvidencePack(_) = cmd {
        let result = pack(cli, &store, args, year, today).await;
        store.close().await;
        return result;
    }
    let result = match cmd {
        ExportCommand::Compliance(_) => {
            let at = args
                .at
                .unwrap_or_else(|| crate::export::year_evaluation_date(year, today));
            crate::export::compliance_xlsx(&store, args.plan, unit, at, year).await
        }
        ExportCommand::Activities(_) | ExportCommand::EvidencePack(_) => {
            crate::export::activities_xlsx(&store, args.plan, unit, year, today).await
        }
    };
    store.close().await;
    let bytes = result.map_err(input_or_internal)?;
    write_output(&args.output, &bytes)?;
    eprintln!("wrote {} ({} bytes)", args.output.display(), bytes.len());
    Ok(())
}

/// The pack is written to a temporary file beside the output and renamed when complete.
async fn pack(
    cli: &Cli,
    store: &crate::store::Store,
    args: &ExportArgs,
    year: Option<i32>,
    today: NaiveDate,
) -> anyhow::Result<()> {
    let dir = args
        .output
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let tmp = tempfile::NamedTempFile::new_in(dir)
        .map_err(|e| InputError(format!("{}: {e}", args.output.display())))?;
    let (tmp_file, tmp_path) = tmp.into_parts();
    let (summary, _) = crate::export::evidence_pack(
        store,
        &cli.files(store).await?,
        args.plan,
        args.unit.as_deref(),
        year,
        today,
        args.accepted_only,
        tmp_file,
    )
    .await
    .map_err(input_or_internal)?;
    tmp_path
        .persist(&args.output)
        .map_err(|e| InputError(format!("{}: {}", args.output.display(), e.error)))?;
    eprintln!(
        "wrote {}: {} activities, {} files ({} bytes){}",
        args.output.display(),
        summary.activities,
        summary.files,
        summary.bytes,
        if summary.missing > 0 {
            format!(", {} missing from the file store", summary.missing)
        } else {
            String::new()
        }
    );
    Ok(())
}
