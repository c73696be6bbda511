#!/bin/sh
# A cargo target runner that runs the `it` binary with libtest's per-test times as JSON, without
# rebuilding anything (RUSTC_BOOTSTRAP is set for the test binary only; set for cargo, it would
# rebuild every crate). Usage:
#   CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUNNER=scripts/it_report_time_runner.sh \
#     cargo xtask test --test it > it.json
case "$1" in
  */deps/it-*) exec env RUSTC_BOOTSTRAP=1 "$@" -Z unstable-options --format json --report-time ;;
  *) exec "$@" ;;
esac
