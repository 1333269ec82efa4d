// cost: cost per million tokens by token type, blended, and the gross margin, under the physical and the
// public calculator's rule.
#include <fmt/format.h>

#include "econ/token_cost.h"
#include "report/tables.h"
#include "request/commands/commands.h"
#include "request/common.h"
#include "request/limits.h"

namespace ws {

Field price_field(const std::string& fallback) {
  return text_field("price", fallback, "tco, rental, or USD per system-hour");
}

Field usd_per_hour_field() {
  return Field{"usd_per_hour", FieldType::number, "USD per system-hour (instead of price)", std::nullopt, 1e-6,
               limits::max_usd_per_hour, "three orders of magnitude above any rental price in the catalog"};
}

// The price the request names: usd_per_hour when given, else price (tco | rental | a number).
SystemPrice price_from(const Catalog& catalog, const Hardware& hardware, const RequestValues& v) {
  if (auto usd = v.optional_number("usd_per_hour")) return SystemPrice{fmt::format("{} USD/h", *usd), *usd};
  const SystemPrice price = system_price(catalog, hardware, v.text("price"));
  if (price.usd_per_hour > limits::max_usd_per_hour)  // the same cap as usd_per_hour: 1e308 priced to infinity
    throw InputError("price", fmt::format("expected at most {:.0f} USD per system-hour (three orders of magnitude above "
                                          "any rental price in the catalog); got '{}'",
                                          limits::max_usd_per_hour, v.text("price")));
  return price;
}

Command cost_command() {
  Command c{"cost", "Cost per million tokens by token type, blended, and the gross margin",
            join({{model_field(false), config_field(), hardware_field(),
                   text_field("workload", std::string("agentic-coding"), "Workload name or .toml path"),
                   price_field("rental"), usd_per_hour_field(),
                   text_field("price_list", std::string("openai-gpt-5.2"), "Token list prices for revenue (catalog/prices.toml)"),
                   text_field("rule", std::string("both"), "physical, calculator or both"),
                   concurrency_field(std::nullopt, "Concurrent requests (default: the public calculator's 250)")},
                  parallelism_fields(), precision_fields(),
                  {tokens_field("isl", std::nullopt, "Average input tokens per request (default: the workload's mean)"),
                   text_field("cache_tier", std::nullopt, "Where cached prefixes live: device or host (default: host if the system has one)")}})};
  c.run = [](const Context& ctx, const RequestValues& v) {
    const Catalog& catalog = ctx.catalog;
    const ModelSpec model = model_from(catalog, v);
    const Hardware hardware = catalog.hardware(v.text("hardware"), "hardware");
    CostRequest request;
    request.workload = catalog.workload(v.text("workload"), "workload", user_paths(v));
    request.price_list = catalog.price_list(v.text("price_list"), "price_list");
    request.price = price_from(catalog, hardware, v);
    request.perf = perf_request_from(catalog, model, v);
    request.perf.concurrency = v.optional_number("concurrency").value_or(load_calculator_constants(catalog).default_concurrency);
    request.perf.isl = request.perf.osl = 1;  // lengths come from the workload
    request.cache_tier = to_lower(v.text("cache_tier"));
    request.isl_override = v.optional_number("isl").value_or(0);
    const std::string rule = to_lower(v.text("rule"));
    const std::vector<CostRule> rules =
        rule == "both" ? std::vector<CostRule>{CostRule::physical, CostRule::calculator} : std::vector<CostRule>{parse_cost_rule(rule)};
    std::vector<CostResult> results;
    for (CostRule r : rules) {
      request.rule = r;
      results.push_back(token_cost(ctx.engine, model, hardware, request));
    }
    return CommandOutput{{cost_table(results)}};
  };
  return c;
}

}  // namespace ws
