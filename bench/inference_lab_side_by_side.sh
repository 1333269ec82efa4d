#!/usr/bin/env bash
# Side by side in one run: waferscope's simulator and inference-lab (@doublewordai/inference-lab, its WASM build
# under node) on one workload: Llama 3.1 8B (bf16) on one H100, Poisson arrivals at 20 requests/s, 1,300 tokens
# in and 275 out. Each gets the same number of requests (N, default 2000; inference-lab's time grows faster
# than linearly with N once its queue builds up); the arrival draws are each tool's own. Prints the wall time of
# each and the ratio. Times include each tool's start (catalog or WASM load) and writing nothing but a summary.
#
#   bench/inference_lab_side_by_side.sh PATH_TO_INFERENCE_LAB_PACKAGE [N]
#   (the package folder of `npm pack @doublewordai/inference-lab` unpacked, or node_modules/@doublewordai/inference-lab)
set -euo pipefail
pkg=$(cd "${1:?path to the inference-lab package folder}" && pwd)
n=${2:-2000}
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${WAFERSCOPE_BIN:-$here/build/waferscope}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The same workload as an Azure-format trace for waferscope (seeded Poisson arrivals).
python3 - "$n" "$work/trace.csv" <<'PY'
import random, sys, datetime
n, path = int(sys.argv[1]), sys.argv[2]
rng, t = random.Random(1), 0.0
start = datetime.datetime(2024, 1, 1)
with open(path, "w") as f:
    f.write("TIMESTAMP,ContextTokens,GeneratedTokens\n")
    for _ in range(n):
        t += rng.expovariate(20.0)
        f.write(f"{(start + datetime.timedelta(seconds=t)).strftime('%Y-%m-%d %H:%M:%S.%f')},1300,275\n")
PY

# inference-lab's config (0.2.x schema): H100 dense bf16, Llama 3.1 8B's shape, vLLM-like chunked prefill.
cat > "$work/config.json" <<JSON
{"hardware": {"name": "H100", "compute_flops": 989e12, "memory_bandwidth": 3.35e12, "memory_capacity": 80000000000,
              "bytes_per_param": 2},
 "model": {"name": "llama-3.1-8b", "num_parameters": 8030000000, "num_layers": 32, "hidden_dim": 4096, "num_heads": 32,
           "num_kv_heads": 8, "max_seq_len": 131072},
 "scheduler": {"max_num_batched_tokens": 8192, "max_num_seqs": 256, "policy": "fcfs", "enable_chunked_prefill": true,
               "block_size": 16},
 "workload": {"arrival_pattern": "poisson", "arrival_rate": 20.0, "input_len_dist": {"type": "fixed", "value": 1300},
              "output_len_dist": {"type": "fixed", "value": 275}, "num_requests": $n, "seed": 1}}
JSON
cat > "$work/run.mjs" <<JS
import fs from 'fs';
import { initSync, run_simulation } from '$pkg/inference_lab.js';
initSync({ module: fs.readFileSync('$pkg/inference_lab_bg.wasm') });
const r = run_simulation(fs.readFileSync('$work/config.json', 'utf8'));
console.log('inference-lab: ' + r.metrics.requests_per_sec.toFixed(2) + ' requests/s served, TTFT p50 ' +
            r.metrics.ttft_p50.toFixed(1) + ' ms');
JS

now() { date +%s.%N; }
t0=$(now)
node "$work/run.mjs"
t1=$(now)
"$bin" simulate --model llama-3.1-8b --hardware h100 --weight-dtype bf16 --trace "$work/trace.csv" --format csv \
  > "$work/summary.csv"
t2=$(now)
python3 - "$n" "$t0" "$t1" "$t2" "$work/summary.csv" <<'PY'
import csv, sys
n, t0, t1, t2 = int(sys.argv[1]), *map(float, sys.argv[2:5])
ours = next(csv.DictReader(open(sys.argv[5])))
print(f"waferscope: {float(ours['completed']) / float(ours['duration_s']):.2f} requests/s served, TTFT p50 "
      f"{1e3 * float(ours['ttft_p50_s']):.1f} ms, offered / sustainable load {float(ours['load_ratio']):.2f}")
lab, ws = t1 - t0, t2 - t1
print(f"{n} requests: inference-lab {lab:.3f} s ({n / lab:,.0f} requests/s), "
      f"waferscope {ws:.3f} s ({n / ws:,.0f} requests/s): waferscope {lab / ws:.0f}x faster")
PY
