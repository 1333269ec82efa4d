// footprint: parameters, weight bytes and KV-cache bytes per model.
#include "report/tables.h"
#include "request/commands/commands.h"
#include "request/common.h"
#include "request/limits.h"

namespace ws {

struct FootprintQuery {
  std::vector<ModelSpec> models;
  FootprintOptions options;
};

FootprintQuery footprint_query(const Catalog& catalog, const RequestValues& v) {
  FootprintQuery q;
  q.options.kv_precision = v.text("kv_dtype");
  catalog.precisions.get(q.options.kv_precision, "kv_dtype");
  q.options.honor_windows = parse_kv_window(v.text("kv_window"), "kv_window");
  if (v.has("context")) {
    q.options.contexts_tokens.clear();
    for (const auto& text : v.list("context")) q.options.contexts_tokens.push_back(tokens_from_text("context", text));
  }
  if (v.object("config")) {
    q.models.push_back(model_from(catalog, v));
  } else if (v.has("model")) {
    for (const auto& name : v.list("model")) q.models.push_back(catalog.model(name, "model", user_paths(v)));
  } else {
    for (const auto& name : catalog.model_names()) q.models.push_back(catalog.model(name, "model"));
  }
  return q;
}

Command footprint_command() {
  Field models{"model", FieldType::list, "Catalog names or config.json paths (default: every catalog model)"};
  Field contexts{"context", FieldType::list, "Context lengths in tokens (128000, 128k, 1m; default 128k,256k,1m)"};
  Command c{"footprint", "Parameters, weight bytes and KV-cache bytes per model",
            {models, config_field(), text_field("kv_dtype", std::string("bf16"), "KV-cache precision"), contexts,
             text_field("kv_window", std::string("honor"),
                        "honor: windowed layers cache their window; ignore: full context (the source's convention)")}};
  c.run = [](const Context& ctx, const RequestValues& v) {
    const FootprintQuery q = footprint_query(ctx.catalog, v);
    return CommandOutput{{footprint_table(ctx.catalog, q.models, q.options)}};
  };
  return c;
}

}  // namespace ws
