#include "report/reproduction.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>

#include "analysis/roofline.h"
#include "core/csv.h"
#include "core/error.h"
#include "core/units.h"
#include "econ/tco.h"
#include "placement/deploy.h"
#include "report/tables.h"

namespace ws {
namespace fs = std::filesystem;

namespace {

int printed_decimals(const std::string& text) {
  const auto dot = text.find('.');
  return dot == std::string::npos ? 0 : static_cast<int>(text.size() - dot - 1);
}

// Collects comparisons for one published table.
class Checker {
 public:
  Checker(std::vector<Comparison>& out, std::string table, std::string file)
      : out_(out), table_(std::move(table)), file_(std::move(file)) {}

  // Compares column `column` of `row` (a number as printed) with `computed`. Returns the comparison added,
  // or nullptr when the published cell is empty ("-").
  Comparison* check(const CsvRow& row, const std::string& row_name, const std::string& column, double computed,
                    double tolerance, const std::string& unit_note = "") {
    const std::string& text = row.at(column, file_);
    const double published = csv_number(row, column, file_);
    if (std::isnan(published)) return nullptr;
    return add(row_name, column + unit_note, published, text, computed, tolerance);
  }

  Comparison* add(const std::string& row_name, const std::string& field, double published, const std::string& text,
                  double computed, double tolerance) {
    Comparison c;
    c.table = table_;
    c.row = row_name;
    c.field = field;
    c.published = published;
    c.computed = computed;
    c.tolerance = tolerance;
    c.reproduced = reproduces(published, text, computed, tolerance);
    out_.push_back(c);
    return &out_.back();
  }

 private:
  std::vector<Comparison>& out_;
  std::string table_;
  std::string file_;
};

std::string published_file(const Catalog& catalog, const std::string& name) {
  return (fs::path(catalog.root) / "published" / name).string();
}

const Chip* chip_by_display(const Catalog& catalog, const std::string& display) {
  for (const auto& chip : catalog.chips)
    if (to_lower(chip.display_name) == to_lower(display)) return &chip;
  return nullptr;
}

// Which chips' per-chip figure, times `count`, gives `published`? Explains system-table departures.
std::string matching_chip_figure(const Catalog& catalog, double published_total, double count,
                                 const std::function<std::optional<double>(const Chip&)>& figure, double scale) {
  std::string names;
  for (const auto& chip : catalog.chips) {
    auto value = figure(chip);
    if (value && std::fabs(*value * count / scale - published_total) <= 0.006 * published_total)
      names += (names.empty() ? "" : "/") + chip.display_name;
  }
  return names;
}

// --- chips and ratios --------------------------------------------------------------------------------------

void check_chips(const Catalog& catalog, std::vector<Comparison>& out) {
  const std::string file = published_file(catalog, "chips.csv");
  const CsvTable csv = read_csv(file);
  Checker checker(out, "chips", file);
  for (const auto& row : csv.rows) {
    const std::string name = row.at("name", file);
    const Chip* chip = chip_by_display(catalog, name);
    if (!chip) throw InputError(fmt::format("{}:{}", file, row.line), "no catalog chip named '" + name + "'");
    const double gb = units::bytes_per_gb, tb = units::bytes_per_tb, tf = units::flops_per_tflop;
    checker.check(row, name, "mem_capacity_GB", chip->main_memory.capacity_bytes / gb, 0.001);
    checker.check(row, name, "mem_bw_TBps", chip->main_memory.bandwidth_bytes_per_s / tb, 0.001);
    for (const char* cls : {"fp16", "fp8", "fp4"})
      if (auto f = chip->flops_per_s(cls)) checker.check(row, name, std::string(cls) + "_TFLOPS", *f / tf, 0.001);
    if (chip->on_chip_sram) {
      checker.check(row, name, "sram_MB", chip->on_chip_sram->capacity_bytes / units::bytes_per_mb, 0.001);
      checker.check(row, name, "sram_bw_TBps", chip->on_chip_sram->bandwidth_bytes_per_s / tb, 0.001);
    }
    if (chip->logic_area_mm2) checker.check(row, name, "logic_area_mm2", *chip->logic_area_mm2, 0.001);
    if (chip->price_usd) checker.check(row, name, "rough_price_usd", *chip->price_usd, 0.001);
  }
}

void check_relative(const Catalog& catalog, std::vector<Comparison>& out) {
  const std::string file = published_file(catalog, "relative_to_gb300.csv");
  const CsvTable csv = read_csv(file);
  Checker checker(out, "relative_to_gb300", file);
  const Chip& reference = catalog.chip("gb300");
  using Getter = std::function<std::optional<double>(const Chip&)>;
  const std::map<std::string, Getter> metrics = {
      {"mem_capacity", [](const Chip& c) { return std::optional<double>(c.main_memory.capacity_bytes); }},
      {"mem_bw", [](const Chip& c) { return std::optional<double>(c.main_memory.bandwidth_bytes_per_s); }},
      {"fp8", [](const Chip& c) { return c.flops_per_s("fp8"); }},
      {"fp16", [](const Chip& c) { return c.flops_per_s("fp16"); }},
      {"logic_area", [](const Chip& c) { return c.logic_area_mm2; }},
      {"aggregate_io", [](const Chip& c) { return c.aggregate_io_bytes_per_s(); }}};
  for (const auto& row : csv.rows) {
    const std::string metric = row.at("metric", file);
    auto getter = metrics.find(metric);
    if (getter == metrics.end()) throw InputError(fmt::format("{}:{}", file, row.line), "unknown metric '" + metric + "'");
    for (const auto& column : csv.header) {
      if (column == "metric") continue;
      const Chip* chip = chip_by_display(catalog, column);
      if (!chip) throw InputError(file, "no catalog chip named '" + column + "'");
      auto value = getter->second(*chip);
      auto base = getter->second(reference);
      if (!value || !base) continue;  // "N/A"
      Comparison* c = checker.check(row, metric, column, *value / *base, 0.0);
      if (c && !c->reproduced)
        c->cause = fmt::format("the printed ratio implies a GB300 {} of {:.4g} (this tool uses {:.4g} from the chip table)",
                               metric, *value / c->published / (metric == "mem_bw" ? units::bytes_per_tb : 1.0),
                               *base / (metric == "mem_bw" ? units::bytes_per_tb : 1.0));
    }
  }
}

// --- systems -------------------------------------------------------------------------------------------------

void check_systems(const Catalog& catalog, std::vector<Comparison>& out) {
  const std::string file = published_file(catalog, "systems.csv");
  const CsvTable csv = read_csv(file);
  Checker checker(out, "systems", file);
  for (const auto& row : csv.rows) {
    const std::string name = row.at("name", file);
    const System* system = nullptr;
    for (const auto& s : catalog.systems)
      if (to_lower(s.display_name) == to_lower(name)) system = &s;
    if (!system) throw InputError(fmt::format("{}:{}", file, row.line), "no catalog system named '" + name + "'");
    const Hardware h = catalog.hardware(system->name);
    const double n = h.chip_count();
    struct Field {
      std::string column;
      std::function<std::optional<double>(const Chip&)> per_chip;
      double scale;
    };
    const std::vector<Field> fields = {
        {"fp16_PFLOPS", [](const Chip& c) { return c.flops_per_s("fp16"); }, units::flops_per_pflop},
        {"fp8_PFLOPS", [](const Chip& c) { return c.flops_per_s("fp8"); }, units::flops_per_pflop},
        {"fp4_PFLOPS", [](const Chip& c) { return c.flops_per_s("fp4"); }, units::flops_per_pflop},
        {"hbm_capacity_GB", [](const Chip& c) -> std::optional<double> {
           if (c.device_class != "hbm_gpu") return std::nullopt;
           return c.main_memory.capacity_bytes; }, units::bytes_per_gb},
        {"hbm_bw_TBps", [](const Chip& c) -> std::optional<double> {
           if (c.device_class != "hbm_gpu") return std::nullopt;
           return c.main_memory.bandwidth_bytes_per_s; }, units::bytes_per_tb},
        {"sram_capacity_MB", [](const Chip& c) -> std::optional<double> {
           if (!c.on_chip_sram) return std::nullopt;
           return c.on_chip_sram->capacity_bytes; }, units::bytes_per_mb},
        {"sram_bw_TBps", [](const Chip& c) -> std::optional<double> {
           if (!c.on_chip_sram) return std::nullopt;
           return c.on_chip_sram->bandwidth_bytes_per_s; }, units::bytes_per_tb}};
    for (const auto& field : fields) {
      auto per_chip = field.per_chip(h.chip);
      if (!per_chip) continue;
      Comparison* c = checker.check(row, name, field.column, *per_chip * n / field.scale, 0.02);
      if (c && !c->reproduced) {
        const std::string other = matching_chip_figure(catalog, c->published, n, field.per_chip, field.scale);
        c->cause = other.empty() ? "not a multiple of any catalog chip's figure"
                                 : fmt::format("equals {} x {}'s figure, not {} x {}'s", n, other, n, h.chip.display_name);
      }
    }
    if (auto price = h.price_usd()) checker.check(row, name, "rough_price_usd", *price, 0.001);
  }
  // The notes' ridge points ("perf ratio"): lowest-precision FLOP/s over memory bandwidth.
  const std::vector<std::pair<std::string, double>> ridges = {
      {"h100", 591}, {"h200", 412}, {"b200", 1125}, {"b300", 1688}, {"r200", 2692},
      {"gb300-nvl72", 1875}, {"wse-3", 0.74}, {"groq-lp30", 8}};
  for (const auto& [name, printed] : ridges) {
    const Hardware h = catalog.hardware(name);
    std::string lowest;
    for (const char* cls : {"fp16", "fp8", "fp4"})
      if (h.chip.flops_per_s(cls)) lowest = cls;
    const double ridge = *h.flops_per_s(lowest) / h.memory_bandwidth_bytes_per_s();
    checker.add(h.system.display_name, "ridge_point_" + lowest + " (notes)", printed,
                fmt::format("{}", printed), ridge, 0.005);
  }
}

// --- GEMM ----------------------------------------------------------------------------------------------------

void check_gemm(const Catalog& catalog, std::vector<Comparison>& out, Table& bound_table) {
  const std::string file = published_file(catalog, "gemm_shapes.csv");
  const CsvTable csv = read_csv(file);
  Checker checker(out, "gemm_shapes", file);
  const Precision& fp8 = catalog.precisions.get("fp8", file);
  // The source's lists name these chips; "Cerebras" is the WSE-3, "Groq" the LP30.
  const std::vector<std::pair<std::string, std::string>> listed = {
      {"H100", "h100"}, {"H200", "h200"}, {"B200", "b200"}, {"B300", "b300"},
      {"R200", "r200"}, {"Cerebras", "wse-3"}, {"Groq", "groq-lp30"}};
  bound_table.title = "GEMM bound classification (FP8) vs the source's lists";
  bound_table.columns = {Column{"shape", "shape"}, Column{"arithmetic_intensity", "AI", 1, 1},
                         Column{"chip", "chip"}, Column{"ridge_point", "ridge", 1, 2},
                         Column{"bound", "computed bound"}, Column{"published_bound", "printed bound"},
                         Column{"agrees", "agrees"}};
  for (const auto& row : csv.rows) {
    const std::string name = row.at("name", file);
    const GemmShape shape{name, csv_number(row, "M", file), csv_number(row, "N", file), csv_number(row, "K", file)};
    const double ai = arithmetic_intensity(shape, fp8.bytes_per_element());
    checker.check(row, name, "fp8_ai", ai, 0.005);
    auto parse_list = [&](const std::string& column) {
      std::set<std::string> names;
      std::string text = row.at(column, file);
      if (text == "all") for (const auto& [label, id] : listed) names.insert(label);
      else if (text != "none") {
        std::size_t start = 0;
        while (start < text.size()) {
          const auto end = text.find(' ', start);
          names.insert(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
          if (end == std::string::npos) break;
          start = end + 1;
        }
      }
      return names;
    };
    const auto memory_list = parse_list("hbm_bound");
    const auto compute_list = parse_list("flops_bound_fp8");
    for (const auto& [label, id] : listed) {
      const GemmAnalysis a = analyze_gemm(shape, catalog.chip(id), fp8);
      const std::string computed = to_string(a.bound);
      std::string printed = memory_list.count(label) ? "memory_bandwidth" : compute_list.count(label) ? "compute" : "";
      if (memory_list.count(label) && compute_list.count(label)) printed = "both lists";
      const bool agrees = printed == computed;
      bound_table.rows.push_back({name, ai, label, *a.ridge_point, computed, printed.empty() ? "not listed" : printed,
                                  agrees ? "yes" : "no"});
      if (!printed.empty() && !agrees) {
        Comparison c;
        c.table = "gemm_shapes";
        c.row = name;
        c.field = "bound " + label + " (1 = compute)";
        c.published = printed == "compute" ? 1 : 0;
        c.computed = a.bound == Bound::compute ? 1 : 0;
        c.cause = fmt::format("printed {}, but AI {:.2f} {} the {} ridge point {:.2f} (FP8), so it is {}", printed, ai,
                              ai >= *a.ridge_point ? ">=" : "<", label, *a.ridge_point, computed);
        out.push_back(c);
      }
    }
  }
}

// --- model footprints ------------------------------------------------------------------------------------------

const ModelEntry* model_by_published_name(const Catalog& catalog, const std::string& published) {
  for (const auto& m : catalog.models)
    if (m.published_name == published) return &m;
  return nullptr;
}

void check_footprints(const Catalog& catalog, std::vector<Comparison>& out, Table& windows_table) {
  const std::string file = published_file(catalog, "model_footprints.csv");
  const CsvTable csv = read_csv(file);
  Checker checker(out, "model_footprints", file);
  const double B = units::params_per_billion, GB = units::bytes_per_gb;
  windows_table.title = "KV per sequence with attention windows honoured (GB)";
  windows_table.columns = {Column{"model", "model"}, Column{"kv_bytes_128k_full", "128K, every layer full", 1e9, 1},
                           Column{"kv_bytes_128k", "128K, windows honoured", 1e9, 1},
                           Column{"kv_bytes_1m_full", "1M, every layer full", 1e9, 1},
                           Column{"kv_bytes_1m", "1M, windows honoured", 1e9, 1}};
  for (const auto& row : csv.rows) {
    const std::string name = row.at("model", file);
    const ModelEntry* entry = model_by_published_name(catalog, name);
    if (!entry) throw InputError(fmt::format("{}:{}", file, row.line), "no catalog model with published_name '" + name + "'");
    const ModelSpec m = catalog.model(entry->name);
    const ParamCounts p = param_counts(m);
    const double params_tolerance = 0.02, kv_tolerance = 0.01;
    auto params_check = [&](const std::string& column, double value) {
      Comparison* c = checker.check(row, name, column, value, params_tolerance);
      if (c && !c->reproduced && m.is_aggregate()) c->cause = "published aggregate is internally inconsistent";
      return c;
    };
    params_check("total_params_B", p.total / B);
    params_check("attn_params_B", p.attention / B);
    params_check("ffn_params_B", p.ffn / B);
    const auto& precisions = catalog.precisions;
    params_check("size_bf16_GB", weight_bytes(m, uniform_weight_format(precisions.get("bf16", file))) / GB);
    params_check("size_fp8_GB", weight_bytes(m, uniform_weight_format(precisions.get("fp8", file))) / GB);
    params_check("size_fp4_GB", weight_bytes(m, uniform_weight_format(precisions.get("fp4", file))) / GB);
    Comparison* ckpt = params_check("checkpoint_GB", weight_bytes(m, checkpoint_weight_format(m, precisions)) / GB);
    if (ckpt && !ckpt->reproduced && !m.is_aggregate())
      ckpt->cause = "checkpoint format " + m.checkpoint.describe;
    const Precision& kv = precisions.get(to_lower(row.at("kv_storage", file)), file);
    for (const auto& [column, tokens] : std::vector<std::pair<std::string, double>>{
             {"kv_128k_GB", 128000}, {"kv_256k_GB", 256000}, {"kv_1m_GB", 1000000}}) {
      // The source counts every layer at full context; compare on that convention.
      Comparison* c = checker.check(row, name, column, kv_bytes_for_context(m, kv, tokens, false) / GB, kv_tolerance);
      if (c && !c->reproduced) c->cause = "unexplained";
      if (c && m.max_context_tokens > 0 && tokens > m.max_context_tokens)
        c->cause += (c->cause.empty() ? "" : "; ") +
                    fmt::format("note: beyond the config's max_position_embeddings ({:.0f})", m.max_context_tokens);
    }
    if (!m.is_aggregate()) {
      const double full128 = kv_bytes_for_context(m, kv, 128000, false), win128 = kv_bytes_for_context(m, kv, 128000, true);
      if (std::fabs(full128 - win128) > 1e-6 * full128)
        windows_table.rows.push_back({name, full128, win128, kv_bytes_for_context(m, kv, 1e6, false),
                                      kv_bytes_for_context(m, kv, 1e6, true)});
    }
  }
  windows_table.notes = {"The source sizes every layer's KV at full context. Sliding-window (gpt-oss: 128 tokens "
                         "on alternate layers) and chunked-attention layers (Llama 4: 8192-token chunks on 3 of 4 "
                         "layers) need only their window; a window-aware engine stores the right-hand figures."};
}

// --- WSE-3 deployment ---------------------------------------------------------------------------------------

// Which wafer count w makes `formula(w)` print as `published`?
std::optional<int> wafers_matching(double published, const std::string& text, double tolerance,
                                   const std::function<double(int)>& formula) {
  for (int w = 1; w <= 400; ++w)
    if (reproduces(published, text, formula(w), tolerance)) return w;
  return std::nullopt;
}

void check_deployment(const Catalog& catalog, std::vector<Comparison>& out, std::vector<Deployment>& deployments) {
  const std::string file = published_file(catalog, "wse3_deployment.csv");
  const CsvTable csv = read_csv(file);
  Checker checker(out, "wse3_deployment", file);
  const Hardware cs3 = catalog.hardware("cs-3");
  const double GB = units::bytes_per_gb;
  const double capacity_gb = cs3.chip.main_memory.capacity_bytes / GB;
  const double link = *cs3.chip.scale_out_bytes_per_s;
  for (const auto& row : csv.rows) {
    const std::string name = row.at("model", file);
    const ModelEntry* entry = model_by_published_name(catalog, name);
    if (!entry) throw InputError(fmt::format("{}:{}", file, row.line), "no catalog model with published_name '" + name + "'");
    const ModelSpec m = catalog.model(entry->name);
    DeployRequest request;
    request.weights = checkpoint_weight_format(m, catalog.precisions);
    request.kv = catalog.precisions.get(to_lower(row.at("kv_storage", file)), file);
    request.honor_windows = false;  // the source's convention
    const Deployment d = deploy(m, cs3, request);
    deployments.push_back(d);
    const double size_gb = d.weight_bytes / GB;
    checker.check(row, name, "pretrained_size_GB", size_gb, 0.02);
    const auto rules = fmt::format("our count {} {}; capacity count ceil({:.1f}/{:.0f}) = {}; "
                                   "uniform-layer count = {}", d.min_devices,
                                   d.placement_rule == "layer_boundaries" ? "packs the real layer sizes"
                                                                          : "is by capacity (no layer sizes known)",
                                   size_gb, capacity_gb,
                                   d.devices_by_capacity,
                                   d.devices_by_uniform_layers ? fmt::format("{}", d.devices_by_uniform_layers)
                                                               : "unknown (layer count not published)");
    const std::string wafers_text = row.at("min_wafers", file);
    Comparison* wafers = checker.check(row, name, "min_wafers", d.min_devices, 0.0);
    if (wafers && wafers_text.back() == '+' && d.min_devices >= wafers->published) wafers->reproduced = true;
    if (wafers && !wafers->reproduced) {
      wafers->cause = rules;
      if (d.devices_by_uniform_layers == wafers->published)
        wafers->cause = "the source divides the model into equal layers of (size / layers) each; " + rules;
      else if (d.devices_by_capacity == wafers->published)
        wafers->cause = "the source ignores layer boundaries here; " + rules;
    }
    const std::string free_text = row.at("free_sram_per_wafer_GB", file);
    Comparison* free = checker.check(row, name, "free_sram_per_wafer_GB", d.free_bytes_per_device / GB, 0.01);
    if (free && !free->reproduced) {
      const double printed_size_gb = csv_number(row, "pretrained_size_GB", file);
      auto w = wafers_matching(free->published, free_text, 0.01,
                               [&](int n) { return capacity_gb - printed_size_gb / n; });
      free->cause = w ? fmt::format("printed value = 44 - printed size/{} (the source used {} wafers here; {})", *w, *w, rules)
                      : "matches 44 - size/w for no whole w";
    }
    for (const auto& [column, tokens] : std::vector<std::pair<std::string, double>>{
             {"kv_xfer_128k_ms", 128000}, {"kv_xfer_256k_ms", 256000}, {"kv_xfer_1m_ms", 1000000}}) {
      const double kv = kv_bytes_for_context(m, request.kv, tokens, false);
      Comparison* c = checker.check(row, name, column, kv / (d.min_devices * link) * 1e3, 0.01);
      if (c && !c->reproduced) {
        auto w = wafers_matching(c->published, row.at(column, file), 0.01,
                                 [&](int n) { return kv / (n * link) * 1e3; });
        // Only wafer counts some rule could give are an explanation; anything else is just a number that fits.
        const std::set<int> plausible = {d.min_devices - 1, d.min_devices + 1, d.devices_by_capacity,
                                         d.devices_by_uniform_layers};
        if (w && plausible.count(*w))
          c->cause = fmt::format("printed value = KV / ({} x 150 GB/s): the source used {} wafers here, not {}", *w,
                                 *w, d.min_devices);
        else
          c->cause = fmt::format("matches KV / (w x 150 GB/s) for no wafer count any rule gives ({} KV {:.2f} GB "
                                 "would need {} wafers); unexplained", column, kv / GB, w ? *w : 0);
      }
    }
  }
}

// --- CS-3 TCO ------------------------------------------------------------------------------------------------

void check_tco(const Catalog& catalog, std::vector<Comparison>& out, Tco& result) {
  const std::string file = published_file(catalog, "economics_cs3.csv");
  const CsvTable csv = read_csv(file);
  Checker checker(out, "economics_cs3", file);
  const Hardware cs3 = catalog.hardware("cs-3");
  result = compute_tco(catalog.economics_for("cs-3"), cs3, "fp8");
  const Tco& t = result;
  const std::map<std::string, double> computed = {
      {"out_total_upfront_capex", t.capex_usd},
      {"out_wacc", t.wacc},
      {"out_capital_cost_per_month", t.capital_cost_per_month_usd},
      {"out_capital_cost_per_hour", t.capital_cost_per_hour_usd},
      {"out_electricity_per_kw_month", t.electricity_usd_per_kw_month},
      {"out_total_cost_per_kw_month", t.total_usd_per_kw_month},
      {"out_server_costs_per_month", t.power_and_colocation_per_month_usd},
      {"out_operating_cost_per_month", t.operating_cost_per_month_usd},
      {"out_operating_cost_per_hour", t.operating_cost_per_hour_usd},
      {"out_tco_per_hour", t.tco_per_hour_usd},
      {"out_capital_share_of_tco", t.capital_share_of_tco},
      {"out_upfront_per_pflop_internal", t.upfront_per_pflop_internal_usd},
      {"out_upfront_per_pflop_external", t.upfront_per_pflop_external_usd.value_or(NAN)},
      {"out_upfront_per_tbps_internal", t.upfront_per_tb_per_s_internal_usd},
      {"out_upfront_per_tbps_external", t.upfront_per_tb_per_s_external_usd.value_or(NAN)},
      {"out_tco_per_pflop_hour_internal", t.tco_per_pflop_hour_internal_usd},
      {"out_tco_per_pflop_hour_external", t.tco_per_pflop_hour_external_usd.value_or(NAN)}};
  double cost_per_mtok = NAN, revenue_per_mtok = NAN;
  for (const auto& row : csv.rows) {
    const std::string key = row.at("key", file);
    if (key == "out_cost_per_mtok") cost_per_mtok = csv_number(row, "value", file);
    if (key == "out_revenue_per_mtok") revenue_per_mtok = csv_number(row, "value", file);
    auto it = computed.find(key);
    if (it == computed.end()) continue;
    // Printed to 3-5 significant figures: hold to 0.1%, or to its rounding.
    Comparison* c = checker.add("CS-3", key, csv_number(row, "value", file), row.at("value", file), it->second, 0.001);
    if (c && !c->reproduced) c->cause = "unexplained";
  }
  // The token economics quoted beside the TCO: margin = 1 - cost / revenue.
  for (const auto& row : csv.rows) {
    if (row.at("key", file) != "out_gross_margin") continue;
    Comparison* c = checker.add("CS-3 (agentic tokens)", "out_gross_margin", csv_number(row, "value", file),
                                row.at("value", file), 1.0 - cost_per_mtok / revenue_per_mtok, 0.0);
    if (c && !c->reproduced)
      c->cause = fmt::format("1 - {:.2f}/{:.2f} = {:.3f}; the printed margin needs cost {:.3f} USD/Mtok (unrounded inputs?)",
                             cost_per_mtok, revenue_per_mtok, c->computed, revenue_per_mtok * (1 - c->published));
  }
}

Table comparisons_table(const std::vector<Comparison>& comparisons, bool departures_only) {
  Table t;
  t.title = departures_only ? "Printed figures the arithmetic does not reproduce" : "Every printed figure checked";
  t.columns = {Column{"table", "table"}, Column{"row", "row"}, Column{"field", "field"},
               Column{"published", "printed", 1, 4}, Column{"computed", "computed", 1, 4},
               Column{"difference", "difference", 1, 4}, Column{"relative_difference", "rel. diff", 1, 4},
               Column{"tolerance", "tolerance", 1, 3}, Column{"reproduced", "reproduced"},
               Column{"cause", "likely cause"}};
  for (const auto& c : comparisons) {
    if (departures_only && c.reproduced) continue;
    const double difference = c.computed - c.published;
    t.rows.push_back({c.table, c.row, c.field, c.published, c.computed, difference,
                      c.published != 0 ? Cell{difference / c.published} : Cell{}, c.tolerance,
                      std::string(c.reproduced ? "yes" : "no"), c.cause});
  }
  return t;
}

}  // namespace

bool reproduces(double published, const std::string& printed_text, double computed, double relative_tolerance) {
  if (std::isnan(published) || std::isnan(computed)) return false;
  const double half_unit = 0.5 * std::pow(10.0, -printed_decimals(printed_text));
  if (std::fabs(computed - published) <= half_unit * (1 + 1e-9) + 1e-12) return true;
  return published != 0 && std::fabs(computed - published) <= relative_tolerance * std::fabs(published);
}

ReproductionReport reproduce_source_tables(const Catalog& catalog) {
  ReproductionReport report;
  auto& comparisons = report.comparisons;
  comparisons.reserve(1024);  // Checker hands out pointers into this vector
  check_chips(catalog, comparisons);
  check_relative(catalog, comparisons);
  check_systems(catalog, comparisons);
  Table bounds;
  check_gemm(catalog, comparisons, bounds);
  Table windows;
  check_footprints(catalog, comparisons, windows);
  std::vector<Deployment> deployments;
  check_deployment(catalog, comparisons, deployments);
  Tco tco;
  check_tco(catalog, comparisons, tco);

  // The recomputed tables, in the source's order.
  report.tables.push_back(chips_table(catalog));
  report.tables.push_back(chips_relative_table(catalog, "gb300"));
  report.tables.push_back(systems_table(catalog));
  std::vector<Chip> gemm_chips;
  for (const char* id : {"h100", "h200", "b200", "b300", "r200", "wse-3", "groq-lp30"}) gemm_chips.push_back(catalog.chip(id));
  report.tables.push_back(gemm_table(default_gemm_shapes(catalog), gemm_chips, catalog.precisions.get("fp8", "report")));
  report.tables.push_back(bounds);
  std::vector<ModelSpec> models;
  for (const auto& entry : catalog.models)
    if (!entry.published_name.empty()) models.push_back(catalog.model(entry.name));
  FootprintOptions source_convention;
  source_convention.honor_windows = false;
  Table footprints = footprint_table(catalog, models, source_convention);
  footprints.title = "Model footprints (source convention: every layer at full context)";
  report.tables.push_back(footprints);
  report.tables.push_back(windows);
  Table deploy = deploy_table(deployments);
  deploy.title = "WSE-3 deployment (CS-3, checkpoint precision, 128K context, source KV convention)";
  report.tables.push_back(deploy);
  report.tables.push_back(tco_table({tco}));
  report.tables.push_back(comparisons_table(comparisons, true));
  report.tables.push_back(comparisons_table(comparisons, false));

  std::size_t reproduced = 0;
  for (const auto& c : comparisons) reproduced += c.reproduced ? 1 : 0;
  std::string summary = fmt::format("Recomputed {} tables of the source analysis: {} printed figures checked, {} "
                                    "reproduced, {} departures:\n",
                                    7, comparisons.size(), reproduced, comparisons.size() - reproduced);
  for (const auto& c : comparisons)
    if (!c.reproduced)
      summary += fmt::format("  {:<18} {:<28} {:<26} printed {:<10.4g} computed {:<10.4g} {}\n", c.table, c.row,
                             c.field, c.published, c.computed, c.cause);
  report.summary = summary;
  return report;
}

void write_text_file(const std::string& out_dir, const std::string& name, const std::string& content) {
  const fs::path path = fs::path(out_dir) / name;
  std::ofstream stream(path);
  if (!stream) throw InputError("out", "cannot write " + path.string());
  stream << content;
}

ReproductionReport write_reproduction_report(const Catalog& catalog, const std::string& out_dir) {
  ReproductionReport report = reproduce_source_tables(catalog);
  std::error_code error;
  fs::create_directories(out_dir, error);
  if (error) throw InputError("out", "cannot create folder '" + out_dir + "': " + error.message());
  static const char* kFileNames[] = {"chips",      "chips_relative_to_gb300", "systems",      "gemm",
                                     "gemm_bounds", "model_footprints",       "kv_windows",   "wse3_deployment",
                                     "tco_cs3",    "deviations",              "comparisons"};
  std::string index = "## The source analysis, recomputed\n\n";
  index += "Every table below is recomputed from `catalog/` and compared with the printed figures in "
           "`catalog/published/` (copied from the source analysis). Markdown for reading, CSV (SI units) for tools.\n\n";
  index += "```\n" + report.summary + "```\n\n";
  for (std::size_t i = 0; i < report.tables.size(); ++i) {
    const std::string base = kFileNames[i];
    write_text_file(out_dir, base + ".md", render(report.tables[i], Format::md));
    write_text_file(out_dir, base + ".csv", render(report.tables[i], Format::csv));
    index += fmt::format("- [{}]({}.md) ([csv]({}.csv))\n", report.tables[i].title, base, base);
  }
  report.index_markdown = index;
  return report;
}

}  // namespace ws
