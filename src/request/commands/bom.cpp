// bom: a rack's bill of materials as line items (catalog/bom.toml), totalled for a DRAM price scenario, against
// the published totals; the total can stand in for the TCO's server cost.
#include <fmt/format.h>

#include "econ/bom.h"
#include "econ/tco.h"
#include "report/deal_plots.h"
#include "request/commands/commands.h"
#include "request/common.h"
#include "request/limits.h"

namespace ws {

namespace {

const SystemBom& find_bom(const Catalog& catalog, const std::string& hardware) {
  const std::string system = catalog.hardware(hardware, "hardware").system.name;
  std::vector<std::string> known;
  for (const auto& b : catalog.boms) {
    if (b.system == system) return b;
    known.push_back(b.system);
  }
  std::string names;
  for (const auto& k : known) names += (names.empty() ? "" : ", ") + k;
  throw InputError("hardware", "expected a system with a bill of materials in catalog/bom.toml (" + names + "); got '" +
                                   hardware + "'");
}

Table lines_table(const Bom& bom, const std::string& scenario) {
  Table t;
  t.title = fmt::format("Bill of materials: {} + KVSS rack ({}, DRAM {:.2f} USD/GB)", bom.system, scenario, bom.dram_usd_per_gb);
  t.columns = {Column{"item", "item"}, Column{"quantity", "qty", 1, 0, true}, Column{"unit_cost_usd", "unit USD", 1, 2},
               Column{"extended_cost_usd", "extended USD", 1, 0}, Column{"share", "share %", 0.01, 1},
               Column{"basis", "source or assumption"}};
  for (const auto& line : bom.lines)
    t.rows.push_back({line.item, line.quantity, line.unit_cost_usd, line.extended_cost_usd,
                      line.extended_cost_usd / bom.total_usd, line.basis});
  t.rows.push_back({std::string("total"), Cell{}, Cell{}, bom.total_usd, 1.0, std::string("sum of the lines")});
  return t;
}

Table totals_table(const SystemBom& entry, const std::optional<double>& user_price) {
  Table t;
  t.title = "Totals against the published figures";
  t.columns = {Column{"scenario", "scenario"}, Column{"dram_usd_per_gb", "DRAM USD/GB", 1, 3},
               Column{"total_usd", "total USD", 1, 0}, Column{"published_total_usd", "published USD", 1, 0},
               Column{"departure_fraction", "departure %", 0.01, 3}, Column{"source", "DRAM price source"}};
  for (const auto& s : entry.scenarios) {
    const Bom b = build_bom(entry, s.dram_usd_per_gb);
    t.rows.push_back({s.name, s.dram_usd_per_gb, b.total_usd, s.published_total_usd,
                      b.total_usd / s.published_total_usd - 1, s.source});
  }
  if (user_price) {
    const Bom b = build_bom(entry, *user_price);
    t.rows.push_back({std::string("given"), *user_price, b.total_usd, Cell{}, Cell{}, std::string("--dram-usd-per-gb")});
  }
  t.notes.push_back(fmt::format("{:.0f} GB of DRAM: {}", entry.dram_gb, entry.dram_source));
  std::string per_module;
  for (const auto& s : entry.scenarios)
    per_module += fmt::format("{}{} {:.0f} USD", per_module.empty() ? "" : ", ", s.name, 256 * s.dram_usd_per_gb);
  t.notes.push_back("plausibility: per 256 GB RDIMM that is " + per_module +
                    "; TrendForce reported server DRAM contract prices +28-33% in 3Q25 and +18-23% (revised up) in 4Q25, "
                    "contract DRAM ~2.7x year on year by 3Q25 and still rising into 1H26: the direction and the order of "
                    "the rise match; the level for 256 GB modules is not checked against a price list");
  return t;
}

// The BoM total in place of the TCO's server cost, everything else as catalog/economics.toml has it.
Table tco_table(const Catalog& catalog, const std::string& hardware, const Bom& bom) {
  const Hardware hw = catalog.hardware(hardware, "hardware");
  const SystemEconomics& published = catalog.economics_for(hw.system.name, "hardware");
  SystemEconomics with_bom = published;
  with_bom.server_cost_usd = bom.total_usd;
  Table t;
  t.title = "TCO with the BoM as server cost";
  t.columns = {Column{"server_cost_basis", "server cost"}, Column{"server_cost_usd", "server USD", 1, 0},
               Column{"capex_usd", "capex USD", 1, 0}, Column{"tco_per_hour_usd", "TCO USD/h", 1, 2},
               Column{"capital_cost_per_hour_usd", "capital USD/h", 1, 2}};
  for (const auto& [name, e] : {std::pair<std::string, const SystemEconomics*>{"catalog/economics.toml", &published},
                                {"this BoM", &with_bom}}) {
    const Tco tco = compute_tco(*e, hw);
    t.rows.push_back({name, e->server_cost_usd, tco.capex_usd, tco.tco_per_hour_usd, tco.capital_cost_per_hour_usd});
  }
  return t;
}

void plot(const SystemBom& entry, const std::string& file) {
  std::vector<std::pair<double, double>> curve;
  double high = 40;  // USD/GB: past the post-hike price
  for (const auto& s : entry.scenarios) high = std::max(high, 1.25 * s.dram_usd_per_gb);
  for (int i = 0; i <= 80; ++i) {
    const double price = high * i / 80;
    curve.emplace_back(price, build_bom(entry, price).total_usd);
  }
  std::vector<LabelledPoint> points;
  for (const auto& s : entry.scenarios)
    points.push_back({fmt::format("{} ({:.0f} USD)", s.name, s.published_total_usd), s.dram_usd_per_gb, s.published_total_usd});
  plot_bom_dram(curve, points, fmt::format("{} + KVSS rack BoM against the DRAM price ({:.0f} GB)", entry.system, entry.dram_gb),
                file);
}

}  // namespace

Command bom_command() {
  Command c{"bom", "A rack's bill of materials as line items, against the published totals and the DRAM price",
            {hardware_field("hardware", std::string("cs-3"), "System with a BoM in catalog/bom.toml"),
             text_field("scenario", std::string("post-hike"), "DRAM price scenario of catalog/bom.toml (pre-hike, post-hike)"),
             bounded_field("dram_usd_per_gb", FieldType::number, "DRAM price instead of the scenario's", std::nullopt, 0,
                           limits::max_dram_usd_per_gb, "over 30x the 2026 peak of server DDR5"),
             cli_only(text_field("plot", std::nullopt, "Write the total against the DRAM price to FILE.png or FILE.svg"))}};
  c.run = [](const Context& ctx, const RequestValues& v) {
    const SystemBom& entry = find_bom(ctx.catalog, v.text("hardware"));
    const BomScenario& scenario = entry.scenario(to_lower(v.text("scenario")), "scenario");
    const std::optional<double> user_price = v.optional_number("dram_usd_per_gb");
    const Bom bom = build_bom(entry, user_price.value_or(scenario.dram_usd_per_gb));
    CommandOutput out;
    out.tables = {lines_table(bom, user_price ? "given DRAM price" : scenario.name), totals_table(entry, user_price),
                  tco_table(ctx.catalog, v.text("hardware"), bom)};
    auto rows = [](const Table& t) { return nlohmann::ordered_json::parse(render(t, Format::json)); };
    out.api = {{"lines", rows(out.tables[0])}, {"totals", rows(out.tables[1])}, {"tco", rows(out.tables[2])}};
    if (v.has("plot")) {
      plot(entry, v.text("plot"));
      out.files.push_back(v.text("plot"));
    }
    return out;
  };
  return c;
}

}  // namespace ws
