// tgsession: inspect and convert Telegram session files and strings.
#include <iostream>
#include <string>
#include <vector>

#include "tools/cli.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  std::cout.sync_with_stdio(false);
  return tgsession::RunTgsession(args, std::cin, std::cout, std::cerr);
}
