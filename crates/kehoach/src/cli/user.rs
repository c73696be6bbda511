use clap::Subcommand;

use super::{Cli, InputError};
use crate::auth::{hash_password, random_secret, token_hash};
use crate::store::{Change, Role};

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user in a unit with a role; prints a one-time password.
    Add {
        /// Login name.
        name: String,
        /// Code of the user's unit (the scope of what they see and change).
        #[arg(long)]
        unit: Option<String>,
        #[arg(long, value_enum)]
        role: Role,
        /// Name shown in the interface (defaults to the login name).
        #[arg(long)]
        display_name: Option<String>,
        /// The date on which the unit code is looked up (default today): codes of units that
        /// no longer exist (before the 2025 reform) need a date when they did.
        #[arg(long, value_name = "YYYY-MM-DD")]
        on: Option<chrono::NaiveDate>,
    },
    /// Create an API token for a user; prints the token alone on its last line. With
    /// `--revoke ID`, revokes that token of the user instead.
    Token {
        name: String,
        #[arg(long, default_value = "cli")]
        label: String,
        /// Revoke the user's token with this id (see `user tokens NAME`).
        #[arg(long, value_name = "ID")]
        revoke: Option<i64>,
    },
    /// List a user's API tokens (id, label, created, revoked); never the secrets.
    Tokens {
        name: String,
        #[arg(long)]
        json: bool,
    },
    /// Disable a user and revoke their tokens.
    Disable { name: String },
}

pub async fn run(cli: &Cli, cmd: &UserCommand) -> anyhow::Result<()> {
    let store = cli.open_store().await?;
    let change = Change::system("cli");
    match cmd {
        UserCommand::Add {
            name,
            unit,
            role,
            display_name,
            on,
        } => {
            let name = kehoach_core::text::nfc(name);
            if name.is_empty() || name.len() > 64 || name.chars().any(char::is_whitespace) {
                return Err(InputError("user name: 1 to 64 characters, no spaces".into()).into());
            }
            let unit_id = match unit {
                Some(code) => {
                    let on = on.unwrap_or_else(|| {
                        kehoach_core::period::today_in_vietnam(chrono::Utc::now())
                    });
                    let unit = store.unit_by_code(code, on).await?.ok_or_else(|| {
                        InputError(format!(
                            "no unit with code {code} on {on} (a unit that no longer exists needs --on DATE)"
                        ))
                    })?;
                    Some(unit.id)
                }
                None if *role == Role::Admin => None,
                None => {
                    return Err(
                        InputError("--unit is required for every role but admin".into()).into(),
                    );
                }
            };
            let password = random_secret(12);
            let hash = {
                let password = password.clone();
                tokio::task::spawn_blocking(move || hash_password(&password)).await??
            };
            let display = display_name.clone().unwrap_or_else(|| name.clone());
            let user = store
                .create_user(&name, &display, unit_id, *role, &hash, &change)
                .await
                .map_err(|e| match e {
                    crate::store::StoreError::Conflict(m) => {
                        anyhow::Error::from(InputError(format!("{m} already exists")))
                    }
                    other => other.into(),
                })?;
            // Works once: the first sign-in must choose a new password.
            store.require_password_change(user.id).await?;
            println!("created user {name}; one-time password:");
            println!("{password}");
        }
        UserCommand::Token {
            name,
            revoke: Some(token_id),
            ..
        } => {
            let user = store
                .user_by_name(name)
                .await?
                .ok_or_else(|| InputError(format!("no user {name}")))?;
            store
                .revoke_token(user.id, *token_id, &change)
                .await
                .map_err(|e| match e {
                    crate::store::StoreError::NotFound(m) => {
                        anyhow::Error::from(InputError(format!("{name}: no {m}")))
                    }
                    other => other.into(),
                })?;
            println!("revoked token {token_id} of {name}");
        }
        UserCommand::Tokens { name, json } => {
            let user = store
                .user_by_name(name)
                .await?
                .ok_or_else(|| InputError(format!("no user {name}")))?;
            let tokens = store.tokens_of_user(user.id).await?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&tokens)?);
            } else {
                for t in tokens {
                    let state = match t.revoked_at {
                        Some(at) => format!("revoked {}", at.format("%Y-%m-%d %H:%M")),
                        None => "valid".into(),
                    };
                    println!(
                        "{}\t{}\t{}\t{state}",
                        t.id,
                        t.label,
                        t.created_at.format("%Y-%m-%d %H:%M")
                    );
                }
            }
        }
        UserCommand::Token {
            name,
            label,
            revoke: None,
        } => {
            let user = store
                .user_by_name(name)
                .await?
                .ok_or_else(|| InputError(format!("no user {name}")))?;
            if label.chars().count() > 100 {
                return Err(InputError("--label: at most 100 characters".into()).into());
            }
            if user.disabled {
                return Err(InputError(format!("user {name} is disabled")).into());
            }
            let token = random_secret(32);
            let token_id = store
                .create_token(user.id, label, &token_hash(&token), &change)
                .await?;
            println!("created API token {token_id} for {name}; it is shown once:");
            println!("{token}");
        }
        UserCommand::Disable { name } => {
            store
                .disable_user(name, &change)
                .await
                .map_err(|e| match e {
                    crate::store::StoreError::NotFound(m) => {
                        anyhow::Error::from(InputError(format!("{m} not found")))
                    }
                    other => other.into(),
                })?;
            println!("disabled {name}");
        }
    }
    store.close().await;
    Ok(())
}
