// feasibility: systems needed over model size x average input length (the phase diagram), catalog models on it.
#include <fmt/format.h>

#include <algorithm>

#include "placement/feasibility.h"
#include "report/plots.h"
#include "report/tables.h"
#include "request/commands/commands.h"
#include "request/common.h"
#include "request/limits.h"

namespace ws {

Command feasibility_command() {
  Command c{"feasibility", "Systems needed over model size x average input length (phase diagram)",
            join({{hardware_field("hardware", std::string("cs-3")), concurrency_field("1", "Concurrent requests whose KV must fit")},
                  precision_fields("fp8", "ignore"),
                  {count_field("points", "Grid points per axis", limits::max_feasibility_points,
                               "61 x 61 evaluations already draw smooth contours", std::string("41"), 5),
                   flag_field("grid", "Print the whole grid (CSV-friendly) instead of the catalog points"),
                   cli_only(text_field("plot", std::nullopt, "Write the diagram to FILE.png or FILE.svg"))}})};
  c.run = [](const Context& ctx, const RequestValues& v) {
    const Catalog& catalog = ctx.catalog;
    const Hardware hardware = catalog.hardware(v.text("hardware"), "hardware");
    const double concurrency = v.number("concurrency");
    const std::string weights = v.text("weight_dtype"), kv = v.text("kv_dtype");
    const double kv_bytes = catalog.precisions.get(kv, "kv_dtype").bytes_per_element();
    // The grid's weights are a precision; "checkpoint" only makes sense for the catalog points (then fp8 on the grid).
    const double weight_bytes =
        to_lower(weights) == "checkpoint" ? catalog.precisions.get("fp8", "weight_dtype").bytes_per_element()
                                          : catalog.precisions.get(weights, "weight_dtype").bytes_per_element();
    const auto points = feasibility_points(catalog, hardware, concurrency, weights, kv, parse_kv_window(v.text("kv_window"), "kv_window"));
    // 125B to 4T as the source draws it, extended down to the smallest catalog model so every point sits on it.
    double smallest = 125e9;
    for (const auto& p : points) smallest = std::min(smallest, 0.8 * p.params);
    const FeasibilityGrid grid =
        feasibility_grid(hardware, concurrency, weight_bytes, kv_bytes, static_cast<int>(v.integer("points")), smallest);
    CommandOutput out{{v.flag("grid") ? feasibility_grid_table(grid) : feasibility_points_table(points)}};
    out.api = {{"params", grid.params}, {"input_tokens", grid.input_tokens}, {"systems", grid.systems},
               {"models", nlohmann::ordered_json::parse(render(feasibility_points_table(points), Format::json))}};
    if (const std::string& plot = v.text("plot"); !plot.empty()) {
      plot_feasibility(grid, points,
                       fmt::format("Systems of {} needed: {:.0f} concurrent requests, {} weights, {} KV",
                                   hardware.system.display_name, concurrency, weights, kv),
                       plot);
      out.files.push_back(plot);
    }
    return out;
  };
  return c;
}

}  // namespace ws
