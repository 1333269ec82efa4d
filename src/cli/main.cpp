// waferscope command line: a thin shell over the library. Every command builds its answer with the same
// table builders the report and the API use.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cmath>
#include <iostream>

#include "catalog/catalog.h"
#include "core/error.h"
#include "report/reproduction.h"
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

    auto window_flag = [](const std::string& value, const std::string& flag) {
      const std::string lowered = to_lower(value);
      if (lowered == "honor") return true;
      if (lowered == "ignore") return false;
      throw InputError(flag, "expected honor or ignore; got '" + value + "'");
    };

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
      if (!(deploy_concurrency >= 1) || deploy_concurrency != std::floor(deploy_concurrency))
        throw InputError("--concurrency", fmt::format("expected a whole number >= 1; got {}", deploy_concurrency));
      std::vector<Deployment> results;
      for (const auto& model_name : deploy_models) {
        const ModelSpec model = catalog.model(model_name);
        for (const auto& hardware_name : deploy_hardware) {
          DeployRequest request;
          request.context_tokens = parse_tokens(deploy_context, "--context");
          request.concurrency = deploy_concurrency;
          request.weights = weight_format(model, deploy_weights, catalog.precisions, "--weight-dtype");
          request.kv = catalog.precisions.get(deploy_kv, "--kv-dtype");
          request.honor_windows = window_flag(deploy_window, "--kv-window");
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
    } else if (report->parsed()) {
      const ReproductionReport result = write_reproduction_report(catalog, report_dir);
      std::cout << result.summary;
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
