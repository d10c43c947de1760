// Backend benchmarks: granular updates, Save/Load of big sessions, scale.
// Prints one line per figure. Run from the repo root:
//
//   bazel run -c opt //tools/bench:backend_bench -- [--dir=/tmp/x] [--quick]
//   backend_bench --dir=/tmp/x --cache-peer-only   (for tools/bench/side_by_side.sh)
//
// Figures (see README "Performance"):
//   * CachePeer x10,000 on a 10,000-peer BinaryFileBackend, per durability
//     mode, against a full rewrite per call (ferogram's approach: its
//     cache_peer loads, mutates and rewrites the file, without fsync);
//   * a client's write path: 200 updates a second, each 3 peers and a pts,
//     as one ApplyChanges or as four single calls, per durability mode:
//     latency of each call (--client runs only this);
//   * CachePeer x10,000 on InMemoryBackend;
//   * Save and Load of a 100,000-peer session;
//   * a 1,000,000-peer session: save, load, peak RSS.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "backends/binary_file_backend.h"
#include "backends/file_system.h"
#include "backends/memory_backend.h"
#include "session/binary_codec.h"
#include "session/secret.h"
#include "tools/bench/bench_util.h"
#include "tools/bench/client_workload.h"

namespace tgsession {
namespace bench {
namespace {

double Seconds(const std::function<void()>& f) {
  const auto t0 = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void Check(const absl::Status& s, const char* what) {
  if (!s.ok()) {
    std::fprintf(stderr, "%s: %s\n", what, s.ToString().c_str());
    std::exit(1);
  }
}

// ferogram's file backend: every granular call loads, mutates and rewrites
// the whole file (temp + rename, no fsync).
class RewriteEachCallBackend : public SessionBackend {
 public:
  explicit RewriteEachCallBackend(std::string path, bool sync) : path_(std::move(path)), sync_(sync) {}
  absl::Status Save(const Session& s) override {
    absl::StatusOr<std::string> b = EncodeBinary(s);
    if (!b.ok()) return b.status();
    AtomicWriteOptions o;
    o.sync = sync_;
    return WriteFileAtomically(PosixFileSystem(), path_, *b, o);
  }
  absl::StatusOr<std::optional<Session>> Load() override {
    absl::StatusOr<std::string> b = ReadFileBounded(PosixFileSystem(), path_, 1u << 30);
    if (!b.ok()) return b.status();
    absl::StatusOr<Session> s = DecodeBinary(*b);
    if (!s.ok()) return s.status();
    return std::optional<Session>(*std::move(s));
  }
  absl::Status Delete() override { return PosixFileSystem()->Unlink(path_); }
  std::string Name() const override { return "rewrite-each-call"; }

 private:
  std::string path_;
  bool sync_;
};

void CachePeers(SessionBackend* b, int n) {
  for (int i = 0; i < n; ++i) Check(b->CachePeer(CachedPeer::User(500000000 + i, i)), "CachePeer");
}

// The client workload (client_workload.h) on a 10,000-peer file.
void ClientWorkload(const std::string& path, BinaryFileBackend::Sync sync, bool batched, int updates) {
  BinaryFileBackend::Options o;
  o.sync = sync;
  auto b = BinaryFileBackend::Open(path, o);
  Check(b.status(), "open");
  Check((*b)->Save(SyntheticSession(10000)), "save");
  absl::StatusOr<std::vector<double>> us = RunClientWorkload(b->get(), updates, batched);
  Check(us.status(), "client workload");
  std::printf("%-58s %s  (%d updates)\n",
              absl::StrCat(sync == BinaryFileBackend::Sync::kEveryOperation ? "fdatasync every call"
                           : sync == BinaryFileBackend::Sync::kGroupCommit  ? "group commit (default)"
                                                                            : "no fsync",
                           batched ? ", one ApplyChanges" : ", 3 CachePeer + ApplyUpdateState")
                  .c_str(),
              LatencySummary(*us).c_str(), updates);
  std::fflush(stdout);
}

// (ferogram's figures for the same work: tools/bench/side_by_side.sh, which
// runs the real crate in the same run.)
void Line(const std::string& what, double seconds, int ops) {
  std::printf("%-58s %10.2f ms  %8.2f us/op\n", what.c_str(), seconds * 1e3, seconds * 1e6 / ops);
  std::fflush(stdout);
}

// One run of each CachePeer figure, as one machine-readable line each, in
// the shape of the oracle's bench-backend (10,000 new users 500000000+i,
// hash i, on a fresh file holding SyntheticSession(10000); then on a fresh
// InMemoryBackend): `side_by_side cache_peer <backend> <milliseconds>`.
// tools/bench/side_by_side.sh alternates it with the oracle.
int CachePeerOnly(const std::string& dir) {
  const int kOps = 10000;
  const Session base = SyntheticSession(10000);
  struct Mode {
    const char* name;
    BinaryFileBackend::Sync sync;
  };
  for (const Mode& m : {Mode{"binary_file_every_operation", BinaryFileBackend::Sync::kEveryOperation},
                        Mode{"binary_file_group_commit", BinaryFileBackend::Sync::kGroupCommit},
                        Mode{"binary_file_none", BinaryFileBackend::Sync::kNone}}) {
    const std::string path = absl::StrCat(dir, "/side-by-side-", m.name, ".session");
    BinaryFileBackend::Options o;
    o.sync = m.sync;
    auto b = BinaryFileBackend::Open(path, o);
    Check(b.status(), "open");
    Check((*b)->Save(base), "save");
    const double t = Seconds([&] { CachePeers(b->get(), kOps); });
    std::printf("side_by_side cache_peer %s %.3f\n", m.name, t * 1e3);
  }
  InMemoryBackend memory(base);
  const double t = Seconds([&] { CachePeers(&memory, kOps); });
  std::printf("side_by_side cache_peer in_memory %.3f\n", t * 1e3);
  std::fflush(stdout);
  return 0;
}

int Main(int argc, char** argv) {
  std::string dir = "/tmp/tgsession-bench";
  bool quick = false, cache_peer_only = false, client_only = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (absl::StartsWith(a, "--dir=")) dir = a.substr(6);
    if (a == "--quick") quick = true;
    if (a == "--cache-peer-only") cache_peer_only = true;
    if (a == "--client") client_only = true;
  }
  if (std::system(absl::StrCat("rm -rf '", dir, "' && mkdir -p '", dir, "'").c_str()) != 0) return 1;
  if (cache_peer_only) {
    const int rc = CachePeerOnly(dir);
    return std::system(absl::StrCat("rm -rf '", dir, "'").c_str()) != 0 ? 1 : rc;
  }

  std::printf("== a client's write path: 200 updates/s, each 3 peers + pts, on a 10,000-peer file\n");
  for (const auto sync : {BinaryFileBackend::Sync::kGroupCommit, BinaryFileBackend::Sync::kEveryOperation,
                          BinaryFileBackend::Sync::kNone}) {
    for (const bool batched : {true, false}) {
      ClientWorkload(absl::StrCat(dir, "/client-", static_cast<int>(sync), batched, ".session"), sync, batched,
                     quick ? 200 : 2000);
    }
  }
  if (client_only) return std::system(absl::StrCat("rm -rf '", dir, "'").c_str()) == 0 ? 0 : 1;

  const int kOps = 10000;

  std::printf("== granular updates: CachePeer x%d on a 10,000-peer session\n", kOps);
  const Session base = SyntheticSession(10000);
  struct Mode {
    const char* name;
    BinaryFileBackend::Sync sync;
  };
  for (const Mode& m : {Mode{"BinaryFileBackend, fdatasync every call", BinaryFileBackend::Sync::kEveryOperation},
                        Mode{"BinaryFileBackend, group commit (50 ms window)", BinaryFileBackend::Sync::kGroupCommit},
                        Mode{"BinaryFileBackend, no fsync (like ferogram)", BinaryFileBackend::Sync::kNone}}) {
    if (quick && m.sync == BinaryFileBackend::Sync::kEveryOperation) continue;
    // Tens of milliseconds, of which a few fsyncs (creating the journal, the
    // flusher's) that vary from run to run on a VM: the median of 7 runs, each
    // on a fresh file. Every-call fsync takes seconds and is run once.
    const int runs = m.sync == BinaryFileBackend::Sync::kEveryOperation ? 1 : 7;
    std::vector<double> times;
    size_t writes = 0;
    for (int run = 0; run < runs; ++run) {
      const std::string path = absl::StrCat(dir, "/granular-", static_cast<int>(m.sync), "-", run, ".session");
      BinaryFileBackend::Options o;
      o.sync = m.sync;
      auto b = BinaryFileBackend::Open(path, o);
      Check(b.status(), "open");
      Check((*b)->Save(base), "save");
      times.push_back(Seconds([&] { CachePeers(b->get(), kOps); }));
      writes = (*b)->snapshot_writes() - 1;
    }
    std::sort(times.begin(), times.end());
    Line(m.name, times[times.size() / 2], kOps);
    if (runs > 1) {
      std::printf("%-58s %10s median of %d runs, range %.2f - %.2f ms\n", "", "", runs, times.front() * 1e3,
                  times.back() * 1e3);
    }
    std::printf("%-58s %10zu snapshot writes (compactions) during the run\n", "", writes);
  }
  {
    RewriteEachCallBackend b(dir + "/rewrite.session", /*sync=*/false);
    Check(b.Save(base), "save");
    // At ~0.4 ms per call (16 ms under load) 10,000 calls take minutes; 500
    // calls give the per-call cost.
    const int n = 500;
    const double t = Seconds([&] { CachePeers(&b, n); });
    Line(absl::StrCat("full rewrite per call (ferogram's method), ", n, " calls"), t, n);
  }
  {
    // A few milliseconds, mostly first touches of fresh memory (page faults
    // cost ~10 us each on the VMs we measure on), so one run says little:
    // the median of 7 runs, each on a fresh backend, and their range.
    std::vector<double> cold, warm;
    for (int run = 0; run < 7; ++run) {
      // Cold: the first call builds the 10,000-entry peer index.
      InMemoryBackend b(base);
      cold.push_back(Seconds([&] { CachePeers(&b, kOps); }));
      InMemoryBackend w(base);
      Check(w.CachePeer(CachedPeer::User(1, 1)), "CachePeer");
      warm.push_back(Seconds([&] { CachePeers(&w, kOps); }));
    }
    for (auto* runs : {&cold, &warm}) {
      std::sort(runs->begin(), runs->end());
      Line(runs == &cold ? "InMemoryBackend (first call builds the peer index)" : "InMemoryBackend (index already built)",
           (*runs)[3], kOps);
      std::printf("%-58s %10s median of 7 runs, range %.2f - %.2f ms\n", "", "", runs->front() * 1e3,
                  runs->back() * 1e3);
    }
  }

  std::printf("== Save / Load of a 100,000-peer session (BinaryFileBackend, fsync on save)\n");
  {
    const Session big = SyntheticSession(100000);
    auto b = BinaryFileBackend::Open(dir + "/big.session");
    Check(b.status(), "open");
    const double ts = Seconds([&] { Check((*b)->Save(big), "save"); });
    Line("Save (encode v9 + write + fsync + rename + fsync dir)", ts, 1);
    b->reset();
    std::optional<Session> loaded;
    const double tl = Seconds([&] {
      auto r = BinaryFileBackend::Open(dir + "/big.session");
      Check(r.status(), "open");
      auto l = (*r)->Load();
      Check(l.status(), "load");
      loaded = **l;
    });
    Line("Open + Load (read + decode)", tl, 1);
    if (!(*loaded == big)) {
      std::fprintf(stderr, "loaded session differs\n");
      return 1;
    }
  }

  if (!quick) {
    std::printf("== scale: a 1,000,000-peer session\n");
    ResetPeakRss();
    const size_t rss0 = CurrentRssBytes();
    Session huge = SyntheticSession(1000000);
    const size_t model_bytes = CurrentRssBytes() - rss0;
    size_t encoded = 0;
    {
      auto b = BinaryFileBackend::Open(dir + "/huge.session");
      Check(b.status(), "open");
      ResetPeakRss();
      const size_t at_save = CurrentRssBytes();  // the model is already resident
      const double ts = Seconds([&] { Check((*b)->Save(huge), "save"); });
      encoded = BinaryEncodedSize(huge, 9);
      Line("Save 1,000,000 peers", ts, 1);
      std::printf("%-58s %10.1f MB peak RSS above the start of the save (the model, %.1f MB, already resident); "
                  "limit 2 x %.1f MB encoded = %.1f MB\n",
                  "", (PeakRssBytes() - at_save) / 1e6, model_bytes / 1e6, encoded / 1e6, 2 * encoded / 1e6);
      std::printf("%-58s %10.1f MB peak RSS of the whole process during the save\n", "", PeakRssBytes() / 1e6);
    }
    huge = Session();
    ResetPeakRss();
    const size_t before = CurrentRssBytes();
    std::optional<Session> loaded;
    const double tl = Seconds([&] {
      auto r = BinaryFileBackend::Open(dir + "/huge.session");
      Check(r.status(), "open");
      auto l = (*r)->Load();
      Check(l.status(), "load");
      loaded = std::move(**l);
    });
    Line("Load 1,000,000 peers", tl, 1);
    std::printf("%-58s %10.1f MB peak RSS above the start of the load; limit 2 x %.1f MB + model %.1f MB = %.1f MB\n",
                "", (PeakRssBytes() - before) / 1e6, encoded / 1e6, model_bytes / 1e6,
                (2 * encoded + model_bytes) / 1e6);
    std::printf("%-58s %10zu peers loaded\n", "", loaded->peers.size());
  }
  if (std::system(absl::StrCat("rm -rf '", dir, "'").c_str()) != 0) return 1;
  return 0;
}

}  // namespace
}  // namespace bench
}  // namespace tgsession

int main(int argc, char** argv) { return tgsession::bench::Main(argc, argv); }
