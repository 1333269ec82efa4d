#include "api/server.h"

#include <fmt/format.h>
#include <httplib.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <chrono>
#include <thread>

#include "core/error.h"
#include "request/command.h"

namespace ws {
namespace {

using json = nlohmann::ordered_json;

struct ApiError {
  int status;
  std::string field;
  std::string message;
};

// Every reply is dumped replacing invalid UTF-8 (a field name or value echoed from the request may hold any
// bytes): a strict dump would throw from inside the error handler and take the server down.
std::string text_of(const json& body) { return body.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string error_body(const std::string& field, const std::string& message) {
  return text_of(json{{"error", {{"field", field}, {"message", message}}}});
}

// /api/<name> -> the registered command, or a 404/405 that says what exists.
const Command& route(const std::string& method, const std::string& path) {
  const std::string prefix = "/api/";
  const std::string name = path.rfind(prefix, 0) == 0 ? path.substr(prefix.size()) : "";
  const Command* command = find_command(name);
  if (!command || !command->api) throw ApiError{404, "", "no such endpoint: " + method + " " + path};
  if (method == "GET" && !command->listing)
    throw ApiError{405, "", "POST a JSON object to " + path + " (GET answers only the listings)"};
  if (method != "GET" && method != "POST") throw ApiError{405, "", "use GET for listings and POST for computations"};
  return *command;
}

std::string handle(const Catalog& catalog, const PerfEngine& engine, const std::string& method, const std::string& path,
                   const std::string& body) {
  if (method == "GET" && path == "/api/health") return text_of(json{{"status", "ok"}, {"version", WAFERSCOPE_VERSION}});
  const Command& command = route(method, path);
  nlohmann::json request = nlohmann::json::object();
  if (method == "POST") {
    try {
      request = nlohmann::json::parse(body);
    } catch (const nlohmann::json::exception& e) {  // parse_error, and out_of_range for numbers like 1e999
      throw ApiError{400, "", std::string("malformed JSON: ") + e.what()};
    }
  }
  const RequestValues values = values_from_json(command.fields, request, Caller::api);
  const Context context{catalog, engine, {}, Caller::api};
  return text_of(run_command(command, context, values, Caller::api).api_body());
}

}  // namespace

ApiResponse handle_api(const Catalog& catalog, const PerfEngine& engine, const std::string& method,
                       const std::string& path, const std::string& body, const ApiLimits& limits) {
  try {
    if (body.size() > limits.max_body_bytes)
      return ApiResponse{413, error_body("", fmt::format("request body over {} bytes", limits.max_body_bytes))};
    return ApiResponse{200, handle(catalog, engine, method, path, body)};
  } catch (const ApiError& e) {
    return ApiResponse{e.status, error_body(e.field, e.message)};
  } catch (const RequestFormatError& e) {
    return ApiResponse{400, error_body(e.where(), e.message())};
  } catch (const InputError& e) {
    return ApiResponse{422, error_body(e.where(), e.message())};
  } catch (const InfeasibleError& e) {
    return ApiResponse{422, error_body("", std::string("infeasible: ") + e.what())};
  } catch (const nlohmann::json::exception& e) {
    return ApiResponse{400, error_body("", std::string("bad JSON value: ") + e.what())};
  } catch (const std::bad_alloc&) {
    return ApiResponse{503, error_body("", "out of memory for this request")};
  } catch (const std::exception& e) {  // a library bug: still a reply, never a dropped connection
    return ApiResponse{500, error_body("", std::string("internal error: ") + e.what())};
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
      response.set_content(error_body("", "request body too large"), "application/json");
    } else if (response.status == 404) {
      response.set_content(error_body("", "no such route: " + request.path), "application/json");
    }
  });
}

ApiServer::~ApiServer() { stop(); }

int ApiServer::bind() {
  auto& o = impl_->options;
  if (o.port == 0) impl_->port = impl_->server.bind_to_any_port(o.host);
  else impl_->port = impl_->server.bind_to_port(o.host, o.port) ? o.port : -1;
  if (impl_->port < 0) throw InputError("port", fmt::format("cannot listen on {}:{}", o.host, o.port));
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
