#!/bin/bash
# Starts `kehoach serve --demo` on SQLite in a fresh directory and runs scripts/mixed_load.py
# against it (issue 18's memory measurement; BENCHMARKS.md "Resident memory").
# Usage: scripts/mixed_load_run.sh CACHE_MIB SECONDS [BINARY]   (default target/release/kehoach)
set -euo pipefail
CACHE=${1:?cache MiB per connection}; SECONDS_=${2:?seconds of load}
BIN=${3:-target/release/kehoach}
HERE=$(cd "$(dirname "$0")" && pwd)
D=$(mktemp -d); LOG=$D/serve.log
"$BIN" --data-dir "$D" --sqlite-cache-mib "$CACHE" serve --demo --addr 127.0.0.1:0 > "$LOG" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
for _ in $(seq 120); do grep -q "listening on" "$LOG" && break; sleep 1; done
URL=$(grep -o "http://[0-9.:]*" "$LOG" | head -1)
TOKEN=$("$BIN" --data-dir "$D" user token quantri | tail -1)
ASSIGNMENTS=$(python3 -c "import sqlite3,sys; db=sqlite3.connect(sys.argv[1]); print(','.join(str(r[0]) for r in db.execute('SELECT id FROM assignments ORDER BY id LIMIT 50')))" "$D/kehoach.sqlite3")
echo "server $PID at $URL, data in $D, cache $CACHE MiB per connection"
python3 "$HERE/mixed_load.py" --base "$URL" --pid "$PID" --token "$TOKEN" --connections 200 \
    --seconds "$SECONDS_" --idle 30 --plan 1 --assignments "$ASSIGNMENTS"
