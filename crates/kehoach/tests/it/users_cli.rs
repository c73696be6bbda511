//! `kehoach user add|token|tokens|disable` and the first administrator, exactly as an operator
//! sees them, on each backend.

use crate::common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use common::{Server, TestDb, http, run_cli};

/// Starts `kehoach serve`, returns the lines it printed up to and including "listening on", and
/// stops it.
fn serve_output(db: &TestDb, extra: &[&str]) -> Vec<String> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kehoach"))
        .args(db.cli_args())
        .args(["serve", "--addr", "127.0.0.1:0"])
        .args(extra)
        .env("KEHOACH_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = Vec::new();
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        let done = line.starts_with("listening on ");
        lines.push(line);
        if done {
            break;
        }
    }
    child.kill().ok();
    child.wait().ok();
    lines
}

on_both_backends! {
    async fn a_fresh_database_gets_one_administrator_with_a_password_shown_once(db: &TestDb) {
        let first = serve_output(db, &[]);
        let line = first.iter().find(|l| l.contains("one-time password")).unwrap_or_else(|| panic!("{first:?}"));
        let password = line.rsplit(' ').next().unwrap().to_string();
        let store = db.open().await;
        let admin = store.user_by_name("admin").await.unwrap().expect("the administrator");
        assert_eq!(admin.role, kehoach::store::Role::Admin);
        assert!(admin.must_change_password);
        assert!(admin.password_hash.starts_with("$argon2id$"));
        assert!(kehoach::auth::verify_password(&password, &admin.password_hash));
        store.close().await;
        let second = serve_output(db, &[]);
        assert!(!second.iter().any(|l| l.contains("password")), "{second:?}");
    }

    async fn users_are_added_given_tokens_and_disabled(db: &TestDb) {
        // A unit of today, and one that only existed before the 2025 reform.
        let (code, out, err) = run_cli(db, &["user", "add", "sokhcn", "--unit", "01", "--role", "plan-office"]);
        assert_eq!(code, 0, "{err}");
        let password = out.lines().last().unwrap();
        assert!(password.len() >= 16 && !password.contains(' '), "{out}");
        let (code, _, err) = run_cli(db, &["user", "add", "quangnam", "--unit", "49", "--role", "viewer"]);
        assert_eq!(code, 2);
        assert!(err.contains("--on"), "{err}");
        assert_eq!(run_cli(db, &["user", "add", "quangnam", "--unit", "49", "--on", "2024-06-01", "--role", "viewer"]).0, 0);
        // Refused, with exit code 2 and one line: a taken name, no unit, a bad role.
        for (args, says) in [
            (vec!["user", "add", "sokhcn", "--unit", "01", "--role", "viewer"], "already exists"),
            (vec!["user", "add", "x", "--role", "reporter"], "--unit"),
            (vec!["user", "add", "x", "--unit", "ZZZ", "--role", "reporter"], "ZZZ"),
            (vec!["user", "add", "has space", "--unit", "01", "--role", "reporter"], "no spaces"),
            (vec!["user", "token", "nobody"], "nobody"),
            (vec!["user", "disable", "nobody"], "nobody"),
        ] {
            let (code, _, err) = run_cli(db, &args);
            assert_eq!(code, 2, "{args:?}: {err}");
            assert!(err.contains(says), "{args:?}: {err}");
        }
        let (code, _, _) = run_cli(db, &["user", "add", "x", "--unit", "01", "--role", "superuser"]);
        assert_eq!(code, 2);

        // The token alone on the last line, usable at once; the store keeps only its hash.
        let (code, out, err) = run_cli(db, &["user", "token", "sokhcn", "--label", "báo cáo"]);
        assert_eq!(code, 0, "{err}");
        let token = out.lines().last().unwrap().to_string();
        assert_eq!(token, token.trim());
        assert_eq!(token.len(), 64);
        let server = Server::start(&db.cli_args());
        let plans = server.url("/api/v1/plans");
        assert_eq!(http().get(&plans).bearer_auth(&token).send().await.unwrap().status(), 200);
        let listed = common::cli_json(db, &["user", "tokens", "sokhcn", "--json"]);
        assert_eq!(listed[0]["label"], "báo cáo");
        assert!(!listed.to_string().contains(&token));
        let dump = db.dump().await;
        assert!(!dump["api_tokens"].iter().any(|row| row.contains(&token)));
        assert!(dump["api_tokens"].iter().any(|row| row.contains(&kehoach::auth::token_hash(&token))));

        // Disabled: tokens stop working, no new ones.
        let (code, out, err) = run_cli(db, &["user", "disable", "sokhcn"]);
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("disabled sokhcn"), "{out}");
        assert_eq!(http().get(&plans).bearer_auth(&token).send().await.unwrap().status(), 401);
        let (code, _, err) = run_cli(db, &["user", "token", "sokhcn"]);
        assert_eq!(code, 2);
        assert!(err.contains("disabled"), "{err}");
    }
}
