#pragma once
#include <string>

#include "hardware/system.h"
#include "model/footprint.h"

namespace ws {

// The CS-3's KVSS node (host DDR) holds idle sessions' KV: how many sessions it adds beyond those resident
// on the devices, and what a returning session pays to bring its KV back over the system's host link
// (each system pulls its share over its own link) before its new tokens are prefilled.
struct KvOffload {
  std::string model, hardware;
  double systems = 0;
  double context_tokens = 0;
  double kv_bytes_per_session = 0;
  double device_sessions = 0;     // resident in device memory left after weights
  double host_sessions = 0;       // parked in the host tier
  double host_capacity_bytes = 0;
  double host_link_bytes_per_s = 0;
  double reload_seconds = 0;      // KV back over the host links
  double session_multiplier = 0;  // (device + host) / device sessions
};

// Throws InputError when the hardware has no host tier.
KvOffload kv_offload(const ModelSpec& model, const Hardware& hardware, double systems, double weight_bytes,
                     double kv_bytes_per_session, double context_tokens);

}  // namespace ws
