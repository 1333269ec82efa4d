// The catalog listings: chips, systems, models, precisions, workloads (GET /api/<name> as well as POST).
#include "report/tables.h"
#include "request/commands/commands.h"
#include "request/common.h"

namespace ws {

Command chips_command() {
  Command c{"chips", "Accelerator chips: memory, FLOP/s, links, power, price",
            {text_field("relative_to", std::nullopt, "Divide each figure by this chip's (e.g. GB300)")}};
  c.listing = true;
  c.run = [](const Context& ctx, const RequestValues& v) {
    const std::string& reference = v.text("relative_to");
    return CommandOutput{{reference.empty() ? chips_table(ctx.catalog) : chips_relative_table(ctx.catalog, reference)}};
  };
  return c;
}

Command systems_command() {
  Command c{"systems", "Deployable systems (DGX, NVL72, CS-3, ...)", {}};
  c.listing = true;
  c.run = [](const Context& ctx, const RequestValues&) { return CommandOutput{{systems_table(ctx.catalog)}}; };
  return c;
}

Command models_command() {
  Command c{"models", "Catalog models and their architecture", {}};
  c.listing = true;
  c.run = [](const Context& ctx, const RequestValues&) { return CommandOutput{{models_table(ctx.catalog)}}; };
  return c;
}

Command precisions_command() {
  Command c{"precisions", "Number formats: bytes per element with block scales", {}};
  c.listing = true;
  c.run = [](const Context& ctx, const RequestValues&) {
    CommandOutput out{{precisions_table(ctx.catalog)}};
    out.api = nlohmann::ordered_json::array();
    for (const auto& name : ctx.catalog.precisions.names()) out.api.push_back(name);  // the page's select list
    return out;
  };
  return c;
}

Command workloads_command() {
  Command c{"workloads", "Workloads: length distributions and token-type mix", {}};
  c.listing = true;
  c.run = [](const Context& ctx, const RequestValues&) { return CommandOutput{{workloads_table(ctx.catalog)}}; };
  return c;
}

}  // namespace ws
