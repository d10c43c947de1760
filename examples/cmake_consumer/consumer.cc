// Decodes the native session string given as the first argument, saves it
// with BinaryFileBackend under the path given as the second, loads it back
// and prints its home DC and DC count: what a device does at start-up and
// shutdown.
#include <iostream>
#include <memory>
#include <optional>

#include "backends/binary_file_backend.h"
#include "session/string_codec.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: consumer SESSION_STRING FILE\n";
    return 2;
  }
  absl::StatusOr<tgsession::Session> decoded = tgsession::DecodeNativeString(argv[1]);
  if (!decoded.ok()) {
    std::cerr << decoded.status() << "\n";
    return 1;
  }
  absl::StatusOr<std::unique_ptr<tgsession::BinaryFileBackend>> backend =
      tgsession::BinaryFileBackend::Open(argv[2]);
  if (!backend.ok()) {
    std::cerr << backend.status() << "\n";
    return 1;
  }
  if (absl::Status saved = (*backend)->Save(*decoded); !saved.ok()) {
    std::cerr << saved << "\n";
    return 1;
  }
  absl::StatusOr<std::optional<tgsession::Session>> loaded = (*backend)->Load();
  if (!loaded.ok() || !loaded->has_value() || **loaded != *decoded) {
    std::cerr << "the session read back differs: " << loaded.status() << "\n";
    return 1;
  }
  std::cout << "home_dc_id=" << (*loaded)->home_dc_id << " dcs=" << (*loaded)->dcs.size() << "\n";
  return 0;
}
