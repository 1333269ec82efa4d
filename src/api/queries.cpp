#include "api/queries.h"

#include <fmt/format.h>

#include <cmath>
#include <sstream>

#include "core/error.h"

namespace ws {

bool parse_kv_window(const std::string& text, const std::string& where) {
  const std::string lowered = to_lower(text);
  if (lowered == "honor") return true;
  if (lowered == "ignore") return false;
  throw InputError(where, "expected honor or ignore; got '" + text + "'");
}

SpecDecode parse_spec_decode(const std::string& text, const Catalog& catalog, const std::string& where) {
  SpecDecode spec;
  if (text.empty() || to_lower(text) == "none") return spec;
  std::stringstream parts(text);
  std::string part;
  while (std::getline(parts, part, ',')) {
    const auto eq = part.find('=');
    const std::string key = to_lower(part.substr(0, eq));
    const std::string value = eq == std::string::npos ? "" : part.substr(eq + 1);
    try {
      if (key == "mtp" || key == "vendor") spec.method = key;
      else if (key == "draft") { spec.method = "draft"; spec.draft_model = value; catalog.model(value, where + " draft"); }
      else if (key == "k") spec.draft_tokens = std::stoi(value);
      else if (key == "accept") spec.acceptance = std::stod(value);
      else throw std::invalid_argument(part);
    } catch (const InputError&) {
      throw;
    } catch (const std::exception&) {
      throw InputError(where, "expected none, mtp, vendor or draft=MODEL, optionally with ,k=N and ,accept=A (0..1); "
                              "got '" + text + "'");
    }
  }
  if (spec.method == "none") throw InputError(where, "name a method (mtp, vendor or draft=MODEL); got '" + text + "'");
  if (!(spec.acceptance > 0 && spec.acceptance < 1)) throw InputError(where, "accept must be in (0, 1)");
  if (spec.draft_tokens < 0 || spec.draft_tokens > 16) throw InputError(where, "k must be in 1..16");
  if (spec.method == "vendor") {
    spec.acceptance = catalog.constants_for("wafer").get("vendor_spec_acceptance");
    spec.draft_step_s = catalog.constants_for("wafer").get("vendor_draft_step_s");
  }
  return spec;
}

std::string flag_name(const std::string& field) {
  std::string flag = "--" + field;
  for (auto& c : flag)
    if (c == '_') c = '-';
  return flag;
}

std::string json_field_name(const std::string& field) { return field; }

namespace {

void check_concurrency(double concurrency, FieldName name) {
  if (!(concurrency >= 1) || concurrency != std::floor(concurrency))
    throw InputError(name("concurrency"), fmt::format("expected a whole number >= 1; got {}", concurrency));
}

}  // namespace

PerfRequest make_perf_request(const Catalog& catalog, const ModelSpec& model, const DeploymentInputs& inputs,
                              double concurrency, double isl, double osl, const std::string& spec_decode, FieldName name) {
  check_concurrency(concurrency, name);
  if (!(isl >= 1)) throw InputError(name("isl"), fmt::format("expected at least 1 token; got {}", isl));
  if (!(osl >= 1)) throw InputError(name("osl"), fmt::format("expected at least 1 token; got {}", osl));
  for (auto [field, value] : {std::pair{"devices", inputs.devices}, {"tp", inputs.tp}, {"pp", inputs.pp}, {"ep", inputs.ep}})
    if (value && *value < 1) throw InputError(name(field), fmt::format("expected a positive integer; got {}", *value));
  PerfRequest r;
  r.concurrency = concurrency;
  r.isl = isl;
  r.osl = osl;
  r.devices = inputs.devices;
  r.tp = inputs.tp;
  r.pp = inputs.pp;
  r.ep = inputs.ep;
  r.weights = weight_format(model, inputs.weight_dtype, catalog.precisions, name("weight_dtype"));
  r.kv = catalog.precisions.get(inputs.kv_dtype, name("kv_dtype"));
  r.honor_windows = parse_kv_window(inputs.kv_window, name("kv_window"));
  r.spec = parse_spec_decode(spec_decode, catalog, name("spec_decode"));
  return r;
}

DeployRequest make_deploy_request(const Catalog& catalog, const ModelSpec& model, const DeploymentInputs& inputs,
                                  double context_tokens, double concurrency, FieldName name) {
  check_concurrency(concurrency, name);
  if (!(context_tokens >= 1)) throw InputError(name("context"), fmt::format("expected at least 1 token; got {}", context_tokens));
  DeployRequest d;
  d.context_tokens = context_tokens;
  d.concurrency = concurrency;
  d.weights = weight_format(model, inputs.weight_dtype, catalog.precisions, name("weight_dtype"));
  d.kv = catalog.precisions.get(inputs.kv_dtype, name("kv_dtype"));
  d.honor_windows = parse_kv_window(inputs.kv_window, name("kv_window"));
  return d;
}

}  // namespace ws
