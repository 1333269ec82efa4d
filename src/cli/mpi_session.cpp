#include "cli/mpi_session.h"

#include <fmt/format.h>
#include <tbb/global_control.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <thread>

#include "core/error.h"

#ifdef WAFERSCOPE_MPI
#define OMPI_SKIP_MPICXX 1  // the C API only
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>
#endif

namespace ws::cli {

std::optional<int> threads_from_env() {
  const char* text = std::getenv("WAFERSCOPE_THREADS");
  if (!text) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  const long value = std::strtol(text, &end, 10);
  if (end == text || *end != '\0' || errno != 0 || value < 1 || value > 4096)
    throw InputError("WAFERSCOPE_THREADS", fmt::format("expected a whole number of threads in [1, 4096]; got '{}'", text));
  return static_cast<int>(value);
}

namespace {
std::shared_ptr<void> thread_cap(int threads) {
  return std::make_shared<tbb::global_control>(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));
}
}  // namespace

bool launched_by_mpi() {
  for (const char* variable : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"})
    if (std::getenv(variable)) return true;
  return false;
}

#ifdef WAFERSCOPE_MPI

namespace {

void check(int code, const char* call) {
  if (code != MPI_SUCCESS) throw std::runtime_error(fmt::format("{} failed (MPI error {})", call, code));
}

std::vector<std::string> all_gather(const std::string& mine, int size) {
  if (mine.size() > static_cast<std::size_t>(INT_MAX))
    throw std::runtime_error(fmt::format("{} bytes of results on one rank: over MPI's 2 GiB per message", mine.size()));
  const int length = static_cast<int>(mine.size());
  std::vector<int> lengths(size), offsets(size);
  check(MPI_Allgather(&length, 1, MPI_INT, lengths.data(), 1, MPI_INT, MPI_COMM_WORLD), "MPI_Allgather");
  long long total = 0;
  for (int p = 0; p < size; ++p) {
    offsets[p] = static_cast<int>(total);
    total += lengths[p];
  }
  if (total > INT_MAX) throw std::runtime_error(fmt::format("{} bytes of results in all: over MPI's 2 GiB per message", total));
  std::string all(static_cast<std::size_t>(total), '\0');
  check(MPI_Allgatherv(mine.data(), length, MPI_BYTE, all.data(), lengths.data(), offsets.data(), MPI_BYTE, MPI_COMM_WORLD),
        "MPI_Allgatherv");
  std::vector<std::string> each(size);
  for (int p = 0; p < size; ++p) each[p] = all.substr(offsets[p], lengths[p]);
  return each;
}

}  // namespace

MpiSession::MpiSession(int& argc, char**& argv, std::optional<int> threads) {
  if (threads) thread_limit_ = thread_cap(*threads);
  if (!launched_by_mpi()) return;
  check(MPI_Init(&argc, &argv), "MPI_Init");
  started_ = true;
  MPI_Comm_rank(MPI_COMM_WORLD, &group_.rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
  group_.size = size_;
  group_.all_gather = [size = size_](const std::string& mine) { return all_gather(mine, size); };
  // Ranks on one node share its cores: each gets its share for oneTBB, so that N ranks on a node run as many
  // threads as one process would (a cluster of one rank per node keeps every core).
  MPI_Comm node;
  MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, group_.rank, MPI_INFO_NULL, &node);
  int on_node = 1;
  MPI_Comm_size(node, &on_node);
  MPI_Comm_free(&node);
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (on_node > 1 && !threads) thread_limit_ = thread_cap(std::max(1, cores / on_node));
}

MpiSession::~MpiSession() {
  thread_limit_.reset();
  if (started_) MPI_Finalize();
}

void MpiSession::abort(int code) const {
  if (started_ && size_ > 1) MPI_Abort(MPI_COMM_WORLD, code);
  std::exit(code);
}

#else

MpiSession::MpiSession(int&, char**&, std::optional<int> threads) {
  if (threads) thread_limit_ = thread_cap(*threads);
  if (launched_by_mpi())
    fmt::print(stderr, "waferscope: built without MPI (no libopenmpi-dev at configure time): each rank runs the whole command alone\n");
}
MpiSession::~MpiSession() = default;
void MpiSession::abort(int code) const { std::exit(code); }

#endif

}  // namespace ws::cli
