// fleet: critical-IT megawatts to systems, facility power, cooling, and what the fleet serves and earns at one
// operating point; --schedule: a contract's yearly power tranches against capacity lined up.
#include "econ/fleet.h"

#include "core/units.h"
#include "report/planning.h"
#include "request/commands/commands.h"
#include "request/common.h"
#include "request/limits.h"

namespace ws {

namespace {

// The operating point: the cost command's deployment (physical rule) for the model and workload.
CostResult operating_point(const Context& ctx, const Hardware& hardware, const RequestValues& v) {
  const Catalog& catalog = ctx.catalog;
  const ModelSpec model = model_from(catalog, v);
  CostRequest request;
  request.workload = catalog.workload(v.text("workload"), "workload", user_paths(v));
  request.price_list = catalog.price_list(v.text("price_list"), "price_list");
  request.price = SystemPrice{"n/a", 1};  // the cost per token is not reported here; only speeds are used
  request.perf = perf_request_from(catalog, model, v);
  request.perf.concurrency = v.optional_number("concurrency").value_or(load_calculator_constants(catalog).default_concurrency);
  request.perf.isl = request.perf.osl = 1;  // lengths come from the workload
  request.rule = CostRule::physical;
  return token_cost(ctx.engine, model, hardware, request);
}

CommandOutput schedule_output(const Context& ctx, const RequestValues& v) {
  const CapacityPlan& plan = ctx.catalog.capacity_plan(v.text("plan"), "plan");
  const Hardware hardware = ctx.catalog.hardware(plan.system_name, "plan");
  const auto years = capacity_schedule(plan, ctx.catalog.economics_for(hardware.system.name, "plan").all_in_power_w);
  CommandOutput out{{schedule_table(plan, years)}, {}, {}, {}};
  if (v.has("plot")) {
    plot_capacity_schedule(plan, years, v.text("plot"));
    out.files.push_back(v.text("plot"));
  }
  return out;
}

}  // namespace

Command fleet_command() {
  Command c{"fleet", "A fleet in megawatts: systems, facility power, cooling, tokens/day and revenue; --schedule: tranches vs capacity",
            join({{hardware_field("hardware", std::string("cs-3")),
                   bounded_field("mw", FieldType::number, "Critical-IT megawatts", std::string("750"), 1e-3, limits::max_fleet_mw,
                                 "10 GW: twice the largest announced AI campus"),
                   text_field("model", std::string("gpt-oss-120b"), "Model served (catalog name or config.json path)"),
                   text_field("workload", std::string("agentic-coding"), "Workload name or .toml path"),
                   text_field("price_list", std::string("openai-gpt-5.2"), "Token list prices for revenue (catalog/prices.toml)"),
                   concurrency_field(std::nullopt, "Concurrent requests per replica (default: the public calculator's 250)")},
                  parallelism_fields(), precision_fields(),
                  {flag_field("schedule", "The capacity plan's yearly tranches against capacity lined up, with the shortfall"),
                   text_field("plan", std::string("openai-cerebras"), "Capacity plan for --schedule (catalog/facilities.toml)"),
                   cli_only(text_field("plot", std::nullopt, "With --schedule: write the chart to FILE.png or FILE.svg"))}})};
  c.run = [](const Context& ctx, const RequestValues& v) {
    if (v.flag("schedule")) return schedule_output(ctx, v);
    if (v.has("plot")) throw InputError("plot", "expected --schedule with --plot (the chart is the schedule's)");
    const Hardware hardware = ctx.catalog.hardware(v.text("hardware"), "hardware");
    const SystemEconomics& economics = ctx.catalog.economics_for(hardware.system.name, "hardware");
    const FleetPower power = fleet_power(hardware, economics, ctx.catalog.cooling_for(hardware.system.name),
                                         v.number("mw") * units::watts_per_mw, "mw");
    const CostResult cost = operating_point(ctx, hardware, v);
    const PriceList& prices = ctx.catalog.price_list(v.text("price_list"), "price_list");
    return CommandOutput{{fleet_table(power, fleet_output(power, hardware, cost, prices, economics.rental_usd_per_hour))}, {}, {}, {}};
  };
  return c;
}

}  // namespace ws
