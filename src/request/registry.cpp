#include "request/command.h"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

#include "request/commands/commands.h"

namespace ws {

const std::vector<Command>& commands() {
  static const std::vector<Command> all = {
      chips_command(),     systems_command(),  models_command(),       precisions_command(), workloads_command(),
      lengths_command(),   footprint_command(), gemm_command(),        roofline_command(),   fabric_command(),
      wafer_command(),     deploy_command(),   tco_command(),          perf_command(),       frontier_command(),
      cost_command(),      feasibility_command(), disagg_command(),    offload_command(),    simulate_command(),
      fleet_command(),     deal_command(),     bom_command(),          roadmap_command(),    validate_command(),
      calibrate_command(), report_command(),
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

namespace {

// Every number leaving the library is finite: NaN marks "not applicable" (printed '-'), but an infinity is a
// division the validation missed, and is reported as the internal error it is rather than printed as a number.
void check_finite(const CommandOutput& out, const std::string& command) {
  for (const auto& table : out.tables)
    for (const auto& row : table.rows)
      for (std::size_t i = 0; i < row.size(); ++i)
        if (const double* value = std::get_if<double>(&row[i]); value && std::isinf(*value))
          throw std::logic_error(command + ": " + table.title + ": column '" +
                                 (i < table.columns.size() ? table.columns[i].key : std::to_string(i)) +
                                 "' is infinite");
}

}  // namespace

CommandOutput run_command(const Command& command, const Context& context, const RequestValues& values, Caller caller) {
  try {
    CommandOutput out = command.run(context, values);
    check_finite(out, command.name);
    return out;
  } catch (const InputError& error) {
    rethrow_respelled(error, command.fields, caller);
  }
}

}  // namespace ws
