// disagg: prefill on one hardware, decode on another, against co-located serving on each.
#include "econ/disaggregation_cost.h"
#include "perf/disaggregation.h"
#include "report/tables.h"
#include "request/commands/commands.h"
#include "request/common.h"
#include "request/limits.h"

namespace ws {

SystemPrice price_from(const Catalog& catalog, const Hardware& hardware, const RequestValues& v);  // cost.cpp
Field price_field(const std::string& fallback);
Field usd_per_hour_field();

Command disagg_command() {
  const std::string reason = "wider than any scale-up domain or pipeline in the catalog";
  Command c{"disagg", "Prefill on one hardware, decode on another, vs co-located serving",
            join({{model_field(false), config_field(), hardware_field("prefill", std::nullopt, "Prefill hardware"),
                   hardware_field("decode", std::nullopt, "Decode hardware"),
                   text_field("workload", std::string("agentic-coding"), "Workload name or .toml path"),
                   concurrency_field("64", "Concurrent decode sequences per decode deployment"),
                   count_field("decode_pp", "Pipeline stages of the decode deployment", limits::max_parallelism, reason),
                   count_field("prefill_tp", "TP of one prefill replica", limits::max_parallelism, reason),
                   price_field("tco"), usd_per_hour_field(),
                   Field{"switch_hops", FieldType::integer, "Switch hops between the pools (5 us each)", std::string("2"), 0,
                         limits::max_switch_hops, "a three-tier Clos is 5 hops"}},
                  precision_fields()})};
  c.run = [](const Context& ctx, const RequestValues& v) {
    const Catalog& catalog = ctx.catalog;
    const ModelSpec model = model_from(catalog, v);
    const Hardware prefill = catalog.hardware(v.text("prefill"), "prefill"), decode = catalog.hardware(v.text("decode"), "decode");
    DisaggRequest request;
    request.workload = catalog.workload(v.text("workload"), "workload", user_paths(v));
    request.decode = perf_request_from(catalog, model, v);
    request.prefill = request.decode;
    request.decode.pp = v.optional_int("decode_pp");
    request.prefill.concurrency = 1;
    request.prefill.tp = v.optional_int("prefill_tp");
    request.switch_hops = v.number("switch_hops");
    const auto rows = price_disaggregation(compare_disaggregation(ctx.engine, model, prefill, decode, request),
                                           price_from(catalog, prefill, v), price_from(catalog, decode, v));
    Table table = disaggregation_table(rows);
    const std::string note = five_x_note(rows);
    table.notes.push_back(note);
    CommandOutput out{{table}};
    out.api = {{"rows", nlohmann::ordered_json::parse(render(table, Format::json))}, {"note", note}};
    return out;
  };
  return c;
}

}  // namespace ws
