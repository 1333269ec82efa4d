// validate and calibrate: predicted vs measured on the catalog's measurements, and the fit of each device
// class's free constants.
#include <fmt/format.h>

#include <filesystem>

#include "perf/calibration.h"
#include "report/tables.h"
#include "request/commands/commands.h"
#include "request/common.h"

namespace ws {

Command validate_command() {
  Command c{"validate", "Predicted vs measured for every measurement in catalog/measurements/",
            {flag_field("rows", "Print every row, not only the summary")}};
  c.run = [](const Context& ctx, const RequestValues& v) {
    const auto rows = validate(ctx.catalog, load_measurements(ctx.catalog));
    CommandOutput out;
    if (v.flag("rows")) out.tables.push_back(validation_table(rows));
    out.tables.push_back(validation_summary_table(summarize(rows)));
    out.api = nlohmann::ordered_json::parse(render(out.tables.back(), Format::json));
    return out;
  };
  return c;
}

Command calibrate_command() {
  Command c{"calibrate", "Refit the free constants of each device class; prints calibration.toml values",
            {text_field("device_class", std::string("all"), "hbm_gpu, wafer or all"),
             flag_field("write", "Write the fitted values into the catalog's calibration.toml")}};
  c.api = false;  // minutes of fitting, and --write changes the catalog
  c.run = [](const Context& ctx, const RequestValues& v) {
    std::vector<std::string> classes = {"hbm_gpu", "wafer"};
    if (to_lower(v.text("device_class")) != "all") classes = {v.text("device_class")};
    Table t;
    t.title = "Fitted constants";
    t.columns = {Column{"device_class", "class"}, Column{"constant", "constant"}, Column{"value", "value", 1, 6},
                 Column{"objective", "objective", 1, 4}};
    CommandOutput out;
    for (const auto& cls : classes) {
      if (ctx.progress) ctx.progress("fitting " + cls);
      const FitResult fit = fit_device_class(ctx.catalog, cls);
      for (std::size_t i = 0; i < fit.names.size(); ++i) t.rows.push_back({cls, fit.names[i], fit.values[i], fit.objective});
      t.notes.push_back(cls + " residuals: " + fit.residuals);
      if (v.flag("write")) {
        const std::string path = (std::filesystem::path(ctx.catalog.root) / "calibration.toml").string();
        write_fit(path, fit);
        out.files.push_back(path);
      }
    }
    out.tables.insert(out.tables.begin(), t);
    return out;
  };
  return c;
}

}  // namespace ws
