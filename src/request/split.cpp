#include "request/split.h"

#include <fmt/format.h>
#include <tbb/parallel_for.h>

#include <atomic>
#include <mutex>
#include <stdexcept>

#include "core/error.h"

namespace ws {

std::vector<std::size_t> items_of(std::size_t count, int rank, int size) {
  if (size < 1 || rank < 0 || rank >= size)
    throw std::invalid_argument(fmt::format("process {} of {}: no such process", rank, size));
  std::vector<std::size_t> mine;
  for (std::size_t i = static_cast<std::size_t>(rank); i < count; i += static_cast<std::size_t>(size)) mine.push_back(i);
  return mine;
}

void ByteWriter::raw(std::uint64_t bits) {
  for (int b = 0; b < 8; ++b) bytes_.push_back(static_cast<char>((bits >> (8 * b)) & 0xff));
}

void ByteWriter::value(const std::string& v) {
  value(static_cast<long long>(v.size()));
  bytes_ += v;
}

void ByteWriter::value(const Cell& v) {
  bytes_.push_back(static_cast<char>(v.index()));
  if (const auto* d = std::get_if<double>(&v)) value(*d);
  if (const auto* s = std::get_if<std::string>(&v)) value(*s);
}

std::uint64_t ByteReader::raw() {
  if (bytes_.size() - at_ < 8) throw std::runtime_error("work item bytes end early");
  std::uint64_t bits = 0;
  for (int b = 0; b < 8; ++b) bits |= static_cast<std::uint64_t>(static_cast<unsigned char>(bytes_[at_ + b])) << (8 * b);
  at_ += 8;
  return bits;
}

void ByteReader::check_count(long long n) const {
  if (n < 0 || static_cast<unsigned long long>(n) > bytes_.size() - at_)
    throw std::runtime_error(fmt::format("work item bytes: a count of {} with {} bytes left", n, bytes_.size() - at_));
}

void ByteReader::value(int& v) {
  long long wide = 0;
  value(wide);
  v = static_cast<int>(wide);
}

void ByteReader::value(bool& v) {
  if (at_ >= bytes_.size()) throw std::runtime_error("work item bytes end early");
  v = bytes_[at_++] != 0;
}

void ByteReader::value(std::string& v) {
  long long n = 0;
  value(n);
  check_count(n);
  v = bytes_.substr(at_, static_cast<std::size_t>(n));
  at_ += static_cast<std::size_t>(n);
}

void ByteReader::value(Cell& v) {
  if (at_ >= bytes_.size()) throw std::runtime_error("work item bytes end early");
  const int kind = bytes_[at_++];
  if (kind == 0) {
    v = std::monostate{};
  } else if (kind == 1) {
    double d = 0;
    value(d);
    v = d;
  } else if (kind == 2) {
    std::string s;
    value(s);
    v = std::move(s);
  } else {
    throw std::runtime_error(fmt::format("work item bytes: no cell kind {}", kind));
  }
}

namespace {

// One item's outcome: its result, or the error it threw (kind, where, message).
enum class Outcome : int { ok = 0, input = 1, request_format = 2, infeasible = 3, internal = 4 };

std::string run_one(const std::function<std::string(std::size_t)>& work, std::size_t i) {
  ByteWriter w;
  try {
    std::string result = work(i);
    w.value(static_cast<int>(Outcome::ok));
    w.value(result);
  } catch (const RequestFormatError& e) {
    w.value(static_cast<int>(Outcome::request_format));
    w.value(e.where());
    w.value(e.message());
  } catch (const InputError& e) {
    w.value(static_cast<int>(Outcome::input));
    w.value(e.where());
    w.value(e.message());
  } catch (const InfeasibleError& e) {
    w.value(static_cast<int>(Outcome::infeasible));
    w.value(std::string());
    w.value(std::string(e.what()));
  } catch (const std::exception& e) {
    w.value(static_cast<int>(Outcome::internal));
    w.value(std::string());
    w.value(std::string(e.what()));
  }
  return w.bytes();
}

// The result of an item, or its error thrown again with its type.
std::string unwrap(const std::string& outcome) {
  ByteReader r(outcome);
  int kind = 0;
  r.value(kind);
  if (kind == static_cast<int>(Outcome::ok)) {
    std::string result;
    r.value(result);
    return result;
  }
  std::string where, message;
  r(where, message);
  switch (static_cast<Outcome>(kind)) {
    case Outcome::request_format: throw RequestFormatError(where, message);
    case Outcome::input: throw InputError(where, message);
    case Outcome::infeasible: throw InfeasibleError(message);
    default: throw std::runtime_error(message);
  }
}

}  // namespace

std::vector<std::string> run_items(const ProcessGroup* group, std::size_t count,
                                   const std::function<std::string(std::size_t)>& work,
                                   const std::function<void(std::size_t, std::size_t)>& progress) {
  const int rank = group ? group->rank : 0, size = group ? group->size : 1;
  const std::vector<std::size_t> mine = items_of(count, rank, size);
  std::vector<std::string> outcomes(count);
  std::atomic<std::size_t> done{0};
  std::mutex progress_mutex;
  tbb::parallel_for(std::size_t{0}, mine.size(), [&](std::size_t k) {
    outcomes[mine[k]] = run_one(work, mine[k]);
    const std::size_t finished = ++done;
    if (progress) {
      std::lock_guard<std::mutex> lock(progress_mutex);
      progress(finished, mine.size());
    }
  });
  if (size > 1) {
    if (!group->all_gather) throw std::logic_error("a process group without all_gather");
    ByteWriter w;
    w.value(static_cast<long long>(mine.size()));
    for (std::size_t i : mine) {
      w.value(static_cast<long long>(i));
      w.value(outcomes[i]);
    }
    const std::vector<std::string> gathered = group->all_gather(w.bytes());
    if (gathered.size() != static_cast<std::size_t>(size))
      throw std::runtime_error(fmt::format("gathered {} processes' items; the group has {}", gathered.size(), size));
    std::vector<bool> seen(count, false);
    for (int p = 0; p < size; ++p) {
      ByteReader r(gathered[p]);
      long long n = 0;
      r.value(n);
      const auto expected = items_of(count, p, size);
      if (n != static_cast<long long>(expected.size()))
        throw std::runtime_error(fmt::format("process {} sent {} items; its share is {}", p, n, expected.size()));
      for (long long k = 0; k < n; ++k) {
        long long i = 0;
        r.value(i);
        if (i != static_cast<long long>(expected[k]))
          throw std::runtime_error(fmt::format("process {} sent item {}; its share holds {}", p, i, expected[k]));
        r.value(outcomes[i]);
        seen[i] = true;
      }
      if (!r.done()) throw std::runtime_error(fmt::format("process {} sent bytes past its items", p));
    }
    for (std::size_t i = 0; i < count; ++i)
      if (!seen[i]) throw std::runtime_error(fmt::format("no process ran item {}", i));
  }
  std::vector<std::string> results(count);
  for (std::size_t i = 0; i < count; ++i) results[i] = unwrap(outcomes[i]);  // the lowest failing index throws
  return results;
}

}  // namespace ws
