//! `kehoach calendar url`: make (or replace) a unit's secret calendar URL; `kehoach contact`:
//! set the address a unit's reminder digest goes to.

use clap::{Args, Subcommand};

use super::{Cli, InputError};

#[derive(Debug, Subcommand)]
pub enum CalendarCommand {
    /// Print a new secret URL of a unit's calendar feed; the previous URL stops working.
    Url {
        /// The unit's code.
        #[arg(long)]
        unit: String,
        /// The date on which the unit code is looked up. Without it, the unit the code names
        /// today or, when none does (a district the 2025 reform ended), the one it named last.
        #[arg(long, value_name = "YYYY-MM-DD")]
        on: Option<chrono::NaiveDate>,
        /// The server's public address, to print the whole URL.
        #[arg(
            long,
            env = "KEHOACH_PUBLIC_URL",
            default_value = "http://127.0.0.1:8080"
        )]
        base_url: String,
    },
}

pub async fn run(cli: &Cli, cmd: &CalendarCommand) -> anyhow::Result<()> {
    let CalendarCommand::Url { unit, on, base_url } = cmd;
    let today = kehoach_core::period::today_in_vietnam(chrono::Utc::now());
    let store = cli.open_store().await?;
    let result = async {
        let found = match on {
            Some(on) => store.unit_by_code(unit, *on).await?,
            None => store.unit_by_code_latest(unit, today).await?,
        };
        let row = found.ok_or_else(|| InputError(no_unit(unit, on.unwrap_or(today))))?;
        let secret = crate::auth::random_secret(24);
        store
            .set_calendar_secret(row.id, &crate::auth::token_hash(&secret))
            .await?;
        anyhow::Ok((row, secret))
    }
    .await;
    store.close().await;
    let (row, secret) = result?;
    eprintln!(
        "calendar of {} ({}); the previous URL, if any, no longer works:",
        row.name, row.code
    );
    println!("{}/calendar/{secret}.ics", base_url.trim_end_matches('/'));
    Ok(())
}

/// The error for a unit code that names nothing on the date asked.
fn no_unit(code: &str, on: chrono::NaiveDate) -> String {
    format!("no unit with code {code} on {on} (a unit that no longer exists needs --on DATE)")
}

#[derive(Debug, Args)]
pub struct ContactArgs {
    /// The unit's code.
    #[arg(long)]
    unit: String,
    /// The date on which the unit code is looked up (default today): a unit that ended (every
    /// district after the 2025 reform) needs a date when it existed.
    #[arg(long, value_name = "YYYY-MM-DD")]
    on: Option<chrono::NaiveDate>,
    /// Where the unit's reminder digest goes.
    #[arg(long)]
    email: String,
}

/// A plain check of an address: one `@`, something on both sides, a dot in the domain, no
/// spaces or control characters, at most 254 characters (RFC 5321's path limit).
pub fn valid_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    s.len() <= 254
        && !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && !s
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';'))
}

pub async fn contact(cli: &Cli, args: &ContactArgs) -> anyhow::Result<()> {
    let email = args.email.trim();
    if !valid_email(email) {
        return Err(InputError(format!("email: {email:?} is not an e-mail address")).into());
    }
    let on = args
        .on
        .unwrap_or_else(|| kehoach_core::period::today_in_vietnam(chrono::Utc::now()));
    let store = cli.open_store().await?;
    let result = async {
        let row = store
            .unit_by_code(&args.unit, on)
            .await?
            .ok_or_else(|| InputError(no_unit(&args.unit, on)))?;
        store.set_unit_email(row.id, email).await?;
        anyhow::Ok(row)
    }
    .await;
    store.close().await;
    let row = result?;
    println!("reminders of {} ({}) go to {email}", row.name, row.code);
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn addresses_are_checked_plainly() {
        assert!(super::valid_email("vanthu@sokhcn.quangnam.gov.vn"));
        for bad in [
            "",
            "a",
            "a@b",
            "@b.vn",
            "a@.vn",
            "a b@c.vn",
            "a@b.vn, c@d.vn",
            "a@b@c.vn",
        ] {
            assert!(!super::valid_email(bad), "{bad}");
        }
    }
}
