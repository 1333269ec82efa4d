#include "report/report.h"

#include <fmt/format.h>

#include <filesystem>

#include "core/error.h"
#include "frontier/frontier.h"
#include "perf/calibration.h"
#include "econ/token_cost.h"
#include "econ/disaggregation_cost.h"
#include "perf/disaggregation.h"
#include "placement/deploy.h"
#include "placement/kv_offload.h"
#include "fabric/layout.h"
#include "fabric/yield.h"
#include "perf/wafer_device.h"
#include "report/wafer_plot.h"
#include "report/plots.h"
#include "report/reproduction.h"
#include "report/tables.h"

namespace ws {
namespace fs = std::filesystem;

namespace {

// The source's headline comparison: gpt-oss-120b (the Codex-Spark architecture) on a CS-3 pipeline against
// the GPU systems, InferenceX-style.
std::string write_frontiers(const Catalog& catalog, const std::string& out_dir, std::string& summary) {
  const PerfEngine engine(catalog);
  const ModelSpec model = catalog.model("gpt-oss-120b");
  std::vector<Hardware> hardware;
  for (const char* name : {"cs-3", "dgx-b300", "gb300-nvl72", "dgx-h100"}) hardware.push_back(catalog.hardware(name));
  std::string index = "## Throughput vs interactivity\n\n";
  index += "gpt-oss-120b on CS-3 wafers and GPU systems: each curve is the Pareto frontier over concurrency and "
           "parallelism (`waferscope frontier --model gpt-oss-120b --hardware cs-3,dgx-b300,gb300-nvl72,dgx-h100 "
           "--isl I --osl O --normalize N --plot FILE`).\n\n";
  for (auto [isl, osl] : {std::pair{1024.0, 1024.0}, {8192.0, 1024.0}}) {
    for (Normalizer normalize : {Normalizer::device, Normalizer::usd_hour}) {
      FrontierRequest request;
      request.isl = isl;
      request.osl = osl;
      request.normalize = normalize;
      const auto points = sweep_all(engine, {model}, hardware, request);
      const std::string base = fmt::format("frontier_gpt-oss-120b_{:.0f}_{:.0f}_{}", isl, osl, to_string(normalize));
      write_text_file(out_dir, base + ".csv", render(frontier_table(points, normalize, true), Format::csv));
      plot_frontier(points, normalize, fmt::format("gpt-oss-120b, ISL {:.0f} / OSL {:.0f}", isl, osl),
                    (fs::path(out_dir) / (base + ".png")).string());
      index += fmt::format("### ISL {:.0f} / OSL {:.0f}, {}\n\n![{}]({}.png)\n\n[csv]({}.csv)\n\n", isl, osl,
                           normalizer_unit(normalize), base, base, base);
    }
  }
  summary += "Wrote the gpt-oss-120b frontiers (1k/1k and 8k/1k, per device and per USD/hour) as PNG + CSV\n";
  return index;
}

std::string write_validation(const Catalog& catalog, const std::string& out_dir, std::string& summary) {
  const auto rows = validate(catalog, load_measurements(catalog));
  const auto errors = summarize(rows);
  write_text_file(out_dir, "validation.md", render(validation_table(rows), Format::md));
  write_text_file(out_dir, "validation.csv", render(validation_table(rows), Format::csv));
  const Table summary_table = validation_summary_table(errors);
  write_text_file(out_dir, "validation_summary.csv", render(summary_table, Format::csv));
  summary += "Performance model vs measurements (waferscope validate):\n" + render(summary_table, Format::table);
  const Table groups = group_error_table(group_errors(catalog, rows));
  write_text_file(out_dir, "validation_groups.csv", render(groups, Format::csv));
  plot_parity(rows, "Predicted vs measured, every measurement in catalog/measurements/",
              (fs::path(out_dir) / "validation_parity.png").string());
  std::string index = "## Performance model vs measurements\n\n";
  index += "Per group (model x hardware x serving stack), with the leave-one-group-out cross-validated error: what to "
           "expect on a configuration the fit never saw.\n\n";
  index += render(groups, Format::md) + "\n![predicted vs measured](validation_parity.png)\n\nBy device class:\n\n";
  index += render(summary_table, Format::md) + "\n";
  for (const auto& c : catalog.device_constants)
    index += fmt::format("- `{}`: fitted on {}; residuals: {}\n", c.device_class, c.fitted_on, c.residuals);
  index += "\nEvery row: [validation.md](validation.md) ([csv](validation.csv)).\n\n";
  return index;
}

// Issue 4: the source's serving questions priced from the physical model.
std::string write_tokenomics(const Catalog& catalog, const std::string& out_dir, std::string& summary) {
  const PerfEngine engine(catalog);
  const ModelSpec model = catalog.model("gpt-oss-120b");
  const Hardware cs3 = catalog.hardware("cs-3");
  const PriceList& prices = catalog.price_list("openai-gpt-5.2");
  std::string index = "## Tokenomics and serving questions\n\n";

  // Workload mix.
  std::vector<Workload> workloads;
  for (const auto& name : catalog.workload_names()) workloads.push_back(catalog.workload(name));
  plot_workload_mix(workloads, prices, (fs::path(out_dir) / "workload_mix.png").string());
  Table mix;
  mix.title = "Workload token mix";
  mix.columns = {Column{"workload", "workload"}, Column{"mean_input_tokens", "mean ISL", 1, 0},
                 Column{"mean_output_tokens", "mean OSL", 1, 0}, Column{"cache_read", "cache read", 1, 4},
                 Column{"cache_write", "cache write", 1, 4}, Column{"fresh_input", "fresh input", 1, 4},
                 Column{"output", "output", 1, 4}, Column{"revenue_usd_per_mtok", "list price USD/Mtok", 1, 3},
                 Column{"mix_source", "mix from"}};
  for (const auto& w : workloads)
    mix.rows.push_back({w.name, w.mean_input_tokens(), w.mean_output_tokens(), w.mix.cache_read, w.mix.cache_write,
                        w.mix.fresh_input, w.mix.output, prices.blended_usd_per_mtok(w.mix), w.mix_source});
  write_text_file(out_dir, "workload_mix.csv", render(mix, Format::csv));
  index += "### Workload mix\n\n![workload mix](workload_mix.png)\n\n" + render(mix, Format::md) + "\n";

  // Cost of the agentic workload on CS-3 at the rental price: physical vs the calculator's rule, same inputs.
  CostRequest cost;
  cost.workload = catalog.workload("agentic-coding");
  cost.price_list = prices;
  cost.price = system_price(catalog, cs3, "rental");
  cost.perf.concurrency = load_calculator_constants(catalog).default_concurrency;
  cost.perf.weights = checkpoint_weight_format(model, catalog.precisions);
  cost.perf.kv = catalog.precisions.get("bf16", "report");
  cost.isl_override = 96300;
  std::vector<CostResult> costs;
  for (CostRule rule : {CostRule::physical, CostRule::calculator}) {
    cost.rule = rule;
    costs.push_back(token_cost(engine, model, cs3, cost));
  }
  const Table cost_rows = cost_table(costs);
  write_text_file(out_dir, "cost_agentic_cs3.csv", render(cost_rows, Format::csv));
  const CostResult& physical = costs[0];
  const CostResult& calculator = costs[1];
  const TokenMix& m = cost.workload.mix;
  index += "### Cost of the agentic workload on CS-3 (gpt-oss-120b, rental 41.96 USD/h, 250 concurrent, 96.3k average input)\n\n";
  index += render(cost_rows, Format::md) + "\n";
  index += fmt::format(
      "The source quotes 0.19 USD/Mtok to serve and 0.30 revenue (35% margin). The calculator's rule on the same "
      "inputs gives {:.3f} USD/Mtok on {:.0f} systems (margin {:.0f}%): it reproduces the source when non-output "
      "tokens run at 5x the decode rate. The physical model gives {:.3f} USD/Mtok on {:.0f} wafers. Term by term "
      "(USD per blended Mtok = share x USD/Mtok of the type):\n\n"
      "| token type | share | calculator | physical | why they differ |\n| --- | ---: | ---: | ---: | --- |\n"
      "| cache read | {:.4f} | {:.4f} | {:.4f} | the calculator runs a cached token at 5x decode speed; physically it is its KV "
      "fetched from the KVSS tier over 150 GB/s per wafer |\n"
      "| cache write | {:.4f} | {:.4f} | {:.4f} | prefill pipelined across the wafers, attending to the cached prefix |\n"
      "| fresh input | {:.4f} | {:.4f} | {:.4f} | as cache writes |\n"
      "| output | {:.4f} | {:.4f} | {:.4f} | decode at the engine's speed for 250 sequences vs the power-law {:.0f} tok/s |\n"
      "| blended | 1 | {:.4f} | {:.4f} | |\n\n",
      calculator.usd_per_mtok, calculator.systems, 100 * calculator.gross_margin, physical.usd_per_mtok, physical.systems,
      m.cache_read, m.cache_read * calculator.cache_read.usd_per_mtok, m.cache_read * physical.cache_read.usd_per_mtok,
      m.cache_write, m.cache_write * calculator.cache_write.usd_per_mtok, m.cache_write * physical.cache_write.usd_per_mtok,
      m.fresh_input, m.fresh_input * calculator.fresh_input.usd_per_mtok, m.fresh_input * physical.fresh_input.usd_per_mtok,
      m.output, m.output * calculator.output.usd_per_mtok, m.output * physical.output.usd_per_mtok,
      calculator.tokens_per_s_per_user, calculator.usd_per_mtok, physical.usd_per_mtok);
  summary += fmt::format("Agentic gpt-oss-120b on CS-3 at 41.96 USD/h: calculator rule {:.3f} USD/Mtok ({:.0f} systems), "
                         "physical {:.3f} USD/Mtok (source: 0.19)\n",
                         calculator.usd_per_mtok, calculator.systems, physical.usd_per_mtok);

  // Cost frontier.
  {
    std::vector<Hardware> hardware;
    for (const char* name : {"cs-3", "dgx-b300", "gb300-nvl72", "dgx-h100"}) hardware.push_back(catalog.hardware(name));
    FrontierRequest request;
    request.normalize = Normalizer::usd_per_mtok;
    const auto points = sweep_all(engine, {model}, hardware, request);
    write_text_file(out_dir, "cost_frontier_gpt-oss-120b_1024_1024.csv",
                    render(frontier_table(points, request.normalize, true), Format::csv));
    plot_frontier(points, request.normalize, "gpt-oss-120b, ISL 1024 / OSL 1024: cost at TCO",
                  (fs::path(out_dir) / "cost_frontier_gpt-oss-120b_1024_1024.png").string());
    index += "### Cost per million output tokens vs interactivity (1k/1k, at TCO)\n\n"
             "![cost frontier](cost_frontier_gpt-oss-120b_1024_1024.png)\n\n[csv](cost_frontier_gpt-oss-120b_1024_1024.csv)\n\n";
  }

  // Feasibility.
  {
    const auto points = feasibility_points(catalog, cs3, 1, "fp8", "bf16", false);
    double smallest = 125e9;
    for (const auto& p : points) smallest = std::min(smallest, 0.8 * p.params);
    const FeasibilityGrid grid = feasibility_grid(cs3, 1, 1.0, 2.0, 41, smallest);
    write_text_file(out_dir, "feasibility_cs3.csv", render(feasibility_grid_table(grid), Format::csv));
    write_text_file(out_dir, "feasibility_cs3_models.csv", render(feasibility_points_table(points), Format::csv));
    plot_feasibility(grid, points, "CS-3 systems for one copy: fp8 weights, bf16 KV, 1 request at its context",
                     (fs::path(out_dir) / "feasibility_cs3.png").string());
    index += "### Feasibility: CS-3 systems over model size and input length\n\n![feasibility](feasibility_cs3.png)\n\n"
             "[grid csv](feasibility_cs3.csv), [models csv](feasibility_cs3_models.csv) "
             "(`waferscope feasibility --hardware cs-3 --plot FILE`)\n\n";
  }

  // Disaggregation: prefill on GPUs, decode on wafers.
  {
    std::string tables;
    std::string csv;
    std::vector<DisaggBar> bars;
    for (const char* prefill : {"dgx-b300", "gb300-nvl72"}) {
      const Hardware prefill_hw = catalog.hardware(prefill);
      for (const char* workload : {"agentic-coding", "8k-1k", "1k-8k"}) {
        DisaggRequest d;
        d.workload = catalog.workload(workload);
        d.prefill.weights = d.decode.weights = checkpoint_weight_format(model, catalog.precisions);
        d.prefill.kv = d.decode.kv = catalog.precisions.get("bf16", "report");
        d.decode.concurrency = 64;
        const SystemPrice prefill_price = system_price(catalog, prefill_hw, "tco");
        const SystemPrice decode_price = system_price(catalog, cs3, "tco");
        const auto rows = price_disaggregation(compare_disaggregation(engine, model, prefill_hw, cs3, d), prefill_price,
                                               decode_price);
        if (std::string(prefill) == "dgx-b300")
          bars.push_back(DisaggBar{workload, rows[0].cost.usd_per_mtok, rows[1].cost.usd_per_mtok, rows[2].cost.usd_per_mtok});
        Table t = disaggregation_table(rows);
        t.title = fmt::format("{}: prefill on {}, decode on CS-3 (64 concurrent)", workload, prefill);
        t.notes.push_back(five_x_note(rows));
        tables += render(t, Format::md) + "\n";
        csv += render(t, Format::csv);
      }
    }
    write_text_file(out_dir, "disaggregation.md", tables);
    write_text_file(out_dir, "disaggregation.csv", csv);
    plot_disaggregation(bars, "dgx-b300", "cs-3", (fs::path(out_dir) / "disaggregation.png").string());
    index += "### Disaggregated prefill (GPUs) and decode (wafers)\n\n![disaggregation](disaggregation.png)\n\n"
             "[csv](disaggregation.csv)\n\n" + tables;
  }

  // KV offload.
  {
    DeployRequest d;
    d.weights = checkpoint_weight_format(model, catalog.precisions);
    d.kv = catalog.precisions.get("bf16", "report");
    const double kv = kv_bytes_for_context(model, d.kv, 96300, true);
    const KvOffload o = kv_offload(model, cs3, 2, weight_bytes(model, d.weights), kv, 96300);
    PerfRequest p;
    p.weights = d.weights;
    p.kv = d.kv;
    p.isl = 96300 + 2000;
    p.osl = 1;
    p.prefix_cached_tokens = 96300;
    p.devices = 2;
    p.record_terms = false;
    const PerfResult r = engine.run(model, cs3, p);
    const Table t = kv_offload_table(o, r.prefill_s, o.reload_seconds + r.prefill_s + r.decode_step_s);
    write_text_file(out_dir, "kv_offload.csv", render(t, Format::csv));
    index += "### KV offload to the KVSS node\n\n" + render(t, Format::md) + "\n";
  }
  summary += "Wrote the workload mix, cost comparison, cost frontier, feasibility diagram, disaggregation and KV offload\n";
  return index;
}

// The wafer from its cores up: the analytic class against the mesh simulator, WaferLLM's grid curve, the yield
// of a wafer with spares at the published defect density, and a deployment drawn on the wafer.
std::string write_wafer(const Catalog& catalog, const std::string& out_dir, std::string& summary) {
  std::string index = "## The wafer from its cores up\n\n### Analytic wafer model vs the mesh simulator (one decode layer, 4k context)\n\n";
  Table agree;
  agree.columns = {Column{"chip", "chip"}, Column{"model", "model"}, Column{"region", "region"},
                   Column{"simulated_us", "simulated us", 1e-6, 2}, Column{"analytic_us", "analytic us", 1e-6, 2},
                   Column{"error", "error %", 0.01, 1}};
  struct Case {
    const char* chip;
    const char* model;
    int rows, cols;
  };
  for (const Case& c : std::vector<Case>{{"wse-2", "llama-3.1-8b", 128, 128}, {"wse-2", "llama-3.1-8b", 420, 420},
                                         {"wse-2", "llama-3.1-8b", 757, 996}, {"wse-3", "llama-3.1-8b", 762, 1172},
                                         {"wse-3", "llama-3.1-70b", 762, 1172}, {"wse-3", "qwen3-235b-a22b", 762, 1172}}) {
    const Hardware h = catalog.hardware(c.chip);
    const ModelSpec m = catalog.model(c.model);
    const LayerAgreement a = compare_layer_with_fabric(catalog.constants_for("wafer"), h, m,
                                                       weight_format(m, "bf16", catalog.precisions, "report"),
                                                       catalog.precisions.get("bf16", "report"), c.rows, c.cols, 4096);
    agree.rows.push_back({std::string(c.chip), std::string(c.model), fmt::format("{}x{}", c.rows, c.cols), a.simulated_s,
                          a.analytic_s, a.error()});
  }
  index += render(agree, Format::md) + "\n";
  write_text_file(out_dir, "wafer_fabric_vs_analytic.csv", render(agree, Format::csv));

  // WaferLLM's curve: LLaMA3-8B decode on square WSE-2 grids, predicted on many, measured on three.
  const PerfEngine engine(catalog);
  const ModelSpec llama = catalog.model("llama-3.1-8b");
  Table curve;
  curve.columns = {Column{"grid", "grid"}, Column{"predicted", "predicted tok/s", 1, 0}, Column{"measured", "measured tok/s", 1, 0}};
  for (int side = 300; side <= 750; side += 30) {
    PerfRequest r;
    r.weights = weight_format(llama, "bf16", catalog.precisions, "report");
    r.kv = catalog.precisions.get("bf16", "report");
    r.isl = 4096;
    r.osl = 1;
    r.serving_stack = "waferllm";
    r.grid_rows = r.grid_cols = side;
    const double predicted = engine.run(llama, catalog.hardware("wse-2"), r).tokens_per_s_per_user;
    Cell measured = std::monostate{};
    for (const auto& m : catalog.waferllm_measurements)
      if (m.kind == "decode" && m.grid_rows == side) measured = m.tokens_per_s;
    curve.rows.push_back({fmt::format("{}x{}", side, side), predicted, measured});
  }
  index += "### WaferLLM's grid curve (LLaMA3-8B decode on WSE-2, stack waferllm)\n\n" + render(curve, Format::md) + "\n";
  write_text_file(out_dir, "wafer_waferllm_curve.csv", render(curve, Format::csv));

  // Yield of the WSE-3 at the catalog's defect density: the whole wafer with its spare columns, one die, and a
  // conventional die of an H100's size with no spares.
  const Chip& wse3 = catalog.chip("wse-3");
  const WaferFabric& f = *wse3.fabric;
  if (f.defect_density_per_mm2 && wse3.logic_area_mm2) {
    const double density = *f.defect_density_per_mm2;
    const double p = fabric::tile_dead_probability(density, fabric::tile_area_mm2(f, *wse3.logic_area_mm2));
    const fabric::RepairYield wafer = fabric::repair_yield(
        fabric::repair_block(f, fabric::Region{static_cast<int>(f.fabric_height_cores), static_cast<int>(f.fabric_width_cores)}), p);
    Table yield;
    yield.columns = {Column{"what", "what"}, Column{"defects", "expected defects", 1, 1}, Column{"yield", "yield %", 0.01, 2}};
    yield.rows.push_back({std::string("WSE-3 wafer, spare columns repairing every row"),
                          fabric::expected_defects(density, *wse3.logic_area_mm2), wafer.yield});
    yield.rows.push_back({std::string("WSE-3-sized die with no spares (Poisson)"),
                          fabric::expected_defects(density, *wse3.logic_area_mm2), fabric::poisson_yield(density, *wse3.logic_area_mm2)});
    const Chip& h100 = catalog.chip("h100");
    if (h100.die_area_mm2)
      yield.rows.push_back({std::string("H100 die, no spares (Poisson)"), fabric::expected_defects(density, *h100.die_area_mm2),
                            fabric::poisson_yield(density, *h100.die_area_mm2)});
    index += fmt::format("### Yield at {} defects per mm^2 (the catalog's assumed density)\n\n", density) +
             render(yield, Format::md) + "\n";
  }

  // A deployment on the wafer: gpt-oss-120b's stages as the engine splits them, the first wafer drawn.
  const ModelSpec gpt = catalog.model("gpt-oss-120b");
  PerfRequest r;
  r.weights = weight_format(gpt, "checkpoint", catalog.precisions, "report");
  r.kv = catalog.precisions.get("bf16", "report");
  const PerfResult placed = engine.run(gpt, catalog.hardware("cs-3"), r);
  const auto stages = split_layers(fabric::decoder_layer_weight_bytes(gpt, r.weights), input_embedding_bytes(gpt, r.weights),
                                   output_head_bytes(gpt, r.weights), placed.parallel.pp);
  fabric::LayoutRequest layout_request;
  layout_request.weights = r.weights;
  layout_request.kv = r.kv;
  const fabric::WaferLayout layout = fabric::lay_out(f, gpt, stages, layout_request);
  plot_wafer_layout(layout, 0, "gpt-oss-120b on CS-3: wafer 1 of " + std::to_string(placed.parallel.pp),
                    (fs::path(out_dir) / "wafer_deployment.png").string());
  index += "### A deployment on the wafer (gpt-oss-120b, first wafer; bands proportional to bytes)\n\n"
           "![deployment](wafer_deployment.png)\n\n";
  summary += "Wrote the wafer section (analytic vs simulator, WaferLLM curve, yield, a deployment)\n";
  return index;
}

}  // namespace

std::string write_report(const Catalog& catalog, const std::string& out_dir) {
  std::error_code error;
  fs::create_directories(out_dir, error);
  if (error) throw InputError("out", "cannot create folder '" + out_dir + "': " + error.message());
  const ReproductionReport reproduction = write_reproduction_report(catalog, out_dir);
  std::string summary = reproduction.summary;
  std::string index = "# waferscope report\n\n";
  index += reproduction.index_markdown + "\n";
  index += write_validation(catalog, out_dir, summary);
  index += write_frontiers(catalog, out_dir, summary);
  index += write_tokenomics(catalog, out_dir, summary);
  index += write_wafer(catalog, out_dir, summary);
  write_text_file(out_dir, "index.md", index);
  summary += fmt::format("Wrote everything under {}/ (open index.md)\n", out_dir);
  return summary;
}

}  // namespace ws
