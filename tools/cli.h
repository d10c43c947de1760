// The `tgsession` command-line tool, as a library so tests can run it
// in-process. See RunTgsession for the commands.
#ifndef TGSESSION_TOOLS_CLI_H_
#define TGSESSION_TOOLS_CLI_H_

#include <iosfwd>
#include <string>
#include <vector>

namespace tgsession {

// Runs `tgsession args...` (args excludes the program name). Reads stdin from
// `in` when the input is "-". Returns the exit status: 0 success, 1 bad input
// or failed operation (one line on `err`), 2 usage error.
int RunTgsession(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err);

// The usage text.
std::string TgsessionUsage();

}  // namespace tgsession

#endif  // TGSESSION_TOOLS_CLI_H_
