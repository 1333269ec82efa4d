#include "econ/roadmap.h"

#include <cmath>
#include <fmt/format.h>
#include <limits>

#include "core/error.h"
#include "econ/tco.h"
#include "perf/work.h"
#include "placement/deploy.h"

namespace ws {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

RoadmapRow design_row(const PerfEngine& engine, const Catalog& catalog, const ModelSpec& model, const ChipDesign& design,
                      const RoadmapRequest& request, std::optional<PerfResult>& result) {
  const Hardware hardware = catalog.hardware(design.system, "preset");
  const Chip& chip = hardware.chip;
  RoadmapRow row;
  row.preset = design.name;
  row.display_name = design.display_name;
  row.hardware = hardware.system.name;
  row.node = design.node;
  row.derived = !design.scaled_from.empty();
  row.sram_bytes = chip.main_memory.capacity_bytes;
  row.bonded_memory_bytes = chip.bonded_memory ? chip.bonded_memory->capacity_bytes : 0.0;
  row.sram_bandwidth_bytes_per_s = chip.main_memory.bandwidth_bytes_per_s;
  row.dense_flops_per_s = chip.flops_per_s("fp16").value_or(chip.flops_per_s("fp8").value_or(kNaN));
  row.io_bytes_per_s = chip.scale_out_bytes_per_s.value_or(0) + chip.scale_up_bytes_per_s.value_or(0);
  row.systems = row.tokens_per_s_per_user = row.output_tokens_per_s = row.usd_per_mtok = kNaN;
  try {
    result = engine.run(model, hardware, request.perf);
  } catch (const InfeasibleError& e) {
    row.note = e.what();
    return row;
  }
  row.systems = result->systems;
  row.tokens_per_s_per_user = result->tokens_per_s_per_user;
  row.output_tokens_per_s = result->output_tokens_per_s;
  row.bound = result->bound;
  const SystemEconomics* economics = nullptr;
  for (const auto& e : catalog.economics)
    if (e.system_name == hardware.system.name) economics = &e;
  if (!economics) {
    row.note = "no TCO inputs for " + hardware.system.name + " (economics.toml, or tco_inputs_from in roadmap.toml)";
    return row;
  }
  const double usd_per_hour = compute_tco(*economics, hardware).tco_per_hour_usd * result->systems;
  row.usd_per_mtok = usd_per_hour / (result->output_tokens_per_s * 3600.0) * 1e6;
  return row;
}

}  // namespace

TensorVsPipeline tensor_vs_pipeline(int wafers, int layers, double in_wafer_s, double hop_latency_s,
                                    double activation_bytes, double io_bytes_per_s) {
  TensorVsPipeline t;
  t.wafers = wafers;
  t.layers = layers;
  t.in_wafer_s = in_wafer_s;
  t.hop_latency_s = hop_latency_s;
  t.activation_bytes = activation_bytes;
  t.io_bytes_per_s = io_bytes_per_s;
  const double n = wafers, l = layers, a = activation_bytes, h = hop_latency_s, b = io_bytes_per_s;
  t.pipeline_token_s = in_wafer_s + (n - 1) * (h + a / b);
  t.tensor_token_s = in_wafer_s / n + 2 * l * 2 * (n - 1) * (h + a / (n * b));
  if (wafers <= 1) {
    t.crossover_bytes_per_s = t.max_hop_latency_for_tp_s = kNaN;
    t.verdict = "fits one wafer: nothing to split across wafers";
    return t;
  }
  t.max_hop_latency_for_tp_s = in_wafer_s * (1 - 1 / n) / ((n - 1) * (4 * l - 1));
  const double room = in_wafer_s * (1 - 1 / n) + (n - 1) * h * (1 - 4 * l);
  const double per_inverse_bandwidth = a * (n - 1) * (4 * l / n - 1);
  if (room <= 0) {
    t.crossover_bytes_per_s = kNaN;
    t.verdict = fmt::format("pipelining at any bandwidth: {} all-reduce steps per token at {:.1f} us per hop cost more "
                            "than TP saves; TP needs hops under {:.3f} us", 4 * layers * (wafers - 1), h * 1e6,
                            t.max_hop_latency_for_tp_s * 1e6);
  } else if (per_inverse_bandwidth <= 0) {
    t.crossover_bytes_per_s = 0;
    t.verdict = "tensor parallelism at any bandwidth";
  } else {
    t.crossover_bytes_per_s = per_inverse_bandwidth / room;
    t.verdict = fmt::format("tensor parallelism above {:.3g} GB/s off the wafer ({})", t.crossover_bytes_per_s / 1e9,
                            b > t.crossover_bytes_per_s ? "this design has it" : "this design is below it");
  }
  return t;
}

std::vector<const ChipDesign*> roadmap_designs(const Catalog& catalog, const RoadmapRequest& request) {
  std::vector<const ChipDesign*> designs;
  if (request.presets.empty())
    for (const auto& d : catalog.roadmap.designs) designs.push_back(&d);
  else
    for (const auto& name : request.presets) designs.push_back(&catalog.roadmap.design(name));
  if (designs.empty()) throw InputError("preset", "the catalog has no roadmap.toml designs");
  return designs;
}

RoadmapResult run_roadmap_design(const PerfEngine& engine, const Catalog& catalog, const ModelSpec& model,
                                 const RoadmapRequest& request, const ChipDesign& design) {
  const double hop_latency_s = catalog.constants_for("wafer").get("wafer_hop_latency_s");
  const StepWork work = decode_work(model, request.perf.weights, request.perf.kv, 1, request.perf.isl, true);
  const double activation_bytes = work.hidden_size * work.activation_bytes_per_element;

  RoadmapResult out;
  std::optional<PerfResult> result;
  out.rows.push_back(design_row(engine, catalog, model, design, request, result));
  out.assumptions.push_back(design.name + ": " + design.source);
  for (const auto& [key, source] : design.figure_sources) out.assumptions.push_back(design.name + "." + key + ": " + source);
  const Hardware hardware = catalog.hardware(design.system, "preset");
  if (hardware.chip.device_class != "wafer") return out;
  if (result) {
    // The in-wafer time: one token through every stage, less the wafer-to-wafer hops.
    const double b = hardware.chip.scale_out_bytes_per_s.value_or(0);
    const int n = result->devices;
    const double in_wafer = result->decode_latency_s - (n - 1) * (hop_latency_s + activation_bytes / b);
    TensorVsPipeline t = tensor_vs_pipeline(n, model.num_decoder_layers(), in_wafer, hop_latency_s, activation_bytes, b);
    t.preset = design.name;
    out.tensor_vs_pipeline.push_back(t);
  }
  for (double context : request.feasibility_contexts) {
    DeployRequest deploy_request;
    deploy_request.context_tokens = context;
    deploy_request.concurrency = request.feasibility_concurrency;
    deploy_request.weights = request.perf.weights;
    deploy_request.kv = request.perf.kv;
    deploy_request.honor_windows = request.perf.honor_windows;
    const Deployment d = deploy(model, hardware, deploy_request);
    out.feasibility.push_back(FeasibilityShift{design.name, context, request.feasibility_concurrency,
                                               d.systems_for_concurrency, d.kv_share_of_memory});
  }
  return out;
}

void append(RoadmapResult& into, const RoadmapResult& part) {
  into.rows.insert(into.rows.end(), part.rows.begin(), part.rows.end());
  into.tensor_vs_pipeline.insert(into.tensor_vs_pipeline.end(), part.tensor_vs_pipeline.begin(), part.tensor_vs_pipeline.end());
  into.feasibility.insert(into.feasibility.end(), part.feasibility.begin(), part.feasibility.end());
  into.assumptions.insert(into.assumptions.end(), part.assumptions.begin(), part.assumptions.end());
}

RoadmapResult run_roadmap(const PerfEngine& engine, const Catalog& catalog, const ModelSpec& model,
                          const RoadmapRequest& request) {
  RoadmapResult out;
  for (const ChipDesign* design : roadmap_designs(catalog, request))
    append(out, run_roadmap_design(engine, catalog, model, request, *design));
  return out;
}

}  // namespace ws
