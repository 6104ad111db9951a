#!/usr/bin/env bash
# Benchmark of watched-writer (not a test: it prints figures and asserts nothing).
#
#   watched-writer/bench/run.sh            # from anywhere; LINES, RUNS, ROTATIONS, DIR override
#
# 1. Throughput: loggen with each reopen policy, against `plain` (an ordinary File opened with
#    O_APPEND) and against Python's logging.handlers.WatchedFileHandler writing the same lines.
#    Runs are interleaved and the median of RUNS is shown.
# 2. Rotation detection latency: from the rename of the log to the first write that lands in
#    the new file, with the writer at 10000 lines/s, for each policy and for Python.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
LINES=${LINES:-1000000}      # lines per Rust run (100 bytes each)
PY_LINES=${PY_LINES:-200000} # lines per Python run
RUNS=${RUNS:-7}
ROTATIONS=${ROTATIONS:-50}
if [ -n "${DIR:-}" ]; then   # where the logs go (the filesystem matters); default a temp dir
    trap 'rm -f "$DIR"/bench-*' EXIT
else
    DIR=$(mktemp -d)
    trap 'rm -rf "$DIR"' EXIT
fi

cd "$root"
cargo build --release --quiet -p watched-writer --example loggen --example latency
bin=${CARGO_TARGET_DIR:-$root/target}/release/examples
python=${PYTHON:-python3}

rate_of() { sed -n 's/.*lines_per_sec=\([0-9]*\).*/\1/p'; }

writers=(plain notify every-write interval-ms=1000 python)
declare -A rates
for _ in $(seq "$RUNS"); do
    for w in "${writers[@]}"; do
        log="$DIR/bench-$w.log"
        rm -f "$log"
        if [ "$w" = python ]; then
            r=$("$python" "$here/py_watched.py" "$log" "$PY_LINES" | rate_of)
        else
            r=$("$bin/loggen" "$log" "$LINES" --policy "$w" | rate_of)
        fi
        rates[$w]+="$r "
        rm -f "$log"
    done
done

echo "== throughput: $LINES lines of 100 bytes ($PY_LINES for Python), median of $RUNS runs, in $DIR"
for w in "${writers[@]}"; do echo "$w ${rates[$w]}"; done | "$python" -c '
import statistics, sys
med = {}
for line in sys.stdin:
    name, *runs = line.split()
    med[name] = statistics.median(int(r) for r in runs)
print("%-18s%12s%10s%11s" % ("writer", "lines/s", "vs plain", "vs python"))
for name, r in med.items():
    print("%-18s%12s%10.2f%11.1f" % (name, format(round(r), ","), r / med["plain"], r / med["python"]))
'

echo
echo "== rotation detection latency: rename -> first line in the new file, writer at 10000 lines/s, $ROTATIONS rotations"
printf '%-18s %s\n' writer result
for w in notify every-write interval-ms=100 python; do
    log="$DIR/bench-latency.log"
    rm -f "$log"*
    if [ "$w" = python ]; then
        cmd=("$python" "$here/py_watched.py" "$log" 100000000 --rate 10000)
    else
        cmd=("$bin/loggen" "$log" 100000000 --rate 10000 --policy "$w")
    fi
    printf '%-18s %s\n' "$w" "$("$bin/latency" "$log" "$ROTATIONS" -- "${cmd[@]}")"
    rm -f "$log"*
done
