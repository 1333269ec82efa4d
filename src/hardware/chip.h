#pragma once
#include <map>
#include <optional>
#include <string>

#include "core/error.h"

namespace ws {

struct MemoryTier {
  std::string technology;  // "HBM3E", "SRAM", "DDR5"
  double capacity_bytes = 0;
  double bandwidth_bytes_per_s = 0;
};

// A memory die bonded face to face on the chip (a DRAM wafer under the WSE): a tier between SRAM and the host's,
// spread evenly under the compute, so a region of cores reaches its share of the bandwidth.
struct BondedMemory {
  std::string technology;  // "DRAM"
  double capacity_bytes = 0;
  double bandwidth_bytes_per_s = 0;  // whole chip
  double latency_s = 0;              // first byte of a read
};

// Core-level facts of a wafer-scale engine (used by the wafer device class).
struct WaferFabric {
  double fabric_width_cores = 0;
  double fabric_height_cores = 0;
  double cores_enabled = 0;
  double sram_bytes_per_core = 0;
  double clock_hz = 0;
  double hop_latency_cycles = 0;
  double cores_physical = 0;               // 0 = not published (no spares to route around defects)
  double ramp_latency_cycles = 0;          // core <-> its router, each way
  double link_bytes_per_cycle = 0;         // per link direction
  double sram_read_bytes_per_cycle = 0;    // per core
  double sram_write_bytes_per_cycle = 0;   // per core
  // MACs per core per cycle by compute class (plain fields, not a map: the analytic model asks for the 16-bit rate
  // millions of times in a sweep). 0 = not published; fp16 is required.
  double fp16_macs_per_cycle = 0;
  double fp8_macs_per_cycle = 0;
  double fp32_macs_per_cycle = 0;
  double core_op_latency_cycles = 0;       // a core's elementwise step on a passing stream (add, max)
  // Yield (src/fabric/yield.h): the reticle dies stitched into the wafer, how many of them lie across the fabric's
  // width, and the defect density the vendor assumes. 0 / nullopt = not published.
  int dies_per_wafer = 0;
  int die_grid_columns = 0;
  std::optional<double> defect_density_per_mm2;
  std::string source;
  std::map<std::string, std::string> figure_sources;  // key -> citation, where it differs from `source`
};

// One accelerator chip as published. Missing optional figures are "not published / not applicable".
struct Chip {
  std::string name;          // catalog key, lowercase-hyphenated: "wse-3"
  std::string display_name;  // "WSE-3"
  std::string vendor;
  std::string device_class;  // "hbm_gpu", "wafer", "sram_lpu"
  std::string source;        // citation for every figure without its own entry in figure_sources
  MemoryTier main_memory;    // HBM for GPUs/XPUs, SRAM for SRAM machines
  std::optional<MemoryTier> on_chip_sram;
  std::map<std::string, double> dense_flops_per_s;  // keyed by compute class: "fp16", "fp8", "fp4"
  std::optional<double> scale_out_bytes_per_s;      // unidirectional, per chip
  std::optional<double> scale_up_bytes_per_s;       // unidirectional, per chip
  std::optional<double> logic_area_mm2;
  std::optional<double> die_area_mm2;  // one die as manufactured (yield comparisons)
  std::optional<double> price_usd;
  std::optional<double> power_w;
  std::optional<int> compute_units;  // SMs / CUs a GEMM's tiles are spread over (wave quantisation)
  std::optional<WaferFabric> fabric;
  std::optional<BondedMemory> bonded_memory;  // KV lives here when present (roadmap designs)
  std::map<std::string, std::string> figure_sources;  // key -> citation, where it differs from `source`

  // Dense FLOP/s for a compute class, or nullopt when the chip does not support it.
  std::optional<double> flops_per_s(const std::string& compute_class) const {
    auto it = dense_flops_per_s.find(compute_class);
    if (it == dense_flops_per_s.end()) return std::nullopt;
    return it->second;
  }
  // The link a device's data leaves by, unidirectional: across systems its scale-out NIC (else its scale-up
  // links), within one its scale-up links (else the NIC). A chip with neither figure is an error naming it.
  double link_bytes_per_s(bool across_systems) const {
    const auto& first = across_systems ? scale_out_bytes_per_s : scale_up_bytes_per_s;
    const auto& second = across_systems ? scale_up_bytes_per_s : scale_out_bytes_per_s;
    if (first) return *first;
    if (second) return *second;
    throw InputError("catalog/chips.toml [" + name + "]",
                     "data must leave the chip, but it has neither scale_out_gb_per_s nor scale_up_gb_per_s");
  }
  // Aggregate off-chip I/O: scale-out plus scale-up, unidirectional (the source's "aggregate I/O").
  std::optional<double> aggregate_io_bytes_per_s() const {
    if (!scale_out_bytes_per_s && !scale_up_bytes_per_s) return std::nullopt;
    return scale_out_bytes_per_s.value_or(0) + scale_up_bytes_per_s.value_or(0);
  }
};

}  // namespace ws
