// frontier: Pareto frontier of throughput vs tokens/s per user over concurrency and parallelism, with a chart.
#include <fmt/format.h>

#include "frontier/frontier.h"
#include "report/plots.h"
#include "report/tables.h"
#include "request/commands/commands.h"
#include "request/common.h"
#include "request/limits.h"

namespace ws {

// One list of a frontier point's members, for the bytes that carry it between processes (request/split.h).
template <class Archive>
void fields(Archive& a, FrontierPoint& p) {
  a(p.model, p.hardware, p.devices, p.prefill_devices, p.tp, p.pp, p.ep, p.attention_dp, p.spec_draft_tokens, p.concurrency,
    p.tokens_per_s_per_user, p.output_tokens_per_s, p.total_tokens_per_s, p.normalizer_value,
    p.output_tokens_per_s_per_norm, p.total_tokens_per_s_per_norm, p.ttft_s, p.bound, p.pareto);
}

struct FrontierQuery {
  std::vector<ModelSpec> models;
  std::vector<Hardware> hardware;
  FrontierRequest request;
  bool all_points = false;
  std::string plot;
};

FrontierQuery frontier_query(const Context& ctx, const RequestValues& v) {
  const Catalog& catalog = ctx.catalog;
  FrontierQuery q;
  const auto model_names = v.list("model");
  if (v.object("config")) {
    q.models.push_back(model_from(catalog, v));
  } else if (model_names.size() == 1 && to_lower(model_names[0]) == "all") {
    for (const auto& entry : catalog.models)
      if (!entry.aggregate) q.models.push_back(catalog.model(entry.name, "model"));
  } else {
    for (const auto& name : model_names) q.models.push_back(catalog.model(name, "model", user_paths(v)));
  }
  if (q.models.empty()) throw RequestFormatError("model", "missing (expected model names, 'all', or a config)");
  const auto hardware_names = v.list("hardware");
  const bool all = hardware_names.size() == 1 && to_lower(hardware_names[0]) == "all";
  for (const auto& name : all ? catalog.hardware_names() : hardware_names) q.hardware.push_back(catalog.hardware(name, "hardware"));
  const double pairs = static_cast<double>(q.models.size() * q.hardware.size());
  if (ctx.caller == Caller::api && pairs > limits::max_api_frontier_hardware)
    throw InputError("hardware", fmt::format("a sweep through the API takes at most {:.0f} model x hardware pairs (one call "
                                             "stays under a second on a shared server); got {:.0f}; the CLI sweeps any number",
                                             limits::max_api_frontier_hardware, pairs));
  q.request.isl = v.number("isl");
  q.request.osl = v.number("osl");
  q.request.normalize = parse_normalizer(v.text("normalize"));
  q.request.weight_dtype = v.text("weight_dtype");
  q.request.kv_dtype = v.text("kv_dtype");
  q.request.honor_windows = parse_kv_window(v.text("kv_window"), "kv_window");
  q.request.max_concurrency = static_cast<int>(v.integer("max_concurrency"));
  if (v.has("spec_decode")) {
    q.request.spec = parse_spec_decode(v.text("spec_decode"), catalog, "spec_decode", user_paths(v));
    if (q.request.spec.method != "none" && q.request.spec.method != "mtp")
      throw InputError("spec_decode", "the frontier sweeps none or mtp[,k=K][,accept=A]; got '" + v.text("spec_decode") + "'");
  }
  if (v.has("stack")) q.request.serving_stack = to_lower(v.text("stack"));
  q.request.disaggregated = !v.flag("colocated_only");
  q.all_points = v.flag("all_points");
  q.plot = v.text("plot");
  for (const auto& h : q.hardware) normalizer_value(catalog, h, 1, q.request.normalize);  // fail before the sweep
  return q;
}

Command frontier_command() {
  Field models{"model", FieldType::list, "Models, comma-separated, or 'all'"};
  Field hardware{"hardware", FieldType::list, "Hardware, comma-separated, or 'all'"};
  hardware.required = true;
  Command c{"frontier", "Pareto frontier of throughput vs tokens/s per user, with a chart",
            join({{models, config_field(), hardware, tokens_field("isl", std::string("1024"), "Input tokens per request"),
                   tokens_field("osl", std::string("1024"), "Output tokens per request"),
                   text_field("normalize", std::string("device"), "device, system, usd_hour, mw or usd_per_mtok"),
                   count_field("max_concurrency", "Largest concurrency swept (powers of two up to it)",
                               limits::max_frontier_concurrency, "past where every catalog deployment runs out of KV memory",
                               std::string("4096"))},
                  precision_fields(),
                  {stack_field(), text_field("spec_decode", std::string("none"),
                              "none | mtp[,k=K][,accept=A]: also sweep MTP drafting for models with an MTP module"),
                   flag_field("colocated_only", "GPUs: leave out the disaggregated points (prefill on a pool of its own)"),
                   flag_field("all_points", "Every swept point, not only the Pareto-optimal ones"),
                   cli_only(text_field("plot", std::nullopt, "Write the chart to FILE.png or FILE.svg (gnuplot)"))}})};
  c.run = [](const Context& ctx, const RequestValues& v) {
    const FrontierQuery q = frontier_query(ctx, v);
    // Every (model, hardware) pair is one work item, model-major as sweep_all orders them; under mpirun the
    // pairs are spread over the ranks and come back in this order, so every rank prints what one process prints.
    const std::size_t hw = q.hardware.size(), pairs = q.models.size() * hw;
    const auto per_pair = run_items_as<std::vector<FrontierPoint>>(
        ctx.processes, pairs, [&](std::size_t i) { return sweep(ctx.engine, q.models[i / hw], q.hardware[i % hw], q.request); },
        [&](std::size_t done, std::size_t total) {
          if (ctx.progress) ctx.progress(fmt::format("sweeping {}/{} model x hardware pairs", done, total));
        });
    std::vector<FrontierPoint> points;
    std::vector<std::string> infeasible;
    for (std::size_t i = 0; i < pairs; ++i) {
      if (per_pair[i].empty()) infeasible.push_back(q.models[i / hw].name + " on " + q.hardware[i % hw].system.name);
      points.insert(points.end(), per_pair[i].begin(), per_pair[i].end());
    }
    CommandOutput out{{frontier_table(points, q.request.normalize, !q.all_points)}};
    for (const auto& pair : infeasible)
      out.tables[0].notes.push_back(pair + ": no feasible point (does not fit at concurrency 1 in any parallelism swept)");
    if (!q.plot.empty() && ctx.writes_files()) {
      const std::string title =
          fmt::format("{} - ISL {:.0f} / OSL {:.0f}", q.models.size() == 1 ? q.models[0].display_name : std::string("catalog models"),
                      q.request.isl, q.request.osl);
      plot_frontier(points, q.request.normalize, title, q.plot);
      out.files.push_back(q.plot);
    }
    return out;
  };
  return c;
}

}  // namespace ws
