//! Read replicas (issue 18): a server with `--read-database-url` answers pages from a PostgreSQL
//! streaming replica (`cargo xtask test` starts one with pg_basebackup) and says how current they
//! are; a write through the primary shows there within a bounded lag, and at once to the user
//! who wrote it.

mod common;

use std::time::{Duration, Instant};

use common::{Server, TestDb, admin_token, http};
use sqlx::Connection;

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// A session cookie of a demo account, signed in through `base`.
async fn session(base: &str, username: &str) -> String {
    let client = no_redirects();
    let page = client.get(format!("{base}/sign-in")).send().await.unwrap();
    let cookie = page.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let csrf = cookie.split_once('=').unwrap().1.to_string();
    let r = client
        .post(format!("{base}/sign-in"))
        .header("cookie", &cookie)
        .form(&[
            ("csrf", csrf.as_str()),
            ("username", username),
            ("password", "demo"),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "{username} signs in");
    r.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string())
        .find(|c| c.starts_with("kh_session="))
        .expect("a session cookie")
}

async fn page(base: &str, cookie: &str, path: &str) -> (u16, String) {
    let r = no_redirects()
        .get(format!("{base}{path}"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

const AS_OF: &str = "Số liệu tính đến";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_come_from_the_replica_and_show_a_write_within_the_lag() {
    let replica_admin = std::env::var("KEHOACH_TEST_POSTGRES_REPLICA_URL").expect(
        "KEHOACH_TEST_POSTGRES_REPLICA_URL is not set: run `cargo xtask test --test replica`, \
         which starts a primary with a streaming replica",
    );
    // A primary of its own, whose replica replays only this suite's writes.
    let primary_admin = std::env::var("KEHOACH_TEST_POSTGRES_PRIMARY_URL").expect(
        "KEHOACH_TEST_POSTGRES_PRIMARY_URL is not set: run `cargo xtask test --test replica`",
    );
    let db = TestDb::postgres_on(primary_admin).await;
    let TestDb::Postgres { name, .. } = &db else {
        unreachable!()
    };
    let replica_url = format!("{}/{name}", replica_admin.rsplit_once('/').unwrap().0);
    // The new database reaches the replica with the primary's WAL.
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut replica = loop {
        match sqlx::PgConnection::connect(&replica_url).await {
            Ok(conn) => break conn,
            Err(e) if Instant::now() > deadline => panic!("the replica never had {name}: {e}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    };
    let server = Server::start_with(
        &db.cli_args(),
        &["--demo", "--read-database-url", &replica_url],
    );
    let token = admin_token(&db.cli_args());
    let store = db.open().await;
    let plan = store.plans().await.unwrap()[0].id;
    let assignment = store.assignments_of_plan(plan).await.unwrap()[0].id;
    store.close().await;
    let cookie = session(&server.base, "quantri").await;
    let path = format!("/activities?assignment={assignment}");

    // From the replica once it has the session: the page says how current it is.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (status, html) = page(&server.base, &cookie, &path).await;
        if status == 200 && html.contains(AS_OF) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no page from the replica: {status}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // With the replica held still, a write through the primary is not on its pages yet…
    sqlx::query("SELECT pg_wal_replay_pause()")
        .execute(&mut replica)
        .await
        .unwrap();
    let title = format!("Ghi qua máy chủ chính {}", kehoach::auth::random_secret(4));
    let form = reqwest::multipart::Form::new()
        .text("date", "2024-03-04")
        .text("title", title.clone());
    let r = http()
        .post(server.url(&format!("/api/v1/assignments/{assignment}/activities")))
        .bearer_auth(&token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let (status, html) = page(&server.base, &cookie, &path).await;
    assert_eq!(status, 200);
    assert!(
        html.contains(AS_OF) && !html.contains(&title),
        "the replica answered, from before the write"
    );
    // …but the one who just wrote reads the primary.
    let (status, html) = page(&server.base, &format!("{cookie}; kh_rw=1"), &path).await;
    assert_eq!(status, 200);
    assert!(
        html.contains(&title) && !html.contains(AS_OF),
        "their own write, from the primary"
    );

    // Replaying again, the replica shows it within the lag.
    sqlx::query("SELECT pg_wal_replay_resume()")
        .execute(&mut replica)
        .await
        .unwrap();
    let resumed = Instant::now();
    loop {
        let (status, html) = page(&server.base, &cookie, &path).await;
        if status == 200 && html.contains(&title) {
            assert!(html.contains(AS_OF));
            break;
        }
        assert!(
            resumed.elapsed() < Duration::from_secs(5),
            "the write did not reach the replica's page within 5 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    eprintln!("replica caught up in {:?}", resumed.elapsed());
    replica.close().await.ok();
    drop(server);
    db.drop_db().await;
}
