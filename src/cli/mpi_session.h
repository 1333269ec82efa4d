#pragma once
// The waferscope binary under mpirun: one process group over MPI_COMM_WORLD for the request layer
// (request/split.h), which spreads frontier pairs, roadmap designs and simulate --batch scenarios over the ranks.
// MPI starts only when a launcher started this process (mpirun/mpiexec, srun: it sets OMPI_COMM_WORLD_SIZE,
// PMI_SIZE or PMIX_RANK); run by hand, the binary never touches MPI and behaves exactly as it does without it.
// Built with MPI only when CMake finds it (WAFERSCOPE_MPI); otherwise this is always a group of one.
#include <memory>
#include <optional>

#include "request/split.h"

namespace ws::cli {

class MpiSession {
 public:
  // `threads`: oneTBB's worker cap per process (WAFERSCOPE_THREADS); none: every core alone, or under mpirun
  // the node's cores shared among the ranks on it.
  MpiSession(int& argc, char**& argv, std::optional<int> threads);
  ~MpiSession();  // MPI_Finalize
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;

  // The group for the request layer; null when this process is alone.
  const ProcessGroup* group() const { return size_ > 1 ? &group_ : nullptr; }
  int rank() const { return group_.rank; }
  int size() const { return size_; }
  // Ends every rank with `code`: an internal error on one rank would otherwise leave the others waiting.
  [[noreturn]] void abort(int code) const;

 private:
  ProcessGroup group_;
  int size_ = 1;
  bool started_ = false;
  std::shared_ptr<void> thread_limit_;  // oneTBB's worker cap on a node shared by several ranks
};

// WAFERSCOPE_THREADS, if set: a whole number in [1, 4096]; throws InputError naming it otherwise.
std::optional<int> threads_from_env();

// True when a process launcher (not a person) started this process as one of several.
bool launched_by_mpi();

}  // namespace ws::cli
