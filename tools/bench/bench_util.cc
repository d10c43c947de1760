#include "tools/bench/bench_util.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <new>
#include <string>

#include "absl/strings/str_cat.h"

namespace {
std::atomic<uint64_t> g_allocs{0};
std::atomic<uint64_t> g_bytes{0};
}  // namespace

void* operator new(size_t n) {
  g_allocs.fetch_add(1, std::memory_order_relaxed);
  g_bytes.fetch_add(n, std::memory_order_relaxed);
  void* p = std::malloc(n == 0 ? 1 : n);
  if (p == nullptr) std::abort();
  return p;
}
void* operator new[](size_t n) { return operator new(n); }
void* operator new(size_t n, const std::nothrow_t&) noexcept { return operator new(n); }
void* operator new[](size_t n, const std::nothrow_t&) noexcept { return operator new(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }

namespace tgsession {
namespace bench {

Session SyntheticSession(size_t n) {
  Session s;
  s.home_dc_id = 2;
  for (int i = 0; i < 10; ++i) {
    const int dc = 1 + i % 5;
    DcEntry e = i < 5 ? DcEntry::FromParts(dc, absl::StrCat("149.154.", 160 + dc, ".", 50 + i), 443, DcFlags())
                      : DcEntry::FromParts(dc, absl::StrCat("2001:b28:f23d:f00", dc, "::a"), 443,
                                           DcFlags(DcFlags::kIpv6));
    if (i % 2 == 0) {
      uint8_t raw[AuthKey::kSize];
      for (size_t b = 0; b < sizeof raw; ++b) raw[b] = static_cast<uint8_t>(b * 7 + i);
      e.auth_key = AuthKey(raw);
    }
    e.first_salt = 0x0102030405060708LL * (i + 1);
    s.dcs.push_back(e);
  }
  s.updates_state.pts = 1000000;
  s.updates_state.qts = 500;
  s.updates_state.date = 1700000000;
  s.updates_state.seq = 12345;
  std::vector<ChannelPts> ch;
  for (size_t i = 0; i < n / 10; ++i) ch.push_back({static_cast<int64_t>(1000000000 + i), static_cast<int32_t>(i)});
  s.updates_state.mutable_channels().Assign(std::move(ch));
  std::vector<CachedPeer> peers;
  peers.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const int64_t id = static_cast<int64_t>(100000000 + i);
    const int64_t hash = static_cast<int64_t>(i * 0x9E3779B97F4A7C15ull);
    switch (i % 8) {
      case 4:
        peers.push_back(CachedPeer::Channel(id, hash, ChannelKind::kMegagroup));
        break;
      case 5:
        peers.push_back(CachedPeer::Channel(id, hash, ChannelKind::kBroadcast));
        break;
      case 6:
        peers.push_back(CachedPeer::Chat(id));
        break;
      case 7: {
        CachedPeer p = CachedPeer::Channel(id, hash, ChannelKind::kMegagroup);
        p.is_community = true;
        peers.push_back(p);
        break;
      }
      default:
        peers.push_back(CachedPeer::User(id, hash));
    }
  }
  s.peers.Assign(std::move(peers));
  std::vector<CachedMinPeer> mins;
  for (size_t i = 0; i < n / 5; ++i) {
    mins.push_back({static_cast<int64_t>(200000000 + i), -static_cast<int64_t>(1000000000000 + i),
                    static_cast<int32_t>(i)});
  }
  s.min_peers.Assign(std::move(mins));
  const uint8_t token[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  s.future_auth_token.emplace(absl::Span<const uint8_t>(token, 8));
  return s;
}

AllocCounts CurrentAllocs() {
  return AllocCounts{g_allocs.load(std::memory_order_relaxed), g_bytes.load(std::memory_order_relaxed)};
}

namespace {
size_t StatusField(const char* name) {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind(name, 0) == 0) return std::strtoull(line.c_str() + std::strlen(name), nullptr, 10) * 1024;
  }
  return 0;
}
}  // namespace

size_t PeakRssBytes() { return StatusField("VmHWM:"); }
size_t CurrentRssBytes() { return StatusField("VmRSS:"); }

bool ResetPeakRss() {
  std::ofstream f("/proc/self/clear_refs");
  if (!f) return false;
  f << "5";
  return static_cast<bool>(f);
}

}  // namespace bench
}  // namespace tgsession
