#include "api/server.h"

#include <fmt/format.h>
#include <httplib.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <chrono>
#include <set>
#include <thread>

#include "api/queries.h"
#include "core/error.h"
#include "econ/tco.h"
#include "econ/token_cost.h"
#include "frontier/frontier.h"
#include "model/hf_config.h"
#include "perf/disaggregation.h"
#include "placement/deploy.h"
#include "placement/feasibility.h"
#include "report/tables.h"
#include "sim/simulator.h"

namespace ws {
namespace {

using json = nlohmann::ordered_json;

struct ApiError {
  int status;
  std::string field;
  std::string message;
};

// Reads the fields of one JSON request object; every accessor names the field in its error, and the unknown
// fields are refused at the end (a typo never falls back to a default silently).
class Fields {
 public:
  explicit Fields(const json& body) : body_(body) {
    if (!body_.is_object()) throw ApiError{400, "", "expected a JSON object as the request body"};
  }
  bool has(const std::string& key) const { return body_.contains(key) && !body_.at(key).is_null(); }
  std::string string(const std::string& key, const std::optional<std::string>& fallback = std::nullopt) {
    used_.insert(key);
    if (!has(key)) {
      if (fallback) return *fallback;
      throw ApiError{400, key, "missing (expected a string)"};
    }
    if (!body_.at(key).is_string()) throw ApiError{400, key, std::string("expected a string, got ") + body_.at(key).type_name()};
    const std::string value = body_.at(key).get<std::string>();
    if (value.size() > 4096) throw ApiError{400, key, "too long"};
    return value;
  }
  double number(const std::string& key, std::optional<double> fallback, double min, double max) {
    used_.insert(key);
    if (!has(key)) {
      if (fallback) return *fallback;
      throw ApiError{400, key, "missing (expected a number)"};
    }
    const json& v = body_.at(key);
    if (!v.is_number()) throw ApiError{400, key, std::string("expected a number, got ") + v.type_name()};
    const double value = v.get<double>();
    if (!std::isfinite(value) || value < min || value > max)
      throw ApiError{422, key, fmt::format("expected a number in [{}, {}], got {}", min, max, value)};
    return value;
  }
  std::optional<int> optional_int(const std::string& key, int min, int max) {
    used_.insert(key);
    if (!has(key)) return std::nullopt;
    const json& v = body_.at(key);
    if (!v.is_number_integer()) throw ApiError{400, key, std::string("expected an integer, got ") + v.type_name()};
    const long long value = v.get<long long>();
    if (value < min || value > max) throw ApiError{422, key, fmt::format("expected an integer in [{}, {}], got {}", min, max, value)};
    return static_cast<int>(value);
  }
  bool boolean(const std::string& key, bool fallback) {
    used_.insert(key);
    if (!has(key)) return fallback;
    if (!body_.at(key).is_boolean()) throw ApiError{400, key, "expected true or false"};
    return body_.at(key).get<bool>();
  }
  std::vector<std::string> strings(const std::string& key, std::size_t max_items) {
    used_.insert(key);
    if (!has(key)) throw ApiError{400, key, "missing (expected a list of strings)"};
    const json& v = body_.at(key);
    if (v.is_string()) return {v.get<std::string>()};
    if (!v.is_array()) throw ApiError{400, key, "expected a list of strings"};
    if (v.empty() || v.size() > max_items) throw ApiError{422, key, fmt::format("expected 1 to {} items", max_items)};
    std::vector<std::string> result;
    for (const auto& item : v) {
      if (!item.is_string()) throw ApiError{400, key, "expected a list of strings"};
      result.push_back(item.get<std::string>());
    }
    return result;
  }
  const json& raw(const std::string& key) {
    used_.insert(key);
    return body_.at(key);
  }
  void reject_unknown() const {
    for (const auto& [key, value] : body_.items())
      if (!used_.count(key)) throw ApiError{400, key, "unknown field"};
  }

 private:
  const json& body_;
  std::set<std::string> used_;
};

json table_json(const Table& table) { return json::parse(render(table, Format::json)); }

// "model": a catalog name, or "config": a config.json object of the user's own.
ModelSpec model_from(Fields& f, const Catalog& catalog) {
  if (f.has("config")) {
    if (f.has("model")) throw ApiError{400, "model", "give either model or config, not both"};
    const json& config = f.raw("config");
    ModelSpec spec = parse_hf_config(nlohmann::json::parse(config.dump()), "config");
    spec.name = "custom";
    spec.display_name = "custom config.json";
    f.string("model", std::string());
    return spec;
  }
  return catalog.model(f.string("model"), "model");
}

DeploymentInputs deployment_inputs(Fields& f) {
  DeploymentInputs inputs;
  inputs.weight_dtype = f.string("weight_dtype", std::string("checkpoint"));
  inputs.kv_dtype = f.string("kv_dtype", std::string("bf16"));
  inputs.kv_window = f.string("kv_window", std::string("honor"));
  inputs.devices = f.optional_int("devices", 1, 100000);
  inputs.tp = f.optional_int("tp", 1, 4096);
  inputs.pp = f.optional_int("pp", 1, 4096);
  inputs.ep = f.optional_int("ep", 1, 4096);
  return inputs;
}

json handle(const Catalog& catalog, const PerfEngine& engine, const std::string& method, const std::string& path,
            const std::string& body, const ApiLimits& limits) {
  if (method == "GET") {
    if (path == "/api/health") return json{{"status", "ok"}, {"version", WAFERSCOPE_VERSION}};
    if (path == "/api/chips") return table_json(chips_table(catalog));
    if (path == "/api/systems") return table_json(systems_table(catalog));
    if (path == "/api/models") return table_json(models_table(catalog));
    if (path == "/api/workloads") {
      json rows = json::array();
      for (const auto& name : catalog.workload_names()) {
        const Workload w = catalog.workload(name);
        rows.push_back({{"name", w.name}, {"display_name", w.display_name}, {"mean_input_tokens", w.mean_input_tokens()},
                        {"mean_output_tokens", w.mean_output_tokens()}, {"cache_read", w.mix.cache_read},
                        {"cache_write", w.mix.cache_write}, {"fresh_input", w.mix.fresh_input}, {"output", w.mix.output}});
      }
      return rows;
    }
    if (path == "/api/precisions") {
      json rows = json::array();
      for (const auto& name : catalog.precisions.names()) rows.push_back(name);
      return rows;
    }
    throw ApiError{404, "", "no such endpoint: GET " + path};
  }
  if (method != "POST") throw ApiError{405, "", "use GET for listings and POST for computations"};
  json parsed;
  try {
    parsed = json::parse(body);
  } catch (const json::parse_error& e) {
    throw ApiError{400, "", std::string("malformed JSON: ") + e.what()};
  }
  Fields f(parsed);
  json out;
  if (path == "/api/footprint") {
    const ModelSpec m = model_from(f, catalog);
    FootprintOptions options;
    options.kv_precision = f.string("kv_dtype", std::string("bf16"));
    options.honor_windows = parse_kv_window(f.string("kv_window", std::string("honor")), "kv_window");
    if (f.has("context")) options.contexts_tokens = {f.number("context", std::nullopt, 1, limits.max_tokens)};
    f.reject_unknown();
    out = table_json(footprint_table(catalog, {m}, options));
  } else if (path == "/api/deploy") {
    const ModelSpec m = model_from(f, catalog);
    const Hardware h = catalog.hardware(f.string("hardware"), "hardware");
    const double context = f.number("context", 128000, 1, limits.max_tokens);
    const double concurrency = std::floor(f.number("concurrency", 1, 1, limits.max_concurrency));
    const DeployRequest d = make_deploy_request(catalog, m, deployment_inputs(f), context, concurrency, json_field_name);
    f.reject_unknown();
    out = table_json(deploy_table({deploy(m, h, d)}));
  } else if (path == "/api/perf") {
    const ModelSpec m = model_from(f, catalog);
    const Hardware h = catalog.hardware(f.string("hardware"), "hardware");
    const double concurrency = std::floor(f.number("concurrency", 1, 1, limits.max_concurrency));
    const double isl = f.number("isl", 1024, 1, limits.max_tokens), osl = f.number("osl", 1024, 1, limits.max_tokens);
    PerfRequest r = make_perf_request(catalog, m, deployment_inputs(f), concurrency, isl, osl,
                                      f.string("spec_decode", std::string("none")), json_field_name);
    const bool explain = f.boolean("explain", false);
    r.record_terms = explain;
    f.reject_unknown();
    const PerfResult result = engine.run(m, h, r);
    out = table_json(perf_table({result}));
    if (explain) out = json{{"result", out}, {"explain", table_json(explain_table(result, false))}};
  } else if (path == "/api/frontier") {
    const ModelSpec m = model_from(f, catalog);
    std::vector<Hardware> hardware;
    for (const auto& name : f.strings("hardware", limits.max_frontier_hardware)) hardware.push_back(catalog.hardware(name, "hardware"));
    FrontierRequest r;
    r.isl = f.number("isl", 1024, 1, limits.max_tokens);
    r.osl = f.number("osl", 1024, 1, limits.max_tokens);
    r.normalize = parse_normalizer(f.string("normalize", std::string("device")));
    r.weight_dtype = f.string("weight_dtype", std::string("checkpoint"));
    r.kv_dtype = f.string("kv_dtype", std::string("bf16"));
    r.max_concurrency = f.number("max_concurrency", 1024, 1, 4096);
    f.reject_unknown();
    for (const auto& h : hardware) normalizer_value(catalog, h, 1, r.normalize);
    json rows = json::array();
    for (const auto& h : hardware) {
      const auto points = sweep(engine, m, h, r);
      for (const auto& row : table_json(frontier_table(points, r.normalize, true))) rows.push_back(row);
    }
    out = rows;
  } else if (path == "/api/cost") {
    const ModelSpec m = model_from(f, catalog);
    const Hardware h = catalog.hardware(f.string("hardware"), "hardware");
    CostRequest c;
    c.workload = catalog.workload(f.string("workload", std::string("agentic-coding")), "workload");
    c.price_list = catalog.price_list(f.string("price_list", std::string("openai-gpt-5.2")), "price_list");
    if (f.has("usd_per_hour")) {
      const double usd = f.number("usd_per_hour", std::nullopt, 1e-6, 1e9);
      c.price = SystemPrice{fmt::format("{} USD/h", usd), usd};
    } else {
      c.price = system_price(catalog, h, f.string("price", std::string("rental")));
    }
    const double concurrency =
        std::floor(f.number("concurrency", load_calculator_constants(catalog).default_concurrency, 1, limits.max_concurrency));
    c.isl_override = f.number("isl", 0, 0, limits.max_tokens);
    c.perf = make_perf_request(catalog, m, deployment_inputs(f), concurrency, 1, 1, "none", json_field_name);
    c.cache_tier = to_lower(f.string("cache_tier", std::string()));
    const std::string rule = to_lower(f.string("rule", std::string("both")));
    f.reject_unknown();
    std::vector<CostRule> rules = rule == "both" ? std::vector<CostRule>{CostRule::physical, CostRule::calculator}
                                                 : std::vector<CostRule>{parse_cost_rule(rule)};
    std::vector<CostResult> results;
    for (CostRule cr : rules) {
      c.rule = cr;
      results.push_back(token_cost(engine, m, h, c));
    }
    out = table_json(cost_table(results));
  } else if (path == "/api/feasibility") {
    const Hardware h = catalog.hardware(f.string("hardware", std::string("cs-3")), "hardware");
    const double concurrency = f.number("concurrency", 1, 1, limits.max_concurrency);
    const std::string weights = f.string("weight_dtype", std::string("fp8"));
    const std::string kv = f.string("kv_dtype", std::string("bf16"));
    const int points = f.optional_int("points", 5, 61).value_or(31);
    const bool honor = parse_kv_window(f.string("kv_window", std::string("ignore")), "kv_window");
    f.reject_unknown();
    const auto models = feasibility_points(catalog, h, concurrency, weights, kv, honor);
    const FeasibilityGrid grid = feasibility_grid(h, concurrency, catalog.precisions.get(weights, "weight_dtype").bytes_per_element(),
                                                  catalog.precisions.get(kv, "kv_dtype").bytes_per_element(), points);
    out = json{{"params", grid.params}, {"input_tokens", grid.input_tokens}, {"systems", grid.systems},
               {"models", table_json(feasibility_points_table(models))}};
  } else if (path == "/api/disagg") {
    const ModelSpec m = model_from(f, catalog);
    const Hardware ph = catalog.hardware(f.string("prefill"), "prefill"), dh = catalog.hardware(f.string("decode"), "decode");
    DisaggRequest d;
    d.workload = catalog.workload(f.string("workload", std::string("agentic-coding")), "workload");
    d.prefill.weights = d.decode.weights = weight_format(m, f.string("weight_dtype", std::string("checkpoint")), catalog.precisions, "weight_dtype");
    d.prefill.kv = d.decode.kv = catalog.precisions.get(f.string("kv_dtype", std::string("bf16")), "kv_dtype");
    d.decode.concurrency = std::floor(f.number("concurrency", 64, 1, limits.max_concurrency));
    const std::string price = f.string("price", std::string("tco"));
    f.reject_unknown();
    d.prefill_price = system_price(catalog, ph, price);
    d.decode_price = system_price(catalog, dh, price);
    const auto rows = compare_disaggregation(engine, m, ph, dh, d);
    out = json{{"rows", table_json(disaggregation_table(rows))}, {"note", five_x_note(rows)}};
  } else if (path == "/api/simulate") {
    const ModelSpec m = model_from(f, catalog);
    const Hardware h = catalog.hardware(f.string("hardware"), "hardware");
    PoolSpec pool{h, PerfRequest{}, f.optional_int("replicas", 1, 64).value_or(1), SystemPrice{}};
    pool.perf.devices = f.optional_int("devices", 1, 100000);
    pool.perf.tp = f.optional_int("tp", 1, 4096);
    pool.perf.pp = f.optional_int("pp", 1, 4096);
    pool.perf.weights = weight_format(m, f.string("weight_dtype", std::string("checkpoint")), catalog.precisions, "weight_dtype");
    pool.perf.kv = catalog.precisions.get(f.string("kv_dtype", std::string("bf16")), "kv_dtype");
    pool.price = system_price(catalog, h, f.string("price", std::string("tco")));
    const Workload w = catalog.workload(f.string("workload", std::string("azure-conv")), "workload");
    const double rate = f.number("rate", std::nullopt, 1e-6, 1e6);
    const double duration = f.number("duration", std::nullopt, 1e-3, 1e7);
    if (rate * duration > limits.max_simulated_requests)
      throw ApiError{422, "duration", fmt::format("rate x duration asks for {:.0f} requests; at most {:.0f} per API call",
                                                 rate * duration, limits.max_simulated_requests)};
    SimConfig config;
    config.scheduler = f.string("scheduler", std::string("continuous"));
    config.router = f.string("router", std::string("round_robin"));
    config.slo_ttft_s = f.number("slo_ttft", 0, 0, 1e6);
    config.slo_tpot_s = f.number("slo_tpot", 0, 0, 1e6);
    const double seed = f.number("seed", 1, 0, 1e15);
    f.reject_unknown();
    Traffic t;
    t.requests = synthetic_traffic(w, rate, duration, 1.0, static_cast<unsigned long long>(seed));
    out = table_json(sim_summary_table(simulate(engine, m, pool, std::nullopt, config, std::move(t))));
  } else {
    throw ApiError{404, "", "no such endpoint: POST " + path};
  }
  return out;
}

json error_body(const std::string& field, const std::string& message) {
  return json{{"error", {{"field", field}, {"message", message}}}};
}

}  // namespace

ApiResponse handle_api(const Catalog& catalog, const PerfEngine& engine, const std::string& method,
                       const std::string& path, const std::string& body, const ApiLimits& limits) {
  try {
    if (body.size() > limits.max_body_bytes)
      return ApiResponse{413, error_body("", fmt::format("request body over {} bytes", limits.max_body_bytes)).dump()};
    return ApiResponse{200, handle(catalog, engine, method, path, body, limits).dump()};
  } catch (const ApiError& e) {
    return ApiResponse{e.status, error_body(e.field, e.message).dump()};
  } catch (const InputError& e) {
    return ApiResponse{422, error_body(e.where(), e.message()).dump()};
  } catch (const InfeasibleError& e) {
    return ApiResponse{422, error_body("", std::string("infeasible: ") + e.what()).dump()};
  } catch (const json::exception& e) {
    return ApiResponse{400, error_body("", std::string("bad JSON value: ") + e.what()).dump()};
  } catch (const std::exception& e) {  // a library bug: still a reply, never a dropped connection
    return ApiResponse{500, error_body("", std::string("internal error: ") + e.what()).dump()};
  }
}

std::string default_web_dir() {
  if (const char* env = std::getenv("WAFERSCOPE_WEB"); env && *env) return env;
  return WAFERSCOPE_WEB_DIR;
}

struct ApiServer::Impl {
  const Catalog& catalog;
  ServeOptions options;
  PerfEngine engine;
  httplib::Server server;
  int port = -1;
  Impl(const Catalog& c, ServeOptions o) : catalog(c), options(std::move(o)), engine(c) {}
};

ApiServer::ApiServer(const Catalog& catalog, ServeOptions options)
    : impl_(std::make_unique<Impl>(catalog, std::move(options))) {
  auto& s = impl_->server;
  Impl* impl = impl_.get();
  const int threads = std::max(1, impl->options.threads);
  s.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<std::size_t>(threads)); };
  s.set_payload_max_length(impl->options.limits.max_body_bytes + 1);
  s.set_keep_alive_timeout(2);
  s.set_tcp_nodelay(true);  // small JSON replies: do not wait for Nagle  // a browser's idle connections give their worker back quickly
  auto api = [impl](const httplib::Request& request, httplib::Response& response) {
    const ApiResponse r = handle_api(impl->catalog, impl->engine, request.method, request.path, request.body, impl->options.limits);
    response.status = r.status;
    response.set_content(r.body, "application/json");
  };
  s.Get(R"(/api/.*)", api);
  s.Post(R"(/api/.*)", api);
  s.Put(R"(/api/.*)", api);
  s.Delete(R"(/api/.*)", api);
  const std::string& web = impl->options.web_dir;
  if (!web.empty() && std::filesystem::is_directory(web)) {
    s.set_mount_point("/", web);
  } else {
    s.Get("/", [web](const httplib::Request&, httplib::Response& response) {
      response.set_content("<html><body><h1>waferscope</h1><p>The page is not built (looked in '" + web +
                               "'): run <code>make serve</code>. The JSON API is under <code>/api/</code>.</p></body></html>",
                           "text/html");
    });
  }
  s.set_error_handler([](const httplib::Request& request, httplib::Response& response) {
    if (!response.body.empty()) return;  // the API already wrote its JSON error
    if (response.status == 413) {
      response.set_content(error_body("", "request body too large").dump(), "application/json");
    } else if (response.status == 404) {
      response.set_content(error_body("", "no such route: " + request.path).dump(), "application/json");
    }
  });
}

ApiServer::~ApiServer() { stop(); }

int ApiServer::bind() {
  auto& o = impl_->options;
  if (o.port == 0) impl_->port = impl_->server.bind_to_any_port(o.host);
  else impl_->port = impl_->server.bind_to_port(o.host, o.port) ? o.port : -1;
  if (impl_->port < 0) throw InputError("--port", fmt::format("cannot listen on {}:{}", o.host, o.port));
  return impl_->port;
}

void ApiServer::run() { impl_->server.listen_after_bind(); }
void ApiServer::wait_until_running() const {
  while (!impl_->server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}
void ApiServer::stop() {
  if (impl_) impl_->server.stop();
}

}  // namespace ws
