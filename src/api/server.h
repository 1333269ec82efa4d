#pragma once
#include <atomic>
#include <memory>
#include <string>

#include "catalog/catalog.h"
#include "perf/engine.h"
#include "request/limits.h"

namespace ws {

struct ApiLimits {
  std::size_t max_body_bytes = limits::max_body_bytes;  // a config.json fits, anything larger is refused (413)
};

struct ApiResponse {
  int status = 200;
  std::string body;  // JSON
};

// The JSON API over the library, without sockets: method + path + body in, status + JSON out. Field names and
// units are the CLI's JSON output. Bad input is a 4xx with {"error": {"field": ..., "message": ...}}; the
// handler never throws.
ApiResponse handle_api(const Catalog& catalog, const PerfEngine& engine, const std::string& method,
                       const std::string& path, const std::string& body, const ApiLimits& limits = {});

struct ServeOptions {
  std::string host = "127.0.0.1";  // loopback unless told otherwise
  int port = 8080;                 // 0 = any free port
  int threads = 16;                // idle keep-alive connections hold a thread each: keep plenty
  std::string web_dir;             // the built page (web/dist); empty = a note saying how to build it
  ApiLimits limits;
};

// The HTTP server: /api/* through handle_api, everything else from web_dir.
class ApiServer {
 public:
  ApiServer(const Catalog& catalog, ServeOptions options);
  ~ApiServer();
  int bind();     // binds, returns the port (throws InputError when it cannot)
  void run();     // serves until stop()
  void wait_until_running() const;  // for callers that run() on another thread
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// --web-dir > $WAFERSCOPE_WEB > the web/dist folder of the source tree this binary was built from.
std::string default_web_dir();

}  // namespace ws
