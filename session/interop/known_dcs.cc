#include "session/interop/known_dcs.h"

#include "session/string_codec.h"

namespace tgsession {
namespace interop {
namespace {

struct KnownDc {
  int32_t id;
  const char* ip;
};

// Pyrogram 2.0.106, DataCenter.PROD and DataCenter.TEST.
constexpr KnownDc kPyrogramProd[] = {
    {1, "149.154.175.53"}, {2, "149.154.167.51"}, {3, "149.154.175.100"}, {4, "149.154.167.91"}, {5, "91.108.56.130"},
};
constexpr KnownDc kPyrogramTest[] = {
    {1, "149.154.175.10"},
    {2, "149.154.167.40"},
    {3, "149.154.175.117"},
};
constexpr const char* kTestHosts[] = {
    "149.154.175.10",        "149.154.167.40",        "149.154.175.117",
    "2001:b28:f23d:f001::e", "2001:67c:4e8:f002::e", "2001:b28:f23d:f003::e",
};

}  // namespace

std::optional<HostPort> PyrogramDcAddress(int32_t dc_id, bool test_mode) {
  if (test_mode) {
    for (const KnownDc& dc : kPyrogramTest) {
      if (dc.id == dc_id) return HostPort{dc.ip, 80, false};
    }
    return std::nullopt;
  }
  for (const KnownDc& dc : kPyrogramProd) {
    if (dc.id == dc_id) return HostPort{dc.ip, 443, false};
  }
  return std::nullopt;
}

bool IsTelegramTestDcHost(absl::string_view host) {
  // Compare parsed addresses, so "2001:067c:04e8:f002:0000:0000:0000:000e"
  // matches too.
  absl::StatusOr<IpAddress> ip = IpAddress::Parse(host);
  if (!ip.ok()) return false;
  for (const char* h : kTestHosts) {
    absl::StatusOr<IpAddress> known = IpAddress::Parse(h);
    if (known.ok() && *known == *ip) return true;
  }
  return false;
}

}  // namespace interop
}  // namespace tgsession
