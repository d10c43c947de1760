// wasm_module with embind (-lembind): C++ functions and a value type bound
// by name, no C ABI.

#include <emscripten/bind.h>

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace {

struct DcAddress {
  int id = 0;
  std::string host;
  int port = 0;
};

absl::StatusOr<DcAddress> ParseAddress(const std::string& text) {
  const size_t at = text.find('@');
  const size_t colon = text.rfind(':');
  DcAddress address;
  if (at == std::string::npos || colon == std::string::npos || colon < at ||
      !absl::SimpleAtoi(text.substr(0, at), &address.id) ||
      !absl::SimpleAtoi(text.substr(colon + 1), &address.port)) {
    return absl::InvalidArgumentError(absl::StrCat("bad address: ", text));
  }
  address.host = text.substr(at + 1, colon - at - 1);
  return address;
}

// Embind has no notion of absl::Status: report errors in the value itself.
DcAddress ParseAddressOrEmpty(const std::string& text) {
  absl::StatusOr<DcAddress> address = ParseAddress(text);
  return address.ok() ? *address : DcAddress{};
}

std::string Describe(const DcAddress& address) {
  return absl::StrCat("dc", address.id, " ", address.host, ":", address.port);
}

}  // namespace

EMSCRIPTEN_BINDINGS(tgsession_embind_module) {
  emscripten::value_object<DcAddress>("DcAddress")
      .field("id", &DcAddress::id)
      .field("host", &DcAddress::host)
      .field("port", &DcAddress::port);
  emscripten::function("parseAddress", &ParseAddressOrEmpty);
  emscripten::function("describe", &Describe);
}
