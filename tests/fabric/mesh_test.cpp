#include "fabric/mesh.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <functional>
#include <unistd.h>
#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "test_support.h"

namespace ws::fabric {
namespace {

const WaferFabric& wse3() { return *test::catalog().chip("wse-3", "chip").fabric; }

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(FabricMesh, RegionsAreCheckedAgainstTheFabric) {
  EXPECT_NO_THROW(check_region(wse3(), {762, 1172}, "region"));
  EXPECT_NO_THROW(check_region(wse3(), {1172, 762}, "region"));  // either way round
  EXPECT_NE(message_of([] { check_region(wse3(), {763, 1172}, "region"); }).find("region: expected a region inside the 762x1172"),
            std::string::npos);
  EXPECT_THROW(check_region(wse3(), {0, 4}, "region"), InputError);
  const Region r = parse_region("12x34", "region");
  EXPECT_EQ(r.rows, 12);
  EXPECT_EQ(r.cols, 34);
  for (const char* bad : {"12", "x4", "4x", "-1x4", "1.5x4", "4x4x4", "99999999x4"})
    EXPECT_NE(message_of([&] { parse_region(bad, "region"); }).find("region: expected RxC"), std::string::npos) << bad;
}

// WSE-3: 970,000 physical tiles for 762 x 1172 = 893,064 exposed: 8.61% more, so 100 columns get ceil(8.61) = 9.
TEST(FabricMesh, SpareColumnsAreTheChipsPhysicalShare) {
  EXPECT_EQ(spare_columns(wse3(), 100), 9);
  EXPECT_EQ(spare_columns(*test::catalog().chip("wse-2", "chip").fabric, 100), 0);  // not published
}

TEST(FabricMesh, DensityOutsideZeroToOneIsRejected) {
  for (double d : {-0.1, 1.0, 1.5})
    EXPECT_NE(message_of([&] { DefectMap::random(4, 4, d, 1, "defect_density"); }).find("defect_density: expected a defect density in [0, 1)"),
              std::string::npos)
        << d;
}

TEST(FabricMesh, RoutesGoAroundDeadTilesAndAreNeverShorterThanManhattan) {
  WaferFabric roomy = wse3();
  roomy.cores_physical = 2 * roomy.fabric_width_cores * roomy.fabric_height_cores;  // as many spare columns as columns
  const Region region{20, 30};
  const int physical = region.cols + spare_columns(roomy, region.cols);
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    DefectMap map = DefectMap::random(region.rows, physical, 0.05, seed, "defect_density");
    const Mesh mesh(roomy, region, map);
    for (int k = 0; k < 40; ++k) {
      const Coord a = mesh.physical({(k * 7) % 20, (k * 11) % 30}), b = mesh.physical({(k * 13 + 5) % 20, (k * 3 + 17) % 30});
      const auto path = mesh.route(a, b);
      ASSERT_TRUE(path.front() == a);
      ASSERT_TRUE(path.back() == b);
      EXPECT_GE(static_cast<int>(path.size()) - 1, std::abs(a.row - b.row) + std::abs(a.col - b.col));
      for (std::size_t i = 0; i < path.size(); ++i) {
        EXPECT_FALSE(mesh.defects().dead(path[i].row, path[i].col));
        if (i > 0) {
          EXPECT_EQ(std::abs(path[i].row - path[i - 1].row) + std::abs(path[i].col - path[i - 1].col), 1);
        }
      }
    }
  }
  // A wall of dead tiles in column 5 with one gap at row 3: a route along row 0 detours through the gap.
  DefectMap wall(8, 12);
  for (int r = 0; r < 8; ++r)
    if (r != 3) wall.set_dead(r, 5);
  const Mesh mesh(roomy, {8, 6}, wall);
  const auto path = mesh.route({0, 0}, {0, 9});
  EXPECT_EQ(path.size() - 1, 9u + 2 * 3);
}

TEST(FabricMesh, LogicalCoresSkipDeadTilesWithinTheirRow) {
  DefectMap map(2, 5);  // 4 columns + 1 spare (WSE-3: ceil(4 x 0.0861) = 1)
  map.set_dead(0, 1);
  const Mesh mesh(wse3(), {2, 4}, map);
  EXPECT_EQ(mesh.spares(), 1);
  EXPECT_TRUE(mesh.physical({0, 0}) == (Coord{0, 0}));
  EXPECT_TRUE(mesh.physical({0, 1}) == (Coord{0, 2}));
  EXPECT_TRUE(mesh.physical({0, 3}) == (Coord{0, 4}));
  EXPECT_TRUE(mesh.physical({1, 3}) == (Coord{1, 3}));
  EXPECT_FALSE(mesh.straight_line({{0, 0}, {0, 1}}));
  EXPECT_TRUE(mesh.straight_line({{1, 0}, {1, 1}}));
  map.set_dead(0, 3);  // two dead tiles, one spare
  EXPECT_NE(message_of([&] { Mesh(wse3(), {2, 4}, map); }).find("row 0 of the 2x4 region has 2 dead tiles but 1 spare"),
            std::string::npos);
}

TEST(FabricMesh, DefectFilesNameFileAndLine) {
  const auto path = (std::filesystem::temp_directory_path() / ("fabric_defects_" + std::to_string(::getpid()) + ".txt")).string();
  std::ofstream(path) << "# dead tiles\n1,2\n\n 3 , 4 # comment\n";
  const DefectMap ok = DefectMap::from_file(path, 8, 8);
  EXPECT_EQ(ok.count(), 2u);
  EXPECT_TRUE(ok.dead(3, 4));
  std::ofstream(path) << "1,2\n1;2\n";
  EXPECT_NE(message_of([&] { DefectMap::from_file(path, 8, 8); }).find(path + ":2: expected 'row,col'"), std::string::npos);
  std::ofstream(path) << "9,2\n";
  EXPECT_NE(message_of([&] { DefectMap::from_file(path, 8, 8); }).find(path + ":1: expected a row in [0, 8)"), std::string::npos);
  std::filesystem::remove(path);
  EXPECT_NE(message_of([&] { DefectMap::from_file(path, 8, 8); }).find("cannot read"), std::string::npos);
}

}  // namespace
}  // namespace ws::fabric
