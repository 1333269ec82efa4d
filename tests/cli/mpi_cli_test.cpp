// The same binary under mpirun: frontier (every catalog model on every system), roadmap and simulate --batch
// spread over the ranks write byte for byte what one process writes; errors exit alike, said once.
// Skipped only where CMake found no MPI (`make test` installs openmpi-bin and libopenmpi-dev, so CI runs it).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "test_support.h"

namespace {
namespace fs = std::filesystem;

const std::string mpiexec = WAFERSCOPE_MPIEXEC;

class Mpi : public ::testing::Test {
 protected:
  void SetUp() override {
    if (mpiexec.empty() || !fs::exists(mpiexec))
      GTEST_SKIP() << "no mpirun at configure time (apt-get install openmpi-bin libopenmpi-dev; `make test` does)";
    dir_ = fs::temp_directory_path() / ("waferscope_mpi_" + std::to_string(getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  // Runs `arguments` alone (ranks = 0) or under mpirun with `ranks`; stdout to out_<tag>, stderr to err_<tag>.
  int run(const std::string& arguments, int ranks, const std::string& tag) {
    // Root in CI containers: OpenMPI refuses root unless both are set. --oversubscribe: more ranks than cores.
    // No shared-memory single copy (CMA needs ptrace rights that containers withhold). Under the sanitizer build
    // (`make sanitize`), no leak check for ranks: OpenMPI leaves its own allocations (ompi_op_base_op_select and
    // components it has unloaded, which LeakSanitizer cannot name to suppress) at MPI_Finalize; address and
    // undefined-behaviour checks stay on, and the one-process runs keep the leak check.
    const std::string launcher =
        ranks == 0 ? ""
                   : "ASAN_OPTIONS=detect_leaks=0 "
                     "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl_vader_single_copy_mechanism=none " +
                         mpiexec + " -n " + std::to_string(ranks) + " --oversubscribe ";
    const std::string command = launcher + WAFERSCOPE_BINARY + " " + arguments + " > " + (dir_ / ("out_" + tag)).string() +
                                " 2> " + (dir_ / ("err_" + tag)).string();
    const int status = std::system(command.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  std::string read(const std::string& name) const {
    std::ifstream in(dir_ / name, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }
  // One process and `ranks` ranks: both succeed and write the same bytes; returns them.
  std::string same_bytes(const std::string& arguments, int ranks) {
    EXPECT_EQ(run(arguments, 0, "alone"), 0) << read("err_alone");
    EXPECT_EQ(run(arguments, ranks, "ranks"), 0) << read("err_ranks");
    const std::string alone = read("out_alone"), together = read("out_ranks");
    EXPECT_FALSE(alone.empty());
    EXPECT_TRUE(alone == together) << arguments << " on " << ranks << " ranks differs from one process: " << alone.size()
                                   << " vs " << together.size() << " bytes\n"
                                   << together.substr(0, 2000) << "\nstderr: " << read("err_ranks");
    return alone;
  }

  fs::path dir_;
};

TEST_F(Mpi, FrontierOfEveryModelOnEveryHardwareIsByteIdentical) {
  const std::string csv = same_bytes("frontier --model all --hardware all --max-concurrency 64 --format csv", 2);
  // Every catalog model and system took part: one header, many rows, more than one model and system.
  EXPECT_NE(csv.find("\ngpt-oss-120b,cs-3,"), std::string::npos) << csv.substr(0, 500);
  EXPECT_NE(csv.find("\nllama-3.1-8b,dgx-h100,"), std::string::npos) << csv.substr(0, 500);
  EXPECT_NE(csv.find("\ndeepseek-r1,gb300-nvl72,"), std::string::npos) << csv.substr(0, 500);
  // Three ranks split 2 models x all hardware unevenly; JSON and the human table with its notes as well.
  same_bytes("frontier --model llama-3.1-70b,gpt-oss-120b --hardware all --max-concurrency 64 --all-points --format json", 3);
  same_bytes("frontier --model all --hardware cs-3,groq-lpx --max-concurrency 16", 2);
}

TEST_F(Mpi, RoadmapIsByteIdentical) {
  same_bytes("roadmap --format json", 2);
  same_bytes("roadmap --model llama-3.1-70b --context 32k", 3);
}

TEST_F(Mpi, SimulateBatchIsByteIdentical) {
  const std::string batch = ws::test::data_path("batch/scenarios.toml");
  const std::string csv = same_bytes("simulate --batch " + batch + " --format csv", 2);
  EXPECT_NE(csv.find("\ncs3-static-no-cache,"), std::string::npos) << csv;
  same_bytes("simulate --batch " + batch + " --format json", 3);
}

TEST_F(Mpi, BadInputExitsTwoOnEveryRankSaidOnce) {
  const std::string arguments = "simulate --batch " + ws::test::data_path("batch/bad_value.toml");
  ASSERT_EQ(run(arguments, 2, "ranks"), 2) << read("err_ranks");
  const std::string err = read("err_ranks");
  const std::string message = "[zero-tp].tp: expected a whole number";
  ASSERT_NE(err.find(message), std::string::npos) << err;
  EXPECT_EQ(err.find(message), err.rfind(message)) << "said more than once:\n" << err;
  EXPECT_EQ(read("out_ranks"), "");
  // An error inside rank 1's share (the second scenario) reaches rank 0, which says it, naming the scenario.
  std::ofstream(dir_ / "share.toml") << "[fits]\nmodel = \"llama-3.1-8b\"\nhardware = \"cs-3\"\nworkload = \"1k-1k\"\n"
                                        "rate = 1\nduration = 5\n\n[too-big]\nmodel = \"kimi-k2\"\nhardware = \"dgx-h100\"\n"
                                        "tp = 1\npp = 1\nworkload = \"1k-1k\"\nrate = 1\nduration = 5\n";
  ASSERT_EQ(run("simulate --batch " + (dir_ / "share.toml").string(), 2, "share"), 2) << read("err_share");
  const std::string share = read("err_share");
  EXPECT_NE(share.find("share.toml:8 [too-big]"), std::string::npos) << share;
  EXPECT_EQ(run("simulate --batch " + (dir_ / "share.toml").string(), 0, "alone"), 2);
  // mpirun adds its own banner about the exit code below what rank 0 said.
  EXPECT_EQ(share.rfind(read("err_alone"), 0), 0u) << share;
  EXPECT_EQ(share.find("[too-big]"), share.rfind("[too-big]")) << "said more than once:\n" << share;
}

}  // namespace
