// simulate: trace-driven discrete-event simulation of a serving fleet (co-located or disaggregated).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "report/reproduction.h"
#include "request/batch_file.h"
#include "report/plots.h"
#include "report/tables.h"
#include "request/commands/commands.h"
#include "request/common.h"
#include "request/limits.h"
#include "sim/simulator.h"

namespace ws {

SystemPrice price_from(const Catalog& catalog, const Hardware& hardware, const RequestValues& v);  // cost.cpp

namespace {

// A price only where asked: --price/--usd-per-hour, else the TCO where the catalog has one, else none (no cost).
SystemPrice optional_price(const Catalog& catalog, const Hardware& hardware, const RequestValues& v) {
  if (v.has("price") || v.has("usd_per_hour")) return price_from(catalog, hardware, v);
  for (const auto& e : catalog.economics)
    if (to_lower(e.system_name) == to_lower(hardware.system.name)) return system_price(catalog, hardware, "tco");
  return SystemPrice{};
}

Traffic traffic_from(const Context& ctx, const RequestValues& v) {
  const double request_cap = ctx.caller == Caller::api ? limits::max_api_simulated_requests
                                                       : static_cast<double>(limits::max_simulated_requests);
  Traffic traffic;
  const std::string& workload = v.text("workload");
  if (v.has("trace")) {
    traffic = trace_stream(v.text("trace"), v.number("rate_scale"));
    if (static_cast<double>(traffic.stream_requests) > request_cap)
      throw InputError("trace", fmt::format("{} requests; at most {:.0f} per simulation", traffic.stream_requests, request_cap));
  } else if (!workload.empty() && v.has("concurrency")) {
    const Workload w = ctx.catalog.workload(workload, "workload", user_paths(v));
    traffic.closed_loop_concurrency = static_cast<int>(v.integer("concurrency"));
    traffic.closed_loop_requests = v.integer("requests");
    if (static_cast<double>(traffic.closed_loop_requests) > request_cap)
      throw InputError("requests", fmt::format("expected at most {:.0f} requests per simulation; got {}", request_cap,
                                               traffic.closed_loop_requests));
    const double isl = std::round(w.mean_input_tokens()), osl = std::round(w.mean_output_tokens());
    const double cached = std::round(isl * w.cached_fraction_of_input());
    traffic.make_request = [isl, osl, cached](long long) {
      SimRequest r;
      r.input_tokens = isl;
      r.output_tokens = osl;
      r.assumed_cached_tokens = cached;
      return r;
    };
  } else if (!workload.empty() && v.has("rate") && v.has("duration")) {
    const double rate = v.number("rate"), duration = v.number("duration");
    if (rate * duration > request_cap)
      throw InputError("duration", fmt::format("rate x duration asks for {:.0f} requests; at most {:.0f} per simulation",
                                               rate * duration, request_cap));
    traffic = synthetic_stream(ctx.catalog.workload(workload, "workload", user_paths(v)), rate, duration, v.number("burstiness"),
                                static_cast<unsigned long long>(v.integer("seed")));
  } else {
    throw RequestFormatError("workload", "give trace, or workload with rate and duration, or workload with concurrency "
                                         "(closed loop)");
  }
  return traffic;
}

struct Simulated {
  SimResult result;
  std::string price_note;  // why the cost columns are empty, or nothing
};

Simulated simulate_one(const Context& ctx, const RequestValues& v, bool report_progress, const RequestSink& sink = {}) {
  const Catalog& catalog = ctx.catalog;
  if (!v.has("hardware")) throw RequestFormatError("hardware", "missing (expected a string)");
  const ModelSpec model = model_from(catalog, v);
  const Hardware hardware = catalog.hardware(v.text("hardware"), "hardware");
  PoolSpec pool{hardware, perf_request_from(catalog, model, v), static_cast<int>(v.integer("replicas")),
                optional_price(catalog, hardware, v)};
  std::optional<PoolSpec> prefill;
  if (v.has("prefill_hardware")) {
    const Hardware ph = catalog.hardware(v.text("prefill_hardware"), "prefill_hardware");
    prefill = PoolSpec{ph, pool.perf, static_cast<int>(v.integer("prefill_replicas")), optional_price(catalog, ph, v)};
    prefill->perf.devices.reset();
    prefill->perf.tp = v.optional_int("prefill_tp");
    prefill->perf.pp = v.optional_int("prefill_pp");
    prefill->perf.ep.reset();
  }
  SimConfig config;
  config.scheduler = v.text("scheduler");
  config.router = v.text("router");
  config.token_budget = v.number("token_budget");
  config.max_batch = static_cast<int>(v.integer("max_batch"));
  config.prefix_cache = !v.flag("no_prefix_cache");
  config.slo_ttft_s = v.optional_number("slo_ttft").value_or(0);
  config.slo_tpot_s = v.optional_number("slo_tpot").value_or(0);
  config.sample_interval_s = 1.0;
  config.step_by_step = v.flag("step_by_step");
  Simulated out;
  out.result = simulate(ctx.engine, model, pool, prefill, config, traffic_from(ctx, v), [&](long long done, long long total) {
    if (report_progress && ctx.progress) ctx.progress(fmt::format("simulated {}/{} requests", done, total));
  }, sink);
  if (pool.price.label.empty()) out.price_note = "no price for " + hardware.system.name + ": cost columns are empty (give --price)";
  return out;
}

// One scenario's summary row as it travels between processes (request/split.h).
struct BatchRow {
  std::vector<Cell> cells;
  std::string note;
};
template <class A>
void fields(A& a, BatchRow& r) {
  a(r.cells, r.note);
}

// An error in a scenario, said where the scenario (or its key) is in the batch file: "batch.toml:7 [name].rate: ..."
// for a key the scenario sets, "batch.toml:3 [name]: --rate (given on the command line): ..." for a flag beside
// --batch, "batch.toml:3 [name]: <where>: ..." for anything else (a trace file's line).
[[noreturn]] void rethrow_in_scenario(const InputError& e, const BatchScenario& s, const std::vector<Field>& fields) {
  const std::string& where = e.where();
  const std::size_t space = where.find(' ');
  std::string head = where.substr(0, space);
  if (head.rfind("--", 0) == 0) head = head.substr(2);
  std::replace(head.begin(), head.end(), '-', '_');
  const bool is_field = std::any_of(fields.begin(), fields.end(), [&](const Field& f) { return f.name == head; });
  std::string at = s.where, message = e.message();
  const std::string rest = space == std::string::npos ? "" : where.substr(space);
  if (auto k = s.key_where.find(head); is_field && k != s.key_where.end()) at = k->second + rest;
  else if (is_field) message = spell(head, Caller::cli) + rest + " (given on the command line): " + message;
  else if (!where.empty()) message = where + ": " + message;
  if (dynamic_cast<const RequestFormatError*>(&e)) throw RequestFormatError(at, message);
  throw InputError(at, message);
}

// simulate --batch FILE.toml: every scenario validated first, then run (spread over the ranks under mpirun), one
// summary row each in the file's order. Flags given beside --batch apply to every scenario that does not set them.
CommandOutput run_batch(const Context& ctx, const std::vector<Field>& fields, const RequestValues& v) {
  const std::string path = v.text("batch");
  if (v.has("out")) throw InputError("out", "a batch writes one summary row per scenario, not a folder per run (drop --out)");
  TextInputs defaults = v.given_texts();
  defaults.erase("batch");
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error))
    throw InputError("batch", "cannot read '" + path + "': no such file (expected a TOML file of scenarios)");
  const auto scenarios = read_batch_file(path, fields, {"batch", "out"}, limits::max_batch_scenarios);
  std::vector<RequestValues> values;
  for (const auto& s : scenarios) {
    TextInputs given = defaults;
    for (const auto& [key, texts] : s.values) given[key] = texts;
    try {
      values.push_back(values_from_text(fields, given, Caller::cli));
      if (!values.back().has("hardware")) throw RequestFormatError("hardware", "missing (expected a string)");
    } catch (const InputError& e) {
      rethrow_in_scenario(e, s, fields);
    }
  }
  const auto rows = run_items_as<BatchRow>(
      ctx.processes, scenarios.size(),
      [&](std::size_t i) {
        try {
          const Simulated sim = simulate_one(ctx, values[i], false);
          BatchRow row;
          row.cells = {scenarios[i].name, sim.result.deployment};
          const Table summary = sim_summary_table(sim.result);
          row.cells.insert(row.cells.end(), summary.rows.at(0).begin(), summary.rows.at(0).end());
          if (!sim.price_note.empty()) row.note = scenarios[i].name + ": " + sim.price_note;
          return row;
        } catch (const InputError& e) {
          rethrow_in_scenario(e, scenarios[i], fields);
        } catch (const InfeasibleError& e) {
          throw InfeasibleError(scenarios[i].where + ": " + e.what());
        }
      },
      [&](std::size_t done, std::size_t total) {
        if (ctx.progress) ctx.progress(fmt::format("simulated {}/{} scenarios", done, total));
      });
  Table table;
  table.title = fmt::format("Simulation batch: {} ({} scenarios)", path, scenarios.size());
  table.columns = {Column{"scenario", "scenario"}, Column{"deployment", "deployment"}};
  const Table shape = sim_summary_table(SimResult{});
  table.columns.insert(table.columns.end(), shape.columns.begin(), shape.columns.end());
  for (const auto& row : rows) {
    table.rows.push_back(row.cells);
    if (!row.note.empty()) table.notes.push_back(row.note);
  }
  CommandOutput out;
  out.tables.push_back(std::move(table));
  return out;
}

}  // namespace

Command simulate_command() {
  const std::string wide = "wider than any scale-up domain or pipeline in the catalog";
  Field rate{"rate", FieldType::number, "Synthetic arrivals per second", std::nullopt, 1e-6, limits::max_rate_per_s,
             "above the whole world's LLM API traffic"};
  Field duration{"duration", FieldType::number, "Synthetic traffic duration, seconds", std::nullopt, 1e-3,
                 limits::max_duration_s, "a month is the longest horizon capacity planning asks of a simulation"};
  // Required, but not by the table: a --batch file gives it per scenario (simulate_one checks it).
  Field optional_hardware = hardware_field("hardware", std::nullopt, "Hardware of the (decode) pool (required without --batch)");
  optional_hardware.required = false;
  Command c{"simulate", "Trace-driven discrete-event simulation of a serving fleet",
            join({{model_field(false), config_field(), optional_hardware},
                  parallelism_fields(),
                  {count_field("replicas", "Replicas of the deployment", static_cast<double>(limits::max_replicas),
                               "the whole 750 MW OpenAI deal is 25,000 CS-3", std::string("1")),
                   cli_only(text_field("trace", std::nullopt, "Trace file (.csv Azure, .jsonl Mooncake)")),
                   Field{"rate_scale", FieldType::number, "Replay the trace this many times faster", std::string("1"),
                         limits::min_rate_scale, limits::max_rate_scale, "a million times real time"},
                   text_field("workload", std::nullopt, "Workload for synthetic or closed-loop traffic"), rate, duration,
                   Field{"burstiness", FieldType::number, "Gamma shape of inter-arrivals (1 = Poisson, <1 burstier)",
                         std::string("1"), limits::min_burstiness, limits::max_burstiness, "1000 is nearly regular"},
                   concurrency_field(std::nullopt, "Closed loop: requests kept in flight"),
                   count_field("requests", "Closed loop: requests to issue", static_cast<double>(limits::max_simulated_requests),
                               "~2 GB of request records; split longer runs", std::string("1000")),
                   text_field("scheduler", std::string("continuous"), "continuous, priority or static"),
                   text_field("router", std::string("round_robin"), "round_robin, least_outstanding or prefix_affinity"),
                   Field{"token_budget", FieldType::integer, "Prefill tokens per iteration", std::string("8192"), 1,
                         limits::max_token_budget, "beyond any serving engine's setting"},
                   count_field("max_batch", "Running requests per replica", static_cast<double>(limits::max_batch),
                               "beyond any serving engine's setting", std::string("512")),
                   flag_field("no_prefix_cache", "Turn the prefix cache off"),
                   flag_field("step_by_step", "Every iteration its own event (the reference the default's skipping matches)"),
                   text_field("prefill_hardware", std::nullopt, "Disaggregate: prefill pool hardware"),
                   count_field("prefill_replicas", "Prefill pool replicas", static_cast<double>(limits::max_replicas),
                               "the whole 750 MW OpenAI deal is 25,000 CS-3", std::string("1")),
                   count_field("prefill_tp", "TP per prefill replica", limits::max_parallelism, wide),
                   count_field("prefill_pp", "PP per prefill replica", limits::max_parallelism, wide),
                   Field{"slo_ttft", FieldType::number, "TTFT SLO, seconds (for goodput)", std::nullopt, 1e-6, limits::max_slo_s, "a day"},
                   Field{"slo_tpot", FieldType::number, "TPOT SLO, seconds (for goodput)", std::nullopt, 1e-6, limits::max_slo_s, "a day"},
                   Field{"seed", FieldType::integer, "Seed of the synthetic traffic", std::string("1"), 0, limits::max_seed,
                         "JSON numbers are exact only to 2^53"},
                   text_field("price", std::nullopt, "tco, rental or USD per system-hour (default: tco where the catalog has it, else no cost)"),
                   Field{"usd_per_hour", FieldType::number, "USD per system-hour (instead of price)", std::nullopt, 1e-6,
                         limits::max_usd_per_hour, "three orders of magnitude above any rental price in the catalog"}},
                  precision_fields(),
                  {cli_only(text_field("out", std::nullopt, "Folder for requests.csv, timeseries.csv, summary.csv and PNG plots")),
                   cli_only(text_field("batch", std::nullopt,
                                       "FILE.toml of scenarios, a [name] table each with these fields (snake_case): one "
                                       "summary row per scenario; flags given beside it apply to every scenario"))}})};
  c.run = [fields = c.fields](const Context& ctx, const RequestValues& v) {
    if (v.has("batch")) return run_batch(ctx, fields, v);
    // requests.csv is written as requests finish (in that order), so memory follows the requests in flight.
    const std::string dir = v.has("out") && ctx.writes_files() ? v.text("out") : std::string();
    std::ofstream requests_csv;
    std::vector<SimRequest> pending;
    bool header = true;
    auto flush = [&] {
      std::string text = render(sim_requests_table(pending), Format::csv);
      if (!header) text.erase(0, text.find('\n') + 1);
      requests_csv << text;
      header = false;
      pending.clear();
    };
    RequestSink sink = [](const SimRequest&) {};  // the summary holds what the tables need
    if (!dir.empty()) {
      std::error_code error;
      std::filesystem::create_directories(dir, error);
      if (error) throw InputError("out", "cannot create folder '" + dir + "': " + error.message());
      requests_csv.open((std::filesystem::path(dir) / "requests.csv").string());
      if (!requests_csv) throw InputError("out", "cannot write '" + dir + "/requests.csv'");
      sink = [&](const SimRequest& r) {
        pending.push_back(r);
        if (pending.size() == 4096) flush();
      };
    }
    const Simulated sim = simulate_one(ctx, v, true, sink);
    const SimResult& result = sim.result;
    CommandOutput out{{sim_summary_table(result)}};
    if (!sim.price_note.empty()) out.tables[0].notes.push_back(sim.price_note);
    if (!dir.empty()) {
      flush();
      requests_csv.close();
      write_text_file(dir, "timeseries.csv", render(sim_series_table(result), Format::csv));
      write_text_file(dir, "summary.csv", render(sim_summary_table(result), Format::csv));
      write_text_file(dir, "summary.json", render(sim_summary_table(result), Format::json));
      const auto path = [&](const char* name) { return (std::filesystem::path(dir) / name).string(); };
      plot_sim(result, path("latency_cdf.png"), path("timeseries.png"));
      for (const char* name : {"requests.csv", "timeseries.csv", "summary.csv", "summary.json", "latency_cdf.png", "timeseries.png"})
        out.files.push_back(path(name));
    }
    return out;
  };
  return c;
}

}  // namespace ws
