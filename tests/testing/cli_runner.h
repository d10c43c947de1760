// Runs the tgsession CLI in-process for tests, capturing what it prints.
#ifndef TGSESSION_TESTS_TESTING_CLI_RUNNER_H_
#define TGSESSION_TESTS_TESTING_CLI_RUNNER_H_

#include <string>
#include <vector>

namespace tgsession {
namespace testing {

struct CliResult {
  int code;         // exit status
  std::string out;  // standard output
  std::string err;  // standard error
};

// `tgsession args...` with `stdin_data` as standard input.
CliResult RunCli(const std::vector<std::string>& args, const std::string& stdin_data = "");

}  // namespace testing
}  // namespace tgsession

#endif  // TGSESSION_TESTS_TESTING_CLI_RUNNER_H_
