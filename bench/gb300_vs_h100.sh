#!/bin/bash
# The source's reading of InferenceX (GB300 NVL72 vs H100 on DeepSeek-R1: ~20x the output tokens/s per GPU at 40
# tokens/s per user, ~100x at 120; shared/reference/wafer_and_system_facts.md) as waferscope's frontier gives it:
# GB300 in NVFP4, H100 in FP8, both with MTP; at each speed the best throughput per GPU among the swept points at or
# above it. Usage: bench/gb300_vs_h100.sh [WAFERSCOPE] [extra frontier flags, e.g. --colocated-only]
set -euo pipefail
bin=${1:-build/waferscope}
shift || true
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
printf '%-16s %-8s %s\n' "ISL/OSL" "stack" "ratio at 40 / at 120 tok/s/user (GB300 vs H100 output tok/s/GPU)"
for scenario in "1024 1024" "8192 1024" "1024 8192"; do
  set -- $scenario "$@"
  isl=$1 osl=$2
  shift 2
  for stack in vllm sglang trt; do
    "$bin" frontier --model deepseek-r1 --hardware gb300-nvl72 --weight-dtype nvfp4 --spec-decode mtp --all-points \
      --format csv --isl "$isl" --osl "$osl" --stack "$stack" "$@" > "$scratch/gb300.csv"
    "$bin" frontier --model deepseek-r1 --hardware dgx-h100 --weight-dtype fp8 --spec-decode mtp --all-points \
      --format csv --isl "$isl" --osl "$osl" --stack "$stack" "$@" > "$scratch/h100.csv"
    python3 - "$scratch" "$isl/$osl" "$stack" <<'PY'
import csv, sys
scratch, scenario, stack = sys.argv[1:4]
def best(name, speed):
    rows = [r for r in csv.DictReader(open(f"{scratch}/{name}.csv")) if float(r["tokens_per_s_per_user"]) >= speed]
    return max((float(r["output_tokens_per_s_per_device"]) for r in rows), default=0.0)
cells = []
for speed in (40, 120):
    g, h = best("gb300", speed), best("h100", speed)
    cells.append(f"{g / h:.0f}x ({g:,.0f} vs {h:,.1f})" if h > 0 else f"H100 never reaches {speed} (GB300 {g:,.0f})")
print(f"{scenario:<16} {stack:<8} " + " / ".join(cells))
PY
  done
done
