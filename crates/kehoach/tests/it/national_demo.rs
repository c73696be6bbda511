//! `kehoach demo --scale national` and `demo --measure`, the data and the figures of the
//! national-scale bench, on each backend: the synthetic country is built whole, its bulk load
//! finishes (statistics, and on PostgreSQL a vacuum), and the counters' roll-up equals a plain
//! SQL `GROUP BY` over the same data where the backend computes one.

use crate::common;

use common::{TestDb, run_cli};
use serde_json::Value;

/// The JSON of the last line a command printed (the commands print progress before it).
fn last_json(out: &str) -> Value {
    let line = out
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"))
}

on_both_backends! {
    async fn the_national_demo_is_built_and_measured(db: &TestDb) {
        let (code, out, err) = run_cli(db, &["demo", "--scale", "national", "--activities", "3000"]);
        assert_eq!(code, 0, "demo failed: {err}");
        let built = last_json(&out);
        assert_eq!(built["provinces"], 34);
        assert_eq!(built["communes"], 3321);
        assert_eq!(built["plans"], 34);
        assert_eq!(built["activities"], 3000);
        assert!(built["assignments"].as_u64().unwrap() > 3321, "a weekly item for every commune: {built}");

        let (code, out, err) = run_cli(db, &["demo", "--measure", "--runs", "1"]);
        assert_eq!(code, 0, "measure failed: {err}");
        let measured = last_json(&out);
        let met = measured["rollup_met"].as_u64().unwrap();
        let ended = measured["rollup_ended"].as_u64().unwrap();
        assert!(met > 0 && met <= ended, "{measured}");
        assert!(measured["rollup_on_time"].as_u64().unwrap() <= met);
        // PostgreSQL also computes the roll-up with a plain GROUP BY: the same figures.
        if !measured["sql_met"].is_null() {
            assert_eq!(measured["sql_met"], measured["rollup_met"]);
            assert_eq!(measured["sql_on_time"], measured["rollup_on_time"]);
            assert_eq!(measured["sql_ended"], measured["rollup_ended"]);
        }
    }
}
