#include <fmt/format.h>

#include "request/command.h"
#include "request/commands/commands.h"

namespace ws {

const std::vector<Command>& commands() {
  static const std::vector<Command> all = {
      chips_command(),    systems_command(),  models_command(),      precisions_command(), workloads_command(),
      footprint_command(), gemm_command(),    deploy_command(),      tco_command(),        perf_command(),
      frontier_command(), cost_command(),     feasibility_command(), disagg_command(),     offload_command(),
      simulate_command(), validate_command(), calibrate_command(),   report_command(),
  };
  return all;
}

const Command* find_command(const std::string& name) {
  for (const auto& c : commands())
    if (c.name == name) return &c;
  return nullptr;
}

nlohmann::ordered_json CommandOutput::api_body() const {
  if (!api.is_null()) return api;
  if (tables.empty()) return nlohmann::ordered_json::array();
  return nlohmann::ordered_json::parse(render(tables.front(), Format::json));
}

CommandOutput run_command(const Command& command, const Context& context, const RequestValues& values, Caller caller) {
  try {
    return command.run(context, values);
  } catch (const InputError& error) {
    rethrow_respelled(error, command.fields, caller);
  }
}

}  // namespace ws
