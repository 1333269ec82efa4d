#pragma once
// Runs the waferscope binary the build made (WAFERSCOPE_BINARY) with arguments, capturing its exit code and its
// stdout and stderr together: the end-to-end CLI tests' one way in.
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

namespace ws::test {

struct Result {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

inline Result run(const std::string& arguments) {
  const std::string command = std::string(WAFERSCOPE_BINARY) + " " + arguments + " 2>&1";
  Result result;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return result;
  std::array<char, 4096> buffer;
  while (fgets(buffer.data(), buffer.size(), pipe)) result.output += buffer.data();
  const int status = pclose(pipe);
  // A signal is not a rejection: it comes back as 128 + the signal number, which no assertion accepts.
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

}  // namespace ws::test
