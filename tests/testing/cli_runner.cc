#include "tests/testing/cli_runner.h"

#include <sstream>

#include "tools/cli.h"

namespace tgsession {
namespace testing {

CliResult RunCli(const std::vector<std::string>& args, const std::string& stdin_data) {
  std::istringstream in(stdin_data);
  std::ostringstream out, err;
  const int code = RunTgsession(args, in, out, err);
  return {code, out.str(), err.str()};
}

}  // namespace testing
}  // namespace tgsession
