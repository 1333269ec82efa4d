// simulate: trace-driven discrete-event simulation of a serving fleet (co-located or disaggregated).
#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "report/reproduction.h"
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
    traffic.make_request = [isl, osl](long long) {
      SimRequest r;
      r.input_tokens = isl;
      r.output_tokens = osl;
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

}  // namespace

Command simulate_command() {
  const std::string wide = "wider than any scale-up domain or pipeline in the catalog";
  Field rate{"rate", FieldType::number, "Synthetic arrivals per second", std::nullopt, 1e-6, limits::max_rate_per_s,
             "above the whole world's LLM API traffic"};
  Field duration{"duration", FieldType::number, "Synthetic traffic duration, seconds", std::nullopt, 1e-3,
                 limits::max_duration_s, "a month is the longest horizon capacity planning asks of a simulation"};
  Command c{"simulate", "Trace-driven discrete-event simulation of a serving fleet",
            join({{model_field(false), config_field(), hardware_field("hardware", std::nullopt, "Hardware of the (decode) pool")},
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
                  {cli_only(text_field("out", std::nullopt, "Folder for requests.csv, timeseries.csv, summary.csv and PNG plots"))}})};
  c.run = [](const Context& ctx, const RequestValues& v) {
    const Catalog& catalog = ctx.catalog;
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
    // requests.csv is written as requests finish (in that order), so memory follows the requests in flight.
    const std::string& dir = v.text("out");
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
    const SimResult result = simulate(ctx.engine, model, pool, prefill, config, traffic_from(ctx, v), [&](long long done, long long total) {
      if (ctx.progress) ctx.progress(fmt::format("simulated {}/{} requests", done, total));
    }, sink);
    CommandOutput out{{sim_summary_table(result)}};
    if (pool.price.label.empty()) out.tables[0].notes.push_back("no price for " + hardware.system.name + ": cost columns are empty (give --price)");
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
