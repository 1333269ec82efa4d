// One libFuzzer harness, compiled once; each fuzz_<target> binary links it with a generated one-line file defining
// waferscope_fuzz_target, the name of its target in targets.h (CMakeLists.txt, WAFERSCOPE_FUZZ_TARGETS).
#include "targets.h"

extern "C" const char waferscope_fuzz_target[];

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  ws::fuzz::catalog();  // loaded once, outside the measured inputs
  ws::fuzz::engine();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto& target = ws::fuzz::targets().at(waferscope_fuzz_target);
  target(data, size);
  return 0;
}
