use std::io::Write;
use std::path::PathBuf;

use chrono::NaiveDate;
use clap::Subcommand;

use super::{Cli, InputError};
use crate::audit_export::{day_range, write_csv};
use crate::store::AuditFilter;

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Write the audit log (oldest first) as CSV whose cells are safe to open in a spreadsheet.
    Export {
        /// First day, YYYY-MM-DD (Vietnam time), inclusive.
        #[arg(long)]
        from: Option<NaiveDate>,
        /// Last day, YYYY-MM-DD (Vietnam time), inclusive.
        #[arg(long)]
        to: Option<NaiveDate>,
        /// Only changes made by this user name ("cli", "system").
        #[arg(long)]
        actor: Option<String>,
        /// Only changes to this kind of thing (unit, user, api_token, plan, activity).
        #[arg(long)]
        entity: Option<String>,
        /// The CSV file to write ("-" or nothing: standard output).
        #[arg(short = 'o', long = "output")]
        output: Option<PathBuf>,
    },
}

/// Entries read from the database per round trip.
const PAGE: i64 = 5_000;

pub async fn run(cli: &Cli, cmd: &AuditCommand) -> anyhow::Result<()> {
    let AuditCommand::Export {
        from,
        to,
        actor,
        entity,
        output,
    } = cmd;
    let (from, to) = day_range(*from, *to).map_err(InputError)?;
    let filter = AuditFilter {
        from,
        to,
        actor: actor.clone(),
        entity: entity.clone(),
        ..AuditFilter::default()
    };
    let store = cli.open_store().await?;
    let count = match output {
        Some(path) if path.as_os_str() != "-" => {
            // Written beside the target and renamed at the end: a failed export leaves no half
            // file under the name asked for.
            let dir = path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(std::path::Path::new("."));
            let temp = tempfile::NamedTempFile::new_in(dir)
                .map_err(|e| InputError(format!("{}: {e}", path.display())))?;
            let mut out = std::io::BufWriter::new(temp.as_file());
            let count = export(&store, filter, &mut out).await?;
            out.flush()?;
            drop(out);
            temp.as_file().sync_all()?;
            temp.persist(path)
                .map_err(|e| InputError(format!("{}: {}", path.display(), e.error)))?;
            count
        }
        _ => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            let count = export(&store, filter, &mut out).await?;
            out.flush()?;
            count
        }
    };
    store.close().await;
    eprintln!("exported {count} audit entries");
    Ok(())
}

/// Writes every entry the filter matches, page by page; returns how many.
async fn export(
    store: &crate::store::Store,
    mut filter: AuditFilter,
    out: &mut dyn Write,
) -> anyhow::Result<usize> {
    let mut count = 0usize;
    let mut header = true;
    loop {
        let page = store.audit_log(&filter, true, PAGE).await?;
        write_csv(&mut *out, &page, header)?;
        header = false;
        count += page.len();
        match page.last() {
            Some(last) if page.len() as i64 == PAGE => filter.after_id = Some(last.id),
            _ => return Ok(count),
        }
    }
}
