// One libFuzzer harness; WAFERSCOPE_FUZZ_TARGET names its target in targets.h (set per binary by CMake).
#include "targets.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  ws::fuzz::catalog();  // loaded once, outside the measured inputs
  ws::fuzz::engine();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto& target = ws::fuzz::targets().at(WAFERSCOPE_FUZZ_TARGET);
  target(data, size);
  return 0;
}
