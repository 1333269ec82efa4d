#pragma once
// A command's independent work items (frontier model x hardware pairs, roadmap designs, simulate --batch
// scenarios) spread over the processes of a group: the CLI under mpirun (src/cli/mpi_session.cpp). The library
// decides which process runs which item and puts the results back in index order; the group only moves bytes.
// Every process ends with every result, so each renders the same output and only rank 0 prints it.
#include <bit>
#include <concepts>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/table.h"

namespace ws {

struct ProcessGroup {
  int rank = 0;
  int size = 1;
  // Collective: every process passes its own bytes and gets every process's, indexed by rank.
  std::function<std::vector<std::string>(const std::string& mine)> all_gather;
};

// The items process `rank` of `size` runs: i with i % size == rank. Round robin, not blocks: items differ in cost
// by orders of magnitude (a 1T-parameter MoE on a GPU rack against an 8B model on one wafer), and neighbours in
// the canonical order are alike (one model over every hardware), so blocks would leave processes idle.
std::vector<std::size_t> items_of(std::size_t count, int rank, int size);

// Bit-exact bytes of values: doubles as their 64 bits (NaN and its sign, -0, every digit survive, which JSON
// text does not promise), integers as 64 bits, strings with their length. A struct is written through
// `fields(archive, value)`, one list of members used by both directions, found by argument-dependent lookup.
class ByteWriter {
 public:
  void value(double v) { raw(std::bit_cast<std::uint64_t>(v)); }
  void value(long long v) { raw(static_cast<std::uint64_t>(v)); }
  void value(int v) { value(static_cast<long long>(v)); }
  void value(bool v) { bytes_.push_back(v ? 1 : 0); }
  void value(const std::string& v);
  void value(const Cell& v);
  template <class T>
  void value(const std::vector<T>& v) {
    value(static_cast<long long>(v.size()));
    for (const auto& item : v) value(item);
  }
  template <class T>
    requires requires(ByteWriter& w, T& t) { fields(w, t); }
  void value(const T& v) {
    fields(*this, const_cast<T&>(v));  // fields() only reads through a writer
  }
  template <class... T>
  void operator()(T&... v) { (value(v), ...); }
  const std::string& bytes() const { return bytes_; }

 private:
  void raw(std::uint64_t bits);
  std::string bytes_;
};

class ByteReader {
 public:
  explicit ByteReader(const std::string& bytes) : bytes_(bytes) {}
  void value(double& v) { v = std::bit_cast<double>(raw()); }
  void value(long long& v) { v = static_cast<long long>(raw()); }
  void value(int& v);
  void value(bool& v);
  void value(std::string& v);
  void value(Cell& v);
  template <class T>
  void value(std::vector<T>& v) {
    long long n = 0;
    value(n);
    check_count(n);
    v.assign(static_cast<std::size_t>(n), T{});
    for (auto& item : v) value(item);
  }
  template <class T>
    requires requires(ByteReader& r, T& t) { fields(r, t); }
  void value(T& v) {
    fields(*this, v);
  }
  template <class... T>
  void operator()(T&... v) { (value(v), ...); }
  bool done() const { return at_ == bytes_.size(); }

 private:
  std::uint64_t raw();
  void check_count(long long n) const;  // a count cannot exceed the bytes left
  const std::string& bytes_;
  std::size_t at_ = 0;
};

// Runs work(i) for every i in [0, count) and returns the results in index order, on every process. Without a
// group (or a group of one): every item in this process, in parallel (oneTBB). In a group: this process's items
// (items_of) in parallel here, the others' through all_gather. An item that throws does not stop the rest; once
// all are done, the error of the lowest such index is thrown again with its type (InputError, RequestFormatError,
// InfeasibleError; anything else as std::runtime_error) on every process, so all of them exit alike.
// `progress` is called after each item this process runs, with the count done here and this process's total.
std::vector<std::string> run_items(const ProcessGroup* group, std::size_t count,
                                   const std::function<std::string(std::size_t)>& work,
                                   const std::function<void(std::size_t done, std::size_t total)>& progress = {});

// The same, typed: T is written and read through ByteWriter/ByteReader.
template <class T>
std::vector<T> run_items_as(const ProcessGroup* group, std::size_t count, const std::function<T(std::size_t)>& work,
                            const std::function<void(std::size_t done, std::size_t total)>& progress = {}) {
  const auto bytes = run_items(
      group, count,
      [&](std::size_t i) {
        ByteWriter w;
        w.value(work(i));
        return w.bytes();
      },
      progress);
  std::vector<T> out(count);
  for (std::size_t i = 0; i < count; ++i) {
    ByteReader r(bytes[i]);
    r.value(out[i]);
  }
  return out;
}

}  // namespace ws
