#include "request/common.h"

#include <fmt/format.h>

#include <cmath>
#include <sstream>

#include "core/error.h"
#include "fabric/mesh.h"
#include "model/hf_config.h"
#include "request/limits.h"

namespace ws {

Field model_field(bool required) {
  Field f{"model", FieldType::text, "Catalog name or path to a config.json"};
  f.required = required;
  return f;
}

Field config_field() {
  Field f{"config", FieldType::object, "A config.json object of your own, instead of model"};
  f.surface = Surface::api;
  return f;
}

Field hardware_field(const std::string& name, std::optional<std::string> fallback, const std::string& help) {
  Field f{name, FieldType::text, help, std::move(fallback)};
  f.required = !f.fallback;
  return f;
}

Field concurrency_field(std::optional<std::string> fallback, const std::string& help) {
  Field f{"concurrency", FieldType::integer, help, fallback, 1, limits::max_concurrency,
          "more than the largest announced fleet serves at once"};
  return f;
}

Field tokens_field(const std::string& name, std::optional<std::string> fallback, const std::string& help, double min) {
  return Field{name, FieldType::tokens, help, std::move(fallback), min, limits::max_tokens_per_request,
               "the longest context of any catalog model is 10M tokens"};
}

Field count_field(const std::string& name, const std::string& help, double max, const std::string& reason,
                  std::optional<std::string> fallback, double min) {
  return Field{name, FieldType::integer, help, std::move(fallback), min, max, reason};
}

Field text_field(const std::string& name, std::optional<std::string> fallback, const std::string& help) {
  return Field{name, FieldType::text, help, std::move(fallback)};
}

Field flag_field(const std::string& name, const std::string& help) {
  return Field{name, FieldType::flag, help, std::string("false")};
}

Field cli_only(Field field) {
  field.surface = Surface::cli;
  return field;
}

const Chip& wafer_chip(const Catalog& catalog, const std::string& name) {
  const Chip& chip = catalog.chip(name, "chip");
  if (!chip.fabric)
    throw InputError("chip", "expected a wafer with core-level [fabric] facts in the catalog (wse-2, wse-3); '" + chip.name +
                                 "' has none");
  return chip;
}

Field bounded_field(const std::string& name, FieldType type, const std::string& help, std::optional<std::string> fallback,
                    double min, double max, const std::string& reason) {
  Field f;
  f.name = name;
  f.type = type;
  f.help = help;
  f.fallback = std::move(fallback);
  f.min = min;
  f.max = max;
  f.cap_reason = reason;
  return f;
}

std::vector<Field> precision_fields(const std::string& weights, const std::string& window) {
  return {text_field("weight_dtype", weights, "checkpoint, a precision (bf16, fp8, fp4, mxfp4, ...), or EXPERTS/REST"),
          text_field("kv_dtype", std::string("bf16"), "KV-cache precision"),
          text_field("kv_window", window, "honor: windowed layers cache their window; ignore: full context (the source's convention)")};
}

std::vector<Field> parallelism_fields() {
  const std::string reason = "wider than any scale-up domain or pipeline in the catalog";
  return {count_field("devices", "Devices (chips) to use (default: the fewest that hold weights + KV)", limits::max_devices,
                      "beyond the largest announced AI cluster"),
          count_field("tp", "Tensor parallelism (GPUs/LPUs)", limits::max_parallelism, reason),
          count_field("pp", "Pipeline stages (wafers: the number of wafers)", limits::max_parallelism, reason),
          count_field("ep", "Expert parallelism (within the TP x PP devices)", limits::max_parallelism, reason),
          flag_field("attention_dp", "Attention data-parallel over the TP group (GPUs; experts reached by all-to-all)"),
          stack_field(),
          text_field("grid", std::nullopt, "Wafers: run each layer in turn on an RxC region of cores (WaferLLM's deployment)")};
}

Field stack_field() {
  return text_field("stack", std::nullopt,
                    "Software stack whose fitted constants apply: GPUs vllm (default), sglang, trt; wafers cerebras "
                    "(default), cerebras-2024, waferllm");
}

std::vector<Field> join(std::vector<std::vector<Field>> parts) {
  std::vector<Field> all;
  for (auto& part : parts) all.insert(all.end(), part.begin(), part.end());
  return all;
}

ModelSpec model_from(const Catalog& catalog, const RequestValues& values) {
  if (const auto* config = values.object("config")) {
    if (values.has("model")) throw RequestFormatError("model", "give either model or config, not both");
    ModelSpec spec = parse_hf_config(*config, "config");
    spec.name = "custom";
    spec.display_name = "custom config.json";
    return spec;
  }
  if (!values.has("model")) throw RequestFormatError("model", "missing (expected a catalog name or a config.json)");
  return catalog.model(values.text("model"), "model", user_paths(values));
}

UserPaths user_paths(const RequestValues& values) {
  return values.caller() == Caller::api ? UserPaths::refused : UserPaths::allowed;  // the CLI and Python run locally
}

double tokens_from_text(const std::string& field_name, const std::string& text) {
  const Field field = tokens_field(field_name, std::nullopt, "");
  return values_from_text({field}, {{field_name, {text}}}, Caller::api).number(field_name);
}

bool parse_kv_window(const std::string& text, const std::string& field) {
  const std::string lowered = to_lower(text);
  if (lowered == "honor") return true;
  if (lowered == "ignore") return false;
  throw InputError(field, "expected honor or ignore; got '" + text + "'");
}

SpecDecode parse_spec_decode(const std::string& text, const Catalog& catalog, const std::string& field, UserPaths paths) {
  SpecDecode spec;
  if (text.empty() || to_lower(text) == "none") return spec;
  const std::string expected =
      "expected none, mtp, vendor or draft=MODEL, optionally with ,k=N (1..16) and ,accept=A (0..1); got '" + text + "'";
  std::stringstream parts(text);
  std::string part;
  bool acceptance_given = false;
  while (std::getline(parts, part, ',')) {
    const auto eq = part.find('=');
    const std::string key = to_lower(part.substr(0, eq));
    const std::string value = eq == std::string::npos ? "" : part.substr(eq + 1);
    if (key == "mtp" || key == "vendor") {
      spec.method = key;
    } else if (key == "draft") {
      spec.method = "draft";
      spec.draft_model = value;
      catalog.model(value, field + " draft", paths);
    } else if (key == "k") {
      const Field k{"k", FieldType::integer, "", std::nullopt, 1, 16, "no engine drafts more than 16 tokens"};
      try {
        spec.draft_tokens = static_cast<int>(values_from_text({k}, {{"k", {value}}}, Caller::api).integer("k"));
      } catch (const InputError& e) {
        throw InputError(field, "k: " + e.message());
      }
    } else if (key == "accept") {
      char* end = nullptr;
      spec.acceptance = std::strtod(value.c_str(), &end);
      if (value.empty() || end != value.c_str() + value.size()) throw InputError(field, expected);
      acceptance_given = true;
    } else {
      throw InputError(field, expected);
    }
  }
  if (spec.method == "none") throw InputError(field, "name a method (mtp, vendor or draft=MODEL); got '" + text + "'");
  if (!(spec.acceptance > 0 && spec.acceptance < 1))
    throw InputError(field, fmt::format("accept must be in (0, 1); got {}", spec.acceptance));
  spec.acceptance_given = acceptance_given;
  // MTP's per-token acceptance defaults to the one fitted on InferenceX's DeepSeek-R1 MTP runs; vendor's to the
  // stack's stated one (catalog/speculative.toml, applied by the engine).
  if (spec.method == "mtp" && !acceptance_given) spec.acceptance = catalog.constants_for("hbm_gpu").get("mtp_acceptance");
  return spec;
}

PerfRequest perf_request_from(const Catalog& catalog, const ModelSpec& model, const RequestValues& values) {
  PerfRequest r;
  if (values.has("concurrency")) r.concurrency = values.number("concurrency");
  if (values.has("isl")) r.isl = values.number("isl");
  if (values.has("osl")) r.osl = values.number("osl");
  r.devices = values.optional_int("devices");
  r.tp = values.optional_int("tp");
  r.pp = values.optional_int("pp");
  r.ep = values.optional_int("ep");
  if (values.has("attention_dp")) r.attention_dp = values.flag("attention_dp");
  if (values.has("stack")) r.serving_stack = to_lower(values.text("stack"));
  if (values.has("grid")) {
    const fabric::Region grid = fabric::parse_region(values.text("grid"), "grid");
    r.grid_rows = grid.rows;
    r.grid_cols = grid.cols;
  }
  r.weights = weight_format(model, values.text("weight_dtype"), catalog.precisions, "weight_dtype");
  r.kv = catalog.precisions.get(values.text("kv_dtype"), "kv_dtype");
  r.honor_windows = parse_kv_window(values.text("kv_window"), "kv_window");
  if (values.has("spec_decode")) r.spec = parse_spec_decode(values.text("spec_decode"), catalog, "spec_decode", user_paths(values));
  return r;
}

DeployRequest deploy_request_from(const Catalog& catalog, const ModelSpec& model, const RequestValues& values) {
  DeployRequest d;
  d.context_tokens = values.number("context");
  d.concurrency = values.number("concurrency");
  d.weights = weight_format(model, values.text("weight_dtype"), catalog.precisions, "weight_dtype");
  d.kv = catalog.precisions.get(values.text("kv_dtype"), "kv_dtype");
  d.honor_windows = parse_kv_window(values.text("kv_window"), "kv_window");
  return d;
}

}  // namespace ws
