// Work items spread over processes (request/split.h): the partition, the bit-exact bytes, and run_items over a
// group of threads standing in for MPI ranks (the real ranks: tests/cli/mpi_cli_test.cpp).
#include <gtest/gtest.h>

#include <cmath>
#include <condition_variable>
#include <limits>
#include <mutex>
#include <thread>

#include "core/error.h"
#include "request/split.h"

namespace ws {

struct Sample {
  std::string name;
  double value = 0;
  int count = 0;
  bool flag = false;
  std::vector<Cell> cells;
};
template <class A>
void fields(A& a, Sample& s) {
  a(s.name, s.value, s.count, s.flag, s.cells);
}

namespace {

TEST(Split, EveryItemRunsOnExactlyOneProcessRoundRobin) {
  for (int size : {1, 2, 3, 7}) {
    for (std::size_t count : {0u, 1u, 5u, 40u}) {
      std::vector<int> runs(count, 0);
      for (int rank = 0; rank < size; ++rank)
        for (std::size_t i : items_of(count, rank, size)) {
          EXPECT_EQ(static_cast<int>(i % size), rank);
          ++runs[i];
        }
      for (std::size_t i = 0; i < count; ++i) EXPECT_EQ(runs[i], 1) << "item " << i << " of " << count << ", " << size << " ranks";
    }
  }
  EXPECT_EQ(items_of(5, 1, 2), (std::vector<std::size_t>{1, 3}));
  EXPECT_THROW(items_of(5, 2, 2), std::invalid_argument);
  EXPECT_THROW(items_of(5, 0, 0), std::invalid_argument);
}

TEST(Split, BytesCarryEveryBitOfADouble) {
  const double negative_nan = -std::numeric_limits<double>::quiet_NaN();
  Sample in{std::string("a\0b", 3), negative_nan, -7, true, {Cell{}, Cell{-0.0}, Cell{1e-310}, Cell{std::string("x")}}};
  ByteWriter w;
  w.value(in);
  Sample out;
  ByteReader r(w.bytes());
  r.value(out);
  EXPECT_TRUE(r.done());
  EXPECT_EQ(out.name, in.name);
  EXPECT_EQ(std::bit_cast<std::uint64_t>(out.value), std::bit_cast<std::uint64_t>(negative_nan));  // sign kept
  EXPECT_EQ(out.count, -7);
  EXPECT_TRUE(out.flag);
  ASSERT_EQ(out.cells.size(), 4u);
  EXPECT_TRUE(std::holds_alternative<std::monostate>(out.cells[0]));
  EXPECT_TRUE(std::signbit(std::get<double>(out.cells[1])));
  EXPECT_EQ(std::get<double>(out.cells[2]), 1e-310);
  EXPECT_EQ(std::get<std::string>(out.cells[3]), "x");
}

TEST(Split, TruncatedOrCorruptBytesAreRefused) {
  ByteWriter w;
  w.value(Sample{"name", 1.5, 2, false, {Cell{3.0}}});
  const std::string bytes = w.bytes();
  for (std::size_t cut : {std::size_t{0}, std::size_t{3}, bytes.size() - 1}) {
    const std::string part = bytes.substr(0, cut);
    ByteReader r(part);
    Sample s;
    EXPECT_THROW(r.value(s), std::runtime_error) << "cut at " << cut;
  }
  ByteWriter huge;
  huge.value(1000000LL);  // a string length far past the bytes that follow
  ByteReader r(huge.bytes());
  std::string s;
  EXPECT_THROW(r.value(s), std::runtime_error);
}

// A group of `size` threads whose all_gather meets at a barrier, as MPI_Allgatherv does across processes.
class ThreadGroup {
 public:
  explicit ThreadGroup(int size) : size_(size), deposits_(size) {}
  ProcessGroup member(int rank) {
    return ProcessGroup{rank, size_, [this, rank](const std::string& mine) {
                          std::unique_lock<std::mutex> lock(mutex_);
                          deposits_[rank] = mine;
                          if (++arrived_ == size_) ready_.notify_all();
                          ready_.wait(lock, [&] { return arrived_ == size_; });
                          return deposits_;
                        }};
  }

 private:
  int size_;
  std::vector<std::string> deposits_;
  int arrived_ = 0;
  std::mutex mutex_;
  std::condition_variable ready_;
};

// Runs `body(group)` on `size` threads, one rank each; returns what each returned (or the error it threw).
std::vector<std::string> on_ranks(int size, const std::function<std::string(const ProcessGroup&)>& body) {
  ThreadGroup group(size);
  std::vector<std::string> results(size);
  std::vector<std::thread> threads;
  for (int rank = 0; rank < size; ++rank)
    threads.emplace_back([&, rank, member = group.member(rank)] {
      try {
        results[rank] = body(member);
      } catch (const InfeasibleError& e) {
        results[rank] = std::string("infeasible: ") + e.what();
      } catch (const InputError& e) {
        results[rank] = std::string("input: ") + e.what();
      } catch (const std::exception& e) {
        results[rank] = std::string("other: ") + e.what();
      }
    });
  for (auto& t : threads) t.join();
  return results;
}

std::string joined(const std::vector<std::string>& parts) {
  std::string all;
  for (const auto& p : parts) all += p + "|";
  return all;
}

TEST(Split, RanksTogetherReturnWhatOneProcessReturnsInIndexOrder) {
  const auto work = [](std::size_t i) { return "item" + std::to_string(i * i); };
  const std::string alone = joined(run_items(nullptr, 11, work));
  EXPECT_EQ(alone.substr(0, 24), "item0|item1|item4|item9|");
  for (int size : {1, 2, 3, 4, 16}) {
    std::vector<std::size_t> ran_on(11, 99);
    std::mutex m;
    const auto results = on_ranks(size, [&](const ProcessGroup& g) {
      return joined(run_items(&g, 11, [&](std::size_t i) {
        std::lock_guard<std::mutex> lock(m);
        ran_on[i] = static_cast<std::size_t>(g.rank);
        return work(i);
      }));
    });
    for (int rank = 0; rank < size; ++rank) EXPECT_EQ(results[rank], alone) << size << " ranks, rank " << rank;
    for (std::size_t i = 0; i < 11; ++i) EXPECT_EQ(ran_on[i], i % size) << "item " << i;
  }
}

TEST(Split, TheLowestFailingItemsErrorReachesEveryRankWithItsType) {
  const auto work = [](std::size_t i) -> std::string {
    if (i == 5) throw InputError("rate", "item five is bad");
    if (i == 3) throw InfeasibleError("item three does not fit");
    if (i == 8) throw std::logic_error("item eight is a bug");
    return "ok";
  };
  EXPECT_THROW(run_items(nullptr, 10, work), InfeasibleError);
  for (const auto& result : on_ranks(3, [&](const ProcessGroup& g) { return joined(run_items(&g, 10, work)); }))
    EXPECT_EQ(result, "infeasible: item three does not fit");
  const auto input_first = [](std::size_t i) -> std::string {
    if (i == 2) throw InputError("rate", "item two is bad");
    if (i == 4) throw InfeasibleError("item four does not fit");
    return "ok";
  };
  for (const auto& result : on_ranks(2, [&](const ProcessGroup& g) { return joined(run_items(&g, 6, input_first)); }))
    EXPECT_EQ(result, "input: rate: item two is bad");
  try {
    run_items(nullptr, 4, [](std::size_t) -> std::string { throw RequestFormatError("hardware", "missing"); });
    FAIL() << "no error";
  } catch (const RequestFormatError& e) {
    EXPECT_EQ(e.where(), "hardware");
  }
  for (const auto& result : on_ranks(2, [&](const ProcessGroup& g) {
         return joined(run_items(&g, 10, [](std::size_t i) -> std::string {
           if (i == 9) throw std::logic_error("item nine is a bug");
           return "ok";
         }));
       }))
    EXPECT_EQ(result, "other: item nine is a bug");
}

TEST(Split, TypedItemsComeBackEqual) {
  const auto make = [](std::size_t i) {
    return Sample{"s" + std::to_string(i), 0.1 * static_cast<double>(i), static_cast<int>(i), i % 2 == 0, {Cell{double(i)}}};
  };
  const auto alone = run_items_as<Sample>(nullptr, 7, make);
  for (const auto& rank_result : on_ranks(3, [&](const ProcessGroup& g) {
         const auto together = run_items_as<Sample>(&g, 7, make);
         std::string mismatch;
         for (std::size_t i = 0; i < 7; ++i)
           if (together[i].name != alone[i].name || together[i].value != alone[i].value || together[i].count != alone[i].count ||
               together[i].flag != alone[i].flag || together[i].cells != alone[i].cells)
             mismatch += std::to_string(i) + " ";
         return mismatch;
       }))
    EXPECT_EQ(rank_result, "");
  EXPECT_EQ(alone[6].name, "s6");
  EXPECT_EQ(alone[6].value, 0.1 * 6.0);
}

}  // namespace
}  // namespace ws
