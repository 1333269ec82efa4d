#pragma once
// Chips described by physical parameters (catalog/roadmap.toml): a process node, silicon area, the share of it
// that is SRAM, the clock, power and I/O, optionally a bonded DRAM tier, stacked SRAM dies or photonic I/O. Each
// design is scaled from a reference design whose chip the catalog already holds (WSE-3 on N5), so every figure
// of the derived chip is the reference's published figure times a ratio of physical parameters:
//   SRAM bytes       x (area x SRAM share x SRAM Mb/mm^2) ratio, + stacked SRAM dies
//   dense FLOP/s     x (area x (1 - SRAM share) x logic density) ratio x clock ratio
//   SRAM bandwidth   x cores ratio x clock ratio (each core reads the same bytes per cycle)
//   fabric           cores as given (default: the reference's per mm^2), each core's MACs per cycle carrying
//                    the rest of the FLOP/s, fabric sides x sqrt(cores ratio), clock as given
// The resulting Chip, System and SystemEconomics join the catalog: `--hardware cs-4` runs like `--hardware cs-3`.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "hardware/chip.h"
#include "hardware/economics.h"
#include "hardware/system.h"

namespace ws {

struct ProcessNode {
  std::string name;                  // "n5"
  double sram_bits_per_mm2 = 0;      // high-density SRAM cell array
  double logic_density_vs_n5 = 0;    // logic transistors per mm^2 relative to N5
  std::string source;
};

struct ChipDesign {
  std::string name;          // the design's key: "cs-4"
  std::string display_name;
  std::string chip;          // the chip it is or becomes: "wse-3" (reference) / "wse-3-cs4"
  std::string system;        // the system it is or becomes: "cs-3" / "cs-4"
  std::string scaled_from;   // the reference design; empty: this design describes a catalog chip
  std::string node;
  double area_mm2 = 0;               // silicon holding cores and SRAM
  double sram_area_fraction = 0;
  double clock_hz = 0;
  double chip_power_w = 0;
  double system_power_w = 0;         // all-in, per system
  std::optional<double> cores;       // default: the reference's cores per mm^2
  double io_bytes_per_s = 0;         // off-chip total, unidirectional (12 x 100 GbE = 150 GB/s), split as the reference's
  std::optional<double> photonic_io_bytes_per_s;  // replaces io_bytes_per_s when given
  int stacked_sram_dies = 0;         // all-SRAM dies of the same area bonded on the chip
  std::optional<BondedMemory> bonded_memory;
  std::optional<double> system_price_usd;   // default: the reference system's
  std::optional<double> server_cost_usd;    // TCO server cost; default: the reference's
  std::string tco_inputs_from;              // whose financing and data-centre inputs, when the system has none
  std::string source;
  std::map<std::string, std::string> figure_sources;
  std::string where;  // "catalog/roadmap.toml:97 [design.cs-4]" (for errors)
};

struct RoadmapCatalog {
  std::vector<ProcessNode> nodes;
  std::vector<ChipDesign> designs;
  const ProcessNode& node(const std::string& name) const;  // throws InputError
  const ChipDesign& design(const std::string& name) const;
};

struct DerivedHardware {
  Chip chip;
  System system;
  std::optional<SystemEconomics> economics;
};

// A design's TCO inputs: another system's financing and data-centre inputs (`from`, those of `from_system`) with the
// design's own server cost (where it gives one) and all-in power; no market price or rental yet.
SystemEconomics design_economics(const ChipDesign& design, SystemEconomics from, const std::string& from_system);

// The chip, system and economics a design describes, scaled from `reference` (a design that describes a catalog
// chip) whose catalog chip/system/economics are given.
DerivedHardware derive_hardware(const ChipDesign& design, const ChipDesign& reference, const RoadmapCatalog& roadmap,
                                const Chip& reference_chip, const System& reference_system,
                                const std::optional<SystemEconomics>& reference_economics);

}  // namespace ws
