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

}  // namespace ws
