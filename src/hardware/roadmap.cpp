#include "hardware/roadmap.h"

#include <cmath>

#include "core/error.h"

namespace ws {

namespace {
// The entry of `entries` named `name`, or an error listing the names there are.
template <typename Entry>
const Entry& find_named(const std::vector<Entry>& entries, const std::string& name, const char* field, const char* what,
                        const char* hint) {
  for (const auto& e : entries)
    if (e.name == name) return e;
  std::vector<std::string> names;
  for (const auto& e : entries) names.push_back(e.name);
  throw InputError(field, unknown_name_message(what, name, names, hint));
}
}  // namespace

const ProcessNode& RoadmapCatalog::node(const std::string& name) const {
  return find_named(nodes, name, "node", "process node", "");
}

const ChipDesign& RoadmapCatalog::design(const std::string& name) const {
  return find_named(designs, name, "preset", "roadmap preset", "waferscope roadmap");
}

SystemEconomics design_economics(const ChipDesign& design, SystemEconomics from, const std::string& from_system) {
  from.system_name = design.system;
  from.source = "the " + from_system + " TCO inputs with this design's server cost and power (catalog/roadmap.toml)";
  if (design.server_cost_usd) from.server_cost_usd = *design.server_cost_usd;
  from.all_in_power_w = design.system_power_w;
  from.external_asp_usd.reset();  // a design has no market price or rental yet
  from.rental_usd_per_hour.reset();
  from.rental_source.clear();
  return from;
}

DerivedHardware derive_hardware(const ChipDesign& design, const ChipDesign& reference, const RoadmapCatalog& roadmap,
                                const Chip& reference_chip, const System& reference_system,
                                const std::optional<SystemEconomics>& reference_economics) {
  const ProcessNode& node = roadmap.node(design.node);
  const ProcessNode& reference_node = roadmap.node(reference.node);
  const double area_ratio = design.area_mm2 / reference.area_mm2;
  const double sram_density_ratio = node.sram_bits_per_mm2 / reference_node.sram_bits_per_mm2;
  // SRAM cells in the planar array, plus all-SRAM dies of the same area stacked on it.
  const double sram_ratio = area_ratio * sram_density_ratio *
                            (design.sram_area_fraction + design.stacked_sram_dies) / reference.sram_area_fraction;
  const double logic_ratio = area_ratio * (1 - design.sram_area_fraction) / (1 - reference.sram_area_fraction) *
                             node.logic_density_vs_n5 / reference_node.logic_density_vs_n5;
  const double clock_ratio = design.clock_hz / reference.clock_hz;
  const double reference_cores =
      reference_chip.fabric ? reference_chip.fabric->cores_enabled : reference.cores.value_or(reference.area_mm2);
  const double cores = design.cores.value_or(reference_cores * area_ratio);
  const double cores_ratio = cores / reference_cores;

  DerivedHardware out;
  Chip& chip = out.chip;
  chip = reference_chip;
  chip.name = design.chip;
  chip.display_name = design.display_name;
  chip.source = design.source;
  chip.figure_sources = design.figure_sources;
  chip.main_memory.capacity_bytes = reference_chip.main_memory.capacity_bytes * sram_ratio;
  chip.main_memory.bandwidth_bytes_per_s = reference_chip.main_memory.bandwidth_bytes_per_s * cores_ratio * clock_ratio;
  if (chip.on_chip_sram) {
    chip.on_chip_sram->capacity_bytes = reference_chip.on_chip_sram->capacity_bytes * sram_ratio;
    chip.on_chip_sram->bandwidth_bytes_per_s = reference_chip.on_chip_sram->bandwidth_bytes_per_s * cores_ratio * clock_ratio;
  }
  for (auto& [cls, flops] : chip.dense_flops_per_s) flops *= logic_ratio * clock_ratio;
  if (chip.logic_area_mm2) *chip.logic_area_mm2 *= area_ratio;
  // Off-chip I/O: the design's total (photonic when given) split between scale-out and scale-up as the reference's.
  if (const auto reference_io = reference_chip.aggregate_io_bytes_per_s()) {
    const double io_ratio = design.photonic_io_bytes_per_s.value_or(design.io_bytes_per_s) / *reference_io;
    if (chip.scale_out_bytes_per_s) *chip.scale_out_bytes_per_s *= io_ratio;
    if (chip.scale_up_bytes_per_s) *chip.scale_up_bytes_per_s *= io_ratio;
  } else {
    chip.scale_out_bytes_per_s = design.photonic_io_bytes_per_s.value_or(design.io_bytes_per_s);
  }
  chip.power_w = design.chip_power_w;
  chip.bonded_memory = design.bonded_memory;
  if (chip.fabric) {
    WaferFabric& f = *chip.fabric;
    const double side = std::sqrt(cores_ratio);
    f.fabric_width_cores = std::round(f.fabric_width_cores * side);
    f.fabric_height_cores = std::round(f.fabric_height_cores * side);
    f.cores_enabled = cores;
    if (f.cores_physical > 0) f.cores_physical = std::max(f.cores_physical * cores_ratio, f.fabric_width_cores * f.fabric_height_cores);
    f.sram_bytes_per_core = chip.main_memory.capacity_bytes / cores;
    f.clock_hz = design.clock_hz;
    // The FLOP/s not carried by more cores or a faster clock is a wider datapath per core.
    for (double* macs : {&f.fp16_macs_per_cycle, &f.fp8_macs_per_cycle, &f.fp32_macs_per_cycle}) *macs *= logic_ratio / cores_ratio;
    f.source = design.source;
    f.figure_sources.clear();
  }

  System& system = out.system;
  system = reference_system;
  system.name = design.system;
  system.display_name = design.display_name;
  system.chip_name = design.chip;
  system.source = design.source;
  system.power_w = design.system_power_w;
  if (design.system_price_usd) system.price_usd = design.system_price_usd;
  system.is_single_chip = false;

  if (reference_economics) out.economics = design_economics(design, *reference_economics, reference.system);
  return out;
}

}  // namespace ws
