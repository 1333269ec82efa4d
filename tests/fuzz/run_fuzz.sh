#!/usr/bin/env bash
# Runs every libFuzzer harness built in $1 (fuzz_* binaries) for $2 seconds each, $3 at a time, and prints per
# harness the inputs executed (libFuzzer's "Done N runs" line) and the crashes found. Seeds come from the catalog
# and the tests (see seed_harness below); what a harness finds is kept in $1/fuzz/corpus/<target> between runs.
# A crash leaves its input in $1/fuzz/artifacts/<target>/: copy it into tests/fuzz/regressions/<target>/ once
# fixed, so that regression_test.cpp replays it forever. Exit status: 0 when no harness found anything.
set -uo pipefail
build="$1"; seconds="${2:-60}"; jobs="${3:-2}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$build/fuzz"
mkdir -p "$work"

seed_harness() {  # target seed-folder
  local target="$1" seeds="$2"
  mkdir -p "$seeds"
  case "$target" in
    config_json) cp "$root"/catalog/models/*/*/config.json "$seeds/" 2>/dev/null
                 i=0; for f in "$root"/catalog/models/*/*/config.json "$root"/tests/data/configs/*/*/config.json \
                               "$root"/tests/data/bad_configs/*.json; do cp "$f" "$seeds/seed_$i.json"; i=$((i+1)); done ;;
    azure_trace) for f in "$root"/catalog/traces/*.csv; do head -n 40 "$f" > "$seeds/$(basename "$f")"; done
                 cp "$root"/tests/data/bad_traces/*.csv "$seeds/" ;;
    mooncake_trace) for f in "$root"/catalog/traces/*.jsonl; do head -n 12 "$f" > "$seeds/$(basename "$f")"; done
                    cp "$root"/tests/data/bad_traces/*.jsonl "$seeds/" ;;
    api) cp "$root"/tests/fuzz/seeds/api/* "$seeds/" ;;
    defect_file) printf '0,1\n3,4\n# a comment\n15,16\n' > "$seeds/defects.csv"; printf '2,0\n2,1\n2,2\n' > "$seeds/row.csv" ;;
    workload) cp "$root"/catalog/workloads/*.toml "$seeds/"; cp "$root"/tests/data/bad_workloads/* "$seeds/" 2>/dev/null ;;
    *_toml) cp "$root/catalog/${target%_toml}.toml" "$seeds/" ;;
  esac
  if [ -d "$root/tests/fuzz/regressions/$target" ]; then cp "$root/tests/fuzz/regressions/$target"/* "$seeds/"; fi
}

run_one() {  # binary
  local binary="$1" target
  target="$(basename "$binary")"; target="${target#fuzz_}"
  local corpus="$work/corpus/$target" seeds="$work/seeds/$target" artifacts="$work/artifacts/$target/"
  rm -rf "$seeds" "$artifacts"; mkdir -p "$corpus" "$artifacts"  # artifacts of an earlier run are not this run's
  seed_harness "$target" "$seeds"
  # -timeout: an input that takes 30 s under the sanitizers is a hang (every command is capped well below);
  # -rss_limit_mb: the sanitizers' shadow memory plus a capped simulation stays far below 4 GB.
  local dict=()
  [ -f "$root/tests/fuzz/$target.dict" ] && dict=(-dict="$root/tests/fuzz/$target.dict")
  "$binary" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=4096 -print_final_stats=1 "${dict[@]}" \
    -artifact_prefix="$artifacts" "$corpus" "$seeds" > "$work/$target.log" 2>&1
  local status=$?
  local runs crashes
  runs="$(grep -oE 'Done [0-9]+ runs' "$work/$target.log" | tail -1 | grep -oE '[0-9]+')"
  [ -z "$runs" ] && runs="$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$work/$target.log" | grep -oE '[0-9]+$')"
  crashes="$(find "$artifacts" -type f | wc -l)"
  printf '%-18s %12s inputs  %3s crashes  (exit %s, log %s)\n' "$target" "${runs:-?}" "$crashes" "$status" "$work/$target.log"
}
export -f run_one seed_harness
export work root seconds

echo "fuzzing each harness for $seconds s, $jobs at a time (ASan + UBSan + libFuzzer)"
# The harnesses are fuzz_<target>; fuzz_regression_test (the unit test replaying their crashes) is not one.
find "$build" -maxdepth 1 -type f -executable -name 'fuzz_*' ! -name '*_test' | sort | xargs -P "$jobs" -I{} bash -c 'run_one {}' | sort | tee "$work/summary.txt"
total="$(awk '{s += $2} END {print s}' "$work/summary.txt")"
found="$(awk '{s += $4} END {print s}' "$work/summary.txt")"
echo "total: $total inputs, $found crashes"
[ "$found" -eq 0 ]
