//! `kehoach report-request add|list|status` and the chain's steps under `kehoach report`
//! (`draft`, `submit`, `review`, `compile`): the reporting chain from the command line.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::Subcommand;

use super::report::write_output;
use super::{Cli, InputError};
use crate::reporting::{self, AddRequest, ChainError, Submit};
use crate::store::Change;

#[derive(Debug, Subcommand)]
pub enum RequestCommand {
    /// Ask units for a report: prints the request's id (one per period when --repeat is given).
    Add {
        #[arg(long)]
        plan: i64,
        #[arg(long)]
        title: String,
        /// The deadline, YYYY-MM-DD.
        #[arg(long)]
        due: NaiveDate,
        /// The period reported on: 2024, 2024-H1, 2024-Q3 or 2024-05 (default: the deadline's
        /// year). Its span follows the data cut-off of Decree 09/2019 (a month from the 15th of
        /// the month before to the 14th) unless --calendar is given.
        #[arg(long)]
        period: Option<String>,
        /// Calendar periods instead of Decree 09's cut-off.
        #[arg(long)]
        calendar: bool,
        /// A recurring request: this many consecutive periods from --period, each due as long
        /// after its period as the first.
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=24))]
        repeat: Option<u32>,
        /// A unit asked (its code); repeat for several. Default: the plan's lead units.
        #[arg(long = "unit")]
        units: Vec<String>,
        /// A question the units must answer; repeat for several.
        #[arg(long = "question")]
        questions: Vec<String>,
    },
    /// A plan's report requests (its report deliverables are requests too).
    List {
        #[arg(long)]
        plan: i64,
        #[arg(long)]
        json: bool,
    },
    /// Each unit's state on a request and its official deadline state.
    Status {
        request: i64,
        /// Evaluate on this date instead of today.
        #[arg(long)]
        at: Option<NaiveDate>,
        #[arg(long)]
        json: bool,
    },
}

/// The chain's steps, under `kehoach report`.
#[derive(Debug, Subcommand)]
pub enum ChainCommand {
    /// A unit's draft (its data and its sections) as .docx; the frozen one once submitted.
    Draft {
        request: i64,
        #[arg(long)]
        unit: String,
        #[arg(short = 'o', long = "output")]
        output: PathBuf,
    },
    /// Submit a unit's report: freezes it and records it as the deliverable's completion.
    Submit {
        request: i64,
        #[arg(long)]
        unit: String,
        /// The document number ("12/BC-STTTT").
        #[arg(long)]
        number: String,
        /// The report's date, YYYY-MM-DD.
        #[arg(long)]
        date: NaiveDate,
        #[arg(long)]
        signer: String,
        /// The signed scan (PDF).
        #[arg(long)]
        scan: Option<PathBuf>,
    },
    /// Accept a unit's submitted report, or return it with a reason.
    Review {
        request: i64,
        #[arg(long)]
        unit: String,
        #[arg(
            long,
            conflicts_with = "return_reason",
            required_unless_present = "return_reason"
        )]
        accept: bool,
        #[arg(long = "return", value_name = "REASON")]
        return_reason: Option<String>,
    },
    /// The plan office's compiled report: live figures and the accepted units' sections.
    Compile {
        request: i64,
        #[arg(short = 'o', long = "output")]
        output: PathBuf,
    },
}

fn today() -> NaiveDate {
    kehoach_core::period::today_in_vietnam(chrono::Utc::now())
}

/// The user's mistakes exit 2 with one line; the rest are ours.
fn input_or_internal(e: ChainError) -> anyhow::Error {
    match e {
        ChainError::NotFound(m) | ChainError::BadInput(m) | ChainError::Conflict(m) => {
            InputError(m).into()
        }
        ChainError::Section(s) => InputError(s.to_string()).into(),
        ChainError::Stale(_) => InputError(e.to_string()).into(),
        ChainError::Export(x) => super::report::input_or_internal(x),
        ChainError::File(
            f @ (crate::files::FileError::TooLarge { .. }
            | crate::files::FileError::Unsupported { .. }
            | crate::files::FileError::Empty { .. }
            | crate::files::FileError::BadName(_)),
        ) => InputError(f.to_string()).into(),
        other => other.into(),
    }
}

pub async fn run(cli: &Cli, cmd: &RequestCommand) -> anyhow::Result<()> {
    let store = cli.open_store().await?;
    let result = run_request(&store, cmd).await;
    store.close().await;
    result
}

async fn run_request(store: &crate::store::Store, cmd: &RequestCommand) -> anyhow::Result<()> {
    let by = Change::system("cli");
    match cmd {
        RequestCommand::Add {
            plan,
            title,
            due,
            period,
            calendar,
            repeat,
            units,
            questions,
        } => {
            let ids = reporting::add_request(
                store,
                &AddRequest {
                    plan_id: *plan,
                    title: title.clone(),
                    due: *due,
                    period: period.clone(),
                    calendar: *calendar,
                    repeat: repeat.unwrap_or(1) as usize,
                    units: units.clone(),
                    questions: questions.clone(),
                },
                &by,
            )
            .await
            .map_err(input_or_internal)?;
            for id in ids {
                println!("{id}");
            }
        }
        RequestCommand::List { plan, json } => {
            if store.plan(*plan).await?.is_none() {
                return Err(InputError(format!("plan {plan} not found")).into());
            }
            reporting::ensure_plan_requests(store, *plan)
                .await
                .map_err(input_or_internal)?;
            let mut out = Vec::new();
            for r in store.report_requests_of_plan(*plan).await? {
                let units = store.report_request_units(r.id).await?;
                out.push(serde_json::json!({
                    "id": r.id,
                    "plan_id": r.plan_id,
                    "task_id": r.task_id,
                    "kind": r.kind,
                    "title": r.title,
                    "due": r.due,
                    "period": r.period_kind,
                    "period_from": r.period_from,
                    "period_to": r.period_to,
                    "questions": reporting::questions_of(&r),
                    "units": units.iter().map(|u| &u.code).collect::<Vec<_>>(),
                }));
            }
            if *json {
                println!("{}", serde_json::to_string_pretty(&out)?);
            } else {
                for r in &out {
                    println!(
                        "{}\t{}\t{}\t{} units\t{}",
                        r["id"],
                        r["due"].as_str().unwrap_or(""),
                        r["kind"].as_str().unwrap_or(""),
                        r["units"].as_array().map_or(0, Vec::len),
                        r["title"].as_str().unwrap_or("")
                    );
                }
            }
        }
        RequestCommand::Status { request, at, json } => {
            let status = reporting::status(store, *request, at.unwrap_or_else(today))
                .await
                .map_err(input_or_internal)?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&status)?);
            } else {
                println!("{} (hạn {})", status.request.title, status.request.due);
                for u in &status.units {
                    println!(
                        "{}\t{}\t{}\t{}",
                        u.code,
                        u.state.as_str(),
                        u.deadline_state,
                        u.name
                    );
                }
            }
        }
    }
    Ok(())
}

pub async fn run_chain(cli: &Cli, cmd: &ChainCommand) -> anyhow::Result<()> {
    let store = cli.open_store().await?;
    let result = chain(cli, &store, cmd).await;
    store.close().await;
    result
}

async fn chain(cli: &Cli, store: &crate::store::Store, cmd: &ChainCommand) -> anyhow::Result<()> {
    let by = Change::system("cli");
    let files = cli.files(store).await?;
    let fail = input_or_internal;
    match cmd {
        ChainCommand::Draft {
            request,
            unit,
            output,
        } => {
            let r = reporting::request(store, *request).await.map_err(fail)?;
            let author = reporting::author(store, &r, unit).await.map_err(fail)?;
            let d = reporting::draft(store, &r, author, today())
                .await
                .map_err(fail)?;
            let bytes = reporting::draft_docx(&files, &d).await.map_err(fail)?;
            write_output(output, &bytes)?;
            eprintln!("wrote {} ({} bytes)", output.display(), bytes.len());
        }
        ChainCommand::Submit {
            request,
            unit,
            number,
            date,
            signer,
            scan,
        } => {
            let r = reporting::request(store, *request).await.map_err(fail)?;
            let author = reporting::author(store, &r, unit).await.map_err(fail)?;
            let scan = match scan {
                Some(path) => {
                    let meta = std::fs::metadata(path)
                        .map_err(|e| InputError(format!("scan: {}: {e}", path.display())))?;
                    if meta.len() > files.max_bytes() {
                        return Err(InputError(format!(
                            "scan: larger than the limit of {} bytes",
                            files.max_bytes()
                        ))
                        .into());
                    }
                    let bytes = std::fs::read(path)
                        .map_err(|e| InputError(format!("scan: {}: {e}", path.display())))?;
                    let name = path
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_else(|| "scan.pdf".into());
                    Some((name, bytes))
                }
                None => None,
            };
            let row = reporting::submit(
                store,
                &files,
                &r,
                &author,
                &Submit {
                    number: number.clone(),
                    date: *date,
                    signer: signer.clone(),
                    scan,
                },
                today(),
                &by,
            )
            .await
            .map_err(fail)?;
            println!("{}", row.id);
            eprintln!("submitted; .docx sha256 {}", row.docx_sha256);
        }
        ChainCommand::Review {
            request,
            unit,
            accept,
            return_reason,
        } => {
            let r = reporting::request(store, *request).await.map_err(fail)?;
            let author = reporting::author(store, &r, unit).await.map_err(fail)?;
            let row = reporting::review(store, &r, &author, *accept, return_reason.as_deref(), &by)
                .await
                .map_err(fail)?;
            println!("{}", row.state);
        }
        ChainCommand::Compile { request, output } => {
            let r = reporting::request(store, *request).await.map_err(fail)?;
            let d = reporting::compiled_draft(store, &r, today())
                .await
                .map_err(fail)?;
            let bytes = reporting::draft_docx(&files, &d).await.map_err(fail)?;
            write_output(output, &bytes)?;
            eprintln!("wrote {} ({} bytes)", output.display(), bytes.len());
        }
    }
    Ok(())
}
