#pragma once
#include <stdexcept>
#include <string>
#include <vector>

namespace ws {

// The one exception for bad input. Thrown only at the boundary (catalog loaders, config parsers, CLI, API);
// the message always says where (file:line, key or flag), what was expected and what was found.
class InputError : public std::runtime_error {
 public:
  InputError(std::string where, std::string message)
      : std::runtime_error(where.empty() ? message : where + ": " + message),
        where_(std::move(where)),
        message_(std::move(message)) {}
  const std::string& where() const { return where_; }
  const std::string& message() const { return message_; }

 private:
  std::string where_;
  std::string message_;
};

// Input of the wrong shape: a string where a number belongs, an unknown or a missing field (API: 400; the
// other InputErrors, values of the right shape but out of range or unknown names, are 422).
class RequestFormatError : public InputError {
 public:
  using InputError::InputError;
};

// A request that is well-formed but cannot be satisfied (model does not fit, ...). Reported as data where
// possible; thrown only when a command cannot produce any answer.
class InfeasibleError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Up to `max_count` known names closest to `name` (case-insensitive edit distance), best first.
std::vector<std::string> closest_names(const std::string& name, const std::vector<std::string>& known,
                                       std::size_t max_count = 3);

// "unknown model 'lama-3' (closest: llama-3.1-8b, llama-3.3-70b; see `waferscope models`)"
std::string unknown_name_message(const std::string& what, const std::string& name,
                                 const std::vector<std::string>& known, const std::string& listing_command);

std::string to_lower(std::string text);

}  // namespace ws
