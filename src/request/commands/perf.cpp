// perf: decode and prefill speed of one deployment, with the terms of its critical path on request.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "report/tables.h"
#include "request/commands/commands.h"
#include "request/common.h"

namespace ws {

struct PerfQuery {
  ModelSpec model;
  Hardware hardware;
  PerfRequest request;
  bool explain = false, explain_all = false;
};

PerfQuery perf_query(const Catalog& catalog, const RequestValues& v) {
  PerfQuery q{model_from(catalog, v), catalog.hardware(v.text("hardware"), "hardware")};
  q.request = perf_request_from(catalog, q.model, v);
  // One workload assumption everywhere: a workload gives the lengths (unless set) and its cache-read share of the
  // input is not prefilled, as `cost` and `simulate` take it.
  if (v.has("workload")) {
    const Workload w = catalog.workload(v.text("workload"), "workload", user_paths(v));
    if (!v.has("isl")) q.request.isl = std::max(1.0, std::round(w.mean_input_tokens()));
    if (!v.has("osl")) q.request.osl = std::max(1.0, std::round(w.mean_output_tokens()));
    q.request.prefix_cached_tokens = std::min(std::round(q.request.isl * w.cached_fraction_of_input()), q.request.isl - 1);
  }
  if (v.has("cached_tokens")) {
    q.request.prefix_cached_tokens = v.number("cached_tokens");
    if (q.request.prefix_cached_tokens >= q.request.isl)
      throw InputError("cached_tokens", fmt::format("expected fewer cached tokens than the {:.0f} input tokens; got {:.0f}",
                                                    q.request.isl, q.request.prefix_cached_tokens));
  }
  q.explain_all = v.flag("explain_all");
  q.explain = v.flag("explain") || q.explain_all;
  q.request.record_terms = q.explain;
  return q;
}

Command perf_command() {
  Command c{"perf", "Decode and prefill speed: TTFT, TPOT, tokens/s per user and per device",
            join({{model_field(false), config_field(), hardware_field()},
                  parallelism_fields(),
                  {concurrency_field("1", "Concurrent requests (closed loop)"),
                   tokens_field("isl", std::nullopt, "Input tokens per request (default 1024, or the workload's mean)"),
                   tokens_field("osl", std::nullopt, "Output tokens per request (default 1024, or the workload's mean)"),
                   text_field("workload", std::nullopt,
                              "Workload (catalog name or .toml): its mean lengths, and its cache-read share not prefilled"),
                   tokens_field("cached_tokens", std::nullopt, "Input tokens already cached, not prefilled (default 0, "
                                "or the workload's cache-read share)", 0)},
                  precision_fields(),
                  {text_field("spec_decode", std::string("none"),
                              "none | mtp[,k=K][,accept=A] | draft=MODEL[,k=K][,accept=A] | vendor"),
                   flag_field("explain", "The terms of one decode step and the bound that limits it"),
                   flag_field("explain_all", "Like explain, one line per layer and phase")}})};
  c.run = [](const Context& ctx, const RequestValues& v) {
    const PerfQuery q = perf_query(ctx.catalog, v);
    const PerfResult result = ctx.engine.run(q.model, q.hardware, q.request);
    CommandOutput out{{perf_table({result})}};
    if (q.explain) {
      out.tables.push_back(explain_table(result, q.explain_all));
      out.tables.push_back(bound_totals_table(result));
      auto rows = [](const Table& t) { return nlohmann::ordered_json::parse(render(t, Format::json)); };
      out.api = {{"result", rows(out.tables[0])}, {"explain", rows(out.tables[1])}, {"bounds", rows(out.tables[2])}};
    }
    return out;
  };
  return c;
}

}  // namespace ws
