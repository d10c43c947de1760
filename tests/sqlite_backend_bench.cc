// Timings of SqliteBackend: Save and Load of a 100,000-peer session, and
// CachePeer x10,000 on a 10,000-peer database, under the synchronous settings
// that matter (see sqlite_backend.h, "Durability").
//
//   bazel run -c opt //tests:sqlite_backend_bench -- /path/to/scratch/dir
//
// Wall-clock milliseconds, best of `kRepeats` runs for Save/Load. The numbers
// depend on the disk's fsync latency, so the scratch directory should be on
// the filesystem sessions will live on.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "backends/sqlite_backend.h"
#include "tools/bench/client_workload.h"

namespace tgsession {
namespace {

constexpr int kRepeats = 3;

double Ms(std::chrono::steady_clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

void Check(const absl::Status& s, const char* what) {
  if (!s.ok()) {
    std::fprintf(stderr, "%s: %s\n", what, s.ToString().c_str());
    std::exit(1);
  }
}

Session MakeSession(int64_t peers) {
  Session s = NewSessionWithDefaults();
  uint8_t raw[AuthKey::kSize];
  for (size_t i = 0; i < sizeof raw; ++i) raw[i] = static_cast<uint8_t>(i * 7 + 1);
  s.dcs[1].auth_key = AuthKey(raw);
  s.updates_state.pts = 1000;
  for (int64_t c = 0; c < 200; ++c)
    s.updates_state.SetChannelPts(1000000000 + c * 7919 % 1000, static_cast<int32_t>(c));
  std::vector<CachedPeer> list;
  list.reserve(static_cast<size_t>(peers));
  for (int64_t i = 0; i < peers; ++i) {
    // Ids in a scrambled order, as a real cache fills up.
    const int64_t id = 1 + (i * 2654435761LL) % (peers * 4);
    list.push_back(i % 3 == 0 ? CachedPeer::Channel(id, id * 31, ChannelKind::kMegagroup)
                              : CachedPeer::User(id, -id * 17));
  }
  std::sort(list.begin(), list.end(), [](const CachedPeer& a, const CachedPeer& b) { return a.id < b.id; });
  list.erase(
      std::unique(list.begin(), list.end(), [](const CachedPeer& a, const CachedPeer& b) { return a.id == b.id; }),
      list.end());
  std::reverse(list.begin(), list.end());  // not id order, so order keeping is exercised
  s.peers.Assign(std::move(list));
  return s;
}

struct Config {
  const char* name;
  SqliteOptions options;
};

void RunConfig(const std::string& dir, const Config& c) {
  const std::string path = absl::StrCat(dir, "/bench-", c.name, ".db");
  for (const char* suffix : {"", "-wal", "-shm"}) ::unlink((path + suffix).c_str());

  const Session big = MakeSession(100000);
  auto opened = SqliteBackend::Open(path, c.options);
  Check(opened.status(), "open");
  std::unique_ptr<SqliteBackend> b = std::move(*opened);

  auto t0 = std::chrono::steady_clock::now();
  Check(b->Save(big), "first save");
  const double first_save = Ms(std::chrono::steady_clock::now() - t0);

  double save = 1e30, load = 1e30;
  for (int r = 0; r < kRepeats; ++r) {
    t0 = std::chrono::steady_clock::now();
    Check(b->Save(big), "save");
    save = std::min(save, Ms(std::chrono::steady_clock::now() - t0));
    t0 = std::chrono::steady_clock::now();
    absl::StatusOr<std::optional<Session>> s = b->Load();
    load = std::min(load, Ms(std::chrono::steady_clock::now() - t0));
    Check(s.status(), "load");
    const bool same = s->has_value() && (c.options.keep_order ? **s == big : (*s)->peers.size() == big.peers.size());
    if (!same) {
      std::fprintf(stderr, "loaded session differs\n");
      std::exit(1);
    }
  }
  struct stat st;
  const long long file_kb = ::stat(path.c_str(), &st) == 0 ? static_cast<long long>(st.st_size) / 1024 : -1;

  // CachePeer x10,000 on a 10,000-peer database: new peers, then updates.
  Check(b->Save(MakeSession(10000)), "save 10k");
  t0 = std::chrono::steady_clock::now();
  for (int64_t i = 0; i < 10000; ++i) Check(b->CachePeer(CachedPeer::User(10000000 + i, i)), "cache_peer");
  const double cache_new = Ms(std::chrono::steady_clock::now() - t0);
  t0 = std::chrono::steady_clock::now();
  for (int64_t i = 0; i < 10000; ++i) Check(b->CachePeer(CachedPeer::User(10000000 + i, -i)), "cache_peer");
  const double cache_update = Ms(std::chrono::steady_clock::now() - t0);

  std::printf(
      "%-26s save100k first %7.1f ms  save100k %7.1f ms  load100k %7.1f ms  (file %lld KiB)  "
      "cache_peer x10k: new %7.1f ms (%5.1f us/op), update %7.1f ms (%5.1f us/op)\n",
      c.name, first_save, save, load, file_kb, cache_new, cache_new / 10, cache_update, cache_update / 10);
  // A client: 200 updates a second, 3 peers + pts as one ApplyChanges.
  absl::StatusOr<std::vector<double>> us = bench::RunClientWorkload(b.get(), 1000, /*batched=*/true);
  Check(us.status(), "client workload");
  std::printf("%-26s client, 200 updates/s of 3 peers + pts (one ApplyChanges): %s\n", c.name,
              bench::LatencySummary(*us).c_str());
  b.reset();
  for (const char* suffix : {"", "-wal", "-shm"}) ::unlink((path + suffix).c_str());
}

}  // namespace
}  // namespace tgsession

int main(int argc, char** argv) {
  using tgsession::SqliteOptions;
  const std::string dir = argc > 1 ? argv[1] : "/tmp";
  std::vector<tgsession::Config> configs;
  {
    tgsession::Config c{"default(NORMAL+durable)", {}};
    configs.push_back(c);
  }
  {
    tgsession::Config c{"ferogram(NORMAL)", {}};
    c.options.durable_key_writes = false;
    configs.push_back(c);
  }
  {
    tgsession::Config c{"FULL", {}};
    c.options.synchronous = SqliteOptions::Synchronous::kFull;
    configs.push_back(c);
  }
  {
    tgsession::Config c{"NORMAL,keep_order=false", {}};
    c.options.keep_order = false;
    c.options.durable_key_writes = false;
    configs.push_back(c);
  }
  for (const tgsession::Config& c : configs) tgsession::RunConfig(dir, c);
  return 0;
}
