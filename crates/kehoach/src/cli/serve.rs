use std::net::SocketAddr;

use clap::Args;

use super::Cli;
use crate::store::{Change, Location, Role, Store};

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (port 0 picks a free port; the chosen address is logged).
    #[arg(long, default_value = "127.0.0.1:8080", env = "KEHOACH_ADDR")]
    pub addr: SocketAddr,

    /// Run on demo data in a fresh temporary database (unless --data-dir or --database-url is
    /// given): the corpus plans, activities, and the demo accounts (password `demo`). Pages then
    /// evaluate on 04/11/2024 unless --today is given.
    #[arg(long)]
    pub demo: bool,

    /// Evaluate the pages on this date (YYYY-MM-DD) instead of today in Vietnam.
    #[arg(long, env = "KEHOACH_TODAY", value_name = "DATE")]
    pub today: Option<chrono::NaiveDate>,

    /// Mark session cookies Secure even without `X-Forwarded-Proto: https` (behind a TLS proxy
    /// that does not send it).
    #[arg(long, env = "KEHOACH_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// With an SMTP host: the hour (Vietnam time) from which the daily reminders go out.
    #[arg(long, env = "KEHOACH_REMIND_HOUR", default_value_t = 7, value_parser = clap::value_parser!(u32).range(0..=23))]
    pub remind_hour: u32,

    /// With an SMTP host: how many days ahead a deadline is "due soon".
    #[arg(long, env = "KEHOACH_REMIND_DAYS", default_value_t = 3, value_parser = clap::value_parser!(u32).range(0..=60))]
    pub remind_days: u32,

    /// A reverse proxy (address or network, e.g. 10.0.0.0/8; repeat or separate with commas)
    /// whose `X-Forwarded-For` names the client. From anyone else the header is ignored.
    #[arg(
        long = "trusted-proxy",
        env = "KEHOACH_TRUSTED_PROXIES",
        value_delimiter = ',',
        value_name = "NETWORK"
    )]
    pub trusted_proxies: Vec<crate::web::signin_throttle::Network>,

    /// Serve Prometheus metrics at `/metrics` on this address (e.g. 127.0.0.1:9090, port 0 picks
    /// one, printed as `metrics on http://…`). Without it there is no `/metrics`.
    #[arg(long, env = "KEHOACH_METRICS_ADDR", value_name = "HOST:PORT")]
    pub metrics_addr: Option<SocketAddr>,

    #[command(flatten)]
    pub smtp: super::remind::SmtpArgs,

    // Issue 18 (H): read replicas.
    /// A PostgreSQL streaming replica of --database-url: pages and a plan's reads (compliance,
    /// exports) are read there, writes and a user's reads just after their own write from the
    /// primary; pages from the replica say how current they are.
    #[arg(
        long,
        env = "KEHOACH_READ_DATABASE_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    pub read_database_url: Option<String>,
}

pub async fn run(cli: &Cli, args: &ServeArgs) -> anyhow::Result<()> {
    // Demo mode never touches real data unless asked to.
    let _demo_dir;
    let (location, data_dir) = if args.demo && cli.data_dir.is_none() && cli.database_url.is_none()
    {
        let dir = tempfile::Builder::new().prefix("kehoach-demo-").tempdir()?;
        let location = Location::DataDir(dir.path().to_path_buf());
        let data_dir = dir.path().to_path_buf();
        _demo_dir = dir;
        (location, data_dir)
    } else {
        (cli.location(), cli.data_dir())
    };
    let smtp = args.smtp.settings()?;
    let store = Store::open_with(&location, cli.store_settings()).await?;
    let store = match args.read_database_url.as_deref().filter(|u| !u.is_empty()) {
        Some(_) if !matches!(location, Location::Postgres(_)) => {
            return Err(super::InputError(
                "--read-database-url: a replica needs --database-url (PostgreSQL)".into(),
            )
            .into());
        }
        Some(url) => store.with_replica(url).await?,
        None => store,
    };
    let files = crate::files::FileStore::for_store(&data_dir, cli.max_upload_bytes, &store).await?;
    let mut pages = crate::web::pages::PagesConfig {
        today: args.today,
        secure_cookies: args.secure_cookies,
        trusted_proxies: args.trusted_proxies.clone(),
        ..Default::default()
    };
    if args.demo {
        println!("building the demo data (the corpus plans, activities, accounts)…");
        let accounts = crate::demo::corpus::build(&store).await?;
        // The reporting chain (issue 20).
        crate::demo::reports::build(&store, &files).await?;
        pages.today = pages.today.or(Some(crate::demo::corpus::demo_today()));
        println!(
            "demo accounts (password `{}`), pages evaluated on {}:",
            crate::demo::corpus::DEMO_PASSWORD,
            pages
                .today
                .map(|d| d.format("%d/%m/%Y").to_string())
                .unwrap_or_default()
        );
        for (name, what) in &accounts {
            println!("  {name:<8} {what}");
        }
        pages.demo_accounts = accounts;
    } else {
        ensure_first_admin(&store).await?;
    }
    if let Some(smtp) = smtp {
        tracing::info!(host = %smtp.host, hour = args.remind_hour, "daily reminders on");
        tokio::spawn(super::remind::daily(
            store.clone(),
            smtp,
            args.remind_hour,
            args.remind_days,
        ));
    }
    let shutdown = crate::web::shutdown_signal();
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", args.addr))?;
    let metrics = match args.metrics_addr {
        Some(addr) => {
            let listener = tokio::net::TcpListener::bind(addr)
                .await
                .map_err(|e| anyhow::anyhow!("cannot listen for metrics on {addr}: {e}"))?;
            println!("metrics on http://{}", listener.local_addr()?);
            Some(listener)
        }
        None => None,
    };
    // Printed on stdout too, so scripts (and tests) can read the address when port 0 was asked.
    println!("listening on http://{}", listener.local_addr()?);
    crate::web::serve(listener, metrics, store, files, pages, shutdown).await?;
    Ok(())
}

/// A fresh database gets one administrator; its one-time password is printed once.
async fn ensure_first_admin(store: &Store) -> anyhow::Result<()> {
    if store.count_users().await? > 0 {
        return Ok(());
    }
    let password = crate::auth::random_secret(12);
    let hash = {
        let password = password.clone();
        tokio::task::spawn_blocking(move || crate::auth::hash_password(&password)).await??
    };
    match store
        .create_user(
            "admin",
            "Quản trị",
            None,
            Role::Admin,
            &hash,
            &Change::system("system"),
        )
        .await
    {
        Ok(user) => {
            store.require_password_change(user.id).await?;
            println!("created administrator 'admin' with one-time password: {password}");
            Ok(())
        }
        // Another server on the same database created it first.
        Err(crate::store::StoreError::Conflict(_)) => Ok(()),
        Err(e) => Err(e.into()),
    }
}
