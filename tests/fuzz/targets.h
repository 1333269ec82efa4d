#pragma once
// The fuzz targets: one function per reader of untrusted input. Each feeds the bytes to the reader as a user
// would (a file for the loaders that take paths, a stream or a string otherwise) and returns normally when the
// reader accepts or rejects the input with InputError/InfeasibleError. Any other exception, a crash or a
// sanitizer report is a bug. Used by the libFuzzer harnesses (fuzz_main.cpp, one binary per target, built by
// `make fuzz`) and by regression_test.cpp, which replays every input a fuzzer once crashed on.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "api/server.h"
#include "catalog/catalog.h"
#include "core/error.h"
#include "fabric/mesh.h"
#include "model/footprint.h"
#include "model/hf_config.h"
#include "perf/engine.h"
#include "workload/trace.h"

namespace ws::fuzz {

inline const Catalog& catalog() {
  static const Catalog loaded = load_catalog(WAFERSCOPE_CATALOG_DIR);
  return loaded;
}

inline const PerfEngine& engine() {
  static const PerfEngine loaded(catalog());
  return loaded;
}

// A scratch file per process, for loaders that take a path; `name` keeps the extension the loader expects.
inline std::string scratch_file(const std::string& name, const std::uint8_t* data, std::size_t size) {
  static const std::filesystem::path dir = [] {
    auto d = std::filesystem::temp_directory_path() / ("waferscope_fuzz_" + std::to_string(getpid()));
    std::filesystem::create_directories(d / "workloads");
    return d;
  }();
  const auto path = dir / name;
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(reinterpret_cast<const char*>(data),
                                                                static_cast<std::streamsize>(size));
  return path.string();
}

// Runs `read`; a clear rejection is a pass.
inline void expect_clear_outcome(const std::function<void()>& read) {
  try {
    read();
  } catch (const InputError&) {
  } catch (const InfeasibleError&) {
  }
}

inline void config_json(const std::uint8_t* data, std::size_t size) {
  const auto json = nlohmann::json::parse(data, data + size, nullptr, false);
  if (json.is_discarded()) return;  // not JSON: the reader's JSON parser is nlohmann's, fuzzed upstream
  expect_clear_outcome([&] {
    const ModelSpec spec = parse_hf_config(json, "fuzz/config.json");
    // What every command computes next from a config: parameter counts, weights and KV bytes per token.
    const auto& precisions = catalog().precisions;
    const WeightFormat format = checkpoint_weight_format(spec, precisions);
    const double weights = weight_bytes(spec, format);
    const double kv = kv_bytes_per_token(spec, precisions.get("bf16", "fuzz"));
    if (!std::isfinite(weights) || !std::isfinite(kv)) {
      std::fprintf(stderr, "non-finite footprint from an accepted config\n");
      std::abort();
    }
  });
}

inline void catalog_toml(const std::string& kind, const std::uint8_t* data, std::size_t size) {
  const std::string name = kind == "workload" ? "workloads/fuzzed.toml" : kind;
  const std::string path = scratch_file(name, data, size);
  expect_clear_outcome([&] { load_catalog_file(kind, path, catalog()); });
}

// `waferscope fabric --defect-file`: "row,col" lines over a small physical grid, then a mesh repaired around them
// (an unrepairable row is a clear rejection too).
inline void defect_file(const std::uint8_t* data, std::size_t size) {
  const std::string path = scratch_file("defects.csv", data, size);
  expect_clear_outcome([&] {
    WaferFabric fabric = *catalog().chip("wse-3").fabric;
    const fabric::Region region{16, 16};
    const int spares = fabric::spare_columns(fabric, region.cols);
    const fabric::DefectMap map = fabric::DefectMap::from_file(path, region.rows, region.cols + spares);
    const fabric::Mesh mesh(fabric, region, map);
    (void)mesh.route(mesh.physical({0, 0}), mesh.physical({region.rows - 1, region.cols - 1}));
  });
}

inline void azure_trace(const std::uint8_t* data, std::size_t size) {
  std::istringstream stream(std::string(reinterpret_cast<const char*>(data), size));
  expect_clear_outcome([&] { trace_stats(read_azure_trace(stream, "fuzz.csv")); });
}

inline void mooncake_trace(const std::uint8_t* data, std::size_t size) {
  std::istringstream stream(std::string(reinterpret_cast<const char*>(data), size));
  expect_clear_outcome([&] { trace_stats(read_mooncake_trace(stream, "fuzz.jsonl")); });
}

// "METHOD PATH\nBODY": the server's handler without sockets. It must answer 200 or a 4xx; a 5xx is a bug.
inline void api(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  const auto newline = input.find('\n');
  const std::string head = input.substr(0, newline);
  const std::string body = newline == std::string::npos ? "" : input.substr(newline + 1);
  const auto space = head.find(' ');
  const std::string method = head.substr(0, space);
  const std::string path = space == std::string::npos ? "" : head.substr(space + 1);
  const ApiResponse response = handle_api(catalog(), engine(), method, path, body);
  if (response.status >= 500 || response.status < 200) {
    std::fprintf(stderr, "status %d for %s %s\n%s\n", response.status, method.c_str(), path.c_str(), response.body.c_str());
    std::abort();
  }
}

// A catalog file kind's target name: "chips.toml" -> "chips_toml" (the harness binary is fuzz_chips_toml).
inline std::string target_name(std::string kind) {
  for (auto& c : kind)
    if (c == '.') c = '_';
  return kind;
}

// Every target by name: the harness binaries are named fuzz_<name>.
inline const std::map<std::string, std::function<void(const std::uint8_t*, std::size_t)>>& targets() {
  static const auto all = [] {
    std::map<std::string, std::function<void(const std::uint8_t*, std::size_t)>> t;
    t["config_json"] = config_json;
    t["azure_trace"] = azure_trace;
    t["mooncake_trace"] = mooncake_trace;
    t["api"] = api;
    t["defect_file"] = defect_file;
    for (const auto& kind : catalog_file_kinds())
      t[target_name(kind)] = [kind](const std::uint8_t* data, std::size_t size) { catalog_toml(kind, data, size); };
    return t;
  }();
  return all;
}

}  // namespace ws::fuzz
