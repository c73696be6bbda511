//! The daily reminder job: for each unit with an e-mail address, what is overdue, due within N
//! days, or missing for the current week, sent as ONE digest over SMTP (lettre on tokio with
//! rustls). Each item is claimed in `reminders_sent` (unit, item, day) before the mail goes out,
//! so a second run the same day — or a second server running at the same time — sends nothing
//! again; claims of a mail that could not be sent are given back for the next run.
//!
//! `digest` is the pure part (what to say); this module reads the store and talks SMTP.

pub mod digest;

use std::collections::HashMap;
use std::time::Duration;

use chrono::NaiveDate;
use lettre::message::header::ContentType;
use lettre::message::{Body, Mailbox, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::compliance::plan_compliance;
use crate::store::{Store, StoreError};

/// How the connection to the SMTP server is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS (required), usually port 587.
    Starttls,
    /// TLS from the first byte, usually port 465.
    Tls,
    /// No encryption: only for a relay on the same machine or network.
    None,
}

/// Where and how to send mail (`--smtp-*` flags or `KEHOACH_SMTP_*`).
#[derive(Debug, Clone)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub from: String,
    pub username: Option<String>,
    pub password: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ReminderError {
    #[error("SMTP settings: {0}")]
    Settings(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunSummary {
    /// Digests sent, one per unit.
    pub sent: usize,
    /// Items in them.
    pub items: usize,
    /// Units whose mail failed (their items stay unclaimed for the next run).
    pub failed: Vec<String>,
}

fn transport(s: &SmtpSettings) -> Result<AsyncSmtpTransport<Tokio1Executor>, ReminderError> {
    let bad = |e: lettre::transport::smtp::Error| ReminderError::Settings(e.to_string());
    let builder = match s.security {
        SmtpSecurity::Starttls => {
            AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&s.host).map_err(bad)?
        }
        SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&s.host).map_err(bad)?,
        SmtpSecurity::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&s.host),
    };
    let mut builder = builder.port(s.port).timeout(Some(Duration::from_secs(30)));
    if let (Some(user), Some(password)) = (&s.username, &s.password) {
        builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
    }
    Ok(builder.build())
}

/// The message of one digest: plain UTF-8 text (lettre picks the transfer encoding).
fn message(from: &Mailbox, to: &str, subject: &str, body: String) -> Result<Message, String> {
    let to: Mailbox = to.parse().map_err(|e| format!("address {to:?}: {e}"))?;
    let body = Body::new(body);
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(subject)
        .singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_PLAIN)
                .body(body),
        )
        .map_err(|e| e.to_string())
}

/// A plan's title cut at a word within 80 characters.
fn short_title(title: &str) -> String {
    let title = title.trim();
    if title.chars().count() <= 80 {
        return title.to_string();
    }
    let cut: String = title.chars().take(80).collect();
    match cut.rfind(' ') {
        Some(i) => format!("{}…", &cut[..i]),
        None => format!("{cut}…"),
    }
}

/// Runs the job for `at`: one digest per unit with an address and something new to say.
pub async fn run(
    store: &Store,
    smtp: &SmtpSettings,
    at: NaiveDate,
    days: u32,
) -> Result<RunSummary, ReminderError> {
    let from: Mailbox = smtp
        .from
        .parse()
        .map_err(|e| ReminderError::Settings(format!("from address {:?}: {e}", smtp.from)))?;
    let mailer = transport(smtp)?;
    let contacts = store.unit_contacts().await?;
    if contacts.is_empty() {
        return Ok(RunSummary::default());
    }
    // Every plan's items, by unit.
    let mut by_unit: HashMap<i64, Vec<digest::Item>> = HashMap::new();
    for plan in store.plans().await? {
        let unit_of: HashMap<i64, i64> = store
            .assignments_of_plan(plan.id)
            .await?
            .into_iter()
            .map(|a| (a.id, a.unit_id))
            .collect();
        let compliance = plan_compliance(store, plan.id, at, None).await?;
        let number = plan.number.clone().unwrap_or_default();
        for task in &compliance.tasks {
            for a in &task.assignments {
                if let Some(unit) = unit_of.get(&a.assignment_id) {
                    by_unit
                        .entry(*unit)
                        .or_default()
                        .extend(digest::items(&number, task, a, at, days));
                }
            }
        }
        // The reporting chain (issue 20): reports not submitted, and those waiting for review.
        for (unit, item) in crate::reporting::reminder_items(store, plan.id, at, days).await? {
            by_unit.entry(unit).or_default().push(item);
        }
        // Plans that implement plans (issue 22): the plan office (the plan's own unit, as for
        // reports to review) hears which units owe it a plan and have none linked, by name,
        // once the deadline is near or past.
        if let Some(office) = plan.context_unit_id {
            let owing = crate::plan_links::units_without_plan(store, &plan, at)
                .await
                .map_err(|e| match e {
                    crate::plan_links::CascadeError::Store(e) => e,
                    e => StoreError::Invariant(e.to_string()),
                })?;
            let label = match crate::export::known_plan_number(plan.number.as_deref()) {
                Some(n) => format!("Kế hoạch {n}"),
                None => format!("“{}”", short_title(&plan.title)),
            };
            // One deadline per plan (its "issue your own plan" task's).
            if let Some(due) = owing.iter().find_map(|u| u.due) {
                let names: Vec<String> = owing.into_iter().map(|u| u.unit_name).collect();
                if let Some(item) =
                    digest::plan_missing_item(plan.id, &label, &names, due, at, days)
                {
                    by_unit.entry(office).or_default().push(item);
                }
            }
        }
    }
    let mut summary = RunSummary::default();
    for contact in contacts {
        let Some(items) = by_unit.remove(&contact.unit_id) else {
            continue;
        };
        let keys: Vec<String> = items.iter().map(|i| i.key.clone()).collect();
        let claimed = store.claim_reminders(contact.unit_id, &keys, at).await?;
        if claimed.is_empty() {
            continue;
        }
        let fresh: Vec<digest::Item> = items
            .into_iter()
            .filter(|i| claimed.contains(&i.key))
            .collect();
        let (subject, body) = digest::digest(&contact.name, &fresh, at);
        let outcome = match message(&from, &contact.email, &subject, body) {
            Ok(msg) => mailer
                .send(msg)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string()),
            Err(e) => Err(e),
        };
        match outcome {
            Ok(()) => {
                summary.sent += 1;
                summary.items += fresh.len();
            }
            Err(e) => {
                tracing::warn!(unit = %contact.code, error = %e, "reminder digest not sent");
                store
                    .release_reminders(contact.unit_id, &claimed, at)
                    .await?;
                summary.failed.push(contact.code.clone());
            }
        }
    }
    Ok(summary)
}
