#include "econ/token_cost.h"

#include <fmt/format.h>

#include <cmath>
#include <filesystem>

#include "core/error.h"
#include "econ/tco.h"
#include "placement/deploy.h"

namespace ws {

CostRule parse_cost_rule(const std::string& text) {
  if (to_lower(text) == "physical") return CostRule::physical;
  if (to_lower(text) == "calculator") return CostRule::calculator;
  throw InputError("rule", "expected physical or calculator; got '" + text + "'");
}

const CalculatorConstants& load_calculator_constants(const Catalog& catalog) {
  if (!catalog.calculator)
    throw InputError((std::filesystem::path(catalog.root) / "peers.toml").string(), "missing: the public calculator's constants");
  return *catalog.calculator;
}

double calculator_interactivity(const CalculatorConstants& c, double active_params) {
  return c.interactivity_coefficient / std::pow(active_params / 1e9, c.interactivity_exponent);
}

SystemPrice system_price(const Catalog& catalog, const Hardware& hardware, const std::string& option) {
  const std::string o = to_lower(option);
  if (o == "tco") {
    const Tco tco = compute_tco(catalog.economics_for(hardware.system.name, "price tco"), hardware);
    return SystemPrice{"tco", tco.tco_per_hour_usd};
  }
  if (o == "rental") {
    const auto& e = catalog.economics_for(hardware.system.name, "price rental");
    if (!e.rental_usd_per_hour)
      throw InputError("price", "no rental price for '" + hardware.system.name + "' in catalog/economics.toml; use tco or a USD/hour figure");
    return SystemPrice{"rental", *e.rental_usd_per_hour};
  }
  try {
    std::size_t used = 0;
    const double value = std::stod(option, &used);
    if (used == option.size() && value > 0 && std::isfinite(value)) return SystemPrice{fmt::format("{} USD/h", value), value};
  } catch (const std::exception&) {
  }
  throw InputError("price", "expected tco, rental or a positive USD per system-hour; got '" + option + "'");
}

CostResult token_cost(const PerfEngine& engine, const ModelSpec& model, const Hardware& hardware, const CostRequest& request) {
  const Workload& w = request.workload;
  const TokenMix& mix = w.mix;
  CostResult c;
  c.model = model.name;
  c.hardware = hardware.system.name;
  c.workload = w.name;
  c.price_label = request.price.label;
  c.rule = request.rule == CostRule::physical ? "physical" : "calculator";
  c.usd_per_hour = request.price.usd_per_hour;
  c.concurrency = request.perf.concurrency;
  // An average request: the workload's mean lengths; its input split into cache reads, writes and fresh
  // tokens in the mix's proportions. Blended figures weight the token types by the mix.
  c.osl = w.mean_output_tokens();
  c.isl = request.isl_override > 0 ? request.isl_override : w.mean_input_tokens();
  const double input_share = mix.input();
  // The cached share is the one perf, simulate and disagg use (Workload::cached_fraction_of_input).
  c.cache_read.tokens_per_request = c.isl * w.cached_fraction_of_input();
  c.cache_write.tokens_per_request = input_share > 0 ? c.isl * mix.cache_write / input_share : 0;
  c.fresh_input.tokens_per_request = input_share > 0 ? c.isl * mix.fresh_input / input_share : c.isl;
  c.output.tokens_per_request = c.osl;

  double usd_per_s = 0;
  if (request.rule == CostRule::calculator) {
    const CalculatorConstants k = load_calculator_constants(engine.catalog());
    // Its systems: weights plus every request's KV at the mean input length, windows ignored, by capacity.
    DeployRequest d;
    d.weights = request.perf.weights;
    d.kv = request.perf.kv;
    d.context_tokens = c.isl;
    d.concurrency = request.perf.concurrency;
    d.honor_windows = false;
    const Deployment deployment = deploy(model, hardware, d);
    c.systems = deployment.systems_for_concurrency;
    c.devices = deployment.devices_for_concurrency;
    usd_per_s = c.systems * c.usd_per_hour / 3600.0;
    const double rate = calculator_interactivity(k, param_counts(model).active);
    c.tokens_per_s_per_user = rate;
    // Each lane's seconds per request; the deployment's seconds are that over C lanes.
    const double lanes = request.perf.concurrency;
    c.output.seconds_per_request = c.osl / rate / lanes;
    const double non_output_rate = rate * k.cache_read_speedup;
    c.cache_read.seconds_per_request = c.cache_read.tokens_per_request / non_output_rate / lanes;
    c.cache_write.seconds_per_request = c.cache_write.tokens_per_request / non_output_rate / lanes;
    c.fresh_input.seconds_per_request = c.fresh_input.tokens_per_request / non_output_rate / lanes;
    c.bound = "power-law fit";
    c.cache_tier = "n/a";
  } else {
    PerfRequest p = request.perf;
    p.isl = std::max(1.0, c.isl);
    p.osl = std::max(1.0, c.osl);
    p.prefix_cached_tokens = std::min(c.cache_read.tokens_per_request, p.isl - 1);
    p.record_terms = false;
    const PerfResult r = engine.run(model, hardware, p);
    c.devices = r.devices;
    c.systems = r.systems;
    c.bound = r.bound;
    c.tokens_per_s_per_user = r.tokens_per_s_per_user;
    usd_per_s = c.systems * c.usd_per_hour / 3600.0;
    const double decode_per_token = r.tpot_s - r.prefill_stall_per_token_s;
    c.output.seconds_per_request = c.osl * decode_per_token / p.concurrency;
    const double new_tokens = c.cache_write.tokens_per_request + c.fresh_input.tokens_per_request;
    if (new_tokens > 0) {
      c.cache_write.seconds_per_request = r.prefill_s * c.cache_write.tokens_per_request / new_tokens;
      c.fresh_input.seconds_per_request = r.prefill_s * c.fresh_input.tokens_per_request / new_tokens;
    }
    c.cache_tier = request.cache_tier.empty() ? (hardware.system.host_memory ? "host" : "device") : request.cache_tier;
    if (c.cache_tier == "host") {
      if (!hardware.system.host_link_bytes_per_s)
        throw InputError("cache_tier", "'" + hardware.system.name + "' has no host KV tier in catalog/systems.toml");
      const double kv = kv_bytes_for_context(model, p.kv, c.cache_read.tokens_per_request, p.honor_windows);
      // Each system pulls its own layers' share over its own link.
      c.cache_read.seconds_per_request = kv / (*hardware.system.host_link_bytes_per_s * std::max(1.0, c.systems));
    } else if (c.cache_tier != "device") {
      throw InputError("cache_tier", "expected device or host; got '" + c.cache_tier + "'");
    }
  }
  auto price = [&](TokenTypeCost& t) {
    t.usd_per_mtok = t.tokens_per_request > 0 ? t.seconds_per_request * usd_per_s / t.tokens_per_request * 1e6 : 0;
  };
  for (TokenTypeCost* t : {&c.cache_read, &c.cache_write, &c.fresh_input, &c.output}) price(*t);
  const double seconds = c.cache_read.seconds_per_request + c.cache_write.seconds_per_request +
                         c.fresh_input.seconds_per_request + c.output.seconds_per_request;
  const double input_seconds = seconds - c.output.seconds_per_request;
  c.usd_per_mtok_input = c.isl > 0 ? input_seconds * usd_per_s / c.isl * 1e6 : 0;
  c.usd_per_mtok = mix.cache_read * c.cache_read.usd_per_mtok + mix.cache_write * c.cache_write.usd_per_mtok +
                   mix.fresh_input * c.fresh_input.usd_per_mtok + mix.output * c.output.usd_per_mtok;
  c.tokens_per_s = (c.isl + c.osl) / seconds;
  c.revenue_usd_per_mtok = request.price_list.blended_usd_per_mtok(mix);
  c.gross_margin = 1.0 - c.usd_per_mtok / c.revenue_usd_per_mtok;
  return c;
}

}  // namespace ws
