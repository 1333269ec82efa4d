// offload: KV offload to the host tier (the CS-3's KVSS): sessions gained and a returning session's TTFT.
#include <algorithm>

#include "placement/kv_offload.h"
#include "report/tables.h"
#include "request/commands/commands.h"
#include "request/common.h"
#include "request/limits.h"

namespace ws {

Command offload_command() {
  Command c{"offload", "KV offload to the host tier (CS-3 KVSS): sessions gained, returning TTFT",
            join({{model_field(false), config_field(), hardware_field("hardware", std::string("cs-3"), "System with a host tier"),
                   tokens_field("context", std::string("96300"), "Tokens of context per session"),
                   tokens_field("new_tokens", std::string("2000"), "New input tokens a returning session brings", 0),
                   count_field("systems", "Systems (default: the fewest that hold the weights)", limits::max_devices,
                               "beyond the largest announced AI cluster")},
                  precision_fields()})};
  c.run = [](const Context& ctx, const RequestValues& v) {
    const Catalog& catalog = ctx.catalog;
    const ModelSpec model = model_from(catalog, v);
    const Hardware hardware = catalog.hardware(v.text("hardware"), "hardware");
    const double context = v.number("context"), new_tokens = v.number("new_tokens");
    PerfRequest p = perf_request_from(catalog, model, v);
    const double kv_bytes = kv_bytes_for_context(model, p.kv, context, p.honor_windows);
    DeployRequest d;
    d.weights = p.weights;
    d.kv = p.kv;
    const Deployment deployment = deploy(model, hardware, d);
    const double systems = v.optional_number("systems").value_or(std::max(1, deployment.min_systems));
    const KvOffload o = kv_offload(model, hardware, systems, weight_bytes(model, p.weights), kv_bytes, context);
    // A returning session: its KV back from the host, then its new tokens prefilled against that context.
    p.isl = context + std::max(1.0, new_tokens);
    p.osl = 1;
    p.prefix_cached_tokens = context;
    p.devices = static_cast<int>(std::min<double>(systems * hardware.system.chip_count, limits::max_devices));
    p.record_terms = false;
    const PerfResult r = ctx.engine.run(model, hardware, p);
    return CommandOutput{{kv_offload_table(o, r.prefill_s, o.reload_seconds + r.prefill_s + r.decode_step_s)}};
  };
  return c;
}

}  // namespace ws
