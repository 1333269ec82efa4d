#include "core/error.h"

#include <algorithm>
#include <cctype>
#include <numeric>

namespace ws {

std::string to_lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

namespace {
std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> previous(b.size() + 1), current(b.size() + 1);
  std::iota(previous.begin(), previous.end(), 0);
  for (std::size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitution});
    }
    std::swap(previous, current);
  }
  return previous[b.size()];
}
}  // namespace

std::vector<std::string> closest_names(const std::string& name, const std::vector<std::string>& known,
                                       std::size_t max_count) {
  const std::string needle = to_lower(name);
  std::vector<std::pair<std::size_t, std::string>> scored;
  for (const auto& candidate : known) {
    const std::string lowered = to_lower(candidate);
    std::size_t score = edit_distance(needle, lowered);
    // A name that contains the query (or is contained in it) is a strong hint: "405b" -> "llama-3.1-405b".
    if (!needle.empty() && (lowered.find(needle) != std::string::npos ||
                            needle.find(lowered) != std::string::npos)) {
      score = std::min<std::size_t>(score, 1);
    }
    scored.emplace_back(score, candidate);
  }
  std::stable_sort(scored.begin(), scored.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> result;
  for (const auto& [score, candidate] : scored) {
    if (result.size() >= max_count) break;
    result.push_back(candidate);
  }
  return result;
}

std::string unknown_name_message(const std::string& what, const std::string& name,
                                 const std::vector<std::string>& known, const std::string& listing_command) {
  std::string message = "unknown " + what + " '" + name + "'";
  const auto closest = closest_names(name, known);
  if (!closest.empty()) {
    message += " (closest: ";
    for (std::size_t i = 0; i < closest.size(); ++i) message += (i ? ", " : "") + closest[i];
    message += ")";
  }
  if (!listing_command.empty()) message += "; see `" + listing_command + "` for all";
  return message;
}

}  // namespace ws
