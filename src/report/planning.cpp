#include "report/planning.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>

#include "core/error.h"
#include "core/gnuplot.h"
#include "core/units.h"

namespace ws {
namespace {

Cell opt(const std::optional<double>& value) { return value ? Cell{*value} : Cell{}; }
Column col(std::string key, std::string header, double scale = 1.0, int precision = 2, bool integer = false) {
  return Column{std::move(key), std::move(header), scale, precision, integer};
}
Column text(std::string key, std::string header) { return Column{std::move(key), std::move(header), 1.0, 0, false}; }

}  // namespace

// Keys ending in _mw carry megawatts (the field names); every other figure is SI as its key says.
Table fleet_table(const FleetPower& p, const FleetOutput& o) {
  Table t;
  t.title = "Fleet";
  t.columns = {text("hardware", "hardware"), col("critical_it_mw", "critical IT MW", 1, 1),
               col("all_in_kw_per_system", "all-in kW/system", 1, 1), col("systems", "systems", 1, 0, true),
               col("pue", "PUE", 1, 2), col("facility_mw", "facility MW", 1, 1),
               col("chiller_load_mw", "chiller load MW", 1, 1), col("liquid_loop_mw", "liquid loop MW", 1, 1),
               col("coolant_flow_l_per_min", "coolant L/min", 1, 0), col("coolant_inlet_c", "inlet C", 1, 0),
               text("model", "model"), text("workload", "workload"), col("concurrency", "concurrency", 1, 0, true),
               col("systems_per_replica", "systems/replica", 1, 2), col("replicas", "replicas", 1, 0, true),
               col("tokens_per_s_per_user", "tok/s/user", 1, 1),
               col("output_tokens_per_day", "output Gtok/day", 1e9, 1), text("price_list", "price list"),
               col("revenue_usd_per_year", "revenue BUSD/yr", 1e9, 2),
               col("rental_usd_per_year", "rental BUSD/yr", 1e9, 2)};
  auto mw = [](std::optional<double> w) { return w ? std::optional<double>(*w / units::watts_per_mw) : std::nullopt; };
  t.rows.push_back({p.hardware, p.critical_it_w / units::watts_per_mw, p.all_in_w_per_system / units::watts_per_kw,
                    static_cast<double>(p.systems), p.pue, p.facility_w / units::watts_per_mw,
                    p.chiller_load_w / units::watts_per_mw, opt(mw(p.liquid_loop_w)), opt(p.coolant_l_per_min),
                    opt(p.coolant_inlet_c), o.model, o.workload, o.concurrency, o.systems_per_replica,
                    static_cast<double>(o.replicas), o.tokens_per_s_per_user, o.output_tokens_per_day, o.price_list,
                    o.revenue_usd_per_year, opt(o.rental_usd_per_year)});
  t.notes = {"systems = floor(critical IT / all-in kW per system); facility = critical IT x PUE (economics.toml).",
             "Chiller load = critical IT: all IT power ends as heat; PUE's overhead (the cooling plant's own power, "
             "losses outside IT) is not counted as IT heat.",
             "Coolant = liquid loop (accelerator power x chips) x L/min per kW (facilities.toml); '-' where no "
             "cooling facts are catalogued.",
             "Tokens and revenue: whole replicas of the cost model's deployment (physical rule) at the operating point, "
             "around the clock (365 days); revenue at the price list's per-type prices; rental = systems x rental "
             "USD/h x 8760."};
  return t;
}

Table schedule_table(const CapacityPlan& plan, const std::vector<ScheduleYear>& years) {
  Table t;
  t.title = "Capacity schedule: " + plan.name + " (" + plan.system_name + ")";
  t.columns = {col("year", "year", 1, 0, true), col("tranche_mw", "tranche MW", 1, 0),
               col("required_mw", "required MW", 1, 0), col("lined_up_mw", "lined up MW", 1, 0),
               text("lined_up_published", "published"), col("shortfall_mw", "shortfall MW", 1, 0),
               col("required_systems", "required systems", 1, 0), col("shortfall_systems", "shortfall systems", 1, 0)};
  for (const auto& y : years)
    t.rows.push_back({static_cast<double>(y.year), y.tranche_w / units::watts_per_mw, y.required_w / units::watts_per_mw,
                      y.lined_up_w / units::watts_per_mw, std::string(y.lined_up_published ? "yes" : "carried"),
                      y.shortfall_w / units::watts_per_mw, y.required_systems, y.shortfall_systems});
  t.notes = {"Required = cumulative tranches by year end; lined up = " + plan.lined_up_source + ".",
             "'carried': no figure published for the year, the last one carried forward (nothing more assumed lined up)."};
  return t;
}

void plot_capacity_schedule(const CapacityPlan& plan, const std::vector<ScheduleYear>& years, const std::string& file) {
  const std::string terminal = gnuplot_terminal(file, "plot", 1000, 650);
  const std::string data = temporary_path("schedule.dat");
  {
    std::ofstream out(data);
    for (const auto& y : years)
      out << y.year << " " << y.required_w / units::watts_per_mw << " " << y.lined_up_w / units::watts_per_mw << " "
          << y.shortfall_w / units::watts_per_mw << "\n";
  }
  std::string script = terminal;
  script += "set title '" + plan.name + ": power required vs lined up' noenhanced\n";
  script += "set style data histograms\nset style histogram clustered gap 1\nset style fill solid 0.85 border -1\n";
  script += "set ylabel 'MW (critical IT, by year end)'\nset grid ytics\nset key outside bottom horizontal\nset yrange [0:*]\n";
  script += fmt::format("plot '{0}' using 2:xtic(1) title 'required (cumulative tranches)', '' using 3 title 'lined up', "
                        "'' using 4 title 'shortfall', '' using 0:4:(sprintf('%.0f MW', $4)) with labels offset 5,1 "
                        "notitle\n", data);
  run_gnuplot(script, "plot", {data});
}

Table rooflines_table(const std::vector<Roofline>& rooflines, const std::string& precision, double budget_usd) {
  Table t;
  t.title = "Rooflines (" + precision + (budget_usd > 0 ? fmt::format(", per {:.0f} USD", budget_usd) : "") + ")";
  t.columns = {text("name", "name"), col("units", "units", 1, 2), col("whole_units", "whole units", 1, 0, true),
               col("chips", "chips", 1, 1), col("peak_flops_per_s", "peak TFLOPS", 1e12, 1),
               col("bandwidth_bytes_per_s", "bandwidth TB/s", 1e12, 2), col("ridge_point", "ridge FLOP/B", 1, 2)};
  for (const auto& r : rooflines)
    t.rows.push_back({r.name, r.units, std::floor(r.units + 1e-9), r.chips, r.peak_flops_per_s, r.bandwidth_bytes_per_s,
                      r.ridge_point()});
  if (budget_usd > 0)
    t.notes = {"units = budget / price (systems.toml price_usd, else chip price_usd x chips: the source's rough prices); "
               "peak and bandwidth scale with units."};
  return t;
}

Table roofline_curves_table(const std::vector<Roofline>& rooflines, const std::vector<double>& intensities) {
  Table t;
  t.title = "Roofline curves";
  t.columns = {text("name", "name"), col("arithmetic_intensity", "AI FLOP/B", 1, 3),
               col("attainable_flops_per_s", "attainable TFLOPS", 1e12, 2), text("bound", "bound")};
  for (const auto& r : rooflines)
    for (double ai : intensities)
      t.rows.push_back({r.name, ai, r.attainable_flops_per_s(ai),
                        std::string(ai >= r.ridge_point() ? "compute" : "memory_bandwidth")});
  return t;
}

void plot_rooflines(const std::vector<Roofline>& rooflines, const std::vector<double>& intensities,
                    const std::vector<IntensityMark>& marks, const std::string& title, const std::string& file) {
  const std::string terminal = gnuplot_terminal(file, "plot", 1200, 800);
  const std::string data = temporary_path("roofline.dat");
  {
    std::ofstream out(data);
    for (const auto& r : rooflines) {
      for (double ai : intensities) out << ai << " " << r.attainable_flops_per_s(ai) / units::flops_per_tflop << "\n";
      out << "\n\n";
    }
  }
  std::string script = terminal;
  script += "set title '" + title + "' noenhanced\n";
  script += "set xlabel 'Arithmetic intensity (FLOP/byte)'\nset ylabel 'Attainable TFLOPS'\n";
  script += "set logscale xy\nset grid xtics ytics mxtics mytics\nset key outside right top noenhanced\n";
  script += fmt::format("set xrange [{}:{}]\n", intensities.front(), intensities.back());
  // Each GEMM shape: a dashed vertical line, its label written up the line.
  for (std::size_t i = 0; i < marks.size(); ++i) {
    const double x = marks[i].arithmetic_intensity;
    script += fmt::format("set arrow from {0},graph 0 to {0},graph 1 nohead dt 2 lc rgb 'gray40'\n", x);
    script += fmt::format("set label '{} ({:.0f})' at {},graph 0.97 rotate by 90 right font ',9' tc rgb 'gray30' noenhanced\n",
                          marks[i].label, x, x * 1.08);
  }
  script += "plot ";
  for (std::size_t i = 0; i < rooflines.size(); ++i)
    script += fmt::format("{}'{}' index {} using 1:2 with lines lw 2 title '{}'", i ? ", " : "", data, i,
                          rooflines[i].name + (rooflines[i].units != 1 ? fmt::format(" (x{:.2f})", rooflines[i].units) : ""));
  script += "\n";
  run_gnuplot(script, "plot", {data});
}

std::vector<LengthBin> length_bins(const LengthDistribution& lengths, int bins) {
  std::vector<LengthBin> result;
  const double low = lengths.quantile(0.0), high = lengths.quantile(1.0);
  if (high <= low) bins = 1;  // one length: one bin
  const double width = (high - low) / bins;
  double below = 0;  // P(L <= the bin's start); the first bin also takes the shortest length itself
  for (int i = 0; i < bins; ++i) {
    LengthBin b;
    b.from_tokens = low + width * i;
    b.to_tokens = i + 1 == bins ? high : low + width * (i + 1);
    const double cumulative = i + 1 == bins ? 1.0 : 1.0 - lengths.fraction_above(b.to_tokens);
    b.share = cumulative - below;
    b.cumulative_share = below = cumulative;
    result.push_back(b);
  }
  return result;
}

Table length_summary_table(const Workload& w, double threshold_tokens) {
  Table t;
  t.title = "Input lengths: " + w.name;
  t.columns = {text("workload", "workload"), col("median_tokens", "median", 1, 0), col("mean_tokens", "mean", 1, 0),
               col("threshold_tokens", "threshold", 1, 0, true), col("share_above", "share above", 1, 3),
               text("source", "source")};
  t.rows.push_back({w.name, w.input_tokens.median(), w.mean_input_tokens(), threshold_tokens,
                    w.input_tokens.fraction_above(threshold_tokens), w.source});
  return t;
}

Table length_bins_table(const std::vector<LengthBin>& bins) {
  Table t;
  t.title = "Input-length distribution";
  t.columns = {col("from_tokens", "from", 1, 0), col("to_tokens", "to", 1, 0), col("share", "share", 1, 4),
               col("cumulative_share", "cumulative", 1, 4)};
  for (const auto& b : bins) t.rows.push_back({b.from_tokens, b.to_tokens, b.share, b.cumulative_share});
  return t;
}

void plot_length_distribution(const Workload& w, const std::vector<LengthBin>& bins, double threshold_tokens,
                              const std::string& file) {
  const std::string terminal = gnuplot_terminal(file, "plot", 1100, 650);
  const std::string data = temporary_path("lengths.dat");
  {
    std::ofstream out(data);
    for (const auto& b : bins)
      out << (b.from_tokens + b.to_tokens) / 2 / units::tokens_per_k << " " << (b.to_tokens - b.from_tokens) / units::tokens_per_k
          << " " << b.share << " " << b.to_tokens / units::tokens_per_k << " " << b.cumulative_share << "\n";
  }
  const double above = w.input_tokens.fraction_above(threshold_tokens);
  const double x = threshold_tokens / units::tokens_per_k;
  std::string script = terminal;
  script += "set title 'Input lengths: " + w.display_name + "' noenhanced\n";
  script += "set xlabel 'Input tokens (thousands)'\nset ylabel 'Share of requests per bin'\nset y2label 'Cumulative share'\n";
  script += "set y2range [0:1]\nset y2tics\nset ytics nomirror\nset yrange [0:*]\nset grid\nset key outside bottom horizontal\n";
  script += "set style fill solid 0.6 border -1\n";
  script += fmt::format("set arrow from {0},graph 0 to {0},graph 1 nohead lw 2 lc rgb 'red'\n", x);
  script += fmt::format("set label '{:.1f}% above {:.0f}k' at {},graph 0.92 left offset 1,0 tc rgb 'red' font ',12'\n",
                        above * 100, x, x);
  script += fmt::format("plot '{0}' using 1:3:2 with boxes title 'share per bin', "
                        "'{0}' using 4:5 axes x1y2 with lines lw 2 title 'cumulative'\n", data);
  run_gnuplot(script, "plot", {data});
}

}  // namespace ws
