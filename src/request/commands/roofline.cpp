// roofline: attainable FLOP/s against arithmetic intensity (log-log) for chips, systems, or what a budget buys of
// each, with the source's GEMM shapes as vertical lines; the curves as a table (and --csv FILE).
#include <fmt/format.h>

#include <fstream>

#include "report/planning.h"
#include "report/tables.h"
#include "request/commands/commands.h"
#include "request/common.h"
#include "request/limits.h"

namespace ws {

namespace {

// The source's charts, built up one after another: its chip table's accelerators; for a budget, one of each kind
// of hardware (an 8-GPU HGX-class node, an NVL72 rack, LP30 chips, a CS-3).
const std::vector<std::string> kSourceChips = {"h100", "h200", "b200", "b300", "r200", "wse-3", "groq-lp30"};
const std::vector<std::string> kSourceBudgetHardware = {"dgx-b300", "gb300-nvl72", "groq-lp30", "cs-3"};

// Intensities drawn: a decade below the lowest ridge (WSE-3, 0.74) to past the source's largest shape (4,096).
constexpr double kLowestIntensity = 0.1, kHighestIntensity = 1e5;

std::vector<Roofline> rooflines_for(const Catalog& catalog, const RequestValues& v, const Precision& precision,
                                    double budget_usd) {
  std::vector<std::pair<std::string, std::string>> named;  // (name, field)
  for (const auto& chip : v.list("chip")) named.emplace_back(catalog.chip(chip, "chip").name, "chip");
  for (const auto& system : v.list("system")) {
    const Hardware h = catalog.hardware(system, "system");
    if (h.system.is_single_chip) throw InputError("system", "expected a system; '" + system + "' is a chip (use --chip)");
    named.emplace_back(h.system.name, "system");
  }
  if (named.empty())
    for (const auto& name : budget_usd > 0 ? kSourceBudgetHardware : kSourceChips) named.emplace_back(name, "chip");
  std::vector<Roofline> result;
  for (const auto& [name, field] : named) {
    const Hardware h = catalog.hardware(name, field);
    double units = 1;
    if (budget_usd > 0) {
      const auto price = h.price_usd();
      if (!price) throw InputError(field, "'" + name + "' has no price in catalog/systems.toml or chips.toml; --per-usd needs one");
      units = budget_usd / *price;
    }
    auto roofline = hardware_roofline(h, precision, units);
    if (!roofline)
      throw InputError("dtype", fmt::format("'{}' has no {} FLOP/s figure for {}", name, precision.compute_class, precision.name));
    result.push_back(*roofline);
  }
  return result;
}

}  // namespace

Command roofline_command() {
  Command c{"roofline", "Rooflines (attainable FLOP/s vs arithmetic intensity) of chips, systems or a budget's worth, with GEMM shapes",
            {Field{"chip", FieldType::list, "Chips (default, when no system is named: the source's chip chart)"},
             Field{"system", FieldType::list, "Systems"},
             bounded_field("per_usd", FieldType::number,
                           "Scale each to what this many USD buy (default hardware: the source's HGX, NVL72, LP30, CS-3)",
                           std::nullopt, 1, limits::max_budget_usd, "above the largest announced AI build-out (~5e11 USD)"),
             text_field("dtype", std::string("fp8"), "Precision whose FLOP/s class the peaks use (fp8, bf16, fp4, ...)"),
             cli_only(text_field("plot", std::nullopt, "Write the chart to FILE.png or FILE.svg")),
             cli_only(text_field("csv", std::nullopt, "Write the curves (name, arithmetic_intensity, attainable_flops_per_s) to FILE"))}};
  c.run = [](const Context& ctx, const RequestValues& v) {
    const Precision& precision = ctx.catalog.precisions.get(v.text("dtype"), "dtype");
    const double budget = v.optional_number("per_usd").value_or(0);
    const std::vector<Roofline> rooflines = rooflines_for(ctx.catalog, v, precision, budget);
    std::vector<IntensityMark> marks;
    std::vector<double> exact;
    for (const auto& shape : default_gemm_shapes(ctx.catalog)) {
      marks.push_back({shape.name, arithmetic_intensity(shape, precision.bytes_per_element())});
      exact.push_back(marks.back().arithmetic_intensity);
    }
    for (const auto& r : rooflines) exact.push_back(r.ridge_point());
    const std::vector<double> intensities = roofline_intensities(kLowestIntensity, kHighestIntensity, exact);
    CommandOutput out{{rooflines_table(rooflines, precision.name, budget), roofline_curves_table(rooflines, intensities)}, {}, {}, {}};
    auto rows = [](const Table& t) { return nlohmann::ordered_json::parse(render(t, Format::json)); };
    out.api = {{"rooflines", rows(out.tables[0])}, {"curves", rows(out.tables[1])}};
    if (v.has("csv")) {
      std::ofstream file(v.text("csv"));
      if (!(file << render(out.tables[1], Format::csv)))
        throw InputError("csv", "cannot write '" + v.text("csv") + "'");
      out.files.push_back(v.text("csv"));
    }
    if (v.has("plot")) {
      const std::string what = budget > 0 ? fmt::format("{:.3g} USD of each", budget) : v.list("system").empty() ? "chips" : "systems";
      plot_rooflines(rooflines, intensities, marks, "Rooflines (" + precision.name + "): " + what, v.text("plot"));
      out.files.push_back(v.text("plot"));
    }
    return out;
  };
  return c;
}

}  // namespace ws
