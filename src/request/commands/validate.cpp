// validate and calibrate: predicted vs measured on the catalog's measurements, and the fit of each device
// class's free constants.
#include <fmt/format.h>

#include <filesystem>

#include "perf/calibration.h"
#include "report/plots.h"
#include "report/tables.h"
#include "request/commands/commands.h"
#include "request/common.h"

namespace ws {

Command validate_command() {
  Command c{"validate", "Predicted vs measured for every measurement in catalog/measurements/",
            {flag_field("rows", "Print every row, not only the summary"),
             cli_only(text_field("plot", std::nullopt, "Write the parity plot (predicted vs measured) to FILE.png or FILE.svg"))}};
  c.run = [](const Context& ctx, const RequestValues& v) {
    const auto rows = validate(ctx.catalog, load_measurements(ctx.catalog));
    CommandOutput out;
    if (v.flag("rows")) out.tables.push_back(validation_table(rows));
    out.tables.push_back(validation_summary_table(summarize(rows)));
    out.tables.push_back(group_error_table(group_errors(ctx.catalog, rows)));
    out.api = nlohmann::ordered_json::parse(render(out.tables.back(), Format::json));  // one row per class x group x metric
    if (v.has("plot")) {
      plot_parity(rows, "Predicted vs measured, every measurement in catalog/measurements/", v.text("plot"));
      out.files.push_back(v.text("plot"));
    }
    return out;
  };
  return c;
}

Command calibrate_command() {
  Command c{"calibrate", "Refit the free constants of each device class; prints calibration.toml values",
            {text_field("device_class", std::string("all"), "hbm_gpu, wafer, sram_lpu or all"),
             flag_field("write", "Write the fitted values into calibration.toml and the cross-validation into "
                                 "cross_validation.csv"),
             flag_field("no_cross_validation", "Skip the leave-one-group-out refits (one per group: minutes)")}};
  c.api = false;  // minutes of fitting, and --write changes the catalog
  c.run = [](const Context& ctx, const RequestValues& v) {
    // Every fit of the chosen class, in order (the GPU kernels' constants before the MTP acceptance fitted on them).
    const std::string chosen = to_lower(v.text("device_class"));
    std::vector<std::string> classes;
    for (const auto& fit : fit_names())
      if (chosen == "all" || fit == chosen || fit.rfind(chosen + "_", 0) == 0) classes.push_back(fit);
    if (classes.empty()) classes = {chosen};  // fit_device_class names what is accepted
    Catalog current = ctx.catalog;
    Table t;
    t.title = "Fitted constants";
    t.columns = {Column{"device_class", "class"}, Column{"constant", "constant"}, Column{"value", "value", 1, 6},
                 Column{"objective", "objective", 1, 4}};
    CommandOutput out;
    std::vector<GroupError> all_cv;
    for (const auto& cls : classes) {
      if (ctx.progress) ctx.progress("fitting " + cls);
      const FitResult fit = fit_device_class(current, cls);
      current = with_fit(current, fit);
      for (std::size_t i = 0; i < fit.names.size(); ++i) t.rows.push_back({cls, fit.names[i], fit.values[i], fit.objective});
      t.notes.push_back(cls + " residuals (the fit's own rows, not a validation): " + fit.residuals);
      std::vector<GroupError> cv;
      if (!v.flag("no_cross_validation")) {
        // The fit columns with the constants just fitted; each refit starts from them.
        cv = cross_validate(current, cls, ctx.progress);
        all_cv.insert(all_cv.end(), cv.begin(), cv.end());
      }
      if (v.flag("write")) {
        const std::filesystem::path root(ctx.catalog.root);
        write_fit((root / "calibration.toml").string(), fit);
        out.files.push_back((root / "calibration.toml").string());
        if (!cv.empty()) {
          write_cross_validation((root / "cross_validation.csv").string(), cv);
          out.files.push_back((root / "cross_validation.csv").string());
        }
      }
    }
    out.tables.insert(out.tables.begin(), t);
    if (!all_cv.empty()) out.tables.push_back(group_error_table(all_cv));
    return out;
  };
  return c;
}

}  // namespace ws
