// tco: total cost of ownership per hour, per PFLOP and per TB/s.
#include "econ/tco.h"
#include "report/tables.h"
#include "request/commands/commands.h"
#include "request/common.h"

namespace ws {

Command tco_command() {
  Command c{"tco", "Total cost of ownership per hour, per PFLOP and per TB/s",
            {Field{"hardware", FieldType::list, "Systems (default: every system with cost inputs)"},
             text_field("flops_basis", std::string("fp8"), "Dense FLOP/s class for per-PFLOP figures (fp16, fp8, fp4)")}};
  c.run = [](const Context& ctx, const RequestValues& v) {
    const std::string basis = to_lower(v.text("flops_basis"));
    if (basis != "fp16" && basis != "fp8" && basis != "fp4")
      throw InputError("flops_basis", "expected fp16, fp8 or fp4; got '" + v.text("flops_basis") + "'");
    std::vector<std::string> names = v.list("hardware");
    if (names.empty())
      for (const auto& e : ctx.catalog.economics) names.push_back(e.system_name);
    std::vector<Tco> results;
    for (const auto& name : names) {
      const Hardware hardware = ctx.catalog.hardware(name, "hardware");
      results.push_back(compute_tco(ctx.catalog.economics_for(hardware.system.name, "hardware"), hardware, basis));
    }
    return CommandOutput{{tco_table(results)}};
  };
  return c;
}

}  // namespace ws
