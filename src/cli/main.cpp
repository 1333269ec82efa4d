// waferscope command line: a thin shell over the library. Every command builds its answer with the same
// table builders the report and the API use.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <iostream>
#include <optional>
#include <unistd.h>

#include "api/queries.h"
#include "api/server.h"
#include "catalog/catalog.h"
#include "core/error.h"
#include "report/report.h"
#include "report/reproduction.h"
#include "econ/token_cost.h"
#include "perf/disaggregation.h"
#include "placement/feasibility.h"
#include "placement/kv_offload.h"
#include "report/plots.h"
#include "report/reproduction.h"
#include "sim/simulator.h"
#include "frontier/frontier.h"
#include "perf/calibration.h"
#include "perf/engine.h"
#include "report/tables.h"

namespace {

using namespace ws;

struct Common {
  std::string catalog_dir;
  std::string format = "table";
};

void add_format(CLI::App* command, Common& common) {
  command->add_option("--format", common.format, "Output format: table, csv, json, md")->capture_default_str();
}

// Positive token counts such as 128000, 128k, 1m (decimal, as the field writes them).
double parse_tokens(const std::string& text, const std::string& flag) {
  std::string digits = to_lower(text);
  double scale = 1;
  if (!digits.empty() && digits.back() == 'k') { scale = 1e3; digits.pop_back(); }
  else if (!digits.empty() && digits.back() == 'm') { scale = 1e6; digits.pop_back(); }
  try {
    std::size_t used = 0;
    const double value = std::stod(digits, &used);
    if (used != digits.size() || !(value > 0) || !std::isfinite(value)) throw std::invalid_argument(text);
    return value * scale;
  } catch (const std::exception&) {
    throw InputError(flag, "expected a positive token count such as 128000, 128k or 1m; got '" + text + "'");
  }
}

GemmShape parse_shape(const std::string& text) {
  const auto parts = CLI::detail::split(text, ',');
  if (parts.size() != 3) throw InputError("--shape", "expected M,N,K (three positive integers); got '" + text + "'");
  double dims[3];
  for (int i = 0; i < 3; ++i) {
    try {
      std::size_t used = 0;
      dims[i] = std::stod(parts[i], &used);
      if (used != parts[i].size() || !(dims[i] > 0) || dims[i] != std::floor(dims[i])) throw std::invalid_argument(parts[i]);
    } catch (const std::exception&) {
      throw InputError("--shape", "expected M,N,K (three positive integers); got '" + text + "'");
    }
  }
  return GemmShape{text, dims[0], dims[1], dims[2]};
}

void print(const Table& table, const Common& common) { std::cout << render(table, parse_format(common.format)); }

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"waferscope: a simulator and planner for LLM inference on wafer-scale SRAM machines and the "
               "accelerators they compete with"};
  app.set_version_flag("--version", std::string(WAFERSCOPE_VERSION));
  app.require_subcommand(1);
  Common common;
  common.catalog_dir = default_catalog_dir();
  app.add_option("--catalog", common.catalog_dir, "Catalog folder (default: $WAFERSCOPE_CATALOG or the built-in one)");

  // chips
  std::string relative_to;
  auto* chips = app.add_subcommand("chips", "Accelerator chips: memory, FLOP/s, links, power, price");
  chips->add_option("--relative-to", relative_to, "Divide each figure by this chip's (e.g. GB300)");
  add_format(chips, common);

  auto* systems = app.add_subcommand("systems", "Deployable systems (DGX, NVL72, CS-3, ...)");
  add_format(systems, common);
  auto* models = app.add_subcommand("models", "Catalog models and their architecture");
  add_format(models, common);

  // footprint
  std::vector<std::string> footprint_models;
  std::vector<std::string> footprint_contexts;
  std::string footprint_kv = "bf16";
  std::string kv_window = "honor";
  auto* footprint = app.add_subcommand("footprint", "Parameters, weight bytes and KV-cache bytes per model");
  footprint->add_option("--model", footprint_models, "Catalog name or path to a config.json (repeatable; default: all)");
  footprint->add_option("--kv-dtype", footprint_kv, "KV-cache precision")->capture_default_str();
  footprint->add_option("--context", footprint_contexts, "Context lengths in tokens (repeatable; default 128k 256k 1m)");
  footprint->add_option("--kv-window", kv_window, "honor: windowed layers cache their window; ignore: full context (the source's convention)")
      ->capture_default_str();
  add_format(footprint, common);

  // gemm
  std::vector<std::string> gemm_shapes;
  std::vector<std::string> gemm_chips;
  std::string gemm_dtype = "fp8";
  auto* gemm = app.add_subcommand("gemm", "GEMM arithmetic intensity and roofline bound per chip");
  gemm->add_option("--shape", gemm_shapes, "M,N,K (repeatable; default: the source's eight shapes)");
  gemm->add_option("--dtype", gemm_dtype, "Operand precision (fp8, bf16, fp4, ...)")->capture_default_str();
  gemm->add_option("--chip", gemm_chips, "Chip (repeatable; default: every chip)");
  add_format(gemm, common);

  // deploy
  std::vector<std::string> deploy_models;
  std::vector<std::string> deploy_hardware;
  std::string deploy_context = "128000";
  double deploy_concurrency = 1;
  std::string deploy_weights = "checkpoint";
  std::string deploy_kv = "bf16";
  std::string deploy_window = "honor";
  auto* deploy_cmd = app.add_subcommand("deploy", "Devices needed for a model's weights and KV; memory left; KV transfer time");
  deploy_cmd->add_option("--model", deploy_models, "Catalog name or config.json path (repeatable)")->required();
  deploy_cmd->add_option("--hardware", deploy_hardware, "System or chip name (repeatable)")->required();
  deploy_cmd->add_option("--context", deploy_context, "Tokens per sequence (128000, 128k, 1m)")->capture_default_str();
  deploy_cmd->add_option("--concurrency", deploy_concurrency, "Concurrent sequences whose KV must fit")->capture_default_str();
  deploy_cmd->add_option("--weight-dtype", deploy_weights, "checkpoint, or a precision (bf16, fp8, fp4, mxfp4, ...)")->capture_default_str();
  deploy_cmd->add_option("--kv-dtype", deploy_kv, "KV-cache precision")->capture_default_str();
  deploy_cmd->add_option("--kv-window", deploy_window, "honor or ignore attention windows when sizing KV")->capture_default_str();
  add_format(deploy_cmd, common);

  // tco
  std::vector<std::string> tco_hardware;
  std::string tco_basis = "fp8";
  auto* tco = app.add_subcommand("tco", "Total cost of ownership per hour, per PFLOP and per TB/s");
  tco->add_option("--hardware", tco_hardware, "System name (repeatable; default: every system with cost inputs)");
  tco->add_option("--flops-basis", tco_basis, "Dense FLOP/s class for per-PFLOP figures (fp16, fp8, fp4)")->capture_default_str();
  add_format(tco, common);

  // perf
  std::string perf_model, perf_hardware, perf_weights = "checkpoint", perf_kv = "bf16", perf_window = "honor",
      perf_spec = "none";
  std::optional<int> perf_devices, perf_tp, perf_pp, perf_ep;
  double perf_concurrency = 1, perf_isl = 1024, perf_osl = 1024;
  bool perf_explain = false, perf_explain_all = false;
  auto* perf = app.add_subcommand("perf", "Decode and prefill speed: TTFT, TPOT, tokens/s per user and per device");
  perf->add_option("--model", perf_model, "Catalog name or config.json path")->required();
  perf->add_option("--hardware", perf_hardware, "System or chip name")->required();
  perf->add_option("--devices", perf_devices, "Devices (chips) to use (default: the fewest that hold weights + KV)");
  perf->add_option("--tp", perf_tp, "Tensor parallelism (GPUs/LPUs)");
  perf->add_option("--pp", perf_pp, "Pipeline stages (wafers: the number of wafers)");
  perf->add_option("--ep", perf_ep, "Expert parallelism (within the TP x PP devices)");
  perf->add_option("--concurrency", perf_concurrency, "Concurrent requests (closed loop)")->capture_default_str();
  perf->add_option("--isl", perf_isl, "Input tokens per request")->capture_default_str();
  perf->add_option("--osl", perf_osl, "Output tokens per request")->capture_default_str();
  perf->add_option("--weight-dtype", perf_weights, "checkpoint, a precision, or EXPERTS/REST (e.g. nvfp4/fp8)")->capture_default_str();
  perf->add_option("--kv-dtype", perf_kv, "KV-cache precision")->capture_default_str();
  perf->add_option("--kv-window", perf_window, "honor or ignore attention windows")->capture_default_str();
  perf->add_option("--spec-decode", perf_spec, "none | mtp[,k=K][,accept=A] | draft=MODEL[,k=K][,accept=A] | vendor")->capture_default_str();
  perf->add_flag("--explain", perf_explain, "Print the terms of one decode step and the bound that limits it");
  perf->add_flag("--explain-all", perf_explain_all, "Like --explain, one line per layer and phase");
  add_format(perf, common);

  // frontier
  std::string frontier_models, frontier_hardware, frontier_normalize = "device", frontier_plot,
      frontier_weights = "checkpoint", frontier_kv = "bf16";
  double frontier_isl = 1024, frontier_osl = 1024;
  bool frontier_all_points = false;
  auto* frontier = app.add_subcommand("frontier", "Pareto frontier of throughput vs tokens/s per user, with a chart");
  frontier->add_option("--model", frontier_models, "Model(s), comma-separated, or 'all'")->required();
  frontier->add_option("--hardware", frontier_hardware, "Hardware, comma-separated, or 'all'")->required();
  frontier->add_option("--isl", frontier_isl, "Input tokens per request")->capture_default_str();
  frontier->add_option("--osl", frontier_osl, "Output tokens per request")->capture_default_str();
  frontier->add_option("--normalize", frontier_normalize, "device, system, usd_hour or mw")->capture_default_str();
  frontier->add_option("--plot", frontier_plot, "Write the chart to FILE.png or FILE.svg (gnuplot)");
  frontier->add_option("--weight-dtype", frontier_weights, "checkpoint, a precision, or EXPERTS/REST")->capture_default_str();
  frontier->add_option("--kv-dtype", frontier_kv, "KV-cache precision")->capture_default_str();
  frontier->add_flag("--all-points", frontier_all_points, "Print every swept point, not only the Pareto-optimal ones");
  add_format(frontier, common);

  // workloads, cost
  auto* workloads_cmd = app.add_subcommand("workloads", "Workloads: length distributions and token-type mix");
  add_format(workloads_cmd, common);
  std::string cost_model, cost_hardware, cost_workload = "agentic-coding", cost_price = "rental",
      cost_price_list = "openai-gpt-5.2", cost_rule = "both", cost_weights = "checkpoint", cost_kv = "bf16",
      cost_window = "honor", cost_tier;
  std::optional<int> cost_devices, cost_tp, cost_pp, cost_ep;
  std::optional<double> cost_concurrency;
  double cost_isl = 0;
  auto* cost = app.add_subcommand("cost", "Cost per million tokens by token type, blended, and the gross margin");
  cost->add_option("--model", cost_model, "Catalog name or config.json path")->required();
  cost->add_option("--hardware", cost_hardware, "System or chip name")->required();
  cost->add_option("--workload", cost_workload, "Workload name or .toml path")->capture_default_str();
  cost->add_option("--price", cost_price, "tco, rental or USD per system-hour")->capture_default_str();
  cost->add_option("--price-list", cost_price_list, "Token list prices for revenue (catalog/prices.toml)")->capture_default_str();
  cost->add_option("--rule", cost_rule, "physical, calculator or both")->capture_default_str();
  cost->add_option("--concurrency", cost_concurrency, "Concurrent requests (default: the public calculator's 250)");
  cost->add_option("--devices", cost_devices, "Devices to use");
  cost->add_option("--tp", cost_tp, "Tensor parallelism");
  cost->add_option("--pp", cost_pp, "Pipeline stages");
  cost->add_option("--ep", cost_ep, "Expert parallelism");
  cost->add_option("--weight-dtype", cost_weights, "checkpoint, a precision, or EXPERTS/REST")->capture_default_str();
  cost->add_option("--kv-dtype", cost_kv, "KV-cache precision")->capture_default_str();
  cost->add_option("--kv-window", cost_window, "honor or ignore attention windows")->capture_default_str();
  cost->add_option("--isl", cost_isl, "Average input tokens per request (default: the workload's mean)");
  cost->add_option("--cache-tier", cost_tier, "Where cached prefixes live: device or host (default: host if the system has one)");
  add_format(cost, common);

  // feasibility
  std::string feas_hardware = "cs-3", feas_weights = "fp8", feas_kv = "bf16", feas_plot, feas_window = "ignore";
  double feas_concurrency = 1;
  auto* feasibility = app.add_subcommand("feasibility", "Systems needed over model size x average input length (phase diagram)");
  feasibility->add_option("--hardware", feas_hardware, "System or chip")->capture_default_str();
  feasibility->add_option("--concurrency", feas_concurrency, "Concurrent requests whose KV must fit")->capture_default_str();
  feasibility->add_option("--weight-dtype", feas_weights, "Weight precision (or checkpoint for the catalog points)")->capture_default_str();
  feasibility->add_option("--kv-dtype", feas_kv, "KV precision")->capture_default_str();
  feasibility->add_option("--kv-window", feas_window, "honor or ignore windows for the catalog points")->capture_default_str();
  feasibility->add_option("--plot", feas_plot, "Write the diagram to FILE.png or FILE.svg");
  bool feas_grid = false;
  feasibility->add_flag("--grid", feas_grid, "Print the whole grid (CSV-friendly) instead of the catalog points");
  add_format(feasibility, common);

  // disagg
  std::string dis_model, dis_prefill, dis_decode, dis_workload = "agentic-coding", dis_price = "tco",
      dis_weights = "checkpoint", dis_kv = "bf16", dis_window = "honor";
  double dis_concurrency = 64, dis_hops = 2;
  std::optional<int> dis_decode_pp, dis_prefill_tp;
  auto* disagg = app.add_subcommand("disagg", "Prefill on one hardware, decode on another, vs co-located serving");
  disagg->add_option("--model", dis_model, "Model")->required();
  disagg->add_option("--prefill", dis_prefill, "Prefill hardware")->required();
  disagg->add_option("--decode", dis_decode, "Decode hardware")->required();
  disagg->add_option("--workload", dis_workload, "Workload")->capture_default_str();
  disagg->add_option("--concurrency", dis_concurrency, "Concurrent decode sequences per decode deployment")->capture_default_str();
  disagg->add_option("--decode-pp", dis_decode_pp, "Pipeline stages of the decode deployment");
  disagg->add_option("--prefill-tp", dis_prefill_tp, "TP of one prefill replica");
  disagg->add_option("--price", dis_price, "tco, rental or USD per system-hour (both pools)")->capture_default_str();
  disagg->add_option("--switch-hops", dis_hops, "Switch hops between the pools (5 us each)")->capture_default_str();
  disagg->add_option("--weight-dtype", dis_weights, "Weight precision")->capture_default_str();
  disagg->add_option("--kv-dtype", dis_kv, "KV precision")->capture_default_str();
  disagg->add_option("--kv-window", dis_window, "honor or ignore windows")->capture_default_str();
  add_format(disagg, common);

  // offload
  std::string off_model, off_hardware = "cs-3", off_weights = "checkpoint", off_kv = "bf16", off_window = "honor";
  double off_context = 96300, off_new_tokens = 2000;
  std::optional<int> off_systems;
  auto* offload = app.add_subcommand("offload", "KV offload to the host tier (CS-3 KVSS): sessions gained, returning TTFT");
  offload->add_option("--model", off_model, "Model")->required();
  offload->add_option("--hardware", off_hardware, "System with a host tier")->capture_default_str();
  offload->add_option("--context", off_context, "Tokens of context per session")->capture_default_str();
  offload->add_option("--new-tokens", off_new_tokens, "New input tokens a returning session brings")->capture_default_str();
  offload->add_option("--systems", off_systems, "Systems (default: the fewest that hold the weights)");
  offload->add_option("--weight-dtype", off_weights, "Weight precision")->capture_default_str();
  offload->add_option("--kv-dtype", off_kv, "KV precision")->capture_default_str();
  offload->add_option("--kv-window", off_window, "honor or ignore windows")->capture_default_str();
  add_format(offload, common);

  // simulate
  std::string sim_model, sim_hardware, sim_trace, sim_workload, sim_scheduler = "continuous", sim_router = "round_robin",
      sim_prefill_hw, sim_out, sim_price = "tco", sim_weights = "checkpoint", sim_kv = "bf16", sim_window = "honor";
  std::optional<int> sim_devices, sim_tp, sim_pp, sim_ep, sim_prefill_tp, sim_prefill_pp;
  int sim_replicas = 1, sim_prefill_replicas = 1, sim_max_batch = 512;
  std::optional<double> sim_rate, sim_duration, sim_concurrency, sim_slo_ttft, sim_slo_tpot;
  double sim_rate_scale = 1, sim_burstiness = 1, sim_token_budget = 8192;
  long long sim_requests = 1000;
  unsigned long long sim_seed = 1;
  bool sim_no_cache = false;
  auto* simulate_cmd = app.add_subcommand("simulate", "Trace-driven discrete-event simulation of a serving fleet");
  simulate_cmd->add_option("--model", sim_model, "Model")->required();
  simulate_cmd->add_option("--hardware", sim_hardware, "Hardware of the (decode) pool")->required();
  simulate_cmd->add_option("--devices", sim_devices, "Devices per replica");
  simulate_cmd->add_option("--tp", sim_tp, "TP per replica");
  simulate_cmd->add_option("--pp", sim_pp, "PP per replica (wafers)");
  simulate_cmd->add_option("--ep", sim_ep, "EP per replica");
  simulate_cmd->add_option("--replicas", sim_replicas, "Replicas of the deployment")->capture_default_str();
  simulate_cmd->add_option("--trace", sim_trace, "Trace file (.csv Azure, .jsonl Mooncake)");
  simulate_cmd->add_option("--rate-scale", sim_rate_scale, "Replay the trace this many times faster")->capture_default_str();
  simulate_cmd->add_option("--workload", sim_workload, "Workload for synthetic or closed-loop traffic");
  simulate_cmd->add_option("--rate", sim_rate, "Synthetic arrivals per second");
  simulate_cmd->add_option("--duration", sim_duration, "Synthetic traffic duration, seconds");
  simulate_cmd->add_option("--burstiness", sim_burstiness, "Gamma shape of inter-arrivals (1 = Poisson, <1 burstier)")->capture_default_str();
  simulate_cmd->add_option("--concurrency", sim_concurrency, "Closed loop: requests kept in flight");
  simulate_cmd->add_option("--requests", sim_requests, "Closed loop: requests to issue")->capture_default_str();
  simulate_cmd->add_option("--scheduler", sim_scheduler, "continuous, priority or static")->capture_default_str();
  simulate_cmd->add_option("--router", sim_router, "round_robin, least_outstanding or prefix_affinity")->capture_default_str();
  simulate_cmd->add_option("--token-budget", sim_token_budget, "Prefill tokens per iteration")->capture_default_str();
  simulate_cmd->add_option("--max-batch", sim_max_batch, "Running requests per replica")->capture_default_str();
  simulate_cmd->add_flag("--no-prefix-cache", sim_no_cache, "Turn the prefix cache off");
  simulate_cmd->add_option("--prefill-hardware", sim_prefill_hw, "Disaggregate: prefill pool hardware");
  simulate_cmd->add_option("--prefill-replicas", sim_prefill_replicas, "Prefill pool replicas")->capture_default_str();
  simulate_cmd->add_option("--prefill-tp", sim_prefill_tp, "TP per prefill replica");
  simulate_cmd->add_option("--prefill-pp", sim_prefill_pp, "PP per prefill replica");
  simulate_cmd->add_option("--slo-ttft", sim_slo_ttft, "TTFT SLO, seconds (for goodput)");
  simulate_cmd->add_option("--slo-tpot", sim_slo_tpot, "TPOT SLO, seconds (for goodput)");
  simulate_cmd->add_option("--seed", sim_seed, "Seed of the synthetic traffic")->capture_default_str();
  simulate_cmd->add_option("--price", sim_price, "tco, rental or USD per system-hour")->capture_default_str();
  simulate_cmd->add_option("--weight-dtype", sim_weights, "Weight precision")->capture_default_str();
  simulate_cmd->add_option("--kv-dtype", sim_kv, "KV precision")->capture_default_str();
  simulate_cmd->add_option("--kv-window", sim_window, "honor or ignore windows")->capture_default_str();
  simulate_cmd->add_option("--out", sim_out, "Folder for requests.csv, timeseries.csv, summary.csv and PNG plots");
  add_format(simulate_cmd, common);

  // serve
  ServeOptions serve_options;
  serve_options.web_dir = default_web_dir();
  auto* serve = app.add_subcommand("serve", "HTTP JSON API and the calculator page");
  serve->add_option("--host", serve_options.host, "Address to bind (loopback by default)")->capture_default_str();
  serve->add_option("--port", serve_options.port, "Port (0 = any free port)")->capture_default_str();
  serve->add_option("--threads", serve_options.threads, "Worker threads")->capture_default_str();
  serve->add_option("--web-dir", serve_options.web_dir, "Folder of the built page (web/dist)")->capture_default_str();

  // validate / calibrate
  auto* validate_cmd = app.add_subcommand("validate", "Predicted vs measured for every measurement in catalog/measurements/");
  bool validate_rows = false;
  validate_cmd->add_flag("--rows", validate_rows, "Print every row, not only the summary");
  add_format(validate_cmd, common);
  std::string calibrate_class = "all";
  auto* calibrate_cmd = app.add_subcommand("calibrate", "Refit the free constants of each device class; prints calibration.toml values");
  calibrate_cmd->add_option("--device-class", calibrate_class, "hbm_gpu, wafer or all")->capture_default_str();
  bool calibrate_write = false;
  calibrate_cmd->add_flag("--write", calibrate_write, "Write the fitted values into the catalog's calibration.toml");

  // report
  std::string report_dir = "report";
  auto* report = app.add_subcommand("report", "Recompute every table of the source analysis and list where it departs");
  report->add_option("--out", report_dir, "Output folder")->capture_default_str();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error);
  }

  try {
    const Catalog catalog = load_catalog(common.catalog_dir);
    parse_format(common.format);  // reject a bad --format before any work

    auto window_flag = [](const std::string& value, const std::string& flag) { return parse_kv_window(value, flag); };

    if (chips->parsed()) {
      print(relative_to.empty() ? chips_table(catalog) : chips_relative_table(catalog, relative_to), common);
    } else if (systems->parsed()) {
      print(systems_table(catalog), common);
    } else if (models->parsed()) {
      print(models_table(catalog), common);
    } else if (footprint->parsed()) {
      FootprintOptions options;
      options.kv_precision = footprint_kv;
      options.honor_windows = window_flag(kv_window, "--kv-window");
      if (!footprint_contexts.empty()) {
        options.contexts_tokens.clear();
        for (const auto& c : footprint_contexts) options.contexts_tokens.push_back(parse_tokens(c, "--context"));
      }
      std::vector<ModelSpec> specs;
      if (footprint_models.empty()) for (const auto& name : catalog.model_names()) specs.push_back(catalog.model(name));
      for (const auto& name : footprint_models) specs.push_back(catalog.model(name));
      print(footprint_table(catalog, specs, options), common);
    } else if (gemm->parsed()) {
      std::vector<GemmShape> shapes;
      for (const auto& s : gemm_shapes) shapes.push_back(parse_shape(s));
      if (shapes.empty()) shapes = default_gemm_shapes(catalog);
      std::vector<Chip> selected;
      for (const auto& c : gemm_chips) selected.push_back(catalog.chip(c));
      if (selected.empty()) selected = catalog.chips;
      print(gemm_table(shapes, selected, catalog.precisions.get(gemm_dtype, "--dtype")), common);
    } else if (deploy_cmd->parsed()) {
      std::vector<Deployment> results;
      DeploymentInputs inputs;
      inputs.weight_dtype = deploy_weights;
      inputs.kv_dtype = deploy_kv;
      inputs.kv_window = deploy_window;
      for (const auto& model_name : deploy_models) {
        const ModelSpec model = catalog.model(model_name);
        for (const auto& hardware_name : deploy_hardware) {
          const DeployRequest request = make_deploy_request(catalog, model, inputs, parse_tokens(deploy_context, "--context"),
                                                            deploy_concurrency, flag_name);
          results.push_back(deploy(model, catalog.hardware(hardware_name), request));
        }
      }
      print(deploy_table(results), common);
    } else if (tco->parsed()) {
      std::vector<Tco> results;
      std::vector<std::string> names = tco_hardware;
      if (names.empty()) for (const auto& e : catalog.economics) names.push_back(e.system_name);
      for (const auto& name : names) {
        const Hardware hardware = catalog.hardware(name);
        results.push_back(compute_tco(catalog.economics_for(hardware.system.name), hardware, to_lower(tco_basis)));
      }
      print(tco_table(results), common);
    } else if (perf->parsed()) {
      const ModelSpec model = catalog.model(perf_model);
      const Hardware hardware = catalog.hardware(perf_hardware);
      const DeploymentInputs inputs{perf_weights, perf_kv, perf_window, perf_devices, perf_tp, perf_pp, perf_ep};
      PerfRequest request = make_perf_request(catalog, model, inputs, perf_concurrency, perf_isl, perf_osl, perf_spec, flag_name);
      const PerfEngine engine(catalog);
      const PerfResult result = engine.run(model, hardware, request);
      print(perf_table({result}), common);
      if (perf_explain || perf_explain_all) {
        std::cout << "\n";
        print(explain_table(result, perf_explain_all), common);
        std::cout << "\n";
        print(bound_totals_table(result), common);
      }
    } else if (frontier->parsed()) {
      auto split_names = [](const std::string& text) { return CLI::detail::split(text, ','); };
      std::vector<ModelSpec> models;
      if (to_lower(frontier_models) == "all") {
        for (const auto& entry : catalog.models)
          if (!entry.aggregate) models.push_back(catalog.model(entry.name));
      } else {
        for (const auto& name : split_names(frontier_models)) models.push_back(catalog.model(name));
      }
      std::vector<Hardware> hardware;
      const auto hardware_names = to_lower(frontier_hardware) == "all" ? catalog.hardware_names() : split_names(frontier_hardware);
      for (const auto& name : hardware_names) hardware.push_back(catalog.hardware(name));
      FrontierRequest request;
      request.isl = frontier_isl;
      request.osl = frontier_osl;
      if (!(request.isl >= 1) || !(request.osl >= 1)) throw InputError("--isl/--osl", "expected at least 1 token");
      request.normalize = parse_normalizer(frontier_normalize);
      request.weight_dtype = frontier_weights;
      request.kv_dtype = frontier_kv;
      for (const auto& h : hardware) normalizer_value(catalog, h, 1, request.normalize);  // fail early
      const PerfEngine engine(catalog);
      const bool terminal = isatty(STDERR_FILENO);
      const auto points = sweep_all(engine, models, hardware, request, [&](int done, int total) {
        if (terminal) std::cerr << fmt::format("\rsweeping {}/{} model x hardware pairs", done, total) << std::flush;
      });
      if (terminal) std::cerr << "\n";
      print(frontier_table(points, request.normalize, !frontier_all_points), common);
      if (!frontier_plot.empty()) {
        const std::string title = fmt::format("{} - ISL {:.0f} / OSL {:.0f}", models.size() == 1 ? models[0].display_name
                                                                                               : std::string("catalog models"),
                                              request.isl, request.osl);
        plot_frontier(points, request.normalize, title, frontier_plot);
        std::cerr << "wrote " << frontier_plot << "\n";
      }
    } else if (workloads_cmd->parsed()) {
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
      print(t, common);
    } else if (cost->parsed()) {
      const ModelSpec model = catalog.model(cost_model);
      const Hardware hardware = catalog.hardware(cost_hardware);
      CostRequest request;
      request.workload = catalog.workload(cost_workload);
      request.price_list = catalog.price_list(cost_price_list);
      request.price = system_price(catalog, hardware, cost_price);
      // The operating point (lengths come from the workload; 1/1 here only satisfies the validation).
      const DeploymentInputs inputs{cost_weights, cost_kv, cost_window, cost_devices, cost_tp, cost_pp, cost_ep};
      request.perf = make_perf_request(catalog, model, inputs,
                                       cost_concurrency.value_or(load_calculator_constants(catalog).default_concurrency),
                                       1, 1, "none", flag_name);
      request.cache_tier = to_lower(cost_tier);
      if (cost_isl < 0) throw InputError("--isl", "expected a positive token count");
      request.isl_override = cost_isl;
      std::vector<CostRule> rules;
      if (to_lower(cost_rule) == "both") rules = {CostRule::physical, CostRule::calculator};
      else rules = {parse_cost_rule(cost_rule)};
      const PerfEngine engine(catalog);
      std::vector<CostResult> results;
      for (CostRule rule : rules) {
        request.rule = rule;
        results.push_back(token_cost(engine, model, hardware, request));
      }
      print(cost_table(results), common);
    } else if (feasibility->parsed()) {
      if (!(feas_concurrency >= 1)) throw InputError("--concurrency", "expected at least 1");
      const Hardware hardware = catalog.hardware(feas_hardware);
      const Precision& weights = catalog.precisions.get(feas_weights, "--weight-dtype");
      const Precision& kv = catalog.precisions.get(feas_kv, "--kv-dtype");
      const auto points = feasibility_points(catalog, hardware, feas_concurrency, feas_weights, feas_kv,
                                             window_flag(feas_window, "--kv-window"));
      // 125B to 4T as the source draws it, extended down to the smallest catalog model so every point sits on it.
      double smallest = 125e9;
      for (const auto& p : points) smallest = std::min(smallest, 0.8 * p.params);
      const FeasibilityGrid grid = feasibility_grid(hardware, feas_concurrency, weights.bytes_per_element(),
                                                    kv.bytes_per_element(), 41, smallest);
      print(feas_grid ? feasibility_grid_table(grid) : feasibility_points_table(points), common);
      if (!feas_plot.empty()) {
        plot_feasibility(grid, points, fmt::format("Systems of {} needed: {:.0f} concurrent requests, {} weights, {} KV",
                                                   hardware.system.display_name, feas_concurrency, feas_weights, feas_kv),
                         feas_plot);
        std::cerr << "wrote " << feas_plot << "\n";
      }
    } else if (disagg->parsed()) {
      const ModelSpec model = catalog.model(dis_model);
      const Hardware prefill_hw = catalog.hardware(dis_prefill, "--prefill"), decode_hw = catalog.hardware(dis_decode, "--decode");
      DisaggRequest request;
      request.workload = catalog.workload(dis_workload);
      request.prefill.weights = request.decode.weights = weight_format(model, dis_weights, catalog.precisions, "--weight-dtype");
      request.prefill.kv = request.decode.kv = catalog.precisions.get(dis_kv, "--kv-dtype");
      request.prefill.honor_windows = request.decode.honor_windows = window_flag(dis_window, "--kv-window");
      if (!(dis_concurrency >= 1)) throw InputError("--concurrency", "expected at least 1");
      request.decode.concurrency = dis_concurrency;
      request.decode.pp = dis_decode_pp;
      request.prefill.tp = dis_prefill_tp;
      request.prefill_price = system_price(catalog, prefill_hw, dis_price);
      request.decode_price = system_price(catalog, decode_hw, dis_price);
      if (dis_hops < 0) throw InputError("--switch-hops", "expected a number >= 0");
      request.switch_hops = dis_hops;
      const PerfEngine engine(catalog);
      const auto rows = compare_disaggregation(engine, model, prefill_hw, decode_hw, request);
      Table table = disaggregation_table(rows);
      table.notes.push_back(five_x_note(rows));
      print(table, common);
    } else if (offload->parsed()) {
      const ModelSpec model = catalog.model(off_model);
      const Hardware hardware = catalog.hardware(off_hardware);
      if (!(off_context >= 1) || off_new_tokens < 0) throw InputError("--context/--new-tokens", "expected positive token counts");
      const WeightFormat weights = weight_format(model, off_weights, catalog.precisions, "--weight-dtype");
      const Precision& kv = catalog.precisions.get(off_kv, "--kv-dtype");
      const bool honor = window_flag(off_window, "--kv-window");
      const double kv_bytes = kv_bytes_for_context(model, kv, off_context, honor);
      const double weight_total = weight_bytes(model, weights);
      DeployRequest d;
      d.weights = weights;
      d.kv = kv;
      const Deployment deployment = deploy(model, hardware, d);
      const double systems = off_systems ? *off_systems : std::max(1, deployment.min_systems);
      const KvOffload o = kv_offload(model, hardware, systems, weight_total, kv_bytes, off_context);
      // A returning session: its KV back from the host, then its new tokens prefilled against that context.
      PerfRequest p;
      p.weights = weights;
      p.kv = kv;
      p.honor_windows = honor;
      p.isl = off_context + std::max(1.0, off_new_tokens);
      p.osl = 1;
      p.prefix_cached_tokens = off_context;
      p.devices = static_cast<int>(systems * hardware.system.chip_count);
      p.record_terms = false;
      const PerfResult r = PerfEngine(catalog).run(model, hardware, p);
      print(kv_offload_table(o, r.prefill_s, o.reload_seconds + r.prefill_s + r.decode_step_s), common);
    } else if (simulate_cmd->parsed()) {
      auto positive = [](const std::optional<double>& v, const char* flag) {
        if (v && !(*v > 0 && std::isfinite(*v))) throw InputError(flag, fmt::format("expected a positive number; got {}", *v));
      };
      positive(sim_rate, "--rate");
      positive(sim_duration, "--duration");
      positive(sim_concurrency, "--concurrency");
      positive(sim_slo_ttft, "--slo-ttft");
      positive(sim_slo_tpot, "--slo-tpot");
      if (!(sim_rate_scale > 0)) throw InputError("--rate-scale", "expected a positive number");
      const ModelSpec model = catalog.model(sim_model);
      const Hardware hardware = catalog.hardware(sim_hardware);
      PoolSpec pool{hardware, PerfRequest{}, sim_replicas, system_price(catalog, hardware, sim_price)};
      pool.perf.devices = sim_devices;
      pool.perf.tp = sim_tp;
      pool.perf.pp = sim_pp;
      pool.perf.ep = sim_ep;
      pool.perf.weights = weight_format(model, sim_weights, catalog.precisions, "--weight-dtype");
      pool.perf.kv = catalog.precisions.get(sim_kv, "--kv-dtype");
      pool.perf.honor_windows = window_flag(sim_window, "--kv-window");
      std::optional<PoolSpec> prefill;
      if (!sim_prefill_hw.empty()) {
        const Hardware ph = catalog.hardware(sim_prefill_hw, "--prefill-hardware");
        prefill = PoolSpec{ph, pool.perf, sim_prefill_replicas, system_price(catalog, ph, sim_price)};
        prefill->perf.devices.reset();
        prefill->perf.tp = sim_prefill_tp;
        prefill->perf.pp = sim_prefill_pp;
        prefill->perf.ep.reset();
      }
      SimConfig config;
      config.scheduler = sim_scheduler;
      config.router = sim_router;
      config.token_budget = sim_token_budget;
      config.max_batch = sim_max_batch;
      config.prefix_cache = !sim_no_cache;
      config.slo_ttft_s = sim_slo_ttft.value_or(0);
      config.slo_tpot_s = sim_slo_tpot.value_or(0);
      Traffic traffic;
      if (!sim_trace.empty()) {
        traffic.requests = trace_traffic(sim_trace, sim_rate_scale);
      } else if (!sim_workload.empty() && sim_concurrency) {
        const Workload w = catalog.workload(sim_workload);
        traffic.closed_loop_concurrency = static_cast<int>(*sim_concurrency);
        if (sim_requests < 1) throw InputError("--requests", "expected at least 1");
        traffic.closed_loop_requests = sim_requests;
        const double isl = std::round(w.mean_input_tokens()), osl = std::round(w.mean_output_tokens());
        traffic.make_request = [isl, osl](long long) {
          SimRequest r;
          r.input_tokens = isl;
          r.output_tokens = osl;
          return r;
        };
      } else if (!sim_workload.empty() && sim_rate && sim_duration) {
        traffic.requests = synthetic_traffic(catalog.workload(sim_workload), *sim_rate, *sim_duration, sim_burstiness, sim_seed);
      } else {
        throw InputError("simulate", "give --trace FILE, or --workload W with --rate QPS --duration S, or --workload W "
                                     "with --concurrency C (closed loop)");
      }
      config.sample_interval_s = 1.0;
      const bool terminal = isatty(STDERR_FILENO);
      const PerfEngine engine(catalog);
      const SimResult result = simulate(engine, model, pool, prefill, config, std::move(traffic), [&](long long done, long long total) {
        if (terminal) std::cerr << fmt::format("\rsimulated {}/{} requests", done, total) << std::flush;
      });
      if (terminal) std::cerr << "\n";
      print(sim_summary_table(result), common);
      if (!sim_out.empty()) {
        std::error_code error;
        std::filesystem::create_directories(sim_out, error);
        if (error) throw InputError("--out", "cannot create folder '" + sim_out + "'");
        write_text_file(sim_out, "requests.csv", render(sim_requests_table(result), Format::csv));
        write_text_file(sim_out, "timeseries.csv", render(sim_series_table(result), Format::csv));
        write_text_file(sim_out, "summary.csv", render(sim_summary_table(result), Format::csv));
        write_text_file(sim_out, "summary.json", render(sim_summary_table(result), Format::json));
        plot_sim(result, (std::filesystem::path(sim_out) / "latency_cdf.png").string(),
                 (std::filesystem::path(sim_out) / "timeseries.png").string());
        std::cerr << "wrote " << sim_out << "/{requests,timeseries,summary}.csv, summary.json, latency_cdf.png, timeseries.png\n";
      }
    } else if (serve->parsed()) {
      if (serve_options.port < 0 || serve_options.port > 65535) throw InputError("--port", "expected 0..65535");
      if (serve_options.threads < 1 || serve_options.threads > 256) throw InputError("--threads", "expected 1..256");
      ApiServer server(catalog, serve_options);
      const int port = server.bind();
      std::cerr << fmt::format("waferscope: serving http://{}:{}/ (API under /api/; page from {})\n", serve_options.host,
                               port, serve_options.web_dir);
      server.run();
    } else if (validate_cmd->parsed()) {
      const auto rows = validate(catalog, load_measurements(catalog));
      if (validate_rows) {
        print(validation_table(rows), common);
        std::cout << "\n";
      }
      print(validation_summary_table(summarize(rows)), common);
    } else if (calibrate_cmd->parsed()) {
      std::vector<std::string> classes = {"hbm_gpu", "wafer"};
      if (calibrate_class != "all") classes = {calibrate_class};
      for (const auto& cls : classes) {
        std::cerr << "fitting " << cls << " (was " << fit_objective(catalog, cls) << ")...\n";
        const FitResult fit = fit_device_class(catalog, cls);
        std::cout << "[" << cls << "]  # objective " << fit.objective << "\n";
        for (std::size_t i = 0; i < fit.names.size(); ++i) std::cout << fit.names[i] << " = " << fmt::format("{:.6g}", fit.values[i]) << "\n";
        std::cout << "residuals = \"" << fit.residuals << "\"\n\n";
        if (calibrate_write) write_fit((std::filesystem::path(catalog.root) / "calibration.toml").string(), fit);
      }
    } else if (report->parsed()) {
      std::cout << write_report(catalog, report_dir);
    }
  } catch (const InputError& error) {
    std::cerr << "waferscope: error: " << error.what() << "\n";
    return 2;
  } catch (const InfeasibleError& error) {
    std::cerr << "waferscope: infeasible: " << error.what() << "\n";
    return 3;
  } catch (const std::exception& error) {
    std::cerr << "waferscope: internal error: " << error.what() << "\n";
    return 1;
  }
  return 0;
}
