//! The store suite: every test runs on embedded SQLite and on PostgreSQL.

use crate::common;

use chrono::NaiveDate;
use common::TestDb;
use kehoach::store::{Change, NewUnit, Role, StoreError};

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

on_both_backends! {
    async fn migrations_run_and_report_a_schema_version(db: &TestDb) {
        let store = db.open().await;
        assert!(store.schema_version().await.unwrap() >= 1);
        // Opening again (a restart, or a second server) applies nothing and fails nothing.
        let again = db.open().await;
        assert_eq!(again.schema_version().await.unwrap(), store.schema_version().await.unwrap());
    }

    async fn units_keep_validity_and_normalise_text(db: &TestDb) {
        let store = db.open().await;
        let by = Change::system("test");
        // NFD input, as Word produces: stored as NFC.
        let nfd_name: String = "Huye\u{0323}\u{0302}n Thư\u{0309} Nghie\u{0323}\u{0302}m".into();
        let old = store
            .create_unit(
                &NewUnit {
                    code: "T495".into(),
                    name: nfd_name,
                    kind: "district".into(),
                    valid_to: Some(day("2025-06-30")),
                    aliases: vec!["UBND huyện Thử Nghiệm Mới".into()],
                    ..NewUnit::default()
                },
                &by,
            )
            .await
            .unwrap();
        assert_eq!(old.name, "Huyện Thử Nghiệm");
        // The same code reused after the reform is another unit.
        store
            .create_unit(
                &NewUnit { code: "T495".into(), name: "Xã Thử Nghiệm".into(), kind: "commune".into(), valid_from: Some(day("2025-07-01")), ..NewUnit::default() },
                &by,
            )
            .await
            .unwrap();
        let in_2024 = store.unit_by_code("T495", day("2024-06-01")).await.unwrap().unwrap();
        assert_eq!(in_2024.kind, "district");
        let in_2025 = store.unit_by_code("T495", day("2025-08-01")).await.unwrap().unwrap();
        assert_eq!(in_2025.kind, "commune");
        // Diacritic-insensitive search, by name and by alias, respecting the date.
        let found = store.search_units("huyen thu nghiem", day("2024-06-01"), 10).await.unwrap();
        assert_eq!(found.iter().map(|u| u.id).collect::<Vec<_>>(), vec![old.id]);
        let by_alias = store.search_units("ubnd huyen thu nghiem moi", day("2024-06-01"), 10).await.unwrap();
        assert_eq!(by_alias.len(), 1);
        // LIKE wildcards in the query are literal.
        assert!(store.search_units("%", day("2024-06-01"), 10).await.unwrap().is_empty());
    }

    async fn duplicate_unit_is_a_conflict_and_changes_nothing(db: &TestDb) {
        let store = db.open().await;
        let by = Change::system("test");
        let before = store.count_units().await.unwrap();
        let audited = store.audit_entries(Some("unit"), 1000).await.unwrap().len();
        let unit = NewUnit { code: "T.49".into(), name: "Đơn vị thử".into(), kind: "agency".into(), ..NewUnit::default() };
        store.create_unit(&unit, &by).await.unwrap();
        let err = store.create_unit(&unit, &by).await.unwrap_err();
        assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
        assert_eq!(store.count_units().await.unwrap(), before + 1);
        // The failed attempt left no audit entry behind: it rolled back with the insert.
        assert_eq!(store.audit_entries(Some("unit"), 1000).await.unwrap().len(), audited + 1);
    }

    async fn every_change_is_audited_and_the_log_is_append_only(db: &TestDb) {
        let store = db.open().await;
        let by = Change { user_id: None, actor: "sotttt".into() };
        let audited = store.audit_entries(None, 1000).await.unwrap().len();
        let unit = store
            .create_unit(&NewUnit { code: "T.49".into(), name: "Tỉnh Thử".into(), kind: "province".into(), ..NewUnit::default() }, &by)
            .await
            .unwrap();
        let entries = store.audit_entries(Some("unit"), 1000).await.unwrap();
        assert_eq!(entries.len(), audited + 1, "one entry for the change");
        assert_eq!(entries[0].actor, "sotttt");
        assert_eq!(entries[0].entity_id, unit.id.to_string());
        assert_eq!(entries[0].after.as_ref().unwrap().0["name"], "Tỉnh Thử");
        let update = db.raw_execute("UPDATE audit_log SET actor = 'someone else'").await;
        assert!(update.is_err(), "UPDATE on audit_log must be refused");
        let delete = db.raw_execute("DELETE FROM audit_log").await;
        assert!(delete.is_err(), "DELETE on audit_log must be refused");
        assert_eq!(store.audit_entries(None, 1000).await.unwrap().len(), audited + 1);
    }

    async fn users_tokens_and_disabling(db: &TestDb) {
        let store = db.open().await;
        let by = Change::system("test");
        let unit = store
            .create_unit(&NewUnit { code: "T.49".into(), name: "Tỉnh Thử".into(), kind: "province".into(), ..NewUnit::default() }, &by)
            .await
            .unwrap();
        let user = store.create_user("daiptth", "Đài PT-TH", Some(unit.id), Role::Reporter, "$argon2id$x", &by).await.unwrap();
        assert_eq!(user.role, Role::Reporter);
        // A password given by its user; a one-time one is marked as such afterwards.
        assert!(!user.must_change_password);
        store.require_password_change(user.id).await.unwrap();
        assert!(store.user(user.id).await.unwrap().unwrap().must_change_password);
        let dup = store.create_user("daiptth", "x", None, Role::Viewer, "h", &by).await.unwrap_err();
        assert!(matches!(dup, StoreError::Conflict(_)));
        store.create_token(user.id, "phone", "hash-1", &by).await.unwrap();
        assert_eq!(store.user_by_token_hash("hash-1").await.unwrap().unwrap().username, "daiptth");
        assert!(store.user_by_token_hash("hash-2").await.unwrap().is_none());
        store.disable_user("daiptth", &by).await.unwrap();
        assert!(store.user_by_token_hash("hash-1").await.unwrap().is_none(), "a disabled user's token stops working");
        assert!(matches!(store.disable_user("nobody", &by).await, Err(StoreError::NotFound(_))));
    }

    async fn meta_values_upsert(db: &TestDb) {
        let store = db.open().await;
        assert_eq!(store.meta("units_data").await.unwrap(), None);
        store.set_meta("units_data", "v1").await.unwrap();
        store.set_meta("units_data", "v2").await.unwrap();
        assert_eq!(store.meta("units_data").await.unwrap().as_deref(), Some("v2"));
    }
}
