#include "workload/trace.h"

#include <fmt/format.h>

#include <charconv>
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

// Checks shared by both formats; `first_s` is the first record's own timestamp, so that arrivals start at 0
// whatever the trace's epoch (Mooncake's are milliseconds since its start, others' since 1970).
void append_checked(std::vector<TraceRequest>& requests, TraceRequest r, double timestamp_s, double& first_s,
                    const std::string& where, const TraceFieldNames& names) {
  if (requests.size() >= limits::max_trace_requests)
    throw InputError(where, fmt::format("more than {} requests; a trace is capped there (the simulator's own cap)",
                                        limits::max_trace_requests));
  if (!std::isfinite(timestamp_s)) throw InputError(where, names.timestamp + ": expected a finite number");
  if (requests.empty()) first_s = timestamp_s;
  r.arrival_s = timestamp_s - first_s;
  if (!requests.empty() && r.arrival_s < requests.back().arrival_s)
    throw InputError(where, names.timestamp + " goes backwards (earlier than the line before)");
  if (r.arrival_s > limits::max_trace_span_s)
    throw InputError(where, fmt::format("{} is {:.3g} s after the first record; a trace may span at most {:.0f} days",
                                        names.timestamp, r.arrival_s, limits::max_trace_span_s / 86400));
  const auto check_tokens = [&](double tokens, const std::string& name) {
    if (!(tokens >= 0) || tokens > limits::max_trace_tokens || tokens != std::floor(tokens))
      throw InputError(where, fmt::format("{}: expected a whole number of tokens in [0, {:.0f}], got {}", name,
                                          limits::max_trace_tokens, tokens));
  };
  check_tokens(r.input_tokens, names.input);
  check_tokens(r.output_tokens, names.output);
  requests.push_back(std::move(r));
}

}  // namespace

std::vector<TraceRequest> read_azure_trace(std::istream& stream, const std::string& name) {
  static const TraceFieldNames names{"TIMESTAMP", "ContextTokens", "GeneratedTokens"};
  std::vector<TraceRequest> requests;
  const CsvTable table = read_csv(stream, name);
  double first_s = 0;
  for (const auto& row : table.rows) {
    const std::string where = fmt::format("{}:{}", name, row.line);
    TraceRequest r;
    const double t = parse_timestamp(row.at("TIMESTAMP", name), where);
    r.input_tokens = csv_number(row, "ContextTokens", name);
    r.output_tokens = csv_number(row, "GeneratedTokens", name);
    append_checked(requests, std::move(r), t, first_s, where, names);
  }
  return requests;
}

std::vector<TraceRequest> read_mooncake_trace(std::istream& stream, const std::string& name) {
  static const TraceFieldNames names{"timestamp", "input_length", "output_length"};
  std::vector<TraceRequest> requests;
  std::string line;
  long long number = 0;
  double first_s = 0;
  while (std::getline(stream, line)) {
    ++number;
    if (line.empty()) continue;
    const std::string where = fmt::format("{}:{}", name, number);
    nlohmann::json record;
    try {
      record = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception& e) {  // parse_error, and out_of_range for numbers like 1e999
      throw InputError(where, std::string("malformed JSON: ") + e.what());
    }
    if (!record.is_object()) throw InputError(where, "expected one JSON object per line");
    TraceRequest r;
    for (const char* field : {"timestamp", "input_length", "output_length"}) {
      if (!record.contains(field)) throw InputError(where, std::string(field) + ": missing");
      if (!record.at(field).is_number()) throw InputError(where, std::string(field) + ": expected a number");
    }
    const double timestamp_s = record.at("timestamp").get<double>() / 1000.0;  // milliseconds
    r.input_tokens = record.at("input_length").get<double>();
    r.output_tokens = record.at("output_length").get<double>();
    if (record.contains("hash_ids")) {
      const auto& hashes = record.at("hash_ids");
      if (!hashes.is_array()) throw InputError(where, "hash_ids: expected a list of integers");
      if (hashes.size() > limits::max_trace_blocks_per_request)
        throw InputError(where, fmt::format("hash_ids: {} blocks; at most {} per request", hashes.size(),
                                            limits::max_trace_blocks_per_request));
      for (const auto& hash : hashes) {
        if (!hash.is_number_integer()) throw InputError(where, "hash_ids: expected a list of integers");
        r.block_hashes.push_back(hash.get<long long>());
      }
    }
    append_checked(requests, std::move(r), timestamp_s, first_s, where, names);
  }
  return requests;
}

std::vector<TraceRequest> read_trace(const std::string& path) {
  const bool jsonl = path.size() > 6 && path.substr(path.size() - 6) == ".jsonl";
  std::ifstream stream(path);
  if (!stream) throw InputError(path, "cannot be read");
  return jsonl ? read_mooncake_trace(stream, path) : read_azure_trace(stream, path);
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
