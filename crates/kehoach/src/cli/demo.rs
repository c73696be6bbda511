//! `kehoach demo --scale national`: builds a synthetic country in the database (see
//! `demo/national.rs`); `kehoach demo --measure` times the national roll-up and a heatmap on it.

use std::io::Write;

use clap::{Args, ValueEnum};

use super::{Cli, InputError};
use crate::demo::{measure, national};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Scale {
    /// 34 provinces, 3,321 communes, their agencies, a 2026 plan per province.
    National,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Build demo data at this scale.
    #[arg(long, value_enum, required_unless_present = "measure")]
    scale: Option<Scale>,
    /// How many activities to generate.
    #[arg(long, default_value_t = 5_000_000)]
    activities: u64,
    /// Seed of the generator: the same seed makes the same data.
    #[arg(long, default_value_t = 2026)]
    seed: u64,
    /// Activities written per transaction.
    #[arg(long, default_value_t = 10_000)]
    batch: usize,
    /// Instead of building: time the national roll-up and a province heatmap on the demo data
    /// (median of --runs) and print the figures as JSON.
    #[arg(long, conflicts_with = "scale")]
    measure: bool,
    #[arg(long, default_value_t = 30)]
    runs: usize,
}

/// At most this many activities (a bound on what one command may generate).
const MAX_ACTIVITIES: u64 = 100_000_000;

pub async fn run(cli: &Cli, args: &DemoArgs) -> anyhow::Result<()> {
    if args.activities > MAX_ACTIVITIES {
        return Err(InputError(format!("--activities: at most {MAX_ACTIVITIES}")).into());
    }
    if !(1..=100_000).contains(&args.batch) {
        return Err(InputError("--batch: between 1 and 100000".into()).into());
    }
    let store = cli.open_store().await?;
    let result = async {
        if args.measure {
            let m = measure::measure(&store, args.runs).await?;
            println!("{}", serde_json::to_string(&m)?);
            return anyhow::Ok(());
        }
        if store.meta(national::META_KEY).await?.is_some() {
            return Err(InputError(
                "this database already holds the national demo: use a fresh one".into(),
            )
            .into());
        }
        let options = national::Options {
            activities: args.activities,
            seed: args.seed,
            batch: args.batch,
        };
        let every = (args.activities / 20).max(args.batch as u64);
        let mut next = every;
        let built = national::build(&store, &options, |done, total, secs| {
            if done >= next || done == total {
                next = done + every;
                eprintln!(
                    "demo: {done}/{total} activities, {:.0}/s",
                    done as f64 / secs.max(1e-9)
                );
            }
        })
        .await?;
        let mut out = std::io::stdout().lock();
        writeln!(
            out,
            "national demo on {}: {} provinces, {} communes, {} units added, {} plans, {} assignments",
            store.backend(),
            built.provinces,
            built.communes,
            built.units_added,
            built.plans,
            built.assignments
        )?;
        writeln!(
            out,
            "ingest: {} activities in {:.1} s ({:.0} activities/s, {} per transaction; setup {:.1} s)",
            built.activities,
            built.ingest_seconds,
            built.activities_per_second,
            built.batch,
            built.setup_seconds
        )?;
        writeln!(out, "{}", serde_json::to_string(&built)?)?;
        anyhow::Ok(())
    }
    .await;
    store.close().await;
    result
}
