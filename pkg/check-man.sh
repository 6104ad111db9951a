#!/usr/bin/env bash
# Checks that the man pages in man/ cannot drift from the programs:
#  - every option `logrotate --help` and `logrotated --help` list is in logrotate.8 and
#    logrotated.8, and every option the pages describe is in --help;
#  - man/logrotate-toml.5 is what pkg/gen-toml-man.py makes of docs/toml.md;
#  - the pages format without a groff warning.
# Usage: pkg/check-man.sh [BINDIR]   (default target/debug; builds the binaries if missing)
set -euo pipefail
cd "$(dirname "$0")/.."
bindir=${1:-target/debug}
if [ ! -x "$bindir/logrotate" ] || [ ! -x "$bindir/logrotated" ]; then
    cargo build -q -p logrotate --bins
    bindir=target/debug
fi
fail=0

options_of_help() {   # the -x and --long options of a --help text, one a line
    grep -oE '(^|[ ,])--?[A-Za-z?][A-Za-z0-9-]*' | sed -E 's/^[ ,]//' | sort -u
}
options_of_page() {   # the options a man page describes (.TP entries, \- escaped)
    awk 'prev == ".TP" { print } { prev = $1 }' "$1" | sed 's/\\-/-/g; s/\\fR//g; s/\\fB//g; s/\\fI//g' \
        | grep -oE '(^|[ ,"])--?[A-Za-z?][A-Za-z0-9-]*' | sed -E 's/^[ ,"]//' | sort -u
}
for prog in logrotate logrotated; do
    help=$("$bindir/$prog" --help | options_of_help)
    page=$(options_of_page "man/$prog.8")
    if [ "$help" != "$page" ]; then
        echo "man/$prog.8 and \`$prog --help\` list different options (< --help, > man page):"
        diff <(echo "$help") <(echo "$page") || true
        fail=1
    else
        echo "man/$prog.8: the $(echo "$help" | wc -l) options of --help, no more"
    fi
done

generated=$(mktemp)
trap 'rm -f "$generated"' EXIT
python3 pkg/gen-toml-man.py "$generated"
if ! diff -u man/logrotate-toml.5 "$generated"; then
    echo "man/logrotate-toml.5 is stale: run pkg/gen-toml-man.py man/logrotate-toml.5"
    fail=1
else
    echo "man/logrotate-toml.5: up to date with docs/toml.md"
fi

for page in man/*.[0-9]; do
    warnings=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null || true)
    if [ -n "$warnings" ]; then
        echo "$page: groff warnings:"; echo "$warnings"; fail=1
    fi
done
exit $fail
