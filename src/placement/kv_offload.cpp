#include "placement/kv_offload.h"

#include <cmath>

#include "core/error.h"

namespace ws {

KvOffload kv_offload(const ModelSpec& model, const Hardware& hardware, double systems, double weight_bytes,
                     double kv_bytes_per_session, double context_tokens) {
  if (!hardware.system.host_memory || !hardware.system.host_link_bytes_per_s)
    throw InputError("hardware", "'" + hardware.system.name + "' has no host KV tier (host_memory_gb in catalog/systems.toml)");
  KvOffload o;
  o.model = model.name;
  o.hardware = hardware.system.name;
  o.systems = systems;
  o.context_tokens = context_tokens;
  o.kv_bytes_per_session = kv_bytes_per_session;
  const double device_free = std::max(0.0, systems * hardware.system.chip_count * hardware.chip.main_memory.capacity_bytes - weight_bytes);
  o.device_sessions = std::floor(device_free / kv_bytes_per_session);
  o.host_capacity_bytes = systems * hardware.system.host_memory->capacity_bytes;
  o.host_sessions = std::floor(o.host_capacity_bytes / kv_bytes_per_session);
  o.host_link_bytes_per_s = *hardware.system.host_link_bytes_per_s;
  o.reload_seconds = kv_bytes_per_session / (o.host_link_bytes_per_s * systems);
  o.session_multiplier = o.device_sessions > 0 ? (o.device_sessions + o.host_sessions) / o.device_sessions : INFINITY;
  return o;
}

Table kv_offload_table(const KvOffload& o, double new_tokens_prefill_s, double returning_ttft_s) {
  Table t;
  t.title = "KV offload to the host tier";
  t.columns = {Column{"model", "model"}, Column{"hardware", "hardware"}, Column{"systems", "systems", 1, 0},
               Column{"context_tokens", "context", 1, 0}, Column{"kv_bytes_per_session", "KV GB/session", 1e9, 2},
               Column{"device_sessions", "sessions on device", 1, 0}, Column{"host_sessions", "sessions in host tier", 1, 0},
               Column{"session_multiplier", "x sessions", 1, 1}, Column{"reload_seconds", "KV reload ms", 1e-3, 1},
               Column{"new_tokens_prefill_s", "new-token prefill ms", 1e-3, 1},
               Column{"returning_ttft_s", "returning TTFT ms", 1e-3, 1}};
  t.rows.push_back({o.model, o.hardware, o.systems, o.context_tokens, o.kv_bytes_per_session, o.device_sessions,
                    o.host_sessions, o.session_multiplier, o.reload_seconds, new_tokens_prefill_s, returning_ttft_s});
  t.notes = {"A returning session's TTFT = its KV back over the host links + prefill of its new tokens + one decode step."};
  return t;
}

}  // namespace ws
