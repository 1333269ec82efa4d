#pragma once
// Fields and builders several commands share, so the same field means the same thing everywhere.
#include <optional>
#include <string>
#include <vector>

#include "perf/engine.h"
#include "placement/deploy.h"
#include "request/command.h"

namespace ws {

// Model: a catalog name or a config.json path; through the API also `config`, a pasted config.json object.
Field model_field(bool required = true);
Field config_field();
Field hardware_field(const std::string& name = "hardware", std::optional<std::string> fallback = std::nullopt,
                     const std::string& help = "System or chip name");
Field concurrency_field(std::optional<std::string> fallback, const std::string& help = "Concurrent requests");
Field tokens_field(const std::string& name, std::optional<std::string> fallback, const std::string& help, double min = 1);
Field count_field(const std::string& name, const std::string& help, double max, const std::string& reason,
                  std::optional<std::string> fallback = std::nullopt, double min = 1);
Field text_field(const std::string& name, std::optional<std::string> fallback, const std::string& help);
// --chip for the wafer commands: a catalog chip with core-level [fabric] facts, else an InputError naming --chip.
const Chip& wafer_chip(const Catalog& catalog, const std::string& name);
// A number or integer field capped to [min, max], with the reason for the cap.
Field bounded_field(const std::string& name, FieldType type, const std::string& help, std::optional<std::string> fallback,
                    double min, double max, const std::string& reason);
Field flag_field(const std::string& name, const std::string& help);
Field cli_only(Field field);
// weight_dtype, kv_dtype, kv_window (+ devices, tp, pp, ep when `parallelism`).
std::vector<Field> precision_fields(const std::string& weights = "checkpoint", const std::string& window = "honor");
std::vector<Field> parallelism_fields();
Field stack_field();  // --stack: the serving stack whose overheads apply on GPUs
std::vector<Field> join(std::vector<std::vector<Field>> parts);

// The model a request names: `config` (an object) or `model` (a name or path), never both.
ModelSpec model_from(const Catalog& catalog, const RequestValues& values);
// One name checked against a text field: a token count parsed the same way a tokens field is.
double tokens_from_text(const std::string& field_name, const std::string& text);

bool parse_kv_window(const std::string& text, const std::string& field);  // honor | ignore
// none | mtp[,k=K][,accept=A] | draft=MODEL[,k=K][,accept=A] | vendor
SpecDecode parse_spec_decode(const std::string& text, const Catalog& catalog, const std::string& field,
                             UserPaths paths = UserPaths::allowed);
// The CLI and Python read the caller's own files; the API takes catalog names only (see catalog/catalog.h UserPaths).
UserPaths user_paths(const RequestValues& values);

// The deployment a perf-like request asks for: precisions, windows, parallelism, concurrency and lengths.
PerfRequest perf_request_from(const Catalog& catalog, const ModelSpec& model, const RequestValues& values);
DeployRequest deploy_request_from(const Catalog& catalog, const ModelSpec& model, const RequestValues& values);

}  // namespace ws
