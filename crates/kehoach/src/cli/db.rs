use clap::Subcommand;

use super::Cli;

#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Apply pending migrations and print the backend, schema version and row counts as JSON.
    Status,
}

pub async fn run(cli: &Cli, cmd: &DbCommand) -> anyhow::Result<()> {
    match cmd {
        DbCommand::Status => {
            let store = cli.open_store().await?;
            let status = serde_json::json!({
                "backend": store.backend(),
                "schema_version": store.schema_version().await?,
                "units": store.count_units().await?,
                "users": store.count_users().await?,
            });
            println!("{}", serde_json::to_string_pretty(&status)?);
            store.close().await;
            Ok(())
        }
    }
}
