#pragma once
#include <string>

#include "catalog/catalog.h"
#include "perf/engine.h"
#include "placement/deploy.h"

#include <optional>

namespace ws {

// Small parsers shared by the CLI flags and the HTTP API fields, so both accept exactly the same values.
// `where` names the flag or field in errors.
bool parse_kv_window(const std::string& text, const std::string& where);  // honor | ignore
// none | mtp[,k=K][,accept=A] | draft=MODEL[,k=K][,accept=A] | vendor
SpecDecode parse_spec_decode(const std::string& text, const Catalog& catalog, const std::string& where);

// How the caller's user spells a field: "--weight-dtype" on the command line, "weight_dtype" in the API.
using FieldName = std::string (*)(const std::string& field);
std::string flag_name(const std::string& field);   // "weight_dtype" -> "--weight-dtype"
std::string json_field_name(const std::string& field);  // unchanged

// What a deployment question gives, as the user wrote it; the same for the CLI and the API.
struct DeploymentInputs {
  std::string weight_dtype = "checkpoint";
  std::string kv_dtype = "bf16";
  std::string kv_window = "honor";
  std::optional<int> devices, tp, pp, ep;
};

// Validated library requests (InputError naming the field as `name` spells it).
PerfRequest make_perf_request(const Catalog& catalog, const ModelSpec& model, const DeploymentInputs& inputs,
                              double concurrency, double isl, double osl, const std::string& spec_decode, FieldName name);
DeployRequest make_deploy_request(const Catalog& catalog, const ModelSpec& model, const DeploymentInputs& inputs,
                                  double context_tokens, double concurrency, FieldName name);

}  // namespace ws
