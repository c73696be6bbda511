//! `kehoach remind`: the daily reminder job, once (cron, or by hand); `serve` runs it daily when
//! SMTP is configured. The SMTP flags are shared with `serve`.

use chrono::NaiveDate;
use clap::Args;

use super::{Cli, InputError};
use crate::reminders::{SmtpSecurity, SmtpSettings};

/// Where reminder mail goes out (all optional for `serve`: no host, no reminders).
#[derive(Debug, Clone, Args)]
pub struct SmtpArgs {
    /// SMTP server that sends the reminder digests.
    #[arg(long, env = "KEHOACH_SMTP_HOST")]
    pub smtp_host: Option<String>,
    /// Its port (default: 587 for starttls, 465 for tls, 25 for none).
    #[arg(long, env = "KEHOACH_SMTP_PORT")]
    pub smtp_port: Option<u16>,
    #[arg(long, env = "KEHOACH_SMTP_SECURITY", value_enum, default_value_t = SmtpSecurity::Starttls)]
    pub smtp_security: SmtpSecurity,
    /// The sender ("Sở KH&CN <nhacviec@example.gov.vn>").
    #[arg(long, env = "KEHOACH_SMTP_FROM")]
    pub smtp_from: Option<String>,
    #[arg(long, env = "KEHOACH_SMTP_USERNAME")]
    pub smtp_username: Option<String>,
    #[arg(long, env = "KEHOACH_SMTP_PASSWORD", hide_env_values = true)]
    pub smtp_password: Option<String>,
}

impl SmtpArgs {
    /// The settings, or `None` when no host is given; an error when a host comes without a
    /// sender.
    pub fn settings(&self) -> Result<Option<SmtpSettings>, InputError> {
        let Some(host) = self.smtp_host.clone().filter(|h| !h.is_empty()) else {
            return Ok(None);
        };
        let from = self
            .smtp_from
            .clone()
            .filter(|f| !f.is_empty())
            .ok_or_else(|| {
                InputError("--smtp-from (KEHOACH_SMTP_FROM) is required with an SMTP host".into())
            })?;
        let port = self.smtp_port.unwrap_or(match self.smtp_security {
            SmtpSecurity::Starttls => 587,
            SmtpSecurity::Tls => 465,
            SmtpSecurity::None => 25,
        });
        Ok(Some(SmtpSettings {
            host,
            port,
            security: self.smtp_security,
            from,
            username: self.smtp_username.clone(),
            password: self.smtp_password.clone(),
        }))
    }
}

#[derive(Debug, Args)]
pub struct RemindArgs {
    /// The day to remind for (default: today in Vietnam).
    #[arg(long)]
    at: Option<NaiveDate>,
    /// How many days ahead a deadline is "due soon".
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(0..=60))]
    days: u32,
    #[command(flatten)]
    smtp: SmtpArgs,
}

pub async fn run(cli: &Cli, args: &RemindArgs) -> anyhow::Result<()> {
    let smtp = args
        .smtp
        .settings()?
        .ok_or_else(|| InputError("--smtp-host (KEHOACH_SMTP_HOST) is required".into()))?;
    let at = args
        .at
        .unwrap_or_else(|| kehoach_core::period::today_in_vietnam(chrono::Utc::now()));
    let store = cli.open_store().await?;
    let result = crate::reminders::run(&store, &smtp, at, args.days).await;
    store.close().await;
    let summary = result.map_err(|e| match e {
        crate::reminders::ReminderError::Settings(m) => anyhow::Error::from(InputError(m)),
        other => other.into(),
    })?;
    println!(
        "{at}: {} digests sent ({} items){}",
        summary.sent,
        summary.items,
        if summary.failed.is_empty() {
            String::new()
        } else {
            format!("; not sent to {}", summary.failed.join(", "))
        }
    );
    if summary.failed.is_empty() {
        Ok(())
    } else {
        anyhow::bail!("{} digests could not be sent", summary.failed.len())
    }
}

/// The reminder loop of `serve`: checks every few minutes and runs the job once a day, at or
/// after `hour` o'clock in Vietnam. The day of the last run is kept in `meta`, so a restart or a
/// second server does not run it again (and `reminders_sent` stops duplicates even if they race).
pub async fn daily(store: crate::store::Store, smtp: SmtpSettings, hour: u32, days: u32) {
    const KEY: &str = "reminders.last_day";
    loop {
        let now = chrono::Utc::now().with_timezone(&kehoach_core::period::vietnam_offset());
        let today = now.date_naive();
        let due = chrono::Timelike::hour(&now) >= hour;
        let done = store.meta(KEY).await.ok().flatten() == Some(today.to_string());
        if due && !done {
            match crate::reminders::run(&store, &smtp, today, days).await {
                Ok(s) => {
                    tracing::info!(
                        sent = s.sent,
                        items = s.items,
                        failed = s.failed.len(),
                        "reminders"
                    );
                    if s.failed.is_empty()
                        && let Err(e) = store.set_meta(KEY, &today.to_string()).await
                    {
                        tracing::warn!(error = %e, "could not record the reminder run");
                    }
                }
                Err(e) => tracing::warn!(error = %e, "reminder run failed"),
            }
        }
        tokio::time::sleep(std::time::Duration::from_secs(300)).await;
    }
}
