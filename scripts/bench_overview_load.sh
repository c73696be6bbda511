#!/usr/bin/env bash
# /overview under concurrent load on the national demo: C clients at once, each sending R
# requests one after another (keep-alive off), for an administrator and a plan office; prints
# p50/p95/max of the response times (curl's time_total, loopback) and the throughput.
# Usage: scripts/bench_overview_load.sh [KEHOACH_BINARY] [ACTIVITIES] [CLIENTS] [REQUESTS_EACH]
# With KEHOACH_BENCH_DATA=DIR the demo is built once into DIR (kept) and copied for each run, so
# two binaries are timed on the same data.
set -euo pipefail
BIN=${1:-target/release/kehoach}
ACTIVITIES=${2:-200000}
C=${3:-16}
R=${4:-10}
DIR=$(mktemp -d /tmp/kehoach-bench-overview.XXXXXX)
SERVER=; trap 'kill "$SERVER" 2>/dev/null || true; rm -rf "$DIR"' EXIT
if [ -n "${KEHOACH_BENCH_DATA:-}" ]; then
  [ -f "$KEHOACH_BENCH_DATA/kehoach.sqlite3" ] ||
    "$BIN" --data-dir "$KEHOACH_BENCH_DATA" demo --scale national --activities "$ACTIVITIES" >/dev/null
  cp -a "$KEHOACH_BENCH_DATA" "$DIR/data"
else
  "$BIN" --data-dir "$DIR/data" demo --scale national --activities "$ACTIVITIES" >/dev/null
fi
STORE=(--data-dir "$DIR/data")
q() { sqlite3 "$DIR/data/kehoach.sqlite3" "$1"; }
RUN=$$
add_user() { # name role [unit] → the one-time password
  "$BIN" "${STORE[@]}" user add "$1$RUN" --role "$2" ${3:+--unit "$3"} 2>/dev/null | grep -o '[0-9a-f]\{24\}' | tail -1
}
ADMIN_PW=$(add_user bench admin)
PROVINCE=$(q "SELECT u.code FROM plans p JOIN units u ON u.id = p.context_unit_id WHERE p.id = 1")
OFFICE_PW=$(add_user office plan-office "$PROVINCE")
"$BIN" "${STORE[@]}" serve --addr 127.0.0.1:0 --today 2026-11-15 >"$DIR/serve.log" 2>/dev/null &
SERVER=$!
for _ in $(seq 1 100); do grep -q listening "$DIR/serve.log" && break; sleep 0.2; done
BASE=$(grep -o 'http://[0-9.:]*' "$DIR/serve.log" | head -1)
sign_in() { # user password cookie-jar
  curl -s -c "$3" -b "$3" "$BASE/sign-in" -o "$DIR/signin.html"
  local token
  token=$(grep -o 'name="csrf" value="[^"]*"' "$DIR/signin.html" | sed 's/.*value="//;s/"//')
  curl -s -c "$3" -b "$3" -o /dev/null -X POST "$BASE/sign-in" --data "csrf=$token&username=$1&password=$2"
  # A one-time password must be changed before any other page.
  curl -s -c "$3" -b "$3" "$BASE/account" -o "$DIR/account.html"
  token=$(grep -o 'name="csrf" value="[^"]*"' "$DIR/account.html" | head -1 | sed 's/.*value="//;s/"//')
  curl -s -c "$3" -b "$3" -o /dev/null -X POST "$BASE/account/password" \
    --data "csrf=$token&new=Do-thi-tai-chinh-2026&repeat=Do-thi-tai-chinh-2026"
}
sign_in "bench$RUN" "$ADMIN_PW" "$DIR/admin.jar"
sign_in "office$RUN" "$OFFICE_PW" "$DIR/office.jar"
for jar in admin office; do
  code=$(curl -s -b "$DIR/$jar.jar" -o /dev/null -w '%{http_code}' "$BASE/overview")
  [ "$code" = 200 ] || { echo "/overview as $jar: $code" >&2; exit 1; }
done
load() { # jar path label
  local start end
  start=$(date +%s.%N)
  seq 1 "$C" | xargs -P "$C" -I{} sh -c \
    "for i in \$(seq 1 $R); do curl -s -b '$1' -o /dev/null -w '%{http_code} %{time_total}\n' '$BASE$2'; done" >"$DIR/times"
  end=$(date +%s.%N)
  if grep -qv '^200 ' "$DIR/times"; then echo "$2: not 200: $(grep -v '^200 ' "$DIR/times" | head -1)" >&2; exit 1; fi
  cut -d" " -f2 "$DIR/times" | sort -n >"$DIR/sorted"
  local n p50 p95 max rps
  n=$(wc -l <"$DIR/sorted")
  p50=$(awk -v n="$n" 'NR==int((n+1)/2){printf "%.1f", $1*1000}' "$DIR/sorted")
  p95=$(awk -v n="$n" 'NR==int(n*0.95+0.999){printf "%.1f", $1*1000}' "$DIR/sorted")
  max=$(tail -1 "$DIR/sorted" | awk '{printf "%.1f", $1*1000}')
  rps=$(awk -v n="$n" -v s="$start" -v e="$end" 'BEGIN{printf "%.1f", n/(e-s)}')
  printf '| `%s` (%s) | %s | %s | %s | %s | %s |\n' "$2" "$3" "$n" "$p50" "$p95" "$max" "$rps"
}
echo "| page (caller) | requests | p50 ms | p95 ms | max ms | requests/s |"
echo "|---|---|---|---|---|---|"
load "$DIR/admin.jar" /overview administrator
load "$DIR/admin.jar" "/overview?plan=1" administrator
load "$DIR/office.jar" /overview "plan office"
