// Replays, through the same targets the fuzzers run (targets.h), every input a fuzzer once crashed on
// (tests/fuzz/regressions/<target>/) and the hand-written API seeds. A crash, a sanitizer report, an
// exception other than a clear rejection, or a 5xx fails the test.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "targets.h"

namespace ws {
namespace {

namespace fs = std::filesystem;
const fs::path fuzz_dir = fs::path(WAFERSCOPE_TEST_DATA_DIR).parent_path() / "fuzz";

std::string contents(const fs::path& file) {
  std::ifstream stream(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(stream), std::istreambuf_iterator<char>()};
}

void replay(const std::string& target, const fs::path& folder) {
  ASSERT_TRUE(fuzz::targets().count(target)) << folder << " is not named after a target";
  for (const auto& entry : fs::directory_iterator(folder)) {
    const std::string input = contents(entry.path());
    SCOPED_TRACE(entry.path().string());
    EXPECT_NO_THROW(fuzz::targets().at(target)(reinterpret_cast<const std::uint8_t*>(input.data()), input.size()));
  }
}

TEST(FuzzRegressions, EveryInputThatOnceCrashedIsNowAClearOutcome) {
  int folders = 0;
  for (const auto& entry : fs::directory_iterator(fuzz_dir / "regressions")) {
    if (!entry.is_directory()) continue;
    ++folders;
    replay(entry.path().filename().string(), entry.path());
  }
  EXPECT_GT(folders, 0);
}

TEST(FuzzRegressions, ApiSeedsAnswer200) {
  int seeds = 0;
  for (const auto& entry : fs::directory_iterator(fuzz_dir / "seeds" / "api")) {
    const std::string input = contents(entry.path());
    const auto newline = input.find('\n');
    const std::string head = input.substr(0, newline);
    const auto space = head.find(' ');
    const ApiResponse r = handle_api(fuzz::catalog(), fuzz::engine(), head.substr(0, space), head.substr(space + 1),
                                     input.substr(newline + 1));
    EXPECT_EQ(r.status, 200) << entry.path() << "\n" << r.body;
    ++seeds;
  }
  EXPECT_GT(seeds, 10);
}

TEST(FuzzTargets, OneForEveryCatalogFileKind) {
  for (const auto& kind : catalog_file_kinds()) EXPECT_TRUE(fuzz::targets().count(fuzz::target_name(kind))) << kind;
}

}  // namespace
}  // namespace ws
