#pragma once
#include <istream>
#include <memory>
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

namespace limits {
// A trace is replayed request by request (streamed by TraceReader, or read whole): 1e7 requests is the simulator's own cap
// (about 1 GB of JSONL, 10x the largest public trace), and no model in the catalog takes 1e8 tokens of context.
inline constexpr std::size_t max_trace_requests = 10'000'000;
inline constexpr double max_trace_tokens = 1e8;
// Mooncake blocks are 512 tokens: 1e6 blocks cover 5e8 tokens, more than any request may hold.
inline constexpr std::size_t max_trace_blocks_per_request = 1'000'000;
// The longest public trace (Azure 2024) spans a week; a year bounds the simulated horizon and the time series.
inline constexpr double max_trace_span_s = 366.0 * 86400;
}  // namespace limits

struct TraceFieldNames {
  std::string timestamp, input, output;
};

// Azure LLM inference CSV (TIMESTAMP, ContextTokens, GeneratedTokens) or Mooncake JSONL (timestamp ms,
// input_length, output_length, hash_ids), chosen by extension (.csv / .jsonl). Throws InputError with
// file:line on a malformed record.
// Arrivals are relative to the first record; token counts are whole numbers in [0, 1e8].
std::vector<TraceRequest> read_trace(const std::string& path);

// The same records one at a time, so that a simulation holds only the requests in flight.
class TraceReader {
 public:
  explicit TraceReader(const std::string& path);           // by extension, as read_trace
  TraceReader(std::istream& stream, const std::string& name, bool jsonl);
  bool next(TraceRequest& request);  // false at the end of the trace (request's hash capacity is reused)

 private:
  bool next_azure(TraceRequest& request);
  bool next_mooncake(TraceRequest& request);
  void check(TraceRequest& request, double timestamp_s);
  std::unique_ptr<std::istream> owned_;
  std::istream* stream_;
  std::string name_;
  bool jsonl_;
  std::vector<std::string> header_;
  std::string line_;
  std::vector<long long> hashes_;  // a line's hash_ids as parsed (its capacity kept from line to line)
  long long line_number_ = 0, count_ = 0;
  double first_s_ = 0, last_arrival_s_ = 0;
};
std::vector<TraceRequest> read_azure_trace(std::istream& stream, const std::string& name);     // `name` for errors
std::vector<TraceRequest> read_mooncake_trace(std::istream& stream, const std::string& name);

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
