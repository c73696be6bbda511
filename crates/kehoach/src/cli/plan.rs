use std::path::PathBuf;

use clap::Subcommand;

use super::InputError;

#[derive(Debug, Subcommand)]
pub enum PlanCommand {
    /// Extract the structured plan (kehoach.plan/1) from a .docx, .txt or .md document.
    Parse {
        file: PathBuf,
        /// Print the JSON instead of a readable summary.
        #[arg(long)]
        json: bool,
    },
}

pub fn run(cmd: &PlanCommand) -> anyhow::Result<()> {
    match cmd {
        PlanCommand::Parse { file, json: _ } => Err(InputError(format!(
            "{}: the plan importer is not built yet",
            file.display()
        ))
        .into()),
    }
}
