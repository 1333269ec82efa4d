#include "report/tables.h"

#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <algorithm>
#include <limits>

#include "core/csv.h"
#include "core/error.h"
#include "core/units.h"

namespace ws {
namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();
Cell opt(const std::optional<double>& value) { return value ? Cell{*value} : Cell{}; }

// Human headers name the display unit; keys stay SI.
Column col(std::string key, std::string header, double scale = 1.0, int precision = 2, bool integer = false) {
  return Column{std::move(key), std::move(header), scale, precision, integer};
}
Column text(std::string key, std::string header) { return Column{std::move(key), std::move(header), 1.0, 0, false}; }

}  // namespace

std::string context_label(double tokens) {
  const auto n = static_cast<long long>(std::llround(tokens));
  if (n % 1000000 == 0) return fmt::format("{}m", n / 1000000);
  if (n % 1000 == 0) return fmt::format("{}k", n / 1000);
  return fmt::format("{}", n);
}

Table chips_table(const Catalog& catalog) {
  Table t;
  t.title = "Chips";
  t.columns = {text("name", "name"), text("vendor", "vendor"), text("device_class", "class"),
               text("memory_type", "memory"), col("memory_capacity_bytes", "capacity GB", 1e9, 2),
               col("memory_bandwidth_bytes_per_s", "bandwidth TB/s", 1e12, 2),
               col("fp16_flops_per_s", "FP16 TFLOPS", 1e12, 0), col("fp8_flops_per_s", "FP8 TFLOPS", 1e12, 0),
               col("fp4_flops_per_s", "FP4 TFLOPS", 1e12, 0), col("sram_bytes", "SRAM MB", 1e6, 0),
               col("sram_bandwidth_bytes_per_s", "SRAM TB/s", 1e12, 1), col("logic_area_mm2", "logic mm2", 1, 0),
               col("scale_out_bytes_per_s", "scale-out GB/s", 1e9, 0), col("scale_up_bytes_per_s", "scale-up GB/s", 1e9, 0),
               col("ridge_point_fp8", "ridge FP8 FLOP/B", 1, 2), col("price_usd", "price USD", 1, 0),
               col("power_w", "power W", 1, 0), text("source", "source")};
  for (const auto& c : catalog.chips) {
    const auto fp8 = c.flops_per_s("fp8");
    t.rows.push_back({c.name, c.vendor, c.device_class, c.main_memory.technology, c.main_memory.capacity_bytes,
                      c.main_memory.bandwidth_bytes_per_s, opt(c.flops_per_s("fp16")), opt(fp8),
                      opt(c.flops_per_s("fp4")), c.on_chip_sram ? Cell{c.on_chip_sram->capacity_bytes} : Cell{},
                      c.on_chip_sram ? Cell{c.on_chip_sram->bandwidth_bytes_per_s} : Cell{}, opt(c.logic_area_mm2),
                      opt(c.scale_out_bytes_per_s), opt(c.scale_up_bytes_per_s),
                      fp8 ? Cell{*fp8 / c.main_memory.bandwidth_bytes_per_s} : Cell{}, opt(c.price_usd),
                      opt(c.power_w), c.source});
  }
  t.notes = {"Dense FLOP/s. Decimal units. LPU FP8 figures are INT8. Figures marked in catalog/chips.toml's "
             "figure_sources come from vendor datasheets, not the source analysis."};
  return t;
}

Table chips_relative_table(const Catalog& catalog, const std::string& reference_name) {
  const Chip& reference = catalog.chip(reference_name, "relative_to");
  Table t;
  t.title = "Chips relative to " + reference.display_name;
  t.columns = {text("name", "name"), col("memory_capacity_ratio", "capacity", 1, 2),
               col("memory_bandwidth_ratio", "bandwidth", 1, 1), col("fp8_ratio", "FP8", 1, 2),
               col("fp16_ratio", "FP16", 1, 2), col("logic_area_ratio", "logic area", 1, 2),
               col("aggregate_io_ratio", "aggregate I/O", 1, 2)};
  auto ratio = [](std::optional<double> a, std::optional<double> b) -> Cell {
    if (!a || !b || *b == 0) return Cell{};
    return Cell{*a / *b};
  };
  for (const auto& c : catalog.chips) {
    t.rows.push_back({c.name,
                      ratio(c.main_memory.capacity_bytes, reference.main_memory.capacity_bytes),
                      ratio(c.main_memory.bandwidth_bytes_per_s, reference.main_memory.bandwidth_bytes_per_s),
                      ratio(c.flops_per_s("fp8"), reference.flops_per_s("fp8")),
                      ratio(c.flops_per_s("fp16"), reference.flops_per_s("fp16")),
                      ratio(c.logic_area_mm2, reference.logic_area_mm2),
                      ratio(c.aggregate_io_bytes_per_s(), reference.aggregate_io_bytes_per_s())});
  }
  t.notes = {"aggregate I/O = scale-out + scale-up, unidirectional."};
  return t;
}

Table systems_table(const Catalog& catalog) {
  Table t;
  t.title = "Systems";
  t.columns = {text("name", "name"), text("chip", "chip"), col("chips", "chips", 1, 0, true),
               col("fp16_flops_per_s", "FP16 PFLOPS", 1e15, 2), col("fp8_flops_per_s", "FP8 PFLOPS", 1e15, 2),
               col("fp4_flops_per_s", "FP4 PFLOPS", 1e15, 0), col("memory_capacity_bytes", "memory GB", 1e9, 0),
               col("memory_bandwidth_bytes_per_s", "memory TB/s", 1e12, 1), col("sram_bytes", "SRAM MB", 1e6, 0),
               col("sram_bandwidth_bytes_per_s", "SRAM TB/s", 1e12, 0),
               col("ridge_point", "ridge FLOP/B", 1, 2), text("ridge_precision", "ridge at"),
               col("host_memory_bytes", "host memory GB", 1e9, 0), col("price_usd", "price USD", 1, 0),
               col("power_w", "power kW", 1e3, 1), text("source", "source")};
  for (const auto& s : catalog.systems) {
    const Hardware h = catalog.hardware(s.name);
    const double n = s.chip_count;
    // The source's "perf ratio": the lowest-precision FLOP/s listed, over memory bandwidth.
    std::string lowest;
    for (const char* cls : {"fp16", "fp8", "fp4"})
      if (h.chip.flops_per_s(cls)) lowest = cls;
    const double ridge = *h.flops_per_s(lowest) / h.memory_bandwidth_bytes_per_s();
    const auto& sram = h.chip.on_chip_sram;
    t.rows.push_back({s.name, s.chip_name, n, opt(h.flops_per_s("fp16")), opt(h.flops_per_s("fp8")),
                      opt(h.flops_per_s("fp4")), h.memory_capacity_bytes(), h.memory_bandwidth_bytes_per_s(),
                      sram ? Cell{sram->capacity_bytes * n} : Cell{}, sram ? Cell{sram->bandwidth_bytes_per_s * n} : Cell{},
                      ridge, lowest, s.host_memory ? Cell{s.host_memory->capacity_bytes} : Cell{}, opt(h.price_usd()),
                      opt(s.power_w), s.source});
  }
  return t;
}

Table models_table(const Catalog& catalog) {
  Table t;
  t.title = "Models";
  t.columns = {text("name", "name"), text("display_name", "model"), text("kind", "kind"), text("model_type", "type"),
               col("layers", "layers", 1, 0, true), col("hidden_size", "hidden", 1, 0, true), text("attention", "attention"),
               col("heads", "heads", 1, 0, true), col("kv_heads", "KV heads", 1, 0, true),
               col("experts", "experts", 1, 0, true), col("experts_per_token", "active experts", 1, 0, true),
               col("total_params", "total B", 1e9, 1), col("active_params", "active B", 1e9, 1),
               col("max_context_tokens", "max context", 1, 0, true), text("checkpoint_format", "checkpoint"),
               text("source", "source")};
  for (const auto& entry : catalog.models) {
    const ModelSpec m = catalog.model(entry.name);
    const ParamCounts p = param_counts(m);
    int experts = 0, per_token = 0;
    for (const auto& layer : m.layers)
      if (layer.ffn.moe) { experts = layer.ffn.experts; per_token = layer.ffn.experts_per_token; }
    if (m.is_aggregate()) {
      t.rows.push_back({m.name, m.display_name, "published aggregate", Cell{},
                        m.aggregate->num_layers ? Cell{double(m.aggregate->num_layers)} : Cell{}, Cell{}, Cell{},
                        Cell{}, Cell{}, Cell{}, Cell{}, p.total, p.active, m.max_context_tokens,
                        "published size", m.source});
      continue;
    }
    t.rows.push_back({m.name, m.display_name, "config.json", m.model_type, double(m.num_decoder_layers()),
                      m.hidden_size, to_string(m.attention.kind), double(m.attention.heads),
                      double(m.attention.kv_heads), experts ? Cell{double(experts)} : Cell{},
                      experts ? Cell{double(per_token)} : Cell{}, p.total, p.active,
                      m.max_context_tokens > 0 ? Cell{m.max_context_tokens} : Cell{}, m.checkpoint.describe, m.source});
  }
  return t;
}

Table footprint_table(const Catalog& catalog, const std::vector<ModelSpec>& models, const FootprintOptions& options) {
  const Precision& kv = catalog.precisions.get(options.kv_precision, "kv_dtype");
  Table t;
  t.title = "Model footprints";
  t.columns = {text("model", "model"), col("total_params", "total B", 1e9, 1), col("active_params", "active B", 1e9, 1),
               col("attention_params", "attn B", 1e9, 1), col("ffn_params", "FFN B", 1e9, 1),
               col("embedding_params", "embed B", 1e9, 2), col("weight_bytes_bf16", "bf16 GB", 1e9, 1),
               col("weight_bytes_fp8", "fp8 GB", 1e9, 1), col("weight_bytes_fp4", "fp4 GB", 1e9, 1),
               col("checkpoint_bytes", "ckpt GB", 1e9, 1), text("checkpoint_format", "checkpoint format"),
               text("kv_precision", "KV"), col("kv_bytes_per_token", "KV B/token", 1, 0, true)};
  for (double context : options.contexts_tokens) {
    if (!(context > 0)) throw InputError("context", fmt::format("expected a positive token count, got {}", context));
    const std::string label = context_label(context);
    std::string upper = label;
    for (auto& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    t.columns.push_back(col("kv_bytes_" + label, "KV " + upper + " GB", 1e9, 1));
  }
  t.columns.push_back(col("max_context_tokens", "max ctx", 1, 0, true));
  for (const auto& m : models) {
    const ParamCounts p = param_counts(m);
    const WeightFormat checkpoint = checkpoint_weight_format(m, catalog.precisions);
    std::vector<Cell> row = {m.name, p.total, p.active, p.attention, p.ffn, p.embedding,
                             weight_bytes(m, uniform_weight_format(catalog.precisions.get("bf16", "catalog"))),
                             weight_bytes(m, uniform_weight_format(catalog.precisions.get("fp8", "catalog"))),
                             weight_bytes(m, uniform_weight_format(catalog.precisions.get("fp4", "catalog"))),
                             weight_bytes(m, checkpoint), checkpoint.name, kv.name, kv_bytes_per_token(m, kv)};
    for (double context : options.contexts_tokens) row.push_back(kv_bytes_for_context(m, kv, context, options.honor_windows));
    row.push_back(m.max_context_tokens > 0 ? Cell{m.max_context_tokens} : Cell{});
    t.rows.push_back(std::move(row));
  }
  t.notes = {"Decimal units: GB = 1e9 bytes, 128K = 128,000 tokens. KV is one sequence at full context.",
             options.honor_windows
                 ? "Sliding-window and chunked-attention layers cache at most their window (--kv-window ignore counts them at full context, as the source does)."
                 : "Every layer caches the full context, windows ignored (the source's convention)."};
  return t;
}

std::vector<GemmShape> default_gemm_shapes(const Catalog& catalog) {
  const std::string file = (std::filesystem::path(catalog.root) / "gemm_shapes.csv").string();
  const CsvTable csv = read_csv(file);
  std::vector<GemmShape> shapes;
  for (const auto& row : csv.rows) {
    GemmShape s{row.at("name", file), csv_number(row, "m", file), csv_number(row, "n", file), csv_number(row, "k", file)};
    if (!(s.m > 0 && s.n > 0 && s.k > 0))
      throw InputError(fmt::format("{}:{}", file, row.line), "M, N and K must be positive");
    shapes.push_back(s);
  }
  return shapes;
}

Table gemm_table(const std::vector<GemmShape>& shapes, const std::vector<Chip>& chips, const Precision& precision) {
  Table t;
  t.title = "GEMM roofline (" + precision.name + ")";
  t.columns = {text("shape", "shape"), col("m", "M", 1, 0, true), col("n", "N", 1, 0, true), col("k", "K", 1, 0, true),
               text("chip", "chip"), text("precision", "dtype"), col("flops", "GFLOP", 1e9, 3),
               col("bytes", "MB", 1e6, 2), col("arithmetic_intensity", "AI FLOP/B", 1, 1),
               col("ridge_point", "ridge FLOP/B", 1, 2), text("bound", "bound"),
               col("attainable_flops_per_s", "attainable TFLOPS", 1e12, 1), col("time_s", "time us", 1e-6, 3)};
  for (const auto& shape : shapes) {
    for (const auto& chip : chips) {
      const GemmAnalysis a = analyze_gemm(shape, chip, precision);
      t.rows.push_back({shape.name, shape.m, shape.n, shape.k, chip.name, precision.name, a.flops, a.bytes,
                        a.arithmetic_intensity, opt(a.ridge_point),
                        a.ridge_point ? Cell{to_string(a.bound)} : Cell{std::string("unsupported")},
                        a.attainable_flops_per_s, a.time_s});
    }
  }
  t.notes = {"AI = 2MNK / ((MK + KN + MN) b); ridge = peak FLOP/s at the dtype / memory bandwidth; "
             "AI >= ridge is compute-bound."};
  return t;
}

Table deploy_table(const std::vector<Deployment>& deployments) {
  Table t;
  t.title = "Deployment";
  t.columns = {text("model", "model"), text("hardware", "hardware"), text("placement_rule", "rule"),
               text("weight_format", "weights"), text("kv_precision", "KV"), col("weight_bytes", "weights GB", 1e9, 1),
               col("min_devices", "min devices", 1, 0, true), col("min_systems", "min systems", 1, 0, true),
               col("layers_per_device", "layers/device", 1, 2), col("max_layers_per_device", "max layers/device", 1, 0, true),
               col("free_bytes_per_device", "free GB/device", 1e9, 2),
               col("min_free_bytes_per_device", "free GB fullest", 1e9, 2), col("context_tokens", "context", 1, 0, true),
               col("kv_bytes_per_sequence", "KV GB/seq", 1e9, 2), col("kv_transfer_seconds", "KV xfer ms", 1e-3, 1),
               col("sequences_that_fit", "seqs fit", 1, 0, true), col("concurrency", "concurrency", 1, 0, true),
               col("devices_for_concurrency", "devices for C", 1, 0, true),
               col("systems_for_concurrency", "systems for C", 1, 0, true),
               col("layers_per_device_at_concurrency", "layers/device at C", 1, 2),
               col("kv_share_of_memory", "KV share", 1, 3), col("devices_by_capacity", "devices by capacity", 1, 0, true),
               col("devices_by_uniform_layers", "devices by uniform layers", 1, 0, true), text("bound", "bound"),
               text("status", "status")};
  for (const auto& d : deployments) {
    auto when_feasible = [&](double v) { return d.feasible ? Cell{v} : Cell{}; };
    t.rows.push_back({d.model, d.hardware, d.placement_rule, d.weight_format, d.kv_precision, d.weight_bytes,
                      when_feasible(d.min_devices), when_feasible(d.min_systems),
                      d.num_layers > 0 ? when_feasible(d.layers_per_device) : Cell{},
                      d.num_layers > 0 ? when_feasible(d.max_layers_per_device) : Cell{},
                      when_feasible(d.free_bytes_per_device), when_feasible(d.min_free_bytes_per_device),
                      d.context_tokens, d.kv_bytes_per_sequence, opt(d.kv_transfer_seconds),
                      when_feasible(d.sequences_that_fit), d.concurrency, double(d.devices_for_concurrency),
                      double(d.systems_for_concurrency),
                      d.num_layers > 0 ? Cell{d.layers_per_device_at_concurrency} : Cell{}, d.kv_share_of_memory,
                      double(d.devices_by_capacity),
                      d.devices_by_uniform_layers > 0 ? Cell{double(d.devices_by_uniform_layers)} : Cell{},
                      std::string("capacity"), d.feasible ? std::string("ok") : "infeasible: " + d.infeasible_reason});
  }
  t.notes = {"min devices: weights only, no KV; on wafers cut on layer boundaries. KV transfer: one sequence's KV "
             "over all devices' off-chip links in parallel. devices for C: weights + C sequences' KV, by capacity "
             "(the public calculator's rule)."};
  return t;
}

Table tco_table(const std::vector<Tco>& results) {
  Table t;
  t.title = "Total cost of ownership";
  t.columns = {text("system", "system"), col("capex_usd", "capex USD", 1, 0), col("wacc", "WACC", 1, 4),
               col("capital_cost_per_month_usd", "capital USD/month", 1, 0),
               col("capital_cost_per_hour_usd", "capital USD/h", 1, 2),
               col("electricity_usd_per_kw_month", "electricity USD/kW-month", 1, 1),
               col("total_usd_per_kw_month", "power+colo USD/kW-month", 1, 1),
               col("power_and_colocation_per_month_usd", "power+colo USD/month", 1, 0),
               col("operating_cost_per_month_usd", "operating USD/month", 1, 0),
               col("operating_cost_per_hour_usd", "operating USD/h", 1, 2), col("tco_per_hour_usd", "TCO USD/h", 1, 2),
               col("capital_share_of_tco", "capital share", 1, 3), text("compute_class", "PFLOP basis"),
               col("system_flops_per_s", "PFLOPS", 1e15, 3),
               col("upfront_per_pflop_internal_usd", "upfront USD/PFLOP (internal)", 1, 0),
               col("upfront_per_tb_per_s_internal_usd", "upfront USD/(TB/s) (internal)", 1, 1),
               col("tco_per_pflop_hour_internal_usd", "USD/PFLOP-h (internal)", 1, 2),
               col("external_price_usd", "external price USD", 1, 0), col("rental_per_hour_usd", "rental USD/h", 1, 2),
               col("upfront_per_pflop_external_usd", "upfront USD/PFLOP (external)", 1, 0),
               col("upfront_per_tb_per_s_external_usd", "upfront USD/(TB/s) (external)", 1, 1),
               col("tco_per_pflop_hour_external_usd", "USD/PFLOP-h (external)", 1, 2)};
  for (const auto& r : results) {
    t.rows.push_back({r.system, r.capex_usd, r.wacc, r.capital_cost_per_month_usd, r.capital_cost_per_hour_usd,
                      r.electricity_usd_per_kw_month, r.total_usd_per_kw_month, r.power_and_colocation_per_month_usd,
                      r.operating_cost_per_month_usd, r.operating_cost_per_hour_usd, r.tco_per_hour_usd,
                      r.capital_share_of_tco, r.compute_class, r.system_flops_per_s, r.upfront_per_pflop_internal_usd,
                      r.upfront_per_tb_per_s_internal_usd, r.tco_per_pflop_hour_internal_usd, opt(r.external_price_usd),
                      opt(r.rental_per_hour_usd), opt(r.upfront_per_pflop_external_usd),
                      opt(r.upfront_per_tb_per_s_external_usd), opt(r.tco_per_pflop_hour_external_usd)});
  }
  t.notes = {"Internal = the owner's cost (capex annuity at WACC + operating). External = a renter: sale price "
             "for upfront ratios, rental rate for hourly ones."};
  return t;
}


Table perf_table(const std::vector<PerfResult>& results) {
  Table t;
  t.title = "Performance";
  t.columns = {text("model", "model"), text("hardware", "hardware"), text("device_class", "class"),
               col("devices", "devices", 1, 0, true), col("tp", "TP", 1, 0, true), col("pp", "PP", 1, 0, true),
               col("ep", "EP", 1, 0, true), col("concurrency", "concurrency", 1, 0, true), col("isl", "ISL", 1, 0, true),
               col("osl", "OSL", 1, 0, true), col("ttft_s", "TTFT ms", 1e-3, 1), col("tpot_s", "TPOT ms", 1e-3, 3),
               text("serving_stack", "stack"), col("tokens_per_s_per_user", "tok/s/user", 1, 1),
               col("tokens_per_s_per_user_without_speculation", "tok/s/user without spec", 1, 1),
               col("output_tokens_per_s", "output tok/s", 1, 0),
               col("output_tokens_per_s_per_device", "output tok/s/device", 1, 1),
               col("total_tokens_per_s_per_device", "total tok/s/device", 1, 1), text("bound", "bound"),
               col("decode_step_s", "decode step ms", 1e-3, 3), col("prefill_s", "prefill ms", 1e-3, 1),
               col("queue_s", "queue ms", 1e-3, 1), col("microbatches", "microbatches", 1, 0, true),
               col("spec_tokens_per_iteration", "spec tokens/iter", 1, 2), col("weight_bytes", "weights GB", 1e9, 1),
               col("kv_bytes", "KV GB", 1e9, 1), col("memory_capacity_bytes", "usable memory GB", 1e9, 1),
               col("prefix_cached_tokens", "cached input tokens", 1, 0, true)};
  for (const auto& r : results)
    t.rows.push_back({r.model, r.hardware, r.device_class, double(r.devices), double(r.parallel.tp),
                      double(r.parallel.pp), double(r.parallel.ep), r.concurrency, r.isl, r.osl, r.ttft_s, r.tpot_s,
                      r.serving_stack, r.tokens_per_s_per_user, r.tokens_per_s_per_user_without_speculation,
                      r.output_tokens_per_s, r.output_tokens_per_s_per_device,
                      r.total_tokens_per_s_per_device, r.bound, r.decode_step_s, r.prefill_s, r.queue_s,
                      double(r.microbatches), r.spec_tokens_per_iteration, r.weight_bytes, r.kv_bytes,
                      r.memory_capacity_bytes, r.prefix_cached_tokens});
  t.notes = {"TPOT includes the decode time lost to other requests' prefills; bound = the kind of term that adds up "
             "to the most time in one decode step (see --explain). Cached input tokens are not prefilled (a "
             "workload's cache-read share); their KV is taken as on the device (its fetch from a host tier is in "
             "`cost` and `offload`)."};
  return t;
}

Table explain_table(const PerfResult& result, bool detailed) {
  Table t;
  t.title = "One decode step: terms on the critical path";
  t.columns = {text("term", "term"), text("bound", "bound"), col("seconds", "us", 1e-6, 2), col("share", "share", 0.01, 1)};
  const double total = result.critical_path.seconds;
  if (detailed) {
    for (const auto& term : result.critical_path.terms)
      t.rows.push_back({term.name, term.bound, term.seconds, term.seconds / total});
    return t;
  }
  // Group "layer N phase" terms by stage and phase name.
  std::vector<std::pair<std::string, std::pair<std::string, double>>> grouped;
  for (const auto& term : result.critical_path.terms) {
    std::string name = term.name;
    const auto layer = name.find("layer ");
    if (layer != std::string::npos) {
      const auto after = name.find(' ', layer + 6);
      name = name.substr(0, layer) + "layers *" + (after == std::string::npos ? "" : name.substr(after));
    }
    auto it = std::find_if(grouped.begin(), grouped.end(), [&](const auto& g) {
      return g.first == name && g.second.first == term.bound;
    });
    if (it == grouped.end()) grouped.push_back({name, {term.bound, term.seconds}});
    else it->second.second += term.seconds;
  }
  for (const auto& [name, value] : grouped) t.rows.push_back({name, value.first, value.second, value.second / total});
  t.notes = {fmt::format("decode step {:.3f} ms for {} microbatch(es); per-layer terms summed over the layers of each stage",
                         total * 1e3, result.microbatches)};
  return t;
}

Table bound_totals_table(const PerfResult& result) {
  Table t;
  t.title = "Decode step by bound";
  t.columns = {text("bound", "bound"), col("seconds", "us", 1e-6, 2), col("share", "share", 0.01, 1)};
  const double total = result.critical_path.seconds;
  for (const auto& [name, seconds] : result.critical_path.seconds_by_bound())
    t.rows.push_back({name, seconds, seconds / total});
  t.notes = {"limiting bound: " + result.bound};
  return t;
}


Table feasibility_grid_table(const FeasibilityGrid& grid) {
  Table t;
  t.title = "Systems needed: model size x average input length";
  t.columns = {col("params", "params B", 1e9, 0), col("input_tokens", "input tokens", 1, 0),
               col("kv_bytes_per_token", "KV B/token", 1, 0, true), col("systems", "systems", 1, 0, true)};
  for (std::size_t i = 0; i < grid.params.size(); ++i)
    for (std::size_t j = 0; j < grid.input_tokens.size(); ++j)
      t.rows.push_back({grid.params[i], grid.input_tokens[j], family_kv_bytes_per_token(grid.params[i], 2.0),
                        grid.systems[i][j]});
  t.notes = {"Model sizes follow a dense GQA family (see placement/feasibility.h); kv_bytes_per_token at bf16."};
  return t;
}

Table feasibility_points_table(const std::vector<FeasibilityPoint>& points) {
  Table t;
  t.title = "Catalog models at their maximum context";
  t.columns = {text("model", "model"), col("params", "params B", 1e9, 1), col("input_tokens", "context", 1, 0, true),
               col("systems", "systems", 1, 0, true)};
  for (const auto& p : points) t.rows.push_back({p.model, p.params, p.input_tokens, p.systems});
  return t;
}

std::vector<FeasibilityPoint> feasibility_points(const Catalog& catalog, const Hardware& hardware, double concurrency,
                                                 const std::string& weight_dtype, const std::string& kv_dtype,
                                                 bool honor_windows) {
  std::vector<FeasibilityPoint> points;
  const Precision& kv = catalog.precisions.get(kv_dtype, "kv_dtype");
  for (const auto& entry : catalog.models) {
    const ModelSpec m = catalog.model(entry.name);
    if (!(m.max_context_tokens > 0)) continue;
    const double weights = weight_bytes(m, weight_format(m, weight_dtype, catalog.precisions, "weight_dtype"));
    const double kv_bytes = kv_bytes_for_context(m, kv, m.max_context_tokens, honor_windows);
    points.push_back(FeasibilityPoint{m.name, param_counts(m).total, m.max_context_tokens,
                                      systems_needed(weights, kv_bytes, concurrency, hardware)});
  }
  return points;
}

Table precisions_table(const Catalog& catalog) {
  Table t;
  t.title = "Precisions";
  t.columns = {Column{"name", "name"}, Column{"bits_per_element", "bits", 1, 0}, Column{"block_elements", "block", 1, 0},
               Column{"scale_bits", "scale bits", 1, 0}, Column{"bytes_per_element", "bytes/element", 1, 4},
               Column{"compute_class", "runs on"}, Column{"source", "source"}};
  for (const auto& [name, p] : catalog.precisions.by_name)
    t.rows.push_back({p.name, p.bits_per_element, p.block_elements, p.scale_bits, p.bytes_per_element(), p.compute_class, p.source});
  return t;
}

Table workloads_table(const Catalog& catalog) {
  Table t;
  t.title = "Workloads";
  t.columns = {Column{"name", "name"}, Column{"display_name", "workload"},
               Column{"mean_input_tokens", "mean ISL", 1, 0}, Column{"median_input_tokens", "median ISL", 1, 0},
               Column{"mean_output_tokens", "mean OSL", 1, 0}, Column{"median_output_tokens", "median OSL", 1, 0},
               Column{"cache_read_share", "cache read", 0.01, 2}, Column{"cache_write_share", "cache write", 0.01, 2},
               Column{"fresh_input_share", "fresh input", 0.01, 2}, Column{"output_share", "output", 0.01, 2},
               Column{"mix_source", "mix from"}};
  for (const auto& name : catalog.workload_names()) {
    const Workload w = catalog.workload(name);
    t.rows.push_back({w.name, w.display_name, w.input_tokens.mean(), w.input_tokens.median(), w.output_tokens.mean(),
                      w.output_tokens.median(), w.mix.cache_read, w.mix.cache_write, w.mix.fresh_input, w.mix.output,
                      w.mix_source});
  }
  t.notes = {"token shares are by count, in percent in human formats"};
  return t;
}

}  // namespace ws
