#pragma once
#include <string>
#include <vector>

#include "workload/workload.h"

namespace ws {

// One request of a public trace.
struct TraceRequest {
  double arrival_s = 0;
  double input_tokens = 0;
  double output_tokens = 0;
  std::vector<long long> block_hashes;  // Mooncake: 512-token prefix blocks (empty for Azure)
};

// Azure LLM inference CSV (TIMESTAMP, ContextTokens, GeneratedTokens) or Mooncake JSONL (timestamp ms,
// input_length, output_length, hash_ids), chosen by extension (.csv / .jsonl). Throws InputError with
// file:line on a malformed record.
std::vector<TraceRequest> read_trace(const std::string& path);

// Lengths and token mix of a trace. With block hashes, tokens of a block seen before (an unbounded prefix
// cache) are cache reads, first-seen blocks are cache writes; without, all input is fresh.
struct TraceStats {
  LengthDistribution input_tokens;
  LengthDistribution output_tokens;
  TokenMix mix;
  std::size_t requests = 0;
  double duration_s = 0;
};
TraceStats trace_stats(const std::vector<TraceRequest>& requests, double block_tokens = 512);

}  // namespace ws
