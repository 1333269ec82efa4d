#include "workload/trace.h"

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <cstdint>
#include <string_view>
#include <cmath>
#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>
#include <unordered_set>

#include "core/csv.h"
#include "core/error.h"

namespace ws {

namespace {

// "2023-11-16 18:17:03.9799600" -> seconds since the epoch (UTC), fractional. Each part is range-checked so
// that timegm never sees a value it would normalise silently (month 13, second nan).
double parse_timestamp(const std::string& text, const std::string& where) {
  std::tm tm{};
  int year = 0, month = 0, day = 0, hour = 0, minute = 0;
  double second = 0;
  const auto bad = [&](const std::string& why) {
    std::string shown = text.size() > 60 ? text.substr(0, 60) + "..." : text;
    return InputError(where, "TIMESTAMP: expected 'YYYY-MM-DD hh:mm:ss.fff' (" + why + "), got '" + shown + "'");
  };
  if (std::sscanf(text.c_str(), "%d-%d-%d %d:%d:%lf", &year, &month, &day, &hour, &minute, &second) != 6)
    throw bad("six fields");
  if (year < 1970 || year > 9999 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 ||
      minute < 0 || minute > 59 || !(second >= 0 && second < 61))
    throw bad("a field out of range");
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  return static_cast<double>(timegm(&tm)) + second;
}

// A JSON number at p (grammar checked: from_chars alone would take "inf" or "01"); false when not one.
bool json_number(const char*& p, const char* end, double& value, bool& integer) {
  const char* q = p;
  if (q < end && *q == '-') ++q;
  if (q == end || !std::isdigit(static_cast<unsigned char>(*q))) return false;
  if (*q == '0' && q + 1 < end && std::isdigit(static_cast<unsigned char>(q[1]))) return false;
  std::uint64_t digits_value = 0;
  const char* digits = q;
  while (q < end && std::isdigit(static_cast<unsigned char>(*q))) digits_value = digits_value * 10 + static_cast<std::uint64_t>(*q++ - '0');
  integer = q == end || (*q != '.' && *q != 'e' && *q != 'E');
  if (integer && q - digits <= 15) {  // exact in a double: what from_chars gives, without it
    value = *p == '-' ? -static_cast<double>(digits_value) : static_cast<double>(digits_value);
    p = q;
    return true;
  }
  const auto [stop, error] = std::from_chars(p, end, value);
  if (error != std::errc() || (integer && stop != q)) return false;
  p = stop;
  return true;
}

void skip_space(const char*& p, const char* end) {
  while (p < end && (*p == ' ' || *p == '\t' || *p == '\r')) ++p;
}

struct MooncakeRecord {
  double timestamp = 0, input = 0, output = 0;
  bool has_timestamp = false, has_input = false, has_output = false;
  std::vector<long long> hashes;
};

// Mooncake's lines as they are written ({"key": number, ..., "hash_ids": [integers]}) without a JSON DOM:
// the trace's reading was most of a simulation's time. Anything else (strings, nesting, a repeated key,
// a malformed line) returns false and goes to nlohmann::json, which also words the errors.
bool parse_mooncake_fast(const std::string& line, MooncakeRecord& r) {
  const char* p = line.data();
  const char* end = p + line.size();
  skip_space(p, end);
  if (p == end || *p++ != '{') return false;
  bool has_hashes = false;
  for (bool first = true;; first = false) {
    skip_space(p, end);
    if (p < end && *p == '}' && first) return ++p, skip_space(p, end), p == end;
    if (p == end || *p++ != '"') return false;
    const char* key = p;
    while (p < end && *p != '"' && *p != '\\') ++p;
    if (p == end || *p == '\\') return false;
    const std::string_view name(key, static_cast<std::size_t>(p - key));
    ++p;
    skip_space(p, end);
    if (p == end || *p++ != ':') return false;
    skip_space(p, end);
    if (name == "hash_ids") {
      if (has_hashes || p == end || *p++ != '[') return false;
      has_hashes = true;
      skip_space(p, end);
      if (p < end && *p == ']') ++p;
      else
        while (true) {
          double value = 0;
          bool integer = false;
          skip_space(p, end);
          if (!json_number(p, end, value, integer) || !integer || std::fabs(value) > 9e15) return false;
          r.hashes.push_back(static_cast<long long>(value));
          skip_space(p, end);
          if (p < end && *p == ',') { ++p; continue; }
          if (p < end && *p == ']') { ++p; break; }
          return false;
        }
    } else {
      double value = 0;
      bool integer = false;
      if (!json_number(p, end, value, integer)) return false;
      const auto set = [&](double& field, bool& has) { return has ? false : (field = value, has = true); };
      if (name == "timestamp" && !set(r.timestamp, r.has_timestamp)) return false;
      if (name == "input_length" && !set(r.input, r.has_input)) return false;
      if (name == "output_length" && !set(r.output, r.has_output)) return false;
    }
    skip_space(p, end);
    if (p < end && *p == ',') { ++p; continue; }
    if (p < end && *p == '}') { ++p; break; }
    return false;
  }
  skip_space(p, end);
  return p == end && r.has_timestamp && r.has_input && r.has_output;
}

// The same record through nlohmann::json, with its error messages.
MooncakeRecord parse_mooncake_json(const std::string& line, const std::string& where) {
  nlohmann::json record;
  try {
    record = nlohmann::json::parse(line);
  } catch (const nlohmann::json::exception& e) {  // parse_error, and out_of_range for numbers like 1e999
    throw InputError(where, std::string("malformed JSON: ") + e.what());
  }
  if (!record.is_object()) throw InputError(where, "expected one JSON object per line");
  for (const char* field : {"timestamp", "input_length", "output_length"}) {
    if (!record.contains(field)) throw InputError(where, std::string(field) + ": missing");
    if (!record.at(field).is_number()) throw InputError(where, std::string(field) + ": expected a number");
  }
  MooncakeRecord r;
  r.timestamp = record.at("timestamp").get<double>();
  r.input = record.at("input_length").get<double>();
  r.output = record.at("output_length").get<double>();
  if (record.contains("hash_ids")) {
    const auto& hashes = record.at("hash_ids");
    if (!hashes.is_array()) throw InputError(where, "hash_ids: expected a list of integers");
    if (hashes.size() > limits::max_trace_blocks_per_request)
      throw InputError(where, fmt::format("hash_ids: {} blocks; at most {} per request", hashes.size(),
                                          limits::max_trace_blocks_per_request));
    for (const auto& hash : hashes) {
      if (!hash.is_number_integer()) throw InputError(where, "hash_ids: expected a list of integers");
      r.hashes.push_back(hash.get<long long>());
    }
  }
  return r;
}

}  // namespace

TraceReader::TraceReader(const std::string& path)
    : owned_(std::make_unique<std::ifstream>(path)),
      stream_(owned_.get()),
      name_(path),
      jsonl_(path.size() > 6 && path.substr(path.size() - 6) == ".jsonl") {
  if (!*stream_) throw InputError(path, "cannot be read");
}

TraceReader::TraceReader(std::istream& stream, const std::string& name, bool jsonl)
    : stream_(&stream), name_(name), jsonl_(jsonl) {}

bool TraceReader::next(TraceRequest& request) {
  request.arrival_s = request.input_tokens = request.output_tokens = 0;
  request.block_hashes.clear();
  return jsonl_ ? next_mooncake(request) : next_azure(request);
}

// Checks shared by both formats; arrivals are relative to the first record's own timestamp, so that they
// start at 0 whatever the trace's epoch (Mooncake's are milliseconds since its start, others' since 1970).
void TraceReader::check(TraceRequest& r, double timestamp_s) {
  const auto where = [&] { return fmt::format("{}:{}", name_, line_number_); };  // formatted only for an error
  static const TraceFieldNames azure{"TIMESTAMP", "ContextTokens", "GeneratedTokens"};
  static const TraceFieldNames mooncake{"timestamp", "input_length", "output_length"};
  const TraceFieldNames& names = jsonl_ ? mooncake : azure;
  if (static_cast<std::size_t>(count_) >= limits::max_trace_requests)
    throw InputError(where(), fmt::format("more than {} requests; a trace is capped there (the simulator's own cap)",
                                        limits::max_trace_requests));
  if (!std::isfinite(timestamp_s)) throw InputError(where(), names.timestamp + ": expected a finite number");
  if (count_ == 0) first_s_ = timestamp_s;
  r.arrival_s = timestamp_s - first_s_;
  if (count_ > 0 && r.arrival_s < last_arrival_s_)
    throw InputError(where(), names.timestamp + " goes backwards (earlier than the line before)");
  if (r.arrival_s > limits::max_trace_span_s)
    throw InputError(where(), fmt::format("{} is {:.3g} s after the first record; a trace may span at most {:.0f} days",
                                        names.timestamp, r.arrival_s, limits::max_trace_span_s / 86400));
  const auto check_tokens = [&](double tokens, const std::string& name) {
    if (!(tokens >= 0) || tokens > limits::max_trace_tokens || tokens != std::floor(tokens))
      throw InputError(where(), fmt::format("{}: expected a whole number of tokens in [0, {:.0f}], got {}", name,
                                          limits::max_trace_tokens, tokens));
  };
  check_tokens(r.input_tokens, names.input);
  check_tokens(r.output_tokens, names.output);
  last_arrival_s_ = r.arrival_s;
  ++count_;
}

bool TraceReader::next_azure(TraceRequest& r) {
  while (std::getline(*stream_, line_)) {
    ++line_number_;
    if (line_.empty() || line_[0] == '#') continue;
    auto fields = split_csv_line(line_);
    if (header_.empty()) {
      header_ = std::move(fields);
      continue;
    }
    const std::string where = fmt::format("{}:{}", name_, line_number_);
    if (fields.size() != header_.size())
      throw InputError(where, fmt::format("expected {} fields, found {}", header_.size(), fields.size()));
    CsvRow row;
    row.line = static_cast<int>(line_number_);
    for (std::size_t i = 0; i < fields.size(); ++i) row.fields[header_[i]] = std::move(fields[i]);
    const double t = parse_timestamp(row.at("TIMESTAMP", name_), where);
    r.input_tokens = csv_number(row, "ContextTokens", name_);
    r.output_tokens = csv_number(row, "GeneratedTokens", name_);
    check(r, t);
    return true;
  }
  if (header_.empty()) throw InputError(name_, "no header line");
  return false;
}

bool TraceReader::next_mooncake(TraceRequest& r) {
  while (std::getline(*stream_, line_)) {
    ++line_number_;
    if (line_.empty()) continue;
    MooncakeRecord record;
    hashes_.clear();
    record.hashes.swap(hashes_);  // no allocation while a line's hashes fit in the last line's
    const bool fast = parse_mooncake_fast(line_, record) && record.hashes.size() <= limits::max_trace_blocks_per_request;
    if (!fast) {
      record.hashes.swap(hashes_);
      record = parse_mooncake_json(line_, fmt::format("{}:{}", name_, line_number_));
    }
    r.input_tokens = record.input;
    r.output_tokens = record.output;
    r.block_hashes.assign(record.hashes.begin(), record.hashes.end());
    if (fast) hashes_.swap(record.hashes);
    check(r, record.timestamp / 1000.0);  // milliseconds
    return true;
  }
  return false;
}

std::vector<TraceRequest> read_azure_trace(std::istream& stream, const std::string& name) {
  TraceReader reader(stream, name, false);
  std::vector<TraceRequest> requests;
  for (TraceRequest r; reader.next(r);) requests.push_back(std::move(r));
  return requests;
}

std::vector<TraceRequest> read_mooncake_trace(std::istream& stream, const std::string& name) {
  TraceReader reader(stream, name, true);
  std::vector<TraceRequest> requests;
  for (TraceRequest r; reader.next(r);) requests.push_back(std::move(r));
  return requests;
}

std::vector<TraceRequest> read_trace(const std::string& path) {
  TraceReader reader(path);
  std::vector<TraceRequest> requests;
  for (TraceRequest r; reader.next(r);) requests.push_back(std::move(r));
  return requests;
}

TraceStats trace_stats(const std::vector<TraceRequest>& requests, double block_tokens) {
  TraceStats s;
  s.requests = requests.size();
  std::vector<double> inputs, outputs;
  double read = 0, write = 0, fresh = 0, output = 0;
  std::unordered_set<long long> seen;
  for (const auto& r : requests) {
    inputs.push_back(r.input_tokens);
    outputs.push_back(r.output_tokens);
    output += r.output_tokens;
    s.duration_s = std::max(s.duration_s, r.arrival_s);
    if (r.block_hashes.empty()) {
      fresh += r.input_tokens;
      continue;
    }
    double remaining = r.input_tokens;
    for (long long hash : r.block_hashes) {
      const double tokens = std::min(block_tokens, remaining);
      remaining -= tokens;
      if (seen.insert(hash).second) write += tokens;
      else read += tokens;
    }
    fresh += std::max(0.0, remaining);
  }
  const double total = read + write + fresh + output;
  if (total > 0) s.mix = TokenMix{read / total, write / total, fresh / total, output / total};
  s.input_tokens = LengthDistribution::from_samples(inputs);
  s.output_tokens = LengthDistribution::from_samples(outputs);
  return s;
}

}  // namespace ws
