#!/usr/bin/env bash
# make fuzz: installs cargo-fuzz into .tools/ (once; never system-wide), builds the fuzz
# targets of fuzz/ on stable Rust (no sanitizer: `--sanitizer none` needs no nightly),
# runs each for FUZZ_SECONDS (default 60) and prints its executions.
#
# New inputs that reach new code go to fuzz/target/corpus/<target>/ (kept between runs,
# never committed); the committed seeds in fuzz/corpus/<target>/ are only read. A crash
# leaves its input in fuzz/artifacts/<target>/: fix it, then commit that input under
# fuzz/corpus/<target>/ (the corpus test replays it in `make test`).
#
# FUZZ_TARGETS="pdf_text search_query" runs only those; FUZZ_ARGS adds libFuzzer options.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
tools="$root/.tools"
seconds="${FUZZ_SECONDS:-60}"
cd "$root"

if [[ ! -x "$tools/bin/cargo-fuzz" ]]; then
  echo "Installing cargo-fuzz into $tools (one time, about two minutes)"
  cargo install cargo-fuzz --locked --root "$tools" --quiet || exit 1
fi
export PATH="$tools/bin:$PATH"

targets="${FUZZ_TARGETS:-$(cargo fuzz list)}"
if [[ -z "$targets" ]]; then
  echo "No fuzz targets found (cargo fuzz list, in $root/fuzz)." >&2
  exit 1
fi
cargo fuzz build --sanitizer none || exit 1

# One of libFuzzer's final figures (-print_final_stats=1) from a log.
stat() { sed -n "s/^stat::$2: *//p" "$1" | tail -n 1; }

logs="$root/fuzz/target/logs"
mkdir -p "$logs"
summary=()
failed=()
for target in $targets; do
  work="$root/fuzz/target/corpus/$target"
  mkdir -p "$work"
  echo "Fuzzing $target for ${seconds}s (log: fuzz/target/logs/$target.log)"
  # shellcheck disable=SC2086 # FUZZ_ARGS is a list of options
  cargo fuzz run --sanitizer none "$target" "$work" "fuzz/corpus/$target" -- \
    -max_total_time="$seconds" -print_final_stats=1 ${FUZZ_ARGS:-} >"$logs/$target.log" 2>&1
  status=$?
  runs="$(stat "$logs/$target.log" number_of_executed_units)"
  rate="$(stat "$logs/$target.log" average_exec_per_sec)"
  found="$(stat "$logs/$target.log" new_units_added)"
  rss="$(stat "$logs/$target.log" peak_rss_mb)"
  if [[ $status -eq 0 ]]; then
    result="ok"
  else
    result="FAILED (exit $status)"
    failed+=("$target")
    tail -n 40 "$logs/$target.log"
  fi
  summary+=("$(printf '%-22s %12s %10s %10s %8s  %s' "$target" "${runs:-?}" "${rate:-?}" "${found:-?}" "${rss:-?}" "$result")")
done

echo
printf '%-22s %12s %10s %10s %8s  %s\n' target executions "execs/s" "new units" "RSS MB" result
printf '%s\n' "${summary[@]}"
if [[ ${#failed[@]} -gt 0 ]]; then
  echo
  echo "Crashes in: ${failed[*]}. Each input is in fuzz/artifacts/<target>/; replay one with" >&2
  echo "  .tools/bin/cargo-fuzz run --sanitizer none <target> fuzz/artifacts/<target>/<file>" >&2
  exit 1
fi
