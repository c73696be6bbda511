//! The route table: every route of the server, called as each role from inside and from outside
//! the owning unit, against the real server on each backend, with the status each must answer.
//!
//! The routes come from the server itself — the OpenAPI document (generated from the router, so
//! it lists every API route) plus the routes outside it ([`NON_API`]) and the page routes
//! ([`page_routes`]). A route without a row in [`TABLE`] fails the test, and so does a row whose
//! route no longer exists.
//!
//! The world: the Quảng Nam plan of 2024 (owned by the province), one of its assignments (the
//! provincial radio-TV station's) with an activity carrying a file. Inside callers belong to Quảng
//! Nam (the reporter to the station itself, so it only takes part in the plan); outside callers
//! belong to Đà Nẵng. Administrators have no unit and are the same on both sides.

mod common;

use common::{Server, TestDb, cli_json, http};
use kehoach::store::{Change, Role, Store};
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

const QUANG_NAM: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../plan/tests/fixtures/corpus/quangnam-2024.txt"
);

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\x0f\0\0\x01\x01\0\x05\x18\xd8N\0\0\0\0IEND\xaeB`\x82";

/// Who calls, in the order of a row's statuses.
const CALLERS: [&str; 6] = [
    "anonymous",
    "admin",
    "plan_office",
    "reporter",
    "finance",
    "viewer",
];

/// One route: the statuses for [anonymous, admin, plan_office, reporter, finance, viewer], from
/// inside the owning unit and from outside it.
struct Row {
    method: &'static str,
    path: &'static str,
    inside: [u16; 6],
    outside: [u16; 6],
}

const fn same(method: &'static str, path: &'static str, both: [u16; 6]) -> Row {
    Row {
        method,
        path,
        inside: both,
        outside: both,
    }
}

const fn row(method: &'static str, path: &'static str, inside: [u16; 6], outside: [u16; 6]) -> Row {
    Row {
        method,
        path,
        inside,
        outside,
    }
}

/// Why a status: 404 for plans and files of another unit (their ids are guessable and their
/// existence is the other unit's business); 403 for assignments (a reporter given a wrong
/// assignment should be told it is not theirs), unit creation and the audit log; 422 for an
/// import whose rows name another unit's assignment (the report names each row).
const TABLE: &[Row] = &[
    //                                             anon admin  po   rep  fin  view
    same("GET", "/healthz", [200, 200, 200, 200, 200, 200]),
    same("GET", "/metrics", [200, 200, 200, 200, 200, 200]),
    same("GET", "/api/openapi.json", [200, 200, 200, 200, 200, 200]),
    same("GET", "/api/v1/plans", [401, 200, 200, 200, 200, 200]),
    row(
        "GET",
        "/api/v1/plans/{id}",
        [401, 200, 200, 200, 200, 200],
        [401, 200, 404, 404, 404, 404],
    ),
    row(
        "GET",
        "/api/v1/plans/{id}/compliance",
        [401, 200, 200, 200, 200, 200],
        [401, 200, 404, 404, 404, 404],
    ),
    same("GET", "/api/v1/units", [401, 200, 200, 200, 200, 200]),
    row(
        "POST",
        "/api/v1/units",
        [401, 201, 201, 403, 403, 403],
        [401, 201, 403, 403, 403, 403],
    ),
    row(
        "GET",
        "/api/v1/files/{sha256}",
        [401, 200, 200, 200, 200, 200],
        [401, 200, 404, 404, 404, 404],
    ),
    row(
        "GET",
        "/api/v1/assignments/{id}/activities",
        [401, 200, 200, 200, 200, 200],
        [401, 200, 403, 403, 403, 403],
    ),
    row(
        "POST",
        "/api/v1/assignments/{id}/activities",
        [401, 201, 201, 201, 403, 403],
        [401, 201, 403, 403, 403, 403],
    ),
    row(
        "POST",
        "/api/v1/activities/import",
        [401, 201, 201, 201, 403, 403],
        [401, 201, 422, 422, 403, 403],
    ),
    same("GET", "/api/v1/audit", [401, 200, 200, 403, 403, 403]),
    same("GET", "/api/v1/audit.csv", [401, 200, 200, 403, 403, 403]),
];

/// Routes the OpenAPI document does not describe.
const NON_API: &[(&str, &str)] = &[
    ("GET", "/healthz"),
    ("GET", "/metrics"),
    ("GET", "/api/openapi.json"),
];

/// The server-rendered pages' routes (method, path). When the pages land, the one line below
/// becomes `let pages = kehoach::web::pages::page_routes();` — then each page needs its row in
/// [`TABLE`] and a way to call it in [`request`] (pages sign in with a session cookie: make one per
/// caller from `World::users` with the pages' session module; the client does not follow
/// redirects, so a page sending an anonymous caller to sign in shows as 303).
fn page_routes() -> Vec<(String, String)> {
    let pages: &[(&str, &str)] = &[];
    pages
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect()
}

/// Every route the server has, as (METHOD, full path).
async fn server_routes(server: &Server) -> Vec<(String, String)> {
    let doc: Value = http()
        .get(server.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let base = doc["servers"][0]["url"].as_str().unwrap_or("/api/v1");
    let mut routes = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in ["get", "post", "put", "patch", "delete"] {
            if item.get(method).is_some() {
                routes.push((method.to_uppercase(), format!("{base}{path}")));
            }
        }
    }
    routes.extend(NON_API.iter().map(|(m, p)| (m.to_string(), p.to_string())));
    routes.extend(page_routes());
    routes
}

/// What the test set up.
struct World {
    plan_id: i64,
    assignment_id: i64,
    station_id: i64,
    province_id: i64,
    sha256: String,
    /// Tokens by caller, inside and outside (`None`: anonymous).
    inside: Vec<Option<String>>,
    outside: Vec<Option<String>>,
    /// The callers' accounts, by name (for what pages need besides a token).
    #[allow(dead_code)]
    users: std::collections::HashMap<String, kehoach::store::UserRow>,
}

async fn user_token(store: &Store, name: &str, role: Role, unit: Option<i64>) -> String {
    user_and_token(store, name, role, unit).await.1
}

async fn user_and_token(
    store: &Store,
    name: &str,
    role: Role,
    unit: Option<i64>,
) -> (kehoach::store::UserRow, String) {
    let by = Change::system("test");
    let user = store
        .create_user(name, name, unit, role, "!", &by)
        .await
        .unwrap();
    let token = kehoach::auth::random_secret(24);
    store
        .create_token(user.id, "test", &kehoach::auth::token_hash(&token), &by)
        .await
        .unwrap();
    (user, token)
}

async fn set_up(db: &TestDb) -> World {
    let imported = cli_json(db, &["plan", "import", QUANG_NAM, "--json"]);
    let plan_id = imported["plan_id"].as_i64().unwrap();
    let store = db.open().await;
    let plan = store.plan(plan_id).await.unwrap().unwrap();
    let province_id = plan.context_unit_id.expect("the plan's province");
    let on = chrono::NaiveDate::from_ymd_opt(2024, 6, 1).unwrap();
    let other = store
        .unit_by_code("48", on)
        .await
        .unwrap()
        .expect("Đà Nẵng")
        .id;
    let assignment = store
        .assignments_of_plan(plan_id)
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.unit_name.contains("Phát thanh") && a.unit_name.contains("Truyền hình"))
        .expect("the radio-TV station's assignment");
    let station = assignment.unit_id;
    let mut users = std::collections::HashMap::new();
    let (user, admin) = user_and_token(&store, "quantri", Role::Admin, None).await;
    users.insert(user.username.clone(), user);
    let mut inside = vec![None, Some(admin.clone())];
    let mut outside = vec![None, Some(admin.clone())];
    for (role, name) in [
        (Role::PlanOffice, "po"),
        (Role::Reporter, "rep"),
        (Role::Finance, "fin"),
        (Role::Viewer, "view"),
    ] {
        let unit = if role == Role::Reporter {
            station
        } else {
            province_id
        };
        for (tokens, suffix, unit) in [(&mut inside, "qn", unit), (&mut outside, "dn", other)] {
            let (user, token) =
                user_and_token(&store, &format!("{name}_{suffix}"), role, Some(unit)).await;
            users.insert(user.username.clone(), user);
            tokens.push(Some(token));
        }
    }
    store.close().await;
    World {
        plan_id,
        assignment_id: assignment.id,
        station_id: station,
        users,
        province_id,
        sha256: String::new(),
        inside,
        outside,
    }
}

/// The request a caller makes on a route; `n` makes bodies unique.
fn request(
    server: &Server,
    world: &World,
    method: &str,
    path: &str,
    n: usize,
) -> reqwest::RequestBuilder {
    // Redirects are answers too (a page sending an anonymous caller to sign in).
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let url = |p: String| server.url(&p);
    let filled = path
        .replace("/plans/{id}", &format!("/plans/{}", world.plan_id))
        .replace(
            "/assignments/{id}",
            &format!("/assignments/{}", world.assignment_id),
        )
        .replace("{sha256}", &world.sha256);
    match (method, path) {
        ("GET", "/api/v1/plans/{id}/compliance") => {
            client.get(url(format!("{filled}?at=2024-06-30")))
        }
        ("GET", "/api/v1/units") => {
            client.get(url(format!("{filled}?q=Quang%20Nam&on=2024-06-01")))
        }
        ("GET", _) => client.get(url(filled)),
        ("POST", "/api/v1/units") => client.post(url(filled)).json(&json!({
            "code": format!("TEST-{n}"),
            "name": format!("Ban thử nghiệm {n}"),
            "kind": "agency",
            "parent_id": world.province_id,
        })),
        ("POST", "/api/v1/assignments/{id}/activities") => client
            .post(url(filled))
            .json(&json!({"date": "2024-01-04", "title": format!("Chuyên mục {n}")})),
        ("POST", "/api/v1/activities/import") => {
            let sheet = format!(
                "mã giao việc,ngày,tiêu đề\n{},2024-01-05,Nhập {n}\n",
                world.assignment_id
            );
            client.post(url(filled)).multipart(
                Form::new().part("file", Part::bytes(sheet.into_bytes()).file_name("hd.csv")),
            )
        }
        _ => panic!("no way to call {method} {path}: add one to request()"),
    }
}

on_both_backends! {
    async fn every_route_answers_each_role_inside_and_outside_as_the_table_says(db: &TestDb) {
        let mut world = set_up(db).await;
        let server = Server::start(&db.cli_args());
        let admin = world.inside[1].clone().unwrap();
        // The file every caller tries to download.
        let form = Form::new().text("date", "2024-01-04").text("title", "Có ảnh")
            .part("file", Part::bytes(PNG.to_vec()).file_name("anh.png"));
        let created: Value = http().post(server.url(&format!("/api/v1/assignments/{}/activities", world.assignment_id)))
            .bearer_auth(&admin).multipart(form).send().await.unwrap().json().await.unwrap();
        world.sha256 = created["evidence"][0]["sha256"].as_str().unwrap().to_string();

        // Every route has a row, and every row a route.
        let routes = server_routes(&server).await;
        let missing: Vec<String> = routes.iter()
            .filter(|(m, p)| !TABLE.iter().any(|r| r.method == m && r.path == p))
            .map(|(m, p)| format!("{m} {p}")).collect();
        assert!(missing.is_empty(), "routes without a row in the route table: {missing:?}");
        let stale: Vec<String> = TABLE.iter()
            .filter(|r| !routes.iter().any(|(m, p)| r.method == m && r.path == p))
            .map(|r| format!("{} {}", r.method, r.path)).collect();
        assert!(stale.is_empty(), "rows for routes the server does not have: {stale:?}");

        let mut failures = Vec::new();
        let mut n = 0;
        for row in TABLE {
            for (side, tokens, expected) in [("inside", &world.inside, row.inside), ("outside", &world.outside, row.outside)] {
                for (i, caller) in CALLERS.iter().enumerate() {
                    n += 1;
                    let mut req = request(&server, &world, row.method, row.path, n);
                    if let Some(token) = &tokens[i] {
                        req = req.bearer_auth(token);
                    }
                    let response = req.send().await.unwrap();
                    let status = response.status().as_u16();
                    let headers = response.headers().clone();
                    let body = response.text().await.unwrap();
                    if status != expected[i] {
                        failures.push(format!("{} {} as {caller} {side}: {status}, expected {} ({body})",
                            row.method, row.path, expected[i]));
                    }
                    // Every answer carries the security headers; every refusal is a JSON error.
                    for name in ["content-security-policy", "x-content-type-options", "x-frame-options", "referrer-policy"] {
                        if !headers.contains_key(name) {
                            failures.push(format!("{} {} as {caller}: no {name}", row.method, row.path));
                        }
                    }
                    if status >= 400 && status != 422 {
                        let error = serde_json::from_str::<Value>(&body).ok()
                            .and_then(|j| j["error"].as_str().map(str::to_string))
                            .unwrap_or_default();
                        if error.is_empty() {
                            failures.push(format!("{} {} as {caller}: {status} without a JSON error: {body}", row.method, row.path));
                        }
                    }
                }
            }
        }
        assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures.join("\n"));

        // What a scoped caller sees, not only whether it may look.
        let get = |path: String, token: String| {
            let url = server.url(&path);
            async move { http().get(url).bearer_auth(token).send().await.unwrap().json::<Value>().await.unwrap() }
        };
        let viewer_dn = world.outside[5].clone().unwrap();
        assert_eq!(get("/api/v1/plans".into(), viewer_dn.clone()).await, json!([]));
        assert_eq!(get("/api/v1/units?q=Quang%20Nam&on=2024-06-01".into(), viewer_dn).await, json!([]));
        let reporter_qn = world.inside[3].clone().unwrap();
        let plan = get(format!("/api/v1/plans/{}", world.plan_id), reporter_qn.clone()).await;
        let units: Vec<i64> = plan["tasks"].as_array().unwrap().iter()
            .flat_map(|t| t["assignments"].as_array().unwrap().iter().map(|a| a["unit_id"].as_i64().unwrap()))
            .collect();
        assert!(!units.is_empty() && units.iter().all(|u| *u == world.station_id), "a participant sees only its own part: {units:?}");
        let report = get(format!("/api/v1/plans/{}/compliance?at=2024-06-30", world.plan_id), reporter_qn).await;
        let reported: Vec<i64> = report["tasks"].as_array().unwrap().iter()
            .flat_map(|t| t["assignments"].as_array().unwrap().iter().map(|a| a["assignment_id"].as_i64().unwrap()))
            .collect();
        assert_eq!(reported.len(), units.len());
        assert!(reported.contains(&world.assignment_id));
        let plan_office_qn = world.inside[2].clone().unwrap();
        let whole = get(format!("/api/v1/plans/{}", world.plan_id), plan_office_qn.clone()).await;
        assert!(whole["tasks"].as_array().unwrap().iter().map(|t| t["assignments"].as_array().unwrap().len()).sum::<usize>() > 1);
        // A plan office attached to an agency (the Department is the province's plan office)
        // acts for the agency's province; a reporter of the same agency only for the agency.
        let store = db.open().await;
        let po_agency = user_token(&store, "po_agency", Role::PlanOffice, Some(world.station_id)).await;
        let other = store.assignments_of_plan(world.plan_id).await.unwrap().into_iter()
            .find(|a| a.unit_id != world.station_id).unwrap().id;
        store.close().await;
        let whole_too = get(format!("/api/v1/plans/{}", world.plan_id), po_agency.clone()).await;
        assert_eq!(whole_too["tasks"], whole["tasks"]);
        let status = |path: String, token: String| {
            let url = server.url(&path);
            async move { http().get(url).bearer_auth(token).send().await.unwrap().status().as_u16() }
        };
        assert_eq!(status(format!("/api/v1/assignments/{other}/activities"), po_agency).await, 200);
        assert_eq!(status(format!("/api/v1/assignments/{other}/activities"), world.inside[3].clone().unwrap()).await, 403);
        // Provinces, districts and communes come from the registry: a plan office adds agencies.
        let district = http().post(server.url("/api/v1/units")).bearer_auth(world.inside[2].clone().unwrap())
            .json(&json!({"code": "QN-H1", "name": "Huyện Thử", "kind": "district", "parent_id": world.province_id}))
            .send().await.unwrap();
        assert_eq!(district.status(), 403);
        // Unknown routes and methods: JSON errors with the security headers too.
        for (method, path, expected) in [("GET", "/nowhere", 404), ("DELETE", "/api/v1/plans", 405), ("PUT", "/healthz", 405)] {
            let response = http().request(method.parse().unwrap(), server.url(path)).bearer_auth(&admin).send().await.unwrap();
            assert_eq!(response.status().as_u16(), expected, "{method} {path}");
            assert_eq!(response.headers()["x-frame-options"], "DENY");
            assert!(response.headers()["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"));
            let body: Value = response.json().await.unwrap();
            assert!(body["error"].is_string(), "{method} {path}: {body}");
        }
        // The plan office of Đà Nẵng sees no entry about Quảng Nam's plan or activities.
        let plan_office_dn = world.outside[2].clone().unwrap();
        let audit = get("/api/v1/audit?limit=1000".into(), plan_office_dn).await;
        assert!(audit.as_array().unwrap().iter().all(|e| e["entity"] != "plan" && e["entity"] != "activity"), "{audit}");
        let audit = get("/api/v1/audit?limit=1000".into(), plan_office_qn).await;
        assert!(audit.as_array().unwrap().iter().any(|e| e["entity"] == "activity"), "{audit}");
    }

    async fn bad_revoked_and_disabled_credentials_get_401_json(db: &TestDb) {
        let world = set_up(db).await;
        let server = Server::start(&db.cli_args());
        let plans = server.url("/api/v1/plans");
        let viewer = world.inside[5].clone().unwrap();
        assert_eq!(http().get(&plans).bearer_auth(&viewer).send().await.unwrap().status(), 200);
        for header in ["Bearer", "Bearer ", "Bearer nope", "Basic dXNlcjpwYXNz", "bearer"] {
            let response = http().get(&plans).header("authorization", header).send().await.unwrap();
            assert_eq!(response.status(), 401, "{header}");
            assert_eq!(response.headers()["www-authenticate"], "Bearer");
            let body: Value = response.json().await.unwrap();
            assert!(body["error"].is_string());
        }
        // Revoked: the token of view_qn (token id from the CLI listing) stops working at once.
        let listed = cli_json(db, &["user", "tokens", "view_qn", "--json"]);
        let id = listed[0]["id"].as_i64().unwrap().to_string();
        let (code, out, err) = common::run_cli(db, &["user", "token", "view_qn", "--revoke", &id]);
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("revoked"), "{out}");
        assert_eq!(http().get(&plans).bearer_auth(&viewer).send().await.unwrap().status(), 401);
        let (code, _, err) = common::run_cli(db, &["user", "token", "view_qn", "--revoke", &id]);
        assert_eq!(code, 2, "revoking twice is an input error: {err}");
        // Disabled: every token of the user stops working.
        let reporter = world.inside[3].clone().unwrap();
        assert_eq!(http().get(&plans).bearer_auth(&reporter).send().await.unwrap().status(), 200);
        let (code, _, err) = common::run_cli(db, &["user", "disable", "rep_qn"]);
        assert_eq!(code, 0, "{err}");
        assert_eq!(http().get(&plans).bearer_auth(&reporter).send().await.unwrap().status(), 401);
    }
}
