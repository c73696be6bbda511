#!/usr/bin/env bash
# Server time per page on the national demo data: p50/p95 over N requests per page, timed by curl
# on loopback (so: server time plus a loopback round trip).
# Usage: scripts/bench_pages.sh [KEHOACH_BINARY] [ACTIVITIES] [REQUESTS]
# SQLite by default, in a temporary directory. With KEHOACH_BENCH_DATA=DIR, the demo is built once
# into DIR (kept) and copied for each run, so two binaries can be timed on the same data. With
# KEHOACH_BENCH_DATABASE_URL=postgres://…, PostgreSQL: the demo is built there unless it holds
# plans already (the bench's users are added each run under fresh names).
set -euo pipefail
BIN=${1:-target/release/kehoach}
ACTIVITIES=${2:-200000}
N=${3:-30}
DIR=$(mktemp -d /tmp/kehoach-bench-pages.XXXXXX)
SERVER=; trap 'kill "$SERVER" 2>/dev/null || true; rm -rf "$DIR"' EXIT

if [ -n "${KEHOACH_BENCH_DATABASE_URL:-}" ]; then
  STORE=(--data-dir "$DIR/data" --database-url "$KEHOACH_BENCH_DATABASE_URL")
  q() { psql -qtA "$KEHOACH_BENCH_DATABASE_URL" -c "$1"; }
  [ "$(q "SELECT to_regclass('plans') IS NOT NULL AND EXISTS (SELECT 1 FROM plans)" 2>/dev/null)" = t ] ||
    "$BIN" "${STORE[@]}" demo --scale national --activities "$ACTIVITIES" >/dev/null
else
  STORE=(--data-dir "$DIR/data")
  q() { sqlite3 "$DIR/data/kehoach.sqlite3" "$1"; }
  if [ -n "${KEHOACH_BENCH_DATA:-}" ]; then
    [ -f "$KEHOACH_BENCH_DATA/kehoach.sqlite3" ] ||
      "$BIN" --data-dir "$KEHOACH_BENCH_DATA" demo --scale national --activities "$ACTIVITIES" >/dev/null
    cp -a "$KEHOACH_BENCH_DATA" "$DIR/data"
  else
    "$BIN" "${STORE[@]}" demo --scale national --activities "$ACTIVITIES" >/dev/null
  fi
fi
RUN=$$
add_user() { # name role [unit] → the one-time password
  "$BIN" "${STORE[@]}" user add "$1$RUN" --role "$2" ${3:+--unit "$3"} 2>/dev/null | grep -o '[0-9a-f]\{24\}' | tail -1
}
ADMIN_PW=$(add_user bench admin)
# A reporter: the radio station of the first commune with an assignment in plan 1.
UNIT=$(q "SELECT u.code FROM assignments a JOIN units u ON u.id = a.unit_id JOIN units p ON p.id = u.parent_id JOIN tasks t ON t.id = a.task_id WHERE t.plan_id = 1 AND p.kind = 'commune' ORDER BY a.id LIMIT 1")
REPORTER_PW=$(add_user station reporter "$UNIT")
# The plan office of plan 1's province (it sees the whole province, as `sotttt` does).
PROVINCE=$(q "SELECT u.code FROM plans p JOIN units u ON u.id = p.context_unit_id WHERE p.id = 1")
OFFICE_PW=$(add_user office plan-office "$PROVINCE")
# The assignment and unit id of that station, for the activity lists behind a cell.
ASSIGNMENT=$(q "SELECT a.id FROM assignments a JOIN units u ON u.id = a.unit_id JOIN tasks t ON t.id = a.task_id WHERE t.plan_id = 1 AND u.code = '$UNIT' ORDER BY a.id LIMIT 1")
UNIT_ID=$(q "SELECT id FROM units WHERE code = '$UNIT' ORDER BY id DESC LIMIT 1")
TASK=$(q "SELECT t.id FROM tasks t JOIN targets g ON g.task_id = t.id WHERE t.plan_id = 1 AND g.per = 'week' ORDER BY t.id LIMIT 1")

"$BIN" "${STORE[@]}" serve --addr 127.0.0.1:0 --today 2026-11-15 >"$DIR/serve.log" 2>/dev/null &
SERVER=$!
for _ in $(seq 1 100); do grep -q listening "$DIR/serve.log" && break; sleep 0.2; done
BASE=$(grep -o 'http://[0-9.:]*' "$DIR/serve.log" | head -1)

sign_in() { # user password cookie-jar
  curl -s -c "$3" -b "$3" "$BASE/sign-in" -o "$DIR/signin.html"
  local token
  token=$(grep -o 'name="csrf" value="[^"]*"' "$DIR/signin.html" | sed 's/.*value="//;s/"//')
  curl -s -c "$3" -b "$3" -o /dev/null -X POST "$BASE/sign-in" --data "csrf=$token&username=$1&password=$2"
}
sign_in "bench$RUN" "$ADMIN_PW" "$DIR/admin.jar"
sign_in "station$RUN" "$REPORTER_PW" "$DIR/reporter.jar"
sign_in "office$RUN" "$OFFICE_PW" "$DIR/office.jar"

measure() { # jar path [label]
  local times
  local out
  out=$(for _ in $(seq 1 "$N"); do curl -s -b "$1" -o "$DIR/page" -w '%{http_code} %{time_total}\n' "$BASE$2"; done)
  if echo "$out" | grep -qv '^200 '; then
    echo "$2: not 200: $(echo "$out" | grep -v '^200 ' | head -1)" >&2
    exit 1
  fi
  times=$(echo "$out" | cut -d' ' -f2 | sort -n)
  local size p50 p95
  size=$(stat -c %s "$DIR/page")
  p50=$(echo "$times" | awk -v n="$N" 'NR==int((n+1)/2){printf "%.1f", $1*1000}')
  p95=$(echo "$times" | awk -v n="$N" 'NR==int(n*0.95+0.999){printf "%.1f", $1*1000}')
  printf '| `%s`%s | %s | %s | %s |\n' "$2" "${3:-}" "$p50" "$p95" "$size"
}
echo "| page | p50 ms | p95 ms | bytes |"
echo "|---|---|---|---|"
for path in /overview "/overview?plan=1" "/overview?plan=1&all=1" /plans /plans/1 "/plans/1?status=missed" "/tasks/$TASK" "/heatmap?plan=1" "/heatmap?plan=1&per=week" \
    "/heatmap?plan=1&task=$TASK" /deadlines "/search?q=truyen+thong" /plans/import \
    "/activities?assignment=$ASSIGNMENT" "/activities?plan=1&unit=$UNIT_ID&from=2026-10-01&to=2026-10-31"; do
  measure "$DIR/admin.jar" "$path"
done
for path in /overview /plans/1 "/tasks/$TASK" "/heatmap?plan=1" "/heatmap?plan=1&task=$TASK" /deadlines \
    "/deadlines?state=any" "/plans/1?unit_q=truyen+thanh" "/units/suggest?plan=1&q=truyen+thanh"; do
  measure "$DIR/office.jar" "$path" " (plan office)"
done
measure "$DIR/reporter.jar" /my-work " (commune reporter)"
measure "$DIR/reporter.jar" "/activities?assignment=$ASSIGNMENT" " (commune reporter)"
measure /dev/null /sign-in " (signed out)"
