#include "report/report.h"

#include <fmt/format.h>

#include <filesystem>

#include "core/error.h"
#include "frontier/frontier.h"
#include "perf/calibration.h"
#include "report/reproduction.h"

namespace ws {
namespace fs = std::filesystem;

namespace {

// The source's headline comparison: gpt-oss-120b (the Codex-Spark architecture) on a CS-3 pipeline against
// the GPU systems, InferenceX-style.
std::string write_frontiers(const Catalog& catalog, const std::string& out_dir, std::string& summary) {
  const PerfEngine engine(catalog);
  const ModelSpec model = catalog.model("gpt-oss-120b");
  std::vector<Hardware> hardware;
  for (const char* name : {"cs-3", "dgx-b300", "gb300-nvl72", "dgx-h100"}) hardware.push_back(catalog.hardware(name));
  std::string index = "## Throughput vs interactivity\n\n";
  index += "gpt-oss-120b on CS-3 wafers and GPU systems: each curve is the Pareto frontier over concurrency and "
           "parallelism (`waferscope frontier --model gpt-oss-120b --hardware cs-3,dgx-b300,gb300-nvl72,dgx-h100 "
           "--isl I --osl O --normalize N --plot FILE`).\n\n";
  for (auto [isl, osl] : {std::pair{1024.0, 1024.0}, {8192.0, 1024.0}}) {
    for (Normalizer normalize : {Normalizer::device, Normalizer::usd_hour}) {
      FrontierRequest request;
      request.isl = isl;
      request.osl = osl;
      request.normalize = normalize;
      const auto points = sweep_all(engine, {model}, hardware, request);
      const std::string base = fmt::format("frontier_gpt-oss-120b_{:.0f}_{:.0f}_{}", isl, osl, to_string(normalize));
      write_text_file(out_dir, base + ".csv", render(frontier_table(points, normalize, true), Format::csv));
      plot_frontier(points, normalize, fmt::format("gpt-oss-120b, ISL {:.0f} / OSL {:.0f}", isl, osl),
                    (fs::path(out_dir) / (base + ".png")).string());
      index += fmt::format("### ISL {:.0f} / OSL {:.0f}, {}\n\n![{}]({}.png)\n\n[csv]({}.csv)\n\n", isl, osl,
                           normalizer_unit(normalize), base, base, base);
    }
  }
  summary += "Wrote the gpt-oss-120b frontiers (1k/1k and 8k/1k, per device and per USD/hour) as PNG + CSV\n";
  return index;
}

std::string write_validation(const Catalog& catalog, const std::string& out_dir, std::string& summary) {
  const auto rows = validate(catalog, load_measurements(catalog));
  const auto errors = summarize(rows);
  write_text_file(out_dir, "validation.md", render(validation_table(rows), Format::md));
  write_text_file(out_dir, "validation.csv", render(validation_table(rows), Format::csv));
  const Table summary_table = validation_summary_table(errors);
  write_text_file(out_dir, "validation_summary.csv", render(summary_table, Format::csv));
  summary += "Performance model vs measurements (waferscope validate):\n" + render(summary_table, Format::table);
  std::string index = "## Performance model vs measurements\n\n";
  index += render(summary_table, Format::md) + "\n";
  for (const auto& c : catalog.device_constants)
    index += fmt::format("- `{}`: fitted on {}; residuals: {}\n", c.device_class, c.fitted_on, c.residuals);
  index += "\nEvery row: [validation.md](validation.md) ([csv](validation.csv)).\n\n";
  return index;
}

}  // namespace

std::string write_report(const Catalog& catalog, const std::string& out_dir) {
  std::error_code error;
  fs::create_directories(out_dir, error);
  if (error) throw InputError("--out", "cannot create folder '" + out_dir + "': " + error.message());
  const ReproductionReport reproduction = write_reproduction_report(catalog, out_dir);
  std::string summary = reproduction.summary;
  std::string index = "# waferscope report\n\n";
  index += reproduction.index_markdown + "\n";
  index += write_validation(catalog, out_dir, summary);
  index += write_frontiers(catalog, out_dir, summary);
  write_text_file(out_dir, "index.md", index);
  summary += fmt::format("Wrote everything under {}/ (open index.md)\n", out_dir);
  return summary;
}

}  // namespace ws
