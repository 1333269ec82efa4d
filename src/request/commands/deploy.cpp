// deploy: devices needed for a model's weights and KV, memory left, KV transfer time.
#include "report/tables.h"
#include "request/commands/commands.h"
#include "request/common.h"

namespace ws {

Command deploy_command() {
  Field models{"model", FieldType::list, "Catalog names or config.json paths"};
  Field hardware{"hardware", FieldType::list, "Systems or chips"};
  hardware.required = true;
  Command c{"deploy", "Devices needed for a model's weights and KV; memory left; KV transfer time",
            join({{models, config_field(), hardware, tokens_field("context", std::string("128000"), "Tokens per sequence (128000, 128k, 1m)"),
                   concurrency_field("1", "Concurrent sequences whose KV must fit")},
                  precision_fields()})};
  c.run = [](const Context& ctx, const RequestValues& v) {
    std::vector<ModelSpec> models;
    if (v.object("config")) models.push_back(model_from(ctx.catalog, v));
    for (const auto& name : v.list("model")) models.push_back(ctx.catalog.model(name, "model", user_paths(v)));
    if (models.empty()) throw RequestFormatError("model", "missing (expected a catalog name or a config.json)");
    std::vector<Deployment> results;
    for (const auto& model : models) {
      const DeployRequest request = deploy_request_from(ctx.catalog, model, v);
      for (const auto& name : v.list("hardware")) results.push_back(deploy(model, ctx.catalog.hardware(name, "hardware"), request));
    }
    return CommandOutput{{deploy_table(results)}};
  };
  return c;
}

}  // namespace ws
