#include "request/fields.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>

#include "request/limits.h"

namespace ws {
namespace {

using json = nlohmann::json;

std::string show_number(double value) {
  if (std::isfinite(value) && value == std::floor(value) && std::fabs(value) < 1e15) return fmt::format("{:.0f}", value);
  return fmt::format("{:g}", value);
}

std::string quoted(const std::string& text) {
  return "'" + (text.size() > 60 ? text.substr(0, 60) + "...' (" + std::to_string(text.size()) + " characters)" : text + "'");
}

const char* expected_kind(FieldType type) {
  switch (type) {
    case FieldType::integer: return "a whole number";
    case FieldType::number: return "a number";
    case FieldType::tokens: return "a token count (such as 128000, 128k or 1m)";
    case FieldType::text: return "a string";
    case FieldType::flag: return "true or false";
    case FieldType::list: return "a list of names";
    case FieldType::object: return "a JSON object";
  }
  return "a value";
}

bool applies(const Field& field, Caller caller) {
  return field.surface == Surface::both || caller == Caller::python || (field.surface == Surface::cli) == (caller == Caller::cli);
}

// The value is a number of the right kind: check integrality and the range, naming the field.
FieldValue checked_number(const Field& field, double value, const std::string& shown, Caller caller) {
  const std::string where = spell(field.name, caller);
  const std::string range = fmt::format("[{}, {}]", show_number(field.min), show_number(field.max));
  if (!std::isfinite(value))
    throw InputError(where, fmt::format("expected {} in {}; got {}", expected_kind(field.type), range, shown));
  if (field.type == FieldType::integer && value != std::floor(value))
    throw InputError(where, fmt::format("expected a whole number in {}; got {} (a count cannot be fractional)", range, shown));
  if (value < field.min || value > field.max)
    throw InputError(where, fmt::format("expected {} in {}; got {}{}", expected_kind(field.type), range, shown,
                                        value > field.max && !field.cap_reason.empty() ? " (cap: " + field.cap_reason + ")" : ""));
  if (field.type == FieldType::integer) return static_cast<long long>(value);
  return value;
}

// Reads a whole text as a finite-or-not double; false when it is not a number at all.
bool read_double(const std::string& text, double& value) {
  if (text.empty() || std::isspace(static_cast<unsigned char>(text.front()))) return false;
  char* end = nullptr;
  value = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size();
}

std::string checked_text(const Field& field, const std::string& text, Caller caller) {
  if (text.size() > limits::max_text_chars)
    throw InputError(spell(field.name, caller),
                     fmt::format("expected at most {:.0f} characters (no name or path is longer); got {}",
                                 limits::max_text_chars, text.size()));
  if (text.find('\0') != std::string::npos) throw InputError(spell(field.name, caller), "a name cannot contain a NUL character");
  return text;
}

std::vector<std::string> split_list(const Field& field, const std::vector<std::string>& texts, Caller caller) {
  std::vector<std::string> items;
  for (const auto& text : texts) {
    std::size_t start = 0;
    while (start <= text.size()) {
      const std::size_t comma = std::min(text.find(field.separator, start), text.size());
      std::string item = text.substr(start, comma - start);
      while (!item.empty() && std::isspace(static_cast<unsigned char>(item.back()))) item.pop_back();
      while (!item.empty() && std::isspace(static_cast<unsigned char>(item.front()))) item.erase(item.begin());
      if (item.empty()) throw InputError(spell(field.name, caller), "expected comma-separated names; found an empty name in " + quoted(text));
      items.push_back(checked_text(field, item, caller));
      start = comma + 1;
    }
  }
  const double max_items = field.max > 0 ? field.max : limits::max_list_items;
  if (items.size() > max_items)
    throw InputError(spell(field.name, caller), fmt::format("expected at most {} names{}; got {}", show_number(max_items),
                                                            field.cap_reason.empty() ? "" : " (cap: " + field.cap_reason + ")",
                                                            items.size()));
  return items;
}

FieldValue parse_text_value(const Field& field, const std::vector<std::string>& texts, Caller caller) {
  const std::string where = spell(field.name, caller);
  if (field.type == FieldType::list) return split_list(field, texts, caller);
  if (texts.size() != 1) throw InputError(where, fmt::format("given {} times; give it once", texts.size()));
  const std::string& text = texts.front();
  switch (field.type) {
    case FieldType::integer:
    case FieldType::number: {
      double value = 0;
      if (!read_double(text, value))
        throw InputError(where, fmt::format("expected {}; got {}", expected_kind(field.type), quoted(text)));
      return checked_number(field, value, quoted(text), caller);
    }
    case FieldType::tokens: {
      std::string digits = to_lower(text);
      double scale = 1;
      if (!digits.empty() && digits.back() == 'k') scale = 1e3, digits.pop_back();
      else if (!digits.empty() && digits.back() == 'm') scale = 1e6, digits.pop_back();
      double value = 0;
      if (!read_double(digits, value))
        throw InputError(where, fmt::format("expected {}; got {}", expected_kind(field.type), quoted(text)));
      return checked_number(field, value * scale, quoted(text), caller);
    }
    case FieldType::text: return checked_text(field, text, caller);
    case FieldType::flag: {
      const std::string lowered = to_lower(text);
      if (lowered == "true" || lowered == "1") return true;
      if (lowered == "false" || lowered == "0") return false;
      throw InputError(where, "expected true or false; got " + quoted(text));
    }
    case FieldType::object: throw InputError(where, "a JSON object can be given through the API or Python only");
    case FieldType::list: break;
  }
  return std::monostate{};
}

FieldValue parse_json_value(const Field& field, const json& value, Caller caller) {
  const std::string where = spell(field.name, caller);
  auto wrong_type = [&] {
    return RequestFormatError(where, fmt::format("expected {}; got {}", expected_kind(field.type), value.type_name()));
  };
  switch (field.type) {
    case FieldType::integer:
    case FieldType::number:
      if (!value.is_number()) throw wrong_type();
      return checked_number(field, value.get<double>(), value.dump(), caller);
    case FieldType::tokens:
      if (value.is_string()) return parse_text_value(field, {value.get<std::string>()}, caller);
      if (!value.is_number()) throw wrong_type();
      return checked_number(field, value.get<double>(), value.dump(), caller);
    case FieldType::text:
      if (!value.is_string()) throw wrong_type();
      return checked_text(field, value.get<std::string>(), caller);
    case FieldType::flag:
      if (!value.is_boolean()) throw wrong_type();
      return value.get<bool>();
    case FieldType::list: {
      if (value.is_string()) return split_list(field, {value.get<std::string>()}, caller);
      if (value.is_number()) return split_list(field, {value.dump()}, caller);
      if (!value.is_array()) throw wrong_type();
      std::vector<std::string> texts;
      for (const auto& item : value) {
        if (item.is_number()) texts.push_back(item.dump());  // [128000, 256000] for token lists
        else if (item.is_string()) texts.push_back(item.get<std::string>());
        else throw wrong_type();
      }
      if (texts.empty()) throw InputError(where, "expected at least one name; got an empty list");
      return split_list(field, texts, caller);
    }
    case FieldType::object:
      if (!value.is_object()) throw wrong_type();
      return value;
  }
  return std::monostate{};
}

template <typename Given, typename Parse>
RequestValues fill(const std::vector<Field>& fields, const Given& given, Caller caller, Parse parse) {
  RequestValues values;
  values.set_caller(caller);
  for (const auto& field : fields) {
    if (!applies(field, caller)) continue;
    auto found = given.find(field.name);
    if (found != given.end()) {
      values.set(field.name, parse(field, found->second));
    } else if (field.required) {
      throw RequestFormatError(spell(field.name, caller), fmt::format("missing (expected {})", expected_kind(field.type)));
    } else if (field.fallback) {
      values.set(field.name, parse_text_value(field, {*field.fallback}, caller));
    }
  }
  return values;
}

}  // namespace

std::string spell(const std::string& field, Caller caller) {
  if (caller != Caller::cli || field.empty()) return field;
  std::string flag = "--" + field;
  for (auto& c : flag)
    if (c == '_') c = '-';
  return flag;
}

RequestValues values_from_text(const std::vector<Field>& fields, const TextInputs& given, Caller caller) {
  for (const auto& [name, texts] : given) {
    bool known = false;
    for (const auto& field : fields) known = known || (field.name == name && applies(field, caller));
    if (!known) throw RequestFormatError(spell(name, caller), "unknown option for this command");
  }
  RequestValues values = fill(fields, given, caller, [caller](const Field& field, const std::vector<std::string>& texts) {
    return parse_text_value(field, texts, caller);
  });
  values.set_given_texts(given);
  return values;
}

RequestValues values_from_json(const std::vector<Field>& fields, const json& body, Caller caller) {
  if (!body.is_object()) throw RequestFormatError("", std::string("expected a JSON object as the request; got ") + body.type_name());
  std::map<std::string, json> given;
  for (const auto& [key, value] : body.items()) {
    bool known = false;
    for (const auto& field : fields) known = known || (field.name == key && applies(field, caller));
    if (!known) throw RequestFormatError(key, "unknown field");
    if (!value.is_null()) given[key] = value;
  }
  return fill(fields, given, caller, [caller](const Field& field, const json& value) {
    return parse_json_value(field, value, caller);
  });
}

void rethrow_respelled(const InputError& error, const std::vector<Field>& fields, Caller caller) {
  const std::string& where = error.where();
  const std::size_t space = where.find(' ');
  const std::string head = where.substr(0, space);
  for (const auto& field : fields) {
    if (field.name != head) continue;
    const std::string spelled = spell(head, caller) + (space == std::string::npos ? "" : where.substr(space));
    if (dynamic_cast<const RequestFormatError*>(&error)) throw RequestFormatError(spelled, error.message());
    throw InputError(spelled, error.message());
  }
  if (dynamic_cast<const RequestFormatError*>(&error)) throw RequestFormatError(error.where(), error.message());
  throw InputError(error.where(), error.message());
}

bool RequestValues::has(const std::string& name) const {
  auto it = values_.find(name);
  return it != values_.end() && !std::holds_alternative<std::monostate>(it->second);
}

const FieldValue& RequestValues::at(const std::string& name) const {
  static const FieldValue empty;
  auto it = values_.find(name);
  return it == values_.end() ? empty : it->second;
}

long long RequestValues::integer(const std::string& name) const {
  if (auto v = optional_integer(name)) return *v;
  throw std::logic_error("request field '" + name + "' has no integer value");
}

std::optional<long long> RequestValues::optional_integer(const std::string& name) const {
  const FieldValue& v = at(name);
  if (const auto* i = std::get_if<long long>(&v)) return *i;
  if (const auto* d = std::get_if<double>(&v)) return static_cast<long long>(*d);
  return std::nullopt;
}

std::optional<int> RequestValues::optional_int(const std::string& name) const {
  auto v = optional_integer(name);
  if (!v) return std::nullopt;
  return static_cast<int>(*v);  // every integer field's cap is far below INT_MAX
}

double RequestValues::number(const std::string& name) const {
  if (auto v = optional_number(name)) return *v;
  throw std::logic_error("request field '" + name + "' has no number");
}

std::optional<double> RequestValues::optional_number(const std::string& name) const {
  const FieldValue& v = at(name);
  if (const auto* d = std::get_if<double>(&v)) return *d;
  if (const auto* i = std::get_if<long long>(&v)) return static_cast<double>(*i);
  return std::nullopt;
}

const std::string& RequestValues::text(const std::string& name) const {
  static const std::string empty;
  const FieldValue& v = at(name);
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  return empty;
}

bool RequestValues::flag(const std::string& name) const {
  const FieldValue& v = at(name);
  if (const auto* b = std::get_if<bool>(&v)) return *b;
  return false;
}

std::vector<std::string> RequestValues::list(const std::string& name) const {
  const FieldValue& v = at(name);
  if (const auto* l = std::get_if<std::vector<std::string>>(&v)) return *l;
  return {};
}

const nlohmann::json* RequestValues::object(const std::string& name) const {
  const FieldValue& v = at(name);
  return std::get_if<nlohmann::json>(&v);
}

}  // namespace ws
