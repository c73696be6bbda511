use chrono::NaiveDate;
use clap::Subcommand;

use super::{Cli, InputError};
use crate::store::{Change, NewActivity, NewEvidence};

#[derive(Debug, Subcommand)]
pub enum ActivityCommand {
    /// Record what a unit did for an assignment.
    Add {
        #[arg(long)]
        assignment: i64,
        /// The day it happened (YYYY-MM-DD).
        #[arg(long)]
        date: NaiveDate,
        #[arg(long)]
        title: String,
        /// How many of the target's unit it counts for (default 1).
        #[arg(long, default_value_t = 1.0)]
        quantity: f64,
        /// A link to the evidence (article, broadcast page); may be repeated.
        #[arg(long)]
        url: Vec<String>,
        /// Marks the deliverable of a task with a due date as done.
        #[arg(long)]
        completes: bool,
        #[arg(long, default_value = "")]
        kind: String,
    },
}

/// Largest quantity one activity may claim.
const MAX_QUANTITY: f64 = 1_000_000.0;

pub async fn run(cli: &Cli, cmd: &ActivityCommand) -> anyhow::Result<()> {
    match cmd {
        ActivityCommand::Add {
            assignment,
            date,
            title,
            quantity,
            url,
            completes,
            kind,
        } => {
            let title = kehoach_core::text::nfc(title);
            if title.is_empty() || title.chars().count() > 500 {
                return Err(InputError("--title: 1 to 500 characters".into()).into());
            }
            if !(*quantity > 0.0 && *quantity <= MAX_QUANTITY) {
                return Err(InputError(format!(
                    "--quantity: more than 0 and at most {MAX_QUANTITY}"
                ))
                .into());
            }
            let today = kehoach_core::period::today_in_vietnam(chrono::Utc::now());
            if *date > today {
                return Err(InputError(format!("--date {date} is in the future")).into());
            }
            let mut evidence = Vec::new();
            for u in url {
                if !(u.starts_with("https://") || u.starts_with("http://")) || u.len() > 2000 {
                    return Err(InputError(format!(
                        "--url {u:?}: an http(s) link of at most 2000 bytes"
                    ))
                    .into());
                }
                evidence.push(NewEvidence::Url { url: u.clone() });
            }
            let store = cli.open_store().await?;
            let activity = NewActivity {
                assignment_id: *assignment,
                occurred_on: *date,
                kind: kind.clone(),
                title,
                quantity: *quantity,
                completes: *completes,
                evidence,
                ..NewActivity::default()
            };
            let result = store.add_activity(&activity, &Change::system("cli")).await;
            store.close().await;
            let row = result.map_err(|e| match e {
                crate::store::StoreError::NotFound(what) => {
                    anyhow::Error::from(InputError(format!("{what} not found")))
                }
                other => other.into(),
            })?;
            println!("{}", serde_json::to_string_pretty(&row)?);
        }
    }
    Ok(())
}
