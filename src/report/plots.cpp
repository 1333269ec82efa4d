#include "report/plots.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "core/error.h"
#include "core/gnuplot.h"

namespace ws {
namespace fs = std::filesystem;

void plot_feasibility(const FeasibilityGrid& grid, const std::vector<FeasibilityPoint>& points, const std::string& title,
                      const std::string& file) {
  const std::string terminal = gnuplot_terminal(file, "plot");
  const std::string data = temporary_path("feasibility.dat"), marks = temporary_path("feasibility_points.dat");
  {
    std::ofstream out(data);
    for (std::size_t i = 0; i < grid.params.size(); ++i) {
      for (std::size_t j = 0; j < grid.input_tokens.size(); ++j)
        out << grid.input_tokens[j] << " " << grid.params[i] / 1e9 << " " << grid.systems[i][j] << "\n";
      out << "\n";
    }
    std::ofstream m(marks);
    for (const auto& p : points)
      m << p.input_tokens << " " << p.params / 1e9 << " " << p.systems << " \"" << p.model << " (" << p.systems << ")\"\n";
  }
  std::string script = terminal;
  script += "set title '" + title + "' noenhanced\n";
  script += "set xlabel 'Average input length (tokens)'\nset ylabel 'Model size (billion parameters)'\n";
  script += "set logscale xy\nset logscale cb\nset cblabel 'Systems needed'\nset view map\n";
  script += "set contour base\nset cntrparam levels discrete 32,64,128\nunset clabel\n";
  script += "set key outside right bottom\nset xrange [*:*] noextend\nset yrange [*:*] noextend\n";
  script += fmt::format("splot '{}' using 1:2:3 with pm3d notitle nocontour, "
                        "'{}' using 1:2:3 with lines lw 2 lc rgb 'white' nosurface title 'contours: 32, 64, 128 systems', "
                        "'{}' using 1:2:(1):4 with labels point pt 7 ps 1.2 lc rgb 'black' offset 1,0.6 left font ',9' "
                        "nocontour notitle\n",
                        data, data, marks);
  run_gnuplot(script, "plot", {data, marks});
}

void plot_parity(const std::vector<ValidationRow>& rows, const std::string& title, const std::string& file) {
  const std::string terminal = gnuplot_terminal(file, "plot", 1100, 1250);
  const std::string data = temporary_path("parity.dat");
  std::vector<std::pair<std::string, std::string>> series;  // (group, metric), one gnuplot data block each
  double low = INFINITY, high = 0;
  {
    std::ofstream out(data);
    for (const auto& r : rows) {
      if (!(r.predicted > 0) || !(r.measured > 0)) continue;
      const std::pair<std::string, std::string> key{r.device_class + " " + r.group, r.metric};
      if (std::find(series.begin(), series.end(), key) == series.end()) series.push_back(key);
    }
    for (const auto& key : series) {
      for (const auto& r : rows)
        if (r.device_class + " " + r.group == key.first && r.metric == key.second && r.predicted > 0 && r.measured > 0) {
          out << r.measured << " " << r.predicted << "\n";
          low = std::min({low, r.measured, r.predicted});
          high = std::max({high, r.measured, r.predicted});
        }
      out << "\n\n";
    }
  }
  if (series.empty()) throw InputError("plot", "no row has both a measurement and a prediction");
  std::vector<std::string> groups;
  for (const auto& [group, metric] : series)
    if (std::find(groups.begin(), groups.end(), group) == groups.end()) groups.push_back(group);
  std::string script = terminal;
  script += "set title '" + title + "' noenhanced\n";
  script += "set xlabel 'measured'\nset ylabel 'predicted'\nset logscale xy\nset key below maxcols 2 noenhanced font ',9'\n";
  script += fmt::format("set xrange [{0}:{1}]\nset yrange [{0}:{1}]\nset grid\n", low / 1.5, high * 1.5);
  std::string plots = "x with lines lc rgb 'black' title 'y = x', 1.1*x with lines dt 2 lc rgb 'gray' title '+-10%', "
                      "0.9*x with lines dt 2 lc rgb 'gray' notitle";
  for (std::size_t i = 0; i < series.size(); ++i) {
    const auto& [group, metric] = series[i];
    const auto colour = std::find(groups.begin(), groups.end(), group) - groups.begin() + 1;
    const int shape = metric == "tokens_per_s_per_user" ? 6 : metric == "ttft_s" ? 8 : 7;
    const std::string unit = metric == "tokens_per_s_per_user" ? "tok/s/user" : metric == "ttft_s" ? "TTFT s" : "output tok/s/device";
    plots += fmt::format(", '{}' index {} using 1:2 with points pt {} ps 1.3 lc {} title '{}: {}'", data, i, shape, colour,
                         group, unit);
  }
  script += "plot " + plots + "\n";
  run_gnuplot(script, "plot", {data});
}

void plot_workload_mix(const std::vector<Workload>& workloads, const PriceList& prices, const std::string& file) {
  const std::string terminal = gnuplot_terminal(file, "plot", 1200, 700);
  const std::string data = temporary_path("mix.dat");
  {
    std::ofstream out(data);
    for (const auto& w : workloads) {
      const TokenMix& m = w.mix;
      const double spend = prices.blended_usd_per_mtok(m);
      out << "\"" << w.name << "\" " << m.cache_read << " " << m.cache_write << " " << m.fresh_input << " " << m.output << " "
          << m.cache_read * prices.cache_read_usd_per_mtok / spend << " "
          << m.cache_write * prices.cache_write_usd_per_mtok / spend << " "
          << m.fresh_input * prices.fresh_input_usd_per_mtok / spend << " " << m.output * prices.output_usd_per_mtok / spend
          << "\n";
    }
  }
  std::string script = terminal;
  script += "set multiplot layout 1,2\nset style data histograms\nset style histogram rowstacked\n";
  script += "set style fill solid 0.85 border -1\nset boxwidth 0.7\nset yrange [0:1]\nset xtics rotate by -30 noenhanced\n";
  script += "set key outside bottom horizontal\nset title 'Tokens by type (share of count)'\n";
  script += fmt::format("plot '{}' using 2:xtic(1) title 'cache read', '' using 3 title 'cache write', "
                        "'' using 4 title 'fresh input', '' using 5 title 'output'\n", data);
  script += "set title 'Spend by type (at " + prices.name + " list prices)' noenhanced\n";
  script += fmt::format("plot '{}' using 6:xtic(1) title 'cache read', '' using 7 title 'cache write', "
                        "'' using 8 title 'fresh input', '' using 9 title 'output'\nunset multiplot\n", data);
  run_gnuplot(script, "plot", {data});
}

void plot_disaggregation(const std::vector<DisaggBar>& bars, const std::string& prefill_label,
                         const std::string& decode_label, const std::string& file) {
  const std::string terminal = gnuplot_terminal(file, "plot", 1200, 700);
  const std::string data = temporary_path("disagg.dat");
  {
    std::ofstream out(data);
    auto value = [](double v) { return std::isfinite(v) ? fmt::format("{}", v) : std::string("NaN"); };
    for (const auto& b : bars)
      out << "\"" << b.scenario << "\" " << value(b.disaggregated_usd_per_mtok) << " "
          << value(b.colocated_prefill_usd_per_mtok) << " " << value(b.colocated_decode_usd_per_mtok) << "\n";
  }
  std::string script = terminal;
  script += "set title 'Cost per million tokens: disaggregated vs co-located (at TCO)' noenhanced\n";
  script += "set style data histograms\nset style histogram clustered gap 1\nset style fill solid 0.85 border -1\n";
  script += "set logscale y\nset ylabel 'USD per million tokens (input + output)'\nset xtics noenhanced\n";
  script += "set key outside bottom horizontal noenhanced\nset grid ytics\n";
  script += fmt::format("plot '{}' using 2:xtic(1) title 'prefill on {}, decode on {}', '' using 3 title 'co-located on {}', "
                        "'' using 4 title 'co-located on {}'\n",
                        data, prefill_label, decode_label, prefill_label, decode_label);
  run_gnuplot(script, "plot", {data});
}

void plot_frontier(const std::vector<FrontierPoint>& points, Normalizer normalize, const std::string& title,
                   const std::string& file) {
  const std::string terminal = gnuplot_terminal(file, "plot");
  // One curve per (model, hardware): its Pareto points sorted by interactivity.
  std::map<std::string, std::vector<const FrontierPoint*>> curves;
  std::set<std::string> models;
  for (const auto& p : points) models.insert(p.model);
  for (const auto& p : points)
    if (p.pareto) curves[models.size() > 1 ? p.model + " on " + p.hardware : p.hardware].push_back(&p);
  if (curves.empty()) throw InputError("plot", "nothing to plot: no feasible point");
  const std::string data = temporary_path("frontier.dat");
  {
    std::ofstream out(data);
    for (auto& [name, curve] : curves) {
      std::sort(curve.begin(), curve.end(),
                [](auto* a, auto* b) { return a->tokens_per_s_per_user < b->tokens_per_s_per_user; });
      out << "# " << name << "\n";
      for (const auto* p : curve) out << p->tokens_per_s_per_user << " " << p->output_tokens_per_s_per_norm << "\n";
      out << "\n\n";
    }
  }
  std::string script = terminal;
  script += "set title '" + title + "' noenhanced\n";
  script += "set xlabel 'Interactivity (tokens/s per user)'\n";
  script += "set ylabel '" + std::string(normalize == Normalizer::usd_per_mtok ? "Cost" : "Output throughput") + " (" +
            normalizer_unit(normalize) + ")' noenhanced\n";
  script += "set logscale xy\nset grid xtics ytics mxtics mytics\nset key outside right top noenhanced\n";
  script += "plot ";
  int index = 0;
  for (const auto& [name, curve] : curves) {
    script += fmt::format("{}'{}' index {} using 1:2 with linespoints lw 2 pt 7 ps 0.8 title '{}'", index ? ", " : "",
                          data, index, name);
    ++index;
  }
  script += "\n";
  run_gnuplot(script, "plot", {data});
}

void plot_sim(const SimResult& result, const std::string& latency_png, const std::string& series_png) {
  const std::string data = temporary_path("sim_cdf.dat");
  {
    std::ofstream out(data);
    std::vector<double> ttft = result.latencies.ttft, tpot = result.latencies.tpot, e2e = result.latencies.e2e;
    for (auto* v : {&ttft, &tpot, &e2e}) {
      std::sort(v->begin(), v->end());
      for (std::size_t i = 0; i < v->size(); ++i) out << std::max((*v)[i], 1e-9) << " " << (i + 1.0) / v->size() << "\n";
      out << "\n\n";
    }
  }
  std::string script = gnuplot_terminal(latency_png, "out", 1200, 500);
  script += "set multiplot layout 1,3 title 'Latency CDFs: " + result.deployment + "' noenhanced\nset logscale x\n"
            "set grid\nset yrange [0:1]\nset ylabel 'fraction of requests'\n";
  const char* names[] = {"TTFT (s)", "TPOT (s)", "end-to-end latency (s)"};
  for (int i = 0; i < 3; ++i)
    script += fmt::format("set xlabel '{}'\nplot '{}' index {} using 1:2 with lines lw 2 notitle\n", names[i], data, i);
  script += "unset multiplot\n";
  run_gnuplot(script, "out", {data});
  const std::string series = temporary_path("sim_series.dat");
  {
    std::ofstream out(series);
    for (const auto& s : result.series)
      out << s.time_s << " " << s.waiting << " " << s.running << " " << s.kv_occupancy << " " << s.prefill_share << " "
          << s.prefill_share + s.decode_share << "\n";
  }
  // Top: the queue and KV occupancy; bottom: replica time split into prefill, decode and idle (stacked).
  const SimSummary& sum = result.summary;
  std::string title = "Queue, KV occupancy and utilisation over time";
  if (!sum.overload_warning.empty())
    title += fmt::format(" - OVERLOADED: offered {:.2f}x what the deployment sustains", sum.load_ratio);
  script = gnuplot_terminal(series_png, "out", 1200, 700);
  script += "set multiplot layout 2,1 title '" + title + "' noenhanced\nset grid\nset key outside right\n"
            "set ylabel 'requests'\nset y2label 'KV occupancy'\nset y2range [0:1]\nset y2tics\nset ytics nomirror\n";
  script += fmt::format("plot '{0}' using 1:2 with lines lw 2 title 'queue (waiting)', '{0}' using 1:3 with lines lw 2 "
                        "title 'running', '{0}' using 1:4 axes x1y2 with lines lw 2 title 'KV occupancy'\n", series);
  script += "unset y2label\nunset y2tics\nset xlabel 'time (s)'\nset ylabel 'share of replica time'\nset yrange [0:1]\n";
  script += fmt::format("plot '{0}' using 1:5 with filledcurves x1 title 'prefill', '{0}' using 1:5:6 with filledcurves "
                        "title 'decode', '{0}' using 1:6:(1) with filledcurves title 'idle'\nunset multiplot\n", series);
  run_gnuplot(script, "out", {series});
}

}  // namespace ws
