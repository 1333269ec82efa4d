#pragma once
#include <optional>
#include <string>

#include "hardware/chip.h"

namespace ws {

// A deployable unit: N identical chips plus whatever host memory the unit carries (the CS-3's KVSS node).
struct System {
  std::string name;          // "cs-3"
  std::string display_name;  // "CS-3"
  std::string chip_name;     // "wse-3"
  int chip_count = 1;
  std::string source;
  std::optional<MemoryTier> host_memory;  // KV offload tier (DDR5 on the CS-3's KVSS node)
  std::optional<double> host_link_bytes_per_s;  // link between the chips and the host tier
  std::optional<double> power_w;
  std::optional<double> price_usd;
  bool is_single_chip = false;  // synthesised from a chip name passed as --hardware
};

// A system resolved against its chip, with the aggregates the source's system table prints.
struct Hardware {
  System system;
  Chip chip;

  double chip_count() const { return system.chip_count; }
  double memory_capacity_bytes() const { return chip.main_memory.capacity_bytes * system.chip_count; }
  double memory_bandwidth_bytes_per_s() const { return chip.main_memory.bandwidth_bytes_per_s * system.chip_count; }
  std::optional<double> flops_per_s(const std::string& compute_class) const {
    auto per_chip = chip.flops_per_s(compute_class);
    if (!per_chip) return std::nullopt;
    return *per_chip * system.chip_count;
  }
  std::optional<double> price_usd() const {
    if (system.price_usd) return system.price_usd;
    if (chip.price_usd) return *chip.price_usd * system.chip_count;
    return std::nullopt;
  }
};

}  // namespace ws
