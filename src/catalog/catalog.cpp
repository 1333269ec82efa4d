#include "catalog/catalog.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <regex>
#include <cmath>
#include <set>
#include <tuple>

#include "catalog/roadmap_loader.h"
#include "catalog/toml_reader.h"
#include "core/csv.h"
#include "core/error.h"
#include "core/units.h"
#include "model/hf_config.h"
#include "workload/trace.h"

namespace ws {
namespace fs = std::filesystem;

namespace {

const std::vector<std::string>& kDeviceClasses = catalog_device_classes();

std::vector<Chip> load_chips(const std::string& file) {
  const toml::table document = parse_toml_file(file);
  std::vector<Chip> chips;
  for (const auto& [name, table] : top_level_tables(document, file)) {
    TomlReader r(*table, file, name);
    check_catalog_name(name, r);
    Chip chip;
    chip.name = name;
    chip.display_name = r.string("display_name");
    chip.vendor = r.string("vendor");
    chip.device_class = r.string("device_class");
    if (std::find(kDeviceClasses.begin(), kDeviceClasses.end(), chip.device_class) == kDeviceClasses.end())
      throw InputError(r.where("device_class"), unknown_name_message("device class", chip.device_class, kDeviceClasses, ""));
    chip.source = r.string("source");
    chip.main_memory.technology = r.string("memory_type");
    chip.main_memory.capacity_bytes = r.positive("memory_capacity_gb") * units::bytes_per_gb;
    chip.main_memory.bandwidth_bytes_per_s = r.positive("memory_bandwidth_tb_per_s") * units::bytes_per_tb;
    if (r.has("sram_mb") || r.has("sram_bandwidth_tb_per_s"))
      chip.on_chip_sram = MemoryTier{"SRAM", r.positive("sram_mb") * units::bytes_per_mb,
                                     r.positive("sram_bandwidth_tb_per_s") * units::bytes_per_tb};
    for (const char* cls : {"fp16", "fp8", "fp4"})
      if (auto tflops = r.optional_positive(std::string(cls) + "_tflops")) chip.dense_flops_per_s[cls] = *tflops * units::flops_per_tflop;
    if (chip.dense_flops_per_s.empty()) throw InputError(r.where(), "needs at least one of fp16_tflops, fp8_tflops, fp4_tflops");
    chip.logic_area_mm2 = r.optional_positive("logic_area_mm2");
    chip.die_area_mm2 = r.optional_positive("die_area_mm2");
    if (auto v = r.optional_positive("scale_out_gb_per_s")) chip.scale_out_bytes_per_s = *v * units::bytes_per_gb;
    if (auto v = r.optional_positive("scale_up_gb_per_s")) chip.scale_up_bytes_per_s = *v * units::bytes_per_gb;
    chip.price_usd = r.optional_positive("price_usd");
    chip.power_w = r.optional_positive("power_w");
    if (auto units_count = r.optional_positive_integer("compute_units")) {
      if (*units_count > 1'000'000) throw InputError(r.where("compute_units"), "expected at most 1000000 compute units");
      chip.compute_units = static_cast<int>(*units_count);
    }
    if (auto fabric_table = r.optional_subtable("fabric")) {
      WaferFabric fabric;
      fabric.source = fabric_table->string("source");
      fabric.fabric_width_cores = fabric_table->positive("fabric_width_cores");
      fabric.fabric_height_cores = fabric_table->positive("fabric_height_cores");
      fabric.cores_enabled = fabric_table->positive("cores_enabled");
      fabric.sram_bytes_per_core = fabric_table->positive("sram_kib_per_core") * units::bytes_per_kib;
      fabric.clock_hz = fabric_table->positive("clock_ghz") * units::giga;
      fabric.hop_latency_cycles = fabric_table->positive("hop_latency_cycles");
      fabric.cores_physical = fabric_table->optional_positive("cores_physical").value_or(0);
      if (fabric.cores_physical != 0 && fabric.cores_physical < fabric.fabric_width_cores * fabric.fabric_height_cores)
        throw InputError(fabric_table->where("cores_physical"),
                         "expected at least fabric_width_cores x fabric_height_cores physical cores");
      fabric.ramp_latency_cycles = fabric_table->positive("ramp_latency_cycles");
      fabric.link_bytes_per_cycle = fabric_table->positive("link_bytes_per_cycle");
      fabric.sram_read_bytes_per_cycle = fabric_table->positive("sram_read_bytes_per_cycle");
      fabric.sram_write_bytes_per_cycle = fabric_table->positive("sram_write_bytes_per_cycle");
      for (auto [key, field] : {std::pair{"fp32_macs_per_cycle", &fabric.fp32_macs_per_cycle},
                                {"fp16_macs_per_cycle", &fabric.fp16_macs_per_cycle},
                                {"fp8_macs_per_cycle", &fabric.fp8_macs_per_cycle}})
        if (auto macs = fabric_table->optional_positive(key)) *field = *macs;
      if (fabric.fp16_macs_per_cycle <= 0)
        throw InputError(fabric_table->where("fp16_macs_per_cycle"), "missing required key (the 16-bit MACs per core per cycle)");
      fabric.core_op_latency_cycles = fabric_table->positive("core_op_latency_cycles");
      if (auto dies = fabric_table->optional_positive_integer("dies_per_wafer")) {
        if (*dies > 100000) throw InputError(fabric_table->where("dies_per_wafer"), "expected at most 100000 dies");
        fabric.dies_per_wafer = static_cast<int>(*dies);
      }
      if (auto columns = fabric_table->optional_positive_integer("die_grid_columns")) {
        if (fabric.dies_per_wafer == 0 || fabric.dies_per_wafer % *columns != 0 || *columns > fabric.fabric_width_cores)
          throw InputError(fabric_table->where("die_grid_columns"),
                           "expected a divisor of dies_per_wafer (given) and at most fabric_width_cores");
        fabric.die_grid_columns = static_cast<int>(*columns);
      }
      if (fabric.dies_per_wafer != 0 && fabric.die_grid_columns == 0)
        throw InputError(fabric_table->where("die_grid_columns"), "missing required key (dies_per_wafer is given)");
      if (fabric.dies_per_wafer != 0 && fabric.dies_per_wafer / fabric.die_grid_columns > fabric.fabric_height_cores)
        throw InputError(fabric_table->where("dies_per_wafer"), "expected at most one die row per fabric row");
      fabric.defect_density_per_mm2 = fabric_table->optional_positive("defect_density_per_mm2");
      if (fabric.defect_density_per_mm2 && *fabric.defect_density_per_mm2 >= 1)
        throw InputError(fabric_table->where("defect_density_per_mm2"), "expected a density below 1 defect per mm^2");
      fabric.figure_sources = read_figure_sources(*fabric_table);
      fabric_table->reject_unknown_keys({"source", "fabric_width_cores", "fabric_height_cores", "cores_enabled",
                                         "sram_kib_per_core", "clock_ghz", "hop_latency_cycles", "cores_physical",
                                         "ramp_latency_cycles", "link_bytes_per_cycle", "sram_read_bytes_per_cycle",
                                         "sram_write_bytes_per_cycle", "fp32_macs_per_cycle", "fp16_macs_per_cycle",
                                         "fp8_macs_per_cycle", "core_op_latency_cycles", "dies_per_wafer",
                                         "die_grid_columns", "defect_density_per_mm2", "figure_sources"});
      chip.fabric = fabric;
    }
    chip.figure_sources = read_figure_sources(r);
    r.reject_unknown_keys({"display_name", "vendor", "device_class", "source", "memory_type", "memory_capacity_gb",
                           "memory_bandwidth_tb_per_s", "sram_mb", "sram_bandwidth_tb_per_s", "fp16_tflops",
                           "fp8_tflops", "fp4_tflops", "logic_area_mm2", "die_area_mm2", "scale_out_gb_per_s", "scale_up_gb_per_s",
                           "price_usd", "power_w", "compute_units", "figure_sources", "fabric"});
    chips.push_back(std::move(chip));
  }
  return chips;
}

std::vector<System> load_systems(const std::string& file, const std::vector<Chip>& chips) {
  const toml::table document = parse_toml_file(file);
  std::vector<std::string> chip_names;
  for (const auto& chip : chips) chip_names.push_back(chip.name);
  std::vector<System> systems;
  for (const auto& [name, table] : top_level_tables(document, file)) {
    TomlReader r(*table, file, name);
    check_catalog_name(name, r);
    System system;
    system.name = name;
    system.display_name = r.string("display_name");
    system.chip_name = r.string("chip");
    if (std::find(chip_names.begin(), chip_names.end(), system.chip_name) == chip_names.end())
      throw InputError(r.where("chip"), unknown_name_message("chip", system.chip_name, chip_names, "waferscope chips"));
    system.chip_count = static_cast<int>(r.positive_integer("chips"));
    system.source = r.string("source");
    system.price_usd = r.optional_positive("price_usd");
    if (auto kw = r.optional_positive("power_kw")) system.power_w = *kw * units::watts_per_kw;
    if (r.has("host_memory_gb")) {
      system.host_memory = MemoryTier{r.string("host_memory_type"), r.positive("host_memory_gb") * units::bytes_per_gb,
                                      r.positive("host_memory_bandwidth_gb_per_s") * units::bytes_per_gb};
      system.host_link_bytes_per_s = r.positive("host_link_gb_per_s") * units::bytes_per_gb;
    }
    read_figure_sources(r);
    r.reject_unknown_keys({"display_name", "chip", "chips", "source", "price_usd", "power_kw", "host_memory_type",
                           "host_memory_gb", "host_memory_bandwidth_gb_per_s", "host_link_gb_per_s", "figure_sources"});
    systems.push_back(std::move(system));
  }
  return systems;
}

PrecisionTable load_precisions(const std::string& file) {
  const toml::table document = parse_toml_file(file);
  PrecisionTable result;
  for (const auto& [name, table] : top_level_tables(document, file)) {
    TomlReader r(*table, file, name);
    check_catalog_name(name, r);
    Precision p;
    p.name = name;
    p.bits_per_element = r.positive("bits_per_element");
    p.block_elements = r.optional_positive("block_elements").value_or(0);
    p.scale_bits = p.block_elements > 0 ? r.positive("scale_bits") : 0;
    p.compute_class = r.string("compute_class");
    if (p.compute_class != "fp16" && p.compute_class != "fp8" && p.compute_class != "fp4")
      throw InputError(r.where("compute_class"), "expected fp16, fp8 or fp4, got '" + p.compute_class + "'");
    p.source = r.string("source");
    r.reject_unknown_keys({"bits_per_element", "block_elements", "scale_bits", "compute_class", "source"});
    result.by_name[name] = p;
  }
  return result;
}

std::vector<ModelEntry> load_models(const std::string& file, const std::string& root, const PrecisionTable& precisions) {
  const toml::table document = parse_toml_file(file);
  std::vector<ModelEntry> models;
  for (const auto& [name, table] : top_level_tables(document, file)) {
    TomlReader r(*table, file, name);
    check_catalog_name(name, r);
    ModelEntry entry;
    entry.name = name;
    entry.display_name = r.string("display_name");
    entry.source = r.string("source");
    entry.published_name = r.optional_string("published_name").value_or("");
    entry.hf_id = r.optional_string("hf_id").value_or("");
    if (auto config = r.optional_string("config")) {
      entry.config_path = (fs::path(root) / *config).string();
      if (std::error_code error; !fs::exists(entry.config_path, error)) throw InputError(r.where("config"), "no such file: " + entry.config_path);
    }
    if (auto a = r.optional_subtable("aggregate")) {
      AggregateFigures g;
      g.total_params = a->positive("total_params_b") * units::params_per_billion;
      g.active_params = a->positive("active_params_b") * units::params_per_billion;
      g.attention_params = a->positive("attention_params_b") * units::params_per_billion;
      g.ffn_params = a->positive("ffn_params_b") * units::params_per_billion;
      g.checkpoint_bytes = a->positive("checkpoint_gb") * units::bytes_per_gb;
      g.kv_bytes_per_token = a->positive("kv_bytes_per_token");
      g.kv_precision = a->string("kv_precision");
      g.kv_bytes_per_element = precisions.get(g.kv_precision, a->where("kv_precision")).bytes_per_element();
      g.num_layers = static_cast<int>(a->optional_positive_integer("num_layers").value_or(0));
      entry.max_context_tokens = a->positive("max_context_tokens");
      if (g.active_params > g.total_params || g.attention_params + g.ffn_params > g.total_params * 1.0001)
        throw InputError(a->where(), "active or attention + FFN parameters exceed the total");
      a->reject_unknown_keys({"total_params_b", "active_params_b", "attention_params_b", "ffn_params_b",
                              "checkpoint_gb", "kv_bytes_per_token", "kv_precision", "max_context_tokens",
                              "num_layers"});
      entry.aggregate = g;
    }
    if (entry.config_path.empty() == !entry.aggregate.has_value())
      throw InputError(r.where(), "needs exactly one of 'config' (a config.json path) or an [aggregate] table");
    r.reject_unknown_keys({"display_name", "hf_id", "config", "source", "published_name", "aggregate"});
    models.push_back(std::move(entry));
  }
  return models;
}

std::vector<SystemEconomics> load_economics(const std::string& file, const std::vector<std::string>& hardware) {
  const toml::table document = parse_toml_file(file);
  std::vector<SystemEconomics> result;
  for (const auto& [name, table] : top_level_tables(document, file)) {
    TomlReader r(*table, file, name);
    if (std::find(hardware.begin(), hardware.end(), name) == hardware.end())
      throw InputError(r.where(), unknown_name_message("system", name, hardware, "waferscope systems"));
    SystemEconomics e;
    e.system_name = name;
    e.source = r.string("source");
    e.server_cost_usd = r.positive("server_cost_usd");
    e.server_service_usd = r.non_negative("server_service_usd");
    e.networking_cost_usd = r.non_negative("networking_cost_usd");
    e.storage_cost_usd = r.non_negative("storage_cost_usd");
    e.software_and_other_usd = r.non_negative("software_and_other_usd");
    e.other_installation_usd = r.non_negative("other_installation_usd");
    e.equity_cost_of_capital = r.fraction("equity_cost_of_capital");
    e.debt_cost_of_capital = r.fraction("debt_cost_of_capital");
    e.equity_portion = r.fraction("equity_portion");
    e.useful_life_years = r.positive("useful_life_years");
    e.hours_per_month = r.positive("hours_per_month");
    e.electricity_usd_per_kwh = r.non_negative("electricity_usd_per_kwh");
    e.utilization = r.fraction("utilization");
    e.pue = r.positive("pue");
    if (e.pue < 1) throw InputError(r.where("pue"), fmt::format("expected a PUE >= 1, got {}", e.pue));
    e.colocation_usd_per_kw_month = r.non_negative("colocation_usd_per_kw_month");
    e.all_in_power_w = r.positive("all_in_power_kw") * units::watts_per_kw;
    e.remote_hands_usd_per_month = r.non_negative("remote_hands_usd_per_month");
    e.internet_usd_per_month = r.non_negative("internet_usd_per_month");
    e.external_asp_usd = r.optional_positive("external_asp_usd");
    e.rental_usd_per_hour = r.optional_positive("rental_usd_per_hour");
    e.rental_source = r.optional_string("rental_source").value_or("");
    r.reject_unknown_keys({"source", "server_cost_usd", "server_service_usd", "networking_cost_usd",
                           "storage_cost_usd", "software_and_other_usd", "other_installation_usd",
                           "equity_cost_of_capital", "debt_cost_of_capital", "equity_portion", "useful_life_years",
                           "hours_per_month", "electricity_usd_per_kwh", "utilization", "pue",
                           "colocation_usd_per_kw_month", "all_in_power_kw", "remote_hands_usd_per_month",
                           "internet_usd_per_month", "external_asp_usd", "rental_usd_per_hour", "rental_source"});
    result.push_back(std::move(e));
  }
  return result;
}

// facilities.toml: [cooling.<system>] and [capacity_plan.<name>] tables; unknown groups and keys are rejected.
SystemCooling read_cooling(TomlReader r, const std::string& system, const std::vector<std::string>& systems) {
  if (std::find(systems.begin(), systems.end(), system) == systems.end())
    throw InputError(r.where(), unknown_name_message("system", system, systems, "waferscope systems"));
  SystemCooling c;
  c.system_name = system;
  c.source = r.string("source");
  c.coolant_l_per_min_per_kw = r.positive("coolant_l_per_min_per_kw");
  c.coolant_inlet_c = r.positive("coolant_inlet_c");
  r.reject_unknown_keys({"source", "coolant_l_per_min_per_kw", "coolant_inlet_c"});
  return c;
}

// [[year, MW], ...] with whole, ascending years and non-negative megawatts, in watts.
std::vector<std::pair<int, double>> read_yearly_mw(TomlReader& r, const std::string& key) {
  const auto pairs = r.optional_pairs(key);
  if (!pairs || pairs->empty()) throw InputError(r.where(key), "missing required key '" + key + "' ([[year, MW], ...])");
  std::vector<std::pair<int, double>> result;
  for (const auto& [year, mw] : *pairs) {
    if (year != std::floor(year) || year < 1900 || year > 2200 || mw < 0)
      throw InputError(r.where(key), fmt::format("expected [whole year, MW >= 0] pairs; got [{}, {}]", year, mw));
    if (!result.empty() && year <= result.back().first)
      throw InputError(r.where(key), fmt::format("expected years in ascending order; {} follows {}", year, result.back().first));
    result.emplace_back(static_cast<int>(year), mw * units::watts_per_mw);
  }
  return result;
}

CapacityPlan read_capacity_plan(TomlReader r, const std::string& name, const std::vector<std::string>& systems) {
  CapacityPlan p;
  p.name = name;
  p.source = r.string("source");
  p.system_name = r.string("system");
  if (std::find(systems.begin(), systems.end(), p.system_name) == systems.end())
    throw InputError(r.where("system"), unknown_name_message("system", p.system_name, systems, "waferscope systems"));
  p.tranches_w = read_yearly_mw(r, "tranches_mw");
  p.lined_up_w = read_yearly_mw(r, "lined_up_mw");
  p.lined_up_source = r.string("lined_up_source");
  r.reject_unknown_keys({"source", "system", "tranches_mw", "lined_up_mw", "lined_up_source"});
  return p;
}

Facilities load_facilities(const std::string& file, const std::vector<std::string>& systems) {
  Facilities f;
  if (std::error_code error; !fs::exists(file, error)) return f;
  const toml::table document = parse_toml_file(file);
  for (const auto& [group, table] : top_level_tables(document, file)) {
    TomlReader r(*table, file, group);
    if (group != "cooling" && group != "capacity_plan")
      throw InputError(r.where(), unknown_name_message("table", group, {"cooling", "capacity_plan"}, ""));
    for (const auto& name : r.keys()) {
      if (group == "cooling") f.cooling.push_back(read_cooling(r.subtable(name), name, systems));
      else f.capacity_plans.push_back(read_capacity_plan(r.subtable(name), name, systems));
    }
  }
  return f;
}

std::vector<DeviceConstants> load_calibration(const std::string& file) {
  const toml::table document = parse_toml_file(file);
  std::vector<DeviceConstants> result;
  for (const auto& [name, table] : top_level_tables(document, file)) {
    TomlReader r(*table, file, name);
    if (std::find(kDeviceClasses.begin(), kDeviceClasses.end(), name) == kDeviceClasses.end())
      throw InputError(r.where(), unknown_name_message("device class", name, kDeviceClasses, ""));
    DeviceConstants c;
    c.device_class = name;
    c.fitted_on = r.string("fitted_on");
    c.residuals = r.string("residuals");
    std::set<std::string> cited;
    if (auto sources = r.optional_subtable("sources"))
      for (const auto& key : sources->keys()) {
        sources->string(key);
        cited.insert(key);
      }
    for (const auto& key : r.keys()) {
      if (key == "fitted_on" || key == "residuals" || key == "sources") continue;
      c.values[key] = r.non_negative(key);
    }
    for (const auto& key : cited)
      if (!c.values.count(key)) throw InputError(r.where("sources"), "cites '" + key + "', which this table does not set");
    r.reject_unknown_keys();
    result.push_back(std::move(c));
  }
  return result;
}

LengthDistribution read_lengths(TomlReader& r, const std::string& fixed_key, const std::string& quantiles_key) {
  if (r.has(fixed_key) && r.has(quantiles_key))
    throw InputError(r.where(quantiles_key), "give either " + fixed_key + " or " + quantiles_key + ", not both");
  if (r.has(fixed_key)) return LengthDistribution::constant(r.positive(fixed_key));
  auto pairs = r.optional_pairs(quantiles_key);
  if (!pairs) throw InputError(r.where(fixed_key), "missing: give " + fixed_key + " (tokens) or " + quantiles_key +
                                                       " ([[quantile, tokens], ...])");
  double last_q = -1, last_tokens = 0;
  for (const auto& [q, tokens] : *pairs) {
    if (q < 0 || q > 1) throw InputError(r.where(quantiles_key), fmt::format("quantile {} is outside [0, 1]", q));
    if (q <= last_q) throw InputError(r.where(quantiles_key), "quantiles must increase");
    if (!(tokens > 0)) throw InputError(r.where(quantiles_key), fmt::format("token lengths must be positive, got {}", tokens));
    if (tokens < last_tokens) throw InputError(r.where(quantiles_key), "token lengths must not decrease with the quantile");
    last_q = q;
    last_tokens = tokens;
  }
  if (pairs->front().first != 0 || pairs->back().first != 1)
    throw InputError(r.where(quantiles_key), "the first quantile must be 0 and the last 1");
  return LengthDistribution{*pairs};
}

WorkloadEntry load_workload_file(const std::string& file) {
  const toml::table document = parse_toml_file(file);
  const std::string name = fs::path(file).stem().string();
  TomlReader r(document, file, name);
  WorkloadEntry entry;
  entry.name = name;
  entry.file = file;
  Workload& w = entry.workload;
  w.name = name;
  w.display_name = r.string("display_name");
  w.source = r.string("source");
  if (auto trace = r.optional_string("trace")) {
    entry.trace_path = (fs::path(file).parent_path().parent_path() / *trace).string();
    if (std::error_code error; !fs::exists(entry.trace_path, error)) throw InputError(r.where("trace"), "no such file: " + entry.trace_path);
  } else {
    w.input_tokens = read_lengths(r, "input_tokens", "input_quantiles");
    w.output_tokens = read_lengths(r, "output_tokens", "output_quantiles");
  }
  if (auto mix = r.optional_subtable("mix")) {
    w.mix = TokenMix{mix->non_negative("cache_read"), mix->non_negative("cache_write"), mix->non_negative("fresh_input"),
                     mix->non_negative("output")};
    mix->reject_unknown_keys({"cache_read", "cache_write", "fresh_input", "output"});
    const double sum = w.mix.input() + w.mix.output;
    if (std::fabs(sum - 1.0) > 1e-3)
      throw InputError(mix->where(), fmt::format("mix shares sum to {:.4f}; they must sum to 1", sum));
    if (!(w.mix.output > 0)) throw InputError(mix->where("output"), "the output share must be positive");
    w.mix_source = r.string("mix_source");
    entry.mix_given = true;
  } else if (entry.trace_path.empty()) {
    // Fixed-length benchmark: every input token is computed, none cached.
    const double in = w.input_tokens.mean(), out = w.output_tokens.mean();
    w.mix = TokenMix{0, 0, in / (in + out), out / (in + out)};
    w.mix_source = "from the mean lengths, no prefix cache";
  }
  r.reject_unknown_keys({"display_name", "source", "input_tokens", "input_quantiles", "output_tokens",
                         "output_quantiles", "mix", "mix_source", "trace"});
  return entry;
}

std::vector<WorkloadEntry> load_workloads(const std::string& folder) {
  std::vector<WorkloadEntry> entries;
  std::error_code error;  // a path too long or unreadable is "not there", never an exception
  if (!fs::is_directory(folder, error)) return entries;
  std::vector<std::string> files;
  for (const auto& item : fs::directory_iterator(folder, error))
    if (item.path().extension() == ".toml") files.push_back(item.path().string());
  std::sort(files.begin(), files.end());
  for (const auto& file : files) entries.push_back(load_workload_file(file));
  return entries;
}

std::vector<PriceList> load_prices(const std::string& file) {
  const toml::table document = parse_toml_file(file);
  std::vector<PriceList> result;
  for (const auto& [name, table] : top_level_tables(document, file)) {
    TomlReader r(*table, file, name);
    PriceList p;
    p.name = name;
    p.source = r.string("source");
    p.cache_read_usd_per_mtok = r.non_negative("cache_read_usd_per_mtok");
    p.cache_write_usd_per_mtok = r.non_negative("cache_write_usd_per_mtok");
    p.fresh_input_usd_per_mtok = r.non_negative("fresh_input_usd_per_mtok");
    p.output_usd_per_mtok = r.positive("output_usd_per_mtok");
    r.reject_unknown_keys({"source", "cache_read_usd_per_mtok", "cache_write_usd_per_mtok",
                           "fresh_input_usd_per_mtok", "output_usd_per_mtok"});
    result.push_back(p);
  }
  return result;
}

std::optional<CalculatorConstants> load_peers(const std::string& file) {
  if (std::error_code error; !fs::exists(file, error)) return std::nullopt;
  const toml::table document = parse_toml_file(file);
  std::optional<CalculatorConstants> result;
  for (const auto& [name, table] : top_level_tables(document, file)) {
    TomlReader r(*table, file, name);
    if (name != "public-calculator") throw InputError(r.where(), unknown_name_message("peer", name, {"public-calculator"}, ""));
    CalculatorConstants c;
    c.source = r.string("source");
    c.interactivity_coefficient = r.positive("interactivity_coefficient");
    c.interactivity_exponent = r.positive("interactivity_exponent");
    c.cache_read_speedup = r.positive("cache_read_speedup");
    c.default_concurrency = r.positive("default_concurrency");
    c.rental_usd_per_hour = r.positive("rental_usd_per_hour");
    r.reject_unknown_keys({"source", "interactivity_coefficient", "interactivity_exponent", "cache_read_speedup",
                           "default_concurrency", "rental_usd_per_hour"});
    result = c;
  }
  if (!result) throw InputError(file, "missing table [public-calculator]");
  return result;
}

std::vector<VendorSpeculation> load_speculation(const std::string& file, const std::vector<ModelEntry>& models) {
  std::vector<VendorSpeculation> result;
  if (std::error_code error; !fs::exists(file, error)) return result;
  const toml::table document = parse_toml_file(file);
  std::vector<std::string> model_names;
  for (const auto& m : models) model_names.push_back(m.name);
  auto check_model = [&](const TomlReader& r, const std::string& key, const std::string& name) {
    if (std::find(model_names.begin(), model_names.end(), name) == model_names.end())
      throw InputError(r.where(key), unknown_name_message("model", name, model_names, "waferscope models"));
  };
  for (const auto& [name, table] : top_level_tables(document, file)) {
    TomlReader r(*table, file, name);
    VendorSpeculation v;
    v.stack = name;
    v.source = r.string("source");
    v.acceptance = r.fraction("acceptance");
    if (!(v.acceptance > 0 && v.acceptance < 1)) throw InputError(r.where("acceptance"), "expected a fraction in (0, 1)");
    v.acceptance_source = r.string("acceptance_source");
    v.draft_tokens = static_cast<int>(r.positive_integer("draft_tokens"));
    if (v.draft_tokens > 16) throw InputError(r.where("draft_tokens"), "expected 1..16 (no engine drafts more)");
    v.draft_tokens_source = r.string("draft_tokens_source");
    TomlReader drafts = r.subtable("drafts");
    for (const auto& target : drafts.keys()) {
      const std::string draft = drafts.string(target);
      check_model(drafts, target, target);
      check_model(drafts, target, draft);
      v.drafts[target] = draft;
    }
    r.reject_unknown_keys({"source", "acceptance", "acceptance_source", "draft_tokens", "draft_tokens_source", "drafts"});
    result.push_back(std::move(v));
  }
  return result;
}

// A measurement file's table, or nothing when the file is absent; a column outside `known` is rejected with
// file:line (the header's line).
std::optional<CsvTable> read_measurement_csv(const std::string& file, const std::vector<std::string>& known) {
  if (std::error_code error; !fs::exists(file, error)) return std::nullopt;
  CsvTable table = read_csv(file);
  for (const auto& column : table.header)
    if (std::find(known.begin(), known.end(), column) == known.end())
      throw InputError(fmt::format("{}:{}", file, table.header_line), unknown_name_message("column", column, known, ""));
  for (const auto& column : known)
    if (std::find(table.header.begin(), table.header.end(), column) == table.header.end())
      throw InputError(fmt::format("{}:{}", file, table.header_line), "missing column '" + column + "'");
  return table;
}

// A count column of a measurement file (TP, EP, systems): a whole number in [1, 1e6], else file:line.
int count_column(const CsvRow& row, const std::string& column, const std::string& file) {
  const double value = csv_number(row, column, file);
  if (!(value >= 1 && value <= 1e6 && value == std::floor(value)))
    throw InputError(fmt::format("{}:{}", file, row.line), column + ": expected a whole number in [1, 1000000]");
  return static_cast<int>(value);
}

// How one GPU serving-benchmark file names the columns the engine needs; the rest of its columns are known
// (checked against the header) but unused.
struct GpuMeasurementFile {
  std::string name, catalog_model;
  bool used_for_fit;
  std::string hardware_column, tp_column, ep_column, dp_attention_column, spec_column;
  std::vector<std::string> known_columns;
};

// The InferenceX fixture columns (DeepSeek-R1 files).
const std::vector<std::string>& inferencex_columns() {
  static const std::vector<std::string> columns = {
      "hardware", "framework", "model", "precision", "spec_method", "disagg", "decode_tp", "decode_ep",
      "decode_dp_attention", "num_decode_gpu", "num_prefill_gpu", "isl", "osl", "conc", "date", "image",
      "run_url", "tput_per_gpu", "output_tput_per_gpu", "input_tput_per_gpu", "median_intvty", "median_ttft",
      "median_tpot", "mean_ttft", "mean_tpot", "p99_ttft", "p99_tpot", "avg_power_w"};
  return columns;
}

const std::vector<GpuMeasurementFile>& gpu_measurement_files() {
  static const std::vector<GpuMeasurementFile> files = {
      {"inferencex_dsr1_h200_b200.csv", "deepseek-r1", true, "hardware", "decode_tp", "decode_ep",
       "decode_dp_attention", "spec_method", inferencex_columns()},
      // H200/B200 with multi-token prediction (fits the MTP acceptance) and H100/H200 disaggregated runs.
      {"inferencex_dsr1_mtp_and_disagg.csv", "deepseek-r1", true, "hardware", "decode_tp", "decode_ep",
       "decode_dp_attention", "spec_method", inferencex_columns()},
      // InferenceMAX gpt-oss-120b on H100/H200 (vLLM, TP 1-8): a second model, dense attention with sliding
      // windows, TP below 8, another serving stack (named for fitting by issue 14).
      {"inferencemax_gptoss120b_h100_h200.csv", "gpt-oss-120b", true, "hw", "tp", "ep", "dp_attention",
       "spec_decoding",
       {"run_id", "model", "infmax_model_prefix", "hw", "framework", "precision", "spec_decoding", "disagg",
        "is_multinode", "tp", "ep", "dp_attention", "isl", "osl", "conc", "image", "decode_dp_attention",
        "decode_ep", "decode_num_workers", "decode_tp", "input_tput_per_gpu", "mean_e2el", "mean_intvty",
        "mean_itl", "mean_tpot", "mean_ttft", "median_e2el", "median_intvty", "median_itl", "median_tpot",
        "median_ttft", "num_decode_gpu", "num_prefill_gpu", "output_tput_per_gpu", "p99_e2el", "p99_intvty",
        "p99_itl", "p99_tpot", "p99_ttft", "prefill_dp_attention", "prefill_ep", "prefill_num_workers",
        "prefill_tp", "std_e2el", "std_intvty", "std_itl", "std_tpot", "std_ttft", "tput_per_gpu"}}};
  return files;
}

// How many sequences the decode workers of disaggregated runs run at once, from their recipes: each row names one disaggregated run
// (hardware, framework, spec_method, isl, osl, conc, GPUs of each pool) and must match exactly one, with the same
// decode TP and attention-DP setting and decode_workers x decode_tp = its decode GPUs.
void join_decode_batch_limits(const std::string& file, std::vector<GpuServingMeasurement>& runs) {
  const auto table = read_measurement_csv(
      file, {"hardware", "framework", "spec_method", "isl", "osl", "conc", "num_prefill_gpu", "num_decode_gpu",
             "decode_workers", "decode_tp", "decode_dp_attention", "decode_max_running", "recipe", "config_commit",
             "recipe_commit"});
  if (!table) return;
  for (const auto& row : table->rows) {
    const std::string where = fmt::format("{}:{}", file, row.line);
    const std::string hardware = row.at("hardware", file), framework = row.at("framework", file),
                      spec_method = to_lower(row.at("spec_method", file));
    const double isl = csv_number(row, "isl", file), osl = csv_number(row, "osl", file),
                 concurrency = csv_number(row, "conc", file);
    const int prefill_gpus = count_column(row, "num_prefill_gpu", file),
              decode_gpus = count_column(row, "num_decode_gpu", file);
    GpuServingMeasurement* run = nullptr;
    for (auto& m : runs) {
      if (!m.disaggregated || m.hardware != hardware || m.framework != framework || m.spec_method != spec_method ||
          m.isl != isl || m.osl != osl || m.concurrency != concurrency || m.prefill_gpus != prefill_gpus ||
          m.decode_gpus != decode_gpus)
        continue;
      if (run) throw InputError(where, "matches two disaggregated runs (" + m.file + ":" + std::to_string(m.line) + ")");
      run = &m;
    }
    if (!run) throw InputError(where, "matches no disaggregated run of the measurement files");
    const int workers = count_column(row, "decode_workers", file), tp = count_column(row, "decode_tp", file);
    if (workers * tp != run->decode_gpus || tp != run->decode_tp)
      throw InputError(where, fmt::format("decode_workers x decode_tp = {} x {}, but the run ({}:{}) has {} decode GPUs "
                                          "at TP {}", workers, tp, run->file, run->line, run->decode_gpus, run->decode_tp));
    if ((to_lower(row.at("decode_dp_attention", file)) == "true") != run->decode_dp_attention)
      throw InputError(where, "decode_dp_attention differs from the run's");
    run->decode_max_running = count_column(row, "decode_max_running", file);
  }
}

std::vector<GpuServingMeasurement> load_gpu_measurements(const std::string& folder) {
  std::vector<GpuServingMeasurement> rows;
  for (const auto& layout : gpu_measurement_files()) {
    const std::string file = (fs::path(folder) / layout.name).string();
    const auto table = read_measurement_csv(file, layout.known_columns);
    if (!table) continue;
    for (const auto& row : table->rows) {
      GpuServingMeasurement m;
      const std::string where = fmt::format("{}:{}", file, row.line);
      m.file = layout.name;
      m.line = row.line;
      m.catalog_model = layout.catalog_model;
      m.used_for_fit = layout.used_for_fit;
      m.hardware = row.at(layout.hardware_column, file);
      m.framework = row.at("framework", file);
      m.precision = row.at("precision", file);
      m.decode_tp = count_column(row, layout.tp_column, file);
      m.decode_ep = count_column(row, layout.ep_column, file);
      m.decode_dp_attention = to_lower(row.at(layout.dp_attention_column, file)) == "true";  // "True" / "true"
      m.spec_method = to_lower(row.at(layout.spec_column, file));
      if (m.spec_method != "none" && m.spec_method != "mtp")
        throw InputError(where, layout.spec_column + ": expected none or mtp, got '" + m.spec_method + "'");
      const std::string disagg = to_lower(row.at("disagg", file));
      if (disagg != "true" && disagg != "false")
        throw InputError(where, "disagg: expected True or False, got '" + disagg + "'");
      m.disaggregated = disagg == "true";
      if (m.disaggregated) {
        m.decode_gpus = count_column(row, "num_decode_gpu", file);
        m.prefill_gpus = count_column(row, "num_prefill_gpu", file);
      }
      m.concurrency = csv_number(row, "conc", file);
      m.isl = csv_number(row, "isl", file);
      m.osl = csv_number(row, "osl", file);
      m.output_tokens_per_s_per_gpu = csv_number(row, "output_tput_per_gpu", file);
      m.tokens_per_s_per_user = csv_number(row, "median_intvty", file);
      m.ttft_s = csv_number(row, "median_ttft", file);
      // The run's date and Actions run id: the age of the software that ran it (calibration, hbm_gpu).
      if (row.fields.count("date")) {
        m.date = row.at("date", file);
        static const std::regex iso(R"(\d{4}-\d{2}-\d{2})");
        if (!std::regex_match(m.date, iso)) throw InputError(where, "date: expected YYYY-MM-DD, got '" + m.date + "'");
      }
      static const std::regex run_in_url(R"(/runs/(\d{1,18})(/|$))"), digits(R"(\d{1,18})");
      std::smatch run;
      const std::string url = row.fields.count("run_url") ? row.at("run_url", file) : "";
      const std::string id = row.fields.count("run_id") ? row.at("run_id", file) : "";
      if (std::regex_search(url, run, run_in_url)) m.run_id = std::stoll(run[1].str());
      else if (std::regex_match(id, digits)) m.run_id = std::stoll(id);
      else throw InputError(where, "run_url/run_id: expected a GitHub Actions run (/runs/N or N), got '" + url + id + "'");
      rows.push_back(std::move(m));
    }
  }
  join_decode_batch_limits((fs::path(folder) / "inferencex_dynamo_decode_batch.csv").string(), rows);
  return rows;
}

std::vector<WaferSpeedMeasurement> load_wafer_measurements(const std::string& folder) {
  std::vector<WaferSpeedMeasurement> rows;
  for (const auto& [name, fitted, known] : std::vector<std::tuple<std::string, bool, std::vector<std::string>>>{
           {"cerebras_cloud_calibration.csv", true,
            {"model", "arch", "total_params_B", "active_params_B", "weights_fp16_GB", "cs3_needed",
             "tokens_per_s_per_user", "catalog_model", "served_weights"}},
           {"cerebras_launch_2024.csv", true,
            {"model", "cs3_needed", "tokens_per_s_per_user", "catalog_model", "served_weights"}}}) {
    const std::string file = (fs::path(folder) / name).string();
    const auto table = read_measurement_csv(file, known);
    if (!table) continue;
    for (const auto& row : table->rows) {
      WaferSpeedMeasurement m;
      m.file = name;
      m.line = row.line;
      m.used_for_fit = fitted;
      m.model = row.at("model", file);
      m.catalog_model = row.at("catalog_model", file);
      m.served_weights = row.at("served_weights", file);
      m.cs3_needed = count_column(row, "cs3_needed", file);
      m.tokens_per_s_per_user = csv_number(row, "tokens_per_s_per_user", file);
      rows.push_back(std::move(m));
    }
  }
  return rows;
}

std::vector<LpuMeasurement> load_lpu_measurements(const std::string& folder) {
  std::vector<LpuMeasurement> rows;
  const std::string name = "groq_llama2_70b_2024.csv";
  const std::string file = (fs::path(folder) / name).string();
  const auto table = read_measurement_csv(file, {"row_type", "model", "date", "metric", "value", "unit", "input_tokens",
                                                 "output_tokens", "concurrency", "source"});
  if (!table) return rows;
  // An optional whole-number column: blank where the row does not say.
  auto optional_count = [&](const CsvRow& row, const std::string& column) {
    return row.at(column, file).empty() ? 0.0 : static_cast<double>(count_column(row, column, file));
  };
  for (const auto& row : table->rows) {
    LpuMeasurement m;
    m.file = name;
    m.line = row.line;
    m.catalog_model = "llama-2-70b";  // every row: Llama 2 70B (chat)
    m.row_type = row.at("row_type", file);
    m.metric = row.at("metric", file);
    m.value = csv_number(row, "value", file);
    if (!(m.value > 0)) throw InputError(fmt::format("{}:{}", file, row.line), "value: expected a positive number");
    m.input_tokens = optional_count(row, "input_tokens");
    m.output_tokens = optional_count(row, "output_tokens");
    m.concurrency = optional_count(row, "concurrency");
    m.source = row.at("source", file);
    rows.push_back(std::move(m));
  }
  return rows;
}

std::vector<WaferLlmMeasurement> load_waferllm_measurements(const std::string& folder) {
  std::vector<WaferLlmMeasurement> rows;
  const std::string name = "waferllm_llama3_8b_wse2.csv";
  const std::string file = (fs::path(folder) / name).string();
  const auto table = read_measurement_csv(file, {"row_type", "model", "system", "hardware", "grid_or_gpus", "isl",
                                                 "metric", "value", "unit", "source"});
  if (!table) return rows;
  for (const auto& row : table->rows) {
    const std::string kind = row.at("row_type", file);
    const std::string where = fmt::format("{}:{}", file, row.line);
    if (kind == "fact") continue;  // the fabric facts live in chips.toml [wse-2.fabric], cited there
    if (kind != "decode" && kind != "prefill") throw InputError(where, "row_type: expected decode, prefill or fact, got '" + kind + "'");
    if (row.at("system", file) != "WaferLLM") continue;  // T10, SGLang: the paper's baselines, context only
    WaferLlmMeasurement m;
    m.file = name;
    m.line = row.line;
    m.kind = kind;
    const std::string grid = row.at("grid_or_gpus", file);
    const auto x = grid.find('x');
    try {
      if (x == std::string::npos) throw std::invalid_argument("no x");
      std::size_t used = 0;
      m.grid_rows = std::stoi(grid.substr(0, x), &used);
      if (used != x) throw std::invalid_argument("rows");
      m.grid_cols = std::stoi(grid.substr(x + 1), &used);
      if (used != grid.size() - x - 1) throw std::invalid_argument("cols");
    } catch (const std::exception&) {
      throw InputError(where, "grid_or_gpus: expected RxC for a WaferLLM row, got '" + grid + "'");
    }
    m.isl = count_column(row, "isl", file);
    m.tokens_per_s = csv_number(row, "value", file);
    if (!(m.tokens_per_s > 0)) throw InputError(where, "value: expected a positive number");
    rows.push_back(std::move(m));
  }
  return rows;
}

std::vector<CrossValidationRecord> load_cross_validation(const std::string& file) {
  std::vector<CrossValidationRecord> records;
  const auto table = read_measurement_csv(file, {"device_class", "group", "metric", "n", "fit_median_ape",
                                                 "cv_median_ape", "signed_median", "worst_ape"});
  if (!table) return records;
  for (const auto& row : table->rows) {
    CrossValidationRecord r;
    r.line = row.line;
    r.device_class = row.at("device_class", file);
    r.group = row.at("group", file);
    r.metric = row.at("metric", file);
    r.n = count_column(row, "n", file);
    r.fit_median_ape = csv_number(row, "fit_median_ape", file);
    r.cv_median_ape = csv_number(row, "cv_median_ape", file);
    r.signed_median = csv_number(row, "signed_median", file);
    r.worst_ape = csv_number(row, "worst_ape", file);
    records.push_back(std::move(r));
  }
  return records;
}

template <typename T>
std::vector<std::string> names_of(const std::vector<T>& items) {
  std::vector<std::string> names;
  for (const auto& item : items) names.push_back(item.name);
  return names;
}

}  // namespace

Catalog load_catalog(const std::string& root) {
  if (std::error_code error; !fs::is_directory(root, error)) throw InputError(root, "catalog folder not found (set --catalog or WAFERSCOPE_CATALOG)");
  Catalog catalog;
  catalog.root = root;
  const fs::path base(root);
  catalog.precisions = load_precisions((base / "precisions.toml").string());
  catalog.chips = load_chips((base / "chips.toml").string());
  catalog.systems = load_systems((base / "systems.toml").string(), catalog.chips);
  for (const auto& system : catalog.systems)
    for (const auto& chip : catalog.chips)
      if (system.name == chip.name) throw InputError((base / "systems.toml").string(), "system '" + system.name + "' has the same name as a chip");
  catalog.models = load_models((base / "models.toml").string(), root, catalog.precisions);
  catalog.economics = load_economics((base / "economics.toml").string(), catalog.hardware_names());
  add_roadmap_hardware(catalog, (base / "roadmap.toml").string());
  catalog.device_constants = load_calibration((base / "calibration.toml").string());
  catalog.workloads = load_workloads((base / "workloads").string());
  catalog.prices = load_prices((base / "prices.toml").string());
  catalog.facilities = load_facilities((base / "facilities.toml").string(), catalog.system_names());
  catalog.calculator = load_peers((base / "peers.toml").string());
  catalog.speculation = load_speculation((base / "speculative.toml").string(), catalog.models);
  catalog.gpu_measurements = load_gpu_measurements((base / "measurements").string());
  catalog.wafer_measurements = load_wafer_measurements((base / "measurements").string());
  catalog.lpu_measurements = load_lpu_measurements((base / "measurements").string());
  catalog.waferllm_measurements = load_waferllm_measurements((base / "measurements").string());
  catalog.cross_validation = load_cross_validation((base / "cross_validation.csv").string());
  catalog.contracts = load_contracts((base / "deals.toml").string());
  catalog.deal_presets = load_deal_presets((base / "deal_presets.toml").string(), catalog.contracts, catalog.hardware_names());
  catalog.boms = load_boms((base / "bom.toml").string(), catalog.hardware_names());
  for (const auto& chip : catalog.chips) catalog.constants_for(chip.device_class);  // every class has constants
  return catalog;
}

namespace {

// Each catalog file's loader, by the file's name: the one list load_catalog_file and catalog_file_kinds share.
using FileLoader = void (*)(const std::string& path, const Catalog& context);
const std::vector<std::pair<std::string, FileLoader>>& file_loaders() {
  static const std::vector<std::pair<std::string, FileLoader>> loaders = {
      {"chips.toml", [](const std::string& path, const Catalog&) { load_chips(path); }},
      {"systems.toml", [](const std::string& path, const Catalog& context) { load_systems(path, context.chips); }},
      {"precisions.toml", [](const std::string& path, const Catalog&) { load_precisions(path); }},
      {"models.toml",
       [](const std::string& path, const Catalog& context) {
         load_models(path, fs::path(path).parent_path().string(), context.precisions);
       }},
      {"economics.toml",
       [](const std::string& path, const Catalog& context) { load_economics(path, context.hardware_names()); }},
      {"calibration.toml", [](const std::string& path, const Catalog&) { load_calibration(path); }},
      {"roadmap.toml", [](const std::string& path, const Catalog&) { load_roadmap(path); }},
      {"prices.toml", [](const std::string& path, const Catalog&) { load_prices(path); }},
      {"facilities.toml",
       [](const std::string& path, const Catalog& context) { load_facilities(path, context.system_names()); }},
      {"peers.toml", [](const std::string& path, const Catalog&) { load_peers(path); }},
      {"speculative.toml",
       [](const std::string& path, const Catalog& context) { load_speculation(path, context.models); }},
      {"deals.toml", [](const std::string& path, const Catalog&) { load_contracts(path); }},
      {"deal_presets.toml",
       [](const std::string& path, const Catalog& context) {
         load_deal_presets(path, context.contracts, context.hardware_names());
       }},
      {"bom.toml", [](const std::string& path, const Catalog& context) { load_boms(path, context.hardware_names()); }},
      {"workload", [](const std::string& path, const Catalog&) { load_workload_file(path); }}};
  return loaders;
}

}  // namespace

void load_catalog_file(const std::string& kind, const std::string& path, const Catalog& context) {
  for (const auto& [name, load] : file_loaders())
    if (name == kind) return load(path, context);
  throw InputError("kind", unknown_name_message("catalog file", kind, catalog_file_kinds(), ""));
}

const std::vector<std::string>& catalog_file_kinds() {
  static const std::vector<std::string> kinds = [] {
    std::vector<std::string> names;
    for (const auto& [name, load] : file_loaders()) names.push_back(name);
    return names;
  }();
  return kinds;
}

const std::vector<std::string>& catalog_device_classes() {
  static const std::vector<std::string> names = {"hbm_gpu", "wafer", "sram_lpu"};
  return names;
}

const DeviceConstants& Catalog::constants_for(const std::string& device_class) const {
  for (const auto& c : device_constants)
    if (c.device_class == device_class) return c;
  throw InputError((fs::path(root) / "calibration.toml").string(), "no constants for device class '" + device_class + "'");
}

std::string default_catalog_dir() {
  if (const char* env = std::getenv("WAFERSCOPE_CATALOG"); env && *env) return env;
  return WAFERSCOPE_CATALOG_DIR;
}

const Chip& Catalog::chip(const std::string& name, const std::string& where) const {
  const std::string key = to_lower(name);
  for (const auto& c : chips)
    if (c.name == key) return c;
  throw InputError(where, unknown_name_message("chip", name, chip_names(), "waferscope chips"));
}

Hardware Catalog::hardware(const std::string& name, const std::string& where) const {
  const std::string key = to_lower(name);
  for (const auto& s : systems)
    if (s.name == key) return Hardware{s, chip(s.chip_name, where)};
  for (const auto& c : chips) {
    if (c.name != key) continue;
    System single;
    single.name = c.name;
    single.display_name = c.display_name;
    single.chip_name = c.name;
    single.chip_count = 1;
    single.source = c.source;
    single.price_usd = c.price_usd;
    single.power_w = c.power_w;
    single.is_single_chip = true;
    return Hardware{single, c};
  }
  throw InputError(where, unknown_name_message("hardware", name, hardware_names(), "waferscope systems` or `waferscope chips"));
}

ModelSpec Catalog::model(const std::string& name_or_path, const std::string& where, UserPaths paths) const {
  const std::string key = to_lower(name_or_path);
  for (const auto& entry : models) {
    if (entry.name != key) continue;
    ModelSpec spec;
    if (entry.aggregate) {
      spec.aggregate = entry.aggregate;
      spec.max_context_tokens = entry.max_context_tokens;
    } else {
      spec = load_hf_config(entry.config_path);
    }
    spec.name = entry.name;
    spec.display_name = entry.display_name;
    spec.source = entry.source;
    return spec;
  }
  if (paths == UserPaths::refused)
    throw InputError(where, unknown_name_message("model", name_or_path, model_names(), "waferscope models") +
                                "; here only catalog names are taken (send your own config.json as the object `config`)");
  std::error_code error;
  if (fs::exists(name_or_path, error)) return load_hf_config(name_or_path);
  if (name_or_path.find('/') != std::string::npos || name_or_path.find(".json") != std::string::npos)
    throw InputError(where, "no such config.json or folder: '" + name_or_path + "'");
  throw InputError(where, unknown_name_message("model", name_or_path, model_names(), "waferscope models"));
}

const SystemEconomics& Catalog::economics_for(const std::string& hardware_name, const std::string& where) const {
  const std::string key = to_lower(hardware_name);
  for (const auto& e : economics)
    if (e.system_name == key) return e;
  std::vector<std::string> known;
  for (const auto& e : economics) known.push_back(e.system_name);
  throw InputError(where, "no cost-of-ownership inputs for '" + hardware_name + "' in catalog/economics.toml (known: " +
                              fmt::format("{}", fmt::join(known, ", ")) + ")");
}

Workload Catalog::workload(const std::string& name_or_path, const std::string& where, UserPaths paths) const {
  const WorkloadEntry* found = nullptr;
  WorkloadEntry from_file;
  for (const auto& e : workloads)
    if (e.name == to_lower(name_or_path)) found = &e;
  if (!found) {
    std::error_code error;
    if (paths == UserPaths::refused || !fs::exists(name_or_path, error)) {
      std::vector<std::string> names;
      for (const auto& e : workloads) names.push_back(e.name);
      throw InputError(where, unknown_name_message("workload", name_or_path, names, "waferscope workloads") +
                                  (paths == UserPaths::refused ? "; here only catalog names are taken" : ""));
    }
    from_file = load_workload_file(name_or_path);
    found = &from_file;
  }
  Workload w = found->workload;
  if (!found->trace_path.empty()) {
    const TraceStats stats = trace_stats(read_trace(found->trace_path));
    w.input_tokens = stats.input_tokens;
    w.output_tokens = stats.output_tokens;
    if (!found->mix_given) {
      w.mix = stats.mix;
      w.mix_source = fmt::format("measured on {} requests of the trace (unbounded prefix cache over hash_ids)", stats.requests);
    }
  }
  return w;
}

const SystemCooling* Catalog::cooling_for(const std::string& system_name) const {
  for (const auto& c : facilities.cooling)
    if (c.system_name == system_name) return &c;
  return nullptr;
}

const CapacityPlan& Catalog::capacity_plan(const std::string& name, const std::string& where) const {
  std::vector<std::string> known;
  for (const auto& p : facilities.capacity_plans) {
    if (p.name == to_lower(name)) return p;
    known.push_back(p.name);
  }
  throw InputError(where, unknown_name_message("capacity plan", name, known, "") + " (catalog/facilities.toml)");
}

const PriceList& Catalog::price_list(const std::string& name, const std::string& where) const {
  std::vector<std::string> names;
  for (const auto& p : prices) {
    if (p.name == to_lower(name)) return p;
    names.push_back(p.name);
  }
  throw InputError(where, unknown_name_message("price list", name, names, ""));
}

std::vector<std::string> Catalog::workload_names() const {
  std::vector<std::string> names;
  for (const auto& e : workloads) names.push_back(e.name);
  return names;
}

std::vector<std::string> Catalog::chip_names() const { return names_of(chips); }
std::vector<std::string> Catalog::system_names() const { return names_of(systems); }
std::vector<std::string> Catalog::model_names() const { return names_of(models); }
std::vector<std::string> Catalog::hardware_names() const {
  auto names = system_names();
  for (const auto& name : chip_names()) names.push_back(name);
  return names;
}

}  // namespace ws
