#pragma once
#include <string>
#include <vector>

namespace ws {

// One request's journey: arrival -> queue -> prefill (chunked) -> decode iterations -> done (or rejected).
struct SimRequest {
  long long id = 0;
  double arrival_s = 0;
  double input_tokens = 0;
  double output_tokens = 0;
  std::vector<long long> block_hashes;  // prefix blocks (Mooncake hash_ids)
  // Synthetic traffic has no blocks to match: its workload's cache-read share of the input is taken as cached (the
  // same assumption `perf --workload` and `cost` make), looked up like a hit when the prefix cache is on.
  double assumed_cached_tokens = 0;

  double prefill_target = 0;     // tokens to have in KV before decoding (input, plus output so far after a recompute)
  double cached_tokens = 0;      // prefix tokens served from the cache (not prefilled)
  double prefilled_tokens = 0;   // of the input, computed or cached so far
  double generated_tokens = 0;
  double context_in_kv = 0;      // tokens whose KV this request holds on its replica
  double ready_s = 0;            // earliest time it may be scheduled (after a cache load or a swap-in)
  double first_token_s = -1;
  double finish_s = -1;
  double kv_handover_s = 0;      // disaggregated: prefill -> decode transfer
  double cache_load_s = 0;       // prefix KV brought from the host tier
  int replica = -1;
  int prefill_replica = -1;
  int preemptions = 0;
  bool rejected = false;
  std::string reject_reason;

  long long admitted_order = 0;  // for choosing whom to preempt (the latest admitted)

  bool prefill_done() const { return prefilled_tokens >= prefill_target; }
  bool done() const { return finish_s >= 0 || rejected; }
};

}  // namespace ws
