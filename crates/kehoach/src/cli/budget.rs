//! `kehoach budget …`: the budget cycle of a plan from the command line (the operator: no role
//! checks, changes audited as "cli").

use std::path::PathBuf;

use clap::Subcommand;

use super::{Cli, InputError};
use crate::budget::{self, LineInput, SpendingInput, describe};
use crate::store::{Change, NewSpending, PlanRow, Step, Store, StoreError};

#[derive(Debug, Subcommand)]
pub enum BudgetCommand {
    /// Estimate lines of an assignment.
    #[command(subcommand)]
    Line(LineCommand),
    /// Submit a unit's estimate for a plan (frozen from then on).
    Submit {
        #[arg(long)]
        plan: i64,
        /// The unit's code.
        #[arg(long)]
        unit: String,
    },
    /// Return a unit's submitted estimate with a reason; the unit continues in a new version.
    Return {
        #[arg(long)]
        plan: i64,
        #[arg(long)]
        unit: String,
        #[arg(long)]
        reason: String,
    },
    /// The plan office's adjusted figure for a submitted line (the unit's figure is kept).
    Propose {
        /// The line's id.
        line: i64,
        /// Whole đồng ("1.500.000").
        #[arg(long)]
        amount: String,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Send the consolidated estimate to finance; writes the Tờ trình with `-o FILE.docx`.
    Send {
        #[arg(long)]
        plan: i64,
        /// Where to write the Tờ trình (.docx).
        #[arg(short = 'o', long = "output")]
        output: Option<PathBuf>,
        /// Where to write the budget workbook (.xlsx).
        #[arg(long)]
        xlsx: Option<PathBuf>,
    },
    /// Finance's appraisal of a line: the agreed amount (0 rejects; a comment is required below
    /// the proposal).
    Appraise {
        /// The line's id.
        line: i64,
        #[arg(long)]
        amount: String,
        #[arg(long, default_value = "")]
        comment: String,
    },
    /// Record the approval decision: every appraised amount becomes its assignment's allocation.
    Approve {
        #[arg(long)]
        plan: i64,
        /// The decision's number ("123/QĐ-UBND").
        #[arg(long)]
        decision: String,
        /// YYYY-MM-DD.
        #[arg(long)]
        date: String,
    },
    /// Record spending against an assignment's allocation; warns when over.
    Spend {
        #[arg(long)]
        assignment: i64,
        #[arg(long)]
        amount: String,
        /// YYYY-MM-DD or dd/mm/yyyy.
        #[arg(long)]
        date: String,
        #[arg(long)]
        content: String,
        /// The voucher's number.
        #[arg(long, default_value = "")]
        voucher: String,
        /// The voucher as a file (stored like activities' evidence).
        #[arg(long)]
        file: Option<PathBuf>,
    },
    /// A unit submits its settlement (quyết toán).
    Settle {
        #[arg(long)]
        plan: i64,
        #[arg(long)]
        unit: String,
    },
    /// The plan office or finance accepts a unit's settlement.
    AcceptSettlement {
        #[arg(long)]
        plan: i64,
        #[arg(long)]
        unit: String,
        /// office or finance.
        #[arg(long = "by")]
        by: String,
    },
    /// Per unit and task: estimated, proposed, appraised, approved, spent (whole đồng).
    Status {
        #[arg(long)]
        plan: i64,
        /// Print JSON (the only format).
        #[arg(long)]
        json: bool,
    },
    /// The budget workbook (.xlsx): estimates, consolidation, appraisal, allocations, spending;
    /// with `--to-trinh FILE.docx` the Tờ trình again (as `send` wrote it).
    Export {
        #[arg(long)]
        plan: i64,
        #[arg(short = 'o', long = "output")]
        output: PathBuf,
        #[arg(long, value_name = "FILE.docx")]
        to_trinh: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum LineCommand {
    /// Add a line to the unit's current estimate; prints the line's id.
    Add {
        #[arg(long)]
        assignment: i64,
        /// Nội dung chi.
        #[arg(long)]
        content: String,
        /// Đơn vị tính ("buổi", "tin bài").
        #[arg(long)]
        measure: String,
        /// A whole number.
        #[arg(long)]
        quantity: String,
        /// Unit price, whole đồng ("1.500.000"; no commas, no "triệu").
        #[arg(long)]
        price: String,
        /// tinh, huyen, xa or khac.
        #[arg(long)]
        source: String,
        /// The legal basis of the rate.
        #[arg(long, default_value = "")]
        basis: String,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Import lines from a sheet (.xlsx): all rows, or none and every bad row named.
    Import { file: PathBuf },
}

fn input(e: StoreError) -> anyhow::Error {
    match e {
        StoreError::NotFound(what) => InputError(format!("{what} not found")).into(),
        StoreError::Invalid(what) => InputError(what).into(),
        other => other.into(),
    }
}

fn step<T>(s: Step<T>) -> anyhow::Result<T> {
    s.map_err(|r| InputError(r.to_string()).into())
}

async fn plan(store: &Store, id: i64) -> anyhow::Result<PlanRow> {
    store
        .plan(id)
        .await?
        .ok_or_else(|| InputError(format!("plan {id} not found")).into())
}

async fn unit_id(store: &Store, code: &str, today: chrono::NaiveDate) -> anyhow::Result<i64> {
    Ok(store
        .unit_by_code_latest(code, today)
        .await?
        .ok_or_else(|| InputError(format!("unit {code} not found")))?
        .id)
}

fn amount(field: &'static str, v: &str) -> anyhow::Result<kehoach_core::budget::Dong> {
    budget::amount_field(field, v).map_err(|e| InputError(format!("--{e}")).into())
}

pub async fn run(cli: &Cli, cmd: &BudgetCommand) -> anyhow::Result<()> {
    let store = cli.open_store().await?;
    let result = run_on(cli, &store, cmd).await;
    store.close().await;
    result
}

async fn run_on(cli: &Cli, store: &Store, cmd: &BudgetCommand) -> anyhow::Result<()> {
    let today = kehoach_core::period::today_in_vietnam(chrono::Utc::now());
    let by = Change::system("cli");
    match cmd {
        BudgetCommand::Line(LineCommand::Add {
            assignment,
            content,
            measure,
            quantity,
            price,
            source,
            basis,
            note,
        }) => {
            let line = LineInput {
                content: content.clone(),
                measure: measure.clone(),
                quantity: quantity.clone(),
                price: price.clone(),
                source: source.clone(),
                basis: basis.clone(),
                note: note.clone(),
            }
            .parse(*assignment)
            .map_err(|e| InputError(describe(&e)))?;
            let row = step(store.add_budget_line(&line, &by).await.map_err(input)?)?;
            println!("{}", row.id);
        }
        BudgetCommand::Line(LineCommand::Import { file }) => {
            let bytes = budget::import::read_file(file).map_err(InputError)?;
            let rows = budget::import::read_sheet(&bytes).map_err(InputError)?;
            let lines = budget::import::validate(store, &rows).await?;
            match lines {
                Ok(lines) => {
                    let ids = step(store.add_budget_lines(&lines, &by).await.map_err(input)?)?;
                    println!("imported {} lines", ids.len());
                }
                Err(bad) => {
                    for (row, message) in &bad {
                        eprintln!("row {row}: {message}");
                    }
                    return Err(InputError(format!(
                        "{}: {} bad row(s), nothing imported",
                        file.display(),
                        bad.len()
                    ))
                    .into());
                }
            }
        }
        BudgetCommand::Submit { plan: p, unit } => {
            plan(store, *p).await?;
            let unit = unit_id(store, unit, today).await?;
            let e = step(store.submit_estimate(*p, unit, &by).await.map_err(input)?)?;
            println!("submitted version {} of {}", e.version, e.unit_name);
        }
        BudgetCommand::Return {
            plan: p,
            unit,
            reason,
        } => {
            plan(store, *p).await?;
            if reason.chars().count() > budget::MAX_TEXT {
                return Err(InputError("--reason: at most 1000 characters".into()).into());
            }
            let unit = unit_id(store, unit, today).await?;
            let e = step(
                store
                    .return_estimate(*p, unit, reason, &by)
                    .await
                    .map_err(input)?,
            )?;
            println!(
                "returned version {} of {}; version {} is open",
                e.version,
                e.unit_name,
                e.version + 1
            );
        }
        BudgetCommand::Propose {
            line,
            amount: a,
            note,
        } => {
            let a = amount("amount", a)?;
            let row = step(
                store
                    .propose_budget_line(*line, a, note, &by)
                    .await
                    .map_err(input)?,
            )?;
            println!("{}", serde_json::to_string_pretty(&row)?);
        }
        BudgetCommand::Send {
            plan: p,
            output,
            xlsx,
        } => {
            let plan = plan(store, *p).await?;
            step(store.send_budget(plan.id, &by).await.map_err(input)?)?;
            let status = budget::status(store, &plan, None, today).await?;
            if let Some(out) = output {
                write_to_trinh(store, &plan, &status, out, today).await?;
            }
            if let Some(out) = xlsx {
                write_workbook(store, &plan, &status, out).await?;
            }
            println!(
                "sent: {} of {} units submitted, {} proposed",
                status
                    .units
                    .iter()
                    .filter(|u| u.state == "submitted")
                    .count(),
                status.units.len(),
                budget::fmt(status.total.proposed)
            );
        }
        BudgetCommand::Appraise {
            line,
            amount: a,
            comment,
        } => {
            let a = amount("amount", a)?;
            if comment.chars().count() > budget::MAX_TEXT {
                return Err(InputError("--comment: at most 1000 characters".into()).into());
            }
            let row = step(
                store
                    .appraise_budget_line(*line, a, comment, &by)
                    .await
                    .map_err(input)?,
            )?;
            println!("{}", serde_json::to_string_pretty(&row)?);
        }
        BudgetCommand::Approve {
            plan: p,
            decision,
            date,
        } => {
            plan(store, *p).await?;
            let date =
                budget::date_field("date", date).map_err(|e| InputError(format!("--{e}")))?;
            let cycle = step(
                store
                    .approve_budget(*p, decision, date, &[], &by)
                    .await
                    .map_err(input)?,
            )?;
            println!("{}", serde_json::to_string_pretty(&cycle)?);
        }
        BudgetCommand::Spend {
            assignment,
            amount: a,
            date,
            content,
            voucher,
            file,
        } => {
            let fields = SpendingInput {
                date: date.clone(),
                amount: a.clone(),
                content: content.clone(),
                voucher: voucher.clone(),
            }
            .parse(today)
            .map_err(|e| InputError(describe(&e)))?;
            if store.assignment(*assignment).await?.is_none() {
                return Err(InputError(format!("assignment {assignment} not found")).into());
            }
            let stored = match file {
                Some(path) => Some(cli.files(store).await?.store_path(path).await.map_err(
                    |e| match e {
                        crate::files::FileError::Io(io) => {
                            InputError(format!("--file {}: {io}", path.display()))
                        }
                        other => InputError(format!("--file {other}")),
                    },
                )?),
                None => None,
            };
            let spending = NewSpending {
                assignment_id: *assignment,
                spent_on: fields.spent_on,
                amount: fields.amount,
                content: fields.content,
                voucher: fields.voucher,
                file: stored,
                recorded_by: None,
            };
            let (row, left) = step(store.record_spending(&spending, &by).await.map_err(input)?)?;
            println!("{}", row.id);
            if left < 0 {
                eprintln!(
                    "warning: over the allocation by {}",
                    budget::fmt(left.saturating_neg())
                );
            } else {
                eprintln!("left of the allocation: {}", budget::fmt(left));
            }
        }
        BudgetCommand::Settle { plan: p, unit } => {
            plan(store, *p).await?;
            let unit = unit_id(store, unit, today).await?;
            step(
                store
                    .submit_settlement(*p, unit, &by)
                    .await
                    .map_err(input)?,
            )?;
            println!("settlement submitted");
        }
        BudgetCommand::AcceptSettlement {
            plan: p,
            unit,
            by: who,
        } => {
            let by_finance = match who.as_str() {
                "office" => false,
                "finance" => true,
                _ => return Err(InputError("--by: office or finance".into()).into()),
            };
            plan(store, *p).await?;
            let unit = unit_id(store, unit, today).await?;
            step(
                store
                    .accept_settlement(*p, unit, by_finance, &by)
                    .await
                    .map_err(input)?,
            )?;
            println!("settlement accepted");
        }
        BudgetCommand::Status { plan: p, json: _ } => {
            let plan = plan(store, *p).await?;
            let status = budget::status(store, &plan, None, today).await?;
            println!("{}", serde_json::to_string_pretty(&status)?);
        }
        BudgetCommand::Export {
            plan: p,
            output,
            to_trinh,
        } => {
            let plan = plan(store, *p).await?;
            let status = budget::status(store, &plan, None, today).await?;
            write_workbook(store, &plan, &status, output).await?;
            if let Some(out) = to_trinh {
                write_to_trinh(store, &plan, &status, out, today).await?;
            }
        }
    }
    Ok(())
}

async fn write_workbook(
    store: &Store,
    plan: &PlanRow,
    status: &budget::BudgetStatus,
    out: &std::path::Path,
) -> anyhow::Result<()> {
    let lines = store.budget_lines(plan.id, true).await?;
    let spending = store.budget_spending(plan.id).await?;
    let title = budget::plan_title(plan);
    let bytes = budget::xlsx::workbook(&budget::xlsx::BudgetBook {
        title: &title,
        status,
        lines: &lines,
        spending: &spending,
    })?;
    std::fs::write(out, bytes).map_err(|e| InputError(format!("{}: {e}", out.display())))?;
    Ok(())
}

async fn write_to_trinh(
    store: &Store,
    plan: &PlanRow,
    status: &budget::BudgetStatus,
    out: &std::path::Path,
    today: chrono::NaiveDate,
) -> anyhow::Result<()> {
    let lines = store.budget_lines(plan.id, true).await?;
    let issuer = store.plan_office_unit_code(plan, today).await?;
    let bytes =
        budget::to_trinh::render(store, plan, issuer.as_deref(), status, &lines, today).await?;
    std::fs::write(out, bytes).map_err(|e| InputError(format!("{}: {e}", out.display())))?;
    Ok(())
}
