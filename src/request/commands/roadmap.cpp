// roadmap: the wafer's futures (CS-4, a bonded DRAM wafer, photonic I/O, a 2 nm wafer, Groq's LP40) as catalog
// hardware derived from physical parameters, run through the same placement, speed and cost models.
#include "econ/roadmap.h"
#include "report/roadmap_tables.h"
#include "request/commands/commands.h"
#include "request/common.h"
#include "request/limits.h"

namespace ws {

// One list of members per result type, for the bytes that carry a design's part between processes (request/split.h);
// in ws itself, where argument-dependent lookup finds them.
template <class A>
void fields(A& a, RoadmapRow& r) {
  a(r.preset, r.display_name, r.hardware, r.node, r.derived, r.sram_bytes, r.bonded_memory_bytes,
    r.sram_bandwidth_bytes_per_s, r.dense_flops_per_s, r.io_bytes_per_s, r.systems, r.tokens_per_s_per_user,
    r.output_tokens_per_s, r.usd_per_mtok, r.bound, r.note);
}
template <class A>
void fields(A& a, TensorVsPipeline& t) {
  a(t.preset, t.wafers, t.layers, t.in_wafer_s, t.hop_latency_s, t.activation_bytes, t.io_bytes_per_s,
    t.pipeline_token_s, t.tensor_token_s, t.crossover_bytes_per_s, t.max_hop_latency_for_tp_s, t.verdict);
}
template <class A>
void fields(A& a, FeasibilityShift& f) {
  a(f.preset, f.context_tokens, f.concurrency, f.systems, f.kv_share_of_memory);
}
template <class A>
void fields(A& a, RoadmapResult& r) {
  a(r.rows, r.tensor_vs_pipeline, r.feasibility, r.assumptions);
}

namespace {

Field feasibility_concurrency_field() {
  Field f = concurrency_field("64", "Concurrent sequences for the systems-needed table");
  f.name = "feasibility_concurrency";
  return f;
}
}  // namespace

Command roadmap_command() {
  Command c{"roadmap",
            "Roadmap what-ifs: designs from physical parameters (node, SRAM share, clock, power, I/O, bonded DRAM) "
            "with their memory, systems, speed per user and cost per Mtok; TP vs PP across wafers",
            join({{Field{"preset", FieldType::list, "Designs of catalog/roadmap.toml (default: all)"},
                   text_field("model", std::string("gpt-oss-120b"), "Model (catalog name or config.json)"),
                   config_field(),
                   tokens_field("context", std::string("65536"), "Input tokens per request (the vendor sizes for 64k)"),
                   tokens_field("osl", std::string("1024"), "Output tokens per request"),
                   concurrency_field("1", "Concurrent requests for speed and cost"),
                   Field{"feasibility_contexts", FieldType::list,
                         "Contexts for the systems-needed table (default 8192,32768,131072,1048576)"},
                   feasibility_concurrency_field()},
                  precision_fields()})};
  c.run = [](const Context& ctx, const RequestValues& v) {
    const ModelSpec model = model_from(ctx.catalog, v);
    RoadmapRequest request;
    for (const auto& name : v.list("preset")) request.presets.push_back(to_lower(name));
    request.perf = perf_request_from(ctx.catalog, model, v);
    request.perf.isl = v.number("context");
    request.perf.record_terms = false;
    for (const auto& text : v.list("feasibility_contexts"))
      request.feasibility_contexts.push_back(tokens_from_text("feasibility_contexts", text));
    if (request.feasibility_contexts.empty()) request.feasibility_contexts = {8192, 32768, 131072, 1048576};
    request.feasibility_concurrency = v.number("feasibility_concurrency");
    // One work item per design, spread over the ranks under mpirun and joined in the catalog's order.
    const auto designs = roadmap_designs(ctx.catalog, request);
    const auto parts = run_items_as<RoadmapResult>(ctx.processes, designs.size(), [&](std::size_t i) {
      return run_roadmap_design(ctx.engine, ctx.catalog, model, request, *designs[i]);
    });
    RoadmapResult result;
    for (const auto& part : parts) append(result, part);
    CommandOutput out{{roadmap_table(result, model.name, request.perf.isl, request.perf.concurrency),
                       tensor_vs_pipeline_table(result), roadmap_feasibility_table(result),
                       roadmap_assumptions_table(result)}};
    auto rows = [](const Table& t) { return nlohmann::ordered_json::parse(render(t, Format::json)); };
    out.api = {{"designs", rows(out.tables[0])}, {"tensor_vs_pipeline", rows(out.tables[1])},
               {"feasibility", rows(out.tables[2])}, {"assumptions", rows(out.tables[3])}};
    return out;
  };
  return c;
}

}  // namespace ws
