#!/usr/bin/env bash
# Makes crates/intake-api/tests/fixtures/upgrade-v6.db: a small database written by this
# checkout's code (schema version 6), for the upgrade test (crates/intake-api/tests/
# upgrade.rs) to open with every later version. Run it once, before a schema change,
# commit the file with the commit it came from in tests/fixtures/README.md, and never
# regenerate it in tests: the point is that later code keeps opening today's file.
#
# The content comes from the example `upgrade_fixture` (through the API, on a fixed
# clock); the CLI built from this checkout then checks the audit chain and lists it.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$root/crates/intake-api/tests/fixtures/upgrade-v6.db}"
if [[ -e "$out" ]]; then
  echo "$out exists: remove it first if you really mean to replace the fixture." >&2
  exit 1
fi
if ! command -v sqlite3 >/dev/null; then
  echo "sqlite3 is missing (Debian: apt-get install sqlite3)." >&2
  exit 1
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cd "$root"
cargo build -p intake-cli --bin intake
cargo run -p intake-api --example upgrade_fixture -- "$work/intake.db"

# One self-contained file: no WAL beside it, free pages dropped.
sqlite3 "$work/intake.db" 'PRAGMA journal_mode = DELETE; VACUUM;' >/dev/null
version="$(sqlite3 "$work/intake.db" 'PRAGMA user_version;')"
echo "schema version $version"

target/debug/intake --data-dir "$work" audit verify
target/debug/intake --data-dir "$work" encounter list
# The checks above opened the file again; drop what they left beside it.
sqlite3 "$work/intake.db" 'PRAGMA journal_mode = DELETE;' >/dev/null
mkdir -p "$(dirname "$out")"
cp "$work/intake.db" "$out"
echo "wrote $out ($(stat -c %s "$out") bytes) from $(git rev-parse --short HEAD)"
