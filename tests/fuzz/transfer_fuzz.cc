// Fuzz target: the session transfer bytes between the WebAssembly core and
// SQLite modules (wasm/api/transfer.h), read as untrusted input. Properties:
// no crash or unbounded allocation; what reads back packs again, and that
// packing reads back to the same session and extras and packs to the same
// bytes (one round makes the form canonical).
#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"
#include "tests/fuzz/fuzz_support.h"
#include "wasm/api/transfer.h"

using namespace tgsession;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::StatusOr<wasm_api::HeldSession> held =
      wasm_api::UnpackHeld(absl::string_view(reinterpret_cast<const char*>(data), size));
  if (!held.ok()) {
    FuzzCheck(!held.status().message().empty());
    return 0;
  }
  absl::StatusOr<SecretString> packed = wasm_api::PackHeld(*held);
  FuzzCheck(packed.ok());
  absl::StatusOr<wasm_api::HeldSession> again = wasm_api::UnpackHeld(packed->view());
  FuzzCheck(again.ok());
  FuzzCheck(again->session == held->session);
  FuzzCheck(again->source == held->source);
  FuzzCheck(again->extras.user_id == held->extras.user_id && again->extras.is_bot == held->extras.is_bot &&
            again->extras.test_mode == held->extras.test_mode && again->extras.api_id == held->extras.api_id &&
            again->extras.takeout_id == held->extras.takeout_id);
  FuzzCheck(again->extras.peers.size() == held->extras.peers.size());
  absl::StatusOr<SecretString> repacked = wasm_api::PackHeld(*again);
  FuzzCheck(repacked.ok() && repacked->view() == packed->view());
  return 0;
}
