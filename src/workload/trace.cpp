#include "workload/trace.h"

#include <fmt/format.h>

#include <charconv>
#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>
#include <unordered_set>

#include "core/csv.h"
#include "core/error.h"

namespace ws {

namespace {

// "2023-11-16 18:17:03.9799600" -> seconds since the epoch (UTC), fractional.
double parse_timestamp(const std::string& text, const std::string& where) {
  std::tm tm{};
  int year, month, day, hour, minute;
  double second;
  if (std::sscanf(text.c_str(), "%d-%d-%d %d:%d:%lf", &year, &month, &day, &hour, &minute, &second) != 6)
    throw InputError(where, "TIMESTAMP: expected 'YYYY-MM-DD hh:mm:ss.fff', got '" + text + "'");
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  return static_cast<double>(timegm(&tm)) + second;
}

}  // namespace

std::vector<TraceRequest> read_trace(const std::string& path) {
  std::vector<TraceRequest> requests;
  const bool jsonl = path.size() > 6 && path.substr(path.size() - 6) == ".jsonl";
  if (!jsonl) {
    const CsvTable table = read_csv(path);
    double first = -1;
    for (const auto& row : table.rows) {
      const std::string where = fmt::format("{}:{}", path, row.line);
      TraceRequest r;
      const double t = parse_timestamp(row.at("TIMESTAMP", path), where);
      if (first < 0) first = t;
      r.arrival_s = t - first;
      r.input_tokens = csv_number(row, "ContextTokens", path);
      r.output_tokens = csv_number(row, "GeneratedTokens", path);
      if (!(r.input_tokens >= 0)) throw InputError(where, "ContextTokens: expected a number >= 0");
      if (!(r.output_tokens >= 0)) throw InputError(where, "GeneratedTokens: expected a number >= 0");
      if (!requests.empty() && r.arrival_s < requests.back().arrival_s)
        throw InputError(where, "TIMESTAMP goes backwards (earlier than the line before)");
      requests.push_back(std::move(r));
    }
    return requests;
  }
  std::ifstream stream(path);
  if (!stream) throw InputError(path, "cannot be read");
  std::string line;
  int number = 0;
  while (std::getline(stream, line)) {
    ++number;
    if (line.empty()) continue;
    const std::string where = fmt::format("{}:{}", path, number);
    nlohmann::json record;
    try {
      record = nlohmann::json::parse(line);
    } catch (const nlohmann::json::parse_error& e) {
      throw InputError(where, std::string("malformed JSON: ") + e.what());
    }
    TraceRequest r;
    for (const char* field : {"timestamp", "input_length", "output_length"}) {
      if (!record.contains(field)) throw InputError(where, std::string(field) + ": missing");
      if (!record.at(field).is_number()) throw InputError(where, std::string(field) + ": expected a number");
    }
    r.arrival_s = record.at("timestamp").get<double>() / 1000.0;
    r.input_tokens = record.at("input_length").get<double>();
    r.output_tokens = record.at("output_length").get<double>();
    if (record.contains("hash_ids")) {
      try {
        r.block_hashes = record.at("hash_ids").get<std::vector<long long>>();
      } catch (const nlohmann::json::exception&) {
        throw InputError(where, "hash_ids: expected a list of integers");
      }
    }
    if (r.input_tokens < 0) throw InputError(where, "input_length: expected a number >= 0");
    if (r.output_tokens < 0) throw InputError(where, "output_length: expected a number >= 0");
    if (!requests.empty() && r.arrival_s < requests.back().arrival_s)
      throw InputError(where, "timestamp goes backwards (earlier than the line before)");
    requests.push_back(std::move(r));
  }
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
