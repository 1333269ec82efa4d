#include "catalog/roadmap_loader.h"

#include <algorithm>
#include <filesystem>
#include <fmt/format.h>

#include "catalog/catalog.h"
#include "catalog/toml_reader.h"
#include "core/error.h"
#include "core/units.h"

namespace ws {
namespace fs = std::filesystem;

namespace {

ProcessNode read_node(TomlReader r, const std::string& name) {
  check_catalog_name(name, r);
  ProcessNode n;
  n.name = name;
  n.source = r.string("source");
  n.sram_bits_per_mm2 = r.positive("sram_mb_per_mm2") * 1e6;
  n.logic_density_vs_n5 = r.positive("logic_density_vs_n5");
  r.reject_unknown_keys({"source", "sram_mb_per_mm2", "logic_density_vs_n5"});
  return n;
}

// Physical parameters are capped at what a wafer-scale part could have, so a typo cannot become a 1e30 chip.
double capped(TomlReader& r, const std::string& key, double value, double most, const char* why) {
  if (value > most) throw InputError(r.where(key), fmt::format("expected at most {} ({}), got {}", most, why, value));
  return value;
}

ChipDesign read_design(TomlReader r, const std::string& name) {
  check_catalog_name(name, r);
  ChipDesign d;
  d.name = name;
  d.display_name = r.string("display_name");
  d.chip = r.string("chip");
  d.system = r.string("system");
  d.scaled_from = r.optional_string("scaled_from").value_or("");
  d.node = r.string("node");
  d.area_mm2 = capped(r, "area_mm2", r.positive("area_mm2"), 70000, "a 300 mm wafer's area");
  d.sram_area_fraction = r.fraction("sram_area_fraction");
  if (d.sram_area_fraction <= 0 || d.sram_area_fraction >= 1)
    throw InputError(r.where("sram_area_fraction"), "expected a share strictly between 0 and 1 (cores need both)");
  d.clock_hz = capped(r, "clock_ghz", r.positive("clock_ghz"), 10, "no logic clocks above 10 GHz") * units::giga;
  d.chip_power_w = capped(r, "chip_power_kw", r.positive("chip_power_kw"), 1000, "1 MW per chip") * units::watts_per_kw;
  d.system_power_w = capped(r, "system_power_kw", r.positive("system_power_kw"), 10000, "10 MW per system") * units::watts_per_kw;
  if (auto cores = r.optional_positive_integer("cores"))
    d.cores = capped(r, "cores", static_cast<double>(*cores), 1e8, "a wafer of 0.0005 mm^2 cores");
  d.io_bytes_per_s = r.positive("io_gb_per_s") * units::bytes_per_gb;
  if (auto tb = r.optional_positive("photonic_io_tb_per_s"))
    d.photonic_io_bytes_per_s = capped(r, "photonic_io_tb_per_s", *tb, 1000, "1 PB/s off a chip") * units::bytes_per_tb;
  if (auto dies = r.optional_positive_integer("stacked_sram_dies"))
    d.stacked_sram_dies = static_cast<int>(capped(r, "stacked_sram_dies", static_cast<double>(*dies), 16, "16 bonded dies"));
  if (r.has("bonded_dram_gb") || r.has("bonded_dram_tb_per_s") || r.has("bonded_dram_latency_ns")) {
    BondedMemory m;
    m.technology = "DRAM";
    m.capacity_bytes = capped(r, "bonded_dram_gb", r.positive("bonded_dram_gb"), 1e6, "1 PB per chip") * units::bytes_per_gb;
    m.bandwidth_bytes_per_s =
        capped(r, "bonded_dram_tb_per_s", r.positive("bonded_dram_tb_per_s"), 1e5, "100 PB/s") * units::bytes_per_tb;
    m.latency_s = capped(r, "bonded_dram_latency_ns", r.positive("bonded_dram_latency_ns"), 1e6, "1 ms") * 1e-9;
    d.bonded_memory = m;
  }
  d.system_price_usd = r.optional_positive("system_price_usd");
  d.server_cost_usd = r.optional_positive("server_cost_usd");
  d.tco_inputs_from = r.optional_string("tco_inputs_from").value_or("");
  d.source = r.string("source");
  d.figure_sources = read_figure_sources(r);
  d.where = r.where();
  r.reject_unknown_keys({"display_name", "chip", "system", "scaled_from", "node", "area_mm2", "sram_area_fraction",
                         "clock_ghz", "chip_power_kw", "system_power_kw", "cores", "io_gb_per_s", "photonic_io_tb_per_s",
                         "stacked_sram_dies", "bonded_dram_gb", "bonded_dram_tb_per_s", "bonded_dram_latency_ns",
                         "system_price_usd", "server_cost_usd", "tco_inputs_from", "source", "figure_sources"});
  return d;
}

}  // namespace

RoadmapCatalog load_roadmap(const std::string& file) {
  RoadmapCatalog roadmap;
  if (std::error_code error; !fs::exists(file, error)) return roadmap;
  const toml::table document = parse_toml_file(file);
  for (const auto& [group, table] : top_level_tables(document, file)) {
    TomlReader outer(*table, file, group);
    if (group != "node" && group != "design")
      throw InputError(outer.where(), "expected [node.<name>] or [design.<name>] tables, got [" + group + "]");
    // In the file's order (toml++ iterates keys sorted): tables list designs as their author did.
    std::vector<std::pair<long, std::string>> keys;
    for (const auto& key : outer.keys()) {
      const toml::node* node = table->get(key);
      keys.emplace_back(node ? static_cast<long>(node->source().begin.line) : 0L, key);
    }
    std::stable_sort(keys.begin(), keys.end());
    for (const auto& [line, key] : keys) {
      TomlReader entry = outer.subtable(key);
      if (group == "node") roadmap.nodes.push_back(read_node(entry, key));
      else roadmap.designs.push_back(read_design(entry, key));
    }
  }
  // References resolve: every node named exists, every scaled_from is a reference design (not itself scaled).
  for (const auto& d : roadmap.designs) {
    try {
      roadmap.node(d.node);
      if (!d.scaled_from.empty() && !roadmap.design(d.scaled_from).scaled_from.empty())
        throw InputError("scaled_from", "'" + d.scaled_from + "' is itself scaled from another design; name a reference");
    } catch (const InputError& e) {
      throw InputError(d.where + (e.where().empty() ? "" : " " + e.where()), e.message());
    }
  }
  return roadmap;
}

void add_roadmap_hardware(Catalog& catalog, const std::string& file) {
  catalog.roadmap = load_roadmap(file);
  auto economics_of = [&](const std::string& system) -> std::optional<SystemEconomics> {
    for (const auto& e : catalog.economics)
      if (e.system_name == system) return e;
    return std::nullopt;
  };
  // The reference's TCO inputs: its own, or another system's financing with the design's server cost and power.
  auto tco_inputs = [&](const ChipDesign& d) -> std::optional<SystemEconomics> {
    if (auto own = economics_of(d.system)) return own;
    if (d.tco_inputs_from.empty()) return std::nullopt;
    auto from = economics_of(d.tco_inputs_from);
    if (!from) throw InputError(d.where, "tco_inputs_from: no TCO inputs for system '" + d.tco_inputs_from + "' in economics.toml");
    if (!d.server_cost_usd) throw InputError(d.where, "tco_inputs_from needs server_cost_usd (the system's own cost)");
    return design_economics(d, *from, d.tco_inputs_from);
  };
  std::vector<SystemEconomics> added_economics;
  for (const auto& d : catalog.roadmap.designs) {
    try {
      if (d.scaled_from.empty()) {
        const Hardware h = catalog.hardware(d.system, "system");
        if (h.chip.name != d.chip) throw InputError("chip", "system '" + d.system + "' holds '" + h.chip.name + "', not '" + d.chip + "'");
        if (!economics_of(d.system))
          if (auto e = tco_inputs(d)) added_economics.push_back(*e);
        continue;
      }
      const ChipDesign& reference = catalog.roadmap.design(d.scaled_from);
      const Hardware base = catalog.hardware(reference.system, "system");
      for (const auto& name : catalog.hardware_names())
        if (name == d.chip || name == d.system) throw InputError("chip", "the name '" + name + "' is already in the catalog");
      DerivedHardware derived = derive_hardware(d, reference, catalog.roadmap, base.chip, base.system, tco_inputs(reference));
      catalog.chips.push_back(derived.chip);
      catalog.systems.push_back(derived.system);
      if (derived.economics) added_economics.push_back(*derived.economics);
    } catch (const InputError& e) {
      throw InputError(d.where + (e.where().empty() ? "" : " " + e.where()), e.message());
    }
  }
  for (auto& e : added_economics) catalog.economics.push_back(std::move(e));
}

}  // namespace ws
