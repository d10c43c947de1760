// Decodes a native session string given on the command line and prints its
// home DC: proof that @tgsession//session works from another workspace.
#include <iostream>

#include "session/string_codec.h"

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  absl::StatusOr<tgsession::Session> s = tgsession::DecodeNativeString(argv[1]);
  if (!s.ok()) {
    std::cerr << s.status() << "\n";
    return 1;
  }
  std::cout << "home_dc_id=" << s->home_dc_id << "\n";
  return 0;
}
