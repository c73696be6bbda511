use chrono::NaiveDate;
use clap::{Subcommand, ValueEnum};
use kehoach_core::units::{Registry, Unit, UnitKind};
use serde::Serialize;

use super::{Cli, InputError};
use crate::store::{Change, Store};
use crate::units::init_agencies;

#[derive(Debug, Subcommand)]
pub enum UnitsCommand {
    /// Create the standard agencies of a province and of its districts and communes.
    Init {
        /// The province: name with or without its type word, or code.
        #[arg(long)]
        province: String,
        /// The date the agencies must exist on (default: today).
        #[arg(long)]
        on: Option<NaiveDate>,
    },
    /// Resolve a plan's lead or partner text to units.
    Resolve {
        text: String,
        /// The unit whose plan it is: a name ("Quảng Nam", "thành phố Tam Kỳ") or a code.
        #[arg(long)]
        context: String,
        #[arg(long)]
        on: Option<NaiveDate>,
        #[arg(long)]
        json: bool,
    },
    /// List units of a kind, optionally within a unit.
    List {
        #[arg(long, value_enum)]
        kind: KindArg,
        /// Only units under this one (name or code).
        #[arg(long)]
        within: Option<String>,
        #[arg(long)]
        on: Option<NaiveDate>,
        #[arg(long)]
        json: bool,
    },
    /// Find units by name, ignoring diacritics ("da nang" finds "Đà Nẵng").
    Search {
        query: String,
        #[arg(long)]
        on: Option<NaiveDate>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum KindArg {
    Province,
    District,
    Commune,
    Agency,
}

impl From<KindArg> for UnitKind {
    fn from(k: KindArg) -> Self {
        match k {
            KindArg::Province => UnitKind::Province,
            KindArg::District => UnitKind::District,
            KindArg::Commune => UnitKind::Commune,
            KindArg::Agency => UnitKind::Agency,
        }
    }
}

/// A unit as `units list` and `units search` print it.
#[derive(Debug, Serialize)]
struct Listed<'a> {
    code: &'a str,
    name: &'a str,
    kind: UnitKind,
    parent: Option<&'a str>,
}

fn listed(unit: &Unit) -> Listed<'_> {
    Listed {
        code: &unit.code,
        name: &unit.name,
        kind: unit.kind,
        parent: unit.parent_code.as_deref(),
    }
}

fn today() -> NaiveDate {
    kehoach_core::period::today_in_vietnam(chrono::Utc::now())
}

fn find<'r>(registry: &'r Registry, text: &str, on: NaiveDate) -> anyhow::Result<&'r Unit> {
    registry
        .find_context(text, on)
        .map_err(|e| InputError(e.to_string()).into())
}

pub async fn run(cli: &Cli, cmd: &UnitsCommand) -> anyhow::Result<()> {
    let store = cli.open_store().await?;
    let result = run_with(&store, cmd).await;
    store.close().await;
    result
}

async fn run_with(store: &Store, cmd: &UnitsCommand) -> anyhow::Result<()> {
    match cmd {
        UnitsCommand::Init { province, on } => {
            let on = on.unwrap_or_else(today);
            let mut registry = store.registry().await?;
            let province = find(&registry, province, on)?;
            if province.kind != UnitKind::Province {
                return Err(InputError(format!("{} is not a province", province.name)).into());
            }
            let (code, name) = (province.code.clone(), province.name.clone());
            let added =
                init_agencies(store, &mut registry, &code, on, &Change::system("cli")).await?;
            println!("{name}: {added} agencies added (valid on {on})");
        }
        UnitsCommand::Resolve {
            text,
            context,
            on,
            json,
        } => {
            let on = on.unwrap_or_else(today);
            let mut registry = store.registry().await?;
            let context_code = find(&registry, context, on)?.code.clone();
            // Resolving must work before `units init`: add the standard agencies in memory.
            let province = crate::units::province_of(&registry, &context_code, on);
            registry.add_standard_agencies(&province);
            let context = find(&registry, &context_code, on)?.clone();
            let text = kehoach_core::text::nfc(text);
            if text.chars().count() > 2000 {
                return Err(InputError("TEXT: at most 2000 characters".into()).into());
            }
            let resolution = registry.resolve(&text, &context, on);
            if *json {
                println!("{}", serde_json::to_string_pretty(&resolution)?);
            } else {
                for unit in &resolution.units {
                    println!("{}\t{}\t{:?}", unit.code, unit.name, unit.matched);
                }
                for v in &resolution.vague {
                    println!("vague:\t{v}");
                }
                for u in &resolution.unknown {
                    println!("unknown:\t{u}");
                }
            }
        }
        UnitsCommand::List {
            kind,
            within,
            on,
            json,
        } => {
            let on = on.unwrap_or_else(today);
            let registry = store.registry().await?;
            let kind = UnitKind::from(*kind);
            let units: Vec<&Unit> = match within {
                Some(name) => {
                    let within = find(&registry, name, on)?;
                    subtree(&registry, &within.code, on)
                        .into_iter()
                        .filter(|u| u.kind == kind)
                        .collect()
                }
                None => registry.of_kind(kind, on),
            };
            print_units(&units, *json)?;
        }
        UnitsCommand::Search { query, on, json } => {
            let on = on.unwrap_or_else(today);
            let registry = store.registry().await?;
            let found: Vec<&Unit> = registry.search(query, on).into_iter().take(50).collect();
            print_units(&found, *json)?;
        }
    }
    Ok(())
}

fn print_units(units: &[&Unit], json: bool) -> anyhow::Result<()> {
    if json {
        let listed: Vec<Listed> = units.iter().map(|u| listed(u)).collect();
        println!("{}", serde_json::to_string_pretty(&listed)?);
    } else {
        for u in units {
            println!(
                "{}\t{}\t{}",
                u.code,
                u.name,
                u.parent_code.as_deref().unwrap_or("")
            );
        }
    }
    Ok(())
}

/// Every unit under `code` on the date, agencies included, nearest first.
fn subtree<'r>(registry: &'r Registry, code: &str, on: NaiveDate) -> Vec<&'r Unit> {
    let mut out = Vec::new();
    let mut queue = std::collections::VecDeque::from([code.to_string()]);
    while let Some(code) = queue.pop_front() {
        for child in registry.children(&code, on) {
            queue.push_back(child.code.clone());
            out.push(child);
        }
    }
    out
}
