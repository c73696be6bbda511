//! `kehoach report`: the year-end report of a plan as a .docx in the Decree 30/2020 layout.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, ValueEnum};

use super::{Cli, InputError};
use crate::export::report_period::{ReportPeriod, current};
use crate::export::{ExportError, ReportOverrides};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ReportFormat {
    Docx,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The reporting chain's steps (draft, submit, review, compile); without one, the plan's
    /// report as before.
    #[command(subcommand)]
    chain: Option<super::report_request::ChainCommand>,
    /// The plan's id (see `kehoach plan list`).
    #[arg(long, required = true)]
    plan: Option<i64>,
    /// Only this unit and the units under it (code); it becomes the issuing body.
    #[arg(long)]
    unit: Option<String>,
    /// The period reported on: a year (2024), a half (2024-H1), a quarter (2024-Q3) or a month
    /// (2024-05); default: this year.
    #[arg(long)]
    period: Option<String>,
    #[arg(long, value_enum, default_value_t = ReportFormat::Docx)]
    format: ReportFormat,
    /// Where to write the report.
    #[arg(short = 'o', long = "output", required = true)]
    output: Option<PathBuf>,
    /// Evaluate on this date instead of the day after the period (or today while it runs).
    #[arg(long)]
    at: Option<NaiveDate>,
    /// The date printed on the report (default: today).
    #[arg(long)]
    date: Option<NaiveDate>,
    /// The report's number, when the clerk has given one (otherwise left blank to fill in).
    #[arg(long)]
    number: Option<u32>,
    /// The issuing body ("Sở Khoa học và Công nghệ").
    #[arg(long)]
    issuer: Option<String>,
    /// The body above the issuer ("UBND tỉnh Quảng Nam").
    #[arg(long)]
    parent: Option<String>,
    /// The issuer's code after "BC-" ("SKHCN"; default: its initials).
    #[arg(long)]
    code: Option<String>,
    /// The place before the date ("Quảng Nam").
    #[arg(long)]
    place: Option<String>,
    /// A "Kính gửi" recipient; repeat for several.
    #[arg(long = "to")]
    recipients: Vec<String>,
    /// A "Nơi nhận" line besides "Như trên" and "Lưu"; repeat for several.
    #[arg(long = "cc")]
    copies: Vec<String>,
    /// An authority line of the signature block ("KT. GIÁM ĐỐC"); repeat for several.
    #[arg(long)]
    authority: Vec<String>,
    /// The signer's name.
    #[arg(long)]
    signer: Option<String>,
}

pub async fn run(cli: &Cli, args: &ReportArgs) -> anyhow::Result<()> {
    if let Some(chain) = &args.chain {
        return super::report_request::run_chain(cli, chain).await;
    }
    // clap requires both without a subcommand.
    let (Some(plan), Some(output)) = (args.plan, args.output.as_ref()) else {
        return Err(InputError("--plan and --output are required".into()).into());
    };
    let today = kehoach_core::period::today_in_vietnam(chrono::Utc::now());
    let period = match &args.period {
        Some(p) => ReportPeriod::parse(p).map_err(InputError)?,
        None => current(today),
    };
    let overrides = ReportOverrides {
        at: args.at,
        dated: args.date,
        parent_body: args.parent.clone(),
        issuing_body: args.issuer.clone(),
        number: args.number,
        code: args.code.clone(),
        place: args.place.clone(),
        recipients: args.recipients.clone(),
        copies: args.copies.clone(),
        authority: args.authority.clone(),
        signer: args.signer.clone(),
    };
    let store = cli.open_store().await?;
    let result = match args.format {
        ReportFormat::Docx => {
            crate::export::report_docx(
                &store,
                plan,
                args.unit.as_deref(),
                period,
                args.date.unwrap_or(today),
                &overrides,
            )
            .await
        }
    };
    store.close().await;
    let (_, bytes) = result.map_err(input_or_internal)?;
    write_output(output, &bytes)?;
    eprintln!("wrote {} ({} bytes)", output.display(), bytes.len());
    Ok(())
}

/// A missing plan or unit and a bad argument are the user's problem (exit 2); the rest is ours.
pub fn input_or_internal(e: ExportError) -> anyhow::Error {
    match e {
        ExportError::NotFound(m) | ExportError::BadInput(m) => InputError(m).into(),
        ExportError::Store(crate::store::StoreError::NotFound(what)) => {
            InputError(format!("{what} not found")).into()
        }
        other => other.into(),
    }
}

/// Writes next to the target and renames, so a failed run never leaves half a file.
pub fn write_output(path: &std::path::Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .map_err(|e| InputError(format!("{}: {e}", path.display())))?;
    std::io::Write::write_all(&mut tmp, bytes)?;
    tmp.persist(path)
        .map_err(|e| InputError(format!("{}: {}", path.display(), e.error)))?;
    Ok(())
}
